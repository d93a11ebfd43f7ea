use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use moka::Expiry;
use moka::policy::EvictionPolicy;

use super::{Claim, DIGEST_LEN, DedupStore, StoreFuture, Token};
use crate::ack::lock;
use crate::clock::{Clock, SystemClock};

/// Number of lock shards for the claims in flight (a power of two).
const SHARDS: usize = 64;

/// Keys reach the store only from verified deliveries, so the hashers need speed more than
/// flooding resistance; foldhash is still seeded per process.
type Hasher = foldhash::fast::RandomState;
/// A shard sweeps out claims whose lease ran out unsettled once it holds this many.
const SWEEP_FROM: usize = 256;

/// In-process store: a bounded [moka](https://docs.rs/moka) cache of completed keys, and a
/// small sharded table of the claims in flight. The default.
///
/// Every operation on a key runs under the lock of that key's shard, so claim, complete and
/// release are atomic per key. A claim in flight lives only in its shard's table (a delivery
/// is in flight for milliseconds, there are as many as requests being handled); completing it
/// moves it into the cache, which remembers it for the TTL. A fresh delivery therefore costs
/// one cache lookup and one cache insert per key, the least a remembered key can cost (an
/// earlier version ran two atomic `and_compute_with` per key on a single cache: three times
/// the instructions).
///
/// Leases and TTLs are checked against the store's [`Clock`]; the TTL is also each cached
/// entry's expiry, so memory is reclaimed. The cache is bounded (default 1,000,000 completed
/// keys) and evicts the least recently used key when full; it never refuses a new key (moka's
/// default frequency-based admission could, so it is not used). Claims in flight are bounded
/// the same way (`max_entries` shared out over the shards; the oldest claim gives way to a new
/// one), and claims whose lease ran out unsettled are taken over by the next claim of their key
/// and swept out of a shard that grows.
///
/// ```
/// use webhook_guard::dedup::MemoryStore;
///
/// let store = MemoryStore::builder().max_entries(50_000).build();
/// ```
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

struct Inner {
    /// Completed keys.
    done: moka::sync::Cache<Box<str>, Done, Hasher>,
    /// Claims in flight, by shard.
    flights: Box<[Mutex<Shard>]>,
    shard_hasher: Hasher,
    /// Most claims in flight per shard (`max_entries` shared out, rounded up).
    flights_per_shard: usize,
    clock: Arc<dyn Clock>,
}

#[derive(Default)]
struct Shard {
    map: HashMap<Box<str>, Flight, Hasher>,
    /// Sweep expired leases when the map reaches this size.
    sweep_at: usize,
}

struct Flight {
    token: Token,
    digest: [u8; DIGEST_LEN],
    /// Lease end, in the store clock's milliseconds.
    expires_at: u64,
}

#[derive(Clone)]
struct Done {
    digest: [u8; DIGEST_LEN],
    /// Logical expiry, in the store clock's milliseconds.
    expires_at: u64,
    /// The TTL it was written with, for moka's per-entry expiry.
    lifetime: Duration,
}

struct DoneExpiry;

impl Expiry<Box<str>, Done> for DoneExpiry {
    fn expire_after_create(
        &self,
        _: &Box<str>,
        value: &Done,
        _: std::time::Instant,
    ) -> Option<Duration> {
        Some(value.lifetime)
    }
    fn expire_after_update(
        &self,
        _: &Box<str>,
        value: &Done,
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
    /// Most completed keys kept at once (default 1,000,000). When full, the least recently used
    /// key is evicted to make room: size it above deliveries-per-TTL.
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
            inner: Arc::new(Inner {
                done: moka::sync::Cache::builder()
                    .max_capacity(self.max_entries)
                    .eviction_policy(EvictionPolicy::lru())
                    .expire_after(DoneExpiry)
                    .build_with_hasher(Hasher::default()),
                flights: (0..SHARDS).map(|_| Mutex::default()).collect(),
                shard_hasher: Hasher::default(),
                flights_per_shard: usize::try_from(self.max_entries.div_ceil(SHARDS as u64))
                    .unwrap_or(usize::MAX)
                    .max(1),
                clock: self.clock,
            }),
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

    /// Number of keys held, completed or in flight (approximate: moka applies pending writes
    /// lazily).
    pub fn len(&self) -> u64 {
        self.inner.done.run_pending_tasks();
        let flights: usize = self.inner.flights.iter().map(|s| lock(s).map.len()).sum();
        self.inner.done.entry_count() + flights as u64
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn shard(&self, key: &str) -> &Mutex<Shard> {
        let hash = self.inner.shard_hasher.hash_one(key);
        // SHARDS is a power of two: the low bits pick the shard.
        &self.inner.flights[(hash as usize) & (SHARDS - 1)]
    }

    /// The synchronous claim behind [`DedupStore::claim`].
    pub fn claim_now(&self, key: &str, digest: &[u8; DIGEST_LEN], lease: Duration) -> Claim {
        let now = self.inner.clock.now_millis();
        let mut shard = lock(self.shard(key));
        if let Some(f) = shard.map.get(key)
            && f.expires_at > now
        {
            return if f.digest != *digest {
                Claim::Conflict
            } else {
                Claim::InFlight {
                    retry_after: Duration::from_millis(f.expires_at - now),
                }
            };
        }
        // No live claim (or one whose lease ran out: it is taken over). Completed before?
        if let Some(d) = self.inner.done.get(key)
            && d.expires_at > now
        {
            return if d.digest != *digest {
                Claim::Conflict
            } else {
                Claim::Done
            };
        }
        let token = Token::new();
        let flight = Flight {
            token,
            digest: *digest,
            expires_at: now.saturating_add(millis(lease)),
        };
        match shard.map.get_mut(key) {
            Some(stale) => *stale = flight,
            None => {
                let cap = self.inner.flights_per_shard;
                if shard.map.len() >= shard.sweep_at.max(SWEEP_FROM).min(cap) {
                    shard.map.retain(|_, f| f.expires_at > now);
                    shard.sweep_at = shard.map.len() * 2;
                }
                if shard.map.len() >= cap {
                    // Bounded like the cache: give up the oldest claim (as an LRU would).
                    let oldest = shard
                        .map
                        .iter()
                        .min_by_key(|(_, f)| f.expires_at)
                        .map(|(k, _)| k.clone());
                    if let Some(oldest) = oldest {
                        shard.map.remove(&oldest);
                    }
                }
                shard.map.insert(key.into(), flight);
            }
        }
        Claim::Fresh(token)
    }

    /// The synchronous complete behind [`DedupStore::complete`].
    pub fn complete_now(&self, key: &str, token: &Token, ttl: Duration) -> bool {
        let now = self.inner.clock.now_millis();
        let mut shard = lock(self.shard(key));
        if !shard.map.get(key).is_some_and(|f| f.token == *token) {
            return false;
        }
        let Some((key, flight)) = shard.map.remove_entry(key) else {
            return false;
        };
        // Still under the shard's lock: no claim of this key can run between the two steps.
        self.inner.done.insert(
            key,
            Done {
                digest: flight.digest,
                expires_at: now.saturating_add(millis(ttl)),
                lifetime: ttl,
            },
        );
        true
    }

    /// The synchronous release behind [`DedupStore::release`].
    pub fn release_now(&self, key: &str, token: &Token) -> bool {
        let mut shard = lock(self.shard(key));
        if !shard.map.get(key).is_some_and(|f| f.token == *token) {
            return false;
        }
        shard.map.remove(key).is_some()
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
            .field("completed", &self.inner.done.entry_count())
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
