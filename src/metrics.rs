//! Prometheus metrics of one lookout process, served at `/metrics` in HTTP mode.
//!
//! One process-wide registry (like the `metrics` facade's global recorder), because the
//! places that count are spread over the stack: the MCP dispatcher (tool calls, their outcome
//! and duration), the upstream client (requests by backend and status, retries, cache hits and
//! misses) and the HTTP transport (requests in flight, calls refused by the per-client rate
//! limit). Counting is a few atomic operations; nothing is exported on stdio.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::{Family, MetricConstructor};
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::OnceLock;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolOutcome {
    tool: String,
    outcome: String,
    client: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolName {
    tool: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BackendStatus {
    backend: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BackendName {
    backend: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheResult {
    backend: String,
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClientName {
    client: String,
}

#[derive(Clone)]
struct Buckets;

impl MetricConstructor<Histogram> for Buckets {
    fn new_metric(&self) -> Histogram {
        Histogram::new([
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
        ])
    }
}

/// Every metric lookout exports.
pub struct Metrics {
    registry: Registry,
    tool_calls: Family<ToolOutcome, Counter>,
    tool_seconds: Family<ToolName, Histogram, Buckets>,
    upstream_requests: Family<BackendStatus, Counter>,
    upstream_retries: Family<BackendName, Counter>,
    cache: Family<CacheResult, Counter>,
    in_flight: Gauge,
    rate_limited: Family<ClientName, Counter>,
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("lookout");
        let tool_calls = Family::<ToolOutcome, Counter>::default();
        registry.register(
            "tool_calls",
            "Tool calls by tool, outcome (ok, or the error code) and authenticated client (- when none)",
            tool_calls.clone(),
        );
        let tool_seconds = Family::<ToolName, Histogram, Buckets>::new_with_constructor(Buckets);
        registry.register(
            "tool_call_duration_seconds",
            "Duration of tool calls, upstream requests included",
            tool_seconds.clone(),
        );
        let upstream_requests = Family::<BackendStatus, Counter>::default();
        registry.register(
            "upstream_requests",
            "Requests sent to backends, each attempt counted, by backend instance and HTTP status (or error)",
            upstream_requests.clone(),
        );
        let upstream_retries = Family::<BackendName, Counter>::default();
        registry.register(
            "upstream_retries",
            "Attempts after the first of one upstream request",
            upstream_retries.clone(),
        );
        let cache = Family::<CacheResult, Counter>::default();
        registry.register(
            "cache_lookups",
            "Reads served from the cache or merged with one in flight (hit), or fetched (miss)",
            cache.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "MCP HTTP requests being served",
            in_flight.clone(),
        );
        let rate_limited = Family::<ClientName, Counter>::default();
        registry.register(
            "rate_limited_requests",
            "MCP HTTP requests refused by the per-client rate limit",
            rate_limited.clone(),
        );
        Metrics {
            registry,
            tool_calls,
            tool_seconds,
            upstream_requests,
            upstream_retries,
            cache,
            in_flight,
            rate_limited,
        }
    }

    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        match prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            Ok(()) => out,
            Err(_) => String::new(),
        }
    }

    pub fn tool_call(&self, tool: &str, outcome: &str, client: Option<&str>, elapsed: Duration) {
        self.tool_calls
            .get_or_create(&ToolOutcome {
                tool: tool.to_string(),
                outcome: outcome.to_string(),
                client: client.unwrap_or("-").to_string(),
            })
            .inc();
        self.tool_seconds
            .get_or_create(&ToolName {
                tool: tool.to_string(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// One upstream attempt; `status` is the HTTP status, or `error` when none came back.
    pub fn upstream_attempt(&self, backend: &str, status: Option<u16>, retry: bool) {
        let status = status.map_or_else(|| "error".to_string(), |s| s.to_string());
        self.upstream_requests
            .get_or_create(&BackendStatus {
                backend: backend.to_string(),
                status,
            })
            .inc();
        if retry {
            self.upstream_retries
                .get_or_create(&BackendName {
                    backend: backend.to_string(),
                })
                .inc();
        }
    }

    pub fn cache_lookup(&self, backend: &str, hit: bool) {
        self.cache
            .get_or_create(&CacheResult {
                backend: backend.to_string(),
                result: if hit { "hit" } else { "miss" }.to_string(),
            })
            .inc();
    }

    /// Counts an HTTP request in flight until the guard is dropped.
    pub fn in_flight(&self) -> InFlight<'_> {
        self.in_flight.inc();
        InFlight(&self.in_flight)
    }

    pub fn rate_limited(&self, client: &str) {
        self.rate_limited
            .get_or_create(&ClientName {
                client: client.to_string(),
            })
            .inc();
    }
}

/// Decrements the in-flight gauge when dropped.
pub struct InFlight<'a>(&'a Gauge);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The process's metrics.
pub fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_render_in_the_text_format() {
        let m = Metrics::new();
        m.tool_call("thruk_stats", "ok", None, Duration::from_millis(30));
        m.tool_call(
            "thruk_stats",
            "TIMEOUT",
            Some("alice"),
            Duration::from_secs(31),
        );
        m.upstream_attempt("prod", Some(503), false);
        m.upstream_attempt("prod", None, true);
        m.cache_lookup("prod", true);
        {
            let _guard = m.in_flight();
            assert!(m.render().contains("lookout_http_requests_in_flight 1"));
        }
        let text = m.render();
        for line in [
            "lookout_tool_calls_total{tool=\"thruk_stats\",outcome=\"ok\",client=\"-\"} 1",
            "lookout_tool_calls_total{tool=\"thruk_stats\",outcome=\"TIMEOUT\",client=\"alice\"} 1",
            "lookout_tool_call_duration_seconds_bucket{le=\"0.05\",tool=\"thruk_stats\"} 1",
            "lookout_tool_call_duration_seconds_count{tool=\"thruk_stats\"} 2",
            "lookout_upstream_requests_total{backend=\"prod\",status=\"503\"} 1",
            "lookout_upstream_requests_total{backend=\"prod\",status=\"error\"} 1",
            "lookout_upstream_retries_total{backend=\"prod\"} 1",
            "lookout_cache_lookups_total{backend=\"prod\",result=\"hit\"} 1",
            "lookout_http_requests_in_flight 0",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
    }
}
