//! Plan building: the protobuf shape each API call produces. No server needed (the channel is
//! lazy), only a tokio runtime for it.

use spark_connect_proto as pb;
use spark_connect_proto::expression::ExprType;
use spark_connect_proto::relation::RelType;

use super::*;
use crate::functions::{col, count, lit, sum};
use crate::session::SparkSession;
use crate::streaming::{OutputMode, Trigger};

async fn session() -> SparkSession {
    SparkSession::builder()
        .remote("sc://127.0.0.1:1/;user_id=test")
        .build()
        .await
        .unwrap()
}

fn rel(df: &DataFrame) -> &RelType {
    df.relation().rel_type.as_ref().unwrap()
}

fn input_of(r: &RelType) -> &pb::Relation {
    match r {
        RelType::Project(p) => p.input.as_deref().unwrap(),
        RelType::Filter(f) => f.input.as_deref().unwrap(),
        RelType::Aggregate(a) => a.input.as_deref().unwrap(),
        RelType::Sort(s) => s.input.as_deref().unwrap(),
        other => panic!("no input accessor for {other:?}"),
    }
}

#[tokio::test]
async fn plan_ids_are_unique_and_increasing() {
    let spark = session().await;
    let a = spark.range(0, 10);
    let b = a.select(["id"]);
    let id = |df: &DataFrame| df.relation().common.as_ref().unwrap().plan_id.unwrap();
    assert!(id(&b) > id(&a));
    // The child keeps its own id inside the parent.
    let child = input_of(rel(&b));
    assert_eq!(child.common.as_ref().unwrap().plan_id, Some(id(&a)));
    // df.col() binds to the DataFrame's plan id.
    match a.col("id").expr.expr_type {
        Some(ExprType::UnresolvedAttribute(attr)) => assert_eq!(attr.plan_id, Some(id(&a))),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn select_filter_group_order() {
    let spark = session().await;
    let df = spark
        .range(0, 100)
        .filter(col("id").gt(10))
        .group_by([col("id") % 3])
        .agg([sum("id").alias("s"), count(lit(1))])
        .order_by([col("s").desc()]);
    let RelType::Sort(sort) = rel(&df) else {
        panic!()
    };
    assert_eq!(sort.is_global, Some(true));
    let RelType::Aggregate(agg) = &sort.input.as_ref().unwrap().rel_type.as_ref().unwrap() else {
        panic!()
    };
    assert_eq!(agg.group_type, pb::aggregate::GroupType::Groupby as i32);
    assert_eq!(agg.grouping_expressions.len(), 1);
    assert_eq!(agg.aggregate_expressions.len(), 2);
    assert!(agg.grouping_sets.is_empty(), "grouping_sets is 4.x-only");
    let RelType::Filter(_) = agg.input.as_ref().unwrap().rel_type.as_ref().unwrap() else {
        panic!()
    };
}

#[tokio::test]
async fn joins_use_3_5_fields_only() {
    let spark = session().await;
    let a = spark.range(0, 10);
    let b = spark.range(0, 10);
    let using = a.join(&b, "id", JoinType::Left);
    let RelType::Join(j) = rel(&using) else {
        panic!()
    };
    assert_eq!(j.using_columns, vec!["id"]);
    assert_eq!(j.join_type, pb::join::JoinType::LeftOuter as i32);
    assert!(j.join_condition.is_none() && j.join_data_type.is_none());

    let on = a.join(&b, a.col("id").eq(b.col("id")), JoinType::LeftAnti);
    let RelType::Join(j) = rel(&on) else { panic!() };
    assert!(j.join_condition.is_some());
    assert_eq!(j.join_type, pb::join::JoinType::LeftAnti as i32);
    let tmp = a.cross_join(&b);
    let RelType::Join(j) = rel(&tmp) else {
        panic!()
    };
    assert_eq!(j.join_type, pb::join::JoinType::Cross as i32);
}

#[tokio::test]
#[allow(deprecated)]
async fn renames_and_sql_use_the_3_5_fields() {
    let spark = session().await;
    let df = spark.range(0, 1).with_columns_renamed([("id", "n")]);
    let RelType::WithColumnsRenamed(r) = rel(&df) else {
        panic!()
    };
    assert_eq!(
        r.rename_columns_map.get("id").map(String::as_str),
        Some("n")
    );
    assert!(r.renames.is_empty(), "renames is 4.x-only");

    let cmd = spark.sql("SELECT :x").arg("x", 1i32).pos_arg("p").command();
    let pb::command::CommandType::SqlCommand(sql) = cmd else {
        panic!()
    };
    assert_eq!(sql.sql, "SELECT :x");
    assert_eq!(sql.args.len(), 1);
    assert_eq!(sql.pos_args.len(), 1);
    assert!(sql.named_arguments.is_empty() && sql.input.is_none());
}

#[tokio::test]
async fn set_ops_dedup_watermark() {
    let spark = session().await;
    let a = spark.range(0, 5);
    let b = spark.range(3, 8);
    let tmp = a.union_by_name_allow_missing(&b);
    let RelType::SetOp(u) = rel(&tmp) else {
        panic!()
    };
    assert_eq!(
        (u.is_all, u.by_name, u.allow_missing_columns),
        (Some(true), Some(true), Some(true))
    );
    let tmp = a.drop_duplicates_within_watermark(["id"]);
    let RelType::Deduplicate(d) = rel(&tmp) else {
        panic!()
    };
    assert_eq!(d.within_watermark, Some(true));
    assert_eq!(d.all_columns_as_keys, Some(false));
    let tmp = a.distinct();
    let RelType::Deduplicate(d) = rel(&tmp) else {
        panic!()
    };
    assert_eq!(d.all_columns_as_keys, Some(true));
    let tmp = a.with_watermark("ts", "10 minutes");
    let RelType::WithWatermark(w) = rel(&tmp) else {
        panic!()
    };
    assert_eq!(
        (w.event_time.as_str(), w.delay_threshold.as_str()),
        ("ts", "10 minutes")
    );
}

#[tokio::test]
async fn reader_and_writer() {
    use pb::write_operation::SaveType;
    let spark = session().await;
    let df = spark
        .read()
        .format("delta")
        .option("versionAsOf", 3)
        .schema("id BIGINT")
        .load_path("/lake/t");
    let RelType::Read(r) = rel(&df) else { panic!() };
    assert!(!r.is_streaming);
    let Some(pb::read::ReadType::DataSource(ds)) = &r.read_type else {
        panic!()
    };
    assert_eq!(ds.format.as_deref(), Some("delta"));
    assert_eq!(ds.options["versionAsOf"], "3");
    assert_eq!(ds.paths, vec!["/lake/t"]);

    let w = df
        .write()
        .format("delta")
        .mode(SaveMode::Overwrite)
        .partition_by(["day"])
        .operation(Some(SaveType::Path("/out".into())));
    assert_eq!(w.mode, pb::write_operation::SaveMode::Overwrite as i32);
    assert_eq!(w.partitioning_columns, vec!["day"]);
    assert_eq!(w.source.as_deref(), Some("delta"));
    assert!(w.clustering_columns.is_empty());
}

#[tokio::test]
async fn streams() {
    use pb::write_stream_operation_start::{SinkDestination, Trigger as T};
    let spark = session().await;
    let err = spark
        .read_stream()
        .format("kafka")
        .option("subscribe", "t")
        .load()
        .unwrap_err();
    assert!(err.to_string().contains("kafka.bootstrap.servers"), "{err}");
    let df = spark
        .read_stream()
        .format("kafka")
        .option("kafka.bootstrap.servers", "h:9092")
        .option("subscribe", "t")
        .load()
        .unwrap();
    let RelType::Read(r) = rel(&df) else { panic!() };
    assert!(r.is_streaming);

    let op = df
        .write_stream()
        .format("delta")
        .output_mode(OutputMode::Append)
        .trigger(Trigger::AvailableNow)
        .checkpoint_location("/cp")
        .query_name("q")
        .operation(Some(SinkDestination::Path("/out".into())));
    assert_eq!(op.trigger, Some(T::AvailableNow(true)));
    assert_eq!(op.output_mode, "append");
    assert_eq!(op.options["checkpointLocation"], "/cp");
    assert_eq!(op.query_name, "q");
    let op = df
        .write_stream()
        .trigger(Trigger::ProcessingTime(std::time::Duration::from_secs(5)))
        .operation(None);
    assert_eq!(
        op.trigger,
        Some(T::ProcessingTimeInterval("5000 milliseconds".into()))
    );
    assert_eq!(
        op.output_mode, "",
        "unset output mode leaves the server default"
    );
}

#[tokio::test]
async fn create_dataframe_sends_arrow_ipc() {
    use arrow_array::{Int32Array, RecordBatch};
    use std::sync::Arc;
    let spark = session().await;
    let batch = RecordBatch::try_from_iter([(
        "x",
        Arc::new(Int32Array::from(vec![1, 2])) as arrow_array::ArrayRef,
    )])
    .unwrap();
    let df = spark
        .create_dataframe(std::slice::from_ref(&batch))
        .unwrap();
    let RelType::LocalRelation(local) = rel(&df) else {
        panic!()
    };
    let decoded = super::stream::decode_ipc(local.data.clone().unwrap()).unwrap();
    assert_eq!(decoded, vec![batch]);
    assert!(spark.create_dataframe(&[]).is_err());
}

#[tokio::test]
async fn every_dataframe_has_a_plan_id_to_bind_columns_to() {
    let spark = session().await;
    let plan_id = |df: &DataFrame| df.relation().common.as_ref().and_then(|c| c.plan_id);
    // A relation as the server returns it for `spark.sql(..)`: no plan id of its own.
    let sql = pb::Relation {
        common: None,
        rel_type: Some(RelType::Sql(pb::Sql {
            query: "SELECT 1 AS k".into(),
            ..Default::default()
        })),
    };
    let a = spark.adopt(sql.clone());
    let b = crate::raw::dataframe(&spark, sql);
    let (ia, ib) = (plan_id(&a).unwrap(), plan_id(&b).unwrap());
    assert_ne!(ia, ib, "two SQL frames must be told apart in a join");
    match a.col("k").expr.expr_type {
        Some(ExprType::UnresolvedAttribute(attr)) => assert_eq!(attr.plan_id, Some(ia)),
        other => panic!("{other:?}"),
    }
    let batch = arrow_array::RecordBatch::try_from_iter([(
        "x",
        std::sync::Arc::new(arrow_array::Int32Array::from(vec![1])) as arrow_array::ArrayRef,
    )])
    .unwrap();
    for df in [
        spark.table("t"),
        spark.read().parquet("/p"),
        spark.create_dataframe(&[batch]).unwrap(),
        spark.read_stream().format("rate").load().unwrap(),
    ] {
        assert!(plan_id(&df).is_some(), "{:?}", df.relation().rel_type);
    }
}

#[tokio::test]
async fn a_rejected_argument_fails_the_first_action_and_sends_nothing() {
    let spark = session().await;
    let df = spark
        .range(0, 3)
        .group_by(["id"])
        .pivot("id", [vec![Some(1i64), None]])
        .agg([count(lit(1))]);
    let joined = spark.range(0, 1).join(&df, "id", JoinType::Inner);
    for d in [&df, &joined, &joined.select(["id"])] {
        // The server (port 1) is never dialled: the error comes first.
        let err = d.collect().await.unwrap_err();
        assert!(
            matches!(err.kind(), crate::ErrorKind::InvalidArgument(m) if m.contains("pivot value")),
            "{err:?}"
        );
    }
    let err = spark
        .sql("SELECT :a")
        .arg("a", vec![Some(1i32), None])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("holding a null"), "{err}");
}

#[tokio::test]
async fn na_functions_send_widened_values() {
    use pb::expression::literal::LiteralType;
    let spark = session().await;
    let df = spark.range(0, 1).fill_na(0i32, ["id"]);
    let RelType::FillNa(f) = rel(&df) else {
        panic!()
    };
    assert_eq!(f.values[0].literal_type, Some(LiteralType::Long(0)));
    let df = spark
        .range(0, 1)
        .fill_na_by_column([("a", FillValue::from(1.5f32)), ("b", "x".into())]);
    let RelType::FillNa(f) = rel(&df) else {
        panic!()
    };
    assert_eq!(f.cols, ["a", "b"]);
    assert_eq!(f.values[0].literal_type, Some(LiteralType::Double(1.5)));
    let df = spark.range(0, 1).replace([(1i32, 2i16)], ["id"]);
    let RelType::Replace(r) = rel(&df) else {
        panic!()
    };
    assert_eq!(
        r.replacements[0].new_value.as_ref().unwrap().literal_type,
        Some(LiteralType::Double(2.0))
    );
    let df = spark.range(0, 1).drop_na(DropNa::all().subset(["id"]));
    let RelType::DropNa(d) = rel(&df) else {
        panic!()
    };
    assert_eq!(
        (d.min_non_nulls, d.cols.clone()),
        (Some(1), vec!["id".to_string()])
    );
}
