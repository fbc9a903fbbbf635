import { chartData, columnLabel, niceCeiling } from "./chart";

describe("chartData", () => {
  const columns = ["date", "total_emails"];
  const rows = [
    ["2026-11-24", 149],
    ["2026-11-25", 361],
  ];

  it("shapes the rows the API marked as a series", () => {
    expect(chartData(columns, rows, { kind: "line", x: "date", y: ["total_emails"] })).toEqual({
      kind: "line",
      x: "date",
      y: ["total_emails"],
      points: [
        { date: "2026-11-24", total_emails: 149 },
        { date: "2026-11-25", total_emails: 361 },
      ],
    });
  });

  it("labels hours as times", () => {
    const chart = chartData(["hour", "emails"], [[7, 3], [8, 5]], { kind: "bar", x: "hour", y: ["emails"] });
    expect(chart?.points.map((p) => p.hour)).toEqual(["07:00", "08:00"]);
  });

  it("draws nothing without a hint, for one row, or when the hint does not fit", () => {
    expect(chartData(columns, rows, null)).toBeNull();
    expect(chartData(columns, rows.slice(0, 1), { kind: "line", x: "date", y: ["total_emails"] })).toBeNull();
    expect(chartData(columns, rows, { kind: "line", x: "date", y: ["missing"] })).toBeNull();
    expect(chartData(columns, rows, { kind: "line", x: "total_emails", y: ["date"] })).toBeNull();
  });
});

describe("axis and labels", () => {
  it("rounds the axis up", () => {
    expect([361, 98, 11, 5, 1200, 0].map(niceCeiling)).toEqual([400, 100, 20, 5, 2000, 1]);
  });

  it("turns column names into labels", () => {
    expect(columnLabel("total_emails")).toBe("Total emails");
  });
});
