//! Fixtures: a private database per test (created as the owner role, migrated with the
//! pipeline's MIGRATOR, seeded, dropped at the end even when the test fails), a unique Redis
//! prefix, and the app wired to them with a fixed "today".

use std::sync::{Arc, Once};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use chrono::{Duration, NaiveDate};
use http_body_util::BodyExt;
use mindy_api::chat::catalog::Catalog;
use mindy_api::chat::safety::Validator;
use mindy_api::chat::semantic::SemanticGenerator;
use mindy_api::chat::store::Store;
use mindy_api::chat::{ChatService, SqlGenerator};
use mindy_api::dashboard::Dashboard;
use mindy_api::metrics::Metrics;
use mindy_api::ratelimit::RateLimiter;
use mindy_api::state::{Clock, Inner, Settings};
use mindy_api::AppState;
use mindy_core::config::{AirflowArgs, KafkaArgs, LakeArgs};
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

fn with_database(url: &str, name: &str) -> String {
    let mut url = url::Url::parse(url).expect("database URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

impl TestDb {
    /// Creates, migrates and seeds a fresh database.
    pub async fn new() -> Self {
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
        mindy_core::db::MIGRATOR
            .run(&owner)
            .await
            .expect("migrations");
        let reader_url = with_database(&required("MINDY_READER_DATABASE_URL"), &name);
        let reader = PgPoolOptions::new()
            .max_connections(4)
            .connect(&reader_url)
            .await
            .expect("connect as reader");
        let db = TestDb {
            name,
            owner,
            reader,
            admin_url,
        };
        db.seed(&seed_days()).await;
        db
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
}

impl Options {
    pub fn semantic() -> Self {
        Options {
            generator: Arc::new(SemanticGenerator::new(Catalog::serving())),
            rate_per_minute: 0,
            burst: 1,
            dashboard: dashboard(),
            redis_url: required("REDIS_URL"),
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

    pub async fn with(options: Options) -> Self {
        init();
        let db = TestDb::new().await;
        let redis = redis::Client::open(options.redis_url.as_str()).unwrap();
        let metrics = Arc::new(Metrics::default());
        let catalog = Catalog::serving();
        let chat = ChatService {
            generator: options.generator,
            validator: Validator::new(&catalog, 500),
            reader: db.reader.clone(),
            store: Store::new(redis, format!("{}:", unique("mindy_api_test")), 600),
            statement_timeout_ms: 2000,
            timezone: "UTC".into(),
            metrics: metrics.clone(),
        };
        let settings = Settings {
            token: TOKEN.into(),
            cors_origin: "http://localhost:3000".into(),
            timezone: chrono_tz::UTC,
            clock: Clock::Fixed(today()),
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

    /// An authenticated POST of JSON.
    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let request = Request::post(path)
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

pub fn as_f64(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}
