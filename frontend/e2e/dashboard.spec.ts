import path from "node:path";

import { expect, test } from "@playwright/test";

import { summarizeLake } from "../lib/dashboard/summary";

import { apiContext, getHealth, getKafka, getLake, getMetrics, getRuns } from "./api";
import { DashboardPage } from "./pages/dashboard";

// The dashboard's numbers must be the API's. Offsets and records move while the pipeline runs, so each check
// re-reads both sides until they agree (or the expect timeout ends).

test("the dashboard shows the API's live numbers", async ({ page }) => {
  const api = await apiContext();
  const dashboard = new DashboardPage(page);
  await dashboard.goto();

  await test.step("health tiles", async () => {
    await expect(async () => {
      await page.reload();
      const health = await getHealth(api);
      await expect(dashboard.healthTile("api")).toHaveAttribute("data-up", "true");
      for (const check of health.checks) {
        await expect(dashboard.healthTile(check.name)).toHaveAttribute("data-up", String(check.up), { timeout: 1000 });
      }
    }).toPass({ timeout: 30_000 });
  });

  await test.step("data lake", async () => {
    await expect(async () => {
      await page.reload();
      const lake = await getLake(api);
      for (const layer of summarizeLake(lake, Date.now())) {
        await expect(dashboard.layerRecords(layer.name)).toHaveAttribute("data-value", String(layer.records ?? ""), { timeout: 1000 });
        for (const table of layer.tables) {
          const row = dashboard.lakeRow(layer.name, table.name);
          expect(await dashboard.value(row, "records")).toBe(String(table.records ?? ""));
          expect(await dashboard.value(row, "version")).toBe(String(table.version ?? ""));
          expect(await dashboard.value(row, "files")).toBe(String(table.files));
        }
      }
    }).toPass({ timeout: 30_000 });
  });

  await test.step("kafka offsets and lag", async () => {
    await expect(async () => {
      await page.reload();
      const kafka = await getKafka(api);
      for (const topic of kafka.topics) {
        const panel = dashboard.topic(topic.topic);
        await expect(panel).toBeVisible({ timeout: 1000 });
        if (!topic.exists) continue;
        expect(await panel.getByTestId("topic-messages").getAttribute("data-value")).toBe(String(topic.messages));
        for (const p of topic.partitions) {
          const row = panel.locator(`[data-partition="${p.partition}"]`);
          expect(await dashboard.value(row, "end")).toBe(String(p.end_offset));
          expect(await dashboard.value(row, "start")).toBe(String(p.start_offset));
          expect(await dashboard.value(row, "lag")).toBe(p.groups.map((g) => `${g.group}=${g.lag}`).join(","));
        }
      }
    }).toPass({ timeout: 30_000 });
  });

  await test.step("airflow runs", async () => {
    await expect(async () => {
      await page.reload();
      const { runs } = await getRuns(api, 10);
      const shown = await dashboard.runs().evaluateAll((rows) => rows.map((r) => [r.getAttribute("data-run-id"), r.getAttribute("data-state")]));
      expect(shown).toEqual(runs.map((r) => [r.run_id, r.state ?? ""]));
    }).toPass({ timeout: 30_000 });
  });

  await test.step("metrics from the stack's Prometheus", async () => {
    await expect(async () => {
      await page.reload();
      const metrics = await getMetrics(api);
      expect(metrics.configured).toBe(true);
      const panel = page.getByTestId("panel-metrics");
      await expect(panel.getByTestId("metrics-targets")).toHaveText(`${metrics.targets.up} of ${metrics.targets.total} targets up`, { timeout: 1000 });
      for (const tile of metrics.tiles) {
        await expect(panel.getByTestId(`metric-${tile.id}`)).toContainText(tile.title, { timeout: 1000 });
      }
    }).toPass({ timeout: 30_000 });
  });

  await test.step("refreshes itself", async () => {
    const status = page.getByTestId("refresh-status");
    const first = await status.getAttribute("data-fetched-at");
    await expect(status).not.toHaveAttribute("data-fetched-at", first!, { timeout: 25_000 });
    await expect(status).toHaveAttribute("data-stale", "false");
  });

  await page.screenshot({ path: path.join(process.env.MINDY_SCREENSHOT_DIR || "test-results/screenshots", "dashboard.png"), fullPage: true });
  await api.dispose();
});
