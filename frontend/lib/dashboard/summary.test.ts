import type { KafkaReport, LakeReport } from "@/lib/api/schemas";

import { freshness, groupLags, kafkaTotals, runsFreshness, runTone, runUrl, summarizeLake } from "./summary";

const NOW = Date.parse("2026-11-26T12:00:00Z");

const LAKE: LakeReport = {
  root: "/lake",
  layers: [
    {
      name: "bronze",
      tables: [
        { name: "emails", files: 3, size_bytes: 10, records: 40, version: 2, last_updated: "2026-11-26T11:30:00Z" },
        { name: "emails_quarantine", files: 1, size_bytes: 1, records: 2, version: 0, last_updated: "2026-11-26T09:00:00Z" },
      ],
    },
    { name: "silver", tables: [{ name: "email_stats", files: 1, size_bytes: 1, records: null, version: 0, last_updated: "2026-11-26T08:00:00Z" }] },
    { name: "gold", tables: [] },
  ],
};

describe("summarizeLake", () => {
  it("totals each layer and judges its freshness by its newest table", () => {
    const [bronze, silver, gold] = summarizeLake(LAKE, NOW);
    expect(bronze).toMatchObject({ records: 42, lastUpdated: "2026-11-26T11:30:00Z", freshness: "fresh" });
    expect(silver).toMatchObject({ records: null, freshness: "stale" });
    expect(gold).toMatchObject({ records: 0, lastUpdated: null, freshness: "unknown" });
  });
});

const KAFKA: KafkaReport = {
  topics: [
    {
      topic: "emails-topic",
      exists: true,
      messages: 30,
      partitions: [
        { partition: 0, start_offset: 0, end_offset: 10, groups: [{ group: "validator", committed: 8, lag: 2 }, { group: "spark", committed: 10, lag: 0 }] },
        { partition: 1, start_offset: 0, end_offset: 20, groups: [{ group: "validator", committed: 15, lag: 5 }] },
      ],
    },
    { topic: "gone", exists: false, messages: 0, partitions: [] },
  ],
};

describe("kafka", () => {
  it("sums each group's lag over partitions", () => {
    expect(groupLags(KAFKA.topics[0]!)).toEqual([
      { group: "validator", lag: 7, partitions: 2 },
      { group: "spark", lag: 0, partitions: 1 },
    ]);
    expect(kafkaTotals(KAFKA)).toEqual({ messages: 30, maxLag: 7 });
  });
});

describe("runs", () => {
  it("colours states", () => {
    expect(runTone("success")).toBe("ok");
    expect(runTone("failed")).toBe("bad");
    expect(runTone("running")).toBe("warn");
    expect(runTone(null)).toBe("neutral");
  });

  it("is stale when the newest run is more than a day old", () => {
    const run = (start: string) => ({ dag_id: "d", run_id: start, start_date: start });
    expect(runsFreshness([run("2026-11-24T02:00:00Z"), run("2026-11-26T02:00:00Z")], NOW)).toBe("fresh");
    expect(runsFreshness([run("2026-11-24T02:00:00Z")], NOW)).toBe("stale");
    expect(runsFreshness([], NOW)).toBe("unknown");
  });

  it("links to the run in Airflow's UI", () => {
    expect(runUrl("http://localhost:8080", { dag_id: "daily_batch_dag", run_id: "manual__2026-11-26T01:10:16+00:00" })).toBe(
      "http://localhost:8080/dags/daily_batch_dag/runs/manual__2026-11-26T01%3A10%3A16%2B00%3A00",
    );
  });

  it("judges any time", () => {
    expect(freshness("garbage", NOW, 1)).toBe("unknown");
  });
});
