import { render, screen, within } from "@testing-library/react";

import { records } from "@/lib/chat/rows";
import { fixture } from "@/test/fixtures";

import { AnswerBody } from "./answer-body";

const { result } = fixture("clients");
const clients = records(result.columns, result.rows);

describe("clients met and mailed", () => {
  it("shows a card per client: its meeting, its emails, where the thread stands", () => {
    render(<AnswerBody result={result} />);
    const cards = screen.getAllByTestId("client-card");
    expect(clients.length).toBeGreaterThan(0);
    expect(cards).toHaveLength(clients.length);
    clients.forEach((c, i) => {
      const card = cards[i]!;
      expect(within(card).getByTestId("client-name")).toHaveTextContent(String(c.organization));
      expect(within(card).getByTestId("client-meeting")).toHaveTextContent(String(c.meeting));
      expect(within(card).getByTestId("client-emails")).toHaveAttribute("data-count", String(c.emails));
      expect(card).toHaveTextContent(String(c.latest_subject));
      expect(card.querySelector('[data-badge="escalating"]') !== null).toBe(c.escalating === true);
      expect(card.querySelector('[data-badge="urgent"]') !== null).toBe((c.urgent_emails as number) > 0);
    });
  });

  it("says what was compared", () => {
    render(<AnswerBody result={result} />);
    expect(screen.getByTestId("clients")).toHaveTextContent(/Compared \d+ organisations? met with \d+ clients? that emailed/);
  });
});
