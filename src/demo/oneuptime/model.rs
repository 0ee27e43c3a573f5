//! The schema of the OneUptime demo: every resource it serves (the 22 MCP-enabled database
//! models, `project`, and the 7 telemetry models), their columns with the kind that decides how
//! a value is validated and wrapped on the wire, their relations, required fields, and the
//! state machines (incident, alert, monitor, scheduled maintenance) whose timelines move the
//! parent's current state.

use std::sync::LazyLock;

/// How a column is stored, validated and encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The primary key `_id`: a plain UUID string.
    Key,
    Text,
    Number,
    Bool,
    /// Raw JSON (objects such as `attributes`, `customFields`).
    Json,
    /// ISO-8601 instant; `{"_type":"DateTime"}` on the wire.
    Date,
    /// A foreign key; `{"_type":"ObjectID"}` on the wire.
    Id,
    /// An array of ids of a many-to-many relation; nested objects on the wire.
    Ids,
    /// `#rrggbb`; `{"_type":"Color"}` on the wire.
    Color,
    /// Monitor probe configuration; `{"_type":"MonitorSteps"}` on the wire.
    Steps,
}

/// The relation a foreign-key column (or id array) points along.
#[derive(Debug, Clone, Copy)]
pub struct Rel {
    /// The name a `select` uses for the relation (`currentMonitorStatus`); for id arrays the
    /// column's own name (`monitors`).
    pub name: &'static str,
    /// The target resource path (`monitor-status`).
    pub target: &'static str,
    /// Deleting the target deletes this row (timeline rows and notes of their parent).
    pub parent: bool,
}

/// One column.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub rel: Option<Rel>,
}

/// Which router serves a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Full CRUD (Postgres-backed in OneUptime).
    Database,
    /// `project`: list and count of the key's own project only.
    Project,
    /// List and count only, `skip`/`limit` from the URL, `hasMore` instead of a real count.
    Telemetry,
}

/// One resource.
#[derive(Debug)]
pub struct Model {
    /// The path segment after `/api/`.
    pub path: &'static str,
    /// The table name, used in error messages and permission names (`IncidentStateTimeline`).
    pub name: &'static str,
    /// The human singular name (`Incident State Timeline`).
    pub singular: &'static str,
    pub family: Family,
    pub fields: Vec<Field>,
    /// Fields a create must carry.
    pub required: &'static [&'static str],
    /// The column the slug is made from, for models with a `slug`.
    pub slug_from: Option<&'static str>,
}

impl Model {
    /// A column by name.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The foreign-key column behind a single-valued relation name (`currentMonitorStatus`).
    pub fn relation(&self, name: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.kind == Kind::Id && f.rel.is_some_and(|r| r.name == name))
    }
}

/// A state machine: the parent row's current state moves when a timeline row is created.
#[derive(Debug, Clone, Copy)]
pub struct Lifecycle {
    pub parent: &'static str,
    /// The parent's current-state column.
    pub current: &'static str,
    pub states: &'static str,
    pub timeline: &'static str,
    /// The timeline's column pointing at the parent.
    pub parent_key: &'static str,
    /// The timeline's column pointing at the state.
    pub state_key: &'static str,
    /// The state flag that marks the initial state.
    pub initial: &'static str,
    /// Whether a create always starts in the initial state (else only when none is given).
    pub forced: bool,
}

pub const LIFECYCLES: [Lifecycle; 4] = [
    Lifecycle {
        parent: "incident",
        current: "currentIncidentStateId",
        states: "incident-state",
        timeline: "incident-state-timeline",
        parent_key: "incidentId",
        state_key: "incidentStateId",
        initial: "isCreatedState",
        forced: true,
    },
    Lifecycle {
        parent: "alert",
        current: "currentAlertStateId",
        states: "alert-state",
        timeline: "alert-state-timeline",
        parent_key: "alertId",
        state_key: "alertStateId",
        initial: "isCreatedState",
        forced: true,
    },
    Lifecycle {
        parent: "monitor",
        current: "currentMonitorStatusId",
        states: "monitor-status",
        timeline: "monitor-status-timeline",
        parent_key: "monitorId",
        state_key: "monitorStatusId",
        initial: "isOperationalState",
        forced: false,
    },
    Lifecycle {
        parent: "scheduled-maintenance",
        current: "currentScheduledMaintenanceStateId",
        states: "scheduled-maintenance-state",
        timeline: "scheduled-maintenance-state-timeline",
        parent_key: "scheduledMaintenanceId",
        state_key: "scheduledMaintenanceStateId",
        initial: "isScheduledState",
        forced: true,
    },
];

/// The lifecycle whose parent is `path`.
pub fn lifecycle_of_parent(path: &str) -> Option<&'static Lifecycle> {
    LIFECYCLES.iter().find(|l| l.parent == path)
}

/// The lifecycle whose timeline is `path`.
pub fn lifecycle_of_timeline(path: &str) -> Option<&'static Lifecycle> {
    LIFECYCLES.iter().find(|l| l.timeline == path)
}

/// The values `Monitor.monitorType` accepts.
pub const MONITOR_TYPES: &[&str] = &[
    "Manual",
    "Website",
    "API",
    "Ping",
    "IP",
    "Port",
    "Server",
    "SSL Certificate",
    "Incoming Request",
    "Incoming Email",
    "Synthetic Monitor",
    "Custom JavaScript Code",
    "SQL Query",
    "DNS",
    "DNSSEC",
    "Domain",
    "External Status Page",
    "Logs",
    "Metrics",
    "Traces",
    "Exceptions",
    "Kubernetes",
    "Host",
];

/// Every model, in a fixed order (the order also numbers the seed's deterministic ids).
pub fn all() -> &'static [Model] {
    &MODELS
}

/// The model served under `/api/<path>`.
pub fn get(path: &str) -> Option<&'static Model> {
    MODELS.iter().find(|m| m.path == path)
}

/// The 1-based position of a model in [`all`].
pub fn number(path: &str) -> usize {
    MODELS
        .iter()
        .position(|m| m.path == path)
        .map_or(99, |i| i + 1)
}

fn col(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        rel: None,
    }
}

fn text(names: &[&'static str]) -> Vec<Field> {
    names.iter().map(|n| col(n, Kind::Text)).collect()
}

fn of(kind: Kind, names: &[&'static str]) -> Vec<Field> {
    names.iter().map(|n| col(n, kind)).collect()
}

/// A foreign key with a selectable relation.
fn fk(name: &'static str, rel: &'static str, target: &'static str) -> Field {
    Field {
        name,
        kind: Kind::Id,
        rel: Some(Rel {
            name: rel,
            target,
            parent: false,
        }),
    }
}

/// A foreign key to the row this one belongs to (deleted with it).
fn parent(name: &'static str, rel: &'static str, target: &'static str) -> Field {
    Field {
        name,
        kind: Kind::Id,
        rel: Some(Rel {
            name: rel,
            target,
            parent: true,
        }),
    }
}

/// A many-to-many relation stored as an array of ids.
fn ids(name: &'static str, target: &'static str) -> Field {
    Field {
        name,
        kind: Kind::Ids,
        rel: Some(Rel {
            name,
            target,
            parent: false,
        }),
    }
}

/// The columns every database row has.
fn base() -> Vec<Field> {
    vec![
        col("_id", Kind::Key),
        col("projectId", Kind::Id),
        col("createdAt", Kind::Date),
        col("updatedAt", Kind::Date),
        col("deletedAt", Kind::Date),
        col("version", Kind::Number),
        col("createdByUserId", Kind::Id),
        col("deletedByUserId", Kind::Id),
    ]
}

/// The columns every telemetry row has.
fn telemetry_base() -> Vec<Field> {
    vec![
        col("_id", Kind::Key),
        col("projectId", Kind::Id),
        col("createdAt", Kind::Date),
        col("updatedAt", Kind::Date),
    ]
}

struct Spec {
    path: &'static str,
    name: &'static str,
    singular: &'static str,
    required: &'static [&'static str],
    slug_from: Option<&'static str>,
    fields: Vec<Field>,
}

fn database(spec: Spec) -> Model {
    let mut fields = base();
    if spec.slug_from.is_some() {
        fields.push(col("slug", Kind::Text));
    }
    fields.extend(spec.fields);
    Model {
        path: spec.path,
        name: spec.name,
        singular: spec.singular,
        family: Family::Database,
        fields,
        required: spec.required,
        slug_from: spec.slug_from,
    }
}

fn telemetry(
    path: &'static str,
    name: &'static str,
    singular: &'static str,
    fields: Vec<Field>,
) -> Model {
    let mut all = telemetry_base();
    all.extend(fields);
    Model {
        path,
        name,
        singular,
        family: Family::Telemetry,
        fields: all,
        required: &[],
        slug_from: None,
    }
}

/// A state or status table (incident state, alert severity, …).
fn state_table(
    path: &'static str,
    name: &'static str,
    singular: &'static str,
    flags: &[&'static str],
    order: &'static str,
) -> Model {
    let mut fields = text(&["name", "description"]);
    fields.push(col("color", Kind::Color));
    fields.push(col(order, Kind::Number));
    fields.extend(of(Kind::Bool, flags));
    database(Spec {
        path,
        name,
        singular,
        required: &["name"],
        slug_from: Some("name"),
        fields,
    })
}

/// A state timeline table.
fn timeline(
    path: &'static str,
    name: &'static str,
    singular: &'static str,
    required: &'static [&'static str],
    parent_field: Field,
    state_field: Field,
) -> Model {
    let mut fields = vec![parent_field, state_field];
    fields.extend(of(Kind::Date, &["startsAt", "endsAt"]));
    fields.push(col("rootCause", Kind::Text));
    fields.push(col("stateChangeLog", Kind::Json));
    fields.push(col("shouldStatusPageSubscribersBeNotified", Kind::Bool));
    database(Spec {
        path,
        name,
        singular,
        required,
        slug_from: None,
        fields,
    })
}

fn note(
    path: &'static str,
    name: &'static str,
    singular: &'static str,
    required: &'static [&'static str],
    parent_field: Field,
    extra: Vec<Field>,
) -> Model {
    let mut fields = vec![parent_field, col("note", Kind::Text)];
    fields.extend(extra);
    database(Spec {
        path,
        name,
        singular,
        required,
        slug_from: None,
        fields,
    })
}

static MODELS: LazyLock<Vec<Model>> = LazyLock::new(build);

fn build() -> Vec<Model> {
    let mut v = Vec::new();
    v.push(Model {
        path: "project",
        name: "Project",
        singular: "Project",
        family: Family::Project,
        fields: vec![
            col("_id", Kind::Key),
            col("name", Kind::Text),
            col("slug", Kind::Text),
            col("description", Kind::Text),
            col("createdAt", Kind::Date),
            col("updatedAt", Kind::Date),
            col("deletedAt", Kind::Date),
            col("version", Kind::Number),
        ],
        required: &["name"],
        slug_from: Some("name"),
    });

    // Monitors.
    v.push(state_table(
        "monitor-status",
        "MonitorStatus",
        "Monitor Status",
        &["isOperationalState", "isOfflineState"],
        "priority",
    ));
    let mut monitor = text(&["name", "description", "monitorType", "monitoringInterval"]);
    monitor.push(fk(
        "currentMonitorStatusId",
        "currentMonitorStatus",
        "monitor-status",
    ));
    monitor.push(col("monitorSteps", Kind::Steps));
    monitor.extend(of(
        Kind::Bool,
        &[
            "disableActiveMonitoring",
            "disableActiveMonitoringBecauseOfScheduledMaintenanceEvent",
            "disableActiveMonitoringBecauseOfManualIncident",
        ],
    ));
    monitor.push(ids("labels", "label"));
    monitor.push(col("customFields", Kind::Json));
    v.push(database(Spec {
        path: "monitor",
        name: "Monitor",
        singular: "Monitor",
        required: &["name", "monitorType"],
        slug_from: Some("name"),
        fields: monitor,
    }));
    v.push(timeline(
        "monitor-status-timeline",
        "MonitorStatusTimeline",
        "Monitor Status Event",
        &["monitorId", "monitorStatusId"],
        parent("monitorId", "monitor", "monitor"),
        fk("monitorStatusId", "monitorStatus", "monitor-status"),
    ));

    // Incidents.
    v.push(state_table(
        "incident-state",
        "IncidentState",
        "Incident State",
        &["isCreatedState", "isAcknowledgedState", "isResolvedState"],
        "order",
    ));
    v.push(state_table(
        "incident-severity",
        "IncidentSeverity",
        "Incident Severity",
        &[],
        "order",
    ));
    let mut incident = text(&[
        "title",
        "description",
        "rootCause",
        "remediationNotes",
        "postmortemNote",
    ]);
    incident.extend(of(Kind::Date, &["declaredAt", "impactStartedAt"]));
    incident.push(fk(
        "currentIncidentStateId",
        "currentIncidentState",
        "incident-state",
    ));
    incident.push(fk(
        "incidentSeverityId",
        "incidentSeverity",
        "incident-severity",
    ));
    incident.push(fk(
        "changeMonitorStatusToId",
        "changeMonitorStatusTo",
        "monitor-status",
    ));
    incident.push(ids("monitors", "monitor"));
    incident.push(ids("onCallDutyPolicies", "on-call-duty-policy"));
    incident.push(ids("labels", "label"));
    incident.push(col("incidentNumber", Kind::Number));
    incident.extend(of(
        Kind::Bool,
        &["isVisibleOnStatusPage", "isCreatedAutomatically"],
    ));
    incident.push(col("customFields", Kind::Json));
    v.push(database(Spec {
        path: "incident",
        name: "Incident",
        singular: "Incident",
        required: &["title", "incidentSeverityId"],
        slug_from: Some("title"),
        fields: incident,
    }));
    v.push(timeline(
        "incident-state-timeline",
        "IncidentStateTimeline",
        "Incident State Timeline",
        &["incidentId", "incidentStateId"],
        parent("incidentId", "incident", "incident"),
        fk("incidentStateId", "incidentState", "incident-state"),
    ));
    v.push(note(
        "incident-internal-note",
        "IncidentInternalNote",
        "Incident Internal Note",
        &["incidentId", "note"],
        parent("incidentId", "incident", "incident"),
        vec![],
    ));
    v.push(note(
        "incident-public-note",
        "IncidentPublicNote",
        "Incident Public Note",
        &["incidentId", "note"],
        parent("incidentId", "incident", "incident"),
        vec![
            col("postedAt", Kind::Date),
            col(
                "shouldStatusPageSubscribersBeNotifiedOnNoteCreated",
                Kind::Bool,
            ),
        ],
    ));

    // Alerts.
    v.push(state_table(
        "alert-state",
        "AlertState",
        "Alert State",
        &["isCreatedState", "isAcknowledgedState", "isResolvedState"],
        "order",
    ));
    v.push(state_table(
        "alert-severity",
        "AlertSeverity",
        "Alert Severity",
        &[],
        "order",
    ));
    let mut alert = text(&["title", "description", "rootCause", "remediationNotes"]);
    alert.push(fk("monitorId", "monitor", "monitor"));
    alert.push(fk(
        "currentAlertStateId",
        "currentAlertState",
        "alert-state",
    ));
    alert.push(fk("alertSeverityId", "alertSeverity", "alert-severity"));
    alert.push(ids("onCallDutyPolicies", "on-call-duty-policy"));
    alert.push(ids("labels", "label"));
    alert.push(col("alertNumber", Kind::Number));
    alert.push(col("isCreatedAutomatically", Kind::Bool));
    alert.push(col("customFields", Kind::Json));
    v.push(database(Spec {
        path: "alert",
        name: "Alert",
        singular: "Alert",
        required: &["title", "alertSeverityId"],
        slug_from: None,
        fields: alert,
    }));
    v.push(timeline(
        "alert-state-timeline",
        "AlertStateTimeline",
        "Alert State Timeline",
        &["alertId", "alertStateId"],
        parent("alertId", "alert", "alert"),
        fk("alertStateId", "alertState", "alert-state"),
    ));
    v.push(note(
        "alert-internal-note",
        "AlertInternalNote",
        "Alert Internal Note",
        &["alertId", "note"],
        parent("alertId", "alert", "alert"),
        vec![],
    ));

    // Status pages.
    let mut page = text(&["name", "pageTitle", "pageDescription", "description"]);
    page.extend(of(
        Kind::Bool,
        &[
            "isPublicStatusPage",
            "enableMcpServer",
            "requireSsoForLogin",
            "showIncidentsOnStatusPage",
            "showAnnouncementsOnStatusPage",
            "showScheduledMaintenanceEventsOnStatusPage",
            "enableEmailSubscribers",
        ],
    ));
    page.extend(of(
        Kind::Number,
        &[
            "showIncidentHistoryInDays",
            "showAnnouncementHistoryInDays",
            "showScheduledEventHistoryInDays",
        ],
    ));
    page.push(col("defaultBarColor", Kind::Color));
    page.push(ids("labels", "label"));
    v.push(database(Spec {
        path: "status-page",
        name: "StatusPage",
        singular: "Status Page",
        required: &["name"],
        slug_from: Some("name"),
        fields: page,
    }));
    let mut announcement = text(&["title", "description"]);
    announcement.push(ids("statusPages", "status-page"));
    announcement.push(ids("monitors", "monitor"));
    announcement.extend(of(Kind::Date, &["showAnnouncementAt", "endAnnouncementAt"]));
    announcement.push(col("shouldStatusPageSubscribersBeNotified", Kind::Bool));
    v.push(database(Spec {
        path: "status-page-announcement",
        name: "StatusPageAnnouncement",
        singular: "Status Page Announcement",
        required: &["title"],
        slug_from: None,
        fields: announcement,
    }));

    // On-call and teams.
    let mut policy = text(&["name", "description"]);
    policy.push(col("repeatPolicyIfNoOneAcknowledges", Kind::Bool));
    policy.push(col(
        "repeatPolicyIfNoOneAcknowledgesNoOfTimes",
        Kind::Number,
    ));
    policy.push(ids("labels", "label"));
    policy.push(col("customFields", Kind::Json));
    v.push(database(Spec {
        path: "on-call-duty-policy",
        name: "OnCallDutyPolicy",
        singular: "On-Call Policy",
        required: &["name"],
        slug_from: Some("name"),
        fields: policy,
    }));
    let mut team = text(&["name", "description"]);
    team.extend(of(
        Kind::Bool,
        &[
            "isPermissionsEditable",
            "isTeamDeleteable",
            "isTeamEditable",
            "shouldHaveAtLeastOneMember",
        ],
    ));
    v.push(database(Spec {
        path: "team",
        name: "Team",
        singular: "Team",
        required: &["name"],
        slug_from: Some("name"),
        fields: team,
    }));
    let mut label = text(&["name", "description"]);
    label.push(col("color", Kind::Color));
    v.push(database(Spec {
        path: "label",
        name: "Label",
        singular: "Label",
        required: &["name"],
        slug_from: Some("name"),
        fields: label,
    }));

    // Scheduled maintenance.
    v.push(state_table(
        "scheduled-maintenance-state",
        "ScheduledMaintenanceState",
        "Scheduled Maintenance State",
        &[
            "isScheduledState",
            "isOngoingState",
            "isEndedState",
            "isResolvedState",
        ],
        "order",
    ));
    let mut maintenance = text(&["title", "description"]);
    maintenance.extend(of(Kind::Date, &["startsAt", "endsAt"]));
    maintenance.push(fk(
        "currentScheduledMaintenanceStateId",
        "currentScheduledMaintenanceState",
        "scheduled-maintenance-state",
    ));
    maintenance.push(fk(
        "changeMonitorStatusToId",
        "changeMonitorStatusTo",
        "monitor-status",
    ));
    maintenance.push(ids("monitors", "monitor"));
    maintenance.push(ids("statusPages", "status-page"));
    maintenance.push(ids("labels", "label"));
    maintenance.push(col("scheduledMaintenanceNumber", Kind::Number));
    maintenance.push(col("isVisibleOnStatusPage", Kind::Bool));
    v.push(database(Spec {
        path: "scheduled-maintenance",
        name: "ScheduledMaintenance",
        singular: "Scheduled Maintenance Event",
        required: &["title"],
        slug_from: Some("title"),
        fields: maintenance,
    }));
    v.push(timeline(
        "scheduled-maintenance-state-timeline",
        "ScheduledMaintenanceStateTimeline",
        "Scheduled Maintenance State Timeline",
        &["scheduledMaintenanceId", "scheduledMaintenanceStateId"],
        parent(
            "scheduledMaintenanceId",
            "scheduledMaintenance",
            "scheduled-maintenance",
        ),
        fk(
            "scheduledMaintenanceStateId",
            "scheduledMaintenanceState",
            "scheduled-maintenance-state",
        ),
    ));

    // Telemetry.
    let mut log = vec![col("time", Kind::Date), col("timeUnixNano", Kind::Number)];
    log.extend(text(&["severityText", "body", "traceId", "spanId"]));
    log.push(col("severityNumber", Kind::Number));
    log.push(col("serviceId", Kind::Id));
    log.push(col("attributes", Kind::Json));
    v.push(telemetry("logs", "Log", "Log", log));
    let mut metric = text(&["name", "description", "unit", "metricPointType"]);
    metric.push(col("time", Kind::Date));
    metric.push(col("value", Kind::Number));
    metric.push(col("serviceId", Kind::Id));
    metric.push(col("attributes", Kind::Json));
    v.push(telemetry("metrics", "Metric", "Metric", metric));
    let mut span = text(&[
        "name",
        "traceId",
        "spanId",
        "parentSpanId",
        "kind",
        "statusMessage",
    ]);
    span.extend(of(Kind::Date, &["startTime", "endTime"]));
    span.extend(of(
        Kind::Number,
        &[
            "startTimeUnixNano",
            "endTimeUnixNano",
            "durationUnixNano",
            "statusCode",
        ],
    ));
    span.push(col("serviceId", Kind::Id));
    span.push(col("attributes", Kind::Json));
    v.push(telemetry("span", "Span", "Span", span));
    let mut exception = text(&[
        "message",
        "exceptionType",
        "stackTrace",
        "fingerprint",
        "traceId",
        "spanId",
    ]);
    exception.push(col("time", Kind::Date));
    exception.push(col("escaped", Kind::Bool));
    exception.push(col("serviceId", Kind::Id));
    exception.push(col("attributes", Kind::Json));
    v.push(telemetry(
        "exceptions",
        "ExceptionInstance",
        "Exception Instance",
        exception,
    ));
    v.push(telemetry(
        "monitor-log",
        "MonitorLog",
        "Monitor Log",
        vec![
            col("monitorId", Kind::Id),
            col("time", Kind::Date),
            col("logBody", Kind::Json),
        ],
    ));
    let mut security = text(&[
        "eventType",
        "severityText",
        "message",
        "sourceIp",
        "userName",
    ]);
    security.push(col("time", Kind::Date));
    security.push(col("serviceId", Kind::Id));
    security.push(col("attributes", Kind::Json));
    v.push(telemetry(
        "security-events",
        "SecurityEvent",
        "Security Event",
        security,
    ));
    let mut cost = text(&[
        "clusterName",
        "namespace",
        "workloadName",
        "workloadType",
        "currency",
    ]);
    cost.push(col("time", Kind::Date));
    cost.extend(of(
        Kind::Number,
        &[
            "cpuCost",
            "memoryCost",
            "storageCost",
            "networkCost",
            "totalCost",
        ],
    ));
    v.push(telemetry(
        "kubernetes-cost-allocation",
        "KubernetesCostAllocation",
        "Kubernetes Cost Allocation",
        cost,
    ));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mcp_enabled_resources_are_all_served() {
        let database = all()
            .iter()
            .filter(|m| m.family == Family::Database)
            .count();
        let telemetry = all()
            .iter()
            .filter(|m| m.family == Family::Telemetry)
            .count();
        assert_eq!((database, telemetry), (22, 7));
    }

    #[test]
    fn relations_point_at_served_models() {
        for m in all() {
            for f in &m.fields {
                if let Some(rel) = f.rel {
                    assert!(get(rel.target).is_some(), "{}.{}", m.path, f.name);
                }
            }
            for r in m.required {
                assert!(m.field(r).is_some(), "{}.{r}", m.path);
            }
        }
        for l in LIFECYCLES {
            for (path, key) in [
                (l.parent, l.current),
                (l.timeline, l.parent_key),
                (l.timeline, l.state_key),
                (l.states, l.initial),
            ] {
                assert!(
                    get(path).and_then(|m| m.field(key)).is_some(),
                    "{path}.{key}"
                );
            }
        }
    }
}
