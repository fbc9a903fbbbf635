//! Small readers for the one-row answers of commands (counts, show strings, catalog listings).

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;

use crate::errors::{Error, Result};

/// The first value of the first column of a one-row result, as an i64.
pub(crate) fn single_i64(batches: &[RecordBatch]) -> Result<i64> {
    let col = first_column(batches)?;
    match col.data_type() {
        DataType::Int64 => Ok(col.as_primitive::<Int64Type>().value(0)),
        other => Err(Error::protocol(format!("expected a BIGINT, got {other}"))),
    }
}

/// The first value of the first column of a one-row result, as a string.
pub(crate) fn single_string(batches: &[RecordBatch]) -> Result<String> {
    let col = first_column(batches)?;
    let values = strings(col.as_ref())?;
    values
        .into_iter()
        .next()
        .flatten()
        .ok_or_else(|| Error::protocol("expected a non-null string"))
}

/// The first value of the first column of a one-row result, as a bool.
pub(crate) fn single_bool(batches: &[RecordBatch]) -> Result<bool> {
    let col = first_column(batches)?;
    match col.data_type() {
        DataType::Boolean => Ok(col.as_boolean().value(0)),
        other => Err(Error::protocol(format!("expected a BOOLEAN, got {other}"))),
    }
}

fn first_column(batches: &[RecordBatch]) -> Result<arrow_array::ArrayRef> {
    let batch = batches
        .iter()
        .find(|b| b.num_rows() > 0)
        .ok_or_else(|| Error::protocol("expected one row, got none"))?;
    if batch.num_columns() == 0 {
        return Err(Error::protocol("expected one column, got none"));
    }
    Ok(batch.column(0).clone())
}

/// The values of a string column (Utf8 or LargeUtf8).
pub(crate) fn strings(col: &dyn Array) -> Result<Vec<Option<String>>> {
    match col.data_type() {
        DataType::Utf8 => Ok(col
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()),
        DataType::LargeUtf8 => Ok(col
            .as_string::<i64>()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()),
        other => Err(Error::protocol(format!(
            "expected a string column, got {other}"
        ))),
    }
}
