//! What the semantic parser understood: a [`Plan`], kept in the conversation so a follow-up
//! ("and the day before?") can change one part of it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::dates::DateRange;

/// Ascending or descending ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Most first ("busiest", "top").
    Most,
    /// Fewest first ("quietest", "least").
    Least,
}

/// The kind of question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Intent {
    /// A measure over the range: "how many emails yesterday".
    Total {
        /// A [`crate::chat::catalog::Measure`] id.
        measure: String,
    },
    /// A measure's mean per day: "average emails per day last week".
    Average {
        /// A measure id.
        measure: String,
    },
    /// A measure day by day: "emails per day this week" (a line chart).
    Daily {
        /// A measure id.
        measure: String,
    },
    /// Days ranked by a measure: "busiest day last week".
    RankDays {
        /// A measure id.
        measure: String,
        /// How many days.
        n: u32,
        /// Most or least first.
        order: Order,
    },
    /// Emails per hour of the day over the range (a bar chart).
    Hourly,
    /// Hours ranked by emails: "busiest hour yesterday".
    RankHours {
        /// How many hours.
        n: u32,
        /// Most or least first.
        order: Order,
    },
    /// Sender domains ranked by emails: "who sent me the most emails this week".
    TopSenders {
        /// How many domains.
        n: u32,
    },
    /// Emails from one sender domain: "how many emails from acme.com last week".
    FromDomain {
        /// The domain, lower case, `[a-z0-9.-]` only.
        domain: String,
    },
    /// The data-quality checks of the range's days.
    Quality,
    /// How many different sender domains emailed the user: "how many different domains emailed
    /// me last week" (from `email_insights`: the daily tables keep only each day's top 10).
    DistinctDomains,
    /// The received emails of one organisation, matched by name: "show me the urgent emails
    /// from Acme Corp" (from `email_insights` and `email_threads`).
    OrgEmails {
        /// The name as the user wrote it, normalised ("acme corp").
        name: String,
        /// Only the urgent ones.
        urgent: bool,
    },
    /// The morning briefing (demo scene 1): mail of the 24 hours before `now`, today's
    /// calendar from `now` on, what is due today and the escalating threads.
    Briefing {
        /// The moment the briefing is about.
        now: DateTime<Utc>,
    },
    /// One day of the calendar (demo scene 3): the busiest (`Most`) or lightest (`Least`) day of
    /// the range, or the range's only day (`None`), with its meetings and concerns.
    CalendarDay {
        /// Which day of the range; `None` when the range is one day.
        order: Option<Order>,
    },
    /// Patterns of the last 30 days of mail and meetings against the 30 days before (demo
    /// scene 4), from the precomputed pattern tables.
    Patterns,
    /// Client organisations the user meets in the plan's range that also emailed in `mailed`
    /// (demo scene 5): calendar attendees joined with email senders on the organisation's domain.
    ClientsMetAndMailed {
        /// The period of the emails.
        mailed: DateRange,
    },
}

impl Intent {
    /// The measure it is about, if it is about one.
    pub fn measure(&self) -> Option<&str> {
        match self {
            Intent::Total { measure }
            | Intent::Average { measure }
            | Intent::Daily { measure }
            | Intent::RankDays { measure, .. } => Some(measure),
            _ => None,
        }
    }

    /// The same kind of question about another measure, when that makes sense.
    pub fn with_measure(&self, id: &str) -> Option<Intent> {
        let measure = id.to_string();
        Some(match self {
            Intent::Total { .. } | Intent::FromDomain { .. } => Intent::Total { measure },
            Intent::Average { .. } => Intent::Average { measure },
            Intent::Daily { .. } => Intent::Daily { measure },
            Intent::RankDays { n, order, .. } => Intent::RankDays {
                measure,
                n: *n,
                order: *order,
            },
            _ => return None,
        })
    }
}

impl Intent {
    /// The key an organisation is matched on: the name's letters and digits, lower case,
    /// without a trailing legal form ("Acme Corp", "acme", "ACMECorp" all give `acme`). The
    /// SQL matches organisations whose name, reduced the same way but keeping its legal form,
    /// starts with it. Only `[a-z0-9]` is kept, so it is safe inside a SQL literal.
    pub fn organisation_key(name: &str) -> String {
        const LEGAL_FORMS: &[&str] = &[
            "corporation",
            "corp",
            "incorporated",
            "inc",
            "limited",
            "ltd",
            "llc",
            "gmbh",
            "plc",
            "company",
            "co",
        ];
        let mut words: Vec<String> = name
            .split_whitespace()
            .map(|w| w.chars().filter(char::is_ascii_alphanumeric).collect())
            .filter(|w: &String| !w.is_empty())
            .map(|w| w.to_ascii_lowercase())
            .collect();
        if words.len() > 1
            && words
                .last()
                .is_some_and(|w| LEGAL_FORMS.contains(&w.as_str()))
        {
            words.pop();
        }
        let key = words.concat();
        LEGAL_FORMS
            .iter()
            .find_map(|form| key.strip_suffix(form).filter(|rest| rest.len() >= 3))
            .map(str::to_string)
            .unwrap_or(key)
    }
}

/// A question, understood: what to compute over which days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// What to compute.
    pub intent: Intent,
    /// Over which days.
    pub range: DateRange,
    /// A second range to compare the first with (totals only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<DateRange>,
    /// True when the question named no days and the default range was used (the answer says so).
    #[serde(default)]
    pub defaulted: bool,
}
