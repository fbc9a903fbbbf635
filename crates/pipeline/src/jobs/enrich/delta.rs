//! The Delta side of `mindy enrich`: its tables are created from their row structs
//! ([`mindy_core::intel`]) with the change data feed on (the exporter reads it), and written by
//! `MERGE`, so a pass that is cut short and run again changes nothing twice.
//!
//! [`merge_changes`] is the pattern of every derived table: the source is the complete, freshly
//! computed table; rows whose values did not change are left alone (so the change feed carries
//! only real changes), new rows are inserted and rows that are no longer produced are deleted.

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::Array;
use spark_client::dataframe::SaveMode;
use spark_client::types::{StructField, StructType};
use spark_client::SparkSession;

use crate::{Error, Result};

/// The table properties of every table `mindy enrich` creates: the change data feed for the
/// exporter, and compaction of the small files frequent passes write.
const PROPERTIES: &str =
    "'delta.enableChangeDataFeed' = 'true', 'delta.autoOptimize.autoCompact' = 'true'";

/// The SQL identifier of the Delta table at `path`. Paths come from the lake's constants under a
/// configured root; a backtick would end the identifier, so it is refused.
pub fn table(path: &str) -> Result<String> {
    if path.contains('`') {
        return Err(Error::invalid(format!(
            "a lake path cannot contain a backtick: {path}"
        )));
    }
    Ok(format!("delta.`{path}`"))
}

/// Creates the table at `path` with `schema`'s columns unless it exists, and adds the columns of
/// `schema` it lacks (a newer release's additions) when it does.
///
/// Top-level `NOT NULL`s are kept (Delta enforces them); nested fields, array elements and map
/// values are declared nullable, as Delta refuses `NOT NULL` inside arrays and maps
/// (`DELTA_NESTED_NOT_NULL_CONSTRAINT`).
pub async fn ensure_table(session: &SparkSession, path: &str, schema: &StructType) -> Result<()> {
    let name = table(path)?;
    let schema = &table_schema(schema);
    let create = format!(
        "CREATE TABLE IF NOT EXISTS {name} ({}) USING delta TBLPROPERTIES ({PROPERTIES})",
        schema.to_ddl()
    );
    // Another enrich run (Airflow's beside a continuous one) may be creating it this moment.
    crate::jobs::batch::delta::retry_creation("creating the table", || async {
        session
            .sql(create.as_str())
            .await
            .map(drop)
            .map_err(Into::into)
    })
    .await?;
    let existing = session
        .read()
        .format("delta")
        .load_path(path)
        .columns()
        .await?;
    let missing: Vec<String> = schema
        .fields
        .iter()
        .filter(|f| !existing.iter().any(|c| c == &f.name))
        .map(|f| format!("`{}` {}", f.name, f.data_type.to_ddl()))
        .collect();
    if !missing.is_empty() {
        tracing::info!(path, columns = ?missing, "adding columns to an existing table");
        session
            .sql(format!(
                "ALTER TABLE {name} ADD COLUMNS ({})",
                missing.join(", ")
            ))
            .await?;
    }
    Ok(())
}

/// `schema` as a Delta table can hold it: each column's nullability kept, everything nested in
/// it nullable.
fn table_schema(schema: &StructType) -> StructType {
    StructType {
        fields: schema
            .fields
            .iter()
            .map(|f| StructField {
                data_type: f.data_type.as_nullable(),
                ..f.clone()
            })
            .collect(),
    }
}

/// What one `MERGE` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeCounts {
    /// Rows inserted.
    pub inserted: i64,
    /// Rows updated.
    pub updated: i64,
    /// Rows deleted.
    pub deleted: i64,
}

impl std::fmt::Display for MergeCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "+{} ~{} -{}", self.inserted, self.updated, self.deleted)
    }
}

/// Inserts the rows of view `source` whose `key` is not in the table at `target` yet.
pub async fn merge_new(
    session: &SparkSession,
    target: &str,
    source: &str,
    key: &[&str],
) -> Result<MergeCounts> {
    let sql = format!(
        "MERGE INTO {} t USING {source} s ON {} WHEN NOT MATCHED THEN INSERT *",
        table(target)?,
        on(key)
    );
    counts(session, sql).await
}

/// Makes the table at `target` equal to view `source` (the complete table, freshly computed):
/// inserts new keys, updates rows where a column other than the key and `computed_at` changed,
/// deletes keys `source` no longer has.
pub async fn merge_changes(
    session: &SparkSession,
    target: &str,
    source: &str,
    schema: &StructType,
    key: &[&str],
) -> Result<MergeCounts> {
    let same: Vec<String> = schema
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .filter(|name| !key.contains(name) && *name != "computed_at")
        .map(|name| format!("t.`{name}` <=> s.`{name}`"))
        .collect();
    let sql = format!(
        "MERGE INTO {} t USING {source} s ON {} \
         WHEN MATCHED AND NOT ({}) THEN UPDATE SET * \
         WHEN NOT MATCHED THEN INSERT * \
         WHEN NOT MATCHED BY SOURCE THEN DELETE",
        table(target)?,
        on(key),
        same.join(" AND ")
    );
    counts(session, sql).await
}

fn on(key: &[&str]) -> String {
    key.iter()
        .map(|k| format!("t.`{k}` = s.`{k}`"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Runs a `MERGE` and reads its metrics row.
async fn counts(session: &SparkSession, sql: String) -> Result<MergeCounts> {
    let batches = session.sql(sql).await?.collect().await?;
    let value = |name: &str| -> i64 {
        batches
            .iter()
            .filter_map(|b| b.column_by_name(name))
            .filter_map(|c| c.as_primitive_opt::<Int64Type>())
            .filter(|c| !c.is_empty() && !c.is_null(0))
            .map(|c| c.value(0))
            .sum()
    };
    Ok(MergeCounts {
        inserted: value("num_inserted_rows"),
        updated: value("num_updated_rows"),
        deleted: value("num_deleted_rows"),
    })
}

/// Replaces the scratch table at `path` with the rows of `df` (its schema too) and registers the
/// table as read back as temp view `view`, which is returned: later statements read the written
/// rows instead of computing `df` again.
pub async fn replace_scratch(
    session: &SparkSession,
    df: spark_client::DataFrame,
    path: &str,
    view: &str,
) -> Result<spark_client::DataFrame> {
    df.write()
        .format("delta")
        .mode(SaveMode::Overwrite)
        .option("overwriteSchema", "true")
        .save(path)
        .await?;
    let written = session.read().format("delta").load_path(path);
    written.create_or_replace_temp_view(view).await?;
    Ok(written)
}

/// Registers `df` as temp view `name` and caches it in the executors' memory, eagerly: a pass's
/// queries read the same intermediate results many times (a `WITH` clause is inlined wherever
/// it is referenced, and a `MERGE` reads its source twice), and without the cache each read
/// recomputed them from the Delta tables. An earlier cache of `name` is dropped first: a cached
/// plan over a Delta table can match a later read of the same table and serve old rows.
pub async fn cache_view(
    session: &SparkSession,
    df: spark_client::DataFrame,
    name: &str,
) -> Result<()> {
    uncache_view(session, name).await?;
    df.create_or_replace_temp_view(name).await?;
    session.sql(format!("CACHE TABLE `{name}`")).await?;
    Ok(())
}

/// Drops the cache of temp view `name`, if there is one.
pub async fn uncache_view(session: &SparkSession, name: &str) -> Result<()> {
    session
        .sql(format!("UNCACHE TABLE IF EXISTS `{name}`"))
        .await?;
    Ok(())
}

/// Whether Spark refused a statement because the Delta table does not exist (yet).
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_backticks_are_refused() {
        assert_eq!(table("/lake/silver/x").unwrap(), "delta.`/lake/silver/x`");
        assert!(table("/lake/`x").is_err());
    }

    #[test]
    fn tables_keep_column_nullability_and_nothing_nested_is_not_null() {
        let facts = table_schema(&StructType::of::<mindy_core::intel::EmailFacts>());
        let ddl = facts.to_ddl();
        assert!(ddl.starts_with("id STRING NOT NULL,"), "{ddl}");
        let items = facts.get("action_items").unwrap();
        assert!(!items.nullable);
        assert_eq!(
            items.data_type.to_ddl(),
            "ARRAY<STRUCT<item_no: INT, description: STRING, due_at: TIMESTAMP, due_text: STRING>>"
        );
    }
}
