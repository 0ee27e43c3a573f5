//! Assembling a gateway from the command line, the environment and an optional configuration
//! file: load the catalogs, decide the backend instances, resolve each one's settings and
//! build its engine. `main` and the tests share this; `lookout check` runs it without serving.

use crate::catalog::{self, LoadedCatalog};
use crate::config::{self, InstancePlan, LoadedConfig};
use crate::engine::Engine;
use crate::error::StartupError;
use crate::mcp::{Gateway, InstanceParts};
use crate::settings::{BackendSettings, Env};
use std::path::PathBuf;

/// What the command line chose.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Backend to serve when there is no configuration file (`thruk`).
    pub backend: String,
    /// Extra catalog files (`--catalog`).
    pub catalogs: Vec<PathBuf>,
    /// The configuration file (`--config`), listing backend instances.
    pub config: Option<PathBuf>,
    /// Serving HTTP (`--listen`): per-request key passthrough is possible.
    pub http: bool,
}

/// The catalogs and instances a configuration describes, before any engine is built.
struct Plan {
    catalogs: Vec<LoadedCatalog>,
    instances: Vec<InstancePlan>,
}

fn plan(opts: &Options, env: &Env) -> Result<Plan, StartupError> {
    let Some(path) = &opts.config else {
        let catalogs = catalog::load_all(&opts.catalogs, Some(&[opts.backend.as_str()]))?;
        if !catalogs.iter().any(|c| c.catalog.backend == opts.backend) {
            let mut known: Vec<&str> = catalogs
                .iter()
                .map(|c| c.catalog.backend.as_str())
                .collect();
            known.extend(catalog::embedded_backends());
            known.sort_unstable();
            known.dedup();
            return Err(StartupError::Config(format!(
                "unknown backend `{}`; known backends: {}",
                opts.backend,
                known.join(", ")
            )));
        }
        let instances = vec![InstancePlan {
            name: opts.backend.clone(),
            backend: opts.backend.clone(),
            prefix: String::new(),
            env: env.clone(),
            file: None,
        }];
        return Ok(Plan {
            catalogs,
            instances,
        });
    };
    let loaded = LoadedConfig::load(path)?;
    let mut files = loaded.catalog_paths();
    files.extend(opts.catalogs.iter().cloned());
    let wanted: Vec<&str> = loaded
        .file
        .backends
        .iter()
        .map(|b| b.backend.as_str())
        .collect();
    let catalogs = catalog::load_all(&files, Some(&wanted))?;
    let refs: Vec<&catalog::Catalog> = catalogs.iter().map(|c| &c.catalog).collect();
    let instances = config::plan(&path.display().to_string(), &loaded.file, &refs, env)?;
    Ok(Plan {
        catalogs,
        instances,
    })
}

/// Builds one instance's engine and settings.
fn build_instance(
    loaded: &LoadedCatalog,
    instance: &InstancePlan,
    http: bool,
) -> Result<InstanceParts, StartupError> {
    let named = |e: StartupError| -> StartupError {
        if instance.name == loaded.catalog.backend {
            e
        } else {
            match e {
                StartupError::Config(m) => {
                    StartupError::Config(format!("instance `{}`: {m}", instance.name))
                }
                other => other,
            }
        }
    };
    let env = &instance.env;
    let mut settings = BackendSettings::resolve(env, &loaded.catalog).map_err(named)?;
    settings.tuning.label = instance.name.clone();
    if let Some(file) = &instance.file {
        // Hints name the file's keys too, where the operator most likely set them.
        let names = &mut settings.policy_names;
        let at = format!("of instance `{}` in {file}", instance.name);
        names.read_only = format!("{}, or `read_only` {at}", names.read_only);
        names.enabled = format!("{}, or `enabled_tools` {at}", names.enabled);
        names.disabled = format!("{}, or `disabled_tools` {at}", names.disabled);
    }
    let passable = loaded
        .catalog
        .connection
        .headers
        .iter()
        .any(|h| !h.from_client.is_empty());
    if settings.key_passthrough && !passable {
        return Err(named(StartupError::Config(format!(
            "{} is set, but the {} catalog has no header a client may supply",
            settings.key_passthrough_name, loaded.catalog.backend
        ))));
    }
    if settings.key_passthrough && !http {
        tracing::warn!(
            instance = %instance.name,
            setting = %settings.key_passthrough_name,
            "key passthrough only applies to HTTP mode (--listen); on stdio the configured key is used"
        );
        settings.key_passthrough = false;
    }
    let engine = Engine::new(loaded, env, &settings).map_err(named)?;
    tracing::info!(instance = %instance.name, backend = %loaded.catalog.backend, catalog = %loaded.source, base_url = %engine.upstream().base_url(), tools = engine.tools().count(), "backend ready");
    Ok(InstanceParts {
        name: instance.name.clone(),
        prefix: instance.prefix.clone(),
        engine,
        settings,
    })
}

/// Builds the gateway. Never contacts a backend, so start-up and `tools/list` work offline.
pub fn build_gateway(opts: &Options, env: &Env) -> Result<Gateway, StartupError> {
    let plan = plan(opts, env)?;
    let mut parts = Vec::new();
    for instance in &plan.instances {
        let loaded = plan
            .catalogs
            .iter()
            .find(|c| c.catalog.backend == instance.backend)
            .ok_or_else(|| {
                StartupError::Config(format!("unknown backend `{}`", instance.backend))
            })?;
        parts.push(build_instance(loaded, instance, opts.http)?);
    }
    let gateway = Gateway::new(parts)?;
    tracing::info!(
        instances = gateway.instances().len(),
        tools = gateway.tool_list().len(),
        "gateway ready"
    );
    Ok(gateway)
}

/// What `lookout check` found, for its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    /// Valid, and every backend answered its probe with success (or probes were skipped).
    Ok,
    /// Valid, but a backend could not be reached (no answer, a timeout, or a 5xx).
    Unreachable,
    /// Valid and reachable, but a backend refused the probe (a 4xx: credentials, permissions).
    Refused,
}

impl CheckOutcome {
    /// The process exit code: 0, 3 (unreachable) or 4 (refused); 2 is an invalid configuration.
    pub fn exit_code(self) -> u8 {
        match self {
            CheckOutcome::Ok => 0,
            CheckOutcome::Unreachable => 3,
            CheckOutcome::Refused => 4,
        }
    }
}

/// `lookout check`: builds the gateway as serving would, describes what it would serve, and
/// unless `offline`, sends each instance its catalog's probe with the configured credentials.
pub async fn check(
    opts: &Options,
    env: &Env,
    offline: bool,
) -> Result<(String, CheckOutcome), StartupError> {
    let gateway = build_gateway(opts, env)?;
    let mut out = String::new();
    let mut outcome = CheckOutcome::Ok;
    match &opts.config {
        Some(path) => out.push_str(&format!("configuration {}: ok\n", path.display())),
        None => out.push_str("configuration from the environment: ok\n"),
    }
    for inst in gateway.instances() {
        let engine = inst.engine();
        let policy = inst.policy();
        let listed = gateway
            .tool_list()
            .iter()
            .filter(|t| {
                engine
                    .tools()
                    .any(|c| policy.exposed(&c.def.name) == t.name.as_ref())
            })
            .count();
        out.push_str(&format!(
            "  {name}: {backend} at {url}, {listed} of {total} tools listed{prefix}{ro}{pass}\n",
            name = inst.name(),
            backend = engine.catalog().backend,
            url = engine.upstream().base_url(),
            total = engine.tools().count(),
            prefix = if policy.prefix.is_empty() {
                String::new()
            } else {
                format!(", prefix `{}`", policy.prefix)
            },
            ro = if policy.read_only { ", read-only" } else { "" },
            pass = if engine.upstream().passthrough() {
                ", client keys passed through"
            } else {
                ""
            },
        ));
        if offline {
            continue;
        }
        let Some(probe) = &engine.catalog().connection.probe else {
            out.push_str("    not probed: the catalog has no probe request\n");
            continue;
        };
        let p = engine
            .upstream()
            .probe(probe, std::time::Duration::from_secs(10))
            .await;
        let line = match (p.status, &p.error) {
            (Some(s), _) if (200..300).contains(&s) => {
                format!(
                    "reachable: {} {} answered {s} in {} ms",
                    probe.method.as_str(),
                    probe.path,
                    p.ms
                )
            }
            (Some(s), _) if s < 500 => {
                outcome = outcome.max_with(CheckOutcome::Refused);
                format!(
                    "REFUSED: {} {} answered {s}: check the credentials (and that the URL points at the application root)",
                    probe.method.as_str(),
                    probe.path
                )
            }
            (Some(s), _) => {
                outcome = CheckOutcome::Unreachable;
                format!(
                    "UNREACHABLE: {} {} answered {s}",
                    probe.method.as_str(),
                    probe.path
                )
            }
            (None, e) => {
                outcome = CheckOutcome::Unreachable;
                format!(
                    "UNREACHABLE: no answer ({}) after {} ms",
                    e.as_deref().unwrap_or("error"),
                    p.ms
                )
            }
        };
        out.push_str(&format!("    {line}\n"));
    }
    out.push_str(&format!("{} tools in all", gateway.tool_list().len()));
    out.push_str(if offline {
        "; nothing was sent to any backend.\n"
    } else {
        ".\n"
    });
    Ok((out, outcome))
}

impl CheckOutcome {
    /// The worse of two outcomes (unreachable over refused over ok).
    fn max_with(self, other: CheckOutcome) -> CheckOutcome {
        match (self, other) {
            (CheckOutcome::Unreachable, _) | (_, CheckOutcome::Unreachable) => {
                CheckOutcome::Unreachable
            }
            (CheckOutcome::Refused, _) | (_, CheckOutcome::Refused) => CheckOutcome::Refused,
            _ => CheckOutcome::Ok,
        }
    }
}
