//! The first half of a pass: what each new email says on its own, computed once per email.
//!
//! 1. [`stage`]: bronze rows not yet in `silver/email_facts` (one per id: the stream may hold a
//!    re-delivery), with the text cleaned and split into sentences, replace the scratch table
//!    `silver/enrich_stage`. Writing them once keeps the text work from running twice below.
//! 2. [`facts`]: sentiment ([`super::sentiment`]), requests and their due times
//!    ([`super::deadline`]), urgency and escalation words, the signature and the summary
//!    ([`super::text`]), inserted into `silver/email_facts` by id (a pass cut short and run again
//!    inserts nothing twice).

use spark_client::types::{IntoLiteral, Literal};
use spark_client::SparkSession;

use super::delta::{self, MergeCounts};
use super::{deadline, sentiment, text, Paths};
use crate::Result;

/// Record headers that mark bulk mail, as bronze columns, and how each reads: the rule applies
/// once bronze has the column (the record gains these fields in a later schema), so older
/// bronze tables still work.
const BULK_HEADER_RULES: &[(&str, &str, &str)] = &[
    (
        "list_unsubscribe",
        "list_unsubscribe IS NOT NULL AND list_unsubscribe <> ''",
        "list-unsubscribe header",
    ),
    (
        "list_id",
        "list_id IS NOT NULL AND list_id <> ''",
        "list-id header",
    ),
    (
        "precedence",
        "lower(trim(precedence)) IN ('bulk', 'list', 'junk')",
        "precedence: bulk",
    ),
    (
        "auto_submitted",
        "auto_submitted IS NOT NULL AND lower(trim(auto_submitted)) NOT IN ('', 'no')",
        "auto-submitted header",
    ),
];

/// Local parts of machine senders: `noreply@`, `notifications@`, `newsletter@`, ...
pub const RE_NO_REPLY: &str = r"(?i)^(?:no-?reply|do-?not-?reply|donotreply|notifications?|notify|alerts?|newsletters?|digest|news|mailer-daemon|postmaster|bounces?|updates|marketing)(?:[+._-][^@]*)?@";

/// Gmail's automatic categories of bulk and machine mail (Promotions, Updates, Social, Forums).
const BULK_LABELS: &str =
    "array('CATEGORY_PROMOTIONS', 'CATEGORY_UPDATES', 'CATEGORY_SOCIAL', 'CATEGORY_FORUMS')";

/// Why a bronze row is bulk or machine mail, as SQL, given bronze's columns.
fn bulk_reason(bronze_columns: &[String]) -> String {
    let mut when: Vec<String> = BULK_HEADER_RULES
        .iter()
        .filter(|(column, _, _)| bronze_columns.iter().any(|c| c == column))
        .map(|(_, condition, reason)| format!("WHEN {condition} THEN '{reason}'"))
        .collect();
    when.push("WHEN from_address rlike :re_no_reply THEN 'no-reply sender'".into());
    when.push("WHEN sender_domain rlike :re_bulk_mailers THEN 'bulk-mail service'".into());
    when.push(format!(
        "WHEN arrays_overlap(labels, {BULK_LABELS}) THEN 'gmail category'"
    ));
    format!("CASE {} END", when.join(" "))
}

/// The stage query: new bronze rows, deduplicated, with their text columns.
fn stage_sql(paths: &Paths, bronze_columns: &[String]) -> Result<String> {
    let bronze = delta::table(&paths.bronze)?;
    let facts = delta::table(&paths.facts)?;
    let clean_body = text::clean_body("body_text");
    let clean_subject = text::clean_subject("subject");
    let bulk = bulk_reason(bronze_columns);
    Ok(format!(
        "WITH fresh AS (
  SELECT b.*, row_number() OVER (PARTITION BY b.id ORDER BY b.kafka_timestamp, b.kafka_offset) AS copy_no
  FROM {bronze} b LEFT ANTI JOIN {facts} f ON b.id = f.id
  WHERE b.event_time IS NOT NULL AND b.from_address IS NOT NULL AND b.from_address <> ''
),
one AS (
  SELECT id, thread_id, rfc822_message_id, in_reply_to, `references`, event_time AS sent_at,
    from_address, from_name, sender_domain,
    array_distinct(transform(concat(`to`, cc), m -> lower(trim(m.address)))) AS recipients,
    subject, labels, cast(email_length AS INT) AS email_length, body_text,
    {bulk} AS bulk_reason,
    {clean_body} AS clean_body,
    {clean_subject} AS clean_subject,
    {signature} AS signature_line
  FROM fresh WHERE copy_no = 1
)
SELECT *, {sentences} AS sentences,
  concat(array(clean_subject), {sentences}) AS sentiment_sentences
FROM one",
        signature = text::signature_line("body_text", "from_name"),
        sentences = text::sentences("clean_body"),
    ))
}

/// The facts query over the stage (registered as view `enrich_stage`).
fn facts_sql() -> String {
    let parts = format!(
        "transform(transform(concat(array(clean_subject), sentences), x -> {}), c -> {})",
        deadline::cues("x"),
        deadline::due_parts("c", "sent_at")
    );
    let item = format!(
        "named_struct('item_no', k + 1, 'description', substring(z.x, 1, 300), \
           'due_at', CASE WHEN z.day IS NOT NULL THEN {} ELSE {} END, \
           'due_text', coalesce({}, {}))",
        deadline::due_at("z"),
        deadline::due_at("fallback"),
        deadline::due_text("z"),
        deadline::due_text("fallback"),
    );
    format!(
        "WITH scores AS ({scores}),
parted AS (SELECT *, {parts} AS parts FROM enrich_stage),
bound AS (
  SELECT *, filter(parts, z -> z.day IS NOT NULL AND z.x rlike :re_deadline)[0] AS fallback
  FROM parted
)
SELECT b.id, b.thread_id, b.rfc822_message_id, b.in_reply_to, b.`references`, b.sent_at,
  b.from_address, b.from_name, b.sender_domain, b.recipients, b.subject, b.labels, b.bulk_reason,
  {title} AS signature_title,
  {org} AS signature_org,
  {summary} AS summary,
  coalesce(s.sentiment_score, 0.0) AS sentiment_score,
  coalesce(s.sentiment_hits, 0) AS sentiment_hits,
  exists(b.sentences, x -> x LIKE '%?') AS has_question,
  exists(b.sentences, x -> x rlike :re_request) AS has_request,
  array_distinct(transform(regexp_extract_all(b.subject, :re_urgency, 0), t -> lower(t))) AS subject_urgency_terms,
  array_distinct(transform(regexp_extract_all(b.clean_body, :re_urgency, 0), t -> lower(t))) AS body_urgency_terms,
  array_distinct(transform(regexp_extract_all(concat_ws(' ', b.subject, b.clean_body), :re_escalation, 0), t -> lower(t))) AS escalation_terms,
  slice(transform(filter(slice(b.parts, 2, 1000), z -> z.x rlike :re_request), (z, k) -> {item}), 1, 5) AS action_items,
  b.email_length,
  current_timestamp() AS computed_at
FROM bound b LEFT JOIN scores s ON b.id = s.id",
        scores = sentiment::scores("enrich_stage"),
        title = text::signature_title("b.signature_line"),
        org = text::signature_org("b.signature_line"),
        summary = text::summary("b.sentences", "b.clean_subject"),
    )
}

/// The SQL parameters of the stage and facts queries.
pub fn params(
    modifiers: &super::reference::Modifiers,
    bulk_mailers: &str,
) -> Vec<(&'static str, Literal)> {
    let mut all = text::params();
    all.extend(deadline::params());
    all.extend(sentiment::params(modifiers));
    all.push(("re_no_reply", RE_NO_REPLY.into_literal()));
    all.push(("re_bulk_mailers", bulk_mailers.into_literal()));
    all
}

/// Binds `params` to `sql`.
pub fn bind(
    session: &SparkSession,
    sql: String,
    params: &[(&'static str, Literal)],
) -> spark_client::session::SqlBuilder {
    let used: Vec<&(&'static str, Literal)> = params
        .iter()
        .filter(|(name, _)| sql.contains(&format!(":{name}")))
        .collect();
    used.into_iter().fold(session.sql(sql), |q, (name, value)| {
        q.arg(*name, value.clone())
    })
}

/// Writes the new bronze rows to the stage; returns how many there are.
pub async fn stage(
    session: &SparkSession,
    paths: &Paths,
    params: &[(&'static str, Literal)],
) -> Result<i64> {
    let bronze_columns = session
        .read()
        .format("delta")
        .load_path(&paths.bronze)
        .columns()
        .await?;
    let sql = stage_sql(paths, &bronze_columns)?;
    let computed = bind(session, sql, params).await?;
    let staged = delta::replace_scratch(session, computed, &paths.stage, "enrich_stage").await?;
    Ok(staged.count().await?)
}

/// Computes the facts of the staged emails and inserts them into `silver/email_facts`.
pub async fn facts(
    session: &SparkSession,
    paths: &Paths,
    params: &[(&'static str, Literal)],
) -> Result<MergeCounts> {
    bind(session, facts_sql(), params)
        .await?
        .create_or_replace_temp_view("enrich_new_facts")
        .await?;
    delta::merge_new(session, &paths.facts, "enrich_new_facts", &["id"]).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_header_rules_apply_only_to_columns_bronze_has() {
        let old = bulk_reason(&["id".into(), "labels".into()]);
        assert!(!old.contains("list_unsubscribe"));
        assert!(old.contains("no-reply sender") && old.contains("gmail category"));
        let new = bulk_reason(&["list_unsubscribe".into(), "precedence".into()]);
        assert!(new.contains("list-unsubscribe header") && new.contains("precedence: bulk"));
        assert!(!new.contains("auto-submitted"));
    }

    #[test]
    fn no_reply_senders_are_recognised() {
        let re = regex::Regex::new(RE_NO_REPLY).unwrap();
        for a in [
            "noreply@crm.example",
            "no-reply+x@a.example",
            "newsletter@saas.example",
        ] {
            assert!(re.is_match(a), "{a}");
        }
        for a in ["tom.anderson@acmecorp.example", "newsroom-lead@a.example"] {
            assert!(!re.is_match(a), "{a}");
        }
    }
}
