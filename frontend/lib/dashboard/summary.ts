// Pure summaries of the API's dashboard reports: totals, lag, and whether data is stale. Rendering lives in
// components/dashboard; these are unit-tested on their own.

import type { KafkaReport, LakeReport, LakeTable, Run, TopicOffsets } from "@/lib/api/schemas";

/** How old a layer's newest commit may be before it counts as stale, in hours: the stream writes bronze and
 * silver continuously (an idle hour is suspicious), the batch writes gold once a day (plus slack). */
export const LAYER_MAX_AGE_HOURS: Record<string, number> = { bronze: 2, silver: 2, gold: 26 };
/** The daily DAG runs once a day: no run for longer than this means the scheduler is not doing its job. */
export const RUNS_MAX_AGE_HOURS = 26;

export type Freshness = "fresh" | "stale" | "unknown";

/** Whether `iso` is within `maxAgeHours` of `now` (epoch ms). */
export function freshness(iso: string | null | undefined, now: number, maxAgeHours: number): Freshness {
  if (!iso) return "unknown";
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "unknown";
  return now - then > maxAgeHours * 3_600_000 ? "stale" : "fresh";
}

export interface LayerSummary {
  name: string;
  tables: LakeTable[];
  /** Rows over the layer's tables; null when a table's count is unknown. */
  records: number | null;
  /** The newest commit of any of its tables. */
  lastUpdated: string | null;
  freshness: Freshness;
}

export function summarizeLake(report: LakeReport, now: number): LayerSummary[] {
  return report.layers.map((layer) => {
    const counts = layer.tables.map((t) => t.records);
    const records = counts.some((c) => c === null || c === undefined) ? null : counts.reduce<number>((a, b) => a + (b ?? 0), 0);
    const lastUpdated = newest(layer.tables.map((t) => t.last_updated));
    const maxAge = LAYER_MAX_AGE_HOURS[layer.name] ?? 26;
    return {
      name: layer.name,
      tables: layer.tables,
      records: layer.tables.length === 0 ? 0 : records,
      lastUpdated,
      freshness: layer.tables.length === 0 ? "unknown" : freshness(lastUpdated, now, maxAge),
    };
  });
}

function newest(times: Array<string | null | undefined>): string | null {
  let best: string | null = null;
  for (const t of times) {
    if (t && (!best || Date.parse(t) > Date.parse(best))) best = t;
  }
  return best;
}

export interface GroupSummary {
  group: string;
  /** Sum over the partitions it committed on. */
  lag: number;
  partitions: number;
}

/** Each consumer group's total lag on `topic`, largest first. */
export function groupLags(topic: TopicOffsets): GroupSummary[] {
  const byGroup = new Map<string, GroupSummary>();
  for (const p of topic.partitions) {
    for (const g of p.groups) {
      const entry = byGroup.get(g.group) ?? { group: g.group, lag: 0, partitions: 0 };
      entry.lag += g.lag;
      entry.partitions += 1;
      byGroup.set(g.group, entry);
    }
  }
  return [...byGroup.values()].sort((a, b) => b.lag - a.lag || a.group.localeCompare(b.group));
}

/** Messages in all topics, and the worst group lag. */
export function kafkaTotals(report: KafkaReport): { messages: number; maxLag: number } {
  let messages = 0;
  let maxLag = 0;
  for (const topic of report.topics) {
    messages += topic.messages;
    for (const g of groupLags(topic)) maxLag = Math.max(maxLag, g.lag);
  }
  return { messages, maxLag };
}

export type Tone = "ok" | "warn" | "bad" | "neutral";

/** A DAG run state's badge colour. */
export function runTone(state: string | null | undefined): Tone {
  switch (state) {
    case "success":
      return "ok";
    case "failed":
    case "upstream_failed":
      return "bad";
    case "running":
    case "queued":
    case "up_for_retry":
      return "warn";
    default:
      return "neutral";
  }
}

/** Whether the newest run started too long ago (or there is none). */
export function runsFreshness(runs: Run[], now: number): Freshness {
  const latest = newest(runs.map((r) => r.start_date ?? r.logical_date));
  return latest ? freshness(latest, now, RUNS_MAX_AGE_HOURS) : "unknown";
}

/** Airflow 3's UI page of one run. */
export function runUrl(airflowUi: string, run: Pick<Run, "dag_id" | "run_id">): string {
  return `${airflowUi}/dags/${encodeURIComponent(run.dag_id)}/runs/${encodeURIComponent(run.run_id)}`;
}

/** Display names of the health checks. */
export const SERVICE_NAMES: Record<string, string> = {
  postgresql: "PostgreSQL",
  redis: "Redis",
  kafka: "Kafka",
  spark_connect: "Spark Connect",
  airflow: "Airflow",
};
