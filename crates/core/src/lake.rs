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

/// Every table of the lake, in pipeline order.
pub const TABLES: &[LakeTable] = &[
    BRONZE_EMAILS,
    EMAILS_QUARANTINE,
    SILVER_EMAIL_STATS,
    SILVER_ENRICH_STAGE,
    SILVER_EMAIL_FACTS,
    SILVER_EMAIL_INSIGHTS,
    SILVER_EMAIL_ACTION_ITEMS,
    GOLD_DAILY_SUMMARY,
    GOLD_EMAIL_THREADS,
    GOLD_CONTACTS,
    GOLD_ORGANIZATIONS,
    GOLD_EMAIL_PATTERNS,
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
