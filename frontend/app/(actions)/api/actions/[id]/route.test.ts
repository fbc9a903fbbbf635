// @vitest-environment node

import { POST as confirm } from "./confirm/route";
import { GET, PATCH } from "./route";

const ID = "5b0f8a52-2c1e-4e55-9d77-0a1b2c3d4e5f";
const context = (id: string) => ({ params: Promise.resolve({ id }) });

function request(method: string, body?: unknown): Request {
  return new Request(`http://frontend.test/api/actions/${ID}`, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    headers: { "x-forwarded-for": "203.0.113.7" },
  });
}

describe("the actions' routes (the frontend's relay)", () => {
  beforeEach(() => {
    vi.stubEnv("MINDY_API_URL", "http://api.test/");
    vi.stubEnv("MINDY_API_TOKEN", "secret");
  });
  afterEach(() => vi.unstubAllEnvs());

  it("PATCH passes an edit on with the token, and the API's refusal back with its status", async () => {
    const fetch = vi.spyOn(globalThis, "fetch").mockResolvedValue(Response.json({ error: { code: "bad_request", message: "body must not be empty" } }, { status: 400 }));
    const response = await PATCH(request("PATCH", { body: "" }), context(ID));
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toBe("body must not be empty");
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe(`http://api.test/api/actions/${ID}`);
    expect(init!.method).toBe("PATCH");
    expect(new Headers(init!.headers).get("authorization")).toBe("Bearer secret");
    expect(new Headers(init!.headers).get("x-forwarded-for")).toBe("203.0.113.7");
    expect(JSON.parse(init!.body as string)).toEqual({ body: "" });
  });

  it("rejects ids that are not UUIDs and bodies that are not edits before calling the API", async () => {
    const fetch = vi.spyOn(globalThis, "fetch");
    for (const response of [
      await GET(request("GET"), context("../pipeline/lake")),
      await PATCH(request("PATCH", { body: "x" }), context("1 OR 1=1")),
      await PATCH(request("PATCH", "not json"), context(ID)),
      await PATCH(request("PATCH", { body: 3 }), context(ID)),
      await confirm(request("POST"), context("abc")),
    ]) {
      expect(response.status).toBe(400);
      expect((await response.json()).error.code).toBe("bad_request");
    }
    expect(fetch).not.toHaveBeenCalled();
  });

  it("relays a conflict with its status, and answers 502 without details when the API is down", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(Response.json({ error: { code: "conflict", message: "that proposal expired" } }, { status: 409 }));
    const conflict = await confirm(request("POST"), context(ID));
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual({ error: { code: "conflict", message: "that proposal expired" } });

    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(globalThis, "fetch").mockRejectedValueOnce(new TypeError("fetch failed: connect ECONNREFUSED 127.0.0.1:8000"));
    const down = await confirm(request("POST"), context(ID));
    expect(down.status).toBe(502);
    expect(JSON.stringify(await down.json())).not.toContain("ECONNREFUSED");
  });
});
