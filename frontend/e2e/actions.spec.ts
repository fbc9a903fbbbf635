import path from "node:path";

import { type APIRequestContext, expect, type Locator, test } from "@playwright/test";

import { ACTION_QUESTIONS } from "../lib/chat/examples";

import { apiContext, confirmApi, getProposalApi } from "./api";
import { ChatPage } from "./pages/chat";

// The demo's action scene in a real browser against the real API (issue 19): a reply drafted from Tom's thread,
// reviewed and edited, then confirmed by the button (a double click executes once) or by typing "send and
// schedule". What the page shows is checked against GET /api/actions/{id}: the proposal, its results, the audit.

let api: APIRequestContext;
test.beforeAll(async () => {
  api = await apiContext();
});
test.afterAll(async () => {
  await api.dispose();
});

/** Asks for the draft; returns the answer's action card and its proposal id. */
async function draft(chat: ChatPage): Promise<{ card: Locator; id: string }> {
  const answer = await chat.ask(ACTION_QUESTIONS.draftReply);
  await expect(answer).toHaveAttribute("data-status", "done");
  const card = answer.getByTestId("action");
  await expect(card, `no proposal: the API answered "${await chat.answerText(answer).textContent()}"`).toBeVisible();
  await expect(card).toHaveAttribute("data-status", "proposed");
  const id = (await card.getAttribute("data-proposal")) ?? "";
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return { card, id };
}

test("a drafted reply is reviewed, edited and sent and scheduled once with the button", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  const { card, id } = await draft(chat);

  // The draft as the API holds it, on the page: who it goes to (names), the subject, the body, each action.
  const { proposal } = await getProposalApi(api, id);
  expect(proposal.status).toBe("proposed");
  const email = proposal.actions.find((a) => a.kind === "send_email");
  if (email?.kind !== "send_email") throw new Error("the proposal has no email");
  expect(email.to.map((p) => p.name)).toEqual(["Tom Anderson"]);
  expect(email.cc.map((p) => p.name)).toEqual(expect.arrayContaining(["Lisa Chen", "Mike Stevens"]));
  await expect(card.getByTestId("email-to")).toContainText("Tom Anderson");
  for (const p of email.cc) await expect(card.getByTestId("email-cc")).toContainText(p.name ?? p.address);
  await expect(card.getByTestId("email-subject")).toHaveText(email.subject);
  await expect(card.getByTestId("email-body")).toHaveText(email.body);
  await expect(card.getByTestId("action-steps").locator("li")).toHaveCount(proposal.actions.length);
  await expect(card.getByTestId("action-expiry")).toBeVisible();

  // Edit the body; the API keeps the edit.
  const edited = `${email.body}\n\nP.S. I have asked Mike to join with the root-cause analysis.`;
  await card.getByRole("button", { name: "Edit" }).click();
  await expect(card.getByLabel("Subject")).toBeFocused();
  await card.getByLabel("Body").fill(edited);
  await card.getByRole("button", { name: "Save" }).click();
  await expect(card.getByTestId("email-body")).toHaveText(edited);
  const saved = await getProposalApi(api, id);
  const savedEmail = saved.proposal.actions.find((a) => a.kind === "send_email");
  expect(savedEmail?.kind === "send_email" && savedEmail.body).toBe(edited);

  // The picture for the README: the edited draft to review, above the composer on a tall desktop screen.
  await page.setViewportSize({ width: 1280, height: 1500 });
  await chat.questions.last().evaluate((el) => el.scrollIntoView({ block: "start" }));
  await page.mouse.move(0, 0);
  await page.screenshot({ path: screenshot("actions.png") });

  // A double click: the button is disabled while the first is in flight, so one execution.
  await card.getByRole("button", { name: "Send and schedule" }).dblclick();
  await expect(card).toHaveAttribute("data-status", "done", { timeout: 30_000 });
  const results = card.getByTestId("action-result");
  await expect(results).toHaveCount(proposal.actions.length);
  for (const r of await results.all()) await expect(r).toHaveAttribute("data-ok", "true");
  await expect(card.getByTestId("action-outcome")).toContainText("were done");
  await expect(card.getByRole("button", { name: "Send and schedule" })).toHaveCount(0);

  // The API agrees: done, each result shown, the audit has proposed, edited, confirmed, executed — one send.
  const done = await getProposalApi(api, id);
  expect(done.proposal.status).toBe("done");
  for (const [i, r] of done.proposal.results.entries()) {
    expect(r.ok).toBe(true);
    await expect(results.nth(i)).toContainText(r.detail);
  }
  const events = done.audit.map((e) => e.event);
  for (const event of ["proposed", "edited", "confirmed", "executed"]) expect(events, `audit: ${events.join(", ")}`).toContain(event);
  expect(done.audit.filter((e) => e.event === "confirmed")).toHaveLength(1);
  expect(done.audit.filter((e) => e.event === "executed" && e.action === "send_email")).toHaveLength(1);
  // Confirming again executes nothing.
  const again = await confirmApi(api, id);
  expect(again.executed_now).toBe(false);
  expect((await getProposalApi(api, id)).audit.filter((e) => e.event === "executed")).toHaveLength(done.audit.filter((e) => e.event === "executed").length);

  // The actions page lists it, with its audit, the task and the reminder.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Actions" }).click();
  await expect(page.getByRole("heading", { name: "Actions", level: 1 })).toBeVisible();
  const listed = page.locator(`[data-testid="proposal"][data-id="${id}"]`);
  await expect(listed).toHaveAttribute("data-status", "done");
  await expect(page.getByTestId("audit-entry").first()).toBeVisible();
  const task = done.proposal.actions.find((a) => a.kind === "create_task");
  if (task?.kind === "create_task") await expect(page.getByTestId("tasks")).toContainText(task.title);
  const reminder = done.proposal.actions.find((a) => a.kind === "set_reminder");
  if (reminder?.kind === "set_reminder") await expect(page.getByTestId("reminders")).toContainText(reminder.message);
});

test("typing “send and schedule” confirms the draft of the conversation", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  const { card, id } = await draft(chat);

  const answer = await chat.ask(ACTION_QUESTIONS.confirm);
  await expect(answer).toHaveAttribute("data-status", "done");
  const confirmed = answer.getByTestId("action");
  await expect(confirmed).toHaveAttribute("data-proposal", id);
  await expect(confirmed).toHaveAttribute("data-status", "done");
  const { proposal, audit } = await getProposalApi(api, id);
  expect(proposal.status).toBe("done");
  await expect(confirmed.getByTestId("action-result")).toHaveCount(proposal.results.length);
  for (const r of proposal.results) await expect(confirmed.getByTestId("action-results")).toContainText(r.detail);
  // The draft's card above follows: no buttons left to send it again.
  await expect(card).toHaveAttribute("data-status", "done");
  await expect(card.getByRole("button", { name: "Send and schedule" })).toHaveCount(0);
  expect(audit.filter((e) => e.event === "executed" && e.action === "send_email")).toHaveLength(1);
});

function screenshot(name: string): string {
  return path.join(process.env.MINDY_SCREENSHOT_DIR ?? "test-results", name);
}
