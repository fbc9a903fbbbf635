import { type Briefing, nextMeeting } from "@/lib/chat/scenes/briefing";
import { formatClock, formatHours, formatMoment, formatNumber, plural } from "@/lib/format";

import { FlagBadge, SentimentBadge } from "./badges";
import { Figures, Freshness, SceneCard } from "./figures";
import { SentimentSplit } from "./sentiment-split";
import styles from "./answers.module.css";

/** The morning briefing in three cards: email, calendar, and what needs the user. */
export function BriefingAnswer({ briefing }: { briefing: Briefing }) {
  return (
    <div className={styles.cards} data-testid="briefing">
      <MailCard briefing={briefing} />
      <CalendarCard briefing={briefing} />
      <ActionsCard briefing={briefing} />
      <Freshness>
        {briefing.dataAsOf ? `Mail data as of ${formatMoment(briefing.dataAsOf)}` : "No per-email data yet"};{" "}
        {briefing.calendarAsOf ? `calendar as of ${formatMoment(briefing.calendarAsOf)}` : "no calendar data yet"}.
      </Freshness>
    </div>
  );
}

function MailCard({ briefing: b }: { briefing: Briefing }) {
  const title = b.since ? `Email since ${formatMoment(b.since)}` : "Email";
  if (!b.mail) {
    return (
      <SceneCard title={title} name="email">
        <p className="muted">No per-email data yet.</p>
      </SceneCard>
    );
  }
  const m = b.mail;
  return (
    <SceneCard title={title} name="email">
      <Figures
        items={[
          { name: "received", label: "Received", value: formatNumber(m.received) },
          {
            name: "urgent",
            label: "Urgent",
            value: formatNumber(m.urgent),
            note: `${formatNumber(m.urgentAwaitingReply)} awaiting your reply`,
            tone: m.urgent > 0 ? "bad" : undefined,
          },
        ]}
      />
      {m.received > 0 && <SentimentSplit positive={m.positive} neutral={m.neutral} negative={m.negative} />}
      {b.senders.length > 0 && (
        <>
          <h4 className={styles.subhead}>Top senders</h4>
          <ul className={styles.plainList} data-testid="top-senders">
            {b.senders.map((s) => (
              <li key={`${s.sender}-${s.group}`}>
                <strong>{s.sender}</strong> {s.group && <span className="muted">({s.group})</span>} — {formatNumber(s.emails)}
              </li>
            ))}
          </ul>
        </>
      )}
      {b.negative.length > 0 && (
        <>
          <h4 className={styles.subhead}>Negative</h4>
          <ul className={styles.plainList} data-testid="negative-emails">
            {b.negative.map((e, i) => (
              <li key={i}>
                <SentimentBadge sentiment="negative" /> {e.sender}
                {e.organization && <span className="muted">, {e.organization}</span>}: “{e.subject}”
              </li>
            ))}
          </ul>
        </>
      )}
    </SceneCard>
  );
}

function CalendarCard({ briefing: b }: { briefing: Briefing }) {
  if (!b.calendarAsOf) {
    return (
      <SceneCard title="Today's calendar" name="calendar">
        <p className="muted">No calendar data yet.</p>
      </SceneCard>
    );
  }
  const next = nextMeeting(b);
  return (
    <SceneCard title="Today's calendar" name="calendar">
      {b.today ? (
        <Figures
          items={[
            { name: "meetings", label: "Meetings", value: formatNumber(b.today.meetingCount) },
            { name: "meeting-hours", label: "In meetings", value: formatHours(b.today.meetingHours) },
            ...(b.today.freeHours !== null ? [{ name: "free-hours", label: "Free", value: formatHours(b.today.freeHours) }] : []),
          ]}
        />
      ) : (
        <p className="muted">No meetings today.</p>
      )}
      {b.meetings.length > 0 && (
        <ul className={styles.plainList} data-testid="today-meetings">
          {b.meetings.map((m, i) => (
            <li key={i} data-testid="meeting" data-next={m === next || undefined} className={m === next ? styles.next : undefined}>
              <span className={styles.when}>
                {formatClock(m.start)}–{formatClock(m.end)}
              </span>{" "}
              {m.summary}
              {m.location && <span className="muted"> ({m.location})</span>}
              {m === next && (
                <>
                  {" "}
                  <FlagBadge name="next" tone="ok">
                    Next
                  </FlagBadge>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {b.conflicts.map((c, i) => (
        <p key={i} className={styles.warning} data-testid="conflict">
          Conflict: “{c.first}” and “{c.second}” overlap {formatClock(c.start)}–{formatClock(c.end)}
        </p>
      ))}
      {b.today?.lunchFree === false && <p className={styles.warning}>No free lunch slot between 12:00 and 14:00</p>}
    </SceneCard>
  );
}

function ActionsCard({ briefing: b }: { briefing: Briefing }) {
  const none = b.escalating.length === 0 && b.due.length === 0;
  const open = b.openRequests;
  const unlisted = open ? open.dueToday + open.overdue - b.due.reduce((sum, d) => sum + d.requests, 0) : 0;
  return (
    <SceneCard title="Action required" name="actions">
      {none && <p className="muted">Nothing escalating and nothing due today.</p>}
      {open && open.dueToday + open.overdue > 0 && (
        <Figures
          items={[
            { name: "due-today", label: "Requests due today", value: formatNumber(open.dueToday), tone: open.dueToday > 0 ? "warn" : undefined },
            { name: "overdue", label: "Overdue (7 days)", value: formatNumber(open.overdue), tone: open.overdue > 0 ? "bad" : undefined },
          ]}
        />
      )}
      {b.escalating.length > 0 && (
        <ul className={styles.plainList} data-testid="escalating">
          {b.escalating.map((t, i) => (
            <li key={i} data-testid="escalating-thread">
              <FlagBadge name="escalating">Escalating</FlagBadge> {t.organization && <strong>{t.organization}: </strong>}“{t.subject}”{" "}
              <span className="muted">
                ({t.inbound} from them, {t.lastFromUser ? "you replied last" : `last from ${t.lastFrom}`}
                {t.needsReply && (t.awaitingSince ? `; waiting for your reply since ${formatMoment(t.awaitingSince)}` : "; waiting for your reply")})
              </span>
            </li>
          ))}
        </ul>
      )}
      {b.due.length > 0 && (
        <ul className={styles.plainList} data-testid="due">
          {b.due.map((d, i) => (
            <li key={i} data-testid="due-item">
              <FlagBadge name={d.overdue ? "overdue" : "due"} tone={d.overdue ? "bad" : "warn"}>
                {d.overdue ? "Overdue" : "Due today"}
              </FlagBadge>{" "}
              {d.description}{" "}
              <span className="muted">
                ({d.dueLocal ? formatMoment(d.dueLocal) : (d.dueText ?? "today")}; asked {d.requests > 1 ? `${d.requests} times, ` : ""}by{" "}
                {d.senders}
                {d.organizations && `, ${d.organizations}`})
              </span>
            </li>
          ))}
        </ul>
      )}
      {unlisted > 0 && <p className="muted">and {plural(unlisted, "more request", "more requests")}</p>}
    </SceneCard>
  );
}
