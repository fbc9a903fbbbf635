import { render, screen, within } from "@testing-library/react";

import type { KafkaReport, LakeReport, MetricsReport } from "@/lib/api/schemas";

import { AirflowRunsPanel } from "./airflow-runs";
import { HealthTiles } from "./health-tiles";
import { KafkaPanel } from "./kafka-panel";
import { LakePanel } from "./lake-panel";
import { formatMetric, MetricsPanel } from "./metrics-panel";
import { QualityPanel } from "./quality-panel";
import { StreamsPanel } from "./streams-panel";

const NOW = Date.parse("2026-11-26T12:00:00Z");

describe("HealthTiles", () => {
  it("shows a tile per service, down ones with their error", () => {
    render(
      <HealthTiles
        health={{
          ok: true,
          data: {
            status: "degraded",
            checks: [
              { name: "postgresql", up: true, latency_ms: 2.5 },
              { name: "spark_connect", up: false, latency_ms: 3000, error: "connection refused (127.0.0.1:15002)" },
            ],
          },
        }}
      />,
    );
    expect(screen.getByTestId("health-status")).toHaveTextContent("degraded");
    expect(screen.getByTestId("health-api")).toHaveAttribute("data-up", "true");
    expect(screen.getByTestId("health-postgresql")).toHaveTextContent(/PostgreSQL\s*up\s*3 ms/);
    const spark = screen.getByTestId("health-spark_connect");
    expect(spark).toHaveAttribute("data-up", "false");
    expect(spark).toHaveTextContent("connection refused");
  });

  it("marks the API down when it does not answer", () => {
    render(<HealthTiles health={{ ok: false, error: { code: "api_unreachable", message: "ECONNREFUSED" } }} />);
    expect(screen.getByTestId("health-api")).toHaveAttribute("data-up", "false");
    expect(screen.getByRole("alert")).toHaveTextContent("The Mini-Mindy API is not answering");
    expect(screen.getByRole("alert")).not.toHaveTextContent("ECONNREFUSED");
  });
});

const LAKE: LakeReport = {
  root: "/work/main/datalake",
  layers: [
    { name: "bronze", tables: [{ name: "emails", files: 120, size_bytes: 2_400_000, records: 4301, version: 1, last_updated: "2026-11-26T11:59:00Z" }] },
    { name: "silver", tables: [{ name: "email_stats", files: 4, size_bytes: 50_000, records: 1548, version: 3, last_updated: "2026-11-25T01:00:00Z" }] },
    { name: "gold", tables: [] },
  ],
};

describe("LakePanel", () => {
  it("totals each layer, lists each table and flags stale layers", () => {
    render(<LakePanel lake={{ ok: true, data: LAKE }} now={NOW} />);
    expect(screen.getByTestId("layer-records-bronze")).toHaveAttribute("data-value", "4301");
    expect(screen.getByTestId("layer-records-bronze")).toHaveTextContent("4,301 records");
    expect(within(screen.getByTestId("layer-silver")).getByTestId("stale")).toBeInTheDocument();
    expect(within(screen.getByTestId("layer-bronze")).getByText("fresh")).toBeInTheDocument();
    expect(within(screen.getByTestId("layer-gold")).getByText("no data")).toBeInTheDocument();
    const row = screen.getByTestId("lake-silver-email_stats");
    expect(within(row).getByText("1,548")).toHaveAttribute("data-value", "1548");
    expect(row).toHaveTextContent("48.8 KiB");
    expect(screen.getByTestId("lake-chart")).toBeInTheDocument();
  });

  it("says when there are no tables yet", () => {
    render(<LakePanel lake={{ ok: true, data: { root: "/lake", layers: [{ name: "bronze", tables: [] }] } }} now={NOW} />);
    expect(screen.getByTestId("lake-empty")).toBeInTheDocument();
  });
});

const KAFKA: KafkaReport = {
  topics: [
    {
      topic: "emails-topic",
      exists: true,
      messages: 4301,
      partitions: [
        { partition: 0, start_offset: 0, end_offset: 1451, groups: [{ group: "mindy-validator", committed: 1400, lag: 51 }] },
        { partition: 1, start_offset: 0, end_offset: 1402, groups: [] },
      ],
    },
    { topic: "emails-dlq", exists: false, messages: 0, partitions: [] },
  ],
};

describe("KafkaPanel", () => {
  it("shows offsets and each group's lag", () => {
    render(<KafkaPanel kafka={{ ok: true, data: KAFKA }} />);
    const topic = screen.getByTestId("topic-emails-topic");
    expect(within(topic).getByTestId("topic-messages")).toHaveTextContent("4,301 messages");
    expect(within(topic).getByTestId("lag-mindy-validator")).toHaveTextContent("mindy-validator: lag 51");
    expect(within(topic).getByTestId("lag-mindy-validator")).toHaveAttribute("data-tone", "warn");
    const p0 = topic.querySelector('[data-partition="0"]')!;
    expect(p0.querySelector('[data-field="end"]')).toHaveAttribute("data-value", "1451");
    expect(p0.querySelector('[data-field="lag"]')).toHaveAttribute("data-value", "mindy-validator=51");
    expect(within(screen.getByTestId("topic-emails-dlq")).getByText("missing")).toBeInTheDocument();
  });

  it("explains a Kafka outage", () => {
    render(<KafkaPanel kafka={{ ok: false, error: { code: "upstream_unavailable", message: "kafka is unavailable", status: 502 } }} />);
    expect(screen.getByRole("alert")).toHaveTextContent("kafka is unavailable");
  });
});

describe("AirflowRunsPanel", () => {
  const run = { dag_id: "daily_batch_dag", run_id: "scheduled__2026-11-25T02:00:00+00:00", state: "success", run_type: "scheduled", start_date: "2026-11-26T02:00:05Z", end_date: "2026-11-26T02:03:10Z", duration_secs: 185 };

  it("lists runs with state, start, duration and a link to Airflow", () => {
    render(<AirflowRunsPanel runs={{ ok: true, data: { runs: [run, { ...run, run_id: "manual__x", state: "failed" }] } }} airflowUi="http://localhost:8080" now={NOW} />);
    const rows = screen.getAllByTestId("run");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("2026-11-26 02:00 UTC");
    expect(rows[0]).toHaveTextContent("3 min 5 s");
    expect(within(rows[0]!).getByRole("link")).toHaveAttribute(
      "href",
      "http://localhost:8080/dags/daily_batch_dag/runs/scheduled__2026-11-25T02%3A00%3A00%2B00%3A00",
    );
    expect(within(rows[1]!).getByText("failed")).toHaveAttribute("data-tone", "bad");
    expect(screen.getByText("fresh")).toBeInTheDocument();
  });

  it("says when there are none", () => {
    render(<AirflowRunsPanel runs={{ ok: true, data: { runs: [] } }} airflowUi="http://localhost:8080" now={NOW} />);
    expect(screen.getByTestId("no-runs")).toBeInTheDocument();
  });

  it("shows the workers' health: who ran the latest task, or that tasks wait for a worker", () => {
    const last = { dag_id: "daily_batch_dag", task_id: "export_to_postgres", state: "success", hostname: "mindy-worker-1", start_date: "2026-11-26T11:57:00Z", end_date: "2026-11-26T11:57:09Z" };
    const idle = { state: "idle" as const, queued: 0, oldest_queued_secs: null, running: 0, stalled_after_secs: 120, last_task: last };
    const { unmount } = render(<AirflowRunsPanel runs={{ ok: true, data: { runs: [run] } }} workers={{ ok: true, data: idle }} airflowUi="http://localhost:8080" now={NOW} />);
    expect(screen.getByTestId("workers-state")).toHaveAttribute("data-tone", "ok");
    expect(screen.getByTestId("workers-last")).toHaveTextContent("last task export_to_postgres on mindy-worker-1, started 3 min ago");
    unmount();
    const stalled = { ...idle, state: "stalled" as const, queued: 2, oldest_queued_secs: 300 };
    render(<AirflowRunsPanel runs={{ ok: true, data: { runs: [run] } }} workers={{ ok: true, data: stalled }} airflowUi="http://localhost:8080" now={NOW} />);
    expect(screen.getByTestId("workers")).toHaveAttribute("data-state", "stalled");
    expect(screen.getByTestId("workers-state")).toHaveAttribute("data-tone", "bad");
    expect(screen.getByTestId("workers")).toHaveTextContent("no worker is taking tasks: 2 queued, the oldest for 5 min 0 s");
  });
});

describe("QualityPanel", () => {
  it("says when the API does not serve the history", () => {
    render(<QualityPanel quality={{ ok: false, error: { code: "not_found", message: "no such endpoint", status: 404 } }} />);
    expect(screen.getByTestId("quality-unavailable")).toBeInTheDocument();
  });

  it("shows the latest check of the latest day", () => {
    const score = (date: string, checked_at: string, score_pct: number) => ({ date, checked_at, score_pct, threshold_pct: 95, passed: score_pct >= 95 });
    render(
      <QualityPanel
        quality={{
          ok: true,
          data: { scores: [score("2026-11-24", "2026-11-25T02:00:00Z", 97), score("2026-11-25", "2026-11-26T02:00:00Z", 90), score("2026-11-25", "2026-11-26T03:00:00Z", 96.5)] },
        }}
      />,
    );
    expect(screen.getByTestId("quality-latest")).toHaveAttribute("data-value", "96.5");
    expect(screen.getByText("passing")).toBeInTheDocument();
    expect(screen.getByTestId("quality-chart")).toBeInTheDocument();
  });
});

describe("StreamsPanel", () => {
  const query = (query_name: string, restarts: number) => ({
    query_name,
    query_id: `q-${query_name}`,
    run_id: `r-${query_name}`,
    batch_id: 41,
    num_input_rows: 1250,
    input_rows_per_second: 400.2,
    processed_rows_per_second: 416.5,
    batch_duration_ms: 3001,
    watermark: query_name === "mindy_silver" ? "2026-11-26T09:00:00.000Z" : null,
    restarts,
    updated_at: "2026-11-26T11:55:00Z",
  });

  it("lists each query's last batch and counts the driver's restarts", () => {
    render(<StreamsPanel streams={{ ok: true, data: { queries: [query("mindy_bronze", 2), query("mindy_silver", 2)] } }} now={NOW} />);
    const rows = screen.getAllByTestId("stream-query");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("bronze");
    expect(rows[0]!.querySelector('[data-field="rows"]')).toHaveAttribute("data-value", "1250");
    expect(rows[0]).toHaveTextContent("3.0 s");
    expect(rows[0]).toHaveTextContent("5 min ago");
    expect(rows[1]).toHaveTextContent("2026-11-26 09:00 UTC");
    expect(screen.getByTestId("stream-restarts")).toHaveTextContent("2 restarts");
    expect(screen.getByTestId("stream-restarts")).toHaveAttribute("data-tone", "warn");
  });

  it("says when no query has run, and when the database is down", () => {
    const { unmount } = render(<StreamsPanel streams={{ ok: true, data: { queries: [] } }} now={NOW} />);
    expect(screen.getByTestId("no-streams")).toBeInTheDocument();
    expect(screen.queryByTestId("stream-restarts")).toBeNull();
    unmount();
    render(<StreamsPanel streams={{ ok: false, error: { code: "upstream_unavailable", message: "postgresql is unavailable", status: 502 } }} now={NOW} />);
    expect(screen.getByRole("alert")).toHaveTextContent("postgresql is unavailable");
  });
});

describe("MetricsPanel", () => {
  const report = (over: Partial<MetricsReport> = {}): MetricsReport => ({
    configured: true,
    prometheus_url: "http://127.0.0.1:9090",
    start: "2026-11-26T11:00:00Z",
    end: "2026-11-26T12:00:00Z",
    step_secs: 30,
    tiles: [
      {
        id: "validated",
        title: "Records validated",
        unit: "per_second",
        help: "per second",
        query: "sum(rate(x[5m]))",
        latest: 12.345,
        points: [
          { t: 1764154800, v: 10 },
          { t: 1764154830, v: 12.345 },
        ],
      },
      { id: "serving_age", title: "Serving data age", unit: "seconds", help: "age", query: "max(y)", latest: null, points: [] },
    ],
    targets: { up: 10, total: 11, down: [{ job: "mindy-stream", instance: "127.0.0.1:9465", health: "down", last_error: "connection refused" }] },
    alerts: [{ name: "MindyServingDataStale", state: "firing", severity: "warning", summary: "serving data is 20 min old", active_at: "2026-11-26T11:40:00Z" }],
    ...over,
  });

  it("shows each tile's latest value and line, the targets not scraped and the alerts", () => {
    render(<MetricsPanel metrics={{ ok: true, data: report() }} />);
    const validated = screen.getByTestId("metric-validated");
    expect(validated).toHaveTextContent("Records validated");
    expect(validated).toHaveTextContent("12/s");
    expect(within(validated).getByTestId("sparkline")).toBeInTheDocument();
    const age = screen.getByTestId("metric-serving_age");
    expect(age).toHaveTextContent("—");
    expect(age).toHaveTextContent("no data in the window");
    expect(screen.getByTestId("metrics-targets")).toHaveTextContent("10 of 11 targets up");
    expect(screen.getByTestId("metrics-targets")).toHaveAttribute("data-tone", "bad");
    expect(screen.getByTestId("metrics-down")).toHaveTextContent("mindy-stream (127.0.0.1:9465)");
    const alert = within(screen.getByTestId("metrics-alerts")).getByText(/MindyServingDataStale/);
    expect(alert).toHaveTextContent("firing");
    expect(screen.getByTestId("metrics-alerts")).toHaveTextContent("serving data is 20 min old · since 2026-11-26 11:40 UTC");
    expect(screen.getByText(/The last 60 min, a point every 30 s/)).toBeInTheDocument();
  });

  it("says when mindy-api knows no Prometheus, and when Prometheus does not answer", () => {
    const { unmount } = render(<MetricsPanel metrics={{ ok: true, data: report({ configured: false, tiles: [], alerts: [], targets: { up: 0, total: 0, down: [] } }) }} />);
    expect(screen.getByTestId("metrics-unconfigured")).toHaveTextContent("MINDY_PROMETHEUS_URL");
    unmount();
    render(<MetricsPanel metrics={{ ok: false, error: { code: "upstream_unavailable", message: "prometheus is unavailable", status: 502 } }} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Prometheus");
  });

  it("formats each unit", () => {
    expect(formatMetric(0.456, "per_second")).toBe("0.46/s");
    expect(formatMetric(1234.4, "per_second")).toBe("1,234/s");
    expect(formatMetric(0.25, "seconds")).toBe("250 ms");
    expect(formatMetric(185, "seconds")).toBe("3 min 5 s");
    expect(formatMetric(1203.6, "count")).toBe("1,204");
    expect(formatMetric(null, "count")).toBe("—");
  });
});
