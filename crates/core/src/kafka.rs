//! Kafka client configuration and topic administration, on rdkafka (librdkafka).

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::types::RDKafkaErrorCode;

use crate::config::KafkaArgs;
use crate::{Error, Result};

/// A client configuration pointing at the bootstrap servers, for any rdkafka client type, with
/// the user's `--kafka-option`s.
pub fn client_config(args: &KafkaArgs) -> ClientConfig {
    tuned_config(args, &[])
}

/// Like [`client_config`], with a client's own `tuning` between mindy's defaults and the user's
/// `--kafka-option`s, so the user's settings win over both. What a client needs for its role
/// (group and transactional ids, isolation level) is for the caller to set after.
pub fn tuned_config(args: &KafkaArgs, tuning: &[(&str, &str)]) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", &args.bootstrap)
        // A down broker should fail a job within seconds, not retry for the default 5 minutes.
        .set("socket.connection.setup.timeout.ms", "10000");
    for (key, value) in tuning.iter().copied().chain(args.settings()) {
        config.set(key, value);
    }
    config
}

/// An admin client for topic management.
pub fn admin(args: &KafkaArgs) -> Result<AdminClient<DefaultClientContext>> {
    Ok(client_config(args).create()?)
}

/// Creates `topic` with `partitions` partitions if it does not exist yet.
pub async fn ensure_topic(args: &KafkaArgs, topic: &str, partitions: i32) -> Result<()> {
    let admin = admin(args)?;
    let new = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    for result in admin.create_topics([&new], &options).await? {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => {
                return Err(Error::unexpected(
                    "kafka",
                    format!("creating topic {name}: {code}"),
                ))
            }
        }
    }
    Ok(())
}

/// Checks that every topic in `topics` exists, so a job fails at once with the topic's name
/// instead of timing out on its first record (the stack's broker does not create topics on use).
/// A broker that does not answer within 10 s is an error too.
pub async fn require_topics(args: &KafkaArgs, topics: &[&str]) -> Result<()> {
    let config = client_config(args);
    let bootstrap = args.bootstrap.clone();
    let wanted: Vec<String> = topics.iter().map(|t| t.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = config.create()?;
        let metadata = consumer
            .fetch_metadata(None, Duration::from_secs(10))
            .map_err(|e| {
                Error::unexpected(
                    "kafka",
                    format!("no topic metadata from {bootstrap} within 10 s ({e}); is Kafka up?"),
                )
            })?;
        let existing: Vec<&str> = metadata.topics().iter().map(|t| t.name()).collect();
        let missing: Vec<&str> = wanted
            .iter()
            .map(String::as_str)
            .filter(|t| !existing.contains(t))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::Invalid(format!(
            "Kafka topic(s) {} do not exist on {bootstrap}, which does not create topics on use: \
             check --topic-emails/--topic-processed/--topic-dlq (MINDY_TOPIC_*), or create them \
             (`./stack up kafka` creates the pipeline's topics)",
            missing.join(", ")
        )))
    })
    .await
    .map_err(|e| Error::unexpected("kafka", format!("metadata thread failed: {e}")))?
}

/// Deletes `topic`; a topic that is already gone is not an error.
pub async fn delete_topic(args: &KafkaArgs, topic: &str) -> Result<()> {
    let admin = admin(args)?;
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    for result in admin.delete_topics(&[topic], &options).await? {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::UnknownTopicOrPartition)) => {}
            Err((name, code)) => {
                return Err(Error::unexpected(
                    "kafka",
                    format!("deleting topic {name}: {code}"),
                ))
            }
        }
    }
    Ok(())
}
