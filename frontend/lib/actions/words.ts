// Proposed actions in words, for the chat's action card and the actions page: who a person is, each action as a
// sentence, times in the user's timezone (the zone the API drafted them in), a proposal's state.

import type { Action, ActionResult, Person, Proposal, ProposalStatus } from "@/lib/api/schemas";

/** "Tom Anderson" or the address. */
export function personName(p: Person): string {
  return p.name?.trim() || p.address;
}

/** "Tom Anderson <tom@acme.example>", or the address alone. */
export function personAddress(p: Person): string {
  return p.name?.trim() ? `${p.name.trim()} <${p.address}>` : p.address;
}

/** "Tom and Mike", "Tom, Lisa and Mike". */
export function listWords(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/**
 * The zone a proposal's times are shown in: its event's (the user's timezone the API resolved "11 AM" in), else
 * `fallback` (UTC unless the caller knows better), so the server and the browser render the same text.
 */
export function proposalZone(proposal: Pick<Proposal, "actions">, fallback = "UTC"): string {
  for (const a of proposal.actions) {
    if ((a.kind === "create_event" || a.kind === "move_event" || a.kind === "block_time") && validZone(a.timezone)) {
      return a.timezone;
    }
  }
  return fallback;
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function parts(iso: string, zone: string): Record<string, string> | null {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  return Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
}

/** "11:00" in `zone`. */
export function clockIn(iso: string, zone: string): string {
  const p = parts(iso, zone);
  return p ? `${p.hour}:${p.minute}` : iso;
}

/** "Mon 30 Nov, 11:00" in `zone`. */
export function momentIn(iso: string, zone: string): string {
  const p = parts(iso, zone);
  return p ? `${p.weekday} ${p.day} ${p.month}, ${p.hour}:${p.minute}` : iso;
}

/** "Mon 30 Nov, 11:00–11:30". */
export function spanIn(startIso: string, endIso: string, zone: string): string {
  const a = parts(startIso, zone);
  const b = parts(endIso, zone);
  if (!a || !b) return `${startIso} – ${endIso}`;
  const sameDay = a.weekday === b.weekday && a.day === b.day && a.month === b.month;
  return sameDay ? `${momentIn(startIso, zone)}–${b.hour}:${b.minute}` : `${momentIn(startIso, zone)} – ${momentIn(endIso, zone)}`;
}

/** One action as a sentence, its times in `zone`. */
export function describeAction(action: Action, zone: string): string {
  switch (action.kind) {
    case "send_email": {
      const cc = action.cc.length > 0 ? `, copying ${listWords(action.cc.map(personName))}` : "";
      return `Send the reply “${action.subject}” to ${listWords(action.to.map(personName))}${cc}.`;
    }
    case "create_event": {
      const invited = action.attendees.length > 0 ? ` and invite ${listWords(action.attendees.map(personName))}` : "";
      const where = action.location ? ` at ${action.location}` : "";
      return `Put “${action.summary}” on your calendar, ${spanIn(action.starts_at, action.ends_at, zone)}${where}${invited}.`;
    }
    case "create_task":
      return action.due_at ? `Add the task “${action.title}”, due ${momentIn(action.due_at, zone)}.` : `Add the task “${action.title}”.`;
    case "set_reminder":
      return `Remind ${personName(action.recipient)} by email at ${momentIn(action.remind_at, zone)}: “${action.message}”`;
    case "move_event":
      if (action.starts_at === action.from_starts_at) {
        return `End “${action.summary}” at ${clockIn(action.ends_at, zone)} instead of ${clockIn(action.from_ends_at, zone)} (${action.reason}).`;
      }
      return `Move “${action.summary}” from ${spanIn(action.from_starts_at, action.from_ends_at, zone)} to ${clockIn(action.starts_at, zone)}–${clockIn(action.ends_at, zone)} (${action.reason}).`;
    case "block_time":
      return `Block ${spanIn(action.starts_at, action.ends_at, zone)} for “${action.summary}” (${action.reason}).`;
    case "remove_block":
      return `Remove “${action.summary}”, ${spanIn(action.starts_at, action.ends_at, zone)}.`;
  }
}

/** How a proposal is confirmed, in words: a reply is sent and scheduled, a day's plan is applied. */
export function confirmWords(proposal: Pick<Proposal, "actions">): { button: string; busy: string; typed: string; nothing: string } {
  const mails = proposal.actions.some((a) => a.kind === "send_email");
  return mails
    ? { button: "Send and schedule", busy: "Sending and scheduling…", typed: "send and schedule", nothing: "Nothing is sent or scheduled" }
    : { button: "Apply changes", busy: "Applying…", typed: "yes", nothing: "Nothing changes on your calendar" };
}

/** The kind of an action or a result, in words ("Email", "Calendar event"). */
export function kindWord(kind: string): string {
  switch (kind) {
    case "send_email":
      return "Email";
    case "create_event":
      return "Calendar event";
    case "create_task":
      return "Task";
    case "set_reminder":
      return "Reminder";
    case "move_event":
      return "Move";
    case "block_time":
      return "Block";
    case "remove_block":
      return "Unblock";
    default:
      return kind.replaceAll("_", " ");
  }
}

/** A proposal's state in a few words. */
export function statusWord(status: ProposalStatus): string {
  switch (status) {
    case "proposed":
      return "Waiting for your confirmation";
    case "executing":
      return "Running";
    case "done":
      return "Done";
    case "failed":
      return "Failed";
    case "cancelled":
      return "Cancelled";
  }
}

/** What a finished proposal did, in one sentence ("All 4 actions were done." / "1 of 4 actions failed: ..."). */
export function outcome(proposal: Pick<Proposal, "status" | "results" | "actions">): string | null {
  const { results, actions } = proposal;
  if (proposal.status === "cancelled") return "Cancelled: nothing was sent or scheduled.";
  if (proposal.status !== "done" && proposal.status !== "failed") return null;
  const failed = results.filter((r) => !r.ok);
  const notRun = Math.max(0, actions.length - results.length);
  if (failed.length === 0 && notRun === 0) return actions.length === 1 ? "The action was done." : `All ${actions.length} actions were done.`;
  const what = failed.map((r) => kindWord(r.kind).toLowerCase());
  const skipped = notRun > 0 ? ` ${notRun} more ${notRun === 1 ? "was" : "were"} not run.` : "";
  return `${failed.length} of ${actions.length} actions failed (${listWords(what)}).${skipped} Each result below says what happened.`;
}

/** ✅ or ❌, with the words a screen reader reads. */
export function resultMark(result: ActionResult): { mark: string; label: string } {
  return result.ok ? { mark: "✅", label: "done" } : { mark: "❌", label: "failed" };
}
