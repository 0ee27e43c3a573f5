//! The maintenant demo's data: a small self-hosted estate on one Docker host, generated
//! relative to a `now` so that every id, name and relative time is deterministic.
//!
//! - 20 containers in the compose projects `shop`, `monitoring`, `media` and `infra` plus
//!   four standalone ones. `shop-api-1` (id 2) is the interesting one: running but
//!   unhealthy since 42 minutes, error logs, active alerts, top CPU consumer.
//!   `monitoring-promtail-1` (9) is restarting in a loop (59 transitions in 10 hours),
//!   `media-radarr-1` (12) exited with code 137, `restic-backup` (19) is dead (its logs are
//!   unavailable) and `uptime-kuma` (20) is archived.
//! - 10 endpoints (6 from container labels, 4 standalone); `shop-api` (2) is down and
//!   alerting, `Old wiki` (10) is inactive. Active ones have 288 checks each.
//! - 5 heartbeats, one per status: up, down, paused, started, new.
//! - 6 certificate monitors: valid, expiring in 9 and in 2 days, expired, error, and a valid
//!   standalone one.
//! - 22 alerts over 14 days, 9 of them active (one acknowledged) and one silenced.
//! - 5 image updates, 3 status components, 2 incidents, 1 upcoming maintenance window.

use super::logs::{self, LogProfile, mix};
use super::model::{
    Alert, CertCheck, CertMonitor, ChainEntry, Check, CompRef, Component, Container, Endpoint,
    EndpointConfig, Heartbeat, Host, ImageUpdate, Incident, IncidentUpdate, MaintenanceWindow,
    Sample, Transition, Usage,
};
use super::store::Store;
use chrono::{DateTime, Duration, DurationRound, Utc};

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;
/// The host's memory; the limit of containers without one.
const HOST_MEM: u64 = 32 * GIB;
/// Minutes in a day.
const DAY: i64 = 24 * 60;
/// The host rebooted this many minutes ago; every long-lived container restarted then.
const REBOOT: i64 = 6 * DAY;
/// Checks kept per active endpoint.
const CHECKS_PER_ENDPOINT: i64 = 288;

/// Builds the demo's state relative to `now`.
pub fn generate(now: DateTime<Utc>) -> Store {
    // Whole seconds, so every time on the wire is the stored one (`before=<fired_at>` is exact).
    let now = now.duration_trunc(Duration::seconds(1)).unwrap_or(now);
    let containers = containers(now);
    let transitions = transitions(&containers, now);
    let endpoints = endpoints(&containers, now);
    let checks = checks(&endpoints);
    let (certificates, cert_checks) = certificates(&containers, now);
    let components = components(now);
    let incidents = incidents(&components, now);
    let windows = windows(&components, now);
    Store {
        seeded_at: now,
        runtime_detected_at: ago(now, REBOOT),
        updates: updates(&containers, now),
        transitions,
        checks,
        heartbeats: heartbeats(now),
        certificates,
        cert_checks,
        alerts: alerts(now),
        last_scan: ago(now, 3 * 60 + 12),
        next_scan: now + Duration::minutes(2 * 60 + 48),
        components,
        incidents,
        windows,
        host: Host {
            cpu_percent: 38.6,
            cpu_count: 8,
            mem_used: 19 * GIB + 410 * MIB,
            mem_total: HOST_MEM,
            disk_total: 2_000_398_934_016,
            disk_used: 1_236_950_581_248,
        },
        containers,
        endpoints,
    }
}

/// `minutes` before `now`.
fn ago(now: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    now - Duration::minutes(minutes)
}

/// A deterministic hex string of `len` digits.
fn hex(seed: &str, len: usize) -> String {
    let base = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    (0..len.div_ceil(16))
        .map(|i| format!("{:016x}", mix(base.wrapping_add(i as u64))))
        .collect::<String>()
        .chars()
        .take(len)
        .collect()
}

/// A deterministic UUID (version 4 layout).
fn uuid(seed: &str) -> String {
    let h = hex(seed, 32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

// --- containers ---

/// One container of the estate.
struct Spec {
    name: &'static str,
    image: &'static str,
    project: Option<&'static str>,
    health: Option<&'static str>,
    age_days: i64,
    /// Typical CPU percent and memory MiB while running.
    cpu: f64,
    mem_mib: u64,
    limit_mib: Option<u64>,
    logs: LogProfile,
}

const fn spec(
    name: &'static str,
    image: &'static str,
    project: Option<&'static str>,
    health: Option<&'static str>,
    age_days: i64,
    (cpu, mem_mib, limit_mib): (f64, u64, Option<u64>),
    logs: LogProfile,
) -> Spec {
    Spec {
        name,
        image,
        project,
        health,
        age_days,
        cpu,
        mem_mib,
        limit_mib,
        logs,
    }
}

const SHOP: Option<&str> = Some("shop");
const MON: Option<&str> = Some("monitoring");
const MEDIA: Option<&str> = Some("media");
const INFRA: Option<&str> = Some("infra");
const HEALTHY: Option<&str> = Some("healthy");

/// The containers, in id order (ids from 1).
#[rustfmt::skip]
const SPECS: [Spec; 20] = [
    spec("shop-web-1", "nginx:1.27.2-alpine", SHOP, HEALTHY, 87, (2.4, 38, Some(256)), LogProfile::Nginx),
    spec("shop-api-1", "ghcr.io/acme/shop-api:2.14.1", SHOP, HEALTHY, 87, (87.3, 1480, Some(2048)), LogProfile::ShopApi),
    spec("shop-worker-1", "ghcr.io/acme/shop-worker:2.14.1", SHOP, None, 87, (11.2, 412, Some(1024)), LogProfile::Worker),
    spec("shop-postgres-1", "postgres:16.4", SHOP, HEALTHY, 87, (6.8, 2350, Some(4096)), LogProfile::Postgres),
    spec("shop-redis-1", "redis:7.4.1-alpine", SHOP, HEALTHY, 87, (1.1, 96, Some(512)), LogProfile::Redis),
    spec("monitoring-grafana-1", "grafana/grafana:11.2.0", MON, HEALTHY, 64, (1.9, 210, None), LogProfile::App(logs::GRAFANA)),
    spec("monitoring-prometheus-1", "prom/prometheus:v2.54.1", MON, None, 64, (4.7, 1890, None), LogProfile::App(logs::PROMETHEUS)),
    spec("monitoring-loki-1", "grafana/loki:3.1.1", MON, None, 64, (3.2, 640, None), LogProfile::App(logs::LOKI)),
    spec("monitoring-promtail-1", "grafana/promtail:3.1.1", MON, None, 64, (0.3, 24, None), LogProfile::Promtail),
    spec("media-jellyfin-1", "jellyfin/jellyfin:10.9.11", MEDIA, HEALTHY, 120, (6.4, 1720, None), LogProfile::App(logs::JELLYFIN)),
    spec("media-sonarr-1", "lscr.io/linuxserver/sonarr:4.0.9", MEDIA, None, 120, (0.8, 310, None), LogProfile::App(logs::SONARR)),
    spec("media-radarr-1", "lscr.io/linuxserver/radarr:5.11.0", MEDIA, None, 120, (4.1, 490, Some(512)), LogProfile::App(logs::RADARR)),
    spec("media-qbittorrent-1", "lscr.io/linuxserver/qbittorrent:4.6.7", MEDIA, None, 120, (14.8, 880, None), LogProfile::App(logs::QBITTORRENT)),
    spec("infra-traefik-1", "traefik:v3.1.6", INFRA, None, 150, (1.6, 82, None), LogProfile::App(logs::TRAEFIK)),
    spec("infra-authelia-1", "authelia/authelia:4.38.16", INFRA, HEALTHY, 150, (0.4, 46, None), LogProfile::App(logs::AUTHELIA)),
    spec("infra-maintenant-1", "ghcr.io/kolapsis/maintenant:1.2.11", INFRA, HEALTHY, 150, (0.9, 58, None), LogProfile::App(logs::MAINTENANT)),
    spec("portainer", "portainer/portainer-ce:2.21.3", None, None, 200, (0.2, 44, None), LogProfile::App(logs::PORTAINER)),
    spec("homeassistant", "ghcr.io/home-assistant/home-assistant:2024.10.4", None, None, 200, (3.4, 520, None), LogProfile::App(logs::HOME_ASSISTANT)),
    spec("restic-backup", "restic/restic:0.17.1", None, None, 45, (12.5, 300, None), LogProfile::App(logs::RESTIC)),
    spec("uptime-kuma", "louislam/uptime-kuma:1.23.15", None, None, 180, (0.6, 120, None), LogProfile::App(logs::UPTIME_KUMA)),
];

/// The container ids the rest of the seed refers to.
pub const SHOP_WEB: i64 = 1;
pub const SHOP_API: i64 = 2;
pub const SHOP_POSTGRES: i64 = 4;
pub const SHOP_REDIS: i64 = 5;
pub const GRAFANA: i64 = 6;
pub const PROMETHEUS: i64 = 7;
pub const LOKI: i64 = 8;
pub const PROMTAIL: i64 = 9;
pub const JELLYFIN: i64 = 10;
pub const SONARR: i64 = 11;
pub const RADARR: i64 = 12;
pub const HOMEASSISTANT: i64 = 18;
pub const RESTIC: i64 = 19;
pub const UPTIME_KUMA: i64 = 20;

fn containers(now: DateTime<Utc>) -> Vec<Container> {
    SPECS
        .iter()
        .zip(1..)
        .map(|(s, id)| {
            let mut c = container(s, id, now);
            special_state(&mut c, now);
            c
        })
        .collect()
}

fn container(s: &Spec, id: i64, now: DateTime<Utc>) -> Container {
    let unit = s.project.map(|p| {
        s.name
            .strip_prefix(p)
            .and_then(|r| r.strip_prefix('-'))
            .and_then(|r| r.strip_suffix("-1"))
            .unwrap_or(s.name)
            .to_string()
    });
    let first_seen = ago(now, s.age_days * DAY + 17 * id);
    let critical = matches!(id, SHOP_API | SHOP_POSTGRES);
    Container {
        id,
        external_id: hex(s.name, 64),
        name: s.name.to_string(),
        image: s.image.to_string(),
        state: "running".into(),
        health_status: s.health.map(str::to_string),
        has_health_check: s.health.is_some(),
        orchestration_group: s.project.map(str::to_string),
        orchestration_unit: unit,
        is_ignored: false,
        alert_severity: if critical { "critical" } else { "warning" }.into(),
        restart_threshold: 3,
        archived: false,
        first_seen_at: first_seen,
        last_state_change_at: ago(now, REBOOT - id),
        archived_at: None,
        runtime_type: "docker".into(),
        error_detail: None,
        pod_count: 0,
        ready_count: 0,
        compose_working_dir: s.project.map(|p| format!("/opt/stacks/{p}")),
        uptime: [100.0, 99.98, 99.99, 99.99],
        usage: usage(s, id),
        security: match id {
            17 => (1, Some("critical")),
            HOMEASSISTANT => (2, Some("high")),
            14 => (1, Some("medium")),
            _ => (0, None),
        },
        logs: s.logs,
    }
}

/// Live figures and window averages; a few containers have their own story.
fn usage(s: &Spec, id: i64) -> Usage {
    let mem = s.mem_mib * MIB;
    let sample = |cpu: f64, mem: u64| Some(Sample { cpu, mem });
    let scaled =
        |cf: f64, mf: f64| sample((s.cpu * cf * 10.0).round() / 10.0, (mem as f64 * mf) as u64);
    let mut windows = [
        scaled(1.06, 1.0),
        scaled(0.94, 0.98),
        scaled(0.9, 0.95),
        scaled(0.87, 0.92),
    ];
    let mut live = sample(s.cpu, mem);
    match id {
        SHOP_API => {
            windows = [
                sample(81.6, 1420 * MIB),
                sample(34.2, 1010 * MIB),
                sample(11.8, 760 * MIB),
                sample(9.4, 700 * MIB),
            ];
        }
        JELLYFIN => {
            windows = [
                sample(7.9, 1700 * MIB),
                sample(29.7, 2100 * MIB),
                sample(33.8, 2240 * MIB),
                sample(30.2, 2050 * MIB),
            ];
        }
        RADARR => {
            live = None;
            windows[0] = None;
        }
        RESTIC => {
            live = None;
            windows[0] = None;
            windows[1] = None;
        }
        UPTIME_KUMA => {
            live = None;
            windows = [None; 4];
        }
        _ => {}
    }
    let n = u64::try_from(id).unwrap_or(1);
    Usage {
        live,
        windows,
        mem_limit: s.limit_mib.map_or(HOST_MEM, |l| l * MIB),
        net_rx: (n * 7919 + 13) * 3 * MIB + mix(n) % MIB,
        net_tx: (n * 3571 + 7) * MIB + mix(n + 100) % MIB,
        block_read: (n * 211 + 5) * MIB,
        block_write: (n * 97 + 3) * MIB,
    }
}

/// The states that are not "running since the reboot".
fn special_state(c: &mut Container, now: DateTime<Utc>) {
    match c.id {
        SHOP_API => {
            c.health_status = Some("unhealthy".into());
            c.last_state_change_at = ago(now, 42);
            c.uptime = [97.08, 99.58, 99.86, 99.93];
        }
        PROMTAIL => {
            c.state = "restarting".into();
            c.last_state_change_at = ago(now, 2);
            c.uptime = [57.64, 93.92, 98.59, 99.38];
        }
        RADARR => {
            c.state = "exited".into();
            c.last_state_change_at = ago(now, 5 * 60);
            c.uptime = [79.17, 97.02, 99.31, 99.77];
        }
        RESTIC => {
            c.state = "dead".into();
            c.last_state_change_at = ago(now, 2 * DAY + 3 * 60);
            c.error_detail = Some("container is marked for removal and cannot be started".into());
            c.uptime = [0.0, 69.64, 92.92, 97.64];
        }
        UPTIME_KUMA => {
            c.state = "exited".into();
            c.last_state_change_at = ago(now, 21 * DAY);
            c.archived = true;
            c.archived_at = Some(ago(now, 10 * DAY));
            c.uptime = [0.0, 0.0, 30.0, 76.67];
        }
        _ => {}
    }
}

/// A transition to be numbered.
struct Step {
    container: i64,
    at: DateTime<Utc>,
    from: (&'static str, Option<&'static str>),
    to: (&'static str, Option<&'static str>),
    exit_code: Option<i32>,
    snippet: Option<&'static str>,
}

fn transitions(containers: &[Container], now: DateTime<Utc>) -> Vec<Transition> {
    let mut steps = Vec::new();
    for c in containers {
        let health = c.has_health_check.then_some("healthy");
        steps.push(Step {
            container: c.id,
            at: c.first_seen_at,
            from: ("created", None),
            to: ("running", health),
            exit_code: None,
            snippet: None,
        });
        if c.id == UPTIME_KUMA {
            steps.push(Step {
                container: c.id,
                at: c.last_state_change_at,
                from: ("running", None),
                to: ("exited", None),
                exit_code: Some(0),
                snippet: Some("[SERVER] INFO: Shutdown requested"),
            });
            continue;
        }
        // The host reboot six days ago.
        let back = ago(now, REBOOT - c.id);
        steps.push(Step {
            container: c.id,
            at: back - Duration::minutes(4),
            from: ("running", health),
            to: ("exited", None),
            exit_code: Some(0),
            snippet: None,
        });
        steps.push(Step {
            container: c.id,
            at: back,
            from: ("exited", None),
            to: ("running", health),
            exit_code: None,
            snippet: None,
        });
    }
    steps.extend(shop_api_story(now));
    steps.extend(promtail_loop(now));
    steps.push(Step {
        container: RADARR,
        at: ago(now, 5 * 60),
        from: ("running", None),
        to: ("exited", None),
        exit_code: Some(137),
        snippet: Some("OOMKilled: container exceeded its 512MiB memory limit"),
    });
    steps.push(Step {
        container: RESTIC,
        at: ago(now, 2 * DAY + 3 * 60),
        from: ("running", None),
        to: ("dead", None),
        exit_code: None,
        snippet: Some("Fatal: unable to create lock in backend: repository is already locked"),
    });
    steps.sort_by_key(|s| (s.at, s.container));
    steps
        .into_iter()
        .zip(1..)
        .map(|(s, id)| Transition {
            id,
            container_id: s.container,
            previous_state: s.from.0.into(),
            new_state: s.to.0.into(),
            previous_health: s.from.1.map(str::to_string),
            new_health: s.to.1.map(str::to_string),
            exit_code: s.exit_code,
            log_snippet: s.snippet.map(str::to_string),
            timestamp: s.at,
        })
        .collect()
}

/// The shop API crashed three hours ago, came back, and went unhealthy 42 minutes ago.
fn shop_api_story(now: DateTime<Utc>) -> Vec<Step> {
    let step = |minutes, from, to, exit_code, snippet| Step {
        container: SHOP_API,
        at: ago(now, minutes),
        from,
        to,
        exit_code,
        snippet,
    };
    vec![
        step(
            192,
            ("running", Some("healthy")),
            ("exited", None),
            Some(2),
            Some("panic: runtime error: invalid memory address or nil pointer dereference"),
        ),
        step(
            191,
            ("exited", None),
            ("running", Some("starting")),
            None,
            None,
        ),
        step(
            190,
            ("running", Some("starting")),
            ("running", Some("healthy")),
            None,
            None,
        ),
        step(
            42,
            ("running", Some("healthy")),
            ("running", Some("unhealthy")),
            None,
            Some("healthcheck failed: db: context deadline exceeded"),
        ),
    ]
}

/// Promtail crashes every 20 minutes for 10 hours: 30 crashes, 29 restarts.
fn promtail_loop(now: DateTime<Utc>) -> Vec<Step> {
    let mut steps = Vec::new();
    for k in 0..30 {
        let crash = ago(now, 2 + (29 - k) * 20);
        steps.push(Step {
            container: PROMTAIL,
            at: crash,
            from: ("running", None),
            to: ("restarting", None),
            exit_code: Some(1),
            snippet: Some(
                "msg=\"error creating promtail\" error=\"failed to make file target manager: open /etc/promtail/config.yml: no such file or directory\"",
            ),
        });
        if k < 29 {
            steps.push(Step {
                container: PROMTAIL,
                at: crash + Duration::minutes(1),
                from: ("restarting", None),
                to: ("running", None),
                exit_code: None,
                snippet: None,
            });
        }
    }
    steps
}

// --- endpoints ---

/// One endpoint: name, container (label endpoints), type, target, check interval in
/// seconds, and whether it is active.
struct EndpointSpec {
    name: &'static str,
    container: Option<i64>,
    kind: &'static str,
    target: &'static str,
    interval: i64,
    active: bool,
}

#[rustfmt::skip]
const ENDPOINTS: [EndpointSpec; 10] = [
    EndpointSpec { name: "shop-web", container: Some(SHOP_WEB), kind: "http", target: "https://shop.example.net/", interval: 30, active: true },
    EndpointSpec { name: "shop-api", container: Some(SHOP_API), kind: "http", target: "http://shop-api:8080/healthz", interval: 60, active: true },
    EndpointSpec { name: "grafana", container: Some(GRAFANA), kind: "http", target: "http://grafana:3000/api/health", interval: 60, active: true },
    EndpointSpec { name: "prometheus", container: Some(PROMETHEUS), kind: "http", target: "http://prometheus:9090/-/healthy", interval: 60, active: true },
    EndpointSpec { name: "shop-postgres", container: Some(SHOP_POSTGRES), kind: "tcp", target: "shop-postgres:5432", interval: 30, active: true },
    EndpointSpec { name: "shop-redis", container: Some(SHOP_REDIS), kind: "tcp", target: "shop-redis:6379", interval: 30, active: true },
    EndpointSpec { name: "Jellyfin", container: None, kind: "http", target: "https://media.example.net/health", interval: 60, active: true },
    EndpointSpec { name: "Authelia", container: None, kind: "http", target: "https://auth.example.net/api/health", interval: 60, active: true },
    EndpointSpec { name: "Home Assistant", container: None, kind: "http", target: "http://192.168.1.20:8123/", interval: 120, active: true },
    EndpointSpec { name: "Old wiki", container: None, kind: "http", target: "https://wiki.example.net/", interval: 300, active: false },
];

pub const EP_SHOP_API: i64 = 2;
pub const EP_JELLYFIN: i64 = 7;
pub const EP_AUTHELIA: i64 = 8;
pub const EP_HOME_ASSISTANT: i64 = 9;
pub const EP_OLD_WIKI: i64 = 10;

/// Minutes the shop API endpoint has been failing.
const API_DOWN_MINUTES: i64 = 42;

/// A Go duration string for whole seconds (`30s`, `1m0s`, `5m0s`).
fn go_duration(secs: i64) -> String {
    if secs < 60 {
        format!("{secs}s")
    } else {
        format!("{}m{}s", secs / 60, secs % 60)
    }
}

fn endpoints(containers: &[Container], now: DateTime<Utc>) -> Vec<Endpoint> {
    ENDPOINTS
        .iter()
        .zip(1..)
        .map(|(s, id)| {
            let owner = s
                .container
                .and_then(|cid| containers.iter().find(|c| c.id == cid));
            let http = s.kind == "http";
            let last_check = if s.active {
                ago(now, 0) - Duration::seconds((id * 7) % s.interval)
            } else {
                ago(now, 12 * DAY)
            };
            let mut e = Endpoint {
                id,
                name: s.name.into(),
                container_name: owner.map(|c| c.name.clone()),
                label_key: owner.map(|_| format!("maintenant.endpoint.{}", s.kind)),
                external_id: owner.map(|c| c.external_id.clone()),
                endpoint_type: s.kind.into(),
                target: s.target.into(),
                status: "up".into(),
                alert_state: "normal".into(),
                consecutive_failures: 0,
                consecutive_successes: 288,
                last_check_at: Some(last_check),
                last_response_time_ms: Some(response_time(id, 0)),
                last_http_status: http.then_some(200),
                last_error: None,
                config: EndpointConfig {
                    interval: go_duration(s.interval),
                    timeout: go_duration(if s.interval >= 60 { 10 } else { 5 }),
                    failure_threshold: 3,
                    recovery_threshold: 2,
                    method: if http { "GET" } else { "" }.into(),
                    expected_status: if http { "2xx" } else { "" }.into(),
                    tls_verify: true,
                    headers: serde_json::Map::new(),
                    max_redirects: if http { 10 } else { 0 },
                },
                active: s.active,
                first_seen_at: owner.map_or(ago(now, 75 * DAY + id * 60), |c| c.first_seen_at),
                last_seen_at: last_check,
                orchestration_group: owner.and_then(|c| c.orchestration_group.clone()),
                orchestration_unit: owner.and_then(|c| c.orchestration_unit.clone()),
                source: if owner.is_some() {
                    "label"
                } else {
                    "standalone"
                }
                .into(),
                uptime: [100.0, 99.99, 99.98, 99.97],
                interval_secs: s.interval,
            };
            match id {
                EP_SHOP_API => {
                    e.status = "down".into();
                    e.alert_state = "alerting".into();
                    e.consecutive_failures = u32::try_from(API_DOWN_MINUTES).unwrap_or(0);
                    e.consecutive_successes = 0;
                    e.last_http_status = Some(503);
                    e.last_response_time_ms = Some(5004);
                    e.last_error = Some("unexpected status code 503".into());
                    e.uptime = [97.08, 99.58, 99.86, 99.93];
                }
                EP_HOME_ASSISTANT => e.uptime = [99.31, 99.6, 99.82, 99.9],
                EP_OLD_WIKI => {
                    e.status = "unknown".into();
                    e.consecutive_successes = 0;
                    e.last_response_time_ms = None;
                    e.last_http_status = None;
                    e.uptime = [100.0, 100.0, 96.43, 98.12];
                }
                _ => {}
            }
            e
        })
        .collect()
}

/// A response time in ms for an endpoint's `n`-th check (from the newest).
fn response_time(endpoint: i64, n: i64) -> u64 {
    let base = [0, 48, 12, 9, 7, 1, 1, 63, 85, 140, 210];
    let b = base
        .get(usize::try_from(endpoint).unwrap_or(0))
        .copied()
        .unwrap_or(50);
    let seed = u64::try_from(endpoint * 100_000 + n).unwrap_or(0);
    b + mix(seed) % (b / 2 + 3)
}

/// Checks of every endpoint, numbered in time order.
fn checks(endpoints: &[Endpoint]) -> Vec<Check> {
    let mut all = Vec::new();
    for e in endpoints {
        let Some(last) = e.last_check_at else {
            continue;
        };
        let count = if e.active { CHECKS_PER_ENDPOINT } else { 20 };
        let http = e.endpoint_type == "http";
        for n in 0..count {
            let at = last - Duration::seconds(n * e.interval_secs);
            let (success, http_status, error) = check_outcome(e, n, at, last);
            all.push(Check {
                id: 0,
                endpoint_id: e.id,
                success,
                response_time_ms: if success {
                    response_time(e.id, n)
                } else {
                    5000 + (n as u64 % 9)
                },
                http_status: if http { http_status } else { None },
                error_message: error,
                timestamp: at,
            });
        }
    }
    all.sort_by_key(|c| (c.timestamp, c.endpoint_id));
    for (c, id) in all.iter_mut().zip(1..) {
        c.id = id;
    }
    all
}

/// Whether check `n` (from the newest) succeeded, its HTTP status and error.
fn check_outcome(
    e: &Endpoint,
    n: i64,
    at: DateTime<Utc>,
    last: DateTime<Utc>,
) -> (bool, Option<u16>, Option<String>) {
    let ok = (true, Some(200), None);
    match e.id {
        EP_SHOP_API if last - at < Duration::minutes(API_DOWN_MINUTES) => {
            if n % 5 == 3 {
                (
                    false,
                    None,
                    Some(format!(
                        "Get \"{}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
                        e.target
                    )),
                )
            } else {
                (false, Some(503), Some("unexpected status code 503".into()))
            }
        }
        EP_HOME_ASSISTANT if n % 97 == 41 => (
            false,
            None,
            Some("dial tcp 192.168.1.20:8123: connect: no route to host".into()),
        ),
        _ => ok,
    }
}

// --- heartbeats ---

fn heartbeats(now: DateTime<Utc>) -> Vec<Heartbeat> {
    let base = |id: i64, name: &str, interval: i64, grace: i64| Heartbeat {
        id,
        uuid: uuid(name),
        name: name.into(),
        status: "up".into(),
        alert_state: "normal".into(),
        interval_seconds: interval,
        grace_seconds: grace,
        last_ping_at: None,
        next_deadline_at: None,
        current_run_started_at: None,
        last_exit_code: None,
        last_duration_ms: None,
        consecutive_failures: 0,
        consecutive_successes: 0,
        active: true,
        created_at: ago(now, 70 * DAY + id * 90),
        updated_at: ago(now, 70 * DAY + id * 90),
    };
    let mut backup = base(1, "nightly-db-backup", 86_400, 3_600);
    backup.last_ping_at = Some(ago(now, 5 * 60 + 14));
    backup.next_deadline_at = backup
        .last_ping_at
        .map(|t| t + Duration::seconds(86_400 + 3_600));
    backup.last_exit_code = Some(0);
    backup.last_duration_ms = Some(184_212);
    backup.consecutive_successes = 41;
    backup.updated_at = ago(now, 5 * 60 + 14);

    let mut offsite = base(2, "restic-offsite-sync", 21_600, 1_800);
    offsite.status = "down".into();
    offsite.alert_state = "alerting".into();
    offsite.last_ping_at = Some(ago(now, 8 * 60 + 5));
    offsite.next_deadline_at = Some(ago(now, 95));
    offsite.last_exit_code = Some(1);
    offsite.last_duration_ms = Some(12_804);
    offsite.consecutive_failures = 1;
    offsite.updated_at = ago(now, 95);

    let mut certbot = base(3, "certbot-renew", 43_200, 3_600);
    certbot.status = "paused".into();
    certbot.last_ping_at = Some(ago(now, 3 * DAY + 40));
    certbot.last_exit_code = Some(0);
    certbot.last_duration_ms = Some(6_310);
    certbot.consecutive_successes = 96;
    certbot.updated_at = ago(now, 2 * DAY + 11 * 60);

    let mut scan = base(4, "media-library-scan", 3_600, 600);
    scan.status = "started".into();
    scan.last_ping_at = Some(ago(now, 4));
    scan.current_run_started_at = Some(ago(now, 4));
    scan.next_deadline_at = Some(now + Duration::seconds(3_600 + 600 - 240));
    scan.last_exit_code = Some(0);
    scan.last_duration_ms = Some(512_330);
    scan.consecutive_successes = 212;
    scan.updated_at = ago(now, 4);

    let mut index = base(5, "photoprism-index", 86_400, 7_200);
    index.status = "new".into();
    index.created_at = ago(now, 26 * 60);
    index.updated_at = ago(now, 26 * 60);

    vec![backup, offsite, certbot, scan, index]
}

// --- certificates ---

/// One certificate monitor: host, port, source, endpoint, days to expiry (`None` = the
/// check failed), issuer.
struct CertSpec {
    host: &'static str,
    port: u16,
    source: &'static str,
    endpoint: Option<i64>,
    days_left: Option<i64>,
    issuer: &'static str,
}

#[rustfmt::skip]
const CERTS: [CertSpec; 6] = [
    CertSpec { host: "shop.example.net", port: 443, source: "auto", endpoint: Some(1), days_left: Some(80), issuer: "R11" },
    CertSpec { host: "auth.example.net", port: 443, source: "auto", endpoint: Some(EP_AUTHELIA), days_left: Some(9), issuer: "R10" },
    CertSpec { host: "media.example.net", port: 443, source: "auto", endpoint: Some(EP_JELLYFIN), days_left: Some(2), issuer: "E5" },
    CertSpec { host: "legacy.example.net", port: 443, source: "standalone", endpoint: None, days_left: Some(-5), issuer: "R3" },
    CertSpec { host: "mqtt.home.arpa", port: 8883, source: "label", endpoint: None, days_left: None, issuer: "" },
    CertSpec { host: "mail.example.net", port: 465, source: "standalone", endpoint: None, days_left: Some(58), issuer: "E6" },
];

pub const CERT_EXPIRED: i64 = 4;

fn cert_status(days_left: Option<i64>) -> &'static str {
    match days_left {
        None => "error",
        Some(d) if d < 0 => "expired",
        Some(d) if d <= 30 => "expiring",
        Some(_) => "valid",
    }
}

/// The smallest default threshold (30, 14, 7, 3, 1 days) already crossed.
fn alerted_threshold(days_left: Option<i64>) -> Option<u32> {
    let d = days_left?;
    [1, 3, 7, 14, 30].into_iter().find(|t| d <= i64::from(*t))
}

fn certificates(
    containers: &[Container],
    now: DateTime<Utc>,
) -> (Vec<CertMonitor>, Vec<CertCheck>) {
    let checked = ago(now, 47);
    let mut monitors = Vec::new();
    let mut checks = Vec::new();
    for (s, id) in CERTS.iter().zip(1..) {
        let error = s
            .days_left
            .is_none()
            .then(|| "dial tcp 192.168.1.21:8883: connect: connection refused".to_string());
        monitors.push(CertMonitor {
            id,
            hostname: s.host.into(),
            port: s.port,
            source: s.source.into(),
            endpoint_id: s.endpoint,
            status: cert_status(s.days_left).into(),
            check_interval_seconds: 43_200,
            warning_thresholds: vec![30, 14, 7, 3, 1],
            last_alerted_threshold: alerted_threshold(s.days_left),
            last_check_at: Some(checked),
            next_check_at: Some(checked + Duration::seconds(43_200)),
            last_error: error.clone(),
            external_id: (s.source == "label")
                .then(|| containers.iter().find(|c| c.id == HOMEASSISTANT))
                .flatten()
                .map(|c| c.external_id.clone()),
            created_at: ago(now, 60 * DAY + id * 300),
        });
        checks.push(cert_check(s, id, checked, error, now));
    }
    (monitors, checks)
}

fn cert_check(
    s: &CertSpec,
    id: i64,
    checked: DateTime<Utc>,
    error: Option<String>,
    now: DateTime<Utc>,
) -> CertCheck {
    let Some(days) = s.days_left else {
        return CertCheck {
            id,
            monitor_id: id,
            subject_cn: String::new(),
            issuer_cn: String::new(),
            issuer_org: String::new(),
            sans: Vec::new(),
            serial_number: String::new(),
            signature_algorithm: String::new(),
            not_before: None,
            not_after: None,
            chain_valid: false,
            chain_error: None,
            hostname_match: false,
            error_message: error,
            checked_at: checked,
            chain: Vec::new(),
        };
    };
    // Expiry at a whole hour a few hours beyond the day count (away from zero), so
    // `days_remaining` (whole days, truncated) is stable.
    let hour = Duration::hours(1);
    let margin = Duration::hours(if days < 0 { -5 } else { 5 });
    let not_after = (now + Duration::days(days) + margin)
        .duration_trunc(hour)
        .unwrap_or(now);
    let not_before = not_after - Duration::days(90);
    let ecdsa = s.issuer.starts_with('E');
    let mut sans = vec![s.host.to_string()];
    if s.host == "shop.example.net" {
        sans.push("www.example.net".into());
    }
    CertCheck {
        id,
        monitor_id: id,
        subject_cn: s.host.into(),
        issuer_cn: s.issuer.into(),
        issuer_org: "Let's Encrypt".into(),
        sans,
        serial_number: hex(s.host, 36),
        signature_algorithm: if ecdsa { "ECDSA-SHA384" } else { "SHA256-RSA" }.into(),
        not_before: Some(not_before),
        not_after: Some(not_after),
        chain_valid: days >= 0,
        chain_error: (days < 0).then(|| "x509: certificate has expired or is not yet valid".into()),
        hostname_match: true,
        error_message: None,
        checked_at: checked,
        chain: vec![
            ChainEntry {
                position: 0,
                subject_cn: s.host.into(),
                issuer_cn: s.issuer.into(),
                not_before,
                not_after,
            },
            ChainEntry {
                position: 1,
                subject_cn: s.issuer.into(),
                issuer_cn: if ecdsa {
                    "ISRG Root X2"
                } else {
                    "ISRG Root X1"
                }
                .into(),
                not_before: (now - Duration::days(400))
                    .duration_trunc(Duration::days(1))
                    .unwrap_or(now),
                not_after: (now + Duration::days(695))
                    .duration_trunc(Duration::days(1))
                    .unwrap_or(now),
            },
        ],
    }
}

// --- alerts ---

/// One alert: minutes ago it fired, source, type, severity, status, entity, message and
/// details; minutes until it resolved and the acknowledgement, if any.
struct AlertSpec {
    fired: i64,
    source: &'static str,
    alert_type: &'static str,
    severity: &'static str,
    status: &'static str,
    entity: (&'static str, i64, &'static str),
    message: &'static str,
    details: &'static str,
    resolved_after: Option<i64>,
    acknowledged: Option<(i64, &'static str)>,
}

const fn resolved(
    fired: i64,
    source: &'static str,
    alert_type: &'static str,
    severity: &'static str,
    entity: (&'static str, i64, &'static str),
    (message, details): (&'static str, &'static str),
    after: i64,
) -> AlertSpec {
    AlertSpec {
        fired,
        source,
        alert_type,
        severity,
        status: "resolved",
        entity,
        message,
        details,
        resolved_after: Some(after),
        acknowledged: None,
    }
}

const fn active(
    fired: i64,
    source: &'static str,
    alert_type: &'static str,
    severity: &'static str,
    entity: (&'static str, i64, &'static str),
    (message, details): (&'static str, &'static str),
) -> AlertSpec {
    AlertSpec {
        fired,
        source,
        alert_type,
        severity,
        status: "active",
        entity,
        message,
        details,
        resolved_after: None,
        acknowledged: None,
    }
}

/// The alerts, oldest first (ids 1 to 22 in this order).
#[rustfmt::skip]
const ALERTS: [AlertSpec; 22] = [
    resolved(19_810, "endpoint", "consecutive_failures", "warning", ("endpoint", EP_HOME_ASSISTANT, "Home Assistant"),
        ("Home Assistant is down: dial tcp 192.168.1.20:8123: connect: no route to host", r#"{"consecutive_failures":3,"target":"http://192.168.1.20:8123/"}"#), 12),
    resolved(17_650, "resource", "mem_threshold", "warning", ("container", SHOP_POSTGRES, "shop-postgres-1"),
        ("Memory usage of shop-postgres-1 is above 90% (3.71 GiB of 4 GiB)", r#"{"metric":"memory","value_percent":92.8,"threshold":90}"#), 40),
    resolved(17_280, "certificate", "expiring", "warning", ("certificate", CERT_EXPIRED, "legacy.example.net"),
        ("Certificate for legacy.example.net:443 expires in 7 days", r#"{"days_remaining":7,"threshold":7,"port":443}"#), 10_080),
    resolved(14_520, "container", "restart_loop", "warning", ("container", LOKI, "monitoring-loki-1"),
        ("monitoring-loki-1 restarted 3 times in 10 minutes", r#"{"restart_count":3,"window":"10m"}"#), 35),
    resolved(13_080, "heartbeat", "deadline_missed", "critical", ("heartbeat", 1, "nightly-db-backup"),
        ("Heartbeat nightly-db-backup missed its deadline", r#"{"interval_seconds":86400,"grace_seconds":3600}"#), 130),
    resolved(12_600, "endpoint", "consecutive_failures", "warning", ("endpoint", EP_JELLYFIN, "Jellyfin"),
        ("Jellyfin is down: unexpected status code 502", r#"{"consecutive_failures":3,"http_status":502,"target":"https://media.example.net/health"}"#), 4),
    resolved(11_560, "endpoint", "consecutive_failures", "critical", ("endpoint", 1, "shop-web"),
        ("shop-web is down: unexpected status code 502", r#"{"consecutive_failures":3,"http_status":502,"target":"https://shop.example.net/"}"#), 6),
    resolved(10_150, "container", "health_unhealthy", "warning", ("container", SHOP_API, "shop-api-1"),
        ("shop-api-1 is unhealthy", r#"{"health_status":"unhealthy","failing_streak":3}"#), 25),
    resolved(8_760, "endpoint", "consecutive_failures", "critical", ("endpoint", EP_SHOP_API, "shop-api"),
        ("shop-api is down: unexpected status code 500", r#"{"consecutive_failures":3,"http_status":500,"target":"http://shop-api:8080/healthz"}"#), 58),
    AlertSpec {
        acknowledged: Some((100, "alice")),
        ..active(7_230, "certificate", "expiring", "warning", ("certificate", 2, "auth.example.net"),
            ("Certificate for auth.example.net:443 expires in 14 days", r#"{"days_remaining":14,"threshold":14,"port":443}"#))
    },
    AlertSpec {
        status: "silenced",
        ..active(7_200, "certificate", "expired", "critical", ("certificate", CERT_EXPIRED, "legacy.example.net"),
            ("Certificate for legacy.example.net:443 has expired", r#"{"days_remaining":0,"port":443}"#))
    },
    resolved(6_000, "resource", "cpu_threshold", "warning", ("container", JELLYFIN, "media-jellyfin-1"),
        ("CPU usage of media-jellyfin-1 is above 80% (86.4%)", r#"{"metric":"cpu","value_percent":86.4,"threshold":80}"#), 95),
    resolved(4_390, "container", "exit", "info", ("container", SONARR, "media-sonarr-1"),
        ("media-sonarr-1 exited with code 0", r#"{"exit_code":0}"#), 1),
    active(3_060, "container", "dead", "warning", ("container", RESTIC, "restic-backup"),
        ("restic-backup is dead: container is marked for removal and cannot be started", r#"{"state":"dead"}"#)),
    resolved(2_050, "heartbeat", "deadline_missed", "warning", ("heartbeat", 2, "restic-offsite-sync"),
        ("Heartbeat restic-offsite-sync missed its deadline", r#"{"interval_seconds":21600,"grace_seconds":1800}"#), 160),
    active(1_740, "certificate", "expiring", "critical", ("certificate", 3, "media.example.net"),
        ("Certificate for media.example.net:443 expires in 3 days", r#"{"days_remaining":3,"threshold":3,"port":443}"#)),
    active(590, "container", "restart_loop", "warning", ("container", PROMTAIL, "monitoring-promtail-1"),
        ("monitoring-promtail-1 restarted 3 times in 10 minutes", r#"{"restart_count":3,"window":"10m","exit_code":1}"#)),
    active(300, "container", "exit", "warning", ("container", RADARR, "media-radarr-1"),
        ("media-radarr-1 exited with code 137 (OOM killed)", r#"{"exit_code":137,"oom_killed":true}"#)),
    active(95, "heartbeat", "deadline_missed", "critical", ("heartbeat", 2, "restic-offsite-sync"),
        ("Heartbeat restic-offsite-sync missed its deadline", r#"{"interval_seconds":21600,"grace_seconds":1800}"#)),
    active(42, "container", "health_unhealthy", "critical", ("container", SHOP_API, "shop-api-1"),
        ("shop-api-1 is unhealthy", r#"{"health_status":"unhealthy","failing_streak":3,"output":"db: context deadline exceeded"}"#)),
    active(38, "endpoint", "consecutive_failures", "critical", ("endpoint", EP_SHOP_API, "shop-api"),
        ("shop-api is down: unexpected status code 503", r#"{"consecutive_failures":3,"http_status":503,"target":"http://shop-api:8080/healthz"}"#)),
    active(30, "resource", "cpu_threshold", "warning", ("container", SHOP_API, "shop-api-1"),
        ("CPU usage of shop-api-1 is above 80% (87.3%)", r#"{"metric":"cpu","value_percent":87.3,"threshold":80}"#)),
];

/// The id of the critical alert escalated after 15 minutes (shop-api-1 unhealthy).
const ESCALATED_ALERT: i64 = 20;

fn alerts(now: DateTime<Utc>) -> Vec<Alert> {
    ALERTS
        .iter()
        .zip(1..)
        .map(|(s, id)| {
            let fired = ago(now, s.fired);
            let (entity_type, entity_id, entity_name) = s.entity;
            Alert {
                id,
                source: s.source.into(),
                alert_type: s.alert_type.into(),
                severity: s.severity.into(),
                status: s.status.into(),
                message: s.message.into(),
                entity_type: entity_type.into(),
                entity_id,
                entity_name: entity_name.into(),
                details: s.details.into(),
                resolved_by_id: None,
                fired_at: fired,
                resolved_at: s.resolved_after.map(|m| fired + Duration::minutes(m)),
                acknowledged_at: s.acknowledged.map(|(m, _)| fired + Duration::minutes(m)),
                acknowledged_by: s.acknowledged.map(|(_, by)| by.to_string()),
                escalated_at: (id == ESCALATED_ALERT).then(|| fired + Duration::minutes(15)),
                created_at: fired,
            }
        })
        .collect()
}

// --- updates ---

/// One available or pinned update: container, current and latest tag, kind, risk score,
/// status and the pin reason.
struct UpdateSpec {
    container: i64,
    current: &'static str,
    latest: &'static str,
    kind: &'static str,
    risk: u32,
    status: &'static str,
    pin: Option<&'static str>,
}

#[rustfmt::skip]
const UPDATES: [UpdateSpec; 5] = [
    UpdateSpec { container: SHOP_POSTGRES, current: "16.4", latest: "17.0", kind: "major", risk: 72, status: "available", pin: None },
    UpdateSpec { container: GRAFANA, current: "11.2.0", latest: "11.3.0", kind: "minor", risk: 35, status: "available", pin: None },
    UpdateSpec { container: 14, current: "v3.1.6", latest: "v3.1.7", kind: "patch", risk: 12, status: "available", pin: None },
    UpdateSpec { container: SHOP_REDIS, current: "7.4.1-alpine", latest: "7.4.1-alpine", kind: "digest_only", risk: 5, status: "available", pin: None },
    UpdateSpec { container: JELLYFIN, current: "10.9.11", latest: "10.10.0", kind: "minor", risk: 41, status: "pinned", pin: Some("waiting for the intro-skipper plugin to support 10.10") },
];

fn updates(containers: &[Container], now: DateTime<Utc>) -> Vec<ImageUpdate> {
    UPDATES
        .iter()
        .zip(1..)
        .filter_map(|(u, id)| {
            let UpdateSpec {
                container,
                current,
                latest,
                kind,
                risk,
                status,
                pin,
            } = *u;
            let c = containers.iter().find(|c| c.id == container)?;
            let repo = c.image.split(':').next().unwrap_or(&c.image);
            Some(ImageUpdate {
                id,
                container_id: c.external_id.clone(),
                container_name: c.name.clone(),
                image: c.image.clone(),
                current_tag: current.into(),
                current_digest: format!("sha256:{}", hex(&format!("{repo}:{current}"), 64)),
                latest_tag: latest.into(),
                latest_digest: format!("sha256:{}", hex(&format!("{repo}:{latest}:latest"), 64)),
                update_type: kind.into(),
                risk_score: risk,
                status: status.into(),
                detected_at: ago(now, (id * 29 + 3) * 60),
                published_at: (kind != "digest_only").then(|| ago(now, (id * 3 + 2) * DAY)),
                pin_reason: pin.map(str::to_string),
            })
        })
        .collect()
}

// --- status page ---

pub const COMPONENT_SHOP: i64 = 1;

fn components(now: DateTime<Utc>) -> Vec<Component> {
    [
        (
            "Web shop",
            "shop.example.net: storefront, cart and checkout",
            "degraded",
        ),
        (
            "Authentication",
            "Single sign-on for every internal tool",
            "operational",
        ),
        (
            "Media streaming",
            "Jellyfin at media.example.net",
            "operational",
        ),
    ]
    .iter()
    .zip(1..)
    .map(|(&(name, description, status), id)| Component {
        id,
        name: name.into(),
        description: description.into(),
        status: status.into(),
        display_order: u32::try_from(id).unwrap_or(0),
        visible: true,
        created_at: ago(now, 60 * DAY),
        updated_at: if id == COMPONENT_SHOP {
            ago(now, 40)
        } else {
            ago(now, 60 * DAY)
        },
    })
    .collect()
}

fn refs(components: &[Component], ids: &[i64]) -> Vec<CompRef> {
    components
        .iter()
        .filter(|c| ids.contains(&c.id))
        .map(|c| CompRef {
            id: c.id,
            name: c.name.clone(),
        })
        .collect()
}

fn incidents(components: &[Component], now: DateTime<Utc>) -> Vec<Incident> {
    let update = |id, incident_id, status: &str, message: &str, minutes| IncidentUpdate {
        id,
        incident_id,
        status: status.into(),
        message: message.into(),
        is_auto: false,
        alert_id: None,
        created_at: ago(now, minutes),
    };
    vec![
        Incident {
            id: 1,
            title: "Checkout errors after deploy".into(),
            severity: "major".into(),
            status: "resolved".into(),
            is_maintenance: false,
            maintenance_window_id: None,
            components: refs(components, &[COMPONENT_SHOP]),
            updates: vec![
                update(
                    1,
                    1,
                    "investigating",
                    "Some customers cannot complete checkout. We are looking into it.",
                    8_755,
                ),
                update(
                    2,
                    1,
                    "identified",
                    "A faulty release of the shop API is rolling back.",
                    8_730,
                ),
                update(
                    3,
                    1,
                    "resolved",
                    "Checkout works again for everyone.",
                    8_700,
                ),
            ],
            created_at: ago(now, 8_755),
            resolved_at: Some(ago(now, 8_700)),
            updated_at: ago(now, 8_700),
        },
        Incident {
            id: 2,
            title: "Elevated error rate on the shop API".into(),
            severity: "minor".into(),
            status: "monitoring".into(),
            is_maintenance: false,
            maintenance_window_id: None,
            components: refs(components, &[COMPONENT_SHOP]),
            updates: vec![
                update(
                    4,
                    2,
                    "investigating",
                    "Some checkouts fail or are slow. We are investigating.",
                    38,
                ),
                update(
                    5,
                    2,
                    "monitoring",
                    "Database connections were raised; we are watching the error rate.",
                    10,
                ),
            ],
            created_at: ago(now, 38),
            resolved_at: None,
            updated_at: ago(now, 10),
        },
    ]
}

fn windows(components: &[Component], now: DateTime<Utc>) -> Vec<MaintenanceWindow> {
    let starts = (now + Duration::days(2))
        .duration_trunc(Duration::hours(1))
        .unwrap_or(now);
    vec![MaintenanceWindow {
        id: 1,
        title: "PostgreSQL 17 upgrade".into(),
        description: "The shop database moves to PostgreSQL 17; checkout is read-only meanwhile."
            .into(),
        starts_at: starts,
        ends_at: starts + Duration::hours(2),
        active: false,
        incident_id: None,
        components: refs(components, &[COMPONENT_SHOP]),
        created_at: ago(now, 3 * 60),
        updated_at: ago(now, 3 * 60),
    }]
}
