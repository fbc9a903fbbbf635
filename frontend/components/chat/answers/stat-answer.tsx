import type { StreamResult } from "@/lib/api/schemas";
import { chartData } from "@/lib/chat/chart";

import { ResultTable } from "../result-table";
import { SqlBlock } from "../sql-block";
import { LazyChart } from "./lazy-chart";

/** A figure or a series: a chart when the API suggested one, the rows as a table, the SQL. */
export function StatAnswer({ result }: { result: StreamResult }) {
  const chart = chartData(result.columns, result.rows, result.chart);
  return (
    <>
      {chart && <LazyChart data={chart} />}
      {result.columns.length > 0 && <ResultTable columns={result.columns} rows={result.rows} />}
      {result.sql && <SqlBlock sql={result.sql} />}
    </>
  );
}
