//! The SQL validator: every generated query passes here before it reaches PostgreSQL.
//!
//! The rules, in the order they are checked: the text parses (PostgreSQL dialect) into exactly
//! one statement; it is a query (SELECT, WITH ... SELECT, UNION of SELECTs), with no data-changing
//! CTE, no `SELECT ... INTO`, no locking clause; every table it reads is on the allow-list (the
//! catalog's tables, unqualified or in `public`) or a CTE it defines; no table functions; every
//! function called is on the allow-list of pure functions below (so no `pg_sleep`, `set_config`,
//! `pg_read_file`, `dblink`, `nextval`, `lo_import`, ...); and the top-level `LIMIT` is at most
//! the maximum (added when missing, lowered when larger). This is the first wall: the query then
//! runs as the read-only role in a READ ONLY transaction with a statement timeout.

use std::collections::HashSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, FunctionArguments, LimitClause, ObjectName, Query, SetExpr, Statement, TableFactor,
    Value, ValueWithSpan, Visit, Visitor,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::catalog::Catalog;

/// Why a query was refused; the message is shown to the user and fed to the LLM's repair round.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// Pure functions a generated query may call (lower case).
const FUNCTIONS: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "variance",
    "var_pop",
    "var_samp",
    "bool_and",
    "bool_or",
    "every",
    "string_agg",
    "array_agg",
    "percentile_cont",
    "percentile_disc",
    "mode",
    "rank",
    "dense_rank",
    "row_number",
    "percent_rank",
    "cume_dist",
    "ntile",
    "lag",
    "lead",
    "first_value",
    "last_value",
    "nth_value",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "round",
    "trunc",
    "floor",
    "ceil",
    "ceiling",
    "abs",
    "sign",
    "sqrt",
    "power",
    "mod",
    "div",
    "exp",
    "ln",
    "log",
    "date_trunc",
    "date_part",
    "extract",
    "to_char",
    "to_date",
    "make_date",
    "age",
    "now",
    "current_date",
    "date",
    "lower",
    "upper",
    "length",
    "char_length",
    "substring",
    "substr",
    "trim",
    "btrim",
    "ltrim",
    "rtrim",
    "concat",
    "concat_ws",
    "replace",
    "split_part",
    "left",
    "right",
    "position",
    "starts_with",
    "initcap",
    "lpad",
    "rpad",
    "format",
    "jsonb_object_keys",
    "jsonb_each",
    "jsonb_array_length",
    "generate_series",
    "cast",
    "isfinite",
    "justify_days",
    "interval",
];

/// Checks queries against the catalog's tables.
#[derive(Debug, Clone)]
pub struct Validator {
    tables: HashSet<String>,
    max_rows: u64,
}

/// A query that passed, as it will run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The SQL to show: the input unless the LIMIT had to be added or lowered.
    pub sql: String,
    /// The SQL to execute: printed back from the parsed tree, so PostgreSQL runs exactly what
    /// was checked (no comments or quirks the two parsers might read differently).
    pub canonical: String,
}

impl Validator {
    /// A validator allowing the catalog's tables and at most `max_rows` rows.
    pub fn new(catalog: &Catalog, max_rows: u64) -> Self {
        let tables = catalog.table_names().map(str::to_string).collect();
        Validator { tables, max_rows }
    }

    /// Checks `sql`, returning it (with its LIMIT enforced) or why it is refused.
    pub fn check(&self, sql: &str) -> Result<Checked, Refused> {
        let sql = sql.trim().trim_end_matches(';').trim();
        if sql.is_empty() {
            return Err(Refused("empty query".into()));
        }
        let mut statements = Parser::parse_sql(&PostgreSqlDialect {}, sql)
            .map_err(|e| Refused(format!("the SQL does not parse: {e}")))?;
        if statements.len() != 1 {
            return Err(Refused(format!(
                "only one statement is allowed, got {}",
                statements.len()
            )));
        }
        let Statement::Query(query) = &mut statements[0] else {
            return Err(Refused("only SELECT queries are allowed".into()));
        };
        let mut walker = Walker {
            validator: self,
            ctes: HashSet::new(),
        };
        if let ControlFlow::Break(refused) = query.visit(&mut walker) {
            return Err(refused);
        }
        let changed = self.enforce_limit(query)?;
        let canonical = query.to_string();
        let shown = if changed {
            canonical.clone()
        } else {
            sql.to_string()
        };
        Ok(Checked {
            sql: shown,
            canonical,
        })
    }

    /// Adds or lowers the top-level LIMIT; true when the query changed.
    fn enforce_limit(&self, query: &mut Query) -> Result<bool, Refused> {
        if query.fetch.is_some() {
            return Err(Refused("use LIMIT instead of FETCH".into()));
        }
        let max = Expr::Value(ValueWithSpan::from(Value::Number(
            self.max_rows.to_string(),
            false,
        )));
        match &mut query.limit_clause {
            None => {
                query.limit_clause = Some(LimitClause::LimitOffset {
                    limit: Some(max),
                    offset: None,
                    limit_by: vec![],
                });
                Ok(true)
            }
            Some(LimitClause::LimitOffset {
                limit, limit_by, ..
            }) if limit_by.is_empty() => {
                let current = match limit {
                    Some(Expr::Value(ValueWithSpan {
                        value: Value::Number(n, _),
                        ..
                    })) => n.parse::<u64>().ok(),
                    None => None,
                    Some(_) => return Err(Refused("LIMIT must be a number".into())),
                };
                match current {
                    Some(n) if n <= self.max_rows => Ok(false),
                    _ => {
                        *limit = Some(max);
                        Ok(true)
                    }
                }
            }
            Some(_) => Err(Refused("unsupported LIMIT form".into())),
        }
    }
}

/// Walks the whole query tree, breaking at the first rule broken.
struct Walker<'a> {
    validator: &'a Validator,
    /// Names the query defines in WITH, readable like tables.
    ctes: HashSet<String>,
}

impl Walker<'_> {
    fn table_allowed(&self, name: &ObjectName) -> Result<(), Refused> {
        let parts: Vec<String> = name
            .0
            .iter()
            .map(|p| match p.as_ident() {
                Some(ident) if ident.quote_style.is_some() => ident.value.clone(),
                Some(ident) => ident.value.to_lowercase(),
                None => String::from("?"),
            })
            .collect();
        let table = match parts.as_slice() {
            [table] if self.ctes.contains(table) => return Ok(()),
            [table] => table,
            [schema, table] if schema == "public" => table,
            _ => return Err(Refused(format!("table {name} is not allowed"))),
        };
        if self.validator.tables.contains(table) {
            Ok(())
        } else {
            let mut allowed: Vec<&String> = self.validator.tables.iter().collect();
            allowed.sort();
            let allowed: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
            Err(Refused(format!(
                "table {name} is not allowed (readable tables: {})",
                allowed.join(", ")
            )))
        }
    }
}

impl Visitor for Walker<'_> {
    type Break = Refused;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<Refused> {
        if !query.locks.is_empty() {
            return ControlFlow::Break(Refused("locking clauses are not allowed".into()));
        }
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.ctes.insert(cte.alias.name.value.to_lowercase());
            }
        }
        body_allowed(&query.body)
    }

    fn pre_visit_statement(&mut self, _statement: &Statement) -> ControlFlow<Refused> {
        ControlFlow::Break(Refused("only a single SELECT is allowed".into()))
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<Refused> {
        match factor {
            TableFactor::Table {
                name, args: None, ..
            } => match self.table_allowed(name) {
                Ok(()) => ControlFlow::Continue(()),
                Err(refused) => ControlFlow::Break(refused),
            },
            TableFactor::Derived { .. } | TableFactor::NestedJoin { .. } => {
                ControlFlow::Continue(())
            }
            other => ControlFlow::Break(Refused(format!("FROM {other} is not allowed"))),
        }
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<Refused> {
        if let Expr::Function(function) = expr {
            let name = function.name.to_string().to_lowercase();
            if !FUNCTIONS.contains(&name.as_str()) {
                return ControlFlow::Break(Refused(format!("function {name} is not allowed")));
            }
            if let FunctionArguments::Subquery(_) = function.args {
                return ControlFlow::Continue(());
            }
        }
        ControlFlow::Continue(())
    }
}

fn body_allowed(body: &SetExpr) -> ControlFlow<Refused> {
    match body {
        SetExpr::Select(select) if select.into.is_some() => {
            ControlFlow::Break(Refused("SELECT ... INTO is not allowed".into()))
        }
        SetExpr::Select(_) | SetExpr::Query(_) | SetExpr::Values(_) => ControlFlow::Continue(()),
        SetExpr::SetOperation { left, right, .. } => {
            body_allowed(left)?;
            body_allowed(right)
        }
        _ => ControlFlow::Break(Refused("only SELECT queries are allowed".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator() -> Validator {
        Validator::new(&Catalog::serving(), 100)
    }

    fn refused(sql: &str) -> String {
        match validator().check(sql) {
            Err(Refused(reason)) => reason,
            Ok(ok) => panic!("accepted {sql:?} as {:?}", ok.sql),
        }
    }

    #[test]
    fn plain_selects_pass_and_get_a_limit() {
        let checked = validator()
            .check("SELECT date, total_emails FROM daily_insights")
            .unwrap();
        assert_eq!(
            checked.sql,
            "SELECT date, total_emails FROM daily_insights LIMIT 100"
        );
        let same = "SELECT * FROM public.daily_insights ORDER BY date LIMIT 5";
        assert_eq!(validator().check(same).unwrap().sql, same);
        let lowered = validator()
            .check("SELECT * FROM daily_insights LIMIT 100000;")
            .unwrap();
        assert!(lowered.sql.ends_with("LIMIT 100"), "{}", lowered.sql);
    }

    #[test]
    fn ctes_joins_and_unions_pass() {
        let sql = "WITH d AS (SELECT date, total_emails FROM daily_insights) \
                   SELECT d.date, h.hour FROM d JOIN daily_hourly_counts h ON h.date = d.date \
                   UNION ALL SELECT date, hour FROM daily_hourly_counts LIMIT 3";
        validator().check(sql).unwrap();
        let sub = "SELECT * FROM (SELECT sender_domain FROM daily_sender_domains) s \
                   WHERE sender_domain IN (SELECT sender_domain FROM daily_sender_domains) LIMIT 1";
        validator().check(sub).unwrap();
    }

    #[test]
    fn writes_are_refused() {
        for sql in [
            "DELETE FROM daily_insights",
            "UPDATE daily_insights SET total_emails = 0",
            "INSERT INTO daily_insights (date, total_emails) VALUES ('2020-01-01', 1)",
            "DROP TABLE daily_insights",
            "TRUNCATE daily_insights",
            "CREATE TABLE x (a int)",
            "GRANT ALL ON daily_insights TO public",
            "COPY daily_insights TO '/tmp/x'",
            "SET statement_timeout = 0",
            "SELECT * INTO stolen FROM daily_insights",
            "WITH gone AS (DELETE FROM daily_insights RETURNING *) SELECT * FROM gone",
            "SELECT * FROM daily_insights FOR UPDATE",
        ] {
            refused(sql);
        }
    }

    #[test]
    fn several_statements_are_refused() {
        assert!(
            refused("SELECT 1 FROM daily_insights; DROP TABLE daily_insights")
                .contains("one statement")
        );
        refused("SELECT 1; SELECT 2");
    }

    #[test]
    fn other_tables_are_refused() {
        assert!(refused("SELECT * FROM pg_shadow").contains("not allowed"));
        refused("SELECT * FROM pg_catalog.pg_roles");
        refused("SELECT * FROM information_schema.tables");
        refused("SELECT * FROM _sqlx_migrations");
        refused("SELECT * FROM other.daily_insights");
        refused("SELECT * FROM \"DAILY_INSIGHTS\"");
        refused("SELECT (SELECT usename FROM pg_user LIMIT 1) FROM daily_insights");
        refused("SELECT * FROM daily_insights d JOIN pg_stat_activity a ON true");
    }

    #[test]
    fn side_effect_functions_are_refused() {
        assert!(refused("SELECT pg_sleep(10)").contains("pg_sleep"));
        refused("SELECT set_config('statement_timeout', '0', false)");
        refused("SELECT pg_read_file('/etc/passwd')");
        refused("SELECT * FROM daily_insights WHERE pg_sleep(1) IS NULL");
        refused("SELECT lo_import('/etc/passwd')");
        refused("SELECT nextval('s')");
        refused("SELECT pg_terminate_backend(1)");
        refused("SELECT dblink('x', 'y')");
        refused("SELECT * FROM generate_series(1, 10)");
        refused("SELECT * FROM pg_sleep(5)");
    }

    #[test]
    fn garbage_is_refused() {
        refused("");
        refused("please show me everything");
        refused("SELECT * FROM daily_insights FETCH FIRST 5 ROWS ONLY");
        refused("SELECT * FROM daily_insights LIMIT (SELECT 1)");
    }
}
