//! Tests of the maintenant demo: the pure parts on their own (base64, the seed, `serve` with a
//! fixed clock) and the wire behaviour over HTTP against a running `MaintenantDemo` (every
//! route's shape, maintenant's error codes, edition gating, writes visible on later reads,
//! paging, the proxy in front, the request record).

use super::*;
use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

// --- without a server ---

fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 5, 12, 0, 0)
        .single()
        .expect("valid time")
}

fn serve_at(
    store: &mut store::Store,
    method: Method,
    path_and_query: &str,
    body: &str,
) -> (u16, Value) {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let url: Vec<(String, String)> = serde_urlencoded::from_str(query).expect("query");
    let req = routes::Request {
        method: &method,
        path,
        url: &url,
        body: body.as_bytes(),
        edition: Edition::Pro,
        now: fixed_now(),
    };
    match routes::serve(store, &req) {
        Ok(r) => (r.status, r.body),
        Err(e) => (
            e.status,
            json!({"error": {"code": e.code, "message": e.message}}),
        ),
    }
}

#[test]
fn base64_matches_the_rfc_4648_vectors() {
    for (plain, encoded) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
        ("admin:s3cr3t!", "YWRtaW46czNjcjN0IQ=="),
    ] {
        assert_eq!(auth::base64(plain.as_bytes()), encoded, "{plain}");
    }
}

#[test]
fn the_seed_is_deterministic_and_has_the_documented_estate() {
    let a = seed::generate(fixed_now());
    let b = seed::generate(fixed_now());
    let json_of = |s: &store::Store| {
        json!({
            "containers": s.containers.iter().map(model::to_json).collect::<Vec<_>>(),
            "transitions": s.transitions.iter().map(model::to_json).collect::<Vec<_>>(),
            "checks": s.checks.iter().map(model::to_json).collect::<Vec<_>>(),
            "alerts": s.alerts.iter().map(model::to_json).collect::<Vec<_>>(),
            "certs": s.cert_checks.iter().map(model::to_json).collect::<Vec<_>>(),
        })
    };
    assert_eq!(json_of(&a), json_of(&b));
    assert_eq!(a.containers.len(), 20);
    assert_eq!(a.endpoints.len(), 10);
    assert_eq!(a.heartbeats.len(), 5);
    assert_eq!(a.certificates.len(), 6);
    assert_eq!(a.alerts.len(), 22);
    assert_eq!(a.updates.len(), 5);
    assert_eq!(
        (a.components.len(), a.incidents.len(), a.windows.len()),
        (3, 2, 1)
    );
    let names: Vec<(i64, &str)> = a
        .containers
        .iter()
        .map(|c| (c.id, c.name.as_str()))
        .collect();
    assert_eq!(names[1], (2, "shop-api-1"));
    assert_eq!(names[18], (19, "restic-backup"));
    let active = a.alerts.iter().filter(|x| x.status == "active").count();
    assert_eq!(active, 9);
    // Ids follow time for alerts, checks and transitions.
    assert!(a.alerts.windows(2).all(|w| w[0].fired_at < w[1].fired_at));
    assert!(
        a.checks
            .windows(2)
            .all(|w| w[0].timestamp <= w[1].timestamp && w[0].id < w[1].id)
    );
    // Every log line of the busy web server is a realistic access line.
    let lines = logs::generate(logs::LogProfile::Nginx, 1, fixed_now());
    assert!(lines.len() > 500);
    assert!(lines.iter().all(|(_, l)| l.contains("HTTP/1.1\" ")));
}

#[test]
fn serve_answers_without_a_server_and_rejects_unknown_routes_and_methods() {
    let mut store = seed::generate(fixed_now());
    let (status, v) = serve_at(&mut store, Method::GET, "/api/v1/health", "");
    assert_eq!(
        (status, v),
        (200, json!({"status": "ok", "version": "1.2.11"}))
    );
    let (status, v) = serve_at(&mut store, Method::GET, "/api/v1/nope", "");
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (404, Some("NOT_FOUND"))
    );
    let (status, _) = serve_at(&mut store, Method::GET, "/api/v1x/health", "");
    assert_eq!(status, 404);
    let (status, v) = serve_at(&mut store, Method::DELETE, "/api/v1/alerts", "");
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (405, Some("METHOD_NOT_ALLOWED"))
    );
    let (status, _) = serve_at(&mut store, Method::GET, "/api/v1/heartbeats/1/pause", "");
    assert_eq!(status, 405);
    // The fixed clock reaches the handlers.
    let (_, v) = serve_at(&mut store, Method::GET, "/api/v1/resources/summary", "");
    assert_eq!(v["timestamp"], "2026-05-05T12:00:00Z");
    let (_, v) = serve_at(&mut store, Method::GET, "/api/v1/certificates/2", "");
    assert_eq!(v["latest_check"]["days_remaining"], 9);
}

// --- over HTTP ---

struct Api {
    demo: MaintenantDemo,
    http: reqwest::Client,
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or_default()
}

impl Api {
    async fn start() -> Api {
        Self::start_with(MaintenantDemoOptions::default()).await
    }

    async fn start_with(options: MaintenantDemoOptions) -> Api {
        Api {
            demo: MaintenantDemo::start_with(options)
                .await
                .expect("demo starts"),
            http: reqwest::Client::new(),
        }
    }

    /// A request under `/api/v1`; the body is sent as is.
    async fn call(&self, method: Method, path: &str, body: Option<&str>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/api/v1{path}", self.demo.base_url()));
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    /// A GET that must succeed.
    async fn ok(&self, path: &str) -> Value {
        let (status, v) = self.get(path).await;
        assert_eq!(status, 200, "GET {path}: {v}");
        v
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(&body.to_string())).await
    }
}

fn names(rows: &Value, key: &str) -> Vec<String> {
    rows.as_array()
        .map(|a| {
            a.iter()
                .map(|r| r[key].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn ids(rows: &Value) -> Vec<i64> {
    rows.as_array()
        .map(|a| a.iter().filter_map(|r| r["id"].as_i64()).collect())
        .unwrap_or_default()
}

fn parse_time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_default())
        .expect("RFC 3339 time")
        .with_timezone(&Utc)
}

#[tokio::test]
async fn health_runtime_and_edition_in_both_editions() {
    let api = Api::start().await;
    assert_eq!(
        api.ok("/health").await,
        json!({"status": "ok", "version": "1.2.11"})
    );
    let rt = api.ok("/runtime/status").await;
    assert_eq!(rt["runtime"], "docker");
    assert_eq!(rt["context"], "docker");
    assert_eq!(rt["connected"], true);
    assert_eq!(rt["label"], "Docker");
    assert_eq!(
        rt["metadata"],
        json!({"api_version": "1.47", "server_version": "27.3.1"})
    );
    parse_time(&rt["detected_at"]);

    let pro = api.ok("/edition").await;
    assert_eq!(pro["edition"], "pro");
    assert_eq!(pro["organisation_name"], "Acme Homelab");
    let features = pro["features"].as_object().expect("features");
    assert_eq!(features.len(), 17);
    assert!(features.values().all(|v| v == true));
    for key in [
        "cve_enrichment",
        "incidents",
        "maintenance_windows",
        "alert_entity_routing",
        "personalization",
    ] {
        assert!(features.contains_key(key), "{key}");
    }
    assert_eq!(pro["quotas"]["endpoints"], json!({"used": 4, "limit": -1}));

    let ce = Api::start_with(MaintenantDemoOptions {
        edition: Edition::Community,
        proxy: None,
    })
    .await;
    let community = ce.ok("/edition").await;
    assert_eq!(community["edition"], "community");
    assert!(
        community["features"]
            .as_object()
            .expect("features")
            .values()
            .all(|v| v == false)
    );
    assert_eq!(
        community["quotas"],
        json!({
            "endpoints": {"used": 4, "limit": 10},
            "heartbeats": {"used": 5, "limit": 5},
            "certificates": {"used": 2, "limit": 5},
            "status_components": {"used": 3, "limit": 3},
        })
    );
}

#[tokio::test]
async fn containers_are_grouped_and_filtered() {
    let api = Api::start().await;
    let v = api.ok("/containers").await;
    assert_eq!(v["total"], 19);
    assert_eq!(v["archived_count"], 1);
    let groups = &v["groups"];
    assert_eq!(
        names(groups, "name"),
        ["infra", "media", "monitoring", "shop", "Ungrouped"]
    );
    assert_eq!(
        names(groups, "source"),
        ["compose", "compose", "compose", "compose", "default"]
    );
    let shop = &groups[3]["containers"];
    assert_eq!(
        names(shop, "name"),
        [
            "shop-web-1",
            "shop-api-1",
            "shop-worker-1",
            "shop-postgres-1",
            "shop-redis-1"
        ]
    );
    let api_c = &shop[1];
    assert_eq!(api_c["id"], 2);
    assert_eq!(api_c["state"], "running");
    assert_eq!(api_c["health_status"], "unhealthy");
    assert_eq!(api_c["orchestration_group"], "shop");
    assert_eq!(api_c["orchestration_unit"], "api");
    assert_eq!(api_c["runtime_type"], "docker");
    assert_eq!(api_c["security_insight_count"], 0);
    assert!(api_c["security_highest_severity"].is_null());
    assert_eq!(api_c["external_id"].as_str().map(str::len), Some(64));
    for key in [
        "image",
        "has_health_check",
        "is_ignored",
        "alert_severity",
        "restart_threshold",
        "archived",
        "first_seen_at",
        "last_state_change_at",
        "pod_count",
        "ready_count",
    ] {
        assert!(api_c.get(key).is_some(), "{key}");
    }
    // Standalone containers carry no compose keys.
    let portainer = &groups[4]["containers"][0];
    assert_eq!(portainer["name"], "portainer");
    assert!(portainer.get("orchestration_group").is_none());
    assert_eq!(portainer["security_highest_severity"], "critical");

    let all = api.ok("/containers?archived=true").await;
    assert_eq!(all["total"], 20);
    let kuma = all["groups"][4]["containers"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == "uptime-kuma"))
        .cloned()
        .expect("archived container listed");
    assert_eq!(kuma["archived"], true);
    parse_time(&kuma["archived_at"]);

    let exited = api.ok("/containers?state=exited").await;
    assert_eq!(exited["total"], 1);
    assert_eq!(
        exited["groups"][0]["containers"][0]["name"],
        "media-radarr-1"
    );
    let exited_all = api.ok("/containers?state=exited&archived=true").await;
    assert_eq!(exited_all["total"], 2);
    let shop_only = api.ok("/containers?group=shop").await;
    assert_eq!(names(&shop_only["groups"], "name"), ["shop"]);
    assert_eq!(shop_only["total"], 5);
    let none = api.ok("/containers?group=nope").await;
    assert_eq!(
        (
            none["total"].as_i64(),
            none["groups"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
}

#[tokio::test]
async fn container_detail_and_transitions() {
    let api = Api::start().await;
    let c = api.ok("/containers/2").await;
    assert_eq!(c["name"], "shop-api-1");
    assert_eq!(c["health_status"], "unhealthy");
    assert_eq!(c["compose_working_dir"], "/opt/stacks/shop");
    let uptime = c["uptime"].as_object().expect("uptime");
    assert_eq!(
        uptime.keys().collect::<Vec<_>>(),
        ["24h", "7d", "30d", "90d"]
    );
    assert!(
        uptime
            .values()
            .all(|v| v.as_f64().is_some_and(|p| (0.0..=100.0).contains(&p)))
    );
    let dead = api.ok("/containers/19").await;
    assert_eq!(dead["state"], "dead");
    assert!(dead["error_detail"].is_string());

    let (status, v) = api.get("/containers/abc").await;
    assert_eq!((status, code(&v)), (400, "INVALID_ID"));
    let (status, v) = api.get("/containers/999").await;
    assert_eq!((status, code(&v)), (404, "CONTAINER_NOT_FOUND"));
    let (status, v) = api.get("/containers/999/transitions").await;
    assert_eq!((status, code(&v)), (404, "CONTAINER_NOT_FOUND"));

    // Last 24 hours by default, newest first.
    let t = api.ok("/containers/2/transitions").await;
    assert_eq!(t["container_id"], 2);
    assert_eq!(t["total"], 4);
    assert_eq!(t["has_more"], false);
    let first = &t["transitions"][0];
    assert_eq!(
        (
            first["previous_health"].as_str(),
            first["new_health"].as_str()
        ),
        (Some("healthy"), Some("unhealthy"))
    );
    for key in [
        "id",
        "container_id",
        "previous_state",
        "new_state",
        "exit_code",
        "log_snippet",
        "timestamp",
    ] {
        assert!(first.get(key).is_some(), "{key}");
    }
    let crash = &t["transitions"][3];
    assert_eq!(
        (crash["new_state"].as_str(), crash["exit_code"].as_i64()),
        (Some("exited"), Some(2))
    );

    // The flapping promtail pages: 59 transitions in 10 hours.
    let p = api.ok("/containers/9/transitions").await;
    assert_eq!(
        (p["total"].as_i64(), p["has_more"].as_bool()),
        (Some(59), Some(true))
    );
    assert_eq!(p["transitions"].as_array().map(Vec::len), Some(50));
    assert_eq!(p["transitions"][0]["new_state"], "restarting");
    let times: Vec<DateTime<Utc>> = p["transitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .map(|t| parse_time(&t["timestamp"]))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));
    let rest = api.ok("/containers/9/transitions?offset=50").await;
    assert_eq!(rest["transitions"].as_array().map(Vec::len), Some(9));
    assert_eq!(rest["has_more"], false);
    // A wider window reaches the reboot and the first sighting.
    let since = (Utc::now() - Duration::days(400)).to_rfc3339();
    let all = api
        .ok(&format!(
            "/containers/2/transitions?since={}",
            since.replace('+', "%2B")
        ))
        .await;
    assert_eq!(all["total"], 7);
    assert_eq!(all["transitions"][6]["previous_state"], "created");
    let until =
        (Utc::now() - Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let early = api
        .ok(&format!("/containers/2/transitions?until={until}"))
        .await;
    assert_eq!(early["total"], 3);
}

#[tokio::test]
async fn container_logs_are_capped_and_unavailable_for_a_dead_container() {
    let api = Api::start().await;
    let v = api.ok("/containers/1/logs").await;
    assert_eq!(v["container_id"], 1);
    assert_eq!(v["container_name"], "shop-web-1");
    assert_eq!(
        (v["total_lines"].as_i64(), v["truncated"].as_bool()),
        (Some(100), Some(true))
    );
    let line = v["lines"][0].as_str().unwrap_or_default();
    assert!(line.starts_with("172.18.0."), "{line}");

    let big = api.ok("/containers/1/logs?lines=1000").await;
    assert_eq!(big["lines"].as_array().map(Vec::len), Some(500));
    assert_eq!(
        (big["total_lines"].as_i64(), big["truncated"].as_bool()),
        (Some(500), Some(true))
    );

    let stamped = api.ok("/containers/2/logs?lines=50&timestamps=true").await;
    let lines = stamped["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 50);
    for l in lines {
        let (stamp, rest) = l
            .as_str()
            .unwrap_or_default()
            .split_once(' ')
            .expect("timestamp prefix");
        assert!(DateTime::parse_from_rfc3339(stamp).is_ok(), "{stamp}");
        assert!(rest.starts_with('{'), "{rest}");
    }
    // The unhealthy API logs errors.
    assert!(
        lines
            .iter()
            .any(|l| l.as_str().is_some_and(|s| s.contains(r#""level":"error""#)))
    );

    // A quiet container has fewer lines than asked: not truncated.
    let quiet = api.ok("/containers/17/logs?lines=200").await;
    assert_eq!(
        (quiet["total_lines"].as_i64(), quiet["truncated"].as_bool()),
        (Some(60), Some(false))
    );
    let exited = api.ok("/containers/12/logs").await;
    assert_eq!(exited["total_lines"], 60);

    for bad in ["0", "-3", "abc", "1.5"] {
        let (status, v) = api.get(&format!("/containers/1/logs?lines={bad}")).await;
        assert_eq!((status, code(&v)), (400, "INVALID_PARAM"), "lines={bad}");
    }
    let (status, v) = api.get("/containers/19/logs").await;
    assert_eq!((status, code(&v)), (502, "LOGS_UNAVAILABLE"));
    let (status, v) = api.get("/containers/x/logs").await;
    assert_eq!((status, code(&v)), (400, "INVALID_ID"));
}

#[tokio::test]
async fn resources_summary_current_and_top_consumers() {
    let api = Api::start().await;
    let cur = api.ok("/containers/2/resources/current").await;
    assert_eq!(cur["container_id"], 2);
    assert_eq!(cur["cpu_percent"], 87.3);
    assert_eq!(cur["mem_limit"], 2048_u64 * 1024 * 1024);
    for key in [
        "mem_used",
        "mem_percent",
        "net_rx_bytes",
        "net_tx_bytes",
        "block_read_bytes",
        "block_write_bytes",
        "timestamp",
    ] {
        assert!(cur.get(key).is_some(), "{key}");
    }
    let (status, _) = api.get("/containers/12/resources/current").await;
    assert_eq!(status, 404);

    let s = api.ok("/resources/summary").await;
    assert_eq!(s["cpu_count"], 8);
    assert_eq!(s["container_count"], 17);
    for key in [
        "total_cpu_percent",
        "total_mem_used",
        "total_mem_limit",
        "total_mem_percent",
        "total_net_rx_rate",
        "total_net_tx_rate",
        "disk_total",
        "disk_used",
        "disk_percent",
        "timestamp",
    ] {
        assert!(s.get(key).is_some(), "{key}");
    }

    let top = api.ok("/resources/top?metric=cpu").await;
    assert_eq!(top["metric"], "cpu");
    assert!(top.get("period").is_none());
    let consumers = top["consumers"].as_array().expect("consumers");
    assert_eq!(consumers.len(), 5);
    assert_eq!(consumers[0]["container_name"], "shop-api-1");
    assert_eq!(consumers[0]["container_id"], 2);
    assert_eq!(consumers[0]["value"], 87.3);
    assert_eq!(consumers[0]["rank"], 1);
    assert_eq!(consumers[4]["rank"], 5);

    let week = api.ok("/resources/top?metric=cpu&period=7d").await;
    assert_eq!(week["period"], "7d");
    assert_eq!(week["consumers"][0]["container_name"], "media-jellyfin-1");
    let day = api.ok("/resources/top?metric=cpu&period=24h").await;
    assert_ne!(day["consumers"], top["consumers"]);

    let mem = api.ok("/resources/top?metric=memory&limit=3").await;
    let mem_rows = mem["consumers"].as_array().expect("consumers");
    assert_eq!(mem_rows.len(), 3);
    assert_eq!(mem_rows[0]["container_name"], "shop-postgres-1");
    assert!(mem_rows[0]["value"].is_u64());
    let many = api.ok("/resources/top?metric=memory&limit=50").await;
    assert_eq!(many["consumers"].as_array().map(Vec::len), Some(17));

    for bad in ["", "?metric=disk", "?metric=CPU"] {
        let (status, v) = api.get(&format!("/resources/top{bad}")).await;
        assert_eq!((status, code(&v)), (400, "INVALID_METRIC"), "{bad}");
    }
    for bad in ["period=current", "period=2w", "limit=abc", "limit=0"] {
        let (status, v) = api.get(&format!("/resources/top?metric=cpu&{bad}")).await;
        assert_eq!((status, code(&v)), (400, "INVALID_PARAM"), "{bad}");
    }
}

#[tokio::test]
async fn endpoints_and_their_check_history() {
    let api = Api::start().await;
    let v = api.ok("/endpoints").await;
    assert_eq!(v["total"], 9);
    let all = api.ok("/endpoints?include_inactive=true").await;
    assert_eq!(all["total"], 10);
    assert_eq!(all["endpoints"][9]["name"], "Old wiki");
    assert_eq!(all["endpoints"][9]["active"], false);

    let down = api.ok("/endpoints?status=down").await;
    assert_eq!(down["total"], 1);
    let e = &down["endpoints"][0];
    assert_eq!(e["id"], 2);
    assert_eq!(e["alert_state"], "alerting");
    assert_eq!(e["last_error"], "unexpected status code 503");
    assert_eq!(e["last_http_status"], 503);
    assert_eq!(e["container_name"], "shop-api-1");
    assert_eq!(e["source"], "label");
    assert_eq!(e["config"]["interval"], "1m0s");
    for key in [
        "label_key",
        "external_id",
        "endpoint_type",
        "target",
        "consecutive_failures",
        "consecutive_successes",
        "last_check_at",
        "last_response_time_ms",
        "first_seen_at",
        "last_seen_at",
        "orchestration_group",
        "orchestration_unit",
    ] {
        assert!(e.get(key).is_some(), "{key}");
    }
    assert_eq!(api.ok("/endpoints?type=tcp").await["total"], 2);
    assert_eq!(api.ok("/endpoints?source=standalone").await["total"], 3);
    assert_eq!(
        api.ok("/endpoints?source=standalone&include_inactive=true")
            .await["total"],
        4
    );
    assert_eq!(api.ok("/endpoints?container=shop-web-1").await["total"], 1);
    assert_eq!(
        api.ok("/endpoints?orchestration_group=shop").await["total"],
        4
    );

    let one = api.ok("/endpoints/2").await;
    assert_eq!(one["endpoint"]["name"], "shop-api");
    assert!(one["uptime"]["24h"].is_f64());
    let (status, v) = api.get("/endpoints/two").await;
    assert_eq!((status, code(&v)), (400, "INVALID_ID"));
    let (status, v) = api.get("/endpoints/99").await;
    assert_eq!((status, code(&v)), (404, "ENDPOINT_NOT_FOUND"));

    let checks = api.ok("/endpoints/2/checks").await;
    assert_eq!(checks["endpoint_id"], 2);
    assert_eq!(
        (checks["total"].as_i64(), checks["has_more"].as_bool()),
        (Some(288), Some(true))
    );
    let rows = checks["checks"].as_array().expect("checks");
    assert_eq!(rows.len(), 50);
    assert_eq!(rows[0]["success"], false);
    assert!(rows[0]["error_message"].is_string());
    for key in [
        "id",
        "endpoint_id",
        "response_time_ms",
        "http_status",
        "timestamp",
    ] {
        assert!(rows[0].get(key).is_some(), "{key}");
    }
    let times: Vec<DateTime<Utc>> = rows.iter().map(|c| parse_time(&c["timestamp"])).collect();
    assert!(times.windows(2).all(|w| w[0] > w[1]));
    let tail = api.ok("/endpoints/2/checks?limit=50&offset=280").await;
    assert_eq!(tail["checks"].as_array().map(Vec::len), Some(8));
    assert_eq!(tail["has_more"], false);
    assert!(
        tail["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .all(|c| c["success"] == true)
    );
    let since = (Utc::now() - Duration::minutes(10)).timestamp();
    let recent = api.ok(&format!("/endpoints/5/checks?since={since}")).await;
    let n = recent["total"].as_i64().unwrap_or_default();
    assert!((19..=21).contains(&n), "{n} checks in 10 minutes at 30 s");
    assert!(
        recent["checks"][0]["http_status"].is_null(),
        "tcp checks have no HTTP status"
    );
    let (status, v) = api.get("/endpoints/2/checks?limit=many").await;
    assert_eq!((status, code(&v)), (400, "INVALID_PARAM"));
}

#[tokio::test]
async fn heartbeats_pause_and_resume() {
    let api = Api::start().await;
    let v = api.ok("/heartbeats").await;
    assert_eq!(v["total"], 5);
    let statuses: BTreeSet<String> = names(&v["heartbeats"], "status").into_iter().collect();
    assert_eq!(
        statuses,
        ["down", "new", "paused", "started", "up"]
            .map(String::from)
            .into()
    );
    let hb = &v["heartbeats"][0];
    for key in [
        "id",
        "uuid",
        "name",
        "alert_state",
        "interval_seconds",
        "grace_seconds",
        "last_ping_at",
        "next_deadline_at",
        "current_run_started_at",
        "last_exit_code",
        "last_duration_ms",
        "consecutive_failures",
        "consecutive_successes",
        "active",
        "created_at",
        "updated_at",
    ] {
        assert!(hb.get(key).is_some(), "{key}");
    }
    let paused = api.ok("/heartbeats?status=paused").await;
    assert_eq!(names(&paused["heartbeats"], "name"), ["certbot-renew"]);
    let down = api.ok("/heartbeats?status=down").await;
    assert_eq!(down["heartbeats"][0]["name"], "restic-offsite-sync");
    assert!(parse_time(&down["heartbeats"][0]["next_deadline_at"]) < Utc::now());

    let one = api.ok("/heartbeats/1").await;
    assert_eq!(one["heartbeat"]["name"], "nightly-db-backup");
    assert_eq!(one["snippets"], json!({}));

    let (status, v) = api.post("/heartbeats/1/resume", json!({})).await;
    assert_eq!((status, code(&v)), (400, "INVALID_INPUT"));
    let (status, v) = api.post("/heartbeats/1/pause", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(
        (v["status"].as_str(), v["active"].as_bool()),
        (Some("paused"), Some(true))
    );
    assert!(v["next_deadline_at"].is_null());
    assert_eq!(api.ok("/heartbeats?status=paused").await["total"], 2);
    let (status, v) = api.post("/heartbeats/1/resume", json!({})).await;
    assert_eq!((status, v["status"].as_str()), (200, Some("up")));
    assert!(parse_time(&v["next_deadline_at"]) > Utc::now());
    // Resuming one that was never pinged makes it `new` again.
    api.post("/heartbeats/5/pause", json!({})).await;
    let (_, v) = api.post("/heartbeats/5/resume", json!({})).await;
    assert_eq!(v["status"], "new");
    let (status, v) = api.post("/heartbeats/3/resume", json!({})).await;
    assert_eq!((status, v["status"].as_str()), (200, Some("up")));
    assert_eq!(api.ok("/heartbeats?status=paused").await["total"], 0);

    let (status, v) = api.post("/heartbeats/99/pause", json!({})).await;
    assert_eq!((status, code(&v)), (404, "NOT_FOUND"));
    let (status, v) = api.get("/heartbeats/99").await;
    assert_eq!((status, code(&v)), (404, "NOT_FOUND"));
    let (status, v) = api.post("/heartbeats/x/resume", json!({})).await;
    assert_eq!((status, code(&v)), (400, "INVALID_ID"));
}

#[tokio::test]
async fn certificates_with_latest_checks_and_chains() {
    let api = Api::start().await;
    let v = api.ok("/certificates").await;
    assert_eq!(v["total"], 6);
    assert_eq!(
        names(&v["certificates"], "status"),
        ["valid", "expiring", "expiring", "expired", "error", "valid"]
    );
    let first = &v["certificates"][0];
    assert_eq!(first["hostname"], "shop.example.net");
    assert_eq!(first["warning_thresholds"], json!([30, 14, 7, 3, 1]));
    assert_eq!(first["latest_check"]["issuer_org"], "Let's Encrypt");
    assert!(first["latest_check"].get("days_remaining").is_none());
    assert_eq!(api.ok("/certificates?status=expiring").await["total"], 2);
    assert_eq!(api.ok("/certificates?source=standalone").await["total"], 2);

    let soon = api.ok("/certificates/3").await;
    assert_eq!(soon["certificate"]["hostname"], "media.example.net");
    assert_eq!(soon["latest_check"]["days_remaining"], 2);
    let chain = soon["latest_check"]["chain"].as_array().expect("chain");
    assert_eq!(chain.len(), 2);
    assert_eq!(
        (chain[0]["position"].as_i64(), chain[1]["position"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(chain[0]["subject_cn"], "media.example.net");
    assert_eq!(chain[1]["issuer_cn"], "ISRG Root X2");
    assert_eq!(
        api.ok("/certificates/2").await["latest_check"]["days_remaining"],
        9
    );
    assert_eq!(
        api.ok("/certificates/1").await["latest_check"]["days_remaining"],
        80
    );
    assert_eq!(
        api.ok("/certificates/4").await["latest_check"]["days_remaining"],
        -5
    );
    let broken = api.ok("/certificates/5").await;
    assert!(broken["certificate"]["last_error"].is_string());
    assert!(broken["latest_check"]["days_remaining"].is_null());
    assert!(broken["latest_check"]["error_message"].is_string());
    let (status, v) = api.get("/certificates/99").await;
    assert_eq!((status, code(&v)), (404, "NOT_FOUND"));
}

#[tokio::test]
async fn alerts_filter_and_page_by_before() {
    let api = Api::start().await;
    let v = api.ok("/alerts").await;
    let all = ids(&v["alerts"]);
    assert_eq!(all, (1..=22).rev().collect::<Vec<_>>());
    assert_eq!(v["has_more"], false);
    let a = &v["alerts"][0];
    for key in [
        "id",
        "source",
        "alert_type",
        "severity",
        "status",
        "message",
        "entity_type",
        "entity_id",
        "entity_name",
        "details",
        "resolved_by_id",
        "fired_at",
        "resolved_at",
        "acknowledged_at",
        "acknowledged_by",
        "escalated_at",
        "created_at",
    ] {
        assert!(a.get(key).is_some(), "{key}");
    }
    let details: Value = serde_json::from_str(a["details"].as_str().expect("details is a string"))
        .expect("details is JSON");
    assert!(details.is_object());

    // Paging by `before` walks the whole history without gaps or repeats.
    let mut seen = Vec::new();
    let mut path = "/alerts?limit=10".to_string();
    loop {
        let page = api.ok(&path).await;
        let rows = page["alerts"].as_array().expect("alerts").clone();
        seen.extend(ids(&page["alerts"]));
        if page["has_more"] != true {
            break;
        }
        let last = rows.last().expect("a full page")["fired_at"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        path = format!("/alerts?limit=10&before={last}");
    }
    assert_eq!(seen, all);

    let active = api.ok("/alerts?status=active&limit=200").await;
    assert_eq!(active["alerts"].as_array().map(Vec::len), Some(9));
    assert_eq!(
        api.ok("/alerts?status=silenced").await["alerts"][0]["id"],
        11
    );
    let containers = api.ok("/alerts?source=container&severity=critical").await;
    assert_eq!(ids(&containers["alerts"]), [20]);
    assert_eq!(containers["alerts"][0]["entity_name"], "shop-api-1");
    parse_time(&containers["alerts"][0]["escalated_at"]);

    for bad in [
        "limit=0",
        "limit=201",
        "limit=500",
        "limit=ten",
        "before=yesterday",
        "before=2026-13-01T00:00:00Z",
    ] {
        let (status, v) = api.get(&format!("/alerts?{bad}")).await;
        assert_eq!((status, code(&v)), (400, "INVALID_PARAM"), "{bad}");
    }
    let (status, v) = api.get("/alerts/20").await;
    assert_eq!(
        (status, v["alert_type"].as_str()),
        (200, Some("health_unhealthy"))
    );
    let (status, v) = api.get("/alerts/999").await;
    assert_eq!((status, code(&v)), (404, "NOT_FOUND"));
    let (status, v) = api.get("/alerts/x").await;
    assert_eq!((status, code(&v)), (400, "INVALID_ID"));
}

#[tokio::test]
async fn active_alerts_and_acknowledgement() {
    let api = Api::start().await;
    let v = api.ok("/alerts/active").await;
    assert_eq!(ids(&v["critical"]), [21, 20, 19, 16]);
    assert_eq!(ids(&v["warning"]), [22, 18, 17, 14]);
    assert_eq!(v["info"], json!([]));

    let (status, v) = api
        .post("/alerts/20/acknowledge", json!({"acknowledged_by": "bob"}))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["acknowledged_by"], "bob");
    parse_time(&v["acknowledged_at"]);
    assert_eq!(v["status"], "active");
    assert_eq!(api.ok("/alerts/20").await["acknowledged_by"], "bob");
    assert_eq!(
        ids(&api.ok("/alerts/active").await["critical"]),
        [21, 19, 16]
    );

    for id in [20, 10, 1, 11] {
        let (status, v) = api
            .post(
                &format!("/alerts/{id}/acknowledge"),
                json!({"acknowledged_by": "bob"}),
            )
            .await;
        assert_eq!((status, code(&v)), (409, "CONFLICT"), "alert {id}");
    }
    for body in [
        json!({}),
        json!({"acknowledged_by": ""}),
        json!({"acknowledged_by": 7}),
    ] {
        let (status, v) = api.post("/alerts/21/acknowledge", body.clone()).await;
        assert_eq!((status, code(&v)), (400, "INVALID_BODY"), "{body}");
    }
    let (status, v) = api
        .call(Method::POST, "/alerts/21/acknowledge", Some("{oops"))
        .await;
    assert_eq!((status, code(&v)), (400, "INVALID_JSON"));
    let (status, v) = api.call(Method::POST, "/alerts/21/acknowledge", None).await;
    assert_eq!((status, code(&v)), (400, "INVALID_JSON"));
    let (status, v) = api
        .post("/alerts/999/acknowledge", json!({"acknowledged_by": "bob"}))
        .await;
    assert_eq!((status, code(&v)), (404, "NOT_FOUND"));
}

#[tokio::test]
async fn image_updates() {
    let api = Api::start().await;
    let v = api.ok("/updates").await;
    let updates = v["updates"].as_array().expect("updates");
    assert_eq!(updates.len(), 5);
    parse_time(&v["last_scan"]);
    assert!(parse_time(&v["next_scan"]) > Utc::now());
    let pg = &updates[0];
    assert_eq!(pg["container_name"], "shop-postgres-1");
    assert_eq!(
        (pg["current_tag"].as_str(), pg["latest_tag"].as_str()),
        (Some("16.4"), Some("17.0"))
    );
    assert!(
        pg["current_digest"]
            .as_str()
            .is_some_and(|d| d.starts_with("sha256:"))
    );
    for key in [
        "id",
        "container_id",
        "image",
        "latest_digest",
        "update_type",
        "risk_score",
        "status",
        "detected_at",
        "published_at",
    ] {
        assert!(pg.get(key).is_some(), "{key}");
    }
    let pinned = api.ok("/updates?status=pinned").await;
    assert_eq!(
        names(&pinned["updates"], "container_name"),
        ["media-jellyfin-1"]
    );
    assert!(pinned["updates"][0]["pin_reason"].is_string());
    let digest = api.ok("/updates?update_type=digest_only").await;
    assert_eq!(
        names(&digest["updates"], "container_name"),
        ["shop-redis-1"]
    );
    assert!(digest["updates"][0].get("published_at").is_none());
    assert_eq!(
        api.ok("/updates?update_type=major").await["updates"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        api.ok("/updates?status=available&update_type=minor").await["updates"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn status_page_reads() {
    let api = Api::start().await;
    let components = api.ok("/status/components").await;
    assert_eq!(
        names(&components, "name"),
        ["Web shop", "Authentication", "Media streaming"]
    );
    assert_eq!(
        names(&components, "status"),
        ["degraded", "operational", "operational"]
    );

    let v = api.ok("/status/incidents").await;
    assert_eq!(v["total"], 2);
    let latest = &v["incidents"][0];
    assert_eq!(latest["title"], "Elevated error rate on the shop API");
    assert_eq!(latest["status"], "monitoring");
    assert_eq!(latest["components"], json!([{"id": 1, "name": "Web shop"}]));
    assert_eq!(latest["updates"].as_array().map(Vec::len), Some(2));
    assert!(latest["resolved_at"].is_null());
    for key in [
        "id",
        "severity",
        "is_maintenance",
        "maintenance_window_id",
        "created_at",
        "updated_at",
    ] {
        assert!(latest.get(key).is_some(), "{key}");
    }
    assert_eq!(
        api.ok("/status/incidents?status=resolved").await["total"],
        1
    );
    assert_eq!(
        api.ok("/status/incidents?severity=critical").await["total"],
        0
    );
    let paged = api.ok("/status/incidents?limit=1&offset=1").await;
    assert_eq!(
        (paged["total"].as_i64(), ids(&paged["incidents"])),
        (Some(2), vec![1])
    );

    let windows = api.ok("/status/maintenance").await;
    let w = &windows[0];
    assert_eq!(w["title"], "PostgreSQL 17 upgrade");
    assert_eq!(w["active"], false);
    assert!(w["incident_id"].is_null());
    assert!(parse_time(&w["starts_at"]) > Utc::now());
    assert!(parse_time(&w["ends_at"]) > parse_time(&w["starts_at"]));
    assert_eq!(
        api.ok("/status/maintenance?status=upcoming")
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        api.ok("/status/maintenance?status=completed").await,
        json!([])
    );
}

#[tokio::test]
async fn status_page_writes_in_pro_validate_and_show_on_reads() {
    let api = Api::start().await;
    let (status, v) = api
        .post(
            "/status/incidents",
            json!({"title": "Media streaming down", "severity": "major", "component_ids": [3], "message": "Jellyfin does not start."}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["id"], 3);
    assert_eq!(v["status"], "investigating");
    assert_eq!(
        v["components"],
        json!([{"id": 3, "name": "Media streaming"}])
    );
    assert_eq!(v["updates"][0]["message"], "Jellyfin does not start.");
    assert_eq!(v["updates"][0]["status"], "investigating");
    let listed = api.ok("/status/incidents").await;
    assert_eq!(
        (
            listed["total"].as_i64(),
            listed["incidents"][0]["id"].as_i64()
        ),
        (Some(3), Some(3))
    );

    let (status, u) = api
        .post(
            "/status/incidents/3/updates",
            json!({"status": "resolved", "message": "Back up."}),
        )
        .await;
    assert_eq!(status, 201, "{u}");
    assert_eq!(u["incident_id"], 3);
    assert_eq!(
        (u["is_auto"].as_bool(), u["alert_id"].is_null()),
        (Some(false), true)
    );
    for key in ["id", "status", "message", "created_at"] {
        assert!(u.get(key).is_some(), "{key}");
    }
    let after = api.ok("/status/incidents?status=resolved").await;
    assert_eq!(after["total"], 2);
    assert!(after["incidents"][0]["resolved_at"].is_string());
    assert_eq!(
        after["incidents"][0]["updates"].as_array().map(Vec::len),
        Some(2)
    );

    for (body, why) in [
        (json!({"title": "x"}), "no severity"),
        (json!({"severity": "minor"}), "no title"),
        (json!({"title": "x", "severity": "huge"}), "bad severity"),
        (
            json!({"title": "x", "severity": "minor", "status": "panicking"}),
            "bad status",
        ),
        (
            json!({"title": "x", "severity": "minor", "component_ids": [42]}),
            "unknown component",
        ),
    ] {
        let (status, v) = api.post("/status/incidents", body).await;
        assert_eq!((status, code(&v)), (400, "validation"), "{why}");
    }
    let (status, v) = api
        .call(Method::POST, "/status/incidents", Some("not json"))
        .await;
    assert_eq!((status, code(&v)), (400, "invalid_body"));
    let (status, v) = api
        .post(
            "/status/incidents/77/updates",
            json!({"status": "resolved", "message": "x"}),
        )
        .await;
    assert_eq!((status, code(&v)), (404, "not_found"));
    let (status, v) = api
        .post("/status/incidents/2/updates", json!({"status": "resolved"}))
        .await;
    assert_eq!((status, code(&v)), (400, "validation"));
    assert_eq!(
        api.ok("/status/incidents?status=monitoring").await["total"],
        1
    );

    let start = (Utc::now() + Duration::days(5)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let end = (Utc::now() + Duration::days(5) + Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (status, w) = api
        .post(
            "/status/maintenance",
            json!({"title": "Router firmware", "description": "Short network cut.", "starts_at": start, "ends_at": end, "component_ids": [1, 2]}),
        )
        .await;
    assert_eq!(status, 201, "{w}");
    assert_eq!(
        (w["id"].as_i64(), w["active"].as_bool()),
        (Some(2), Some(false))
    );
    assert_eq!(w["components"].as_array().map(Vec::len), Some(2));
    assert_eq!(w["description"], "Short network cut.");
    assert_eq!(
        api.ok("/status/maintenance").await[0]["title"],
        "Router firmware"
    );
    for (body, why) in [
        (json!({"starts_at": start, "ends_at": end}), "no title"),
        (
            json!({"title": "x", "starts_at": "tomorrow", "ends_at": end}),
            "bad start",
        ),
        (json!({"title": "x", "starts_at": start}), "no end"),
        (
            json!({"title": "x", "starts_at": end, "ends_at": start}),
            "end before start",
        ),
    ] {
        let (status, v) = api.post("/status/maintenance", body).await;
        assert_eq!((status, code(&v)), (400, "validation"), "{why}");
    }
    assert_eq!(
        api.ok("/status/maintenance").await.as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn the_community_edition_refuses_paid_writes_before_reading_the_body() {
    let api = Api::start_with(MaintenantDemoOptions {
        edition: Edition::Community,
        proxy: None,
    })
    .await;
    let refusal = json!({"error": {"code": "PRO_REQUIRED", "message": "this feature requires maintenant Pro"}});
    for path in [
        "/status/incidents",
        "/status/incidents/2/updates",
        "/status/maintenance",
        "/status/incidents/999/updates",
    ] {
        for body in ["{}", "not json"] {
            let (status, v) = api.call(Method::POST, path, Some(body)).await;
            assert_eq!((status, &v), (403, &refusal), "{path} {body}");
        }
    }
    let (status, _) = api
        .post(
            "/status/incidents",
            json!({"title": "x", "severity": "minor"}),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(api.ok("/status/incidents").await["total"], 2);
    assert_eq!(
        api.ok("/status/maintenance").await.as_array().map(Vec::len),
        Some(1)
    );
    // Reads and acknowledgement stay open.
    let (status, v) = api
        .post(
            "/alerts/19/acknowledge",
            json!({"acknowledged_by": "carol"}),
        )
        .await;
    assert_eq!(
        (status, v["acknowledged_by"].as_str()),
        (200, Some("carol"))
    );
    let (status, _) = api.post("/heartbeats/2/pause", json!({})).await;
    assert_eq!(status, 200);
}

/// Missing and wrong credentials get the proxy's 401, the right one reaches maintenant.
async fn assert_proxy(
    proxy: ProxyAuth,
    challenge: &str,
    right: (&str, String),
    wrong: (&str, String),
) {
    let api = Api::start_with(MaintenantDemoOptions {
        edition: Edition::Pro,
        proxy: Some(proxy),
    })
    .await;
    let url = format!("{}/api/v1/health", api.demo.base_url());
    let denied = |resp: reqwest::Response| async move {
        assert_eq!(resp.status().as_u16(), 401);
        let www = resp
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert_eq!(www, challenge);
        assert_eq!(resp.text().await.unwrap_or_default(), "401 Unauthorized");
    };
    denied(api.http.get(&url).send().await.expect("request")).await;
    denied(
        api.http
            .get(&url)
            .header(wrong.0, &wrong.1)
            .send()
            .await
            .expect("request"),
    )
    .await;
    // Unknown routes are refused by the proxy before maintenant's 404.
    let nope = format!("{}/api/v1/nope", api.demo.base_url());
    denied(api.http.get(&nope).send().await.expect("request")).await;
    let ok = api
        .http
        .get(&url)
        .header(right.0, &right.1)
        .send()
        .await
        .expect("request");
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(ok.json::<Value>().await.expect("json")["status"], "ok");
    // Refused requests are recorded too, and the record itself needs no credential.
    assert_eq!(api.demo.requests().len(), 4);
    let record = api
        .http
        .get(format!("{}/__demo/requests", api.demo.base_url()))
        .send()
        .await
        .expect("request");
    assert_eq!(record.status().as_u16(), 200);
}

#[tokio::test]
async fn proxy_auth_basic_bearer_and_header() {
    assert_proxy(
        ProxyAuth::Basic {
            user: "admin".into(),
            password: "s3cr3t!".into(),
        },
        "Basic realm=\"maintenant\"",
        ("authorization", "Basic YWRtaW46czNjcjN0IQ==".into()),
        (
            "authorization",
            format!("Basic {}", auth::base64(b"admin:wrong")),
        ),
    )
    .await;
    assert_proxy(
        ProxyAuth::Bearer("tok-123".into()),
        "Bearer realm=\"maintenant\"",
        ("authorization", "bearer tok-123".into()),
        ("authorization", "Bearer tok-124".into()),
    )
    .await;
    assert_proxy(
        ProxyAuth::Header {
            name: "X-Forward-Auth".into(),
            value: "letmein".into(),
        },
        "Bearer realm=\"maintenant\"",
        ("x-forward-auth", "letmein".into()),
        ("x-forward-auth", "LETMEIN".into()),
    )
    .await;
    // reqwest's own Basic encoding is accepted.
    let api = Api::start_with(MaintenantDemoOptions {
        edition: Edition::Pro,
        proxy: Some(ProxyAuth::Basic {
            user: "ops".into(),
            password: "p:ss word".into(),
        }),
    })
    .await;
    let resp = api
        .http
        .get(format!("{}/api/v1/edition", api.demo.base_url()))
        .basic_auth("ops", Some("p:ss word"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 200);
}

#[tokio::test]
async fn requests_are_recorded_and_routes_and_methods_are_checked() {
    let api = Api::start().await;
    api.ok("/alerts?limit=5&status=active").await;
    api.post("/alerts/22/acknowledge", json!({"acknowledged_by": "dave"}))
        .await;
    let reqs = api.demo.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("GET", "/api/v1/alerts")
    );
    assert_eq!(reqs[0].query_value("limit"), Some("5"));
    assert_eq!(reqs[0].query_value("status"), Some("active"));
    assert_eq!(reqs[1].method, "POST");
    assert_eq!(reqs[1].json, Some(json!({"acknowledged_by": "dave"})));
    assert_eq!(reqs[1].header("content-type"), Some("application/json"));

    let record: Value = api
        .http
        .get(format!("{}/__demo/requests", api.demo.base_url()))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(record.as_array().map(Vec::len), Some(2));
    api.http
        .delete(format!("{}/__demo/requests", api.demo.base_url()))
        .send()
        .await
        .expect("request");
    assert!(api.demo.requests().is_empty());

    let (status, v) = api.get("/nothing/here").await;
    assert_eq!((status, code(&v)), (404, "NOT_FOUND"));
    let resp = api
        .http
        .get(format!("{}/status/api", api.demo.base_url()))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 404);
    for (method, path) in [
        (Method::DELETE, "/containers/1"),
        (Method::PUT, "/heartbeats/1"),
        (Method::POST, "/health"),
        (Method::GET, "/alerts/1/acknowledge"),
        (Method::GET, "/status/incidents/1/updates"),
    ] {
        let (status, v) = api.call(method.clone(), path, None).await;
        assert_eq!(
            (status, code(&v)),
            (405, "METHOD_NOT_ALLOWED"),
            "{method} {path}"
        );
    }
    api.demo.clear_requests();
    assert!(api.demo.requests().is_empty());
    assert_eq!(api.demo.addr().ip().to_string(), "127.0.0.1");
    api.demo.shutdown();
}
