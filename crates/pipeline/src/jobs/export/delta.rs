//! The Delta side of the exporter, on the Spark cluster: a table's latest version, a snapshot at a
//! version, and the net change between two versions from its change data feed — one row per key,
//! its last state (or its deletion).

use arrow_array::RecordBatch;
use spark_client::functions::{col, count, lit, row_number, when};
use spark_client::window::Window;
use spark_client::{Column, DataFrame, SparkSession};

use arrow_select::filter::filter_record_batch;

use crate::{Error, Result};
use spark_client::rows::Rows;

/// The change feed's own columns: what kind of change, and in which commit.
pub const CHANGE_TYPE: &str = "_change_type";
const COMMIT_VERSION: &str = "_commit_version";
const COMMIT_TIMESTAMP: &str = "_commit_timestamp";

/// Error classes saying the change feed cannot answer for the versions asked (it was enabled
/// later, or VACUUM removed its files): a full snapshot is the way back.
const NO_CHANGE_FEED: &[&str] = &[
    "DELTA_MISSING_CHANGE_DATA",
    "DELTA_CHANGE_TABLE_FEED_DISABLED",
    "DELTA_CHANGE_DATA_FILE_NOT_FOUND",
];

/// The rows to apply: upserts and deletions, as Arrow batches whose columns are the Delta
/// table's (plus, for changes, the change feed's own columns, which the target never has).
#[derive(Debug, Default)]
pub struct Changes {
    /// Rows whose last state is to be written.
    pub upserts: Vec<RecordBatch>,
    /// Rows whose key is to be deleted.
    pub deletes: Vec<RecordBatch>,
}

/// Every row of the table as of `version`. Fails, naming a few, when rows share a key: the
/// serving table could hold only one of them, and which one would be chance.
pub async fn snapshot(
    spark: &SparkSession,
    path: &str,
    key: &[String],
    version: i64,
) -> Result<Vec<RecordBatch>> {
    let table = spark
        .read()
        .format("delta")
        .option("versionAsOf", version.to_string())
        .load_path(path);
    let shared = table
        .group_by(key.iter().map(|k| col(k.as_str())))
        .agg([count(lit(1)).alias("_rows")])
        .filter(col("_rows").gt(lit(1)))
        .limit(3)
        .collect()
        .await?;
    let shared = Rows::new(shared);
    if !shared.is_empty() {
        return Err(duplicate_keys(path, key, version, &shared));
    }
    Ok(table.collect().await?)
}

/// The error for rows sharing a key, with the first few keys.
fn duplicate_keys(path: &str, key: &[String], version: i64, rows: &Rows) -> Error {
    let examples: Vec<String> = rows
        .iter()
        .map(|row| {
            key.iter()
                .map(|k| {
                    format!(
                        "{k}={}",
                        row.get::<Option<String>>(k)
                            .ok()
                            .flatten()
                            .unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    Error::unexpected(
        "delta",
        format!(
            "{path} version {version} has rows sharing a key ({}): e.g. {}; \
             the exporter needs one row per key (write the table with MERGE on the key)",
            key.join(", "),
            examples.join("; ")
        ),
    )
}

/// The net change of versions `from..=to`, one row per key: the last post-image of each key, or
/// its deletion when that came last. `Ok(None)` when the change feed cannot answer (the caller
/// falls back to a snapshot).
pub async fn changes(
    spark: &SparkSession,
    path: &str,
    key: &[String],
    from: i64,
    to: i64,
) -> Result<Option<Changes>> {
    let feed = spark
        .sql(format!(
            "SELECT * FROM table_changes_by_path('{}', {from}, {to})",
            path.replace('\'', "''")
        ))
        .await;
    let feed = match feed {
        Ok(df) => df,
        Err(e) if e.error_class().is_some_and(|c| NO_CHANGE_FEED.contains(&c)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    // Two rows of one key in the same commit (an insert of rows sharing a key) leave no "last"
    // one: refuse rather than guess.
    let columns: Vec<Column> = key
        .iter()
        .map(|k| col(k.as_str()))
        .chain([col(COMMIT_VERSION)])
        .collect();
    let tied = feed
        .filter(col(CHANGE_TYPE).neq(lit("update_preimage")))
        .group_by(columns)
        .agg([count(lit(1)).alias("_rows")])
        .filter(col("_rows").gt(lit(1)))
        .limit(3)
        .collect()
        .await;
    match tied {
        Ok(tied) if !Rows::new(tied.clone()).is_empty() => {
            return Err(duplicate_keys(path, key, to, &Rows::new(tied)));
        }
        Ok(_) => {}
        Err(e) if e.error_class().is_some_and(|c| NO_CHANGE_FEED.contains(&c)) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let last = last_change_per_key(&feed, key);
    let collected = last.collect().await;
    let batches = match collected {
        Ok(b) => b,
        Err(e) if e.error_class().is_some_and(|c| NO_CHANGE_FEED.contains(&c)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut changes = Changes::default();
    for batch in batches {
        let (deletes, upserts) = split_deletes(&batch)?;
        changes.deletes.extend(deletes);
        changes.upserts.extend(upserts);
    }
    Ok(Some(changes))
}

/// Keeps, for each key, the change of the highest commit version (a deletion ranks after an
/// insert of the same commit, so a row deleted and re-inserted in one MERGE survives); pre-images
/// of updates are dropped.
fn last_change_per_key(feed: &DataFrame, key: &[String]) -> DataFrame {
    let is_delete = when(col(CHANGE_TYPE).eq(lit("delete")), lit(1)).otherwise(lit(0));
    let window = Window::partition_by(key.iter().map(|k| col(k.as_str())))
        .order_by([col(COMMIT_VERSION).desc(), is_delete.asc()]);
    feed.filter(col(CHANGE_TYPE).neq(lit("update_preimage")))
        .with_column("_rank", row_number().over(window))
        .filter(col("_rank").eq(lit(1)))
        .drop(["_rank", COMMIT_VERSION, COMMIT_TIMESTAMP])
}

/// Splits a batch of net changes into (deletions, upserts) by `_change_type`.
fn split_deletes(batch: &RecordBatch) -> Result<(Option<RecordBatch>, Option<RecordBatch>)> {
    use arrow_array::cast::AsArray;
    use arrow_array::BooleanArray;

    let kinds = batch
        .column_by_name(CHANGE_TYPE)
        .and_then(|c| c.as_string_opt::<i32>())
        .ok_or_else(|| Error::unexpected("spark", "the change feed has no string _change_type"))?;
    let is_delete: BooleanArray = kinds.iter().map(|k| Some(k == Some("delete"))).collect();
    let is_upsert: BooleanArray = kinds.iter().map(|k| Some(k != Some("delete"))).collect();
    let keep = |mask: &BooleanArray| -> Result<Option<RecordBatch>> {
        let picked = filter_record_batch(batch, mask)
            .map_err(|e| Error::unexpected("arrow", e.to_string()))?;
        Ok((picked.num_rows() > 0).then_some(picked))
    };
    Ok((keep(&is_delete)?, keep(&is_upsert)?))
}
