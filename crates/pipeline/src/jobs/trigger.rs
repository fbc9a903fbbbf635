//! `mindy airflow trigger DAG`: un-pause a DAG, run it (optionally for a given day) and follow
//! the run to the end, printing each task's state — what the demo uses to run the daily batch
//! now instead of at 02:00, and a handy way to re-run a day by hand.
//!
//! It never races the scheduler for a day. Un-pausing a DAG makes the scheduler start a run for
//! the latest due interval at once; when that interval is the requested day, the command follows
//! the scheduler's run instead of starting a second one. Likewise, a run that is already queued
//! or running for the day is followed, not doubled (`--new` starts one anyway; the batch jobs'
//! day locks keep even that safe).

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;

use crate::jobs::batch::Outcome;
use crate::{Error, Result};
use mindy_core::airflow::AirflowClient;
use mindy_core::config::AirflowArgs;

/// Settings of `mindy airflow trigger`.
#[derive(Debug, Clone, Args)]
pub struct TriggerConfig {
    /// The DAG to run, e.g. `daily_batch_dag`.
    pub dag_id: String,
    /// The day to process (sets `conf.date`; daily_batch_dag otherwise takes its data interval).
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// Extra run configuration, as a JSON object (merged with `--date`).
    #[arg(long, default_value = "{}")]
    pub conf: String,
    /// Start a new run even when one for the same day is queued or running, or the scheduler is
    /// about to start one.
    #[arg(long)]
    pub new: bool,
    /// Return once the run is queued instead of waiting for it.
    #[arg(long)]
    pub no_wait: bool,
    /// Give up waiting after this many seconds.
    #[arg(long, default_value_t = 1800)]
    pub timeout_secs: u64,
    /// The DAG's timezone (a scheduled run covers the day its data interval starts, there).
    #[arg(long, env = "USER_TIMEZONE", default_value = "UTC")]
    pub timezone: Tz,
    /// Airflow's API.
    #[command(flatten)]
    pub airflow: AirflowArgs,
}

/// What `/api/v2/dags/{dag_id}` says about the scheduler's next run (the fields used here).
#[derive(Debug, Deserialize)]
struct DagDetails {
    is_paused: bool,
    next_dagrun_logical_date: Option<DateTime<Utc>>,
    next_dagrun_data_interval_start: Option<DateTime<Utc>>,
    next_dagrun_run_after: Option<DateTime<Utc>>,
}

/// One run as `/api/v2/dags/{dag_id}/dagRuns` lists it (the fields used here).
#[derive(Debug, Deserialize)]
struct Run {
    dag_run_id: String,
    state: String,
    run_type: String,
    logical_date: Option<DateTime<Utc>>,
    data_interval_start: Option<DateTime<Utc>>,
    #[serde(default)]
    conf: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Runs {
    dag_runs: Vec<Run>,
}

impl Run {
    /// The day the run processes: `conf.date`, else its data interval's first day.
    fn day(&self, tz: Tz) -> Option<NaiveDate> {
        let from_conf = self
            .conf
            .as_ref()
            .and_then(|c| c.get("date"))
            .and_then(|d| d.as_str())
            .and_then(|d| d.parse().ok());
        from_conf.or_else(|| {
            self.data_interval_start
                .map(|t| t.with_timezone(&tz).date_naive())
        })
    }

    fn is_active(&self) -> bool {
        matches!(self.state.as_str(), "queued" | "running")
    }
}

/// Triggers (or adopts) the run and, unless `--no-wait`, waits for it.
pub async fn run(config: &TriggerConfig) -> Result<Outcome> {
    let mut conf: serde_json::Value = serde_json::from_str(&config.conf)
        .map_err(|e| Error::unexpected("airflow", format!("--conf is not JSON: {e}")))?;
    let client = AirflowClient::login(&config.airflow).await?;
    // Adopting another run is only right when the request is "run day D" and nothing more.
    let plain = conf.as_object().is_some_and(|c| c.is_empty()) && !config.new;
    let (run_id, how) = match config.date.filter(|_| plain) {
        Some(day) => match adopt(&client, config, day).await? {
            Some(adopted) => adopted,
            None => (start(&client, config, &mut conf).await?, "triggered"),
        },
        None => (start(&client, config, &mut conf).await?, "triggered"),
    };
    if config.no_wait {
        return Ok(Outcome::Done(format!(
            "{how} {} run {run_id}",
            config.dag_id
        )));
    }
    let state = follow(&client, config, &run_id).await?;
    let mut tries = 0;
    let tasks = loop {
        match client.task_instances(&config.dag_id, &run_id).await {
            Err(e) if e.is_transient() && tries < 5 => {
                tries += 1;
                tracing::warn!(error = %e, "Airflow's API did not answer; asking again");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            other => break other?,
        }
    };
    let lines: Vec<String> = tasks
        .iter()
        .map(|t| {
            format!(
                "  {:<22} {}",
                t.task_id,
                t.state.as_deref().unwrap_or("none")
            )
        })
        .collect();
    let summary = format!(
        "{} run {run_id} ({how}): {state}\n{}",
        config.dag_id,
        lines.join("\n")
    );
    Ok(if state == "success" {
        Outcome::Done(summary)
    } else {
        Outcome::Failed(summary)
    })
}

/// Un-pauses the DAG and triggers a run with `conf` (plus `--date`); returns its id.
async fn start(
    client: &AirflowClient,
    config: &TriggerConfig,
    conf: &mut serde_json::Value,
) -> Result<String> {
    if let Some(date) = config.date {
        conf["date"] = date.to_string().into();
    }
    client.set_paused(&config.dag_id, false).await?;
    Ok(client.trigger(&config.dag_id, conf.clone()).await?)
}

/// A run of `day` that is already queued or running, or the one the scheduler starts for `day`
/// when the DAG is un-paused; `None` when there is none (the caller triggers one).
async fn adopt(
    client: &AirflowClient,
    config: &TriggerConfig,
    day: NaiveDate,
) -> Result<Option<(String, &'static str)>> {
    let dag_path = format!("/api/v2/dags/{}", config.dag_id);
    let dag: DagDetails = client.get(&dag_path).await?;
    let runs = recent_runs(client, &config.dag_id).await?;
    if let Some(active) = runs
        .iter()
        .find(|r| r.is_active() && r.day(config.timezone) == Some(day))
    {
        client.set_paused(&config.dag_id, false).await?;
        return Ok(Some((
            active.dag_run_id.clone(),
            "already running for that day",
        )));
    }
    let due = dag.next_dagrun_run_after.is_some_and(|t| t <= Utc::now());
    let next_day = dag
        .next_dagrun_data_interval_start
        .map(|t| t.with_timezone(&config.timezone).date_naive());
    // A due next run is started by the scheduler as soon as the DAG is (or, when it is already
    // un-paused, within a scheduler loop): follow it rather than start a second run of the day.
    let Some(logical) = dag.next_dagrun_logical_date.filter(|_| due) else {
        return Ok(None);
    };
    if next_day != Some(day) {
        return Ok(None);
    }
    if dag.is_paused {
        tracing::info!(%day, "un-pausing: the scheduler starts its own run for this day; following it");
    }
    client.set_paused(&config.dag_id, false).await?;
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let runs = recent_runs(client, &config.dag_id).await?;
        if let Some(scheduled) = runs
            .iter()
            .find(|r| r.run_type == "scheduled" && r.logical_date == Some(logical))
        {
            return Ok(Some((scheduled.dag_run_id.clone(), "the scheduler's run")));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    tracing::warn!(%day, "the scheduler did not start its run within 2 minutes; triggering one");
    Ok(None)
}

async fn recent_runs(client: &AirflowClient, dag_id: &str) -> Result<Vec<Run>> {
    let path = format!("/api/v2/dags/{dag_id}/dagRuns?limit=50&order_by=-run_after");
    Ok(client.get::<Runs>(&path).await?.dag_runs)
}

/// Polls the run, showing the running tasks on a spinner, until it succeeds or fails.
async fn follow(client: &AirflowClient, config: &TriggerConfig, run_id: &str) -> Result<String> {
    let spinner = ProgressBar::new_spinner();
    spinner
        .set_style(ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}").expect("template"));
    spinner.enable_steady_tick(Duration::from_millis(200));
    let deadline = Instant::now() + Duration::from_secs(config.timeout_secs);
    loop {
        // Airflow's API server may be restarting or too busy to answer within the client's
        // timeout; the run goes on regardless, so a transient failure is retried until the
        // deadline rather than ending the wait.
        let state = match client.run_state(&config.dag_id, run_id).await {
            Ok(state) => state,
            Err(e) if e.is_transient() && Instant::now() < deadline => {
                tracing::warn!(error = %e, "Airflow's API did not answer; asking again");
                spinner.set_message(format!(
                    "{} (Airflow's API did not answer: {e})",
                    config.dag_id
                ));
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if matches!(state.as_str(), "success" | "failed") {
            spinner.finish_and_clear();
            return Ok(state);
        }
        let tasks = client
            .task_instances(&config.dag_id, run_id)
            .await
            .unwrap_or_default();
        let running: Vec<&str> = tasks
            .iter()
            .filter(|t| matches!(t.state.as_deref(), Some("running" | "queued" | "scheduled")))
            .map(|t| t.task_id.as_str())
            .collect();
        spinner.set_message(format!("{} {state}: {}", config.dag_id, running.join(", ")));
        if Instant::now() > deadline {
            spinner.finish_and_clear();
            return Err(Error::timeout(
                format!("{} run {run_id}", config.dag_id),
                Duration::from_secs(config.timeout_secs),
            ));
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(conf: serde_json::Value, interval_start: &str) -> Run {
        Run {
            dag_run_id: "r".into(),
            state: "running".into(),
            run_type: "manual".into(),
            logical_date: None,
            data_interval_start: Some(interval_start.parse().unwrap()),
            conf: Some(conf),
        }
    }

    #[test]
    fn a_run_covers_its_conf_date_else_its_interval_day_in_the_dags_timezone() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let by_conf = run(
            serde_json::json!({"date": "2026-11-20"}),
            "2026-11-27T01:00:00Z",
        );
        assert_eq!(by_conf.day(paris), Some(d("2026-11-20")));
        // 02:00 in Paris on the 28th is 01:00 UTC: the interval starts on the 28th there.
        let scheduled = run(serde_json::json!({}), "2026-11-28T01:00:00Z");
        assert_eq!(scheduled.day(paris), Some(d("2026-11-28")));
        assert_eq!(scheduled.day(Tz::UTC), Some(d("2026-11-28")));
        let late_evening = run(serde_json::json!({}), "2026-11-27T23:30:00Z");
        assert_eq!(late_evening.day(paris), Some(d("2026-11-28")));
        assert_eq!(late_evening.day(Tz::UTC), Some(d("2026-11-27")));
    }
}
