import type { ApiResult } from "@/lib/api/client";
import type { StreamsReport } from "@/lib/api/schemas";
import { formatAgo, formatMs, formatNumber, formatTimestamp } from "@/lib/format";

import { Badge, Panel, PanelError } from "./panel";

/**
 * The Structured Streaming queries of `mindy stream`: each one's last micro-batch, and how often the driver has
 * resubmitted them from their checkpoints after losing Spark Connect (the largest count of any query: they are
 * resubmitted together).
 */
export function StreamsPanel({ streams, now }: { streams: ApiResult<StreamsReport>; now: number }) {
  if (!streams.ok && streams.error.code === "not_found") {
    return (
      <Panel id="streams" title="Streaming queries" wide>
        <p className="muted">This API version does not serve the streaming progress yet.</p>
      </Panel>
    );
  }
  if (!streams.ok) {
    return (
      <Panel id="streams" title="Streaming queries" wide>
        <PanelError error={streams.error} what="Streaming progress" />
      </Panel>
    );
  }
  const queries = streams.data.queries;
  const restarts = Math.max(0, ...queries.map((q) => q.restarts));
  return (
    <Panel
      id="streams"
      title="Streaming queries"
      wide
      aside={
        queries.length > 0 && (
          <Badge tone={restarts > 0 ? "warn" : "ok"} testId="stream-restarts">
            {restarts === 0 ? "no restarts" : `${formatNumber(restarts)} ${restarts === 1 ? "restart" : "restarts"}`}
          </Badge>
        )
      }
    >
      {queries.length === 0 ? (
        <p className="muted" data-testid="no-streams">
          No streaming query has reported progress yet (<code>mindy stream</code>).
        </p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Query</th>
                <th scope="col" className="num">
                  Batch
                </th>
                <th scope="col" className="num">
                  <abbr title="Rows the last micro-batch read">Rows</abbr>
                </th>
                <th scope="col" className="num">
                  <abbr title="Rows per second the last micro-batch processed">Rows/s</abbr>
                </th>
                <th scope="col" className="num">
                  <abbr title="How long the last micro-batch took">Took</abbr>
                </th>
                <th scope="col">Watermark</th>
                <th scope="col">Last progress</th>
              </tr>
            </thead>
            <tbody>
              {queries.map((q) => (
                <tr key={q.query_name} data-testid="stream-query" data-query={q.query_name}>
                  <td>{q.query_name.replace(/^mindy_/, "")}</td>
                  <td className="num" data-field="batch" data-value={q.batch_id}>
                    {formatNumber(q.batch_id)}
                  </td>
                  <td className="num" data-field="rows" data-value={q.num_input_rows}>
                    {formatNumber(q.num_input_rows)}
                  </td>
                  <td className="num">{formatNumber(q.processed_rows_per_second == null ? null : Math.round(q.processed_rows_per_second))}</td>
                  <td className="num">{q.batch_duration_ms == null ? "—" : formatMs(q.batch_duration_ms)}</td>
                  <td>{q.watermark ? formatTimestamp(q.watermark) : <span className="muted">—</span>}</td>
                  <td title={formatTimestamp(q.updated_at)}>{formatAgo(Date.parse(q.updated_at), now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
