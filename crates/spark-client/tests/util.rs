//! Helpers shared by the integration tests: where the stack is, unique names, sessions.

use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::time::Duration;

use spark_client::{RetryPolicy, SparkSession};

/// The Connect server URL of the local stack.
pub fn remote() -> String {
    std::env::var("MINDY_SPARK_REMOTE").unwrap_or_else(|_| "sc://127.0.0.1:15002".into())
}

/// `host:port` of an `sc://` URL.
pub fn host_port(url: &str) -> String {
    let rest = url.trim_start_matches("sc://");
    let authority = rest.split('/').next().unwrap_or(rest);
    if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:15002")
    }
}

/// Panics with a clear message unless the Connect server accepts TCP connections.
pub fn require_server() -> String {
    let url = remote();
    let addr = host_port(&url);
    let sock = addr
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .unwrap_or_else(|| panic!("cannot resolve Spark Connect address {addr}"));
    if std::net::TcpStream::connect_timeout(&sock, Duration::from_secs(3)).is_err() {
        panic!(
            "Spark Connect is not reachable at {url} (MINDY_SPARK_REMOTE). Start the local stack \
             with `./stack up` and `source .stack/env`; these tests do not skip."
        );
    }
    url
}

/// A new session on the stack's server, with the quick test retry policy.
pub async fn session() -> SparkSession {
    session_at(&require_server()).await
}

/// A new session on `url`.
pub async fn session_at(url: &str) -> SparkSession {
    SparkSession::builder()
        .remote(url)
        .with_retry_policy(RetryPolicy::for_tests())
        .build()
        .await
        .expect("session builds")
}

/// A name unique to this test run, usable as a table name or path segment.
pub fn unique(prefix: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}_{}", &id[..12])
}

/// A fresh directory under the lake root (MINDY_LAKE_ROOT, else the system temp dir). Spark runs
/// on this machine, so it sees the same path.
pub fn lake_path(prefix: &str) -> String {
    let root = std::env::var("MINDY_LAKE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join("spark-client-tests"));
    let dir = root.join("spark-client-tests").join(unique(prefix));
    dir.to_string_lossy().into_owned()
}

/// The rows of `batches` as display strings (nulls as `null`), for assertions.
pub fn rows(batches: &[arrow_array::RecordBatch]) -> Vec<Vec<String>> {
    use arrow_cast::display::{ArrayFormatter, FormatOptions};
    let opts = FormatOptions::default().with_null("null");
    let mut out = Vec::new();
    for b in batches {
        let fmts: Vec<_> = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts).unwrap())
            .collect();
        for r in 0..b.num_rows() {
            out.push(fmts.iter().map(|f| f.value(r).to_string()).collect());
        }
    }
    out
}

/// Collects a DataFrame into display rows.
pub async fn collect_rows(df: &spark_client::DataFrame) -> Vec<Vec<String>> {
    rows(&df.collect().await.expect("collect"))
}

/// The Kafka bootstrap servers of the local stack.
pub fn kafka_bootstrap() -> String {
    std::env::var("MINDY_KAFKA_BOOTSTRAP").unwrap_or_else(|_| "127.0.0.1:9092".into())
}

/// Creates a topic with a unique name and `partitions` partitions (the stack disables topic
/// auto-creation); returns its name.
pub async fn kafka_topic(prefix: &str, partitions: i32) -> String {
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    use rdkafka::client::DefaultClientContext;
    use rdkafka::ClientConfig;

    let name = unique(prefix);
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", kafka_bootstrap())
        .create()
        .expect("Kafka admin client");
    let topic = NewTopic::new(&name, partitions, TopicReplication::Fixed(1));
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(20)));
    let results = admin
        .create_topics([&topic], &opts)
        .await
        .unwrap_or_else(|e| panic!("Kafka at {} is not reachable: {e}", kafka_bootstrap()));
    for r in results {
        r.unwrap_or_else(|(t, e)| panic!("creating topic {t}: {e}"));
    }
    name
}
