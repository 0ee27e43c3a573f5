//! Reading settings from the environment, the way every lookout deployment expects.
//!
//! Empty values and the Docker MCP Gateway's placeholder `<UNKNOWN>` (what it passes for a
//! secret the user never set) mean "unset", so a catalog entry started with dummy secrets
//! behaves like one with none. `lookout demo` injects its own values as overrides instead of
//! mutating the process environment.

use crate::catalog::Setting;
use serde_json::Value;
use std::collections::HashMap;

/// The placeholder the Docker MCP Gateway passes for unset secrets.
pub const DOCKER_UNSET: &str = "<UNKNOWN>";

/// Environment lookup with overrides.
#[derive(Debug, Clone, Default)]
pub struct Env {
    overrides: HashMap<String, String>,
    process: bool,
}

impl Env {
    /// The process environment.
    pub fn from_process() -> Self {
        Env {
            overrides: HashMap::new(),
            process: true,
        }
    }

    /// Only the given values (tests).
    pub fn isolated(values: impl IntoIterator<Item = (String, String)>) -> Self {
        Env {
            overrides: values.into_iter().collect(),
            process: false,
        }
    }

    /// Sets a value that wins over the process environment.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.overrides.insert(name.into(), value.into());
    }

    /// The value of `name`, or `None` when unset, empty or `<UNKNOWN>`.
    pub fn get(&self, name: &str) -> Option<String> {
        let raw = match self.overrides.get(name) {
            Some(v) => Some(v.clone()),
            None if self.process => std::env::var(name).ok(),
            None => None,
        }?;
        let trimmed = raw.trim();
        (!trimmed.is_empty() && trimmed != DOCKER_UNSET).then(|| trimmed.to_string())
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
