import type { ApiResult } from "@/lib/api/client";
import type { AirflowRuns } from "@/lib/api/schemas";
import { RUNS_MAX_AGE_HOURS, runsFreshness, runTone, runUrl } from "@/lib/dashboard/summary";
import { formatDuration, formatTimestamp } from "@/lib/format";

import styles from "./dashboard.module.css";
import { Badge, FreshnessBadge, Panel, PanelError } from "./panel";

/** The newest DAG runs, linked to Airflow's UI. */
export function AirflowRunsPanel({ runs, airflowUi, now }: { runs: ApiResult<AirflowRuns>; airflowUi: string; now: number }) {
  return (
    <Panel
      id="airflow"
      title="Recent Airflow runs"
      wide
      aside={runs.ok && <FreshnessBadge freshness={runsFreshness(runs.data.runs, now)} maxAgeHours={RUNS_MAX_AGE_HOURS} />}
    >
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
