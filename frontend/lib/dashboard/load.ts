import "server-only";

import { type ApiResult, getAirflowRuns, getAirflowWorkers, getHealth, getKafka, getLake, getMetrics, getQuality, getStreams } from "@/lib/api/client";
import { airflowUiUrl } from "@/lib/api/config";
import type { AirflowRuns, Health, KafkaReport, LakeReport, MetricsReport, QualityReport, StreamsReport, WorkerReport } from "@/lib/api/schemas";

/** Everything the dashboard shows, fetched at once; each part fails on its own. */
export interface DashboardData {
  /** When the API was asked (epoch ms). */
  fetchedAt: number;
  health: ApiResult<Health>;
  runs: ApiResult<AirflowRuns>;
  workers: ApiResult<WorkerReport>;
  lake: ApiResult<LakeReport>;
  kafka: ApiResult<KafkaReport>;
  quality: ApiResult<QualityReport>;
  streams: ApiResult<StreamsReport>;
  metrics: ApiResult<MetricsReport>;
  /** Airflow's UI, for links to runs. */
  airflowUi: string;
}

/** The window of the metrics panel's series, in minutes. */
export const METRICS_MINUTES = 60;

/** How many DAG runs the dashboard lists. */
export const RUNS_SHOWN = 10;

export async function loadDashboard(): Promise<DashboardData> {
  const fetchedAt = Date.now();
  const [health, runs, workers, lake, kafka, quality, streams, metrics] = await Promise.all([
    getHealth(),
    getAirflowRuns(RUNS_SHOWN),
    getAirflowWorkers(),
    getLake(),
    getKafka(),
    getQuality(30),
    getStreams(),
    getMetrics(METRICS_MINUTES),
  ]);
  return { fetchedAt, health, runs, workers, lake, kafka, quality, streams, metrics, airflowUi: airflowUiUrl() };
}
