import type { ApiResult } from "@/lib/api/client";
import type { LakeReport } from "@/lib/api/schemas";
import { LAYER_MAX_AGE_HOURS, summarizeLake } from "@/lib/dashboard/summary";
import { formatBytes, formatNumber, formatTimestamp } from "@/lib/format";

import styles from "./dashboard.module.css";
import { LakeChart } from "./lake-chart";
import { FreshnessBadge, Panel, PanelError } from "./panel";

/** Delta tables per layer: records, version, files, last commit; and a chart of records. */
export function LakePanel({ lake, now }: { lake: ApiResult<LakeReport>; now: number }) {
  if (!lake.ok) {
    return (
      <Panel id="lake" title="Data lake" wide>
        <PanelError error={lake.error} what="Lake statistics" />
      </Panel>
    );
  }
  const layers = summarizeLake(lake.data, now);
  const bars = layers.flatMap((l) => l.tables.map((t) => ({ layer: l.name, table: t.name, records: t.records ?? 0 })));
  return (
    <Panel id="lake" title="Data lake" wide aside={<span className="muted">{lake.data.root}</span>}>
      <ul className={styles.layers}>
        {layers.map((layer) => (
          <li key={layer.name} className={styles.layer} data-testid={`layer-${layer.name}`}>
            <div className={styles.layerHead}>
              <h3>{layer.name}</h3>
              <FreshnessBadge freshness={layer.freshness} maxAgeHours={LAYER_MAX_AGE_HOURS[layer.name] ?? 26} />
            </div>
            <p className={styles.bigNumber} data-testid={`layer-records-${layer.name}`} data-value={layer.records ?? ""}>
              {formatNumber(layer.records)} <span className="muted">records</span>
            </p>
            <p className="muted">
              {layer.tables.length} {layer.tables.length === 1 ? "table" : "tables"} · last update {formatTimestamp(layer.lastUpdated)}
            </p>
          </li>
        ))}
      </ul>
      {bars.length > 0 ? (
        <>
          <LakeChart bars={bars} />
          <div className="table-wrap">
            <table className="data" data-testid="lake-table">
              <thead>
                <tr>
                  <th scope="col">Table</th>
                  <th scope="col" className="num">
                    Records
                  </th>
                  <th scope="col" className="num">
                    Version
                  </th>
                  <th scope="col" className="num">
                    Files
                  </th>
                  <th scope="col" className="num">
                    Size
                  </th>
                  <th scope="col">Last update</th>
                </tr>
              </thead>
              <tbody>
                {layers.flatMap((layer) =>
                  layer.tables.map((t) => (
                    <tr key={`${layer.name}/${t.name}`} data-testid={`lake-${layer.name}-${t.name}`}>
                      <td>
                        {layer.name}/{t.name}
                        {t.error && <span className="badge badge-bad" title={t.error}> unreadable</span>}
                      </td>
                      <td className="num" data-field="records" data-value={t.records ?? ""}>
                        {formatNumber(t.records)}
                      </td>
                      <td className="num" data-field="version" data-value={t.version ?? ""}>
                        {formatNumber(t.version)}
                      </td>
                      <td className="num" data-field="files" data-value={t.files}>
                        {formatNumber(t.files)}
                      </td>
                      <td className="num">{formatBytes(t.size_bytes)}</td>
                      <td>{formatTimestamp(t.last_updated)}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        <p className="muted" data-testid="lake-empty">
          No Delta tables under the lake root yet: the stream writes bronze and silver, the daily batch gold.
        </p>
      )}
    </Panel>
  );
}
