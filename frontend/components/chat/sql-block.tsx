"use client";

import { useState } from "react";

import { tokenizeSql } from "@/lib/sql-highlight";

import styles from "./chat.module.css";

type CopyState = "idle" | "copied" | "failed";

/** The SQL behind an answer: collapsed by default, highlighted, with a copy button. */
export function SqlBlock({ sql }: { sql: string }) {
  return (
    <details className={styles.sql} data-testid="sql-block">
      <summary>SQL used</summary>
      <SqlCode sql={sql} />
    </details>
  );
}

/** Highlighted SQL with a copy button. */
export function SqlCode({ sql }: { sql: string }) {
  const [copy, setCopy] = useState<CopyState>("idle");
  async function onCopy() {
    try {
      await navigator.clipboard.writeText(sql);
      setCopy("copied");
    } catch {
      setCopy("failed");
    }
    setTimeout(() => setCopy("idle"), 2000);
  }
  return (
    <div className={styles.sqlBody}>
      <pre>
        <code data-testid="sql-code">
          {tokenizeSql(sql).map((token, i) =>
            token.kind === "plain" ? token.text : (
              <span key={i} className={styles[`tok-${token.kind}`]}>
                {token.text}
              </span>
            ),
          )}
        </code>
      </pre>
      <button type="button" className={`button ${styles.copy}`} onClick={onCopy} aria-label="Copy SQL to the clipboard">
        {copy === "copied" ? "Copied" : copy === "failed" ? "Copy failed" : "Copy"}
      </button>
      <span className="visually-hidden" role="status">
        {copy === "copied" ? "SQL copied" : copy === "failed" ? "Could not copy the SQL" : ""}
      </span>
    </div>
  );
}
