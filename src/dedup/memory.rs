use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use moka::Expiry;
use moka::ops::compute::{CompResult, Op};
use moka::policy::EvictionPolicy;

use super::{Claim, DIGEST_LEN, DedupStore, StoreFuture, Token};
use crate::clock::{Clock, SystemClock};

/// In-process store on a bounded [moka](https://docs.rs/moka) cache. The default.
///
/// Claims are atomic per key (moka's `and_compute_with`); leases and TTLs are checked against
/// the store's [`Clock`] and also set as per-entry expiry so memory is reclaimed. The cache is
/// bounded (default 1,000,000 keys) and evicts least-recently-used keys when full; it never
/// refuses a new claim (moka's default frequency-based admission could, so it is not used).
///
/// ```
/// use webhook_guard::dedup::MemoryStore;
///
/// let store = MemoryStore::builder().max_entries(50_000).build();
/// ```
#[derive(Clone)]
pub struct MemoryStore {
    cache: moka::sync::Cache<Arc<str>, Entry>,
    clock: Arc<dyn Clock>,
}

#[derive(Clone)]
struct Entry {
    done: bool,
    token: Token,
    digest: [u8; DIGEST_LEN],
    /// Logical expiry, in the store clock's milliseconds.
    expires_at: u64,
    /// Lifetime given when written, for moka's per-entry expiry.
    lifetime: Duration,
}

struct EntryExpiry;

impl Expiry<Arc<str>, Entry> for EntryExpiry {
    fn expire_after_create(
        &self,
        _: &Arc<str>,
        value: &Entry,
        _: std::time::Instant,
    ) -> Option<Duration> {
        Some(value.lifetime)
    }
    fn expire_after_update(
        &self,
        _: &Arc<str>,
        value: &Entry,
        _: std::time::Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.lifetime)
    }
}

/// Builder for a [`MemoryStore`].
#[must_use]
pub struct MemoryStoreBuilder {
    max_entries: u64,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for MemoryStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStoreBuilder")
            .field("max_entries", &self.max_entries)
            .finish_non_exhaustive()
    }
}

impl MemoryStoreBuilder {
    /// Most keys kept at once (default 1,000,000). When full, the least recently used key is
    /// evicted to make room: size it above deliveries-per-TTL.
    pub fn max_entries(mut self, n: u64) -> Self {
        self.max_entries = n;
        self
    }

    /// Check leases and TTLs against this clock (for tests).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Build the store.
    pub fn build(self) -> MemoryStore {
        MemoryStore {
            cache: moka::sync::Cache::builder()
                .max_capacity(self.max_entries)
                .eviction_policy(EvictionPolicy::lru())
                .expire_after(EntryExpiry)
                .build(),
            clock: self.clock,
        }
    }
}

impl MemoryStore {
    /// Start configuring a store.
    pub fn builder() -> MemoryStoreBuilder {
        MemoryStoreBuilder {
            max_entries: 1_000_000,
            clock: Arc::new(SystemClock),
        }
    }

    /// Number of keys held (approximate: moka applies pending writes lazily).
    pub fn len(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.entry_count()
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The synchronous claim behind [`DedupStore::claim`].
    pub fn claim_now(&self, key: &str, digest: &[u8; DIGEST_LEN], lease: Duration) -> Claim {
        let now = self.clock.now_millis();
        let mut outcome = None;
        self.cache
            .entry(Arc::from(key))
            .and_compute_with(|current| match current.map(|e| e.into_value()) {
                Some(e) if e.expires_at > now => {
                    outcome = Some(if e.digest != *digest {
                        Claim::Conflict
                    } else if e.done {
                        Claim::Done
                    } else {
                        Claim::InFlight {
                            retry_after: Duration::from_millis(e.expires_at - now),
                        }
                    });
                    Op::Nop
                }
                _ => {
                    let token = Token::new();
                    outcome = Some(Claim::Fresh(token));
                    Op::Put(Entry {
                        done: false,
                        token,
                        digest: *digest,
                        expires_at: now.saturating_add(millis(lease)),
                        lifetime: lease,
                    })
                }
            });
        outcome.expect("the compute closure always runs")
    }

    /// The synchronous complete behind [`DedupStore::complete`].
    pub fn complete_now(&self, key: &str, token: &Token, ttl: Duration) -> bool {
        let now = self.clock.now_millis();
        let result = self
            .cache
            .entry(Arc::from(key))
            .and_compute_with(|current| match current.map(|e| e.into_value()) {
                Some(e) if !e.done && e.token == *token => Op::Put(Entry {
                    done: true,
                    expires_at: now.saturating_add(millis(ttl)),
                    lifetime: ttl,
                    ..e
                }),
                _ => Op::Nop,
            });
        matches!(result, CompResult::ReplacedWith(_))
    }

    /// The synchronous release behind [`DedupStore::release`].
    pub fn release_now(&self, key: &str, token: &Token) -> bool {
        let result = self
            .cache
            .entry(Arc::from(key))
            .and_compute_with(|current| match current.map(|e| e.into_value()) {
                Some(e) if !e.done && e.token == *token => Op::Remove,
                _ => Op::Nop,
            });
        matches!(result, CompResult::Removed(_))
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::builder().build()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("entries", &self.cache.entry_count())
            .finish_non_exhaustive()
    }
}

impl DedupStore for MemoryStore {
    fn claim<'a>(
        &'a self,
        key: &'a str,
        digest: &'a [u8; DIGEST_LEN],
        lease: Duration,
    ) -> StoreFuture<'a, Claim> {
        let claim = self.claim_now(key, digest, lease);
        Box::pin(std::future::ready(Ok(claim)))
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        token: &'a Token,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        let done = self.complete_now(key, token, ttl);
        Box::pin(std::future::ready(Ok(done)))
    }

    fn release<'a>(&'a self, key: &'a str, token: &'a Token) -> StoreFuture<'a, bool> {
        let released = self.release_now(key, token);
        Box::pin(std::future::ready(Ok(released)))
    }
}
