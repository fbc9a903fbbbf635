//! The demo mailbox: background mail with the volume patterns of the product brief (Monday
//! peaks, 8–10 AM peaks, Sales > Clients > Leadership), the scripted storylines, and the
//! persona's replies (so response times can be computed), rendered as real RFC 5322 messages.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;

use super::cast::{self, Person, SARAH};
use super::content::{self, Category};
use super::rng::Rng;
use super::storylines::{Answer, STORYLINES};
use super::PersonaOptions;

/// One generated message.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoEmail {
    /// Message-ID without angle brackets.
    pub message_id: String,
    /// Thread id (decimal, like Takeout's `X-GM-THRID`).
    pub thread_id: String,
    /// When it was sent.
    pub date: DateTime<Utc>,
    /// Gmail label ids.
    pub labels: Vec<String>,
    /// The RFC 5322 message.
    pub raw: Vec<u8>,
}

/// How the persona treats an inbound message.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ReplyPlan {
    /// Never answered.
    Never,
    /// Answered with this probability, after a random delay.
    Maybe(f64),
    /// Answered after a fixed delay with a fixed text (storylines).
    Fixed(i64, &'static str),
}

/// A message before ids are assigned.
#[derive(Debug, Clone)]
struct Draft {
    /// Send time.
    at: DateTime<Utc>,
    /// Sender.
    from: Person,
    /// Recipients.
    to: Vec<Person>,
    /// Copied.
    cc: Vec<Person>,
    /// Subject.
    subject: String,
    /// Body without signature.
    body: String,
    /// Sender kind.
    category: Category,
    /// Whether the persona answers.
    reply: ReplyPlan,
    /// Storyline thread key.
    thread_key: Option<&'static str>,
    /// Index of the message this one answers, in the built list.
    parent: Option<usize>,
}

/// A message with its ids.
#[derive(Debug, Clone)]
struct Built {
    /// The draft.
    draft: Draft,
    /// Message-ID.
    id: String,
    /// Thread id.
    thread: String,
    /// References chain, oldest first (the last is the parent).
    references: Vec<String>,
    /// Whether the persona answered it.
    answered: bool,
}

/// Generates the mailbox for `opts`, sorted by date.
pub fn generate(opts: &PersonaOptions) -> Vec<DemoEmail> {
    let root = Rng::new(opts.seed);
    let (start, end) = opts.window();
    let mut drafts = background(opts, &root);
    drafts.extend(scripted(opts));
    drafts.retain(|d| d.at >= start && d.at < end);
    drafts.sort_by(|a, b| {
        (a.at, a.from.address, &a.subject).cmp(&(b.at, b.from.address, &b.subject))
    });
    let mut built = assign_ids(drafts);
    add_replies(&mut built, &root.fork(u64::MAX), opts);
    let cutoff = opts.not_after.map_or(end, |now| now.min(end));
    built.retain(|b| b.draft.at < cutoff);
    built.sort_by(|a, b| (a.draft.at, &a.id).cmp(&(b.draft.at, &b.id)));
    let last_day = end - Duration::days(1);
    built.iter().map(|b| render(b, opts.tz, last_day)).collect()
}

/// Messages per day: Mondays ~40% above the other weekdays, quiet weekends (newsletters).
fn daily_volume(rng: &mut Rng, weekday: Weekday) -> u32 {
    match weekday {
        Weekday::Mon => rng.range(150, 190),
        Weekday::Tue | Weekday::Wed | Weekday::Thu => rng.range(95, 125),
        Weekday::Fri => rng.range(80, 100),
        Weekday::Sat | Weekday::Sun => rng.range(50, 60),
    }
}

/// Relative volume per local hour on weekdays: 8–10 AM carries about 23% of the day.
const WEEKDAY_HOURS: [f64; 24] = [
    1.0, 0.5, 0.3, 0.3, 0.4, 0.8, 2.0, 5.0, 11.5, 11.5, 8.0, 7.0, 5.0, 6.0, 7.0, 7.0, 6.0, 5.0,
    3.0, 2.5, 2.0, 1.8, 1.5, 1.0,
];
/// Weekends: flatter, late mornings.
const WEEKEND_HOURS: [f64; 24] = [
    1.0, 0.5, 0.3, 0.3, 0.3, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 4.5, 4.0, 4.0, 3.5, 3.5, 3.0, 3.0,
    3.0, 2.5, 2.0, 1.5, 1.0,
];

/// Sender mix on weekdays: Sales 34%, Clients 28%, Leadership 18%, the rest split.
const WEEKDAY_MIX: [(Category, f64); 6] = [
    (Category::Sales, 34.0),
    (Category::Client, 28.0),
    (Category::Leadership, 18.0),
    (Category::Finance, 8.0),
    (Category::OtherInternal, 4.0),
    (Category::Newsletter, 8.0),
];
/// Weekends: mostly automated mail.
const WEEKEND_MIX: [(Category, f64); 6] = [
    (Category::Sales, 12.0),
    (Category::Client, 6.0),
    (Category::Leadership, 8.0),
    (Category::Finance, 2.0),
    (Category::OtherInternal, 2.0),
    (Category::Newsletter, 70.0),
];

fn background(opts: &PersonaOptions, root: &Rng) -> Vec<Draft> {
    let mut drafts = Vec::new();
    for offset in 0..i64::from(opts.days) {
        let day = opts.until - Duration::days(offset);
        let mut rng = root.fork(day.num_days_from_ce() as u64);
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let (hours, mix) = if weekend {
            (&WEEKEND_HOURS, &WEEKEND_MIX)
        } else {
            (&WEEKDAY_HOURS, &WEEKDAY_MIX)
        };
        let weights: Vec<f64> = mix.iter().map(|(_, w)| *w).collect();
        for _ in 0..daily_volume(&mut rng, day.weekday()) {
            let category = mix[rng.weighted(&weights)].0;
            let hour = rng.weighted(hours) as u32;
            let Some(at) = local(opts.tz, day, hour, rng.range(0, 59), rng.range(0, 59)) else {
                continue;
            };
            drafts.push(background_draft(&mut rng, category, at));
        }
    }
    drafts
}

fn background_draft(rng: &mut Rng, category: Category, at: DateTime<Utc>) -> Draft {
    let (from, reply) = match category {
        Category::Sales => (*rng.pick(cast::SALES), ReplyPlan::Maybe(0.25)),
        // The storyline clients write only their scripted mail.
        Category::Client => (*rng.pick(&cast::CLIENTS[5..]), ReplyPlan::Maybe(0.5)),
        Category::Leadership => (*rng.pick(cast::LEADERSHIP), ReplyPlan::Maybe(0.5)),
        Category::Finance => (*rng.pick(cast::FINANCE), ReplyPlan::Maybe(0.3)),
        Category::OtherInternal => (*rng.pick(cast::OTHER_INTERNAL), ReplyPlan::Maybe(0.1)),
        Category::Newsletter => (*rng.pick(cast::NEWSLETTERS), ReplyPlan::Never),
    };
    let (subject, body) = content::message(rng, category, SARAH.first());
    let cc = if category == Category::Sales && rng.chance(0.2) {
        vec![cast::SALES[0]]
    } else {
        Vec::new()
    };
    Draft {
        at,
        from,
        to: vec![SARAH],
        cc,
        subject,
        body,
        category,
        reply,
        thread_key: None,
        parent: None,
    }
}

fn scripted(opts: &PersonaOptions) -> Vec<Draft> {
    STORYLINES
        .iter()
        .filter_map(|s| {
            let at = local(
                opts.tz,
                opts.until + Duration::days(s.day),
                s.hour,
                s.minute,
                0,
            )?;
            let reply = match s.answer {
                Answer::None => ReplyPlan::Never,
                Answer::After(minutes, text) => ReplyPlan::Fixed(minutes, text),
            };
            Some(Draft {
                at,
                from: s.from,
                to: vec![SARAH],
                cc: s.cc.to_vec(),
                subject: s.subject.to_string(),
                body: s.body.to_string(),
                category: s.category,
                reply,
                thread_key: Some(s.thread),
                parent: None,
            })
        })
        .collect()
}

/// Gives each draft its Message-ID and thread; storyline messages sharing a key chain up.
fn assign_ids(drafts: Vec<Draft>) -> Vec<Built> {
    let mut built: Vec<Built> = Vec::with_capacity(drafts.len() * 5 / 4);
    for mut draft in drafts {
        let previous = draft
            .thread_key
            .and_then(|key| built.iter().rposition(|b| b.draft.thread_key == Some(key)));
        let (thread, references) = match previous {
            Some(i) => {
                draft.parent = Some(i);
                let mut refs = built[i].references.clone();
                refs.push(built[i].id.clone());
                (built[i].thread.clone(), refs)
            }
            None => (String::new(), Vec::new()),
        };
        let id = message_id(&draft, &built);
        let thread = if thread.is_empty() {
            thread_id(&id)
        } else {
            thread
        };
        built.push(Built {
            draft,
            id,
            thread,
            references,
            answered: false,
        });
    }
    built
}

/// A thread's id, derived from its first message's id: like message ids, it depends only on the
/// message, not on where the generated window starts.
fn thread_id(first_message: &str) -> String {
    (1_780_000_000_000_000_000u64 + stable_hash(first_message.as_bytes()) % 1_000_000_000_000_000)
        .to_string()
}

/// A message id that depends only on the message (time, sender, subject) and, for identical
/// ones, on how many came before it: the same mail gets the same id in every run whose window
/// contains its day, so re-running the demo on another day re-delivers rather than duplicates.
fn message_id(draft: &Draft, built: &[Built]) -> String {
    let domain = draft
        .from
        .address
        .split('@')
        .nth(1)
        .unwrap_or(cast::COMPANY_DOMAIN);
    let key = format!(
        "{}|{}|{}",
        draft.at.timestamp(),
        draft.from.address,
        draft.subject
    );
    let twins = built
        .iter()
        .filter(|b| {
            b.draft.at == draft.at
                && b.draft.from.address == draft.from.address
                && b.draft.subject == draft.subject
        })
        .count();
    format!(
        "{}.{:012x}{}@mail.{domain}",
        draft.at.format("%Y%m%d%H%M%S"),
        stable_hash(key.as_bytes()) & 0xffff_ffff_ffff,
        if twins == 0 {
            String::new()
        } else {
            format!(".{twins}")
        }
    )
}

/// FNV-1a: a hash that is the same on every platform and release (std's is not).
fn stable_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The persona's replies (mean delay about 2.3 hours, pushed out of the night), and now and
/// then the correspondent's answer to her reply.
fn add_replies(built: &mut Vec<Built>, root: &Rng, opts: &PersonaOptions) {
    let inbound = built.len();
    for i in 0..inbound {
        let parent = built[i].draft.clone();
        // Each message's reply is drawn from its own stream, so it does not depend on which
        // other messages the window holds.
        let rng = &mut root.fork(stable_hash(built[i].id.as_bytes()));
        let (delay, text) = match parent.reply {
            ReplyPlan::Never => continue,
            ReplyPlan::Fixed(minutes, text) => (Duration::minutes(minutes), text.to_string()),
            ReplyPlan::Maybe(p) => {
                if !rng.chance(p) {
                    continue;
                }
                let minutes = rng.exponential(120.0).max(4.0) as i64;
                (
                    Duration::minutes(minutes),
                    content::reply(rng, parent.category, parent.from.first()),
                )
            }
        };
        let at = working_hours(parent.at + delay, opts.tz, rng);
        built[i].answered = true;
        push_reply(
            built,
            reply_draft(&parent, SARAH, vec![parent.from], at, text, i),
        );
        if matches!(parent.reply, ReplyPlan::Maybe(_)) && rng.chance(0.2) {
            let last = built.len() - 1;
            let back_at = working_hours(
                at + Duration::minutes(rng.exponential(180.0).max(10.0) as i64),
                opts.tz,
                rng,
            );
            let text = format!("Thanks {}, that works for me.", SARAH.first());
            let answer = reply_draft(
                &built[last].draft,
                parent.from,
                vec![SARAH],
                back_at,
                text,
                last,
            );
            push_reply(built, answer);
        }
    }
}

fn reply_draft(
    parent: &Draft,
    from: Person,
    to: Vec<Person>,
    at: DateTime<Utc>,
    body: String,
    parent_index: usize,
) -> Draft {
    let subject = if parent.subject.starts_with("Re: ") {
        parent.subject.clone()
    } else {
        format!("Re: {}", parent.subject)
    };
    Draft {
        at,
        from,
        to,
        cc: Vec::new(),
        subject,
        body,
        category: parent.category,
        reply: ReplyPlan::Never,
        thread_key: None,
        parent: Some(parent_index),
    }
}

fn push_reply(built: &mut Vec<Built>, draft: Draft) {
    let parent = &built[draft.parent.expect("a reply has a parent")];
    let mut references = parent.references.clone();
    references.push(parent.id.clone());
    let thread = parent.thread.clone();
    let id = message_id(&draft, built);
    built.push(Built {
        draft,
        id,
        thread,
        references,
        answered: false,
    });
}

/// Moves a time that falls between 21:00 and 07:00 local to the next morning.
fn working_hours(at: DateTime<Utc>, tz: Tz, rng: &mut Rng) -> DateTime<Utc> {
    let localised = at.with_timezone(&tz);
    let hour = localised.hour();
    if (7..21).contains(&hour) {
        return at;
    }
    let day = if hour >= 21 {
        localised.date_naive() + Duration::days(1)
    } else {
        localised.date_naive()
    };
    local(tz, day, 7, rng.range(0, 59), rng.range(0, 59)).unwrap_or(at)
}

/// A local wall-clock time in `tz` as UTC (`None` inside a DST gap).
pub(crate) fn local(
    tz: Tz,
    day: NaiveDate,
    hour: u32,
    minute: u32,
    second: u32,
) -> Option<DateTime<Utc>> {
    let time = NaiveTime::from_hms_opt(hour, minute, second)?;
    tz.from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn labels(b: &Built, last_day: DateTime<Utc>) -> Vec<String> {
    if b.draft.from == SARAH {
        return vec!["SENT".into()];
    }
    let mut labels = vec!["INBOX".to_string()];
    match b.draft.category {
        Category::Newsletter if b.draft.from.address.contains("northwind") => {
            labels.push("CATEGORY_UPDATES".into())
        }
        Category::Newsletter => labels.push("CATEGORY_PROMOTIONS".into()),
        Category::Client | Category::Leadership => {
            labels.push("CATEGORY_PERSONAL".into());
            labels.push("IMPORTANT".into());
        }
        _ => labels.push("CATEGORY_PERSONAL".into()),
    }
    if !b.answered && b.draft.at >= last_day {
        labels.push("UNREAD".into());
    }
    labels
}

fn render(b: &Built, tz: Tz, last_day: DateTime<Utc>) -> DemoEmail {
    let d = &b.draft;
    let labels = labels(b, last_day);
    let mut out = String::with_capacity(1024 + d.body.len());
    header(&mut out, "Message-ID", &format!("<{}>", b.id));
    header(
        &mut out,
        "Date",
        &d.at
            .with_timezone(&tz)
            .format("%a, %d %b %Y %H:%M:%S %z")
            .to_string(),
    );
    header(&mut out, "From", &mailbox(&d.from));
    header(
        &mut out,
        "To",
        &d.to.iter().map(mailbox).collect::<Vec<_>>().join(", "),
    );
    if !d.cc.is_empty() {
        header(
            &mut out,
            "Cc",
            &d.cc.iter().map(mailbox).collect::<Vec<_>>().join(", "),
        );
    }
    header(&mut out, "Subject", &encode_word(&d.subject));
    if let Some(parent) = b.references.last() {
        header(&mut out, "In-Reply-To", &format!("<{parent}>"));
        let refs: Vec<String> = b.references.iter().map(|r| format!("<{r}>")).collect();
        header(&mut out, "References", &refs.join(" "));
    }
    header(&mut out, "MIME-Version", "1.0");
    header(&mut out, "X-GM-THRID", &b.thread);
    header(&mut out, "X-Gmail-Labels", &labels.join(","));
    let text = signed(d);
    if d.category == Category::Newsletter {
        newsletter_body(&mut out, &d.subject, &text, b.id.len().is_multiple_of(3));
    } else {
        header(&mut out, "Content-Type", "text/plain; charset=\"UTF-8\"");
        header(&mut out, "Content-Transfer-Encoding", "8bit");
        out.push_str("\r\n");
        out.push_str(&text.replace('\n', "\r\n"));
        out.push_str("\r\n");
    }
    DemoEmail {
        message_id: b.id.clone(),
        thread_id: b.thread.clone(),
        date: d.at,
        labels,
        raw: out.into_bytes(),
    }
}

fn signed(d: &Draft) -> String {
    if d.category == Category::Newsletter || d.from == SARAH || d.body.ends_with(d.from.first()) {
        return d.body.clone();
    }
    format!(
        "{}\n\n{}\n{}, {}",
        d.body, d.from.name, d.from.title, d.from.org
    )
}

/// Newsletters come as multipart/alternative, or (every third one) as HTML only, so both MIME
/// shapes flow through the parser.
fn newsletter_body(out: &mut String, subject: &str, text: &str, html_only: bool) {
    let html = format!(
        "<html><body><h2>{}</h2>{}<p style=\"color:#888\">You receive this because you subscribed.</p></body></html>",
        escape_html(subject),
        text.split("\n\n").map(|p| format!("<p>{}</p>", escape_html(p).replace('\n', "<br>"))).collect::<String>()
    );
    if html_only {
        header(out, "Content-Type", "text/html; charset=\"UTF-8\"");
        out.push_str("\r\n");
        out.push_str(&html);
        out.push_str("\r\n");
        return;
    }
    let boundary = "=_mindy_demo_alt";
    header(
        out,
        "Content-Type",
        &format!("multipart/alternative; boundary=\"{boundary}\""),
    );
    out.push_str("\r\n");
    for (ctype, part) in [
        ("text/plain", text.replace('\n', "\r\n")),
        ("text/html", html),
    ] {
        out.push_str(&format!(
            "--{boundary}\r\nContent-Type: {ctype}; charset=\"UTF-8\"\r\n\r\n{part}\r\n"
        ));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn header(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str(": ");
    out.push_str(value);
    out.push_str("\r\n");
}

fn mailbox(p: &Person) -> String {
    format!(
        "{} <{}>",
        encode_word(&format!("\"{}\"", p.name)),
        p.address
    )
}

/// RFC 2047 encoded-word for non-ASCII header text; ASCII passes through.
fn encode_word(text: &str) -> String {
    use base64::Engine as _;
    if text.is_ascii() {
        return text.to_string();
    }
    let bare = text.trim_matches('"');
    format!(
        "=?UTF-8?B?{}?=",
        base64::engine::general_purpose::STANDARD.encode(bare)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_names_are_encoded_words() {
        assert_eq!(encode_word("\"Tom\""), "\"Tom\"");
        assert_eq!(encode_word("\"José\""), "=?UTF-8?B?Sm9zw6k=?=");
    }

    #[test]
    fn night_replies_move_to_the_morning() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let day = NaiveDate::from_ymd_opt(2025, 3, 4).unwrap();
        let late = local(tz, day, 23, 10, 0).unwrap();
        let moved = working_hours(late, tz, &mut Rng::new(1)).with_timezone(&tz);
        assert_eq!(
            (moved.date_naive(), moved.hour()),
            (day + Duration::days(1), 7)
        );
        let noon = local(tz, day, 12, 0, 0).unwrap();
        assert_eq!(working_hours(noon, tz, &mut Rng::new(1)), noon);
    }
}
