//! Recurrence expansion (RFC 5545 §3.8.5) with the `rrule` crate, in wall-clock time.
//!
//! RFC 5545 repeats an event in the local time of its `DTSTART`: a weekly 09:00 meeting in New
//! York stays at 09:00 across daylight-saving changes, so its UTC time moves by an hour. The
//! expansion therefore runs on wall-clock times (handed to `rrule` as if they were UTC, where no
//! clock ever changes), and the caller turns each occurrence into an instant with the event's
//! zone afterwards ([`super::zone::Zone::to_utc`]). The one field that is not wall-clock time is
//! `UNTIL` when written in UTC (`...Z`, as RFC 5545 requires for a zoned `DTSTART`): it is
//! converted to the event's wall-clock time first.

use chrono::{NaiveDateTime, TimeZone};
use rrule::{RRule, Tz, Unvalidated};

/// Why a recurrence could not be expanded.
#[derive(Debug, thiserror::Error)]
pub enum RecurError {
    /// The `rrule` crate refused the rule.
    #[error("RRULE {rule:?}: {message}")]
    Rule {
        /// The rule as written.
        rule: String,
        /// Why.
        message: String,
    },
    /// The window holds more occurrences than the expander returns at once, or the rule
    /// produced none for too long (the `rrule` crate's loop limits).
    #[error("RRULE {0:?} has more occurrences in the window than can be expanded (65,535)")]
    TooMany(String),
}

/// The wall-clock starts of `rule` (an `RRULE` value such as `FREQ=WEEKLY;BYDAY=MO`) for an
/// event starting at `start`, within `[from, to]` (inclusive, wall-clock). `to_local` turns a
/// UTC `UNTIL` into the event's wall-clock time.
pub fn expand_rule(
    rule: &str,
    start: NaiveDateTime,
    to_local: &dyn Fn(NaiveDateTime) -> NaiveDateTime,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<NaiveDateTime>, RecurError> {
    let failed = |message: String| RecurError::Rule {
        rule: rule.to_string(),
        message,
    };
    let wall = |t: NaiveDateTime| Tz::UTC.from_utc_datetime(&t);
    let parsed: RRule<Unvalidated> = wall_clock_until(rule, to_local)
        .map_err(failed)?
        .parse()
        .map_err(|e: rrule::RRuleError| failed(e.to_string()))?;
    let set = parsed
        .build(wall(start))
        .map_err(|e| failed(e.to_string()))?
        .after(wall(from))
        .before(wall(to));
    let result = set.all(u16::MAX);
    if result.limited {
        return Err(RecurError::TooMany(rule.to_string()));
    }
    Ok(result.dates.iter().map(|d| d.naive_utc()).collect())
}

/// `rule` with its `UNTIL` in wall-clock time written as UTC (what `rrule` expects for a UTC
/// `DTSTART`): a UTC `UNTIL` converted with `to_local`, a floating one kept, a date made the end
/// of that day.
fn wall_clock_until(
    rule: &str,
    to_local: &dyn Fn(NaiveDateTime) -> NaiveDateTime,
) -> Result<String, String> {
    let parts: Vec<String> = rule
        .trim()
        .trim_start_matches("RRULE:")
        .split(';')
        .filter(|p| !p.is_empty())
        .map(|part| {
            let Some((key, value)) = part.split_once('=') else {
                return Ok(part.to_string());
            };
            if !key.eq_ignore_ascii_case("UNTIL") {
                return Ok(part.to_string());
            }
            let local = if let Some(utc) = value.strip_suffix('Z') {
                NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
                    .map(to_local)
                    .map_err(|e| format!("UNTIL={value}: {e}"))?
            } else if value.len() == 8 {
                chrono::NaiveDate::parse_from_str(value, "%Y%m%d")
                    .map_err(|e| format!("UNTIL={value}: {e}"))?
                    .and_hms_opt(23, 59, 59)
                    .expect("a valid time")
            } else {
                NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S")
                    .map_err(|e| format!("UNTIL={value}: {e}"))?
            };
            Ok(format!("UNTIL={}", local.format("%Y%m%dT%H%M%SZ")))
        })
        .collect::<Result<_, String>>()?;
    Ok(parts.join(";"))
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, Duration, NaiveDate};

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn weekly_rules_keep_their_wall_clock_time_and_stop_at_a_utc_until() {
        // New York: UNTIL 2025-11-10T14:00Z is 09:00 EST, so the 10 November occurrence counts.
        let new_york = |utc: NaiveDateTime| utc - Duration::hours(5);
        let got = expand_rule(
            "FREQ=WEEKLY;BYDAY=MO;UNTIL=20251110T140000Z",
            at(2025, 10, 27, 9),
            &new_york,
            at(2025, 1, 1, 0),
            at(2026, 1, 1, 0),
        )
        .unwrap();
        assert_eq!(
            got,
            [at(2025, 10, 27, 9), at(2025, 11, 3, 9), at(2025, 11, 10, 9)]
        );
    }

    #[test]
    fn windows_and_counts() {
        let id = |t: NaiveDateTime| t;
        let got = expand_rule(
            "FREQ=DAILY;COUNT=10",
            at(2025, 1, 1, 8),
            &id,
            at(2025, 1, 5, 0),
            at(2025, 1, 7, 23),
        )
        .unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].day(), 5);
        let dates = expand_rule(
            "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20250430",
            at(2025, 1, 31, 0),
            &id,
            at(2025, 1, 1, 0),
            at(2026, 1, 1, 0),
        )
        .unwrap();
        assert_eq!(
            dates.iter().map(|d| d.day()).collect::<Vec<_>>(),
            [31, 28, 28, 25]
        );
        assert!(expand_rule(
            "FREQ=SOMETIMES",
            at(2025, 1, 1, 0),
            &id,
            at(2025, 1, 1, 0),
            at(2025, 2, 1, 0)
        )
        .is_err());
    }
}
