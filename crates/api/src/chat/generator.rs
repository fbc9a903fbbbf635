//! The seam between the chat flow and whatever turns questions into SQL.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Chart, QueryResult};

/// One earlier exchange of the conversation, as kept in Redis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// The user's question.
    pub question: String,
    /// The SQL that answered it (none for a refusal).
    pub sql: Option<String>,
    /// The answer shown.
    pub answer: String,
    /// Which generator answered.
    pub generator: String,
    /// The generator's own memory of the turn (the semantic parser's plan).
    #[serde(default)]
    pub context: serde_json::Value,
}

/// What a generator gets to work with.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The question as asked.
    pub question: &'a str,
    /// Earlier turns, oldest first.
    pub history: &'a [Turn],
    /// Today in the user's timezone.
    pub today: NaiveDate,
    /// Now: what "the last 24 hours" and "the next meeting" are measured from.
    pub now: DateTime<Utc>,
    /// The user's timezone (IANA name), for prompts.
    pub timezone: &'a str,
    /// Where a generator that words its answer token by token sends the tokens as they come
    /// (the SSE route); `None` when nobody listens. The answer it returns is still the whole,
    /// final text, which replaces what was streamed if the two differ.
    pub tokens: Option<TokenSink>,
}

/// The receiving end of streamed answer tokens.
pub type TokenSink = tokio::sync::mpsc::UnboundedSender<String>;

/// What an answer is, so the UI can draw it as such: a figure or series, a list of emails, a
/// briefing in sections, a day's timeline, patterns, or cards per client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    /// Numbers or a series (the rows, maybe a chart).
    #[default]
    Stat,
    /// Emails, one per row, with sentiment and urgency.
    Emails,
    /// The morning briefing: mail of the last 24 hours, today's calendar, what is due.
    Briefing,
    /// One day of the calendar: meetings, free time, concerns.
    Day,
    /// 30-day patterns of mail and meetings.
    Patterns,
    /// Clients met and mailed: one card per organisation.
    Clients,
    /// An action turn: a proposal to review and confirm, or what a confirmation did (the
    /// reply's `proposal`).
    Action,
}

/// A further query of an answer built from several (a briefing's calendar, a day's conflicts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionQuery {
    /// Stable identifier the answer and the UI look the section up by (`meetings`).
    pub id: String,
    /// Heading shown above it ("Today's meetings").
    pub title: String,
    /// One SELECT, not yet validated.
    pub sql: String,
}

/// A section's query, validated and run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Section {
    /// The [`SectionQuery::id`].
    pub id: String,
    /// Its heading.
    pub title: String,
    /// The SQL as run (after validation).
    pub sql: String,
    /// Column names of the rows.
    pub columns: Vec<String>,
    /// The rows, one array per row in column order.
    #[schema(value_type = Vec<Vec<Object>>)]
    pub rows: Vec<Vec<serde_json::Value>>,
}

impl Section {
    /// The rows as a [`QueryResult`], for the answer templates.
    pub fn result(&self) -> QueryResult {
        QueryResult {
            columns: self.columns.clone(),
            rows: self.rows.clone(),
        }
    }
}

/// A query a generator proposes.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// One SELECT, not yet validated: the answer's main rows.
    pub sql: String,
    /// How to draw the rows, when the generator knows.
    pub chart: Option<Chart>,
    /// Kept with the turn for follow-ups.
    pub context: serde_json::Value,
    /// What the answer is.
    pub kind: AnswerKind,
    /// Further queries the answer is built from, run after the main one, each validated like it.
    pub sections: Vec<SectionQuery>,
}

/// A generator's reply to a question.
#[derive(Debug, Clone, PartialEq)]
pub enum Generation {
    /// A query to validate and run.
    Sql(Draft),
    /// The question cannot be answered from the data; the message says why.
    Refusal(String),
}

/// Why a generator could not do its job (not a refusal: a failure).
#[derive(Debug, thiserror::Error)]
pub enum GeneratorError {
    /// The LLM endpoint failed or timed out.
    #[error("LLM endpoint: {0}")]
    Llm(String),
    /// The generator produced something unusable.
    #[error("generator: {0}")]
    Invalid(String),
}

/// Turns questions into SQL and results into answers.
#[async_trait]
pub trait SqlGenerator: Send + Sync {
    /// Short stable name for responses, metrics and cache keys (`semantic`, `openai`).
    fn name(&self) -> &'static str;

    /// Proposes SQL for the question, or refuses.
    async fn generate(&self, request: &Request<'_>) -> Result<Generation, GeneratorError>;

    /// Given SQL that failed validation or execution and the error, proposes a fix once.
    /// `None`: this generator does not repair.
    async fn repair(
        &self,
        _request: &Request<'_>,
        _failed: &Draft,
        _error: &str,
    ) -> Result<Option<Draft>, GeneratorError> {
        Ok(None)
    }

    /// Writes free text (an email's body) following `instructions`, from `facts` only; `None`
    /// when this generator does not write (the embedded engine: the caller's template stands).
    async fn write(
        &self,
        _instructions: &str,
        _facts: &str,
    ) -> Result<Option<String>, GeneratorError> {
        Ok(None)
    }

    /// Words the result (and the draft's sections, run, in the draft's order) as an answer to
    /// the question.
    async fn answer(
        &self,
        request: &Request<'_>,
        draft: &Draft,
        result: &QueryResult,
        sections: &[Section],
    ) -> Result<String, GeneratorError>;
}
