import { defineConfig, devices } from "@playwright/test";

// End-to-end tests against a running Next.js server and mindy-api (scripts/e2e.sh starts both and sets the
// env below). The browser is Debian's Chromium: nothing is downloaded.

const chromium = process.env.MINDY_CHROMIUM || "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  // The specs share one API (its rate limit and answer cache): run them one at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: process.env.MINDY_E2E_BASE_URL || "http://127.0.0.1:3000",
    headless: true,
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
    viewport: { width: 1280, height: 900 },
    colorScheme: "light",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    { name: "desktop", testIgnore: /mobile\.spec\.ts/ },
    { name: "mobile", testMatch: /mobile\.spec\.ts/, use: { ...devices["Pixel 7"], defaultBrowserType: "chromium" } },
  ],
});
