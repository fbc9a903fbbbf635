//! Due times in request sentences ("by 5 PM today", "EOD Friday", "before Oct 6", "within two
//! weeks"), resolved on Spark against the email's own send time in the user's timezone (the
//! session's timezone while `mindy enrich` runs, so `to_date`, `hour` and `make_timestamp` are
//! local).
//!
//! Resolution, first cue that applies: a month and day (`Oct 6`, `6 October`; next year when that
//! is more than 60 days before the email), `the 25th` (this month, or the next when passed),
//! `tomorrow`, `next week` (its Friday), `end of week`/`this week` (this Friday), `end of month`,
//! a weekday (its next occurrence on or after the email's day; `next Friday`: after it),
//! `within N days/weeks`, `today`/`tonight`/`EOD`; a bare clock time means today if still ahead
//! of the email, else tomorrow. The time of day is the clock time when given, else noon for
//! `noon`/`morning`, 20:00 for `tonight`/`evening`, and 17:00 (end of the business day)
//! otherwise. A sentence without any cue has no due time.

use spark_client::types::IntoLiteral;

/// `Oct 6`, `October 6th`, `Sept. 30`.
pub const RE_MONTH_DAY: &str = r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b";
/// `6 Oct`, `6th of October`.
pub const RE_DAY_MONTH: &str = r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b";
/// `the 25th`.
pub const RE_NTH: &str = r"(?i)\bthe (\d{1,2})(?:st|nd|rd|th)\b";
/// A weekday, possibly `next Friday`; group 1 is `next `, group 2 the day.
pub const RE_WEEKDAY: &str =
    r"(?i)\b(next\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b";
/// `tomorrow`.
pub const RE_TOMORROW: &str = r"(?i)\btomorrow\b";
/// Today, with its time of day when one is said.
pub const RE_TODAY: &str = r"(?i)\b(?:today|tonight|this (?:morning|afternoon|evening)|eod|cob|end of (?:the )?day|close of business)\b";
/// `next week`, `end of next week`.
pub const RE_NEXT_WEEK: &str = r"(?i)\b(?:end of )?next week\b";
/// `end of week`, `EOW`, `this week`.
pub const RE_END_OF_WEEK: &str = r"(?i)\b(?:end of (?:the )?week|eow|this week)\b";
/// `end of month`, `month-end`.
pub const RE_END_OF_MONTH: &str = r"(?i)\b(?:end of (?:the )?month|month[- ]end|eom)\b";
/// `within two weeks`, `within 3 business days`; group 1 the count, group 2 the unit.
pub const RE_WITHIN: &str = r"(?i)\bwithin (?:the next )?(\d{1,2}|one|two|three|four|five|a|an) (day|business day|week)s?\b";
/// `5 PM`, `10:30am`; group 1 hour, 2 minutes, 3 `a`/`p`.
pub const RE_CLOCK: &str = r"(?i)\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\b";
/// `17:00`; group 1 hour, 2 minutes.
pub const RE_24H: &str = r"\b([01]?\d|2[0-3]):([0-5]\d)\b";
/// `noon`, `midday`.
pub const RE_NOON: &str = r"(?i)\b(?:noon|midday)\b";

/// The named parameters [`cues`] uses.
pub fn params() -> Vec<(&'static str, spark_client::types::Literal)> {
    [
        ("re_month_day", RE_MONTH_DAY),
        ("re_day_month", RE_DAY_MONTH),
        ("re_nth", RE_NTH),
        ("re_weekday", RE_WEEKDAY),
        ("re_tomorrow", RE_TOMORROW),
        ("re_today", RE_TODAY),
        ("re_next_week", RE_NEXT_WEEK),
        ("re_end_of_week", RE_END_OF_WEEK),
        ("re_end_of_month", RE_END_OF_MONTH),
        ("re_within", RE_WITHIN),
        ("re_clock", RE_CLOCK),
        ("re_24h", RE_24H),
        ("re_noon", RE_NOON),
    ]
    .into_iter()
    .map(|(name, pattern)| (name, pattern.into_literal()))
    .collect()
}

/// A struct of the due-time cues found in the text `x` (each the matched words, or `''`).
pub fn cues(x: &str) -> String {
    let fields = [
        ("x", x.to_string()),
        ("md_mon", format!("regexp_extract({x}, :re_month_day, 1)")),
        ("md_day", format!("regexp_extract({x}, :re_month_day, 2)")),
        ("md_text", format!("regexp_extract({x}, :re_month_day, 0)")),
        ("dm_day", format!("regexp_extract({x}, :re_day_month, 1)")),
        ("dm_mon", format!("regexp_extract({x}, :re_day_month, 2)")),
        ("dm_text", format!("regexp_extract({x}, :re_day_month, 0)")),
        ("nth", format!("regexp_extract({x}, :re_nth, 1)")),
        ("nth_text", format!("regexp_extract({x}, :re_nth, 0)")),
        ("wd_next", format!("regexp_extract({x}, :re_weekday, 1)")),
        ("wd", format!("regexp_extract({x}, :re_weekday, 2)")),
        ("wd_text", format!("regexp_extract({x}, :re_weekday, 0)")),
        ("tomorrow", format!("regexp_extract({x}, :re_tomorrow, 0)")),
        ("today", format!("regexp_extract({x}, :re_today, 0)")),
        (
            "next_week",
            format!("regexp_extract({x}, :re_next_week, 0)"),
        ),
        ("eow", format!("regexp_extract({x}, :re_end_of_week, 0)")),
        ("eom", format!("regexp_extract({x}, :re_end_of_month, 0)")),
        ("within_n", format!("regexp_extract({x}, :re_within, 1)")),
        ("within_unit", format!("regexp_extract({x}, :re_within, 2)")),
        ("within_text", format!("regexp_extract({x}, :re_within, 0)")),
        ("clock_h", format!("regexp_extract({x}, :re_clock, 1)")),
        ("clock_m", format!("regexp_extract({x}, :re_clock, 2)")),
        ("clock_ap", format!("regexp_extract({x}, :re_clock, 3)")),
        ("clock_text", format!("regexp_extract({x}, :re_clock, 0)")),
        ("h24", format!("regexp_extract({x}, :re_24h, 1)")),
        ("m24", format!("regexp_extract({x}, :re_24h, 2)")),
        ("h24_text", format!("regexp_extract({x}, :re_24h, 0)")),
        ("noon", format!("regexp_extract({x}, :re_noon, 0)")),
    ];
    let body: Vec<String> = fields
        .iter()
        .map(|(name, expr)| format!("'{name}', {expr}"))
        .collect();
    format!("named_struct({})", body.join(", "))
}

/// The month number of a month name's first three letters, as SQL.
fn month_no(name: &str) -> String {
    format!("((instr('janfebmaraprmayjunjulaugsepoctnovdec', lower(substring({name}, 1, 3))) + 2) div 3)")
}

/// A date of this year, or of the next when it is more than 60 days before `d`.
fn this_or_next_year(d: &str, month: &str, day: &str) -> String {
    let date = format!("make_date(year({d}), {month}, cast({day} AS INT))");
    format!("CASE WHEN {date} < date_sub({d}, 60) THEN add_months({date}, 12) ELSE {date} END")
}

/// The due day of cues `c` (from [`cues`]), for an email sent at local time `ts`; null without
/// a cue.
fn due_day(c: &str, ts: &str) -> String {
    let d = format!("to_date({ts})");
    let md = this_or_next_year(
        &d,
        &month_no(&format!("{c}.md_mon")),
        &format!("{c}.md_day"),
    );
    let dm = this_or_next_year(
        &d,
        &month_no(&format!("{c}.dm_mon")),
        &format!("{c}.dm_day"),
    );
    let nth = format!("make_date(year({d}), month({d}), cast({c}.nth AS INT))");
    let count = format!(
        "CASE lower({c}.within_n) WHEN 'one' THEN 1 WHEN 'a' THEN 1 WHEN 'an' THEN 1 WHEN 'two' THEN 2 \
         WHEN 'three' THEN 3 WHEN 'four' THEN 4 WHEN 'five' THEN 5 ELSE cast({c}.within_n AS INT) END"
    );
    let weekday = format!("substring({c}.wd, 1, 3)");
    format!(
        "CASE WHEN {c}.md_mon <> '' THEN {md} \
         WHEN {c}.dm_mon <> '' THEN {dm} \
         WHEN {c}.nth <> '' THEN CASE WHEN {nth} < {d} THEN add_months({nth}, 1) ELSE {nth} END \
         WHEN {c}.tomorrow <> '' THEN date_add({d}, 1) \
         WHEN {c}.next_week <> '' THEN date_add(next_day({d}, 'Mon'), 4) \
         WHEN {c}.eow <> '' THEN next_day(date_sub({d}, 1), 'Fri') \
         WHEN {c}.eom <> '' THEN last_day({d}) \
         WHEN {c}.wd <> '' AND {c}.wd_next <> '' THEN next_day({d}, {weekday}) \
         WHEN {c}.wd <> '' THEN next_day(date_sub({d}, 1), {weekday}) \
         WHEN {c}.within_n <> '' THEN date_add({d}, {count} * CASE WHEN lower({c}.within_unit) = 'week' THEN 7 ELSE 1 END) \
         WHEN {c}.today <> '' THEN {d} \
         WHEN {has_time} THEN CASE WHEN {minutes} > hour({ts}) * 60 + minute({ts}) THEN {d} ELSE date_add({d}, 1) END \
         END",
        has_time = has_time(c),
        minutes = due_minutes(c),
    )
}

fn has_time(c: &str) -> String {
    format!("({c}.clock_h <> '' OR {c}.h24 <> '' OR {c}.noon <> '')")
}

/// The due time of day of cues `c`, in minutes after midnight.
fn due_minutes(c: &str) -> String {
    format!(
        "CASE WHEN {c}.clock_h <> '' AND cast({c}.clock_h AS INT) BETWEEN 1 AND 12 \
           THEN (cast({c}.clock_h AS INT) % 12 + CASE WHEN lower({c}.clock_ap) = 'p' THEN 12 ELSE 0 END) * 60 \
                + coalesce(cast(nullif({c}.clock_m, '') AS INT), 0) \
         WHEN {c}.h24 <> '' THEN cast({c}.h24 AS INT) * 60 + cast({c}.m24 AS INT) \
         WHEN {c}.noon <> '' THEN 720 \
         WHEN lower({c}.today) rlike 'eod|cob|end of|close of' THEN 1020 \
         WHEN lower({c}.today) LIKE '%morning%' THEN 720 \
         WHEN lower({c}.today) rlike 'tonight|evening' THEN 1200 \
         ELSE 1020 END"
    )
}

/// `named_struct('x', STRING, 'day', DATE, 'minutes', INT, 'text', STRING)`: the due day, time
/// of day and the words they were read from, for cues `c` (from [`cues`]) of an email sent at
/// local time `ts`; `day` and `text` are null when the text gives no due time.
pub fn due_parts(c: &str, ts: &str) -> String {
    let day_text = format!(
        "coalesce(nullif({c}.md_text, ''), nullif({c}.dm_text, ''), nullif({c}.nth_text, ''), \
         nullif({c}.tomorrow, ''), nullif({c}.next_week, ''), nullif({c}.eow, ''), nullif({c}.eom, ''), \
         nullif({c}.wd_text, ''), nullif({c}.within_text, ''), nullif({c}.today, ''))"
    );
    let time_text = format!(
        "coalesce(nullif({c}.clock_text, ''), nullif({c}.h24_text, ''), nullif({c}.noon, ''))"
    );
    format!(
        "named_struct('x', {c}.x, 'day', {day}, 'minutes', {minutes}, \
           'text', nullif(concat_ws(' ', {day_text}, {time_text}), ''))",
        day = due_day(c, ts),
        minutes = due_minutes(c),
    )
}

/// The due time (TIMESTAMP, in the session's timezone) of parts `z` (from [`due_parts`]).
pub fn due_at(z: &str) -> String {
    format!(
        "make_timestamp(year({z}.day), month({z}.day), day({z}.day), {z}.minutes div 60, {z}.minutes % 60, 0)"
    )
}

/// The words of parts `z` when they give a due day, else null.
pub fn due_text(z: &str) -> String {
    format!("CASE WHEN {z}.day IS NOT NULL THEN {z}.text END")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cues_find_their_words() {
        let re = |p: &str| regex::Regex::new(p).unwrap();
        let caps = |p: &str, t: &str, i: usize| {
            re(p)
                .captures(t)
                .and_then(|c| c.get(i))
                .map(|m| m.as_str().to_string())
        };
        assert_eq!(caps(RE_MONTH_DAY, "before Oct 6", 2).as_deref(), Some("6"));
        assert_eq!(
            caps(RE_DAY_MONTH, "by the 6th of October", 2).as_deref(),
            Some("Oct")
        );
        assert_eq!(
            caps(RE_WEEKDAY, "before Thursday's pricing committee", 2).as_deref(),
            Some("Thursday")
        );
        assert_eq!(caps(RE_CLOCK, "by 5 PM today", 1).as_deref(), Some("5"));
        assert_eq!(caps(RE_CLOCK, "at 10:30am", 2).as_deref(), Some("30"));
        assert!(re(RE_TODAY).is_match("EOD Friday"));
        assert_eq!(
            caps(RE_WITHIN, "within two weeks", 1).as_deref(),
            Some("two")
        );
        assert!(caps(RE_MONTH_DAY, "you may be right", 0).is_none());
    }

    #[test]
    fn every_cue_is_bound_as_a_parameter() {
        let names: Vec<&str> = params().iter().map(|(n, _)| *n).collect();
        let sql = format!("{} {}", cues("x"), due_parts("c", "ts"));
        for used in sql.split(':').skip(1) {
            let name: String = used
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            assert!(names.contains(&name.as_str()), "unbound :{name}");
        }
    }
}
