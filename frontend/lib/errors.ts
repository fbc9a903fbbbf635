// Every failure the UI can show, by stable code: the API's codes (crates/api/src/error.rs) and the ones the
// frontend adds when the API cannot be reached or answers badly. Components show `title` and `message`;
// details from the server are never shown for 5xx-type failures (they stay in the API's log).

/** How a failure should look: a refusal is the user's question, the rest are ours. */
export type ErrorKind = "refused" | "down" | "timeout" | "input" | "error";

export interface ErrorInfo {
  /** Short heading. */
  title: string;
  /** One or two sentences for the user. */
  message: string;
  /** Whether sending the same request again may work. */
  retryable: boolean;
  /** Drives the styling and icon. */
  kind: ErrorKind;
  /** Whether the server's own message is safe and useful to show under ours. */
  showDetail: boolean;
}

const CODES: Record<string, ErrorInfo> = {
  // --- from mindy-api
  bad_request: {
    title: "Message not accepted",
    message: "The API could not read this message.",
    retryable: false,
    kind: "input",
    showDetail: true,
  },
  unauthorized: {
    title: "Not authorised",
    message: "The frontend's API token was refused. Check MINDY_API_TOKEN on the Next.js server.",
    retryable: false,
    kind: "error",
    showDetail: false,
  },
  rate_limited: {
    title: "Too many requests",
    message: "The API is rate limiting this client. Wait a moment and try again.",
    retryable: true,
    kind: "error",
    showDetail: true,
  },
  not_found: {
    title: "Not found",
    message: "This API version does not serve that endpoint.",
    retryable: false,
    kind: "error",
    showDetail: false,
  },
  conflict: {
    title: "No longer waiting",
    message: "These actions can no longer be changed or confirmed (they expired, were cancelled or already ran).",
    retryable: false,
    kind: "input",
    showDetail: true,
  },
  sql_refused: {
    title: "Question refused",
    message: "The query written for this question broke a safety rule, so it was not run. Try rephrasing it.",
    retryable: false,
    kind: "refused",
    showDetail: true,
  },
  query_failed: {
    title: "Query failed",
    message: "The database could not run the query for this question. Try rephrasing it.",
    retryable: false,
    kind: "refused",
    showDetail: true,
  },
  query_timeout: {
    title: "Query took too long",
    message: "The query for this question ran into the time limit. Try a shorter period.",
    retryable: true,
    kind: "timeout",
    showDetail: false,
  },
  upstream_unavailable: {
    title: "A service is down",
    message: "A service the API depends on is unavailable. Try again in a moment.",
    retryable: true,
    kind: "down",
    showDetail: true,
  },
  internal: {
    title: "Something went wrong",
    message: "The API hit an unexpected error. Try again; if it persists, check the API's log.",
    retryable: true,
    kind: "error",
    showDetail: false,
  },
  // --- added by the frontend
  api_unreachable: {
    title: "API unreachable",
    message: "The Mini-Mindy API is not answering. Is mindy-api running?",
    retryable: true,
    kind: "down",
    showDetail: false,
  },
  timeout: {
    title: "No answer in time",
    message: "The API did not answer in time. Try again.",
    retryable: true,
    kind: "timeout",
    showDetail: false,
  },
  bad_response: {
    title: "Unexpected answer",
    message: "The API answered in a form this page does not understand (a version mismatch?).",
    retryable: true,
    kind: "error",
    showDetail: false,
  },
  interrupted: {
    title: "Answer interrupted",
    message: "The connection closed before the answer was complete. Try again.",
    retryable: true,
    kind: "down",
    showDetail: false,
  },
  not_configured: {
    title: "Frontend not configured",
    message: "MINDY_API_TOKEN is not set on the Next.js server.",
    retryable: false,
    kind: "error",
    showDetail: false,
  },
};

const UNKNOWN: ErrorInfo = CODES.internal!;

/** What to show for `code` (unknown codes read as internal errors). */
export function describeError(code: string): ErrorInfo {
  return CODES[code] ?? UNKNOWN;
}

/** Whether `code` has words of its own. */
export function isKnownError(code: string): boolean {
  return Object.hasOwn(CODES, code);
}

/** The code for an HTTP status when the body carried none. */
export function codeForStatus(status: number): string {
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 429) return "rate_limited";
  if (status === 504) return "timeout";
  if (status === 502 || status === 503) return "upstream_unavailable";
  if (status >= 400 && status < 500) return "bad_request";
  return "internal";
}
