//! `mindy batch aggregate --date D`: day D's statistics, computed on the cluster, into
//! `<lake>/gold/daily_summary` — one row per day, partitioned by `date`. Re-running a date
//! replaces that date's partition only (Delta `replaceWhere`), so the job is idempotent.
//!
//! The same query computes any range of days at once (one row per day, empty days included), which
//! is what [`super::backfill`] uses; the daily job is the range of one day.

use chrono::NaiveDate;
use clap::Args;
use spark_client::dataframe::SaveMode;
use spark_client::functions::{col, lit};
use spark_client::{DataFrame, SparkSession};

use crate::Result;
use mindy_core::config::DatabaseArgs;
use spark_client::rows::Rows;

use super::lock::DayLocks;
use super::{delta, BatchArgs, BronzeAsOf, DayArgs, Days, Outcome};

/// Settings of `mindy batch aggregate`.
#[derive(Debug, Clone, Args)]
pub struct AggregateConfig {
    /// The day, Spark and the lake.
    #[command(flatten)]
    pub day: DayArgs,
    /// Where the day's lock is taken (so two runs of the same day never write at once).
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The bronze version to aggregate.
    #[command(flatten)]
    pub as_of: BronzeAsOf,
}

/// Each day's statistics over the temp view `bronze_days` (bronze rows of `:first`..`:last`):
/// totals, the hourly histogram in the user's timezone (`:tz`), the busiest hour (the earliest on
/// ties) and the top 10 sender domains (by count, then name). One row per day of the range, with
/// zeros and empty lists for a day without mail. Mail re-delivered after the stream's
/// de-duplication window is counted once per day, by id. This query is the gold table's schema.
const DAILY_SUMMARY: &str = "
WITH mail AS (
  SELECT event_date AS date, from_address, sender_domain, is_important, email_length,
         hour(from_utc_timestamp(event_time, :tz)) AS local_hour
  FROM (SELECT *, row_number() OVER (PARTITION BY event_date, id ORDER BY kafka_timestamp) AS copy
        FROM bronze_days)
  WHERE copy = 1
),
days AS (SELECT explode(sequence(:first, :last, INTERVAL 1 DAY)) AS date),
totals AS (
  SELECT date, count(*) AS total_emails, count(DISTINCT from_address) AS unique_senders,
         count_if(is_important) AS important_emails, avg(email_length) AS avg_email_length
  FROM mail GROUP BY date
),
hourly AS (
  SELECT date, local_hour AS hour, count(*) AS email_count,
         row_number() OVER (PARTITION BY date ORDER BY count(*) DESC, local_hour) AS rank
  FROM mail GROUP BY date, local_hour
),
hours AS (
  SELECT date, min_by(hour, rank) AS busiest_hour, max(email_count) AS busiest_hour_emails,
         array_sort(collect_list(named_struct('hour', hour, 'email_count', email_count))) AS hourly_counts
  FROM hourly GROUP BY date
),
domains AS (
  SELECT date, sender_domain, count(*) AS email_count,
         row_number() OVER (PARTITION BY date ORDER BY count(*) DESC, sender_domain) AS rank
  FROM mail GROUP BY date, sender_domain
),
top AS (
  SELECT date,
         array_sort(collect_list(named_struct('rank', rank, 'sender_domain', sender_domain,
                                              'email_count', email_count))) AS top_domains
  FROM domains WHERE rank <= 10 GROUP BY date
)
SELECT
  date,
  coalesce(total_emails, 0) AS total_emails,
  coalesce(unique_senders, 0) AS unique_senders,
  coalesce(important_emails, 0) AS important_emails,
  avg_email_length,
  busiest_hour,
  busiest_hour_emails,
  coalesce(hourly_counts, array()) AS hourly_counts,
  coalesce(top_domains, array()) AS top_domains,
  current_timestamp() AS computed_at
FROM days LEFT JOIN totals USING (date) LEFT JOIN hours USING (date) LEFT JOIN top USING (date)
";

/// One day's headline numbers as written to gold.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// The day.
    pub date: NaiveDate,
    /// Emails received.
    pub total_emails: i64,
    /// Distinct sender addresses.
    pub unique_senders: i64,
    /// Emails flagged important.
    pub important_emails: i64,
    /// The busiest hour of the day (user's timezone), if any mail came.
    pub busiest_hour: Option<i64>,
}

impl std::fmt::Display for Headline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hour = self
            .busiest_hour
            .map_or("-".into(), |h| format!("{h:02}:00"));
        write!(
            f,
            "gold {}: {} emails, {} senders, {} important, busiest hour {hour}",
            self.date, self.total_emails, self.unique_senders, self.important_emails
        )
    }
}

/// The statistics of every day of `days` (a lazy plan; it reads bronze when run).
pub async fn summary(batch: &BatchArgs, session: &SparkSession, days: Days) -> Result<DataFrame> {
    batch
        .bronze_days(session, days)
        .create_or_replace_temp_view("bronze_days")
        .await?;
    Ok(session
        .sql(DAILY_SUMMARY)
        .arg("first", days.first)
        .arg("last", days.last)
        .arg("tz", batch.timezone.as_str())
        .await?)
}

/// Creates `<lake>/gold/daily_summary` if it does not exist yet — with the change data feed on
/// and the schema of [`DAILY_SUMMARY`] — so that no writer creates it by being first.
pub async fn ensure_gold(batch: &BatchArgs, session: &SparkSession) -> Result<()> {
    let day = Days::one(NaiveDate::default());
    summary(batch, session, day)
        .await?
        .create_or_replace_temp_view("gold_schema")
        .await?;
    delta::create_table(session, &batch.gold_path(), "gold_schema", "date").await
}

/// Computes the statistics of `dates` (days within `days`) and replaces their gold partitions,
/// creating the table first if needed; returns what was written, in date order. The caller holds
/// the days' locks.
pub async fn write_days(
    batch: &BatchArgs,
    session: &SparkSession,
    days: Days,
    dates: &[NaiveDate],
) -> Result<Vec<Headline>> {
    if dates.is_empty() {
        return Ok(Vec::new());
    }
    ensure_gold(batch, session).await?;
    let chosen = || col("date").is_in(dates.iter().map(|d| lit(*d)).collect::<Vec<_>>());
    let replace = dates
        .iter()
        .map(|d| format!("DATE'{d}'"))
        .collect::<Vec<_>>()
        .join(", ");
    delta::retry_conflicts("writing gold", || async {
        summary(batch, session, days)
            .await?
            .filter(chosen())
            .write()
            .format("delta")
            .mode(SaveMode::Overwrite)
            .option("replaceWhere", format!("date IN ({replace})"))
            .partition_by(["date"])
            .save(batch.gold_path())
            .await?;
        Ok(())
    })
    .await?;
    headlines(batch, session, days, dates).await
}

/// The headline numbers of `dates` as gold holds them now.
async fn headlines(
    batch: &BatchArgs,
    session: &SparkSession,
    days: Days,
    dates: &[NaiveDate],
) -> Result<Vec<Headline>> {
    let written = batch
        .gold_days(session, days)
        .filter(col("date").is_in(dates.iter().map(|d| lit(*d)).collect::<Vec<_>>()))
        .select([
            "date",
            "total_emails",
            "unique_senders",
            "important_emails",
            "busiest_hour",
        ])
        .order_by([col("date")]);
    let rows = Rows::new(written.collect().await?);
    rows.iter()
        .map(|row| {
            Ok(Headline {
                date: row.get::<NaiveDate>("date")?,
                total_emails: row.get::<i64>("total_emails")?,
                unique_senders: row.get::<i64>("unique_senders")?,
                important_emails: row.get::<i64>("important_emails")?,
                busiest_hour: row.get::<Option<i64>>("busiest_hour")?,
            })
        })
        .collect()
}

/// Computes day D and replaces its gold partition, holding the day's lock.
pub async fn run(config: &AggregateConfig) -> Result<Outcome> {
    let date = config.day.date;
    let batch = &config.day.batch.reading_bronze_as_of(&config.as_of);
    let lock = DayLocks::acquire(&config.database, [date]).await?;
    let session = batch.session().await?;
    let written = write_days(batch, &session, Days::one(date), &[date]).await?;
    lock.release().await?;
    let headline = written.first().ok_or_else(|| {
        crate::Error::unexpected(
            "spark",
            format!("gold has no row for {date} after writing it"),
        )
    })?;
    Ok(Outcome::Done(format!("{headline}{}", batch.as_of_note())))
}
