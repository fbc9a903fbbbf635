import { answerEvents, sse, streamResponse } from "@/test/streams";

import { ask } from "./ask";
import type { ChatAction } from "./conversation";

function run(response: Response | (() => Promise<Response>), extra: Partial<Parameters<typeof ask>[0]> = {}) {
  const actions: ChatAction[] = [];
  const fetch = vi.fn(typeof response === "function" ? response : async () => response);
  const done = ask({ question: "q", assistantId: "a1", dispatch: (a) => actions.push(a), fetch, now: () => 7, ...extra });
  return { actions, fetch, done };
}

describe("ask", () => {
  it("posts the question and relays every event", async () => {
    const { actions, fetch, done } = run(streamResponse(answerEvents({ answer: "You received 88 emails.", sql: "SELECT 1", columns: ["n"], rows: [[88]] })), {
      conversationId: "conv-1",
    });
    await done;
    const [url, init] = fetch.mock.calls[0]! as unknown as [string, RequestInit];
    expect(url).toBe("/api/chat");
    expect(JSON.parse(init.body as string)).toEqual({ message: "q", conversation_id: "conv-1" });
    expect(actions.map((a) => a.type)).toEqual(["meta", "token", "token", "token", "token", "result", "done"]);
    expect(actions.filter((a) => a.type === "token").map((a) => (a as { text: string }).text).join("")).toBe("You received 88 emails.");
    expect(actions[5]).toMatchObject({ type: "result", result: { rows: [[88]] } });
  });

  it("relays the API's error event", async () => {
    const events = [sse("meta", { conversation_id: "c", generator: "semantic" }), sse("error", { code: "query_timeout", message: "slow" })];
    const { actions, done } = run(streamResponse(events));
    await done;
    expect(actions.at(-1)).toEqual({ type: "error", assistantId: "a1", error: { code: "query_timeout", message: "slow" }, now: 7 });
  });

  it("reads the JSON error of a failed request", async () => {
    const { actions, done } = run(Response.json({ error: { code: "rate_limited", message: "retry in 3 s" } }, { status: 429 }));
    await done;
    expect(actions).toEqual([{ type: "error", assistantId: "a1", error: { code: "rate_limited", message: "retry in 3 s" }, now: 7 }]);
  });

  it("derives a code from the status when the body is not the API's", async () => {
    const { actions, done } = run(new Response("<html>Bad gateway</html>", { status: 502 }));
    await done;
    expect(actions[0]).toMatchObject({ error: { code: "upstream_unavailable" } });
  });

  it("says the API is unreachable when the request fails", async () => {
    const { actions, done } = run(() => Promise.reject(new TypeError("fetch failed")));
    await done;
    expect(actions[0]).toMatchObject({ error: { code: "api_unreachable" } });
  });

  it("says the answer was interrupted when the stream ends early", async () => {
    const { actions, done } = run(streamResponse(answerEvents({ answer: "cut" }).slice(0, 2)));
    await done;
    expect(actions.at(-1)).toMatchObject({ type: "error", error: { code: "interrupted" } });
  });

  it("rejects events it cannot read", async () => {
    const { actions, done } = run(streamResponse([sse("result", { rows: "not rows" })]));
    await done;
    expect(actions.at(-1)).toMatchObject({ type: "error", error: { code: "bad_response" } });
  });

  it("gives up after the time limit", async () => {
    const hanging = (_url: string, init?: RequestInit) =>
      new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    const actions: ChatAction[] = [];
    await ask({ question: "q", assistantId: "a1", dispatch: (a) => actions.push(a), fetch: hanging as typeof fetch, timeoutMs: 20 });
    expect(actions[0]).toMatchObject({ type: "error", error: { code: "timeout" } });
  });

  it("spaces words out when asked to", async () => {
    const started = Date.now();
    const { done } = run(streamResponse(answerEvents({ answer: "one two three four" })), { paceMs: 15 });
    await done;
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
