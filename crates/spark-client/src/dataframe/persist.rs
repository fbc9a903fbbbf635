//! Caching: `cache`, `persist`, `unpersist`, `storage_level` (AnalyzePlan calls, as PySpark's).

use spark_connect_proto as pb;
use spark_connect_proto::analyze_plan_request::{self as req, Analyze};
use spark_connect_proto::analyze_plan_response::Result as AnalyzeResult;

use super::DataFrame;
use crate::errors::{Error, Result};

/// Where and how cached partitions are kept (Spark's `StorageLevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageLevel {
    /// Spill to local disk.
    pub use_disk: bool,
    /// Keep in executor memory.
    pub use_memory: bool,
    /// Keep in off-heap memory.
    pub use_off_heap: bool,
    /// Keep as deserialized objects (faster, larger) rather than serialized bytes.
    pub deserialized: bool,
    /// Number of copies.
    pub replication: i32,
}

impl StorageLevel {
    /// Not cached.
    pub const NONE: StorageLevel = StorageLevel::new(false, false, false, false);
    /// Disk only.
    pub const DISK_ONLY: StorageLevel = StorageLevel::new(true, false, false, false);
    /// Memory only, deserialized.
    pub const MEMORY_ONLY: StorageLevel = StorageLevel::new(false, true, false, true);
    /// Memory, spilling to disk, serialized (PySpark's `MEMORY_AND_DISK`).
    pub const MEMORY_AND_DISK: StorageLevel = StorageLevel::new(true, true, false, false);
    /// Memory, spilling to disk, deserialized: what `cache()` uses (PySpark's default).
    pub const MEMORY_AND_DISK_DESER: StorageLevel = StorageLevel::new(true, true, false, true);
    /// Off-heap memory, spilling to disk.
    pub const OFF_HEAP: StorageLevel = StorageLevel::new(true, true, true, false);

    const fn new(use_disk: bool, use_memory: bool, use_off_heap: bool, deser: bool) -> Self {
        StorageLevel {
            use_disk,
            use_memory,
            use_off_heap,
            deserialized: deser,
            replication: 1,
        }
    }

    fn to_proto(self) -> pb::StorageLevel {
        pb::StorageLevel {
            use_disk: self.use_disk,
            use_memory: self.use_memory,
            use_off_heap: self.use_off_heap,
            deserialized: self.deserialized,
            replication: self.replication,
        }
    }

    fn from_proto(p: pb::StorageLevel) -> StorageLevel {
        StorageLevel {
            use_disk: p.use_disk,
            use_memory: p.use_memory,
            use_off_heap: p.use_off_heap,
            deserialized: p.deserialized,
            replication: p.replication,
        }
    }
}

impl DataFrame {
    /// Caches the result in memory and disk once computed (`MEMORY_AND_DISK_DESER`); returns
    /// this DataFrame, as PySpark's `cache()`.
    pub async fn cache(&self) -> Result<DataFrame> {
        self.persist(StorageLevel::MEMORY_AND_DISK_DESER).await
    }

    /// Caches the result at `level` once computed.
    pub async fn persist(&self, level: StorageLevel) -> Result<DataFrame> {
        let analyze = Analyze::Persist(req::Persist {
            relation: Some(self.checked_relation()?.clone()),
            storage_level: Some(level.to_proto()),
        });
        self.expect_analyze(analyze, "persist").await?;
        Ok(self.clone())
    }

    /// Drops the cached result (now, with `blocking`, or in the background).
    pub async fn unpersist(&self, blocking: bool) -> Result<DataFrame> {
        let analyze = Analyze::Unpersist(req::Unpersist {
            relation: Some(self.checked_relation()?.clone()),
            blocking: Some(blocking),
        });
        self.expect_analyze(analyze, "unpersist").await?;
        Ok(self.clone())
    }

    /// How this DataFrame is cached ([`StorageLevel::NONE`] when it is not).
    pub async fn storage_level(&self) -> Result<StorageLevel> {
        let analyze = Analyze::GetStorageLevel(req::GetStorageLevel {
            relation: Some(self.checked_relation()?.clone()),
        });
        match self.session.client().analyze(analyze).await? {
            AnalyzeResult::GetStorageLevel(l) => Ok(StorageLevel::from_proto(
                l.storage_level.unwrap_or_default(),
            )),
            other => Err(Error::protocol(format!(
                "expected a storage level, got {other:?}"
            ))),
        }
    }

    /// Whether this DataFrame is cached.
    pub async fn is_cached(&self) -> Result<bool> {
        Ok(self.storage_level().await? != StorageLevel::NONE)
    }

    async fn expect_analyze(&self, analyze: Analyze, what: &str) -> Result<()> {
        match self.session.client().analyze(analyze).await? {
            AnalyzeResult::Persist(_) | AnalyzeResult::Unpersist(_) => Ok(()),
            other => Err(Error::protocol(format!(
                "expected a {what} result, got {other:?}"
            ))),
        }
    }
}
