//! stdio transport: JSON-RPC on stdin/stdout, as Claude Desktop, Claude Code, Cursor and the
//! Docker MCP Gateway spawn servers. stdout carries protocol messages only; logs go to stderr.

use crate::mcp::Gateway;
use rmcp::ServiceExt;
use tokio_util::sync::CancellationToken;

/// Serves until stdin closes or `shutdown` fires.
pub async fn serve(gateway: Gateway, shutdown: CancellationToken) -> std::io::Result<()> {
    let running = gateway
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| std::io::Error::other(format!("MCP stdio start-up failed: {e}")))?;
    let ct = running.cancellation_token();
    tokio::select! {
        result = running.waiting() => {
            result.map_err(|e| std::io::Error::other(format!("MCP stdio session ended with an error: {e}")))?;
        }
        _ = shutdown.cancelled() => {
            ct.cancel();
        }
    }
    Ok(())
}
