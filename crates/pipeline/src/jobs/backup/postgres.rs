//! The database's part of a backup: PostgreSQL's own tools, `pg_dump -Fc` and `pg_restore`, run
//! as child processes with the owner role's URL (`DATABASE_URL`).
//!
//! The dump is taken in a snapshot this module exports (`pg_export_snapshot()` in a
//! `REPEATABLE READ` transaction held open while `pg_dump --snapshot` runs), and every table's
//! rows are counted in that same snapshot: the manifest's counts are exactly the dump's, and a
//! restore is verified against them. The password goes to the tools in `PGPASSWORD`, not on
//! their command line (which `ps` shows).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use clap::Args;
use sqlx::{Connection, PgConnection, Row};

use super::manifest::PgTableCount;
use crate::{Error, Result};

/// Where PostgreSQL's client tools are.
#[derive(Debug, Clone, Args)]
pub struct PgToolArgs {
    /// Directory holding `pg_dump` and `pg_restore` (e.g. `/usr/lib/postgresql/15/bin`); unset,
    /// they are looked up on `PATH`. Their major version must be at least the server's.
    #[arg(long, env = "MINDY_PG_BIN_DIR")]
    pub pg_bin_dir: Option<PathBuf>,
}

impl PgToolArgs {
    fn tool(&self, name: &str) -> PathBuf {
        match &self.pg_bin_dir {
            Some(dir) => dir.join(name),
            None => PathBuf::from(name),
        }
    }

    /// Runs `tool args…` with the connection of `url` (its password in `PGPASSWORD`); its stdout
    /// on success.
    ///
    /// # Errors
    /// [`Error::invalid`] when the tool cannot be started (not installed), or it fails: its exit
    /// status and its stderr.
    async fn run(&self, name: &str, url: Option<&Connect>, args: &[String]) -> Result<String> {
        let program = self.tool(name);
        let mut command = tokio::process::Command::new(&program);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(url) = url {
            command.arg(format!("--dbname={}", url.without_password));
            match &url.password {
                Some(password) => command.env("PGPASSWORD", password),
                None => command.env_remove("PGPASSWORD"),
            };
        }
        let output = command.output().await.map_err(|e| {
            let place = match &self.pg_bin_dir {
                Some(dir) => format!("in {} (MINDY_PG_BIN_DIR)", dir.display()),
                None => "on PATH (or set MINDY_PG_BIN_DIR)".to_string(),
            };
            Error::invalid(format!(
                "{name} could not be started {place}: {e}; it comes with PostgreSQL's client \
                 tools (Debian: postgresql-client-15)"
            ))
        })?;
        if !output.status.success() {
            return Err(Error::invalid(format!(
                "{} failed ({}): {}",
                program.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    /// `<tool> --version`, e.g. `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`.
    ///
    /// # Errors
    /// As [`PgToolArgs::run`].
    pub async fn version(&self, name: &str) -> Result<String> {
        self.run(name, None, &["--version".to_string()]).await
    }
}

/// A database URL split for the tools: the URL without its password, and the password.
struct Connect {
    without_password: String,
    password: Option<String>,
}

impl Connect {
    fn new(url: &str) -> Result<Connect> {
        let mut parsed = url::Url::parse(url)
            .map_err(|e| Error::invalid(format!("the database URL does not parse: {e}")))?;
        let password = parsed.password().map(|p| {
            percent_encoding::percent_decode_str(p)
                .decode_utf8_lossy()
                .into_owned()
        });
        parsed
            .set_password(None)
            .map_err(|()| Error::invalid("the database URL cannot carry a password"))?;
        Ok(Connect {
            without_password: parsed.to_string(),
            password,
        })
    }
}

/// The database a URL names (its path), for messages and the manifest.
pub fn database_name(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .map(|u| u.path().trim_start_matches('/').to_string())
        .unwrap_or_default()
}

/// What a dump took.
#[derive(Debug, Clone)]
pub struct Dumped {
    /// The dump's bytes.
    pub bytes: u64,
    /// `pg_dump --version`.
    pub pg_dump_version: String,
    /// The server's version.
    pub server_version: String,
    /// Every table's rows in the dump's snapshot.
    pub tables: Vec<PgTableCount>,
}

/// The user tables of the connected database, as `schema.table` (quoted for SQL as the second
/// element), sorted.
async fn user_tables(conn: &mut PgConnection) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT n.nspname || '.' || c.relname AS name, \
                quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS quoted \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
           AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' \
         ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("name")?, row.try_get("quoted")?)))
        .collect()
}

/// Rows of every user table.
async fn count_tables(conn: &mut PgConnection) -> Result<Vec<PgTableCount>> {
    let mut counts = Vec::new();
    for (table, quoted) in user_tables(conn).await? {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {quoted}"))
            .fetch_one(&mut *conn)
            .await?;
        counts.push(PgTableCount { table, rows });
    }
    Ok(counts)
}

/// Dumps the database at `url` into `file` (`pg_dump -Fc`) and counts its tables' rows in the
/// dump's snapshot.
///
/// # Errors
/// PostgreSQL's; `pg_dump` missing or failing (with its stderr).
pub async fn dump(tools: &PgToolArgs, url: &str, file: &Path) -> Result<Dumped> {
    let pg_dump_version = tools.version("pg_dump").await?;
    let connect = Connect::new(url)?;
    let mut conn = PgConnection::connect(url).await?;
    let server_version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&mut conn)
        .await?;
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut conn)
        .await?;
    let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut conn)
        .await?;
    let args = [
        "--format=custom".to_string(),
        "--no-password".to_string(),
        format!("--snapshot={snapshot}"),
        format!("--file={}", file.display()),
    ];
    let (dumped, tables) = tokio::join!(
        tools.run("pg_dump", Some(&connect), &args),
        count_tables(&mut conn)
    );
    // Counting first or the dump first: both read the exported snapshot, held until here.
    let tables = tables?;
    dumped?;
    sqlx::query("COMMIT").execute(&mut conn).await?;
    conn.close().await.ok();
    let bytes = std::fs::metadata(file)
        .map_err(|e| Error::io(file, e))?
        .len();
    Ok(Dumped {
        bytes,
        pg_dump_version,
        server_version,
        tables,
    })
}

/// The user tables of the database at `url` (for the check that a restore's target is empty).
///
/// # Errors
/// PostgreSQL's.
pub async fn tables_in(url: &str) -> Result<Vec<String>> {
    let mut conn = PgConnection::connect(url).await?;
    let tables = user_tables(&mut conn).await?;
    conn.close().await.ok();
    Ok(tables.into_iter().map(|(name, _)| name).collect())
}

/// Restores `file` into the database at `url` with `pg_restore`, in one transaction (all or
/// nothing); `clean` drops the dump's objects first (`--clean --if-exists`, for `--force`).
/// Objects are owned by the restoring role (`--no-owner`); grants are kept.
///
/// # Errors
/// `pg_restore` missing or failing (with its stderr).
pub async fn restore(tools: &PgToolArgs, url: &str, file: &Path, clean: bool) -> Result<String> {
    let version = tools.version("pg_restore").await?;
    let connect = Connect::new(url)?;
    let mut args = vec![
        "--single-transaction".to_string(),
        "--exit-on-error".to_string(),
        "--no-owner".to_string(),
        "--no-password".to_string(),
    ];
    if clean {
        args.extend(["--clean".to_string(), "--if-exists".to_string()]);
    }
    args.push(file.display().to_string());
    tools.run("pg_restore", Some(&connect), &args).await?;
    Ok(version)
}

/// Rows of every user table of the database at `url`.
///
/// # Errors
/// PostgreSQL's.
pub async fn counts(url: &str) -> Result<Vec<PgTableCount>> {
    let mut conn = PgConnection::connect(url).await?;
    let counts = count_tables(&mut conn).await?;
    conn.close().await.ok();
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_for_the_environment() {
        let connect = Connect::new("postgres://mindy:p%40ss%2Fw@127.0.0.1:5432/mindy").unwrap();
        assert_eq!(
            connect.without_password,
            "postgres://mindy@127.0.0.1:5432/mindy"
        );
        assert_eq!(connect.password.as_deref(), Some("p@ss/w"));
        let none = Connect::new("postgres://mindy@127.0.0.1/db").unwrap();
        assert_eq!(none.password, None);
        assert_eq!(
            database_name("postgres://mindy:x@127.0.0.1:5432/mindy_test"),
            "mindy_test"
        );
    }

    #[tokio::test]
    async fn a_missing_tool_is_named_with_where_it_was_looked_for() {
        let tools = PgToolArgs {
            pg_bin_dir: Some("/nonexistent/pg/bin".into()),
        };
        let err = tools.version("pg_dump").await.unwrap_err().to_string();
        assert!(err.contains("pg_dump could not be started"), "{err}");
        assert!(
            err.contains("/nonexistent/pg/bin (MINDY_PG_BIN_DIR)"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_failing_tool_reports_its_stderr() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("pg_restore");
        std::fs::write(
            &fake,
            "#!/bin/sh\necho \"pg_restore: error: could not open input file\" >&2\nexit 1\n",
        )
        .unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let tools = PgToolArgs {
            pg_bin_dir: Some(dir.path().into()),
        };
        let err = tools
            .run("pg_restore", None, &["/nonexistent/dump".to_string()])
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("pg_restore failed (exit status: 1)"), "{err}");
        assert!(err.contains("could not open input file"), "{err}");
    }
}
