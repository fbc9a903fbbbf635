// Turns a result and the API's chart hint into the rows a chart draws. The API decides *whether* a result is a
// series (ChatReply.chart); this only checks the hint against the data and shapes it.

import type { Cell, Chart } from "@/lib/api/schemas";

export interface ChartData {
  kind: Chart["kind"];
  /** The x column's name. */
  x: string;
  /** The y columns' names (at least one). */
  y: string[];
  /** One object per row: the x label and the y numbers. */
  points: Array<Record<string, string | number | null>>;
}

/** The chart for a result, or null when there is no hint or the hint does not fit the rows. */
export function chartData(columns: string[], rows: Cell[][], chart: Chart | null | undefined): ChartData | null {
  if (!chart || rows.length < 2) return null;
  const xIndex = columns.indexOf(chart.x);
  const yIndexes = chart.y.map((name) => columns.indexOf(name));
  if (xIndex < 0 || yIndexes.length === 0 || yIndexes.some((i) => i < 0)) return null;
  const numeric = yIndexes.every((i) => rows.every((row) => typeof row[i] === "number" || row[i] === null));
  if (!numeric) return null;
  const points = rows.map((row) => {
    const point: Record<string, string | number | null> = { [chart.x]: xLabel(chart.x, row[xIndex] ?? null) };
    chart.y.forEach((name, k) => {
      point[name] = row[yIndexes[k]!] as number | null;
    });
    return point;
  });
  return { kind: chart.kind, x: chart.x, y: chart.y, points };
}

/** Hours read better as "07:00" than as 7. */
function xLabel(column: string, value: Cell): string {
  if (column === "hour" && typeof value === "number") return `${String(value).padStart(2, "0")}:00`;
  return value === null ? "—" : String(value);
}

/** "total_emails" → "Total emails". */
export function columnLabel(name: string): string {
  const words = name.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A round upper bound for an axis: 361 → 400, 98 → 100, 11 → 20 (so the ticks land on round numbers). */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const steps = [1, 2, 2.5, 4, 5, 10];
  const step = steps.find((s) => s * magnitude >= max) ?? 10;
  return step * magnitude;
}
