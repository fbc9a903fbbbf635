//! Lake maintenance on the stack's Spark cluster (issue 20): `mindy lake retain` deletes only
//! raw rows older than the retention, `optimize` compacts a table written in many small commits
//! into one file per partition with its rows unchanged, `vacuum` removes the files compaction
//! replaced, and `history` shows the three operations.

use std::path::Path;

use chrono::{Days, Utc};
use mindy_core::config::{LakeArgs, SparkArgs};
use mindy_core::lake;
use mindy_pipeline::jobs::lake::retention::RetainConfig;
use mindy_pipeline::jobs::lake::{
    self as lake_jobs, LakeCommand, LakeTargets, OptimizeConfig, VacuumConfig,
};
use mindy_test::Stack;
use spark_client::rows::Rows;
use spark_client::SparkSession;

async fn count(spark: &SparkSession, sql: &str) -> i64 {
    let rows = Rows::new(spark.sql(sql).await.unwrap().collect().await.unwrap());
    let n = rows.iter().next().unwrap().get::<i64>("n").unwrap();
    n
}

/// The data files of a local table, as Delta left them on disk (the log excluded).
fn parquet_files(table: &Path) -> usize {
    fn walk(dir: &Path, n: &mut usize) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() && !path.ends_with("_delta_log") {
                walk(&path, n);
            } else if path.extension().is_some_and(|e| e == "parquet") {
                *n += 1;
            }
        }
    }
    let mut n = 0;
    walk(table, &mut n);
    n
}

#[tokio::test]
async fn retention_compaction_and_vacuum_keep_what_they_must_and_history_shows_them() {
    let stack = Stack::from_env();
    let root = stack.lake_path("lake-maintenance");
    let root_str = root.to_string_lossy().to_string();
    let spark = SparkSession::builder()
        .remote(&stack.spark_remote)
        .build()
        .await
        .unwrap();
    let targets = |tables: &[&str]| LakeTargets {
        tables: tables.iter().map(|t| t.to_string()).collect(),
        spark: SparkArgs {
            remote: stack.spark_remote.clone(),
        },
        lake: LakeArgs {
            root: root_str.clone(),
        },
    };
    let lake_args = LakeArgs {
        root: root_str.clone(),
    };
    let bronze = lake_args.location(&lake::BRONZE_EMAILS);
    let quarantine = lake_args.location(&lake::EMAILS_QUARANTINE);

    // Bronze in many small commits: two old days (beyond a year) and two recent ones, two
    // commits each; the quarantine with one old and one recent value.
    let today = Utc::now().date_naive();
    let days = [400u64, 366, 10, 1].map(|d| today.checked_sub_days(Days::new(d)).unwrap());
    spark
        .sql(format!(
            "CREATE TABLE delta.`{bronze}` (id STRING, event_date DATE, subject STRING) \
             USING delta PARTITIONED BY (event_date)"
        ))
        .await
        .unwrap();
    for (d, day) in days.iter().enumerate() {
        for commit in 0..2 {
            spark
                .sql(format!(
                    "INSERT INTO delta.`{bronze}` VALUES ('m{d}-{commit}-a', DATE '{day}', 'hello'), \
                     ('m{d}-{commit}-b', DATE '{day}', 'again')"
                ))
                .await
                .unwrap();
        }
    }
    spark
        .sql(format!(
            "CREATE TABLE delta.`{quarantine}` (raw_value BINARY, reason STRING, \
             quarantined_at TIMESTAMP) USING delta"
        ))
        .await
        .unwrap();
    spark
        .sql(format!(
            "INSERT INTO delta.`{quarantine}` VALUES \
             (X'00', 'json', current_timestamp() - INTERVAL 400 DAYS), \
             (X'01', 'json', current_timestamp() - INTERVAL 2 DAYS)"
        ))
        .await
        .unwrap();

    // Retention: a dry run deletes nothing; the run deletes the two old days and the old value.
    let retain = |dry_run| {
        LakeCommand::Retain(RetainConfig {
            days: 365,
            dry_run,
            timezone: chrono_tz::UTC,
            targets: targets(&[]),
        })
    };
    let said = lake_jobs::run(&retain(true)).await.unwrap();
    assert!(
        said.contains("bronze/emails: 8 rows would be deleted"),
        "{said}"
    );
    assert!(
        said.contains("bronze/calendar_quarantine: not created yet"),
        "{said}"
    );
    assert_eq!(
        count(
            &spark,
            &format!("SELECT count(*) AS n FROM delta.`{bronze}`")
        )
        .await,
        16
    );
    let said = lake_jobs::run(&retain(false)).await.unwrap();
    assert!(said.contains("bronze/emails: 8 rows deleted"), "{said}");
    assert!(
        said.contains("bronze/emails_quarantine: 1 rows deleted"),
        "{said}"
    );
    let oldest_kept = days[2];
    assert_eq!(
        count(
            &spark,
            &format!(
                "SELECT count(*) AS n FROM delta.`{bronze}` WHERE event_date >= DATE '{oldest_kept}'"
            )
        )
        .await,
        8,
        "the recent days are whole"
    );
    assert_eq!(
        count(
            &spark,
            &format!("SELECT count(*) AS n FROM delta.`{bronze}`")
        )
        .await,
        8
    );
    assert_eq!(
        count(
            &spark,
            &format!("SELECT count(*) AS n FROM delta.`{quarantine}`")
        )
        .await,
        1
    );

    // Compaction: the small files of two partitions become two, the rows the same.
    let before = lake_jobs::detail(&spark, &bronze).await.unwrap().unwrap();
    assert!(before.files >= 4, "{before:?}");
    let said = lake_jobs::run(&LakeCommand::Optimize(OptimizeConfig {
        targets: targets(&["bronze/emails", "silver/email_insights"]),
    }))
    .await
    .unwrap();
    assert!(
        said.contains(&format!("bronze/emails: {} → 2 files", before.files)),
        "{said}"
    );
    assert!(
        said.contains("silver/email_insights: not created yet"),
        "{said}"
    );
    let ids = |spark: SparkSession| {
        let bronze = bronze.clone();
        async move {
            let rows = Rows::new(
                spark
                    .sql(format!(
                        "SELECT concat_ws(',', sort_array(collect_list(id))) AS ids FROM delta.`{bronze}`"
                    ))
                    .await
                    .unwrap()
                    .collect()
                    .await
                    .unwrap(),
            );
            let ids = rows.iter().next().unwrap().get::<String>("ids").unwrap();
            ids
        }
    };
    let kept = ids(spark.clone()).await;
    assert_eq!(kept.split(',').count(), 8);

    // VACUUM: a short retention without the flag is refused before Spark is asked; with it, the
    // files compaction (and the deletion) replaced go, and the table reads the same.
    let vacuum = |hours, allow_short_retention| {
        LakeCommand::Vacuum(VacuumConfig {
            targets: targets(&["bronze/emails"]),
            bronze_hours: hours,
            silver_hours: 168,
            gold_hours: 168,
            allow_short_retention,
        })
    };
    let refused = lake_jobs::run(&vacuum(0, false)).await.unwrap_err();
    assert!(refused.to_string().contains("under Delta's safe minimum"));
    let on_disk = parquet_files(Path::new(&bronze));
    assert!(on_disk > 2, "{on_disk} files before VACUUM");
    let said = lake_jobs::run(&vacuum(0, true)).await.unwrap();
    // The count is VACUUM END's `numDeletedFiles`: every data file but the two that hold the rows.
    assert!(
        said.contains(&format!(
            "bronze/emails: {} files removed (retention 0 h)",
            on_disk - 2
        )),
        "{said} ({on_disk} files on disk before)"
    );
    assert_eq!(parquet_files(Path::new(&bronze)), 2);
    assert_eq!(ids(spark.clone()).await, kept);

    // History, newest first: the VACUUM, the compaction, the deletion, then the inserts.
    let commits = lake_jobs::commits(&spark, &bronze, 10).await.unwrap();
    let operations: Vec<&str> = commits.iter().map(|c| c.operation.as_str()).collect();
    assert_eq!(
        &operations[..5],
        ["VACUUM END", "VACUUM START", "OPTIMIZE", "DELETE", "WRITE"],
        "{commits:?}"
    );
    assert!(
        commits[2].metrics.contains("numRemovedFiles"),
        "{commits:?}"
    );
    assert!(commits.windows(2).all(|w| w[0].version > w[1].version));

    std::fs::remove_dir_all(&root).ok();
}
