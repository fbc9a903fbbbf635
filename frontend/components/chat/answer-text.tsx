import { answerLines } from "@/lib/chat/answer-text";

import styles from "./chat.module.css";

/** The answer's words as written, headings and **names** in bold, one line per line. */
export function AnswerText({ text }: { text: string }) {
  const lines = answerLines(text);
  return lines.map((line, i) => (
    <span key={i} className={line.kind === "heading" ? styles.heading : undefined}>
      {line.segments.map((s, k) => (s.strong ? <strong key={k}>{s.text}</strong> : s.text))}
      {i < lines.length - 1 && "\n"}
    </span>
  ));
}
