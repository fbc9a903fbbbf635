//! RFC 5322 dates as mail really carries them (§3.3, and §4.3's obsolete forms), read to UTC.
//!
//! Read: the standard `[Day,] DD Mon YYYY HH:MM[:SS] ±HHMM`; the day of the week with or
//! without its comma, and ignored when it disagrees (it is informational); month-name-first
//! order (`Sat, Apr 09 2005 06:39:52 -0700`) and asctime order (`Sat Apr  9 06:39:52 2005`);
//! ISO `2005-04-09` dates; two- and three-digit years (§4.3: below 50 is 20xx, otherwise
//! 19xx; three digits add 1900); zones as `±HHMM`, `±HH:MM`, `±HH`, `GMT+HHMM`, `UT`/`UTC`/
//! `GMT`/`Z`, the obsolete US names (`EST` … `PDT`), and any other alphabetic zone — military
//! letters included — as `-0000`, "no zone information", as §4.3 prescribes; a missing zone the
//! same way (read as UTC); comments (`(PDT)`); `AM`/`PM`; fractional seconds (dropped); a leap
//! second (read as :59).
//!
//! Not read (the caller falls back to another source, and the record says so): numeric
//! day/month orders (`4/9/2005` is April 9 in the US and 4 September elsewhere), and anything
//! without a day, month, year and time.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// The instant a date header's text names, in UTC; `None` when it is not readable.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = strip_comments(text);
    let mut fields = Fields::default();
    for token in text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
    {
        fields.take(token)?;
    }
    fields.instant()
}

/// What the tokens of a date said.
#[derive(Debug, Default)]
struct Fields {
    /// Day of the month, 1–31.
    day: Option<u32>,
    /// Month, 1–12.
    month: Option<u32>,
    /// Year, with §4.3's century rules already applied.
    year: Option<i32>,
    /// Hour, minute, second.
    time: Option<(u32, u32, u32)>,
    /// Zone offset east of UTC in seconds, once a zone was read.
    offset: Option<i32>,
    /// `PM` seen (12-hour clock).
    pm: Option<bool>,
    /// A zone name was read after a numeric zone (`-0700 PDT`); a second one is not a date.
    zone_label: bool,
}

impl Fields {
    /// Reads one token; `None` when it cannot be part of a readable date.
    fn take(&mut self, token: &str) -> Option<()> {
        // Month, weekday, AM/PM and zone names fit in 16 bytes: lower-cased on the stack.
        let mut buffer = [0u8; 16];
        let owned;
        let lower: &str = match buffer.get_mut(..token.len()) {
            Some(slot) => {
                slot.copy_from_slice(token.as_bytes());
                slot.make_ascii_lowercase();
                // ASCII lower-casing keeps UTF-8 valid.
                std::str::from_utf8(slot).ok()?
            }
            None => {
                owned = token.to_ascii_lowercase();
                &owned
            }
        };
        if let Some(month) = month(lower) {
            return set(&mut self.month, month);
        }
        if weekday(lower) {
            return Some(());
        }
        if lower == "am" || lower == "pm" {
            self.pm = Some(lower == "pm");
            return Some(());
        }
        if token.contains(':') && token.starts_with(|c: char| c.is_ascii_digit()) {
            return self.take_time(token);
        }
        if token.starts_with(['+', '-']) {
            let offset = numeric_zone(&token[1..])? * if token.starts_with('-') { -1 } else { 1 };
            return self.zone(offset);
        }
        if token.bytes().all(|b| b.is_ascii_digit()) {
            return self.take_number(token);
        }
        if token.len() == 10 && token.as_bytes()[4] == b'-' && token.as_bytes()[7] == b'-' {
            let date = NaiveDate::parse_from_str(token, "%Y-%m-%d").ok()?;
            use chrono::Datelike;
            set(&mut self.year, date.year())?;
            set(&mut self.month, date.month())?;
            return set(&mut self.day, date.day());
        }
        if let Some(rest) = lower
            .strip_prefix("gmt")
            .or_else(|| lower.strip_prefix("utc"))
        {
            if let Some(sign @ ('+' | '-')) = rest.chars().next() {
                let offset = numeric_zone(&rest[1..])? * if sign == '-' { -1 } else { 1 };
                return self.zone(offset);
            }
        }
        if token.bytes().all(|b| b.is_ascii_alphabetic()) && token.len() <= 5 {
            // A named zone after a numeric one is only its comment-like label (`-0700 PDT`).
            if self.offset.is_some() {
                return (!std::mem::replace(&mut self.zone_label, true)).then_some(());
            }
            return self.zone(named_zone(lower));
        }
        None
    }

    fn take_time(&mut self, token: &str) -> Option<()> {
        let mut parts = token.split(':');
        let hour = parts.next()?.parse().ok()?;
        let minute = parts.next()?.parse().ok()?;
        let second = match parts.next() {
            // Fractional seconds are dropped; a leap second is read as :59.
            Some(s) => s.split('.').next()?.parse::<u32>().ok()?.min(59),
            None => 0,
        };
        if parts.next().is_some() || hour > 23 || minute > 59 {
            return None;
        }
        set(&mut self.time, (hour, minute, second))
    }

    fn take_number(&mut self, token: &str) -> Option<()> {
        let n: i32 = token.parse().ok()?;
        if token.len() >= 3 || self.day.is_some() {
            let year = match token.len() {
                1 | 2 if n < 50 => 2000 + n,
                1 | 2 => 1900 + n,
                3 => 1900 + n,
                _ => n,
            };
            return set(&mut self.year, year);
        }
        if !(1..=31).contains(&n) {
            return None;
        }
        set(&mut self.day, n as u32)
    }

    fn zone(&mut self, offset: i32) -> Option<()> {
        set(&mut self.offset, offset)
    }

    fn instant(self) -> Option<DateTime<Utc>> {
        let date = NaiveDate::from_ymd_opt(self.year?, self.month?, self.day?)?;
        let (mut hour, minute, second) = self.time?;
        match self.pm {
            Some(true) if hour < 12 => hour += 12,
            Some(false) if hour == 12 => hour = 0,
            Some(_) if hour > 12 => return None,
            _ => {}
        }
        let local = NaiveDateTime::new(date, NaiveTime::from_hms_opt(hour, minute, second)?);
        let utc = local - chrono::Duration::seconds(i64::from(self.offset.unwrap_or(0)));
        Some(Utc.from_utc_datetime(&utc))
    }
}

/// Sets a field once; a second, different value makes the date unreadable.
fn set<T: PartialEq>(field: &mut Option<T>, value: T) -> Option<()> {
    match field {
        Some(old) if *old != value => None,
        _ => {
            *field = Some(value);
            Some(())
        }
    }
}

/// A month name or abbreviation (shared with the chat's question parser).
fn month(lower: &str) -> Option<u32> {
    mindy_core::words::month(lower)
}

fn weekday(lower: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let lower = lower.trim_end_matches('.');
    lower.len() >= 3 && DAYS.iter().any(|d| d.starts_with(lower))
}

/// `HHMM`, `HH:MM` or `HH` after the sign, as seconds.
fn numeric_zone(digits: &str) -> Option<i32> {
    let mut value = [0i32; 4];
    let mut n = 0;
    for b in digits.bytes().filter(|b| *b != b':') {
        if !b.is_ascii_digit() || n == value.len() {
            return None;
        }
        value[n] = i32::from(b - b'0');
        n += 1;
    }
    let (hours, minutes) = match n {
        1 => (value[0], 0),
        2 => (value[0] * 10 + value[1], 0),
        4 => (value[0] * 10 + value[1], value[2] * 10 + value[3]),
        _ => return None,
    };
    (hours <= 23 && minutes <= 59).then_some(hours * 3600 + minutes * 60)
}

/// RFC 5322 §4.3: the obsolete US zone names, UT/GMT; every other name is `-0000`.
fn named_zone(lower: &str) -> i32 {
    let hours = match lower {
        "edt" => -4,
        "est" | "cdt" => -5,
        "cst" | "mdt" => -6,
        "mst" | "pdt" => -7,
        "pst" => -8,
        _ => 0,
    };
    hours * 3600
}

fn strip_comments(text: &str) -> Cow<'_, str> {
    if !text.contains('(') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut depth = 0u32;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Option<String> {
        parse(text).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    #[test]
    fn standard_and_obsolete_forms_are_read() {
        let cases = [
            ("Mon, 6 Jan 2025 22:47:00 -0500", "2025-01-07T03:47:00Z"),
            ("Sat, Apr 09 2005 06:39:52 -0700", "2005-04-09T13:39:52Z"),
            ("Tue, 23 Sep 2025 08:18:52", "2025-09-23T08:18:52Z"),
            ("Sat Apr  9 06:39:52 2005", "2005-04-09T06:39:52Z"),
            ("Sat Apr 09 06:39:52 +0000 2005", "2005-04-09T06:39:52Z"),
            ("9 Apr 05 06:39 PDT", "2005-04-09T13:39:00Z"),
            ("09 Apr 99 06:39:52 EST", "1999-04-09T11:39:52Z"),
            ("09 Apr 105 06:39:52 GMT", "2005-04-09T06:39:52Z"),
            (
                "Sat, 09 Apr 2005 06:39:52 +0200 (CEST)",
                "2005-04-09T04:39:52Z",
            ),
            (
                "Sat, 09 Apr 2005 06:39:52 -0700 PDT",
                "2005-04-09T13:39:52Z",
            ),
            ("Sat, 09 Apr 2005 06:39:52 +05:30", "2005-04-09T01:09:52Z"),
            ("Sat, 09 Apr 2005 06:39:52 GMT+0200", "2005-04-09T04:39:52Z"),
            ("Sat, 09 Apr 2005 06:39:52 Z", "2005-04-09T06:39:52Z"),
            ("Sat, 09 Apr 2005 06:39:52 J", "2005-04-09T06:39:52Z"),
            ("Sat, 09 Apr 2005 06:39:52 CEST", "2005-04-09T06:39:52Z"),
            ("Monday, 06 Jan 2025 09:12:00 +0000", "2025-01-06T09:12:00Z"),
            (
                "Sat, 09 April 2005 6:39:52 PM -0700",
                "2005-04-10T01:39:52Z",
            ),
            ("Sat, 09 Apr 2005 06:39:60 +0000", "2005-04-09T06:39:59Z"),
            ("2005-04-09 06:39:52.250 +0000", "2005-04-09T06:39:52Z"),
            ("Fri, 09 Apr 2005 06:39:52 +0000", "2005-04-09T06:39:52Z"),
        ];
        for (text, want) in cases {
            assert_eq!(utc(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn ambiguous_or_incomplete_dates_are_not_read() {
        for text in [
            "",
            "yesterday",
            "4/9/2005 06:39:52",
            "Sat, 09 Apr 2005",
            "Sat, 31 Feb 2005 06:39:52 +0000",
            "Sat, 09 Apr 2005 25:39:52 +0000",
            "Sat, 09 Apr 2005 06:39:52 +0000 +0100",
            "Sat, 09 Apr 2005 06:39:52 +0000 foo bar baz",
        ] {
            assert_eq!(utc(text), None, "{text}");
        }
    }
}
