//! The gateway's error vocabulary.
//!
//! Two kinds of failure exist and they never mix:
//! - [`ToolError`]: a tool call that could not be served. It reaches the assistant as an MCP tool
//!   result with `isError: true` and a structured body `{code, message, hint, upstream_status}`,
//!   so the model (and the person reading along) can tell a typo from an outage.
//! - [`StartupError`]: the configuration or a catalog is wrong. It stops the process before any
//!   client is served, and names the file, the key and the problem.

use serde::Serialize;
use std::fmt;

/// Stable, machine-readable error codes. Clients may match on them; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    ValidationError,
    NotFound,
    Conflict,
    AuthFailed,
    Forbidden,
    RateLimited,
    Timeout,
    ConnectionError,
    UpstreamError,
    ResponseTooLarge,
    ReadOnly,
    ToolDisabled,
    Internal,
}

impl ErrorCode {
    /// The wire spelling, as used in structured results and catalogs.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationError => "VALIDATION_ERROR",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::AuthFailed => "AUTH_FAILED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::ConnectionError => "CONNECTION_ERROR",
            ErrorCode::UpstreamError => "UPSTREAM_ERROR",
            ErrorCode::ResponseTooLarge => "RESPONSE_TOO_LARGE",
            ErrorCode::ReadOnly => "READ_ONLY",
            ErrorCode::ToolDisabled => "TOOL_DISABLED",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl ErrorCode {
    /// Reads a code as written in a catalog.
    pub fn parse(s: &str) -> Option<ErrorCode> {
        const ALL: [ErrorCode; 13] = [
            ErrorCode::ValidationError,
            ErrorCode::NotFound,
            ErrorCode::Conflict,
            ErrorCode::AuthFailed,
            ErrorCode::Forbidden,
            ErrorCode::RateLimited,
            ErrorCode::Timeout,
            ErrorCode::ConnectionError,
            ErrorCode::UpstreamError,
            ErrorCode::ResponseTooLarge,
            ErrorCode::ReadOnly,
            ErrorCode::ToolDisabled,
            ErrorCode::Internal,
        ];
        ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed tool call, as the assistant sees it.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ToolError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_status: Option<u16>,
    /// Seconds after which trying again makes sense (rate limits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

impl ToolError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ToolError {
            code,
            message: message.into(),
            hint: None,
            upstream_status: None,
            retry_after_secs: None,
        }
    }

    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.upstream_status = Some(status);
        self
    }

    /// A bad argument: the message names it.
    pub fn validation(message: impl Into<String>) -> Self {
        ToolError::new(ErrorCode::ValidationError, message)
    }

    /// The text mirror of the structured body, for clients that ignore `structuredContent`.
    pub fn to_text(&self) -> String {
        let mut text = format!("{}: {}", self.code, self.message);
        if let Some(status) = self.upstream_status {
            text.push_str(&format!(" (upstream HTTP {status})"));
        }
        if let Some(hint) = &self.hint {
            text.push_str(&format!("\nHint: {hint}"));
        }
        text
    }
}

/// Why the gateway refused to start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{file}: {message}")]
    Catalog { file: String, message: String },
    #[error("configuration: {0}")]
    Config(String),
    #[error("{file}: {message}")]
    ConfigFile { file: String, message: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl StartupError {
    /// A mistake in the configuration file `file`.
    pub fn config_file(file: impl Into<String>, message: impl Into<String>) -> Self {
        StartupError::ConfigFile {
            file: file.into(),
            message: message.into(),
        }
    }

    pub fn catalog(file: impl Into<String>, message: impl Into<String>) -> Self {
        StartupError::Catalog {
            file: file.into(),
            message: message.into(),
        }
    }
}
