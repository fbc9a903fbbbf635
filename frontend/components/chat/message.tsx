"use client";

import type { Proposal } from "@/lib/api/schemas";
import type { AssistantMessage } from "@/lib/chat/conversation";
import { followUps } from "@/lib/chat/follow-ups";
import { describeError } from "@/lib/errors";
import { formatMs } from "@/lib/format";

import { AnswerText } from "./answer-text";
import { AnswerBody } from "./answers/answer-body";
import styles from "./chat.module.css";

export function UserBubble({ text }: { text: string }) {
  return (
    <article className={`${styles.message} ${styles.user}`} aria-label="You" data-testid="user-message">
      <p className={styles.text}>{text}</p>
    </article>
  );
}

interface AssistantProps {
  message: AssistantMessage;
  /** Sends a question (retry, or a suggestion). */
  onAsk: (question: string) => void;
  /** Whether another answer is coming (buttons that send are disabled meanwhile). */
  busy: boolean;
  /** The conversation's newest answer: only it offers follow-up questions. */
  latest?: boolean;
  /** An action answer's proposal changed through its buttons. */
  onProposal?: (proposal: Proposal) => void;
  /** A later answer carries this answer's proposal (what became of it is shown there). */
  superseded?: boolean;
}

export function AssistantBubble({ message, onAsk, busy, latest = false, onProposal, superseded }: AssistantProps) {
  const { status, result, error } = message;
  const refused = result?.refused ?? false;
  const next = latest && status === "done" && result ? followUps(result, message.question) : [];
  return (
    <article
      className={`${styles.message} ${styles.assistant}`}
      aria-label="Mini-Mindy"
      aria-busy={status === "pending" || status === "streaming"}
      data-testid="assistant-message"
      data-status={status}
      data-refused={refused || undefined}
    >
      {status === "pending" && <TypingIndicator />}
      {message.text &&
        (result?.kind === "action" && result.proposal ? (
          // The action's card below shows every fact of these words (the draft, each action, each result):
          // they stay one click away rather than twice on the screen.
          <details className={styles.inWords}>
            <summary>The answer in words</summary>
            <p className={styles.text} data-testid="answer">
              <AnswerText text={message.text} />
            </p>
          </details>
        ) : (
          <p className={`${styles.text} ${refused ? styles.refusedText : ""}`} data-testid="answer">
            <AnswerText text={message.text} />
            {status === "streaming" && <span className={styles.caret} aria-hidden="true" />}
          </p>
        ))}
      {status === "error" && error && <ErrorNotice code={error.code} detail={error.message} onRetry={busy ? undefined : () => onAsk(message.question)} />}
      {result && refused && result.suggestions.length > 0 && (
        <div className={styles.suggestions}>
          <p className="muted">Questions I can answer:</p>
          <Chips questions={result.suggestions} onAsk={onAsk} disabled={busy} />
        </div>
      )}
      {result && !refused && (
        <div className={styles.result} data-kind={result.kind}>
          <AnswerBody result={result} onProposal={onProposal} superseded={superseded} />
        </div>
      )}
      {next.length > 0 && (
        <div className={styles.suggestions} data-testid="follow-ups">
          <p className="muted">Ask next:</p>
          <Chips questions={next} onAsk={onAsk} disabled={busy} />
        </div>
      )}
      {result?.notices?.map((notice) => (
        <p key={notice} className={styles.notice} role="note">
          {notice}
        </p>
      ))}
      {status === "done" && message.timings && (
        <p className={styles.meta}>
          {message.generator && <span>answered by the {message.generator} generator</span>}
          {result?.cached && <span>from cache</span>}
          <span>{formatMs(message.timings.total_ms)}</span>
        </p>
      )}
    </article>
  );
}

function TypingIndicator() {
  return (
    <div className={styles.typing} role="status" data-testid="typing">
      <span className={styles.dot} />
      <span className={styles.dot} />
      <span className={styles.dot} />
      <span className="visually-hidden">Mini-Mindy is typing</span>
    </div>
  );
}

function ErrorNotice({ code, detail, onRetry }: { code: string; detail: string; onRetry?: () => void }) {
  const info = describeError(code);
  const tone = info.kind === "refused" || info.kind === "input" ? "alert-warn" : "alert-bad";
  return (
    <div className={`alert ${tone} ${styles.error}`} role="alert" data-testid="chat-error" data-code={code}>
      <strong>{info.title}</strong>
      <span>{info.message}</span>
      {info.showDetail && detail && <span className={styles.detail}>{detail}</span>}
      {info.retryable && onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Chips({ questions, onAsk, disabled }: { questions: string[]; onAsk: (q: string) => void; disabled?: boolean }) {
  return (
    <ul className={styles.chips}>
      {questions.map((q) => (
        <li key={q}>
          <button type="button" className="chip" onClick={() => onAsk(q)} disabled={disabled} data-testid="suggestion">
            {q}
          </button>
        </li>
      ))}
    </ul>
  );
}
