//! End-to-end tests of several backend instances in one gateway (`--config FILE`): two Thruk
//! demos and a maintenant demo behind one stdio or HTTP server, with tool-name prefixes,
//! per-instance read-only mode and credentials, renamed prompts and resource URIs, refused
//! collisions and ambiguous variables, the precedence of flags over the environment over the
//! file, and `lookout check`.

mod common;

use common::*;
use lookout::demo::maintenant::{MaintenantDemo, MaintenantDemoOptions};
use lookout::demo::{DEMO_API_KEY, DemoBackend};
use rmcp::model::{GetPromptRequestParams, ReadResourceRequestParams};
use serde_json::{Value, json};
use std::io::Write;

struct Estate {
    prod: DemoBackend,
    staging: DemoBackend,
    homelab: MaintenantDemo,
    file: tempfile::NamedTempFile,
}

/// Two Thruk demos and a maintenant demo, and a configuration file naming them.
async fn estate() -> Estate {
    let prod = DemoBackend::start().await.expect("prod demo");
    let staging = DemoBackend::start().await.expect("staging demo");
    let homelab = MaintenantDemo::start_with(MaintenantDemoOptions::default())
        .await
        .expect("maintenant demo");
    let text = format!(
        r#"
defaults:
  limits: {{retries: 1}}
backends:
  - name: prod
    backend: thruk
    prefix: prod_
    url: {prod}
    settings:
      THRUK_API_KEY: {{env: TEST_PROD_KEY}}
    read_only: true
  - name: staging
    backend: thruk
    prefix: stg_
    url: {staging}
    settings:
      THRUK_API_KEY: {key}
    disabled_tools: [thruk_query, thruk_run_background_query]
  - name: homelab
    backend: maintenant
    url: {homelab}
    enabled_tools: [list_*, get_health, acknowledge_alert]
"#,
        prod = prod.base_url(),
        staging = staging.base_url(),
        homelab = homelab.base_url(),
        key = DEMO_API_KEY,
    );
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(text.as_bytes()).expect("write config");
    Estate {
        prod,
        staging,
        homelab,
        file,
    }
}

/// `lookout --config FILE` with a clean environment (no backend variables).
fn config_command(file: &std::path::Path, extra: &[(&str, &str)]) -> tokio::process::Command {
    let mut cmd = maintenant_command("http://127.0.0.1:9/unused", &[]);
    cmd.env_remove("THRUK_BASE_URL")
        .env_remove("MAINTENANT_URL")
        .env_remove("LOOKOUT_BACKEND");
    // maintenant_command selects a backend on the command line; a config file names them.
    let mut plain = tokio::process::Command::new(BIN);
    for (k, v) in cmd.as_std().get_envs() {
        match v {
            Some(v) => plain.env(k, v),
            None => plain.env_remove(k),
        };
    }
    plain
        .arg("--config")
        .arg(file)
        .env("TEST_PROD_KEY", DEMO_API_KEY);
    for (k, v) in extra {
        plain.env(k, v);
    }
    plain.stderr(std::process::Stdio::null());
    plain
}

#[tokio::test]
async fn instances_are_prefixed_routed_and_kept_apart() {
    let e = estate().await;
    let client = stdio_client(config_command(e.file.path(), &[])).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert!(names.contains(&"prod_thruk_list_hosts") && names.contains(&"stg_thruk_list_hosts"));
    assert!(names.contains(&"stg_thruk_acknowledge"));
    assert!(
        !names.contains(&"prod_thruk_acknowledge"),
        "prod is read-only"
    );
    assert!(!names.contains(&"stg_thruk_query"), "staging's denylist");
    assert!(names.contains(&"list_containers") && names.contains(&"acknowledge_alert"));
    assert!(!names.contains(&"create_incident"), "homelab's allowlist");
    assert!(
        !names.iter().any(|n| n.starts_with("thruk_")),
        "no unprefixed Thruk tool"
    );
    assert_eq!(
        names.len(),
        18 + 27 + 7,
        "prod reads and hatches, staging minus two, homelab's list: {names:?}"
    );
    // Descriptions name the prefixed tools.
    let problems = tools
        .iter()
        .find(|t| t.name == "prod_thruk_problems")
        .expect("tool");
    let info = client.peer_info().expect("info");
    let instructions = info.instructions.clone().unwrap_or_default();
    assert!(
        instructions.contains("## Instance `prod`, tools prefixed `prod_`")
            && instructions.contains("prod_thruk_problems")
            && instructions.contains("stg_thruk_stats"),
        "{instructions}"
    );
    assert!(problems.description.is_some());

    // Each call reaches its own backend, with its own key.
    ok_body(&call(&client, "prod_thruk_list_hosts", json!({"limit": 2})).await);
    assert_eq!(e.prod.requests().len(), 1);
    assert!(e.staging.requests().is_empty() && e.homelab.requests().is_empty());
    assert_eq!(
        e.prod.requests()[0].header("x-thruk-auth-key"),
        Some(DEMO_API_KEY),
        "the key read from TEST_PROD_KEY"
    );
    ok_body(&call(&client, "stg_thruk_stats", json!({})).await);
    assert!(!e.staging.requests().is_empty());
    assert_eq!(e.prod.requests().len(), 1);
    ok_body(&call(&client, "list_containers", json!({"limit": 1})).await);
    assert_eq!(e.homelab.requests().len(), 1);

    // Per-instance read-only, with a hint naming the file's key.
    e.prod.clear_requests();
    let r = call(
        &client,
        "prod_thruk_acknowledge",
        json!({"host": "web-01", "comment": "x"}),
    )
    .await;
    let err = err_body(&r);
    assert_eq!(err["code"], "READ_ONLY");
    assert!(
        err["message"]
            .as_str()
            .unwrap_or("")
            .contains("prod_thruk_acknowledge")
    );
    assert!(
        err["hint"]
            .as_str()
            .unwrap_or("")
            .contains("`read_only` of instance `prod`"),
        "{err}"
    );
    assert!(e.prod.requests().is_empty());
    let unknown = client
        .call_tool(rmcp::model::CallToolRequestParams::new("thruk_list_hosts"))
        .await
        .expect_err("the unprefixed name is unknown");
    assert!(unknown.to_string().contains("unknown tool"), "{unknown}");

    // Prompts and resources of prefixed instances are renamed too.
    let prompts = client.list_all_prompts().await.expect("prompts");
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert!(names.contains(&"prod_investigate_alert") && names.contains(&"diagnose_container"));
    let p = client
        .get_prompt(
            GetPromptRequestParams::new("stg_investigate_alert")
                .with_arguments(obj(json!({"host": "web-01"}))),
        )
        .await
        .expect("prompt");
    let text = format!("{:?}", p.messages);
    assert!(
        text.contains("stg_thruk_get_host") && !text.contains(" thruk_get_host"),
        "{text}"
    );
    let resources = client.list_all_resources().await.expect("resources");
    let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
    assert!(uris.contains(&"thruk+prod://problems") && uris.contains(&"thruk+staging://stats"));
    assert!(
        uris.contains(&"maintenant://containers"),
        "unprefixed instance keeps its URIs"
    );
    e.staging.clear_requests();
    e.prod.clear_requests();
    client
        .read_resource(ReadResourceRequestParams::new("thruk+staging://problems"))
        .await
        .expect("read resource");
    assert!(!e.staging.requests().is_empty() && e.prod.requests().is_empty());
    client.cancel().await.ok();
}

#[tokio::test]
async fn the_environment_overrides_the_file_and_flags_override_both() {
    let e = estate().await;
    let listed = |extra: &'static [(&'static str, &'static str)], flag: bool| {
        let mut cmd = config_command(e.file.path(), extra);
        if flag {
            cmd.arg("--read-only");
        }
        async move {
            let client = stdio_client(cmd).await;
            let tools = client.list_all_tools().await.expect("tools");
            client.cancel().await.ok();
            tools
                .iter()
                .map(|t| t.name.to_string())
                .collect::<Vec<String>>()
        }
    };
    let names = listed(&[("LOOKOUT_READ_ONLY", "false")], false).await;
    assert!(
        names.contains(&"prod_thruk_acknowledge".to_string()),
        "env over file"
    );
    let names = listed(&[("LOOKOUT_READ_ONLY", "false")], true).await;
    assert!(
        !names.contains(&"prod_thruk_acknowledge".to_string()),
        "flag over env"
    );
    assert!(!names.contains(&"stg_thruk_acknowledge".to_string()));
    assert!(!names.contains(&"acknowledge_alert".to_string()));
    // maintenant's own variable applies to the one maintenant instance.
    let names = listed(&[("MAINTENANT_DISABLED_TOOLS", "list_alerts")], false).await;
    assert!(!names.contains(&"list_alerts".to_string()));
    assert!(names.contains(&"list_containers".to_string()));
}

async fn check(file: &std::path::Path, extra: &[(&str, &str)]) -> (i32, String, String) {
    check_with(file, extra, &["check"]).await
}

async fn check_with(
    file: &std::path::Path,
    extra: &[(&str, &str)],
    args: &[&str],
) -> (i32, String, String) {
    let mut cmd = config_command(file, extra);
    cmd.args(args)
        .env("LOOKOUT_LOG", "warn")
        .stderr(std::process::Stdio::piped());
    let out = cmd.output().await.expect("run check");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn check_reports_collisions_ambiguity_and_a_good_configuration() {
    let e = estate().await;
    let (code, out, err) = check(e.file.path(), &[]).await;
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("prod: thruk at") && out.contains("prefix `prod_`, read-only"),
        "{out}"
    );
    assert!(out.contains("homelab: maintenant at"), "{out}");
    assert!(
        out.contains("reachable: GET /thruk answered 200")
            && out.contains("reachable: GET /health answered 200"),
        "{out}"
    );
    let probe = e.prod.requests();
    assert_eq!(probe.len(), 1, "one probe per instance");
    assert_eq!(probe[0].header("x-thruk-auth-key"), Some(DEMO_API_KEY));
    assert_eq!(e.homelab.requests()[0].path, "/api/v1/health");
    e.prod.clear_requests();
    e.homelab.clear_requests();
    let (code, out, _) = check_with(e.file.path(), &[], &["check", "--offline"]).await;
    assert_eq!(code, 0);
    assert!(out.contains("nothing was sent"), "{out}");
    assert!(e.prod.requests().is_empty() && e.homelab.requests().is_empty());
    // A key the backend refuses: exit 4.
    let (code, out, _) = check(e.file.path(), &[("TEST_PROD_KEY", "wrong-key")]).await;
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("REFUSED: GET /thruk answered 403"), "{out}");

    // A backend's own variable is ambiguous with two instances of it.
    let (code, _, err) = check(e.file.path(), &[("THRUK_API_KEY", "x")]).await;
    assert_eq!(code, 2);
    assert!(
        err.contains("THRUK_API_KEY") && err.contains("prod, staging"),
        "{err}"
    );

    // maintenant and OneUptime both have list_alerts and acknowledge_alert.
    let dir = tempfile::tempdir().expect("dir");
    let clash = dir.path().join("clash.yaml");
    let text = |prefix: &str| {
        format!(
            "backends:\n  - {{name: homelab, backend: maintenant, url: {}}}\n  - {{name: saas, backend: oneuptime, url: http://127.0.0.1:9{prefix}}}\n",
            e.homelab.base_url()
        )
    };
    std::fs::write(&clash, text("")).expect("write");
    let (code, _, err) = check(&clash, &[]).await;
    assert_eq!(code, 2);
    assert!(
        err.contains("tool name collision")
            && err.contains("`homelab` (maintenant)")
            && err.contains("`saas` (oneuptime)")
            && err.contains("`list_alerts`")
            && err.contains("`acknowledge_alert`")
            && err.contains("prefix: saas_"),
        "{err}"
    );
    std::fs::write(&clash, text(", prefix: ou_")).expect("write");
    let (code, out, err) = check_with(&clash, &[], &["check", "--offline"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("saas: oneuptime") && out.contains("prefix `ou_`"),
        "{out}"
    );
    // Nothing listens at the OneUptime URL: exit 3, and which instance.
    let (code, out, _) = check(&clash, &[]).await;
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("UNREACHABLE: no answer (CONNECTION_ERROR)"),
        "{out}"
    );

    // Mistakes in the file name the file and the key.
    std::fs::write(
        &clash,
        "backends:\n  - {name: a, backend: thruk, url: 42x, colour: red}\n",
    )
    .expect("write");
    let (code, _, err) = check(&clash, &[]).await;
    assert_eq!(code, 2);
    assert!(
        err.contains("clash.yaml") && err.contains("colour"),
        "{err}"
    );

    // --backend and --config together are refused.
    let mut cmd = config_command(e.file.path(), &[]);
    cmd.arg("--backend")
        .arg("thruk")
        .arg("check")
        .stderr(std::process::Stdio::piped());
    let out = cmd.output().await.expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--backend"));
}

#[tokio::test]
async fn several_instances_over_http() {
    let e = estate().await;
    let (_child, base) = http_server(config_command(e.file.path(), &[])).await;
    let http = reqwest::Client::new();
    let rpc = |method: &str, params: Value| json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let answer: Value = http
        .post(format!("{base}/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .header("mcp-protocol-version", "2025-06-18")
        .json(&rpc(
            "tools/call",
            json!({"name": "get_health", "arguments": {}}),
        ))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(
        answer["result"]["structuredContent"]["edition"]["edition"], "pro",
        "{answer}"
    );
    let health: Value = http
        .get(format!("{base}/mcp/health"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(health["instances"], json!(["prod", "staging", "homelab"]));
    assert_eq!(health["backend"], "thruk,thruk,maintenant");
    e.homelab.clear_requests();
    let ready = http
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("get");
    assert_eq!(ready.status(), 200);
    let ready: Value = ready.json().await.expect("json");
    let names: Vec<&str> = ready["instances"]
        .as_array()
        .expect("instances")
        .iter()
        .filter_map(|i| i["instance"].as_str())
        .collect();
    assert_eq!(names, ["prod", "staging", "homelab"]);
    assert_eq!(e.homelab.requests()[0].path, "/api/v1/health");
    // One backend gone: the gateway is not ready, and says which.
    e.staging.shutdown();
    tokio::time::sleep(std::time::Duration::from_millis(5200)).await;
    let ready = http
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("get");
    assert_eq!(ready.status(), 503);
    let ready: Value = ready.json().await.expect("json");
    assert_eq!(ready["instances"][1]["instance"], "staging");
    assert_eq!(ready["instances"][1]["reachable"], false);
    assert_eq!(ready["instances"][0]["reachable"], true);
}
