// 30-day patterns (kind `patterns`): the main rows are `email_patterns` (one per measure `kind` and value `key`:
// total, weekday, hour, group, sender, organization, response_time, trend); the sections hold the calendar's
// 30-day figures and the direct reports' 1-on-1s (crates/api/src/chat/semantic/scenes/patterns.rs).

import type { Cell, Section } from "@/lib/api/schemas";

import { type Row, number, records, sectionRows, text } from "../rows";

export interface Volume {
  /** The weekday ("Monday") or the hour ("08"). */
  key: string;
  label: string;
  emails: number;
  sharePct: number | null;
  perDay: number | null;
}

export interface Patterns {
  asOf: string | null;
  total: { emails: number; perDay: number | null; previous: number | null; changePct: number | null } | null;
  /** Monday to Sunday, the days the data has. */
  weekdays: Volume[];
  /** 00 to 23, the hours the data has. */
  hours: Volume[];
  groups: Volume[];
  trends: Array<{ label: string; emails: number; previous: number | null; changePct: number | null }>;
  response: { avgMinutes: number; medianMinutes: number | null; emails: number } | null;
  calendar: {
    meetingSharePct: number | null;
    meetingHours: number | null;
    workingHours: number | null;
    meetingsPerDay: number | null;
    busiestWeekday: string | null;
    busiestWeekdayHours: number | null;
    lightestWeekday: string | null;
    conflicts: number | null;
    daysWithoutLunch: number | null;
    overrunMeetings: number | null;
    overrunObserved: number | null;
    avgOverrunMinutes: number | null;
  } | null;
  oneOnOnes: Array<{ person: string; count: number; lastDate: string | null; nextDate: string | null }>;
}

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

function volume(r: Row): Volume {
  const key = text(r.key) ?? "";
  return { key, label: text(r.label) ?? key, emails: number(r.emails) ?? 0, sharePct: number(r.share_pct), perDay: number(r.per_day) };
}

export function readPatterns(columns: string[], rows: Cell[][], sections: Section[]): Patterns {
  const all = records(columns, rows);
  const of = (kind: string) => all.filter((r) => r.kind === kind);
  const total = of("total")[0];
  const response = of("response_time").find((r) => r.key === "overall");
  const cal = sectionRows(sections, "calendar")[0];
  return {
    asOf: text(all[0]?.as_of) ?? text(cal?.as_of),
    total: total
      ? { emails: number(total.emails) ?? 0, perDay: number(total.per_day), previous: number(total.previous_emails), changePct: number(total.change_pct) }
      : null,
    weekdays: of("weekday")
      .map(volume)
      .filter((v) => WEEKDAYS.includes(v.key))
      .sort((a, b) => WEEKDAYS.indexOf(a.key) - WEEKDAYS.indexOf(b.key)),
    hours: of("hour")
      .map(volume)
      .sort((a, b) => Number(a.key) - Number(b.key)),
    groups: of("group").map(volume),
    trends: of("trend").map((r) => ({
      label: text(r.label) ?? text(r.key) ?? "?",
      emails: number(r.emails) ?? 0,
      previous: number(r.previous_emails),
      changePct: number(r.change_pct),
    })),
    response:
      response && number(response.avg_response_minutes) !== null
        ? { avgMinutes: number(response.avg_response_minutes)!, medianMinutes: number(response.median_response_minutes), emails: number(response.emails) ?? 0 }
        : null,
    calendar: cal
      ? {
          meetingSharePct: number(cal.meeting_share_pct),
          meetingHours: number(cal.meeting_hours),
          workingHours: number(cal.working_hours),
          meetingsPerDay: number(cal.avg_meetings_per_working_day),
          busiestWeekday: text(cal.busiest_weekday),
          busiestWeekdayHours: number(cal.busiest_weekday_avg_hours),
          lightestWeekday: text(cal.lightest_weekday),
          conflicts: number(cal.conflict_count),
          daysWithoutLunch: number(cal.days_without_lunch),
          overrunMeetings: number(cal.overrun_meetings),
          overrunObserved: number(cal.overrun_observed_meetings),
          avgOverrunMinutes: number(cal.avg_overrun_minutes),
        }
      : null,
    oneOnOnes: sectionRows(sections, "one_on_ones").map((r) => ({
      person: text(r.person) ?? "?",
      count: number(r.one_on_ones_30d) ?? 0,
      lastDate: text(r.last_date),
      nextDate: text(r.next_date),
    })),
  };
}
