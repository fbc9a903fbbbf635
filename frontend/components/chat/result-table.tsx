import type { Cell } from "@/lib/api/schemas";
import { columnLabel } from "@/lib/chat/chart";
import { formatCell } from "@/lib/format";

/**
 * The rows an answer was computed from. Its box scrolls sideways when the table is wider than the message, so it
 * takes the keyboard focus (arrow keys scroll it) and is named for screen readers (`label`: whose rows they are).
 */
export function ResultTable({ columns, rows, label = "Result rows" }: { columns: string[]; rows: Cell[][]; label?: string }) {
  if (columns.length === 0) return null;
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number" || r[i] === null));
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={label}>
      <table className="data" data-testid="result-table">
        <caption>
          {rows.length} {rows.length === 1 ? "row" : "rows"}
        </caption>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={c} scope="col" className={numeric[i] ? "num" : undefined} data-column={c}>
                {columnLabel(c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            <tr key={r}>
              {columns.map((c, i) => (
                <td key={c} className={numeric[i] ? "num" : undefined} data-value={JSON.stringify(row[i] ?? null)}>
                  {formatCell(row[i] ?? null)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
