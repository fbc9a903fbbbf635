//! `mindy batch quality --date D`: what share of day D's bronze records is complete and valid.
//!
//! Each rule of the record contract (the validator's) counts the records that break it; a record
//! is valid when it breaks none. The score
//! (valid / total, in %) and the failing rules are printed and written to PostgreSQL's
//! `quality_scores` (the dashboard's history); below the threshold the job exits 1, which fails
//! the Airflow task and stops the day's downstream tasks.

use clap::Args;
use mindy_core::email::Rule;
use spark_client::functions::{col, count, lit, sum, when};
use spark_client::Column;

use crate::arrow_rows::{required, Rows};
use crate::Result;
use mindy_core::config::DatabaseArgs;
use mindy_core::db;

use super::{DayArgs, Outcome};

/// Settings of `mindy batch quality`.
#[derive(Debug, Clone, Args)]
pub struct QualityConfig {
    /// The day, Spark and the lake.
    #[command(flatten)]
    pub day: DayArgs,
    /// Where the score is recorded.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Minimum share of valid records, in percent.
    #[arg(long, env = "MINDY_QUALITY_THRESHOLD", default_value_t = 95.0)]
    pub threshold: f64,
    /// Accept a day without any record (score 100) instead of failing: for mailboxes that
    /// really are quiet some days. Off by default, since an empty day usually means the
    /// stream was not running.
    #[arg(long, env = "MINDY_QUALITY_ALLOW_EMPTY")]
    pub allow_empty: bool,
}

/// The record contract's rules ([`mindy_core::email::rules`], the validator's and the stream's
/// too) as (name, condition that breaks it) over bronze's columns, which hold the record's fields
/// with `date` renamed `event_time`.
fn rules() -> Vec<(&'static str, Column)> {
    let field = |path: &str| match path {
        "date" => col("event_time"),
        path => path
            .split_once('.')
            .map(|(parent, child)| col(parent).get_field(child))
            .unwrap_or_else(|| col(path)),
    };
    Rule::on_parsed_records()
        .map(|rule| {
            let broken = rule
                .broken_by(&field)
                .expect("every rule but json has a Spark condition");
            (rule.name(), broken)
        })
        .collect()
}

/// One check's row of `quality_scores`.
const INSERT_SCORE: &str = "INSERT INTO quality_scores (date, total_records, valid_records, \
     score_pct, threshold_pct, passed, failed_rules) VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// The score of one day.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// Records of the day.
    pub total: i64,
    /// Records that break no rule.
    pub valid: i64,
    /// Records breaking each rule (rules nobody broke included, with 0).
    pub failures: Vec<(String, i64)>,
}

impl Score {
    /// valid / total in percent; 100 for an empty day.
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            self.valid as f64 * 100.0 / self.total as f64
        }
    }
}

/// Scores day D on the cluster.
pub async fn score(day: &DayArgs) -> Result<Score> {
    let session = day.session().await?;
    let rules = rules();
    let broken = |c: Column| sum(when(c, lit(1)).otherwise(lit(0)));
    let any_broken = rules
        .iter()
        .map(|(_, c)| c.clone())
        .reduce(|a, b| a.or(b))
        .expect("rules");
    let mut aggs = vec![
        count(lit(1)).alias("total"),
        broken(any_broken).alias("invalid"),
    ];
    aggs.extend(rules.iter().map(|(name, c)| broken(c.clone()).alias(*name)));
    let rows = Rows::new(day.bronze_day(&session).agg(aggs).collect().await?);
    let row = rows.iter().next().expect("an aggregation returns one row");
    let total = required(row.i64("total")?, "total")?;
    // SUM over no rows is null: an empty day has no invalid record.
    let invalid = row.i64("invalid")?.unwrap_or(0);
    let failures = rules
        .iter()
        .map(|(name, _)| Ok((name.to_string(), row.i64(name)?.unwrap_or(0))))
        .collect::<Result<Vec<_>>>()?;
    Ok(Score {
        total,
        valid: total - invalid,
        failures,
    })
}

/// Runs the check, records it, and decides the outcome.
pub async fn run(config: &QualityConfig) -> Result<Outcome> {
    let score = score(&config.day).await?;
    let date = config.day.date;
    let percent = score.percent();
    let empty_fails = score.total == 0 && !config.allow_empty;
    let passed = percent >= config.threshold && !empty_fails;
    let pool = db::connect(&config.database).await?;
    let failed_rules: serde_json::Map<String, serde_json::Value> = score
        .failures
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(r, n)| (r.clone(), (*n).into()))
        .collect();
    sqlx::query(INSERT_SCORE)
        .bind(date)
        .bind(score.total)
        .bind(score.valid)
        .bind(percent)
        .bind(config.threshold)
        .bind(passed)
        .bind(serde_json::Value::Object(failed_rules.clone()))
        .execute(&pool)
        .await?;

    let rules_text = if failed_rules.is_empty() {
        "no rule broken".to_string()
    } else {
        score
            .failures
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(r, n)| format!("{r}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let summary = format!(
        "quality of {date}: {percent:.2}% ({} of {} records valid; threshold {:.2}%); {rules_text}",
        score.valid, score.total, config.threshold
    );
    Ok(if empty_fails {
        Outcome::Failed(format!("no bronze record for {date}: is the stream running? (--allow-empty accepts quiet days)"))
    } else if passed {
        Outcome::Done(summary)
    } else {
        Outcome::Failed(format!("{summary} — below the threshold"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_insert_matches_the_serving_schema() {
        mindy_core::serving::check_sql(INSERT_SCORE).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn every_counted_rule_is_a_rule_of_the_contract() {
        let names: Vec<&str> = rules().iter().map(|(name, _)| *name).collect();
        assert!(names.contains(&"from.address") && names.contains(&"future_date"));
        assert!(!names.contains(&"json"));
    }
}
