import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { records } from "@/lib/chat/rows";
import { fixture } from "@/test/fixtures";

import { AnswerBody } from "./answer-body";

const { result } = fixture("emails");
const rows = records(result.columns, result.rows).filter((r) => r.sent_local !== null);

describe("an organisation's emails", () => {
  it("lists each email in order with its sender, sentiment and urgency", () => {
    render(<AnswerBody result={result} />);
    const items = screen.getAllByTestId("email");
    expect(rows.length).toBeGreaterThan(1);
    expect(items).toHaveLength(rows.length);
    rows.forEach((row, i) => {
      const item = items[i]!;
      expect(item).toHaveAttribute("data-sent", row.sent_local);
      expect(within(item).getByTestId("email-sender")).toHaveTextContent(String(row.from_name));
      if (row.sender_title) expect(within(item).getByTestId("email-sender")).toHaveTextContent(String(row.sender_title));
      expect(item.querySelector('[data-badge="sentiment"]')).toHaveAttribute("data-value", row.sentiment);
      expect(item.querySelector('[data-badge="urgency"]')).toHaveTextContent(`${row.urgency_score}/100`);
      expect(item.querySelector('[data-badge="escalating"]') !== null).toBe(row.escalating === true);
    });
  });

  it("shows a summary when its subject is clicked", async () => {
    const user = userEvent.setup();
    render(<AnswerBody result={result} />);
    const first = screen.getAllByTestId("email")[0]!;
    const summary = within(first).getByTestId("email-summary");
    expect(summary).not.toBeVisible();
    await user.click(within(first).getByText(String(rows[0]!.subject)));
    expect(summary).toBeVisible();
    expect(summary).toHaveTextContent(String(rows[0]!.summary));
  });

  it("lists nothing for the row that only says there were none", () => {
    const none = { ...result, rows: [result.columns.map((c) => (c === "organization" ? "Acme Corp" : c === "data_as_of" ? "2026-11-30T08:00:00" : null))] };
    render(<AnswerBody result={none} />);
    expect(screen.queryByTestId("email-list")).not.toBeInTheDocument();
  });
});
