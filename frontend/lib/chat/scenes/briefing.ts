// The morning briefing (kind `briefing`): the main row holds the last 24 hours' mail counts and how fresh the data
// is; the sections hold the top senders, the negative emails, today's calendar, its meetings and conflicts, what is
// due and the threads escalating (crates/api/src/chat/semantic/scenes/briefing.rs).

import type { Cell, Section } from "@/lib/api/schemas";

import { flag, number, records, sectionRows, text } from "../rows";

export interface MailCounts {
  received: number;
  urgent: number;
  urgentAwaitingReply: number;
  positive: number;
  neutral: number;
  negative: number;
}

export interface Briefing {
  /** Null when there is no per-email data yet. */
  mail: MailCounts | null;
  /** The mail window, local times. */
  since: string | null;
  until: string | null;
  dataAsOf: string | null;
  /** Null when no calendar was imported. */
  calendarAsOf: string | null;
  senders: Array<{ sender: string; group: string | null; emails: number }>;
  negative: Array<{ sender: string; organization: string | null; role: string | null; subject: string; frustrated: boolean; sentLocal: string | null }>;
  /** Today's calendar figures; null when today has no events. */
  today: { meetingCount: number; meetingHours: number; freeHours: number | null; conflictCount: number; lunchFree: boolean | null } | null;
  meetings: Array<{ start: string | null; end: string | null; summary: string; location: string | null; participants: number | null; upcoming: boolean }>;
  conflicts: Array<{ first: string; second: string; start: string | null; end: string | null; minutes: number | null }>;
  /** Open requests due today and overdue (up to 7 days), counted over all of them; null before the counts existed. */
  openRequests: { dueToday: number; overdue: number } | null;
  /** The newest requests, the same request from several people once (`requests` times). */
  due: Array<{
    description: string;
    senders: string;
    organizations: string | null;
    requests: number;
    dueLocal: string | null;
    dueText: string | null;
    overdue: boolean;
  }>;
  escalating: Array<{
    subject: string;
    organization: string | null;
    lastFrom: string;
    /** The user wrote the thread's last message. */
    lastFromUser: boolean;
    messages: number;
    inbound: number;
    needsReply: boolean;
    latestSentiment: string | null;
    negativeCount: number;
    awaitingSince: string | null;
  }>;
}

const n = (v: Cell | undefined) => number(v) ?? 0;

export function readBriefing(columns: string[], rows: Cell[][], sections: Section[]): Briefing {
  const main = records(columns, rows)[0] ?? {};
  const dataAsOf = text(main.data_as_of);
  const today = sectionRows(sections, "today")[0];
  return {
    mail: dataAsOf
      ? {
          received: n(main.received),
          urgent: n(main.urgent),
          urgentAwaitingReply: n(main.urgent_awaiting_reply),
          positive: n(main.positive),
          neutral: n(main.neutral),
          negative: n(main.negative),
        }
      : null,
    since: text(main.since),
    until: text(main.until),
    dataAsOf,
    calendarAsOf: text(main.calendar_as_of),
    senders: sectionRows(sections, "senders").map((r) => ({
      sender: text(r.sender) ?? "?",
      group: text(r.sender_group),
      emails: n(r.emails),
    })),
    negative: sectionRows(sections, "negative").map((r) => ({
      sender: text(r.sender) ?? "?",
      organization: text(r.organization),
      role: text(r.sender_role),
      subject: text(r.subject) ?? "(no subject)",
      frustrated: flag(r.frustrated) ?? false,
      sentLocal: text(r.sent_local),
    })),
    today: today
      ? {
          meetingCount: n(today.meeting_count),
          meetingHours: n(today.meeting_hours),
          freeHours: number(today.free_hours),
          conflictCount: n(today.conflict_count),
          lunchFree: flag(today.lunch_free),
        }
      : null,
    meetings: sectionRows(sections, "meetings").map((r) => ({
      start: text(r.local_start),
      end: text(r.local_end),
      summary: text(r.summary) ?? "(no title)",
      location: text(r.location),
      participants: number(r.participant_count),
      upcoming: flag(r.upcoming) ?? false,
    })),
    conflicts: sectionRows(sections, "conflicts").map((r) => ({
      first: text(r.first_summary) ?? "?",
      second: text(r.second_summary) ?? "?",
      start: text(r.overlap_start),
      end: text(r.overlap_end),
      minutes: number(r.overlap_minutes),
    })),
    openRequests: number(main.due_today) !== null ? { dueToday: n(main.due_today), overdue: n(main.overdue) } : null,
    due: sectionRows(sections, "due").map((r) => ({
      description: text(r.description) ?? "?",
      senders: text(r.senders) ?? "?",
      organizations: text(r.organizations),
      requests: number(r.requests) ?? 1,
      dueLocal: text(r.due_local),
      dueText: text(r.due_text),
      overdue: flag(r.overdue) ?? false,
    })),
    escalating: sectionRows(sections, "escalating").map((r) => ({
      subject: text(r.subject) ?? "(no subject)",
      organization: text(r.primary_organization),
      lastFrom: text(r.last_from) ?? "?",
      lastFromUser: flag(r.last_from_user) ?? false,
      messages: n(r.message_count),
      inbound: n(r.inbound_count),
      needsReply: flag(r.needs_reply) ?? false,
      latestSentiment: text(r.latest_sentiment),
      negativeCount: n(r.negative_count),
      awaitingSince: text(r.awaiting_since),
    })),
  };
}

/** The next meeting still to come today, if any. */
export function nextMeeting(briefing: Briefing): Briefing["meetings"][number] | null {
  return briefing.meetings.find((m) => m.upcoming) ?? null;
}
