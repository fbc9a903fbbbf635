//! `mindy batch report --date D`: a summary email of day D's run — each task's state and
//! duration (from Airflow's API), the quality score and the day's headline numbers (from
//! PostgreSQL) — sent over SMTP. When a task of the run failed, the email says which, and the
//! job exits 1 after sending it, so the DAG run is marked failed.

use chrono::NaiveDate;
use clap::Args;
use lettre::message::Mailbox;
use lettre::{AsyncTransport, Message};
use std::fmt::Write as _;

use crate::{Error, Result};
use mindy_core::airflow::{AirflowClient, TaskInstance};
use mindy_core::config::{AirflowArgs, DatabaseArgs};
use mindy_core::db;
use mindy_core::smtp::SmtpServerArgs;

use super::Outcome;

/// Where and how the report is sent.
#[derive(Debug, Clone, Args)]
pub struct SmtpArgs {
    /// The SMTP server.
    #[command(flatten)]
    pub server: SmtpServerArgs,
    /// Sender address of the report.
    #[arg(
        long = "report-from",
        env = "MINDY_REPORT_FROM",
        default_value = "Mini-Mindy <mindy@localhost>"
    )]
    pub from: String,
    /// Recipient of the report.
    #[arg(long = "report-to", env = "MINDY_REPORT_TO")]
    pub to: String,
}

/// Settings of `mindy batch report`.
#[derive(Debug, Clone, Args)]
pub struct ReportConfig {
    /// The day (YYYY-MM-DD) the run processed.
    #[arg(long)]
    pub date: NaiveDate,
    /// The Airflow DAG and run to report on; without them, only the day's numbers are sent.
    #[arg(long, requires = "run_id")]
    pub dag_id: Option<String>,
    /// The Airflow run id (`{{ run_id }}`).
    #[arg(long)]
    pub run_id: Option<String>,
    /// The serving database (quality score and numbers).
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Airflow's API (task states).
    #[command(flatten)]
    pub airflow: AirflowArgs,
    /// SMTP settings.
    #[command(flatten)]
    pub smtp: SmtpArgs,
}

/// The report's text and whether the run failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Tasks that failed (or could not run because an upstream task failed).
    pub failed_tasks: Vec<String>,
}

/// Gathers the run's facts and writes the report.
pub async fn compose(config: &ReportConfig) -> Result<Report> {
    let tasks = match (&config.dag_id, &config.run_id) {
        (Some(dag), Some(run)) => {
            let client = AirflowClient::login(&config.airflow).await?;
            let mut tasks = client.task_instances(dag, run).await?;
            tasks.retain(|t| t.task_id != "send_email_report");
            tasks
        }
        _ => Vec::new(),
    };
    let pool = db::connect(&config.database).await?;
    let mut body = format!("Mini-Mindy daily batch for {}", config.date);
    if let Some(run) = &config.run_id {
        let _ = write!(body, " (Airflow run {run})");
    }
    body.push_str("\n\n");
    write_tasks(&mut body, &tasks);
    write_quality(&mut body, &pool, config.date).await?;
    write_numbers(&mut body, &pool, config.date).await?;
    let failed_tasks: Vec<String> = tasks
        .iter()
        .filter(|t| matches!(t.state.as_deref(), Some("failed" | "upstream_failed")))
        .map(|t| t.task_id.clone())
        .collect();
    let subject = match failed_tasks.first() {
        None => format!("Mini-Mindy daily batch {}: success", config.date),
        Some(first) => format!("Mini-Mindy daily batch {}: FAILED at {first}", config.date),
    };
    Ok(Report {
        subject,
        body,
        failed_tasks,
    })
}

fn write_tasks(body: &mut String, tasks: &[TaskInstance]) {
    if tasks.is_empty() {
        return;
    }
    body.push_str("Tasks:\n");
    for t in tasks {
        let duration = t.duration.map_or("-".to_string(), |d| format!("{d:.1} s"));
        let _ = writeln!(
            body,
            "  {:<22} {:<16} {duration}",
            t.task_id,
            t.state.as_deref().unwrap_or("none")
        );
    }
    body.push('\n');
}

/// The day's latest quality check.
const SELECT_QUALITY: &str = "SELECT score_pct, valid_records, total_records, threshold_pct, \
     failed_rules FROM quality_scores WHERE date = $1 ORDER BY checked_at DESC LIMIT 1";
/// The day's numbers.
const SELECT_DAY: &str = "SELECT total_emails, unique_senders, important_emails, busiest_hour, \
     busiest_hour_emails FROM daily_insights WHERE date = $1";
/// The day's top five sender domains.
const SELECT_DOMAINS: &str = "SELECT sender_domain, email_count FROM daily_sender_domains \
     WHERE date = $1 ORDER BY rank LIMIT 5";

async fn write_quality(body: &mut String, pool: &sqlx::PgPool, date: NaiveDate) -> Result<()> {
    let score: Option<(f64, i64, i64, f64, serde_json::Value)> = sqlx::query_as(SELECT_QUALITY)
        .bind(date)
        .fetch_optional(pool)
        .await?;
    match score {
        Some((pct, valid, total, threshold, rules)) => {
            let _ = writeln!(
                body,
                "Quality: {pct:.2}% ({valid} of {total} records valid; threshold {threshold:.2}%)"
            );
            if let Some(rules) = rules.as_object().filter(|r| !r.is_empty()) {
                let list: Vec<String> = rules.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                let _ = writeln!(body, "Failing rules: {}", list.join(", "));
            }
        }
        None => body.push_str("Quality: not checked\n"),
    }
    Ok(())
}

async fn write_numbers(body: &mut String, pool: &sqlx::PgPool, date: NaiveDate) -> Result<()> {
    let day: Option<(i64, i64, i64, Option<i16>, i64)> = sqlx::query_as(SELECT_DAY)
        .bind(date)
        .fetch_optional(pool)
        .await?;
    let Some((total, senders, important, hour, hour_emails)) = day else {
        body.push_str("Numbers: not exported for this day\n");
        return Ok(());
    };
    let hour = hour.map_or("-".to_string(), |h| {
        format!("{h:02}:00 ({hour_emails} emails)")
    });
    let _ = writeln!(
        body,
        "Emails received: {total}\nUnique senders: {senders}\nImportant: {important}\nBusiest hour: {hour}"
    );
    let domains: Vec<(String, i64)> = sqlx::query_as(SELECT_DOMAINS)
        .bind(date)
        .fetch_all(pool)
        .await?;
    if !domains.is_empty() {
        let list: Vec<String> = domains.iter().map(|(d, n)| format!("{d} ({n})")).collect();
        let _ = writeln!(body, "Top sender domains: {}", list.join(", "));
    }
    Ok(())
}

/// Sends `report` with the configured SMTP server.
pub async fn send(smtp: &SmtpArgs, report: &Report) -> Result<()> {
    let mailbox = |text: &str| -> Result<Mailbox> {
        text.parse()
            .map_err(|e| Error::unexpected("smtp", format!("bad address {text:?}: {e}")))
    };
    let message = Message::builder()
        .from(mailbox(&smtp.from)?)
        .to(mailbox(&smtp.to)?)
        .subject(&report.subject)
        .body(report.body.clone())
        .map_err(|e| Error::unexpected("smtp", format!("building the message: {e}")))?;
    let transport = smtp.server.transport()?;
    transport.send(message).await.map_err(|e| {
        Error::unexpected(
            "smtp",
            format!("sending to {}:{}: {e}", smtp.server.host, smtp.server.port),
        )
    })?;
    Ok(())
}

/// Composes and sends the report; fails (exit 1) after sending when the run had a failure.
pub async fn run(config: &ReportConfig) -> Result<Outcome> {
    let report = compose(config).await?;
    send(&config.smtp, &report).await?;
    Ok(match report.failed_tasks.first() {
        None => Outcome::Done(format!(
            "report sent to {}: {}",
            config.smtp.to, report.subject
        )),
        Some(task) => Outcome::Failed(format!(
            "report sent to {}; the run failed at {task}",
            config.smtp.to
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_match_the_serving_schema() {
        for sql in [SELECT_QUALITY, SELECT_DAY, SELECT_DOMAINS] {
            mindy_core::serving::check_sql(sql).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}
