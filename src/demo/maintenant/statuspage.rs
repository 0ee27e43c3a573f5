//! The status-page admin routes of the maintenant demo: components, incidents and their
//! updates, maintenance windows. The writes are paid features (`403 PRO_REQUIRED` in the
//! Community edition, checked before the body) and answer errors with the lower-case codes
//! of maintenant's status handlers (`invalid_body`, `validation`, `not_found`).

use super::model::{MaintenanceWindow, to_json};
use super::routes::{Reply, Request, body_object, body_str, page, parse_id, to_usize};
use super::store::{NewIncident, NewWindow, Store};
use super::{ApiError, Edition};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

const SEVERITIES: [&str; 3] = ["minor", "major", "critical"];
const INCIDENT_STATUSES: [&str; 4] = ["investigating", "identified", "monitoring", "resolved"];

fn require_pro(req: &Request<'_>) -> Result<(), ApiError> {
    match req.edition {
        Edition::Pro => Ok(()),
        Edition::Community => Err(ApiError::new(
            403,
            "PRO_REQUIRED",
            "this feature requires maintenant Pro",
        )),
    }
}

fn body(req: &Request<'_>) -> Result<Map<String, Value>, ApiError> {
    body_object(req.body).map_err(|()| ApiError::bad("invalid_body", "Invalid JSON"))
}

/// A non-empty string member.
fn text<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    body_str(body, name).filter(|s| !s.trim().is_empty())
}

fn one_of(value: &str, allowed: &[&str], name: &str) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "invalid {name}: {value} (must be one of {})",
            allowed.join(", ")
        )))
    }
}

/// `component_ids`: absent or null is none; otherwise an array of integers (or strings
/// holding one).
fn component_ids(body: &Map<String, Value>) -> Result<Vec<i64>, ApiError> {
    let invalid = || ApiError::validation("component_ids must be an array of component ids");
    match body.get("component_ids") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::Number(n) => n.as_i64().ok_or_else(invalid),
                Value::String(s) => s.trim().parse().map_err(|_| invalid()),
                _ => Err(invalid()),
            })
            .collect(),
        Some(_) => Err(invalid()),
    }
}

pub fn components(store: &Store) -> Result<Reply, ApiError> {
    Reply::ok(Value::Array(store.components.iter().map(to_json).collect()))
}

pub fn incidents(store: &Store, req: &Request<'_>) -> Result<Reply, ApiError> {
    let p = req.params();
    let status = p.get("status");
    let severity = p.get("severity");
    let limit = to_usize(p.lenient_int("limit", 1).unwrap_or(50));
    let offset = to_usize(p.lenient_int("offset", 0).unwrap_or(0));
    let mut rows: Vec<_> = store
        .incidents
        .iter()
        .filter(|i| status.is_none_or(|s| i.status == s))
        .filter(|i| severity.is_none_or(|s| i.severity == s))
        .collect();
    rows.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let total = rows.len();
    let shown: Vec<Value> = page(&rows, offset, limit)
        .into_iter()
        .map(to_json)
        .collect();
    Reply::ok(json!({"incidents": shown, "total": total}))
}

pub fn create_incident(store: &mut Store, req: &Request<'_>) -> Result<Reply, ApiError> {
    require_pro(req)?;
    let body = body(req)?;
    let (Some(title), Some(severity)) = (text(&body, "title"), text(&body, "severity")) else {
        return Err(ApiError::validation("title and severity are required"));
    };
    one_of(severity, &SEVERITIES, "severity")?;
    let status = text(&body, "status").unwrap_or("investigating");
    one_of(status, &INCIDENT_STATUSES, "status")?;
    let new = NewIncident {
        title: title.to_string(),
        severity: severity.to_string(),
        status: status.to_string(),
        component_ids: component_ids(&body)?,
        message: text(&body, "message").map(str::to_string),
    };
    Reply::created(to_json(&store.create_incident(new, req.now)?))
}

pub fn add_update(store: &mut Store, raw: &str, req: &Request<'_>) -> Result<Reply, ApiError> {
    require_pro(req)?;
    let id = parse_id(raw, "invalid_id", "incident")?;
    if !store.incidents.iter().any(|i| i.id == id) {
        return Err(ApiError::new(404, "not_found", "Incident not found"));
    }
    let body = body(req)?;
    let (Some(status), Some(message)) = (text(&body, "status"), text(&body, "message")) else {
        return Err(ApiError::validation("status and message are required"));
    };
    one_of(status, &INCIDENT_STATUSES, "status")?;
    Reply::created(to_json(
        &store.add_incident_update(id, status, message, req.now)?,
    ))
}

/// Whether a window is `active`, `upcoming` or `completed` at `now`.
fn phase(w: &MaintenanceWindow, now: DateTime<Utc>) -> &'static str {
    if now < w.starts_at {
        "upcoming"
    } else if now < w.ends_at {
        "active"
    } else {
        "completed"
    }
}

/// Windows by start, latest first; `status` filters on the phase.
pub fn maintenance(store: &Store, req: &Request<'_>) -> Result<Reply, ApiError> {
    let p = req.params();
    let status = p.get("status");
    let limit = to_usize(p.lenient_int("limit", 1).unwrap_or(20));
    let mut rows: Vec<MaintenanceWindow> = store
        .windows
        .iter()
        .filter(|w| status.is_none_or(|s| phase(w, req.now) == s))
        .cloned()
        .map(|mut w| {
            w.active = phase(&w, req.now) == "active";
            w
        })
        .collect();
    rows.sort_by(|a, b| b.starts_at.cmp(&a.starts_at).then(b.id.cmp(&a.id)));
    Reply::ok(Value::Array(rows.iter().take(limit).map(to_json).collect()))
}

fn rfc3339(body: &Map<String, Value>, name: &str) -> Result<DateTime<Utc>, ApiError> {
    body_str(body, name)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| ApiError::validation(format!("Invalid {name} format")))
}

pub fn create_maintenance(store: &mut Store, req: &Request<'_>) -> Result<Reply, ApiError> {
    require_pro(req)?;
    let body = body(req)?;
    let title = text(&body, "title").ok_or_else(|| ApiError::validation("title is required"))?;
    let starts_at = rfc3339(&body, "starts_at")?;
    let ends_at = rfc3339(&body, "ends_at")?;
    if ends_at < starts_at {
        return Err(ApiError::validation("ends_at must not be before starts_at"));
    }
    let new = NewWindow {
        title: title.to_string(),
        description: body_str(&body, "description")
            .unwrap_or_default()
            .to_string(),
        starts_at,
        ends_at,
        component_ids: component_ids(&body)?,
    };
    Reply::created(to_json(&store.create_window(new, req.now)?))
}
