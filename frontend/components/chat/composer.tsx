"use client";

import { forwardRef, useState } from "react";

import styles from "./chat.module.css";

/** Longest question mindy-api accepts. */
export const MAX_QUESTION = 2000;

interface ComposerProps {
  onSend: (question: string) => void;
  /** An answer is coming: typing is allowed, sending is not. */
  busy: boolean;
}

/** The question box: Enter sends, Shift+Enter starts a new line. */
export const Composer = forwardRef<HTMLTextAreaElement, ComposerProps>(function Composer({ onSend, busy }, ref) {
  const [text, setText] = useState("");
  const question = text.trim();
  const tooLong = question.length > MAX_QUESTION;
  const canSend = question.length > 0 && !tooLong && !busy;

  function send() {
    if (!canSend) return;
    onSend(question);
    setText("");
  }

  return (
    <form
      className={styles.composer}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label htmlFor="question" className="visually-hidden">
        Ask about your emails
      </label>
      <textarea
        id="question"
        ref={ref}
        value={text}
        rows={1}
        placeholder="Ask about your emails…"
        aria-describedby="question-help"
        aria-invalid={tooLong || undefined}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          // Not while an input method is composing (Enter then confirms the characters).
          if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            send();
          }
        }}
      />
      <button type="submit" className="button button-primary" disabled={!canSend}>
        Send
      </button>
      <p id="question-help" className={styles.help}>
        {tooLong ? (
          <span className={styles.tooLong}>
            {question.length} / {MAX_QUESTION} characters: shorten the question.
          </span>
        ) : (
          <>
            <kbd>Enter</kbd> to send, <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
          </>
        )}
      </p>
    </form>
  );
});
