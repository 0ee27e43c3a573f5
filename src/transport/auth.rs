//! Who may call `/mcp` over HTTP, and from which web pages.
//!
//! - **Fail closed.** Listening on anything but a loopback address needs an authentication
//!   method, or the explicit opt-out `MCP_HTTP_ALLOW_UNAUTHENTICATED=true` (for a deployment
//!   whose reverse proxy authenticates), as with `thruk-mcp`.
//! - **Static bearer tokens:** `MCP_HTTP_TOKEN` (one token, named `default`, compatible with
//!   `thruk-mcp`) and `MCP_HTTP_TOKENS_FILE` (a YAML map of name → token, so each client has its
//!   own token and its name is recorded in audit lines). Tokens are kept as SHA-256 digests and
//!   compared in constant time; a request without a valid one gets 401 with
//!   `WWW-Authenticate: Bearer`. The token is removed from the request once checked, so it can
//!   never reach a backend (key passthrough then reads `x-api-key` only).
//! - **Origin allowlist** (`MCP_HTTP_ALLOWED_ORIGINS`): a browser request from a page not listed
//!   gets 403 (requests without `Origin`, from non-browser clients, pass). rmcp enforces it.

use super::oauth::{OAuth, Refused};
use crate::audit::Caller;
use crate::error::StartupError;
use crate::mcp::Gateway;
use crate::settings::Env;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// Tokens shorter than this are accepted with a warning.
const WEAK_TOKEN_LEN: usize = 24;

/// How HTTP clients authenticate.
#[derive(Debug, Clone)]
pub enum ClientAuth {
    /// No authentication (loopback, or the explicit opt-out).
    Open,
    /// Bearer tokens: static ones, OAuth access tokens, or both.
    Bearer(Arc<Verifier>),
}

impl ClientAuth {
    pub fn describe(&self) -> String {
        match self {
            ClientAuth::Open => "none".into(),
            ClientAuth::Bearer(v) => {
                let mut parts = Vec::new();
                if !v.tokens.is_empty() {
                    parts.push(format!("bearer tokens ({})", v.tokens.names().join(", ")));
                }
                if let Some(o) = &v.oauth {
                    parts.push(format!("OAuth access tokens from {}", o.issuer));
                }
                parts.join(" and ")
            }
        }
    }
}

/// Checks bearer tokens: the static ones first, then as OAuth access tokens.
#[derive(Debug)]
pub struct Verifier {
    pub tokens: TokenSet,
    pub oauth: Option<OAuth>,
}

/// A checked client: its name, and whether it may call tools that write.
#[derive(Debug, Clone)]
struct Checked {
    name: String,
    can_write: bool,
}

/// Named bearer tokens, kept as digests.
#[derive(Debug, Default)]
pub struct TokenSet {
    tokens: Vec<(String, [u8; 32])>,
}

impl TokenSet {
    fn add(&mut self, name: &str, token: &str) -> Result<(), StartupError> {
        if token.trim().is_empty() {
            return Err(StartupError::Config(format!(
                "HTTP token `{name}` is empty"
            )));
        }
        if self.tokens.iter().any(|(n, _)| n == name) {
            return Err(StartupError::Config(format!(
                "two HTTP tokens are named `{name}`"
            )));
        }
        if token.len() < WEAK_TOKEN_LEN {
            tracing::warn!(
                token = name,
                "this HTTP token is short: use at least 32 random characters (openssl rand -hex 32)"
            );
        }
        let digest = digest(token);
        if self.tokens.iter().any(|(_, d)| *d == digest) {
            return Err(StartupError::Config(format!(
                "HTTP token `{name}` is the same as another one: give each client its own"
            )));
        }
        self.tokens.push((name.to_string(), digest));
        Ok(())
    }

    /// The name of the token `presented` is, if any. Every token is compared, in constant time.
    pub fn verify(&self, presented: &str) -> Option<&str> {
        let d = digest(presented);
        let mut found = None;
        for (name, known) in &self.tokens {
            if bool::from(known.ct_eq(&d)) {
                found = Some(name.as_str());
            }
        }
        found
    }

    pub fn names(&self) -> Vec<&str> {
        self.tokens.iter().map(|(n, _)| n.as_str()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Reads the HTTP authentication settings and refuses to serve a non-loopback address
/// without one.
pub fn from_env(env: &Env, addr: SocketAddr) -> Result<ClientAuth, StartupError> {
    let mut tokens = TokenSet::default();
    if let Some(token) = env.get("MCP_HTTP_TOKEN") {
        tokens.add("default", &token)?;
    }
    if let Some(path) = env.get("MCP_HTTP_TOKENS_FILE") {
        let text = std::fs::read_to_string(&path).map_err(|source| StartupError::Io {
            path: path.clone(),
            source,
        })?;
        let map: indexmap::IndexMap<String, String> =
            serde_yaml_ng::from_str(&text).map_err(|e| {
                StartupError::config_file(
                    &path,
                    format!(
                        "a tokens file is a YAML map of client name to token (`alice: 3f9c…`): {e}"
                    ),
                )
            })?;
        if map.is_empty() {
            return Err(StartupError::config_file(&path, "no tokens in the file"));
        }
        for (name, token) in &map {
            tokens.add(name, token)?;
        }
    }
    let opt_out = env
        .get_bool("MCP_HTTP_ALLOW_UNAUTHENTICATED")
        .map_err(StartupError::Config)?
        .unwrap_or(false);
    let oauth = OAuth::from_env(env)?;
    if !tokens.is_empty() || oauth.is_some() {
        if opt_out {
            tracing::warn!(
                "MCP_HTTP_ALLOW_UNAUTHENTICATED is set, but tokens are configured: they are required"
            );
        }
        return Ok(ClientAuth::Bearer(Arc::new(Verifier { tokens, oauth })));
    }
    if !addr.ip().is_loopback() && !opt_out {
        return Err(StartupError::Config(format!(
            "--listen {addr} would serve anyone who can reach this address without authentication. \
             Set MCP_HTTP_TOKEN to a secret bearer token (or MCP_HTTP_TOKENS_FILE to a file of named tokens, \
             or MCP_OAUTH_ISSUER and MCP_RESOURCE_URL for OAuth access tokens), \
             or, only when a reverse proxy in front authenticates every request, set MCP_HTTP_ALLOW_UNAUTHENTICATED=true. \
             Listening on 127.0.0.1 needs neither"
        )));
    }
    if opt_out && !addr.ip().is_loopback() {
        tracing::warn!(%addr, "serving HTTP without authentication (MCP_HTTP_ALLOW_UNAUTHENTICATED=true): anyone who reaches this address can call every tool");
    }
    Ok(ClientAuth::Open)
}

/// The `Origin` values a browser page may call `/mcp` from: loopback pages by default, plus
/// `https://` and any-port `http://` pages of the extra allowed host names; `*` turns the
/// check off.
pub fn allowed_origins(env: &Env, extra_hosts: &[String]) -> Option<Vec<String>> {
    if let Some(list) = env.get("MCP_HTTP_ALLOWED_ORIGINS") {
        if list.trim() == "*" {
            return None;
        }
        return Some(
            list.split(',')
                .map(|o| o.trim().trim_end_matches('/').to_string())
                .filter(|o| !o.is_empty())
                .collect(),
        );
    }
    let mut origins: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .flat_map(|h| [format!("http://{h}:*"), format!("https://{h}:*")])
        .collect();
    for host in extra_hosts {
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host.clone()
        };
        origins.push(format!("https://{host}:443"));
    }
    Some(origins)
}

fn challenge(oauth: Option<&OAuth>, error: Option<&str>, scope: Option<&str>) -> HeaderValue {
    let mut text = "Bearer realm=\"lookout\"".to_string();
    if let Some(o) = oauth {
        text.push_str(&format!(", resource_metadata=\"{}\"", o.metadata_url()));
    }
    if let Some(e) = error {
        text.push_str(&format!(", error=\"{e}\""));
    }
    match (scope, oauth) {
        (Some(s), _) => text.push_str(&format!(", scope=\"{s}\"")),
        (None, Some(o)) => {
            text.push_str(&format!(", scope=\"{} {}\"", o.read_scope, o.write_scope))
        }
        (None, None) => {}
    }
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("Bearer"))
}

fn refuse(
    status: StatusCode,
    oauth: Option<&OAuth>,
    error: Option<&str>,
    scope: Option<&str>,
    message: &str,
) -> Response {
    (
        status,
        [(header::WWW_AUTHENTICATE, challenge(oauth, error, scope))],
        axum::Json(json!({"error": error.unwrap_or("unauthorized"), "message": message})),
    )
        .into_response()
}

/// The bearer token of a request, if it has one.
fn bearer(req: &Request) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Whether a JSON-RPC body calls a tool that would write.
fn body_writes(gateway: &Gateway, body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    if v.get("method").and_then(Value::as_str) != Some("tools/call") {
        return None;
    }
    let params = v.get("params")?;
    let name = params.get("name").and_then(Value::as_str)?;
    let args = params
        .get("arguments")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    gateway.call_writes(name, &args).then(|| name.to_string())
}

/// Axum middleware in front of `/mcp`: checks the bearer token (static, or an OAuth access
/// token), refuses writing calls to read-only OAuth tokens, records the caller, and removes
/// the token from the request.
pub async fn require_token(
    State((verifier, gateway, max_body)): State<(Arc<Verifier>, Gateway, usize)>,
    req: Request,
    next: Next,
) -> Response {
    let oauth = verifier.oauth.as_ref();
    let checked = match bearer(&req) {
        None => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                oauth,
                None,
                None,
                "this gateway needs a bearer token: send `Authorization: Bearer <token>`",
            );
        }
        Some(token) => match verifier.tokens.verify(token) {
            Some(name) => Checked {
                name: name.to_string(),
                can_write: true,
            },
            None => match oauth {
                None => {
                    return refuse(
                        StatusCode::UNAUTHORIZED,
                        None,
                        Some("invalid_token"),
                        None,
                        "the bearer token is not one this gateway accepts",
                    );
                }
                Some(o) => match o.verify(token).await {
                    Ok(grant) => Checked {
                        name: grant.subject,
                        can_write: grant.can_write,
                    },
                    Err(Refused::InvalidToken(why)) => {
                        return refuse(
                            StatusCode::UNAUTHORIZED,
                            oauth,
                            Some("invalid_token"),
                            None,
                            &format!("the access token is not valid for this server: {why}"),
                        );
                    }
                    Err(e @ Refused::NoScope { .. }) => {
                        return refuse(
                            StatusCode::FORBIDDEN,
                            oauth,
                            Some("insufficient_scope"),
                            Some(&o.read_scope),
                            &e.to_string(),
                        );
                    }
                    Err(e @ Refused::KeysUnavailable(_)) => {
                        tracing::error!(error = %e, "cannot check an OAuth access token");
                        return (
                            StatusCode::SERVICE_UNAVAILABLE,
                            axum::Json(json!({"error": "temporarily_unavailable", "message": e.to_string()})),
                        )
                            .into_response();
                    }
                },
            },
        },
    };
    let (mut parts, body) = req.into_parts();
    parts.headers.remove(header::AUTHORIZATION);
    parts.extensions.insert(Caller(checked.name.clone()));
    let body = if checked.can_write {
        body
    } else {
        // A read-only token: look at the call before anything runs.
        let bytes = match axum::body::to_bytes(body, max_body).await {
            Ok(b) => b,
            Err(_) => {
                return (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    axum::Json(json!({"error": "payload_too_large"})),
                )
                    .into_response();
            }
        };
        if let Some(tool) = body_writes(&gateway, &bytes) {
            let scope = oauth.map(|o| o.write_scope.clone()).unwrap_or_default();
            return refuse(
                StatusCode::FORBIDDEN,
                oauth,
                Some("insufficient_scope"),
                Some(&scope),
                &format!("`{tool}` changes monitoring state and needs the `{scope}` scope"),
            );
        }
        axum::body::Body::from(bytes)
    };
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::isolated(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    fn addr(s: &str) -> SocketAddr {
        s.parse().expect("address")
    }

    #[test]
    fn fails_closed_off_loopback() {
        let e = from_env(&env(&[]), addr("0.0.0.0:8001"))
            .expect_err("refused")
            .to_string();
        assert!(
            e.contains("MCP_HTTP_TOKEN") && e.contains("MCP_HTTP_ALLOW_UNAUTHENTICATED"),
            "{e}"
        );
        assert!(matches!(
            from_env(&env(&[]), addr("127.0.0.1:8001")),
            Ok(ClientAuth::Open)
        ));
        assert!(matches!(
            from_env(
                &env(&[("MCP_HTTP_ALLOW_UNAUTHENTICATED", "true")]),
                addr("0.0.0.0:8001")
            ),
            Ok(ClientAuth::Open)
        ));
        assert!(matches!(
            from_env(
                &env(&[("MCP_HTTP_TOKEN", "a-long-enough-secret-token-value")]),
                addr("0.0.0.0:8001")
            ),
            Ok(ClientAuth::Bearer(_))
        ));
    }

    #[test]
    fn named_tokens_from_a_file() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("tokens.yaml");
        std::fs::write(
            &path,
            "alice: alice-token-0123456789abcdef\nbob: bob-token-0123456789abcdef\n",
        )
        .expect("write");
        let path = path.display().to_string();
        let auth = from_env(
            &env(&[
                ("MCP_HTTP_TOKENS_FILE", &path),
                ("MCP_HTTP_TOKEN", "default-token-0123456789abcdef"),
            ]),
            addr("0.0.0.0:1"),
        )
        .expect("tokens");
        let ClientAuth::Bearer(v) = auth else {
            panic!("tokens expected");
        };
        let set = &v.tokens;
        assert_eq!(set.names(), ["default", "alice", "bob"]);
        assert_eq!(set.verify("bob-token-0123456789abcdef"), Some("bob"));
        assert_eq!(
            set.verify("default-token-0123456789abcdef"),
            Some("default")
        );
        assert_eq!(set.verify("bob-token-0123456789abcde"), None);
        assert_eq!(set.verify(""), None);
        std::fs::write(
            dir.path().join("dup.yaml"),
            "a: same-token-value-0123456789\nb: same-token-value-0123456789\n",
        )
        .expect("write");
        let e = from_env(
            &env(&[(
                "MCP_HTTP_TOKENS_FILE",
                &dir.path().join("dup.yaml").display().to_string(),
            )]),
            addr("127.0.0.1:1"),
        )
        .expect_err("duplicate")
        .to_string();
        assert!(e.contains("same as another"), "{e}");
        std::fs::write(dir.path().join("bad.yaml"), "- just a list\n").expect("write");
        let e = from_env(
            &env(&[(
                "MCP_HTTP_TOKENS_FILE",
                &dir.path().join("bad.yaml").display().to_string(),
            )]),
            addr("127.0.0.1:1"),
        )
        .expect_err("not a map")
        .to_string();
        assert!(e.contains("YAML map"), "{e}");
    }

    #[test]
    fn origins() {
        let o = allowed_origins(&env(&[]), &["mcp.example.com".to_string()]).expect("list");
        assert!(o.contains(&"http://localhost:*".to_string()));
        assert!(o.contains(&"https://mcp.example.com:443".to_string()));
        let o = allowed_origins(
            &env(&[(
                "MCP_HTTP_ALLOWED_ORIGINS",
                "https://a.example/, https://b.example",
            )]),
            &[],
        )
        .expect("list");
        assert_eq!(o, ["https://a.example", "https://b.example"]);
        assert_eq!(
            allowed_origins(&env(&[("MCP_HTTP_ALLOWED_ORIGINS", "*")]), &[]),
            None
        );
    }
}
