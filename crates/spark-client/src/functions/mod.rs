//! SQL functions, named like `pyspark.sql.functions` (snake_case).
//!
//! Column arguments take `impl Into<Column>`, so a `&str` is a column name (`sum("amount")`);
//! scalar parameters (patterns, formats, counts) are plain Rust values. Anything missing here is
//! reachable with [`call_function`] or [`expr`].
//!
//! ```
//! use spark_client::functions::*;
//!
//! let per_hour = [
//!     window("ts", "1 hour", None, None).alias("w"),
//!     count(lit(1)).alias("n"),
//!     approx_count_distinct("user", None).alias("users"),
//! ];
//! let parsed = from_json(col("value").cast("string"), "id BIGINT, kind STRING", []);
//! ```

use crate::column::{Column, IntoOperand};
use crate::types::StructType;

/// A column by name (`"*"` for all columns, `"t.*"` for all columns of `t`).
pub fn col(name: &str) -> Column {
    Column::named(name)
}

/// Same as [`col`].
pub fn column(name: &str) -> Column {
    Column::named(name)
}

/// A literal (or a column, passed through).
pub fn lit(value: impl IntoOperand) -> Column {
    value.into_operand()
}

/// A SQL expression parsed by the server, e.g. `expr("amount * 2 AS double")`.
pub fn expr(sql: &str) -> Column {
    Column::sql_expr(sql)
}

/// Calls any SQL function by name, e.g. `call_function("levenshtein", [col("a"), col("b")])`.
pub fn call_function<C: Into<Column>>(name: &str, args: impl IntoIterator<Item = C>) -> Column {
    Column::call(name, args.into_iter().map(Into::into))
}

/// Starts a `CASE WHEN` chain; continue with [`Column::when`] and close with [`Column::otherwise`].
pub fn when(condition: Column, value: impl IntoOperand) -> Column {
    Column::call("when", [condition, value.into_operand()])
}

macro_rules! fns {
    ($($(#[$doc:meta])* $name:ident => $sql:literal ($($arg:ident),*);)*) => {$(
        $(#[$doc])*
        pub fn $name($($arg: impl Into<Column>),*) -> Column {
            Column::call($sql, [$($arg.into()),*])
        }
    )*};
}

fns! {
    /// Number of rows where `col` is not null (`count(lit(1))` counts all rows).
    count => "count"(col);
    /// Sum of the values.
    sum => "sum"(col);
    /// Average of the values.
    avg => "avg"(col);
    /// Same as [`avg`].
    mean => "avg"(col);
    /// Minimum value.
    min => "min"(col);
    /// Maximum value.
    max => "max"(col);
    /// The first value in a group.
    first => "first"(col);
    /// The last value in a group.
    last => "last"(col);
    /// Any value of the group.
    any_value => "any_value"(col);
    /// The values of the group as an array, with duplicates.
    collect_list => "collect_list"(col);
    /// The distinct values of the group as an array.
    collect_set => "collect_set"(col);
    /// Sample standard deviation.
    stddev => "stddev"(col);
    /// Sample variance.
    variance => "variance"(col);
    /// Number of rows for which the condition is true.
    count_if => "count_if"(col);
    /// Whether all values are true.
    bool_and => "bool_and"(col);
    /// Whether any value is true.
    bool_or => "bool_or"(col);
    /// One row per element of an array (or entry of a map).
    explode => "explode"(col);
    /// Like [`explode`] but keeps rows whose array is null or empty.
    explode_outer => "explode_outer"(col);
    /// Like [`explode`], with the element's position.
    posexplode => "posexplode"(col);
    /// Lower-case.
    lower => "lower"(col);
    /// Upper-case.
    upper => "upper"(col);
    /// Strips leading and trailing spaces.
    trim => "trim"(col);
    /// Strips leading spaces.
    ltrim => "ltrim"(col);
    /// Strips trailing spaces.
    rtrim => "rtrim"(col);
    /// Capitalises each word.
    initcap => "initcap"(col);
    /// Length in characters (strings) or bytes (binary).
    length => "length"(col);
    /// Number of elements of an array or map.
    size => "size"(col);
    /// Hour of a timestamp (0-23).
    hour => "hour"(col);
    /// Minute of a timestamp.
    minute => "minute"(col);
    /// Second of a timestamp.
    second => "second"(col);
    /// Day of the week, 1 = Sunday .. 7 = Saturday.
    dayofweek => "dayofweek"(col);
    /// Day of the month.
    dayofmonth => "dayofmonth"(col);
    /// Day of the year.
    dayofyear => "dayofyear"(col);
    /// Month (1-12).
    month => "month"(col);
    /// Year.
    year => "year"(col);
    /// Seconds since the epoch of a timestamp.
    unix_timestamp => "unix_timestamp"(col);
    /// Absolute value.
    abs => "abs"(col);
    /// Rounds down.
    floor => "floor"(col);
    /// Rounds up.
    ceil => "ceil"(col);
    /// Square root.
    sqrt => "sqrt"(col);
    /// e raised to the value.
    exp => "exp"(col);
    /// Natural logarithm.
    ln => "ln"(col);
    /// `base` raised to `exponent`.
    pow => "power"(base, exponent);
    /// MD5 digest as hex.
    md5 => "md5"(col);
    /// Whether the value is null.
    isnull => "isnull"(col);
    /// Whether the value is NaN.
    isnan => "isnan"(col);
    /// Whether the value is not null.
    isnotnull => "isnotnull"(col);
    /// The keys of a map.
    map_keys => "map_keys"(col);
    /// The values of a map.
    map_values => "map_values"(col);
    /// The distinct elements of an array.
    array_distinct => "array_distinct"(col);
    /// The element at 1-based index `index` of an array, or at key `index` of a map.
    element_at => "element_at"(col, index);
    /// Number of days from `start` to `end`.
    datediff => "datediff"(end, start);
    /// Extracts a JSON value by path, e.g. `get_json_object("value", lit("$.id"))`.
    get_json_object => "get_json_object"(col, path);
}

macro_rules! nullary {
    ($($(#[$doc:meta])* $name:ident => $sql:literal;)*) => {$(
        $(#[$doc])*
        pub fn $name() -> Column {
            Column::call($sql, [])
        }
    )*};
}

nullary! {
    /// The time at the start of query evaluation.
    current_timestamp => "current_timestamp";
    /// The date at the start of query evaluation.
    current_date => "current_date";
    /// 1-based position of the row in its window partition.
    row_number => "row_number";
    /// Rank with gaps.
    rank => "rank";
    /// Rank without gaps.
    dense_rank => "dense_rank";
    /// Relative rank (0..1).
    percent_rank => "percent_rank";
    /// Cumulative distribution.
    cume_dist => "cume_dist";
    /// A unique, increasing (not consecutive) 64-bit id.
    monotonically_increasing_id => "monotonically_increasing_id";
}

fn cols<C: Into<Column>>(cols: impl IntoIterator<Item = C>) -> Vec<Column> {
    cols.into_iter().map(Into::into).collect()
}

/// Number of distinct non-null combinations of `cols`.
pub fn count_distinct<C: Into<Column>>(cols_: impl IntoIterator<Item = C>) -> Column {
    Column::call_with("count", cols(cols_), true)
}

/// Sum of the distinct values.
pub fn sum_distinct(col: impl Into<Column>) -> Column {
    Column::call_with("sum", [col.into()], true)
}

/// Approximate number of distinct values (HyperLogLog++); `rsd` is the maximum relative error
/// (default 0.05).
pub fn approx_count_distinct(col: impl Into<Column>, rsd: Option<f64>) -> Column {
    let mut args = vec![col.into()];
    args.extend(rsd.map(lit));
    Column::call("approx_count_distinct", args)
}

/// Approximate percentile (0..1) of a numeric column.
pub fn percentile_approx(col: impl Into<Column>, percentage: f64, accuracy: i64) -> Column {
    Column::call(
        "percentile_approx",
        [col.into(), lit(percentage), lit(accuracy)],
    )
}

/// The first non-null value.
pub fn coalesce<C: Into<Column>>(cols_: impl IntoIterator<Item = C>) -> Column {
    Column::call("coalesce", cols(cols_))
}

/// The largest value across columns.
pub fn greatest<C: Into<Column>>(cols_: impl IntoIterator<Item = C>) -> Column {
    Column::call("greatest", cols(cols_))
}

/// The smallest value across columns.
pub fn least<C: Into<Column>>(cols_: impl IntoIterator<Item = C>) -> Column {
    Column::call("least", cols(cols_))
}

/// Concatenates strings (or arrays).
pub fn concat<C: Into<Column>>(cols_: impl IntoIterator<Item = C>) -> Column {
    Column::call("concat", cols(cols_))
}

/// Concatenates strings with a separator, skipping nulls.
pub fn concat_ws<C: Into<Column>>(sep: &str, cols_: impl IntoIterator<Item = C>) -> Column {
    Column::call("concat_ws", std::iter::once(lit(sep)).chain(cols(cols_)))
}

/// An array of the columns' values.
pub fn array<C: Into<Column>>(cols_: impl IntoIterator<Item = C>) -> Column {
    Column::call("array", cols(cols_))
}

/// A struct of the columns (aliased columns name the fields). `struct` is a Rust keyword.
pub fn struct_<C: Into<Column>>(cols_: impl IntoIterator<Item = C>) -> Column {
    Column::call("struct", cols(cols_))
}

/// A map from alternating key and value columns.
pub fn create_map<C: Into<Column>>(cols_: impl IntoIterator<Item = C>) -> Column {
    Column::call("map", cols(cols_))
}

/// A hash (murmur3) of the columns.
pub fn hash<C: Into<Column>>(cols_: impl IntoIterator<Item = C>) -> Column {
    Column::call("hash", cols(cols_))
}

/// Whether the array contains `value`.
pub fn array_contains(col: impl Into<Column>, value: impl IntoOperand) -> Column {
    Column::call("array_contains", [col.into(), value.into_operand()])
}

/// Sorts an array.
pub fn sort_array(col: impl Into<Column>, asc: bool) -> Column {
    Column::call("sort_array", [col.into(), lit(asc)])
}

/// Splits a string around matches of a Java regex; `limit` <= 0 means no limit.
pub fn split(col: impl Into<Column>, pattern: &str, limit: Option<i32>) -> Column {
    Column::call(
        "split",
        [col.into(), lit(pattern), lit(limit.unwrap_or(-1))],
    )
}

/// Group `idx` of the first match of a Java regex (`""` when it does not match).
pub fn regexp_extract(col: impl Into<Column>, pattern: &str, idx: i32) -> Column {
    Column::call("regexp_extract", [col.into(), lit(pattern), lit(idx)])
}

/// Replaces all matches of a Java regex.
pub fn regexp_replace(col: impl Into<Column>, pattern: &str, replacement: &str) -> Column {
    Column::call(
        "regexp_replace",
        [col.into(), lit(pattern), lit(replacement)],
    )
}

/// The substring of `len` characters starting at 1-based `pos`.
pub fn substring(col: impl Into<Column>, pos: i32, len: i32) -> Column {
    Column::call("substring", [col.into(), lit(pos), lit(len)])
}

/// The substring before the `count`-th occurrence of `delim` (after it, counting from the right,
/// when `count` is negative).
pub fn substring_index(col: impl Into<Column>, delim: &str, count: i32) -> Column {
    Column::call("substring_index", [col.into(), lit(delim), lit(count)])
}

/// Left-pads a string to `len` characters with `pad`.
pub fn lpad(col: impl Into<Column>, len: i32, pad: &str) -> Column {
    Column::call("lpad", [col.into(), lit(len), lit(pad)])
}

/// Right-pads a string to `len` characters with `pad`.
pub fn rpad(col: impl Into<Column>, len: i32, pad: &str) -> Column {
    Column::call("rpad", [col.into(), lit(len), lit(pad)])
}

/// Rounds to `scale` decimal places (HALF_UP).
pub fn round(col: impl Into<Column>, scale: i32) -> Column {
    Column::call("round", [col.into(), lit(scale)])
}

/// SHA-2 digest as hex; `bits` is 224, 256, 384 or 512.
pub fn sha2(col: impl Into<Column>, bits: i32) -> Column {
    Column::call("sha2", [col.into(), lit(bits)])
}

/// `printf`-style formatting.
pub fn format_string<C: Into<Column>>(format: &str, cols_: impl IntoIterator<Item = C>) -> Column {
    Column::call(
        "format_string",
        std::iter::once(lit(format)).chain(cols(cols_)),
    )
}

/// Truncates a timestamp to a unit: `"year"`, `"month"`, `"week"`, `"day"`, `"hour"`, `"minute"`, ...
pub fn date_trunc(format: &str, col: impl Into<Column>) -> Column {
    Column::call("date_trunc", [lit(format), col.into()])
}

/// Formats a date or timestamp with a datetime pattern, e.g. `"yyyy-MM-dd"`.
pub fn date_format(col: impl Into<Column>, format: &str) -> Column {
    Column::call("date_format", [col.into(), lit(format)])
}

/// Parses or converts to a date; `format` is a datetime pattern (default ISO).
pub fn to_date(col: impl Into<Column>, format: Option<&str>) -> Column {
    let mut args = vec![col.into()];
    args.extend(format.map(lit));
    Column::call("to_date", args)
}

/// Parses or converts to a timestamp; `format` is a datetime pattern (default ISO).
pub fn to_timestamp(col: impl Into<Column>, format: Option<&str>) -> Column {
    let mut args = vec![col.into()];
    args.extend(format.map(lit));
    Column::call("to_timestamp", args)
}

/// Formats seconds since the epoch (default pattern `yyyy-MM-dd HH:mm:ss`).
pub fn from_unixtime(col: impl Into<Column>, format: Option<&str>) -> Column {
    let format = format.unwrap_or("yyyy-MM-dd HH:mm:ss");
    Column::call("from_unixtime", [col.into(), lit(format)])
}

/// The date `days` days after `start`.
pub fn date_add(start: impl Into<Column>, days: impl IntoOperand) -> Column {
    Column::call("date_add", [start.into(), days.into_operand()])
}

/// The date `days` days before `start`.
pub fn date_sub(start: impl Into<Column>, days: impl IntoOperand) -> Column {
    Column::call("date_sub", [start.into(), days.into_operand()])
}

/// Tumbling (or, with `slide`, sliding) event-time windows: a struct column with `start` and `end`.
/// Durations are interval strings such as `"1 hour"` or `"10 minutes"`.
pub fn window(
    time_col: impl Into<Column>,
    duration: &str,
    slide: Option<&str>,
    start_time: Option<&str>,
) -> Column {
    // PySpark's rule: the slide defaults to the duration when only a start time is given.
    let mut args = vec![time_col.into(), lit(duration)];
    match (slide, start_time) {
        (Some(s), Some(t)) => args.extend([lit(s), lit(t)]),
        (Some(s), None) => args.push(lit(s)),
        (None, Some(t)) => args.extend([lit(duration), lit(t)]),
        (None, None) => {}
    }
    Column::call("window", args)
}

/// Session windows that close after `gap` of inactivity, e.g. `"30 minutes"`.
pub fn session_window(time_col: impl Into<Column>, gap: &str) -> Column {
    Column::call("session_window", [time_col.into(), lit(gap)])
}

/// A schema argument for [`from_json`]: a [`StructType`] or a DDL string such as
/// `"id BIGINT, kind STRING"`.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonSchema {
    /// A typed schema, sent in Spark's JSON format.
    Struct(StructType),
    /// A DDL (or JSON) schema string, parsed by the server.
    Ddl(String),
}

impl JsonSchema {
    /// The schema as a DDL string (what readers send as their schema).
    pub(crate) fn into_ddl(self) -> String {
        match self {
            JsonSchema::Struct(s) => s.to_ddl(),
            JsonSchema::Ddl(s) => s,
        }
    }
}

impl From<StructType> for JsonSchema {
    fn from(s: StructType) -> JsonSchema {
        JsonSchema::Struct(s)
    }
}

impl From<&str> for JsonSchema {
    fn from(s: &str) -> JsonSchema {
        JsonSchema::Ddl(s.to_string())
    }
}

impl From<String> for JsonSchema {
    fn from(s: String) -> JsonSchema {
        JsonSchema::Ddl(s)
    }
}

fn options_map<'a>(options: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Column> {
    let pairs: Vec<Column> = options
        .into_iter()
        .flat_map(|(k, v)| [lit(k), lit(v)])
        .collect();
    (!pairs.is_empty()).then(|| Column::call("map", pairs))
}

/// Parses a JSON string column into a struct with `schema` (a [`StructType`] or a DDL string);
/// `options` are JSON data source options, e.g. `[("mode", "FAILFAST")]`, or `[]`.
pub fn from_json<'a>(
    col: impl Into<Column>,
    schema: impl Into<JsonSchema>,
    options: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Column {
    let schema = match schema.into() {
        JsonSchema::Struct(s) => s.to_json(),
        JsonSchema::Ddl(s) => s,
    };
    let mut args = vec![col.into(), lit(schema)];
    args.extend(options_map(options));
    Column::call("from_json", args)
}

/// Serialises a struct, map or array column to a JSON string; `options` as for [`from_json`].
pub fn to_json<'a>(
    col: impl Into<Column>,
    options: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Column {
    let mut args = vec![col.into()];
    args.extend(options_map(options));
    Column::call("to_json", args)
}

/// The value `offset` rows before the current one in the window (null when there is none).
pub fn lag(col: impl Into<Column>, offset: i32) -> Column {
    Column::call("lag", [col.into(), lit(offset)])
}

/// Like [`lag`], with a value for rows that have no predecessor.
pub fn lag_or(col: impl Into<Column>, offset: i32, default: impl IntoOperand) -> Column {
    Column::call("lag", [col.into(), lit(offset), default.into_operand()])
}

/// The value `offset` rows after the current one in the window (null when there is none).
pub fn lead(col: impl Into<Column>, offset: i32) -> Column {
    Column::call("lead", [col.into(), lit(offset)])
}

/// Like [`lead`], with a value for rows that have no successor.
pub fn lead_or(col: impl Into<Column>, offset: i32, default: impl IntoOperand) -> Column {
    Column::call("lead", [col.into(), lit(offset), default.into_operand()])
}

/// Splits the window partition into `n` buckets.
pub fn ntile(n: i32) -> Column {
    Column::call("ntile", [lit(n)])
}

/// A uniformly random double in [0, 1).
pub fn rand(seed: Option<i64>) -> Column {
    Column::call("rand", seed.map(lit))
}

/// Ascending sort order of a column by name.
pub fn asc(name: &str) -> Column {
    col(name).asc()
}

/// Descending sort order of a column by name.
pub fn desc(name: &str) -> Column {
    col(name).desc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use spark_connect_proto::expression::ExprType;

    fn call_of(c: &Column) -> (String, usize, bool) {
        match &c.expr.expr_type {
            Some(ExprType::UnresolvedFunction(f)) => {
                (f.function_name.clone(), f.arguments.len(), f.is_distinct)
            }
            other => panic!("not a function: {other:?}"),
        }
    }

    #[test]
    fn window_arguments_follow_pyspark() {
        assert_eq!(call_of(&window("ts", "1 hour", None, None)).1, 2);
        assert_eq!(
            call_of(&window("ts", "1 hour", Some("10 minutes"), None)).1,
            3
        );
        assert_eq!(
            call_of(&window("ts", "1 hour", None, Some("5 minutes"))).1,
            4
        );
    }

    #[test]
    fn distinct_and_options() {
        assert_eq!(
            call_of(&count_distinct(["a", "b"])),
            ("count".into(), 2, true)
        );
        assert_eq!(call_of(&from_json("v", "a INT", [])).1, 2);
        let c = from_json("v", StructType::new(), [("mode", "FAILFAST")]);
        assert_eq!(call_of(&c).1, 3);
        assert_eq!(call_of(&to_json("s", [])), ("to_json".into(), 1, false));
    }

    #[test]
    fn function_names() {
        assert_eq!(call_of(&mean("x")).0, "avg");
        assert_eq!(call_of(&struct_(["a", "b"])), ("struct".into(), 2, false));
        assert_eq!(call_of(&split("s", ",", None)).1, 3);
        assert_eq!(call_of(&date_trunc("hour", "ts")).0, "date_trunc");
        assert_eq!(call_of(&rand(None)).1, 0);
    }
}
