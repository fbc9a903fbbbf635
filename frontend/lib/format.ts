// Number, size, duration and time formatting shared by the chat and the dashboard (fixed en-US locale, so the
// server's and the browser's renderings agree and tests can rely on them).

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** 12345 → "12,345"; 3.14159 → "3.14"; null → "—". */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return Number.isInteger(value) ? integer.format(value) : decimal.format(value);
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Seconds → "850 ms", "42 s", "3 min 5 s", "2 h 4 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Milliseconds → "12 ms" / "1.2 s". */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** How long ago `then` was, relative to `now` (epoch ms): "just now", "5 min ago", "3 h ago", "2 days ago". */
export function formatAgo(then: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 10) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** An RFC 3339 time as "2026-11-25 07:03 UTC" (UTC, so server and browser render the same text). */
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A result cell: numbers grouped, booleans as yes/no, null as a dash, the rest as text. */
export function formatCell(value: string | number | boolean | null): string {
  if (value === null) return "—";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  return value;
}

// ---- wall-clock times of the answers. The API sends local times (PostgreSQL `timestamp`, already in the user's
// timezone) as "2026-12-02T09:30:00" and dates as "2026-12-02": they are read as written, never converted through
// the browser's zone.

const WALL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/;
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function wall(value: string | null | undefined): { y: number; m: number; d: number; time: string | null } | null {
  const match = value ? WALL.exec(value) : null;
  if (!match) return null;
  const [, y, m, d, hh, mm] = match;
  return { y: Number(y), m: Number(m), d: Number(d), time: hh ? `${hh}:${mm}` : null };
}

/** "2026-12-02T09:30:00" → "09:30"; null when the value has no time. */
export function formatClock(value: string | null | undefined): string | null {
  return wall(value)?.time ?? null;
}

const LONG_WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/**
 * "2026-12-02" (or a local time) → "Wed 2 Dec", or "Wednesday 2 December" when `long`; the text itself when it is
 * not a date.
 */
export function formatDay(value: string | null | undefined, long = false): string {
  const w = wall(value);
  if (!w) return value ?? "—";
  const day = new Date(Date.UTC(w.y, w.m - 1, w.d)).getUTCDay();
  return long ? `${LONG_WEEKDAYS[day]} ${w.d} ${LONG_MONTHS[w.m - 1]}` : `${WEEKDAYS[day]} ${w.d} ${MONTHS[w.m - 1]}`;
}

/** "2026-12-02T09:30:00" → "Wed 2 Dec, 09:30". */
export function formatMoment(value: string | null | undefined): string {
  const time = formatClock(value);
  return time ? `${formatDay(value)}, ${time}` : formatDay(value);
}

/** 1 → "1 meeting", 3 → "3 meetings". */
export function plural(n: number, one: string, many: string): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/** Hours as "6.5 h", minutes under an hour as "45 min". */
export function formatHours(hours: number | null | undefined): string {
  if (hours === null || hours === undefined || Number.isNaN(hours)) return "—";
  if (hours > 0 && hours < 1) return `${Math.round(hours * 60)} min`;
  return `${formatNumber(Math.round(hours * 10) / 10)} h`;
}
