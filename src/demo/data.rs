//! The demo data set: a small but realistic Naemon estate behind Thruk — two sites, ~40 hosts
//! with a parent/child topology, several services each, a mix of problems (some acknowledged,
//! some in downtime, one flapping), comments, downtimes and a day of event log. Generated
//! deterministically relative to start-up time, with Thruk's real column names.

use super::rows::{Table, row};
use serde_json::{Value, json};

/// The two demo sites: (peer_key, peer_name).
pub const SITES: [(&str, &str); 2] = [("b3f1", "berlin"), ("a9c2", "paris")];

/// Mutable demo state; rows are Thruk-shaped JSON objects.
pub struct Data {
    pub hosts: Vec<Value>,
    pub services: Vec<Value>,
    pub downtimes: Vec<Value>,
    pub comments: Vec<Value>,
    pub logs: Vec<Value>,
    pub next_id: i64,
}

struct HostSpec {
    name: &'static str,
    groups: &'static [&'static str],
    parent: Option<&'static str>,
    site: usize,
    services: &'static [&'static str],
    env: &'static str,
    owner: &'static str,
}

const LINUX: &[&str] = &[
    "PING",
    "SSH",
    "CPU load",
    "Memory",
    "Disk /",
    "Disk /var",
    "NTP",
];
const WEB: &[&str] = &["PING", "SSH", "CPU load", "HTTP", "HTTPS cert", "Disk /"];
const DB: &[&str] = &[
    "PING",
    "SSH",
    "CPU load",
    "Memory",
    "Disk /var",
    "MySQL",
    "Postgres replication",
];
const K8S: &[&str] = &["PING", "SSH", "CPU load", "Memory", "Kubelet", "Disk /var"];
const NET: &[&str] = &["PING", "Interfaces", "Uptime", "CPU load"];

fn specs() -> Vec<HostSpec> {
    let mut v = Vec::new();
    let h = |name, groups, parent, site, services, env, owner| HostSpec {
        name,
        groups,
        parent,
        site,
        services,
        env,
        owner,
    };
    v.push(h(
        "switch-core-01",
        &["network"][..],
        None,
        0,
        NET,
        "prod",
        "team-net",
    ));
    v.push(h(
        "fw-01",
        &["network"][..],
        Some("switch-core-01"),
        0,
        NET,
        "prod",
        "team-net",
    ));
    v.push(h(
        "switch-core-02",
        &["network"][..],
        None,
        1,
        NET,
        "prod",
        "team-net",
    ));
    v.push(h(
        "lb-01",
        &["network", "web"][..],
        Some("fw-01"),
        0,
        NET,
        "prod",
        "team-net",
    ));
    v.push(h(
        "lb-02",
        &["network", "web"][..],
        Some("switch-core-02"),
        1,
        NET,
        "prod",
        "team-net",
    ));
    for (i, n) in ["web-01", "web-02", "web-03", "web-04", "web-05", "web-06"]
        .iter()
        .enumerate()
    {
        v.push(h(
            n,
            &["linux-servers", "web"][..],
            Some(if i < 3 { "lb-01" } else { "lb-02" }),
            i / 3,
            WEB,
            "prod",
            "team-web",
        ));
    }
    for (i, n) in ["db-01", "db-02", "db-03", "db-04"].iter().enumerate() {
        v.push(h(
            n,
            &["linux-servers", "databases"][..],
            Some(if i < 2 { "fw-01" } else { "switch-core-02" }),
            i / 2,
            DB,
            "prod",
            "team-data",
        ));
    }
    for (i, n) in [
        "app-01", "app-02", "app-03", "app-04", "app-05", "app-06", "app-07", "app-08",
    ]
    .iter()
    .enumerate()
    {
        v.push(h(
            n,
            &["linux-servers"][..],
            Some(if i < 4 { "fw-01" } else { "switch-core-02" }),
            i / 4,
            LINUX,
            if i % 4 == 3 { "staging" } else { "prod" },
            "team-app",
        ));
    }
    for (i, n) in ["cache-01", "cache-02", "cache-03"].iter().enumerate() {
        v.push(h(
            n,
            &["linux-servers"][..],
            Some("fw-01"),
            usize::from(i == 2),
            LINUX,
            "prod",
            "team-app",
        ));
    }
    for (i, n) in [
        "k8s-node-01",
        "k8s-node-02",
        "k8s-node-03",
        "k8s-node-04",
        "k8s-node-05",
        "k8s-node-06",
    ]
    .iter()
    .enumerate()
    {
        v.push(h(
            n,
            &["linux-servers", "kubernetes"][..],
            Some(if i < 3 { "fw-01" } else { "switch-core-02" }),
            i / 3,
            K8S,
            "prod",
            "team-platform",
        ));
    }
    v.push(h(
        "mail-01",
        &["linux-servers"][..],
        Some("fw-01"),
        0,
        LINUX,
        "prod",
        "team-it",
    ));
    v.push(h(
        "dns-01",
        &["linux-servers"][..],
        Some("fw-01"),
        0,
        LINUX,
        "prod",
        "team-net",
    ));
    v.push(h(
        "dns-02",
        &["linux-servers"][..],
        Some("switch-core-02"),
        1,
        LINUX,
        "prod",
        "team-net",
    ));
    v.push(h(
        "backup-01",
        &["linux-servers"][..],
        Some("switch-core-02"),
        1,
        LINUX,
        "prod",
        "team-it",
    ));
    v.push(h(
        "nas-01",
        &["linux-servers"][..],
        Some("switch-core-02"),
        1,
        LINUX,
        "prod",
        "team-it",
    ));
    v.push(h(
        "mon-01",
        &["linux-servers"][..],
        Some("fw-01"),
        0,
        LINUX,
        "prod",
        "team-platform",
    ));
    v.push(h(
        "win-ad-01",
        &["windows-servers"][..],
        Some("fw-01"),
        0,
        &["PING", "CPU load", "Memory", "Disk C:"][..],
        "prod",
        "team-it",
    ));
    v.push(h(
        "win-file-01",
        &["windows-servers"][..],
        Some("switch-core-02"),
        1,
        &["PING", "CPU load", "Memory", "Disk C:"][..],
        "prod",
        "team-it",
    ));
    v
}

/// (host, service or "", state, output): the problems of the data set.
const PROBLEMS: &[(&str, &str, i64, &str)] = &[
    ("app-07", "", 1, "CRITICAL - Host Unreachable (10.20.3.17)"),
    ("backup-01", "", 1, "CRITICAL - 100% packet loss"),
    (
        "nas-01",
        "",
        1,
        "CRITICAL - connect to address 10.20.5.2 failed",
    ),
    (
        "web-03",
        "HTTP",
        2,
        "CRITICAL - Socket timeout after 10 seconds",
    ),
    (
        "web-05",
        "HTTPS cert",
        1,
        "WARNING - certificate 'www.example.com' expires in 12 days",
    ),
    (
        "db-02",
        "Postgres replication",
        2,
        "CRITICAL - replication lag 1843 seconds",
    ),
    (
        "db-01",
        "Disk /var",
        1,
        "WARNING - /var 84% used (8412 of 10000 MB)",
    ),
    (
        "db-03",
        "MySQL",
        2,
        "CRITICAL - Can't connect to MySQL server on '10.20.2.13' (111)",
    ),
    ("app-02", "Memory", 1, "WARNING - 91% used (14.6 of 16 GB)"),
    (
        "app-03",
        "CPU load",
        2,
        "CRITICAL - load average: 17.21, 15.80, 12.02",
    ),
    ("cache-02", "Disk /", 1, "WARNING - / 86% used"),
    (
        "k8s-node-04",
        "Kubelet",
        2,
        "CRITICAL - kubelet not ready: PLEG is not healthy",
    ),
    ("k8s-node-02", "Memory", 1, "WARNING - 88% used"),
    (
        "mail-01",
        "Disk /var",
        2,
        "CRITICAL - /var 97% used (9700 of 10000 MB)",
    ),
    (
        "dns-02",
        "NTP",
        3,
        "UNKNOWN - ntpq: read: Connection refused",
    ),
    ("win-ad-01", "Disk C:", 1, "WARNING - C: 88% used"),
    ("lb-02", "Interfaces", 2, "CRITICAL - eth1 is down"),
    (
        "app-01",
        "CPU load",
        1,
        "WARNING - load average: 6.10, 5.80, 5.02",
    ),
    ("web-02", "Disk /", 3, "UNKNOWN - check_disk timed out"),
    ("k8s-node-05", "Disk /var", 1, "WARNING - /var 82% used"),
    (
        "app-05",
        "Memory",
        2,
        "CRITICAL - 98% used, OOM killer active",
    ),
    (
        "db-04",
        "Postgres replication",
        1,
        "WARNING - replication lag 310 seconds",
    ),
    ("cache-03", "Memory", 3, "UNKNOWN - snmp timeout"),
];

fn ok_output(service: &str) -> (String, String) {
    match service {
        "PING" => (
            "OK - rta 0.96 ms, lost 0%".into(),
            "rta=0.963ms;3000;5000;0 pl=0%;80;100;0".into(),
        ),
        "SSH" => (
            "SSH OK - OpenSSH_9.2p1 (protocol 2.0)".into(),
            "time=0.012s;;;0;10".into(),
        ),
        "CPU load" => (
            "OK - load average: 0.42, 0.51, 0.48".into(),
            "load1=0.42;5;10;0 load5=0.51;4;8;0 load15=0.48;3;6;0".into(),
        ),
        "Memory" => (
            "OK - 41% used (6.6 of 16 GB)".into(),
            "used=6758MB;14745;15564;0;16384".into(),
        ),
        "Disk /" => (
            "DISK OK - / 38% used".into(),
            "'/'=3800MB;8000;9000;0;10000".into(),
        ),
        "Disk /var" => (
            "DISK OK - /var 52% used".into(),
            "'/var'=5210MB;8000;9000;0;10000".into(),
        ),
        "Disk C:" => (
            "OK - C: 61% used".into(),
            "'C: used %'=61%;85;95;0;100".into(),
        ),
        "HTTP" => (
            "HTTP OK: HTTP/1.1 200 OK - 5213 bytes in 0.041 second".into(),
            "time=0.041s;2;5;0 size=5213B;;;0".into(),
        ),
        "HTTPS cert" => (
            "OK - certificate 'www.example.com' valid for 74 days".into(),
            "days=74;30;7;0".into(),
        ),
        "MySQL" => (
            "Uptime: 1203941 Threads: 12 Questions: 93841201".into(),
            "threads=12;;;0 qps=78;;;0".into(),
        ),
        "Postgres replication" => (
            "OK - replication lag 0 seconds".into(),
            "lag=0s;300;900;0".into(),
        ),
        "Kubelet" => ("OK - kubelet ready".into(), String::new()),
        "NTP" => (
            "NTP OK: Offset -0.0001459 secs".into(),
            "offset=-0.1459ms;-2000:2000;-10000:10000".into(),
        ),
        "Interfaces" => ("OK - 24 interfaces up".into(), "up=24;;;0".into()),
        "Uptime" => ("OK - up 182 days".into(), "uptime=15724800s;;;0".into()),
        _ => ("OK".into(), String::new()),
    }
}

fn service_groups(service: &str) -> Vec<&'static str> {
    match service {
        "HTTP" | "HTTPS cert" => vec!["http-checks"],
        "Disk /" | "Disk /var" | "Disk C:" => vec!["disk-usage"],
        "MySQL" | "Postgres replication" => vec!["database-checks"],
        _ => vec![],
    }
}

impl Data {
    /// The data set, with times relative to `now`.
    pub fn generate(now: i64) -> Data {
        let specs = specs();
        let mut hosts = Vec::new();
        let mut services = Vec::new();
        for (i, s) in specs.iter().enumerate() {
            let (peer_key, peer_name) = SITES[s.site];
            let problem = PROBLEMS.iter().find(|p| p.0 == s.name && p.1.is_empty());
            let state = problem.map(|p| p.2).unwrap_or(0);
            let output = problem
                .map(|p| p.3.to_string())
                .unwrap_or_else(|| "OK - rta 0.82 ms, lost 0%".into());
            let since = if state > 0 {
                now - 3600 * (2 + i as i64 % 5)
            } else {
                now - 86400 * (20 + i as i64)
            };
            let childs: Vec<&str> = specs
                .iter()
                .filter(|c| c.parent == Some(s.name))
                .map(|c| c.name)
                .collect();
            let address = format!("10.{}.{}.{}", 10 + s.site * 10, 1 + i / 10, 10 + i);
            hosts.push(row(Table::Host, json!({
                "name": s.name, "address": address, "alias": format!("{} ({})", s.name, s.owner), "display_name": s.name,
                "state": state, "state_type": 1, "has_been_checked": 1, "plugin_output": output, "long_plugin_output": "",
                "perf_data": if state == 0 { "rta=0.820ms;3000;5000;0 pl=0%;80;100;0" } else { "" },
                "last_check": now - 30 - i as i64, "next_check": now + 270 - i as i64, "last_state_change": since,
                "last_notification": if state > 0 { since + 60 } else { 0 }, "last_time_up": if state == 0 { now - 30 } else { since - 60 },
                "last_time_down": if state == 1 { now - 30 } else { 0 }, "last_time_unreachable": if state == 2 { now - 30 } else { 0 },
                "current_attempt": if state > 0 { 3 } else { 1 }, "max_check_attempts": 3, "check_interval": 5, "retry_interval": 1,
                "check_type": 0, "active_checks_enabled": 1, "accept_passive_checks": 1, "notifications_enabled": 1,
                "acknowledged": 0, "acknowledgement_type": 0, "scheduled_downtime_depth": 0, "is_flapping": 0, "is_executing": 0,
                "latency": 0.012 + (i as f64) / 1000.0, "execution_time": 0.05 + (i as f64) / 100.0, "percent_state_change": 0.0,
                "groups": s.groups, "parents": s.parent.map(|p| vec![p]).unwrap_or_default(), "childs": childs,
                "contacts": ["oncall"], "contact_groups": ["admins"],
                "custom_variable_names": ["ENV", "OWNER"], "custom_variable_values": [s.env, s.owner],
                "custom_variables": {"ENV": s.env, "OWNER": s.owner}, "comments": [],
                "check_command": "check-host-alive", "check_period": "24x7", "notification_period": "24x7",
                "in_check_period": 1, "in_notification_period": 1, "notes": "", "action_url": "", "icon_image": "",
                "peer_key": peer_key, "peer_name": peer_name, "peer_section": "Default",
            })));
            for (j, svc) in s.services.iter().enumerate() {
                let problem = PROBLEMS.iter().find(|p| p.0 == s.name && p.1 == *svc);
                let (ok_out, perf) = ok_output(svc);
                let state = problem.map(|p| p.2).unwrap_or(0);
                let criticality = if s.env == "prod" { "high" } else { "low" };
                let since = if state > 0 {
                    now - 1800 * (1 + (i + j) as i64 % 7)
                } else {
                    now - 86400 * (3 + j as i64)
                };
                services.push(row(Table::Service, json!({
                    "host_name": s.name, "description": svc, "display_name": svc,
                    "state": state, "state_type": 1, "has_been_checked": 1,
                    "plugin_output": problem.map(|p| p.3.to_string()).unwrap_or(ok_out), "long_plugin_output": "", "perf_data": perf,
                    "last_check": now - 45 - (i + j) as i64, "next_check": now + 255, "last_state_change": since,
                    "last_notification": if state > 0 { since + 120 } else { 0 },
                    "current_attempt": if state > 0 { 4 } else { 1 }, "max_check_attempts": 4, "check_interval": 5, "retry_interval": 1,
                    "check_type": 0, "active_checks_enabled": 1, "accept_passive_checks": 1, "notifications_enabled": 1,
                    "acknowledged": 0, "acknowledgement_type": 0, "scheduled_downtime_depth": 0, "is_flapping": 0, "is_executing": 0,
                    "latency": 0.02, "execution_time": 0.1 + (j as f64) / 10.0, "percent_state_change": 0.0,
                    "groups": service_groups(svc), "contacts": ["oncall"], "contact_groups": ["admins"],
                    "check_command": format!("check_{}", svc.to_lowercase().replace([' ', '/', ':'], "_")),
                    "custom_variable_names": ["CRITICALITY"], "custom_variable_values": [criticality],
                    "custom_variables": {"CRITICALITY": criticality},
                    "last_time_ok": if state == 0 { now - 45 } else { since - 60 },
                    "last_time_warning": if state == 1 { now - 45 } else { 0 },
                    "last_time_critical": if state == 2 { now - 45 } else { 0 },
                    "last_time_unknown": if state == 3 { now - 45 } else { 0 },
                    "host_state": 0, "host_groups": s.groups, "host_address": address, "host_alias": format!("{} ({})", s.name, s.owner),
                    "host_display_name": s.name, "host_parents": s.parent.map(|p| vec![p]).unwrap_or_default(),
                    "host_latency": 0.012, "host_custom_variable_names": ["ENV", "OWNER"],
                    "host_custom_variable_values": [s.env, s.owner], "host_custom_variables": {"ENV": s.env, "OWNER": s.owner},
                    "host_acknowledged": 0, "host_scheduled_downtime_depth": 0,
                    "peer_key": peer_key, "peer_name": peer_name, "peer_section": "Default",
                })));
            }
        }
        let mut data = Data {
            hosts,
            services,
            downtimes: Vec::new(),
            comments: Vec::new(),
            logs: Vec::new(),
            next_id: 1,
        };
        data.sync_host_mirrors();
        // One flapping service.
        if let Some(s) = data.service_mut("web-01", "HTTP") {
            s["is_flapping"] = json!(1);
            s["percent_state_change"] = json!(38.4);
        }
        // Acknowledged problems, with their comments.
        for (host, svc) in [("db-03", "MySQL"), ("backup-01", ""), ("dns-02", "NTP")] {
            data.acknowledge(
                host,
                svc,
                "dba on it, ticket OPS-4711",
                "alice",
                2,
                now - 1200,
            );
        }
        // Downtimes: one active on a host, one active on a service, one in the future.
        data.add_downtime(
            "nas-01",
            "",
            now - 1800,
            now + 5400,
            "disk replacement, ticket OPS-4702",
            "bob",
            now,
        );
        data.add_downtime(
            "k8s-node-05",
            "Disk /var",
            now - 600,
            now + 3000,
            "log rotation fix rolling out",
            "carol",
            now,
        );
        data.add_downtime(
            "db-04",
            "",
            now + 86400,
            now + 90000,
            "PostgreSQL 16 upgrade",
            "alice",
            now,
        );
        data.add_comment(
            "web-03",
            "HTTP",
            "deploy 2024.11.3 rolled back, watching",
            "dave",
            1,
            now - 900,
        );
        data.add_comment(
            "lb-02",
            "",
            "eth1 cable reported loose by DC ops",
            "erin",
            1,
            now - 5000,
        );
        data.generate_logs(now);
        data
    }

    pub fn host_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.hosts.iter_mut().find(|h| h["name"] == name)
    }

    pub fn service_mut(&mut self, host: &str, service: &str) -> Option<&mut Value> {
        self.services
            .iter_mut()
            .find(|s| s["host_name"] == host && s["description"] == service)
    }

    /// Copies host fields into the `host_*` mirrors of service rows and recounts `num_services*`.
    pub fn sync_host_mirrors(&mut self) {
        for host in &mut self.hosts {
            let name = host["name"].clone();
            let mine: Vec<&Value> = self
                .services
                .iter()
                .filter(|s| s["host_name"] == name)
                .collect();
            let count = |st: i64| mine.iter().filter(|s| s["state"] == st).count();
            host["num_services"] = json!(mine.len());
            host["num_services_ok"] = json!(count(0));
            host["num_services_warn"] = json!(count(1));
            host["num_services_crit"] = json!(count(2));
            host["num_services_unknown"] = json!(count(3));
            host["num_services_pending"] = json!(0);
        }
        for svc in &mut self.services {
            if let Some(host) = self.hosts.iter().find(|h| h["name"] == svc["host_name"]) {
                svc["host_state"] = host["state"].clone();
                svc["host_acknowledged"] = host["acknowledged"].clone();
                svc["host_scheduled_downtime_depth"] = host["scheduled_downtime_depth"].clone();
                svc["host_state_type"] = host["state_type"].clone();
                svc["host_notifications_enabled"] = host["notifications_enabled"].clone();
            }
        }
    }

    pub fn acknowledge(
        &mut self,
        host: &str,
        service: &str,
        comment: &str,
        author: &str,
        sticky: i64,
        now: i64,
    ) {
        let row = if service.is_empty() {
            self.host_mut(host)
        } else {
            self.service_mut(host, service)
        };
        if let Some(r) = row {
            r["acknowledged"] = json!(1);
            r["acknowledgement_type"] = json!(if sticky == 2 { 2 } else { 1 });
        }
        self.add_comment(host, service, comment, author, 4, now);
        self.sync_host_mirrors();
    }

    pub fn add_comment(
        &mut self,
        host: &str,
        service: &str,
        comment: &str,
        author: &str,
        entry_type: i64,
        now: i64,
    ) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let peer = self.peer_of(host);
        self.comments.push(row(Table::Comment, json!({
            "id": id, "host_name": host, "service_description": service, "author": author, "comment": comment,
            "entry_time": now, "entry_type": entry_type, "expires": 0, "expire_time": 0, "persistent": i64::from(entry_type != 4),
            "source": 1, "type": if service.is_empty() { 1 } else { 2 }, "is_service": i64::from(!service.is_empty()),
            "peer_key": peer.0, "peer_name": peer.1,
        })));
        id
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_downtime(
        &mut self,
        host: &str,
        service: &str,
        start: i64,
        end: i64,
        comment: &str,
        author: &str,
        now: i64,
    ) -> i64 {
        self.add_downtime_full(host, service, start, end, 1, 0, 0, comment, author, now)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_downtime_full(
        &mut self,
        host: &str,
        service: &str,
        start: i64,
        end: i64,
        fixed: i64,
        duration: i64,
        triggered_by: i64,
        comment: &str,
        author: &str,
        now: i64,
    ) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let peer = self.peer_of(host);
        self.downtimes.push(row(Table::Downtime, json!({
            "id": id, "host_name": host, "service_description": service, "author": author, "comment": comment,
            "start_time": start, "end_time": end, "entry_time": now, "fixed": fixed,
            "duration": if fixed == 1 { end - start } else { duration }, "triggered_by": triggered_by,
            "is_service": i64::from(!service.is_empty()), "peer_key": peer.0, "peer_name": peer.1,
        })));
        self.recount_downtimes(now);
        id
    }

    /// Recomputes `scheduled_downtime_depth` from the active downtimes.
    pub fn recount_downtimes(&mut self, now: i64) {
        let active: Vec<(String, String)> = self
            .downtimes
            .iter()
            .filter(|d| {
                d["start_time"].as_i64().unwrap_or(0) <= now
                    && now <= d["end_time"].as_i64().unwrap_or(0)
            })
            .map(|d| {
                (
                    d["host_name"].as_str().unwrap_or("").to_string(),
                    d["service_description"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        for h in &mut self.hosts {
            let n = active
                .iter()
                .filter(|(host, svc)| svc.is_empty() && h["name"] == host.as_str())
                .count();
            h["scheduled_downtime_depth"] = json!(n);
        }
        for s in &mut self.services {
            let n = active
                .iter()
                .filter(|(host, svc)| {
                    s["host_name"] == host.as_str() && s["description"] == svc.as_str()
                })
                .count();
            s["scheduled_downtime_depth"] = json!(n);
        }
        self.sync_host_mirrors();
    }

    pub fn peer_of(&self, host: &str) -> (String, String) {
        self.hosts
            .iter()
            .find(|h| h["name"] == host)
            .map(|h| {
                (
                    h["peer_key"].as_str().unwrap_or("").to_string(),
                    h["peer_name"].as_str().unwrap_or("").to_string(),
                )
            })
            .unwrap_or_default()
    }

    #[allow(clippy::too_many_arguments)]
    pub fn log(
        &mut self,
        time: i64,
        class: i64,
        kind: &str,
        host: &str,
        service: &str,
        state: i64,
        extra: Value,
    ) {
        let peer = self.peer_of(host);
        let mut entry = row(
            Table::Log,
            json!({
                "class": class, "time": time, "type": kind, "state": state, "state_type": "", "host_name": host,
                "service_description": service, "plugin_output": "", "message": "", "options": "", "contact_name": "",
                "command_name": "", "peer_key": peer.0, "peer_name": peer.1,
            }),
        );
        if let (Some(obj), Some(extra)) = (entry.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                obj.insert(k.clone(), v.clone());
            }
        }
        // Newest first, as Thruk returns logs.
        let pos = self
            .logs
            .iter()
            .position(|l| l["time"].as_i64().unwrap_or(0) <= time)
            .unwrap_or(self.logs.len());
        self.logs.insert(pos, entry);
    }

    fn generate_logs(&mut self, now: i64) {
        const HOST_NAMES: [&str; 3] = ["UP", "DOWN", "UNREACHABLE"];
        const SVC_NAMES: [&str; 4] = ["OK", "WARNING", "CRITICAL", "UNKNOWN"];
        let services: Vec<(String, String, i64, i64, String)> = self
            .services
            .iter()
            .map(|s| {
                (
                    s["host_name"].as_str().unwrap_or("").to_string(),
                    s["description"].as_str().unwrap_or("").to_string(),
                    s["state"].as_i64().unwrap_or(0),
                    s["last_state_change"].as_i64().unwrap_or(0),
                    s["plugin_output"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        for (k, (host, svc, state, since, output)) in services.iter().enumerate() {
            if *state > 0 {
                let soft = format!(
                    "[{}] SERVICE ALERT: {host};{svc};{};SOFT;1;{output}",
                    since - 180,
                    SVC_NAMES[*state as usize]
                );
                self.log(
                    since - 180,
                    1,
                    "SERVICE ALERT",
                    host,
                    svc,
                    *state,
                    json!({"state_type": "SOFT", "plugin_output": output, "message": soft}),
                );
                let hard = format!(
                    "[{since}] SERVICE ALERT: {host};{svc};{};HARD;4;{output}",
                    SVC_NAMES[*state as usize]
                );
                self.log(
                    *since,
                    1,
                    "SERVICE ALERT",
                    host,
                    svc,
                    *state,
                    json!({"state_type": "HARD", "plugin_output": output, "message": hard}),
                );
                let msg = format!(
                    "[{}] SERVICE NOTIFICATION: oncall;{host};{svc};{};notify-service-by-email;{output}",
                    since + 120,
                    SVC_NAMES[*state as usize]
                );
                self.log(since + 120, 3, "SERVICE NOTIFICATION", host, svc, *state, json!({"contact_name": "oncall", "command_name": "notify-service-by-email", "plugin_output": output, "message": msg}));
            } else if k % 9 == 0 {
                // A short blip that recovered, so history is not only the current problems.
                let t = now - 3600 * (3 + (k as i64 % 18));
                let msg =
                    format!("[{t}] SERVICE ALERT: {host};{svc};WARNING;SOFT;1;WARNING - transient");
                self.log(t, 1, "SERVICE ALERT", host, svc, 1, json!({"state_type": "SOFT", "plugin_output": "WARNING - transient", "message": msg}));
                let msg = format!("[{}] SERVICE ALERT: {host};{svc};OK;SOFT;2;OK", t + 60);
                self.log(
                    t + 60,
                    1,
                    "SERVICE ALERT",
                    host,
                    svc,
                    0,
                    json!({"state_type": "SOFT", "plugin_output": "OK", "message": msg}),
                );
            }
        }
        let hosts: Vec<(String, i64, i64, String)> = self
            .hosts
            .iter()
            .map(|h| {
                (
                    h["name"].as_str().unwrap_or("").to_string(),
                    h["state"].as_i64().unwrap_or(0),
                    h["last_state_change"].as_i64().unwrap_or(0),
                    h["plugin_output"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        for (host, state, since, output) in &hosts {
            if *state > 0 {
                let msg = format!(
                    "[{since}] HOST ALERT: {host};{};HARD;3;{output}",
                    HOST_NAMES[*state as usize]
                );
                self.log(
                    *since,
                    1,
                    "HOST ALERT",
                    host,
                    "",
                    *state,
                    json!({"state_type": "HARD", "plugin_output": output, "message": msg}),
                );
                let msg = format!(
                    "[{}] HOST NOTIFICATION: oncall;{host};{};notify-host-by-email;{output}",
                    since + 60,
                    HOST_NAMES[*state as usize]
                );
                self.log(since + 60, 3, "HOST NOTIFICATION", host, "", *state, json!({"contact_name": "oncall", "command_name": "notify-host-by-email", "plugin_output": output, "message": msg}));
            }
        }
        for t in [now - 82800, now - 43200, now - 3600] {
            let msg = format!(
                "[{t}] SERVICE FLAPPING ALERT: web-01;HTTP;STARTED; Service appears to have started flapping (38.4% change >= 20.0% threshold)"
            );
            self.log(
                t,
                1,
                "SERVICE FLAPPING ALERT",
                "web-01",
                "HTTP",
                0,
                json!({"message": msg}),
            );
        }
        let msg = format!(
            "[{}] SERVICE DOWNTIME ALERT: k8s-node-05;Disk /var;STARTED; Service has entered a period of scheduled downtime",
            now - 600
        );
        self.log(
            now - 600,
            2,
            "SERVICE DOWNTIME ALERT",
            "k8s-node-05",
            "Disk /var",
            0,
            json!({"message": msg}),
        );
        for h in 0..24 {
            let t = now - 3600 * h - 17;
            self.log(t, 0, "", "", "", 0, json!({"message": format!("[{t}] Auto-save of retention data completed successfully.")}));
        }
        for (host, _, _, _) in hosts.iter().take(5) {
            let t = now - 86000;
            let msg =
                format!("[{t}] CURRENT HOST STATE: {host};UP;HARD;1;OK - rta 0.82 ms, lost 0%");
            self.log(
                t,
                6,
                "CURRENT HOST STATE",
                host,
                "",
                0,
                json!({"state_type": "HARD", "message": msg}),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_shaped(table: Table, rows: &[Value]) {
        let template = table.template();
        assert!(!rows.is_empty(), "no {table:?} rows generated");
        for r in rows {
            let obj = r.as_object().expect("rows are objects");
            for key in obj.keys() {
                assert!(
                    template.contains_key(key),
                    "{table:?} row has column {key:?} missing from fixtures/thruk"
                );
            }
            assert_eq!(obj.len(), template.len(), "{table:?} row lacks a column");
        }
    }

    #[test]
    fn generated_rows_have_exactly_the_fixture_columns() {
        let d = Data::generate(1_700_000_000);
        assert_shaped(Table::Host, &d.hosts);
        assert_shaped(Table::Service, &d.services);
        assert_shaped(Table::Downtime, &d.downtimes);
        assert_shaped(Table::Comment, &d.comments);
        assert_shaped(Table::Log, &d.logs);
    }
}
