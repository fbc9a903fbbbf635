import { fixture } from "@/test/fixtures";

import { records } from "./rows";
import { followUps } from "./follow-ups";

describe("followUps", () => {
  it("after a period's busiest day with concerns: optimise it, next week, and tomorrow", () => {
    const { result, question } = fixture("day-week");
    expect(followUps(result, question)).toEqual(["Yes, optimize it", "What about next week?", "And tomorrow?"]);
    // Without a concern there is nothing to optimise.
    const calm = { ...result, sections: result.sections.filter((s) => s.id !== "conflicts" && s.id !== "travel") };
    const calmDay = { ...calm, rows: calm.rows.map((r) => r.map((c, i) => (calm.columns[i] === "lunch_free" ? true : c))) };
    expect(followUps(calmDay, question)).toEqual(["What about next week?", "And tomorrow?"]);
  });

  it("after one day: tomorrow (unless that was the question), and the weeks' busiest days", () => {
    const { result, question } = fixture("day-tomorrow");
    expect(question).toBe("And tomorrow?");
    expect(followUps(result, question)).toEqual(["What's my busiest day this week?", "What's my busiest day next week?"]);
    expect(followUps(result, "What does Tuesday look like?")).toEqual([
      "And tomorrow?",
      "What's my busiest day this week?",
      "What's my busiest day next week?",
    ]);
  });

  it("after the clients: each client's emails, urgent ones when it sent some", () => {
    const { result, question } = fixture("clients");
    const clients = records(result.columns, result.rows);
    const expected = clients.map((c) => `Show me the ${(c.urgent_emails as number) > 0 ? "urgent " : ""}emails from ${c.organization}`);
    expect(followUps(result, question)).toEqual([...expected, "What about next week?"].slice(0, 3));
  });

  it("after the briefing: the escalating organisations' urgent emails first", () => {
    const { result, question } = fixture("briefing");
    expect(followUps(result, question)[0]).toBe("Show me the urgent emails from Acme Corp");
  });

  it("never the question just asked, nothing after a refusal or a statistic", () => {
    const { result } = fixture("patterns");
    expect(followUps(result, "What's my busiest day this week?")).toEqual(["Good morning! What do I need to know today?"]);
    expect(followUps({ ...result, refused: true }, "x")).toEqual([]);
    expect(followUps({ ...result, kind: "stat" }, "x")).toEqual([]);
  });
});
