//! The semantic layer as LLM tools: the demo scenes and an organisation's emails, with their
//! periods as arguments, and read-only SQL for everything else. A tool call becomes the same
//! [`Plan`] and the same queries the embedded engine builds ([`scenes::build`],
//! [`sql::build`]), so both engines answer a scene from the same SQL, which the validator, the
//! read-only role and the limits still guard.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::catalog::Catalog;
use super::generator::{AnswerKind, Draft};
use super::semantic::dates::DateRange;
use super::semantic::plan::{Intent, Order, Plan};
use super::semantic::{scenes, sql};

/// The longest period a tool may be asked about, in days.
pub const MAX_DAYS: i64 = 366;

/// Name, description and JSON-Schema parameters of every tool.
pub fn definitions() -> Vec<(&'static str, &'static str, Value)> {
    let date = json!({ "type": "string", "format": "date", "description": "YYYY-MM-DD" });
    let period = |what: &str| {
        json!({
            "type": "object",
            "properties": { "start": date, "end": date },
            "required": ["start", "end"],
            "description": what,
        })
    };
    vec![
        (
            "morning_briefing",
            "Today's briefing: mail of the last 24 hours (counts, urgent, top senders, sentiment), today's meetings, the next one, conflicts, what is due today and the escalating threads.",
            json!({ "type": "object", "properties": {} }),
        ),
        (
            "calendar_day",
            "One day of the calendar with its meetings, free time, locations, participants and concerns (back-to-back, no lunch, conflicts, travel, overruns). Either the one day of the period, or its busiest or lightest day.",
            json!({
                "type": "object",
                "properties": {
                    "period": period("the day, or the days to choose from"),
                    "pick": { "type": "string", "enum": ["busiest", "lightest", "only"] }
                },
                "required": ["period", "pick"]
            }),
        ),
        (
            "patterns",
            "Patterns of the last 30 days of mail and meetings against the 30 days before, with recommendations.",
            json!({ "type": "object", "properties": {} }),
        ),
        (
            "clients_met_and_mailed",
            "Client organisations the user meets in one period that also emailed the user in another.",
            json!({
                "type": "object",
                "properties": {
                    "meetings": period("when the meetings are"),
                    "emails": period("when the emails came")
                },
                "required": ["meetings", "emails"]
            }),
        ),
        (
            "organisation_emails",
            "The emails an organisation (or, when no organisation has that name, a person by name or address) sent the user in a period, each with sender, subject, summary, sentiment and urgency.",
            json!({
                "type": "object",
                "properties": {
                    "organisation": { "type": "string", "description": "the organisation's or the person's name, or an address, as the user wrote it, e.g. Acme Corp, Tom Anderson" },
                    "urgent": { "type": "boolean", "description": "only the urgent ones" },
                    "period": period("when they were sent")
                },
                "required": ["organisation", "urgent", "period"]
            }),
        ),
        (
            "run_sql",
            "Any other question: one read-only PostgreSQL SELECT over the tables in the system prompt, with a LIMIT.",
            json!({
                "type": "object",
                "properties": { "sql": { "type": "string" } },
                "required": ["sql"]
            }),
        ),
    ]
}

/// Why a tool call cannot be run; told to the model in the repair round.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tool {tool}: {reason}")]
pub struct BadCall {
    /// The tool's name.
    pub tool: String,
    /// What was wrong.
    pub reason: String,
}

#[derive(Deserialize)]
struct Period {
    start: NaiveDate,
    end: NaiveDate,
}

impl Period {
    /// The period as a range, named as the embedded engine names it where it can ("today",
    /// "tomorrow", "this week", "next week"), else by its dates.
    fn range(&self, tool: &str, today: NaiveDate) -> Result<DateRange, BadCall> {
        let days = (self.end - self.start).num_days() + 1;
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(bad(
                tool,
                format!("a period runs forward and spans 1 to {MAX_DAYS} days"),
            ));
        }
        let label = super::semantic::dates::name(self.start, self.end, today);
        Ok(DateRange {
            start: self.start,
            end: self.end,
            label,
        })
    }
}

fn bad(tool: &str, reason: impl Into<String>) -> BadCall {
    BadCall {
        tool: tool.to_string(),
        reason: reason.into(),
    }
}

fn args<T: for<'de> Deserialize<'de>>(tool: &str, arguments: &str) -> Result<T, BadCall> {
    serde_json::from_str(arguments).map_err(|e| bad(tool, format!("arguments: {e}")))
}

/// The draft a tool call asks for, as of `today` and `now` in `timezone`.
pub fn draft(
    catalog: &Catalog,
    tool: &str,
    arguments: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
    timezone: &str,
) -> Result<Draft, BadCall> {
    let plan = |intent: Intent, range: DateRange| Plan {
        intent,
        range,
        compare: None,
        defaulted: false,
    };
    let plan = match tool {
        "run_sql" => {
            #[derive(Deserialize)]
            struct Sql {
                sql: String,
            }
            let Sql { sql } = args(tool, arguments)?;
            return Ok(Draft {
                sql,
                chart: None,
                context: Value::Null,
                kind: AnswerKind::Stat,
                sections: Vec::new(),
            });
        }
        "morning_briefing" => plan(Intent::Briefing { now }, DateRange::day(today, "today")),
        "patterns" => plan(
            Intent::Patterns,
            DateRange {
                start: today - chrono::Duration::days(29),
                end: today,
                label: "the last 30 days".into(),
            },
        ),
        "calendar_day" => {
            #[derive(Deserialize)]
            struct Day {
                period: Period,
                pick: String,
            }
            let Day { period, pick } = args(tool, arguments)?;
            let range = period.range(tool, today)?;
            let order = match (pick.as_str(), range.is_day()) {
                (_, true) => None,
                ("busiest", false) => Some(Order::Most),
                ("lightest", false) => Some(Order::Least),
                _ => {
                    return Err(bad(
                        tool,
                        "pick busiest or lightest for a period of several days",
                    ))
                }
            };
            plan(Intent::CalendarDay { order }, range)
        }
        "clients_met_and_mailed" => {
            #[derive(Deserialize)]
            struct Clients {
                meetings: Period,
                emails: Period,
            }
            let Clients { meetings, emails } = args(tool, arguments)?;
            plan(
                Intent::ClientsMetAndMailed {
                    mailed: emails.range(tool, today)?,
                },
                meetings.range(tool, today)?,
            )
        }
        "organisation_emails" => {
            #[derive(Deserialize)]
            struct Org {
                organisation: String,
                urgent: bool,
                period: Period,
            }
            let Org {
                organisation,
                urgent,
                period,
            } = args(tool, arguments)?;
            if Intent::organisation_key(&organisation).is_empty() {
                return Err(bad(tool, "name the organisation"));
            }
            plan(
                Intent::OrgEmails {
                    name: organisation.to_lowercase(),
                    urgent,
                },
                period.range(tool, today)?,
            )
        }
        other => return Err(bad(other, "no such tool")),
    };
    let context = serde_json::to_value(&plan).map_err(|e| bad(tool, e.to_string()))?;
    if let Some(scene) = scenes::build(&plan, timezone) {
        return Ok(Draft {
            sql: scene.sql,
            chart: None,
            context,
            kind: scene.kind,
            sections: scene.sections,
        });
    }
    let query = sql::build(catalog, &plan, timezone).ok_or_else(|| bad(tool, "no query"))?;
    Ok(Draft {
        sql: query.sql,
        chart: query.chart,
        context,
        kind: AnswerKind::Emails,
        sections: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::safety::Validator;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn call(tool: &str, arguments: Value) -> Result<Draft, BadCall> {
        draft(
            &Catalog::serving(),
            tool,
            &arguments.to_string(),
            today(),
            "2026-11-26T09:00:00Z".parse().unwrap(),
            "UTC",
        )
    }

    #[test]
    fn every_tool_builds_queries_the_validator_accepts() {
        let validator = Validator::new(&Catalog::serving(), 500);
        let week = json!({ "start": "2026-11-23", "end": "2026-11-29" });
        for (tool, arguments, kind) in [
            ("morning_briefing", json!({}), AnswerKind::Briefing),
            ("patterns", json!({}), AnswerKind::Patterns),
            (
                "calendar_day",
                json!({ "period": week, "pick": "busiest" }),
                AnswerKind::Day,
            ),
            (
                "clients_met_and_mailed",
                json!({ "meetings": week, "emails": { "start": "2026-11-24", "end": "2026-11-26" } }),
                AnswerKind::Clients,
            ),
            (
                "organisation_emails",
                json!({ "organisation": "Acme Corp", "urgent": true, "period": week }),
                AnswerKind::Emails,
            ),
        ] {
            let d = call(tool, arguments).unwrap();
            assert_eq!(d.kind, kind, "{tool}");
            validator.check(&d.sql).unwrap();
            for s in &d.sections {
                validator.check(&s.sql).unwrap();
            }
        }
    }

    #[test]
    fn bad_calls_are_refused_with_the_reason() {
        let e = call(
            "calendar_day",
            json!({ "period": { "start": "2026-11-29", "end": "2026-11-23" }, "pick": "busiest" }),
        )
        .unwrap_err();
        assert!(e.reason.contains("runs forward"), "{e}");
        let e = call("calendar_day", json!({ "period": {}, "pick": "busiest" })).unwrap_err();
        assert!(e.reason.starts_with("arguments"), "{e}");
        assert!(call("drop_tables", json!({})).is_err());
    }
}
