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

/** What an answer is, so it is drawn as such (crates/api/src/chat: `AnswerKind`). */
export const AnswerKind = z.enum(["stat", "emails", "briefing", "day", "patterns", "clients", "action"]);
export type AnswerKind = z.infer<typeof AnswerKind>;

/** A further query an answer was built from (a briefing's calendar, a day's conflicts), with its SQL and rows. */
export const Section = z.object({
  id: z.string(),
  title: z.string(),
  sql: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.array(Cell)),
});
export type Section = z.infer<typeof Section>;

// ---- Actions with confirmation (crates/api/src/actions/model.rs): a chat turn of kind "action" carries a
// proposal to review and confirm, or what confirming it did.

/** A name and an address; `about` is the job title and organisation when known ("CTO, Acme Corp"). */
export const Person = z.object({
  address: z.string(),
  name: z.string().nullish(),
  about: z.string().nullish(),
});
export type Person = z.infer<typeof Person>;

/** A reply ready to send, with the headers that thread it. */
export const EmailDraft = z.object({
  from: Person,
  to: z.array(Person),
  cc: z.array(Person),
  subject: z.string(),
  body: z.string(),
  // Null when the email replied to had no Message-ID (the reply then threads by subject only).
  in_reply_to: z.string().nullish(),
  references: z.array(z.string()),
  thread_id: z.string(),
  // `template`, or the LLM generator's name (`openai`).
  written_by: z.string().optional(),
});
export type EmailDraft = z.infer<typeof EmailDraft>;

/** A meeting to put on the calendar; times are RFC 3339 (UTC), `timezone` the user's IANA zone. */
export const EventDraft = z.object({
  summary: z.string(),
  starts_at: z.string(),
  ends_at: z.string(),
  timezone: z.string(),
  location: z.string().nullish(),
  description: z.string(),
  organizer: Person,
  attendees: z.array(Person),
});
export type EventDraft = z.infer<typeof EventDraft>;

export const TaskDraft = z.object({ title: z.string(), due_at: z.string().nullish() });
export type TaskDraft = z.infer<typeof TaskDraft>;

export const ReminderDraft = z.object({ remind_at: z.string(), message: z.string(), recipient: Person });
export type ReminderDraft = z.infer<typeof ReminderDraft>;

/** An event of the user's calendar as the pipeline keys it. */
export const EventRef = z.object({
  id: z.string(),
  calendar_id: z.string(),
  event_id: z.string(),
  recurrence_id: z.string().nullish(),
});
export type EventRef = z.infer<typeof EventRef>;

/** An event of the user's moved, or ended earlier (same start): its times now and after. */
export const MoveDraft = z.object({
  event: EventRef,
  summary: z.string(),
  from_starts_at: z.string(),
  from_ends_at: z.string(),
  starts_at: z.string(),
  ends_at: z.string(),
  timezone: z.string(),
  attendees: z.array(Person),
  owner: Person,
  reason: z.string(),
});
export type MoveDraft = z.infer<typeof MoveDraft>;

/** Time blocked on the user's calendar (lunch, a travel buffer). */
export const BlockDraft = z.object({
  summary: z.string(),
  starts_at: z.string(),
  ends_at: z.string(),
  timezone: z.string(),
  owner: Person,
  reason: z.string(),
});
export type BlockDraft = z.infer<typeof BlockDraft>;

/** A block removed again (undoing a day's plan). */
export const UnblockDraft = z.object({
  block_id: z.string(),
  summary: z.string(),
  starts_at: z.string(),
  ends_at: z.string(),
  owner: Person,
});
export type UnblockDraft = z.infer<typeof UnblockDraft>;

/** One thing the assistant would do once confirmed, tagged by `kind`. */
export const Action = z.discriminatedUnion("kind", [
  EmailDraft.extend({ kind: z.literal("send_email") }),
  EventDraft.extend({ kind: z.literal("create_event") }),
  TaskDraft.extend({ kind: z.literal("create_task") }),
  ReminderDraft.extend({ kind: z.literal("set_reminder") }),
  MoveDraft.extend({ kind: z.literal("move_event") }),
  BlockDraft.extend({ kind: z.literal("block_time") }),
  UnblockDraft.extend({ kind: z.literal("remove_block") }),
]);
export type Action = z.infer<typeof Action>;

export const ProposalStatus = z.enum(["proposed", "executing", "done", "failed", "cancelled"]);
export type ProposalStatus = z.infer<typeof ProposalStatus>;

export const ActionResult = z.object({
  kind: z.string(),
  ok: z.boolean(),
  detail: z.string(),
  external_id: z.string().nullish(),
});
export type ActionResult = z.infer<typeof ActionResult>;

export const Proposal = z.object({
  id: z.string(),
  conversation_id: z.string(),
  question: z.string(),
  summary: z.string(),
  actions: z.array(Action),
  status: ProposalStatus,
  created_at: z.string(),
  expires_at: z.string(),
  confirmed_at: z.string().nullish(),
  finished_at: z.string().nullish(),
  results: z.array(ActionResult),
});
export type Proposal = z.infer<typeof Proposal>;

/** One line of the append-only audit (`event`: proposed, edited, confirmed, executed, failed, cancelled, ...). */
export const AuditEntry = z.object({
  seq: z.number(),
  at: z.string(),
  proposal_id: z.string().nullish(),
  event: z.string(),
  action: z.string().nullish(),
  external_id: z.string().nullish(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const ProposalDetail = z.object({ proposal: Proposal, audit: z.array(AuditEntry) });
export type ProposalDetail = z.infer<typeof ProposalDetail>;

/** POST /api/actions/{id}/confirm: the proposal after execution; `executed_now` false when it ran before. */
export const Confirmation = z.object({ proposal: Proposal, executed_now: z.boolean() });
export type Confirmation = z.infer<typeof Confirmation>;

/** PATCH /api/actions/{id}: what may change before confirming. */
export const Edit = z.object({
  subject: z.string().nullish(),
  body: z.string().nullish(),
  call_starts_at: z.string().nullish(),
});
export type Edit = z.infer<typeof Edit>;

export const Task = z.object({
  id: z.string(),
  proposal_id: z.string().nullish(),
  title: z.string(),
  due_at: z.string().nullish(),
  status: z.string(),
  created_at: z.string(),
});
export type Task = z.infer<typeof Task>;

export const Reminder = z.object({
  id: z.string(),
  proposal_id: z.string().nullish(),
  remind_at: z.string(),
  message: z.string(),
  recipient: z.string(),
  delivered_at: z.string().nullish(),
  delivery_id: z.string().nullish(),
  attempts: z.number(),
  last_error: z.string().nullish(),
});
export type Reminder = z.infer<typeof Reminder>;

export const ChatReply = z.object({
  conversation_id: z.string(),
  answer: z.string(),
  kind: AnswerKind,
  sql: z.string().nullish(),
  columns: z.array(z.string()),
  rows: z.array(z.array(Cell)),
  sections: z.array(Section),
  chart: Chart.nullish(),
  refused: z.boolean(),
  suggestions: z.array(z.string()),
  generator: z.string(),
  cached: z.boolean(),
  // What limited the answer (e.g. conversation history unavailable); absent normally.
  notices: z.array(z.string()).optional(),
  timings: Timings,
  // An action turn's proposal (kind "action"); absent for other answers and when nothing could be drafted.
  proposal: Proposal.nullish(),
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
// `answer` is the final answer: it replaces the streamed text when the two differ (an LLM's streamed words that the
// API swapped for its template because a number in them was not in the rows).
export const StreamResult = ChatReply.pick({
  answer: true,
  kind: true,
  sections: true,
  sql: true,
  columns: true,
  rows: true,
  chart: true,
  refused: true,
  suggestions: true,
  cached: true,
  notices: true,
  proposal: true,
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
agrees<Same<AnswerKind, Api["AnswerKind"]>>();
agrees<Same<Omit<Section, "rows">, Omit<Api["Section"], "rows">>>();
agrees<Same<Omit<ChatReply, "rows" | "sections">, Omit<Api["ChatReply"], "rows" | "sections">>>();
agrees<Same<ErrorDetail, Api["ErrorDetail"]>>();
agrees<Same<Person, Api["Person"]>>();
agrees<Same<EmailDraft, Api["EmailDraft"]>>();
agrees<Same<EventDraft, Api["EventDraft"]>>();
agrees<Same<TaskDraft, Api["TaskDraft"]>>();
agrees<Same<ReminderDraft, Api["ReminderDraft"]>>();
agrees<Same<Action, Api["Action"]>>();
agrees<Same<ProposalStatus, Api["Status"]>>();
agrees<Same<ActionResult, Api["ActionResult"]>>();
agrees<Same<Proposal, Api["Proposal"]>>();
// `detail` is any JSON object (utoipa's `Object`).
agrees<Same<Omit<AuditEntry, "detail">, Omit<Api["AuditEntry"], "detail">>>();
agrees<Same<Confirmation, Api["Confirmation"]>>();
agrees<Same<Edit, Api["Edit"]>>();
agrees<Same<Task, Api["Task"]>>();
agrees<Same<Reminder, Api["Reminder"]>>();
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
agrees<Accepts<StreamQuery, Api["StreamQuery"]>>();
agrees<Accepts<StreamsReport, Api["StreamsReport"]>>();
agrees<Accepts<WorkerTask, Api["WorkerTask"]>>();
agrees<Accepts<WorkerReport, Api["WorkerReport"]>>();

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

// ---- The streaming queries (GET /api/pipeline/streams): each query's latest progress, and how often the driver
// resubmitted them after losing Spark Connect.

export const StreamQuery = z.object({
  query_name: z.string(),
  query_id: z.string(),
  run_id: z.string(),
  batch_id: z.number(),
  num_input_rows: z.number(),
  input_rows_per_second: z.number().nullish(),
  processed_rows_per_second: z.number().nullish(),
  batch_duration_ms: z.number().nullish(),
  watermark: z.string().nullish(),
  restarts: z.number(),
  updated_at: z.string(),
});
export type StreamQuery = z.infer<typeof StreamQuery>;

export const StreamsReport = z.object({ queries: z.array(StreamQuery) });
export type StreamsReport = z.infer<typeof StreamsReport>;

// ---- Airflow's workers (GET /api/pipeline/airflow/workers): tasks waiting for a worker, and who ran the latest.

export const WorkerTask = z.object({
  dag_id: z.string().nullish(),
  task_id: z.string(),
  state: z.string().nullish(),
  hostname: z.string().nullish(),
  start_date: z.string().nullish(),
  end_date: z.string().nullish(),
});
export type WorkerTask = z.infer<typeof WorkerTask>;

export const WorkerReport = z.object({
  state: z.enum(["idle", "busy", "stalled"]),
  queued: z.number(),
  oldest_queued_secs: z.number().nullish(),
  running: z.number(),
  stalled_after_secs: z.number(),
  last_task: WorkerTask.nullish(),
});
export type WorkerReport = z.infer<typeof WorkerReport>;

// ---- Prometheus's key series (GET /api/pipeline/metrics): one series per tile over a window, the scrape targets,
// the alerts pending or firing. `configured: false` when mindy-api knows no Prometheus.

export const MetricPoint = z.object({ t: z.number(), v: z.number() });
export type MetricPoint = z.infer<typeof MetricPoint>;

export const MetricUnit = z.enum(["per_second", "seconds", "count"]);
export type MetricUnit = z.infer<typeof MetricUnit>;

export const MetricTile = z.object({
  id: z.string(),
  title: z.string(),
  unit: MetricUnit,
  help: z.string(),
  query: z.string(),
  latest: z.number().nullish(),
  points: z.array(MetricPoint),
});
export type MetricTile = z.infer<typeof MetricTile>;

export const DownTarget = z.object({
  job: z.string(),
  instance: z.string(),
  health: z.string(),
  last_error: z.string().nullish(),
});
export type DownTarget = z.infer<typeof DownTarget>;

export const TargetsSummary = z.object({ up: z.number(), total: z.number(), down: z.array(DownTarget) });
export type TargetsSummary = z.infer<typeof TargetsSummary>;

export const Alert = z.object({
  name: z.string(),
  state: z.string(),
  severity: z.string().nullish(),
  summary: z.string().nullish(),
  active_at: z.string().nullish(),
});
export type Alert = z.infer<typeof Alert>;

export const MetricsReport = z.object({
  configured: z.boolean(),
  prometheus_url: z.string().nullish(),
  start: z.string(),
  end: z.string(),
  step_secs: z.number(),
  tiles: z.array(MetricTile),
  targets: TargetsSummary,
  alerts: z.array(Alert),
});
export type MetricsReport = z.infer<typeof MetricsReport>;

agrees<Accepts<MetricPoint, Api["MetricPoint"]>>();
agrees<Same<MetricUnit, Api["MetricUnit"]>>();
agrees<Accepts<MetricTile, Api["MetricTile"]>>();
agrees<Accepts<DownTarget, Api["DownTarget"]>>();
agrees<Accepts<TargetsSummary, Api["TargetsSummary"]>>();
agrees<Accepts<Alert, Api["Alert"]>>();
agrees<Accepts<MetricsReport, Api["MetricsReport"]>>();
