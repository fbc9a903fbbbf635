//! The persona's calendar as an iCalendar (RFC 5545) file: the 30 days of the mailbox plus the
//! two weeks after, with recurring internal meetings, client calls, a six-meeting last day with
//! a 2 PM conflict, Acme Corp's emergency call the next morning, and the next week's client
//! meetings (TechFlow's on-site visit on Wednesday, Global Systems on Thursday, DataCorp on
//! Friday). That Wednesday is the busiest day of the coming week, as in the product's scene 3:
//! nine meetings, 6.5 hours, back to back from 9 AM to 3 PM with no lunch break, at three
//! places (the office, a client lunch, the client site) with twelve participants.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

use super::cast::{self, Person, AMANDA, JENNIFER, ROBERT, SARAH};
use super::mailbox::local;
use super::rng::Rng;
use super::PersonaOptions;

/// One calendar event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Title.
    pub summary: String,
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
    /// Where.
    pub location: &'static str,
    /// Who else attends (the persona always does).
    pub attendees: Vec<Person>,
    /// `internal` or `client`.
    pub category: &'static str,
}

/// Days of calendar after the mailbox's last day.
pub const DAYS_AHEAD: i64 = 14;

/// Every event of the demo calendar, sorted by start.
pub fn events(opts: &PersonaOptions) -> Vec<Event> {
    let root = Rng::new(opts.seed).fork(0xCA1E_11DA);
    let first = opts.until - Duration::days(i64::from(opts.days) - 1);
    let wednesday = next(opts.until, Weekday::Wed);
    let tomorrow = opts.until + Duration::days(1);
    let mut out = Vec::new();
    let mut day = first;
    while day <= opts.until + Duration::days(DAYS_AHEAD) {
        let mut rng = root.fork(day.num_days_from_ce() as u64);
        let fixed: Vec<Event> = if day == tomorrow {
            acme_call(opts, day).into_iter().collect()
        } else {
            Vec::new()
        };
        if day == opts.until {
            out.extend(last_day(opts, day));
        } else if day == wednesday {
            out.extend(busy_wednesday(opts, day, !fixed.is_empty()));
            out.extend(fixed);
        } else if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            out.extend(ordinary_day(opts, day, &mut rng, fixed));
        } else {
            out.extend(fixed);
        }
        out.extend(client_visits(opts, day));
        day += Duration::days(1);
    }
    out.sort_by(|a, b| (a.start, &a.summary).cmp(&(b.start, &b.summary)));
    out
}

fn next(after: NaiveDate, weekday: Weekday) -> NaiveDate {
    let mut day = after + Duration::days(1);
    while day.weekday() != weekday {
        day += Duration::days(1);
    }
    day
}

fn event(
    opts: &PersonaOptions,
    day: NaiveDate,
    at: (u32, u32),
    minutes: i64,
    summary: &str,
    who: &[Person],
) -> Option<Event> {
    let start = local(opts.tz, day, at.0, at.1, 0)?;
    let category = if who
        .iter()
        .any(|p| !p.address.ends_with(cast::COMPANY_DOMAIN))
    {
        "client"
    } else {
        "internal"
    };
    Some(Event {
        summary: summary.to_string(),
        start,
        end: start + Duration::minutes(minutes),
        location: if category == "client" {
            "Zoom"
        } else {
            "HQ - Board Room"
        },
        attendees: who.to_vec(),
        category,
    })
}

fn recurring(opts: &PersonaOptions, day: NaiveDate) -> Vec<Event> {
    let sales = cast::SALES;
    let mut out = Vec::new();
    match day.weekday() {
        Weekday::Mon => out.extend(event(
            opts,
            day,
            (9, 0),
            60,
            "Weekly Sales Pipeline Review",
            sales,
        )),
        Weekday::Tue | Weekday::Thu => out.extend(event(
            opts,
            day,
            (8, 30),
            30,
            "Sales Leadership Standup",
            &sales[..2],
        )),
        Weekday::Wed => out.extend(event(
            opts,
            day,
            (15, 0),
            60,
            "Leadership Staff Meeting",
            cast::LEADERSHIP,
        )),
        Weekday::Fri => out.extend(event(
            opts,
            day,
            (16, 0),
            30,
            "Forecast Review with Finance",
            cast::FINANCE,
        )),
        _ => {}
    }
    // The one 1:1 that happens: every other Tuesday with John (the brief's "zero 1-on-1s with
    // three direct reports" pattern).
    if day.weekday() == Weekday::Tue && day.iso_week().week().is_multiple_of(2) {
        out.extend(event(
            opts,
            day,
            (11, 0),
            30,
            "1:1 John Carter",
            &sales[..1],
        ));
    }
    out
}

/// Recurring meetings plus 3–6 others in free half-hour slots: about 65% of work hours booked.
/// `fixed` events are kept and their slots left alone.
fn ordinary_day(
    opts: &PersonaOptions,
    day: NaiveDate,
    rng: &mut Rng,
    fixed: Vec<Event>,
) -> Vec<Event> {
    const TOPICS: &[(&str, i64)] = &[
        ("Deal review: enterprise pipeline", 60),
        ("Customer call: Blue Harbor Retail", 30),
        ("Customer call: Summit Health", 45),
        ("Interview: Enterprise AE candidate", 45),
        ("Marketing sync", 30),
        ("Pricing committee", 60),
        ("QBR prep", 30),
        ("Partner call: Cloud marketplace", 30),
        ("Territory planning", 60),
        ("Sales enablement session", 60),
        ("Exec sync with David", 30),
        ("Customer escalation review", 30),
    ];
    let mut out = recurring(opts, day);
    out.extend(fixed);
    let mut busy: Vec<(u32, u32)> = out.iter().map(|e| slot_span(opts, e)).collect();
    for _ in 0..rng.range(3, 6) {
        let (summary, minutes) = *rng.pick(TOPICS);
        let slot = rng.range(18, 33); // 9:00 .. 16:30 in half hours
        let span = (slot, slot + (minutes as u32).div_ceil(30));
        if busy.iter().any(|b| span.0 < b.1 && b.0 < span.1) {
            continue;
        }
        let who: &[Person] = if summary.starts_with("Customer call") {
            &cast::CLIENTS[5..7]
        } else {
            &cast::SALES[1..3]
        };
        if let Some(e) = event(
            opts,
            day,
            (slot / 2, (slot % 2) * 30),
            minutes,
            summary,
            who,
        ) {
            busy.push(span);
            out.push(e);
        }
    }
    out
}

/// An event's half-hour slots `[start, end)` in local time.
fn slot_span(opts: &PersonaOptions, e: &Event) -> (u32, u32) {
    use chrono::Timelike;
    let start = e.start.with_timezone(&opts.tz);
    let first = start.hour() * 2 + start.minute() / 30;
    (
        first,
        first + ((e.end - e.start).num_minutes() as u32).div_ceil(30),
    )
}

/// The mailbox's last day: six meetings, four hours, 9:30 Q4 planning, two invites at 2 PM.
fn last_day(opts: &PersonaOptions, day: NaiveDate) -> Vec<Event> {
    let sales = cast::SALES;
    [
        event(
            opts,
            day,
            (8, 30),
            30,
            "Sales Leadership Standup",
            &sales[..2],
        ),
        event(opts, day, (9, 30), 90, "Q4 Planning with Sales Team", sales),
        event(opts, day, (11, 30), 30, "1:1 John Carter", &sales[..1]),
        event(
            opts,
            day,
            (14, 0),
            45,
            "Pricing Committee",
            &[sales[0], cast::FINANCE[0]],
        ),
        event(
            opts,
            day,
            (14, 0),
            30,
            "Marketing Sync: Enterprise Campaign",
            &cast::OTHER_INTERNAL[1..2],
        ),
        event(
            opts,
            day,
            (16, 0),
            45,
            "Forecast Review with Finance",
            cast::FINANCE,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Next Wednesday: eight meetings back to back from 9 AM to 3 PM with a client lunch in the
/// middle (no lunch break), then TechFlow's on-site visit at 4 PM (see [`client_visits`]).
/// When Acme Corp's call falls on it (`acme_tomorrow`), the call takes the hiring sync's slot.
fn busy_wednesday(opts: &PersonaOptions, day: NaiveDate, acme_tomorrow: bool) -> Vec<Event> {
    let sales = cast::SALES;
    let lunch = event(
        opts,
        day,
        (12, 0),
        60,
        "Client Lunch: Pinecrest Bank",
        &cast::CLIENTS[7..8],
    )
    .map(|mut e| {
        e.location = "Harbor Grill, 14 Pier Street";
        e
    });
    let hiring = (!acme_tomorrow)
        .then(|| {
            event(
                opts,
                day,
                (11, 0),
                30,
                "Hiring Sync: Enterprise AEs",
                &cast::OTHER_INTERNAL[..1],
            )
        })
        .flatten();
    [
        event(opts, day, (9, 0), 30, "Strategy Review", cast::LEADERSHIP),
        event(
            opts,
            day,
            (9, 30),
            60,
            "Enterprise Deal Review",
            &sales[..3],
        ),
        event(opts, day, (10, 30), 30, "Budget Review", cast::FINANCE),
        hiring,
        event(
            opts,
            day,
            (11, 30),
            30,
            "Partner Call: Cloud Marketplace",
            &sales[3..4],
        )
        .map(|mut e| {
            e.location = "Zoom";
            e
        }),
        lunch,
        event(opts, day, (13, 0), 60, "Pipeline Deep-Dive", &sales[..4]),
        event(
            opts,
            day,
            (14, 0),
            60,
            "Product Roadmap Preview",
            &cast::LEADERSHIP[1..2],
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The morning after the mailbox's last day: the emergency call Acme Corp asked for.
fn acme_call(opts: &PersonaOptions, day: NaiveDate) -> Option<Event> {
    event(
        opts,
        day,
        (11, 0),
        30,
        "Acme Corp - Emergency Call (production issue)",
        &[cast::TOM, cast::LISA, cast::LEADERSHIP[1]],
    )
}

/// Next week's client meetings from the demo scenes (TechFlow's is on the busy Wednesday).
fn client_visits(opts: &PersonaOptions, day: NaiveDate) -> Vec<Event> {
    let mut out = Vec::new();
    if day == next(opts.until, Weekday::Wed) {
        if let Some(mut e) = event(
            opts,
            day,
            (16, 0),
            30,
            "TechFlow Inc - On-site Visit (renewal)",
            &[JENNIFER],
        ) {
            e.location = "TechFlow Inc HQ, 200 Harbor Drive";
            out.push(e);
        }
    }
    if day == next(opts.until, Weekday::Thu) {
        out.extend(event(
            opts,
            day,
            (14, 0),
            60,
            "Global Systems - Quarterly Review",
            &[ROBERT],
        ));
    }
    if day == next(opts.until, Weekday::Fri) {
        out.extend(event(
            opts,
            day,
            (10, 0),
            60,
            "DataCorp - Product Demo",
            &[AMANDA],
        ));
    }
    out
}

/// The events as an `.ics` file (UTC times, CRLF lines folded at 75 octets).
pub fn to_ics(opts: &PersonaOptions, events: &[Event]) -> String {
    let stamp = format!("{}T000000Z", opts.until.format("%Y%m%d"));
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Mini-Mindy//Demo calendar//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("X-WR-CALNAME:{}", SARAH.name),
        format!("X-WR-TIMEZONE:{}", opts.tz.name()),
    ];
    for (n, e) in events.iter().enumerate() {
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!(
            "UID:{n:05}-{}@demo.{}",
            e.start.format("%Y%m%d"),
            cast::COMPANY_DOMAIN
        ));
        lines.push(format!("DTSTAMP:{stamp}"));
        lines.push(format!("DTSTART:{}", e.start.format("%Y%m%dT%H%M%SZ")));
        lines.push(format!("DTEND:{}", e.end.format("%Y%m%dT%H%M%SZ")));
        lines.push(format!("SUMMARY:{}", escape(&e.summary)));
        lines.push(format!("LOCATION:{}", escape(e.location)));
        lines.push(format!("CATEGORIES:{}", e.category.to_uppercase()));
        lines.push(format!(
            "ORGANIZER;CN={}:mailto:{}",
            SARAH.name, SARAH.address
        ));
        for p in std::iter::once(&SARAH).chain(&e.attendees) {
            lines.push(format!(
                "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:{}",
                p.name, p.address
            ));
        }
        lines.push("STATUS:CONFIRMED".into());
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect()
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets() {
        let folded = fold(&"é".repeat(60));
        assert!(folded.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(folded.replace("\r\n ", "").trim_end(), "é".repeat(60));
    }
}
