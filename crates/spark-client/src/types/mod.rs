//! Spark SQL data types, a [`StructType`] builder that renders DDL and JSON schemas, and literals.
//!
//! ```
//! use spark_client::types::{DataType, StructType};
//!
//! let schema = StructType::new()
//!     .field("id", DataType::Long, false)
//!     .field("tags", DataType::array(DataType::String), true)
//!     .field("amount", DataType::Decimal { precision: 10, scale: 2 }, true);
//! assert_eq!(schema.to_ddl(), "`id` BIGINT NOT NULL, `tags` ARRAY<STRING>, `amount` DECIMAL(10,2)");
//! ```

mod literal;

use serde_json::{json, Value};
use spark_connect_proto as pb;
use spark_connect_proto::data_type::Kind;

pub use literal::{Decimal, IntoLiteral, Literal, SparkType};

use crate::errors::{Error, Result};

/// A Spark SQL data type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DataType {
    /// `VOID`: the type of an untyped `NULL`.
    Null,
    /// `BOOLEAN`.
    Boolean,
    /// `TINYINT` (8-bit).
    Byte,
    /// `SMALLINT` (16-bit).
    Short,
    /// `INT` (32-bit).
    Integer,
    /// `BIGINT` (64-bit).
    Long,
    /// `FLOAT` (32-bit).
    Float,
    /// `DOUBLE` (64-bit).
    Double,
    /// `DECIMAL(precision, scale)`.
    Decimal {
        /// Total number of digits (at most 38).
        precision: u8,
        /// Digits after the point.
        scale: u8,
    },
    /// `STRING`.
    String,
    /// `CHAR(n)`.
    Char(u32),
    /// `VARCHAR(n)`.
    VarChar(u32),
    /// `BINARY`.
    Binary,
    /// `DATE`.
    Date,
    /// `TIMESTAMP` (with local time zone, microseconds).
    Timestamp,
    /// `TIMESTAMP_NTZ` (without time zone).
    TimestampNtz,
    /// `INTERVAL` (the legacy calendar interval).
    CalendarInterval,
    /// `INTERVAL YEAR TO MONTH`.
    YearMonthInterval,
    /// `INTERVAL DAY TO SECOND`.
    DayTimeInterval,
    /// `ARRAY<element>`.
    Array {
        /// The element type.
        element: Box<DataType>,
        /// Whether elements may be null.
        contains_null: bool,
    },
    /// `MAP<key, value>`.
    Map {
        /// The key type.
        key: Box<DataType>,
        /// The value type.
        value: Box<DataType>,
        /// Whether values may be null.
        value_contains_null: bool,
    },
    /// `STRUCT<...>`.
    Struct(StructType),
    /// A type this client does not model, in Spark's DDL spelling.
    Other(String),
}

/// One field of a [`StructType`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructField {
    /// The field name.
    pub name: String,
    /// The field type.
    pub data_type: DataType,
    /// Whether the field may be null.
    pub nullable: bool,
}

/// A struct type: an ordered list of fields. Also the type of a DataFrame's schema.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StructType {
    /// The fields, in order.
    pub fields: Vec<StructField>,
}

impl DataType {
    /// `ARRAY<element>` whose elements may be null.
    pub fn array(element: DataType) -> DataType {
        DataType::Array {
            element: Box::new(element),
            contains_null: true,
        }
    }

    /// `MAP<key, value>` whose values may be null.
    pub fn map(key: DataType, value: DataType) -> DataType {
        DataType::Map {
            key: Box::new(key),
            value: Box::new(value),
            value_contains_null: true,
        }
    }

    /// The same type with every nested field, element and value nullable (see
    /// [`StructType::as_nullable`]).
    pub fn as_nullable(&self) -> DataType {
        match self {
            DataType::Array { element, .. } => DataType::Array {
                element: Box::new(element.as_nullable()),
                contains_null: true,
            },
            DataType::Map { key, value, .. } => DataType::Map {
                key: key.clone(),
                value: Box::new(value.as_nullable()),
                value_contains_null: true,
            },
            DataType::Struct(s) => DataType::Struct(s.as_nullable()),
            other => other.clone(),
        }
    }

    /// The type in Spark SQL's DDL spelling, e.g. `ARRAY<STRUCT<`a`: BIGINT>>`.
    pub fn to_ddl(&self) -> String {
        match self {
            DataType::Null => "VOID".into(),
            DataType::Boolean => "BOOLEAN".into(),
            DataType::Byte => "TINYINT".into(),
            DataType::Short => "SMALLINT".into(),
            DataType::Integer => "INT".into(),
            DataType::Long => "BIGINT".into(),
            DataType::Float => "FLOAT".into(),
            DataType::Double => "DOUBLE".into(),
            DataType::Decimal { precision, scale } => format!("DECIMAL({precision},{scale})"),
            DataType::String => "STRING".into(),
            DataType::Char(n) => format!("CHAR({n})"),
            DataType::VarChar(n) => format!("VARCHAR({n})"),
            DataType::Binary => "BINARY".into(),
            DataType::Date => "DATE".into(),
            DataType::Timestamp => "TIMESTAMP".into(),
            DataType::TimestampNtz => "TIMESTAMP_NTZ".into(),
            DataType::CalendarInterval => "INTERVAL".into(),
            DataType::YearMonthInterval => "INTERVAL YEAR TO MONTH".into(),
            DataType::DayTimeInterval => "INTERVAL DAY TO SECOND".into(),
            DataType::Array { element, .. } => format!("ARRAY<{}>", element.to_ddl()),
            DataType::Map { key, value, .. } => {
                format!("MAP<{}, {}>", key.to_ddl(), value.to_ddl())
            }
            DataType::Struct(s) => {
                let fields: Vec<String> = s
                    .fields
                    .iter()
                    .map(|f| format!("{}: {}", quote_ident(&f.name), f.data_type.to_ddl()))
                    .collect();
                format!("STRUCT<{}>", fields.join(", "))
            }
            DataType::Other(ddl) => ddl.clone(),
        }
    }

    /// The type in Spark's JSON schema format (what `DataType.json()` prints in PySpark).
    pub fn to_json_value(&self) -> Value {
        match self {
            DataType::Array {
                element,
                contains_null,
            } => json!({
                "type": "array",
                "elementType": element.to_json_value(),
                "containsNull": contains_null,
            }),
            DataType::Map {
                key,
                value,
                value_contains_null,
            } => json!({
                "type": "map",
                "keyType": key.to_json_value(),
                "valueType": value.to_json_value(),
                "valueContainsNull": value_contains_null,
            }),
            DataType::Struct(s) => s.to_json_value(),
            other => Value::String(other.json_name()),
        }
    }

    fn json_name(&self) -> String {
        match self {
            DataType::Null => "void".into(),
            DataType::Boolean => "boolean".into(),
            DataType::Byte => "byte".into(),
            DataType::Short => "short".into(),
            DataType::Integer => "integer".into(),
            DataType::Long => "long".into(),
            DataType::Float => "float".into(),
            DataType::Double => "double".into(),
            DataType::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
            DataType::String => "string".into(),
            DataType::Char(n) => format!("char({n})"),
            DataType::VarChar(n) => format!("varchar({n})"),
            DataType::Binary => "binary".into(),
            DataType::Date => "date".into(),
            DataType::Timestamp => "timestamp".into(),
            DataType::TimestampNtz => "timestamp_ntz".into(),
            DataType::CalendarInterval => "interval".into(),
            DataType::YearMonthInterval => "interval year to month".into(),
            DataType::DayTimeInterval => "interval day to second".into(),
            other => other.to_ddl().to_lowercase(),
        }
    }

    /// The protocol form; only kinds Spark 3.5 knows are produced.
    pub(crate) fn to_proto(&self) -> pb::DataType {
        use pb::data_type as dt;
        let kind = match self {
            DataType::Null => Kind::Null(dt::Null::default()),
            DataType::Boolean => Kind::Boolean(dt::Boolean::default()),
            DataType::Byte => Kind::Byte(dt::Byte::default()),
            DataType::Short => Kind::Short(dt::Short::default()),
            DataType::Integer => Kind::Integer(dt::Integer::default()),
            DataType::Long => Kind::Long(dt::Long::default()),
            DataType::Float => Kind::Float(dt::Float::default()),
            DataType::Double => Kind::Double(dt::Double::default()),
            DataType::Decimal { precision, scale } => Kind::Decimal(dt::Decimal {
                scale: Some(i32::from(*scale)),
                precision: Some(i32::from(*precision)),
                type_variation_reference: 0,
            }),
            DataType::String => Kind::String(dt::String::default()),
            DataType::Char(n) => Kind::Char(dt::Char {
                length: *n as i32,
                type_variation_reference: 0,
            }),
            DataType::VarChar(n) => Kind::VarChar(dt::VarChar {
                length: *n as i32,
                type_variation_reference: 0,
            }),
            DataType::Binary => Kind::Binary(dt::Binary::default()),
            DataType::Date => Kind::Date(dt::Date::default()),
            DataType::Timestamp => Kind::Timestamp(dt::Timestamp::default()),
            DataType::TimestampNtz => Kind::TimestampNtz(dt::TimestampNtz::default()),
            DataType::CalendarInterval => Kind::CalendarInterval(dt::CalendarInterval::default()),
            DataType::YearMonthInterval => {
                Kind::YearMonthInterval(dt::YearMonthInterval::default())
            }
            DataType::DayTimeInterval => Kind::DayTimeInterval(dt::DayTimeInterval::default()),
            DataType::Array {
                element,
                contains_null,
            } => Kind::Array(Box::new(dt::Array {
                element_type: Some(Box::new(element.to_proto())),
                contains_null: *contains_null,
                type_variation_reference: 0,
            })),
            DataType::Map {
                key,
                value,
                value_contains_null,
            } => Kind::Map(Box::new(dt::Map {
                key_type: Some(Box::new(key.to_proto())),
                value_type: Some(Box::new(value.to_proto())),
                value_contains_null: *value_contains_null,
                type_variation_reference: 0,
            })),
            DataType::Struct(s) => Kind::Struct(s.to_proto_struct()),
            DataType::Other(ddl) => Kind::Unparsed(dt::Unparsed {
                data_type_string: ddl.clone(),
            }),
        };
        pb::DataType { kind: Some(kind) }
    }

    /// Converts the server's description of a type.
    pub(crate) fn from_proto(dt: &pb::DataType) -> Result<DataType> {
        let kind = dt
            .kind
            .as_ref()
            .ok_or_else(|| Error::protocol("DataType without a kind"))?;
        Ok(match kind {
            Kind::Null(_) => DataType::Null,
            Kind::Binary(_) => DataType::Binary,
            Kind::Boolean(_) => DataType::Boolean,
            Kind::Byte(_) => DataType::Byte,
            Kind::Short(_) => DataType::Short,
            Kind::Integer(_) => DataType::Integer,
            Kind::Long(_) => DataType::Long,
            Kind::Float(_) => DataType::Float,
            Kind::Double(_) => DataType::Double,
            Kind::Decimal(d) => DataType::Decimal {
                precision: d.precision.unwrap_or(10) as u8,
                scale: d.scale.unwrap_or(0) as u8,
            },
            Kind::String(_) => DataType::String,
            Kind::Char(c) => DataType::Char(c.length as u32),
            Kind::VarChar(c) => DataType::VarChar(c.length as u32),
            Kind::Date(_) => DataType::Date,
            Kind::Timestamp(_) => DataType::Timestamp,
            Kind::TimestampNtz(_) => DataType::TimestampNtz,
            Kind::CalendarInterval(_) => DataType::CalendarInterval,
            Kind::YearMonthInterval(_) => DataType::YearMonthInterval,
            Kind::DayTimeInterval(_) => DataType::DayTimeInterval,
            Kind::Array(a) => DataType::Array {
                element: Box::new(child(&a.element_type)?),
                contains_null: a.contains_null,
            },
            Kind::Map(m) => DataType::Map {
                key: Box::new(child(&m.key_type)?),
                value: Box::new(child(&m.value_type)?),
                value_contains_null: m.value_contains_null,
            },
            Kind::Struct(s) => DataType::Struct(StructType::from_proto_struct(s)?),
            Kind::Unparsed(u) => DataType::Other(u.data_type_string.clone()),
            Kind::Udt(u) => match &u.sql_type {
                Some(t) => DataType::from_proto(t)?,
                None => DataType::Other(u.r#type.clone()),
            },
            other => DataType::Other(format!("{other:?}")),
        })
    }
}

fn child(dt: &Option<Box<pb::DataType>>) -> Result<DataType> {
    match dt {
        Some(t) => DataType::from_proto(t),
        None => Err(Error::protocol("nested DataType missing")),
    }
}

impl std::fmt::Display for DataType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_ddl())
    }
}

impl StructType {
    /// The same type with every field, array element and map value nullable, at every depth (as
    /// Spark's `asNullable`): what `from_json` produces whatever the schema says, so a table
    /// written from parsed JSON has this schema.
    pub fn as_nullable(&self) -> StructType {
        StructType {
            fields: self
                .fields
                .iter()
                .map(|f| StructField {
                    name: f.name.clone(),
                    data_type: f.data_type.as_nullable(),
                    nullable: true,
                })
                .collect(),
        }
    }

    /// The schema of a Rust type that derives [`SparkType`] (`#[derive(spark_client::SparkType)]`).
    ///
    /// # Panics
    /// When `T`'s Spark type is not a struct (a scalar type has no schema).
    pub fn of<T: SparkType>() -> StructType {
        match T::spark_type() {
            DataType::Struct(schema) => schema,
            other => {
                panic!("StructType::of: the Spark type of this Rust type is {other}, not a struct")
            }
        }
    }

    /// An empty struct; add fields with [`field`](Self::field).
    pub fn new() -> StructType {
        StructType::default()
    }

    /// Appends a field.
    pub fn field(mut self, name: impl Into<String>, data_type: DataType, nullable: bool) -> Self {
        self.fields.push(StructField {
            name: name.into(),
            data_type,
            nullable,
        });
        self
    }

    /// The field names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.name.as_str()).collect()
    }

    /// The field called `name`, if any.
    pub fn get(&self, name: &str) -> Option<&StructField> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The schema as a DDL column list, e.g. ``"`id` BIGINT NOT NULL, `name` STRING"``, as accepted by
    /// `DataFrameReader::schema`, `from_json` and `CREATE TABLE`.
    pub fn to_ddl(&self) -> String {
        let cols: Vec<String> = self
            .fields
            .iter()
            .map(|f| {
                let null = if f.nullable { "" } else { " NOT NULL" };
                format!("{} {}{null}", quote_ident(&f.name), f.data_type.to_ddl())
            })
            .collect();
        cols.join(", ")
    }

    /// The schema in Spark's JSON format (`StructType.json()` in PySpark).
    pub fn to_json(&self) -> String {
        self.to_json_value().to_string()
    }

    fn to_json_value(&self) -> Value {
        let fields: Vec<Value> = self
            .fields
            .iter()
            .map(|f| {
                json!({
                    "name": f.name,
                    "type": f.data_type.to_json_value(),
                    "nullable": f.nullable,
                    "metadata": {},
                })
            })
            .collect();
        json!({ "type": "struct", "fields": fields })
    }

    fn to_proto_struct(&self) -> pb::data_type::Struct {
        pb::data_type::Struct {
            fields: self
                .fields
                .iter()
                .map(|f| pb::data_type::StructField {
                    name: f.name.clone(),
                    data_type: Some(f.data_type.to_proto()),
                    nullable: f.nullable,
                    metadata: None,
                })
                .collect(),
            type_variation_reference: 0,
        }
    }

    fn from_proto_struct(s: &pb::data_type::Struct) -> Result<StructType> {
        let fields = s
            .fields
            .iter()
            .map(|f| {
                let dt = f
                    .data_type
                    .as_ref()
                    .ok_or_else(|| Error::protocol("StructField without a type"))?;
                Ok(StructField {
                    name: f.name.clone(),
                    data_type: DataType::from_proto(dt)?,
                    nullable: f.nullable,
                })
            })
            .collect::<Result<_>>()?;
        Ok(StructType { fields })
    }

    /// Converts a schema sent by the server (a struct `DataType`).
    pub(crate) fn from_proto(dt: &pb::DataType) -> Result<StructType> {
        match DataType::from_proto(dt)? {
            DataType::Struct(s) => Ok(s),
            other => Err(Error::protocol(format!(
                "expected a struct schema, got {other}"
            ))),
        }
    }
}

impl From<StructType> for DataType {
    fn from(s: StructType) -> DataType {
        DataType::Struct(s)
    }
}

/// Quotes an identifier with backticks (doubling any backtick inside).
pub(crate) fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event_schema() -> StructType {
        StructType::new()
            .field("id", DataType::Long, false)
            .field("kind", DataType::String, true)
            .field(
                "payload",
                DataType::Struct(StructType::new().field("n", DataType::Integer, true)),
                true,
            )
            .field(
                "attrs",
                DataType::map(DataType::String, DataType::Double),
                true,
            )
    }

    #[test]
    fn renders_ddl() {
        assert_eq!(
            event_schema().to_ddl(),
            "`id` BIGINT NOT NULL, `kind` STRING, `payload` STRUCT<`n`: INT>, `attrs` MAP<STRING, DOUBLE>"
        );
        assert_eq!(quote_ident("we`ird"), "`we``ird`");
    }

    #[test]
    fn renders_json() {
        let v: Value = serde_json::from_str(&event_schema().to_json()).unwrap();
        assert_eq!(v["type"], "struct");
        assert_eq!(v["fields"][0]["type"], "long");
        assert_eq!(v["fields"][0]["nullable"], false);
        assert_eq!(v["fields"][2]["type"]["fields"][0]["type"], "integer");
        assert_eq!(v["fields"][3]["type"]["valueType"], "double");
        assert_eq!(
            DataType::Decimal {
                precision: 10,
                scale: 2
            }
            .to_json_value(),
            "decimal(10,2)"
        );
    }

    #[test]
    fn proto_round_trip() {
        let dt = DataType::Struct(event_schema());
        assert_eq!(DataType::from_proto(&dt.to_proto()).unwrap(), dt);
        let arr = DataType::array(DataType::Timestamp);
        assert_eq!(DataType::from_proto(&arr.to_proto()).unwrap(), arr);
    }
}
