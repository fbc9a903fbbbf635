"""The PySpark side of spark-client's differential suite (see main.rs next to this file).

Every plan is a function `name(s, c)` of a fresh PySpark Connect session `s` and the run's context
`c`; its Rust twin in plans.rs has the same name. A plan returns a DataFrame (its Arrow result is
compared), a `str` (compared as text) or `Plan(str)` (a query plan, compared with expression ids
normalised); an exception counts as the plan's outcome (its error class is compared).

Run by main.rs as `python pyspark_plans.py --remote sc://.. --out DIR --lake DIR [names...]`; it
writes DIR/<name>.arrow, DIR/<name>.txt, DIR/<name>.plan or DIR/<name>.error (JSON) per plan and
DIR/_done.json at the end.
"""

import argparse
import datetime as dt
import json
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pyarrow as pa
from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.connect import plan as connect_plan
from pyspark.sql.connect.dataframe import DataFrame as ConnectDataFrame

PLANS = {}


def plan(fn):
    PLANS[fn.__name__] = fn
    return fn


class Plan(str):
    """A query plan as text (expression ids differ between sessions)."""


UTC = dt.timezone.utc

PEOPLE = (
    "SELECT * FROM VALUES (1, 'Ana', 34, 'PT', 1200.50D), (2, 'bob', NULL, 'ES', 800.0D), "
    "(3, NULL, 27, 'PT', NULL), (4, 'Dee', 41, NULL, 2500.25D), (5, 'Éva', 27, 'FR', 1200.50D) "
    "AS t(id, name, age, country, salary)"
)
LEFT = "SELECT * FROM VALUES (1, 'a1'), (2, 'a2'), (2, 'a2b'), (3, 'a3'), (NULL, 'an') AS l(k, a)"
RIGHT = "SELECT * FROM VALUES (2, 'b2'), (3, 'b3'), (3, 'b3b'), (4, 'b4'), (NULL, 'bn') AS r(k, b)"
FLOATS = (
    "SELECT * FROM VALUES (1, CAST('NaN' AS DOUBLE)), (2, -0.0D), (3, 0.0D), "
    "(4, CAST('Infinity' AS DOUBLE)), (5, CAST('-Infinity' AS DOUBLE)), (6, NULL), (7, 1.5D), "
    "(8, CAST('NaN' AS DOUBLE)) AS t(id, x)"
)
ARRAYS = (
    "SELECT * FROM VALUES (1, array(1, 2, 3)), (2, array()), (3, NULL), (4, array(5, NULL, 4)) "
    "AS t(id, xs)"
)
WORDS = (
    "SELECT * FROM VALUES (1, 'hello world'), (2, 'ÉCOLE ñandú'), (3, '日本語テキスト'), "
    "(4, 'emoji 😀👍🏽 e\u0301'), (5, ''), (6, NULL), (7, 'a,b,,c'), (8, 'שלום עולם') AS t(id, s)"
)
EVENTS = (
    "SELECT id, timestamp'2024-01-01 00:00:00' + make_interval(0, 0, 0, 0, 0, id * 17, 0) AS ts, "
    "id % 3 AS g FROM range(12)"
)


def people(s):
    return s.sql(PEOPLE)


# ---- aggregation ---------------------------------------------------------------------------


@plan
def agg_group_by(s, c):
    return (
        people(s)
        .groupBy("country")
        .agg(
            F.count(F.lit(1)).alias("n"),
            F.sum("salary").alias("total"),
            F.avg("age").alias("avg_age"),
            F.min("name").alias("first_name"),
            F.max("salary").alias("top"),
        )
        .orderBy(F.col("country").asc_nulls_first())
    )


@plan
def agg_statistics(s, c):
    df = s.range(0, 1000).withColumn("g", F.col("id") % 3).withColumn("x", F.col("id") * 1.5)
    return (
        df.groupBy("g")
        .agg(
            F.stddev("x").alias("sd"),
            F.variance("x").alias("var"),
            F.stddev_pop("x").alias("sd_pop"),
            F.skewness("x").alias("skew"),
            F.kurtosis("x").alias("kurt"),
            F.corr("x", "id").alias("corr"),
            F.covar_samp("x", "id").alias("cov"),
            F.count_distinct(F.col("id") % 10).alias("distinct"),
            F.approx_count_distinct("id").alias("approx"),
            F.sum_distinct(F.col("id") % 5).alias("sum_distinct"),
            F.sort_array(F.collect_set(F.col("id") % 4)).alias("set"),
            F.max_by("id", "x").alias("max_by"),
        )
        .orderBy("g")
    )


@plan
def agg_percentiles(s, c):
    df = s.range(0, 101).withColumn("x", F.col("id") * 2)
    return df.agg(
        F.percentile_approx("x", 0.5).alias("p50"),
        F.percentile_approx("x", [0.1, 0.9], 100).alias("p10_90"),
        F.percentile("x", 0.25).alias("exact25"),
        F.percentile("x", [0.5, 0.75]).alias("exact"),
        F.median("id").alias("median"),
        F.mode(F.col("id") % 3).alias("mode"),
    )


@plan
def agg_rollup(s, c):
    return (
        people(s)
        .rollup("country")
        .agg(F.count(F.lit(1)).alias("n"), F.grouping_id().alias("gid"))
        .orderBy("gid", F.col("country").asc_nulls_first())
    )


@plan
def agg_cube(s, c):
    return (
        people(s)
        .cube("country", (F.col("age") > 30).alias("older"))
        .agg(F.sum("salary").alias("total"), F.grouping_id().alias("gid"))
        .orderBy("gid", F.col("country").asc_nulls_first(), F.col("older").asc_nulls_first())
    )


@plan
def agg_group_shortcuts(s, c):
    df = people(s).groupBy("country")
    return (
        df.count()
        .join(people(s).groupBy("country").avg("salary", "age"), "country", "left")
        .orderBy(F.col("country").asc_nulls_first())
    )


# ---- decimals ------------------------------------------------------------------------------

DECIMALS = (
    "SELECT CAST(x AS DECIMAL(10,2)) AS d FROM VALUES ('1.10'), ('2.25'), ('-3.33'), "
    "('99999999.99'), (NULL) AS t(x)"
)


@plan
def decimal_arithmetic(s, c):
    return s.sql(DECIMALS).select(
        "d",
        (F.col("d") * 2).alias("twice"),
        (F.col("d") / 3).alias("third"),
        (F.col("d") + F.col("d")).alias("sum"),
        F.round("d", 1).alias("r1"),
        F.bround("d", 1).alias("b1"),
        F.col("d").cast("decimal(38,10)").alias("wide"),
        F.col("d").cast("double").alias("dbl"),
    )


@plan
def decimal_aggregates(s, c):
    return s.sql(DECIMALS).agg(
        F.sum("d").alias("s"), F.avg("d").alias("a"), F.max("d").alias("m"), F.count("d").alias("n")
    )


@plan
def decimal_literal(s, c):
    return s.range(1).select(
        F.lit(Decimal("12.345")).alias("d"), (F.lit(Decimal("12.345")) * 2).alias("x")
    )


@plan
def decimal_literal_exact_type(s, c):
    return s.range(1).select(
        F.lit(Decimal("12.345")).alias("d"),
        F.lit(Decimal("-0.5")).alias("neg"),
        F.lit(Decimal("1234567.1")).alias("big"),
    )


# ---- timestamps and dates ------------------------------------------------------------------

DST = (
    "SELECT * FROM VALUES ('2024-03-10 01:30:00'), ('2024-03-10 02:30:00'), "
    "('2024-03-10 03:30:00'), ('2024-11-03 00:30:00'), ('2024-11-03 01:30:00'), "
    "('2024-11-03 02:30:00'), ('1969-12-31 23:59:59.5') AS t(s)"
)


@plan
def timestamps_across_dst(s, c):
    s.conf.set("spark.sql.session.timeZone", "America/New_York")
    df = s.sql(DST).select("s", F.to_timestamp("s").alias("ts"))
    return df.select(
        "s",
        "ts",
        F.unix_timestamp("ts").alias("unix"),
        F.hour("ts").alias("h"),
        F.date_trunc("hour", "ts").alias("trunc"),
        F.from_utc_timestamp("ts", "Europe/Lisbon").alias("lisbon"),
        F.to_utc_timestamp("ts", "Asia/Kolkata").alias("from_kolkata"),
        F.expr("ts + INTERVAL 1 DAY").alias("next_day"),
        F.date_format("ts", "yyyy-MM-dd HH:mm:ss XXX").alias("fmt"),
        F.col("ts").cast("string").alias("str"),
        F.col("ts").cast("timestamp_ntz").alias("ntz"),
        F.to_date("ts").alias("d"),
    )


@plan
def timestamp_literals_in_zone(s, c):
    s.conf.set("spark.sql.session.timeZone", "Asia/Kolkata")
    return s.range(1).select(
        F.lit(dt.datetime(2024, 3, 10, 7, 30, 15, 123456, tzinfo=UTC)).alias("ts"),
        F.lit(dt.datetime(1969, 12, 31, 23, 59, 59, 250000, tzinfo=UTC)).alias("before_epoch"),
        F.expr("TIMESTAMP_NTZ '2024-03-10 02:30:00.5'").alias("ntz"),
        F.lit(dt.date(1969, 12, 31)).alias("d"),
        F.lit(dt.date(2024, 2, 29)).alias("leap"),
        F.lit(dt.timedelta(days=1, hours=2, microseconds=5)).alias("interval"),
        F.lit(dt.timedelta(microseconds=-1500)).alias("neg_interval"),
    )


@plan
def date_functions(s, c):
    df = s.sql(
        "SELECT * FROM VALUES (DATE'2024-01-31'), (DATE'2024-02-29'), (DATE'2023-12-31'), "
        "(NULL) AS t(d)"
    )
    return df.select(
        "d",
        F.add_months("d", 1).alias("plus_month"),
        F.months_between(F.lit(dt.date(2024, 6, 30)), "d").alias("months"),
        F.months_between(F.lit(dt.date(2024, 6, 15)), "d", False).alias("months_raw"),
        F.datediff(F.lit(dt.date(2024, 6, 30)), "d").alias("days"),
        F.date_add("d", 30).alias("plus30"),
        F.date_sub("d", 1).alias("minus1"),
        F.last_day("d").alias("last"),
        F.next_day("d", "Mon").alias("monday"),
        F.trunc("d", "quarter").alias("quarter_start"),
        F.date_format("d", "EEE dd MMM yyyy").alias("fmt"),
        F.dayofweek("d").alias("dow"),
        F.weekofyear("d").alias("week"),
        F.quarter("d").alias("q"),
        F.make_date(F.year("d"), F.month("d"), F.lit(1)).alias("first"),
    )


@plan
def datetime_parsing(s, c):
    s.conf.set("spark.sql.session.timeZone", "UTC")
    df = s.sql("SELECT * FROM VALUES ('01/03/2024 17:42'), ('31/12/1999 00:00'), ('bad') AS t(s)")
    return df.select(
        F.to_date("s", "dd/MM/yyyy HH:mm").alias("d"),
        F.to_timestamp("s", "dd/MM/yyyy HH:mm").alias("ts"),
        F.unix_timestamp("s", "dd/MM/yyyy HH:mm").alias("unix"),
        F.from_unixtime(F.lit(86400 * 365)).alias("from_unix"),
        F.from_unixtime(F.lit(0), "yyyy/MM/dd").alias("from_unix_fmt"),
        F.timestamp_seconds(F.lit(1700000000)).alias("ts_s"),
        F.timestamp_millis(F.lit(1700000000123)).alias("ts_ms"),
    )


# ---- JSON ----------------------------------------------------------------------------------

JSON_DOCS = (
    "SELECT * FROM VALUES (1, '{\"id\": 5, \"tags\": [\"a\",\"b\"], \"inner\": {\"x\": 1.5}, "
    "\"when\": \"2024-03-01T10:00:00Z\"}'), (2, '{\"id\": \"nope\"}'), (3, 'not json'), "
    "(4, NULL), (5, '{\"id\": 9, \"tags\": [], \"inner\": null, \"name\": \"Zoë\"}') AS t(k, v)"
)
JSON_SCHEMA = T.StructType(
    [
        T.StructField("id", T.LongType()),
        T.StructField("tags", T.ArrayType(T.StringType())),
        T.StructField("inner", T.StructType([T.StructField("x", T.DoubleType())])),
        T.StructField("when", T.TimestampType()),
        T.StructField("name", T.StringType()),
    ]
)


@plan
def from_json_typed_schema(s, c):
    s.conf.set("spark.sql.session.timeZone", "UTC")
    return (
        s.sql(JSON_DOCS)
        .select("k", F.from_json("v", JSON_SCHEMA).alias("p"))
        .select("k", "p", "p.id", "p.inner.x", F.col("p.tags").getItem(1).alias("t1"))
        .orderBy("k")
    )


@plan
def from_json_ddl_and_options(s, c):
    return (
        s.sql(JSON_DOCS)
        .select(
            "k",
            F.from_json("v", "id BIGINT, name STRING").alias("ddl"),
            F.from_json("v", "id INT", {"mode": "PERMISSIVE", "allowSingleQuotes": "true"}).alias(
                "opts"
            ),
            F.get_json_object("v", "$.tags[0]").alias("tag0"),
            F.schema_of_json(F.lit('{"a": 1, "b": [1.5], "c": {"d": "x"}}')).alias("schema"),
        )
        .orderBy("k")
    )


@plan
def to_json_nested(s, c):
    s.conf.set("spark.sql.session.timeZone", "UTC")
    df = people(s).select(
        "id",
        F.to_json(F.struct("id", "name", "age")).alias("row"),
        F.to_json(F.create_map(F.lit("k"), F.col("salary"))).alias("map"),
        F.to_json(F.array(F.struct(F.col("country").alias("c")))).alias("arr"),
        F.to_json(
            F.struct(F.lit(dt.datetime(2024, 3, 1, 10, 0, tzinfo=UTC)).alias("t")),
            {"timestampFormat": "yyyy/MM/dd HH:mm"},
        ).alias("fmt"),
    )
    return df.orderBy("id")


@plan
def json_tuple_aliases(s, c):
    return (
        s.sql(JSON_DOCS)
        .select("k", F.json_tuple("v", "id", "name").alias("jid", "jname"))
        .orderBy("k")
    )


# ---- windows -------------------------------------------------------------------------------


@plan
def window_ranking(s, c):
    w = Window.partitionBy("country").orderBy(F.col("salary").desc_nulls_last(), "id")
    return (
        people(s)
        .select(
            "id",
            "country",
            F.row_number().over(w).alias("rn"),
            F.rank().over(w).alias("rank"),
            F.dense_rank().over(w).alias("dense"),
            F.percent_rank().over(w).alias("pct"),
            F.cume_dist().over(w).alias("cume"),
            F.ntile(2).over(w).alias("tile"),
            F.lag("salary", 1).over(w).alias("prev"),
            F.lead("salary", 1, 0.0).over(w).alias("next"),
            F.sum("salary")
            .over(w.rowsBetween(Window.unboundedPreceding, Window.currentRow))
            .alias("running"),
            F.first("name").over(w).alias("first_name"),
        )
        .orderBy("id")
    )


@plan
def window_range_frames(s, c):
    w = Window.orderBy("x").rangeBetween(-2, 1)
    w2 = Window.partitionBy("g").orderBy("x").rowsBetween(-1, Window.unboundedFollowing)
    df = s.range(0, 10).select("id", (F.col("id") * 3 % 7).alias("x"), (F.col("id") % 2).alias("g"))
    return df.select(
        "id", F.count(F.lit(1)).over(w).alias("n"), F.max("x").over(w2).alias("mx")
    ).orderBy("id")


@plan
def time_windows(s, c):
    s.conf.set("spark.sql.session.timeZone", "UTC")
    df = s.sql(EVENTS)
    tumbling = df.groupBy(F.window("ts", "1 hour").alias("w")).agg(F.count(F.lit(1)).alias("n"))
    sliding = df.groupBy(F.window("ts", "1 hour", "30 minutes").alias("w")).agg(
        F.count(F.lit(1)).alias("n")
    )
    shifted = df.groupBy(F.window("ts", "1 hour", startTime="15 minutes").alias("w")).agg(
        F.count(F.lit(1)).alias("n")
    )
    return (
        tumbling.withColumn("kind", F.lit("tumbling"))
        .unionByName(sliding.withColumn("kind", F.lit("sliding")))
        .unionByName(shifted.withColumn("kind", F.lit("shifted")))
        .select("kind", "w.start", "w.end", "n")
        .orderBy("kind", "start")
    )


@plan
def session_windows(s, c):
    s.conf.set("spark.sql.session.timeZone", "UTC")
    df = s.sql(EVENTS)
    return (
        df.groupBy("g", F.session_window("ts", "40 minutes").alias("sw"))
        .agg(F.count(F.lit(1)).alias("n"))
        .select("g", "sw.start", "sw.end", "n")
        .orderBy("g", "start")
    )


# ---- joins with duplicate column names -----------------------------------------------------


def join_of(s, how):
    l, r = s.sql(LEFT), s.sql(RIGHT)
    return l.join(r, l["k"] == r["k"], how).orderBy(
        l["k"].asc_nulls_first(), "a", r["k"].asc_nulls_first(), "b"
    )


@plan
def join_inner(s, c):
    return join_of(s, "inner")


@plan
def join_left(s, c):
    return join_of(s, "left")


@plan
def join_right(s, c):
    return join_of(s, "right")


@plan
def join_full_outer(s, c):
    return join_of(s, "full")


@plan
def join_left_semi(s, c):
    l, r = s.sql(LEFT), s.sql(RIGHT)
    return l.join(r, l["k"] == r["k"], "left_semi").orderBy("k", "a")


@plan
def join_left_anti(s, c):
    l, r = s.sql(LEFT), s.sql(RIGHT)
    return l.join(r, l["k"] == r["k"], "left_anti").orderBy(F.col("k").asc_nulls_first(), "a")


@plan
def join_cross(s, c):
    l, r = s.sql(LEFT), s.sql(RIGHT)
    return l.crossJoin(r).orderBy(l["k"].asc_nulls_first(), "a", r["k"].asc_nulls_first(), "b")


@plan
def join_using_column(s, c):
    l, r = s.sql(LEFT), s.sql(RIGHT)
    return l.join(r, "k", "full").orderBy(F.col("k").asc_nulls_first(), "a", "b")


@plan
def join_broadcast_hint(s, c):
    l, r = s.sql(LEFT), s.sql(RIGHT)
    return l.join(F.broadcast(r), ["k"], "inner").orderBy("k", "a", "b")


@plan
def self_join_aliases(s, c):
    df = s.range(0, 6).withColumn("p", F.col("id") % 2)
    a, b = df.alias("a"), df.alias("b")
    return (
        a.join(b, F.col("a.p") == F.col("b.p"))
        .select(F.col("a.id").alias("x"), F.col("b.id").alias("y"))
        .orderBy("x", "y")
    )


@plan
def self_join_derived_frames(s, c):
    df = s.sql("SELECT id, id % 3 AS m FROM range(9)")
    evens = df.filter(F.col("id") % 2 == 0)
    return df.join(evens, df["id"] == evens["m"], "inner").select(
        df["id"], evens["id"].alias("even_id")
    ).orderBy("id", "even_id")


# ---- null handling -------------------------------------------------------------------------


@plan
def fill_na_integer_widened(s, c):
    return people(s).fillna(0).orderBy("id")


@plan
def fill_na_float_subset(s, c):
    return people(s).fillna(1.5, subset=["salary", "age"]).orderBy("id")


@plan
def fill_na_per_column(s, c):
    return people(s).fillna({"name": "?", "age": 0, "country": "XX"}).orderBy("id")


@plan
def drop_na_variants(s, c):
    df = people(s)
    return (
        df.dropna()
        .withColumn("how", F.lit("any"))
        .unionByName(df.dropna(how="all", subset=["name", "age"]).withColumn("how", F.lit("all")))
        .unionByName(df.dropna(thresh=5).withColumn("how", F.lit("thresh")))
        .orderBy("how", "id")
    )


@plan
def replace_values(s, c):
    df = people(s)
    return (
        df.replace(27, 28, subset=["age"])
        .replace({"PT": None, "ES": "España"}, subset=["country"])
        .replace(1200.5, 1300.0)
        .orderBy("id")
    )


@plan
def null_functions(s, c):
    return (
        people(s)
        .select(
            "id",
            F.coalesce("name", "country", F.lit("none")).alias("c"),
            F.nvl("age", F.lit(-1)).alias("nvl"),
            F.nullif("age", F.lit(27)).alias("nullif"),
            F.col("country").eqNullSafe(F.lit(None)).alias("null_safe"),
            (F.col("country") == F.lit(None)).alias("eq_null"),
            F.col("name").isNull().alias("missing"),
            F.when(F.col("age").isNull(), "unknown")
            .when(F.col("age") > 30, "older")
            .otherwise("younger")
            .alias("bucket"),
        )
        .orderBy("id")
    )


@plan
def null_ordering(s, c):
    df = people(s).select("id", "age", "salary")
    return df.orderBy(F.col("age").asc_nulls_last(), F.col("salary").desc_nulls_first(), "id")


# ---- explode, maps, structs ----------------------------------------------------------------


@plan
def explode_arrays(s, c):
    df = s.sql(ARRAYS)
    a = df.select("id", F.explode("xs").alias("x")).withColumn("f", F.lit("explode"))
    b = df.select("id", F.explode_outer("xs").alias("x")).withColumn("f", F.lit("outer"))
    p = df.select("id", F.posexplode("xs").alias("pos", "x")).select(
        "id", (F.col("x") * 100 + F.col("pos")).alias("x")
    )
    return (
        a.unionByName(b)
        .unionByName(p.withColumn("f", F.lit("pos")))
        .orderBy("f", "id", F.col("x").asc_nulls_first())
    )


@plan
def maps_and_entries(s, c):
    df = people(s).select(
        "id", F.create_map(F.lit("name"), F.col("name"), F.lit("country"), F.col("country")).alias("m")
    )
    return (
        df.select(
            "id",
            "m",
            F.map_keys("m").alias("keys"),
            F.map_values("m").alias("values"),
            F.element_at("m", "country").alias("country"),
            F.map_entries("m").alias("entries"),
            F.size("m").alias("n"),
            F.map_from_arrays(F.array(F.lit("a"), F.lit("b")), F.array("id", "id")).alias("ab"),
        )
        .orderBy("id")
    )


@plan
def explode_map(s, c):
    df = people(s).select("id", F.create_map(F.lit("n"), F.col("name"), F.lit("c"), F.col("country")).alias("m"))
    return df.select("id", F.explode("m").alias("k", "v")).orderBy("id", "k")


@plan
def structs_and_fields(s, c):
    df = people(s).select(
        "id",
        F.struct("name", F.col("age").alias("years")).alias("s"),
        F.named_struct(F.lit("c"), F.col("country"), F.lit("pay"), F.col("salary")).alias("ns"),
    )
    return (
        df.select(
            "id",
            "s",
            "ns",
            "s.*",
            F.col("ns").getField("pay").alias("pay"),
            F.col("s").withField("years", F.col("s.years") + 1).alias("older"),
            F.col("ns").dropFields("pay").alias("dropped"),
        )
        .orderBy("id")
    )


@plan
def inline_and_arrays_zip(s, c):
    df = s.range(0, 3).select(
        "id",
        F.array(
            F.struct(F.col("id").alias("a"), F.lit("x").alias("b")),
            F.struct((F.col("id") * 10).alias("a"), F.lit("y").alias("b")),
        ).alias("arr"),
    )
    zipped = s.range(0, 2).select(
        "id", F.arrays_zip(F.array(F.lit(1), F.lit(2)), F.array(F.lit("a"))).alias("z")
    )
    return (
        df.select("id", F.inline("arr"))
        .crossJoin(zipped.select(F.col("z").alias("z"), F.col("id").alias("zid")))
        .orderBy("id", "a", "zid")
    )


# ---- pivot, unions, reshaping --------------------------------------------------------------


@plan
def pivot_with_values(s, c):
    return (
        people(s)
        .groupBy("country")
        .pivot("age", [27, 34, 99])
        .agg(F.sum("salary"))
        .orderBy(F.col("country").asc_nulls_first())
    )


@plan
def pivot_all_values(s, c):
    return (
        people(s)
        .groupBy("age")
        .pivot("country")
        .agg(F.count(F.lit(1)).alias("n"), F.max("id").alias("top"))
        .orderBy(F.col("age").asc_nulls_first())
    )


@plan
def union_by_name(s, c):
    a = s.range(0, 3).select("id", F.lit("a").alias("x"))
    b = s.range(5, 7).select(F.lit("b").alias("x"), "id")
    return a.unionByName(b).orderBy("id")


@plan
def union_by_name_missing_columns(s, c):
    a = s.range(0, 2).select("id", F.lit("a").alias("x"))
    b = s.range(9, 10).select("id", F.lit(1.5).alias("y"))
    return a.unionByName(b, allowMissingColumns=True).orderBy("id")


@plan
def set_operations(s, c):
    a = s.sql("SELECT * FROM VALUES (1), (1), (2), (3), (NULL) AS t(v)")
    b = s.sql("SELECT * FROM VALUES (1), (3), (3), (4), (NULL) AS t(v)")
    ops = [
        ("union", a.union(b)),
        ("intersect", a.intersect(b)),
        ("intersect_all", a.intersectAll(b)),
        ("subtract", a.subtract(b)),
        ("except_all", a.exceptAll(b)),
        ("distinct", a.distinct()),
    ]
    out = None
    for name, df in ops:
        df = df.withColumn("op", F.lit(name))
        out = df if out is None else out.unionByName(df)
    return out.orderBy("op", F.col("v").asc_nulls_first())


@plan
def unpivot_melt(s, c):
    df = people(s).select("id", F.col("age").cast("double").alias("age"), "salary")
    a = df.unpivot("id", ["age", "salary"], "var", "val")
    b = df.melt(["id"], None, "var", "val").withColumn("var", F.concat(F.lit("all_"), "var"))
    return a.unionByName(b).orderBy("var", "id")


@plan
def reshape_columns(s, c):
    df = people(s)
    return (
        df.withColumnsRenamed({"name": "who", "age": "years"})
        .withColumn("double_id", F.col("id") * 2)
        .drop("salary", "not_there")
        .selectExpr("id", "upper(who) AS who", "years + 1 AS next_year", "double_id")
        .filter("next_year IS NOT NULL")
        .toDF("a", "b", "c", "d")
        .transform(lambda d: d.orderBy(F.col("a").desc()))
    )


# ---- describe, summary, stat functions -----------------------------------------------------


@plan
def describe_columns(s, c):
    return people(s).describe().orderBy("summary")


@plan
def describe_subset(s, c):
    return people(s).describe(["age", "name"]).orderBy("summary")


@plan
def summary_default(s, c):
    return people(s).select("age", "salary", "name").summary().orderBy("summary")


@plan
def summary_chosen_statistics(s, c):
    return people(s).summary("count", "min", "25%", "75%", "max", "count_distinct").orderBy(
        "summary"
    )


@plan
def stat_crosstab(s, c):
    # Spark orders the value columns itself; name them so the comparison does not depend on it.
    return (
        people(s)
        .crosstab("country", "age")
        .select("country_age", "27", "34", "41", "null")
        .orderBy(F.col("country_age").asc_nulls_first())
    )


@plan
def stat_freq_items(s, c):
    df = s.range(0, 100).select((F.col("id") % 3).alias("a"), F.lit("x").alias("b"))
    return df.freqItems(["a", "b"], 0.3).select(
        F.sort_array("a_freqItems").alias("a"), "b_freqItems"
    )


@plan
def stat_approx_quantile(s, c):
    df = s.range(0, 1000).select((F.col("id") * 0.5).alias("x"), (F.col("id") % 10).alias("y"))
    quantiles = df.approxQuantile(["x", "y"], [0.1, 0.5, 0.9], 0.0)
    return str([[float(q) for q in col] for col in quantiles])


@plan
def stat_corr_cov(s, c):
    df = s.range(0, 50).select((F.col("id") * 2).alias("a"), (F.col("id") % 7).alias("b"))
    return f"{float(df.corr('a', 'b'))!r} {float(df.cov('a', 'b'))!r}"


@plan
def stat_sample_by(s, c):
    df = s.range(0, 300).select("id", (F.col("id") % 3).alias("g"))
    return df.sampleBy("g", {0: 0.5, 1: 0.2}, seed=7).orderBy("id")


# ---- strings, unicode, binary --------------------------------------------------------------


@plan
def unicode_strings(s, c):
    return (
        s.sql(WORDS)
        .select(
            "id",
            "s",
            F.upper("s").alias("up"),
            F.lower("s").alias("low"),
            F.length("s").alias("len"),
            F.octet_length("s").alias("bytes"),
            F.reverse("s").alias("rev"),
            F.substring("s", 2, 3).alias("sub"),
            F.initcap("s").alias("cap"),
            F.lpad("s", 14, "·").alias("pad"),
            F.instr("s", "o").alias("o_at"),
            F.regexp_replace("s", "[aeiouÉé]", "_").alias("vowels"),
            F.hex(F.encode("s", "UTF-16BE")).alias("utf16"),
        )
        .orderBy("id")
    )


@plan
def string_functions(s, c):
    return (
        s.sql(WORDS)
        .select(
            "id",
            F.translate("s", "lo", "01").alias("tr"),
            F.repeat("s", 2).alias("twice"),
            F.rpad("s", 5, "-").alias("rpad"),
            F.split("s", ",").alias("parts"),
            F.split("s", ",", 2).alias("parts2"),
            F.regexp_extract("s", "(\\w+) (\\w+)", 2).alias("second"),
            F.format_string("%s|%d", "s", "id").alias("fmt"),
            F.concat_ws("/", "s", F.lit(None), F.lit("z")).alias("ws"),
            F.concat("s", F.lit("!")).alias("bang"),
            F.substring_index("s", " ", 1).alias("word1"),
            F.locate("l", "s", 4).alias("loc"),
            F.levenshtein("s", F.lit("hello")).alias("lev"),
            F.soundex("s").alias("sdx"),
            F.left("s", F.lit(3)).alias("left3"),
            F.ascii("s").alias("asc"),
            F.format_number(F.col("id") * 1234.5678, 2).alias("num"),
            F.trim(F.lit("  x  ")).alias("trim"),
        )
        .orderBy("id")
    )


@plan
def large_strings(s, c):
    df = s.range(0, 4).select(
        "id", F.repeat(F.concat(F.lit("ab€"), F.col("id").cast("string")), 100_000).alias("big")
    )
    return df.select(
        "id",
        "big",
        F.length("big").alias("len"),
        F.sha2("big", 256).alias("sha"),
        F.md5("big").alias("md5"),
        F.substring("big", 299_990, 20).alias("tail"),
    ).orderBy("id")


@plan
def binary_functions(s, c):
    df = s.sql("SELECT X'00FF10' AS b, CAST('héllo' AS BINARY) AS u, 'aGVsbG8=' AS b64")
    return df.select(
        "b",
        "u",
        F.hex("b").alias("hex"),
        F.base64("u").alias("base64"),
        F.unbase64("b64").alias("unbase64"),
        F.unhex(F.lit("zz")).alias("bad_hex"),
        F.unhex(F.lit("CAFE")).alias("cafe"),
        F.decode("u", "UTF-8").alias("decoded"),
        F.encode(F.lit("ü"), "ISO-8859-1").alias("latin1"),
        F.octet_length("u").alias("bytes"),
        F.length("b").alias("len"),
        F.sha1("b").alias("sha1"),
        F.crc32("b").alias("crc"),
        F.lit(b"\x00\x01\xfe").alias("lit"),
    )


# ---- create_dataframe, limit/offset/tail, sampling, dedup -----------------------------------

CREATE_SCHEMA = T.StructType(
    [
        T.StructField("id", T.LongType()),
        T.StructField("n", T.IntegerType()),
        T.StructField("x", T.DoubleType()),
        T.StructField("s", T.StringType()),
        T.StructField("ok", T.BooleanType()),
        T.StructField("d", T.DateType()),
        T.StructField("ts", T.TimestampType()),
        T.StructField("bin", T.BinaryType()),
        T.StructField("dec", T.DecimalType(10, 2)),
        T.StructField("xs", T.ArrayType(T.LongType())),
    ]
)
CREATE_ROWS = [
    (1, 10, float("nan"), "Zoë", True, dt.date(2024, 2, 29),
     dt.datetime(2024, 3, 10, 7, 30, tzinfo=UTC), b"\x00\x01", Decimal("12.50"), [1, None, 3]),
    (2, None, -0.0, None, False, dt.date(1969, 12, 31),
     dt.datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC), None, Decimal("-0.01"), []),
    (3, -7, float("inf"), "日本", None, None, None, b"", None, None),
]


@plan
def create_dataframe_types(s, c):
    s.conf.set("spark.sql.session.timeZone", "UTC")
    return s.createDataFrame(CREATE_ROWS, CREATE_SCHEMA).orderBy("id")


@plan
def limit_and_offset(s, c):
    df = s.range(0, 100).orderBy(F.col("id").desc())
    return (
        df.offset(10)
        .limit(5)
        .withColumn("part", F.lit("page"))
        .unionByName(df.limit(0).withColumn("part", F.lit("none")))
        .unionByName(df.limit(2).withColumn("part", F.lit("top")))
        .orderBy("part", "id")
    )


@plan
def tail_rows(s, c):
    df = people(s).orderBy("id")
    # PySpark's tail(n) collects exactly this relation before it builds Rows.
    return ConnectDataFrame.withPlan(connect_plan.Tail(child=df._plan, limit=2), session=s)


@plan
def sample_seeded(s, c):
    df = s.range(0, 1000, 1, 4)
    return (
        df.sample(fraction=0.1, seed=42)
        .withColumn("with_replacement", F.lit(False))
        .unionByName(
            df.sample(withReplacement=True, fraction=0.05, seed=7).withColumn(
                "with_replacement", F.lit(True)
            )
        )
        .orderBy("with_replacement", "id")
    )


@plan
def dedup_distinct(s, c):
    df = people(s)
    return (
        df.select("country")
        .distinct()
        .withColumn("how", F.lit("distinct"))
        .unionByName(df.dropDuplicates(["country"]).select("country").withColumn("how", F.lit("drop")))
        .unionByName(df.select("age").dropDuplicates().select(F.col("age").cast("string").alias("country")).withColumn("how", F.lit("age")))
        .orderBy("how", F.col("country").asc_nulls_first())
    )


# ---- SQL parameters ------------------------------------------------------------------------


@plan
def sql_named_parameters(s, c):
    s.conf.set("spark.sql.session.timeZone", "UTC")
    return s.sql(
        "SELECT :i AS i, :l AS l, :d AS d, :s AS s, :b AS b, :day AS day, :ts AS ts, "
        ":bin AS bin, :nan AS nan, :neg_zero AS neg_zero",
        args={
            "i": 7,
            "l": 2**40,
            "d": 1.5,
            "s": "Zoë's \"quote\"",
            "b": True,
            "day": dt.date(2024, 2, 29),
            "ts": dt.datetime(2024, 3, 10, 7, 30, 0, 5, tzinfo=UTC),
            "bin": b"\x00\xff",
            "nan": float("nan"),
            "neg_zero": -0.0,
        },
    )


@plan
def sql_positional_parameters(s, c):
    return s.sql("SELECT ? + 1 AS x, upper(?) AS y, ? AS z", args=[41, "é", False])


@plan
def sql_array_parameter(s, c):
    return s.sql(
        "SELECT :xs AS xs, size(:xs) AS n, array_contains(:xs, 2) AS has2, :words AS words",
        args={"xs": [1, 2, 3], "words": ["a", "b"]},
    )


@plan
def sql_parameter_in_filter(s, c):
    return s.sql(
        "SELECT * FROM range(20) WHERE id BETWEEN :lo AND :hi AND id % :m = 0", args={"lo": 3, "hi": 15, "m": 2}
    )


# ---- casts and numeric edge cases ----------------------------------------------------------

CAST_INPUTS = (
    "SELECT * FROM VALUES (1, ' 12 '), (2, '1e3'), (3, 'abc'), (4, '2147483648'), (5, '-0'), "
    "(6, 'NaN'), (7, 'Infinity'), (8, ''), (9, NULL), (10, 'true'), (11, '1.999'), "
    "(12, '2024-02-30'), (13, '2024-03-10 02:30:00') AS t(k, s)"
)


@plan
def cast_strings(s, c):
    s.conf.set("spark.sql.session.timeZone", "UTC")
    return (
        s.sql(CAST_INPUTS)
        .select(
            "k",
            F.col("s").cast("int").alias("int"),
            F.col("s").cast("bigint").alias("bigint"),
            F.col("s").cast("double").alias("double"),
            F.col("s").cast("float").alias("float"),
            F.col("s").cast("decimal(5,2)").alias("dec"),
            F.col("s").cast("boolean").alias("bool"),
            F.col("s").cast("date").alias("date"),
            F.col("s").cast("timestamp").alias("ts"),
            F.col("s").cast(T.ShortType()).alias("short"),
        )
        .orderBy("k")
    )


@plan
def cast_numbers(s, c):
    df = s.sql(
        "SELECT * FROM VALUES (1, 9223372036854775807L, 1.9D), (2, -2147483649L, -1.9D), "
        "(3, 0L, -0.0D), (4, 128L, CAST('NaN' AS DOUBLE)), (5, NULL, 1e300D) AS t(k, l, d)"
    )
    return df.select(
        "k",
        F.col("l").cast("int").alias("l_int"),
        F.col("l").cast("tinyint").alias("l_byte"),
        (F.col("l") + 1).alias("l_plus"),
        F.col("d").cast("int").alias("d_int"),
        F.col("d").cast("bigint").alias("d_long"),
        F.col("d").cast("string").alias("d_str"),
        F.col("d").cast("float").alias("d_float"),
        F.col("d").cast("decimal(10,3)").alias("d_dec"),
        (F.col("k") / 0).alias("div0"),
        (F.col("k") % 3).alias("mod"),
        (-F.col("d")).alias("neg"),
    ).orderBy("k")


@plan
def float_special_values(s, c):
    df = s.sql(FLOATS)
    rows = df.select(
        "id",
        "x",
        (F.col("x") == F.lit(float("nan"))).alias("eq_nan"),
        (F.col("x") == 0.0).alias("eq_zero"),
        F.col("x").eqNullSafe(F.lit(None)).alias("null_safe"),
        F.isnan("x").alias("is_nan"),
        F.nanvl("x", F.lit(-1.0)).alias("nanvl"),
        F.col("x").cast("string").alias("str"),
        (F.col("x") * -1).alias("neg"),
        F.signum("x").alias("sign"),
    ).orderBy(F.col("x").asc_nulls_first(), "id")
    return rows


@plan
def float_grouping(s, c):
    return (
        s.sql(FLOATS)
        .groupBy("x")
        .agg(F.count(F.lit(1)).alias("n"), F.min("id").alias("first"))
        .orderBy(F.col("x").asc_nulls_first())
    )


@plan
def column_operators(s, c):
    return (
        people(s)
        .select(
            "id",
            F.col("age").between(27, 35).alias("between"),
            F.col("name").like("%a%").alias("like"),
            F.col("name").ilike("%A%").alias("ilike"),
            F.col("name").rlike("^[A-Z]").alias("rlike"),
            F.col("name").startswith("D").alias("starts"),
            F.col("name").contains("o").alias("contains"),
            F.col("name").substr(1, 2).alias("substr"),
            F.col("country").isin("PT", "FR").alias("isin"),
            F.col("id").bitwiseAND(6).alias("band"),
            F.col("id").bitwiseOR(8).alias("bor"),
            F.col("id").bitwiseXOR(3).alias("bxor"),
            (~(F.col("id") > 2)).alias("not_gt"),
            ((F.col("id") > 1) & (F.col("age") < 40)).alias("and"),
            ((F.col("id") > 4) | F.col("age").isNull()).alias("or"),
            (F.col("id") % 2).alias("mod"),
            (F.col("salary") / F.col("id")).alias("div"),
            (-F.col("id")).alias("neg"),
        )
        .orderBy("id")
    )


@plan
def math_functions(s, c):
    df = s.sql("SELECT * FROM VALUES (1, -2.5D), (2, 2.5D), (3, 0.0D), (4, 100.0D) AS t(k, x)")
    return df.select(
        "k",
        F.abs("x").alias("abs"),
        F.floor("x").alias("floor"),
        F.ceil("x").alias("ceil"),
        F.round("x", 0).alias("round"),
        F.bround("x", 0).alias("bround"),
        F.sqrt("x").alias("sqrt"),
        F.exp("x").alias("exp"),
        F.log("x").alias("ln"),
        F.log10("x").alias("log10"),
        F.log(2.0, "x").alias("log2"),
        F.pow("x", F.lit(2)).alias("pow"),
        F.greatest("x", F.lit(1.0)).alias("greatest"),
        F.least("x", F.lit(1.0)).alias("least"),
        F.hash("x").alias("hash"),
        F.xxhash64("x").alias("xx"),
        F.rand(5).alias("rand"),
        F.randn(5).alias("randn"),
    ).orderBy("k")


# ---- literals ------------------------------------------------------------------------------


@plan
def literal_arrays_with_nulls(s, c):
    return s.range(1).select(
        F.lit(["a", None]).alias("strs"),
        F.lit([1, None]).alias("ints"),
        F.lit([1.5, float("nan"), None, -0.0]).alias("doubles"),
        F.lit([[1, None], [2]]).alias("nested"),
        F.lit([True, None]).alias("bools"),
        F.lit([dt.date(2024, 1, 1), None]).alias("dates"),
    )


@plan
def literal_maps_and_structs(s, c):
    return s.range(1).select(
        F.create_map(F.lit("a"), F.lit(1), F.lit("b"), F.lit(None)).alias("m"),
        F.struct(F.lit(1).alias("id"), F.lit(None).cast("string").alias("tag")).alias("st"),
        F.array(F.create_map(F.lit("k"), F.lit([1, None]))).alias("nested"),
    )


@plan
def literal_scalars(s, c):
    s.conf.set("spark.sql.session.timeZone", "UTC")
    return s.range(1).select(
        F.lit(True).alias("b"),
        F.lit(7).cast("tinyint").alias("i8"),
        F.lit(7).cast("smallint").alias("i16"),
        F.lit(7).alias("i32"),
        F.lit(2**40).alias("i64"),
        F.lit(1.5).cast("float").alias("f32"),
        F.lit(2.25).alias("f64"),
        F.lit(float("nan")).alias("nan"),
        F.lit(-0.0).alias("neg_zero"),
        F.lit(float("-inf")).alias("neg_inf"),
        F.lit("Zoë 😀").alias("str"),
        F.lit(b"\x01\x02").alias("bin"),
        F.lit(dt.date(2024, 2, 29)).alias("d"),
        F.lit(dt.datetime(2024, 2, 29, 13, 45, tzinfo=UTC)).alias("ts"),
        F.lit(dt.timedelta(seconds=90)).alias("iv"),
    )


@plan
def literal_typed_null(s, c):
    return s.range(1).select(F.lit(None).alias("n"), F.lit("x").alias("x"))


@plan
def literals_in_when_and_isin(s, c):
    return (
        s.range(0, 5)
        .select(
            "id",
            F.when(F.col("id") > 2, 1).when(F.col("id") > 0, 2.5).otherwise(None).alias("w"),
            F.when(F.col("id") == 1, "one").alias("w_no_otherwise"),
            F.col("id").isin(1, 3, 5).alias("odd"),
            (F.col("id") + 1.5).alias("plus_float"),
            (F.col("id") * F.lit(2**33)).alias("times_long"),
        )
        .orderBy("id")
    )


# ---- higher-order functions and collection functions ---------------------------------------


@plan
def higher_order_functions(s, c):
    df = s.sql(ARRAYS).select("id", "xs", F.create_map(F.lit("a"), F.lit(1), F.lit("b"), F.lit(2)).alias("m"))
    return df.select(
        "id",
        F.transform("xs", lambda x: x * 2).alias("doubled"),
        F.transform("xs", lambda x, i: x + i).alias("plus_index"),
        F.filter("xs", lambda x: x > 1).alias("big"),
        F.filter("xs", lambda x, i: i > 0).alias("tail"),
        F.exists("xs", lambda x: x.isNull()).alias("has_null"),
        F.forall("xs", lambda x: x > 0).alias("all_pos"),
        F.aggregate("xs", F.lit(0).cast("bigint"), lambda acc, x: acc + F.coalesce(x, F.lit(0))).alias("total"),
        F.aggregate("xs", F.lit(0.0), lambda acc, x: acc + x, lambda acc: acc * 10).alias("finished"),
        F.zip_with("xs", F.array(F.lit(10), F.lit(20)), lambda a, b: a * b).alias("zipped"),
        F.array_sort("xs", lambda a, b: F.when(a < b, 1).when(a > b, -1).otherwise(0)).alias("desc"),
        F.map_filter("m", lambda k, v: v > 1).alias("mf"),
        F.transform_keys("m", lambda k, v: F.upper(k)).alias("tk"),
        F.transform_values("m", lambda k, v: v * F.col("id")).alias("tv"),
    ).orderBy("id")


@plan
def array_functions(s, c):
    df = s.sql(ARRAYS)
    return df.select(
        "id",
        F.size("xs").alias("size"),
        F.sort_array("xs").alias("asc"),
        F.sort_array("xs", asc=False).alias("desc"),
        F.array_sort("xs").alias("array_sort"),
        F.array_distinct(F.concat("xs", "xs")).alias("distinct"),
        F.array_contains("xs", 2).alias("has2"),
        F.array_position("xs", 3).alias("pos3"),
        F.array_remove("xs", 1).alias("no1"),
        F.element_at("xs", -1).alias("last"),
        F.slice("xs", 2, 2).alias("slice"),
        F.array_join("xs", "-").alias("joined"),
        F.array_join("xs", "-", "?").alias("joined_nulls"),
        F.array_max("xs").alias("max"),
        F.array_min("xs").alias("min"),
        F.array_union("xs", F.array(F.lit(9))).alias("union"),
        F.array_intersect("xs", F.array(F.lit(1), F.lit(5))).alias("inter"),
        F.array_except("xs", F.array(F.lit(1))).alias("except"),
        F.flatten(F.array("xs", F.array(F.lit(7)))).alias("flat"),
        F.array_repeat("id", 2).alias("rep"),
        F.sequence(F.lit(1), "id").alias("seq"),
    ).orderBy("id")


# ---- Delta Lake ----------------------------------------------------------------------------


def delta_path(c, name):
    return os.path.join(c.lake, name)


@plan
def delta_write_append_time_travel(s, c):
    # Three commits (each costs seconds on the stack): a partitioned write, an append, and an
    # overwrite of one partition (replaceWhere); then the latest table and two past versions.
    path = delta_path(c, "table")
    df = s.range(0, 6).select("id", (F.col("id") % 3).alias("p"), (F.col("id") * 1.5).alias("v"))
    df.write.format("delta").partitionBy("p").save(path)
    s.range(6, 8).select("id", F.lit(0).cast("bigint").alias("p"), F.lit(None).cast("double").alias("v")).write.format(
        "delta"
    ).mode("append").save(path)
    s.range(100, 102).select("id", F.lit(1).cast("bigint").alias("p"), F.lit(-0.0).alias("v")).write.format(
        "delta"
    ).mode("overwrite").option("replaceWhere", "p = 1").save(path)
    latest = s.read.format("delta").load(path).withColumn("version", F.lit(2))
    v0 = s.read.format("delta").option("versionAsOf", 0).load(path).withColumn("version", F.lit(0))
    v1 = s.sql(f"SELECT *, 1 AS version FROM delta.`{path}` VERSION AS OF 1")
    return latest.unionByName(v0).unionByName(v1).orderBy("version", "p", "id")


# ---- show, explain, schema strings ---------------------------------------------------------


@plan
def show_string_default(s, c):
    return people(s).orderBy("id")._show_string()


@plan
def show_string_vertical_truncated(s, c):
    return people(s).orderBy("id")._show_string(3, 4, True)


@plan
def show_string_untruncated_unicode(s, c):
    return s.sql(WORDS).orderBy("id")._show_string(20, False)


@plan
def explain_simple(s, c):
    l, r = s.sql(LEFT), s.sql(RIGHT)
    df = l.join(r, l["k"] == r["k"]).groupBy("a").agg(F.count(F.lit(1)).alias("n"))
    return Plan(df._explain_string())


@plan
def explain_extended(s, c):
    df = people(s).filter(F.col("age") > 30).select("id", F.upper("name").alias("n"))
    return Plan(df._explain_string(mode="extended"))


@plan
def explain_formatted(s, c):
    df = s.range(0, 100).groupBy((F.col("id") % 3).alias("m")).agg(F.sum("id").alias("s"))
    return Plan(df._explain_string(mode="formatted"))


EVERY_TYPE = (
    "SELECT CAST(1 AS TINYINT) AS a, CAST(1 AS SMALLINT) AS b, 1 AS c, 1L AS d, 1.5F AS e, "
    "1.5D AS f, 1.50BD AS g, 'x' AS h, X'01' AS i, true AS j, DATE'2024-01-01' AS k, "
    "TIMESTAMP'2024-01-01 00:00:00' AS l, TIMESTAMP_NTZ'2024-01-01 00:00:00' AS m, "
    "INTERVAL '1' DAY AS n, INTERVAL '1:2' HOUR TO MINUTE AS o, INTERVAL '1-2' YEAR TO MONTH AS p, "
    "INTERVAL '3' MONTH AS q, array(1, 2) AS r, map('a', 1.5D) AS s, "
    "named_struct('x', 1, 'y z', array(named_struct('w', 'v'))) AS t, CAST(NULL AS STRING) AS u, "
    "NULL AS v, CAST(1 AS DECIMAL(38, 0)) AS w"
)


@plan
def dtypes_every_type(s, c):
    return str(s.sql(EVERY_TYPE).dtypes)


@plan
def schema_json_every_type(s, c):
    return s.sql(EVERY_TYPE).schema.json()


@plan
def schema_simple_string_every_type(s, c):
    return s.sql(EVERY_TYPE).schema.simpleString()


@plan
def schema_tree_string(s, c):
    return s.sql(EVERY_TYPE)._tree_string()


@plan
def schema_nullability_after_ops(s, c):
    df = people(s).select(
        "id", F.coalesce("name", F.lit("?")).alias("n"), F.array(F.lit(1)).alias("a"), F.struct("age").alias("s")
    )
    return df.schema.json()


# ---- errors --------------------------------------------------------------------------------


@plan
def error_parse_sql(s, c):
    return s.sql("SELEC 1")


@plan
def error_parse_select_expr(s, c):
    return s.range(3).selectExpr("id +* 2")


@plan
def error_unresolved_column(s, c):
    return s.range(3).select("idd")


@plan
def error_table_not_found(s, c):
    return s.table("spark_client_differential_no_such_table")


@plan
def error_ansi_divide_by_zero(s, c):
    s.conf.set("spark.sql.ansi.enabled", "true")
    return s.range(3).select((F.lit(1) / (F.col("id") - 1)).alias("x"))


@plan
def error_ansi_invalid_cast(s, c):
    s.conf.set("spark.sql.ansi.enabled", "true")
    return s.sql(CAST_INPUTS).select(F.col("s").cast("int"))


@plan
def error_ambiguous_self_join(s, c):
    df = s.range(3)
    return df.join(df, df["id"] == df["id"]).select(df["id"])


@plan
def error_unsupported_fill_type(s, c):
    return s.range(3).withColumn("x", F.lit(None).cast("date")).fillna({"x": "2024-01-01"})


# ---- actions: first/head, cache, 1M rows ---------------------------------------------------


@plan
def first_and_head(s, c):
    df = people(s).orderBy(F.col("id").desc())
    first, head = df.first(), df.filter("id < 0").head()
    return f"{first['id']}|{first['name']}|{first['salary']!r}|{head}"


@plan
def cache_persist_unpersist(s, c):
    df = s.range(0, 1000).withColumn("sq", F.col("id") * F.col("id"))
    df.cache()
    lvl = df.storageLevel
    n = df.count()
    df.unpersist(blocking=True)
    after = df.storageLevel
    return f"{lvl.useDisk} {lvl.useMemory} {lvl.useOffHeap} {lvl.deserialized} {lvl.replication} | {n} | {after.useMemory}"


@plan
def collect_one_million_rows(s, c):
    s.conf.set("spark.sql.session.timeZone", "UTC")
    return s.range(0, 1_000_000, 1, 4).select(
        "id",
        (F.col("id") * 1.5).alias("d"),
        F.col("id").cast("string").alias("s"),
        (F.col("id") % 7 == 0).alias("b"),
        F.timestamp_seconds("id").alias("ts"),
        F.when(F.col("id") % 5 == 0, F.lit(None)).otherwise(F.col("id") % 1000).alias("nullable"),
    )


# ---- runner --------------------------------------------------------------------------------


class Context:
    def __init__(self, lake):
        self.lake = lake


# PySpark 3.5 exposes no error class (getErrorClass() is None for server errors): read it from the
# message as spark-client does (errors.rs, error_class_from_message): `[CLASS] ...` at the start,
# else the first `...Exception: [CLASS]` (the cause that failed a job).
CLASS = r"\[([A-Z0-9_]+(?:\.[A-Z0-9_]+)*)\]"
LEADING_CLASS_RE = re.compile(r"^\s*(?:\([^)]*\)\s*)?" + CLASS)
CAUSE_CLASS_RE = re.compile(r"Exception: " + CLASS)


def error_outcome(e):
    message = getattr(e, "message", None) or str(e)
    cls = None
    try:
        cls = e.getErrorClass()
    except Exception:
        pass
    if not cls:
        m = LEADING_CLASS_RE.match(message) or CAUSE_CLASS_RE.search(message)
        cls = m.group(1) if m else None
    return {"class": cls, "type": type(e).__name__, "message": message[:2000]}


def run_plan(name, fn, remote, out, lake):
    s = SparkSession.builder.remote(remote).create()
    # As the Rust side: 200 shuffle partitions would make every aggregate 200 tasks.
    s.conf.set("spark.sql.shuffle.partitions", "4")
    start = time.monotonic()
    try:
        result = fn(s, Context(lake))
        if isinstance(result, ConnectDataFrame):
            table, _ = s.client.to_table(result._plan.to_proto(s.client))
            with pa.OSFile(os.path.join(out, name + ".arrow"), "wb") as f:
                with pa.ipc.new_stream(f, table.schema) as w:
                    w.write_table(table)
        elif isinstance(result, Plan):
            with open(os.path.join(out, name + ".plan"), "w", encoding="utf-8") as f:
                f.write(result)
        elif isinstance(result, str):
            with open(os.path.join(out, name + ".txt"), "w", encoding="utf-8") as f:
                f.write(result)
        else:
            raise TypeError(f"plan {name} returned {type(result).__name__}")
    except Exception as e:  # the outcome of error plans
        with open(os.path.join(out, name + ".error"), "w", encoding="utf-8") as f:
            json.dump(error_outcome(e), f)
    # No s.stop(): in PySpark 3.5 it shuts down the reattach release pool all sessions of the
    # process share, and the plans running in the other threads then fail ("Pool not running").
    # The server expires idle sessions.
    return time.monotonic() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--remote", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--lake", required=True)
    p.add_argument("--list", action="store_true", help="print the plan names and exit")
    p.add_argument("names", nargs="*")
    a = p.parse_args()
    if a.list:
        print("\n".join(PLANS))
        return 0
    names = a.names or list(PLANS)
    unknown = [n for n in names if n not in PLANS]
    if unknown:
        print(f"unknown plans: {unknown}", file=sys.stderr)
        return 2
    # As the Rust side (main.rs, CONCURRENT_PLANS): three plans at a time, each in its own session.
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(run_plan, name, PLANS[name], a.remote, a.out, a.lake) for name in names}
        timings = {name: f.result() for name, f in futures.items()}
    with open(os.path.join(a.out, "_done.json"), "w") as f:
        json.dump({"plans": names, "seconds": timings}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
