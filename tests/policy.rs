//! The safety policy and the audit log, end to end against the demo backend: read-only mode,
//! allow- and denylists at list and call time (escape hatches and resources included), and
//! exactly one redacted audit line per writing call.

mod common;

use common::*;
use lookout::demo::{DEMO_API_KEY, DemoBackend};
use rmcp::model::ReadResourceRequestParams;
use serde_json::{Value, json};
use std::collections::BTreeSet;

async fn names(client: &Client) -> BTreeSet<String> {
    client
        .list_all_tools()
        .await
        .expect("tools/list")
        .iter()
        .map(|t| t.name.to_string())
        .collect()
}

#[tokio::test]
async fn read_only_mode_hides_and_refuses_writes_escape_hatches_included() {
    let demo = DemoBackend::start().await.expect("demo");
    for var in ["THRUK_READ_ONLY", "LOOKOUT_READ_ONLY"] {
        let client = stdio_client(lookout_command(
            &demo.base_url(),
            Some(DEMO_API_KEY),
            &[(var, "true")],
        ))
        .await;
        let tools = client.list_all_tools().await.expect("tools/list");
        assert_eq!(tools.len(), 18, "{var}");
        assert!(!tools.iter().any(|t| WRITE_TOOLS.contains(&t.name.as_ref())));
        let query = tools
            .iter()
            .find(|t| t.name == "thruk_query")
            .expect("the escape hatch stays");
        let ann = query.annotations.as_ref().expect("annotations");
        assert_eq!(
            (ann.read_only_hint, ann.destructive_hint),
            (Some(true), Some(false))
        );
        let info = client.peer_info().expect("server info");
        assert!(
            info.instructions
                .as_deref()
                .unwrap_or("")
                .contains("read-only mode")
        );
        demo.clear_requests();
        let r = call(
            &client,
            "thruk_acknowledge",
            json!({"host": "db-03", "comment": "x"}),
        )
        .await;
        let err = err_body(&r);
        assert_eq!(err["code"], "READ_ONLY");
        assert!(
            err["hint"]
                .as_str()
                .unwrap_or("")
                .contains("THRUK_READ_ONLY")
        );
        for (tool, method) in [
            ("thruk_query", "POST"),
            ("thruk_query", "DELETE"),
            ("thruk_run_background_query", "POST"),
        ] {
            let r = call(
                &client,
                tool,
                json!({"path": "/hosts/db-03/cmd/schedule_host_check", "method": method}),
            )
            .await;
            assert_eq!(err_body(&r)["code"], "READ_ONLY", "{tool} {method}");
        }
        assert!(demo.requests().is_empty(), "nothing reached the backend");
        let r = call(&client, "thruk_query", json!({"path": "/hosts/db-03"})).await;
        assert_eq!(ok_body(&r)["rows"][0]["name"], "db-03", "reads still work");
        client.cancel().await.ok();
    }
}

#[tokio::test]
async fn allow_and_deny_lists_hold_at_list_and_call_time() {
    let demo = DemoBackend::start().await.expect("demo");
    let client = stdio_client(lookout_command(
        &demo.base_url(),
        Some(DEMO_API_KEY),
        &[(
            "THRUK_ENABLED_TOOLS",
            "thruk_list_*, thruk_get_{host,service}, thruk_ack*",
        )],
    ))
    .await;
    let listed = names(&client).await;
    let expected: BTreeSet<String> = [
        "thruk_list_hosts",
        "thruk_list_services",
        "thruk_list_hostgroups",
        "thruk_list_servicegroups",
        "thruk_list_logs",
        "thruk_list_alerts",
        "thruk_list_notifications",
        "thruk_list_comments",
        "thruk_list_downtimes",
        "thruk_get_host",
        "thruk_get_service",
        "thruk_acknowledge",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(listed, expected);
    demo.clear_requests();
    for tool in ["thruk_stats", "thruk_query", "thruk_recheck"] {
        let r = call(&client, tool, json!({"path": "/hosts", "host": "db-03"})).await;
        let err = err_body(&r);
        assert_eq!(err["code"], "TOOL_DISABLED", "{tool}");
        assert!(
            err["hint"]
                .as_str()
                .unwrap_or("")
                .contains("THRUK_ENABLED_TOOLS")
        );
    }
    assert!(demo.requests().is_empty());
    // Resources follow their tools: thruk://problems goes with thruk_problems.
    let uris: BTreeSet<String> = client
        .list_all_resources()
        .await
        .expect("resources/list")
        .iter()
        .map(|r| r.uri.to_string())
        .collect();
    assert!(uris.is_empty(), "{uris:?}");
    let templates: BTreeSet<String> = client
        .list_all_resource_templates()
        .await
        .expect("templates")
        .iter()
        .map(|t| t.uri_template.to_string())
        .collect();
    assert!(templates.contains("thruk://hosts/{name}"));
    assert!(
        client
            .read_resource(ReadResourceRequestParams::new("thruk://problems"))
            .await
            .is_err()
    );
    client.cancel().await.ok();

    // A denylist, and the order: read-only first, then the lists.
    let client = stdio_client(lookout_command(
        &demo.base_url(),
        Some(DEMO_API_KEY),
        &[
            ("THRUK_DISABLED_TOOLS", "thruk_delete_*,thruk_query"),
            ("LOOKOUT_READ_ONLY", "false"),
        ],
    ))
    .await;
    let listed = names(&client).await;
    assert_eq!(listed.len(), 25);
    assert!(
        !listed
            .iter()
            .any(|n| n.starts_with("thruk_delete_") || n == "thruk_query")
    );
    let r = call(&client, "thruk_delete_downtime", json!({"downtime_id": 1})).await;
    assert_eq!(err_body(&r)["code"], "TOOL_DISABLED");
    client.cancel().await.ok();
    let client = stdio_client(lookout_command(
        &demo.base_url(),
        Some(DEMO_API_KEY),
        &[
            ("THRUK_READ_ONLY", "1"),
            ("THRUK_ENABLED_TOOLS", "thruk_acknowledge,thruk_list_hosts"),
        ],
    ))
    .await;
    assert_eq!(
        names(&client).await,
        BTreeSet::from(["thruk_list_hosts".to_string()])
    );
    let r = call(
        &client,
        "thruk_acknowledge",
        json!({"host": "db-03", "comment": "x"}),
    )
    .await;
    assert_eq!(err_body(&r)["code"], "READ_ONLY");
    client.cancel().await.ok();
}

fn audit_lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("audit line is not JSON ({e}): {l}"))
        })
        .collect()
}

#[tokio::test]
async fn every_writing_call_leaves_exactly_one_redacted_audit_line() {
    let demo = DemoBackend::start().await.expect("demo");
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("audit.jsonl");
    let log_text = log.to_string_lossy().to_string();
    let (client, stderr) = stdio_client_with_stderr(lookout_command(
        &demo.base_url(),
        Some(DEMO_API_KEY),
        &[
            ("THRUK_AUDIT_LOG", &log_text),
            ("THRUK_AUTH_USER", "alice"),
            ("LOOKOUT_LOG", "debug"),
        ],
    ))
    .await;
    // Reads: no line.
    ok_body(&call(&client, "thruk_list_hosts", json!({})).await);
    ok_body(&call(&client, "thruk_query", json!({"path": "/hosts/db-03"})).await);
    assert!(audit_lines(&log).is_empty());
    // 1: a write that succeeds.
    ok_body(
        &call(
            &client,
            "thruk_acknowledge",
            json!({"host": "db-03", "service": "MySQL", "comment": "on it", "sticky": true}),
        )
        .await,
    );
    // 2: a write refused by validation before anything is sent.
    let before = demo.requests().len();
    let r = call(
        &client,
        "thruk_schedule_downtime",
        json!({"host": "web-01", "start_time": "2100-01-01T02:00:00Z", "end_time": "2100-01-01T01:00:00Z"}),
    )
    .await;
    assert_eq!(err_body(&r)["code"], "VALIDATION_ERROR");
    assert_eq!(demo.requests().len(), before);
    // 3: an escape-hatch write that fails upstream, with a credential in its arguments.
    let r = call(
        &client,
        "thruk_query",
        json!({"path": "/no/such/cmd", "method": "POST", "data": {"api_key": "s3cr3t-in-args", "comment": "x"}}),
    )
    .await;
    assert_eq!(err_body(&r)["code"], "NOT_FOUND");
    client.cancel().await.ok();
    let stderr_text = read_all(stderr).await;

    let lines = audit_lines(&log);
    assert_eq!(lines.len(), 3, "{lines:#?}");
    let fields: BTreeSet<&str> = lines[0]
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    for f in [
        "ts",
        "backend",
        "tool",
        "user",
        "args",
        "target",
        "outcome",
        "duration_ms",
    ] {
        assert!(fields.contains(f), "missing {f}: {:?}", lines[0]);
    }
    assert_eq!(lines[0]["tool"], "thruk_acknowledge");
    assert_eq!(lines[0]["backend"], "thruk");
    assert_eq!(lines[0]["user"], "alice");
    assert_eq!(lines[0]["target"], "db-03/MySQL");
    assert_eq!(lines[0]["outcome"], "ok");
    assert_eq!(lines[0]["args"]["comment"], "on it");
    assert!(lines[0].get("code").is_none());

    assert_eq!(lines[1]["tool"], "thruk_schedule_downtime");
    assert_eq!(lines[1]["outcome"], "refused");
    assert_eq!(lines[1]["code"], "VALIDATION_ERROR");
    assert_eq!(lines[1]["target"], "web-01");

    assert_eq!(lines[2]["tool"], "thruk_query");
    assert_eq!(lines[2]["outcome"], "error");
    assert_eq!(lines[2]["code"], "NOT_FOUND");
    assert_eq!(lines[2]["upstream_status"], 404);
    assert_eq!(lines[2]["target"], "POST /no/such/cmd");
    assert_eq!(lines[2]["args"]["data"]["api_key"], "***");
    assert_eq!(lines[2]["args"]["data"]["comment"], "x");

    // No secret anywhere: audit file, logs (at debug level).
    let audit_text = std::fs::read_to_string(&log).unwrap_or_default();
    for secret in [DEMO_API_KEY, "s3cr3t-in-args"] {
        assert!(!audit_text.contains(secret), "{secret} in the audit file");
        assert!(
            !stderr_text.contains(secret),
            "{secret} in the logs: {stderr_text}"
        );
    }
    assert!(
        !stderr_text.contains("\"outcome\""),
        "with a file sink, audit lines do not go to stderr"
    );
}

#[tokio::test]
async fn audit_lines_go_to_stderr_by_default_and_can_be_turned_off() {
    let demo = DemoBackend::start().await.expect("demo");
    for (setting, expected) in [(None, 2), (Some("false"), 0)] {
        let extra: Vec<(&str, &str)> = setting
            .map(|v| vec![("THRUK_AUDIT_LOG", v), ("THRUK_READ_ONLY", "true")])
            .unwrap_or_else(|| vec![("THRUK_READ_ONLY", "true")]);
        let (client, stderr) = stdio_client_with_stderr(lookout_command(
            &demo.base_url(),
            Some(DEMO_API_KEY),
            &extra,
        ))
        .await;
        // Refused by read-only mode: still audited.
        call(&client, "thruk_recheck", json!({"host": "web-01"})).await;
        call(
            &client,
            "thruk_query",
            json!({"path": "/hosts", "method": "PATCH"}),
        )
        .await;
        call(&client, "thruk_list_hosts", json!({})).await;
        client.cancel().await.ok();
        let text = read_all(stderr).await;
        let audit: Vec<Value> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v.get("outcome").is_some())
            .collect();
        assert_eq!(audit.len(), expected, "{text}");
        if expected > 0 {
            assert_eq!(audit[0]["tool"], "thruk_recheck");
            assert_eq!(audit[0]["outcome"], "refused");
            assert_eq!(audit[0]["code"], "READ_ONLY");
            assert_eq!(audit[0]["user"], Value::Null);
            assert_eq!(audit[1]["code"], "READ_ONLY");
        }
    }
}
