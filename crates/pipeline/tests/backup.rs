//! `mindy backup` and `mindy restore` against the stack (issue 20): a small lake of Delta tables
//! written over several commits (a checkpoint, the change data feed, a table outside the lake's
//! list) and a throwaway PostgreSQL database with the serving schema. The backup runs while a
//! writer commits to bronze; after it, more is committed and written. The restore goes into an
//! empty lake root and an empty database, and each restored table must equal its source as of
//! the version the manifest names (both ways `EXCEPT ALL`), with that version, its history, its
//! properties and its change feed; the database must hold the rows of backup time. A restore
//! over those targets is refused with what is in the way named, and `--force` replaces them.
//! Without the race: a table copied as of a version before later commits and checkpoints reads
//! as exactly that version.

use std::path::{Path, PathBuf};

use mindy_core::config::{DatabaseArgs, LakeArgs, SparkArgs};
use mindy_core::lake;
use mindy_pipeline::jobs::backup::delta_files;
use mindy_pipeline::jobs::backup::manifest::Manifest;
use mindy_pipeline::jobs::backup::{self, BackupConfig, Parts, PgToolArgs, RestoreConfig};
use mindy_pipeline::jobs::delta_log;
use mindy_test::{unique, Stack};
use spark_client::rows::Rows;
use spark_client::SparkSession;
use sqlx::{Connection, PgConnection};

async fn scalar(spark: &SparkSession, sql: &str) -> i64 {
    let rows = Rows::new(spark.sql(sql).await.unwrap().collect().await.unwrap());
    let n = rows.iter().next().unwrap().get::<i64>("n").unwrap();
    n
}

async fn run(spark: &SparkSession, sql: String) {
    spark
        .sql(sql.clone())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .collect()
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// `(version, operation)` of a table's history up to `version`, oldest first.
async fn history(spark: &SparkSession, path: &str, version: i64) -> Vec<(i64, String)> {
    let rows = Rows::new(
        spark
            .sql(format!("DESCRIBE HISTORY delta.`{path}`"))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap(),
    );
    let mut commits: Vec<(i64, String)> = rows
        .iter()
        .map(|r| {
            (
                r.get::<i64>("version").unwrap(),
                r.get::<String>("operation").unwrap(),
            )
        })
        .filter(|(v, _)| *v <= version)
        .collect();
    commits.sort();
    commits
}

/// A new, empty database owned by the stack's owner role; its name and URL.
async fn create_database(stack: &Stack, prefix: &str) -> (String, String) {
    let name = unique(prefix);
    let mut admin = PgConnection::connect(&stack.database_url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    let mut url = url::Url::parse(&stack.database_url).unwrap();
    url.set_path(&format!("/{name}"));
    (name, url.to_string())
}

/// What a test made (lake directories, databases), removed when it ends, failed or not.
struct Cleanup {
    admin_url: String,
    dirs: Vec<PathBuf>,
    databases: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for dir in &self.dirs {
            std::fs::remove_dir_all(dir).ok();
        }
        let (url, databases) = (self.admin_url.clone(), std::mem::take(&mut self.databases));
        if databases.is_empty() {
            return;
        }
        // Drop runs inside the test's runtime: the databases go on a thread with its own.
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&url).await.unwrap();
                for name in databases {
                    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut admin)
                        .await
                        .unwrap();
                }
            });
        })
        .join()
        .ok();
    }
}

async fn probe_rows(url: &str) -> Vec<(i32, String)> {
    let mut conn = PgConnection::connect(url).await.unwrap();
    sqlx::query_as("SELECT id, body FROM backup_probe ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap()
}

fn database_args(url: &str) -> DatabaseArgs {
    DatabaseArgs {
        url: url.to_string(),
        max_connections: 2,
    }
}

/// The commit files of a copied table's log.
fn commits_in(table: &Path) -> Vec<i64> {
    let mut versions: Vec<i64> = std::fs::read_dir(table.join("_delta_log"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            let digits = name.strip_suffix(".json")?;
            (digits.len() == 20).then(|| digits.parse().ok())?
        })
        .collect();
    versions.sort();
    versions
}

#[tokio::test]
async fn a_backup_is_each_table_at_one_version_and_restores_with_history_and_rows() {
    let stack = Stack::from_env();
    let spark = SparkSession::builder()
        .remote(&stack.spark_remote)
        .build()
        .await
        .unwrap();
    let source_root = stack.lake_path("backup");
    let source_lake = LakeArgs {
        root: source_root.to_string_lossy().into_owned(),
    };
    let bronze = source_lake.location(&lake::BRONZE_EMAILS);
    let gold = source_lake.location(&lake::GOLD_DAILY_SUMMARY);
    let extra = format!("{}/silver/not_in_the_list", source_lake.spark_root());
    let restored_root = stack.lake_path("backup-restored");
    let mut cleanup = Cleanup {
        admin_url: stack.database_url.clone(),
        dirs: vec![source_root.clone(), restored_root.clone()],
        databases: vec![],
    };

    // bronze: partitioned, change data feed on, inserts, an update and a delete.
    run(
        &spark,
        format!(
            "CREATE TABLE delta.`{bronze}` (id STRING, event_date DATE, subject STRING) \
             USING delta PARTITIONED BY (event_date) \
             TBLPROPERTIES (delta.enableChangeDataFeed = true, mindy.backup_test = 'kept')"
        ),
    )
    .await;
    for commit in 0..4 {
        run(
            &spark,
            format!(
                "INSERT INTO delta.`{bronze}` VALUES ('m{commit}a', DATE '2026-11-2{commit}', 'hello'), \
                 ('m{commit}b', DATE '2026-11-2{commit}', 'again')"
            ),
        )
        .await;
    }
    run(
        &spark,
        format!("UPDATE delta.`{bronze}` SET subject = 'changed' WHERE id = 'm1a'"),
    )
    .await;
    run(
        &spark,
        format!("DELETE FROM delta.`{bronze}` WHERE id = 'm2b'"),
    )
    .await;
    // gold: a checkpoint every 2 commits, so the log has checkpoints and _last_checkpoint.
    run(
        &spark,
        format!(
            "CREATE TABLE delta.`{gold}` (day DATE, total BIGINT) USING delta \
             TBLPROPERTIES (delta.checkpointInterval = 2)"
        ),
    )
    .await;
    for day in 1..=5 {
        run(
            &spark,
            format!("INSERT INTO delta.`{gold}` VALUES (DATE '2026-11-0{day}', {day}0)"),
        )
        .await;
    }
    run(
        &spark,
        format!("CREATE TABLE delta.`{extra}` (k INT) USING delta"),
    )
    .await;
    run(
        &spark,
        format!("INSERT INTO delta.`{extra}` VALUES (1), (2), (3)"),
    )
    .await;
    assert!(
        Path::new(&gold)
            .join("_delta_log/_last_checkpoint")
            .exists(),
        "gold should have a checkpoint"
    );

    // The database: the serving schema, a few rows of our own, an export_state row.
    let (source_db, source_url) = create_database(&stack, "mindy_backup_src").await;
    cleanup.databases.push(source_db.clone());
    {
        let pool = sqlx::PgPool::connect(&source_url).await.unwrap();
        mindy_core::db::migrate(&pool).await.unwrap();
        sqlx::query("CREATE TABLE backup_probe (id int PRIMARY KEY, body text NOT NULL)")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO backup_probe VALUES (1, 'one'), (2, 'two'), (3, 'drei')")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO export_state (target, source, version) VALUES ('t', $1, 3)")
            .bind(&bronze)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    let probe_at_backup = probe_rows(&source_url).await;

    // The backup, while a writer commits to bronze.
    let noted = delta_log::latest_version(&spark, &bronze)
        .await
        .unwrap()
        .unwrap();
    let backup_dir = tempfile::tempdir().unwrap();
    let dir = backup_dir.path().join("backup");
    let config = BackupConfig {
        dir: dir.clone(),
        parts: Parts::default(),
        spark: SparkArgs {
            remote: stack.spark_remote.clone(),
        },
        lake: source_lake.clone(),
        database: database_args(&source_url),
        tools: PgToolArgs { pg_bin_dir: None },
    };
    let writer = async {
        for n in 0..3 {
            run(
                &spark,
                format!(
                    "INSERT INTO delta.`{bronze}` VALUES ('during{n}', DATE '2026-11-29', 'late')"
                ),
            )
            .await;
        }
    };
    let (outcome, ()) = tokio::join!(backup::backup(&config), writer);
    let outcome = outcome.unwrap();
    assert!(outcome.contains("3 Delta tables"), "{outcome}");
    assert!(
        outcome.contains(&format!("database {source_db}")),
        "{outcome}"
    );
    // After the backup: more commits and rows the backup must not have.
    run(
        &spark,
        format!("DELETE FROM delta.`{bronze}` WHERE id LIKE 'm0%'"),
    )
    .await;
    run(
        &spark,
        format!("INSERT INTO delta.`{gold}` VALUES (DATE '2026-11-09', 90)"),
    )
    .await;
    {
        let mut conn = PgConnection::connect(&source_url).await.unwrap();
        sqlx::query("INSERT INTO backup_probe VALUES (4, 'after')")
            .execute(&mut conn)
            .await
            .unwrap();
    }

    let manifest = Manifest::read(&dir).unwrap();
    let lake_part = manifest.lake.as_ref().unwrap();
    let tables: Vec<&str> = lake_part.tables.iter().map(|t| t.table.as_str()).collect();
    assert_eq!(
        tables,
        [
            "bronze/emails",
            "gold/daily_summary",
            "silver/not_in_the_list"
        ]
    );
    let backed = |name: &str| {
        lake_part
            .tables
            .iter()
            .find(|t| t.table == name)
            .unwrap()
            .clone()
    };
    let bronze_backup = backed("bronze/emails");
    let final_bronze = delta_log::latest_version(&spark, &bronze)
        .await
        .unwrap()
        .unwrap();
    assert!(
        bronze_backup.version >= noted && bronze_backup.version < final_bronze,
        "bronze copied at {} (noted {noted} before, {final_bronze} now)",
        bronze_backup.version
    );
    let in_copy = commits_in(&dir.join("lake/bronze/emails"));
    assert_eq!(
        in_copy,
        (0..=bronze_backup.version).collect::<Vec<_>>(),
        "the copy's log ends at its version"
    );
    assert_eq!(backed("gold/daily_summary").version, 5);
    assert_eq!(backed("gold/daily_summary").rows, 5);
    assert_eq!(backed("silver/not_in_the_list").rows, 3);
    let database_part = manifest.database.as_ref().unwrap();
    assert!(database_part
        .pg_dump_version
        .contains("pg_dump (PostgreSQL)"));
    assert!(database_part
        .tables
        .iter()
        .any(|t| t.table == "public.backup_probe" && t.rows == 3));
    assert!(dir.join("postgres.dump").metadata().unwrap().len() > 0);
    assert!(!lake_part.spark_version.is_empty());

    // Restore into an empty lake root and an empty database.
    let restored_lake = LakeArgs {
        root: restored_root.to_string_lossy().into_owned(),
    };
    let (restored_db, restored_url) = create_database(&stack, "mindy_backup_dst").await;
    cleanup.databases.push(restored_db.clone());
    let restore_config = |force| RestoreConfig {
        dir: dir.clone(),
        parts: Parts::default(),
        force,
        spark: SparkArgs {
            remote: stack.spark_remote.clone(),
        },
        lake: restored_lake.clone(),
        database: database_args(&restored_url),
        tools: PgToolArgs { pg_bin_dir: None },
    };
    let outcome = backup::restore(&restore_config(false)).await.unwrap();
    assert!(
        outcome.contains("versions and row counts verified"),
        "{outcome}"
    );

    for table in &lake_part.tables {
        let source = format!("{}/{}", source_lake.spark_root(), table.table);
        let restored = format!("{}/{}", restored_lake.spark_root(), table.table);
        let v = table.version;
        assert_eq!(
            delta_log::latest_version(&spark, &restored).await.unwrap(),
            Some(v),
            "{}",
            table.table
        );
        for (a, b) in [
            (
                format!("delta.`{restored}`"),
                format!("delta.`{source}` VERSION AS OF {v}"),
            ),
            (
                format!("delta.`{source}` VERSION AS OF {v}"),
                format!("delta.`{restored}`"),
            ),
        ] {
            let n = scalar(
                &spark,
                &format!(
                    "SELECT count(*) AS n FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})"
                ),
            )
            .await;
            assert_eq!(n, 0, "{}: rows of {a} not in {b}", table.table);
        }
        assert_eq!(
            scalar(
                &spark,
                &format!("SELECT count(*) AS n FROM delta.`{restored}`")
            )
            .await,
            table.rows
        );
        assert_eq!(
            history(&spark, &restored, v).await,
            history(&spark, &source, v).await,
            "{}: history",
            table.table
        );
    }
    // bronze's properties and change feed came along: the feed up to the version reads the same.
    let restored_bronze = restored_lake.location(&lake::BRONZE_EMAILS);
    let v = bronze_backup.version;
    let property = Rows::new(
        spark
            .sql(format!(
                "SHOW TBLPROPERTIES delta.`{restored_bronze}` ('mindy.backup_test')"
            ))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap(),
    );
    assert_eq!(
        property
            .iter()
            .next()
            .unwrap()
            .get::<String>("value")
            .unwrap(),
        "kept"
    );
    let feed = |path: String| {
        format!(
            "SELECT count(*) AS n FROM (SELECT id, _change_type, _commit_version FROM \
             table_changes_by_path('{path}', 1, {v}) EXCEPT ALL SELECT id, _change_type, \
             _commit_version FROM table_changes_by_path('{bronze}', 1, {v}))"
        )
    };
    assert_eq!(scalar(&spark, &feed(restored_bronze.clone())).await, 0);
    assert!(
        scalar(
            &spark,
            &format!(
                "SELECT count(*) AS n FROM table_changes_by_path('{restored_bronze}', 1, {v})"
            )
        )
        .await
            >= 10
    );

    // The database as it was at backup time, the exporter's bookkeeping with it.
    assert_eq!(probe_rows(&restored_url).await, probe_at_backup);
    assert_eq!(probe_rows(&source_url).await.len(), 4);
    let mut conn = PgConnection::connect(&restored_url).await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT version FROM export_state WHERE target = 't'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(stored, 3);
    conn.close().await.unwrap();

    // Again over the restored targets: refused, naming what is in the way; --force replaces it.
    let refused = backup::restore(&restore_config(false))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("refusing to restore over data"),
        "{refused}"
    );
    assert!(
        refused.contains(&format!(
            "the lake root {} holds 3 of the backup's tables (bronze/emails, gold/daily_summary, \
             silver/not_in_the_list)",
            restored_lake.spark_root()
        )),
        "{refused}"
    );
    assert!(
        refused.contains(&format!("database {restored_db} holds")),
        "{refused}"
    );
    assert!(refused.contains("public.backup_probe"), "{refused}");
    run(
        &spark,
        format!("INSERT INTO delta.`{restored_bronze}` VALUES ('x', DATE '2026-11-30', 'y')"),
    )
    .await;
    let outcome = backup::restore(&restore_config(true)).await.unwrap();
    assert!(
        outcome.contains("versions and row counts verified"),
        "{outcome}"
    );
    assert_eq!(
        delta_log::latest_version(&spark, &restored_bronze)
            .await
            .unwrap(),
        Some(v)
    );
    assert_eq!(probe_rows(&restored_url).await, probe_at_backup);
}

#[tokio::test]
async fn a_restore_refuses_a_non_empty_lake_and_a_backup_without_manifest() {
    let stack = Stack::from_env();
    let spark = SparkSession::builder()
        .remote(&stack.spark_remote)
        .build()
        .await
        .unwrap();
    let source_root = stack.lake_path("backup-small");
    let _cleanup = Cleanup {
        admin_url: stack.database_url.clone(),
        dirs: vec![source_root.clone()],
        databases: vec![],
    };
    let source_lake = LakeArgs {
        root: source_root.to_string_lossy().into_owned(),
    };
    let table = source_lake.location(&lake::SILVER_EMAIL_STATS);
    run(
        &spark,
        format!("CREATE TABLE delta.`{table}` (k INT) USING delta"),
    )
    .await;
    run(&spark, format!("INSERT INTO delta.`{table}` VALUES (1)")).await;
    let backup_dir = tempfile::tempdir().unwrap();
    let dir = backup_dir.path().join("lake-only");
    let spark_args = SparkArgs {
        remote: stack.spark_remote.clone(),
    };
    let outcome = backup::backup(&BackupConfig {
        dir: dir.clone(),
        parts: Parts {
            lake_only: true,
            database_only: false,
        },
        spark: spark_args.clone(),
        lake: source_lake.clone(),
        database: database_args(&stack.database_url),
        tools: PgToolArgs { pg_bin_dir: None },
    })
    .await
    .unwrap();
    assert!(outcome.contains("1 Delta tables (1 rows"), "{outcome}");
    assert!(!outcome.contains("database"), "{outcome}");
    assert!(!dir.join("postgres.dump").exists());

    // A second backup into the same directory is refused.
    let again = backup::backup(&BackupConfig {
        dir: dir.clone(),
        parts: Parts {
            lake_only: true,
            database_only: false,
        },
        spark: spark_args.clone(),
        lake: source_lake.clone(),
        database: database_args(&stack.database_url),
        tools: PgToolArgs { pg_bin_dir: None },
    })
    .await
    .unwrap_err()
    .to_string();
    assert!(again.contains("is not empty"), "{again}");

    // Restoring into the source lake itself: its table is in the way, nothing is touched.
    let restore = |dir: &Path| RestoreConfig {
        dir: dir.to_path_buf(),
        parts: Parts::default(),
        force: false,
        spark: spark_args.clone(),
        lake: source_lake.clone(),
        database: database_args(&stack.database_url),
        tools: PgToolArgs { pg_bin_dir: None },
    };
    let refused = backup::restore(&restore(&dir))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains(&format!(
            "the lake root {} holds 1 of the backup's tables (silver/email_stats)",
            source_lake.spark_root()
        )),
        "{refused}"
    );
    assert_eq!(
        scalar(
            &spark,
            &format!("SELECT count(*) AS n FROM delta.`{table}`")
        )
        .await,
        1
    );

    // A directory without a manifest (a backup that did not finish) is no backup.
    std::fs::remove_file(dir.join("manifest.json")).unwrap();
    let unfinished = backup::restore(&restore(&dir))
        .await
        .unwrap_err()
        .to_string();
    assert!(unfinished.contains("has no manifest.json"), "{unfinished}");
}

/// The copy's mechanics without the race: a table committed past a checkpoint, copied as of an
/// earlier version as a backup copies a version while later commits arrive (their data files
/// there, their log entries and a `_last_checkpoint` pointing past the version not taken). Spark
/// must read the copy as exactly that version.
#[tokio::test]
async fn a_copy_as_of_a_version_reads_as_that_version_despite_later_files() {
    let stack = Stack::from_env();
    let spark = SparkSession::builder()
        .remote(&stack.spark_remote)
        .build()
        .await
        .unwrap();
    let root = stack.lake_path("backup-as-of");
    let _cleanup = Cleanup {
        admin_url: stack.database_url.clone(),
        dirs: vec![root.clone()],
        databases: vec![],
    };
    let source = root.join("gold/daily_summary");
    let path = source.to_string_lossy().into_owned();
    run(
        &spark,
        format!(
            "CREATE TABLE delta.`{path}` (day DATE, total BIGINT) USING delta \
             TBLPROPERTIES (delta.checkpointInterval = 2, delta.enableChangeDataFeed = true)"
        ),
    )
    .await;
    for day in 1..=3 {
        run(
            &spark,
            format!("INSERT INTO delta.`{path}` VALUES (DATE '2026-11-0{day}', {day})"),
        )
        .await;
    }
    // Version 3; then a rewrite, a delete and more rows, with checkpoints at 4 and 6.
    run(
        &spark,
        format!("UPDATE delta.`{path}` SET total = total * 10"),
    )
    .await;
    run(
        &spark,
        format!("DELETE FROM delta.`{path}` WHERE day = DATE '2026-11-01'"),
    )
    .await;
    run(
        &spark,
        format!("INSERT INTO delta.`{path}` VALUES (DATE '2026-11-04', 4)"),
    )
    .await;
    let pointer = std::fs::read_to_string(source.join("_delta_log/_last_checkpoint")).unwrap();
    assert!(pointer.contains("\"version\":6"), "{pointer}");

    let copy = root.join("copy");
    let copied = delta_files::snapshot_at(&source, &copy, Some(3))
        .unwrap()
        .unwrap();
    assert_eq!(copied.version, 3);
    assert!(!copy.join("_delta_log/_last_checkpoint").exists());
    assert_eq!(commits_in(&copy), [0, 1, 2, 3]);
    assert!(copy
        .join("_delta_log/00000000000000000002.checkpoint.parquet")
        .exists());
    assert!(!copy
        .join("_delta_log/00000000000000000004.checkpoint.parquet")
        .exists());
    let copy_path = copy.to_string_lossy().into_owned();
    assert_eq!(
        delta_log::latest_version(&spark, &copy_path).await.unwrap(),
        Some(3)
    );
    for (a, b) in [
        (
            format!("delta.`{copy_path}`"),
            format!("delta.`{path}` VERSION AS OF 3"),
        ),
        (
            format!("delta.`{path}` VERSION AS OF 3"),
            format!("delta.`{copy_path}`"),
        ),
    ] {
        let n = scalar(
            &spark,
            &format!("SELECT count(*) AS n FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})"),
        )
        .await;
        assert_eq!(n, 0, "rows of {a} not in {b}");
    }
    assert_eq!(
        scalar(
            &spark,
            &format!("SELECT sum(total) AS n FROM delta.`{copy_path}`")
        )
        .await,
        6
    );
    assert_eq!(
        scalar(
            &spark,
            &format!("SELECT sum(total) AS n FROM delta.`{path}`")
        )
        .await,
        54
    );
    assert_eq!(
        history(&spark, &copy_path, 3).await,
        history(&spark, &path, 3).await
    );
    // Copied again as of the latest version: the rewrite and the delete are there.
    let latest = root.join("latest");
    assert_eq!(
        delta_files::snapshot(&source, &latest)
            .unwrap()
            .unwrap()
            .version,
        6
    );
    assert!(latest.join("_delta_log/_last_checkpoint").exists());
    assert_eq!(
        scalar(
            &spark,
            &format!("SELECT sum(total) AS n FROM delta.`{}`", latest.display())
        )
        .await,
        54
    );
    let refused = delta_files::snapshot_at(&source, &root.join("future"), Some(7))
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("has no version 7 (its latest is 6)"),
        "{refused}"
    );
}
