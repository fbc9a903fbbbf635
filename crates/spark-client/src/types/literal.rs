//! Literal values: every Rust value that can become a Spark literal implements [`IntoLiteral`].

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use spark_connect_proto as pb;
use spark_connect_proto::expression::literal::{self as lit, LiteralType};

use super::DataType;
use crate::errors::{Error, Result};

/// A typed literal value, ready to be sent to Spark.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal(pub(crate) pb::expression::Literal);

/// A decimal literal, kept as its exact decimal text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    value: String,
    precision: u8,
    scale: u8,
}

/// Conversion into a Spark literal.
///
/// Implemented for `bool`, the integer and float types, `&str`/`String`, `Vec<u8>`/`&[u8]` (binary),
/// [`Decimal`], `chrono::NaiveDate` (date), `chrono::DateTime<Utc>` (timestamp),
/// `chrono::NaiveDateTime` (timestamp_ntz), `Option<T>` (a typed null for `None`) and `Vec<T>` (array).
pub trait IntoLiteral {
    /// The literal.
    fn into_literal(self) -> Literal;
}

/// Rust types with a fixed Spark type: it types the `NULL` of an `Option::None` literal, and
/// `#[derive(SparkType)]` builds a struct's schema from its fields' impls.
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
///     "`sensor` STRING NOT NULL, `value_c` DOUBLE, `tags` ARRAY<STRING> NOT NULL"
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
        Literal::of(LiteralType::Null(data_type.to_proto()))
    }

    fn of(value: LiteralType) -> Literal {
        Literal(pb::expression::Literal {
            literal_type: Some(value),
            ..Default::default()
        })
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
        if parsed.scale > scale || parsed.precision - parsed.scale > precision - scale {
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
}

impl IntoLiteral for Decimal {
    fn into_literal(self) -> Literal {
        Literal::of(LiteralType::Decimal(lit::Decimal {
            value: self.value,
            precision: Some(i32::from(self.precision)),
            scale: Some(i32::from(self.scale)),
        }))
    }
}

macro_rules! simple_literal {
    ($($t:ty => $variant:ident as $conv:ty, $dt:expr;)*) => {$(
        impl IntoLiteral for $t {
            fn into_literal(self) -> Literal {
                Literal::of(LiteralType::$variant(<$conv>::from(self)))
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

impl IntoLiteral for &[u8] {
    fn into_literal(self) -> Literal {
        self.to_vec().into_literal()
    }
}

impl IntoLiteral for NaiveDate {
    fn into_literal(self) -> Literal {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch");
        let days = (self - epoch).num_days() as i32;
        Literal::of(LiteralType::Date(days))
    }
}

impl SparkType for NaiveDate {
    fn spark_type() -> DataType {
        DataType::Date
    }
}

impl<Tz: TimeZone> IntoLiteral for DateTime<Tz> {
    fn into_literal(self) -> Literal {
        Literal::of(LiteralType::Timestamp(self.timestamp_micros()))
    }
}

impl SparkType for DateTime<Utc> {
    fn spark_type() -> DataType {
        DataType::Timestamp
    }
}

impl IntoLiteral for NaiveDateTime {
    fn into_literal(self) -> Literal {
        Literal::of(LiteralType::TimestampNtz(self.and_utc().timestamp_micros()))
    }
}

impl SparkType for NaiveDateTime {
    fn spark_type() -> DataType {
        DataType::TimestampNtz
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

impl<T: IntoLiteral + SparkType> IntoLiteral for Vec<T> {
    #[allow(deprecated)] // 4.x moved the element type to `data_type`; 3.5 reads `element_type`.
    fn into_literal(self) -> Literal {
        Literal::of(LiteralType::Array(lit::Array {
            element_type: Some(T::spark_type().to_proto()),
            elements: self.into_iter().map(|v| v.into_literal().0).collect(),
        }))
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

impl<T: SparkType> SparkType for Option<T> {
    fn spark_type() -> DataType {
        T::spark_type()
    }

    fn nullable() -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(l: impl IntoLiteral) -> LiteralType {
        l.into_literal().0.literal_type.unwrap()
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
    }

    #[test]
    fn dates_and_timestamps() {
        let d = NaiveDate::from_ymd_opt(1970, 1, 11).unwrap();
        assert_eq!(kind(d), LiteralType::Date(10));
        let ts = Utc.timestamp_opt(1, 500_000_000).unwrap();
        assert_eq!(kind(ts), LiteralType::Timestamp(1_500_000));
        let ntz = d.and_hms_opt(0, 0, 1).unwrap();
        assert_eq!(
            kind(ntz),
            LiteralType::TimestampNtz(864_000_000_000 + 1_000_000)
        );
    }

    #[test]
    fn nulls_are_typed() {
        assert_eq!(
            kind(None::<i32>),
            LiteralType::Null(DataType::Integer.to_proto())
        );
        assert_eq!(kind(Some(3i32)), LiteralType::Integer(3));
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
    }

    #[test]
    #[allow(deprecated)]
    fn arrays() {
        match kind(vec!["a", "b"]) {
            LiteralType::Array(a) => {
                assert_eq!(a.elements.len(), 2);
                assert_eq!(a.element_type, Some(DataType::String.to_proto()));
            }
            other => panic!("{other:?}"),
        }
    }
}
