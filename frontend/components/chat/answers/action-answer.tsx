"use client";

import { useEffect, useId, useRef, useState } from "react";

import { cancel, confirm, saveEdit } from "@/lib/actions/calls";
import {
  describeAction,
  confirmWords,
  kindWord,
  momentIn,
  outcome,
  personAddress,
  proposalZone,
  resultMark,
  statusWord,
} from "@/lib/actions/words";
import type { EmailDraft, Person, Proposal } from "@/lib/api/schemas";
import type { Failure } from "@/lib/chat/conversation";
import { describeError } from "@/lib/errors";

import styles from "./action.module.css";

export interface ActionAnswerProps {
  proposal: Proposal;
  /** Called with the proposal as it stands after an edit, a confirmation or a cancellation. */
  onChange?: (proposal: Proposal) => void;
  /** A later answer of the conversation shows what became of this proposal: no buttons here. */
  superseded?: boolean;
  /** The calls (tests pass their own `fetch`). */
  fetcher?: typeof fetch;
}

type Busy = "save" | "confirm" | "cancel" | null;

const STATUS_TONE: Record<Proposal["status"], string> = {
  proposed: "badge-warn",
  executing: "badge",
  done: "badge-ok",
  failed: "badge-bad",
  cancelled: "badge",
};

/**
 * A proposal to review: the drafted email (editable), the actions in words, the expiry, and the buttons that
 * confirm or cancel it; once confirmed, each action's result. Nothing runs before "Send and schedule".
 */
export function ActionAnswer({ proposal: initial, onChange, superseded = false, fetcher }: ActionAnswerProps) {
  const [proposal, setProposal] = useState(initial);
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<Failure | null>(null);
  const [editing, setEditing] = useState(false);
  // A click's call is in flight: a second click in the same moment (before React re-renders the disabled
  // button) must not send a second request.
  const inflight = useRef(false);
  const resultsHeading = useRef<HTMLHeadingElement>(null);
  const headingId = useId();

  // The conversation may move the proposal on (the user typed "send and schedule"): follow it.
  const [seen, setSeen] = useState(initial);
  if (initial !== seen) {
    setSeen(initial);
    setProposal(initial);
  }

  const zone = proposalZone(proposal);
  const email = proposal.actions.find((a): a is EmailDraft & { kind: "send_email" } => a.kind === "send_email");
  const waiting = proposal.status === "proposed";
  const words = confirmWords(proposal);
  const finished = outcome(proposal);

  async function run<T>(what: Exclude<Busy, null>, call: () => Promise<{ ok: true; data: T } | { ok: false; error: Failure }>, pick: (data: T) => Proposal) {
    if (inflight.current) return false;
    inflight.current = true;
    setBusy(what);
    setError(null);
    try {
      const result = await call();
      if (!result.ok) {
        setError(result.error);
        return false;
      }
      const next = pick(result.data);
      setProposal(next);
      onChange?.(next);
      return true;
    } finally {
      inflight.current = false;
      setBusy(null);
    }
  }

  async function onConfirm() {
    const ok = await run("confirm", () => confirm(proposal.id, fetcher), (c) => c.proposal);
    if (ok) setFocusResults(true);
  }

  const [focusResults, setFocusResults] = useState(false);
  useEffect(() => {
    if (focusResults) {
      resultsHeading.current?.focus();
      setFocusResults(false);
    }
  }, [focusResults]);

  return (
    <section className={styles.action} aria-labelledby={headingId} data-testid="action" data-status={proposal.status} data-proposal={proposal.id}>
      <div className={styles.head}>
        <h3 id={headingId} className={styles.title}>
          {proposal.summary}
        </h3>
        <span className={`badge ${STATUS_TONE[proposal.status]}`} data-testid="action-status">
          {statusWord(proposal.status)}
        </span>
      </div>

      {email &&
        (editing && waiting && !superseded ? (
          <EmailEditor
            email={email}
            saving={busy === "save"}
            onCancel={() => setEditing(false)}
            onSave={async (edit) => {
              if (await run("save", () => saveEdit(proposal.id, edit, fetcher), (p) => p)) setEditing(false);
            }}
          />
        ) : (
          <EmailView email={email} onEdit={waiting && !superseded ? () => setEditing(true) : undefined} disabled={busy !== null} />
        ))}

      <div>
        <h4 className={styles.subhead}>{waiting ? "What I will do when you confirm" : "What was proposed"}</h4>
        <ol className={styles.steps} data-testid="action-steps">
          {proposal.actions.map((a, i) => (
            <li key={i} data-kind={a.kind}>
              <span className={styles.kind}>{kindWord(a.kind)}:</span> {describeAction(a, zone)}
            </li>
          ))}
        </ol>
        <p className={styles.zone}>Times are in {zone}.</p>
      </div>

      {waiting && !superseded && (
        <>
          <p className={styles.expiry} data-testid="action-expiry">
            {words.nothing} until you confirm. You can confirm until {momentIn(proposal.expires_at, zone)}, or type “{words.typed}”.
          </p>
          <div className={styles.buttons}>
            <button type="button" className="button button-primary" onClick={() => void onConfirm()} disabled={busy !== null || editing} aria-busy={busy === "confirm"}>
              {busy === "confirm" ? words.busy : words.button}
            </button>
            <button
              type="button"
              className="button"
              onClick={() => void run("cancel", () => cancel(proposal.id, fetcher), (p) => p)}
              disabled={busy !== null}
            >
              Cancel
            </button>
          </div>
        </>
      )}

      {superseded && !finished && <p className={styles.note}>See the next answer for what became of this.</p>}

      {error && <ActionError error={error} />}

      <div aria-live="polite">
        {finished && !superseded && (
          <div className={styles.results} data-testid="action-results">
            <h4 ref={resultsHeading} tabIndex={-1} className={styles.subhead}>
              Results
            </h4>
            <p className={proposal.status === "failed" ? styles.failed : styles.done} data-testid="action-outcome">
              {finished}
            </p>
            {proposal.results.length > 0 && (
              <ol className={styles.steps}>
                {proposal.results.map((r, i) => {
                  const { mark, label } = resultMark(r);
                  return (
                    <li key={i} data-testid="action-result" data-ok={r.ok} data-kind={r.kind}>
                      <span aria-hidden="true">{mark}</span>
                      <span className="visually-hidden">{label}:</span> <span className={styles.kind}>{kindWord(r.kind)}:</span>{" "}
                      {r.ok ? r.detail : `failed — ${r.detail}`}
                    </li>
                  );
                })}
              </ol>
            )}
          </div>
        )}
      </div>
    </section>
  );
}

function people(list: Person[]) {
  return list.map((p, i) => (
    <span key={p.address} className={styles.person}>
      {personAddress(p)}
      {p.about && <span className="muted"> ({p.about})</span>}
      {i < list.length - 1 && ", "}
    </span>
  ));
}

function EmailView({ email, onEdit, disabled }: { email: EmailDraft; onEdit?: () => void; disabled: boolean }) {
  return (
    <div className={styles.email} data-testid="action-email">
      <dl className={styles.headers}>
        <dt>From</dt>
        <dd data-testid="email-from">{people([email.from])}</dd>
        <dt>To</dt>
        <dd data-testid="email-to">{people(email.to)}</dd>
        {email.cc.length > 0 && (
          <>
            <dt>Cc</dt>
            <dd data-testid="email-cc">{people(email.cc)}</dd>
          </>
        )}
        <dt>Subject</dt>
        <dd data-testid="email-subject">{email.subject}</dd>
      </dl>
      <div className={styles.body} data-testid="email-body">
        {email.body}
      </div>
      {email.written_by && (
        <p className={styles.zone} data-testid="email-written-by">
          {email.written_by === "template"
            ? "Filled in from the thread by a template."
            : email.written_by === "user"
              ? "Edited by you."
              : `Written by the ${email.written_by} model.`}
        </p>
      )}
      {onEdit && (
        <div className={styles.buttons}>
          <button type="button" className="button" onClick={onEdit} disabled={disabled}>
            Edit
          </button>
        </div>
      )}
    </div>
  );
}

function EmailEditor({
  email,
  saving,
  onSave,
  onCancel,
}: {
  email: EmailDraft;
  saving: boolean;
  onSave: (edit: { subject?: string; body?: string }) => Promise<void>;
  onCancel: () => void;
}) {
  const [subject, setSubject] = useState(email.subject);
  const [body, setBody] = useState(email.body);
  const first = useRef<HTMLInputElement>(null);
  const id = useId();
  useEffect(() => first.current?.focus(), []);
  const changed = subject !== email.subject || body !== email.body;
  const empty = subject.trim() === "" || body.trim() === "";
  return (
    <form
      className={styles.email}
      data-testid="action-editor"
      onSubmit={(e) => {
        e.preventDefault();
        if (!changed || empty) return;
        void onSave({ ...(subject !== email.subject ? { subject } : {}), ...(body !== email.body ? { body } : {}) });
      }}
    >
      <label className={styles.field} htmlFor={`${id}-subject`}>
        Subject
      </label>
      <input id={`${id}-subject`} ref={first} className={styles.input} value={subject} onChange={(e) => setSubject(e.target.value)} required />
      <label className={styles.field} htmlFor={`${id}-body`}>
        Body
      </label>
      <textarea id={`${id}-body`} className={styles.input} rows={10} value={body} onChange={(e) => setBody(e.target.value)} required />
      <div className={styles.buttons}>
        <button type="submit" className="button button-primary" disabled={saving || !changed || empty}>
          {saving ? "Saving…" : "Save"}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={saving}>
          Discard changes
        </button>
      </div>
    </form>
  );
}

function ActionError({ error }: { error: Failure }) {
  const info = describeError(error.code);
  return (
    <div className="alert alert-bad" role="alert" data-testid="action-error" data-code={error.code}>
      <strong>{info.title}</strong> <span>{info.message}</span>
      {info.showDetail && error.message && <span> {error.message}</span>}
    </div>
  );
}
