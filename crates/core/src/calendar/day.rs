//! What a calendar day's concerns mean, defined once for the stream's silver tables (Spark SQL,
//! `crates/pipeline/src/jobs/stream/calendar/silver.rs`) and the API's day optimiser: the user's
//! working hours, when two meetings are back to back, when lunch is free, when travel is tight.

/// Minutes between two meetings that still make them back to back.
pub const BACK_TO_BACK_GAP: i32 = 5;
/// Minutes of the lunch slot a free block must cover for lunch to be free.
pub const LUNCH_MINUTES: i32 = 30;
/// The lunch slot, minutes after midnight (12:00–14:00).
pub const LUNCH_SLOT: (i32, i32) = (12 * 60, 14 * 60);
/// Minutes between meetings at different places below which travel is tight.
pub const TRAVEL_MINUTES: i32 = 30;
/// The title of the user's lunch block. A busy event with no one besides the user titled so
/// (any case, spaces around ignored) holds lunch: the lunch slot counts as free when such a
/// block covers [`LUNCH_MINUTES`] of it, as when free time does. The optimiser gives its lunch
/// blocks this title; a client lunch is a meeting, not the user's break.
pub const LUNCH_BLOCK_TITLE: &str = "Lunch";

/// Whether an event titled `summary`, with no one besides the user, is a lunch block
/// ([`LUNCH_BLOCK_TITLE`]).
pub fn is_lunch_block(summary: &str) -> bool {
    summary.trim().eq_ignore_ascii_case(LUNCH_BLOCK_TITLE)
}

/// Working hours of a day, minutes after midnight: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    /// Start, minutes after midnight.
    pub start: i32,
    /// End, minutes after midnight.
    pub end: i32,
}

impl WorkingHours {
    /// Minutes in a working day.
    pub fn minutes(&self) -> i32 {
        self.end - self.start
    }
}

/// `09:00-17:00` → minutes after midnight.
pub fn parse_working_hours(text: &str) -> std::result::Result<WorkingHours, String> {
    let minutes = |hm: &str| -> Option<i32> {
        let (h, m) = hm.trim().split_once(':')?;
        let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
        ((0..=24).contains(&h) && (0..60).contains(&m)).then_some(h * 60 + m)
    };
    let (a, b) = text
        .split_once('-')
        .ok_or_else(|| format!("{text:?}: expected HH:MM-HH:MM, e.g. 09:00-17:00"))?;
    match (minutes(a), minutes(b)) {
        (Some(start), Some(end)) if start < end && end <= 24 * 60 => {
            Ok(WorkingHours { start, end })
        }
        _ => Err(format!(
            "{text:?}: expected HH:MM-HH:MM with the start first, e.g. 09:00-17:00"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_hours_parse() {
        assert_eq!(
            parse_working_hours("09:00-17:30"),
            Ok(WorkingHours {
                start: 540,
                end: 1050
            })
        );
        assert!(parse_working_hours("17:00-09:00").is_err());
        assert!(parse_working_hours("nine to five").is_err());
    }
}
