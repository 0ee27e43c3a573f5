//! End-to-end tests of the maintenant backend: the binary over stdio, driven by rmcp's client,
//! against the embedded maintenant-shaped demo (which records every request). They cover the
//! tool list, every tool's exact REST request and the shape of its answer, the edition error
//! of the Community edition, bad input refused before anything is sent, writes never sent
//! twice, the three kinds of reverse-proxy credentials, resources, prompts and the escape
//! hatch.

mod common;

use common::*;
use lookout::demo::RecordedRequest;
use lookout::demo::maintenant::{Edition, MaintenantDemo, MaintenantDemoOptions, ProxyAuth};
use rmcp::model::{GetPromptRequestParams, ReadResourceRequestParams, ResourceContents};
use serde_json::{Value, json};

async fn demo_with(
    options: MaintenantDemoOptions,
    extra: &[(&str, &str)],
) -> (MaintenantDemo, Client) {
    let demo = MaintenantDemo::start_with(options).await.expect("demo");
    let client = stdio_client(maintenant_command(&demo.base_url(), extra)).await;
    (demo, client)
}

async fn demo_client() -> (MaintenantDemo, Client) {
    demo_with(MaintenantDemoOptions::default(), &[]).await
}

/// The requests the last call sent, then forgets them.
fn sent(demo: &MaintenantDemo) -> Vec<RecordedRequest> {
    let reqs = demo.requests();
    demo.clear_requests();
    reqs
}

fn only(reqs: &[RecordedRequest]) -> &RecordedRequest {
    assert_eq!(reqs.len(), 1, "expected one request, got {reqs:#?}");
    &reqs[0]
}

fn rows(body: &Value) -> &Vec<Value> {
    body["rows"].as_array().expect("rows")
}

fn keys(row: &Value) -> Vec<&str> {
    row.as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn tools_are_maintenant_s_with_accurate_annotations() {
    let (_demo, client) = demo_client().await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, MAINTENANT_TOOLS);
    for t in &tools {
        let a = t.annotations.clone().unwrap_or_default();
        let writes = [
            "acknowledge_alert",
            "create_incident",
            "update_incident",
            "create_maintenance",
            "pause_monitor",
            "resume_monitor",
        ]
        .contains(&t.name.as_ref());
        match t.name.as_ref() {
            "maintenant_query" => assert_eq!(a.destructive_hint, Some(true)),
            _ if writes => {
                assert_eq!(a.read_only_hint, Some(false), "{}", t.name);
                assert_eq!(
                    a.destructive_hint,
                    Some(false),
                    "{} adds, deletes nothing",
                    t.name
                );
            }
            _ => assert_eq!(a.read_only_hint, Some(true), "{}", t.name),
        }
        let schema = Value::Object((*t.input_schema).clone());
        assert_eq!(schema["additionalProperties"], false, "{}", t.name);
    }
    // maintenant's own argument names.
    let schema = |name: &str| {
        let t = tools.iter().find(|t| t.name == name).expect("tool");
        Value::Object((*t.input_schema).clone())
    };
    assert_eq!(schema("get_container")["required"], json!(["container_id"]));
    assert_eq!(
        schema("get_endpoint_history")["required"],
        json!(["endpoint_id"])
    );
    assert_eq!(
        schema("list_alerts")["properties"]["active_only"]["default"],
        true
    );
    assert_eq!(schema("get_top_consumers")["required"], json!(["metric"]));
    assert_eq!(
        schema("create_incident")["required"],
        json!(["title", "status", "message"])
    );
    assert_eq!(
        schema("create_maintenance")["required"],
        json!(["title", "start_time", "end_time"])
    );
    assert_eq!(
        schema("pause_monitor")["required"],
        json!(["monitor_type", "monitor_id"])
    );
    let info = client.peer_info().expect("server info");
    let instructions = info.instructions.clone().unwrap_or_default();
    assert!(instructions.contains("maintenant") && instructions.contains("next_before"));
}

#[tokio::test]
async fn container_tools_send_the_right_requests_and_shape_answers() {
    let (demo, client) = demo_client().await;

    let body = ok_body(&call(&client, "list_containers", json!({})).await);
    let req = only(&sent(&demo)).clone();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("GET", "/api/v1/containers")
    );
    assert!(
        req.query.is_empty(),
        "the gateway pages itself: {:?}",
        req.query
    );
    assert_eq!(body["returned"], 19, "groups flattened, archived left out");
    assert_eq!(body["total"], 19);
    assert_eq!(body["archived_count"], 1, "envelope key kept");
    let first = &rows(&body)[0];
    assert!(keys(first).contains(&"group") && !keys(first).contains(&"restart_threshold"));
    assert!(keys(first).len() <= 10, "compact default columns: {first}");
    let groups: Vec<&str> = rows(&body)
        .iter()
        .filter_map(|r| r["group"].as_str())
        .collect();
    let mut sorted = groups.clone();
    sorted.sort_by_key(|g| g.to_lowercase());
    assert_eq!(groups, sorted, "sorted by group, then name");

    let body = ok_body(
        &call(
            &client,
            "list_containers",
            json!({"state": "exited", "columns": "name,state,error_detail"}),
        )
        .await,
    );
    let req = only(&sent(&demo)).clone();
    assert_eq!(req.query_value("state"), Some("exited"));
    assert!(rows(&body).iter().all(|r| r["state"] == "exited"));
    assert!(rows(&body).iter().any(|r| r["name"] == "media-radarr-1"));
    for row in rows(&body) {
        assert!(
            keys(row)
                .iter()
                .all(|k| ["name", "state", "error_detail"].contains(k)),
            "only the columns asked for: {row}"
        );
    }

    let body = ok_body(
        &call(
            &client,
            "list_containers",
            json!({"archived": true, "limit": 5}),
        )
        .await,
    );
    assert_eq!(only(&sent(&demo)).query_value("archived"), Some("true"));
    assert_eq!(body["returned"], 5);
    assert_eq!(body["next_offset"], 5);

    let body = ok_body(&call(&client, "get_container", json!({"container_id": "2"})).await);
    let mut reqs = sent(&demo);
    reqs.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].path, "/api/v1/containers/2");
    assert_eq!(reqs[1].path, "/api/v1/containers/2/transitions");
    assert_eq!(reqs[1].query_value("limit"), Some("20"));
    assert_eq!(body["container"]["name"], "shop-api-1");
    assert_eq!(body["container"]["health_status"], "unhealthy");
    assert!(body["container"]["uptime"]["24h"].is_number());
    assert!(!rows(&body["transitions"]).is_empty());

    // The flapping container has more transitions than one page.
    let body = ok_body(
        &call(
            &client,
            "get_container",
            json!({"container_id": "9", "limit": 50}),
        )
        .await,
    );
    sent(&demo);
    assert_eq!(body["transitions"]["returned"], 50);
    assert_eq!(body["transitions"]["next_offset"], 50);

    let missing = err_body(&call(&client, "get_container", json!({"container_id": "999"})).await);
    assert_eq!(missing["code"], "NOT_FOUND");
    assert_eq!(missing["upstream_status"], 404);
    assert!(
        missing["message"]
            .as_str()
            .unwrap_or("")
            .contains("CONTAINER_NOT_FOUND")
    );
    sent(&demo);
}

#[tokio::test]
async fn logs_come_back_as_text_keeping_the_newest_lines() {
    let (demo, client) = demo_client().await;
    let body = ok_body(
        &call(
            &client,
            "get_container_logs",
            json!({"container_id": "1", "lines": 1000, "timestamps": true}),
        )
        .await,
    );
    let req = only(&sent(&demo)).clone();
    assert_eq!(req.path, "/api/v1/containers/1/logs");
    assert_eq!(req.query_value("lines"), Some("1000"));
    assert_eq!(req.query_value("timestamps"), Some("true"));
    let logs = body["logs"].as_str().expect("logs text");
    let shown = body["lines_returned"].as_u64().expect("count");
    assert_eq!(logs.lines().count() as u64, shown);
    assert!(shown > 0 && shown <= 500, "the API gives at most 500 lines");
    assert!(
        logs.lines().all(|l| l.starts_with("20")),
        "timestamps first"
    );
    assert!(
        serde_json::to_string(&body).expect("json").len() <= 60_000 + 256,
        "within the result budget"
    );
    assert!(body.get("lines").is_none(), "the list became text");

    let body = ok_body(
        &call(
            &client,
            "get_container_logs",
            json!({"container_id": "2", "lines": 5}),
        )
        .await,
    );
    assert_eq!(only(&sent(&demo)).query_value("timestamps"), None);
    assert_eq!(body["lines_returned"], 5);
    assert!(body.get("lines_left_out").is_none());

    let e = err_body(&call(&client, "get_container_logs", json!({"container_id": "19"})).await);
    assert_eq!(e["code"], "UPSTREAM_ERROR");
    assert_eq!(e["upstream_status"], 502);
    assert!(
        e["message"]
            .as_str()
            .unwrap_or("")
            .contains("LOGS_UNAVAILABLE")
    );
    assert!(e["hint"].as_str().unwrap_or("").contains("runtime"));
    let reqs = sent(&demo);
    assert_eq!(
        reqs.len(),
        3,
        "a read is retried on 5xx (twice by default), then reported"
    );
    assert!(reqs.iter().all(|r| r.path == "/api/v1/containers/19/logs"));
}

#[tokio::test]
async fn endpoint_heartbeat_and_certificate_tools() {
    let (demo, client) = demo_client().await;

    let body = ok_body(&call(&client, "list_endpoints", json!({"status": "down"})).await);
    let req = only(&sent(&demo)).clone();
    assert_eq!(
        (req.path.as_str(), req.query_value("status")),
        ("/api/v1/endpoints", Some("down"))
    );
    assert!(
        rows(&body)
            .iter()
            .any(|r| r["id"] == 2 && r["alert_state"] == "alerting")
    );
    let body = ok_body(&call(&client, "list_endpoints", json!({})).await);
    sent(&demo);
    assert_eq!(body["returned"], 9, "the inactive endpoint is left out");
    let body = ok_body(&call(&client, "list_endpoints", json!({"include_inactive": true})).await);
    assert_eq!(
        only(&sent(&demo)).query_value("include_inactive"),
        Some("true")
    );
    assert_eq!(body["returned"], 10);

    let since_before = chrono::Utc::now().timestamp() - 24 * 3600;
    let body = ok_body(
        &call(
            &client,
            "get_endpoint_history",
            json!({"endpoint_id": 2, "limit": 10, "offset": 10, "since": "-24h"}),
        )
        .await,
    );
    let mut reqs = sent(&demo);
    reqs.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(reqs[0].path, "/api/v1/endpoints/2");
    assert_eq!(reqs[1].path, "/api/v1/endpoints/2/checks");
    assert_eq!(reqs[1].query_value("limit"), Some("10"));
    assert_eq!(reqs[1].query_value("offset"), Some("10"));
    let since: i64 = reqs[1]
        .query_value("since")
        .and_then(|s| s.parse().ok())
        .expect("since as a Unix time");
    assert!((since - since_before).abs() < 60, "-24h became an epoch");
    assert_eq!(body["endpoint"]["endpoint"]["id"], 2);
    assert!(body["endpoint"]["uptime"]["24h"].is_number());
    assert_eq!(body["checks"]["returned"], 10);
    assert_eq!(body["checks"]["offset"], 10);
    assert_eq!(body["checks"]["next_offset"], 20);
    assert!(body["checks"]["total"].as_u64().unwrap_or(0) > 20);

    let body = ok_body(&call(&client, "list_heartbeats", json!({})).await);
    assert_eq!(only(&sent(&demo)).path, "/api/v1/heartbeats");
    let names: Vec<&str> = rows(&body)
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(names.len(), 5);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let body = ok_body(&call(&client, "list_heartbeats", json!({"status": "paused"})).await);
    assert_eq!(only(&sent(&demo)).query_value("status"), Some("paused"));
    assert_eq!(rows(&body)[0]["name"], "certbot-renew");

    let body = ok_body(&call(&client, "list_certificates", json!({})).await);
    assert_eq!(only(&sent(&demo)).path, "/api/v1/certificates");
    let hosts: Vec<&str> = rows(&body)
        .iter()
        .filter_map(|r| r["hostname"].as_str())
        .collect();
    assert_eq!(
        hosts[0], "legacy.example.net",
        "soonest expiry (already expired) first"
    );
    assert_eq!(hosts[1], "media.example.net");
    assert!(rows(&body)[0]["latest_check"]["not_after"].is_string());
    assert!(
        rows(&body)[0]["latest_check"].get("chain").is_none(),
        "compact columns"
    );
    let body = ok_body(&call(&client, "list_certificates", json!({"status": "expiring"})).await);
    assert_eq!(only(&sent(&demo)).query_value("status"), Some("expiring"));
    assert_eq!(body["returned"], 2);
}

#[tokio::test]
async fn alerts_active_and_history_with_cursor_paging() {
    let (demo, client) = demo_client().await;
    let body = ok_body(&call(&client, "list_alerts", json!({})).await);
    let req = only(&sent(&demo)).clone();
    assert_eq!(req.path, "/api/v1/alerts");
    assert_eq!(req.query_value("status"), Some("active"));
    assert_eq!(req.query_value("limit"), Some("50"));
    assert!(rows(&body).iter().all(|r| r["status"] == "active"));
    assert!(
        rows(&body)
            .iter()
            .any(|r| r["id"] == 10 && r["acknowledged_by"] == "alice"),
        "acknowledged alerts are still active"
    );
    assert!(body.get("next_before").is_none());
    assert!(rows(&body)[0].get("details").is_none(), "compact columns");

    // History, the branch maintenant's own tool cannot reach.
    let mut seen = Vec::new();
    let mut before: Option<String> = None;
    for _ in 0..10 {
        let mut args = json!({"active_only": false, "limit": 5});
        if let Some(b) = &before {
            args["before"] = json!(b);
        }
        let body = ok_body(&call(&client, "list_alerts", args).await);
        let req = only(&sent(&demo)).clone();
        assert_eq!(req.query_value("status"), None);
        assert_eq!(req.query_value("before"), before.as_deref());
        seen.extend(rows(&body).iter().filter_map(|r| r["id"].as_i64()));
        match body["next_before"].as_str() {
            Some(next) => before = Some(next.to_string()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 22, "every alert once: {seen:?}");
    assert_eq!(seen.first(), Some(&22), "newest first");

    let body = ok_body(
        &call(
            &client,
            "list_alerts",
            json!({"active_only": false, "status": "resolved", "before": "-1d"}),
        )
        .await,
    );
    let req = only(&sent(&demo)).clone();
    assert_eq!(req.query_value("status"), Some("resolved"));
    let before = req.query_value("before").expect("before");
    assert!(
        chrono::DateTime::parse_from_rfc3339(before).is_ok(),
        "{before}"
    );
    assert!(rows(&body).iter().all(|r| r["status"] == "resolved"));

    let e = err_body(&call(&client, "list_alerts", json!({"limit": 500})).await);
    assert_eq!(e["code"], "VALIDATION_ERROR");
    assert!(sent(&demo).is_empty());
}

#[tokio::test]
async fn resources_updates_and_health() {
    let (demo, client) = demo_client().await;
    let body = ok_body(&call(&client, "get_resources", json!({})).await);
    assert_eq!(only(&sent(&demo)).path, "/api/v1/resources/summary");
    assert!(body["total_cpu_percent"].is_number() && body["container_count"].is_number());

    // Live ranking by default (maintenant's own tool fails here).
    let body = ok_body(&call(&client, "get_top_consumers", json!({"metric": "cpu"})).await);
    let req = only(&sent(&demo)).clone();
    assert_eq!(req.path, "/api/v1/resources/top");
    assert_eq!(req.query_value("metric"), Some("cpu"));
    assert_eq!(req.query_value("limit"), Some("10"));
    assert_eq!(req.query_value("period"), None);
    assert_eq!(body["consumers"][0]["container_name"], "shop-api-1");
    let body = ok_body(
        &call(
            &client,
            "get_top_consumers",
            json!({"metric": "memory", "period": "24h", "limit": 3}),
        )
        .await,
    );
    let req = only(&sent(&demo)).clone();
    assert_eq!(req.query_value("period"), Some("24h"));
    assert_eq!(body["consumers"].as_array().map(Vec::len), Some(3));
    let e = err_body(&call(&client, "get_top_consumers", json!({"metric": "disk"})).await);
    assert_eq!(e["code"], "VALIDATION_ERROR");
    assert!(e["message"].as_str().unwrap_or("").contains("metric"));
    assert!(sent(&demo).is_empty());

    let body = ok_body(&call(&client, "get_updates", json!({})).await);
    assert_eq!(only(&sent(&demo)).path, "/api/v1/updates");
    assert!(
        body["last_scan"].is_string() && body["next_scan"].is_string(),
        "{body}"
    );
    let risks: Vec<f64> = rows(&body)
        .iter()
        .filter_map(|r| r["risk_score"].as_f64())
        .collect();
    assert!(
        risks.windows(2).all(|w| w[0] >= w[1]),
        "riskiest first: {risks:?}"
    );
    let body = ok_body(&call(&client, "get_updates", json!({"update_type": "major"})).await);
    assert_eq!(only(&sent(&demo)).query_value("update_type"), Some("major"));
    assert!(rows(&body).iter().all(|r| r["update_type"] == "major"));

    let body = ok_body(&call(&client, "get_health", json!({})).await);
    let mut paths: Vec<String> = sent(&demo).into_iter().map(|r| r.path).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/api/v1/edition",
            "/api/v1/health",
            "/api/v1/runtime/status"
        ]
    );
    assert_eq!(body["health"]["status"], "ok");
    assert_eq!(body["runtime"]["runtime"], "docker");
    assert_eq!(body["edition"]["edition"], "pro");
}

#[tokio::test]
async fn writes_send_exact_bodies_once() {
    let (demo, client) = demo_client().await;

    let body = ok_body(&call(&client, "acknowledge_alert", json!({"alert_id": 20})).await);
    let req = only(&sent(&demo)).clone();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/api/v1/alerts/20/acknowledge")
    );
    assert_eq!(req.json, Some(json!({"acknowledged_by": "lookout"})));
    assert_eq!(body["acknowledged_by"], "lookout");
    // Again: maintenant answers 409, sent once, no retry.
    let e = err_body(
        &call(
            &client,
            "acknowledge_alert",
            json!({"alert_id": 20, "acknowledged_by": "bob"}),
        )
        .await,
    );
    assert_eq!(e["code"], "CONFLICT");
    assert_eq!(e["upstream_status"], 409);
    assert_eq!(
        only(&sent(&demo)).json,
        Some(json!({"acknowledged_by": "bob"}))
    );

    let body = ok_body(
        &call(
            &client,
            "create_incident",
            json!({"title": "Checkout errors", "status": "investigating", "message": "Payments fail for some users", "component_ids": [1]}),
        )
        .await,
    );
    let req = only(&sent(&demo)).clone();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/api/v1/status/incidents")
    );
    assert_eq!(
        req.json,
        Some(
            json!({"title": "Checkout errors", "severity": "minor", "status": "investigating", "message": "Payments fail for some users", "component_ids": [1]})
        )
    );
    let incident = body["id"].as_i64().expect("incident id");

    let body = ok_body(
        &call(
            &client,
            "update_incident",
            json!({"incident_id": incident, "status": "resolved", "message": "Fixed"}),
        )
        .await,
    );
    let req = only(&sent(&demo)).clone();
    assert_eq!(
        req.path,
        format!("/api/v1/status/incidents/{incident}/updates")
    );
    assert_eq!(
        req.json,
        Some(json!({"status": "resolved", "message": "Fixed"}))
    );
    assert_eq!(body["incident_id"], incident);

    let body = ok_body(
        &call(
            &client,
            "create_maintenance",
            json!({"title": "Kernel upgrade", "start_time": "+1h", "end_time": "+2h", "message": "Reboots"}),
        )
        .await,
    );
    let req = only(&sent(&demo)).clone();
    let sent_body = req.json.expect("json body");
    assert_eq!(sent_body["title"], "Kernel upgrade");
    assert_eq!(sent_body["description"], "Reboots");
    let at = |k: &str| {
        chrono::DateTime::parse_from_rfc3339(sent_body[k].as_str().expect("time"))
            .expect("RFC 3339")
    };
    assert_eq!(
        (at("ends_at") - at("starts_at")).num_minutes(),
        120,
        "end counted from the start"
    );
    assert!(sent_body["starts_at"].as_str().unwrap_or("").ends_with('Z'));
    assert!(body["id"].is_number());

    let body = ok_body(
        &call(
            &client,
            "pause_monitor",
            json!({"monitor_type": "heartbeat", "monitor_id": 1}),
        )
        .await,
    );
    let req = only(&sent(&demo)).clone();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/api/v1/heartbeats/1/pause")
    );
    assert_eq!(body["message"], "Heartbeat 1 paused.");
    assert_eq!(body["result"]["status"], "paused");
    let body = ok_body(
        &call(
            &client,
            "resume_monitor",
            json!({"monitor_type": "heartbeat", "monitor_id": 1}),
        )
        .await,
    );
    assert_eq!(only(&sent(&demo)).path, "/api/v1/heartbeats/1/resume");
    assert_ne!(body["result"]["status"], "paused");
    let e = err_body(
        &call(
            &client,
            "resume_monitor",
            json!({"monitor_type": "heartbeat", "monitor_id": 1}),
        )
        .await,
    );
    assert_eq!(e["code"], "VALIDATION_ERROR", "not paused: {e}");
    assert_eq!(sent(&demo).len(), 1);
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let (demo, client) = demo_client().await;
    for (tool, args, named) in [
        (
            "get_container",
            json!({"container_id": "abc"}),
            "container_id",
        ),
        ("get_container", json!({}), "container_id"),
        (
            "get_container_logs",
            json!({"container_id": "1", "lines": 5000}),
            "lines",
        ),
        (
            "get_endpoint_history",
            json!({"endpoint_id": "two"}),
            "endpoint_id",
        ),
        (
            "get_endpoint_history",
            json!({"endpoint_id": 2, "since": "yesterday"}),
            "since",
        ),
        ("list_containers", json!({"state": "sleeping"}), "state"),
        ("acknowledge_alert", json!({"alert_id": 0}), "alert_id"),
        (
            "create_incident",
            json!({"title": "x", "status": "broken", "message": "m"}),
            "status",
        ),
        (
            "create_incident",
            json!({"title": "x", "status": "identified", "message": "m", "severity": "huge"}),
            "severity",
        ),
        (
            "create_maintenance",
            json!({"title": "x", "start_time": "+2h", "end_time": "-1h"}),
            "end_time",
        ),
        (
            "create_maintenance",
            json!({"title": "x", "start_time": "soon", "end_time": "+1h"}),
            "start_time",
        ),
        (
            "pause_monitor",
            json!({"monitor_type": "endpoint", "monitor_id": 2}),
            "monitor_type",
        ),
        ("list_heartbeats", json!({"colour": "red"}), "colour"),
    ] {
        let e = err_body(&call(&client, tool, args.clone()).await);
        assert_eq!(e["code"], "VALIDATION_ERROR", "{tool} {args}: {e}");
        assert!(
            e["message"].as_str().unwrap_or("").contains(named),
            "{tool} {args}: the message names `{named}`: {e}"
        );
    }
    assert!(sent(&demo).is_empty(), "nothing reached maintenant");
}

#[tokio::test]
async fn the_community_edition_gets_a_clear_edition_error() {
    let options = MaintenantDemoOptions {
        edition: Edition::Community,
        ..MaintenantDemoOptions::default()
    };
    let (demo, client) = demo_with(options, &[]).await;
    for (tool, args) in [
        (
            "create_incident",
            json!({"title": "t", "status": "investigating", "message": "m"}),
        ),
        (
            "update_incident",
            json!({"incident_id": 2, "status": "resolved", "message": "m"}),
        ),
        (
            "create_maintenance",
            json!({"title": "t", "start_time": "+1h", "end_time": "+2h"}),
        ),
    ] {
        let e = err_body(&call(&client, tool, args).await);
        assert_eq!(e["code"], "FORBIDDEN", "{tool}: {e}");
        assert_eq!(e["upstream_status"], 403);
        assert!(
            e["message"].as_str().unwrap_or("").contains("PRO_REQUIRED"),
            "{e}"
        );
        let hint = e["hint"].as_str().unwrap_or("");
        assert!(
            hint.contains("paid edition (Pro)") && hint.contains("get_health"),
            "{hint}"
        );
        assert_eq!(sent(&demo).len(), 1, "{tool}: sent once, never retried");
    }
    // Acknowledging is open to every edition.
    ok_body(&call(&client, "acknowledge_alert", json!({"alert_id": 21})).await);
    let body = ok_body(&call(&client, "get_health", json!({})).await);
    assert_eq!(body["edition"]["edition"], "community");
}

#[tokio::test]
async fn reverse_proxy_credentials_of_each_kind() {
    // (what the proxy wants, the settings that supply it, the header sent, its value)
    type Kind = (
        ProxyAuth,
        Vec<(&'static str, &'static str)>,
        &'static str,
        &'static str,
    );
    let kinds: [Kind; 3] = [
        (
            ProxyAuth::Basic {
                user: "lookout".into(),
                password: "s3cret-pass".into(),
            },
            vec![
                ("MAINTENANT_PROXY_USER", "lookout"),
                ("MAINTENANT_PROXY_PASSWORD", "s3cret-pass"),
            ],
            "authorization",
            "Basic bG9va291dDpzM2NyZXQtcGFzcw==",
        ),
        (
            ProxyAuth::Bearer("tok-123456".into()),
            vec![("MAINTENANT_PROXY_TOKEN", "tok-123456")],
            "authorization",
            "Bearer tok-123456",
        ),
        (
            ProxyAuth::Header {
                name: "X-Forward-Auth".into(),
                value: "team-key-42".into(),
            },
            vec![("MAINTENANT_PROXY_HEADER", "X-Forward-Auth: team-key-42")],
            "x-forward-auth",
            "team-key-42",
        ),
    ];
    for (proxy, env, header, value) in kinds {
        let options = MaintenantDemoOptions {
            proxy: Some(proxy),
            ..MaintenantDemoOptions::default()
        };
        let demo = MaintenantDemo::start_with(options).await.expect("demo");
        // Without credentials: the proxy's 401, with a hint naming the settings.
        let client = stdio_client(maintenant_command(&demo.base_url(), &[])).await;
        let e = err_body(&call(&client, "get_health", json!({})).await);
        assert_eq!(e["code"], "AUTH_FAILED", "{e}");
        assert!(
            e["hint"]
                .as_str()
                .unwrap_or("")
                .contains("MAINTENANT_PROXY_USER")
        );
        client.cancel().await.ok();
        demo.clear_requests();
        // With them: every request carries them.
        let client = stdio_client(maintenant_command(&demo.base_url(), &env)).await;
        ok_body(&call(&client, "list_containers", json!({"limit": 1})).await);
        let req = only(&sent(&demo)).clone();
        assert_eq!(req.header(header), Some(value));
        client.cancel().await.ok();
    }
    // A wrong password is refused, and never shown.
    let demo = MaintenantDemo::start_with(MaintenantDemoOptions {
        proxy: Some(ProxyAuth::Basic {
            user: "lookout".into(),
            password: "right".into(),
        }),
        ..MaintenantDemoOptions::default()
    })
    .await
    .expect("demo");
    let (client, stderr) = stdio_client_with_stderr(maintenant_command(
        &demo.base_url(),
        &[
            ("MAINTENANT_PROXY_USER", "lookout"),
            ("MAINTENANT_PROXY_PASSWORD", "wrong-password-xyz"),
            ("LOOKOUT_LOG", "debug"),
        ],
    ))
    .await;
    let r = call(&client, "get_health", json!({})).await;
    let e = err_body(&r);
    assert_eq!(e["code"], "AUTH_FAILED");
    client.cancel().await.ok();
    let logs = read_all(stderr).await;
    let everything = format!("{e} {:?} {logs}", r.content);
    assert!(
        !everything.contains("wrong-password-xyz"),
        "the password leaked"
    );
    assert!(
        !everything.contains("bG9va291dDp3cm9uZy1wYXNzd29yZC14eXo"),
        "the credential leaked"
    );
    // Basic auth and a bearer token together are refused at start-up.
    let out = maintenant_command(
        &demo.base_url(),
        &[
            ("MAINTENANT_PROXY_USER", "u"),
            ("MAINTENANT_PROXY_PASSWORD", "p"),
            ("MAINTENANT_PROXY_TOKEN", "t"),
        ],
    )
    .arg("check")
    .stderr(std::process::Stdio::piped())
    .output()
    .await
    .expect("run check");
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("both use the Authorization header"), "{text}");
}

#[tokio::test]
async fn resources_prompts_and_the_escape_hatch() {
    let (demo, client) = demo_with(
        MaintenantDemoOptions::default(),
        &[("MAINTENANT_READ_ONLY", "true")],
    )
    .await;
    let resources = client.list_all_resources().await.expect("resources");
    let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
    for uri in [
        "maintenant://health",
        "maintenant://containers",
        "maintenant://endpoints",
        "maintenant://alerts/active",
        "maintenant://certificates/expiring",
    ] {
        assert!(uris.contains(&uri), "{uri} in {uris:?}");
    }
    let templates = client
        .list_all_resource_templates()
        .await
        .expect("templates");
    let uris: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    assert_eq!(
        uris,
        [
            "maintenant://containers/{id}",
            "maintenant://endpoints/{id}"
        ]
    );
    let read = |uri: &str| {
        let client = &client;
        let uri = uri.to_string();
        async move {
            let r = client
                .read_resource(ReadResourceRequestParams::new(uri.clone()))
                .await
                .unwrap_or_else(|e| panic!("read {uri}: {e}"));
            match &r.contents[0] {
                ResourceContents::TextResourceContents { text, .. } => {
                    serde_json::from_str::<Value>(text).expect("json")
                }
                other => panic!("not text: {other:?}"),
            }
        }
    };
    assert_eq!(
        read("maintenant://containers/2").await["container"]["name"],
        "shop-api-1"
    );
    assert_eq!(read("maintenant://endpoints/2").await["endpoint"]["id"], 2);
    let expiring = read("maintenant://certificates/expiring").await;
    assert!(rows(&expiring).iter().all(|r| r["status"] == "expiring"));
    sent(&demo);

    let prompts = client.list_all_prompts().await.expect("prompts");
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "diagnose_container",
            "review_certificates",
            "health_overview"
        ]
    );
    let p = client
        .get_prompt(
            GetPromptRequestParams::new("diagnose_container")
                .with_arguments(obj(json!({"container_id": "2"}))),
        )
        .await
        .expect("prompt");
    let text = format!("{:?}", p.messages);
    assert!(
        text.contains("get_container_logs (container_id=\\\"2\\\""),
        "{text}"
    );

    // The escape hatch reads anything under /api/v1, and only reads in read-only mode.
    let body = ok_body(
        &call(
            &client,
            "maintenant_query",
            json!({"path": "/status/components"}),
        )
        .await,
    );
    assert_eq!(only(&sent(&demo)).path, "/api/v1/status/components");
    assert!(body.to_string().contains("Web shop"));
    let e = err_body(
        &call(
            &client,
            "maintenant_query",
            json!({"path": "/heartbeats/1/pause", "method": "POST"}),
        )
        .await,
    );
    assert_eq!(e["code"], "READ_ONLY");
    let e = err_body(
        &call(
            &client,
            "maintenant_query",
            json!({"path": "/../../etc/passwd"}),
        )
        .await,
    );
    assert_eq!(e["code"], "VALIDATION_ERROR");
    assert!(sent(&demo).is_empty());
    let tools = client.list_all_tools().await.expect("tools");
    assert_eq!(tools.len(), 13, "read-only: 12 reads and the escape hatch");
}
