//! Sending mail over SMTP (lettre): the server settings every sender shares (`mindy batch
//! report`'s summary, the API's confirmed replies and reminders) and the transport they open.

use std::time::Duration;

use clap::{Args, ValueEnum};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, Tokio1Executor};

use crate::{Error, Result};

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SmtpSecurity {
    /// Plain SMTP (a local relay or a test server).
    None,
    /// Upgrade with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// The SMTP server mail is handed to.
#[derive(Debug, Clone, Args)]
pub struct SmtpServerArgs {
    /// SMTP server host.
    #[arg(
        long = "smtp-host",
        env = "MINDY_SMTP_HOST",
        default_value = "127.0.0.1"
    )]
    pub host: String,
    /// SMTP server port.
    #[arg(long = "smtp-port", env = "MINDY_SMTP_PORT", default_value_t = 25)]
    pub port: u16,
    /// Connection security.
    #[arg(
        long = "smtp-security",
        env = "MINDY_SMTP_SECURITY",
        value_enum,
        default_value = "none"
    )]
    pub security: SmtpSecurity,
    /// SMTP user (authentication only when set).
    #[arg(long = "smtp-username", env = "MINDY_SMTP_USERNAME")]
    pub username: Option<String>,
    /// SMTP password.
    #[arg(
        long = "smtp-password",
        env = "MINDY_SMTP_PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,
}

impl SmtpServerArgs {
    /// A plain-SMTP server on `host:port` without login (a local relay, the stack's mailsink).
    pub fn plain(host: &str, port: u16) -> Self {
        SmtpServerArgs {
            host: host.to_string(),
            port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
        }
    }

    /// The transport (it connects per send, with a 30 s timeout).
    ///
    /// # Errors
    /// [`Error::Unexpected`] when TLS cannot be set up for the host.
    pub fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
        let tls_error = |e: lettre::transport::smtp::Error| Error::Unexpected {
            service: "smtp",
            message: format!("TLS setup: {e}"),
        };
        let mut builder = match self.security {
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            }
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&self.host)
                    .map_err(tls_error)?
            }
            SmtpSecurity::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&self.host).map_err(tls_error)?
            }
        }
        .port(self.port)
        .timeout(Some(Duration::from_secs(30)));
        if let (Some(user), Some(password)) = (&self.username, &self.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(builder.build())
    }
}
