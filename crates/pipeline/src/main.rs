//! `mindy`: Mini-Mindy's pipeline jobs. Parses arguments, sets up logging, runs one job and maps
//! its outcome to an exit code; the jobs themselves live in the library.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use mindy_core::config::DatabaseArgs;
use mindy_core::db;
use mindy_pipeline::jobs;
use mindy_pipeline::shutdown::Shutdown;

#[derive(Debug, Parser)]
#[command(name = "mindy", version, about = "Mini-Mindy's pipeline jobs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Database administration.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// One round trip through every service of the stack; exits 1 if any fails.
    Smoke(jobs::smoke::SmokeConfig),
    /// Run the Structured Streaming queries (bronze, quarantine, silver) on the Spark cluster.
    Stream(Box<jobs::stream::StreamConfig>),
    /// Email intelligence on the Spark cluster: per-email facts (role, sentiment, urgency,
    /// action items, summary), threads, contacts, organisations and patterns.
    Enrich(Box<jobs::enrich::EnrichConfig>),
    /// Airflow operations.
    Airflow {
        #[command(subcommand)]
        command: AirflowCommand,
    },
    /// The daily batch jobs (Airflow runs them in order): quality, aggregate, export, report;
    /// and backfill, the first three over a range of days.
    Batch {
        #[command(subcommand)]
        command: Box<jobs::batch::BatchCommand>,
    },
    /// Authorise a mail source (OAuth2), storing the token for `mindy ingest`.
    Auth {
        #[command(subcommand)]
        command: jobs::auth::AuthCommand,
    },
    /// Produce email records to the emails topic from Gmail, mbox/.eml files or the demo mailbox.
    Ingest {
        #[command(subcommand)]
        command: jobs::ingest::IngestCommand,
    },
    /// Validate emails-topic into processed-emails-topic (exactly once) and emails-dlq.
    Validate(jobs::validate::ValidateConfig),
    /// Keep the serving tables in PostgreSQL in step with their Delta tables (incrementally,
    /// from each table's change data feed); once, or `--continuous`.
    Export(jobs::export::ExportConfig),
    /// Lake maintenance: retention of raw data, compaction (OPTIMIZE), VACUUM, and a table's
    /// Delta history.
    Lake {
        #[command(subcommand)]
        command: jobs::lake::LakeCommand,
    },
    /// Back up the serving database (pg_dump) and every Delta table of the lake, each at one
    /// version, into a new directory with a manifest.
    Backup(Box<jobs::backup::BackupConfig>),
    /// Restore a backup into an empty lake root and database, and verify versions and row counts.
    Restore(Box<jobs::backup::RestoreConfig>),
    /// Write the demo persona's mailbox (mbox) and calendar (.ics) to files.
    Persona(jobs::persona::PersonaFilesConfig),
}

#[derive(Debug, Subcommand)]
enum AirflowCommand {
    /// Un-pause a DAG, trigger a run and follow it to the end.
    Trigger(Box<jobs::trigger::TriggerConfig>),
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Apply the pending sqlx migrations.
    Migrate(DatabaseArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MINDY_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,rdkafka=warn".into()),
        )
        .with_writer(std::io::stderr)
        // Colours only on a terminal: Airflow's task logs and the stack's logs are files.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", mindy_core::error::causes(&*e));
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Db {
            command: DbCommand::Migrate(args),
        } => {
            let pool = db::connect(&args)
                .await
                .context("connecting to PostgreSQL")?;
            let applied = db::migrate(&pool).await.context("applying migrations")?;
            tracing::info!(applied, "database schema is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Auth { command } => {
            let token = jobs::auth::run(&command).await.context("authorising")?;
            println!("token stored in {}", token.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest { command } => {
            let report = jobs::ingest::run(command, Shutdown::on_signals())
                .await
                .context("ingesting")?;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate(config) => {
            let report = jobs::validate::run(&config, Shutdown::on_signals())
                .await
                .context("validating")?;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(config) => {
            let report = jobs::export::run(&config, Shutdown::on_signals())
                .await
                .context("exporting to PostgreSQL")?;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Lake { command } => {
            let report = jobs::lake::run(&command)
                .await
                .context("lake maintenance")?;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup(config) => {
            let outcome = jobs::backup::backup(&config).await.context("backing up")?;
            println!("{outcome}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore(config) => {
            let outcome = jobs::backup::restore(&config).await.context("restoring")?;
            println!("{outcome}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Persona(config) => {
            for line in jobs::persona::run(&config).context("writing the persona's files")? {
                println!("{line}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Airflow {
            command: AirflowCommand::Trigger(config),
        } => Ok(batch_exit(
            jobs::trigger::run(&config)
                .await
                .context("running the DAG")?,
        )),
        Command::Batch { command } => Ok(batch_exit(run_batch(*command).await?)),
        Command::Stream(config) => {
            let report = jobs::stream::run(&config, Shutdown::on_signals())
                .await
                .context("streaming")?;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Enrich(config) => {
            let report = jobs::enrich::run(&config, Shutdown::on_signals())
                .await
                .context("enriching")?;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Smoke(config) => {
            let report = jobs::smoke::run(&config).await;
            print!("{report}");
            Ok(if report.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

async fn run_batch(command: jobs::batch::BatchCommand) -> anyhow::Result<jobs::batch::Outcome> {
    use jobs::batch::{aggregate, backfill, export, quality, report, BatchCommand};
    Ok(match command {
        BatchCommand::Quality(c) => quality::run(&c).await.context("quality check")?,
        BatchCommand::Aggregate(c) => aggregate::run(&c).await.context("daily aggregation")?,
        BatchCommand::Export(c) => export::run(&c).await.context("export to PostgreSQL")?,
        BatchCommand::Report(c) => report::run(&c).await.context("email report")?,
        BatchCommand::Backfill(c) => backfill::run(&c).await.context("backfill")?,
    })
}

/// Airflow's BashOperator reads exit codes: 0 success, 99 skipped, anything else failed.
fn batch_exit(outcome: jobs::batch::Outcome) -> ExitCode {
    use jobs::batch::Outcome;
    match outcome {
        Outcome::Done(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Outcome::Failed(message) => {
            eprintln!("failed: {message}");
            ExitCode::FAILURE
        }
        Outcome::Skipped(message) => {
            println!("skipped: {message}");
            ExitCode::from(99)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        // Catches duplicate argument ids across flattened groups, which clap only reports at run time.
        super::Cli::command().debug_assert();
    }
}
