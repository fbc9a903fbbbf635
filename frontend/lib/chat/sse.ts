// A reader of server-sent events (the text/event-stream format of the WHATWG HTML standard) over a fetch body.
// EventSource cannot send a POST with a JSON body, so the chat reads its stream with this instead.

/** One event: its type (`message` when the stream named none) and its data lines joined by newlines. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Splits a chunked text stream into events; comments (`:` lines, e.g. keep-alives) and ids are ignored. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // At the end, a final lone `\r` is a complete line too.
      if (done && buffer.endsWith("\r")) buffer += "\n";
      let end: number;
      while ((end = nextLineEnd(buffer)) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(buffer[end] === "\r" && buffer[end + 1] === "\n" ? end + 2 : end + 1);
        if (line === "") {
          if (data.length > 0) yield { event: event || "message", data: data.join("\n") };
          event = "";
          data = [];
          continue;
        }
        const [field, rest] = splitField(line);
        if (field === "event") event = rest;
        else if (field === "data") data.push(rest);
      }
      // A stream that ends without a blank line: the standard discards the incomplete event, and so do we.
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The end of the first complete line (a `\r` at the very end may still be followed by `\n`). */
function nextLineEnd(buffer: string): number {
  for (let i = 0; i < buffer.length; i++) {
    const c = buffer[i];
    if (c === "\n") return i;
    if (c === "\r") return i + 1 < buffer.length ? i : -1;
  }
  return -1;
}

function splitField(line: string): [string, string] {
  const colon = line.indexOf(":");
  if (colon < 0) return [line, ""];
  const value = line.slice(colon + 1);
  return [line.slice(0, colon), value.startsWith(" ") ? value.slice(1) : value];
}
