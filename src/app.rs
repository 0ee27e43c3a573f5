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
        let catalogs = catalog::load_all(&opts.catalogs)?;
        if !catalogs.iter().any(|c| c.catalog.backend == opts.backend) {
            let known: Vec<&str> = catalogs
                .iter()
                .map(|c| c.catalog.backend.as_str())
                .collect();
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
    let catalogs = catalog::load_all(&files)?;
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

/// `lookout check`: builds the gateway as serving would, and describes what it would serve.
pub fn check(opts: &Options, env: &Env) -> Result<String, StartupError> {
    let gateway = build_gateway(opts, env)?;
    let mut out = String::new();
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
    }
    out.push_str(&format!(
        "{} tools in all; nothing was sent to any backend.\n",
        gateway.tool_list().len()
    ));
    Ok(out)
}
