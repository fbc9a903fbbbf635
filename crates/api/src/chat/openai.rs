//! The LLM generator: any OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI's
//! compatible endpoint, Ollama, vLLM, ...) through async-openai.
//!
//! The prompt carries the catalog (tables, columns, meanings), today's date and timezone, the
//! rules the validator enforces, and worked examples; earlier turns go in as user/assistant
//! pairs so follow-ups work. A query that fails validation or execution gets one repair round
//! with the error. Answers are worded by the model from the rows, and rejected in favour of a
//! plain template when they contain a number the rows do not.
//!
//! The model may also call a tool ([`super::tools`]): a demo scene or an organisation's emails
//! with their periods, answered from the same queries as the embedded engine's, or `run_sql`. A
//! scene's answer is worded by the model from the main rows and every section's rows, under the
//! same rule on numbers, with the scene's own template as the fallback.

use std::time::Duration;

use async_openai::config::OpenAIConfig;
use async_openai::types::chat::{
    ChatCompletionMessageToolCalls, ChatCompletionRequestAssistantMessage,
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestUserMessage, ChatCompletionTool, ChatCompletionTools,
    CreateChatCompletionRequestArgs, FunctionObject,
};
use async_openai::Client;
use async_trait::async_trait;
use futures::StreamExt;

use super::catalog::{Catalog, SUGGESTIONS};
use super::generator::{
    AnswerKind, Draft, Generation, GeneratorError, Request, Section, SqlGenerator,
};
use super::{generic_answer, Chart, QueryResult};

/// What the model answers when the data cannot answer the question.
const CANNOT: &str = "CANNOT_ANSWER";

/// Settings of the OpenAI-compatible endpoint.
#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    /// API key (any non-empty string for servers that ignore it).
    pub api_key: String,
    /// Base URL including `/v1`, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`.
    pub base_url: String,
    /// Model name.
    pub model: String,
    /// Per-call timeout.
    pub timeout: Duration,
}

/// The LLM as a [`SqlGenerator`].
pub struct OpenAiGenerator {
    client: Client<OpenAIConfig>,
    settings: OpenAiSettings,
    schema: String,
    catalog: Catalog,
}

/// What the model replied: text, or a call of one of the tools.
enum Reply {
    Text(String),
    Tool { name: String, arguments: String },
}

impl OpenAiGenerator {
    /// A generator talking to `settings.base_url` about `catalog`.
    pub fn new(settings: OpenAiSettings, catalog: &Catalog) -> Self {
        let config = OpenAIConfig::new()
            .with_api_key(settings.api_key.clone())
            .with_api_base(settings.base_url.trim_end_matches('/').to_string());
        OpenAiGenerator {
            client: Client::with_config(config),
            settings,
            schema: catalog.prompt(),
            catalog: catalog.clone(),
        }
    }

    fn system_prompt(&self, request: &Request<'_>) -> String {
        format!(
            "You turn questions about the user's mail and calendar into one PostgreSQL query or \
             one tool call.\n\
             Today is {today} ({weekday}) in the user's timezone {tz}; weeks start on Monday.\n\
             Tables (the only ones you may read):\n{schema}\n\
             For a morning briefing, one day of the calendar or its busiest/lightest day, \
             30-day patterns, clients met that also emailed, or an organisation's emails, call \
             the matching tool with the dates resolved. Otherwise:\n\
             Rules: reply with a single SELECT statement and nothing else (no prose, no code \
             fences). Use only the tables above. Never modify data. Use literal dates like \
             DATE '2026-01-31'. Always add a LIMIT of at most 100. When the tables cannot answer \
             the question, reply exactly `{CANNOT}: <short reason>`.\n\
             Examples:\n\
             Q: How many emails did I receive yesterday?\n\
             A: SELECT SUM(total_emails) AS total_emails FROM daily_insights WHERE date = DATE '{yesterday}' LIMIT 1\n\
             Q: Which sender sent me the most emails this week?\n\
             A: SELECT sender_domain, SUM(email_count) AS emails FROM daily_sender_domains WHERE date >= DATE '{monday}' GROUP BY sender_domain ORDER BY emails DESC LIMIT 1\n\
             Q: What was the busiest hour yesterday?\n\
             A: SELECT hour, email_count FROM daily_hourly_counts WHERE date = DATE '{yesterday}' ORDER BY email_count DESC, hour LIMIT 1\n\
             Q: What is the weather?\n\
             A: {CANNOT}: there is no weather data",
            today = request.today,
            weekday = request.today.format("%A"),
            tz = request.timezone,
            schema = self.schema,
            yesterday = request.today - chrono::Duration::days(1),
            monday = request.today
                - chrono::Duration::days(chrono::Datelike::weekday(&request.today).num_days_from_monday() as i64),
        )
    }

    /// System prompt, earlier turns, then the question.
    fn messages(&self, request: &Request<'_>) -> Vec<ChatCompletionRequestMessage> {
        let mut messages = vec![system(&self.system_prompt(request))];
        for turn in request.history.iter().rev().take(6).rev() {
            messages.push(user(&turn.question));
            let reply = turn
                .sql
                .clone()
                .unwrap_or_else(|| format!("{CANNOT}: {}", turn.answer));
            messages.push(assistant(&reply));
        }
        messages.push(user(request.question));
        messages
    }

    async fn complete(
        &self,
        messages: Vec<ChatCompletionRequestMessage>,
    ) -> Result<String, GeneratorError> {
        match self.call(messages, false).await? {
            Reply::Text(text) => Ok(text),
            Reply::Tool { name, .. } => Err(GeneratorError::Llm(format!(
                "called the tool {name} where text was asked for"
            ))),
        }
    }

    /// A completion for the answer: streamed to `request.tokens` as the model writes it when
    /// someone listens, else in one piece. Either way the whole text is returned.
    async fn complete_answer(
        &self,
        request: &Request<'_>,
        messages: Vec<ChatCompletionRequestMessage>,
    ) -> Result<String, GeneratorError> {
        let Some(sink) = &request.tokens else {
            return self.complete(messages).await;
        };
        let body = CreateChatCompletionRequestArgs::default()
            .model(self.settings.model.clone())
            .messages(messages)
            .temperature(0.0)
            .build()
            .map_err(|e| GeneratorError::Invalid(e.to_string()))?;
        let deadline = tokio::time::Instant::now() + self.settings.timeout;
        let late = || GeneratorError::Llm(format!("no reply within {:?}", self.settings.timeout));
        let chat = self.client.chat();
        let mut stream = tokio::time::timeout_at(deadline, chat.create_stream(body))
            .await
            .map_err(|_| late())?
            .map_err(|e| GeneratorError::Llm(e.to_string()))?;
        let mut text = String::new();
        while let Some(chunk) = tokio::time::timeout_at(deadline, stream.next())
            .await
            .map_err(|_| late())?
        {
            let chunk = chunk.map_err(|e| GeneratorError::Llm(e.to_string()))?;
            for choice in chunk.choices {
                if let Some(piece) = choice.delta.content.filter(|p| !p.is_empty()) {
                    text.push_str(&piece);
                    // A listener that went away does not stop the answer.
                    let _ = sink.send(piece);
                }
            }
        }
        if text.trim().is_empty() {
            return Err(GeneratorError::Llm("empty reply".into()));
        }
        Ok(text)
    }

    /// One chat completion; with `tools`, the model may call one of [`super::tools`].
    async fn call(
        &self,
        messages: Vec<ChatCompletionRequestMessage>,
        tools: bool,
    ) -> Result<Reply, GeneratorError> {
        let mut args = CreateChatCompletionRequestArgs::default();
        args.model(self.settings.model.clone())
            .messages(messages)
            .temperature(0.0);
        if tools {
            let tools: Vec<ChatCompletionTools> = super::tools::definitions()
                .into_iter()
                .map(|(name, description, parameters)| {
                    ChatCompletionTools::Function(ChatCompletionTool {
                        function: FunctionObject {
                            name: name.to_string(),
                            description: Some(description.to_string()),
                            parameters: Some(parameters),
                            strict: None,
                        },
                    })
                })
                .collect();
            args.tools(tools);
        }
        let request = args
            .build()
            .map_err(|e| GeneratorError::Invalid(e.to_string()))?;
        let chat = self.client.chat();
        let call = chat.create(request);
        let response = tokio::time::timeout(self.settings.timeout, call)
            .await
            .map_err(|_| {
                GeneratorError::Llm(format!("no reply within {:?}", self.settings.timeout))
            })?
            .map_err(|e| GeneratorError::Llm(e.to_string()))?;
        let message = response
            .choices
            .into_iter()
            .next()
            .map(|c| c.message)
            .ok_or_else(|| GeneratorError::Llm("no choice in the reply".into()))?;
        let call = message
            .tool_calls
            .into_iter()
            .flatten()
            .find_map(|c| match c {
                ChatCompletionMessageToolCalls::Function(f) => Some(f.function),
                ChatCompletionMessageToolCalls::Custom(_) => None,
            });
        if let Some(function) = call {
            return Ok(Reply::Tool {
                name: function.name,
                arguments: function.arguments,
            });
        }
        message
            .content
            .filter(|c| !c.trim().is_empty())
            .map(Reply::Text)
            .ok_or_else(|| GeneratorError::Llm("empty reply".into()))
    }

    /// The draft of a reply: a tool call's queries, or the SQL (or refusal) in its text.
    fn reply_draft(
        &self,
        request: &Request<'_>,
        reply: Reply,
    ) -> Result<Generation, GeneratorError> {
        match reply {
            Reply::Text(text) => Ok(Self::draft(&text)),
            Reply::Tool { name, arguments } => super::tools::draft(
                &self.catalog,
                &name,
                &arguments,
                request.today,
                request.now,
                request.timezone,
            )
            .map(Generation::Sql)
            .map_err(|e| GeneratorError::Invalid(e.to_string())),
        }
    }

    fn draft(reply: &str) -> Generation {
        let reply = strip_fences(reply);
        if let Some(reason) = reply.strip_prefix(CANNOT) {
            let reason = reason.trim_start_matches(':').trim();
            let list: Vec<String> = SUGGESTIONS.iter().map(|s| format!("\"{s}\"")).collect();
            return Generation::Refusal(format!(
                "I can't answer that: {reason}. Try: {}.",
                list.join(", ")
            ));
        }
        Generation::Sql(Draft {
            sql: reply.to_string(),
            chart: None,
            context: serde_json::Value::Null,
            kind: AnswerKind::Stat,
            sections: Vec::new(),
        })
    }
}

fn system(text: &str) -> ChatCompletionRequestMessage {
    ChatCompletionRequestSystemMessage::from(text).into()
}

fn user(text: &str) -> ChatCompletionRequestMessage {
    ChatCompletionRequestUserMessage::from(text).into()
}

fn assistant(text: &str) -> ChatCompletionRequestMessage {
    ChatCompletionRequestAssistantMessage::from(text).into()
}

/// The SQL inside a ```sql fence, or the text itself.
fn strip_fences(reply: &str) -> &str {
    let trimmed = reply.trim();
    let Some(rest) = trimmed.strip_prefix("```") else {
        return trimmed;
    };
    let rest = rest
        .strip_prefix("sql")
        .or_else(|| rest.strip_prefix("SQL"))
        .unwrap_or(rest);
    rest.split("```").next().unwrap_or(rest).trim()
}

/// Whether every number in `answer` appears in the rows or the question (dates split into their
/// parts), so the model cannot slip in a number of its own.
pub fn numbers_grounded(answer: &str, question: &str, result: &QueryResult) -> bool {
    let mut known: Vec<String> = numbers(question);
    for row in &result.rows {
        for value in row {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            known.extend(numbers(&text));
            if let Some(f) = value.as_f64() {
                known.push(format!("{f:.0}"));
                known.push(format!("{f:.1}"));
                known.push(format!("{f:.2}"));
            }
        }
    }
    numbers(answer).iter().all(|n| {
        let bare = n.trim_start_matches('0');
        known
            .iter()
            .any(|k| k == n || (!bare.is_empty() && k.trim_start_matches('0') == bare))
    })
}

fn numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == '.' && !current.is_empty()) {
            current.push(c);
        } else if !current.is_empty() {
            out.push(current.trim_end_matches('.').to_string());
            current.clear();
        }
    }
    out
}

#[async_trait]
impl SqlGenerator for OpenAiGenerator {
    fn name(&self) -> &'static str {
        "openai"
    }

    async fn generate(&self, request: &Request<'_>) -> Result<Generation, GeneratorError> {
        let reply = self.call(self.messages(request), true).await?;
        self.reply_draft(request, reply)
    }

    async fn write(
        &self,
        instructions: &str,
        facts: &str,
    ) -> Result<Option<String>, GeneratorError> {
        let text = self
            .complete(vec![system(instructions), user(facts)])
            .await?;
        Ok(Some(strip_fences(&text).trim().to_string()))
    }

    async fn repair(
        &self,
        request: &Request<'_>,
        failed: &Draft,
        error: &str,
    ) -> Result<Option<Draft>, GeneratorError> {
        let mut messages = self.messages(request);
        messages.push(assistant(&failed.sql));
        messages.push(user(&format!(
            "That query was rejected: {error}\nReply with a corrected query only."
        )));
        let reply = self.complete(messages).await?;
        match Self::draft(&reply) {
            Generation::Sql(draft) => Ok(Some(draft)),
            Generation::Refusal(_) => Ok(None),
        }
    }

    async fn answer(
        &self,
        request: &Request<'_>,
        draft: &Draft,
        result: &QueryResult,
        sections: &[Section],
    ) -> Result<String, GeneratorError> {
        if draft.kind != AnswerKind::Stat {
            return self.answer_scene(request, draft, result, sections).await;
        }
        let rows = serde_json::to_string(&result.rows).unwrap_or_default();
        let prompt = format!(
            "Question: {}\nSQL: {}\nColumns: {}\nRows (JSON): {}\n\
             Answer the question in one or two friendly sentences. Use only numbers that appear \
             in the rows; if there are no rows, say there is no data.",
            request.question,
            draft.sql,
            result.columns.join(", "),
            rows.chars().take(4000).collect::<String>()
        );
        let messages = vec![
            system("You are Mini-Mindy, an executive assistant reporting email statistics."),
            user(&prompt),
        ];
        self.worded(request, messages, result, || Ok(generic_answer(result)))
            .await
    }
}

impl OpenAiGenerator {
    /// A tool's answer worded by the model from every query's rows; the embedded engine's
    /// template when the model fails or quotes a number the rows do not hold.
    async fn answer_scene(
        &self,
        request: &Request<'_>,
        draft: &Draft,
        result: &QueryResult,
        sections: &[Section],
    ) -> Result<String, GeneratorError> {
        let template = || -> Result<String, GeneratorError> {
            let plan: super::semantic::Plan = serde_json::from_value(draft.context.clone())
                .map_err(|e| GeneratorError::Invalid(e.to_string()))?;
            Ok(super::semantic::scenes::answer(&plan, result, sections)
                .unwrap_or_else(|| super::semantic::answer::answer(&self.catalog, &plan, result)))
        };
        let mut all = QueryResult {
            columns: result.columns.clone(),
            rows: result.rows.clone(),
        };
        let mut data = format!(
            "Main rows ({}): {}\n",
            result.columns.join(", "),
            serde_json::to_string(&result.rows).unwrap_or_default()
        );
        for s in sections {
            all.rows.extend(s.rows.iter().cloned());
            data.push_str(&format!(
                "{} ({}): {}\n",
                s.title,
                s.columns.join(", "),
                serde_json::to_string(&s.rows).unwrap_or_default()
            ));
        }
        let prompt = format!(
            "Question: {}\nToday: {}\n{}\nAnswer as the user's executive assistant, with short \
             sections and bullet points. Use only numbers, names and times that appear in the \
             rows; say when a section has no rows.",
            request.question,
            request.today,
            data.chars().take(12_000).collect::<String>()
        );
        let messages = vec![
            system("You are Mini-Mindy, an executive assistant over the user's mail and calendar."),
            user(&prompt),
        ];
        self.worded(request, messages, &all, template).await
    }

    /// The model's wording of `messages`, kept only when every number in it appears in `rows`
    /// (or the question); `template()` when it does not or the model fails.
    async fn worded(
        &self,
        request: &Request<'_>,
        messages: Vec<ChatCompletionRequestMessage>,
        rows: &QueryResult,
        template: impl FnOnce() -> Result<String, GeneratorError>,
    ) -> Result<String, GeneratorError> {
        match self.complete_answer(request, messages).await {
            Ok(text) if numbers_grounded(&text, request.question, rows) => {
                Ok(text.trim().to_string())
            }
            Ok(text) => {
                tracing::warn!(answer = %text, "LLM answer has numbers not in the rows; using the template");
                template()
            }
            Err(e) => {
                tracing::warn!(error = %e, "LLM answer failed; using the template");
                template()
            }
        }
    }
}

/// Chart hint for an LLM's result.
pub fn chart_for(result: &QueryResult) -> Option<Chart> {
    Chart::guess(result)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fences_are_stripped() {
        assert_eq!(strip_fences("```sql\nSELECT 1\n```"), "SELECT 1");
        assert_eq!(strip_fences("  SELECT 2 "), "SELECT 2");
    }

    #[test]
    fn invented_numbers_are_caught() {
        let result = QueryResult {
            columns: vec!["date".into(), "total_emails".into()],
            rows: vec![vec![json!("2026-11-25"), json!(47)]],
        };
        let q = "How many emails yesterday?";
        assert!(numbers_grounded(
            "You received 47 emails on 25 November 2026.",
            q,
            &result
        ));
        assert!(!numbers_grounded("You received 48 emails.", q, &result));
    }

    #[test]
    fn cannot_answer_becomes_a_refusal() {
        assert!(
            matches!(OpenAiGenerator::draft("CANNOT_ANSWER: no calendar"), Generation::Refusal(m) if m.contains("no calendar"))
        );
    }
}
