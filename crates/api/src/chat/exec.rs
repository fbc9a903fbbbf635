//! Runs a validated query as the read-only role: in a READ ONLY transaction with a statement
//! timeout, rolled back at the end. This is the second wall after the validator: even a query
//! the validator wrongly let through cannot write, and cannot run for long.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use sqlx::{Column, Executor, PgPool, Statement};

use super::QueryResult;

/// Why a query failed in PostgreSQL.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// The statement timeout fired.
    #[error("the query took longer than {0} ms and was cancelled")]
    Timeout(u64),
    /// PostgreSQL refused or failed the query (bad column, read-only violation, ...): the
    /// message is safe to show and to give the LLM's repair round.
    #[error("the query failed: {0}")]
    Query(String),
    /// The database could not be reached.
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

/// Executes `sql` (already validated) and returns its columns and rows.
pub async fn run(pool: &PgPool, sql: &str, timeout_ms: u64) -> Result<QueryResult, ExecError> {
    let mut tx = pool
        .begin()
        .await
        .map_err(|e| ExecError::Unavailable(e.to_string()))?;
    // Both settings apply to this transaction only. (Not one `raw_sql` batch: its generic
    // executor makes this future fail the compiler's `Send` check inside axum handlers.)
    let timeout = format!("SET LOCAL statement_timeout = {timeout_ms}");
    for setup in ["SET TRANSACTION READ ONLY", timeout.as_str()] {
        sqlx::query(setup)
            .execute(&mut *tx)
            .await
            .map_err(|e| classify(e, timeout_ms))?;
    }
    // row_to_json keeps the select order of the columns and encodes every PostgreSQL type
    // (numeric, date, jsonb...) the way a JSON client wants it.
    let wrapped = format!("SELECT row_to_json(q)::text FROM ({sql}\n) AS q");
    let texts: Vec<String> = sqlx::query_scalar(&wrapped)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| classify(e, timeout_ms))?;
    let mut result = QueryResult::default();
    for text in texts {
        let row: OrderedRow =
            serde_json::from_str(&text).map_err(|e| ExecError::Query(e.to_string()))?;
        if result.columns.is_empty() {
            result.columns = row.0.iter().map(|(k, _)| k.clone()).collect();
        }
        result
            .rows
            .push(row.0.into_iter().map(|(_, v)| v).collect());
    }
    if result.rows.is_empty() {
        let statement = (&mut *tx)
            .prepare(sql)
            .await
            .map_err(|e| classify(e, timeout_ms))?;
        result.columns = statement
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
    }
    tx.rollback()
        .await
        .map_err(|e| ExecError::Unavailable(e.to_string()))?;
    Ok(result)
}

fn classify(error: sqlx::Error, timeout_ms: u64) -> ExecError {
    match &error {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("57014") => {
            ExecError::Timeout(timeout_ms)
        }
        sqlx::Error::Database(db) => ExecError::Query(db.message().to_string()),
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
            ExecError::Unavailable(error.to_string())
        }
        _ => ExecError::Query(error.to_string()),
    }
}

/// A JSON object's entries in document order (serde_json's map would sort them).
struct OrderedRow(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for OrderedRow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RowVisitor;
        impl<'de> Visitor<'de> for RowVisitor {
            type Value = OrderedRow;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedRow, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(OrderedRow(entries))
            }
        }
        deserializer.deserialize_map(RowVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_column_order_and_duplicates() {
        let row: OrderedRow = serde_json::from_str(r#"{"z":1,"a":"x","z":2.5}"#).unwrap();
        let keys: Vec<&str> = row.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "z"]);
    }
}
