//! The `lookout` command line: parse arguments, set up logging to stderr, start things.

use clap::{Parser, Subcommand};
use lookout::app::{self, Options};
use lookout::settings::Env;
use lookout::transport;
use std::path::PathBuf;
use std::process::ExitCode;

/// A stateless MCP gateway for monitoring REST APIs (Thruk, OneUptime, maintenant, and more
/// through catalogs).
///
/// With no command, serves MCP on stdio (for Claude Desktop, Claude Code, Cursor, the Docker
/// MCP Gateway). With --listen, serves stateless Streamable HTTP at /mcp. Settings come from
/// the command line, then the environment, then the configuration file (--config).
#[derive(Debug, Parser)]
#[command(name = "lookout", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Serve Streamable HTTP on PORT or HOST:PORT (default host 127.0.0.1) instead of stdio.
    #[arg(long, global = true, env = "LOOKOUT_LISTEN", value_name = "ADDR")]
    listen: Option<String>,
    /// Add a catalog file, or replace the embedded catalog of the same backend (repeatable).
    #[arg(long = "catalog", global = true, value_name = "FILE")]
    catalogs: Vec<PathBuf>,
    /// Backend to serve when there is no configuration file (default thruk).
    #[arg(long, global = true, env = "LOOKOUT_BACKEND")]
    backend: Option<String>,
    /// Configuration file listing backend instances (YAML; see lookout.example.yaml).
    #[arg(long, global = true, env = "LOOKOUT_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Read-only mode for every backend, whatever the environment or the file say.
    #[arg(long, global = true)]
    read_only: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve MCP (the default).
    Serve,
    /// Start an embedded demo backend on a loopback port and serve against it: `thruk` (the
    /// default), `oneuptime` or `maintenant`.
    Demo {
        /// Which backend the demo imitates.
        #[arg(value_parser = ["thruk", "oneuptime", "maintenant"], default_value = "thruk")]
        backend: String,
    },
    /// Check the configuration (catalogs, file, environment) without serving, say what would
    /// be served, and probe each backend. Exit code 0: valid and every backend answered;
    /// 2: invalid configuration; 3: a backend is unreachable; 4: a backend refused the
    /// credentials.
    Check {
        /// Only validate; send nothing to any backend.
        #[arg(long)]
        offline: bool,
    },
    /// List the tools this configuration exposes, after read-only mode and the allow and
    /// deny lists. Sends nothing to any backend.
    Tools {
        /// `table` for people, `json` (the tools/list entries with their instance and
        /// access), or `docker` (the Docker MCP registry's tools.json).
        #[arg(long, value_enum, default_value_t = ToolsFormat::Table)]
        format: ToolsFormat,
    },
    /// Print the JSON Schema of the catalog format.
    CatalogSchema,
    /// Print the JSON Schema of the configuration file.
    ConfigSchema,
}

/// The output formats of `lookout tools`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ToolsFormat {
    Table,
    Json,
    Docker,
}

impl From<ToolsFormat> for lookout::listing::Format {
    fn from(f: ToolsFormat) -> Self {
        match f {
            ToolsFormat::Table => Self::Table,
            ToolsFormat::Json => Self::Json,
            ToolsFormat::Docker => Self::Docker,
        }
    }
}

/// Logs go to stderr; `default` applies when LOOKOUT_LOG is unset.
fn init_logging(default: &str) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{Layer, filter};
    let env_filter = tracing_subscriber::EnvFilter::try_from_env("LOOKOUT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // rmcp logs whole requests and results (tool arguments, answers) at debug and trace level:
    // they may carry credentials, so they never reach the log whatever LOOKOUT_LOG says.
    let no_payloads = filter::filter_fn(|meta| {
        !(meta.target().starts_with("rmcp") && *meta.level() > tracing::Level::INFO)
    });
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_filter(env_filter)
        .with_filter(no_payloads);
    tracing_subscriber::registry().with(layer).init();
}

fn print_stdout(text: &str) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{}", text.trim_end()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let schema = match &cli.command {
        Some(Command::CatalogSchema) => Some(lookout::catalog::json_schema()),
        Some(Command::ConfigSchema) => Some(lookout::config::json_schema()),
        _ => None,
    };
    if let Some(schema) = schema {
        // A schema is the command's output: the only stdout writes outside MCP are these
        // and `check`'s report.
        return print_stdout(&serde_json::to_string_pretty(&schema).unwrap_or_default());
    }
    // Commands that print a report keep the log to warnings unless asked.
    init_logging(match &cli.command {
        Some(Command::Tools { .. } | Command::Check { .. }) => "warn",
        _ => "info,rmcp=warn",
    });
    if let Some(Command::Tools { format }) = &cli.command {
        let mut env = Env::from_process();
        let listed = options(&cli, &mut env).and_then(|opts| {
            app::build_gateway(&opts, &env)
                .map(|g| lookout::listing::render(&g, (*format).into()))
                .map_err(|e| e.to_string())
        });
        return match listed {
            Ok(text) => print_stdout(&text),
            Err(message) => {
                eprintln!("lookout: error: {message}");
                ExitCode::from(2)
            }
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lookout: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(Command::Check { offline }) = &cli.command {
        let offline = *offline;
        return match runtime.block_on(check(cli, offline)) {
            Ok((report, outcome)) => {
                let printed = print_stdout(&report);
                match outcome.exit_code() {
                    0 => printed,
                    code => ExitCode::from(code),
                }
            }
            Err(message) => {
                eprintln!("lookout: error: {message}");
                ExitCode::from(2)
            }
        };
    }
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lookout: error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The options and environment the command line asks for.
fn options(cli: &Cli, env: &mut Env) -> Result<Options, String> {
    if cli.config.is_some() && cli.backend.is_some() {
        return Err(
            "--backend (or LOOKOUT_BACKEND) and --config (or LOOKOUT_CONFIG) are both set: the configuration file names each instance's backend, so drop one".into(),
        );
    }
    if cli.read_only {
        env.set("LOOKOUT_READ_ONLY", "true");
    }
    Ok(Options {
        backend: cli.backend.clone().unwrap_or_else(|| "thruk".into()),
        catalogs: cli.catalogs.clone(),
        config: cli.config.clone(),
        http: cli.listen.is_some(),
    })
}

async fn check(cli: Cli, offline: bool) -> Result<(String, app::CheckOutcome), String> {
    let mut env = Env::from_process();
    let opts = options(&cli, &mut env)?;
    app::check(&opts, &env, offline)
        .await
        .map_err(|e| e.to_string())
}

async fn run(cli: Cli) -> Result<(), String> {
    let mut env = Env::from_process();
    let mut opts = options(&cli, &mut env)?;
    if matches!(cli.command, Some(Command::Demo { .. })) && opts.config.is_some() {
        return Err(
            "lookout demo serves its own backend: drop --config (or LOOKOUT_CONFIG)".into(),
        );
    }
    // A running demo backend, kept alive (and stopped on drop) while the gateway serves.
    let _demo: Option<Box<dyn std::any::Any>> = match &cli.command {
        Some(Command::Demo { backend: which }) if which == "oneuptime" => {
            use lookout::demo::oneuptime::{ONEUPTIME_DEMO_KEY, OneUptimeDemo};
            let demo = OneUptimeDemo::start()
                .await
                .map_err(|e| format!("demo backend: {e}"))?;
            tracing::info!(url = %demo.base_url(), "demo OneUptime backend started");
            env.set("ONEUPTIME_URL", demo.base_url());
            env.set("ONEUPTIME_API_KEY", ONEUPTIME_DEMO_KEY);
            opts.backend = "oneuptime".into();
            Some(Box::new(demo))
        }
        Some(Command::Demo { backend: which }) if which == "maintenant" => {
            use lookout::demo::maintenant::MaintenantDemo;
            let demo = MaintenantDemo::start()
                .await
                .map_err(|e| format!("demo backend: {e}"))?;
            tracing::info!(url = %demo.base_url(), "demo maintenant backend started");
            env.set("MAINTENANT_URL", demo.base_url());
            opts.backend = "maintenant".into();
            Some(Box::new(demo))
        }
        Some(Command::Demo { .. }) => {
            let demo = lookout::demo::DemoBackend::start()
                .await
                .map_err(|e| format!("demo backend: {e}"))?;
            tracing::info!(url = %demo.base_url(), "demo Thruk backend started");
            env.set("THRUK_BASE_URL", demo.base_url());
            env.set("THRUK_API_KEY", lookout::demo::DEMO_API_KEY);
            opts.backend = "thruk".into();
            Some(Box::new(demo))
        }
        _ => None,
    };
    let gateway = app::build_gateway(&opts, &env).map_err(|e| e.to_string())?;
    let shutdown = transport::shutdown_signal();
    match &cli.listen {
        Some(spec) => {
            let addr = transport::http::parse_listen(spec)?;
            let auth = transport::auth::from_env(&env, addr).map_err(|e| e.to_string())?;
            let hosts = transport::http::allowed_hosts(env.get("MCP_HTTP_ALLOWED_HOSTS"), addr);
            let extra: Vec<String> = hosts
                .iter()
                .filter(|h| !matches!(h.as_str(), "localhost" | "127.0.0.1" | "::1"))
                .cloned()
                .collect();
            let max_body = match env.get("MCP_HTTP_MAX_BODY_BYTES") {
                None => transport::http::DEFAULT_MAX_BODY,
                Some(v) => v.parse::<usize>().ok().filter(|n| *n >= 1024).ok_or_else(|| {
                    format!("configuration: MCP_HTTP_MAX_BODY_BYTES={v}: give a number of bytes, at least 1024")
                })?,
            };
            let client_rate = match env.get("MCP_HTTP_RATE_LIMIT") {
                None => None,
                Some(v) => Some(lookout::upstream::layers::Rate::parse(&v).ok_or_else(|| {
                    format!("configuration: MCP_HTTP_RATE_LIMIT={v}: give requests per second (`10`), or per minute or hour (`600/m`, `3600/h`)")
                })?),
            };
            let metrics_addr = match env.get("LOOKOUT_METRICS_LISTEN") {
                None => None,
                Some(v) => Some(
                    transport::http::parse_listen(&v)
                        .map_err(|e| format!("configuration: LOOKOUT_METRICS_LISTEN: {e}"))?,
                ),
            };
            if let Some(maddr) = metrics_addr {
                let listener = tokio::net::TcpListener::bind(maddr)
                    .await
                    .map_err(|e| format!("cannot listen on {maddr} for metrics: {e}"))?;
                tracing::info!(%maddr, "serving Prometheus metrics at http://{maddr}/metrics");
                let stop = shutdown.clone();
                tokio::spawn(async move {
                    let _ = axum::serve(listener, transport::http::metrics_router())
                        .with_graceful_shutdown(async move { stop.cancelled().await })
                        .await;
                });
            }
            let access = transport::http::Access {
                origins: transport::auth::allowed_origins(&env, &extra),
                hosts,
                auth,
                max_body,
                client_rate,
                metrics_here: metrics_addr.is_none(),
                drain: match env.get("LOOKOUT_DRAIN_SECS") {
                    None => transport::http::DEFAULT_DRAIN,
                    Some(v) => v
                        .parse::<f64>()
                        .ok()
                        .filter(|s| *s >= 0.0 && s.is_finite())
                        .map(std::time::Duration::from_secs_f64)
                        .ok_or_else(|| {
                            format!(
                                "configuration: LOOKOUT_DRAIN_SECS={v}: give a number of seconds"
                            )
                        })?,
                },
            };
            if matches!(access.auth, transport::auth::ClientAuth::Bearer(_))
                && gateway.sole_passthrough().is_some()
            {
                tracing::info!(
                    "Authorization carries the gateway's bearer token: clients send their upstream key in x-api-key"
                );
            }
            transport::http::serve(gateway, addr, access, shutdown)
                .await
                .map_err(|e| e.to_string())
        }
        None => transport::stdio::serve(gateway, shutdown)
            .await
            .map_err(|e| e.to_string()),
    }
}
