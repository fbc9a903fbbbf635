import { expect, type Locator, type Page } from "@playwright/test";

/** The /chat page, as a user sees it. */
export class ChatPage {
  readonly input: Locator;
  readonly send: Locator;
  readonly answers: Locator;
  readonly questions: Locator;
  readonly examples: Locator;

  constructor(readonly page: Page) {
    this.input = page.getByLabel("Ask about your emails");
    this.send = page.getByRole("button", { name: "Send", exact: true });
    this.answers = page.getByTestId("assistant-message");
    this.questions = page.getByTestId("user-message");
    this.examples = page.getByTestId("suggestion");
  }

  async goto() {
    await this.page.goto("/chat");
    await expect(this.input).toBeVisible();
  }

  /** Types `question` and presses Enter; waits for the answer to finish; returns its message. */
  async ask(question: string): Promise<Locator> {
    const before = await this.answers.count();
    await this.input.fill(question);
    await this.input.press("Enter");
    return this.waitForAnswer(before);
  }

  /** Waits for answer number `index` (0-based) to end, successfully or not. */
  async waitForAnswer(index: number): Promise<Locator> {
    const answer = this.answers.nth(index);
    await expect(answer).toHaveAttribute("data-status", /done|error/, { timeout: 30_000 });
    return answer;
  }

  answerText(answer: Locator): Locator {
    return answer.getByTestId("answer");
  }

  /** Opens the answer's SQL block and returns the code element. */
  async expandSql(answer: Locator): Promise<Locator> {
    const block = answer.getByTestId("sql-block");
    await block.getByText("SQL used").click();
    const code = block.getByTestId("sql-code");
    await expect(code).toBeVisible();
    return code;
  }

  /** The result table's header names (API column names) and raw cell values. */
  async table(answer: Locator): Promise<{ columns: string[]; rows: unknown[][] }> {
    return readTable(answer.getByTestId("result-table"));
  }

  /** Opens a scene answer's "SQL used" and returns every query shown: its id, title, SQL and rows. */
  async queries(answer: Locator): Promise<Array<{ id: string; title: string; sql: string; columns: string[]; rows: unknown[][] }>> {
    const sources = answer.getByTestId("sql-sources");
    await sources.locator("summary").click();
    await expect(sources.getByTestId("query").first()).toBeVisible();
    const out = [];
    for (const query of await sources.getByTestId("query").all()) {
      const table = query.getByTestId("result-table");
      out.push({
        id: (await query.getAttribute("data-id")) ?? "",
        title: await query.locator("h4").innerText(),
        sql: (await query.getByTestId("sql-code").textContent()) ?? "",
        ...((await table.count()) > 0 ? await readTable(table) : { columns: [], rows: [] }),
      });
    }
    return out;
  }
}

/** A result table's header names (API column names) and raw cell values. */
async function readTable(table: Locator): Promise<{ columns: string[]; rows: unknown[][] }> {
  await expect(table).toBeVisible();
  const columns = await table.locator("thead th").evaluateAll((ths) => ths.map((th) => th.getAttribute("data-column") ?? ""));
  const rows = await table
    .locator("tbody tr")
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => JSON.parse(td.getAttribute("data-value") ?? "null"))));
  return { columns, rows };
}
