//! Parsing of `sc://host:port/;key=value;...` connection strings, in PySpark's format.
//!
//! Known keys: `token` (a bearer token; implies TLS as in PySpark unless `use_ssl=false` is given),
//! `use_ssl`, `user_id`, `user_agent` and `session_id` (a UUID). Every other key becomes a gRPC
//! metadata header sent with each call, as PySpark does.

use std::collections::BTreeMap;

use crate::errors::{Error, ErrorKind, Result};

/// The Spark Connect server's default port.
pub(crate) const DEFAULT_PORT: u16 = 15002;

/// A parsed connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConnectionString {
    /// Host name or IP address (brackets removed from IPv6 literals).
    pub host: String,
    /// TCP port; 15002 when the URL has none.
    pub port: u16,
    /// Bearer token sent as `authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Whether to speak TLS.
    pub use_ssl: bool,
    /// Sent in the `UserContext` of each request.
    pub user_id: Option<String>,
    /// Prefix of the `client_type` the server logs.
    pub user_agent: Option<String>,
    /// Reuse an existing server-side session instead of a fresh UUID.
    pub session_id: Option<String>,
    /// Any other `key=value` pair, sent as gRPC metadata.
    pub headers: BTreeMap<String, String>,
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidUrl(msg.into()))
}

impl ConnectionString {
    /// Parses `sc://host[:port][/[;key=value]*]`.
    pub fn parse(url: &str) -> Result<ConnectionString> {
        let rest = url
            .strip_prefix("sc://")
            .ok_or_else(|| invalid(format!("{url:?} must start with sc://")))?;
        let (authority, params) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let (host, port) = parse_authority(authority)?;
        let mut cs = ConnectionString {
            host,
            port,
            token: None,
            use_ssl: false,
            user_id: None,
            user_agent: None,
            session_id: None,
            headers: BTreeMap::new(),
        };
        cs.apply_params(params)?;
        Ok(cs)
    }

    fn apply_params(&mut self, params: &str) -> Result<()> {
        if !params.is_empty() && !params.starts_with(';') {
            return Err(invalid(format!(
                "the path must be empty, parameters follow `/;`, got {params:?}"
            )));
        }
        let mut use_ssl = None;
        for pair in params.split(';').filter(|p| !p.is_empty()) {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| invalid(format!("parameter {pair:?} is not key=value")))?;
            match key {
                "token" => self.token = Some(value.to_string()),
                "use_ssl" => use_ssl = Some(parse_bool(value)?),
                "user_id" => self.user_id = Some(value.to_string()),
                "user_agent" => self.user_agent = Some(value.to_string()),
                "session_id" => self.session_id = Some(parse_session_id(value)?),
                _ => {
                    self.headers.insert(key.to_string(), value.to_string());
                }
            }
        }
        // PySpark turns TLS on whenever a token is given; an explicit use_ssl=false wins here so a
        // token can be tested against a local plaintext server.
        self.use_ssl = use_ssl.unwrap_or(self.token.is_some());
        Ok(())
    }

    /// The `http(s)://host:port` endpoint tonic connects to.
    pub fn endpoint_uri(&self) -> String {
        let scheme = if self.use_ssl { "https" } else { "http" };
        if self.host.contains(':') {
            format!("{scheme}://[{}]:{}", self.host, self.port)
        } else {
            format!("{scheme}://{}:{}", self.host, self.port)
        }
    }
}

fn parse_authority(authority: &str) -> Result<(String, u16)> {
    if authority.is_empty() {
        return Err(invalid("missing host"));
    }
    // IPv6 literal: [::1]:15002
    if let Some(rest) = authority.strip_prefix('[') {
        let end = rest
            .find(']')
            .ok_or_else(|| invalid("unclosed [ in host"))?;
        let host = rest[..end].to_string();
        let port = match rest[end + 1..].strip_prefix(':') {
            Some(p) => parse_port(p)?,
            None if rest[end + 1..].is_empty() => DEFAULT_PORT,
            None => return Err(invalid(format!("bad authority {authority:?}"))),
        };
        return Ok((host, port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Ok((host.to_string(), parse_port(port)?)),
        None => Ok((authority.to_string(), DEFAULT_PORT)),
    }
}

fn parse_port(port: &str) -> Result<u16> {
    port.parse()
        .map_err(|_| invalid(format!("bad port {port:?}")))
}

fn parse_bool(value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(invalid(format!(
            "use_ssl must be true or false, got {value:?}"
        ))),
    }
}

fn parse_session_id(value: &str) -> Result<String> {
    uuid::Uuid::parse_str(value)
        .map(|u| u.to_string())
        .map_err(|_| invalid(format!("session_id must be a UUID, got {value:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_default_port() {
        let cs = ConnectionString::parse("sc://localhost").unwrap();
        assert_eq!((cs.host.as_str(), cs.port), ("localhost", 15002));
        assert!(!cs.use_ssl);
        assert_eq!(cs.endpoint_uri(), "http://localhost:15002");
    }

    #[test]
    fn all_params() {
        let sid = "8c5e3a52-0ff5-4f4a-9b4a-0d8e0e1c2a3b";
        let cs = ConnectionString::parse(&format!(
            "sc://spark.example:443/;token=abc;user_id=ana;user_agent=mindy;session_id={sid};x-trace=1"
        ))
        .unwrap();
        assert_eq!(cs.port, 443);
        assert_eq!(cs.token.as_deref(), Some("abc"));
        assert!(cs.use_ssl, "a token implies TLS");
        assert_eq!(cs.user_id.as_deref(), Some("ana"));
        assert_eq!(cs.user_agent.as_deref(), Some("mindy"));
        assert_eq!(cs.session_id.as_deref(), Some(sid));
        assert_eq!(cs.headers["x-trace"], "1");
        assert_eq!(cs.endpoint_uri(), "https://spark.example:443");
    }

    #[test]
    fn explicit_use_ssl_wins() {
        let cs = ConnectionString::parse("sc://127.0.0.1:15002/;token=t;use_ssl=false").unwrap();
        assert!(!cs.use_ssl);
        let cs = ConnectionString::parse("sc://h/;use_ssl=true").unwrap();
        assert!(cs.use_ssl);
    }

    #[test]
    fn ipv6() {
        let cs = ConnectionString::parse("sc://[::1]:15003").unwrap();
        assert_eq!((cs.host.as_str(), cs.port), ("::1", 15003));
        assert_eq!(cs.endpoint_uri(), "http://[::1]:15003");
    }

    #[test]
    fn rejects_bad_urls() {
        for url in [
            "http://h:1",
            "sc://",
            "sc://h:port",
            "sc://h/path",
            "sc://h/;novalue",
            "sc://h/;use_ssl=maybe",
            "sc://h/;session_id=not-a-uuid",
        ] {
            let err = ConnectionString::parse(url).unwrap_err();
            assert!(
                matches!(err.kind(), ErrorKind::InvalidUrl(_)),
                "{url}: {err}"
            );
        }
    }
}
