//! Batch aggregation: derive columns, group, aggregate, window, show and collect as Arrow.
//!
//! Run with the local stack up (`./stack up`):
//!
//! ```sh
//! source .stack/env
//! cargo run --manifest-path examples/Cargo.toml --bin batch_aggregation
//! ```

use spark_client::dataframe::Range;
use spark_client::dataframe::Show;
use spark_client::functions::*;
use spark_client::window::Window;
use spark_client::SparkSession;

#[tokio::main]
async fn main() -> spark_client::Result<()> {
    let remote = std::env::var("MINDY_SPARK_REMOTE").unwrap_or("sc://127.0.0.1:15002".into());
    let spark = SparkSession::builder().remote(&remote).build().await?;
    println!("connected to Spark {} at {remote}", spark.version().await?);

    // One million synthetic orders: a customer, a category and an amount per row.
    let orders = spark
        .range_with(Range::new(0, 1_000_000).partitions(4))
        .with_column(
            "customer",
            concat([lit("c-"), (col("id") % 1000).cast("string")]),
        )
        .with_column(
            "category",
            when((col("id") % 3).eq(0), "books")
                .when((col("id") % 3).eq(1), "games")
                .otherwise("music"),
        )
        .with_column("amount", round((col("id") % 97).cast("double") * 1.25, 2));

    let per_category = orders
        .group_by(["category"])
        .agg([
            count(lit(1)).alias("orders"),
            round(sum("amount"), 2).alias("revenue"),
            round(avg("amount"), 3).alias("avg_amount"),
            approx_count_distinct("customer").alias("customers"),
        ])
        .order_by([col("revenue").desc()]);
    println!(
        "{}",
        per_category
            .show_string_with(Show::rows(10).truncate(0))
            .await?
    );

    // Top 3 customers per category by revenue, with a window function.
    let by_customer = orders
        .group_by(["category", "customer"])
        .agg([sum("amount").alias("revenue")]);
    let ranked = by_customer
        .with_column(
            "rank",
            row_number().over(Window::partition_by(["category"]).order_by([col("revenue").desc()])),
        )
        .filter(col("rank").le(3))
        .order_by(["category", "rank"]);
    println!(
        "{}",
        ranked.show_string_with(Show::rows(20).truncate(0)).await?
    );

    // The same result as Arrow record batches.
    let batches = per_category.collect().await?;
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    println!(
        "collected {rows} rows in {} Arrow batches, schema: {}",
        batches.len(),
        batches[0].schema()
    );
    Ok(())
}
