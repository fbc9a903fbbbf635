import type { ApiFailure } from "@/lib/api/client";
import { describeError } from "@/lib/errors";

import styles from "./dashboard.module.css";

/** A titled dashboard section. */
export function Panel({
  id,
  title,
  aside,
  children,
  wide,
}: {
  id: string;
  title: string;
  aside?: React.ReactNode;
  children: React.ReactNode;
  wide?: boolean;
}) {
  return (
    <section className={`card ${styles.panel} ${wide ? styles.wide : ""}`} aria-labelledby={`${id}-title`} data-testid={`panel-${id}`}>
      <header className={styles.panelHeader}>
        <h2 id={`${id}-title`}>{title}</h2>
        {aside}
      </header>
      {children}
    </section>
  );
}

/** A section whose call failed: what failed, in words, and the API's message when it is safe to show. */
export function PanelError({ error, what }: { error: ApiFailure; what: string }) {
  const info = describeError(error.code);
  return (
    <div className="alert alert-bad" role="alert" data-testid="panel-error" data-code={error.code}>
      <strong>
        {what}: {info.title.toLowerCase()}
      </strong>
      <span>{info.message}</span>
      {info.showDetail && error.message && <span className={styles.detail}>{error.message}</span>}
    </div>
  );
}

/** A small coloured label. */
export function Badge({ tone, children, testId }: { tone: "ok" | "warn" | "bad" | "neutral"; children: React.ReactNode; testId?: string }) {
  const cls = tone === "neutral" ? "badge" : `badge badge-${tone}`;
  return (
    <span className={cls} data-testid={testId} data-tone={tone}>
      {children}
    </span>
  );
}

/** "stale" / "fresh" as a badge, with what the threshold was. */
export function FreshnessBadge({ freshness, maxAgeHours }: { freshness: "fresh" | "stale" | "unknown"; maxAgeHours: number }) {
  if (freshness === "fresh") return <Badge tone="ok">fresh</Badge>;
  if (freshness === "stale")
    return (
      <Badge tone="warn" testId="stale">
        <span title={`nothing new for more than ${maxAgeHours} h`}>stale</span>
      </Badge>
    );
  return <Badge tone="neutral">no data</Badge>;
}
