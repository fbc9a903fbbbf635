import type { Client, ClientsView } from "@/lib/chat/scenes/clients";
import { formatMoment, formatNumber, plural } from "@/lib/format";

import { FlagBadge } from "./badges";
import { Freshness } from "./figures";
import styles from "./answers.module.css";

/** One card per client met and mailed: the meeting, the emails, and where the thread stands. */
export function ClientsAnswer({ view }: { view: ClientsView }) {
  const { coverage } = view;
  return (
    <div className={styles.cards} data-testid="clients">
      {view.clients.length > 0 && (
        <ul className={styles.clientGrid}>
          {view.clients.map((c) => (
            <ClientCard key={c.domain ?? c.name} client={c} />
          ))}
        </ul>
      )}
      {coverage && (
        <Freshness>
          Compared {coverage.organisationsMet !== null && plural(coverage.organisationsMet, "organisation met", "organisations met")}
          {coverage.clientsMailed !== null && ` with ${plural(coverage.clientsMailed, "client that emailed", "clients that emailed")}`}.{" "}
          {coverage.mailAsOf && `Mail as of ${formatMoment(coverage.mailAsOf)}`}
          {coverage.calendarAsOf && `, calendar as of ${formatMoment(coverage.calendarAsOf)}`}.
        </Freshness>
      )}
    </div>
  );
}

function ClientCard({ client: c }: { client: Client }) {
  return (
    <li className={`card ${styles.card}`} data-testid="client-card" data-domain={c.domain ?? undefined}>
      <div className={styles.clientHead}>
        <h3 className={styles.cardTitle} data-testid="client-name">
          {c.name}
        </h3>
        {c.domain && <span className="muted">{c.domain}</span>}
      </div>
      <p className={styles.badges}>
        {c.escalating && <FlagBadge name="escalating">Escalating</FlagBadge>}
        {c.needsReply && (
          <FlagBadge name="needs-reply" tone="plain">
            Awaiting your reply
          </FlagBadge>
        )}
        {c.urgentEmails > 0 && <FlagBadge name="urgent" tone="bad">{`${c.urgentEmails} urgent`}</FlagBadge>}
        {c.negativeEmails > 0 && <FlagBadge name="negative" tone="bad">{`${c.negativeEmails} negative`}</FlagBadge>}
        {!c.escalating && !c.needsReply && c.negativeEmails === 0 && (
          <FlagBadge name="ok" tone="ok">
            No open issue
          </FlagBadge>
        )}
      </p>
      <dl className={styles.facts}>
        <dt>Meeting</dt>
        <dd data-testid="client-meeting">
          {c.meetingAt ? formatMoment(c.meetingAt) : "—"} · {c.meeting ?? "(no title)"}
          {c.meetings > 1 && <span className="muted"> ({plural(c.meetings, "meeting", "meetings")} in the period)</span>}
          {c.metPeople && <span className="muted"> · with {c.metPeople}</span>}
        </dd>
        <dt>Emails</dt>
        <dd data-testid="client-emails" data-count={c.emails}>
          {formatNumber(c.emails)} from {c.senders ?? "?"}
        </dd>
        <dt>Latest</dt>
        <dd>
          “{c.latestSubject ?? "?"}”{c.lastEmailAt && <span className="muted"> · {formatMoment(c.lastEmailAt)}</span>}
        </dd>
      </dl>
    </li>
  );
}
