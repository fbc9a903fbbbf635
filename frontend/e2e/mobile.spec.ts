import { expect, test } from "@playwright/test";

import { ACTION_QUESTIONS, SCENE_QUESTIONS, STAT_QUESTIONS } from "../lib/chat/examples";

import { ChatPage } from "./pages/chat";

// A phone-sized screen: nothing overflows sideways, and the chat works.

test("chat, actions and dashboard fit a phone", async ({ page }) => {
  const chat = new ChatPage(page);
  await chat.goto();
  const answer = await chat.ask(STAT_QUESTIONS[3]);
  await expect(answer).toHaveAttribute("data-status", "done");
  await expect(answer.getByTestId("result-table")).toBeVisible();
  expect(await horizontalOverflow(page), await pastTheEdge(page)).toBeLessThanOrEqual(0);
  for (const question of [SCENE_QUESTIONS.briefing, SCENE_QUESTIONS.busiestDay, SCENE_QUESTIONS.clients]) {
    const scene = await chat.ask(question);
    await expect(scene).toHaveAttribute("data-status", "done");
    expect(await horizontalOverflow(page), `${question}: ${await pastTheEdge(page)}`).toBeLessThanOrEqual(0);
  }

  // An action's card (long addresses, the email's body) and the actions page.
  const action = await chat.ask(ACTION_QUESTIONS.draftReply);
  await expect(action.getByTestId("action")).toBeVisible();
  expect(await horizontalOverflow(page), await pastTheEdge(page)).toBeLessThanOrEqual(0);
  await action.getByRole("button", { name: "Edit" }).click();
  expect(await horizontalOverflow(page), await pastTheEdge(page)).toBeLessThanOrEqual(0);
  await page.goto("/actions");
  await expect(page.getByRole("heading", { name: "Actions", level: 1 })).toBeVisible();
  expect(await horizontalOverflow(page), await pastTheEdge(page)).toBeLessThanOrEqual(0);

  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Pipeline dashboard" })).toBeVisible();
  expect(await horizontalOverflow(page), await pastTheEdge(page)).toBeLessThanOrEqual(0);
});

/** The element reaching furthest past the screen's right edge, described, for a failure message. */
function pastTheEdge(page: import("@playwright/test").Page): Promise<string> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    let right = width;
    let worst = "";
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      const box = el.getBoundingClientRect();
      if (box.right > right) {
        right = box.right;
        const classes = Array.from(el.classList).join(".");
        const text = (el.textContent ?? "").trim().slice(0, 60);
        worst = `${el.tagName.toLowerCase()}${classes ? "." + classes : ""} "${text}"`;
      }
    }
    return worst ? `past the edge: ${worst}, right edge at ${Math.round(right)} of ${width} px` : "nothing past the edge";
  });
}

/** How many pixels the page is wider than the screen. */
function horizontalOverflow(page: import("@playwright/test").Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
