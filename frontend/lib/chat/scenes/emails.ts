// The emails answer (kind `emails`: "Show me the urgent emails from Acme Corp"): one row per email, oldest first,
// with its thread's state. The API always sends at least one row so it can tell "no such organisation"
// (organization null) from "none in the period" (sent_local null); those rows are not emails.

import type { Cell } from "@/lib/api/schemas";

import { flag, number, records, text } from "../rows";

export type Sentiment = "positive" | "neutral" | "negative";

export interface Email {
  /** Stable within the answer: the thread and the row's position. */
  key: string;
  organization: string | null;
  /** Local time it was sent ("2026-11-26T07:23:00"). */
  sentLocal: string;
  sender: string;
  senderTitle: string | null;
  /** internal, client, vendor_partner, newsletter_automated, personal. */
  senderRole: string | null;
  subject: string;
  summary: string | null;
  sentiment: Sentiment | null;
  /** 0–100. */
  urgencyScore: number | null;
  urgent: boolean;
  needsReply: boolean;
  /** The thread (or the email) is escalating. */
  escalating: boolean;
  threadId: string | null;
  threadMessages: number | null;
}

export interface EmailsView {
  /** The organisations the name matched (none: no such organisation in the mail). */
  organizations: string[];
  emails: Email[];
  dataAsOf: string | null;
}

function sentiment(value: Cell): Sentiment | null {
  return value === "positive" || value === "neutral" || value === "negative" ? value : null;
}

export function readEmails(columns: string[], rows: Cell[][]): EmailsView {
  const all = records(columns, rows);
  const organizations = [...new Set(all.map((r) => text(r.organization)).filter((o): o is string => o !== null))];
  const emails = all.flatMap((r, i): Email[] => {
    const sentLocal = text(r.sent_local);
    if (!sentLocal) return [];
    return [
      {
        key: `${text(r.thread_id) ?? "email"}-${i}`,
        organization: text(r.organization),
        sentLocal,
        sender: text(r.from_name) ?? text(r.from_address) ?? "unknown sender",
        senderTitle: text(r.sender_title),
        senderRole: text(r.sender_role),
        subject: text(r.subject) ?? "(no subject)",
        summary: text(r.summary),
        sentiment: sentiment(r.sentiment ?? null),
        urgencyScore: number(r.urgency_score),
        urgent: flag(r.urgent) ?? false,
        needsReply: (flag(r.thread_needs_reply) ?? flag(r.needs_reply)) === true,
        escalating: flag(r.escalating) ?? false,
        threadId: text(r.thread_id),
        threadMessages: number(r.thread_messages),
      },
    ];
  });
  return { organizations, emails, dataAsOf: text(all[0]?.data_as_of) };
}

/** "client" → "Client", "vendor_partner" → "Vendor partner". */
export function roleLabel(role: string | null): string | null {
  if (!role) return null;
  const words = role.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
