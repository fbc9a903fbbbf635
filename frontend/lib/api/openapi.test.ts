// @vitest-environment node

import { readFileSync } from "node:fs";

// @ts-expect-error: a plain .mjs script without types
import { generate } from "../../scripts/gen-api.mjs";

describe("lib/api/openapi.ts", () => {
  it("is generated from the API's current OpenAPI document (run `npm run gen:api` if not)", async () => {
    const committed = readFileSync(new URL("./openapi.ts", import.meta.url), "utf8");
    expect(committed).toBe(await generate());
  });
});
