//! [`Column`]: an unresolved expression, built client-side and resolved by the server.
//!
//! Two conversions matter when passing arguments:
//! - where PySpark accepts "a column or a column name" (`select`, `group_by`, function arguments),
//!   Rust takes `impl Into<Column>`: a `&str` is a **column name** (`"*"` and `"t.*"` are stars);
//! - where PySpark accepts "a column or a literal" (comparison and arithmetic operands, `when`
//!   values, `is_in`), Rust takes `impl IntoOperand`: a `&str` is a **string literal**.
//!
//! ```
//! use spark_client::functions::{col, lit, when};
//!
//! let adult = col("age").ge(18).and(col("country").eq("PT"));
//! let label = when(adult, "adult").otherwise("minor").alias("label");
//! let total = (col("price") * col("qty") + 1).alias("total");
//! ```

use std::ops;

use spark_connect_proto as pb;
use spark_connect_proto::expression::{self as ex, ExprType};

use crate::types::{DataType, IntoLiteral};
use crate::window::WindowSpec;

/// An expression over the columns of a DataFrame.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub(crate) expr: pb::Expression,
}

/// A value usable where PySpark accepts "a column or a literal": a [`Column`] is used as is, any
/// other [`IntoLiteral`] value (including `&str`) becomes a literal.
pub trait IntoOperand {
    /// The column (or literal column).
    fn into_operand(self) -> Column;
}

impl IntoOperand for Column {
    fn into_operand(self) -> Column {
        self
    }
}

impl IntoOperand for &Column {
    fn into_operand(self) -> Column {
        self.clone()
    }
}

impl<T: IntoLiteral> IntoOperand for T {
    fn into_operand(self) -> Column {
        self.into_literal().into_column()
    }
}

/// A target type for [`Column::cast`]: a [`DataType`] or a type name in SQL (`"bigint"`,
/// `"array<string>"`).
#[derive(Debug, Clone, PartialEq)]
pub enum CastTo {
    /// A structured type.
    Type(DataType),
    /// A type in SQL spelling, parsed by the server.
    Sql(String),
}

impl From<DataType> for CastTo {
    fn from(t: DataType) -> CastTo {
        CastTo::Type(t)
    }
}

impl From<&str> for CastTo {
    fn from(t: &str) -> CastTo {
        CastTo::Sql(t.to_string())
    }
}

impl From<String> for CastTo {
    fn from(t: String) -> CastTo {
        CastTo::Sql(t)
    }
}

impl From<&str> for Column {
    /// A column by name; `"*"` selects all columns and `"t.*"` all columns of `t`.
    fn from(name: &str) -> Column {
        Column::named(name)
    }
}

impl From<String> for Column {
    fn from(name: String) -> Column {
        Column::named(&name)
    }
}

impl From<&String> for Column {
    fn from(name: &String) -> Column {
        Column::named(name)
    }
}

impl From<&Column> for Column {
    fn from(c: &Column) -> Column {
        c.clone()
    }
}

impl Column {
    pub(crate) fn from_expr(expr: ExprType) -> Column {
        Column {
            expr: pb::Expression {
                expr_type: Some(expr),
                ..Default::default()
            },
        }
    }

    /// A column by name, as `col(name)`.
    pub(crate) fn named(name: &str) -> Column {
        if name == "*" {
            return Column::from_expr(ExprType::UnresolvedStar(ex::UnresolvedStar::default()));
        }
        if name.ends_with(".*") {
            return Column::from_expr(ExprType::UnresolvedStar(ex::UnresolvedStar {
                unparsed_target: Some(name.to_string()),
                ..Default::default()
            }));
        }
        Column::from_expr(ExprType::UnresolvedAttribute(ex::UnresolvedAttribute {
            unparsed_identifier: name.to_string(),
            ..Default::default()
        }))
    }

    /// A column by name bound to the DataFrame with plan id `plan_id` (disambiguates self-joins).
    pub(crate) fn bound(name: &str, plan_id: i64) -> Column {
        Column::from_expr(ExprType::UnresolvedAttribute(ex::UnresolvedAttribute {
            unparsed_identifier: name.to_string(),
            plan_id: Some(plan_id),
            ..Default::default()
        }))
    }

    /// A call of the SQL function `name` on `args`.
    pub(crate) fn call(name: &str, args: impl IntoIterator<Item = Column>) -> Column {
        Column::call_with(name, args, false)
    }

    pub(crate) fn call_with(
        name: &str,
        args: impl IntoIterator<Item = Column>,
        is_distinct: bool,
    ) -> Column {
        Column::from_expr(ExprType::UnresolvedFunction(ex::UnresolvedFunction {
            function_name: name.to_string(),
            arguments: args.into_iter().map(|c| c.expr).collect(),
            is_distinct,
            ..Default::default()
        }))
    }

    fn binary(self, op: &str, other: impl IntoOperand) -> Column {
        Column::call(op, [self, other.into_operand()])
    }

    fn unary(self, op: &str) -> Column {
        Column::call(op, [self])
    }

    /// A SQL expression parsed by the server, e.g. `expr("a + 1")`.
    pub(crate) fn sql_expr(sql: &str) -> Column {
        Column::from_expr(ExprType::ExpressionString(ex::ExpressionString {
            expression: sql.to_string(),
        }))
    }

    /// Renames the result of this expression (`AS name`).
    pub fn alias(self, name: impl Into<String>) -> Column {
        Column::from_expr(ExprType::Alias(Box::new(ex::Alias {
            expr: Some(Box::new(self.expr)),
            name: vec![name.into()],
            metadata: None,
        })))
    }

    /// Names the columns of a function that returns several (`posexplode`, `inline`, `explode`
    /// of a map, `json_tuple`), PySpark's `alias("pos", "value")`.
    pub fn aliases<S: Into<String>>(self, names: impl IntoIterator<Item = S>) -> Column {
        Column::from_expr(ExprType::Alias(Box::new(ex::Alias {
            expr: Some(Box::new(self.expr)),
            name: names.into_iter().map(Into::into).collect(),
            metadata: None,
        })))
    }

    /// Renames the result and attaches column metadata, a JSON object such as
    /// `{"comment": "in cents"}` (PySpark's `alias(name, metadata=...)`).
    pub fn alias_with_metadata(
        self,
        name: impl Into<String>,
        metadata_json: impl Into<String>,
    ) -> Column {
        Column::from_expr(ExprType::Alias(Box::new(ex::Alias {
            expr: Some(Box::new(self.expr)),
            name: vec![name.into()],
            metadata: Some(metadata_json.into()),
        })))
    }

    /// Same as [`alias`](Self::alias).
    pub fn name(self, name: impl Into<String>) -> Column {
        self.alias(name)
    }

    /// This struct with field `name` added or replaced by `value` (PySpark's `withField`).
    pub fn with_field(self, name: impl Into<String>, value: impl IntoOperand) -> Column {
        Column::from_expr(ExprType::UpdateFields(Box::new(ex::UpdateFields {
            struct_expression: Some(Box::new(self.expr)),
            field_name: name.into(),
            value_expression: Some(Box::new(value.into_operand().expr)),
        })))
    }

    /// This struct without the fields `names` (PySpark's `dropFields`).
    pub fn drop_fields<S: Into<String>>(self, names: impl IntoIterator<Item = S>) -> Column {
        names.into_iter().fold(self, |c, name| {
            Column::from_expr(ExprType::UpdateFields(Box::new(ex::UpdateFields {
                struct_expression: Some(Box::new(c.expr)),
                field_name: name.into(),
                value_expression: None,
            })))
        })
    }

    /// Converts to another type, e.g. `cast(DataType::Long)` or `cast("decimal(10,2)")`.
    pub fn cast(self, to: impl Into<CastTo>) -> Column {
        let target = match to.into() {
            CastTo::Type(t) => ex::cast::CastToType::Type(t.to_proto()),
            CastTo::Sql(s) => ex::cast::CastToType::TypeStr(s),
        };
        Column::from_expr(ExprType::Cast(Box::new(ex::Cast {
            expr: Some(Box::new(self.expr)),
            cast_to_type: Some(target),
            ..Default::default()
        })))
    }

    /// `self = other` (SQL equality: NULL if either side is NULL).
    pub fn eq(self, other: impl IntoOperand) -> Column {
        self.binary("==", other)
    }

    /// `self <> other`.
    pub fn neq(self, other: impl IntoOperand) -> Column {
        Column::call("not", [self.eq(other)])
    }

    /// `self <=> other`: equality where NULL equals NULL.
    pub fn eq_null_safe(self, other: impl IntoOperand) -> Column {
        self.binary("<=>", other)
    }

    /// `self > other`.
    pub fn gt(self, other: impl IntoOperand) -> Column {
        self.binary(">", other)
    }

    /// `self >= other`.
    pub fn ge(self, other: impl IntoOperand) -> Column {
        self.binary(">=", other)
    }

    /// `self < other`.
    pub fn lt(self, other: impl IntoOperand) -> Column {
        self.binary("<", other)
    }

    /// `self <= other`.
    pub fn le(self, other: impl IntoOperand) -> Column {
        self.binary("<=", other)
    }

    /// `self BETWEEN low AND high` (inclusive).
    pub fn between(self, low: impl IntoOperand, high: impl IntoOperand) -> Column {
        self.clone().ge(low).and(self.le(high))
    }

    /// Logical `AND`.
    pub fn and(self, other: impl IntoOperand) -> Column {
        self.binary("and", other)
    }

    /// Logical `OR`.
    pub fn or(self, other: impl IntoOperand) -> Column {
        self.binary("or", other)
    }

    /// `self IS NULL`.
    pub fn is_null(self) -> Column {
        self.unary("isnull")
    }

    /// `self IS NOT NULL`.
    pub fn is_not_null(self) -> Column {
        self.unary("isnotnull")
    }

    /// Whether the value is NaN.
    pub fn is_nan(self) -> Column {
        self.unary("isnan")
    }

    /// `self IN (values...)`.
    pub fn is_in<T: IntoOperand>(self, values: impl IntoIterator<Item = T>) -> Column {
        let args = std::iter::once(self).chain(values.into_iter().map(IntoOperand::into_operand));
        Column::call("in", args)
    }

    /// SQL `LIKE` with `%` and `_` wildcards.
    pub fn like(self, pattern: impl Into<String>) -> Column {
        self.binary("like", pattern.into())
    }

    /// Case-insensitive `LIKE`.
    pub fn ilike(self, pattern: impl Into<String>) -> Column {
        self.binary("ilike", pattern.into())
    }

    /// Java regular expression match (`RLIKE`).
    pub fn rlike(self, regex: impl Into<String>) -> Column {
        self.binary("rlike", regex.into())
    }

    /// Whether the string contains `other`.
    pub fn contains(self, other: impl IntoOperand) -> Column {
        self.binary("contains", other)
    }

    /// Whether the string starts with `other`.
    pub fn starts_with(self, other: impl IntoOperand) -> Column {
        self.binary("startswith", other)
    }

    /// Whether the string ends with `other`.
    pub fn ends_with(self, other: impl IntoOperand) -> Column {
        self.binary("endswith", other)
    }

    /// The substring starting at 1-based `pos` of length `len`.
    pub fn substr(self, pos: impl IntoOperand, len: impl IntoOperand) -> Column {
        Column::call("substr", [self, pos.into_operand(), len.into_operand()])
    }

    /// The field `name` of a struct column.
    pub fn get_field(self, name: impl Into<String>) -> Column {
        self.extract(name.into())
    }

    /// The element at `key` of an array (0-based) or map column.
    pub fn get_item(self, key: impl IntoOperand) -> Column {
        self.extract(key)
    }

    fn extract(self, key: impl IntoOperand) -> Column {
        Column::from_expr(ExprType::UnresolvedExtractValue(Box::new(
            ex::UnresolvedExtractValue {
                child: Some(Box::new(self.expr)),
                extraction: Some(Box::new(key.into_operand().expr)),
            },
        )))
    }

    /// Adds a branch to a `when` chain started by [`functions::when`](crate::functions::when).
    ///
    /// On a column that is not a `when` chain this starts a new one with `self` ignored, as PySpark
    /// raises; prefer starting with `functions::when`.
    pub fn when(self, condition: Column, value: impl IntoOperand) -> Column {
        match self.when_args() {
            Some(mut args) => {
                args.push(condition.expr);
                args.push(value.into_operand().expr);
                Column::call("when", args.into_iter().map(|expr| Column { expr }))
            }
            None => crate::functions::when(condition, value),
        }
    }

    /// The value of a `when` chain when no branch matched (NULL without it).
    pub fn otherwise(self, value: impl IntoOperand) -> Column {
        match self.when_args() {
            Some(mut args) => {
                args.push(value.into_operand().expr);
                Column::call("when", args.into_iter().map(|expr| Column { expr }))
            }
            None => self,
        }
    }

    /// The arguments of an open `when(...)` chain (an even count: no `otherwise` yet).
    fn when_args(&self) -> Option<Vec<pb::Expression>> {
        match &self.expr.expr_type {
            Some(ExprType::UnresolvedFunction(f))
                if f.function_name == "when" && f.arguments.len() % 2 == 0 =>
            {
                Some(f.arguments.clone())
            }
            _ => None,
        }
    }

    /// Ascending sort order, nulls first (Spark's default).
    pub fn asc(self) -> Column {
        self.sort(
            ex::sort_order::SortDirection::Ascending,
            ex::sort_order::NullOrdering::SortNullsFirst,
        )
    }

    /// Ascending sort order, nulls last.
    pub fn asc_nulls_last(self) -> Column {
        self.sort(
            ex::sort_order::SortDirection::Ascending,
            ex::sort_order::NullOrdering::SortNullsLast,
        )
    }

    /// Descending sort order, nulls last (Spark's default).
    pub fn desc(self) -> Column {
        self.sort(
            ex::sort_order::SortDirection::Descending,
            ex::sort_order::NullOrdering::SortNullsLast,
        )
    }

    /// Ascending sort order, nulls first (same as [`asc`](Self::asc)).
    pub fn asc_nulls_first(self) -> Column {
        self.asc()
    }

    /// Descending sort order, nulls last (same as [`desc`](Self::desc)).
    pub fn desc_nulls_last(self) -> Column {
        self.desc()
    }

    /// Descending sort order, nulls first.
    pub fn desc_nulls_first(self) -> Column {
        self.sort(
            ex::sort_order::SortDirection::Descending,
            ex::sort_order::NullOrdering::SortNullsFirst,
        )
    }

    fn sort(
        self,
        direction: ex::sort_order::SortDirection,
        nulls: ex::sort_order::NullOrdering,
    ) -> Column {
        Column::from_expr(ExprType::SortOrder(Box::new(
            self.into_sort_order(direction, nulls),
        )))
    }

    /// The sort order of this column, ascending unless it already is a sort order.
    pub(crate) fn to_sort_order(&self) -> ex::SortOrder {
        match &self.expr.expr_type {
            Some(ExprType::SortOrder(s)) => (**s).clone(),
            _ => self.clone().into_sort_order(
                ex::sort_order::SortDirection::Ascending,
                ex::sort_order::NullOrdering::SortNullsFirst,
            ),
        }
    }

    fn into_sort_order(
        self,
        direction: ex::sort_order::SortDirection,
        nulls: ex::sort_order::NullOrdering,
    ) -> ex::SortOrder {
        ex::SortOrder {
            child: Some(Box::new(self.expr)),
            direction: direction as i32,
            null_ordering: nulls as i32,
        }
    }

    /// This aggregate or window function evaluated over a window, e.g.
    /// `row_number().over(Window::partition_by(["user"]).order_by([col("ts").desc()]))`.
    pub fn over(self, window: WindowSpec) -> Column {
        window.apply(self)
    }
}

macro_rules! binary_op {
    ($trait:ident, $method:ident, $op:literal) => {
        impl<T: IntoOperand> ops::$trait<T> for Column {
            type Output = Column;
            fn $method(self, rhs: T) -> Column {
                self.binary($op, rhs)
            }
        }
    };
}

binary_op!(Add, add, "+");
binary_op!(Sub, sub, "-");
binary_op!(Mul, mul, "*");
binary_op!(Div, div, "/");
binary_op!(Rem, rem, "%");
binary_op!(BitAnd, bitand, "and");
binary_op!(BitOr, bitor, "or");

impl Column {
    /// Bitwise AND of two integers (`&` on columns is the logical AND, as in PySpark).
    pub fn bitwise_and(self, other: impl IntoOperand) -> Column {
        self.binary("&", other)
    }

    /// Bitwise OR of two integers.
    pub fn bitwise_or(self, other: impl IntoOperand) -> Column {
        self.binary("|", other)
    }

    /// Bitwise XOR of two integers.
    pub fn bitwise_xor(self, other: impl IntoOperand) -> Column {
        self.binary("^", other)
    }
}

impl ops::Neg for Column {
    type Output = Column;
    fn neg(self) -> Column {
        self.unary("negative")
    }
}

impl ops::Not for Column {
    type Output = Column;
    fn not(self) -> Column {
        self.unary("not")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::{col, lit, when};

    fn function(c: &Column) -> (&str, usize) {
        match &c.expr.expr_type {
            Some(ExprType::UnresolvedFunction(f)) => (f.function_name.as_str(), f.arguments.len()),
            other => panic!("not a function: {other:?}"),
        }
    }

    #[test]
    fn names_and_stars() {
        assert!(matches!(
            Column::from("a.b").expr.expr_type,
            Some(ExprType::UnresolvedAttribute(ref a)) if a.unparsed_identifier == "a.b"
        ));
        assert!(matches!(
            Column::from("*").expr.expr_type,
            Some(ExprType::UnresolvedStar(ref s)) if s.unparsed_target.is_none()
        ));
        assert!(matches!(
            Column::from("t.*").expr.expr_type,
            Some(ExprType::UnresolvedStar(ref s)) if s.unparsed_target.as_deref() == Some("t.*")
        ));
    }

    #[test]
    fn operands_are_literals() {
        let c = col("name").eq("bob");
        let Some(ExprType::UnresolvedFunction(f)) = &c.expr.expr_type else {
            panic!()
        };
        assert_eq!(f.function_name, "==");
        assert!(matches!(
            f.arguments[1].expr_type,
            Some(ExprType::Literal(_))
        ));
        assert_eq!(function(&(col("a") + 1)), ("+", 2));
        assert_eq!(function(&!col("a")), ("not", 1));
        assert_eq!(function(&col("a").neq(1)), ("not", 1));
        assert_eq!(function(&col("a").is_in([1, 2, 3])), ("in", 4));
    }

    #[test]
    fn when_chain() {
        let c = when(col("a").gt(1), "big")
            .when(col("a").gt(0), "small")
            .otherwise(lit("none"));
        assert_eq!(function(&c), ("when", 5));
        // otherwise closes the chain: a later `when` starts over instead of corrupting it.
        let c = when(col("a").gt(1), 1);
        assert_eq!(function(&c), ("when", 2));
    }

    #[test]
    fn alias_cast_sort() {
        assert!(matches!(
            col("a").alias("b").expr.expr_type,
            Some(ExprType::Alias(ref a)) if a.name == ["b"]
        ));
        match col("a").cast("bigint").expr.expr_type {
            Some(ExprType::Cast(c)) => {
                assert_eq!(
                    c.cast_to_type,
                    Some(ex::cast::CastToType::TypeStr("bigint".into()))
                );
                assert_eq!(c.eval_mode, 0, "eval_mode is a 4.x field and stays unset");
            }
            other => panic!("{other:?}"),
        }
        let s = col("a").desc().to_sort_order();
        assert_eq!(
            s.direction,
            ex::sort_order::SortDirection::Descending as i32
        );
        assert_eq!(
            s.null_ordering,
            ex::sort_order::NullOrdering::SortNullsLast as i32
        );
    }
}
