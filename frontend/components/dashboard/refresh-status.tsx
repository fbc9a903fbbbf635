"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";

import { formatAgo } from "@/lib/format";

import styles from "./dashboard.module.css";

/** After this many missed refreshes, the page says its numbers are stale. */
const STALE_AFTER_INTERVALS = 3;

interface Props {
  /** When the server fetched the numbers on the page (epoch ms). */
  fetchedAt: number;
  /** How often to re-render the page with fresh numbers. */
  intervalMs: number;
}

/**
 * Re-renders the dashboard's server components every `intervalMs` (router.refresh keeps client state and
 * scroll), shows how old the numbers are, and warns when refreshes have stopped arriving.
 */
export function RefreshStatus({ fetchedAt, intervalMs }: Props) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  // Starts at fetchedAt so the server's HTML and the first client render agree ("just now").
  const [now, setNow] = useState(fetchedAt);

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    const refresh = setInterval(() => {
      if (document.visibilityState === "visible") startTransition(() => router.refresh());
    }, intervalMs);
    return () => {
      clearInterval(tick);
      clearInterval(refresh);
    };
  }, [router, intervalMs]);

  const age = now - fetchedAt;
  const stale = age > STALE_AFTER_INTERVALS * intervalMs;
  return (
    <div className={styles.refresh} data-testid="refresh-status" data-stale={stale} data-fetched-at={fetchedAt}>
      <span role="status" className={stale ? "badge badge-warn" : "muted"}>
        {stale ? `Stale: last update ${formatAgo(fetchedAt, now)}` : `Updated ${formatAgo(fetchedAt, now)}`}
        {pending && " · refreshing…"}
      </span>
      <button type="button" className="button" onClick={() => startTransition(() => router.refresh())} disabled={pending}>
        Refresh
      </button>
    </div>
  );
}
