import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";

import { ACTION_QUESTIONS, SCENE_QUESTIONS, STAT_QUESTIONS } from "../lib/chat/examples";

import { ChatPage } from "./pages/chat";

// Automated accessibility checks (axe-core, WCAG 2.1 A and AA rules: labels, roles, contrast...) of both pages
// in both themes, with content on them. axe cannot judge everything; what it can, must pass.

async function violations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

for (const scheme of ["light", "dark"] as const) {
  test(`chat and dashboard pass axe in the ${scheme} theme`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    const chat = new ChatPage(page);
    await chat.goto();
    expect(await violations(page), "empty chat").toEqual([]);
    const answer = await chat.ask(STAT_QUESTIONS[3]);
    await chat.expandSql(answer);
    await page.mouse.move(0, 0);
    expect(await violations(page), "chat with an answer").toEqual([]);
    // Scene answers: cards, badges, the timeline, charts, every query's SQL and rows.
    for (const question of [SCENE_QUESTIONS.briefing, SCENE_QUESTIONS.busiestDay, SCENE_QUESTIONS.patterns]) {
      const scene = await chat.ask(question);
      await chat.queries(scene);
    }
    await page.mouse.move(0, 0);
    expect(await violations(page), "chat with scene answers").toEqual([]);


    await page.goto("/dashboard");
    await expect(page.getByRole("heading", { name: "Pipeline dashboard" })).toBeVisible();
    expect(await violations(page), "dashboard").toEqual([]);
  });
}

for (const scheme of ["light", "dark"] as const) {
  test(`an action to confirm, its editor and the actions page pass axe in the ${scheme} theme`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    const chat = new ChatPage(page);
    await chat.goto();
    const action = (await chat.ask(ACTION_QUESTIONS.draftReply)).getByTestId("action");
    await expect(action).toBeVisible();
    expect(await violations(page), "chat with an action to confirm").toEqual([]);
    await action.getByRole("button", { name: "Edit" }).click();
    await expect(action.getByLabel("Body")).toBeVisible();
    expect(await violations(page), "an action's draft being edited").toEqual([]);

    await page.goto("/actions");
    await expect(page.getByRole("heading", { name: "Actions", level: 1 })).toBeVisible();
    expect(await violations(page), "actions").toEqual([]);
  });
}
