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

/// Every table of the lake, in pipeline order.
pub const TABLES: &[LakeTable] = &[
    BRONZE_EMAILS,
    EMAILS_QUARANTINE,
    SILVER_EMAIL_STATS,
    GOLD_DAILY_SUMMARY,
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
