//! The records of the maintenant demo, shaped and named like maintenant 1.2.x serialises them
//! (`snake_case` keys, RFC 3339 UTC times, `null` for unset pointers, keys left out where the
//! Go struct says `omitempty`). Fields only the demo needs (uptime, resource samples, the log
//! profile) are skipped on the wire.

use super::logs::LogProfile;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

/// A time as maintenant writes it: RFC 3339, UTC, whole seconds.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn time<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&iso(*t))
}

fn opt_time<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&iso(*t)),
        None => s.serialize_none(),
    }
}

/// Uptime percentages over 24 h, 7 d, 30 d and 90 d.
pub type Uptime = [f64; 4];

/// CPU percent and memory bytes at one moment or averaged over a window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub cpu: f64,
    pub mem: u64,
}

/// A container's resource figures: the live snapshot (running containers only), the
/// averages over 1 h, 24 h, 7 d and 30 d (absent where it did not run), and its counters.
#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    pub live: Option<Sample>,
    pub windows: [Option<Sample>; 4],
    pub mem_limit: u64,
    pub net_rx: u64,
    pub net_tx: u64,
    pub block_read: u64,
    pub block_write: u64,
}

/// A container maintenant discovered.
#[derive(Debug, Clone, Serialize)]
pub struct Container {
    pub id: i64,
    pub external_id: String,
    pub name: String,
    pub image: String,
    pub state: String,
    pub health_status: Option<String>,
    pub has_health_check: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orchestration_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orchestration_unit: Option<String>,
    pub is_ignored: bool,
    pub alert_severity: String,
    pub restart_threshold: u32,
    pub archived: bool,
    #[serde(serialize_with = "time")]
    pub first_seen_at: DateTime<Utc>,
    #[serde(serialize_with = "time")]
    pub last_state_change_at: DateTime<Utc>,
    #[serde(serialize_with = "opt_time", skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<DateTime<Utc>>,
    pub runtime_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_detail: Option<String>,
    pub pod_count: u32,
    pub ready_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compose_working_dir: Option<String>,
    #[serde(skip)]
    pub uptime: Uptime,
    #[serde(skip)]
    pub usage: Usage,
    /// Security insight count and highest severity.
    #[serde(skip)]
    pub security: (u32, Option<&'static str>),
    #[serde(skip)]
    pub logs: LogProfile,
}

impl Container {
    /// The group the container list puts it in, and the group's source.
    pub fn group(&self) -> (&str, &'static str) {
        match &self.orchestration_group {
            Some(g) => (g.as_str(), "compose"),
            None => ("Ungrouped", "default"),
        }
    }
}

/// A container state change.
#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    pub id: i64,
    pub container_id: i64,
    pub previous_state: String,
    pub new_state: String,
    pub previous_health: Option<String>,
    pub new_health: Option<String>,
    pub exit_code: Option<i32>,
    pub log_snippet: Option<String>,
    #[serde(serialize_with = "time")]
    pub timestamp: DateTime<Utc>,
}

/// How an endpoint is checked; durations as Go writes them (`30s`, `1m0s`).
#[derive(Debug, Clone, Serialize)]
pub struct EndpointConfig {
    pub interval: String,
    pub timeout: String,
    pub failure_threshold: u32,
    pub recovery_threshold: u32,
    pub method: String,
    pub expected_status: String,
    pub tls_verify: bool,
    pub headers: serde_json::Map<String, serde_json::Value>,
    pub max_redirects: u32,
}

/// An HTTP or TCP check, from a container label or standalone.
#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    pub id: i64,
    pub name: String,
    pub container_name: Option<String>,
    pub label_key: Option<String>,
    pub external_id: Option<String>,
    pub endpoint_type: String,
    pub target: String,
    pub status: String,
    pub alert_state: String,
    pub consecutive_failures: u32,
    pub consecutive_successes: u32,
    #[serde(serialize_with = "opt_time")]
    pub last_check_at: Option<DateTime<Utc>>,
    pub last_response_time_ms: Option<u64>,
    pub last_http_status: Option<u16>,
    pub last_error: Option<String>,
    pub config: EndpointConfig,
    pub active: bool,
    #[serde(serialize_with = "time")]
    pub first_seen_at: DateTime<Utc>,
    #[serde(serialize_with = "time")]
    pub last_seen_at: DateTime<Utc>,
    pub orchestration_group: Option<String>,
    pub orchestration_unit: Option<String>,
    pub source: String,
    #[serde(skip)]
    pub uptime: Uptime,
    #[serde(skip)]
    pub interval_secs: i64,
}

/// One check result of an endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub id: i64,
    pub endpoint_id: i64,
    pub success: bool,
    pub response_time_ms: u64,
    pub http_status: Option<u16>,
    pub error_message: Option<String>,
    #[serde(serialize_with = "time")]
    pub timestamp: DateTime<Utc>,
}

/// A cron-job monitor pinged by the job.
#[derive(Debug, Clone, Serialize)]
pub struct Heartbeat {
    pub id: i64,
    pub uuid: String,
    pub name: String,
    pub status: String,
    pub alert_state: String,
    pub interval_seconds: i64,
    pub grace_seconds: i64,
    #[serde(serialize_with = "opt_time")]
    pub last_ping_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "opt_time")]
    pub next_deadline_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "opt_time")]
    pub current_run_started_at: Option<DateTime<Utc>>,
    pub last_exit_code: Option<i32>,
    pub last_duration_ms: Option<u64>,
    pub consecutive_failures: u32,
    pub consecutive_successes: u32,
    pub active: bool,
    #[serde(serialize_with = "time")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "time")]
    pub updated_at: DateTime<Utc>,
}

/// A TLS certificate monitor.
#[derive(Debug, Clone, Serialize)]
pub struct CertMonitor {
    pub id: i64,
    pub hostname: String,
    pub port: u16,
    pub source: String,
    pub endpoint_id: Option<i64>,
    pub status: String,
    pub check_interval_seconds: i64,
    pub warning_thresholds: Vec<u32>,
    pub last_alerted_threshold: Option<u32>,
    #[serde(serialize_with = "opt_time")]
    pub last_check_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "opt_time")]
    pub next_check_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub external_id: Option<String>,
    #[serde(serialize_with = "time")]
    pub created_at: DateTime<Utc>,
}

/// One certificate in a presented chain.
#[derive(Debug, Clone, Serialize)]
pub struct ChainEntry {
    pub position: u32,
    pub subject_cn: String,
    pub issuer_cn: String,
    #[serde(serialize_with = "time")]
    pub not_before: DateTime<Utc>,
    #[serde(serialize_with = "time")]
    pub not_after: DateTime<Utc>,
}

/// The latest check of a certificate monitor.
#[derive(Debug, Clone, Serialize)]
pub struct CertCheck {
    pub id: i64,
    pub monitor_id: i64,
    pub subject_cn: String,
    pub issuer_cn: String,
    pub issuer_org: String,
    pub sans: Vec<String>,
    pub serial_number: String,
    pub signature_algorithm: String,
    #[serde(serialize_with = "opt_time")]
    pub not_before: Option<DateTime<Utc>>,
    #[serde(serialize_with = "opt_time")]
    pub not_after: Option<DateTime<Utc>>,
    pub chain_valid: bool,
    pub chain_error: Option<String>,
    pub hostname_match: bool,
    pub error_message: Option<String>,
    #[serde(serialize_with = "time")]
    pub checked_at: DateTime<Utc>,
    #[serde(skip)]
    pub chain: Vec<ChainEntry>,
}

/// An alert from any source.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub id: i64,
    pub source: String,
    pub alert_type: String,
    pub severity: String,
    pub status: String,
    pub message: String,
    pub entity_type: String,
    pub entity_id: i64,
    pub entity_name: String,
    /// A JSON document encoded as a string.
    pub details: String,
    pub resolved_by_id: Option<i64>,
    #[serde(serialize_with = "time")]
    pub fired_at: DateTime<Utc>,
    #[serde(serialize_with = "opt_time")]
    pub resolved_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "opt_time")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    #[serde(serialize_with = "opt_time")]
    pub escalated_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "time")]
    pub created_at: DateTime<Utc>,
}

/// An image update found by the scanner.
#[derive(Debug, Clone, Serialize)]
pub struct ImageUpdate {
    pub id: i64,
    /// The runtime's (external) container id.
    pub container_id: String,
    pub container_name: String,
    pub image: String,
    pub current_tag: String,
    pub current_digest: String,
    pub latest_tag: String,
    pub latest_digest: String,
    pub update_type: String,
    pub risk_score: u32,
    pub status: String,
    #[serde(serialize_with = "time")]
    pub detected_at: DateTime<Utc>,
    #[serde(serialize_with = "opt_time", skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pin_reason: Option<String>,
}

/// A status-page component.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub status: String,
    pub display_order: u32,
    pub visible: bool,
    #[serde(serialize_with = "time")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "time")]
    pub updated_at: DateTime<Utc>,
}

/// A component as incidents and windows reference it.
#[derive(Debug, Clone, Serialize)]
pub struct CompRef {
    pub id: i64,
    pub name: String,
}

/// A status-page incident.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub severity: String,
    pub status: String,
    pub is_maintenance: bool,
    pub maintenance_window_id: Option<i64>,
    pub components: Vec<CompRef>,
    pub updates: Vec<IncidentUpdate>,
    #[serde(serialize_with = "time")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "opt_time")]
    pub resolved_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "time")]
    pub updated_at: DateTime<Utc>,
}

/// One entry of an incident's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentUpdate {
    pub id: i64,
    pub incident_id: i64,
    pub status: String,
    pub message: String,
    pub is_auto: bool,
    pub alert_id: Option<i64>,
    #[serde(serialize_with = "time")]
    pub created_at: DateTime<Utc>,
}

/// A scheduled maintenance window.
#[derive(Debug, Clone, Serialize)]
pub struct MaintenanceWindow {
    pub id: i64,
    pub title: String,
    pub description: String,
    #[serde(serialize_with = "time")]
    pub starts_at: DateTime<Utc>,
    #[serde(serialize_with = "time")]
    pub ends_at: DateTime<Utc>,
    pub active: bool,
    pub incident_id: Option<i64>,
    pub components: Vec<CompRef>,
    #[serde(serialize_with = "time")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "time")]
    pub updated_at: DateTime<Utc>,
}

/// The host's own figures for `/resources/summary`.
#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    pub cpu_percent: f64,
    pub cpu_count: u32,
    pub mem_used: u64,
    pub mem_total: u64,
    pub disk_total: u64,
    pub disk_used: u64,
}

/// The value of a record as JSON (these records always serialise).
pub fn to_json<T: Serialize>(record: &T) -> serde_json::Value {
    serde_json::to_value(record).unwrap_or(serde_json::Value::Null)
}
