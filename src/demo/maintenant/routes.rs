//! Request handling of the maintenant demo: the route table under `/api/v1`, the dispatch
//! to the handlers (`containers`, `monitors`, `alerts`, `statuspage`, `instance`), and the
//! query-string and body helpers they share. [`serve`] is pure, so tests can call it with a
//! fixed `now`.

use super::store::Store;
use super::{ApiError, Edition, alerts, containers, instance, monitors, statuspage};
use axum::http::Method;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// One request as the handlers see it.
pub struct Request<'a> {
    pub method: &'a Method,
    /// Raw (percent-encoded) path.
    pub path: &'a str,
    pub url: &'a [(String, String)],
    pub body: &'a [u8],
    pub edition: Edition,
    pub now: DateTime<Utc>,
}

impl Request<'_> {
    pub fn params(&self) -> Params<'_> {
        Params(self.url)
    }
}

/// A successful answer: status and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn ok(body: Value) -> Result<Reply, ApiError> {
        Ok(Reply { status: 200, body })
    }

    pub fn created(body: Value) -> Result<Reply, ApiError> {
        Ok(Reply { status: 201, body })
    }
}

/// The query string.
#[derive(Debug, Clone, Copy)]
pub struct Params<'a>(&'a [(String, String)]);

impl<'a> Params<'a> {
    /// The first non-empty value of a parameter (Go's `Query().Get` treats empty as unset).
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Whether a parameter is exactly `true`.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name) == Some("true")
    }

    /// An integer parameter; anything else is `400 INVALID_PARAM`.
    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.trim().parse::<i64>().map_err(|_| {
                    ApiError::bad("INVALID_PARAM", format!("{name} must be an integer"))
                })
            })
            .transpose()
    }

    /// An integer parameter, ignored when it is not one or below `min` (as maintenant's
    /// handlers that `strconv.Atoi` and fall back to the default do).
    pub fn lenient_int(&self, name: &str, min: i64) -> Option<i64> {
        self.get(name)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|n| *n >= min)
    }

    /// An RFC 3339 time; anything else is `None`.
    pub fn time(&self, name: &str) -> Option<Result<DateTime<Utc>, ()>> {
        self.get(name).map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| ())
        })
    }
}

/// An integer path id; anything else is `400 <code>`.
pub fn parse_id(raw: &str, code: &'static str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::bad(code, format!("invalid {what} ID")))
}

/// A JSON body as an object: `Err(())` when it is not valid JSON or not an object (each
/// handler answers that with its own code).
pub fn body_object(body: &[u8]) -> Result<Map<String, Value>, ()> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        _ => Err(()),
    }
}

/// A string member of a body; absent, null and non-string members are `None`.
pub fn body_str<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

/// A paging slice: `offset` then at most `limit` items.
pub fn page<T: Clone>(items: &[T], offset: usize, limit: usize) -> Vec<T> {
    items.iter().skip(offset).take(limit).cloned().collect()
}

/// A non-negative `i64` as a `usize` (negative values count as 0).
pub fn to_usize(n: i64) -> usize {
    usize::try_from(n.max(0)).unwrap_or(usize::MAX)
}

/// Every route under `/api/v1`, with its path ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route<'a> {
    Health,
    Runtime,
    Edition,
    Containers,
    Container(&'a str),
    Transitions(&'a str),
    Logs(&'a str),
    ContainerResources(&'a str),
    Endpoints,
    Endpoint(&'a str),
    Checks(&'a str),
    Heartbeats,
    Heartbeat(&'a str),
    Pause(&'a str),
    Resume(&'a str),
    Certificates,
    Certificate(&'a str),
    Alerts,
    ActiveAlerts,
    Alert(&'a str),
    Acknowledge(&'a str),
    ResourceSummary,
    TopConsumers,
    Updates,
    Components,
    Incidents,
    IncidentUpdates(&'a str),
    Maintenance,
}

impl<'a> Route<'a> {
    fn parse(segs: &[&'a str]) -> Option<Route<'a>> {
        Some(match *segs {
            ["health"] => Route::Health,
            ["runtime", "status"] => Route::Runtime,
            ["edition"] => Route::Edition,
            ["containers"] => Route::Containers,
            ["containers", id] => Route::Container(id),
            ["containers", id, "transitions"] => Route::Transitions(id),
            ["containers", id, "logs"] => Route::Logs(id),
            ["containers", id, "resources", "current"] => Route::ContainerResources(id),
            ["endpoints"] => Route::Endpoints,
            ["endpoints", id] => Route::Endpoint(id),
            ["endpoints", id, "checks"] => Route::Checks(id),
            ["heartbeats"] => Route::Heartbeats,
            ["heartbeats", id] => Route::Heartbeat(id),
            ["heartbeats", id, "pause"] => Route::Pause(id),
            ["heartbeats", id, "resume"] => Route::Resume(id),
            ["certificates"] => Route::Certificates,
            ["certificates", id] => Route::Certificate(id),
            ["alerts"] => Route::Alerts,
            ["alerts", "active"] => Route::ActiveAlerts,
            ["alerts", id] => Route::Alert(id),
            ["alerts", id, "acknowledge"] => Route::Acknowledge(id),
            ["resources", "summary"] => Route::ResourceSummary,
            ["resources", "top"] => Route::TopConsumers,
            ["updates"] => Route::Updates,
            ["status", "components"] => Route::Components,
            ["status", "incidents"] => Route::Incidents,
            ["status", "incidents", id, "updates"] => Route::IncidentUpdates(id),
            ["status", "maintenance"] => Route::Maintenance,
            _ => return None,
        })
    }
}

/// The decoded path segments under `/api/v1`, if the path is there.
fn segments(path: &str) -> Option<Vec<String>> {
    let rest = path.strip_prefix("/api/v1")?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    Some(
        rest.split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect(),
    )
}

/// Answers one request under `/api/v1`; the error carries the status.
pub fn serve(store: &mut Store, req: &Request<'_>) -> Result<Reply, ApiError> {
    let not_found = || ApiError::new(404, "NOT_FOUND", "route not found");
    let segs = segments(req.path).ok_or_else(not_found)?;
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let route = Route::parse(&segs).ok_or_else(not_found)?;
    let get = *req.method == Method::GET;
    let post = *req.method == Method::POST;
    match route {
        Route::Health if get => instance::health(),
        Route::Runtime if get => instance::runtime(store),
        Route::Edition if get => instance::edition(store, req.edition),
        Route::Containers if get => containers::list(store, req),
        Route::Container(id) if get => containers::detail(store, id),
        Route::Transitions(id) if get => containers::transitions(store, id, req),
        Route::Logs(id) if get => containers::logs(store, id, req),
        Route::ContainerResources(id) if get => containers::resources(store, id, req),
        Route::Endpoints if get => monitors::endpoints(store, req),
        Route::Endpoint(id) if get => monitors::endpoint(store, id),
        Route::Checks(id) if get => monitors::checks(store, id, req),
        Route::Heartbeats if get => monitors::heartbeats(store, req),
        Route::Heartbeat(id) if get => monitors::heartbeat(store, id),
        Route::Pause(id) if post => monitors::pause(store, id, req),
        Route::Resume(id) if post => monitors::resume(store, id, req),
        Route::Certificates if get => monitors::certificates(store, req),
        Route::Certificate(id) if get => monitors::certificate(store, id, req),
        Route::Alerts if get => alerts::list(store, req),
        Route::ActiveAlerts if get => alerts::active(store),
        Route::Alert(id) if get => alerts::detail(store, id),
        Route::Acknowledge(id) if post => alerts::acknowledge(store, id, req),
        Route::ResourceSummary if get => instance::summary(store, req),
        Route::TopConsumers if get => instance::top(store, req),
        Route::Updates if get => instance::updates(store, req),
        Route::Components if get => statuspage::components(store),
        Route::Incidents if get => statuspage::incidents(store, req),
        Route::Incidents if post => statuspage::create_incident(store, req),
        Route::IncidentUpdates(id) if post => statuspage::add_update(store, id, req),
        Route::Maintenance if get => statuspage::maintenance(store, req),
        Route::Maintenance if post => statuspage::create_maintenance(store, req),
        _ => Err(ApiError::new(
            405,
            "METHOD_NOT_ALLOWED",
            format!("method {} not allowed on {}", req.method, req.path),
        )),
    }
}
