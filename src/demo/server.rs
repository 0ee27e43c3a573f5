//! What every demo backend shares: serving an axum router on a loopback port until stopped,
//! and the bounded record of the requests it received.
//!
//! Tests assert exactly what the gateway sent by reading that record, in process through
//! [`DemoServer::requests`] or from another process through `GET /__demo/requests`
//! (`DELETE` clears it).

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio_util::sync::CancellationToken;

/// Requests kept; older ones are dropped first.
const MAX_RECORDED: usize = 10_000;

/// The path of the request record.
const RECORD_PATH: &str = "/__demo/requests";

/// One request as a demo backend received it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordedRequest {
    pub method: String,
    /// Raw (still percent-encoded) path.
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub form: Vec<(String, String)>,
    pub json: Option<Value>,
}

impl RecordedRequest {
    /// The first value of a query parameter.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a form field.
    pub fn form_value(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a header (name in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A lock that survives a panicked holder: demo state is still worth serving.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The bounded record of received requests.
#[derive(Debug, Default)]
pub struct RequestLog {
    requests: Mutex<VecDeque<RecordedRequest>>,
}

impl RequestLog {
    /// Serves `GET`/`DELETE /__demo/requests`, or records the request and returns `None` so
    /// the demo answers it.
    pub fn intercept(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Option<Response> {
        if uri.path() == RECORD_PATH {
            let mut reqs = lock(&self.requests);
            if method == Method::DELETE {
                reqs.clear();
                return Some(StatusCode::NO_CONTENT.into_response());
            }
            return Some(axum::Json(json!(reqs.iter().collect::<Vec<_>>())).into_response());
        }
        self.record(method, uri, headers, body);
        None
    }

    fn record(&self, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) {
        let query: Vec<(String, String)> =
            serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let body_text = String::from_utf8_lossy(body).into_owned();
        let form = if content_type.starts_with("application/x-www-form-urlencoded") {
            serde_urlencoded::from_str(&body_text).unwrap_or_default()
        } else {
            Vec::new()
        };
        let json = if content_type.starts_with("application/x-www-form-urlencoded") {
            None
        } else {
            serde_json::from_slice::<Value>(body).ok()
        };
        let mut reqs = lock(&self.requests);
        if reqs.len() >= MAX_RECORDED {
            reqs.pop_front();
        }
        reqs.push_back(RecordedRequest {
            method: method.to_string(),
            path: uri.path().to_string(),
            query,
            headers: headers
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                .collect(),
            body: body_text,
            form,
            json,
        });
    }

    /// Every request received so far, oldest first.
    pub fn all(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).iter().cloned().collect()
    }

    pub fn clear(&self) {
        lock(&self.requests).clear();
    }
}

/// A demo backend serving on a loopback port; stops on drop.
#[derive(Debug)]
pub struct DemoServer {
    addr: SocketAddr,
    log: Arc<RequestLog>,
    stop: CancellationToken,
}

impl DemoServer {
    /// Binds `addr` and serves `app` until stopped. `log` is the record `app` writes to.
    pub async fn spawn(
        addr: SocketAddr,
        app: axum::Router,
        log: Arc<RequestLog>,
    ) -> std::io::Result<DemoServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let stop = CancellationToken::new();
        let token = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move { token.cancelled().await })
                .await;
        });
        Ok(DemoServer { addr, log, stop })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.log.all()
    }

    pub fn clear_requests(&self) {
        self.log.clear();
    }

    pub fn shutdown(&self) {
        self.stop.cancel();
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
