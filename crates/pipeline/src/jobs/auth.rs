//! `mindy auth gmail` / `mindy auth google-calendar`: the OAuth2 installed-app flow, once. Prints a consent URL, receives the
//! redirect on a local port, and stores the read-only token (refresh token included) in a file
//! only the user can read; `mindy ingest gmail` refreshes it from then on.

use std::path::PathBuf;

use clap::Subcommand;

use crate::jobs::ingest::gmail::auth::{self, GmailAuthArgs};
use crate::Result;

/// What `mindy auth` can authorise.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Authorise read-only access to a Gmail account.
    Gmail(GmailAuthArgs),
    /// Authorise read-only access to a Google Calendar (same OAuth client and token file).
    GoogleCalendar(GmailAuthArgs),
}

/// Runs the flow; returns where the token was stored.
pub async fn run(command: &AuthCommand) -> Result<PathBuf> {
    match command {
        AuthCommand::Gmail(args) => auth::login(args).await,
        AuthCommand::GoogleCalendar(args) => {
            crate::jobs::ingest::calendar::google::login(args).await
        }
    }
}
