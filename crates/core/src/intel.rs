//! Email intelligence: what `mindy enrich` knows about each email, thread, contact and
//! organisation, as the row shapes of the Delta tables it writes ([`crate::lake`]) and the
//! PostgreSQL serving tables exported from them ([`crate::serving`]).
//!
//! Each struct is the one definition of its Delta table: the table is created from the struct's
//! derived Spark schema (`CREATE TABLE ... (<ddl>)`), so a plan that produces other columns fails
//! on the cluster, not in the chat. A serving table carries a subset of its Delta table's columns
//! under the same names (a unit test holds it), which is what the Delta → PostgreSQL exporter
//! matches on.
//!
//! The vocabularies the facts are expressed in ([`SenderRole`], [`Sentiment`], [`Direction`]) are
//! enums here, so the Spark plans, the migrations' `CHECK` constraints and the chat agree on
//! their spelling.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use spark_client::types::StructType;

use crate::lake::{self, LakeTable};

/// Who sent an email, relative to the user.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, spark_client::SparkType,
)]
#[serde(rename_all = "snake_case")]
pub enum SenderRole {
    /// Someone at one of the user's own domains (a colleague), or the user.
    Internal,
    /// An external business correspondent the user sells to or serves.
    Client,
    /// An external business the user buys from or works with.
    VendorPartner,
    /// Bulk or machine-sent mail: newsletters, notifications, no-reply senders.
    NewsletterAutomated,
    /// A private person writing from a free-mail domain (gmail.com, outlook.com, ...).
    Personal,
}

impl SenderRole {
    /// Every role, in declaration order.
    pub const ALL: [SenderRole; 5] = [
        SenderRole::Internal,
        SenderRole::Client,
        SenderRole::VendorPartner,
        SenderRole::NewsletterAutomated,
        SenderRole::Personal,
    ];

    /// The name stored in the tables (serde's).
    pub fn as_str(self) -> &'static str {
        match self {
            SenderRole::Internal => "internal",
            SenderRole::Client => "client",
            SenderRole::VendorPartner => "vendor_partner",
            SenderRole::NewsletterAutomated => "newsletter_automated",
            SenderRole::Personal => "personal",
        }
    }

    /// The role named `name` (as stored), if any.
    pub fn parse(name: &str) -> Option<SenderRole> {
        SenderRole::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// How a group of such senders is called in patterns ("Clients", "Newsletters & notifications").
    pub fn group_label(self) -> &'static str {
        match self {
            SenderRole::Internal => "Internal",
            SenderRole::Client => "Clients",
            SenderRole::VendorPartner => "Vendors & partners",
            SenderRole::NewsletterAutomated => "Newsletters & notifications",
            SenderRole::Personal => "Personal",
        }
    }
}

/// The tone of an email.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, spark_client::SparkType,
)]
#[serde(rename_all = "snake_case")]
pub enum Sentiment {
    /// Satisfaction, thanks beyond a formula, good news.
    Positive,
    /// Information, logistics, requests without affect.
    Neutral,
    /// Dissatisfaction, complaints, worry, bad news.
    Negative,
}

impl Sentiment {
    /// Every class, in declaration order.
    pub const ALL: [Sentiment; 3] = [Sentiment::Positive, Sentiment::Neutral, Sentiment::Negative];

    /// The name stored in the tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Sentiment::Positive => "positive",
            Sentiment::Neutral => "neutral",
            Sentiment::Negative => "negative",
        }
    }

    /// The class named `name` (as stored), if any.
    pub fn parse(name: &str) -> Option<Sentiment> {
        Sentiment::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Whether the user received or sent an email.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, spark_client::SparkType,
)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Sent to the user by someone else.
    Inbound,
    /// Sent by the user.
    Outbound,
}

impl Direction {
    /// The name stored in the tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

/// One action item found in an email, as the per-email facts carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, spark_client::SparkType)]
pub struct FoundActionItem {
    /// 1-based position among the email's items, in text order.
    pub item_no: i32,
    /// The sentence that asks for something, as written (at most 300 characters).
    pub description: String,
    /// When it is due, resolved against the email's own time in the user's timezone.
    pub due_at: Option<DateTime<Utc>>,
    /// The words the due time was read from ("by 5 PM today", "EOD Friday").
    pub due_text: Option<String>,
}

/// `silver/email_facts`: what one email says on its own, computed once per email from bronze
/// (text cleaning, sentiment, requests, deadlines, signature). Internal to `mindy enrich`: the
/// served per-email table ([`EmailInsight`]) adds what needs the other emails (thread, sender
/// history, escalation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, spark_client::SparkType)]
pub struct EmailFacts {
    /// The record's id (Gmail message id or Message-ID).
    pub id: String,
    /// The record's own thread id (before resolution across sources).
    pub thread_id: String,
    /// The Message-ID header without brackets.
    pub rfc822_message_id: Option<String>,
    /// The In-Reply-To id.
    pub in_reply_to: Option<String>,
    /// The References ids, oldest first.
    pub references: Vec<String>,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// The sender's address, lower case.
    pub from_address: String,
    /// The sender's display name.
    pub from_name: Option<String>,
    /// The sender's domain, lower case.
    pub sender_domain: String,
    /// To and Cc addresses, lower case.
    pub recipients: Vec<String>,
    /// The subject as received.
    pub subject: String,
    /// Gmail labels (`SENT` marks the user's own mail).
    pub labels: Vec<String>,
    /// Why the message counts as bulk or machine-sent (`list-unsubscribe`, `no-reply sender`,
    /// `gmail category`...), or null.
    pub bulk_reason: Option<String>,
    /// The title in the sender's signature ("CTO"), when the body ends with one.
    pub signature_title: Option<String>,
    /// The organisation in the sender's signature ("Acme Corp").
    pub signature_org: Option<String>,
    /// The extractive summary: the body's most informative sentences, quotes and signature removed.
    pub summary: String,
    /// Compound sentiment in [-1, 1] (lexicon and rules, see `mindy enrich`'s sentiment module).
    pub sentiment_score: f64,
    /// Lexicon words that contributed.
    pub sentiment_hits: i32,
    /// The body asks a question.
    pub has_question: bool,
    /// The body asks for something (a request phrase).
    pub has_request: bool,
    /// Urgency words found in the subject.
    pub subject_urgency_terms: Vec<String>,
    /// Urgency words found in the body.
    pub body_urgency_terms: Vec<String>,
    /// Escalation words found in the subject or body.
    pub escalation_terms: Vec<String>,
    /// The requests, with their due times.
    pub action_items: Vec<FoundActionItem>,
    /// Characters of the body.
    pub email_length: i32,
    /// When these facts were computed.
    pub computed_at: DateTime<Utc>,
}

/// `silver/email_insights` → PostgreSQL `email_insights`: one row per email with everything the
/// assistant says about it. Served fresh (per pass of `mindy enrich`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, spark_client::SparkType)]
pub struct EmailInsight {
    /// The email's id (primary key).
    pub id: String,
    /// The conversation it belongs to (see [`EmailThread`]).
    pub thread_id: String,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// The day it was sent, in the user's timezone.
    pub sent_date: NaiveDate,
    /// `inbound` or `outbound` ([`Direction`]).
    pub direction: String,
    /// The sender's address, lower case.
    pub from_address: String,
    /// The sender's display name.
    pub from_name: Option<String>,
    /// The sender's domain.
    pub sender_domain: String,
    /// The sender's organisation's display name.
    pub organization: Option<String>,
    /// The sender's role ([`SenderRole`]).
    pub sender_role: String,
    /// The sender's job title, from their signatures.
    pub sender_title: Option<String>,
    /// The sender's group: a team for colleagues ("Sales", "Leadership"), else the role's label.
    pub sender_group: String,
    /// To and Cc addresses, comma-separated.
    pub recipients: String,
    /// The subject.
    pub subject: String,
    /// Extractive summary of the body.
    pub summary: String,
    /// `positive`, `neutral` or `negative` ([`Sentiment`]).
    pub sentiment: String,
    /// Compound sentiment in [-1, 1].
    pub sentiment_score: f64,
    /// Negative and part of an escalation.
    pub frustrated: bool,
    /// Urgency 0–100.
    pub urgency_score: i32,
    /// `urgency_score` at or above the urgent threshold.
    pub urgent: bool,
    /// What made up the urgency score, comma-separated.
    pub urgency_reasons: String,
    /// A question or request addressed to the user, with no later reply from the user.
    pub needs_reply: bool,
    /// Part of an escalation: its thread escalates, or its sender's organisation has an
    /// escalating thread in the 48 hours before it.
    pub escalating: bool,
    /// Number of action items found.
    pub action_item_count: i32,
    /// The earliest due time of its action items.
    pub next_due_at: Option<DateTime<Utc>>,
    /// 1-based position in its thread, by time.
    pub thread_position: i32,
    /// Messages in its thread.
    pub thread_message_count: i32,
    /// Inbound messages in a row in its thread since the user last wrote, before this one.
    pub follow_ups: i32,
    /// When the user answered it (their first reply to it).
    pub replied_at: Option<DateTime<Utc>>,
    /// Minutes from receipt to the user's reply.
    pub response_minutes: Option<f64>,
    /// When this row was computed.
    pub computed_at: DateTime<Utc>,
    /// The email's Message-ID header without brackets (for a reply's `In-Reply-To` and
    /// `References`; `id` is Gmail's message id for Gmail mail); `None` when it had none.
    pub rfc822_message_id: Option<String>,
}

/// `silver/email_action_items` → PostgreSQL `email_action_items`: requests found in inbound
/// email, with due times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, spark_client::SparkType)]
pub struct EmailActionItem {
    /// The email it was found in (key, with `item_no`).
    pub email_id: String,
    /// 1-based position in the email.
    pub item_no: i32,
    /// The email's thread.
    pub thread_id: String,
    /// When the email was sent.
    pub sent_at: DateTime<Utc>,
    /// Who asked.
    pub from_address: String,
    /// Their display name.
    pub from_name: Option<String>,
    /// Their organisation.
    pub organization: Option<String>,
    /// Their role.
    pub sender_role: String,
    /// The request as written.
    pub description: String,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// The day it is due, in the user's timezone.
    pub due_date: Option<NaiveDate>,
    /// The words the due time was read from.
    pub due_text: Option<String>,
    /// No reply from the user in the thread after the email.
    pub open: bool,
    /// When this row was computed.
    pub computed_at: DateTime<Utc>,
}

/// `gold/email_threads` → PostgreSQL `email_threads`: one row per conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, spark_client::SparkType)]
pub struct EmailThread {
    /// Conversation id: Gmail's thread id, else the root message's, resolved through
    /// References/In-Reply-To across sources.
    pub thread_id: String,
    /// The first message's subject without `Re:`/`Fwd:`.
    pub subject: String,
    /// First message.
    pub first_at: DateTime<Utc>,
    /// Latest message.
    pub last_at: DateTime<Utc>,
    /// Messages.
    pub message_count: i32,
    /// Messages from others.
    pub inbound_count: i32,
    /// Messages from the user.
    pub user_reply_count: i32,
    /// Everyone who wrote or was addressed, other than the user: `Name <address>`, comma-separated.
    pub participants: String,
    /// Organisations of the external participants, comma-separated.
    pub organizations: String,
    /// The organisation of the first external sender.
    pub primary_organization: Option<String>,
    /// The role of the first sender other than the user.
    pub primary_role: Option<String>,
    /// Who wrote last.
    pub last_from_address: String,
    /// Their display name.
    pub last_from_name: Option<String>,
    /// The latest inbound message needs a reply from the user.
    pub needs_reply: bool,
    /// The oldest inbound message the user has not answered since their last message.
    pub awaiting_since: Option<DateTime<Utc>>,
    /// The thread escalates (follow-ups without reply, rising negativity, escalation words).
    pub escalating: bool,
    /// Some message of the thread is urgent.
    pub urgent: bool,
    /// The highest urgency score of its messages.
    pub max_urgency_score: i32,
    /// Sentiment of the latest inbound message.
    pub latest_sentiment: Option<String>,
    /// `worsening`, `improving` or `steady`: the latest inbound sentiment against the first.
    pub sentiment_trend: String,
    /// Negative inbound messages.
    pub negative_count: i32,
    /// The user's mean response time in this thread, minutes.
    pub avg_response_minutes: Option<f64>,
    /// What the thread is about and where it stands.
    pub summary: String,
    /// When this row was computed.
    pub computed_at: DateTime<Utc>,
}

/// `gold/contacts` → PostgreSQL `contacts`: one row per address the user exchanged mail with,
/// keyed by the canonical (lower-case) address, which calendar attendees join on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, spark_client::SparkType)]
pub struct Contact {
    /// The address, lower case (key).
    pub address: String,
    /// The latest display name.
    pub name: Option<String>,
    /// The latest job title from their signatures.
    pub title: Option<String>,
    /// Their organisation's display name.
    pub organization: Option<String>,
    /// Their domain.
    pub domain: String,
    /// Their role ([`SenderRole`]).
    pub role: String,
    /// Their group: a team for colleagues, else the role's label.
    pub group_name: String,
    /// The address is the user's own.
    pub is_user: bool,
    /// First email from or to them.
    pub first_seen: DateTime<Utc>,
    /// Latest email from or to them.
    pub last_seen: DateTime<Utc>,
    /// Emails from them.
    pub emails_from: i64,
    /// Emails from them in the 30 days up to the computation day.
    pub emails_from_30d: i64,
    /// Emails from the user to them.
    pub emails_to: i64,
    /// Emails from the user to them in the last 30 days.
    pub emails_to_30d: i64,
    /// Their latest email.
    pub last_from_at: Option<DateTime<Utc>>,
    /// The user's latest email to them.
    pub last_to_at: Option<DateTime<Utc>>,
    /// Mean sentiment of their emails in the last 30 days.
    pub avg_sentiment_30d: Option<f64>,
    /// Their negative emails in the last 30 days.
    pub negative_30d: i64,
    /// Their urgent emails in the last 30 days.
    pub urgent_30d: i64,
    /// Their emails now waiting for a reply from the user.
    pub awaiting_reply: i64,
    /// The user's mean response time to them, minutes.
    pub avg_response_minutes: Option<f64>,
    /// When this row was computed.
    pub computed_at: DateTime<Utc>,
}

/// `gold/organizations` → PostgreSQL `organizations`: one row per sender domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, spark_client::SparkType)]
pub struct Organization {
    /// The canonical domain, lower case (key).
    pub domain: String,
    /// Display name: the mapping table's, else the one its people sign with, else the domain.
    pub name: String,
    /// Role ([`SenderRole`]).
    pub role: String,
    /// Where the role came from: `mapping`, `rule` or `default`.
    pub role_source: String,
    /// Addresses seen at the domain.
    pub contact_count: i64,
    /// Emails from the domain in the last 30 days.
    pub emails_from_30d: i64,
    /// Emails from the domain in the 30 days before those.
    pub emails_from_prev_30d: i64,
    /// Emails from the user to the domain in the last 30 days.
    pub emails_to_30d: i64,
    /// Latest email from or to the domain.
    pub last_email_at: DateTime<Utc>,
    /// Urgent emails from the domain in the last 30 days.
    pub urgent_30d: i64,
    /// Negative emails from the domain in the last 30 days.
    pub negative_30d: i64,
    /// Its emails now waiting for a reply from the user.
    pub awaiting_reply: i64,
    /// Its threads escalating with activity in the last 7 days.
    pub escalating_threads: i64,
    /// Mean sentiment of its emails in the last 30 days.
    pub avg_sentiment_30d: Option<f64>,
    /// The user's mean response time to it, minutes.
    pub avg_response_minutes: Option<f64>,
    /// Its most frequent sender in the last 30 days, `Name <address>`.
    pub top_contact: Option<String>,
    /// When this row was computed.
    pub computed_at: DateTime<Utc>,
}

/// `gold/email_patterns` → PostgreSQL `email_patterns`: the mailbox's 30-day patterns, one row
/// per measure (`kind`) and value (`key`), against the 30 days before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, spark_client::SparkType)]
pub struct EmailPattern {
    /// What is measured: `total`, `weekday`, `hour`, `sender`, `group`, `organization`,
    /// `response_time`, `trend`.
    pub kind: String,
    /// The value measured (`Monday`, `08`, an address, a group, ...); with `kind`, the key.
    pub key: String,
    /// How to say it ("Monday", "08:00-09:00", "Tom Anderson", "Sales").
    pub label: String,
    /// The last day of the 30-day window, in the user's timezone.
    pub as_of: NaiveDate,
    /// Inbound emails in the window.
    pub emails: i64,
    /// Share of the window's inbound emails, percent.
    pub share_pct: Option<f64>,
    /// Mean per day (per occurrence of that weekday for `weekday`).
    pub per_day: Option<f64>,
    /// The same count in the 30 days before.
    pub previous_emails: Option<i64>,
    /// Change against the previous window, percent (null when it had none).
    pub change_pct: Option<f64>,
    /// The user's mean response time, minutes.
    pub avg_response_minutes: Option<f64>,
    /// The user's median response time, minutes.
    pub median_response_minutes: Option<f64>,
    /// When this row was computed.
    pub computed_at: DateTime<Utc>,
}

/// A Delta table of email intelligence: where it lives, the struct that defines its columns,
/// its key, and the serving table it is exported to.
#[derive(Debug, Clone, Copy)]
pub struct IntelTable {
    /// The lake table.
    pub lake: LakeTable,
    /// Its columns (from the row struct).
    pub schema: fn() -> StructType,
    /// The columns that identify a row.
    pub key: &'static [&'static str],
    /// The PostgreSQL table it is exported to, if any.
    pub serving: Option<&'static str>,
}

/// Every table `mindy enrich` writes, in the order a pass writes them.
pub const TABLES: &[IntelTable] = &[
    IntelTable {
        lake: lake::SILVER_EMAIL_FACTS,
        schema: StructType::of::<EmailFacts>,
        key: &["id"],
        serving: None,
    },
    IntelTable {
        lake: lake::SILVER_EMAIL_INSIGHTS,
        schema: StructType::of::<EmailInsight>,
        key: &["id"],
        serving: Some("email_insights"),
    },
    IntelTable {
        lake: lake::SILVER_EMAIL_ACTION_ITEMS,
        schema: StructType::of::<EmailActionItem>,
        key: &["email_id", "item_no"],
        serving: Some("email_action_items"),
    },
    IntelTable {
        lake: lake::GOLD_EMAIL_THREADS,
        schema: StructType::of::<EmailThread>,
        key: &["thread_id"],
        serving: Some("email_threads"),
    },
    IntelTable {
        lake: lake::GOLD_CONTACTS,
        schema: StructType::of::<Contact>,
        key: &["address"],
        serving: Some("contacts"),
    },
    IntelTable {
        lake: lake::GOLD_ORGANIZATIONS,
        schema: StructType::of::<Organization>,
        key: &["domain"],
        serving: Some("organizations"),
    },
    IntelTable {
        lake: lake::GOLD_EMAIL_PATTERNS,
        schema: StructType::of::<EmailPattern>,
        key: &["kind", "key"],
        serving: Some("email_patterns"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serving;
    use spark_client::types::DataType;

    /// The PostgreSQL types a Delta type is exported as.
    fn pg_types(data_type: &DataType) -> &'static [&'static str] {
        match data_type {
            DataType::String => &["text"],
            DataType::Integer => &["integer", "int", "int4", "smallint"],
            DataType::Long => &["bigint", "int8"],
            DataType::Double => &["double precision", "float8"],
            DataType::Boolean => &["boolean", "bool"],
            DataType::Timestamp => &["timestamptz", "timestamp with time zone"],
            DataType::Date => &["date"],
            _ => &[],
        }
    }

    #[test]
    fn every_serving_column_is_a_delta_column_of_a_matching_type() {
        for table in TABLES {
            let Some(name) = table.serving else { continue };
            let serving = serving::schema()
                .table(name)
                .unwrap_or_else(|| panic!("no serving table {name}"));
            let delta = (table.schema)();
            for column in &serving.columns {
                let field = delta.get(&column.name).unwrap_or_else(|| {
                    panic!(
                        "{name}.{} is not a column of {}",
                        column.name,
                        table.lake.relative_path()
                    )
                });
                assert!(
                    pg_types(&field.data_type).contains(&column.sql_type.as_str()),
                    "{name}.{}: {} cannot hold Delta's {}",
                    column.name,
                    column.sql_type,
                    field.data_type.to_ddl()
                );
                assert!(
                    column.nullable || !field.nullable,
                    "{name}.{} is NOT NULL but {} may hold null",
                    column.name,
                    table.lake.relative_path()
                );
            }
            for key in table.key {
                let column = serving.column(key).expect("the key is served");
                assert!(!column.nullable, "{name}.{key} is part of the key");
            }
        }
    }

    #[test]
    fn every_served_table_is_exported_by_its_key() {
        for table in TABLES {
            let exports: Vec<_> = serving::LAKE_EXPORTS
                .iter()
                .filter(|e| e.source == table.lake)
                .collect();
            match table.serving {
                None => assert!(exports.is_empty(), "{} is not served", table.lake.name),
                Some(target) => {
                    assert_eq!(exports.len(), 1, "{target}: one export");
                    assert_eq!(exports[0].target, target);
                    assert_eq!(exports[0].key, table.key, "{target}'s key");
                }
            }
        }
    }

    #[test]
    fn every_served_table_is_readable_by_the_chat() {
        for table in TABLES.iter().filter_map(|t| t.serving) {
            assert!(serving::CHAT_TABLES.contains(&table), "{table}");
        }
    }

    #[test]
    fn vocabularies_match_serde() {
        for role in SenderRole::ALL {
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
            assert_eq!(SenderRole::parse(role.as_str()), Some(role));
        }
        for s in Sentiment::ALL {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
    }

    #[test]
    fn the_migrations_check_the_same_role_names() {
        let sql: String = crate::db::MIGRATOR
            .iter()
            .map(|m| m.sql.to_string())
            .collect();
        for role in SenderRole::ALL {
            assert!(
                sql.contains(&format!("'{}'", role.as_str())),
                "no migration names role {}",
                role.as_str()
            );
        }
    }
}
