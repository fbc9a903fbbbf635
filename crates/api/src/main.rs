//! `mindy-api`: parses the configuration, connects, serves until SIGINT/SIGTERM.
//!
//! Run with: `source .stack/env && MINDY_API_TOKEN=dev cargo run -p mindy-api`, then
//! `curl -s localhost:8000/api/health` or
//! `curl -s -H 'authorization: Bearer dev' -H 'content-type: application/json'
//!  -d '{"message":"How many emails did I receive yesterday?"}' localhost:8000/api/chat`.

use std::process::ExitCode;

use clap::Parser;
use mindy_api::config::Args;
use mindy_api::AppState;

#[tokio::main]
async fn main() -> ExitCode {
    // Name rustls's provider before any TLS client is built: should a dependency ever bring a
    // second one (aws-lc-rs), rustls would panic rather than choose (docs/architecture.md).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args = Args::parse();
    init_logging(&args.log_format);
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let line = mindy_core::error::causes(&*error);
            tracing::error!("{line}");
            eprintln!("mindy-api: {line}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let state = AppState::connect(&args).await?;
    if let Some(actions) = &state.chat.actions {
        let every = std::time::Duration::from_secs(args.actions.reminder_interval_secs.max(1));
        tokio::spawn(mindy_api::actions::reminders::run(
            actions.pool.clone(),
            actions.mailer.clone(),
            actions.metrics.clone(),
            every,
        ));
    }
    if args.airflow_poll_secs > 0 {
        tokio::spawn(mindy_api::dashboard::airflow::watch_failed_runs(
            state.clone(),
            std::time::Duration::from_secs(args.airflow_poll_secs),
        ));
    }
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    tracing::info!(addr = %listener.local_addr()?, "listening");
    mindy_api::serve(listener, state, shutdown()).await?;
    tracing::info!("stopped");
    Ok(())
}

fn init_logging(format: &str) {
    // The Delta kernel logs every snapshot it builds at INFO (a dozen lines per table for each
    // dashboard refresh): only its warnings by default.
    let filter = tracing_subscriber::EnvFilter::try_from_env("MINDY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,buoyant_kernel=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if format == "json" {
        builder.json().with_current_span(true).init();
    } else {
        builder.init();
    }
}

/// Resolves on Ctrl-C or SIGTERM (what `docker stop` sends).
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
