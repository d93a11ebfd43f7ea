use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Claim, DIGEST_LEN, DedupStore, StoreFuture, Token};
use crate::clock::{Clock, SystemClock};
use crate::sync::lock;

/// Number of lock shards (a power of two).
const SHARDS: usize = 64;

/// A key as the store remembers it: a 128-bit keyed fingerprint (see [`Keyer`]).
type Fp = u128;
/// A key's place in one [`MemoryStore`]: its fingerprint under that store's keys.
#[derive(Clone, Copy, Default)]
pub(crate) struct Located(Fp);
/// The tables' hasher: fingerprints are already uniformly random, so it only folds them.
type FpHash = BuildHasherDefault<FoldFp>;
/// A shard sweeps out claims whose lease ran out unsettled once it holds this many.
const SWEEP_FROM: usize = 256;
/// Expired completed keys reclaimed per completion (more than the one a completion adds, so
/// the backlog of expired keys shrinks while deliveries arrive).
const RECLAIM_PER_COMPLETE: usize = 4;

/// In-process store: 64 lock shards, each with a table of the claims in flight and a table of
/// the completed keys kept in completion order. The default.
///
/// Keys are remembered by a 128-bit fingerprint: two SipHash-1-3 hashes of the key under
/// random keys drawn when the store is built (the standard library's `RandomState`). Nothing
/// outside the process ever sees a fingerprint, so a sender cannot aim at a collision, and the
/// chance that any two of a million keys collide by accident is about 10⁻²⁷. In exchange a
/// key costs no allocation and no pointer to chase, and delivery ids are not kept in memory.
///
/// Every operation on a key runs under the lock of that key's shard, so claim, complete and
/// release are atomic per key. A claim in flight lives in its shard's flight table (a delivery
/// is in flight for milliseconds, there are as many as requests being handled); completing it
/// moves it to the shard's completed table, which remembers it for the TTL. A fresh delivery
/// costs, per key, its fingerprint and two lookups and two inserts under an uncontended lock;
/// nothing is allocated unless a table grows.
///
/// Leases and TTLs are checked against the store's [`Clock`] on every read, to the millisecond.
/// Memory is reclaimed in completion order: each completion also drops a few of the oldest
/// completed keys whose TTL has passed (with TTLs that differ between completions, a key may
/// wait behind an older one with a longer TTL; it is already treated as expired). The store is
/// bounded (default 1,000,000 completed keys, shared out over the shards): when a shard is full,
/// its oldest completed key gives way, the one a sender is least likely to retry. A new key is
/// never refused. Claims in flight are bounded the same way (the oldest claim gives way to a new
/// one), and claims whose lease ran out unsettled are taken over by the next claim of their key
/// and swept out of a shard that grows.
///
/// A completed key costs about 175 bytes whatever its length: fingerprint, 32-byte body digest
/// and expiry in the table, and a slot in the completion order (measured at 1M keys in
/// BENCHMARKS.md; the figure moves with how full the doubling tables are).
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
    shards: Box<[Mutex<Shard>]>,
    keyer: Keyer,
    /// Most completed keys, and most claims in flight, per shard (`max_entries` shared out,
    /// rounded up).
    per_shard: usize,
    clock: Arc<dyn Clock>,
}

#[derive(Default)]
struct Shard {
    flights: HashMap<Fp, Flight, FpHash>,
    /// Sweep expired leases when the flight table reaches this size.
    sweep_at: usize,
    done: HashMap<Fp, Done, FpHash>,
    /// Completed keys in completion order with the expiry they were written with. A record
    /// whose key was since removed or completed again (another expiry) is stale and skipped.
    order: VecDeque<(Fp, u64)>,
}

struct Flight {
    token: Token,
    digest: [u8; DIGEST_LEN],
    /// Lease end, in the store clock's milliseconds.
    expires_at: u64,
}

struct Done {
    digest: [u8; DIGEST_LEN],
    /// Expiry, in the store clock's milliseconds.
    expires_at: u64,
}

impl Shard {
    /// Pop the oldest completion record; remove its key if the record is current.
    /// Returns `None` when the order is empty.
    fn pop_oldest(&mut self) -> Option<bool> {
        let (key, expires_at) = self.order.pop_front()?;
        let current = self
            .done
            .get(&key)
            .is_some_and(|d| d.expires_at == expires_at);
        if current {
            self.done.remove(&key);
        }
        Some(current)
    }

    /// Drop up to `n` of the oldest completed keys whose TTL has passed.
    fn reclaim_expired(&mut self, now: u64, n: usize) {
        for _ in 0..n {
            match self.order.front() {
                Some((_, expires_at)) if *expires_at <= now => {
                    self.pop_oldest();
                }
                _ => break,
            }
        }
    }

    /// Make room for one more completed key: evict the oldest current one.
    fn evict_oldest_done(&mut self) {
        while let Some(removed) = self.pop_oldest() {
            if removed {
                return;
            }
        }
    }

    /// Drop stale records once they outnumber the keys (keys completed again after their TTL
    /// leave one behind each), so the order stays within twice the table.
    fn compact_order(&mut self) {
        if self.order.len() > 2 * self.done.len() + SWEEP_FROM {
            let done = &self.done;
            self.order
                .retain(|(k, e)| done.get(k).is_some_and(|d| d.expires_at == *e));
        }
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
    /// Most completed keys kept at once (default 1,000,000), shared out over 64 shards. When a
    /// shard is full, its oldest completed key is evicted to make room: size it above
    /// deliveries-per-TTL.
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
                shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
                keyer: Keyer::new(),
                per_shard: usize::try_from(self.max_entries.div_ceil(SHARDS as u64))
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

    /// Number of keys held, completed or in flight (including expired ones not reclaimed yet).
    pub fn len(&self) -> u64 {
        self.inner
            .shards
            .iter()
            .map(|s| {
                let s = lock(s);
                (s.flights.len() + s.done.len()) as u64
            })
            .sum()
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where the store keeps `key`: its fingerprint, computed once for every operation on
    /// the key (the guard keeps it from the claim to the completion).
    pub(crate) fn locate(&self, key: &str) -> Located {
        self.locate_parts(&[key.as_bytes()])
    }

    /// [`locate`](MemoryStore::locate) for the key that is the concatenation of `parts`,
    /// without building it: the guard's keys are a scheme name, a kind and a value.
    pub(crate) fn locate_parts(&self, parts: &[&[u8]]) -> Located {
        Located(self.inner.keyer.fingerprint(parts))
    }

    /// The store clock's time, read once for all the keys of one delivery's operation.
    pub(crate) fn now_millis(&self) -> u64 {
        self.inner.clock.now_millis()
    }

    /// The shard that holds a fingerprint.
    fn shard(&self, fp: Fp) -> &Mutex<Shard> {
        // SHARDS is a power of two; the top bits pick the shard (the tables use the low ones).
        &self.inner.shards[(fp >> (128 - SHARDS.trailing_zeros())) as usize]
    }

    /// The synchronous claim behind [`DedupStore::claim`].
    pub fn claim_now(&self, key: &str, digest: &[u8; DIGEST_LEN], lease: Duration) -> Claim {
        let now = self.now_millis();
        self.claim_at(self.locate(key), digest, lease, now)
    }

    /// [`claim_now`](MemoryStore::claim_now) of a located key at a given time.
    pub(crate) fn claim_at(
        &self,
        at: Located,
        digest: &[u8; DIGEST_LEN],
        lease: Duration,
        now: u64,
    ) -> Claim {
        let key = at.0;
        let shard = self.shard(key);
        let mut guard = lock(shard);
        let shard = &mut *guard;
        if let Some(f) = shard.flights.get(&key)
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
        if let Some(d) = shard.done.get(&key) {
            if d.expires_at > now {
                return if d.digest != *digest {
                    Claim::Conflict
                } else {
                    Claim::Done
                };
            }
            // Expired: forget it now (its completion record turns stale).
            shard.done.remove(&key);
        }
        let token = Token::new();
        let flight = Flight {
            token,
            digest: *digest,
            expires_at: now.saturating_add(millis(lease)),
        };
        match shard.flights.get_mut(&key) {
            Some(stale) => *stale = flight,
            None => {
                let cap = self.inner.per_shard;
                if shard.flights.len() >= shard.sweep_at.max(SWEEP_FROM).min(cap) {
                    shard.flights.retain(|_, f| f.expires_at > now);
                    shard.sweep_at = shard.flights.len() * 2;
                }
                if shard.flights.len() >= cap {
                    // Bounded like the completed keys: give up the oldest claim.
                    let oldest = shard
                        .flights
                        .iter()
                        .min_by_key(|(_, f)| f.expires_at)
                        .map(|(k, _)| *k);
                    if let Some(oldest) = oldest {
                        shard.flights.remove(&oldest);
                    }
                }
                shard.flights.insert(key, flight);
            }
        }
        Claim::Fresh(token)
    }

    /// The synchronous complete behind [`DedupStore::complete`].
    pub fn complete_now(&self, key: &str, token: &Token, ttl: Duration) -> bool {
        let now = self.now_millis();
        self.complete_at(self.locate(key), token, ttl, now)
    }

    /// [`complete_now`](MemoryStore::complete_now) of a located key at a given time.
    pub(crate) fn complete_at(&self, at: Located, token: &Token, ttl: Duration, now: u64) -> bool {
        let key = at.0;
        let mut guard = lock(self.shard(key));
        let shard = &mut *guard;
        if !shard.flights.get(&key).is_some_and(|f| f.token == *token) {
            return false;
        }
        let Some(flight) = shard.flights.remove(&key) else {
            return false;
        };
        shard.reclaim_expired(now, RECLAIM_PER_COMPLETE);
        let expires_at = now.saturating_add(millis(ttl));
        shard.order.push_back((key, expires_at));
        let done = Done {
            digest: flight.digest,
            expires_at,
        };
        if shard.done.insert(key, done).is_none() && shard.done.len() > self.inner.per_shard {
            // Every current key has one record, so an older current one is ahead of this one.
            shard.evict_oldest_done();
        }
        shard.compact_order();
        true
    }

    /// The synchronous release behind [`DedupStore::release`].
    pub fn release_now(&self, key: &str, token: &Token) -> bool {
        self.release_at(self.locate(key), token)
    }

    /// [`release_now`](MemoryStore::release_now) of a located key.
    pub(crate) fn release_at(&self, at: Located, token: &Token) -> bool {
        let key = at.0;
        let mut shard = lock(self.shard(key));
        if !shard.flights.get(&key).is_some_and(|f| f.token == *token) {
            return false;
        }
        shard.flights.remove(&key).is_some()
    }
}

/// Turns keys into fingerprints: two independently keyed SipHash-1-3 hashes, 128 bits.
struct Keyer {
    high: RandomState,
    low: RandomState,
}

impl Keyer {
    fn new() -> Keyer {
        // Each `RandomState::new()` has its own keys (the std library derives them from one
        // random seed per thread, moving on for every new state).
        Keyer {
            high: RandomState::new(),
            low: RandomState::new(),
        }
    }

    /// The fingerprint of the key made of `parts` end to end. SipHash is a stream: the parts
    /// give the hash of their concatenation, however the key is cut. A final `0xFF` (never in
    /// UTF-8 text) ends the key.
    fn fingerprint(&self, parts: &[&[u8]]) -> Fp {
        let hash = |state: &RandomState| {
            let mut h = state.build_hasher();
            for part in parts {
                h.write(part);
            }
            h.write_u8(0xFF);
            h.finish()
        };
        (u128::from(hash(&self.high)) << 64) | u128::from(hash(&self.low))
    }
}

/// Hashes a fingerprint for the tables by folding it (it is random already).
#[derive(Default)]
struct FoldFp(u64);

impl Hasher for FoldFp {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Not reached for `u128` keys; kept correct for any other input.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u128(&mut self, fp: u128) {
        self.0 = (fp as u64) ^ ((fp >> 64) as u64);
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
            .field("keys", &self.len())
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

    fn as_memory(&self) -> Option<&MemoryStore> {
        Some(self)
    }

    fn keyspace(&self) -> Option<String> {
        Some(format!("memory@{:p}", Arc::as_ptr(&self.inner)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    const D: [u8; DIGEST_LEN] = [5; DIGEST_LEN];
    const LEASE: Duration = Duration::from_secs(60);
    const HOUR: Duration = Duration::from_secs(3600);

    fn store(max_entries: u64) -> (MemoryStore, ManualClock) {
        let clock = ManualClock::at_secs(1_800_000_000);
        let store = MemoryStore::builder()
            .max_entries(max_entries)
            .clock(clock.clone())
            .build();
        (store, clock)
    }

    fn complete(store: &MemoryStore, key: &str, ttl: Duration) {
        let Claim::Fresh(t) = store.claim_now(key, &D, LEASE) else {
            panic!("{key} is new");
        };
        assert!(store.complete_now(key, &t, ttl));
    }

    /// `n` distinct keys that all land in the same shard as `first`.
    fn same_shard(store: &MemoryStore, first: &str, n: usize) -> Vec<String> {
        let target: *const Mutex<Shard> = store.shard(store.locate(first).0);
        (0..)
            .map(|i| format!("{first}-{i}"))
            .filter(|k| std::ptr::eq(store.shard(store.locate(k).0), target))
            .take(n)
            .collect()
    }

    fn shard_sizes(store: &MemoryStore, key: &str) -> (usize, usize) {
        let s = lock(store.shard(store.locate(key).0));
        (s.done.len(), s.order.len())
    }

    #[test]
    fn fingerprints_are_distinct_and_keyed_per_store() {
        let (a, _) = store(10);
        let (b, _) = store(10);
        let mut seen = std::collections::HashSet::new();
        for i in 0..100_000 {
            let key = format!("heppu:id:msg_{i}");
            assert!(seen.insert(a.locate(&key).0), "{key} collides");
        }
        // Each store draws its own keys: the same key gets another fingerprint.
        assert_ne!(a.locate("heppu:id:msg_1").0, b.locate("heppu:id:msg_1").0);
        // The two halves are hashed under different keys.
        let fp = a.locate("heppu:id:msg_1").0;
        assert_ne!(fp >> 64, fp & u128::from(u64::MAX));
    }

    #[test]
    fn a_key_in_parts_is_the_key_whole() {
        let (a, _) = store(10);
        let whole = a.locate("heppu:sig:0123456789abcdef").0;
        for cut in [
            &[&b"heppu"[..], b":sig:", b"0123456789abcdef"][..],
            &[b"he", b"ppu:s", b"ig:0123456789ab", b"", b"cdef"],
            &[b"heppu:sig:0123456789abcdef", b""],
        ] {
            assert_eq!(a.locate_parts(cut).0, whole);
        }
        // A key and a longer one that starts with it differ.
        assert_ne!(a.locate("heppu:id:1").0, a.locate("heppu:id:12").0);
    }

    #[test]
    fn expired_keys_are_reclaimed_by_later_completions() {
        let (store, clock) = store(1_000_000);
        let keys = same_shard(&store, "k", 20);
        for k in &keys[..10] {
            complete(&store, k, HOUR);
        }
        assert_eq!(shard_sizes(&store, "k"), (10, 10));
        clock.advance(HOUR);
        // Each completion drops up to RECLAIM_PER_COMPLETE expired keys, oldest first.
        complete(&store, &keys[10], HOUR);
        assert_eq!(shard_sizes(&store, "k"), (7, 7));
        complete(&store, &keys[11], HOUR);
        complete(&store, &keys[12], HOUR);
        assert_eq!(
            shard_sizes(&store, "k"),
            (3, 3),
            "only the live keys are left"
        );
        assert_eq!(store.claim_now(&keys[12], &D, LEASE), Claim::Done);
        assert!(matches!(
            store.claim_now(&keys[0], &D, LEASE),
            Claim::Fresh(_)
        ));
    }

    #[test]
    fn a_full_shard_evicts_its_oldest_completed_key() {
        // 64 keys over 64 shards: one completed key per shard.
        let (store, _clock) = store(64);
        let keys = same_shard(&store, "e", 3);
        complete(&store, &keys[0], HOUR);
        complete(&store, &keys[1], HOUR);
        assert_eq!(shard_sizes(&store, "e"), (1, 1));
        assert_eq!(store.claim_now(&keys[1], &D, LEASE), Claim::Done);
        assert!(matches!(
            store.claim_now(&keys[0], &D, LEASE),
            Claim::Fresh(_)
        ));
        // Across the store: never more than max_entries completed keys (plus claims in flight).
        for i in 0..2_000 {
            complete(&store, &format!("many-{i}"), HOUR);
        }
        let done: usize = store.inner.shards.iter().map(|s| lock(s).done.len()).sum();
        assert!(done <= 64, "{done} completed keys held");
        assert_eq!(store.claim_now("many-1999", &D, LEASE), Claim::Done);
    }

    #[test]
    fn a_stale_completion_record_never_removes_the_current_key() {
        let (store, clock) = store(1_000_000);
        let keys = same_shard(&store, "s", 3);
        let (long, k, other) = (&keys[0], &keys[1], &keys[2]);
        // `long` heads the order with a long TTL; `k` expires behind it and is completed again.
        complete(&store, long, 2 * HOUR);
        complete(&store, k, Duration::from_secs(10));
        clock.advance(Duration::from_secs(11));
        complete(&store, k, 24 * HOUR);
        assert_eq!(
            shard_sizes(&store, "s"),
            (2, 3),
            "k's first record is stale"
        );
        // Past `long`'s TTL: a completion reclaims `long`, skips k's stale record, keeps k.
        clock.advance(2 * HOUR);
        complete(&store, other, HOUR);
        assert_eq!(store.claim_now(k, &D, LEASE), Claim::Done);
        assert!(matches!(store.claim_now(long, &D, LEASE), Claim::Fresh(_)));
    }

    #[test]
    fn eviction_skips_stale_records() {
        // One completed key per shard; k's stale record sits ahead of its current one.
        let (store, clock) = store(64);
        let keys = same_shard(&store, "v", 2);
        complete(&store, &keys[0], Duration::from_secs(10));
        clock.advance(Duration::from_secs(11));
        complete(&store, &keys[0], HOUR);
        assert_eq!(store.claim_now(&keys[0], &D, LEASE), Claim::Done);
        complete(&store, &keys[1], HOUR);
        assert_eq!(shard_sizes(&store, "v"), (1, 1));
        assert_eq!(store.claim_now(&keys[1], &D, LEASE), Claim::Done);
    }

    #[test]
    fn stale_records_stay_bounded() {
        let (store, clock) = store(1_000_000);
        let keys = same_shard(&store, "b", 2);
        // `long` blocks reclaiming from the front; `k` expires and is completed again, and again.
        complete(&store, &keys[0], 1_000 * HOUR);
        for _ in 0..5_000 {
            complete(&store, &keys[1], Duration::from_secs(1));
            clock.advance(Duration::from_secs(2));
        }
        let (done, order) = shard_sizes(&store, "b");
        assert_eq!(done, 2);
        assert!(order <= 2 * done + SWEEP_FROM + 1, "{order} records");
    }
}
