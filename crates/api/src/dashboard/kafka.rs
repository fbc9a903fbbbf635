//! `GET /api/pipeline/kafka`: per topic and partition, the log's end offset, and per consumer
//! group its committed offset and lag. rdkafka's calls block, so they run on the blocking pool.

use std::time::Duration;

use mindy_core::config::KafkaArgs;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use serde::Serialize;
use utoipa::ToSchema;

/// Timeout of each broker request.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Offsets and lag of the pipeline's topics.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KafkaReport {
    /// One entry per topic.
    pub topics: Vec<TopicOffsets>,
}

/// One topic.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicOffsets {
    /// Topic name.
    pub topic: String,
    /// Whether the broker knows it.
    pub exists: bool,
    /// Its partitions.
    pub partitions: Vec<PartitionOffsets>,
    /// Messages in the log (end minus start, summed over partitions).
    pub messages: i64,
}

/// One partition.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartitionOffsets {
    /// Partition number.
    pub partition: i32,
    /// First offset still in the log.
    pub start_offset: i64,
    /// The offset the next message will get.
    pub end_offset: i64,
    /// Consumer groups that committed an offset here.
    pub groups: Vec<GroupLag>,
}

/// One consumer group's position on a partition.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupLag {
    /// Group id.
    pub group: String,
    /// Committed offset.
    pub committed: i64,
    /// End offset minus committed offset.
    pub lag: i64,
}

fn consumer(args: &KafkaArgs, group: &str) -> Result<BaseConsumer, String> {
    mindy_core::kafka::client_config(args)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .map_err(|e| e.to_string())
}

/// Whether a broker answers a metadata request.
pub async fn ping(args: &KafkaArgs) -> Result<(), String> {
    let args = args.clone();
    tokio::task::spawn_blocking(move || {
        let consumer = consumer(&args, "mindy-api-health")?;
        consumer
            .fetch_metadata(None, TIMEOUT)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Offsets of `topics`, with the committed offsets of `groups` (every listed group when empty).
pub async fn report(
    args: &KafkaArgs,
    topics: &[String],
    groups: &[String],
) -> Result<KafkaReport, String> {
    let (args, topics, groups) = (args.clone(), topics.to_vec(), groups.to_vec());
    tokio::task::spawn_blocking(move || blocking_report(&args, &topics, &groups))
        .await
        .map_err(|e| e.to_string())?
}

fn blocking_report(
    args: &KafkaArgs,
    topics: &[String],
    groups: &[String],
) -> Result<KafkaReport, String> {
    let admin = consumer(args, "mindy-api-dashboard")?;
    let metadata = admin
        .fetch_metadata(None, TIMEOUT)
        .map_err(|e| e.to_string())?;
    let groups: Vec<String> = if groups.is_empty() {
        let list = admin
            .fetch_group_list(None, TIMEOUT)
            .map_err(|e| e.to_string())?;
        list.groups()
            .iter()
            .map(|g| g.name().to_string())
            .filter(|g| !g.starts_with("mindy-api-"))
            .collect()
    } else {
        groups.to_vec()
    };
    let mut report = KafkaReport { topics: Vec::new() };
    for topic in topics {
        let partitions: Vec<i32> = metadata
            .topics()
            .iter()
            .find(|t| t.name() == topic)
            .map(|t| t.partitions().iter().map(|p| p.id()).collect())
            .unwrap_or_default();
        let mut entry = TopicOffsets {
            topic: topic.clone(),
            exists: !partitions.is_empty(),
            partitions: Vec::new(),
            messages: 0,
        };
        for partition in partitions {
            let (low, high) = admin
                .fetch_watermarks(topic, partition, TIMEOUT)
                .map_err(|e| e.to_string())?;
            entry.messages += high - low;
            entry.partitions.push(PartitionOffsets {
                partition,
                start_offset: low,
                end_offset: high,
                groups: Vec::new(),
            });
        }
        report.topics.push(entry);
    }
    for group in &groups {
        add_group(args, group, &mut report)?;
    }
    Ok(report)
}

/// Adds `group`'s committed offsets (where it has any) to the report.
fn add_group(args: &KafkaArgs, group: &str, report: &mut KafkaReport) -> Result<(), String> {
    let mut list = TopicPartitionList::new();
    for topic in &report.topics {
        for p in &topic.partitions {
            list.add_partition(&topic.topic, p.partition);
        }
    }
    if list.count() == 0 {
        return Ok(());
    }
    let committed = consumer(args, group)?
        .committed_offsets(list, TIMEOUT)
        .map_err(|e| e.to_string())?;
    for element in committed.elements() {
        let Offset::Offset(offset) = element.offset() else {
            continue;
        };
        let topic = report
            .topics
            .iter_mut()
            .find(|t| t.topic == element.topic());
        let Some(p) = topic.and_then(|t| {
            t.partitions
                .iter_mut()
                .find(|p| p.partition == element.partition())
        }) else {
            continue;
        };
        p.groups.push(GroupLag {
            group: group.to_string(),
            committed: offset,
            lag: (p.end_offset - offset).max(0),
        });
    }
    Ok(())
}
