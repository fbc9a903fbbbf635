import { fileURLToPath } from "node:url";

import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Component and unit tests (jsdom). The end-to-end tests in e2e/ run with Playwright instead.
export default defineConfig({
  esbuild: { jsx: "automatic" },
  resolve: {
    alias: {
      "@/": here("./"),
      // The real package throws outside a React server environment; tests import server code directly.
      "server-only": here("./test/server-only.ts"),
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./test/setup.ts"],
    include: ["{lib,components,app}/**/*.test.{ts,tsx}"],
    css: { modules: { classNameStrategy: "non-scoped" } },
    restoreMocks: true,
    // Above the 10 s the chart tests give the lazily loaded chart: a loaded 2-core machine is slow.
    testTimeout: 20_000,
  },
});
