import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["warn", { allow: ["warn", "error"] }],
    },
  },
  // Generated from the API's OpenAPI document by scripts/gen-api.mjs.
  globalIgnores([".next/**", "out/**", "next-env.d.ts", "test-results/**", "playwright-report/**", "lib/api/openapi.ts"]),
]);
