import { type ReactNode, useId } from "react";

import styles from "./answers.module.css";

export interface FigureItem {
  /** Names the figure for tests (data-figure). */
  name: string;
  label: string;
  value: ReactNode;
  /** A short note under the value. */
  note?: ReactNode;
  tone?: "warn" | "bad" | "ok";
}

/** A row of headline numbers: label above, value large. */
export function Figures({ items }: { items: FigureItem[] }) {
  return (
    <dl className={styles.figures}>
      {items.map((f) => (
        <div key={f.name} className={`${styles.figure} ${f.tone ? styles[f.tone] : ""}`} data-figure={f.name}>
          <dt>{f.label}</dt>
          <dd>
            <span className={styles.figureValue} data-testid="figure-value">
              {f.value}
            </span>
            {f.note && <span className={styles.figureNote}>{f.note}</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** A card of a scene answer: a heading and what it holds. */
export function SceneCard({ title, name, children }: { title: string; name: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className={`card ${styles.card}`} aria-labelledby={id} data-testid={`card-${name}`}>
      <h3 id={id} className={styles.cardTitle}>
        {title}
      </h3>
      {children}
    </section>
  );
}

/** "Mail data as of Mon 30 Nov, 08:50." */
export function Freshness({ children }: { children: ReactNode }) {
  return <p className={styles.freshness}>{children}</p>;
}
