//! The DataFrame / Column / functions API against the server: names resolve, values are right.

use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use chrono::{NaiveDate, TimeZone, Utc};
use spark_client::dataframe::JoinType;
use spark_client::dataframe::Show;
use spark_client::functions::*;
use spark_client::types::{DataType, Decimal, Literal, StructType};
use spark_client::window::Window;

use crate::util::{self, collect_rows};

fn people(spark: &spark_client::SparkSession) -> spark_client::DataFrame {
    let batch = RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(Int64Array::from(vec![1, 2, 3, 4])) as ArrayRef,
        ),
        (
            "name",
            Arc::new(StringArray::from(vec![
                Some(" Ana "),
                Some("bob"),
                None,
                Some("Dee"),
            ])) as ArrayRef,
        ),
        (
            "tags",
            Arc::new(StringArray::from(vec!["a,b", "b", "c,a,b", ""])) as ArrayRef,
        ),
    ])
    .unwrap();
    spark.create_dataframe(&[batch]).unwrap()
}

#[tokio::test]
async fn create_dataframe_round_trips_arrow() {
    let spark = util::session().await;
    let df = people(&spark);
    assert_eq!(df.count().await.unwrap(), 4);
    let rows = collect_rows(&df.order_by(["id"])).await;
    assert_eq!(rows[2], vec!["3", "null", "c,a,b"]);
}

#[tokio::test]
async fn string_functions_and_when() {
    let spark = util::session().await;
    let df = people(&spark)
        .select([
            col("id"),
            upper(trim("name")).alias("u"),
            length(trim("name")).alias("len"),
            coalesce([col("name"), lit("?")]).alias("c"),
            when(col("id").lt(2), "small")
                .when(col("id").lt(4), "mid")
                .otherwise("big")
                .alias("size"),
            col("name").is_null().alias("missing"),
            substring_index("tags", ",", 1).alias("first_tag"),
            regexp_extract("tags", "([a-z]),([a-z])", 2).alias("second"),
            array_contains(split("tags", ","), "a").alias("has_a"),
        ])
        .order_by(["id"]);
    let rows = collect_rows(&df).await;
    assert_eq!(
        rows[0],
        ["1", "ANA", "3", " Ana ", "small", "false", "a", "b", "true"]
    );
    assert_eq!(
        rows[2],
        ["3", "null", "null", "?", "mid", "true", "c", "a", "true"]
    );
    assert_eq!(rows[3][4], "big");
}

#[tokio::test]
async fn aggregations_explode_and_collect() {
    let spark = util::session().await;
    let tags = people(&spark)
        .select([col("id"), explode(split("tags", ",")).alias("tag")])
        .filter(col("tag").neq(""));
    let df = tags
        .group_by(["tag"])
        .agg([
            count(lit(1)).alias("n"),
            sort_array(collect_list("id")).alias("ids"),
            size(collect_set("id")).alias("distinct_ids"),
            approx_count_distinct("id").alias("approx"),
            sum("id").alias("total"),
            max("id").alias("top"),
        ])
        .order_by([col("n").desc(), col("tag").asc()]);
    let rows = collect_rows(&df).await;
    assert_eq!(rows[0], ["b", "3", "[1, 2, 3]", "3", "3", "6", "3"]);
    assert_eq!(rows.len(), 3);
    let n = tags.agg([count_distinct(["tag"])]).collect().await.unwrap();
    assert_eq!(util::rows(&n), [["3"]]);
}

#[tokio::test]
async fn literals_of_every_type() {
    let spark = util::session().await;
    let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let ts = Utc.with_ymd_and_hms(2024, 2, 29, 13, 45, 0).unwrap();
    spark
        .conf()
        .set("spark.sql.session.timeZone", "UTC")
        .await
        .unwrap();
    let df = spark.range(0, 1).select([
        lit(true).alias("b"),
        lit(7i8).alias("i8"),
        lit(7i16).alias("i16"),
        lit(7i32).alias("i32"),
        lit(7i64).alias("i64"),
        lit(1.5f32).alias("f32"),
        lit(2.25f64).alias("f64"),
        lit("s").alias("str"),
        lit(vec![1u8, 2]).alias("bin"),
        lit(Decimal::parse("12.345").unwrap()).alias("dec"),
        lit(date).alias("d"),
        lit(ts).alias("ts"),
        lit(None::<i64>).alias("null_long"),
        lit(Literal::null(DataType::String)).alias("null_str"),
        lit(vec!["x", "y"]).alias("arr"),
    ]);
    let schema = df.schema().await.unwrap();
    let types: Vec<String> = schema.fields.iter().map(|f| f.data_type.to_ddl()).collect();
    assert_eq!(
        types,
        [
            "BOOLEAN",
            "TINYINT",
            "SMALLINT",
            "INT",
            "BIGINT",
            "FLOAT",
            "DOUBLE",
            "STRING",
            "BINARY",
            "DECIMAL(5,3)",
            "DATE",
            "TIMESTAMP",
            "BIGINT",
            "STRING",
            "ARRAY<STRING>"
        ]
    );
    let shown = df
        .show_string_with(Show::rows(1).truncate(0).vertical())
        .await
        .unwrap();
    for expected in [
        "dec       | 12.345",
        "d         | 2024-02-29",
        "ts        | 2024-02-29 13:45:00",
        "null_long | NULL",
        "arr       | [x, y]",
    ] {
        assert!(shown.contains(expected), "{expected} not in\n{shown}");
    }
}

#[tokio::test]
async fn dates_and_times() {
    let spark = util::session().await;
    spark
        .conf()
        .set("spark.sql.session.timeZone", "UTC")
        .await
        .unwrap();
    let df = spark
        .sql("SELECT timestamp'2024-03-01 17:42:10' AS ts, '2024-03-01' AS s")
        .await
        .unwrap()
        .select([
            date_trunc("hour", "ts").cast("string").alias("h"),
            hour("ts").alias("hr"),
            dayofweek("ts").alias("dow"),
            to_date("s").cast("string").alias("d"),
            to_date_fmt(lit("01/03/2024"), "dd/MM/yyyy")
                .cast("string")
                .alias("d2"),
            (current_timestamp().cast("long").gt(0)).alias("now_ok"),
        ]);
    let rows = collect_rows(&df).await;
    assert_eq!(
        rows[0],
        [
            "2024-03-01 17:00:00",
            "17",
            "6",
            "2024-03-01",
            "2024-03-01",
            "true"
        ]
    );
}

#[tokio::test]
async fn json_round_trip_with_typed_schema() {
    let spark = util::session().await;
    let schema = StructType::new()
        .field("id", DataType::Long, true)
        .field("tags", DataType::array(DataType::String), true)
        .field(
            "inner",
            DataType::Struct(StructType::new().field("x", DataType::Double, true)),
            true,
        );
    let df = spark
        .sql(r#"SELECT '{"id": 5, "tags": ["a","b"], "inner": {"x": 1.5}}' AS v"#)
        .await
        .unwrap();
    let parsed = df.select([from_json("v", schema.clone(), []).alias("p")]);
    let flat = parsed.select([
        col("p.id"),
        col("p.tags").get_item(1).alias("t1"),
        col("p.inner").get_field("x").alias("x"),
        to_json(
            struct_([col("p.id").alias("id"), col("p.tags").alias("tags")]),
            [],
        )
        .alias("j"),
    ]);
    assert_eq!(
        collect_rows(&flat).await[0],
        ["5", "b", "1.5", r#"{"id":5,"tags":["a","b"]}"#]
    );
    // A DDL schema string works too.
    let ddl = df.select([from_json("v", schema.to_ddl(), []).alias("p")]);
    assert_eq!(collect_rows(&ddl.select(["p.id"])).await[0], ["5"]);
}

#[tokio::test]
async fn joins_of_every_type() {
    let spark = util::session().await;
    let left = spark.range(0, 5).with_column("l", col("id") * 10);
    let right = spark.range(3, 8).with_column("r", col("id") * 100);
    let count = |df: spark_client::DataFrame| async move { df.count().await.unwrap() };
    assert_eq!(count(left.join(&right, "id", JoinType::Inner)).await, 2);
    assert_eq!(count(left.join(&right, "id", JoinType::Left)).await, 5);
    assert_eq!(count(left.join(&right, "id", JoinType::Right)).await, 5);
    assert_eq!(count(left.join(&right, "id", JoinType::FullOuter)).await, 8);
    assert_eq!(count(left.join(&right, "id", JoinType::LeftSemi)).await, 2);
    assert_eq!(count(left.join(&right, "id", JoinType::LeftAnti)).await, 3);
    assert_eq!(count(left.cross_join(&right)).await, 25);
    // A condition with columns bound to each side (same name on both).
    let on = left.join(&right, left.col("id").eq(right.col("id")), JoinType::Inner);
    let rows = collect_rows(
        &on.select([left.col("id"), col("l"), col("r")])
            .order_by(["l"]),
    )
    .await;
    assert_eq!(rows, [["3", "30", "300"], ["4", "40", "400"]]);
}

#[tokio::test]
async fn reshaping_operations() {
    let spark = util::session().await;
    let df = spark.range(0, 6).with_column("k", col("id") % 2);
    let renamed = df
        .with_column_renamed("k", "parity")
        .drop(["id"])
        .distinct()
        .order_by(["parity"]);
    assert_eq!(collect_rows(&renamed).await, [["0"], ["1"]]);
    let a = spark.range(0, 2).select([col("id"), lit("a").alias("x")]);
    let b = spark.range(5, 6).select([lit("b").alias("x"), col("id")]);
    let u = a.union_by_name(&b).order_by(["id"]);
    assert_eq!(collect_rows(&u).await, [["0", "a"], ["1", "a"], ["5", "b"]]);
    let c = spark.range(9, 10).select([col("id")]);
    let u = a.union_by_name_allow_missing(&c).order_by(["id"]);
    assert_eq!(collect_rows(&u).await[2], ["9", "null"]);
    let dd = df.drop_duplicates(["k"]);
    assert_eq!(dd.count().await.unwrap(), 2);
    let sel = df
        .select_expr(["id * 2 AS twice", "k"])
        .filter_expr("twice > 6");
    assert_eq!(sel.count().await.unwrap(), 2);
    assert_eq!(df.limit(2).count().await.unwrap(), 2);
    assert_eq!(df.offset(4).count().await.unwrap(), 2);
    assert_eq!(
        df.alias("t").select(["t.id"]).columns().await.unwrap(),
        ["id"]
    );
    assert_eq!(df.to_df(["a", "b"]).columns().await.unwrap(), ["a", "b"]);
    assert_eq!(df.subtract(&df.limit(4)).count().await.unwrap(), 2);
    assert_eq!(df.intersect(&df.limit(1)).count().await.unwrap(), 1);
    assert!(!df.is_empty().await.unwrap());
    assert_eq!(
        util::rows(&df.order_by(["id"]).tail(1).await.unwrap()),
        [["5", "1"]]
    );
}

#[tokio::test]
async fn window_functions_over() {
    let spark = util::session().await;
    let df = spark.range(0, 6).with_column("g", col("id") % 2);
    let w = Window::partition_by(["g"]).order_by([col("id").desc()]);
    let ranked = df
        .select([
            col("id"),
            row_number().over(w.clone()).alias("rn"),
            lag("id", 1).over(w.clone()).alias("prev"),
            sum("id")
                .over(w.rows_between(Window::UNBOUNDED_PRECEDING, Window::CURRENT_ROW))
                .alias("running"),
        ])
        .order_by(["id"]);
    let rows = collect_rows(&ranked).await;
    assert_eq!(rows[5], ["5", "1", "null", "5"]);
    assert_eq!(rows[1], ["1", "3", "3", "9"]);
}

#[tokio::test]
async fn batch_time_windows() {
    let spark = util::session().await;
    spark
        .conf()
        .set("spark.sql.session.timeZone", "UTC")
        .await
        .unwrap();
    let df = spark
        .sql(
            "SELECT timestamp'2024-01-01 00:00:00' + make_interval(0,0,0,0,0, id * 20, 0) AS ts \
             FROM range(9)",
        )
        .await
        .unwrap();
    let per_hour = df
        .group_by([window("ts", "1 hour").alias("w")])
        .agg([count(lit(1)).alias("n")])
        .select([col("w.start").cast("string").alias("start"), col("n")])
        .order_by(["start"]);
    assert_eq!(
        collect_rows(&per_hour).await,
        [
            ["2024-01-01 00:00:00", "3"],
            ["2024-01-01 01:00:00", "3"],
            ["2024-01-01 02:00:00", "3"]
        ]
    );
}

#[tokio::test]
async fn conf_get_set_unset() {
    let spark = util::session().await;
    let conf = spark.conf();
    conf.set("spark.sql.shuffle.partitions", 7).await.unwrap();
    assert_eq!(conf.get("spark.sql.shuffle.partitions").await.unwrap(), "7");
    assert!(conf
        .is_modifiable("spark.sql.shuffle.partitions")
        .await
        .unwrap());
    conf.unset("spark.sql.shuffle.partitions").await.unwrap();
    assert_eq!(
        conf.get_option("spark.mindy.unset.key").await.unwrap(),
        None
    );
    assert_eq!(
        conf.get_or("spark.mindy.unset.key", "dflt").await.unwrap(),
        "dflt"
    );
    let all = conf.get_all_with_prefix("spark.sql.").await.unwrap();
    assert!(all.iter().all(|(k, _)| k.starts_with("spark.sql.")));
    assert!(
        all.iter().any(|(k, _)| k == "spark.sql.extensions"),
        "{all:?}"
    );
}

#[tokio::test]
async fn catalog_basics_and_temp_views() {
    let spark = util::session().await;
    let view = util::unique("v_people");
    people(&spark)
        .create_or_replace_temp_view(&view)
        .await
        .unwrap();
    assert!(spark.catalog().table_exists(&view).await.unwrap());
    let tables = spark.catalog().list_tables().await.unwrap();
    let t = tables.iter().find(|t| t.name == view).unwrap();
    assert!(t.is_temporary);
    assert_eq!(
        spark
            .sql(format!("SELECT count(*) FROM {view}"))
            .await
            .unwrap()
            .collect()
            .await
            .map(|b| util::rows(&b))
            .unwrap(),
        [["4"]]
    );
    assert_eq!(spark.catalog().current_database().await.unwrap(), "default");
    assert!(spark
        .catalog()
        .list_databases()
        .await
        .unwrap()
        .contains(&"default".to_string()));
    assert!(spark.catalog().database_exists("default").await.unwrap());
    assert!(spark.catalog().drop_temp_view(&view).await.unwrap());
    assert!(!spark.catalog().table_exists(&view).await.unwrap());
}
