//! The mail the benchmark produces, and the paced producer that writes it at a steady rate.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::Utc;
use futures::stream::{FuturesUnordered, StreamExt};
use mindy_core::config::KafkaArgs;
use mindy_core::email::{BodyFormat, DateSource, EmailRecord, Mailbox, Source};
use mindy_core::kafka;
use mindy_pipeline::shutdown::Shutdown;
use rdkafka::producer::{FutureProducer, FutureRecord};

/// Sender domains, so bronze's partitions and silver's groups look like a real mailbox.
const DOMAINS: [&str; 8] = [
    "acmecorp.example",
    "techflow.example",
    "datacorp.example",
    "northwind.example",
    "globex.example",
    "initech.example",
    "umbrella.example",
    "hooli.example",
];

/// How often the producer wakes up to send what is due.
const TICK: Duration = Duration::from_millis(10);

/// One email of the workload: a body of 200 to ~2,000 characters, every tenth one "urgent", dated
/// now (so it lands in today's `event_date` and silver's current window).
pub fn email(id: String, seq: u64) -> EmailRecord {
    let domain = DOMAINS[(seq % DOMAINS.len() as u64) as usize];
    let body_len = 200 + (seq * 7919 % 1800) as usize;
    let subject = if seq.is_multiple_of(10) {
        format!("URGENT: ticket {seq} needs a decision")
    } else {
        format!("Weekly update {seq}")
    };
    let sender = Mailbox {
        name: Some(format!("Sender {}", seq % 97)),
        address: format!("person{}@{domain}", seq % 97),
        canonical: None,
    };
    let now = Utc::now();
    EmailRecord {
        schema_version: 1,
        thread_id: format!("thread-{}", seq / 3),
        rfc822_message_id: Some(format!("{id}@bench.example")),
        id,
        source: Source::Demo,
        subject,
        from: Some(sender),
        to: vec![Mailbox {
            name: Some("Sarah".into()),
            address: "sarah@mindy.example".into(),
            canonical: None,
        }],
        cc: vec![],
        date: Some(now),
        date_source: Some(DateSource::Header),
        in_reply_to: None,
        references: vec![],
        labels: vec!["INBOX".into()],
        body_text: "lorem ipsum ".repeat(body_len / 12 + 1)[..body_len].to_string(),
        body_format: BodyFormat::Plain,
        body_truncated: false,
        size_bytes: body_len as i64 + 600,
        attachments: vec![],
        list_unsubscribe: None,
        list_id: None,
        precedence: None,
        auto_submitted: None,
        ingested_at: now,
    }
}

/// A producer of workload mail to one topic.
pub struct Producer {
    /// The rdkafka producer (acks=all, like the validator's output).
    inner: FutureProducer,
    /// The benchmark's topic.
    topic: String,
}

impl Producer {
    /// A producer to `topic`.
    pub fn new(kafka_args: &KafkaArgs, topic: &str) -> anyhow::Result<Self> {
        let inner = kafka::client_config(kafka_args)
            .set("acks", "all")
            .create()
            .context("creating the Kafka producer")?;
        Ok(Producer {
            inner,
            topic: topic.to_string(),
        })
    }

    /// Produces `rate × duration` records `<prefix>-<n>` on a fixed schedule (record n is due
    /// `n / rate` seconds after the start), or fewer if `until()` returns true or `stop` is
    /// triggered first. Returns how many were sent, once Kafka acknowledged all of them.
    ///
    /// Each record's Kafka timestamp is set here, when it is handed to librdkafka: that is the
    /// "produce time" latencies are measured from (it includes librdkafka's batching, ≤ 5 ms).
    pub async fn steady(
        &self,
        prefix: &str,
        rate: f64,
        duration: Duration,
        until: impl Fn() -> bool,
        stop: &Shutdown,
    ) -> anyhow::Result<u64> {
        let start = Instant::now();
        let mut ticker = tokio::time::interval(TICK);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut pending = FuturesUnordered::new();
        let total = (rate * duration.as_secs_f64()).round() as u64;
        let mut sent = 0u64;
        while sent < total && !until() && !stop.is_triggered() {
            tokio::select! {
                _ = ticker.tick() => {
                    let due = ((start.elapsed().as_secs_f64() * rate) as u64 + 1).min(total);
                    while sent < due {
                        pending.push(self.send(prefix, sent)?);
                        sent += 1;
                    }
                }
                Some(delivery) = pending.next(), if !pending.is_empty() => check(delivery)?,
            }
        }
        while let Some(delivery) = pending.next().await {
            check(delivery)?;
        }
        Ok(sent)
    }

    fn send(&self, prefix: &str, seq: u64) -> anyhow::Result<rdkafka::producer::DeliveryFuture> {
        let id = format!("{prefix}-{seq}");
        let payload = email(id.clone(), seq).to_json();
        let record = FutureRecord::to(&self.topic)
            .key(&id)
            .payload(&payload)
            .timestamp(Utc::now().timestamp_millis());
        match self.inner.send_result(record) {
            Ok(delivery) => Ok(delivery),
            Err((e, _)) => bail!("producing {id}: {e}"),
        }
    }
}

fn check(
    delivery: Result<
        rdkafka::producer::future_producer::OwnedDeliveryResult,
        futures::channel::oneshot::Canceled,
    >,
) -> anyhow::Result<()> {
    match delivery {
        Ok(Ok(_)) => Ok(()),
        Ok(Err((e, _))) => bail!("Kafka refused a record: {e}"),
        Err(_) => bail!("the producer dropped a record before delivery"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_valid_records_with_varied_bodies() {
        let a = email("bench-1".into(), 1);
        let b = email("bench-2".into(), 2);
        assert_eq!(a.id, "bench-1");
        assert_ne!(a.body_text.len(), b.body_text.len());
        assert!(a.body_text.len() >= 200 && a.body_text.len() < 2000);
        assert!(email("bench-10".into(), 10).subject.starts_with("URGENT"));
    }
}
