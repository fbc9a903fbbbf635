//! Redis: conversation history and the answer cache.
//!
//! Keys live under a prefix (`mindy:api:` by default; tests use a unique one each):
//! - `<prefix>conv:<id>`: a list of JSON [`Turn`]s, the last [`MAX_TURNS`] kept, expiring after a
//!   day without activity.
//! - `<prefix>answer:<sha256>`: a cached reply, keyed by generator, normalised question, today,
//!   the data version and the conversation context the question depended on.
//!
//! Redis is a cache here: when it fails the chat goes on without history or cache (logged).

use redis::aio::ConnectionManager;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

/// The Redis side of the chat.
#[derive(Clone)]
pub struct Store {
    redis: ConnectionManager,
    prefix: String,
    cache_ttl: u64,
}

impl Store {
    /// A store on `redis` with keys under `prefix`, caching answers for `cache_ttl` seconds.
    pub fn new(redis: ConnectionManager, prefix: impl Into<String>, cache_ttl: u64) -> Self {
        Store {
            redis,
            prefix: prefix.into(),
            cache_ttl,
        }
    }

    fn conversation_key(&self, id: &str) -> String {
        format!("{}conv:{id}", self.prefix)
    }

    /// The conversation's turns, oldest first (empty when unknown or when Redis fails).
    pub async fn history(&self, id: &str) -> Vec<Turn> {
        let mut redis = self.redis.clone();
        let raw: Result<Vec<String>, _> = redis
            .lrange(self.conversation_key(id), -MAX_TURNS, -1)
            .await;
        match raw {
            Ok(raw) => raw
                .iter()
                .filter_map(|t| serde_json::from_str(t).ok())
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "redis: reading conversation history failed");
                Vec::new()
            }
        }
    }

    /// Appends a turn, trims to the last [`MAX_TURNS`] and renews the expiry.
    pub async fn push(&self, id: &str, turn: &Turn) {
        let key = self.conversation_key(id);
        let Ok(json) = serde_json::to_string(turn) else {
            return;
        };
        let mut redis = self.redis.clone();
        let result: Result<(), _> = redis::pipe()
            .atomic()
            .rpush(&key, json)
            .ltrim(&key, -MAX_TURNS, -1)
            .expire(&key, HISTORY_TTL as i64)
            .query_async(&mut redis)
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "redis: saving the conversation turn failed");
        }
    }

    /// A cached reply for `key`, if any.
    pub async fn cached(&self, key: &CacheKey<'_>) -> Option<CachedAnswer> {
        let mut redis = self.redis.clone();
        let raw: Result<Option<String>, _> = redis
            .get(format!("{}answer:{}", self.prefix, key.digest()))
            .await;
        match raw {
            Ok(raw) => raw.and_then(|r| serde_json::from_str(&r).ok()),
            Err(e) => {
                tracing::warn!(error = %e, "redis: reading the answer cache failed");
                None
            }
        }
    }

    /// Caches a reply under `key`.
    pub async fn cache(&self, key: &CacheKey<'_>, answer: &CachedAnswer) {
        let Ok(json) = serde_json::to_string(answer) else {
            return;
        };
        let mut redis = self.redis.clone();
        let result: Result<(), _> = redis
            .set_ex(
                format!("{}answer:{}", self.prefix, key.digest()),
                json,
                self.cache_ttl,
            )
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "redis: writing the answer cache failed");
        }
    }

    /// PING, for the health check.
    pub async fn ping(&self) -> Result<(), redis::RedisError> {
        let mut redis = self.redis.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut redis)
            .await
            .map(|_| ())
    }
}
