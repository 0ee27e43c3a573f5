//! Reading settings from the environment, the way every lookout deployment expects.
//!
//! Empty values and the Docker MCP Gateway's placeholder `<UNKNOWN>` (what it passes for a
//! secret the user never set) mean "unset", so a catalog entry started with dummy secrets
//! behaves like one with none. `lookout demo` injects its own values as overrides instead of
//! mutating the process environment.

use crate::audit::AuditSink;
use crate::catalog::{Catalog, Setting};
use crate::error::StartupError;
use crate::policy::{Patterns, Policy, PolicyNames};
use crate::upstream::Tuning;
use crate::upstream::layers::{Rate, RetrySettings};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// The placeholder the Docker MCP Gateway passes for unset secrets.
pub const DOCKER_UNSET: &str = "<UNKNOWN>";

/// Settings lookup in three layers: overrides (the command line, `lookout demo`), then the
/// process environment, then one instance's values from the configuration file.
#[derive(Debug, Clone, Default)]
pub struct Env {
    overrides: HashMap<String, String>,
    process: bool,
    file: HashMap<String, String>,
}

impl Env {
    /// The process environment.
    pub fn from_process() -> Self {
        Env {
            overrides: HashMap::new(),
            process: true,
            file: HashMap::new(),
        }
    }

    /// Only the given values (tests).
    pub fn isolated(values: impl IntoIterator<Item = (String, String)>) -> Self {
        Env {
            overrides: values.into_iter().collect(),
            process: false,
            file: HashMap::new(),
        }
    }

    /// Sets a value that wins over the process environment.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.overrides.insert(name.into(), value.into());
    }

    /// This environment with a configuration file's values below it.
    pub fn with_file_layer(&self, file: HashMap<String, String>) -> Env {
        Env {
            overrides: self.overrides.clone(),
            process: self.process,
            file,
        }
    }

    /// A value in one layer, `None` when unset, empty or `<UNKNOWN>`.
    fn layer(&self, layer: usize, name: &str) -> Option<String> {
        let raw = match layer {
            0 => self.overrides.get(name).cloned(),
            1 if self.process => std::env::var(name).ok(),
            2 => self.file.get(name).cloned(),
            _ => None,
        }?;
        let trimmed = raw.trim();
        (!trimmed.is_empty() && trimmed != DOCKER_UNSET).then(|| trimmed.to_string())
    }

    /// The value of `name`, or `None` when unset, empty or `<UNKNOWN>`.
    pub fn get(&self, name: &str) -> Option<String> {
        (0..3).find_map(|layer| self.layer(layer, name))
    }

    /// The value of `name` from the command line or the process environment only.
    pub fn process_value(&self, name: &str) -> Option<String> {
        (0..2).find_map(|layer| self.layer(layer, name))
    }

    /// The first of `names` that is set, layer by layer: a name set on the command line wins
    /// over one set in the environment, which wins over the file, whatever their order in
    /// `names` (the order breaks ties within a layer).
    pub fn get_first(&self, names: &[&str]) -> Option<(String, String)> {
        (0..3).find_map(|layer| {
            names
                .iter()
                .find_map(|n| self.layer(layer, n).map(|v| (n.to_string(), v)))
        })
    }

    /// A boolean in the forms people write: 1/true/yes/on and 0/false/no/off.
    pub fn get_bool(&self, name: &str) -> Result<Option<bool>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => parse_bool(&v)
                .map(Some)
                .ok_or_else(|| format!("{name}={v} is not a boolean (use true or false)")),
        }
    }

    /// Resolves a catalog setting: the variable if set, else the default.
    pub fn resolve(&self, setting: &Setting) -> Option<Value> {
        if let Some(v) = setting.env.as_deref().and_then(|name| self.get(name)) {
            return Some(Value::String(v));
        }
        setting.default.clone()
    }
}

pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Default size budget of one tool result, in bytes of JSON (about 15k tokens: well under the
/// 25,000-token limit Claude Code puts on a tool result).
pub const DEFAULT_RESULT_BUDGET: usize = 60_000;

/// Everything about one backend instance that is not in its catalog: the safety policy, the
/// audit log, the upstream client's limits and the result budget.
#[derive(Debug)]
pub struct BackendSettings {
    pub policy: Policy,
    pub policy_names: PolicyNames,
    pub audit: AuditSink,
    pub tuning: Tuning,
    pub result_budget: usize,
    /// HTTP mode forwards each client request's own upstream key (`from_client` headers).
    /// Only meaningful with `--listen`; the gateway turns it off on stdio.
    pub key_passthrough: bool,
    /// The variable that turned key passthrough on, for messages.
    pub key_passthrough_name: String,
}

/// Looks up a generic setting: the backend's own variable first, then `LOOKOUT_<generic>`.
/// Returns the variable that was set and its value.
fn lookup(env: &Env, own: Option<&str>, generic: &str) -> Option<(String, String)> {
    match own {
        Some(own) => env.get_first(&[own, generic]),
        None => env.get_first(&[generic]),
    }
}

/// The name to show in hints: the backend's own variable if it has one, else the generic.
fn shown(own: Option<&str>, generic: &str) -> String {
    own.map(|o| format!("{o} or {generic}"))
        .unwrap_or_else(|| generic.to_string())
}

fn parse_number<T: std::str::FromStr>(
    env: &Env,
    own: Option<&str>,
    generic: &str,
    what: &str,
    ok: impl Fn(&T) -> bool,
) -> Result<Option<T>, StartupError> {
    match lookup(env, own, generic) {
        None => Ok(None),
        Some((name, v)) => v
            .parse::<T>()
            .ok()
            .filter(|n| ok(n))
            .map(Some)
            .ok_or_else(|| StartupError::Config(format!("{name}={v}: {what}"))),
    }
}

impl BackendSettings {
    /// Resolves the settings of the backend described by `catalog` from the environment.
    pub fn resolve(env: &Env, catalog: &Catalog) -> Result<BackendSettings, StartupError> {
        let names = &catalog.setting_env;
        let flag = |own: &Option<String>, generic: &str| -> Result<bool, StartupError> {
            match lookup(env, own.as_deref(), generic) {
                None => Ok(false),
                Some((name, v)) => parse_bool(&v).ok_or_else(|| {
                    StartupError::Config(format!("{name}={v} is not a boolean (use true or false)"))
                }),
            }
        };
        let read_only = flag(&names.read_only, "LOOKOUT_READ_ONLY")?;
        let key_passthrough = flag(&names.key_passthrough, "LOOKOUT_KEY_PASSTHROUGH")?;
        let patterns =
            |own: &Option<String>, generic: &str| match lookup(env, own.as_deref(), generic) {
                None => Ok(None),
                Some((name, v)) => Patterns::parse(&name, &v),
            };
        let policy = Policy {
            read_only,
            enabled: patterns(&names.enabled_tools, "LOOKOUT_ENABLED_TOOLS")?,
            disabled: patterns(&names.disabled_tools, "LOOKOUT_DISABLED_TOOLS")?,
            prefix: String::new(),
        };
        let policy_names = PolicyNames {
            read_only: shown(names.read_only.as_deref(), "LOOKOUT_READ_ONLY"),
            enabled: shown(names.enabled_tools.as_deref(), "LOOKOUT_ENABLED_TOOLS"),
            disabled: shown(names.disabled_tools.as_deref(), "LOOKOUT_DISABLED_TOOLS"),
        };
        let audit = match lookup(env, names.audit_log.as_deref(), "LOOKOUT_AUDIT_LOG") {
            None => AuditSink::Stderr,
            Some((name, v)) => AuditSink::from_setting(&name, Some(&v))?,
        };
        let defaults = RetrySettings::default();
        let retry = RetrySettings {
            retries: parse_number(
                env,
                names.retries.as_deref(),
                "LOOKOUT_RETRIES",
                "give a number of retries from 0 to 10",
                |n: &u32| *n <= 10,
            )?
            .unwrap_or(defaults.retries),
            min_backoff: parse_number(
                env,
                None,
                "LOOKOUT_RETRY_BACKOFF_MS",
                "give milliseconds, at least 1",
                |n: &u64| *n >= 1,
            )?
            .map(Duration::from_millis)
            .unwrap_or(defaults.min_backoff),
            max_backoff: parse_number(
                env,
                None,
                "LOOKOUT_RETRY_MAX_BACKOFF_MS",
                "give milliseconds, at least 1",
                |n: &u64| *n >= 1,
            )?
            .map(Duration::from_millis)
            .unwrap_or(defaults.max_backoff),
            max_retry_after: parse_number(
                env,
                None,
                "LOOKOUT_RETRY_AFTER_MAX_SECS",
                "give seconds",
                |_: &u64| true,
            )?
            .map(Duration::from_secs)
            .unwrap_or(defaults.max_retry_after),
        };
        let rate = match lookup(env, names.rate_limit.as_deref(), "LOOKOUT_RATE_LIMIT") {
            None => None,
            Some((name, v)) => Some(Rate::parse(&v).ok_or_else(|| {
                StartupError::Config(format!(
                    "{name}={v}: give requests per second (`10`), or per minute or hour (`600/m`, `3600/h`)"
                ))
            })?),
        };
        let tuning = Tuning {
            label: String::new(),
            retry,
            max_concurrent: parse_number(
                env,
                names.max_concurrent.as_deref(),
                "LOOKOUT_MAX_CONCURRENT",
                "give a number of requests (0 = unlimited)",
                |_: &usize| true,
            )?
            .unwrap_or(0),
            rate,
            connect_timeout: parse_number(
                env,
                None,
                "LOOKOUT_CONNECT_TIMEOUT",
                "give a positive number of seconds",
                |n: &f64| *n > 0.0 && n.is_finite(),
            )?
            .map(Duration::from_secs_f64),
            max_body: parse_number(
                env,
                None,
                "LOOKOUT_MAX_RESPONSE_BYTES",
                "give a number of bytes, at least 1024",
                |n: &usize| *n >= 1024,
            )?
            .unwrap_or(crate::upstream::DEFAULT_MAX_BODY_BYTES),
            cache: match env.get("LOOKOUT_CACHE") {
                None => true,
                Some(v) => parse_bool(&v).ok_or_else(|| {
                    StartupError::Config(format!(
                        "LOOKOUT_CACHE={v} is not a boolean (use true or false)"
                    ))
                })?,
            },
            cache_max_bytes: parse_number(
                env,
                None,
                "LOOKOUT_CACHE_MAX_BYTES",
                "give a number of bytes",
                |_: &u64| true,
            )?
            .unwrap_or(64 * 1024 * 1024),
        };
        let result_budget = parse_number(
            env,
            None,
            "LOOKOUT_MAX_RESULT_BYTES",
            "give a number of bytes, at least 1024",
            |n: &usize| *n >= 1024,
        )?
        .unwrap_or(DEFAULT_RESULT_BUDGET);
        Ok(BackendSettings {
            policy,
            policy_names,
            audit,
            tuning,
            result_budget,
            key_passthrough,
            key_passthrough_name: shown(
                names.key_passthrough.as_deref(),
                "LOOKOUT_KEY_PASSTHROUGH",
            ),
        })
    }
}

/// A resolved setting as text.
pub fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_placeholder_and_empty_are_unset() {
        let env = Env::isolated([
            ("A".to_string(), "<UNKNOWN>".to_string()),
            ("B".to_string(), "  ".to_string()),
            ("C".to_string(), " x ".to_string()),
        ]);
        assert_eq!(env.get("A"), None);
        assert_eq!(env.get("B"), None);
        assert_eq!(env.get("C").as_deref(), Some("x"));
        assert_eq!(env.get("D"), None);
    }

    #[test]
    fn booleans() {
        let env = Env::isolated([
            ("T".to_string(), "Yes".to_string()),
            ("F".to_string(), "maybe".to_string()),
        ]);
        assert_eq!(env.get_bool("T"), Ok(Some(true)));
        assert!(env.get_bool("F").is_err());
        assert_eq!(env.get_bool("N"), Ok(None));
    }
}
