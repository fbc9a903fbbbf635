//! 30-day patterns (demo scene 4), read from what `mindy enrich` and the calendar job
//! precompute: `email_patterns` (volume by weekday and hour, groups, response times, trends
//! against the 30 days before), `calendar_patterns` (share of working hours in meetings,
//! weekdays, overruns, lunch) and `calendar_one_on_ones` (direct reports without a 1-on-1), with
//! recommendations that follow from those numbers only.

use serde_json::Value;

use super::super::answer::{cell, date, int, moment, text};
use super::{count, hours, section, SceneQuery};
use crate::chat::{AnswerKind, QueryResult};

/// A weekday's mail must exceed the other weekdays' mean by this factor to call it out.
pub const PEAK_WEEKDAY_FACTOR: f64 = 1.2;
/// Meetings above this share of working hours are called too many (the brief's "industry
/// average: 50%").
pub const MEETING_SHARE_LIMIT_PCT: f64 = 50.0;
/// Trends smaller than this (percent, either way) are not mentioned.
pub const TREND_MIN_PCT: f64 = 20.0;

const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

/// The main query (every `email_patterns` row) and the sections `calendar`, `one_on_ones`.
pub fn build(tz: &str) -> SceneQuery {
    let sql = format!(
        "SELECT kind, key, label, emails, share_pct, per_day, previous_emails, change_pct,\n  \
         avg_response_minutes, median_response_minutes, as_of,\n  \
         computed_at AT TIME ZONE '{tz}' AS computed_at\n\
         FROM email_patterns\nORDER BY kind, emails DESC, key"
    );
    let sections = vec![
        section(
            "calendar",
            "Meeting patterns (last 30 days)",
            format!(
                "SELECT as_of, period_start, working_days, meeting_count, meeting_hours, working_hours,\n  \
                 meeting_share_pct, avg_meetings_per_working_day, busiest_weekday,\n  \
                 busiest_weekday_avg_hours, lightest_weekday, one_on_one_count, conflict_count,\n  \
                 days_without_lunch, overrun_observed_meetings, overrun_meetings, avg_overrun_minutes,\n  \
                 computed_at AT TIME ZONE '{tz}' AS computed_at\n\
                 FROM calendar_patterns WHERE period = 'last_30_days'"
            ),
        ),
        section(
            "one_on_ones",
            "1-on-1s with direct reports (last 30 days)",
            "SELECT coalesce(counterpart_name, counterpart_address) AS person, one_on_ones_30d,\n  \
             last_date, next_date\n\
             FROM calendar_one_on_ones WHERE is_direct_report\nORDER BY one_on_ones_30d, person"
                .to_string(),
        ),
    ];
    SceneQuery {
        sql,
        kind: AnswerKind::Patterns,
        sections,
    }
}

fn rows_of<'a>(r: &'a QueryResult, kind: &'a str) -> impl Iterator<Item = usize> + 'a {
    (0..r.rows.len()).filter(move |i| cell(r, *i, "kind").as_str() == Some(kind))
}

fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn minutes_said(m: f64) -> String {
    if m >= 90.0 {
        format!("{:.1} hours", m / 60.0)
    } else {
        format!("{m:.0} minutes")
    }
}

/// The answer: mail, meetings, trends, recommendations.
pub fn answer(r: &QueryResult, find: &dyn Fn(&str) -> QueryResult) -> String {
    let calendar = find("calendar");
    let reports = find("one_on_ones");
    if r.rows.is_empty() && calendar.rows.is_empty() {
        return "I have no patterns yet: they are computed from at least a day of mail or calendar data."
            .into();
    }
    let mut recommendations: Vec<String> = Vec::new();
    let as_of = text(cell(r, 0, "as_of")).or(text(cell(&calendar, 0, "as_of")));
    let mut out = format!(
        "Here are the patterns of your last 30 days of email and calendar{}:",
        as_of
            .map(|d| format!(" (to {})", date(&Value::String(d.to_string()))))
            .unwrap_or_default()
    );

    if !r.rows.is_empty() {
        out.push_str("\nEMAIL PATTERNS:");
        if let Some(i) = rows_of(r, "total").next() {
            let change = f(cell(r, i, "change_pct"))
                .map(|c| format!(", {c:+.0}% against the 30 days before"))
                .unwrap_or_default();
            out.push_str(&format!(
                "\n• {} received, {:.1} a day{change}",
                count(int(cell(r, i, "emails")), "email", "emails"),
                f(cell(r, i, "per_day")).unwrap_or(0.0)
            ));
        }
        let weekdays: Vec<(String, f64)> = rows_of(r, "weekday")
            .filter_map(|i| {
                let label = text(cell(r, i, "label"))?.to_string();
                Some((label, f(cell(r, i, "per_day"))?))
            })
            .filter(|(l, _)| WEEKDAYS.contains(&l.as_str()))
            .collect();
        if let Some((peak, per_day)) = weekdays.iter().max_by(|a, b| a.1.total_cmp(&b.1)).cloned() {
            let others: Vec<f64> = weekdays
                .iter()
                .filter(|(l, _)| *l != peak)
                .map(|(_, v)| *v)
                .collect();
            if !others.is_empty() {
                let mean = others.iter().sum::<f64>() / others.len() as f64;
                if mean > 0.0 {
                    let more = (per_day / mean - 1.0) * 100.0;
                    out.push_str(&format!(
                        "\n• {peak}s are your heaviest mail day: {per_day:.0} emails on average vs {mean:.0} on other weekdays ({more:+.0}%)"
                    ));
                    if per_day > mean * PEAK_WEEKDAY_FACTOR {
                        recommendations.push(format!("Block {peak} mornings for email processing"));
                    }
                }
            }
        }
        // The busiest two consecutive hours.
        let hours_share: Vec<(u32, f64)> = rows_of(r, "hour")
            .filter_map(|i| {
                Some((
                    text(cell(r, i, "key"))?.parse().ok()?,
                    f(cell(r, i, "share_pct"))?,
                ))
            })
            .collect();
        let share = |h: u32| {
            hours_share
                .iter()
                .find(|(k, _)| *k == h)
                .map(|(_, s)| *s)
                .unwrap_or(0.0)
        };
        if let Some(start) = (0..23u32)
            .max_by(|a, b| (share(*a) + share(a + 1)).total_cmp(&(share(*b) + share(b + 1))))
        {
            let both = share(start) + share(start + 1);
            if both > 0.0 {
                out.push_str(&format!(
                    "\n• Peak email time: {start:02}:00–{:02}:00 ({both:.0}% of your mail)",
                    start + 2
                ));
            }
        }
        if let Some(i) =
            rows_of(r, "response_time").find(|i| cell(r, *i, "key").as_str() == Some("overall"))
        {
            if let Some(avg) = f(cell(r, i, "avg_response_minutes")) {
                let median = f(cell(r, i, "median_response_minutes"))
                    .map(|m| format!(", median {}", minutes_said(m)))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "\n• Your response time: {} on average{median} ({} answered)",
                    minutes_said(avg),
                    count(int(cell(r, i, "emails")), "email", "emails")
                ));
            }
        }
        let groups: Vec<String> = rows_of(r, "group")
            .take(3)
            .filter_map(|i| {
                Some(format!(
                    "{} ({:.0}%)",
                    text(cell(r, i, "label"))?,
                    f(cell(r, i, "share_pct"))?
                ))
            })
            .collect();
        if !groups.is_empty() {
            out.push_str(&format!("\n• Most emails from: {}", groups.join(", ")));
        }
        let trends: Vec<String> = rows_of(r, "trend")
            .filter_map(|i| {
                let c = f(cell(r, i, "change_pct"))?;
                (c.abs() >= TREND_MIN_PCT).then(|| {
                    format!(
                        "{} {c:+.0}% ({} vs {})",
                        text(cell(r, i, "label")).unwrap_or("?"),
                        int(cell(r, i, "emails")),
                        int(cell(r, i, "previous_emails"))
                    )
                })
            })
            .collect();
        for t in &trends {
            out.push_str(&format!("\n• Trend against the 30 days before: {t}"));
        }
    }

    if !calendar.rows.is_empty() {
        out.push_str("\nMEETING PATTERNS:");
        let c = |name: &str| cell(&calendar, 0, name);
        if let Some(share) = f(c("meeting_share_pct")) {
            out.push_str(&format!(
                "\n• You spend {share:.0}% of your working hours in meetings ({} of {})",
                hours(f(c("meeting_hours")).unwrap_or(0.0)),
                hours(f(c("working_hours")).unwrap_or(0.0))
            ));
            if share > MEETING_SHARE_LIMIT_PCT {
                recommendations.push(format!(
                    "Limit meetings to 4 hours a day when possible: {share:.0}% of your working time is in meetings"
                ));
            }
        }
        if let Some(avg) = f(c("avg_meetings_per_working_day")) {
            out.push_str(&format!("\n• {avg:.1} meetings per working day"));
        }
        if let (Some(busiest), Some(lightest)) =
            (text(c("busiest_weekday")), text(c("lightest_weekday")))
        {
            out.push_str(&format!(
                "\n• Heaviest meeting day: {busiest} ({} on average); lightest: {lightest}",
                hours(f(c("busiest_weekday_avg_hours")).unwrap_or(0.0))
            ));
            recommendations.push(format!("Reserve {lightest} afternoons for strategic work"));
        }
        let overran = int(c("overrun_meetings"));
        if overran > 0 {
            out.push_str(&format!(
                "\n• {} of {} meetings edited during or after them ran over, by {} min on average",
                overran,
                int(c("overrun_observed_meetings")),
                f(c("avg_overrun_minutes"))
                    .map(|m| format!("{m:.0}"))
                    .unwrap_or_else(|| "?".into())
            ));
        }
        let no_lunch = int(c("days_without_lunch"));
        if no_lunch > 0 {
            out.push_str(&format!(
                "\n• {} with meetings and no free lunch slot",
                count(no_lunch, "weekday", "weekdays")
            ));
            if no_lunch >= 3 {
                recommendations.push("Block a daily lunch hour".into());
            }
        }
        let conflicts = int(c("conflict_count"));
        if conflicts > 0 {
            out.push_str(&format!(
                "\n• {}",
                count(conflicts, "double booking", "double bookings")
            ));
        }
    }
    let missing: Vec<&str> = (0..reports.rows.len())
        .filter(|i| int(cell(&reports, *i, "one_on_ones_30d")) == 0)
        .filter_map(|i| text(cell(&reports, i, "person")))
        .collect();
    if !missing.is_empty() {
        out.push_str(&format!(
            "\n• No 1-on-1s with {} of your {} this month: {}",
            missing.len(),
            count(reports.rows.len() as i64, "direct report", "direct reports"),
            missing.join(", ")
        ));
        recommendations.push(format!(
            "Schedule recurring 1-on-1s with {}",
            missing.join(", ")
        ));
    }
    if !recommendations.is_empty() {
        out.push_str("\nRECOMMENDATIONS:");
        for (n, rec) in recommendations.iter().enumerate() {
            out.push_str(&format!("\n{}. {rec}", n + 1));
        }
    }
    let computed: Vec<String> = [("mail", r), ("calendar", &calendar)]
        .iter()
        .filter_map(|(what, rows)| {
            let at = cell(rows, 0, "computed_at");
            (!at.is_null()).then(|| format!("{what} patterns computed {}", moment(at)))
        })
        .collect();
    if !computed.is_empty() {
        out.push_str(&format!("\n({}.)", computed.join(", ")));
    }
    out
}
