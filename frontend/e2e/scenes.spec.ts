import path from "node:path";

import { type APIRequestContext, expect, type Locator, type Page, test } from "@playwright/test";

import type { ChatReply } from "../lib/api/schemas";
import { displayedAnswer } from "../lib/chat/answer-text";
import { SCENE_QUESTIONS } from "../lib/chat/examples";
import { type Row, records, sectionRows, text } from "../lib/chat/rows";
import { formatNumber } from "../lib/format";

import { apiContext, askApi } from "./api";
import { ChatPage } from "./pages/chat";

// The product's demo scenes, asked in the browser and of the API directly: what the page shows — the answer, every
// query with its SQL and rows, and the facts on the cards — must be what the API answered. The facts come from
// whatever the stack holds (scripts/e2e-seed.sql when it is empty), never from this file.

let api: APIRequestContext;
test.beforeAll(async () => {
  api = await apiContext();
});
test.afterAll(async () => {
  await api.dispose();
});

/**
 * Asks `question` in the browser, and of the API just before and just after. The answer may depend on the minute
 * it is asked in (the briefing reads the 24 hours before now; the API caches per minute), so the page must show
 * exactly one of the two replies: the one of its own minute.
 */
async function askBoth(chat: ChatPage, question: string, conversation?: string): Promise<{ answer: Locator; expected: ChatReply }> {
  const before = await askApi(api, question, conversation);
  const answer = await chat.ask(question);
  const after = await askApi(api, question, conversation);
  await expect(answer).toHaveAttribute("data-status", "done");
  const shown = await chat.answerText(answer).innerText();
  const expected = [before, after].find((r) => normalise(displayedAnswer(r.answer)) === normalise(shown)) ?? after;
  return { answer, expected };
}

const normalise = (s: string) => s.replace(/\s+/g, " ").trim();

/** The answer, its kind and every query it ran (main and sections: title, SQL, rows) are the API's. */
async function expectSameAnswer(chat: ChatPage, answer: Locator, expected: ChatReply) {
  expect(expected.refused, "the API refused the question").toBe(false);
  await expect(chat.answerText(answer)).toHaveText(displayedAnswer(expected.answer));
  await expect(answer.locator("[data-kind]").first()).toHaveAttribute("data-kind", expected.kind);
  const queries = await chat.queries(answer);
  expect(queries.map((q) => q.id)).toEqual(["main", ...expected.sections.map((s) => s.id)]);
  expect(queries[0]).toMatchObject({ sql: expected.sql!, columns: expected.columns, rows: expected.rows });
  for (const [i, section] of expected.sections.entries()) {
    expect(queries[i + 1], section.id).toEqual({ id: section.id, title: section.title, sql: section.sql, columns: section.columns, rows: section.rows });
  }
}

async function figure(scope: Locator, name: string): Promise<string> {
  return scope.locator(`[data-figure="${name}"]`).getByTestId("figure-value").innerText();
}

const n = (v: unknown) => formatNumber(typeof v === "number" ? v : Number(v));

/** The whole conversation (question, words, cards) on a desktop-wide screen tall enough to hold it, for the README. */
async function screenshot(page: Page, name: string) {
  await page.mouse.move(0, 0); // no chart tooltip in the picture
  // The queries' SQL and rows, opened by the checks, closed again as a reader first sees them.
  await page.evaluate(() => document.querySelectorAll<HTMLDetailsElement>('[data-testid="sql-sources"][open]').forEach((d) => (d.open = false)));
  await page.setViewportSize({ width: 1280, height: 900 });
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1280, height });
  await page.screenshot({ path: path.join(process.env.MINDY_SCREENSHOT_DIR || "test-results/screenshots", name) });
  await page.setViewportSize({ width: 1280, height: 900 });
}

test("the morning briefing: email, calendar and action cards", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  const { answer, expected } = await askBoth(chat, SCENE_QUESTIONS.briefing);
  await expectSameAnswer(chat, answer, expected);
  await screenshot(page, "scene-briefing.png");

  const main = records(expected.columns, expected.rows)[0]!;
  const mail = answer.getByTestId("card-email");
  expect(await figure(mail, "received")).toBe(n(main.received));
  expect(await figure(mail, "urgent")).toBe(n(main.urgent));
  for (const s of ["positive", "neutral", "negative"]) {
    await expect(mail.locator(`[data-sentiment="${s}"]`)).toHaveAttribute("data-value", String(main[s]));
  }
  const senders = sectionRows(expected.sections, "senders");
  await expect(mail.getByTestId("top-senders").locator("li")).toHaveCount(senders.length);
  for (const [i, s] of senders.entries()) await expect(mail.getByTestId("top-senders").locator("li").nth(i)).toContainText(text(s.sender)!);

  const calendar = answer.getByTestId("card-calendar");
  const meetings = sectionRows(expected.sections, "meetings");
  await expect(calendar.getByTestId("meeting")).toHaveCount(meetings.length);
  const next = meetings.findIndex((m) => m.upcoming === true);
  if (next >= 0) await expect(calendar.getByTestId("meeting").nth(next)).toHaveAttribute("data-next", "true");
  await expect(calendar.getByTestId("conflict")).toHaveCount(sectionRows(expected.sections, "conflicts").length);

  const actions = answer.getByTestId("card-actions");
  const escalating = sectionRows(expected.sections, "escalating");
  await expect(actions.getByTestId("escalating-thread")).toHaveCount(escalating.length);
  for (const [i, t] of escalating.entries()) await expect(actions.getByTestId("escalating-thread").nth(i)).toContainText(text(t.subject)!);
  await expect(actions.getByTestId("due-item")).toHaveCount(sectionRows(expected.sections, "due").length);
  if (Number(main.due_today) + Number(main.overdue) > 0) {
    expect(await figure(actions, "due-today")).toBe(n(main.due_today));
    expect(await figure(actions, "overdue")).toBe(n(main.overdue));
  }
});

test("an organisation's urgent emails: a list with badges and expandable summaries", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  const { answer, expected } = await askBoth(chat, SCENE_QUESTIONS.clientEmails);
  await expectSameAnswer(chat, answer, expected);
  await expectEmails(answer, records(expected.columns, expected.rows));
  await screenshot(page, "scene-emails.png");
});

/** The list shows exactly the rows' emails, in order, with their sender, badges and summary. */
async function expectEmails(answer: Locator, rows: Row[]) {
  const emails = rows.filter((r) => r.sent_local !== null);
  expect(emails.length, "the API listed no email").toBeGreaterThan(0);
  const items = answer.getByTestId("email");
  await expect(items).toHaveCount(emails.length);
  for (const [i, row] of emails.entries()) {
    const item = items.nth(i);
    await expect(item).toHaveAttribute("data-sent", text(row.sent_local)!);
    await expect(item.getByTestId("email-sender")).toContainText(text(row.from_name) ?? text(row.from_address)!);
    await expect(item.locator('[data-badge="sentiment"]')).toHaveAttribute("data-value", text(row.sentiment)!);
    await expect(item.locator('[data-badge="urgency"]')).toHaveAttribute("data-value", String(row.urgency_score));
    await expect(item.locator('[data-badge="escalating"]')).toHaveCount(row.escalating === true ? 1 : 0);
    const summary = item.getByTestId("email-summary");
    await expect(summary).toBeHidden();
    await item.getByTestId("email-subject").click();
    await expect(item.getByTestId("email-subject")).toHaveText(text(row.subject)!);
    await expect(summary).toHaveText(text(row.summary)!);
  }
}

test("the busiest day: a timeline with conflicts marked, the week as bars, and 'And tomorrow?'", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  const { answer, expected } = await askBoth(chat, SCENE_QUESTIONS.busiestDay);
  await expectSameAnswer(chat, answer, expected);
  await expectDay(answer, expected);
  await expect(answer.locator('[data-testid="result-chart"][data-name="days"]')).toBeVisible();
  await screenshot(page, "scene-day.png");

  // The follow-up chip continues the conversation, as the API does with the same turns.
  const followUps = answer.getByTestId("follow-ups").getByTestId("suggestion");
  await expect(followUps.filter({ hasText: "And tomorrow?" })).toHaveCount(1);
  await followUps.filter({ hasText: "And tomorrow?" }).click();
  const tomorrow = await chat.waitForAnswer(1);
  const first = await askApi(api, SCENE_QUESTIONS.busiestDay);
  const expectedTomorrow = await askApi(api, "And tomorrow?", first.conversation_id);
  await expectSameAnswer(chat, tomorrow, expectedTomorrow);
  expect(expectedTomorrow.kind).toBe("day");
  await expectDay(tomorrow, expectedTomorrow);
  await expect(tomorrow.locator('[data-testid="result-chart"][data-name="days"]')).toHaveCount(0);
  // Only the newest answer offers follow-ups.
  await expect(answer.getByTestId("follow-ups")).toHaveCount(0);
});

/** The timeline holds the day's meetings in order; exactly the ones in a conflict are marked. */
async function expectDay(answer: Locator, expected: ChatReply) {
  const meetings = sectionRows(expected.sections, "meetings").filter((m) => m.all_day !== true);
  const shown = answer.getByTestId("timeline-meeting");
  await expect(shown).toHaveCount(meetings.length);
  const conflicts = sectionRows(expected.sections, "conflicts");
  const inConflict = (m: Row) =>
    conflicts.some(
      (c) => (c.first_summary === m.summary && c.first_start === m.local_start) || (c.second_summary === m.summary && c.second_start === m.local_start),
    );
  for (const [i, m] of meetings.entries()) {
    await expect(shown.nth(i)).toHaveAttribute("data-start", text(m.local_start)!);
    await expect(shown.nth(i).getByTestId("meeting-summary")).toHaveText(text(m.summary)!);
    if (inConflict(m)) await expect(shown.nth(i)).toHaveAttribute("data-conflict", "true");
    else await expect(shown.nth(i)).not.toHaveAttribute("data-conflict");
  }
  await expect(answer.getByTestId("free-block")).toHaveCount(sectionRows(expected.sections, "free").length);
  const day = records(expected.columns, expected.rows)[0]!;
  if (day.date !== null) expect(await figure(answer, "meetings")).toBe(n(day.meeting_count));
}

test("patterns: weekday and hour charts with the figures", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  const { answer, expected } = await askBoth(chat, SCENE_QUESTIONS.patterns);
  await expectSameAnswer(chat, answer, expected);
  const rows = records(expected.columns, expected.rows);
  await expect(answer.locator('[data-testid="result-chart"][data-name="weekday"]')).toBeVisible();
  await expect(answer.locator('[data-testid="result-chart"][data-name="hour"]')).toBeVisible();
  // One bar per weekday and per hour the rows hold.
  await expect(answer.locator('[data-name="weekday"] .recharts-bar-rectangle')).toHaveCount(rows.filter((r) => r.kind === "weekday").length);
  await expect(answer.locator('[data-name="hour"] .recharts-bar-rectangle')).toHaveCount(rows.filter((r) => r.kind === "hour").length);
  const total = rows.find((r) => r.kind === "total");
  if (total) expect(await figure(answer, "emails")).toBe(n(total.emails));
  await expect(answer.getByTestId("groups").locator("li")).toHaveCount(rows.filter((r) => r.kind === "group").length);
  const reports = sectionRows(expected.sections, "one_on_ones");
  await expect(answer.getByTestId("one-on-ones").locator("li")).toHaveCount(reports.length);
  await expect(answer.locator('[data-badge="no-one-on-one"]')).toHaveCount(reports.filter((r) => r.one_on_ones_30d === 0).length);
  await screenshot(page, "scene-patterns.png");
});

test("clients met and mailed: a card per client, and their urgent emails a chip away", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  const { answer, expected } = await askBoth(chat, SCENE_QUESTIONS.clients);
  await expectSameAnswer(chat, answer, expected);
  const clients = records(expected.columns, expected.rows);
  expect(clients.length, "no client both met and mailed").toBeGreaterThan(0);
  const cards = answer.getByTestId("client-card");
  await expect(cards).toHaveCount(clients.length);
  for (const [i, c] of clients.entries()) {
    const card = cards.nth(i);
    await expect(card.getByTestId("client-name")).toHaveText(text(c.organization) ?? text(c.domain)!);
    await expect(card.getByTestId("client-emails")).toHaveAttribute("data-count", String(c.emails));
    await expect(card.getByTestId("client-meeting")).toContainText(text(c.meeting)!);
    await expect(card.locator('[data-badge="escalating"]')).toHaveCount(c.escalating === true ? 1 : 0);
  }
  await screenshot(page, "scene-clients.png");

  // The first client's chip asks for its emails, answered as the API answers it.
  const org = text(clients[0]!.organization)!;
  const question = Number(clients[0]!.urgent_emails) > 0 ? `Show me the urgent emails from ${org}` : `Show me the emails from ${org}`;
  await answer.getByTestId("follow-ups").getByTestId("suggestion").filter({ hasText: question }).click();
  const emails = await chat.waitForAnswer(1);
  const expectedEmails = await askApi(api, question, expected.conversation_id);
  await expectSameAnswer(chat, emails, expectedEmails);
  await expectEmails(emails, records(expectedEmails.columns, expectedEmails.rows));
});
