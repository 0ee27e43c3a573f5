//! What `lookout tools` prints: the tools a configuration exposes (after read-only mode and
//! the allow and deny lists), as a table for people, as JSON for scripts, or in the Docker
//! MCP registry's `tools.json` form, the file that lets the registry list an entry's tools
//! without running the image.

use crate::catalog::Access;
use crate::mcp::Gateway;
use rmcp::model::Tool;
use serde::Serialize;
use serde_json::{Map, Value};

/// How `lookout tools` prints the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One line per tool: name, access, instance (with several), title.
    Table,
    /// The `tools/list` entries, each with its `instance` and `access`.
    Json,
    /// The Docker MCP registry's `tools.json`.
    Docker,
}

/// One listed tool with where it goes.
struct Listed<'a> {
    tool: &'a Tool,
    instance: &'a str,
    access: &'static str,
}

fn listed(gateway: &Gateway) -> Vec<Listed<'_>> {
    gateway
        .tool_list()
        .iter()
        .map(|tool| {
            let (instance, access) = match gateway.route(&tool.name) {
                Some((inst, def)) => (inst.name(), access(def.access, inst.policy().read_only)),
                None => ("", "read"),
            };
            Listed {
                tool,
                instance,
                access,
            }
        })
        .collect()
}

/// What a tool can do as listed: an escape hatch reads or writes by its `method` argument,
/// and only reads in read-only mode.
fn access(access: Access, read_only: bool) -> &'static str {
    match access {
        Access::Read => "read",
        Access::Write => "write",
        Access::ByMethod if read_only => "read",
        Access::ByMethod => "read/write",
    }
}

/// The list in the requested format, ending with a newline.
pub fn render(gateway: &Gateway, format: Format) -> String {
    match format {
        Format::Table => table(gateway),
        Format::Json => json(gateway),
        Format::Docker => docker_tools_json(gateway),
    }
}

fn table(gateway: &Gateway) -> String {
    let rows = listed(gateway);
    let several = gateway.instances().len() > 1;
    let name_width = rows
        .iter()
        .map(|r| r.tool.name.len())
        .max()
        .unwrap_or(0)
        .max("TOOL".len());
    let instance_width = rows
        .iter()
        .map(|r| r.instance.len())
        .max()
        .unwrap_or(0)
        .max("INSTANCE".len());
    let access_width = "read/write".len();
    let line = |name: &str, access: &str, instance: &str, title: &str| -> String {
        let mut l = format!("{name:<name_width$}  {access:<access_width$}  ");
        if several {
            l.push_str(&format!("{instance:<instance_width$}  "));
        }
        l.push_str(title);
        format!("{}\n", l.trim_end())
    };
    let mut out = line("TOOL", "ACCESS", "INSTANCE", "TITLE");
    for r in &rows {
        out.push_str(&line(&r.tool.name, r.access, r.instance, &title(r.tool)));
    }
    out.push_str(&format!(
        "{} tools ({} read, {} write, {} read/write by method)\n",
        rows.len(),
        rows.iter().filter(|r| r.access == "read").count(),
        rows.iter().filter(|r| r.access == "write").count(),
        rows.iter().filter(|r| r.access == "read/write").count(),
    ));
    out
}

/// The tool's title, or else the first sentence of its description.
fn title(tool: &Tool) -> String {
    if let Some(t) = &tool.title {
        return t.clone();
    }
    let description = tool.description.as_deref().unwrap_or_default();
    let first = description.lines().next().unwrap_or_default();
    let sentence = match first.find(". ") {
        Some(end) => &first[..=end],
        None => first,
    };
    shorten(sentence, 80)
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max - 1).collect();
    format!("{}…", kept.trim_end())
}

fn json(gateway: &Gateway) -> String {
    let rows: Vec<Value> = listed(gateway)
        .iter()
        .map(|r| {
            let mut entry = Map::new();
            entry.insert("instance".into(), Value::from(r.instance));
            entry.insert("access".into(), Value::from(r.access));
            if let Ok(Value::Object(tool)) = serde_json::to_value(r.tool) {
                entry.extend(tool);
            }
            Value::Object(entry)
        })
        .collect();
    pretty(&rows)
}

fn pretty<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}

/// One tool of the Docker MCP registry's `tools.json`.
#[derive(Debug, Serialize)]
struct DockerTool {
    name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    arguments: Vec<DockerArgument>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotations: Option<DockerAnnotations>,
}

#[derive(Debug, Serialize)]
struct DockerArgument {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<DockerItems>,
    desc: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    optional: bool,
}

#[derive(Debug, Serialize)]
struct DockerItems {
    #[serde(rename = "type")]
    kind: String,
}

/// Annotations as the registry keeps them: a false hint is left out.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DockerAnnotations {
    #[serde(skip_serializing_if = "String::is_empty")]
    title: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    read_only_hint: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    destructive_hint: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    idempotent_hint: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    open_world_hint: bool,
}

/// The registry's `tools.json`, as its own build step would write it from a live
/// `tools/list`: tools sorted by name; arguments required first, each group sorted by name;
/// a type that is not a single string counts as `string`, and so does an array's item type.
pub fn docker_tools_json(gateway: &Gateway) -> String {
    let mut tools: Vec<&Tool> = gateway.tool_list().iter().collect();
    tools.sort_by(|a, b| a.name.cmp(&b.name));
    let out: Vec<DockerTool> = tools.into_iter().map(docker_tool).collect();
    pretty(&out)
}

fn docker_tool(tool: &Tool) -> DockerTool {
    let schema = &tool.input_schema;
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let empty = Map::new();
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut names: Vec<&String> = properties.keys().collect();
    names.sort_by_key(|n| (!required.contains(&n.as_str()), n.as_str()));
    let string_of = |v: Option<&Value>| -> String {
        v.and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("string")
            .to_string()
    };
    let arguments = names
        .into_iter()
        .map(|name| {
            let property = &properties[name.as_str()];
            let kind = string_of(property.get("type"));
            let items = (kind == "array").then(|| DockerItems {
                kind: string_of(property.get("items").and_then(|i| i.get("type"))),
            });
            DockerArgument {
                name: name.clone(),
                kind,
                items,
                desc: property
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                optional: !required.contains(&name.as_str()),
            }
        })
        .collect();
    let annotations = tool.annotations.as_ref().map(|a| DockerAnnotations {
        title: a.title.clone().unwrap_or_default(),
        read_only_hint: a.read_only_hint.unwrap_or(false),
        destructive_hint: a.destructive_hint.unwrap_or(false),
        idempotent_hint: a.idempotent_hint.unwrap_or(false),
        open_world_hint: a.open_world_hint.unwrap_or(false),
    });
    DockerTool {
        name: tool.name.to_string(),
        description: tool
            .description
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_string(),
        arguments,
        annotations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::ToolAnnotations;
    use std::sync::Arc;

    fn tool(schema: Value) -> Tool {
        let Value::Object(schema) = schema else {
            panic!("schema must be an object");
        };
        let mut annotations = ToolAnnotations::new().read_only(true).destructive(false);
        annotations.title = Some("List things".into());
        Tool::new("list_things", "Lists things.\n\nMore.", Arc::new(schema))
            .with_annotations(annotations)
    }

    #[test]
    fn registry_form_orders_arguments_and_defaults_types() {
        let t = tool(serde_json::json!({
            "type": "object",
            "properties": {
                "zeta": {"type": "integer", "description": "z"},
                "alpha": {"type": ["string", "null"], "description": "a"},
                "tags": {"type": "array", "items": {"type": "integer"}, "description": "t"},
                "ids": {"type": "array", "description": "i"},
                "beta": {"description": "b"}
            },
            "required": ["zeta", "beta"]
        }));
        let d = serde_json::to_value(docker_tool(&t)).expect("serializes");
        let names: Vec<&str> = d["arguments"]
            .as_array()
            .expect("arguments")
            .iter()
            .map(|a| a["name"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(names, ["beta", "zeta", "alpha", "ids", "tags"]);
        assert_eq!(d["arguments"][0]["type"], "string");
        assert!(d["arguments"][0].get("optional").is_none());
        assert_eq!(d["arguments"][1]["type"], "integer");
        assert_eq!(d["arguments"][2]["type"], "string");
        assert_eq!(d["arguments"][2]["optional"], true);
        assert_eq!(d["arguments"][3]["items"]["type"], "string");
        assert_eq!(d["arguments"][4]["items"]["type"], "integer");
        assert_eq!(d["annotations"]["title"], "List things");
        assert_eq!(d["annotations"]["readOnlyHint"], true);
        assert!(d["annotations"].get("destructiveHint").is_none());
        assert_eq!(d["description"], "Lists things.\n\nMore.");
    }

    #[test]
    fn no_arguments_leaves_the_key_out() {
        let t = tool(serde_json::json!({"type": "object", "properties": {}}));
        let d = serde_json::to_value(docker_tool(&t)).expect("serializes");
        assert!(d.get("arguments").is_none());
    }

    #[test]
    fn title_falls_back_to_the_first_sentence() {
        let mut t = tool(serde_json::json!({"type": "object"}));
        t.title = None;
        t.description = Some("List hosts. With filters.\nMore".into());
        assert_eq!(title(&t), "List hosts.");
        t.description = Some("word ".repeat(40).into());
        assert_eq!(title(&t).chars().count(), 80);
        assert!(title(&t).ends_with('…'));
        t.title = Some("Hosts".into());
        assert_eq!(title(&t), "Hosts");
    }
}
