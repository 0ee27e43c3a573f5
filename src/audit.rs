//! The audit log: one JSON line for every call that writes (or tries to).
//!
//! A line is written for each call of a write tool and for each escape-hatch call with a writing
//! method, whatever its outcome: done, failed upstream, or refused by validation or the policy.
//! Lines go to stderr (the default) or are appended to a file, written whole so they never
//! interleave with log lines. Arguments are copied with every value under a key that looks like
//! a credential (`api_key`, `password`, `token`, `secret`, `authorization`, ...) replaced by
//! `***`, and known secret values are scrubbed from every string.

use crate::error::{StartupError, ToolError};
use serde::Serialize;
use serde_json::{Map, Value};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// Key fragments whose values are never written to an audit line.
const SECRET_KEYS: [&str; 8] = [
    "api_key",
    "apikey",
    "password",
    "passwd",
    "token",
    "secret",
    "authorization",
    "auth_key",
];

/// Where audit lines go.
#[derive(Debug)]
pub enum AuditSink {
    Off,
    Stderr,
    File {
        path: PathBuf,
        file: Mutex<std::fs::File>,
    },
}

impl AuditSink {
    /// Reads the setting: a boolean (`true` = stderr, the default) or a file path to append to.
    pub fn from_setting(setting: &str, value: Option<&str>) -> Result<AuditSink, StartupError> {
        let Some(v) = value else {
            return Ok(AuditSink::Stderr);
        };
        if let Some(on) = crate::settings::parse_bool(v) {
            return Ok(if on {
                AuditSink::Stderr
            } else {
                AuditSink::Off
            });
        }
        if v.eq_ignore_ascii_case("stderr") {
            return Ok(AuditSink::Stderr);
        }
        let path = PathBuf::from(v);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| {
                StartupError::Config(format!(
                    "{setting}={v}: cannot open the audit file for appending: {e}"
                ))
            })?;
        Ok(AuditSink::File {
            path,
            file: Mutex::new(file),
        })
    }

    pub fn describe(&self) -> String {
        match self {
            AuditSink::Off => "off".into(),
            AuditSink::Stderr => "stderr".into(),
            AuditSink::File { path, .. } => path.display().to_string(),
        }
    }

    fn write_line(&self, line: &str) {
        let mut bytes = line.as_bytes().to_vec();
        bytes.push(b'\n');
        let result = match self {
            AuditSink::Off => Ok(()),
            AuditSink::Stderr => std::io::stderr().lock().write_all(&bytes),
            AuditSink::File { file, .. } => match file.lock() {
                Ok(mut f) => f.write_all(&bytes).and_then(|_| f.flush()),
                Err(poisoned) => poisoned.into_inner().write_all(&bytes),
            },
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "cannot write the audit line");
        }
    }
}

/// What happened to an audited call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The backend accepted the call.
    Ok,
    /// The call reached the backend (or tried to) and failed.
    Error,
    /// The gateway refused the call before sending anything.
    Refused,
}

/// One audit line.
#[derive(Debug, Serialize)]
pub struct AuditRecord<'a> {
    pub ts: String,
    pub backend: &'a str,
    /// The backend instance, when the configuration file names several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<&'a str>,
    pub tool: &'a str,
    pub user: Option<&'a str>,
    /// The authenticated HTTP client (a token's name), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<&'a str>,
    pub args: Value,
    pub target: Option<String>,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_status: Option<u16>,
    pub duration_ms: u64,
}

/// The HTTP client a request was authenticated as (a token's name), carried in the request's
/// extensions from the transport to the audit line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller(pub String);

/// The audit log of a gateway.
#[derive(Debug)]
pub struct Audit {
    sink: AuditSink,
}

impl Audit {
    pub fn new(sink: AuditSink) -> Self {
        Audit { sink }
    }

    pub fn enabled(&self) -> bool {
        !matches!(self.sink, AuditSink::Off)
    }

    pub fn describe(&self) -> String {
        self.sink.describe()
    }

    /// Writes one line. `scrub` removes known secret values from strings.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &self,
        backend: &str,
        instance: Option<&str>,
        tool: &str,
        user: Option<&str>,
        client: Option<&str>,
        args: &Map<String, Value>,
        target: Option<String>,
        result: Result<(), &ToolError>,
        refused: bool,
        elapsed: Duration,
        scrub: &dyn Fn(&str) -> String,
    ) {
        if !self.enabled() {
            return;
        }
        let (outcome, code, error, upstream_status) = match result {
            Ok(()) => (Outcome::Ok, None, None, None),
            Err(e) => (
                if refused {
                    Outcome::Refused
                } else {
                    Outcome::Error
                },
                Some(e.code.as_str()),
                Some(scrub(&e.message)),
                e.upstream_status,
            ),
        };
        let record = AuditRecord {
            ts: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            backend,
            instance,
            tool,
            user,
            client,
            args: redact(&Value::Object(args.clone()), scrub),
            target: target.map(|t| scrub(&t)),
            outcome,
            code,
            error,
            upstream_status,
            duration_ms: elapsed.as_millis() as u64,
        };
        match serde_json::to_string(&record) {
            Ok(line) => self.sink.write_line(&line),
            Err(e) => tracing::error!(error = %e, "cannot encode the audit line"),
        }
    }
}

/// Whether a key names a credential.
fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace('-', "_");
    SECRET_KEYS.iter().any(|s| k.contains(s))
}

/// A copy of `value` with credential-like keys masked and secrets scrubbed from strings.
pub fn redact(value: &Value, scrub: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_secret_key(k) && !v.is_null() {
                        Value::String("***".into())
                    } else {
                        redact(v, scrub)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| redact(v, scrub)).collect()),
        Value::String(s) => Value::String(scrub(s)),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn credentials_are_masked_at_any_depth() {
        let scrub = |s: &str| s.replace("hunter2", "***");
        let v = json!({
            "host": "web-01",
            "data": {"Api-Key": "k1", "nested": [{"password": "p"}, {"comment": "pw is hunter2"}]},
            "params": {"X-Auth-Token": "t", "limit": 5},
            "authorization": "Bearer abc",
        });
        let out = redact(&v, &scrub);
        let text = out.to_string();
        for secret in ["k1", "\"p\"", "\"t\"", "Bearer abc", "hunter2"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(out["host"], "web-01");
        assert_eq!(out["params"]["limit"], 5);
        assert_eq!(out["data"]["Api-Key"], "***");
    }

    #[test]
    fn setting_forms() {
        assert!(matches!(
            AuditSink::from_setting("X", None),
            Ok(AuditSink::Stderr)
        ));
        assert!(matches!(
            AuditSink::from_setting("X", Some("off")),
            Ok(AuditSink::Off)
        ));
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit.log");
        let sink = AuditSink::from_setting("X", path.to_str()).expect("file sink");
        sink.write_line("{\"a\":1}");
        sink.write_line("{\"a\":2}");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(text, "{\"a\":1}\n{\"a\":2}\n");
        assert!(AuditSink::from_setting("X", Some("/no/such/dir/audit.log")).is_err());
    }
}
