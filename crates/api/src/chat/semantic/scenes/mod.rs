//! The product's demo scenes as conversations: answers built from several queries over the
//! serving tables, each shown with its SQL.
//!
//! - [`briefing`]: "Good morning! What do I need to know today?" (scene 1).
//! - [`day`]: "What's my busiest day this week?", "What does tomorrow look like?" (scene 3).
//! - [`patterns`]: "Any patterns I should know about?" (scene 4).
//! - [`clients`]: "Who are the clients I'm meeting this week that also emailed me in the last 3
//!   days?" (scene 5).
//!
//! Scene 2 (an organisation's urgent emails) is one query and lives with the statistics
//! (`Intent::OrgEmails`).
//!
//! Recognition follows the parser's rule: a question is a scene only when every word it holds is
//! grammar, a date, or the scene's vocabulary; a word left over refuses the question rather than
//! answering a different one. Scenes are tried before the statistics parser, which knows
//! nothing of the calendar.

pub mod briefing;
pub mod clients;
pub mod day;
pub mod patterns;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::dates::{self, DateRange, Found};
use super::parser::{normalise, Understood, FILLER};
use super::plan::{Intent, Order, Plan};
use super::words::Words;
use crate::chat::{AnswerKind, QueryResult, Section, SectionQuery};

/// A scene's queries: the main one (its rows are the reply's `rows`) and its sections.
#[derive(Debug, Clone, PartialEq)]
pub struct SceneQuery {
    /// The main SELECT.
    pub sql: String,
    /// What the answer is.
    pub kind: AnswerKind,
    /// Further SELECTs, run after it.
    pub sections: Vec<SectionQuery>,
}

/// A section to run: `id`, heading and SQL.
pub(crate) fn section(id: &str, title: &str, sql: String) -> SectionQuery {
    SectionQuery {
        id: id.to_string(),
        title: title.to_string(),
        sql,
    }
}

/// The queries of a scene plan; `None` for the statistics intents.
pub fn build(plan: &Plan, timezone: &str) -> Option<SceneQuery> {
    let tz = super::sql::zone(timezone);
    match &plan.intent {
        Intent::Briefing { now } => Some(briefing::build(*now, &plan.range, tz)),
        Intent::CalendarDay { order } => Some(day::build(*order, &plan.range, tz)),
        Intent::Patterns => Some(patterns::build(tz)),
        Intent::ClientsMetAndMailed { mailed } => Some(clients::build(&plan.range, mailed, tz)),
        _ => None,
    }
}

/// The answer of a scene plan from its main rows and sections; `None` for the statistics
/// intents.
pub fn answer(plan: &Plan, main: &QueryResult, sections: &[Section]) -> Option<String> {
    let find = |id: &str| {
        sections
            .iter()
            .find(|s| s.id == id)
            .map(Section::result)
            .unwrap_or_default()
    };
    let text = match &plan.intent {
        Intent::Briefing { .. } => briefing::answer(&plan.range, main, &find),
        Intent::CalendarDay { order } => day::answer(*order, &plan.range, main, &find),
        Intent::Patterns => patterns::answer(main, &find),
        Intent::ClientsMetAndMailed { mailed } => clients::answer(&plan.range, mailed, main, &find),
        _ => return None,
    };
    Some(if plan.defaulted {
        format!(
            "{text}\n(You didn't say when, so I looked at {}.)",
            plan.range.label
        )
    } else {
        text
    })
}

/// Words any scene question may hold besides [`FILLER`].
const GRAMMAR: &[&str] = &[
    "for",
    "about",
    "with",
    "from",
    "like",
    "look",
    "looks",
    "looking",
    "should",
    "need",
    "needs",
    "anything",
    "any",
    "up",
    "im",
    "am",
    "also",
    "both",
    "too",
    "as",
    "well",
    "going",
    "this",
    "these",
    "those",
    "they",
    "them",
    "their",
    "for",
    "by",
    "be",
    "or",
    "if",
    "all",
    "when",
    "where",
    "who",
    "whom",
    "which",
    "whats",
    "what",
    "is",
    "else",
    "just",
    "quick",
    "quickly",
    "briefly",
    "some",
    "most",
    "important",
    "main",
    "key",
    "really",
    "currently",
    "right",
    "now",
    "here",
    "today",
    "good",
    "morning",
    "afternoon",
    "evening",
    "day",
];

/// Words of the briefing.
const BRIEFING_CUES: &[&str] = &[
    "briefing",
    "brief me",
    "brief",
    "need to know",
    "should know",
    "should i know",
    "catch me up",
    "catch up",
    "did i miss",
    "up to speed",
    "rundown",
    "run down",
    "overview",
    "whats new",
    "whats happening",
    "whats going on",
    "daily summary",
    "morning summary",
    "summary of my day",
    "summary for today",
    "start my day",
    "whats up",
    "what do i have",
    "whats on my plate",
    "on my plate",
];
const BRIEFING_WORDS: &[&str] = &[
    "briefing",
    "brief",
    "know",
    "catch",
    "miss",
    "missed",
    "speed",
    "rundown",
    "run",
    "down",
    "overview",
    "new",
    "happening",
    "going",
    "on",
    "daily",
    "summary",
    "summarise",
    "summarize",
    "start",
    "aware",
    "attention",
    "plate",
    "have",
    "give",
    "a",
    "me",
    "things",
    "stuff",
    "matters",
];

/// Ranking words for days.
const RANK_MOST: &[&str] = &[
    "busiest",
    "heaviest",
    "fullest",
    "packed",
    "most packed",
    "most meetings",
    "most booked",
    "biggest",
    "hardest",
    "toughest",
    "most",
];
const RANK_LEAST: &[&str] = &[
    "lightest", "quietest", "freest", "emptiest", "calmest", "least", "fewest", "easiest",
];
/// Words of the calendar.
const SCHEDULE: &[&str] = &[
    "calendar",
    "schedule",
    "agenda",
    "meeting",
    "meetings",
    "appointments",
];
/// Words of a calendar-day question besides the ranking and schedule words.
const DAY_WORDS: &[&str] = &[
    "on", "day", "days", "weekday", "week", "look", "like", "shape", "free", "time", "hours", "in",
    "terms", "of", "will", "going", "to", "be", "busy", "how", "mine", "has", "have", "with",
];
/// Words that make a question about email, not the calendar.
const MAIL: &[&str] = &[
    "email", "emails", "e-mail", "e-mails", "mail", "mails", "message", "messages", "inbox",
    "senders", "sender", "urgent", "emailed", "mailed",
];

/// Words of the patterns.
const PATTERN_CUES: &[&str] = &[
    "pattern",
    "patterns",
    "habit",
    "habits",
    "trends",
    "insight",
    "insights",
    "tendencies",
    "tendency",
];
const PATTERN_WORDS: &[&str] = &[
    "pattern",
    "patterns",
    "habit",
    "habits",
    "trends",
    "trend",
    "insight",
    "insights",
    "tendencies",
    "tendency",
    "notice",
    "noticed",
    "see",
    "spot",
    "find",
    "found",
    "interesting",
    "useful",
    "recent",
    "recently",
    "lately",
    "email",
    "emails",
    "mail",
    "meeting",
    "meetings",
    "calendar",
    "work",
    "working",
    "time",
    "in",
    "of",
    "and",
    "are",
    "there",
    "know",
    "my",
    "emerging",
    "worth",
    "knowing",
    "noting",
];

/// Words of the clients question.
const MEET: &[&str] = &[
    "meet",
    "meeting",
    "meetings",
    "met",
    "seeing",
    "calendar",
    "scheduled",
    "call",
    "calls",
];
const MAILED: &[&str] = &[
    "emailed",
    "email",
    "emails",
    "mailed",
    "wrote",
    "written",
    "contacted",
    "messaged",
    "heard",
    "sent",
    "reached",
    "mail",
    "mails",
];
const CLIENT_WORDS: &[&str] = &[
    "client",
    "clients",
    "customer",
    "customers",
    "companies",
    "company",
    "organisations",
    "organizations",
    "accounts",
];
/// Words of the clients question besides [`MEET`], [`MAILED`] and [`CLIENT_WORDS`].
const CLIENTS_VOCABULARY: &[&str] = &[
    "see", "out", "and", "that", "have", "who", "which", "whom", "in", "within", "during", "the",
    "of", "also", "me",
];

/// Words that ask for a follow-up on the previous scene ("and tomorrow?", "what about next
/// week?").
const FOLLOW_UP: &[&str] = &[
    "and", "what", "about", "how", "then", "same", "for", "instead", "ok", "okay", "now",
];

fn refuse_left(left: Vec<String>) -> Understood {
    Understood::Refusal(format!(
        "I don't know how to take \"{}\" into account here, and I won't answer the question without it.",
        left.join(" ")
    ))
}

/// The whole week (Monday to Sunday) of `today`.
pub fn this_week(today: NaiveDate) -> DateRange {
    let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    DateRange {
        start: monday,
        end: monday + Duration::days(6),
        label: "this week".into(),
    }
}

/// A range as the calendar reads it: "this week" and "this month" are whole, not "so far" as
/// for mail (the calendar knows what is coming).
pub fn whole(range: DateRange, today: NaiveDate) -> DateRange {
    match range.label.as_str() {
        "this week" => this_week(today),
        "this month" => {
            let next = (range.start + Duration::days(32))
                .with_day(1)
                .unwrap_or(range.end);
            DateRange {
                end: next - Duration::days(1),
                ..range
            }
        }
        _ => range,
    }
}

/// The date ranges the question names, in order (shifts resolved against the previous). A
/// weekday named on its own ("Friday", "on Friday", "this Friday") is the one of this week,
/// Monday to Sunday, even when it is still to come: the calendar knows the future, where mail
/// reads the same words as the latest such day.
fn ranges(tokens: &[&str], found: &[dates::Match], today: NaiveDate) -> Vec<(usize, DateRange)> {
    let mut out: Vec<(usize, DateRange)> = Vec::new();
    for m in found {
        let words = &tokens[m.at..m.at + m.len];
        let bare = match words {
            [day] | ["on" | "this", day] => dates::parse_weekday(day),
            _ => None,
        };
        if let Some(day) = bare {
            let date = this_week(today).start + Duration::days(day.num_days_from_monday() as i64);
            let label = if date == today {
                "today".to_string()
            } else {
                date.format("%A %-d %B %Y").to_string()
            };
            out.push((m.at, DateRange::day(date, label)));
            continue;
        }
        match &m.found {
            Found::Range(r) => out.push((m.at, r.clone())),
            Found::Shift(days) => {
                if let Some((_, last)) = out.last() {
                    let shifted = last.shifted(*days);
                    out.push((m.at, shifted));
                }
            }
        }
    }
    out
}

/// The scene `question` asks for, as of `today` and `now`, with the previous turn's plan for
/// follow-ups; `None` when it is not a scene (the statistics parser then reads it).
pub fn understand(
    question: &str,
    context: Option<&Plan>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Option<Understood> {
    let normalised = normalise(question);
    let tokens: Vec<&str> = normalised.split(' ').filter(|t| !t.is_empty()).collect();
    let found = dates::find(&tokens, today);
    let words = Words::new(&tokens, &found);
    let named = ranges(&tokens, &found, today);

    if let Some(u) = clients(&words, &named, today) {
        return Some(u);
    }
    if words.any(PATTERN_CUES) && !words.any(&["per day", "by day", "per hour", "by hour"]) {
        let left = words.left(&[FILLER, GRAMMAR, PATTERN_WORDS]);
        if !left.is_empty() {
            return Some(refuse_left(left));
        }
        if let Some((_, r)) = named.iter().find(|(_, r)| !(28..=31).contains(&r.days())) {
            return Some(Understood::Refusal(format!(
                "I keep patterns over the last 30 days only, not {}. Ask \"Any patterns I should know about?\".",
                r.label
            )));
        }
        return Some(Understood::Plan(Plan {
            intent: Intent::Patterns,
            range: DateRange {
                start: today - Duration::days(29),
                end: today,
                label: "the last 30 days".into(),
            },
            compare: None,
            defaulted: false,
        }));
    }
    if let Some(u) = calendar_day(&words, &named, today) {
        return Some(u);
    }
    if words.any(BRIEFING_CUES) && !words.any(MEET) || words.has("briefing") {
        let left = words.left(&[FILLER, GRAMMAR, BRIEFING_WORDS]);
        if !left.is_empty() {
            return Some(refuse_left(left));
        }
        if let Some((_, r)) = named
            .iter()
            .find(|(_, r)| !(r.is_day() && r.start == today))
        {
            return Some(Understood::Refusal(format!(
                "The briefing is about today, not {}. For another day ask e.g. \"What does tomorrow look like?\" or \"How many emails did I receive yesterday?\".",
                r.label
            )));
        }
        return Some(Understood::Plan(Plan {
            intent: Intent::Briefing { now },
            range: DateRange::day(today, "today"),
            compare: None,
            defaulted: false,
        }));
    }
    follow_up(&words, &named, context, today)
}

/// "What's my busiest day this week?", "What does my day look like tomorrow?", "Which day next
/// week has the fewest meetings?".
fn calendar_day(
    words: &Words,
    named: &[(usize, DateRange)],
    today: NaiveDate,
) -> Option<Understood> {
    let order = if words.any(RANK_LEAST) {
        Some(Order::Least)
    } else if words.any(RANK_MOST) {
        Some(Order::Most)
    } else {
        None
    };
    // "What's on tomorrow?": a named day's agenda ("what's on my plate" is the briefing's).
    let calendar = words.any(SCHEDULE)
        || (words.any(&["whats on", "what is on"]) && !named.is_empty() && !words.any(&["plate"]));
    let day = words.any(&["day", "days", "weekday"]);
    let shape = words.any(&["look like", "looks like", "look", "shape"]);
    let about = match order {
        Some(_) => day && !words.any(MAIL),
        None => (calendar || ((day || !named.is_empty()) && shape)) && !words.any(MAIL),
    };
    if !about {
        return None;
    }
    let left = words.left(&[FILLER, GRAMMAR, RANK_MOST, RANK_LEAST, SCHEDULE, DAY_WORDS]);
    if !left.is_empty() {
        return Some(refuse_left(left));
    }
    if named.len() > 1 {
        return Some(Understood::Refusal(
            "Name one day or one period for the calendar, e.g. \"What's my busiest day this week?\"."
                .into(),
        ));
    }
    let (range, defaulted) = match named.first() {
        Some((_, r)) => (whole(r.clone(), today), false),
        None if order.is_some() => (this_week(today), true),
        None => (DateRange::day(today, "today"), true),
    };
    if order.is_none() && !range.is_day() {
        return Some(Understood::Refusal(format!(
            "I show the calendar one day at a time: ask about one day of {}, or \"What's my busiest day {}?\".",
            range.label, range.label
        )));
    }
    let order = if range.is_day() { None } else { order };
    Some(Understood::Plan(Plan {
        intent: Intent::CalendarDay { order },
        range,
        compare: None,
        defaulted: defaulted && order.is_some(),
    }))
}

/// "Who are the clients I'm meeting this week that also emailed me in the last 3 days?": each
/// date expression belongs to the meeting or the mail words nearest before it.
fn clients(words: &Words, named: &[(usize, DateRange)], today: NaiveDate) -> Option<Understood> {
    let about =
        words.any(MEET) && words.any(MAILED) && (words.any(CLIENT_WORDS) || words.has("who"));
    if !about {
        return None;
    }
    let left = words.left(&[
        FILLER,
        GRAMMAR,
        MEET,
        MAILED,
        CLIENT_WORDS,
        CLIENTS_VOCABULARY,
    ]);
    if !left.is_empty() {
        return Some(refuse_left(left));
    }
    let mut meeting: Option<DateRange> = None;
    let mut mailed: Option<DateRange> = None;
    for (at, range) in named {
        let before = words
            .placed()
            .rev()
            .filter(|(i, _)| i < at)
            .find_map(|(_, t)| {
                if MEET.contains(&t) {
                    Some(true)
                } else if MAILED.contains(&t) {
                    Some(false)
                } else {
                    None
                }
            });
        let slot = match before {
            Some(true) => &mut meeting,
            Some(false) => &mut mailed,
            None if meeting.is_none() => &mut meeting,
            None => &mut mailed,
        };
        if slot.is_some() {
            return Some(Understood::Refusal(
                "Name one period for the meetings and one for the emails, e.g. \"clients I'm meeting this week that emailed me in the last 3 days\"."
                    .into(),
            ));
        }
        *slot = Some(range.clone());
    }
    let meeting = meeting
        .map(|r| whole(r, today))
        .unwrap_or_else(|| this_week(today));
    let mailed = mailed.unwrap_or_else(|| DateRange {
        start: today - Duration::days(6),
        end: today,
        label: "the last 7 days".into(),
    });
    Some(Understood::Plan(Plan {
        intent: Intent::ClientsMetAndMailed { mailed },
        range: meeting,
        compare: None,
        defaulted: false,
    }))
}

/// "And tomorrow?" after a calendar day, "what about next week?" after the clients: the same
/// scene over the new period.
fn follow_up(
    words: &Words,
    named: &[(usize, DateRange)],
    context: Option<&Plan>,
    today: NaiveDate,
) -> Option<Understood> {
    let previous = context?;
    let [(_, range)] = named else { return None };
    if !words
        .left(&[FOLLOW_UP, &["day", "the", "on", "one", "ones"]])
        .is_empty()
    {
        return None;
    }
    let range = whole(range.clone(), today);
    let intent = match &previous.intent {
        Intent::CalendarDay { order } => {
            let order = if range.is_day() {
                None
            } else {
                Some(order.unwrap_or(Order::Most))
            };
            Intent::CalendarDay { order }
        }
        Intent::ClientsMetAndMailed { mailed } => Intent::ClientsMetAndMailed {
            mailed: mailed.clone(),
        },
        _ => return None,
    };
    Some(Understood::Plan(Plan {
        intent,
        range,
        compare: None,
        defaulted: false,
    }))
}

/// "09:30" from a `timestamp` cell (`2026-11-26T09:30:00`).
pub(crate) fn clock(value: &serde_json::Value) -> Option<String> {
    super::answer::local_time(value, "%H:%M")
}

/// "1 meeting", "3 meetings".
pub(crate) fn count(n: i64, one: &str, many: &str) -> String {
    format!(
        "{n} {}",
        super::answer::plural(n.unsigned_abs() as usize, one, many)
    )
}

/// Hours as the answers say them: "6.5 hours", "1 hour", "0.5 hours".
pub(crate) fn hours(h: f64) -> String {
    let h = (h * 10.0).round() / 10.0;
    if h == 1.0 {
        "1 hour".into()
    } else if h.fract() == 0.0 {
        format!("{h:.0} hours")
    } else {
        format!("{h:.1} hours")
    }
}

#[cfg(test)]
mod tests;
