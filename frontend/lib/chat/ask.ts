// Sends one question to the Next.js route /api/chat (which adds the token and relays mindy-api's event
// stream) and turns the events into reducer actions. Every way it can fail ends in exactly one `error` action.

import { z } from "zod";

import { ErrorBody, StreamDone, StreamError, StreamMeta, StreamResult, StreamToken } from "@/lib/api/schemas";
import { codeForStatus } from "@/lib/errors";

import type { ChatAction, Failure } from "./conversation";
import { readSse } from "./sse";

export interface AskOptions {
  question: string;
  /** The API's conversation id, for follow-ups. */
  conversationId?: string;
  /** The assistant message the events belong to. */
  assistantId: string;
  dispatch: (action: ChatAction) => void;
  /** Aborts the request (the user started a new conversation, or the page is closing). */
  signal?: AbortSignal;
  /** Gives up after this long without the end of the answer. */
  timeoutMs?: number;
  /**
   * Pause between words, in ms. mindy-api sends a short answer's words in one burst; spacing them out is what
   * makes the typing visible. 0 shows them at once (tests, prefers-reduced-motion).
   */
  paceMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/** The route the browser posts to (app/(chat)/api/chat/route.ts). */
export const CHAT_ROUTE = "/api/chat";

export async function ask(options: AskOptions): Promise<void> {
  const { assistantId, dispatch } = options;
  const now = options.now ?? Date.now;
  const fail = (error: Failure) => dispatch({ type: "error", assistantId, error, now: now() });
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 60_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const response = await (options.fetch ?? fetch)(CHAT_ROUTE, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ message: options.question, conversation_id: options.conversationId ?? null }),
      signal,
    });
    if (!response.ok || !response.body) return fail(await failureOf(response));
    const ended = await relay(response.body, assistantId, dispatch, now, options.paceMs ?? 0);
    if (!ended) fail({ code: "interrupted", message: "the stream ended before the answer was complete" });
  } catch (error) {
    if (timeout.aborted) return fail({ code: "timeout", message: "no complete answer in time" });
    if (options.signal?.aborted) return fail({ code: "interrupted", message: "cancelled" });
    if (error instanceof BadEvent) return fail({ code: "bad_response", message: error.message });
    fail({ code: "api_unreachable", message: error instanceof Error ? error.message : String(error) });
  }
}

class BadEvent extends Error {}

function parse<S extends z.ZodType>(schema: S, event: string, data: string): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new BadEvent(`${event}: not JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new BadEvent(`${event}: ${parsed.error.message}`);
  return parsed.data;
}

/** Dispatches each event; true when the stream reached `done` or `error`. */
async function relay(
  body: ReadableStream<Uint8Array>,
  assistantId: string,
  dispatch: (action: ChatAction) => void,
  now: () => number,
  paceMs: number,
): Promise<boolean> {
  for await (const { event, data } of readSse(body)) {
    switch (event) {
      case "meta": {
        const meta = parse(StreamMeta, event, data);
        dispatch({ type: "meta", assistantId, apiId: meta.conversation_id, generator: meta.generator });
        break;
      }
      case "token":
        dispatch({ type: "token", assistantId, text: parse(StreamToken, event, data) });
        if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
        break;
      case "result":
        dispatch({ type: "result", assistantId, result: parse(StreamResult, event, data) });
        break;
      case "done":
        dispatch({ type: "done", assistantId, timings: parse(StreamDone, event, data).timings, now: now() });
        return true;
      case "error":
        dispatch({ type: "error", assistantId, error: parse(StreamError, event, data), now: now() });
        return true;
      default:
        break; // unknown events are for newer clients
    }
  }
  return false;
}

async function failureOf(response: Response): Promise<Failure> {
  try {
    const body = ErrorBody.safeParse(await response.json());
    if (body.success) return body.data.error;
  } catch {
    // not JSON
  }
  return { code: codeForStatus(response.status), message: `HTTP ${response.status}` };
}
