//! OneUptime's list semantics over the demo's rows: the `query` operators
//! (`{"_type": "GreaterThan", "value": …}` and friends), `select` with nested relations, `sort`
//! by `"ASC"`/`"DESC"`, and the wire encoding of values (`ObjectID`, `DateTime`, `Color`,
//! `MonitorSteps` wrappers; relations as nested objects).
//!
//! Rows are stored with plain (unwrapped) values; wrappers in requests are stripped before a
//! comparison and added again when a row is rendered. Comparisons follow SQL: a null column
//! matches only `IsNull`, the `…OrNull` operators and `EqualToOrNull`.

use super::ApiError;
use super::model::{Field, Kind, Model, Rel};
use super::store::{Row, Store};
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use std::cmp::Ordering;

/// How deep `select` may nest relations.
const MAX_SELECT_DEPTH: usize = 4;

/// `_type` values that wrap a plain value (equality when used in a query).
const WRAPPERS: &[&str] = &[
    "ObjectID",
    "DateTime",
    "Date",
    "Color",
    "Email",
    "Name",
    "URL",
    "Hostname",
    "Domain",
    "IP",
    "Port",
    "Phone",
    "Decimal",
    "PositiveNumber",
    "Version",
    "Text",
    "MonitorSteps",
];

/// The value inside a `{"_type": T, "value": v}` wrapper, or the value itself.
pub fn unwrap(v: &Value) -> &Value {
    match v {
        Value::Object(o) if o.len() == 2 && o.get("_type").is_some_and(Value::is_string) => {
            o.get("value").unwrap_or(v)
        }
        _ => v,
    }
}

fn wrap(kind: &str, v: &Value) -> Value {
    json!({"_type": kind, "value": v})
}

/// The wire form of a stored column value.
pub fn encode(field: &Field, v: Option<&Value>) -> Value {
    let v = match v {
        None | Some(Value::Null) => return Value::Null,
        Some(v) => v,
    };
    match field.kind {
        Kind::Id => wrap("ObjectID", v),
        Kind::Date => wrap("DateTime", v),
        Kind::Color => wrap("Color", v),
        Kind::Steps => wrap("MonitorSteps", v),
        Kind::Ids => Value::Array(
            v.as_array()
                .map(|ids| ids.iter().map(|id| json!({"_id": id})).collect())
                .unwrap_or_default(),
        ),
        _ => v.clone(),
    }
}

/// An instant from an ISO-8601 string (with or without offset, or a bare date).
pub fn instant(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// The demo's canonical date form: UTC with milliseconds.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn number_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn is_uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}

/// Equality of a stored value and a query value (both unwrapped).
fn equals(stored: &Value, q: &Value) -> bool {
    match (stored, q) {
        (Value::Array(items), q) if !q.is_array() => items.iter().any(|i| equals(i, q)),
        (Value::String(a), Value::String(b)) => {
            a == b
                || (is_uuid_like(a) && a.eq_ignore_ascii_case(b))
                || matches!((instant(a), instant(b)), (Some(x), Some(y)) if x == y)
        }
        (Value::Number(_), _) | (_, Value::Number(_)) => {
            matches!((number_of(stored), number_of(q)), (Some(a), Some(b)) if a == b)
        }
        (Value::Bool(a), Value::String(b)) | (Value::String(b), Value::Bool(a)) => {
            b == if *a { "true" } else { "false" }
        }
        _ => stored == q,
    }
}

/// Ordering of two non-null values of comparable types.
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => match (instant(x), instant(y)) {
            (Some(p), Some(q)) => Some(p.cmp(&q)),
            _ => Some(x.cmp(y)),
        },
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => match (number_of(a), number_of(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y),
            _ => None,
        },
    }
}

/// One parsed query condition.
#[derive(Debug, Clone)]
pub enum Test {
    Equal(Value),
    NotEqual(Value),
    EqualOrNull(Value),
    /// `>` (or `>=`), optionally also matching null.
    Greater {
        than: Value,
        or_equal: bool,
        or_null: bool,
    },
    Less {
        than: Value,
        or_equal: bool,
        or_null: bool,
    },
    IsNull,
    NotNull,
    Search(String),
    Includes(Vec<Value>),
    Between(Value, Value),
}

impl Test {
    /// Whether a stored value (absent = null) passes.
    pub fn matches(&self, stored: Option<&Value>) -> bool {
        let stored = stored.filter(|v| !v.is_null());
        match (self, stored) {
            (Test::IsNull, s) => s.is_none(),
            (Test::NotNull, s) => s.is_some(),
            (Test::EqualOrNull(_), None)
            | (Test::Greater { or_null: true, .. }, None)
            | (Test::Less { or_null: true, .. }, None) => true,
            (Test::Equal(Value::Null), None) => true,
            (_, None) => false,
            (Test::Equal(q) | Test::EqualOrNull(q), Some(s)) => equals(s, q),
            (Test::NotEqual(q), Some(s)) => !equals(s, q),
            (Test::Greater { than, or_equal, .. }, Some(s)) => match compare(s, than) {
                Some(Ordering::Greater) => true,
                Some(Ordering::Equal) => *or_equal,
                _ => false,
            },
            (Test::Less { than, or_equal, .. }, Some(s)) => match compare(s, than) {
                Some(Ordering::Less) => true,
                Some(Ordering::Equal) => *or_equal,
                _ => false,
            },
            (Test::Search(needle), Some(s)) => {
                let hay = match s {
                    Value::String(t) => t.to_lowercase(),
                    Value::Number(n) => n.to_string(),
                    _ => return false,
                };
                hay.contains(needle.as_str())
            }
            (Test::Includes(list), Some(Value::Array(items))) => {
                items.iter().any(|i| list.iter().any(|q| equals(i, q)))
            }
            (Test::Includes(list), Some(s)) => list.iter().any(|q| equals(s, q)),
            (Test::Between(lo, hi), Some(s)) => {
                matches!(compare(s, lo), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(compare(s, hi), Some(Ordering::Less | Ordering::Equal))
            }
        }
    }
}

/// A parsed `query`: column name → condition, all of which must hold.
pub type Conditions = Vec<(&'static str, Test)>;

fn operand(op: &str, field: &str, o: &Map<String, Value>, key: &str) -> Result<Value, ApiError> {
    o.get(key)
        .map(|v| unwrap(v).clone())
        .ok_or_else(|| ApiError::bad(format!("Invalid query: {op} on {field} needs a {key}")))
}

fn parse_test(field: &Field, raw: &Value) -> Result<Test, ApiError> {
    let name = field.name;
    let Value::Object(o) = raw else {
        return Ok(match raw {
            Value::Null => Test::IsNull,
            v => Test::Equal(v.clone()),
        });
    };
    let Some(op) = o.get("_type").and_then(Value::as_str) else {
        if field.kind == Kind::Json || field.kind == Kind::Steps {
            return Ok(Test::Equal(raw.clone()));
        }
        return Err(ApiError::bad(format!(
            "Invalid query: the value for {name} should be a value or an operator object with a _type"
        )));
    };
    let value = || operand(op, name, o, "value");
    let test = match op {
        "EqualTo" => Test::Equal(value()?),
        "NotEqual" => Test::NotEqual(value()?),
        "EqualToOrNull" => Test::EqualOrNull(value()?),
        "GreaterThan" | "GreaterThanOrEqual" | "GreaterThanOrNull" => Test::Greater {
            than: value()?,
            or_equal: op == "GreaterThanOrEqual",
            or_null: op == "GreaterThanOrNull",
        },
        "LessThan" | "LessThanOrEqual" | "LessThanOrNull" => Test::Less {
            than: value()?,
            or_equal: op == "LessThanOrEqual",
            or_null: op == "LessThanOrNull",
        },
        "IsNull" => Test::IsNull,
        "NotNull" => Test::NotNull,
        "Search" => match value()? {
            Value::String(s) => Test::Search(s.to_lowercase()),
            Value::Number(n) => Test::Search(n.to_string()),
            _ => {
                return Err(ApiError::bad(format!(
                    "Invalid query: Search on {name} needs a string value"
                )));
            }
        },
        "Includes" => match value()? {
            Value::Array(items) => {
                Test::Includes(items.iter().map(|i| unwrap(i).clone()).collect())
            }
            _ => {
                return Err(ApiError::bad(format!(
                    "Invalid query: Includes on {name} needs an array value"
                )));
            }
        },
        "InBetween" => Test::Between(
            operand(op, name, o, "startValue")?,
            operand(op, name, o, "endValue")?,
        ),
        t if WRAPPERS.contains(&t) => Test::Equal(value()?),
        t => {
            return Err(ApiError::bad(format!(
                "Invalid query: unknown operator _type {t} on {name}"
            )));
        }
    };
    Ok(test)
}

/// Parses and checks a `query` object.
pub fn parse_query(model: &'static Model, raw: Option<&Value>) -> Result<Conditions, ApiError> {
    let obj = match raw {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(ApiError::bad("Invalid query: query should be an object")),
    };
    obj.iter()
        .map(|(k, v)| {
            let field = model.field(k).ok_or_else(|| {
                ApiError::bad(format!("Property {k} was not found in {}", model.name))
            })?;
            Ok((field.name, parse_test(field, v)?))
        })
        .collect()
}

/// Whether a row passes every condition.
pub fn passes(row: &Row, conditions: &Conditions) -> bool {
    conditions.iter().all(|(f, t)| t.matches(row.get(*f)))
}

/// One selected entry.
#[derive(Debug)]
pub enum Pick {
    Column(&'static Field),
    /// A single relation: its foreign-key column and what to select of the target.
    One(&'static Field, Select),
    /// An id-array relation and what to select of each target.
    Many(&'static Field, Select),
}

/// A parsed `select`; `_id` is always included.
#[derive(Debug, Default)]
pub struct Select(pub Vec<Pick>);

fn select_error(k: &str, model: &Model) -> ApiError {
    ApiError::bad(format!(
        "Invalid select: {k} is not a column of {}",
        model.name
    ))
}

/// Parses and checks a `select` object.
pub fn parse_select(model: &'static Model, raw: Option<&Value>) -> Result<Select, ApiError> {
    parse_select_at(model, raw, 0)
}

fn parse_select_at(
    model: &'static Model,
    raw: Option<&Value>,
    depth: usize,
) -> Result<Select, ApiError> {
    let obj = match raw {
        None | Some(Value::Null) => return Ok(Select::default()),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(ApiError::bad("Invalid select: select should be an object")),
    };
    if depth > MAX_SELECT_DEPTH {
        return Err(ApiError::bad(
            "Invalid select: relations are nested too deeply",
        ));
    }
    let mut picks = Vec::new();
    for (k, v) in obj {
        match v {
            Value::Bool(false) | Value::Null => {}
            Value::Bool(true) => {
                if let Some(f) = model.field(k) {
                    picks.push(Pick::Column(f));
                } else if let Some(f) = model.relation(k) {
                    picks.push(Pick::One(f, Select::default()));
                } else {
                    return Err(select_error(k, model));
                }
            }
            Value::Object(_) => {
                let (field, many) = match (model.relation(k), model.field(k)) {
                    (Some(f), _) => (f, false),
                    (None, Some(f)) if f.kind == Kind::Ids => (f, true),
                    _ => {
                        return Err(ApiError::bad(format!(
                            "Invalid select: {k} is not a relation of {}",
                            model.name
                        )));
                    }
                };
                let Some((_, t)) = related(field) else {
                    return Err(select_error(k, model));
                };
                let inner = parse_select_at(t, Some(v), depth + 1)?;
                picks.push(if many {
                    Pick::Many(field, inner)
                } else {
                    Pick::One(field, inner)
                });
            }
            _ => {
                return Err(ApiError::bad(format!(
                    "Invalid select: the value for {k} should be true or an object"
                )));
            }
        }
    }
    Ok(Select(picks))
}

fn related(f: &Field) -> Option<(Rel, &'static Model)> {
    let rel = f.rel?;
    Some((rel, super::model::get(rel.target)?))
}

/// A row as the API answers it: `_id` plus the selected columns and relations.
pub fn render(store: &Store, project: &str, row: &Row, select: &Select) -> Value {
    let mut out = Map::new();
    out.insert("_id".into(), row.get("_id").cloned().unwrap_or(Value::Null));
    for pick in &select.0 {
        match pick {
            Pick::Column(f) => {
                out.insert(f.name.into(), encode(f, row.get(f.name)));
            }
            Pick::One(f, inner) => {
                let Some(rel) = f.rel else {
                    continue;
                };
                let nested = row
                    .get(f.name)
                    .and_then(Value::as_str)
                    .and_then(|id| store.find(rel.target, project, id))
                    .map(|r| render(store, project, r, inner))
                    .unwrap_or(Value::Null);
                out.insert(rel.name.into(), nested);
            }
            Pick::Many(f, inner) => {
                let Some(rel) = f.rel else {
                    continue;
                };
                let ids = row.get(f.name).and_then(Value::as_array);
                let nested: Vec<Value> = ids
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .filter_map(|id| store.find(rel.target, project, id))
                    .map(|r| render(store, project, r, inner))
                    .collect();
                out.insert(rel.name.into(), Value::Array(nested));
            }
        }
    }
    Value::Object(out)
}

/// Every stored column of a row, encoded (the answer to a create).
pub fn render_all(model: &Model, row: &Row) -> Value {
    let out: Map<String, Value> = model
        .fields
        .iter()
        .filter(|f| row.contains_key(f.name))
        .map(|f| (f.name.to_string(), encode(f, row.get(f.name))))
        .collect();
    Value::Object(out)
}

/// A parsed `sort`: columns in priority order, `true` for descending.
pub type Sort = Vec<(&'static str, bool)>;

/// Parses a `sort` object; `order` gives its keys in request order (JSON objects are otherwise
/// read back sorted by key).
pub fn parse_sort(
    model: &'static Model,
    raw: Option<&Value>,
    order: Option<Vec<String>>,
) -> Result<Sort, ApiError> {
    let obj = match raw {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(ApiError::bad("Invalid sort: sort should be an object")),
    };
    let keys: Vec<String> = match order {
        Some(keys) if keys.len() == obj.len() => keys,
        _ => obj.keys().cloned().collect(),
    };
    keys.iter()
        .map(|k| {
            let field = model.field(k).ok_or_else(|| {
                ApiError::bad(format!(
                    "Invalid sort: {k} is not a column of {}",
                    model.name
                ))
            })?;
            match obj.get(k).map(unwrap) {
                Some(Value::String(d)) if d == "ASC" => Ok((field.name, false)),
                Some(Value::String(d)) if d == "DESC" => Ok((field.name, true)),
                _ => Err(ApiError::bad(format!(
                    "Invalid sort: the order for {k} should be \"ASC\" or \"DESC\""
                ))),
            }
        })
        .collect()
}

/// Ascending order of two stored values: nulls last, mixed types by their text.
fn order(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => compare(x, y).unwrap_or_else(|| x.to_string().cmp(&y.to_string())),
    }
}

/// Sorts rows in place (stable, so ties keep creation order). Nulls sort last ascending and
/// first descending, as in Postgres.
pub fn sort_rows(rows: &mut [&Row], sort: &Sort) {
    if sort.is_empty() {
        return;
    }
    rows.sort_by(|a, b| {
        for (f, desc) in sort {
            let o = order(a.get(*f), b.get(*f));
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
}

/// The keys of the body's `sort` object in the order they were sent, if it is an object.
pub fn sort_key_order(body: &[u8]) -> Option<Vec<String>> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    use std::fmt;

    struct Keys(Vec<String>);
    impl<'de> serde::Deserialize<'de> for Keys {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Keys;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some((k, IgnoredAny)) = map.next_entry::<String, IgnoredAny>()? {
                        keys.push(k);
                    }
                    Ok(Keys(keys))
                }
            }
            d.deserialize_map(V)
        }
    }
    #[derive(serde::Deserialize)]
    struct Body {
        sort: Option<Keys>,
    }
    serde_json::from_slice::<Body>(body)
        .ok()
        .and_then(|b| b.sort)
        .map(|k| k.0)
}
