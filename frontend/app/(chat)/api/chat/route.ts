// POST /api/chat on the frontend's origin: the browser's way to mindy-api's /api/chat/stream. It validates the
// body, adds the bearer token (which stays on this server) and passes the event stream through unbuffered.

import { postChatStream } from "@/lib/api/client";
import { ChatRequest } from "@/lib/api/schemas";
import { describeError } from "@/lib/errors";

/** Longest question mindy-api accepts (crates/api/src/routes/chat.rs). */
const MAX_MESSAGE = 2000;

function error(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

export async function POST(request: Request): Promise<Response> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return error(400, "bad_request", "the body must be JSON");
  }
  const parsed = ChatRequest.safeParse(body);
  if (!parsed.success) return error(400, "bad_request", "expected {message, conversation_id?}");
  const message = parsed.data.message.trim();
  if (!message) return error(400, "bad_request", "message must not be empty");
  if (message.length > MAX_MESSAGE) return error(400, "bad_request", `message is longer than ${MAX_MESSAGE} characters`);

  // The browser going away cancels the upstream request too.
  const upstream = await postChatStream(
    { ...parsed.data, message },
    { signal: request.signal, forwardedFor: request.headers.get("x-forwarded-for") },
  );
  if (!upstream.ok) {
    const { code, message: detail, status } = upstream.error;
    const relayed = status && status >= 400 ? status : code === "timeout" ? 504 : 502;
    const info = describeError(code);
    // Details of our own failures (connection errors, configuration) go to this server's log, not the page.
    if (!info.showDetail) console.error(`chat: ${code}: ${detail}`);
    return error(relayed, code, info.showDetail ? detail : info.message);
  }
  return new Response(upstream.data.body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      // nginx (docker/nginx) and other proxies: do not buffer the typing effect away.
      "x-accel-buffering": "no",
    },
  });
}
