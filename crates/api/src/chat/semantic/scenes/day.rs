//! One day of the calendar (demo scene 3): the busiest or lightest day of a period, or a named
//! day, with its meetings, free time, locations, participants and concerns (back-to-back runs,
//! no lunch break, conflicts, tight travel, meetings that run over), and suggestions that follow
//! from them.
//!
//! Every query picks the day itself (the `chosen` CTE), so each section can be run and read on
//! its own: ties go to more meetings, then the earlier day.

use serde_json::Value;

use super::super::answer::{capitalise, cell, date, int, moment, text};
use super::super::dates::DateRange;
use super::super::plan::Order;
use super::{clock, count, hours, section, SceneQuery};
use crate::chat::{AnswerKind, QueryResult};

/// The CTE choosing the day: the range's only day, or its busiest/lightest day with events.
pub(crate) fn chosen(order: Option<Order>, range: &DateRange) -> String {
    let direction = match order {
        Some(Order::Least) => "ASC",
        _ => "DESC",
    };
    format!(
        "chosen AS (\n  SELECT date FROM calendar_days WHERE {}\n  \
         ORDER BY meeting_minutes {direction}, meeting_count {direction}, date\n  LIMIT 1\n)",
        range.sql_condition()
    )
}

/// The main query (one row: the day's statistics, or nulls when the period has no events, and
/// how fresh the calendar is) and its sections.
pub fn build(order: Option<Order>, range: &DateRange, tz: &str) -> SceneQuery {
    let chosen = chosen(order, range);
    let sql = format!(
        "WITH {chosen}\n\
         SELECT d.date, d.weekday, d.meeting_count, d.meeting_hours, d.busy_minutes, d.free_hours,\n  \
         d.longest_free_minutes, d.first_start, d.last_end, d.lunch_free, d.back_to_back_runs,\n  \
         d.longest_back_to_back_minutes, d.longest_back_to_back_start, d.longest_back_to_back_end,\n  \
         d.longest_back_to_back_meetings, d.conflict_count, d.location_count, d.locations,\n  \
         d.travel_count, d.tight_travel_count, d.participant_count, d.external_participant_count,\n  \
         d.organisation_count, d.organisations, d.all_day_events, f.data_as_of\n\
         FROM (SELECT max(computed_at) AT TIME ZONE '{tz}' AS data_as_of FROM calendar_days) AS f\n\
         LEFT JOIN chosen ON true\n\
         LEFT JOIN calendar_days AS d ON d.date = chosen.date"
    );
    // A query over one table's rows of the chosen day: `rest` is what follows the join.
    let of_day = |columns: &str, table: &str, date: &str, rest: &str| {
        format!(
            "WITH {chosen}\nSELECT {columns}\nFROM {table} JOIN chosen ON {date} = chosen.date\n{rest}"
        )
    };
    let mut sections = vec![
        section(
            "meetings",
            "Meetings",
            of_day(
                "e.local_start, e.local_end, e.summary, e.location, e.location_kind,\n  \
                 e.participant_count, e.is_meeting, e.is_one_on_one, e.all_day, e.organizer_name",
                "calendar_events AS e",
                "e.local_date",
                "WHERE e.busy OR e.all_day\nORDER BY e.all_day DESC, e.starts_at, e.summary",
            ),
        ),
        section(
            "conflicts",
            "Conflicts",
            of_day(
                "c.first_summary, c.first_start, c.first_end, c.second_summary, c.second_start,\n  \
                 c.second_end, c.overlap_start, c.overlap_end, c.overlap_minutes",
                "calendar_conflicts AS c",
                "c.date",
                "ORDER BY c.overlap_start",
            ),
        ),
        section(
            "travel",
            "Travel between locations",
            of_day(
                "t.from_summary, t.from_location, t.from_end, t.to_summary, t.to_location,\n  \
                 t.to_start, t.gap_minutes, t.tight",
                "calendar_travel AS t",
                "t.date",
                "ORDER BY t.to_start",
            ),
        ),
        section(
            "free",
            "Free time",
            of_day(
                "b.block_start, b.block_end, b.minutes, b.lunch_minutes",
                "calendar_free_blocks AS b",
                "b.date",
                "ORDER BY b.block_start",
            ),
        ),
        section(
            "overruns",
            "Meetings running over (last 30 days)",
            "SELECT overrun_observed_meetings, overrun_meetings, avg_overrun_minutes, as_of\n\
             FROM calendar_patterns WHERE period = 'last_30_days'"
                .to_string(),
        ),
    ];
    if !range.is_day() {
        sections.push(section(
            "days",
            "Every day of the period",
            format!(
                "SELECT date, weekday, meeting_count, meeting_hours, free_hours\n\
                 FROM calendar_days WHERE {}\nORDER BY date",
                range.sql_condition()
            ),
        ));
    }
    SceneQuery {
        sql,
        kind: AnswerKind::Day,
        sections,
    }
}

fn f64_of(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// A weekday in the range (Monday to Friday) without any event, if one is missing from `days`.
fn empty_weekday(range: &DateRange, days: &QueryResult) -> Option<chrono::NaiveDate> {
    use chrono::Datelike;
    let listed: Vec<String> = (0..days.rows.len())
        .filter_map(|i| text(cell(days, i, "date")).map(str::to_string))
        .collect();
    range
        .start
        .iter_days()
        .take_while(|d| *d <= range.end)
        .filter(|d| d.weekday().num_days_from_monday() < 5)
        .find(|d| !listed.contains(&d.to_string()))
}

/// The answer: the day's figures, its meetings, concerns and suggestions.
pub fn answer(
    order: Option<Order>,
    range: &DateRange,
    r: &QueryResult,
    find: &dyn Fn(&str) -> QueryResult,
) -> String {
    let as_of = cell(r, 0, "data_as_of");
    if as_of.is_null() {
        return "I have no calendar data yet: no calendar has been imported.".into();
    }
    let freshness = format!("(Calendar data as of {}.)", moment(as_of));
    let days = find("days");
    if cell(r, 0, "date").is_null() {
        return format!(
            "You have no events {}. {freshness}",
            super::super::answer::when(range)
        );
    }
    let day = date(cell(r, 0, "date"));
    let weekday = text(cell(r, 0, "weekday")).unwrap_or_default().to_string();
    let meetings = int(cell(r, 0, "meeting_count"));
    let meeting_hours = f64_of(cell(r, 0, "meeting_hours")).unwrap_or(0.0);
    let mut out = match order {
        Some(Order::Most) => format!(
            "{day} is your busiest day {}.",
            super::super::answer::when(range)
        ),
        Some(Order::Least) => {
            if let Some(free) = empty_weekday(range, &days) {
                return format!(
                    "{} has no events at all: it is your lightest weekday {}. {freshness}",
                    free.format("%a %-d %b"),
                    super::super::answer::when(range)
                );
            }
            format!(
                "{day} is your lightest day with events {}.",
                super::super::answer::when(range)
            )
        }
        None if range.label.chars().any(|c| c.is_ascii_digit()) => format!("{}:", range.label),
        None => format!("{} ({day}):", capitalise(&range.label)),
    };
    let mut stats = vec![format!(
        "{} ({} of meetings)",
        count(meetings, "meeting", "meetings"),
        hours(meeting_hours)
    )];
    if let Some(free) = f64_of(cell(r, 0, "free_hours")) {
        let longest = int(cell(r, 0, "longest_free_minutes"));
        stats.push(format!(
            "{} free within working hours (longest free block {longest} min)",
            hours(free)
        ));
    }
    let locations = int(cell(r, 0, "location_count"));
    if locations > 0 {
        stats.push(format!(
            "{} ({})",
            count(locations, "location", "different locations"),
            text(cell(r, 0, "locations")).unwrap_or_default()
        ));
    }
    let people = int(cell(r, 0, "participant_count"));
    if people > 0 {
        let external = int(cell(r, 0, "external_participant_count"));
        stats.push(format!(
            "{} across all meetings ({external} from other organisations)",
            count(people, "participant", "participants")
        ));
    }
    out.push_str(&format!("\n{} STATS:", weekday.to_uppercase()));
    for s in stats {
        out.push_str(&format!("\n• {s}"));
    }

    let events = find("meetings");
    if !events.rows.is_empty() {
        out.push_str("\nMEETINGS:");
        for i in 0..events.rows.len() {
            let summary = text(cell(&events, i, "summary")).unwrap_or("(no title)");
            let place = text(cell(&events, i, "location"))
                .map(|l| format!(" ({l})"))
                .unwrap_or_default();
            if cell(&events, i, "all_day").as_bool() == Some(true) {
                out.push_str(&format!("\n• all day: {summary}{place}"));
            } else {
                out.push_str(&format!(
                    "\n• {}–{} {summary}{place}",
                    clock(cell(&events, i, "local_start")).unwrap_or_default(),
                    clock(cell(&events, i, "local_end")).unwrap_or_default(),
                ));
            }
        }
    }

    let mut concerns = Vec::new();
    let mut suggestions = Vec::new();
    let run = int(cell(r, 0, "longest_back_to_back_minutes"));
    if int(cell(r, 0, "back_to_back_runs")) > 0 && run >= 90 {
        concerns.push(format!(
            "Back-to-back meetings from {} to {} ({} in a row, {run} min)",
            clock(cell(r, 0, "longest_back_to_back_start")).unwrap_or_default(),
            clock(cell(r, 0, "longest_back_to_back_end")).unwrap_or_default(),
            count(
                int(cell(r, 0, "longest_back_to_back_meetings")),
                "meeting",
                "meetings"
            ),
        ));
        suggestions.push("Add 10–15 minute breaks inside the back-to-back run".to_string());
    }
    if cell(r, 0, "lunch_free").as_bool() == Some(false) {
        concerns.push("No lunch break: less than 30 free minutes between 12:00 and 14:00".into());
        suggestions.push("Block 12:00–13:00 for lunch and email catch-up".into());
    }
    let conflicts = find("conflicts");
    for i in 0..conflicts.rows.len() {
        concerns.push(format!(
            "Conflict: \"{}\" and \"{}\" overlap {}–{} ({} min)",
            text(cell(&conflicts, i, "first_summary")).unwrap_or("?"),
            text(cell(&conflicts, i, "second_summary")).unwrap_or("?"),
            clock(cell(&conflicts, i, "overlap_start")).unwrap_or_default(),
            clock(cell(&conflicts, i, "overlap_end")).unwrap_or_default(),
            int(cell(&conflicts, i, "overlap_minutes")),
        ));
        suggestions.push(format!(
            "Move or decline \"{}\" to resolve the overlap",
            text(cell(&conflicts, i, "second_summary")).unwrap_or("?")
        ));
    }
    let travel = find("travel");
    for i in 0..travel.rows.len() {
        if cell(&travel, i, "tight").as_bool() != Some(true) {
            continue;
        }
        let gap = int(cell(&travel, i, "gap_minutes"));
        concerns.push(format!(
            "Travel time not accounted for: {gap} min from \"{}\" ({}) to \"{}\" ({}) at {}",
            text(cell(&travel, i, "from_summary")).unwrap_or("?"),
            text(cell(&travel, i, "from_location")).unwrap_or("?"),
            text(cell(&travel, i, "to_summary")).unwrap_or("?"),
            text(cell(&travel, i, "to_location")).unwrap_or("?"),
            clock(cell(&travel, i, "to_start")).unwrap_or_default(),
        ));
        suggestions.push(format!(
            "Add a travel buffer before \"{}\"",
            text(cell(&travel, i, "to_summary")).unwrap_or("?")
        ));
    }
    let overruns = find("overruns");
    let ran_over = int(cell(&overruns, 0, "overrun_meetings"));
    if ran_over > 0 && meetings > 0 {
        concerns.push(format!(
            "Meetings tend to run over: {} of {} meetings edited during or after them in the last 30 days ran over, by {} min on average",
            ran_over,
            int(cell(&overruns, 0, "overrun_observed_meetings")),
            f64_of(cell(&overruns, 0, "avg_overrun_minutes"))
                .map(|m| format!("{m:.0}"))
                .unwrap_or_else(|| "?".into()),
        ));
    }
    if order == Some(Order::Most) && meeting_hours > 4.0 {
        let lightest = (0..days.rows.len())
            .filter(|i| cell(&days, *i, "date") != cell(r, 0, "date"))
            .min_by(|a, b| {
                let h = |i: usize| f64_of(cell(&days, i, "meeting_hours")).unwrap_or(0.0);
                h(*a).total_cmp(&h(*b))
            });
        match (empty_weekday(range, &days), lightest) {
            (Some(free), _) => suggestions.push(format!(
                "Move a meeting that can wait to {} (no events that day)",
                free.format("%a %-d %b")
            )),
            (None, Some(i)) => suggestions.push(format!(
                "Move a meeting that can wait to {} ({} of meetings, your lightest day {})",
                date(cell(&days, i, "date")),
                hours(f64_of(cell(&days, i, "meeting_hours")).unwrap_or(0.0)),
                range.label
            )),
            _ => {}
        }
    }
    if !concerns.is_empty() {
        out.push_str("\nCONCERNS:");
        for c in &concerns {
            out.push_str(&format!("\n• {c}"));
        }
    }
    if !suggestions.is_empty() {
        out.push_str("\nSUGGESTIONS:");
        for (n, s) in suggestions.iter().enumerate() {
            out.push_str(&format!("\n{}. {s}", n + 1));
        }
    } else if concerns.is_empty() {
        out.push_str("\nNo concerns: no conflicts, a lunch break and no long back-to-back runs.");
    }
    out.push('\n');
    out.push_str(&freshness);
    out
}
