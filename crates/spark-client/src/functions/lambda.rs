//! Lambdas for higher-order functions (`transform`, `filter`, `aggregate`, ...): a Rust closure
//! over [`Column`]s becomes Spark's `LambdaFunction` over fresh named variables, as PySpark's
//! `_create_lambda` builds it.

use std::sync::atomic::{AtomicU64, Ordering};

use spark_connect_proto::expression::{self as ex, ExprType};

use crate::column::Column;

/// Source of unique lambda variable names (`x_1`, `y_2`, ...), so nested lambdas never shadow
/// each other (PySpark's `fresh_var_name`).
static NEXT_VARIABLE: AtomicU64 = AtomicU64::new(1);

fn variable(prefix: &str) -> ex::UnresolvedNamedLambdaVariable {
    let n = NEXT_VARIABLE.fetch_add(1, Ordering::Relaxed);
    ex::UnresolvedNamedLambdaVariable {
        name_parts: vec![format!("{prefix}_{n}")],
    }
}

fn lambda(arguments: Vec<ex::UnresolvedNamedLambdaVariable>, body: Column) -> Column {
    Column::from_expr(ExprType::LambdaFunction(Box::new(ex::LambdaFunction {
        function: Some(Box::new(body.expr)),
        arguments,
    })))
}

fn as_column(v: &ex::UnresolvedNamedLambdaVariable) -> Column {
    Column::from_expr(ExprType::UnresolvedNamedLambdaVariable(v.clone()))
}

/// A one-argument lambda.
pub(crate) fn lambda1(f: impl FnOnce(Column) -> Column) -> Column {
    let x = variable("x");
    let body = f(as_column(&x));
    lambda(vec![x], body)
}

/// A two-argument lambda.
pub(crate) fn lambda2(f: impl FnOnce(Column, Column) -> Column) -> Column {
    let (x, y) = (variable("x"), variable("y"));
    let body = f(as_column(&x), as_column(&y));
    lambda(vec![x, y], body)
}

/// A three-argument lambda.
pub(crate) fn lambda3(f: impl FnOnce(Column, Column, Column) -> Column) -> Column {
    let (x, y, z) = (variable("x"), variable("y"), variable("z"));
    let body = f(as_column(&x), as_column(&y), as_column(&z));
    lambda(vec![x, y, z], body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_fresh_and_bound_in_the_body() {
        let c = lambda2(|acc, x| acc + x);
        let Some(ExprType::LambdaFunction(f)) = &c.expr.expr_type else {
            panic!("not a lambda")
        };
        assert_eq!(f.arguments.len(), 2);
        assert_ne!(f.arguments[0].name_parts, f.arguments[1].name_parts);
        assert!(f.arguments[0].name_parts[0].starts_with("x_"));
        let Some(ExprType::UnresolvedFunction(plus)) = &f.function.as_ref().unwrap().expr_type
        else {
            panic!("body")
        };
        assert_eq!(
            plus.arguments[0].expr_type,
            Some(ExprType::UnresolvedNamedLambdaVariable(
                f.arguments[0].clone()
            ))
        );
    }
}
