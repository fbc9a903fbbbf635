//! The API's settings: clap arguments with env fallbacks (the names `.stack/env` and
//! `.env.example` use). These only validate; [`crate::state::AppState::connect`] opens things.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser};
use mindy_core::config::{AirflowArgs, KafkaArgs, LakeArgs, RedisArgs, SparkArgs, TopicArgs};
use mindy_core::smtp::SmtpServerArgs;
use mindy_google::auth::{self, GoogleAuthArgs};

use crate::actions::calendar::{CalendarTarget, LocalCalendar};
use crate::actions::google::{GmailSender, GoogleCalendar};
use crate::actions::mailer::Mailer;

/// `mindy-api`: Mini-Mindy's HTTP API.
#[derive(Debug, Clone, Parser)]
#[command(name = "mindy-api", version, about)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "MINDY_API_ADDR", default_value = "127.0.0.1:8000")]
    pub addr: SocketAddr,
    /// Bearer token every endpoint but /api/health requires.
    #[arg(long, env = "MINDY_API_TOKEN", hide_env_values = true)]
    pub token: String,
    /// The frontend's origin, the only one CORS allows.
    #[arg(
        long,
        env = "MINDY_CORS_ORIGIN",
        default_value = "http://localhost:3000"
    )]
    pub cors_origin: String,
    /// PostgreSQL URL of the read-only role the chat's SQL runs as.
    #[arg(long, env = "MINDY_READER_DATABASE_URL", hide_env_values = true)]
    pub reader_database_url: String,
    /// Upper bound on pooled PostgreSQL connections.
    #[arg(long, env = "MINDY_DATABASE_MAX_CONNECTIONS", default_value_t = 5)]
    pub database_max_connections: u32,
    /// The user's timezone (IANA name): what "today" and "yesterday" mean.
    #[arg(long, env = "USER_TIMEZONE", default_value = "UTC")]
    pub timezone: chrono_tz::Tz,
    /// Chat, limits, cache.
    #[command(flatten)]
    pub chat: ChatArgs,
    /// Actions: the writer role, mail, the local calendar.
    #[command(flatten)]
    pub actions: ActionArgs,
    /// The OpenAI-compatible endpoint (optional).
    #[command(flatten)]
    pub openai: OpenAiArgs,
    /// Redis.
    #[command(flatten)]
    pub redis: RedisArgs,
    /// Kafka (dashboard and health).
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Topics the dashboard reports.
    #[command(flatten)]
    pub topics: TopicArgs,
    /// Spark Connect (health).
    #[command(flatten)]
    pub spark: SparkArgs,
    /// Airflow (dashboard and health).
    #[command(flatten)]
    pub airflow: AirflowArgs,
    /// The Delta Lake (dashboard).
    #[command(flatten)]
    pub lake: LakeArgs,
    /// Prometheus's base URL (`http://host:9090`), whose series the dashboard's metrics panel
    /// shows; unset, the panel says so.
    #[arg(long, env = "MINDY_PROMETHEUS_URL")]
    pub prometheus_url: Option<String>,
    /// How often Airflow's REST API is asked for the DAG runs that failed in the last 24 hours
    /// (the `mindy_api_airflow_failed_dag_runs` metric and its alert), in seconds; 0 never.
    #[arg(long, env = "MINDY_AIRFLOW_POLL_SECS", default_value_t = 60)]
    pub airflow_poll_secs: u64,
    /// Log as JSON lines (default) or human-readable text.
    #[arg(long, env = "MINDY_LOG_FORMAT", default_value = "json", value_parser = ["json", "text"])]
    pub log_format: String,
}

/// Chat limits and the per-client rate limit.
#[derive(Debug, Clone, ClapArgs)]
pub struct ChatArgs {
    /// Requests per minute per client on authenticated endpoints (0 turns the limit off).
    #[arg(long, env = "MINDY_API_RATE_LIMIT_PER_MINUTE", default_value_t = 120)]
    pub rate_limit_per_minute: u32,
    /// Requests a client may send at once before the per-minute rate applies.
    #[arg(long, env = "MINDY_API_RATE_LIMIT_BURST", default_value_t = 30)]
    pub rate_limit_burst: u32,
    /// Take the client's address from X-Forwarded-For (only behind a proxy that sets it).
    #[arg(long, env = "MINDY_API_TRUST_FORWARDED", default_value_t = false)]
    pub trust_forwarded: bool,
    /// Statement timeout of generated queries, in milliseconds.
    #[arg(long, env = "MINDY_API_STATEMENT_TIMEOUT_MS", default_value_t = 3000)]
    pub statement_timeout_ms: u64,
    /// Rows a generated query may return (its LIMIT is lowered to this).
    #[arg(long, env = "MINDY_API_MAX_ROWS", default_value_t = 500)]
    pub max_rows: u64,
    /// How long answers stay cached, in seconds; 0 turns the answer cache off.
    #[arg(long, env = "MINDY_API_CACHE_TTL_SECS", default_value_t = 3600)]
    pub cache_ttl_secs: u64,
    /// Prefix of the API's Redis keys.
    #[arg(long, env = "MINDY_API_REDIS_PREFIX", default_value = "mindy:api:")]
    pub redis_prefix: String,
    /// Consumer groups the Kafka dashboard reports (comma-separated; default: every group the
    /// broker lists).
    #[arg(long, env = "MINDY_KAFKA_GROUPS", value_delimiter = ',')]
    pub kafka_groups: Vec<String>,
}

/// Actions with confirmation (drafted replies, calls, tasks, reminders).
#[derive(Debug, Clone, ClapArgs)]
pub struct ActionArgs {
    /// PostgreSQL URL of the role actions run as (`mindy_actor`); without it, action requests
    /// are answered with how to turn them on.
    #[arg(long, env = "MINDY_ACTOR_DATABASE_URL", hide_env_values = true)]
    pub actor_database_url: Option<String>,
    /// The SMTP server replies, invitations and reminders are sent through (the stack's
    /// mailsink in demo mode).
    #[command(flatten)]
    pub smtp: SmtpServerArgs,
    /// The iCalendar file confirmed events are written to (`mindy ingest ics` reads it).
    #[arg(
        long,
        env = "MINDY_LOCAL_CALENDAR",
        default_value = "local-calendar/mini-mindy.ics"
    )]
    pub local_calendar: PathBuf,
    /// Calendar files (or directories of them) whose events the local store may move when a
    /// day is optimised: the user's own calendar export in demo mode. Comma-separated.
    #[arg(long, env = "MINDY_LOCAL_CALENDAR_SOURCES", value_delimiter = ',')]
    pub local_calendar_sources: Vec<PathBuf>,
    /// The user's working hours, local time: where the day optimiser may move meetings (the
    /// same setting as the stream's free time).
    #[arg(
        long,
        env = "MINDY_WORKING_HOURS",
        default_value = "09:00-17:00",
        value_parser = mindy_core::calendar::day::parse_working_hours
    )]
    pub working_hours: mindy_core::calendar::day::WorkingHours,
    /// How long a proposal can be confirmed, in seconds.
    #[arg(long, env = "MINDY_ACTION_TTL_SECS", default_value_t = 3600)]
    pub action_ttl_secs: u64,
    /// How often due reminders are looked for, in seconds.
    #[arg(long, env = "MINDY_REMINDER_INTERVAL_SECS", default_value_t = 15)]
    pub reminder_interval_secs: u64,
    /// How confirmed replies and reminders are sent: `smtp` (the server above) or `gmail`
    /// (`users.messages.send` as the user `mindy auth actions` authorised).
    #[arg(
        long = "actions-mail",
        env = "MINDY_ACTIONS_MAIL",
        value_enum,
        default_value_t = MailVia::Smtp
    )]
    pub mail_via: MailVia,
    /// Where confirmed events go: `local` (the file above) or `google` (`events.insert` on
    /// `--google-calendar-id`, Google sending the invitations).
    #[arg(
        long = "actions-calendar",
        env = "MINDY_ACTIONS_CALENDAR",
        value_enum,
        default_value_t = CalendarVia::Local
    )]
    pub calendar_via: CalendarVia,
    /// The OAuth client and token file shared with `mindy auth` (used only with `gmail` or
    /// `google` above).
    #[command(flatten)]
    pub google: GoogleAuthArgs,
    /// The calendar events are created on: `primary` is the authorised user's own.
    #[arg(long, env = "MINDY_GCAL_CALENDAR", default_value = "primary")]
    pub google_calendar_id: String,
    /// Gmail API base URL (tests point it at a local server).
    #[arg(
        long,
        env = "MINDY_GMAIL_API_URL",
        default_value = "https://gmail.googleapis.com/",
        hide = true
    )]
    pub gmail_api_url: String,
    /// Google Calendar API root URL (tests point it at a local server).
    #[arg(
        long,
        env = "MINDY_GCAL_API_URL",
        default_value = "https://www.googleapis.com/",
        hide = true
    )]
    pub gcal_api_url: String,
}

/// How confirmed mail is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MailVia {
    /// SMTP.
    Smtp,
    /// Gmail API.
    Gmail,
}

/// Where confirmed events go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CalendarVia {
    /// The local store and its iCalendar file.
    Local,
    /// Google Calendar.
    Google,
}

impl ActionArgs {
    /// The mail sender these settings choose.
    ///
    /// # Errors
    /// Gmail's credentials are missing or unusable.
    pub async fn mailer(&self) -> anyhow::Result<Mailer> {
        Ok(match self.mail_via {
            MailVia::Smtp => Mailer::Smtp(self.smtp.clone()),
            MailVia::Gmail => {
                let authenticator = auth::authenticator(&self.google, false).await?;
                Mailer::Gmail(std::sync::Arc::new(GmailSender {
                    hub: mindy_google::client::gmail_hub(authenticator, &self.gmail_api_url)?,
                    user: "me".into(),
                }))
            }
        })
    }

    /// Where confirmed events go under these settings.
    ///
    /// # Errors
    /// Google's credentials are missing or unusable.
    pub async fn calendar(&self) -> anyhow::Result<CalendarTarget> {
        Ok(match self.calendar_via {
            CalendarVia::Local => CalendarTarget::Local(LocalCalendar {
                file: self.local_calendar.clone(),
                sources: self.local_calendar_sources.clone(),
            }),
            CalendarVia::Google => {
                let authenticator = auth::authenticator(&self.google, false).await?;
                CalendarTarget::Google(std::sync::Arc::new(GoogleCalendar {
                    hub: mindy_google::client::calendar_hub(authenticator, &self.gcal_api_url)?,
                    calendar_id: self.google_calendar_id.clone(),
                }))
            }
        })
    }
}

/// The OpenAI-compatible endpoint; without a key the embedded semantic parser answers.
#[derive(Debug, Clone, ClapArgs)]
pub struct OpenAiArgs {
    /// API key; setting it switches the chat to the LLM generator.
    #[arg(
        long = "openai-api-key",
        env = "OPENAI_API_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    /// Base URL including /v1 (OpenAI, Azure's compatible endpoint, Ollama, vLLM...).
    #[arg(
        long = "openai-base-url",
        env = "OPENAI_BASE_URL",
        default_value = "https://api.openai.com/v1"
    )]
    pub base_url: String,
    /// Model name.
    #[arg(
        long = "openai-model",
        env = "OPENAI_MODEL",
        default_value = "gpt-4o-mini"
    )]
    pub model: String,
    /// Per-call timeout in seconds.
    #[arg(
        long = "openai-timeout-secs",
        env = "OPENAI_TIMEOUT_SECS",
        default_value_t = 30
    )]
    pub timeout_secs: u64,
}
