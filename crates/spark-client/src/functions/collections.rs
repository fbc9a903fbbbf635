//! Arrays, maps, structs, JSON, and higher-order functions over arrays and maps with Rust
//! closures as lambdas: `transform("xs", |x| x * 2)`, `aggregate("xs", lit(0i64), |acc, x| acc + x)`.

use super::lambda::{lambda1, lambda2, lambda3};
use super::{fns, lit, variadic};
use crate::column::{Column, IntoOperand};
use crate::types::StructType;

fns! {
    /// Number of elements of an array or map (-1 for null, Spark's legacy default).
    size => "size"(col);
    /// The keys of a map.
    map_keys => "map_keys"(col);
    /// The values of a map.
    map_values => "map_values"(col);
    /// The entries of a map as an array of `{key, value}` structs.
    map_entries => "map_entries"(col);
    /// A map from an array of keys and an array of values.
    map_from_arrays => "map_from_arrays"(keys, values);
    /// The distinct elements of an array.
    array_distinct => "array_distinct"(col);
    /// The largest element of an array.
    array_max => "array_max"(col);
    /// The smallest element of an array.
    array_min => "array_min"(col);
    /// The distinct elements of either array.
    array_union => "array_union"(col1, col2);
    /// The distinct elements of both arrays.
    array_intersect => "array_intersect"(col1, col2);
    /// The distinct elements of `col1` not in `col2`.
    array_except => "array_except"(col1, col2);
    /// An array of arrays flattened by one level.
    flatten => "flatten"(col);
    /// The integers (or dates/timestamps with an interval step) from `start` to `stop` inclusive.
    sequence => "sequence"(start, stop);
    /// Like [`sequence`] with a `step`.
    sequence_step => "sequence"(start, stop, step);
    /// One row per element of an array (or entry of a map).
    explode => "explode"(col);
    /// Like [`explode`] but keeps rows whose array is null or empty.
    explode_outer => "explode_outer"(col);
    /// Like [`explode`], with the element's position (columns `pos`, `col`).
    posexplode => "posexplode"(col);
    /// Like [`posexplode`] but keeps rows whose array is null or empty.
    posexplode_outer => "posexplode_outer"(col);
    /// One row per struct of an array of structs, one column per field.
    inline => "inline"(col);
}

variadic! {
    /// An array of the columns' values.
    array => "array";
    /// A struct of the columns (aliased columns name the fields). `struct` is a Rust keyword.
    struct_ => "struct";
    /// A map from alternating key and value columns.
    create_map => "map";
    /// An array of structs whose i-th element holds the i-th elements of every array.
    arrays_zip => "arrays_zip";
}

/// A struct from `(name, value)` pairs (`named_struct('a', x, 'b', y)` in SQL).
pub fn named_struct<S: Into<String>, C: Into<Column>>(
    fields: impl IntoIterator<Item = (S, C)>,
) -> Column {
    let args = fields
        .into_iter()
        .flat_map(|(name, value)| [lit(name.into()), value.into()]);
    Column::call("named_struct", args)
}

/// Whether the array contains `value`.
pub fn array_contains(col: impl Into<Column>, value: impl IntoOperand) -> Column {
    Column::call("array_contains", [col.into(), value.into_operand()])
}

/// 1-based position of `value` in the array (0 when absent).
pub fn array_position(col: impl Into<Column>, value: impl IntoOperand) -> Column {
    Column::call("array_position", [col.into(), value.into_operand()])
}

/// The array without the elements equal to `value`.
pub fn array_remove(col: impl Into<Column>, value: impl IntoOperand) -> Column {
    Column::call("array_remove", [col.into(), value.into_operand()])
}

/// An array of `count` copies of `col`.
pub fn array_repeat(col: impl Into<Column>, count: impl IntoOperand) -> Column {
    Column::call("array_repeat", [col.into(), count.into_operand()])
}

/// The element at 1-based `index` of an array (negative: from the end), or at key `index` of a
/// map; `element_at("m", "key")` looks up the string key.
pub fn element_at(col: impl Into<Column>, index: impl IntoOperand) -> Column {
    Column::call("element_at", [col.into(), index.into_operand()])
}

/// The elements joined with `delimiter`, nulls skipped.
pub fn array_join(col: impl Into<Column>, delimiter: &str) -> Column {
    Column::call("array_join", [col.into(), lit(delimiter)])
}

/// The elements joined with `delimiter`, nulls written as `null_replacement`.
pub fn array_join_nulls(col: impl Into<Column>, delimiter: &str, null_replacement: &str) -> Column {
    Column::call(
        "array_join",
        [col.into(), lit(delimiter), lit(null_replacement)],
    )
}

/// `length` elements from 1-based `start` (negative: from the end).
pub fn slice(col: impl Into<Column>, start: impl IntoOperand, length: impl IntoOperand) -> Column {
    Column::call(
        "slice",
        [col.into(), start.into_operand(), length.into_operand()],
    )
}

/// Sorts an array ascending, nulls first.
pub fn sort_array(col: impl Into<Column>) -> Column {
    Column::call("sort_array", [col.into(), lit(true)])
}

/// Sorts an array descending, nulls last.
pub fn sort_array_desc(col: impl Into<Column>) -> Column {
    Column::call("sort_array", [col.into(), lit(false)])
}

/// Sorts an array ascending, nulls last.
pub fn array_sort(col: impl Into<Column>) -> Column {
    Column::call("array_sort", [col.into()])
}

/// Sorts an array with `comparator(a, b)`, which returns a negative integer, 0 or a positive
/// integer as `a` sorts before, with or after `b`.
pub fn array_sort_by(
    col: impl Into<Column>,
    comparator: impl FnOnce(Column, Column) -> Column,
) -> Column {
    Column::call("array_sort", [col.into(), lambda2(comparator)])
}

/// Applies `f` to each element of an array.
pub fn transform(col: impl Into<Column>, f: impl FnOnce(Column) -> Column) -> Column {
    Column::call("transform", [col.into(), lambda1(f)])
}

/// Applies `f(element, index)` to each element of an array (0-based index).
pub fn transform_with_index(
    col: impl Into<Column>,
    f: impl FnOnce(Column, Column) -> Column,
) -> Column {
    Column::call("transform", [col.into(), lambda2(f)])
}

/// The elements for which `f` is true.
pub fn filter(col: impl Into<Column>, f: impl FnOnce(Column) -> Column) -> Column {
    Column::call("filter", [col.into(), lambda1(f)])
}

/// The elements for which `f(element, index)` is true.
pub fn filter_with_index(
    col: impl Into<Column>,
    f: impl FnOnce(Column, Column) -> Column,
) -> Column {
    Column::call("filter", [col.into(), lambda2(f)])
}

/// Whether `f` is true for some element.
pub fn exists(col: impl Into<Column>, f: impl FnOnce(Column) -> Column) -> Column {
    Column::call("exists", [col.into(), lambda1(f)])
}

/// Whether `f` is true for every element.
pub fn forall(col: impl Into<Column>, f: impl FnOnce(Column) -> Column) -> Column {
    Column::call("forall", [col.into(), lambda1(f)])
}

/// Folds an array: `merge(acc, element)` from `initial` (whose type is the result's).
pub fn aggregate(
    col: impl Into<Column>,
    initial: impl IntoOperand,
    merge: impl FnOnce(Column, Column) -> Column,
) -> Column {
    Column::call(
        "aggregate",
        [col.into(), initial.into_operand(), lambda2(merge)],
    )
}

/// Like [`aggregate`], then `finish(acc)` on the result.
pub fn aggregate_finish(
    col: impl Into<Column>,
    initial: impl IntoOperand,
    merge: impl FnOnce(Column, Column) -> Column,
    finish: impl FnOnce(Column) -> Column,
) -> Column {
    Column::call(
        "aggregate",
        [
            col.into(),
            initial.into_operand(),
            lambda2(merge),
            lambda1(finish),
        ],
    )
}

/// Combines two arrays element-wise with `f(left, right)` (the shorter is padded with nulls).
pub fn zip_with(
    left: impl Into<Column>,
    right: impl Into<Column>,
    f: impl FnOnce(Column, Column) -> Column,
) -> Column {
    Column::call("zip_with", [left.into(), right.into(), lambda2(f)])
}

/// The entries of a map for which `f(key, value)` is true.
pub fn map_filter(col: impl Into<Column>, f: impl FnOnce(Column, Column) -> Column) -> Column {
    Column::call("map_filter", [col.into(), lambda2(f)])
}

/// A map with keys `f(key, value)`.
pub fn transform_keys(col: impl Into<Column>, f: impl FnOnce(Column, Column) -> Column) -> Column {
    Column::call("transform_keys", [col.into(), lambda2(f)])
}

/// A map with values `f(key, value)`.
pub fn transform_values(
    col: impl Into<Column>,
    f: impl FnOnce(Column, Column) -> Column,
) -> Column {
    Column::call("transform_values", [col.into(), lambda2(f)])
}

/// Merges two maps by key with `f(key, value1, value2)`.
pub fn map_zip_with(
    col1: impl Into<Column>,
    col2: impl Into<Column>,
    f: impl FnOnce(Column, Column, Column) -> Column,
) -> Column {
    Column::call("map_zip_with", [col1.into(), col2.into(), lambda3(f)])
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

/// The DDL schema Spark infers for a JSON document, e.g. `STRUCT<a: BIGINT>`.
pub fn schema_of_json(json: &str) -> Column {
    Column::call("schema_of_json", [lit(json)])
}

/// The fields `fields` of a JSON object column, as columns `c0`, `c1`, ...
pub fn json_tuple<S: AsRef<str>>(
    col: impl Into<Column>,
    fields: impl IntoIterator<Item = S>,
) -> Column {
    Column::call(
        "json_tuple",
        std::iter::once(col.into()).chain(fields.into_iter().map(|f| lit(f.as_ref()))),
    )
}
