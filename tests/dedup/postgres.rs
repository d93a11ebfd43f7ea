//! `PostgresStore` on a real PostgreSQL server that the tests start: racing claims, replicas
//! behind the axum layer, the round trips a delivery costs, and the server killed, restarted
//! and frozen mid-run. The generic store suite runs in `tests/dedup/store_suite.rs`.

use crate::common;
use crate::common::postgres_server;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use common::send;
use postgres_server::PostgresServer;
use webhook_guard::dedup::{Claim, ClaimAll, Dedup, DedupStore, PostgresStore};
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer, WebhookMeta};

const KEY: &str = "postgres-dedup-secret-0123456789";
const D1: [u8; 32] = [1; 32];

async fn store(server: &PostgresServer) -> PostgresStore {
    let store = PostgresStore::connect(&server.url()).await.unwrap();
    store.migrate().await.unwrap();
    store
}

/// Handler runs per delivery id.
#[derive(Clone, Default)]
struct Runs(Arc<Mutex<HashMap<String, usize>>>);

impl Runs {
    fn add(&self, id: &str) {
        *self.0.lock().unwrap().entry(id.to_owned()).or_default() += 1;
    }
    fn of(&self, id: &str) -> usize {
        self.0.lock().unwrap().get(id).copied().unwrap_or(0)
    }
    fn total(&self) -> usize {
        self.0.lock().unwrap().values().sum()
    }
}

/// One receiver replica (Helix: an unsigned event id, so two keys a delivery) deduplicating on
/// `store`; the handler fails (500) for a body starting with `{"fail"`.
async fn replica(store: PostgresStore, runs: Runs) -> std::net::SocketAddr {
    let app = Router::new()
        .route(
            "/hook",
            post(
                move |meta: WebhookMeta, body: webhook_guard::RawBody| async move {
                    runs.add(meta.id().unwrap_or_default());
                    if body.0.starts_with(b"{\"fail\"") {
                        (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "failed")
                    } else {
                        (axum::http::StatusCode::OK, "processed")
                    }
                },
            ),
        )
        .route_layer(
            WebhookLayer::new(Verifier::new(Scheme::helix(), Secret::new(KEY).unwrap()))
                .dedup_with(Dedup::new(store))
                .shared_namespace(),
        );
    common::spawn(app).await
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Delivery `id` with body `body`, signed now (a sender's retry has a new timestamp).
fn delivery(id: &str, body: &str) -> SignedDelivery {
    Delivery::new(Scheme::helix(), body.to_owned())
        .id(id)
        .timestamp_millis(now_ms())
        .sign(&Secret::new(KEY).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_claims_of_one_key_have_exactly_one_owner() {
    let Some(server) = PostgresServer::start("concurrent_claims") else {
        return;
    };
    // Two stores, two pools: two replicas racing through the database.
    let stores = [store(&server).await, store(&server).await];
    let lease = Duration::from_secs(60);
    for round in 0..10 {
        // Each delivery has two keys (its id, its signature); both are claimed together.
        let keys = vec![
            format!("helix:id:race-{round}"),
            format!("helix:sig:{round}"),
        ];
        let claims: Vec<_> = (0..32)
            .map(|i| {
                let store = stores[i % 2].clone();
                let keys = keys.clone();
                tokio::spawn(async move { store.claim_all(&keys, &D1, lease).await.unwrap() })
            })
            .collect();
        let mut owners = Vec::new();
        for claim in claims {
            match claim.await.unwrap() {
                ClaimAll::Fresh(tokens) => owners.push(tokens),
                ClaimAll::Refused {
                    index: 0,
                    claim: Claim::InFlight { retry_after },
                } => assert!(retry_after <= lease),
                other => panic!("round {round}: {other:?}"),
            }
        }
        assert_eq!(owners.len(), 1, "round {round}: exactly one owner");
        // The losers left nothing claimed: once the owner releases, the keys are free.
        let tokens = owners.pop().unwrap();
        assert_eq!(
            stores[0].release_all(&keys, &tokens).await.unwrap(),
            [true, true]
        );
        assert!(matches!(
            stores[1].claim_all(&keys, &D1, lease).await.unwrap(),
            ClaimAll::Fresh(_)
        ));
    }
    // Racing deliveries that share their content (a replay under new ids) but not their id:
    // the content key lets one through.
    let claims: Vec<_> = (0..16)
        .map(|i| {
            let store = stores[i % 2].clone();
            let keys = vec![
                format!("helix:id:replay-{i}"),
                "helix:sig:shared".to_owned(),
            ];
            tokio::spawn(async move { store.claim_all(&keys, &D1, lease).await.unwrap() })
        })
        .collect();
    let mut fresh = 0;
    for claim in claims {
        match claim.await.unwrap() {
            ClaimAll::Fresh(_) => fresh += 1,
            ClaimAll::Refused {
                index: 1,
                claim: Claim::InFlight { .. },
            } => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(fresh, 1);
    // And the refused ones left their own id unclaimed.
    let pool = stores[0].pool();
    let (rows,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM webhook_guard_dedup WHERE key LIKE 'helix:id:replay-%'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(rows, 1, "only the winner's id key is held");
}

/// Statements the server ran (it logs every statement; only the stores send any): a round
/// trip each, after a statement's first use on a connection (which prepares it, one more).
fn statements(server: &PostgresServer) -> usize {
    server
        .log()
        .lines()
        .filter(|l| l.contains("LOG:  execute ") || l.contains("LOG:  statement: "))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_answer_a_duplicate_as_a_duplicate_in_two_round_trips_a_delivery() {
    let Some(server) = PostgresServer::start_with("replicas_over_http", &["log_statement=all"])
    else {
        return;
    };
    let runs = Runs::default();
    // No background purge: every statement counted is the guard's.
    let a = replica(store(&server).await.purge_every(None), runs.clone()).await;
    let b = replica(store(&server).await.purge_every(None), runs.clone()).await;
    // Warm up: each statement prepared once on each replica's connection.
    for (n, replica) in [a, b].into_iter().enumerate() {
        assert_eq!(
            send(replica, "/hook", delivery(&format!("w{n}"), r#"{"n":0}"#))
                .await
                .status,
            200
        );
        assert_eq!(
            send(
                replica,
                "/hook",
                delivery(&format!("wf{n}"), r#"{"fail":0}"#)
            )
            .await
            .status,
            500
        );
    }
    let cost = async |replica, d: SignedDelivery, status: u16| {
        let before = statements(&server);
        let answer = send(replica, "/hook", d).await;
        assert_eq!(answer.status.as_u16(), status, "{:?}", answer.json);
        // The server writes its log as it goes; give the last line a moment.
        tokio::time::sleep(Duration::from_millis(50)).await;
        (statements(&server) - before, answer.json)
    };

    let (trips, json) = cost(a, delivery("evt-1", r#"{"n":1}"#), 200).await;
    assert_eq!(trips, 2, "processed: claim, complete");
    assert_ne!(json, serde_json::json!({"duplicate": true}));
    // The sender's retry reaches the other replica: a duplicate, the handler not run.
    let (trips, json) = cost(b, delivery("evt-1", r#"{"n":1}"#), 200).await;
    assert_eq!(json, serde_json::json!({"duplicate": true}));
    assert_eq!(trips, 1, "duplicate: one claim");
    assert_eq!(runs.of("evt-1"), 1);
    // Another body under the same id: refused.
    let answer = send(a, "/hook", delivery("evt-1", r#"{"n":2}"#)).await;
    assert_eq!(
        (answer.status.as_u16(), answer.code()),
        (409, "id_conflict")
    );
    // A failed handler releases: the retry is processed again.
    let (trips, _) = cost(a, delivery("evt-2", r#"{"fail":1}"#), 500).await;
    assert_eq!(trips, 2, "failed: claim, release");
    let (trips, _) = cost(b, delivery("evt-2", r#"{"fail":1}"#), 500).await;
    assert_eq!(trips, 2);
    assert_eq!(runs.of("evt-2"), 2);
    // The same signed content under a new id (a replay) is answered as a duplicate.
    let mut replay = delivery("evt-3", r#"{"n":3}"#);
    assert_eq!(send(a, "/hook", replay.clone()).await.status, 200);
    replay.headers.insert(
        "x-webhook-event-id",
        axum::http::HeaderValue::from_static("evt-4"),
    );
    let (trips, json) = cost(b, replay, 200).await;
    assert_eq!(json, serde_json::json!({"duplicate": true}));
    assert_eq!(
        trips, 1,
        "replay refused at its second key: one statement, nothing to undo"
    );
    assert_eq!(runs.of("evt-4"), 0);
}

/// A sender's copies of one delivery arriving at once on two replicas (retries overlapping a
/// slow first attempt): exactly one runs the handler; the others are told it is in flight or,
/// once it completed, that it is a duplicate. The same for a replay under new ids.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_copies_on_two_replicas_are_processed_once() {
    let Some(server) = PostgresServer::start("concurrent_copies") else {
        return;
    };
    let runs = Runs::default();
    let replicas = [
        replica(store(&server).await, runs.clone()).await,
        replica(store(&server).await, runs.clone()).await,
    ];
    for round in 0..5 {
        let id = format!("copy-{round}");
        let body = format!(r#"{{"round":{round}}}"#);
        let copy = delivery(&id, &body);
        let sent: Vec<_> = (0..12)
            .map(|n| {
                let mut d = copy.clone();
                if n % 3 == 2 {
                    // A replay: the same signed content under another id.
                    d.headers.insert(
                        "x-webhook-event-id",
                        axum::http::HeaderValue::from_str(&format!("{id}-replay-{n}")).unwrap(),
                    );
                }
                tokio::spawn(send(replicas[n % 2], "/hook", d))
            })
            .collect();
        let mut answers = Vec::new();
        for answer in sent {
            let answer = answer.await.unwrap();
            answers.push((
                answer.status.as_u16(),
                answer.code().to_owned(),
                answer.json,
            ));
        }
        let processed = answers
            .iter()
            .filter(|(status, _, json)| {
                *status == 200 && *json != serde_json::json!({"duplicate": true})
            })
            .count();
        assert_eq!(processed, 1, "round {round}: {answers:?}");
        for (status, code, json) in &answers {
            assert!(
                *status == 200 || (*status, code.as_str()) == (409, "in_flight"),
                "round {round}: {status} {code} {json:?}"
            );
        }
        assert_eq!(runs.total(), round + 1, "round {round}: {answers:?}");
        // Once settled, the copy is a duplicate (whichever of its ids won: its signed content
        // was completed).
        let again = send(replicas[round % 2], "/hook", copy.clone()).await;
        assert_eq!(again.json, serde_json::json!({"duplicate": true}));
    }
}

/// Send `d` until it is answered 200 (processed or duplicate), retrying on 503 and 409 as a
/// sender would, for at most `within`.
async fn deliver(
    replica: std::net::SocketAddr,
    id: &str,
    body: &str,
    within: Duration,
) -> serde_json::Value {
    let deadline = Instant::now() + within;
    loop {
        let answer = send(replica, "/hook", delivery(id, body)).await;
        match answer.status.as_u16() {
            200 => return answer.json,
            503 | 409 if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            _ => panic!("{id}: {} {:?}", answer.status, answer.json),
        }
    }
}

/// Rows still in flight: a claim left behind would refuse the sender's retries.
async fn in_flight(url: &str) -> i64 {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let (n,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM webhook_guard_dedup WHERE NOT done AND expires_at > now()",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_and_restarted_database_loses_nothing_and_runs_nothing_twice() {
    let Some(mut server) = PostgresServer::start("killed_and_restarted") else {
        return;
    };
    let runs = Runs::default();
    let replicas = [
        replica(store(&server).await, runs.clone()).await,
        replica(store(&server).await, runs.clone()).await,
    ];
    for n in 0..10 {
        let json = deliver(
            replicas[n % 2],
            &format!("before-{n}"),
            "{}",
            Duration::from_secs(5),
        )
        .await;
        assert_ne!(json, serde_json::json!({"duplicate": true}));
    }

    // The database dies: deliveries are refused with 503 and Retry-After, quickly.
    server.kill();
    for n in 0..4 {
        let started = Instant::now();
        let answer = send(
            replicas[n % 2],
            "/hook",
            delivery(&format!("during-{n}"), "{}"),
        )
        .await;
        assert_eq!(
            (answer.status.as_u16(), answer.code()),
            (503, "store_unavailable"),
            "{:?}",
            answer.json
        );
        assert!(answer.headers.contains_key("retry-after"));
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "answered within the 2 s timeout (and some): {:?}",
            started.elapsed()
        );
    }
    assert_eq!(runs.total(), 10, "no handler ran without the store");

    // Back again (crash recovery): the senders' retries are processed, once each.
    server.restart();
    for n in 0..4 {
        let json = deliver(
            replicas[(n + 1) % 2],
            &format!("during-{n}"),
            "{}",
            Duration::from_secs(20),
        )
        .await;
        assert_ne!(json, serde_json::json!({"duplicate": true}), "during-{n}");
    }
    // Nothing lost: what completed before the crash is still completed.
    for n in 0..10 {
        let json = deliver(
            replicas[(n + 1) % 2],
            &format!("before-{n}"),
            "{}",
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(json, serde_json::json!({"duplicate": true}), "before-{n}");
    }
    for n in 0..10 {
        assert_eq!(runs.of(&format!("before-{n}")), 1, "before-{n}");
    }
    for n in 0..4 {
        assert_eq!(runs.of(&format!("during-{n}")), 1, "during-{n}");
    }
    assert_eq!(in_flight(&server.url()).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_database_times_out_and_leaves_no_claim_behind() {
    let Some(server) = PostgresServer::start("frozen") else {
        return;
    };
    let runs = Runs::default();
    let replicas = [
        replica(store(&server).await, runs.clone()).await,
        replica(store(&server).await, runs.clone()).await,
    ];
    for (n, replica) in replicas.into_iter().enumerate() {
        deliver(replica, &format!("warm-{n}"), "{}", Duration::from_secs(5)).await;
    }

    // The database stalls: its backends stop, connections stay open, statements queue up.
    server.freeze();
    let started = Instant::now();
    let sent: Vec<_> = (0..6)
        .map(|n| {
            tokio::spawn(send(
                replicas[n % 2],
                "/hook",
                delivery(&format!("stall-{n}"), "{}"),
            ))
        })
        .collect();
    for (n, answer) in sent.into_iter().enumerate() {
        let answer = answer.await.unwrap();
        assert_eq!(
            (answer.status.as_u16(), answer.code()),
            (503, "store_unavailable"),
            "stall-{n}: {:?}",
            answer.json
        );
    }
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(5), "timed out in {waited:?}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    // It runs again, and with it the claims it had queued: the guard undoes those.
    server.resume();

    for n in 0..6 {
        let json = deliver(
            replicas[(n + 1) % 2],
            &format!("stall-{n}"),
            "{}",
            Duration::from_secs(20),
        )
        .await;
        assert_ne!(json, serde_json::json!({"duplicate": true}), "stall-{n}");
    }
    for n in 0..6 {
        assert_eq!(
            runs.of(&format!("stall-{n}")),
            1,
            "stall-{n} processed once"
        );
        let json = deliver(
            replicas[n % 2],
            &format!("stall-{n}"),
            "{}",
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(json, serde_json::json!({"duplicate": true}));
    }
    assert_eq!(runs.total(), 2 + 6);
    assert_eq!(in_flight(&server.url()).await, 0, "nothing stays in flight");
}

/// A claim that times out on the client but commits afterwards (it waited on a lock that was
/// then let go): the caller was told the store is unavailable, so no handler holds its token;
/// the store undoes it in the background, and the key is free again well within the lease.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_that_commits_after_its_timeout_is_undone() {
    let Some(server) = PostgresServer::start("late_commit") else {
        return;
    };
    let store = store(&server).await.timeout(Duration::from_millis(300));
    let lease = Duration::from_secs(60);
    let other = store.clone().timeout(Duration::from_secs(2));
    // Another transaction holds the key's row locked (it is inserting it, uncommitted).
    let mut blocker = store.pool().begin().await.unwrap();
    sqlx::query(
        "INSERT INTO webhook_guard_dedup VALUES ('late', false, '\\x00', '\\x00', now() + interval '1 hour')",
    )
    .execute(&mut *blocker)
    .await
    .unwrap();
    let keys = ["late".to_owned()];
    let started = Instant::now();
    let lost = store.claim_all(&keys, &D1, lease).await;
    assert!(lost.is_err(), "{lost:?}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // The blocker gives up: the waiting claim goes on and commits, under a token nobody has.
    tokio::time::sleep(Duration::from_millis(700)).await;
    blocker.rollback().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        matches!(
            other.claim_all(&keys, &D1, lease).await.unwrap(),
            ClaimAll::Refused {
                claim: Claim::InFlight { .. },
                ..
            }
        ),
        "the late claim did commit"
    );
    // Undone within the statement timeout (2 s) and some, not the 60 s lease.
    let deadline = Instant::now() + Duration::from_secs(6);
    loop {
        match other.claim_all(&keys, &D1, lease).await.unwrap() {
            ClaimAll::Fresh(_) => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            refused => panic!("still held after {:?}: {refused:?}", started.elapsed()),
        }
    }
}

/// Not a benchmark (`cargo bench` is not for this): claim + complete against the local server,
/// one after another and eight at a time, printed with `--nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_and_complete_latency_against_a_local_server() {
    let Some(server) = PostgresServer::start("latency") else {
        return;
    };
    let store = store(&server).await.purge_every(None);
    let lease = Duration::from_secs(60);
    let ttl = Duration::from_secs(3600);
    let once = async |store: &PostgresStore, key: String| {
        let keys = [key];
        let started = Instant::now();
        let ClaimAll::Fresh(tokens) = store.claim_all(&keys, &D1, lease).await.unwrap() else {
            panic!("fresh key")
        };
        assert_eq!(
            store.complete_all(&keys, &tokens, ttl).await.unwrap(),
            [true]
        );
        started.elapsed()
    };
    for i in 0..50 {
        once(&store, format!("warm:{i}")).await;
    }
    let mut took: Vec<Duration> = Vec::new();
    let started = Instant::now();
    for i in 0..1000 {
        took.push(once(&store, format!("seq:{i}")).await);
    }
    let sequential = started.elapsed();
    took.sort();
    let pct = |p: usize| took[(took.len() * p / 100).min(took.len() - 1)];
    println!(
        "postgres claim+complete, sequential: p50 {:?}, p90 {:?}, p99 {:?}, max {:?}; {:.0} deliveries/s",
        pct(50),
        pct(90),
        pct(99),
        took[took.len() - 1],
        1000.0 / sequential.as_secs_f64()
    );
    // For scale: one bare round trip (`SELECT 1`) through the same pool.
    let mut bare: Vec<Duration> = Vec::new();
    for _ in 0..1000 {
        let started = Instant::now();
        sqlx::query("SELECT 1").execute(store.pool()).await.unwrap();
        bare.push(started.elapsed());
    }
    bare.sort();
    println!("postgres bare round trip (SELECT 1): p50 {:?}", bare[500]);
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let store = store.clone();
            let done = done.clone();
            tokio::spawn(async move {
                for i in 0..250 {
                    let keys = [format!("par:{t}:{i}")];
                    let ClaimAll::Fresh(tokens) = store.claim_all(&keys, &D1, lease).await.unwrap()
                    else {
                        panic!("fresh key")
                    };
                    store.complete_all(&keys, &tokens, ttl).await.unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    println!(
        "postgres claim+complete, 8 concurrent: {:.0} deliveries/s",
        done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
    );
    // Purging what expired: nothing yet, then everything once the TTL is short.
    assert_eq!(store.purge_expired(1000).await.unwrap(), 0);
    let keys = ["short".to_owned()];
    let ClaimAll::Fresh(tokens) = store.claim_all(&keys, &D1, lease).await.unwrap() else {
        panic!()
    };
    store
        .complete_all(&keys, &tokens, Duration::from_millis(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(store.purge_expired(1000).await.unwrap(), 1);
    assert!(matches!(
        store.claim("short", &D1, lease).await.unwrap(),
        Claim::Fresh(_)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_rows_are_purged_in_bounded_batches_in_the_background() {
    let Some(server) = PostgresServer::start("purge") else {
        return;
    };
    let quiet = store(&server).await.purge_every(None);
    let lease = Duration::from_secs(60);
    // 2500 completed keys whose TTL runs out at once.
    let keys: Vec<String> = (0..2500).map(|i| format!("old:{i}")).collect();
    for chunk in keys.chunks(500) {
        let ClaimAll::Fresh(tokens) = quiet.claim_all(chunk, &D1, lease).await.unwrap() else {
            panic!("fresh keys")
        };
        quiet
            .complete_all(chunk, &tokens, Duration::from_millis(1))
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    // One explicit batch deletes at most its limit.
    assert_eq!(quiet.purge_expired(1000).await.unwrap(), 1000);
    // A store that purges on its own does the rest after a claim, in batches of 1000.
    let purging = store(&server)
        .await
        .purge_every(Some(Duration::from_secs(3600)));
    assert!(matches!(
        purging.claim("new", &D1, lease).await.unwrap(),
        Claim::Fresh(_)
    ));
    let count = async || -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM webhook_guard_dedup")
            .fetch_one(purging.pool())
            .await
            .unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while count().await > 1 {
        assert!(Instant::now() < deadline, "{} rows left", count().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Only the live claim is left, and it is still held.
    assert!(matches!(
        purging.claim("new", &D1, lease).await.unwrap(),
        Claim::InFlight { .. }
    ));
}

/// Transactional completion: the handler writes its effect and completes the delivery's claim
/// in one transaction. A transaction that rolls back leaves the delivery to the sender's retry
/// (even when the handler answered 2xx), and the effect is written exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_completes_the_delivery_in_its_own_transaction() {
    use axum::extract::State;
    use axum::http::StatusCode;
    use webhook_guard::dedup::DeliveryClaim;

    let Some(server) = PostgresServer::start("transactional") else {
        return;
    };
    let store = store(&server).await;
    sqlx::query("CREATE TABLE effects (delivery text NOT NULL)")
        .execute(store.pool())
        .await
        .unwrap();
    let attempts = Runs::default();
    let seen = attempts.clone();
    let handler = async move |State(store): State<PostgresStore>,
                              meta: WebhookMeta,
                              claim: DeliveryClaim,
                              body: webhook_guard::RawBody|
                -> StatusCode {
        let id = meta.id().unwrap_or_default().to_owned();
        seen.add(&id);
        let mut tx = store.pool().begin().await.unwrap();
        sqlx::query("INSERT INTO effects VALUES ($1)")
            .bind(&id)
            .execute(&mut *tx)
            .await
            .unwrap();
        assert!(store.complete_in(&mut tx, &claim).await.unwrap());
        // The first attempt of a `rollback` delivery fails after its writes: with a 500, or,
        // worse, answering 200 all the same.
        let first = seen.of(&id) == 1;
        if first && body.0.starts_with(b"{\"rollback\":500") {
            tx.rollback().await.unwrap();
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
        if first && body.0.starts_with(b"{\"rollback\":200") {
            drop(tx); // rolled back
            return StatusCode::OK;
        }
        tx.commit().await.unwrap();
        StatusCode::OK
    };
    let app = Router::new()
        .route("/hook", post(handler))
        .route_layer(
            WebhookLayer::new(Verifier::new(Scheme::helix(), Secret::new(KEY).unwrap()))
                .dedup(store.clone()),
        )
        .with_state(store.clone());
    let addr = common::spawn(app).await;
    let effects = async |id: &str| -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM effects WHERE delivery = $1")
            .bind(id)
            .fetch_one(store.pool())
            .await
            .unwrap()
    };

    // Committed: processed once, then a duplicate.
    let d = delivery("tx-1", r#"{"n":1}"#);
    assert_eq!(send(addr, "/hook", d.clone()).await.status, 200);
    let again = send(addr, "/hook", d).await;
    assert_eq!(again.json, serde_json::json!({"duplicate": true}));
    assert_eq!((attempts.of("tx-1"), effects("tx-1").await), (1, 1));

    // Rolled back with a 500: the retry runs again and commits; the effect is there once.
    let d = delivery("tx-2", r#"{"rollback":500}"#);
    assert_eq!(send(addr, "/hook", d.clone()).await.status, 500);
    assert_eq!(effects("tx-2").await, 0);
    assert_eq!(send(addr, "/hook", d.clone()).await.status, 200);
    let again = send(addr, "/hook", d).await;
    assert_eq!(again.json, serde_json::json!({"duplicate": true}));
    assert_eq!((attempts.of("tx-2"), effects("tx-2").await), (2, 1));

    // Rolled back under a 200: the delivery is not marked done, so a retry is processed.
    let d = delivery("tx-3", r#"{"rollback":200}"#);
    assert_eq!(send(addr, "/hook", d.clone()).await.status, 200);
    assert_eq!(effects("tx-3").await, 0);
    let retry = send(addr, "/hook", d.clone()).await;
    assert_eq!(retry.status, 200);
    assert_ne!(retry.json, serde_json::json!({"duplicate": true}));
    assert_eq!((attempts.of("tx-3"), effects("tx-3").await), (2, 1));
    let again = send(addr, "/hook", d).await;
    assert_eq!(again.json, serde_json::json!({"duplicate": true}));
}

/// The same through the actix-web middleware: a rolled-back transaction leaves the delivery to
/// the retry, a committed one makes it a duplicate, and the effect is written once.
#[cfg(feature = "actix")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_actix_handler_completes_the_delivery_in_its_own_transaction() {
    use actix_web::{HttpResponse, web};
    use webhook_guard::actix::WebhookGuard;
    use webhook_guard::dedup::DeliveryClaim;

    let Some(server) = PostgresServer::start("transactional_actix") else {
        return;
    };
    let store = store(&server).await;
    sqlx::query("CREATE TABLE effects (delivery text NOT NULL)")
        .execute(store.pool())
        .await
        .unwrap();
    let attempts = Arc::new(AtomicUsize::new(0));
    let guard = WebhookGuard::new(Verifier::new(Scheme::helix(), Secret::new(KEY).unwrap()))
        .dedup(store.clone());
    let (app_store, app_attempts) = (store.clone(), attempts.clone());
    let addr = common::spawn_actix(1, move |app| {
        let (store, attempts) = (app_store.clone(), app_attempts.clone());
        app.service(
            web::resource("/hook")
                .wrap(guard.clone())
                .route(
                    web::post().to(move |meta: WebhookMeta, claim: DeliveryClaim| {
                        let (store, attempts) = (store.clone(), attempts.clone());
                        async move {
                            let first = attempts.fetch_add(1, Ordering::SeqCst) == 0;
                            let mut tx = store.pool().begin().await.unwrap();
                            sqlx::query("INSERT INTO effects VALUES ($1)")
                                .bind(meta.id())
                                .execute(&mut *tx)
                                .await
                                .unwrap();
                            assert!(store.complete_in(&mut tx, &claim).await.unwrap());
                            if first {
                                tx.rollback().await.unwrap();
                                return HttpResponse::InternalServerError().finish();
                            }
                            tx.commit().await.unwrap();
                            HttpResponse::Ok().body("processed")
                        }
                    }),
                ),
        );
    });
    common::wait_listening(addr).await;

    let d = delivery("actix-tx", r#"{"n":1}"#);
    assert_eq!(send(addr, "/hook", d.clone()).await.status, 500);
    assert_eq!(send(addr, "/hook", d.clone()).await.status, 200);
    let again = send(addr, "/hook", d).await;
    assert_eq!(again.json, serde_json::json!({"duplicate": true}));
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    let effects: i64 = sqlx::query_scalar("SELECT count(*) FROM effects")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(effects, 1);
}
