import "server-only";

// The typed client of mindy-api, for server components and route handlers only: it holds the bearer token,
// which must never reach the browser. Every response is parsed with the zod schemas of ./schemas.ts, and every
// failure becomes an `ApiFailure` with a stable code (lib/errors.ts), never a thrown exception.

import { codeForStatus } from "@/lib/errors";

import { type ApiConfig, apiConfig } from "./config";
import { z as zod } from "zod";

import {
  AirflowRuns,
  AuditEntry,
  ChatReply,
  type ChatRequest,
  Confirmation,
  type Edit,
  ErrorBody,
  Health,
  KafkaReport,
  LakeReport,
  Proposal,
  ProposalDetail,
  QualityReport,
  StreamsReport,
  MetricsReport,
  WorkerReport,
  Reminder,
  Task,
} from "./schemas";

/** A failed call: a code from lib/errors.ts, the server's message, and the HTTP status when there was one. */
export interface ApiFailure {
  code: string;
  message: string;
  status?: number;
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiFailure };

/** Per-call options. */
export interface CallOptions {
  /** Cancels the call (a route handler passes its request's signal). */
  signal?: AbortSignal;
  /** Overrides the configured time limit. */
  timeoutMs?: number;
  /** Overrides the configuration (tests). */
  config?: ApiConfig;
  /** Statuses whose body is a valid payload too (health answers 503 with a report). */
  acceptStatus?: number[];
  /**
   * The browser's address chain, passed on as X-Forwarded-For: mindy-api rate-limits per client, and without it
   * every browser would share the Next.js server's quota (the API reads it when MINDY_API_TRUST_FORWARDED=true).
   */
  forwardedFor?: string | null;
}

/** `fetch` with the token and a time limit; a failure to connect or a timeout becomes an `ApiFailure`. */
export async function send(path: string, init: RequestInit, options: CallOptions = {}): Promise<Response | ApiFailure> {
  const config = options.config ?? apiConfig();
  if (!config.token && path !== "/api/health") {
    return { code: "not_configured", message: "MINDY_API_TOKEN is not set" };
  }
  const timeout = AbortSignal.timeout(options.timeoutMs ?? config.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${config.token}`);
  if (options.forwardedFor) headers.set("x-forwarded-for", options.forwardedFor);
  try {
    return await fetch(`${config.baseUrl}${path}`, { ...init, headers, signal, cache: "no-store" });
  } catch (error) {
    if (timeout.aborted) return { code: "timeout", message: `no answer from the API within ${options.timeoutMs ?? config.timeoutMs} ms` };
    if (options.signal?.aborted) return { code: "interrupted", message: "the request was cancelled" };
    return { code: "api_unreachable", message: error instanceof Error ? error.message : String(error) };
  }
}

/** The API's JSON error body, or a code derived from the status when the body is not one. */
export async function failureOf(response: Response): Promise<ApiFailure> {
  const text = await response.text().catch(() => "");
  try {
    const body = ErrorBody.safeParse(JSON.parse(text));
    if (body.success) return { ...body.data.error, status: response.status };
  } catch {
    // not JSON: fall through
  }
  return { code: codeForStatus(response.status), message: `HTTP ${response.status}`, status: response.status };
}

async function call<S extends zod.ZodType>(path: string, schema: S, init: RequestInit, options: CallOptions = {}): Promise<ApiResult<zod.infer<S>>> {
  const response = await send(path, init, options);
  if (!(response instanceof Response)) return { ok: false, error: response };
  if (!response.ok && !options.acceptStatus?.includes(response.status)) {
    return { ok: false, error: await failureOf(response) };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { ok: false, error: { code: "bad_response", message: "the body is not JSON", status: response.status } };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, error: { code: "bad_response", message: parsed.error.message, status: response.status } };
  }
  return { ok: true, data: parsed.data };
}

/** GET /api/health: each dependency's state (a 503 still carries the report). */
export function getHealth(options?: CallOptions) {
  return call("/api/health", Health, { method: "GET" }, { acceptStatus: [503], ...options });
}

/** GET /api/pipeline/airflow/runs: the newest DAG runs. */
export function getAirflowRuns(limit = 10, options?: CallOptions) {
  return call(`/api/pipeline/airflow/runs?limit=${limit}`, AirflowRuns, { method: "GET" }, options);
}

/** GET /api/pipeline/airflow/workers: whether Airflow's workers take the queued tasks. */
export function getAirflowWorkers(options?: CallOptions) {
  return call("/api/pipeline/airflow/workers", WorkerReport, { method: "GET" }, options);
}

/** GET /api/pipeline/lake: the Delta tables per layer. */
export function getLake(options?: CallOptions) {
  return call("/api/pipeline/lake", LakeReport, { method: "GET" }, options);
}

/** GET /api/pipeline/streams: each streaming query's latest progress and the driver's restarts. */
export function getStreams(options?: CallOptions) {
  return call("/api/pipeline/streams", StreamsReport, { method: "GET" }, options);
}

/** GET /api/pipeline/metrics: Prometheus's key series over the last `minutes`, its targets and alerts. */
export function getMetrics(minutes = 60, options?: CallOptions) {
  return call(`/api/pipeline/metrics?minutes=${minutes}`, MetricsReport, { method: "GET" }, options);
}

/** GET /api/pipeline/kafka: offsets and consumer lag per topic and partition. */
export function getKafka(options?: CallOptions) {
  return call("/api/pipeline/kafka", KafkaReport, { method: "GET" }, options);
}

/** GET /api/pipeline/quality: the data-quality checks of the last `days` days. */
export function getQuality(days = 30, options?: CallOptions) {
  return call(`/api/pipeline/quality?days=${days}`, QualityReport, { method: "GET" }, options);
}

/** POST /api/chat: one answer, whole. */
export function postChat(request: ChatRequest, options?: CallOptions) {
  const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request) };
  return call("/api/chat", ChatReply, init, { timeoutMs: apiConfig().chatTimeoutMs, ...options });
}

/**
 * POST /api/chat/stream: the answer as server-sent events. Returns the upstream response when it is a stream
 * (its body is passed through to the browser as is), or the failure.
 */
export async function postChatStream(request: ChatRequest, options?: CallOptions): Promise<ApiResult<Response>> {
  const init = {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify(request),
  };
  const response = await send("/api/chat/stream", init, { timeoutMs: apiConfig().chatTimeoutMs, ...options });
  if (!(response instanceof Response)) return { ok: false, error: response };
  if (!response.ok) return { ok: false, error: await failureOf(response) };
  if (!response.headers.get("content-type")?.startsWith("text/event-stream")) {
    return { ok: false, error: { code: "bad_response", message: "not an event stream", status: response.status } };
  }
  return { ok: true, data: response };
}

// ---- Actions with confirmation (crates/api/src/routes/actions.rs). `id` is a proposal's UUID, checked by the
// route handlers before it reaches a path.

/** GET /api/actions: recent proposals, newest first. */
export function listProposals(limit = 20, options?: CallOptions) {
  return call(`/api/actions?limit=${limit}`, zod.array(Proposal), { method: "GET" }, options);
}

/** GET /api/actions/{id}: one proposal and its audit. */
export function getProposal(id: string, options?: CallOptions) {
  return call(`/api/actions/${encodeURIComponent(id)}`, ProposalDetail, { method: "GET" }, options);
}

/** PATCH /api/actions/{id}: edits a waiting proposal's draft (409 once it is no longer waiting). */
export function editProposal(id: string, edit: Edit, options?: CallOptions) {
  const init = { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(edit) };
  return call(`/api/actions/${encodeURIComponent(id)}`, Proposal, init, options);
}

/** POST /api/actions/{id}/confirm: executes once; a repeat returns the first outcome (`executed_now` false). */
export function confirmProposal(id: string, options?: CallOptions) {
  const init = { method: "POST" };
  return call(`/api/actions/${encodeURIComponent(id)}/confirm`, Confirmation, init, { timeoutMs: apiConfig().chatTimeoutMs, ...options });
}

/** POST /api/actions/{id}/cancel. */
export function cancelProposal(id: string, options?: CallOptions) {
  return call(`/api/actions/${encodeURIComponent(id)}/cancel`, Proposal, { method: "POST" }, options);
}

/** GET /api/actions/audit: the audit, newest first. */
export function getAudit(limit = 50, options?: CallOptions) {
  return call(`/api/actions/audit?limit=${limit}`, zod.array(AuditEntry), { method: "GET" }, options);
}

/** GET /api/tasks: tasks, open ones first. */
export function getTasks(limit = 20, options?: CallOptions) {
  return call(`/api/tasks?limit=${limit}`, zod.array(Task), { method: "GET" }, options);
}

/** GET /api/reminders: reminders, latest first. */
export function getReminders(limit = 20, options?: CallOptions) {
  return call(`/api/reminders?limit=${limit}`, zod.array(Reminder), { method: "GET" }, options);
}
