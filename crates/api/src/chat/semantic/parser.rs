//! From a question (and the previous turn's plan) to a [`Plan`], or an honest refusal.
//!
//! The parser works on normalised tokens. Date expressions are found first (module `dates`) and
//! taken out; the remaining words are matched against small vocabularies: what is counted (the
//! catalog's measures), how (total, average, day by day, ranking), over what (hours, days,
//! sender domains) and whether two periods are compared. Anything that names data we do not
//! have (calendar, sentiment, people rather than domains, sent mail) is refused with a reason,
//! and a question with no recognisable measure or intent is refused with suggestions: the parser
//! never falls back to a guess.

use chrono::NaiveDate;

use super::dates::{self, DateRange, Found};
use super::plan::{Intent, Order, Plan};
use crate::chat::catalog::{Catalog, Measure};

/// The parser's verdict on one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Understood {
    /// A plan to turn into SQL.
    Plan(Plan),
    /// Why the question cannot be answered (suggestions are added by the caller).
    Refusal(String),
}

/// Lower case, no punctuation except inside words (`acme.com`, `2026-11-20`), single spaces.
/// The answer cache keys on this form too.
pub fn normalise(question: &str) -> String {
    let cleaned: String = question
        .to_lowercase()
        .replace(['\'', '’'], "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-.@".contains(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    cleaned
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| "-.@".contains(c)))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words that ask for data we do not have, each with the reason given to the user.
const UNSUPPORTED: &[(&[&str], &str)] = &[
    (
        &[
            "calendar",
            "meeting",
            "meetings",
            "appointment",
            "appointments",
            "event",
            "events",
        ],
        "I only have statistics about received email, not your calendar.",
    ),
    (
        &[
            "sentiment",
            "mood",
            "tone",
            "angry",
            "upset",
            "happy",
            "frustrated",
        ],
        "I don't have sentiment analysis of your emails, only counts.",
    ),
    (
        &[
            "subject",
            "subjects",
            "attachment",
            "attachments",
            "thread",
            "threads",
            "body",
            "content",
            "contents",
            "summarize",
            "summarise",
        ],
        "I only have daily statistics about your email, not the messages' contents.",
    ),
    (
        &[
            "draft", "reply", "respond", "forward", "archive", "remove", "send", "write",
            "schedule",
        ],
        "I can only answer questions about your email statistics; I can't act on your mailbox.",
    ),
    (
        &[
            "select", "insert", "update", "delete", "drop", "truncate", "alter", "grant", "create",
            "union", "sql", "pg_sleep", "table", "tables",
        ],
        "I answer questions in plain language and run only the read-only queries I write myself.",
    ),
    (
        &[
            "unread", "read", "opened", "answered", "replied", "spam", "junk",
        ],
        "I don't know which emails were read, answered or marked as spam, only how many arrived.",
    ),
    (
        &["weather", "stock", "stocks", "news"],
        "I can only answer questions about your email statistics.",
    ),
];

const RANK_MOST: &[&str] = &[
    "most",
    "top",
    "busiest",
    "biggest",
    "highest",
    "max",
    "maximum",
    "peak",
    "heaviest",
    "largest",
    "greatest",
    "frequent",
    "frequently",
    "often",
    "more",
];
const RANK_LEAST: &[&str] = &[
    "least", "fewest", "quietest", "lowest", "min", "minimum", "calmest", "slowest", "quiet",
    "less", "fewer",
];
const COUNT: &[&str] = &[
    "how many",
    "number of",
    "count",
    "total",
    "how much",
    "amount of",
    "volume",
    "receive",
    "received",
    "get",
    "got",
    "busy",
    "arrived",
    "came in",
];
const HOUR: &[&str] = &[
    "hour",
    "hours",
    "hourly",
    "time of day",
    "what time",
    "which time",
];
const DAY: &[&str] = &["day", "days", "date", "weekday"];
const SENDER: &[&str] = &[
    "sender",
    "senders",
    "domain",
    "domains",
    "who",
    "whom",
    "company",
    "companies",
    "organisation",
    "organization",
    "organisations",
    "organizations",
];
const DAILY_SERIES: &[&str] = &[
    "per day",
    "by day",
    "each day",
    "every day",
    "daily",
    "day by day",
    "trend",
    "over time",
    "timeline",
    "evolution",
    "chart",
    "plot",
    "graph",
];
const HOURLY_SERIES: &[&str] = &[
    "per hour",
    "by hour",
    "each hour",
    "every hour",
    "hourly",
    "hour by hour",
    "distribution",
    "breakdown",
];
const AVERAGE: &[&str] = &[
    "average",
    "avg",
    "mean",
    "typical",
    "typically",
    "usually",
    "normally",
];
const COMPARE: &[&str] = &[
    "compare",
    "compared",
    "comparison",
    "vs",
    "versus",
    "than",
    "difference",
    "change",
    "changed",
    "differ",
];
const QUALITY: &[&str] = &["quality", "valid", "validity", "invalid"];
const FOLLOW_UP: &[&str] = &[
    "and",
    "what about",
    "how about",
    "same for",
    "same",
    "then",
    "ok and",
    "now",
];
/// Words after "from" that are not a sender (dates are taken out before).
const FROM_OK: &[&str] = &[
    "the",
    "my",
    "a",
    "an",
    "this",
    "last",
    "past",
    "previous",
    "each",
    "every",
    "which",
    "what",
    "whom",
    "who",
    "them",
    "these",
    "those",
    "all",
    "any",
    "different",
    "unique",
    "distinct",
];

/// The question's words once the date expressions are taken out, padded with spaces so that
/// `has(" per day ")` matches whole words.
struct Words {
    text: String,
    tokens: Vec<String>,
}

impl Words {
    fn has(&self, phrase: &str) -> bool {
        self.text.contains(&format!(" {phrase} "))
    }

    fn any(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|p| self.has(p))
    }

    fn starts_with_any(&self, phrases: &[&str]) -> bool {
        phrases
            .iter()
            .any(|p| self.text.starts_with(&format!(" {p} ")))
    }
}

/// Understands `question`, with the previous turn's plan as context for follow-ups.
pub fn understand(
    catalog: &Catalog,
    question: &str,
    context: Option<&Plan>,
    today: NaiveDate,
) -> Understood {
    let normalised = normalise(question);
    let tokens: Vec<&str> = normalised.split(' ').filter(|t| !t.is_empty()).collect();
    let found = dates::find(&tokens, today);
    let words = rest(&tokens, &found);
    if let Some(reason) = unsupported(&words) {
        return Understood::Refusal(reason.to_string());
    }
    let domain = match sender_filter(&words) {
        Ok(domain) => domain,
        Err(reason) => return Understood::Refusal(reason),
    };
    let ranges = match resolve_dates(&found, context) {
        Ok(ranges) => ranges,
        Err(reason) => return Understood::Refusal(reason),
    };
    let measure = measure(catalog, &words);
    let intent = detect(
        &words,
        measure,
        domain,
        ranges.first().or(context.map(|c| &c.range)),
    );
    combine(&words, intent, measure, ranges, context, today)
}

/// Tokens outside the date expressions.
fn rest(tokens: &[&str], found: &[dates::Match]) -> Words {
    let kept: Vec<String> = tokens
        .iter()
        .enumerate()
        .filter(|(i, _)| !found.iter().any(|m| (m.at..m.at + m.len).contains(i)))
        .map(|(_, t)| t.to_string())
        .collect();
    Words {
        text: format!(" {} ", kept.join(" ")),
        tokens: kept,
    }
}

fn unsupported(words: &Words) -> Option<&'static str> {
    if words.any(&[
        "i sent",
        "did i send",
        "i send",
        "have i sent",
        "sent by me",
        "i wrote",
        "outgoing",
        "outbox",
    ]) {
        return Some("I only have statistics about emails you received, not the ones you sent.");
    }
    UNSUPPORTED
        .iter()
        .find(|(list, _)| words.any(list))
        .map(|(_, reason)| *reason)
}

/// A sender domain the question filters on, or a refusal when it names a sender we cannot
/// filter on (a person, an address, a company without its domain).
fn sender_filter(words: &Words) -> Result<Option<String>, String> {
    if let Some(address) = words.tokens.iter().find(|t| t.contains('@')) {
        return Err(format!(
            "I only have sender domains, not addresses: try the domain of {address}, like \"emails from {}\".",
            address.rsplit('@').next().unwrap_or("example.com")
        ));
    }
    let domain = words.tokens.iter().find(|t| is_domain(t)).cloned();
    if domain.is_none() {
        if let Some(i) = words.tokens.iter().position(|t| t == "from") {
            if let Some(next) = words.tokens.get(i + 1) {
                if !FROM_OK.contains(&next.as_str()) {
                    return Err(format!(
                        "I only know sender domains (like acme.com), not people or names such as \"{next}\"."
                    ));
                }
            }
        }
    }
    Ok(domain)
}

fn is_domain(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && parts
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

/// The ranges the question names, relative ones resolved against the one before them (or the
/// context's range).
fn resolve_dates(found: &[dates::Match], context: Option<&Plan>) -> Result<Vec<DateRange>, String> {
    let mut ranges: Vec<DateRange> = Vec::new();
    for m in found {
        match &m.found {
            Found::Range(r) => ranges.push(r.clone()),
            Found::Shift(days) => {
                let anchor = ranges.last().or(context.map(|c| &c.range)).ok_or_else(|| {
                    "Before or after which day? Name a day first, e.g. \"yesterday and the day before\"."
                        .to_string()
                })?;
                let days = if *days == 0 { -anchor.days() } else { *days };
                let days = if days.abs() < anchor.days() {
                    days.signum() * anchor.days()
                } else {
                    days
                };
                ranges.push(anchor.shifted(days));
            }
        }
    }
    Ok(ranges)
}

/// The measure the question names explicitly, most specific first ("important emails" is about
/// `important`, not `emails`).
fn measure(catalog: &Catalog, words: &Words) -> Option<&'static Measure> {
    let specific = catalog.measures.iter().filter(|m| m.id != "emails");
    let hit = |m: &&'static Measure| m.synonyms.iter().any(|s| words.has(s));
    if words.has("how long") || words.has("length") {
        return catalog.measure("length");
    }
    specific
        .filter(|m| m.id != "length")
        .find(hit)
        .or_else(|| catalog.measures.iter().find(|m| m.id == "emails" && hit(m)))
}

fn order(words: &Words) -> Option<Order> {
    if words.any(RANK_LEAST) {
        Some(Order::Least)
    } else if words.any(RANK_MOST) {
        Some(Order::Most)
    } else {
        None
    }
}

/// "top 3", "5 busiest": a count outside the date expressions, else `default`.
fn count(words: &Words, default: u32) -> u32 {
    words
        .tokens
        .iter()
        .filter(|t| *t != "one")
        .find_map(|t| dates::number(t))
        .filter(|n| (1..=50).contains(n))
        .unwrap_or(default)
}

/// The intent the words alone ask for; `None` when they name no intent (a follow-up such as
/// "and the day before?").
fn detect(
    words: &Words,
    measure: Option<&'static Measure>,
    domain: Option<String>,
    range: Option<&DateRange>,
) -> Option<Intent> {
    let measure_id = measure.map_or("emails", |m| m.id).to_string();
    let rank = order(words);
    if words.any(QUALITY) {
        return Some(Intent::Quality);
    }
    if let Some(domain) = domain {
        return Some(Intent::FromDomain { domain });
    }
    let counting = words.any(COUNT);
    if words.any(SENDER) && (rank.is_some() || !counting || words.has("which") || words.has("who"))
    {
        let plural = words.any(&[
            "senders",
            "domains",
            "companies",
            "organisations",
            "organizations",
        ]);
        let n = count(
            words,
            if plural && !words.has("the most") {
                5
            } else {
                1
            },
        );
        return Some(Intent::TopSenders { n });
    }
    let single_day = range.is_some_and(|r| r.is_day());
    let hours = words.any(HOUR) || (words.has("when") && single_day);
    if hours && words.any(HOURLY_SERIES) && rank.is_none() {
        return Some(Intent::Hourly);
    }
    if hours {
        let n = count(words, if words.has("hours") { 3 } else { 1 });
        return Some(match rank {
            Some(order) => Intent::RankHours { n, order },
            None => Intent::Hourly,
        });
    }
    if words.any(HOURLY_SERIES) && !words.any(DAILY_SERIES) {
        return Some(Intent::Hourly);
    }
    let days = words.any(DAY) || words.has("when");
    let series = words.any(DAILY_SERIES);
    if let (Some(order), true) = (rank, days && !series) {
        let n = count(words, if words.has("days") { 3 } else { 1 });
        return Some(Intent::RankDays {
            measure: measure_id,
            n,
            order,
        });
    }
    let average = words.any(AVERAGE) && measure.is_none_or(|m| m.id != "length");
    if average {
        return Some(Intent::Average {
            measure: measure_id,
        });
    }
    if series {
        return Some(Intent::Daily {
            measure: measure_id,
        });
    }
    if measure.is_some() || counting {
        return Some(Intent::Total {
            measure: measure_id,
        });
    }
    None
}

/// Puts intent and dates together, taking what the question leaves out from the context.
fn combine(
    words: &Words,
    intent: Option<Intent>,
    measure: Option<&'static Measure>,
    mut ranges: Vec<DateRange>,
    context: Option<&Plan>,
    today: NaiveDate,
) -> Understood {
    let follow_up = context.is_some()
        && (words.starts_with_any(FOLLOW_UP) || intent.is_none() || words.tokens.len() <= 3);
    let context = context.filter(|_| follow_up);
    let comparing = words.any(COMPARE) || ranges.len() >= 2;
    let intent = match (intent, context) {
        // "and important ones?": the context's question about another measure.
        (Some(Intent::Total { measure: m }), Some(ctx))
            if !words.any(COUNT) && ctx.intent.with_measure(&m).is_some() && measure.is_some() =>
        {
            ctx.intent.with_measure(&m)
        }
        (Some(intent), _) => Some(intent),
        (None, Some(ctx)) => Some(ctx.intent.clone()),
        // "compare this week with last week": totals of emails unless something else is named.
        (None, None) if comparing => Some(Intent::Total {
            measure: "emails".to_string(),
        }),
        (None, None) => None,
    };
    let Some(intent) = intent else {
        return Understood::Refusal("I'm not sure what you are asking.".to_string());
    };
    if comparing && ranges.len() == 1 {
        if let Some(ctx) = context {
            ranges.insert(0, ctx.range.clone());
        }
    }
    let defaulted = ranges.is_empty() && context.is_none();
    let range = match ranges.first() {
        Some(r) => r.clone(),
        None => match context {
            Some(ctx) => ctx.range.clone(),
            None => DateRange {
                start: today - chrono::Duration::days(6),
                end: today,
                label: "the last 7 days".to_string(),
            },
        },
    };
    let compare = ranges.get(1).cloned().filter(|_| comparing);
    if compare.is_some() && !matches!(intent, Intent::Total { .. } | Intent::FromDomain { .. }) {
        return Understood::Refusal(
            "I can compare totals between two periods, like \"compare emails this week with last week\"."
                .to_string(),
        );
    }
    Understood::Plan(Plan {
        intent,
        range,
        compare,
        defaulted,
    })
}
