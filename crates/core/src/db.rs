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

/// The role the API's actions run as (issue 19): it reads the chat's tables (a reply's thread,
/// the contacts to loop in), writes proposals, tasks, reminders and the local calendar, and may
/// only append to the audit.
pub const ACTOR_ROLE: &str = "mindy_actor";

/// Tables [`ACTOR_ROLE`] may insert into and update (`crates/core/migrations/*_actions.sql`).
pub const ACTION_TABLES: &[&str] = &[
    "action_proposals",
    "tasks",
    "reminders",
    "local_calendar_events",
];

/// Tables the API's dashboard reads as [`READER_ROLE`] besides the chat's (not in the chat's
/// SQL allow-list): the streaming queries' progress and the lake's tables as the exporter last
/// read them.
pub const DASHBOARD_TABLES: &[&str] = &["stream_progress", "lake_tables"];

/// The append-only audit of actions: [`ACTOR_ROLE`] may insert and read, never change.
pub const AUDIT_TABLE: &str = "action_audit";

/// Per chat table, a `version` every write to it bumps (in the writing transaction): the chat's
/// answer cache keys on them.
pub const VERSION_TABLE: &str = "serving_version";

/// Every table's version in one string (`table:version,...`); empty before the first write.
pub const VERSION_SQL: &str = "SELECT coalesce(string_agg(table_name || ':' || version, ',' \
                               ORDER BY table_name), '') FROM serving_version";

/// Applies every pending migration, adds [`VERSION_TABLE`]'s trigger to every chat table, then grants [`READER_ROLE`] (when it exists) `SELECT` on
/// exactly the chat's tables ([`crate::serving::CHAT_TABLES`]) and the dashboard's
/// ([`DASHBOARD_TABLES`]), so a new serving table is
/// readable by the chat as soon as it is listed there, and [`ACTOR_ROLE`] (when it exists) what
/// it needs on the action tables. Safe to run again.
pub async fn migrate(pool: &PgPool) -> Result<usize> {
    let before = applied(pool).await.unwrap_or(0);
    MIGRATOR.run(pool).await?;
    // Identifiers cannot be bound; these names are compile-time constants of this crate.
    for table in crate::serving::CHAT_TABLES {
        sqlx::query(&format!(
            "CREATE OR REPLACE TRIGGER serving_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE \
             ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_serving_version()"
        ))
        .execute(pool)
        .await?;
    }
    let chat = crate::serving::CHAT_TABLES.join(", ");
    grant(
        pool,
        READER_ROLE,
        &[
            format!("SELECT ON {chat}"),
            format!("SELECT ON {VERSION_TABLE}"),
            format!("SELECT ON {}", DASHBOARD_TABLES.join(", ")),
        ],
    )
    .await?;
    grant(
        pool,
        ACTOR_ROLE,
        &[
            format!("SELECT ON {chat}"),
            format!("SELECT, INSERT, UPDATE ON {}", ACTION_TABLES.join(", ")),
            format!("SELECT, INSERT ON {AUDIT_TABLE}"),
            format!("USAGE ON SEQUENCE {AUDIT_TABLE}_seq_seq"),
        ],
    )
    .await?;
    Ok(applied(pool).await?.saturating_sub(before))
}

/// Grants `role` (when it exists) the schema and each of `privileges` (`"SELECT ON a, b"`).
async fn grant(pool: &PgPool, role: &str, privileges: &[String]) -> Result<()> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)")
            .bind(role)
            .fetch_one(pool)
            .await?;
    if !exists {
        return Ok(());
    }
    sqlx::query(&format!("GRANT USAGE ON SCHEMA public TO {role}"))
        .execute(pool)
        .await?;
    for privilege in privileges {
        sqlx::query(&format!("GRANT {privilege} TO {role}"))
            .execute(pool)
            .await?;
    }
    Ok(())
}

async fn applied(pool: &PgPool) -> Result<usize> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await?;
    Ok(n as usize)
}
