//! Tests of the OneUptime demo: the query operators on their own, and the wire behaviour
//! (auth, select, sort, paging quirks, tenancy, writes and their side effects) over HTTP
//! against a running `OneUptimeDemo`.

use super::model;
use super::query::{parse_query, passes};
use super::store::Row;
use super::*;
use reqwest::Method;
use serde_json::{Value, json};

fn row(v: Value) -> Row {
    match v {
        Value::Object(o) => o,
        _ => Row::new(),
    }
}

/// Titles of the rows passing `query`, in order.
fn titles(rows: &[Row], query: Value) -> Vec<String> {
    let model = model::get("incident").expect("incident model");
    let conditions = parse_query(model, Some(&query)).expect("valid query");
    rows.iter()
        .filter(|r| passes(r, &conditions))
        .map(|r| r["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

const SEV_A: &str = "00000001-0000-4000-8000-00000000000a";
const SEV_B: &str = "00000001-0000-4000-8000-00000000000b";
const MON_1: &str = "00000002-0000-4000-8000-000000000001";
const MON_2: &str = "00000002-0000-4000-8000-000000000002";

fn sample() -> Vec<Row> {
    vec![
        row(
            json!({"title": "Checkout down", "incidentNumber": 1, "incidentSeverityId": SEV_A,
            "declaredAt": "2026-08-01T10:00:00.000Z", "monitors": [MON_1], "rootCause": "bad deploy"}),
        ),
        row(
            json!({"title": "Search slow", "incidentNumber": 2, "incidentSeverityId": SEV_B,
            "declaredAt": "2026-08-02T10:00:00.000Z", "monitors": [MON_2], "rootCause": null}),
        ),
        row(
            json!({"title": "checkout retries", "incidentNumber": 3, "incidentSeverityId": SEV_A,
            "declaredAt": "2026-08-03T10:00:00.000Z", "monitors": [MON_1, MON_2]}),
        ),
    ]
}

#[test]
fn equality_accepts_plain_and_wrapped_values() {
    let rows = sample();
    assert_eq!(
        titles(&rows, json!({"title": "Search slow"})),
        ["Search slow"]
    );
    assert_eq!(
        titles(
            &rows,
            json!({"incidentSeverityId": {"_type": "ObjectID", "value": SEV_A}})
        ),
        ["Checkout down", "checkout retries"]
    );
    assert_eq!(
        titles(
            &rows,
            json!({"incidentSeverityId": {"_type": "EqualTo", "value": {"_type": "ObjectID", "value": SEV_B}}})
        ),
        ["Search slow"]
    );
    // The same instant in another notation.
    assert_eq!(
        titles(&rows, json!({"declaredAt": "2026-08-02T12:00:00+02:00"})),
        ["Search slow"]
    );
    // A scalar against an id array is membership.
    assert_eq!(
        titles(&rows, json!({"monitors": MON_2})),
        ["Search slow", "checkout retries"]
    );
}

#[test]
fn comparisons_treat_dates_as_instants_and_numbers_as_numbers() {
    let rows = sample();
    let after = json!({"declaredAt": {"_type": "GreaterThan",
        "value": {"_type": "DateTime", "value": "2026-08-02T10:00:00.000Z"}}});
    assert_eq!(titles(&rows, after), ["checkout retries"]);
    let from = json!({"declaredAt": {"_type": "GreaterThanOrEqual", "value": "2026-08-02T12:00:00+02:00"}});
    assert_eq!(titles(&rows, from), ["Search slow", "checkout retries"]);
    let before = json!({"incidentNumber": {"_type": "LessThan", "value": 2}});
    assert_eq!(titles(&rows, before), ["Checkout down"]);
    let upto = json!({"incidentNumber": {"_type": "LessThanOrEqual", "value": "2"}});
    assert_eq!(titles(&rows, upto), ["Checkout down", "Search slow"]);
}

#[test]
fn in_between_is_inclusive_for_numbers_and_dates() {
    let rows = sample();
    let numbers = json!({"incidentNumber": {"_type": "InBetween", "startValue": 2, "endValue": 3}});
    assert_eq!(titles(&rows, numbers), ["Search slow", "checkout retries"]);
    let dates = json!({"declaredAt": {"_type": "InBetween",
        "startValue": {"_type": "DateTime", "value": "2026-08-01T00:00:00Z"},
        "endValue": "2026-08-02T10:00:00.000Z"}});
    assert_eq!(titles(&rows, dates), ["Checkout down", "Search slow"]);
}

#[test]
fn search_includes_and_null_operators() {
    let rows = sample();
    let search = json!({"title": {"_type": "Search", "value": "CHECKOUT"}});
    assert_eq!(titles(&rows, search), ["Checkout down", "checkout retries"]);
    let includes = json!({"incidentNumber": {"_type": "Includes", "value": [1, 3]}});
    assert_eq!(
        titles(&rows, includes),
        ["Checkout down", "checkout retries"]
    );
    let overlap = json!({"monitors": {"_type": "Includes",
        "value": [{"_type": "ObjectID", "value": MON_2}]}});
    assert_eq!(titles(&rows, overlap), ["Search slow", "checkout retries"]);
    let null = json!({"rootCause": {"_type": "IsNull"}});
    assert_eq!(titles(&rows, null), ["Search slow", "checkout retries"]);
    let not_null = json!({"rootCause": {"_type": "NotNull"}});
    assert_eq!(titles(&rows, not_null), ["Checkout down"]);
    // SQL semantics: a null column is not "not equal" to anything.
    let not_equal = json!({"rootCause": {"_type": "NotEqual", "value": "other"}});
    assert_eq!(titles(&rows, not_equal), ["Checkout down"]);
    let or_null = json!({"rootCause": {"_type": "EqualToOrNull", "value": "bad deploy"}});
    assert_eq!(titles(&rows, or_null).len(), 3);
    let less_or_null = json!({"rootCause": {"_type": "LessThanOrNull", "value": "a"}});
    assert_eq!(
        titles(&rows, less_or_null),
        ["Search slow", "checkout retries"]
    );
    let greater_or_null = json!({"rootCause": {"_type": "GreaterThanOrNull", "value": "a"}});
    assert_eq!(titles(&rows, greater_or_null).len(), 3);
}

#[test]
fn unknown_operators_and_columns_are_rejected() {
    let model = model::get("incident").expect("incident model");
    let err = parse_query(
        model,
        Some(&json!({"title": {"_type": "Regex", "value": "x"}})),
    )
    .expect_err("unknown operator");
    assert_eq!(err.status, 400);
    let err = parse_query(model, Some(&json!({"id": "x"}))).expect_err("unknown column");
    assert_eq!(err.message, "Property id was not found in Incident");
    let err = parse_query(
        model,
        Some(&json!({"incidentNumber": {"_type": "InBetween", "startValue": 1}})),
    )
    .expect_err("no endValue");
    assert_eq!(err.status, 400);
}

#[test]
fn seeded_rows_only_use_model_columns() {
    let store = seed::generate(chrono::Utc::now());
    for m in model::all() {
        for project in [ACME_PROJECT_ID, GLOBEX_PROJECT_ID] {
            for r in store.scoped(m, project) {
                for k in r.keys() {
                    assert!(m.field(k).is_some(), "{}.{k}", m.path);
                }
            }
        }
    }
}

// --- over HTTP ---

struct Api {
    demo: OneUptimeDemo,
    http: reqwest::Client,
}

impl Api {
    async fn start() -> Api {
        Api {
            demo: OneUptimeDemo::start().await.expect("demo starts"),
            http: reqwest::Client::new(),
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.demo.base_url()));
        if let Some(key) = key {
            req = req.header("APIKey", key);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(ONEUPTIME_DEMO_KEY), Some(body))
            .await
    }

    /// `get-list` rows, asserting success.
    async fn list(&self, key: &str, resource: &str, body: Value) -> Vec<Value> {
        let path = format!("/api/{resource}/get-list?limit=100");
        let (status, v) = self.call(Method::POST, &path, Some(key), Some(body)).await;
        assert_eq!(status, 200, "{v}");
        v["data"].as_array().cloned().unwrap_or_default()
    }

    /// The `_id` of the Acme row whose `field` equals `value`.
    async fn id_of(&self, resource: &str, field: &str, value: &str) -> String {
        let rows = self
            .list(
                ONEUPTIME_DEMO_KEY,
                resource,
                json!({"query": {field: value}}),
            )
            .await;
        assert_eq!(rows.len(), 1, "{resource} {field}={value}");
        rows[0]["_id"].as_str().unwrap_or_default().to_string()
    }
}

#[tokio::test]
async fn auth_failures_have_oneuptime_statuses() {
    let api = Api::start().await;
    let (status, v) = api
        .call(Method::POST, "/api/monitor/get-list", None, Some(json!({})))
        .await;
    assert_eq!(status, 401);
    assert_eq!(
        v["error"],
        "A user should be logged in to read record of Monitor."
    );
    let (status, v) = api
        .call(Method::POST, "/api/incident", None, Some(json!({})))
        .await;
    assert_eq!(status, 401);
    assert_eq!(
        v["error"],
        "A user should be logged in to create record of Incident."
    );
    for bad in ["not-a-uuid", "", "11111111-2222-4333-8444-555555555555"] {
        let (status, v) = api
            .call(
                Method::POST,
                "/api/monitor/count",
                Some(bad),
                Some(json!({})),
            )
            .await;
        assert_eq!(
            (status, v["error"].as_str()),
            (400, Some("Invalid API Key"))
        );
    }
    let resp = api
        .http
        .post(format!("{}/api/monitor/count", api.demo.base_url()))
        .header("apikey", ONEUPTIME_DEMO_KEY.to_uppercase())
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 200);
}

#[tokio::test]
async fn the_read_only_key_reads_but_every_write_is_422() {
    let api = Api::start().await;
    let key = Some(ONEUPTIME_DEMO_READONLY_KEY);
    let monitors = api
        .list(ONEUPTIME_DEMO_READONLY_KEY, "monitor", json!({}))
        .await;
    assert_eq!(monitors.len(), 12);
    let id = monitors[0]["_id"].as_str().unwrap_or_default().to_string();
    let data = Some(json!({"data": {"name": "x", "monitorType": "Manual"}}));
    let (status, v) = api
        .call(Method::POST, "/api/monitor", key, data.clone())
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        v["error"],
        "You do not have permissions to create Monitor. You need one of these permissions: ProjectOwner, ProjectAdmin, CreateMonitor"
    );
    let path = format!("/api/monitor/{id}");
    let (status, v) = api.call(Method::PUT, &path, key, data).await;
    assert_eq!(status, 422);
    assert!(
        v["error"]
            .as_str()
            .unwrap_or_default()
            .contains("EditMonitor")
    );
    let (status, _) = api.call(Method::DELETE, &path, key, None).await;
    assert_eq!(status, 422);
    assert_eq!(
        api.list(ONEUPTIME_DEMO_KEY, "monitor", json!({}))
            .await
            .len(),
        12
    );
}

#[tokio::test]
async fn select_returns_wrapped_values_and_nested_relations() {
    let api = Api::start().await;
    let rows = api
        .list(
            ONEUPTIME_DEMO_KEY,
            "monitor",
            json!({
                "query": {"name": "Payments DB"},
                "select": {"name": true, "monitorSteps": true, "createdAt": true,
                    "currentMonitorStatusId": true,
                    "currentMonitorStatus": {"name": true, "color": true}},
            }),
        )
        .await;
    let m = &rows[0];
    assert_eq!(m["name"], "Payments DB");
    assert!(m["_id"].is_string());
    assert_eq!(m["currentMonitorStatusId"]["_type"], "ObjectID");
    assert_eq!(m["createdAt"]["_type"], "DateTime");
    assert_eq!(m["monitorSteps"]["_type"], "MonitorSteps");
    let status = &m["currentMonitorStatus"];
    assert_eq!(status["name"], "Degraded");
    assert_eq!(
        status["color"],
        json!({"_type": "Color", "value": "#f1c40f"})
    );
    assert_eq!(status["_id"], m["currentMonitorStatusId"]["value"]);

    let incidents = api
        .list(
            ONEUPTIME_DEMO_KEY,
            "incident",
            json!({
                "query": {"incidentNumber": 4},
                "select": {"title": true, "monitors": {"name": true},
                    "currentIncidentState": {"name": true}, "incidentSeverity": {"name": true}},
            }),
        )
        .await;
    let i = &incidents[0];
    assert_eq!(i["title"], "Search Cluster unreachable");
    assert_eq!(i["monitors"][0]["name"], "Search Cluster");
    assert_eq!(i["currentIncidentState"]["name"], "Identified");
    assert_eq!(i["incidentSeverity"]["name"], "Critical");

    // Without a select only `_id` comes back.
    let bare = api.list(ONEUPTIME_DEMO_KEY, "team", json!({})).await;
    assert_eq!(bare[0].as_object().map(|o| o.len()), Some(1));

    // A nested relation of a timeline row.
    let timeline = api
        .list(
            ONEUPTIME_DEMO_KEY,
            "incident-state-timeline",
            json!({"select": {"incident": {"title": true}, "incidentState": {"name": true}},
                   "query": {"endsAt": {"_type": "IsNull"}}}),
        )
        .await;
    assert_eq!(timeline.len(), 6);
    assert!(timeline.iter().all(|t| t["incident"]["title"].is_string()));

    let (status, v) = api
        .post("/api/monitor/get-list", json!({"select": {"nmae": true}}))
        .await;
    assert_eq!(status, 400);
    assert!(v["error"].as_str().unwrap_or_default().contains("nmae"));
    let (status, _) = api
        .post(
            "/api/monitor/get-list",
            json!({"select": {"name": {"x": true}}}),
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn sort_follows_the_request_order_of_keys() {
    let api = Api::start().await;
    let statuses = api
        .list(
            ONEUPTIME_DEMO_KEY,
            "monitor-status",
            json!({"sort": {"priority": "DESC"}, "select": {"name": true}}),
        )
        .await;
    let names: Vec<&str> = statuses.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["Offline", "Degraded", "Operational"]);
    // Severity ids ascend High < Medium < Low; keys are applied in the order sent.
    let body = r#"{"sort": {"alertSeverityId": "ASC", "alertNumber": "DESC"}, "select": {"alertNumber": true}}"#;
    let resp = api
        .http
        .post(format!(
            "{}/api/alert/get-list?limit=20",
            api.demo.base_url()
        ))
        .header("APIKey", ONEUPTIME_DEMO_KEY)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    let v: Value = resp.json().await.expect("json");
    let numbers: Vec<i64> = v["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["alertNumber"].as_i64())
        .collect();
    assert_eq!(numbers, [3, 2, 1, 7, 6, 4, 8, 5]);
    for bad in [json!({"priority": "descending"}), json!({"nope": "ASC"})] {
        let (status, _) = api
            .post("/api/monitor-status/get-list", json!({"sort": bad}))
            .await;
        assert_eq!(status, 400);
    }
}

#[tokio::test]
async fn skip_and_limit_echo_only_the_url() {
    let api = Api::start().await;
    let (status, v) = api
        .post("/api/monitor/get-list?skip=2&limit=3", json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (&v["skip"], &v["limit"], &v["count"]),
        (&json!(2), &json!(3), &json!(12))
    );
    assert_eq!(v["data"].as_array().map(Vec::len), Some(3));
    let (_, v) = api
        .post("/api/monitor/get-list", json!({"skip": 2, "limit": 3}))
        .await;
    assert_eq!((&v["skip"], &v["limit"]), (&json!(0), &json!(10)));
    assert_eq!(v["data"].as_array().map(Vec::len), Some(3));
    assert_eq!(v["count"], 12);
    let (_, v) = api.post("/api/monitor/get-list", json!({})).await;
    assert_eq!(v["data"].as_array().map(Vec::len), Some(10));
    let (status, v) = api
        .post("/api/monitor/get-list?limit=10001", json!({}))
        .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (400, Some("Limit should be less than 10000"))
    );
    let (_, v) = api
        .post(
            "/api/monitor/count",
            json!({"query": {"monitorType": "API"}}),
        )
        .await;
    assert_eq!(v, json!({"count": 3}));
}

#[tokio::test]
async fn telemetry_lists_report_has_more_and_ignore_body_paging() {
    let api = Api::start().await;
    let (_, v) = api.post("/api/logs/get-list?limit=5", json!({})).await;
    assert_eq!(v["data"].as_array().map(Vec::len), Some(5));
    assert_eq!((&v["hasMore"], &v["count"]), (&json!(true), &json!(6)));
    let (_, v) = api
        .post("/api/logs/get-list?skip=55&limit=10", json!({}))
        .await;
    assert_eq!(v["data"].as_array().map(Vec::len), Some(5));
    assert_eq!((&v["hasMore"], &v["count"]), (&json!(false), &json!(60)));
    let (_, v) = api
        .post("/api/logs/get-list", json!({"skip": 50, "limit": 2}))
        .await;
    assert_eq!(v["data"].as_array().map(Vec::len), Some(10));
    assert_eq!((&v["skip"], &v["limit"]), (&json!(0), &json!(10)));
    let (_, v) = api
        .post(
            "/api/logs/count",
            json!({"query": {"severityText": {"_type": "Includes", "value": ["Error", "Fatal"]}}}),
        )
        .await;
    assert_eq!(v, json!({"count": 12}));
    let (_, v) = api
        .post(
            "/api/logs/get-list?limit=1",
            json!({"sort": {"time": "DESC"}, "select": {"time": true, "body": true}}),
        )
        .await;
    assert_eq!(v["data"][0]["time"]["_type"], "DateTime");
    let (status, _) = api
        .call(
            Method::POST,
            "/api/logs/count",
            Some(ONEUPTIME_DEMO_TENANT_B_KEY),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = api.post("/api/logs", json!({"data": {}})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn tenants_are_isolated_and_missing_items_are_empty_objects() {
    let api = Api::start().await;
    let globex = api
        .list(
            ONEUPTIME_DEMO_TENANT_B_KEY,
            "monitor",
            json!({"select": {"name": true}}),
        )
        .await;
    assert_eq!(globex.len(), 3);
    assert!(globex.iter().any(|m| m["name"] == "Globex Intranet"));
    let foreign = globex[0]["_id"].as_str().unwrap_or_default().to_string();
    let path = format!("/api/monitor/{foreign}/get-item");
    let (status, v) = api.post(&path, json!({"select": {"name": true}})).await;
    assert_eq!((status, v), (200, json!({})));
    let (_, v) = api
        .call(
            Method::POST,
            &path,
            Some(ONEUPTIME_DEMO_TENANT_B_KEY),
            Some(json!({"select": {"name": true}})),
        )
        .await;
    assert_eq!(v["_id"], json!(foreign));
    let (status, v) = api
        .post(
            "/api/monitor/5e000001-0000-4000-8000-000000000000/get-item",
            json!({}),
        )
        .await;
    assert_eq!((status, v), (200, json!({})));
    let (status, _) = api
        .call(
            Method::PUT,
            &format!("/api/monitor/{foreign}"),
            Some(ONEUPTIME_DEMO_KEY),
            Some(json!({"data": {"name": "hijacked"}})),
        )
        .await;
    assert_eq!(status, 422);
    let (_, v) = api
        .call(
            Method::POST,
            "/api/project/get-list",
            Some(ONEUPTIME_DEMO_TENANT_B_KEY),
            Some(json!({"select": {"name": true, "slug": true}})),
        )
        .await;
    assert_eq!(v["count"], 1);
    assert_eq!(v["data"][0]["name"], "Globex Staging");
    let (_, v) = api
        .post("/api/project/get-list", json!({"select": {"name": true}}))
        .await;
    assert_eq!(v["data"][0]["name"], "Acme Production");
}

#[tokio::test]
async fn bad_ids_and_unknown_routes() {
    let api = Api::start().await;
    let (status, _) = api.post("/api/monitor/123/get-item", json!({})).await;
    assert_eq!(status, 400);
    let (status, v) = api.post("/api/no-such-thing/get-list", json!({})).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (404, Some("Route not found"))
    );
    let (status, _) = api.post("/api/project", json!({"data": {}})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_state_timeline_row_moves_the_incident() {
    let api = Api::start().await;
    let incident = api
        .id_of("incident", "title", "Search Cluster unreachable")
        .await;
    let acknowledged = api.id_of("incident-state", "name", "Acknowledged").await;
    let (status, created) = api
        .post(
            "/api/incident-state-timeline",
            json!({"data": {"incidentId": {"_type": "ObjectID", "value": incident}, "incidentStateId": acknowledged}}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["incidentStateId"]["value"], json!(acknowledged));
    let (_, v) = api
        .post(
            &format!("/api/incident/{incident}/get-item"),
            json!({"select": {"currentIncidentState": {"name": true}, "version": true}}),
        )
        .await;
    assert_eq!(v["currentIncidentState"]["name"], "Acknowledged");
    assert_eq!(v["version"], 2);
    let rows = api
        .list(
            ONEUPTIME_DEMO_KEY,
            "incident-state-timeline",
            json!({"query": {"incidentId": incident}, "select": {"endsAt": true, "incidentState": {"name": true}},
                   "sort": {"startsAt": "ASC"}}),
        )
        .await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["incidentState"]["name"], "Identified");
    assert_eq!(rows[0]["endsAt"]["_type"], "DateTime");
    assert_eq!(rows[1]["endsAt"], Value::Null);
    let (status, v) = api
        .post(
            "/api/incident-state-timeline",
            json!({"data": {"incidentId": "5e000001-0000-4000-8000-000000000000", "incidentStateId": acknowledged}}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        v["error"]
            .as_str()
            .unwrap_or_default()
            .ends_with("not found")
    );
}

#[tokio::test]
async fn incidents_are_created_updated_and_deleted() {
    let api = Api::start().await;
    let critical = api.id_of("incident-severity", "name", "Critical").await;
    let identified = api.id_of("incident-state", "name", "Identified").await;
    let (status, v) = api
        .post(
            "/api/incident",
            json!({"data": {"title": "Login page blank", "incidentSeverityId": {"_type": "ObjectID", "value": critical}}}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let id = v["_id"].as_str().unwrap_or_default().to_string();
    assert!(is_uuid(&id));
    assert_eq!(v["currentIncidentStateId"]["value"], json!(identified));
    assert_eq!(v["projectId"]["value"], ACME_PROJECT_ID);
    assert_eq!(v["incidentNumber"], 7);
    assert_eq!(v["slug"], "login-page-blank");
    assert_eq!(v["declaredAt"]["_type"], "DateTime");
    let (status, v) = api
        .post(
            "/api/incident",
            json!({"data": {"incidentSeverityId": critical}}),
        )
        .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (400, Some("title is required"))
    );
    let (status, v) = api.post("/api/incident", json!({"title": "flat"})).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (400, Some("Data is required"))
    );

    let path = format!("/api/incident/{id}");
    let key = Some(ONEUPTIME_DEMO_KEY);
    let (status, v) = api
        .call(
            Method::PUT,
            &format!("{path}/"),
            key,
            Some(json!({"data": {"title": "Login page blank for SSO users", "_id": "ignored"}})),
        )
        .await;
    assert_eq!((status, v), (200, json!({})));
    let (status, _) = api
        .call(Method::PUT, &path, key, Some(json!({"data": {}})))
        .await;
    assert_eq!(status, 400);
    let (_, v) = api
        .post(
            &format!("{path}/get-item"),
            json!({"select": {"title": true, "version": true}}),
        )
        .await;
    assert_eq!(v["title"], "Login page blank for SSO users");
    assert_eq!(v["version"], 2);
    let (status, v) = api.call(Method::DELETE, &path, key, None).await;
    assert_eq!((status, v), (200, json!({})));
    let (_, v) = api.post(&format!("{path}/get-item"), json!({})).await;
    assert_eq!(v, json!({}));
    let (status, _) = api.post(&format!("{path}/delete-item"), json!({})).await;
    assert_eq!(status, 200);
    let (_, v) = api
        .post(
            "/api/incident-state-timeline/count",
            json!({"query": {"incidentId": id}}),
        )
        .await;
    assert_eq!(v, json!({"count": 0}));
    let (status, _) = api
        .call(
            Method::PUT,
            &path,
            key,
            Some(json!({"data": {"title": "gone"}})),
        )
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn requests_are_recorded_with_lower_case_headers() {
    let api = Api::start().await;
    api.post(
        "/api/monitor/count",
        json!({"query": {"name": "Inbox Worker"}}),
    )
    .await;
    let reqs = api.demo.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].header("apikey"), Some(ONEUPTIME_DEMO_KEY));
    assert_eq!(
        reqs[0].json,
        Some(json!({"query": {"name": "Inbox Worker"}}))
    );
    let over_http: Value = api
        .http
        .get(format!("{}/__demo/requests", api.demo.base_url()))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(over_http[0]["path"], "/api/monitor/count");
    api.http
        .delete(format!("{}/__demo/requests", api.demo.base_url()))
        .send()
        .await
        .expect("request");
    assert!(api.demo.requests().is_empty());
}

#[tokio::test]
async fn monitors_start_operational_and_state_changes_write_timelines() {
    let api = Api::start().await;
    let operational = api.id_of("monitor-status", "name", "Operational").await;
    let offline = api.id_of("monitor-status", "name", "Offline").await;
    let (status, monitor) = api
        .post(
            "/api/monitor",
            json!({"data": {"name": "Billing API", "monitorType": "API"}}),
        )
        .await;
    assert_eq!(status, 200, "{monitor}");
    assert_eq!(
        monitor["currentMonitorStatusId"]["value"],
        json!(operational)
    );
    let id = monitor["_id"].as_str().unwrap_or_default().to_string();
    let (status, _) = api
        .post(
            "/api/monitor-status-timeline",
            json!({"data": {"monitorId": id, "monitorStatusId": offline}}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, v) = api
        .post(
            &format!("/api/monitor/{id}/get-item"),
            json!({"select": {"currentMonitorStatus": {"name": true}}}),
        )
        .await;
    assert_eq!(v["currentMonitorStatus"]["name"], "Offline");
    let (status, v) = api
        .post(
            "/api/monitor",
            json!({"data": {"name": "x", "monitorType": "Carrier Pigeon"}}),
        )
        .await;
    assert_eq!(status, 400, "{v}");

    // Resolving an alert by updating its current state also writes the timeline row.
    let alert = api
        .id_of("alert", "title", "Inbox Worker disk /var above 85%")
        .await;
    let resolved = api.id_of("alert-state", "name", "Resolved").await;
    let (status, _) = api
        .call(
            Method::PUT,
            &format!("/api/alert/{alert}"),
            Some(ONEUPTIME_DEMO_KEY),
            Some(
                json!({"data": {"currentAlertStateId": {"_type": "ObjectID", "value": resolved}}}),
            ),
        )
        .await;
    assert_eq!(status, 200);
    let rows = api
        .list(
            ONEUPTIME_DEMO_KEY,
            "alert-state-timeline",
            json!({"query": {"alertId": alert}, "select": {"alertState": {"name": true}, "endsAt": true}}),
        )
        .await;
    let states: Vec<&str> = rows
        .iter()
        .filter_map(|r| r["alertState"]["name"].as_str())
        .collect();
    assert_eq!(states, ["Created", "Resolved"]);
    assert_eq!(rows[0]["endsAt"]["_type"], "DateTime");
}
