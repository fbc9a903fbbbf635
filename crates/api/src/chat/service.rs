//! The chat flow: history and cache from Redis, SQL from the generator, the validator, the
//! read-only execution (with the generator's repair round on failure), the answer, and the
//! turn saved for follow-ups.

use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;

use super::exec::{self, ExecError};
use super::safety::{Refused, Validator};
use super::semantic::parser::normalise;
use super::store::{CacheKey, CachedAnswer, Store};
use super::{Chart, Draft, Generation, GeneratorError, QueryResult, Request, SqlGenerator, Turn};
use crate::metrics::Metrics;

/// Why a chat request failed (refusing a question is not a failure).
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// The generated SQL broke a safety rule, even after the repair round.
    #[error("the generated SQL was refused: {0}")]
    Refused(#[from] Refused),
    /// The query failed in PostgreSQL, even after the repair round.
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// The generator failed.
    #[error(transparent)]
    Generator(#[from] GeneratorError),
}

/// How long each step took, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Timings {
    /// Question to SQL (including a repair round).
    pub generate_ms: f64,
    /// SQL execution.
    pub execute_ms: f64,
    /// Wording the answer.
    pub answer_ms: f64,
    /// The whole request.
    pub total_ms: f64,
}

/// The reply to a chat message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChatReply {
    /// The conversation this turn belongs to; send it back for follow-ups.
    pub conversation_id: String,
    /// The answer in words.
    pub answer: String,
    /// The SQL that produced the rows (absent when the question was refused).
    pub sql: Option<String>,
    /// Column names of the rows.
    pub columns: Vec<String>,
    /// The rows, one array per row in column order.
    #[schema(value_type = Vec<Vec<Object>>)]
    pub rows: Vec<Vec<serde_json::Value>>,
    /// How to draw the rows, when they are a series.
    pub chart: Option<Chart>,
    /// True when the question could not be answered from the data.
    pub refused: bool,
    /// Questions that can be answered (with refusals).
    pub suggestions: Vec<String>,
    /// Which generator answered: `semantic` or `openai`.
    pub generator: String,
    /// True when the reply came from the answer cache.
    pub cached: bool,
    /// What limited this answer, for the user (e.g. conversation history unavailable, so a
    /// follow-up was read on its own); empty normally.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
    /// Step durations.
    pub timings: Timings,
}

/// The notice when Redis could not give the conversation's earlier turns.
pub const HISTORY_UNAVAILABLE: &str =
    "Conversation history is unavailable right now, so this question was read on its own.";

/// Everything the chat needs.
#[derive(Clone)]
pub struct ChatService {
    /// Question → SQL → answer.
    pub generator: Arc<dyn SqlGenerator>,
    /// The safety rules.
    pub validator: Validator,
    /// The read-only role's pool.
    pub reader: PgPool,
    /// History and cache.
    pub store: Store,
    /// Statement timeout for generated queries.
    pub statement_timeout_ms: u64,
    /// The user's timezone (IANA name), for prompts.
    pub timezone: String,
    /// Counters.
    pub metrics: Arc<Metrics>,
}

fn ms(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0
}

impl ChatService {
    /// Answers `question` in conversation `conversation_id` (a UUID), as of `today`.
    pub async fn ask(
        &self,
        question: &str,
        conversation_id: &str,
        today: NaiveDate,
    ) -> Result<ChatReply, ChatError> {
        let started = Instant::now();
        let mut notices = Vec::new();
        let history = self
            .store
            .history(conversation_id)
            .await
            .unwrap_or_else(|_| {
                notices.push(HISTORY_UNAVAILABLE.to_string());
                Vec::new()
            });
        let version = self.data_version().await?;
        let normalised = normalise(question);
        let key = CacheKey {
            generator: self.generator.name(),
            question: &normalised,
            today,
            data_version: &version,
            context: history.last().and_then(|t| t.sql.as_deref()),
        };
        // A cache that cannot answer is a miss: the answer is computed, uncached.
        if let Ok(Some(hit)) = self.store.cached(&key).await {
            self.metrics.chat(self.generator.name(), "cached");
            self.remember(conversation_id, question, &hit).await;
            return Ok(self.reply(
                conversation_id,
                hit,
                true,
                notices,
                Timings {
                    total_ms: ms(started),
                    ..Timings::default()
                },
            ));
        }
        let request = Request {
            question,
            history: &history,
            today,
            timezone: &self.timezone,
        };
        let (answer, timings) = self.answer(&request).await?;
        // Failures are logged by the store; the answer stands without the cache.
        let _ = self.store.cache(&key, &answer).await;
        self.remember(conversation_id, question, &answer).await;
        let outcome = if answer.refused {
            "refused"
        } else {
            "answered"
        };
        self.metrics.chat(self.generator.name(), outcome);
        Ok(self.reply(
            conversation_id,
            answer,
            false,
            notices,
            Timings {
                total_ms: ms(started),
                ..timings
            },
        ))
    }

    /// Generate, validate, run (with one repair), answer.
    async fn answer(&self, request: &Request<'_>) -> Result<(CachedAnswer, Timings), ChatError> {
        let mut timings = Timings::default();
        let t = Instant::now();
        let generation = self.generator.generate(request).await?;
        timings.generate_ms = ms(t);
        let draft = match generation {
            Generation::Refusal(message) => {
                let refusal = CachedAnswer {
                    answer: message,
                    sql: None,
                    result: QueryResult::default(),
                    chart: None,
                    refused: true,
                    context: serde_json::Value::Null,
                };
                return Ok((refusal, timings));
            }
            Generation::Sql(draft) => draft,
        };
        let (draft, sql, result) = self.run_with_repair(request, draft, &mut timings).await?;
        let t = Instant::now();
        let text = self.generator.answer(request, &draft, &result).await?;
        timings.answer_ms = ms(t);
        let chart = draft.chart.clone().or_else(|| Chart::guess(&result));
        let answer = CachedAnswer {
            answer: text,
            sql: Some(sql),
            result,
            chart,
            refused: false,
            context: draft.context,
        };
        Ok((answer, timings))
    }

    async fn run_with_repair(
        &self,
        request: &Request<'_>,
        draft: Draft,
        timings: &mut Timings,
    ) -> Result<(Draft, String, QueryResult), ChatError> {
        let first = self.check_and_run(&draft.sql, timings).await;
        let error = match first {
            Ok((sql, result)) => return Ok((draft, sql, result)),
            Err(ChatError::Exec(ExecError::Unavailable(e))) => {
                return Err(ChatError::Exec(ExecError::Unavailable(e)))
            }
            Err(error) => error,
        };
        self.count_refusal(&error);
        let t = Instant::now();
        let repaired = self
            .generator
            .repair(request, &draft, &error.to_string())
            .await?;
        timings.generate_ms += ms(t);
        let Some(fixed) = repaired else {
            return Err(error);
        };
        tracing::info!(failed = %draft.sql, error = %error, repaired = %fixed.sql, "repair round");
        match self.check_and_run(&fixed.sql, timings).await {
            Ok((sql, result)) => Ok((fixed, sql, result)),
            Err(error) => {
                self.count_refusal(&error);
                Err(error)
            }
        }
    }

    fn count_refusal(&self, error: &ChatError) {
        if let ChatError::Refused(_) = error {
            self.metrics.sql_refused(self.generator.name());
        }
    }

    async fn check_and_run(
        &self,
        sql: &str,
        timings: &mut Timings,
    ) -> Result<(String, QueryResult), ChatError> {
        let checked = self.validator.check(sql)?;
        let t = Instant::now();
        let result = exec::run(&self.reader, &checked.canonical, self.statement_timeout_ms).await;
        timings.execute_ms += ms(t);
        Ok((checked.sql, result?))
    }

    /// Changes whenever the batch writes: row counts and the latest export/check times.
    async fn data_version(&self) -> Result<String, ChatError> {
        let sql = "SELECT concat_ws('/', (SELECT count(*) FROM daily_insights), \
                   (SELECT max(exported_at) FROM daily_insights), \
                   (SELECT count(*) FROM daily_sender_domains), \
                   (SELECT count(*) FROM daily_hourly_counts), \
                   (SELECT count(*) || '@' || coalesce(max(checked_at)::text, '') FROM quality_scores))";
        sqlx::query_scalar(sql)
            .fetch_one(&self.reader)
            .await
            .map_err(|e| {
                ChatError::Exec(match e {
                    sqlx::Error::Database(db) => ExecError::Query(db.message().to_string()),
                    other => ExecError::Unavailable(other.to_string()),
                })
            })
    }

    async fn remember(&self, conversation_id: &str, question: &str, answer: &CachedAnswer) {
        let turn = Turn {
            question: question.to_string(),
            sql: answer.sql.clone(),
            answer: answer.answer.clone(),
            generator: self.generator.name().to_string(),
            context: answer.context.clone(),
        };
        // Failures are logged by the store; the next turn will say history is unavailable.
        let _ = self.store.push(conversation_id, &turn).await;
    }

    fn reply(
        &self,
        conversation_id: &str,
        answer: CachedAnswer,
        cached: bool,
        notices: Vec<String>,
        timings: Timings,
    ) -> ChatReply {
        let suggestions = if answer.refused {
            super::catalog::SUGGESTIONS
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            Vec::new()
        };
        ChatReply {
            conversation_id: conversation_id.to_string(),
            answer: answer.answer,
            sql: answer.sql,
            columns: answer.result.columns,
            rows: answer.result.rows,
            chart: answer.chart,
            refused: answer.refused,
            suggestions,
            generator: self.generator.name().to_string(),
            cached,
            notices,
            timings,
        }
    }
}
