// @vitest-environment node

import { readFileSync } from "node:fs";

import { EXAMPLE_QUESTIONS, SCENE_QUESTIONS } from "./examples";

/** The strings of `pub const SUGGESTIONS: &[&str] = &[...]` in the API's catalog. */
function apiSuggestions(): string[] {
  const source = readFileSync(new URL("../../../crates/api/src/chat/catalog.rs", import.meta.url), "utf8");
  const list = /pub const SUGGESTIONS: &\[&str\] = &\[([\s\S]*?)\];/.exec(source);
  if (!list) throw new Error("SUGGESTIONS not found in catalog.rs");
  return [...list[1]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\"/g, '"'));
}

describe("EXAMPLE_QUESTIONS", () => {
  it("are the API's suggestions, in its order", () => {
    expect(EXAMPLE_QUESTIONS).toEqual(apiSuggestions());
  });

  it("start with the demo scenes", () => {
    expect(EXAMPLE_QUESTIONS.slice(0, 5)).toEqual(Object.values(SCENE_QUESTIONS));
  });
});
