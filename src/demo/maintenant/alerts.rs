//! The alert routes of the maintenant demo: the filtered history paged by `before`, the
//! active alerts grouped by severity, one alert, and acknowledgement (open in every edition).

use super::ApiError;
use super::model::{Alert, to_json};
use super::routes::{Reply, Request, body_object, body_str, parse_id};
use super::store::Store;
use serde_json::{Value, json};

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

/// Newest first by `fired_at`, then by id.
fn newest_first(a: &&Alert, b: &&Alert) -> std::cmp::Ordering {
    b.fired_at.cmp(&a.fired_at).then(b.id.cmp(&a.id))
}

pub fn list(store: &Store, req: &Request<'_>) -> Result<Reply, ApiError> {
    let p = req.params();
    let source = p.get("source");
    let severity = p.get("severity");
    let status = p.get("status");
    let before = p
        .time("before")
        .transpose()
        .map_err(|_| ApiError::bad("INVALID_PARAM", "invalid 'before' timestamp"))?;
    let limit = match p.get("limit") {
        None => DEFAULT_LIMIT,
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| ApiError::bad("INVALID_PARAM", "limit must be 1-200"))?,
    };
    let mut rows: Vec<&Alert> = store
        .alerts
        .iter()
        .filter(|a| source.is_none_or(|s| a.source == s))
        .filter(|a| severity.is_none_or(|s| a.severity == s))
        .filter(|a| status.is_none_or(|s| a.status == s))
        .filter(|a| before.is_none_or(|b| a.fired_at < b))
        .collect();
    rows.sort_by(newest_first);
    let limit = usize::try_from(limit).unwrap_or(50);
    let has_more = rows.len() > limit;
    let alerts: Vec<Value> = rows.into_iter().take(limit).map(to_json).collect();
    Reply::ok(json!({"alerts": alerts, "has_more": has_more}))
}

/// Active, unacknowledged alerts by severity.
pub fn active(store: &Store) -> Result<Reply, ApiError> {
    let mut rows: Vec<&Alert> = store
        .alerts
        .iter()
        .filter(|a| a.status == "active" && a.acknowledged_at.is_none())
        .collect();
    rows.sort_by(newest_first);
    let of = |severity: &str| -> Vec<Value> {
        rows.iter()
            .filter(|a| a.severity == severity)
            .map(|a| to_json(*a))
            .collect()
    };
    Reply::ok(json!({
        "critical": of("critical"),
        "warning": of("warning"),
        "info": of("info"),
    }))
}

pub fn detail(store: &Store, raw: &str) -> Result<Reply, ApiError> {
    let id = parse_id(raw, "INVALID_ID", "alert")?;
    let alert = store
        .alert(id)
        .ok_or_else(|| ApiError::not_found("alert not found"))?;
    Reply::ok(to_json(alert))
}

pub fn acknowledge(store: &mut Store, raw: &str, req: &Request<'_>) -> Result<Reply, ApiError> {
    let id = parse_id(raw, "INVALID_ID", "alert")?;
    let body =
        body_object(req.body).map_err(|()| ApiError::bad("INVALID_JSON", "invalid JSON body"))?;
    let by = body_str(&body, "acknowledged_by")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad("INVALID_BODY", "acknowledged_by is required"))?;
    Reply::ok(to_json(store.acknowledge(id, by, req.now)?))
}
