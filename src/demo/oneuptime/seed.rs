//! The OneUptime demo's data: two projects ("Acme Production", a busy production estate, and
//! "Globex Staging", a small and clearly different one) with monitors and their statuses,
//! incidents, alerts, notes, state timelines, status pages, announcements, on-call policies,
//! teams, labels and scheduled maintenance. Generated relative to start-up time with
//! deterministic ids: `<model number:8>-<project number:4>-4000-8000-<row number:12>`, the
//! model number being its position in the schema and rows numbered from 1 per model and
//! project. Telemetry rows come from `telemetry`.

use super::model::{self, Family};
use super::query::iso;
use super::store::{self, Row, Store};
use super::telemetry;
use super::{ACME_PROJECT_ID, GLOBEX_PROJECT_ID};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Minutes in a day.
const DAY: i64 = 24 * 60;
/// When the projects' configuration (statuses, states, monitors) was created.
const SETUP: i64 = 90 * DAY;

/// Builds the demo's rows relative to `now`.
pub fn generate(now: DateTime<Utc>) -> Store {
    let mut store = Store::default();
    for (id, name, description, days) in [
        (
            ACME_PROJECT_ID,
            "Acme Production",
            "Production monitoring for acme.io: checkout, payments, search and the public website.",
            400,
        ),
        (
            GLOBEX_PROJECT_ID,
            "Globex Staging",
            "Staging environment of Globex Corporation's internal tools.",
            120,
        ),
    ] {
        let created = iso(now - Duration::days(days));
        let mut row = Row::new();
        for (k, v) in [
            ("_id", json!(id)),
            ("name", json!(name)),
            ("slug", json!(store::slugify(name))),
            ("description", json!(description)),
            ("createdAt", json!(created)),
            ("updatedAt", json!(created)),
            ("version", json!(1)),
        ] {
            row.insert(k.into(), v);
        }
        store.insert("project", row);
    }
    let monitors = acme(&mut Seeder::new(&mut store, ACME_PROJECT_ID, 1, now));
    let mut acme_telemetry = Seeder::new(&mut store, ACME_PROJECT_ID, 1, now);
    telemetry::acme(&mut acme_telemetry, &monitors);
    let mut globex_seeder = Seeder::new(&mut store, GLOBEX_PROJECT_ID, 2, now);
    globex(&mut globex_seeder);
    telemetry::globex(&mut globex_seeder);
    store
}

/// Writes one project's rows with deterministic ids and times relative to `now`.
pub struct Seeder<'a> {
    store: &'a mut Store,
    project: &'static str,
    number: usize,
    now: DateTime<Utc>,
    counters: HashMap<&'static str, usize>,
}

impl<'a> Seeder<'a> {
    fn new(store: &'a mut Store, project: &'static str, number: usize, now: DateTime<Utc>) -> Self {
        Seeder {
            store,
            project,
            number,
            now,
            counters: HashMap::new(),
        }
    }

    /// The instant `minutes` before now (after now when negative).
    pub fn ago(&self, minutes: i64) -> String {
        self.ago_secs(minutes * 60)
    }

    pub fn ago_secs(&self, secs: i64) -> String {
        self.ago_ms(secs * 1000)
    }

    pub fn ago_ms(&self, ms: i64) -> String {
        iso(self.now - Duration::milliseconds(ms))
    }

    /// Nanoseconds since the epoch of the instant `secs` before now.
    pub fn unix_nano_ago(&self, secs: i64) -> i64 {
        (self.now - Duration::seconds(secs))
            .timestamp_nanos_opt()
            .unwrap_or_default()
    }

    /// Adds a row created `minutes` ago; answers its id.
    pub fn add(&mut self, path: &'static str, minutes: i64, fields: Value) -> String {
        self.add_secs(path, minutes * 60, fields)
    }

    /// Adds a row created `secs` ago: the model's defaults, the base columns, then `fields`.
    pub fn add_secs(&mut self, path: &'static str, secs: i64, fields: Value) -> String {
        let counter = self.counters.entry(path).or_default();
        *counter += 1;
        let id = format!(
            "{:08}-{:04}-4000-8000-{:012}",
            model::number(path),
            self.number,
            counter
        );
        let created = self.ago_secs(secs);
        let Some(m) = model::get(path) else {
            return id;
        };
        let mut row = store::defaults(m, &created);
        row.insert("_id".into(), json!(id));
        row.insert("projectId".into(), json!(self.project));
        row.insert("createdAt".into(), json!(created));
        row.insert("updatedAt".into(), json!(created));
        if m.family == Family::Database {
            row.insert("version".into(), json!(1));
        }
        if let Value::Object(f) = fields {
            row.extend(f);
        }
        if let Some(from) = m.slug_from {
            let slug = store::slugify(row.get(from).and_then(Value::as_str).unwrap_or_default());
            row.insert("slug".into(), json!(slug));
        }
        self.store.insert(path, row);
        id
    }

    /// Adds a parent's state timeline from `(state id, minutes ago)` steps, oldest first; each
    /// row ends when the next begins.
    fn timeline(&mut self, parent_path: &str, parent: &str, steps: &[(&str, i64)]) {
        let Some(lc) = model::lifecycle_of_parent(parent_path) else {
            return;
        };
        for (i, (state, minutes)) in steps.iter().enumerate() {
            let ends = steps.get(i + 1).map(|(_, m)| json!(self.ago(*m)));
            let mut fields = json!({
                lc.parent_key: parent,
                lc.state_key: state,
                "startsAt": self.ago(*minutes),
                "endsAt": ends,
            });
            if let Some(end_minutes) = steps.get(i + 1).map(|(_, m)| *m) {
                fields["updatedAt"] = json!(self.ago(end_minutes));
            }
            self.add(lc.timeline, *minutes, fields);
        }
    }
}

/// A monitor's probe configuration: one step checking `destination`, online → the
/// operational status, offline → `offline` (and an incident).
fn monitor_steps(
    kind: &str,
    destination: &str,
    request: &str,
    operational: &str,
    offline: &str,
) -> Value {
    let criterion = |name: &str, status: &str, online: bool, incident: bool| {
        json!({
            "_type": "MonitorCriteriaInstance",
            "value": {
                "name": name,
                "monitorStatusId": {"_type": "ObjectID", "value": status},
                "filterCondition": "All",
                "filters": [{"checkOn": "Is Online", "filterType": if online { "True" } else { "False" }}],
                "changeMonitorStatus": true,
                "createIncidents": incident,
            }
        })
    };
    json!({
        "monitorStepsInstanceArray": [{
            "_type": "MonitorStep",
            "value": {
                "monitorDestination": {"_type": kind, "value": destination},
                "requestType": request,
                "monitorCriteria": {
                    "_type": "MonitorCriteria",
                    "value": {"monitorCriteriaInstanceArray": [
                        criterion("Online", operational, true, false),
                        criterion("Offline", offline, false, true),
                    ]}
                }
            }
        }],
        "defaultMonitorStatusId": {"_type": "ObjectID", "value": operational},
    })
}

/// Ids of one project's state table rows, by name.
type Names = HashMap<&'static str, String>;

/// Adds `(name, color, order, flags)` rows to a state or severity table.
fn states(
    s: &mut Seeder,
    path: &'static str,
    order_column: &str,
    rows: &[(&'static str, &str, i64, &[&str], &str)],
) -> Names {
    let mut ids = Names::new();
    for (name, color, order, flags, description) in rows {
        let mut fields = json!({
            "name": name,
            "color": color,
            "description": description,
            order_column: order,
        });
        for flag in *flags {
            fields[*flag] = json!(true);
        }
        ids.insert(*name, s.add(path, SETUP, fields));
    }
    ids
}

/// Adds `(name, color, description)` labels.
fn labels(s: &mut Seeder, rows: &[(&'static str, &str, &str)]) -> Names {
    rows.iter()
        .map(|(name, color, description)| {
            let fields = json!({"name": name, "color": color, "description": description});
            (*name, s.add("label", SETUP, fields))
        })
        .collect()
}

fn id<'a>(names: &'a Names, name: &str) -> &'a str {
    names.get(name).map_or("", String::as_str)
}

/// The Acme monitors' ids by name, for the telemetry seed.
pub type Monitors = Names;

struct MonitorSpec {
    name: &'static str,
    kind: &'static str,
    destination: (&'static str, &'static str),
    /// The current status and since how many minutes, if not operational all along.
    history: &'static [(&'static str, i64)],
    interval: &'static str,
    description: &'static str,
    labels: &'static [&'static str],
}

const ACME_MONITORS: &[MonitorSpec] = &[
    MonitorSpec {
        name: "Checkout API",
        kind: "API",
        destination: ("URL", "https://api.acme.io/v1/checkout/health"),
        history: &[("Offline", 3 * DAY + 2), ("Operational", 3 * DAY - 45)],
        interval: "* * * * *",
        description: "Health endpoint of checkout-service behind the public API gateway.",
        labels: &["production", "customer-facing"],
    },
    MonitorSpec {
        name: "Marketing Website",
        kind: "Website",
        destination: ("URL", "https://www.acme.io"),
        history: &[("Degraded", 2 * DAY), ("Operational", 2 * DAY - 90)],
        interval: "*/5 * * * *",
        description: "www.acme.io as served by the CDN.",
        labels: &["customer-facing"],
    },
    MonitorSpec {
        name: "Payments DB",
        kind: "Port",
        destination: ("Hostname", "payments-db.internal.acme.io:5432"),
        history: &[("Degraded", 125)],
        interval: "* * * * *",
        description: "PostgreSQL primary of payments-service (TCP 5432).",
        labels: &["production", "database"],
    },
    MonitorSpec {
        name: "Status Page DNS",
        kind: "DNS",
        destination: ("Hostname", "status.acme.io"),
        history: &[],
        interval: "*/5 * * * *",
        description: "Resolves status.acme.io against the public resolvers.",
        labels: &["customer-facing"],
    },
    MonitorSpec {
        name: "api.acme.io TLS",
        kind: "SSL Certificate",
        destination: ("URL", "https://api.acme.io"),
        history: &[("Degraded", DAY)],
        interval: "0 * * * *",
        description: "Certificate of api.acme.io; degraded when it expires within 14 days.",
        labels: &["production"],
    },
    MonitorSpec {
        name: "Nightly Backup Heartbeat",
        kind: "Incoming Request",
        destination: ("URL", "https://oneuptime.com/heartbeat/acme-nightly-backup"),
        history: &[("Offline", 360)],
        interval: "*/5 * * * *",
        description: "The nightly pg_dump job calls this heartbeat when it finishes.",
        labels: &["database"],
    },
    MonitorSpec {
        name: "Edge Proxy eu-west",
        kind: "Ping",
        destination: ("Hostname", "edge-eu-west-1.acme.io"),
        history: &[("Degraded", 600), ("Operational", 560)],
        interval: "* * * * *",
        description: "ICMP reachability of the eu-west edge proxy.",
        labels: &["production", "eu-west"],
    },
    MonitorSpec {
        name: "Search Cluster",
        kind: "API",
        destination: ("URL", "https://search.internal.acme.io/_cluster/health"),
        history: &[("Offline", 27)],
        interval: "* * * * *",
        description: "Elasticsearch cluster health behind product search.",
        labels: &["production"],
    },
    MonitorSpec {
        name: "Inbox Worker",
        kind: "Server",
        destination: ("Hostname", "inbox-worker-1.internal.acme.io"),
        history: &[],
        interval: "* * * * *",
        description: "Server agent on the e-mail ingestion worker.",
        labels: &["production"],
    },
    MonitorSpec {
        name: "Customer Portal",
        kind: "Website",
        destination: ("URL", "https://app.acme.io"),
        history: &[],
        interval: "* * * * *",
        description: "The logged-in customer portal.",
        labels: &["production", "customer-facing"],
    },
    MonitorSpec {
        name: "Auth Service",
        kind: "API",
        destination: ("URL", "https://auth.acme.io/healthz"),
        history: &[],
        interval: "* * * * *",
        description: "OIDC provider used by the portal and the API.",
        labels: &["production", "eu-west"],
    },
    MonitorSpec {
        name: "Redis Cache",
        kind: "Port",
        destination: ("Hostname", "cache.internal.acme.io:6379"),
        history: &[],
        interval: "* * * * *",
        description: "Session and cart cache (TCP 6379).",
        labels: &["production", "database"],
    },
];

/// `(number, title, description, severity, monitor, steps, root cause, labels, policy)`.
type IncidentSpec = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, i64)],
    Option<&'static str>,
    &'static [&'static str],
    &'static str,
);

const ACME_INCIDENTS: &[IncidentSpec] = &[
    (
        1,
        "Checkout API returning 502 errors",
        "Customers see **502 Bad Gateway** when placing orders. Checkout error rate at 38%.",
        "Critical",
        "Checkout API",
        &[
            ("Identified", 3 * DAY + 2),
            ("Acknowledged", 3 * DAY - 3),
            ("Resolved", 3 * DAY - 45),
        ],
        Some(
            "Release checkout-service v2.14.0 lowered the database connection pool to 5; requests queued until the load balancer timed out.",
        ),
        &["production", "customer-facing"],
        "Platform primary",
    ),
    (
        2,
        "Marketing website slow for visitors in APAC",
        "Time to first byte above 4 s from Singapore and Sydney probes.",
        "Minor",
        "Marketing Website",
        &[
            ("Identified", 2 * DAY),
            ("Acknowledged", 2 * DAY - 18),
            ("Resolved", 2 * DAY - 90),
        ],
        Some("A full CDN cache purge sent all APAC traffic to the origin in eu-west-1."),
        &["customer-facing"],
        "Business hours support",
    ),
    (
        3,
        "Payments DB replication lag above 10 minutes",
        "Replica pg-payments-2 is far behind the primary; refunds read stale balances.",
        "Major",
        "Payments DB",
        &[("Identified", 125), ("Acknowledged", 112)],
        None,
        &["production", "database"],
        "Database escalation",
    ),
    (
        4,
        "Search Cluster unreachable",
        "Product search returns errors; the cluster health endpoint does not answer.",
        "Critical",
        "Search Cluster",
        &[("Identified", 27)],
        None,
        &["production"],
        "Platform primary",
    ),
    (
        5,
        "Nightly backup did not check in",
        "The 02:00 pg_dump job has not called its heartbeat.",
        "Major",
        "Nightly Backup Heartbeat",
        &[("Identified", 360)],
        None,
        &["database"],
        "Database escalation",
    ),
    (
        6,
        "TLS certificate for api.acme.io expires in 9 days",
        "Automatic renewal failed: the ACME DNS challenge record was not found.",
        "Minor",
        "api.acme.io TLS",
        &[("Identified", DAY), ("Acknowledged", DAY - 60)],
        None,
        &["production"],
        "Platform primary",
    ),
];

/// `(number, title, monitor, severity, steps, root cause)`.
type AlertSpec = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, i64)],
    Option<&'static str>,
);

const ACME_ALERTS: &[AlertSpec] = &[
    (
        1,
        "Checkout API p95 latency above 800 ms",
        "Checkout API",
        "High",
        &[
            ("Created", 3 * DAY + 10),
            ("Acknowledged", 3 * DAY + 5),
            ("Resolved", 3 * DAY - 50),
        ],
        Some("Connection pool exhaustion after the v2.14.0 release."),
    ),
    (
        2,
        "Payments DB connections above 90% of max_connections",
        "Payments DB",
        "High",
        &[("Created", 130), ("Acknowledged", 118)],
        None,
    ),
    (
        3,
        "Search Cluster health check failing",
        "Search Cluster",
        "High",
        &[("Created", 28)],
        None,
    ),
    (
        4,
        "Nightly Backup Heartbeat missed its 02:00 check-in",
        "Nightly Backup Heartbeat",
        "Medium",
        &[("Created", 362)],
        None,
    ),
    (
        5,
        "api.acme.io certificate expires in under 14 days",
        "api.acme.io TLS",
        "Low",
        &[("Created", DAY + 5), ("Acknowledged", DAY - 58)],
        None,
    ),
    (
        6,
        "Edge Proxy eu-west packet loss above 3%",
        "Edge Proxy eu-west",
        "Medium",
        &[("Created", 600), ("Acknowledged", 590), ("Resolved", 560)],
        Some("Faulty line card at the upstream provider in Frankfurt."),
    ),
    (
        7,
        "Inbox Worker disk /var above 85%",
        "Inbox Worker",
        "Medium",
        &[("Created", 45)],
        None,
    ),
    (
        8,
        "Marketing Website TTFB above 1.5 s",
        "Marketing Website",
        "Low",
        &[("Created", 2 * DAY + 5), ("Resolved", 2 * DAY - 95)],
        Some("CDN cache purge."),
    ),
];

fn ids_of(names: &Names, list: &[&str]) -> Value {
    json!(list.iter().map(|n| id(names, n)).collect::<Vec<_>>())
}

fn acme(s: &mut Seeder) -> Monitors {
    let labels = labels(
        s,
        &[
            ("production", "#2563eb", "Serves paying customers."),
            (
                "customer-facing",
                "#9333ea",
                "Visible to customers when it fails.",
            ),
            ("database", "#f97316", "Data stores and their jobs."),
            ("eu-west", "#0891b2", "Runs in the eu-west-1 region."),
        ],
    );
    let statuses = states(
        s,
        "monitor-status",
        "priority",
        &[
            (
                "Operational",
                "#2ecc71",
                1,
                &["isOperationalState"],
                "The monitor is up and serving traffic.",
            ),
            (
                "Degraded",
                "#f1c40f",
                2,
                &[],
                "The monitor is up but slow or partially failing.",
            ),
            (
                "Offline",
                "#e74c3c",
                3,
                &["isOfflineState"],
                "The monitor is down.",
            ),
        ],
    );
    let teams = ["Platform", "Database Reliability", "Customer Support"];
    let team_descriptions = [
        "Runs the Kubernetes platform, edge and CI.",
        "Owns PostgreSQL, Redis and backups.",
        "First line for customer reports, business hours.",
    ];
    for (name, description) in teams.iter().zip(team_descriptions) {
        s.add(
            "team",
            SETUP,
            json!({"name": name, "description": description, "shouldHaveAtLeastOneMember": true}),
        );
    }
    let mut policies = Names::new();
    for (name, description, repeat, times) in [
        (
            "Platform primary",
            "Pages the platform on-call engineer, then the platform lead after 15 minutes.",
            true,
            3,
        ),
        (
            "Database escalation",
            "Pages the database on-call engineer, then the whole Database Reliability team.",
            true,
            2,
        ),
        (
            "Business hours support",
            "Notifies the support rota by e-mail, 09:00-18:00 CET on weekdays.",
            false,
            0,
        ),
    ] {
        let policy = s.add(
            "on-call-duty-policy",
            SETUP,
            json!({
                "name": name,
                "description": description,
                "repeatPolicyIfNoOneAcknowledges": repeat,
                "repeatPolicyIfNoOneAcknowledgesNoOfTimes": times,
            }),
        );
        policies.insert(name, policy);
    }

    let mut monitors = Monitors::new();
    for spec in ACME_MONITORS {
        let current = spec.history.last().map_or("Operational", |(st, _)| *st);
        let last_change = spec.history.last().map_or(SETUP, |(_, m)| *m);
        let monitor = s.add(
            "monitor",
            SETUP,
            json!({
                "name": spec.name,
                "description": spec.description,
                "monitorType": spec.kind,
                "currentMonitorStatusId": id(&statuses, current),
                "monitoringInterval": spec.interval,
                "monitorSteps": monitor_steps(
                    spec.destination.0,
                    spec.destination.1,
                    if spec.kind == "API" || spec.kind == "Website" { "GET" } else { "" },
                    id(&statuses, "Operational"),
                    id(&statuses, "Offline"),
                ),
                "labels": ids_of(&labels, spec.labels),
                "updatedAt": s.ago(last_change),
            }),
        );
        let mut steps = vec![(id(&statuses, "Operational"), SETUP)];
        steps.extend(spec.history.iter().map(|(st, m)| (id(&statuses, st), *m)));
        s.timeline("monitor", &monitor, &steps);
        monitors.insert(spec.name, monitor);
    }

    let incident_states = states(
        s,
        "incident-state",
        "order",
        &[
            (
                "Identified",
                "#e74c3c",
                1,
                &["isCreatedState"],
                "The incident has been declared.",
            ),
            (
                "Acknowledged",
                "#f39c12",
                2,
                &["isAcknowledgedState"],
                "Someone is working on it.",
            ),
            (
                "Resolved",
                "#2ecc71",
                3,
                &["isResolvedState"],
                "The incident is over.",
            ),
        ],
    );
    let severities = states(
        s,
        "incident-severity",
        "order",
        &[
            (
                "Critical",
                "#c0392b",
                1,
                &[],
                "Customers cannot use a core feature.",
            ),
            (
                "Major",
                "#e67e22",
                2,
                &[],
                "A feature is impaired for many customers.",
            ),
            (
                "Minor",
                "#f1c40f",
                3,
                &[],
                "Limited impact or a workaround exists.",
            ),
        ],
    );
    let mut incidents = HashMap::new();
    for (
        number,
        title,
        description,
        severity,
        monitor,
        steps,
        root_cause,
        incident_labels,
        policy,
    ) in ACME_INCIDENTS
    {
        let declared = steps.first().map_or(0, |(_, m)| *m);
        let last = steps.last().map_or(("Identified", 0), |x| *x);
        let incident = s.add(
            "incident",
            declared,
            json!({
                "title": title,
                "description": description,
                "incidentSeverityId": id(&severities, severity),
                "currentIncidentStateId": id(&incident_states, last.0),
                "declaredAt": s.ago(declared),
                "monitors": [id(&monitors, monitor)],
                "labels": ids_of(&labels, incident_labels),
                "onCallDutyPolicies": [id(&policies, policy)],
                "incidentNumber": number,
                "rootCause": root_cause,
                "remediationNotes": if *number == 1 {
                    json!("Rolled back to v2.13.2 and added a pool-size check to the deploy pipeline.")
                } else {
                    Value::Null
                },
                "changeMonitorStatusToId": id(&statuses, "Offline"),
                "isCreatedAutomatically": *number == 4,
                "updatedAt": s.ago(last.1),
            }),
        );
        let steps: Vec<(&str, i64)> = steps
            .iter()
            .map(|(st, m)| (id(&incident_states, st), *m))
            .collect();
        s.timeline("incident", &incident, &steps);
        incidents.insert(*number, incident);
    }
    let incident_id = |n: i64| incidents.get(&n).cloned().unwrap_or_default();
    for (n, minutes, note) in [
        (
            1,
            3 * DAY - 8,
            "Error rate jumped right after the 14:02 deploy of checkout-service v2.14.0. Rolling back.",
        ),
        (
            1,
            3 * DAY - 40,
            "Rollback to v2.13.2 complete; 5xx rate back to 0.1%.",
        ),
        (
            3,
            110,
            "pg-payments-2 is 11 minutes behind the primary; WAL archiving to S3 is slow. Paused the nightly analytics export.",
        ),
        (
            4,
            20,
            "search-3 and search-4 stopped answering after the kernel update; console access requested from the hosting provider.",
        ),
    ] {
        s.add(
            "incident-internal-note",
            minutes,
            json!({"incidentId": incident_id(n), "note": note}),
        );
    }
    for (n, minutes, note) in [
        (
            1,
            3 * DAY - 5,
            "We have identified the cause of failed checkouts and are rolling back a recent change.",
        ),
        (
            1,
            3 * DAY - 46,
            "Checkout is working normally again. We apologise for the disruption.",
        ),
        (
            4,
            22,
            "Product search is currently unavailable. Browsing and checkout are not affected. Our team is investigating.",
        ),
    ] {
        s.add(
            "incident-public-note",
            minutes,
            json!({"incidentId": incident_id(n), "note": note, "postedAt": s.ago(minutes)}),
        );
    }

    let alert_states = states(
        s,
        "alert-state",
        "order",
        &[
            (
                "Created",
                "#e74c3c",
                1,
                &["isCreatedState"],
                "The alert fired.",
            ),
            (
                "Acknowledged",
                "#f39c12",
                2,
                &["isAcknowledgedState"],
                "Someone is looking at it.",
            ),
            (
                "Resolved",
                "#2ecc71",
                3,
                &["isResolvedState"],
                "The condition cleared.",
            ),
        ],
    );
    let alert_severities = states(
        s,
        "alert-severity",
        "order",
        &[
            ("High", "#c0392b", 1, &[], "Page the on-call engineer."),
            (
                "Medium",
                "#e67e22",
                2,
                &[],
                "Handle within the working day.",
            ),
            ("Low", "#3498db", 3, &[], "Informational."),
        ],
    );
    let mut alerts = HashMap::new();
    for (number, title, monitor, severity, steps, root_cause) in ACME_ALERTS {
        let created = steps.first().map_or(0, |(_, m)| *m);
        let last = steps.last().map_or(("Created", 0), |x| *x);
        let alert = s.add(
            "alert",
            created,
            json!({
                "title": title,
                "description": format!("Raised by the {monitor} monitor's criteria."),
                "monitorId": id(&monitors, monitor),
                "alertSeverityId": id(&alert_severities, severity),
                "currentAlertStateId": id(&alert_states, last.0),
                "alertNumber": number,
                "rootCause": root_cause,
                "isCreatedAutomatically": true,
                "updatedAt": s.ago(last.1),
            }),
        );
        let steps: Vec<(&str, i64)> = steps
            .iter()
            .map(|(st, m)| (id(&alert_states, st), *m))
            .collect();
        s.timeline("alert", &alert, &steps);
        alerts.insert(*number, alert);
    }
    for (n, minutes, note) in [
        (
            2,
            115,
            "Connection spike comes from the reconciliation job; rescheduled it to 03:00.",
        ),
        (3, 25, "Same root cause as incident #4."),
        (
            6,
            565,
            "Provider confirmed a faulty line card in FRA; traffic rerouted via AMS.",
        ),
    ] {
        s.add(
            "alert-internal-note",
            minutes,
            json!({"alertId": alerts.get(&n).cloned().unwrap_or_default(), "note": note}),
        );
    }

    let public_page = s.add(
        "status-page",
        SETUP,
        json!({
            "name": "Acme Status",
            "pageTitle": "Acme Status",
            "pageDescription": "Live status of Acme checkout, API and website.",
            "description": "The public status page at status.acme.io.",
            "isPublicStatusPage": true,
            "enableEmailSubscribers": true,
            "showIncidentHistoryInDays": 30,
            "defaultBarColor": "#2ecc71",
            "labels": ids_of(&labels, &["customer-facing"]),
        }),
    );
    let internal_page = s.add(
        "status-page",
        SETUP,
        json!({
            "name": "Acme Internal",
            "pageTitle": "Acme Internal Services",
            "pageDescription": "Internal services for Acme engineering.",
            "description": "Private page for employees, behind SSO.",
            "isPublicStatusPage": false,
            "requireSsoForLogin": true,
            "enableMcpServer": false,
            "defaultBarColor": "#2563eb",
            "labels": ids_of(&labels, &["production"]),
        }),
    );
    s.add(
        "status-page-announcement",
        DAY,
        json!({
            "title": "Scheduled database maintenance on Saturday",
            "description": "Payments will be read-only for up to 30 minutes during the PostgreSQL 17 upgrade.",
            "statusPages": [public_page],
            "monitors": [id(&monitors, "Payments DB")],
            "showAnnouncementAt": s.ago(DAY),
            "endAnnouncementAt": s.ago(-3 * DAY - 120),
            "shouldStatusPageSubscribersBeNotified": true,
        }),
    );
    s.add(
        "status-page-announcement",
        10 * DAY,
        json!({
            "title": "New EU data centre",
            "description": "Customers in the EU are now served from Frankfurt.",
            "statusPages": [public_page, internal_page],
            "showAnnouncementAt": s.ago(10 * DAY),
            "endAnnouncementAt": s.ago(3 * DAY),
        }),
    );

    let maintenance_states = maintenance_states(s);
    let event = s.add(
        "scheduled-maintenance",
        14 * DAY,
        json!({
            "title": "Edge proxy kernel patching",
            "description": "Rolling kernel update of the eu-west edge proxies; brief packet loss expected.",
            "startsAt": s.ago(5 * DAY),
            "endsAt": s.ago(5 * DAY - 60),
            "currentScheduledMaintenanceStateId": id(&maintenance_states, "Completed"),
            "monitors": [id(&monitors, "Edge Proxy eu-west")],
            "statusPages": [public_page],
            "labels": ids_of(&labels, &["eu-west"]),
            "scheduledMaintenanceNumber": 1,
            "updatedAt": s.ago(5 * DAY - 60),
        }),
    );
    let steps = [
        (id(&maintenance_states, "Scheduled"), 14 * DAY),
        (id(&maintenance_states, "Ongoing"), 5 * DAY),
        (id(&maintenance_states, "Completed"), 5 * DAY - 60),
    ];
    s.timeline("scheduled-maintenance", &event, &steps);
    let event = s.add(
        "scheduled-maintenance",
        2 * DAY,
        json!({
            "title": "Payments DB major version upgrade",
            "description": "Upgrade of the payments PostgreSQL cluster from 16 to 17. Payments are read-only during the switchover.",
            "startsAt": s.ago(-3 * DAY),
            "endsAt": s.ago(-3 * DAY - 120),
            "currentScheduledMaintenanceStateId": id(&maintenance_states, "Scheduled"),
            "monitors": [id(&monitors, "Payments DB"), id(&monitors, "Checkout API")],
            "statusPages": [public_page, internal_page],
            "labels": ids_of(&labels, &["database"]),
            "changeMonitorStatusToId": id(&statuses, "Degraded"),
            "scheduledMaintenanceNumber": 2,
        }),
    );
    let steps = [(id(&maintenance_states, "Scheduled"), 2 * DAY)];
    s.timeline("scheduled-maintenance", &event, &steps);
    monitors
}

fn maintenance_states(s: &mut Seeder) -> Names {
    states(
        s,
        "scheduled-maintenance-state",
        "order",
        &[
            (
                "Scheduled",
                "#3498db",
                1,
                &["isScheduledState"],
                "The event is planned.",
            ),
            (
                "Ongoing",
                "#f39c12",
                2,
                &["isOngoingState"],
                "The maintenance is in progress.",
            ),
            (
                "Completed",
                "#2ecc71",
                3,
                &["isEndedState", "isResolvedState"],
                "The maintenance is over.",
            ),
        ],
    )
}

fn globex(s: &mut Seeder) {
    let labels = labels(s, &[("staging", "#64748b", "Pre-production environment.")]);
    let statuses = states(
        s,
        "monitor-status",
        "priority",
        &[
            ("Operational", "#00c853", 1, &["isOperationalState"], "Up."),
            ("Down", "#d50000", 2, &["isOfflineState"], "Not answering."),
        ],
    );
    let mut monitors = Names::new();
    for (name, kind, destination, down_since) in [
        (
            "Globex Intranet",
            "Website",
            "https://intranet.globex.example",
            None,
        ),
        (
            "Globex HR Portal",
            "Website",
            "https://hr.globex.example",
            None,
        ),
        (
            "Globex Staging DB",
            "Port",
            "staging-db.globex.internal:5432",
            Some(50),
        ),
    ] {
        let current = if down_since.is_some() {
            "Down"
        } else {
            "Operational"
        };
        let monitor = s.add(
            "monitor",
            60 * DAY,
            json!({
                "name": name,
                "description": format!("{name} (staging)."),
                "monitorType": kind,
                "currentMonitorStatusId": id(&statuses, current),
                "monitoringInterval": "*/10 * * * *",
                "monitorSteps": monitor_steps(
                    if kind == "Port" { "Hostname" } else { "URL" },
                    destination,
                    if kind == "Port" { "" } else { "GET" },
                    id(&statuses, "Operational"),
                    id(&statuses, "Down"),
                ),
                "labels": ids_of(&labels, &["staging"]),
            }),
        );
        let mut steps = vec![(id(&statuses, "Operational"), 60 * DAY)];
        if let Some(m) = down_since {
            steps.push((id(&statuses, "Down"), m));
        }
        s.timeline("monitor", &monitor, &steps);
        monitors.insert(name, monitor);
    }
    let incident_states = states(
        s,
        "incident-state",
        "order",
        &[
            ("Identified", "#d50000", 1, &["isCreatedState"], ""),
            ("Acknowledged", "#ff6f00", 2, &["isAcknowledgedState"], ""),
            ("Resolved", "#00c853", 3, &["isResolvedState"], ""),
        ],
    );
    let severities = states(
        s,
        "incident-severity",
        "order",
        &[
            ("SEV1", "#b71c1c", 1, &[], "Staging is unusable."),
            ("SEV2", "#ff6f00", 2, &[], "Part of staging is unusable."),
        ],
    );
    let incident = s.add(
        "incident",
        48,
        json!({
            "title": "Staging database unreachable",
            "description": "Integration tests fail with connection timeouts to staging-db.",
            "incidentSeverityId": id(&severities, "SEV2"),
            "currentIncidentStateId": id(&incident_states, "Identified"),
            "declaredAt": s.ago(48),
            "monitors": [id(&monitors, "Globex Staging DB")],
            "labels": ids_of(&labels, &["staging"]),
            "incidentNumber": 1,
        }),
    );
    let steps = [(id(&incident_states, "Identified"), 48)];
    s.timeline("incident", &incident, &steps);
    let alert_states = states(
        s,
        "alert-state",
        "order",
        &[
            ("Created", "#d50000", 1, &["isCreatedState"], ""),
            ("Acknowledged", "#ff6f00", 2, &["isAcknowledgedState"], ""),
            ("Resolved", "#00c853", 3, &["isResolvedState"], ""),
        ],
    );
    let alert_severities = states(
        s,
        "alert-severity",
        "order",
        &[
            ("Critical", "#b71c1c", 1, &[], ""),
            ("Warning", "#ff6f00", 2, &[], ""),
        ],
    );
    let alert = s.add(
        "alert",
        55,
        json!({
            "title": "Globex Staging DB disk 95% full",
            "description": "/var/lib/postgresql on staging-db is almost full.",
            "monitorId": id(&monitors, "Globex Staging DB"),
            "alertSeverityId": id(&alert_severities, "Warning"),
            "currentAlertStateId": id(&alert_states, "Created"),
            "alertNumber": 1,
            "isCreatedAutomatically": true,
        }),
    );
    let steps = [(id(&alert_states, "Created"), 55)];
    s.timeline("alert", &alert, &steps);
    s.add(
        "status-page",
        60 * DAY,
        json!({
            "name": "Globex Staging Status",
            "pageTitle": "Globex Staging",
            "description": "Status of the staging tools for Globex developers.",
            "isPublicStatusPage": false,
        }),
    );
    s.add(
        "on-call-duty-policy",
        60 * DAY,
        json!({
            "name": "Globex on-call",
            "description": "Notifies the Globex Ops channel; no paging for staging.",
        }),
    );
    s.add(
        "team",
        60 * DAY,
        json!({"name": "Globex Ops", "description": "Keeps Globex staging running."}),
    );
    maintenance_states(s);
}
