//! The monitor routes of the maintenant demo: endpoints and their check history, heartbeats
//! (with pause and resume), and certificate monitors with their latest check.

use super::ApiError;
use super::model::{CertCheck, Endpoint, Heartbeat, Uptime, to_json};
use super::routes::{Reply, Request, page, parse_id, to_usize};
use super::store::Store;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

fn uptime(u: Uptime) -> Value {
    let [d1, d7, d30, d90] = u;
    json!({"24h": d1, "7d": d7, "30d": d30, "90d": d90})
}

fn find_endpoint<'s>(store: &'s Store, raw: &str) -> Result<&'s Endpoint, ApiError> {
    let id = parse_id(raw, "INVALID_ID", "endpoint")?;
    store
        .endpoint(id)
        .ok_or_else(|| ApiError::new(404, "ENDPOINT_NOT_FOUND", "Endpoint not found"))
}

pub fn endpoints(store: &Store, req: &Request<'_>) -> Result<Reply, ApiError> {
    let p = req.params();
    let include_inactive = p.flag("include_inactive");
    let status = p.get("status");
    let container = p.get("container");
    let group = p.get("orchestration_group");
    let kind = p.get("type");
    let source = p.get("source");
    let rows: Vec<Value> = store
        .endpoints
        .iter()
        .filter(|e| include_inactive || e.active)
        .filter(|e| status.is_none_or(|s| e.status == s))
        .filter(|e| container.is_none_or(|c| e.container_name.as_deref() == Some(c)))
        .filter(|e| group.is_none_or(|g| e.orchestration_group.as_deref() == Some(g)))
        .filter(|e| kind.is_none_or(|k| e.endpoint_type == k))
        .filter(|e| source.is_none_or(|s| e.source == s))
        .map(to_json)
        .collect();
    let total = rows.len();
    Reply::ok(json!({"endpoints": rows, "total": total}))
}

pub fn endpoint(store: &Store, raw: &str) -> Result<Reply, ApiError> {
    let e = find_endpoint(store, raw)?;
    Reply::ok(json!({"endpoint": to_json(e), "uptime": uptime(e.uptime)}))
}

/// Check history newest first; `since` is in Unix seconds.
pub fn checks(store: &Store, raw: &str, req: &Request<'_>) -> Result<Reply, ApiError> {
    let e = find_endpoint(store, raw)?;
    let p = req.params();
    let limit = match p.int("limit")? {
        None => 50,
        Some(n) if n >= 1 => n,
        Some(_) => return Err(ApiError::bad("INVALID_PARAM", "limit must be positive")),
    };
    let offset = match p.int("offset")? {
        None => 0,
        Some(n) if n >= 0 => n,
        Some(_) => {
            return Err(ApiError::bad(
                "INVALID_PARAM",
                "offset must not be negative",
            ));
        }
    };
    let since: Option<DateTime<Utc>> = p
        .int("since")?
        .map(|s| DateTime::from_timestamp(s, 0).unwrap_or(DateTime::<Utc>::MIN_UTC));
    let mut rows: Vec<_> = store
        .checks
        .iter()
        .filter(|c| c.endpoint_id == e.id)
        .filter(|c| since.is_none_or(|s| c.timestamp >= s))
        .collect();
    rows.sort_by(|a, b| b.timestamp.cmp(&a.timestamp).then(b.id.cmp(&a.id)));
    let total = rows.len();
    let (offset, limit) = (to_usize(offset), to_usize(limit));
    let shown: Vec<Value> = page(&rows, offset, limit)
        .into_iter()
        .map(to_json)
        .collect();
    let has_more = offset + shown.len() < total;
    Reply::ok(json!({
        "endpoint_id": e.id,
        "checks": shown,
        "total": total,
        "has_more": has_more,
    }))
}

fn heartbeat_id(raw: &str) -> Result<i64, ApiError> {
    parse_id(raw, "INVALID_ID", "heartbeat")
}

pub fn heartbeats(store: &Store, req: &Request<'_>) -> Result<Reply, ApiError> {
    let status = req.params().get("status");
    let rows: Vec<&Heartbeat> = store
        .heartbeats
        .iter()
        .filter(|h| status.is_none_or(|s| h.status == s))
        .collect();
    let total = rows.len();
    Reply::ok(
        json!({"heartbeats": rows.into_iter().map(to_json).collect::<Vec<_>>(), "total": total}),
    )
}

/// The detail; `snippets` is empty because the demo has no `MAINTENANT_BASE_URL`.
pub fn heartbeat(store: &Store, raw: &str) -> Result<Reply, ApiError> {
    let id = heartbeat_id(raw)?;
    let hb = store
        .heartbeat(id)
        .ok_or_else(|| ApiError::not_found("heartbeat not found"))?;
    Reply::ok(json!({"heartbeat": to_json(hb), "snippets": {}}))
}

pub fn pause(store: &mut Store, raw: &str, req: &Request<'_>) -> Result<Reply, ApiError> {
    let id = heartbeat_id(raw)?;
    Reply::ok(to_json(store.pause_heartbeat(id, req.now)?))
}

pub fn resume(store: &mut Store, raw: &str, req: &Request<'_>) -> Result<Reply, ApiError> {
    let id = heartbeat_id(raw)?;
    Reply::ok(to_json(store.resume_heartbeat(id, req.now)?))
}

pub fn certificates(store: &Store, req: &Request<'_>) -> Result<Reply, ApiError> {
    let p = req.params();
    let status = p.get("status");
    let source = p.get("source");
    let rows: Vec<Value> = store
        .certificates
        .iter()
        .filter(|c| status.is_none_or(|s| c.status == s))
        .filter(|c| source.is_none_or(|s| c.source == s))
        .map(|c| {
            let mut v = to_json(c);
            if let Value::Object(o) = &mut v {
                let check = store.latest_cert_check(c.id).map(to_json);
                o.insert("latest_check".into(), check.unwrap_or(Value::Null));
            }
            v
        })
        .collect();
    let total = rows.len();
    Reply::ok(json!({"certificates": rows, "total": total}))
}

/// A check with `days_remaining` (whole days to expiry, negative once expired, `null`
/// without a certificate) and the presented chain.
fn detailed_check(check: &CertCheck, now: DateTime<Utc>) -> Value {
    let mut v = to_json(check);
    if let Value::Object(o) = &mut v {
        let days = check.not_after.map(|t| (t - now).num_days());
        o.insert("days_remaining".into(), json!(days));
        let chain: Vec<Value> = check.chain.iter().map(to_json).collect();
        o.insert("chain".into(), Value::Array(chain));
    }
    v
}

pub fn certificate(store: &Store, raw: &str, req: &Request<'_>) -> Result<Reply, ApiError> {
    let id = parse_id(raw, "INVALID_ID", "certificate")?;
    let cert = store
        .certificate(id)
        .ok_or_else(|| ApiError::not_found("certificate not found"))?;
    let check = store
        .latest_cert_check(id)
        .map(|c| detailed_check(c, req.now))
        .unwrap_or(Value::Null);
    Reply::ok(json!({"certificate": to_json(cert), "latest_check": check}))
}
