import type { Metadata } from "next";
import { connection } from "next/server";

import { AirflowRunsPanel } from "@/components/dashboard/airflow-runs";
import styles from "@/components/dashboard/dashboard.module.css";
import { HealthTiles } from "@/components/dashboard/health-tiles";
import { KafkaPanel } from "@/components/dashboard/kafka-panel";
import { LakePanel } from "@/components/dashboard/lake-panel";
import { MetricsPanel } from "@/components/dashboard/metrics-panel";
import { QualityPanel } from "@/components/dashboard/quality-panel";
import { RefreshStatus } from "@/components/dashboard/refresh-status";
import { StreamsPanel } from "@/components/dashboard/streams-panel";
import { loadDashboard } from "@/lib/dashboard/load";

export const metadata: Metadata = { title: "Dashboard" };

/** How often the page refreshes its numbers. */
const REFRESH_MS = 15_000;

export default async function DashboardPage() {
  // Live numbers: render per request, never at build time.
  await connection();
  const data = await loadDashboard();
  return (
    <div className={styles.dashboard}>
      <div className={styles.heading}>
        <h1>Pipeline dashboard</h1>
        <RefreshStatus fetchedAt={data.fetchedAt} intervalMs={REFRESH_MS} />
      </div>
      <div className={styles.grid}>
        <HealthTiles health={data.health} />
        <LakePanel lake={data.lake} now={data.fetchedAt} />
        <AirflowRunsPanel runs={data.runs} workers={data.workers} airflowUi={data.airflowUi} now={data.fetchedAt} />
        <StreamsPanel streams={data.streams} now={data.fetchedAt} />
        <MetricsPanel metrics={data.metrics} />
        <QualityPanel quality={data.quality} />
        <KafkaPanel kafka={data.kafka} />
      </div>
    </div>
  );
}
