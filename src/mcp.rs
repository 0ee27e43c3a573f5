//! The MCP surface: an rmcp `ServerHandler` whose tools, resources and prompts are built at
//! start-up from the catalog.
//!
//! This layer speaks protocol only: it lists what the catalog declares, routes `tools/call` to
//! the engine, turns a [`ToolError`] into an `isError` result with a structured body, serves
//! resources by calling their read tool, and renders prompts. It is also the tool dispatcher
//! where the safety policy (read-only mode, allow- and denylists) is enforced and where every
//! writing call is audited, so no tool can bypass either. It holds no per-client state, so one
//! instance (behind an `Arc`) serves every stdio or HTTP request.

use crate::audit::Audit;
use crate::catalog::{Access, PromptDef, ResourceDef, ToolDef};
use crate::engine::{Answer, CallContext, Engine, Progress, call_writes};
use crate::error::{ErrorCode, StartupError, ToolError};
use crate::policy::{Policy, PolicyNames};
use crate::settings::BackendSettings;
use crate::uri_template;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, GetPromptRequestParams,
    GetPromptResponse, GetPromptResult, Implementation, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ProgressNotificationParam, Prompt, PromptArgument, PromptMessage, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, Resource, ResourceContents, ResourceTemplate, Role,
    ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The gateway as an MCP server. Cheap to clone.
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

/// One backend instance and how the gateway exposes it.
pub struct Instance {
    name: String,
    engine: Engine,
    policy: Policy,
    policy_names: PolicyNames,
    audit: Audit,
    /// Catalog tool name → listed name, when the instance has a prefix.
    renames: HashMap<String, String>,
}

impl Instance {
    /// The instance's name (the backend's name when there is only one).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Text of the catalog with tool names as clients see them.
    fn renamed(&self, text: &str) -> String {
        rename_words(text, &self.renames)
    }
}

/// What [`Gateway::new`] is built from: one entry per backend instance.
pub struct InstanceParts {
    /// Instance name; the backend's name when the gateway serves one backend.
    pub name: String,
    /// Put before the instance's tool and prompt names; its resource URIs then become
    /// `<scheme>+<name>://…`.
    pub prefix: String,
    pub engine: Engine,
    pub settings: BackendSettings,
}

struct Inner {
    instances: Vec<Instance>,
    tools: Vec<Tool>,
    /// Listed tool name → (instance, catalog tool name).
    routes: HashMap<String, (usize, String)>,
    /// Resources as listed (URIs of prefixed instances rewritten), with their instance.
    resources: Vec<(usize, ResourceDef)>,
    /// Prompts as listed (prefixed names, renamed tool names in the text).
    prompts: Vec<(usize, PromptDef)>,
    info: ServerConfig,
}

impl Gateway {
    /// Builds the gateway over its instances. Fails when two instances would list the same
    /// tool, prompt or resource.
    pub fn new(parts: Vec<InstanceParts>) -> Result<Self, StartupError> {
        let mut instances = Vec::new();
        let mut tools = Vec::new();
        let mut routes: HashMap<String, (usize, String)> = HashMap::new();
        let mut owners: Vec<(String, usize)> = Vec::new();
        let mut resources = Vec::new();
        let mut prompts = Vec::new();
        for (index, part) in parts.into_iter().enumerate() {
            let InstanceParts {
                name,
                prefix,
                engine,
                settings,
            } = part;
            let mut policy = settings.policy;
            policy.prefix = prefix.clone();
            let catalog_names: Vec<&str> = engine.tools().map(|t| t.def.name.as_str()).collect();
            let exposed_names: Vec<String> =
                catalog_names.iter().map(|n| policy.exposed(n)).collect();
            let mut all_names: Vec<&str> = catalog_names.clone();
            all_names.extend(exposed_names.iter().map(String::as_str));
            for (setting, patterns) in [
                (&settings.policy_names.enabled, &policy.enabled),
                (&settings.policy_names.disabled, &policy.disabled),
            ] {
                if let Some(p) = patterns {
                    for unmatched in p.unmatched(&all_names) {
                        tracing::warn!(instance = %name, setting = %setting, pattern = unmatched, "this tool pattern matches no tool");
                    }
                }
            }
            let renames: HashMap<String, String> = if prefix.is_empty() {
                HashMap::new()
            } else {
                catalog_names
                    .iter()
                    .map(|n| (n.to_string(), policy.exposed(n)))
                    .collect()
            };
            for t in engine.tools().filter(|t| policy.visible(&t.def)) {
                let listed = policy.exposed(&t.def.name);
                if !crate::catalog::valid_tool_name(&listed) {
                    return Err(StartupError::Config(format!(
                        "instance `{name}`: prefix `{prefix}` makes `{listed}`, which is not a valid tool name (at most 128 characters)"
                    )));
                }
                let mut tool = mcp_tool(&t.def, policy.read_only);
                tool.name = listed.clone().into();
                tool.description = tool.description.map(|d| rename_words(&d, &renames).into());
                routes.insert(listed.clone(), (index, t.def.name.clone()));
                owners.push((listed, index));
                tools.push(tool);
            }
            let scheme_rewrite = |uri: &str| -> String {
                if prefix.is_empty() {
                    return uri.to_string();
                }
                match uri.split_once("://") {
                    Some((scheme, rest)) => format!("{scheme}+{name}://{rest}"),
                    None => format!("{name}+{uri}"),
                }
            };
            for r in &engine.catalog().resources {
                let mut r = r.clone();
                r.uri = scheme_rewrite(&r.uri);
                r.description = r.description.map(|d| rename_words(&d, &renames));
                resources.push((index, r));
            }
            for p in &engine.catalog().prompts {
                let mut p = p.clone();
                p.name = policy.exposed(&p.name);
                p.template = rename_words(&p.template, &renames);
                p.description = rename_words(&p.description, &renames);
                prompts.push((index, p));
            }
            let audit = Audit::new(settings.audit);
            tracing::info!(
                instance = %name,
                backend = %engine.catalog().backend,
                prefix = %prefix,
                read_only = policy.read_only,
                enabled_tools = %policy.enabled.as_ref().map(|p| p.as_list()).unwrap_or_else(|| "all".into()),
                disabled_tools = %policy.disabled.as_ref().map(|p| p.as_list()).unwrap_or_else(|| "none".into()),
                listed = routes.values().filter(|(i, _)| *i == index).count(),
                audit = %audit.describe(),
                "policy"
            );
            instances.push(Instance {
                name,
                engine,
                policy,
                policy_names: settings.policy_names,
                audit,
                renames,
            });
        }
        check_collisions(&instances, &owners, &resources, &prompts)?;
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_prompts()
            .build();
        let info = ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("lookout", env!("CARGO_PKG_VERSION")))
            .with_instructions(gateway_instructions(&instances));
        Ok(Gateway {
            inner: Arc::new(Inner {
                instances,
                tools,
                routes,
                resources,
                prompts,
                info,
            }),
        })
    }

    /// The backend instances, in listing order.
    pub fn instances(&self) -> &[Instance] {
        &self.inner.instances
    }

    /// The one upstream of a gateway that forwards each client's own key, if that is what
    /// it does (one instance, key passthrough on).
    pub fn sole_passthrough(&self) -> Option<&crate::upstream::Upstream> {
        match self.inner.instances.as_slice() {
            [only] if only.engine.upstream().passthrough() => Some(only.engine.upstream()),
            _ => None,
        }
    }

    /// A resource served by a tool is listed only while the tool is.
    fn resource_visible(&self, index: usize, r: &ResourceDef) -> bool {
        let instance = &self.inner.instances[index];
        r.tool.as_ref().is_none_or(|name| {
            instance
                .engine
                .tool(name)
                .is_some_and(|t| instance.policy.visible(&t.def))
        })
    }

    /// With key passthrough, the upstream keys the client's HTTP request carries.
    fn client_keys(
        &self,
        instance: &Instance,
        context: &RequestContext<RoleServer>,
    ) -> Option<Arc<crate::upstream::ClientKeys>> {
        let upstream = instance.engine.upstream();
        if !upstream.passthrough() {
            return None;
        }
        let parts = context.extensions.get::<http::request::Parts>()?;
        Some(Arc::new(upstream.client_keys(&parts.headers)))
    }

    /// Whether calling the listed tool `name` with `args` would write (false for unknown tools).
    pub fn call_writes(&self, name: &str, args: &Map<String, Value>) -> bool {
        self.inner
            .routes
            .get(name)
            .and_then(|(i, catalog_name)| self.inner.instances[*i].engine.tool(catalog_name))
            .is_some_and(|t| call_writes(&t.def, args))
    }

    /// The tools as `tools/list` shows them.
    pub fn tool_list(&self) -> &[Tool] {
        &self.inner.tools
    }

    /// The instance serving the listed tool `name`, and the tool's catalog definition.
    pub fn route(&self, name: &str) -> Option<(&Instance, &ToolDef)> {
        let (index, catalog_name) = self.inner.routes.get(name)?;
        let instance = &self.inner.instances[*index];
        let tool = instance.engine.tool(catalog_name)?;
        Some((instance, &tool.def))
    }

    /// Serves a call of the catalog tool `name` of one instance.
    async fn serve_tool(
        &self,
        instance: &Instance,
        name: &str,
        args: Option<Map<String, Value>>,
        ctx: &CallContext,
    ) -> Result<Answer, ToolError> {
        let engine = &instance.engine;
        let tool = engine.tool(name).ok_or_else(|| {
            ToolError::new(ErrorCode::ValidationError, format!("unknown tool `{name}`"))
                .with_hint("Call tools/list to see the available tools.")
        })?;
        let given = args.clone().unwrap_or_default();
        let writes = call_writes(&tool.def, &given);
        let started = std::time::Instant::now();
        let refusal = instance
            .policy
            .check(&tool.def, writes, &instance.policy_names);
        let outcome = match refusal {
            Err(e) => Err(e),
            Ok(()) => engine.call(tool, args, ctx).await,
        };
        if writes {
            // Refused before anything was sent: by the policy or by argument validation.
            let refused = outcome.as_ref().err().is_some_and(|e| {
                matches!(
                    e.code,
                    ErrorCode::ReadOnly | ErrorCode::ToolDisabled | ErrorCode::ValidationError
                )
            });
            audit(
                instance,
                ctx.caller.as_deref(),
                &tool.def,
                &given,
                outcome.as_ref().map(|_| ()),
                refused,
                started,
            );
        }
        outcome.map_err(|mut e| {
            if !instance.renames.is_empty() {
                e.message = instance.renamed(&e.message);
                e.hint = e.hint.map(|h| instance.renamed(&h));
            }
            e
        })
    }
}

/// The authenticated HTTP client of a request, if the transport recorded one.
fn caller(context: &RequestContext<RoleServer>) -> Option<String> {
    let parts = context.extensions.get::<http::request::Parts>()?;
    parts
        .extensions
        .get::<crate::audit::Caller>()
        .map(|c| c.0.clone())
}

fn audit(
    instance: &Instance,
    caller: Option<&str>,
    def: &ToolDef,
    args: &Map<String, Value>,
    result: Result<(), &ToolError>,
    refused: bool,
    started: std::time::Instant,
) {
    let engine = &instance.engine;
    let upstream = engine.upstream();
    let target = engine
        .catalog()
        .audit_target
        .iter()
        .find_map(|t| crate::template::render(t, args, &|s: &str| s.to_string()));
    let backend = &engine.catalog().backend;
    instance.audit.record(
        backend,
        (instance.name != *backend).then_some(instance.name.as_str()),
        &instance.policy.exposed(&def.name),
        upstream.user(),
        caller,
        args,
        target,
        result,
        refused,
        started.elapsed(),
        &|s: &str| upstream.scrub(s),
    );
}

/// Refuses a configuration where two instances list the same tool, prompt or resource, and
/// says how to fix it.
fn check_collisions(
    instances: &[Instance],
    tools: &[(String, usize)],
    resources: &[(usize, ResourceDef)],
    prompts: &[(usize, PromptDef)],
) -> Result<(), StartupError> {
    let describe = |i: usize| {
        let inst = &instances[i];
        let backend = &inst.engine.catalog().backend;
        if inst.name == *backend {
            format!("`{}`", inst.name)
        } else {
            format!("`{}` ({backend})", inst.name)
        }
    };
    let clashes = |items: Vec<(&str, usize)>| -> Vec<(String, usize, usize)> {
        let mut first: HashMap<&str, usize> = HashMap::new();
        let mut out = Vec::new();
        for (name, i) in items {
            match first.get(name) {
                Some(&j) if j != i => out.push((name.to_string(), j, i)),
                Some(_) => {}
                None => {
                    first.insert(name, i);
                }
            }
        }
        out
    };
    let tool_clashes = clashes(tools.iter().map(|(n, i)| (n.as_str(), *i)).collect());
    if let Some((_, a, b)) = tool_clashes.first() {
        let names: Vec<String> = tool_clashes
            .iter()
            .filter(|(_, x, y)| x == a && y == b)
            .map(|(n, _, _)| format!("`{n}`"))
            .collect();
        let shown = if names.len() > 6 {
            format!("{} and {} more", names[..6].join(", "), names.len() - 6)
        } else {
            names.join(", ")
        };
        let suggestion = format!("{}_", instances[*b].name.replace('-', "_"));
        return Err(StartupError::Config(format!(
            "tool name collision: instances {} and {} both list {shown}. Give one of them a tool-name prefix in the configuration file (`prefix: {suggestion}` on {}), or leave the tools out of one with `disabled_tools`",
            describe(*a),
            describe(*b),
            describe(*b),
        )));
    }
    let prompt_clashes = clashes(prompts.iter().map(|(i, p)| (p.name.as_str(), *i)).collect());
    if let Some((name, a, b)) = prompt_clashes.first() {
        return Err(StartupError::Config(format!(
            "prompt name collision: instances {} and {} both have the prompt `{name}`. Give one of them a `prefix` in the configuration file",
            describe(*a),
            describe(*b)
        )));
    }
    let uri_clashes = clashes(
        resources
            .iter()
            .map(|(i, r)| (r.uri.as_str(), *i))
            .collect(),
    );
    if let Some((uri, a, b)) = uri_clashes.first() {
        return Err(StartupError::Config(format!(
            "resource collision: instances {} and {} both serve `{uri}`. Give one of them a `prefix` in the configuration file (its resource URIs then start with `<scheme>+<instance>://`)",
            describe(*a),
            describe(*b)
        )));
    }
    Ok(())
}

/// Replaces whole words of `text` found in `renames` (tool names in descriptions, prompts,
/// instructions and error hints of a prefixed instance).
fn rename_words(text: &str, renames: &HashMap<String, String>) -> String {
    if renames.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut word = String::new();
    let flush = |out: &mut String, word: &mut String| {
        match renames.get(word.as_str()) {
            Some(renamed) => out.push_str(renamed),
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut out, &mut word);
            out.push(c);
        }
    }
    flush(&mut out, &mut word);
    out
}

/// The MCP definition of a catalog tool, with annotations derived from its nature. In
/// read-only mode a `by_method` tool can only read, and says so.
pub fn mcp_tool(def: &ToolDef, read_only: bool) -> Tool {
    let schema = def.input_schema.as_object().cloned().unwrap_or_default();
    let read = def.access == Access::Read || (read_only && def.access == Access::ByMethod);
    // A by_method tool that can only read is not destructive, whatever it would be otherwise.
    let overrides = !(read_only && def.access == Access::ByMethod);
    let destructive = def.annotations.destructive.filter(|_| overrides);
    let idempotent = def.annotations.idempotent.filter(|_| overrides);
    let mut annotations = ToolAnnotations::new()
        .read_only(read)
        .destructive(destructive.unwrap_or(!read))
        .idempotent(idempotent.unwrap_or(read))
        .open_world(def.annotations.open_world.unwrap_or(true));
    // The title also goes into the annotations, where clients of 2025-03-26 look for it.
    annotations.title = def.title.clone();
    let mut tool = Tool::new(def.name.clone(), def.description.clone(), Arc::new(schema))
        .with_annotations(annotations);
    if let Some(title) = &def.title {
        tool = tool.with_title(title.clone());
    }
    tool
}

/// The initialize `instructions`: one backend's, or a section per instance.
fn gateway_instructions(instances: &[Instance]) -> String {
    match instances {
        [only] => only.renamed(&instructions(&only.engine, &only.policy)),
        many => {
            let mut text = format!(
                "lookout gateway for {} monitoring backends. Each section below says which tools reach which backend.\n",
                many.len()
            );
            for inst in many {
                let prefix = if inst.policy.prefix.is_empty() {
                    String::new()
                } else {
                    format!(", tools prefixed `{}`", inst.policy.prefix)
                };
                text.push_str(&format!("\n## Instance `{}`{prefix}\n", inst.name));
                text.push_str(&inst.renamed(&instructions(&inst.engine, &inst.policy)));
            }
            text
        }
    }
}

/// One backend's part of the `instructions`, generated from its catalog and policy.
fn instructions(engine: &Engine, policy: &Policy) -> String {
    let c = engine.catalog();
    let visible = || engine.tools().filter(|t| policy.visible(&t.def));
    let reads: Vec<&str> = visible()
        .filter(|t| t.def.access == Access::Read)
        .map(|t| t.def.name.as_str())
        .collect();
    let writes: Vec<&str> = visible()
        .filter(|t| t.def.access == Access::Write)
        .map(|t| t.def.name.as_str())
        .collect();
    let hatches: Vec<&str> = visible()
        .filter(|t| t.def.access == Access::ByMethod)
        .map(|t| t.def.name.as_str())
        .collect();
    let mut text = format!(
        "lookout gateway for {} at {}. {}\n\n",
        c.title,
        engine.upstream().base_url(),
        c.description.trim()
    );
    text.push_str(&format!(
        "Read tools ({}): {}.\n",
        reads.len(),
        summarise(&reads)
    ));
    if policy.read_only {
        text.push_str("This gateway is in read-only mode: no tool changes monitoring state, and write calls are refused with READ_ONLY.\n");
    } else if writes.is_empty() {
        text.push_str("No write tools are enabled on this gateway.\n");
    } else {
        text.push_str(&format!(
            "Write tools ({}) change monitoring state; confirm with the user before calling them: {}.\n",
            writes.len(),
            summarise(&writes)
        ));
    }
    if !hatches.is_empty() {
        text.push_str(&format!(
            "Escape hatches for what the other tools do not cover ({}): {}. {}\n",
            hatches.len(),
            hatches.join(", "),
            if policy.read_only {
                "Only GET and HEAD are allowed here."
            } else {
                "GET and HEAD read; other methods write, so confirm with the user first."
            }
        ));
    }
    // The paging argument is `offset` unless the catalog's lists name it otherwise (`skip`).
    let mut paging: Vec<&str> = Vec::new();
    for t in visible() {
        let lists = t
            .def
            .request
            .iter()
            .chain(t.def.routes.iter().map(|r| &r.request))
            .filter_map(|r| r.list.as_ref());
        for list in lists {
            if !paging.contains(&list.offset_arg.as_str()) {
                paging.push(list.offset_arg.as_str());
            }
        }
    }
    let arg = match paging.as_slice() {
        [one] => *one,
        _ => "offset",
    };
    text.push_str(&format!(
        "List tools return {{rows, returned, {arg}, next_{arg}}}: when next_{arg} is present, call again with {arg}=next_{arg} for more. \
         Failed calls return isError with {{code, message, hint}}.\n",
    ));
    if let Some(extra) = &c.instructions {
        text.push('\n');
        text.push_str(extra.trim());
        text.push('\n');
    }
    text
}

/// Tool names for the instructions. A long list (generated tools) is summarised by name
/// prefix (`list_* (29)`), since `tools/list` already names every tool.
fn summarise(names: &[&str]) -> String {
    const LONG: usize = 24;
    if names.len() <= LONG {
        return names.join(", ");
    }
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for name in names {
        let prefix = name.split('_').next().unwrap_or(name);
        match groups.iter_mut().find(|(p, _)| *p == prefix) {
            Some((_, members)) => members.push(name),
            None => groups.push((prefix, vec![name])),
        }
    }
    groups
        .iter()
        .map(|(prefix, members)| match members.as_slice() {
            [one] => one.to_string(),
            _ => format!("{prefix}_* ({})", members.len()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn error_result(e: &ToolError) -> CallToolResult {
    let mut result = CallToolResult::error(vec![ContentBlock::text(e.to_text())]);
    result.structured_content = serde_json::to_value(e).ok();
    result
}

/// A tool's answer as a result: `structuredContent` (an object, so a bare value goes under
/// `result`) and its JSON as text, reusing the text the budget check made when it can.
fn success_result(answer: Answer) -> CallToolResult {
    let (value, text) = match answer.value {
        Value::Object(o) => (Value::Object(o), answer.text),
        other => {
            let value = serde_json::json!({ "result": other });
            let text = serde_json::to_string(&value).unwrap_or_default();
            (value, text)
        }
    };
    let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
    result.structured_content = Some(value);
    result
}

fn resource_def<'a>(
    defs: &'a [(usize, ResourceDef)],
    uri: &str,
) -> Option<(usize, &'a ResourceDef, Map<String, Value>)> {
    for (index, def) in defs {
        if uri_template::is_template(&def.uri) {
            if let Some(vars) = uri_template::matches(&def.uri, uri) {
                // Template variables are arguments too (a `request` resource reads them in its path).
                let mut args: Map<String, Value> = if def.request.is_some() {
                    vars.iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect()
                } else {
                    Map::new()
                };
                for (k, v) in &def.arguments {
                    let filled = match v.as_str() {
                        Some(t) => Value::String(
                            crate::template::render(
                                t,
                                &vars
                                    .iter()
                                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                                    .collect(),
                                &|s: &str| s.to_string(),
                            )
                            .unwrap_or_default(),
                        ),
                        None => v.clone(),
                    };
                    args.insert(k.clone(), filled);
                }
                return Some((*index, def, args));
            }
        } else if def.uri == uri {
            return Some((*index, def, def.arguments.clone()));
        }
    }
    None
}

fn render_prompt(def: &PromptDef, args: Option<Map<String, Value>>) -> Result<String, ErrorData> {
    let given = args.unwrap_or_default();
    let mut ctx = Map::new();
    for a in &def.arguments {
        let value = given
            .get(&a.name)
            .and_then(crate::template::value_text)
            .filter(|s| !s.trim().is_empty());
        match (value, &a.default) {
            (Some(v), _) => {
                ctx.insert(a.name.clone(), Value::String(v));
            }
            (None, Some(d)) => {
                ctx.insert(a.name.clone(), Value::String(d.clone()));
            }
            (None, None) if a.required => {
                return Err(ErrorData::invalid_params(
                    format!("prompt `{}` needs the argument `{}`", def.name, a.name),
                    None,
                ));
            }
            (None, None) => {}
        }
    }
    if let Some(unknown) = given
        .keys()
        .find(|k| !def.arguments.iter().any(|a| &a.name == *k))
    {
        return Err(ErrorData::invalid_params(
            format!("prompt `{}` has no argument `{unknown}`", def.name),
            None,
        ));
    }
    let env = minijinja::Environment::new();
    env.render_str(&def.template, Value::Object(ctx))
        .map_err(|e| ErrorData::internal_error(format!("prompt `{}`: {e}", def.name), None))
}

impl ServerHandler for Gateway {
    fn get_info(&self) -> ServerConfig {
        self.inner.info.clone()
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        // Only listed tools: rmcp uses this to decide whether a call is for a known tool.
        self.inner.tools.iter().find(|t| t.name == name).cloned()
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.inner.tools.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.to_string();
        let Some((index, catalog_name)) = self.inner.routes.get(&name).cloned().or_else(|| {
            // A tool hidden by the policy is still known, so the refusal can say why.
            self.inner
                .instances
                .iter()
                .enumerate()
                .find_map(|(i, inst)| {
                    inst.engine
                        .tools()
                        .find(|t| inst.policy.exposed(&t.def.name) == name)
                        .map(|t| (i, t.def.name.clone()))
                })
        }) else {
            return Err(ErrorData::invalid_params(
                format!("unknown tool `{name}`; call tools/list to see the available tools"),
                None,
            ));
        };
        let instance = &self.inner.instances[index];
        let mut ctx = CallContext {
            cancel: context.ct.clone(),
            progress: None,
            keys: self.client_keys(instance, &context),
            caller: caller(&context),
        };
        let forwarder = context.meta.get_progress_token().map(|token| {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
            ctx.progress = Some(tx);
            let peer = context.peer.clone();
            tokio::spawn(async move {
                while let Some(p) = rx.recv().await {
                    let mut param = ProgressNotificationParam::new(token.clone(), p.progress)
                        .with_message(p.message);
                    if let Some(total) = p.total {
                        param = param.with_total(total);
                    }
                    if peer.notify_progress(param).await.is_err() {
                        break;
                    }
                }
            })
        });
        let started = std::time::Instant::now();
        let client = ctx.caller.clone();
        let outcome = self
            .serve_tool(instance, &catalog_name, request.arguments, &ctx)
            .await;
        drop(ctx);
        if let Some(f) = forwarder {
            // Let queued progress go out before the result.
            let _ = f.await;
        }
        let elapsed = started.elapsed();
        let ms = elapsed.as_millis() as u64;
        let code = match &outcome {
            Ok(_) => "ok",
            Err(e) => e.code.as_str(),
        };
        crate::metrics::metrics().tool_call(&name, code, client.as_deref(), elapsed);
        Ok(match outcome {
            Ok(value) => {
                tracing::info!(tool = %name, ms, "tool call ok");
                success_result(value)
            }
            Err(e) => {
                tracing::info!(tool = %name, ms, code = %e.code, status = ?e.upstream_status, "tool call failed");
                error_result(&e)
            }
        }
        .into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let items = self
            .inner
            .resources
            .iter()
            .filter(|(i, r)| self.resource_visible(*i, r) && !uri_template::is_template(&r.uri))
            .map(|(_, r)| {
                let mut res =
                    Resource::new(r.uri.clone(), r.name.clone()).with_mime_type("application/json");
                if let Some(d) = &r.description {
                    res = res.with_description(d.clone());
                }
                if let Some(t) = &r.title {
                    res = res.with_title(t.clone());
                }
                res
            })
            .collect();
        Ok(ListResourcesResult::with_all_items(items))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        let items = self
            .inner
            .resources
            .iter()
            .filter(|(i, r)| self.resource_visible(*i, r) && uri_template::is_template(&r.uri))
            .map(|(_, r)| {
                let mut t = ResourceTemplate::new(r.uri.clone(), r.name.clone())
                    .with_mime_type("application/json");
                if let Some(d) = &r.description {
                    t = t.with_description(d.clone());
                }
                if let Some(title) = &r.title {
                    t = t.with_title(title.clone());
                }
                t
            })
            .collect();
        Ok(ListResourceTemplatesResult::with_all_items(items))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri.to_string();
        let Some((index, def, args)) = resource_def(&self.inner.resources, &uri) else {
            return Err(ErrorData::resource_not_found(
                format!("no resource `{uri}`; see resources/list and resources/templates/list"),
                None,
            ));
        };
        let instance = &self.inner.instances[index];
        let ctx = CallContext {
            cancel: context.ct.clone(),
            progress: None,
            keys: self.client_keys(instance, &context),
            caller: caller(&context),
        };
        let outcome = match (&def.tool, &def.request) {
            (Some(tool), _) => self
                .serve_tool(instance, tool, Some(args), &ctx)
                .await
                .map(|answer| answer.value),
            (None, Some(req)) => instance.engine.resource_request(req, &args, &ctx).await,
            (None, None) => Err(ToolError::new(
                ErrorCode::Internal,
                "resource has no tool or request",
            )),
        };
        match outcome {
            Ok(value) => {
                let text = serde_json::to_string_pretty(&value).unwrap_or_default();
                Ok(ReadResourceResult::new(vec![
                    ResourceContents::text(text, uri).with_mime_type("application/json"),
                ])
                .into())
            }
            Err(e) if e.code == ErrorCode::NotFound => {
                Err(ErrorData::resource_not_found(e.to_text(), None))
            }
            Err(e) if e.code == ErrorCode::ValidationError => {
                Err(ErrorData::invalid_params(e.to_text(), None))
            }
            Err(e) => Err(ErrorData::internal_error(
                e.to_text(),
                serde_json::to_value(&e).ok(),
            )),
        }
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        let items = self
            .inner
            .prompts
            .iter()
            .map(|(_, p)| {
                let args = p
                    .arguments
                    .iter()
                    .map(|a| {
                        PromptArgument::new(a.name.clone())
                            .with_description(a.description.clone())
                            .with_required(a.required)
                    })
                    .collect();
                let mut prompt =
                    Prompt::new(p.name.clone(), Some(p.description.clone()), Some(args));
                if let Some(t) = &p.title {
                    prompt = prompt.with_title(t.clone());
                }
                prompt
            })
            .collect();
        Ok(ListPromptsResult::with_all_items(items))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let Some((_, def)) = self
            .inner
            .prompts
            .iter()
            .find(|(_, p)| p.name == request.name)
        else {
            return Err(ErrorData::invalid_params(
                format!("unknown prompt `{}`; see prompts/list", request.name),
                None,
            ));
        };
        let text = render_prompt(def, request.arguments)?;
        let mut result = GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]);
        result.description = Some(def.description.clone());
        Ok(result.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text_of(result: &CallToolResult) -> Value {
        let text = result.content[0].as_text().map(|t| t.text.clone());
        serde_json::from_str(&text.unwrap_or_default()).unwrap_or(Value::Null)
    }

    #[test]
    fn success_results_carry_the_same_json_twice() {
        let value = json!({"rows": [{"name": "web-01"}], "returned": 1});
        let text = serde_json::to_string(&value).unwrap_or_default();
        let result = success_result(Answer {
            value: value.clone(),
            text,
        });
        assert_eq!(result.structured_content.as_ref(), Some(&value));
        assert_eq!(text_of(&result), value);

        // A bare value goes under `result`, in both copies.
        let result = success_result(Answer {
            value: json!([1, 2]),
            text: "[1,2]".into(),
        });
        let wrapped = json!({"result": [1, 2]});
        assert_eq!(result.structured_content.as_ref(), Some(&wrapped));
        assert_eq!(text_of(&result), wrapped);
    }
}
