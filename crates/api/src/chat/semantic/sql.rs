//! From a [`Plan`] to the SQL that answers it, and the chart that shows it.
//!
//! The SQL is written to be read: the chat shows it under the answer. Dates are literals (the
//! plan only holds dates it parsed itself) and the only free texts, a sender domain and an
//! organisation key, are checked to `[a-z0-9.-]` and `[a-z0-9]` by the parser, the timezone to
//! an IANA name's characters here; the result still goes through the same validator as an LLM's.

use crate::chat::catalog::{Catalog, Combine};
use crate::chat::{Chart, ChartKind};

use super::dates::DateRange;
use super::plan::{Intent, Order, Plan};

/// The SQL of a plan and how to draw its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// One SELECT.
    pub sql: String,
    /// Set when the rows are a series.
    pub chart: Option<Chart>,
}

/// Writes the SQL for `plan`; `None` if the plan names a measure the catalog lacks. Times of
/// single emails are shown in `timezone` (an IANA name; anything else falls back to UTC).
pub fn build(catalog: &Catalog, plan: &Plan, timezone: &str) -> Option<Query> {
    let range = &plan.range;
    if let Some(other) = &plan.compare {
        return compare(catalog, plan, other);
    }
    Some(match &plan.intent {
        Intent::Total { measure } => Query {
            sql: total(catalog, measure, range)?,
            chart: None,
        },
        Intent::Average { measure } => {
            let m = catalog.measure(measure)?;
            Query {
                sql: format!(
                    "SELECT ROUND(AVG({c}), 1) AS avg_{c}_per_day, COUNT(*) AS days_with_data\n\
                     FROM daily_insights\nWHERE {}",
                    range.sql_condition(),
                    c = m.column
                ),
                chart: None,
            }
        }
        Intent::Daily { measure } => {
            let m = catalog.measure(measure)?;
            Query {
                sql: format!(
                    "SELECT date, {c}\nFROM daily_insights\nWHERE {}\nORDER BY date",
                    range.sql_condition(),
                    c = m.column
                ),
                chart: Some(Chart::new(ChartKind::Line, "date", m.column)),
            }
        }
        Intent::RankDays { measure, n, order } => {
            let m = catalog.measure(measure)?;
            Query {
                sql: format!(
                    "SELECT date, {c}\nFROM daily_insights\nWHERE {}\nORDER BY {c} {}, date\nLIMIT {n}",
                    range.sql_condition(),
                    direction(*order),
                    c = m.column
                ),
                chart: (*n > 1).then(|| Chart::new(ChartKind::Bar, "date", m.column)),
            }
        }
        Intent::Hourly => Query {
            sql: format!(
                "SELECT hour, SUM(email_count) AS emails\nFROM daily_hourly_counts\nWHERE {}\n\
                 GROUP BY hour\nORDER BY hour",
                range.sql_condition()
            ),
            chart: Some(Chart::new(ChartKind::Bar, "hour", "emails")),
        },
        Intent::RankHours { n, order } => Query {
            sql: format!(
                "SELECT hour, SUM(email_count) AS emails\nFROM daily_hourly_counts\nWHERE {}\n\
                 GROUP BY hour\nORDER BY emails {}, hour\nLIMIT {n}",
                range.sql_condition(),
                direction(*order)
            ),
            chart: (*n > 1).then(|| Chart::new(ChartKind::Bar, "hour", "emails")),
        },
        Intent::TopSenders { n } => Query {
            sql: format!(
                "SELECT sender_domain, SUM(email_count) AS emails\nFROM daily_sender_domains\n\
                 WHERE {}\nGROUP BY sender_domain\nORDER BY emails DESC, sender_domain\nLIMIT {n}",
                range.sql_condition()
            ),
            chart: (*n > 1).then(|| Chart::new(ChartKind::Bar, "sender_domain", "emails")),
        },
        Intent::FromDomain { domain } => Query {
            sql: from_domain(domain, range, timezone),
            chart: None,
        },
        Intent::Quality => Query {
            sql: format!(
                "SELECT DISTINCT ON (date) date, score_pct, threshold_pct, passed, total_records, \
                 valid_records\nFROM quality_scores\nWHERE {}\nORDER BY date, checked_at DESC",
                range.sql_condition()
            ),
            chart: (!range.is_day()).then(|| Chart::new(ChartKind::Line, "date", "score_pct")),
        },
        Intent::DistinctDomains => Query {
            sql: format!(
                "SELECT COUNT(DISTINCT sender_domain) AS sender_domains, COUNT(*) AS emails,\n\
                 (SELECT MAX(computed_at) FROM email_insights) AT TIME ZONE '{tz}' AS data_as_of\n\
                 FROM email_insights\nWHERE direction = 'inbound' AND {}",
                range.sql_condition_on("sent_date"),
                tz = zone(timezone)
            ),
            chart: None,
        },
        Intent::OrgEmails { name, urgent } => Query {
            sql: org_emails(name, *urgent, range, timezone),
            chart: None,
        },
        // Answers of several queries: `super::scenes::build`.
        Intent::Briefing { .. }
        | Intent::CalendarDay { .. }
        | Intent::Patterns
        | Intent::ClientsMetAndMailed { .. } => return None,
    })
}

/// `timezone` if it looks like an IANA name (letters, digits, `/_+-`), else UTC.
pub(super) fn zone(timezone: &str) -> &str {
    let ok = !timezone.is_empty()
        && timezone.len() <= 64
        && timezone
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
    if ok {
        timezone
    } else {
        "UTC"
    }
}

/// At most this many emails are listed (the answer says when the list is cut); below the
/// validator's maximum, so the SQL is shown as written.
pub const ORG_EMAILS_LIMIT: usize = 200;

/// The organisation's received emails over the range, one row per email, with its thread's
/// state; always at least one row, so the answer can tell "no such organisation" (`organization`
/// null) from "none in the period" (`sent_local` null), and say how fresh the data is.
/// The emails of the organisation `name` names (by [`Intent::organisation_key`]); when no
/// organisation matches, of the senders it names: an address, or a person whose name has each
/// of its words ("Tom", "Tom Anderson"). Column `person` is the sender's name for a person match
/// and null for an organisation's.
fn org_emails(name: &str, urgent: bool, range: &DateRange, timezone: &str) -> String {
    let key = Intent::organisation_key(name);
    let tz = zone(timezone);
    let urgent = if urgent { " AND e.urgent" } else { "" };
    // Only [a-z0-9] in a name word and [a-z0-9@._+-] in an address reach the SQL literals.
    let address: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "@._+-".contains(*c))
        .collect();
    let person = if address.contains('@') {
        format!("lower(from_address) = '{address}'")
    } else {
        let words: Vec<String> = name
            .split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_lowercase()
            })
            .filter(|w| w.len() >= 2)
            .map(|w| format!("lower(coalesce(from_name, '')) ~ '\\m{w}\\M'"))
            .collect();
        if words.is_empty() {
            "false".to_string()
        } else {
            words.join(" AND ")
        }
    };
    format!(
        "WITH matched AS (\n  SELECT DISTINCT organization FROM email_insights\n  \
         WHERE lower(replace(replace(replace(organization, ' ', ''), '.', ''), '-', '')) LIKE '{key}%'\n),\n\
         people AS (\n  SELECT from_address, max(from_name) AS from_name FROM email_insights\n  \
         WHERE direction = 'inbound' AND NOT EXISTS (SELECT 1 FROM matched) AND ({person})\n  \
         GROUP BY from_address\n),\n\
         who AS (\n  SELECT organization, NULL AS from_address, NULL AS person FROM matched\n  \
         UNION ALL SELECT NULL, from_address, coalesce(from_name, from_address) FROM people\n)\n\
         SELECT coalesce(w.organization, e.organization) AS organization, w.person,\n  \
         e.sent_at AT TIME ZONE '{tz}' AS sent_local, e.from_name, e.from_address,\n  \
         e.sender_title, e.sender_role, e.subject, e.summary, e.sentiment, e.urgency_score, e.urgent,\n  \
         e.needs_reply, e.follow_ups, e.thread_id, coalesce(t.escalating, e.escalating) AS escalating,\n  \
         t.needs_reply AS thread_needs_reply, t.message_count AS thread_messages,\n  \
         f.data_as_of AT TIME ZONE '{tz}' AS data_as_of\n\
         FROM (SELECT MAX(computed_at) AS data_as_of FROM email_insights) AS f\n\
         LEFT JOIN who AS w ON true\n\
         LEFT JOIN email_insights AS e ON (e.organization = w.organization OR e.from_address = w.from_address)\n  \
         AND e.direction = 'inbound'{urgent} AND e.{}\n\
         LEFT JOIN email_threads AS t ON t.thread_id = e.thread_id\n\
         ORDER BY 1, e.sent_at\nLIMIT {ORG_EMAILS_LIMIT}",
        range.sql_condition_on("sent_date")
    )
}

fn direction(order: Order) -> &'static str {
    match order {
        Order::Most => "DESC",
        Order::Least => "ASC",
    }
}

/// One row: the measure over the range, and how many days had data (0: no data, not zero).
fn total(catalog: &Catalog, measure: &str, range: &DateRange) -> Option<String> {
    let m = catalog.measure(measure)?;
    let c = m.column;
    let value = match (m.combine, range.is_day()) {
        (Combine::Sum, _) => format!("SUM({c}) AS {c}"),
        (Combine::PerDay, true) => format!("MAX({c}) AS {c}"),
        (Combine::PerDay, false) => {
            format!("ROUND(AVG({c}), 1) AS avg_{c}_per_day, MAX({c}) AS max_{c}")
        }
        (Combine::WeightedMean, _) => format!(
            "ROUND((SUM({c} * total_emails) / NULLIF(SUM(total_emails), 0))::numeric, 1) AS {c}"
        ),
    };
    Some(format!(
        "SELECT {value}, COUNT(*) AS days_with_data\nFROM daily_insights\nWHERE {}",
        range.sql_condition()
    ))
}

/// Received emails from one sender domain, counted in the per-email table (every email; the
/// daily tables keep only each day's top 10 domains), with all received mail of the period
/// beside it and the data's freshness.
fn from_domain(domain: &str, range: &DateRange, timezone: &str) -> String {
    format!(
        "SELECT COUNT(*) FILTER (WHERE sender_domain = '{domain}') AS emails, COUNT(*) AS all_emails,\n\
         (SELECT MAX(computed_at) FROM email_insights) AT TIME ZONE '{tz}' AS data_as_of\n\
         FROM email_insights\nWHERE direction = 'inbound' AND {}",
        range.sql_condition_on("sent_date"),
        tz = zone(timezone)
    )
}

/// Two periods side by side, one row each (a bar chart).
fn compare(catalog: &Catalog, plan: &Plan, other: &DateRange) -> Option<Query> {
    let one = |range: &DateRange| -> Option<String> {
        let (value, from, extra) = match &plan.intent {
            Intent::Total { measure } => {
                let m = catalog.measure(measure)?;
                let value = match m.combine {
                    Combine::Sum => format!("SUM({})", m.column),
                    Combine::PerDay => format!("ROUND(AVG({}), 1)", m.column),
                    Combine::WeightedMean => format!(
                        "ROUND((SUM({c} * total_emails) / NULLIF(SUM(total_emails), 0))::numeric, 1)",
                        c = m.column
                    ),
                };
                (value, "daily_insights", String::new())
            }
            Intent::FromDomain { domain } => {
                // Every received email of the period, counted for the domain; a period without
                // any received email has no data.
                let label = range.label.replace('\'', "");
                return Some(format!(
                    "SELECT '{label}' AS period, COUNT(*) FILTER (WHERE sender_domain = '{domain}') AS value, \
                     COUNT(DISTINCT sent_date) AS days_with_data\nFROM email_insights\n\
                     WHERE direction = 'inbound' AND {}",
                    range.sql_condition_on("sent_date")
                ));
            }
            _ => return None,
        };
        let label = range.label.replace('\'', "");
        Some(format!(
            "SELECT '{label}' AS period, {value} AS value, COUNT(*) AS days_with_data\nFROM {from}\n\
             WHERE {extra}{}",
            range.sql_condition()
        ))
    };
    let sql = format!("{}\nUNION ALL\n{}", one(&plan.range)?, one(other)?);
    Some(Query {
        sql,
        chart: Some(Chart::new(ChartKind::Bar, "period", "value")),
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn plan(intent: Intent) -> Plan {
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        Plan {
            intent,
            range: DateRange::day(day, "yesterday"),
            compare: None,
            defaulted: false,
        }
    }

    #[test]
    fn total_of_one_day() {
        let q = build(
            &Catalog::serving(),
            &plan(Intent::Total {
                measure: "emails".into(),
            }),
            "UTC",
        )
        .unwrap();
        assert_eq!(
            q.sql,
            "SELECT SUM(total_emails) AS total_emails, COUNT(*) AS days_with_data\n\
             FROM daily_insights\nWHERE date = DATE '2026-11-25'"
        );
        assert_eq!(q.chart, None);
    }

    #[test]
    fn organisations_are_matched_by_key_and_the_timezone_is_checked() {
        let q = build(
            &Catalog::serving(),
            &plan(Intent::OrgEmails {
                name: "acme corp".into(),
                urgent: true,
            }),
            "UTC'; DROP TABLE x; --",
        )
        .unwrap();
        assert!(q.sql.contains("LIKE 'acme%'"), "{}", q.sql);
        assert!(q.sql.contains("AND e.urgent"), "{}", q.sql);
        assert!(q.sql.contains("AT TIME ZONE 'UTC'"), "{}", q.sql);
        assert!(!q.sql.contains("DROP"), "{}", q.sql);
        assert!(
            q.sql.contains("e.sent_date = DATE '2026-11-25'"),
            "{}",
            q.sql
        );
    }

    #[test]
    fn unknown_measure_builds_nothing() {
        assert!(build(
            &Catalog::serving(),
            &plan(Intent::Total {
                measure: "x".into()
            }),
            "UTC"
        )
        .is_none());
    }

    #[test]
    fn every_plan_passes_the_validator() {
        let catalog = Catalog::serving();
        let intents = [
            Intent::Total {
                measure: "senders".into(),
            },
            Intent::Average {
                measure: "important".into(),
            },
            Intent::Daily {
                measure: "length".into(),
            },
            Intent::RankDays {
                measure: "emails".into(),
                n: 3,
                order: Order::Least,
            },
            Intent::Hourly,
            Intent::RankHours {
                n: 1,
                order: Order::Most,
            },
            Intent::TopSenders { n: 5 },
            Intent::FromDomain {
                domain: "acme.com".into(),
            },
            Intent::Quality,
            Intent::DistinctDomains,
            Intent::OrgEmails {
                name: "acme corp".into(),
                urgent: true,
            },
            Intent::OrgEmails {
                name: "acme".into(),
                urgent: false,
            },
        ];
        let validator = crate::chat::safety::Validator::new(&catalog, 500);
        for intent in intents {
            let mut p = plan(intent);
            let q = build(&catalog, &p, "Europe/Paris").unwrap();
            validator
                .check(&q.sql)
                .unwrap_or_else(|e| panic!("{}: {e}", q.sql));
            if matches!(p.intent, Intent::Total { .. } | Intent::FromDomain { .. }) {
                p.compare = Some(p.range.shifted(-1));
                let q = build(&catalog, &p, "UTC").unwrap();
                validator
                    .check(&q.sql)
                    .unwrap_or_else(|e| panic!("{}: {e}", q.sql));
            }
        }
    }
}
