//! Aggregate functions (for `group_by().agg(..)` and windows) and ranking/offset window functions.

use super::{fns, lit, nullary, variadic};
use crate::column::{Column, IntoOperand};

fns! {
    /// Number of rows where `col` is not null (`count(lit(1))` counts all rows).
    count => "count"(col);
    /// Sum of the values.
    sum => "sum"(col);
    /// Average of the values.
    avg => "avg"(col);
    /// Same as [`avg`] (PySpark's `mean` sends `avg` too).
    mean => "avg"(col);
    /// Minimum value.
    min => "min"(col);
    /// Maximum value.
    max => "max"(col);
    /// Any value of the group.
    any_value => "any_value"(col);
    /// The values of the group as an array, with duplicates.
    collect_list => "collect_list"(col);
    /// The distinct values of the group as an array.
    collect_set => "collect_set"(col);
    /// Sample standard deviation.
    stddev => "stddev"(col);
    /// Sample standard deviation (same as [`stddev`]).
    stddev_samp => "stddev_samp"(col);
    /// Population standard deviation.
    stddev_pop => "stddev_pop"(col);
    /// Sample variance.
    variance => "variance"(col);
    /// Sample variance (same as [`variance`]).
    var_samp => "var_samp"(col);
    /// Population variance.
    var_pop => "var_pop"(col);
    /// Skewness of the values.
    skewness => "skewness"(col);
    /// Kurtosis of the values.
    kurtosis => "kurtosis"(col);
    /// Product of the values.
    product => "product"(col);
    /// The median (exact; Spark 3.4+).
    median => "median"(col);
    /// The most frequent value (Spark 3.4+).
    mode => "mode"(col);
    /// Number of rows for which the condition is true.
    count_if => "count_if"(col);
    /// Whether all values are true.
    bool_and => "bool_and"(col);
    /// Whether any value is true.
    bool_or => "bool_or"(col);
    /// Pearson correlation of two columns.
    corr => "corr"(col1, col2);
    /// Population covariance of two columns.
    covar_pop => "covar_pop"(col1, col2);
    /// Sample covariance of two columns.
    covar_samp => "covar_samp"(col1, col2);
    /// The value of `col` on the row where `ord` is largest.
    max_by => "max_by"(col, ord);
    /// The value of `col` on the row where `ord` is smallest.
    min_by => "min_by"(col, ord);
    /// 1 when `col` is aggregated away in a rollup/cube row, else 0.
    grouping => "grouping"(col);
}

variadic! {
    /// The grouping level of a rollup/cube row as a bit mask over `cols`.
    grouping_id => "grouping_id";
}

nullary! {
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
}

/// The first value in a group (nulls included; see [`first_ignore_nulls`]).
pub fn first(col: impl Into<Column>) -> Column {
    Column::call("first", [col.into(), lit(false)])
}

/// The first non-null value in a group.
pub fn first_ignore_nulls(col: impl Into<Column>) -> Column {
    Column::call("first", [col.into(), lit(true)])
}

/// The last value in a group (nulls included; see [`last_ignore_nulls`]).
pub fn last(col: impl Into<Column>) -> Column {
    Column::call("last", [col.into(), lit(false)])
}

/// The last non-null value in a group.
pub fn last_ignore_nulls(col: impl Into<Column>) -> Column {
    Column::call("last", [col.into(), lit(true)])
}

/// Number of distinct non-null combinations of `cols`.
pub fn count_distinct<C: Into<Column>>(cols: impl IntoIterator<Item = C>) -> Column {
    Column::call_with("count", cols.into_iter().map(Into::into), true)
}

/// Sum of the distinct values.
pub fn sum_distinct(col: impl Into<Column>) -> Column {
    Column::call_with("sum", [col.into()], true)
}

/// Approximate number of distinct values (HyperLogLog++, at most 5% relative error).
pub fn approx_count_distinct(col: impl Into<Column>) -> Column {
    Column::call("approx_count_distinct", [col.into()])
}

/// Like [`approx_count_distinct`] with the maximum relative error `rsd`.
pub fn approx_count_distinct_rsd(col: impl Into<Column>, rsd: f64) -> Column {
    Column::call("approx_count_distinct", [col.into(), lit(rsd)])
}

/// Approximate percentile (`percentage` in 0..1) of a numeric column, with PySpark's default
/// accuracy (10000).
pub fn percentile_approx(col: impl Into<Column>, percentage: f64) -> Column {
    percentile_approx_with_accuracy(col, percentage, 10_000)
}

/// Approximate percentile; larger `accuracy` is more exact and costs more memory.
pub fn percentile_approx_with_accuracy(
    col: impl Into<Column>,
    percentage: f64,
    accuracy: i32,
) -> Column {
    Column::call(
        "percentile_approx",
        [col.into(), lit(percentage), lit(accuracy)],
    )
}

/// Approximate percentiles at each of `percentages`, as an array.
pub fn percentiles_approx(
    col: impl Into<Column>,
    percentages: impl IntoIterator<Item = f64>,
    accuracy: i32,
) -> Column {
    let ps: Vec<f64> = percentages.into_iter().collect();
    Column::call("percentile_approx", [col.into(), lit(ps), lit(accuracy)])
}

/// Exact percentile (`percentage` in 0..1) of a numeric column.
pub fn percentile(col: impl Into<Column>, percentage: f64) -> Column {
    Column::call("percentile", [col.into(), lit(percentage), lit(1i32)])
}

/// Exact percentiles at each of `percentages`, as an array.
pub fn percentiles(col: impl Into<Column>, percentages: impl IntoIterator<Item = f64>) -> Column {
    let ps: Vec<f64> = percentages.into_iter().collect();
    Column::call("percentile", [col.into(), lit(ps), lit(1i32)])
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

/// The value of the `n`-th (1-based) row of the window frame.
pub fn nth_value(col: impl Into<Column>, n: i32) -> Column {
    Column::call("nth_value", [col.into(), lit(n)])
}

/// Splits the window partition into `n` buckets.
pub fn ntile(n: i32) -> Column {
    Column::call("ntile", [lit(n)])
}
