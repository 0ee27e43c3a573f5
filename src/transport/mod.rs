//! Transports: stdio (the default) and stateless Streamable HTTP (`--listen`).
//!
//! Both serve the same [`Gateway`](crate::mcp::Gateway); neither keeps per-client state.

pub mod auth;
pub mod http;
pub mod oauth;
pub mod stdio;

use tokio_util::sync::CancellationToken;

/// A token cancelled on SIGINT or SIGTERM, for graceful shutdown.
pub fn shutdown_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = ctrl_c => {},
                        _ = term.recv() => {},
                    }
                }
                Err(_) => {
                    let _ = ctrl_c.await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
        tracing::info!("shutdown requested");
        t.cancel();
    });
    token
}
