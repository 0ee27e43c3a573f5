//! An embedded, maintenant-shaped REST backend: the gateway's maintenant adapter and its
//! tests run against it.
//!
//! It answers under `/api/v1` like maintenant 1.2.x (containers with transitions, logs and
//! resources, endpoints and checks, heartbeats with pause/resume, certificates, alerts with
//! acknowledgement, resources, image updates, the status page), with maintenant's error
//! envelope `{"error":{"code","message"}}` and codes, its edition gating (`403 PRO_REQUIRED`
//! for the paid status-page writes in [`Edition::Community`]) and its paging rules. maintenant
//! has no auth of its own; [`ProxyAuth`] imitates the reverse proxy operators put in front of
//! it. Writes change the in-memory state, and every request is recorded so a test can assert
//! exactly what the gateway sent (`GET`/`DELETE /__demo/requests` from another process).
//!
//! Layout: `model` holds the record types, `seed` the generated estate, `logs` the container
//! log lines, `store` the state and its write rules, `routes` the route table and shared
//! helpers, and `containers`, `monitors`, `alerts`, `statuspage`, `instance` the handlers.
//! `auth` is the proxy check.

mod alerts;
mod auth;
mod containers;
mod instance;
mod logs;
mod model;
mod monitors;
mod routes;
mod seed;
mod statuspage;
mod store;
#[cfg(test)]
mod tests;

use super::server::{DemoServer, RequestLog, lock};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// The edition the demo runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Edition {
    /// Paid features answer `403 PRO_REQUIRED`; quotas are limited.
    Community,
    /// Everything open, quotas unlimited.
    #[default]
    Pro,
}

/// The credential a reverse proxy in front of maintenant demands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyAuth {
    /// `Authorization: Basic base64(user:password)` (nginx `auth_basic`).
    Basic { user: String, password: String },
    /// `Authorization: Bearer <token>` (an OAuth2 proxy).
    Bearer(String),
    /// A header with an exact value (a forward-auth or API-gateway header).
    Header { name: String, value: String },
}

/// How the demo runs; the default is the Pro edition without a proxy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaintenantDemoOptions {
    pub edition: Edition,
    pub proxy: Option<ProxyAuth>,
}

/// A failed request: HTTP status and the `code`/`message` of maintenant's error envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ApiError {
    status: u16,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "NOT_FOUND", message)
    }

    /// A status-page validation failure.
    fn validation(message: impl Into<String>) -> Self {
        Self::new(400, "validation", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (status, axum::Json(body)).into_response()
    }
}

struct Shared {
    store: Mutex<store::Store>,
    log: Arc<RequestLog>,
    edition: Edition,
    proxy: Option<auth::Expected>,
}

/// A running maintenant-shaped demo backend; stops on drop.
pub struct MaintenantDemo {
    server: DemoServer,
}

impl MaintenantDemo {
    /// Serves the Pro edition without a proxy on 127.0.0.1 on an ephemeral port.
    pub async fn start() -> std::io::Result<MaintenantDemo> {
        Self::start_with(MaintenantDemoOptions::default()).await
    }

    /// Serves on 127.0.0.1 on an ephemeral port.
    pub async fn start_with(options: MaintenantDemoOptions) -> std::io::Result<MaintenantDemo> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), options).await
    }

    /// Serves on `addr`.
    pub async fn start_on(
        addr: SocketAddr,
        options: MaintenantDemoOptions,
    ) -> std::io::Result<MaintenantDemo> {
        let log = Arc::new(RequestLog::default());
        let shared = Arc::new(Shared {
            store: Mutex::new(seed::generate(chrono::Utc::now())),
            log: log.clone(),
            edition: options.edition,
            proxy: options.proxy.as_ref().map(auth::Expected::new),
        });
        let app = axum::Router::new().fallback(handle).with_state(shared);
        let server = DemoServer::spawn(addr, app, log).await?;
        Ok(MaintenantDemo { server })
    }

    /// `http://127.0.0.1:PORT`, the value for `MAINTENANT_URL` (the API is under `/api/v1`).
    pub fn base_url(&self) -> String {
        self.server.origin()
    }
}

/// The shared server's record and controls (`requests`, `clear_requests`, `shutdown`, `addr`).
impl std::ops::Deref for MaintenantDemo {
    type Target = DemoServer;

    fn deref(&self) -> &DemoServer {
        &self.server
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(answer) = shared.log.intercept(&method, &uri, &headers, &body) {
        return answer;
    }
    if let Some(denied) = auth::check(shared.proxy.as_ref(), &headers) {
        return denied;
    }
    let url: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let request = routes::Request {
        method: &method,
        path: uri.path(),
        url: &url,
        body: &body,
        edition: shared.edition,
        now: chrono::Utc::now(),
    };
    match routes::serve(&mut lock(&shared.store), &request) {
        Ok(reply) => {
            let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
            (status, axum::Json(reply.body)).into_response()
        }
        Err(e) => e.into_response(),
    }
}
