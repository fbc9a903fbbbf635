//! OAuth2 for every Google client: the user's client id/secret, the token file (mode 0600,
//! written atomically) and the yup-oauth2 authenticator that refreshes the access token.
//!
//! `mindy auth gmail|google-calendar|actions` runs the installed-app flow once (a browser consent
//! with a redirect to a local port) and stores the refresh token; the producers and the API then
//! only refresh, and fail with a hint instead of starting an interactive flow from a background
//! process.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use clap::Args;
use serde::{Deserialize, Serialize};
use yup_oauth2::authenticator::Authenticator;
use yup_oauth2::authenticator_delegate::InstalledFlowDelegate;
use yup_oauth2::storage::{TokenInfo, TokenStorage, TokenStorageError};
use yup_oauth2::{
    ApplicationSecret, ConsoleApplicationSecret, InstalledFlowAuthenticator,
    InstalledFlowReturnMethod,
};

use crate::client::{https_client, Connector};
use crate::{Error, Result};

/// Credentials and token location, shared by `mindy auth`, the producers and the API's actions.
#[derive(Debug, Clone, Args)]
pub struct GoogleAuthArgs {
    /// The OAuth client's `client_secret.json` (a "Desktop app" client from the Google Cloud
    /// console); or give --client-id and --client-secret.
    #[arg(long, env = "GMAIL_CLIENT_SECRET_FILE")]
    pub client_secret_file: Option<PathBuf>,
    /// OAuth client id.
    #[arg(long, env = "GMAIL_CLIENT_ID")]
    pub client_id: Option<String>,
    /// OAuth client secret.
    #[arg(long, env = "GMAIL_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
    /// Where the token is stored (mode 0600). Default: ~/.config/mini-mindy/gmail-token.json.
    #[arg(long, env = "MINDY_GMAIL_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,
    /// OAuth token endpoint (tests point it at a local server).
    #[arg(
        long,
        env = "MINDY_GMAIL_TOKEN_URI",
        default_value = "https://oauth2.googleapis.com/token",
        hide = true
    )]
    pub token_uri: String,
    /// OAuth consent endpoint.
    #[arg(
        long,
        env = "MINDY_GMAIL_AUTH_URI",
        default_value = "https://accounts.google.com/o/oauth2/auth",
        hide = true
    )]
    pub auth_uri: String,
}

impl GoogleAuthArgs {
    /// The token file, defaulting under `$XDG_CONFIG_HOME` or `~/.config`.
    pub fn token_path(&self) -> PathBuf {
        self.token_file
            .clone()
            .unwrap_or_else(|| config_home().join("mini-mindy").join("gmail-token.json"))
    }

    /// The application secret from the JSON file or the id/secret pair.
    pub fn secret(&self) -> Result<ApplicationSecret> {
        let mut secret = if let Some(path) = &self.client_secret_file {
            let text = std::fs::read(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            let console: ConsoleApplicationSecret = serde_json::from_slice(&text).map_err(|e| {
                Error::Invalid(format!("{}: not a client_secret.json: {e}", path.display()))
            })?;
            console.installed.or(console.web).ok_or_else(|| {
                Error::Invalid(format!("{}: no \"installed\" client", path.display()))
            })?
        } else {
            match (&self.client_id, &self.client_secret) {
                (Some(id), Some(secret)) => ApplicationSecret {
                    client_id: id.clone(),
                    client_secret: secret.clone(),
                    token_uri: self.token_uri.clone(),
                    auth_uri: self.auth_uri.clone(),
                    redirect_uris: vec!["http://127.0.0.1".into()],
                    ..Default::default()
                },
                _ => {
                    return Err(Error::Invalid(
                        "Google APIs need OAuth client credentials: --client-secret-file (GMAIL_CLIENT_SECRET_FILE) or \
                         --client-id and --client-secret (GMAIL_CLIENT_ID, GMAIL_CLIENT_SECRET)"
                            .into(),
                    ))
                }
            }
        };
        if self.token_uri != "https://oauth2.googleapis.com/token" {
            secret.token_uri = self.token_uri.clone();
        }
        Ok(secret)
    }
}

fn config_home() -> PathBuf {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Builds the authenticator. `interactive` allows the browser flow (`mindy auth`); otherwise a
/// missing or revoked refresh token is an error telling the user what to run.
pub async fn authenticator(
    args: &GoogleAuthArgs,
    interactive: bool,
) -> Result<Authenticator<Connector>> {
    let client = https_client()?;
    let storage = FileTokenStorage::new(args.token_path());
    let mut builder = InstalledFlowAuthenticator::with_client(
        args.secret()?,
        InstalledFlowReturnMethod::HTTPRedirect,
        yup_oauth2::CustomHyperClientBuilder::from(client),
    )
    .with_storage(Box::new(storage));
    if !interactive {
        builder = builder.flow_delegate(Box::new(NoInteraction));
    }
    builder
        .build()
        .await
        .map_err(|e| Error::Auth(e.to_string()))
}

/// Runs the consent flow for `scopes` if no stored token covers them, and makes sure a token
/// is stored; returns the token file.
pub async fn login(args: &GoogleAuthArgs, scopes: &[&str]) -> Result<PathBuf> {
    let auth = authenticator(args, true).await?;
    auth.token(scopes)
        .await
        .map_err(|e| Error::Auth(e.to_string()))?;
    Ok(args.token_path())
}

/// Refuses the interactive flow in background jobs.
struct NoInteraction;

impl InstalledFlowDelegate for NoInteraction {
    fn present_user_url<'a>(
        &'a self,
        _url: &'a str,
        _need_code: bool,
    ) -> Pin<Box<dyn Future<Output = std::result::Result<String, String>> + Send + 'a>> {
        Box::pin(async {
            Err("no usable Google token for these scopes: run `mindy auth` first".to_string())
        })
    }
}

/// One stored token and the scopes it was granted for.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredToken {
    /// Scopes, sorted.
    scopes: Vec<String>,
    /// The token.
    token: TokenInfo,
}

/// Tokens in a JSON file only its owner can read (0600), replaced atomically on every write.
#[derive(Debug, Clone)]
pub struct FileTokenStorage {
    /// The file.
    path: PathBuf,
}

impl FileTokenStorage {
    /// Storage at `path` (created on first write, with its directory).
    pub fn new(path: PathBuf) -> Self {
        FileTokenStorage { path }
    }

    fn read(&self) -> Vec<StoredToken> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }
}

fn sorted(scopes: &[&str]) -> Vec<String> {
    let mut scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

#[async_trait::async_trait]
impl TokenStorage for FileTokenStorage {
    async fn set(
        &self,
        scopes: &[&str],
        token: TokenInfo,
    ) -> std::result::Result<(), TokenStorageError> {
        let scopes = sorted(scopes);
        let mut tokens = self.read();
        // A refreshed access token carries every scope of its grant: it replaces the token of
        // the broader entry it was refreshed from (same refresh token) instead of being stored
        // again under the narrower scopes one call asked for, so each grant refreshes once.
        let grant = tokens.iter_mut().find(|t| {
            token.refresh_token.is_some()
                && t.token.refresh_token == token.refresh_token
                && scopes.iter().all(|s| t.scopes.contains(s))
        });
        match grant {
            Some(entry) => entry.token = token,
            None => {
                tokens.retain(|t| t.scopes != scopes);
                tokens.push(StoredToken { scopes, token });
            }
        }
        let json = serde_json::to_vec_pretty(&tokens)
            .map_err(|e| TokenStorageError::Other(e.to_string().into()))?;
        write_private(&self.path, &json).map_err(TokenStorageError::Io)
    }

    async fn get(&self, scopes: &[&str]) -> Option<TokenInfo> {
        let wanted = sorted(scopes);
        self.read()
            .into_iter()
            .find(|t| wanted.iter().all(|s| t.scopes.contains(s)))
            .map(|t| t.token)
    }
}

/// Writes `bytes` to `path` through a 0600 temporary file renamed into place, so the token is
/// never readable by others, not even for an instant, and never half-written.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GMAIL_READONLY as READONLY_SCOPE;

    #[tokio::test]
    async fn tokens_round_trip_in_a_private_file() {
        let dir = std::env::temp_dir().join(format!("mindy-token-{}", std::process::id()));
        let path = dir.join("token.json");
        let storage = FileTokenStorage::new(path.clone());
        assert!(storage.get(&[READONLY_SCOPE]).await.is_none());
        let token = TokenInfo {
            access_token: Some("a".into()),
            refresh_token: Some("r".into()),
            expires_at: None,
            id_token: None,
        };
        storage.set(&[READONLY_SCOPE], token.clone()).await.unwrap();
        assert_eq!(storage.get(&[READONLY_SCOPE]).await, Some(token));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_refresh_for_some_scopes_renews_the_whole_grant() {
        let dir = std::env::temp_dir().join(format!("mindy-grant-{}", std::process::id()));
        let storage = FileTokenStorage::new(dir.join("token.json"));
        let token = |access: &str| TokenInfo {
            access_token: Some(access.into()),
            refresh_token: Some("r".into()),
            expires_at: None,
            id_token: None,
        };
        let grant = [crate::GMAIL_SEND, crate::CALENDAR_EVENTS];
        storage.set(&grant, token("old")).await.unwrap();
        storage
            .set(&[crate::GMAIL_SEND], token("new"))
            .await
            .unwrap();
        assert_eq!(storage.read().len(), 1);
        assert_eq!(
            storage.get(&[crate::CALENDAR_EVENTS]).await,
            Some(token("new"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
