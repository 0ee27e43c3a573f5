//! An embedded, OneUptime-shaped REST backend: `lookout demo oneuptime` serves the gateway
//! against it, and the tests use it as their OneUptime upstream.
//!
//! It answers under `/api` like a real OneUptime (auth by the `APIKey` header, the generic
//! CRUD router for the 22 MCP-enabled database resources, the telemetry router for the 7
//! telemetry resources, `project` for "who am I", OneUptime's value wrappers and error
//! statuses, and its paging quirks), holds two tenants' worth of realistic data, and records
//! every request so a test can assert exactly what the gateway sent. `GET` and
//! `DELETE /__demo/requests` expose the record to tests in another process.
//!
//! Layout: `model` is the schema, `query` the list semantics and wire encoding, `store` the
//! state and its write rules, `routes` the request handling, `seed` and `telemetry` the
//! generated data.

mod model;
mod query;
mod routes;
mod seed;
mod store;
mod telemetry;
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

/// API key of project "Acme Production", full permissions.
pub const ONEUPTIME_DEMO_KEY: &str = "6f1c2a9e-4b7d-4e5a-9c3f-1a2b3c4d5e6f";
/// API key of project "Globex Staging", full permissions, entirely different data.
pub const ONEUPTIME_DEMO_TENANT_B_KEY: &str = "0b9e7d3c-2a1f-4c6b-8e5d-7f6a5b4c3d2e";
/// API key of project "Acme Production", read-only: every create/update/delete answers 422.
pub const ONEUPTIME_DEMO_READONLY_KEY: &str = "9d8c7b6a-5f4e-4d3c-a2b1-c0d9e8f7a6b5";

/// The `_id` of project "Acme Production".
const ACME_PROJECT_ID: &str = "ac3e0000-0000-4000-8000-000000000001";
/// The `_id` of project "Globex Staging".
const GLOBEX_PROJECT_ID: &str = "61be0000-0000-4000-8000-000000000002";

/// A failed request: HTTP status and the `error` message.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ApiError {
    status: u16,
    message: String,
}

impl ApiError {
    fn new(status: u16, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    fn bad(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (code, axum::Json(json!({"error": self.message}))).into_response()
    }
}

/// Whether `s` is a UUID in its hyphenated form (any case).
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

struct Shared {
    store: Mutex<store::Store>,
    log: Arc<RequestLog>,
}

/// A running OneUptime-shaped demo backend; stops on drop.
pub struct OneUptimeDemo {
    server: DemoServer,
}

impl OneUptimeDemo {
    /// Serves on 127.0.0.1 on an ephemeral port.
    pub async fn start() -> std::io::Result<OneUptimeDemo> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Serves on `addr`.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<OneUptimeDemo> {
        let log = Arc::new(RequestLog::default());
        let shared = Arc::new(Shared {
            store: Mutex::new(seed::generate(chrono::Utc::now())),
            log: log.clone(),
        });
        let app = axum::Router::new().fallback(handle).with_state(shared);
        let server = DemoServer::spawn(addr, app, log).await?;
        Ok(OneUptimeDemo { server })
    }

    /// The value for `ONEUPTIME_URL`.
    pub fn base_url(&self) -> String {
        self.server.origin()
    }
}

/// The shared server's record and controls (`requests`, `clear_requests`, `shutdown`, `addr`).
impl std::ops::Deref for OneUptimeDemo {
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
    let url: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let request = routes::Request {
        method: &method,
        path: uri.path(),
        url: &url,
        headers: &headers,
        body: &body,
        now: chrono::Utc::now(),
    };
    let answer = routes::serve(&mut lock(&shared.store), &request);
    match answer {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}
