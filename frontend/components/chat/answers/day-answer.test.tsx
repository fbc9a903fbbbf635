import { render, screen, within } from "@testing-library/react";

import { records, sectionRows } from "@/lib/chat/rows";
import { formatNumber } from "@/lib/format";
import { fixture } from "@/test/fixtures";

import { AnswerBody } from "./answer-body";

/** The chart is a lazily loaded chunk (recharts): on a loaded 2-core machine its import alone can take seconds. */
const CHART_LOAD_MS = 10_000;

describe("a calendar day", () => {
  const { result } = fixture("day-week");
  const day = records(result.columns, result.rows)[0]!;

  it("draws the day as a timeline: meetings in order, free time between, overlaps and tight moves marked", () => {
    render(<AnswerBody result={result} />);
    const meetings = sectionRows(result.sections, "meetings");
    const shown = screen.getAllByTestId("timeline-meeting");
    expect(shown.map((li) => li.getAttribute("data-start"))).toEqual(meetings.map((m) => m.local_start));
    expect(shown.map((li) => within(li).getByTestId("meeting-summary").textContent)).toEqual(meetings.map((m) => m.summary));
    expect(screen.getAllByTestId("free-block")).toHaveLength(sectionRows(result.sections, "free").length);

    const conflicts = sectionRows(result.sections, "conflicts");
    expect(conflicts.length).toBeGreaterThan(0);
    const marked = shown.filter((li) => li.hasAttribute("data-conflict")).map((li) => within(li).getByTestId("meeting-summary").textContent);
    expect(new Set(marked)).toEqual(new Set(conflicts.flatMap((c) => [c.first_summary, c.second_summary])));
    const tight = sectionRows(result.sections, "travel").filter((t) => t.tight === true);
    expect(screen.queryAllByText("Tight travel")).toHaveLength(tight.length);
  });

  it("heads it with the day's figures", () => {
    render(<AnswerBody result={result} />);
    const card = screen.getByTestId("card-day");
    expect(within(card).getByRole("heading", { level: 3 })).toHaveTextContent(String(day.weekday));
    const figure = (name: string) => card.querySelector(`[data-figure="${name}"] [data-testid="figure-value"]`)?.textContent;
    expect(figure("meetings")).toBe(formatNumber(day.meeting_count as number));
    expect(figure("lunch")).toBe(day.lunch_free ? "Yes" : "None");
    expect(figure("back-to-back")).toBe(`${day.longest_back_to_back_minutes} min`);
  });

  it("draws the period's days as bars", async () => {
    render(<AnswerBody result={result} />);
    const chart = await screen.findByTestId("result-chart", {}, { timeout: CHART_LOAD_MS });
    expect(chart).toHaveAttribute("data-name", "days");
    expect(chart).toHaveAccessibleName(expect.stringContaining("meeting hours per day"));
  });

  it("has no period chart for one day", () => {
    const { result: tomorrow } = fixture("day-tomorrow");
    expect(tomorrow.sections.some((s) => s.id === "days")).toBe(false);
    render(<AnswerBody result={tomorrow} />);
    expect(screen.queryByTestId("card-period")).not.toBeInTheDocument();
    expect(screen.getAllByTestId("timeline-meeting")).toHaveLength(sectionRows(tomorrow.sections, "meetings").length);
  });
});
