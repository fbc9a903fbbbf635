//! `mindy batch aggregate --date D`: day D's statistics, computed on the cluster, into
//! `<lake>/gold/daily_summary` — one row per day, partitioned by `date`. Re-running a date
//! replaces that date's partition only (Delta `replaceWhere`), so the job is idempotent.

use clap::Args;
use spark_client::dataframe::SaveMode;

use crate::arrow_rows::{required, Rows};
use crate::Result;

use super::{DayArgs, Outcome};

/// Settings of `mindy batch aggregate`.
#[derive(Debug, Clone, Args)]
pub struct AggregateConfig {
    /// The day, Spark and the lake.
    #[command(flatten)]
    pub day: DayArgs,
}

/// The day's statistics over the temp view `bronze_day`: totals, the hourly histogram in the
/// user's timezone, the busiest hour (the earliest on ties) and the top 10 sender domains (by
/// count, then name). Mail re-delivered after the stream's de-duplication window is counted once
/// here, by id.
const DAILY_SUMMARY: &str = "
WITH day AS (
  SELECT *, hour(from_utc_timestamp(event_time, :tz)) AS local_hour
  FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY kafka_timestamp) AS copy FROM bronze_day)
  WHERE copy = 1
),
hourly AS (SELECT local_hour AS hour, count(*) AS email_count FROM day GROUP BY local_hour),
domains AS (
  SELECT sender_domain, count(*) AS email_count,
         row_number() OVER (ORDER BY count(*) DESC, sender_domain) AS rank
  FROM day GROUP BY sender_domain
)
SELECT
  :day AS date,
  (SELECT count(*) FROM day) AS total_emails,
  (SELECT count(DISTINCT from_address) FROM day) AS unique_senders,
  (SELECT count_if(is_important) FROM day) AS important_emails,
  (SELECT avg(email_length) FROM day) AS avg_email_length,
  (SELECT hour FROM hourly ORDER BY email_count DESC, hour LIMIT 1) AS busiest_hour,
  (SELECT max(email_count) FROM hourly) AS busiest_hour_emails,
  (SELECT array_sort(collect_list(named_struct('hour', hour, 'email_count', email_count))) FROM hourly)
    AS hourly_counts,
  (SELECT array_sort(collect_list(named_struct('rank', rank, 'sender_domain', sender_domain, 'email_count', email_count)))
     FROM domains WHERE rank <= 10) AS top_domains,
  current_timestamp() AS computed_at
";

/// Computes day D and replaces its gold partition.
pub async fn run(config: &AggregateConfig) -> Result<Outcome> {
    let day = &config.day;
    let session = day.session().await?;
    day.bronze_day(&session)
        .create_or_replace_temp_view("bronze_day")
        .await?;
    let summary = session
        .sql(DAILY_SUMMARY)
        .arg("day", day.date)
        .arg("tz", day.timezone.as_str())
        .await?;
    summary
        .write()
        .format("delta")
        .mode(SaveMode::Overwrite)
        .option("replaceWhere", format!("date = DATE'{}'", day.date))
        .partition_by(["date"])
        .save(day.gold_path())
        .await?;
    let written = day.gold_day(&session).select([
        "total_emails",
        "unique_senders",
        "important_emails",
        "busiest_hour",
    ]);
    let rows = Rows::new(written.collect().await?);
    let row = rows.iter().next().expect("the partition just written");
    let hour = row
        .i64("busiest_hour")?
        .map_or("-".into(), |h| format!("{h:02}:00"));
    Ok(Outcome::Done(format!(
        "gold {}: {} emails, {} senders, {} important, busiest hour {hour}",
        day.date,
        required(row.i64("total_emails")?, "total_emails")?,
        required(row.i64("unique_senders")?, "unique_senders")?,
        required(row.i64("important_emails")?, "important_emails")?,
    )))
}
