//! The instance-wide routes of the maintenant demo: health, runtime, edition (features and
//! quotas per edition), the host resource summary, the top consumers (live or averaged over
//! a window) and the image updates.

use super::model::{Container, Sample, iso, to_json};
use super::routes::{Reply, Request};
use super::store::Store;
use super::{ApiError, Edition};
use serde_json::{Value, json};

/// The version the demo reports.
pub const VERSION: &str = "1.2.11";

/// Features of the paid edition; all false in Community.
const FEATURES: [&str; 17] = [
    "cve_enrichment",
    "risk_scoring",
    "changelog",
    "incidents",
    "maintenance_windows",
    "subscribers",
    "smtp",
    "slack",
    "teams",
    "resource_history",
    "alert_escalation",
    "alert_routing",
    "alert_entity_routing",
    "security_posture",
    "swarm_dashboard",
    "k8s_cluster",
    "personalization",
];

/// Largest `limit` of `/resources/top`.
const MAX_TOP: i64 = 20;

pub fn health() -> Result<Reply, ApiError> {
    Reply::ok(json!({"status": "ok", "version": VERSION}))
}

pub fn runtime(store: &Store) -> Result<Reply, ApiError> {
    Reply::ok(json!({
        "runtime": "docker",
        "context": "docker",
        "connected": true,
        "label": "Docker",
        "detected_at": iso(store.runtime_detected_at),
        "metadata": {"api_version": "1.47", "server_version": "27.3.1"},
    }))
}

pub fn edition(store: &Store, edition: Edition) -> Result<Reply, ApiError> {
    let pro = edition == Edition::Pro;
    let features: serde_json::Map<String, Value> = FEATURES
        .iter()
        .map(|f| (f.to_string(), json!(pro)))
        .collect();
    let limit = |community: i64| if pro { -1 } else { community };
    let standalone_endpoints = store
        .endpoints
        .iter()
        .filter(|e| e.source == "standalone")
        .count();
    let standalone_certificates = store
        .certificates
        .iter()
        .filter(|c| c.source == "standalone")
        .count();
    Reply::ok(json!({
        "edition": if pro { "pro" } else { "community" },
        "organisation_name": if pro { "Acme Homelab" } else { "" },
        "features": features,
        "quotas": {
            "endpoints": {"used": standalone_endpoints, "limit": limit(10)},
            "heartbeats": {"used": store.heartbeats.len(), "limit": limit(5)},
            "certificates": {"used": standalone_certificates, "limit": limit(5)},
            "status_components": {"used": store.components.len(), "limit": limit(3)},
        },
    }))
}

/// `x` rounded to `places` decimals.
pub fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        round(part as f64 * 100.0 / whole as f64, 2)
    }
}

pub fn summary(store: &Store, req: &Request<'_>) -> Result<Reply, ApiError> {
    let running: Vec<&Container> = store
        .containers
        .iter()
        .filter(|c| c.usage.live.is_some())
        .collect();
    let h = &store.host;
    Reply::ok(json!({
        "total_cpu_percent": h.cpu_percent,
        "cpu_count": h.cpu_count,
        "total_mem_used": h.mem_used,
        "total_mem_limit": h.mem_total,
        "total_mem_percent": percent(h.mem_used, h.mem_total),
        // As in maintenant 1.2.x: sums of the cumulative counters, not rates.
        "total_net_rx_rate": running.iter().map(|c| c.usage.net_rx).sum::<u64>(),
        "total_net_tx_rate": running.iter().map(|c| c.usage.net_tx).sum::<u64>(),
        "container_count": running.len(),
        "disk_total": h.disk_total,
        "disk_used": h.disk_used,
        "disk_percent": percent(h.disk_used, h.disk_total),
        "timestamp": iso(req.now),
    }))
}

/// What `/resources/top` ranks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Metric {
    Cpu,
    Memory,
}

/// The windows `period` accepts, in the order of `Usage::windows`.
const PERIODS: [&str; 4] = ["1h", "24h", "7d", "30d"];

pub fn top(store: &Store, req: &Request<'_>) -> Result<Reply, ApiError> {
    let p = req.params();
    let metric = match p.get("metric") {
        Some("cpu") => Metric::Cpu,
        Some("memory") => Metric::Memory,
        _ => {
            return Err(ApiError::bad(
                "INVALID_METRIC",
                "metric must be 'cpu' or 'memory'",
            ));
        }
    };
    let limit = match p.int("limit")? {
        None => 5,
        Some(n) if n < 1 => {
            return Err(ApiError::bad("INVALID_PARAM", "limit must be positive"));
        }
        Some(n) => n.min(MAX_TOP),
    };
    let period = p
        .get("period")
        .map(|w| {
            PERIODS
                .iter()
                .position(|p| *p == w)
                .map(|i| (w, i))
                .ok_or_else(|| ApiError::bad("INVALID_PARAM", format!("invalid period: {w}")))
        })
        .transpose()?;
    let mut rows: Vec<(&Container, Sample)> = store
        .containers
        .iter()
        .filter(|c| !c.archived)
        .filter_map(|c| {
            let sample = match period {
                None => c.usage.live,
                Some((_, i)) => c.usage.windows.get(i).copied().flatten(),
            };
            sample.map(|s| (c, s))
        })
        .collect();
    let key = |s: &Sample| match metric {
        Metric::Cpu => s.cpu,
        Metric::Memory => s.mem as f64,
    };
    rows.sort_by(|(a, sa), (b, sb)| key(sb).total_cmp(&key(sa)).then(a.id.cmp(&b.id)));
    let consumers: Vec<Value> = rows
        .iter()
        .take(usize::try_from(limit).unwrap_or(5))
        .zip(1..)
        .map(|((c, s), rank)| {
            let (value, pct) = match metric {
                Metric::Cpu => (json!(s.cpu), s.cpu),
                Metric::Memory => (json!(s.mem), percent(s.mem, c.usage.mem_limit)),
            };
            json!({
                "container_id": c.id,
                "container_name": c.name,
                "value": value,
                "percent": pct,
                "rank": rank,
            })
        })
        .collect();
    let mut body = serde_json::Map::new();
    body.insert(
        "metric".into(),
        json!(if metric == Metric::Cpu {
            "cpu"
        } else {
            "memory"
        }),
    );
    if let Some((w, _)) = period {
        body.insert("period".into(), json!(w));
    }
    body.insert("consumers".into(), Value::Array(consumers));
    Reply::ok(Value::Object(body))
}

pub fn updates(store: &Store, req: &Request<'_>) -> Result<Reply, ApiError> {
    let p = req.params();
    let status = p.get("status");
    let kind = p.get("update_type");
    let updates: Vec<Value> = store
        .updates
        .iter()
        .filter(|u| status.is_none_or(|s| u.status == s))
        .filter(|u| kind.is_none_or(|k| u.update_type == k))
        .map(to_json)
        .collect();
    Reply::ok(json!({
        "updates": updates,
        "last_scan": iso(store.last_scan),
        "next_scan": iso(store.next_scan),
    }))
}
