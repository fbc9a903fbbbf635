import type { ApiResult } from "@/lib/api/client";
import type { QualityReport } from "@/lib/api/schemas";
import { formatNumber } from "@/lib/format";

import { Badge, Panel, PanelError } from "./panel";
import { QualityChart } from "./quality-chart";

/** The daily data-quality scores against their threshold. */
export function QualityPanel({ quality }: { quality: ApiResult<QualityReport> }) {
  if (!quality.ok && quality.error.code === "not_found") {
    return (
      <Panel id="quality" title="Data quality" wide>
        <p className="muted" data-testid="quality-unavailable">
          This API version does not serve the quality-score history yet.
        </p>
      </Panel>
    );
  }
  if (!quality.ok) {
    return (
      <Panel id="quality" title="Data quality" wide>
        <PanelError error={quality.error} what="Quality scores" />
      </Panel>
    );
  }
  // One point per day: the latest check of each.
  const byDate = new Map<string, (typeof quality.data.scores)[number]>();
  for (const s of quality.data.scores) {
    const seen = byDate.get(s.date);
    if (!seen || (s.checked_at ?? "") > (seen.checked_at ?? "")) byDate.set(s.date, s);
  }
  const days = [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
  const latest = days[days.length - 1];
  return (
    <Panel
      id="quality"
      title="Data quality"
      wide
      aside={latest && <Badge tone={latest.passed ? "ok" : "bad"}>{latest.passed ? "passing" : "failing"}</Badge>}
    >
      {latest ? (
        <>
          <p data-testid="quality-latest" data-value={latest.score_pct}>
            Latest ({latest.date}): <strong>{formatNumber(latest.score_pct)}%</strong>{" "}
            <span className="muted">threshold {formatNumber(latest.threshold_pct)}%</span>
          </p>
          <QualityChart points={days.map((d) => ({ date: d.date, score: d.score_pct, threshold: d.threshold_pct }))} />
        </>
      ) : (
        <p className="muted">No quality check has run yet.</p>
      )}
    </Panel>
  );
}
