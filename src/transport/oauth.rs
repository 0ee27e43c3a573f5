//! OAuth 2.1 resource server: `/mcp` accepts JWT access tokens issued by an external
//! authorization server, as the MCP authorization spec asks of an HTTP server.
//!
//! - A token is valid when it is signed by a key of the issuer's JWKS (asymmetric algorithms
//!   only; the key set is fetched on first use, kept 10 minutes, and fetched again when a
//!   token names an unknown key, so key rotation needs no restart), its `iss` is the issuer,
//!   its `aud` holds this server's resource URL, and it has not expired.
//! - `/.well-known/oauth-protected-resource` (and its `/mcp`-suffixed twin) is the RFC 9728
//!   document naming the authorization server, so clients can discover it from the 401's
//!   `WWW-Authenticate: Bearer resource_metadata="…"`.
//! - Scopes map to tools: the read scope allows read tools, the write scope allows every tool.
//!   A call of a writing tool with a read-only token gets 403 `insufficient_scope`, before
//!   anything is sent.
//! - The client's token is removed from the request once checked, so it is never forwarded to
//!   a backend; its subject is the client named in audit lines, metrics and the rate limit.

use crate::error::StartupError;
use crate::settings::Env;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use std::collections::HashSet;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// How long a fetched key set is used before it is fetched again.
const JWKS_TTL: Duration = Duration::from_secs(600);
/// Default shortest time between two fetches caused by unknown key ids.
const REFETCH_GAP: Duration = Duration::from_secs(30);

/// The resource server's settings and key cache.
#[derive(Debug)]
pub struct OAuth {
    /// The authorization server (`iss`).
    pub issuer: String,
    /// This server's resource URL (the MCP endpoint's public URL), the required audience.
    pub resource: String,
    /// Where the issuer's keys are; discovered from its metadata when not configured.
    jwks_url: Option<String>,
    pub read_scope: String,
    pub write_scope: String,
    /// Shortest time between two key fetches caused by unknown key ids.
    refetch_gap: Duration,
    http: reqwest::Client,
    keys: RwLock<Option<KeyCache>>,
}

#[derive(Debug)]
struct KeyCache {
    set: JwkSet,
    fetched: Instant,
}

/// An accepted token: who, and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub subject: String,
    pub can_write: bool,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Not a valid token for this server (signature, issuer, audience, expiry, key).
    #[error("{0}")]
    InvalidToken(String),
    /// Valid, but with neither the read nor the write scope.
    #[error("the token has neither the `{read}` nor the `{write}` scope")]
    NoScope { read: String, write: String },
    /// The issuer's keys could not be fetched.
    #[error("the authorization server's keys cannot be fetched: {0}")]
    KeysUnavailable(String),
}

impl OAuth {
    /// Reads `MCP_OAUTH_ISSUER`, `MCP_RESOURCE_URL` and the optional JWKS URL and scopes;
    /// `None` when OAuth is not configured.
    pub fn from_env(env: &Env) -> Result<Option<OAuth>, StartupError> {
        let Some(issuer) = env.get("MCP_OAUTH_ISSUER") else {
            return Ok(None);
        };
        let resource = env.get("MCP_RESOURCE_URL").ok_or_else(|| {
            StartupError::Config(
                "MCP_OAUTH_ISSUER is set, so MCP_RESOURCE_URL must say this server's public MCP URL (e.g. https://mcp.example.com/mcp): tokens must be issued for it".into(),
            )
        })?;
        for (name, url) in [
            ("MCP_OAUTH_ISSUER", &issuer),
            ("MCP_RESOURCE_URL", &resource),
        ] {
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| StartupError::Config(format!("{name}={url}: not a URL: {e}")))?;
            if !matches!(parsed.scheme(), "https" | "http") {
                return Err(StartupError::Config(format!(
                    "{name}={url}: use an https URL"
                )));
            }
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("lookout/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| StartupError::Config(format!("OAuth HTTP client: {e}")))?;
        Ok(Some(OAuth {
            issuer: issuer.trim_end_matches('/').to_string(),
            resource: resource.trim_end_matches('/').to_string(),
            jwks_url: env.get("MCP_OAUTH_JWKS_URL"),
            read_scope: env
                .get("MCP_OAUTH_READ_SCOPE")
                .unwrap_or_else(|| "mcp:read".into()),
            write_scope: env
                .get("MCP_OAUTH_WRITE_SCOPE")
                .unwrap_or_else(|| "mcp:write".into()),
            refetch_gap: match env.get("MCP_OAUTH_JWKS_MIN_REFRESH_SECS") {
                None => REFETCH_GAP,
                Some(v) => v.parse::<u64>().map(Duration::from_secs).map_err(|_| {
                    StartupError::Config(format!(
                        "MCP_OAUTH_JWKS_MIN_REFRESH_SECS={v}: give a number of seconds"
                    ))
                })?,
            },
            http,
            keys: RwLock::new(None),
        }))
    }

    /// The RFC 9728 protected-resource metadata.
    pub fn metadata(&self) -> Value {
        serde_json::json!({
            "resource": self.resource,
            "authorization_servers": [self.issuer],
            "scopes_supported": [self.read_scope, self.write_scope],
            "bearer_methods_supported": ["header"],
            "resource_name": "lookout",
        })
    }

    /// Where the metadata is served, as clients are told in the 401 challenge.
    pub fn metadata_url(&self) -> String {
        let parsed = reqwest::Url::parse(&self.resource).ok();
        match parsed {
            Some(url) => {
                let origin = url.origin().ascii_serialization();
                let path = url.path().trim_end_matches('/');
                format!("{origin}/.well-known/oauth-protected-resource{path}")
            }
            None => format!("{}/.well-known/oauth-protected-resource", self.resource),
        }
    }

    /// Checks a bearer token.
    pub async fn verify(&self, token: &str) -> Result<Grant, Refused> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| Refused::InvalidToken(format!("not a JWT: {e}")))?;
        if !matches!(
            header.alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
                | Algorithm::ES256
                | Algorithm::ES384
                | Algorithm::EdDSA
        ) {
            return Err(Refused::InvalidToken(format!(
                "signing algorithm {:?} is not accepted",
                header.alg
            )));
        }
        let key = self.key_for(header.kid.as_deref()).await?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer, &format!("{}/", self.issuer)]);
        validation.set_audience(&[&self.resource, &format!("{}/", self.resource)]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = 30;
        let data = jsonwebtoken::decode::<Value>(token, &key, &validation)
            .map_err(|e| Refused::InvalidToken(format!("{e}")))?;
        let claims = data.claims;
        // `scope` (a space-separated string, RFC 8693/9068) and `scp` (a list, some issuers).
        let mut scopes: HashSet<&str> = claims
            .get("scope")
            .and_then(Value::as_str)
            .map(|s| s.split_whitespace().collect())
            .unwrap_or_default();
        if let Some(list) = claims.get("scp").and_then(Value::as_array) {
            scopes.extend(list.iter().filter_map(Value::as_str));
        }
        let can_write = scopes.contains(self.write_scope.as_str());
        if !can_write && !scopes.contains(self.read_scope.as_str()) {
            return Err(Refused::NoScope {
                read: self.read_scope.clone(),
                write: self.write_scope.clone(),
            });
        }
        let subject = ["sub", "client_id", "azp"]
            .iter()
            .find_map(|k| claims.get(*k).and_then(Value::as_str))
            .unwrap_or("oauth")
            .to_string();
        Ok(Grant { subject, can_write })
    }

    /// The decoding key for `kid`, fetching the key set when it is old or lacks that key.
    async fn key_for(&self, kid: Option<&str>) -> Result<DecodingKey, Refused> {
        let lookup = |cache: &Option<KeyCache>| -> Option<Result<DecodingKey, Refused>> {
            let cache = cache.as_ref()?;
            if cache.fetched.elapsed() > JWKS_TTL {
                return None;
            }
            let jwk = match kid {
                Some(kid) => cache.set.find(kid),
                None if cache.set.keys.len() == 1 => cache.set.keys.first(),
                None => {
                    return Some(Err(Refused::InvalidToken(
                        "the token names no key (kid) and the issuer has several".into(),
                    )));
                }
            }?;
            if matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)) {
                return Some(Err(Refused::InvalidToken(
                    "symmetric keys are not accepted".into(),
                )));
            }
            Some(
                DecodingKey::from_jwk(jwk)
                    .map_err(|e| Refused::InvalidToken(format!("the issuer's key: {e}"))),
            )
        };
        if let Some(found) = lookup(&*self.keys.read().await) {
            return found;
        }
        let mut cache = self.keys.write().await;
        // Another caller may have fetched meanwhile; do not hammer the issuer for unknown keys.
        if let Some(found) = lookup(&cache) {
            return found;
        }
        let recent = cache
            .as_ref()
            .is_some_and(|c| c.fetched.elapsed() < self.refetch_gap);
        if recent {
            return Err(Refused::InvalidToken(
                "the token is signed by a key the issuer does not publish".into(),
            ));
        }
        let set = self.fetch_keys().await?;
        *cache = Some(KeyCache {
            set,
            fetched: Instant::now(),
        });
        lookup(&cache).unwrap_or_else(|| {
            Err(Refused::InvalidToken(
                "the token is signed by a key the issuer does not publish".into(),
            ))
        })
    }

    async fn fetch_keys(&self) -> Result<JwkSet, Refused> {
        let url = match &self.jwks_url {
            Some(u) => u.clone(),
            None => self.discover_jwks_url().await?,
        };
        let set: JwkSet = self
            .get_json(&url)
            .await
            .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
            .map_err(Refused::KeysUnavailable)?;
        tracing::info!(keys = set.keys.len(), %url, "fetched the authorization server's keys");
        Ok(set)
    }

    /// The `jwks_uri` of the issuer's OpenID or OAuth metadata.
    async fn discover_jwks_url(&self) -> Result<String, Refused> {
        let mut last = String::new();
        for well_known in ["openid-configuration", "oauth-authorization-server"] {
            let url = format!("{}/.well-known/{well_known}", self.issuer);
            match self.get_json(&url).await {
                Ok(meta) => {
                    if let Some(jwks) = meta.get("jwks_uri").and_then(Value::as_str) {
                        return Ok(jwks.to_string());
                    }
                    last = format!("{url} has no jwks_uri");
                }
                Err(e) => last = format!("{url}: {e}"),
            }
        }
        Err(Refused::KeysUnavailable(last))
    }

    async fn get_json(&self, url: &str) -> Result<Value, String> {
        let r = self.http.get(url).send().await.map_err(|e| e.to_string())?;
        if !r.status().is_success() {
            return Err(format!("HTTP {}", r.status().as_u16()));
        }
        r.json::<Value>().await.map_err(|e| e.to_string())
    }
}
