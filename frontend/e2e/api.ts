// Direct calls to mindy-api, to compare what the pages show with what the API says.

import { type APIRequestContext, request } from "@playwright/test";

import { ChatReply, Confirmation, Health, KafkaReport, LakeReport, AirflowRuns, MetricsReport, ProposalDetail } from "../lib/api/schemas";

export function apiUrl(): string {
  const url = process.env.MINDY_E2E_API_URL;
  if (!url) throw new Error("MINDY_E2E_API_URL is not set (scripts/e2e.sh sets it)");
  return url.replace(/\/+$/, "");
}

export async function apiContext(): Promise<APIRequestContext> {
  const token = process.env.MINDY_API_TOKEN;
  if (!token) throw new Error("MINDY_API_TOKEN is not set");
  return request.newContext({ baseURL: apiUrl(), extraHTTPHeaders: { authorization: `Bearer ${token}` } });
}

async function getJson(api: APIRequestContext, path: string, ok: number[] = [200]): Promise<unknown> {
  const response = await api.get(path);
  if (!ok.includes(response.status())) throw new Error(`${path}: HTTP ${response.status()}: ${await response.text()}`);
  return response.json();
}

export const getHealth = async (api: APIRequestContext) => Health.parse(await getJson(api, "/api/health", [200, 503]));
export const getLake = async (api: APIRequestContext) => LakeReport.parse(await getJson(api, "/api/pipeline/lake"));
export const getKafka = async (api: APIRequestContext) => KafkaReport.parse(await getJson(api, "/api/pipeline/kafka"));
export const getMetrics = async (api: APIRequestContext) => MetricsReport.parse(await getJson(api, "/api/pipeline/metrics"));
export const getRuns = async (api: APIRequestContext, limit: number) =>
  AirflowRuns.parse(await getJson(api, `/api/pipeline/airflow/runs?limit=${limit}`));

/** Asks the API directly, in conversation `id` when given. */
export async function askApi(api: APIRequestContext, message: string, id?: string): Promise<ChatReply> {
  const response = await api.post("/api/chat", { data: { message, conversation_id: id ?? null } });
  if (response.status() !== 200) throw new Error(`chat ${message}: HTTP ${response.status()}: ${await response.text()}`);
  return ChatReply.parse(await response.json());
}

/** GET /api/actions/{id}: a proposal and its audit. */
export const getProposalApi = async (api: APIRequestContext, id: string) => ProposalDetail.parse(await getJson(api, `/api/actions/${id}`));

/** POST /api/actions/{id}/confirm. */
export async function confirmApi(api: APIRequestContext, id: string): Promise<Confirmation> {
  const response = await api.post(`/api/actions/${id}/confirm`);
  if (response.status() !== 200) throw new Error(`confirm ${id}: HTTP ${response.status()}: ${await response.text()}`);
  return Confirmation.parse(await response.json());
}
