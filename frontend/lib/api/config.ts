import "server-only";

/** Where the API is and how to authenticate; read per call, never at import (tests and `next build` set no env). */
export interface ApiConfig {
  /** mindy-api's base URL without a trailing slash (env MINDY_API_URL). */
  baseUrl: string;
  /** Its bearer token (env MINDY_API_TOKEN); empty when unset. */
  token: string;
  /** Per-request time limit for dashboard calls, in ms (env MINDY_API_TIMEOUT_MS). */
  timeoutMs: number;
  /** Time limit for a chat answer, in ms (env MINDY_CHAT_TIMEOUT_MS). */
  chatTimeoutMs: number;
}

/** Defaults match `cargo run -p mindy-api` (127.0.0.1:8000). */
export function apiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return {
    baseUrl: (env.MINDY_API_URL || "http://127.0.0.1:8000").replace(/\/+$/, ""),
    token: env.MINDY_API_TOKEN ?? "",
    timeoutMs: positive(env.MINDY_API_TIMEOUT_MS, 10_000),
    chatTimeoutMs: positive(env.MINDY_CHAT_TIMEOUT_MS, 45_000),
  };
}

/** Airflow's UI as the browser reaches it, for links to DAG runs (env MINDY_AIRFLOW_UI_URL). */
export function airflowUiUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.MINDY_AIRFLOW_UI_URL || "http://localhost:8080").replace(/\/+$/, "");
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
