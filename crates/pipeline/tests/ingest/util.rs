//! Kafka helpers for the ingestion tests: per-test topics, producing, and reading a topic to
//! its end (by partition EOF, never by a sleep).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use mindy_core::config::{KafkaArgs, TopicArgs};
use mindy_core::kafka;
use mindy_test::{unique, Stack};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};

/// One test's topics.
pub struct TestTopics {
    /// Where Kafka is.
    pub kafka: KafkaArgs,
    /// The test's emails / processed / dlq topics.
    pub topics: TopicArgs,
}

impl TestTopics {
    /// Creates fresh topics shaped like the stack's: 3, 3 and 1 partitions.
    pub async fn create(prefix: &str) -> Self {
        let stack = Stack::from_env();
        let kafka = KafkaArgs {
            bootstrap: stack.kafka_bootstrap,
            options: Vec::new(),
        };
        let topics = TopicArgs {
            emails: unique(&format!("{prefix}-emails")),
            processed: unique(&format!("{prefix}-processed")),
            dlq: unique(&format!("{prefix}-dlq")),
        };
        for (topic, partitions) in [
            (&topics.emails, 3),
            (&topics.processed, 3),
            (&topics.dlq, 1),
        ] {
            kafka::ensure_topic(&kafka, topic, partitions)
                .await
                .expect("create topic");
        }
        TestTopics { kafka, topics }
    }

    /// Deletes the topics.
    pub async fn delete(self) {
        for topic in [
            &self.topics.emails,
            &self.topics.processed,
            &self.topics.dlq,
        ] {
            kafka::delete_topic(&self.kafka, topic)
                .await
                .expect("delete topic");
        }
    }

    /// Produces `(key, value)` pairs to the emails topic.
    pub async fn produce(&self, records: &[(String, Vec<u8>)]) {
        let producer: FutureProducer = kafka::client_config(&self.kafka)
            .set("enable.idempotence", "true")
            .set("linger.ms", "20")
            .create()
            .expect("producer");
        let sends = records.iter().map(|(key, value)| {
            producer.send(
                FutureRecord::to(&self.topics.emails)
                    .key(key)
                    .payload(value),
                Duration::from_secs(30),
            )
        });
        for result in futures::future::join_all(sends).await {
            result.expect("delivered");
        }
    }

    /// Every record of `topic`, read `read_committed` unless `uncommitted`.
    pub async fn read(&self, topic: &str, uncommitted: bool) -> Vec<Record> {
        let (bootstrap, topic) = (self.kafka.bootstrap.clone(), topic.to_string());
        tokio::task::spawn_blocking(move || read_to_end(&bootstrap, &topic, uncommitted))
            .await
            .expect("reader thread")
    }
}

/// A record as read back.
#[derive(Debug, Clone)]
pub struct Record {
    /// Key as text.
    pub key: String,
    /// Value bytes.
    pub value: Vec<u8>,
    /// Headers as text.
    pub headers: HashMap<String, String>,
}

impl Record {
    /// The value as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.value).expect("a JSON value")
    }
}

fn read_to_end(bootstrap: &str, topic: &str, uncommitted: bool) -> Vec<Record> {
    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", unique("reader"))
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "true")
        .set(
            "isolation.level",
            if uncommitted {
                "read_uncommitted"
            } else {
                "read_committed"
            },
        )
        .create()
        .expect("consumer");
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .expect("metadata");
    let partitions: Vec<i32> = metadata.topics()[0]
        .partitions()
        .iter()
        .map(|p| p.id())
        .collect();
    let mut assignment = TopicPartitionList::new();
    for p in &partitions {
        assignment
            .add_partition_offset(topic, *p, Offset::Beginning)
            .unwrap();
    }
    consumer.assign(&assignment).expect("assign");
    let mut at_end = HashSet::new();
    let mut records = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while at_end.len() < partitions.len() {
        assert!(Instant::now() < deadline, "reading {topic}: timed out");
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => {
                at_end.remove(&m.partition());
                let headers = m
                    .headers()
                    .map(|h| {
                        h.iter()
                            .map(|h| {
                                (
                                    h.key.to_string(),
                                    String::from_utf8_lossy(h.value.unwrap_or_default())
                                        .into_owned(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                records.push(Record {
                    key: String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned(),
                    value: m.payload().unwrap_or_default().to_vec(),
                    headers,
                });
            }
            Some(Err(KafkaError::PartitionEOF(p))) => {
                at_end.insert(p);
            }
            Some(Err(e)) => panic!("reading {topic}: {e}"),
            None => {}
        }
    }
    records
}

/// Sum of the high watermarks of `topic` (records including uncommitted and control ones).
pub fn high_watermarks(bootstrap: &str, topic: &str) -> i64 {
    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        // librdkafka's default (read_committed) would answer the last stable offset instead.
        .set("isolation.level", "read_uncommitted")
        .create()
        .expect("consumer");
    (0..3)
        .map(|p| {
            consumer
                .fetch_watermarks(topic, p, Duration::from_secs(5))
                .map(|(_, h)| h)
                .unwrap_or(0)
        })
        .sum()
}
