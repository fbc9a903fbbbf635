//! `mindy auth gmail|google-calendar|actions`: the OAuth2 installed-app flow, once. Prints a
//! consent URL, receives the redirect on a local port, and stores the token (refresh token
//! included) in a file only the user can read; the producers and the API refresh it from then on.

use std::path::PathBuf;

use clap::Subcommand;
use mindy_google::auth::{self, GoogleAuthArgs};

use crate::Result;

/// What `mindy auth` can authorise (one OAuth client and token file for all of them).
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Authorise read-only access to a Gmail account (`mindy ingest gmail`).
    Gmail(GoogleAuthArgs),
    /// Authorise read-only access to a Google Calendar (`mindy ingest google-calendar`).
    GoogleCalendar(GoogleAuthArgs),
    /// Authorise the API's confirmed actions: sending mail as the user (`gmail.send`) and
    /// creating and changing calendar events (`calendar.events`), nothing more.
    Actions(GoogleAuthArgs),
}

/// Runs the flow; returns where the token was stored.
pub async fn run(command: &AuthCommand) -> Result<PathBuf> {
    let (args, scopes): (&GoogleAuthArgs, &[&str]) = match command {
        AuthCommand::Gmail(args) => (args, &[mindy_google::GMAIL_READONLY]),
        AuthCommand::GoogleCalendar(args) => (args, &[mindy_google::CALENDAR_READONLY]),
        AuthCommand::Actions(args) => (
            args,
            &[mindy_google::GMAIL_SEND, mindy_google::CALENDAR_EVENTS],
        ),
    };
    Ok(auth::login(args, scopes).await?)
}
