//! `mindy ingest ics` and `mindy ingest google-calendar`: calendar records to `calendar-topic`.
//!
//! Both sources end in a [`CalendarSink`]: instance records keyed by their id, input that could
//! not be read to `calendar-dlq` with the reason, and — after every instance of a complete read
//! is acknowledged — the read's snapshot record, so a crash in the middle of a read never tells
//! downstream that the events it had not sent yet are gone.

use mindy_core::calendar::CalendarRecord;
use mindy_core::config::{CalendarTopicArgs, KafkaArgs};

use super::{IngestCounts, IngestReport, RecordSink};
use crate::Result;

pub mod google;
pub mod ics;

/// The calendar producers' sink: a [`RecordSink`] on the calendar topics.
pub struct CalendarSink {
    /// Records and dead letters.
    sink: RecordSink,
    /// The source's name, for the report.
    source: &'static str,
    /// Topics, for the report.
    topics: CalendarTopicArgs,
}

impl CalendarSink {
    /// Checks that the calendar topic and its DLQ exist, then opens the producer.
    pub async fn open(
        kafka: &KafkaArgs,
        topics: &CalendarTopicArgs,
        source: &'static str,
    ) -> Result<Self> {
        Ok(CalendarSink {
            sink: RecordSink::open(kafka, &topics.calendar, &topics.dlq, source).await?,
            source,
            topics: topics.clone(),
        })
    }

    /// Sends one record, keyed by its id.
    pub async fn send(&mut self, record: &CalendarRecord) -> Result<()> {
        self.sink
            .send(record.id.as_bytes(), &record.to_json())
            .await
    }

    /// Sends input that could not be used to the DLQ, with the reason in headers.
    pub async fn send_dead_letter(
        &mut self,
        raw: &[u8],
        rule: &str,
        reason: &str,
        source_ref: &str,
    ) -> Result<()> {
        tracing::warn!(
            source = self.source,
            source_ref,
            rule,
            reason,
            "unreadable calendar input sent to the DLQ"
        );
        self.sink
            .send_dead_letter(raw, rule, reason, source_ref)
            .await
    }

    /// Waits until everything sent so far is acknowledged.
    pub async fn flush(&mut self) -> Result<()> {
        self.sink.flush().await
    }

    /// Sends a read's snapshot once every record before it is acknowledged.
    pub async fn close_read(&mut self, snapshot: &CalendarRecord) -> Result<()> {
        self.flush().await?;
        self.send(snapshot).await?;
        self.flush().await
    }

    /// Counts so far.
    pub fn counts(&self) -> &IngestCounts {
        self.sink.counts()
    }

    /// Waits for every delivery and builds the run's report.
    pub async fn finish(self) -> Result<IngestReport> {
        let elapsed = self.sink.elapsed();
        let counts = self.sink.finish().await?;
        Ok(IngestReport {
            source: self.source,
            inputs: "records",
            counts,
            elapsed,
            topic: self.topics.calendar,
            dlq: self.topics.dlq,
        })
    }
}
