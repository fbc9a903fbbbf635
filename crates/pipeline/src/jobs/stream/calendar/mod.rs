//! The calendar's part of `mindy stream`: Structured Streaming from `processed-calendar-topic`
//! into `bronze/calendar_changes` (append, exactly once with its checkpoint) and
//! `bronze/calendar_quarantine` ([`plan`]); then, in rounds, `MERGE` into
//! `bronze/calendar_events` ([`merge`]) and the silver ([`silver`]) and gold ([`gold`]) tables
//! recomputed from it and synced by key.
//!
//! Why rounds instead of a streaming sink: upserts need `MERGE`, and a stream cannot run one
//! per micro-batch from Rust (`foreachBatch` carries Python or Scala code). A round starts as
//! soon as the changes table has a new version (polled every [`POLL`]) and merges it into
//! `bronze/calendar_events`, which the exporter serves as `calendar_events`.
//!
//! Running continuously, the silver and gold recompute (about a minute on the two-core stack:
//! eight keyed syncs) runs beside the rounds, on a Spark session and a task of its own: an
//! event that arrives while the days are recomputed is merged and served at once instead of
//! waiting for them, and a recompute starts again when one ends with newer events merged (a
//! burst of changes is recomputed once). With `--available-now` the round and the recompute
//! run one after the other.
//!
//! A recompute that would write nothing new is skipped ([`LAST_RECOMPUTE`]): the demo run again,
//! a re-import of an unchanged calendar, the stream restarted by its supervisor.
//!
//! [`seed`] fills the same tables from an `.ics` document without Kafka, for tests.
//!
//! The calendar runs on a Spark session of its own, with the session time zone set to UTC (the
//! SQL turns instants into the user's wall-clock time explicitly) and change data feed on for
//! every table it creates (the exporter reads each table's change feed).

pub mod gold;
pub mod merge;
pub mod plan;
pub mod seed;
pub mod silver;

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use clap::Args;
use spark_client::streaming::{OutputMode, StreamingQuery};
use spark_client::{DataFrame, SparkSession};
use tokio::task::JoinHandle;

use super::summary::{self, TableRows};
use super::{monitor, StreamConfig, StreamReport};
use crate::jobs::enrich::delta;
use crate::jobs::last_run;
use crate::shutdown::Shutdown;
use crate::{Error, Result};
use mindy_core::config::{CalendarTopicArgs, RecordType};
use mindy_core::lake::{self, LakeTable};
use silver::WorkingHours;

/// The property of `gold/calendar_one_on_ones` (the table a recompute writes last) recording the
/// last complete recompute ([`last_run`]). Its fingerprint covers what silver and gold are
/// computed from: the as-of day, the zone, the working hours, the direct reports, and what bronze
/// holds — a digest of the events (each row's id and content fingerprint) and of the change
/// history gold reads for overruns (each distinct id, kind, status, `updated` and end). Not the
/// versions: every merge round commits to the events table (its merged-version property) even
/// when an unchanged re-import changed no row.
pub const LAST_RECOMPUTE: &str = "mindy.calendar.lastRecompute";

/// The digest of bronze behind [`LAST_RECOMPUTE`]: counts and sums of 64-bit hashes (as
/// decimals, which cannot overflow) over the events and the distinct change versions.
const BRONZE_DIGEST: &str = "
SELECT
  (SELECT count(*) FROM {events}) AS events,
  (SELECT CAST(sum(CAST(xxhash64(id, fingerprint) AS DECIMAL(38, 0))) AS STRING) FROM {events}) AS events_hash,
  (SELECT count(*) FROM (SELECT DISTINCT id, kind, status, updated, `end` FROM {changes})) AS versions,
  (SELECT CAST(sum(CAST(xxhash64(id, kind, status, updated, `end`) AS DECIMAL(38, 0))) AS STRING)
     FROM (SELECT DISTINCT id, kind, status, updated, `end` FROM {changes})) AS versions_hash
";

/// How often the driver looks for a new version of the changes table.
pub const POLL: Duration = Duration::from_secs(5);

/// How long a stop waits, once the queries have stopped, for a recompute still running (one
/// takes 30–60 s on the two-core stack); past it, the recompute is abandoned. Under the stack's
/// supervisor a stop has 30 s before it is killed (`stopwaitsecs`).
pub const FINISH_WAIT: Duration = Duration::from_secs(20);

/// Change data feed on for every table the calendar's session creates.
pub const CDF_DEFAULT: (&str, &str) = (
    "spark.databricks.delta.properties.defaults.enableChangeDataFeed",
    "true",
);

/// The calendar session's settings: change data feed on for its tables ([`CDF_DEFAULT`]), UTC as
/// the session zone (the SQL converts to the user's zone explicitly), and few shuffle
/// partitions: a person's calendar is small, and Spark's default of 200 made every round pay for
/// 200 tasks per shuffle on the two-core cluster (a round took minutes).
pub const SESSION_CONF: &[(&str, &str)] = &[
    CDF_DEFAULT,
    ("spark.sql.session.timeZone", "UTC"),
    ("spark.sql.shuffle.partitions", "4"),
];

/// A Spark session configured for the calendar ([`SESSION_CONF`]).
pub async fn session(remote: &str) -> Result<SparkSession> {
    let session = SparkSession::builder().remote(remote).build().await?;
    for (key, value) in SESSION_CONF {
        session.conf().set(key, value).await?;
    }
    Ok(session)
}

/// Settings of the calendar queries (flattened into `mindy stream`).
#[derive(Debug, Clone, Args)]
pub struct CalendarStreamArgs {
    /// Calendar topics (the stream reads `processed-calendar`).
    #[command(flatten)]
    pub topics: CalendarTopicArgs,
    /// The user's working hours, local time (free time and the share of hours in meetings).
    #[arg(
        long,
        env = "MINDY_WORKING_HOURS",
        default_value = "09:00-17:00",
        value_parser = silver::parse_working_hours
    )]
    pub working_hours: WorkingHours,
    /// The user's direct reports' addresses, comma-separated: listed in the 1-on-1 table even
    /// without any 1-on-1.
    #[arg(long, env = "MINDY_DIRECT_REPORTS", value_delimiter = ',')]
    pub direct_reports: Vec<String>,
    /// The day gold's 30-day patterns end on (YYYY-MM-DD); default: today in the user's zone.
    /// For reproducible runs of a pinned demo calendar.
    #[arg(long = "calendar-as-of")]
    pub as_of: Option<NaiveDate>,
}

impl CalendarStreamArgs {
    fn reports(&self) -> Vec<String> {
        self.direct_reports
            .iter()
            .map(|r| r.trim().to_lowercase())
            .filter(|r| !r.is_empty())
            .collect()
    }
}

/// Where the calendar's tables are.
#[derive(Debug, Clone)]
pub struct CalendarPaths {
    /// The lake settings.
    lake: mindy_core::config::LakeArgs,
    /// Checkpoints of the two streaming queries.
    pub checkpoints: String,
}

impl CalendarPaths {
    /// The calendar's tables under `config`'s lake, checkpoints under its checkpoint root.
    pub fn new(config: &StreamConfig) -> Self {
        CalendarPaths {
            lake: config.lake.clone(),
            checkpoints: format!("{}/calendar", config.paths().checkpoints),
        }
    }

    /// The location of one of the calendar's tables.
    pub fn of(&self, table: &LakeTable) -> String {
        self.lake.location(table)
    }
}

/// Starts the calendar's part on a task of its own when `--records` includes it.
pub async fn spawn(
    config: &StreamConfig,
    shutdown: &Shutdown,
    restarts: u32,
) -> Result<Option<CalendarTask>> {
    if !config.records.contains(&RecordType::Calendar) {
        return Ok(None);
    }
    mindy_core::kafka::require_topics(&config.kafka, &[&config.calendar.topics.processed]).await?;
    let (config, shutdown) = (config.clone(), shutdown.clone());
    Ok(Some(tokio::spawn(async move {
        let result = run(&config, &shutdown, restarts).await;
        if result.is_err() {
            // The mail queries stop too, so the process ends with this error.
            shutdown.trigger();
        }
        result
    })))
}

/// The calendar's part of a stream run: its tables and the rows each gained.
pub type CalendarTask = JoinHandle<Result<Vec<TableRows>>>;

/// Waits for the calendar's part and adds its rows to `report`.
pub async fn join(
    calendar: Option<CalendarTask>,
    mut report: StreamReport,
) -> Result<StreamReport> {
    if let Some(task) = calendar {
        let rows = task
            .await
            .map_err(|e| Error::unexpected("stream", format!("calendar task failed: {e}")))??;
        report.tables.extend(rows);
    }
    Ok(report)
}

/// The calendar's queries and rounds until `shutdown` (or, with `--available-now`, until the
/// topic is read and one round has merged it).
/// `restarts` is recorded with the queries' progress (see [`super::supervise`]).
pub async fn run(
    config: &StreamConfig,
    shutdown: &Shutdown,
    restarts: u32,
) -> Result<Vec<TableRows>> {
    let session = SparkSession::builder()
        .remote(&config.spark.remote)
        .build()
        .await?;
    session.conf().set(CDF_DEFAULT.0, CDF_DEFAULT.1).await?;
    session
        .conf()
        .set("spark.sql.session.timeZone", "UTC")
        .await?;
    let paths = CalendarPaths::new(config);
    let monitor = monitor::Monitor::new(
        config.progress_interval,
        config.progress_database_url.as_deref(),
        restarts,
    )?;
    let parsed = plan::parse(&kafka_source(&session, config)?);
    let queries = vec![
        start(
            plan::changes(&parsed),
            config,
            "calendar_changes",
            &paths.of(&lake::BRONZE_CALENDAR_CHANGES),
            &paths,
        )
        .await?,
        start(
            plan::quarantine(&parsed),
            config,
            "calendar_quarantine",
            &paths.of(&lake::CALENDAR_QUARANTINE),
            &paths,
        )
        .await?,
    ];
    let mut rounds = Rounds::new(&session, config, paths);
    if config.available_now {
        monitor.watch_until_done(&queries, shutdown).await?;
        rounds.round().await?;
        rounds.recompute_now().await?;
    } else {
        let recompute_session = self::session(&config.spark.remote).await?;
        let work = async {
            loop {
                monitor.check_alive(&queries).await?;
                rounds.round().await?;
                rounds.recompute_beside(&recompute_session).await?;
                tokio::time::sleep(POLL).await;
            }
            #[allow(unreachable_code)]
            Ok::<(), Error>(())
        };
        tokio::select! {
            result = work => result?,
            _ = shutdown.wait() => {}
        }
    }
    super::stop_all(&queries).await;
    rounds.finish_recompute().await;
    drop(rounds);
    Ok(summary::report(&session, &queries).await?.tables)
}

fn kafka_source(session: &SparkSession, config: &StreamConfig) -> Result<DataFrame> {
    Ok(session
        .read_stream()
        .format("kafka")
        .option("kafka.bootstrap.servers", &config.kafka.bootstrap)
        .option("subscribe", &config.calendar.topics.processed)
        .option("startingOffsets", &config.starting_offsets)
        .option("maxOffsetsPerTrigger", config.max_offsets_per_trigger)
        .option("failOnDataLoss", config.fail_on_data_loss)
        .option("kafka.isolation.level", "read_committed")
        .load()?)
}

async fn start(
    df: DataFrame,
    config: &StreamConfig,
    name: &str,
    path: &str,
    paths: &CalendarPaths,
) -> Result<StreamingQuery> {
    let query = df
        .write_stream()
        .format("delta")
        .output_mode(OutputMode::Append)
        .trigger(config.trigger())
        .query_name(format!("mindy_{name}"))
        .checkpoint_location(format!("{}/{name}", paths.checkpoints))
        .start_path(path)
        .await?;
    tracing::info!(query = name, id = query.id(), path, "query started");
    Ok(query)
}

/// The rows a recompute wrote, per table.
pub type Written = Vec<(&'static str, i64)>;

/// The merge-and-recompute rounds.
struct Rounds<'s> {
    /// The calendar's session.
    session: &'s SparkSession,
    /// The user's zone (IANA).
    timezone: String,
    /// Working hours.
    hours: WorkingHours,
    /// Direct reports, lower case.
    reports: Vec<String>,
    /// Table locations.
    paths: CalendarPaths,
    /// The as-of day gold was last computed for, to recompute when the day turns.
    computed_for: Option<NaiveDate>,
    /// A pinned as-of day (`--calendar-as-of`).
    pinned: Option<NaiveDate>,
    /// Bronze changed since the last recompute started.
    stale: bool,
    /// The recompute running beside the rounds (continuous runs), and the day it is for.
    running: Option<(NaiveDate, JoinHandle<Result<Written>>)>,
}

impl<'s> Rounds<'s> {
    fn new(session: &'s SparkSession, config: &StreamConfig, paths: CalendarPaths) -> Self {
        Rounds {
            session,
            timezone: config.timezone.clone(),
            hours: config.calendar.working_hours,
            reports: config.calendar.reports(),
            paths,
            computed_for: None,
            pinned: config.calendar.as_of,
            stale: false,
            running: None,
        }
    }

    /// Merges the new changes into bronze; notes whether bronze changed.
    async fn round(&mut self) -> Result<()> {
        let merged = merge::round(
            self.session,
            &self.paths.of(&lake::BRONZE_CALENDAR_CHANGES),
            &self.paths.of(&lake::BRONZE_CALENDAR_EVENTS),
            &self.timezone,
        )
        .await?;
        if let Some(m) = merged {
            tracing::info!(
                changes = m.changes,
                affected = m.affected,
                "calendar merged into bronze"
            );
        }
        self.stale |= merged.is_some_and(|m| m.affected > 0);
        Ok(())
    }

    /// The day gold is "as of": the pinned day, or today in the user's zone.
    fn today(&self) -> NaiveDate {
        self.pinned.unwrap_or_else(|| {
            let zone = self
                .timezone
                .parse::<chrono_tz::Tz>()
                .unwrap_or(chrono_tz::UTC);
            Utc::now().with_timezone(&zone).date_naive()
        })
    }

    /// Silver and gold from bronze, as of today, on the rounds' session (`--available-now`).
    async fn recompute_now(&mut self) -> Result<()> {
        let today = self.today();
        if self.has_events().await {
            let fingerprint = self.fingerprint(today).await?;
            if !self.up_to_date(&fingerprint, today).await? {
                recompute(self.session, &self.paths, self.hours, today, &self.reports).await?;
                let last = self.paths.of(&lake::GOLD_CALENDAR_ONE_ON_ONES);
                last_run::record(self.session, &last, LAST_RECOMPUTE, &fingerprint).await?;
            }
            self.computed_for = Some(today);
        }
        self.stale = false;
        Ok(())
    }

    /// Continuous runs: collects a finished recompute (its error ends the run, as a round's
    /// does), and starts one on `session` when bronze changed since the last one started or the
    /// day turned (gold is "as of today") and none is running.
    async fn recompute_beside(&mut self, session: &SparkSession) -> Result<()> {
        if let Some((day, task)) = self.running.take_if(|(_, task)| task.is_finished()) {
            task.await.map_err(|e| {
                Error::unexpected("stream", format!("calendar recompute task failed: {e}"))
            })??;
            self.computed_for = Some(day);
        }
        let today = self.today();
        if self.running.is_some() || !(self.stale || self.computed_for != Some(today)) {
            return Ok(());
        }
        if !self.has_events().await {
            return Ok(());
        }
        self.stale = false;
        let fingerprint = self.fingerprint(today).await?;
        if self.up_to_date(&fingerprint, today).await? {
            self.computed_for = Some(today);
            return Ok(());
        }
        let (session, paths, hours, reports) = (
            session.clone(),
            self.paths.clone(),
            self.hours,
            self.reports.clone(),
        );
        let task = tokio::spawn(async move {
            let written = recompute(&session, &paths, hours, today, &reports).await?;
            let last = paths.of(&lake::GOLD_CALENDAR_ONE_ON_ONES);
            last_run::record(&session, &last, LAST_RECOMPUTE, &fingerprint).await?;
            Ok(written)
        });
        self.running = Some((today, task));
        Ok(())
    }

    /// At a stop: waits (at most [`FINISH_WAIT`]) for a recompute still running, so the Spark
    /// server is not left writing the calendar's tables after the job ended.
    async fn finish_recompute(&mut self) {
        let Some((_, task)) = self.running.as_mut() else {
            return;
        };
        match tokio::time::timeout(FINISH_WAIT, task).await {
            Ok(Ok(Ok(_))) => {}
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "the last calendar recompute failed"),
            Ok(Err(e)) => tracing::warn!(error = %e, "the last calendar recompute's task failed"),
            Err(_) => {
                tracing::warn!(wait = ?FINISH_WAIT, "the calendar recompute is still running");
                return; // abandoned when the rounds are dropped
            }
        }
        self.running = None;
    }

    /// The fingerprint of a recompute as of `today` ([`LAST_RECOMPUTE`]).
    async fn fingerprint(&self, today: NaiveDate) -> Result<String> {
        let sql = BRONZE_DIGEST
            .replace(
                "{events}",
                &delta::table(&self.paths.of(&lake::BRONZE_CALENDAR_EVENTS))?,
            )
            .replace(
                "{changes}",
                &delta::table(&self.paths.of(&lake::BRONZE_CALENDAR_CHANGES))?,
            );
        let rows = spark_client::rows::Rows::new(self.session.sql(sql).await?.collect().await?);
        let digest: Vec<Option<String>> = match rows.iter().next() {
            Some(row) => vec![
                row.get::<Option<i64>>("events")?.map(|n| n.to_string()),
                row.get::<Option<String>>("events_hash")?,
                row.get::<Option<i64>>("versions")?.map(|n| n.to_string()),
                row.get::<Option<String>>("versions_hash")?,
            ],
            None => Vec::new(),
        };
        Ok(last_run::fingerprint(&[
            &today,
            &self.timezone,
            &self.hours,
            &self.reports,
            &digest,
        ]))
    }

    /// Whether the last complete recompute had `fingerprint` and gold is as it left it.
    async fn up_to_date(&self, fingerprint: &str, today: NaiveDate) -> Result<bool> {
        let last = self.paths.of(&lake::GOLD_CALENDAR_ONE_ON_ONES);
        let done = last_run::matches(self.session, &last, LAST_RECOMPUTE, fingerprint).await?;
        if done {
            tracing::info!(as_of = %today, "calendar silver and gold already computed from this bronze: not recomputed");
        }
        Ok(done)
    }

    async fn has_events(&self) -> bool {
        let events = self.paths.of(&lake::BRONZE_CALENDAR_EVENTS);
        super::table_exists(self.session, &events).await
    }
}

/// A recompute still running when the rounds end (an error the supervisor restarts from, or a
/// stop that waited [`FINISH_WAIT`] for it) is abandoned rather than left to race the next
/// run's: every sync is an idempotent `MERGE`, and the next run recomputes at its first round
/// (it has no day computed yet).
impl Drop for Rounds<'_> {
    fn drop(&mut self) {
        if let Some((_, task)) = self.running.take() {
            tracing::info!("abandoning the calendar recompute still running");
            task.abort();
        }
    }
}

/// Recomputes every silver and gold table from bronze as of `as_of` and syncs them; returns the
/// rows written per table. Public for tests and tools that pin the day.
pub async fn recompute(
    session: &SparkSession,
    paths: &CalendarPaths,
    hours: WorkingHours,
    as_of: NaiveDate,
    direct_reports: &[String],
) -> Result<Written> {
    let read = |table: &LakeTable| session.read().format("delta").load_path(paths.of(table));
    // The events are read from the Delta table once per round, not once per table computed.
    delta::cache_view(
        session,
        read(&lake::BRONZE_CALENDAR_EVENTS),
        "calendar_events",
    )
    .await?;
    let outcome = compute_and_sync(session, paths, hours, as_of, direct_reports, read).await;
    for view in silver::CACHED_VIEWS.iter().chain(&["calendar_events"]) {
        if let Err(e) = delta::uncache_view(session, view).await {
            tracing::warn!(view, error = %e, "could not release a cached view");
        }
    }
    outcome
}

async fn compute_and_sync(
    session: &SparkSession,
    paths: &CalendarPaths,
    hours: WorkingHours,
    as_of: NaiveDate,
    direct_reports: &[String],
    read: impl Fn(&LakeTable) -> DataFrame,
) -> Result<Written> {
    let started = std::time::Instant::now();
    read(&lake::BRONZE_CALENDAR_CHANGES)
        .create_or_replace_temp_view("calendar_changes")
        .await?;
    let silver = silver::compute(session, hours).await?;
    // Each table's sync is a few small Spark jobs whose time is mostly the driver's (Delta's
    // snapshot, planning, the commit): the tables of a layer are synced side by side, the
    // executors busy with one sync while the driver plans the next.
    let mut written = sync_all(
        session,
        paths,
        [
            (&lake::SILVER_CALENDAR_DAYS, &silver.days, &["date"][..]),
            (
                &lake::SILVER_CALENDAR_CONFLICTS,
                &silver.conflicts,
                &["date", "first_id", "second_id"][..],
            ),
            (
                &lake::SILVER_CALENDAR_FREE_BLOCKS,
                &silver.free_blocks,
                &["date", "block_start"][..],
            ),
            (
                &lake::SILVER_CALENDAR_TRAVEL,
                &silver.travel,
                &["date", "from_id", "to_id"][..],
            ),
            (
                &lake::SILVER_CALENDAR_ATTENDEES,
                &silver.attendees,
                &["id", "address"][..],
            ),
        ],
    )
    .await?;
    read(&lake::SILVER_CALENDAR_DAYS)
        .create_or_replace_temp_view("calendar_days_now")
        .await?;
    read(&lake::SILVER_CALENDAR_ATTENDEES)
        .create_or_replace_temp_view("calendar_attendees_now")
        .await?;
    let gold = gold::compute(session, hours, as_of, direct_reports).await?;
    let gold_written = sync_all(
        session,
        paths,
        [
            (&lake::GOLD_CALENDAR_WEEKS, &gold.weeks, &["week_start"][..]),
            (
                &lake::GOLD_CALENDAR_PATTERNS,
                &gold.patterns,
                &["period"][..],
            ),
            (
                &lake::GOLD_CALENDAR_ONE_ON_ONES,
                &gold.one_on_ones,
                &["counterpart_address"][..],
            ),
        ],
    )
    .await?;
    written.extend(gold_written);
    tracing::info!(?written, %as_of, elapsed = ?started.elapsed(), "calendar silver and gold recomputed");
    Ok(written)
}

/// [`sync_table`] for each `(table, rows, keys)` at once; the rows each wrote, in that order.
async fn sync_all<const N: usize>(
    session: &SparkSession,
    paths: &CalendarPaths,
    tables: [(&LakeTable, &DataFrame, &[&str]); N],
) -> Result<Written> {
    futures::future::try_join_all(tables.into_iter().map(|(table, df, keys)| async move {
        let path = paths.of(table);
        Ok((
            table.name,
            sync_table(session, table.name, df, &path, keys).await?,
        ))
    }))
    .await
}

/// Makes the table at `path` hold exactly `next`'s rows, by key, writing only what changed: a
/// `MERGE` that updates rows whose content fingerprint differs, inserts new keys and deletes
/// keys no longer computed (so the change data feed carries real changes only). `computed_at`
/// is when a row's content last changed. Returns the rows inserted, updated or deleted.
///
/// The rows that would change are counted first, and the `MERGE` runs only when there are any:
/// most syncs of a recompute change nothing (a new meeting changes its day, week and patterns,
/// seldom the conflicts, travel or 1-on-1s), and a `MERGE` that changes nothing still costs
/// Delta a dozen Spark jobs — 4–6 s each on the two-core stack against well under a second for
/// the count (figures in the README).
///
/// `name` (the table's, an identifier) names the temporary views the sync stages its rows in,
/// so that syncs of different tables may run at once on one session.
pub async fn sync_table(
    session: &SparkSession,
    name: &str,
    next: &DataFrame,
    path: &str,
    keys: &[&str],
) -> Result<i64> {
    let (raw, view) = (format!("{name}_sync_raw"), format!("{name}_sync"));
    next.create_or_replace_temp_view(&raw).await?;
    let staged = session
        .sql(format!("SELECT *, sha2(to_json(struct(*)), 256) AS fingerprint, current_timestamp() AS computed_at FROM {raw}"))
        .await?;
    staged.create_or_replace_temp_view(&view).await?;
    let on = keys
        .iter()
        .map(|k| format!("t.`{k}` <=> s.`{k}`"))
        .collect::<Vec<_>>()
        .join(" AND ");
    if !super::table_exists(session, path).await {
        merge::ensure_table(&staged, path).await?;
    } else if differing_rows(session, &view, path, &on).await? == 0 {
        return Ok(0);
    }
    let statement = format!(
        "MERGE INTO delta.`{path}` t USING {view} s ON {}
         WHEN MATCHED AND t.fingerprint <> s.fingerprint THEN UPDATE SET *
         WHEN NOT MATCHED THEN INSERT *
         WHEN NOT MATCHED BY SOURCE THEN DELETE",
        on
    );
    merge::affected(session, &statement).await
}

/// The keys whose row the sync would insert, update or delete: staged (the view `staged`) and
/// stored rows joined on the key condition `on`, counted where only one side has the key or the
/// fingerprints differ — the `MERGE`'s three clauses.
async fn differing_rows(session: &SparkSession, staged: &str, path: &str, on: &str) -> Result<i64> {
    merge::count(
        session,
        &format!(
            "SELECT count(*) AS n FROM {staged} s FULL OUTER JOIN delta.`{path}` t ON {on}
             WHERE s.fingerprint IS NULL OR t.fingerprint IS NULL OR s.fingerprint <> t.fingerprint"
        ),
    )
    .await
}
