//! End-to-end tests of the OneUptime backend: the binary over stdio and HTTP, driven by rmcp's
//! client, against the embedded OneUptime-shaped demo (which records every request) and a
//! fault-injecting upstream. They cover the generated tool list, each operation's exact
//! request, value unwrapping, the workflow tools, every error mapping, per-request API keys
//! over HTTP (two tenants at once, a request without a key) and read-only mode.

mod common;

use common::*;
use lookout::demo::RecordedRequest;
use lookout::demo::oneuptime::{
    ONEUPTIME_DEMO_KEY as KEY, ONEUPTIME_DEMO_READONLY_KEY as READONLY_KEY,
    ONEUPTIME_DEMO_TENANT_B_KEY as KEY_B, OneUptimeDemo,
};
use rmcp::ServiceExt;
use rmcp::model::Tool;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};
use std::collections::HashMap;

const MISSING: &str = "00000000-0000-4000-8000-000000000000";

async fn demo_client() -> (OneUptimeDemo, Client) {
    let demo = OneUptimeDemo::start().await.expect("demo");
    let client = stdio_client(oneuptime_command(&demo.base_url(), Some(KEY), &[])).await;
    (demo, client)
}

fn expected_tools() -> Vec<String> {
    let mut names: Vec<String> = ONEUPTIME_WORKFLOW.iter().map(|s| s.to_string()).collect();
    for (singular, plural) in ONEUPTIME_DATABASE {
        names.push(format!("list_{plural}"));
        names.push(format!("count_{plural}"));
        names.push(format!("get_{singular}"));
        names.push(format!("create_{singular}"));
        names.push(format!("update_{singular}"));
        names.push(format!("delete_{singular}"));
    }
    for plural in ONEUPTIME_TELEMETRY {
        names.push(format!("list_{plural}"));
        names.push(format!("count_{plural}"));
    }
    names
}

fn schema(tool: &Tool) -> Value {
    Value::Object((*tool.input_schema).clone())
}

fn hints(tool: &Tool) -> (Option<bool>, Option<bool>, Option<bool>) {
    let a = tool.annotations.clone().unwrap_or_default();
    (a.read_only_hint, a.destructive_hint, a.idempotent_hint)
}

fn only(reqs: &[RecordedRequest]) -> &RecordedRequest {
    assert_eq!(reqs.len(), 1, "expected one request, got {reqs:#?}");
    &reqs[0]
}

fn names_of(body: &Value, field: &str) -> Vec<String> {
    body["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| r[field].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The `_id` of the first row a list tool returns for `query`.
async fn first_id(client: &Client, tool: &str, query: Value) -> String {
    let r = call(client, tool, json!({"query": query, "limit": 1})).await;
    ok_body(&r)["rows"][0]["_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{tool} returned no row"))
        .to_string()
}

async fn new_incident(client: &Client, title: &str) -> String {
    let severity = first_id(client, "list_incident_severities", json!({})).await;
    let r = call(
        client,
        "create_incident",
        json!({"data": {"title": title, "incidentSeverityId": severity}}),
    )
    .await;
    ok_body(&r)["_id"]
        .as_str()
        .expect("created incident id")
        .to_string()
}

#[tokio::test]
async fn tools_are_generated_with_oneuptime_names_schemas_and_annotations() {
    let (_demo, client) = demo_client().await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<String> = tools.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, expected_tools());
    assert_eq!(names.len(), 153);
    // The instructions summarise generated tools by prefix instead of naming all 153.
    let instructions = client
        .peer_info()
        .and_then(|i| i.instructions.clone())
        .unwrap_or_default();
    for group in [
        "list_* (29)",
        "count_* (29)",
        "get_* (22)",
        "delete_* (22)",
        "oneuptime_whoami",
    ] {
        assert!(instructions.contains(group), "{group}: {instructions}");
    }
    let tool = |n: &str| {
        tools
            .iter()
            .find(|t| t.name == n)
            .unwrap_or_else(|| panic!("no tool {n}"))
    };

    let list = schema(tool("list_monitors"));
    assert_eq!(list["additionalProperties"], false);
    assert_eq!(list["properties"]["limit"]["maximum"], 100);
    assert_eq!(list["properties"]["limit"]["default"], 25);
    assert_eq!(list["properties"]["skip"]["default"], 0);
    assert_eq!(
        list["properties"]["sort"]["default"],
        json!({"createdAt": "DESC"})
    );
    assert_eq!(
        list["properties"]["sort"]["additionalProperties"]["enum"],
        json!(["ASC", "DESC"])
    );
    let query_help = list["properties"]["query"]["description"]
        .as_str()
        .unwrap_or_default();
    for op in ["_type", "Search", "InBetween", "GreaterThan", "Includes"] {
        assert!(query_help.contains(op), "query help lacks {op}");
    }
    let select = list["properties"]["select"]["default"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        select.contains(&json!("currentMonitorStatus.name")),
        "{select:?}"
    );

    let get = schema(tool("get_on_call_policy"));
    assert_eq!(get["required"], json!(["id"]));
    assert_eq!(get["properties"]["id"]["format"], "uuid");
    let create = schema(tool("create_incident"));
    assert_eq!(create["required"], json!(["data"]));
    assert_eq!(
        create["properties"]["data"]["required"],
        json!(["title", "incidentSeverityId"])
    );
    let update = schema(tool("update_monitor"));
    assert_eq!(update["required"], json!(["id", "data"]));
    assert_eq!(update["properties"]["data"]["minProperties"], 1);
    // Telemetry: list and count only, sorted by its own time field.
    assert!(!names.iter().any(|n| n == "create_log" || n == "get_span"));
    assert_eq!(
        schema(tool("list_spans"))["properties"]["sort"]["default"],
        json!({"startTime": "DESC"})
    );

    assert_eq!(
        hints(tool("list_alerts")),
        (Some(true), Some(false), Some(true))
    );
    assert_eq!(hints(tool("get_incident")).0, Some(true));
    assert_eq!(hints(tool("count_logs")).0, Some(true));
    assert_eq!(hints(tool("oneuptime_whoami")).0, Some(true));
    assert_eq!(
        hints(tool("create_monitor")),
        (Some(false), Some(false), Some(false))
    );
    assert_eq!(
        hints(tool("update_incident")),
        (Some(false), Some(false), Some(true))
    );
    assert_eq!(
        hints(tool("delete_status_page")),
        (Some(false), Some(true), Some(true))
    );
    assert_eq!(hints(tool("acknowledge_incident")).0, Some(false));
    assert_eq!(hints(tool("add_incident_note")).1, Some(false));
    client.cancel().await.ok();
}

#[tokio::test]
async fn list_sends_query_select_sort_in_the_body_and_paging_in_the_url() {
    let (demo, client) = demo_client().await;
    demo.clear_requests();
    let r = call(
        &client,
        "list_monitors",
        json!({
            "query": {"monitorType": "API"},
            "select": ["name", "monitorType", "currentMonitorStatus.name", "createdAt"],
            "sort": {"name": "ASC"},
            "limit": 5
        }),
    )
    .await;
    let body = ok_body(&r);
    let reqs = demo.requests();
    let req = only(&reqs);
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/api/monitor/get-list");
    assert_eq!(req.query_value("limit"), Some("5"));
    assert_eq!(req.query_value("skip"), None);
    assert_eq!(req.header("apikey"), Some(KEY));
    assert_eq!(
        req.json,
        Some(json!({
            "query": {"monitorType": "API"},
            "select": {"name": true, "monitorType": true, "currentMonitorStatus": {"name": true}, "createdAt": true},
            "sort": {"name": "ASC"}
        }))
    );
    let rows = body["rows"].as_array().cloned().unwrap_or_default();
    assert!(!rows.is_empty(), "{body}");
    let names = names_of(&body, "name");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "sorted by name");
    for row in &rows {
        assert_eq!(row["monitorType"], "API");
        assert!(row["_id"].is_string());
        // Tagged values arrive plain: a date string, a relation's name.
        assert!(
            row["createdAt"]
                .as_str()
                .is_some_and(|d| chrono::DateTime::parse_from_rfc3339(d).is_ok()),
            "{row}"
        );
        assert!(row["currentMonitorStatus"]["name"].is_string(), "{row}");
    }
    assert!(
        !r.content[0]
            .as_text()
            .is_some_and(|t| t.text.contains("_type"))
    );
    let count = call(
        &client,
        "count_monitors",
        json!({"query": {"monitorType": "API"}}),
    )
    .await;
    assert_eq!(ok_body(&count)["count"], body["total"]);

    // Paging: skip and limit in the URL, next_skip until the total is reached.
    let all = ok_body(&call(&client, "count_monitors", json!({})).await)["count"]
        .as_u64()
        .unwrap_or(0);
    assert!(all > 6, "the demo has more than two pages of 3 monitors");
    let page1 = ok_body(&call(&client, "list_monitors", json!({"limit": 3})).await);
    assert_eq!(page1["returned"], 3);
    assert_eq!(page1["skip"], 0);
    assert_eq!(page1["next_skip"], 3);
    assert_eq!(page1["total"], all);
    demo.clear_requests();
    let page2 = ok_body(&call(&client, "list_monitors", json!({"skip": 3, "limit": 3})).await);
    let reqs = demo.requests();
    let req = only(&reqs);
    assert_eq!(req.query_value("skip"), Some("3"));
    assert_eq!(req.query_value("limit"), Some("3"));
    // Defaults applied: the default select and newest first.
    let sent = req.json.clone().unwrap_or_default();
    assert_eq!(sent["sort"], json!({"createdAt": "DESC"}));
    assert_eq!(
        sent["select"]["currentMonitorStatus"],
        json!({"name": true})
    );
    let first: Vec<String> = names_of(&page1, "_id");
    let second: Vec<String> = names_of(&page2, "_id");
    assert!(first.iter().all(|id| !second.contains(id)), "pages overlap");
    // Over the maximum: refused before anything is sent.
    demo.clear_requests();
    let r = call(&client, "list_monitors", json!({"limit": 500})).await;
    assert_eq!(err_body(&r)["code"], "VALIDATION_ERROR");
    assert!(demo.requests().is_empty());
    client.cancel().await.ok();
}

#[tokio::test]
async fn get_create_update_delete_send_the_real_requests() {
    let (demo, client) = demo_client().await;
    let severity = first_id(&client, "list_incident_severities", json!({})).await;
    demo.clear_requests();
    let r = call(
        &client,
        "create_incident",
        json!({"data": {"title": "Checkout latency over 2 s", "incidentSeverityId": severity}}),
    )
    .await;
    let created = ok_body(&r);
    let reqs = demo.requests();
    let req = only(&reqs);
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/api/incident")
    );
    assert_eq!(
        req.json,
        Some(
            json!({"data": {"title": "Checkout latency over 2 s", "incidentSeverityId": severity}})
        )
    );
    let id = created["_id"].as_str().expect("new id").to_string();
    assert_eq!(created["title"], "Checkout latency over 2 s");
    assert!(
        created["projectId"].is_string(),
        "unwrapped ObjectID: {created}"
    );

    demo.clear_requests();
    let got = ok_body(&call(&client, "get_incident", json!({"id": id})).await);
    let reqs = demo.requests();
    let req = only(&reqs);
    assert_eq!(req.path, format!("/api/incident/{id}/get-item"));
    assert_eq!(
        req.json.as_ref().map(|j| j["select"]["title"].clone()),
        Some(json!(true))
    );
    assert_eq!(got["_id"], id.as_str());
    assert!(got["currentIncidentState"]["name"].is_string(), "{got}");
    assert!(got["incidentSeverity"]["name"].is_string(), "{got}");
    assert!(got["declaredAt"].is_string(), "{got}");

    demo.clear_requests();
    let r = call(
        &client,
        "update_incident",
        json!({"id": id, "data": {"rootCause": "A slow index on orders"}}),
    )
    .await;
    let body = ok_body(&r);
    let reqs = demo.requests();
    let req = only(&reqs);
    assert_eq!(req.method, "PUT");
    assert_eq!(req.path, format!("/api/incident/{id}"));
    assert_eq!(
        req.json,
        Some(json!({"data": {"rootCause": "A slow index on orders"}}))
    );
    assert_eq!(body["message"], format!("Updated incident {id}."));
    let got = ok_body(
        &call(
            &client,
            "get_incident",
            json!({"id": id, "select": ["rootCause"]}),
        )
        .await,
    );
    assert_eq!(got["rootCause"], "A slow index on orders");

    demo.clear_requests();
    let body = ok_body(&call(&client, "delete_incident", json!({"id": id})).await);
    let reqs = demo.requests();
    let sent: Vec<(String, String)> = reqs
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    assert_eq!(
        sent,
        vec![
            ("POST".to_string(), format!("/api/incident/{id}/get-item")),
            ("DELETE".to_string(), format!("/api/incident/{id}")),
        ]
    );
    assert_eq!(body["message"], format!("Deleted incident {id}."));

    // Gone: the upstream answers {} and that is NOT_FOUND; a second delete sends no DELETE.
    let r = call(&client, "get_incident", json!({"id": id})).await;
    let err = err_body(&r);
    assert_eq!(err["code"], "NOT_FOUND");
    assert!(err["message"].as_str().unwrap_or_default().contains(&id));
    demo.clear_requests();
    let r = call(&client, "delete_incident", json!({"id": id})).await;
    assert_eq!(err_body(&r)["code"], "NOT_FOUND");
    assert!(demo.requests().iter().all(|r| r.method != "DELETE"));

    // Bad input changes nothing and sends nothing.
    demo.clear_requests();
    for (tool, args) in [
        ("get_incident", json!({"id": "web-01"})),
        ("update_incident", json!({"id": MISSING, "data": {}})),
        ("create_incident", json!({"data": {"title": "no severity"}})),
        ("delete_monitor", json!({})),
    ] {
        let r = call(&client, tool, args).await;
        assert_eq!(err_body(&r)["code"], "VALIDATION_ERROR", "{tool}");
    }
    assert!(demo.requests().is_empty(), "{:#?}", demo.requests());
    client.cancel().await.ok();
}

#[tokio::test]
async fn workflow_tools_acknowledge_resolve_and_annotate() {
    let (demo, client) = demo_client().await;
    let who = ok_body(&call(&client, "oneuptime_whoami", json!({})).await);
    assert_eq!(who["name"], "Acme Production");
    assert!(who["_id"].is_string());

    let id = new_incident(&client, "Payments DB replication lag").await;
    let ack_state = first_id(
        &client,
        "list_incident_states",
        json!({"isAcknowledgedState": true}),
    )
    .await;
    demo.clear_requests();
    let body = ok_body(&call(&client, "acknowledge_incident", json!({"incidentId": id})).await);
    let reqs = demo.requests();
    let paths: Vec<&str> = reqs.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            format!("/api/incident/{id}/get-item").as_str(),
            "/api/incident-state/get-list",
            "/api/incident-state-timeline",
        ]
    );
    assert_eq!(reqs[1].query_value("limit"), Some("1"));
    assert_eq!(
        reqs[1].json.as_ref().map(|j| j["query"].clone()),
        Some(json!({"isAcknowledgedState": true}))
    );
    assert_eq!(
        reqs[2].json,
        Some(json!({"data": {"incidentId": id, "incidentStateId": ack_state}}))
    );
    let state = ok_body(
        &call(
            &client,
            "get_incident",
            json!({"id": id, "select": ["currentIncidentState.name", "currentIncidentState.isAcknowledgedState"]}),
        )
        .await,
    );
    assert_eq!(state["currentIncidentState"]["isAcknowledgedState"], true);
    let name = state["currentIncidentState"]["name"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        body["message"],
        format!("Incident \"Payments DB replication lag\" is now {name}.")
    );

    let body = ok_body(&call(&client, "resolve_incident", json!({"incidentId": id})).await);
    let state = ok_body(
        &call(
            &client,
            "get_incident",
            json!({"id": id, "select": ["currentIncidentState.isResolvedState"]}),
        )
        .await,
    );
    assert_eq!(
        state["currentIncidentState"]["isResolvedState"], true,
        "{body}"
    );

    demo.clear_requests();
    call(
        &client,
        "add_incident_note",
        json!({"incidentId": id, "note": "Failover done."}),
    )
    .await;
    call(
        &client,
        "add_incident_note",
        json!({"incidentId": id, "note": "Payments are back.", "visibility": "public"}),
    )
    .await;
    let reqs = demo.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].path, "/api/incident-internal-note");
    assert_eq!(
        reqs[0].json,
        Some(json!({"data": {"incidentId": id, "note": "Failover done."}}))
    );
    assert_eq!(reqs[1].path, "/api/incident-public-note");
    let notes = ok_body(
        &call(
            &client,
            "list_incident_public_notes",
            json!({"query": {"incidentId": id}}),
        )
        .await,
    );
    assert_eq!(names_of(&notes, "note"), vec!["Payments are back."]);

    // Alerts: acknowledge, resolve and annotate an existing one.
    let alert = first_id(&client, "list_alerts", json!({})).await;
    demo.clear_requests();
    ok_body(&call(&client, "acknowledge_alert", json!({"alertId": alert})).await);
    let reqs = demo.requests();
    assert_eq!(
        reqs.last().map(|r| r.path.as_str()),
        Some("/api/alert-state-timeline")
    );
    assert_eq!(
        reqs.last()
            .and_then(|r| r.json.clone())
            .map(|j| j["data"]["alertId"].clone()),
        Some(json!(alert))
    );
    ok_body(&call(&client, "resolve_alert", json!({"alertId": alert})).await);
    let got = ok_body(
        &call(
            &client,
            "get_alert",
            json!({"id": alert, "select": ["currentAlertState.isResolvedState"]}),
        )
        .await,
    );
    assert_eq!(got["currentAlertState"]["isResolvedState"], true);
    demo.clear_requests();
    ok_body(
        &call(
            &client,
            "add_alert_note",
            json!({"alertId": alert, "note": "Looked at it."}),
        )
        .await,
    );
    assert_eq!(only(&demo.requests()).path, "/api/alert-internal-note");

    // An unknown incident: NOT_FOUND after the lookup, and no state change is sent.
    demo.clear_requests();
    let r = call(
        &client,
        "acknowledge_incident",
        json!({"incidentId": MISSING}),
    )
    .await;
    let err = err_body(&r);
    assert_eq!(err["code"], "NOT_FOUND");
    assert!(
        err["message"]
            .as_str()
            .unwrap_or_default()
            .contains(MISSING)
    );
    assert_eq!(demo.requests().len(), 1);
    client.cancel().await.ok();
}

#[tokio::test]
async fn telemetry_lists_page_with_has_more() {
    let (demo, client) = demo_client().await;
    demo.clear_requests();
    let body = ok_body(&call(&client, "list_logs", json!({"limit": 5})).await);
    let reqs = demo.requests();
    let req = only(&reqs);
    assert_eq!(req.path, "/api/logs/get-list");
    assert_eq!(req.query_value("limit"), Some("5"));
    assert_eq!(
        req.json.as_ref().map(|j| j["sort"].clone()),
        Some(json!({"time": "DESC"}))
    );
    assert_eq!(body["returned"], 5);
    assert_eq!(body["next_skip"], 5);
    assert!(
        body.get("total").is_none(),
        "a lower bound is not a total: {body}"
    );
    let times: Vec<String> = names_of(&body, "time");
    assert_eq!(times.len(), 5);
    let mut newest_first = times.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, newest_first);
    let errors = ok_body(
        &call(
            &client,
            "count_logs",
            json!({"query": {"severityText": "Error"}}),
        )
        .await,
    );
    assert!(errors["count"].as_u64().is_some_and(|n| n > 0), "{errors}");
    client.cancel().await.ok();
}

#[tokio::test]
async fn upstream_errors_map_to_codes_with_hints() {
    let demo = OneUptimeDemo::start().await.expect("demo");
    // 400 Invalid API Key → AUTH_FAILED.
    let client = stdio_client(oneuptime_command(&demo.base_url(), Some("not-a-key"), &[])).await;
    let err = err_body(&call(&client, "oneuptime_whoami", json!({})).await);
    assert_eq!(err["code"], "AUTH_FAILED");
    assert_eq!(err["upstream_status"], 400);
    assert!(
        err["hint"]
            .as_str()
            .unwrap_or_default()
            .contains("ONEUPTIME_API_KEY")
    );
    client.cancel().await.ok();

    // 422 permission denied (a read-only key writing) → FORBIDDEN.
    let client = stdio_client(oneuptime_command(&demo.base_url(), Some(READONLY_KEY), &[])).await;
    let err = err_body(&call(&client, "create_label", json!({"data": {"name": "db"}})).await);
    assert_eq!(err["code"], "FORBIDDEN");
    assert_eq!(err["upstream_status"], 422);
    assert!(
        err["hint"]
            .as_str()
            .unwrap_or_default()
            .contains("permission")
    );
    // Reads still work with it, and a 400 about a field names the field.
    ok_body(&call(&client, "list_labels", json!({})).await);
    let err = err_body(&call(&client, "list_monitors", json!({"query": {"nope": 1}})).await);
    assert_eq!(err["code"], "UPSTREAM_ERROR");
    assert_eq!(err["upstream_status"], 400);
    assert!(
        err["message"].as_str().unwrap_or_default().contains("nope"),
        "{err}"
    );
    client.cancel().await.ok();

    // No key configured: refused locally, nothing sent.
    demo.clear_requests();
    let client = stdio_client(oneuptime_command(&demo.base_url(), None, &[])).await;
    let err = err_body(&call(&client, "list_monitors", json!({})).await);
    assert_eq!(err["code"], "AUTH_FAILED");
    assert!(
        err["message"]
            .as_str()
            .unwrap_or_default()
            .contains("ONEUPTIME_API_KEY")
    );
    assert!(demo.requests().is_empty());
    client.cancel().await.ok();

    // Statuses the demo does not produce on demand, from a fixed upstream.
    for (status, body, code) in [
        (
            401,
            r#"{"error":"A user should be logged in to read record of Monitor."}"#,
            "AUTH_FAILED",
        ),
        (
            422,
            r#"{"error":"You do not have permissions to select on - name."}"#,
            "FORBIDDEN",
        ),
        (402, r#"{"error":"Please upgrade your plan."}"#, "FORBIDDEN"),
        (429, r#"{"error":"Too many requests"}"#, "RATE_LIMITED"),
    ] {
        let (url, hits) = fault_upstream(status, "application/json", body, 0).await;
        let client = stdio_client(oneuptime_command(
            &url,
            Some(KEY),
            &[("LOOKOUT_RETRY_AFTER_MAX_SECS", "1")],
        ))
        .await;
        let err = err_body(&call(&client, "list_monitors", json!({})).await);
        assert_eq!(err["code"], code, "{status}: {err}");
        assert_eq!(err["upstream_status"], status);
        assert!(err["hint"].is_string(), "{status}: {err}");
        let upstream_text = serde_json::from_str::<Value>(body).expect("json")["error"].clone();
        assert!(
            err["message"]
                .as_str()
                .unwrap_or_default()
                .contains(upstream_text.as_str().unwrap_or_default()),
            "{err}"
        );
        if status == 429 {
            assert_eq!(err["retry_after_secs"], 7);
            assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
        }
        client.cancel().await.ok();
    }
}

#[tokio::test]
async fn read_only_mode_keeps_only_reads() {
    let demo = OneUptimeDemo::start().await.expect("demo");
    let client = stdio_client(oneuptime_command(
        &demo.base_url(),
        Some(KEY),
        &[("ONEUPTIME_READ_ONLY", "true")],
    ))
    .await;
    let tools = client.list_all_tools().await.expect("tools/list");
    assert_eq!(tools.len(), 22 * 3 + 7 * 2 + 1);
    for t in &tools {
        assert_eq!(hints(t).0, Some(true), "{}", t.name);
        assert!(
            ["list_", "count_", "get_", "oneuptime_whoami"]
                .iter()
                .any(|p| t.name.starts_with(p)),
            "{}",
            t.name
        );
    }
    demo.clear_requests();
    for (tool, args) in [
        ("delete_monitor", json!({"id": MISSING})),
        ("acknowledge_incident", json!({"incidentId": MISSING})),
        ("create_team", json!({"data": {"name": "x"}})),
    ] {
        let err = err_body(&call(&client, tool, args).await);
        assert_eq!(err["code"], "READ_ONLY", "{tool}");
    }
    assert!(demo.requests().is_empty());
    client.cancel().await.ok();

    // The allowlist and denylist work on generated names like on written ones.
    let client = stdio_client(oneuptime_command(
        &demo.base_url(),
        Some(KEY),
        &[
            (
                "ONEUPTIME_ENABLED_TOOLS",
                "oneuptime_*,list_*,acknowledge_*",
            ),
            ("ONEUPTIME_DISABLED_TOOLS", "list_{logs,spans}"),
        ],
    ))
    .await;
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .expect("tools/list")
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(names.len(), 1 + 29 - 2 + 2, "{names:?}");
    assert!(names.contains(&"acknowledge_alert".to_string()));
    assert!(!names.contains(&"list_logs".to_string()));
    let err = err_body(&call(&client, "get_monitor", json!({"id": MISSING})).await);
    assert_eq!(err["code"], "TOOL_DISABLED");
    client.cancel().await.ok();
}

#[tokio::test]
async fn reads_are_retried_and_writes_are_sent_once() {
    let (url, hits) =
        fault_upstream(502, "application/json", r#"{"error":"Bad gateway"}"#, 0).await;
    let client = stdio_client(oneuptime_command(&url, Some(KEY), &[])).await;
    // list_* is a POST, but a read: retried (2 retries by default).
    let err = err_body(&call(&client, "list_monitors", json!({})).await);
    assert_eq!(err["code"], "UPSTREAM_ERROR");
    assert_eq!(hits.swap(0, std::sync::atomic::Ordering::SeqCst), 3);
    // create_* after a 502: reported, never sent again.
    let err = err_body(&call(&client, "create_label", json!({"data": {"name": "x"}})).await);
    assert_eq!(err["upstream_status"], 502);
    assert_eq!(hits.swap(0, std::sync::atomic::Ordering::SeqCst), 1);
    // A workflow: its lookups are reads and retried; the first one fails, so no write follows.
    let err = err_body(
        &call(
            &client,
            "acknowledge_incident",
            json!({"incidentId": MISSING}),
        )
        .await,
    );
    assert_eq!(err["upstream_status"], 502);
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 3);
    client.cancel().await.ok();
}

async fn http_client(base: &str, header: (&'static str, String)) -> Client {
    let mut headers = HashMap::new();
    headers.insert(
        http::HeaderName::from_static(header.0),
        http::HeaderValue::from_str(&header.1).expect("header value"),
    );
    let config = StreamableHttpClientTransportConfig::with_uri(format!("{base}/mcp"))
        .custom_headers(headers);
    ().serve(StreamableHttpClientTransport::from_config(config))
        .await
        .expect("MCP initialize over HTTP")
}

#[tokio::test]
async fn http_passthrough_serves_two_tenants_with_their_own_keys() {
    let demo = OneUptimeDemo::start().await.expect("demo");
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = dir.path().join("audit.jsonl");
    let log = dir.path().join("stderr.log");
    let mut cmd = oneuptime_command(
        &demo.base_url(),
        None,
        &[
            ("ONEUPTIME_KEY_PASSTHROUGH", "true"),
            ("ONEUPTIME_AUDIT_LOG", audit.to_str().unwrap_or_default()),
            ("LOOKOUT_LOG", "debug"),
        ],
    );
    cmd.stderr(std::fs::File::create(&log).expect("log file"));
    let (_child, base) = http_server(cmd).await;

    // OneUptime-compatible endpoints.
    let health: Value = reqwest::get(format!("{base}/mcp/health"))
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_eq!(health["status"], "healthy");
    assert_eq!(health["mode"], "stateless");
    assert_eq!(health["tools"], 153);
    let listed: Value = reqwest::get(format!("{base}/mcp/tools"))
        .await
        .expect("tools")
        .json()
        .await
        .expect("json");
    assert_eq!(listed["count"], 153);
    assert_eq!(listed["tools"][0]["name"], "oneuptime_whoami");
    assert!(listed["tools"][0]["description"].is_string());
    assert!(listed["tools"][0].get("inputSchema").is_none());

    // No key: a clear 401 before anything reaches OneUptime.
    let resp = reqwest::Client::new()
        .post(format!("{base}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string())
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().contains_key("www-authenticate"));
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "missing_api_key");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("x-api-key")
    );
    assert!(demo.requests().is_empty());

    let a = http_client(&base, ("x-api-key", KEY.to_string())).await;
    let b = http_client(&base, ("authorization", format!("Bearer {KEY_B}"))).await;
    let (who_a, who_b) = tokio::join!(
        call(&a, "oneuptime_whoami", json!({})),
        call(&b, "oneuptime_whoami", json!({}))
    );
    assert_eq!(ok_body(&who_a)["name"], "Acme Production");
    assert_eq!(ok_body(&who_b)["name"], "Globex Staging");
    // The same read at the same time from both: each gets its own tenant's rows.
    for _ in 0..3 {
        let args = json!({"select": ["name"], "limit": 100});
        let (ra, rb) = tokio::join!(
            call(&a, "list_monitors", args.clone()),
            call(&b, "list_monitors", args.clone())
        );
        let (na, nb) = (
            names_of(&ok_body(&ra), "name"),
            names_of(&ok_body(&rb), "name"),
        );
        assert!(na.contains(&"Checkout API".to_string()), "{na:?}");
        assert!(!nb.contains(&"Checkout API".to_string()), "{nb:?}");
        assert!(na.iter().all(|n| !nb.contains(n)), "{na:?} / {nb:?}");
    }
    // A write with a passthrough key is audited without the key.
    let incident = first_id(&a, "list_incidents", json!({})).await;
    ok_body(
        &call(
            &a,
            "add_incident_note",
            json!({"incidentId": incident, "note": "Seen."}),
        )
        .await,
    );
    let keys: Vec<String> = demo
        .requests()
        .iter()
        .filter_map(|r| r.header("apikey").map(str::to_string))
        .collect();
    assert!(!keys.is_empty());
    assert!(keys.iter().all(|k| k == KEY || k == KEY_B), "{keys:?}");
    assert!(keys.iter().any(|k| k == KEY_B));
    // A wrong passthrough key is the upstream's AUTH_FAILED, not someone else's data.
    let c = http_client(
        &base,
        ("x-api-key", "0f0f0f0f-0000-4000-8000-000000000000".into()),
    )
    .await;
    let err = err_body(&call(&c, "list_monitors", json!({})).await);
    assert_eq!(err["code"], "AUTH_FAILED");
    for client in [a, b, c] {
        client.cancel().await.ok();
    }
    let audit_text = std::fs::read_to_string(&audit).expect("audit file");
    assert!(
        audit_text.contains("\"tool\":\"add_incident_note\""),
        "{audit_text}"
    );
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    for key in [KEY, KEY_B] {
        assert!(!audit_text.contains(key), "key in the audit log");
        assert!(!log_text.contains(key), "key in the logs");
    }
}

#[tokio::test]
async fn every_read_tool_works_with_its_defaults() {
    let (_demo, client) = demo_client().await;
    for (singular, plural) in ONEUPTIME_DATABASE {
        let list = ok_body(&call(&client, &format!("list_{plural}"), json!({})).await);
        let count = ok_body(&call(&client, &format!("count_{plural}"), json!({})).await);
        assert_eq!(list["total"], count["count"], "{plural}");
        let Some(id) = list["rows"][0]["_id"].as_str() else {
            panic!("the demo has no {plural}");
        };
        let got = ok_body(&call(&client, &format!("get_{singular}"), json!({"id": id})).await);
        assert_eq!(got["_id"], id, "{singular}");
        let text = serde_json::to_string(&got).unwrap_or_default();
        assert!(!text.contains("\"_type\""), "{singular}: {text}");
    }
    for plural in ONEUPTIME_TELEMETRY {
        ok_body(&call(&client, &format!("list_{plural}"), json!({})).await);
        ok_body(&call(&client, &format!("count_{plural}"), json!({})).await);
    }
    client.cancel().await.ok();
}

#[tokio::test]
async fn resources_and_prompts() {
    let (_demo, client) = demo_client().await;
    let resources: Vec<String> = client
        .list_all_resources()
        .await
        .expect("resources/list")
        .iter()
        .map(|r| r.uri.to_string())
        .collect();
    assert_eq!(
        resources,
        [
            "oneuptime://project",
            "oneuptime://monitors",
            "oneuptime://incidents",
            "oneuptime://alerts"
        ]
    );
    let templates: Vec<String> = client
        .list_all_resource_templates()
        .await
        .expect("resources/templates/list")
        .iter()
        .map(|t| t.uri_template.to_string())
        .collect();
    assert_eq!(
        templates,
        ["oneuptime://incidents/{id}", "oneuptime://monitors/{id}"]
    );
    let read = |uri: String| {
        let client = &client;
        async move {
            let r = client
                .read_resource(rmcp::model::ReadResourceRequestParams::new(uri.clone()))
                .await
                .unwrap_or_else(|e| panic!("read {uri}: {e}"));
            match &r.contents[0] {
                rmcp::model::ResourceContents::TextResourceContents { text, .. } => {
                    serde_json::from_str::<Value>(text).expect("json")
                }
                other => panic!("not text: {other:?}"),
            }
        }
    };
    assert_eq!(
        read("oneuptime://project".into()).await["name"],
        "Acme Production"
    );
    let monitors = read("oneuptime://monitors".into()).await;
    assert_eq!(monitors["returned"], 12);
    let id = first_id(&client, "list_incidents", json!({})).await;
    let incident = read(format!("oneuptime://incidents/{id}")).await;
    assert_eq!(incident["_id"], id.as_str());
    let missing = client
        .read_resource(rmcp::model::ReadResourceRequestParams::new(format!(
            "oneuptime://incidents/{MISSING}"
        )))
        .await;
    assert!(missing.is_err(), "an unknown incident is a resource error");
    let prompts: Vec<String> = client
        .list_all_prompts()
        .await
        .expect("prompts/list")
        .iter()
        .map(|p| p.name.to_string())
        .collect();
    assert_eq!(prompts, ["triage_incident", "project_overview"]);
    let prompt = client
        .get_prompt(
            rmcp::model::GetPromptRequestParams::new("triage_incident")
                .with_arguments(obj(json!({"incident_id": id}))),
        )
        .await
        .expect("prompt");
    let text = format!("{:?}", prompt.messages[0].content);
    assert!(
        text.contains(&id) && text.contains("get_incident"),
        "{text}"
    );
    client.cancel().await.ok();
}
