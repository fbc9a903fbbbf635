//! Spark SQL data types, a [`StructType`] builder, and literals.
//!
//! Each type renders three ways, spelled exactly as Spark and PySpark spell them:
//! - [`DataType::to_ddl`] / [`StructType::to_ddl`]: Spark's SQL spelling (`DataType.sql`,
//!   `StructType.toDDL` in Scala), e.g. `ARRAY<STRUCT<id: BIGINT NOT NULL>>`;
//! - [`DataType::simple_string`]: PySpark's `simpleString()` (what `df.dtypes` shows), e.g.
//!   `array<struct<id:bigint>>`;
//! - [`DataType::to_json`]: PySpark's `json()` (sorted keys, compact, ASCII-escaped).
//!
//! ```
//! use spark_client::types::{DataType, StructType};
//!
//! let schema = StructType::new()
//!     .field("id", DataType::Long, false)
//!     .field("tags", DataType::array(DataType::String), true)
//!     .field("unit price", DataType::Decimal { precision: 10, scale: 2 }, true);
//! assert_eq!(schema.to_ddl(), "id BIGINT NOT NULL,tags ARRAY<STRING>,`unit price` DECIMAL(10,2)");
//! assert_eq!(
//!     DataType::from(schema).simple_string(),
//!     "struct<id:bigint,tags:array<string>,unit price:decimal(10,2)>"
//! );
//! ```

mod json;
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
    /// `INTERVAL` (the legacy calendar interval: months, days and microseconds).
    CalendarInterval,
    /// `INTERVAL YEAR TO MONTH` and its one-field forms `INTERVAL YEAR`, `INTERVAL MONTH`.
    YearMonthInterval {
        /// The leading field.
        start: YearMonthField,
        /// The trailing field (equal to `start` for a one-field interval).
        end: YearMonthField,
    },
    /// `INTERVAL DAY TO SECOND` and its narrower forms (`INTERVAL HOUR`, `INTERVAL DAY TO MINUTE`, ...).
    DayTimeInterval {
        /// The leading field.
        start: DayTimeField,
        /// The trailing field (equal to `start` for a one-field interval).
        end: DayTimeField,
    },
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

/// A field of a year-month interval type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum YearMonthField {
    /// `YEAR`.
    Year = 0,
    /// `MONTH`.
    Month = 1,
}

/// A field of a day-time interval type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DayTimeField {
    /// `DAY`.
    Day = 0,
    /// `HOUR`.
    Hour = 1,
    /// `MINUTE`.
    Minute = 2,
    /// `SECOND`.
    Second = 3,
}

impl YearMonthField {
    fn name(self) -> &'static str {
        match self {
            YearMonthField::Year => "year",
            YearMonthField::Month => "month",
        }
    }

    fn from_proto(v: Option<i32>, default: YearMonthField) -> YearMonthField {
        match v {
            Some(0) => YearMonthField::Year,
            Some(1) => YearMonthField::Month,
            _ => default,
        }
    }
}

impl DayTimeField {
    fn name(self) -> &'static str {
        match self {
            DayTimeField::Day => "day",
            DayTimeField::Hour => "hour",
            DayTimeField::Minute => "minute",
            DayTimeField::Second => "second",
        }
    }

    fn from_proto(v: Option<i32>, default: DayTimeField) -> DayTimeField {
        match v {
            Some(0) => DayTimeField::Day,
            Some(1) => DayTimeField::Hour,
            Some(2) => DayTimeField::Minute,
            Some(3) => DayTimeField::Second,
            _ => default,
        }
    }
}

/// `interval day`, `interval day to second`: Spark's lower-case interval spelling.
fn interval_name(start: &str, end: &str) -> String {
    if start == end {
        format!("interval {start}")
    } else {
        format!("interval {start} to {end}")
    }
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
    /// The field's metadata as a JSON object (e.g. a `comment`), as the server sent it; `None` for
    /// none.
    pub metadata: Option<String>,
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

    /// `INTERVAL DAY TO SECOND` (the type of a `chrono::TimeDelta` literal).
    pub fn day_time_interval() -> DataType {
        DataType::DayTimeInterval {
            start: DayTimeField::Day,
            end: DayTimeField::Second,
        }
    }

    /// `INTERVAL YEAR TO MONTH`.
    pub fn year_month_interval() -> DataType {
        DataType::YearMonthInterval {
            start: YearMonthField::Year,
            end: YearMonthField::Month,
        }
    }

    /// The type in Spark SQL's spelling (`DataType.sql` in Scala), e.g.
    /// `ARRAY<STRUCT<id: BIGINT NOT NULL, `a b`: STRING>>`.
    pub fn to_ddl(&self) -> String {
        match self {
            DataType::Array { element, .. } => format!("ARRAY<{}>", element.to_ddl()),
            DataType::Map { key, value, .. } => {
                format!("MAP<{}, {}>", key.to_ddl(), value.to_ddl())
            }
            DataType::Struct(s) => {
                let fields: Vec<String> = s
                    .fields
                    .iter()
                    .map(|f| {
                        format!(
                            "{}: {}{}{}",
                            quote_if_needed(&f.name),
                            f.data_type.to_ddl(),
                            if f.nullable { "" } else { " NOT NULL" },
                            f.ddl_comment()
                        )
                    })
                    .collect();
                format!("STRUCT<{}>", fields.join(", "))
            }
            DataType::Null => "VOID".into(),
            DataType::Other(ddl) => ddl.clone(),
            other => other.simple_string().to_uppercase(),
        }
    }

    /// PySpark's `simpleString()` of the type (`df.dtypes` shows it): `bigint`, `array<string>`,
    /// `map<string,int>`, `struct<a:int,b:string>`, `interval day to second`.
    pub fn simple_string(&self) -> String {
        match self {
            DataType::Null => "void".into(),
            DataType::Boolean => "boolean".into(),
            DataType::Byte => "tinyint".into(),
            DataType::Short => "smallint".into(),
            DataType::Integer => "int".into(),
            DataType::Long => "bigint".into(),
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
            DataType::YearMonthInterval { start, end } => interval_name(start.name(), end.name()),
            DataType::DayTimeInterval { start, end } => interval_name(start.name(), end.name()),
            DataType::Array { element, .. } => format!("array<{}>", element.simple_string()),
            DataType::Map { key, value, .. } => {
                format!("map<{},{}>", key.simple_string(), value.simple_string())
            }
            DataType::Struct(s) => {
                let fields: Vec<String> = s
                    .fields
                    .iter()
                    .map(|f| format!("{}:{}", f.name, f.data_type.simple_string()))
                    .collect();
                format!("struct<{}>", fields.join(","))
            }
            DataType::Other(ddl) => ddl.to_lowercase(),
        }
    }

    /// The type in PySpark's JSON form (`DataType.json()`): compact, keys sorted, non-ASCII
    /// characters escaped, e.g. `{"containsNull":true,"elementType":"long","type":"array"}`.
    pub fn to_json(&self) -> String {
        json::to_pyspark_json(&self.to_json_value())
    }

    /// The type as a JSON value (`DataType.jsonValue()` in PySpark).
    pub fn to_json_value(&self) -> Value {
        match self {
            DataType::Array {
                element,
                contains_null,
            } => json!({
                "containsNull": contains_null,
                "elementType": element.to_json_value(),
                "type": "array",
            }),
            DataType::Map {
                key,
                value,
                value_contains_null,
            } => json!({
                "keyType": key.to_json_value(),
                "type": "map",
                "valueContainsNull": value_contains_null,
                "valueType": value.to_json_value(),
            }),
            DataType::Struct(s) => s.to_json_value(),
            DataType::Byte => "byte".into(),
            DataType::Short => "short".into(),
            DataType::Integer => "integer".into(),
            DataType::Long => "long".into(),
            other => Value::String(other.simple_string()),
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
            DataType::YearMonthInterval { start, end } => {
                Kind::YearMonthInterval(dt::YearMonthInterval {
                    start_field: Some(*start as i32),
                    end_field: Some(*end as i32),
                    type_variation_reference: 0,
                })
            }
            DataType::DayTimeInterval { start, end } => {
                Kind::DayTimeInterval(dt::DayTimeInterval {
                    start_field: Some(*start as i32),
                    end_field: Some(*end as i32),
                    type_variation_reference: 0,
                })
            }
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
            Kind::YearMonthInterval(i) => {
                let start = YearMonthField::from_proto(i.start_field, YearMonthField::Year);
                DataType::YearMonthInterval {
                    start,
                    end: YearMonthField::from_proto(
                        i.end_field,
                        if i.start_field.is_some() {
                            start
                        } else {
                            YearMonthField::Month
                        },
                    ),
                }
            }
            Kind::DayTimeInterval(i) => {
                let start = DayTimeField::from_proto(i.start_field, DayTimeField::Day);
                DataType::DayTimeInterval {
                    start,
                    end: DayTimeField::from_proto(
                        i.end_field,
                        if i.start_field.is_some() {
                            start
                        } else {
                            DayTimeField::Second
                        },
                    ),
                }
            }
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

impl StructField {
    /// A field without metadata.
    pub fn new(name: impl Into<String>, data_type: DataType, nullable: bool) -> StructField {
        StructField {
            name: name.into(),
            data_type,
            nullable,
            metadata: None,
        }
    }

    /// The field's `comment` metadata, if any.
    pub fn comment(&self) -> Option<String> {
        let meta: Value = serde_json::from_str(self.metadata.as_deref()?).ok()?;
        meta.get("comment")?.as_str().map(str::to_string)
    }

    /// ` COMMENT '...'` for DDL, as Spark writes it (quotes and backslashes escaped).
    fn ddl_comment(&self) -> String {
        match self.comment() {
            Some(c) => format!(
                " COMMENT '{}'",
                c.replace('\\', "\\\\").replace('\'', "\\'")
            ),
            None => String::new(),
        }
    }

    /// `name TYPE [NOT NULL] [COMMENT '...']`, Spark's `StructField.toDDL`.
    pub fn to_ddl(&self) -> String {
        format!(
            "{} {}{}{}",
            quote_if_needed(&self.name),
            self.data_type.to_ddl(),
            if self.nullable { "" } else { " NOT NULL" },
            self.ddl_comment()
        )
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
                    metadata: f.metadata.clone(),
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
        self.fields
            .push(StructField::new(name, data_type, nullable));
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

    /// The schema as Spark's DDL column list (`StructType.toDDL`), e.g.
    /// ``"id BIGINT NOT NULL,`first name` STRING"``, as accepted by `DataFrameReader::schema`,
    /// `from_json` and `CREATE TABLE`.
    pub fn to_ddl(&self) -> String {
        let cols: Vec<String> = self.fields.iter().map(StructField::to_ddl).collect();
        cols.join(",")
    }

    /// PySpark's `simpleString()`: `struct<id:bigint,name:string>`.
    pub fn simple_string(&self) -> String {
        DataType::Struct(self.clone()).simple_string()
    }

    /// The schema in PySpark's JSON form (`StructType.json()`).
    pub fn to_json(&self) -> String {
        json::to_pyspark_json(&self.to_json_value())
    }

    fn to_json_value(&self) -> Value {
        let fields: Vec<Value> = self
            .fields
            .iter()
            .map(|f| {
                let metadata = f
                    .metadata
                    .as_deref()
                    .and_then(|m| serde_json::from_str(m).ok())
                    .unwrap_or_else(|| json!({}));
                json!({
                    "metadata": metadata,
                    "name": f.name,
                    "nullable": f.nullable,
                    "type": f.data_type.to_json_value(),
                })
            })
            .collect();
        json!({ "fields": fields, "type": "struct" })
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
                    metadata: f.metadata.clone(),
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
                    metadata: f.metadata.clone().filter(|m| !m.is_empty() && m != "{}"),
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

/// Spark's `quoteIfNeeded`: a name of letters, digits and `_` that is not all digits stays bare;
/// any other is backtick-quoted.
pub(crate) fn quote_if_needed(name: &str) -> String {
    let plain = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.chars().all(|c| c.is_ascii_digit());
    if plain {
        name.to_string()
    } else {
        quote_ident(name)
    }
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

    fn every_type() -> Vec<(DataType, &'static str, &'static str, &'static str)> {
        use DayTimeField as D;
        use YearMonthField as Y;
        // (type, Spark's sql, PySpark's simpleString, PySpark's json)
        vec![
            (DataType::Null, "VOID", "void", r#""void""#),
            (DataType::Boolean, "BOOLEAN", "boolean", r#""boolean""#),
            (DataType::Byte, "TINYINT", "tinyint", r#""byte""#),
            (DataType::Short, "SMALLINT", "smallint", r#""short""#),
            (DataType::Integer, "INT", "int", r#""integer""#),
            (DataType::Long, "BIGINT", "bigint", r#""long""#),
            (DataType::Float, "FLOAT", "float", r#""float""#),
            (DataType::Double, "DOUBLE", "double", r#""double""#),
            (
                DataType::Decimal {
                    precision: 38,
                    scale: 18,
                },
                "DECIMAL(38,18)",
                "decimal(38,18)",
                r#""decimal(38,18)""#,
            ),
            (DataType::String, "STRING", "string", r#""string""#),
            (DataType::Char(3), "CHAR(3)", "char(3)", r#""char(3)""#),
            (
                DataType::VarChar(9),
                "VARCHAR(9)",
                "varchar(9)",
                r#""varchar(9)""#,
            ),
            (DataType::Binary, "BINARY", "binary", r#""binary""#),
            (DataType::Date, "DATE", "date", r#""date""#),
            (
                DataType::Timestamp,
                "TIMESTAMP",
                "timestamp",
                r#""timestamp""#,
            ),
            (
                DataType::TimestampNtz,
                "TIMESTAMP_NTZ",
                "timestamp_ntz",
                r#""timestamp_ntz""#,
            ),
            (
                DataType::CalendarInterval,
                "INTERVAL",
                "interval",
                r#""interval""#,
            ),
            (
                DataType::year_month_interval(),
                "INTERVAL YEAR TO MONTH",
                "interval year to month",
                r#""interval year to month""#,
            ),
            (
                DataType::YearMonthInterval {
                    start: Y::Month,
                    end: Y::Month,
                },
                "INTERVAL MONTH",
                "interval month",
                r#""interval month""#,
            ),
            (
                DataType::day_time_interval(),
                "INTERVAL DAY TO SECOND",
                "interval day to second",
                r#""interval day to second""#,
            ),
            (
                DataType::DayTimeInterval {
                    start: D::Hour,
                    end: D::Minute,
                },
                "INTERVAL HOUR TO MINUTE",
                "interval hour to minute",
                r#""interval hour to minute""#,
            ),
            (
                DataType::array(DataType::Long),
                "ARRAY<BIGINT>",
                "array<bigint>",
                r#"{"containsNull":true,"elementType":"long","type":"array"}"#,
            ),
            (
                DataType::Map {
                    key: Box::new(DataType::String),
                    value: Box::new(DataType::Short),
                    value_contains_null: false,
                },
                "MAP<STRING, SMALLINT>",
                "map<string,smallint>",
                r#"{"keyType":"string","type":"map","valueContainsNull":false,"valueType":"short"}"#,
            ),
            (
                DataType::Struct(
                    StructType::new()
                        .field("a", DataType::Integer, false)
                        .field("b c", DataType::String, true)
                        .field("1", DataType::Date, true),
                ),
                "STRUCT<a: INT NOT NULL, `b c`: STRING, `1`: DATE>",
                "struct<a:int,b c:string,1:date>",
                concat!(
                    r#"{"fields":[{"metadata":{},"name":"a","nullable":false,"type":"integer"},"#,
                    r#"{"metadata":{},"name":"b c","nullable":true,"type":"string"},"#,
                    r#"{"metadata":{},"name":"1","nullable":true,"type":"date"}],"type":"struct"}"#
                ),
            ),
        ]
    }

    #[test]
    fn every_type_spelled_as_spark_and_pyspark_do() {
        for (dt, sql, simple, json) in every_type() {
            assert_eq!(dt.to_ddl(), sql, "{dt:?}");
            assert_eq!(dt.simple_string(), simple, "{dt:?}");
            assert_eq!(dt.to_json(), json, "{dt:?}");
            assert_eq!(DataType::from_proto(&dt.to_proto()).unwrap(), dt);
        }
    }

    #[test]
    fn renders_ddl() {
        assert_eq!(
            event_schema().to_ddl(),
            "id BIGINT NOT NULL,kind STRING,payload STRUCT<n: INT>,attrs MAP<STRING, DOUBLE>"
        );
        assert_eq!(quote_ident("we`ird"), "`we``ird`");
        assert_eq!(quote_if_needed("we`ird"), "`we``ird`");
        assert_eq!(quote_if_needed("a_1"), "a_1");
        assert_eq!(quote_if_needed("12"), "`12`");
        assert_eq!(quote_if_needed("é"), "`é`");
        let mut commented = StructField::new("x", DataType::Integer, true);
        commented.metadata = Some(r#"{"comment":"it's"}"#.into());
        assert_eq!(commented.to_ddl(), r"x INT COMMENT 'it\'s'");
    }

    #[test]
    fn renders_json_like_pyspark() {
        let v: Value = serde_json::from_str(&event_schema().to_json()).unwrap();
        assert_eq!(v["type"], "struct");
        assert_eq!(v["fields"][0]["type"], "long");
        assert_eq!(v["fields"][0]["nullable"], false);
        assert_eq!(v["fields"][2]["type"]["fields"][0]["type"], "integer");
        assert_eq!(v["fields"][3]["type"]["valueType"], "double");
        // Non-ASCII is escaped and metadata keys are sorted, as json.dumps(sort_keys=True) does.
        let mut f = StructField::new("naïve", DataType::String, true);
        f.metadata = Some(r#"{"z":1,"comment":"ü"}"#.into());
        let s = StructType { fields: vec![f] };
        assert_eq!(
            s.to_json(),
            r#"{"fields":[{"metadata":{"comment":"\u00fc","z":1},"name":"na\u00efve","nullable":true,"type":"string"}],"type":"struct"}"#
        );
    }

    #[test]
    fn intervals_default_their_fields_like_pyspark() {
        let bare = pb::DataType {
            kind: Some(Kind::DayTimeInterval(Default::default())),
        };
        assert_eq!(
            DataType::from_proto(&bare).unwrap(),
            DataType::day_time_interval()
        );
        let hour = pb::DataType {
            kind: Some(Kind::DayTimeInterval(pb::data_type::DayTimeInterval {
                start_field: Some(1),
                end_field: None,
                type_variation_reference: 0,
            })),
        };
        assert_eq!(
            DataType::from_proto(&hour).unwrap().simple_string(),
            "interval hour"
        );
    }
}
