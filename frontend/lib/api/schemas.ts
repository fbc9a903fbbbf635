// Runtime schemas (zod) of what mindy-api sends, checked at compile time against the types generated
// from its OpenAPI document (./openapi.ts, `npm run gen:api`): if the API changes a field, `npm run build`
// fails here before the UI misreads a response.
//
// Shared by the server client (./client.ts) and the browser (the chat parses its stream with them).

import { z } from "zod";

import type { components } from "./openapi";

type Api = components["schemas"];

/** One cell of a result row: what PostgreSQL values become in JSON. */
export const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Cell = z.infer<typeof Cell>;

export const ChartKind = z.enum(["line", "bar"]);

export const Chart = z.object({
  kind: ChartKind,
  x: z.string(),
  y: z.array(z.string()),
});
export type Chart = z.infer<typeof Chart>;

export const Timings = z.object({
  generate_ms: z.number(),
  execute_ms: z.number(),
  answer_ms: z.number(),
  total_ms: z.number(),
});
export type Timings = z.infer<typeof Timings>;

export const ChatRequest = z.object({
  message: z.string(),
  conversation_id: z.string().nullish(),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

export const ChatReply = z.object({
  conversation_id: z.string(),
  answer: z.string(),
  sql: z.string().nullish(),
  columns: z.array(z.string()),
  rows: z.array(z.array(Cell)),
  chart: Chart.nullish(),
  refused: z.boolean(),
  suggestions: z.array(z.string()),
  generator: z.string(),
  cached: z.boolean(),
  // What limited the answer (e.g. conversation history unavailable); absent normally.
  notices: z.array(z.string()).optional(),
  timings: Timings,
});
export type ChatReply = z.infer<typeof ChatReply>;

export const ErrorDetail = z.object({ code: z.string(), message: z.string() });
export type ErrorDetail = z.infer<typeof ErrorDetail>;
export const ErrorBody = z.object({ error: ErrorDetail });

export const Check = z.object({
  name: z.string(),
  up: z.boolean(),
  latency_ms: z.number(),
  error: z.string().nullish(),
});
export type Check = z.infer<typeof Check>;

export const Health = z.object({ status: z.string(), checks: z.array(Check) });
export type Health = z.infer<typeof Health>;

export const Run = z.object({
  dag_id: z.string(),
  run_id: z.string(),
  state: z.string().nullish(),
  run_type: z.string().nullish(),
  logical_date: z.string().nullish(),
  start_date: z.string().nullish(),
  end_date: z.string().nullish(),
  duration_secs: z.number().nullish(),
});
export type Run = z.infer<typeof Run>;

export const AirflowRuns = z.object({ runs: z.array(Run) });
export type AirflowRuns = z.infer<typeof AirflowRuns>;

export const LakeTable = z.object({
  name: z.string(),
  files: z.number(),
  size_bytes: z.number(),
  records: z.number().nullish(),
  version: z.number().nullish(),
  last_updated: z.string().nullish(),
  error: z.string().nullish(),
});
export type LakeTable = z.infer<typeof LakeTable>;

export const Layer = z.object({ name: z.string(), tables: z.array(LakeTable) });
export type Layer = z.infer<typeof Layer>;

export const LakeReport = z.object({ root: z.string(), layers: z.array(Layer) });
export type LakeReport = z.infer<typeof LakeReport>;

export const GroupLag = z.object({ group: z.string(), committed: z.number(), lag: z.number() });
export type GroupLag = z.infer<typeof GroupLag>;

export const PartitionOffsets = z.object({
  partition: z.number(),
  start_offset: z.number(),
  end_offset: z.number(),
  groups: z.array(GroupLag),
});
export type PartitionOffsets = z.infer<typeof PartitionOffsets>;

export const TopicOffsets = z.object({
  topic: z.string(),
  exists: z.boolean(),
  messages: z.number(),
  partitions: z.array(PartitionOffsets),
});
export type TopicOffsets = z.infer<typeof TopicOffsets>;

export const KafkaReport = z.object({ topics: z.array(TopicOffsets) });
export type KafkaReport = z.infer<typeof KafkaReport>;

// ---- The chat stream (POST /api/chat/stream): one schema per server-sent event. The OpenAPI document only
// describes this stream in words, so these are checked by the tests against a recorded stream instead.

export const StreamMeta = z.object({ conversation_id: z.string(), generator: z.string() });
export const StreamToken = z.string();
export const StreamResult = ChatReply.pick({
  sql: true,
  columns: true,
  rows: true,
  chart: true,
  refused: true,
  suggestions: true,
  cached: true,
  notices: true,
});
export type StreamResult = z.infer<typeof StreamResult>;
export const StreamDone = z.object({ timings: Timings });
export const StreamError = ErrorDetail;

// ---- Compile-time agreement with the OpenAPI document. Each line fails to type-check when our schema and
// the generated type disagree in either direction (a field added, dropped, renamed or retyped).

type Same<Ours, Theirs> = [Ours] extends [Theirs] ? ([Theirs] extends [Ours] ? true : false) : false;
type Accepts<Ours, Theirs> = [Theirs] extends [Ours] ? Same<keyof Ours, keyof Theirs> : false;
function agrees<T extends true>(): T | undefined {
  return undefined;
}

agrees<Same<Chart, Api["Chart"]>>();
agrees<Same<Timings, Api["Timings"]>>();
agrees<Same<ChatRequest, Api["ChatRequest"]>>();
// `rows` is declared as arrays of objects in the document (utoipa's `Object`), but cells are JSON scalars.
agrees<Same<Omit<ChatReply, "rows">, Omit<Api["ChatReply"], "rows">>>();
agrees<Same<ErrorDetail, Api["ErrorDetail"]>>();
agrees<Same<Check, Api["Check"]>>();
agrees<Same<Health, Api["Health"]>>();
agrees<Same<Run, Api["Run"]>>();
agrees<Same<AirflowRuns, Api["AirflowRuns"]>>();
agrees<Same<LakeTable, Api["LakeTable"]>>();
agrees<Same<LakeReport, Api["LakeReport"]>>();
agrees<Same<GroupLag, Api["GroupLag"]>>();
agrees<Same<PartitionOffsets, Api["PartitionOffsets"]>>();
agrees<Same<TopicOffsets, Api["TopicOffsets"]>>();
agrees<Same<KafkaReport, Api["KafkaReport"]>>();
// Quality scores: the same fields, and whatever the API sends parses (ours may be more lenient about absence).
agrees<Accepts<QualityScore, Api["QualityScore"]>>();
agrees<Accepts<QualityReport, Api["QualityReport"]>>();

// ---- The dashboard's quality-score history (GET /api/pipeline/quality): the latest check of each day. The API
// always sends every field; the panel copes without the optional ones, so they stay lenient here.

export const QualityScore = z.object({
  date: z.string(),
  checked_at: z.string().nullish(),
  score_pct: z.number(),
  threshold_pct: z.number(),
  passed: z.boolean(),
  total_records: z.number().nullish(),
  valid_records: z.number().nullish(),
  failed_rules: z.record(z.string(), z.number()).nullish(),
});
export type QualityScore = z.infer<typeof QualityScore>;

export const QualityReport = z.object({ scores: z.array(QualityScore) });
export type QualityReport = z.infer<typeof QualityReport>;
