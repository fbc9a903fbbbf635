//! Reading small Spark results (Arrow record batches) row by row, by column name, with the type
//! checked: what the batch jobs need to move a handful of aggregated rows into PostgreSQL.

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use chrono::{DateTime, NaiveDate, Utc};

use crate::{Error, Result};

/// The rows of a collected result.
pub struct Rows {
    batches: Vec<RecordBatch>,
}

/// One row of [`Rows`].
pub struct Row<'a> {
    batch: &'a RecordBatch,
    index: usize,
}

impl Rows {
    /// Wraps collected batches.
    pub fn new(batches: Vec<RecordBatch>) -> Self {
        Rows { batches }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every row, in order.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.batches
            .iter()
            .flat_map(|b| (0..b.num_rows()).map(move |index| Row { batch: b, index }))
    }
}

impl Row<'_> {
    fn column(&self, name: &str) -> Result<&dyn Array> {
        self.batch
            .column_by_name(name)
            .map(|c| c.as_ref())
            .ok_or_else(|| Error::unexpected("spark", format!("result has no column {name}")))
    }

    fn null_or<T>(&self, array: &dyn Array, value: impl FnOnce() -> T) -> Option<T> {
        (!array.is_null(self.index)).then(value)
    }

    /// An integer column (any of INT, BIGINT) as i64; `None` for null.
    pub fn i64(&self, name: &str) -> Result<Option<i64>> {
        let a = self.column(name)?;
        match a.data_type() {
            DataType::Int64 => {
                Ok(self.null_or(a, || a.as_primitive::<Int64Type>().value(self.index)))
            }
            DataType::Int32 => {
                Ok(self.null_or(a, || a.as_primitive::<Int32Type>().value(self.index) as i64))
            }
            other => Err(type_error(name, "an integer", other)),
        }
    }

    /// A DOUBLE column; `None` for null.
    pub fn f64(&self, name: &str) -> Result<Option<f64>> {
        let a = self.column(name)?;
        match a.data_type() {
            DataType::Float64 => {
                Ok(self.null_or(a, || a.as_primitive::<Float64Type>().value(self.index)))
            }
            other => Err(type_error(name, "a double", other)),
        }
    }

    /// A STRING column; `None` for null.
    pub fn str(&self, name: &str) -> Result<Option<String>> {
        let a = self.column(name)?;
        match a.data_type() {
            DataType::Utf8 => {
                Ok(self.null_or(a, || a.as_string::<i32>().value(self.index).to_string()))
            }
            DataType::LargeUtf8 => {
                Ok(self.null_or(a, || a.as_string::<i64>().value(self.index).to_string()))
            }
            other => Err(type_error(name, "a string", other)),
        }
    }

    /// A DATE column; `None` for null.
    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>> {
        let a = self.column(name)?;
        match a.data_type() {
            DataType::Date32 => Ok(self
                .null_or(a, || {
                    a.as_primitive::<Date32Type>().value_as_date(self.index)
                })
                .flatten()),
            other => Err(type_error(name, "a date", other)),
        }
    }

    /// A BOOLEAN column; `None` for null.
    pub fn bool(&self, name: &str) -> Result<Option<bool>> {
        let a = self.column(name)?;
        match a.data_type() {
            DataType::Boolean => Ok(self.null_or(a, || a.as_boolean().value(self.index))),
            other => Err(type_error(name, "a boolean", other)),
        }
    }

    /// A TIMESTAMP column (Spark sends microseconds) as a UTC instant; `None` for null.
    pub fn timestamp(&self, name: &str) -> Result<Option<DateTime<Utc>>> {
        let a = self.column(name)?;
        match a.data_type() {
            DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, _) => Ok(self
                .null_or(a, || {
                    let micros = a
                        .as_primitive::<TimestampMicrosecondType>()
                        .value(self.index);
                    DateTime::from_timestamp_micros(micros)
                })
                .flatten()),
            other => Err(type_error(name, "a timestamp", other)),
        }
    }
}

/// A value that must not be null: `required(row.i64("total")?, "total")?`.
pub fn required<T>(value: Option<T>, name: &str) -> Result<T> {
    value.ok_or_else(|| Error::unexpected("spark", format!("column {name} is null")))
}

fn type_error(name: &str, wanted: &str, got: &DataType) -> Error {
    Error::unexpected(
        "spark",
        format!("column {name} is {got}, expected {wanted}"),
    )
}
