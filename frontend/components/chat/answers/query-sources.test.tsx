import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { fixture } from "@/test/fixtures";

import { AnswerBody } from "./answer-body";

describe("the queries behind a scene answer", () => {
  it("lists the main query and every section, each with its title, SQL and rows, collapsed", async () => {
    const user = userEvent.setup();
    const { result } = fixture("briefing");
    render(<AnswerBody result={result} />);
    const sources = screen.getByTestId("sql-sources");
    expect(sources).not.toHaveAttribute("open");
    const summary = within(sources).getByText(`SQL used (${result.sections.length + 1} queries)`);
    await user.click(summary);
    expect(sources).toHaveAttribute("open");
    const queries = within(sources).getAllByTestId("query");
    expect(queries.map((q) => q.getAttribute("data-id"))).toEqual(["main", ...result.sections.map((s) => s.id)]);
    expect(within(queries[0]!).getByTestId("sql-code").textContent).toBe(result.sql);
    result.sections.forEach((s, i) => {
      const q = queries[i + 1]!;
      expect(within(q).getByRole("heading", { level: 4 })).toHaveTextContent(s.title);
      expect(within(q).getByTestId("sql-code").textContent).toBe(s.sql);
      expect(within(q).getByRole("table")).toHaveTextContent(`${s.rows.length} ${s.rows.length === 1 ? "row" : "rows"}`);
    });
  });

  it("shows one query for an answer of one query", () => {
    const { result } = fixture("emails");
    render(<AnswerBody result={result} />);
    expect(within(screen.getByTestId("sql-sources")).getByText("SQL used (1 query)")).toBeInTheDocument();
  });
});
