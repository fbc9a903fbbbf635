//! The incremental exporter against the real stack: a Delta table with its change data feed on
//! the Spark cluster, a serving table in PostgreSQL. Inserts, MERGE updates and deletes reach
//! PostgreSQL; every type round-trips; an export killed at any point and restarted leaves
//! PostgreSQL equal to Delta, row for row.

use std::collections::BTreeMap;
use std::time::Duration;

use mindy_core::config::{DatabaseArgs, LakeArgs, SparkArgs};
use mindy_pipeline::jobs::export::{self, ExportConfig, ExportSpec, Step};
use mindy_pipeline::shutdown::Shutdown;
use mindy_test::{unique, Stack};
use serde_json::Value;
use spark_client::SparkSession;
use sqlx::PgPool;

struct Fixture {
    spark: SparkSession,
    pool: PgPool,
    spec: ExportSpec,
    config: ExportConfig,
    schema: String,
}

impl Fixture {
    async fn new(name: &str) -> Fixture {
        let stack = Stack::from_env();
        let spark = SparkSession::builder()
            .remote(&stack.spark_remote)
            .build()
            .await
            .unwrap();
        let path = stack.lake_path(name).to_string_lossy().into_owned();
        spark
            .sql(format!(
                "CREATE TABLE delta.`{path}` (id STRING, n BIGINT, score DOUBLE, ok BOOLEAN, \
                 tags ARRAY<STRING>, at TIMESTAMP, day DATE, meta STRUCT<a: INT, b: STRING>, \
                 only_in_delta STRING) USING delta TBLPROPERTIES (delta.enableChangeDataFeed = true)"
            ))
            .await
            .unwrap();
        let pool = PgPool::connect(&stack.database_url).await.unwrap();
        let schema = unique("export_test");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query(&format!(
            "CREATE TABLE {schema}.t (id text PRIMARY KEY, n bigint, score double precision, \
             ok boolean, tags text[], at timestamptz, day date, meta jsonb, only_in_pg text DEFAULT 'kept')"
        ))
        .execute(&pool)
        .await
        .unwrap();
        let spec = ExportSpec {
            source: path.clone(),
            target: format!("{schema}.t"),
            key: vec!["id".into()],
        };
        let config = ExportConfig {
            spark: SparkArgs {
                remote: stack.spark_remote.clone(),
            },
            lake: LakeArgs {
                root: stack.lake_root.to_string_lossy().into_owned(),
            },
            database: DatabaseArgs {
                url: stack.database_url.clone(),
                max_connections: 2,
            },
            tables: vec![],
            continuous: false,
            interval: Duration::from_millis(200),
            metrics_addr: None,
            lake_interval: Duration::ZERO,
        };
        Fixture {
            spark,
            pool,
            spec,
            config,
            schema,
        }
    }

    async fn delta(&self, statement: &str) {
        let sql = statement.replace("{t}", &format!("delta.`{}`", self.spec.source));
        self.spark.sql(sql).await.unwrap();
    }

    async fn step(&self) -> Step {
        export::step(&self.spark, &self.pool, &self.spec)
            .await
            .unwrap()
    }

    /// Delta's current rows, by id, as PostgreSQL would print them (`to_jsonb`).
    async fn delta_rows(&self) -> BTreeMap<String, Value> {
        let df = self
            .spark
            .sql(format!(
                "SELECT id, to_json(named_struct('n', n, 'score', score, 'ok', ok, 'tags', tags, \
                 'at', date_format(at, \"yyyy-MM-dd'T'HH:mm:ss\"), 'day', CAST(day AS STRING), 'meta', meta)) AS j \
                 FROM delta.`{}`",
                self.spec.source
            ))
            .await
            .unwrap();
        let rows = spark_client::rows::Rows::new(df.collect().await.unwrap());
        rows.iter()
            .map(|r| {
                let id = r.get::<Option<String>>("id").unwrap().unwrap();
                let j: Value =
                    serde_json::from_str(&r.get::<Option<String>>("j").unwrap().unwrap()).unwrap();
                (id, normalise(j))
            })
            .collect()
    }

    async fn pg_rows(&self) -> BTreeMap<String, Value> {
        let rows: Vec<(String, Value)> = sqlx::query_as(&format!(
            "SELECT id, jsonb_build_object('n', n, 'score', score, 'ok', ok, 'tags', tags, \
             'at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS'), 'day', day::text, 'meta', meta) \
             FROM {}.t",
            self.schema
        ))
        .fetch_all(&self.pool)
        .await
        .unwrap();
        rows.into_iter().map(|(id, j)| (id, normalise(j))).collect()
    }

    async fn assert_in_step(&self) {
        assert_eq!(self.pg_rows().await, self.delta_rows().await);
    }
}

/// Drops nulls (Spark's to_json leaves them out, jsonb keeps them) so both sides compare.
fn normalise(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, normalise(v)))
                .collect(),
        ),
        other => other,
    }
}

#[tokio::test]
async fn inserts_updates_and_deletes_reach_postgres_with_every_type() {
    let f = Fixture::new("export-types").await;
    // Only the table's creation: the first export writes its (empty) snapshot.
    assert_eq!(
        f.step().await,
        Step::Applied {
            from: None,
            to: 0,
            upserted: 0,
            deleted: 0,
            snapshot: true
        }
    );
    f.delta(
        "INSERT INTO {t} VALUES \
         ('a', 1, 1.5, true, array('x', 'y'), TIMESTAMP'2026-03-08 06:30:00', DATE'2026-03-08', named_struct('a', 1, 'b', 'é\"'), 'd'), \
         ('b', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), \
         ('c', 3, -0.25, false, array(), TIMESTAMP'1999-12-31 23:59:59', DATE'1999-12-31', named_struct('a', NULL, 'b', 'z'), 'd')",
    )
    .await;
    match f.step().await {
        Step::Applied {
            from: Some(0),
            upserted: 3,
            snapshot: false,
            ..
        } => {}
        other => panic!("the insert's 3 rows come from the change feed: {other:?}"),
    }
    f.assert_in_step().await;
    let kept: String = sqlx::query_scalar(&format!(
        "SELECT only_in_pg FROM {}.t WHERE id = 'a'",
        f.schema
    ))
    .fetch_one(&f.pool)
    .await
    .unwrap();
    assert_eq!(kept, "kept", "columns Delta lacks keep their defaults");

    f.delta("UPDATE {t} SET n = 10, tags = array('z') WHERE id = 'a'")
        .await;
    f.delta("DELETE FROM {t} WHERE id = 'c'").await;
    f.delta(
        "MERGE INTO {t} AS t USING (SELECT 'b' AS id, 20L AS n UNION ALL SELECT 'd', 4L) AS s ON t.id = s.id \
         WHEN MATCHED THEN UPDATE SET n = s.n WHEN NOT MATCHED THEN INSERT (id, n) VALUES (s.id, s.n)",
    )
    .await;
    // A key deleted and inserted again later comes back.
    f.delta("DELETE FROM {t} WHERE id = 'd'").await;
    f.delta("INSERT INTO {t} (id, n) VALUES ('d', 5)").await;
    match f.step().await {
        Step::Applied {
            from: Some(1),
            to: 6,
            snapshot: false,
            deleted: 1,
            upserted: 3,
            ..
        } => {}
        other => panic!("the change feed gives a:update, b:update, c:delete, d:insert: {other:?}"),
    }
    f.assert_in_step().await;
    assert!(matches!(f.step().await, Step::UpToDate { .. }));
}

#[tokio::test]
async fn an_export_killed_at_any_point_and_restarted_matches_delta() {
    let f = Fixture::new("export-kill").await;
    let mut continuous = f.config.clone();
    continuous.continuous = true;
    for round in 0..6u32 {
        // A commit of inserts, updates and deletes on overlapping keys...
        let base = round * 40;
        f.delta(&format!(
            "MERGE INTO {{t}} AS t USING (SELECT CAST(id AS STRING) AS id, id AS n FROM range({base}, {})) AS s \
             ON t.id = s.id WHEN MATCHED THEN UPDATE SET n = s.n WHEN NOT MATCHED THEN INSERT (id, n) VALUES (s.id, s.n)",
            base + 60
        ))
        .await;
        f.delta(&format!(
            "UPDATE {{t}} SET n = n * 10 WHERE CAST(id AS INT) % 3 = {}",
            round % 3
        ))
        .await;
        f.delta(&format!(
            "DELETE FROM {{t}} WHERE CAST(id AS INT) % 7 = {}",
            round % 7
        ))
        .await;
        // ...while an exporter runs and is killed after a varying time (mid-transaction or not).
        let shutdown = Shutdown::new();
        let specs = vec![f.spec.clone()];
        let config = continuous.clone();
        let task = tokio::spawn(async move { export::run_specs(&config, &specs, shutdown).await });
        tokio::time::sleep(Duration::from_millis(150 + 170 * round as u64)).await;
        task.abort();
        let _ = task.await;
    }
    // Restarted, it finishes where the killed ones stopped.
    export::run_specs(&f.config, std::slice::from_ref(&f.spec), Shutdown::new())
        .await
        .unwrap();
    f.assert_in_step().await;
    let counted: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {}.t", f.schema))
        .fetch_one(&f.pool)
        .await
        .unwrap();
    assert_eq!(counted as usize, f.delta_rows().await.len());
}

#[tokio::test]
async fn rows_sharing_a_key_are_refused_by_name() {
    let f = Fixture::new("export-duplicates").await;
    f.delta("INSERT INTO {t} (id, n) VALUES ('k', 1), ('k', 2), ('j', 3)")
        .await;
    let err = export::step(&f.spark, &f.pool, &f.spec).await.unwrap_err();
    let text = mindy_pipeline::error::causes(&err);
    assert!(
        text.contains("sharing a key") && text.contains("id=k"),
        "{text}"
    );
    let rows: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {}.t", f.schema))
        .fetch_one(&f.pool)
        .await
        .unwrap();
    assert_eq!(rows, 0, "nothing half-written");
}
