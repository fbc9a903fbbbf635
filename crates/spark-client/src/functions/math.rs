//! Math, null handling, conditionals, hashes and random numbers.

use super::{fns, lit, nullary, variadic};
use crate::column::Column;

fns! {
    /// Absolute value.
    abs => "abs"(col);
    /// Rounds down.
    floor => "floor"(col);
    /// Rounds up.
    ceil => "ceil"(col);
    /// -1, 0 or 1 as the value is negative, zero or positive.
    signum => "signum"(col);
    /// Square root.
    sqrt => "sqrt"(col);
    /// Cube root.
    cbrt => "cbrt"(col);
    /// e raised to the value.
    exp => "exp"(col);
    /// Natural logarithm.
    ln => "ln"(col);
    /// Base-10 logarithm.
    log10 => "log10"(col);
    /// Base-2 logarithm.
    log2 => "log2"(col);
    /// `base` raised to `exponent`.
    pow => "power"(base, exponent);
    /// Whether the value is null.
    isnull => "isnull"(col);
    /// Whether the value is NaN.
    isnan => "isnan"(col);
    /// Whether the value is not null.
    isnotnull => "isnotnull"(col);
    /// `col2` where `col1` is NaN, else `col1`.
    nanvl => "nanvl"(col1, col2);
    /// `col2` where `col1` is null, else `col1`.
    nvl => "nvl"(col1, col2);
    /// Same as [`nvl`].
    ifnull => "ifnull"(col1, col2);
    /// Null where `col1` equals `col2`, else `col1`.
    nullif => "nullif"(col1, col2);
}

variadic! {
    /// The first non-null value.
    coalesce => "coalesce";
    /// The largest value across columns (nulls skipped).
    greatest => "greatest";
    /// The smallest value across columns (nulls skipped).
    least => "least";
    /// A hash (murmur3, 32-bit) of the columns.
    hash => "hash";
    /// A hash (xxHash, 64-bit) of the columns.
    xxhash64 => "xxhash64";
}

nullary! {
    /// A unique, increasing (not consecutive) 64-bit id.
    monotonically_increasing_id => "monotonically_increasing_id";
    /// The id of the partition the row is in.
    spark_partition_id => "spark_partition_id";
    /// A uniformly random double in [0, 1), seeded by the server.
    rand => "rand";
    /// A standard normal random double, seeded by the server.
    randn => "randn";
}

/// Rounds half up to `scale` decimal places (negative: to tens, hundreds, ...).
pub fn round(col: impl Into<Column>, scale: i32) -> Column {
    Column::call("round", [col.into(), lit(scale)])
}

/// Rounds half to even ("banker's rounding") to `scale` decimal places.
pub fn bround(col: impl Into<Column>, scale: i32) -> Column {
    Column::call("bround", [col.into(), lit(scale)])
}

/// Logarithm of `col` in `base`.
pub fn log(base: f64, col: impl Into<Column>) -> Column {
    Column::call("log", [lit(base), col.into()])
}

/// A uniformly random double in [0, 1), reproducible with `seed`.
pub fn rand_seeded(seed: i64) -> Column {
    Column::call("rand", [lit(seed)])
}

/// A standard normal random double, reproducible with `seed`.
pub fn randn_seeded(seed: i64) -> Column {
    Column::call("randn", [lit(seed)])
}
