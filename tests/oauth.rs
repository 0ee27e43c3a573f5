//! End-to-end tests of the OAuth 2.1 resource server in HTTP mode: a local authorization
//! server publishes its metadata and a JWKS of Ed25519 keys; `lookout --listen` must serve the
//! RFC 9728 document, challenge with `resource_metadata`, accept tokens signed by the issuer
//! for this resource, refuse expired ones, ones for another audience or issuer, forged ones and
//! unsigned ones, map scopes to read and write tools (403 `insufficient_scope`), follow key
//! rotation, and never forward the token to the backend.

mod common;

use base64::Engine as _;
use common::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use lookout::demo::{DEMO_API_KEY, DemoBackend};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A signing key and its public JWK.
struct Key {
    kid: String,
    der: Vec<u8>,
    jwk: Value,
}

fn key(kid: &str) -> Key {
    let rng = ring::rand::SystemRandom::new();
    let der = Ed25519KeyPair::generate_pkcs8(&rng)
        .expect("generate")
        .as_ref()
        .to_vec();
    let pair = Ed25519KeyPair::from_pkcs8(&der).expect("parse");
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
    Key {
        kid: kid.to_string(),
        der,
        jwk: json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"}),
    }
}

/// A local authorization server: OpenID metadata and a JWKS that a test can change.
struct Issuer {
    url: String,
    keys: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
}

async fn issuer() -> Issuer {
    let keys: Arc<Mutex<Vec<Value>>> = Arc::default();
    let fetches: Arc<AtomicUsize> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let meta = json!({"issuer": url, "jwks_uri": format!("{url}/keys")});
    let (k, f) = (keys.clone(), fetches.clone());
    let app = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            axum::routing::get(move || {
                let meta = meta.clone();
                async move { axum::Json(meta) }
            }),
        )
        .route(
            "/keys",
            axum::routing::get(move || {
                let (k, f) = (k.clone(), f.clone());
                async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    let keys = k.lock().map(|k| k.clone()).unwrap_or_default();
                    axum::Json(json!({ "keys": keys }))
                }
            }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Issuer { url, keys, fetches }
}

fn sign(key: &Key, claims: Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(&key.der)).expect("sign")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

struct Setup {
    demo: DemoBackend,
    issuer: Issuer,
    k1: Key,
    base: String,
    resource: String,
    audit: tempfile::NamedTempFile,
    _child: tokio::process::Child,
}

async fn setup() -> Setup {
    let demo = DemoBackend::start().await.expect("demo");
    let issuer = issuer().await;
    let k1 = key("k1");
    if let Ok(mut keys) = issuer.keys.lock() {
        keys.push(k1.jwk.clone());
    }
    let port = free_port();
    let resource = format!("http://127.0.0.1:{port}/mcp");
    let audit = tempfile::NamedTempFile::new().expect("audit file");
    let mut cmd = lookout_command(
        &demo.base_url(),
        Some(DEMO_API_KEY),
        &[
            ("MCP_OAUTH_ISSUER", &issuer.url),
            ("MCP_RESOURCE_URL", &resource),
            ("MCP_OAUTH_JWKS_MIN_REFRESH_SECS", "0"),
            ("THRUK_AUDIT_LOG", audit.path().to_str().expect("path")),
        ],
    );
    cmd.arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .kill_on_drop(true);
    let child = cmd.spawn().expect("spawn");
    let base = format!("http://127.0.0.1:{port}");
    assert!(
        wait_ready(&format!("{base}/healthz")).await,
        "lookout did not come up"
    );
    Setup {
        demo,
        issuer,
        k1,
        base,
        resource,
        audit,
        _child: child,
    }
}

impl Setup {
    fn claims(&self, scope: &str) -> Value {
        json!({"iss": self.issuer.url, "aud": self.resource, "sub": "alice@example.com",
               "exp": now() + 600, "iat": now(), "scope": scope})
    }

    async fn post(&self, body: Value, token: Option<&str>) -> reqwest::Response {
        let mut req = reqwest::Client::new()
            .post(format!("{}/mcp", self.base))
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .header("mcp-protocol-version", "2025-06-18")
            .json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("post")
    }
}

fn list() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
}

fn acknowledge() -> Value {
    json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "thruk_acknowledge", "arguments": {"host": "web-03", "service": "HTTP", "comment": "seen"}}})
}

fn challenge(r: &reqwest::Response) -> String {
    r.headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn discovery_and_the_challenge() {
    let s = setup().await;
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let doc: Value = reqwest::get(format!("{}{path}", s.base))
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        assert_eq!(doc["resource"], s.resource.as_str());
        assert_eq!(doc["authorization_servers"], json!([s.issuer.url]));
        assert_eq!(doc["scopes_supported"], json!(["mcp:read", "mcp:write"]));
        assert_eq!(doc["bearer_methods_supported"], json!(["header"]));
    }
    let r = s.post(list(), None).await;
    assert_eq!(r.status(), 401);
    let c = challenge(&r);
    assert!(
        c.contains(&format!(
            "resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
            s.base
        )) && c.contains("scope=\"mcp:read mcp:write\""),
        "{c}"
    );
    assert_eq!(
        s.issuer.fetches.load(Ordering::SeqCst),
        0,
        "no key needed yet"
    );
}

#[tokio::test]
async fn valid_tokens_are_accepted_and_never_forwarded() {
    let s = setup().await;
    let token = sign(&s.k1, s.claims("mcp:read mcp:write"));
    assert_eq!(s.post(list(), Some(&token)).await.status(), 200);
    let r = s.post(acknowledge(), Some(&token)).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["result"]["isError"], false, "{body}");
    assert_eq!(
        s.issuer.fetches.load(Ordering::SeqCst),
        1,
        "keys fetched once, then cached"
    );
    for req in s.demo.requests() {
        assert_eq!(req.header("authorization"), None);
        assert!(!format!("{req:?}").contains(&token));
    }
    let audit = std::fs::read_to_string(s.audit.path()).expect("audit");
    let line: Value = serde_json::from_str(audit.lines().last().expect("line")).expect("json");
    assert_eq!(line["client"], "alice@example.com");
    // `scp` as a list works too.
    let mut claims = s.claims("");
    claims["scp"] = json!(["mcp:read"]);
    assert_eq!(
        s.post(list(), Some(&sign(&s.k1, claims))).await.status(),
        200
    );
}

#[tokio::test]
async fn invalid_tokens_are_refused() {
    let s = setup().await;
    let forged = key("k1");
    let mut cases: Vec<(&str, String)> = Vec::new();
    let mut expired = s.claims("mcp:read");
    expired["exp"] = json!(now() - 120);
    cases.push(("expired", sign(&s.k1, expired)));
    let mut audience = s.claims("mcp:read");
    audience["aud"] = json!("https://other.example.com/mcp");
    cases.push(("another audience", sign(&s.k1, audience)));
    let mut issuer = s.claims("mcp:read");
    issuer["iss"] = json!("https://evil.example.com");
    cases.push(("another issuer", sign(&s.k1, issuer)));
    cases.push(("a forged signature", sign(&forged, s.claims("mcp:read"))));
    let mut no_aud = s.claims("mcp:read");
    no_aud.as_object_mut().map(|o| o.remove("aud"));
    cases.push(("no audience", sign(&s.k1, no_aud)));
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    cases.push((
        "an unsigned token",
        format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "typ": "JWT"})),
            b64(&s.claims("mcp:write"))
        ),
    ));
    let hs = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &s.claims("mcp:write"),
        &EncodingKey::from_secret(b"guess"),
    )
    .expect("sign");
    cases.push(("an HMAC token", hs));
    cases.push(("garbage", "not.a.jwt".to_string()));
    for (what, token) in cases {
        let r = s.post(list(), Some(&token)).await;
        assert_eq!(r.status(), 401, "{what}");
        assert!(challenge(&r).contains("error=\"invalid_token\""), "{what}");
    }
    let r = s
        .post(list(), Some(&sign(&s.k1, s.claims("profile email"))))
        .await;
    assert_eq!(r.status(), 403, "neither scope");
    assert!(challenge(&r).contains("error=\"insufficient_scope\""));
    assert!(s.demo.requests().is_empty());
}

#[tokio::test]
async fn a_read_only_token_cannot_call_a_write_tool() {
    let s = setup().await;
    let token = sign(&s.k1, s.claims("mcp:read"));
    assert_eq!(s.post(list(), Some(&token)).await.status(), 200);
    let read = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "thruk_stats", "arguments": {}}});
    assert_eq!(s.post(read, Some(&token)).await.status(), 200);
    s.demo.clear_requests();
    let r = s.post(acknowledge(), Some(&token)).await;
    assert_eq!(r.status(), 403);
    let c = challenge(&r);
    assert!(
        c.contains("error=\"insufficient_scope\"") && c.contains("scope=\"mcp:write\""),
        "{c}"
    );
    let body: Value = r.json().await.expect("json");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("thruk_acknowledge")
    );
    // The escape hatch writes only with a writing method.
    let post_query = json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {
        "name": "thruk_query", "arguments": {"path": "/hosts/web-01/cmd/schedule_forced_host_check", "method": "POST"}}});
    assert_eq!(s.post(post_query, Some(&token)).await.status(), 403);
    let get_query = json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {
        "name": "thruk_query", "arguments": {"path": "/hosts/web-01"}}});
    assert_eq!(s.post(get_query, Some(&token)).await.status(), 200);
    assert!(
        s.demo.requests().iter().all(|r| r.method == "GET"),
        "no write reached Thruk"
    );
}

#[tokio::test]
async fn rotated_keys_are_fetched_again() {
    let s = setup().await;
    assert_eq!(
        s.post(list(), Some(&sign(&s.k1, s.claims("mcp:read"))))
            .await
            .status(),
        200
    );
    assert_eq!(s.issuer.fetches.load(Ordering::SeqCst), 1);
    // The issuer rotates: k2 replaces k1.
    let k2 = key("k2");
    if let Ok(mut keys) = s.issuer.keys.lock() {
        *keys = vec![k2.jwk.clone()];
    }
    assert_eq!(
        s.post(list(), Some(&sign(&k2, s.claims("mcp:read"))))
            .await
            .status(),
        200,
        "an unknown key id makes lookout fetch the keys again"
    );
    assert_eq!(s.issuer.fetches.load(Ordering::SeqCst), 2);
    let r = s
        .post(list(), Some(&sign(&key("k3"), s.claims("mcp:read"))))
        .await;
    assert_eq!(r.status(), 401, "a key the issuer does not publish");
}

#[tokio::test]
async fn an_unreachable_issuer_is_a_503_not_a_pass() {
    let demo = DemoBackend::start().await.expect("demo");
    let (_child, base) = http_server(lookout_command(
        &demo.base_url(),
        Some(DEMO_API_KEY),
        &[
            ("MCP_OAUTH_ISSUER", "http://127.0.0.1:9"),
            ("MCP_RESOURCE_URL", "http://127.0.0.1:9/mcp"),
        ],
    ))
    .await;
    let k = key("k1");
    let token = sign(
        &k,
        json!({"iss": "http://127.0.0.1:9", "aud": "http://127.0.0.1:9/mcp", "sub": "x",
               "exp": now() + 600, "scope": "mcp:write"}),
    );
    let r = reqwest::Client::new()
        .post(format!("{base}/mcp"))
        .bearer_auth(&token)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-06-18")
        .json(&list())
        .send()
        .await
        .expect("post");
    assert_eq!(
        r.status(),
        503,
        "the token cannot be checked, so nothing is served"
    );
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"], "temporarily_unavailable");
    assert!(demo.requests().is_empty());
}
