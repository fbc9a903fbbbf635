"use client";

import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

import { type ChartData, columnLabel, niceCeiling } from "@/lib/chat/chart";

const COLOURS = ["var(--chart-1)", "var(--chart-2)", "var(--chart-3)", "var(--chart-4)"];

interface ResultChartProps {
  data: ChartData;
  /** What the chart shows, for screen readers (default: "Bar chart of <y> by <x>"). */
  label?: string;
  /** Tells several charts of one answer apart (data-name, for tests). */
  name?: string;
  /** Drawing height in pixels. */
  height?: number;
}

/** A line (time series) or bar (categories) chart of an answer's rows, as the API suggested. */
export function ResultChart({ data, label: given, name, height = 240 }: ResultChartProps) {
  const label = given ?? `${data.kind === "line" ? "Line" : "Bar"} chart of ${data.y.map(columnLabel).join(", ")} by ${columnLabel(data.x)}`;
  const common = { data: data.points, margin: { top: 8, right: 16, bottom: 4, left: 0 } };
  const axes = (
    <>
      <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
      <XAxis dataKey={data.x} stroke="var(--muted)" tick={{ fill: "var(--muted)", fontSize: 12 }} />
      <YAxis
        stroke="var(--muted)"
        tick={{ fill: "var(--muted)", fontSize: 12 }}
        allowDecimals={false}
        width={48}
        domain={[0, (dataMax: number) => niceCeiling(dataMax)]}
        tickCount={5}
      />
      <Tooltip
        contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", borderRadius: 8 }}
        labelStyle={{ color: "var(--text)" }}
      />
      {data.y.length > 1 && <Legend formatter={(value: string) => columnLabel(value)} />}
    </>
  );
  return (
    <figure role="img" aria-label={label} data-testid="result-chart" data-kind={data.kind} data-name={name} style={{ margin: 0, height }}>
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 600, height }}>
        {data.kind === "line" ? (
          <LineChart {...common}>
            {axes}
            {data.y.map((y, i) => (
              <Line key={y} type="monotone" dataKey={y} name={columnLabel(y)} stroke={COLOURS[i % COLOURS.length]} strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
            ))}
          </LineChart>
        ) : (
          <BarChart {...common}>
            {axes}
            {data.y.map((y, i) => (
              <Bar key={y} dataKey={y} name={columnLabel(y)} fill={COLOURS[i % COLOURS.length]} radius={[4, 4, 0, 0]} isAnimationActive={false} />
            ))}
          </BarChart>
        )}
      </ResponsiveContainer>
    </figure>
  );
}
