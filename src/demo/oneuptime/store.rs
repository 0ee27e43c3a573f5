//! The OneUptime demo's mutable state and its write rules: rows per resource (plain values,
//! scoped to a project), create with server-filled columns (`_id`, `projectId`, timestamps,
//! `version`, `slug`, numbers, initial states), update, delete with the cascades a real
//! database has, and the state-machine side effects: a new timeline row ends the previous one
//! and moves its parent's current state.

use super::model::{self, Family, Kind, Lifecycle, Model};
use super::query::{instant, iso, unwrap};
use super::{ApiError, is_uuid};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// One stored row: column → plain value.
pub type Row = Map<String, Value>;

/// Columns the server owns; a create or update ignores them in `data`.
const SERVER_OWNED: &[&str] = &[
    "_id",
    "projectId",
    "createdAt",
    "updatedAt",
    "deletedAt",
    "version",
    "createdByUserId",
    "deletedByUserId",
    "slug",
];

/// All rows, by resource path, in creation order.
#[derive(Debug, Default)]
pub struct Store {
    tables: HashMap<&'static str, Vec<Row>>,
}

fn str_of<'a>(row: &'a Row, key: &str) -> Option<&'a str> {
    row.get(key).and_then(Value::as_str)
}

fn in_project(model: &Model, row: &Row, project: &str) -> bool {
    let key = if model.family == Family::Project {
        "_id"
    } else {
        "projectId"
    };
    str_of(row, key) == Some(project)
}

/// A slug from a name: lower case, runs of other characters as one `-`.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The column numbering a model's rows per project (`incidentNumber`, …).
fn number_column(path: &str) -> Option<&'static str> {
    match path {
        "incident" => Some("incidentNumber"),
        "alert" => Some("alertNumber"),
        "scheduled-maintenance" => Some("scheduledMaintenanceNumber"),
        _ => None,
    }
}

/// The column defaults of a new row: booleans false and id arrays empty (as the database
/// defaults them), plus the per-model defaults OneUptime applies.
pub fn defaults(model: &Model, now: &str) -> Row {
    let mut row = Row::new();
    for f in &model.fields {
        match f.kind {
            Kind::Bool => {
                row.insert(f.name.into(), json!(false));
            }
            Kind::Ids => {
                row.insert(f.name.into(), json!([]));
            }
            _ => {}
        }
    }
    let mut set = |k: &str, v: Value| {
        row.insert(k.into(), v);
    };
    match model.path {
        "incident" => {
            set("declaredAt", json!(now));
            set("isVisibleOnStatusPage", json!(true));
        }
        "status-page" => {
            for k in [
                "enableMcpServer",
                "showIncidentsOnStatusPage",
                "showAnnouncementsOnStatusPage",
                "showScheduledMaintenanceEventsOnStatusPage",
            ] {
                set(k, json!(true));
            }
            for k in [
                "showIncidentHistoryInDays",
                "showAnnouncementHistoryInDays",
                "showScheduledEventHistoryInDays",
            ] {
                set(k, json!(14));
            }
        }
        "status-page-announcement" => set("showAnnouncementAt", json!(now)),
        "on-call-duty-policy" => set("repeatPolicyIfNoOneAcknowledgesNoOfTimes", json!(0)),
        "team" => {
            for k in [
                "isPermissionsEditable",
                "isTeamDeleteable",
                "isTeamEditable",
            ] {
                set(k, json!(true));
            }
        }
        "scheduled-maintenance" => set("isVisibleOnStatusPage", json!(true)),
        "incident-public-note" => set("postedAt", json!(now)),
        p if model::lifecycle_of_timeline(p).is_some() => set("startsAt", json!(now)),
        _ => {}
    }
    row
}

fn id_of(v: &Value) -> Option<String> {
    match unwrap(v) {
        Value::String(s) if is_uuid(s) => Some(s.to_ascii_lowercase()),
        Value::Object(o) => o.get("_id").and_then(id_of),
        _ => None,
    }
}

fn number_value(v: &Value) -> Option<Value> {
    let n = match v {
        Value::Number(n) => return Some(Value::Number(n.clone())),
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Some(json!(n as i64))
    } else {
        serde_json::Number::from_f64(n).map(Value::Number)
    }
}

fn is_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s.chars().skip(1).all(|c| c.is_ascii_hexdigit())
}

/// A `data` value checked and converted to the stored (plain) form.
fn coerce(field: &model::Field, raw: &Value) -> Result<Value, ApiError> {
    let name = field.name;
    let bad = |what: &str| ApiError::bad(format!("{name} should be {what}"));
    if field.kind == Kind::Json {
        return Ok(raw.clone());
    }
    let v = unwrap(raw);
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(match field.kind {
        Kind::Key | Kind::Text | Kind::Json => match v {
            Value::String(_) => v.clone(),
            Value::Number(n) => json!(n.to_string()),
            Value::Bool(b) => json!(b.to_string()),
            _ => return Err(bad("a string")),
        },
        Kind::Number => number_value(v).ok_or_else(|| bad("a number"))?,
        Kind::Bool => match v {
            Value::Bool(_) => v.clone(),
            Value::String(s) if s == "true" || s == "false" => json!(s == "true"),
            _ => return Err(bad("true or false")),
        },
        Kind::Date => v
            .as_str()
            .and_then(instant)
            .map(|t| json!(iso(t)))
            .ok_or_else(|| bad("an ISO-8601 date"))?,
        Kind::Id => id_of(v)
            .map(Value::String)
            .ok_or_else(|| bad("a valid id (UUID)"))?,
        Kind::Ids => {
            let items = v.as_array().ok_or_else(|| bad("an array of ids"))?;
            let ids: Option<Vec<Value>> =
                items.iter().map(|i| id_of(i).map(Value::String)).collect();
            Value::Array(ids.ok_or_else(|| bad("an array of ids"))?)
        }
        Kind::Color => match v {
            Value::String(s) if is_color(s) => json!(s.to_ascii_lowercase()),
            _ => return Err(bad("a color such as #2ecc71")),
        },
        Kind::Steps => {
            if !v.is_object() {
                return Err(bad("an object"));
            }
            v.clone()
        }
    })
}

/// The known, client-writable columns of `data`, converted; unknown keys are ignored like
/// the real server's model deserialisation does.
fn normalize(model: &Model, data: &Map<String, Value>) -> Result<Row, ApiError> {
    let mut out = Row::new();
    for (k, raw) in data {
        if SERVER_OWNED.contains(&k.as_str()) {
            continue;
        }
        let Some(field) = model.field(k) else {
            continue;
        };
        out.insert(k.clone(), coerce(field, raw)?);
    }
    if let Some(Value::String(t)) = out.get("monitorType")
        && !model::MONITOR_TYPES.contains(&t.as_str())
    {
        return Err(ApiError::bad(format!(
            "monitorType should be one of: {}",
            model::MONITOR_TYPES.join(", ")
        )));
    }
    Ok(out)
}

fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        _ => false,
    }
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn bump(row: &mut Row, now: &str) {
    let version = row.get("version").and_then(Value::as_i64).unwrap_or(0);
    row.insert("updatedAt".into(), json!(now));
    row.insert("version".into(), json!(version + 1));
}

impl Store {
    /// Appends a row as it is (the seed's way in).
    pub fn insert(&mut self, path: &'static str, row: Row) {
        self.tables.entry(path).or_default().push(row);
    }

    /// The rows of a model visible to a project, in creation order.
    pub fn scoped<'a>(&'a self, model: &'a Model, project: &str) -> impl Iterator<Item = &'a Row> {
        self.tables
            .get(model.path)
            .into_iter()
            .flatten()
            .filter(move |r| in_project(model, r, project))
    }

    /// A row by id, if the project can see it.
    pub fn find(&self, path: &str, project: &str, id: &str) -> Option<&Row> {
        let model = model::get(path)?;
        self.scoped(model, project)
            .find(|r| str_of(r, "_id").is_some_and(|i| i.eq_ignore_ascii_case(id)))
    }

    fn find_mut(&mut self, path: &str, project: &str, id: &str) -> Option<&mut Row> {
        let model = model::get(path)?;
        self.tables.get_mut(path)?.iter_mut().find(|r| {
            in_project(model, r, project)
                && str_of(r, "_id").is_some_and(|i| i.eq_ignore_ascii_case(id))
        })
    }

    /// Every related id in `fields` must exist in the project.
    fn check_references(&self, model: &Model, project: &str, fields: &Row) -> Result<(), ApiError> {
        for (k, v) in fields {
            let Some(rel) = model.field(k).and_then(|f| f.rel) else {
                continue;
            };
            let ids: Vec<&str> = match v {
                Value::String(s) => vec![s.as_str()],
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            for id in ids {
                if self.find(rel.target, project, id).is_none() {
                    let what = model::get(rel.target).map_or(rel.target, |m| m.singular);
                    return Err(ApiError::bad(format!("{what} with id {id} not found")));
                }
            }
        }
        Ok(())
    }

    /// The project's state carrying a lifecycle's initial flag.
    fn initial_state(&self, lc: &Lifecycle, project: &str) -> Result<String, ApiError> {
        let states = model::get(lc.states)
            .ok_or_else(|| ApiError::bad(format!("Unknown resource {}", lc.states)))?;
        self.scoped(states, project)
            .find(|r| r.get(lc.initial) == Some(&Value::Bool(true)))
            .and_then(|r| str_of(r, "_id"))
            .map(str::to_string)
            .ok_or_else(|| {
                ApiError::bad(format!(
                    "No {} with {} found in this project",
                    states.singular.to_lowercase(),
                    lc.initial
                ))
            })
    }

    fn next_number(&self, model: &Model, project: &str, column: &str) -> i64 {
        self.scoped(model, project)
            .filter_map(|r| r.get(column).and_then(Value::as_i64))
            .max()
            .unwrap_or(0)
            + 1
    }

    /// Ends a parent's open timeline rows (except `keep`) at `at`.
    fn end_open_rows(
        &mut self,
        lc: &Lifecycle,
        project: &str,
        parent: &str,
        keep: &str,
        at: &str,
        now: &str,
    ) {
        let Some(rows) = self.tables.get_mut(lc.timeline) else {
            return;
        };
        for r in rows.iter_mut() {
            let open = str_of(r, "projectId") == Some(project)
                && str_of(r, lc.parent_key) == Some(parent)
                && str_of(r, "_id") != Some(keep)
                && r.get("endsAt").is_none_or(Value::is_null);
            if open {
                r.insert("endsAt".into(), json!(at));
                bump(r, now);
            }
        }
    }

    /// Appends a timeline row moving `parent` to `state` now and ends the previous one.
    fn push_transition(
        &mut self,
        lc: &Lifecycle,
        project: &str,
        parent: &str,
        state: &str,
        now: &str,
    ) {
        let Some(timeline) = model::get(lc.timeline) else {
            return;
        };
        let id = new_id();
        let mut row = defaults(timeline, now);
        for (k, v) in [
            ("_id", json!(id)),
            ("projectId", json!(project)),
            ("createdAt", json!(now)),
            ("updatedAt", json!(now)),
            ("version", json!(1)),
            (lc.parent_key, json!(parent)),
            (lc.state_key, json!(state)),
        ] {
            row.insert(k.into(), v);
        }
        self.insert(timeline.path, row);
        self.end_open_rows(lc, project, parent, &id, now, now);
    }

    /// Creates a row from a request's `data`; answers the stored row.
    pub fn create(
        &mut self,
        model: &'static Model,
        project: &str,
        data: &Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<Row, ApiError> {
        let fields = normalize(model, data)?;
        if let Some(req) = model.required.iter().find(|r| is_blank(fields.get(**r))) {
            return Err(ApiError::bad(format!("{req} is required")));
        }
        self.check_references(model, project, &fields)?;
        let now_s = iso(now);
        let id = new_id();
        let mut row = defaults(model, &now_s);
        for (k, v) in [
            ("_id", json!(id)),
            ("projectId", json!(project)),
            ("createdAt", json!(now_s)),
            ("updatedAt", json!(now_s)),
            ("version", json!(1)),
        ] {
            row.insert(k.into(), v);
        }
        row.extend(fields);
        if let Some(from) = model.slug_from {
            let slug = slugify(str_of(&row, from).unwrap_or_default());
            row.insert("slug".into(), json!(slug));
        }
        if let Some(column) = number_column(model.path) {
            row.insert(
                column.into(),
                json!(self.next_number(model, project, column)),
            );
        }
        let parent_of = model::lifecycle_of_parent(model.path);
        let mut initial = None;
        if let Some(lc) = parent_of {
            let state = match str_of(&row, lc.current) {
                Some(given) if !lc.forced => given.to_string(),
                _ => self.initial_state(lc, project)?,
            };
            row.insert(lc.current.into(), json!(state));
            initial = Some((lc, state));
        }
        self.insert(model.path, row.clone());
        if let Some((lc, state)) = initial {
            self.push_transition(lc, project, &id, &state, &now_s);
        }
        if let Some(lc) = model::lifecycle_of_timeline(model.path) {
            let parent = str_of(&row, lc.parent_key).unwrap_or_default().to_string();
            let state = str_of(&row, lc.state_key).unwrap_or_default().to_string();
            let at = str_of(&row, "startsAt").unwrap_or(&now_s).to_string();
            self.end_open_rows(lc, project, &parent, &id, &at, &now_s);
            if let Some(p) = self.find_mut(lc.parent, project, &parent) {
                p.insert(lc.current.into(), json!(state));
                bump(p, &now_s);
            }
        }
        Ok(row)
    }

    /// Applies a request's `data` to a row; changing a parent's current state also writes
    /// the timeline row, as OneUptime does.
    pub fn update(
        &mut self,
        model: &'static Model,
        project: &str,
        id: &str,
        data: &Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let fields = normalize(model, data)?;
        let Some(current) = self.find(model.path, project, id) else {
            return Err(ApiError::new(
                422,
                format!(
                    "Unable to update this {}. It may not exist or you do not have permission to update it.",
                    model.singular.to_lowercase()
                ),
            ));
        };
        if let Some(req) = model
            .required
            .iter()
            .find(|r| fields.contains_key(**r) && is_blank(fields.get(**r)))
        {
            return Err(ApiError::bad(format!("{req} cannot be empty")));
        }
        self.check_references(model, project, &fields)?;
        let transition = model::lifecycle_of_parent(model.path).and_then(|lc| {
            let new = str_of(&fields, lc.current)?;
            (str_of(current, lc.current) != Some(new)).then(|| (lc, new.to_string()))
        });
        let row_id = str_of(current, "_id").unwrap_or(id).to_string();
        let now_s = iso(now);
        if let Some(row) = self.find_mut(model.path, project, id) {
            row.extend(fields);
            bump(row, &now_s);
        }
        if let Some((lc, state)) = transition {
            self.push_transition(lc, project, &row_id, &state, &now_s);
        }
        Ok(())
    }

    /// Deletes a row if the project can see it, with its timeline rows and notes; other
    /// references to it are cleared.
    pub fn delete(&mut self, model: &Model, project: &str, id: &str) {
        let Some(table) = self.tables.get_mut(model.path) else {
            return;
        };
        let before = table.len();
        table.retain(|r| {
            !(in_project(model, r, project)
                && str_of(r, "_id").is_some_and(|i| i.eq_ignore_ascii_case(id)))
        });
        if table.len() == before {
            return;
        }
        let id = id.to_ascii_lowercase();
        for other in model::all() {
            for f in &other.fields {
                let Some(rel) = f.rel.filter(|r| r.target == model.path) else {
                    continue;
                };
                if rel.parent {
                    let children: Vec<String> = self
                        .scoped(other, project)
                        .filter(|r| str_of(r, f.name) == Some(id.as_str()))
                        .filter_map(|r| str_of(r, "_id").map(str::to_string))
                        .collect();
                    for child in children {
                        self.delete(other, project, &child);
                    }
                    continue;
                }
                let Some(rows) = self.tables.get_mut(other.path) else {
                    continue;
                };
                for r in rows.iter_mut().filter(|r| in_project(other, r, project)) {
                    match r.get_mut(f.name) {
                        Some(Value::Array(items)) => {
                            items.retain(|i| i.as_str() != Some(id.as_str()))
                        }
                        Some(v) if v.as_str() == Some(id.as_str()) => *v = Value::Null,
                        _ => {}
                    }
                }
            }
        }
    }
}
