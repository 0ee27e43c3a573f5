//! An embedded, Thruk-shaped REST backend: `lookout demo` serves the gateway against it, and
//! the integration tests and benchmarks use it as their upstream. [`oneuptime`] is its
//! OneUptime-shaped twin (`lookout demo oneuptime`).
//!
//! It answers under `/thruk/r/` like a real Thruk (auth by `X-Thruk-Auth-Key`, the
//! `/sites/<a,b>/` prefix, list queries with Thruk's quirks, commands that change state) and
//! records every request so a test can assert exactly what the gateway sent. `GET` and
//! `DELETE /__demo/requests` expose the record to tests in another process.

mod commands;
mod data;
pub mod maintenant;
pub mod oneuptime;
mod query;
mod rows;
pub mod server;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use server::{DemoServer, RequestLog, lock};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub use server::RecordedRequest;

/// The API key the demo accepts in `X-Thruk-Auth-Key`.
pub const DEMO_API_KEY: &str = "demo-key";

struct Shared {
    data: Mutex<data::Data>,
    log: Arc<RequestLog>,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A running demo backend; stops on drop.
pub struct DemoBackend {
    server: DemoServer,
}

impl DemoBackend {
    /// Serves on 127.0.0.1 on an ephemeral port.
    pub async fn start() -> std::io::Result<DemoBackend> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Serves on `addr`.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<DemoBackend> {
        let log = Arc::new(RequestLog::default());
        let shared = Arc::new(Shared {
            data: Mutex::new(data::Data::generate(now())),
            log: log.clone(),
        });
        let app = axum::Router::new().fallback(handle).with_state(shared);
        let server = DemoServer::spawn(addr, app, log).await?;
        Ok(DemoBackend { server })
    }

    /// The value for `THRUK_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("{}/thruk", self.server.origin())
    }
}

/// A Thruk-style error answer.
fn error(status: u16, message: impl Into<String>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        code,
        axum::Json(json!({"code": status, "message": message.into(), "failed": true})),
    )
        .into_response()
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The shared server's record and controls (`requests`, `clear_requests`, `shutdown`, `addr`).
impl std::ops::Deref for DemoBackend {
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
    let path = uri.path().to_string();
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body_text = String::from_utf8_lossy(&body).into_owned();
    let form: Vec<(String, String)> =
        if content_type.starts_with("application/x-www-form-urlencoded") {
            serde_urlencoded::from_str(&body_text).unwrap_or_default()
        } else {
            Vec::new()
        };
    let json_body: Option<Value> = if content_type.starts_with("application/json") {
        serde_json::from_slice(&body).ok()
    } else {
        None
    };
    if let Some(answer) = shared.log.intercept(&method, &uri, &headers, &body) {
        return answer;
    }
    let rest = match path
        .strip_prefix("/thruk/r/v1")
        .or_else(|| path.strip_prefix("/thruk/r"))
    {
        Some(r) => r.to_string(),
        None => return error(404, format!("unknown path: {path}")),
    };
    match headers
        .get("x-thruk-auth-key")
        .and_then(|v| v.to_str().ok())
    {
        None => return error(403, "You are not authorized."),
        Some(k) if k != DEMO_API_KEY => return error(403, "wrong authentication key"),
        Some(_) => {}
    }
    let user = headers
        .get("x-thruk-auth-user")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("demoadmin")
        .to_string();
    // Parameters: query string, plus a form or JSON body (every GET route answers POST too).
    let mut params = query;
    params.extend(form);
    if let Some(Value::Object(obj)) = &json_body {
        for (k, v) in obj {
            match v {
                Value::Array(items) => {
                    params.extend(items.iter().map(|i| (k.clone(), query_text(i))))
                }
                other => params.push((k.clone(), query_text(other))),
            }
        }
    }
    let mut segs: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode)
        .collect();
    let mut sites: Option<Vec<String>> = None;
    if segs.len() >= 2 && (segs[0] == "sites" || segs[0] == "backends") {
        sites = Some(segs[1].split(',').map(str::to_string).collect());
        segs.drain(..2);
    }
    if let Some(v) = params
        .iter()
        .find(|(k, _)| k == "backend" || k == "backends")
        .map(|(_, v)| v.clone())
    {
        sites = Some(v.split(',').map(str::to_string).collect());
    }
    if let Some(list) = &sites {
        let unknown: Vec<&String> = list
            .iter()
            .filter(|s| !data::SITES.iter().any(|(key, name)| name == s || key == s))
            .collect();
        if !unknown.is_empty() {
            return error(
                400,
                format!(
                    "failed to find backend(s): {}",
                    unknown
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            );
        }
    }
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let is_cmd = segs.len() >= 2 && segs[segs.len() - 2] == "cmd";
    if is_cmd {
        if method != Method::POST {
            return error(400, format!("available methods for {rest} are: POST"));
        }
        let mut d = lock(&shared.data);
        return match commands::run(&mut d, &segs, &params, &user, now()) {
            Ok(v) => axum::Json(v).into_response(),
            Err((status, msg)) => error(status, msg),
        };
    }
    if method != Method::GET && method != Method::POST && method != Method::HEAD {
        return error(400, format!("available methods for {rest} are: GET"));
    }
    let d = lock(&shared.data);
    let in_sites = |row: &Value| match &sites {
        None => true,
        Some(list) => list
            .iter()
            .any(|s| row["peer_name"] == s.as_str() || row["peer_key"] == s.as_str()),
    };
    let hosts: Vec<Value> = d.hosts.iter().filter(|r| in_sites(r)).cloned().collect();
    let services: Vec<Value> = d.services.iter().filter(|r| in_sites(r)).cloned().collect();
    let t = now();
    let list = |rows: Vec<Value>, extra: Vec<(String, String)>| -> Response {
        let mut p = params.clone();
        p.extend(extra);
        match query::run(rows, &p, t) {
            Ok(rows) => axum::Json(Value::Array(rows)).into_response(),
            Err((status, msg)) => error(status, msg),
        }
    };
    let kv = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
    match segs.as_slice() {
        ["hosts"] => list(hosts, vec![]),
        ["hosts", "stats"] => axum::Json(commands::host_stats(&hosts, false)).into_response(),
        ["hosts", "totals"] => axum::Json(commands::host_stats(&hosts, true)).into_response(),
        ["hosts", name] => list(hosts, kv("name", name)),
        ["hosts", name, "services"] => list(services, kv("host_name", name)),
        ["services"] => list(services, vec![]),
        ["services", "stats"] => axum::Json(commands::service_stats(&services, false)).into_response(),
        ["services", "totals"] => axum::Json(commands::service_stats(&services, true)).into_response(),
        ["services", host, svc] => list(services, vec![("host_name".into(), host.to_string()), ("description".into(), svc.to_string())]),
        ["hostgroups"] => list(commands::hostgroups(&hosts, &services), vec![]),
        ["hostgroups", name] => list(commands::hostgroups(&hosts, &services), kv("name", name)),
        ["servicegroups"] => list(commands::servicegroups(&services), vec![]),
        ["servicegroups", name] => list(commands::servicegroups(&services), kv("name", name)),
        ["downtimes"] => list(d.downtimes.iter().filter(|r| in_sites(r)).cloned().collect(), vec![]),
        ["downtimes", id] => list(d.downtimes.iter().filter(|r| in_sites(r)).cloned().collect(), kv("id", id)),
        ["comments"] => list(d.comments.iter().filter(|r| in_sites(r)).cloned().collect(), vec![]),
        ["comments", id] => list(d.comments.iter().filter(|r| in_sites(r)).cloned().collect(), kv("id", id)),
        [kind @ ("logs" | "alerts" | "notifications")] => {
            let mut extra = Vec::new();
            if !query::has_filter_on(&params, "time") {
                extra.push(("time[gte]".to_string(), (t - 86400).to_string()));
            }
            if *kind == "alerts" {
                extra.push(("type[regex]".into(), "^(HOST|SERVICE) ALERT$".into()));
            }
            if *kind == "notifications" {
                extra.push(("class".into(), "3".into()));
            }
            let logs: Vec<Value> = d.logs.iter().filter(|r| r["host_name"] == "" || in_sites(r)).cloned().collect();
            list(logs, extra)
        }
        ["sites"] => list(commands::sites(t), vec![]),
        ["processinfo"] => list(commands::processinfo(t), vec![]),
        ["thruk"] => axum::Json(json!({"rest_version": 1, "thruk_version": "3.20", "localtime": t})).into_response(),
        ["thruk", "whoami"] => axum::Json(json!({
            "id": user, "name": user, "auth_src": "api_key", "can_submit_commands": 1,
            "roles": ["authorized_for_admin", "authorized_for_all_hosts", "authorized_for_all_services"],
        }))
        .into_response(),
        ["thruk", "jobs"] => axum::Json(json!([])).into_response(),
        ["thruk", "jobs", id] => error(404, format!("no such job: {id}")),
        _ => error(404, format!("unknown rest path: {method} {rest}")),
    }
}

fn query_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
