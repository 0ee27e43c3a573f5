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
use crate::engine::{CallContext, Engine, Progress, call_writes};
use crate::error::{ErrorCode, ToolError};
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
use std::sync::Arc;

/// The gateway as an MCP server. Cheap to clone.
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    tools: Vec<Tool>,
    info: ServerConfig,
    policy: Policy,
    policy_names: PolicyNames,
    audit: Audit,
}

impl Gateway {
    pub fn new(engine: Engine, settings: BackendSettings) -> Self {
        let policy = settings.policy;
        let names: Vec<&str> = engine.tools().map(|t| t.def.name.as_str()).collect();
        for (setting, patterns) in [
            (&settings.policy_names.enabled, &policy.enabled),
            (&settings.policy_names.disabled, &policy.disabled),
        ] {
            if let Some(p) = patterns {
                for unmatched in p.unmatched(&names) {
                    tracing::warn!(setting = %setting, pattern = unmatched, "this tool pattern matches no tool");
                }
            }
        }
        let tools: Vec<Tool> = engine
            .tools()
            .filter(|t| policy.visible(&t.def))
            .map(|t| mcp_tool(&t.def, policy.read_only))
            .collect();
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_prompts()
            .build();
        let info = ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("lookout", env!("CARGO_PKG_VERSION")))
            .with_instructions(instructions(&engine, &policy));
        let audit = Audit::new(settings.audit);
        tracing::info!(
            read_only = policy.read_only,
            enabled_tools = %policy.enabled.as_ref().map(|p| p.as_list()).unwrap_or_else(|| "all".into()),
            disabled_tools = %policy.disabled.as_ref().map(|p| p.as_list()).unwrap_or_else(|| "none".into()),
            listed = tools.len(),
            audit = %audit.describe(),
            "policy"
        );
        Gateway {
            inner: Arc::new(Inner {
                engine,
                tools,
                info,
                policy,
                policy_names: settings.policy_names,
                audit,
            }),
        }
    }

    /// A resource served by a tool is listed only while the tool is.
    fn resource_visible(&self, r: &ResourceDef) -> bool {
        r.tool.as_ref().is_none_or(|name| {
            self.inner
                .engine
                .tool(name)
                .is_some_and(|t| self.inner.policy.visible(&t.def))
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// With key passthrough, the upstream keys the client's HTTP request carries.
    fn client_keys(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> Option<Arc<crate::upstream::ClientKeys>> {
        let upstream = self.inner.engine.upstream();
        if !upstream.passthrough() {
            return None;
        }
        let parts = context.extensions.get::<http::request::Parts>()?;
        Some(Arc::new(upstream.client_keys(&parts.headers)))
    }

    /// The tools as `tools/list` shows them.
    pub fn tool_list(&self) -> &[Tool] {
        &self.inner.tools
    }

    async fn serve_tool(
        &self,
        name: &str,
        args: Option<Map<String, Value>>,
        ctx: &CallContext,
    ) -> Result<Value, ToolError> {
        let engine = &self.inner.engine;
        let tool = engine.tool(name).ok_or_else(|| {
            ToolError::new(ErrorCode::ValidationError, format!("unknown tool `{name}`"))
                .with_hint("Call tools/list to see the available tools.")
        })?;
        let given = args.clone().unwrap_or_default();
        let writes = call_writes(&tool.def, &given);
        let started = std::time::Instant::now();
        let refusal = self
            .inner
            .policy
            .check(&tool.def, writes, &self.inner.policy_names);
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
            self.audit(
                &tool.def,
                &given,
                outcome.as_ref().map(|_| ()),
                refused,
                started,
            );
        }
        outcome
    }

    fn audit(
        &self,
        def: &ToolDef,
        args: &Map<String, Value>,
        result: Result<(), &ToolError>,
        refused: bool,
        started: std::time::Instant,
    ) {
        let engine = &self.inner.engine;
        let upstream = engine.upstream();
        let target = engine
            .catalog()
            .audit_target
            .iter()
            .find_map(|t| crate::template::render(t, args, &|s: &str| s.to_string()));
        self.inner.audit.record(
            &engine.catalog().backend,
            &def.name,
            upstream.user(),
            args,
            target,
            result,
            refused,
            started.elapsed(),
            &|s: &str| upstream.scrub(s),
        );
    }
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
    let annotations = ToolAnnotations::new()
        .read_only(read)
        .destructive(destructive.unwrap_or(!read))
        .idempotent(idempotent.unwrap_or(read))
        .open_world(def.annotations.open_world.unwrap_or(true));
    let mut tool = Tool::new(def.name.clone(), def.description.clone(), Arc::new(schema))
        .with_annotations(annotations);
    if let Some(title) = &def.title {
        tool = tool.with_title(title.clone());
    }
    tool
}

/// The initialize `instructions`, generated from the configuration.
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

fn success_result(value: Value) -> CallToolResult {
    let value = match value {
        Value::Object(o) => Value::Object(o),
        other => serde_json::json!({ "result": other }),
    };
    let text = serde_json::to_string(&value).unwrap_or_default();
    let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
    result.structured_content = Some(value);
    result
}

fn resource_def<'a>(
    defs: &'a [ResourceDef],
    uri: &str,
) -> Option<(&'a ResourceDef, Map<String, Value>)> {
    for def in defs {
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
                return Some((def, args));
            }
        } else if def.uri == uri {
            return Some((def, def.arguments.clone()));
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
        if self.inner.engine.tool(&name).is_none() {
            return Err(ErrorData::invalid_params(
                format!("unknown tool `{name}`; call tools/list to see the available tools"),
                None,
            ));
        }
        let mut ctx = CallContext {
            cancel: context.ct.clone(),
            progress: None,
            keys: self.client_keys(&context),
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
        let outcome = self.serve_tool(&name, request.arguments, &ctx).await;
        drop(ctx);
        if let Some(f) = forwarder {
            // Let queued progress go out before the result.
            let _ = f.await;
        }
        let ms = started.elapsed().as_millis() as u64;
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
            .engine
            .catalog()
            .resources
            .iter()
            .filter(|r| self.resource_visible(r) && !uri_template::is_template(&r.uri))
            .map(|r| {
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
            .engine
            .catalog()
            .resources
            .iter()
            .filter(|r| self.resource_visible(r) && uri_template::is_template(&r.uri))
            .map(|r| {
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
        let Some((def, args)) = resource_def(&self.inner.engine.catalog().resources, &uri) else {
            return Err(ErrorData::resource_not_found(
                format!("no resource `{uri}`; see resources/list and resources/templates/list"),
                None,
            ));
        };
        let ctx = CallContext {
            cancel: context.ct.clone(),
            progress: None,
            keys: self.client_keys(&context),
        };
        let outcome = match (&def.tool, &def.request) {
            (Some(tool), _) => self.serve_tool(tool, Some(args), &ctx).await,
            (None, Some(req)) => self.inner.engine.resource_request(req, &args, &ctx).await,
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
            .engine
            .catalog()
            .prompts
            .iter()
            .map(|p| {
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
        let Some(def) = self
            .inner
            .engine
            .catalog()
            .prompts
            .iter()
            .find(|p| p.name == request.name)
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
