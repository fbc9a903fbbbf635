//! Literal values: every Rust value that can become a Spark literal implements [`IntoLiteral`].
//!
//! A [`Literal`] reaches the server in one of two forms, as PySpark's values do:
//!
//! - **As a column** (`lit(v)`, comparison operands, `when` values, `is_in`): scalars are literal
//!   expressions; arrays, maps and structs are built server-side by `array(..)`, `map(..)` and
//!   `struct(lit(v).alias(name), ..)` over their elements, as PySpark's `lit([..])` sends
//!   `array(lit(a), lit(b))` (and as one writes a struct value in PySpark).
//!   A container is never one literal there because Spark 3.5 reads the null elements of an array
//!   literal as the element type's default (`[1, null]` arrives as `[1, 0]`). An empty container
//!   is `CAST(array() AS ARRAY<T>)` (or `map()`), so it keeps its Rust element type.
//! - **As a protocol literal** (SQL parameters, pivot values): only a literal fits there, so a
//!   container holding a null anywhere is refused with [`ErrorKind::InvalidArgument`]
//!   (crate::ErrorKind::InvalidArgument) instead of being sent and silently changed.
//!
//! Representation choices that differ from PySpark on purpose (the differential suite checks them):
//! a `None` of a Rust type is a *typed* null (`None::<i64>` is a `BIGINT` null; PySpark's `None` is
//! `VOID`), and [`Decimal`] keeps the precision of its text (`12.345` is `DECIMAL(5,3)`; PySpark
//! sends `DECIMAL(10,3)`, the server's widening of its default `DECIMAL(10,0)`).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use spark_connect_proto as pb;
use spark_connect_proto::expression::literal::{self as lit, LiteralType};
use spark_connect_proto::expression::{self as ex, ExprType};

use super::DataType;
use crate::column::Column;
use crate::errors::{Error, Result};

/// A typed literal value: a scalar, a typed null, or an array, map or struct of literals.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    value: Value,
    data_type: DataType,
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    /// A null of `data_type`.
    Null,
    /// A scalar, already in its protocol form.
    Scalar(LiteralType),
    Array(Vec<Literal>),
    Map(Vec<(Literal, Literal)>),
    Struct(Vec<(String, Literal)>),
}

/// A decimal literal, kept as its exact decimal text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    value: String,
    precision: u8,
    scale: u8,
}

/// Conversion into a Spark literal.
///
/// Implemented for `bool`; `i8`, `i16`, `i32`, `i64` (`TINYINT` .. `BIGINT`); `f32`, `f64`;
/// `&str`/`String`; `Vec<u8>`/`&[u8]` (binary); [`Decimal`]; `chrono::NaiveDate` (date),
/// `chrono::DateTime<Tz>` (timestamp, an instant), `chrono::NaiveDateTime` (timestamp_ntz, a wall
/// clock time), `chrono::TimeDelta` (interval day to second); `Option<T>` (a typed null for
/// `None`); `Vec<T>`, `[T; N]` and `&[T]` (arrays); `HashMap<K, V>` and `BTreeMap<K, V>` (maps);
/// and [`Literal`] itself (built with [`Literal::struct_`] for structs). Timestamps and intervals
/// carry microseconds, as Spark stores them: finer digits are dropped.
pub trait IntoLiteral {
    /// The literal.
    fn into_literal(self) -> Literal;
}

/// Rust types with a fixed Spark type: it types the `NULL` of an `Option::None` literal and the
/// elements of an empty collection, and `#[derive(SparkType)]` builds a struct's schema from its
/// fields' impls.
///
/// ```
/// use spark_client::types::{SparkType, StructType};
///
/// #[derive(serde::Serialize, spark_client::SparkType)]
/// struct Reading {
///     sensor: String,
///     #[serde(rename = "value_c")]
///     value: Option<f64>,
///     tags: Vec<String>,
/// }
///
/// let schema = StructType::of::<Reading>();
/// assert_eq!(
///     schema.to_ddl(),
///     "sensor STRING NOT NULL,value_c DOUBLE,tags ARRAY<STRING> NOT NULL"
/// );
/// ```
pub trait SparkType {
    /// The Spark type of values of this Rust type.
    fn spark_type() -> DataType;

    /// Whether a value of this type can be null: `true` for `Option<T>` only.
    fn nullable() -> bool {
        false
    }
}

impl Literal {
    /// A `NULL` of the given type.
    pub fn null(data_type: DataType) -> Literal {
        Literal {
            value: Value::Null,
            data_type,
        }
    }

    fn scalar(value: LiteralType, data_type: DataType) -> Literal {
        Literal {
            value: Value::Scalar(value),
            data_type,
        }
    }

    /// An array of `elements`, whose type is `element_type` (what an empty array is typed with;
    /// non-empty arrays take the type of their elements, decimals widened to hold every one).
    pub fn array(element_type: DataType, elements: impl IntoIterator<Item = Literal>) -> Literal {
        let elements: Vec<Literal> = elements.into_iter().collect();
        let element = common_type(element_type, &elements);
        let contains_null = elements.iter().any(Literal::is_null);
        Literal {
            value: Value::Array(elements),
            data_type: DataType::Array {
                element: Box::new(element),
                contains_null,
            },
        }
    }

    /// A map of `entries` (keys must not be null); `key_type`/`value_type` type an empty map.
    pub fn map(
        key_type: DataType,
        value_type: DataType,
        entries: impl IntoIterator<Item = (Literal, Literal)>,
    ) -> Literal {
        let entries: Vec<(Literal, Literal)> = entries.into_iter().collect();
        let keys: Vec<Literal> = entries.iter().map(|(k, _)| k.clone()).collect();
        let values: Vec<Literal> = entries.iter().map(|(_, v)| v.clone()).collect();
        Literal {
            data_type: DataType::Map {
                key: Box::new(common_type(key_type, &keys)),
                value: Box::new(common_type(value_type, &values)),
                value_contains_null: values.iter().any(Literal::is_null),
            },
            value: Value::Map(entries),
        }
    }

    /// A struct with the named `fields`, in order, e.g.
    /// `Literal::struct_([("id", 1i64.into_literal()), ("tag", None::<&str>.into_literal())])`.
    pub fn struct_<S: Into<String>>(fields: impl IntoIterator<Item = (S, Literal)>) -> Literal {
        let fields: Vec<(String, Literal)> =
            fields.into_iter().map(|(n, l)| (n.into(), l)).collect();
        let mut schema = super::StructType::new();
        for (name, l) in &fields {
            schema = schema.field(name.clone(), l.data_type.clone(), l.is_null());
        }
        Literal {
            value: Value::Struct(fields),
            data_type: DataType::Struct(schema),
        }
    }

    /// The Spark type of this value.
    pub fn data_type(&self) -> &DataType {
        &self.data_type
    }

    /// Whether this is a `NULL` (of any type).
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Whether a null occurs anywhere inside this value (not counting the value itself).
    fn holds_null(&self) -> bool {
        match &self.value {
            Value::Null | Value::Scalar(_) => false,
            Value::Array(es) => es.iter().any(|e| e.is_null() || e.holds_null()),
            Value::Map(es) => es
                .iter()
                .any(|(k, v)| k.is_null() || v.is_null() || k.holds_null() || v.holds_null()),
            Value::Struct(fs) => fs.iter().any(|(_, v)| v.is_null() || v.holds_null()),
        }
    }

    /// The column form: a literal expression for scalars and nulls, `array(..)`, `map(..)` and
    /// `struct(..)` calls over the elements for containers (see the module docs).
    pub(crate) fn into_column(self) -> Column {
        let literal = |kind| {
            Column::from_expr(ExprType::Literal(pb::expression::Literal {
                literal_type: Some(kind),
                ..Default::default()
            }))
        };
        match self.value {
            Value::Null => literal(LiteralType::Null(self.data_type.to_proto())),
            Value::Scalar(kind) => literal(kind),
            Value::Array(es) if es.is_empty() => typed_empty("array", &self.data_type),
            Value::Array(es) => Column::call("array", es.into_iter().map(Literal::into_column)),
            Value::Map(es) if es.is_empty() => typed_empty("map", &self.data_type),
            Value::Map(es) => Column::call(
                "map",
                es.into_iter()
                    .flat_map(|(k, v)| [k.into_column(), v.into_column()]),
            ),
            Value::Struct(fs) => Column::call(
                "struct",
                fs.into_iter().map(|(name, v)| v.into_column().alias(name)),
            ),
        }
    }

    /// The protocol literal (SQL parameters, pivot values). Fails for a container that holds a
    /// null: Spark 3.5 would read it as the type's default value.
    #[allow(deprecated)] // The element/key/value/struct types are what Spark 3.5 reads.
    pub(crate) fn to_proto(&self) -> Result<pb::expression::Literal> {
        if self.holds_null() {
            return Err(Error::invalid_argument(format!(
                "a {} value holding a null cannot be sent as one literal (Spark 3.5 reads the null \
                 as the type's default value); use it as a column (`lit`) instead",
                self.data_type
            )));
        }
        let kind = match &self.value {
            Value::Null => LiteralType::Null(self.data_type.to_proto()),
            Value::Scalar(s) => s.clone(),
            Value::Array(es) => {
                let DataType::Array { element, .. } = &self.data_type else {
                    unreachable!("arrays are typed as arrays")
                };
                LiteralType::Array(lit::Array {
                    element_type: Some(element.to_proto()),
                    elements: es.iter().map(Literal::to_proto).collect::<Result<_>>()?,
                })
            }
            Value::Map(es) => {
                let DataType::Map { key, value, .. } = &self.data_type else {
                    unreachable!("maps are typed as maps")
                };
                LiteralType::Map(lit::Map {
                    key_type: Some(key.to_proto()),
                    value_type: Some(value.to_proto()),
                    keys: es
                        .iter()
                        .map(|(k, _)| k.to_proto())
                        .collect::<Result<_>>()?,
                    values: es
                        .iter()
                        .map(|(_, v)| v.to_proto())
                        .collect::<Result<_>>()?,
                })
            }
            Value::Struct(fs) => LiteralType::Struct(lit::Struct {
                struct_type: Some(self.data_type.to_proto()),
                elements: fs
                    .iter()
                    .map(|(_, v)| v.to_proto())
                    .collect::<Result<_>>()?,
            }),
        };
        Ok(pb::expression::Literal {
            literal_type: Some(kind),
            ..Default::default()
        })
    }
}

/// `CAST(array() AS <type>)` / `CAST(map() AS <type>)`: an empty container of a known type.
fn typed_empty(function: &str, data_type: &DataType) -> Column {
    Column::from_expr(ExprType::Cast(Box::new(ex::Cast {
        expr: Some(Box::new(Column::call(function, []).expr)),
        cast_to_type: Some(ex::cast::CastToType::Type(data_type.to_proto())),
        ..Default::default()
    })))
}

/// The type that holds every one of `values` (declared `fallback` when there are none or all are
/// null): decimals are widened to the largest integral part and scale, like Spark's coercion.
fn common_type(fallback: DataType, values: &[Literal]) -> DataType {
    values
        .iter()
        .filter(|v| !v.is_null())
        .map(|v| v.data_type.clone())
        .reduce(|a, b| wider(&a, &b))
        .unwrap_or(fallback)
}

fn wider(a: &DataType, b: &DataType) -> DataType {
    match (a, b) {
        (
            DataType::Decimal {
                precision: p1,
                scale: s1,
            },
            DataType::Decimal {
                precision: p2,
                scale: s2,
            },
        ) => {
            let scale = (*s1).max(*s2);
            let integral = (p1 - s1).max(p2 - s2);
            DataType::Decimal {
                precision: (integral + scale).min(38),
                scale,
            }
        }
        (
            DataType::Array {
                element: e1,
                contains_null: n1,
            },
            DataType::Array {
                element: e2,
                contains_null: n2,
            },
        ) => DataType::Array {
            element: Box::new(wider(e1, e2)),
            contains_null: *n1 || *n2,
        },
        (
            DataType::Map {
                key: k1,
                value: v1,
                value_contains_null: n1,
            },
            DataType::Map {
                key: k2,
                value: v2,
                value_contains_null: n2,
            },
        ) => DataType::Map {
            key: Box::new(wider(k1, k2)),
            value: Box::new(wider(v1, v2)),
            value_contains_null: *n1 || *n2,
        },
        _ => a.clone(),
    }
}

impl IntoLiteral for Literal {
    fn into_literal(self) -> Literal {
        self
    }
}

impl Decimal {
    /// Parses a decimal such as `"-12.50"`; precision and scale are taken from the text.
    pub fn parse(text: &str) -> Result<Decimal> {
        let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let ok = !(int.is_empty() && frac.is_empty())
            && int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit());
        if !ok {
            return Err(Error::invalid_argument(format!("not a decimal: {text:?}")));
        }
        let int_digits = int.trim_start_matches('0').len();
        let scale = frac.len();
        let precision = (int_digits + scale).max(1);
        if precision > 38 {
            return Err(Error::invalid_argument(format!(
                "decimal {text:?} has more than 38 digits"
            )));
        }
        Ok(Decimal {
            value: text.to_string(),
            precision: precision as u8,
            scale: scale as u8,
        })
    }

    /// A decimal with an explicit precision and scale (e.g. to match a `DECIMAL(18,4)` column).
    pub fn with_precision(text: &str, precision: u8, scale: u8) -> Result<Decimal> {
        let parsed = Decimal::parse(text)?;
        if precision > 38
            || scale > precision
            || parsed.scale > scale
            || parsed.precision - parsed.scale > precision - scale
        {
            return Err(Error::invalid_argument(format!(
                "{text:?} does not fit DECIMAL({precision},{scale})"
            )));
        }
        Ok(Decimal {
            precision,
            scale,
            ..parsed
        })
    }

    /// The Spark type of this value.
    pub fn data_type(&self) -> DataType {
        DataType::Decimal {
            precision: self.precision,
            scale: self.scale,
        }
    }

    /// The decimal text, as given.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl std::str::FromStr for Decimal {
    type Err = Error;

    fn from_str(s: &str) -> Result<Decimal> {
        Decimal::parse(s)
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.value)
    }
}

impl IntoLiteral for Decimal {
    fn into_literal(self) -> Literal {
        let data_type = self.data_type();
        Literal::scalar(
            LiteralType::Decimal(lit::Decimal {
                value: self.value,
                precision: Some(i32::from(self.precision)),
                scale: Some(i32::from(self.scale)),
            }),
            data_type,
        )
    }
}

impl SparkType for Decimal {
    /// `DECIMAL(38,18)`, Spark's type for a decimal of unknown precision (Scala's `BigDecimal`).
    /// Only typed nulls and empty collections use it; a value keeps its own precision.
    fn spark_type() -> DataType {
        DataType::Decimal {
            precision: 38,
            scale: 18,
        }
    }
}

macro_rules! simple_literal {
    ($($t:ty => $variant:ident as $conv:ty, $dt:expr;)*) => {$(
        impl IntoLiteral for $t {
            fn into_literal(self) -> Literal {
                Literal::scalar(LiteralType::$variant(<$conv>::from(self)), $dt)
            }
        }
        impl SparkType for $t {
            fn spark_type() -> DataType {
                $dt
            }
        }
    )*};
}

simple_literal! {
    bool => Boolean as bool, DataType::Boolean;
    i8 => Byte as i32, DataType::Byte;
    i16 => Short as i32, DataType::Short;
    i32 => Integer as i32, DataType::Integer;
    i64 => Long as i64, DataType::Long;
    f32 => Float as f32, DataType::Float;
    f64 => Double as f64, DataType::Double;
    String => String as String, DataType::String;
    Vec<u8> => Binary as bytes::Bytes, DataType::Binary;
}

impl IntoLiteral for &str {
    fn into_literal(self) -> Literal {
        self.to_string().into_literal()
    }
}

impl SparkType for &str {
    fn spark_type() -> DataType {
        DataType::String
    }
}

impl IntoLiteral for &String {
    fn into_literal(self) -> Literal {
        self.clone().into_literal()
    }
}

impl SparkType for &String {
    fn spark_type() -> DataType {
        DataType::String
    }
}

impl IntoLiteral for &[u8] {
    fn into_literal(self) -> Literal {
        self.to_vec().into_literal()
    }
}

impl IntoLiteral for NaiveDate {
    fn into_literal(self) -> Literal {
        let days = (self - DateTime::UNIX_EPOCH.date_naive()).num_days() as i32;
        Literal::scalar(LiteralType::Date(days), DataType::Date)
    }
}

impl SparkType for NaiveDate {
    fn spark_type() -> DataType {
        DataType::Date
    }
}

impl<Tz: TimeZone> IntoLiteral for DateTime<Tz> {
    fn into_literal(self) -> Literal {
        Literal::scalar(
            LiteralType::Timestamp(self.timestamp_micros()),
            DataType::Timestamp,
        )
    }
}

impl SparkType for DateTime<Utc> {
    fn spark_type() -> DataType {
        DataType::Timestamp
    }
}

impl SparkType for DateTime<chrono::FixedOffset> {
    fn spark_type() -> DataType {
        DataType::Timestamp
    }
}

impl IntoLiteral for NaiveDateTime {
    fn into_literal(self) -> Literal {
        Literal::scalar(
            LiteralType::TimestampNtz(self.and_utc().timestamp_micros()),
            DataType::TimestampNtz,
        )
    }
}

impl SparkType for NaiveDateTime {
    fn spark_type() -> DataType {
        DataType::TimestampNtz
    }
}

impl IntoLiteral for TimeDelta {
    /// An `INTERVAL DAY TO SECOND` (PySpark's `timedelta`). Spark holds ±2^63 microseconds
    /// (about 292,000 years); a longer duration is clamped to that range.
    fn into_literal(self) -> Literal {
        let micros = self
            .num_microseconds()
            .unwrap_or(if self < TimeDelta::zero() {
                i64::MIN
            } else {
                i64::MAX
            });
        Literal::scalar(
            LiteralType::DayTimeInterval(micros),
            DataType::day_time_interval(),
        )
    }
}

impl SparkType for TimeDelta {
    fn spark_type() -> DataType {
        DataType::day_time_interval()
    }
}

impl<T: IntoLiteral + SparkType> IntoLiteral for Option<T> {
    fn into_literal(self) -> Literal {
        match self {
            Some(v) => v.into_literal(),
            None => Literal::null(T::spark_type()),
        }
    }
}

impl<T: SparkType> SparkType for Option<T> {
    fn spark_type() -> DataType {
        T::spark_type()
    }

    fn nullable() -> bool {
        true
    }
}

impl<T: IntoLiteral + SparkType> IntoLiteral for Vec<T> {
    fn into_literal(self) -> Literal {
        Literal::array(
            T::spark_type(),
            self.into_iter().map(IntoLiteral::into_literal),
        )
    }
}

impl<T: IntoLiteral + SparkType, const N: usize> IntoLiteral for [T; N] {
    fn into_literal(self) -> Literal {
        Literal::array(
            T::spark_type(),
            self.into_iter().map(IntoLiteral::into_literal),
        )
    }
}

impl<T: IntoLiteral + SparkType + Clone> IntoLiteral for &[T] {
    fn into_literal(self) -> Literal {
        self.to_vec().into_literal()
    }
}

impl<T: SparkType> SparkType for Vec<T> {
    fn spark_type() -> DataType {
        DataType::Array {
            element: Box::new(T::spark_type()),
            contains_null: T::nullable(),
        }
    }
}

impl<T: SparkType, const N: usize> SparkType for [T; N] {
    fn spark_type() -> DataType {
        Vec::<T>::spark_type()
    }
}

impl<K, V, S> IntoLiteral for HashMap<K, V, S>
where
    K: IntoLiteral + SparkType,
    V: IntoLiteral + SparkType,
{
    /// A map; its entries are sent in the map's iteration order.
    fn into_literal(self) -> Literal {
        Literal::map(
            K::spark_type(),
            V::spark_type(),
            self.into_iter()
                .map(|(k, v)| (k.into_literal(), v.into_literal())),
        )
    }
}

impl<K: SparkType, V: SparkType, S> SparkType for HashMap<K, V, S> {
    fn spark_type() -> DataType {
        map_type::<K, V>()
    }
}

impl<K: IntoLiteral + SparkType, V: IntoLiteral + SparkType> IntoLiteral for BTreeMap<K, V> {
    fn into_literal(self) -> Literal {
        Literal::map(
            K::spark_type(),
            V::spark_type(),
            self.into_iter()
                .map(|(k, v)| (k.into_literal(), v.into_literal())),
        )
    }
}

impl<K: SparkType, V: SparkType> SparkType for BTreeMap<K, V> {
    fn spark_type() -> DataType {
        map_type::<K, V>()
    }
}

/// `MAP<K, V>` whose values may be null when `V` is an `Option`.
fn map_type<K: SparkType, V: SparkType>() -> DataType {
    DataType::Map {
        key: Box::new(K::spark_type()),
        value: Box::new(V::spark_type()),
        value_contains_null: V::nullable(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(l: impl IntoLiteral) -> LiteralType {
        l.into_literal().to_proto().unwrap().literal_type.unwrap()
    }

    fn call_of(c: &Column) -> (&str, Vec<&pb::Expression>) {
        match &c.expr.expr_type {
            Some(ExprType::UnresolvedFunction(f)) => {
                (f.function_name.as_str(), f.arguments.iter().collect())
            }
            other => panic!("not a function: {other:?}"),
        }
    }

    #[test]
    fn scalars() {
        assert_eq!(kind(true), LiteralType::Boolean(true));
        assert_eq!(kind(7i8), LiteralType::Byte(7));
        assert_eq!(kind(7i64), LiteralType::Long(7));
        assert_eq!(kind(1.5f64), LiteralType::Double(1.5));
        assert_eq!(kind("x"), LiteralType::String("x".into()));
        assert_eq!(
            kind(vec![1u8, 2]),
            LiteralType::Binary(bytes::Bytes::from_static(&[1, 2]))
        );
        assert!(matches!(kind(f64::NAN), LiteralType::Double(d) if d.is_nan()));
        assert!(matches!(kind(-0.0f64), LiteralType::Double(d) if d.is_sign_negative()));
    }

    #[test]
    fn dates_timestamps_intervals() {
        let d = NaiveDate::from_ymd_opt(1970, 1, 11).unwrap();
        assert_eq!(kind(d), LiteralType::Date(10));
        let before = NaiveDate::from_ymd_opt(1969, 12, 31).unwrap();
        assert_eq!(kind(before), LiteralType::Date(-1));
        let ts = Utc.timestamp_opt(1, 500_000_000).unwrap();
        assert_eq!(kind(ts), LiteralType::Timestamp(1_500_000));
        // An instant in another zone is the same instant.
        let lisbon = chrono::FixedOffset::east_opt(3600).unwrap();
        assert_eq!(
            kind(ts.with_timezone(&lisbon)),
            LiteralType::Timestamp(1_500_000)
        );
        let ntz = d.and_hms_opt(0, 0, 1).unwrap();
        assert_eq!(
            kind(ntz),
            LiteralType::TimestampNtz(864_000_000_000 + 1_000_000)
        );
        // Before the epoch with a fraction: floor, not truncation toward zero.
        let early = Utc.timestamp_opt(-1, 250_000_000).unwrap();
        assert_eq!(kind(early), LiteralType::Timestamp(-750_000));
        assert_eq!(
            kind(TimeDelta::milliseconds(-1500)),
            LiteralType::DayTimeInterval(-1_500_000)
        );
        assert_eq!(
            TimeDelta::zero().into_literal().data_type().to_ddl(),
            "INTERVAL DAY TO SECOND"
        );
    }

    #[test]
    fn nulls_are_typed() {
        assert_eq!(
            kind(None::<i32>),
            LiteralType::Null(DataType::Integer.to_proto())
        );
        assert_eq!(kind(Some(3i32)), LiteralType::Integer(3));
        // A Vec of a non-Option type holds no nulls (SparkType::nullable).
        assert_eq!(
            None::<Vec<&str>>.into_literal().data_type(),
            &DataType::Array {
                element: Box::new(DataType::String),
                contains_null: false
            }
        );
        assert_eq!(
            None::<Vec<Option<&str>>>.into_literal().data_type(),
            &DataType::array(DataType::String)
        );
    }

    #[test]
    fn decimals() {
        let d = Decimal::parse("-012.50").unwrap();
        assert_eq!(
            d.data_type(),
            DataType::Decimal {
                precision: 4,
                scale: 2
            }
        );
        assert!(Decimal::parse("1e5").is_err());
        assert!(Decimal::parse(".").is_err());
        let d = Decimal::with_precision("3.1", 18, 4).unwrap();
        match kind(d) {
            LiteralType::Decimal(d) => {
                assert_eq!((d.precision, d.scale), (Some(18), Some(4)));
                assert_eq!(d.value, "3.1");
            }
            other => panic!("{other:?}"),
        }
        assert!(Decimal::with_precision("123.45", 4, 2).is_err());
        assert!(Decimal::with_precision("1", 39, 0).is_err());
        // An array of decimals holds the widest integral part and the largest scale.
        let arr = vec![
            Decimal::parse("123.4").unwrap(),
            Decimal::parse("0.125").unwrap(),
        ]
        .into_literal();
        assert_eq!(arr.data_type().to_ddl(), "ARRAY<DECIMAL(6,3)>");
    }

    #[test]
    fn arrays_are_array_calls_over_element_columns() {
        let c = vec![Some("a"), None].into_literal().into_column();
        let (name, args) = call_of(&c);
        assert_eq!(name, "array");
        assert_eq!(args.len(), 2);
        // The null element is a typed null literal, not a default value.
        assert!(matches!(
            &args[1].expr_type,
            Some(ExprType::Literal(l)) if l.literal_type == Some(LiteralType::Null(DataType::String.to_proto()))
        ));
        let nested = vec![vec![1i32], vec![]].into_literal();
        assert_eq!(nested.data_type().to_ddl(), "ARRAY<ARRAY<INT>>");
        let c = nested.into_column();
        let (_, args) = call_of(&c);
        // The empty inner array is typed by a cast of array().
        assert!(matches!(&args[1].expr_type, Some(ExprType::Cast(_))));
    }

    #[test]
    fn maps_and_structs() {
        let m: BTreeMap<&str, Option<i64>> = [("a", Some(1)), ("b", None)].into();
        let l = m.into_literal();
        assert_eq!(l.data_type().to_ddl(), "MAP<STRING, BIGINT>");
        let c = l.clone().into_column();
        assert_eq!(call_of(&c).0, "map");
        assert_eq!(call_of(&c).1.len(), 4);
        let s = Literal::struct_([
            ("id", 1i64.into_literal()),
            ("tags", vec!["x"].into_literal()),
        ]);
        assert_eq!(
            s.data_type().to_ddl(),
            "STRUCT<id: BIGINT NOT NULL, tags: ARRAY<STRING> NOT NULL>"
        );
        let c = s.clone().into_column();
        let (name, args) = call_of(&c);
        assert_eq!((name, args.len()), ("struct", 2));
        assert!(matches!(&args[0].expr_type, Some(ExprType::Alias(a)) if a.name == ["id"]));
        // Without nulls a struct also has a protocol form.
        assert!(matches!(
            s.to_proto().unwrap().literal_type,
            Some(LiteralType::Struct(_))
        ));
    }

    #[test]
    #[allow(deprecated)]
    fn protocol_form_refuses_nulls_inside_containers() {
        match kind(vec!["a", "b"]) {
            LiteralType::Array(a) => {
                assert_eq!(a.elements.len(), 2);
                assert_eq!(a.element_type, Some(DataType::String.to_proto()));
            }
            other => panic!("{other:?}"),
        }
        let err = vec![Some(1i32), None]
            .into_literal()
            .to_proto()
            .unwrap_err();
        assert!(err.to_string().contains("holding a null"), "{err}");
        let m: HashMap<&str, Option<i32>> = [("k", None)].into();
        assert!(m.into_literal().to_proto().is_err());
        let s = Literal::struct_([("x", None::<i32>.into_literal())]);
        assert!(s.to_proto().is_err());
        // A null of a container type is fine: it is one typed null.
        assert!(None::<Vec<i32>>.into_literal().to_proto().is_ok());
    }
}
