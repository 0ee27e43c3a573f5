//! Request handling of the OneUptime demo: the generic CRUD router under `/api/<resource>`
//! (create, get-list, count, get-item, update, delete and their `POST …-item` aliases), the
//! telemetry router (get-list and count only), `project` (the key's own project), the
//! `APIKey` check with OneUptime's status codes (401 missing, 400 invalid, 422 not permitted),
//! and the list paging rules including the real server's quirks.

use super::ApiError;
use super::model::{self, Family, Model};
use super::query::{self, parse_query, parse_select, parse_sort, passes, render, render_all};
use super::store::Store;
use super::{
    ACME_PROJECT_ID, GLOBEX_PROJECT_ID, ONEUPTIME_DEMO_KEY, ONEUPTIME_DEMO_READONLY_KEY,
    ONEUPTIME_DEMO_TENANT_B_KEY, is_uuid,
};
use axum::http::{HeaderMap, Method};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

/// The largest `limit` the server accepts.
const MAX_LIMIT: u64 = 10_000;
const DEFAULT_LIMIT: u64 = 10;

/// What a request asks of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Create,
    List,
    Count,
    Get(String),
    Update(String),
    Delete(String),
}

impl Action {
    /// The verb OneUptime's permission messages use.
    fn verb(&self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::List | Action::Count | Action::Get(_) => "read",
            Action::Update(_) => "update",
            Action::Delete(_) => "delete",
        }
    }

    /// The permission a write needs, as in `CreateIncident`.
    fn permission(&self) -> Option<&'static str> {
        match self {
            Action::Create => Some("Create"),
            Action::Update(_) => Some("Edit"),
            Action::Delete(_) => Some("Delete"),
            _ => None,
        }
    }

    fn id(&self) -> Option<&str> {
        match self {
            Action::Get(id) | Action::Update(id) | Action::Delete(id) => Some(id),
            _ => None,
        }
    }
}

/// The resource and action of `/api/<segs…>`, if there is such a route.
pub fn route(method: &Method, segs: &[&str]) -> Option<(&'static Model, Action)> {
    let (first, rest) = segs.split_first()?;
    let model = model::get(first)?;
    let read = *method == Method::GET || *method == Method::POST;
    let action = match rest {
        [] if *method == Method::POST => Action::Create,
        ["get-list"] if read => Action::List,
        ["count"] if *method == Method::POST => Action::Count,
        [id, "get-item"] if read => Action::Get(id.to_string()),
        [id, "update-item"] if read => Action::Update(id.to_string()),
        [id, "delete-item"] if read => Action::Delete(id.to_string()),
        [id] if *method == Method::PUT => Action::Update(id.to_string()),
        [id] if *method == Method::DELETE => Action::Delete(id.to_string()),
        _ => return None,
    };
    let served = model.family == Family::Database || matches!(action, Action::List | Action::Count);
    served.then_some((model, action))
}

/// The demo's API keys: key, project, read-only.
const KEYS: [(&str, &str, bool); 3] = [
    (ONEUPTIME_DEMO_KEY, ACME_PROJECT_ID, false),
    (ONEUPTIME_DEMO_TENANT_B_KEY, GLOBEX_PROJECT_ID, false),
    (ONEUPTIME_DEMO_READONLY_KEY, ACME_PROJECT_ID, true),
];

/// Checks the `APIKey` header (any casing) for an action on a model; answers the key's project.
pub fn authenticate(
    headers: &HeaderMap,
    model: &Model,
    action: &Action,
) -> Result<&'static str, ApiError> {
    let Some(raw) = headers.get("apikey") else {
        return Err(ApiError::new(
            401,
            format!(
                "A user should be logged in to {} record of {}.",
                action.verb(),
                model.singular
            ),
        ));
    };
    let key = raw.to_str().unwrap_or_default().trim();
    let invalid = || ApiError::bad("Invalid API Key");
    if !is_uuid(key) {
        return Err(invalid());
    }
    let (_, project, read_only) = KEYS
        .iter()
        .find(|(k, _, _)| k.eq_ignore_ascii_case(key))
        .ok_or_else(invalid)?;
    if *read_only && let Some(permission) = action.permission() {
        return Err(ApiError::new(
            422,
            format!(
                "You do not have permissions to {} {}. You need one of these permissions: ProjectOwner, ProjectAdmin, {permission}{}",
                action.verb(),
                model.singular,
                model.name
            ),
        ));
    }
    Ok(project)
}

/// A JSON request body as an object (an empty body is an empty object).
pub fn body_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(ApiError::bad("The request body should be a JSON object")),
        Err(e) => Err(ApiError::bad(format!(
            "Invalid JSON in the request body: {e}"
        ))),
    }
}

fn url_number(url: &[(String, String)], name: &str) -> Result<Option<u64>, ApiError> {
    url.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| {
            v.trim()
                .parse::<u64>()
                .map_err(|_| ApiError::bad(format!("{name} should be a non-negative number")))
        })
        .transpose()
}

fn body_number(body: &Map<String, Value>, name: &str) -> Result<Option<u64>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64()),
        Some(Value::String(s)) if s.trim().parse::<u64>().is_ok() => Ok(s.trim().parse().ok()),
        Some(_) => Err(ApiError::bad(format!(
            "{name} should be a non-negative number"
        ))),
    }
}

/// `get-list`. Database resources read `skip`/`limit` from the URL, then the body, and echo
/// only the URL's values; telemetry resources read only the URL and answer a lower-bound
/// `count` with `hasMore`.
fn list(
    store: &Store,
    model: &'static Model,
    project: &str,
    url: &[(String, String)],
    body: &Map<String, Value>,
    sort_order: Option<Vec<String>>,
) -> Result<Value, ApiError> {
    let telemetry = model.family == Family::Telemetry;
    let url_skip = url_number(url, "skip")?;
    let url_limit = url_number(url, "limit")?;
    let (skip, limit) = if telemetry {
        (url_skip, url_limit)
    } else {
        (
            url_skip.or(body_number(body, "skip")?),
            url_limit.or(body_number(body, "limit")?),
        )
    };
    let (skip, limit) = (skip.unwrap_or(0), limit.unwrap_or(DEFAULT_LIMIT));
    if limit > MAX_LIMIT {
        return Err(ApiError::bad("Limit should be less than 10000"));
    }
    let conditions = parse_query(model, body.get("query"))?;
    let select = parse_select(model, body.get("select"))?;
    let sort = parse_sort(model, body.get("sort"), sort_order)?;
    let mut rows: Vec<_> = store
        .scoped(model, project)
        .filter(|r| passes(r, &conditions))
        .collect();
    query::sort_rows(&mut rows, &sort);
    let total = rows.len() as u64;
    let data: Vec<Value> = rows
        .iter()
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|r| render(store, project, r, &select))
        .collect();
    let returned = data.len() as u64;
    if telemetry {
        let has_more = total > skip.saturating_add(limit);
        return Ok(json!({
            "data": data,
            "count": skip + returned + u64::from(has_more),
            "skip": skip,
            "limit": limit,
            "hasMore": has_more,
        }));
    }
    Ok(json!({
        "data": data,
        "count": total,
        "skip": url_skip.unwrap_or(0),
        "limit": url_limit.unwrap_or(DEFAULT_LIMIT),
    }))
}

fn data_of(body: &Map<String, Value>) -> Result<&Map<String, Value>, ApiError> {
    match body.get("data") {
        Some(Value::Object(o)) => Ok(o),
        _ => Err(ApiError::bad("Data is required")),
    }
}

/// One parsed API request.
pub struct Request<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub url: &'a [(String, String)],
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub now: DateTime<Utc>,
}

/// Answers one request under `/api`; the error carries the status.
pub fn serve(store: &mut Store, req: &Request<'_>) -> Result<Value, ApiError> {
    let not_found = || ApiError::new(404, "Route not found");
    let rest = req.path.strip_prefix("/api/").ok_or_else(not_found)?;
    let segs: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let (model, action) = route(req.method, &segs).ok_or_else(not_found)?;
    let project = authenticate(req.headers, model, &action)?;
    if action.id().is_some_and(|id| !is_uuid(id)) {
        return Err(ApiError::bad("Invalid id: it should be a UUID"));
    }
    let body = body_object(req.body)?;
    match action {
        Action::Create => {
            let row = store.create(model, project, data_of(&body)?, req.now)?;
            Ok(render_all(model, &row))
        }
        Action::List => list(
            store,
            model,
            project,
            req.url,
            &body,
            query::sort_key_order(req.body),
        ),
        Action::Count => {
            let conditions = parse_query(model, body.get("query"))?;
            let count = store
                .scoped(model, project)
                .filter(|r| passes(r, &conditions))
                .count();
            Ok(json!({ "count": count }))
        }
        Action::Get(id) => {
            let select = parse_select(model, body.get("select"))?;
            Ok(store
                .find(model.path, project, &id)
                .map(|r| render(store, project, r, &select))
                .unwrap_or_else(|| json!({})))
        }
        Action::Update(id) => {
            let data = data_of(&body)?;
            if data.is_empty() {
                return Err(ApiError::bad("Data is required"));
            }
            store.update(model, project, &id, data, req.now)?;
            Ok(json!({}))
        }
        Action::Delete(id) => {
            store.delete(model, project, &id);
            Ok(json!({}))
        }
    }
}
