//! `mindy smoke`: one round trip through every service of the stack, with a printed report.
//!
//! Each check does real work: Spark runs a query on the cluster's executors and writes, appends
//! to and reads back a Delta table; Kafka creates a topic, produces and consumes a record;
//! PostgreSQL reads a migrated table; Redis answers PING and round-trips a key; Airflow issues a
//! JWT and lists the DAGs it parsed. It is what the README's demo command runs until the full
//! pipeline lands, and what the `stack_smoke` DAG runs from Airflow.

use std::fmt;
use std::time::{Duration, Instant};

use clap::Args;
use futures::future::BoxFuture;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::Message;

use crate::{Error, Result};
use mindy_core::airflow::AirflowClient;
use mindy_core::config::{AirflowArgs, DatabaseArgs, KafkaArgs, LakeArgs, RedisArgs, SparkArgs};
use mindy_core::{db, kafka};

mod spark;

/// Settings of `mindy smoke`.
#[derive(Debug, Clone, Args)]
pub struct SmokeConfig {
    /// Kafka connection.
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Spark Connect connection.
    #[command(flatten)]
    pub spark: SparkArgs,
    /// Application database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Redis connection.
    #[command(flatten)]
    pub redis: RedisArgs,
    /// Airflow API.
    #[command(flatten)]
    pub airflow: AirflowArgs,
    /// Data lake root (the Delta check writes under `<root>/_smoke/`).
    #[command(flatten)]
    pub lake: LakeArgs,
}

/// The outcome of one service's check.
#[derive(Debug)]
pub struct Check {
    /// Which service.
    pub service: &'static str,
    /// How long the check took.
    pub elapsed: Duration,
    /// What the service answered, or why it failed.
    pub outcome: Result<String>,
}

/// Every check's outcome, in the order they ran.
#[derive(Debug)]
pub struct Report {
    /// The checks.
    pub checks: Vec<Check>,
}

impl Report {
    /// True when every service passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.outcome.is_ok())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.checks {
            let (mark, text) = match &c.outcome {
                Ok(detail) => ("ok  ", detail.clone()),
                Err(e) => ("FAIL", e.to_string()),
            };
            writeln!(
                f,
                "{mark} {:<9} {:>7.0} ms  {text}",
                c.service,
                c.elapsed.as_secs_f64() * 1e3
            )?;
        }
        Ok(())
    }
}

/// Runs every check (all of them, even after a failure) and returns the report.
pub async fn run(config: &SmokeConfig) -> Report {
    let checks: Vec<(&'static str, BoxFuture<'_, Result<String>>)> = vec![
        ("spark", Box::pin(spark::check(&config.spark, &config.lake))),
        ("kafka", Box::pin(check_kafka(&config.kafka))),
        ("postgres", Box::pin(check_postgres(&config.database))),
        ("redis", Box::pin(check_redis(&config.redis))),
        ("airflow", Box::pin(check_airflow(&config.airflow))),
    ];
    let mut report = Report { checks: Vec::new() };
    for (service, check) in checks {
        let start = Instant::now();
        let outcome = check.await;
        if let Err(e) = &outcome {
            tracing::error!(service, error = %e, "smoke check failed");
        }
        report.checks.push(Check {
            service,
            elapsed: start.elapsed(),
            outcome,
        });
    }
    report
}

/// Creates a throw-away topic, produces one record and consumes it back.
async fn check_kafka(args: &KafkaArgs) -> Result<String> {
    let topic = format!("mindy-smoke-{}", uuid::Uuid::new_v4().simple());
    kafka::ensure_topic(args, &topic, 1).await?;
    let outcome = produce_and_consume(args, &topic).await;
    kafka::delete_topic(args, &topic).await?;
    outcome
}

async fn produce_and_consume(args: &KafkaArgs, topic: &str) -> Result<String> {
    let payload = uuid::Uuid::new_v4().to_string();
    let producer: FutureProducer = kafka::client_config(args)
        .set("acks", "all")
        .set("message.timeout.ms", "30000")
        .create()?;
    let delivery = producer
        .send(
            FutureRecord::to(topic).key("smoke").payload(&payload),
            Duration::from_secs(10),
        )
        .await
        .map_err(|(e, _)| e)?;
    let consumer: StreamConsumer = kafka::client_config(args)
        .set("group.id", format!("{topic}-reader"))
        .set("auto.offset.reset", "earliest")
        .create()?;
    consumer.subscribe(&[topic])?;
    let message = tokio::time::timeout(Duration::from_secs(20), consumer.recv())
        .await
        .map_err(|_| {
            Error::timeout(format!("consuming from {topic}"), Duration::from_secs(20))
        })??;
    let got = message
        .payload_view::<str>()
        .and_then(|p| p.ok())
        .unwrap_or_default();
    if got != payload {
        return Err(Error::unexpected(
            "kafka",
            format!("consumed {got:?}, produced {payload:?}"),
        ));
    }
    Ok(format!(
        "produced and consumed 1 record (partition {}, offset {})",
        delivery.partition, delivery.offset
    ))
}

/// Reads the migrated serving table and the migration history.
async fn check_postgres(args: &DatabaseArgs) -> Result<String> {
    let pool = db::connect(args).await?;
    let migrations: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&pool)
        .await?;
    let days: i64 = sqlx::query_scalar("SELECT count(*) FROM daily_insights")
        .fetch_one(&pool)
        .await?;
    let version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&pool)
        .await?;
    Ok(format!(
        "PostgreSQL {version}, {migrations} migrations applied, daily_insights has {days} rows"
    ))
}

/// PING, then a key written with a TTL and read back.
async fn check_redis(args: &RedisArgs) -> Result<String> {
    let client = redis::Client::open(args.url.as_str())?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    let pong: String = redis::cmd("PING").query_async(&mut conn).await?;
    let key = format!("mindy:smoke:{}", uuid::Uuid::new_v4().simple());
    let _: () = redis::cmd("SET")
        .arg(&key)
        .arg("1")
        .arg("EX")
        .arg(60)
        .query_async(&mut conn)
        .await?;
    let value: Option<String> = redis::cmd("GET").arg(&key).query_async(&mut conn).await?;
    let _: () = redis::cmd("DEL").arg(&key).query_async(&mut conn).await?;
    if pong != "PONG" || value.as_deref() != Some("1") {
        return Err(Error::unexpected(
            "redis",
            format!("PING → {pong}, GET → {value:?}"),
        ));
    }
    Ok("PING → PONG, SET/GET round trip".to_string())
}

/// A JWT from `/auth/token`, then the parsed DAGs.
async fn check_airflow(args: &AirflowArgs) -> Result<String> {
    let client = AirflowClient::login(args).await?;
    let dags = client.dags().await?;
    let ids: Vec<&str> = dags.iter().map(|d| d.dag_id.as_str()).collect();
    if ids.is_empty() {
        return Err(Error::unexpected(
            "airflow",
            "no DAGs parsed from airflow/dags",
        ));
    }
    Ok(format!(
        "JWT issued; {} DAGs: {}",
        ids.len(),
        ids.join(", ")
    ))
}
