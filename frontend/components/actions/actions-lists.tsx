// The actions page's sections: recent proposals with their state, the append-only audit, tasks and reminders.
// Server components: the data comes from lib/api/client.ts on the Next.js server.

import { Badge, Panel, PanelError } from "@/components/dashboard/panel";
import { kindWord, momentIn, proposalZone, resultMark, statusWord } from "@/lib/actions/words";
import type { ApiResult } from "@/lib/api/client";
import type { AuditEntry, Proposal, Reminder, Task } from "@/lib/api/schemas";

import own from "./actions.module.css";

const TONE: Record<Proposal["status"], "ok" | "warn" | "bad" | "neutral"> = {
  proposed: "warn",
  executing: "neutral",
  done: "ok",
  failed: "bad",
  cancelled: "neutral",
};

/** Recent proposals: what each would do or did, its state, and each result. */
export function ProposalsPanel({ proposals }: { proposals: ApiResult<Proposal[]> }) {
  return (
    <Panel id="proposals" title="Proposals" wide>
      {!proposals.ok ? (
        <PanelError error={proposals.error} what="Proposals" />
      ) : proposals.data.length === 0 ? (
        <p className="muted">Nothing proposed yet. Ask the chat to draft a reply, e.g. “Draft a response to Tom offering a call at 11 AM”.</p>
      ) : (
        <ul className={own.list} data-testid="proposals">
          {proposals.data.map((p) => {
            const zone = proposalZone(p);
            return (
              <li key={p.id} className={own.item} data-testid="proposal" data-id={p.id} data-status={p.status}>
                <div className={own.line}>
                  <strong className={own.text}>{p.summary}</strong>
                  <Badge tone={TONE[p.status]}>{statusWord(p.status)}</Badge>
                </div>
                <p className={own.meta}>
                  Proposed {momentIn(p.created_at, zone)} ({zone}) · asked “{p.question}”
                </p>
                {p.results.length > 0 && (
                  <ul className={own.results}>
                    {p.results.map((r, i) => {
                      const { mark, label } = resultMark(r);
                      return (
                        <li key={i}>
                          <span aria-hidden="true">{mark}</span>
                          <span className="visually-hidden">{label}:</span> {kindWord(r.kind)}: {r.detail}
                        </li>
                      );
                    })}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Panel>
  );
}

/** The audit's newest entries: when, what happened, to which action, and the id the target returned. */
export function AuditPanel({ audit }: { audit: ApiResult<AuditEntry[]> }) {
  return (
    <Panel id="audit" title="Audit" wide>
      {!audit.ok ? (
        <PanelError error={audit.error} what="Audit" />
      ) : audit.data.length === 0 ? (
        <p className="muted">No entries yet.</p>
      ) : (
        <ol className={own.list} data-testid="audit">
          {audit.data.map((e) => (
            <li key={e.seq} className={own.auditEntry} data-testid="audit-entry" data-event={e.event}>
              <span className={own.when}>{momentIn(e.at, "UTC")} UTC</span> <strong>{e.event.replaceAll("_", " ")}</strong>
              {e.action && <span> · {kindWord(e.action)}</span>}
              {e.external_id && <span className={own.id}> · {e.external_id}</span>}
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}

/** Tasks confirmed actions created. */
export function TasksPanel({ tasks }: { tasks: ApiResult<Task[]> }) {
  return (
    <Panel id="tasks" title="Tasks">
      {!tasks.ok ? (
        <PanelError error={tasks.error} what="Tasks" />
      ) : tasks.data.length === 0 ? (
        <p className="muted">No tasks.</p>
      ) : (
        <ul className={own.list} data-testid="tasks">
          {tasks.data.map((t) => (
            <li key={t.id} className={own.item} data-testid="task">
              <div className={own.line}>
                <span className={own.text}>{t.title}</span>
                <Badge tone={t.status === "open" ? "warn" : "ok"}>{t.status}</Badge>
              </div>
              {t.due_at && <p className={own.meta}>Due {momentIn(t.due_at, "UTC")} UTC</p>}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

/** Reminders, with their delivery. */
export function RemindersPanel({ reminders }: { reminders: ApiResult<Reminder[]> }) {
  return (
    <Panel id="reminders" title="Reminders">
      {!reminders.ok ? (
        <PanelError error={reminders.error} what="Reminders" />
      ) : reminders.data.length === 0 ? (
        <p className="muted">No reminders.</p>
      ) : (
        <ul className={own.list} data-testid="reminders">
          {reminders.data.map((r) => (
            <li key={r.id} className={own.item} data-testid="reminder">
              <div className={own.line}>
                <span className={own.text}>{r.message}</span>
                {r.delivered_at ? <Badge tone="ok">delivered</Badge> : r.last_error ? <Badge tone="bad">not delivered</Badge> : <Badge tone="neutral">scheduled</Badge>}
              </div>
              <p className={own.meta}>
                {momentIn(r.remind_at, "UTC")} UTC to {r.recipient}
                {r.last_error && ` · last error: ${r.last_error} (${r.attempts} attempts)`}
              </p>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
