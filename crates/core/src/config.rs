//! Connection settings shared by the jobs. Each is a clap `Args` group with env fallbacks (the
//! names `./stack up` writes to `.stack/env` and `.env.example` documents), so a job's CLI only
//! flattens the groups it needs. Argument ids are prefixed by their group (`database_url`,
//! `redis_url`) because clap needs them unique across the flattened groups. These structs validate
//! and hold; opening connections happens in the modules that own each service.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// Where Kafka is.
#[derive(Debug, Clone, Args)]
pub struct KafkaArgs {
    /// Kafka bootstrap servers, comma-separated host:port.
    #[arg(
        id = "kafka_bootstrap",
        long = "kafka-bootstrap",
        env = "MINDY_KAFKA_BOOTSTRAP",
        default_value = "127.0.0.1:9092"
    )]
    pub bootstrap: String,
    /// Extra librdkafka settings for mindy's Kafka clients, `KEY=VALUE`; repeat the flag, or
    /// separate pairs with `;` in the variable (e.g. `security.protocol=SASL_SSL;sasl.mechanisms=PLAIN`
    /// for a managed cluster, or `heartbeat.interval.ms=500`). They override mindy's tuning, not
    /// the settings a client needs for its role. Spark's Kafka source (`mindy stream`) uses the
    /// Java client and does not get them.
    #[arg(
        id = "kafka_options",
        long = "kafka-option",
        env = "MINDY_KAFKA_OPTIONS",
        value_name = "KEY=VALUE",
        value_delimiter = ';',
        value_parser = parse_kafka_option
    )]
    pub options: Vec<(String, String)>,
}

impl KafkaArgs {
    /// The user's librdkafka settings, blank entries (an empty variable, a trailing `;`) left out.
    pub fn settings(&self) -> impl Iterator<Item = (&str, &str)> {
        self.options
            .iter()
            .filter(|(key, _)| !key.is_empty())
            .map(|(key, value)| (key.as_str(), value.as_str()))
    }
}

/// `KEY=VALUE`, or a blank entry (kept as an empty pair, which [`KafkaArgs::settings`] skips).
fn parse_kafka_option(pair: &str) -> Result<(String, String), String> {
    if pair.trim().is_empty() {
        return Ok((String::new(), String::new()));
    }
    match pair.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!("expected KEY=VALUE, got {pair:?}")),
    }
}

/// The pipeline's Kafka topics: ingestion writes `emails`, the validator reads it and writes
/// `processed`, and both send what they cannot use to `dlq` (with the reason in headers).
#[derive(Debug, Clone, Args)]
pub struct TopicArgs {
    /// Raw email records, as the producers write them.
    #[arg(
        long = "topic-emails",
        env = "MINDY_TOPIC_EMAILS",
        default_value = "emails-topic"
    )]
    pub emails: String,
    /// Validated, normalised records (written in Kafka transactions; read them `read_committed`).
    #[arg(
        long = "topic-processed",
        env = "MINDY_TOPIC_PROCESSED",
        default_value = "processed-emails-topic"
    )]
    pub processed: String,
    /// Dead letters: unparseable input and records that failed validation.
    #[arg(
        long = "topic-dlq",
        env = "MINDY_TOPIC_DLQ",
        default_value = "emails-dlq"
    )]
    pub dlq: String,
}

/// The kinds of record the pipeline carries, each on its own topics with its own rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum RecordType {
    /// Emails ([`crate::email`]).
    Email,
    /// Calendar events ([`crate::calendar`]).
    Calendar,
}

impl RecordType {
    /// Every record type.
    pub const ALL: [RecordType; 2] = [RecordType::Email, RecordType::Calendar];

    /// The lower-case name (the metrics' `record` label).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Email => "email",
            RecordType::Calendar => "calendar",
        }
    }
}

/// The calendar's Kafka topics: producers write `calendar`, the validator reads it and writes
/// `processed` (or `dlq` with the reason), the stream reads `processed`.
#[derive(Debug, Clone, Args)]
pub struct CalendarTopicArgs {
    /// Raw calendar records, as the producers write them.
    #[arg(
        id = "topic_calendar",
        long = "topic-calendar",
        env = "MINDY_TOPIC_CALENDAR",
        default_value = "calendar-topic"
    )]
    pub calendar: String,
    /// Validated, normalised calendar records (written in Kafka transactions).
    #[arg(
        id = "topic_processed_calendar",
        long = "topic-processed-calendar",
        env = "MINDY_TOPIC_PROCESSED_CALENDAR",
        default_value = "processed-calendar-topic"
    )]
    pub processed: String,
    /// Dead letters: calendar input that could not be parsed or failed validation.
    #[arg(
        id = "topic_calendar_dlq",
        long = "topic-calendar-dlq",
        env = "MINDY_TOPIC_CALENDAR_DLQ",
        default_value = "calendar-dlq"
    )]
    pub dlq: String,
}

/// Where the Spark Connect server is.
#[derive(Debug, Clone, Args)]
pub struct SparkArgs {
    /// Spark Connect URL: `sc://host:port/;token=...;user_id=...`.
    #[arg(
        id = "spark_remote",
        long = "spark-remote",
        env = "MINDY_SPARK_REMOTE",
        default_value = "sc://127.0.0.1:15002"
    )]
    pub remote: String,
}

/// Where the application database is.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL URL of the application database.
    #[arg(
        id = "database_url",
        long = "database-url",
        env = "DATABASE_URL",
        hide_env_values = true
    )]
    pub url: String,
    /// Upper bound on pooled connections.
    #[arg(
        id = "database_max_connections",
        long = "database-max-connections",
        env = "MINDY_DATABASE_MAX_CONNECTIONS",
        default_value_t = 5
    )]
    pub max_connections: u32,
}

/// Where Redis is.
#[derive(Debug, Clone, Args)]
pub struct RedisArgs {
    /// Redis URL.
    #[arg(
        id = "redis_url",
        long = "redis-url",
        env = "REDIS_URL",
        default_value = "redis://127.0.0.1:6379"
    )]
    pub url: String,
}

/// Where Airflow's API server is and who we are to it.
#[derive(Debug, Clone, Args)]
pub struct AirflowArgs {
    /// Airflow API server base URL.
    #[arg(
        id = "airflow_url",
        long = "airflow-url",
        env = "MINDY_AIRFLOW_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub url: String,
    /// Airflow user.
    #[arg(
        id = "airflow_username",
        long = "airflow-username",
        env = "MINDY_AIRFLOW_USERNAME",
        default_value = "admin"
    )]
    pub username: String,
    /// Airflow password.
    #[arg(
        id = "airflow_password",
        long = "airflow-password",
        env = "MINDY_AIRFLOW_PASSWORD",
        hide_env_values = true
    )]
    pub password: String,
}

/// Where the data lake is.
#[derive(Debug, Clone, Args)]
pub struct LakeArgs {
    /// Root of the Delta Lake: a local path (seen at the same path by Spark's driver and
    /// executors), or an `s3a://` / `abfss://` URL configured on the Spark side.
    #[arg(
        id = "lake_root",
        long = "lake-root",
        env = "MINDY_LAKE_ROOT",
        default_value = "datalake"
    )]
    pub root: String,
}

impl LakeArgs {
    /// The lake root as Spark must see it: local paths made absolute, URLs untouched.
    pub fn spark_root(&self) -> String {
        if self.root.contains("://") {
            return self.root.trim_end_matches('/').to_string();
        }
        let path = PathBuf::from(&self.root);
        let absolute = if path.is_absolute() {
            path
        } else {
            std::env::current_dir()
                .map(|d| d.join(&path))
                .unwrap_or(path)
        };
        absolute.to_string_lossy().trim_end_matches('/').to_string()
    }

    /// Where `table` lives as Spark must see it: `<root>/<layer>/<name>`.
    pub fn location(&self, table: &crate::lake::LakeTable) -> String {
        format!("{}/{}", self.spark_root(), table.relative_path())
    }
}

/// A duration on the command line: a number with `ms`, `s` (the default), `m` or `h`, e.g. `30s`,
/// `500ms`, `2m`. For clap's `value_parser`.
pub fn parse_duration(text: &str) -> std::result::Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?}: expected e.g. 30s, 500ms, 2m"))?;
    match unit.trim() {
        "ms" => Ok(Duration::from_millis(n)),
        "" | "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        other => Err(format!(
            "{text:?}: unknown unit {other:?} (use ms, s, m or h)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lake_urls_are_kept_and_local_paths_made_absolute() {
        let s3 = LakeArgs {
            root: "s3a://bucket/lake/".into(),
        };
        assert_eq!(
            s3.location(&crate::lake::BRONZE_EMAILS),
            "s3a://bucket/lake/bronze/emails"
        );
        let local = LakeArgs {
            root: "datalake".into(),
        };
        assert!(local.spark_root().starts_with('/'));
        assert!(local
            .location(&crate::lake::GOLD_DAILY_SUMMARY)
            .ends_with("datalake/gold/daily_summary"));
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("60"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("soon").is_err());
    }

    #[derive(Debug, clap::Parser)]
    struct KafkaCli {
        #[command(flatten)]
        kafka: KafkaArgs,
    }

    #[test]
    fn kafka_options_are_key_value_pairs_from_flags_or_a_semicolon_list() {
        use clap::Parser;
        let pairs = |args: &[&str]| {
            KafkaCli::try_parse_from(std::iter::once("t").chain(args.iter().copied())).map(|cli| {
                cli.kafka
                    .settings()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<Vec<_>>()
            })
        };
        let owned = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            pairs(&[
                "--kafka-option",
                "security.protocol=SASL_SSL",
                "--kafka-option",
                "sasl.password=a=b"
            ])
            .unwrap(),
            owned(&[("security.protocol", "SASL_SSL"), ("sasl.password", "a=b")])
        );
        assert_eq!(
            pairs(&["--kafka-option", "linger.ms=5; acks=all"]).unwrap(),
            owned(&[("linger.ms", "5"), ("acks", "all")])
        );
        assert!(pairs(&[]).unwrap().is_empty());
        // `MINDY_KAFKA_OPTIONS=` (as in .env.example) and a trailing `;` are no settings.
        assert!(pairs(&["--kafka-option", ""]).unwrap().is_empty());
        assert_eq!(
            pairs(&["--kafka-option", "acks=all;"]).unwrap(),
            owned(&[("acks", "all")])
        );
        let err = pairs(&["--kafka-option", "linger.ms"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected KEY=VALUE"), "{err}");
    }
}
