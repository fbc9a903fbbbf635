//! The PostgreSQL side of the exporter: rows arrive as Arrow batches, go over the wire as one JSON
//! array per chunk, and PostgreSQL itself turns them into the target's row type
//! (`jsonb_populate_recordset`), so every column type PostgreSQL can read from JSON works — text,
//! numbers, booleans, dates, timestamps, arrays, jsonb — with no type mapping in Rust. Columns
//! are matched by name; only the columns both tables have are written.

use arrow_array::RecordBatch;
use sqlx::{PgPool, Postgres, Transaction};

use crate::{Error, Result};

/// Rows per statement: one JSON parameter each, a few MB at most.
const CHUNK_ROWS: usize = 2_000;

/// A serving table as the exporter writes it.
#[derive(Debug, Clone)]
pub struct Target {
    /// The table, possibly schema-qualified (`schema.table`), as written in SQL.
    pub table: String,
    /// The key columns (a unique index covers them).
    pub key: Vec<String>,
    /// The target's columns, in table order.
    pub columns: Vec<String>,
}

/// Where the export of one target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// The Delta version last applied.
    pub version: i64,
}

impl Target {
    /// Reads the target's columns from the database's catalog; fails when the table is missing
    /// or lacks a key column.
    pub async fn describe(pool: &PgPool, table: &str, key: &[String]) -> Result<Target> {
        let (schema, name) = match table.split_once('.') {
            Some((schema, name)) => (Some(schema), name),
            None => (None, table),
        };
        let columns: Vec<String> = sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_name = $1 AND table_schema = coalesce($2, current_schema()) \
             ORDER BY ordinal_position",
        )
        .bind(name)
        .bind(schema)
        .fetch_all(pool)
        .await?;
        if columns.is_empty() {
            return Err(Error::invalid(format!(
                "export target {table} does not exist"
            )));
        }
        if let Some(missing) = key.iter().find(|k| !columns.contains(k)) {
            return Err(Error::invalid(format!(
                "export target {table} has no key column {missing}"
            )));
        }
        Ok(Target {
            table: table.to_string(),
            key: key.to_vec(),
            columns,
        })
    }

    /// The columns written: the target's that the Delta rows have too.
    fn shared(&self, batch: &RecordBatch) -> Vec<&str> {
        let schema = batch.schema();
        self.columns
            .iter()
            .filter(|c| schema.column_with_name(c).is_some())
            .map(String::as_str)
            .collect()
    }

    /// The stored state, if this target was exported before.
    pub async fn state(&self, pool: &PgPool) -> Result<Option<State>> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT version FROM export_state WHERE target = $1")
                .bind(&self.table)
                .fetch_optional(pool)
                .await?;
        Ok(version.map(|version| State { version }))
    }

    /// Deletes the rows of `batches`' keys.
    pub async fn delete(
        &self,
        tx: &mut Transaction<'_, Postgres>,
        batches: &[RecordBatch],
    ) -> Result<u64> {
        let on = self
            .key
            .iter()
            .map(|k| format!("t.{k} = d.{k}"))
            .collect::<Vec<_>>()
            .join(" AND ");
        let sql = format!(
            "DELETE FROM {t} AS t USING jsonb_populate_recordset(NULL::{t}, $1::jsonb) AS d WHERE {on}",
            t = self.table
        );
        let mut deleted = 0;
        for json in json_chunks(batches)? {
            deleted += sqlx::query(&sql)
                .bind(json)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        }
        Ok(deleted)
    }

    /// Inserts `batches`' rows, replacing the rows of the same key.
    pub async fn upsert(
        &self,
        tx: &mut Transaction<'_, Postgres>,
        batches: &[RecordBatch],
    ) -> Result<u64> {
        let Some(first) = batches.first() else {
            return Ok(0);
        };
        let columns = self.shared(first);
        let list = columns.join(", ");
        let updates: Vec<String> = columns
            .iter()
            .filter(|c| !self.key.iter().any(|k| k == *c))
            .map(|c| format!("{c} = EXCLUDED.{c}"))
            .collect();
        let on_conflict = if updates.is_empty() {
            "DO NOTHING".to_string()
        } else {
            format!("DO UPDATE SET {}", updates.join(", "))
        };
        let sql = format!(
            "INSERT INTO {t} ({list}) SELECT {list} FROM jsonb_populate_recordset(NULL::{t}, $1::jsonb) \
             ON CONFLICT ({key}) {on_conflict}",
            t = self.table,
            key = self.key.join(", "),
        );
        let mut written = 0;
        for json in json_chunks(batches)? {
            written += sqlx::query(&sql)
                .bind(json)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        }
        Ok(written)
    }

    /// Removes every row (before a full snapshot is written in the same transaction).
    pub async fn clear(&self, tx: &mut Transaction<'_, Postgres>) -> Result<()> {
        sqlx::query(&format!("DELETE FROM {}", self.table))
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Records that `version` of `source` is applied, with the row counts of this step.
    pub async fn save_state(
        &self,
        tx: &mut Transaction<'_, Postgres>,
        source: &str,
        version: i64,
        upserted: u64,
        deleted: u64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO export_state (target, source, version, rows_upserted, rows_deleted, exported_at) \
             VALUES ($1, $2, $3, $4, $5, now()) \
             ON CONFLICT (target) DO UPDATE SET source = EXCLUDED.source, version = EXCLUDED.version, \
             rows_upserted = export_state.rows_upserted + EXCLUDED.rows_upserted, \
             rows_deleted = export_state.rows_deleted + EXCLUDED.rows_deleted, exported_at = now()",
        )
        .bind(&self.table)
        .bind(source)
        .bind(version)
        .bind(upserted as i64)
        .bind(deleted as i64)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

/// The rows of `batches` as JSON arrays of objects, at most [`CHUNK_ROWS`] rows each.
fn json_chunks(batches: &[RecordBatch]) -> Result<Vec<String>> {
    let mut chunks = Vec::new();
    for batch in batches {
        let mut offset = 0;
        while offset < batch.num_rows() {
            let len = CHUNK_ROWS.min(batch.num_rows() - offset);
            chunks.push(to_json(&batch.slice(offset, len))?);
            offset += len;
        }
    }
    Ok(chunks)
}

fn to_json(batch: &RecordBatch) -> Result<String> {
    let mut writer = arrow_json::ArrayWriter::new(Vec::new());
    writer
        .write(batch)
        .and_then(|_| writer.finish())
        .map_err(|e| Error::unexpected("arrow", format!("rows to JSON: {e}")))?;
    let bytes = writer.into_inner();
    if bytes.is_empty() {
        return Ok("[]".to_string());
    }
    String::from_utf8(bytes).map_err(|e| Error::unexpected("arrow", e.to_string()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Int64Array, StringArray, TimestampMicrosecondArray};

    use super::*;

    #[test]
    fn rows_become_json_objects_in_chunks() {
        let n = CHUNK_ROWS + 1;
        let batch = RecordBatch::try_from_iter([
            (
                "id",
                Arc::new(Int64Array::from_iter_values(0..n as i64)) as ArrayRef,
            ),
            (
                "name",
                Arc::new(StringArray::from_iter(
                    (0..n).map(|i| (i % 2 == 0).then_some("a\"b")),
                )),
            ),
            (
                "at",
                Arc::new(
                    TimestampMicrosecondArray::from_iter_values((0..n as i64).map(|_| 1_000_000))
                        .with_timezone("UTC"),
                ),
            ),
        ])
        .unwrap();
        let chunks = json_chunks(&[batch]).unwrap();
        assert_eq!(chunks.len(), 2);
        let first: serde_json::Value = serde_json::from_str(&chunks[0]).unwrap();
        assert_eq!(first.as_array().unwrap().len(), CHUNK_ROWS);
        assert_eq!(first[0]["name"], "a\"b");
        assert!(first[1].get("name").is_none(), "nulls are left out");
        let at = first[0]["at"].as_str().unwrap();
        assert!(at.starts_with("1970-01-01T00:00:01"), "{at}");
    }
}
