"use client";

import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

const LAYER_COLOURS: Record<string, string> = { bronze: "var(--chart-2)", silver: "var(--chart-1)", gold: "var(--chart-3)" };

export interface LakeBar {
  layer: string;
  table: string;
  records: number;
}

/** Records per Delta table, coloured by layer. */
export function LakeChart({ bars }: { bars: LakeBar[] }) {
  const data = bars.map((b) => ({ ...b, label: `${b.layer}/${b.table}` }));
  return (
    <figure role="img" aria-label="Bar chart of records per Delta table" data-testid="lake-chart" style={{ margin: 0, height: 220 }}>
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 600, height: 220 }}>
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis dataKey="label" stroke="var(--muted)" tick={{ fill: "var(--muted)", fontSize: 12 }} />
          <YAxis stroke="var(--muted)" tick={{ fill: "var(--muted)", fontSize: 12 }} allowDecimals={false} width={56} />
          <Tooltip contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", borderRadius: 8 }} />
          <Bar dataKey="records" name="Records" radius={[4, 4, 0, 0]} isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.label} fill={LAYER_COLOURS[d.layer] ?? "var(--chart-4)"} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
