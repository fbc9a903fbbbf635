import { render, screen, within } from "@testing-library/react";

import { records, sectionRows } from "@/lib/chat/rows";
import { formatNumber } from "@/lib/format";
import { fixture } from "@/test/fixtures";

import { AnswerBody } from "./answer-body";

const { result } = fixture("briefing");
const main = records(result.columns, result.rows)[0]!;

function value(card: HTMLElement, name: string) {
  return within(card.querySelector(`[data-figure="${name}"]`) as HTMLElement).getByTestId("figure-value").textContent;
}

describe("the briefing", () => {
  it("shows the mail of the last 24 hours: counts, sentiment split, top senders, negative ones", () => {
    render(<AnswerBody result={result} />);
    const mail = screen.getByTestId("card-email");
    expect(within(mail).getByRole("heading", { level: 3 })).toHaveTextContent(/^Email since /);
    expect(value(mail, "received")).toBe(formatNumber(main.received as number));
    expect(value(mail, "urgent")).toBe(formatNumber(main.urgent as number));
    expect(mail).toHaveTextContent(`${main.urgent_awaiting_reply} awaiting your reply`);
    for (const s of ["positive", "neutral", "negative"]) {
      expect(mail.querySelector(`[data-sentiment="${s}"]`)).toHaveAttribute("data-value", String(main[s]));
    }
    const senders = sectionRows(result.sections, "senders");
    expect(within(within(mail).getByTestId("top-senders")).getAllByRole("listitem").map((li) => li.textContent)).toEqual(
      senders.map((s) => expect.stringContaining(String(s.sender))),
    );
    const negative = sectionRows(result.sections, "negative");
    expect(negative.length).toBeGreaterThan(0);
    expect(within(within(mail).getByTestId("negative-emails")).getAllByRole("listitem")).toHaveLength(negative.length);
  });

  it("shows today's meetings with the next one marked, and the conflicts", () => {
    render(<AnswerBody result={result} />);
    const calendar = screen.getByTestId("card-calendar");
    const meetings = sectionRows(result.sections, "meetings");
    const shown = within(calendar).queryAllByTestId("meeting");
    expect(shown).toHaveLength(meetings.length);
    meetings.forEach((m, i) => expect(shown[i]).toHaveTextContent(String(m.summary)));
    const next = meetings.findIndex((m) => m.upcoming === true);
    shown.forEach((li, i) => (i === next ? expect(li).toHaveAttribute("data-next", "true") : expect(li).not.toHaveAttribute("data-next")));
    expect(within(calendar).queryAllByTestId("conflict")).toHaveLength(sectionRows(result.sections, "conflicts").length);
  });

  it("lists what needs the user: escalating threads and what is due", () => {
    render(<AnswerBody result={result} />);
    const actions = screen.getByTestId("card-actions");
    const escalating = sectionRows(result.sections, "escalating");
    expect(escalating.length).toBeGreaterThan(0);
    const threads = within(actions).getAllByTestId("escalating-thread");
    escalating.forEach((t, i) => {
      expect(threads[i]).toHaveTextContent(String(t.subject));
      expect(threads[i]).toHaveTextContent(`${t.inbound_count} from them`);
    });
    expect(value(actions, "due-today")).toBe(formatNumber(main.due_today as number));
    expect(value(actions, "overdue")).toBe(formatNumber(main.overdue as number));
    const due = sectionRows(result.sections, "due");
    const items = within(actions).getAllByTestId("due-item");
    expect(items).toHaveLength(due.length);
    due.forEach((d, i) => {
      expect(items[i]).toHaveTextContent(d.overdue ? "Overdue" : "Due today");
      expect(items[i]).toHaveTextContent(String(d.senders));
    });
  });

  it("says when there is no data rather than showing zeros", () => {
    const empty = { ...result, rows: [result.columns.map((c) => (c === "received" ? 0 : null))], sections: [] };
    render(<AnswerBody result={empty} />);
    expect(screen.getByTestId("card-email")).toHaveTextContent("No per-email data yet.");
    expect(screen.getByTestId("card-calendar")).toHaveTextContent("No calendar data yet.");
    expect(screen.getByTestId("card-actions")).toHaveTextContent("Nothing escalating and nothing due today.");
  });
});
