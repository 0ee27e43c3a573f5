//! End-to-end tests of who may call `/mcp` over HTTP, and with what: the binary refusing to
//! listen off loopback without authentication, static bearer tokens (one, and a file of named ones, the
//! name recorded in audit lines, the token never reaching a backend), the Origin allowlist,
//! key passthrough next to gateway tokens, the request body limit, Prometheus metrics that
//! move when calls are made, and the per-client rate limit.

mod common;

use common::*;
use lookout::demo::oneuptime::{ONEUPTIME_DEMO_KEY, OneUptimeDemo};
use lookout::demo::{DEMO_API_KEY, DemoBackend};
use serde_json::{Value, json};

const TOKEN: &str = "gateway-token-5f0c2e9a7b14d3c6";
const ALICE: &str = "alice-token-8d1e4b7a2c9f6e03";
const BOB: &str = "bob-token-3a6f9c1e8b2d7405";

/// A JSON-RPC POST to `/mcp` with optional extra headers.
async fn post(base: &str, body: Value, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .header("mcp-protocol-version", "2025-06-18")
        .json(&body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.expect("post")
}

fn list_tools() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
}

fn call_tool(name: &str, args: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": name, "arguments": args}})
}

#[tokio::test]
async fn listening_off_loopback_needs_authentication() {
    let demo = DemoBackend::start().await.expect("demo");
    let mut cmd = lookout_command(&demo.base_url(), Some(DEMO_API_KEY), &[]);
    cmd.arg("--listen")
        .arg(format!("0.0.0.0:{}", free_port()))
        .stderr(std::process::Stdio::piped());
    let out = tokio::time::timeout(std::time::Duration::from_secs(20), cmd.output())
        .await
        .expect("exits at once")
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("MCP_HTTP_TOKEN")
            && err.contains("MCP_HTTP_TOKENS_FILE")
            && err.contains("MCP_HTTP_ALLOW_UNAUTHENTICATED=true"),
        "{err}"
    );
    // The explicit opt-out serves, as does a token.
    let (_child, base) = http_server_on(
        lookout_command(
            &demo.base_url(),
            Some(DEMO_API_KEY),
            &[("MCP_HTTP_ALLOW_UNAUTHENTICATED", "true")],
        ),
        "0.0.0.0",
    )
    .await;
    assert_eq!(post(&base, list_tools(), &[]).await.status(), 200);
    let (_child, base) = http_server_on(
        lookout_command(
            &demo.base_url(),
            Some(DEMO_API_KEY),
            &[("MCP_HTTP_TOKEN", TOKEN)],
        ),
        "0.0.0.0",
    )
    .await;
    assert_eq!(post(&base, list_tools(), &[]).await.status(), 401);
    let auth = format!("Bearer {TOKEN}");
    assert_eq!(
        post(&base, list_tools(), &[("authorization", &auth)])
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn bearer_tokens_are_checked_named_and_never_forwarded() {
    let demo = DemoBackend::start().await.expect("demo");
    let dir = tempfile::tempdir().expect("dir");
    let tokens = dir.path().join("tokens.yaml");
    std::fs::write(&tokens, format!("alice: {ALICE}\nbob: {BOB}\n")).expect("write");
    let audit = dir.path().join("audit.jsonl");
    let (_child, base) = http_server_on(
        lookout_command(
            &demo.base_url(),
            Some(DEMO_API_KEY),
            &[
                ("MCP_HTTP_TOKEN", TOKEN),
                ("MCP_HTTP_TOKENS_FILE", tokens.to_str().expect("path")),
                ("THRUK_AUDIT_LOG", audit.to_str().expect("path")),
            ],
        ),
        "127.0.0.1",
    )
    .await;

    let r = post(&base, list_tools(), &[]).await;
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer realm=\"lookout\"")
    );
    let r = post(
        &base,
        list_tools(),
        &[("authorization", "Bearer not-a-token")],
    )
    .await;
    assert_eq!(r.status(), 401);
    let challenge = r
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"], "invalid_token");
    for wrong in [
        format!("Basic {ALICE}"),
        ALICE.to_string(),
        format!("Bearer {ALICE}x"),
    ] {
        assert_eq!(
            post(&base, list_tools(), &[("authorization", &wrong)])
                .await
                .status(),
            401,
            "{wrong}"
        );
    }
    assert!(demo.requests().is_empty(), "nothing reached the backend");

    for token in [TOKEN, ALICE, BOB] {
        let auth = format!("bearer {token}");
        let r = post(&base, list_tools(), &[("authorization", &auth)]).await;
        assert_eq!(r.status(), 200, "{token}");
    }
    // A write by bob: the audit line names him; Thruk never sees his token.
    let auth = format!("Bearer {BOB}");
    let r = post(
        &base,
        call_tool(
            "thruk_acknowledge",
            json!({"host": "web-03", "service": "HTTP", "comment": "seen"}),
        ),
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["result"]["isError"], false, "{body}");
    let sent = demo.requests();
    assert!(!sent.is_empty());
    for req in &sent {
        let all = format!("{req:?}");
        assert!(!all.contains(BOB), "the gateway token reached Thruk: {all}");
        assert_eq!(req.header("authorization"), None);
    }
    let lines = std::fs::read_to_string(&audit).expect("audit file");
    let line: Value = serde_json::from_str(lines.lines().last().expect("a line")).expect("json");
    assert_eq!(line["client"], "bob", "{line}");
    assert_eq!(line["tool"], "thruk_acknowledge");
    assert!(!lines.contains(BOB));
    // Health checks stay open for load balancers.
    let health = reqwest::get(format!("{base}/healthz")).await.expect("get");
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn untrusted_origins_are_refused() {
    let demo = DemoBackend::start().await.expect("demo");
    let (_child, base) = http_server_on(
        lookout_command(&demo.base_url(), Some(DEMO_API_KEY), &[]),
        "127.0.0.1",
    )
    .await;
    assert_eq!(
        post(&base, list_tools(), &[]).await.status(),
        200,
        "no Origin: not a browser"
    );
    for origin in ["http://localhost:6274", "http://127.0.0.1:3000"] {
        assert_eq!(
            post(&base, list_tools(), &[("origin", origin)])
                .await
                .status(),
            200,
            "{origin}"
        );
    }
    for origin in [
        "https://evil.example",
        "http://localhost.evil.example",
        "null",
    ] {
        assert_eq!(
            post(&base, list_tools(), &[("origin", origin)])
                .await
                .status(),
            403,
            "{origin}"
        );
    }
    let (_child, base) = http_server_on(
        lookout_command(
            &demo.base_url(),
            Some(DEMO_API_KEY),
            &[(
                "MCP_HTTP_ALLOWED_ORIGINS",
                "https://console.example.com:443",
            )],
        ),
        "127.0.0.1",
    )
    .await;
    assert_eq!(
        post(
            &base,
            list_tools(),
            &[("origin", "https://console.example.com")]
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        post(&base, list_tools(), &[("origin", "http://localhost:6274")])
            .await
            .status(),
        403,
        "a configured list replaces the loopback default"
    );
    assert!(demo.requests().is_empty());
}

#[tokio::test]
async fn key_passthrough_uses_x_api_key_next_to_gateway_tokens() {
    let demo = OneUptimeDemo::start().await.expect("demo");
    let (_child, base) = http_server_on(
        oneuptime_command(
            &demo.base_url(),
            None,
            &[
                ("ONEUPTIME_KEY_PASSTHROUGH", "true"),
                ("MCP_HTTP_TOKEN", TOKEN),
            ],
        ),
        "127.0.0.1",
    )
    .await;
    let auth = format!("Bearer {TOKEN}");
    // The gateway token is not an upstream key.
    let r = post(&base, list_tools(), &[("authorization", &auth)]).await;
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"], "missing_api_key");
    // Without the gateway token, an upstream key alone is not enough.
    let r = post(&base, list_tools(), &[("x-api-key", ONEUPTIME_DEMO_KEY)]).await;
    assert_eq!(r.status(), 401);
    // Both: served with the client's key, and the gateway token stays here.
    let r = post(
        &base,
        call_tool("oneuptime_whoami", json!({})),
        &[("authorization", &auth), ("x-api-key", ONEUPTIME_DEMO_KEY)],
    )
    .await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("json");
    assert_eq!(
        body["result"]["structuredContent"]["name"], "Acme Production",
        "{body}"
    );
    let sent = demo.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header("apikey"), Some(ONEUPTIME_DEMO_KEY));
    assert!(!format!("{:?}", sent[0]).contains(TOKEN));
}

#[tokio::test]
async fn request_bodies_are_limited() {
    let demo = DemoBackend::start().await.expect("demo");
    let (_child, base) = http_server_on(
        lookout_command(
            &demo.base_url(),
            Some(DEMO_API_KEY),
            &[("MCP_HTTP_MAX_BODY_BYTES", "2048")],
        ),
        "127.0.0.1",
    )
    .await;
    let small = call_tool("thruk_get_host", json!({"host": "web-01"}));
    assert_eq!(post(&base, small, &[]).await.status(), 200);
    let big = call_tool("thruk_get_host", json!({"host": "x".repeat(4096)}));
    assert_eq!(post(&base, big, &[]).await.status(), 413);
    assert_eq!(
        demo.requests().len(),
        1,
        "the oversized call reached nothing"
    );
}

/// The Prometheus text of a server (with a bearer token when given).
async fn scrape(url: &str, token: Option<&str>) -> (u16, String) {
    let mut req = reqwest::Client::new().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("get /metrics");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

fn metric(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series).map(str::trim))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_move_when_calls_are_made() {
    let demo = DemoBackend::start().await.expect("demo");
    let (_child, base) = http_server_on(
        lookout_command(
            &demo.base_url(),
            Some(DEMO_API_KEY),
            &[("MCP_HTTP_TOKEN", TOKEN)],
        ),
        "127.0.0.1",
    )
    .await;
    let (status, _) = scrape(&format!("{base}/metrics"), None).await;
    assert_eq!(
        status, 401,
        "metrics sit behind the tokens on the main port"
    );
    let (status, before) = scrape(&format!("{base}/metrics"), Some(TOKEN)).await;
    assert_eq!(status, 200);
    assert!(
        before.contains("# TYPE lookout_http_requests_in_flight gauge"),
        "{before}"
    );
    let auth = format!("Bearer {TOKEN}");
    for _ in 0..2 {
        let r = post(
            &base,
            call_tool("thruk_stats", json!({})),
            &[("authorization", &auth)],
        )
        .await;
        assert_eq!(r.status(), 200);
    }
    let r = post(
        &base,
        call_tool("thruk_get_host", json!({"host": "no-such-host"})),
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(r.status(), 200);
    let (_, text) = scrape(&format!("{base}/metrics"), Some(TOKEN)).await;
    assert_eq!(
        metric(
            &text,
            "lookout_tool_calls_total{tool=\"thruk_stats\",outcome=\"ok\",client=\"default\"}"
        ),
        2.0,
        "{text}"
    );
    assert_eq!(
        metric(
            &text,
            "lookout_tool_calls_total{tool=\"thruk_get_host\",outcome=\"NOT_FOUND\",client=\"default\"}"
        ),
        1.0,
        "{text}"
    );
    assert_eq!(
        metric(
            &text,
            "lookout_tool_call_duration_seconds_count{tool=\"thruk_stats\"}"
        ),
        2.0
    );
    assert_eq!(
        metric(
            &text,
            "lookout_cache_lookups_total{backend=\"thruk\",result=\"miss\"}"
        ),
        3.0,
        "{text}"
    );
    assert_eq!(
        metric(
            &text,
            "lookout_cache_lookups_total{backend=\"thruk\",result=\"hit\"}"
        ),
        2.0,
        "thruk_stats reads two endpoints; the second call took both from the cache: {text}"
    );
    assert_eq!(
        metric(
            &text,
            "lookout_upstream_requests_total{backend=\"thruk\",status=\"200\"}"
        ),
        demo.requests().len() as f64,
        "every upstream request counted: {text}"
    );
    assert_eq!(
        metric(&text, "lookout_http_requests_in_flight"),
        1.0,
        "the scrape itself"
    );

    // Retries, on a port of its own.
    let (url, hits) = fault_upstream(503, "text/html", "<h1>down</h1>", 0).await;
    let port = free_port();
    let (_child, base) = http_server_on(
        lookout_command(
            &url,
            Some("k"),
            &[("LOOKOUT_METRICS_LISTEN", &format!("127.0.0.1:{port}"))],
        ),
        "127.0.0.1",
    )
    .await;
    let r = post(&base, call_tool("thruk_sites", json!({})), &[]).await;
    assert_eq!(r.status(), 200);
    let attempts = hits.load(std::sync::atomic::Ordering::SeqCst) as f64;
    let (status, text) = scrape(&format!("http://127.0.0.1:{port}/metrics"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        metric(
            &text,
            "lookout_upstream_requests_total{backend=\"thruk\",status=\"503\"}"
        ),
        attempts,
        "{text}"
    );
    assert_eq!(
        metric(&text, "lookout_upstream_retries_total{backend=\"thruk\"}"),
        attempts - 1.0,
        "{text}"
    );
    assert_eq!(
        metric(
            &text,
            "lookout_tool_calls_total{tool=\"thruk_sites\",outcome=\"UPSTREAM_ERROR\",client=\"-\"}"
        ),
        1.0,
        "{text}"
    );
    let (status, _) = scrape(&format!("{base}/metrics"), None).await;
    assert_eq!(
        status, 404,
        "with a metrics port, the main port serves none"
    );
}

#[tokio::test]
async fn each_client_has_its_own_rate_limit() {
    let demo = DemoBackend::start().await.expect("demo");
    let dir = tempfile::tempdir().expect("dir");
    let tokens = dir.path().join("tokens.yaml");
    std::fs::write(&tokens, format!("alice: {ALICE}\nbob: {BOB}\n")).expect("write");
    let (_child, base) = http_server_on(
        lookout_command(
            &demo.base_url(),
            Some(DEMO_API_KEY),
            &[
                ("MCP_HTTP_TOKENS_FILE", tokens.to_str().expect("path")),
                ("MCP_HTTP_RATE_LIMIT", "2/m"),
            ],
        ),
        "127.0.0.1",
    )
    .await;
    let alice = format!("Bearer {ALICE}");
    let bob = format!("Bearer {BOB}");
    for _ in 0..2 {
        assert_eq!(
            post(&base, list_tools(), &[("authorization", &alice)])
                .await
                .status(),
            200
        );
    }
    let r = post(&base, list_tools(), &[("authorization", &alice)]).await;
    assert_eq!(r.status(), 429);
    let wait: u64 = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=30).contains(&wait), "{wait}");
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"], "rate_limited");
    assert_eq!(
        post(&base, list_tools(), &[("authorization", &bob)])
            .await
            .status(),
        200,
        "bob has his own budget"
    );
    let (_, text) = scrape(&format!("{base}/metrics"), Some(BOB)).await;
    assert_eq!(
        metric(
            &text,
            "lookout_rate_limited_requests_total{client=\"alice\"}"
        ),
        1.0,
        "{text}"
    );
}

#[tokio::test]
async fn bad_http_settings_stop_lookout_with_the_setting_named() {
    let demo = DemoBackend::start().await.expect("demo");
    for (settings, named) in [
        (
            vec![("MCP_HTTP_MAX_BODY_BYTES", "lots")],
            "MCP_HTTP_MAX_BODY_BYTES=lots",
        ),
        (
            vec![("MCP_HTTP_RATE_LIMIT", "fast")],
            "MCP_HTTP_RATE_LIMIT=fast",
        ),
        (vec![("LOOKOUT_DRAIN_SECS", "-1")], "LOOKOUT_DRAIN_SECS=-1"),
        (
            vec![("LOOKOUT_METRICS_LISTEN", "nowhere")],
            "LOOKOUT_METRICS_LISTEN",
        ),
        (
            vec![("MCP_HTTP_ALLOW_UNAUTHENTICATED", "maybe")],
            "MCP_HTTP_ALLOW_UNAUTHENTICATED=maybe",
        ),
        (
            vec![("MCP_HTTP_TOKENS_FILE", "/nonexistent/tokens.yaml")],
            "/nonexistent/tokens.yaml",
        ),
        (
            vec![("MCP_OAUTH_ISSUER", "https://auth.example.com")],
            "MCP_RESOURCE_URL",
        ),
        (
            vec![
                ("MCP_OAUTH_ISSUER", "not a url"),
                ("MCP_RESOURCE_URL", "https://mcp.example.com/mcp"),
            ],
            "MCP_OAUTH_ISSUER=not a url",
        ),
    ] {
        let mut cmd = lookout_command(&demo.base_url(), Some(DEMO_API_KEY), &settings);
        cmd.arg("--listen")
            .arg(format!("127.0.0.1:{}", free_port()))
            .stderr(std::process::Stdio::piped());
        let out = tokio::time::timeout(std::time::Duration::from_secs(20), cmd.output())
            .await
            .expect("exits at once")
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{settings:?}: {err}");
        assert!(err.contains(named), "{settings:?}: {err}");
    }
    assert!(demo.requests().is_empty());
}
