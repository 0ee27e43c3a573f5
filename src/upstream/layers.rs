//! The `reqwest-middleware` layers around every upstream request: retries and the rate limit.
//!
//! The stack, outermost first:
//!
//! 1. `Retry-After` (reads only): a 429 or 503 that says when to come back is retried after that
//!    delay, if it is within the configured bound; otherwise it is returned at once so the caller
//!    sees `RATE_LIMITED` with the delay.
//! 2. Transient retries (reads): 5xx, 408, 429, timeouts and connection errors, with exponential
//!    backoff, bounded jitter and a cap on each sleep (`reqwest-retry`).
//! 3. Connect-only retries (writes): only failures where the request provably never reached the
//!    server (connection refused, DNS failure, TLS handshake); never after a status, a timeout or
//!    a reset, so a command is never sent twice.
//! 4. The upstream rate limit (`governor`), per attempt, so retries count against it too.
//! 5. Counting: every attempt, by status, and the retries among them (see [`crate::metrics`]).
//!
//! Whether a request is a read is the tool's nature, carried in the request's extensions as
//! [`Access`], not its HTTP method: Thruk's `/logs` is read with a POST.

use crate::catalog::Access;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota};
use http::Extensions;
use reqwest::{Request, Response, StatusCode};
use reqwest_middleware::{Middleware, Next};
use reqwest_retry::policies::ExponentialBackoff;
use reqwest_retry::{
    Jitter, RetryTransientMiddleware, Retryable, RetryableStrategy, default_on_request_failure,
    default_on_request_success,
};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// Retry bounds of one backend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetrySettings {
    /// Retries after the first attempt (0 = no retries).
    pub retries: u32,
    /// First backoff sleep; each next one doubles, with jitter.
    pub min_backoff: Duration,
    /// Cap on one backoff sleep.
    pub max_backoff: Duration,
    /// Longest `Retry-After` the gateway waits out; a longer one is returned to the caller.
    pub max_retry_after: Duration,
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings {
            retries: 2,
            min_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

/// An upstream request rate: `count` requests per `per`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub count: NonZeroU32,
    pub per: Duration,
}

impl Rate {
    /// Parses `10`, `10/s`, `600/m` or `3600/h`.
    pub fn parse(text: &str) -> Option<Rate> {
        let (n, unit) = match text.trim().split_once('/') {
            Some((n, u)) => (n.trim(), u.trim()),
            None => (text.trim(), "s"),
        };
        let per = match unit {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return None,
        };
        let count = NonZeroU32::new(n.parse().ok()?)?;
        Some(Rate { count, per })
    }

    pub fn quota(self) -> Option<Quota> {
        Quota::with_period(self.per / self.count.get()).map(|q| q.allow_burst(self.count))
    }
}

/// The middleware error of a request held back by the rate limit for too long.
#[derive(Debug, thiserror::Error)]
#[error("the upstream rate limit allows the next request in {wait:?}")]
pub struct RateLimitWait {
    pub wait: Duration,
}

/// The parsed value of a `Retry-After` header (seconds or HTTP-date), from now.
pub fn retry_after(response: &Response) -> Option<Duration> {
    let value = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.timestamp_millis() - chrono::Utc::now().timestamp_millis();
    Some(Duration::from_millis(wait.max(0) as u64))
}

fn has_retry_after(response: &Response) -> bool {
    matches!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    ) && retry_after(response).is_some()
}

/// Applies the inner middleware only to requests of one access kind.
struct ForAccess<M> {
    access: Access,
    inner: M,
}

#[async_trait::async_trait]
impl<M: Middleware> Middleware for ForAccess<M> {
    async fn handle(
        &self,
        req: Request,
        ext: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let access = ext.get::<Access>().copied().unwrap_or(Access::Write);
        let applies = match self.access {
            Access::Read => access == Access::Read,
            _ => access != Access::Read,
        };
        if applies {
            self.inner.handle(req, ext, next).await
        } else {
            next.run(req, ext).await
        }
    }
}

/// Transient failures of reads, leaving answers with a `Retry-After` to the outer layer.
struct ReadStrategy;

impl RetryableStrategy for ReadStrategy {
    fn handle(&self, res: &Result<Response, reqwest_middleware::Error>) -> Option<Retryable> {
        match res {
            Ok(r) if has_retry_after(r) => None,
            Ok(r) => default_on_request_success(r),
            Err(e) => default_on_request_failure(e),
        }
    }
}

/// Writes: only failures that prove the request never left this host.
struct WriteStrategy;

impl RetryableStrategy for WriteStrategy {
    fn handle(&self, res: &Result<Response, reqwest_middleware::Error>) -> Option<Retryable> {
        match res {
            Err(reqwest_middleware::Error::Reqwest(e)) if e.is_connect() => {
                Some(Retryable::Transient)
            }
            Ok(_) => None,
            Err(_) => Some(Retryable::Fatal),
        }
    }
}

/// Waits out a `Retry-After` within a bound, then tries again.
struct RetryAfter {
    settings: RetrySettings,
}

#[async_trait::async_trait]
impl Middleware for RetryAfter {
    async fn handle(
        &self,
        req: Request,
        ext: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let mut attempt = 0;
        loop {
            let Some(copy) = req.try_clone() else {
                return next.run(req, ext).await;
            };
            let response = next.clone().run(copy, ext).await?;
            let wait = retry_after(&response).filter(|_| has_retry_after(&response));
            match wait {
                Some(wait)
                    if attempt < self.settings.retries && wait <= self.settings.max_retry_after =>
                {
                    tracing::warn!(
                        status = response.status().as_u16(),
                        ?wait,
                        attempt = attempt + 1,
                        "upstream asked to retry later; waiting"
                    );
                    drop(response);
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                _ => return Ok(response),
            }
        }
    }
}

/// Holds requests back to the configured upstream rate.
struct RateLimit {
    limiter: DefaultDirectRateLimiter,
    max_wait: Duration,
}

#[async_trait::async_trait]
impl Middleware for RateLimit {
    async fn handle(
        &self,
        req: Request,
        ext: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        if let Err(not_until) = self.limiter.check() {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            if wait > self.max_wait {
                return Err(reqwest_middleware::Error::middleware(RateLimitWait {
                    wait,
                }));
            }
            self.limiter.until_ready().await;
        }
        next.run(req, ext).await
    }
}

/// Attempts made so far for one request, shared by its retries through the extensions.
#[derive(Debug, Clone, Default)]
pub struct Attempts(Arc<std::sync::atomic::AtomicU32>);

/// Counts each attempt that reaches the network, and whether it is a retry.
struct CountAttempts {
    label: String,
}

#[async_trait::async_trait]
impl Middleware for CountAttempts {
    async fn handle(
        &self,
        req: Request,
        ext: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let before = ext
            .get::<Attempts>()
            .map(|a| a.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
            .unwrap_or(0);
        let result = next.run(req, ext).await;
        let status = result.as_ref().ok().map(|r| r.status().as_u16());
        crate::metrics::metrics().upstream_attempt(&self.label, status, before > 0);
        result
    }
}

/// Builds the middleware client around a plain reqwest client.
pub fn build(
    http: reqwest::Client,
    retry: RetrySettings,
    rate: Option<Rate>,
    max_rate_wait: Duration,
    label: &str,
) -> reqwest_middleware::ClientWithMiddleware {
    let policy = ExponentialBackoff::builder()
        .retry_bounds(retry.min_backoff, retry.max_backoff.max(retry.min_backoff))
        .jitter(Jitter::Bounded)
        .base(2)
        .build_with_max_retries(retry.retries);
    let mut builder = reqwest_middleware::ClientBuilder::new(http);
    if retry.retries > 0 {
        builder = builder
            .with(ForAccess {
                access: Access::Read,
                inner: RetryAfter { settings: retry },
            })
            .with(ForAccess {
                access: Access::Read,
                inner: RetryTransientMiddleware::new_with_policy_and_strategy(policy, ReadStrategy),
            })
            .with(ForAccess {
                access: Access::Write,
                inner: RetryTransientMiddleware::new_with_policy_and_strategy(
                    policy,
                    WriteStrategy,
                ),
            });
    }
    if let Some(quota) = rate.and_then(Rate::quota) {
        builder = builder.with_arc(Arc::new(RateLimit {
            limiter: governor::RateLimiter::direct(quota),
            max_wait: max_rate_wait,
        }));
    }
    builder
        .with(CountAttempts {
            label: label.to_string(),
        })
        .build()
}

/// Unwraps the errors the retry layers wrap around the real one.
pub fn innermost(e: &reqwest_middleware::Error) -> (&reqwest_middleware::Error, u32) {
    if let reqwest_middleware::Error::Middleware(any) = e
        && let Some(retry) = any.downcast_ref::<reqwest_retry::RetryError>()
    {
        return match retry {
            reqwest_retry::RetryError::WithRetries { retries, err } => {
                let (inner, more) = innermost(err);
                (inner, retries + more)
            }
            reqwest_retry::RetryError::Error(err) => innermost(err),
        };
    }
    (e, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        let r = Rate::parse("10").expect("rate");
        assert_eq!((r.count.get(), r.per), (10, Duration::from_secs(1)));
        let r = Rate::parse(" 600 / m ").expect("rate");
        assert_eq!((r.count.get(), r.per), (600, Duration::from_secs(60)));
        assert!(Rate::parse("0").is_none());
        assert!(Rate::parse("5/fortnight").is_none());
        assert!(Rate::parse("fast").is_none());
    }
}
