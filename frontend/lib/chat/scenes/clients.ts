// Clients met and mailed (kind `clients`): one row per client organisation both in the period's meetings and in the
// period's mail; the `coverage` section says how fresh each source is and how many organisations each side had
// (crates/api/src/chat/semantic/scenes/clients.rs).

import type { Cell, Section } from "@/lib/api/schemas";

import { flag, number, records, sectionRows, text } from "../rows";

export interface Client {
  name: string;
  domain: string | null;
  meetings: number;
  /** The period's first meeting with them, and when (local time). */
  meeting: string | null;
  meetingAt: string | null;
  metPeople: string | null;
  emails: number;
  urgentEmails: number;
  negativeEmails: number;
  escalating: boolean;
  needsReply: boolean;
  senders: string | null;
  latestSubject: string | null;
  lastEmailAt: string | null;
}

export interface ClientsView {
  clients: Client[];
  coverage: { mailAsOf: string | null; calendarAsOf: string | null; organisationsMet: number | null; clientsMailed: number | null } | null;
}

export function readClients(columns: string[], rows: Cell[][], sections: Section[]): ClientsView {
  const coverage = sectionRows(sections, "coverage")[0];
  return {
    clients: records(columns, rows).map((r) => ({
      name: text(r.organization) ?? text(r.domain) ?? "?",
      domain: text(r.domain),
      meetings: number(r.meetings) ?? 0,
      meeting: text(r.meeting),
      meetingAt: text(r.meeting_at),
      metPeople: text(r.met_people),
      emails: number(r.emails) ?? 0,
      urgentEmails: number(r.urgent_emails) ?? 0,
      negativeEmails: number(r.negative_emails) ?? 0,
      escalating: flag(r.escalating) ?? false,
      needsReply: flag(r.needs_reply) ?? false,
      senders: text(r.senders),
      latestSubject: text(r.latest_subject),
      lastEmailAt: text(r.last_email_at),
    })),
    coverage: coverage
      ? {
          mailAsOf: text(coverage.mail_as_of),
          calendarAsOf: text(coverage.calendar_as_of),
          organisationsMet: number(coverage.organisations_met),
          clientsMailed: number(coverage.clients_mailed),
        }
      : null,
  };
}
