//! Optimising a day ("Yes, optimize it"): concrete changes that resolve the day's concerns, with
//! what they change in numbers. Pure: [`plan`] works on the day's events as minutes after the
//! local midnight; [`super::day`] loads them from the serving tables and turns the plan into
//! actions.
//!
//! The concerns are the stream's (`mindy_core::calendar::day`): overlapping meetings, no free
//! lunch (30 minutes of 12:00–14:00), tight travel between physical locations (under 30
//! minutes), all within the user's working hours. In this order:
//!
//! 1. **Conflicts**: of two overlapping events, the one with the lower priority that the user can
//!    move is moved to the free slot that leaves the day the most focus time (free blocks of an
//!    hour or more), then the one nearest its old time.
//! 2. **Lunch**: when no 30 minutes of 12:00–14:00 are free, movable meetings in that slot are
//!    moved out, lowest priority first; then the free part of the slot (30–60 minutes) is
//!    blocked as "Lunch" unless a block already holds it — one of this plan's, or a lunch block
//!    already in the calendar ([`is_lunch_block`]: a client lunch is a meeting, not the user's
//!    break, as the stream counts it).
//! 3. **Travel**: before a meeting at another place with under 30 minutes to get there, a long
//!    (45 min or more) movable meeting before it ends early enough — by at most a third of its
//!    length — and the gap is blocked as a travel buffer; else one of the two moves away.
//!
//! A meeting moves within its day when a slot fits, and no move may leave too little time to
//! get somewhere; when the day has no room, it moves to the lightest of the other working days
//! offered ([`OtherDay`]: the week's remaining ones, the next one), nearest its time of day.
//!
//! **Who can be moved** ([`Event::movable`]): only events the user organises, not all-day, with
//! no external attendee (a client's or partner's time is not the user's to move) and at most
//! [`MAX_MOVABLE_PARTICIPANTS`] participants. **Priority** (lower moves first): 50, −20 for a
//! recurring meeting (one occurrence moves at little cost), −10 for a 1-on-1, +10 for an hour or
//! longer. A slot is free when no busy event of the user's, no block, and no known event of any
//! attendee (from the user's calendar, accepted or not answered) overlaps it.
//!
//! The plan is verified before it is returned: it creates no overlap that was not there, and no
//! moved event lands on a known attendee's other meeting or, on another day, on the user's
//! busy time there. What cannot be solved is said, not
//! hidden ([`DayPlan::unresolved`]).

use std::collections::HashMap;

use chrono::NaiveDate;

use mindy_core::calendar::day::{
    is_lunch_block, WorkingHours, BACK_TO_BACK_GAP, LUNCH_BLOCK_TITLE, LUNCH_MINUTES, LUNCH_SLOT,
    TRAVEL_MINUTES,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most participants (the user included) of an event the optimiser may move.
pub const MAX_MOVABLE_PARTICIPANTS: i32 = 5;
/// A free block at least this long counts as focus time, minutes.
pub const FOCUS_MINUTES: i32 = 60;
/// Slots are tried on this grid, minutes.
const GRID: i32 = 15;
/// The longest lunch block, minutes.
const LUNCH_BLOCK: i32 = 60;
/// A long meeting is ended early for travel by at most this share of its length (a third).
const MAX_SHORTEN_DIVISOR: i32 = 3;
/// A meeting this long or longer may be ended early for travel, minutes.
const SHORTENABLE: i32 = 45;

/// One event of the day, times in minutes after the local midnight.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Serving id (`calendar_events.id`).
    pub id: String,
    /// Title.
    pub summary: String,
    /// Start.
    pub start: i32,
    /// End.
    pub end: i32,
    /// A physical location (lower-cased, trimmed), when it has one.
    pub place: Option<String>,
    /// The location as written.
    pub location: Option<String>,
    /// Blocks the user's time.
    pub busy: bool,
    /// With someone besides the user.
    pub is_meeting: bool,
    /// Why the user cannot move it, when they cannot.
    pub fixed: Option<String>,
    /// Lower moves first.
    pub priority: i32,
    /// The other participants' addresses.
    pub attendees: Vec<String>,
    /// The day the plan moved it to, when it leaves this one.
    pub away: Option<NaiveDate>,
}

impl Event {
    /// True when the optimiser may move it.
    pub fn movable(&self) -> bool {
        self.fixed.is_none()
    }

    fn minutes(&self) -> i32 {
        self.end - self.start
    }
}

/// Another working day a meeting may move to when its own day has no room: its busy time and
/// what each participant is known to attend, minutes after its midnight.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OtherDay {
    /// The date.
    pub date: NaiveDate,
    /// The user's busy time.
    pub busy: Vec<(i32, i32)>,
    /// What each participant attends.
    pub known: Known,
    /// Minutes in meetings (lighter days are tried first).
    pub meeting_minutes: i32,
}

/// What a participant is known to attend that day (from the user's calendar): `(start, end,
/// event id)`.
pub type Known = HashMap<String, Vec<(i32, i32, String)>>;

/// One change of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// An event moves (or ends earlier: same start).
    Move {
        /// Serving id.
        id: String,
        /// Its title.
        summary: String,
        /// Old start and end, minutes after midnight.
        from: (i32, i32),
        /// New start and end.
        to: (i32, i32),
        /// The day it moves to, when not its own.
        to_date: Option<NaiveDate>,
        /// Why, in words.
        reason: String,
    },
    /// Time blocked on the user's calendar.
    Block {
        /// Title ("Lunch", "Travel to HQ").
        summary: String,
        /// Start, minutes after midnight.
        start: i32,
        /// End.
        end: i32,
        /// Why, in words.
        reason: String,
    },
}

/// A day's figures, before or after the plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Figures {
    /// Minutes in meetings.
    pub meeting_minutes: i32,
    /// Pairs of overlapping busy events.
    pub conflicts: usize,
    /// The longest back-to-back run of meetings, minutes (0 without one).
    pub longest_back_to_back: i32,
    /// 30 minutes of 12:00–14:00 free or blocked for lunch.
    pub lunch_free: bool,
    /// Moves between places with under 30 minutes and no travel buffer.
    pub tight_travel: usize,
    /// Free minutes in blocks of an hour or more within working hours.
    pub focus_minutes: i32,
}

/// The plan for a day.
#[derive(Debug, Clone, PartialEq)]
pub struct DayPlan {
    /// The changes, in the order they were decided.
    pub changes: Vec<Change>,
    /// Concerns the plan could not solve, in words.
    pub unresolved: Vec<String>,
    /// The day as it is.
    pub before: Figures,
    /// The day with the plan applied.
    pub after: Figures,
}

/// A busy interval of the timeline: an event or a block.
#[derive(Debug, Clone)]
struct Slot {
    id: String,
    start: i32,
    end: i32,
    meeting: bool,
    lunch: bool,
    travel_to: Option<String>,
}

fn overlaps(a: (i32, i32), b: (i32, i32)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Clock text of minutes after midnight.
pub fn clock(minutes: i32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The working state: events at their current times, and the blocks added.
struct Day<'a> {
    events: Vec<Event>,
    blocks: Vec<(String, i32, i32)>,
    hours: WorkingHours,
    known: &'a Known,
    /// Nothing is moved to before this minute (now, on today's plan).
    not_before: i32,
    /// Other days a meeting may move to.
    others: Vec<OtherDay>,
    /// Meetings the plan moved into each other day: (other day index, start, end, id).
    moved_in: Vec<(usize, i32, i32, String)>,
}

impl Day<'_> {
    fn timeline(&self) -> Vec<Slot> {
        let mut slots: Vec<Slot> = self
            .events
            .iter()
            .filter(|e| e.busy && e.away.is_none())
            .map(|e| Slot {
                id: e.id.clone(),
                start: e.start,
                end: e.end,
                meeting: e.is_meeting,
                // A client lunch is a meeting at lunchtime, not the user's break: only the
                // user's own lunch block holds lunch (as in the stream's definition).
                lunch: !e.is_meeting && is_lunch_block(&e.summary),
                travel_to: None,
            })
            .collect();
        for (i, (summary, start, end)) in self.blocks.iter().enumerate() {
            slots.push(Slot {
                id: format!("block-{i}"),
                start: *start,
                end: *end,
                meeting: false,
                lunch: is_lunch_block(summary),
                travel_to: summary.strip_prefix("Travel to ").map(str::to_string),
            });
        }
        slots.sort_by(|a, b| (a.start, a.end, &a.id).cmp(&(b.start, b.end, &b.id)));
        slots
    }

    /// Overlapping pairs of busy slots, by id, the smaller id first: a pair stays the same pair
    /// when a move changes which of the two comes first on the timeline.
    fn conflicts(&self) -> Vec<(String, String)> {
        let slots = self.timeline();
        let mut pairs = Vec::new();
        for (i, a) in slots.iter().enumerate() {
            for b in &slots[i + 1..] {
                if overlaps((a.start, a.end), (b.start, b.end)) {
                    let (first, second) = if a.id <= b.id { (a, b) } else { (b, a) };
                    pairs.push((first.id.clone(), second.id.clone()));
                }
            }
        }
        pairs
    }

    /// Free intervals within working hours.
    fn free(&self) -> Vec<(i32, i32)> {
        let mut free = Vec::new();
        let mut at = self.hours.start;
        for s in self.timeline() {
            if s.start > at {
                free.push((at, s.start.min(self.hours.end)));
            }
            at = at.max(s.end);
            if at >= self.hours.end {
                break;
            }
        }
        if at < self.hours.end {
            free.push((at, self.hours.end));
        }
        free.retain(|(a, b)| b > a);
        free
    }

    /// A lunch block covers [`LUNCH_MINUTES`] of the lunch slot.
    fn lunch_held(&self) -> bool {
        let (ls, le) = LUNCH_SLOT;
        self.timeline()
            .iter()
            .any(|s| s.lunch && s.end.min(le) - s.start.max(ls) >= LUNCH_MINUTES)
    }

    fn lunch_free(&self) -> bool {
        let (ls, le) = LUNCH_SLOT;
        self.lunch_held()
            || self
                .free_all_day()
                .iter()
                .any(|(a, b)| (*b).min(le) - (*a).max(ls) >= LUNCH_MINUTES)
    }

    /// Free intervals over the whole day (lunch may fall outside working hours).
    fn free_all_day(&self) -> Vec<(i32, i32)> {
        let mut free = Vec::new();
        let mut at = 0;
        for s in self.timeline() {
            if s.start > at {
                free.push((at, s.start));
            }
            at = at.max(s.end);
        }
        free.push((at, 24 * 60));
        free.retain(|(a, b)| b > a);
        free
    }

    /// Consecutive busy events at different physical places: (from index, to index, gap).
    fn travel(&self) -> Vec<(usize, usize, i32)> {
        let mut physical: Vec<usize> = (0..self.events.len())
            .filter(|&i| {
                let e = &self.events[i];
                e.busy && e.away.is_none() && e.place.is_some()
            })
            .collect();
        physical.sort_by(|&a, &b| {
            (self.events[a].start, &self.events[a].id)
                .cmp(&(self.events[b].start, &self.events[b].id))
        });
        physical
            .windows(2)
            .filter(|w| self.events[w[0]].place != self.events[w[1]].place)
            .map(|w| (w[0], w[1], self.events[w[1]].start - self.events[w[0]].end))
            .collect()
    }

    fn buffered(&self, to: &Event, from_end: i32) -> bool {
        self.timeline().iter().any(|s| {
            s.travel_to.as_deref() == to.location.as_deref()
                && s.end == to.start
                && s.start <= from_end.max(to.start - TRAVEL_MINUTES)
        })
    }

    /// The tight moves between places without a buffer, by event ids.
    fn tight_pairs(&self) -> Vec<(String, String)> {
        self.travel()
            .into_iter()
            .filter(|(f, t, gap)| {
                *gap < TRAVEL_MINUTES && !self.buffered(&self.events[*t], self.events[*f].end)
            })
            .map(|(f, t, _)| (self.events[f].id.clone(), self.events[t].id.clone()))
            .collect()
    }

    fn figures(&self) -> Figures {
        let slots = self.timeline();
        let meetings: Vec<&Slot> = slots.iter().filter(|s| s.meeting).collect();
        let mut longest = 0;
        let mut run: Option<(i32, i32, usize)> = None;
        for m in &meetings {
            run = match run {
                Some((start, end, n)) if m.start - end <= BACK_TO_BACK_GAP => {
                    Some((start, end.max(m.end), n + 1))
                }
                _ => Some((m.start, m.end, 1)),
            };
            if let Some((start, end, n)) = run {
                if n >= 2 {
                    longest = longest.max(end - start);
                }
            }
        }
        let tight_travel = self.tight_pairs().len();
        Figures {
            meeting_minutes: meetings.iter().map(|m| m.end - m.start).sum(),
            conflicts: self.conflicts().len(),
            longest_back_to_back: longest,
            lunch_free: self.lunch_free(),
            tight_travel,
            focus_minutes: self
                .free()
                .iter()
                .map(|(a, b)| b - a)
                .filter(|m| *m >= FOCUS_MINUTES)
                .sum(),
        }
    }

    /// True when `(start, end)` is free for event `i`: no other busy slot, no known event of
    /// its attendees.
    fn fits(&self, i: usize, start: i32, end: i32) -> bool {
        let me = &self.events[i];
        let clear = self
            .timeline()
            .iter()
            .all(|s| s.id == me.id || !overlaps((s.start, s.end), (start, end)));
        clear && self.attendees_free(me, start, end)
    }

    fn attendees_free(&self, me: &Event, start: i32, end: i32) -> bool {
        me.attendees.iter().all(|a| {
            self.known.get(a).is_none_or(|events| {
                events.iter().all(|(s, e, id)| {
                    if *id == me.id {
                        return true;
                    }
                    // One of the day's events is where the plan has put it so far.
                    let (s, e) = self.moved_time(id).unwrap_or((*s, *e));
                    !overlaps((s, e), (start, end))
                })
            })
        })
    }

    /// The current time of event `id` when it is one of the day's.
    fn moved_time(&self, id: &str) -> Option<(i32, i32)> {
        self.events.iter().find(|e| e.id == id).map(|e| {
            // Moved to another day: it no longer takes anyone's time on this one.
            if e.away.is_some() {
                (0, 0)
            } else {
                (e.start, e.end)
            }
        })
    }

    /// A slot for event `i` on another day, the lightest first, nearest its time of day:
    /// within working hours, outside the lunch slot, clear of the user's busy time, of what the
    /// plan already moved there and of every known meeting of its attendees.
    fn other_slot(&self, i: usize) -> Option<(usize, (i32, i32))> {
        let e = &self.events[i];
        let length = e.minutes();
        let mut order: Vec<usize> = (0..self.others.len()).collect();
        order.sort_by_key(|&d| (self.others[d].meeting_minutes, self.others[d].date));
        order.into_iter().find_map(|d| {
            let other = &self.others[d];
            let mut best: Option<(i32, (i32, i32))> = None;
            let mut start = self.hours.start;
            while start + length <= self.hours.end {
                let slot = (start, start + length);
                let clear = !overlaps(slot, LUNCH_SLOT)
                    && other.busy.iter().all(|b| !overlaps(*b, slot))
                    && self
                        .moved_in
                        .iter()
                        .all(|(od, s, e, _)| *od != d || !overlaps((*s, *e), slot))
                    && e.attendees.iter().all(|a| {
                        other
                            .known
                            .get(a)
                            .is_none_or(|v| v.iter().all(|(s, e, _)| !overlaps((*s, *e), slot)))
                    });
                let distance = (start - e.start).abs();
                if clear && best.is_none_or(|(b, _)| distance < b) {
                    best = Some((distance, slot));
                }
                start += GRID;
            }
            best.map(|(_, slot)| (d, slot))
        })
    }

    /// Moves event `i` to another day.
    fn apply_move_away(
        &mut self,
        changes: &mut Vec<Change>,
        i: usize,
        (d, slot): (usize, (i32, i32)),
        reason: String,
    ) {
        let date = self.others[d].date;
        let e = &mut self.events[i];
        let from = (e.start, e.end);
        e.away = Some(date);
        for a in &e.attendees {
            self.others[d]
                .known
                .entry(a.clone())
                .or_default()
                .push((slot.0, slot.1, e.id.clone()));
        }
        self.moved_in.push((d, slot.0, slot.1, e.id.clone()));
        changes.retain(|c| !matches!(c, Change::Move { id, .. } if *id == e.id));
        changes.push(Change::Move {
            id: e.id.clone(),
            summary: e.summary.clone(),
            from,
            to: slot,
            to_date: Some(date),
            reason,
        });
    }

    /// Moves event `i` within the day if a slot fits, else to another day; false when neither.
    fn relocate(
        &mut self,
        changes: &mut Vec<Change>,
        i: usize,
        avoid_lunch: bool,
        reason: &str,
    ) -> bool {
        debug_assert!(
            self.events[i].away.is_none(),
            "a meeting moved to another day is not moved again"
        );
        if let Some(slot) = self.best_slot(i, avoid_lunch) {
            self.apply_move(changes, i, slot, reason.to_string());
            return true;
        }
        match self.other_slot(i) {
            Some(target) => {
                let date = self.others[target.0].date.format("%a %-d %b");
                self.apply_move_away(
                    changes,
                    i,
                    target,
                    format!("{reason}; no slot that day fits, {date} has room"),
                );
                true
            }
            None => false,
        }
    }

    /// The best free slot for event `i` within working hours: the most focus time left, then
    /// lunch kept free if it is, then the shortest back-to-back run, then nearest its time.
    fn best_slot(&mut self, i: usize, avoid_lunch: bool) -> Option<(i32, i32)> {
        let (old_start, old_end) = (self.events[i].start, self.events[i].end);
        let length = self.events[i].minutes();
        let lunch_was_free = self.lunch_free();
        let tight_before = self.tight_pairs();
        // (score, slot): the score orders slots, lower first.
        type Scored = ((i32, bool, i32, i32), (i32, i32));
        let mut best: Option<Scored> = None;
        // The first slot on the grid at or after both the working day's start and now.
        let earliest = self.hours.start.max(self.not_before);
        let mut start = earliest + (GRID - (earliest - self.hours.start) % GRID) % GRID;
        while start + length <= self.hours.end {
            let end = start + length;
            let skip = start == old_start
                || (avoid_lunch && overlaps((start, end), LUNCH_SLOT))
                || !self.fits(i, start, end);
            if !skip {
                self.events[i].start = start;
                self.events[i].end = end;
                let f = self.figures();
                if !self.tight_pairs().iter().all(|p| tight_before.contains(p)) {
                    // No move may leave too little time to get somewhere.
                    start += GRID;
                    continue;
                }
                let keeps_lunch = f.lunch_free || !lunch_was_free;
                let score = (
                    -f.focus_minutes,
                    !keeps_lunch,
                    f.longest_back_to_back,
                    (start - old_start).abs(),
                );
                if best.as_ref().is_none_or(|(s, _)| score < *s) {
                    best = Some((score, (start, end)));
                }
            }
            start += GRID;
        }
        self.events[i].start = old_start;
        self.events[i].end = old_end;
        best.map(|(_, slot)| slot)
    }

    fn index(&self, id: &str) -> Option<usize> {
        self.events.iter().position(|e| e.id == id)
    }

    /// Moves event `i` to `slot`, recording the change (a second move of the same event
    /// replaces its first).
    fn apply_move(
        &mut self,
        changes: &mut Vec<Change>,
        i: usize,
        slot: (i32, i32),
        reason: String,
    ) {
        let e = &mut self.events[i];
        let from = (e.start, e.end);
        e.start = slot.0;
        e.end = slot.1;
        let id = e.id.clone();
        let summary = e.summary.clone();
        if let Some(Change::Move { to, reason: r, .. }) = changes
            .iter_mut()
            .find(|c| matches!(c, Change::Move { id: other, .. } if *other == id))
        {
            *to = slot;
            r.push_str("; ");
            r.push_str(&reason);
            return;
        }
        changes.push(Change::Move {
            id,
            summary,
            from,
            to: slot,
            to_date: None,
            reason,
        });
    }
}

/// Plans the day. `events` are the day's events; `known` what each participant attends that
/// day; `now`, on today's plan, the minute after midnight it is: what has started stays, and
/// nothing is moved or blocked before it.
///
/// # Errors
/// A plan that would create an overlap or put a moved event on an attendee's other meeting (a
/// defect of the planner: nothing is proposed then).
pub fn plan(
    events: &[Event],
    known: &Known,
    hours: WorkingHours,
    now: Option<i32>,
    others: &[OtherDay],
) -> Result<DayPlan, String> {
    let not_before = now.unwrap_or(0);
    let mut events = events.to_vec();
    for e in &mut events {
        if e.start < not_before && e.fixed.is_none() {
            e.fixed = Some("has already started".into());
        }
    }
    let mut day = Day {
        events,
        blocks: Vec::new(),
        hours,
        known,
        not_before,
        others: others.to_vec(),
        moved_in: Vec::new(),
    };
    let before = day.figures();
    let conflicts_before = day.conflicts();
    let mut changes = Vec::new();
    let mut unresolved = Vec::new();

    // 1. Conflicts.
    for (a, b) in conflicts_before.clone() {
        let (Some(ia), Some(ib)) = (day.index(&a), day.index(&b)) else {
            continue;
        };
        let (ea, eb) = (&day.events[ia], &day.events[ib]);
        if ea.away.is_some()
            || eb.away.is_some()
            || !overlaps((ea.start, ea.end), (eb.start, eb.end))
        {
            continue; // solved by an earlier move (one of them left the day)
        }
        let mut candidates: Vec<usize> = [ia, ib]
            .into_iter()
            .filter(|&i| day.events[i].movable())
            .collect();
        candidates.sort_by_key(|&i| (day.events[i].priority, -day.events[i].start));
        let other = |i: usize| if i == ia { ib } else { ia };
        let mut solved = false;
        for i in candidates {
            let with = day.events[other(i)].summary.clone();
            if day.relocate(&mut changes, i, false, &format!("it overlapped \"{with}\"")) {
                solved = true;
                break;
            }
        }
        if !solved {
            let (ea, eb) = (&day.events[ia], &day.events[ib]);
            let why = [ea, eb]
                .iter()
                .filter_map(|e| e.fixed.as_ref().map(|f| format!("\"{}\" {f}", e.summary)))
                .collect::<Vec<_>>();
            unresolved.push(format!(
                "\"{}\" and \"{}\" still overlap at {}: {}",
                ea.summary,
                eb.summary,
                clock(ea.start.max(eb.start)),
                if why.is_empty() {
                    "no free slot fits either that day".to_string()
                } else {
                    why.join("; ")
                }
            ));
        }
    }

    // 2. Lunch.
    if !day.lunch_free() {
        let mut in_lunch: Vec<usize> = (0..day.events.len())
            .filter(|&i| {
                let e = &day.events[i];
                e.busy && e.away.is_none() && e.movable() && overlaps((e.start, e.end), LUNCH_SLOT)
            })
            .collect();
        in_lunch.sort_by_key(|&i| day.events[i].priority);
        for i in in_lunch {
            if day.lunch_free() {
                break;
            }
            day.relocate(&mut changes, i, true, "to free the lunch hour");
        }
        if !day.lunch_free() {
            unresolved.push(
                "Lunch (12:00–14:00) stays busy: what is in it cannot be moved by you, or no \
                 slot fits it"
                    .into(),
            );
        }
    }
    let (ls, le) = LUNCH_SLOT;
    if !day.lunch_held() {
        let window = day
            .free_all_day()
            .into_iter()
            .map(|(a, b)| (a.max(ls).max(day.not_before), b.min(le)))
            .filter(|(a, b)| b - a >= LUNCH_MINUTES)
            .max_by_key(|(a, b)| (b - a, -a));
        if let Some((a, b)) = window {
            let end = b.min(a + LUNCH_BLOCK);
            day.blocks.push((LUNCH_BLOCK_TITLE.into(), a, end));
            changes.push(Change::Block {
                summary: LUNCH_BLOCK_TITLE.into(),
                start: a,
                end,
                reason: "keeps time to eat and catch up on email".into(),
            });
        }
    }

    // 3. Travel: each tight move between places once, recomputed after every change.
    let mut handled: Vec<(String, String)> = Vec::new();
    while let Some((f, t)) = day.travel().into_iter().find_map(|(f, t, gap)| {
        let (from, to) = (&day.events[f], &day.events[t]);
        let key = (from.id.clone(), to.id.clone());
        ((0..TRAVEL_MINUTES).contains(&gap)
            && to.start > day.not_before
            && !day.buffered(to, from.end)
            && !handled.contains(&key))
        .then_some((f, t))
    }) {
        let (from, to) = (day.events[f].clone(), day.events[t].clone());
        handled.push((from.id.clone(), to.id.clone()));
        let gap = to.start - from.end;
        let mut leave = from.end;
        let need = TRAVEL_MINUTES - gap;
        let between = format!(
            "to leave time to get from {} to {}",
            from.location.clone().unwrap_or_default(),
            to.location.clone().unwrap_or_default()
        );
        if from.movable()
            && from.minutes() >= SHORTENABLE
            && need <= from.minutes() / MAX_SHORTEN_DIVISOR
        {
            day.apply_move(
                &mut changes,
                f,
                (from.start, from.end - need),
                format!("ends {need} minutes early to get to \"{}\"", to.summary),
            );
            leave = from.end - need;
        } else {
            // Move one of the two out of the way, the lower priority first.
            let mut movers: Vec<usize> = [f, t]
                .into_iter()
                .filter(|&i| day.events[i].movable())
                .collect();
            movers.sort_by_key(|&i| day.events[i].priority);
            let keep_lunch = day.lunch_free();
            if movers
                .into_iter()
                .any(|i| day.relocate(&mut changes, i, keep_lunch, &between))
            {
                continue;
            }
        }
        // One leaves after the last busy time before the meeting: a call between the two places,
        // say, is not travel time.
        let timeline = day.timeline();
        let leave = timeline
            .iter()
            .filter(|s| s.id != from.id && s.id != to.id && s.end <= to.start)
            .map(|s| s.end)
            .fold(leave, i32::max);
        let start = leave.max(to.start - TRAVEL_MINUTES).max(day.not_before);
        let place = to.location.clone().unwrap_or_default();
        // Nothing else may sit in the block (what overlaps the meeting itself stays an overlap).
        let clear = timeline
            .iter()
            .all(|s| s.id == to.id || !overlaps((s.start, s.end), (start, to.start)));
        if to.start - start > 0 && clear {
            day.blocks
                .push((format!("Travel to {place}"), start, to.start));
            changes.push(Change::Block {
                summary: format!("Travel to {place}"),
                start,
                end: to.start,
                reason: format!(
                    "{} minutes to get from {} to {}",
                    to.start - start,
                    from.location.clone().unwrap_or_default(),
                    place
                ),
            });
        }
        if to.start - leave < TRAVEL_MINUTES {
            unresolved.push(format!(
                "Only {} minutes to get from {} to {} for \"{}\" at {}: {}",
                to.start - leave,
                from.location.clone().unwrap_or_default(),
                place,
                to.summary,
                clock(to.start),
                [&from, &to]
                    .iter()
                    .filter_map(|e| e.fixed.as_ref().map(|w| format!("\"{}\" {w}", e.summary)))
                    .chain(
                        (from.movable() || to.movable())
                            .then(|| "no free slot that day fits the one you can move".into())
                    )
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
    }

    // Verification: no new overlap, no moved event on an attendee's other meeting.
    let after_conflicts = day.conflicts();
    if let Some(new) = after_conflicts
        .iter()
        .find(|p| !conflicts_before.contains(p))
    {
        return Err(format!(
            "the plan would create an overlap: {} and {}",
            new.0, new.1
        ));
    }
    for change in &changes {
        match change {
            Change::Move {
                id,
                to,
                to_date: None,
                ..
            } => {
                let e = &day.events[day.index(id).expect("a day's event")];
                if !day.attendees_free(e, to.0, to.1) {
                    return Err(format!("{id} would land on an attendee's other meeting"));
                }
            }
            Change::Move {
                id,
                to,
                to_date: Some(date),
                ..
            } => {
                let original = others
                    .iter()
                    .find(|o| o.date == *date)
                    .ok_or_else(|| format!("{id} moved to {date}, not a day offered"))?;
                let e = &day.events[day.index(id).expect("a day's event")];
                let clash = original.busy.iter().any(|b| overlaps(*b, *to))
                    || day.moved_in.iter().any(|(d, s, en, other)| {
                        other != id && day.others[*d].date == *date && overlaps((*s, *en), *to)
                    })
                    || e.attendees.iter().any(|a| {
                        original
                            .known
                            .get(a)
                            .is_some_and(|v| v.iter().any(|(s, en, _)| overlaps((*s, *en), *to)))
                    });
                if clash {
                    return Err(format!("{id} would land on a busy slot of {date}"));
                }
            }
            Change::Block { .. } => {}
        }
    }
    let after = day.figures();
    Ok(DayPlan {
        changes,
        unresolved,
        before,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOURS: WorkingHours = WorkingHours {
        start: 9 * 60,
        end: 17 * 60,
    };

    fn at(hm: &str) -> i32 {
        let (h, m) = hm.split_once(':').unwrap();
        h.parse::<i32>().unwrap() * 60 + m.parse::<i32>().unwrap()
    }

    fn event(id: &str, from: &str, to: &str) -> Event {
        Event {
            id: id.into(),
            summary: id.into(),
            start: at(from),
            end: at(to),
            place: None,
            location: None,
            busy: true,
            is_meeting: true,
            fixed: None,
            priority: 50,
            attendees: Vec::new(),
            away: None,
        }
    }

    fn fixed(mut e: Event) -> Event {
        e.fixed = Some("has a client attending".into());
        e
    }

    fn at_place(mut e: Event, place: &str) -> Event {
        e.place = Some(place.to_lowercase());
        e.location = Some(place.into());
        e
    }

    /// The demo's kind of busiest day: a client call overlapping an internal sync, meetings
    /// through lunch, and a move across town with ten minutes to spare.
    fn busy_day() -> Vec<Event> {
        let mut sync = event("sync", "10:30", "11:00");
        sync.priority = 30; // recurring
        sync.attendees = vec!["john@northwind.example".into()];
        let mut review = event("review", "12:00", "13:00");
        review.attendees = vec!["john@northwind.example".into()];
        vec![
            fixed(event("client call", "10:00", "11:00")),
            sync,
            fixed(event("board prep", "11:00", "12:00")),
            review,
            at_place(event("team talk", "13:00", "14:00"), "HQ"),
            at_place(fixed(event("site visit", "14:10", "15:00")), "Acme Office"),
        ]
    }

    #[test]
    fn the_busy_day_is_solved_without_a_new_overlap() {
        let events = busy_day();
        let mut known = Known::new();
        // John is known to attend a 15:00–16:00 meeting without the user.
        known.insert(
            "john@northwind.example".into(),
            vec![(at("15:00"), at("16:00"), "johns-other".into())],
        );
        let plan = plan(&events, &known, HOURS, None, &[]).unwrap();
        assert_eq!(plan.before.conflicts, 1);
        assert_eq!(plan.after.conflicts, 0);
        assert!(!plan.before.lunch_free && plan.after.lunch_free);
        assert_eq!((plan.before.tight_travel, plan.after.tight_travel), (1, 0));
        assert!(plan.unresolved.is_empty(), "{:?}", plan.unresolved);
        for change in &plan.changes {
            if let Change::Move { id, to, .. } = change {
                if id == "sync" || id == "review" {
                    assert!(
                        !overlaps(*to, (at("15:00"), at("16:00"))),
                        "{id} moved onto John's other meeting: {change:?}"
                    );
                }
            }
        }
        let moved: Vec<&str> = plan
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::Move { id, .. } => Some(id.as_str()),
                _ => None,
            })
            .collect();
        assert!(
            moved.contains(&"sync") && moved.contains(&"review"),
            "{moved:?}"
        );
        assert!(!moved.contains(&"client call") && !moved.contains(&"site visit"));
        let blocks: Vec<&str> = plan
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::Block { summary, .. } => Some(summary.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(blocks, ["Lunch", "Travel to Acme Office"]);
    }

    /// The lunch block of an earlier plan (now an event of the calendar) holds lunch: the day
    /// is not seen without one, and no second block is proposed; a client lunch does not.
    #[test]
    fn a_lunch_block_in_the_calendar_holds_lunch() {
        let mut lunch = event("lunch-block", "12:00", "12:45");
        lunch.summary = " lunch ".into();
        lunch.is_meeting = false;
        lunch.fixed = Some("was just changed".into());
        let day = vec![
            fixed(event("a", "09:00", "12:00")),
            lunch.clone(),
            fixed(event("b", "12:45", "14:00")),
        ];
        let held = plan(&day, &Known::new(), HOURS, None, &[]).unwrap();
        assert!(held.before.lunch_free && held.after.lunch_free);
        assert!(held.changes.is_empty(), "{:?}", held.changes);

        let mut client_lunch = lunch;
        client_lunch.is_meeting = true;
        let day = vec![
            fixed(event("a", "09:00", "12:00")),
            client_lunch,
            fixed(event("b", "12:45", "14:00")),
        ];
        let busy = plan(&day, &Known::new(), HOURS, None, &[]).unwrap();
        assert!(!busy.before.lunch_free);
    }

    #[test]
    fn what_cannot_move_is_said() {
        let events = vec![
            fixed(event("a", "10:00", "11:00")),
            fixed(event("b", "10:30", "11:30")),
        ];
        let plan = plan(&events, &Known::new(), HOURS, None, &[]).unwrap();
        assert_eq!(plan.after.conflicts, 1);
        assert_eq!(plan.unresolved.len(), 1);
        assert!(plan.unresolved[0].contains("has a client attending"));
        assert!(plan
            .changes
            .iter()
            .all(|c| matches!(c, Change::Block { .. })));
    }

    #[test]
    fn a_full_day_moves_nothing() {
        let mut events = vec![fixed(event("all", "09:00", "17:00"))];
        events.push(event("late", "16:30", "17:30"));
        let plan = plan(&events, &Known::new(), HOURS, None, &[]).unwrap();
        assert_eq!(
            plan.after.conflicts, 1,
            "no slot: the overlap stays, and is said"
        );
        assert_eq!(plan.unresolved.len(), 2, "{:?}", plan.unresolved);
    }

    #[test]
    fn today_keeps_what_has_started_and_moves_nothing_into_the_past() {
        let events = vec![
            fixed(event("client", "10:00", "11:00")),
            event("sync", "10:30", "11:00"),
        ];
        // 10:40: the sync has started, and stays; the overlap is said.
        let plan = plan(&events, &Known::new(), HOURS, Some(at("10:40")), &[]).unwrap();
        assert!(plan
            .changes
            .iter()
            .all(|c| !matches!(c, Change::Move { .. })));
        assert!(
            plan.unresolved[0].contains("has already started"),
            "{:?}",
            plan.unresolved
        );
        // 09:05: the sync moves, not before 09:15 (the next slot on the grid).
        let plan = plan_at(&events, "09:05");
        let Some(Change::Move { to, .. }) = plan.changes.first() else {
            panic!("{:?}", plan.changes);
        };
        assert!(to.0 >= at("09:15"), "{to:?}");
    }

    fn plan_at(events: &[Event], now: &str) -> DayPlan {
        plan(events, &Known::new(), HOURS, Some(at(now)), &[]).unwrap()
    }

    /// The demo persona's busiest day, in short: a client lunch across town, meetings all
    /// afternoon at HQ, a visit at a client's at 16:00. Within the day nothing can go where it
    /// would not leave too little time to get somewhere, and that is said.
    #[test]
    fn a_move_never_leaves_too_little_time_to_travel() {
        let events = vec![
            at_place(
                fixed(event("client lunch", "12:00", "13:00")),
                "Harbor Grill",
            ),
            at_place(event("deep dive", "13:00", "14:00"), "HQ"),
            at_place(fixed(event("roadmap", "14:00", "15:00")), "HQ"),
            at_place(fixed(event("visit", "16:00", "16:30")), "TechFlow"),
        ];
        let mut full = vec![fixed(event("morning", "09:00", "12:00"))];
        full.extend(events);
        let plan = plan(&full, &Known::new(), HOURS, None, &[]).unwrap();
        assert!(
            plan.after.tight_travel <= plan.before.tight_travel,
            "{plan:?}"
        );
        assert!(
            plan.changes
                .iter()
                .all(|c| !matches!(c, Change::Move { id, .. } if id == "deep dive")),
            "15:00-16:00 would leave no time to get to TechFlow: {plan:?}"
        );
        assert!(
            plan.unresolved.iter().any(|u| u.contains("Harbor Grill")),
            "{:?}",
            plan.unresolved
        );
    }

    /// The same day with a lighter day later in the week: the internal deep dive moves there,
    /// which frees lunch and the walk back from the client lunch.
    #[test]
    fn a_meeting_with_no_room_that_day_moves_to_a_lighter_one() {
        let mut deep_dive = at_place(event("deep dive", "13:00", "14:00"), "HQ");
        deep_dive.attendees = vec!["john@northwind.example".into()];
        let events = vec![
            fixed(event("morning", "09:00", "12:00")),
            at_place(
                fixed(event("client lunch", "12:00", "13:00")),
                "Harbor Grill",
            ),
            deep_dive,
            at_place(fixed(event("roadmap", "14:00", "15:00")), "HQ"),
            at_place(fixed(event("visit", "16:00", "16:30")), "TechFlow"),
        ];
        let tuesday = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let thursday = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let mut john = Known::new();
        // John is busy 13:00–14:00 on Tuesday: the dive goes to the nearest time he is free.
        john.insert(
            "john@northwind.example".into(),
            vec![(at("13:00"), at("14:00"), "johns".into())],
        );
        let others = [
            OtherDay {
                date: thursday,
                busy: vec![(at("09:00"), at("17:00"))],
                known: Known::new(),
                meeting_minutes: 480,
            },
            OtherDay {
                date: tuesday,
                busy: vec![(at("10:00"), at("11:00"))],
                known: john,
                meeting_minutes: 60,
            },
        ];
        let plan = plan(&events, &Known::new(), HOURS, None, &others).unwrap();
        let moved = plan
            .changes
            .iter()
            .find_map(|c| match c {
                Change::Move {
                    id, to, to_date, ..
                } if id == "deep dive" => Some((*to, *to_date)),
                _ => None,
            })
            .expect("the deep dive moves");
        assert_eq!(moved, ((at("14:00"), at("15:00")), Some(tuesday)));
        assert!(plan.after.lunch_free, "{plan:?}");
        assert_eq!(plan.after.tight_travel, 0, "{plan:?}");
        assert_eq!(plan.after.meeting_minutes, plan.before.meeting_minutes - 60);
        assert!(plan.unresolved.is_empty(), "{:?}", plan.unresolved);
    }

    /// A small deterministic generator (xorshift64) for the random days below.
    struct Dice(u64);

    impl Dice {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }

        /// A time on the 15-minute grid between 08:00 and 17:00, and a length of 15–120 minutes.
        fn interval(&mut self) -> (i32, i32) {
            let start = 8 * 60 + 15 * self.below(36) as i32;
            (start, start + 15 * (1 + self.below(8) as i32))
        }
    }

    /// Crowded random days (3,000 of them), with other days to move to: the planner never
    /// proposes what its own verification refuses. It did for 674 of them, in three ways: a
    /// meeting already moved to another day was met again by a later overlap or by the lunch
    /// step and moved once more (within the day, while its change still named the other day:
    /// the demo's second "Yes, optimize it" was refused so); a travel block was laid over a call
    /// between the two places; and a shortened meeting's old overlap read as a new one.
    #[test]
    fn random_crowded_days_always_get_a_plan() {
        let people = ["john@x.example", "mike@x.example", "ann@x.example"];
        let places = ["HQ", "Acme Office", "Harbor Grill"];
        let mut refused = Vec::new();
        for seed in 1..=3000u64 {
            let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let events: Vec<Event> = (0..8 + dice.below(10))
                .map(|n| {
                    let (start, end) = dice.interval();
                    let mut e = event(&format!("e{n}"), &clock(start), &clock(end));
                    if dice.below(3) == 0 {
                        e = fixed(e);
                    }
                    if dice.below(2) == 0 {
                        e = at_place(e, places[dice.below(3) as usize]);
                    }
                    e.priority = dice.below(100) as i32;
                    e.attendees = people
                        .iter()
                        .filter(|_| dice.below(3) == 0)
                        .map(|p| p.to_string())
                        .collect();
                    e
                })
                .collect();
            let others: Vec<OtherDay> = (0..2)
                .map(|d| {
                    let mut known = Known::new();
                    for p in people {
                        let (s, e) = dice.interval();
                        known.insert(p.to_string(), vec![(s, e, format!("k{d}{p}"))]);
                    }
                    OtherDay {
                        date: NaiveDate::from_ymd_opt(2026, 12, 3 + d).unwrap(),
                        busy: (0..dice.below(6)).map(|_| dice.interval()).collect(),
                        known,
                        meeting_minutes: dice.below(400) as i32,
                    }
                })
                .collect();
            if let Err(e) = plan(&events, &Known::new(), HOURS, None, &others) {
                refused.push(format!("seed {seed}: {e}"));
            }
        }
        assert!(
            refused.is_empty(),
            "{} refused: {:?}",
            refused.len(),
            &refused[..refused.len().min(5)]
        );
    }

    #[test]
    fn a_calm_day_only_blocks_lunch() {
        let events = vec![event("one", "10:00", "11:00")];
        let plan = plan(&events, &Known::new(), HOURS, None, &[]).unwrap();
        assert_eq!(
            plan.changes,
            [Change::Block {
                summary: "Lunch".into(),
                start: at("12:00"),
                end: at("13:00"),
                reason: "keeps time to eat and catch up on email".into(),
            }]
        );
        assert!(plan.before.lunch_free && plan.after.lunch_free);
        assert_eq!(plan.after.focus_minutes, plan.before.focus_minutes - 60);
    }
}
