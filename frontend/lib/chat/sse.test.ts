import { streamOf } from "@/test/streams";

import { readSse, type SseEvent } from "./sse";

async function collect(chunks: string[]): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const e of readSse(streamOf(chunks))) events.push(e);
  return events;
}

// Recorded from mindy-api (curl -N .../api/chat/stream), trimmed.
const RECORDED = `event: meta
data: {"conversation_id":"374102a1-809e-4ece-b24d-df4fe5ab1dc2","generator":"semantic"}

event: token
data: "You "

event: token
data: "received "

event: result
data: {"cached":true,"chart":null,"columns":["total_emails","days_with_data"],"refused":false,"rows":[[88,1]],"sql":"SELECT 1","suggestions":[]}

event: done
data: {"timings":{"answer_ms":0.0,"execute_ms":0.0,"generate_ms":0.0,"total_ms":17.26}}

`;

describe("readSse", () => {
  it("reads a recorded stream", async () => {
    const events = await collect([RECORDED]);
    expect(events.map((e) => e.event)).toEqual(["meta", "token", "token", "result", "done"]);
    expect(JSON.parse(events[1]!.data)).toBe("You ");
  });

  it("does not care where the network splits the bytes", async () => {
    const whole = await collect([RECORDED]);
    const bytes = [...RECORDED];
    for (const size of [1, 2, 7, 33]) {
      const chunks: string[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size).join(""));
      expect(await collect(chunks)).toEqual(whole);
    }
  });

  it("handles CRLF and CR line ends, comments, multi-line data and unnamed events", async () => {
    const events = await collect([": keep-alive\r\n\r\n", "data: a\r\ndata: b\r\n\r\n", "event: x\rdata: y\r\r"]);
    expect(events).toEqual([
      { event: "message", data: "a\nb" },
      { event: "x", data: "y" },
    ]);
  });

  it("drops an event the stream did not finish", async () => {
    expect(await collect(["event: token\ndata: \"half"])).toEqual([]);
  });

  it("keeps multi-byte characters split across chunks", async () => {
    const text = 'event: token\ndata: "Mon 23 Nov – Thu 26 Nov"\n\n';
    const bytes = new TextEncoder().encode(text);
    const dash = bytes.indexOf(0xe2);
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, dash + 1));
        c.enqueue(bytes.slice(dash + 1));
        c.close();
      },
    });
    const events: SseEvent[] = [];
    for await (const e of readSse(body)) events.push(e);
    expect(JSON.parse(events[0]!.data)).toBe("Mon 23 Nov – Thu 26 Nov");
  });
});
