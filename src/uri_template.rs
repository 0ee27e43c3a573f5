//! RFC 6570 level-1 URI templates (`thruk://hosts/{name}`): listing their variables and
//! matching a concrete URI against them. rmcp lists templates but leaves matching to servers.

use std::collections::HashMap;

/// The variables of a template, or why it is not a level-1 template.
pub fn variables(template: &str) -> Result<Vec<String>, String> {
    let mut vars = Vec::new();
    for part in split(template)? {
        if let Part::Var(v) = part {
            if v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!(
                    "`{{{v}}}` is not a simple variable (RFC 6570 level 1)"
                ));
            }
            vars.push(v.to_string());
        }
    }
    Ok(vars)
}

/// Whether the URI has no variables.
pub fn is_template(uri: &str) -> bool {
    uri.contains('{')
}

/// Matches `uri` against `template`; variables match one non-empty path segment (no `/`) and
/// are percent-decoded.
pub fn matches(template: &str, uri: &str) -> Option<HashMap<String, String>> {
    let parts = split(template).ok()?;
    let mut out = HashMap::new();
    let mut rest = uri;
    for (i, part) in parts.iter().enumerate() {
        match part {
            Part::Lit(l) => rest = rest.strip_prefix(l)?,
            Part::Var(name) => {
                let stop = match parts.get(i + 1) {
                    Some(Part::Lit(l)) => rest.find(l.as_str()).unwrap_or(rest.len()),
                    _ => rest.len(),
                };
                let raw = &rest[..stop];
                if raw.is_empty() || raw.contains('/') {
                    return None;
                }
                let value = percent_encoding::percent_decode_str(raw)
                    .decode_utf8()
                    .ok()?
                    .into_owned();
                out.insert(name.to_string(), value);
                rest = &rest[stop..];
            }
        }
    }
    rest.is_empty().then_some(out)
}

enum Part<'a> {
    Lit(String),
    Var(&'a str),
}

fn split(template: &str) -> Result<Vec<Part<'_>>, String> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        if start > 0 {
            parts.push(Part::Lit(rest[..start].to_string()));
        }
        let after = &rest[start + 1..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in `{template}`"))?;
        parts.push(Part::Var(&after[..end]));
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Lit(rest.to_string()));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching() {
        let m = matches(
            "thruk://services/{host}/{service}",
            "thruk://services/web-01/Disk%20%2Fvar",
        );
        let m = m.unwrap_or_default();
        assert_eq!(m.get("host").map(String::as_str), Some("web-01"));
        assert_eq!(m.get("service").map(String::as_str), Some("Disk /var"));
        assert!(matches("thruk://hosts/{name}", "thruk://hosts/").is_none());
        assert!(matches("thruk://hosts/{name}", "thruk://hosts/a/b").is_none());
        assert!(matches("thruk://hosts/{name}", "thruk://hostgroups/a").is_none());
        assert_eq!(variables("x://{a}/{b}").unwrap_or_default(), vec!["a", "b"]);
    }
}
