// @vitest-environment node

import { getHealth, getKafka, getLake, postChatStream } from "./client";
import type { ApiConfig } from "./config";

const config: ApiConfig = { baseUrl: "http://api.test", token: "secret", timeoutMs: 200, chatTimeoutMs: 200 };

function mockFetch(respond: (url: string, init: RequestInit) => Response | Promise<Response>) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => respond(String(input), init ?? {}));
}

const LAKE = {
  root: "/lake",
  layers: [{ name: "bronze", tables: [{ name: "emails", files: 2, size_bytes: 150, records: 7, version: 1, last_updated: "2026-11-25T10:00:00Z" }] }],
};

describe("the API client", () => {
  it("sends the bearer token and parses the body", async () => {
    const fetch = mockFetch(() => Response.json(LAKE));
    const result = await getLake({ config });
    expect(result).toEqual({ ok: true, data: LAKE });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe("http://api.test/api/pipeline/lake");
    expect(new Headers(init!.headers).get("authorization")).toBe("Bearer secret");
  });

  it("accepts the health report of a 503", async () => {
    const down = { status: "down", checks: [{ name: "postgresql", up: false, latency_ms: 3000, error: "timeout" }] };
    mockFetch(() => Response.json(down, { status: 503 }));
    expect(await getHealth({ config })).toEqual({ ok: true, data: down });
  });

  it("returns the API's error code and message", async () => {
    mockFetch(() => Response.json({ error: { code: "upstream_unavailable", message: "kafka is unavailable" } }, { status: 502 }));
    expect(await getKafka({ config })).toEqual({
      ok: false,
      error: { code: "upstream_unavailable", message: "kafka is unavailable", status: 502 },
    });
  });

  it("flags a body that does not match the schema", async () => {
    mockFetch(() => Response.json({ topics: [{ topic: "t" }] }));
    const result = await getKafka({ config });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe("bad_response");
  });

  it("says when the API cannot be reached or is too slow", async () => {
    mockFetch(() => Promise.reject(new TypeError("fetch failed")));
    expect(await getLake({ config })).toMatchObject({ ok: false, error: { code: "api_unreachable" } });
    mockFetch((_, init) => new Promise((_, reject) => init.signal!.addEventListener("abort", () => reject(init.signal!.reason))));
    expect(await getLake({ config: { ...config, timeoutMs: 20 } })).toMatchObject({ ok: false, error: { code: "timeout" } });
  });

  it("refuses to call without a token, except for health", async () => {
    const fetch = mockFetch(() => Response.json({ status: "ok", checks: [] }));
    expect(await getLake({ config: { ...config, token: "" } })).toMatchObject({ ok: false, error: { code: "not_configured" } });
    expect(fetch).not.toHaveBeenCalled();
    expect(await getHealth({ config: { ...config, token: "" } })).toMatchObject({ ok: true });
  });

  it("hands back the event stream of a chat", async () => {
    mockFetch(() => new Response("event: meta\ndata: {}\n\n", { headers: { "content-type": "text/event-stream" } }));
    const result = await postChatStream({ message: "hi" }, { config });
    expect(result.ok && (await result.data.text())).toContain("event: meta");
    mockFetch(() => Response.json({ answer: "not a stream" }));
    expect(await postChatStream({ message: "hi" }, { config })).toMatchObject({ ok: false, error: { code: "bad_response" } });
  });
});
