//! Gold: meeting patterns, from the silver tables (views `calendar_days_now`,
//! `calendar_attendees_now`), bronze (`calendar_events`) and the change history
//! (`calendar_changes`), as of a day in the user's zone.
//!
//! - `calendar_weeks`: per ISO week (Monday first): meetings and their hours against working
//!   hours (five working days), the busiest day, conflicts, 1-on-1s, free time.
//! - `calendar_patterns`: the 30 days ending on the as-of day: the share of working hours in
//!   meetings, meetings per working day, the busiest and lightest weekday by average meeting
//!   time, working days without a free lunch slot — and meetings that ran over, **when the data
//!   shows it**: a meeting whose end the source moved later by an edit made at or after its
//!   start (its `updated` time). `overrun_observed_meetings` counts the meetings edited at or
//!   after their start at all; when it is 0 the calendar says nothing about overruns, and
//!   `avg_overrun_minutes` is null.
//! - `calendar_one_on_ones`: per 1-on-1 counterpart, and per configured direct report even
//!   without any (`--direct-reports`): 1-on-1s in the 30 days, the last and the next.

use chrono::NaiveDate;
use spark_client::{DataFrame, SparkSession};

use super::silver::WorkingHours;
use crate::Result;

const WEEKS: &str = "
WITH d AS (SELECT *, CAST(date_trunc('WEEK', date) AS DATE) AS week_start FROM calendar_days_now),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY week_start ORDER BY meeting_minutes DESC, meeting_count DESC, date) AS rank
  FROM d
)
SELECT week_start,
  CAST(sum(meeting_count) AS INT) AS meeting_count,
  CAST(round(sum(meeting_minutes) / 60.0, 2) AS DOUBLE) AS meeting_hours,
  CAST(round(5 * :work_minutes / 60.0, 2) AS DOUBLE) AS working_hours,
  CAST(round(100.0 * sum(CASE WHEN dayofweek(date) NOT IN (1, 7) THEN meeting_minutes ELSE 0 END) / (5 * :work_minutes), 1) AS DOUBLE)
    AS meeting_share_pct,
  max(CASE WHEN rank = 1 THEN date END) AS busiest_date,
  max(CASE WHEN rank = 1 THEN weekday END) AS busiest_weekday,
  max(CASE WHEN rank = 1 THEN meeting_count END) AS busiest_date_meetings,
  max(CASE WHEN rank = 1 THEN meeting_hours END) AS busiest_date_hours,
  CAST(sum(conflict_count) AS INT) AS conflict_count,
  CAST(sum(one_on_one_count) AS INT) AS one_on_one_count,
  max(longest_back_to_back_minutes) AS longest_back_to_back_minutes,
  CAST(count_if(meeting_count > 0 AND NOT lunch_free AND dayofweek(date) NOT IN (1, 7)) AS INT) AS days_without_lunch
FROM ranked GROUP BY week_start
";

const PATTERNS: &str = "
WITH span AS (SELECT explode(sequence(date_sub(:as_of, 29), :as_of)) AS date),
days AS (
  SELECT s.date, date_format(s.date, 'EEEE') AS weekday, dayofweek(s.date) NOT IN (1, 7) AS working,
         coalesce(d.meeting_count, 0) AS mc, coalesce(d.meeting_minutes, 0) AS mm,
         coalesce(d.one_on_one_count, 0) AS oo, coalesce(d.conflict_count, 0) AS cc,
         coalesce(d.lunch_free, true) AS lunch_free
  FROM span s LEFT JOIN calendar_days_now d ON d.date = s.date
),
by_weekday AS (SELECT weekday, avg(mm) AS avg_minutes FROM days WHERE working GROUP BY weekday),
meetings AS (
  SELECT id, starts_at FROM calendar_events
  WHERE is_meeting AND local_date BETWEEN date_sub(:as_of, 29) AND :as_of AND `end` IS NOT NULL
),
versions AS (
  SELECT m.id, m.starts_at, c.updated, c.`end` AS end_at
  FROM calendar_changes c JOIN meetings m ON m.id = c.id
  WHERE c.kind = 'instance' AND c.status <> 'cancelled' AND c.`end` IS NOT NULL
),
per_meeting AS (
  SELECT id,
    max_by(end_at, updated) FILTER (WHERE updated < starts_at) AS planned_end,
    max(end_at) FILTER (WHERE updated >= starts_at) AS final_end
  FROM versions GROUP BY id
),
overruns AS (
  SELECT count_if(final_end IS NOT NULL) AS observed,
         count_if(final_end > planned_end) AS overran,
         avg(CASE WHEN final_end > planned_end THEN (unix_timestamp(final_end) - unix_timestamp(planned_end)) / 60.0 END) AS avg_minutes
  FROM per_meeting
)
SELECT 'last_30_days' AS period, :as_of AS as_of, date_sub(:as_of, 29) AS period_start,
  CAST(count_if(working) AS INT) AS working_days,
  CAST(sum(mc) AS INT) AS meeting_count,
  CAST(round(sum(mm) / 60.0, 2) AS DOUBLE) AS meeting_hours,
  CAST(round(count_if(working) * :work_minutes / 60.0, 2) AS DOUBLE) AS working_hours,
  CAST(round(100.0 * sum(CASE WHEN working THEN mm ELSE 0 END) / nullif(count_if(working) * :work_minutes, 0), 1) AS DOUBLE) AS meeting_share_pct,
  CAST(round(sum(CASE WHEN working THEN mc ELSE 0 END) / nullif(count_if(working), 0), 2) AS DOUBLE) AS avg_meetings_per_working_day,
  (SELECT weekday FROM by_weekday ORDER BY avg_minutes DESC, weekday LIMIT 1) AS busiest_weekday,
  (SELECT CAST(round(max(avg_minutes) / 60.0, 2) AS DOUBLE) FROM by_weekday) AS busiest_weekday_avg_hours,
  (SELECT weekday FROM by_weekday ORDER BY avg_minutes, weekday LIMIT 1) AS lightest_weekday,
  CAST(sum(oo) AS INT) AS one_on_one_count,
  CAST(sum(cc) AS INT) AS conflict_count,
  CAST(count_if(working AND mc > 0 AND NOT lunch_free) AS INT) AS days_without_lunch,
  (SELECT CAST(observed AS INT) FROM overruns) AS overrun_observed_meetings,
  (SELECT CAST(overran AS INT) FROM overruns) AS overrun_meetings,
  (SELECT CAST(round(avg_minutes, 1) AS DOUBLE) FROM overruns) AS avg_overrun_minutes
FROM days
";

const ONE_ON_ONES: &str = "
WITH oo AS (
  SELECT counterpart_address AS address, local_date FROM calendar_events
  WHERE is_one_on_one AND counterpart_address IS NOT NULL
),
reports AS (SELECT explode({reports}) AS address),
people AS (SELECT address FROM oo UNION SELECT address FROM reports),
names AS (SELECT address, max(name) AS name FROM calendar_attendees_now GROUP BY address)
SELECT p.address AS counterpart_address, first(n.name) AS counterpart_name,
  array_contains({reports}, p.address) AS is_direct_report,
  CAST(count(CASE WHEN o.local_date BETWEEN date_sub(:as_of, 29) AND :as_of THEN 1 END) AS INT) AS one_on_ones_30d,
  max(CASE WHEN o.local_date <= :as_of THEN o.local_date END) AS last_date,
  min(CASE WHEN o.local_date > :as_of THEN o.local_date END) AS next_date,
  :as_of AS as_of
FROM people p LEFT JOIN oo o ON o.address = p.address LEFT JOIN names n ON n.address = p.address
GROUP BY p.address
";

/// The gold tables' contents, as computed now.
pub struct Gold {
    /// `calendar_weeks`.
    pub weeks: DataFrame,
    /// `calendar_patterns`.
    pub patterns: DataFrame,
    /// `calendar_one_on_ones`.
    pub one_on_ones: DataFrame,
}

/// Computes the gold tables as of `as_of`; `direct_reports` are lower-case addresses.
pub async fn compute(
    session: &SparkSession,
    hours: WorkingHours,
    as_of: NaiveDate,
    direct_reports: &[String],
) -> Result<Gold> {
    let weeks = session
        .sql(WEEKS)
        .arg("work_minutes", hours.minutes())
        .await?;
    let patterns = session
        .sql(PATTERNS)
        .arg("as_of", as_of)
        .arg("work_minutes", hours.minutes())
        .await?;
    let one_on_ones = session
        .sql(ONE_ON_ONES.replace("{reports}", &string_array(direct_reports)))
        .arg("as_of", as_of)
        .await?;
    Ok(Gold {
        weeks,
        patterns,
        one_on_ones,
    })
}

/// `array('a@x', 'b@y')` as a SQL literal (an empty array of strings when there are none).
fn string_array(values: &[String]) -> String {
    if values.is_empty() {
        return "CAST(array() AS ARRAY<STRING>)".into();
    }
    let quoted: Vec<String> = values
        .iter()
        .map(|v| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'")))
        .collect();
    format!("array({})", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_are_quoted() {
        assert_eq!(
            string_array(&["a@x.example".into(), "o'brien@x.example".into()]),
            r"array('a@x.example', 'o\'brien@x.example')"
        );
        assert_eq!(string_array(&[]), "CAST(array() AS ARRAY<STRING>)");
    }
}
