import type { ApiResult } from "@/lib/api/client";
import type { MetricPoint, MetricsReport, MetricTile, MetricUnit } from "@/lib/api/schemas";
import { formatDuration, formatNumber, formatTimestamp } from "@/lib/format";

import styles from "./dashboard.module.css";
import { Badge, Panel, PanelError } from "./panel";

/** A tile's value in its unit: "12.5/s", "3 min 5 s", "1,204". */
export function formatMetric(value: number | null | undefined, unit: MetricUnit): string {
  if (value === null || value === undefined) return "—";
  switch (unit) {
    case "per_second":
      return `${formatNumber(value >= 10 ? Math.round(value) : Math.round(value * 100) / 100)}/s`;
    case "seconds":
      return formatDuration(value);
    case "count":
      return formatNumber(Math.round(value));
  }
}

/**
 * The pipeline's key series from Prometheus (what the Grafana dashboard of docker/ shows, for where no Grafana
 * runs): one tile per series with its latest value and a sparkline of the window, the scrape targets that are not
 * up, the alerts pending or firing.
 */
export function MetricsPanel({ metrics }: { metrics: ApiResult<MetricsReport> }) {
  if (!metrics.ok && metrics.error.code === "not_found") {
    return (
      <Panel id="metrics" title="Metrics" wide>
        <p className="muted">This API version does not serve Prometheus&apos;s series yet.</p>
      </Panel>
    );
  }
  if (!metrics.ok) {
    return (
      <Panel id="metrics" title="Metrics" wide>
        <PanelError error={metrics.error} what="Prometheus" />
      </Panel>
    );
  }
  const report = metrics.data;
  if (!report.configured) {
    return (
      <Panel id="metrics" title="Metrics" wide>
        <p className="muted" data-testid="metrics-unconfigured">
          No Prometheus configured: set <code>MINDY_PROMETHEUS_URL</code> for mindy-api (<code>./stack up prometheus</code>{" "}
          runs one and sets it).
        </p>
      </Panel>
    );
  }
  const { targets, alerts } = report;
  const minutes = Math.round((Date.parse(report.end) - Date.parse(report.start)) / 60_000);
  return (
    <Panel
      id="metrics"
      title="Metrics"
      wide
      aside={
        <Badge tone={targets.down.length === 0 ? "ok" : "bad"} testId="metrics-targets">
          {targets.up} of {targets.total} targets up
        </Badge>
      }
    >
      {alerts.length > 0 && (
        <ul className={styles.alerts} data-testid="metrics-alerts">
          {alerts.map((a) => (
            <li key={`${a.name}-${a.active_at ?? ""}`} className={`alert ${a.state === "firing" ? "alert-bad" : "alert-warn"}`} data-state={a.state}>
              <strong>
                {a.name} ({a.state})
              </strong>
              <span>
                {a.summary}
                {a.summary && a.active_at && " · "}
                {a.active_at && <span className="muted">since {formatTimestamp(a.active_at)}</span>}
              </span>
            </li>
          ))}
        </ul>
      )}
      {targets.down.length > 0 && (
        <p className="alert alert-bad" data-testid="metrics-down">
          Not scraped:{" "}
          {targets.down.map((t, i) => (
            <span key={`${t.job}-${t.instance}`} title={t.last_error ?? t.health}>
              {i > 0 && ", "}
              {t.job} ({t.instance})
            </span>
          ))}
        </p>
      )}
      <ul className={styles.tiles}>
        {report.tiles.map((tile) => (
          <MetricTileView key={tile.id} tile={tile} />
        ))}
      </ul>
      <p className={styles.detail}>
        The last {minutes} min, a point every {report.step_secs} s, from{" "}
        {report.prometheus_url ? (
          <a href={report.prometheus_url} target="_blank" rel="noreferrer">
            Prometheus
          </a>
        ) : (
          "Prometheus"
        )}
        .
      </p>
    </Panel>
  );
}

function MetricTileView({ tile }: { tile: MetricTile }) {
  const value = formatMetric(tile.latest, tile.unit);
  return (
    <li className={`${styles.tile} ${styles.metricTile}`} data-testid={`metric-${tile.id}`} data-latest={tile.latest ?? ""}>
      <span className={styles.tileName}>
        <abbr title={`${tile.help}\n${tile.query}`}>{tile.title}</abbr>
      </span>
      <span className={styles.metricValue}>{value}</span>
      <Sparkline points={tile.points} label={`${tile.title} over the window, now ${value}`} />
    </li>
  );
}

/** The series as a line scaled to its own range (a flat line when it does not move); nothing without two points. */
export function Sparkline({ points, label }: { points: MetricPoint[]; label: string }) {
  const first = points[0];
  const last = points[points.length - 1];
  if (points.length < 2 || !first || !last) return <span className={styles.tileDetail}>no data in the window</span>;
  const width = 160;
  const height = 32;
  const t0 = first.t;
  const t1 = last.t;
  const low = Math.min(...points.map((p) => p.v));
  const high = Math.max(...points.map((p) => p.v));
  const x = (t: number) => ((t - t0) / Math.max(1, t1 - t0)) * width;
  const y = (v: number) => (high === low ? height / 2 : height - 2 - ((v - low) / (high - low)) * (height - 4));
  const path = points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ");
  return (
    <svg className={styles.sparkline} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={label} data-testid="sparkline">
      <polyline points={path} fill="none" stroke="var(--chart-1)" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
