//! The claim / complete / release state machine, one suite run against each store:
//! `MemoryStore` with an injected clock (exact edges), `RedisStore` on a real redis-server and
//! `PostgresStore` on a real PostgreSQL server (real time, with margins); and the all-keys
//! operations the guard uses (`claim_all`, `complete_all`, `release_all`: the trait's defaults
//! on `MemoryStore`, one script each on Redis, one statement each on PostgreSQL).

#[cfg(feature = "postgres")]
use crate::common::postgres_server;
#[cfg(feature = "redis")]
use crate::common::redis_server;

use std::sync::Arc;
use std::time::Duration;

use webhook_guard::clock::ManualClock;
use webhook_guard::dedup::{Claim, ClaimAll, DedupStore, MemoryStore, Token};

/// A store plus a way to move its time forward.
trait Harness {
    fn store(&self) -> Arc<dyn DedupStore>;
    /// Move time forward by `d` (the clock for MemoryStore, a real sleep for Redis).
    async fn advance(&self, d: Duration);
    /// Slack to leave around an edge (zero where the clock is exact).
    fn margin(&self) -> Duration;
}

struct Memory {
    store: Arc<MemoryStore>,
    clock: ManualClock,
}

impl Harness for Memory {
    fn store(&self) -> Arc<dyn DedupStore> {
        self.store.clone()
    }
    async fn advance(&self, d: Duration) {
        self.clock.advance(d);
    }
    fn margin(&self) -> Duration {
        Duration::from_millis(1)
    }
}

fn memory() -> Memory {
    let clock = ManualClock::at_secs(1_800_000_000);
    Memory {
        store: Arc::new(MemoryStore::builder().clock(clock.clone()).build()),
        clock,
    }
}

const D1: [u8; 32] = [1; 32];
const D2: [u8; 32] = [2; 32];

fn fresh(c: Claim) -> Token {
    match c {
        Claim::Fresh(t) => t,
        other => panic!("expected Fresh, got {other:?}"),
    }
}

async fn suite(h: &impl Harness, lease: Duration, ttl: Duration) {
    let s = h.store();
    let m = h.margin();

    // First delivery: fresh. Duplicate while in flight: InFlight with the remaining lease.
    let t1 = fresh(s.claim("k1", &D1, lease).await.unwrap());
    match s.claim("k1", &D1, lease).await.unwrap() {
        Claim::InFlight { retry_after } => assert!(retry_after <= lease),
        other => panic!("expected InFlight, got {other:?}"),
    }
    // Same id, different body: conflict, in flight or done.
    assert_eq!(s.claim("k1", &D2, lease).await.unwrap(), Claim::Conflict);
    // Completed: duplicates are Done; a different body still conflicts.
    assert!(s.complete("k1", &t1, ttl).await.unwrap());
    assert_eq!(s.claim("k1", &D1, lease).await.unwrap(), Claim::Done);
    assert_eq!(s.claim("k1", &D2, lease).await.unwrap(), Claim::Conflict);
    // A completed key cannot be released or completed again.
    assert!(!s.release("k1", &t1).await.unwrap());
    assert!(!s.complete("k1", &t1, ttl).await.unwrap());
    assert_eq!(s.claim("k1", &D1, lease).await.unwrap(), Claim::Done);

    // Release: the retry is processed.
    let t2 = fresh(s.claim("k2", &D1, lease).await.unwrap());
    assert!(s.release("k2", &t2).await.unwrap());
    let t2b = fresh(s.claim("k2", &D1, lease).await.unwrap());
    // A stranger's token changes nothing.
    assert!(
        !s.release("k2", &webhook_guard::dedup::Token::new())
            .await
            .unwrap()
    );
    assert!(
        !s.complete("k2", &webhook_guard::dedup::Token::new(), ttl)
            .await
            .unwrap()
    );
    assert!(matches!(
        s.claim("k2", &D1, lease).await.unwrap(),
        Claim::InFlight { .. }
    ));

    // Lease edges: just before expiry still in flight; just after, taken over.
    h.advance(lease - m * 2).await;
    assert!(
        matches!(
            s.claim("k2", &D1, lease).await.unwrap(),
            Claim::InFlight { .. }
        ),
        "just before the lease ends"
    );
    h.advance(m * 3).await;
    let t3 = fresh(s.claim("k2", &D1, lease).await.unwrap());
    // The stale owner's late complete and release change nothing.
    assert!(!s.complete("k2", &t2b, ttl).await.unwrap());
    assert!(!s.release("k2", &t2b).await.unwrap());
    assert!(matches!(
        s.claim("k2", &D1, lease).await.unwrap(),
        Claim::InFlight { .. }
    ));
    assert!(s.complete("k2", &t3, ttl).await.unwrap());
    assert_eq!(s.claim("k2", &D1, lease).await.unwrap(), Claim::Done);

    // TTL edges (k1 was completed before the lease wait, so measure from a new key).
    let t4 = fresh(s.claim("k3", &D1, lease).await.unwrap());
    assert!(s.complete("k3", &t4, ttl).await.unwrap());
    h.advance(ttl - m * 2).await;
    assert_eq!(
        s.claim("k3", &D1, lease).await.unwrap(),
        Claim::Done,
        "just before the TTL ends"
    );
    h.advance(m * 3).await;
    fresh(s.claim("k3", &D1, lease).await.unwrap());
}

fn all_fresh(c: ClaimAll) -> Vec<Token> {
    match c {
        ClaimAll::Fresh(t) => t,
        other => panic!("expected every key fresh, got {other:?}"),
    }
}

fn keys(names: &[&str]) -> Vec<String> {
    names.iter().map(|k| (*k).to_owned()).collect()
}

/// The all-keys operations: in order, stopping at the first refused key, leaving nothing
/// claimed after a refusal; settled per key by their tokens, also by the one-key operations.
async fn batch_suite(h: &impl Harness) {
    let s = h.store();
    let lease = Duration::from_secs(60);
    let ttl = Duration::from_secs(3600);
    let ab = keys(&["a", "b"]);

    let tokens = all_fresh(s.claim_all(&ab, &D1, lease).await.unwrap());
    assert_eq!(tokens.len(), 2);
    match s.claim_all(&ab, &D1, lease).await.unwrap() {
        ClaimAll::Refused {
            index: 0,
            claim: Claim::InFlight { retry_after },
        } => assert!(retry_after <= lease && retry_after > Duration::ZERO),
        other => panic!("a second attempt while the first holds the keys: {other:?}"),
    }
    // Someone else's tokens complete nothing.
    let others = [Token::new(), Token::new()];
    assert_eq!(
        s.complete_all(&ab, &others, ttl).await.unwrap(),
        [false, false]
    );
    assert_eq!(
        s.complete_all(&ab, &tokens, ttl).await.unwrap(),
        [true, true]
    );
    assert_eq!(
        s.claim_all(&ab, &D1, lease).await.unwrap(),
        ClaimAll::Refused {
            index: 0,
            claim: Claim::Done
        }
    );
    assert_eq!(
        s.claim_all(&ab, &D2, lease).await.unwrap(),
        ClaimAll::Refused {
            index: 0,
            claim: Claim::Conflict
        }
    );

    // A refusal at the second key releases the first: a new id carrying content already
    // delivered (`b`) is refused, and the new id (`c`) is not left claimed.
    let cb = keys(&["c", "b"]);
    assert_eq!(
        s.claim_all(&cb, &D1, lease).await.unwrap(),
        ClaimAll::Refused {
            index: 1,
            claim: Claim::Done
        }
    );
    let c = keys(&["c"]);
    let t = all_fresh(s.claim_all(&c, &D1, lease).await.unwrap());
    assert_eq!(s.release_all(&c, &t).await.unwrap(), [true]);
    assert_eq!(
        s.release_all(&c, &t).await.unwrap(),
        [false],
        "released once"
    );

    // Released keys are free again; the one-key operations settle what `claim_all` claimed.
    let de = keys(&["d", "e"]);
    let t = all_fresh(s.claim_all(&de, &D1, lease).await.unwrap());
    assert_eq!(s.release_all(&de, &t).await.unwrap(), [true, true]);
    let t = all_fresh(s.claim_all(&de, &D1, lease).await.unwrap());
    assert!(s.complete("d", &t[0], ttl).await.unwrap());
    assert!(s.release("e", &t[1]).await.unwrap());
    assert_eq!(s.claim("d", &D1, lease).await.unwrap(), Claim::Done);
    fresh(s.claim("e", &D1, lease).await.unwrap());
}

#[tokio::test]
async fn memory_store_all_keys_operations() {
    batch_suite(&memory()).await;
}

#[tokio::test]
async fn memory_store_state_machine() {
    let h = memory();
    // Edges to the millisecond; a 24 h TTL costs nothing with a manual clock.
    suite(&h, Duration::from_secs(300), Duration::from_secs(24 * 3600)).await;
}

#[tokio::test]
async fn memory_store_claims_are_atomic_under_concurrency() {
    let store = Arc::new(MemoryStore::default());
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let s = store.clone();
        tasks.push(tokio::task::spawn_blocking(move || {
            (0..200)
                .filter(|i| {
                    matches!(
                        s.claim_now(&format!("k{i}"), &D1, Duration::from_secs(60)),
                        Claim::Fresh(_)
                    )
                })
                .count()
        }));
    }
    let mut fresh_total = 0;
    for t in tasks {
        fresh_total += t.await.unwrap();
    }
    assert_eq!(
        fresh_total, 200,
        "each of 200 keys claimed exactly once by 64 racing threads"
    );
}

#[tokio::test]
async fn memory_store_always_admits_new_claims_when_full() {
    let store = MemoryStore::builder().max_entries(100).build();
    for i in 0..1000 {
        let c = store.claim_now(&format!("key-{i}"), &D1, Duration::from_secs(60));
        assert!(matches!(c, Claim::Fresh(_)), "claim {i} refused");
        // The newest claim is held, even when the cache is over capacity.
        assert!(matches!(
            store.claim_now(&format!("key-{i}"), &D1, Duration::from_secs(60)),
            Claim::InFlight { .. }
        ));
    }
    // Nothing completed, so everything held is a claim in flight: at most `max_entries`
    // shared out over the store's 64 shards, rounded up (2 each).
    assert!(store.len() <= 128, "bounded: {}", store.len());
}

#[cfg(feature = "redis")]
mod redis_suite {
    use super::*;
    use webhook_guard::dedup::RedisStore;

    struct Redis {
        store: Arc<RedisStore>,
        _server: redis_server::RedisServer,
    }

    impl Harness for Redis {
        fn store(&self) -> Arc<dyn DedupStore> {
            self.store.clone()
        }
        async fn advance(&self, d: Duration) {
            tokio::time::sleep(d).await;
        }
        fn margin(&self) -> Duration {
            Duration::from_millis(150)
        }
    }

    #[tokio::test]
    async fn redis_store_state_machine() {
        let Some(server) = redis_server::RedisServer::start("redis_store_state_machine") else {
            return;
        };
        let store = RedisStore::connect(&server.url()).await.unwrap();
        let h = Redis {
            store: Arc::new(store),
            _server: server,
        };
        // Real time: short lease and TTL, 150 ms margins around each edge.
        suite(&h, Duration::from_millis(900), Duration::from_millis(1200)).await;
    }

    #[tokio::test]
    async fn redis_store_all_keys_operations() {
        let Some(server) = redis_server::RedisServer::start("redis_store_all_keys") else {
            return;
        };
        let store = RedisStore::connect(&server.url()).await.unwrap();
        let h = Redis {
            store: Arc::new(store),
            _server: server,
        };
        batch_suite(&h).await;
    }
}

#[cfg(feature = "postgres")]
mod postgres_suite {
    use super::*;
    use webhook_guard::dedup::PostgresStore;

    struct Postgres {
        store: Arc<PostgresStore>,
        _server: postgres_server::PostgresServer,
    }

    impl Harness for Postgres {
        fn store(&self) -> Arc<dyn DedupStore> {
            self.store.clone()
        }
        async fn advance(&self, d: Duration) {
            tokio::time::sleep(d).await;
        }
        fn margin(&self) -> Duration {
            Duration::from_millis(150)
        }
    }

    async fn postgres(test: &str, table: &str) -> Option<Postgres> {
        let server = postgres_server::PostgresServer::start(test)?;
        let store = PostgresStore::connect(&server.url())
            .await
            .unwrap()
            .table(table)
            .unwrap();
        store.migrate().await.unwrap();
        Some(Postgres {
            store: Arc::new(store),
            _server: server,
        })
    }

    #[tokio::test]
    async fn postgres_store_state_machine() {
        let Some(h) = postgres("postgres_store_state_machine", "webhook_guard_dedup").await else {
            return;
        };
        // Real time: short lease and TTL, 150 ms margins around each edge.
        suite(&h, Duration::from_millis(900), Duration::from_millis(1200)).await;
    }

    #[tokio::test]
    async fn postgres_store_all_keys_operations() {
        // A table of another name, in another schema: the statements follow it.
        let Some(server) = postgres_server::PostgresServer::start("postgres_store_all_keys") else {
            return;
        };
        let pool = sqlx::PgPool::connect(&server.url()).await.unwrap();
        sqlx::query("CREATE SCHEMA hooks")
            .execute(&pool)
            .await
            .unwrap();
        let store = PostgresStore::new(pool).table("hooks.dedup").unwrap();
        store.migrate().await.unwrap();
        store.migrate().await.unwrap(); // idempotent
        let h = Postgres {
            store: Arc::new(store),
            _server: server,
        };
        batch_suite(&h).await;
    }
}
