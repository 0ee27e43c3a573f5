//! Thruk-specific code: the long-running query with progress.
//!
//! Thruk's REST layer has no background-job protocol for arbitrary queries (`?background=1` is
//! not a reserved parameter and there is no `/thruk/jobs/<id>/output`), so a "background query"
//! here is the same request as `thruk_query`, given a longer deadline (`poll_timeout`) and
//! watched: while Thruk works, the client receives an MCP progress notification every couple
//! of seconds, and cancelling the call abandons the request.

use crate::engine::{CallContext, Engine};
use crate::error::{ErrorCode, ToolError};
use serde_json::{Map, Value, json};
use std::time::{Duration, Instant};

/// Built-ins this module serves.
pub const BUILTINS: &[&str] = &["background_query"];

/// Seconds between progress notifications.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);

/// Runs a Thruk query with an extended deadline, reporting progress while it waits.
pub async fn background_query(
    engine: &Engine,
    args: &Map<String, Value>,
    ctx: &CallContext,
) -> Result<Value, ToolError> {
    let req = engine.raw_request(args)?;
    let deadline = args
        .get("poll_timeout")
        .and_then(Value::as_f64)
        .unwrap_or(300.0)
        .clamp(1.0, 3600.0);
    let started = Instant::now();
    ctx.report(0.0, Some(deadline), "query sent to Thruk");
    let send = engine.send_with_timeout(req, Duration::from_secs_f64(deadline), ctx);
    tokio::pin!(send);
    let mut ticker =
        tokio::time::interval_at(tokio::time::Instant::now() + PROGRESS_EVERY, PROGRESS_EVERY);
    let value = loop {
        tokio::select! {
            result = &mut send => break result,
            _ = ticker.tick() => {
                let waited = started.elapsed().as_secs_f64();
                ctx.report(waited.min(deadline), Some(deadline), format!("Thruk is still working ({waited:.0}s)"));
            }
        }
    };
    let elapsed = started.elapsed().as_secs_f64();
    let value = value.map_err(|e| {
        if e.code == ErrorCode::Timeout {
            ToolError::new(
                ErrorCode::Timeout,
                format!("Thruk did not finish within poll_timeout={deadline:.0}s"),
            )
            .with_hint("Narrow the query (filters, limit) or raise poll_timeout (at most 3600).")
        } else {
            e
        }
    })?;
    ctx.report(deadline, Some(deadline), format!("done in {elapsed:.1}s"));
    let mut shaped = match engine.shape_raw(value) {
        Value::Object(o) => o,
        other => {
            let mut o = Map::new();
            o.insert("result".into(), other);
            o
        }
    };
    shaped.insert(
        "elapsed_seconds".into(),
        json!((elapsed * 10.0).round() / 10.0),
    );
    Ok(Value::Object(shaped))
}
