"use client";

import dynamic from "next/dynamic";

import { chartData } from "@/lib/chat/chart";
import type { AssistantMessage } from "@/lib/chat/conversation";
import { describeError } from "@/lib/errors";
import { formatMs } from "@/lib/format";

import styles from "./chat.module.css";
import { ResultTable } from "./result-table";
import { SqlBlock } from "./sql-block";

// The chart library is the page's largest dependency: load it only when an answer has a chart.
const ResultChart = dynamic(() => import("./result-chart").then((m) => m.ResultChart), {
  ssr: false,
  loading: () => <div className={styles.chartPlaceholder} aria-hidden="true" />,
});

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
}

export function AssistantBubble({ message, onAsk, busy }: AssistantProps) {
  const { status, result, error } = message;
  const refused = result?.refused ?? false;
  const chart = result && !refused ? chartData(result.columns, result.rows, result.chart) : null;
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
      {message.text && (
        <p className={`${styles.text} ${refused ? styles.refusedText : ""}`} data-testid="answer">
          {message.text}
          {status === "streaming" && <span className={styles.caret} aria-hidden="true" />}
        </p>
      )}
      {status === "error" && error && <ErrorNotice code={error.code} detail={error.message} onRetry={busy ? undefined : () => onAsk(message.question)} />}
      {result && refused && result.suggestions.length > 0 && (
        <div className={styles.suggestions}>
          <p className="muted">Questions I can answer:</p>
          <Chips questions={result.suggestions} onAsk={onAsk} disabled={busy} />
        </div>
      )}
      {result && !refused && (
        <div className={styles.result}>
          {chart && <ResultChart data={chart} />}
          {result.columns.length > 0 && <ResultTable columns={result.columns} rows={result.rows} />}
          {result.sql && <SqlBlock sql={result.sql} />}
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
