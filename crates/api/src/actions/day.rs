//! A day of the user's calendar for the optimiser: which day ("it" after "What's my busiest day
//! this week?", "tomorrow", "my busiest day this week"), its events and participants from the
//! serving tables (`calendar_events`, `calendar_attendees`), and the plan turned into actions
//! and words.
//!
//! The serving tables are a minute or more behind the local calendar store: an event an action
//! created, moved or cancelled there reaches them only once the pipeline has carried the
//! store's file through (Kafka, the stream, the export). So the day is read with the store laid
//! over it ([`Pending`]): its events that the tables do not show as they are yet take their
//! place, and "optimise tomorrow" right after "schedule a call tomorrow" plans around the call.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use mindy_core::calendar::day::WorkingHours;
use sqlx::PgPool;

use super::model::{Action, BlockDraft, EventRef, MoveDraft, Person};
use super::optimise::{
    self, clock, Change, DayPlan, Event, Known, OtherDay, MAX_MOVABLE_PARTICIPANTS,
};
use super::ActionError;
use crate::chat::semantic::dates::{self, DateRange, Found};
use crate::chat::semantic::plan::Order;
use crate::chat::semantic::scenes::day::chosen;
use crate::chat::semantic::scenes::{this_week, whole};

/// Which day, before it is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayChoice {
    /// That date.
    Date(NaiveDate),
    /// The busiest (or lightest) day with events in a range, as the day scene picks it.
    Pick(DateRange, Option<Order>),
}

impl DayChoice {
    /// The choice a request's words make: a day said, or the busiest day of a range said (or
    /// of this week; a week or month whole, as the calendar scenes read it), or `None` when no
    /// day is said.
    pub fn from_words(words: &[String], busiest: bool, today: NaiveDate) -> Option<DayChoice> {
        let tokens: Vec<&str> = words.iter().map(String::as_str).collect();
        let range = dates::find(&tokens, today)
            .into_iter()
            .find_map(|m| match m.found {
                Found::Range(r) => Some(whole(r, today)),
                Found::Shift(_) => None,
            });
        // A weekday said alone is the next one (today included): a day to optimise is ahead,
        // where the chat's "Tuesday" is the last one.
        let range = range.map(|r| {
            let weekday_alone = tokens.iter().any(|t| dates::parse_weekday(t).is_some())
                && !tokens.iter().any(|t| matches!(*t, "last" | "previous"));
            if r.is_day() && r.start < today && weekday_alone {
                DateRange::day(r.start + Duration::days(7), r.label)
            } else {
                r
            }
        });
        match (range, busiest) {
            (Some(r), false) if r.is_day() => Some(DayChoice::Date(r.start)),
            (Some(r), _) => Some(DayChoice::Pick(r, Some(Order::Most))),
            (None, true) => Some(DayChoice::Pick(this_week(today), Some(Order::Most))),
            (None, false) => None,
        }
    }

    /// The date, looked up in `calendar_days` for a pick; `None` when the range has no events.
    pub async fn date(&self, pool: &PgPool) -> Result<Option<NaiveDate>, ActionError> {
        match self {
            DayChoice::Date(d) => Ok(Some(*d)),
            DayChoice::Pick(range, order) => Ok(sqlx::query_scalar(&format!(
                "WITH {} SELECT date FROM chosen",
                chosen(*order, range)
            ))
            .fetch_optional(pool)
            .await?),
        }
    }
}

/// The day as the optimiser sees it, and what turning its plan into actions needs.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The date.
    pub date: NaiveDate,
    /// Its events.
    pub events: Vec<Event>,
    /// What each participant is known to attend.
    pub known: Known,
    /// Per event id: its key, other participants, and UTC times.
    pub details: HashMap<String, (EventRef, Vec<Person>)>,
    /// The user, as the calendar names them.
    pub me: Option<Person>,
    /// Other working days a meeting may move to.
    pub others: Vec<OtherDay>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: String,
    calendar_id: String,
    event_id: String,
    recurrence_id: Option<String>,
    summary: String,
    location: Option<String>,
    location_kind: Option<String>,
    local_start: NaiveDateTime,
    local_end: NaiveDateTime,
    busy: Option<bool>,
    is_meeting: Option<bool>,
    is_one_on_one: Option<bool>,
    recurring: Option<bool>,
    participant_count: Option<i32>,
    organizer_name: Option<String>,
    organizer_address: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AttendeeRow {
    id: String,
    address: String,
    name: Option<String>,
    is_self: Option<bool>,
    is_organizer: Option<bool>,
    is_external: Option<bool>,
    response: Option<String>,
}

fn minutes(date: NaiveDate, at: NaiveDateTime) -> i32 {
    let m = (at - date.and_hms_opt(0, 0, 0).expect("midnight")).num_minutes();
    m.clamp(0, 24 * 60) as i32
}

/// The days a meeting of `date` may move to: the rest of that week's working days after
/// `today`, and the next working day after `date`.
fn other_dates(date: NaiveDate, today: NaiveDate) -> Vec<NaiveDate> {
    use chrono::Datelike;
    let working = |d: &NaiveDate| d.weekday().num_days_from_monday() < 5;
    let monday = date - Duration::days(date.weekday().num_days_from_monday().into());
    let mut dates: Vec<NaiveDate> = (0..5)
        .map(|n| monday + Duration::days(n))
        .filter(|d| *d > today && *d != date)
        .collect();
    let next = (1..=7)
        .map(|n| date + Duration::days(n))
        .find(working)
        .expect("a working day within a week");
    if !dates.contains(&next) {
        dates.push(next);
    }
    dates
}

#[derive(sqlx::FromRow)]
struct OtherRow {
    id: String,
    local_date: NaiveDate,
    local_start: NaiveDateTime,
    local_end: NaiveDateTime,
    busy: Option<bool>,
    is_meeting: Option<bool>,
}

#[derive(sqlx::FromRow)]
struct OtherAttendee {
    id: String,
    address: String,
    is_self: Option<bool>,
    response: Option<String>,
}

/// An event of the local calendar store that the serving tables do not show as it is: created,
/// moved or cancelled by an action a moment ago and still on its way through the pipeline.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Pending {
    /// The event's UID in the store.
    pub uid: String,
    /// The serving tables' row for an earlier version of it, when they hold one.
    pub served_id: Option<String>,
    /// Title.
    pub summary: String,
    /// Where, as written (not classified: a pending event has no travel time worked out).
    pub location: Option<String>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Cancelled (a block undone): its served version no longer counts.
    pub cancelled: bool,
    /// Who is invited besides the user.
    pub attendees: sqlx::types::Json<Vec<Person>>,
}

/// Why the optimiser leaves a pending event where it is.
const PENDING_FIXED: &str =
    "was just changed by an action and is still on its way into the calendar";

impl Pending {
    /// The store's events (`calendar_id` is the id the pipeline gives its file) whose served
    /// row is missing, or has other times or another status.
    ///
    /// # Errors
    /// PostgreSQL failed.
    pub async fn load(pool: &PgPool, calendar_id: &str) -> Result<Vec<Pending>, ActionError> {
        Ok(sqlx::query_as(
            "SELECT l.uid, c.id AS served_id, l.summary, l.location, l.starts_at, l.ends_at, \
             l.status = 'cancelled' AS cancelled, l.attendees \
             FROM local_calendar_events l LEFT JOIN calendar_events c \
             ON c.calendar_id = $1 AND c.event_id = l.uid AND c.recurrence_id IS NULL \
             WHERE (c.id IS NULL AND l.status <> 'cancelled') OR (c.id IS NOT NULL AND ( \
             c.starts_at IS DISTINCT FROM l.starts_at OR c.ends_at IS DISTINCT FROM l.ends_at \
             OR (c.status = 'cancelled') <> (l.status = 'cancelled'))) \
             ORDER BY l.starts_at, l.uid",
        )
        .bind(calendar_id)
        .fetch_all(pool)
        .await?)
    }

    /// The id the optimiser knows it by: its served row's, else one of its own.
    fn id(&self) -> String {
        self.served_id
            .clone()
            .unwrap_or_else(|| format!("pending:{}", self.uid))
    }

    /// Its `(start, end)` in minutes after `date`'s local midnight, when it is on `date`.
    fn on(&self, date: NaiveDate, tz: Tz) -> Option<(i32, i32)> {
        if self.cancelled {
            return None;
        }
        let (start, end) = (
            self.starts_at.with_timezone(&tz).naive_local(),
            self.ends_at.with_timezone(&tz).naive_local(),
        );
        (start.date() == date).then(|| (minutes(date, start), minutes(date, end)))
    }
}

/// The store's pending events laid over a day: the served rows they replace.
fn stale(pending: &[Pending]) -> HashSet<&str> {
    pending
        .iter()
        .filter_map(|p| p.served_id.as_deref())
        .collect()
}

/// The other days' busy time and participants.
async fn load_others(
    pool: &PgPool,
    dates: &[NaiveDate],
    pending: &[Pending],
    tz: Tz,
) -> Result<Vec<OtherDay>, ActionError> {
    let mut rows: Vec<OtherRow> = sqlx::query_as(
        "SELECT id, local_date, local_start, local_end, busy, is_meeting FROM calendar_events \
         WHERE local_date = ANY($1) AND NOT all_day AND local_start IS NOT NULL \
         AND local_end IS NOT NULL AND status <> 'cancelled'",
    )
    .bind(dates)
    .fetch_all(pool)
    .await?;
    let mut people: Vec<OtherAttendee> = sqlx::query_as(
        "SELECT id, address, is_self, response FROM calendar_attendees WHERE date = ANY($1)",
    )
    .bind(dates)
    .fetch_all(pool)
    .await?;
    let stale = stale(pending);
    rows.retain(|r| !stale.contains(r.id.as_str()));
    for p in pending {
        let Some((date, start, end)) = dates
            .iter()
            .find_map(|d| p.on(*d, tz).map(|(s, e)| (*d, s, e)))
        else {
            continue;
        };
        let local =
            |m: i32| date.and_hms_opt(0, 0, 0).expect("midnight") + Duration::minutes(m.into());
        rows.push(OtherRow {
            id: p.id(),
            local_date: date,
            local_start: local(start),
            local_end: local(end),
            busy: Some(true),
            is_meeting: Some(!p.attendees.0.is_empty()),
        });
        people.extend(p.attendees.0.iter().map(|a| OtherAttendee {
            id: p.id(),
            address: a.address.clone(),
            is_self: Some(false),
            response: None,
        }));
    }
    let mut days: Vec<OtherDay> = dates
        .iter()
        .map(|d| OtherDay {
            date: *d,
            ..OtherDay::default()
        })
        .collect();
    let mut times: HashMap<&str, (usize, i32, i32)> = HashMap::new();
    for row in &rows {
        let Some(d) = days.iter().position(|o| o.date == row.local_date) else {
            continue;
        };
        let (start, end) = (
            minutes(row.local_date, row.local_start),
            minutes(row.local_date, row.local_end),
        );
        times.insert(row.id.as_str(), (d, start, end));
        if row.busy.unwrap_or(true) {
            days[d].busy.push((start, end));
            if row.is_meeting == Some(true) {
                days[d].meeting_minutes += end - start;
            }
        }
    }
    for p in &people {
        if p.is_self == Some(true) || p.response.as_deref() == Some("declined") {
            continue;
        }
        if let Some(&(d, start, end)) = times.get(p.id.as_str()) {
            days[d]
                .known
                .entry(p.address.clone())
                .or_default()
                .push((start, end, p.id.clone()));
        }
    }
    Ok(days)
}

/// Loads `date`'s timed events and participants, and the days its meetings may move to, with
/// the local store's `pending` events (its `calendar_id`, [`Pending::load`]) in place of what the
/// serving tables hold of them; `tz` is the user's timezone, the serving tables' local time.
///
/// # Errors
/// PostgreSQL failed.
pub async fn load(
    pool: &PgPool,
    date: NaiveDate,
    today: NaiveDate,
    (calendar_id, pending): (&str, &[Pending]),
    tz: Tz,
) -> Result<Loaded, ActionError> {
    let mut rows: Vec<EventRow> = sqlx::query_as(
        "SELECT id, calendar_id, event_id, recurrence_id, summary, location, location_kind, \
         local_start, local_end, busy, is_meeting, is_one_on_one, recurring, participant_count, \
         organizer_name, organizer_address \
         FROM calendar_events WHERE local_date = $1 AND NOT all_day \
         AND local_start IS NOT NULL AND local_end IS NOT NULL AND status <> 'cancelled' \
         ORDER BY local_start, id",
    )
    .bind(date)
    .fetch_all(pool)
    .await?;
    let people: Vec<AttendeeRow> = sqlx::query_as(
        "SELECT id, address, name, is_self, is_organizer, is_external, response \
         FROM calendar_attendees WHERE date = $1 ORDER BY id, address",
    )
    .bind(date)
    .fetch_all(pool)
    .await?;
    let stale = stale(pending);
    rows.retain(|r| !stale.contains(r.id.as_str()));
    let mut by_event: HashMap<&str, Vec<&AttendeeRow>> = HashMap::new();
    for p in &people {
        by_event.entry(p.id.as_str()).or_default().push(p);
    }
    let me = people
        .iter()
        .find(|p| p.is_self == Some(true))
        .map(|p| Person {
            address: p.address.clone(),
            name: p.name.clone(),
            about: None,
        });
    let mut events = Vec::new();
    let mut known = Known::new();
    let mut details = HashMap::new();
    for row in rows {
        let (start, end) = (minutes(date, row.local_start), minutes(date, row.local_end));
        let attendees = by_event.get(row.id.as_str()).cloned().unwrap_or_default();
        let others: Vec<&AttendeeRow> = attendees
            .iter()
            .copied()
            .filter(|p| p.is_self != Some(true))
            .collect();
        for p in &others {
            if p.response.as_deref() != Some("declined") {
                known
                    .entry(p.address.clone())
                    .or_default()
                    .push((start, end, row.id.clone()));
            }
        }
        let mine = attendees
            .iter()
            .any(|p| p.is_self == Some(true) && p.is_organizer == Some(true));
        let participants = row.participant_count.unwrap_or(0);
        let fixed = if !mine {
            Some(format!(
                "is organised by {}",
                row.organizer_name
                    .clone()
                    .or(row.organizer_address.clone())
                    .unwrap_or_else(|| "someone else".into())
            ))
        } else if others.iter().any(|p| p.is_external == Some(true)) {
            Some("has people from outside your organisation attending".into())
        } else if participants > MAX_MOVABLE_PARTICIPANTS {
            Some(format!("has {participants} participants"))
        } else {
            None
        };
        let mut priority = 50;
        if row.recurring == Some(true) {
            priority -= 20;
        }
        if row.is_one_on_one == Some(true) {
            priority -= 10;
        }
        if end - start >= 60 {
            priority += 10;
        }
        let place = (row.location_kind.as_deref() == Some("physical"))
            .then(|| row.location.as_deref().map(|l| l.trim().to_lowercase()))
            .flatten()
            .filter(|l| !l.is_empty());
        details.insert(
            row.id.clone(),
            (
                EventRef {
                    id: row.id.clone(),
                    calendar_id: row.calendar_id.clone(),
                    event_id: row.event_id.clone(),
                    recurrence_id: row.recurrence_id.clone(),
                },
                others
                    .iter()
                    .map(|p| Person {
                        address: p.address.clone(),
                        name: p.name.clone(),
                        about: None,
                    })
                    .collect(),
            ),
        );
        events.push(Event {
            id: row.id,
            summary: row.summary,
            start,
            end,
            place,
            location: row.location,
            busy: row.busy.unwrap_or(true),
            is_meeting: row.is_meeting.unwrap_or(false),
            fixed,
            priority,
            attendees: others.iter().map(|p| p.address.clone()).collect(),
            away: None,
        });
    }
    for p in pending {
        let Some((start, end)) = p.on(date, tz) else {
            continue;
        };
        let id = p.id();
        let invited = &p.attendees.0;
        for a in invited {
            known
                .entry(a.address.clone())
                .or_default()
                .push((start, end, id.clone()));
        }
        details.insert(
            id.clone(),
            (
                EventRef {
                    id: id.clone(),
                    calendar_id: calendar_id.to_string(),
                    event_id: p.uid.clone(),
                    recurrence_id: None,
                },
                invited.clone(),
            ),
        );
        events.push(Event {
            id,
            summary: p.summary.clone(),
            start,
            end,
            place: None,
            location: p.location.clone(),
            busy: true,
            is_meeting: !invited.is_empty(),
            fixed: Some(PENDING_FIXED.into()),
            priority: 50,
            attendees: invited.iter().map(|a| a.address.clone()).collect(),
            away: None,
        });
    }
    events.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    let others = load_others(pool, &other_dates(date, today), pending, tz).await?;
    Ok(Loaded {
        date,
        events,
        known,
        details,
        me,
        others,
    })
}

/// Plans the loaded day; `now` keeps today's past as it is.
///
/// # Errors
/// [`ActionError::Invalid`] when the planner would create a conflict (nothing is proposed).
pub fn plan(
    day: &Loaded,
    hours: WorkingHours,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<DayPlan, ActionError> {
    let local = now.with_timezone(&tz).naive_local();
    let now = (local.date() == day.date).then(|| minutes(day.date, local));
    optimise::plan(&day.events, &day.known, hours, now, &day.others)
        .map_err(|e| ActionError::Invalid(format!("the day's plan was not proposed: {e}")))
}

/// The instant of `minutes` after `date`'s local midnight in `tz`.
fn instant(date: NaiveDate, minutes: i32, tz: Tz) -> DateTime<Utc> {
    let local = date.and_hms_opt(0, 0, 0).expect("midnight") + Duration::minutes(minutes.into());
    tz.from_local_datetime(&local)
        .earliest()
        .unwrap_or_else(|| Utc.from_utc_datetime(&local).with_timezone(&tz))
        .with_timezone(&Utc)
}

/// The plan's changes as actions.
pub fn actions(plan: &DayPlan, day: &Loaded, tz: Tz, owner: &Person) -> Vec<Action> {
    plan.changes
        .iter()
        .filter_map(|change| match change {
            Change::Move {
                id,
                summary,
                from,
                to,
                to_date,
                reason,
            } => {
                let (event, attendees) = day.details.get(id)?.clone();
                let target = to_date.unwrap_or(day.date);
                Some(Action::MoveEvent(MoveDraft {
                    event,
                    summary: summary.clone(),
                    from_starts_at: instant(day.date, from.0, tz),
                    from_ends_at: instant(day.date, from.1, tz),
                    starts_at: instant(target, to.0, tz),
                    ends_at: instant(target, to.1, tz),
                    timezone: tz.name().to_string(),
                    attendees,
                    owner: owner.clone(),
                    reason: reason.clone(),
                }))
            }
            Change::Block {
                summary,
                start,
                end,
                reason,
            } => Some(Action::BlockTime(BlockDraft {
                summary: summary.clone(),
                starts_at: instant(day.date, *start, tz),
                ends_at: instant(day.date, *end, tz),
                timezone: tz.name().to_string(),
                owner: owner.clone(),
                reason: reason.clone(),
            })),
        })
        .collect()
}

fn hours(minutes: i32) -> String {
    let h = f64::from(minutes) / 60.0;
    if (h - h.round()).abs() < 1e-9 {
        format!("{h:.0} h")
    } else {
        format!("{h:.1} h")
    }
}

/// What the plan changes, in numbers ("Meetings 5.3 h → 5 h; conflicts 1 → 0; ...").
pub fn figures_words(plan: &DayPlan) -> String {
    let (b, a) = (plan.before, plan.after);
    let yes_no = |v: bool| if v { "free" } else { "busy" };
    let focus = a.focus_minutes - b.focus_minutes;
    format!(
        "Meetings {} → {}; conflicts {} → {}; longest back-to-back run {} → {}; lunch {} → {}; \
         tight travel {} → {}; focus time (free blocks of an hour or more) {} → {} ({}{} min).",
        hours(b.meeting_minutes),
        hours(a.meeting_minutes),
        b.conflicts,
        a.conflicts,
        hours(b.longest_back_to_back),
        hours(a.longest_back_to_back),
        yes_no(b.lunch_free),
        yes_no(a.lunch_free),
        b.tight_travel,
        a.tight_travel,
        hours(b.focus_minutes),
        hours(a.focus_minutes),
        if focus >= 0 { "+" } else { "" },
        focus
    )
}

/// One change in words ("Move \"Team sync\" 10:30–11:00 → 16:30–17:00: it overlapped ...").
pub fn change_words(change: &Change) -> String {
    match change {
        Change::Move {
            summary,
            from,
            to,
            reason,
            to_date: None,
            ..
        } if from.0 == to.0 => format!(
            "End \"{summary}\" at {} instead of {}: {reason}",
            clock(to.1),
            clock(from.1)
        ),
        Change::Move {
            summary,
            from,
            to,
            reason,
            to_date,
            ..
        } => format!(
            "Move \"{summary}\" {}–{} → {}{}–{}: {reason}",
            clock(from.0),
            clock(from.1),
            to_date
                .map(|d| format!("{} ", d.format("%a %-d %b")))
                .unwrap_or_default(),
            clock(to.0),
            clock(to.1)
        ),
        Change::Block {
            summary,
            start,
            end,
            reason,
        } => format!(
            "Block {}–{} \"{summary}\": {reason}",
            clock(*start),
            clock(*end)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_is_read_from_the_words() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(); // a Thursday
        let words = |q: &str| q.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            DayChoice::from_words(&words("optimize tomorrow"), false, today),
            Some(DayChoice::Date(
                NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
            ))
        );
        assert_eq!(
            DayChoice::from_words(&words("yes optimize it"), false, today),
            None
        );
        for q in [
            "optimize my busiest day this week",
            "optimize my busiest day",
        ] {
            match DayChoice::from_words(&words(q), true, today) {
                Some(DayChoice::Pick(range, Some(Order::Most))) => {
                    assert_eq!(
                        range.start,
                        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                        "{q}"
                    );
                    assert_eq!(
                        range.end,
                        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
                        "{q}"
                    );
                }
                other => panic!("{q}: {other:?}"),
            }
        }
        match DayChoice::from_words(&words("optimize my busiest day"), true, today) {
            Some(DayChoice::Pick(range, Some(Order::Most))) => {
                assert_eq!(range.start, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
                assert_eq!(range.end, NaiveDate::from_ymd_opt(2026, 11, 29).unwrap());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn local_minutes_become_instants_in_the_zone() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let tz: Tz = "America/New_York".parse().unwrap();
        assert_eq!(
            instant(date, 12 * 60, tz).to_rfc3339(),
            "2026-11-26T17:00:00+00:00"
        );
    }
}
