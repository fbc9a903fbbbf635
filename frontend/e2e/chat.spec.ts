import path from "node:path";

import { expect, test } from "@playwright/test";

import { EXAMPLE_QUESTIONS, STAT_QUESTIONS } from "../lib/chat/examples";

import { apiContext, askApi } from "./api";
import { ChatPage } from "./pages/chat";

// The product's three statistics questions, a follow-up that depends on the first, and a series that draws a chart
// (the demo scenes have their own spec, scenes.spec.ts).
// Every answer is compared with the API's own answer to the same conversation: the numbers come from whatever
// data the stack holds, never from this file.
const TURNS = [STAT_QUESTIONS[0], "and the day before?", STAT_QUESTIONS[1], STAT_QUESTIONS[2], STAT_QUESTIONS[3]];

test("the example questions and a follow-up, answered as the API answers them", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const api = await apiContext();
  const chat = new ChatPage(page);
  await chat.goto();

  // First visit: example chips, the demo scenes first. One of them asks the first question.
  await expect(chat.examples).toHaveText(EXAMPLE_QUESTIONS);
  await chat.examples.filter({ hasText: TURNS[0] }).click();
  const answers = [await chat.waitForAnswer(0)];
  for (const question of TURNS.slice(1)) answers.push(await chat.ask(question));

  // The same conversation, asked of the API directly.
  let id: string | undefined;
  for (const [i, question] of TURNS.entries()) {
    const expected = await askApi(api, question, id);
    id = expected.conversation_id;
    const answer = answers[i]!;
    await test.step(`turn ${i + 1}: ${question}`, async () => {
      await expect(answer).toHaveAttribute("data-status", "done");
      expect(expected.refused, `the API refused "${question}"`).toBe(false);
      await expect(chat.answerText(answer)).toHaveText(expected.answer);
      const code = await chat.expandSql(answer);
      await expect(code).toHaveText(expected.sql!);
      expect(await chat.table(answer)).toEqual({ columns: expected.columns, rows: expected.rows });
      if (expected.chart && expected.rows.length > 1) {
        await expect(answer.getByTestId("result-chart")).toHaveAttribute("data-kind", expected.chart.kind);
      }
    });
  }

  // The copy button puts the SQL on the clipboard.
  const last = answers[answers.length - 1]!;
  await last.getByRole("button", { name: "Copy SQL to the clipboard" }).click();
  await expect(last.getByRole("button", { name: "Copy SQL to the clipboard" })).toHaveText("Copied");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  await expect(last.getByTestId("sql-code")).toHaveText(copied);

  // The README's picture: the newest answers (the chart among them), as a desktop screen shows them.
  await page.setViewportSize({ width: 1280, height: 1100 });
  await page.mouse.move(0, 0); // no chart tooltip in the picture
  await chat.questions.nth(TURNS.length - 2).evaluate((el) => el.scrollIntoView({ block: "start" }));
  await page.screenshot({ path: screenshot("chat.png") });

  // The conversation survives a reload.
  await page.reload();
  await expect(chat.questions).toHaveText(TURNS);
  await expect(chat.answers).toHaveCount(TURNS.length);
  await expect(chat.answerText(chat.answers.first())).toHaveText(await chat.answerText(answers[0]!).innerText());
  await api.dispose();
});

test("a question outside the data is refused with suggestions, which answer", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  const refused = await chat.ask("What is the weather in Lisbon?");
  await expect(refused).toHaveAttribute("data-refused", "true");
  const suggestions = refused.getByTestId("suggestion");
  await expect(suggestions.first()).toBeVisible();
  await suggestions.first().click();
  const answer = await chat.waitForAnswer(1);
  await expect(answer).toHaveAttribute("data-status", "done");
  await expect(answer).not.toHaveAttribute("data-refused");
  // The first suggestion is a demo scene (the API's order): its queries are listed with their rows.
  await expect(answer.getByTestId("sql-block").or(answer.getByTestId("sql-sources"))).toBeVisible();
});

test("keyboard: Enter sends, Shift+Enter starts a new line", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  await chat.input.click();
  await page.keyboard.type("first line");
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type("second line");
  await expect(chat.input).toHaveValue("first line\nsecond line");
  await expect(chat.questions).toHaveCount(0);
  await chat.input.fill("");
  await expect(chat.send).toBeDisabled();
});

test("API failures show an error with a retry", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  // The Next.js route answers as it does when mindy-api is down.
  let down = true;
  await page.route("**/api/chat", async (route) => {
    if (!down) return route.fallback();
    await route.fulfill({ status: 502, json: { error: { code: "api_unreachable", message: "connect ECONNREFUSED" } } });
  });
  const failed = await chat.ask(STAT_QUESTIONS[0]);
  await expect(failed).toHaveAttribute("data-status", "error");
  const alert = failed.getByRole("alert");
  await expect(alert).toContainText("API unreachable");
  await expect(alert).not.toContainText("ECONNREFUSED");
  down = false;
  await alert.getByRole("button", { name: "Try again" }).click();
  const retried = await chat.waitForAnswer(1);
  await expect(retried).toHaveAttribute("data-status", "done");
});

function screenshot(name: string): string {
  return path.join(process.env.MINDY_SCREENSHOT_DIR || "test-results/screenshots", name);
}
