// The answer's words as the API wrote them, in lines: headings in capitals ("CONCERNS:"), bullets ("• "),
// numbered suggestions ("1. ") and **bold** names. The text is shown as written (it is complete on its own); this
// only says which lines to emphasise, so the displayed text is the answer minus the ** markers.

export type LineKind = "heading" | "bullet" | "numbered" | "plain";

export interface Segment {
  text: string;
  strong: boolean;
}

export interface Line {
  kind: LineKind;
  segments: Segment[];
}

// "CONCERNS:", "WEDNESDAY STATS:", "EMAIL (last 24 hours, since Sun 29 Nov 10:00):".
const HEADING = /^[A-Z][A-Z0-9 '&/-]*[A-Z](?: \([^)]*\))?:$/;

/** `**x**` as bold; an unmatched `**` stays as typed. */
function segments(line: string): Segment[] {
  const out: Segment[] = [];
  const pattern = /\*\*([^*]+)\*\*/g;
  let last = 0;
  for (const match of line.matchAll(pattern)) {
    if (match.index > last) out.push({ text: line.slice(last, match.index), strong: false });
    out.push({ text: match[1]!, strong: true });
    last = match.index + match[0].length;
  }
  if (last < line.length || out.length === 0) out.push({ text: line.slice(last), strong: false });
  return out;
}

function kindOf(line: string): LineKind {
  const trimmed = line.trim();
  if (HEADING.test(trimmed)) return "heading";
  if (trimmed.startsWith("• ")) return "bullet";
  if (/^\d+\. /.test(trimmed)) return "numbered";
  return "plain";
}

export function answerLines(answer: string): Line[] {
  return answer.split("\n").map((line) => ({ kind: kindOf(line), segments: segments(line) }));
}

/** The answer as displayed: without the ** markers. */
export function displayedAnswer(answer: string): string {
  return answerLines(answer)
    .map((l) => l.segments.map((s) => s.text).join(""))
    .join("\n");
}
