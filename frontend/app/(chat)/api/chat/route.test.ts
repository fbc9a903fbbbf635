// @vitest-environment node

import { POST } from "./route";

function post(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request("http://frontend.test/api/chat", {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers,
  });
}

describe("POST /api/chat (the frontend's relay)", () => {
  beforeEach(() => {
    vi.stubEnv("MINDY_API_URL", "http://api.test/");
    vi.stubEnv("MINDY_API_TOKEN", "secret");
  });
  afterEach(() => vi.unstubAllEnvs());

  it("relays the API's event stream with the token added", async () => {
    const fetch = vi
      .spyOn(globalThis, "fetch")
      .mockResolvedValue(new Response("event: meta\ndata: {}\n\n", { headers: { "content-type": "text/event-stream" } }));
    const response = await POST(
      post({ message: "  How many emails did I receive yesterday?  ", conversation_id: null }, { "x-forwarded-for": "203.0.113.7" }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(await response.text()).toBe("event: meta\ndata: {}\n\n");
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe("http://api.test/api/chat/stream");
    expect(new Headers(init!.headers).get("authorization")).toBe("Bearer secret");
    // The API rate-limits per browser, not per Next.js server.
    expect(new Headers(init!.headers).get("x-forwarded-for")).toBe("203.0.113.7");
    expect(JSON.parse(init!.body as string)).toEqual({ message: "How many emails did I receive yesterday?", conversation_id: null });
  });

  it("rejects bad bodies before calling the API", async () => {
    const fetch = vi.spyOn(globalThis, "fetch");
    for (const body of ["not json", { nope: 1 }, { message: "   " }, { message: "x".repeat(2001) }]) {
      const response = await POST(post(body));
      expect(response.status).toBe(400);
      expect((await response.json()).error.code).toBe("bad_request");
    }
    expect(fetch).not.toHaveBeenCalled();
  });

  it("passes the API's errors on, with their status", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(Response.json({ error: { code: "rate_limited", message: "retry in 2 s" } }, { status: 429 }));
    const response = await POST(post({ message: "hi" }));
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ error: { code: "rate_limited", message: "retry in 2 s" } });
  });

  it("answers 502 without details when the API is down", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("fetch failed: connect ECONNREFUSED 127.0.0.1:8000"));
    const response = await POST(post({ message: "hi" }));
    expect(response.status).toBe(502);
    const body = await response.json();
    expect(body.error.code).toBe("api_unreachable");
    expect(JSON.stringify(body)).not.toContain("ECONNREFUSED");
  });

  it("says so when the token is not configured", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.stubEnv("MINDY_API_TOKEN", "");
    const response = await POST(post({ message: "hi" }));
    expect(response.status).toBe(502);
    expect((await response.json()).error.code).toBe("not_configured");
  });
});
