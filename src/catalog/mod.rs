//! Catalogs: loading, parsing and start-up validation.
//!
//! The catalogs under `catalog/<backend>/catalog.yaml` are embedded in the binary at build time;
//! `--catalog FILE` adds one or replaces the embedded catalog of the same backend. A catalog is
//! parsed once into the typed structs of [`model`] and checked here, before any client is
//! served, so a mistake is reported with the file, the key and the problem instead of surfacing
//! as a strange tool call later.

pub mod generate;
pub mod model;

use crate::error::StartupError;
use crate::template;
pub use model::*;
use std::collections::HashSet;

/// Catalogs compiled into the binary: (backend, file name as shown in errors, YAML text).
const EMBEDDED: &[(&str, &str, &str)] = &[
    (
        "thruk",
        "catalog/thruk/catalog.yaml",
        include_str!("../../catalog/thruk/catalog.yaml"),
    ),
    (
        "oneuptime",
        "catalog/oneuptime/catalog.yaml",
        include_str!("../../catalog/oneuptime/catalog.yaml"),
    ),
    (
        "maintenant",
        "catalog/maintenant/catalog.yaml",
        include_str!("../../catalog/maintenant/catalog.yaml"),
    ),
];

/// A parsed, validated catalog and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedCatalog {
    pub source: String,
    pub catalog: Catalog,
}

/// The embedded catalogs plus `extra` files; a file replaces the embedded catalog of the same
/// backend. With `wanted`, only the embedded catalogs of those backends are read (parsing
/// the others is most of a start-up's work); files are always read.
pub fn load_all(
    extra: &[std::path::PathBuf],
    wanted: Option<&[&str]>,
) -> Result<Vec<LoadedCatalog>, StartupError> {
    let mut out: Vec<LoadedCatalog> = Vec::new();
    for (name, file, text) in EMBEDDED {
        if wanted.is_some_and(|w| !w.contains(name)) {
            continue;
        }
        // The embedded catalogs' schemas are known to compile (a unit test checks them); the
        // engine compiles those of the backend it serves. Compiling all of them here took
        // most of the start-up time.
        out.push(parse_checked(file, text, false)?);
    }
    for path in extra {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| StartupError::Io {
            path: shown.clone(),
            source,
        })?;
        let loaded = parse(&shown, &text)?;
        out.retain(|c| c.catalog.backend != loaded.catalog.backend);
        out.push(loaded);
    }
    Ok(out)
}

/// Names of the embedded backends.
pub fn embedded_backends() -> Vec<&'static str> {
    EMBEDDED.iter().map(|(name, _, _)| *name).collect()
}

/// Parses and validates one catalog. YAML merge keys (`<<: *anchor`) are applied first.
pub fn parse(source: &str, text: &str) -> Result<LoadedCatalog, StartupError> {
    parse_checked(source, text, true)
}

/// [`parse`], compiling each tool's input schema only when `compile_schemas` is set.
fn parse_checked(
    source: &str,
    text: &str,
    compile_schemas: bool,
) -> Result<LoadedCatalog, StartupError> {
    let located = |e: serde_path_to_error::Error<serde_yaml_ng::Error>| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let location = inner
            .location()
            .map(|l| format!(" (line {}, column {})", l.line(), l.column()))
            .unwrap_or_default();
        StartupError::catalog(source, format!("key `{path}`{location}: {inner}"))
    };
    let mut catalog: Catalog = if text.contains("<<:") {
        // Merging needs the whole document as a value, which loses line numbers; the key
        // path in errors remains.
        let mut value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text)
            .map_err(|e| StartupError::catalog(source, e.to_string()))?;
        value
            .apply_merge()
            .map_err(|e| StartupError::catalog(source, format!("YAML merge key: {e}")))?;
        serde_path_to_error::deserialize(value).map_err(located)?
    } else {
        let de = serde_yaml_ng::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(located)?
    };
    generate::expand_templates(&mut catalog)
        .map_err(|(key, msg)| StartupError::catalog(source, format!("key `{key}`: {msg}")))?;
    validate(&catalog, compile_schemas)
        .map_err(|(key, msg)| StartupError::catalog(source, format!("key `{key}`: {msg}")))?;
    Ok(LoadedCatalog {
        source: source.to_string(),
        catalog,
    })
}

/// The JSON Schema of the catalog format.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Catalog)).unwrap_or_default()
}

type Invalid = (String, String);

fn validate(c: &Catalog, compile_schemas: bool) -> Result<(), Invalid> {
    if c.backend.is_empty()
        || !c
            .backend
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
    {
        return Err((
            "backend".into(),
            "must be a non-empty name of letters, digits, `_` or `-`".into(),
        ));
    }
    for (i, rule) in c.errors.iter().enumerate() {
        let key = format!("errors[{i}]");
        if crate::error::ErrorCode::parse(&rule.code).is_none() {
            return Err((
                format!("{key}.code"),
                format!("unknown error code `{}`", rule.code),
            ));
        }
        if let Some(p) = &rule.pattern {
            // Syntax only: compiling the automata is left to the first error that needs it.
            regex_syntax::Parser::new()
                .parse(p)
                .map_err(|e| (format!("{key}.match"), e.to_string()))?;
        }
    }
    if let Some(probe) = &c.connection.probe {
        check_request("connection.probe", probe, &HashSet::new(), &HashSet::new())?;
    }
    for (i, rule) in c.cache.iter().enumerate() {
        if !rule.path.starts_with('/') {
            return Err((format!("cache[{i}].path"), "must start with `/`".into()));
        }
    }
    let mut names = HashSet::new();
    for (i, tool) in c.tools.iter().enumerate() {
        let key = format!("tools[{i}]");
        validate_tool(tool, compile_schemas)
            .map_err(|(k, m)| (format!("{key}.{k}"), format!("tool `{}`: {m}", tool.name)))?;
        if !names.insert(tool.name.as_str()) {
            return Err((
                format!("{key}.name"),
                format!("duplicate tool name `{}`", tool.name),
            ));
        }
    }
    let mut resource_uris = HashSet::new();
    for (i, r) in c.resources.iter().enumerate() {
        let key = format!("resources[{i}]");
        if !resource_uris.insert(r.uri.as_str()) {
            return Err((
                format!("{key}.uri"),
                format!("duplicate resource `{}`", r.uri),
            ));
        }
        match (&r.tool, &r.request) {
            (Some(name), None) => {
                let Some(tool) = c.tools.iter().find(|t| &t.name == name) else {
                    return Err((format!("{key}.tool"), format!("no tool named `{name}`")));
                };
                if tool.access != Access::Read {
                    return Err((
                        format!("{key}.tool"),
                        format!("`{name}` writes; a resource may only read"),
                    ));
                }
            }
            (None, Some(req)) => {
                if req.method != HttpMethod::Get || req.body.is_some() {
                    return Err((
                        format!("{key}.request"),
                        "a resource may only send a GET without a body".into(),
                    ));
                }
                let vars = crate::uri_template::variables(&r.uri)
                    .map_err(|m| (format!("{key}.uri"), m))?;
                for name in template::placeholders(&req.path) {
                    if !vars.contains(&name) && !r.arguments.contains_key(&name) {
                        return Err((
                            format!("{key}.request.path"),
                            format!("`{{{name}}}` is not a variable of `{}`", r.uri),
                        ));
                    }
                }
            }
            _ => {
                return Err((
                    key.clone(),
                    "give exactly one of `tool` or `request`".into(),
                ));
            }
        }
        let vars = crate::uri_template::variables(&r.uri).map_err(|m| (format!("{key}.uri"), m))?;
        for (arg, v) in &r.arguments {
            if let Some(s) = v.as_str() {
                for name in template::placeholders(s) {
                    if !vars.contains(&name) {
                        return Err((
                            format!("{key}.arguments.{arg}"),
                            format!("`{{{name}}}` is not a variable of `{}`", r.uri),
                        ));
                    }
                }
            }
        }
    }
    let mut prompt_names = HashSet::new();
    for (i, p) in c.prompts.iter().enumerate() {
        let key = format!("prompts[{i}]");
        if !prompt_names.insert(p.name.as_str()) {
            return Err((
                format!("{key}.name"),
                format!("duplicate prompt `{}`", p.name),
            ));
        }
        let env = minijinja::Environment::new();
        let tmpl = env
            .template_from_str(&p.template)
            .map_err(|e| (format!("{key}.template"), e.to_string()))?;
        let declared: HashSet<&str> = p.arguments.iter().map(|a| a.name.as_str()).collect();
        for var in tmpl.undeclared_variables(false) {
            if !declared.contains(var.as_str()) {
                return Err((
                    format!("{key}.template"),
                    format!("uses `{var}`, which is not one of its arguments"),
                ));
            }
        }
    }
    Ok(())
}

/// Tool names: 1–128 characters of `[A-Za-z0-9_.-]` (the MCP rule).
pub fn valid_tool_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn validate_tool(t: &ToolDef, compile_schema: bool) -> Result<(), Invalid> {
    if !valid_tool_name(&t.name) {
        return Err((
            "name".into(),
            "names are 1–128 characters of letters, digits, `_`, `.` or `-`".into(),
        ));
    }
    if t.description.trim().is_empty() {
        return Err(("description".into(), "must not be empty".into()));
    }
    let Some(schema) = t.input_schema.as_object() else {
        return Err(("input_schema".into(), "must be an object schema".into()));
    };
    if schema.get("type").and_then(|v| v.as_str()) != Some("object") {
        return Err(("input_schema.type".into(), "must be `object`".into()));
    }
    if compile_schema {
        jsonschema::validator_for(&t.input_schema)
            .map_err(|e| ("input_schema".into(), format!("invalid JSON Schema: {e}")))?;
    }
    let props: HashSet<String> = schema
        .get("properties")
        .and_then(|p| p.as_object())
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    if t.access == Access::ByMethod && !props.contains("method") {
        return Err((
            "access".into(),
            "`by_method` needs a `method` argument in the input schema".into(),
        ));
    }
    let shapes = [
        t.request.is_some(),
        !t.routes.is_empty(),
        !t.combine.is_empty(),
        !t.steps.is_empty(),
        t.builtin.is_some(),
    ];
    if shapes.iter().filter(|b| **b).count() != 1 {
        return Err((
            "request".into(),
            "give exactly one of `request`, `routes`, `combine`, `steps` or `builtin`".into(),
        ));
    }
    // Arguments bound by earlier steps count as arguments of later ones.
    let mut bound: HashSet<String> = HashSet::new();
    for (i, step) in t.steps.iter().enumerate() {
        let key = format!("steps[{i}]");
        check_request(&key, &step.request, &props, &bound)?;
        if step.access == Some(Access::ByMethod) {
            return Err((
                format!("{key}.access"),
                "a step is `read` or `write`".into(),
            ));
        }
        for (name, pointer) in &step.bind {
            if !pointer.is_empty() && !pointer.starts_with('/') {
                return Err((
                    format!("{key}.bind.{name}"),
                    "a JSON pointer starts with `/`".into(),
                ));
            }
            bound.insert(name.clone());
        }
    }
    let none = HashSet::new();
    if let Some(r) = &t.request {
        check_request("request", r, &props, &none)?;
    }
    for (i, route) in t.routes.iter().enumerate() {
        check_request(&format!("routes[{i}]"), &route.request, &props, &none)?;
        for c in &route.when {
            if !props.contains(&c.arg) {
                return Err((
                    format!("routes[{i}].when"),
                    format!("`{}` is not an argument", c.arg),
                ));
            }
        }
    }
    for (k, r) in &t.combine {
        check_request(&format!("combine.{k}"), r, &props, &none)?;
    }
    Ok(())
}

/// Checks a request's placeholders and value specs against the tool's arguments (and the
/// arguments bound by earlier steps).
fn check_request(
    key: &str,
    r: &RequestDef,
    props: &HashSet<String>,
    bound: &HashSet<String>,
) -> Result<(), Invalid> {
    if !r.path.starts_with('/') {
        return Err((format!("{key}.path"), "must start with `/`".into()));
    }
    let known = |name: &str| name.starts_with('$') || props.contains(name) || bound.contains(name);
    for name in template::placeholders(&r.path) {
        if !known(&name) {
            return Err((
                format!("{key}.path"),
                format!("`{{{name}}}` is not an argument"),
            ));
        }
    }
    let fields = r.query.iter().map(|(k, v)| (format!("{key}.query.{k}"), v));
    let body = r.body.iter().flat_map(|b| {
        b.fields
            .iter()
            .map(|(k, v)| (format!("{key}.body.fields.{k}"), v))
    });
    let form = r
        .body
        .as_ref()
        .is_some_and(|b| b.encoding == BodyEncoding::Form);
    for (fkey, spec) in fields.chain(body) {
        if let ValueSpec::Mapped(m) = spec {
            let timed = matches!(
                m.format,
                Some(ValueFormat::Time | ValueFormat::Epoch | ValueFormat::Rfc3339)
            );
            if m.offset_from.is_some() && !timed {
                return Err((
                    fkey,
                    "`offset_from` needs `format: time`, `epoch` or `rfc3339`".into(),
                ));
            }
            let structured = m.json || m.format == Some(ValueFormat::FieldSet);
            if structured && (form || fkey.contains(".query.")) {
                return Err((
                    fkey,
                    "`json` and `format: field_set` are for JSON bodies only".into(),
                ));
            }
        }
        for name in spec_args(spec) {
            if !known(&name) {
                return Err((fkey, format!("`{name}` is not an argument")));
            }
        }
    }
    if let Some(list) = &r.list {
        let lkey = format!("{key}.list");
        if list.flatten.is_some() && list.rows_field.is_none() {
            return Err((
                format!("{lkey}.flatten"),
                "needs `rows_field`: the key holding the groups".into(),
            ));
        }
        if list.paging == Paging::Gateway && list.limit_before_sort {
            return Err((
                format!("{lkey}.limit_before_sort"),
                "means nothing with `paging: gateway`".into(),
            ));
        }
        if let Some(cursor) = &list.cursor
            && !known(&cursor.arg)
        {
            return Err((
                format!("{lkey}.cursor.arg"),
                format!("`{}` is not an argument", cursor.arg),
            ));
        }
        if list.paging == Paging::Gateway && list.cursor.is_some() {
            return Err((
                format!("{lkey}.cursor"),
                "cursor paging is the upstream's; it cannot go with `paging: gateway`".into(),
            ));
        }
    }
    Ok(())
}

/// Every argument a value spec reads.
fn spec_args(spec: &ValueSpec) -> Vec<String> {
    match spec {
        ValueSpec::Template(s) => template::placeholders(s),
        ValueSpec::FirstOf(list) => list
            .iter()
            .flat_map(|s| template::placeholders(s))
            .collect(),
        ValueSpec::Mapped(m) => {
            let mut v: Vec<String> = m.arg.iter().chain(&m.offset_from).cloned().collect();
            if let Some(t) = &m.value {
                v.extend(template::placeholders(t));
            }
            v.extend(m.when.iter().map(|c| c.arg.clone()));
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogs_are_valid() {
        let all = load_all(&[], None).expect("embedded catalogs load");
        let one = load_all(&[], Some(&["maintenant"])).expect("one catalog");
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].catalog.backend, "maintenant");
        assert!(all.iter().any(|c| c.catalog.backend == "thruk"));
        // load_all skips compiling their schemas; the full check passes too.
        for (_, file, text) in EMBEDDED {
            parse(file, text).expect("every input schema compiles");
        }
        let oneuptime = all
            .iter()
            .find(|c| c.catalog.backend == "oneuptime")
            .expect("oneuptime catalog");
        // 22 database resources × 6 + 7 telemetry resources × 2 + 7 workflow tools.
        assert_eq!(oneuptime.catalog.tools.len(), 22 * 6 + 7 * 2 + 7);
    }

    #[test]
    fn errors_name_file_and_key() {
        let text = "backend: x\ntitle: X\ndescription: d\nconnection:\n  base_url: {env: X_URL}\ntools:\n  - name: bad name\n    description: d\n    access: read\n    input_schema: {type: object}\n    request: {method: GET, path: /a}\n";
        let err = parse("my.yaml", text)
            .expect_err("invalid name")
            .to_string();
        assert!(
            err.contains("my.yaml") && err.contains("tools[0].name"),
            "{err}"
        );
        let text = text
            .replace("bad name", "ok")
            .replace("access: read", "access: sometimes");
        let err = parse("my.yaml", &text).expect_err("bad enum").to_string();
        assert!(err.contains("tools[0].access"), "{err}");
        let text = text
            .replace("sometimes", "read")
            .replace("path: /a", "path: \"/a/{nope}\"");
        let err = parse("my.yaml", &text)
            .expect_err("unknown placeholder")
            .to_string();
        assert!(
            err.contains("tools[0].request.path") && err.contains("nope"),
            "{err}"
        );
    }

    #[test]
    fn new_keys_are_checked() {
        let base = "backend: x\ntitle: X\ndescription: d\nconnection:\n  base_url: {env: X_URL}\n";
        let by_method = format!(
            "{base}tools:\n  - name: q\n    description: d\n    access: by_method\n    input_schema: {{type: object, properties: {{path: {{type: string}}}}}}\n    builtin: raw_query\n"
        );
        let err = parse("c.yaml", &by_method)
            .expect_err("no method")
            .to_string();
        assert!(
            err.contains("tools[0].access") && err.contains("method"),
            "{err}"
        );
        let offset = format!(
            "{base}tools:\n  - name: w\n    description: d\n    access: write\n    input_schema: {{type: object, properties: {{a: {{type: string}}, b: {{type: string}}}}}}\n    request:\n      method: POST\n      path: /w\n      body: {{encoding: form, fields: {{end: {{arg: b, offset_from: a}}}}}}\n"
        );
        let err = parse("c.yaml", &offset)
            .expect_err("offset_from without time")
            .to_string();
        assert!(
            err.contains("body.fields.end") && err.contains("format: time"),
            "{err}"
        );
        let cache = format!(
            "{base}cache:\n  - {{path: stats, ttl_secs: 5}}\ntools:\n  - name: r\n    description: d\n    access: read\n    input_schema: {{type: object}}\n    request: {{method: GET, path: /r}}\n"
        );
        let err = parse("c.yaml", &cache)
            .expect_err("relative cache path")
            .to_string();
        assert!(err.contains("cache[0].path"), "{err}");
    }
}
