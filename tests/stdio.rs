//! End-to-end tests over stdio: the built `lookout` binary driven by rmcp's client against the
//! embedded demo Thruk backend, asserting both the MCP answers and the exact upstream requests.

mod common;

use common::*;
use lookout::demo::{DEMO_API_KEY, DemoBackend};
use rmcp::model::{CallToolRequestParams, GetPromptRequestParams, ReadResourceRequestParams};
use serde_json::{Value, json};
use std::collections::BTreeSet;

#[tokio::test]
async fn tools_list_holds_exactly_the_29_thruk_tools_with_valid_schemas() {
    let (_demo, client) = demo_and_client().await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: BTreeSet<String> = tools.iter().map(|t| t.name.to_string()).collect();
    let expected: BTreeSet<String> = THRUK_TOOLS.iter().map(|s| s.to_string()).collect();
    assert_eq!(names, expected);
    for t in &tools {
        let schema = Value::Object((*t.input_schema).clone());
        assert!(
            jsonschema::validator_for(&schema).is_ok(),
            "{} has an invalid schema",
            t.name
        );
        assert_eq!(schema["type"], "object");
        let ann = t.annotations.as_ref().expect("annotations");
        let read = t.name.starts_with("thruk_list")
            || t.name.starts_with("thruk_get")
            || [
                "thruk_problems",
                "thruk_stats",
                "thruk_sites",
                "thruk_recent_events",
            ]
            .contains(&t.name.as_ref());
        assert_eq!(ann.read_only_hint, Some(read), "{}", t.name);
        assert_eq!(ann.open_world_hint, Some(true));
        if read {
            assert_eq!(ann.destructive_hint, Some(false), "{}", t.name);
            assert_eq!(ann.idempotent_hint, Some(true), "{}", t.name);
        }
    }
    let query = tools
        .iter()
        .find(|t| t.name == "thruk_query")
        .expect("thruk_query");
    assert_eq!(
        query.annotations.as_ref().and_then(|a| a.destructive_hint),
        Some(true)
    );
    let info = client.peer_info().expect("server info");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("lookout")
    );
    let instructions = info.instructions.clone().unwrap_or_default();
    assert!(
        instructions.contains("Thruk")
            && instructions.contains("thruk_problems")
            && instructions.contains("Write tools"),
        "{instructions}"
    );
    client.cancel().await.ok();
}

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

fn columns_of(row: &Value) -> BTreeSet<String> {
    row.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn list_hosts_sends_thruk_filters_auth_and_site_prefix() {
    let (demo, client) = demo_and_client().await;
    let r = call(&client, "thruk_list_hosts", json!({"hostgroup": "linux-servers", "state": "down", "limit": 5000, "backends": " paris , "})).await;
    let body = ok_body(&r);
    let rows = body["rows"].as_array().expect("rows");
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|h| h["state"] == 1 && h["peer_name"] == "paris"),
        "{body}"
    );
    assert_eq!(
        rows[0].as_object().map(|o| o.len()),
        Some(11),
        "default columns only"
    );
    let reqs = demo.requests();
    let req = reqs.last().expect("one request");
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, "/thruk/r/sites/paris/hosts");
    assert_eq!(req.query_value("groups[gte]"), Some("linux-servers"));
    assert_eq!(req.query_value("state"), Some("1"));
    assert_eq!(
        req.query_value("limit"),
        Some("1000"),
        "limit is clamped to 1000"
    );
    assert_eq!(req.query_value("sort"), Some("name"));
    assert!(
        req.query_value("columns")
            .is_some_and(|c| c.starts_with("name,state,plugin_output"))
    );
    assert_eq!(req.header("x-thruk-auth-key"), Some(DEMO_API_KEY));
    // columns "" asks for every column.
    let r = call(
        &client,
        "thruk_list_hosts",
        json!({"columns": "", "limit": 1}),
    )
    .await;
    let all = ok_body(&r);
    assert_eq!(
        columns_of(&all["rows"][0]),
        columns_of(&fixture(include_str!("../fixtures/thruk/host.json"))),
        "columns \"\" answers with every column of a real Thruk host row"
    );
    assert_eq!(all["next_offset"], 1);
    assert!(
        demo.requests()
            .last()
            .and_then(|r| r.query_value("columns"))
            .is_none()
    );
    client.cancel().await.ok();
}

#[tokio::test]
async fn default_backends_scope_every_call_that_names_backends_and_nothing_else() {
    let demo = DemoBackend::start().await.expect("demo backend");
    let client = stdio_client(lookout_command(
        &demo.base_url(),
        Some(DEMO_API_KEY),
        &[("THRUK_DEFAULT_BACKENDS", " paris ,")],
    ))
    .await;
    let last_path = || demo.requests().last().map(|r| r.path.clone());

    let r = call(&client, "thruk_list_hosts", json!({"limit": 1000})).await;
    let rows = ok_body(&r)["rows"].as_array().cloned().unwrap_or_default();
    assert!(!rows.is_empty() && rows.iter().all(|h| h["peer_name"] == "paris"));
    assert_eq!(last_path().as_deref(), Some("/thruk/r/sites/paris/hosts"));

    // An explicit `backends` wins over the default.
    let r = call(
        &client,
        "thruk_list_hosts",
        json!({"backends": "berlin", "limit": 1}),
    )
    .await;
    assert_eq!(ok_body(&r)["rows"][0]["peer_name"], "berlin");
    assert_eq!(last_path().as_deref(), Some("/thruk/r/sites/berlin/hosts"));

    // The site list has no `backends` argument: it always lists every site.
    let r = call(&client, "thruk_sites", json!({})).await;
    assert_eq!(ok_body(&r)["returned"], 2);
    assert_eq!(last_path().as_deref(), Some("/thruk/r/sites"));

    // Combined tools, the escape hatch and resources follow the default too.
    let r = call(&client, "thruk_stats", json!({})).await;
    assert!(ok_body(&r)["hosts"]["total"].as_u64() > Some(0));
    assert!(
        demo.requests()
            .iter()
            .rev()
            .take(2)
            .all(|r| r.path.starts_with("/thruk/r/sites/paris/"))
    );
    let r = call(
        &client,
        "thruk_query",
        json!({"path": "/services", "params": {"limit": 1}}),
    )
    .await;
    assert_eq!(ok_body(&r)["rows"][0]["peer_name"], "paris");
    assert_eq!(
        last_path().as_deref(),
        Some("/thruk/r/sites/paris/services")
    );
    client
        .read_resource(ReadResourceRequestParams::new("thruk://hostgroups/web"))
        .await
        .expect("resource read");
    assert_eq!(
        last_path().as_deref(),
        Some("/thruk/r/sites/paris/hostgroups/web")
    );
    client.cancel().await.ok();
}

#[tokio::test]
async fn a_sort_thruk_would_apply_after_its_limit_is_paged_by_the_gateway() {
    let (demo, client) = demo_and_client().await;
    let r = call(
        &client,
        "thruk_list_hosts",
        json!({"sort": "-state,name", "limit": 3}),
    )
    .await;
    let body = ok_body(&r);
    let rows = body["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter().all(|h| h["state"] == 1),
        "worst first across all hosts: {body}"
    );
    assert!(body["total"].as_u64().unwrap_or(0) > 30);
    assert_eq!(body["next_offset"], 3);
    let req = demo.requests().pop().expect("request");
    assert!(
        req.query_value("limit").is_none(),
        "no upstream limit, or Thruk would sort a truncated subset"
    );
    assert!(
        req.query_value("columns")
            .is_some_and(|c| c.contains("state"))
    );
    client.cancel().await.ok();
}

#[tokio::test]
async fn get_service_encodes_names_as_one_segment_and_unpacks_the_row() {
    let (demo, client) = demo_and_client().await;
    let r = call(
        &client,
        "thruk_get_service",
        json!({"host": "db-01", "service": "Disk /var"}),
    )
    .await;
    let body = ok_body(&r);
    assert_eq!(body["description"], "Disk /var");
    assert_eq!(body["host_name"], "db-01");
    assert_eq!(
        demo.requests().last().map(|r| r.path.clone()).as_deref(),
        Some("/thruk/r/services/db-01/Disk%20%2Fvar")
    );
    let r = call(&client, "thruk_get_host", json!({"host": "no-such-host"})).await;
    let err = err_body(&r);
    assert_eq!(err["code"], "NOT_FOUND");
    assert!(
        err["message"]
            .as_str()
            .unwrap_or("")
            .contains("no-such-host")
    );
    client.cancel().await.ok();
}

#[tokio::test]
async fn scheduled_downtime_reaches_thruk_with_real_fields_and_shows_up() {
    let (demo, client) = demo_and_client().await;
    let r = call(
        &client,
        "thruk_schedule_downtime",
        json!({"host": "web-02", "duration_minutes": 30, "comment": "kernel update"}),
    )
    .await;
    let body = ok_body(&r);
    assert_eq!(body["message"], "Command successfully submitted");
    let req = demo.requests().pop().expect("request");
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/thruk/r/hosts/web-02/cmd/schedule_host_downtime");
    assert_eq!(req.form_value("start_time"), Some("now"));
    assert_eq!(
        req.form_value("end_time"),
        Some("+30m"),
        "a signed offset (sent as %2B30m)"
    );
    assert!(req.body.contains("end_time=%2B30m"), "{}", req.body);
    assert_eq!(req.form_value("fixed"), Some("1"));
    assert_eq!(req.form_value("comment_data"), Some("kernel update"));
    assert_eq!(req.form_value("comment_author"), Some("lookout"));
    assert_eq!(
        req.form_value("duration"),
        None,
        "fixed downtimes send no duration"
    );
    let r = call(&client, "thruk_list_downtimes", json!({"host": "web-02"})).await;
    let listed = ok_body(&r);
    let rows = listed["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{listed}");
    assert_eq!(rows[0]["comment"], "kernel update");
    let id = rows[0]["id"].as_i64().expect("id");
    let r = call(&client, "thruk_get_downtime", json!({"downtime_id": id})).await;
    assert_eq!(ok_body(&r)["host_name"], "web-02");
    let r = call(&client, "thruk_get_host", json!({"host": "web-02"})).await;
    assert_eq!(ok_body(&r)["scheduled_downtime_depth"], 1);
    // A flexible downtime sends its duration.
    call(
        &client,
        "thruk_schedule_downtime",
        json!({"host": "web-02", "service": "HTTP", "fixed": false, "duration_minutes": 45}),
    )
    .await;
    let req = demo.requests().pop().expect("request");
    assert_eq!(
        req.path,
        "/thruk/r/services/web-02/HTTP/cmd/schedule_svc_downtime"
    );
    assert_eq!(
        (req.form_value("fixed"), req.form_value("duration")),
        (Some("0"), Some("45m"))
    );
    // The length counts from the start, whether the start is an offset or a date.
    let window = |args: Value| {
        let client = &client;
        let demo = &demo;
        async move {
            let r = call(client, "thruk_schedule_downtime", args).await;
            let sent = demo.requests().pop().map(|r| {
                (
                    r.form_value("start_time").map(str::to_string),
                    r.form_value("end_time").map(str::to_string),
                )
            });
            (r, sent)
        }
    };
    let (r, sent) =
        window(json!({"host": "db-04", "start_time": "+1h", "duration_minutes": 30})).await;
    ok_body(&r);
    assert_eq!(sent, Some((Some("+1h".into()), Some("+90m".into()))));
    let (r, sent) = window(
        json!({"host": "db-04", "start_time": "2100-01-01T00:00:00Z", "duration_minutes": 60}),
    )
    .await;
    ok_body(&r);
    assert_eq!(
        sent,
        Some((Some("4102444800".into()), Some("4102448400".into())))
    );
    // The default end (+2h) follows a later start instead of preceding it.
    let (r, sent) = window(json!({"host": "db-04", "start_time": "+3h"})).await;
    ok_body(&r);
    assert_eq!(sent, Some((Some("+3h".into()), Some("+300m".into()))));
    // An end before the start is refused and nothing is sent.
    let before = demo.requests().len();
    let r = call(
        &client,
        "thruk_schedule_downtime",
        json!({"host": "db-04", "start_time": "2100-01-01T02:00:00Z", "end_time": "2100-01-01T01:00:00Z"}),
    )
    .await;
    let err = err_body(&r);
    assert_eq!(err["code"], "VALIDATION_ERROR");
    assert!(
        err["message"].as_str().unwrap_or("").contains("end_time"),
        "{err}"
    );
    assert_eq!(demo.requests().len(), before);
    client.cancel().await.ok();
}

#[tokio::test]
async fn every_write_tool_sends_the_real_thruk_command() {
    let (demo, client) = demo_and_client().await;
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "thruk_acknowledge",
            json!({"host": "web-03", "service": "HTTP"}),
            "/thruk/r/services/web-03/HTTP/cmd/acknowledge_svc_problem",
        ),
        (
            "thruk_remove_acknowledgement",
            json!({"host": "web-03", "service": "HTTP"}),
            "/thruk/r/services/web-03/HTTP/cmd/remove_svc_acknowledgement",
        ),
        (
            "thruk_acknowledge",
            json!({"host": "app-07", "sticky": false, "notify": false, "persistent": true}),
            "/thruk/r/hosts/app-07/cmd/acknowledge_host_problem",
        ),
        (
            "thruk_remove_acknowledgement",
            json!({"host": "app-07"}),
            "/thruk/r/hosts/app-07/cmd/remove_host_acknowledgement",
        ),
        (
            "thruk_recheck",
            json!({"host": "web-01"}),
            "/thruk/r/hosts/web-01/cmd/schedule_forced_host_check",
        ),
        (
            "thruk_recheck",
            json!({"host": "web-01", "forced": false}),
            "/thruk/r/hosts/web-01/cmd/schedule_host_check",
        ),
        (
            "thruk_recheck",
            json!({"host": "web-01", "service": "SSH"}),
            "/thruk/r/services/web-01/SSH/cmd/schedule_forced_svc_check",
        ),
        (
            "thruk_recheck",
            json!({"host": "web-01", "service": "SSH", "forced": false}),
            "/thruk/r/services/web-01/SSH/cmd/schedule_svc_check",
        ),
        (
            "thruk_schedule_host_services_downtime",
            json!({"host": "app-01"}),
            "/thruk/r/hosts/app-01/cmd/schedule_host_svc_downtime",
        ),
        (
            "thruk_schedule_propagated_host_downtime",
            json!({"host": "lb-01"}),
            "/thruk/r/hosts/lb-01/cmd/schedule_and_propagate_host_downtime",
        ),
        (
            "thruk_schedule_propagated_host_downtime",
            json!({"host": "lb-01", "triggered": true}),
            "/thruk/r/hosts/lb-01/cmd/schedule_and_propagate_triggered_host_downtime",
        ),
        (
            "thruk_schedule_hostgroup_downtime",
            json!({"hostgroup": "databases"}),
            "/thruk/r/hostgroups/databases/cmd/schedule_hostgroup_host_downtime",
        ),
        (
            "thruk_schedule_hostgroup_downtime",
            json!({"hostgroup": "databases", "target": "services"}),
            "/thruk/r/hostgroups/databases/cmd/schedule_hostgroup_svc_downtime",
        ),
        (
            "thruk_schedule_servicegroup_downtime",
            json!({"servicegroup": "http-checks"}),
            "/thruk/r/servicegroups/http-checks/cmd/schedule_servicegroup_svc_downtime",
        ),
        (
            "thruk_schedule_servicegroup_downtime",
            json!({"servicegroup": "http-checks", "target": "hosts"}),
            "/thruk/r/servicegroups/http-checks/cmd/schedule_servicegroup_host_downtime",
        ),
        (
            "thruk_delete_active_downtimes",
            json!({"host": "nas-01"}),
            "/thruk/r/hosts/nas-01/cmd/del_active_host_downtimes",
        ),
        (
            "thruk_delete_active_downtimes",
            json!({"host": "k8s-node-05", "service": "Disk /var"}),
            "/thruk/r/services/k8s-node-05/Disk%20%2Fvar/cmd/del_active_service_downtimes",
        ),
        (
            "thruk_delete_downtime",
            json!({"downtime_id": 99, "host": "db-04"}),
            "/thruk/r/hosts/db-04/cmd/del_downtime",
        ),
        (
            "thruk_delete_downtime",
            json!({"downtime_id": 99, "host": "db-04", "service": "MySQL"}),
            "/thruk/r/services/db-04/MySQL/cmd/del_downtime",
        ),
        (
            "thruk_delete_downtimes_by_filter",
            json!({"hostgroup": "kubernetes"}),
            "/thruk/r/system/cmd/del_downtime_by_hostgroup_name",
        ),
        (
            "thruk_delete_downtimes_by_filter",
            json!({"host": "web-01", "service": "HTTP"}),
            "/thruk/r/system/cmd/del_downtime_by_host_name",
        ),
        (
            "thruk_delete_downtimes_by_filter",
            json!({"comment": "PostgreSQL 16 upgrade"}),
            "/thruk/r/system/cmd/del_downtime_by_start_time_comment",
        ),
    ];
    for (tool, args, path) in cases {
        demo.clear_requests();
        let r = call(&client, tool, args.clone()).await;
        assert_ne!(r.is_error, Some(true), "{tool} {args}: {:?}", r.content);
        let reqs = demo.requests();
        assert_eq!(reqs.len(), 1, "{tool} sent exactly one request");
        assert_eq!(
            (reqs[0].method.as_str(), reqs[0].path.as_str()),
            ("POST", path),
            "{tool} {args}"
        );
    }
    // Field names and values for acknowledgements: sticky is 2 (Naemon), booleans are 0/1.
    call(
        &client,
        "thruk_acknowledge",
        json!({"host": "db-02", "service": "Postgres replication", "comment": "on it"}),
    )
    .await;
    let req = demo.requests().pop().expect("request");
    assert_eq!(req.form_value("sticky_ack"), Some("2"));
    assert_eq!(req.form_value("send_notification"), Some("1"));
    assert_eq!(req.form_value("persistent_comment"), Some("0"));
    assert_eq!(req.form_value("comment_data"), Some("on it"));
    let r = call(
        &client,
        "thruk_get_service",
        json!({"host": "db-02", "service": "Postgres replication", "backends": "berlin"}),
    )
    .await;
    assert_eq!(ok_body(&r)["acknowledged"], 1);
    // Deleting by filter really deletes.
    let r = call(
        &client,
        "thruk_list_downtimes",
        json!({"host": "db-04", "active_only": false, "limit": 1000}),
    )
    .await;
    let rows = ok_body(&r)["rows"].as_array().cloned().unwrap_or_default();
    assert!(
        !rows.is_empty() && rows.iter().all(|d| d["comment"] != "PostgreSQL 16 upgrade"),
        "the future db-04 downtime was deleted by its comment"
    );
    client.cancel().await.ok();
}

#[tokio::test]
async fn history_tools_use_word_operators_and_epochs() {
    let (demo, client) = demo_and_client().await;
    let r = call(
        &client,
        "thruk_list_alerts",
        json!({"state": "down", "since": "2024-01-01T00:00:00Z"}),
    )
    .await;
    ok_body(&r);
    let req = demo.requests().pop().expect("request");
    assert_eq!(req.path, "/thruk/r/logs");
    assert_eq!(
        req.query_value("type[regex]"),
        Some("^HOST ALERT$"),
        "host state narrows to host alerts"
    );
    assert_eq!(req.query_value("class"), Some("1"));
    assert_eq!(req.query_value("state"), Some("1"));
    assert_eq!(
        req.query_value("time[gte]"),
        Some("1704067200"),
        "ISO converted to epoch"
    );
    let r = call(&client, "thruk_list_alerts", json!({"state": "critical"})).await;
    let body = ok_body(&r);
    let rows = body["rows"].as_array().expect("rows");
    assert!(
        !rows.is_empty()
            && rows
                .iter()
                .all(|l| l["type"] == "SERVICE ALERT" && l["state"] == 2),
        "{body}"
    );
    let r = call(&client, "thruk_list_alerts", json!({})).await;
    let rows = ok_body(&r)["rows"].as_array().cloned().unwrap_or_default();
    assert!(
        rows.iter().any(|l| l["type"] == "HOST ALERT")
            && rows.iter().any(|l| l["type"] == "SERVICE ALERT")
    );
    let req = demo.requests().pop().expect("request");
    assert_eq!(
        req.query_value("type[regex]"),
        Some("^(HOST|SERVICE) ALERT$")
    );
    let r = call(
        &client,
        "thruk_list_notifications",
        json!({"contact": "oncall", "limit": 5}),
    )
    .await;
    let body = ok_body(&r);
    assert!(body["rows"].as_array().is_some_and(|r| {
        r.iter()
            .all(|n| n["contact_name"] == "oncall" && n["class"] == 3)
    }));
    let r = call(
        &client,
        "thruk_recent_events",
        json!({"hours": 3, "only_alerts": true}),
    )
    .await;
    ok_body(&r);
    let req = demo.requests().pop().expect("request");
    assert_eq!(
        (req.query_value("time[gte]"), req.query_value("class")),
        (Some("-3h"), Some("1"))
    );
    assert_eq!(req.query_value("sort"), Some("-time"));
    let r = call(
        &client,
        "thruk_list_logs",
        json!({"host": "web-01", "message_regex": "FLAPPING"}),
    )
    .await;
    assert!(ok_body(&r)["returned"].as_u64().unwrap_or(0) >= 3);
    // An unsigned offset is refused before anything is sent.
    demo.clear_requests();
    let r = call(&client, "thruk_list_logs", json!({"since": "2h"})).await;
    let err = err_body(&r);
    assert_eq!(err["code"], "VALIDATION_ERROR");
    assert!(err["message"].as_str().unwrap_or("").contains("since"));
    assert!(demo.requests().is_empty());
    client.cancel().await.ok();
}

#[tokio::test]
async fn problems_stats_groups_sites_and_comments() {
    let (_demo, client) = demo_and_client().await;
    let r = call(&client, "thruk_problems", json!({})).await;
    let body = ok_body(&r);
    let hosts = body["hosts"]["rows"].as_array().expect("hosts");
    let services = body["services"]["rows"].as_array().expect("services");
    assert!(!hosts.is_empty() && !services.is_empty());
    assert!(hosts.iter().all(|h| h["acknowledged"] == 0
        && h["scheduled_downtime_depth"] == 0
        && h["state"].as_i64() >= Some(1)));
    assert!(
        !hosts.iter().any(|h| h["name"] == "backup-01"),
        "acknowledged problems are handled"
    );
    assert!(
        services
            .windows(2)
            .all(|w| w[0]["state"].as_i64() >= w[1]["state"].as_i64()),
        "worst first"
    );
    let r = call(&client, "thruk_stats", json!({})).await;
    let stats = ok_body(&r);
    assert!(
        stats["hosts"]["total"].as_u64().unwrap_or(0) > 30
            && stats["services"]["critical"].as_u64().unwrap_or(0) > 0
    );
    let r = call(&client, "thruk_list_hostgroups", json!({})).await;
    assert!(
        ok_body(&r)["rows"]
            .as_array()
            .is_some_and(|g| g.iter().any(|g| g["name"] == "web"))
    );
    let r = call(&client, "thruk_list_servicegroups", json!({})).await;
    assert!(ok_body(&r)["rows"].as_array().is_some_and(|g| {
        g.iter()
            .any(|g| g["name"] == "disk-usage" && g["num_services"].as_u64() > Some(0))
    }));
    let r = call(&client, "thruk_sites", json!({})).await;
    let sites = ok_body(&r);
    assert_eq!(sites["returned"], 2);
    assert_eq!(
        columns_of(&sites["rows"][0]),
        columns_of(&fixture(include_str!("../fixtures/thruk/site.json")))
    );
    let r = call(
        &client,
        "thruk_list_services",
        json!({"host": "db-03", "columns": "", "limit": 1}),
    )
    .await;
    assert_eq!(
        columns_of(&ok_body(&r)["rows"][0]),
        columns_of(&fixture(include_str!("../fixtures/thruk/service.json")))
    );
    let r = call(&client, "thruk_list_comments", json!({"host": "db-03"})).await;
    assert!(
        ok_body(&r)["rows"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["entry_type"] == 4))
    );
    let r = call(
        &client,
        "thruk_list_services",
        json!({"host": "web-01", "state": "ok", "description_regex": "^ss"}),
    )
    .await;
    let body = ok_body(&r);
    assert_eq!(body["returned"], 1, "{body}");
    client.cancel().await.ok();
}

#[tokio::test]
async fn bad_arguments_are_named_and_nothing_is_sent() {
    let (demo, client) = demo_and_client().await;
    demo.clear_requests();
    let cases = [
        ("thruk_get_host", json!({}), "host"),
        ("thruk_list_hosts", json!({"limit": "ten"}), "limit"),
        ("thruk_list_hosts", json!({"state": "sideways"}), "state"),
        ("thruk_list_hosts", json!({"hostgrup": "web"}), "hostgrup"),
        (
            "thruk_schedule_downtime",
            json!({"host": "web-01", "end_time": "2h"}),
            "end_time",
        ),
        (
            "thruk_delete_downtimes_by_filter",
            json!({"service": "HTTP"}),
            "delete_downtimes_by_filter",
        ),
        (
            "thruk_query",
            json!({"path": "/hosts", "params_json": "{not json"}),
            "params_json",
        ),
    ];
    for (tool, args, named) in cases {
        let r = call(&client, tool, args.clone()).await;
        let err = err_body(&r);
        assert_eq!(err["code"], "VALIDATION_ERROR", "{tool} {args}");
        assert!(
            err["message"].as_str().unwrap_or("").contains(named),
            "{tool} {args}: {err}"
        );
        let text = format!("{:?}", r.content);
        assert!(text.contains("VALIDATION_ERROR"), "text mirror");
    }
    assert!(
        demo.requests().is_empty(),
        "no upstream request for bad input"
    );
    // An unknown tool is a protocol error.
    let e = client
        .call_tool(CallToolRequestParams::new("thruk_nope"))
        .await
        .expect_err("unknown tool");
    assert!(e.to_string().contains("thruk_nope"), "{e}");
    client.cancel().await.ok();
}

#[tokio::test]
async fn the_escape_hatch_stays_under_the_rest_root() {
    let (demo, client) = demo_and_client().await;
    demo.clear_requests();
    for path in [
        "hosts",
        "/../thruk/cgi-bin",
        "//evil.example/x",
        "http://evil.example/",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/hosts%2f..%2f..",
        "/hosts?x=1",
        "/a\\..\\b",
        "/hosts/./x",
    ] {
        let r = call(&client, "thruk_query", json!({"path": path})).await;
        let err = err_body(&r);
        assert_eq!(err["code"], "VALIDATION_ERROR", "{path}");
        assert!(
            err["message"].as_str().unwrap_or("").contains("path"),
            "{path}"
        );
    }
    assert!(
        demo.requests().is_empty(),
        "refused paths never reach the backend"
    );
    let r = call(&client, "thruk_query", json!({"path": "/thruk/whoami"})).await;
    assert_eq!(ok_body(&r)["id"], "demoadmin");
    let r = call(&client, "thruk_query", json!({"path": "/hosts", "params_json": "{\"columns\": \"name,state\", \"state[gte]\": 1}", "backends": "paris"})).await;
    let body = ok_body(&r);
    assert!(body["rows"].as_array().is_some_and(
        |r| !r.is_empty() && r.iter().all(|h| h.as_object().map(|o| o.len()) == Some(2))
    ));
    let req = demo.requests().pop().expect("request");
    assert_eq!(req.path, "/thruk/r/sites/paris/hosts");
    let r = call(&client, "thruk_query", json!({"path": "/hosts/web-01/cmd/add_host_comment", "method": "post", "data": {"comment_data": "via escape hatch"}})).await;
    ok_body(&r);
    let req = demo.requests().pop().expect("request");
    assert_eq!(req.json, Some(json!({"comment_data": "via escape hatch"})));
    let r = call(&client, "thruk_query", json!({"path": "/nope"})).await;
    assert_eq!(err_body(&r)["code"], "NOT_FOUND");
    client.cancel().await.ok();
}

#[tokio::test]
async fn a_missing_or_placeholder_key_fails_calls_but_not_listing() {
    let demo = lookout::demo::DemoBackend::start().await.expect("demo");
    for key in [None, Some("<UNKNOWN>"), Some("")] {
        let client = stdio_client(lookout_command(&demo.base_url(), key, &[])).await;
        assert_eq!(client.list_all_tools().await.expect("tools/list").len(), 29);
        let r = call(&client, "thruk_list_hosts", json!({})).await;
        let err = err_body(&r);
        assert_eq!(err["code"], "AUTH_FAILED");
        assert!(err["hint"].as_str().unwrap_or("").contains("THRUK_API_KEY"));
        client.cancel().await.ok();
    }
    assert!(demo.requests().is_empty(), "no request without a key");
    let client = stdio_client(lookout_command(
        &demo.base_url(),
        Some("wrong-secret-value"),
        &[],
    ))
    .await;
    let r = call(&client, "thruk_list_hosts", json!({})).await;
    let err = err_body(&r);
    assert_eq!(
        (err["code"].as_str(), err["upstream_status"].as_u64()),
        (Some("AUTH_FAILED"), Some(403))
    );
    assert!(
        !err.to_string().contains("wrong-secret-value"),
        "the key never appears in errors"
    );
    client.cancel().await.ok();
}

#[tokio::test]
async fn upstream_faults_become_structured_errors() {
    let cases: [(u16, &str, &str, u64, &str); 6] = [
        (
            500,
            "text/html",
            "<html><body>Internal Server Error</body></html>",
            0,
            "UPSTREAM_ERROR",
        ),
        (
            200,
            "application/json",
            "{\"truncated\": ",
            0,
            "UPSTREAM_ERROR",
        ),
        (302, "text/html", "", 0, "AUTH_FAILED"),
        (
            429,
            "application/json",
            "{\"message\":\"slow down\"}",
            0,
            "RATE_LIMITED",
        ),
        (
            503,
            "application/json",
            "{\"code\":503,\"message\":\"backend unavailable\",\"failed\":true}",
            0,
            "UPSTREAM_ERROR",
        ),
        (200, "application/json", "[]", 3000, "TIMEOUT"),
    ];
    for (status, ctype, body, delay, code) in cases {
        let (url, hits) = fault_upstream(status, ctype, body, delay).await;
        // Retries are off here: this checks the mapping of each fault to a code.
        let client = stdio_client(lookout_command(
            &url,
            Some("k"),
            &[("THRUK_TIMEOUT", "1"), ("LOOKOUT_RETRIES", "0")],
        ))
        .await;
        let r = call(&client, "thruk_list_hosts", json!({})).await;
        let err = err_body(&r);
        assert_eq!(err["code"], code, "HTTP {status}: {err}");
        if delay == 0 {
            assert_eq!(err["upstream_status"].as_u64(), Some(status as u64));
        }
        assert!(err["hint"].is_string());
        assert_eq!(
            hits.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "one request with retries off"
        );
        client.cancel().await.ok();
    }
    // Nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let client = stdio_client(lookout_command(
        &format!("http://127.0.0.1:{port}/thruk"),
        Some("k"),
        &[],
    ))
    .await;
    let r = call(&client, "thruk_stats", json!({})).await;
    assert_eq!(err_body(&r)["code"], "CONNECTION_ERROR");
    client.cancel().await.ok();
}

#[tokio::test]
async fn resources_and_prompts() {
    let (_demo, client) = demo_and_client().await;
    let resources = client.list_all_resources().await.expect("resources/list");
    let uris: BTreeSet<String> = resources.iter().map(|r| r.uri.to_string()).collect();
    assert_eq!(
        uris,
        BTreeSet::from(["thruk://problems".to_string(), "thruk://stats".to_string()])
    );
    let templates = client
        .list_all_resource_templates()
        .await
        .expect("templates");
    let t: BTreeSet<String> = templates
        .iter()
        .map(|t| t.uri_template.to_string())
        .collect();
    assert_eq!(
        t,
        BTreeSet::from([
            "thruk://hosts/{name}".into(),
            "thruk://services/{host}/{service}".into(),
            "thruk://hostgroups/{name}".into()
        ])
    );
    let read = |uri: &str| client.read_resource(ReadResourceRequestParams::new(uri));
    let text = |r: rmcp::model::ReadResourceResult| match &r.contents[0] {
        rmcp::model::ResourceContents::TextResourceContents { text, .. } => {
            serde_json::from_str::<Value>(text).expect("json")
        }
        other => panic!("not text: {other:?}"),
    };
    assert_eq!(
        text(read("thruk://hosts/web-01").await.expect("host"))["name"],
        "web-01"
    );
    assert_eq!(
        text(
            read("thruk://services/db-01/Disk%20%2Fvar")
                .await
                .expect("svc")
        )["description"],
        "Disk /var"
    );
    assert!(text(read("thruk://problems").await.expect("problems"))["services"]["rows"].is_array());
    assert!(text(read("thruk://stats").await.expect("stats"))["hosts"]["total"].is_number());
    assert!(
        text(read("thruk://hostgroups/web").await.expect("hg"))["rows"][0]["members"].is_array()
    );
    assert!(read("thruk://hosts/ghost").await.is_err());
    assert!(read("thruk://nothing").await.is_err());
    let prompts = client.list_all_prompts().await.expect("prompts/list");
    let names: BTreeSet<String> = prompts.iter().map(|p| p.name.to_string()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "investigate_alert".into(),
            "schedule_maintenance".into(),
            "diagnose_flapping".into()
        ])
    );
    let get = |name: &str, args: Value| {
        client.get_prompt(GetPromptRequestParams::new(name).with_arguments(obj(args)))
    };
    let body = |r: rmcp::model::GetPromptResult| format!("{:?}", r.messages);
    let with_svc = body(
        get(
            "investigate_alert",
            json!({"host": "web-03", "service": "HTTP"}),
        )
        .await
        .expect("prompt"),
    );
    assert!(
        with_svc.contains("thruk_get_service")
            && with_svc.contains("web-03")
            && with_svc.contains("HTTP")
    );
    let host_only = body(
        get("investigate_alert", json!({"host": "app-07"}))
            .await
            .expect("prompt"),
    );
    assert!(host_only.contains("thruk_get_host") && !host_only.contains("thruk_get_service"));
    let maint = body(
        get(
            "schedule_maintenance",
            json!({"target": "databases", "kind": "hostgroup", "duration_minutes": "90"}),
        )
        .await
        .expect("prompt"),
    );
    assert!(
        maint.contains("thruk_schedule_hostgroup_downtime")
            && maint.contains("duration_minutes=90")
    );
    assert!(
        get("diagnose_flapping", json!({"host": "web-01"}))
            .await
            .is_err(),
        "missing required argument"
    );
    assert!(get("nope", json!({})).await.is_err());
    client.cancel().await.ok();
}

/// Raw JSON-RPC over the binary's stdin/stdout: every protocol version's handshake, and nothing
/// but JSON-RPC on stdout.
#[tokio::test]
async fn stdout_carries_only_json_rpc_for_every_protocol_version() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let demo = lookout::demo::DemoBackend::start().await.expect("demo");
    for version in ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] {
        let mut cmd = lookout_command(
            &demo.base_url(),
            Some(DEMO_API_KEY),
            &[("LOOKOUT_LOG", "debug")],
        );
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("spawn");
        let mut stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let msgs = [
            json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":version,"capabilities":{},"clientInfo":{"name":"t","version":"0"}}}),
            json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
            json!({"jsonrpc":"2.0","id":2,"method":"tools/list"}),
            json!({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"thruk_sites","arguments":{}}}),
        ];
        for m in &msgs {
            stdin
                .write_all(format!("{m}\n").as_bytes())
                .await
                .expect("write");
        }
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = Vec::new();
        while seen.len() < 3 {
            let line = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
                .await
                .expect("answer in time")
                .expect("read")
                .expect("line");
            let v: Value = serde_json::from_str(&line)
                .unwrap_or_else(|_| panic!("stdout line is not JSON: {line}"));
            assert_eq!(v["jsonrpc"], "2.0", "{line}");
            seen.push(v);
        }
        let init = seen
            .iter()
            .find(|v| v["id"] == 1)
            .expect("initialize answer");
        assert_eq!(init["result"]["protocolVersion"], version);
        assert!(
            seen.iter()
                .any(|v| v["id"] == 3 && v["result"]["isError"] == false)
        );
        drop(stdin);
        let status = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
            .await
            .expect("exits on EOF")
            .expect("status");
        assert!(status.success());
        while let Ok(Some(line)) = lines.next_line().await {
            let v: Value = serde_json::from_str(&line)
                .unwrap_or_else(|_| panic!("stdout line is not JSON: {line}"));
            assert_eq!(v["jsonrpc"], "2.0");
        }
    }
}
