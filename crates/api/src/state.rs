//! The shared state every handler gets: the chat service, the dashboard's connections, the
//! auth token, the limiter and the metrics.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::postgres::PgPoolOptions;

use crate::actions::Actions;
use crate::chat::catalog::Catalog;
use crate::chat::openai::{OpenAiGenerator, OpenAiSettings};
use crate::chat::safety::Validator;
use crate::chat::semantic::SemanticGenerator;
use crate::chat::store::Store;
use crate::chat::{ChatService, SqlGenerator};
use crate::config::Args;
use crate::dashboard::Dashboard;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;

/// What "now" and "today" are: the wall clock in the user's timezone, or a fixed moment (tests).
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    /// `Utc::now()` in the timezone.
    System,
    /// Always this day, seen from its morning: "now" is 09:00 local time (see [`Clock::now`]).
    Fixed(NaiveDate),
    /// Always this instant.
    At(DateTime<Utc>),
}

/// The local time a [`Clock::Fixed`] day is seen from: when a morning briefing is asked.
pub const FIXED_DAY_TIME: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => unreachable!(),
};

impl Clock {
    /// Today in `tz`.
    pub fn today(&self, tz: Tz) -> NaiveDate {
        match self {
            Clock::Fixed(day) => *day,
            _ => self.now(tz).with_timezone(&tz).date_naive(),
        }
    }

    /// Now; for a fixed day, that day at [`FIXED_DAY_TIME`] in `tz`.
    pub fn now(&self, tz: Tz) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::At(at) => *at,
            Clock::Fixed(day) => tz
                .from_local_datetime(&day.and_time(FIXED_DAY_TIME))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(FIXED_DAY_TIME))),
        }
    }
}

/// Settings the middleware and handlers read.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The bearer token.
    pub token: String,
    /// The frontend origin allowed by CORS.
    pub cors_origin: String,
    /// The user's timezone.
    pub timezone: Tz,
    /// Where "today" comes from.
    pub clock: Clock,
    /// Key clients by X-Forwarded-For instead of the peer address.
    pub trust_forwarded: bool,
}

/// Everything behind the [`AppState`] handle.
pub struct Inner {
    /// The chat.
    pub chat: ChatService,
    /// The dashboard's services.
    pub dashboard: Dashboard,
    /// Auth, CORS, time.
    pub settings: Settings,
    /// Per-client request budget.
    pub limiter: RateLimiter,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
}

/// A cheap handle on the shared state.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Wraps the parts.
    pub fn new(inner: Inner) -> Self {
        AppState(Arc::new(inner))
    }

    /// Builds the pools and clients `args` describe without dialling any: every dependency is
    /// reached on first use and again after it restarts, so the API starts, and keeps serving
    /// (health saying what is down), whichever service is down. Fails only on settings that
    /// cannot work (malformed URLs).
    pub async fn connect(args: &Args) -> anyhow::Result<Self> {
        let reader = PgPoolOptions::new()
            .max_connections(args.database_max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy(&args.reader_database_url)?;
        let redis = redis::Client::open(args.redis.url.as_str())?;
        let catalog = Catalog::serving();
        let generator = generator(args, &catalog);
        tracing::info!(generator = generator.name(), "chat generator");
        let metrics = Arc::new(Metrics::default());
        let actions = match args
            .actions
            .actor_database_url
            .as_deref()
            .filter(|u| !u.is_empty())
        {
            Some(url) => Some(Actions {
                pool: PgPoolOptions::new()
                    .max_connections(args.database_max_connections)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_lazy(url)?,
                mailer: args.actions.mailer().await?,
                calendar: args.actions.calendar().await?,
                working_hours: args.actions.working_hours,
                timezone: args.timezone,
                ttl: chrono::Duration::seconds(args.actions.action_ttl_secs as i64),
                metrics: metrics.clone(),
            }),
            None => {
                tracing::warn!("MINDY_ACTOR_DATABASE_URL is not set: actions are off");
                None
            }
        };
        let chat = ChatService {
            generator,
            validator: Validator::new(&catalog, args.chat.max_rows),
            reader,
            store: Store::new(
                redis,
                args.chat.redis_prefix.clone(),
                args.chat.cache_ttl_secs,
            ),
            statement_timeout_ms: args.chat.statement_timeout_ms,
            timezone: args.timezone.name().to_string(),
            metrics: metrics.clone(),
            actions,
        };
        let dashboard = Dashboard {
            kafka: args.kafka.clone(),
            topics: vec![
                args.topics.emails.clone(),
                args.topics.processed.clone(),
                args.topics.dlq.clone(),
            ],
            groups: args.chat.kafka_groups.clone(),
            spark_remote: args.spark.remote.clone(),
            airflow: args.airflow.clone(),
            lake: args.lake.clone(),
            prometheus: args
                .prometheus_url
                .as_deref()
                .filter(|u| !u.is_empty())
                .map(crate::dashboard::prometheus::Prometheus::new),
            airflow_client: Default::default(),
        };
        let settings = Settings {
            token: args.token.clone(),
            cors_origin: args.cors_origin.clone(),
            timezone: args.timezone,
            clock: Clock::System,
            trust_forwarded: args.chat.trust_forwarded,
        };
        let limiter = RateLimiter::new(args.chat.rate_limit_per_minute, args.chat.rate_limit_burst);
        Ok(AppState::new(Inner {
            chat,
            dashboard,
            settings,
            limiter,
            metrics,
        }))
    }
}

/// The LLM when a key is set, else the embedded parser.
fn generator(args: &Args, catalog: &Catalog) -> Arc<dyn SqlGenerator> {
    match args.openai.api_key.as_deref().filter(|k| !k.is_empty()) {
        Some(key) => Arc::new(OpenAiGenerator::new(
            OpenAiSettings {
                api_key: key.to_string(),
                base_url: args.openai.base_url.clone(),
                model: args.openai.model.clone(),
                timeout: Duration::from_secs(args.openai.timeout_secs),
            },
            catalog,
        )),
        None => Arc::new(SemanticGenerator::new(catalog.clone())),
    }
}
