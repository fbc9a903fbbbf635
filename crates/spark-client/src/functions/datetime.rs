//! Date, timestamp and time-window functions.

use super::{fns, lit, nullary};
use crate::column::{Column, IntoOperand};

fns! {
    /// Hour of a timestamp (0-23).
    hour => "hour"(col);
    /// Minute of a timestamp.
    minute => "minute"(col);
    /// Second of a timestamp.
    second => "second"(col);
    /// Day of the week, 1 = Sunday .. 7 = Saturday.
    dayofweek => "dayofweek"(col);
    /// Day of the month.
    dayofmonth => "dayofmonth"(col);
    /// Day of the year.
    dayofyear => "dayofyear"(col);
    /// ISO week of the year.
    weekofyear => "weekofyear"(col);
    /// Month (1-12).
    month => "month"(col);
    /// Quarter (1-4).
    quarter => "quarter"(col);
    /// Year.
    year => "year"(col);
    /// The last day of the date's month.
    last_day => "last_day"(date);
    /// A date from year, month and day columns.
    make_date => "make_date"(year, month, day);
    /// Number of days from `start` to `end`.
    datediff => "datediff"(end, start);
    /// A timestamp from seconds since the epoch.
    timestamp_seconds => "timestamp_seconds"(col);
    /// A timestamp from milliseconds since the epoch.
    timestamp_millis => "timestamp_millis"(col);
    /// A timestamp from microseconds since the epoch.
    timestamp_micros => "timestamp_micros"(col);
    /// Seconds since the epoch of a timestamp.
    unix_seconds => "unix_seconds"(col);
}

nullary! {
    /// The time at the start of query evaluation.
    current_timestamp => "current_timestamp";
    /// The date at the start of query evaluation.
    current_date => "current_date";
}

/// Seconds since the epoch of a timestamp, or of a string in `yyyy-MM-dd HH:mm:ss`.
pub fn unix_timestamp(col: impl Into<Column>) -> Column {
    unix_timestamp_fmt(col, "yyyy-MM-dd HH:mm:ss")
}

/// Seconds since the epoch of a string in the datetime pattern `format`.
pub fn unix_timestamp_fmt(col: impl Into<Column>, format: &str) -> Column {
    Column::call("unix_timestamp", [col.into(), lit(format)])
}

/// Truncates a timestamp to a unit: `"year"`, `"month"`, `"week"`, `"day"`, `"hour"`, `"minute"`, ...
pub fn date_trunc(format: &str, col: impl Into<Column>) -> Column {
    Column::call("date_trunc", [lit(format), col.into()])
}

/// Truncates a date to a unit: `"year"`, `"quarter"`, `"month"`, `"week"`.
pub fn trunc(date: impl Into<Column>, format: &str) -> Column {
    Column::call("trunc", [date.into(), lit(format)])
}

/// Formats a date or timestamp with a datetime pattern, e.g. `"yyyy-MM-dd"`.
pub fn date_format(col: impl Into<Column>, format: &str) -> Column {
    Column::call("date_format", [col.into(), lit(format)])
}

/// Converts to a date (strings in ISO form).
pub fn to_date(col: impl Into<Column>) -> Column {
    Column::call("to_date", [col.into()])
}

/// Parses a string with the datetime pattern `format` into a date.
pub fn to_date_fmt(col: impl Into<Column>, format: &str) -> Column {
    Column::call("to_date", [col.into(), lit(format)])
}

/// Converts to a timestamp (strings in ISO form).
pub fn to_timestamp(col: impl Into<Column>) -> Column {
    Column::call("to_timestamp", [col.into()])
}

/// Parses a string with the datetime pattern `format` into a timestamp.
pub fn to_timestamp_fmt(col: impl Into<Column>, format: &str) -> Column {
    Column::call("to_timestamp", [col.into(), lit(format)])
}

/// Formats seconds since the epoch as `yyyy-MM-dd HH:mm:ss` in the session time zone.
pub fn from_unixtime(col: impl Into<Column>) -> Column {
    from_unixtime_fmt(col, "yyyy-MM-dd HH:mm:ss")
}

/// Formats seconds since the epoch with the datetime pattern `format`.
pub fn from_unixtime_fmt(col: impl Into<Column>, format: &str) -> Column {
    Column::call("from_unixtime", [col.into(), lit(format)])
}

/// Reads a timestamp as UTC and renders it as the wall-clock time in zone `tz` (e.g.
/// `"Europe/Lisbon"`).
pub fn from_utc_timestamp(ts: impl Into<Column>, tz: &str) -> Column {
    Column::call("from_utc_timestamp", [ts.into(), lit(tz)])
}

/// Reads a timestamp as the wall-clock time in zone `tz` and renders it in UTC.
pub fn to_utc_timestamp(ts: impl Into<Column>, tz: &str) -> Column {
    Column::call("to_utc_timestamp", [ts.into(), lit(tz)])
}

/// The date `days` days after `start`.
pub fn date_add(start: impl Into<Column>, days: impl IntoOperand) -> Column {
    Column::call("date_add", [start.into(), days.into_operand()])
}

/// The date `days` days before `start`.
pub fn date_sub(start: impl Into<Column>, days: impl IntoOperand) -> Column {
    Column::call("date_sub", [start.into(), days.into_operand()])
}

/// The date `months` months after `start` (clamped to the month's last day).
pub fn add_months(start: impl Into<Column>, months: impl IntoOperand) -> Column {
    Column::call("add_months", [start.into(), months.into_operand()])
}

/// Months from `start` to `end`, rounded to 8 digits (a whole number when both are the same day
/// of the month or both month ends).
pub fn months_between(end: impl Into<Column>, start: impl Into<Column>) -> Column {
    Column::call("months_between", [end.into(), start.into(), lit(true)])
}

/// Like [`months_between`], without rounding.
pub fn months_between_unrounded(end: impl Into<Column>, start: impl Into<Column>) -> Column {
    Column::call("months_between", [end.into(), start.into(), lit(false)])
}

/// The first date after `date` that falls on `day_of_week` (`"Mon"`, `"Tuesday"`, ...).
pub fn next_day(date: impl Into<Column>, day_of_week: &str) -> Column {
    Column::call("next_day", [date.into(), lit(day_of_week)])
}

/// An event-time window for [`window_with`]: tumbling by default, sliding with
/// [`slide`](Self::slide), shifted with [`start_time`](Self::start_time). Durations are interval
/// strings such as `"1 hour"` or `"10 minutes"`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct TimeWindow {
    duration: String,
    slide: Option<String>,
    start_time: Option<String>,
}

impl TimeWindow {
    /// Windows of `duration`.
    pub fn new(duration: impl Into<String>) -> TimeWindow {
        TimeWindow {
            duration: duration.into(),
            slide: None,
            start_time: None,
        }
    }

    /// A new window every `slide` (sliding windows overlap when it is shorter than the duration).
    pub fn slide(mut self, slide: impl Into<String>) -> TimeWindow {
        self.slide = Some(slide.into());
        self
    }

    /// Windows start `offset` after the epoch's boundaries (e.g. hourly windows at :15).
    pub fn start_time(mut self, offset: impl Into<String>) -> TimeWindow {
        self.start_time = Some(offset.into());
        self
    }
}

/// Tumbling event-time windows of `duration` (e.g. `"1 hour"`): a struct column with `start`
/// and `end`.
pub fn window(time_col: impl Into<Column>, duration: &str) -> Column {
    window_with(time_col, TimeWindow::new(duration))
}

/// Event-time windows as `spec` says (sliding, shifted).
pub fn window_with(time_col: impl Into<Column>, spec: TimeWindow) -> Column {
    // PySpark's rule: the slide defaults to the duration when only a start time is given.
    let mut args = vec![time_col.into(), lit(spec.duration.as_str())];
    match (spec.slide, spec.start_time) {
        (Some(s), Some(t)) => args.extend([lit(s), lit(t)]),
        (Some(s), None) => args.push(lit(s)),
        (None, Some(t)) => args.extend([lit(spec.duration), lit(t)]),
        (None, None) => {}
    }
    Column::call("window", args)
}

/// Session windows that close after `gap` of inactivity, e.g. `"30 minutes"`.
pub fn session_window(time_col: impl Into<Column>, gap: &str) -> Column {
    Column::call("session_window", [time_col.into(), lit(gap)])
}
