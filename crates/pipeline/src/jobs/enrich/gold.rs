//! The gold tables, recomputed from `silver/email_insights` each pass and merged so only
//! changed rows are written: conversations (`gold/email_threads`), people (`gold/contacts`),
//! organisations (`gold/organizations`) and the 30-day patterns (`gold/email_patterns`).
//!
//! "The last 30 days" are the 30 calendar days (user's timezone) ending with the pass's `as_of`
//! day (today by default); "the 30 days before" the 30 before those.

use chrono::NaiveDate;
use mindy_core::intel::{Contact, EmailPattern, EmailThread, Organization};
use spark_client::types::{IntoLiteral, Literal, StructType};
use spark_client::SparkSession;

use super::context::role_group;
use super::delta::{self, MergeCounts};
use super::facts::bind;
use super::{text, Paths};
use crate::Result;

/// Rows sent on the day `sent_date` of the last 30 days.
const LAST_30: &str = "sent_date BETWEEN date_sub(:as_of, 29) AND :as_of";
/// ... of the 30 days before.
const PREVIOUS_30: &str = "sent_date BETWEEN date_sub(:as_of, 59) AND date_sub(:as_of, 30)";

/// The first sentence of a summary.
fn first_sentence(summary: &str) -> String {
    format!("coalesce(nullif(regexp_extract({summary}, '^(.*?[.!?])(\\\\s|$)', 1), ''), {summary})")
}

fn threads_sql(insights: &str) -> String {
    format!(
        "WITH i AS (SELECT * FROM {insights}),
users AS (SELECT collect_set(address) AS a FROM enrich_users),
names AS (
  SELECT from_address AS address, max_by(from_name, sent_at) AS name
  FROM i WHERE from_name IS NOT NULL GROUP BY from_address
),
people AS (
  SELECT thread_id, from_address AS address FROM i
  UNION SELECT thread_id, trim(r) AS address FROM i
    LATERAL VIEW explode(split(recipients, ',')) x AS r WHERE recipients <> ''
),
participants AS (
  SELECT p.thread_id, array_join(array_sort(collect_set(
    CASE WHEN n.name IS NOT NULL THEN concat(n.name, ' <', p.address, '>') ELSE p.address END)), ', ') AS participants
  FROM people p LEFT JOIN names n ON p.address = n.address
  WHERE NOT array_contains((SELECT a FROM users), p.address)
  GROUP BY p.thread_id
),
agg AS (
  SELECT thread_id,
    min_by(subject, struct(sent_at, id)) AS first_subject,
    min(sent_at) AS first_at, max(sent_at) AS last_at,
    count(*) AS message_count,
    count_if(direction = 'inbound') AS inbound_count,
    count_if(direction = 'outbound') AS user_reply_count,
    array_join(array_sort(collect_set(CASE WHEN direction = 'inbound'
      AND sender_role NOT IN ('internal', 'newsletter_automated') THEN organization END)), ', ') AS organizations,
    min_by(organization, struct(sent_at, id)) FILTER (WHERE direction = 'inbound') AS primary_organization,
    min_by(sender_role, struct(sent_at, id)) FILTER (WHERE direction = 'inbound') AS primary_role,
    max_by(from_address, struct(sent_at, id)) AS last_from_address,
    max_by(from_name, struct(sent_at, id)) AS last_from_name,
    max_by(needs_reply, struct(sent_at, id)) FILTER (WHERE direction = 'inbound') AS latest_needs_reply,
    min(sent_at) FILTER (WHERE needs_reply) AS awaiting_since,
    max(escalating) AS escalating,
    max(urgent) AS urgent,
    max(urgency_score) AS max_urgency_score,
    max_by(sentiment, struct(sent_at, id)) FILTER (WHERE direction = 'inbound') AS latest_sentiment,
    min_by(sentiment_score, struct(sent_at, id)) FILTER (WHERE direction = 'inbound') AS first_score,
    max_by(sentiment_score, struct(sent_at, id)) FILTER (WHERE direction = 'inbound') AS last_score,
    count_if(direction = 'inbound' AND sentiment = 'negative') AS negative_count,
    round(avg(response_minutes), 1) AS avg_response_minutes,
    min_by(struct(coalesce(from_name, from_address) AS who, summary, id), struct(sent_at, id)) AS first_msg,
    max_by(struct(coalesce(from_name, from_address) AS who, summary, id), struct(sent_at, id))
      FILTER (WHERE direction = 'inbound') AS last_in
  FROM i GROUP BY thread_id
)
SELECT a.thread_id,
  coalesce(nullif({subject}, ''), '(no subject)') AS subject,
  a.first_at, a.last_at,
  cast(a.message_count AS INT) AS message_count,
  cast(a.inbound_count AS INT) AS inbound_count,
  cast(a.user_reply_count AS INT) AS user_reply_count,
  coalesce(p.participants, '') AS participants,
  coalesce(a.organizations, '') AS organizations,
  a.primary_organization, a.primary_role,
  a.last_from_address, a.last_from_name,
  coalesce(a.latest_needs_reply, false) AS needs_reply,
  a.awaiting_since,
  a.escalating, a.urgent,
  cast(a.max_urgency_score AS INT) AS max_urgency_score,
  a.latest_sentiment,
  CASE WHEN a.inbound_count >= 2 AND a.last_score < a.first_score - 0.3 THEN 'worsening'
       WHEN a.inbound_count >= 2 AND a.last_score > a.first_score + 0.3 THEN 'improving'
       ELSE 'steady' END AS sentiment_trend,
  cast(a.negative_count AS INT) AS negative_count,
  a.avg_response_minutes,
  concat_ws(' ',
    concat(a.first_msg.who, ': ', {first}),
    CASE WHEN a.last_in IS NOT NULL AND a.last_in.id <> a.first_msg.id
      THEN concat('Latest from ', a.last_in.who, ': ', {last}) END,
    concat('(', a.message_count, CASE WHEN a.message_count = 1 THEN ' message' ELSE ' messages' END,
      CASE WHEN a.user_reply_count > 0 THEN concat(', ', a.user_reply_count, ' from you') ELSE '' END,
      CASE WHEN coalesce(a.latest_needs_reply, false) THEN ', awaiting your reply' ELSE '' END, ')')
  ) AS summary,
  current_timestamp() AS computed_at
FROM agg a LEFT JOIN participants p ON a.thread_id = p.thread_id",
        subject = text::clean_subject("a.first_subject"),
        first = first_sentence("a.first_msg.summary"),
        last = first_sentence("a.last_in.summary"),
    )
}

/// Every appearance of an address: as the sender of inbound mail, as a recipient.
fn appearances(insights: &str) -> String {
    format!(
        "SELECT from_address AS address, sent_at, sent_date, 'from' AS how FROM {insights} WHERE direction = 'inbound'
  UNION ALL
  SELECT trim(r) AS address, sent_at, sent_date,
    CASE WHEN direction = 'outbound' THEN 'to' ELSE 'cc' END AS how
  FROM {insights} LATERAL VIEW explode(split(recipients, ',')) x AS r WHERE recipients <> ''"
    )
}

fn contacts_sql(insights: &str) -> String {
    let group = role_group("role");
    format!(
        "WITH i AS (SELECT * FROM {insights} WHERE direction = 'inbound'),
seen AS ({appearances}),
users AS (SELECT collect_set(address) AS a FROM enrich_users),
from_stats AS (
  SELECT from_address AS address,
    max_by(from_name, sent_at) FILTER (WHERE from_name IS NOT NULL) AS name,
    max_by(sender_title, sent_at) FILTER (WHERE sender_title IS NOT NULL) AS title,
    avg(CASE WHEN sender_role = 'newsletter_automated' THEN 1.0 ELSE 0.0 END) AS bulk_share,
    max_by(sender_group, sent_at) FILTER (WHERE sender_role = 'internal') AS team,
    count(*) AS emails_from,
    count_if({LAST_30}) AS emails_from_30d,
    max(sent_at) AS last_from_at,
    round(avg(CASE WHEN {LAST_30} THEN sentiment_score END), 3) AS avg_sentiment_30d,
    count_if({LAST_30} AND sentiment = 'negative') AS negative_30d,
    count_if({LAST_30} AND urgent) AS urgent_30d,
    count_if(needs_reply) AS awaiting_reply,
    round(avg(response_minutes), 1) AS avg_response_minutes
  FROM i GROUP BY from_address
),
seen_stats AS (
  SELECT address, min(sent_at) AS first_seen, max(sent_at) AS last_seen,
    count_if(how = 'to') AS emails_to,
    count_if(how = 'to' AND {LAST_30}) AS emails_to_30d,
    max(CASE WHEN how = 'to' THEN sent_at END) AS last_to_at
  FROM seen WHERE address <> '' GROUP BY address
),
classified AS (
  SELECT s.*, f.name, f.title, f.team, f.emails_from, f.emails_from_30d, f.last_from_at,
    f.avg_sentiment_30d, f.negative_30d, f.urgent_30d, f.awaiting_reply, f.avg_response_minutes,
    substring_index(s.address, '@', -1) AS domain,
    d.name AS organization,
    CASE WHEN coalesce(f.bulk_share, 0.0) >= 0.5 THEN 'newsletter_automated'
         ELSE coalesce(d.role, 'client') END AS role
  FROM seen_stats s
  LEFT JOIN from_stats f ON s.address = f.address
  LEFT JOIN enrich_domains d ON substring_index(s.address, '@', -1) = d.domain
)
SELECT address, name, title, organization, domain, role,
  CASE WHEN role = 'internal' THEN coalesce(team, 'Other internal') ELSE {group} END AS group_name,
  array_contains((SELECT a FROM users), address) AS is_user,
  first_seen, last_seen,
  coalesce(emails_from, 0) AS emails_from,
  coalesce(emails_from_30d, 0) AS emails_from_30d,
  emails_to, emails_to_30d,
  last_from_at, last_to_at,
  avg_sentiment_30d,
  coalesce(negative_30d, 0) AS negative_30d,
  coalesce(urgent_30d, 0) AS urgent_30d,
  coalesce(awaiting_reply, 0) AS awaiting_reply,
  avg_response_minutes,
  current_timestamp() AS computed_at
FROM classified",
        appearances = appearances(insights),
    )
}

fn organizations_sql(insights: &str) -> String {
    format!(
        "WITH i AS (SELECT * FROM {insights} WHERE direction = 'inbound'),
seen AS (SELECT substring_index(address, '@', -1) AS domain, address, sent_at, sent_date, how FROM ({appearances})),
from_d AS (
  SELECT sender_domain AS domain,
    count_if({LAST_30}) AS emails_from_30d,
    count_if({PREVIOUS_30}) AS emails_from_prev_30d,
    count_if({LAST_30} AND urgent) AS urgent_30d,
    count_if({LAST_30} AND sentiment = 'negative') AS negative_30d,
    count_if(needs_reply) AS awaiting_reply,
    count(DISTINCT CASE WHEN escalating AND sent_date >= date_sub(:as_of, 6) THEN thread_id END) AS escalating_threads,
    round(avg(CASE WHEN {LAST_30} THEN sentiment_score END), 3) AS avg_sentiment_30d,
    round(avg(response_minutes), 1) AS avg_response_minutes
  FROM i GROUP BY sender_domain
),
senders AS (
  SELECT sender_domain AS domain, from_address, max_by(from_name, sent_at) AS name, count(*) AS n
  FROM i WHERE {LAST_30} GROUP BY sender_domain, from_address
),
top AS (
  SELECT domain, max_by(concat(coalesce(name, from_address), ' <', from_address, '>'), struct(n, from_address)) AS top_contact
  FROM senders GROUP BY domain
),
seen_d AS (
  SELECT domain, count(DISTINCT address) AS contact_count, max(sent_at) AS last_email_at,
    count_if(how = 'to' AND {LAST_30}) AS emails_to_30d
  FROM seen GROUP BY domain
)
SELECT d.domain, coalesce(d.name, d.domain) AS name, d.role, d.role_source,
  coalesce(s.contact_count, 0) AS contact_count,
  coalesce(f.emails_from_30d, 0) AS emails_from_30d,
  coalesce(f.emails_from_prev_30d, 0) AS emails_from_prev_30d,
  coalesce(s.emails_to_30d, 0) AS emails_to_30d,
  s.last_email_at,
  coalesce(f.urgent_30d, 0) AS urgent_30d,
  coalesce(f.negative_30d, 0) AS negative_30d,
  coalesce(f.awaiting_reply, 0) AS awaiting_reply,
  coalesce(f.escalating_threads, 0) AS escalating_threads,
  f.avg_sentiment_30d, f.avg_response_minutes, t.top_contact,
  current_timestamp() AS computed_at
FROM enrich_domains d
JOIN seen_d s ON d.domain = s.domain
LEFT JOIN from_d f ON d.domain = f.domain
LEFT JOIN top t ON d.domain = t.domain
WHERE d.role <> 'personal'",
        appearances = appearances(insights),
    )
}

/// One kind of pattern: received mail of the window grouped by `dimension`.
fn pattern_rows(
    kind: &str,
    dimension: &str,
    label: &str,
    filter: &str,
    top: Option<i32>,
) -> String {
    let limit = top.map_or(String::new(), |n| format!("WHERE rank <= {n}"));
    format!(
        "SELECT '{kind}' AS kind, cur.key, cur.label, cur.emails,
    100.0 * cur.emails / (SELECT n FROM total) AS share_pct,
    cur.emails / 30.0 AS per_day,
    coalesce(prev.emails, 0) AS previous_emails,
    cur.avg_response_minutes, cur.median_response_minutes
  FROM (
    SELECT *, row_number() OVER (ORDER BY emails DESC, key) AS rank FROM (
      SELECT {dimension} AS key, max({label}) AS label, count(*) AS emails,
        avg(response_minutes) AS avg_response_minutes,
        percentile_approx(response_minutes, 0.5) AS median_response_minutes
      FROM w WHERE {filter} GROUP BY {dimension})
  ) cur
  LEFT JOIN (SELECT {dimension} AS key, count(*) AS emails FROM p WHERE {filter} GROUP BY {dimension}) prev
    ON cur.key = prev.key
  {limit}"
    )
}

/// One trend: a count in the window against the window before.
fn trend_row(key: &str, label: &str, condition: &str) -> String {
    format!(
        "SELECT 'trend' AS kind, '{key}' AS key, '{label}' AS label,
    (SELECT count_if({condition}) FROM w) AS emails,
    100.0 * (SELECT count_if({condition}) FROM w) / (SELECT n FROM total) AS share_pct,
    (SELECT count_if({condition}) FROM w) / 30.0 AS per_day,
    (SELECT count_if({condition}) FROM p) AS previous_emails,
    CAST(NULL AS DOUBLE) AS avg_response_minutes, CAST(NULL AS DOUBLE) AS median_response_minutes"
    )
}

fn patterns_sql(insights: &str) -> String {
    let hour_label = "concat(lpad(cast(hour(sent_at) AS STRING), 2, '0'), ':00-', lpad(cast((hour(sent_at) + 1) % 24 AS STRING), 2, '0'), ':00')";
    let rows = [
        "SELECT 'total' AS kind, 'emails' AS key, 'Emails received' AS label,
    (SELECT n FROM total) AS emails, 100.0 AS share_pct, (SELECT n FROM total) / 30.0 AS per_day,
    (SELECT count(*) FROM p) AS previous_emails,
    (SELECT avg(response_minutes) FROM w) AS avg_response_minutes,
    (SELECT percentile_approx(response_minutes, 0.5) FROM w) AS median_response_minutes"
            .to_string(),
        format!(
            "SELECT r.kind, r.key, r.label, r.emails, r.share_pct, r.emails / o.n AS per_day,
    r.previous_emails, r.avg_response_minutes, r.median_response_minutes
  FROM ({}) r JOIN occurrences o ON r.key = o.key",
            pattern_rows("weekday", "date_format(sent_date, 'EEEE')", "date_format(sent_date, 'EEEE')", "true", None)
        ),
        pattern_rows("hour", "lpad(cast(hour(sent_at) AS STRING), 2, '0')", hour_label, "true", None),
        pattern_rows("sender", "from_address", "coalesce(from_name, from_address)", "true", Some(10)),
        pattern_rows("group", "sender_group", "sender_group", "true", None),
        pattern_rows(
            "organization",
            "sender_domain",
            "coalesce(organization, sender_domain)",
            "sender_role IN ('client', 'vendor_partner')",
            Some(10),
        ),
        "SELECT 'response_time' AS kind, key, label, count(*) AS emails,
    CAST(NULL AS DOUBLE) AS share_pct, count(*) / 30.0 AS per_day, CAST(NULL AS BIGINT) AS previous_emails,
    avg(response_minutes) AS avg_response_minutes,
    percentile_approx(response_minutes, 0.5) AS median_response_minutes
  FROM (SELECT 'overall' AS key, 'All senders' AS label, response_minutes FROM w WHERE response_minutes IS NOT NULL
        UNION ALL SELECT sender_role, sender_group, response_minutes FROM w
          WHERE response_minutes IS NOT NULL AND sender_role <> 'internal'
        UNION ALL SELECT 'internal', 'Colleagues', response_minutes FROM w
          WHERE response_minutes IS NOT NULL AND sender_role = 'internal')
  GROUP BY key, label"
            .to_string(),
        trend_row("urgent", "Urgent emails", "urgent"),
        trend_row("negative", "Negative emails", "sentiment = 'negative'"),
        trend_row("escalating", "Emails in escalations", "escalating"),
        trend_row(
            "client_escalations",
            "Client escalations",
            "escalating AND sender_role = 'client'",
        ),
    ];
    format!(
        "WITH i AS (SELECT * FROM {insights} WHERE direction = 'inbound'),
w AS (SELECT * FROM i WHERE {LAST_30}),
p AS (SELECT * FROM i WHERE {PREVIOUS_30}),
total AS (SELECT greatest(count(*), 1) AS n FROM w),
occurrences AS (
  SELECT date_format(d, 'EEEE') AS key, count(*) AS n
  FROM (SELECT explode(sequence(date_sub(:as_of, 29), :as_of)) AS d) GROUP BY date_format(d, 'EEEE')
),
rows AS ({})
SELECT kind, key, label, :as_of AS as_of, cast(emails AS BIGINT) AS emails,
  round(share_pct, 1) AS share_pct, round(per_day, 2) AS per_day,
  cast(previous_emails AS BIGINT) AS previous_emails,
  CASE WHEN previous_emails > 0 THEN round(100.0 * (emails - previous_emails) / previous_emails, 1) END AS change_pct,
  round(avg_response_minutes, 1) AS avg_response_minutes,
  round(median_response_minutes, 1) AS median_response_minutes,
  current_timestamp() AS computed_at
FROM rows WHERE key IS NOT NULL",
        rows.join("\n  UNION ALL\n  ")
    )
}

/// The named parameters of the gold queries.
fn params(as_of: NaiveDate) -> Vec<(&'static str, Literal)> {
    let mut all = text::params();
    all.push(("as_of", as_of.into_literal()));
    all
}

/// What a gold refresh changed, per table.
#[derive(Debug, Clone, Copy, Default)]
pub struct GoldCounts {
    /// `gold/email_threads`.
    pub threads: MergeCounts,
    /// `gold/contacts`.
    pub contacts: MergeCounts,
    /// `gold/organizations`.
    pub organizations: MergeCounts,
    /// `gold/email_patterns`.
    pub patterns: MergeCounts,
}

/// Recomputes the four gold tables from the merged insights (the cached view
/// [`super::context::SERVED_INSIGHTS`]) and merges the changes.
pub async fn refresh(
    session: &SparkSession,
    paths: &Paths,
    as_of: NaiveDate,
) -> Result<GoldCounts> {
    let insights = super::context::SERVED_INSIGHTS;
    let params = params(as_of);
    let step = Step {
        session,
        params: &params,
    };
    Ok(GoldCounts {
        threads: step
            .merge::<EmailThread>(
                threads_sql(insights),
                "enrich_threads",
                &paths.threads,
                &["thread_id"],
            )
            .await?,
        contacts: step
            .merge::<Contact>(
                contacts_sql(insights),
                "enrich_contacts",
                &paths.contacts,
                &["address"],
            )
            .await?,
        organizations: step
            .merge::<Organization>(
                organizations_sql(insights),
                "enrich_organizations",
                &paths.organizations,
                &["domain"],
            )
            .await?,
        patterns: step
            .merge::<EmailPattern>(
                patterns_sql(insights),
                "enrich_patterns",
                &paths.patterns,
                &["kind", "key"],
            )
            .await?,
    })
}

/// One gold table's refresh: its query as a view, merged into its table.
struct Step<'a> {
    session: &'a SparkSession,
    params: &'a [(&'static str, Literal)],
}

impl Step<'_> {
    async fn merge<T: spark_client::types::SparkType>(
        &self,
        sql: String,
        view: &str,
        path: &str,
        key: &[&str],
    ) -> Result<MergeCounts> {
        bind(self.session, sql, self.params)
            .await?
            .create_or_replace_temp_view(view)
            .await?;
        delta::merge_changes(self.session, path, view, &StructType::of::<T>(), key).await
    }
}
