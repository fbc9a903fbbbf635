"use client";

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface QualityPoint {
  date: string;
  score: number;
  threshold: number;
}

/** Score per day, with the pass threshold as a dashed line. */
export function QualityChart({ points }: { points: QualityPoint[] }) {
  const low = Math.max(0, Math.floor(Math.min(...points.map((p) => Math.min(p.score, p.threshold))) - 2));
  return (
    <figure role="img" aria-label="Line chart of the daily data-quality score and its threshold" data-testid="quality-chart" style={{ margin: 0, height: 200 }}>
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 400, height: 200 }}>
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis dataKey="date" stroke="var(--muted)" tick={{ fill: "var(--muted)", fontSize: 12 }} />
          <YAxis domain={[low, 100]} stroke="var(--muted)" tick={{ fill: "var(--muted)", fontSize: 12 }} width={40} unit="%" />
          <Tooltip contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", borderRadius: 8 }} />
          <Line type="monotone" dataKey="score" name="Score" stroke="var(--chart-1)" strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} />
          <Line type="stepAfter" dataKey="threshold" name="Threshold" stroke="var(--chart-2)" strokeDasharray="5 4" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
