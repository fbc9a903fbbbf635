//! Drafting a reply from the thread: who it goes to (reply-all, the user excluded), the headers
//! that thread it (`In-Reply-To`, `References`), `Re:` and the subject, the call's time resolved
//! in the user's timezone, the people to loop in resolved from the contacts, and a body filled
//! from the thread — then the actions that follow (the invitation, a follow-up task, a
//! reminder before the call).

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;

use super::intent::{CallDay, CallTime, ReplyRequest};
use super::model::{Action, EmailDraft, EventDraft, Person, ReminderDraft, TaskDraft};
use super::ActionError;

/// How long a proposed call lasts, in minutes.
pub const CALL_MINUTES: i64 = 30;
/// How long before the call the reminder comes, in minutes.
pub const REMINDER_LEAD_MINUTES: i64 = 15;
/// When the follow-up task is due: this local time on the call's day (the brief's "5 PM").
pub const FOLLOW_UP_DUE: NaiveTime = match NaiveTime::from_hms_opt(17, 0, 0) {
    Some(t) => t,
    None => unreachable!(),
};

/// What drafting produced: the actions to propose, or a question back to the user.
#[derive(Debug, Clone, PartialEq)]
pub enum Drafted {
    /// The reply and what follows it, with a one-line summary.
    Actions {
        /// "Reply to Tom Anderson (Acme Corp) and a call at 11:00 today".
        summary: String,
        /// In execution order: the email first.
        actions: Vec<Action>,
        /// What a writer (the LLM) may write the body from, and what the body must say.
        facts: Box<ReplyFacts>,
        /// What the user should know about the proposal (a call not scheduled again).
        notice: Option<String>,
    },
    /// The request cannot be drafted as said (nobody by that name, two people by it, a time
    /// already past); the text says why and what to say instead.
    Clarify(String),
}

/// The email replied to.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Replied {
    message_id: Option<String>,
    thread_id: String,
    sent_at: DateTime<Utc>,
    from_address: String,
    from_name: Option<String>,
    sender_title: Option<String>,
    organization: Option<String>,
    recipients: String,
    subject: String,
    summary: String,
    urgent: bool,
    frustrated: bool,
}

/// The [`Contact`] columns of a `contacts` row.
const CONTACT_COLUMNS: &str =
    "address, name, title, organization, role, emails_to + emails_from AS emails";

/// A contact, for the user and for people looped in.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Contact {
    address: String,
    name: Option<String>,
    title: Option<String>,
    organization: Option<String>,
    role: String,
    emails: i64,
}

impl Contact {
    fn person(&self) -> Person {
        Person {
            address: self.address.clone(),
            name: self.name.clone(),
            about: about(&self.title, &self.organization),
        }
    }
}

/// Drafts `request` as of `now` in the user's `tz`.
///
/// # Errors
/// [`ActionError::Database`] when PostgreSQL cannot be read.
pub async fn reply(
    pool: &PgPool,
    request: &ReplyRequest,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Drafted, ActionError> {
    let said = request.to.join(" ");
    let candidates = replied_candidates(pool, &request.to, now).await?;
    let Some(replied) = candidates.first().cloned() else {
        return Ok(Drafted::Clarify(format!(
            "I found no email from \"{said}\" to reply to. Say the sender's full name or address."
        )));
    };
    let others: Vec<String> = distinct_senders(&candidates)
        .into_iter()
        .filter(|a| *a != replied.from_address)
        .collect();
    if !others.is_empty() && request.to.len() < 2 && !said.contains('@') {
        let mut names: Vec<String> = vec![label(&replied.from_name, &replied.from_address)];
        names.extend(
            candidates
                .iter()
                .filter(|c| others.contains(&c.from_address))
                .map(|c| label(&c.from_name, &c.from_address)),
        );
        names.dedup();
        return Ok(Drafted::Clarify(format!(
            "More than one person called \"{said}\" wrote to you: {}. Which one should I reply to?",
            names.join(", ")
        )));
    }
    let users = user_contacts(pool).await?;
    let user_addresses: Vec<String> = users.iter().map(|u| u.address.to_lowercase()).collect();
    let recipients: Vec<String> = replied
        .recipients
        .split(',')
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    // Reply from the address the mail was sent to (the user may have several).
    let from = recipients
        .iter()
        .find(|a| user_addresses.contains(&a.to_lowercase()))
        .and_then(|a| users.iter().find(|u| u.address.eq_ignore_ascii_case(a)))
        .or_else(|| users.first())
        .map(Contact::person);
    let Some(from) = from else {
        return Ok(Drafted::Clarify(
            "I do not know which address is yours yet (no mail you sent has been processed), so I cannot reply on your behalf.".into(),
        ));
    };
    let to = Person {
        address: replied.from_address.clone(),
        name: replied.from_name.clone(),
        about: about(&replied.sender_title, &replied.organization),
    };
    let mut cc: Vec<Person> = Vec::new();
    for address in &recipients {
        let lower = address.to_lowercase();
        if user_addresses.contains(&lower)
            || lower == to.address.to_lowercase()
            || cc.iter().any(|p| p.address.eq_ignore_ascii_case(address))
        {
            continue;
        }
        cc.push(person_for(pool, address).await?);
    }
    let mut looped = Vec::new();
    for said in &request.loop_in {
        match resolve(pool, said).await? {
            Resolved::One(contact) => looped.push(contact.person()),
            Resolved::None => {
                return Ok(Drafted::Clarify(format!(
                    "I found nobody called \"{}\" in your contacts to loop in.",
                    said.join(" ")
                )))
            }
            Resolved::Many(names) => {
                return Ok(Drafted::Clarify(format!(
                    "\"{}\" could be {}. Who should I loop in?",
                    said.join(" "),
                    names.join(" or ")
                )))
            }
        }
    }
    for person in &looped {
        if !cc
            .iter()
            .any(|p| p.address.eq_ignore_ascii_case(&person.address))
        {
            cc.push(person.clone());
        }
    }
    let call = match request.call {
        Some(time) => match call_start(time, now, tz) {
            Ok(start) => Some(start),
            Err(message) => return Ok(Drafted::Clarify(message)),
        },
        None => None,
    };
    let references = thread_ids(pool, &replied.thread_id, replied.sent_at).await?;
    let subject = re(&replied.subject);
    let body = body(&BodyFacts {
        to: &to,
        from: &from,
        subject: &replied.subject,
        apologise: request.apologise,
        serious: replied.urgent || replied.frustrated,
        call: call.map(|c| (c, tz, now)),
        looped: &looped,
    });
    let facts = ReplyFacts {
        user: from.label(),
        replying_to: to.described(),
        recipient_first_name: to.first_name(),
        subject: replied.subject.clone(),
        latest_summary: replied.summary.clone(),
        urgent: replied.urgent,
        frustrated: replied.frustrated,
        apologise: request.apologise,
        call: call.map(|c| format!("{} {} ({})", hm(c, tz), day_word(c, now, tz), tz.name())),
        call_time: call.map(|c| hm(c, tz)),
        loop_in: looped.iter().map(Person::described).collect(),
        loop_in_first_names: looped.iter().map(Person::first_name).collect(),
        signature: from.first_name(),
    };
    let mut actions = vec![Action::SendEmail(EmailDraft {
        from: from.clone(),
        to: vec![to.clone()],
        cc,
        subject,
        body,
        in_reply_to: replied.message_id.as_deref().map(bare),
        references,
        thread_id: replied.thread_id.clone(),
        written_by: "template".into(),
    })];
    let who = match &replied.organization {
        Some(org) => format!("{} ({org})", to.label()),
        None => to.label(),
    };
    let topic = strip_re(&replied.subject);
    let mut summary = format!("Reply to {who}");
    if let Some(start) = call {
        let mut attendees = vec![to.clone()];
        attendees.extend(looped.iter().cloned());
        let org = replied.organization.clone().unwrap_or_else(|| to.label());
        let kind = if replied.urgent {
            "Urgent call"
        } else {
            "Call"
        };
        let event = EventDraft {
            summary: format!("{kind} - {org}: {topic}"),
            starts_at: start,
            ends_at: start + Duration::minutes(CALL_MINUTES),
            timezone: tz.name().to_string(),
            location: None,
            description: format!(
                "Call offered in the reply to {}'s email \"{}\".",
                to.label(),
                replied.subject
            ),
            organizer: from.clone(),
            attendees,
        };
        // Asked again (a second "send and schedule" of the same reply), the call, its follow-up
        // task and its reminder exist already: the reply is proposed alone, and says why.
        if already_scheduled(pool, &event).await? {
            let notice = format!(
                "\"{}\" at {} {} is already on your calendar: not scheduled again",
                event.summary,
                hm(start, tz),
                day_word(start, now, tz),
            );
            return Ok(Drafted::Actions {
                summary,
                actions,
                facts: Box::new(facts),
                notice: Some(notice),
            });
        }
        actions.push(Action::CreateEvent(event));
        let due = tz
            .from_local_datetime(
                &start
                    .with_timezone(&tz)
                    .date_naive()
                    .and_time(FOLLOW_UP_DUE),
            )
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .filter(|due| *due > start)
            .unwrap_or(start + Duration::hours(2));
        actions.push(Action::CreateTask(TaskDraft {
            title: format!("Follow up on {org}: {topic}"),
            due_at: Some(due),
        }));
        actions.push(Action::SetReminder(ReminderDraft {
            remind_at: (start - Duration::minutes(REMINDER_LEAD_MINUTES)).max(now),
            message: format!(
                "Prepare for the call with {who} at {} about \"{topic}\".",
                hm(start, tz)
            ),
            recipient: from.clone(),
        }));
        summary.push_str(&format!(
            " and a call at {} {}",
            hm(start, tz),
            day_word(start, now, tz)
        ));
        if !looped.is_empty() {
            let names: Vec<String> = looped.iter().map(Person::label).collect();
            summary.push_str(&format!(" with {}", names.join(" and ")));
        }
    }
    Ok(Drafted::Actions {
        summary,
        actions,
        facts: Box::new(facts),
        notice: None,
    })
}

/// Whether the calendar holds `event` already — same title, start and end, not cancelled — as
/// the serving tables show it or as the local store has just created it (the pipeline carries a
/// new event into the serving tables a minute or more later).
async fn already_scheduled(pool: &PgPool, event: &EventDraft) -> Result<bool, ActionError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM calendar_events WHERE status <> 'cancelled' \
         AND starts_at = $1 AND ends_at = $2 AND lower(summary) = lower($3)) \
         OR EXISTS (SELECT 1 FROM local_calendar_events WHERE status <> 'cancelled' \
         AND starts_at = $1 AND ends_at = $2 AND lower(summary) = lower($3))",
    )
    .bind(event.starts_at)
    .bind(event.ends_at)
    .bind(&event.summary)
    .fetch_one(pool)
    .await?)
}

/// What a reply's body may be written from (the LLM sees exactly this, as JSON) and must say.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReplyFacts {
    /// The user, who signs.
    pub user: String,
    /// Who is answered, with title and organisation.
    pub replying_to: String,
    /// Their first name, for the greeting.
    pub recipient_first_name: String,
    /// The email answered.
    pub subject: String,
    /// What it said, summarised.
    pub latest_summary: String,
    /// Whether it was urgent.
    pub urgent: bool,
    /// Whether its sender was frustrated.
    pub frustrated: bool,
    /// Whether the user asked to apologise for the delay.
    pub apologise: bool,
    /// The call offered ("11:00 today (UTC)"), if any.
    pub call: Option<String>,
    /// The call's time as the body must say it ("11:00").
    pub call_time: Option<String>,
    /// People looped in, with titles.
    pub loop_in: Vec<String>,
    /// Their first names, which the body must name.
    pub loop_in_first_names: Vec<String>,
    /// The user's first name, the signature.
    pub signature: String,
}

/// How the LLM is asked to write a reply's body.
pub const WRITE_INSTRUCTIONS: &str = "You write the body of an email reply on behalf of the user named in the facts (JSON). \
Write only the body, in plain text: a greeting with the recipient's first name, two to four short paragraphs, and a sign-off with the signature. \
Use only the facts: invent no dates, times, numbers, names, promises or technical details. \
If apologise is true, apologise for the delay. If a call is given, offer it at exactly that time (write the time as in call_time) and ask whether it works. \
Name every person in loop_in as joining. No subject line, no markdown.";

/// Why a written body cannot be used: what it leaves out or makes up; `None` when it is usable.
pub fn check_written(body: &str, facts: &ReplyFacts) -> Option<String> {
    if body.trim().is_empty() || body.len() > 5000 {
        return Some("it was empty or too long".into());
    }
    let mut missing: Vec<&str> = Vec::new();
    if !body.contains(facts.recipient_first_name.as_str()) {
        missing.push(&facts.recipient_first_name);
    }
    if let Some(time) = &facts.call_time {
        if !body.contains(time.as_str()) {
            missing.push(time);
        }
    }
    for name in &facts.loop_in_first_names {
        if !body.contains(name.as_str()) {
            missing.push(name);
        }
    }
    if !body.contains(facts.signature.as_str()) {
        missing.push(&facts.signature);
    }
    if !missing.is_empty() {
        return Some(format!("it left out {}", missing.join(", ")));
    }
    let known = serde_json::to_string(facts).unwrap_or_default();
    let invented: Vec<&str> = body
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty() && !known.contains(run))
        .collect();
    if !invented.is_empty() {
        return Some(format!(
            "it had numbers not in the thread ({})",
            invented.join(", ")
        ));
    }
    None
}

/// An email's Message-ID: the header kept beside it, else its id when that is one (mbox and
/// demo mail are keyed by Message-ID; Gmail mail by Gmail's id, which has no `@`).
const MESSAGE_ID: &str =
    "coalesce(rfc822_message_id, CASE WHEN position('@' in id) > 0 THEN id END)";

/// Inbound emails from someone matching `said` (every word in the name, or the address),
/// answerable ones first, then the newest; at most 20.
async fn replied_candidates(
    pool: &PgPool,
    said: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<Replied>, ActionError> {
    let words: Vec<String> = said.iter().map(|w| regex_word(w)).collect();
    Ok(sqlx::query_as::<_, Replied>(&format!(
        "SELECT {MESSAGE_ID} AS message_id, thread_id, sent_at, from_address, from_name, sender_title, \
         organization, recipients, subject, summary, urgent, frustrated FROM email_insights \
         WHERE direction = 'inbound' AND sent_at <= $2 \
           AND (lower(from_address) = lower($3) \
                OR (SELECT bool_and(coalesce(from_name, '') ~* ('\\m' || w || '\\M')) FROM unnest($1::text[]) AS w)) \
         ORDER BY needs_reply AND replied_at IS NULL DESC, sent_at DESC LIMIT 20",
    ))
    .bind(&words)
    .bind(now)
    .bind(said.join(" "))
    .fetch_all(pool)
    .await?)
}

fn distinct_senders(candidates: &[Replied]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in candidates {
        if !out.contains(&c.from_address) {
            out.push(c.from_address.clone());
        }
    }
    out
}

/// A word as a literal inside a PostgreSQL regex (names hold letters, hyphens, dots).
fn regex_word(word: &str) -> String {
    word.chars()
        .flat_map(|c| {
            if c.is_alphanumeric() {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect()
}

/// The user's addresses; a name missing from `contacts` is taken from the user's own sent mail.
async fn user_contacts(pool: &PgPool) -> Result<Vec<Contact>, ActionError> {
    Ok(sqlx::query_as::<_, Contact>(
        "SELECT c.address, coalesce(c.name, (SELECT e.from_name FROM email_insights e \
           WHERE e.direction = 'outbound' AND lower(e.from_address) = lower(c.address) \
             AND e.from_name IS NOT NULL ORDER BY e.sent_at DESC LIMIT 1)) AS name, \
         c.title, c.organization, c.role, c.emails_to + c.emails_from AS emails \
         FROM contacts c WHERE c.is_user ORDER BY c.emails_to + c.emails_from DESC, c.address",
    )
    .fetch_all(pool)
    .await?)
}

async fn person_for(pool: &PgPool, address: &str) -> Result<Person, ActionError> {
    let contact = sqlx::query_as::<_, Contact>(&format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts WHERE lower(address) = lower($1)"
    ))
    .bind(address)
    .fetch_optional(pool)
    .await?;
    Ok(contact.map_or_else(|| Person::at(address), |c| c.person()))
}

enum Resolved {
    One(Contact),
    None,
    Many(Vec<String>),
}

/// The contact `said` names: each word must be a word of the name or the title ("cto mike
/// stevens"); of several, the one with the most matched words, then colleagues, then the most
/// mail; a tie between different people is ambiguous.
async fn resolve(pool: &PgPool, said: &[String]) -> Result<Resolved, ActionError> {
    let words: Vec<String> = said.iter().map(|w| regex_word(w)).collect();
    let contacts = sqlx::query_as::<_, Contact>(&format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts WHERE NOT is_user AND (lower(address) = lower($2) OR EXISTS \
           (SELECT FROM unnest($1::text[]) AS w WHERE coalesce(name, '') ~* ('\\m' || w || '\\M')))"
    ))
    .bind(&words)
    .bind(said.join(" "))
    .fetch_all(pool)
    .await?;
    let matched = |c: &Contact| {
        said.iter()
            .filter(|w| {
                let w = w.to_lowercase();
                let has = |text: &Option<String>| {
                    text.as_deref().is_some_and(|t| {
                        t.to_lowercase()
                            .split(|ch: char| !ch.is_alphanumeric())
                            .any(|part| part == w)
                    })
                };
                has(&c.name) || has(&c.title) || c.address.eq_ignore_ascii_case(&w)
            })
            .count()
    };
    let mut scored: Vec<(usize, bool, i64, Contact)> = contacts
        .into_iter()
        .map(|c| (matched(&c), c.role == "internal", c.emails, c))
        .filter(|(m, ..)| *m > 0)
        .collect();
    scored.sort_by_key(|s| std::cmp::Reverse((s.0, s.1, s.2)));
    let Some(best) = scored.first() else {
        return Ok(Resolved::None);
    };
    let tied: Vec<String> = scored
        .iter()
        .filter(|s| s.0 == best.0 && s.1 == best.1)
        .map(|s| s.3.person().described())
        .collect();
    if tied.len() > 1 && best.0 < said.len().max(2) {
        return Ok(Resolved::Many(tied));
    }
    Ok(Resolved::One(scored.swap_remove(0).3))
}

/// Message-IDs of the thread up to and including the email replied to, oldest first.
async fn thread_ids(
    pool: &PgPool,
    thread_id: &str,
    until: DateTime<Utc>,
) -> Result<Vec<String>, ActionError> {
    let ids: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT {MESSAGE_ID} FROM email_insights WHERE thread_id = $1 AND sent_at <= $2 \
         AND {MESSAGE_ID} IS NOT NULL ORDER BY sent_at, id"
    ))
    .bind(thread_id)
    .bind(until)
    .fetch_all(pool)
    .await?;
    Ok(ids.iter().map(|id| bare(id)).collect())
}

/// When the call starts: the said time on the said day in `tz`.
fn call_start(time: CallTime, now: DateTime<Utc>, tz: Tz) -> Result<DateTime<Utc>, String> {
    let local_now = now.with_timezone(&tz);
    let today = local_now.date_naive();
    let at = NaiveTime::from_hms_opt(time.hour, time.minute, 0).ok_or("not a time of day")?;
    let day = match time.day {
        CallDay::Next | CallDay::Today => today,
        CallDay::Tomorrow => today + Duration::days(1),
        CallDay::Weekday(w) => {
            let ahead = (7 + w.num_days_from_monday() as i64
                - today.weekday().num_days_from_monday() as i64)
                % 7;
            today + Duration::days(if ahead == 0 { 7 } else { ahead })
        }
    };
    let start = |day: chrono::NaiveDate| {
        tz.from_local_datetime(&day.and_time(at))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| format!("{at} does not exist on {day} in {}", tz.name()))
    };
    let first = start(day)?;
    if first > now {
        return Ok(first);
    }
    match time.day {
        CallDay::Next => start(today + Duration::days(1)),
        _ => Err(format!(
            "{} today has already passed (it is {} now). Say another time, or \"tomorrow\".",
            at.format("%H:%M"),
            local_now.format("%H:%M")
        )),
    }
}

/// Facts the body is written from.
struct BodyFacts<'a> {
    to: &'a Person,
    from: &'a Person,
    subject: &'a str,
    apologise: bool,
    serious: bool,
    call: Option<(DateTime<Utc>, Tz, DateTime<Utc>)>,
    looped: &'a [Person],
}

/// The template body (no LLM): greeting, apology, the call, who is looped in, sign-off.
fn body(f: &BodyFacts) -> String {
    let mut paragraphs = vec![format!("Hi {},", f.to.first_name())];
    let topic = strip_re(f.subject);
    let mut opening = String::new();
    if f.apologise {
        opening.push_str(&format!(
            "I'm sorry for the delay in getting back to you about \"{topic}\"."
        ));
    } else {
        opening.push_str(&format!("Thank you for your email about \"{topic}\"."));
    }
    if f.serious {
        opening
            .push_str(" I understand how pressing this is for you, and it has my full attention.");
    }
    paragraphs.push(opening);
    if let Some((start, tz, now)) = f.call {
        paragraphs.push(format!(
            "I'd like to set up a call at {} {} ({}) to go through it and agree on next steps.",
            hm(start, tz),
            day_word(start, now, tz),
            tz.name()
        ));
    }
    if !f.looped.is_empty() {
        let names: Vec<String> = f.looped.iter().map(Person::described).collect();
        paragraphs.push(format!(
            "I'm also looping in {} so we have the right people {}.",
            names.join(" and "),
            if f.call.is_some() {
                "on the call"
            } else {
                "involved"
            }
        ));
    }
    if let Some((start, tz, _)) = f.call {
        paragraphs.push(format!(
            "Please let me know if {} works for you.",
            hm(start, tz)
        ));
    }
    paragraphs.push(format!("Best regards,\n{}", f.from.first_name()));
    paragraphs.join("\n\n")
}

/// "11:00".
pub fn hm(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%H:%M").to_string()
}

/// "today", "tomorrow" or "on Friday 4 December".
pub fn day_word(at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> String {
    let day = at.with_timezone(&tz).date_naive();
    let today = now.with_timezone(&tz).date_naive();
    if day == today {
        "today".into()
    } else if day == today + Duration::days(1) {
        "tomorrow".into()
    } else {
        format!("on {}", day.format("%A %-d %B"))
    }
}

/// `Re: subject`, once.
fn re(subject: &str) -> String {
    format!("Re: {}", strip_re(subject))
}

/// The subject without its `Re:`/`Fwd:` prefixes.
fn strip_re(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let lower = s.to_lowercase();
        let Some(prefix) = ["re:", "aw:", "fwd:", "fw:"]
            .iter()
            .find(|p| lower.starts_with(*p))
        else {
            return s.to_string();
        };
        s = s[prefix.len()..].trim_start();
    }
}

/// A Message-ID without its angle brackets.
pub fn bare(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

fn label(name: &Option<String>, address: &str) -> String {
    match name {
        Some(n) => format!("{n} <{address}>"),
        None => address.to_string(),
    }
}

fn about(title: &Option<String>, organization: &Option<String>) -> Option<String> {
    match (title, organization) {
        (Some(t), Some(o)) => Some(format!("{t}, {o}")),
        (Some(t), None) => Some(t.clone()),
        (None, Some(o)) => Some(o.clone()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_get_one_re() {
        assert_eq!(re("Production Issue"), "Re: Production Issue");
        assert_eq!(re("RE: Re: Production Issue"), "Re: Production Issue");
        assert_eq!(re("Fwd: Budget"), "Re: Budget");
    }

    #[test]
    fn a_call_time_is_the_next_one_ahead() {
        let tz: Tz = "America/New_York".parse().unwrap();
        // 09:00 in New York on Monday 30 November 2026.
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 14, 0, 0).unwrap();
        let eleven = CallTime {
            hour: 11,
            minute: 0,
            day: CallDay::Next,
        };
        assert_eq!(
            call_start(eleven, now, tz).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap()
        );
        let eight = CallTime {
            hour: 8,
            minute: 0,
            day: CallDay::Next,
        };
        assert_eq!(
            call_start(eight, now, tz).unwrap(),
            Utc.with_ymd_and_hms(2026, 12, 1, 13, 0, 0).unwrap()
        );
        let today = CallTime {
            day: CallDay::Today,
            ..eight
        };
        assert!(call_start(today, now, tz)
            .unwrap_err()
            .contains("already passed"));
        let friday = CallTime {
            day: CallDay::Weekday(chrono::Weekday::Fri),
            ..eleven
        };
        assert_eq!(
            call_start(friday, now, tz).unwrap(),
            Utc.with_ymd_and_hms(2026, 12, 4, 16, 0, 0).unwrap()
        );
    }

    #[test]
    fn the_template_says_what_was_asked_and_nothing_else() {
        let tz: Tz = "UTC".parse().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
        let tom = Person {
            address: "tom@acme.example".into(),
            name: Some("Tom Anderson".into()),
            about: None,
        };
        let sarah = Person {
            address: "sarah@us.example".into(),
            name: Some("Sarah Mitchell".into()),
            about: None,
        };
        let mike = Person {
            address: "mike@us.example".into(),
            name: Some("Mike Stevens".into()),
            about: Some("CTO".into()),
        };
        let text = body(&BodyFacts {
            to: &tom,
            from: &sarah,
            subject: "Re: Production Issue",
            apologise: true,
            serious: true,
            call: Some((now + Duration::hours(2), tz, now)),
            looped: std::slice::from_ref(&mike),
        });
        assert!(
            text.starts_with("Hi Tom,\n\nI'm sorry for the delay"),
            "{text}"
        );
        assert!(text.contains("a call at 11:00 today (UTC)"), "{text}");
        assert!(text.contains("looping in Mike Stevens (CTO)"), "{text}");
        assert!(text.ends_with("Best regards,\nSarah"), "{text}");
        let plain = body(&BodyFacts {
            apologise: false,
            serious: false,
            call: None,
            looped: &[],
            ..BodyFacts {
                to: &tom,
                from: &sarah,
                subject: "Hello",
                apologise: false,
                serious: false,
                call: None,
                looped: &[],
            }
        });
        assert!(
            !plain.contains("sorry") && !plain.contains("call"),
            "{plain}"
        );
    }

    #[test]
    fn a_written_body_must_say_what_was_asked_and_invent_no_number() {
        let facts = ReplyFacts {
            user: "Sarah Mitchell".into(),
            replying_to: "Tom Anderson (CTO, Acme Corp)".into(),
            recipient_first_name: "Tom".into(),
            subject: "Production Issue".into(),
            latest_summary: "Critical bug affecting users".into(),
            urgent: true,
            frustrated: true,
            apologise: true,
            call: Some("11:00 today (UTC)".into()),
            call_time: Some("11:00".into()),
            loop_in: vec!["Mike Stevens (CTO)".into()],
            loop_in_first_names: vec!["Mike".into()],
            signature: "Sarah".into(),
        };
        let good = "Hi Tom,\n\nSorry. A call at 11:00 with Mike?\n\nSarah";
        assert_eq!(check_written(good, &facts), None);
        let invented = "Hi Tom,\n\n500 users are affected. A call at 11:00 with Mike?\n\nSarah";
        assert!(check_written(invented, &facts).unwrap().contains("500"));
        let no_time = "Hi Tom,\n\nA call later with Mike?\n\nSarah";
        assert!(check_written(no_time, &facts).unwrap().contains("11:00"));
    }

    #[test]
    fn first_names_come_from_the_name_else_the_address() {
        let named = Person {
            address: "x@y.example".into(),
            name: Some("Tom Anderson".into()),
            about: None,
        };
        assert_eq!(named.first_name(), "Tom");
        let unnamed = Person::at("sarah.mitchell@northwind.example");
        assert_eq!(unnamed.first_name(), "Sarah");
    }
}
