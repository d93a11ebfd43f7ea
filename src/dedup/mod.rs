//! Exactly-once handling: deduplication and replay protection.
//!
//! Senders deliver *at least* once: they retry on timeouts and non-2xx answers (Heppu: at once,
//! then after 1 min, 5 min, 15 min and 1 h; Helix: after 1 min, 5 min, 15 min, 1 h and 6 h, the
//! last about 7.4 h after the first attempt; Stripe retries for up to 3 days). A [`DedupStore`]
//! makes the handler run once per delivery without ever dropping one whose first attempt failed:
//!
//! | the key is… | answer | handler |
//! |---|---|---|
//! | new | processed | runs |
//! | completed (handler answered 2xx) | `200 {"duplicate":true}` | not run |
//! | in flight (first attempt still running) | `409 in_flight` + `Retry-After` | not run |
//! | known with a different body | `409 id_conflict`, warning logged | not run |
//! | released (handler answered non-2xx, panicked, or its future was dropped) | processed | runs |
//!
//! Each claim is a small state machine: **claim** (with a lease, so a crashed worker cannot
//! block a delivery forever) → **complete** (kept for a TTL) or **release** (removed). Every claim
//! carries an owner [`Token`]: once a lease has expired and another worker took the key over, the
//! first worker's late complete or release changes nothing. A duplicate never gets a 2xx while its
//! original could still fail.
//!
//! Keys are `<namespace>:id:<delivery id>`, the namespace being the scheme's name unless the
//! guard was given its own (`WebhookLayer::namespace`: one per endpoint when two endpoints of a
//! sender share a store). Where the scheme does not sign its id (Heppu, Helix: the id is a plain
//! header), a second key `<namespace>:sig:<digest of the verified signature>` is claimed too, so
//! identical signed content re-sent with a changed id header is the same delivery again: a
//! duplicate (`200`) once the first completed, `409 in_flight` while it runs, never a second
//! run. Only verified requests ever reach the store.
//!
//! The default TTL is 24 h, longer than the Heppu and Helix retry schedules; for senders that
//! retry for days (Stripe: 3 days) raise it with [`Dedup::ttl`]. For Heppu, whose timestamp is
//! not signed, the TTL is also how long a captured delivery cannot be replayed.
//!
//! ```
//! use std::time::Duration;
//! use webhook_guard::dedup::{Dedup, MemoryStore};
//! use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer};
//!
//! let verifier = Verifier::new(Scheme::stripe(), Secret::new("whsec_your_stripe_signing_secret")?);
//! let layer = WebhookLayer::new(verifier.clone()).dedup(MemoryStore::default());
//! // or, with every knob:
//! let layer = WebhookLayer::new(verifier).dedup_with(
//!     Dedup::new(MemoryStore::builder().max_entries(100_000).build())
//!         .lease(Duration::from_secs(120))
//!         .ttl(Duration::from_secs(3 * 24 * 3600)),
//! );
//! # Ok::<(), webhook_guard::SecretError>(())
//! ```
//!
//! # Replays under a new id, and conflicts
//!
//! | the delivery is… | answer | handler |
//! |---|---|---|
//! | identical signed content under a new id, once the first completed | `200 {"duplicate":true}` | not run |
//! | identical signed content under a new id, while the first runs | `409 in_flight` + `Retry-After` | not run |
//! | its id seen before with a different body | `409 id_conflict` (+ warning) | not run |
//!
//! Each claim keeps a digest of its body, which tells a retry from another body under the same
//! id: the verified tag where the body alone is signed (free), else the body's XXH3-128 hash.
//! Both bodies compared were verified, so only the sender could make them differ; the digest
//! catches accidents, not attacks (BENCHMARKS.md has the cost against SHA-256).
//!
//! # Namespaces
//!
//! A guard's namespace is its scheme's name unless it is given one (`.namespace("stripe-connect")`
//! on the layer, the adapters' guards and [`guard::Guard`](crate::guard::Guard)). Give one to
//! each endpoint of a sender that shares a store with another: Stripe sends the same `evt_` id
//! to every endpoint subscribed to an event, and each must run its handler. Two guards built
//! apart with the same namespace on the same store are refused when the second is put in front
//! of its route (a panic at start-up naming the namespace); clones of one guard are one guard,
//! and replicas of one endpoint in one process (as in a test) say so with
//! `.shared_namespace()`.
//!
//! # Stores
//!
//! | store | for | a processed delivery costs | when the store fails |
//! |---|---|---|---|
//! | [`MemoryStore`] (default) | one process | a fingerprint and two table operations per key, under a shard lock | cannot fail |
//! | [`RedisStore`] (feature `redis`) | several replicas | 2 round trips (claim, complete), a duplicate 1: every key of a delivery in one Lua script | `503 store_unavailable` + `Retry-After` after 2 s |
//! | [`PostgresStore`] (feature `postgres`) | several replicas that already run PostgreSQL | 2 round trips, a duplicate 1: one statement each | `503 store_unavailable` + `Retry-After` after 2 s |
//!
//! - `MemoryStore`: 64 lock shards; bounded (default 1,000,000 keys), and when a shard is full
//!   its oldest completed key gives way, so a new claim is always stored; keys are held as
//!   128-bit keyed fingerprints, about 175 bytes each.
//! - The remote stores fail closed: a store that is down or stalls past its timeout answers
//!   `503 store_unavailable` + `Retry-After`, so the sender retries later;
//!   [`Dedup::danger_fail_open`] processes without deduplication instead. Both are logged.
//! - A claim whose answer was lost (the store ran it after the client gave up, e.g. once a
//!   frozen Redis resumes) is undone in the background (on Redis, a marker also keeps a late
//!   claim from landing), so the sender's retry a moment later is processed, not refused as in
//!   flight for the whole lease; it can never let a delivery run twice, as its owner token was
//!   never handed out. A completion or release that failed is retried the same way. The
//!   integration tests (see the test index, tests/README.md) freeze a real redis-server and
//!   PostgreSQL server with `SIGSTOP`, and kill and restart PostgreSQL, under two replicas.
//! - `PostgresStore` keeps one table (`webhook_guard_dedup`, or `.table("schema.name")?`;
//!   [`PostgresStore::migration_for`] gives its schema, [`POSTGRES_MIGRATION`] the default one);
//!   the claim is an `INSERT … ON CONFLICT DO UPDATE` that takes over only expired rows, time is
//!   the database's, and expired rows are deleted in batches of 1,000 about once a minute or by
//!   [`PostgresStore::purge_expired`].
//!
//! # Exactly-once effects
//!
//! A handler that writes to the same PostgreSQL database can complete its delivery's claim in
//! the transaction that holds its writes, so both commit or roll back together: take the
//! [`DeliveryClaim`] (an extractor on axum, actix-web and poem; in the request extensions
//! elsewhere) and call [`PostgresStore::complete_in`]. A rollback leaves the delivery to the
//! sender's retry.

mod memory;
#[cfg(test)]
mod model;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::error::{Cause, Chain};
use memory::Located;
pub use memory::{MemoryStore, MemoryStoreBuilder};
#[cfg(feature = "postgres")]
pub(crate) use postgres::valid_table;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres::{POSTGRES_DEFAULT_TABLE, POSTGRES_MIGRATION, PostgresStore};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis::RedisStore;

/// A boxed future returned by [`DedupStore`] methods.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Default lease of an in-flight claim: 5 minutes, longer than any seed sender's timeout
/// (Heppu 30 s, Helicone 2 min).
pub const DEFAULT_LEASE: Duration = Duration::from_secs(5 * 60);

/// Default lifetime of a completed key: 24 hours.
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 3600);

/// Length of the body digest stored with a claim.
///
/// The digest tells a sender's retry (same id, same body) from another body under the same id
/// (`409 id_conflict`). Where the scheme signs the body alone (Heppu, Helicone, GitHub,
/// Shopify) it is the verified signature's tag, which costs nothing more. Otherwise (the
/// signature also covers a timestamp or an id, which change between attempts) it is the body's
/// XXH3-128 hash, then the body's length (8 bytes, little-endian), then the 8 bytes
/// `xxh3-128` marking that format. Both bodies compared were verified, so only the sender
/// could make them differ: the digest has to catch accidents, not an attacker, and a
/// non-cryptographic hash running at memory speed does that.
pub const DIGEST_LEN: usize = 32;

/// The last 8 bytes of a body digest made with XXH3-128 (see [`DIGEST_LEN`]): the digest
/// names its format, so stored digests stay recognisable should the format ever change.
pub(crate) const XXH3_MARK: &[u8; 8] = b"xxh3-128";

/// The body digest of a delivery whose signature covers more than the body (see
/// [`DIGEST_LEN`]).
pub(crate) fn body_digest(body: &[u8]) -> [u8; DIGEST_LEN] {
    let mut digest = [0u8; DIGEST_LEN];
    digest[..16].copy_from_slice(&xxhash_rust::xxh3::xxh3_128(body).to_le_bytes());
    digest[16..24].copy_from_slice(&(body.len() as u64).to_le_bytes());
    digest[24..].copy_from_slice(XXH3_MARK);
    digest
}

/// The owner of a claim: 128 bits, unique per claim across processes (64 random bits per
/// process, then a counter).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token(u128);

impl Token {
    /// A fresh token.
    pub fn new() -> Token {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        let seed = *SEED.get_or_init(|| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u32(std::process::id());
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0),
            );
            h.finish()
        });
        Token((u128::from(seed) << 64) | u128::from(COUNTER.fetch_add(1, Ordering::Relaxed)))
    }

    /// The token as 32 hex digits (how text stores keep it).
    pub fn to_hex(&self) -> String {
        format!("{:032x}", self.0)
    }

    /// A token read back from its hex form.
    pub fn from_hex(text: &str) -> Option<Token> {
        u128::from_str_radix(text, 16).ok().map(Token)
    }
}

impl Default for Token {
    fn default() -> Self {
        Token::new()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({:032x})", self.0)
    }
}

/// The answer of [`DedupStore::claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key was free (or its lease had expired): the caller owns it now.
    Fresh(Token),
    /// Another attempt holds the key; its lease ends in `retry_after`.
    InFlight {
        /// Time left on the holder's lease.
        retry_after: Duration,
    },
    /// The key was completed with the same body digest: a duplicate.
    Done,
    /// The key is held or completed with a *different* body digest.
    Conflict,
}

/// The answer of [`DedupStore::claim_all`]: every key of a delivery claimed, or the first that
/// could not be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimAll {
    /// Every key was free: the caller owns them all, one token per key, in the keys' order.
    Fresh(Vec<Token>),
    /// `keys[index]` could not be claimed (`claim` says why; it is never [`Claim::Fresh`]).
    /// The keys before it were released again: nothing is left claimed.
    Refused {
        /// Position of the refused key.
        index: usize,
        /// The store's answer for it.
        claim: Claim,
    },
}

/// The store could not be reached or answered nonsense: what the store was doing, and the
/// driver's error under it as [`source`](std::error::Error::source).
///
/// ```
/// use std::error::Error;
/// use webhook_guard::dedup::StoreError;
///
/// let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
/// let e = StoreError::with_source("claim", io);
/// assert_eq!(e.to_string(), "deduplication store unavailable: claim");
/// assert_eq!(e.source().unwrap().to_string(), "connection refused");
/// ```
#[derive(Debug, Clone)]
pub struct StoreError(Cause);

impl StoreError {
    /// An error without an underlying cause (a store that answered nonsense, say).
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        StoreError(Cause::new(message))
    }

    /// An error caused by `source` (the driver's error), while doing `message`.
    pub fn with_source(
        message: impl Into<Cow<'static, str>>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        StoreError(Cause::with_source(message, source))
    }

    /// What the store was doing, without the cause.
    pub fn message(&self) -> &str {
        self.0.message()
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "deduplication store unavailable: {}", self.0.message())
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// A place to keep claims: [`MemoryStore`] (one process), `RedisStore` (feature `redis`) or
/// `PostgresStore` (feature `postgres`), both shared by replicas. Implement it for any other store with atomic compare-and-set.
pub trait DedupStore: Send + Sync + 'static {
    /// Claim `key` for `lease` unless it is held or completed. `digest` identifies the body.
    fn claim<'a>(
        &'a self,
        key: &'a str,
        digest: &'a [u8; DIGEST_LEN],
        lease: Duration,
    ) -> StoreFuture<'a, Claim>;

    /// Mark `key` completed for `ttl`, if `token` still owns it. Returns whether it did.
    fn complete<'a>(
        &'a self,
        key: &'a str,
        token: &'a Token,
        ttl: Duration,
    ) -> StoreFuture<'a, bool>;

    /// Remove an in-flight `key`, if `token` still owns it, so a retry is processed. Returns
    /// whether it did.
    fn release<'a>(&'a self, key: &'a str, token: &'a Token) -> StoreFuture<'a, bool>;

    /// Claim every key of one delivery, in order, stopping at the first that is not free; the
    /// keys claimed before it are released again, so a refusal leaves nothing claimed. The
    /// guard calls this once per delivery.
    ///
    /// The default makes one [`claim`](DedupStore::claim) per key (and one
    /// [`release`](DedupStore::release) per key to undo). A store that can do it in one round
    /// trip should override it: `RedisStore` runs one script for all the keys.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_guard::dedup::{Claim, ClaimAll, DedupStore, MemoryStore};
    ///
    /// # block_on(async {
    /// let store = MemoryStore::default();
    /// let keys = ["heppu:id:dlv_1".to_string(), "heppu:sig:00ff".to_string()];
    /// let lease = Duration::from_secs(60);
    /// let ClaimAll::Fresh(tokens) = store.claim_all(&keys, &[1; 32], lease).await? else {
    ///     unreachable!("new keys are free")
    /// };
    /// store.complete_all(&keys, &tokens, Duration::from_secs(3600)).await?;
    /// // A retry of the same delivery: its first key is already done.
    /// let again = store.claim_all(&keys, &[1; 32], lease).await?;
    /// assert_eq!(again, ClaimAll::Refused { index: 0, claim: Claim::Done });
    /// # Ok::<(), webhook_guard::dedup::StoreError>(())
    /// # }).unwrap();
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// ```
    fn claim_all<'a>(
        &'a self,
        keys: &'a [String],
        digest: &'a [u8; DIGEST_LEN],
        lease: Duration,
    ) -> StoreFuture<'a, ClaimAll> {
        Box::pin(async move {
            let mut tokens = Vec::with_capacity(keys.len());
            for (index, key) in keys.iter().enumerate() {
                let claim = match self.claim(key, digest, lease).await {
                    Ok(Claim::Fresh(token)) => {
                        tokens.push(token);
                        continue;
                    }
                    Ok(claim) => Ok(ClaimAll::Refused { index, claim }),
                    Err(e) => Err(e),
                };
                if let Err(e) = self.release_all(&keys[..tokens.len()], &tokens).await {
                    tracing::error!(error = %Chain(&e), "could not release the claims; retries wait for their lease to expire");
                }
                return claim;
            }
            Ok(ClaimAll::Fresh(tokens))
        })
    }

    /// Mark every key completed for `ttl`, each if its token (`tokens[i]` for `keys[i]`, as
    /// [`claim_all`](DedupStore::claim_all) returned them) still owns it. Returns whether each
    /// was. The default makes one [`complete`](DedupStore::complete) per key, going on past a
    /// failed one, and returns the first error.
    fn complete_all<'a>(
        &'a self,
        keys: &'a [String],
        tokens: &'a [Token],
        ttl: Duration,
    ) -> StoreFuture<'a, Vec<bool>> {
        Box::pin(each_key(keys, tokens, move |key, token| {
            self.complete(key, token, ttl)
        }))
    }

    /// Release every key its token still owns (`tokens[i]` for `keys[i]`), so a retry is
    /// processed. Returns whether each was released. The default makes one
    /// [`release`](DedupStore::release) per key, going on past a failed one, and returns the
    /// first error.
    fn release_all<'a>(
        &'a self,
        keys: &'a [String],
        tokens: &'a [Token],
    ) -> StoreFuture<'a, Vec<bool>> {
        Box::pin(each_key(keys, tokens, |key, token| {
            self.release(key, token)
        }))
    }

    /// The in-process store this is, if it is one: the guard then calls it directly instead of
    /// boxing a future per operation. Other stores keep the default.
    #[doc(hidden)]
    fn as_memory(&self) -> Option<&MemoryStore> {
        None
    }

    /// Names the key space this store writes to: two stores with the same key space see each
    /// other's keys (two handles on one in-process table; two clients of one Redis database
    /// under one prefix). Guards use it to refuse, when they are built, a second guard with the
    /// same namespace on the same key space, which would answer the first one's deliveries as
    /// duplicates. `None` (the default) falls back to the identity of the handle the guards
    /// were given.
    ///
    /// ```
    /// use webhook_guard::dedup::{DedupStore, MemoryStore};
    ///
    /// let store = MemoryStore::default();
    /// assert_eq!(store.keyspace(), store.clone().keyspace(), "one table");
    /// assert_ne!(store.keyspace(), MemoryStore::default().keyspace(), "another table");
    /// ```
    fn keyspace(&self) -> Option<String> {
        None
    }
}

/// `op` on every (key, token) pair, going on past a failed one: whether each succeeded, or the
/// first error. The default of [`DedupStore::complete_all`] and [`DedupStore::release_all`].
async fn each_key<'a, F>(
    keys: &'a [String],
    tokens: &'a [Token],
    op: F,
) -> Result<Vec<bool>, StoreError>
where
    F: Fn(&'a str, &'a Token) -> StoreFuture<'a, bool>,
{
    let mut settled = Vec::with_capacity(keys.len());
    let mut failed = None;
    for (key, token) in keys.iter().zip(tokens) {
        match op(key, token).await {
            Ok(ok) => settled.push(ok),
            Err(e) => {
                settled.push(false);
                failed.get_or_insert(e);
            }
        }
    }
    failed.map_or(Ok(settled), Err)
}

/// Claim every key of a delivery in the in-process store, called directly (no boxed future),
/// each key fingerprinted from its parts (no key built), the clock read once. A refusal
/// releases the keys claimed before it.
fn claim_in_memory(
    memory: &MemoryStore,
    parts: &KeyParts<'_>,
    digest: &[u8; DIGEST_LEN],
    lease: Duration,
) -> Result<Held, (usize, Claim)> {
    let mut located = [Located::default(); MAX_KEYS];
    let mut len = 0;
    for (at, (kind, value)) in located.iter_mut().zip(parts.each()) {
        *at = memory.locate_parts(&[parts.namespace.as_bytes(), kind.as_bytes(), value]);
        len += 1;
    }
    let now = memory.now_millis();
    let mut tokens = [Token(0); MAX_KEYS];
    for index in 0..len {
        match memory.claim_at(located[index], digest, lease, now) {
            Claim::Fresh(token) => tokens[index] = token,
            claim => {
                for (&at, token) in located.iter().zip(&tokens).take(index) {
                    memory.release_at(at, token);
                }
                return Err((index, claim));
            }
        }
    }
    Ok(Held::Memory {
        located,
        tokens,
        len,
        meta: Box::new(parts.meta.clone()),
        id_is_signed: parts.id_is_signed,
    })
}

impl<S: DedupStore + ?Sized> DedupStore for Arc<S> {
    fn claim<'a>(
        &'a self,
        key: &'a str,
        digest: &'a [u8; DIGEST_LEN],
        lease: Duration,
    ) -> StoreFuture<'a, Claim> {
        (**self).claim(key, digest, lease)
    }
    fn complete<'a>(
        &'a self,
        key: &'a str,
        token: &'a Token,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        (**self).complete(key, token, ttl)
    }
    fn release<'a>(&'a self, key: &'a str, token: &'a Token) -> StoreFuture<'a, bool> {
        (**self).release(key, token)
    }
    fn claim_all<'a>(
        &'a self,
        keys: &'a [String],
        digest: &'a [u8; DIGEST_LEN],
        lease: Duration,
    ) -> StoreFuture<'a, ClaimAll> {
        (**self).claim_all(keys, digest, lease)
    }
    fn complete_all<'a>(
        &'a self,
        keys: &'a [String],
        tokens: &'a [Token],
        ttl: Duration,
    ) -> StoreFuture<'a, Vec<bool>> {
        (**self).complete_all(keys, tokens, ttl)
    }
    fn release_all<'a>(
        &'a self,
        keys: &'a [String],
        tokens: &'a [Token],
    ) -> StoreFuture<'a, Vec<bool>> {
        (**self).release_all(keys, tokens)
    }
    fn as_memory(&self) -> Option<&MemoryStore> {
        (**self).as_memory()
    }
    fn keyspace(&self) -> Option<String> {
        (**self).keyspace()
    }
}

impl Dedup {
    /// The key space of the store, for telling guards that share one apart (see
    /// [`DedupStore::keyspace`]).
    pub(crate) fn keyspace(&self) -> String {
        self.store
            .keyspace()
            .unwrap_or_else(|| format!("store@{:p}", Arc::as_ptr(&self.store).cast::<()>()))
    }
}

/// Deduplication settings for a webhook layer: a store, a lease, a TTL and what to do when the
/// store is unreachable.
#[derive(Clone)]
pub struct Dedup {
    pub(crate) store: Arc<dyn DedupStore>,
    pub(crate) lease: Duration,
    pub(crate) ttl: Duration,
    pub(crate) fail_open: bool,
}

impl fmt::Debug for Dedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dedup")
            .field("lease", &self.lease)
            .field("ttl", &self.ttl)
            .field("fail_open", &self.fail_open)
            .finish_non_exhaustive()
    }
}

impl Dedup {
    /// Deduplicate through `store` with the default lease (5 min) and TTL (24 h), failing
    /// closed (`503 store_unavailable`) when the store is unreachable.
    pub fn new(store: impl DedupStore) -> Self {
        Dedup {
            store: Arc::new(store),
            lease: DEFAULT_LEASE,
            ttl: DEFAULT_TTL,
            fail_open: false,
        }
    }

    /// How long an in-flight claim blocks duplicates before another attempt may take it over.
    /// Make it longer than your slowest handler.
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long a completed key is remembered. Make it longer than the sender's retry schedule.
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// **Dangerous:** when the store is unreachable, process deliveries without deduplication
    /// instead of answering `503`. Duplicates may then run twice.
    #[must_use]
    pub fn danger_fail_open(mut self) -> Self {
        self.fail_open = true;
        self
    }
}

/// Most keys a delivery has: its id and its signed content.
const MAX_KEYS: usize = 2;

/// The dedup keys of a verified delivery (at most [`MAX_KEYS`]), in parts: `<namespace>:id:<id>`
/// and `<namespace>:sig:<digest of the verified signature>`. The in-process store fingerprints the
/// parts without building the keys; other stores get them spelled out ([`KeyParts::strings`]).
struct KeyParts<'m> {
    meta: &'m crate::WebhookMeta,
    id_is_signed: bool,
    namespace: &'m str,
    id: Option<&'m str>,
    /// 32 hex digits of the SHA-256 of the verified tag, when that key is claimed.
    sig: Option<[u8; 32]>,
}

impl<'m> KeyParts<'m> {
    fn new(meta: &'m crate::WebhookMeta, id_is_signed: bool) -> Self {
        let sig = (!id_is_signed || meta.id().is_none()).then(|| {
            let digest = <sha2::Sha256 as sha2::Digest>::digest(meta.signature_tag());
            let mut hex = [0u8; 32];
            hex::encode_to_slice(&digest[..16], &mut hex).expect("32 hex digits for 16 bytes");
            hex
        });
        KeyParts {
            meta,
            id_is_signed,
            namespace: meta.namespace(),
            id: meta.id(),
            sig,
        }
    }

    /// Each key as (kind, value), in claim order: the id first.
    fn each(&self) -> impl Iterator<Item = (&'static str, &[u8])> + '_ {
        let id = self.id.map(|id| (":id:", id.as_bytes()));
        let sig = self.sig.as_ref().map(|hex| (":sig:", &hex[..]));
        id.into_iter().chain(sig)
    }

    /// The keys spelled out.
    fn strings(&self) -> Vec<String> {
        self.each()
            .map(|(kind, value)| {
                // Built by hand: `format!` costs more than the rest of building a key.
                let mut key =
                    String::with_capacity(self.namespace.len() + kind.len() + value.len());
                key.push_str(self.namespace);
                key.push_str(kind);
                // Ids are text; the signature key's value is hex digits.
                key.push_str(std::str::from_utf8(value).unwrap_or_default());
                key
            })
            .collect()
    }
}

/// The one key that names a delivery: `<namespace>:id:<id>`, or for a delivery without an id
/// `<namespace>:sig:<digest of the verified signature>`.
#[cfg_attr(not(any(feature = "redis", feature = "postgres")), allow(dead_code))]
pub(crate) fn delivery_key(meta: &crate::WebhookMeta) -> String {
    KeyParts::new(meta, true)
        .strings()
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// The dedup keys of a verified delivery (at most [`MAX_KEYS`]).
pub(crate) fn keys(meta: &crate::WebhookMeta, id_is_signed: bool) -> Vec<String> {
    KeyParts::new(meta, id_is_signed).strings()
}

/// What the dedup step decided for a verified delivery. Shared by every adapter.
pub(crate) enum Admission {
    /// Run the handler; settle the guard from its outcome.
    Proceed(Option<ClaimGuard>),
    /// Completed before: answer `200 {"duplicate":true}`.
    Duplicate,
    /// Refuse (in flight, conflict, replay, store unavailable).
    Reject(crate::Rejection),
}

/// The JSON body answered for a duplicate of a completed delivery.
pub const DUPLICATE_BODY: &str = r#"{"duplicate":true}"#;

/// Claim every key of a verified delivery (the tests' way; the adapters use
/// [`admit_start`]).
#[cfg(test)]
pub(crate) async fn admit(
    dedup: &Dedup,
    meta: &crate::WebhookMeta,
    scheme: &crate::Scheme,
    body: &[u8],
) -> Admission {
    match admit_start(dedup, meta, scheme, body) {
        Admitting::Now(admission) => admission,
        Admitting::Pending(admission) => admission.await,
    }
}

/// The dedup step of the adapters: claim every key of a verified delivery. The in-process store
/// decides at once, another store in a boxed future. The adapters' own futures, which hold this across its await, then keep
/// room for a pointer instead of the claim's whole state.
pub(crate) enum Admitting<'a> {
    /// Decided (the in-process store).
    Now(Admission),
    /// One round trip to the store first.
    Pending(Pin<Box<dyn Future<Output = Admission> + Send + 'a>>),
}

/// See [`Admitting`].
pub(crate) fn admit_start<'a>(
    dedup: &'a Dedup,
    meta: &'a crate::WebhookMeta,
    scheme: &crate::Scheme,
    body: &[u8],
) -> Admitting<'a> {
    if !scheme.deduplicates() {
        // The sender's repeats are new work (Dropbox): nothing to claim, nothing refused.
        return Admitting::Now(Admission::Proceed(None));
    }
    let id_is_signed = scheme.id_is_signed();
    // The body's digest: the tag itself when the body alone is signed (free), else XXH3-128
    // (`DIGEST_LEN` says why a non-cryptographic hash is enough).
    let digest: [u8; DIGEST_LEN] = if scheme.signed_parts() == [crate::scheme::SignedPart::Body] {
        *meta.signature_tag()
    } else {
        body_digest(body)
    };
    // One call for every key: one round trip on Redis. A refusal leaves nothing claimed.
    match dedup.store.as_memory() {
        Some(memory) => {
            let parts = KeyParts::new(meta, id_is_signed);
            let claimed = claim_in_memory(memory, &parts, &digest, dedup.lease);
            Admitting::Now(decide(dedup, &parts, Ok(claimed)))
        }
        None => Admitting::Pending(Box::pin(async move {
            let parts = KeyParts::new(meta, id_is_signed);
            let keys = parts.strings();
            let claimed = match dedup.store.claim_all(&keys, &digest, dedup.lease).await {
                Ok(ClaimAll::Fresh(tokens)) => Ok(Ok(Held::Keys { keys, tokens })),
                Ok(ClaimAll::Refused { index, claim }) => Ok(Err((index, claim))),
                Err(e) => Err(e),
            };
            decide(dedup, &parts, claimed)
        })),
    }
}

/// The admission, from what the store answered to the claim of every key.
fn decide(
    dedup: &Dedup,
    parts: &KeyParts<'_>,
    claimed: Result<Result<Held, (usize, Claim)>, StoreError>,
) -> Admission {
    use crate::{Rejection, RejectionKind};

    let meta = parts.meta;
    let (index, claim) = match claimed {
        Ok(Ok(held)) => {
            let shared = match &held {
                Held::Keys { keys, tokens } => Some(DeliveryClaim(Arc::new(DeliveryClaimInner {
                    keys: keys.clone(),
                    tokens: tokens.clone(),
                    ttl: dedup.ttl,
                    taken: std::sync::atomic::AtomicBool::new(false),
                }))),
                Held::Memory { .. } => None,
            };
            return Admission::Proceed(Some(ClaimGuard {
                store: dedup.store.clone(),
                held,
                ttl: dedup.ttl,
                settled: false,
                shared,
            }));
        }
        Ok(Err(refused)) => refused,
        Err(e) => {
            if dedup.fail_open {
                tracing::warn!(
                    scheme = meta.scheme(),
                    id = meta.id(),
                    error = %Chain(&e),
                    "dedup store unavailable; processing WITHOUT deduplication (fail-open)"
                );
                return Admission::Proceed(None);
            }
            tracing::error!(
                scheme = meta.scheme(),
                id = meta.id(),
                error = %Chain(&e),
                "dedup store unavailable; answering 503 so the sender retries (fail-closed)"
            );
            return Admission::Reject(
                Rejection::with_detail(RejectionKind::StoreUnavailable, Chain(&e).to_string())
                    .retry_after(Duration::from_secs(30)),
            );
        }
    };
    // Spelled out only for the refusals that name it.
    let key = || parts.strings().into_iter().nth(index).unwrap_or_default();
    let is_id_key = index == 0 && meta.id().is_some();
    let refuse = match claim {
        Claim::Done if is_id_key => {
            tracing::info!(scheme = meta.scheme(), id = meta.id(), "duplicate delivery");
            return Admission::Duplicate;
        }
        // Identical signed content, completed before under another (unsigned) id: a sender
        // that re-sends that way must see success, or it retries until it gives up. The
        // handler still does not run.
        Claim::Done => {
            tracing::info!(
                scheme = meta.scheme(),
                id = meta.id(),
                "signed content completed before under another delivery id: answered as a duplicate"
            );
            return Admission::Duplicate;
        }
        Claim::InFlight { retry_after } => Rejection::with_detail(
            RejectionKind::InFlight,
            format!("`{}` is being processed by another attempt", key()),
        )
        .retry_after(retry_after.min(Duration::from_secs(60))),
        Claim::Conflict if is_id_key => {
            tracing::warn!(
                scheme = meta.scheme(),
                id = meta.id(),
                "delivery id seen before with a different body; refusing (409 id_conflict)"
            );
            Rejection::with_detail(
                RejectionKind::IdConflict,
                format!("`{}` was seen with a different body", key()),
            )
        }
        Claim::Conflict => {
            tracing::warn!(
                scheme = meta.scheme(),
                id = meta.id(),
                "signed content seen before under another delivery id: replay refused"
            );
            Rejection::with_detail(
                RejectionKind::ReplayDetected,
                "identical signed content was already delivered under another id",
            )
        }
        // A store that breaks `claim_all`'s contract: refuse, so the sender retries.
        Claim::Fresh(_) => Rejection::with_detail(
            RejectionKind::StoreUnavailable,
            "the dedup store refused a key it reported free",
        )
        .retry_after(Duration::from_secs(30)),
    };
    Admission::Reject(refuse)
}

/// The claim the guard holds on the delivery being handled, for a handler that completes it in
/// its own database transaction (`PostgresStore::complete_in`, feature `postgres`): its writes
/// and the delivery's "done" mark then commit or roll back together. Extract it in the handler
/// (axum and actix-web); it is there when the guard deduplicates through a store other than
/// the in-process one.
///
/// Once the handler has taken the claim ([`take`](DeliveryClaim::take), which
/// `complete_in` does), the guard no longer completes it when the handler answers: it only
/// releases it, which changes nothing once the transaction has committed (the keys are done)
/// and frees them when it rolled back or never committed, so that the sender's retry is
/// processed again.
#[derive(Clone)]
pub struct DeliveryClaim(Arc<DeliveryClaimInner>);

struct DeliveryClaimInner {
    keys: Vec<String>,
    tokens: Vec<Token>,
    ttl: Duration,
    taken: std::sync::atomic::AtomicBool,
}

impl fmt::Debug for DeliveryClaim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeliveryClaim")
            .field("keys", &self.0.keys)
            .field("taken", &self.is_taken())
            .finish_non_exhaustive()
    }
}

impl DeliveryClaim {
    /// The claimed keys, in claim order.
    pub fn keys(&self) -> &[String] {
        &self.0.keys
    }

    /// The owner token of each key (`tokens()[i]` for `keys()[i]`).
    pub fn tokens(&self) -> &[Token] {
        &self.0.tokens
    }

    /// How long the keys are remembered once completed (the guard's TTL).
    pub fn ttl(&self) -> Duration {
        self.0.ttl
    }

    /// Tell the guard that the handler settles this claim itself: when the handler answers,
    /// the guard only releases what is still in flight instead of completing it.
    pub fn take(&self) {
        self.0.taken.store(true, Ordering::SeqCst);
    }

    /// Whether the handler took the claim.
    pub fn is_taken(&self) -> bool {
        self.0.taken.load(Ordering::SeqCst)
    }
}

/// Claims held while the handler runs. Settle with [`complete`](ClaimGuard::complete) or
/// [`release`](ClaimGuard::release); if dropped unsettled (handler panicked, future cancelled),
/// the claims are released (in the in-process store at once, in another store from a
/// background task) so the sender's retry is processed.
pub(crate) struct ClaimGuard {
    store: Arc<dyn DedupStore>,
    held: Held,
    ttl: Duration,
    settled: bool,
    /// The claim as the handler sees it (not for the in-process store).
    shared: Option<DeliveryClaim>,
}

/// The claims a [`ClaimGuard`] holds.
enum Held {
    /// Claimed through [`DedupStore::claim_all`]: `tokens[i]` owns `keys[i]`.
    Keys {
        keys: Vec<String>,
        tokens: Vec<Token>,
    },
    /// Claimed in the in-process store: where each of the first `len` keys is kept, and its
    /// owner; the delivery, to spell a key out for a log line (boxed: one allocation instead
    /// of the three the keys took, and the guard, which the service's future holds across the
    /// handler, stays small).
    Memory {
        located: [Located; MAX_KEYS],
        tokens: [Token; MAX_KEYS],
        len: usize,
        meta: Box<crate::WebhookMeta>,
        id_is_signed: bool,
    },
}

impl ClaimGuard {
    /// Complete on success, release on failure (the tests' way; the adapters use
    /// [`settle_start`](ClaimGuard::settle_start)).
    #[cfg(test)]
    pub(crate) async fn settle(self, success: bool) {
        if let Some(settling) = self.settle_start(success) {
            settling.await;
        }
    }

    /// Complete on success, release on failure, for the adapters: done at once in the
    /// in-process store (`None`); a boxed future for another store (one round trip), so that
    /// the adapters' futures, which hold it beside the handler's response, stay small.
    pub(crate) fn settle_start(
        mut self,
        success: bool,
    ) -> Option<Pin<Box<dyn Future<Output = ()> + Send>>> {
        // A handler that took the claim completed it in its own transaction, or did not: only
        // what is still in flight is released (see `DeliveryClaim`).
        let success = success && !self.shared.as_ref().is_some_and(DeliveryClaim::is_taken);
        if let Held::Memory { .. } = self.held {
            if success {
                self.complete_in_memory();
            } else {
                self.release_in_memory();
            }
            self.settled = true;
            return None;
        }
        Some(Box::pin(async move {
            if success {
                self.complete().await;
            } else {
                self.release().await;
            }
        }))
    }

    /// The claim as the handler sees it, for the request's extensions.
    pub(crate) fn delivery_claim(&self) -> Option<DeliveryClaim> {
        self.shared.clone()
    }

    /// Key `index`, spelled out for a log line.
    fn key(&self, index: usize) -> String {
        match &self.held {
            Held::Keys { keys, .. } => keys.get(index).cloned().unwrap_or_default(),
            Held::Memory {
                meta, id_is_signed, ..
            } => keys(meta, *id_is_signed)
                .into_iter()
                .nth(index)
                .unwrap_or_default(),
        }
    }

    /// The handler succeeded: mark every key completed (one round trip on Redis).
    pub(crate) async fn complete(mut self) {
        // If this future is dropped half-way, Drop releases the keys: a retry may then run the
        // handler again (at least once), never lose the delivery. A key already completed is
        // not released (its token no longer owns an in-flight claim).
        match &self.held {
            Held::Memory { .. } => self.complete_in_memory(),
            Held::Keys { keys, tokens } => {
                match self.store.complete_all(keys, tokens, self.ttl).await {
                    Ok(done) => {
                        for (key, done) in keys.iter().zip(done) {
                            if !done {
                                taken_over(key);
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(
                            keys = ?keys,
                            error = %Chain(&e),
                            "could not mark the delivery completed; trying again in the background"
                        );
                        settle_in_background(
                            &self.store,
                            keys,
                            tokens,
                            Some(self.ttl),
                            Duration::from_millis(500),
                        );
                    }
                }
            }
        }
        self.settled = true;
    }

    /// Complete claims held in the in-process store, synchronously, the clock read once.
    fn complete_in_memory(&self) {
        if let (
            Held::Memory {
                located,
                tokens,
                len,
                ..
            },
            Some(memory),
        ) = (&self.held, self.store.as_memory())
        {
            let now = memory.now_millis();
            for index in 0..*len {
                if !memory.complete_at(located[index], &tokens[index], self.ttl, now) {
                    taken_over(&self.key(index));
                }
            }
        }
        // Memory claims come from the store's own `as_memory`, which does not change.
    }

    /// The handler failed: free every key so the retry is processed (one round trip on Redis).
    pub(crate) async fn release(mut self) {
        if let Held::Keys { keys, tokens } = &self.held {
            let store = self.store.clone();
            if let Err(e) = store.release_all(keys, tokens).await {
                tracing::warn!(
                    keys = ?keys,
                    error = %Chain(&e),
                    "could not release the claims; trying again in the background"
                );
                settle_in_background(&self.store, keys, tokens, None, Duration::from_millis(500));
            }
        } else {
            self.release_in_memory();
        }
        self.settled = true;
    }

    /// Release claims held in the in-process store, synchronously.
    fn release_in_memory(&self) {
        if let (
            Held::Memory {
                located,
                tokens,
                len,
                ..
            },
            Some(memory),
        ) = (&self.held, self.store.as_memory())
        {
            for index in 0..*len {
                memory.release_at(located[index], &tokens[index]);
            }
        }
    }
}

/// Complete (with `ttl`) or release (`None`) claims whose first attempt failed, from a
/// background task, a few times over about half a minute: both are idempotent (token-checked),
/// and a store that was only stalled usually answers again within that time. Without it, a
/// completion that never arrives lets a retry run the handler again once the lease ran out,
/// and a release that never arrives refuses retries as in flight for the whole lease.
fn settle_in_background(
    store: &Arc<dyn DedupStore>,
    keys: &[String],
    tokens: &[Token],
    ttl: Option<Duration>,
    first_pause: Duration,
) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::error!(keys = ?keys, "outside a tokio runtime: the claims end with their lease");
        return;
    };
    let (store, keys, tokens) = (store.clone(), keys.to_vec(), tokens.to_vec());
    runtime.spawn(async move {
        let mut pause = first_pause;
        for attempt in 1..=6 {
            tokio::time::sleep(pause).await;
            let settled = match ttl {
                Some(ttl) => store.complete_all(&keys, &tokens, ttl).await,
                None => store.release_all(&keys, &tokens).await,
            };
            match settled {
                Ok(_) => {
                    if attempt > 1 || !first_pause.is_zero() {
                        tracing::info!(keys = ?keys, attempt, "claims settled on a later attempt");
                    }
                    return;
                }
                Err(e) if attempt == 6 => tracing::error!(
                    keys = ?keys,
                    error = %Chain(&e),
                    "could not settle the claims; they end with their lease"
                ),
                Err(_) => {
                    pause = (pause * 2).clamp(Duration::from_millis(500), Duration::from_secs(8))
                }
            }
        }
    });
}

fn taken_over(key: &str) {
    tracing::warn!(
        key,
        "claim was taken over after its lease expired; not marking it completed"
    );
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let Held::Keys { keys, tokens } = &self.held else {
            self.release_in_memory();
            return;
        };
        if keys.is_empty() {
            return;
        }
        settle_in_background(&self.store, keys, tokens, None, Duration::ZERO);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsettled_guard_frees_in_memory_claims_when_dropped_even_outside_a_runtime() {
        use crate::testing::Delivery;
        use crate::{Scheme, Secret, Verifier};
        use futures_util::FutureExt;

        let secret = Secret::new("drop-test-secret-0123456789").unwrap();
        let d = Delivery::new(Scheme::heppu(), r#"{"event":"call.busy"}"#)
            .id("dlv_drop_1")
            .sign(&secret);
        let meta = Verifier::new(Scheme::heppu(), secret)
            .verify(&d.headers, &d.body)
            .unwrap();
        let dedup = Dedup::new(MemoryStore::default());
        // The in-process store never makes the admission wait: no runtime is needed.
        let admit = || {
            admit(&dedup, &meta, &Scheme::heppu(), &d.body)
                .now_or_never()
                .expect("the in-process store answers at once")
        };
        let Admission::Proceed(Some(guard)) = admit() else {
            panic!("a fresh delivery is admitted");
        };
        assert!(
            matches!(admit(), Admission::Reject(r) if r.code() == "in_flight"),
            "held while the guard lives"
        );
        // No tokio runtime on this thread: nothing could be spawned to release the claims.
        drop(guard);
        assert!(
            matches!(admit(), Admission::Proceed(Some(_))),
            "freed by the drop itself"
        );
    }

    #[test]
    fn body_digest_is_xxh3_128_then_length_then_mark() {
        // XXH3-128 of the empty input with seed 0, as xxHash's own sanity vectors give it
        // (high 64 bits 0x99AA06D3014798D8, low 64 bits 0x6001C324468D497F): the format that
        // replicas sharing a Redis store must agree on.
        let empty = body_digest(b"");
        assert_eq!(
            hex::encode(&empty[..16]),
            "7f498d4624c30160d8984701d306aa99"
        );
        assert_eq!(&empty[16..24], &[0; 8]);
        assert_eq!(&empty[24..], XXH3_MARK);

        let body = br#"{"id":"evt_1","type":"invoice.paid"}"#;
        let digest = body_digest(body);
        assert_eq!(digest, body_digest(body), "deterministic");
        assert_eq!(&digest[16..24], &(body.len() as u64).to_le_bytes());
        // One byte changed anywhere, or one byte more, gives another digest.
        let mut seen = std::collections::HashSet::from([digest]);
        for i in 0..body.len() {
            let mut other = body.to_vec();
            other[i] ^= 1;
            assert!(seen.insert(body_digest(&other)), "flip at {i}");
        }
        let mut longer = body.to_vec();
        longer.push(b' ');
        assert!(seen.insert(body_digest(&longer)));
    }
}
