//! Date expressions in questions: relative days, weeks, months, weekdays and named dates, all
//! resolved against "today" in the user's timezone (the caller passes it; the parser never reads
//! the clock, so tests pin it).

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// An inclusive range of calendar days with the words the user used for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// First day.
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
    /// How the answer names it: "yesterday", "last week", "Monday 23 November 2026".
    pub label: String,
}

impl DateRange {
    /// A one-day range.
    pub fn day(date: NaiveDate, label: impl Into<String>) -> Self {
        DateRange {
            start: date,
            end: date,
            label: label.into(),
        }
    }

    /// Number of days covered.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// Whether it is a single day.
    pub fn is_day(&self) -> bool {
        self.start == self.end
    }

    /// The same length moved by `days` (negative: back in time), labelled by its dates.
    pub fn shifted(&self, days: i64) -> Self {
        let start = self.start + Duration::days(days);
        let end = self.end + Duration::days(days);
        DateRange {
            start,
            end,
            label: describe(start, end),
        }
    }

    /// The SQL condition on a `date` column, with literal dates (the SQL is shown to the user).
    pub fn sql_condition(&self) -> String {
        self.sql_condition_on("date")
    }

    /// The SQL condition on the date column `column`.
    pub fn sql_condition_on(&self, column: &str) -> String {
        if self.is_day() {
            format!("{column} = DATE '{}'", self.start)
        } else {
            format!(
                "{column} BETWEEN DATE '{}' AND DATE '{}'",
                self.start, self.end
            )
        }
    }

    /// The label followed by the concrete dates, for answers: "yesterday (Wed 25 Nov 2026)".
    pub fn spelled(&self) -> String {
        let dates = describe(self.start, self.end);
        if dates == self.label {
            dates
        } else {
            format!("{} ({dates})", self.label)
        }
    }
}

/// How the answers name the period `start..=end` seen from `today`: "today", "tomorrow",
/// "yesterday", "this week" / "next week" (whole weeks, Monday to Sunday), else its dates
/// ([`describe`]).
pub fn name(start: NaiveDate, end: NaiveDate, today: NaiveDate) -> String {
    let day = |n: i64| today + Duration::days(n);
    let monday = day(-(today.weekday().num_days_from_monday() as i64));
    match (start, end) {
        (s, e) if s == e && s == today => "today".into(),
        (s, e) if s == e && s == day(1) => "tomorrow".into(),
        (s, e) if s == e && s == day(-1) => "yesterday".into(),
        (s, e) if s == monday && e == monday + Duration::days(6) => "this week".into(),
        (s, e) if s == monday + Duration::days(7) && e == monday + Duration::days(13) => {
            "next week".into()
        }
        (s, e) => describe(s, e),
    }
}

/// "Wed 25 Nov 2026" or "Mon 16 Nov – Sun 22 Nov 2026".
pub fn describe(start: NaiveDate, end: NaiveDate) -> String {
    if start == end {
        start.format("%a %-d %b %Y").to_string()
    } else {
        format!(
            "{} – {}",
            start.format("%a %-d %b"),
            end.format("%a %-d %b %Y")
        )
    }
}

/// A date expression found in a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A range on its own ("yesterday", "last week", "2026-11-20").
    Range(DateRange),
    /// A range relative to another one ("the day before": -1 day; "the week before": -7 days;
    /// "before that": minus the other range's length, given as 0).
    Shift(i64),
}

/// A date expression and where it was: tokens `at..at + len`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// First token.
    pub at: usize,
    /// Tokens used.
    pub len: usize,
    /// What it means.
    pub found: Found,
}

/// Every date expression in `tokens`, left to right, not overlapping.
pub fn find(tokens: &[&str], today: NaiveDate) -> Vec<Match> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match at(&tokens[i..], today) {
            Some((len, found)) => {
                out.push(Match { at: i, len, found });
                i += len;
            }
            None => i += 1,
        }
    }
    out
}

/// A number written with digits or as a word (up to twenty).
pub fn number(token: &str) -> Option<u32> {
    if let Ok(n) = token.parse::<u32>() {
        return Some(n);
    }
    const WORDS: &[&str] = &[
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    WORDS.iter().position(|w| *w == token).map(|n| n as u32)
}

/// The expression starting at `t[0]`, if any: (tokens used, meaning).
fn at(t: &[&str], today: NaiveDate) -> Option<(usize, Found)> {
    let day = |d: NaiveDate, label: &str| Found::Range(DateRange::day(d, label));
    let w = |i: usize| t.get(i).copied().unwrap_or("");
    let yesterday = today - Duration::days(1);
    // Longest phrases first: "the day before yesterday" must not read as "the day before".
    if w(0) == "the" && w(1) == "day" && w(2) == "before" && w(3) == "yesterday" {
        return Some((
            4,
            day(today - Duration::days(2), "the day before yesterday"),
        ));
    }
    if w(0) == "day" && w(1) == "before" && w(2) == "yesterday" {
        return Some((
            3,
            day(today - Duration::days(2), "the day before yesterday"),
        ));
    }
    let tomorrow = today + Duration::days(1);
    if w(0) == "the" && w(1) == "day" && w(2) == "after" && w(3) == "tomorrow" {
        return Some((
            4,
            day(tomorrow + Duration::days(1), "the day after tomorrow"),
        ));
    }
    if w(0) == "day" && w(1) == "after" && w(2) == "tomorrow" {
        return Some((
            3,
            day(tomorrow + Duration::days(1), "the day after tomorrow"),
        ));
    }
    if let Some(shift) = relative(t) {
        return Some(shift);
    }
    match w(0) {
        // "today's", "yesterday's" lose their apostrophe in normalisation.
        "today" | "todays" | "tonight" => return Some((1, day(today, "today"))),
        "tomorrow" | "tomorrows" => return Some((1, day(tomorrow, "tomorrow"))),
        "yesterday" | "yesterdays" => return Some((1, day(yesterday, "yesterday"))),
        _ => {}
    }
    if let Some(found) = day_of_week(t, today) {
        return Some(found);
    }
    if let Some(found) = period(t, today) {
        return Some(found);
    }
    if let Some(found) = weekday(t, today) {
        return Some(found);
    }
    if let Some(found) = ago(t, today) {
        return Some(found);
    }
    named(t, today)
}

/// "the day before", "the previous day", "the day after", "the week before", "before that".
fn relative(t: &[&str]) -> Option<(usize, Found)> {
    let w = |i: usize| t.get(i).copied().unwrap_or("");
    let skip = usize::from(w(0) == "the");
    let (a, b) = (w(skip), w(skip + 1));
    let unit = |u: &str| match u {
        "day" => Some(1),
        "week" => Some(7),
        _ => None,
    };
    if let (Some(n), "before" | "earlier") = (unit(a), b) {
        return Some((skip + 2, Found::Shift(-n)));
    }
    if let (Some(n), "after" | "later") = (unit(a), b) {
        return Some((skip + 2, Found::Shift(n)));
    }
    if skip == 1 && a == "previous" && b == "day" {
        return Some((3, Found::Shift(-1)));
    }
    if skip == 1 && a == "next" && b == "day" {
        return Some((3, Found::Shift(1)));
    }
    if w(0) == "before" && w(1) == "that" {
        return Some((2, Found::Shift(0)));
    }
    None
}

/// "this week", "last week", "past week", "this month", "last month", "last 3 days",
/// "past two weeks", "so far this week".
fn period(t: &[&str], today: NaiveDate) -> Option<(usize, Found)> {
    let w = |i: usize| t.get(i).copied().unwrap_or("");
    let range = |start: NaiveDate, end: NaiveDate, label: String| {
        Found::Range(DateRange { start, end, label })
    };
    let week_start = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    let month_start = today.with_day(1)?;
    match (w(0), w(1)) {
        ("this" | "current", "week") => {
            return Some((2, range(week_start, today, "this week".into())))
        }
        ("last" | "previous", "week") => {
            let start = week_start - Duration::days(7);
            return Some((
                2,
                range(start, start + Duration::days(6), "last week".into()),
            ));
        }
        ("next" | "coming", "week") => {
            let start = week_start + Duration::days(7);
            return Some((
                2,
                range(start, start + Duration::days(6), "next week".into()),
            ));
        }
        ("past", "week") => {
            return Some((
                2,
                range(today - Duration::days(6), today, "the past 7 days".into()),
            ))
        }
        ("this" | "current", "month") => {
            return Some((2, range(month_start, today, "this month".into())))
        }
        ("last" | "previous", "month") | ("past", "month") => {
            let start = month_start.checked_sub_months(Months::new(1))?;
            let end = month_start - Duration::days(1);
            return Some((2, range(start, end, "last month".into())));
        }
        _ => {}
    }
    if matches!(w(0), "last" | "past" | "previous") {
        let n = number(w(1))?;
        if n == 0 || n > 366 {
            return None;
        }
        let days = match w(2) {
            "day" | "days" => n as i64,
            "week" | "weeks" => 7 * n as i64,
            _ => return None,
        };
        let unit = if days == 7 * n as i64 && w(2).starts_with("week") {
            "weeks"
        } else {
            "days"
        };
        let label = match (n, unit) {
            (1, "days") => "the last day".to_string(),
            (1, _) => "the last week".to_string(),
            _ => format!("the last {n} {unit}"),
        };
        return Some((3, range(today - Duration::days(days - 1), today, label)));
    }
    None
}

/// A weekday named together with its week, one expression: "wednesday last week", "on
/// wednesday of last week", "last week on wednesday", "this week's friday" (normalised "this
/// weeks friday"). Read apart, the two would be two ranges (a weekday of this week and the whole
/// of last week) and the question would compare them.
fn day_of_week(t: &[&str], today: NaiveDate) -> Option<(usize, Found)> {
    let w = |i: usize| t.get(i).copied().unwrap_or("");
    let on_day = |monday: NaiveDate, day: Weekday| {
        let date = monday + Duration::days(day.num_days_from_monday() as i64);
        Found::Range(DateRange::day(
            date,
            date.format("%A %-d %B %Y").to_string(),
        ))
    };
    // Weekday first: "[on] wednesday [of|in] last week".
    let skip = usize::from(w(0) == "on");
    if let Some(day) = parse_weekday(w(skip)) {
        let mut j = skip + 1;
        if matches!(w(j), "of" | "in" | "during") {
            j += 1;
        }
        if let Some((len, monday)) = t.get(j..).and_then(|rest| week(rest, today)) {
            return Some((j + len, on_day(monday, day)));
        }
    }
    // Week first: "last week [on] wednesday", "last weeks wednesday".
    let (len, monday) = week(t, today)?;
    let j = len + usize::from(w(len) == "on");
    let day = parse_weekday(w(j))?;
    Some((j + 1, on_day(monday, day)))
}

/// "this week", "last week" (and their possessives): (tokens used, the week's Monday).
fn week(t: &[&str], today: NaiveDate) -> Option<(usize, NaiveDate)> {
    let w = |i: usize| t.get(i).copied().unwrap_or("");
    let this_monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    let monday = match (w(0), w(1)) {
        ("this" | "current", "week" | "weeks") => this_monday,
        ("last" | "previous", "week" | "weeks") => this_monday - Duration::days(7),
        _ => return None,
    };
    Some((2, monday))
}

/// "monday", "on monday", "last monday", "this monday": the most recent such day (today counts
/// unless "last" is said).
fn weekday(t: &[&str], today: NaiveDate) -> Option<(usize, Found)> {
    let w = |i: usize| t.get(i).copied().unwrap_or("");
    let (skip, strictly_before) = match w(0) {
        "last" | "previous" => (1, true),
        "this" | "on" => (1, false),
        _ => (0, false),
    };
    let target = parse_weekday(w(skip))?;
    let mut back = (7 + today.weekday().num_days_from_monday() as i64
        - target.num_days_from_monday() as i64)
        % 7;
    if back == 0 && strictly_before {
        back = 7;
    }
    let date = today - Duration::days(back);
    let label = if back == 0 {
        "today".to_string()
    } else {
        date.format("%A %-d %B %Y").to_string()
    };
    Some((skip + 1, Found::Range(DateRange::day(date, label))))
}

/// "monday", "mondays" → Monday.
pub fn parse_weekday(token: &str) -> Option<Weekday> {
    let token = token
        .strip_suffix('s')
        .filter(|s| s.ends_with("day"))
        .unwrap_or(token);
    Some(match token {
        "monday" => Weekday::Mon,
        "tuesday" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" => Weekday::Thu,
        "friday" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        "sunday" => Weekday::Sun,
        _ => return None,
    })
}

/// "3 days ago", "a week ago", "two weeks ago".
fn ago(t: &[&str], today: NaiveDate) -> Option<(usize, Found)> {
    let w = |i: usize| t.get(i).copied().unwrap_or("");
    let n = if w(0) == "a" || w(0) == "one" {
        1
    } else {
        number(w(0))?
    };
    let days = match (w(1), w(2)) {
        ("day" | "days", "ago") => n as i64,
        ("week" | "weeks", "ago") => 7 * n as i64,
        _ => return None,
    };
    let date = today - Duration::days(days);
    Some((
        3,
        Found::Range(DateRange::day(
            date,
            date.format("%A %-d %B %Y").to_string(),
        )),
    ))
}

/// "2026-11-20", "november 20", "nov 20th 2026", "20 november", "the 20th of november".
fn named(t: &[&str], today: NaiveDate) -> Option<(usize, Found)> {
    let w = |i: usize| t.get(i).copied().unwrap_or("");
    if let Ok(date) = NaiveDate::parse_from_str(w(0), "%Y-%m-%d") {
        return Some((1, found_day(date)));
    }
    let skip = usize::from(w(0) == "the");
    // month day [year]
    if let (Some(month), Some(d)) = (month(w(0)), ordinal(w(1))) {
        let (year, used) = year(w(2));
        return resolve(today, year, month, d).map(|date| (2 + used, found_day(date)));
    }
    // [the] day [of] month [year]
    let d = ordinal(w(skip))?;
    let of = usize::from(w(skip + 1) == "of");
    let m = month(w(skip + 1 + of))?;
    let (year, used) = year(w(skip + 2 + of));
    resolve(today, year, m, d).map(|date| (skip + 2 + of + used, found_day(date)))
}

fn found_day(date: NaiveDate) -> Found {
    Found::Range(DateRange::day(
        date,
        date.format("%A %-d %B %Y").to_string(),
    ))
}

/// The named day; without a year, the most recent one that is not in the future.
fn resolve(today: NaiveDate, year: Option<i32>, month: u32, day: u32) -> Option<NaiveDate> {
    match year {
        Some(y) => NaiveDate::from_ymd_opt(y, month, day),
        None => {
            let this = NaiveDate::from_ymd_opt(today.year(), month, day);
            match this {
                Some(d) if d <= today => Some(d),
                _ => NaiveDate::from_ymd_opt(today.year() - 1, month, day),
            }
        }
    }
}

fn year(token: &str) -> (Option<i32>, usize) {
    match token.parse::<i32>() {
        Ok(y) if (1970..=2200).contains(&y) => (Some(y), 1),
        _ => (None, 0),
    }
}

fn ordinal(token: &str) -> Option<u32> {
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| token.strip_suffix(s))
        .unwrap_or(token);
    let n: u32 = digits.parse().ok()?;
    (1..=31).contains(&n).then_some(n)
}

/// A month name or abbreviation (shared with the mail header parser).
fn month(token: &str) -> Option<u32> {
    mindy_core::words::month(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Thursday 26 November 2026.
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn one(text: &str) -> Found {
        let tokens: Vec<&str> = text.split(' ').collect();
        let found = find(&tokens, today());
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        found[0].found.clone()
    }

    fn range(text: &str) -> (String, String) {
        match one(text) {
            Found::Range(r) => (r.start.to_string(), r.end.to_string()),
            other => panic!("{text}: {other:?}"),
        }
    }

    fn d(s: &str) -> (String, String) {
        (s.to_string(), s.to_string())
    }

    #[test]
    fn relative_days() {
        assert_eq!(range("today"), d("2026-11-26"));
        assert_eq!(range("yesterday"), d("2026-11-25"));
        assert_eq!(range("the day before yesterday"), d("2026-11-24"));
        assert_eq!(range("3 days ago"), d("2026-11-23"));
        assert_eq!(range("a week ago"), d("2026-11-19"));
        assert_eq!(range("tomorrow"), d("2026-11-27"));
        assert_eq!(range("the day after tomorrow"), d("2026-11-28"));
        assert_eq!(
            range("next week"),
            ("2026-11-30".into(), "2026-12-06".into())
        );
    }

    #[test]
    fn weeks_and_months() {
        assert_eq!(
            range("this week"),
            ("2026-11-23".into(), "2026-11-26".into())
        );
        assert_eq!(
            range("last week"),
            ("2026-11-16".into(), "2026-11-22".into())
        );
        assert_eq!(
            range("past week"),
            ("2026-11-20".into(), "2026-11-26".into())
        );
        assert_eq!(
            range("last 7 days"),
            ("2026-11-20".into(), "2026-11-26".into())
        );
        assert_eq!(
            range("past three days"),
            ("2026-11-24".into(), "2026-11-26".into())
        );
        assert_eq!(
            range("last 2 weeks"),
            ("2026-11-13".into(), "2026-11-26".into())
        );
        assert_eq!(
            range("this month"),
            ("2026-11-01".into(), "2026-11-26".into())
        );
        assert_eq!(
            range("last month"),
            ("2026-10-01".into(), "2026-10-31".into())
        );
    }

    #[test]
    fn weekdays() {
        assert_eq!(range("monday"), d("2026-11-23"));
        assert_eq!(range("on tuesday"), d("2026-11-24"));
        assert_eq!(range("last thursday"), d("2026-11-19"));
        assert_eq!(range("thursday"), d("2026-11-26"));
        assert_eq!(range("friday"), d("2026-11-20"));
    }

    #[test]
    fn named_dates() {
        assert_eq!(range("2026-11-20"), d("2026-11-20"));
        assert_eq!(range("november 20"), d("2026-11-20"));
        assert_eq!(range("nov 20th"), d("2026-11-20"));
        assert_eq!(range("the 20th of november"), d("2026-11-20"));
        assert_eq!(range("20 nov 2025"), d("2025-11-20"));
        // Without a year, a future date means last year's.
        assert_eq!(range("december 24"), d("2025-12-24"));
    }

    #[test]
    fn shifts() {
        assert_eq!(one("the day before"), Found::Shift(-1));
        assert_eq!(one("the previous day"), Found::Shift(-1));
        assert_eq!(one("the week before"), Found::Shift(-7));
        assert_eq!(one("before that"), Found::Shift(0));
    }

    #[test]
    fn a_weekday_of_a_named_week_is_one_day() {
        assert_eq!(range("wednesday last week"), d("2026-11-18"));
        assert_eq!(range("on wednesday last week"), d("2026-11-18"));
        assert_eq!(range("wednesday of last week"), d("2026-11-18"));
        assert_eq!(range("last week on friday"), d("2026-11-20"));
        assert_eq!(range("last weeks monday"), d("2026-11-16"));
        assert_eq!(range("tuesday this week"), d("2026-11-24"));
        // Alone, each keeps its meaning.
        assert_eq!(range("wednesday"), d("2026-11-25"));
        assert_eq!(
            range("last week"),
            ("2026-11-16".into(), "2026-11-22".into())
        );
    }

    #[test]
    fn may_is_a_month_only_with_a_day() {
        let tokens = ["may", "i", "ask"];
        assert!(find(&tokens, today()).is_empty());
    }

    #[test]
    fn periods_are_named_as_the_answers_say_them() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Thursday 26 November 2026.
        let today = day("2026-11-26");
        assert_eq!(name(today, today, today), "today");
        assert_eq!(
            name(day("2026-11-27"), day("2026-11-27"), today),
            "tomorrow"
        );
        assert_eq!(
            name(day("2026-11-25"), day("2026-11-25"), today),
            "yesterday"
        );
        assert_eq!(
            name(day("2026-11-23"), day("2026-11-29"), today),
            "this week"
        );
        assert_eq!(
            name(day("2026-11-30"), day("2026-12-06"), today),
            "next week"
        );
        assert_eq!(
            name(day("2026-11-23"), day("2026-11-26"), today),
            "Mon 23 Nov – Thu 26 Nov 2026"
        );
    }
}
