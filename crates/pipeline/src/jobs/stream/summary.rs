//! What a run of the stream did, table by table: the rows each query read and the rows it added
//! to its Delta table. Spark's progress reports only what a query read (its Delta sink reports
//! `numOutputRows = -1`), and every query reads the same Kafka records — so the rows a table
//! received come from the table's own log: the `numOutputRows` of the commits its query made
//! in this run's micro-batches.

use std::collections::BTreeMap;

use spark_client::functions::{col, lit};
use spark_client::streaming::StreamingQuery;
use spark_client::SparkSession;

use crate::Result;
use spark_client::rows::Rows;

/// What one query did during the run.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRows {
    /// The query's name (`mindy_bronze`, …).
    pub query: String,
    /// The table it writes, as `<layer>/<name>` (the last two parts of its path).
    pub table: String,
    /// Rows the query read from its source (Kafka records for bronze and quarantine, bronze rows
    /// for silver).
    pub read: i64,
    /// Rows it added to its table.
    pub written: i64,
}

/// What a run did, per query.
#[derive(Debug, Default)]
pub struct StreamReport {
    /// One entry per query, in start order.
    pub tables: Vec<TableRows>,
}

impl std::fmt::Display for StreamReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .tables
            .iter()
            .map(|t| format!("{} +{} rows (read {})", t.table, t.written, t.read))
            .collect();
        write!(f, "stream stopped: {}", parts.join(", "))
    }
}

/// Builds the report of `queries` from their progress and their tables' logs.
pub async fn report(session: &SparkSession, queries: &[StreamingQuery]) -> Result<StreamReport> {
    let mut tables = Vec::new();
    for query in queries {
        let mut read: BTreeMap<i64, i64> = BTreeMap::new();
        let mut path = None;
        for p in query.recent_progress().await? {
            read.insert(p.batch_id, p.num_input_rows);
            path = path.or_else(|| p.sink.as_ref().and_then(|s| sink_path(&s.description)));
        }
        let written = match &path {
            Some(path) => rows_committed(session, path, query.id(), read.keys()).await?,
            None => 0,
        };
        tables.push(TableRows {
            query: query.name().unwrap_or(query.id()).to_string(),
            table: path.as_deref().map_or("-".into(), table_name),
            read: read.values().sum(),
            written,
        });
    }
    Ok(StreamReport { tables })
}

/// The table path in a Delta sink's description, `DeltaSink[<path>]`.
fn sink_path(description: &str) -> Option<String> {
    description
        .strip_prefix("DeltaSink[")
        .and_then(|rest| rest.strip_suffix(']'))
        .map(str::to_string)
}

/// `<layer>/<name>`: the last two parts of a table's path.
fn table_name(path: &str) -> String {
    let parts: Vec<&str> = path.trim_end_matches('/').rsplit('/').take(2).collect();
    parts.into_iter().rev().collect::<Vec<_>>().join("/")
}

/// The rows query `query_id` committed to the table at `path` in the micro-batches `epochs`.
async fn rows_committed(
    session: &SparkSession,
    path: &str,
    query_id: &str,
    epochs: impl Iterator<Item = &i64>,
) -> Result<i64> {
    let epochs: Vec<i64> = epochs.copied().collect();
    if epochs.is_empty() {
        return Ok(0);
    }
    // A commit per micro-batch at most; other writers' commits are filtered out below.
    let limit = epochs.len() * 2 + 10;
    let table = crate::jobs::batch::delta::quoted_path(path);
    let commits = session
        .sql(format!("DESCRIBE HISTORY {table} LIMIT {limit}"))
        .await?
        .filter(col("operation").eq(lit("STREAMING UPDATE")))
        .select_expr([
            "operationParameters['queryId'] AS query_id",
            "cast(operationParameters['epochId'] AS bigint) AS epoch",
            "cast(operationMetrics['numOutputRows'] AS bigint) AS rows",
        ])
        .filter(col("query_id").eq(lit(query_id)))
        .filter(col("epoch").is_in(epochs.iter().map(|e| lit(*e)).collect::<Vec<_>>()));
    let rows = Rows::new(commits.collect().await?);
    let mut total = 0;
    for row in rows.iter() {
        total += row.get::<Option<i64>>("rows")?.unwrap_or(0);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_what_each_table_received() {
        assert_eq!(
            sink_path("DeltaSink[/lake/bronze/emails]").as_deref(),
            Some("/lake/bronze/emails")
        );
        assert_eq!(sink_path("ForeachBatchSink"), None);
        assert_eq!(
            table_name("/lake/bronze/emails_quarantine"),
            "bronze/emails_quarantine"
        );
        let report = StreamReport {
            tables: vec![
                TableRows {
                    query: "mindy_bronze".into(),
                    table: "bronze/emails".into(),
                    read: 4002,
                    written: 4002,
                },
                TableRows {
                    query: "mindy_quarantine".into(),
                    table: "bronze/emails_quarantine".into(),
                    read: 4002,
                    written: 0,
                },
            ],
        };
        assert_eq!(
            report.to_string(),
            "stream stopped: bronze/emails +4002 rows (read 4002), \
             bronze/emails_quarantine +0 rows (read 4002)"
        );
    }
}
