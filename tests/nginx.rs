//! Two lookout replicas behind a real nginx on loopback: a bounded run of plain calls and a
//! call that streams progress, all answered with no error and spread over both replicas; then
//! one replica is stopped mid-run and the run loses at most the calls in flight on it.
//!
//! `.ci/run` installs nginx from Debian's packages and sets `LOOKOUT_TEST_NGINX=1`, which makes
//! a missing nginx a failure; elsewhere the test is skipped when nginx is not installed.

mod common;

use common::*;
use lookout::demo::{DEMO_API_KEY, DemoBackend};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;

const TOKEN: &str = "replica-token-0f3a9c5e7b21d846";
/// Concurrent clients during the runs.
const CLIENTS: usize = 8;

fn nginx_binary() -> Option<String> {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .find(|p| Path::new(p).exists())
        .map(|p| p.to_string())
}

/// A running nginx, stopped on drop with SIGTERM (its master then stops its workers; SIGKILL
/// would leave them behind).
struct Nginx(std::process::Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// The proxy configuration under test: the `location /mcp` block is the one the README gives.
fn nginx_conf(dir: &Path, port: u16, replicas: &[u16]) -> String {
    let servers: String = replicas
        .iter()
        .map(|p| format!("    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n"))
        .collect();
    let d = dir.display();
    format!(
        r#"worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  upstream lookout {{
{servers}    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{port};
    location /mcp {{
      proxy_pass http://lookout;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
      proxy_read_timeout 300s;
      add_header X-Served-By $upstream_addr always;
    }}
    location = /readyz {{ proxy_pass http://lookout; }}
  }}
}}
"#
    )
}

async fn replica(base_url: &str, port: u16) -> tokio::process::Child {
    let mut cmd = lookout_command(
        base_url,
        Some(DEMO_API_KEY),
        &[("MCP_HTTP_TOKEN", TOKEN), ("LOOKOUT_DRAIN_SECS", "10")],
    );
    cmd.arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .kill_on_drop(true);
    let child = cmd.spawn().expect("spawn replica");
    assert!(
        wait_ready(&format!("http://127.0.0.1:{port}/healthz")).await,
        "replica did not come up"
    );
    child
}

/// One call through the proxy: (served by, ok).
async fn call(http: &reqwest::Client, url: &str, n: usize) -> (String, bool) {
    let body = json!({"jsonrpc": "2.0", "id": n, "method": "tools/call",
        "params": {"name": "thruk_list_hosts", "arguments": {"limit": 5, "offset": n % 20}}});
    let sent = http
        .post(url)
        .bearer_auth(TOKEN)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-06-18")
        .json(&body)
        .send()
        .await;
    let Ok(resp) = sent else {
        return (String::new(), false);
    };
    let by = resp
        .headers()
        .get("x-served-by")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let ok = resp.status() == 200
        && resp
            .json::<Value>()
            .await
            .is_ok_and(|v| v["result"]["isError"] == false);
    (by, ok)
}

/// `total` calls from [`CLIENTS`] concurrent clients; answers by replica, and failures.
async fn run(url: &str, total: usize) -> (HashMap<String, usize>, usize) {
    let http = reqwest::Client::new();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (http, url, next) = (http.clone(), url.to_string(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if n >= total {
                    break;
                }
                seen.push(call(&http, &url, n).await);
            }
            seen
        }));
    }
    let mut by: HashMap<String, usize> = HashMap::new();
    let mut failed = 0;
    for t in tasks {
        for (who, ok) in t.await.expect("client task") {
            if ok {
                *by.entry(who).or_default() += 1;
            } else {
                failed += 1;
            }
        }
    }
    (by, failed)
}

#[tokio::test]
async fn two_replicas_behind_nginx() {
    let Some(nginx) = nginx_binary() else {
        assert!(
            std::env::var_os("LOOKOUT_TEST_NGINX").is_none(),
            "LOOKOUT_TEST_NGINX is set but nginx is not installed"
        );
        eprintln!("nginx is not installed: skipping the reverse-proxy test");
        return;
    };
    let demo = DemoBackend::start().await.expect("demo");
    let (p1, p2, np) = (free_port(), free_port(), free_port());
    let mut first = replica(&demo.base_url(), p1).await;
    let _second = replica(&demo.base_url(), p2).await;
    let dir = tempfile::tempdir().expect("dir");
    let conf = dir.path().join("nginx.conf");
    std::fs::write(&conf, nginx_conf(dir.path(), np, &[p1, p2])).expect("conf");
    let proxy = std::process::Command::new(&nginx)
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start nginx");
    let _proxy = Nginx(proxy);
    let url = format!("http://127.0.0.1:{np}/mcp");
    let up = wait_ready(&format!("http://127.0.0.1:{np}/readyz")).await;
    let log = || std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
    assert!(up, "nginx did not come up: {}", log());

    // A bounded run of plain calls: no error, and both replicas answer.
    let (by, failed) = run(&url, 200).await;
    assert_eq!(failed, 0, "errors through the proxy: {by:?} {}", log());
    let r1 = by.get(&format!("127.0.0.1:{p1}")).copied().unwrap_or(0);
    let r2 = by.get(&format!("127.0.0.1:{p2}")).copied().unwrap_or(0);
    assert_eq!(r1 + r2, 200, "{by:?}");
    assert!(
        r1 > 0 && r2 > 0,
        "answers spread over both replicas: {by:?}"
    );

    // A call that streams progress passes through as an event stream.
    let stream = json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {
        "name": "thruk_run_background_query", "arguments": {"path": "/hosts", "params": {"columns": "name"}},
        "_meta": {"progressToken": "p-1"}}});
    let resp = reqwest::Client::new()
        .post(&url)
        .bearer_auth(TOKEN)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-06-18")
        .json(&stream)
        .send()
        .await
        .expect("stream");
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("text/event-stream"))
    );
    let text = resp.text().await.expect("body");
    let events: Vec<Value> = text
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str(d.trim()).ok())
        .collect();
    assert!(
        events
            .iter()
            .any(|e| e["method"] == "notifications/progress"),
        "{text}"
    );
    assert!(
        events
            .last()
            .is_some_and(|e| e["result"]["isError"] == false),
        "{text}"
    );

    // One replica stops mid-run: the run goes on through the other.
    let runner = {
        let url = url.clone();
        tokio::spawn(async move { run(&url, 200).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let pid = first.id().expect("pid").to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let (by, failed) = runner.await.expect("run");
    let _ = tokio::time::timeout(std::time::Duration::from_secs(15), first.wait()).await;
    assert!(
        failed <= CLIENTS,
        "at most the calls in flight on the stopped replica are lost: {failed} failed, {by:?}"
    );
    let served: usize = by.values().sum();
    assert_eq!(served + failed, 200);
    let after = by.get(&format!("127.0.0.1:{p2}")).copied().unwrap_or(0);
    assert!(after > 0, "{by:?}");
    eprintln!("replica stopped mid-run: {failed} of 200 calls lost, answers by replica {by:?}");
}
