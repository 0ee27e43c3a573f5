//! Backend code: the few things a catalog cannot say as data.
//!
//! A catalog tool with `builtin: NAME` is served here. Each backend keeps its code in its own
//! module; the engine only knows this dispatch table.

pub mod thruk;

use crate::engine::{CallContext, Engine};
use crate::error::ToolError;
use serde_json::{Map, Value};

/// Whether `backend` implements the built-in `name` (checked at start-up).
pub fn has_builtin(backend: &str, name: &str) -> bool {
    match backend {
        "thruk" => thruk::BUILTINS.contains(&name),
        _ => false,
    }
}

/// Runs a built-in tool.
pub async fn call_builtin(
    backend: &str,
    name: &str,
    engine: &Engine,
    args: &Map<String, Value>,
    ctx: &CallContext,
) -> Result<Value, ToolError> {
    match (backend, name) {
        ("thruk", "background_query") => thruk::background_query(engine, args, ctx).await,
        _ => Err(ToolError::new(
            crate::error::ErrorCode::Internal,
            format!("backend `{backend}` has no built-in `{name}`"),
        )),
    }
}
