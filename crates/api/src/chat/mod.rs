//! The chat: question → SQL → validation → read-only execution → answer, with conversation
//! context and an answer cache.
//!
//! - [`catalog`]: the serving schema as both generators and the validator see it.
//! - [`generator`]: the [`SqlGenerator`] trait and its request/response types.
//! - [`semantic`]: the embedded deterministic parser (the default).
//! - [`openai`]: any OpenAI-compatible chat-completions endpoint, with one repair round.
//! - [`safety`]: the sqlparser-based validator.
//! - [`exec`]: running a validated query as the read-only role.
//! - [`store`]: Redis: conversation history and the answer cache.
//! - [`tools`]: the semantic layer as LLM tools.
//! - [`service`]: the flow tying them together.

pub mod catalog;
pub mod exec;
pub mod generator;
pub mod openai;
pub mod safety;
pub mod semantic;
pub mod service;
pub mod store;
pub mod tools;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

pub use generator::{
    AnswerKind, Draft, Generation, GeneratorError, Request, Section, SectionQuery, SqlGenerator,
    TokenSink, Turn,
};
pub use service::ChatService;

/// A query's result: column names and rows of JSON values (numbers, strings, booleans, null).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueryResult {
    /// Column names in select order.
    pub columns: Vec<String>,
    /// One array per row, in column order.
    pub rows: Vec<Vec<Value>>,
}

/// How the frontend should draw a result that is a series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Chart {
    /// Line for time series, bar for categories.
    pub kind: ChartKind,
    /// The column on the x axis.
    pub x: String,
    /// The column(s) on the y axis.
    pub y: Vec<String>,
}

/// Chart types the UI knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// A time series.
    Line,
    /// Categories (hours, domains, periods).
    Bar,
}

impl Chart {
    /// A chart of `y` against `x`.
    pub fn new(kind: ChartKind, x: &str, y: &str) -> Self {
        Chart {
            kind,
            x: x.to_string(),
            y: vec![y.to_string()],
        }
    }

    /// A guess for results whose SQL we did not write: two or more rows whose first column is a
    /// date (line) or a label/hour (bar) and whose other columns are numbers.
    pub fn guess(result: &QueryResult) -> Option<Chart> {
        if result.rows.len() < 2 || result.columns.len() < 2 {
            return None;
        }
        let numeric = |c: usize| {
            result
                .rows
                .iter()
                .all(|r| r.get(c).is_some_and(|v| v.is_number() || v.is_null()))
        };
        let y: Vec<String> = (1..result.columns.len())
            .filter(|c| numeric(*c))
            .map(|c| result.columns[c].clone())
            .collect();
        if y.is_empty() {
            return None;
        }
        let is_date = result.rows.iter().all(|r| {
            r.first()
                .and_then(Value::as_str)
                .is_some_and(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok())
        });
        let kind = if is_date {
            ChartKind::Line
        } else {
            ChartKind::Bar
        };
        Some(Chart {
            kind,
            x: result.columns[0].clone(),
            y,
        })
    }
}

/// An answer worded without an LLM for results whose SQL we did not write.
pub fn generic_answer(result: &QueryResult) -> String {
    let show = |v: &Value| semantic::answer::num(v);
    match (result.rows.len(), result.columns.len()) {
        (0, _) => "The query returned no rows: there is no data for that.".to_string(),
        (1, 1) => format!("The answer is {}.", show(&result.rows[0][0])),
        (1, _) => {
            let pairs: Vec<String> = result
                .columns
                .iter()
                .zip(&result.rows[0])
                .map(|(c, v)| format!("{c}: {}", show(v)))
                .collect();
            format!("{}.", pairs.join(", "))
        }
        (n, _) => {
            let first: Vec<String> = result.rows[0].iter().map(show).collect();
            format!("{n} rows; the first is ({}).", first.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn charts_are_guessed_for_series_only() {
        let series = QueryResult {
            columns: vec!["date".into(), "total_emails".into()],
            rows: vec![
                vec![json!("2026-11-24"), json!(3)],
                vec![json!("2026-11-25"), json!(4)],
            ],
        };
        assert_eq!(
            Chart::guess(&series),
            Some(Chart::new(ChartKind::Line, "date", "total_emails"))
        );
        let one = QueryResult {
            columns: series.columns.clone(),
            rows: vec![series.rows[0].clone()],
        };
        assert_eq!(Chart::guess(&one), None);
    }

    #[test]
    fn generic_answers_quote_the_rows() {
        let one = QueryResult {
            columns: vec!["n".into()],
            rows: vec![vec![json!(47)]],
        };
        assert_eq!(generic_answer(&one), "The answer is 47.");
    }
}
