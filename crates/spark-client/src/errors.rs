//! Errors: one opaque [`Error`] with a [`#[non_exhaustive]`](ErrorKind) kind.
//!
//! Server failures keep what Spark put in the gRPC status details
//! (`google.rpc.ErrorInfo`): the error class (`UNRESOLVED_COLUMN.WITH_SUGGESTION`), the SQLSTATE, the
//! server-side error id and the message parameters, so callers can match on the class instead of parsing
//! messages.

use std::collections::BTreeMap;
use std::fmt;

use prost::Message;

/// The result type of every fallible call in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error from the client or the Spark Connect server.
///
/// The kind is boxed so `Result<T>` stays one pointer wide on the happy path.
#[derive(Debug)]
pub struct Error {
    kind: Box<ErrorKind>,
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The `sc://` connection string could not be parsed.
    InvalidUrl(String),
    /// An argument was rejected before anything was sent (e.g. a streaming source without its required options).
    InvalidArgument(String),
    /// The server answered with an error status (analysis errors, unknown tables, failed jobs, ...).
    Server(ServerError),
    /// The transport failed (connection refused, TLS handshake, ...) and retries, if any, were exhausted.
    Transport(String),
    /// An Arrow IPC payload could not be encoded or decoded.
    Arrow(String),
    /// A JSON document from the server (e.g. streaming progress) could not be decoded.
    Json(String),
    /// The server answered with a message this client did not expect.
    Protocol(String),
    /// A result value could not be read as the Rust type asked for (another type, a null read as
    /// a non-`Option`, a column that is not there); see [`rows`](crate::rows).
    Value(String),
}

/// An error reported by the Spark Connect server, with the details it attached.
#[derive(Debug, Clone)]
pub struct ServerError {
    /// The gRPC status code, as its number (`14` = UNAVAILABLE, `13` = INTERNAL, ...).
    code: i32,
    /// The status message; Spark puts the human-readable error here.
    message: String,
    /// The JVM exception class (`ErrorInfo.reason`), e.g. `org.apache.spark.sql.AnalysisException`.
    reason: Option<String>,
    /// Spark's error class, e.g. `UNRESOLVED_COLUMN.WITH_SUGGESTION`.
    error_class: Option<String>,
    /// The SQLSTATE, when the server sent one (Spark 4 always does; 3.5 rarely).
    sql_state: Option<String>,
    /// The server-side id of the error (for `FetchErrorDetails` on 4.x servers).
    error_id: Option<String>,
    /// The error class' message parameters.
    message_parameters: BTreeMap<String, String>,
    /// The JVM exception class and its superclasses (`ErrorInfo.metadata["classes"]`).
    exception_classes: Vec<String>,
}

impl Error {
    /// The kind of this error.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Consumes the error and returns its kind.
    pub fn into_kind(self) -> ErrorKind {
        *self.kind
    }

    /// The server's details, if the server raised this error.
    pub fn server(&self) -> Option<&ServerError> {
        match &*self.kind {
            ErrorKind::Server(e) => Some(e),
            _ => None,
        }
    }

    /// Spark's error class (e.g. `TABLE_OR_VIEW_NOT_FOUND`), if the server sent one.
    pub fn error_class(&self) -> Option<&str> {
        self.server().and_then(ServerError::error_class)
    }

    /// Whether retrying the same call could succeed (the server or the network was unavailable).
    pub fn is_retriable(&self) -> bool {
        match &*self.kind {
            ErrorKind::Server(e) => e.is_retriable(),
            ErrorKind::Transport(_) => true,
            _ => false,
        }
    }

    pub(crate) fn new(kind: ErrorKind) -> Error {
        Error {
            kind: Box::new(kind),
        }
    }

    pub(crate) fn invalid_argument(msg: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidArgument(msg.into()))
    }

    pub(crate) fn protocol(msg: impl Into<String>) -> Error {
        Error::new(ErrorKind::Protocol(msg.into()))
    }

    pub(crate) fn arrow(err: impl fmt::Display) -> Error {
        Error::new(ErrorKind::Arrow(err.to_string()))
    }

    pub(crate) fn json(err: impl fmt::Display) -> Error {
        Error::new(ErrorKind::Json(err.to_string()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.kind {
            ErrorKind::InvalidUrl(m) => write!(f, "invalid Spark Connect URL: {m}"),
            ErrorKind::InvalidArgument(m) => write!(f, "invalid argument: {m}"),
            ErrorKind::Server(e) => e.fmt(f),
            ErrorKind::Transport(m) => write!(f, "transport error: {m}"),
            ErrorKind::Arrow(m) => write!(f, "Arrow error: {m}"),
            ErrorKind::Json(m) => write!(f, "JSON error: {m}"),
            ErrorKind::Protocol(m) => write!(f, "unexpected server response: {m}"),
            ErrorKind::Value(m) => write!(f, "cannot read the value: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error::new(kind)
    }
}

impl From<arrow_schema::ArrowError> for Error {
    fn from(err: arrow_schema::ArrowError) -> Error {
        Error::arrow(err)
    }
}

impl From<tonic::Status> for Error {
    fn from(status: tonic::Status) -> Error {
        // Statuses tonic makes up from a local I/O or HTTP/2 failure carry the cause as their
        // source (a dropped connection is `Unknown: transport error`, not UNAVAILABLE as in
        // grpc-core); statuses sent by the server never do.
        if let Some(source) = std::error::Error::source(&status) {
            return Error::new(ErrorKind::Transport(error_chain(&status, source)));
        }
        Error::new(ErrorKind::Server(ServerError::from_status(&status)))
    }
}

fn error_chain(status: &tonic::Status, source: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = format!("{}: {}", status.code(), status.message());
    let mut cause = Some(source);
    while let Some(c) = cause {
        let text = c.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        cause = c.source();
    }
    msg
}

impl ServerError {
    /// The gRPC status code number (`14` = UNAVAILABLE, `13` = INTERNAL, `3` = INVALID_ARGUMENT, ...).
    pub fn grpc_code(&self) -> i32 {
        self.code
    }

    /// The status message; Spark puts the human-readable error here.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JVM exception class, e.g. `org.apache.spark.sql.AnalysisException`.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// Spark's error class, e.g. `UNRESOLVED_COLUMN.WITH_SUGGESTION`.
    pub fn error_class(&self) -> Option<&str> {
        self.error_class.as_deref()
    }

    /// The SQLSTATE, e.g. `42703`.
    pub fn sql_state(&self) -> Option<&str> {
        self.sql_state.as_deref()
    }

    /// The server-side error id.
    pub fn error_id(&self) -> Option<&str> {
        self.error_id.as_deref()
    }

    /// The error class' message parameters (e.g. `objectName`, `proposal`). Spark 4 sends them;
    /// Spark 3.5 sends none (they are only in the message text).
    pub fn message_parameters(&self) -> &BTreeMap<String, String> {
        &self.message_parameters
    }

    /// The JVM exception class and its superclasses, most specific first, e.g.
    /// `["org.apache.spark.sql.catalyst.parser.ParseException", "org.apache.spark.sql.AnalysisException", ...]`
    /// (what PySpark picks its exception type by).
    pub fn exception_classes(&self) -> &[String] {
        &self.exception_classes
    }

    /// Whether the server failed to parse SQL (`ParseException`, PySpark's `ParseException`).
    pub fn is_parse_error(&self) -> bool {
        self.is_a("org.apache.spark.sql.catalyst.parser.ParseException")
    }

    /// Whether the plan failed analysis (`AnalysisException`, parse errors included), as opposed
    /// to a failure while running.
    pub fn is_analysis_error(&self) -> bool {
        self.is_a("org.apache.spark.sql.AnalysisException")
    }

    fn is_a(&self, class: &str) -> bool {
        self.reason.as_deref() == Some(class) || self.exception_classes.iter().any(|c| c == class)
    }

    /// Whether the error is worth retrying: the server was unavailable, or a reattach raced an open cursor.
    pub fn is_retriable(&self) -> bool {
        // The list PySpark 3.5 retries on (`_is_retryable_error`): UNAVAILABLE, and INTERNAL carrying
        // INVALID_CURSOR.DISCONNECTED (a reattach that arrived while the previous stream was still attached).
        self.code == tonic::Code::Unavailable as i32
            || (self.code == tonic::Code::Internal as i32
                && self.message.contains("INVALID_CURSOR.DISCONNECTED"))
    }

    pub(crate) fn from_status(status: &tonic::Status) -> ServerError {
        let mut err = ServerError {
            code: status.code() as i32,
            message: status.message().to_string(),
            reason: None,
            error_class: None,
            sql_state: None,
            error_id: None,
            message_parameters: BTreeMap::new(),
            exception_classes: Vec::new(),
        };
        if let Some(info) = decode_error_info(status.details()) {
            err.apply_error_info(info);
        }
        if err.error_class.is_none() {
            err.error_class = error_class_from_message(&err.message);
        }
        if err.sql_state.is_none() {
            err.sql_state = sql_state_from_message(&err.message);
        }
        err
    }

    fn apply_error_info(&mut self, info: ErrorInfo) {
        let mut meta = info.metadata;
        if !info.reason.is_empty() {
            self.reason = Some(info.reason);
        }
        // 4.x sends "errorClass" (newer: "condition"); empty values mean "none".
        let non_empty = |v: Option<String>| v.filter(|v| !v.is_empty());
        self.error_class =
            non_empty(meta.remove("errorClass")).or(non_empty(meta.remove("condition")));
        self.sql_state = non_empty(meta.remove("sqlState"));
        self.error_id = non_empty(meta.remove("errorId"));
        if let Some(params) = meta.remove("messageParameters") {
            self.message_parameters = serde_json::from_str(&params).unwrap_or_default();
        }
        if let Some(classes) = meta.remove("classes") {
            self.exception_classes = serde_json::from_str(&classes).unwrap_or_default();
        }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = self.error_class.as_deref().unwrap_or("");
        // Spark's messages usually start with `[ERROR_CLASS] ` (parse errors after a newline);
        // print the class once.
        let message = self.message.trim_start();
        if class.is_empty() || message.starts_with(&format!("[{class}]")) {
            write!(f, "{message}")?;
        } else {
            write!(f, "[{class}] {message}")?;
        }
        if let Some(state) = &self.sql_state {
            if !self.message.contains("SQLSTATE") {
                write!(f, " SQLSTATE: {state}")?;
            }
        }
        Ok(())
    }
}

/// Spark 3.5 does not put the error class into ErrorInfo; its messages start with `[CLASS] `
/// (parse errors after a newline: `"\n[PARSE_SYNTAX_ERROR] Syntax error at or near ..."`).
///
/// A failed job's message names the class only after the exception that failed the task:
/// `Job aborted due to stage failure: ... org.apache.spark.SparkArithmeticException:
/// [DIVIDE_BY_ZERO] Division by zero ...`; that cause's class is the error's class.
pub(crate) fn error_class_from_message(message: &str) -> Option<String> {
    if let Some(class) = message
        .trim_start()
        .strip_prefix('[')
        .and_then(bracketed_class)
    {
        return Some(class);
    }
    message
        .match_indices("Exception: [")
        .find_map(|(at, m)| bracketed_class(&message[at + m.len()..]))
}

/// `CLASS.SUB` from `CLASS.SUB] ...`, if it is spelled like an error class.
fn bracketed_class(rest: &str) -> Option<String> {
    let end = rest.find(']')?;
    let class = &rest[..end];
    let valid = !class.is_empty()
        && class
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '.');
    valid.then(|| class.to_string())
}

/// Spark 4 ends its messages with ` SQLSTATE: 42703.` when the class has one.
fn sql_state_from_message(message: &str) -> Option<String> {
    let at = message.rfind("SQLSTATE: ")?;
    let state: String = message[at + "SQLSTATE: ".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    (state.len() == 5).then_some(state)
}

/// `google.rpc.Status`, as sent in the `grpc-status-details-bin` trailer.
#[derive(Clone, PartialEq, Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

/// `google.rpc.ErrorInfo`: Spark fills `reason` with the exception class and `metadata` with the rest.
#[derive(Clone, PartialEq, Message)]
struct ErrorInfo {
    #[prost(string, tag = "1")]
    reason: String,
    #[prost(string, tag = "2")]
    domain: String,
    #[prost(btree_map = "string, string", tag = "3")]
    metadata: BTreeMap<String, String>,
}

const ERROR_INFO_TYPE: &str = "type.googleapis.com/google.rpc.ErrorInfo";

fn decode_error_info(details: &[u8]) -> Option<ErrorInfo> {
    if details.is_empty() {
        return None;
    }
    let status = RpcStatus::decode(details).ok()?;
    status
        .details
        .iter()
        .find(|any| any.type_url == ERROR_INFO_TYPE)
        .and_then(|any| ErrorInfo::decode(any.value.as_slice()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_with_info(code: tonic::Code, msg: &str, meta: &[(&str, &str)]) -> tonic::Status {
        let info = ErrorInfo {
            reason: "org.apache.spark.sql.AnalysisException".into(),
            domain: "org.apache.spark".into(),
            metadata: meta
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let status = RpcStatus {
            code: code as i32,
            message: msg.into(),
            details: vec![prost_types::Any {
                type_url: ERROR_INFO_TYPE.into(),
                value: info.encode_to_vec(),
            }],
        };
        tonic::Status::with_details(code, msg, status.encode_to_vec().into())
    }

    #[test]
    fn decodes_error_info() {
        let status = status_with_info(
            tonic::Code::InvalidArgument,
            "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column `nope` cannot be resolved.",
            &[
                ("errorClass", "UNRESOLVED_COLUMN.WITH_SUGGESTION"),
                ("sqlState", "42703"),
                ("messageParameters", r#"{"objectName":"`nope`"}"#),
            ],
        );
        let err = Error::from(status);
        let server = err.server().unwrap();
        assert_eq!(
            server.error_class(),
            Some("UNRESOLVED_COLUMN.WITH_SUGGESTION")
        );
        assert_eq!(server.sql_state(), Some("42703"));
        assert_eq!(
            server.reason(),
            Some("org.apache.spark.sql.AnalysisException")
        );
        assert_eq!(server.message_parameters()["objectName"], "`nope`");
        assert!(!err.is_retriable());
        let shown = err.to_string();
        assert!(shown.starts_with("[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column"));
        assert!(shown.ends_with("SQLSTATE: 42703"));
    }

    #[test]
    fn class_falls_back_to_message_prefix() {
        let err = Error::from(tonic::Status::internal(
            "[TABLE_OR_VIEW_NOT_FOUND] The table",
        ));
        assert_eq!(err.error_class(), Some("TABLE_OR_VIEW_NOT_FOUND"));
        let err = Error::from(tonic::Status::internal("[not a class] x"));
        assert_eq!(err.error_class(), None);
    }

    #[test]
    fn parse_errors_keep_their_class_after_the_leading_newline() {
        // What Spark 3.5 sends for `spark.sql("SELEC 1")`: a newline, then the class.
        let status = status_with_info(
            tonic::Code::Internal,
            "\n[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'.(line 1, pos 0)\n\n== SQL ==\nSELEC 1\n^^^\n",
            &[(
                "classes",
                r#"["org.apache.spark.sql.catalyst.parser.ParseException","org.apache.spark.sql.AnalysisException"]"#,
            )],
        );
        let err = Error::from(status);
        assert_eq!(err.error_class(), Some("PARSE_SYNTAX_ERROR"));
        let server = err.server().unwrap();
        assert!(server.is_parse_error() && server.is_analysis_error());
        assert_eq!(server.sql_state(), None);
        assert!(
            err.to_string()
                .starts_with("[PARSE_SYNTAX_ERROR] Syntax error"),
            "{err}"
        );
    }

    #[test]
    fn a_failed_job_takes_the_class_of_its_cause() {
        // What Spark 3.5 sends when a task fails on an ANSI division by zero.
        let err = Error::from(tonic::Status::internal(
            "Job aborted due to stage failure: Task 1 in stage 7.0 failed 4 times, most recent \
             failure: Lost task 1.3 in stage 7.0 (TID 9) (127.0.0.1 executor 1): \
             org.apache.spark.SparkArithmeticException: [DIVIDE_BY_ZERO] Division by zero. Use \
             `try_divide` to tolerate divisor being 0 and return NULL instead.\n\tat org.apache...",
        ));
        assert_eq!(err.error_class(), Some("DIVIDE_BY_ZERO"));
        let plain = Error::from(tonic::Status::internal(
            "Job aborted: java.lang.IllegalStateException: [not a class] boom",
        ));
        assert_eq!(plain.error_class(), None);
    }

    #[test]
    fn spark4_metadata_and_message_sqlstate() {
        let status = status_with_info(
            tonic::Code::Internal,
            "[DIVIDE_BY_ZERO] Division by zero. SQLSTATE: 22012",
            &[("errorClass", "DIVIDE_BY_ZERO"), ("sqlState", "")],
        );
        let err = Error::from(status);
        assert_eq!(err.error_class(), Some("DIVIDE_BY_ZERO"));
        assert_eq!(err.server().unwrap().sql_state(), Some("22012"));
        assert!(!err.server().unwrap().is_parse_error());
    }

    #[test]
    fn local_transport_failures_are_retriable() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let status = tonic::Status::from_error(Box::new(io));
        let err = Error::from(status);
        assert!(matches!(err.kind(), ErrorKind::Transport(_)), "{err:?}");
        assert!(err.is_retriable());
        assert!(err.to_string().contains("reset by peer"), "{err}");
    }

    #[test]
    fn retriable_codes() {
        assert!(Error::from(tonic::Status::unavailable("down")).is_retriable());
        assert!(Error::from(tonic::Status::internal(
            "INVALID_CURSOR.DISCONNECTED: the cursor"
        ))
        .is_retriable());
        assert!(!Error::from(tonic::Status::internal("boom")).is_retriable());
    }
}
