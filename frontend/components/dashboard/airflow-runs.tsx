import type { ApiResult } from "@/lib/api/client";
import type { AirflowRuns, WorkerReport } from "@/lib/api/schemas";
import { RUNS_MAX_AGE_HOURS, runsFreshness, runTone, runUrl } from "@/lib/dashboard/summary";
import { formatAgo, formatDuration, formatNumber, formatTimestamp } from "@/lib/format";

import styles from "./dashboard.module.css";
import { Badge, FreshnessBadge, Panel, PanelError } from "./panel";

/** Whether the workers take the tasks the scheduler queues, and who ran the latest. */
function Workers({ workers, now }: { workers: ApiResult<WorkerReport>; now: number }) {
  if (!workers.ok) {
    // An API without the endpoint says nothing; any other failure is the runs' too, shown below.
    return null;
  }
  const w = workers.data;
  const last = w.last_task;
  const tone = w.state === "stalled" ? "bad" : "ok";
  const words =
    w.state === "stalled"
      ? `no worker is taking tasks: ${formatNumber(w.queued)} queued, the oldest for ${formatDuration(w.oldest_queued_secs)}`
      : w.state === "busy"
        ? `${formatNumber(w.running)} running, ${formatNumber(w.queued)} queued`
        : "idle, nothing queued";
  return (
    <p className={styles.groups} data-testid="workers" data-state={w.state}>
      <Badge tone={tone} testId="workers-state">
        workers: {w.state}
      </Badge>{" "}
      <span>{words}</span>
      {last && (
        <span className="muted" data-testid="workers-last">
          {" "}
          · last task {last.task_id}
          {last.hostname ? ` on ${last.hostname}` : ""}
          {last.start_date ? `, started ${formatAgo(Date.parse(last.start_date), now)}` : ""}
        </span>
      )}
    </p>
  );
}

/** The newest DAG runs, linked to Airflow's UI, and the workers' health. */
export function AirflowRunsPanel({
  runs,
  workers,
  airflowUi,
  now,
}: {
  runs: ApiResult<AirflowRuns>;
  workers?: ApiResult<WorkerReport>;
  airflowUi: string;
  now: number;
}) {
  return (
    <Panel
      id="airflow"
      title="Recent Airflow runs"
      wide
      aside={runs.ok && <FreshnessBadge freshness={runsFreshness(runs.data.runs, now)} maxAgeHours={RUNS_MAX_AGE_HOURS} />}
    >
      {workers && <Workers workers={workers} now={now} />}
      {!runs.ok ? (
        <PanelError error={runs.error} what="Airflow runs" />
      ) : runs.data.runs.length === 0 ? (
        <p className="muted" data-testid="no-runs">
          No DAG runs yet. Trigger one in <a href={airflowUi}>Airflow</a>.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="data" data-testid="runs-table">
            <thead>
              <tr>
                <th scope="col">DAG</th>
                <th scope="col">Run</th>
                <th scope="col">Type</th>
                <th scope="col">State</th>
                <th scope="col">Started</th>
                <th scope="col" className="num">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.data.runs.map((run) => (
                <tr key={`${run.dag_id}/${run.run_id}`} data-testid="run" data-run-id={run.run_id} data-state={run.state ?? ""}>
                  <td>{run.dag_id}</td>
                  <td className={styles.runId}>
                    <a href={runUrl(airflowUi, run)} target="_blank" rel="noreferrer">
                      {run.run_id}
                    </a>
                  </td>
                  <td>{run.run_type ?? "—"}</td>
                  <td>
                    <Badge tone={runTone(run.state)}>{run.state ?? "unknown"}</Badge>
                  </td>
                  <td>{formatTimestamp(run.start_date)}</td>
                  <td className="num">{formatDuration(run.duration_secs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
