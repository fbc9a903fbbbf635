// A small SQL tokenizer for highlighting the chat's queries. It only classifies text for colouring; it never
// changes it (joining the tokens' text gives the input back), so a token it does not know stays plain.

export type TokenKind = "keyword" | "function" | "string" | "number" | "comment" | "operator" | "plain";

export interface SqlToken {
  kind: TokenKind;
  text: string;
}

const KEYWORDS = new Set(
  (
    "select from where and or not in is null as on join left right inner outer full cross group by order " +
    "having limit offset asc desc distinct between like ilike case when then else end with union all " +
    "except intersect date interval true false filter over partition cast extract nulls first last " +
    "rows range preceding following current row exists any some"
  ).split(" "),
);

// Order matters: comments and strings before operators and words.
const PATTERN =
  /(--[^\n]*|\/\*[\s\S]*?\*\/)|('(?:[^']|'')*'?)|("(?:[^"]|"")*"?)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|<>|!=|::|\|\||[-+*/%=<>])|(\s+|[^\s])/g;

/** The tokens of `sql`, in order. */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  for (const match of sql.matchAll(PATTERN)) {
    const [text, comment, string, quoted, number, word, operator] = match;
    let kind: TokenKind = "plain";
    if (comment) kind = "comment";
    else if (string) kind = "string";
    else if (quoted) kind = "plain"; // a quoted identifier
    else if (number) kind = "number";
    else if (word) kind = KEYWORDS.has(word.toLowerCase()) ? "keyword" : isCall(sql, match.index + word.length) ? "function" : "plain";
    else if (operator) kind = "operator";
    const last = tokens[tokens.length - 1];
    // Merge neighbouring plain text to keep the DOM small.
    if (kind === "plain" && last?.kind === "plain") last.text += text;
    else tokens.push({ kind, text });
  }
  return tokens;
}

/** Whether an opening parenthesis follows position `end` (after optional spaces). */
function isCall(sql: string, end: number): boolean {
  let i = end;
  while (sql[i] === " ") i++;
  return sql[i] === "(";
}
