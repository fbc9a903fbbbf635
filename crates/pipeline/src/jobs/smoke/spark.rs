//! The Spark part of the smoke job: a query on the cluster and a Delta table round trip.

use spark_client::SparkSession;

use crate::{Error, Result};
use mindy_core::config::{LakeArgs, SparkArgs};
use spark_client::rows::Rows;

/// Runs an aggregation on the executors and a Delta create/append/read under `<lake>/_smoke/`.
pub async fn check(spark: &SparkArgs, lake: &LakeArgs) -> Result<String> {
    let session = SparkSession::builder()
        .remote(&spark.remote)
        .build()
        .await?;
    let version = session.version().await?;
    let groups = aggregate(&session).await?;
    let path = format!(
        "{}/_smoke/{}",
        lake.spark_root(),
        uuid::Uuid::new_v4().simple()
    );
    let outcome = delta_round_trip(&session, &path).await;
    if !path.contains("://") {
        // Best effort: the table was only proof; a leftover directory is harmless.
        let _ = std::fs::remove_dir_all(&path);
    }
    let rows = outcome?;
    Ok(format!("Spark {version}: aggregated 1,000,000 rows into {groups} groups; Delta table written, appended, read back ({rows} rows)"))
}

/// Counts 1M generated rows per `id % 10` on the cluster and checks every group holds 100,000.
async fn aggregate(session: &SparkSession) -> Result<usize> {
    let batches = session
        .sql(
            "SELECT id % 10 AS k, count(*) AS n FROM range(0, 1000000, 1, 4) GROUP BY k ORDER BY k",
        )
        .await?
        .collect()
        .await?;
    let counts = int64_column(Rows::new(batches), "n")?;
    if counts.len() != 10 || counts.iter().any(|&n| n != 100_000) {
        return Err(Error::unexpected(
            "spark",
            format!("unexpected group counts {counts:?}"),
        ));
    }
    Ok(counts.len())
}

/// Creates a Delta table at `path`, writes twice (two versions) and reads the rows back.
async fn delta_round_trip(session: &SparkSession, path: &str) -> Result<i64> {
    let table = format!("delta.`{path}`");
    for statement in [
        format!("CREATE TABLE {table} (id BIGINT, word STRING) USING delta"),
        format!("INSERT INTO {table} VALUES (1, 'kafka'), (2, 'spark')"),
        format!("INSERT INTO {table} VALUES (3, 'delta')"),
    ] {
        session.sql(statement.as_str()).await?.collect().await?;
    }
    let counted = session
        .sql(format!("SELECT count(*) AS n FROM {table}"))
        .await?;
    let rows = int64_column(Rows::new(counted.collect().await?), "n")?;
    let history = session.sql(format!("DESCRIBE HISTORY {table}")).await?;
    let versions = Rows::new(history.collect().await?).len();
    if rows != [3] || versions != 3 {
        return Err(Error::unexpected(
            "spark",
            format!("Delta read back {rows:?} rows in {versions} versions, expected 3 rows in 3"),
        ));
    }
    Ok(rows[0])
}

/// The non-null values of an integer column across the result's rows.
fn int64_column(rows: Rows, name: &str) -> Result<Vec<i64>> {
    rows.iter()
        .filter_map(|row| row.get::<Option<i64>>(name).transpose())
        .map(|v| v.map_err(Into::into))
        .collect()
}
