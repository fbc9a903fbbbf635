import "server-only";

// Route handlers that pass a JSON call of mindy-api through to the browser (the actions' routes): the token
// stays on this server; the API's own errors keep their status and code; our failures (connection, time limit,
// configuration) answer 502/504 with words for the user and their details in this server's log.

import { describeError } from "@/lib/errors";

import type { ApiResult } from "./client";

/** A JSON error body, as mindy-api writes them. */
export function errorResponse(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

/** The call's data as JSON, or its failure with the API's status (502/504 when there was none). */
export function relay<T>(result: ApiResult<T>, what: string): Response {
  if (result.ok) return Response.json(result.data, { headers: { "cache-control": "no-store" } });
  const { code, message, status } = result.error;
  const relayed = status && status >= 400 ? status : code === "timeout" ? 504 : 502;
  const info = describeError(code);
  if (!info.showDetail) console.error(`${what}: ${code}: ${message}`);
  return errorResponse(relayed, code, info.showDetail ? message : info.message);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` is a UUID (a proposal's id), so nothing else reaches an API path. */
export function isProposalId(id: string): boolean {
  return UUID.test(id);
}

/** The browser's address chain, passed on to the API (it rate-limits per client). */
export function forwardedFor(request: Request): string | null {
  return request.headers.get("x-forwarded-for");
}
