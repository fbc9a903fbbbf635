// The browser's calls for a proposal, to the frontend's own routes (app/(actions)/api/actions/*), which add the
// token. Every outcome is a value: the parsed answer, or a failure with a stable code (lib/errors.ts).

import type { z } from "zod";

import { Confirmation, type Edit, ErrorBody, Proposal } from "@/lib/api/schemas";
import type { Failure } from "@/lib/chat/conversation";
import { codeForStatus } from "@/lib/errors";

export type CallResult<T> = { ok: true; data: T } | { ok: false; error: Failure };

/** The frontend's routes for proposal `id`. */
export function actionRoute(id: string, verb?: "confirm" | "cancel"): string {
  return `/api/actions/${encodeURIComponent(id)}${verb ? `/${verb}` : ""}`;
}

async function call<S extends z.ZodType>(url: string, init: RequestInit, schema: S, fetcher: typeof fetch): Promise<CallResult<z.infer<S>>> {
  let response: Response;
  try {
    response = await fetcher(url, { ...init, headers: { accept: "application/json", ...init.headers } });
  } catch (error) {
    return { ok: false, error: { code: "api_unreachable", message: error instanceof Error ? error.message : String(error) } };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // handled below
  }
  if (!response.ok) {
    const parsed = ErrorBody.safeParse(body);
    return { ok: false, error: parsed.success ? parsed.data.error : { code: codeForStatus(response.status), message: `HTTP ${response.status}` } };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, error: { code: "bad_response", message: parsed.error.message } };
  return { ok: true, data: parsed.data };
}

/** PATCH: saves an edited subject and body; the proposal as it now stands. */
export function saveEdit(id: string, edit: Edit, fetcher: typeof fetch = fetch) {
  const init = { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(edit) };
  return call(actionRoute(id), init, Proposal, fetcher);
}

/** POST confirm: runs the actions once; the proposal with its results. */
export function confirm(id: string, fetcher: typeof fetch = fetch) {
  return call(actionRoute(id, "confirm"), { method: "POST" }, Confirmation, fetcher);
}

/** POST cancel. */
export function cancel(id: string, fetcher: typeof fetch = fetch) {
  return call(actionRoute(id, "cancel"), { method: "POST" }, Proposal, fetcher);
}
