//! The data-quality history: the `quality_scores` rows the pipeline's `quality` job writes, one
//! per check, reduced to the latest check of each day.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

/// The checks of a window of days.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QualityReport {
    /// One entry per day that was checked, newest first.
    pub scores: Vec<QualityScore>,
}

/// The latest quality check of one day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QualityScore {
    /// The checked day (`YYYY-MM-DD`, in the user's timezone like every serving table).
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// When the check ran (RFC 3339, UTC).
    pub checked_at: String,
    /// Share of valid records, 0-100.
    pub score_pct: f64,
    /// The score the check had to reach.
    pub threshold_pct: f64,
    /// Whether the day passed.
    pub passed: bool,
    /// Records checked.
    pub total_records: i64,
    /// Records that broke no rule.
    pub valid_records: i64,
    /// Records failing each rule, by rule name (only rules with failures).
    pub failed_rules: BTreeMap<String, i64>,
}

/// The row as PostgreSQL returns it; `failed_rules` comes as text because sqlx is built without
/// its JSON feature.
#[derive(sqlx::FromRow)]
struct Row {
    date: NaiveDate,
    checked_at: DateTime<Utc>,
    score_pct: f64,
    threshold_pct: f64,
    passed: bool,
    total_records: i64,
    valid_records: i64,
    failed_rules: String,
}

/// Why the history could not be read.
#[derive(Debug, thiserror::Error)]
pub enum QualityError {
    /// The query failed.
    #[error("reading quality_scores: {0}")]
    Query(#[from] sqlx::Error),
    /// A row's `failed_rules` is not an object of counts.
    #[error("quality_scores.failed_rules of {date}: {source}")]
    Rules {
        /// The row's day.
        date: NaiveDate,
        /// The decoding error.
        source: serde_json::Error,
    },
}

/// The latest check of each day from `from` to `to` (both included), newest first.
pub async fn recent(
    pool: &PgPool,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<QualityReport, QualityError> {
    // The pipeline may re-run a day's check (retries, backfills); the newest row wins.
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT DISTINCT ON (date) date, checked_at, score_pct, threshold_pct, passed, \
                total_records, valid_records, failed_rules::text AS failed_rules \
         FROM quality_scores WHERE date BETWEEN $1 AND $2 \
         ORDER BY date DESC, checked_at DESC",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let scores = rows.into_iter().map(score).collect::<Result<_, _>>()?;
    Ok(QualityReport { scores })
}

fn score(row: Row) -> Result<QualityScore, QualityError> {
    let failed_rules =
        serde_json::from_str(&row.failed_rules).map_err(|source| QualityError::Rules {
            date: row.date,
            source,
        })?;
    Ok(QualityScore {
        date: row.date,
        checked_at: row.checked_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        score_pct: row.score_pct,
        threshold_pct: row.threshold_pct,
        passed: row.passed,
        total_records: row.total_records,
        valid_records: row.valid_records,
        failed_rules,
    })
}
