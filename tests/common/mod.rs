//! Shared test harness: the embedded demo Thruk backend in-process, the `lookout` binary
//! spawned over stdio (rmcp client) or HTTP, and small fault-injecting upstreams.

#![allow(dead_code)]

pub mod faults;

use lookout::demo::DemoBackend;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Map, Value};
use std::process::Stdio;
use tokio::process::Command;

/// The 29 tools of the Thruk catalog, in catalog order.
pub const THRUK_TOOLS: [&str; 29] = [
    "thruk_list_hosts",
    "thruk_get_host",
    "thruk_list_services",
    "thruk_get_service",
    "thruk_list_hostgroups",
    "thruk_list_servicegroups",
    "thruk_problems",
    "thruk_stats",
    "thruk_sites",
    "thruk_list_logs",
    "thruk_list_alerts",
    "thruk_list_notifications",
    "thruk_recent_events",
    "thruk_list_comments",
    "thruk_list_downtimes",
    "thruk_get_downtime",
    "thruk_schedule_downtime",
    "thruk_schedule_host_services_downtime",
    "thruk_schedule_propagated_host_downtime",
    "thruk_schedule_hostgroup_downtime",
    "thruk_schedule_servicegroup_downtime",
    "thruk_delete_downtime",
    "thruk_delete_active_downtimes",
    "thruk_delete_downtimes_by_filter",
    "thruk_acknowledge",
    "thruk_remove_acknowledgement",
    "thruk_recheck",
    "thruk_query",
    "thruk_run_background_query",
];

/// The Thruk write tools (hidden in read-only mode).
pub const WRITE_TOOLS: [&str; 11] = [
    "thruk_schedule_downtime",
    "thruk_schedule_host_services_downtime",
    "thruk_schedule_propagated_host_downtime",
    "thruk_schedule_hostgroup_downtime",
    "thruk_schedule_servicegroup_downtime",
    "thruk_delete_downtime",
    "thruk_delete_active_downtimes",
    "thruk_delete_downtimes_by_filter",
    "thruk_acknowledge",
    "thruk_remove_acknowledgement",
    "thruk_recheck",
];

pub const BIN: &str = env!("CARGO_BIN_EXE_lookout");

pub type Client = RunningService<RoleClient, ()>;

/// A `lookout` command with a clean Thruk environment.
pub fn lookout_command(base_url: &str, key: Option<&str>, extra: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    for var in [
        "THRUK_BASE_URL",
        "THRUK_API_KEY",
        "THRUK_AUTH_USER",
        "THRUK_DEFAULT_BACKENDS",
        "THRUK_TIMEOUT",
        "THRUK_VERIFY_SSL",
        "LOOKOUT_LISTEN",
        "LOOKOUT_BACKEND",
        "THRUK_READ_ONLY",
        "THRUK_ENABLED_TOOLS",
        "THRUK_DISABLED_TOOLS",
        "THRUK_AUDIT_LOG",
        "THRUK_MAX_CONCURRENT",
        "LOOKOUT_READ_ONLY",
        "LOOKOUT_ENABLED_TOOLS",
        "LOOKOUT_DISABLED_TOOLS",
        "LOOKOUT_AUDIT_LOG",
        "LOOKOUT_MAX_CONCURRENT",
        "LOOKOUT_RATE_LIMIT",
        "LOOKOUT_RETRIES",
        "LOOKOUT_CACHE",
        "LOOKOUT_CONFIG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("THRUK_BASE_URL", base_url)
        .env("LOOKOUT_LOG", "warn")
        // Short backoffs keep retry tests quick; the retry counts stay the defaults.
        .env("LOOKOUT_RETRY_BACKOFF_MS", "20")
        .env("LOOKOUT_RETRY_MAX_BACKOFF_MS", "100");
    if let Some(k) = key {
        cmd.env("THRUK_API_KEY", k);
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.stderr(Stdio::null());
    cmd
}

/// Spawns the binary on stdio and connects rmcp's client.
pub async fn stdio_client(cmd: Command) -> Client {
    let transport = TokioChildProcess::new(cmd).expect("spawn lookout");
    ().serve(transport)
        .await
        .expect("MCP initialize over stdio")
}

/// Spawns the binary on stdio with its stderr captured; returns the client and the stderr.
pub async fn stdio_client_with_stderr(cmd: Command) -> (Client, tokio::process::ChildStderr) {
    let (transport, stderr) = TokioChildProcess::builder(cmd)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn lookout");
    let client = ().serve(transport).await.expect("MCP initialize over stdio");
    (client, stderr.expect("stderr pipe"))
}

/// Reads what is left of a child's stderr after it exited.
pub async fn read_all(mut stderr: tokio::process::ChildStderr) -> String {
    use tokio::io::AsyncReadExt;
    let mut text = String::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stderr.read_to_string(&mut text),
    )
    .await;
    text
}

/// The demo backend plus a stdio client pointed at it with the demo key.
pub async fn demo_and_client() -> (DemoBackend, Client) {
    let demo = DemoBackend::start().await.expect("demo backend");
    let client = stdio_client(lookout_command(
        &demo.base_url(),
        Some(lookout::demo::DEMO_API_KEY),
        &[],
    ))
    .await;
    (demo, client)
}

pub fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

pub async fn call(client: &Client, name: &str, args: Value) -> CallToolResult {
    client
        .call_tool(CallToolRequestParams::new(name.to_string()).with_arguments(obj(args)))
        .await
        .unwrap_or_else(|e| panic!("tools/call {name} failed at protocol level: {e}"))
}

/// The structured body of a successful result, after checking that its text copy (the one
/// block of text content) is the same JSON.
pub fn ok_body(r: &CallToolResult) -> Value {
    assert_ne!(
        r.is_error,
        Some(true),
        "expected success, got {:?}",
        r.content
    );
    let body = r.structured_content.clone().expect("structured content");
    assert!(
        body.is_object(),
        "structuredContent must be an object: {body}"
    );
    let [block] = r.content.as_slice() else {
        panic!("expected one content block, got {:?}", r.content)
    };
    let text = block
        .as_text()
        .map(|t| t.text.as_str())
        .expect("a text block");
    let copy: Value = serde_json::from_str(text).expect("the text copy is JSON");
    assert_eq!(copy, body, "the text copy differs from structuredContent");
    body
}

/// The structured error of a failed result.
pub fn err_body(r: &CallToolResult) -> Value {
    assert_eq!(
        r.is_error,
        Some(true),
        "expected an error, got {:?}",
        r.structured_content
    );
    let body = r.structured_content.clone().expect("structured error");
    assert!(
        body["code"].is_string() && body["message"].is_string(),
        "{body}"
    );
    body
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Waits until `url` answers with a success status; false after 5 s.
pub async fn wait_ready(url: &str) -> bool {
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http
            .get(url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    false
}

/// Spawns `lookout --listen 127.0.0.1:<free port>` and waits for /healthz.
pub async fn http_server(cmd: Command) -> (tokio::process::Child, String) {
    http_server_on(cmd, "127.0.0.1").await
}

/// Spawns `lookout --listen <host>:<free port>` and waits for /healthz on 127.0.0.1.
pub async fn http_server_on(mut cmd: Command, host: &str) -> (tokio::process::Child, String) {
    let port = free_port();
    cmd.arg("--listen")
        .arg(format!("{host}:{port}"))
        .kill_on_drop(true);
    let child = cmd.spawn().expect("spawn lookout --listen");
    let base = format!("http://127.0.0.1:{port}");
    assert!(
        wait_ready(&format!("{base}/healthz")).await,
        "lookout --listen did not come up"
    );
    (child, base)
}

/// An upstream that answers every request with a fixed status, content type and body,
/// optionally after a delay; returns its base URL and a request counter.
pub async fn fault_upstream(
    status: u16,
    content_type: &'static str,
    body: &'static str,
    delay_ms: u64,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
            let mut resp = axum::response::Response::new(axum::body::Body::from(body));
            *resp.status_mut() =
                axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
            resp.headers_mut().insert(
                "content-type",
                axum::http::HeaderValue::from_static(content_type),
            );
            if status == 302 {
                resp.headers_mut().insert(
                    "location",
                    axum::http::HeaderValue::from_static("/demo/thruk/cgi-bin/login.cgi"),
                );
            }
            if status == 429 {
                resp.headers_mut()
                    .insert("retry-after", axum::http::HeaderValue::from_static("7"));
            }
            resp
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/thruk"), hits)
}

/// The 22 OneUptime database resources as (singular, plural) tool-name parts, in catalog
/// order, as OneUptime's own MCP server names them.
pub const ONEUPTIME_DATABASE: [(&str, &str); 22] = [
    ("monitor", "monitors"),
    ("monitor_status", "monitor_statuses"),
    ("monitor_status_event", "monitor_status_events"),
    ("incident", "incidents"),
    ("incident_state", "incident_states"),
    ("incident_severity", "incident_severities"),
    ("incident_state_timeline", "incident_state_timelines"),
    ("incident_public_note", "incident_public_notes"),
    ("incident_internal_note", "incident_internal_notes"),
    ("alert", "alerts"),
    ("alert_state", "alert_states"),
    ("alert_severity", "alert_severities"),
    ("alert_state_timeline", "alert_state_timelines"),
    ("alert_internal_note", "alert_internal_notes"),
    ("status_page", "status_pages"),
    ("status_page_announcement", "status_page_announcements"),
    ("on_call_policy", "on_call_duty_policies"),
    ("team", "teams"),
    (
        "scheduled_maintenance_event",
        "scheduled_maintenance_events",
    ),
    (
        "scheduled_maintenance_state",
        "scheduled_maintenance_states",
    ),
    (
        "scheduled_maintenance_state_timeline",
        "scheduled_maintenance_state_timelines",
    ),
    ("label", "labels"),
];

/// The 7 OneUptime telemetry resources (list and count only).
pub const ONEUPTIME_TELEMETRY: [&str; 7] = [
    "logs",
    "metrics",
    "spans",
    "exception_instances",
    "monitor_logs",
    "security_events",
    "kubernetes_cost_allocations",
];

/// The OneUptime workflow tools; all but `oneuptime_whoami` write.
pub const ONEUPTIME_WORKFLOW: [&str; 7] = [
    "oneuptime_whoami",
    "acknowledge_incident",
    "resolve_incident",
    "acknowledge_alert",
    "resolve_alert",
    "add_incident_note",
    "add_alert_note",
];

/// A `lookout --backend oneuptime` command with a clean environment.
pub fn oneuptime_command(base_url: &str, key: Option<&str>, extra: &[(&str, &str)]) -> Command {
    let mut cmd = lookout_command("http://127.0.0.1:9/unused", None, &[]);
    for var in [
        "ONEUPTIME_URL",
        "ONEUPTIME_API_KEY",
        "ONEUPTIME_TIMEOUT",
        "ONEUPTIME_VERIFY_SSL",
        "ONEUPTIME_READ_ONLY",
        "ONEUPTIME_ENABLED_TOOLS",
        "ONEUPTIME_DISABLED_TOOLS",
        "ONEUPTIME_AUDIT_LOG",
        "ONEUPTIME_MAX_CONCURRENT",
        "ONEUPTIME_KEY_PASSTHROUGH",
        "LOOKOUT_KEY_PASSTHROUGH",
    ] {
        cmd.env_remove(var);
    }
    cmd.arg("--backend").arg("oneuptime");
    cmd.env("ONEUPTIME_URL", base_url);
    if let Some(k) = key {
        cmd.env("ONEUPTIME_API_KEY", k);
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd
}

/// The 19 tools of the maintenant catalog, in catalog order.
pub const MAINTENANT_TOOLS: [&str; 19] = [
    "list_containers",
    "get_container",
    "get_container_logs",
    "list_endpoints",
    "get_endpoint_history",
    "list_heartbeats",
    "list_certificates",
    "list_alerts",
    "get_resources",
    "get_top_consumers",
    "get_updates",
    "get_health",
    "acknowledge_alert",
    "create_incident",
    "update_incident",
    "create_maintenance",
    "pause_monitor",
    "resume_monitor",
    "maintenant_query",
];

/// A `lookout --backend maintenant` command with a clean environment.
pub fn maintenant_command(base_url: &str, extra: &[(&str, &str)]) -> Command {
    let mut cmd = lookout_command("http://127.0.0.1:9/unused", None, &[]);
    for var in [
        "MAINTENANT_URL",
        "MAINTENANT_TIMEOUT",
        "MAINTENANT_VERIFY_SSL",
        "MAINTENANT_PROXY_USER",
        "MAINTENANT_PROXY_PASSWORD",
        "MAINTENANT_PROXY_TOKEN",
        "MAINTENANT_PROXY_HEADER",
        "MAINTENANT_READ_ONLY",
        "MAINTENANT_ENABLED_TOOLS",
        "MAINTENANT_DISABLED_TOOLS",
        "MAINTENANT_AUDIT_LOG",
        "MAINTENANT_MAX_CONCURRENT",
        "LOOKOUT_CONFIG",
    ] {
        cmd.env_remove(var);
    }
    cmd.arg("--backend").arg("maintenant");
    cmd.env("MAINTENANT_URL", base_url);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd
}
