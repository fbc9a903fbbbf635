//! Regression tests named after the issue that found them, round-tripped through the real server.
//! (The differential suite, `tests/differential/`, compares the same areas with PySpark.)

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use spark_client::dataframe::{FillValue, JoinType, ReplaceValue};
use spark_client::functions::{col, from_json, lit};
use spark_client::rows::Row;
use spark_client::types::{
    DataType, DayTimeField, Decimal, IntoLiteral, Literal, StructType, YearMonthField,
};
use spark_client::{DataFrame, ErrorKind};

use crate::util;

async fn one_row(df: &DataFrame) -> Row<'static> {
    df.first().await.unwrap().expect("one row")
}

/// Issue 15, kind 1: a null inside an array (map, struct) literal came back as 0 or "".
#[tokio::test]
async fn issue15_nulls_inside_container_literals_survive() {
    let spark = util::session().await;
    let df = spark.range(0, 1).select([
        lit(vec![Some("a"), None]).alias("strs"),
        lit(vec![Some(1i32), None]).alias("ints"),
        lit(vec![vec![Some(1.5f64), None], vec![]]).alias("nested"),
        lit(BTreeMap::from([("k", None::<i64>), ("l", Some(2))])).alias("map"),
        lit(Literal::struct_([
            ("id", 7i64.into_literal()),
            ("tag", None::<&str>.into_literal()),
        ]))
        .alias("st"),
        lit(Vec::<NaiveDate>::new()).alias("empty"),
    ]);
    let row = one_row(&df).await;
    assert_eq!(
        row.get::<Vec<Option<String>>>("strs").unwrap(),
        [Some("a".to_string()), None]
    );
    assert_eq!(
        row.get::<Vec<Option<i32>>>("ints").unwrap(),
        [Some(1), None]
    );
    assert_eq!(
        row.get::<Vec<Vec<Option<f64>>>>("nested").unwrap(),
        [vec![Some(1.5), None], vec![]]
    );
    assert_eq!(
        row.get::<BTreeMap<String, Option<i64>>>("map").unwrap(),
        BTreeMap::from([("k".to_string(), None), ("l".to_string(), Some(2))])
    );
    let st: Row = row.get("st").unwrap();
    assert_eq!(st.get::<i64>("id").unwrap(), 7);
    assert_eq!(st.get::<Option<String>>("tag").unwrap(), None);
    // An empty array keeps its Rust element type.
    let schema = df.schema().await.unwrap();
    assert_eq!(
        schema.get("empty").unwrap().data_type,
        DataType::Array {
            element: Box::new(DataType::Date),
            contains_null: false
        }
    );
    assert!(row.get::<Vec<NaiveDate>>("empty").unwrap().is_empty());
}

/// Issue 15, kind 1: every scalar type, as a literal and as a SQL parameter.
#[tokio::test]
async fn issue15_scalars_as_literals_and_sql_parameters() {
    let spark = util::session().await;
    spark
        .conf()
        .set("spark.sql.session.timeZone", "America/New_York")
        .await
        .unwrap();
    let ts = Utc.with_ymd_and_hms(2024, 3, 10, 7, 30, 0).unwrap() + TimeDelta::microseconds(5);
    let ntz = NaiveDate::from_ymd_opt(2024, 3, 10)
        .unwrap()
        .and_hms_micro_opt(2, 30, 0, 500_000)
        .unwrap();
    let dec = Decimal::parse("-123.4500").unwrap();
    let by_param = spark
        .sql("SELECT :ts AS ts, :ntz AS ntz, :dec AS dec, :iv AS iv, :n AS n, :arr AS arr")
        .arg("ts", ts)
        .arg("ntz", ntz)
        .arg("dec", dec.clone())
        .arg("iv", TimeDelta::milliseconds(-1500))
        .arg("n", None::<i32>)
        .arg("arr", vec![1i64, 2])
        .await
        .unwrap();
    let by_lit = spark.range(0, 1).select([
        lit(ts).alias("ts"),
        lit(ntz).alias("ntz"),
        lit(dec.clone()).alias("dec"),
        lit(TimeDelta::milliseconds(-1500)).alias("iv"),
        lit(None::<i32>).alias("n"),
        lit(vec![1i64, 2]).alias("arr"),
    ]);
    for df in [&by_param, &by_lit] {
        let row = one_row(df).await;
        assert_eq!(row.get::<chrono::DateTime<Utc>>("ts").unwrap(), ts);
        assert_eq!(row.get::<chrono::NaiveDateTime>("ntz").unwrap(), ntz);
        assert_eq!(row.get::<Decimal>("dec").unwrap().as_str(), "-123.4500");
        assert_eq!(
            row.get::<TimeDelta>("iv").unwrap(),
            TimeDelta::milliseconds(-1500)
        );
        assert_eq!(row.get::<Option<i32>>("n").unwrap(), None);
        assert_eq!(row.get::<Vec<i64>>("arr").unwrap(), [1, 2]);
        let types: Vec<String> = df
            .dtypes()
            .await
            .unwrap()
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert_eq!(
            types,
            [
                "timestamp",
                "timestamp_ntz",
                "decimal(7,4)",
                "interval day to second",
                "int",
                "array<bigint>"
            ]
        );
    }
}

/// Issue 15, kind 1: a container holding a null cannot travel as one literal; it is refused
/// before anything is sent instead of arriving changed.
#[tokio::test]
async fn issue15_sql_parameter_holding_a_null_is_refused() {
    let spark = util::session().await;
    let err = spark
        .sql("SELECT :xs")
        .arg("xs", vec![Some(1i32), None])
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidArgument(m) if m.contains(":xs")),
        "{err:?}"
    );
}

/// Issue 15, kind 2: columns of two `spark.sql` frames bind to their frame (AMBIGUOUS_REFERENCE
/// before).
#[tokio::test]
async fn issue15_join_of_two_sql_frames_with_bound_columns() {
    let spark = util::session().await;
    let l = spark
        .sql("SELECT * FROM VALUES (1, 'a1'), (2, 'a2'), (2, 'a2b'), (3, 'a3'), (NULL, 'an') AS l(k, a)")
        .await
        .unwrap();
    let r = spark
        .sql("SELECT * FROM VALUES (2, 'b2'), (3, 'b3'), (3, 'b3b'), (4, 'b4'), (NULL, 'bn') AS r(k, b)")
        .await
        .unwrap();
    let joined = l.join(&r, l.col("k").eq(r.col("k")), JoinType::FullOuter);
    assert_eq!(joined.columns().await.unwrap(), ["k", "a", "k", "b"]);
    assert_eq!(joined.count().await.unwrap(), 8);
    let picked = joined
        .filter(l.col("k").eq(3))
        .select([l.col("k"), r.col("b")])
        .order_by([r.col("b")]);
    assert_eq!(
        util::collect_rows(&picked).await,
        [["3", "b3"], ["3", "b3b"]]
    );
}

/// Issue 15, kind 3: values Spark takes in one width only are widened (an INT fill value was
/// rejected with `Unsupported value type java.lang.Integer`).
#[tokio::test]
async fn issue15_fill_and_replace_take_every_width() {
    let spark = util::session().await;
    let df = spark
        .sql("SELECT * FROM VALUES (1, NULL, NULL, 'x'), (2, 5L, 2.5D, NULL) AS t(id, n, d, s)")
        .await
        .unwrap();
    let filled = df
        .fill_na(0i32, ["n"])
        .fill_na(1.5f32, ["d"])
        .fill_na_by_column([("s", FillValue::from("?"))])
        .replace([(5i8, 6i8)], ["n"])
        .replace(
            [(ReplaceValue::from(2.5f32), ReplaceValue::from(None::<f64>))],
            ["d"],
        )
        .order_by(["id"]);
    assert_eq!(
        util::collect_rows(&filled).await,
        [["1", "0", "1.5", "x"], ["2", "6", "null", "?"]]
    );
}

/// Issue 15, kind 4: the error class of every error form (a parse error's message starts with a
/// newline; a failed job names its cause's class inside).
#[tokio::test]
async fn issue15_error_classes_of_every_form() {
    let spark = util::session().await;
    let parse = spark.sql("SELEC 1").await.unwrap_err();
    assert_eq!(parse.error_class(), Some("PARSE_SYNTAX_ERROR"), "{parse}");
    assert!(parse.server().unwrap().is_parse_error());
    let expr = spark
        .range(0, 1)
        .select_expr(["id +* 2"])
        .collect()
        .await
        .unwrap_err();
    assert_eq!(expr.error_class(), Some("PARSE_SYNTAX_ERROR"), "{expr}");
    let missing = spark
        .table("issue15_no_such_table")
        .collect()
        .await
        .unwrap_err();
    assert_eq!(missing.error_class(), Some("TABLE_OR_VIEW_NOT_FOUND"));
    spark
        .conf()
        .set("spark.sql.ansi.enabled", "true")
        .await
        .unwrap();
    let job = spark
        .range(0, 3)
        .select([(lit(1) / (col("id") - 1)).alias("x")])
        .collect()
        .await
        .unwrap_err();
    assert_eq!(job.error_class(), Some("DIVIDE_BY_ZERO"), "{job}");
}

/// Issue 15, kind 5: DDL renders as Spark parses it back, for every type; dtypes as PySpark's.
#[tokio::test]
async fn issue15_ddl_round_trips_every_type() {
    let spark = util::session().await;
    let types = [
        DataType::Boolean,
        DataType::Byte,
        DataType::Short,
        DataType::Integer,
        DataType::Long,
        DataType::Float,
        DataType::Double,
        DataType::Decimal {
            precision: 38,
            scale: 9,
        },
        DataType::String,
        DataType::Binary,
        DataType::Date,
        DataType::Timestamp,
        DataType::TimestampNtz,
        DataType::DayTimeInterval {
            start: DayTimeField::Hour,
            end: DayTimeField::Second,
        },
        DataType::YearMonthInterval {
            start: YearMonthField::Month,
            end: YearMonthField::Month,
        },
        DataType::array(DataType::map(DataType::String, DataType::Long)),
        DataType::Struct(
            StructType::new()
                .field("plain", DataType::Integer, false)
                .field("with space", DataType::array(DataType::Date), true)
                .field("1", DataType::Double, true),
        ),
    ];
    let mut select = Vec::new();
    for (i, t) in types.iter().enumerate() {
        select.push(format!("CAST(NULL AS {}) AS c{i}", t.to_ddl()));
    }
    let df = spark
        .sql(format!("SELECT {}", select.join(", ")))
        .await
        .unwrap();
    let schema = df.schema().await.unwrap();
    for (i, t) in types.iter().enumerate() {
        let got = &schema.fields[i].data_type;
        assert_eq!(got.to_ddl(), t.to_ddl(), "c{i}");
    }
    let dtypes = df.dtypes().await.unwrap();
    assert_eq!(dtypes[13].1, "interval hour to second");
    assert_eq!(dtypes[14].1, "interval month");
    assert_eq!(
        dtypes[16].1,
        "struct<plain:int,with space:array<date>,1:double>"
    );
    // A StructType's DDL column list is what readers and from_json take.
    let schema = StructType::new().field("a b", DataType::Long, true).field(
        "c",
        DataType::array(DataType::String),
        true,
    );
    let parsed = spark.range(0, 1).select([from_json(
        lit(r#"{"a b": 1, "c": ["x"]}"#),
        schema.to_ddl(),
        [],
    )
    .alias("p")]);
    let row = one_row(&parsed).await;
    let p: Row = row.get("p").unwrap();
    assert_eq!(p.get::<i64>("a b").unwrap(), 1);
    assert_eq!(p.get::<Vec<String>>("c").unwrap(), ["x"]);
}
