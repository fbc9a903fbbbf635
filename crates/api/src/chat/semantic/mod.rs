//! The embedded generator: a deterministic semantic parser over the catalog, used when no LLM
//! is configured.
//!
//! - [`dates`]: relative and named dates, resolved against today in the user's timezone.
//! - [`parser`]: question (+ previous plan) → [`Plan`] or refusal.
//! - [`plan`]: the understood question, kept in the conversation for follow-ups.
//! - [`sql`]: plan → readable SQL and chart hint.
//! - [`answer`]: plan + rows → templated answer.
//! - [`words`]: the question's words outside its dates, which both recognisers read.
//! - [`scenes`]: the demo scenes (briefing, a calendar day, patterns, clients met and mailed),
//!   each answered from several queries; tried before the statistics parser.

pub mod answer;
pub mod dates;
pub mod parser;
pub mod plan;
pub mod scenes;
pub mod sql;
pub mod words;

use async_trait::async_trait;

pub use plan::{Intent, Order, Plan};

use super::catalog::{Catalog, SUGGESTIONS};
use super::generator::{AnswerKind, Draft, Generation, GeneratorError, Request, SqlGenerator};
use super::{QueryResult, Section};
use parser::Understood;

/// The semantic parser as a [`SqlGenerator`].
#[derive(Debug, Clone)]
pub struct SemanticGenerator {
    catalog: Catalog,
}

impl SemanticGenerator {
    /// A parser over `catalog`.
    pub fn new(catalog: Catalog) -> Self {
        SemanticGenerator { catalog }
    }

    /// The plan of the last turn this generator answered (refusals have none), for follow-ups.
    fn context(request: &Request<'_>) -> Option<Plan> {
        request
            .history
            .iter()
            .rev()
            .find_map(|t| serde_json::from_value(t.context.clone()).ok())
    }
}

/// "I can't answer that, try: ..." with the example questions.
pub fn refusal(reason: &str) -> String {
    let list: Vec<String> = SUGGESTIONS.iter().map(|s| format!("\"{s}\"")).collect();
    format!("I can't answer that: {reason} Try: {}.", list.join(", "))
}

#[async_trait]
impl SqlGenerator for SemanticGenerator {
    fn name(&self) -> &'static str {
        "semantic"
    }

    async fn generate(&self, request: &Request<'_>) -> Result<Generation, GeneratorError> {
        let context = Self::context(request);
        let understood = scenes::understand(
            request.question,
            context.as_ref(),
            request.today,
            request.now,
        )
        .unwrap_or_else(|| {
            parser::understand(
                &self.catalog,
                request.question,
                context.as_ref(),
                request.today,
            )
        });
        let plan = match understood {
            Understood::Refusal(reason) => return Ok(Generation::Refusal(refusal(&reason))),
            Understood::Plan(plan) => plan,
        };
        let context =
            serde_json::to_value(&plan).map_err(|e| GeneratorError::Invalid(e.to_string()))?;
        if let Some(scene) = scenes::build(&plan, request.timezone) {
            return Ok(Generation::Sql(Draft {
                sql: scene.sql,
                chart: None,
                context,
                kind: scene.kind,
                sections: scene.sections,
            }));
        }
        let query = sql::build(&self.catalog, &plan, request.timezone)
            .ok_or_else(|| GeneratorError::Invalid(format!("no SQL for {plan:?}")))?;
        let kind = match plan.intent {
            Intent::OrgEmails { .. } => AnswerKind::Emails,
            _ => AnswerKind::Stat,
        };
        Ok(Generation::Sql(Draft {
            sql: query.sql,
            chart: query.chart,
            context,
            kind,
            sections: Vec::new(),
        }))
    }

    async fn answer(
        &self,
        _request: &Request<'_>,
        draft: &Draft,
        result: &QueryResult,
        sections: &[Section],
    ) -> Result<String, GeneratorError> {
        let plan: Plan = serde_json::from_value(draft.context.clone())
            .map_err(|e| GeneratorError::Invalid(e.to_string()))?;
        Ok(scenes::answer(&plan, result, sections)
            .unwrap_or_else(|| answer::answer(&self.catalog, &plan, result)))
    }
}
