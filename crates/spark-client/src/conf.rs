//! [`RuntimeConfig`]: the session's SQL configuration (`spark.conf` in PySpark).

use spark_connect_proto as pb;
use spark_connect_proto::config_request::{self as cfg, operation::OpType};

use crate::errors::{Error, Result};
use crate::session::SparkSession;

/// Gets and sets `spark.sql.*` (and other runtime) settings of one session.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    session: SparkSession,
}

fn kv(key: &str, value: Option<&str>) -> pb::KeyValue {
    pb::KeyValue {
        key: key.to_string(),
        value: value.map(str::to_string),
    }
}

impl RuntimeConfig {
    pub(crate) fn new(session: SparkSession) -> Self {
        RuntimeConfig { session }
    }

    async fn call(&self, op: OpType) -> Result<pb::ConfigResponse> {
        self.session.client().config(op).await
    }

    /// Sets `key` to `value`.
    pub async fn set(&self, key: &str, value: impl ToString) -> Result<()> {
        let value = value.to_string();
        self.call(OpType::Set(cfg::Set {
            pairs: vec![kv(key, Some(&value))],
            ..Default::default()
        }))
        .await?;
        Ok(())
    }

    /// The value of `key`; an error if it is not set and has no default.
    pub async fn get(&self, key: &str) -> Result<String> {
        let resp = self
            .call(OpType::Get(cfg::Get {
                keys: vec![key.to_string()],
            }))
            .await?;
        first_value(resp)?.ok_or_else(|| Error::protocol(format!("no value for {key}")))
    }

    /// The value of `key`, or `None` when it is unset.
    pub async fn get_option(&self, key: &str) -> Result<Option<String>> {
        let resp = self
            .call(OpType::GetOption(cfg::GetOption {
                keys: vec![key.to_string()],
            }))
            .await?;
        first_value(resp)
    }

    /// The value of `key`, or `default` when it is unset.
    pub async fn get_or(&self, key: &str, default: &str) -> Result<String> {
        let resp = self
            .call(OpType::GetWithDefault(cfg::GetWithDefault {
                pairs: vec![kv(key, Some(default))],
            }))
            .await?;
        Ok(first_value(resp)?.unwrap_or_else(|| default.to_string()))
    }

    /// Every set key with its value.
    pub async fn get_all(&self) -> Result<Vec<(String, String)>> {
        self.all(None).await
    }

    /// Every set key starting with `prefix` (e.g. `"spark.sql."`) with its value. Keys are
    /// complete (the server strips the prefix; it is put back here).
    pub async fn get_all_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        self.all(Some(prefix)).await
    }

    async fn all(&self, prefix: Option<&str>) -> Result<Vec<(String, String)>> {
        let resp = self
            .call(OpType::GetAll(cfg::GetAll {
                prefix: prefix.map(str::to_string),
            }))
            .await?;
        let prefix = prefix.unwrap_or("");
        Ok(resp
            .pairs
            .into_iter()
            .map(|p| {
                // Spark strips the prefix from the keys; Sail keeps it.
                let key = if p.key.starts_with(prefix) {
                    p.key
                } else {
                    format!("{prefix}{}", p.key)
                };
                (key, p.value.unwrap_or_default())
            })
            .collect())
    }

    /// Resets `key` to its default.
    pub async fn unset(&self, key: &str) -> Result<()> {
        self.call(OpType::Unset(cfg::Unset {
            keys: vec![key.to_string()],
        }))
        .await?;
        Ok(())
    }

    /// Whether `key` can be changed at runtime.
    pub async fn is_modifiable(&self, key: &str) -> Result<bool> {
        let resp = self
            .call(OpType::IsModifiable(cfg::IsModifiable {
                keys: vec![key.to_string()],
            }))
            .await?;
        Ok(first_value(resp)?.as_deref() == Some("true"))
    }
}

fn first_value(resp: pb::ConfigResponse) -> Result<Option<String>> {
    for w in &resp.warnings {
        tracing::warn!(warning = %w, "Spark config warning");
    }
    let pair = resp
        .pairs
        .into_iter()
        .next()
        .ok_or_else(|| Error::protocol("config response without a value"))?;
    Ok(pair.value)
}
