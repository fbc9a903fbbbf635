//! `mindy batch export --date D`: day D's gold row, read through Spark Connect (Arrow), upserted
//! into PostgreSQL's serving tables in one transaction: `daily_insights` (one row per day),
//! `daily_sender_domains` and `daily_hourly_counts` (replaced for the day). Re-running a date
//! leaves exactly one set of rows.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use clap::Args;
use spark_client::SparkSession;

use crate::Result;
use mindy_core::config::DatabaseArgs;
use mindy_core::db;
use spark_client::rows::Rows;

use super::lock::DayLocks;
use super::{BatchArgs, DayArgs, Days, Outcome};

/// Settings of `mindy batch export`.
#[derive(Debug, Clone, Args)]
pub struct ExportConfig {
    /// The day, Spark and the lake.
    #[command(flatten)]
    pub day: DayArgs,
    /// The serving database.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Day D as the serving tables hold it.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyInsight {
    /// The day.
    pub date: NaiveDate,
    /// Emails received.
    pub total_emails: i64,
    /// Distinct sender addresses.
    pub unique_senders: i64,
    /// Emails flagged important.
    pub important_emails: i64,
    /// Mean body length in characters.
    pub avg_email_length: Option<f64>,
    /// Hour of the day (user's timezone) with the most email.
    pub busiest_hour: Option<i64>,
    /// Emails in that hour.
    pub busiest_hour_emails: i64,
    /// (hour, emails) for each hour with mail.
    pub hourly: Vec<(i64, i64)>,
    /// (rank, domain, emails) for the top 10 sender domains.
    pub top_domains: Vec<(i64, String, i64)>,
}

/// Reads the gold rows of `days` (the days gold holds, in date order), in three queries
/// whatever the number of days.
pub async fn read_gold(
    session: &SparkSession,
    batch: &BatchArgs,
    days: Days,
) -> Result<Vec<DailyInsight>> {
    let gold = batch.gold_days(session, days);
    let mut hourly: BTreeMap<NaiveDate, Vec<(i64, i64)>> = BTreeMap::new();
    let rows = Rows::new(
        gold.select_expr(["date", "inline(hourly_counts)"])
            .collect()
            .await?,
    );
    for r in rows.iter() {
        hourly
            .entry(r.get::<NaiveDate>("date")?)
            .or_default()
            .push((r.get::<i64>("hour")?, r.get::<i64>("email_count")?));
    }
    let mut top: BTreeMap<NaiveDate, Vec<(i64, String, i64)>> = BTreeMap::new();
    let rows = Rows::new(
        gold.select_expr(["date", "inline(top_domains)"])
            .collect()
            .await?,
    );
    for r in rows.iter() {
        top.entry(r.get::<NaiveDate>("date")?).or_default().push((
            r.get::<i64>("rank")?,
            r.get::<String>("sender_domain")?,
            r.get::<i64>("email_count")?,
        ));
    }
    let totals = Rows::new(gold.collect().await?);
    let mut insights = totals
        .iter()
        .map(|row| {
            let date = row.get::<NaiveDate>("date")?;
            let mut hourly = hourly.remove(&date).unwrap_or_default();
            hourly.sort();
            let mut top_domains = top.remove(&date).unwrap_or_default();
            top_domains.sort();
            Ok(DailyInsight {
                date,
                total_emails: row.get::<i64>("total_emails")?,
                unique_senders: row.get::<i64>("unique_senders")?,
                important_emails: row.get::<i64>("important_emails")?,
                avg_email_length: row.get::<Option<f64>>("avg_email_length")?,
                busiest_hour: row.get::<Option<i64>>("busiest_hour")?,
                busiest_hour_emails: row.get::<Option<i64>>("busiest_hour_emails")?.unwrap_or(0),
                hourly,
                top_domains,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    insights.sort_by_key(|d| d.date);
    Ok(insights)
}

/// The day's row of `daily_insights`, inserted or replaced.
const UPSERT_INSIGHTS: &str = "INSERT INTO daily_insights (date, total_emails, unique_senders, \
         important_emails, busiest_hour, busiest_hour_emails, avg_email_length, exported_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, now()) \
     ON CONFLICT (date) DO UPDATE SET total_emails = EXCLUDED.total_emails, \
         unique_senders = EXCLUDED.unique_senders, important_emails = EXCLUDED.important_emails, \
         busiest_hour = EXCLUDED.busiest_hour, busiest_hour_emails = EXCLUDED.busiest_hour_emails, \
         avg_email_length = EXCLUDED.avg_email_length, exported_at = now()";
const DELETE_HOURS: &str = "DELETE FROM daily_hourly_counts WHERE date = $1";
const INSERT_HOUR: &str =
    "INSERT INTO daily_hourly_counts (date, hour, email_count) VALUES ($1, $2, $3)";
const DELETE_DOMAINS: &str = "DELETE FROM daily_sender_domains WHERE date = $1";
const INSERT_DOMAIN: &str =
    "INSERT INTO daily_sender_domains (date, sender_domain, email_count, rank) \
     VALUES ($1, $2, $3, $4)";

/// Upserts one day into the serving tables, atomically.
pub async fn upsert(pool: &sqlx::PgPool, d: &DailyInsight) -> Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(UPSERT_INSIGHTS)
        .bind(d.date)
        .bind(d.total_emails)
        .bind(d.unique_senders)
        .bind(d.important_emails)
        .bind(d.busiest_hour.map(|h| h as i16))
        .bind(d.busiest_hour_emails)
        .bind(d.avg_email_length)
        .execute(&mut *tx)
        .await?;
    sqlx::query(DELETE_HOURS)
        .bind(d.date)
        .execute(&mut *tx)
        .await?;
    for (hour, n) in &d.hourly {
        sqlx::query(INSERT_HOUR)
            .bind(d.date)
            .bind(*hour as i16)
            .bind(*n)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(DELETE_DOMAINS)
        .bind(d.date)
        .execute(&mut *tx)
        .await?;
    for (rank, domain, n) in &d.top_domains {
        sqlx::query(INSERT_DOMAIN)
            .bind(d.date)
            .bind(domain)
            .bind(*n)
            .bind(*rank as i16)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Exports day D (holding the day's lock); a day without gold data is skipped (exit 99).
pub async fn run(config: &ExportConfig) -> Result<Outcome> {
    let date = config.day.date;
    let lock = DayLocks::acquire(&config.database, [date]).await?;
    let session = config.day.batch.session().await?;
    let Some(insight) = read_gold(&session, &config.day.batch, Days::one(date))
        .await?
        .pop()
    else {
        return Ok(Outcome::Skipped(format!(
            "no gold row for {date}: run `mindy batch aggregate` first"
        )));
    };
    let pool = db::connect(&config.database).await?;
    upsert(&pool, &insight).await?;
    lock.release().await?;
    Ok(Outcome::Done(format!(
        "exported {} to PostgreSQL: {} emails, {} hours, {} sender domains",
        insight.date,
        insight.total_emails,
        insight.hourly.len(),
        insight.top_domains.len()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_match_the_serving_schema() {
        for sql in [
            UPSERT_INSIGHTS,
            DELETE_HOURS,
            INSERT_HOUR,
            DELETE_DOMAINS,
            INSERT_DOMAIN,
        ] {
            mindy_core::serving::check_sql(sql).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}
