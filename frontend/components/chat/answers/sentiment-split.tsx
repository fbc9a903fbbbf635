import { formatNumber } from "@/lib/format";

import styles from "./answers.module.css";

/** Positive / neutral / negative counts as one bar, with the numbers written out. */
export function SentimentSplit({ positive, neutral, negative }: { positive: number; neutral: number; negative: number }) {
  const total = positive + neutral + negative;
  const parts = [
    { name: "positive", value: positive, className: styles.positive },
    { name: "neutral", value: neutral, className: styles.neutral },
    { name: "negative", value: negative, className: styles.negative },
  ];
  return (
    <div className={styles.split} data-testid="sentiment-split">
      {total > 0 && (
        <div className={styles.splitBar} aria-hidden="true">
          {parts.map((p) => (p.value > 0 ? <span key={p.name} className={p.className} style={{ flexGrow: p.value }} /> : null))}
        </div>
      )}
      <p className={styles.splitLegend}>
        {parts.map((p, i) => (
          <span key={p.name} data-sentiment={p.name} data-value={p.value}>
            {i > 0 && " · "}
            {formatNumber(p.value)} {p.name}
          </span>
        ))}
      </p>
    </div>
  );
}
