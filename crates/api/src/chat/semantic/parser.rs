//! From a question (and the previous turn's plan) to a [`Plan`], or an honest refusal.
//!
//! The parser works on normalised tokens. Date expressions are found first (module `dates`) and
//! taken out; the remaining words are matched against small vocabularies: what is counted (the
//! catalog's measures), how (total, average, day by day, ranking), over what (hours, days,
//! sender domains) and whether two periods are compared. Anything that names data we do not
//! have (calendar, sentiment, people rather than domains, sent mail) is refused with a reason,
//! and a question with no recognisable measure or intent is refused with suggestions: the parser
//! never falls back to a guess.
//!
//! Every word must be accounted for by the plan it produces ([`unaccounted`]): a word that is
//! not grammar, not part of a date and not in the vocabulary of the understood question refuses
//! the question. "How many different domains emailed me" is not "how many emails" with two
//! words dropped; two periods named without asking to compare them are not a comparison.

use chrono::NaiveDate;

use super::dates::{self, DateRange, Found};
use super::plan::{Intent, Order, Plan};
use super::words::Words;
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
        "Of your calendar I know one day at a time (\"What does tomorrow look like?\"), the busiest day of a week, the clients you meet who emailed you, the morning briefing and your 30-day patterns.",
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
        "I show each email's sentiment in lists (\"Show me the urgent emails from Acme Corp\") and the day's split in the briefing, not as a statistic of its own.",
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
        "I can draft a reply for you to confirm (say \"Draft a reply to Tom offering a call at 11 AM\"), but not forward, archive or delete mail.",
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

/// Words that ask for urgent email only.
const URGENT: &[&str] = &[
    "urgent",
    "important",
    "flagged",
    "priority",
    "high-priority",
    "critical",
];
/// Nouns for sender domains as things to count ("how many different domains").
const DOMAINS: &[&str] = &[
    "domain",
    "domains",
    "company",
    "companies",
    "organisation",
    "organization",
    "organisations",
    "organizations",
];
/// Words that make a count distinct.
const DISTINCT: &[&str] = &["different", "distinct", "unique", "separate"];
/// Asking for a list.
const LIST: &[&str] = &[
    "all",
    "any",
    "anything",
    "everything",
    "new",
    "recent",
    "latest",
];
/// Grammar and the verbs of receiving mail: words any question may hold without changing what
/// it asks.
pub(super) const FILLER: &[&str] = &[
    "i",
    "me",
    "my",
    "mine",
    "we",
    "us",
    "our",
    "you",
    "your",
    "it",
    "its",
    "there",
    "that",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "do",
    "does",
    "did",
    "have",
    "has",
    "had",
    "can",
    "could",
    "would",
    "will",
    "please",
    "the",
    "a",
    "an",
    "of",
    "in",
    "on",
    "at",
    "to",
    "over",
    "during",
    "and",
    "so",
    "far",
    "what",
    "whats",
    "which",
    "how",
    "show",
    "list",
    "find",
    "give",
    "tell",
    "see",
    "display",
    "let",
    "know",
    "get",
    "got",
    "gotten",
    "getting",
    "receive",
    "received",
    "receiving",
    "arrive",
    "arrived",
    "came",
    "come",
    "sent",
    "sends",
    "emailed",
    "mailed",
    "messaged",
    "wrote",
    "written",
    "writes",
    "contacted",
    "email",
    "emails",
    "e-mail",
    "e-mails",
    "mail",
    "mails",
    "message",
    "messages",
    "inbox",
    "hi",
    "hey",
    "hello",
    "ok",
    "okay",
    "thanks",
];

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
    let words = Words::new(&tokens, &found);
    if let Some(reason) = unsupported(&words) {
        return Understood::Refusal(reason.to_string());
    }
    let sender = match sender_filter(&words) {
        Ok(sender) => sender,
        Err(reason) => return Understood::Refusal(reason),
    };
    let ranges = match resolve_dates(&found, context) {
        Ok(ranges) => ranges,
        Err(reason) => return Understood::Refusal(reason),
    };
    let previous_org = context.and_then(|c| match &c.intent {
        Intent::OrgEmails { urgent, .. } => Some(*urgent),
        _ => None,
    });
    let sender = match (sender, previous_org) {
        (Sender::Anyone, Some(_)) => other_organisation(&words).unwrap_or(Sender::Anyone),
        (sender, _) => sender,
    };
    let measure = measure(catalog, &words);
    let mut intent = detect(
        &words,
        measure,
        &sender,
        ranges.first().or(context.map(|c| &c.range)),
    );
    // "what about Globex?" after "urgent emails from Acme": Globex's urgent emails.
    if let (Some(Intent::OrgEmails { urgent, .. }), Some(before)) = (&mut intent, previous_org) {
        if words.starts_with_any(FOLLOW_UP) {
            *urgent |= before;
        }
    }
    let (understood, follow_up) = combine(&words, intent, measure, ranges, context, today);
    if let Understood::Plan(plan) = &understood {
        let left = unaccounted(catalog, &words, plan, follow_up, &sender);
        if !left.is_empty() {
            return Understood::Refusal(format!(
                "I don't know how to take \"{}\" into account here, and I won't answer the question without it.",
                left.join(" ")
            ));
        }
    }
    understood
}

/// The words of the question that neither grammar, nor the dates, nor the vocabulary of the
/// understood `plan` account for: when there are any, the plan is not the question.
fn unaccounted(
    catalog: &Catalog,
    words: &Words,
    plan: &Plan,
    follow_up: bool,
    sender: &Sender,
) -> Vec<String> {
    let mut vocabulary: Vec<&[&str]> = vec![FILLER, COUNT];
    let mut numbers = false;
    let measure = plan
        .intent
        .measure()
        .and_then(|id| catalog.measure(id))
        .map(|m| m.synonyms);
    match &plan.intent {
        Intent::Total { .. } => {
            let m = plan.intent.measure().and_then(|id| catalog.measure(id));
            if m.is_some_and(|m| m.id == "length" || m.id == "senders") {
                vocabulary.extend([AVERAGE, &["how long"]]);
            }
        }
        Intent::Average { .. } => vocabulary.extend([AVERAGE, DAILY_SERIES]),
        Intent::Daily { .. } => vocabulary.push(DAILY_SERIES),
        Intent::RankDays { .. } => {
            vocabulary.extend([RANK_MOST, RANK_LEAST, DAY, &["when"]]);
            numbers = true;
        }
        Intent::Hourly => vocabulary.extend([HOUR, HOURLY_SERIES, &["when"]]),
        Intent::RankHours { .. } => {
            vocabulary.extend([HOUR, RANK_MOST, RANK_LEAST, &["when"]]);
            numbers = true;
        }
        Intent::TopSenders { .. } => {
            vocabulary.extend([SENDER, RANK_MOST, &["from"]]);
            numbers = true;
        }
        Intent::FromDomain { .. } => vocabulary.push(&["from"]),
        Intent::Quality => vocabulary.extend([
            QUALITY,
            &[
                "score",
                "scores",
                "data",
                "check",
                "checks",
                "checked",
                "pass",
                "passed",
                "fail",
                "failed",
                "percent",
                "percentage",
            ],
        ]),
        Intent::DistinctDomains => vocabulary.extend([DOMAINS, DISTINCT, &["sender", "senders"]]),
        Intent::OrgEmails { urgent, .. } => {
            vocabulary.extend([LIST, &["from", "by"]]);
            if *urgent {
                vocabulary.push(URGENT);
            }
        }
        // The scenes account for their own words (`super::scenes`).
        Intent::Briefing { .. }
        | Intent::CalendarDay { .. }
        | Intent::Patterns
        | Intent::ClientsMetAndMailed { .. } => {}
    }
    if let Some(synonyms) = measure {
        vocabulary.push(synonyms);
    }
    if plan.compare.is_some() {
        vocabulary.extend([
            COMPARE,
            &["more", "fewer", "less", "with", "against", "than"],
        ]);
    }
    if follow_up {
        vocabulary.extend([FOLLOW_UP, &["ones", "about", "instead"]]);
    }
    let t = &words.tokens;
    let mut covered = vec![false; t.len()];
    for phrase in vocabulary.iter().flat_map(|list| list.iter()) {
        let parts: Vec<&str> = phrase.split(' ').collect();
        for start in 0..t.len() {
            if t.len() - start >= parts.len()
                && parts.iter().enumerate().all(|(k, p)| t[start + k] == *p)
            {
                covered[start..start + parts.len()].fill(true);
            }
        }
    }
    if let (Sender::Domain(domain), Intent::FromDomain { .. }) = (sender, &plan.intent) {
        for (i, token) in t.iter().enumerate() {
            covered[i] |= token == domain;
        }
    }
    if let (Sender::Organisation { at, len, .. }, Intent::OrgEmails { .. }) = (sender, &plan.intent)
    {
        covered[*at..*at + *len].fill(true);
    }
    t.iter()
        .zip(covered)
        .filter(|(token, covered)| {
            let a_count = numbers && dates::number(token).is_some();
            !(*covered || a_count)
        })
        .map(|(token, _)| token.clone())
        .collect()
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

/// Whom the question is about: nobody in particular, a sender domain ("from acme.com"), or an
/// organisation named after "from" ("from Acme Corp").
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sender {
    Anyone,
    Domain(String),
    /// The name's words are `words.tokens[at..at + len]`.
    Organisation {
        name: String,
        at: usize,
        len: usize,
    },
}

/// Words that end an organisation's name after "from".
const NAME_END: &[&str] = &[
    "about",
    "regarding",
    "re",
    "that",
    "which",
    "who",
    "with",
    "since",
    "in",
    "on",
    "during",
    "and",
    "or",
    "to",
    "for",
    "please",
    "today",
    "yesterday",
];

/// Groups of senders, not organisations: "from clients" is not an organisation named Clients.
const ROLE_WORDS: &[&str] = &[
    "client",
    "clients",
    "customer",
    "customers",
    "colleague",
    "colleagues",
    "team",
    "teams",
    "vendor",
    "vendors",
    "partner",
    "partners",
    "newsletter",
    "newsletters",
    "people",
    "everyone",
    "someone",
    "anyone",
    "others",
];

/// The sender the question filters on: a domain, or a name after "from" (an organisation, else
/// a person, or an address); a refusal when it names a group of senders.
fn sender_filter(words: &Words) -> Result<Sender, String> {
    // An address names one sender: matched like a person's name (the SQL compares addresses).
    if let Some(at) = words.tokens.iter().position(|t| t.contains('@')) {
        return Ok(Sender::Organisation {
            name: words.tokens[at].clone(),
            at,
            len: 1,
        });
    }
    if let Some(domain) = words.tokens.iter().find(|t| is_domain(t)) {
        return Ok(Sender::Domain(domain.clone()));
    }
    let t = &words.tokens;
    let Some(from) = t
        .windows(2)
        .position(|w| w[0] == "from" || (w[0] == "sent" && w[1] == "by"))
    else {
        return Ok(Sender::Anyone);
    };
    let mut at = from + 1 + usize::from(t[from] == "sent");
    if t.get(at).is_some_and(|w| w == "the") {
        at += 1;
    }
    match t.get(at) {
        None => return Ok(Sender::Anyone),
        Some(next) if FROM_OK.contains(&next.as_str()) => return Ok(Sender::Anyone),
        Some(next) if ROLE_WORDS.contains(&next.as_str()) || DOMAINS.contains(&next.as_str()) => {
            return Err(format!(
                "I can look up the emails of one organisation by name (like \"urgent emails from Acme Corp\"), not of a group such as \"{next}\"."
            ))
        }
        Some(_) => {}
    }
    let len = t[at..]
        .iter()
        .take_while(|w| !NAME_END.contains(&w.as_str()))
        .count();
    if len == 0 || Intent::organisation_key(&t[at..at + len].join(" ")).len() < 2 {
        return Ok(Sender::Anyone);
    }
    Ok(Sender::Organisation {
        name: t[at..at + len].join(" "),
        at,
        len,
    })
}

/// After a question about an organisation, "what about Globex?" / "and TechFlow?": the name
/// after the follow-up words, when none of its words means something else.
fn other_organisation(words: &Words) -> Option<Sender> {
    let t = &words.tokens;
    let mut at = match t.first().map(String::as_str) {
        Some("what" | "how") if t.get(1).is_some_and(|w| w == "about") => 2,
        Some("and") => 1,
        _ => return None,
    };
    if t.get(at).is_some_and(|w| w == "the") {
        at += 1;
    }
    let len = t[at.min(t.len())..]
        .iter()
        .take_while(|w| !NAME_END.contains(&w.as_str()))
        .count();
    let name = &t[at.min(t.len())..at + len];
    let known = |w: &String| {
        [
            FILLER, COUNT, URGENT, LIST, DOMAINS, ROLE_WORDS, SENDER, FOLLOW_UP,
        ]
        .iter()
        .any(|list| list.contains(&w.as_str()))
            || dates::number(w).is_some()
    };
    if name.is_empty()
        || name.iter().any(known)
        || Intent::organisation_key(&name.join(" ")).len() < 2
    {
        return None;
    }
    Some(Sender::Organisation {
        name: name.join(" "),
        at,
        len,
    })
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
    sender: &Sender,
    range: Option<&DateRange>,
) -> Option<Intent> {
    let measure_id = measure.map_or("emails", |m| m.id).to_string();
    let rank = order(words);
    if words.any(QUALITY) {
        return Some(Intent::Quality);
    }
    match sender {
        Sender::Domain(domain) => {
            return Some(Intent::FromDomain {
                domain: domain.clone(),
            })
        }
        Sender::Organisation { name, .. } => {
            return Some(Intent::OrgEmails {
                name: name.clone(),
                urgent: words.any(URGENT),
            })
        }
        Sender::Anyone => {}
    }
    let counting = words.any(COUNT);
    if counting && rank.is_none() && words.any(DOMAINS) && !words.any(&["which", "who", "whom"]) {
        return Some(Intent::DistinctDomains);
    }
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
) -> (Understood, bool) {
    let follow_up = context.is_some()
        && (words.starts_with_any(FOLLOW_UP) || intent.is_none() || words.tokens.len() <= 3);
    let context = context.filter(|_| follow_up);
    let comparing = words.any(COMPARE);
    if ranges.len() >= 2 && !comparing {
        let labels: Vec<&str> = ranges.iter().map(|r| r.label.as_str()).collect();
        return (
            Understood::Refusal(format!(
                "you named several periods ({}) without saying how they go together: ask about one, or compare two (\"compare this week with last week\").",
                labels.join(", ")
            )),
            follow_up,
        );
    }
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
        return (
            Understood::Refusal("I'm not sure what you are asking.".to_string()),
            follow_up,
        );
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
        return (
            Understood::Refusal(
                "I can compare totals between two periods, like \"compare emails this week with last week\"."
                    .to_string(),
            ),
            follow_up,
        );
    }
    (
        Understood::Plan(Plan {
            intent,
            range,
            compare,
            defaulted,
        }),
        follow_up,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Thursday 26 November 2026, as in the integration tests.
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn ask(question: &str, context: Option<&Plan>) -> Understood {
        understand(&Catalog::serving(), question, context, today())
    }

    fn plan(question: &str) -> Plan {
        match ask(question, None) {
            Understood::Plan(plan) => plan,
            Understood::Refusal(reason) => panic!("{question}: refused: {reason}"),
        }
    }

    fn refused(question: &str) -> String {
        match ask(question, None) {
            Understood::Refusal(reason) => reason,
            Understood::Plan(plan) => panic!("{question}: answered as {plan:?}"),
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn different_domains_are_counted_not_emails() {
        for q in [
            "How many different domains emailed me last week?",
            "how many distinct sender domains wrote to me last week",
            "How many companies emailed me last week?",
        ] {
            let p = plan(q);
            assert_eq!(p.intent, Intent::DistinctDomains, "{q}");
            assert_eq!(
                (p.range.start, p.range.end),
                (day("2026-11-16"), day("2026-11-22"))
            );
        }
    }

    #[test]
    fn a_weekday_of_last_week_is_that_day_not_a_comparison() {
        for q in [
            "What was my email volume on Wednesday last week?",
            "how many emails did I get on wednesday of last week",
            "emails last week on wednesday?",
        ] {
            let p = plan(q);
            assert_eq!(
                p.intent,
                Intent::Total {
                    measure: "emails".into()
                },
                "{q}"
            );
            assert_eq!(
                (p.range.start, p.range.end),
                (day("2026-11-18"), day("2026-11-18")),
                "{q}"
            );
            assert_eq!(p.compare, None, "{q}");
        }
    }

    #[test]
    fn words_the_plan_does_not_use_refuse_the_question() {
        for (q, word) in [
            (
                "How many emails with invoices did I get yesterday?",
                "invoices",
            ),
            (
                "Which sender sent me the fewest emails this week?",
                "fewest",
            ),
            (
                "How many emails did I get yesterday in the evening",
                "evening",
            ),
            ("How many new domains emailed me last week?", "new"),
            ("busiest hour for newsletters yesterday", "newsletters"),
        ] {
            let reason = refused(q);
            assert!(reason.contains(word), "{q}: {reason}");
        }
        // Two periods without asking to compare them.
        assert!(
            refused("How many emails yesterday and the day before?").contains("several periods")
        );
        assert!(refused("emails on monday last week and this week").contains("several periods"));
    }

    #[test]
    fn the_questions_of_the_integration_tests_are_understood() {
        for q in [
            "How many emails did I receive yesterday?",
            "how many emails did i get yesterday",
            "Number of emails yesterday?",
            "Yesterday's email count",
            "How much mail came in yesterday?",
            "Total messages received yesterday",
            "How many e-mails arrived yesterday??",
            "yesterday: how many emails?",
            "Which sender sent me the most emails this week?",
            "Who emailed me the most this week?",
            "Top sender this week",
            "which domain sends me the most mail this week",
            "Who was my most frequent sender this week?",
            "Who did I get the most emails from this week?",
            "What was the busiest hour yesterday?",
            "At what time did I get the most emails yesterday?",
            "peak hour yesterday",
            "Which hour had the most emails yesterday?",
            "When did I receive the most emails yesterday?",
            "What was the quietest hour last week?",
            "busiest hour on Monday",
            "How many emails did I receive on Monday?",
            "How many emails last week?",
            "How many emails did I get on November 20?",
            "How many emails did I receive on 2026-11-18?",
            "How many emails the day before yesterday?",
            "how many emails on the 12th of november",
            "emails received 3 days ago",
            "how many mails last thursday",
            "How many emails in the last 3 days?",
            "How many emails did I receive today?",
            "How many important emails did I get last week?",
            "How many unique senders wrote to me yesterday?",
            "On average how many emails per day did I get last week?",
            "Show my emails per day over the last 7 days",
            "What was my busiest day last week?",
            "Top 3 senders last week",
            "How many emails from acme.com this week?",
            "How many emails from acmecorp.example this week?",
            "emails per hour yesterday",
            "how long were my emails on average yesterday",
            "What was the data quality score on November 23?",
            "How many emails this month?",
            "Compare this week with last week",
            "Did I get more emails yesterday than the day before?",
            "How many important emails 3 days ago?",
            "Which sender sent me the most emails 3 days ago?",
        ] {
            plan(q);
        }
    }

    #[test]
    fn follow_ups_still_work() {
        let first = plan("How many emails did I receive yesterday?");
        for q in [
            "and the day before?",
            "And the busiest hour?",
            "what about last week?",
        ] {
            assert!(matches!(ask(q, Some(&first)), Understood::Plan(_)), "{q}");
        }
        let top = plan("Which sender sent me the most emails this week?");
        for q in ["and last week?", "and important ones?"] {
            assert!(matches!(ask(q, Some(&top)), Understood::Plan(_)), "{q}");
        }
    }

    #[test]
    fn the_urgent_emails_of_an_organisation_and_paraphrases() {
        for q in [
            "Show me the urgent emails from Acme Corp",
            "urgent emails from Acme",
            "urgent mail from Acme",
            "anything urgent from Acme Corp?",
            "Any urgent messages from acmecorp?",
            "List urgent emails from ACME CORP",
            "What urgent emails did I get from Acme Corp?",
            "Which urgent emails came in from Acme?",
            "Show urgent mail from Acme Corp, please",
            "Are there urgent emails from Acme?",
            "important emails from acme corp",
            "high-priority emails sent by Acme Corp",
            "How many urgent emails from the Acme Corp?",
        ] {
            let p = plan(q);
            let Intent::OrgEmails { name, urgent } = &p.intent else {
                panic!("{q}: {p:?}");
            };
            assert!(*urgent, "{q}");
            assert_eq!(Intent::organisation_key(name), "acme", "{q}");
            assert!(p.defaulted, "{q}");
        }
        let p = plan("emails from Acme last week");
        assert_eq!(
            p.intent,
            Intent::OrgEmails {
                name: "acme".into(),
                urgent: false
            }
        );
        assert_eq!(p.range.start, day("2026-11-16"));
        assert_eq!(
            plan("Show me all emails from Acme Corp").intent,
            Intent::OrgEmails {
                name: "acme corp".into(),
                urgent: false
            }
        );
        // A qualifier after the name is not dropped.
        assert!(refused("urgent emails from Acme about the outage").contains("about"));
        // A group of senders is not an organisation.
        assert!(refused("urgent emails from clients").contains("clients"));
    }

    #[test]
    fn what_about_another_organisation() {
        let first = plan("urgent emails from Acme Corp last week");
        for q in [
            "what about Globex?",
            "and TechFlow",
            "How about the Initech Corp?",
        ] {
            let Understood::Plan(p) = ask(q, Some(&first)) else {
                panic!("{q}: refused");
            };
            assert!(
                matches!(&p.intent, Intent::OrgEmails { urgent: true, name } if name != "acme corp"),
                "{q}: {p:?}"
            );
            assert_eq!(p.range, first.range, "{q}");
        }
        // Not a name: the words mean something else.
        assert!(!matches!(
            ask("and yesterday?", Some(&first)),
            Understood::Plan(Plan { intent: Intent::OrgEmails { ref name, .. }, .. }) if name != "acme corp"
        ));
    }

    #[test]
    fn organisation_keys_ignore_case_spaces_and_legal_forms() {
        for name in [
            "acme",
            "acme corp",
            "acmecorp",
            "acme inc",
            "acme corporation",
        ] {
            assert_eq!(Intent::organisation_key(name), "acme", "{name}");
        }
        assert_eq!(Intent::organisation_key("tech flow"), "techflow");
        assert_eq!(Intent::organisation_key("o'brien & co"), "obrien");
    }
}
