import type { Sentiment } from "@/lib/chat/scenes/emails";

/** Positive (green), neutral (grey) or negative (red). */
export function SentimentBadge({ sentiment }: { sentiment: Sentiment | string | null }) {
  if (!sentiment) return null;
  const tone = sentiment === "positive" ? "badge-ok" : sentiment === "negative" ? "badge-bad" : "";
  return (
    <span className={`badge ${tone}`} data-badge="sentiment" data-value={sentiment}>
      {sentiment.charAt(0).toUpperCase() + sentiment.slice(1)}
    </span>
  );
}

/** The urgency score (0–100), red when the email is urgent. */
export function UrgencyBadge({ score, urgent }: { score: number | null; urgent: boolean }) {
  if (score === null && !urgent) return null;
  return (
    <span className={`badge ${urgent ? "badge-bad" : ""}`} data-badge="urgency" data-value={score ?? undefined}>
      {urgent ? "Urgent" : "Urgency"}
      {score !== null && ` ${score}/100`}
    </span>
  );
}

/** A flag worth a glance: escalating, waiting for a reply, overdue... */
export function FlagBadge({ name, tone = "warn", children }: { name: string; tone?: "warn" | "bad" | "ok" | "plain"; children: string }) {
  return (
    <span className={`badge ${tone === "plain" ? "" : `badge-${tone}`}`} data-badge={name}>
      {children}
    </span>
  );
}
