import { answerLines, displayedAnswer } from "./answer-text";

describe("answerLines", () => {
  it("finds headings, bullets and numbered lines", () => {
    const lines = answerLines(
      "Wed 2 Dec 2026 is your busiest day this week.\nWEDNESDAY STATS:\n• 7 meetings\nEMAIL (last 24 hours, since Sun 29 Nov 10:00):\nSUGGESTIONS:\n1. Block 12:00–13:00",
    );
    expect(lines.map((l) => l.kind)).toEqual(["plain", "heading", "bullet", "heading", "heading", "numbered"]);
  });

  it("does not take a sentence with a colon for a heading", () => {
    expect(answerLines("Found 2 clients you meet this week:")[0]!.kind).toBe("plain");
    expect(answerLines("I found 3 urgent emails from Acme Corp:")[0]!.kind).toBe("plain");
  });

  it("makes **names** bold and leaves a lone ** as typed", () => {
    expect(answerLines("1. **Acme Corp** (Tom)")[0]!.segments).toEqual([
      { text: "1. ", strong: false },
      { text: "Acme Corp", strong: true },
      { text: " (Tom)", strong: false },
    ]);
    expect(answerLines("2 ** 3")[0]!.segments).toEqual([{ text: "2 ** 3", strong: false }]);
  });

  it("displays the answer as written, without the bold markers", () => {
    const answer = "Found 1 client:\n1. **Acme Corp** (Tom Anderson)\n   Status: escalating\n";
    expect(displayedAnswer(answer)).toBe("Found 1 client:\n1. Acme Corp (Tom Anderson)\n   Status: escalating\n");
    expect(answerLines("")).toEqual([{ kind: "plain", segments: [{ text: "", strong: false }] }]);
  });
});
