//! [`DataFrameWriter`]: batch sinks (`df.write()`).

use std::collections::HashMap;

use spark_connect_proto as pb;
use spark_connect_proto::write_operation::{save_table::TableSaveMethod, SaveTable, SaveType};

use super::DataFrame;
use crate::errors::Result;

/// What a write does when the target already has data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SaveMode {
    /// Add the rows.
    Append,
    /// Replace the data (for Delta: a new table version; `replaceWhere` narrows it).
    Overwrite,
    /// Fail if the target exists (Spark's default).
    #[default]
    ErrorIfExists,
    /// Do nothing if the target exists.
    Ignore,
}

/// Writes a DataFrame: `df.write().format("delta").mode(SaveMode::Append).partition_by(["day"]).save(path)`.
#[derive(Debug, Clone)]
#[must_use]
pub struct DataFrameWriter {
    df: DataFrame,
    format: Option<String>,
    mode: Option<SaveMode>,
    options: HashMap<String, String>,
    partition_by: Vec<String>,
    sort_by: Vec<String>,
    bucket_by: Option<(i32, Vec<String>)>,
}

impl DataFrameWriter {
    pub(crate) fn new(df: DataFrame) -> Self {
        DataFrameWriter {
            df,
            format: None,
            mode: None,
            options: HashMap::new(),
            partition_by: vec![],
            sort_by: vec![],
            bucket_by: None,
        }
    }

    /// The sink format: `delta`, `parquet`, `json`, `csv`, ...
    pub fn format(mut self, format: impl Into<String>) -> Self {
        self.format = Some(format.into());
        self
    }

    /// What to do when the target exists.
    pub fn mode(mut self, mode: SaveMode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// A sink option, e.g. `("mergeSchema", "true")` or `("replaceWhere", "day = '2024-01-01'")`.
    pub fn option(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.options.insert(key.into(), value.to_string());
        self
    }

    /// Several sink options.
    pub fn options<K: Into<String>, V: ToString>(
        self,
        options: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        options
            .into_iter()
            .fold(self, |builder, (k, v)| builder.option(k, v))
    }

    /// Partitions the output by these columns (one directory level each).
    pub fn partition_by<S: Into<String>>(mut self, cols: impl IntoIterator<Item = S>) -> Self {
        self.partition_by = cols.into_iter().map(Into::into).collect();
        self
    }

    /// Buckets the output (tables only).
    pub fn bucket_by<S: Into<String>>(
        mut self,
        num_buckets: i32,
        cols: impl IntoIterator<Item = S>,
    ) -> Self {
        self.bucket_by = Some((num_buckets, cols.into_iter().map(Into::into).collect()));
        self
    }

    /// Sorts each bucket by these columns (with `bucket_by`).
    pub fn sort_by<S: Into<String>>(mut self, cols: impl IntoIterator<Item = S>) -> Self {
        self.sort_by = cols.into_iter().map(Into::into).collect();
        self
    }

    /// Writes to `path`.
    pub async fn save(self, path: impl Into<String>) -> Result<()> {
        let target = SaveType::Path(path.into());
        self.run(Some(target)).await
    }

    /// Writes without a path (the sink is configured by options, e.g. `jdbc`).
    pub async fn save_to_sink(self) -> Result<()> {
        self.run(None).await
    }

    /// Writes to the catalog table `name`, creating it if needed (`saveAsTable`).
    pub async fn save_as_table(self, name: &str) -> Result<()> {
        self.run(Some(table(name, TableSaveMethod::SaveAsTable)))
            .await
    }

    /// Inserts into the existing table `name`, matching columns by position (`insertInto`).
    /// Appends unless [`mode`](Self::mode) says `Overwrite`.
    pub async fn insert_into(mut self, name: &str) -> Result<()> {
        // An unset mode reaches Spark 3.5 as ErrorIfExists, which V2 tables (Delta) turn into a
        // truncate; PySpark's insertInto appends by default.
        if self.mode != Some(SaveMode::Overwrite) {
            self.mode = Some(SaveMode::Append);
        }
        self.run(Some(table(name, TableSaveMethod::InsertInto)))
            .await
    }

    pub(crate) fn operation(&self, target: Option<SaveType>) -> pb::WriteOperation {
        use pb::write_operation::SaveMode as M;
        let mode = match self.mode {
            None => M::Unspecified,
            Some(SaveMode::Append) => M::Append,
            Some(SaveMode::Overwrite) => M::Overwrite,
            Some(SaveMode::ErrorIfExists) => M::ErrorIfExists,
            Some(SaveMode::Ignore) => M::Ignore,
        };
        pb::WriteOperation {
            input: Some(self.df.relation().clone()),
            source: self.format.clone(),
            save_type: target,
            mode: mode as i32,
            sort_column_names: self.sort_by.clone(),
            partitioning_columns: self.partition_by.clone(),
            bucket_by: self
                .bucket_by
                .as_ref()
                .map(|(n, cols)| pb::write_operation::BucketBy {
                    bucket_column_names: cols.clone(),
                    num_buckets: *n,
                }),
            options: self.options.clone(),
            ..Default::default()
        }
    }

    async fn run(self, target: Option<SaveType>) -> Result<()> {
        self.df.checked_relation()?;
        let op = self.operation(target);
        self.df
            .session()
            .execute_command(pb::command::CommandType::WriteOperation(op))
            .await?;
        Ok(())
    }
}

fn table(name: &str, method: TableSaveMethod) -> SaveType {
    SaveType::Table(SaveTable {
        table_name: name.to_string(),
        save_method: method as i32,
    })
}
