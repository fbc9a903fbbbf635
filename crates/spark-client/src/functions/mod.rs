//! SQL functions, named like `pyspark.sql.functions` (snake_case), sent as PySpark sends them
//! (same function names and argument lists, so result columns get the same names).
//!
//! Column arguments take `impl Into<Column>`, so a `&str` is a column name (`sum("amount")`);
//! scalar parameters (patterns, formats, counts) are plain Rust values. Where PySpark has an
//! optional parameter, there is one function without it and one with it (`to_date(c)`,
//! `to_date_fmt(c, "dd/MM/yyyy")`) or an options type ([`TimeWindow`]). Anything missing here is
//! reachable with [`call_function`] or [`expr`].
//!
//! ```
//! use spark_client::functions::*;
//!
//! let per_hour = [
//!     window("ts", "1 hour").alias("w"),
//!     count(lit(1)).alias("n"),
//!     approx_count_distinct("user").alias("users"),
//! ];
//! let parsed = from_json(col("value").cast("string"), "id BIGINT, kind STRING", []);
//! let doubled = transform("amounts", |x| x * 2);
//! let total = aggregate("amounts", lit(0i64), |acc, x| acc + x);
//! ```
//!
//! The functions live in one file per group, all re-exported here: aggregate and window
//! functions, strings and binary, dates and times, collections (arrays, maps, structs, JSON,
//! higher-order functions with lambdas), math and conditionals.

mod aggregates;
mod collections;
mod datetime;
mod lambda;
mod math;
mod strings;

pub use aggregates::*;
pub use collections::*;
pub use datetime::*;
pub use math::*;
pub use strings::*;

use crate::column::{Column, IntoOperand};
use crate::dataframe::DataFrame;

/// A column by name (`"*"` for all columns, `"t.*"` for all columns of `t`).
pub fn col(name: &str) -> Column {
    Column::named(name)
}

/// Same as [`col`].
pub fn column(name: &str) -> Column {
    Column::named(name)
}

/// A literal (or a column, passed through). Arrays, maps and structs are built from their
/// elements, so nulls inside them survive (see [`Literal`](crate::types::Literal)).
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

/// Ascending sort order of a column by name.
pub fn asc(name: &str) -> Column {
    col(name).asc()
}

/// Descending sort order of a column by name.
pub fn desc(name: &str) -> Column {
    col(name).desc()
}

/// Marks `df` small enough to be sent to every executor in a join (`df.hint("broadcast")`).
pub fn broadcast(df: &DataFrame) -> DataFrame {
    df.hint("broadcast", [])
}

/// Functions whose arguments are all columns (or column names).
macro_rules! fns {
    ($($(#[$doc:meta])* $name:ident => $sql:literal ($($arg:ident),*);)*) => {$(
        $(#[$doc])*
        pub fn $name($($arg: impl Into<crate::column::Column>),*) -> crate::column::Column {
            crate::column::Column::call($sql, [$($arg.into()),*])
        }
    )*};
}

/// Functions without arguments.
macro_rules! nullary {
    ($($(#[$doc:meta])* $name:ident => $sql:literal;)*) => {$(
        $(#[$doc])*
        pub fn $name() -> crate::column::Column {
            crate::column::Column::call($sql, [])
        }
    )*};
}

/// Functions over any number of columns.
macro_rules! variadic {
    ($($(#[$doc:meta])* $name:ident => $sql:literal;)*) => {$(
        $(#[$doc])*
        pub fn $name<C: Into<crate::column::Column>>(
            cols: impl IntoIterator<Item = C>,
        ) -> crate::column::Column {
            crate::column::Column::call($sql, cols.into_iter().map(Into::into))
        }
    )*};
}

pub(crate) use {fns, nullary, variadic};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::StructType;
    use spark_connect_proto::expression::ExprType;

    pub(super) fn call_of(c: &Column) -> (String, usize, bool) {
        match &c.expr.expr_type {
            Some(ExprType::UnresolvedFunction(f)) => {
                (f.function_name.clone(), f.arguments.len(), f.is_distinct)
            }
            other => panic!("not a function: {other:?}"),
        }
    }

    #[test]
    fn window_arguments_follow_pyspark() {
        assert_eq!(call_of(&window("ts", "1 hour")).1, 2);
        let sliding = TimeWindow::new("1 hour").slide("10 minutes");
        assert_eq!(call_of(&window_with("ts", sliding)).1, 3);
        let offset = TimeWindow::new("1 hour").start_time("5 minutes");
        assert_eq!(call_of(&window_with("ts", offset)).1, 4);
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
    fn function_names_and_arguments_are_pysparks() {
        assert_eq!(call_of(&mean("x")).0, "avg");
        assert_eq!(call_of(&first("x")), ("first".into(), 2, false));
        assert_eq!(call_of(&struct_(["a", "b"])), ("struct".into(), 2, false));
        assert_eq!(call_of(&split("s", ",")).1, 3);
        assert_eq!(call_of(&date_trunc("hour", "ts")).0, "date_trunc");
        assert_eq!(call_of(&rand()).1, 0);
        assert_eq!(call_of(&rand_seeded(7)).1, 1);
        assert_eq!(call_of(&months_between("a", "b")).1, 3);
        assert_eq!(call_of(&to_date("s")).1, 1);
        assert_eq!(call_of(&to_date_fmt("s", "yyyy")).1, 2);
        assert_eq!(call_of(&percentile_approx("x", 0.5)).1, 3);
        assert_eq!(call_of(&sort_array("x")).1, 2);
        assert_eq!(call_of(&from_unixtime("x")).1, 2);
    }
}
