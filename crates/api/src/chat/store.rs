//! Redis: conversation history and the answer cache.
//!
//! Keys live under a prefix (`mindy:api:` by default; tests use a unique one each):
//! - `<prefix>conv:<id>`: a list of JSON [`Turn`]s, the last [`MAX_TURNS`] kept, expiring after a
//!   day without activity.
//! - `<prefix>answer:<sha256>`: a cached reply, keyed by generator, normalised question, today,
//!   the data version and the conversation context the question depended on.
//!
//! Redis is optional here: when it is down or slow the chat goes on without history or cache
//! (logged, and said in the reply), never waiting longer than [`REDIS_DEADLINE`] for it. The
//! connection heals itself: a failed or timed-out call drops the connection, Redis is left alone
//! for [`COOL_DOWN`], and the next call after that dials afresh — so a Redis restart costs the
//! chat a second of uncached answers, not a hung request or a restart of the API (redis-rs's
//! ConnectionManager alone was seen to stay broken after a Redis restart).

use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use super::{Chart, QueryResult, Turn};

/// Turns kept per conversation.
pub const MAX_TURNS: isize = 20;
/// Seconds a conversation is kept after its last turn.
const HISTORY_TTL: u64 = 24 * 3600;

/// A reply as cached: everything but the conversation id and the timings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedAnswer {
    /// The answer text.
    pub answer: String,
    /// The SQL shown.
    pub sql: Option<String>,
    /// The result.
    pub result: QueryResult,
    /// Chart hint.
    pub chart: Option<Chart>,
    /// Whether it was a refusal.
    pub refused: bool,
    /// The generator's context for follow-ups.
    pub context: serde_json::Value,
}

/// What the cache key is made of.
#[derive(Debug, Clone)]
pub struct CacheKey<'a> {
    /// Generator name.
    pub generator: &'a str,
    /// The question, normalised.
    pub question: &'a str,
    /// Today in the user's timezone ("yesterday" changes meaning at midnight).
    pub today: chrono::NaiveDate,
    /// The data version (changes when the batch writes).
    pub data_version: &'a str,
    /// The previous turn's SQL, when there is one (follow-ups depend on it).
    pub context: Option<&'a str>,
}

impl CacheKey<'_> {
    fn digest(&self) -> String {
        let mut hash = Sha256::new();
        for part in [
            self.generator,
            self.question,
            &self.today.to_string(),
            self.data_version,
            self.context.unwrap_or(""),
        ] {
            hash.update(part.as_bytes());
            hash.update([0u8]);
        }
        format!("{:x}", hash.finalize())
    }
}

/// The longest a chat request waits for any one Redis call.
pub const REDIS_DEADLINE: Duration = Duration::from_millis(500);
/// How long Redis is not tried again after a failure.
pub const COOL_DOWN: Duration = Duration::from_secs(1);

/// Why a Redis call gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("redis unavailable: {0}")]
pub struct Unavailable(pub String);

/// The Redis side of the chat.
#[derive(Clone)]
pub struct Store {
    redis: Arc<Connection>,
    prefix: String,
    cache_ttl: u64,
}

/// A Redis connection that is dropped on failure and dialled again on demand.
struct Connection {
    client: redis::Client,
    /// The live connection, if any, and when Redis may be tried again after a failure.
    state: Mutex<(Option<ConnectionManager>, Option<Instant>)>,
}

impl Connection {
    /// The live connection, dialled if there is none; `Err` during a cool-down or when dialling
    /// fails within the deadline.
    async fn get(&self) -> Result<ConnectionManager, Unavailable> {
        let mut state = self.state.lock().await;
        if let Some(until) = state.1 {
            if Instant::now() < until {
                return Err(Unavailable("recently failed; not retried yet".into()));
            }
        }
        if let Some(live) = &state.0 {
            return Ok(live.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(REDIS_DEADLINE)
            .set_response_timeout(REDIS_DEADLINE)
            .set_number_of_retries(0);
        let dialled = tokio::time::timeout(
            REDIS_DEADLINE,
            self.client.get_connection_manager_with_config(config),
        )
        .await;
        match dialled {
            Ok(Ok(live)) => {
                state.0 = Some(live.clone());
                state.1 = None;
                Ok(live)
            }
            Ok(Err(e)) => {
                state.1 = Some(Instant::now() + COOL_DOWN);
                Err(Unavailable(e.to_string()))
            }
            Err(_) => {
                state.1 = Some(Instant::now() + COOL_DOWN);
                Err(Unavailable(format!(
                    "no connection within {REDIS_DEADLINE:?}"
                )))
            }
        }
    }

    /// Forgets the connection after a failure and rests for [`COOL_DOWN`].
    async fn failed(&self) {
        let mut state = self.state.lock().await;
        state.0 = None;
        state.1 = Some(Instant::now() + COOL_DOWN);
    }

    /// Runs one call within [`REDIS_DEADLINE`].
    async fn call<T, F, Fut>(&self, what: &str, op: F) -> Result<T, Unavailable>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let live = self.get().await?;
        let error = match tokio::time::timeout(REDIS_DEADLINE, op(live)).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("no answer within {REDIS_DEADLINE:?}"),
        };
        tracing::warn!(error = %error, "redis: {what} failed; going on without Redis for {COOL_DOWN:?}");
        self.failed().await;
        Err(Unavailable(error))
    }
}

impl Store {
    /// A store on the Redis at `client` with keys under `prefix`, caching answers for
    /// `cache_ttl` seconds. Does not dial: the first call does (so the API starts while Redis
    /// is down).
    pub fn new(client: redis::Client, prefix: impl Into<String>, cache_ttl: u64) -> Self {
        Store {
            redis: Arc::new(Connection {
                client,
                state: Mutex::new((None, None)),
            }),
            prefix: prefix.into(),
            cache_ttl,
        }
    }

    fn conversation_key(&self, id: &str) -> String {
        format!("{}conv:{id}", self.prefix)
    }

    /// The conversation's turns, oldest first (empty when unknown); `Err` when Redis could not
    /// say.
    pub async fn history(&self, id: &str) -> Result<Vec<Turn>, Unavailable> {
        let key = self.conversation_key(id);
        let raw: Vec<String> = self
            .redis
            .call("reading conversation history", |mut r| async move {
                r.lrange(key, -MAX_TURNS, -1).await
            })
            .await?;
        Ok(raw
            .iter()
            .filter_map(|t| serde_json::from_str(t).ok())
            .collect())
    }

    /// Appends a turn, trims to the last [`MAX_TURNS`] and renews the expiry.
    pub async fn push(&self, id: &str, turn: &Turn) -> Result<(), Unavailable> {
        let key = self.conversation_key(id);
        let Ok(json) = serde_json::to_string(turn) else {
            return Ok(());
        };
        self.redis
            .call("saving the conversation turn", |mut r| async move {
                redis::pipe()
                    .atomic()
                    .rpush(&key, json)
                    .ltrim(&key, -MAX_TURNS, -1)
                    .expire(&key, HISTORY_TTL as i64)
                    .query_async::<()>(&mut r)
                    .await
            })
            .await
    }

    /// A cached reply for `key`, if any; `Err` when Redis could not say.
    pub async fn cached(&self, key: &CacheKey<'_>) -> Result<Option<CachedAnswer>, Unavailable> {
        let key = format!("{}answer:{}", self.prefix, key.digest());
        let raw: Option<String> = self
            .redis
            .call("reading the answer cache", |mut r| async move {
                r.get(key).await
            })
            .await?;
        Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
    }

    /// Caches a reply under `key`.
    pub async fn cache(
        &self,
        key: &CacheKey<'_>,
        answer: &CachedAnswer,
    ) -> Result<(), Unavailable> {
        let Ok(json) = serde_json::to_string(answer) else {
            return Ok(());
        };
        let key = format!("{}answer:{}", self.prefix, key.digest());
        let ttl = self.cache_ttl;
        self.redis
            .call("writing the answer cache", |mut r| async move {
                r.set_ex(key, json, ttl).await
            })
            .await
    }

    /// PING, for the health check: dials afresh when there is no live connection, whatever the
    /// cool-down, so health tells the truth as soon as Redis is back.
    pub async fn ping(&self) -> Result<(), Unavailable> {
        {
            let mut state = self.redis.state.lock().await;
            state.1 = None;
        }
        self.redis
            .call("PING", |mut r| async move {
                redis::cmd("PING")
                    .query_async::<String>(&mut r)
                    .await
                    .map(|_| ())
            })
            .await
    }
}
