import type { Section, StreamResult } from "@/lib/api/schemas";

import { ResultTable } from "../result-table";
import { SqlCode } from "../sql-block";
import chat from "../chat.module.css";
import styles from "./answers.module.css";

/** The main query's heading, per kind of answer. */
const MAIN_TITLE: Record<StreamResult["kind"], string> = {
  stat: "Query",
  emails: "Emails",
  briefing: "Mail counts (last 24 hours)",
  day: "The day",
  patterns: "Email patterns (last 30 days)",
  clients: "Clients met and mailed",
  action: "Query",
};

/**
 * Every query an answer was built from — the main one and each section's — with its SQL and rows, collapsed under
 * one "SQL used" until asked for.
 */
export function QuerySources({ result }: { result: StreamResult }) {
  const queries: Section[] = [
    ...(result.sql ? [{ id: "main", title: MAIN_TITLE[result.kind], sql: result.sql, columns: result.columns, rows: result.rows }] : []),
    ...result.sections,
  ];
  if (queries.length === 0) return null;
  return (
    <details className={chat.sql} data-testid="sql-sources">
      <summary>
        SQL used ({queries.length} {queries.length === 1 ? "query" : "queries"})
      </summary>
      <ol className={styles.queries}>
        {queries.map((q) => (
          <li key={q.id} data-testid="query" data-id={q.id}>
            <h4 className={styles.queryTitle}>{q.title}</h4>
            <SqlCode sql={q.sql} />
            {q.columns.length > 0 && <ResultTable columns={q.columns} rows={q.rows} label={`Rows of ${q.title}`} />}
          </li>
        ))}
      </ol>
    </details>
  );
}
