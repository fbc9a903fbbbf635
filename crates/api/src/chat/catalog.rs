//! What the chat knows about the serving schema: tables, columns and their meaning.
//!
//! Both generators read this one description: the OpenAI generator renders it into its prompt
//! ([`Catalog::prompt`]), the SQL validator takes its allow-list of tables from it
//! ([`Catalog::table_names`]), and the semantic parser takes its measures from it
//! ([`Catalog::measures`]). A new serving table (the assistant issue widens the schema) is one
//! more entry here, plus, for the embedded parser, the words that point at it.

/// One table the chat may read.
#[derive(Debug, Clone)]
pub struct Table {
    /// Table name in the `public` schema.
    pub name: &'static str,
    /// One sentence on what a row is.
    pub description: &'static str,
    /// Its columns, in table order.
    pub columns: &'static [Column],
}

/// One column of a [`Table`].
#[derive(Debug, Clone)]
pub struct Column {
    /// Column name.
    pub name: &'static str,
    /// PostgreSQL type, as the prompt shows it.
    pub sql_type: &'static str,
    /// What the value means.
    pub description: &'static str,
}

/// A daily number the semantic parser can total, average, rank and chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    /// Stable identifier, kept in conversation context (`emails`, `important`, ...).
    pub id: &'static str,
    /// The `daily_insights` column.
    pub column: &'static str,
    /// How the answer names it ("emails", "important emails").
    pub noun: &'static str,
    /// Words that select it; the longest match wins.
    pub synonyms: &'static [&'static str],
    /// How days combine over a range.
    pub combine: Combine,
}

/// How a daily measure combines over several days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Counts: a range's value is the sum of its days.
    Sum,
    /// Distinct counts: days cannot be added, a range gets a per-day average and maximum.
    PerDay,
    /// A per-day mean: a range gets the mean weighted by each day's `total_emails`.
    WeightedMean,
}

/// The serving schema the chat reads.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Every table the chat may read (the SQL allow-list).
    pub tables: &'static [Table],
    /// The measures of `daily_insights`.
    pub measures: &'static [Measure],
}

const DAILY_INSIGHTS: &[Column] = &[
    Column {
        name: "date",
        sql_type: "date",
        description: "the calendar day in the user's timezone (primary key)",
    },
    Column {
        name: "total_emails",
        sql_type: "bigint",
        description: "emails received that day",
    },
    Column {
        name: "unique_senders",
        sql_type: "bigint",
        description: "distinct sender addresses that day",
    },
    Column {
        name: "important_emails",
        sql_type: "bigint",
        description: "emails flagged important or urgent",
    },
    Column {
        name: "busiest_hour",
        sql_type: "smallint",
        description: "hour of day (0-23) with the most emails, null on a day without mail",
    },
    Column {
        name: "busiest_hour_emails",
        sql_type: "bigint",
        description: "emails received in busiest_hour",
    },
    Column {
        name: "avg_email_length",
        sql_type: "double precision",
        description: "mean body length in characters",
    },
    Column {
        name: "exported_at",
        sql_type: "timestamptz",
        description: "when the batch wrote the row",
    },
];

const DAILY_SENDER_DOMAINS: &[Column] = &[
    Column {
        name: "date",
        sql_type: "date",
        description: "the day (references daily_insights.date)",
    },
    Column {
        name: "sender_domain",
        sql_type: "text",
        description: "the sender's e-mail domain, lower case, e.g. acme.com",
    },
    Column {
        name: "email_count",
        sql_type: "bigint",
        description: "emails from that domain that day",
    },
    Column {
        name: "rank",
        sql_type: "smallint",
        description: "1 = the day's top domain; only the top 10 per day are kept",
    },
];

const DAILY_HOURLY_COUNTS: &[Column] = &[
    Column {
        name: "date",
        sql_type: "date",
        description: "the day (references daily_insights.date)",
    },
    Column {
        name: "hour",
        sql_type: "smallint",
        description: "hour of day 0-23 in the user's timezone",
    },
    Column {
        name: "email_count",
        sql_type: "bigint",
        description: "emails received in that hour",
    },
];

const QUALITY_SCORES: &[Column] = &[
    Column {
        name: "date",
        sql_type: "date",
        description: "the day whose bronze data was checked",
    },
    Column {
        name: "checked_at",
        sql_type: "timestamptz",
        description: "when the check ran (a day can be checked again)",
    },
    Column {
        name: "total_records",
        sql_type: "bigint",
        description: "records checked",
    },
    Column {
        name: "valid_records",
        sql_type: "bigint",
        description: "records passing every rule",
    },
    Column {
        name: "score_pct",
        sql_type: "double precision",
        description: "valid_records / total_records in percent",
    },
    Column {
        name: "threshold_pct",
        sql_type: "double precision",
        description: "the score needed to pass",
    },
    Column {
        name: "passed",
        sql_type: "boolean",
        description: "score_pct >= threshold_pct",
    },
    Column {
        name: "failed_rules",
        sql_type: "jsonb",
        description: "rule name -> failing record count",
    },
];

/// The tables of migration `20261126000001_init.sql`.
pub const TABLES: &[Table] = &[
    Table {
        name: "daily_insights",
        description: "Daily email statistics, one row per day in the user's timezone",
        columns: DAILY_INSIGHTS,
    },
    Table {
        name: "daily_sender_domains",
        description: "The top 10 sender domains of each day",
        columns: DAILY_SENDER_DOMAINS,
    },
    Table {
        name: "daily_hourly_counts",
        description: "Emails per hour of each day",
        columns: DAILY_HOURLY_COUNTS,
    },
    Table {
        name: "quality_scores",
        description: "Data-quality checks of each day's raw (bronze) data",
        columns: QUALITY_SCORES,
    },
];

/// The measures of `daily_insights` and the words that name them.
pub const MEASURES: &[Measure] = &[
    Measure {
        id: "emails",
        column: "total_emails",
        noun: "emails",
        synonyms: &[
            "email", "emails", "e-mail", "e-mails", "mail", "mails", "message", "messages", "inbox",
        ],
        combine: Combine::Sum,
    },
    Measure {
        id: "important",
        column: "important_emails",
        noun: "important emails",
        synonyms: &[
            "important",
            "urgent",
            "flagged",
            "priority",
            "high-priority",
        ],
        combine: Combine::Sum,
    },
    Measure {
        id: "senders",
        column: "unique_senders",
        noun: "unique senders",
        synonyms: &[
            "senders",
            "unique senders",
            "distinct senders",
            "different senders",
            "people",
            "contacts",
            "correspondents",
        ],
        combine: Combine::PerDay,
    },
    Measure {
        id: "length",
        column: "avg_email_length",
        noun: "average email length",
        synonyms: &["length", "long", "longer", "size", "characters"],
        combine: Combine::WeightedMean,
    },
];

/// Example questions, shown with every refusal and in the README.
pub const SUGGESTIONS: &[&str] = &[
    "How many emails did I receive yesterday?",
    "Which sender sent me the most emails this week?",
    "What was the busiest hour yesterday?",
    "How many important emails did I get last week?",
    "Show my emails per day over the last 7 days",
    "Compare this week with last week",
];

impl Catalog {
    /// The serving schema of this release.
    pub const fn serving() -> Self {
        Catalog {
            tables: TABLES,
            measures: MEASURES,
        }
    }

    /// The names of every readable table.
    pub fn table_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.tables.iter().map(|t| t.name)
    }

    /// The measure with this id.
    pub fn measure(&self, id: &str) -> Option<&'static Measure> {
        self.measures.iter().find(|m| m.id == id)
    }

    /// The schema as an LLM prompt section: one block per table, one line per column.
    pub fn prompt(&self) -> String {
        let mut out = String::new();
        for table in self.tables {
            out.push_str(&format!("TABLE {} -- {}\n", table.name, table.description));
            for c in table.columns {
                out.push_str(&format!(
                    "  {} {} -- {}\n",
                    c.name, c.sql_type, c.description
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_lists_every_table_and_column() {
        let prompt = Catalog::serving().prompt();
        for table in TABLES {
            assert!(prompt.contains(&format!("TABLE {}", table.name)));
            for c in table.columns {
                assert!(
                    prompt.contains(&format!("  {} {}", c.name, c.sql_type)),
                    "{}",
                    c.name
                );
            }
        }
    }

    #[test]
    fn measure_columns_exist_in_daily_insights() {
        for m in MEASURES {
            assert!(
                DAILY_INSIGHTS.iter().any(|c| c.name == m.column),
                "{}",
                m.column
            );
        }
    }
}
