import { tokenizeSql } from "./sql-highlight";

const SQL = `SELECT sender_domain, SUM(email_count) AS emails
FROM daily_sender_domains
WHERE date BETWEEN DATE '2026-11-23' AND DATE '2026-11-26' -- this week
GROUP BY sender_domain
ORDER BY emails DESC, sender_domain
LIMIT 1`;

describe("tokenizeSql", () => {
  it("gives the text back unchanged", () => {
    for (const sql of [SQL, "select 'it''s' /* c */ from \"T\"", "x <> 1 and y::text || 'z'", "'unterminated"]) {
      expect(tokenizeSql(sql).map((t) => t.text).join("")).toBe(sql);
    }
  });

  it("classifies keywords, functions, strings, numbers and comments", () => {
    const kinds = new Map(tokenizeSql(SQL).map((t) => [t.text, t.kind]));
    expect(kinds.get("SELECT")).toBe("keyword");
    expect(kinds.get("BETWEEN")).toBe("keyword");
    expect(kinds.get("SUM")).toBe("function");
    expect(kinds.get("'2026-11-23'")).toBe("string");
    expect(kinds.get("1")).toBe("number");
    expect(kinds.get("-- this week")).toBe("comment");
  });

  it("does not colour identifiers", () => {
    const plain = tokenizeSql("SELECT date_part FROM selected").filter((t) => t.kind === "plain").map((t) => t.text.trim());
    expect(plain.join(" ")).toContain("date_part");
    expect(plain.join(" ")).toContain("selected");
  });
});
