//! The seam between the chat flow and whatever turns questions into SQL.

use async_trait::async_trait;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
    /// The user's timezone (IANA name), for prompts.
    pub timezone: &'a str,
}

/// A query a generator proposes.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// One SELECT, not yet validated.
    pub sql: String,
    /// How to draw the rows, when the generator knows.
    pub chart: Option<Chart>,
    /// Kept with the turn for follow-ups.
    pub context: serde_json::Value,
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

    /// Words the result as an answer to the question.
    async fn answer(
        &self,
        request: &Request<'_>,
        draft: &Draft,
        result: &QueryResult,
    ) -> Result<String, GeneratorError>;
}
