//! Time zones of an iCalendar file: a `TZID` resolved whatever the producer wrote, and local
//! wall-clock times turned into UTC instants the way RFC 5545 says.
//!
//! A `TZID` is resolved, in order, as
//! 1. an IANA name (`America/New_York`; also in another letter case), from chrono-tz's database;
//! 2. a Windows zone name as Outlook and Exchange write it (`Eastern Standard Time`), through
//!    CLDR's `windowsZones` table (its world-wide `001` mapping), shipped by the `localzone`
//!    crate;
//! 3. the file's `VTIMEZONE` of that `TZID`: its `X-LIC-LOCATION` when that is an IANA name, an
//!    IANA name at the end of a path-like `TZID` (`/mozilla.org/20050126_1/America/New_York`),
//!    else the `VTIMEZONE`'s own `STANDARD`/`DAYLIGHT` rules, expanded with the `rrule` crate.
//!
//! A `TZID` none of these resolves is an error: the event is dead-lettered rather than placed at
//! a guessed offset.
//!
//! Local to UTC (RFC 5545 §3.3.5): a wall-clock time that occurs twice (the hour repeated when
//! clocks go back) is the first of the two; one that does not exist (skipped when clocks go
//! forward) is read with the offset in force before the gap, so 02:30 on a spring-forward night
//! in New York is 07:30 UTC (03:30 daylight time).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use icalendar::parser::{Component, Property};

use super::{param, prop_value, IcalError};

/// A resolved zone.
#[derive(Debug, Clone)]
pub enum Zone {
    /// An IANA zone.
    Iana(Tz),
    /// The rules of a `VTIMEZONE` that names no known zone.
    Rules(Arc<Rules>),
}

impl Zone {
    /// The name the record carries: the IANA name, or `vtimezone:<TZID>`.
    pub fn name(&self) -> String {
        match self {
            Zone::Iana(tz) => tz.name().to_string(),
            Zone::Rules(rules) => format!("vtimezone:{}", rules.tzid),
        }
    }

    /// The UTC offset, in seconds east, in force at the UTC instant `at`.
    pub fn offset_at(&self, at: NaiveDateTime) -> i32 {
        match self {
            Zone::Iana(tz) => tz.offset_from_utc_datetime(&at).fix().local_minus_utc(),
            Zone::Rules(rules) => rules.offset_at(at),
        }
    }

    /// The wall-clock time at the UTC instant `at`.
    pub fn to_local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.naive_utc() + Duration::seconds(i64::from(self.offset_at(at.naive_utc())))
    }

    /// The UTC instant of the wall-clock time `local`, by RFC 5545's rules for repeated and
    /// skipped times (module docs).
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        // Any transition near `local` has the offsets a day and a half either side of it; a
        // candidate instant is right when the zone's offset there is the one it assumed.
        let mut offsets = vec![
            self.offset_at(local - Duration::hours(36)),
            self.offset_at(local + Duration::hours(36)),
        ];
        offsets.dedup();
        let candidates: Vec<NaiveDateTime> = offsets
            .iter()
            .map(|o| local - Duration::seconds(i64::from(*o)))
            .collect();
        let valid = candidates
            .iter()
            .zip(&offsets)
            .filter(|(utc, o)| self.offset_at(**utc) == **o)
            .map(|(utc, _)| *utc)
            .min();
        let utc = valid.unwrap_or_else(|| {
            // In a gap: the offset before it is the one in force at the earliest candidate.
            let earliest = *candidates.iter().min().expect("at least one offset");
            local - Duration::seconds(i64::from(self.offset_at(earliest)))
        });
        Utc.from_utc_datetime(&utc)
    }
}

/// An IANA zone by name, in any letter case.
pub fn iana(name: &str) -> Option<Tz> {
    let name = name.trim();
    Tz::from_str(name).ok().or_else(|| {
        chrono_tz::TZ_VARIANTS
            .iter()
            .copied()
            .find(|tz| tz.name().eq_ignore_ascii_case(name))
    })
}

/// The IANA zone CLDR maps a Windows zone name to (its world-wide default).
pub fn windows(name: &str) -> Option<Tz> {
    localzone::win_zone_to_iana(name.trim(), None).and_then(iana)
}

/// The zones of one file: its `VTIMEZONE`s by `TZID`, and every `TZID` resolved once.
#[derive(Debug, Default)]
pub struct Zones {
    /// The file's `VTIMEZONE` components, by `TZID`.
    definitions: HashMap<String, Rules>,
    /// `TZID`s resolved so far.
    resolved: HashMap<String, Zone>,
}

impl Zones {
    /// Reads the `VTIMEZONE`s among a calendar's components.
    pub fn new(components: &[Component<'_>]) -> Result<Zones, IcalError> {
        let mut definitions = HashMap::new();
        for c in components
            .iter()
            .filter(|c| c.name.as_str().eq_ignore_ascii_case("VTIMEZONE"))
        {
            let rules = Rules::read(c)?;
            definitions.insert(rules.tzid.clone(), rules);
        }
        Ok(Zones {
            definitions,
            resolved: HashMap::new(),
        })
    }

    /// The zone a `TZID` names (module docs for the order).
    pub fn resolve(&mut self, tzid: &str) -> Result<Zone, IcalError> {
        if let Some(zone) = self.resolved.get(tzid) {
            return Ok(zone.clone());
        }
        let zone = self.lookup(tzid)?;
        self.resolved.insert(tzid.to_string(), zone.clone());
        Ok(zone)
    }

    fn lookup(&self, tzid: &str) -> Result<Zone, IcalError> {
        if let Some(tz) = iana(tzid).or_else(|| windows(tzid)) {
            return Ok(Zone::Iana(tz));
        }
        let path_suffix = || {
            let parts: Vec<&str> = tzid.split('/').collect();
            (1..parts.len()).find_map(|i| iana(&parts[i..].join("/")))
        };
        match self.definitions.get(tzid) {
            Some(rules) => {
                let named = rules.location.as_deref().and_then(iana);
                Ok(match named.or_else(path_suffix) {
                    Some(tz) => Zone::Iana(tz),
                    None => Zone::Rules(Arc::new(rules.clone())),
                })
            }
            None => path_suffix().map(Zone::Iana).ok_or_else(|| {
                IcalError::Event(format!(
                    "TZID {tzid:?} is neither an IANA nor a Windows zone name, and the file has \
                     no VTIMEZONE for it"
                ))
            }),
        }
    }
}

/// A `VTIMEZONE`'s rules: its observances and when each begins.
#[derive(Debug, Clone)]
pub struct Rules {
    /// The `TZID` it defines.
    tzid: String,
    /// `X-LIC-LOCATION`, an IANA name some producers add.
    location: Option<String>,
    /// Every onset of every observance up to [`MAX_ONSET_YEAR`], sorted: (UTC instant, offset
    /// after it, in seconds east).
    onsets: Vec<(NaiveDateTime, i32)>,
    /// The offset before the first onset.
    initial: i32,
}

/// Observances' recurrences are expanded up to the end of this year; after it, the offset of
/// the last onset holds (no calendar this pipeline reads reaches that far).
const MAX_ONSET_YEAR: i32 = 2100;

impl Rules {
    fn read(component: &Component<'_>) -> Result<Rules, IcalError> {
        let tzid = prop_value(component, "TZID")
            .ok_or_else(|| IcalError::File("a VTIMEZONE without TZID".into()))?
            .to_string();
        let bad = |what: String| IcalError::File(format!("VTIMEZONE {tzid}: {what}"));
        let mut onsets = Vec::new();
        let mut first: Option<(NaiveDateTime, i32)> = None;
        for observance in &component.components {
            let offset = |name: &str| {
                prop_value(observance, name)
                    .and_then(parse_offset)
                    .ok_or_else(|| bad(format!("{name} missing or not ±HHMM")))
            };
            let (from, to) = (offset("TZOFFSETFROM")?, offset("TZOFFSETTO")?);
            let start = prop_value(observance, "DTSTART")
                .and_then(|v| NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok())
                .ok_or_else(|| bad("an observance without a local DTSTART".into()))?;
            // Onsets are local times in the offset in force before them (TZOFFSETFROM).
            let to_utc = |local: NaiveDateTime| local - Duration::seconds(i64::from(from));
            let mut locals = vec![start];
            for rule in observance
                .properties
                .iter()
                .filter(|p| p.name.as_str().eq_ignore_ascii_case("RRULE"))
            {
                locals.extend(
                    super::recur::expand_rule(
                        rule.val.as_str(),
                        start,
                        &|utc| utc + Duration::seconds(i64::from(from)),
                        start,
                        local_year_end(MAX_ONSET_YEAR),
                    )
                    .map_err(|e| bad(e.to_string()))?,
                );
            }
            for rdate in observance
                .properties
                .iter()
                .filter(|p| p.name.as_str().eq_ignore_ascii_case("RDATE"))
            {
                for value in rdate.val.as_str().split(',') {
                    if let Ok(local) = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S") {
                        locals.push(local);
                    }
                }
            }
            for local in locals {
                onsets.push((to_utc(local), to));
            }
            if first.is_none_or(|(at, _)| to_utc(start) < at) {
                first = Some((to_utc(start), from));
            }
        }
        let initial = first
            .map(|(_, from)| from)
            .ok_or_else(|| bad("no STANDARD or DAYLIGHT observance".into()))?;
        onsets.sort();
        onsets.dedup();
        Ok(Rules {
            location: prop_value(component, "X-LIC-LOCATION").map(str::to_string),
            tzid,
            onsets,
            initial,
        })
    }

    /// The offset in force at the UTC instant `at`.
    fn offset_at(&self, at: NaiveDateTime) -> i32 {
        let idx = self.onsets.partition_point(|(onset, _)| *onset <= at);
        match idx {
            0 => self.initial,
            i => self.onsets[i - 1].1,
        }
    }
}

fn local_year_end(year: i32) -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(year, 12, 31)
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .expect("a valid date")
}

/// `+0100`, `-0500`, `+053000` → seconds east of UTC.
pub fn parse_offset(text: &str) -> Option<i32> {
    let text = text.trim();
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits.get(r).and_then(|s| s.parse::<i32>().ok());
    let seconds = n(0..2)? * 3600 + n(2..4)? * 60 + if digits.len() == 6 { n(4..6)? } else { 0 };
    Some(sign * seconds)
}

/// The `TZID` parameter of a date-time property, if any.
pub fn tzid_of(property: &Property<'_>) -> Option<String> {
    param(property, "TZID").map(|t| t.trim().to_string())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn names_resolve_as_iana_then_windows() {
        assert_eq!(iana("america/new_york"), Some(Tz::America__New_York));
        assert_eq!(windows("W. Europe Standard Time"), Some(Tz::Europe__Berlin));
        assert_eq!(
            windows("Eastern Standard Time"),
            Some(Tz::America__New_York)
        );
        assert_eq!(windows("Tokyo Standard Time"), Some(Tz::Asia__Tokyo));
        let mut zones = Zones::default();
        assert!(zones.resolve("Mars Standard Time").is_err());
        assert_eq!(
            zones
                .resolve("/mozilla.org/20050126_1/America/New_York")
                .unwrap()
                .name(),
            "America/New_York"
        );
    }

    #[test]
    fn repeated_times_are_the_first_and_skipped_times_move_forward() {
        let ny = Zone::Iana(Tz::America__New_York);
        // 2025-03-09 02:30 does not exist in New York: read with EST (-5) → 07:30 UTC.
        assert_eq!(
            ny.to_utc(at(2025, 3, 9, 2, 30)).naive_utc(),
            at(2025, 3, 9, 7, 30)
        );
        // 2025-11-02 01:30 happens twice: the first (EDT, -4) → 05:30 UTC.
        assert_eq!(
            ny.to_utc(at(2025, 11, 2, 1, 30)).naive_utc(),
            at(2025, 11, 2, 5, 30)
        );
        assert_eq!(
            ny.to_utc(at(2025, 7, 1, 9, 0)).naive_utc(),
            at(2025, 7, 1, 13, 0)
        );
        assert_eq!(
            ny.to_local(Utc.from_utc_datetime(&at(2025, 12, 1, 14, 0))),
            at(2025, 12, 1, 9, 0)
        );
    }

    #[test]
    fn offsets_parse() {
        assert_eq!(parse_offset("-0500"), Some(-5 * 3600));
        assert_eq!(parse_offset("+0530"), Some(5 * 3600 + 1800));
        assert_eq!(parse_offset("+013015"), Some(5415));
        assert_eq!(parse_offset("0100"), None);
    }
}
