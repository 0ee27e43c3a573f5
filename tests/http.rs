//! End-to-end tests of `lookout --listen`: stateless Streamable HTTP with rmcp's HTTP client and
//! with raw requests (no session, no initialize, plain JSON, progress as an event stream),
//! `/healthz`, and graceful shutdown on SIGTERM (calls in flight drained, within a bound).

mod common;

use common::*;
use lookout::demo::{DEMO_API_KEY, DemoBackend};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::{Value, json};

fn post(base: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(format!("{base}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
}

#[tokio::test]
async fn stateless_requests_need_no_session_and_answer_plain_json() {
    let demo = DemoBackend::start().await.expect("demo");
    let (_child, base) =
        http_server(lookout_command(&demo.base_url(), Some(DEMO_API_KEY), &[])).await;
    let health: Value = reqwest::get(format!("{base}/healthz"))
        .await
        .expect("healthz")
        .json()
        .await
        .expect("json");
    assert_eq!(health["status"], "ok");
    // tools/list as the very first request, without initialize.
    let resp = post(&base)
        .body(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string())
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers().get("mcp-session-id").is_none(),
        "stateless: no session id"
    );
    assert!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/json"))
    );
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["result"]["tools"].as_array().map(Vec::len), Some(29));
    // A call on its own, as another replica would receive it.
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "thruk_get_host", "arguments": {"host": "web-01"}}});
    let body: Value = post(&base)
        .body(call.to_string())
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(body["result"]["structuredContent"]["name"], "web-01");
    // An untrusted Host header is refused (DNS rebinding).
    let resp = post(&base)
        .header("host", "evil.example")
        .body(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}).to_string())
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 403);
    // Malformed JSON gets a client error, not a crash; the server keeps serving.
    let resp = post(&base).body("{not json").send().await.expect("post");
    assert!(resp.status().is_client_error());
    assert!(
        reqwest::get(format!("{base}/healthz"))
            .await
            .is_ok_and(|r| r.status().is_success())
    );
}

#[tokio::test]
async fn rmcp_http_client_lists_and_calls() {
    let demo = DemoBackend::start().await.expect("demo");
    let (_child, base) =
        http_server(lookout_command(&demo.base_url(), Some(DEMO_API_KEY), &[])).await;
    let transport = StreamableHttpClientTransport::from_uri(format!("{base}/mcp"));
    let client = ().serve(transport).await.expect("connect over HTTP");
    assert_eq!(client.list_all_tools().await.expect("tools").len(), 29);
    let r = client
        .call_tool(
            CallToolRequestParams::new("thruk_schedule_downtime")
                .with_arguments(obj(json!({"host": "db-01", "duration_minutes": 15}))),
        )
        .await
        .expect("call");
    assert_ne!(r.is_error, Some(true), "{:?}", r.content);
    let req = demo
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "POST")
        .expect("command");
    assert_eq!(req.path, "/thruk/r/hosts/db-01/cmd/schedule_host_downtime");
    let r = client
        .call_tool(CallToolRequestParams::new("thruk_get_host").with_arguments(obj(json!({}))))
        .await
        .expect("call");
    assert_eq!(r.is_error, Some(true));
    client.cancel().await.ok();
}

#[tokio::test]
async fn background_query_streams_progress_then_the_result() {
    // A slow upstream: the answer takes 2.5 s, so progress is reported while waiting.
    let (url, _hits) =
        fault_upstream(200, "application/json", "[{\"name\":\"web-01\"}]", 2500).await;
    let (_child, base) = http_server(lookout_command(&url, Some("k"), &[])).await;
    let call = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {
        "name": "thruk_run_background_query", "arguments": {"path": "/logs", "poll_timeout": 30},
        "_meta": {"progressToken": "tok-1"}}});
    let resp = post(&base)
        .header("mcp-protocol-version", "2025-06-18")
        .body(call.to_string())
        .send()
        .await
        .expect("post");
    assert!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("text/event-stream"))
    );
    assert_eq!(
        resp.headers()
            .get("x-accel-buffering")
            .and_then(|v| v.to_str().ok()),
        Some("no"),
        "nginx must not buffer the stream"
    );
    let text = resp.text().await.expect("body");
    let events: Vec<Value> = text
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str(d.trim()).ok())
        .collect();
    let progress: Vec<&Value> = events
        .iter()
        .filter(|e| e["method"] == "notifications/progress")
        .collect();
    assert!(progress.len() >= 2, "progress before the result: {text}");
    assert!(
        progress
            .iter()
            .all(|p| p["params"]["progressToken"] == "tok-1")
    );
    let result = events.iter().find(|e| e["id"] == 7).expect("result event");
    assert_eq!(
        result["result"]["structuredContent"]["rows"][0]["name"],
        "web-01"
    );
    assert!(result["result"]["structuredContent"]["elapsed_seconds"].as_f64() > Some(2.0));
}

#[tokio::test]
async fn protocol_2026_07_28_requests_are_served_statelessly() {
    let demo = DemoBackend::start().await.expect("demo");
    let (_child, base) =
        http_server(lookout_command(&demo.base_url(), Some(DEMO_API_KEY), &[])).await;
    let meta = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}});
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "thruk_stats", "arguments": {}, "_meta": meta}});
    let resp = post(&base)
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", "thruk_stats")
        .body(call.to_string())
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert!(
        body["result"]["structuredContent"]["hosts"]["total"].as_u64() > Some(0),
        "{body}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_shuts_down_gracefully() {
    let demo = DemoBackend::start().await.expect("demo");
    let (mut child, _base) =
        http_server(lookout_command(&demo.base_url(), Some(DEMO_API_KEY), &[])).await;
    sigterm(&child);
    let exit = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("exits")
        .expect("status");
    assert!(exit.success(), "clean exit on SIGTERM: {exit:?}");
}

#[cfg(unix)]
fn sigterm(child: &tokio::process::Child) {
    let pid = child.id().expect("pid").to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_drains_calls_in_flight() {
    use std::sync::atomic::Ordering;
    // The upstream takes 1.5 s: SIGTERM arrives while the call waits for it.
    let (url, hits) =
        fault_upstream(200, "application/json", "[{\"name\":\"web-01\"}]", 1500).await;
    let (mut child, base) = http_server(lookout_command(&url, Some("k"), &[])).await;
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "thruk_list_hosts", "arguments": {}}});
    let request = post(&base)
        .header("mcp-protocol-version", "2025-06-18")
        .body(call.to_string());
    let pending = tokio::spawn(async move { request.send().await });
    for _ in 0..100 {
        if hits.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "the call reached the upstream"
    );
    sigterm(&child);
    let resp = pending.await.expect("task").expect("the call is answered");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["result"]["isError"], false, "{body}");
    assert_eq!(
        body["result"]["structuredContent"]["rows"][0]["name"],
        "web-01"
    );
    let exit = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("exits after the drain")
        .expect("status");
    assert!(exit.success(), "{exit:?}");
    assert!(
        reqwest::get(format!("{base}/healthz")).await.is_err(),
        "no longer listening"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn the_drain_is_bounded() {
    let (url, _hits) = fault_upstream(200, "application/json", "[]", 20_000).await;
    let (mut child, base) = http_server(lookout_command(
        &url,
        Some("k"),
        &[("LOOKOUT_DRAIN_SECS", "0.5"), ("THRUK_TIMEOUT", "60")],
    ))
    .await;
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "thruk_list_hosts", "arguments": {}}});
    let request = post(&base)
        .header("mcp-protocol-version", "2025-06-18")
        .body(call.to_string());
    let _pending = tokio::spawn(async move { request.send().await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    sigterm(&child);
    let exit = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("exits once the drain time is over, not after the 20 s call")
        .expect("status");
    assert!(exit.success(), "{exit:?}");
}

#[tokio::test]
async fn readyz_probes_each_backend_and_caches_the_answer() {
    let demo = DemoBackend::start().await.expect("demo");
    let (_child, base) =
        http_server(lookout_command(&demo.base_url(), Some(DEMO_API_KEY), &[])).await;
    let r = reqwest::get(format!("{base}/readyz")).await.expect("get");
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["instances"][0]["instance"], "thruk");
    assert_eq!(body["instances"][0]["reachable"], true);
    assert_eq!(body["instances"][0]["status"], 200);
    let sent = demo.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].path, "/thruk/r/thruk");
    assert_eq!(sent[0].header("x-thruk-auth-key"), Some(DEMO_API_KEY));
    let again = reqwest::get(format!("{base}/readyz")).await.expect("get");
    assert_eq!(again.status(), 200);
    assert_eq!(demo.requests().len(), 1, "answered from the last probe");

    // Nothing listening, and a backend answering 500: not ready, and why.
    let (_child, base) =
        http_server(lookout_command("http://127.0.0.1:9/thruk", Some("k"), &[])).await;
    let r = reqwest::get(format!("{base}/readyz")).await.expect("get");
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["instances"][0]["reachable"], false);
    assert_eq!(body["instances"][0]["error"], "CONNECTION_ERROR");
    let (url, _hits) = fault_upstream(500, "text/html", "<h1>oops</h1>", 0).await;
    let (_child, base) = http_server(lookout_command(&url, Some("k"), &[])).await;
    let r = reqwest::get(format!("{base}/readyz")).await.expect("get");
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["instances"][0]["status"], 500);
    // A 401 still shows the backend is up: readiness is about reaching it.
    let (url, _hits) = fault_upstream(401, "application/json", "{\"message\":\"no\"}", 0).await;
    let (_child, base) = http_server(lookout_command(&url, Some("k"), &[])).await;
    let r = reqwest::get(format!("{base}/readyz")).await.expect("get");
    assert_eq!(r.status(), 200);
}
