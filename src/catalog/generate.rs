//! Tool generation: expands a catalog's `generate` entries through its `templates`.
//!
//! A backend whose API has the same operations for many resource types (OneUptime's list,
//! count, get, create, update and delete) writes each operation once, as a template with
//! `${var}` placeholders, and lists the resource types; the tools are generated at load time
//! and then validated like hand-written ones.

use super::{Catalog, ToolDef};
use serde_json::{Map, Value};

type Invalid = (String, String);

/// A name as a tool-name part: `On-Call Policy` → `on_call_policy`, `monitorStatus` →
/// `monitor_status`.
pub fn snake_name(name: &str) -> String {
    let mut out = String::new();
    let mut prev: Option<char> = None;
    for ch in name.chars() {
        if ch.is_ascii_uppercase()
            && prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
        {
            out.push('_');
        }
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push('_');
        }
        prev = Some(ch);
    }
    out.split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// Expands `generate` entries into tools, appended to `tools` in order.
pub fn expand_templates(c: &mut Catalog) -> Result<(), Invalid> {
    let mut generated = Vec::new();
    for (i, g) in c.generate.iter().enumerate() {
        let key = format!("generate[{i}]");
        let Some(t) = c.templates.get(&g.template) else {
            return Err((
                format!("{key}.template"),
                format!("no template named `{}`", g.template),
            ));
        };
        let mut vars = Map::new();
        for (k, v) in [
            ("singular", g.singular.clone()),
            ("plural", g.plural.clone()),
            ("singular_lower", g.singular.to_lowercase()),
            ("plural_lower", g.plural.to_lowercase()),
            ("singular_name", snake_name(&g.singular)),
            ("plural_name", snake_name(&g.plural)),
            ("path", g.path.clone()),
        ] {
            vars.insert(k.to_string(), Value::String(v));
        }
        vars.extend(t.vars.clone());
        for (k, v) in &g.vars {
            if !t.vars.contains_key(k) {
                return Err((
                    format!("{key}.vars.{k}"),
                    format!("`{k}` is not a variable of template `{}`", g.template),
                ));
            }
            vars.insert(k.clone(), v.clone());
        }
        let mut names = Vec::new();
        for (j, raw) in t.tools.iter().enumerate() {
            let tkey = format!("templates.{}.tools[{j}]", g.template);
            let value = substitute(raw, &vars).map_err(|m| {
                (
                    tkey.clone(),
                    format!("{m} (expanding {key}, {})", g.singular),
                )
            })?;
            let def: ToolDef = serde_path_to_error::deserialize(value).map_err(|e| {
                let path = e.path().to_string();
                (
                    format!("{tkey}.{path}"),
                    format!("{} (expanding {key}, {})", e.into_inner(), g.singular),
                )
            })?;
            names.push(def.name.clone());
            if !g.skip.contains(&def.name) {
                generated.push(def);
            }
        }
        if let Some(unknown) = g.skip.iter().find(|s| !names.contains(s)) {
            return Err((
                format!("{key}.skip"),
                format!("template `{}` generates no tool `{unknown}`", g.template),
            ));
        }
    }
    c.tools.extend(generated);
    Ok(())
}

/// Fills `${var}` placeholders in every string of a JSON value. A string that is exactly one
/// placeholder takes the variable's JSON value.
pub fn substitute(value: &Value, vars: &Map<String, Value>) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) => {
            let whole = s
                .strip_prefix("${")
                .and_then(|r| r.strip_suffix('}'))
                .filter(|name| !name.contains(['$', '{', '}']));
            if let Some(name) = whole {
                return vars
                    .get(name)
                    .cloned()
                    .ok_or_else(|| format!("unknown template variable `${{{name}}}`"));
            }
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(start) = rest.find("${") {
                out.push_str(&rest[..start]);
                let after = &rest[start + 2..];
                let end = after
                    .find('}')
                    .ok_or_else(|| format!("unclosed `${{` in `{s}`"))?;
                let name = &after[..end];
                match vars.get(name) {
                    Some(Value::String(v)) => out.push_str(v),
                    Some(other) => out.push_str(&other.to_string()),
                    None => return Err(format!("unknown template variable `${{{name}}}`")),
                }
                rest = &after[end + 1..];
            }
            out.push_str(rest);
            Value::String(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| substitute(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        // Keys take placeholders too (a sort default `{"${time_field}": "DESC"}`), as text.
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match substitute(&Value::String(k.clone()), vars)? {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    Ok((key, substitute(v, vars)?))
                })
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_follow_oneuptime() {
        assert_eq!(snake_name("On-Call Policy"), "on_call_policy");
        assert_eq!(snake_name("On-Call Duty Policies"), "on_call_duty_policies");
        assert_eq!(snake_name("monitorStatus"), "monitor_status");
        assert_eq!(snake_name("Monitor Status Event"), "monitor_status_event");
        assert_eq!(snake_name("  Log  "), "log");
    }

    #[test]
    fn placeholders() {
        let vars = obj(json!({"name": "monitor", "cols": ["a", "b"], "n": 3}));
        let out = substitute(
            &json!({"x": "list_${name}s", "y": "${cols}", "z": ["${n}", "n=${n}"], "${name}": 1}),
            &vars,
        )
        .expect("substituted");
        assert_eq!(
            out,
            json!({"x": "list_monitors", "y": ["a", "b"], "z": [3, "n=3"], "monitor": 1})
        );
        assert!(substitute(&json!("${nope}"), &vars).is_err());
        assert!(substitute(&json!("a ${name"), &vars).is_err());
        // Path placeholders of the tool format are left alone.
        assert_eq!(
            substitute(&json!("/m/{id}"), &vars).expect("kept"),
            json!("/m/{id}")
        );
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }
}
