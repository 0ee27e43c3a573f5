//! Assembling a gateway from the command line and the environment: load the catalogs, pick
//! the backend, resolve its settings and build the engine. `main` and the tests share this.

use crate::catalog;
use crate::engine::Engine;
use crate::error::StartupError;
use crate::mcp::Gateway;
use crate::settings::{BackendSettings, Env};
use std::path::PathBuf;

/// What the command line chose.
#[derive(Debug, Clone)]
pub struct Options {
    /// Backend to serve (`thruk`).
    pub backend: String,
    /// Extra catalog files (`--catalog`).
    pub catalogs: Vec<PathBuf>,
    /// Serving HTTP (`--listen`): per-request key passthrough is possible.
    pub http: bool,
}

/// Builds the gateway. Never contacts the backend, so start-up and `tools/list` work offline.
pub fn build_gateway(opts: &Options, env: &Env) -> Result<Gateway, StartupError> {
    let all = catalog::load_all(&opts.catalogs)?;
    let known: Vec<String> = all.iter().map(|c| c.catalog.backend.clone()).collect();
    let loaded = all
        .into_iter()
        .find(|c| c.catalog.backend == opts.backend)
        .ok_or_else(|| {
            StartupError::Config(format!(
                "unknown backend `{}`; known backends: {}",
                opts.backend,
                known.join(", ")
            ))
        })?;
    let mut settings = BackendSettings::resolve(env, &loaded.catalog)?;
    let passable = loaded
        .catalog
        .connection
        .headers
        .iter()
        .any(|h| !h.from_client.is_empty());
    if settings.key_passthrough && !passable {
        return Err(StartupError::Config(format!(
            "{} is set, but the {} catalog has no header a client may supply",
            settings.key_passthrough_name, loaded.catalog.backend
        )));
    }
    if settings.key_passthrough && !opts.http {
        tracing::warn!(
            setting = %settings.key_passthrough_name,
            "key passthrough only applies to HTTP mode (--listen); on stdio the configured key is used"
        );
        settings.key_passthrough = false;
    }
    let engine = Engine::new(&loaded, env, &settings)?;
    tracing::info!(backend = %opts.backend, catalog = %loaded.source, base_url = %engine.upstream().base_url(), tools = engine.tools().count(), "gateway ready");
    Ok(Gateway::new(engine, settings))
}
