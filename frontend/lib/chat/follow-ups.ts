// Questions offered after an answer, as chips: what a user of that answer tends to ask next, in words mindy-api's
// parser understands (the day's follow-ups continue the conversation: "And tomorrow?" reads the previous plan).
// Organisation names come from the answer's own rows.

import type { StreamResult } from "@/lib/api/schemas";

import { SCENE_QUESTIONS } from "./examples";
import { readBriefing } from "./scenes/briefing";
import { readClients } from "./scenes/clients";
import { readDay } from "./scenes/day";
import { readEmails } from "./scenes/emails";

/** The demo's words for "optimise the day just shown" (mindy-api reads the day from the conversation). */
export const OPTIMISE = "Yes, optimize it";

/** At most this many chips, so they stay one line on a desktop. */
const MAX = 3;

function emailsFrom(org: string, urgent: boolean): string {
  return urgent ? `Show me the urgent emails from ${org}` : `Show me the emails from ${org}`;
}

function forKind(result: StreamResult): string[] {
  const { columns, rows, sections } = result;
  switch (result.kind) {
    case "briefing": {
      const b = readBriefing(columns, rows, sections);
      const orgs = [...new Set(b.escalating.map((t) => t.organization).filter((o): o is string => o !== null))];
      return [...orgs.map((o) => emailsFrom(o, true)), SCENE_QUESTIONS.busiestDay, SCENE_QUESTIONS.clients];
    }
    case "day": {
      const view = readDay(columns, rows, sections);
      // A day with concerns can be optimised: the assistant proposes moves and blocks, applied on "yes".
      const concerns = view.conflicts.length > 0 || view.day?.lunchFree === false || view.travel.some((t) => t.tight);
      const optimise = concerns ? [OPTIMISE] : [];
      return view.days
        ? [...optimise, "What about next week?", "And tomorrow?"]
        : [...optimise, "And tomorrow?", SCENE_QUESTIONS.busiestDay, "What's my busiest day next week?"];
    }
    case "emails": {
      const view = readEmails(columns, rows);
      const org = view.organizations.length === 1 ? view.organizations[0]! : null;
      const allUrgent = view.emails.length > 0 && view.emails.every((e) => e.urgent);
      return [...(org && allUrgent ? [emailsFrom(org, false)] : []), SCENE_QUESTIONS.clients, SCENE_QUESTIONS.briefing];
    }
    case "clients": {
      const view = readClients(columns, rows, sections);
      return [...view.clients.map((c) => emailsFrom(c.name, c.urgentEmails > 0)), "What about next week?"];
    }
    case "patterns":
      return [SCENE_QUESTIONS.busiestDay, SCENE_QUESTIONS.briefing];
    case "stat":
    // An action's card carries its own buttons (confirm, cancel).
    case "action":
      return [];
  }
}

/** Up to three questions to ask after `result`, never the one just asked. */
export function followUps(result: StreamResult, question: string): string[] {
  if (result.refused) return [];
  const asked = question.trim().toLowerCase();
  return [...new Set(forKind(result))].filter((q) => q.toLowerCase() !== asked).slice(0, MAX);
}
