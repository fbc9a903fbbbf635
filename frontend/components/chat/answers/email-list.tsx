import { type Email, type EmailsView, roleLabel } from "@/lib/chat/scenes/emails";
import { formatMoment } from "@/lib/format";

import { FlagBadge, SentimentBadge, UrgencyBadge } from "./badges";
import styles from "./answers.module.css";

/** The emails answer: one card per email, oldest first, its summary a click away. */
export function EmailList({ view }: { view: EmailsView }) {
  if (view.emails.length === 0) return null;
  const severalOrgs = view.organizations.length > 1;
  return (
    <ol className={styles.emails} data-testid="email-list">
      {view.emails.map((email) => (
        <EmailItem key={email.key} email={email} showOrg={severalOrgs} />
      ))}
    </ol>
  );
}

function EmailItem({ email, showOrg }: { email: Email; showOrg: boolean }) {
  const about = [email.senderTitle, roleLabel(email.senderRole), showOrg ? email.organization : null].filter(Boolean).join(", ");
  return (
    <li className={`${styles.email} ${email.urgent ? styles.emailUrgent : ""}`} data-testid="email" data-sent={email.sentLocal}>
      <div className={styles.emailHead}>
        <time dateTime={email.sentLocal} className={styles.when}>
          {formatMoment(email.sentLocal)}
        </time>
        <span className={styles.sender} data-testid="email-sender">
          {email.sender}
          {about && <span className="muted"> ({about})</span>}
        </span>
        <span className={styles.badges}>
          <SentimentBadge sentiment={email.sentiment} />
          <UrgencyBadge score={email.urgencyScore} urgent={email.urgent} />
          {email.escalating && <FlagBadge name="escalating">Escalating</FlagBadge>}
          {email.needsReply && <FlagBadge name="needs-reply" tone="plain">Awaiting your reply</FlagBadge>}
        </span>
      </div>
      <details className={styles.emailBody}>
        <summary data-testid="email-subject">{email.subject}</summary>
        <p data-testid="email-summary">{email.summary ?? "No summary."}</p>
        {email.threadMessages !== null && (
          <p className={styles.freshness}>
            Thread of {email.threadMessages} {email.threadMessages === 1 ? "message" : "messages"}
          </p>
        )}
      </details>
    </li>
  );
}
