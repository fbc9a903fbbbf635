// Helpers to fake the chat's event stream in tests.

/** A body that yields `chunks` one by one (as a network would split them). */
export function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

/** One server-sent event, as axum's Sse writes it. */
export function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export interface FakeAnswer {
  conversationId?: string;
  answer: string;
  kind?: string;
  sections?: unknown[];
  sql?: string | null;
  columns?: string[];
  rows?: unknown[][];
  chart?: unknown;
  refused?: boolean;
  suggestions?: string[];
}

/** The events mindy-api sends for an answer (crates/api/src/routes/chat.rs: meta, token*, result, done). */
export function answerEvents(a: FakeAnswer): string[] {
  const words = a.answer.match(/[^ ]+ ?/g) ?? [];
  return [
    sse("meta", { conversation_id: a.conversationId ?? "11111111-1111-4111-8111-111111111111", generator: "semantic" }),
    ...words.map((w) => sse("token", w)),
    sse("result", {
      answer: a.answer,
      kind: a.kind ?? "stat",
      sections: a.sections ?? [],
      sql: a.sql ?? null,
      columns: a.columns ?? [],
      rows: a.rows ?? [],
      chart: a.chart ?? null,
      refused: a.refused ?? false,
      suggestions: a.suggestions ?? [],
      cached: false,
    }),
    sse("done", { timings: { generate_ms: 0.2, execute_ms: 3.1, answer_ms: 0.1, total_ms: 12.5 } }),
  ];
}

/** A Response carrying `events` as an event stream. */
export function streamResponse(events: string[]): Response {
  return new Response(streamOf(events), { headers: { "content-type": "text/event-stream" } });
}
