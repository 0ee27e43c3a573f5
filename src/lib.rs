//! lookout: a stateless MCP gateway for monitoring REST APIs.
//!
//! The path of one tool call, one module per stage:
//! [`transport`] (stdio or HTTP) → [`mcp`] (the rmcp handler built from catalogs, enforcing the
//! [`policy`] and writing the [`audit`] log) → [`engine`] (argument validation, declarative
//! REST mapping or a [`backends`] built-in, answer shaping) → [`upstream`] (the HTTP client:
//! auth, cache and coalescing, concurrency cap, retries, rate limit, timeouts, bounded bodies,
//! error mapping). [`catalog`] parses and validates the YAML catalogs, [`config`] reads the
//! multi-backend configuration file, [`settings`] reads the environment, [`demo`] holds the
//! embedded Thruk-, OneUptime- and maintenant-shaped backends behind `lookout demo` and the
//! tests. [`listing`] prints what `lookout tools` shows. `main.rs` only parses the command line; everything else is here.

#![recursion_limit = "256"]

pub mod app;
pub mod audit;
pub mod backends;
pub mod catalog;
pub mod config;
pub mod demo;
pub mod engine;
pub mod error;
pub mod listing;
pub mod mcp;
pub mod metrics;
pub mod policy;
pub mod settings;
pub mod template;
pub mod transport;
pub mod upstream;
pub mod uri_template;
