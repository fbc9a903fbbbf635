//! Fixtures: a private database per test (created as the owner role, migrated and granted as
//! the pipeline does, seeded, dropped at the end even when the test fails), a unique Redis
//! prefix, and the app wired to them with a fixed "today".

use std::sync::{Arc, Once};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use http_body_util::BodyExt;
use mindy_api::actions::calendar::{CalendarTarget, LocalCalendar};
use mindy_api::actions::mailer::Mailer;
use mindy_api::actions::Actions;
use mindy_api::chat::catalog::Catalog;
use mindy_api::chat::safety::Validator;
use mindy_api::chat::semantic::SemanticGenerator;
use mindy_api::chat::store::Store;
use mindy_api::chat::{ChatService, SqlGenerator};
use mindy_api::dashboard::prometheus::Prometheus;
use mindy_api::dashboard::Dashboard;
use mindy_api::metrics::Metrics;
use mindy_api::ratelimit::RateLimiter;
use mindy_api::state::{Clock, Inner, Settings};
use mindy_api::AppState;
use mindy_core::config::{AirflowArgs, KafkaArgs, LakeArgs};
use mindy_core::smtp::SmtpServerArgs;
use mindy_test::{required, unique, Stack};
use serde_json::Value;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Connection;
use tower::ServiceExt;

/// The bearer token of test apps.
pub const TOKEN: &str = "test-token";

/// "Today" in every test: Thursday 26 November 2026 (no data yet for it).
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// rustls has two providers compiled in (docs/architecture.md): pick ring once per test binary.
pub fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// One seeded day.
#[derive(Debug, Clone)]
pub struct Day {
    pub date: NaiveDate,
    pub hours: [i64; 24],
    pub domains: Vec<(&'static str, i64)>,
    /// (score_pct, passed) of the latest quality check, if any.
    pub quality: Option<(f64, bool)>,
}

impl Day {
    pub fn total(&self) -> i64 {
        self.hours.iter().sum()
    }
    pub fn unique_senders(&self) -> i64 {
        self.total() / 3 + 1
    }
    pub fn important(&self) -> i64 {
        self.total() / 5
    }
    pub fn avg_length(&self) -> f64 {
        500.0 + (self.date - date("2026-11-09")).num_days() as f64 * 10.5
    }
}

const DOMAINS: &[&str] = &[
    "acme.com",
    "globex.com",
    "initech.com",
    "umbrella.com",
    "hooli.com",
];

/// 9 to 25 November 2026: 17 days with varied, deterministic counts; nothing for the 26th.
pub fn seed_days() -> Vec<Day> {
    (0..17)
        .map(|i: i64| {
            let date = date("2026-11-09") + Duration::days(i);
            let mut hours = [0i64; 24];
            for (h, count) in hours.iter_mut().enumerate() {
                let h = h as i64;
                *count = if (7..=20).contains(&h) {
                    (i * 7 + h * 13) % 11 + 1
                } else {
                    (i + h) % 2
                };
            }
            let domains = DOMAINS
                .iter()
                .enumerate()
                .map(|(k, d)| (*d, (i * (k as i64 + 3) + 5 * k as i64) % 13 + 2))
                .collect();
            let quality = (i % 4 != 3).then_some((90.0 + (i % 10) as f64, i % 5 != 0));
            Day {
                date,
                hours,
                domains,
                quality,
            }
        })
        .collect()
}

/// A database of its own, dropped when this is dropped.
pub struct TestDb {
    pub name: String,
    /// The owner role's pool (seeding, checking data is unchanged).
    pub owner: PgPool,
    /// The read-only role's pool (what the app uses).
    pub reader: PgPool,
    admin_url: String,
}

pub fn with_database(url: &str, name: &str) -> String {
    let mut url = url::Url::parse(url).expect("database URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

impl TestDb {
    /// Creates, migrates and seeds a fresh database.
    pub async fn new() -> Self {
        let db = Self::empty().await;
        db.seed(&seed_days()).await;
        db
    }

    /// Creates and migrates a fresh database, with no rows.
    pub async fn empty() -> Self {
        let admin_url = required("DATABASE_URL");
        let name = unique("mindy_api_test");
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect as owner");
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await
            .expect("create database");
        let owner = PgPoolOptions::new()
            .max_connections(2)
            .connect(&with_database(&admin_url, &name))
            .await
            .unwrap();
        // As the pipeline does: migrations, then the reader's grants on every chat table.
        mindy_core::db::migrate(&owner).await.expect("migrations");
        let reader_url = with_database(&required("MINDY_READER_DATABASE_URL"), &name);
        let reader = PgPoolOptions::new()
            .max_connections(4)
            .connect(&reader_url)
            .await
            .expect("connect as reader");
        TestDb {
            name,
            owner,
            reader,
            admin_url,
        }
    }

    /// The database's URL as its owner (the role the pipeline writes with).
    pub fn owner_url(&self) -> String {
        with_database(&self.admin_url, &self.name)
    }

    pub async fn seed(&self, days: &[Day]) {
        for day in days {
            let busiest = (0..24)
                .max_by_key(|h| (day.hours[*h], -(*h as i64)))
                .unwrap();
            sqlx::query(
                "INSERT INTO daily_insights (date, total_emails, unique_senders, important_emails, \
                 busiest_hour, busiest_hour_emails, avg_email_length) VALUES ($1,$2,$3,$4,$5,$6,$7)",
            )
            .bind(day.date)
            .bind(day.total())
            .bind(day.unique_senders())
            .bind(day.important())
            .bind(busiest as i16)
            .bind(day.hours[busiest])
            .bind(day.avg_length())
            .execute(&self.owner)
            .await
            .unwrap();
            for (hour, count) in day.hours.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO daily_hourly_counts (date, hour, email_count) VALUES ($1,$2,$3)",
                )
                .bind(day.date)
                .bind(hour as i16)
                .bind(count)
                .execute(&self.owner)
                .await
                .unwrap();
            }
            let mut ranked = day.domains.clone();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            for (rank, (domain, count)) in ranked.iter().enumerate() {
                sqlx::query("INSERT INTO daily_sender_domains (date, sender_domain, email_count, rank) VALUES ($1,$2,$3,$4)")
                    .bind(day.date)
                    .bind(domain)
                    .bind(count)
                    .bind(rank as i16 + 1)
                    .execute(&self.owner)
                    .await
                    .unwrap();
            }
            if let Some((score, passed)) = day.quality {
                sqlx::query(
                    "INSERT INTO quality_scores (date, total_records, valid_records, score_pct, threshold_pct, passed) \
                     VALUES ($1, 1000, $2, $3, 95, $4)",
                )
                .bind(day.date)
                .bind((score * 10.0) as i64)
                .bind(score)
                .bind(passed)
                .execute(&self.owner)
                .await
                .unwrap();
            }
        }
    }

    /// Rows of a serving table, as the owner sees them.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&self.owner)
            .await
            .unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (name, url) = (self.name.clone(), self.admin_url.clone());
        // Drop runs inside the test's (now blocked) runtime: use a thread with its own, and do
        // not touch the pools there (their tasks live on the blocked runtime). FORCE ends their
        // connections server-side.
        let result = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    let mut admin = sqlx::PgConnection::connect(&url).await?;
                    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut admin)
                        .await?;
                    Ok::<_, sqlx::Error>(())
                })
        })
        .join();
        if !matches!(result, Ok(Ok(()))) {
            eprintln!("could not drop test database {}: {result:?}", self.name);
        }
    }
}

/// How a test app is put together.
pub struct Options {
    pub generator: Arc<dyn SqlGenerator>,
    pub rate_per_minute: u32,
    pub burst: u32,
    pub dashboard: Dashboard,
    /// The Redis the chat uses (the stack's by default).
    pub redis_url: String,
    /// Actions on, sending to this SMTP port and writing this calendar file (off by default).
    pub actions: Option<ActionSetup>,
    /// The user's time zone (UTC by default).
    pub timezone: Tz,
    /// What "now" is (by default [`today`] at 09:00 in `timezone`).
    pub clock: Clock,
}

/// How a test app's actions are wired.
pub struct ActionSetup {
    /// Where mail goes.
    pub mailer: Mailer,
    /// Where events go.
    pub calendar: CalendarTarget,
    /// How long proposals can be confirmed, in seconds.
    pub ttl_secs: i64,
}

impl ActionSetup {
    /// Mail to the SMTP server on 127.0.0.1:`smtp_port`, events to the local `calendar_file`.
    pub fn local(smtp_port: u16, calendar_file: std::path::PathBuf, ttl_secs: i64) -> Self {
        ActionSetup {
            mailer: Mailer::Smtp(SmtpServerArgs::plain("127.0.0.1", smtp_port)),
            calendar: CalendarTarget::Local(LocalCalendar {
                sources: calendar_file
                    .parent()
                    .map(|d| d.to_path_buf())
                    .into_iter()
                    .collect(),
                file: calendar_file,
            }),
            ttl_secs,
        }
    }
}

impl Options {
    pub fn semantic() -> Self {
        Options {
            generator: Arc::new(SemanticGenerator::new(Catalog::serving())),
            rate_per_minute: 0,
            burst: 1,
            dashboard: dashboard(),
            redis_url: required("REDIS_URL"),
            actions: None,
            timezone: chrono_tz::UTC,
            clock: Clock::Fixed(today()),
        }
    }
}

/// The dashboard pointed at the running stack.
pub fn dashboard() -> Dashboard {
    let stack = Stack::from_env();
    Dashboard {
        kafka: KafkaArgs {
            bootstrap: stack.kafka_bootstrap.clone(),
            options: Vec::new(),
        },
        topics: vec!["emails-topic".into()],
        groups: vec![],
        spark_remote: stack.spark_remote.clone(),
        airflow: AirflowArgs {
            url: stack.airflow_url.clone(),
            username: stack.airflow_username.clone(),
            password: stack.airflow_password.clone(),
        },
        lake: LakeArgs {
            root: stack.lake_root.to_string_lossy().to_string(),
        },
        prometheus: Some(Prometheus::new(&required("MINDY_PROMETHEUS_URL"))),
        airflow_client: Default::default(),
    }
}

/// A test app: its database, its Redis prefix, its router.
pub struct TestApp {
    pub db: TestDb,
    pub state: AppState,
    pub router: Router,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with(Options::semantic()).await
    }

    /// An app built as `options` say, on a fresh seeded database.
    pub async fn with(options: Options) -> Self {
        Self::on(TestDb::new().await, options).await
    }

    /// An app built as `options` say, on `db`.
    pub async fn on(db: TestDb, options: Options) -> Self {
        init();
        let redis = redis::Client::open(options.redis_url.as_str()).unwrap();
        let metrics = Arc::new(Metrics::default());
        let catalog = Catalog::serving();
        let actions = match &options.actions {
            Some(setup) => {
                let url = with_database(&required("MINDY_ACTOR_DATABASE_URL"), &db.name);
                Some(Actions {
                    pool: PgPoolOptions::new()
                        .max_connections(4)
                        .connect(&url)
                        .await
                        .expect("connect as the actor role"),
                    mailer: setup.mailer.clone(),
                    calendar: setup.calendar.clone(),
                    working_hours: mindy_core::calendar::day::WorkingHours {
                        start: 9 * 60,
                        end: 17 * 60,
                    },
                    timezone: options.timezone,
                    ttl: Duration::seconds(setup.ttl_secs),
                    metrics: metrics.clone(),
                })
            }
            None => None,
        };
        let chat = ChatService {
            generator: options.generator,
            validator: Validator::new(&catalog, 500),
            reader: db.reader.clone(),
            store: Store::new(redis, format!("{}:", unique("mindy_api_test")), 600),
            statement_timeout_ms: 2000,
            timezone: options.timezone.name().into(),
            metrics: metrics.clone(),
            actions,
        };
        let settings = Settings {
            token: TOKEN.into(),
            cors_origin: "http://localhost:3000".into(),
            timezone: options.timezone,
            clock: options.clock,
            trust_forwarded: true,
        };
        let limiter = RateLimiter::new(options.rate_per_minute, options.burst);
        let state = AppState::new(Inner {
            chat,
            dashboard: options.dashboard,
            settings,
            limiter,
            metrics,
        });
        let router = mindy_api::app(state.clone());
        TestApp { db, state, router }
    }

    /// Sends a request through the router; returns status, headers and body text.
    pub async fn send(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        (
            parts.status,
            parts.headers,
            String::from_utf8_lossy(&bytes).to_string(),
        )
    }

    /// An authenticated GET; body parsed as JSON.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let request = Request::get(path)
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = self.send(request).await;
        (
            status,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        )
    }

    /// An authenticated request with a JSON body.
    pub async fn send_json(&self, method: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, _, body) = self.send(request).await;
        (
            status,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        )
    }

    /// An authenticated POST of JSON.
    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send_json("POST", path, body).await
    }

    /// Asks a question (optionally in a conversation), expecting 200.
    pub async fn ask(&self, message: &str, conversation: Option<&str>) -> Value {
        let mut body = serde_json::json!({ "message": message });
        if let Some(id) = conversation {
            body["conversation_id"] = Value::String(id.to_string());
        }
        let (status, reply) = self.post("/api/chat", &body).await;
        assert_eq!(status, StatusCode::OK, "{message}: {reply}");
        reply
    }
}

/// Column `name` of row `row` of a chat reply.
pub fn cell<'a>(reply: &'a Value, row: usize, name: &str) -> &'a Value {
    let columns = reply["columns"].as_array().expect("columns");
    let i = columns
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name} in {reply}"));
    &reply["rows"][row][i]
}

/// The text of a chat reply.
pub fn answer(reply: &Value) -> &str {
    reply["answer"].as_str().expect("answer")
}

/// The section `id` of a chat reply.
pub fn section<'a>(reply: &'a Value, id: &str) -> &'a Value {
    reply["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no section {id} in {reply}"))
}

/// Column `name` of every row of a chat reply (or of one of its sections).
pub fn column<'a>(reply: &'a Value, name: &str) -> Vec<&'a Value> {
    let rows = reply["rows"].as_array().expect("rows");
    (0..rows.len()).map(|i| cell(reply, i, name)).collect()
}

pub fn as_f64(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The server-sent events of a `/api/chat/stream` reply to `message`: (event, data as JSON).
pub async fn stream_events(app: &TestApp, message: &str) -> Vec<(String, Value)> {
    let request = Request::post("/api/chat/stream")
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/json")
        .body(Body::from(
            serde_json::json!({ "message": message }).to_string(),
        ))
        .unwrap();
    let (status, headers, body) = app.send(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    body.split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .map(|block| {
            let event = block
                .lines()
                .find_map(|l| l.strip_prefix("event: "))
                .unwrap_or("")
                .to_string();
            let data = block
                .lines()
                .find_map(|l| l.strip_prefix("data: "))
                .unwrap_or("null");
            (event, serde_json::from_str(data).unwrap())
        })
        .collect()
}
