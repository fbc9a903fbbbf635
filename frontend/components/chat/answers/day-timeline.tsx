import { type DayView, type Meeting, timeline } from "@/lib/chat/scenes/day";
import { formatClock, plural } from "@/lib/format";

import { FlagBadge } from "./badges";
import styles from "./answers.module.css";

/** The day from first to last: meetings (overlaps and tight moves marked) and the free time between them. */
export function DayTimeline({ view }: { view: DayView }) {
  const items = timeline(view);
  if (items.length === 0) return null;
  return (
    <ol className={styles.timeline} data-testid="timeline" aria-label="The day's timeline">
      {items.map((item, i) =>
        item.kind === "free" ? (
          <li key={`free-${i}`} className={styles.free} data-testid="free-block">
            <span className={styles.when}>
              {formatClock(item.block.start)}–{formatClock(item.block.end)}
            </span>
            <span>Free{item.block.minutes !== null && ` · ${item.block.minutes} min`}</span>
          </li>
        ) : (
          <MeetingItem key={`m-${i}`} meeting={item.meeting} />
        ),
      )}
    </ol>
  );
}

function MeetingItem({ meeting: m }: { meeting: Meeting }) {
  const conflicted = m.overlaps.length > 0;
  return (
    <li
      className={`${styles.meeting} ${conflicted ? styles.conflicted : ""}`}
      data-testid="timeline-meeting"
      data-start={m.start ?? undefined}
      data-conflict={conflicted || undefined}
    >
      <span className={styles.when}>{m.allDay ? "All day" : `${formatClock(m.start)}–${formatClock(m.end)}`}</span>
      <div className={styles.meetingBody}>
        <span className={styles.meetingTitle} data-testid="meeting-summary">
          {m.summary}
        </span>
        <span className="muted">
          {[m.location, m.participants !== null ? plural(m.participants, "participant", "participants") : null, m.oneOnOne ? "1-on-1" : null]
            .filter(Boolean)
            .join(" · ")}
        </span>
        {conflicted && (
          <span>
            <FlagBadge name="conflict" tone="bad">
              Conflict
            </FlagBadge>{" "}
            overlaps {m.overlaps.map((o) => `“${o}”`).join(", ")}
          </span>
        )}
        {m.tightTravel && (
          <span>
            <FlagBadge name="travel">Tight travel</FlagBadge> {m.tightTravel.gapMinutes ?? "?"} min from {m.tightTravel.fromLocation ?? "?"} to{" "}
            {m.tightTravel.toLocation ?? "?"}
          </span>
        )}
      </div>
    </li>
  );
}
