//! iCalendar (RFC 5545) files into calendar records: what `mindy ingest ics` and the demo
//! calendar go through.
//!
//! The file is unfolded and lexed by the `icalendar` crate's parser; its `VEVENT`s are grouped
//! by `UID` into a master (with `RRULE`/`RDATE`/`EXDATE`) and its overrides (`RECURRENCE-ID`).
//! A recurring event is expanded over the window ([`recur`], the `rrule` crate, in the event's
//! wall-clock time); an occurrence an override replaces takes the override's times and
//! properties (falling back to the master's for those it leaves out), under the occurrence's
//! original start. `TZID`s resolve through [`zone`]. All-day events stay dates; floating events
//! stay wall-clock times.
//!
//! An event that cannot be read (no `UID`, an unknown zone, a rule the expander refuses) becomes
//! a [`Rejected`] entry for the DLQ with its text and the reason; the rest of the file goes on.
//! Only a file read without any rejection gets a snapshot record, so an event that merely
//! failed to parse is never deleted downstream as if it had been removed.

pub mod recur;
pub mod zone;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use icalendar::parser::{self, Component, Property};
use icalendar::{CalendarDateTime, DatePerhapsTime};
use mindy_core::calendar::record::{
    recurrence_id_of_date, recurrence_id_of_floating, recurrence_id_of_instant,
};
use mindy_core::calendar::{
    CalendarRecord, CalendarSource, EventStatus, Participant, RecordKind, Response, Snapshot,
    SCHEMA_VERSION,
};

use zone::{Zone, Zones};

/// Why a file or one of its events could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IcalError {
    /// The whole file: not iCalendar, or a broken `VTIMEZONE`.
    #[error("{0}")]
    File(String),
    /// One event.
    #[error("{0}")]
    Event(String),
}

/// How to read a file.
#[derive(Debug, Clone)]
pub struct IcsOptions {
    /// The source the records name.
    pub source: CalendarSource,
    /// The calendar the records belong to (`ics:<file name>`).
    pub calendar_id: String,
    /// Occurrences starting in `[start, end)` are produced; recurring events are expanded over it.
    pub window: (DateTime<Utc>, DateTime<Utc>),
    /// The calendar owner's address (marks `is_self`); `None` infers it (see [`infer_owner`]).
    pub owner: Option<String>,
    /// The records' `ingested_at` and the snapshot's `started_at`.
    pub now: DateTime<Utc>,
}

/// An event that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// The event's text (re-serialised from the parsed component).
    pub raw: String,
    /// A short code for the DLQ's `mindy-rule` header, e.g. `ics.timezone`.
    pub code: &'static str,
    /// What was wrong.
    pub reason: String,
    /// The event's `UID`, or its position in the file when it has none.
    pub source_ref: String,
}

/// What a file holds.
#[derive(Debug, Clone)]
pub struct ParsedCalendar {
    /// One record per occurrence in the window, in file order, then by start.
    pub records: Vec<CalendarRecord>,
    /// Events that could not be read.
    pub rejected: Vec<Rejected>,
    /// `VEVENT` components read.
    pub components: usize,
    /// The owner used for `is_self`, and whether it was inferred.
    pub owner: Option<(String, bool)>,
    /// The snapshot closing this read; `None` when any event was rejected.
    pub snapshot: Option<CalendarRecord>,
}

/// Reads an iCalendar document.
pub fn parse(text: &str, opts: &IcsOptions) -> Result<ParsedCalendar, IcalError> {
    let unfolded = parser::unfold(text);
    let calendar = parser::read_calendar(&unfolded).map_err(|e| {
        let first = e.lines().take(3).collect::<Vec<_>>().join(" ");
        IcalError::File(format!("not an iCalendar file: {first}"))
    })?;
    if calendar.properties.is_empty() && calendar.components.is_empty() {
        return Err(IcalError::File(
            "not an iCalendar file: no VCALENDAR".into(),
        ));
    }
    let mut zones = Zones::new(&calendar.components)?;
    let events: Vec<&Component<'_>> = calendar
        .components
        .iter()
        .filter(|c| c.name.as_str().eq_ignore_ascii_case("VEVENT"))
        .collect();
    let mut rejected = Vec::new();
    // UID → (master, overrides), in file order of first appearance.
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, (Option<&Component<'_>>, Vec<&Component<'_>>)> = HashMap::new();
    for (n, event) in events.iter().enumerate() {
        let Some(uid) = prop_value(event, "UID")
            .map(str::trim)
            .filter(|u| !u.is_empty())
        else {
            rejected.push(reject(
                event,
                "ics.no_uid",
                "VEVENT without UID".into(),
                format!("VEVENT #{}", n + 1),
            ));
            continue;
        };
        let entry = groups.entry(uid.to_string()).or_insert_with(|| {
            order.push(uid.to_string());
            (None, Vec::new())
        });
        if prop(event, "RECURRENCE-ID").is_some() {
            entry.1.push(event);
        } else if entry.0.is_none() {
            entry.0 = Some(event);
        } else {
            rejected.push(reject(
                event,
                "ics.duplicate_uid",
                format!("a second VEVENT with UID {uid} and no RECURRENCE-ID"),
                uid.to_string(),
            ));
        }
    }
    let owner = match &opts.owner {
        Some(o) => Some((o.trim().to_lowercase(), false)),
        None => infer_owner(groups.values().filter_map(|g| g.0)).map(|o| (o, true)),
    };
    let mut builder = Builder {
        opts,
        zones: &mut zones,
        owner: owner.as_ref().map(|(o, _)| o.as_str()),
    };
    let mut records = Vec::new();
    for uid in &order {
        let (master, overrides) = &groups[uid];
        match builder.event(uid, *master, overrides) {
            Ok(mut instances) => records.append(&mut instances),
            Err((component, e)) => {
                rejected.push(reject(component, code_of(&e), e.to_string(), uid.clone()))
            }
        }
    }
    let snapshot = rejected.is_empty().then(|| {
        CalendarRecord::snapshot(
            opts.source,
            &opts.calendar_id,
            Snapshot {
                window_start: Some(opts.window.0),
                window_end: Some(opts.window.1),
                started_at: opts.now,
                instances: records.len() as i64,
            },
            opts.now,
        )
    });
    Ok(ParsedCalendar {
        records,
        rejected,
        components: events.len(),
        owner,
        snapshot,
    })
}

/// The calendar's owner when the file does not say: the address taking part (as organizer or
/// attendee) in the most events, if that is more than half of the events with participants;
/// ties go to the one organising more of them, and a tie beyond that infers nobody. A personal
/// calendar's owner is in nearly all of its events; a shared calendar gets no owner.
pub fn infer_owner<'a>(masters: impl Iterator<Item = &'a Component<'a>>) -> Option<String> {
    // address → (events taken part in, events organised)
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut with_people = 0;
    for event in masters {
        let people = participants(event);
        if people.is_empty() {
            continue;
        }
        with_people += 1;
        let organizer = prop(event, "ORGANIZER")
            .and_then(participant)
            .map(|p| p.address);
        for p in people {
            let entry = counts.entry(p.address.clone()).or_default();
            entry.0 += 1;
            entry.1 += usize::from(organizer.as_deref() == Some(p.address.as_str()));
        }
    }
    let mut ranked: Vec<(String, (usize, usize))> = counts.into_iter().collect();
    ranked.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    let (address, (n, organised)) = ranked.first()?.clone();
    let tied = ranked
        .get(1)
        .is_some_and(|second| second.1 == (n, organised));
    (n * 2 > with_people && !tied).then_some(address)
}

fn code_of(error: &IcalError) -> &'static str {
    let text = error.to_string();
    if text.contains("TZID") {
        "ics.timezone"
    } else if text.contains("RRULE") {
        "ics.rrule"
    } else {
        "ics.event"
    }
}

fn reject(
    component: &Component<'_>,
    code: &'static str,
    reason: String,
    source_ref: String,
) -> Rejected {
    let wrapper = parser::Calendar {
        properties: Vec::new(),
        components: vec![component.clone()],
    };
    Rejected {
        raw: wrapper.to_string(),
        code,
        reason,
        source_ref,
    }
}

/// A date or date-time property's value.
#[derive(Debug, Clone)]
enum When {
    /// `...Z`.
    Utc(NaiveDateTime),
    /// With a `TZID`.
    Zoned(NaiveDateTime, Zone),
    /// No zone: wall-clock time.
    Floating(NaiveDateTime),
    /// `VALUE=DATE`.
    Date(NaiveDate),
}

/// The time frame a series is expanded in: its `DTSTART`'s.
#[derive(Debug, Clone)]
enum Frame {
    /// A zone (UTC for a `...Z` start).
    Zoned(Option<Zone>),
    /// Floating wall-clock time.
    Floating,
    /// Dates.
    Dates,
}

impl Frame {
    fn of(when: &When) -> Frame {
        match when {
            When::Utc(_) => Frame::Zoned(None),
            When::Zoned(_, zone) => Frame::Zoned(Some(zone.clone())),
            When::Floating(_) => Frame::Floating,
            When::Date(_) => Frame::Dates,
        }
    }

    /// `when` as a wall-clock time of this frame.
    fn local(&self, when: &When) -> NaiveDateTime {
        let instant = |w: &When| match w {
            When::Utc(t) => Some(*t),
            When::Zoned(t, z) => Some(z.to_utc(*t).naive_utc()),
            _ => None,
        };
        match (self, when) {
            (_, When::Date(d)) => d.and_hms_opt(0, 0, 0).expect("midnight"),
            (Frame::Zoned(zone), w) => match instant(w) {
                Some(utc) => match zone {
                    Some(z) => z.to_local(DateTime::from_naive_utc_and_offset(utc, Utc)),
                    None => utc,
                },
                None => naive(w),
            },
            (_, w) => naive(w),
        }
    }

    /// The UTC instant of a wall-clock time of this frame (zoned frames only).
    fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self {
            Frame::Zoned(Some(zone)) => zone.to_utc(local),
            _ => DateTime::from_naive_utc_and_offset(local, Utc),
        }
    }

    fn recurrence_id(&self, local: NaiveDateTime) -> String {
        match self {
            Frame::Zoned(_) => recurrence_id_of_instant(self.instant(local)),
            Frame::Floating => recurrence_id_of_floating(local),
            Frame::Dates => recurrence_id_of_date(local.date()),
        }
    }
}

fn naive(when: &When) -> NaiveDateTime {
    match when {
        When::Utc(t) | When::Zoned(t, _) | When::Floating(t) => *t,
        When::Date(d) => d.and_hms_opt(0, 0, 0).expect("midnight"),
    }
}

/// Builds the instances of one `UID`.
struct Builder<'o, 'z> {
    /// How to read.
    opts: &'o IcsOptions,
    /// The file's zones.
    zones: &'z mut Zones,
    /// The owner's address, lower case.
    owner: Option<&'o str>,
}

type EventResult<'c> = Result<Vec<CalendarRecord>, (&'c Component<'c>, IcalError)>;

impl Builder<'_, '_> {
    fn event<'c>(
        &mut self,
        uid: &str,
        master: Option<&'c Component<'c>>,
        overrides: &[&'c Component<'c>],
    ) -> EventResult<'c> {
        let mut out = Vec::new();
        let mut by_original: HashMap<NaiveDateTime, &Component<'_>> = HashMap::new();
        let frame = match master {
            Some(m) => Some(Frame::of(
                &self
                    .when(m, "DTSTART")
                    .map_err(|e| (m, e))?
                    .ok_or((m, IcalError::Event("no DTSTART".into())))?,
            )),
            None => None,
        };
        for o in overrides {
            let original = self
                .when(o, "RECURRENCE-ID")
                .map_err(|e| (*o, e))?
                .expect("has RECURRENCE-ID");
            let frame = frame.clone().unwrap_or_else(|| Frame::of(&original));
            let local = frame.local(&original);
            by_original.insert(local, o);
            if let Some(record) = self
                .instance(uid, o, master, Some((&frame, local)), true)
                .map_err(|e| (*o, e))?
            {
                out.push(record);
            }
        }
        let Some(master) = master else {
            return Ok(out);
        };
        let frame = frame.expect("the master's frame");
        let occurrences = self.occurrences(master, &frame).map_err(|e| (master, e))?;
        match occurrences {
            None => {
                if let Some(record) = self
                    .instance(uid, master, None, None, false)
                    .map_err(|e| (master, e))?
                {
                    out.push(record);
                }
            }
            Some(starts) => {
                for local in starts.into_iter().filter(|s| !by_original.contains_key(s)) {
                    if let Some(record) = self
                        .instance(uid, master, None, Some((&frame, local)), false)
                        .map_err(|e| (master, e))?
                    {
                        out.push(record);
                    }
                }
            }
        }
        out.sort_by(|a, b| (sort_key(a), &a.id).cmp(&(sort_key(b), &b.id)));
        Ok(out)
    }

    /// The wall-clock starts of a recurring master within the window (minus `EXDATE`s), or
    /// `None` for a single event.
    fn occurrences(
        &mut self,
        master: &Component<'_>,
        frame: &Frame,
    ) -> Result<Option<Vec<NaiveDateTime>>, IcalError> {
        let rules: Vec<&Property<'_>> = props(master, "RRULE").collect();
        let rdates = self.date_list(master, "RDATE", frame)?;
        if rules.is_empty() && rdates.is_empty() {
            return Ok(None);
        }
        let start = frame.local(&self.when(master, "DTSTART")?.expect("checked"));
        let (from, to) = (
            self.opts.window.0.naive_utc() - Duration::days(2),
            self.opts.window.1.naive_utc() + Duration::days(2),
        );
        let to_local = |utc: NaiveDateTime| frame.local(&When::Utc(utc));
        let mut starts: Vec<NaiveDateTime> = Vec::new();
        for rule in rules {
            starts.extend(
                recur::expand_rule(rule.val.as_str(), start, &to_local, from, to)
                    .map_err(|e| IcalError::Event(e.to_string()))?,
            );
        }
        starts.extend(rdates.into_iter().filter(|d| (from..=to).contains(d)));
        let exdates = self.date_list(master, "EXDATE", frame)?;
        let excluded_days: HashSet<NaiveDate> = props(master, "EXDATE")
            .filter(|p| is_date_valued(p) && !matches!(frame, Frame::Dates))
            .flat_map(|p| {
                p.val
                    .as_str()
                    .split(',')
                    .filter_map(|v| NaiveDate::parse_from_str(v.trim(), "%Y%m%d").ok())
                    .collect::<Vec<_>>()
            })
            .collect();
        starts.retain(|s| !exdates.contains(s) && !excluded_days.contains(&s.date()));
        starts.sort();
        starts.dedup();
        Ok(Some(starts))
    }

    /// The values of every `name` property (`EXDATE`, `RDATE`), as wall-clock times of `frame`.
    fn date_list(
        &mut self,
        component: &Component<'_>,
        name: &str,
        frame: &Frame,
    ) -> Result<Vec<NaiveDateTime>, IcalError> {
        let mut out = Vec::new();
        for property in props(component, name) {
            if param(property, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("PERIOD")) {
                for period in property.val.as_str().split(',') {
                    let start = period.split('/').next().unwrap_or_default();
                    out.push(frame.local(&self.value(property, start)?));
                }
                continue;
            }
            for value in property.val.as_str().split(',') {
                out.push(frame.local(&self.value(property, value.trim())?));
            }
        }
        Ok(out)
    }

    /// A component's date or date-time property.
    fn when(&mut self, component: &Component<'_>, name: &str) -> Result<Option<When>, IcalError> {
        prop(component, name)
            .map(|p| self.value(p, p.val.as_str()))
            .transpose()
    }

    /// One date or date-time value of `property` (which carries the `TZID` and `VALUE`).
    fn value(&mut self, property: &Property<'_>, value: &str) -> Result<When, IcalError> {
        let mut owned = icalendar::Property::new(property.name.as_str(), value.trim());
        for p in &property.params {
            let key = p.key.as_str().to_ascii_uppercase();
            owned.add_parameter(&key, p.val.as_ref().map(|v| v.as_str()).unwrap_or_default());
        }
        let name = property.name.as_str();
        match DatePerhapsTime::from_property(&owned) {
            Some(DatePerhapsTime::Date(d)) => Ok(When::Date(d)),
            Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(t))) => {
                Ok(When::Utc(t.naive_utc()))
            }
            Some(DatePerhapsTime::DateTime(CalendarDateTime::Floating(t))) => Ok(When::Floating(t)),
            Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) => {
                Ok(When::Zoned(date_time, self.zones.resolve(&tzid)?))
            }
            None => Err(IcalError::Event(format!(
                "{name}:{value} is not a date or date-time"
            ))),
        }
    }

    /// One instance: the component's times (`at` moves a master to an occurrence: the frame and
    /// the occurrence's wall-clock start), `None` when it starts outside the window.
    fn instance(
        &mut self,
        uid: &str,
        component: &Component<'_>,
        master: Option<&Component<'_>>,
        at: Option<(&Frame, NaiveDateTime)>,
        is_override: bool,
    ) -> Result<Option<CalendarRecord>, IcalError> {
        let start = self
            .when(component, "DTSTART")?
            .ok_or_else(|| IcalError::Event("no DTSTART".into()))?;
        let frame = Frame::of(&start);
        let start_local = frame.local(&start);
        let end_local = match self.when(component, "DTEND")? {
            Some(end) => frame.local(&end),
            None => match prop_value(component, "DURATION") {
                Some(d) => start_local + parse_duration(d)?,
                None if matches!(frame, Frame::Dates) => start_local + Duration::days(1),
                None => start_local,
            },
        };
        let length = end_local - start_local;
        // An override keeps its own times; a master's occurrence moves to its start.
        let (occurrence, recurrence_id) = match at {
            Some((series, original)) if !is_override => {
                (original, Some(series.recurrence_id(original)))
            }
            Some((series, original)) => (start_local, Some(series.recurrence_id(original))),
            None => (start_local, None),
        };
        let mut record = self.base(uid, component, master, recurrence_id);
        match &frame {
            Frame::Zoned(zone) => {
                let (s, e) = (
                    frame.instant(occurrence),
                    frame.instant(occurrence + length),
                );
                if !(self.opts.window.0..self.opts.window.1).contains(&s) {
                    return Ok(None);
                }
                record.start = Some(s);
                record.end = Some(e);
                record.timezone = zone.as_ref().map(Zone::name);
            }
            Frame::Floating => {
                let window = (
                    self.opts.window.0.naive_utc(),
                    self.opts.window.1.naive_utc(),
                );
                if !(window.0..window.1).contains(&occurrence) {
                    return Ok(None);
                }
                record.floating_start = Some(occurrence);
                record.floating_end = Some(occurrence + length);
            }
            Frame::Dates => {
                let day = occurrence.date();
                let window = (
                    self.opts.window.0.date_naive(),
                    self.opts.window.1.date_naive(),
                );
                if !(window.0..window.1).contains(&day) {
                    return Ok(None);
                }
                record.all_day = true;
                record.start_date = Some(day);
                record.end_date = Some(day + Duration::days(length.num_days().max(1)));
            }
        }
        Ok(Some(record))
    }

    /// The record's fields that do not depend on time: the component's, falling back to the
    /// master's for what an override leaves out.
    fn base(
        &self,
        uid: &str,
        component: &Component<'_>,
        master: Option<&Component<'_>>,
        recurrence_id: Option<String>,
    ) -> CalendarRecord {
        let inherit =
            |name: &str| prop(component, name).or_else(|| master.and_then(|m| prop(m, name)));
        let text = |name: &str| {
            inherit(name).map(|p| p.val.clone().unescape_text().as_str().trim().to_string())
        };
        let cancelled = |c: &Component<'_>| {
            prop_value(c, "STATUS").is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"))
        };
        let status = if cancelled(component) || master.is_some_and(cancelled) {
            EventStatus::Cancelled
        } else if prop_value(component, "STATUS")
            .is_some_and(|s| s.eq_ignore_ascii_case("TENTATIVE"))
        {
            EventStatus::Tentative
        } else {
            EventStatus::Confirmed
        };
        let people_from =
            if prop(component, "ORGANIZER").is_some() || prop(component, "ATTENDEE").is_some() {
                component
            } else {
                master.unwrap_or(component)
            };
        let mark = |mut p: Participant| {
            p.is_self = self.owner.is_some_and(|o| o == p.address);
            p
        };
        let organizer = prop(people_from, "ORGANIZER")
            .and_then(participant)
            .map(mark);
        let attendees = props(people_from, "ATTENDEE")
            .filter_map(participant)
            .map(mark)
            .collect();
        CalendarRecord {
            schema_version: SCHEMA_VERSION,
            kind: RecordKind::Instance,
            id: CalendarRecord::instance_id(&self.opts.calendar_id, uid, recurrence_id.as_deref()),
            source: self.opts.source,
            calendar_id: self.opts.calendar_id.clone(),
            event_id: uid.to_string(),
            recurrence_id,
            status,
            summary: text("SUMMARY").unwrap_or_default(),
            location: text("LOCATION").filter(|l| !l.is_empty()),
            all_day: false,
            start: None,
            end: None,
            start_date: None,
            end_date: None,
            floating_start: None,
            floating_end: None,
            timezone: None,
            organizer,
            attendees,
            transparent: prop_value(component, "TRANSP")
                .is_some_and(|t| t.eq_ignore_ascii_case("TRANSPARENT")),
            sequence: prop_value(component, "SEQUENCE")
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0),
            updated: prop_value(component, "LAST-MODIFIED")
                .and_then(|v| NaiveDateTime::parse_from_str(v.trim(), "%Y%m%dT%H%M%SZ").ok())
                .map(|t| t.and_utc()),
            snapshot: None,
            ingested_at: self.opts.now,
        }
    }
}

fn sort_key(r: &CalendarRecord) -> NaiveDateTime {
    r.start
        .map(|s| s.naive_utc())
        .or(r.floating_start)
        .or_else(|| r.start_date.and_then(|d| d.and_hms_opt(0, 0, 0)))
        .unwrap_or_default()
}

fn is_date_valued(property: &Property<'_>) -> bool {
    param(property, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
}

/// An RFC 5545 duration (`PT1H30M`, `P1D`, `-PT15M`), through the `iso8601` crate.
fn parse_duration(text: &str) -> Result<Duration, IcalError> {
    let text = text.trim();
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.trim_start_matches('+')),
    };
    let parsed = iso8601::duration(body)
        .map_err(|e| IcalError::Event(format!("DURATION:{text} is not a duration: {e}")))?;
    let std: std::time::Duration = parsed.into();
    let d =
        Duration::from_std(std).map_err(|e| IcalError::Event(format!("DURATION:{text}: {e}")))?;
    Ok(if negative { -d } else { d })
}

/// The participant an `ORGANIZER` or `ATTENDEE` names; `None` for rooms and resources, and for
/// values that are not `mailto:` addresses.
fn participant(property: &Property<'_>) -> Option<Participant> {
    if param(property, "CUTYPE")
        .is_some_and(|c| c.eq_ignore_ascii_case("ROOM") || c.eq_ignore_ascii_case("RESOURCE"))
    {
        return None;
    }
    let value = property.val.as_str().trim();
    let address = value
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("mailto:"))
        .map(|_| &value[7..])
        .unwrap_or(value)
        .trim()
        .to_lowercase();
    if !address.contains('@') {
        return None;
    }
    let response =
        param(property, "PARTSTAT").and_then(|s| match s.to_ascii_uppercase().as_str() {
            "ACCEPTED" => Some(Response::Accepted),
            "DECLINED" => Some(Response::Declined),
            "TENTATIVE" => Some(Response::Tentative),
            "NEEDS-ACTION" => Some(Response::NeedsAction),
            _ => None,
        });
    Some(Participant {
        name: param(property, "CN")
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        address,
        response,
        is_self: false,
        optional: param(property, "ROLE")
            .is_some_and(|r| r.eq_ignore_ascii_case("OPT-PARTICIPANT")),
    })
}

/// Every participant of an event (organizer first), one per address.
fn participants(event: &Component<'_>) -> Vec<Participant> {
    let mut seen = HashSet::new();
    prop(event, "ORGANIZER")
        .into_iter()
        .chain(props(event, "ATTENDEE"))
        .filter_map(participant)
        .filter(|p| seen.insert(p.address.clone()))
        .collect()
}

/// The first property called `name` (case-insensitive, as RFC 5545 names are).
pub(crate) fn prop<'a>(component: &'a Component<'a>, name: &str) -> Option<&'a Property<'a>> {
    props(component, name).next()
}

/// Every property called `name`.
pub(crate) fn props<'a, 'n>(
    component: &'a Component<'a>,
    name: &'n str,
) -> impl Iterator<Item = &'a Property<'a>> + use<'a, 'n> {
    component
        .properties
        .iter()
        .filter(move |p| p.name.as_str().eq_ignore_ascii_case(name))
}

/// The value of the first property called `name`.
pub(crate) fn prop_value<'a>(component: &'a Component<'a>, name: &str) -> Option<&'a str> {
    prop(component, name).map(|p| p.val.as_str())
}

/// A parameter's value (case-insensitive name).
pub(crate) fn param<'a>(property: &'a Property<'a>, name: &str) -> Option<&'a str> {
    property
        .params
        .iter()
        .find(|p| p.key.as_str().eq_ignore_ascii_case(name))
        .and_then(|p| p.val.as_ref().map(|v| v.as_str()))
}

#[cfg(test)]
mod tests;
