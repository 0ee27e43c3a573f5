//! The configuration file (`--config FILE`): several backend instances in one gateway.
//!
//! Each instance names a backend catalog (`thruk`, `oneuptime`, `maintenant`, or one added with
//! `catalogs`) and gives what the environment would otherwise give: its URL, credentials and
//! other backend variables (as values, or as the name of an environment variable holding the
//! value), read-only mode, tool filters, limits, and an optional tool-name prefix. The file is
//! turned into one settings layer per instance ([`Env::with_file_layer`]), below the command
//! line and the environment, so precedence is flags > environment > file everywhere.
//!
//! A backend's own variables (`THRUK_API_KEY`) set in the environment apply to the one
//! instance of that backend; with two instances of it they would be ambiguous, so start-up
//! refuses them and says to move the values into the file.

use crate::catalog::{Catalog, Setting};
use crate::error::StartupError;
use crate::settings::Env;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The configuration file.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Extra catalog files, relative to this file's folder.
    #[serde(default)]
    pub catalogs: Vec<PathBuf>,
    /// Settings every instance starts from; an instance's own value wins.
    #[serde(default)]
    pub defaults: Defaults,
    /// The backend instances, in the order their tools are listed.
    pub backends: Vec<InstanceConfig>,
}

/// Settings shared by every instance unless it sets its own.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    #[serde(default)]
    pub read_only: Option<bool>,
    #[serde(default)]
    pub enabled_tools: Option<ToolPatterns>,
    #[serde(default)]
    pub disabled_tools: Option<ToolPatterns>,
    #[serde(default)]
    pub audit_log: Option<String>,
    #[serde(default)]
    pub limits: Limits,
}

/// One backend instance.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceConfig {
    /// The instance's name (`prod`, `staging`): lower-case letters, digits, `-` and `_`.
    /// Logs, audit lines and the URIs of a prefixed instance's resources carry it.
    pub name: String,
    /// The catalog it uses: `thruk`, `oneuptime`, `maintenant`, or a catalog file's backend.
    pub backend: String,
    /// Put before every tool and prompt name of this instance (`prod_` gives
    /// `prod_thruk_list_hosts`); needed when two instances would list the same tool name.
    #[serde(default)]
    pub prefix: Option<String>,
    /// The backend's URL (what its URL variable, e.g. `THRUK_BASE_URL`, would hold).
    #[serde(default)]
    pub url: Option<ConfigValue>,
    /// Values for the backend's own variables, by variable name (`THRUK_API_KEY`,
    /// `MAINTENANT_PROXY_PASSWORD`, `ONEUPTIME_VERIFY_SSL`, ...) or `LOOKOUT_*` name.
    #[serde(default)]
    pub settings: IndexMap<String, ConfigValue>,
    /// List no tool that changes monitoring state, and refuse such calls.
    #[serde(default)]
    pub read_only: Option<bool>,
    /// Only these tools (patterns such as `thruk_list_*`, matched on the tool name with or
    /// without the prefix).
    #[serde(default)]
    pub enabled_tools: Option<ToolPatterns>,
    /// Never these tools (same patterns).
    #[serde(default)]
    pub disabled_tools: Option<ToolPatterns>,
    /// Where audit lines of this instance's writes go: `stderr`, `off`, or a file path.
    #[serde(default)]
    pub audit_log: Option<String>,
    /// HTTP mode: forward each client request's own API key instead of a configured one.
    #[serde(default)]
    pub key_passthrough: Option<bool>,
    #[serde(default)]
    pub limits: Limits,
}

/// Limits of one instance's upstream client and answers.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Seconds per upstream request.
    #[serde(default)]
    pub timeout_secs: Option<f64>,
    /// Upstream requests in flight at once (0 = unlimited).
    #[serde(default)]
    pub max_concurrent: Option<u64>,
    /// Upstream request rate: `10` per second, `600/m`, `3600/h`.
    #[serde(default)]
    pub rate_limit: Option<ConfigValue>,
    /// Retries of a failed read (0–10).
    #[serde(default)]
    pub retries: Option<u32>,
    /// Size budget of one tool result, in bytes.
    #[serde(default)]
    pub max_result_bytes: Option<u64>,
    /// Largest upstream answer read, in bytes.
    #[serde(default)]
    pub max_response_bytes: Option<u64>,
    /// Keep answers of slow-moving reads briefly and merge identical reads in flight.
    #[serde(default)]
    pub cache: Option<bool>,
}

/// Tool-name patterns: a list, or one comma-separated string.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ToolPatterns {
    List(Vec<String>),
    Text(String),
}

impl ToolPatterns {
    fn as_text(&self) -> String {
        match self {
            ToolPatterns::List(items) => items.join(","),
            ToolPatterns::Text(t) => t.clone(),
        }
    }
}

/// A value written in the file, or read from an environment variable (`{env: NAME}`), so
/// secrets need not be written into the file.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ConfigValue {
    FromEnv {
        /// The environment variable holding the value.
        env: String,
    },
    Text(String),
    Number(serde_json::Number),
    Bool(bool),
}

/// A loaded configuration file.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The file as given.
    pub path: PathBuf,
    pub file: ConfigFile,
}

impl LoadedConfig {
    /// Reads and parses the file. Errors name the file, the key and the line.
    pub fn load(path: &Path) -> Result<LoadedConfig, StartupError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| StartupError::Io {
            path: shown.clone(),
            source,
        })?;
        let file = parse(&shown, &text)?;
        Ok(LoadedConfig {
            path: path.to_path_buf(),
            file,
        })
    }

    /// The extra catalog files, resolved against the file's folder.
    pub fn catalog_paths(&self) -> Vec<PathBuf> {
        let base = self.path.parent().unwrap_or_else(|| Path::new("."));
        self.file
            .catalogs
            .iter()
            .map(|p| {
                if p.is_absolute() {
                    p.clone()
                } else {
                    base.join(p)
                }
            })
            .collect()
    }
}

/// Parses and checks a configuration file's text.
pub fn parse(source: &str, text: &str) -> Result<ConfigFile, StartupError> {
    let de = serde_yaml_ng::Deserializer::from_str(text);
    let file: ConfigFile = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let location = inner
            .location()
            .map(|l| format!(" (line {}, column {})", l.line(), l.column()))
            .unwrap_or_default();
        StartupError::config_file(source, format!("key `{path}`{location}: {inner}"))
    })?;
    if file.backends.is_empty() {
        return Err(StartupError::config_file(
            source,
            "key `backends`: list at least one backend instance",
        ));
    }
    let mut names = HashSet::new();
    for (i, b) in file.backends.iter().enumerate() {
        let key = format!("backends[{i}]");
        if !valid_instance_name(&b.name) {
            return Err(StartupError::config_file(
                source,
                format!(
                    "key `{key}.name`: `{}` is not a valid instance name (lower-case letters, digits, `-` and `_`, starting with a letter)",
                    b.name
                ),
            ));
        }
        if !names.insert(b.name.as_str()) {
            return Err(StartupError::config_file(
                source,
                format!("key `{key}.name`: two instances are named `{}`", b.name),
            ));
        }
        if let Some(prefix) = &b.prefix
            && (prefix.is_empty()
                || !prefix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
        {
            return Err(StartupError::config_file(
                source,
                format!(
                    "key `{key}.prefix`: `{prefix}` may only hold letters, digits, `_`, `.` and `-` (tool names allow nothing else)"
                ),
            ));
        }
    }
    Ok(file)
}

fn valid_instance_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'))
        && name.len() <= 40
}

/// The variables a catalog reads: every `env` of its connection and its `setting_env` names.
pub fn catalog_variables(c: &Catalog) -> Vec<String> {
    let conn = &c.connection;
    let mut settings: Vec<&Setting> = vec![&conn.base_url, &conn.timeout_secs, &conn.verify_tls];
    settings.extend(conn.headers.iter().map(|h| &h.value));
    settings.extend(conn.scope.iter().map(|s| &s.default));
    if let Some(p) = &conn.proxy_auth {
        settings.extend([&p.basic_user, &p.basic_password, &p.bearer_token, &p.header]);
    }
    let s = &c.setting_env;
    let mut out: Vec<String> = settings.iter().filter_map(|s| s.env.clone()).collect();
    out.extend(
        [
            &s.read_only,
            &s.enabled_tools,
            &s.disabled_tools,
            &s.audit_log,
            &s.max_concurrent,
            &s.rate_limit,
            &s.retries,
            &s.key_passthrough,
        ]
        .into_iter()
        .flatten()
        .cloned(),
    );
    let mut seen = HashSet::new();
    out.retain(|v| seen.insert(v.clone()));
    out
}

/// The generic settings an instance's `settings` may also name.
pub const GENERIC_SETTINGS: &[&str] = &[
    "LOOKOUT_READ_ONLY",
    "LOOKOUT_ENABLED_TOOLS",
    "LOOKOUT_DISABLED_TOOLS",
    "LOOKOUT_AUDIT_LOG",
    "LOOKOUT_MAX_CONCURRENT",
    "LOOKOUT_RATE_LIMIT",
    "LOOKOUT_RETRIES",
    "LOOKOUT_RETRY_BACKOFF_MS",
    "LOOKOUT_RETRY_MAX_BACKOFF_MS",
    "LOOKOUT_RETRY_AFTER_MAX_SECS",
    "LOOKOUT_CONNECT_TIMEOUT",
    "LOOKOUT_MAX_RESPONSE_BYTES",
    "LOOKOUT_CACHE",
    "LOOKOUT_CACHE_MAX_BYTES",
    "LOOKOUT_MAX_RESULT_BYTES",
    "LOOKOUT_KEY_PASSTHROUGH",
];

/// What one instance of the file resolves to.
#[derive(Debug, Clone)]
pub struct InstancePlan {
    pub name: String,
    pub backend: String,
    pub prefix: String,
    /// The instance's settings: the process environment over the file's values.
    pub env: Env,
    /// The configuration file it comes from, for messages.
    pub file: Option<String>,
}

/// Turns the file's instances into per-instance settings, against the catalogs they use.
/// `env` is the process environment with the command line's overrides.
pub fn plan(
    source: &str,
    file: &ConfigFile,
    catalogs: &[&Catalog],
    env: &Env,
) -> Result<Vec<InstancePlan>, StartupError> {
    let err = |msg: String| StartupError::config_file(source, msg);
    let mut count: HashMap<&str, Vec<&str>> = HashMap::new();
    for b in &file.backends {
        count
            .entry(b.backend.as_str())
            .or_default()
            .push(b.name.as_str());
    }
    // Variables the file reads on purpose (`{env: NAME}`) are not ambiguous.
    let referenced: HashSet<String> = file
        .backends
        .iter()
        .flat_map(|b| {
            b.url
                .iter()
                .chain(b.settings.values())
                .chain(b.limits.rate_limit.iter())
        })
        .chain(file.defaults.limits.rate_limit.iter())
        .filter_map(|v| match v {
            ConfigValue::FromEnv { env } => Some(env.clone()),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for (i, b) in file.backends.iter().enumerate() {
        let key = format!("backends[{i}]");
        let Some(catalog) = catalogs.iter().find(|c| c.backend == b.backend) else {
            // Embedded catalogs no instance names are not loaded, but they are known.
            let mut known: Vec<&str> = catalogs.iter().map(|c| c.backend.as_str()).collect();
            known.extend(crate::catalog::embedded_backends());
            known.sort_unstable();
            known.dedup();
            return Err(err(format!(
                "key `{key}.backend`: unknown backend `{}`; known backends: {}",
                b.backend,
                known.join(", ")
            )));
        };
        let variables = catalog_variables(catalog);
        let siblings = &count[b.backend.as_str()];
        if siblings.len() > 1 {
            for var in &variables {
                if !referenced.contains(var) && env.process_value(var).is_some() {
                    return Err(err(format!(
                        "{var} is set in the environment, but the file has {} {} instances ({}), so it is ambiguous: unset it and give each instance its own value in the file (`settings: {{{var}: {{env: SOME_VARIABLE}}}}`)",
                        siblings.len(),
                        b.backend,
                        siblings.join(", ")
                    )));
                }
            }
        }
        let mut layer: HashMap<String, String> = HashMap::new();
        let mut put = |name: &str, value: Option<String>| {
            if let Some(v) = value {
                layer.insert(name.to_string(), v);
            }
        };
        let read = |what: &str, v: &ConfigValue| -> Option<String> {
            match v {
                ConfigValue::FromEnv { env: var } => {
                    let value = env.get(var);
                    if value.is_none() {
                        tracing::warn!(instance = %b.name, variable = %var, "{what} names an unset environment variable");
                    }
                    value
                }
                ConfigValue::Text(t) => Some(t.clone()),
                ConfigValue::Number(n) => Some(n.to_string()),
                ConfigValue::Bool(v) => Some(v.to_string()),
            }
        };
        if let Some(url) = &b.url {
            let var = catalog.connection.base_url.env.as_deref().ok_or_else(|| {
                err(format!(
                    "key `{key}.url`: the {} catalog names no variable for its URL",
                    b.backend
                ))
            })?;
            put(var, read(&format!("{key}.url"), url));
        }
        for (name, value) in &b.settings {
            if !variables.contains(name) && !GENERIC_SETTINGS.contains(&name.as_str()) {
                return Err(err(format!(
                    "key `{key}.settings.{name}`: the {} backend has no setting `{name}`; it has {} (and the LOOKOUT_* settings)",
                    b.backend,
                    variables.join(", ")
                )));
            }
            put(name, read(&format!("{key}.settings.{name}"), value));
        }
        let d = &file.defaults;
        let bool_text = |v: Option<bool>| v.map(|b| b.to_string());
        put("LOOKOUT_READ_ONLY", bool_text(b.read_only.or(d.read_only)));
        put(
            "LOOKOUT_ENABLED_TOOLS",
            b.enabled_tools
                .as_ref()
                .or(d.enabled_tools.as_ref())
                .map(ToolPatterns::as_text),
        );
        put(
            "LOOKOUT_DISABLED_TOOLS",
            b.disabled_tools
                .as_ref()
                .or(d.disabled_tools.as_ref())
                .map(ToolPatterns::as_text),
        );
        put(
            "LOOKOUT_AUDIT_LOG",
            b.audit_log.clone().or_else(|| d.audit_log.clone()),
        );
        put("LOOKOUT_KEY_PASSTHROUGH", bool_text(b.key_passthrough));
        let (l, dl) = (&b.limits, &d.limits);
        if let Some(t) = l.timeout_secs.or(dl.timeout_secs) {
            let var = catalog.connection.timeout_secs.env.as_deref().ok_or_else(|| {
                err(format!(
                    "key `{key}.limits.timeout_secs`: the {} catalog names no variable for its timeout",
                    b.backend
                ))
            })?;
            put(var, Some(t.to_string()));
        }
        put(
            "LOOKOUT_MAX_CONCURRENT",
            l.max_concurrent
                .or(dl.max_concurrent)
                .map(|n| n.to_string()),
        );
        if let Some(rate) = l.rate_limit.as_ref().or(dl.rate_limit.as_ref()) {
            put(
                "LOOKOUT_RATE_LIMIT",
                read(&format!("{key}.limits.rate_limit"), rate),
            );
        }
        put(
            "LOOKOUT_RETRIES",
            l.retries.or(dl.retries).map(|n| n.to_string()),
        );
        put(
            "LOOKOUT_MAX_RESULT_BYTES",
            l.max_result_bytes
                .or(dl.max_result_bytes)
                .map(|n| n.to_string()),
        );
        put(
            "LOOKOUT_MAX_RESPONSE_BYTES",
            l.max_response_bytes
                .or(dl.max_response_bytes)
                .map(|n| n.to_string()),
        );
        put("LOOKOUT_CACHE", bool_text(l.cache.or(dl.cache)));
        out.push(InstancePlan {
            name: b.name.clone(),
            backend: b.backend.clone(),
            prefix: b.prefix.clone().unwrap_or_default(),
            env: env.with_file_layer(layer),
            file: Some(source.to_string()),
        });
    }
    Ok(out)
}

/// The JSON Schema of the configuration file.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ConfigFile)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_THRUKS: &str = r#"
backends:
  - name: prod
    backend: thruk
    prefix: prod_
    url: https://thruk.prod.example.com/thruk
    settings:
      THRUK_API_KEY: {env: PROD_KEY}
    read_only: true
    enabled_tools: [thruk_list_*, thruk_stats]
    limits: {timeout_secs: 12, max_concurrent: 4, rate_limit: "10/s"}
  - name: staging
    backend: thruk
    prefix: stg_
    url: https://thruk.staging.example.com/thruk
    settings:
      THRUK_API_KEY: plain-staging-key
"#;

    fn catalogs() -> Vec<Catalog> {
        crate::catalog::load_all(&[], None)
            .expect("catalogs")
            .into_iter()
            .map(|c| c.catalog)
            .collect()
    }

    #[test]
    fn instances_get_their_own_layer() {
        let file = parse("test.yaml", TWO_THRUKS).expect("parses");
        let all = catalogs();
        let refs: Vec<&Catalog> = all.iter().collect();
        let env = Env::isolated([("PROD_KEY".to_string(), "secret-prod".to_string())]);
        let plans = plan("test.yaml", &file, &refs, &env).expect("plans");
        assert_eq!(plans.len(), 2);
        let prod = &plans[0].env;
        assert_eq!(
            prod.get("THRUK_BASE_URL").as_deref(),
            Some("https://thruk.prod.example.com/thruk")
        );
        assert_eq!(prod.get("THRUK_API_KEY").as_deref(), Some("secret-prod"));
        assert_eq!(prod.get("LOOKOUT_READ_ONLY").as_deref(), Some("true"));
        assert_eq!(
            prod.get("LOOKOUT_ENABLED_TOOLS").as_deref(),
            Some("thruk_list_*,thruk_stats")
        );
        assert_eq!(prod.get("THRUK_TIMEOUT").as_deref(), Some("12"));
        assert_eq!(plans[0].prefix, "prod_");
        let staging = &plans[1].env;
        assert_eq!(
            staging.get("THRUK_API_KEY").as_deref(),
            Some("plain-staging-key")
        );
        assert_eq!(staging.get("LOOKOUT_READ_ONLY"), None);
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let file = parse("test.yaml", TWO_THRUKS).expect("parses");
        let all = catalogs();
        let refs: Vec<&Catalog> = all.iter().collect();
        let env = Env::isolated([("LOOKOUT_READ_ONLY".to_string(), "false".to_string())]);
        let plans = plan("test.yaml", &file, &refs, &env).expect("plans");
        let found = plans[0]
            .env
            .get_first(&["THRUK_READ_ONLY", "LOOKOUT_READ_ONLY"])
            .map(|(_, v)| v);
        assert_eq!(found.as_deref(), Some("false"));
    }

    #[test]
    fn ambiguous_backend_variables_are_refused() {
        let file = parse("test.yaml", TWO_THRUKS).expect("parses");
        let all = catalogs();
        let refs: Vec<&Catalog> = all.iter().collect();
        let env = Env::isolated([("THRUK_BASE_URL".to_string(), "https://x".to_string())]);
        let e = plan("test.yaml", &file, &refs, &env)
            .expect_err("ambiguous")
            .to_string();
        assert!(
            e.contains("THRUK_BASE_URL") && e.contains("prod, staging"),
            "{e}"
        );
    }

    #[test]
    fn mistakes_name_the_key() {
        for (text, expected) in [
            ("backends: []", "at least one"),
            (
                "backends:\n  - {name: Prod, backend: thruk}",
                "backends[0].name",
            ),
            (
                "backends:\n  - {name: a, backend: thruk}\n  - {name: a, backend: thruk}",
                "two instances are named `a`",
            ),
            (
                "backends:\n  - {name: a, backend: thruk, prefix: 'a b'}",
                "backends[0].prefix",
            ),
            (
                "backends:\n  - {name: a, backend: thruk, colour: red}",
                "unknown field `colour`",
            ),
        ] {
            let e = parse("f.yaml", text).expect_err(text).to_string();
            assert!(e.contains(expected) && e.contains("f.yaml"), "{text}: {e}");
        }
        let file = parse(
            "f.yaml",
            "backends:\n  - name: a\n    backend: thruk\n    settings: {THRUK_APIKEY: x}",
        )
        .expect("parses");
        let all = catalogs();
        let refs: Vec<&Catalog> = all.iter().collect();
        let e = plan("f.yaml", &file, &refs, &Env::isolated([]))
            .expect_err("unknown setting")
            .to_string();
        assert!(
            e.contains("THRUK_APIKEY") && e.contains("THRUK_API_KEY"),
            "{e}"
        );
        let file = parse("f.yaml", "backends:\n  - {name: a, backend: nagios}").expect("parses");
        let e = plan("f.yaml", &file, &refs, &Env::isolated([]))
            .expect_err("unknown backend")
            .to_string();
        assert!(e.contains("nagios") && e.contains("maintenant"), "{e}");
    }
}
