//! `mindy enrich`: email intelligence on the Spark cluster. Rust builds the plans (Spark SQL and
//! DataFrames sent over Spark Connect; no Python, no UDF) and the executors compute, for every
//! email in bronze, its sender's organisation and role, sentiment, urgency, whether it needs a
//! reply, action items with due times, an extractive summary, and its thread; then the gold
//! tables of threads, contacts, organisations and 30-day patterns.
//!
//! A pass ([`Enricher::pass`]):
//!
//! 1. [`facts`]: bronze rows not yet in `silver/email_facts` are staged (text cleaned once) and
//!    their own facts inserted — each email's text is read once, ever.
//! 2. [`context`]: every email's insights, recomputed from the (narrow) facts and merged into
//!    `silver/email_insights` and `silver/email_action_items` — only changed rows are written.
//! 3. [`gold`]: threads, contacts, organisations and patterns, recomputed and merged likewise.
//!
//! A pass that finds no new email, on the day and with the settings of the last complete pass,
//! stops after step 1 ([`LAST_PASS`]).
//!
//! Running continuously, step 3 waits ([`schedule::GoldSchedule`]): new mail is served by steps
//! 1–2 as soon as it is in bronze, and the gold tables, aggregates over the whole mailbox, are
//! refreshed once bronze has been quiet for `--gold-quiet` (or at the latest `--gold-max-delay`
//! after the first pass that deferred them). So a message that arrives while the gold tables
//! are being refreshed does not wait for them, and a burst of mail refreshes them once.
//!
//! Every table `mindy enrich` writes keeps Delta's change data feed, from which the serving
//! tables are exported; every write is a `MERGE`, so a pass cut short and run again neither
//! loses nor duplicates anything.
//!
//! `--available-now` runs one pass and exits (the demo, Airflow, the tests); otherwise a pass
//! runs whenever bronze has a new version (polled every `--poll-interval`) or the day changes.
//!
//! Modules: [`reference`] (data shipped to Spark: lexicon, free-mail domains, teams, the
//! organisation mapping, the user), [`text`], [`deadline`] and [`sentiment`] (SQL expressions),
//! [`delta`] (tables and merges), [`evaluate`] (the sentiment benchmark), [`seed`] (bronze rows
//! for tests and benchmarks).

pub mod context;
pub mod deadline;
pub mod delta;
pub mod evaluate;
pub mod facts;
pub mod gold;
pub mod reference;
pub mod schedule;
pub mod seed;
pub mod sentiment;
pub mod text;

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use clap::Args;
use spark_client::types::Literal;
use spark_client::SparkSession;

use crate::jobs::connect::{self, SessionMark};
use crate::jobs::last_run;
use crate::shutdown::Shutdown;
use crate::{Error, Result};
use context::ContextSettings;
use delta::MergeCounts;
use mindy_core::config::{LakeArgs, SparkArgs};
use mindy_core::{intel, lake};
use reference::{LexiconChoice, Reference, UserIdentity};
use sentiment::SentimentSettings;

/// Settings of `mindy enrich`.
#[derive(Debug, Clone, Args)]
pub struct EnrichConfig {
    /// Spark Connect connection.
    #[command(flatten)]
    pub spark: SparkArgs,
    /// Data lake root.
    #[command(flatten)]
    pub lake: LakeArgs,
    /// PostgreSQL holding the editable organisation mapping (`organization_names`); without it
    /// no mapping applies.
    #[arg(
        long = "mapping-database-url",
        env = "DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Enrich what bronze holds now, then stop (the demo, Airflow and the tests use this).
    #[arg(long)]
    pub available_now: bool,
    /// How often to look for a new bronze version while running continuously, e.g. `2s`.
    #[arg(long, env = "MINDY_ENRICH_POLL_INTERVAL", default_value = "2s", value_parser = mindy_core::config::parse_duration)]
    pub poll_interval: Duration,
    /// The user's IANA timezone: days, hours and due times are local to it.
    #[arg(long, env = "USER_TIMEZONE", default_value = "UTC", value_parser = crate::jobs::stream::parse_timezone)]
    pub timezone: String,
    /// The user's own addresses (comma-separated). Senders of mail labelled SENT count too.
    #[arg(
        long = "user-address",
        env = "MINDY_USER_ADDRESSES",
        value_delimiter = ','
    )]
    pub user_addresses: Vec<String>,
    /// The user's organisation's domains (comma-separated; subdomains count). The domains of the
    /// user's addresses count too, free-mail domains excepted.
    #[arg(
        long = "user-domain",
        env = "MINDY_USER_DOMAINS",
        value_delimiter = ','
    )]
    pub user_domains: Vec<String>,
    /// The urgency score (0-100) from which an email is urgent.
    #[arg(long, env = "MINDY_URGENT_THRESHOLD", default_value_t = 60, value_parser = clap::value_parser!(i32).range(1..=100))]
    pub urgent_threshold: i32,
    /// The last day (YYYY-MM-DD, user's timezone) of the 30-day windows of contacts,
    /// organisations and patterns. Default: today.
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// Compute every email's facts again (after a change of rules, lexicon or mapping).
    #[arg(long)]
    pub recompute: bool,
    /// Running continuously: refresh the gold tables once bronze has had no new version for
    /// this long after a pass that deferred them, e.g. `30s`.
    #[arg(long, env = "MINDY_ENRICH_GOLD_QUIET", default_value = "30s", value_parser = mindy_core::config::parse_duration)]
    pub gold_quiet: Duration,
    /// Running continuously: refresh the gold tables at the latest this long after the first
    /// pass that deferred them, even while new mail keeps coming, e.g. `2m`.
    #[arg(long, env = "MINDY_ENRICH_GOLD_MAX_DELAY", default_value = "2m", value_parser = mindy_core::config::parse_duration)]
    pub gold_max_delay: Duration,
}

impl EnrichConfig {
    /// The user as configured.
    fn user(&self) -> UserIdentity {
        let clean = |values: &[String]| {
            values
                .iter()
                .map(|v| v.trim().to_lowercase())
                .filter(|v| !v.is_empty())
                .collect()
        };
        UserIdentity {
            addresses: clean(&self.user_addresses),
            domains: clean(&self.user_domains),
        }
    }

    /// Today, or `--as-of`, in the user's timezone.
    fn as_of(&self) -> NaiveDate {
        self.as_of.unwrap_or_else(|| {
            let tz: chrono_tz::Tz = self.timezone.parse().unwrap_or(chrono_tz::UTC);
            Utc::now().with_timezone(&tz).date_naive()
        })
    }
}

/// Where `mindy enrich` reads and writes (from the lake's constants).
#[derive(Debug, Clone, PartialEq)]
pub struct Paths {
    /// `bronze/emails` (read).
    pub bronze: String,
    /// `silver/enrich_stage`.
    pub stage: String,
    /// `silver/email_facts`.
    pub facts: String,
    /// `silver/enrich_insights` (scratch: the computed insights before their merge).
    pub computed_insights: String,
    /// `silver/email_insights`.
    pub insights: String,
    /// `silver/email_action_items`.
    pub action_items: String,
    /// `gold/email_threads`.
    pub threads: String,
    /// `gold/contacts`.
    pub contacts: String,
    /// `gold/organizations`.
    pub organizations: String,
    /// `gold/email_patterns`.
    pub patterns: String,
}

impl Paths {
    /// The tables under `lake`'s root.
    pub fn new(lake: &LakeArgs) -> Paths {
        Paths {
            bronze: lake.location(&lake::BRONZE_EMAILS),
            stage: lake.location(&lake::SILVER_ENRICH_STAGE),
            facts: lake.location(&lake::SILVER_EMAIL_FACTS),
            computed_insights: lake.location(&lake::SILVER_ENRICH_INSIGHTS),
            insights: lake.location(&lake::SILVER_EMAIL_INSIGHTS),
            action_items: lake.location(&lake::SILVER_EMAIL_ACTION_ITEMS),
            threads: lake.location(&lake::GOLD_EMAIL_THREADS),
            contacts: lake.location(&lake::GOLD_CONTACTS),
            organizations: lake.location(&lake::GOLD_ORGANIZATIONS),
            patterns: lake.location(&lake::GOLD_EMAIL_PATTERNS),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default)]
pub struct PassReport {
    /// No email was new and nothing else changed since the last pass: only the staging ran
    /// ([`LAST_PASS`]).
    pub skipped: bool,
    /// New emails staged from bronze.
    pub staged: i64,
    /// Facts inserted.
    pub facts: MergeCounts,
    /// Changes to `silver/email_insights`.
    pub insights: MergeCounts,
    /// Changes to `silver/email_action_items`.
    pub action_items: MergeCounts,
    /// Changes to the gold tables.
    pub gold: gold::GoldCounts,
    /// The gold tables were left for later ([`schedule::GoldSchedule`]); `gold` is empty.
    pub gold_deferred: bool,
    /// Time to the per-email tables (facts, insights, action items) being written.
    pub per_email: Duration,
    /// Time of the whole pass.
    pub total: Duration,
}

impl std::fmt::Display for PassReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.skipped {
            return write!(
                f,
                "no new email and nothing else changed since the last pass: skipped after {:.1} s",
                self.total.as_secs_f64()
            );
        }
        let rate = self.staged as f64 / self.total.as_secs_f64().max(1e-3);
        if self.gold_deferred {
            return write!(
                f,
                "enriched {} new emails in {:.1} s ({rate:.0} emails/s): insights {}, action items {}; \
                 gold tables deferred until bronze is quiet",
                self.staged,
                self.total.as_secs_f64(),
                self.insights,
                self.action_items,
            );
        }
        write!(
            f,
            "enriched {} new emails in {:.1} s ({rate:.0} emails/s; per-email tables after {:.1} s): \
             insights {}, action items {}, threads {}, contacts {}, organizations {}, patterns {}",
            self.staged,
            self.total.as_secs_f64(),
            self.per_email.as_secs_f64(),
            self.insights,
            self.action_items,
            self.gold.threads,
            self.gold.contacts,
            self.gold.organizations,
            self.gold.patterns,
        )
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct EnrichReport {
    /// Every pass, in order.
    pub passes: Vec<PassReport>,
}

impl std::fmt::Display for EnrichReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.passes.as_slice() {
            [] => write!(f, "enrich: no pass ran"),
            [one] => write!(f, "{one}"),
            many => {
                let staged: i64 = many.iter().map(|p| p.staged).sum();
                write!(
                    f,
                    "enrich stopped after {} passes, {staged} new emails",
                    many.len()
                )
            }
        }
    }
}

/// What the per-email half of a pass leaves for its gold half: the day of the 30-day windows and
/// the fingerprint recorded once the gold tables are written ([`LAST_PASS`]).
#[derive(Debug, Clone)]
pub struct GoldDue {
    as_of: NaiveDate,
    fingerprint: String,
}

/// The property of `silver/email_facts` recording the last complete pass ([`last_run`]):
/// what a pass computes depends on the emails' facts, the day (due times and 30-day patterns are
/// relative to it) and the settings (the organisation mapping, the user, the lexicon, the
/// thresholds). A pass that stages no new email, on an unchanged facts table and the same
/// fingerprint, skips the rest. Anything that changes the facts (new emails, `--recompute`, a
/// pass cut short after its facts) moves the version; a new day, an edited organisation mapping
/// or other settings change the fingerprint.
pub const LAST_PASS: &str = "mindy.enrich.lastPass";

/// Delta's session setting for auto compaction after a write; set, it overrides the tables'
/// `delta.autoOptimize.autoCompact` property (Delta's `AutoCompactBase.getAutoCompactType`).
const AUTO_COMPACT: &str = "spark.databricks.delta.autoCompact.enabled";

/// A Spark session set up for enrichment, and the settings its passes use.
pub struct Enricher {
    session: SparkSession,
    paths: Paths,
    config: EnrichConfig,
    text_params: Vec<(&'static str, Literal)>,
    context: ContextSettings,
    mapping: Option<sqlx::PgPool>,
    /// Tells whether the Connect server still holds the session as set up here.
    mark: SessionMark,
}

impl Enricher {
    /// Connects, sets the session's timezone to the user's and creates the tables it writes.
    pub async fn connect(config: &EnrichConfig) -> Result<Enricher> {
        let session = SparkSession::builder()
            .remote(&config.spark.remote)
            .build()
            .await?;
        // Local days, hours and due times: to_date, hour and make_timestamp read the session's zone.
        session
            .conf()
            .set("spark.sql.session.timeZone", &config.timezone)
            .await?;
        let mark = SessionMark::set(&session).await?;
        let paths = Paths::new(&config.lake);
        for table in intel::TABLES {
            let path = config.lake.location(&table.lake);
            delta::ensure_table(&session, &path, &(table.schema)()).await?;
        }
        let mapping = match &config.database_url {
            Some(url) => Some(
                mindy_core::db::connect(&mindy_core::config::DatabaseArgs {
                    url: url.clone(),
                    max_connections: 1,
                })
                .await?,
            ),
            None => {
                tracing::info!("no DATABASE_URL: the organisation mapping is not applied");
                None
            }
        };
        Ok(Enricher {
            session,
            paths,
            config: config.clone(),
            text_params: facts::params(&reference::modifiers(), &reference::bulk_mailer_pattern()),
            context: ContextSettings {
                sentiment: SentimentSettings::default(),
                urgent_threshold: config.urgent_threshold,
            },
            mapping,
            mark,
        })
    }

    /// Where the tables are.
    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// Forgets the last pass ([`LAST_PASS`]): the next one runs in full even with no new email.
    pub async fn forget_last_pass(&self) -> Result<()> {
        last_run::forget(&self.session, &self.paths.facts, LAST_PASS).await
    }

    /// Empties `silver/email_facts`, so the next pass computes every email's facts again.
    pub async fn forget_facts(&self) -> Result<()> {
        self.session
            .sql(format!("DELETE FROM {}", delta::table(&self.paths.facts)?))
            .await?;
        Ok(())
    }

    /// One pass: new emails' facts, then everything derived from them. The pass's cached views
    /// are released at its end, whether it succeeded or not.
    ///
    /// A pass that ran while the Connect server lost the session (it restarted: the session's
    /// timezone and the pass's views are gone) fails with a [`connect::restartable`] error,
    /// even when each of its calls succeeded.
    pub async fn pass(&self) -> Result<PassReport> {
        let whole = async {
            let (mut report, due) = self.per_email().await?;
            if let Some(due) = due {
                let started = Instant::now();
                report.gold = self.gold(&due).await?;
                report.total += started.elapsed();
                tracing::info!(%report, "pass done");
            }
            Ok(report)
        };
        self.on_session(whole, |_| false).await
    }

    /// The per-email half of a pass, for a continuous run: its views stay cached for the gold
    /// half ([`Enricher::deferred_gold`]), which the returned [`GoldDue`] asks for (`None`: the
    /// pass was skipped, nothing is owed).
    ///
    /// Delta's auto compaction is off for it ([`AUTO_COMPACT`]): after each small `MERGE` it
    /// rewrote `silver/email_facts` whole (about 5 s of a one-email pass on the demo lake, before
    /// the insights could start). The gold half compacts the per-email tables instead.
    pub async fn pass_deferring_gold(&self) -> Result<(PassReport, Option<GoldDue>)> {
        let half = async {
            self.session.conf().set(AUTO_COMPACT, "false").await?;
            self.per_email().await
        };
        let (mut report, due) = self
            .on_session(half, |outcome| matches!(outcome, Ok((_, Some(_)))))
            .await?;
        report.gold_deferred = due.is_some();
        if due.is_some() {
            tracing::info!(%report, "per-email pass done");
        }
        Ok((report, due))
    }

    /// The gold half of the last pass that deferred it, from the views that pass left cached;
    /// they are released at its end. Then the per-email tables the deferred passes wrote are
    /// compacted (`OPTIMIZE`), with Delta's auto compaction back to the tables' own setting.
    pub async fn deferred_gold(&self, due: &GoldDue) -> Result<gold::GoldCounts> {
        let started = Instant::now();
        let half = async {
            self.session.conf().unset(AUTO_COMPACT).await?;
            let counts = self.gold(due).await?;
            // Housekeeping: a compaction that fails (another writer's commit in between, say)
            // leaves the gold tables, already written and recorded, as they are; the next gold
            // step compacts again.
            for path in [
                &self.paths.facts,
                &self.paths.insights,
                &self.paths.action_items,
            ] {
                let optimize = format!("OPTIMIZE {}", delta::table(path)?);
                if let Err(e) = self.session.sql(optimize).await {
                    tracing::warn!(path, error = %e, "could not compact a per-email table; the next gold step tries again");
                }
            }
            Ok(counts)
        };
        let counts = self.on_session(half, |_| false).await?;
        tracing::info!(
            threads = %counts.threads,
            contacts = %counts.contacts,
            organizations = %counts.organizations,
            patterns = %counts.patterns,
            elapsed = ?started.elapsed(),
            "deferred gold tables refreshed"
        );
        Ok(counts)
    }

    /// Runs `work` on the session as set up by [`Enricher::connect`]: checked before (nothing is
    /// computed with a lost session's defaults) and after (a restart during `work` is reported
    /// even when each call succeeded). The pass's cached views are released afterwards unless
    /// `keep_views` says the outcome still needs them.
    async fn on_session<T>(
        &self,
        work: impl std::future::Future<Output = Result<T>>,
        keep_views: impl FnOnce(&Result<T>) -> bool,
    ) -> Result<T> {
        self.mark.check(&self.session).await?;
        let outcome = work.await;
        if !keep_views(&outcome) {
            self.release_views().await;
        }
        self.mark.check(&self.session).await?;
        outcome
    }

    /// Releases the cached views of a pass.
    async fn release_views(&self) {
        for view in context::CACHED_VIEWS {
            if let Err(e) = delta::uncache_view(&self.session, view).await {
                tracing::warn!(view, error = %e, "could not release a cached view");
            }
        }
    }

    /// One look at bronze while running continuously: the per-email half of a pass when bronze
    /// has a version not enriched yet (or the day changed: due times and patterns are relative
    /// to today), noted in `done`.
    async fn poll(
        &self,
        done: &mut Option<(i64, NaiveDate)>,
        today: NaiveDate,
    ) -> Result<Option<(PassReport, Option<GoldDue>)>> {
        let version = self.bronze_version().await?;
        if let Some(version) = version.filter(|v| *done != Some((*v, today))) {
            let pass = self.pass_deferring_gold().await?;
            *done = Some((version, today));
            return Ok(Some(pass));
        }
        if version.is_none() && done.is_none() {
            tracing::info!(path = %self.paths.bronze, "waiting for bronze's first commit");
            *done = Some((-1, today));
        }
        Ok(None)
    }

    /// Steps 1 and 2: new emails staged and their facts written, then every email's insights
    /// and action items. Returns what the gold step needs, or `None` when the pass was skipped.
    async fn per_email(&self) -> Result<(PassReport, Option<GoldDue>)> {
        let started = Instant::now();
        let session = &self.session;
        let org_names = match &self.mapping {
            Some(pool) => reference::org_names(pool).await?,
            None => Vec::new(),
        };
        let reference = Reference {
            lexicon: reference::lexicon(LexiconChoice::Business),
            org_names,
            user: self.config.user(),
        };
        reference::register(session, &reference).await?;
        let mut report = PassReport {
            staged: facts::stage(session, &self.paths, &self.text_params).await?,
            ..PassReport::default()
        };
        tracing::info!(staged = report.staged, elapsed = ?started.elapsed(), "new emails staged");
        let as_of = self.config.as_of();
        let fingerprint = last_run::fingerprint(&[
            &as_of,
            &self.config.timezone,
            &reference,
            &self.context,
            &self.text_params,
        ]);
        if report.staged == 0
            && !self.config.recompute
            && last_run::matches(session, &self.paths.facts, LAST_PASS, &fingerprint).await?
        {
            report.skipped = true;
            report.total = started.elapsed();
            tracing::info!(%report, "pass done");
            return Ok((report, None));
        }
        if report.staged > 0 {
            report.facts = facts::facts(session, &self.paths, &self.text_params).await?;
            tracing::info!(facts = %report.facts, elapsed = ?started.elapsed(), "facts written");
        }
        context::register_views(session, &self.paths).await?;
        tracing::info!(elapsed = ?started.elapsed(), "facts, users and domains cached");
        report.insights = context::insights(session, &self.paths, &self.context).await?;
        report.action_items = context::action_items(session, &self.paths).await?;
        report.per_email = started.elapsed();
        report.total = report.per_email;
        tracing::info!(insights = %report.insights, action_items = %report.action_items, elapsed = ?report.per_email, "per-email tables written");
        Ok((report, Some(GoldDue { as_of, fingerprint })))
    }

    /// Step 3, from the views of the per-email half: the gold tables, then the pass is recorded
    /// as complete ([`LAST_PASS`]).
    async fn gold(&self, due: &GoldDue) -> Result<gold::GoldCounts> {
        let counts = gold::refresh(&self.session, &self.paths, due.as_of).await?;
        // Last: a pass cut short before this point is not taken for a complete one.
        last_run::record(
            &self.session,
            &self.paths.facts,
            LAST_PASS,
            &due.fingerprint,
        )
        .await?;
        Ok(counts)
    }

    /// The current version of bronze (`None` before the stream's first commit).
    pub async fn bronze_version(&self) -> Result<Option<i64>> {
        crate::jobs::delta_log::latest_version(&self.session, &self.paths.bronze).await
    }
}

/// Runs `mindy enrich`: one pass with `--available-now`, else passes on every new bronze
/// version until `shutdown`.
pub async fn run(config: &EnrichConfig, shutdown: Shutdown) -> Result<EnrichReport> {
    let enricher = Enricher::connect(config).await?;
    if config.recompute {
        tracing::info!("--recompute: forgetting every email's facts");
        enricher.forget_facts().await?;
    }
    let mut report = EnrichReport::default();
    if config.available_now {
        if enricher.bronze_version().await?.is_none() {
            return Err(Error::invalid(format!(
                "no bronze table at {} yet: run `mindy stream` first",
                enricher.paths().bronze
            )));
        }
        report.passes.push(enricher.pass().await?);
        return Ok(report);
    }
    let mut enricher = enricher;
    let mut state = Continuous {
        done: None,
        gold: schedule::GoldSchedule::new(config.gold_quiet, config.gold_max_delay),
        due: None,
    };
    let mut wait = connect::FIRST_WAIT;
    while !shutdown.is_triggered() {
        match state.step(&enricher, config.as_of(), &mut report).await {
            Ok(()) => wait = connect::FIRST_WAIT,
            Err(e) if connect::restartable(&e) => {
                tracing::warn!(error = %e, remote = %config.spark.remote, "enrich lost Spark Connect; waiting for it, then a new session and the pass again");
                if !connect::wait_for(&config.spark.remote, &mut wait, &shutdown).await {
                    break;
                }
                match Enricher::connect(config).await {
                    Ok(new) => enricher = new,
                    Err(e) => tracing::warn!(error = %e, "a new session failed; waiting again"),
                }
                // The next look runs a whole pass on the new session (the views are gone).
                state.done = None;
                state.due = None;
                state.gold.done();
                continue;
            }
            Err(e) => return Err(e),
        }
        tokio::select! {
            _ = tokio::time::sleep(config.poll_interval) => {}
            _ = shutdown.wait() => {}
        }
    }
    Ok(report)
}

/// A continuous run between looks at bronze.
struct Continuous {
    /// The bronze version and day of the last per-email pass.
    done: Option<(i64, NaiveDate)>,
    /// When the deferred gold tables are due.
    gold: schedule::GoldSchedule,
    /// What the last per-email pass left for the gold tables, while they are deferred.
    due: Option<GoldDue>,
}

impl Continuous {
    /// One look at bronze (a per-email pass when it changed), then the gold tables when due.
    async fn step(
        &mut self,
        enricher: &Enricher,
        today: NaiveDate,
        report: &mut EnrichReport,
    ) -> Result<()> {
        if let Some((pass, due)) = enricher.poll(&mut self.done, today).await? {
            report.passes.push(pass);
            if let Some(due) = due {
                self.due = Some(due);
                self.gold.deferred(Instant::now());
            }
        }
        if let Some(due) = &self.due {
            if self.gold.due(Instant::now()) {
                enricher.deferred_gold(due).await?;
                self.due = None;
                self.gold.done();
            }
        }
        Ok(())
    }
}
