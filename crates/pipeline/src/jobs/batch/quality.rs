//! `mindy batch quality --date D`: what share of day D's bronze records is complete and valid.
//!
//! Each rule of the record contract (the validator's) counts the records that break it; a record
//! is valid when it breaks none. The score
//! (valid / total, in %) and the failing rules are printed and written to PostgreSQL's
//! `quality_scores` (the dashboard's history); below the threshold the job exits 1, which fails
//! the Airflow task and stops the day's downstream tasks.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use clap::Args;
use mindy_core::email::Rule;
use spark_client::functions::{col, count, lit, sum, when};
use spark_client::{Column, SparkSession};

use crate::Result;
use mindy_core::config::DatabaseArgs;
use mindy_core::db;
use spark_client::rows::Rows;

use super::lock::DayLocks;
use super::{BatchArgs, BronzeAsOf, DayArgs, Days, Outcome};

/// Settings of `mindy batch quality`.
#[derive(Debug, Clone, Args)]
pub struct QualityConfig {
    /// The day, Spark and the lake.
    #[command(flatten)]
    pub day: DayArgs,
    /// Where the score is recorded.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// When a day passes.
    #[command(flatten)]
    pub gate: QualityGate,
    /// The bronze version to check.
    #[command(flatten)]
    pub as_of: BronzeAsOf,
}

/// When a day's data is good enough to aggregate.
#[derive(Debug, Clone, Args)]
pub struct QualityGate {
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

    fn empty() -> Score {
        Score {
            total: 0,
            valid: 0,
            failures: rules().iter().map(|(r, _)| (r.to_string(), 0)).collect(),
        }
    }
}

/// A day's score judged against the gate.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The day.
    pub date: NaiveDate,
    /// Its score.
    pub score: Score,
    /// The threshold it was held to, in percent.
    pub threshold: f64,
    /// Whether the day may go on to aggregation.
    pub passed: bool,
    /// True when the day failed for having no record at all.
    pub empty: bool,
}

impl QualityGate {
    /// Judges one day's score.
    pub fn judge(&self, date: NaiveDate, score: Score) -> Verdict {
        let empty = score.total == 0 && !self.allow_empty;
        let passed = score.percent() >= self.threshold && !empty;
        Verdict {
            date,
            score,
            threshold: self.threshold,
            passed,
            empty,
        }
    }
}

impl Verdict {
    /// The rules some record broke, with how many broke each.
    fn broken_rules(&self) -> Vec<(String, i64)> {
        self.score
            .failures
            .iter()
            .filter(|(_, n)| *n > 0)
            .cloned()
            .collect()
    }

    /// One line: the score, the records and the broken rules.
    pub fn summary(&self) -> String {
        let broken = self.broken_rules();
        let rules_text = if broken.is_empty() {
            "no rule broken".to_string()
        } else {
            broken
                .iter()
                .map(|(r, n)| format!("{r}: {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "quality of {}: {:.2}% ({} of {} records valid; threshold {:.2}%); {rules_text}",
            self.date,
            self.score.percent(),
            self.score.valid,
            self.score.total,
            self.threshold
        )
    }

    /// Why the day did not pass (`None` when it did).
    pub fn failure(&self) -> Option<String> {
        if self.empty {
            Some(format!(
                "no bronze record for {}: is the stream running? (--allow-empty accepts quiet days)",
                self.date
            ))
        } else if !self.passed {
            Some(format!("{} — below the threshold", self.summary()))
        } else {
            None
        }
    }

    /// Writes the verdict to `quality_scores` (the dashboard's history).
    pub async fn record(&self, pool: &sqlx::PgPool) -> Result<()> {
        let failed_rules: serde_json::Map<String, serde_json::Value> = self
            .broken_rules()
            .into_iter()
            .map(|(r, n)| (r, n.into()))
            .collect();
        sqlx::query(INSERT_SCORE)
            .bind(self.date)
            .bind(self.score.total)
            .bind(self.score.valid)
            .bind(self.score.percent())
            .bind(self.threshold)
            .bind(self.passed)
            .bind(serde_json::Value::Object(failed_rules))
            .execute(pool)
            .await?;
        Ok(())
    }
}

/// Scores every day of `days` on the cluster in one query; a day without records has an empty
/// score.
pub async fn scores(
    batch: &BatchArgs,
    session: &SparkSession,
    days: Days,
) -> Result<BTreeMap<NaiveDate, Score>> {
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
    let per_day = batch
        .bronze_days(session, days)
        .group_by([col("event_date")])
        .agg(aggs);
    let rows = Rows::new(per_day.collect().await?);
    let mut scores: BTreeMap<NaiveDate, Score> = days.iter().map(|d| (d, Score::empty())).collect();
    for row in rows.iter() {
        let date = row.get::<NaiveDate>("event_date")?;
        let total = row.get::<i64>("total")?;
        let invalid = row.get::<Option<i64>>("invalid")?.unwrap_or(0);
        let failures = rules
            .iter()
            .map(|(name, _)| Ok((name.to_string(), row.get::<Option<i64>>(name)?.unwrap_or(0))))
            .collect::<Result<Vec<_>>>()?;
        scores.insert(
            date,
            Score {
                total,
                valid: total - invalid,
                failures,
            },
        );
    }
    Ok(scores)
}

/// Runs the check for day D (holding the day's lock), records it, and decides the outcome.
pub async fn run(config: &QualityConfig) -> Result<Outcome> {
    let date = config.day.date;
    let lock = DayLocks::acquire(&config.database, [date]).await?;
    let batch = config.day.batch.reading_bronze_as_of(&config.as_of);
    let session = batch.session().await?;
    let mut scores = scores(&batch, &session, Days::one(date)).await?;
    let score = scores.remove(&date).unwrap_or_else(Score::empty);
    let verdict = config.gate.judge(date, score);
    let pool = db::connect(&config.database).await?;
    verdict.record(&pool).await?;
    lock.release().await?;
    let note = batch.as_of_note();
    Ok(match verdict.failure() {
        Some(why) => Outcome::Failed(format!("{why}{note}")),
        None => Outcome::Done(format!("{}{note}", verdict.summary())),
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
    fn a_day_passes_at_the_threshold_and_an_empty_day_only_when_allowed() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let gate = QualityGate {
            threshold: 95.0,
            allow_empty: false,
        };
        let score = |total, valid| Score {
            total,
            valid,
            failures: vec![("from.address".into(), total - valid)],
        };
        assert!(gate.judge(day, score(100, 95)).passed);
        let low = gate.judge(day, score(20, 17));
        assert!(!low.passed);
        assert_eq!(
            low.failure().unwrap(),
            "quality of 2026-11-28: 85.00% (17 of 20 records valid; threshold 95.00%); \
             from.address: 3 — below the threshold"
        );
        let empty = gate.judge(day, Score::empty());
        assert!(!empty.passed && empty.empty);
        let quiet = QualityGate {
            allow_empty: true,
            ..gate
        };
        assert!(quiet.judge(day, Score::empty()).passed);
    }

    #[test]
    fn every_counted_rule_is_a_rule_of_the_contract() {
        let names: Vec<&str> = rules().iter().map(|(name, _)| *name).collect();
        assert!(names.contains(&"from.address") && names.contains(&"future_date"));
        assert!(!names.contains(&"json"));
    }
}
