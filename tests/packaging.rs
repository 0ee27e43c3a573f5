//! Packaging: the Dockerfile's final stage and its default command line, the Docker MCP
//! registry entries under `catalog/<backend>/` (every field and rule the registry's validator
//! checks, and `tools.json` equal to what the binary lists), and the binary run the way the
//! registry's CI runs an image: example or `<UNKNOWN>` secrets, no inherited environment, no
//! network. With `LOOKOUT_RELEASE_BIN` (set by `.ci/run`) these runs use the static release
//! binary the image ships; with `LOOKOUT_TEST_PODMAN=1` the image's final stage itself is
//! built and run with podman.

mod common;

use common::{Client, call, err_body, ok_body};
use rmcp::ServiceExt;
use rmcp::transport::TokioChildProcess;
use serde_json::Value;
use serde_yaml_ng::Value as Yaml;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;

const BACKENDS: [&str; 3] = ["thruk", "oneuptime", "maintenant"];

/// The registry gives the listing run this long.
const REGISTRY_BUDGET: Duration = Duration::from_secs(60);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The binary under test: the static release build when CI names it, else the test build.
fn binary() -> PathBuf {
    match std::env::var("LOOKOUT_RELEASE_BIN") {
        Ok(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            assert!(
                p.is_file(),
                "LOOKOUT_RELEASE_BIN={} is missing",
                p.display()
            );
            p
        }
        _ => PathBuf::from(common::BIN),
    }
}

// --- the Dockerfile -----------------------------------------------------------------------

/// One instruction of a Dockerfile: the keyword (upper case) and its arguments.
struct Instruction {
    keyword: String,
    args: String,
}

/// The instructions of a Dockerfile, continuation lines joined and comments dropped.
fn instructions(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                current.push_str(part);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                let (keyword, args) = current.split_once(' ').unwrap_or((&current, ""));
                out.push(Instruction {
                    keyword: keyword.to_uppercase(),
                    args: args.trim().to_string(),
                });
                current.clear();
            }
        }
    }
    out
}

/// The instructions of the last stage (the image that ships).
fn final_stage(all: &[Instruction]) -> &[Instruction] {
    let last_from = all
        .iter()
        .rposition(|i| i.keyword == "FROM")
        .expect("the Dockerfile has a FROM");
    &all[last_from..]
}

fn exec_form(stage: &[Instruction], keyword: &str) -> Vec<String> {
    let i = stage
        .iter()
        .rfind(|i| i.keyword == keyword)
        .unwrap_or_else(|| panic!("the final stage has no {keyword}"));
    serde_json::from_str(&i.args)
        .unwrap_or_else(|e| panic!("{keyword} must be in exec (JSON) form: {e}: {}", i.args))
}

/// The command line the image runs by default: ENTRYPOINT then CMD, with the entrypoint's
/// program name (`lookout`, on the image's PATH) left out.
fn default_args(stage: &[Instruction]) -> Vec<String> {
    let entrypoint = exec_form(stage, "ENTRYPOINT");
    assert_eq!(entrypoint, ["lookout"], "ENTRYPOINT");
    exec_form(stage, "CMD")
}

#[test]
fn dockerfile_ships_a_static_binary_as_a_non_root_user() {
    let text = read(&root().join("Dockerfile"));
    let all = instructions(&text);
    let froms: Vec<&str> = all
        .iter()
        .filter(|i| i.keyword == "FROM")
        .map(|i| i.args.as_str())
        .collect();
    assert!(froms.len() >= 2, "multi-stage: {froms:?}");
    assert!(
        all.iter()
            .any(|i| i.keyword == "RUN" && i.args.contains("scripts/image-root.sh")),
        "the build stage builds with scripts/image-root.sh, as CI does"
    );
    let stage = final_stage(&all);
    assert_eq!(stage[0].args, "scratch AS runtime", "an empty final image");
    let user = &stage
        .iter()
        .rfind(|i| i.keyword == "USER")
        .expect("a USER")
        .args;
    let uid = user.split(':').next().unwrap_or_default();
    assert!(
        uid.parse::<u32>().is_ok_and(|u| u != 0),
        "a numeric non-root user (an empty image has no user database to resolve names): {user}"
    );
    assert!(
        stage
            .iter()
            .any(|i| i.keyword == "EXPOSE" && i.args.split_whitespace().any(|p| p == "8001")),
        "EXPOSE 8001"
    );
    assert_eq!(
        default_args(stage),
        Vec::<String>::new(),
        "stdio by default"
    );
    let labels: String = stage
        .iter()
        .filter(|i| i.keyword == "LABEL")
        .map(|i| i.args.clone())
        .collect::<Vec<_>>()
        .join(" ");
    for key in [
        "title",
        "description",
        "licenses",
        "version",
        "revision",
        "source",
        "documentation",
    ] {
        assert!(
            labels.contains(&format!("org.opencontainers.image.{key}=")),
            "OCI label {key} missing: {labels}"
        );
    }
    assert!(
        labels.contains(&format!(
            "org.opencontainers.image.source=\"{}\"",
            env!("CARGO_PKG_REPOSITORY")
        )),
        "the source label names the repository of Cargo.toml"
    );
    let copies: Vec<&str> = stage
        .iter()
        .filter(|i| i.keyword == "COPY")
        .map(|i| i.args.as_str())
        .collect();
    assert!(
        copies
            .iter()
            .any(|c| c.starts_with("--from=build") && c.ends_with("/usr/local/bin/lookout")),
        "{copies:?}"
    );
}

/// A client of the binary started as `args` with exactly `env` (nothing inherited), within
/// the registry's time budget.
async fn start_clean(args: &[String], env: &[(String, String)]) -> Client {
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stderr(Stdio::null());
    let transport = TokioChildProcess::new(cmd).expect("spawn lookout");
    tokio::time::timeout(REGISTRY_BUDGET, ().serve(transport))
        .await
        .expect("initialize within the registry's budget")
        .expect("initialize")
}

async fn tool_names(client: &Client) -> BTreeSet<String> {
    tokio::time::timeout(REGISTRY_BUDGET, client.list_all_tools())
        .await
        .expect("tools/list within the registry's budget")
        .expect("tools/list")
        .into_iter()
        .map(|t| t.name.to_string())
        .collect()
}

#[tokio::test]
async fn the_image_command_line_serves_the_demo() {
    let all = instructions(&read(&root().join("Dockerfile")));
    let args = default_args(final_stage(&all));
    let demo = lookout::demo::DemoBackend::start()
        .await
        .expect("demo backend");
    let client = start_clean(
        &args,
        &[
            ("THRUK_BASE_URL".into(), demo.base_url()),
            ("THRUK_API_KEY".into(), lookout::demo::DEMO_API_KEY.into()),
        ],
    )
    .await;
    assert_eq!(tool_names(&client).await.len(), common::THRUK_TOOLS.len());
    let hosts = ok_body(&call(&client, "thruk_list_hosts", serde_json::json!({})).await);
    let rows = hosts["rows"].as_array().expect("hosts");
    assert!(!rows.is_empty(), "{hosts}");
    assert!(rows.iter().all(|h| h["name"].is_string()), "{hosts}");
    let _ = client.cancel().await;
}

// --- the registry entries ----------------------------------------------------------------

fn entry(backend: &str) -> Yaml {
    let path = root().join("catalog").join(backend).join("server.yaml");
    serde_yaml_ng::from_str(&read(&path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text<'a>(v: &'a Yaml, path: &str) -> &'a str {
    let mut at = v;
    for key in path.split('.') {
        at = &at[key];
    }
    at.as_str()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| panic!("`{path}` must be a non-empty string"))
}

fn list<'a>(v: &'a Yaml, key: &str) -> Vec<&'a Yaml> {
    v[key]
        .as_sequence()
        .map(|s| s.iter().collect())
        .unwrap_or_default()
}

/// The registry's rules for a local (`type: server`) entry, as its validator and catalog
/// generator apply them (see the reference on the docker/mcp-registry format).
#[test]
fn registry_entries_follow_the_registry_rules() {
    let name_rule = regex::Regex::new("^[a-z0-9-]+$").expect("regex");
    let secret_rule = regex::Regex::new(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9._-]+$").expect("regex");
    let commit_rule = regex::Regex::new("^[a-f0-9]{40}$").expect("regex");
    let template_rule =
        regex::Regex::new(r"^\{\{([a-z0-9-]+)\.([A-Za-z0-9_]+)\}\}$").expect("regex");
    let env_example = read(&root().join(".env.example"));
    let documented = |var: &str| {
        env_example
            .lines()
            .any(|l| l.trim_start_matches("# ").starts_with(&format!("{var}=")))
    };
    for backend in BACKENDS {
        let e = entry(backend);
        let name = text(&e, "name");
        // The folder is copied to servers/<name>/ in the registry, whose folder must equal
        // the name.
        assert_eq!(name, format!("lookout-{backend}"), "{backend}: name");
        assert!(name_rule.is_match(name), "{name}: name pattern");
        assert_eq!(text(&e, "type"), "server", "{name}: type");
        assert_eq!(text(&e, "image"), format!("mcp/{name}"), "{name}: image");
        assert_eq!(text(&e, "meta.category"), "monitoring");
        assert!(!list(&e["meta"], "tags").is_empty(), "{name}: tags");

        let title = text(&e, "about.title");
        assert!(
            !title.contains("MCP") && !title.contains("Server"),
            "{name}: the title may not contain MCP or Server: {title}"
        );
        for word in title.split_whitespace() {
            let first = word.chars().next().unwrap_or('A');
            assert!(
                matches!(word, "and" | "for") || !first.is_lowercase(),
                "{name}: every title word capitalised but `and`/`for`: {word}"
            );
        }
        text(&e, "about.description");

        assert_eq!(text(&e, "source.project"), env!("CARGO_PKG_REPOSITORY"));
        let commit = text(&e, "source.commit");
        assert!(
            commit_rule.is_match(commit),
            "{name}: source.commit must be a 40-character lower-case SHA-1: {commit}"
        );

        if root().join(".git").exists() {
            // The pin is a commit of this repository that has the Dockerfile Docker builds.
            let shown = std::process::Command::new("git")
                .args(["cat-file", "-e", &format!("{commit}:Dockerfile")])
                .current_dir(root())
                .status()
                .expect("git");
            assert!(
                shown.success(),
                "{name}: source.commit {commit} is not a commit of this repository with a Dockerfile"
            );
        }

        let command: Vec<&str> = list(&e["run"], "command")
            .iter()
            .filter_map(|c| c.as_str())
            .collect();
        assert_eq!(
            command,
            [format!("--backend={backend}")],
            "{name}: run.command"
        );

        let config = &e["config"];
        let properties = config["parameters"]["properties"]
            .as_mapping()
            .cloned()
            .unwrap_or_default();
        if !properties.is_empty() {
            text(config, "description");
            assert_eq!(text(config, "parameters.type"), "object");
        }
        for (key, p) in &properties {
            let key = key.as_str().unwrap_or_default();
            let kind = text(p, "type");
            assert!(
                ["string", "boolean", "integer", "number", "array", "object"].contains(&kind),
                "{name}: parameter {key} has type {kind}"
            );
            text(p, "description");
        }
        for required in list(&config["parameters"], "required") {
            let r = required.as_str().unwrap_or_default();
            assert!(
                properties.contains_key(r),
                "{name}: required parameter {r} is not a property"
            );
        }
        let mut used = BTreeSet::new();
        for env in list(config, "env") {
            let var = text(env, "name");
            text(env, "example");
            let value = text(env, "value");
            if value.starts_with("{{") {
                let caps = template_rule
                    .captures(value)
                    .unwrap_or_else(|| panic!("{name}: {var} = {value}: not a template"));
                assert_eq!(
                    &caps[1], name,
                    "{name}: templates must use the server's name"
                );
                assert!(
                    properties.contains_key(&caps[2]),
                    "{name}: {var} uses the undeclared parameter {}",
                    &caps[2]
                );
                used.insert(caps[2].to_string());
            }
            assert!(documented(var), "{name}: {var} is not in .env.example");
        }
        for key in properties.keys().filter_map(|k| k.as_str()) {
            assert!(
                used.contains(key),
                "{name}: parameter {key} feeds no variable"
            );
        }
        let secrets = list(config, "secrets");
        for s in &secrets {
            let secret = text(s, "name");
            assert!(secret_rule.is_match(secret), "{name}: secret name {secret}");
            assert!(
                secret.starts_with(&format!("{backend}.")),
                "{name}: secrets are named after the backend: {secret}"
            );
            let var = text(s, "env");
            text(s, "example");
            assert!(documented(var), "{name}: {var} is not in .env.example");
        }
        if backend != "maintenant" {
            assert_eq!(
                secrets.iter().map(|s| text(s, "env")).collect::<Vec<_>>(),
                [format!("{}_API_KEY", backend.to_uppercase())],
                "{name}: the API key is a secret"
            );
        }

        let readme = read(&root().join("catalog").join(backend).join("readme.md"));
        assert!(
            readme
                .lines()
                .next()
                .is_some_and(|l| l.starts_with("Docs: https://")),
            "{name}: readme.md opens with a Docs: link"
        );
    }
}

/// What `lookout tools --format docker` prints for one backend, with a clean environment.
fn listed_tools_json(backend: &str) -> String {
    let out = std::process::Command::new(binary())
        .args(["tools", "--backend", backend, "--format", "docker"])
        .env_clear()
        .output()
        .expect("run lookout tools");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn tools_json_is_what_the_binary_lists() {
    for backend in BACKENDS {
        let path = root().join("catalog").join(backend).join("tools.json");
        let committed = read(&path);
        assert!(
            committed == listed_tools_json(backend),
            "{} differs from `lookout tools --backend {backend} --format docker`; regenerate it (CONTRIBUTING.md, \"Docker registry files\")",
            path.display()
        );
        let tools: Vec<Value> = serde_json::from_str(&committed).expect("a JSON array");
        let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
        assert_eq!(names.len(), tools.len(), "every tool has a name");
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "sorted by name, as the registry writes it");
        for t in &tools {
            assert!(t["description"].as_str().is_some_and(|d| !d.is_empty()));
            for a in t["arguments"].as_array().into_iter().flatten() {
                assert!(
                    a["desc"].as_str().is_some_and(|d| !d.is_empty()),
                    "{}: argument {} needs a desc (the registry requires one)",
                    t["name"],
                    a["name"]
                );
                assert!(a["type"].is_string(), "{a}");
            }
            assert!(
                t["annotations"]["readOnlyHint"] == true
                    || t["annotations"].get("readOnlyHint").is_none(),
                "{t}"
            );
        }
        // The registry reads tools.json into its model: every key is one it knows.
        for t in &tools {
            for key in t.as_object().into_iter().flat_map(|o| o.keys()) {
                assert!(
                    ["name", "description", "arguments", "annotations"].contains(&key.as_str()),
                    "unknown key {key}"
                );
            }
        }
    }
}

/// The environment the registry's CI gives the container: every secret and variable set to
/// its example, or with `unknown_secrets`, secrets as the gateway's `<UNKNOWN>` placeholder
/// and only the required parameters' variables (an empty parameter is not passed at all).
fn registry_env(e: &Yaml, unknown_secrets: bool) -> Vec<(String, String)> {
    let config = &e["config"];
    let required: Vec<&str> = list(&config["parameters"], "required")
        .iter()
        .filter_map(|r| r.as_str())
        .collect();
    let mut env = Vec::new();
    for s in list(config, "secrets") {
        let value = if unknown_secrets {
            "<UNKNOWN>"
        } else {
            text(s, "example")
        };
        env.push((text(s, "env").to_string(), value.to_string()));
    }
    for v in list(config, "env") {
        let value = text(v, "value");
        let param = value
            .strip_prefix("{{")
            .and_then(|v| v.strip_suffix("}}"))
            .and_then(|v| v.split_once('.'))
            .map(|(_, p)| p);
        match param {
            Some(p) if unknown_secrets && !required.contains(&p) => continue,
            Some(_) => env.push((text(v, "name").to_string(), text(v, "example").to_string())),
            None => env.push((text(v, "name").to_string(), value.to_string())),
        }
    }
    env
}

/// A read tool of each backend, called where nothing is reachable.
fn a_read_tool(backend: &str) -> &'static str {
    match backend {
        "thruk" => "thruk_problems",
        "oneuptime" => "list_monitors",
        _ => "get_health",
    }
}

#[tokio::test]
async fn entries_list_their_tools_under_the_registry_conditions() {
    for backend in BACKENDS {
        let e = entry(backend);
        let command: Vec<String> = list(&e["run"], "command")
            .iter()
            .filter_map(|c| c.as_str().map(String::from))
            .collect();
        let committed: Vec<Value> = serde_json::from_str(&read(
            &root().join("catalog").join(backend).join("tools.json"),
        ))
        .expect("tools.json");
        let expected: BTreeSet<String> = committed
            .iter()
            .filter_map(|t| t["name"].as_str().map(String::from))
            .collect();

        // Every example value, as the registry's build step runs it.
        let client = start_clean(&command, &registry_env(&e, false)).await;
        let listed = tool_names(&client).await;
        assert!(!listed.is_empty(), "{backend}: no tools with the examples");
        assert!(
            listed.is_subset(&expected),
            "{backend}: listed tools missing from tools.json: {:?}",
            listed.difference(&expected).collect::<Vec<_>>()
        );
        // The gateway lists these too and ignores their errors; lookout serves them.
        client.list_all_prompts().await.expect("prompts/list");
        client.list_all_resources().await.expect("resources/list");
        let _ = client.cancel().await;

        // Secrets never set: everything is listed, and a call fails at once, structured.
        let client = start_clean(&command, &registry_env(&e, true)).await;
        assert_eq!(tool_names(&client).await, expected, "{backend}");
        let result = tokio::time::timeout(
            Duration::from_secs(30),
            call(&client, a_read_tool(backend), serde_json::json!({})),
        )
        .await
        .unwrap_or_else(|_| panic!("{backend}: a call with nothing reachable hung"));
        let body = err_body(&result);
        let code = body["code"].as_str().unwrap_or_default();
        if backend == "maintenant" {
            // No credentials needed: the example host is simply not reachable.
            assert!(
                ["CONNECTION_ERROR", "TIMEOUT"].contains(&code),
                "{backend}: {body}"
            );
        } else {
            assert_eq!(code, "AUTH_FAILED", "{backend}: {body}");
            let hint = body["hint"].as_str().unwrap_or_default();
            assert!(
                hint.contains(&format!("{}_API_KEY", backend.to_uppercase())),
                "{backend}: the hint names the variable: {body}"
            );
        }
        let _ = client.cancel().await;
    }
}

// --- the image itself, with podman -------------------------------------------------------

fn podman(args: &[&str]) -> std::process::Output {
    std::process::Command::new("podman")
        .args(args)
        .output()
        .expect("run podman")
}

/// Builds the Dockerfile's final stage, unchanged, over the image root that
/// `scripts/image-root.sh` made (the build stage's output), and tags it `tag`.
fn build_final_stage(tag: &str) -> tempfile::TempDir {
    let image_root = std::env::var("LOOKOUT_IMAGE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("target/image-root"));
    assert!(
        image_root.join("lookout").is_file(),
        "{}: run scripts/image-root.sh first",
        image_root.display()
    );
    let dockerfile = read(&root().join("Dockerfile"));
    let start = dockerfile
        .find("\nFROM scratch AS runtime")
        .expect("the final stage");
    let context = tempfile::tempdir().expect("temp dir");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(&image_root)
        .arg(context.path().join("out"))
        .status()
        .expect("cp");
    assert!(status.success());
    let containerfile = format!(
        "FROM scratch AS build\nCOPY out/ /out/\n{}",
        &dockerfile[start..]
    );
    std::fs::write(context.path().join("Containerfile"), containerfile).expect("write");
    let context_dir = context.path().to_string_lossy().to_string();
    let out = podman(&[
        "build",
        "-q",
        "-t",
        tag,
        "-f",
        &format!("{context_dir}/Containerfile"),
        &context_dir,
    ]);
    assert!(
        out.status.success(),
        "podman build: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    context
}

async fn podman_client(run_args: &[String]) -> Client {
    let mut cmd = Command::new("podman");
    cmd.arg("run").args(run_args).stderr(Stdio::null());
    let transport = TokioChildProcess::new(cmd).expect("spawn podman");
    tokio::time::timeout(REGISTRY_BUDGET, ().serve(transport))
        .await
        .expect("initialize within the registry's budget")
        .expect("initialize")
}

#[tokio::test]
async fn podman_runs_the_image_as_the_registry_and_a_user_would() {
    if std::env::var("LOOKOUT_TEST_PODMAN").as_deref() != Ok("1") {
        eprintln!(
            "skipped: set LOOKOUT_TEST_PODMAN=1 (and run scripts/image-root.sh) to build and run the image with podman"
        );
        return;
    }
    let tag = "localhost/lookout-test:latest";
    let _context = build_final_stage(tag);

    let inspect = podman(&["image", "inspect", tag]);
    assert!(inspect.status.success());
    let info: Value = serde_json::from_slice(&inspect.stdout).expect("inspect JSON");
    let config = &info[0]["Config"];
    assert_eq!(config["User"], "65532:65532");
    assert_eq!(config["Entrypoint"], serde_json::json!(["lookout"]));
    assert!(config["ExposedPorts"].get("8001/tcp").is_some(), "{config}");
    assert_eq!(
        config["Labels"]["org.opencontainers.image.source"],
        env!("CARGO_PKG_REPOSITORY")
    );

    // As the registry's CI runs it: capabilities dropped, no network, <UNKNOWN> secret.
    let e = entry("thruk");
    let mut args: Vec<String> = [
        "--rm",
        "-i",
        "--init",
        "--cap-drop=ALL",
        "--security-opt",
        "no-new-privileges",
        "--network",
        "none",
    ]
    .map(String::from)
    .to_vec();
    for (k, v) in registry_env(&e, true) {
        args.push("-e".into());
        args.push(format!("{k}={v}"));
    }
    args.push(tag.into());
    args.push("--backend=thruk".into());
    let client = podman_client(&args).await;
    assert_eq!(tool_names(&client).await.len(), common::THRUK_TOOLS.len());
    let body = err_body(&call(&client, "thruk_problems", serde_json::json!({})).await);
    assert_eq!(body["code"], "AUTH_FAILED", "{body}");
    let _ = client.cancel().await;

    // As a user runs it: the host's network, a backend on loopback reached by name (the
    // static binary resolves `localhost` through the image's nsswitch.conf and /etc/hosts).
    let demo = lookout::demo::DemoBackend::start()
        .await
        .expect("demo backend");
    let url = demo.base_url().replace("127.0.0.1", "localhost");
    let args: Vec<String> = [
        "--rm",
        "-i",
        "--init",
        "--cap-drop=ALL",
        "--read-only",
        "--network",
        "host",
        "-e",
        &format!("THRUK_BASE_URL={url}"),
        "-e",
        &format!("THRUK_API_KEY={}", lookout::demo::DEMO_API_KEY),
        tag,
    ]
    .map(String::from)
    .to_vec();
    let client = podman_client(&args).await;
    let hosts = ok_body(&call(&client, "thruk_list_hosts", serde_json::json!({})).await);
    assert!(
        hosts["rows"].as_array().is_some_and(|h| !h.is_empty()),
        "{hosts}"
    );
    let _ = client.cancel().await;
    let _ = podman(&["rmi", "-f", tag]);
}

// --- lookout check, as a script uses it ----------------------------------------------------

fn check(env: &[(&str, &str)]) -> (i32, String, String) {
    let out = std::process::Command::new(binary())
        .arg("check")
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("run lookout check");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn check_names_a_bad_url_and_passes_against_the_demo() {
    for (url, says) in [
        ("not a url", "is not a URL"),
        (
            "ftp://mon.example.com/thruk",
            "must start with http:// or https://",
        ),
    ] {
        let (code, out, err) = check(&[("THRUK_BASE_URL", url)]);
        assert_eq!(code, 2, "{url}: {out}{err}");
        assert!(
            err.contains(&format!("THRUK_BASE_URL=`{url}`")),
            "{url}: {err}"
        );
        assert!(err.contains(says), "{url}: {err}");
    }
    // A name that does not resolve: valid, but unreachable.
    let (code, out, _) = check(&[
        ("THRUK_BASE_URL", "http://monitor.invalid/thruk"),
        ("THRUK_API_KEY", "k"),
    ]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("UNREACHABLE"), "{out}");

    let demo = lookout::demo::DemoBackend::start()
        .await
        .expect("demo backend");
    let url = demo.base_url();
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        check(&[
            ("THRUK_BASE_URL", url.as_str()),
            ("THRUK_API_KEY", lookout::demo::DEMO_API_KEY),
        ])
    })
    .await
    .expect("check");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("reachable: GET /thruk answered 200"), "{out}");
    assert!(out.contains("29 tools in all"), "{out}");
}

/// `.env.example` is the list of every setting: each variable a catalog declares and each
/// one the gateway reads is there, with its default.
#[test]
fn env_example_lists_every_variable() {
    let documented: BTreeSet<String> = read(&root().join(".env.example"))
        .lines()
        .filter_map(|l| l.trim_start_matches("# ").split_once('='))
        .map(|(name, _)| name.to_string())
        .collect();
    let mut read_vars = BTreeSet::new();
    let declared = regex::Regex::new(r"env: *([A-Z][A-Z0-9_]+)").expect("regex");
    for backend in BACKENDS {
        let catalog = read(&root().join("catalog").join(backend).join("catalog.yaml"));
        read_vars.extend(declared.captures_iter(&catalog).map(|c| c[1].to_string()));
    }
    let literal = regex::Regex::new(r#""((?:LOOKOUT|MCP)_[A-Z0-9_]+)""#).expect("regex");
    for file in [
        "src/main.rs",
        "src/app.rs",
        "src/settings.rs",
        "src/config.rs",
        "src/audit.rs",
        "src/transport/http.rs",
        "src/transport/auth.rs",
        "src/transport/oauth.rs",
    ] {
        let text = read(&root().join(file));
        // Unit tests may name variables that do not exist.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        read_vars.extend(literal.captures_iter(code).map(|c| c[1].to_string()));
    }
    assert!(read_vars.len() > 40, "{read_vars:?}");
    let missing: Vec<&String> = read_vars.difference(&documented).collect();
    assert!(missing.is_empty(), "not in .env.example: {missing:?}");
}
