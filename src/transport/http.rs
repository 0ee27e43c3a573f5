//! Streamable HTTP transport in stateless mode: `POST /mcp` answers any request without a
//! session (no `Mcp-Session-Id`, no initialize required), so any replica behind a load balancer
//! can serve any request. Answers are plain JSON unless the tool streams progress, in which
//! case the reply is an event stream. `GET /healthz` is for load balancers.

use crate::mcp::Gateway;
use axum::Router;
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
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

/// The axum application: `/mcp` and `/healthz`.
pub fn router(gateway: Gateway, hosts: Vec<String>, shutdown: CancellationToken) -> Router {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(Some(Duration::from_secs(15)))
        .with_allowed_hosts(hosts)
        .with_cancellation_token(shutdown.child_token());
    let service = StreamableHttpService::new(
        move || Ok(gateway.clone()),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    Router::new()
        .route(
            "/healthz",
            get(|| async { axum::Json(serde_json::json!({ "status": "ok" })) }),
        )
        .nest_service("/mcp", service)
}

/// Binds and serves until `shutdown` fires; in-flight requests are drained.
pub async fn serve(
    gateway: Gateway,
    addr: SocketAddr,
    hosts: Vec<String>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr()?;
    tracing::info!(%local, "serving MCP over HTTP at http://{local}/mcp (health: /healthz)");
    let app = router(gateway, hosts, shutdown.clone());
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
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
