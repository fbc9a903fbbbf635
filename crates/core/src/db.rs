//! The application database: a bounded pool and the embedded sqlx migrations.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::config::DatabaseArgs;
use crate::Result;

/// The migrations in `crates/core/migrations`, compiled into the binary: the serving schema's
/// one statement ([`crate::serving`] reads it from them).
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

/// The read-only role the chat's generated SQL runs as.
pub const READER_ROLE: &str = "mindy_reader";

/// Applies every pending migration, then grants [`READER_ROLE`] (when it exists) `SELECT` on
/// exactly the chat's tables ([`crate::serving::CHAT_TABLES`]), so a new serving table is
/// readable by the chat as soon as it is listed there. Safe to run again.
pub async fn migrate(pool: &PgPool) -> Result<usize> {
    let before = applied(pool).await.unwrap_or(0);
    MIGRATOR.run(pool).await?;
    grant_reader(pool).await?;
    Ok(applied(pool).await?.saturating_sub(before))
}

async fn grant_reader(pool: &PgPool) -> Result<()> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)")
            .bind(READER_ROLE)
            .fetch_one(pool)
            .await?;
    if !exists {
        return Ok(());
    }
    // Identifiers cannot be bound; these names are compile-time constants of this crate.
    let tables = crate::serving::CHAT_TABLES.join(", ");
    sqlx::query(&format!("GRANT USAGE ON SCHEMA public TO {READER_ROLE}"))
        .execute(pool)
        .await?;
    sqlx::query(&format!("GRANT SELECT ON {tables} TO {READER_ROLE}"))
        .execute(pool)
        .await?;
    Ok(())
}

async fn applied(pool: &PgPool) -> Result<usize> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await?;
    Ok(n as usize)
}
