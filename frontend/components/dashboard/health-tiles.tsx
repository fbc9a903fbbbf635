import type { ApiResult } from "@/lib/api/client";
import type { Health } from "@/lib/api/schemas";
import { SERVICE_NAMES } from "@/lib/dashboard/summary";
import { formatMs } from "@/lib/format";

import styles from "./dashboard.module.css";
import { Badge, Panel, PanelError } from "./panel";

const OVERALL: Record<string, { tone: "ok" | "warn" | "bad"; text: string }> = {
  ok: { tone: "ok", text: "all services up" },
  degraded: { tone: "warn", text: "degraded" },
  down: { tone: "bad", text: "chat unavailable" },
};

/** One tile per service the API depends on, plus the API itself. */
export function HealthTiles({ health }: { health: ApiResult<Health> }) {
  const overall = health.ok ? (OVERALL[health.data.status] ?? { tone: "warn" as const, text: health.data.status }) : null;
  return (
    <Panel
      id="health"
      title="Pipeline health"
      wide
      aside={overall && <Badge tone={overall.tone} testId="health-status">{overall.text}</Badge>}
    >
      {!health.ok && <PanelError error={health.error} what="Health check" />}
      <ul className={styles.tiles}>
        <Tile name="mindy-api" up={health.ok} detail={health.ok ? "answering" : "not answering"} id="api" />
        {health.ok &&
          health.data.checks.map((c) => (
            <Tile key={c.name} id={c.name} name={SERVICE_NAMES[c.name] ?? c.name} up={c.up} detail={c.up ? formatMs(c.latency_ms) : (c.error ?? "down")} />
          ))}
      </ul>
    </Panel>
  );
}

function Tile({ id, name, up, detail }: { id: string; name: string; up: boolean; detail: string }) {
  return (
    <li className={`${styles.tile} ${up ? styles.up : styles.down}`} data-testid={`health-${id}`} data-up={up}>
      <span className={styles.tileName}>{name}</span>
      <span className={styles.tileState}>
        <span className={styles.led} aria-hidden="true" />
        {up ? "up" : "down"}
      </span>
      <span className={styles.tileDetail} title={detail}>
        {detail}
      </span>
    </li>
  );
}
