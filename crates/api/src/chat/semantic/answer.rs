//! Templated answers: every number in them is read from the result rows.

use serde_json::Value;

use super::dates::{describe, DateRange};
use super::plan::{Intent, Order, Plan};
use crate::chat::catalog::{Catalog, Combine, Measure};
use crate::chat::QueryResult;

/// The answer to `plan` given its rows.
pub fn answer(catalog: &Catalog, plan: &Plan, result: &QueryResult) -> String {
    let text = match (&plan.intent, &plan.compare) {
        (_, Some(other)) => compare(catalog, plan, other, result),
        (Intent::Total { measure }, None) => total(catalog.measure(measure), &plan.range, result),
        (Intent::Average { measure }, None) => {
            average(catalog.measure(measure), &plan.range, result)
        }
        (Intent::Daily { measure }, None) => daily(catalog.measure(measure), &plan.range, result),
        (Intent::RankDays { measure, n, order }, None) => {
            rank_days(catalog.measure(measure), *n, *order, &plan.range, result)
        }
        (Intent::Hourly, None) => hourly(&plan.range, result),
        (Intent::RankHours { n, order }, None) => rank_hours(*n, *order, &plan.range, result),
        (Intent::TopSenders { n }, None) => top_senders(*n, &plan.range, result),
        (Intent::FromDomain { domain }, None) => from_domain(domain, &plan.range, result),
        (Intent::Quality, None) => quality(&plan.range, result),
        (Intent::DistinctDomains, None) => distinct_domains(&plan.range, result),
        (Intent::OrgEmails { name, urgent }, None) => {
            org_emails(name, *urgent, &plan.range, result)
        }
        // Worded with their sections by `super::scenes::answer`.
        (
            Intent::Briefing { .. }
            | Intent::CalendarDay { .. }
            | Intent::Patterns
            | Intent::ClientsMetAndMailed { .. },
            None,
        ) => crate::chat::generic_answer(result),
    };
    if plan.defaulted {
        format!(
            "{text} (You didn't say when, so I looked at {}.)",
            plan.range.label
        )
    } else {
        text
    }
}

/// "yesterday (Wed 25 Nov 2026)", "in the last 7 days (…)", "on Tue 24 Nov 2026".
pub fn when(range: &DateRange) -> String {
    let dates = describe(range.start, range.end);
    let relative = [
        "today",
        "yesterday",
        "this week",
        "last week",
        "this month",
        "last month",
        "the day before yesterday",
    ];
    if relative.contains(&range.label.as_str()) {
        format!("{} ({dates})", range.label)
    } else if range.label.starts_with("the last") || range.label.starts_with("the past") {
        format!("in {} ({dates})", range.label)
    } else if range.is_day() {
        format!("on {dates}")
    } else {
        format!("between {dates}")
    }
}

fn no_data(range: &DateRange) -> String {
    format!("I have no data for {} yet.", when(range))
}

/// Column `name` of row `row`.
pub(super) fn cell<'a>(result: &'a QueryResult, row: usize, name: &str) -> &'a Value {
    let col = result.columns.iter().position(|c| c == name);
    col.and_then(|c| result.rows.get(row).and_then(|r| r.get(c)))
        .unwrap_or(&Value::Null)
}

/// A number as the answer shows it: integers plainly, others with one decimal.
pub fn num(value: &Value) -> String {
    match value {
        Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or_default();
            if f.fract() == 0.0 {
                format!("{f:.0}")
            } else {
                format!("{f:.1}")
            }
        }
        Value::String(s) => s.clone(),
        Value::Null => "0".to_string(),
        other => other.to_string(),
    }
}

pub(super) fn int(value: &Value) -> i64 {
    value
        .as_i64()
        .or_else(|| value.as_f64().map(|f| f as i64))
        .unwrap_or(0)
}

pub(super) fn date(value: &Value) -> String {
    value
        .as_str()
        .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .map(|d| d.format("%a %-d %b").to_string())
        .unwrap_or_else(|| num(value))
}

fn coverage(range: &DateRange, days: i64) -> String {
    if range.days() > days {
        format!(" (I have data for {days} of its {} days.)", range.days())
    } else {
        String::new()
    }
}

fn noun(measure: Option<&Measure>) -> &'static str {
    measure.map_or("emails", |m| m.noun)
}

fn total(measure: Option<&Measure>, range: &DateRange, r: &QueryResult) -> String {
    let Some(m) = measure else {
        return no_data(range);
    };
    let days = int(cell(r, 0, "days_with_data"));
    if days == 0 {
        return no_data(range);
    }
    let c = m.column;
    let text = match (m.combine, range.is_day()) {
        (Combine::Sum, _) => {
            format!(
                "You received {} {} {}.",
                num(cell(r, 0, c)),
                m.noun,
                when(range)
            )
        }
        (Combine::PerDay, true) => {
            format!(
                "{} unique senders emailed you {}.",
                num(cell(r, 0, c)),
                when(range)
            )
        }
        (Combine::PerDay, false) => format!(
            "You had {} unique senders per day on average {} (at most {} in one day).",
            num(cell(r, 0, &format!("avg_{c}_per_day"))),
            when(range),
            num(cell(r, 0, &format!("max_{c}")))
        ),
        (Combine::WeightedMean, _) => format!(
            "Your emails were {} characters long on average {}.",
            num(cell(r, 0, c)),
            when(range)
        ),
    };
    text + &coverage(range, days)
}

fn average(measure: Option<&Measure>, range: &DateRange, r: &QueryResult) -> String {
    let Some(m) = measure else {
        return no_data(range);
    };
    let days = int(cell(r, 0, "days_with_data"));
    if days == 0 {
        return no_data(range);
    }
    let value = num(cell(r, 0, &format!("avg_{}_per_day", m.column)));
    format!(
        "On average you received {value} {} per day {}.",
        m.noun,
        when(range)
    ) + &coverage(range, days)
}

fn daily(measure: Option<&Measure>, range: &DateRange, r: &QueryResult) -> String {
    let Some(m) = measure else {
        return no_data(range);
    };
    if r.rows.is_empty() {
        return no_data(range);
    }
    let list: Vec<String> = (0..r.rows.len())
        .map(|i| {
            format!(
                "{}: {}",
                date(cell(r, i, "date")),
                num(cell(r, i, m.column))
            )
        })
        .collect();
    format!(
        "Your {} per day {}: {}.",
        m.noun,
        when(range),
        list.join(", ")
    ) + &coverage(range, r.rows.len() as i64)
}

fn superlative(order: Order, most: &'static str, least: &'static str) -> &'static str {
    match order {
        Order::Most => most,
        Order::Least => least,
    }
}

fn rank_days(
    measure: Option<&Measure>,
    n: u32,
    order: Order,
    range: &DateRange,
    r: &QueryResult,
) -> String {
    let Some(m) = measure else {
        return no_data(range);
    };
    if r.rows.is_empty() {
        return no_data(range);
    }
    let word = superlative(order, "busiest", "quietest");
    let item = |i: usize| {
        format!(
            "{} ({} {})",
            date(cell(r, i, "date")),
            num(cell(r, i, m.column)),
            m.noun
        )
    };
    if n == 1 {
        return format!("Your {word} day {} was {}.", when(range), item(0));
    }
    let list: Vec<String> = (0..r.rows.len()).map(item).collect();
    format!(
        "Your {} {word} days {}: {}.",
        r.rows.len(),
        when(range),
        list.join(", ")
    )
}

fn hour(value: &Value) -> String {
    let h = int(value);
    format!("{h:02}:00–{:02}:00", (h + 1) % 24)
}

fn hourly(range: &DateRange, r: &QueryResult) -> String {
    if r.rows.is_empty() {
        return no_data(range);
    }
    let list: Vec<String> = (0..r.rows.len())
        .map(|i| {
            format!(
                "{:02}h: {}",
                int(cell(r, i, "hour")),
                num(cell(r, i, "emails"))
            )
        })
        .collect();
    format!("Your emails per hour {}: {}.", when(range), list.join(", "))
}

fn rank_hours(n: u32, order: Order, range: &DateRange, r: &QueryResult) -> String {
    if r.rows.is_empty() {
        return no_data(range);
    }
    let word = superlative(order, "busiest", "quietest");
    let item = |i: usize| {
        format!(
            "{} ({} emails)",
            hour(cell(r, i, "hour")),
            num(cell(r, i, "emails"))
        )
    };
    if n == 1 {
        return format!("Your {word} hour {} was {}.", when(range), item(0));
    }
    let list: Vec<String> = (0..r.rows.len()).map(item).collect();
    format!(
        "Your {} {word} hours {}: {}.",
        r.rows.len(),
        when(range),
        list.join(", ")
    )
}

fn top_senders(n: u32, range: &DateRange, r: &QueryResult) -> String {
    if r.rows.is_empty() {
        return no_data(range);
    }
    let note = if range.is_day() {
        ""
    } else {
        " (counted from each day's top 10 domains)"
    };
    if n == 1 {
        return format!(
            "{} sent you the most emails {}: {}{note}.",
            num(cell(r, 0, "sender_domain")),
            when(range),
            num(cell(r, 0, "emails"))
        );
    }
    let list: Vec<String> = (0..r.rows.len())
        .map(|i| {
            format!(
                "{} ({})",
                num(cell(r, i, "sender_domain")),
                num(cell(r, i, "emails"))
            )
        })
        .collect();
    format!(
        "Your top {} sender domains {}: {}{note}.",
        r.rows.len(),
        when(range),
        list.join(", ")
    )
}

fn from_domain(domain: &str, range: &DateRange, r: &QueryResult) -> String {
    if int(cell(r, 0, "all_emails")) == 0 {
        return format!(
            "I have no received emails {} in the per-email data, so I can't count those from {domain}.{}",
            when(range),
            freshness(r)
        );
    }
    format!(
        "You received {} emails from {domain} {} (of {} received in all).{}",
        num(cell(r, 0, "emails")),
        when(range),
        num(cell(r, 0, "all_emails")),
        freshness(r)
    )
}

fn quality(range: &DateRange, r: &QueryResult) -> String {
    if r.rows.is_empty() {
        return format!("No data-quality check has run for {}.", when(range));
    }
    if r.rows.len() == 1 {
        let passed = cell(r, 0, "passed").as_bool().unwrap_or(false);
        return format!(
            "The data-quality score {} was {}% ({}, threshold {}%): {} of {} records were valid.",
            when(range),
            num(cell(r, 0, "score_pct")),
            if passed { "passed" } else { "failed" },
            num(cell(r, 0, "threshold_pct")),
            num(cell(r, 0, "valid_records")),
            num(cell(r, 0, "total_records"))
        );
    }
    let passed = (0..r.rows.len())
        .filter(|i| cell(r, *i, "passed").as_bool() == Some(true))
        .count();
    let list: Vec<String> = (0..r.rows.len())
        .map(|i| {
            format!(
                "{}: {}%",
                date(cell(r, i, "date")),
                num(cell(r, i, "score_pct"))
            )
        })
        .collect();
    format!(
        "{} days were checked {}, {passed} passed. Scores: {}.",
        r.rows.len(),
        when(range),
        list.join(", ")
    )
}

fn compare(catalog: &Catalog, plan: &Plan, other: &DateRange, r: &QueryResult) -> String {
    let what = match &plan.intent {
        Intent::Total { measure } => noun(catalog.measure(measure)).to_string(),
        Intent::FromDomain { domain } => format!("emails from {domain}"),
        _ => "emails".to_string(),
    };
    let side = |i: usize, range: &DateRange| {
        if int(cell(r, i, "days_with_data")) == 0 {
            (None, format!("no data {}", when(range)))
        } else {
            let v = cell(r, i, "value");
            (v.as_f64(), format!("{} {}", num(v), when(range)))
        }
    };
    let (a, text_a) = side(0, &plan.range);
    let (b, text_b) = side(1, other);
    let mut text = format!("{}: {text_a}, against {text_b}", capitalise(&what));
    if let (Some(a), Some(b)) = (a, b) {
        let diff = a - b;
        let sign = if diff >= 0.0 { "+" } else { "" };
        let diff_text = num(&serde_json::json!(diff));
        if b != 0.0 {
            text.push_str(&format!(
                " ({sign}{diff_text}, {sign}{:.1}%)",
                diff / b * 100.0
            ));
        } else {
            text.push_str(&format!(" ({sign}{diff_text})"));
        }
    }
    text + "."
}

pub(super) fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// "Thu 26 Nov 08:20" from a `timestamp` cell (`2026-11-26T08:20:00`), else the cell as is.
pub(super) fn moment(value: &Value) -> String {
    local_time(value, "%a %-d %b %H:%M").unwrap_or_else(|| num(value))
}

/// A local timestamp cell (`2026-11-26T08:20:00`, as the serving tables' `local_*` columns and
/// `timestamp` casts come out) in `format`; `None` when the cell is not one.
pub(crate) fn local_time(value: &Value, format: &str) -> Option<String> {
    value
        .as_str()
        .and_then(|s| s.parse::<chrono::NaiveDateTime>().ok())
        .map(|t| t.format(format).to_string())
}

/// "(Data as of Thu 26 Nov 08:20.)", or that there is no per-email data at all.
fn freshness(r: &QueryResult) -> String {
    match cell(r, 0, "data_as_of") {
        Value::Null => " (I have no per-email data yet.)".to_string(),
        v => format!(" (Data as of {}.)", moment(v)),
    }
}

fn distinct_domains(range: &DateRange, r: &QueryResult) -> String {
    let emails = int(cell(r, 0, "emails"));
    if emails == 0 {
        return format!(
            "I have no received emails {} in the per-email data, so I can't count their domains.{}",
            when(range),
            freshness(r)
        );
    }
    format!(
        "{} different sender domains emailed you {} ({} emails).{}",
        num(cell(r, 0, "sender_domains")),
        when(range),
        num(cell(r, 0, "emails")),
        freshness(r)
    )
}

/// Words to show a name the user typed: "acme corp" → "Acme Corp".
fn title(name: &str) -> String {
    name.split(' ')
        .map(capitalise)
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn text(value: &Value) -> Option<&str> {
    value.as_str().filter(|s| !s.trim().is_empty())
}

fn org_emails(name: &str, urgent: bool, range: &DateRange, r: &QueryResult) -> String {
    let what = if urgent { "urgent emails" } else { "emails" };
    if cell(r, 0, "data_as_of").is_null() {
        return format!("I have no per-email data yet, so I can't list {what}.");
    }
    let mut people: Vec<&str> = (0..r.rows.len())
        .filter_map(|i| text(cell(r, i, "person")))
        .collect();
    people.sort_unstable();
    people.dedup();
    let mut orgs: Vec<&str> = (0..r.rows.len())
        .filter_map(|i| text(cell(r, i, "organization")))
        .collect();
    orgs.dedup();
    if orgs.is_empty() && people.is_empty() {
        return format!(
            "I found no emails from \"{}\": no organisation or person of that name is in your mail.{}",
            title(name),
            freshness(r)
        );
    }
    let emails: Vec<usize> = (0..r.rows.len())
        .filter(|i| !cell(r, *i, "sent_local").is_null())
        .collect();
    let who = if !people.is_empty() {
        let named = if people.len() == 1 {
            people[0].to_string()
        } else {
            format!(
                "the {} people matching \"{}\" ({})",
                people.len(),
                title(name),
                people.join(", ")
            )
        };
        match orgs.as_slice() {
            [org] => format!("{named} ({org})"),
            _ => named,
        }
    } else if orgs.len() == 1 {
        orgs[0].to_string()
    } else {
        format!(
            "the {} organisations matching \"{}\" ({})",
            orgs.len(),
            title(name),
            orgs.join(", ")
        )
    };
    if emails.is_empty() {
        return format!("No {what} from {who} {}.{}", when(range), freshness(r));
    }
    let mut out = format!(
        "I found {} {} from {who} {}:",
        emails.len(),
        if emails.len() == 1 {
            what.trim_end_matches('s')
        } else {
            what
        },
        when(range)
    );
    for (n, &i) in emails.iter().enumerate() {
        let sender = text(cell(r, i, "from_name"))
            .or(text(cell(r, i, "from_address")))
            .unwrap_or("unknown sender");
        let mut about: Vec<String> = Vec::new();
        if let Some(title) = text(cell(r, i, "sender_title")) {
            about.push(title.to_string());
        }
        if let Some(role) = text(cell(r, i, "sender_role")) {
            about.push(role.replace('_', " "));
        }
        if orgs.len() > 1 {
            if let Some(org) = text(cell(r, i, "organization")) {
                about.push(org.to_string());
            }
        }
        let about = if about.is_empty() {
            String::new()
        } else {
            format!(" ({})", about.join(", "))
        };
        out.push_str(&format!(
            "\n{}. {} - {sender}{about}: \"{}\". {} Sentiment: {}; urgency {}/100.",
            n + 1,
            moment(cell(r, i, "sent_local")),
            num(cell(r, i, "subject")),
            text(cell(r, i, "summary")).unwrap_or("(no summary)"),
            num(cell(r, i, "sentiment")),
            num(cell(r, i, "urgency_score")),
        ));
    }
    if r.rows.len() >= super::sql::ORG_EMAILS_LIMIT {
        out.push_str(&format!(
            "\n(I listed the first {} only: ask for a shorter period to see them all.)",
            super::sql::ORG_EMAILS_LIMIT
        ));
    }
    out.push_str(&recommendations(r, &emails));
    out + &freshness(r)
}

/// One recommendation per escalating thread among the listed emails, following from its rows:
/// waiting for a reply → reply now; follow-ups without a reply, negative sentiment or several
/// of its emails in the list → propose a call.
fn recommendations(r: &QueryResult, emails: &[usize]) -> String {
    let mut threads: Vec<&str> = Vec::new();
    for &i in emails {
        if let Some(thread) = text(cell(r, i, "thread_id")) {
            if !threads.contains(&thread) {
                threads.push(thread);
            }
        }
    }
    let mut out = String::new();
    for thread in threads {
        let rows: Vec<usize> = emails
            .iter()
            .copied()
            .filter(|i| text(cell(r, *i, "thread_id")) == Some(thread))
            .collect();
        let Some(&last) = rows.last() else { continue };
        if cell(r, last, "escalating").as_bool() != Some(true) {
            continue;
        }
        let waiting =
            cell(r, last, "thread_needs_reply")
                .as_bool()
                .or(cell(r, last, "needs_reply").as_bool())
                == Some(true);
        let follow_ups = int(cell(r, last, "follow_ups"));
        let negative = rows
            .iter()
            .any(|i| cell(r, *i, "sentiment").as_str() == Some("negative"));
        let mut facts = vec![format!("{} of these emails", rows.len())];
        if follow_ups > 0 {
            facts.push(format!(
                "{follow_ups} {} without your reply",
                plural(follow_ups as usize, "follow-up", "follow-ups")
            ));
        }
        if negative {
            facts.push("negative sentiment".to_string());
        }
        if waiting {
            facts.push("it waits for your reply".to_string());
        }
        let mut steps = Vec::new();
        if waiting {
            steps.push("reply now");
        }
        if follow_ups > 0 || negative || rows.len() > 1 {
            steps.push("propose a call");
        }
        if steps.is_empty() {
            steps.push("keep a close eye on it");
        }
        out.push_str(&format!(
            "\nRecommendation: the thread \"{}\" is escalating ({}). I suggest: {}.",
            num(cell(r, rows[0], "subject")),
            facts.join(", "),
            steps.join(", then ")
        ));
    }
    out
}

pub(super) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rows(orgs: &[(Option<&str>, Option<&str>)], as_of: Value) -> QueryResult {
        QueryResult {
            columns: [
                "organization",
                "sent_local",
                "from_name",
                "subject",
                "summary",
                "sentiment",
                "urgency_score",
                "thread_id",
                "escalating",
                "data_as_of",
            ]
            .map(String::from)
            .to_vec(),
            rows: orgs
                .iter()
                .map(|(org, subject)| {
                    vec![
                        json!(org),
                        json!(subject.map(|_| "2026-11-25T09:00:00")),
                        json!("Ann"),
                        json!(subject),
                        json!("s"),
                        json!("neutral"),
                        json!(70),
                        json!(subject),
                        json!(false),
                        as_of.clone(),
                    ]
                })
                .collect(),
        }
    }

    fn week() -> DateRange {
        DateRange {
            start: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            end: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
            label: "the last 7 days".into(),
        }
    }

    #[test]
    fn a_name_matching_several_organisations_says_so_and_names_each() {
        let r = rows(
            &[
                (Some("Acme Corp"), Some("One")),
                (Some("Acme Logistics"), Some("Two")),
            ],
            json!("2026-11-26T08:20:00"),
        );
        let text = org_emails("acme", true, &week(), &r);
        assert!(
            text.starts_with(
                "I found 2 urgent emails from the 2 organisations matching \"Acme\" (Acme Corp, Acme Logistics)"
            ),
            "{text}"
        );
        assert!(text.contains("Ann (Acme Logistics)"), "{text}");
    }

    #[test]
    fn no_organisation_no_period_match_and_no_data_are_told_apart() {
        let as_of = json!("2026-11-26T08:20:00");
        let none = org_emails(
            "initech",
            true,
            &week(),
            &rows(&[(None, None)], as_of.clone()),
        );
        assert!(
            none.starts_with("I found no emails from \"Initech\""),
            "{none}"
        );
        let quiet = org_emails(
            "acme",
            true,
            &week(),
            &rows(&[(Some("Acme Corp"), None)], as_of),
        );
        assert!(
            quiet.starts_with("No urgent emails from Acme Corp in the last 7 days"),
            "{quiet}"
        );
        let empty = org_emails("acme", false, &week(), &rows(&[(None, None)], Value::Null));
        assert!(empty.starts_with("I have no per-email data yet"), "{empty}");
    }
}
