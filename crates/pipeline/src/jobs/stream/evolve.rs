//! Additive schema evolution of the stream's Delta tables, on purpose and nothing else (issue 20,
//! the record's evolution policy in [`mindy_core::email::record`]).
//!
//! Before a query starts, its plan's schema is compared with the table it writes to, if that
//! exists (a lake written by older code):
//!
//! - columns the plan has and the table has not (a field added to the record, promoted from
//!   `extra_fields`) are added to the table there and then (`ALTER TABLE … ADD COLUMNS`), so
//!   every query, and silver's read of bronze, starts on the new schema (a Delta stream reading a
//!   table whose schema changes under it stops);
//! - a field added inside a struct column (the record's `from`, say) is added by the first batch
//!   that writes it: the queries write with Delta's `mergeSchema`. That change lands while silver
//!   reads bronze, which stops silver's query once (Delta's `DELTA_SCHEMA_CHANGED_WITH_VERSION`)
//!   and the driver with it; started again, it reads the new schema;
//! - a column the plan lost (a removed or renamed field) or whose type changed is not additive:
//!   the stream refuses to start and says which, instead of writing nulls into the old column or
//!   failing on the first batch. Such a change bumps `SCHEMA_VERSION` and needs a migration of
//!   the table.

use spark_client::types::{DataType, StructField, StructType};
use spark_client::{DataFrame, SparkSession};

use crate::{Error, Result};

/// The columns of `plan` that `table` lacks (to add, in the plan's order), or every way in which
/// `plan` is not an additive change of `table` (a column missing, a type changed).
pub fn added_columns(
    table: &StructType,
    plan: &StructType,
) -> std::result::Result<Vec<StructField>, Vec<String>> {
    let mut problems = Vec::new();
    for old in &table.fields {
        match plan.get(&old.name) {
            None => problems.push(format!("column {} is gone", old.name)),
            Some(new) if !additive(&old.data_type, &new.data_type) => problems.push(format!(
                "column {} changes type from {} to {}",
                old.name,
                old.data_type.to_ddl(),
                new.data_type.to_ddl()
            )),
            Some(_) => {}
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(plan
        .fields
        .iter()
        .filter(|f| table.get(&f.name).is_none())
        .cloned()
        .collect())
}

/// Whether values of type `old` are kept by type `new`: the same type, or a struct with more
/// fields (at any depth), ignoring nullability.
fn additive(old: &DataType, new: &DataType) -> bool {
    match (old, new) {
        (DataType::Struct(old), DataType::Struct(new)) => old.fields.iter().all(|o| {
            new.get(&o.name)
                .is_some_and(|n| additive(&o.data_type, &n.data_type))
        }),
        (DataType::Array { element: old, .. }, DataType::Array { element: new, .. }) => {
            additive(old, new)
        }
        (
            DataType::Map {
                key: old_key,
                value: old_value,
                ..
            },
            DataType::Map {
                key: new_key,
                value: new_value,
                ..
            },
        ) => additive(old_key, new_key) && additive(old_value, new_value),
        (old, new) => old == new,
    }
}

/// Makes the Delta table at `path` ready for `plan`'s rows before a query writes them: adds the
/// plan's new columns, or fails with what is not additive. Nothing to do when the table does not
/// exist yet (the query's first batch creates it).
pub async fn prepare(session: &SparkSession, plan: &DataFrame, path: &str) -> Result<()> {
    if !super::table_exists(session, path).await {
        return Ok(());
    }
    let table = session
        .read()
        .format("delta")
        .load_path(path.to_string())
        .schema()
        .await?;
    let wanted = plan.schema().await?;
    let added = added_columns(&table, &wanted).map_err(|problems| {
        Error::invalid(format!(
            "the stream's rows for {path} are not an additive change of the table ({}): bump \
             SCHEMA_VERSION and migrate the table (README, \"Schema evolution\")",
            problems.join("; ")
        ))
    })?;
    if added.is_empty() {
        return Ok(());
    }
    let columns: Vec<String> = added
        .iter()
        .map(|f| format!("`{}` {}", f.name, f.data_type.to_ddl()))
        .collect();
    session
        .sql(format!(
            "ALTER TABLE delta.`{path}` ADD COLUMNS ({})",
            columns.join(", ")
        ))
        .await?
        .collect()
        .await?;
    tracing::info!(path, columns = %columns.join(", "), "added the plan's new columns to the table");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(fields: &[(&str, DataType)]) -> StructType {
        fields.iter().fold(StructType::default(), |s, (name, t)| {
            s.field(*name, t.clone(), true)
        })
    }

    #[test]
    fn new_columns_and_struct_fields_are_additive() {
        let mailbox = schema(&[("address", DataType::String)]);
        let wider = mailbox.clone().field("canonical", DataType::String, true);
        let table = schema(&[
            ("id", DataType::String),
            ("from", DataType::Struct(mailbox)),
        ]);
        let plan = schema(&[
            ("id", DataType::String),
            ("from", DataType::Struct(wider)),
            ("label_colors", DataType::String),
        ]);
        let added = added_columns(&table, &plan).unwrap();
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].name, "label_colors");
        assert!(added_columns(&plan, &plan).unwrap().is_empty());
    }

    #[test]
    fn lost_columns_and_changed_types_are_refused() {
        let table = schema(&[("id", DataType::String), ("size_bytes", DataType::Long)]);
        let renamed = schema(&[("id", DataType::String), ("size", DataType::Long)]);
        assert_eq!(
            added_columns(&table, &renamed).unwrap_err(),
            ["column size_bytes is gone"]
        );
        let retyped = schema(&[("id", DataType::String), ("size_bytes", DataType::String)]);
        assert_eq!(
            added_columns(&table, &retyped).unwrap_err(),
            ["column size_bytes changes type from BIGINT to STRING"]
        );
    }
}
