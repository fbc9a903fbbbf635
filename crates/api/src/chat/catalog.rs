//! What the chat knows about the serving schema: tables, columns and their meaning.
//!
//! The tables, their columns, types and meanings are not written here: they are the serving
//! schema the migrations state ([`mindy_core::serving`], from `CREATE TABLE` and `COMMENT ON`),
//! restricted to the tables the chat may read ([`mindy_core::serving::CHAT_TABLES`]). Both
//! generators read this one description: the OpenAI generator renders it into its prompt
//! ([`Catalog::prompt`]), the SQL validator takes its allow-list of tables from it
//! ([`Catalog::table_names`]), and the semantic parser takes its measures from it
//! ([`Catalog::measures`]). What is written here is the semantic layer: the measures and the
//! words that point at them.

use mindy_core::serving::{self, Table};

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
    /// Every table the chat may read (the SQL allow-list), from the migrations.
    pub tables: Vec<&'static Table>,
    /// The measures of `daily_insights`.
    pub measures: &'static [Measure],
}

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
    "Good morning! What do I need to know today?",
    "Show me the urgent emails from Acme Corp",
    "What's my busiest day this week?",
    "Any patterns I should know about?",
    "Who are the clients I'm meeting this week that also emailed me in the last 3 days?",
    "How many emails did I receive yesterday?",
    "Which sender sent me the most emails this week?",
    "Compare this week with last week",
];

impl Catalog {
    /// The serving schema of this release.
    pub fn serving() -> Self {
        Catalog {
            tables: serving::schema().chat_tables(),
            measures: MEASURES,
        }
    }

    /// The names of every readable table.
    pub fn table_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.tables.iter().map(|t| t.name.as_str())
    }

    /// The measure with this id.
    pub fn measure(&self, id: &str) -> Option<&'static Measure> {
        self.measures.iter().find(|m| m.id == id)
    }

    /// The schema as an LLM prompt section: one block per table, one line per column.
    pub fn prompt(&self) -> String {
        let mut out = String::new();
        for table in &self.tables {
            let about = table.description.as_deref().unwrap_or_default();
            out.push_str(&format!("TABLE {} -- {about}\n", table.name));
            for c in &table.columns {
                let about = c.description.as_deref().unwrap_or_default();
                out.push_str(&format!("  {} {} -- {about}\n", c.name, c.sql_type));
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
        let catalog = Catalog::serving();
        let prompt = catalog.prompt();
        for table in &catalog.tables {
            assert!(prompt.contains(&format!("TABLE {}", table.name)));
            for c in &table.columns {
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
        let insights = serving::schema().table("daily_insights").unwrap();
        for m in MEASURES {
            assert!(insights.column(m.column).is_some(), "{}", m.column);
        }
    }

    #[test]
    fn the_prompt_carries_the_migrations_comments() {
        let prompt = Catalog::serving().prompt();
        assert!(prompt.contains("TABLE daily_insights -- Daily email statistics"));
        assert!(prompt.contains("  total_emails bigint -- emails received that day"));
    }
}
