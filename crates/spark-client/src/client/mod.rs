//! The transport: one gRPC channel, request metadata, retries and reattachable execution.
//!
//! Everything here speaks the generated protocol types; the public modules translate.

mod execute;
mod retry;
pub(crate) mod url;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use spark_connect_proto as pb;
use spark_connect_proto::spark_connect_service_client::SparkConnectServiceClient;
use tonic::metadata::{AsciiMetadataKey, AsciiMetadataValue};
use tonic::transport::{Channel, Endpoint};

use crate::errors::{Error, ErrorKind, Result};
pub(crate) use execute::ResponseStream;
pub(crate) use retry::with_retries;
pub use retry::RetryPolicy;
use url::ConnectionString;

/// PySpark's limit: Arrow batches of a few tens of MiB must fit in one gRPC message.
pub(crate) const MAX_MESSAGE_SIZE: usize = 128 * 1024 * 1024;

/// Returns a bearer token for each call (e.g. a refreshed OAuth token); `None` sends no token.
pub type TokenProvider = Arc<dyn Fn() -> Option<String> + Send + Sync>;

/// Everything needed to build a [`Client`]; filled by the session builder.
pub(crate) struct ClientConfig {
    pub conn: ConnectionString,
    pub retry: RetryPolicy,
    pub token_provider: Option<TokenProvider>,
    pub extra_headers: Vec<(String, String)>,
    pub connect_timeout: Duration,
    pub reattach: bool,
}

/// A cheap-to-clone handle on one Spark Connect session over one HTTP/2 channel.
#[derive(Clone)]
pub(crate) struct Client {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    /// tonic's client over a lazily (re)connecting channel: a dropped connection is redialled on the
    /// next call, which is what lets retries ride out a server restart.
    grpc: SparkConnectServiceClient<Channel>,
    /// The client-chosen session id (a UUID); Spark 3.5 creates the server session on first use.
    session_id: String,
    /// Sent with every request so the server attributes work to a user.
    user_context: pb::UserContext,
    /// Logged by the server; identifies this client and its version.
    client_type: String,
    /// Static metadata (URL extras, builder headers, `authorization` for a URL token).
    headers: Vec<(AsciiMetadataKey, AsciiMetadataValue)>,
    /// Dynamic bearer token, asked for at each call.
    token_provider: Option<TokenProvider>,
    retry: RetryPolicy,
    /// Set by `SparkSession::stop`: every later call fails instead of reaching the server.
    closed: AtomicBool,
    /// Whether executions are reattachable (resumed after a broken stream).
    reattach: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("session_id", &self.inner.session_id)
            .field("client_type", &self.inner.client_type)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds the channel (without dialling: the first call connects) and the request context.
    pub(crate) fn new(cfg: ClientConfig) -> Result<Client> {
        let endpoint = endpoint(&cfg.conn, cfg.connect_timeout)?;
        let channel = endpoint.connect_lazy();
        let grpc = SparkConnectServiceClient::new(channel)
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE);
        let headers = headers(&cfg)?;
        let session_id = cfg
            .conn
            .session_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let user_id = cfg.conn.user_id.clone().unwrap_or_default();
        let client_type = client_type(cfg.conn.user_agent.as_deref());
        Ok(Client {
            inner: Arc::new(ClientInner {
                grpc,
                session_id,
                user_context: pb::UserContext {
                    user_name: user_id.clone(),
                    user_id,
                    extensions: vec![],
                },
                client_type,
                headers,
                token_provider: cfg.token_provider,
                retry: cfg.retry,
                closed: AtomicBool::new(false),
                reattach: cfg.reattach,
            }),
        })
    }

    pub(crate) fn session_id(&self) -> &str {
        &self.inner.session_id
    }

    pub(crate) fn user_context(&self) -> Option<pb::UserContext> {
        Some(self.inner.user_context.clone())
    }

    pub(crate) fn client_type(&self) -> Option<String> {
        Some(self.inner.client_type.clone())
    }

    pub(crate) fn reattachable(&self) -> bool {
        self.inner.reattach
    }

    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Fails once the session was stopped.
    pub(crate) fn check_open(&self) -> Result<()> {
        if self.inner.closed.load(Ordering::Relaxed) {
            return Err(Error::invalid_argument(
                "the session was stopped (SparkSession::stop); build a new one",
            ));
        }
        Ok(())
    }

    /// Ends the session: on a Spark 4 server (`release` true) the server drops its state now
    /// (`ReleaseSession`, a 4.x RPC); on 3.5 it expires on its own. Later calls fail.
    pub(crate) async fn close(&self, release: bool) -> Result<()> {
        if self.inner.closed.swap(true, Ordering::Relaxed) || !release {
            return Ok(());
        }
        let req = pb::ReleaseSessionRequest {
            session_id: self.session_id().to_string(),
            user_context: self.user_context(),
            client_type: self.client_type(),
            ..Default::default()
        };
        self.grpc().release_session(self.request(req)).await?;
        Ok(())
    }

    fn grpc(&self) -> SparkConnectServiceClient<Channel> {
        self.inner.grpc.clone()
    }

    /// Wraps a message with the session's metadata.
    fn request<T>(&self, msg: T) -> tonic::Request<T> {
        let mut req = tonic::Request::new(msg);
        let md = req.metadata_mut();
        for (k, v) in &self.inner.headers {
            md.insert(k.clone(), v.clone());
        }
        if let Some(provider) = &self.inner.token_provider {
            if let Some(token) = provider() {
                if let Ok(v) = AsciiMetadataValue::try_from(format!("Bearer {token}")) {
                    md.insert("authorization", v);
                }
            }
        }
        req
    }

    /// Runs one `AnalyzePlan` call (schema, explain, version, ...) with retries.
    pub(crate) async fn analyze(
        &self,
        analyze: pb::analyze_plan_request::Analyze,
    ) -> Result<pb::analyze_plan_response::Result> {
        self.check_open()?;
        let req = pb::AnalyzePlanRequest {
            session_id: self.session_id().to_string(),
            user_context: self.user_context(),
            client_type: self.client_type(),
            analyze: Some(analyze),
            ..Default::default()
        };
        let resp = with_retries(self.retry_policy(), || {
            let req = self.request(req.clone());
            let mut grpc = self.grpc();
            async move { Ok(grpc.analyze_plan(req).await?.into_inner()) }
        })
        .await?;
        resp.result
            .ok_or_else(|| Error::protocol("AnalyzePlanResponse without a result"))
    }

    /// Runs one `Config` call with retries.
    pub(crate) async fn config(
        &self,
        op: pb::config_request::operation::OpType,
    ) -> Result<pb::ConfigResponse> {
        self.check_open()?;
        let req = pb::ConfigRequest {
            session_id: self.session_id().to_string(),
            user_context: self.user_context(),
            client_type: self.client_type(),
            operation: Some(pb::config_request::Operation { op_type: Some(op) }),
            ..Default::default()
        };
        with_retries(self.retry_policy(), || {
            let req = self.request(req.clone());
            let mut grpc = self.grpc();
            async move { Ok(grpc.config(req).await?.into_inner()) }
        })
        .await
    }

    /// Interrupts running operations; returns the ids of those interrupted.
    pub(crate) async fn interrupt(
        &self,
        kind: pb::interrupt_request::InterruptType,
        target: Option<pb::interrupt_request::Interrupt>,
    ) -> Result<Vec<String>> {
        self.check_open()?;
        let req = pb::InterruptRequest {
            session_id: self.session_id().to_string(),
            user_context: self.user_context(),
            client_type: self.client_type(),
            interrupt_type: kind as i32,
            interrupt: target,
            ..Default::default()
        };
        let resp = with_retries(self.retry_policy(), || {
            let req = self.request(req.clone());
            let mut grpc = self.grpc();
            async move { Ok(grpc.interrupt(req).await?.into_inner()) }
        })
        .await?;
        Ok(resp.interrupted_ids)
    }

    /// Starts a reattachable execution of `plan`; responses arrive on the returned stream.
    pub(crate) fn execute(&self, plan: pb::Plan, tags: Vec<String>) -> ResponseStream {
        match self.check_open() {
            Ok(()) => execute::spawn(self.clone(), plan, tags),
            Err(e) => ResponseStream::failed(e),
        }
    }

    /// Runs `plan` and returns every response except Arrow batches (for commands).
    pub(crate) async fn execute_command(
        &self,
        plan: pb::Plan,
    ) -> Result<Vec<pb::ExecutePlanResponse>> {
        let mut stream = self.execute(plan, vec![]);
        let mut out = Vec::new();
        while let Some(resp) = stream.next_response().await? {
            out.push(resp);
        }
        Ok(out)
    }
}

fn endpoint(conn: &ConnectionString, connect_timeout: Duration) -> Result<Endpoint> {
    let bad = |e: tonic::transport::Error| Error::new(ErrorKind::InvalidUrl(e.to_string()));
    let endpoint = Endpoint::from_shared(conn.endpoint_uri())
        .map_err(bad)?
        .connect_timeout(connect_timeout)
        .tcp_nodelay(true)
        // Keep idle connections alive through NATs and notice dead servers between calls.
        .http2_keep_alive_interval(Duration::from_secs(30))
        .keep_alive_timeout(Duration::from_secs(20))
        .keep_alive_while_idle(true)
        // Large flow-control windows: results are tens of MiB per second on one stream.
        .initial_stream_window_size(16 * 1024 * 1024)
        .initial_connection_window_size(32 * 1024 * 1024);
    if conn.use_ssl {
        return with_tls(endpoint, &conn.host);
    }
    Ok(endpoint)
}

#[cfg(feature = "tls")]
fn with_tls(endpoint: Endpoint, host: &str) -> Result<Endpoint> {
    let tls = tonic::transport::ClientTlsConfig::new()
        .with_webpki_roots()
        .domain_name(host);
    endpoint
        .tls_config(tls)
        .map_err(|e| Error::new(ErrorKind::InvalidUrl(format!("TLS setup: {e}"))))
}

#[cfg(not(feature = "tls"))]
fn with_tls(_endpoint: Endpoint, _host: &str) -> Result<Endpoint> {
    Err(Error::new(ErrorKind::InvalidUrl(
        "use_ssl=true (or a token) needs spark-client's `tls` feature".into(),
    )))
}

fn headers(cfg: &ClientConfig) -> Result<Vec<(AsciiMetadataKey, AsciiMetadataValue)>> {
    let mut pairs: Vec<(String, String)> = cfg
        .conn
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    pairs.extend(cfg.extra_headers.iter().cloned());
    if let Some(token) = &cfg.conn.token {
        pairs.push(("authorization".into(), format!("Bearer {token}")));
    }
    pairs
        .into_iter()
        .map(|(k, v)| {
            let key = AsciiMetadataKey::from_bytes(k.to_ascii_lowercase().as_bytes())
                .map_err(|_| Error::invalid_argument(format!("bad header name {k:?}")))?;
            let value = AsciiMetadataValue::try_from(v.as_str())
                .map_err(|_| Error::invalid_argument(format!("bad value for header {k:?}")))?;
            Ok((key, value))
        })
        .collect()
}

fn client_type(user_agent: Option<&str>) -> String {
    let ours = format!(
        "spark-client-rs/{} os/{}",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS
    );
    match user_agent {
        Some(ua) => format!("{ua} {ours}"),
        None => ours,
    }
}
