import { render, screen, within } from "@testing-library/react";

import { records, sectionRows } from "@/lib/chat/rows";
import { formatNumber } from "@/lib/format";
import { fixture } from "@/test/fixtures";

import { AnswerBody } from "./answer-body";

const { result } = fixture("patterns");
const rows = records(result.columns, result.rows);

describe("patterns", () => {
  it("charts the mail by weekday and by hour", async () => {
    render(<AnswerBody result={result} />);
    const charts = await screen.findAllByTestId("result-chart");
    expect(charts.map((c) => c.getAttribute("data-name"))).toEqual(["weekday", "hour"]);
    expect(charts[0]).toHaveAccessibleName("Bar chart of emails per day by weekday");
  });

  it("shows the figures the rows hold", () => {
    render(<AnswerBody result={result} />);
    const total = rows.find((r) => r.kind === "total")!;
    const figure = (name: string) => document.querySelector(`[data-figure="${name}"] [data-testid="figure-value"]`)?.textContent;
    expect(figure("emails")).toBe(formatNumber(total.emails as number));
    const groups = rows.filter((r) => r.kind === "group");
    expect(within(screen.getByTestId("groups")).getAllByRole("listitem").map((li) => li.getAttribute("data-key"))).toEqual(groups.map((g) => g.key));
    const calendar = sectionRows(result.sections, "calendar")[0]!;
    expect(figure("meeting-share")).toBe(`${Math.round(calendar.meeting_share_pct as number)}%`);
    expect(figure("busiest-weekday")).toBe(calendar.busiest_weekday);
  });

  it("marks the direct reports without a 1-on-1", () => {
    render(<AnswerBody result={result} />);
    const reports = sectionRows(result.sections, "one_on_ones");
    const items = within(screen.getByTestId("one-on-ones")).getAllByRole("listitem");
    expect(items).toHaveLength(reports.length);
    reports.forEach((r, i) => {
      expect(items[i]).toHaveTextContent(String(r.person));
      expect(items[i]!.querySelector('[data-badge="no-one-on-one"]') !== null).toBe(r.one_on_ones_30d === 0);
    });
  });
});
