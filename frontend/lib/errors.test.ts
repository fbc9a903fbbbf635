// @vitest-environment node

import { readFileSync } from "node:fs";

import { codeForStatus, describeError, isKnownError } from "./errors";

const spec = JSON.parse(readFileSync(new URL("../../crates/api/openapi.json", import.meta.url), "utf8"));

describe("errors", () => {
  it("has words for every code the API documents", () => {
    const description: string = spec.components.schemas.ErrorDetail.properties.code.description;
    const codes = [...description.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
    expect(codes).toContain("query_timeout");
    for (const code of codes) {
      expect(isKnownError(code), code).toBe(true);
    }
  });

  it("treats unknown codes as internal errors, without details", () => {
    expect(isKnownError("something_new")).toBe(false);
    expect(describeError("something_new")).toEqual(describeError("internal"));
    expect(describeError("something_new").showDetail).toBe(false);
  });

  it("maps statuses to codes", () => {
    expect(codeForStatus(401)).toBe("unauthorized");
    expect(codeForStatus(429)).toBe("rate_limited");
    expect(codeForStatus(502)).toBe("upstream_unavailable");
    expect(codeForStatus(504)).toBe("timeout");
    expect(codeForStatus(500)).toBe("internal");
  });
});
