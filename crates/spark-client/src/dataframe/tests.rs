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
    let tmp = a.union_by_name(&b, true);
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
