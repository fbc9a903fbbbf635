// A calendar day (kind `day`: "What's my busiest day this week?", "What does tomorrow look like?"): the main row is
// the chosen day's `calendar_days` row (nulls when the period has no events); the sections hold its meetings,
// conflicts, travel, free blocks, how often meetings run over and, for a period, every day of it
// (crates/api/src/chat/semantic/scenes/day.rs).

import type { Cell, Section } from "@/lib/api/schemas";

import { flag, hasSection, number, records, sectionRows, text } from "../rows";

export interface DayStats {
  date: string;
  weekday: string | null;
  meetingCount: number;
  meetingHours: number;
  freeHours: number | null;
  longestFreeMinutes: number | null;
  lunchFree: boolean | null;
  /** The longest run of meetings without a gap, when there is one. */
  backToBack: { start: string | null; end: string | null; minutes: number; meetings: number } | null;
  conflictCount: number;
  locations: string | null;
  participants: number;
  externalParticipants: number;
  organisations: string | null;
}

export interface Conflict {
  first: string;
  firstStart: string | null;
  second: string;
  secondStart: string | null;
  start: string | null;
  end: string | null;
  minutes: number | null;
}

export interface Travel {
  from: string;
  fromLocation: string | null;
  to: string;
  toLocation: string | null;
  toStart: string | null;
  gapMinutes: number | null;
  tight: boolean;
}

export interface Meeting {
  start: string | null;
  end: string | null;
  summary: string;
  location: string | null;
  /** physical or virtual. */
  locationKind: string | null;
  participants: number | null;
  allDay: boolean;
  oneOnOne: boolean;
  organizer: string | null;
  /** The other meetings it overlaps. */
  overlaps: string[];
  /** A move from another place with too little time before it. */
  tightTravel: Travel | null;
}

export interface FreeBlock {
  start: string;
  end: string | null;
  minutes: number | null;
}

export interface PeriodDay {
  date: string;
  weekday: string | null;
  meetingCount: number;
  meetingHours: number;
  freeHours: number | null;
}

export interface DayView {
  /** Null when the calendar has no events in the period. */
  day: DayStats | null;
  /** Null when no calendar was imported. */
  dataAsOf: string | null;
  meetings: Meeting[];
  conflicts: Conflict[];
  travel: Travel[];
  free: FreeBlock[];
  overruns: { observed: number; ranOver: number; avgMinutes: number | null } | null;
  /** Every day of the period with events (only when the question named a period). */
  days: PeriodDay[] | null;
}

const n = (v: Cell | undefined) => number(v) ?? 0;

function readStats(r: Record<string, Cell>): DayStats | null {
  const date = text(r.date);
  if (!date) return null;
  const runMinutes = number(r.longest_back_to_back_minutes);
  return {
    date,
    weekday: text(r.weekday),
    meetingCount: n(r.meeting_count),
    meetingHours: n(r.meeting_hours),
    freeHours: number(r.free_hours),
    longestFreeMinutes: number(r.longest_free_minutes),
    lunchFree: flag(r.lunch_free),
    backToBack:
      n(r.back_to_back_runs) > 0 && runMinutes !== null
        ? {
            start: text(r.longest_back_to_back_start),
            end: text(r.longest_back_to_back_end),
            minutes: runMinutes,
            meetings: n(r.longest_back_to_back_meetings),
          }
        : null,
    conflictCount: n(r.conflict_count),
    locations: text(r.locations),
    participants: n(r.participant_count),
    externalParticipants: n(r.external_participant_count),
    organisations: text(r.organisations),
  };
}

export function readDay(columns: string[], rows: Cell[][], sections: Section[]): DayView {
  const main = records(columns, rows)[0] ?? {};
  const conflicts: Conflict[] = sectionRows(sections, "conflicts").map((r) => ({
    first: text(r.first_summary) ?? "?",
    firstStart: text(r.first_start),
    second: text(r.second_summary) ?? "?",
    secondStart: text(r.second_start),
    start: text(r.overlap_start),
    end: text(r.overlap_end),
    minutes: number(r.overlap_minutes),
  }));
  const travel: Travel[] = sectionRows(sections, "travel").map((r) => ({
    from: text(r.from_summary) ?? "?",
    fromLocation: text(r.from_location),
    to: text(r.to_summary) ?? "?",
    toLocation: text(r.to_location),
    toStart: text(r.to_start),
    gapMinutes: number(r.gap_minutes),
    tight: flag(r.tight) ?? false,
  }));
  const meetings: Meeting[] = sectionRows(sections, "meetings").map((r) => {
    const summary = text(r.summary) ?? "(no title)";
    const start = text(r.local_start);
    return {
      start,
      end: text(r.local_end),
      summary,
      location: text(r.location),
      locationKind: text(r.location_kind),
      participants: number(r.participant_count),
      allDay: flag(r.all_day) ?? false,
      oneOnOne: flag(r.is_one_on_one) ?? false,
      organizer: text(r.organizer_name),
      overlaps: conflicts.flatMap((c) =>
        c.first === summary && c.firstStart === start ? [c.second] : c.second === summary && c.secondStart === start ? [c.first] : [],
      ),
      tightTravel: travel.find((t) => t.tight && t.to === summary && t.toStart === start) ?? null,
    };
  });
  const overrun = sectionRows(sections, "overruns")[0];
  return {
    day: readStats(main),
    dataAsOf: text(main.data_as_of),
    meetings,
    conflicts,
    travel,
    free: sectionRows(sections, "free").flatMap((r) => {
      const start = text(r.block_start);
      return start ? [{ start, end: text(r.block_end), minutes: number(r.minutes) }] : [];
    }),
    overruns: overrun
      ? { observed: n(overrun.overrun_observed_meetings), ranOver: n(overrun.overrun_meetings), avgMinutes: number(overrun.avg_overrun_minutes) }
      : null,
    days: hasSection(sections, "days")
      ? sectionRows(sections, "days").flatMap((r) => {
          const date = text(r.date);
          return date
            ? [{ date, weekday: text(r.weekday), meetingCount: n(r.meeting_count), meetingHours: n(r.meeting_hours), freeHours: number(r.free_hours) }]
            : [];
        })
      : null,
  };
}

export type TimelineItem = { kind: "meeting"; meeting: Meeting } | { kind: "free"; block: FreeBlock };

/** The day in order: all-day events first, then meetings and free blocks by start time. */
export function timeline(view: DayView): TimelineItem[] {
  const allDay = view.meetings.filter((m) => m.allDay).map((meeting): TimelineItem => ({ kind: "meeting", meeting }));
  const timed: Array<[string, number, TimelineItem]> = [
    ...view.meetings.filter((m) => !m.allDay).map((meeting): [string, number, TimelineItem] => [meeting.start ?? "", 1, { kind: "meeting", meeting }]),
    ...view.free.map((block): [string, number, TimelineItem] => [block.start, 0, { kind: "free", block }]),
  ];
  // A free block that starts when a meeting starts cannot exist; at equal times the free block (ending there) first.
  timed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  return [...allDay, ...timed.map(([, , item]) => item)];
}
