//! The read cache and request coalescing (moka).
//!
//! Every read goes through here unless caching is turned off. Identical reads in flight at the
//! same time share one upstream request; a read whose endpoint or tool declares a TTL in the
//! catalog keeps its answer that long. The key is everything that changes the answer: method,
//! path, query, body and the credential headers sent, so two callers with different keys never
//! share an entry. Errors are never stored, writes never come here, and the cache is bounded in
//! bytes of JSON.

use crate::error::ToolError;
use moka::Expiry;
use moka::future::Cache;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Everything that makes two reads the same read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub method: &'static str,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: String,
    /// The credential and identity headers sent (name, value).
    pub credentials: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, Clone)]
struct Entry {
    value: Arc<Value>,
    ttl: Duration,
    weight: u32,
}

struct PerEntryTtl;

impl Expiry<CacheKey, Entry> for PerEntryTtl {
    fn expire_after_create(
        &self,
        _key: &CacheKey,
        value: &Entry,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// The cache of one backend instance.
pub struct ReadCache {
    cache: Cache<CacheKey, Entry>,
    /// The instance's name in metrics.
    label: String,
}

impl ReadCache {
    /// A cache holding at most `max_bytes` of JSON answers.
    pub fn new(max_bytes: u64, label: &str) -> Self {
        ReadCache {
            label: label.to_string(),
            cache: Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|_k: &CacheKey, e: &Entry| e.weight)
                .expire_after(PerEntryTtl)
                .build(),
        }
    }

    /// Answers from the cache, or runs `fetch` once for every concurrent caller with this key.
    /// `ttl` zero coalesces without keeping the answer.
    pub async fn get_or_fetch<F>(
        &self,
        key: CacheKey,
        ttl: Duration,
        fetch: F,
    ) -> Result<Value, ToolError>
    where
        F: Future<Output = Result<(Value, usize), ToolError>>,
    {
        let fetched = std::sync::atomic::AtomicBool::new(false);
        // An answer that is only coalesced is taken out at once, so that the last caller to
        // hold it can have it without a copy.
        let coalesce_only = ttl.is_zero().then(|| key.clone());
        let entry = self
            .cache
            .try_get_with(key, async {
                fetched.store(true, std::sync::atomic::Ordering::Relaxed);
                let (value, size) = fetch.await?;
                Ok::<_, ToolError>(Entry {
                    value: Arc::new(value),
                    ttl,
                    weight: u32::try_from(size).unwrap_or(u32::MAX),
                })
            })
            .await
            .map_err(|e: Arc<ToolError>| (*e).clone());
        let hit = !fetched.load(std::sync::atomic::Ordering::Relaxed);
        crate::metrics::metrics().cache_lookup(&self.label, hit);
        let value = entry?.value;
        if let Some(key) = coalesce_only {
            self.cache.invalidate(&key).await;
            self.cache.run_pending_tasks().await;
        }
        Ok(Arc::try_unwrap(value).unwrap_or_else(|shared| (*shared).clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn key(path: &str, cred: &str) -> CacheKey {
        CacheKey {
            method: "GET",
            path: path.into(),
            query: vec![],
            body: String::new(),
            credentials: vec![("x-key".into(), cred.as_bytes().to_vec())],
        }
    }

    #[tokio::test]
    async fn concurrent_reads_coalesce_and_ttl_keeps_answers() {
        let cache = ReadCache::new(1 << 20, "test");
        let calls = AtomicUsize::new(0);
        let fetch = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok((json!({"n": 1}), 8))
        };
        let all = futures::future::join_all(
            (0..10).map(|_| cache.get_or_fetch(key("/a", "k1"), Duration::ZERO, fetch())),
        )
        .await;
        assert!(all.iter().all(|r| r.as_ref().is_ok_and(|v| v["n"] == 1)));
        assert_eq!(calls.load(Ordering::SeqCst), 1, "coalesced");
        // TTL zero keeps nothing.
        cache
            .get_or_fetch(key("/a", "k1"), Duration::ZERO, fetch())
            .await
            .ok();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // A TTL keeps the answer, per credential.
        for _ in 0..3 {
            cache
                .get_or_fetch(key("/b", "k1"), Duration::from_secs(60), fetch())
                .await
                .ok();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        cache
            .get_or_fetch(key("/b", "k2"), Duration::from_secs(60), fetch())
            .await
            .ok();
        assert_eq!(calls.load(Ordering::SeqCst), 4, "another key never shares");
    }

    #[tokio::test]
    async fn errors_are_shared_but_never_kept() {
        let cache = ReadCache::new(1 << 20, "test");
        let calls = AtomicUsize::new(0);
        let failing = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(Value, usize), _>(ToolError::new(ErrorCode::UpstreamError, "boom"))
        };
        let r = cache
            .get_or_fetch(key("/c", "k"), Duration::from_secs(60), failing())
            .await;
        assert!(r.is_err());
        let r = cache
            .get_or_fetch(key("/c", "k"), Duration::from_secs(60), failing())
            .await;
        assert_eq!(r.err().map(|e| e.code), Some(ErrorCode::UpstreamError));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
