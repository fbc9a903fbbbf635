import type { ApiResult } from "@/lib/api/client";
import type { KafkaReport } from "@/lib/api/schemas";
import { groupLags } from "@/lib/dashboard/summary";
import { formatNumber } from "@/lib/format";

import styles from "./dashboard.module.css";
import { Badge, Panel, PanelError } from "./panel";

/** Each topic: messages, per-partition offsets, and each consumer group's lag. */
export function KafkaPanel({ kafka }: { kafka: ApiResult<KafkaReport> }) {
  return (
    <Panel id="kafka" title="Kafka topics" wide>
      {!kafka.ok ? (
        <PanelError error={kafka.error} what="Kafka offsets" />
      ) : (
        <div className={styles.topics}>
          {kafka.data.topics.map((topic) => {
            const groups = groupLags(topic);
            return (
              <article key={topic.topic} className={styles.topic} data-testid={`topic-${topic.topic}`}>
                <header className={styles.layerHead}>
                  <h3>{topic.topic}</h3>
                  {!topic.exists ? (
                    <Badge tone="bad">missing</Badge>
                  ) : (
                    <span data-testid="topic-messages" data-value={topic.messages}>
                      {formatNumber(topic.messages)} <span className="muted">messages</span>
                    </span>
                  )}
                </header>
                {groups.length > 0 && (
                  <p className={styles.groups}>
                    {groups.map((g) => (
                      <Badge key={g.group} tone={g.lag > 0 ? "warn" : "ok"} testId={`lag-${g.group}`}>
                        {g.group}: lag {formatNumber(g.lag)}
                      </Badge>
                    ))}
                  </p>
                )}
                {topic.exists && (
                  <div className="table-wrap">
                    <table className="data">
                      <thead>
                        <tr>
                          <th scope="col" className="num">
                            Partition
                          </th>
                          <th scope="col" className="num">
                            <abbr title="First offset still in the log">Start</abbr>
                          </th>
                          <th scope="col" className="num">
                            <abbr title="The offset the next message will get">End</abbr>
                          </th>
                          <th scope="col">
                            <abbr title="End offset minus each consumer group's committed offset">Lag</abbr>
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        {topic.partitions.map((p) => (
                          <tr key={p.partition} data-testid="partition" data-partition={p.partition}>
                            <td className="num">{p.partition}</td>
                            <td className="num" data-field="start" data-value={p.start_offset}>
                              {formatNumber(p.start_offset)}
                            </td>
                            <td className="num" data-field="end" data-value={p.end_offset}>
                              {formatNumber(p.end_offset)}
                            </td>
                            <td data-field="lag" data-value={p.groups.map((g) => `${g.group}=${g.lag}`).join(",")}>
                              {p.groups.length === 0 ? (
                                <span className="muted" title="no consumer group committed an offset here">—</span>
                              ) : (
                                p.groups.map((g) => (
                                  <span key={g.group} className={styles.lag}>
                                    {g.group}: {formatNumber(g.lag)}
                                  </span>
                                ))
                              )}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </article>
            );
          })}
        </div>
      )}
    </Panel>
  );
}
