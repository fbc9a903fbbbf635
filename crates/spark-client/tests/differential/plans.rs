//! The Rust side of the differential suite: one entry per plan, named as its twin in
//! `pyspark_plans.py`. An entry is `name => |s, c| expression`, where `s` is a fresh
//! [`SparkSession`], `c` the run's [`Ctx`], and the expression (which may `.await` and use `?`)
//! yields a [`DataFrame`] (its result is compared), a `String` (compared as text),
//! [`plan_text`] (a query plan) or `tail(..)`-style batches. A documented difference is written
//! `name [differs("why", &[("column", "ours", "PySpark's")])] => ...` with the Arrow types as
//! Arrow prints them.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use arrow_array::builder::{Int64Builder, ListBuilder};
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int32Array,
    Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow_schema::{Field, Schema, SchemaRef};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use spark_client::dataframe::{
    DropNa, ExplainMode, FillValue, JoinType, Range, Sample, SaveMode, Show,
};
use spark_client::functions::*;
use spark_client::types::{DataType, Decimal, IntoLiteral, Literal, StructType};
use spark_client::window::Window;
use spark_client::{Column, DataFrame, Error, SparkSession};

type Result<T, E = Error> = std::result::Result<T, E>;

/// What a plan produced on either side.
pub enum Outcome {
    /// An Arrow result (its schema, also when there are no rows).
    Table(SchemaRef, Vec<RecordBatch>),
    /// A text (show string, dtypes, schema JSON, ...).
    Text(String),
    /// A query plan (explain).
    Plan(String),
    /// A failure, with Spark's error class when there is one.
    Error {
        class: Option<String>,
        message: String,
    },
}

impl Outcome {
    pub fn describe(&self) -> String {
        match self {
            Outcome::Table(_, b) => format!(
                "a table of {} rows",
                b.iter().map(RecordBatch::num_rows).sum::<usize>()
            ),
            Outcome::Text(t) => format!("text {:?}", t.chars().take(60).collect::<String>()),
            Outcome::Plan(_) => "a plan".into(),
            Outcome::Error { class, message } => format!(
                "error {class:?} ({})",
                message
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(100)
                    .collect::<String>()
            ),
        }
    }

    fn from_error(e: Error) -> Outcome {
        Outcome::Error {
            class: e.error_class().map(str::to_string),
            message: e.to_string(),
        }
    }
}

/// What a plan body returns before the harness runs it.
pub enum Produced {
    Frame(Box<DataFrame>),
    Batches(Vec<RecordBatch>),
    Text(String),
    Plan(String),
}

impl From<DataFrame> for Produced {
    fn from(df: DataFrame) -> Produced {
        Produced::Frame(Box::new(df))
    }
}

impl From<String> for Produced {
    fn from(s: String) -> Produced {
        Produced::Text(s)
    }
}

impl From<Vec<RecordBatch>> for Produced {
    fn from(b: Vec<RecordBatch>) -> Produced {
        Produced::Batches(b)
    }
}

/// A query plan's text (compared with expression ids normalised).
pub fn plan_text(s: String) -> Produced {
    Produced::Plan(s)
}

/// What a plan may differ in from PySpark.
pub enum Expect {
    Same,
    /// Column types that differ by design: `(column, our Arrow type, PySpark's Arrow type)`.
    Differs {
        why: &'static str,
        columns: &'static [(&'static str, &'static str, &'static str)],
    },
}

impl Expect {
    pub fn is_difference(&self) -> bool {
        matches!(self, Expect::Differs { .. })
    }
}

const fn differs(
    why: &'static str,
    columns: &'static [(&'static str, &'static str, &'static str)],
) -> Expect {
    Expect::Differs { why, columns }
}

/// The run's context: where this side writes Delta tables.
#[derive(Clone)]
pub struct Ctx {
    lake: PathBuf,
}

impl Ctx {
    pub fn new(lake: PathBuf) -> Ctx {
        Ctx { lake }
    }

    fn path(&self, name: &str) -> String {
        self.lake.join(name).to_string_lossy().into_owned()
    }
}

type PlanFuture = Pin<Box<dyn Future<Output = Result<Produced>> + Send>>;

pub struct Plan {
    pub name: &'static str,
    pub expect: Expect,
    body: fn(SparkSession, Ctx) -> PlanFuture,
}

impl Plan {
    /// Runs the plan in a fresh session and collects its outcome.
    pub async fn run(&self, remote: &str, ctx: &Ctx) -> Outcome {
        let spark = match SparkSession::builder().remote(remote).build().await {
            Ok(s) => s,
            Err(e) => return Outcome::from_error(e),
        };
        // As the PySpark side: 200 shuffle partitions would make every aggregate 200 tasks.
        if let Err(e) = spark.conf().set("spark.sql.shuffle.partitions", 4).await {
            return Outcome::from_error(e);
        }
        let outcome = match (self.body)(spark.clone(), ctx.clone()).await {
            Ok(Produced::Frame(df)) => match df.collect().await {
                Ok(batches) => table(batches),
                Err(e) => Outcome::from_error(e),
            },
            Ok(Produced::Batches(b)) => table(b),
            Ok(Produced::Text(t)) => Outcome::Text(t),
            Ok(Produced::Plan(t)) => Outcome::Plan(t),
            Err(e) => Outcome::from_error(e),
        };
        let _ = spark.stop().await;
        outcome
    }
}

fn table(batches: Vec<RecordBatch>) -> Outcome {
    match batches.first() {
        Some(b) => Outcome::Table(b.schema(), batches),
        None => Outcome::Error {
            class: None,
            message: "no Arrow batch (not even an empty one with the schema)".into(),
        },
    }
}

macro_rules! plans {
    ($($name:ident $([$expect:expr])? => |$s:ident, $c:ident| $body:expr;)*) => {
        /// Every plan, in order.
        pub fn all() -> Vec<Plan> {
            vec![$(
                Plan {
                    name: stringify!($name),
                    expect: plans!(@expect $($expect)?),
                    body: |$s, $c| {
                        Box::pin(async move {
                            #[allow(unused_variables)]
                            let $c = $c;
                            Ok::<Produced, Error>(Produced::from($body))
                        })
                    },
                },
            )*]
        }
    };
    (@expect) => { Expect::Same };
    (@expect $e:expr) => { $e };
}

const PEOPLE: &str =
    "SELECT * FROM VALUES (1, 'Ana', 34, 'PT', 1200.50D), (2, 'bob', NULL, 'ES', 800.0D), \
     (3, NULL, 27, 'PT', NULL), (4, 'Dee', 41, NULL, 2500.25D), (5, 'Éva', 27, 'FR', 1200.50D) \
     AS t(id, name, age, country, salary)";
const LEFT: &str =
    "SELECT * FROM VALUES (1, 'a1'), (2, 'a2'), (2, 'a2b'), (3, 'a3'), (NULL, 'an') AS l(k, a)";
const RIGHT: &str =
    "SELECT * FROM VALUES (2, 'b2'), (3, 'b3'), (3, 'b3b'), (4, 'b4'), (NULL, 'bn') AS r(k, b)";
const FLOATS: &str = "SELECT * FROM VALUES (1, CAST('NaN' AS DOUBLE)), (2, -0.0D), (3, 0.0D), \
     (4, CAST('Infinity' AS DOUBLE)), (5, CAST('-Infinity' AS DOUBLE)), (6, NULL), (7, 1.5D), \
     (8, CAST('NaN' AS DOUBLE)) AS t(id, x)";
const ARRAYS: &str =
    "SELECT * FROM VALUES (1, array(1, 2, 3)), (2, array()), (3, NULL), (4, array(5, NULL, 4)) \
     AS t(id, xs)";
const WORDS: &str =
    "SELECT * FROM VALUES (1, 'hello world'), (2, 'ÉCOLE ñandú'), (3, '日本語テキスト'), \
     (4, 'emoji 😀👍🏽 e\u{301}'), (5, ''), (6, NULL), (7, 'a,b,,c'), (8, 'שלום עולם') AS t(id, s)";
const EVENTS: &str =
    "SELECT id, timestamp'2024-01-01 00:00:00' + make_interval(0, 0, 0, 0, 0, id * 17, 0) AS ts, \
     id % 3 AS g FROM range(12)";
const DECIMALS: &str =
    "SELECT CAST(x AS DECIMAL(10,2)) AS d FROM VALUES ('1.10'), ('2.25'), ('-3.33'), \
     ('99999999.99'), (NULL) AS t(x)";
const DST: &str = "SELECT * FROM VALUES ('2024-03-10 01:30:00'), ('2024-03-10 02:30:00'), \
     ('2024-03-10 03:30:00'), ('2024-11-03 00:30:00'), ('2024-11-03 01:30:00'), \
     ('2024-11-03 02:30:00'), ('1969-12-31 23:59:59.5') AS t(s)";
const JSON_DOCS: &str =
    "SELECT * FROM VALUES (1, '{\"id\": 5, \"tags\": [\"a\",\"b\"], \"inner\": {\"x\": 1.5}, \
     \"when\": \"2024-03-01T10:00:00Z\"}'), (2, '{\"id\": \"nope\"}'), (3, 'not json'), \
     (4, NULL), (5, '{\"id\": 9, \"tags\": [], \"inner\": null, \"name\": \"Zoë\"}') AS t(k, v)";
const CAST_INPUTS: &str =
    "SELECT * FROM VALUES (1, ' 12 '), (2, '1e3'), (3, 'abc'), (4, '2147483648'), (5, '-0'), \
     (6, 'NaN'), (7, 'Infinity'), (8, ''), (9, NULL), (10, 'true'), (11, '1.999'), \
     (12, '2024-02-30'), (13, '2024-03-10 02:30:00') AS t(k, s)";
const EVERY_TYPE: &str =
    "SELECT CAST(1 AS TINYINT) AS a, CAST(1 AS SMALLINT) AS b, 1 AS c, 1L AS d, 1.5F AS e, \
     1.5D AS f, 1.50BD AS g, 'x' AS h, X'01' AS i, true AS j, DATE'2024-01-01' AS k, \
     TIMESTAMP'2024-01-01 00:00:00' AS l, TIMESTAMP_NTZ'2024-01-01 00:00:00' AS m, \
     INTERVAL '1' DAY AS n, INTERVAL '1:2' HOUR TO MINUTE AS o, INTERVAL '1-2' YEAR TO MONTH AS p, \
     INTERVAL '3' MONTH AS q, array(1, 2) AS r, map('a', 1.5D) AS s, \
     named_struct('x', 1, 'y z', array(named_struct('w', 'v'))) AS t, CAST(NULL AS STRING) AS u, \
     NULL AS v, CAST(1 AS DECIMAL(38, 0)) AS w";

async fn people(s: &SparkSession) -> Result<DataFrame> {
    s.sql(PEOPLE).await
}

async fn utc(s: &SparkSession) -> Result<()> {
    zone(s, "UTC").await
}

async fn zone(s: &SparkSession, tz: &str) -> Result<()> {
    s.conf().set("spark.sql.session.timeZone", tz).await
}

/// PySpark's `lit(None)`: an untyped (`VOID`) null.
fn none() -> Column {
    lit(Literal::null(DataType::Null))
}

fn no_cols() -> Vec<Column> {
    Vec::new()
}

fn no_names() -> Vec<String> {
    Vec::new()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn ts_micros(micros: i64) -> chrono::DateTime<Utc> {
    Utc.timestamp_micros(micros).unwrap()
}

fn ntz(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
}

/// A Python `bool`'s `str()`.
fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// A Python list of lists of floats as `str()` prints it.
fn py_float_lists(v: &[Vec<f64>]) -> String {
    let inner: Vec<String> = v
        .iter()
        .map(|l| {
            let items: Vec<String> = l.iter().map(|x| format!("{x:?}")).collect();
            format!("[{}]", items.join(", "))
        })
        .collect();
    format!("[{}]", inner.join(", "))
}

async fn join_of(s: &SparkSession, how: JoinType) -> Result<DataFrame> {
    let (l, r) = (s.sql(LEFT).await?, s.sql(RIGHT).await?);
    Ok(l.join(&r, l.col("k").eq(r.col("k")), how).order_by([
        l.col("k").asc_nulls_first(),
        col("a"),
        r.col("k").asc_nulls_first(),
        col("b"),
    ]))
}

fn json_schema() -> StructType {
    StructType::new()
        .field("id", DataType::Long, true)
        .field("tags", DataType::array(DataType::String), true)
        .field(
            "inner",
            DataType::Struct(StructType::new().field("x", DataType::Double, true)),
            true,
        )
        .field("when", DataType::Timestamp, true)
        .field("name", DataType::String, true)
}

/// The batch PySpark's `createDataFrame(CREATE_ROWS, CREATE_SCHEMA)` sends.
fn create_batch() -> RecordBatch {
    let mut xs = ListBuilder::new(Int64Builder::new());
    xs.append_value([Some(1), None, Some(3)]);
    xs.append_value([]);
    xs.append_null();
    let fields = vec![
        Field::new("id", arrow_schema::DataType::Int64, true),
        Field::new("n", arrow_schema::DataType::Int32, true),
        Field::new("x", arrow_schema::DataType::Float64, true),
        Field::new("s", arrow_schema::DataType::Utf8, true),
        Field::new("ok", arrow_schema::DataType::Boolean, true),
        Field::new("d", arrow_schema::DataType::Date32, true),
        Field::new(
            "ts",
            arrow_schema::DataType::Timestamp(
                arrow_schema::TimeUnit::Microsecond,
                Some("UTC".into()),
            ),
            true,
        ),
        Field::new("bin", arrow_schema::DataType::Binary, true),
        Field::new("dec", arrow_schema::DataType::Decimal128(10, 2), true),
        Field::new(
            "xs",
            arrow_schema::DataType::List(Arc::new(Field::new_list_field(
                arrow_schema::DataType::Int64,
                true,
            ))),
            true,
        ),
    ];
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(vec![1, 2, 3])),
        Arc::new(Int32Array::from(vec![Some(10), None, Some(-7)])),
        Arc::new(Float64Array::from(vec![f64::NAN, -0.0, f64::INFINITY])),
        Arc::new(StringArray::from(vec![Some("Zoë"), None, Some("日本")])),
        Arc::new(BooleanArray::from(vec![Some(true), Some(false), None])),
        Arc::new(Date32Array::from(vec![Some(19_782), Some(-1), None])),
        Arc::new(
            TimestampMicrosecondArray::from(vec![
                Some(1_710_055_800_000_000),
                Some(-500_000),
                None,
            ])
            .with_timezone("UTC"),
        ),
        Arc::new(BinaryArray::from(vec![
            Some(&[0u8, 1][..]),
            None,
            Some(&[][..]),
        ])),
        Arc::new(
            Decimal128Array::from(vec![Some(1250), Some(-1), None])
                .with_precision_and_scale(10, 2)
                .unwrap(),
        ),
        Arc::new(xs.finish()),
    ];
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

/// The Python `str()` of `df.dtypes`.
fn py_dtypes(dtypes: Vec<(String, String)>) -> String {
    let items: Vec<String> = dtypes
        .iter()
        .map(|(n, t)| format!("('{n}', '{t}')"))
        .collect();
    format!("[{}]", items.join(", "))
}

plans! {
    // ---- aggregation ----
    agg_group_by => |s, c| people(&s).await?
        .group_by(["country"])
        .agg([
            count(lit(1)).alias("n"),
            sum("salary").alias("total"),
            avg("age").alias("avg_age"),
            min("name").alias("first_name"),
            max("salary").alias("top"),
        ])
        .order_by([col("country").asc_nulls_first()]);

    agg_statistics => |s, c| s.range(0, 1000)
        .with_column("g", col("id") % 3)
        .with_column("x", col("id") * 1.5)
        .group_by(["g"])
        .agg([
            stddev("x").alias("sd"),
            variance("x").alias("var"),
            stddev_pop("x").alias("sd_pop"),
            skewness("x").alias("skew"),
            kurtosis("x").alias("kurt"),
            corr("x", "id").alias("corr"),
            covar_samp("x", "id").alias("cov"),
            count_distinct([col("id") % 10]).alias("distinct"),
            approx_count_distinct("id").alias("approx"),
            sum_distinct(col("id") % 5).alias("sum_distinct"),
            sort_array(collect_set(col("id") % 4)).alias("set"),
            max_by("id", "x").alias("max_by"),
        ])
        .order_by(["g"]);

    agg_percentiles => |s, c| s.range(0, 101)
        .with_column("x", col("id") * 2)
        .agg([
            percentile_approx("x", 0.5).alias("p50"),
            percentiles_approx("x", [0.1, 0.9], 100).alias("p10_90"),
            percentile("x", 0.25).alias("exact25"),
            percentiles("x", [0.5, 0.75]).alias("exact"),
            median("id").alias("median"),
            mode(col("id") % 3).alias("mode"),
        ]);

    agg_rollup => |s, c| people(&s).await?
        .rollup(["country"])
        .agg([count(lit(1)).alias("n"), grouping_id(no_cols()).alias("gid")])
        .order_by([col("gid"), col("country").asc_nulls_first()]);

    agg_cube => |s, c| people(&s).await?
        .cube([col("country"), col("age").gt(30).alias("older")])
        .agg([sum("salary").alias("total"), grouping_id(no_cols()).alias("gid")])
        .order_by([col("gid"), col("country").asc_nulls_first(), col("older").asc_nulls_first()]);

    agg_group_shortcuts => |s, c| {
        let p = people(&s).await?;
        p.group_by(["country"])
            .count()
            .join(&p.group_by(["country"]).avg(["salary", "age"]), "country", JoinType::Left)
            .order_by([col("country").asc_nulls_first()])
    };

    // ---- decimals ----
    decimal_arithmetic => |s, c| s.sql(DECIMALS).await?.select([
        col("d"),
        (col("d") * 2).alias("twice"),
        (col("d") / 3).alias("third"),
        (col("d") + col("d")).alias("sum"),
        round("d", 1).alias("r1"),
        bround("d", 1).alias("b1"),
        col("d").cast("decimal(38,10)").alias("wide"),
        col("d").cast("double").alias("dbl"),
    ]);

    decimal_aggregates => |s, c| s.sql(DECIMALS).await?.agg([
        sum("d").alias("s"),
        avg("d").alias("a"),
        max("d").alias("m"),
        count("d").alias("n"),
    ]);

    decimal_literal [differs(
        "a decimal literal keeps the precision of its text (DECIMAL(5,3) for 12.345); PySpark \
         sends DECIMAL(10,3)",
        &[("d", "Decimal128(5, 3)", "Decimal128(10, 3)"), ("x", "Decimal128(7, 3)", "Decimal128(12, 3)")],
    )] => |s, c| {
        let d = Decimal::parse("12.345")?;
        s.range(0, 1).select([lit(d.clone()).alias("d"), (lit(d) * 2).alias("x")])
    };

    decimal_literal_exact_type => |s, c| s.range(0, 1).select([
        lit(Decimal::with_precision("12.345", 10, 3)?).alias("d"),
        lit(Decimal::with_precision("-0.5", 10, 1)?).alias("neg"),
        lit(Decimal::with_precision("1234567.1", 10, 1)?).alias("big"),
    ]);

    // ---- timestamps and dates ----
    timestamps_across_dst => |s, c| {
        zone(&s, "America/New_York").await?;
        s.sql(DST).await?
            .select([col("s"), to_timestamp("s").alias("ts")])
            .select([
                col("s"),
                col("ts"),
                unix_timestamp("ts").alias("unix"),
                hour("ts").alias("h"),
                date_trunc("hour", "ts").alias("trunc"),
                from_utc_timestamp("ts", "Europe/Lisbon").alias("lisbon"),
                to_utc_timestamp("ts", "Asia/Kolkata").alias("from_kolkata"),
                expr("ts + INTERVAL 1 DAY").alias("next_day"),
                date_format("ts", "yyyy-MM-dd HH:mm:ss XXX").alias("fmt"),
                col("ts").cast("string").alias("str"),
                col("ts").cast("timestamp_ntz").alias("ntz"),
                to_date("ts").alias("d"),
            ])
    };

    timestamp_literals_in_zone => |s, c| {
        zone(&s, "Asia/Kolkata").await?;
        s.range(0, 1).select([
            lit(ts_micros(1_710_055_815_123_456)).alias("ts"),
            lit(ts_micros(-750_000)).alias("before_epoch"),
            lit(ntz("2024-03-10 02:30:00.5")).alias("ntz"),
            lit(date(1969, 12, 31)).alias("d"),
            lit(date(2024, 2, 29)).alias("leap"),
            lit(TimeDelta::days(1) + TimeDelta::hours(2) + TimeDelta::microseconds(5)).alias("interval"),
            lit(TimeDelta::microseconds(-1500)).alias("neg_interval"),
        ])
    };

    date_functions => |s, c| s.sql(
        "SELECT * FROM VALUES (DATE'2024-01-31'), (DATE'2024-02-29'), (DATE'2023-12-31'), \
         (NULL) AS t(d)",
    ).await?.select([
        col("d"),
        add_months("d", 1).alias("plus_month"),
        months_between(lit(date(2024, 6, 30)), "d").alias("months"),
        months_between_unrounded(lit(date(2024, 6, 15)), "d").alias("months_raw"),
        datediff(lit(date(2024, 6, 30)), "d").alias("days"),
        date_add("d", 30).alias("plus30"),
        date_sub("d", 1).alias("minus1"),
        last_day("d").alias("last"),
        next_day("d", "Mon").alias("monday"),
        trunc("d", "quarter").alias("quarter_start"),
        date_format("d", "EEE dd MMM yyyy").alias("fmt"),
        dayofweek("d").alias("dow"),
        weekofyear("d").alias("week"),
        quarter("d").alias("q"),
        make_date(year("d"), month("d"), lit(1)).alias("first"),
    ]);

    datetime_parsing => |s, c| {
        utc(&s).await?;
        s.sql("SELECT * FROM VALUES ('01/03/2024 17:42'), ('31/12/1999 00:00'), ('bad') AS t(s)")
            .await?
            .select([
                to_date_fmt("s", "dd/MM/yyyy HH:mm").alias("d"),
                to_timestamp_fmt("s", "dd/MM/yyyy HH:mm").alias("ts"),
                unix_timestamp_fmt("s", "dd/MM/yyyy HH:mm").alias("unix"),
                from_unixtime(lit(86_400 * 365)).alias("from_unix"),
                from_unixtime_fmt(lit(0), "yyyy/MM/dd").alias("from_unix_fmt"),
                timestamp_seconds(lit(1_700_000_000)).alias("ts_s"),
                timestamp_millis(lit(1_700_000_000_123i64)).alias("ts_ms"),
            ])
    };

    // ---- JSON ----
    from_json_typed_schema => |s, c| {
        utc(&s).await?;
        s.sql(JSON_DOCS).await?
            .select([col("k"), from_json("v", json_schema(), []).alias("p")])
            .select([
                col("k"),
                col("p"),
                col("p.id"),
                col("p.inner.x"),
                col("p.tags").get_item(1).alias("t1"),
            ])
            .order_by(["k"])
    };

    from_json_ddl_and_options => |s, c| s.sql(JSON_DOCS).await?
        .select([
            col("k"),
            from_json("v", "id BIGINT, name STRING", []).alias("ddl"),
            from_json("v", "id INT", [("mode", "PERMISSIVE"), ("allowSingleQuotes", "true")])
                .alias("opts"),
            get_json_object("v", lit("$.tags[0]")).alias("tag0"),
            schema_of_json(r#"{"a": 1, "b": [1.5], "c": {"d": "x"}}"#).alias("schema"),
        ])
        .order_by(["k"]);

    to_json_nested => |s, c| {
        utc(&s).await?;
        people(&s).await?
            .select([
                col("id"),
                to_json(struct_(["id", "name", "age"]), []).alias("row"),
                to_json(create_map([lit("k"), col("salary")]), []).alias("map"),
                to_json(array([struct_([col("country").alias("c")])]), []).alias("arr"),
                to_json(
                    struct_([lit(ts_micros(1_709_287_200_000_000)).alias("t")]),
                    [("timestampFormat", "yyyy/MM/dd HH:mm")],
                )
                .alias("fmt"),
            ])
            .order_by(["id"])
    };

    json_tuple_aliases => |s, c| s.sql(JSON_DOCS).await?
        .select([col("k"), json_tuple("v", ["id", "name"]).aliases(["jid", "jname"])])
        .order_by(["k"]);

    // ---- windows ----
    window_ranking => |s, c| {
        let w = Window::partition_by(["country"]).order_by([col("salary").desc_nulls_last(), col("id")]);
        people(&s).await?
            .select([
                col("id"),
                col("country"),
                row_number().over(w.clone()).alias("rn"),
                rank().over(w.clone()).alias("rank"),
                dense_rank().over(w.clone()).alias("dense"),
                percent_rank().over(w.clone()).alias("pct"),
                cume_dist().over(w.clone()).alias("cume"),
                ntile(2).over(w.clone()).alias("tile"),
                lag("salary", 1).over(w.clone()).alias("prev"),
                lead_or("salary", 1, 0.0).over(w.clone()).alias("next"),
                sum("salary")
                    .over(w.clone().rows_between(Window::UNBOUNDED_PRECEDING, Window::CURRENT_ROW))
                    .alias("running"),
                first("name").over(w).alias("first_name"),
            ])
            .order_by(["id"])
    };

    window_range_frames => |s, c| {
        let w = Window::order_by(["x"]).range_between(-2, 1);
        let w2 = Window::partition_by(["g"]).order_by(["x"]).rows_between(-1, Window::UNBOUNDED_FOLLOWING);
        s.range(0, 10)
            .select([col("id"), (col("id") * 3 % 7).alias("x"), (col("id") % 2).alias("g")])
            .select([col("id"), count(lit(1)).over(w).alias("n"), max("x").over(w2).alias("mx")])
            .order_by(["id"])
    };

    time_windows => |s, c| {
        utc(&s).await?;
        let df = s.sql(EVENTS).await?;
        let n = || count(lit(1)).alias("n");
        let tumbling = df.group_by([window("ts", "1 hour").alias("w")]).agg([n()]);
        let sliding = df
            .group_by([window_with("ts", TimeWindow::new("1 hour").slide("30 minutes")).alias("w")])
            .agg([n()]);
        let shifted = df
            .group_by([window_with("ts", TimeWindow::new("1 hour").start_time("15 minutes")).alias("w")])
            .agg([n()]);
        tumbling
            .with_column("kind", lit("tumbling"))
            .union_by_name(&sliding.with_column("kind", lit("sliding")))
            .union_by_name(&shifted.with_column("kind", lit("shifted")))
            .select(["kind", "w.start", "w.end", "n"])
            .order_by(["kind", "start"])
    };

    session_windows => |s, c| {
        utc(&s).await?;
        s.sql(EVENTS).await?
            .group_by([col("g"), session_window("ts", "40 minutes").alias("sw")])
            .agg([count(lit(1)).alias("n")])
            .select(["g", "sw.start", "sw.end", "n"])
            .order_by(["g", "start"])
    };

    // ---- joins with duplicate column names ----
    join_inner => |s, c| join_of(&s, JoinType::Inner).await?;
    join_left => |s, c| join_of(&s, JoinType::Left).await?;
    join_right => |s, c| join_of(&s, JoinType::Right).await?;
    join_full_outer => |s, c| join_of(&s, JoinType::FullOuter).await?;

    join_left_semi => |s, c| {
        let (l, r) = (s.sql(LEFT).await?, s.sql(RIGHT).await?);
        l.join(&r, l.col("k").eq(r.col("k")), JoinType::LeftSemi).order_by(["k", "a"])
    };

    join_left_anti => |s, c| {
        let (l, r) = (s.sql(LEFT).await?, s.sql(RIGHT).await?);
        l.join(&r, l.col("k").eq(r.col("k")), JoinType::LeftAnti)
            .order_by([col("k").asc_nulls_first(), col("a")])
    };

    join_cross => |s, c| {
        let (l, r) = (s.sql(LEFT).await?, s.sql(RIGHT).await?);
        l.cross_join(&r).order_by([
            l.col("k").asc_nulls_first(),
            col("a"),
            r.col("k").asc_nulls_first(),
            col("b"),
        ])
    };

    join_using_column => |s, c| {
        let (l, r) = (s.sql(LEFT).await?, s.sql(RIGHT).await?);
        l.join(&r, "k", JoinType::FullOuter)
            .order_by([col("k").asc_nulls_first(), col("a"), col("b")])
    };

    join_broadcast_hint => |s, c| {
        let (l, r) = (s.sql(LEFT).await?, s.sql(RIGHT).await?);
        l.join(&broadcast(&r), ["k"], JoinType::Inner).order_by(["k", "a", "b"])
    };

    self_join_aliases => |s, c| {
        let df = s.range(0, 6).with_column("p", col("id") % 2);
        let (a, b) = (df.alias("a"), df.alias("b"));
        a.join(&b, col("a.p").eq(col("b.p")), JoinType::Inner)
            .select([col("a.id").alias("x"), col("b.id").alias("y")])
            .order_by(["x", "y"])
    };

    self_join_derived_frames => |s, c| {
        let df = s.sql("SELECT id, id % 3 AS m FROM range(9)").await?;
        let evens = df.filter((col("id") % 2).eq(0));
        df.join(&evens, df.col("id").eq(evens.col("m")), JoinType::Inner)
            .select([df.col("id"), evens.col("id").alias("even_id")])
            .order_by(["id", "even_id"])
    };

    // ---- null handling ----
    fill_na_integer_widened => |s, c| people(&s).await?.fill_na(0i32, no_names()).order_by(["id"]);

    fill_na_float_subset => |s, c| people(&s).await?
        .fill_na(1.5f32, ["salary", "age"])
        .order_by(["id"]);

    fill_na_per_column => |s, c| people(&s).await?
        .fill_na_by_column([
            ("name", FillValue::from("?")),
            ("age", FillValue::from(0i16)),
            ("country", FillValue::from("XX")),
        ])
        .order_by(["id"]);

    drop_na_variants => |s, c| {
        let df = people(&s).await?;
        df.drop_na(DropNa::any())
            .with_column("how", lit("any"))
            .union_by_name(&df.drop_na(DropNa::all().subset(["name", "age"])).with_column("how", lit("all")))
            .union_by_name(&df.drop_na(DropNa::any().thresh(5)).with_column("how", lit("thresh")))
            .order_by(["how", "id"])
    };

    replace_values => |s, c| people(&s).await?
        .replace([(27i32, 28i32)], ["age"])
        .replace([("PT", None), ("ES", Some("España"))], ["country"])
        .replace([(1200.5f64, 1300.0f64)], no_names())
        .order_by(["id"]);

    null_functions => |s, c| people(&s).await?
        .select([
            col("id"),
            coalesce([col("name"), col("country"), lit("none")]).alias("c"),
            nvl("age", lit(-1)).alias("nvl"),
            nullif("age", lit(27)).alias("nullif"),
            col("country").eq_null_safe(none()).alias("null_safe"),
            col("country").eq(none()).alias("eq_null"),
            col("name").is_null().alias("missing"),
            when(col("age").is_null(), "unknown")
                .when(col("age").gt(30), "older")
                .otherwise("younger")
                .alias("bucket"),
        ])
        .order_by(["id"]);

    null_ordering => |s, c| people(&s).await?
        .select(["id", "age", "salary"])
        .order_by([col("age").asc_nulls_last(), col("salary").desc_nulls_first(), col("id")]);

    // ---- explode, maps, structs ----
    explode_arrays => |s, c| {
        let df = s.sql(ARRAYS).await?;
        let a = df.select([col("id"), explode("xs").alias("x")]).with_column("f", lit("explode"));
        let b = df.select([col("id"), explode_outer("xs").alias("x")]).with_column("f", lit("outer"));
        let p = df
            .select([col("id"), posexplode("xs").aliases(["pos", "x"])])
            .select([col("id"), (col("x") * 100 + col("pos")).alias("x")]);
        a.union_by_name(&b)
            .union_by_name(&p.with_column("f", lit("pos")))
            .order_by([col("f"), col("id"), col("x").asc_nulls_first()])
    };

    maps_and_entries => |s, c| people(&s).await?
        .select([
            col("id"),
            create_map([lit("name"), col("name"), lit("country"), col("country")]).alias("m"),
        ])
        .select([
            col("id"),
            col("m"),
            map_keys("m").alias("keys"),
            map_values("m").alias("values"),
            element_at("m", "country").alias("country"),
            map_entries("m").alias("entries"),
            size("m").alias("n"),
            map_from_arrays(array([lit("a"), lit("b")]), array(["id", "id"])).alias("ab"),
        ])
        .order_by(["id"]);

    explode_map => |s, c| people(&s).await?
        .select([
            col("id"),
            create_map([lit("n"), col("name"), lit("c"), col("country")]).alias("m"),
        ])
        .select([col("id"), explode("m").aliases(["k", "v"])])
        .order_by(["id", "k"]);

    structs_and_fields => |s, c| people(&s).await?
        .select([
            col("id"),
            struct_([col("name"), col("age").alias("years")]).alias("s"),
            named_struct([("c", col("country")), ("pay", col("salary"))]).alias("ns"),
        ])
        .select([
            col("id"),
            col("s"),
            col("ns"),
            col("s.*"),
            col("ns").get_field("pay").alias("pay"),
            col("s").with_field("years", col("s.years") + 1).alias("older"),
            col("ns").drop_fields(["pay"]).alias("dropped"),
        ])
        .order_by(["id"]);

    inline_and_arrays_zip => |s, c| {
        let df = s.range(0, 3).select([
            col("id"),
            array([
                struct_([col("id").alias("a"), lit("x").alias("b")]),
                struct_([(col("id") * 10).alias("a"), lit("y").alias("b")]),
            ])
            .alias("arr"),
        ]);
        let zipped = s.range(0, 2).select([
            col("id"),
            arrays_zip([array([lit(1), lit(2)]), array([lit("a")])]).alias("z"),
        ]);
        df.select([col("id"), inline("arr")])
            .cross_join(&zipped.select([col("z").alias("z"), col("id").alias("zid")]))
            .order_by(["id", "a", "zid"])
    };

    // ---- pivot, unions, reshaping ----
    pivot_with_values => |s, c| people(&s).await?
        .group_by(["country"])
        .pivot("age", [27i32, 34, 99])
        .agg([sum("salary")])
        .order_by([col("country").asc_nulls_first()]);

    pivot_all_values => |s, c| people(&s).await?
        .group_by(["age"])
        .pivot_all("country")
        .agg([count(lit(1)).alias("n"), max("id").alias("top")])
        .order_by([col("age").asc_nulls_first()]);

    union_by_name => |s, c| {
        let a = s.range(0, 3).select([col("id"), lit("a").alias("x")]);
        let b = s.range(5, 7).select([lit("b").alias("x"), col("id")]);
        a.union_by_name(&b).order_by(["id"])
    };

    union_by_name_missing_columns => |s, c| {
        let a = s.range(0, 2).select([col("id"), lit("a").alias("x")]);
        let b = s.range(9, 10).select([col("id"), lit(1.5).alias("y")]);
        a.union_by_name_allow_missing(&b).order_by(["id"])
    };

    set_operations => |s, c| {
        let a = s.sql("SELECT * FROM VALUES (1), (1), (2), (3), (NULL) AS t(v)").await?;
        let b = s.sql("SELECT * FROM VALUES (1), (3), (3), (4), (NULL) AS t(v)").await?;
        let ops = [
            ("union", a.union(&b)),
            ("intersect", a.intersect(&b)),
            ("intersect_all", a.intersect_all(&b)),
            ("subtract", a.subtract(&b)),
            ("except_all", a.except_all(&b)),
            ("distinct", a.distinct()),
        ];
        let mut out: Option<DataFrame> = None;
        for (name, df) in ops {
            let df = df.with_column("op", lit(name));
            out = Some(match out {
                None => df,
                Some(o) => o.union_by_name(&df),
            });
        }
        out.unwrap().order_by([col("op"), col("v").asc_nulls_first()])
    };

    unpivot_melt => |s, c| {
        let df = people(&s).await?.select([col("id"), col("age").cast("double").alias("age"), col("salary")]);
        let a = df.unpivot(["id"], ["age", "salary"], "var", "val");
        let b = df
            .melt(["id"], no_cols(), "var", "val")
            .with_column("var", concat([lit("all_"), col("var")]));
        a.union_by_name(&b).order_by(["var", "id"])
    };

    reshape_columns => |s, c| people(&s).await?
        .with_columns_renamed([("name", "who"), ("age", "years")])
        .with_column("double_id", col("id") * 2)
        .drop(["salary", "not_there"])
        .select_expr(["id", "upper(who) AS who", "years + 1 AS next_year", "double_id"])
        .filter_expr("next_year IS NOT NULL")
        .to_df(["a", "b", "c", "d"])
        .transform(|d| d.order_by([col("a").desc()]));

    // ---- describe, summary, stat functions ----
    describe_columns => |s, c| people(&s).await?.describe(no_names()).order_by(["summary"]);
    describe_subset => |s, c| people(&s).await?.describe(["age", "name"]).order_by(["summary"]);
    summary_default => |s, c| people(&s).await?
        .select(["age", "salary", "name"])
        .summary(no_names())
        .order_by(["summary"]);
    summary_chosen_statistics => |s, c| people(&s).await?
        .summary(["count", "min", "25%", "75%", "max", "count_distinct"])
        .order_by(["summary"]);

    stat_crosstab => |s, c| people(&s).await?
        .crosstab("country", "age")
        .select(["country_age", "27", "34", "41", "null"])
        .order_by([col("country_age").asc_nulls_first()]);

    stat_freq_items => |s, c| s.range(0, 100)
        .select([(col("id") % 3).alias("a"), lit("x").alias("b")])
        .freq_items_with_support(["a", "b"], 0.3)
        .select([sort_array("a_freqItems").alias("a"), col("b_freqItems")]);

    stat_approx_quantile => |s, c| {
        let df = s.range(0, 1000).select([(col("id") * 0.5).alias("x"), (col("id") % 10).alias("y")]);
        py_float_lists(&df.approx_quantile(["x", "y"], [0.1, 0.5, 0.9], 0.0).await?)
    };

    stat_corr_cov => |s, c| {
        let df = s.range(0, 50).select([(col("id") * 2).alias("a"), (col("id") % 7).alias("b")]);
        format!("{:?} {:?}", df.corr("a", "b").await?, df.cov("a", "b").await?)
    };

    stat_sample_by => |s, c| s.range(0, 300)
        .select([col("id"), (col("id") % 3).alias("g")])
        .sample_by("g", [(0i32, 0.5), (1, 0.2)], 7)
        .order_by(["id"]);

    // ---- strings, unicode, binary ----
    unicode_strings => |s, c| s.sql(WORDS).await?
        .select([
            col("id"),
            col("s"),
            upper("s").alias("up"),
            lower("s").alias("low"),
            length("s").alias("len"),
            octet_length("s").alias("bytes"),
            reverse("s").alias("rev"),
            substring("s", 2, 3).alias("sub"),
            initcap("s").alias("cap"),
            lpad("s", 14, "·").alias("pad"),
            instr("s", "o").alias("o_at"),
            regexp_replace("s", "[aeiouÉé]", "_").alias("vowels"),
            hex(encode("s", "UTF-16BE")).alias("utf16"),
        ])
        .order_by(["id"]);

    string_functions => |s, c| s.sql(WORDS).await?
        .select([
            col("id"),
            translate("s", "lo", "01").alias("tr"),
            repeat("s", 2).alias("twice"),
            rpad("s", 5, "-").alias("rpad"),
            split("s", ",").alias("parts"),
            split_limit("s", ",", 2).alias("parts2"),
            regexp_extract("s", r"(\w+) (\w+)", 2).alias("second"),
            format_string("%s|%d", ["s", "id"]).alias("fmt"),
            concat_ws("/", [col("s"), none(), lit("z")]).alias("ws"),
            concat([col("s"), lit("!")]).alias("bang"),
            substring_index("s", " ", 1).alias("word1"),
            locate("l", "s", 4).alias("loc"),
            levenshtein("s", lit("hello")).alias("lev"),
            soundex("s").alias("sdx"),
            left("s", lit(3)).alias("left3"),
            ascii("s").alias("asc"),
            format_number(col("id") * 1234.5678, 2).alias("num"),
            trim(lit("  x  ")).alias("trim"),
        ])
        .order_by(["id"]);

    large_strings => |s, c| s.range(0, 4)
        .select([
            col("id"),
            repeat(concat([lit("ab€"), col("id").cast("string")]), 100_000).alias("big"),
        ])
        .select([
            col("id"),
            col("big"),
            length("big").alias("len"),
            sha2("big", 256).alias("sha"),
            md5("big").alias("md5"),
            substring("big", 299_990, 20).alias("tail"),
        ])
        .order_by(["id"]);

    binary_functions => |s, c| s.sql("SELECT X'00FF10' AS b, CAST('héllo' AS BINARY) AS u, 'aGVsbG8=' AS b64")
        .await?
        .select([
            col("b"),
            col("u"),
            hex("b").alias("hex"),
            base64("u").alias("base64"),
            unbase64("b64").alias("unbase64"),
            unhex(lit("zz")).alias("bad_hex"),
            unhex(lit("CAFE")).alias("cafe"),
            decode("u", "UTF-8").alias("decoded"),
            encode(lit("ü"), "ISO-8859-1").alias("latin1"),
            octet_length("u").alias("bytes"),
            length("b").alias("len"),
            sha1("b").alias("sha1"),
            crc32("b").alias("crc"),
            lit(vec![0u8, 1, 0xfe]).alias("lit"),
        ]);

    // ---- create_dataframe, limit/offset/tail, sampling, dedup ----
    create_dataframe_types => |s, c| {
        utc(&s).await?;
        s.create_dataframe(&[create_batch()])?.order_by(["id"])
    };

    limit_and_offset => |s, c| {
        let df = s.range(0, 100).order_by([col("id").desc()]);
        df.offset(10)
            .limit(5)
            .with_column("part", lit("page"))
            .union_by_name(&df.limit(0).with_column("part", lit("none")))
            .union_by_name(&df.limit(2).with_column("part", lit("top")))
            .order_by(["part", "id"])
    };

    tail_rows => |s, c| people(&s).await?.order_by(["id"]).tail(2).await?;

    sample_seeded => |s, c| {
        let df = s.range_with(Range::new(0, 1000).partitions(4));
        df.sample_with(Sample::fraction(0.1).seed(42))
            .with_column("with_replacement", lit(false))
            .union_by_name(
                &df.sample_with(Sample::fraction(0.05).with_replacement().seed(7))
                    .with_column("with_replacement", lit(true)),
            )
            .order_by(["with_replacement", "id"])
    };

    dedup_distinct => |s, c| {
        let df = people(&s).await?;
        df.select(["country"])
            .distinct()
            .with_column("how", lit("distinct"))
            .union_by_name(&df.drop_duplicates(["country"]).select(["country"]).with_column("how", lit("drop")))
            .union_by_name(
                &df.select(["age"])
                    .drop_duplicates(no_names())
                    .select([col("age").cast("string").alias("country")])
                    .with_column("how", lit("age")),
            )
            .order_by([col("how"), col("country").asc_nulls_first()])
    };

    // ---- SQL parameters ----
    sql_named_parameters => |s, c| {
        utc(&s).await?;
        s.sql(
            "SELECT :i AS i, :l AS l, :d AS d, :s AS s, :b AS b, :day AS day, :ts AS ts, \
             :bin AS bin, :nan AS nan, :neg_zero AS neg_zero",
        )
        .arg("i", 7i32)
        .arg("l", 1i64 << 40)
        .arg("d", 1.5f64)
        .arg("s", "Zoë's \"quote\"")
        .arg("b", true)
        .arg("day", date(2024, 2, 29))
        .arg("ts", ts_micros(1_710_055_800_000_005))
        .arg("bin", vec![0u8, 0xff])
        .arg("nan", f64::NAN)
        .arg("neg_zero", -0.0f64)
        .await?
    };

    sql_positional_parameters => |s, c| s
        .sql("SELECT ? + 1 AS x, upper(?) AS y, ? AS z")
        .pos_arg(41i32)
        .pos_arg("é")
        .pos_arg(false)
        .await?;

    sql_array_parameter => |s, c| s
        .sql("SELECT :xs AS xs, size(:xs) AS n, array_contains(:xs, 2) AS has2, :words AS words")
        .arg("xs", vec![1i32, 2, 3])
        .arg("words", vec!["a", "b"])
        .await?;

    sql_parameter_in_filter => |s, c| s
        .sql("SELECT * FROM range(20) WHERE id BETWEEN :lo AND :hi AND id % :m = 0")
        .arg("lo", 3i32)
        .arg("hi", 15i32)
        .arg("m", 2i32)
        .await?;

    // ---- casts and numeric edge cases ----
    cast_strings => |s, c| {
        utc(&s).await?;
        s.sql(CAST_INPUTS).await?
            .select([
                col("k"),
                col("s").cast("int").alias("int"),
                col("s").cast("bigint").alias("bigint"),
                col("s").cast("double").alias("double"),
                col("s").cast("float").alias("float"),
                col("s").cast("decimal(5,2)").alias("dec"),
                col("s").cast("boolean").alias("bool"),
                col("s").cast("date").alias("date"),
                col("s").cast("timestamp").alias("ts"),
                col("s").cast(DataType::Short).alias("short"),
            ])
            .order_by(["k"])
    };

    cast_numbers => |s, c| s.sql(
        "SELECT * FROM VALUES (1, 9223372036854775807L, 1.9D), (2, -2147483649L, -1.9D), \
         (3, 0L, -0.0D), (4, 128L, CAST('NaN' AS DOUBLE)), (5, NULL, 1e300D) AS t(k, l, d)",
    ).await?
        .select([
            col("k"),
            col("l").cast("int").alias("l_int"),
            col("l").cast("tinyint").alias("l_byte"),
            (col("l") + 1).alias("l_plus"),
            col("d").cast("int").alias("d_int"),
            col("d").cast("bigint").alias("d_long"),
            col("d").cast("string").alias("d_str"),
            col("d").cast("float").alias("d_float"),
            col("d").cast("decimal(10,3)").alias("d_dec"),
            (col("k") / 0).alias("div0"),
            (col("k") % 3).alias("mod"),
            (-col("d")).alias("neg"),
        ])
        .order_by(["k"]);

    float_special_values => |s, c| s.sql(FLOATS).await?
        .select([
            col("id"),
            col("x"),
            col("x").eq(f64::NAN).alias("eq_nan"),
            col("x").eq(0.0).alias("eq_zero"),
            col("x").eq_null_safe(none()).alias("null_safe"),
            isnan("x").alias("is_nan"),
            nanvl("x", lit(-1.0)).alias("nanvl"),
            col("x").cast("string").alias("str"),
            (col("x") * -1).alias("neg"),
            signum("x").alias("sign"),
        ])
        .order_by([col("x").asc_nulls_first(), col("id")]);

    float_grouping => |s, c| s.sql(FLOATS).await?
        .group_by(["x"])
        .agg([count(lit(1)).alias("n"), min("id").alias("first")])
        .order_by([col("x").asc_nulls_first()]);

    column_operators => |s, c| people(&s).await?
        .select([
            col("id"),
            col("age").between(27, 35).alias("between"),
            col("name").like("%a%").alias("like"),
            col("name").ilike("%A%").alias("ilike"),
            col("name").rlike("^[A-Z]").alias("rlike"),
            col("name").starts_with("D").alias("starts"),
            col("name").contains("o").alias("contains"),
            col("name").substr(1, 2).alias("substr"),
            col("country").is_in(["PT", "FR"]).alias("isin"),
            col("id").bitwise_and(6).alias("band"),
            col("id").bitwise_or(8).alias("bor"),
            col("id").bitwise_xor(3).alias("bxor"),
            (!col("id").gt(2)).alias("not_gt"),
            (col("id").gt(1) & col("age").lt(40)).alias("and"),
            (col("id").gt(4) | col("age").is_null()).alias("or"),
            (col("id") % 2).alias("mod"),
            (col("salary") / col("id")).alias("div"),
            (-col("id")).alias("neg"),
        ])
        .order_by(["id"]);

    math_functions => |s, c| s.sql("SELECT * FROM VALUES (1, -2.5D), (2, 2.5D), (3, 0.0D), (4, 100.0D) AS t(k, x)")
        .await?
        .select([
            col("k"),
            abs("x").alias("abs"),
            floor("x").alias("floor"),
            ceil("x").alias("ceil"),
            round("x", 0).alias("round"),
            bround("x", 0).alias("bround"),
            sqrt("x").alias("sqrt"),
            exp("x").alias("exp"),
            ln("x").alias("ln"),
            log10("x").alias("log10"),
            log(2.0, "x").alias("log2"),
            pow("x", lit(2)).alias("pow"),
            greatest([col("x"), lit(1.0)]).alias("greatest"),
            least([col("x"), lit(1.0)]).alias("least"),
            hash(["x"]).alias("hash"),
            xxhash64(["x"]).alias("xx"),
            rand_seeded(5).alias("rand"),
            randn_seeded(5).alias("randn"),
        ])
        .order_by(["k"]);

    // ---- literals ----
    literal_arrays_with_nulls => |s, c| s.range(0, 1).select([
        lit(vec![Some("a"), None]).alias("strs"),
        lit(vec![Some(1i32), None]).alias("ints"),
        lit(vec![Some(1.5f64), Some(f64::NAN), None, Some(-0.0)]).alias("doubles"),
        lit(vec![vec![Some(1i32), None], vec![Some(2)]]).alias("nested"),
        lit(vec![Some(true), None]).alias("bools"),
        lit(vec![Some(date(2024, 1, 1)), None]).alias("dates"),
    ]);

    literal_maps_and_structs => |s, c| s.range(0, 1).select([
        lit(BTreeMap::from([("a", Some(1i32)), ("b", None)])).alias("m"),
        lit(Literal::struct_([
            ("id", 1i32.into_literal()),
            ("tag", None::<&str>.into_literal()),
        ]))
        .alias("st"),
        lit(vec![BTreeMap::from([("k", vec![Some(1i32), None])])]).alias("nested"),
    ]);

    literal_scalars => |s, c| {
        utc(&s).await?;
        s.range(0, 1).select([
            lit(true).alias("b"),
            lit(7i8).alias("i8"),
            lit(7i16).alias("i16"),
            lit(7i32).alias("i32"),
            lit(1i64 << 40).alias("i64"),
            lit(1.5f32).alias("f32"),
            lit(2.25f64).alias("f64"),
            lit(f64::NAN).alias("nan"),
            lit(-0.0f64).alias("neg_zero"),
            lit(f64::NEG_INFINITY).alias("neg_inf"),
            lit("Zoë 😀").alias("str"),
            lit(vec![1u8, 2]).alias("bin"),
            lit(date(2024, 2, 29)).alias("d"),
            lit(Utc.with_ymd_and_hms(2024, 2, 29, 13, 45, 0).unwrap()).alias("ts"),
            lit(TimeDelta::seconds(90)).alias("iv"),
        ])
    };

    literal_typed_null [differs(
        "a None of a Rust type is a typed null (BIGINT here); PySpark's lit(None) is VOID",
        &[("n", "Int64", "Null")],
    )] => |s, c| s.range(0, 1).select([lit(None::<i64>).alias("n"), lit("x").alias("x")]);

    literals_in_when_and_isin => |s, c| s.range(0, 5)
        .select([
            col("id"),
            when(col("id").gt(2), 1)
                .when(col("id").gt(0), 2.5)
                .otherwise(none())
                .alias("w"),
            when(col("id").eq(1), "one").alias("w_no_otherwise"),
            col("id").is_in([1, 3, 5]).alias("odd"),
            (col("id") + 1.5).alias("plus_float"),
            (col("id") * lit(1i64 << 33)).alias("times_long"),
        ])
        .order_by(["id"]);

    // ---- higher-order and collection functions ----
    higher_order_functions => |s, c| s.sql(ARRAYS).await?
        .select([
            col("id"),
            col("xs"),
            create_map([lit("a"), lit(1), lit("b"), lit(2)]).alias("m"),
        ])
        .select([
            col("id"),
            transform("xs", |x| x * 2).alias("doubled"),
            transform_with_index("xs", |x, i| x + i).alias("plus_index"),
            filter("xs", |x| x.gt(1)).alias("big"),
            filter_with_index("xs", |_, i| i.gt(0)).alias("tail"),
            exists("xs", |x| x.is_null()).alias("has_null"),
            forall("xs", |x| x.gt(0)).alias("all_pos"),
            aggregate("xs", lit(0).cast("bigint"), |acc, x| acc + coalesce([x, lit(0)])).alias("total"),
            aggregate_finish("xs", lit(0.0), |acc, x| acc + x, |acc| acc * 10).alias("finished"),
            zip_with("xs", array([lit(10), lit(20)]), |a, b| a * b).alias("zipped"),
            array_sort_by("xs", |a, b| {
                when(a.clone().lt(b.clone()), 1).when(a.gt(b), -1).otherwise(0)
            })
            .alias("desc"),
            map_filter("m", |_, v| v.gt(1)).alias("mf"),
            transform_keys("m", |k, _| upper(k)).alias("tk"),
            transform_values("m", |_, v| v * col("id")).alias("tv"),
        ])
        .order_by(["id"]);

    array_functions => |s, c| s.sql(ARRAYS).await?
        .select([
            col("id"),
            size("xs").alias("size"),
            sort_array("xs").alias("asc"),
            sort_array_desc("xs").alias("desc"),
            array_sort("xs").alias("array_sort"),
            array_distinct(concat(["xs", "xs"])).alias("distinct"),
            array_contains("xs", 2).alias("has2"),
            array_position("xs", 3).alias("pos3"),
            array_remove("xs", 1).alias("no1"),
            element_at("xs", -1).alias("last"),
            slice("xs", 2, 2).alias("slice"),
            array_join("xs", "-").alias("joined"),
            array_join_nulls("xs", "-", "?").alias("joined_nulls"),
            array_max("xs").alias("max"),
            array_min("xs").alias("min"),
            array_union("xs", array([lit(9)])).alias("union"),
            array_intersect("xs", array([lit(1), lit(5)])).alias("inter"),
            array_except("xs", array([lit(1)])).alias("except"),
            flatten(array([col("xs"), array([lit(7)])])).alias("flat"),
            array_repeat("id", 2).alias("rep"),
            sequence(lit(1), "id").alias("seq"),
        ])
        .order_by(["id"]);

    // ---- Delta Lake ----
    delta_write_append_time_travel => |s, c| {
        let path = c.path("table");
        s.range(0, 6)
            .select([col("id"), (col("id") % 3).alias("p"), (col("id") * 1.5).alias("v")])
            .write()
            .format("delta")
            .partition_by(["p"])
            .save(&path)
            .await?;
        s.range(6, 8)
            .select([col("id"), lit(0).cast("bigint").alias("p"), none().cast("double").alias("v")])
            .write()
            .format("delta")
            .mode(SaveMode::Append)
            .save(&path)
            .await?;
        s.range(100, 102)
            .select([col("id"), lit(1).cast("bigint").alias("p"), lit(-0.0).alias("v")])
            .write()
            .format("delta")
            .mode(SaveMode::Overwrite)
            .option("replaceWhere", "p = 1")
            .save(&path)
            .await?;
        let latest = s.read().format("delta").load_path(&path).with_column("version", lit(2));
        let v0 = s
            .read()
            .format("delta")
            .option("versionAsOf", 0)
            .load_path(&path)
            .with_column("version", lit(0));
        let v1 = s.sql(format!("SELECT *, 1 AS version FROM delta.`{path}` VERSION AS OF 1")).await?;
        latest.union_by_name(&v0).union_by_name(&v1).order_by(["version", "p", "id"])
    };

    // ---- show, explain, schema strings ----
    show_string_default => |s, c| people(&s).await?
        .order_by(["id"])
        .show_string_with(Show::default())
        .await?;

    show_string_vertical_truncated => |s, c| people(&s).await?
        .order_by(["id"])
        .show_string_with(Show::rows(3).truncate(4).vertical())
        .await?;

    show_string_untruncated_unicode => |s, c| s.sql(WORDS).await?
        .order_by(["id"])
        .show_string_with(Show::rows(20).truncate(0))
        .await?;

    explain_simple => |s, c| {
        let (l, r) = (s.sql(LEFT).await?, s.sql(RIGHT).await?);
        let df = l.join(&r, l.col("k").eq(r.col("k")), JoinType::Inner)
            .group_by(["a"])
            .agg([count(lit(1)).alias("n")]);
        plan_text(df.explain(ExplainMode::Simple).await?)
    };

    explain_extended => |s, c| {
        let df = people(&s).await?
            .filter(col("age").gt(30))
            .select([col("id"), upper("name").alias("n")]);
        plan_text(df.explain(ExplainMode::Extended).await?)
    };

    explain_formatted => |s, c| {
        let df = s.range(0, 100).group_by([(col("id") % 3).alias("m")]).agg([sum("id").alias("s")]);
        plan_text(df.explain(ExplainMode::Formatted).await?)
    };

    dtypes_every_type => |s, c| py_dtypes(s.sql(EVERY_TYPE).await?.dtypes().await?);
    schema_json_every_type => |s, c| s.sql(EVERY_TYPE).await?.schema().await?.to_json();
    schema_simple_string_every_type => |s, c| s.sql(EVERY_TYPE).await?.schema().await?.simple_string();
    schema_tree_string => |s, c| s.sql(EVERY_TYPE).await?.tree_string().await?;

    schema_nullability_after_ops => |s, c| people(&s).await?
        .select([
            col("id"),
            coalesce([col("name"), lit("?")]).alias("n"),
            array([lit(1)]).alias("a"),
            struct_(["age"]).alias("s"),
        ])
        .schema()
        .await?
        .to_json();

    // ---- errors ----
    error_parse_sql => |s, c| s.sql("SELEC 1").await?;
    error_parse_select_expr => |s, c| s.range(0, 3).select_expr(["id +* 2"]);
    error_unresolved_column => |s, c| s.range(0, 3).select(["idd"]);
    error_table_not_found => |s, c| s.table("spark_client_differential_no_such_table");

    error_ansi_divide_by_zero => |s, c| {
        s.conf().set("spark.sql.ansi.enabled", "true").await?;
        s.range(0, 3).select([(lit(1) / (col("id") - 1)).alias("x")])
    };

    error_ansi_invalid_cast => |s, c| {
        s.conf().set("spark.sql.ansi.enabled", "true").await?;
        s.sql(CAST_INPUTS).await?.select([col("s").cast("int")])
    };

    error_ambiguous_self_join => |s, c| {
        let df = s.range(0, 3);
        df.join(&df, df.col("id").eq(df.col("id")), JoinType::Inner).select([df.col("id")])
    };

    error_unsupported_fill_type => |s, c| s.range(0, 3)
        .with_column("x", none().cast("date"))
        .fill_na_by_column([("x", FillValue::from("2024-01-01"))]);

    // ---- actions: first/head, cache, 1M rows ----
    first_and_head => |s, c| {
        let df = people(&s).await?.order_by([col("id").desc()]);
        let first = df.first().await?.expect("a row");
        let head = df.filter_expr("id < 0").head().await?;
        format!(
            "{}|{}|{:?}|{}",
            first.get::<i32>("id")?,
            first.get::<Option<String>>("name")?.unwrap_or_else(|| "None".into()),
            first.get::<f64>("salary")?,
            if head.is_none() { "None" } else { "a row" },
        )
    };

    cache_persist_unpersist => |s, c| {
        let df = s.range(0, 1000).with_column("sq", col("id") * col("id"));
        df.cache().await?;
        let lvl = df.storage_level().await?;
        let n = df.count().await?;
        df.unpersist(true).await?;
        let after = df.storage_level().await?;
        format!(
            "{} {} {} {} {} | {n} | {}",
            py_bool(lvl.use_disk),
            py_bool(lvl.use_memory),
            py_bool(lvl.use_off_heap),
            py_bool(lvl.deserialized),
            lvl.replication,
            py_bool(after.use_memory),
        )
    };

    collect_one_million_rows => |s, c| {
        utc(&s).await?;
        s.range_with(Range::new(0, 1_000_000).partitions(4)).select([
            col("id"),
            (col("id") * 1.5).alias("d"),
            col("id").cast("string").alias("s"),
            (col("id") % 7).eq(0).alias("b"),
            timestamp_seconds("id").alias("ts"),
            when((col("id") % 5).eq(0), none()).otherwise(col("id") % 1000).alias("nullable"),
        ])
    };
}
