//! Streamable HTTP transport in stateless mode: `POST /mcp` answers any request without a
//! session (no `Mcp-Session-Id`, no initialize required), so any replica behind a load balancer
//! can serve any request. Answers are plain JSON unless the tool streams progress, in which
//! case the reply is an event stream. `GET /healthz` is for load balancers; `GET /mcp/health`
//! and `GET /mcp/tools` answer like OneUptime's MCP server, so checks written for it work.
//!
//! In front of `/mcp`, in this order: the bearer-token check ([`auth`](super::auth)), the
//! key-passthrough guard (every request must carry the client's own upstream key, in
//! `x-api-key`, or in `Authorization: Bearer` when the gateway has no tokens of its own; one
//! without gets 401 before any MCP handling), then rmcp's Host and Origin checks.

use super::auth::{self, ClientAuth};
use crate::audit::Caller;
use crate::mcp::Gateway;
use crate::upstream::layers::Rate;
use axum::Router;
use axum::extract::ConnectInfo;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Parses `PORT` or `HOST:PORT` (default host 127.0.0.1; `[::1]:8001` for IPv6).
pub fn parse_listen(spec: &str) -> Result<SocketAddr, String> {
    let spec = spec.trim();
    if let Ok(port) = spec.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    if let Ok(addr) = spec.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Some((host, port)) = spec.rsplit_once(':')
        && let Ok(port) = port.parse::<u16>()
    {
        if host == "localhost" {
            return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
        }
        if let Ok(ip) = host.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
            return Ok(SocketAddr::new(ip, port));
        }
    }
    Err(format!(
        "--listen `{spec}`: give a port (8001) or an address and port (127.0.0.1:8001, 0.0.0.0:8001, [::1]:8001)"
    ))
}

/// Host names accepted in the `Host` header, besides loopback.
pub fn allowed_hosts(extra: Option<String>, addr: SocketAddr) -> Vec<String> {
    let mut hosts = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    if !addr.ip().is_unspecified() && !addr.ip().is_loopback() {
        hosts.push(addr.ip().to_string());
    }
    if let Some(list) = extra {
        hosts.extend(
            list.split(',')
                .map(|h| h.trim().trim_matches(['[', ']']).to_string())
                .filter(|h| !h.is_empty()),
        );
    }
    hosts
}

/// `GET /mcp/health`, in the shape of OneUptime's MCP server.
async fn mcp_health(State(gateway): State<Gateway>) -> Response {
    axum::Json(json!({
        "status": "healthy",
        "service": "lookout",
        "version": env!("CARGO_PKG_VERSION"),
        "backend": gateway.instances().iter().map(|i| i.engine().catalog().backend.as_str()).collect::<Vec<_>>().join(","),
        "instances": gateway.instances().iter().map(|i| i.name()).collect::<Vec<_>>(),
        "mode": "stateless",
        "tools": gateway.tool_list().len(),
        "activeSessions": 0,
    }))
    .into_response()
}

/// `GET /mcp/tools`: the listed tools' names and descriptions (no schemas), as OneUptime's
/// MCP server answers it.
async fn mcp_tools(State(gateway): State<Gateway>) -> Response {
    let tools: Vec<serde_json::Value> = gateway
        .tool_list()
        .iter()
        .map(|t| json!({ "name": t.name, "description": t.description }))
        .collect();
    axum::Json(json!({ "count": tools.len(), "tools": tools })).into_response()
}

/// Refuses `/mcp` requests without a key when the gateway forwards each client's own key.
async fn require_client_key(State(gateway): State<Gateway>, req: Request, next: Next) -> Response {
    let Some(upstream) = gateway.sole_passthrough() else {
        return next.run(req).await;
    };
    if req.method() == Method::OPTIONS || !upstream.client_keys(req.headers()).is_empty() {
        return next.run(req).await;
    }
    let names = upstream.client_key_headers();
    let shown: Vec<String> = names
        .iter()
        .map(|n| {
            if n == "authorization" {
                "Authorization: Bearer <key>".to_string()
            } else {
                n.clone()
            }
        })
        .collect();
    (
        StatusCode::UNAUTHORIZED,
        [(
            header::WWW_AUTHENTICATE,
            "Bearer realm=\"lookout\", error=\"invalid_request\"",
        )],
        axum::Json(json!({
            "error": "missing_api_key",
            "message": format!(
                "this gateway forwards each request's own {} API key: send it as {}",
                upstream.backend(),
                shown.join(" or ")
            ),
        })),
    )
        .into_response()
}

/// Who may call `/mcp`, and from where.
#[derive(Debug, Clone)]
pub struct Access {
    /// Accepted `Host` header names.
    pub hosts: Vec<String>,
    /// Accepted `Origin` values; `None` accepts any.
    pub origins: Option<Vec<String>>,
    pub auth: ClientAuth,
    /// Largest request body accepted (413 beyond).
    pub max_body: usize,
    /// Requests per client (token name, or address without tokens); `None` = unlimited.
    pub client_rate: Option<Rate>,
    /// Serve `/metrics` on this router (behind the tokens, if any); off when it has a port
    /// of its own.
    pub metrics_here: bool,
    /// On shutdown, how long calls in flight may take to finish before they are cancelled.
    pub drain: Duration,
}

impl Access {
    /// Loopback only, no authentication (tests and local use).
    pub fn loopback() -> Access {
        Access {
            hosts: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            origins: auth::allowed_origins(&crate::settings::Env::isolated([]), &[]),
            auth: ClientAuth::Open,
            max_body: DEFAULT_MAX_BODY,
            client_rate: None,
            metrics_here: true,
            drain: DEFAULT_DRAIN,
        }
    }
}

/// Default time calls in flight get to finish on shutdown.
pub const DEFAULT_DRAIN: Duration = Duration::from_secs(30);

/// Default request body limit: rmcp's 4 MiB.
pub const DEFAULT_MAX_BODY: usize = 4 * 1024 * 1024;

/// The per-client request rate limit.
struct ClientLimit {
    limiter: governor::DefaultKeyedRateLimiter<String>,
}

/// Refuses a client's request beyond its rate with 429 and `Retry-After`.
async fn limit_clients(
    State(limit): State<Arc<ClientLimit>>,
    req: Request,
    next: Next,
) -> Response {
    use governor::clock::{Clock, DefaultClock};
    let client = match req.extensions().get::<Caller>() {
        Some(c) => c.0.clone(),
        None => req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into()),
    };
    match limit.limiter.check_key(&client) {
        Ok(()) => next.run(req).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
            crate::metrics::metrics().rate_limited(&client);
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, secs.to_string())],
                axum::Json(json!({
                    "error": "rate_limited",
                    "message": format!("too many requests from `{client}`: try again in {secs} s"),
                    "retry_after_secs": secs,
                })),
            )
                .into_response()
        }
    }
}

/// Counts the request in flight while it is served.
async fn count_in_flight(req: Request, next: Next) -> Response {
    let _guard = crate::metrics::metrics().in_flight();
    next.run(req).await
}

/// How long a readiness answer is reused: load balancers probe often, backends need not.
const READY_CACHE: Duration = Duration::from_secs(5);

/// How long one backend probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// The last readiness answer, reused for [`READY_CACHE`].
#[derive(Default)]
struct Readiness {
    last: tokio::sync::Mutex<Option<(std::time::Instant, bool, serde_json::Value)>>,
}

/// `GET /readyz`: 200 when every backend instance answers its catalog's probe (any status
/// below 500), 503 otherwise; the answer names each instance's result.
async fn readyz(State((gateway, ready)): State<(Gateway, Arc<Readiness>)>) -> Response {
    // One probe round at a time; callers meanwhile wait for its answer.
    let mut last = ready.last.lock().await;
    let fresh = last
        .as_ref()
        .filter(|(at, _, _)| at.elapsed() < READY_CACHE)
        .cloned();
    let (ok, body) = match fresh {
        Some((_, ok, body)) => (ok, body),
        None => {
            let probes = gateway.instances().iter().map(|inst| async move {
                let engine = inst.engine();
                let probe = match &engine.catalog().connection.probe {
                    Some(req) => Some(engine.upstream().probe(req, PROBE_TIMEOUT).await),
                    None => None,
                };
                let reachable = probe.as_ref().is_none_or(|p| p.reachable);
                let mut entry = json!({
                    "instance": inst.name(),
                    "backend": engine.catalog().backend,
                    "reachable": reachable,
                });
                if let Some(p) = probe
                    && let (Some(obj), Ok(v)) = (entry.as_object_mut(), serde_json::to_value(&p))
                    && let Some(fields) = v.as_object()
                {
                    for (k, v) in fields {
                        if k != "reachable" {
                            obj.insert(k.clone(), v.clone());
                        }
                    }
                }
                (reachable, entry)
            });
            let results = futures::future::join_all(probes).await;
            let ok = results.iter().all(|(r, _)| *r);
            let body = json!({
                "status": if ok { "ready" } else { "not_ready" },
                "instances": results.into_iter().map(|(_, e)| e).collect::<Vec<_>>(),
            });
            *last = Some((std::time::Instant::now(), ok, body.clone()));
            (ok, body)
        }
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

/// `GET /metrics`: the Prometheus text format.
async fn metrics_text() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::metrics().render(),
    )
        .into_response()
}

/// A router serving only `/metrics`, for a port of its own.
pub fn metrics_router() -> Router {
    Router::new().route("/metrics", get(metrics_text))
}

/// Event streams pass through nginx unbuffered, so progress reaches the client as it happens.
async fn unbuffered_streams(mut response: Response) -> Response {
    let streaming = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/event-stream"));
    if streaming {
        response.headers_mut().insert(
            header::HeaderName::from_static("x-accel-buffering"),
            header::HeaderValue::from_static("no"),
        );
    }
    response
}

/// The axum application: `/mcp`, `/mcp/health`, `/mcp/tools` and `/healthz`.
pub fn router(gateway: Gateway, access: Access, shutdown: CancellationToken) -> Router {
    let mut config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(Some(Duration::from_secs(15)))
        .with_allowed_hosts(access.hosts)
        .with_max_request_body_bytes(access.max_body)
        .with_cancellation_token(shutdown.child_token());
    config = match access.origins {
        Some(origins) => config
            .with_allowed_origins(origins)
            .enforce_origin_validation(),
        None => config.disable_allowed_origins(),
    };
    let factory = gateway.clone();
    let service = StreamableHttpService::new(
        move || Ok(factory.clone()),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    let mut mcp = Router::new()
        .route_service("/mcp", service)
        .layer(middleware::map_response(unbuffered_streams));
    if gateway.sole_passthrough().is_some() {
        mcp = mcp.layer(middleware::from_fn_with_state(
            gateway.clone(),
            require_client_key,
        ));
    }
    if let Some(quota) = access.client_rate.and_then(Rate::quota) {
        let limit = Arc::new(ClientLimit {
            limiter: governor::RateLimiter::keyed(quota),
        });
        // Forget idle clients now and then, so the map stays small.
        let sweep = Arc::downgrade(&limit);
        let stop = shutdown.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.cancelled() => break,
                }
                let Some(limit) = sweep.upgrade() else { break };
                limit.limiter.retain_recent();
                limit.limiter.shrink_to_fit();
            }
        });
        mcp = mcp.layer(middleware::from_fn_with_state(limit, limit_clients));
    }
    if access.metrics_here {
        mcp = mcp.route("/metrics", get(metrics_text));
    }
    if let ClientAuth::Bearer(verifier) = &access.auth {
        // Nothing below sees a request without a valid token, or the token itself.
        mcp = mcp.layer(middleware::from_fn_with_state(
            (verifier.clone(), gateway.clone(), access.max_body),
            auth::require_token,
        ));
    }
    let mut public = Router::new();
    if let ClientAuth::Bearer(verifier) = &access.auth
        && let Some(oauth) = &verifier.oauth
    {
        // RFC 9728: at the root and suffixed with the resource's path.
        let doc = oauth.metadata();
        let suffixed = reqwest::Url::parse(&oauth.resource)
            .map(|u| u.path().trim_end_matches('/').to_string())
            .unwrap_or_default();
        let serve = move || {
            let doc = doc.clone();
            async move {
                (
                    [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
                    axum::Json(doc),
                )
            }
        };
        public = public.route("/.well-known/oauth-protected-resource", get(serve.clone()));
        if !suffixed.is_empty() {
            public = public.route(
                &format!("/.well-known/oauth-protected-resource{suffixed}"),
                get(serve),
            );
        }
    }
    mcp = mcp.layer(middleware::from_fn(count_in_flight));
    let ready = Router::new()
        .route("/readyz", get(readyz))
        .with_state((gateway.clone(), Arc::new(Readiness::default())));
    Router::new()
        .route(
            "/healthz",
            get(|| async { axum::Json(json!({ "status": "ok" })) }),
        )
        .merge(ready)
        .merge(public)
        .route("/mcp/health", get(mcp_health))
        .route("/mcp/tools", get(mcp_tools))
        .with_state(gateway)
        .merge(mcp)
}

/// Binds and serves until `shutdown` fires. Then no new connection is accepted, and calls in
/// flight get `access.drain` to finish before they are cancelled, so a replica taken out of a
/// load balancer loses no answer it was working on.
pub async fn serve(
    gateway: Gateway,
    addr: SocketAddr,
    access: Access,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr()?;
    tracing::info!(%local, auth = %access.auth.describe(), "serving MCP over HTTP at http://{local}/mcp (health: /healthz)");
    let drain = access.drain;
    // Calls are cancelled only when the drain ends, not when shutdown starts.
    let calls = CancellationToken::new();
    let app = router(gateway, access, calls.clone());
    let stop = shutdown.clone();
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        stop.cancelled().await;
        tracing::info!(
            ?drain,
            "no longer accepting connections; waiting for calls in flight"
        );
    });
    let deadline = async {
        shutdown.cancelled().await;
        tokio::time::sleep(drain).await;
    };
    let result = tokio::select! {
        result = server => result,
        _ = deadline => {
            tracing::warn!(?drain, "calls still running after the drain time are cancelled");
            Ok(())
        }
    };
    calls.cancel();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_forms() {
        assert_eq!(
            parse_listen("8001").ok(),
            Some(SocketAddr::from(([127, 0, 0, 1], 8001)))
        );
        assert_eq!(
            parse_listen("0.0.0.0:9").ok(),
            Some(SocketAddr::from(([0, 0, 0, 0], 9)))
        );
        assert_eq!(
            parse_listen("localhost:7").ok(),
            Some(SocketAddr::from(([127, 0, 0, 1], 7)))
        );
        assert!(parse_listen("[::1]:8001").is_ok());
        assert!(parse_listen("nope").is_err());
    }
}
