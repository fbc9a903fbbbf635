//! Reading collected results row by row: [`Rows`] over Arrow batches, [`Row`] values by column
//! name or position as Rust types, checked.
//!
//! ```no_run
//! # async fn run(spark: spark_client::SparkSession) -> spark_client::Result<()> {
//! use chrono::NaiveDate;
//!
//! let df = spark.sql("SELECT DATE'2024-03-01' AS day, 7L AS n, CAST(NULL AS STRING) AS note").await?;
//! for row in df.collect_rows().await?.iter() {
//!     let day: NaiveDate = row.get("day")?;
//!     let n: i64 = row.get("n")?;
//!     let note: Option<String> = row.get("note")?; // a null is `None`; as `String` it is an error
//! }
//! if let Some(row) = df.first().await? {
//!     println!("{}", row.get::<i64>("n")?);
//! }
//! # Ok(()) }
//! ```
//!
//! Spark SQL type → Rust type: `BOOLEAN` → `bool`; `TINYINT`..`BIGINT` → `i8`..`i64` (a narrower
//! column reads into a wider integer); `FLOAT`/`DOUBLE` → `f32`/`f64` (`FLOAT` also into `f64`);
//! `STRING` → `String`; `BINARY` → `Vec<u8>`; `DECIMAL` → [`Decimal`]; `DATE` → `NaiveDate`;
//! `TIMESTAMP` → `DateTime<Utc>`; `TIMESTAMP_NTZ` → `NaiveDateTime`; `INTERVAL DAY TO SECOND` →
//! `TimeDelta`; `ARRAY<T>` → `Vec<T>`; `MAP<K, V>` → `BTreeMap<K, V>` or `Vec<(K, V)>`;
//! `STRUCT` → [`Row`]. Any of them in an `Option` reads a null as `None`. Reading a value as another
//! type, a null as a non-`Option`, or a column that is not there fails with
//! [`ErrorKind::Value`](crate::ErrorKind::Value), naming the column.

use std::borrow::Cow;
use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, DurationMicrosecondType, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type,
    Int8Type, TimestampMicrosecondType,
};
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_schema::{DataType as ArrowType, TimeUnit};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};

use crate::errors::{Error, ErrorKind, Result};
use crate::types::Decimal;

/// The rows of a collected result (its Arrow batches, in order).
#[derive(Debug, Clone, Default)]
pub struct Rows {
    batches: Vec<RecordBatch>,
}

/// One row of a result (or of a struct value), borrowed from its batch or owning it.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    batch: Cow<'a, RecordBatch>,
    index: usize,
}

impl Rows {
    /// The rows of `batches`.
    pub fn new(batches: Vec<RecordBatch>) -> Rows {
        Rows { batches }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every row, in order.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.batches.iter().flat_map(|b| {
            (0..b.num_rows()).map(move |index| Row {
                batch: Cow::Borrowed(b),
                index,
            })
        })
    }

    /// The `i`-th row (0-based).
    pub fn get(&self, mut i: usize) -> Option<Row<'_>> {
        for b in &self.batches {
            if i < b.num_rows() {
                return Some(Row {
                    batch: Cow::Borrowed(b),
                    index: i,
                });
            }
            i -= b.num_rows();
        }
        None
    }

    /// The batches.
    pub fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }

    /// The batches, given back.
    pub fn into_batches(self) -> Vec<RecordBatch> {
        self.batches
    }

    /// The first row, owning its (one-row) batch.
    pub fn into_first(self) -> Option<Row<'static>> {
        let batch = self.batches.into_iter().find(|b| b.num_rows() > 0)?;
        Some(Row {
            batch: Cow::Owned(batch.slice(0, 1)),
            index: 0,
        })
    }
}

impl From<Vec<RecordBatch>> for Rows {
    fn from(batches: Vec<RecordBatch>) -> Rows {
        Rows::new(batches)
    }
}

impl<'a> Row<'a> {
    /// The value of column `name` as `T` (`Option<T>` for a column that may hold nulls).
    pub fn get<T: FromSpark>(&self, name: &str) -> Result<T> {
        let col = self
            .batch
            .column_by_name(name)
            .ok_or_else(|| value_error(format!("the row has no column {name:?}")))?;
        read(col, self.index, name)
    }

    /// The value of the `i`-th column (0-based) as `T`.
    pub fn get_at<T: FromSpark>(&self, i: usize) -> Result<T> {
        if i >= self.batch.num_columns() {
            return Err(value_error(format!(
                "the row has {} columns, not {}",
                self.batch.num_columns(),
                i + 1
            )));
        }
        let name = self.batch.schema().field(i).name().clone();
        read(self.batch.column(i), self.index, &name)
    }

    /// Whether column `name` is null in this row.
    pub fn is_null(&self, name: &str) -> Result<bool> {
        Ok(self.get::<Option<Probe>>(name)?.is_none())
    }

    /// The column names, in order.
    pub fn names(&self) -> Vec<String> {
        self.batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.batch.num_columns()
    }

    /// Whether the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.batch.num_columns() == 0
    }

    /// This row, owning a one-row slice of its batch.
    pub fn into_owned(self) -> Row<'static> {
        Row {
            batch: Cow::Owned(self.batch.slice(self.index, 1)),
            index: 0,
        }
    }
}

fn value_error(msg: String) -> Error {
    Error::new(ErrorKind::Value(msg))
}

fn read<T: FromSpark>(col: &ArrayRef, index: usize, name: &str) -> Result<T> {
    T::from_spark(col.as_ref(), index).map_err(|e| value_error(format!("column {name:?}: {e}")))
}

/// Rust types a Spark value can be read as (see the module docs for the mapping).
pub trait FromSpark: Sized {
    /// Reads the value at `index` of `array`; the error says what did not fit.
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String>;
}

/// Reads any value, only to tell whether it is null.
struct Probe;

impl FromSpark for Probe {
    fn from_spark(_: &dyn Array, _: usize) -> std::result::Result<Self, String> {
        Ok(Probe)
    }
}

impl<T: FromSpark> FromSpark for Option<T> {
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
        if array.is_null(index) {
            return Ok(None);
        }
        T::from_spark(array, index).map(Some)
    }
}

fn not_null(array: &dyn Array, index: usize, wanted: &str) -> std::result::Result<(), String> {
    if array.is_null(index) {
        Err(format!("is null (read it as Option<{wanted}>)"))
    } else {
        Ok(())
    }
}

fn mismatch<T>(array: &dyn Array, wanted: &str) -> std::result::Result<T, String> {
    Err(format!(
        "is {}, not readable as {wanted}",
        array.data_type()
    ))
}

macro_rules! integer {
    ($t:ty, $name:literal, $($arrow:ident => $ty:ty),*) => {
        impl FromSpark for $t {
            fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
                not_null(array, index, $name)?;
                match array.data_type() {
                    $(ArrowType::$arrow => Ok(<$t>::from(array.as_primitive::<$ty>().value(index))),)*
                    _ => mismatch(array, $name),
                }
            }
        }
    };
}

integer!(i8, "i8", Int8 => Int8Type);
integer!(i16, "i16", Int8 => Int8Type, Int16 => Int16Type);
integer!(i32, "i32", Int8 => Int8Type, Int16 => Int16Type, Int32 => Int32Type);
integer!(i64, "i64", Int8 => Int8Type, Int16 => Int16Type, Int32 => Int32Type, Int64 => Int64Type);
integer!(f32, "f32", Float32 => Float32Type);
integer!(f64, "f64", Float32 => Float32Type, Float64 => Float64Type);

impl FromSpark for bool {
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
        not_null(array, index, "bool")?;
        match array.data_type() {
            ArrowType::Boolean => Ok(array.as_boolean().value(index)),
            _ => mismatch(array, "bool"),
        }
    }
}

impl FromSpark for String {
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
        not_null(array, index, "String")?;
        match array.data_type() {
            ArrowType::Utf8 => Ok(array.as_string::<i32>().value(index).to_string()),
            ArrowType::LargeUtf8 => Ok(array.as_string::<i64>().value(index).to_string()),
            ArrowType::Utf8View => Ok(array.as_string_view().value(index).to_string()),
            _ => mismatch(array, "String"),
        }
    }
}

impl FromSpark for Vec<u8> {
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
        not_null(array, index, "Vec<u8>")?;
        match array.data_type() {
            ArrowType::Binary => Ok(array.as_binary::<i32>().value(index).to_vec()),
            ArrowType::LargeBinary => Ok(array.as_binary::<i64>().value(index).to_vec()),
            _ => mismatch(array, "Vec<u8>"),
        }
    }
}

impl FromSpark for NaiveDate {
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
        not_null(array, index, "NaiveDate")?;
        match array.data_type() {
            ArrowType::Date32 => array
                .as_primitive::<Date32Type>()
                .value_as_date(index)
                .ok_or_else(|| "holds a date chrono cannot represent".to_string()),
            _ => mismatch(array, "NaiveDate"),
        }
    }
}

fn micros(
    array: &dyn Array,
    index: usize,
    with_zone: bool,
    wanted: &str,
) -> std::result::Result<i64, String> {
    not_null(array, index, wanted)?;
    match array.data_type() {
        ArrowType::Timestamp(TimeUnit::Microsecond, tz) if tz.is_some() == with_zone => Ok(array
            .as_primitive::<TimestampMicrosecondType>()
            .value(index)),
        _ => mismatch(array, wanted),
    }
}

impl FromSpark for DateTime<Utc> {
    /// A `TIMESTAMP` (an instant; Arrow's timestamp with a time zone).
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
        let us = micros(array, index, true, "DateTime<Utc>")?;
        DateTime::from_timestamp_micros(us).ok_or_else(|| format!("{us} µs is out of range"))
    }
}

impl FromSpark for NaiveDateTime {
    /// A `TIMESTAMP_NTZ` (a wall-clock time; Arrow's timestamp without a time zone).
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
        let us = micros(array, index, false, "NaiveDateTime")?;
        DateTime::from_timestamp_micros(us)
            .map(|t| t.naive_utc())
            .ok_or_else(|| format!("{us} µs is out of range"))
    }
}

impl FromSpark for TimeDelta {
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
        not_null(array, index, "TimeDelta")?;
        match array.data_type() {
            ArrowType::Duration(TimeUnit::Microsecond) => Ok(TimeDelta::microseconds(
                array.as_primitive::<DurationMicrosecondType>().value(index),
            )),
            _ => mismatch(array, "TimeDelta"),
        }
    }
}

impl FromSpark for Decimal {
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
        not_null(array, index, "Decimal")?;
        match array.data_type() {
            ArrowType::Decimal128(precision, scale) => {
                let raw = array
                    .as_primitive::<arrow_array::types::Decimal128Type>()
                    .value(index);
                let text = decimal_text(raw, *scale);
                let scale = u8::try_from(*scale).map_err(|_| "has a negative scale".to_string())?;
                Decimal::with_precision(&text, *precision, scale).map_err(|e| e.to_string())
            }
            _ => mismatch(array, "Decimal"),
        }
    }
}

/// `raw × 10^-scale` as decimal text (`-12345`, scale 2 → `-123.45`).
fn decimal_text(raw: i128, scale: i8) -> String {
    let digits = raw.unsigned_abs().to_string();
    let sign = if raw < 0 { "-" } else { "" };
    let scale = scale.max(0) as usize;
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

/// The elements of the list at `index` of `array`.
fn list_values(array: &dyn Array, index: usize) -> Option<ArrayRef> {
    match array.data_type() {
        ArrowType::List(_) => Some(array.as_list::<i32>().value(index)),
        ArrowType::LargeList(_) => Some(array.as_list::<i64>().value(index)),
        _ => None,
    }
}

impl<T: FromSpark> FromSpark for Vec<T> {
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
        not_null(array, index, "Vec<_>")?;
        let Some(values) = list_values(array, index) else {
            return mismatch(array, "Vec<_>");
        };
        (0..values.len())
            .map(|i| T::from_spark(values.as_ref(), i).map_err(|e| format!("element {i} {e}")))
            .collect()
    }
}

fn map_entries<K: FromSpark, V: FromSpark>(
    array: &dyn Array,
    index: usize,
) -> std::result::Result<Vec<(K, V)>, String> {
    not_null(array, index, "a map")?;
    let ArrowType::Map(_, _) = array.data_type() else {
        return mismatch(array, "a map");
    };
    let entries = array.as_map().value(index);
    let (keys, values) = (entries.column(0), entries.column(1));
    (0..entries.len())
        .map(|i| {
            let k = K::from_spark(keys.as_ref(), i).map_err(|e| format!("key {i} {e}"))?;
            let v = V::from_spark(values.as_ref(), i).map_err(|e| format!("value {i} {e}"))?;
            Ok((k, v))
        })
        .collect()
}

impl<K: FromSpark + Ord, V: FromSpark> FromSpark for BTreeMap<K, V> {
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
        Ok(map_entries(array, index)?.into_iter().collect())
    }
}

impl<K: FromSpark, V: FromSpark> FromSpark for Vec<(K, V)> {
    /// A map's entries in the order Spark holds them.
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
        map_entries(array, index)
    }
}

impl FromSpark for Row<'static> {
    /// A `STRUCT` value, read field by field with [`Row::get`].
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
        not_null(array, index, "Row")?;
        let ArrowType::Struct(_) = array.data_type() else {
            return mismatch(array, "Row");
        };
        let s: &StructArray = array.as_struct();
        let batch = RecordBatch::from(s.slice(index, 1));
        Ok(Row {
            batch: Cow::Owned(batch),
            index: 0,
        })
    }
}

impl FromSpark for ArrayRef {
    /// The value as a one-element Arrow array (any type).
    fn from_spark(array: &dyn Array, index: usize) -> std::result::Result<Self, String> {
        Ok(arrow_array::make_array(array.to_data()).slice(index, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use arrow_array::builder::{Int64Builder, ListBuilder, MapBuilder, StringBuilder};
    use arrow_array::{
        Date32Array, Decimal128Array, Float32Array, Int32Array, StringArray,
        TimestampMicrosecondArray,
    };

    fn batch() -> RecordBatch {
        let mut list = ListBuilder::new(Int64Builder::new());
        list.values().append_value(1);
        list.values().append_null();
        list.append(true);
        list.append(false);
        let mut map = MapBuilder::new(None, StringBuilder::new(), Int64Builder::new());
        map.keys().append_value("b");
        map.values().append_value(2);
        map.keys().append_value("a");
        map.values().append_value(1);
        map.append(true).unwrap();
        map.append(true).unwrap();
        RecordBatch::try_from_iter([
            (
                "i",
                Arc::new(Int32Array::from(vec![Some(7), None])) as ArrayRef,
            ),
            (
                "s",
                Arc::new(StringArray::from(vec![Some("x"), None])) as ArrayRef,
            ),
            (
                "f",
                Arc::new(Float32Array::from(vec![1.5, f32::NAN])) as ArrayRef,
            ),
            (
                "d",
                Arc::new(Date32Array::from(vec![19_000, 0])) as ArrayRef,
            ),
            (
                "ts",
                Arc::new(TimestampMicrosecondArray::from(vec![1_500_000, -1]).with_timezone("UTC"))
                    as ArrayRef,
            ),
            (
                "ntz",
                Arc::new(TimestampMicrosecondArray::from(vec![0, 1])) as ArrayRef,
            ),
            (
                "dec",
                Arc::new(
                    Decimal128Array::from(vec![-12345, 5])
                        .with_precision_and_scale(10, 3)
                        .unwrap(),
                ) as ArrayRef,
            ),
            ("l", Arc::new(list.finish()) as ArrayRef),
            ("m", Arc::new(map.finish()) as ArrayRef),
        ])
        .unwrap()
    }

    #[test]
    fn reads_typed_values_by_name_and_position() {
        let rows = Rows::new(vec![batch()]);
        assert_eq!(rows.len(), 2);
        let r = rows.get(0).unwrap();
        assert_eq!(r.get::<i32>("i").unwrap(), 7);
        assert_eq!(r.get::<i64>("i").unwrap(), 7, "an INT reads into i64");
        assert_eq!(r.get::<String>("s").unwrap(), "x");
        assert_eq!(r.get::<f64>("f").unwrap(), 1.5);
        assert_eq!(
            r.get::<NaiveDate>("d").unwrap(),
            NaiveDate::from_ymd_opt(2022, 1, 8).unwrap()
        );
        assert_eq!(
            r.get::<DateTime<Utc>>("ts").unwrap().timestamp_micros(),
            1_500_000
        );
        assert_eq!(
            r.get::<NaiveDateTime>("ntz").unwrap(),
            DateTime::UNIX_EPOCH.naive_utc()
        );
        assert_eq!(r.get::<Decimal>("dec").unwrap().as_str(), "-12.345");
        assert_eq!(r.get::<Vec<Option<i64>>>("l").unwrap(), vec![Some(1), None]);
        assert_eq!(
            r.get::<Vec<(String, i64)>>("m").unwrap(),
            vec![("b".to_string(), 2), ("a".to_string(), 1)]
        );
        assert_eq!(r.get_at::<i32>(0).unwrap(), 7);
        assert_eq!(r.names()[1], "s");
        let r = rows.get(1).unwrap();
        assert_eq!(r.get::<Option<i32>>("i").unwrap(), None);
        assert!(r.is_null("s").unwrap());
        assert!(r.get::<f32>("f").unwrap().is_nan());
        assert_eq!(r.get::<Option<Vec<i64>>>("l").unwrap(), None);
        assert_eq!(r.get::<Decimal>("dec").unwrap().as_str(), "0.005");
    }

    #[test]
    fn refuses_nulls_wrong_types_and_missing_columns() {
        let rows = Rows::new(vec![batch()]);
        let r = rows.get(1).unwrap();
        let err = r.get::<i32>("i").unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Value(_)), "{err:?}");
        assert!(err.to_string().contains("\"i\": is null"), "{err}");
        let err = rows.get(0).unwrap().get::<String>("i").unwrap_err();
        assert!(
            err.to_string().contains("Int32, not readable as String"),
            "{err}"
        );
        assert!(rows.get(0).unwrap().get::<i8>("i").is_err(), "no narrowing");
        assert!(rows.get(0).unwrap().get::<i32>("nope").is_err());
        assert!(
            rows.get(0).unwrap().get::<NaiveDateTime>("ts").is_err(),
            "an instant is not a wall-clock time"
        );
        assert!(rows.get(2).is_none());
    }

    #[test]
    fn owned_first_row_and_decimal_text() {
        let first = Rows::new(vec![batch()]).into_first().unwrap();
        assert_eq!(first.get::<i32>("i").unwrap(), 7);
        assert_eq!(decimal_text(-5, 3), "-0.005");
        assert_eq!(decimal_text(120, 0), "120");
        assert_eq!(
            decimal_text(i128::from(i64::MAX), 2),
            "92233720368547758.07"
        );
    }
}
