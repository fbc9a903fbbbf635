//! The second half of a pass: what each email means given the others — its sender's
//! organisation and role, its thread, the user's replies, follow-ups, escalation, urgency — for
//! every email in `silver/email_facts`, recomputed in full each pass (the facts are narrow: no
//! bodies) and merged into `silver/email_insights` and `silver/email_action_items` so only rows
//! that changed are written.
//!
//! **Threads.** An email's thread is the record's thread id (Gmail's, or the first References /
//! In-Reply-To id) of the oldest message it references that the lake holds, else its own: so a
//! reply ingested from an mbox joins the Gmail thread of the message it answers. The same message
//! ingested twice (same Message-ID, two sources) counts once.
//!
//! **Who the user is.** The configured addresses and domains, plus every sender of mail labelled
//! `SENT`, and those senders' domains (free-mail domains excepted).
//!
//! **Roles** ([`mindy_core::intel::SenderRole`]), per domain: the mapping table's role; the
//! user's domains and their subdomains are internal; free-mail domains personal; a domain whose
//! mail is mostly bulk is newsletter/automated; any other business domain a client (role source
//! `default`). A bulk email is newsletter/automated whatever its domain.
//!
//! **Urgency** (0–100, per inbound email, from the email and what came before it — never from
//! later mail, so it does not change once the email is in):
//!
//! | component | points |
//! | --- | --- |
//! | urgent words in the subject / in the body | 25 / 15 |
//! | a due time within 24 h / 72 h of sending | 20 / 10 |
//! | sender role: client / internal leadership / other internal or vendor-partner | 15 / 10 / 5 |
//! | a client who wrote fewer than 3 emails in the 30 days before | 5 |
//! | an external executive (C-level, VP, president, founder) | 5 |
//! | follow-ups without a reply from the user (per message, at most 2) | 10 |
//! | part of an escalation | 20 |
//! | frustrated / otherwise negative | 10 / 5 |
//!
//! Newsletters and automated mail are capped at 10; the user's own mail scores 0. `urgent` is a
//! score at or above the threshold (60 by default).
//!
//! **Escalation.** An inbound message signals escalation when it is from an external sender and
//! uses escalation words (chasing, unanswered, alternatives, executive review, ...), when its
//! sentiment is negative and 0.3 below the sender side's previous message in the thread, or when
//! it is a negative follow-up. An email escalates when such a signal occurs in its thread since
//! the user last wrote (itself included), or when its sender is a client or partner whose
//! organisation signalled escalation in the 48 hours before it.

use spark_client::types::{IntoLiteral, Literal};
use spark_client::SparkSession;

use super::delta::{self, MergeCounts};
use super::facts::bind;
use super::sentiment::SentimentSettings;
use super::Paths;
use crate::Result;
use mindy_core::intel::{EmailActionItem, EmailInsight, SenderRole};
use spark_client::types::StructType;

/// Titles of executives.
pub const RE_EXECUTIVE: &str = r"(?i)\b(?:ceo|cto|cfo|coo|cio|ciso|cro|cmo|chief|president|founder|co-founder|vp|svp|evp|vice president)\b";

/// Settings of the context computation.
#[derive(Debug, Clone, Copy)]
pub struct ContextSettings {
    /// Sentiment classes.
    pub sentiment: SentimentSettings,
    /// The urgency score from which an email is urgent.
    pub urgent_threshold: i32,
}

/// The named parameters of the context queries.
pub fn params(settings: &ContextSettings) -> Vec<(&'static str, Literal)> {
    vec![
        ("re_executive", RE_EXECUTIVE.into_literal()),
        ("urgent_threshold", settings.urgent_threshold.into_literal()),
    ]
}

/// `CASE` of a role's group label ("Clients", ...), as SQL.
pub fn role_group(role: &str) -> String {
    let arms: Vec<String> = SenderRole::ALL
        .iter()
        .map(|r| format!("WHEN '{}' THEN '{}'", r.as_str(), r.group_label()))
        .collect();
    format!("CASE {role} {} END", arms.join(" "))
}

/// A readable organisation name from a domain: its registrable label, capitalised
/// (`mail.acmecorp.co.uk` → `Acmecorp`).
fn pretty_domain(domain: &str) -> String {
    format!(
        "initcap(CASE WHEN size(split({domain}, '\\\\.')) >= 3 \
           AND element_at(split({domain}, '\\\\.'), -2) IN ('co', 'com', 'org', 'net', 'ac', 'gov', 'edu') \
         THEN element_at(split({domain}, '\\\\.'), -3) ELSE element_at(split({domain}, '\\\\.'), -2) END)"
    )
}

/// The user's addresses (view `enrich_users`): the configured ones and every sender of mail
/// labelled `SENT`.
const USERS_SQL: &str = "SELECT lower(address) AS address FROM mindy_user_addresses
UNION SELECT from_address FROM enrich_facts WHERE array_contains(labels, 'SENT')";

/// Every domain seen (view `enrich_domains`), with its organisation name, role, role source and
/// whether it is the user's.
fn domains_sql() -> String {
    format!(
        "WITH user_domains AS (
  SELECT lower(domain) AS domain FROM mindy_user_domains
  UNION SELECT substring_index(u.address, '@', -1) FROM enrich_users u
    LEFT ANTI JOIN mindy_freemail fm ON substring_index(u.address, '@', -1) = fm.domain
),
all_domains AS (
  SELECT DISTINCT domain FROM (
    SELECT sender_domain AS domain FROM enrich_facts
    UNION ALL SELECT substring_index(r, '@', -1) FROM enrich_facts LATERAL VIEW explode(recipients) x AS r
  ) WHERE domain IS NOT NULL AND domain <> ''
),
internal AS (
  SELECT DISTINCT a.domain FROM all_domains a
  JOIN user_domains u ON a.domain = u.domain OR a.domain LIKE concat('%.', u.domain)
),
bulk AS (
  SELECT sender_domain AS domain, avg(CASE WHEN bulk_reason IS NOT NULL THEN 1.0 ELSE 0.0 END) AS share
  FROM enrich_facts GROUP BY sender_domain
),
signed AS (
  SELECT sender_domain AS domain, signature_org AS org, count(*) AS n
  FROM enrich_facts WHERE signature_org IS NOT NULL GROUP BY sender_domain, signature_org
),
sig_org AS (SELECT domain, max_by(org, struct(n, org)) AS org FROM signed GROUP BY domain),
internal_name AS (
  SELECT max_by(s.org, struct(s.n, s.org)) AS name FROM signed s JOIN internal i ON s.domain = i.domain
)
SELECT a.domain,
  CASE WHEN o.role IS NOT NULL THEN o.role
       WHEN i.domain IS NOT NULL THEN 'internal'
       WHEN fm.domain IS NOT NULL THEN 'personal'
       WHEN coalesce(b.share, 0.0) >= 0.5 THEN 'newsletter_automated'
       ELSE 'client' END AS role,
  CASE WHEN o.role IS NOT NULL THEN 'mapping'
       WHEN i.domain IS NOT NULL OR fm.domain IS NOT NULL OR coalesce(b.share, 0.0) >= 0.5 THEN 'rule'
       ELSE 'default' END AS role_source,
  CASE WHEN o.display_name IS NOT NULL THEN o.display_name
       WHEN fm.domain IS NOT NULL THEN NULL
       WHEN i.domain IS NOT NULL THEN coalesce(s.org, (SELECT name FROM internal_name), {pretty})
       ELSE coalesce(s.org, {pretty}) END AS name
FROM all_domains a
LEFT JOIN mindy_org_names o ON a.domain = o.domain
LEFT JOIN internal i ON a.domain = i.domain
LEFT JOIN mindy_freemail fm ON a.domain = fm.domain
LEFT JOIN bulk b ON a.domain = b.domain
LEFT JOIN sig_org s ON a.domain = s.domain",
        pretty = pretty_domain("a.domain"),
    )
}

/// The insights query (columns of [`EmailInsight`]) over views `enrich_facts` and
/// `enrich_domains`.
fn insights_sql(settings: &ContextSettings) -> String {
    let sentiment = settings.sentiment.class("sentiment_score");
    let group = role_group("role");
    format!(
        "WITH f AS (SELECT * FROM enrich_facts),
users AS (SELECT collect_set(address) AS addresses FROM enrich_users),
refs AS (
  SELECT f.id, r.pos, r.ref FROM f
  LATERAL VIEW posexplode(concat(f.`references`, array(f.in_reply_to))) r AS pos, ref
  WHERE r.ref IS NOT NULL
),
parents AS (
  SELECT refs.id, min_by(p.thread_id, refs.pos) AS parent_thread
  FROM refs JOIN f p ON p.rfc822_message_id = refs.ref GROUP BY refs.id
),
titles AS (
  SELECT from_address, max_by(signature_title, sent_at) AS title
  FROM f WHERE signature_title IS NOT NULL GROUP BY from_address
),
teams AS (
  SELECT t.from_address, min_by(tm.team, tm.ord) AS team
  FROM titles t JOIN mindy_teams tm ON t.title rlike tm.pattern GROUP BY t.from_address
),
mail AS (
  SELECT f.*,
    coalesce(p.parent_thread, f.thread_id) AS thread_key,
    array_contains((SELECT addresses FROM users), f.from_address) AS outbound,
    arrays_overlap(f.recipients, (SELECT addresses FROM users)) AS addressed,
    CASE WHEN f.bulk_reason IS NOT NULL THEN 'newsletter_automated' ELSE d.role END AS role,
    d.name AS organization,
    t.title AS sender_title,
    tm.team AS team,
    {sentiment} AS sentiment
  FROM f
  LEFT JOIN parents p ON f.id = p.id
  LEFT JOIN enrich_domains d ON f.sender_domain = d.domain
  LEFT JOIN titles t ON f.from_address = t.from_address
  LEFT JOIN teams tm ON f.from_address = tm.from_address
),
ordered AS (
  SELECT m.*,
    row_number() OVER (PARTITION BY thread_key ORDER BY sent_at, id) AS thread_position,
    count(*) OVER (PARTITION BY thread_key) AS thread_message_count,
    sum(CASE WHEN outbound THEN 1 ELSE 0 END) OVER (PARTITION BY thread_key ORDER BY sent_at, id
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS seg,
    min(CASE WHEN outbound THEN sent_at END) OVER (PARTITION BY thread_key ORDER BY sent_at, id
      ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_user_at,
    last(CASE WHEN NOT outbound THEN id END, true) OVER (PARTITION BY thread_key ORDER BY sent_at, id
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS last_inbound_before,
    last(CASE WHEN NOT outbound THEN sentiment_score END, true) OVER (PARTITION BY thread_key ORDER BY sent_at, id
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_inbound_score,
    count(*) OVER (PARTITION BY from_address ORDER BY unix_seconds(sent_at)
      RANGE BETWEEN 2592000 PRECEDING AND 1 PRECEDING) AS sender_prior_30d
  FROM mail m
),
followed AS (
  SELECT o.*,
    CASE WHEN outbound THEN 0 ELSE count(CASE WHEN NOT outbound THEN 1 END) OVER (
      PARTITION BY thread_key, seg ORDER BY sent_at, id
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) END AS follow_ups
  FROM ordered o
),
signalled AS (
  SELECT x.*,
    (NOT outbound AND role <> 'newsletter_automated' AND (
        (role <> 'internal' AND size(escalation_terms) > 0)
        OR (sentiment = 'negative' AND prev_inbound_score IS NOT NULL
            AND sentiment_score < prev_inbound_score - 0.3)
        OR (follow_ups >= 1 AND sentiment = 'negative'))) AS escalation_signal
  FROM followed x
),
escalated AS (
  SELECT s.*,
    max(CASE WHEN escalation_signal THEN 1 ELSE 0 END) OVER (PARTITION BY thread_key, seg
      ORDER BY sent_at, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) = 1 AS thread_escalating,
    max(CASE WHEN escalation_signal AND role IN ('client', 'vendor_partner') THEN sent_at END)
      OVER (PARTITION BY sender_domain ORDER BY sent_at, id
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS org_last_escalation
  FROM signalled s
),
answers AS (
  SELECT coalesce(p.id, r.last_inbound_before) AS answered_id, min(r.sent_at) AS replied_at
  FROM escalated r LEFT JOIN f p ON r.in_reply_to = p.rfc822_message_id
  WHERE r.outbound GROUP BY coalesce(p.id, r.last_inbound_before)
),
judged AS (
  SELECT e.*,
    CASE WHEN e.outbound THEN NULL ELSE a.replied_at END AS replied_at,
    coalesce(NOT e.outbound AND (e.thread_escalating OR (e.role IN ('client', 'vendor_partner')
       AND e.org_last_escalation >= e.sent_at - INTERVAL 48 HOURS)), false) AS escalating,
    array_min(transform(e.action_items, i -> i.due_at)) AS next_due_at
  FROM escalated e LEFT JOIN answers a ON e.id = a.answered_id
),
scored AS (
  SELECT j.*,
    (escalating AND sentiment = 'negative') AS frustrated,
    (unix_seconds(next_due_at) - unix_seconds(sent_at)) / 3600.0 AS due_hours,
    (role IN ('client', 'vendor_partner') AND coalesce(sender_title rlike :re_executive, false)) AS executive
  FROM judged j
),
points AS (
  SELECT s.*,
    CASE WHEN size(subject_urgency_terms) > 0 THEN 25 ELSE 0 END AS p_subject,
    CASE WHEN size(body_urgency_terms) > 0 THEN 15 ELSE 0 END AS p_body,
    CASE WHEN due_hours <= 24 THEN 20 WHEN due_hours <= 72 THEN 10 ELSE 0 END AS p_due,
    CASE WHEN role = 'client' THEN 15
         WHEN role = 'internal' AND team = 'Leadership' THEN 10
         WHEN role IN ('internal', 'vendor_partner') THEN 5 ELSE 0 END AS p_role,
    CASE WHEN role = 'client' AND sender_prior_30d < 3 THEN 5 ELSE 0 END AS p_rare,
    CASE WHEN executive THEN 5 ELSE 0 END AS p_exec,
    least(follow_ups, 2) * 10 AS p_follow,
    CASE WHEN escalating THEN 20 ELSE 0 END AS p_escalation,
    CASE WHEN frustrated THEN 10 WHEN sentiment = 'negative' THEN 5 ELSE 0 END AS p_tone
  FROM scored s
),
total AS (
  SELECT p.*,
    CASE WHEN outbound THEN 0 ELSE least(100,
      CASE WHEN role = 'newsletter_automated' THEN least(10, raw) ELSE raw END) END AS urgency_score
  FROM (SELECT *, p_subject + p_body + p_due + p_role + p_rare + p_exec + p_follow + p_escalation + p_tone AS raw
        FROM points) p
)
SELECT id, thread_key AS thread_id, sent_at, to_date(sent_at) AS sent_date,
  CASE WHEN outbound THEN 'outbound' ELSE 'inbound' END AS direction,
  from_address, from_name, sender_domain, organization, role AS sender_role, sender_title,
  CASE WHEN role = 'internal' THEN coalesce(team, 'Other internal') ELSE {group} END AS sender_group,
  array_join(recipients, ', ') AS recipients, subject, summary, sentiment, sentiment_score,
  frustrated,
  cast(urgency_score AS INT) AS urgency_score,
  urgency_score >= :urgent_threshold AS urgent,
  CASE WHEN outbound THEN '' ELSE concat_ws(', ',
    CASE WHEN p_subject > 0 THEN concat('urgent words in subject (', array_join(subject_urgency_terms, ', '), ')') END,
    CASE WHEN p_body > 0 THEN concat('urgent words (', array_join(body_urgency_terms, ', '), ')') END,
    CASE WHEN p_due = 20 THEN 'due within 24 hours' WHEN p_due = 10 THEN 'due within 3 days' END,
    CASE WHEN p_role > 0 THEN concat('sender: ', CASE WHEN role = 'internal' THEN coalesce(team, 'internal') ELSE role END) END,
    CASE WHEN p_rare > 0 THEN 'client who rarely writes' END,
    CASE WHEN p_exec > 0 THEN 'executive sender' END,
    CASE WHEN p_follow > 0 THEN concat(follow_ups, ' follow-up(s) without reply') END,
    CASE WHEN p_escalation > 0 THEN 'escalation' END,
    CASE WHEN frustrated THEN 'frustrated' WHEN p_tone > 0 THEN 'negative tone' END,
    CASE WHEN role = 'newsletter_automated' AND raw > 10 THEN 'capped: newsletter or automated' END)
  END AS urgency_reasons,
  (NOT outbound AND role <> 'newsletter_automated' AND addressed
    AND (has_question OR has_request) AND next_user_at IS NULL) AS needs_reply,
  escalating,
  size(action_items) AS action_item_count,
  next_due_at,
  cast(thread_position AS INT) AS thread_position,
  cast(thread_message_count AS INT) AS thread_message_count,
  cast(follow_ups AS INT) AS follow_ups,
  replied_at,
  round((unix_micros(replied_at) - unix_micros(sent_at)) / 60000000.0, 1) AS response_minutes,
  current_timestamp() AS computed_at,
  rfc822_message_id
FROM total"
    )
}

/// The action items query (columns of [`EmailActionItem`]) over `enrich_facts` and the merged
/// insights table: requests in inbound, non-bulk mail; open while the user has not written in
/// the thread since.
fn action_items_sql(insights: &str) -> String {
    format!(
        "WITH i AS (
  SELECT *, max(CASE WHEN direction = 'outbound' THEN sent_at END)
    OVER (PARTITION BY thread_id) AS last_user_at
  FROM {insights}
)
SELECT i.id AS email_id, a.item_no, i.thread_id, i.sent_at, i.from_address, i.from_name,
  i.organization, i.sender_role, a.description, a.due_at, to_date(a.due_at) AS due_date, a.due_text,
  (i.last_user_at IS NULL OR i.last_user_at < i.sent_at) AS open,
  current_timestamp() AS computed_at
FROM i JOIN enrich_facts f ON i.id = f.id
LATERAL VIEW inline(f.action_items) a AS item_no, description, due_at, due_text
WHERE i.direction = 'inbound' AND i.sender_role <> 'newsletter_automated'"
    )
}

/// The cached views a pass registers ([`delta::cache_view`]), released at its end.
pub const CACHED_VIEWS: [&str; 4] = [
    "enrich_facts",
    "enrich_users",
    "enrich_domains",
    SERVED_INSIGHTS,
];

/// The view of `silver/email_insights` as merged, read by the action items and the gold tables.
pub const SERVED_INSIGHTS: &str = "enrich_served_insights";

/// Registers, cached, the views the context and gold queries read: `enrich_facts` (the facts,
/// one row per message), `enrich_users` and `enrich_domains`.
pub async fn register_views(session: &SparkSession, paths: &Paths) -> Result<()> {
    let facts = delta::table(&paths.facts)?;
    let deduplicated = session
        .sql(format!(
            "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY coalesce(rfc822_message_id, id) ORDER BY id) AS copy_no FROM {facts}) WHERE copy_no = 1"
        ))
        .await?
        .drop(["copy_no"]);
    delta::cache_view(session, deduplicated, "enrich_facts").await?;
    delta::cache_view(session, session.sql(USERS_SQL).await?, "enrich_users").await?;
    delta::cache_view(session, session.sql(domains_sql()).await?, "enrich_domains").await?;
    Ok(())
}

/// Recomputes every email's insights and merges the changes into `silver/email_insights`.
///
/// The computed rows are written to the scratch table `silver/enrich_insights` first and the
/// merge reads them from there. A `MERGE` whose source is a query copies that source before it
/// starts (Delta's `merge.materializeSource`), and the copy recomputed the whole insights
/// query (a cached view of it was not matched): about 6 s of a 20 s step on the demo lake, and
/// one more compilation of a very large plan on the Connect driver. A plain Delta table is read
/// as it is.
pub async fn insights(
    session: &SparkSession,
    paths: &Paths,
    settings: &ContextSettings,
) -> Result<MergeCounts> {
    let computed = bind(session, insights_sql(settings), &params(settings)).await?;
    delta::replace_scratch(
        session,
        computed,
        &paths.computed_insights,
        "enrich_insights",
    )
    .await?;
    let counts = delta::merge_changes(
        session,
        &paths.insights,
        "enrich_insights",
        &StructType::of::<EmailInsight>(),
        &["id"],
    )
    .await?;
    let served = session.read().format("delta").load_path(&paths.insights);
    delta::cache_view(session, served, SERVED_INSIGHTS).await?;
    Ok(counts)
}

/// Recomputes the action items from the merged insights ([`SERVED_INSIGHTS`], registered by
/// [`insights`]) and merges the changes.
pub async fn action_items(session: &SparkSession, paths: &Paths) -> Result<MergeCounts> {
    session
        .sql(action_items_sql(SERVED_INSIGHTS))
        .await?
        .create_or_replace_temp_view("enrich_action_items")
        .await?;
    delta::merge_changes(
        session,
        &paths.action_items,
        "enrich_action_items",
        &StructType::of::<EmailActionItem>(),
        &["email_id", "item_no"],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_groups_cover_every_role() {
        let sql = role_group("r");
        for role in SenderRole::ALL {
            assert!(sql.contains(role.group_label()));
        }
    }

    #[test]
    fn executives_are_recognised() {
        let re = regex::Regex::new(RE_EXECUTIVE).unwrap();
        assert!(re.is_match("CTO") && re.is_match("VP Operations"));
        assert!(!re.is_match("Director of Procurement"));
    }
}
