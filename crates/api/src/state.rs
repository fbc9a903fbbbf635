//! The shared state every handler gets: the chat service, the dashboard's connections, the
//! auth token, the limiter and the metrics.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use chrono_tz::Tz;
use sqlx::postgres::PgPoolOptions;

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

/// What "today" is: the wall clock in the user's timezone, or a fixed day (tests).
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    /// `Utc::now()` in the timezone.
    System,
    /// Always this day.
    Fixed(NaiveDate),
}

impl Clock {
    /// Today in `tz`.
    pub fn today(&self, tz: Tz) -> NaiveDate {
        match self {
            Clock::System => chrono::Utc::now().with_timezone(&tz).date_naive(),
            Clock::Fixed(day) => *day,
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
