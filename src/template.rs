//! Value templates of the catalog: `{arg}` placeholders in paths, query parameters and bodies,
//! and the value conversions (`time`, `csv`) that turn what an assistant writes into what an
//! upstream accepts.
//!
//! Templates are deliberately tiny (no logic): anything conditional is expressed with `when`
//! in the catalog, so a catalog stays readable as data.

use crate::error::ToolError;
use serde_json::{Map, Value};

/// Names of the `{placeholders}` in a template, in order.
pub fn placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        out.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    out
}

/// The text form of an argument value as sent upstream.
pub fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// Whether an argument counts as given: present, not null, not an empty string.
pub fn is_present(args: &Map<String, Value>, name: &str) -> bool {
    match args.get(name) {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
    }
}

/// Fills a template. `encode` is applied to each substituted argument (for path segments).
/// Returns `None` when an argument it names is absent.
pub fn render(
    template: &str,
    args: &Map<String, Value>,
    encode: &dyn Fn(&str) -> String,
) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Some(out);
        };
        let name = &after[..end];
        let value = if name == "$now" {
            chrono::Utc::now().timestamp().to_string()
        } else {
            if !is_present(args, name) {
                return None;
            }
            value_text(args.get(name)?)?
        };
        out.push_str(&encode(&value));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Normalises a point in time for an upstream that understands epochs, `now` and signed
/// relative offsets, but not ISO dates (Thruk, Livestatus).
/// A normalized time: an offset in seconds from now, or a Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimePoint {
    Relative(i64),
    Absolute(i64),
}

impl TimePoint {
    /// Reads a value produced by [`normalize_time`].
    fn parse(normalized: &str) -> Option<TimePoint> {
        if normalized == "now" {
            return Some(TimePoint::Relative(0));
        }
        if let Ok(epoch) = normalized.parse::<i64>() {
            return Some(TimePoint::Absolute(epoch));
        }
        let (sign, body) = match normalized.as_bytes().first() {
            Some(b'+') => (1, &normalized[1..]),
            Some(b'-') => (-1, &normalized[1..]),
            _ => return None,
        };
        let split = body.find(|c: char| !c.is_ascii_digit())?;
        let (num, unit) = body.split_at(split);
        let unit_secs = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 604_800,
            "y" => 31_536_000,
            _ => return None,
        };
        num.parse::<i64>()
            .ok()?
            .checked_mul(unit_secs)
            .map(|n| TimePoint::Relative(sign * n))
    }

    fn epoch(self, now: i64) -> i64 {
        match self {
            TimePoint::Relative(secs) => now.saturating_add(secs),
            TimePoint::Absolute(epoch) => epoch,
        }
    }

    /// The upstream form: `+90m` / `-45s` offsets from now, or an epoch.
    fn render(self) -> String {
        match self {
            TimePoint::Absolute(epoch) => epoch.to_string(),
            TimePoint::Relative(0) => "now".into(),
            TimePoint::Relative(secs) => {
                let sign = if secs < 0 { '-' } else { '+' };
                let abs = secs.unsigned_abs();
                if abs % 60 == 0 {
                    format!("{sign}{}m", abs / 60)
                } else {
                    format!("{sign}{abs}s")
                }
            }
        }
    }
}

/// Resolves a time whose signed offset counts from another time (`base`), both already
/// normalized: an end of `+30m` after a start of `+1h` is `+90m`, after an epoch start it is that
/// epoch plus 1800. Absolute times are kept as given. The result must come after the base.
pub fn time_after(arg: &str, time: &str, base_arg: &str, base: &str) -> Result<String, ToolError> {
    let (Some(point), Some(from)) = (TimePoint::parse(time), TimePoint::parse(base)) else {
        return Ok(time.to_string());
    };
    let resolved = match (point, from) {
        (TimePoint::Relative(off), TimePoint::Relative(start)) => {
            TimePoint::Relative(start.saturating_add(off))
        }
        (TimePoint::Relative(off), TimePoint::Absolute(start)) => {
            TimePoint::Absolute(start.saturating_add(off))
        }
        (absolute, _) => absolute,
    };
    let now = chrono::Utc::now().timestamp();
    if resolved.epoch(now) <= from.epoch(now) {
        return Err(ToolError::validation(format!(
            "argument `{arg}`: `{time}` is not after `{base_arg}` ({base}); give a later time or a positive length"
        )));
    }
    Ok(resolved.render())
}

/// A normalized time (from [`normalize_time`]) as an absolute point: a Unix epoch, or an
/// RFC 3339 UTC date-time with `rfc3339`. Offsets count from the current time.
pub fn absolute_time(normalized: &str, rfc3339: bool) -> String {
    let Some(point) = TimePoint::parse(normalized) else {
        return normalized.to_string();
    };
    let epoch = point.epoch(chrono::Utc::now().timestamp());
    if !rfc3339 {
        return epoch.to_string();
    }
    chrono::DateTime::from_timestamp(epoch, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| epoch.to_string())
}

pub fn normalize_time(arg: &str, raw: &str) -> Result<String, ToolError> {
    let v = raw.trim();
    let bad = || {
        ToolError::validation(format!(
            "argument `{arg}`: `{raw}` is not a time; use `now`, a signed offset such as `+2h`, `-30m` or `-7d`, a Unix epoch, or an ISO 8601 date-time"
        ))
    };
    if v.eq_ignore_ascii_case("now") {
        return Ok("now".into());
    }
    if v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty() {
        return Ok(v.to_string());
    }
    if let Some(body) = v.strip_prefix(['+', '-']) {
        let (num, unit) = body.split_at(
            body.find(|c: char| !c.is_ascii_digit())
                .unwrap_or(body.len()),
        );
        if !num.is_empty() && matches!(unit, "s" | "m" | "h" | "d" | "w" | "y") {
            return Ok(v.to_string());
        }
        return Err(bad());
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(dt.timestamp().to_string());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(v, fmt) {
            return Ok(naive.and_utc().timestamp().to_string());
        }
    }
    if let Ok(date) = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return date
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc().timestamp().to_string())
            .ok_or_else(bad);
    }
    if v.chars().next().is_some_and(|c| c.is_ascii_digit())
        && v.chars().any(|c| c.is_ascii_alphabetic())
    {
        return Err(ToolError::validation(format!(
            "argument `{arg}`: `{raw}` has no sign; write `+{v}` for a time in the future or `-{v}` for the past"
        )));
    }
    Err(bad())
}

/// A comma list with items trimmed and empty items dropped.
pub fn normalize_csv(raw: &str) -> String {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn offsets_count_from_the_base_time() {
        assert_eq!(
            time_after("end_time", "+30m", "start_time", "now").ok(),
            Some("+30m".into())
        );
        assert_eq!(
            time_after("end_time", "+30m", "start_time", "+1h").ok(),
            Some("+90m".into())
        );
        assert_eq!(
            time_after("end_time", "+45s", "start_time", "-30s").ok(),
            Some("+15s".into())
        );
        assert_eq!(
            time_after("end_time", "+30m", "start_time", "4102444800").ok(),
            Some("4102446600".into())
        );
        // An absolute end is kept, but must follow the start.
        assert_eq!(
            time_after("end_time", "4102448400", "start_time", "4102444800").ok(),
            Some("4102448400".into())
        );
        let err = time_after("end_time", "4102444800", "start_time", "4102448400")
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(
            err.contains("`end_time`") && err.contains("start_time"),
            "{err}"
        );
        assert!(time_after("end_time", "-10m", "start_time", "now").is_err());
    }

    fn args(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn renders_and_skips_absent() {
        let a = args(json!({"host": "web 1", "n": 30, "empty": ""}));
        let id = |s: &str| s.to_string();
        assert_eq!(
            render("/hosts/{host}", &a, &id).as_deref(),
            Some("/hosts/web 1")
        );
        assert_eq!(render("+{n}m", &a, &id).as_deref(), Some("+30m"));
        assert_eq!(render("{missing}", &a, &id), None);
        assert_eq!(render("{empty}", &a, &id), None);
        assert_eq!(placeholders("/a/{x}/b/{y}"), vec!["x", "y"]);
    }

    #[test]
    fn times() {
        assert_eq!(normalize_time("t", "now").ok().as_deref(), Some("now"));
        assert_eq!(normalize_time("t", "+2h").ok().as_deref(), Some("+2h"));
        assert_eq!(normalize_time("t", "-7d").ok().as_deref(), Some("-7d"));
        assert_eq!(
            normalize_time("t", "1700000000").ok().as_deref(),
            Some("1700000000")
        );
        assert_eq!(
            normalize_time("t", "2024-01-01T00:00:00Z").ok().as_deref(),
            Some("1704067200")
        );
        assert_eq!(
            normalize_time("t", "2024-01-01 01:00:00").ok().as_deref(),
            Some("1704070800")
        );
        let err = normalize_time("end_time", "2h").expect_err("unsigned");
        assert!(
            err.message.contains("end_time") && err.message.contains("+2h"),
            "{}",
            err.message
        );
        assert!(normalize_time("t", "tomorrow-ish").is_err());
    }

    #[test]
    fn csv() {
        assert_eq!(normalize_csv(" a, ,b ,"), "a,b");
    }
}
