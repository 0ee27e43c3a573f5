//! Thruk's list query semantics over rows of JSON: filters (`col[op]=value`, `_VAR=value`),
//! `sort`, `limit`/`offset` and `columns` — including the quirks a real Thruk has, so the
//! gateway is tested against them: symbolic operators in a parameter name are silently
//! dropped, the limit is applied before sorting, and a filter on a column no row has is an
//! error ("possible typo in filter").

use serde_json::{Map, Value};
use std::cmp::Ordering;

/// Parameters that are not filters.
const RESERVED: &[&str] = &[
    "limit",
    "offset",
    "sort",
    "columns",
    "headers",
    "backend",
    "backends",
    "q",
    "CSRFtoken",
];

/// A failed query: HTTP status and message.
pub type QueryError = (u16, String);

fn name_allowed(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/.:,;+-_[](){}".contains(c))
}

/// Expands `now`, `-10m`, `+2h`, `-7d` into epochs; other values stay as they are.
pub fn expand_time(v: &str, now: i64) -> Option<i64> {
    let v = v.trim();
    if v == "now" {
        return Some(now);
    }
    if let Ok(n) = v.parse::<i64>() {
        return Some(n);
    }
    let (sign, rest) = match v.as_bytes().first() {
        Some(b'-') => (-1, &v[1..]),
        Some(b'+') => (1, &v[1..]),
        _ => return None,
    };
    let split = rest.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = rest.split_at(split);
    let n: i64 = num.parse().ok()?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        "w" => 604800,
        "y" => 31_536_000,
        _ => return None,
    };
    Some(now + sign * n * secs)
}

fn is_time_column(col: &str) -> bool {
    col == "time"
        || col.starts_with("last_")
        || col.starts_with("next_")
        || matches!(col, "start_time" | "end_time" | "entry_time")
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn compare(a: &Value, b: &str) -> Ordering {
    match (a.as_f64(), b.parse::<f64>()) {
        (Some(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => text(a).cmp(&b.to_string()),
    }
}

struct Filter {
    column: String,
    op: String,
    value: String,
    regex: Option<regex::Regex>,
    custom: Option<(String, String)>,
}

fn parse_filters(params: &[(String, String)], now: i64) -> Result<Vec<Filter>, QueryError> {
    let mut out = Vec::new();
    for (key, value) in params {
        if RESERVED.contains(&key.as_str()) || !name_allowed(key) {
            continue;
        }
        let (column, op) = match key.find('[') {
            Some(i) if key.ends_with(']') => {
                (key[..i].to_string(), key[i + 1..key.len() - 1].to_string())
            }
            _ => (key.clone(), "eq".to_string()),
        };
        let op = match op.as_str() {
            "=" | "eq" | "" => "eq",
            "ne" => "ne",
            "regex" | "like" => "regex",
            "nregex" | "unlike" => "nregex",
            "gt" => "gt",
            "lt" => "lt",
            "gte" => "gte",
            "lte" => "lte",
            "notin" => "notin",
            // Unknown words pass through to Livestatus, which ignores them here.
            _ => continue,
        }
        .to_string();
        let custom = column
            .strip_prefix('_')
            .map(|var| match var.strip_prefix("HOST") {
                Some(v) if !v.is_empty() => ("host_custom_variables".to_string(), v.to_string()),
                _ => ("custom_variables".to_string(), var.to_string()),
            });
        let mut value = value.clone();
        if is_time_column(&column)
            && matches!(op.as_str(), "gt" | "lt" | "gte" | "lte")
            && let Some(t) = expand_time(&value, now)
        {
            value = t.to_string();
        }
        let regex = if op.ends_with("regex") {
            Some(
                regex::RegexBuilder::new(&value)
                    .case_insensitive(true)
                    .build()
                    .map_err(|e| (400, format!("invalid regular expression: {e}")))?,
            )
        } else {
            None
        };
        out.push(Filter {
            column,
            op,
            value,
            regex,
            custom,
        });
    }
    Ok(out)
}

fn matches(f: &Filter, row: &Value) -> bool {
    let field = match &f.custom {
        Some((col, var)) => row
            .get(col)
            .and_then(|m| m.get(var))
            .cloned()
            .unwrap_or(Value::Null),
        None => row.get(&f.column).cloned().unwrap_or(Value::Null),
    };
    if let Value::Array(items) = &field {
        let contains = items.iter().any(|i| text(i) == f.value);
        return match f.op.as_str() {
            "gte" => contains,
            "lte" | "notin" => !contains,
            "regex" => items
                .iter()
                .any(|i| f.regex.as_ref().is_some_and(|r| r.is_match(&text(i)))),
            "nregex" => !items
                .iter()
                .any(|i| f.regex.as_ref().is_some_and(|r| r.is_match(&text(i)))),
            _ => false,
        };
    }
    match f.op.as_str() {
        "eq" => {
            text(&field) == f.value
                || (field.is_number() && compare(&field, &f.value) == Ordering::Equal)
        }
        "ne" => {
            !(text(&field).eq_ignore_ascii_case(&f.value)
                || (field.is_number() && compare(&field, &f.value) == Ordering::Equal))
        }
        "regex" => f.regex.as_ref().is_some_and(|r| r.is_match(&text(&field))),
        "nregex" => !f.regex.as_ref().is_some_and(|r| r.is_match(&text(&field))),
        "gt" => compare(&field, &f.value) == Ordering::Greater,
        "lt" => compare(&field, &f.value) == Ordering::Less,
        "gte" => compare(&field, &f.value) != Ordering::Less,
        "lte" => compare(&field, &f.value) != Ordering::Greater,
        _ => false,
    }
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    params
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Whether the request filters on `column` (any operator).
pub fn has_filter_on(params: &[(String, String)], column: &str) -> bool {
    params
        .iter()
        .any(|(k, _)| k == column || k.starts_with(&format!("{column}[")))
}

/// Applies filters, limit (before sort, like Thruk), sort, offset and columns.
pub fn run(
    rows: Vec<Value>,
    params: &[(String, String)],
    now: i64,
) -> Result<Vec<Value>, QueryError> {
    let filters = parse_filters(params, now)?;
    for f in &filters {
        let column = f
            .custom
            .as_ref()
            .map(|(c, _)| c.as_str())
            .unwrap_or(&f.column);
        if !rows.is_empty() && !rows.iter().any(|r| r.get(column).is_some()) {
            return Err((400, "possible typo in filter".into()));
        }
    }
    let mut rows: Vec<Value> = rows
        .into_iter()
        .filter(|r| filters.iter().all(|f| matches(f, r)))
        .collect();
    let num = |name: &str| -> Result<usize, QueryError> {
        match param(params, name).last() {
            None => Ok(0),
            Some(v) => v
                .trim()
                .parse::<usize>()
                .map_err(|_| (400, format!("{name} must be a number"))),
        }
    };
    let (limit, offset) = (num("limit")?, num("offset")?);
    if limit > 0 {
        rows.truncate(limit + offset);
    }
    let sort: Vec<String> = param(params, "sort")
        .iter()
        .flat_map(|s| s.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if !sort.is_empty() {
        rows.sort_by(|a, b| {
            for key in &sort {
                let (desc, col) = match key.strip_prefix('-') {
                    Some(c) => (true, c),
                    None => (false, key.trim_start_matches('+')),
                };
                let (x, y) = (
                    a.get(col).unwrap_or(&Value::Null),
                    b.get(col).unwrap_or(&Value::Null),
                );
                let ord = match (x.as_f64(), y.as_f64()) {
                    (Some(p), Some(q)) => p.partial_cmp(&q).unwrap_or(Ordering::Equal),
                    _ => text(x).cmp(&text(y)),
                };
                let ord = if desc { ord.reverse() } else { ord };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            Ordering::Equal
        });
    }
    let rows: Vec<Value> = rows.into_iter().skip(offset).collect();
    let columns: Vec<String> = param(params, "columns")
        .iter()
        .flat_map(|s| s.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if columns.is_empty() {
        return Ok(rows);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut out = Map::new();
            for c in &columns {
                let (name, alias) = c.split_once(':').unwrap_or((c, c));
                out.insert(
                    alias.to_string(),
                    row.get(name).cloned().unwrap_or(Value::Null),
                );
            }
            Value::Object(out)
        })
        .collect())
}
