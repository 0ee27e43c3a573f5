//! Upstream resilience, end to end: the built binary over stdio against a fault-injecting mock
//! on 127.0.0.1 that counts and timestamps every request. Retries of reads, never a second send
//! of a write that reached the server, `Retry-After`, timeouts, dropped connections, garbage and
//! oversized bodies, coalescing and caching, the in-flight cap and the rate limit.

mod common;

use common::faults::{FaultMock, Step};
use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

const HOSTS: &str = r#"[{"name":"web-01","state":0,"plugin_output":"OK"}]"#;
const DONE: &str = r#"{"message":"Command successfully submitted"}"#;

async fn client_for(mock: &FaultMock, extra: &[(&str, &str)]) -> Client {
    stdio_client(lookout_command(&mock.url(), Some("k"), extra)).await
}

/// After a fault the same gateway still answers.
async fn still_serving(client: &Client, mock: &FaultMock) {
    let before = mock.count();
    let r = client
        .list_all_tools()
        .await
        .expect("tools/list after a fault");
    assert_eq!(r.len(), 29);
    assert_eq!(mock.count(), before, "listing never reaches the upstream");
}

#[tokio::test]
async fn reads_are_retried_on_transient_faults_and_succeed() {
    let mock = FaultMock::start(
        vec![
            Step::json(500, r#"{"message":"internal"}"#),
            Step::html(502, "<html>Bad Gateway</html>"),
            Step::Drop,
        ],
        Step::json(200, HOSTS),
    )
    .await;
    let client = client_for(&mock, &[("LOOKOUT_RETRIES", "3")]).await;
    let r = call(&client, "thruk_list_hosts", json!({})).await;
    assert_eq!(ok_body(&r)["rows"][0]["name"], "web-01");
    let hits = mock.hits();
    assert_eq!(hits.len(), 4, "500, 502, dropped, then 200");
    assert!(hits.iter().all(|h| h.path.starts_with("/thruk/r/hosts")));
    client.cancel().await.ok();
}

/// A catalog whose read tool searches with a POST, as some APIs (and Thruk's `/logs`) do.
const POST_READ_CATALOG: &str = r#"
backend: probe
title: Probe
description: A REST API that searches with POST.
connection:
  base_url: {env: PROBE_URL}
tools:
  - name: probe_search
    description: Search events.
    access: read
    cache_ttl_secs: 60
    input_schema: {type: object, properties: {q: {type: string}}}
    request:
      method: POST
      path: /search
      body: {encoding: json, fields: {q: "{q}"}}
  - name: probe_create
    description: Create an event.
    access: write
    input_schema: {type: object, properties: {q: {type: string}}}
    request:
      method: POST
      path: /events
      body: {encoding: json, fields: {q: "{q}"}}
"#;

#[tokio::test]
async fn retries_follow_the_tools_nature_not_the_http_method() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("probe.yaml");
    std::fs::write(&file, POST_READ_CATALOG).expect("write catalog");
    let mock = FaultMock::start(
        vec![Step::json(503, "{}"), Step::json(503, "{}")],
        Step::json(200, r#"{"found":1}"#),
    )
    .await;
    let mut cmd = lookout_command(&mock.url(), None, &[("PROBE_URL", &mock.url())]);
    cmd.args(["--backend", "probe", "--catalog"]).arg(&file);
    let client = stdio_client(cmd).await;
    let r = call(&client, "probe_search", json!({"q": "disk"})).await;
    assert_eq!(ok_body(&r)["found"], 1);
    let hits = mock.hits();
    assert_eq!(hits.len(), 3, "a POST read is retried like any read");
    assert!(
        hits.iter()
            .all(|h| h.method == "POST" && h.body == r#"{"q":"disk"}"#)
    );
    // The tool's own cache lifetime keeps the answer; another body is another entry.
    ok_body(&call(&client, "probe_search", json!({"q": "disk"})).await);
    assert_eq!(mock.count(), 3, "served from the cache");
    ok_body(&call(&client, "probe_search", json!({"q": "cpu"})).await);
    assert_eq!(mock.count(), 4);
    // The write tool with the same method and fault is sent once.
    let mock = FaultMock::start(vec![], Step::json(503, "{}")).await;
    let mut cmd = lookout_command(&mock.url(), None, &[("PROBE_URL", &mock.url())]);
    cmd.args(["--backend", "probe", "--catalog"]).arg(&file);
    let client = stdio_client(cmd).await;
    let r = call(&client, "probe_create", json!({"q": "disk"})).await;
    assert_eq!(err_body(&r)["upstream_status"], 503);
    assert_eq!(mock.count(), 1);
    client.cancel().await.ok();
}

#[tokio::test]
async fn retries_are_bounded_and_end_in_a_structured_error() {
    let mock = FaultMock::start(vec![], Step::json(503, r#"{"message":"backend down"}"#)).await;
    let client = client_for(&mock, &[("LOOKOUT_RETRIES", "2")]).await;
    let r = call(&client, "thruk_list_hosts", json!({})).await;
    let err = err_body(&r);
    assert_eq!(err["code"], "UPSTREAM_ERROR");
    assert_eq!(err["upstream_status"], 503);
    assert_eq!(mock.count(), 3, "the first attempt and 2 retries");
    // Garbage in a 200 is not transient: one request.
    let mock = FaultMock::start(vec![], Step::json(200, r#"[{"name": "web"#)).await;
    let client = client_for(&mock, &[]).await;
    let r = call(&client, "thruk_list_hosts", json!({})).await;
    assert_eq!(err_body(&r)["code"], "UPSTREAM_ERROR");
    assert_eq!(mock.count(), 1);
    // An HTML error page from a proxy, retried then reported with its status.
    let mock = FaultMock::start(vec![], Step::html(500, "<html><h1>Proxy Error</h1></html>")).await;
    let client = client_for(&mock, &[("LOOKOUT_RETRIES", "1")]).await;
    let r = call(&client, "thruk_list_hosts", json!({})).await;
    let err = err_body(&r);
    assert_eq!(
        (err["code"].as_str(), err["upstream_status"].as_u64()),
        (Some("UPSTREAM_ERROR"), Some(500))
    );
    assert!(
        err["message"]
            .as_str()
            .unwrap_or("")
            .contains("Proxy Error"),
        "{err}"
    );
    assert_eq!(mock.count(), 2);
    still_serving(&client, &mock).await;
    client.cancel().await.ok();
}

#[tokio::test]
async fn retry_after_is_waited_out_in_both_forms() {
    let mock = FaultMock::start(
        vec![Step::json(429, r#"{"message":"slow down"}"#).with_header("Retry-After", "1")],
        Step::json(200, HOSTS),
    )
    .await;
    let client = client_for(&mock, &[]).await;
    let r = call(&client, "thruk_list_hosts", json!({})).await;
    ok_body(&r);
    let hits = mock.hits();
    assert_eq!(hits.len(), 2);
    let gap = hits[1].at - hits[0].at;
    assert!(
        gap >= Duration::from_millis(950),
        "waited {gap:?}, not the 1 s asked"
    );
    // The HTTP-date form: three seconds from now, cut to the second, so at least two away.
    let date = (chrono::Utc::now() + chrono::Duration::seconds(3))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let mock = FaultMock::start(
        vec![Step::json(503, "{}").with_header("Retry-After", &date)],
        Step::json(200, HOSTS),
    )
    .await;
    let client = client_for(&mock, &[]).await;
    let r = call(&client, "thruk_list_hosts", json!({})).await;
    ok_body(&r);
    let hits = mock.hits();
    assert_eq!(hits.len(), 2);
    assert!(hits[1].at - hits[0].at >= Duration::from_millis(1500));
    client.cancel().await.ok();
}

#[tokio::test]
async fn a_retry_after_beyond_the_bound_is_returned_at_once() {
    let mock = FaultMock::start(
        vec![],
        Step::json(429, r#"{"message":"quota"}"#).with_header("Retry-After", "120"),
    )
    .await;
    let client = client_for(&mock, &[]).await;
    let started = Instant::now();
    let r = call(&client, "thruk_list_hosts", json!({})).await;
    let err = err_body(&r);
    assert_eq!(err["code"], "RATE_LIMITED");
    assert_eq!(err["retry_after_secs"], 120);
    assert!(
        err["hint"].as_str().unwrap_or("").contains("120 seconds"),
        "{err}"
    );
    assert_eq!(mock.count(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "not waited out"
    );
    client.cancel().await.ok();
}

#[tokio::test]
async fn a_write_that_reached_the_upstream_is_sent_once() {
    let ack = json!({"host": "web-01", "comment": "on it"});
    // 502, a timeout and a dropped connection: each may have been applied, so none is resent.
    for (step, code) in [
        (
            Step::json(502, r#"{"message":"bad gateway"}"#),
            "UPSTREAM_ERROR",
        ),
        (
            Step::json(200, DONE).after(Duration::from_secs(3)),
            "TIMEOUT",
        ),
        (Step::Drop, "CONNECTION_ERROR"),
    ] {
        let mock = FaultMock::start(vec![], step).await;
        let client = client_for(&mock, &[("THRUK_TIMEOUT", "1"), ("LOOKOUT_RETRIES", "3")]).await;
        let r = call(&client, "thruk_acknowledge", ack.clone()).await;
        assert_eq!(err_body(&r)["code"], code);
        // Give a wrongly scheduled retry time to show up.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let hits = mock.hits();
        assert_eq!(
            hits.len(),
            1,
            "{code}: the command was sent {} times",
            hits.len()
        );
        assert_eq!(hits[0].method, "POST");
        assert!(hits[0].path.ends_with("/cmd/acknowledge_host_problem"));
        client.cancel().await.ok();
    }
    // The same faults on a read are retried.
    let mock = FaultMock::start(vec![], Step::json(200, HOSTS).after(Duration::from_secs(3))).await;
    let client = client_for(&mock, &[("THRUK_TIMEOUT", "0.5"), ("LOOKOUT_RETRIES", "1")]).await;
    let r = call(&client, "thruk_list_hosts", json!({})).await;
    assert_eq!(err_body(&r)["code"], "TIMEOUT");
    assert_eq!(mock.count(), 2);
    client.cancel().await.ok();
}

#[tokio::test]
async fn a_write_refused_at_connect_is_retried_once_the_server_listens() {
    // Reserve a port, free it, and start listening only after the first attempt failed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let url = format!("http://127.0.0.1:{port}/thruk");
    let client = stdio_client(lookout_command(
        &url,
        Some("k"),
        &[
            ("LOOKOUT_RETRIES", "5"),
            ("LOOKOUT_RETRY_BACKOFF_MS", "400"),
            ("LOOKOUT_RETRY_MAX_BACKOFF_MS", "800"),
        ],
    ))
    .await;
    let pending = tokio::spawn(async move {
        let r = call(&client, "thruk_recheck", json!({"host": "web-01"})).await;
        (r, client)
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("rebind the reserved port");
    let mock = FaultMock::serve(listener, vec![], Step::json(200, DONE));
    let (r, client) = pending.await.expect("call task");
    assert_eq!(ok_body(&r)["message"], "Command successfully submitted");
    assert_eq!(mock.count(), 1, "sent once, after the refused connects");
    client.cancel().await.ok();
}

#[tokio::test]
async fn oversized_answers_are_refused_without_reading_them_whole() {
    let mock = FaultMock::start(vec![], Step::Huge { bytes: 2_000_000 }).await;
    let client = client_for(&mock, &[("LOOKOUT_MAX_RESPONSE_BYTES", "100000")]).await;
    let r = call(&client, "thruk_list_hosts", json!({})).await;
    let err = err_body(&r);
    assert_eq!(err["code"], "RESPONSE_TOO_LARGE");
    assert!(err["hint"].is_string());
    assert_eq!(mock.count(), 1, "not retried");
    still_serving(&client, &mock).await;
    client.cancel().await.ok();
}

#[tokio::test]
async fn identical_concurrent_reads_reach_the_upstream_once() {
    let mock = FaultMock::start(
        vec![],
        Step::json(200, HOSTS).after(Duration::from_millis(400)),
    )
    .await;
    let client = client_for(&mock, &[]).await;
    let calls = (0..8).map(|_| call(&client, "thruk_list_hosts", json!({"hostgroup": "web"})));
    let results = futures::future::join_all(calls).await;
    assert!(
        results
            .iter()
            .all(|r| ok_body(r)["rows"][0]["name"] == "web-01")
    );
    assert_eq!(mock.count(), 1, "8 identical reads, 1 upstream request");
    // Without a cache TTL nothing is kept: the next call asks again.
    call(&client, "thruk_list_hosts", json!({"hostgroup": "web"})).await;
    assert_eq!(mock.count(), 2);
    // Different arguments are different requests.
    call(&client, "thruk_list_hosts", json!({"hostgroup": "db"})).await;
    assert_eq!(mock.count(), 3);
    client.cancel().await.ok();
}

#[tokio::test]
async fn slow_moving_endpoints_are_cached_and_the_cache_can_be_turned_off() {
    let stats = r#"{"total":3,"up":3,"down":0,"unreachable":0,"pending":0}"#;
    for (cache, expected) in [("true", 2), ("false", 6)] {
        let mock = FaultMock::start(vec![], Step::json(200, stats)).await;
        let client = client_for(&mock, &[("LOOKOUT_CACHE", cache)]).await;
        for _ in 0..3 {
            let r = call(&client, "thruk_stats", json!({})).await;
            assert_eq!(ok_body(&r)["hosts"]["total"], 3);
        }
        assert_eq!(mock.count(), expected, "LOOKOUT_CACHE={cache}");
        // Errors are never cached.
        client.cancel().await.ok();
    }
    let mock = FaultMock::start(
        vec![Step::json(400, r#"{"message":"failed to find backend x"}"#)],
        Step::json(200, "[]"),
    )
    .await;
    let client = client_for(&mock, &[]).await;
    let r = call(&client, "thruk_sites", json!({})).await;
    assert_eq!(err_body(&r)["code"], "VALIDATION_ERROR");
    let r = call(&client, "thruk_sites", json!({})).await;
    assert_eq!(ok_body(&r)["returned"], 0);
    assert_eq!(mock.count(), 2, "the error was not kept");
    // A write never goes through the cache, even to a cached path.
    call(
        &client,
        "thruk_query",
        json!({"path": "/sites", "method": "POST"}),
    )
    .await;
    call(
        &client,
        "thruk_query",
        json!({"path": "/sites", "method": "POST"}),
    )
    .await;
    assert_eq!(mock.count(), 4);
    client.cancel().await.ok();
}

#[tokio::test]
async fn in_flight_requests_never_exceed_the_cap() {
    let mock = FaultMock::start(
        vec![],
        Step::json(200, "[{}]").after(Duration::from_millis(250)),
    )
    .await;
    let client = client_for(&mock, &[("THRUK_MAX_CONCURRENT", "2")]).await;
    let calls = (0..8).map(|i| call(&client, "thruk_get_host", json!({"host": format!("h{i}")})));
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(|r| r.is_error != Some(true)));
    assert_eq!(mock.count(), 8);
    assert_eq!(
        mock.max_in_flight(),
        2,
        "capped at 2, and the cap was reached"
    );
    // 0 means unlimited.
    let mock = FaultMock::start(
        vec![],
        Step::json(200, "[{}]").after(Duration::from_millis(250)),
    )
    .await;
    let client = client_for(&mock, &[("THRUK_MAX_CONCURRENT", "0")]).await;
    let calls = (0..6).map(|i| call(&client, "thruk_get_host", json!({"host": format!("h{i}")})));
    futures::future::join_all(calls).await;
    assert!(mock.max_in_flight() > 2);
    client.cancel().await.ok();
}

#[tokio::test]
async fn the_rate_limit_spaces_requests_and_refuses_long_waits() {
    let mock = FaultMock::start(vec![], Step::json(200, "[{}]")).await;
    let client = client_for(&mock, &[("LOOKOUT_RATE_LIMIT", "4/s")]).await;
    let calls = (0..6).map(|i| call(&client, "thruk_get_host", json!({"host": format!("h{i}")})));
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(|r| r.is_error != Some(true)));
    let mut times: Vec<Instant> = mock.hits().iter().map(|h| h.at).collect();
    times.sort();
    // A burst of 4, then one every 250 ms: the 6th request is about 500 ms after the first.
    assert!(
        times[5] - times[0] >= Duration::from_millis(400),
        "{:?}",
        times[5] - times[0]
    );
    // A wait longer than the request timeout is refused, with when to try again.
    let mock = FaultMock::start(vec![], Step::json(200, "[{}]")).await;
    let client = client_for(
        &mock,
        &[("LOOKOUT_RATE_LIMIT", "1/h"), ("THRUK_TIMEOUT", "2")],
    )
    .await;
    ok_body(&call(&client, "thruk_get_host", json!({"host": "a"})).await);
    let r = call(&client, "thruk_get_host", json!({"host": "b"})).await;
    let err = err_body(&r);
    assert_eq!(err["code"], "RATE_LIMITED");
    assert!(err["retry_after_secs"].as_u64() > Some(3000), "{err}");
    assert_eq!(mock.count(), 1);
    client.cancel().await.ok();
}

#[tokio::test]
async fn bad_settings_stop_start_up_with_the_variable_named() {
    for (var, value) in [
        ("THRUK_MAX_CONCURRENT", "-1"),
        ("LOOKOUT_RATE_LIMIT", "fast"),
        ("LOOKOUT_RETRIES", "many"),
        ("THRUK_READ_ONLY", "maybe"),
        ("THRUK_ENABLED_TOOLS", "thruk_{list"),
    ] {
        let mut cmd = lookout_command("http://127.0.0.1:9/thruk", Some("k"), &[(var, value)]);
        cmd.stderr(std::process::Stdio::piped())
            .stdin(std::process::Stdio::null());
        let out = cmd.output().await.expect("run lookout");
        assert!(!out.status.success(), "{var}={value} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(var), "{var}: {stderr}");
    }
}

#[tokio::test]
async fn no_result_exceeds_the_result_budget() {
    let demo = lookout::demo::DemoBackend::start().await.expect("demo");
    let client = stdio_client(lookout_command(
        &demo.base_url(),
        Some(lookout::demo::DEMO_API_KEY),
        &[("LOOKOUT_MAX_RESULT_BYTES", "1024")],
    ))
    .await;
    // A list is cut to the budget and says where to continue.
    let r = call(&client, "thruk_list_services", json!({"limit": 500})).await;
    let body = ok_body(&r);
    assert_eq!(body["truncated"], true);
    let next = body["next_offset"].as_u64().expect("next_offset");
    assert_eq!(Some(next), body["returned"].as_u64());
    assert!(serde_json::to_string(&body).map(|s| s.len()).unwrap_or(0) <= 1024 + 256);
    let r = call(
        &client,
        "thruk_list_services",
        json!({"limit": 500, "offset": next}),
    )
    .await;
    assert_eq!(ok_body(&r)["offset"], next);
    // One object bigger than the budget is refused, not sent whole.
    let r = call(&client, "thruk_get_host", json!({"host": "db-03"})).await;
    let err = err_body(&r);
    assert_eq!(err["code"], "RESPONSE_TOO_LARGE");
    assert!(
        err["message"].as_str().unwrap_or("").contains("1024"),
        "{err}"
    );
    client.cancel().await.ok();
}
