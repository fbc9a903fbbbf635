// Reading an answer's rows by column name: the API sends rows as arrays in column order, and a scene's UI needs
// "the meeting_hours of the first row" or "the rows of the conflicts section".

import type { Cell, Section } from "@/lib/api/schemas";

/** One row as column name → cell. */
export type Row = Readonly<Record<string, Cell>>;

/** The rows as objects keyed by column name. */
export function records(columns: readonly string[], rows: readonly Cell[][]): Row[] {
  return rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null])));
}

/** The section `id`'s rows, or none when the answer has no such section. */
export function sectionRows(sections: readonly Section[], id: string): Row[] {
  const section = sections.find((s) => s.id === id);
  return section ? records(section.columns, section.rows) : [];
}

/** Whether the answer holds section `id` (a day's `days` section is only there for a period). */
export function hasSection(sections: readonly Section[], id: string): boolean {
  return sections.some((s) => s.id === id);
}

/** A text cell (numbers as their digits); null for null and booleans. */
export function text(value: Cell | undefined): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return null;
}

/** A numeric cell; PostgreSQL `numeric` arrives as a string of digits. */
export function number(value: Cell | undefined): number | null {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return null;
}

/** A boolean cell; null when absent. */
export function flag(value: Cell | undefined): boolean | null {
  return typeof value === "boolean" ? value : null;
}
