//! The container routes of the maintenant demo: the grouped list, the detail with uptime,
//! state transitions, logs (the 500-line cap, `LOGS_UNAVAILABLE` for a dead or archived
//! container) and the live resource snapshot.

use super::ApiError;
use super::logs;
use super::model::{Container, iso, to_json};
use super::routes::{Reply, Request, page, parse_id, to_usize};
use super::store::Store;
use chrono::Duration;
use serde_json::{Value, json};

/// Most log lines one request returns.
const MAX_LOG_LINES: i64 = 500;
const DEFAULT_LOG_LINES: i64 = 100;

/// The container with a path id, or the route's errors.
fn find<'s>(store: &'s Store, raw: &str) -> Result<&'s Container, ApiError> {
    let id = parse_id(raw, "INVALID_ID", "container")?;
    store
        .container(id)
        .ok_or_else(|| ApiError::new(404, "CONTAINER_NOT_FOUND", "Container not found"))
}

/// A container as the list shows it: its fields plus the security insight summary.
fn listed(c: &Container) -> Value {
    let mut v = to_json(c);
    if let Value::Object(o) = &mut v {
        o.insert("security_insight_count".into(), json!(c.security.0));
        o.insert("security_highest_severity".into(), json!(c.security.1));
    }
    v
}

pub fn list(store: &Store, req: &Request<'_>) -> Result<Reply, ApiError> {
    let p = req.params();
    let archived = p.flag("archived");
    let state = p.get("state");
    let group = p.get("group");
    let selected: Vec<&Container> = store
        .containers
        .iter()
        .filter(|c| archived || !c.archived)
        .filter(|c| state.is_none_or(|s| c.state == s))
        .filter(|c| group.is_none_or(|g| c.group().0 == g))
        .collect();
    // Compose projects by name, then the containers outside any project.
    let mut names: Vec<(&str, &'static str)> = selected.iter().map(|c| c.group()).collect();
    names.sort_by_key(|(name, source)| (*source == "default", *name));
    names.dedup();
    let groups: Vec<Value> = names
        .iter()
        .map(|(name, source)| {
            let members: Vec<Value> = selected
                .iter()
                .filter(|c| c.group().0 == *name)
                .map(|c| listed(c))
                .collect();
            json!({"name": name, "source": source, "containers": members})
        })
        .collect();
    Reply::ok(json!({
        "groups": groups,
        "total": selected.len(),
        "archived_count": store.containers.iter().filter(|c| c.archived).count(),
    }))
}

pub fn detail(store: &Store, raw: &str) -> Result<Reply, ApiError> {
    let c = find(store, raw)?;
    let mut v = to_json(c);
    if let Value::Object(o) = &mut v {
        let [d1, d7, d30, d90] = c.uptime;
        o.insert(
            "uptime".into(),
            json!({"24h": d1, "7d": d7, "30d": d30, "90d": d90}),
        );
    }
    Reply::ok(v)
}

/// Transitions newest first. As in maintenant, `since` defaults to 24 hours ago, an
/// unparseable `since`/`until` is ignored (no bound), and a bad `limit`/`offset` falls back
/// to the default.
pub fn transitions(store: &Store, raw: &str, req: &Request<'_>) -> Result<Reply, ApiError> {
    let c = find(store, raw)?;
    let p = req.params();
    let since = match p.time("since") {
        None => Some(req.now - Duration::hours(24)),
        Some(parsed) => parsed.ok(),
    };
    let until = p.time("until").and_then(Result::ok);
    let limit = to_usize(p.lenient_int("limit", 1).unwrap_or(50));
    let offset = to_usize(p.lenient_int("offset", 0).unwrap_or(0));
    let mut rows: Vec<_> = store
        .transitions
        .iter()
        .filter(|t| t.container_id == c.id)
        .filter(|t| since.is_none_or(|s| t.timestamp >= s))
        .filter(|t| until.is_none_or(|u| t.timestamp <= u))
        .collect();
    rows.sort_by(|a, b| b.timestamp.cmp(&a.timestamp).then(b.id.cmp(&a.id)));
    let total = rows.len();
    let shown: Vec<Value> = page(&rows, offset, limit)
        .into_iter()
        .map(to_json)
        .collect();
    let has_more = offset + shown.len() < total;
    Reply::ok(json!({
        "container_id": c.id,
        "transitions": shown,
        "total": total,
        "has_more": has_more,
    }))
}

pub fn logs(store: &Store, raw: &str, req: &Request<'_>) -> Result<Reply, ApiError> {
    let c = find(store, raw)?;
    let p = req.params();
    let requested = match p.get("lines") {
        None => DEFAULT_LOG_LINES,
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if n >= 1 => n.min(MAX_LOG_LINES),
            _ => {
                return Err(ApiError::bad(
                    "INVALID_PARAM",
                    "lines must be a positive integer",
                ));
            }
        },
    };
    if c.state == "dead" || c.archived {
        return Err(ApiError::new(
            502,
            "LOGS_UNAVAILABLE",
            "Cannot retrieve logs from Docker",
        ));
    }
    let end = if matches!(c.state.as_str(), "exited" | "completed") {
        c.last_state_change_at
    } else {
        store.seeded_at
    };
    let requested = to_usize(requested);
    let lines = logs::tail(c.logs, c.id, end, requested, p.flag("timestamps"));
    let (total, truncated) = (lines.len(), lines.len() >= requested);
    Reply::ok(json!({
        "container_id": c.id,
        "container_name": c.name,
        "lines": lines,
        "total_lines": total,
        "truncated": truncated,
    }))
}

pub fn resources(store: &Store, raw: &str, req: &Request<'_>) -> Result<Reply, ApiError> {
    let c = find(store, raw)?;
    let live = c.usage.live.ok_or_else(|| {
        ApiError::new(
            404,
            "NOT_FOUND",
            "no resource snapshot for this container (it is not running)",
        )
    })?;
    let u = &c.usage;
    let mem_percent = if u.mem_limit == 0 {
        0.0
    } else {
        super::instance::round(live.mem as f64 * 100.0 / u.mem_limit as f64, 2)
    };
    Reply::ok(json!({
        "container_id": c.id,
        "cpu_percent": live.cpu,
        "mem_used": live.mem,
        "mem_limit": u.mem_limit,
        "mem_percent": mem_percent,
        "net_rx_bytes": u.net_rx,
        "net_tx_bytes": u.net_tx,
        "block_read_bytes": u.block_read,
        "block_write_bytes": u.block_write,
        "timestamp": iso(req.now),
    }))
}
