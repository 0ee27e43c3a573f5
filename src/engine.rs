//! The catalog engine: turns a tool call into upstream requests and the answers into results.
//!
//! For every call: look the tool up, validate the arguments against its input schema (before
//! anything is sent), apply the schema's defaults, build the request from the catalog's
//! declarative mapping (or run a built-in), send it through the [`Upstream`] client, and shape
//! the answer (single-object unpacking, list paging, size budget). Nothing here is specific to
//! one backend; backend code lives in [`crate::backends`].

use crate::backends;
use crate::catalog::{
    Access, BodyEncoding, Catalog, Condition, FlattenDef, JoinLinesDef, ListDef, LoadedCatalog,
    OutputDef, Paging, RequestDef, ToolDef, ValueFormat, ValueSpec,
};
use crate::error::{ErrorCode, StartupError, ToolError};
use crate::settings::{self, BackendSettings, Env};
use crate::template;
use crate::upstream::{Body, ClientKeys, Upstream, UpstreamRequest};
use indexmap::IndexMap;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

pub use crate::settings::DEFAULT_RESULT_BUDGET;

/// A successful answer: the value, and the compact JSON text its size was checked on, which
/// is also the text copy of a tool result, so it is serialized once.
#[derive(Debug)]
pub struct Answer {
    pub value: Value,
    pub text: String,
}

/// An [`std::io::Write`] that only counts bytes, to size JSON without building it.
#[derive(Default)]
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The length of `value` as compact JSON.
fn json_len(value: &impl serde::Serialize) -> usize {
    let mut count = ByteCount::default();
    // Writing to a counter cannot fail, and a `Value` always serializes.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// Characters left as-is in a path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Encodes a value as exactly one path segment: `/`, `?`, `#`, spaces and `%` are escaped.
pub fn encode_segment(s: &str) -> String {
    let encoded = utf8_percent_encode(s, SEGMENT).to_string();
    // `.` and `..` are legal unreserved text but would move the path; escape them whole.
    match encoded.as_str() {
        "." => "%2E".into(),
        ".." => "%2E%2E".into(),
        _ => encoded,
    }
}

/// A progress report from a long-running tool.
#[derive(Debug, Clone)]
pub struct Progress {
    pub progress: f64,
    pub total: Option<f64>,
    pub message: String,
}

/// Per-call context: cancellation, an optional progress channel, and the client's own
/// upstream keys when key passthrough is on.
#[derive(Clone, Default)]
pub struct CallContext {
    pub cancel: CancellationToken,
    pub progress: Option<UnboundedSender<Progress>>,
    pub keys: Option<Arc<ClientKeys>>,
    /// The authenticated HTTP client, for audit lines.
    pub caller: Option<String>,
}

impl CallContext {
    /// The client's keys, if any.
    pub fn keys(&self) -> Option<&ClientKeys> {
        self.keys.as_deref()
    }

    pub fn report(&self, progress: f64, total: Option<f64>, message: impl Into<String>) {
        if let Some(tx) = &self.progress {
            let _ = tx.send(Progress {
                progress,
                total,
                message: message.into(),
            });
        }
    }
}

/// A tool ready to serve: its definition and its argument validator, compiled at the tool's
/// first call. (Compiling every validator, and the meta-schema they are checked against, was
/// most of a start-up; catalog files are checked when they are read, and the embedded
/// catalogs by a unit test.)
pub struct CompiledTool {
    pub def: ToolDef,
    validator: std::sync::OnceLock<Result<jsonschema::Validator, String>>,
}

impl CompiledTool {
    fn new(def: ToolDef) -> Self {
        CompiledTool {
            def,
            validator: std::sync::OnceLock::new(),
        }
    }

    fn validator(&self) -> Result<&jsonschema::Validator, ToolError> {
        self.validator
            .get_or_init(|| {
                // Formats (`uuid`, `date-time`) are checked too, so a catalog can say
                // `format: uuid` instead of spelling a pattern out in every schema clients
                // download.
                jsonschema::options()
                    .should_validate_formats(true)
                    .build(&self.def.input_schema)
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| {
                ToolError::new(
                    ErrorCode::Internal,
                    format!(
                        "the input schema of `{}` does not compile: {e}",
                        self.def.name
                    ),
                )
            })
    }
}

/// How a list answer is paged and trimmed.
#[derive(Debug, Clone)]
struct ListPlan {
    limit: u64,
    offset: u64,
    /// The upstream got no limit/offset: page the (sorted) rows here.
    client_paging: bool,
    /// Columns added only so the upstream can sort; removed from the rows.
    strip: Vec<String>,
    /// The offset argument's name, used for `offset` / `next_offset` in the answer.
    offset_key: String,
    /// Gateway paging: sort keys (`-` for descending) applied here before paging.
    local_sort: Vec<String>,
    /// Gateway paging: the columns kept in each row (dotted names reach into objects).
    project: Option<Vec<String>>,
    /// Cursor paging: the tool argument and the row key giving the next cursor.
    cursor: Option<(String, String)>,
}

impl ListPlan {
    /// Every row the upstream sent, within the size budget.
    fn unbounded() -> Self {
        ListPlan {
            limit: u64::MAX,
            offset: 0,
            client_paging: true,
            strip: Vec::new(),
            offset_key: "offset".into(),
            local_sort: Vec::new(),
            project: None,
            cursor: None,
        }
    }
}

/// What an upstream list envelope says besides its rows.
#[derive(Debug, Clone, Default)]
struct ListMeta {
    /// Total matches (a lower bound when `more` is known).
    total: Option<u64>,
    /// The upstream says more rows follow.
    more: Option<bool>,
    /// Envelope keys kept in the answer (`keep`).
    kept: Map<String, Value>,
}

/// One backend instance: its catalog, client and compiled tools.
pub struct Engine {
    catalog: Catalog,
    source: String,
    upstream: Upstream,
    tools: IndexMap<String, Arc<CompiledTool>>,
    scope_default: Option<String>,
    budget: usize,
}

impl Engine {
    /// Builds the engine for a catalog. Never contacts the backend.
    pub fn new(
        loaded: &LoadedCatalog,
        env: &Env,
        settings: &BackendSettings,
    ) -> Result<Self, StartupError> {
        let catalog = loaded.catalog.clone();
        let upstream = Upstream::new(
            &catalog.backend,
            &catalog.connection,
            &catalog.errors,
            env,
            &settings.tuning,
            settings.key_passthrough,
        )?;
        let mut tools = IndexMap::new();
        for (i, def) in catalog.tools.iter().enumerate() {
            if let Some(b) = &def.builtin
                && b != "raw_query"
                && !backends::has_builtin(&catalog.backend, b)
            {
                return Err(StartupError::catalog(
                    &loaded.source,
                    format!(
                        "key `tools[{i}].builtin`: backend `{}` has no built-in `{b}`",
                        catalog.backend
                    ),
                ));
            }
            tools.insert(def.name.clone(), Arc::new(CompiledTool::new(def.clone())));
        }
        let scope_default = catalog
            .connection
            .scope
            .as_ref()
            .and_then(|s| env.resolve(&s.default))
            .map(|v| template::normalize_csv(&settings::as_text(&v)))
            .filter(|s| !s.is_empty());
        let budget = settings.result_budget;
        Ok(Engine {
            catalog,
            source: loaded.source.clone(),
            upstream,
            tools,
            scope_default,
            budget,
        })
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }

    pub fn tools(&self) -> impl Iterator<Item = &Arc<CompiledTool>> {
        self.tools.values()
    }

    pub fn tool(&self, name: &str) -> Option<&Arc<CompiledTool>> {
        self.tools.get(name)
    }

    /// Serves one tool call. The caller has already checked that the tool exists and may run.
    pub async fn call(
        &self,
        tool: &CompiledTool,
        args: Option<Map<String, Value>>,
        ctx: &CallContext,
    ) -> Result<Answer, ToolError> {
        let args = self.prepare_args(tool, args)?;
        let def = &tool.def;
        let access = if call_writes(def, &args) {
            Access::Write
        } else {
            Access::Read
        };
        let ttl = def.cache_ttl_secs;
        let work = async {
            if let Some(builtin) = &def.builtin {
                return match builtin.as_str() {
                    "raw_query" => {
                        let req = self.raw_request(&args)?;
                        let value = self.upstream.send(&req, ctx.keys()).await?;
                        Ok(self.shape_raw(self.unwrap_values(value)))
                    }
                    other => {
                        backends::call_builtin(&self.catalog.backend, other, self, &args, ctx).await
                    }
                };
            }
            if !def.combine.is_empty() {
                let args = &args;
                let parts = def.combine.iter().map(|(key, r)| async move {
                    let budget = self.budget / def.combine.len().max(1);
                    Ok::<_, ToolError>((
                        key.clone(),
                        self.run_request(r, access, args, budget, None, ttl, ctx)
                            .await?,
                    ))
                });
                let results = futures::future::try_join_all(parts).await?;
                return Ok(Value::Object(results.into_iter().collect()));
            }
            if !def.steps.is_empty() {
                return self.run_steps(def, access, args.clone(), ctx).await;
            }
            let request = match &def.request {
                Some(r) => r,
                None => def
                    .routes
                    .iter()
                    .find(|route| route.when.iter().all(|c| condition_holds(c, &args)))
                    .map(|route| &route.request)
                    .ok_or_else(|| {
                        ToolError::validation(
                            "these arguments match none of this tool's forms; see its description",
                        )
                    })?,
            };
            let value = self
                .run_request(
                    request,
                    access,
                    &args,
                    self.budget,
                    def.output.single.as_deref(),
                    ttl,
                    ctx,
                )
                .await?;
            finish(&def.output, value, &args, self.budget)
        };
        tokio::select! {
            result = work => result.and_then(|v| self.within_budget(v)).map_err(|e| self.scrubbed(e, ctx)),
            _ = ctx.cancel.cancelled() => Err(ToolError::new(ErrorCode::Internal, "the call was cancelled by the client")),
        }
    }

    /// Serves a resource declared with its own GET request.
    pub async fn resource_request(
        &self,
        def: &RequestDef,
        args: &Map<String, Value>,
        ctx: &CallContext,
    ) -> Result<Value, ToolError> {
        let mut args = args.clone();
        let scope_arg = self
            .catalog
            .connection
            .scope
            .as_ref()
            .map(|s| json!({ s.arg.clone(): {} }));
        self.apply_scope_default(scope_arg.as_ref(), &mut args);
        tokio::select! {
            result = self.run_request(def, Access::Read, &args, self.budget, None, None, ctx) => result.and_then(|v| self.within_budget(v)).map(|a| a.value).map_err(|e| self.scrubbed(e, ctx)),
            _ = ctx.cancel.cancelled() => Err(ToolError::new(ErrorCode::Internal, "the read was cancelled by the client")),
        }
    }

    /// The last guard of the result budget: an answer that is still too big after list
    /// shaping (one huge object or row) is refused rather than flooding the assistant.
    fn within_budget(&self, value: Value) -> Result<Answer, ToolError> {
        let text = serde_json::to_string(&value).unwrap_or_default();
        let size = text.len();
        // List envelopes may pass the budget by their few bytes of bookkeeping.
        if size <= self.budget + 256 {
            return Ok(Answer { value, text });
        }
        Err(ToolError::new(
            ErrorCode::ResponseTooLarge,
            format!(
                "the answer is {size} bytes, over this gateway's result budget of {} bytes",
                self.budget
            ),
        )
        .with_hint("Ask for fewer columns or a narrower object (for thruk_query, a path with filters and `columns`)."))
    }

    /// The cache lifetime of a read: the tool's own, else an endpoint rule for `path`.
    fn cache_ttl(&self, tool_ttl: Option<u64>, path: &str) -> Option<Duration> {
        tool_ttl
            .or_else(|| {
                self.catalog
                    .cache
                    .iter()
                    .find(|r| r.path == path)
                    .map(|r| r.ttl_secs)
            })
            .filter(|s| *s > 0)
            .map(Duration::from_secs)
    }

    fn scrubbed(&self, mut e: ToolError, ctx: &CallContext) -> ToolError {
        e.message = self.upstream.scrub(&e.message);
        if let Some(keys) = ctx.keys() {
            e.message = keys.scrub(&e.message);
        }
        e
    }

    /// Replaces the upstream's tagged values (`{"_type":…, "value":…}`) by their values.
    fn unwrap_values(&self, value: Value) -> Value {
        match &self.catalog.unwrap {
            Some(u) => unwrap_tagged(value, &u.type_key, &u.value_key),
            None => value,
        }
    }

    /// Runs a `steps` tool: each call in turn, binding values from its answer as arguments
    /// of the next.
    async fn run_steps(
        &self,
        def: &ToolDef,
        access: Access,
        mut args: Map<String, Value>,
        ctx: &CallContext,
    ) -> Result<Value, ToolError> {
        let mut last = Value::Null;
        for step in &def.steps {
            let step_access = step.access.unwrap_or(access);
            let value = self
                .run_request(
                    &step.request,
                    step_access,
                    &args,
                    self.budget,
                    None,
                    def.cache_ttl_secs.filter(|_| step_access == Access::Read),
                    ctx,
                )
                .await?;
            let missing = |what: String| {
                let msg = step
                    .not_found
                    .as_deref()
                    .map(|m| render_text(m, &args))
                    .unwrap_or(what);
                ToolError::new(ErrorCode::NotFound, msg)
                    .with_hint("Check the id, or use a list tool to find it.")
            };
            if step.not_found.is_some() && is_empty(&value) {
                return Err(missing(String::new()));
            }
            let mut bound = Vec::new();
            for (name, pointer) in &step.bind {
                match value.pointer(pointer).filter(|v| !v.is_null()) {
                    Some(v) => bound.push((name.clone(), v.clone())),
                    None => {
                        return Err(missing(format!(
                            "the answer to {} {} has no `{pointer}`",
                            step.request.method.as_str(),
                            step.request.path
                        )));
                    }
                }
            }
            args.extend(bound);
            last = value;
        }
        finish(&def.output, last, &args, self.budget)
    }

    /// Validates the arguments against the input schema and applies its defaults.
    pub fn prepare_args(
        &self,
        tool: &CompiledTool,
        args: Option<Map<String, Value>>,
    ) -> Result<Map<String, Value>, ToolError> {
        let mut args = args.unwrap_or_default();
        let instance = Value::Object(args.clone());
        if let Some(err) = tool.validator()?.iter_errors(&instance).next() {
            let path = err.instance_path().to_string();
            let arg = path
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or_default()
                .to_string();
            let message = if arg.is_empty() {
                format!("invalid arguments for `{}`: {err}", tool.def.name)
            } else {
                format!("argument `{arg}` of `{}`: {err}", tool.def.name)
            };
            return Err(ToolError::validation(message)
                .with_hint("Check the tool's input schema in tools/list."));
        }
        if let Some(props) = tool
            .def
            .input_schema
            .get("properties")
            .and_then(Value::as_object)
        {
            for (name, schema) in props {
                if let Some(default) = schema.get("default")
                    && !args.contains_key(name)
                {
                    args.insert(name.clone(), default.clone());
                }
            }
        }
        self.apply_scope_default(tool.def.input_schema.get("properties"), &mut args);
        Ok(args)
    }

    /// Fills the scope argument (e.g. `backends`) from its configured default when a call that
    /// declares it leaves it out. Tools without the argument (such as the site list itself) are
    /// never scoped.
    fn apply_scope_default(&self, properties: Option<&Value>, args: &mut Map<String, Value>) {
        let (Some(scope), Some(default)) = (&self.catalog.connection.scope, &self.scope_default)
        else {
            return;
        };
        let declared = properties
            .and_then(Value::as_object)
            .is_some_and(|p| p.contains_key(&scope.arg));
        let given = args
            .get(&scope.arg)
            .and_then(template::value_text)
            .is_some_and(|v| !template::normalize_csv(&v).is_empty());
        if declared && !given {
            args.insert(scope.arg.clone(), Value::String(default.clone()));
        }
    }

    /// The site/scope path prefix for a call.
    fn scope_prefix(&self, args: &Map<String, Value>) -> String {
        let Some(scope) = &self.catalog.connection.scope else {
            return String::new();
        };

        let chosen = args
            .get(&scope.arg)
            .and_then(template::value_text)
            .map(|v| template::normalize_csv(&v))
            .filter(|v| !v.is_empty());
        match chosen {
            None => String::new(),
            Some(list) => {
                let encoded: Vec<String> = list.split(',').map(encode_segment).collect();
                scope.path.replace("{value}", &encoded.join(","))
            }
        }
    }

    fn build_request(
        &self,
        def: &RequestDef,
        access: Access,
        args: &Map<String, Value>,
        tool_ttl: Option<u64>,
    ) -> Result<(UpstreamRequest, Option<ListPlan>), ToolError> {
        let path = template::render(&def.path, args, &encode_segment).ok_or_else(|| {
            let missing: Vec<String> = template::placeholders(&def.path)
                .into_iter()
                .filter(|p| !template::is_present(args, p))
                .collect();
            ToolError::validation(format!("missing argument: {}", missing.join(", ")))
        })?;
        let mut query = Vec::new();
        for (name, spec) in &def.query {
            if let Some(v) = resolve_spec(name, spec, args)? {
                query.push((name.clone(), v));
            }
        }
        let plan = def
            .list
            .as_ref()
            .map(|list| list_plan(list, args, &mut query));
        let body = match &def.body {
            None => Body::None,
            Some(b) => {
                let mut pairs = Vec::new();
                for (name, spec) in &b.fields {
                    if let Some(v) = resolve_value(name, spec, args)? {
                        pairs.push((name.clone(), v));
                    }
                }
                match b.encoding {
                    BodyEncoding::Form => Body::Form(
                        pairs
                            .into_iter()
                            .map(|(k, v)| (k, value_as_text(&v)))
                            .collect(),
                    ),
                    BodyEncoding::Json => {
                        let mut object = Map::new();
                        for (k, v) in pairs {
                            insert_dotted(&mut object, &k, v);
                        }
                        Body::Json(Value::Object(object))
                    }
                }
            }
        };
        let req = UpstreamRequest {
            method: def.method,
            cache_ttl: self.cache_ttl(tool_ttl, &path),
            path: format!("{}{}", self.scope_prefix(args), path),
            query,
            body,
            access,
            timeout: None,
        };
        Ok((req, plan))
    }

    #[allow(clippy::too_many_arguments)]
    async fn run_request(
        &self,
        def: &RequestDef,
        access: Access,
        args: &Map<String, Value>,
        budget: usize,
        single: Option<&str>,
        tool_ttl: Option<u64>,
        ctx: &CallContext,
    ) -> Result<Value, ToolError> {
        let (req, plan) = self.build_request(def, access, args, tool_ttl)?;
        let value = self.upstream.send(&req, ctx.keys()).await?;
        let value = self.unwrap_values(value);
        let (value, meta) = match &def.list {
            Some(list) if list.rows_field.is_some() => self.list_envelope(list, value)?,
            _ => (value, ListMeta::default()),
        };
        if let Some(not_found) = single {
            return unpack_single(value, not_found, args);
        }
        match (plan, value) {
            (Some(plan), Value::Array(rows)) => Ok(shape_list(rows, &plan, budget, meta)),
            (None, Value::Array(rows)) => Ok(shape_list(
                rows,
                &ListPlan::unbounded(),
                budget,
                ListMeta::default(),
            )),
            (_, value) => Ok(value),
        }
    }

    /// Takes the rows out of an upstream list envelope (`{"data": [...], "count": N}`).
    fn list_envelope(&self, list: &ListDef, value: Value) -> Result<(Value, ListMeta), ToolError> {
        let Some(field) = &list.rows_field else {
            return Ok((value, ListMeta::default()));
        };
        let Value::Object(mut envelope) = value else {
            return Err(ToolError::new(
                ErrorCode::UpstreamError,
                format!(
                    "{} answered a list request without the `{field}` object it should have",
                    self.catalog.backend
                ),
            ));
        };
        let rows = match envelope.remove(field) {
            Some(Value::Array(rows)) => rows,
            Some(Value::Null) | None => Vec::new(),
            Some(_) => {
                return Err(ToolError::new(
                    ErrorCode::UpstreamError,
                    format!(
                        "{} answered a list whose `{field}` is not a list",
                        self.catalog.backend
                    ),
                ));
            }
        };
        let rows = match &list.flatten {
            None => rows,
            Some(flatten) => flatten_rows(rows, flatten),
        };
        let meta = ListMeta {
            total: list
                .total_field
                .as_ref()
                .and_then(|f| envelope.get(f))
                .and_then(Value::as_u64),
            more: list
                .more_field
                .as_ref()
                .and_then(|f| envelope.get(f))
                .and_then(Value::as_bool),
            kept: list
                .keep
                .iter()
                .filter_map(|k| envelope.get(k).map(|v| (k.clone(), v.clone())))
                .collect(),
        };
        Ok((Value::Array(rows), meta))
    }

    /// Builds the escape hatch's request: any path under the REST root, nothing outside it.
    pub fn raw_request(&self, args: &Map<String, Value>) -> Result<UpstreamRequest, ToolError> {
        let path = args.get("path").and_then(Value::as_str).unwrap_or_default();
        check_raw_path(path)?;
        let method_text = args
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("GET")
            .to_ascii_uppercase();
        let method: crate::catalog::HttpMethod = serde_json::from_value(Value::String(method_text.clone()))
            .map_err(|_| ToolError::validation(format!("argument `method`: `{method_text}` is not one of GET, HEAD, POST, PUT, PATCH, DELETE")))?;
        let access = if matches!(
            method,
            crate::catalog::HttpMethod::Get | crate::catalog::HttpMethod::Head
        ) {
            Access::Read
        } else {
            Access::Write
        };
        let params = object_arg(args, "params", "params_json")?;
        let data = object_arg(args, "data", "data_json")?;
        let mut query = Vec::new();
        for (k, v) in params.unwrap_or_default() {
            match v {
                Value::Array(items) => {
                    for item in items {
                        query.push((k.clone(), scalar_text(&k, &item)?));
                    }
                }
                other => query.push((k.clone(), scalar_text(&k, &other)?)),
            }
        }
        let body = match data {
            None => Body::None,
            Some(_) if access == Access::Read => {
                return Err(ToolError::validation(
                    "argument `data`: a body is only sent with POST, PUT, PATCH or DELETE; use `params` for a GET",
                ));
            }
            Some(map) => Body::Json(Value::Object(map)),
        };
        let full = format!(
            "{}{}{}",
            self.upstream.root(),
            self.scope_prefix(args),
            path
        );
        let url = reqwest::Url::parse(&full).map_err(|e| {
            ToolError::validation(format!("argument `path`: not a valid path: {e}"))
        })?;
        let root = reqwest::Url::parse(self.upstream.root())
            .map_err(|e| ToolError::new(ErrorCode::Internal, e.to_string()))?;
        if url.host_str() != root.host_str()
            || url.port_or_known_default() != root.port_or_known_default()
            || !url.path().starts_with(root.path())
        {
            return Err(path_refused(path, "it leaves the REST root"));
        }
        Ok(UpstreamRequest {
            method,
            cache_ttl: self
                .cache_ttl(None, path)
                .filter(|_| access == Access::Read),
            path: format!("{}{}", self.scope_prefix(args), path),
            query,
            body,
            access,
            timeout: None,
        })
    }

    /// Shapes an escape-hatch answer: lists are budgeted, scalars wrapped in an object.
    pub fn shape_raw(&self, value: Value) -> Value {
        match value {
            Value::Array(rows) => shape_list(
                rows,
                &ListPlan::unbounded(),
                self.budget,
                ListMeta::default(),
            ),
            Value::Object(o) => Value::Object(o),
            other => json!({ "result": other }),
        }
    }

    /// Sends a request with a longer timeout (background queries).
    pub async fn send_with_timeout(
        &self,
        mut req: UpstreamRequest,
        timeout: Duration,
        ctx: &CallContext,
    ) -> Result<Value, ToolError> {
        req.timeout = Some(timeout);
        let value = self.upstream.send(&req, ctx.keys()).await?;
        Ok(self.unwrap_values(value))
    }
}

fn object_arg(
    args: &Map<String, Value>,
    name: &str,
    json_name: &str,
) -> Result<Option<Map<String, Value>>, ToolError> {
    if let Some(v) = args.get(name).filter(|v| !v.is_null()) {
        return v
            .as_object()
            .cloned()
            .map(Some)
            .ok_or_else(|| ToolError::validation(format!("argument `{name}` must be an object")));
    }
    match args
        .get(json_name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Ok(None),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(o)) => Ok(Some(o)),
            Ok(_) => Err(ToolError::validation(format!(
                "argument `{json_name}` must be a JSON object"
            ))),
            Err(e) => Err(ToolError::validation(format!(
                "argument `{json_name}` is not valid JSON: {e}"
            ))),
        },
    }
}

fn scalar_text(key: &str, v: &Value) -> Result<String, ToolError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(if *b { "1".into() } else { "0".into() }),
        _ => Err(ToolError::validation(format!(
            "parameter `{key}` must be a string, number, boolean or a list of them"
        ))),
    }
}

fn path_refused(path: &str, why: &str) -> ToolError {
    ToolError::validation(format!("argument `path`: `{path}` is refused: {why}"))
        .with_hint("Give a path under the REST root such as `/hosts` or `/services/web-01/HTTP`; put query parameters in `params`.")
}

/// Refuses paths that could leave the REST root or smuggle a query.
pub fn check_raw_path(path: &str) -> Result<(), ToolError> {
    if !path.starts_with('/') {
        return Err(path_refused(path, "it must start with `/`"));
    }
    if path.starts_with("//") || path.contains("://") {
        return Err(path_refused(
            path,
            "absolute URLs and other hosts are not allowed",
        ));
    }
    if path
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '\\' | '?' | '#'))
    {
        return Err(path_refused(
            path,
            "it contains a space, a backslash, `?`, `#` or a control character",
        ));
    }
    let lower = path.to_ascii_lowercase();
    if ["%2e", "%2f", "%5c", "%00", "%25"]
        .iter()
        .any(|p| lower.contains(p))
    {
        return Err(path_refused(
            path,
            "encoded dots, slashes, backslashes or percent signs are not allowed",
        ));
    }
    if path.split('/').any(|seg| seg == ".." || seg == ".") {
        return Err(path_refused(path, "`.` and `..` segments are not allowed"));
    }
    Ok(())
}

fn condition_holds(c: &Condition, args: &Map<String, Value>) -> bool {
    if let Some(p) = c.present
        && template::is_present(args, &c.arg) != p
    {
        return false;
    }
    if let Some(expected) = &c.equals {
        let actual = args.get(&c.arg).unwrap_or(&Value::Null);
        let same = actual == expected
            || template::value_text(actual)
                .is_some_and(|a| template::value_text(expected).is_some_and(|e| a == e));
        if !same {
            return false;
        }
    }
    true
}

/// Whether a call of `def` with these arguments changes state: write tools always,
/// `by_method` tools unless their `method` is GET or HEAD.
pub fn call_writes(def: &ToolDef, args: &Map<String, Value>) -> bool {
    match def.access {
        Access::Read => false,
        Access::Write => true,
        Access::ByMethod => !args
            .get("method")
            .and_then(Value::as_str)
            .map(|m| m.trim().to_ascii_uppercase())
            .is_none_or(|m| m == "GET" || m == "HEAD"),
    }
}

fn resolve_spec(
    field: &str,
    spec: &ValueSpec,
    args: &Map<String, Value>,
) -> Result<Option<String>, ToolError> {
    let id = |s: &str| s.to_string();
    match spec {
        ValueSpec::Template(t) => Ok(template::render(t, args, &id)),
        ValueSpec::FirstOf(list) => Ok(list.iter().find_map(|t| template::render(t, args, &id))),
        ValueSpec::Mapped(m) => {
            if !m.when.iter().all(|c| condition_holds(c, args)) {
                return Ok(None);
            }
            let name = m.arg.clone().unwrap_or_else(|| field.to_string());
            let from_value = m
                .value
                .as_deref()
                .and_then(|t| template::render(t, args, &id));
            let from_arg = m
                .arg
                .as_deref()
                .filter(|a| template::is_present(args, a))
                .and_then(|a| args.get(a))
                .and_then(template::value_text);
            let Some(mut raw) = from_value.or(from_arg) else {
                // A default is already the upstream value: it is not mapped or converted.
                return Ok(m.default.clone());
            };
            if !m.map.is_empty() {
                let key = raw.to_ascii_lowercase();
                raw = m
                    .map
                    .get(&key)
                    .or_else(|| m.map.get(&raw))
                    .cloned()
                    .ok_or_else(|| {
                        let allowed: Vec<&str> = m.map.keys().map(String::as_str).collect();
                        ToolError::validation(format!(
                            "argument `{name}`: `{raw}` is not one of {}",
                            allowed.join(", ")
                        ))
                    })?;
            }
            match m.format {
                Some(format @ (ValueFormat::Time | ValueFormat::Epoch | ValueFormat::Rfc3339)) => {
                    let time = template::normalize_time(&name, &raw)?;
                    let base = m
                        .offset_from
                        .as_deref()
                        .and_then(|b| args.get(b).and_then(template::value_text).map(|v| (b, v)));
                    let time = match base {
                        None => time,
                        Some((base_arg, base_raw)) => {
                            let base = template::normalize_time(base_arg, &base_raw)?;
                            template::time_after(&name, &time, base_arg, &base)?
                        }
                    };
                    Ok(Some(match format {
                        ValueFormat::Epoch => template::absolute_time(&time, false),
                        ValueFormat::Rfc3339 => template::absolute_time(&time, true),
                        _ => time,
                    }))
                }
                Some(ValueFormat::Csv) | Some(ValueFormat::FieldSet) => {
                    Ok(Some(template::normalize_csv(&raw)).filter(|s| !s.is_empty()))
                }
                None => Ok(Some(raw)),
            }
        }
    }
}

/// Reads the paging, sorting and column arguments of a list call, adds the matching URL
/// parameters to `query`, and says how the answer is to be paged.
fn list_plan(
    list: &ListDef,
    args: &Map<String, Value>,
    query: &mut Vec<(String, String)>,
) -> ListPlan {
    let limit = args
        .get("limit")
        .and_then(Value::as_i64)
        .unwrap_or(50)
        .clamp(1, list.max_limit.max(1) as i64) as u64;
    let offset = args
        .get(&list.offset_arg)
        .and_then(Value::as_i64)
        .unwrap_or(0)
        .max(0) as u64;
    let sort = list.params.sort.as_ref().and_then(|_| {
        args.get("sort")
            .and_then(Value::as_str)
            .map(template::normalize_csv)
            .filter(|s| !s.is_empty())
            .or_else(|| list.default_sort.clone())
    });
    let mut columns: Option<Vec<String>> = match args.get("columns") {
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(
            template::normalize_csv(s)
                .split(',')
                .map(str::to_string)
                .collect(),
        ),
        _ if list.default_columns.is_empty() => None,
        _ => Some(list.default_columns.clone()),
    };
    let cursor = list
        .cursor
        .as_ref()
        .map(|c| (c.arg.clone(), c.field.clone()));
    if list.paging == Paging::Gateway {
        // The upstream answers everything: sort, page and project here.
        let local_sort = sort
            .map(|s| s.split(',').map(str::to_string).collect())
            .unwrap_or_default();
        return ListPlan {
            limit,
            offset,
            client_paging: true,
            strip: Vec::new(),
            offset_key: list.offset_arg.clone(),
            local_sort,
            project: columns,
            cursor,
        };
    }
    let mut strip = Vec::new();
    if let (Some(cols), Some(sort)) = (columns.as_mut(), sort.as_deref()) {
        // An upstream may ignore a sort on a column it was not asked for.
        for key in sort.split(',') {
            let key = key.trim_start_matches(['-', '+']).to_string();
            if !cols
                .iter()
                .any(|c| c == &key || c.split(':').next() == Some(key.as_str()))
            {
                cols.push(key.clone());
                strip.push(key);
            }
        }
    }
    let client_paging =
        list.limit_before_sort && sort.is_some() && sort.as_deref() != list.natural_sort.as_deref();
    if let (Some(cols), Some(param)) = (&columns, &list.params.columns) {
        query.push((param.clone(), cols.join(",")));
    }
    // An upstream that cannot pick columns (`params.columns: null`) gets them picked here.
    let project = columns.clone().filter(|_| list.params.columns.is_none());
    if let (Some(sort), Some(param)) = (&sort, &list.params.sort) {
        query.push((param.clone(), sort.clone()));
    }
    if !client_paging {
        query.push((list.params.limit.clone(), limit.to_string()));
        if offset > 0 && cursor.is_none() {
            query.push((list.params.offset.clone(), offset.to_string()));
        }
    }
    ListPlan {
        limit,
        offset,
        client_paging,
        strip,
        offset_key: list.offset_arg.clone(),
        local_sort: Vec::new(),
        project,
        cursor,
    }
}

/// Concatenates rows nested in groups, copying the `inherit` keys from each group.
fn flatten_rows(groups: Vec<Value>, flatten: &FlattenDef) -> Vec<Value> {
    let mut rows = Vec::new();
    for group in groups {
        let Value::Object(mut group) = group else {
            continue;
        };
        let Some(Value::Array(members)) = group.remove(&flatten.field) else {
            continue;
        };
        for member in members {
            match member {
                Value::Object(mut row) => {
                    for (key, from) in &flatten.inherit {
                        if let Some(v) = group.get(from) {
                            row.entry(key.clone()).or_insert_with(|| v.clone());
                        }
                    }
                    rows.push(Value::Object(row));
                }
                other => rows.push(other),
            }
        }
    }
    rows
}

/// The value at a dotted name (`config.interval`).
fn dotted<'a>(row: &'a Value, name: &str) -> Option<&'a Value> {
    name.split('.').try_fold(row, |v, key| v.get(key))
}

/// Orders two JSON values for sorting: numbers by value, strings case-insensitively,
/// missing and null last.
fn compare_values(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn present(v: Option<&Value>) -> Option<&Value> {
        v.filter(|v| !v.is_null())
    }
    match (present(a), present(b)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(p), Some(q)) => p.partial_cmp(&q).unwrap_or(Ordering::Equal),
            _ => value_as_text(x)
                .to_lowercase()
                .cmp(&value_as_text(y).to_lowercase()),
        },
    }
}

/// Sorts rows by keys (`name`, `-cpu_percent` for descending), stably.
fn sort_rows(rows: &mut [Value], keys: &[String]) {
    rows.sort_by(|a, b| {
        for key in keys {
            let (desc, name) = match key.strip_prefix('-') {
                Some(k) => (true, k),
                None => (false, key.trim_start_matches('+')),
            };
            let (x, y) = (dotted(a, name), dotted(b, name));
            let missing = |v: Option<&Value>| v.is_none_or(Value::is_null);
            // Missing values go last in either direction.
            let order = match (missing(x), missing(y)) {
                (false, false) if desc => compare_values(x, y).reverse(),
                _ => compare_values(x, y),
            };
            if order != std::cmp::Ordering::Equal {
                return order;
            }
        }
        std::cmp::Ordering::Equal
    });
}

/// Keeps only `columns` of a row; a dotted column keeps that nested value.
fn project_row(row: Value, columns: &[String]) -> Value {
    let Value::Object(_) = &row else {
        return row;
    };
    let mut out = Map::new();
    for column in columns {
        if let Some(v) = dotted(&row, column) {
            insert_dotted(&mut out, column, v.clone());
        }
    }
    Value::Object(out)
}

/// A value's text for a URL parameter or a form field.
fn value_as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Inserts `value` at a dotted name (`data.incidentId`), creating nested objects.
fn insert_dotted(object: &mut Map<String, Value>, name: &str, value: Value) {
    match name.split_once('.') {
        None => {
            object.insert(name.to_string(), value);
        }
        Some((head, rest)) => {
            let entry = object
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(inner) = entry {
                insert_dotted(inner, rest, value);
            }
        }
    }
}

/// Field names as a selection object: `["name", "status.color"]` →
/// `{"name": true, "status": {"color": true}}`; an object is kept as it is.
fn field_set(arg: &str, v: &Value) -> Result<Value, ToolError> {
    let names: Vec<String> = match v {
        Value::Object(_) => return Ok(v.clone()),
        Value::String(s) => template::normalize_csv(s)
            .split(',')
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str().map(|s| s.trim().to_string()).ok_or_else(|| {
                    ToolError::validation(format!("argument `{arg}`: field names are strings"))
                })
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(ToolError::validation(format!(
                "argument `{arg}`: give a list of field names"
            )));
        }
    };
    let mut out = Map::new();
    for name in names.iter().filter(|n| !n.is_empty()) {
        let mut node = &mut out;
        let parts: Vec<&str> = name.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            if part.is_empty() {
                return Err(ToolError::validation(format!(
                    "argument `{arg}`: `{name}` is not a field name"
                )));
            }
            if i + 1 == parts.len() {
                // A whole relation asked for alongside some of its fields: the fields win.
                node.entry(part.to_string()).or_insert(Value::Bool(true));
            } else {
                let entry = node
                    .entry(part.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !entry.is_object() {
                    *entry = Value::Object(Map::new());
                }
                let Value::Object(inner) = entry else {
                    break;
                };
                node = inner;
            }
        }
    }
    Ok(Value::Object(out))
}

/// Resolves a field to a JSON value: structured for `json`, `literal` and `field_set`
/// fields, text otherwise.
fn resolve_value(
    field: &str,
    spec: &ValueSpec,
    args: &Map<String, Value>,
) -> Result<Option<Value>, ToolError> {
    if let ValueSpec::Mapped(m) = spec {
        if !m.when.iter().all(|c| condition_holds(c, args)) {
            return Ok(None);
        }
        if let Some(literal) = &m.literal {
            return Ok(Some(literal.clone()));
        }
        if m.json || m.format == Some(ValueFormat::FieldSet) {
            let name = m.arg.clone().unwrap_or_else(|| field.to_string());
            let Some(v) = args.get(&name).filter(|v| !v.is_null()) else {
                return Ok(m.default.clone().map(Value::String));
            };
            return if m.format == Some(ValueFormat::FieldSet) {
                field_set(&name, v).map(Some)
            } else {
                Ok(Some(v.clone()))
            };
        }
    }
    Ok(resolve_spec(field, spec, args)?.map(Value::String))
}

/// Replaces every object of exactly `{type_key, value_key}` by its value, at any depth.
pub fn unwrap_tagged(value: Value, type_key: &str, value_key: &str) -> Value {
    match value {
        Value::Object(mut map) => {
            if map.len() == 2 && map.contains_key(type_key) && map.contains_key(value_key) {
                let inner = map.remove(value_key).unwrap_or(Value::Null);
                return unwrap_tagged(inner, type_key, value_key);
            }
            Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, unwrap_tagged(v, type_key, value_key)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| unwrap_tagged(v, type_key, value_key))
                .collect(),
        ),
        other => other,
    }
}

/// An answer that says nothing: `null` or `{}`.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Renders a message template over the arguments (a missing one leaves the text as is).
fn render_text(t: &str, args: &Map<String, Value>) -> String {
    template::render(t, args, &|s: &str| s.to_string()).unwrap_or_else(|| t.to_string())
}

/// Applies a tool's `output` rules to its answer.
fn finish(
    output: &OutputDef,
    value: Value,
    args: &Map<String, Value>,
    budget: usize,
) -> Result<Value, ToolError> {
    let value = match &output.join_lines {
        Some(join) => join_lines(value, join, budget),
        None => value,
    };
    if let Some(nf) = &output.empty_not_found
        && is_empty(&value)
    {
        return Err(ToolError::new(ErrorCode::NotFound, render_text(nf, args))
            .with_hint("Check the id, or use a list tool to find it."));
    }
    match &output.message {
        None => Ok(value),
        Some(m) => {
            let mut out = Map::new();
            out.insert("message".into(), Value::String(render_text(m, args)));
            if !is_empty(&value) {
                out.insert("result".into(), value);
            }
            Ok(Value::Object(out))
        }
    }
}

/// Joins the lines under `join.field` into one text under `join.into`, keeping the last lines
/// that fit `budget` (log tails matter most), and says how many were left out.
fn join_lines(value: Value, join: &JoinLinesDef, budget: usize) -> Value {
    let Value::Object(mut object) = value else {
        return value;
    };
    let Some(Value::Array(lines)) = object.remove(&join.field) else {
        return Value::Object(object);
    };
    let overhead = json_len(&object) + 400;
    let room = budget.saturating_sub(overhead);
    let texts: Vec<String> = lines.iter().map(value_as_text).collect();
    let mut used = 0usize;
    let mut first = texts.len();
    for (i, line) in texts.iter().enumerate().rev() {
        // JSON escaping can grow a line; count it as encoded.
        let size = json_len(line) - 1;
        if used + size > room && first < texts.len() {
            break;
        }
        used += size;
        first = i;
    }
    let kept = &texts[first..];
    object.insert(join.into.clone(), Value::String(kept.join("\n")));
    object.insert("lines_returned".into(), json!(kept.len()));
    if first > 0 {
        object.insert("lines_left_out".into(), json!(first));
        object.insert(
            "note".into(),
            json!(format!(
                "The oldest {first} lines were left out to stay under {budget} bytes; ask for fewer lines to see a shorter tail."
            )),
        );
    }
    Value::Object(object)
}

fn unpack_single(
    value: Value,
    not_found: &str,
    args: &Map<String, Value>,
) -> Result<Value, ToolError> {
    match value {
        Value::Array(mut rows) => {
            match rows.len() {
                0 => {
                    let msg = template::render(not_found, args, &|s: &str| s.to_string())
                        .unwrap_or_else(|| not_found.to_string());
                    Err(ToolError::new(ErrorCode::NotFound, msg).with_hint("Check the spelling (names are case-sensitive) or use a list tool to find it."))
                }
                1 => Ok(rows.remove(0)),
                n => Ok(json!({
                    "rows": rows,
                    "note": format!("{n} backends returned an object with this name; each row names its backend in peer_name"),
                })),
            }
        }
        other => Ok(other),
    }
}

/// Pages and budgets list rows: `{rows, returned, offset, next_offset?, total?, truncated?,
/// note?}` (`offset` named after the tool's offset argument).
fn shape_list(rows: Vec<Value>, plan: &ListPlan, budget: usize, meta: ListMeta) -> Value {
    let received = rows.len() as u64;
    let mut rows = rows;
    if !plan.local_sort.is_empty() {
        sort_rows(&mut rows, &plan.local_sort);
    }
    let mut rows: Vec<Value> = if plan.client_paging {
        rows.into_iter()
            .skip(plan.offset as usize)
            .take(plan.limit.min(usize::MAX as u64) as usize)
            .collect()
    } else {
        rows
    };
    // The next cursor comes from the last row kept, whatever columns are shown.
    let cursors: Vec<Option<Value>> = match &plan.cursor {
        Some((_, field)) => rows.iter().map(|r| dotted(r, field).cloned()).collect(),
        None => Vec::new(),
    };
    if !plan.strip.is_empty() {
        for row in &mut rows {
            if let Some(obj) = row.as_object_mut() {
                for key in &plan.strip {
                    obj.remove(key);
                }
            }
        }
    }
    if let Some(columns) = &plan.project {
        rows = rows.into_iter().map(|r| project_row(r, columns)).collect();
    }
    // Keep whole rows while they fit the budget (minus room for the envelope).
    let mut used = 200usize;
    let mut keep = 0usize;
    for row in &rows {
        let size = json_len(row) + 1;
        if used + size > budget && keep > 0 {
            break;
        }
        used += size;
        keep += 1;
    }
    let truncated = keep < rows.len();
    rows.truncate(keep);
    let returned = rows.len() as u64;
    let offset = if plan.client_paging || plan.limit != u64::MAX {
        plan.offset
    } else {
        0
    };
    let key = plan.offset_key.as_str();
    let mut out = Map::new();
    out.insert("rows".into(), Value::Array(rows));
    out.insert("returned".into(), json!(returned));
    if plan.cursor.is_none() {
        out.insert(key.into(), json!(offset));
    }
    let more = if plan.client_paging {
        offset + returned < received
    } else if let Some(more) = meta.more {
        more || truncated
    } else if let Some(total) = meta.total {
        truncated || offset + returned < total
    } else {
        truncated || returned >= plan.limit
    };
    if plan.client_paging && plan.limit != u64::MAX {
        out.insert("total".into(), json!(received));
    } else if let (Some(total), None) = (meta.total, meta.more) {
        out.insert("total".into(), json!(total));
    }
    let next = match &plan.cursor {
        Some((arg, _)) => {
            let last = keep.checked_sub(1).and_then(|i| cursors.get(i)).cloned();
            match last.flatten() {
                Some(v) if more => {
                    out.insert(format!("next_{arg}"), v);
                }
                _ => {}
            }
            arg.clone()
        }
        None => {
            if more {
                out.insert(format!("next_{key}"), json!(offset + returned));
            }
            key.to_string()
        }
    };
    if truncated {
        let continue_with = match out.get(&format!("next_{next}")) {
            Some(v) => format!("{next}={}", value_as_text(v)),
            None => format!("{next}={}", offset + returned),
        };
        out.insert("truncated".into(), json!(true));
        out.insert(
            "note".into(),
            json!(format!(
                "Result cut to {returned} rows to stay under {budget} bytes; continue with {continue_with}, or ask for fewer columns."
            )),
        );
    }
    for (k, v) in meta.kept {
        out.entry(k).or_insert(v);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_move_the_path() {
        assert_eq!(encode_segment("Disk /var"), "Disk%20%2Fvar");
        assert_eq!(encode_segment(".."), "%2E%2E");
        assert_eq!(encode_segment("a?b#c"), "a%3Fb%23c");
    }

    #[test]
    fn raw_paths() {
        for ok in [
            "/hosts",
            "/services/web-01/Disk%20%2Dx",
            "/thruk/whoami",
            "/sites/a,b/hosts",
        ] {
            assert!(check_raw_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "hosts",
            "//evil.example/x",
            "http://evil.example/",
            "/hosts/../../etc",
            "/%2e%2e/x",
            "/hosts%2F..",
            "/a\\b",
            "/hosts?x=1",
            "/a/./b",
            "/a%252e",
        ] {
            assert!(check_raw_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn list_budget_and_paging() {
        let rows: Vec<Value> = (0..100)
            .map(|i| json!({"name": format!("host-{i:03}"), "pad": "x".repeat(100)}))
            .collect();
        let plan = ListPlan {
            limit: 100,
            offset: 0,
            client_paging: false,
            strip: vec!["pad".into()],
            offset_key: "offset".into(),
            ..ListPlan::unbounded()
        };
        let out = shape_list(rows.clone(), &plan, 1_000_000, ListMeta::default());
        assert_eq!(out["returned"], 100);
        assert_eq!(out["next_offset"], 100);
        assert!(out["rows"][0].get("pad").is_none());
        let plan = ListPlan {
            limit: 10,
            offset: 95,
            client_paging: true,
            strip: vec![],
            offset_key: "offset".into(),
            ..ListPlan::unbounded()
        };
        let out = shape_list(rows.clone(), &plan, 1_000_000, ListMeta::default());
        assert_eq!(out["returned"], 5);
        assert_eq!(out["total"], 100);
        assert!(out.get("next_offset").is_none());
        let plan = ListPlan {
            limit: 100,
            offset: 0,
            client_paging: false,
            strip: vec![],
            offset_key: "offset".into(),
            ..ListPlan::unbounded()
        };
        let out = shape_list(rows.clone(), &plan, 2_000, ListMeta::default());
        assert_eq!(out["truncated"], true);
        let n = out["returned"].as_u64().unwrap_or(0);
        assert!(n > 0 && n < 100);
        assert_eq!(out["next_offset"], n);
        // An upstream total decides whether a next page exists; a has-more flag wins over it.
        let plan = ListPlan {
            limit: 10,
            offset: 20,
            client_paging: false,
            strip: vec![],
            offset_key: "skip".into(),
            ..ListPlan::unbounded()
        };
        let page: Vec<Value> = rows.iter().take(10).cloned().collect();
        let total = ListMeta {
            total: Some(30),
            more: None,
            ..ListMeta::default()
        };
        let out = shape_list(page.clone(), &plan, 1_000_000, total);
        assert_eq!(out["skip"], 20);
        assert_eq!(out["total"], 30);
        assert!(out.get("next_skip").is_none(), "{out}");
        let more = ListMeta {
            total: Some(31),
            more: Some(true),
            ..ListMeta::default()
        };
        let out = shape_list(page, &plan, 1_000_000, more);
        assert_eq!(out["next_skip"], 30);
        assert!(
            out.get("total").is_none(),
            "a lower bound is not a total: {out}"
        );
    }

    #[test]
    fn gateway_paging_sorts_projects_and_flattens() {
        let list: ListDef = serde_json::from_value(json!({
            "paging": "gateway",
            "rows_field": "groups",
            "flatten": {"field": "containers", "inherit": {"group": "name"}},
            "keep": ["archived_count"],
            "default_columns": ["name", "group", "config.interval"]
        }))
        .expect("list def");
        let answer = json!({
            "groups": [
                {"name": "shop", "containers": [
                    {"name": "web", "cpu": 3, "config": {"interval": "30s", "timeout": "5s"}},
                    {"name": "api", "cpu": 90, "config": {"interval": "10s"}}
                ]},
                {"name": "infra", "containers": [{"name": "Traefik", "cpu": null}]}
            ],
            "total": 3,
            "archived_count": 1
        });
        let shaped = |args: Value| {
            let args = args.as_object().cloned().unwrap_or_default();
            let mut query = Vec::new();
            let plan = list_plan(&list, &args, &mut query);
            assert!(query.is_empty(), "gateway paging sends nothing: {query:?}");
            let mut env = answer.as_object().cloned().unwrap_or_default();
            let groups = env.remove("groups").and_then(|g| g.as_array().cloned());
            let rows = flatten_rows(
                groups.unwrap_or_default(),
                list.flatten.as_ref().expect("flatten"),
            );
            let meta = ListMeta {
                kept: env
                    .into_iter()
                    .filter(|(k, _)| k == "archived_count")
                    .collect(),
                ..ListMeta::default()
            };
            shape_list(rows, &plan, 1_000_000, meta)
        };
        let out = shaped(json!({"sort": "name", "limit": 2}));
        assert_eq!(
            out["rows"][0],
            json!({"name": "api", "group": "shop", "config": {"interval": "10s"}})
        );
        assert_eq!(out["rows"][1]["name"], "Traefik", "case-insensitive order");
        assert_eq!(out["next_offset"], 2);
        assert_eq!(out["total"], 3);
        assert_eq!(out["archived_count"], 1);
        let out = shaped(json!({"sort": "-cpu", "columns": "name,cpu"}));
        let names: Vec<&str> = out["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .filter_map(|r| r["name"].as_str())
            .collect();
        assert_eq!(
            names,
            ["api", "web", "Traefik"],
            "numbers descending, null last"
        );
        assert_eq!(out["rows"][0], json!({"name": "api", "cpu": 90}));
        let out = shaped(json!({"columns": ""}));
        assert_eq!(
            out["rows"][0]["config"]["timeout"], "5s",
            "empty columns keep every field"
        );
    }

    #[test]
    fn cursor_paging_names_the_next_cursor() {
        let list: ListDef = serde_json::from_value(json!({
            "cursor": {"arg": "before", "field": "fired_at"},
            "more_field": "has_more",
            "default_columns": ["id"],
            "params": {"sort": null, "columns": null}
        }))
        .expect("list def");
        let args = json!({"limit": 2, "offset": 5})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let mut query = Vec::new();
        let plan = list_plan(&list, &args, &mut query);
        assert_eq!(
            query,
            vec![("limit".to_string(), "2".to_string())],
            "no offset with a cursor"
        );
        let rows = vec![
            json!({"id": 9, "fired_at": "2026-11-21T10:00:00Z"}),
            json!({"id": 8, "fired_at": "2026-11-20T10:00:00Z"}),
        ];
        let meta = ListMeta {
            more: Some(true),
            ..ListMeta::default()
        };
        let out = shape_list(rows.clone(), &plan, 1_000_000, meta);
        assert_eq!(out["rows"], json!([{"id": 9}, {"id": 8}]), "projected here");
        assert_eq!(out["next_before"], "2026-11-20T10:00:00Z");
        assert!(
            out.get("offset").is_none() && out.get("next_offset").is_none(),
            "{out}"
        );
        let meta = ListMeta {
            more: Some(false),
            ..ListMeta::default()
        };
        let out = shape_list(rows, &plan, 1_000_000, meta);
        assert!(out.get("next_before").is_none(), "{out}");
    }

    #[test]
    fn joined_lines_keep_the_newest_within_budget() {
        let join = JoinLinesDef {
            field: "lines".into(),
            into: "logs".into(),
        };
        let lines: Vec<Value> = (0..1000)
            .map(|i| json!(format!("line {i:04} {}", "x".repeat(60))))
            .collect();
        let out = join_lines(
            json!({"container_name": "api", "lines": lines}),
            &join,
            10_000,
        );
        let text = out["logs"].as_str().expect("text");
        assert!(
            text.ends_with(&format!("line 0999 {}", "x".repeat(60))),
            "newest kept"
        );
        assert!(!text.contains("line 0000"), "oldest dropped");
        let kept = out["lines_returned"].as_u64().expect("count");
        assert_eq!(
            kept + out["lines_left_out"].as_u64().expect("left out"),
            1000
        );
        assert!(serde_json::to_string(&out).expect("json").len() <= 10_000);
        let out = join_lines(json!({"lines": ["a", "b"]}), &join, 10_000);
        assert_eq!(out, json!({"logs": "a\nb", "lines_returned": 2}));
    }

    #[test]
    fn tagged_values_unwrap_at_any_depth() {
        let v = json!({
            "_id": "a",
            "createdAt": {"_type": "DateTime", "value": "2026-08-01T10:00:00.000Z"},
            "status": {"name": "Up", "color": {"_type": "Color", "value": "#2ecc71"}},
            "monitors": [{"projectId": {"_type": "ObjectID", "value": "p"}}],
            "steps": {"_type": "MonitorSteps", "value": {"a": {"_type": "ObjectID", "value": "x"}}},
            "three": {"_type": "T", "value": 1, "extra": true}
        });
        assert_eq!(
            unwrap_tagged(v, "_type", "value"),
            json!({
                "_id": "a",
                "createdAt": "2026-08-01T10:00:00.000Z",
                "status": {"name": "Up", "color": "#2ecc71"},
                "monitors": [{"projectId": "p"}],
                "steps": {"a": "x"},
                "three": {"_type": "T", "value": 1, "extra": true}
            })
        );
    }

    #[test]
    fn field_sets_and_dotted_bodies() {
        let set = field_set(
            "select",
            &json!(["name", "status.name", "status.color", "x"]),
        )
        .expect("field set");
        assert_eq!(
            set,
            json!({"name": true, "status": {"name": true, "color": true}, "x": true})
        );
        assert_eq!(
            field_set("select", &json!("a, b")).expect("csv"),
            json!({"a": true, "b": true})
        );
        assert!(field_set("select", &json!(["a..b"])).is_err());
        assert!(field_set("select", &json!(3)).is_err());
        let mut body = Map::new();
        insert_dotted(&mut body, "data.incidentId", json!("i"));
        insert_dotted(&mut body, "data.note", json!("n"));
        insert_dotted(&mut body, "query", json!({}));
        assert_eq!(
            Value::Object(body),
            json!({"data": {"incidentId": "i", "note": "n"}, "query": {}})
        );
    }
}
