//! The application database: a bounded pool and the embedded sqlx migrations.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::config::DatabaseArgs;
use crate::Result;

/// The migrations in `crates/pipeline/migrations`, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens a pool with an acquire timeout, so a down database fails fast instead of hanging a job.
pub async fn connect(args: &DatabaseArgs) -> Result<PgPool> {
    let pool = PgPoolOptions::new()
        .max_connections(args.max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect(&args.url)
        .await?;
    Ok(pool)
}

/// Applies every pending migration; safe to run again (already-applied ones are skipped).
pub async fn migrate(pool: &PgPool) -> Result<usize> {
    let before = applied(pool).await.unwrap_or(0);
    MIGRATOR.run(pool).await?;
    Ok(applied(pool).await?.saturating_sub(before))
}

async fn applied(pool: &PgPool) -> Result<usize> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await?;
    Ok(n as usize)
}
