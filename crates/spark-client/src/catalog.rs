//! [`Catalog`]: databases, tables and views of the session (`spark.catalog` in PySpark).
//!
//! Uses the `Catalog` relation of Spark Connect 3.5 (only the variants 3.5 knows).

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use spark_connect_proto as pb;
use spark_connect_proto::catalog::CatType;
use spark_connect_proto::relation::RelType;

use crate::arrow_util::{bool_column, single_bool, single_string, string_column};
use crate::errors::Result;
use crate::session::SparkSession;

/// Access to the session catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    session: SparkSession,
}

/// A table or view, as listed by [`Catalog::list_tables`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    /// The table name.
    pub name: String,
    /// The catalog (e.g. `spark_catalog`), if any.
    pub catalog: Option<String>,
    /// The namespace (database) parts.
    pub namespace: Vec<String>,
    /// The table comment.
    pub description: Option<String>,
    /// `MANAGED`, `EXTERNAL`, `VIEW` or `TEMPORARY`.
    pub table_type: String,
    /// Whether it is a temporary view.
    pub is_temporary: bool,
}

impl Catalog {
    pub(crate) fn new(session: SparkSession) -> Self {
        Catalog { session }
    }

    async fn run(&self, cat: CatType) -> Result<Vec<RecordBatch>> {
        self.session
            .dataframe(RelType::Catalog(pb::Catalog {
                cat_type: Some(cat),
            }))
            .collect()
            .await
    }

    /// The current database.
    pub async fn current_database(&self) -> Result<String> {
        let batches = self
            .run(CatType::CurrentDatabase(pb::CurrentDatabase {}))
            .await?;
        single_string(&batches)
    }

    /// Makes `name` the current database.
    pub async fn set_current_database(&self, name: &str) -> Result<()> {
        self.run(CatType::SetCurrentDatabase(pb::SetCurrentDatabase {
            db_name: name.to_string(),
        }))
        .await?;
        Ok(())
    }

    /// The database names.
    pub async fn list_databases(&self) -> Result<Vec<String>> {
        self.databases(None).await
    }

    /// The database names matching a `LIKE`-style pattern (`*` and `|`), e.g. `"sales*"`.
    pub async fn list_databases_like(&self, pattern: &str) -> Result<Vec<String>> {
        self.databases(Some(pattern)).await
    }

    async fn databases(&self, pattern: Option<&str>) -> Result<Vec<String>> {
        let batches = self
            .run(CatType::ListDatabases(pb::ListDatabases {
                pattern: pattern.map(str::to_string),
            }))
            .await?;
        Ok(string_column(&batches, "name")?
            .into_iter()
            .flatten()
            .collect())
    }

    /// Whether the database exists.
    pub async fn database_exists(&self, name: &str) -> Result<bool> {
        let batches = self
            .run(CatType::DatabaseExists(pb::DatabaseExists {
                db_name: name.to_string(),
            }))
            .await?;
        single_bool(&batches)
    }

    /// Tables and views of the current database, temporary views included.
    pub async fn list_tables(&self) -> Result<Vec<TableInfo>> {
        self.tables(None).await
    }

    /// Tables and views of `database`, temporary views included.
    pub async fn list_tables_in(&self, database: &str) -> Result<Vec<TableInfo>> {
        self.tables(Some(database)).await
    }

    async fn tables(&self, database: Option<&str>) -> Result<Vec<TableInfo>> {
        let batches = self
            .run(CatType::ListTables(pb::ListTables {
                db_name: database.map(str::to_string),
                pattern: None,
            }))
            .await?;
        table_infos(&batches)
    }

    /// Whether the table or view exists (`name` may be qualified: `db.table`).
    pub async fn table_exists(&self, name: &str) -> Result<bool> {
        let batches = self
            .run(CatType::TableExists(pb::TableExists {
                table_name: name.to_string(),
                db_name: None,
            }))
            .await?;
        single_bool(&batches)
    }

    /// Drops a temporary view; returns whether it existed.
    pub async fn drop_temp_view(&self, name: &str) -> Result<bool> {
        let batches = self
            .run(CatType::DropTempView(pb::DropTempView {
                view_name: name.to_string(),
            }))
            .await?;
        single_bool(&batches)
    }
}

fn table_infos(batches: &[RecordBatch]) -> Result<Vec<TableInfo>> {
    let names = string_column(batches, "name")?;
    let catalogs = string_column(batches, "catalog")?;
    let descriptions = string_column(batches, "description")?;
    let types = string_column(batches, "tableType")?;
    let temps = bool_column(batches, "isTemporary")?;
    let namespaces = namespaces(batches);
    Ok((0..names.len())
        .map(|i| TableInfo {
            name: names[i].clone().unwrap_or_default(),
            catalog: catalogs[i].clone(),
            namespace: namespaces.get(i).cloned().unwrap_or_default(),
            description: descriptions[i].clone(),
            table_type: types[i].clone().unwrap_or_default(),
            is_temporary: temps[i].unwrap_or(false),
        })
        .collect())
}

/// The `namespace` column: an array of strings per row (empty when absent or not a list).
fn namespaces(batches: &[RecordBatch]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for b in batches {
        let Some(col) = b.column_by_name("namespace") else {
            out.extend((0..b.num_rows()).map(|_| Vec::new()));
            continue;
        };
        let Some(list) = col.as_list_opt::<i32>() else {
            out.extend((0..b.num_rows()).map(|_| Vec::new()));
            continue;
        };
        for i in 0..list.len() {
            let parts = crate::arrow_util::strings(list.value(i).as_ref())
                .map(|v| v.into_iter().flatten().collect())
                .unwrap_or_default();
            out.push(parts);
        }
    }
    out
}
