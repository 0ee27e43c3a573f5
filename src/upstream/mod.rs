//! The upstream client: the one place that talks HTTP to a backend.
//!
//! It owns everything a tool must not care about: the base URL and API root, authentication
//! headers, TLS and timeouts, reading a bounded body, and turning an upstream failure into a
//! [`ToolError`] with a stable code, a hint and the upstream status (secrets scrubbed). The
//! client is a `reqwest_middleware` stack, so retries and the rate limit are layers added
//! around it in one place ([`layers`]), never inside a tool. Around that stack, in this order:
//! the read cache with request coalescing ([`cache`]), then the cap on requests in flight.

pub mod cache;
pub mod layers;

use crate::catalog::{Access, Connection, ErrorRule, HttpMethod};
use crate::error::{ErrorCode, StartupError, ToolError};
use crate::settings::{self, Env};
use cache::{CacheKey, ReadCache};
use layers::{Rate, RateLimitWait, RetrySettings};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// What a probe of the backend found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Probe {
    /// The backend answered (with a status below 500).
    pub reachable: bool,
    /// The HTTP status of the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub ms: u64,
    /// Why there was no answer (`TIMEOUT`, `CONNECTION_ERROR`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The limits and resilience settings of one upstream client.
#[derive(Debug, Clone, PartialEq)]
pub struct Tuning {
    pub retry: RetrySettings,
    /// Most requests in flight at once; 0 = unlimited.
    pub max_concurrent: usize,
    /// Upstream request rate limit.
    pub rate: Option<Rate>,
    /// Connect timeout; default the smaller of the total timeout and 10 s.
    pub connect_timeout: Option<Duration>,
    /// Largest answer read into memory.
    pub max_body: usize,
    /// Read cache and coalescing on or off.
    pub cache: bool,
    /// Bound of the read cache, in bytes of JSON.
    pub cache_max_bytes: u64,
    /// The instance's name in metrics; the backend's name when empty.
    pub label: String,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            retry: RetrySettings::default(),
            max_concurrent: 0,
            rate: None,
            connect_timeout: None,
            max_body: DEFAULT_MAX_BODY_BYTES,
            label: String::new(),
            cache: true,
            cache_max_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Largest upstream body read into memory.
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    None,
    Form(Vec<(String, String)>),
    Json(Value),
}

/// One upstream request, described independently of HTTP plumbing.
#[derive(Debug, Clone)]
pub struct UpstreamRequest {
    pub method: HttpMethod,
    /// Path under the API root, already percent-encoded, starting with `/`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Body,
    /// What the tool does. A read may be retried whatever its method (Thruk reads via POST).
    pub access: Access,
    /// Overrides the configured total timeout.
    pub timeout: Option<Duration>,
    /// How long the answer may be kept (reads only); `None` = not kept, only coalesced.
    pub cache_ttl: Option<Duration>,
}

/// A header the catalog asked for, resolved from the environment.
#[derive(Debug, Clone)]
struct ResolvedHeader {
    name: HeaderName,
    value: Option<HeaderValue>,
    secret_text: Option<String>,
    user: bool,
    required: bool,
    missing_hint: Option<String>,
    env: Option<String>,
    /// Client request headers that supply the value per request (key passthrough on).
    from_client: Vec<HeaderName>,
}

/// Upstream header values taken from one MCP client request (key passthrough). They are
/// used for that request only: never stored, logged or shown.
#[derive(Clone, Default)]
pub struct ClientKeys {
    values: Vec<(HeaderName, HeaderValue, String)>,
}

impl std::fmt::Debug for ClientKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.values.iter().map(|(n, _, _)| n.as_str()).collect();
        write!(f, "ClientKeys({names:?}, values redacted)")
    }
}

impl ClientKeys {
    fn get(&self, name: &HeaderName) -> Option<&HeaderValue> {
        self.values
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, _)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Removes the keys from text shown to users or logs.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (_, _, secret) in &self.values {
            if secret.len() >= 3 {
                out = out.replace(secret.as_str(), "***");
            }
        }
        out
    }
}

struct CompiledRule {
    status: u16,
    pattern: Option<RulePattern>,
    code: ErrorCode,
    hint: Option<String>,
}

/// An error rule's pattern, checked at start-up and compiled when an error first needs it:
/// building the automata of a catalog's rules cost a fifth of the start-up.
struct RulePattern {
    text: String,
    compiled: std::sync::OnceLock<Option<regex::Regex>>,
}

impl RulePattern {
    /// Checks the syntax only (cheap), so a bad pattern still stops lookout at start-up.
    fn new(text: &str) -> Result<Self, String> {
        regex_syntax::ParserBuilder::new()
            .case_insensitive(true)
            .build()
            .parse(text)
            .map_err(|e| e.to_string())?;
        Ok(RulePattern {
            text: text.to_string(),
            compiled: std::sync::OnceLock::new(),
        })
    }

    /// Whether the pattern matches anywhere in `text`, ignoring case.
    fn is_match(&self, text: &str) -> bool {
        self.compiled
            .get_or_init(|| {
                regex::RegexBuilder::new(&self.text)
                    .case_insensitive(true)
                    .build()
                    .ok()
            })
            .as_ref()
            .is_some_and(|re| re.is_match(text))
    }
}

/// What the HTTP client of a backend is built from.
struct ClientSpec {
    backend: String,
    timeout: Duration,
    connect_timeout: Duration,
    verify_tls: bool,
    retry: layers::RetrySettings,
    rate: Option<layers::Rate>,
    label: String,
}

/// The HTTP client with its layers, built on first use. Building it loads the system's CA
/// certificates, about a fifth of lookout's start-up, which a run that only lists tools
/// (the Docker MCP Gateway's first start, `lookout tools`) never needs.
struct LazyClient {
    spec: ClientSpec,
    cell: std::sync::OnceLock<Result<reqwest_middleware::ClientWithMiddleware, String>>,
}

impl LazyClient {
    fn new(spec: ClientSpec) -> Self {
        LazyClient {
            spec,
            cell: std::sync::OnceLock::new(),
        }
    }

    fn get(&self) -> Result<&reqwest_middleware::ClientWithMiddleware, ToolError> {
        let built = self.cell.get_or_init(|| {
            let s = &self.spec;
            reqwest::Client::builder()
                .timeout(s.timeout)
                .connect_timeout(s.connect_timeout)
                .danger_accept_invalid_certs(!s.verify_tls)
                // A redirect from a REST API is a login page (OMD's Apache answers 302):
                // report it, never follow it and parse HTML.
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("lookout/", env!("CARGO_PKG_VERSION")))
                .build()
                .map(|http| layers::build(http, s.retry, s.rate, s.timeout, &s.label))
                .map_err(|e| error_chain(&e))
        });
        built.as_ref().map_err(|e| {
            ToolError::new(
                ErrorCode::Internal,
                format!("{}: cannot build the HTTP client: {e}", self.spec.backend),
            )
        })
    }
}

/// The HTTP client of one backend instance.
pub struct Upstream {
    client: LazyClient,
    base_url: String,
    root: String,
    headers: Vec<ResolvedHeader>,
    rules: Vec<CompiledRule>,
    timeout: Duration,
    max_body: usize,
    backend: String,
    cache: Option<ReadCache>,
    in_flight: Option<Arc<Semaphore>>,
    user: Option<String>,
    passthrough: bool,
    /// Credential texts that are not a header value as such (a basic-auth password).
    secrets: Vec<String>,
}

impl Upstream {
    /// Resolves the connection settings and builds the client. Never contacts the backend.
    /// With `passthrough`, headers that can come from the client are taken from each request
    /// ([`ClientKeys`]) and their configured values are never sent.
    pub fn new(
        backend: &str,
        conn: &Connection,
        rules: &[ErrorRule],
        env: &Env,
        tuning: &Tuning,
        passthrough: bool,
    ) -> Result<Self, StartupError> {
        let base_url = env
            .resolve(&conn.base_url)
            .map(|v| settings::as_text(&v))
            .ok_or_else(|| {
                StartupError::Config(format!(
                    "{backend}: no base URL; set {}",
                    conn.base_url.env.as_deref().unwrap_or("the base URL")
                ))
            })?;
        let setting = conn.base_url.env.as_deref().unwrap_or("base URL");
        let given = base_url.clone();
        let base_url = base_url.trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base_url).map_err(|e| {
            StartupError::Config(format!(
                "{backend}: {setting}=`{given}` is not a URL ({e}); give one such as https://monitor.example.com"
            ))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(StartupError::Config(format!(
                "{backend}: {setting}=`{given}` must start with http:// or https://"
            )));
        }
        let timeout_secs = match env.resolve(&conn.timeout_secs) {
            None => 30.0,
            Some(v) => settings::as_text(&v)
                .parse::<f64>()
                .ok()
                .filter(|s| *s > 0.0 && s.is_finite())
                .ok_or_else(|| {
                    StartupError::Config(format!(
                        "{backend}: timeout `{}` is not a positive number of seconds",
                        settings::as_text(&v)
                    ))
                })?,
        };
        let verify_tls = match env.resolve(&conn.verify_tls) {
            None => true,
            Some(Value::Bool(b)) => b,
            Some(v) => settings::parse_bool(&settings::as_text(&v)).ok_or_else(|| {
                StartupError::Config(format!(
                    "{backend}: TLS verification `{}` is not true or false",
                    settings::as_text(&v)
                ))
            })?,
        };
        if !verify_tls {
            tracing::warn!(
                backend,
                "TLS certificate verification is OFF for this backend: use only on a trusted network"
            );
        }
        let mut headers = Vec::new();
        for h in &conn.headers {
            let name = HeaderName::from_bytes(h.name.as_bytes()).map_err(|e| {
                StartupError::Config(format!("{backend}: header name `{}`: {e}", h.name))
            })?;
            let from_client = h
                .from_client
                .iter()
                .map(|c| {
                    HeaderName::from_bytes(c.as_bytes()).map_err(|e| {
                        StartupError::Config(format!("{backend}: client header name `{c}`: {e}"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let passed = passthrough && !from_client.is_empty();
            let text = env.resolve(&h.value).map(|v| settings::as_text(&v));
            if passed && text.is_some() {
                tracing::warn!(
                    backend,
                    header = %h.name,
                    "key passthrough is on: the configured {} is never sent; each request's own key is",
                    h.value.env.as_deref().unwrap_or("value")
                );
            }
            let text = if passed { None } else { text };
            let value = match &text {
                None => None,
                Some(t) => Some(HeaderValue::from_str(t).map_err(|_| {
                    StartupError::Config(format!(
                        "{backend}: the value of {} is not a valid header value",
                        h.value.env.as_deref().unwrap_or(&h.name)
                    ))
                })?),
            };
            let value = value.map(|mut v| {
                v.set_sensitive(h.secret);
                v
            });
            headers.push(ResolvedHeader {
                name,
                value,
                secret_text: if h.secret { text.clone() } else { None },
                user: h.user,
                required: h.required,
                missing_hint: h.missing_hint.clone(),
                env: h.value.env.clone(),
                from_client: if passed { from_client } else { Vec::new() },
            });
        }
        let mut secrets = Vec::new();
        if let Some(proxy) = &conn.proxy_auth {
            for (name, value, texts) in proxy_auth_headers(backend, proxy, env)? {
                secrets.extend(texts);
                headers.push(ResolvedHeader {
                    name,
                    value: Some(value),
                    secret_text: None,
                    user: false,
                    required: false,
                    missing_hint: None,
                    env: None,
                    from_client: Vec::new(),
                });
            }
        }
        let mut compiled = Vec::new();
        for r in rules {
            compiled.push(CompiledRule {
                status: r.status,
                pattern: match &r.pattern {
                    Some(p) => Some(RulePattern::new(p).map_err(|e| {
                        StartupError::Config(format!("{backend}: error rule `{p}`: {e}"))
                    })?),
                    None => None,
                },
                code: ErrorCode::parse(&r.code).unwrap_or(ErrorCode::UpstreamError),
                hint: r.hint.clone(),
            });
        }
        let label = if tuning.label.is_empty() {
            backend.to_string()
        } else {
            tuning.label.clone()
        };
        let timeout = Duration::from_secs_f64(timeout_secs);
        let client = LazyClient::new(ClientSpec {
            backend: backend.to_string(),
            timeout,
            connect_timeout: tuning
                .connect_timeout
                .unwrap_or(Duration::from_secs_f64(timeout_secs.min(10.0))),
            verify_tls,
            retry: tuning.retry,
            rate: tuning.rate,
            label: label.clone(),
        });
        let user = headers
            .iter()
            .find(|h| h.user)
            .and_then(|h| h.value.as_ref())
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Ok(Upstream {
            client,
            root: format!("{base_url}{}", conn.api_root.trim_end_matches('/')),
            base_url,
            headers,
            rules: compiled,
            timeout,
            max_body: tuning.max_body,
            backend: backend.to_string(),
            cache: tuning
                .cache
                .then(|| ReadCache::new(tuning.cache_max_bytes, &label)),
            in_flight: (tuning.max_concurrent > 0)
                .then(|| Arc::new(Semaphore::new(tuning.max_concurrent))),
            user,
            passthrough,
            secrets,
        })
    }

    /// Whether per-request client keys replace configured credentials.
    pub fn passthrough(&self) -> bool {
        self.passthrough
    }

    /// The client request headers that can carry a key, in order (empty without passthrough).
    pub fn client_key_headers(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for h in &self.headers {
            for c in &h.from_client {
                if !out.iter().any(|o| o == c.as_str()) {
                    out.push(c.as_str().to_string());
                }
            }
        }
        out
    }

    /// Picks this backend's upstream headers out of an MCP client's HTTP request headers:
    /// for each passthrough header, the first client header present (a `Bearer ` prefix of
    /// `Authorization` is stripped). Empty when passthrough is off.
    pub fn client_keys(&self, request: &HeaderMap) -> ClientKeys {
        let mut values = Vec::new();
        for h in &self.headers {
            let found = h.from_client.iter().find_map(|c| {
                let raw = request.get(c)?.to_str().ok()?.trim();
                let key = if c == reqwest::header::AUTHORIZATION {
                    match raw.split_once(' ') {
                        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => {
                            rest.trim()
                        }
                        _ => raw,
                    }
                } else {
                    raw
                };
                (!key.is_empty()).then(|| key.to_string())
            });
            if let Some(key) = found
                && let Ok(mut value) = HeaderValue::from_str(&key)
            {
                value.set_sensitive(true);
                values.push((h.name.clone(), value, key));
            }
        }
        ClientKeys { values }
    }

    /// The backend's base URL as configured.
    /// The backend's name (`thruk`), for messages.
    pub fn backend(&self) -> &str {
        &self.backend
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The REST root every request stays under.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The configured total timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The upstream user the gateway acts as, when a header names one (`X-Thruk-Auth-User`).
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// Removes credential values from text shown to users or logs.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        let texts = self
            .headers
            .iter()
            .filter_map(|h| h.secret_text.as_deref())
            .chain(self.secrets.iter().map(String::as_str));
        for secret in texts.filter(|s| s.len() >= 3) {
            out = out.replace(secret, "***");
        }
        out
    }

    /// Sends a catalog's probe request once, with the configured credentials (a client's own
    /// key is not needed: any answer shows the backend is up), within `timeout`.
    pub async fn probe(&self, req: &crate::catalog::RequestDef, timeout: Duration) -> Probe {
        let started = std::time::Instant::now();
        let mut headers = HeaderMap::new();
        for h in self.headers.iter().filter(|h| h.from_client.is_empty()) {
            if let Some(v) = &h.value {
                headers.insert(h.name.clone(), v.clone());
            }
        }
        let method = reqwest::Method::from_bytes(req.method.as_str().as_bytes())
            .unwrap_or(reqwest::Method::GET);
        let client = match self.client.get() {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(backend = %self.backend, error = %e.message, "no HTTP client");
                return Probe {
                    reachable: false,
                    status: None,
                    ms: 0,
                    error: Some(e.code.as_str().to_string()),
                };
            }
        };
        let mut builder = client
            .request(method, format!("{}{}", self.root, req.path))
            .headers(headers)
            .timeout(timeout)
            .with_extension(layers::Attempts::default());
        let query: Vec<(&str, &str)> = req
            .query
            .iter()
            .filter_map(|(k, v)| match v {
                crate::catalog::ValueSpec::Template(t) => Some((k.as_str(), t.as_str())),
                _ => None,
            })
            .collect();
        if !query.is_empty() {
            builder = builder.query(&query);
        }
        if let Some(body) = &req.body
            && body.encoding == crate::catalog::BodyEncoding::Json
        {
            let fields: serde_json::Map<String, Value> = body
                .fields
                .iter()
                .filter_map(|(k, v)| match v {
                    crate::catalog::ValueSpec::Mapped(m) => {
                        m.literal.clone().map(|l| (k.clone(), l))
                    }
                    crate::catalog::ValueSpec::Template(t) => {
                        Some((k.clone(), Value::String(t.clone())))
                    }
                    crate::catalog::ValueSpec::FirstOf(_) => None,
                })
                .collect();
            builder = builder.json(&Value::Object(fields));
        }
        let outcome = builder.send().await;
        let ms = started.elapsed().as_millis() as u64;
        match outcome {
            Ok(r) => Probe {
                reachable: r.status().as_u16() < 500,
                status: Some(r.status().as_u16()),
                ms,
                error: None,
            },
            Err(e) => Probe {
                reachable: false,
                status: None,
                ms,
                error: Some(self.transport_error(&e).code.as_str().to_string()),
            },
        }
    }

    /// Fails when a required credential is missing, before anything is sent.
    fn check_credentials(&self, keys: Option<&ClientKeys>) -> Result<HeaderMap, ToolError> {
        let mut map = HeaderMap::new();
        for h in &self.headers {
            let value = if h.from_client.is_empty() {
                h.value.as_ref()
            } else {
                keys.and_then(|k| k.get(&h.name))
            };
            match value {
                Some(v) => {
                    map.insert(h.name.clone(), v.clone());
                }
                None if !h.from_client.is_empty() => {
                    let names: Vec<&str> = h.from_client.iter().map(HeaderName::as_str).collect();
                    return Err(ToolError::new(
                        ErrorCode::AuthFailed,
                        format!(
                            "this gateway forwards each request's own {} key, and this request carries none",
                            self.backend
                        ),
                    )
                    .with_hint(format!(
                        "Send the key in the {} header of the HTTP request.",
                        names.join(" or ")
                    )));
                }
                None if h.required => {
                    let var = h.env.as_deref().unwrap_or(h.name.as_str());
                    let hint = h
                        .missing_hint
                        .clone()
                        .unwrap_or_else(|| format!("Set {var} and restart lookout."));
                    return Err(ToolError::new(
                        ErrorCode::AuthFailed,
                        format!(
                            "{} credential is not configured: {var} is unset",
                            self.backend
                        ),
                    )
                    .with_hint(hint));
                }
                None => {}
            }
        }
        Ok(map)
    }

    /// Sends one request and returns the parsed JSON answer (`null` for an empty body). Reads
    /// go through the cache, which also merges identical reads in flight.
    pub async fn send(
        &self,
        req: &UpstreamRequest,
        keys: Option<&ClientKeys>,
    ) -> Result<Value, ToolError> {
        let headers = self.check_credentials(keys)?;
        match &self.cache {
            Some(cache) if req.access == Access::Read => {
                let key = CacheKey {
                    method: req.method.as_str(),
                    path: req.path.clone(),
                    query: req.query.clone(),
                    body: match &req.body {
                        Body::None => String::new(),
                        Body::Form(pairs) => serde_urlencoded::to_string(pairs).unwrap_or_default(),
                        Body::Json(v) => v.to_string(),
                    },
                    credentials: headers
                        .iter()
                        .map(|(k, v)| (k.as_str().to_string(), v.as_bytes().to_vec()))
                        .collect(),
                };
                let ttl = req.cache_ttl.unwrap_or(Duration::ZERO);
                cache
                    .get_or_fetch(key, ttl, self.exchange(req, headers))
                    .await
            }
            _ => self.exchange(req, headers).await.map(|(v, _)| v),
        }
    }

    /// One request with its retries, under the in-flight cap; the answer and its size.
    async fn exchange(
        &self,
        req: &UpstreamRequest,
        headers: HeaderMap,
    ) -> Result<(Value, usize), ToolError> {
        let _permit = match &self.in_flight {
            Some(sem) => Some(sem.clone().acquire_owned().await.map_err(|_| {
                ToolError::new(ErrorCode::Internal, "the gateway is shutting down")
            })?),
            None => None,
        };
        let url = format!("{}{}", self.root, req.path);
        let method = reqwest::Method::from_bytes(req.method.as_str().as_bytes())
            .unwrap_or(reqwest::Method::GET);
        let mut builder = self
            .client
            .get()?
            .request(method, &url)
            .headers(headers)
            .with_extension(req.access)
            .with_extension(layers::Attempts::default());
        if !req.query.is_empty() {
            builder = builder.query(&req.query);
        }
        builder = match &req.body {
            Body::None => builder,
            Body::Form(pairs) => builder.form(pairs),
            Body::Json(v) => builder.json(v),
        };
        if let Some(t) = req.timeout {
            builder = builder.timeout(t);
        }
        tracing::debug!(backend = %self.backend, method = req.method.as_str(), path = %req.path, "upstream request");
        let response = builder.send().await.map_err(|e| self.transport_error(&e))?;
        let status = response.status();
        let retry_after = layers::retry_after(&response);
        let location = response.headers().get(reqwest::header::LOCATION).is_some();
        let bytes = self.read_body(response).await?;
        if status.is_redirection() {
            return Err(ToolError::new(
                ErrorCode::AuthFailed,
                format!("{} answered with a redirect{}, not an API answer", self.backend, if location { " (to a login page?)" } else { "" }),
            )
            .with_hint("Check that the base URL points at the application root (e.g. https://host/site/thruk) and that the API key is accepted.")
            .with_status(status.as_u16()));
        }
        if status.is_success() {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok((Value::Null, 0));
            }
            let size = bytes.len();
            return serde_json::from_slice(&bytes).map(|v| (v, size)).map_err(|_| {
                ToolError::new(
                    ErrorCode::UpstreamError,
                    format!("{} answered HTTP {} with a body that is not JSON: {}", self.backend, status.as_u16(), self.snippet(&bytes)),
                )
                .with_hint("Check that the base URL points at the REST API and not at a web page or a proxy's error page.")
                .with_status(status.as_u16())
            });
        }
        Err(self.status_error(status.as_u16(), &bytes, retry_after))
    }

    async fn read_body(&self, mut response: reqwest::Response) -> Result<Vec<u8>, ToolError> {
        if let Some(len) = response.content_length()
            && len as usize > self.max_body
        {
            return Err(self.too_large());
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > self.max_body {
                        return Err(self.too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body),
                Err(e) => return Err(self.transport_error(&reqwest_middleware::Error::Reqwest(e))),
            }
        }
    }

    fn too_large(&self) -> ToolError {
        ToolError::new(
            ErrorCode::ResponseTooLarge,
            format!(
                "{} answered more than {} MiB",
                self.backend,
                self.max_body / (1024 * 1024)
            ),
        )
        .with_hint("Ask for fewer rows (limit) or fewer columns.")
    }

    fn snippet(&self, bytes: &[u8]) -> String {
        let text = String::from_utf8_lossy(bytes);
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let cut: String = flat.chars().take(300).collect();
        self.scrub(&cut)
    }

    fn transport_error(&self, e: &reqwest_middleware::Error) -> ToolError {
        let (e, retries) = layers::innermost(e);
        let tries = match retries {
            0 => String::new(),
            n => format!(" (after {} attempts)", n + 1),
        };
        let (timeout, connect) = match e {
            reqwest_middleware::Error::Reqwest(r) => (r.is_timeout(), r.is_connect()),
            reqwest_middleware::Error::Middleware(_) => (false, false),
        };
        if let reqwest_middleware::Error::Middleware(any) = e
            && let Some(wait) = any.downcast_ref::<RateLimitWait>()
        {
            let secs = wait.wait.as_secs_f64().ceil() as u64;
            return ToolError::new(
                ErrorCode::RateLimited,
                format!(
                    "the gateway's request rate limit for {} is exhausted",
                    self.backend
                ),
            )
            .with_hint(format!(
                "Try again in {secs} s, or ask the operator to raise the rate limit."
            ))
            .with_retry_after(secs);
        }
        if timeout {
            ToolError::new(ErrorCode::Timeout, format!("{} did not answer within {:?}{tries}", self.backend, self.timeout))
                .with_hint("The backend is slow or overloaded: try again in a minute, narrow the query (filters, limit), or raise the timeout.")
        } else if connect {
            ToolError::new(
                ErrorCode::ConnectionError,
                format!(
                    "cannot connect to {} at {}{tries}",
                    self.backend, self.base_url
                ),
            )
            .with_hint(
                "Check the base URL, that the server is running, and that this host can reach it.",
            )
        } else {
            // Display of a reqwest error contains the URL but never headers; scrub anyway.
            let detail = self.scrub(&error_chain(e));
            ToolError::new(
                ErrorCode::ConnectionError,
                format!("request to {} failed{tries}: {detail}", self.backend),
            )
            .with_hint("The connection dropped or the answer was cut; try again.")
        }
    }

    fn status_error(&self, status: u16, body: &[u8], retry_after: Option<Duration>) -> ToolError {
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        let upstream_message = parsed
            .as_ref()
            .and_then(error_text)
            .unwrap_or_else(|| self.snippet(body));
        let upstream_message = self.scrub(&upstream_message);
        let message = format!(
            "{} answered HTTP {status}: {upstream_message}",
            self.backend
        );
        for rule in &self.rules {
            if rule.status == status
                && rule
                    .pattern
                    .as_ref()
                    .is_none_or(|p| p.is_match(&upstream_message))
            {
                let mut err = ToolError::new(rule.code, message).with_status(status);
                if let Some(h) = &rule.hint {
                    err = err.with_hint(h.clone());
                }
                return err;
            }
        }
        let (code, hint) = match status {
            401 => (
                ErrorCode::AuthFailed,
                "The backend refused the credentials: check the API key.".to_string(),
            ),
            403 => (
                ErrorCode::Forbidden,
                "The credentials are valid but lack permission for this object or action."
                    .to_string(),
            ),
            404 => (
                ErrorCode::NotFound,
                "Check the names used; list tools show what exists.".to_string(),
            ),
            409 => (
                ErrorCode::Conflict,
                "The object is not in a state that allows this (already done, or changed meanwhile): read it again before retrying.".to_string(),
            ),
            408 | 504 => (
                ErrorCode::Timeout,
                "The backend or a proxy timed out: narrow the query and try again.".to_string(),
            ),
            429 => (
                ErrorCode::RateLimited,
                match retry_after {
                    Some(r) => format!(
                        "The backend is rate limiting: wait {} seconds before trying again.",
                        r.as_secs_f64().ceil() as u64
                    ),
                    None => "The backend is rate limiting: wait a minute before trying again."
                        .to_string(),
                },
            ),
            400..=499 => (
                ErrorCode::UpstreamError,
                "The backend rejected the request; check the arguments.".to_string(),
            ),
            _ => (
                ErrorCode::UpstreamError,
                "The backend failed; try again later or check its logs.".to_string(),
            ),
        };
        let err = ToolError::new(code, message)
            .with_hint(hint)
            .with_status(status);
        match retry_after {
            Some(r) if matches!(status, 429 | 503) => {
                err.with_retry_after(r.as_secs_f64().ceil() as u64)
            }
            _ => err,
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The headers a reverse proxy in front of the backend expects, from the catalog's
/// `proxy_auth` settings: `(name, value, texts to scrub)`. A basic-auth password is scrubbed
/// on its own as well as inside the encoded credential.
fn proxy_auth_headers(
    backend: &str,
    def: &crate::catalog::ProxyAuthDef,
    env: &Env,
) -> Result<Vec<(HeaderName, HeaderValue, Vec<String>)>, StartupError> {
    let value = |s: &crate::catalog::Setting| env.resolve(s).map(|v| settings::as_text(&v));
    let var =
        |s: &crate::catalog::Setting, what: &str| s.env.clone().unwrap_or_else(|| what.to_string());
    let sensitive = |text: &str, what: &str| {
        HeaderValue::from_str(text)
            .map(|mut v| {
                v.set_sensitive(true);
                v
            })
            .map_err(|_| {
                StartupError::Config(format!("{backend}: {what} is not a valid header value"))
            })
    };
    let mut out = Vec::new();
    let user = value(&def.basic_user);
    let password = value(&def.basic_password);
    let token = value(&def.bearer_token);
    let basic = match (user, password) {
        (Some(u), Some(p)) => Some((u, p)),
        (None, None) => None,
        (Some(_), None) => {
            return Err(StartupError::Config(format!(
                "{backend}: {} is set but {} is not; basic auth needs both",
                var(&def.basic_user, "the proxy user"),
                var(&def.basic_password, "the proxy password")
            )));
        }
        (None, Some(_)) => {
            return Err(StartupError::Config(format!(
                "{backend}: {} is set but {} is not; basic auth needs both",
                var(&def.basic_password, "the proxy password"),
                var(&def.basic_user, "the proxy user")
            )));
        }
    };
    if basic.is_some() && token.is_some() {
        return Err(StartupError::Config(format!(
            "{backend}: basic auth ({}) and a bearer token ({}) both use the Authorization header; set only one",
            var(&def.basic_user, "the proxy user"),
            var(&def.bearer_token, "the proxy token")
        )));
    }
    if let Some((user, password)) = basic {
        use base64::Engine as _;
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        let text = format!("Basic {encoded}");
        out.push((
            http::header::AUTHORIZATION,
            sensitive(&text, &var(&def.basic_password, "the proxy password"))?,
            vec![encoded, password],
        ));
    }
    if let Some(token) = token {
        out.push((
            http::header::AUTHORIZATION,
            sensitive(
                &format!("Bearer {token}"),
                &var(&def.bearer_token, "the proxy token"),
            )?,
            vec![token],
        ));
    }
    if let Some(line) = value(&def.header) {
        let what = var(&def.header, "the proxy header");
        let (name, text) = line.split_once(':').ok_or_else(|| {
            StartupError::Config(format!(
                "{backend}: {what} must be written `Name: value` (e.g. `Remote-User: lookout`)"
            ))
        })?;
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            StartupError::Config(format!(
                "{backend}: {what}: `{}` is not a header name",
                name.trim()
            ))
        })?;
        if name == http::header::AUTHORIZATION && !out.is_empty() {
            return Err(StartupError::Config(format!(
                "{backend}: {what} sets Authorization, which basic auth or the bearer token already sets"
            )));
        }
        let text = text.trim().to_string();
        out.push((name, sensitive(&text, &what)?, vec![text]));
    }
    Ok(out)
}

/// The message of an upstream error body, in the shapes backends use: `{"message": …}`,
/// `{"error": "…"}` (with an optional `description`), or an envelope
/// `{"error": {"code": "PRO_REQUIRED", "message": "…", …}}`, whose code leads the text and
/// whose other plain fields (`required_edition`, `feature`) follow it.
fn error_text(v: &Value) -> Option<String> {
    if let Some(envelope) = v.get("error").and_then(Value::as_object) {
        let message = envelope.get("message").and_then(Value::as_str);
        let code = envelope.get("code").and_then(Value::as_str);
        let mut text = match (code, message) {
            (Some(c), Some(m)) => format!("{c}: {m}"),
            (Some(c), None) => c.to_string(),
            (None, Some(m)) => m.to_string(),
            (None, None) => return None,
        };
        let details: Vec<String> = envelope
            .iter()
            .filter(|(k, _)| *k != "code" && *k != "message")
            .filter_map(|(k, v)| match v {
                Value::String(s) => Some(format!("{k}={s}")),
                Value::Number(n) => Some(format!("{k}={n}")),
                Value::Bool(b) => Some(format!("{k}={b}")),
                _ => None,
            })
            .collect();
        if !details.is_empty() {
            text.push_str(&format!(" ({})", details.join(", ")));
        }
        return Some(text);
    }
    let msg = ["message", "error"]
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str))?;
    let detail = ["error", "description"]
        .iter()
        .filter_map(|k| v.get(*k).and_then(Value::as_str))
        .find(|d| !d.is_empty() && *d != msg);
    Some(match detail {
        Some(d) => format!("{msg}: {d}"),
        None => msg.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{ProxyAuthDef, Setting};
    use serde_json::json;

    #[test]
    fn error_bodies_in_every_shape() {
        assert_eq!(
            error_text(&json!({"message": "no such host", "code": 404})).as_deref(),
            Some("no such host")
        );
        assert_eq!(
            error_text(&json!({"error": "Invalid API key", "description": "expired"})).as_deref(),
            Some("Invalid API key: expired")
        );
        assert_eq!(
            error_text(&json!({"error": {"code": "PRO_REQUIRED", "message": "needs Pro"}}))
                .as_deref(),
            Some("PRO_REQUIRED: needs Pro")
        );
        assert_eq!(
            error_text(&json!({"error": {
                "code": "EDITION_REQUIRED", "message": "incidents need a paid edition",
                "feature": "incidents", "required_edition": "personal", "nested": {"x": 1}
            }}))
            .as_deref(),
            Some(
                "EDITION_REQUIRED: incidents need a paid edition (feature=incidents, required_edition=personal)"
            )
        );
        assert_eq!(error_text(&json!({"error": {}})), None);
        assert_eq!(error_text(&json!([1, 2])), None);
    }

    fn setting(var: &str) -> Setting {
        Setting {
            env: Some(var.into()),
            default: None,
        }
    }

    fn proxy() -> ProxyAuthDef {
        ProxyAuthDef {
            basic_user: setting("U"),
            basic_password: setting("P"),
            bearer_token: setting("T"),
            header: setting("H"),
        }
    }

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::isolated(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn proxy_credentials_become_headers() {
        let headers = proxy_auth_headers("m", &proxy(), &env(&[("U", "lookout"), ("P", "pw")]))
            .expect("basic");
        assert_eq!(headers.len(), 1);
        assert_eq!(headers[0].0, http::header::AUTHORIZATION);
        assert_eq!(headers[0].1, "Basic bG9va291dDpwdw==");
        assert!(headers[0].1.is_sensitive());
        assert!(
            headers[0].2.contains(&"pw".to_string()),
            "the password is scrubbed"
        );
        let headers = proxy_auth_headers("m", &proxy(), &env(&[("T", "tok")])).expect("bearer");
        assert_eq!(headers[0].1, "Bearer tok");
        let headers = proxy_auth_headers(
            "m",
            &proxy(),
            &env(&[("T", "tok"), ("H", "Remote-User:  lookout ")]),
        )
        .expect("bearer and a header");
        assert_eq!(headers[1].0.as_str(), "remote-user");
        assert_eq!(headers[1].1, "lookout");
        assert!(
            proxy_auth_headers("m", &proxy(), &env(&[]))
                .expect("none")
                .is_empty(),
            "no proxy credentials at all"
        );
    }

    #[test]
    fn contradictory_proxy_credentials_are_refused() {
        for (pairs, expected) in [
            (vec![("U", "u")], "U is set but P is not"),
            (vec![("P", "p")], "P is set but U is not"),
            (
                vec![("U", "u"), ("P", "p"), ("T", "t")],
                "both use the Authorization header",
            ),
            (vec![("H", "no colon")], "must be written `Name: value`"),
            (vec![("H", "Bad Name: v")], "is not a header name"),
            (
                vec![("T", "t"), ("H", "Authorization: Basic x")],
                "already sets",
            ),
        ] {
            let e = proxy_auth_headers("m", &proxy(), &env(&pairs))
                .expect_err(expected)
                .to_string();
            assert!(e.contains(expected), "{pairs:?}: {e}");
        }
    }
}
