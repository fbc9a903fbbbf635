//! [`Catalog`]: databases, tables and views of the session (`spark.catalog` in PySpark).
//!
//! Uses the `Catalog` relation of Spark Connect 3.5 (only the variants 3.5 knows).

use arrow_array::RecordBatch;
use spark_connect_proto as pb;
use spark_connect_proto::catalog::CatType;
use spark_connect_proto::relation::RelType;

use crate::arrow_util::{single_bool, single_string};
use crate::errors::Result;
use crate::rows::Rows;
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
        // The first column is the name (read by position, as PySpark does).
        Rows::new(batches).iter().map(|row| row.get_at(0)).collect()
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

/// The rows of a `ListTables` result, read by position as PySpark reads them (Spark names the
/// first column `name`, Sail `tableName`; Sail's strings and lists are the large Arrow types):
/// name, catalog, namespace, description, tableType, isTemporary.
fn table_infos(batches: &[RecordBatch]) -> Result<Vec<TableInfo>> {
    let rows = Rows::new(batches.to_vec());
    rows.iter()
        .map(|row| {
            Ok(TableInfo {
                name: row.get_at(0)?,
                catalog: row.get_at(1)?,
                namespace: row
                    .get_at::<Option<Vec<Option<String>>>>(2)?
                    .unwrap_or_default()
                    .into_iter()
                    .flatten()
                    .collect(),
                description: row.get_at(3)?,
                table_type: row.get_at::<Option<String>>(4)?.unwrap_or_default(),
                is_temporary: row.get_at::<Option<bool>>(5)?.unwrap_or(false),
            })
        })
        .collect()
}
