//! The catalog format: typed structs a backend's YAML file is parsed into.
//!
//! A catalog says how to reach a REST backend (base URL, headers and the environment variables
//! that fill them) and which MCP tools, resources and prompts it offers. Everything here derives
//! `JsonSchema`, so `lookout catalog-schema` can print the format for editors, and the doc
//! comments below are the format's reference documentation.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One backend's catalog file.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Backend name (`thruk`): selects the catalog with `--backend`, and names the built-in code
    /// module that `builtin` tools refer to.
    pub backend: String,
    /// Human title, e.g. "Thruk (Naemon, Nagios, Icinga, Shinken)".
    pub title: String,
    /// What the backend is, one or two sentences; it opens the MCP `instructions`.
    pub description: String,
    /// Extra guidance for the assistant, appended to the generated `instructions`.
    #[serde(default)]
    pub instructions: Option<String>,
    /// How to reach the backend.
    pub connection: Connection,
    /// The backend's own environment variables for lookout's generic settings. Each one wins
    /// over the generic `LOOKOUT_*` variable when both are set.
    #[serde(default)]
    pub setting_env: SettingEnv,
    /// Reads whose answers may be kept for a while: exact paths under the API root (without
    /// the scope prefix) and how long.
    #[serde(default)]
    pub cache: Vec<CacheRule>,
    /// What an audit line names as the call's target: templates over the arguments, the
    /// first that can be filled wins (e.g. `"{host}/{service}"`, `"{host}"`).
    #[serde(default)]
    pub audit_target: Vec<String>,
    /// How upstream error answers map to the gateway's error codes (first match wins).
    #[serde(default)]
    pub errors: Vec<ErrorRule>,
    /// Tagged values the upstream wraps plain values in (`{"_type":"DateTime","value":…}`):
    /// every object of exactly these two keys in an answer is replaced by its value.
    #[serde(default)]
    pub unwrap: Option<UnwrapDef>,
    /// The tools, in the order `tools/list` shows them (generated tools follow).
    #[serde(default)]
    pub tools: Vec<ToolDef>,
    /// Tool templates, by name: each is expanded once per entry of `generate` that names it.
    #[serde(default)]
    pub templates: IndexMap<String, TemplateDef>,
    /// Resource types whose tools are generated from a template, in order.
    #[serde(default)]
    pub generate: Vec<GenerateDef>,
    /// Static resources and URI templates.
    #[serde(default)]
    pub resources: Vec<ResourceDef>,
    /// Prompts.
    #[serde(default)]
    pub prompts: Vec<PromptDef>,
    /// Free-form place for YAML anchors shared by the definitions above; otherwise ignored.
    #[serde(default, rename = "x-anchors", skip_serializing)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub anchors: Option<serde_yaml_ng::Value>,
}

/// The upstream's tagged-value wrapper.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnwrapDef {
    /// Key naming the value's type, e.g. `_type`.
    pub type_key: String,
    /// Key holding the value, e.g. `value`.
    pub value_key: String,
}

/// A family of tools written once and generated for many resource types.
///
/// Every string in `tools` may use `${var}` placeholders. The variables are `singular` and
/// `plural` (human names: "On-Call Policy"), `singular_lower` and `plural_lower` (for prose),
/// `singular_name` and `plural_name` (snake case: `on_call_policy`), `path`, then the template's
/// `vars` overridden by the resource type's `vars`. A string that is exactly `${var}` takes the
/// variable's JSON value (a list, an object, a number); elsewhere the value is inserted as text.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateDef {
    /// Default values of the template's own variables.
    #[serde(default)]
    pub vars: serde_json::Map<String, Value>,
    /// Tool definitions, in the tool format, with placeholders.
    #[schemars(with = "Vec<serde_json::Value>")]
    pub tools: Vec<Value>,
}

/// One resource type whose tools come from a template.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateDef {
    /// The template's name in `templates`.
    pub template: String,
    /// Human singular name, e.g. "On-Call Policy".
    pub singular: String,
    /// Human plural name, e.g. "On-Call Duty Policies".
    pub plural: String,
    /// The resource's path under the API root, e.g. `/on-call-duty-policy`.
    pub path: String,
    /// Values of template variables for this resource type.
    #[serde(default)]
    pub vars: serde_json::Map<String, Value>,
    /// Names of generated tools to leave out.
    #[serde(default)]
    pub skip: Vec<String>,
}

/// Backend-specific names for the generic settings (`THRUK_READ_ONLY` for `LOOKOUT_READ_ONLY`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingEnv {
    /// For `LOOKOUT_READ_ONLY`.
    #[serde(default)]
    pub read_only: Option<String>,
    /// For `LOOKOUT_ENABLED_TOOLS`.
    #[serde(default)]
    pub enabled_tools: Option<String>,
    /// For `LOOKOUT_DISABLED_TOOLS`.
    #[serde(default)]
    pub disabled_tools: Option<String>,
    /// For `LOOKOUT_AUDIT_LOG`.
    #[serde(default)]
    pub audit_log: Option<String>,
    /// For `LOOKOUT_MAX_CONCURRENT`.
    #[serde(default)]
    pub max_concurrent: Option<String>,
    /// For `LOOKOUT_RATE_LIMIT`.
    #[serde(default)]
    pub rate_limit: Option<String>,
    /// For `LOOKOUT_RETRIES`.
    #[serde(default)]
    pub retries: Option<String>,
    /// For `LOOKOUT_KEY_PASSTHROUGH`.
    #[serde(default)]
    pub key_passthrough: Option<String>,
}

/// A cached endpoint.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CacheRule {
    /// Exact path under the API root, as a tool's `path` renders it, e.g. `/hosts/stats`.
    pub path: String,
    /// Seconds an answer is kept.
    pub ttl_secs: u64,
}

/// A value read from the environment, with a default.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    /// Environment variable. Empty values and the Docker MCP Gateway placeholder `<UNKNOWN>`
    /// count as unset.
    #[serde(default)]
    pub env: Option<String>,
    /// Value used when the variable is unset.
    #[serde(default)]
    pub default: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    /// The backend's URL as users know it (e.g. `https://mon.example.com/thruk`).
    pub base_url: Setting,
    /// Path appended to the base URL to reach the REST root (`/r` for Thruk). Every request,
    /// the escape hatch included, stays under `base_url + api_root`.
    #[serde(default)]
    pub api_root: String,
    /// Total timeout per upstream request, in seconds.
    #[serde(default)]
    pub timeout_secs: Setting,
    /// Verify TLS certificates (`true`/`false`).
    #[serde(default)]
    pub verify_tls: Setting,
    /// Headers sent with every request (authentication, impersonation).
    #[serde(default)]
    pub headers: Vec<HeaderDef>,
    /// An optional path prefix chosen per call (Thruk's `/sites/<a,b>` site selection).
    #[serde(default)]
    pub scope: Option<ScopeDef>,
    /// A cheap request that shows the backend is up (`GET /thruk`, `GET /health`), sent by
    /// `/readyz`. Any answer below 500 counts as reachable; the gateway's configured
    /// credentials go with it.
    #[serde(default)]
    pub probe: Option<RequestDef>,
    /// Credentials for a reverse proxy in front of a backend that has no authentication of
    /// its own (basic auth, a bearer token, or one custom header). All optional; each value
    /// is a secret, scrubbed from errors and logs.
    #[serde(default)]
    pub proxy_auth: Option<ProxyAuthDef>,
}

/// Where a reverse proxy's credentials come from. Basic auth and a bearer token both use
/// `Authorization`, so setting both is a start-up error.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxyAuthDef {
    /// User name for HTTP basic auth.
    #[serde(default)]
    pub basic_user: Setting,
    /// Password for HTTP basic auth.
    #[serde(default)]
    pub basic_password: Setting,
    /// Token sent as `Authorization: Bearer <token>`.
    #[serde(default)]
    pub bearer_token: Setting,
    /// One extra header, written `Name: value` (a forward-auth cookie, `Remote-User`, ...).
    #[serde(default)]
    pub header: Setting,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderDef {
    /// Header name, e.g. `X-Thruk-Auth-Key`.
    pub name: String,
    /// Where the value comes from.
    #[serde(flatten)]
    pub value: Setting,
    /// The value is a credential: it is scrubbed from every error and log line.
    #[serde(default)]
    pub secret: bool,
    /// Tool calls fail with `AUTH_FAILED` while this header has no value. Start-up and
    /// `tools/list` never need it.
    #[serde(default)]
    pub required: bool,
    /// What to tell the user when a required header is missing.
    #[serde(default)]
    pub missing_hint: Option<String>,
    /// The value names the upstream user the gateway acts as; audit lines record it.
    #[serde(default)]
    pub user: bool,
    /// Headers of the MCP client's HTTP request that may carry this header's value for that
    /// request only, in order of preference (`x-api-key`, `authorization`; a `Bearer ` prefix
    /// is stripped). Used when key passthrough is on in HTTP mode; the configured value is
    /// then never sent.
    #[serde(default)]
    pub from_client: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeDef {
    /// Tool argument holding a comma list of scope names (e.g. `backends`).
    pub arg: String,
    /// Default when the argument is absent or empty.
    #[serde(default)]
    pub default: Setting,
    /// Prefix template; `{value}` is the comma list, each name encoded as a path segment.
    pub path: String,
}

/// Maps an upstream answer to an error code.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorRule {
    /// HTTP status this rule applies to.
    pub status: u16,
    /// Regular expression the upstream message must match (case-insensitive); omitted = any.
    #[serde(default, rename = "match")]
    pub pattern: Option<String>,
    /// Gateway error code, e.g. `AUTH_FAILED`.
    pub code: String,
    /// What the user should do next.
    #[serde(default)]
    pub hint: Option<String>,
}

/// Whether a tool only reads or changes the backend's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Read,
    Write,
    /// Decided per call by the tool's `method` argument: GET and HEAD read, anything else
    /// writes (escape hatches). Listed in read-only mode, where only its reads are allowed.
    ByMethod,
}

/// Overrides for the MCP tool annotations. By default a read tool is read-only, idempotent and
/// not destructive; a write tool is destructive and not idempotent. Every tool talks to an
/// external system, so `openWorldHint` defaults to true.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnotationDef {
    #[serde(default)]
    pub destructive: Option<bool>,
    #[serde(default)]
    pub idempotent: Option<bool>,
    #[serde(default)]
    pub open_world: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolDef {
    /// Tool name: 1–128 characters of `[A-Za-z0-9_.-]`.
    pub name: String,
    /// Optional human title.
    #[serde(default)]
    pub title: Option<String>,
    /// What the tool does and when to use it; the model reads this.
    pub description: String,
    /// `read`, `write` or `by_method`.
    pub access: Access,
    /// Seconds this tool's answers may be kept (reads only); overrides `cache` rules.
    #[serde(default)]
    pub cache_ttl_secs: Option<u64>,
    #[serde(default)]
    pub annotations: AnnotationDef,
    /// JSON Schema of the arguments (an object schema). `default` values are applied before the
    /// request is built, so the schema is the single truth about defaults.
    pub input_schema: Value,
    /// A single REST call.
    #[serde(default)]
    pub request: Option<RequestDef>,
    /// Alternative REST calls; the first whose `when` holds is sent.
    #[serde(default)]
    pub routes: Vec<RouteDef>,
    /// Several REST calls sent concurrently; the result is an object with one key per call.
    #[serde(default)]
    pub combine: IndexMap<String, RequestDef>,
    /// REST calls sent one after the other; each may bind values from its answer as
    /// arguments of the next. The last answer is the result.
    #[serde(default)]
    pub steps: Vec<StepDef>,
    /// Code instead of data: `raw_query` (the generic escape hatch) or a name the backend's
    /// module implements.
    #[serde(default)]
    pub builtin: Option<String>,
    /// How the answer is shaped.
    #[serde(default)]
    pub output: OutputDef,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteDef {
    /// Conditions that must all hold; empty = always.
    #[serde(default)]
    pub when: Vec<Condition>,
    #[serde(flatten)]
    pub request: RequestDef,
}

/// One call of a `steps` tool.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    #[serde(flatten)]
    pub request: RequestDef,
    /// `read` for a lookup inside a writing tool (it may be retried and cached); by default a
    /// step has the tool's access.
    #[serde(default)]
    pub access: Option<Access>,
    /// Arguments set from this step's answer: name → JSON pointer (`/data/0/_id`).
    #[serde(default)]
    pub bind: IndexMap<String, String>,
    /// `NOT_FOUND` with this message (a template) when the answer is empty or a bound
    /// pointer finds nothing.
    #[serde(default)]
    pub not_found: Option<String>,
}

/// A condition on one argument (after defaults are applied).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub arg: String,
    /// True: the argument is present and not an empty string. False: the opposite.
    #[serde(default)]
    pub present: Option<bool>,
    /// The argument equals this value.
    #[serde(default)]
    pub equals: Option<Value>,
}

/// HTTP methods a catalog may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Head => "HEAD",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestDef {
    pub method: HttpMethod,
    /// Path under the API root. `{arg}` placeholders are filled with the argument, encoded as
    /// one path segment (a `/` in a name cannot change the path).
    pub path: String,
    /// Query parameters in order: name → value.
    #[serde(default)]
    pub query: IndexMap<String, ValueSpec>,
    /// Request body.
    #[serde(default)]
    pub body: Option<BodyDef>,
    /// List semantics: paging, sorting and column selection.
    #[serde(default)]
    pub list: Option<ListDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BodyEncoding {
    Form,
    Json,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyDef {
    pub encoding: BodyEncoding,
    /// Fields in order: name → value. A field whose value cannot be resolved is left out.
    /// In a JSON body a dotted name (`data.incidentId`) builds nested objects.
    #[serde(default)]
    pub fields: IndexMap<String, ValueSpec>,
}

/// How a query parameter or body field gets its value.
///
/// - a string: a template; `{arg}` is replaced by the argument, `{$now}` by the current Unix
///   time. If an argument it names is absent the field is left out.
/// - a list of templates: the first one whose arguments are all present.
/// - an object: `{arg, map, format, when}` for mappings and conversions.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ValueSpec {
    Template(String),
    FirstOf(Vec<String>),
    Mapped(Box<MappedValue>),
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MappedValue {
    /// The argument to read. When `value` is also given, `value` wins if it can be filled.
    #[serde(default)]
    pub arg: Option<String>,
    /// A template, as for the plain string form.
    #[serde(default)]
    pub value: Option<String>,
    /// Lookup table from the argument's value (as a string: `true`, `down`, `3`) to the value
    /// sent upstream.
    #[serde(default)]
    pub map: IndexMap<String, String>,
    /// Used when neither `value` nor `arg` gives a value (before `map` and `format`).
    #[serde(default)]
    pub default: Option<String>,
    /// A conversion applied to the value.
    #[serde(default)]
    pub format: Option<ValueFormat>,
    /// With `format: time`: the argument a signed offset counts from, instead of from now
    /// (an end time of `+30m` is 30 minutes after the start), and which the time must follow.
    #[serde(default)]
    pub offset_from: Option<String>,
    /// Only send the field when these conditions hold.
    #[serde(default)]
    pub when: Vec<Condition>,
    /// Send the argument's JSON value as it is (an object, a list, a number) instead of text.
    /// JSON bodies only.
    #[serde(default)]
    pub json: bool,
    /// A fixed JSON value, sent as it is.
    #[serde(default)]
    pub literal: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ValueFormat {
    /// A point in time: `now`, a signed relative offset (`+2h`, `-30m`, `-7d`), a Unix epoch
    /// or an ISO 8601 date-time (UTC unless it has an offset). ISO values are sent as epochs;
    /// an unsigned offset such as `2h` is refused, because upstreams read it as a number.
    Time,
    /// A point in time as for `time`, sent as an absolute Unix epoch (offsets are resolved
    /// against the current time), for upstreams that only take epochs.
    Epoch,
    /// A point in time as for `time`, sent as an RFC 3339 UTC date-time
    /// (`2026-11-21T14:00:00Z`).
    Rfc3339,
    /// A comma list: items trimmed, empty items dropped.
    Csv,
    /// Field names (a list, or a comma list) as a selection object: `["name",
    /// "status.color"]` → `{"name": true, "status": {"color": true}}`. An object passes
    /// unchanged. JSON bodies only.
    FieldSet,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListDef {
    /// Columns sent when the caller gives none; `columns: ""` asks for every column.
    #[serde(default)]
    pub default_columns: Vec<String>,
    /// The order the upstream returns rows in before sorting (e.g. `name`). Upstreams that cut
    /// at `limit` before sorting (Thruk) get no limit when another order is asked for; the
    /// gateway then pages the sorted rows itself.
    #[serde(default)]
    pub natural_sort: Option<String>,
    /// The upstream applies `limit` before sorting.
    #[serde(default)]
    pub limit_before_sort: bool,
    /// Largest page a caller may ask for; larger values are clamped.
    #[serde(default = "default_max_limit")]
    pub max_limit: u64,
    /// Sort sent when the caller gives none (for tools without a `sort` argument).
    #[serde(default)]
    pub default_sort: Option<String>,
    /// Upstream parameter names, sent in the URL. The tool's own arguments are `limit`,
    /// `offset` (or `offset_arg`), `sort` and `columns`.
    #[serde(default)]
    pub params: ListParams,
    /// The tool's argument for the number of rows to skip (`offset`, or `skip`); the answer
    /// reports the next page as `next_<offset_arg>`.
    #[serde(default = "default_offset_arg")]
    pub offset_arg: String,
    /// The rows are under this key of an object answer (`data`), not the answer itself.
    #[serde(default)]
    pub rows_field: Option<String>,
    /// Key of the answer holding the total number of matches (`count`).
    #[serde(default)]
    pub total_field: Option<String>,
    /// Key of the answer saying more rows follow (`hasMore`); its total is then a lower bound.
    #[serde(default)]
    pub more_field: Option<String>,
    /// Who pages: `upstream` (limit, offset, sort and columns go in the URL) or `gateway`
    /// (the upstream answers every row at once; the gateway sorts, pages and picks the
    /// columns, dotted names reaching into nested objects).
    #[serde(default)]
    pub paging: Paging,
    /// The rows are nested one level deeper: each element of `rows_field` holds its own rows
    /// under this key (`groups[].containers[]`); they are concatenated.
    #[serde(default)]
    pub flatten: Option<FlattenDef>,
    /// Keys of the upstream's envelope kept in the answer next to the rows (`last_scan`).
    #[serde(default)]
    pub keep: Vec<String>,
    /// Cursor paging instead of an offset: the next page starts before or after the last
    /// row's `field`, passed back in the tool argument `arg` (the answer says `next_<arg>`).
    #[serde(default)]
    pub cursor: Option<CursorDef>,
}

/// Who pages a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Paging {
    #[default]
    Upstream,
    Gateway,
}

/// Rows nested in groups.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlattenDef {
    /// Key of each group holding its rows (`containers`).
    pub field: String,
    /// Row keys set from the group: row key → group key (`group: name`).
    #[serde(default)]
    pub inherit: IndexMap<String, String>,
}

/// Cursor paging of a list.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CursorDef {
    /// The tool argument carrying the cursor (`before`).
    pub arg: String,
    /// The row key whose value in the last row is the next cursor (`fired_at`).
    pub field: String,
}

fn default_offset_arg() -> String {
    "offset".into()
}

fn default_max_limit() -> u64 {
    1000
}

/// Upstream URL parameters of a list. `sort` and `columns` may be `null` when the catalog
/// sends them some other way (in a JSON body); the engine then leaves them alone.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    #[serde(default = "param_limit")]
    pub limit: String,
    #[serde(default = "param_offset")]
    pub offset: String,
    #[serde(default = "param_sort")]
    pub sort: Option<String>,
    #[serde(default = "param_columns")]
    pub columns: Option<String>,
}

fn param_limit() -> String {
    "limit".into()
}
fn param_offset() -> String {
    "offset".into()
}
fn param_sort() -> Option<String> {
    Some("sort".into())
}
fn param_columns() -> Option<String> {
    Some("columns".into())
}

impl Default for ListParams {
    fn default() -> Self {
        ListParams {
            limit: param_limit(),
            offset: param_offset(),
            sort: param_sort(),
            columns: param_columns(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputDef {
    /// The upstream answers a list for a single object: 0 rows → `NOT_FOUND` with this message
    /// (a template), 1 row → the object, several → all of them with a note.
    #[serde(default)]
    pub single: Option<String>,
    /// The upstream answers an empty object (or nothing) for a missing object: that becomes
    /// `NOT_FOUND` with this message (a template).
    #[serde(default)]
    pub empty_not_found: Option<String>,
    /// A message (a template) put in the result as `message`, with the upstream answer as
    /// `result` unless it is empty; for writes whose answer says nothing (`{}`).
    #[serde(default)]
    pub message: Option<String>,
    /// A list of text lines in the answer (log lines) becomes one text: the newest (last)
    /// lines that fit the result budget are kept, and the answer says how many were left out.
    #[serde(default)]
    pub join_lines: Option<JoinLinesDef>,
}

/// Joining an answer's lines into one text.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinLinesDef {
    /// Key of the answer holding the list of lines (`lines`); it is replaced.
    pub field: String,
    /// Key the joined text goes under (`logs`).
    pub into: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceDef {
    /// A fixed URI (`thruk://problems`) or an RFC 6570 level-1 template
    /// (`thruk://hosts/{name}`).
    pub uri: String,
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// The read tool that serves it...
    #[serde(default)]
    pub tool: Option<String>,
    /// ...or a GET request of its own (`{var}` placeholders take template variables).
    #[serde(default)]
    pub request: Option<RequestDef>,
    /// Arguments for the tool or request; `{var}` takes a template variable.
    #[serde(default)]
    pub arguments: serde_json::Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromptDef {
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    pub description: String,
    #[serde(default)]
    pub arguments: Vec<PromptArgDef>,
    /// The user message: a Jinja template (minijinja) over the arguments.
    pub template: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromptArgDef {
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub required: bool,
    /// Used when the client leaves the argument out.
    #[serde(default)]
    pub default: Option<String>,
}
