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
    GOLD_DAILY_SUMMARY,
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
