//! The Delta tables of the lake: one list of every table, by layer, and where each lives under
//! the lake root ([`crate::config::LakeArgs::location`]). Jobs, the API's lake report and the
//! tests name tables through these constants, never by path.

/// A layer of the medallion lake, in pipeline order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// Records as they arrived, enriched per record (plus what was quarantined).
    Bronze,
    /// Cleaned, windowed and per-entity tables derived from bronze.
    Silver,
    /// Business-level aggregates the serving layer exports.
    Gold,
}

impl Layer {
    /// Every layer, in pipeline order.
    pub const ALL: [Layer; 3] = [Layer::Bronze, Layer::Silver, Layer::Gold];

    /// The layer's directory under the lake root.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Bronze => "bronze",
            Layer::Silver => "silver",
            Layer::Gold => "gold",
        }
    }
}

/// One Delta table of the lake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LakeTable {
    /// Its layer.
    pub layer: Layer,
    /// Its directory under the layer.
    pub name: &'static str,
    /// What a row is.
    pub description: &'static str,
}

impl LakeTable {
    /// `<layer>/<name>`, the table's path relative to the lake root.
    pub fn relative_path(&self) -> String {
        format!("{}/{}", self.layer.as_str(), self.name)
    }
}

/// Every email that passed the stream's checks, with Kafka metadata and per-record enrichment;
/// partitioned by `event_date` (the day in the user's timezone).
pub const BRONZE_EMAILS: LakeTable = LakeTable {
    layer: Layer::Bronze,
    name: "emails",
    description: "one row per email, as validated, with Kafka metadata and enrichment",
};

/// Values on the processed topic that the stream could not accept, with the reason.
pub const EMAILS_QUARANTINE: LakeTable = LakeTable {
    layer: Layer::Bronze,
    name: "emails_quarantine",
    description: "one row per rejected value: the raw value and the rule it broke",
};

/// 1-hour windows per sender domain.
pub const SILVER_EMAIL_STATS: LakeTable = LakeTable {
    layer: Layer::Silver,
    name: "email_stats",
    description: "one row per hour window and sender domain: count, length, subjects",
};

/// The daily aggregates the serving layer exports.
pub const GOLD_DAILY_SUMMARY: LakeTable = LakeTable {
    layer: Layer::Gold,
    name: "daily_summary",
    description: "one row per day: totals, busiest hour, top sender domains",
};

/// The bronze rows one pass of `mindy enrich` works on: new emails with their cleaned text and
/// sentences. Scratch: replaced by every pass.
pub const SILVER_ENRICH_STAGE: LakeTable = LakeTable {
    layer: Layer::Silver,
    name: "enrich_stage",
    description: "scratch of mindy enrich: the new emails of its current pass, text cleaned",
};

/// Every email's insights as the current pass of `mindy enrich` computed them, before they are
/// merged into [`SILVER_EMAIL_INSIGHTS`]. Scratch: replaced by every pass. Written once so the
/// merge reads plain rows instead of recomputing the whole insights query for its source.
pub const SILVER_ENRICH_INSIGHTS: LakeTable = LakeTable {
    layer: Layer::Silver,
    name: "enrich_insights",
    description:
        "scratch of mindy enrich: every email's insights as its current pass computed them",
};

/// What each email says on its own: sentiment, requests, deadlines, signature, summary
/// ([`crate::intel::EmailFacts`]); written once per email.
pub const SILVER_EMAIL_FACTS: LakeTable = LakeTable {
    layer: Layer::Silver,
    name: "email_facts",
    description: "one row per email: what it says on its own (sentiment, requests, summary)",
};

/// Everything the assistant says about each email ([`crate::intel::EmailInsight`]).
pub const SILVER_EMAIL_INSIGHTS: LakeTable = LakeTable {
    layer: Layer::Silver,
    name: "email_insights",
    description: "one row per email: role, sentiment, urgency, needs-reply, thread position",
};

/// Requests found in inbound email, with due times ([`crate::intel::EmailActionItem`]).
pub const SILVER_EMAIL_ACTION_ITEMS: LakeTable = LakeTable {
    layer: Layer::Silver,
    name: "email_action_items",
    description: "one row per request found in an email, with its due time",
};

/// Conversations ([`crate::intel::EmailThread`]).
pub const GOLD_EMAIL_THREADS: LakeTable = LakeTable {
    layer: Layer::Gold,
    name: "email_threads",
    description: "one row per conversation: participants, replies, escalation, summary",
};

/// People the user exchanges mail with ([`crate::intel::Contact`]).
pub const GOLD_CONTACTS: LakeTable = LakeTable {
    layer: Layer::Gold,
    name: "contacts",
    description: "one row per address: name, title, organisation, volumes, response times",
};

/// Sender organisations by domain ([`crate::intel::Organization`]).
pub const GOLD_ORGANIZATIONS: LakeTable = LakeTable {
    layer: Layer::Gold,
    name: "organizations",
    description: "one row per domain: name, role, volumes, urgency, escalations",
};

/// The mailbox's 30-day patterns ([`crate::intel::EmailPattern`]).
pub const GOLD_EMAIL_PATTERNS: LakeTable = LakeTable {
    layer: Layer::Gold,
    name: "email_patterns",
    description: "one row per measure and value over the last 30 days, against the 30 before",
};

/// Every processed calendar record as it arrived, append-only: the history the upserts into
/// [`BRONZE_CALENDAR_EVENTS`] are computed from.
pub const BRONZE_CALENDAR_CHANGES: LakeTable = LakeTable {
    layer: Layer::Bronze,
    name: "calendar_changes",
    description:
        "one row per processed calendar record (instance or snapshot), with Kafka metadata",
};

/// Values on the processed calendar topic that the stream could not accept, with the reason.
pub const CALENDAR_QUARANTINE: LakeTable = LakeTable {
    layer: Layer::Bronze,
    name: "calendar_quarantine",
    description: "one row per rejected calendar value: the raw value and the rule it broke",
};

/// The calendar as it is now: one row per occurrence, upserted with `MERGE` (a later version
/// replaces an earlier one; cancellations and snapshots delete). Change data feed on.
pub const BRONZE_CALENDAR_EVENTS: LakeTable = LakeTable {
    layer: Layer::Bronze,
    name: "calendar_events",
    description: "one row per event occurrence, latest version, with times in the user's zone",
};

/// Per day in the user's zone: meetings, hours, back-to-back runs, conflicts, free time, lunch,
/// locations, travel, participants, 1-on-1s. Change data feed on.
pub const SILVER_CALENDAR_DAYS: LakeTable = LakeTable {
    layer: Layer::Silver,
    name: "calendar_days",
    description: "one row per day with meetings: counts, hours, free time, conflicts, travel",
};

/// Pairs of meetings that overlap, both named. Change data feed on.
pub const SILVER_CALENDAR_CONFLICTS: LakeTable = LakeTable {
    layer: Layer::Silver,
    name: "calendar_conflicts",
    description: "one row per pair of overlapping meetings",
};

/// Free blocks within working hours. Change data feed on.
pub const SILVER_CALENDAR_FREE_BLOCKS: LakeTable = LakeTable {
    layer: Layer::Silver,
    name: "calendar_free_blocks",
    description: "one row per free block within a day's working hours",
};

/// Consecutive meetings at different physical locations. Change data feed on.
pub const SILVER_CALENDAR_TRAVEL: LakeTable = LakeTable {
    layer: Layer::Silver,
    name: "calendar_travel",
    description: "one row per move between two physical locations on a day, with the time between",
};

/// Occurrence × participant, with the participant's organisation. Change data feed on.
pub const SILVER_CALENDAR_ATTENDEES: LakeTable = LakeTable {
    layer: Layer::Silver,
    name: "calendar_attendees",
    description: "one row per meeting and participant, with the participant's organisation domain",
};

/// Meeting patterns per ISO week. Change data feed on.
pub const GOLD_CALENDAR_WEEKS: LakeTable = LakeTable {
    layer: Layer::Gold,
    name: "calendar_weeks",
    description: "one row per week: meeting hours vs working hours, busiest day, 1-on-1s",
};

/// Meeting patterns over the last 30 days. Change data feed on.
pub const GOLD_CALENDAR_PATTERNS: LakeTable = LakeTable {
    layer: Layer::Gold,
    name: "calendar_patterns",
    description:
        "one row per period (the last 30 days): share in meetings, busiest weekday, overruns",
};

/// 1-on-1 frequency per counterpart (direct reports listed even without any). Change data feed on.
pub const GOLD_CALENDAR_ONE_ON_ONES: LakeTable = LakeTable {
    layer: Layer::Gold,
    name: "calendar_one_on_ones",
    description: "one row per 1-on-1 counterpart or direct report: 1-on-1s in the last 30 days",
};

/// Every table of the lake, in pipeline order.
pub const TABLES: &[LakeTable] = &[
    BRONZE_EMAILS,
    EMAILS_QUARANTINE,
    SILVER_EMAIL_STATS,
    SILVER_ENRICH_STAGE,
    SILVER_EMAIL_FACTS,
    SILVER_ENRICH_INSIGHTS,
    SILVER_EMAIL_INSIGHTS,
    SILVER_EMAIL_ACTION_ITEMS,
    GOLD_DAILY_SUMMARY,
    GOLD_EMAIL_THREADS,
    GOLD_CONTACTS,
    GOLD_ORGANIZATIONS,
    GOLD_EMAIL_PATTERNS,
    BRONZE_CALENDAR_CHANGES,
    CALENDAR_QUARANTINE,
    BRONZE_CALENDAR_EVENTS,
    SILVER_CALENDAR_DAYS,
    SILVER_CALENDAR_CONFLICTS,
    SILVER_CALENDAR_FREE_BLOCKS,
    SILVER_CALENDAR_TRAVEL,
    SILVER_CALENDAR_ATTENDEES,
    GOLD_CALENDAR_WEEKS,
    GOLD_CALENDAR_PATTERNS,
    GOLD_CALENDAR_ONE_ON_ONES,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_under_their_layer() {
        let mut paths: Vec<String> = TABLES.iter().map(LakeTable::relative_path).collect();
        assert_eq!(paths[0], "bronze/emails");
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), TABLES.len());
    }
}
