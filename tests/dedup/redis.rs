//! Two receiver instances sharing one real redis-server.

use crate::common;
use crate::common::redis_server;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::post;
use common::{send, spawn};
use webhook_guard::dedup::{Dedup, RedisStore};
use webhook_guard::testing::Delivery;
use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer, WebhookMeta};

const KEY: &str = "redis-dedup-secret-0123456789";

/// One receiver instance with its own Redis connection.
async fn instance(url: &str, runs: Arc<AtomicUsize>, fail_open: bool) -> std::net::SocketAddr {
    let store = RedisStore::connect(url).await.unwrap();
    let mut dedup = Dedup::new(store);
    if fail_open {
        dedup = dedup.danger_fail_open();
    }
    let app = Router::new()
        .route(
            "/hook",
            post(move |_m: WebhookMeta| async move {
                runs.fetch_add(1, Ordering::SeqCst);
                "processed"
            }),
        )
        .route_layer(
            WebhookLayer::new(Verifier::new(Scheme::helix(), Secret::new(KEY).unwrap()))
                .dedup_with(dedup)
                // Replicas of one endpoint, all in this test's process.
                .shared_namespace(),
        );
    spawn(app).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_deduplication_and_fail_closed_without_redis() {
    let Some(mut server) = redis_server::RedisServer::start("replicas_share_deduplication") else {
        return;
    };
    let runs = Arc::new(AtomicUsize::new(0));
    let a = instance(&server.url(), runs.clone(), false).await;
    let b = instance(&server.url(), runs.clone(), false).await;
    let open = instance(&server.url(), runs.clone(), true).await;
    let key = Secret::new(KEY).unwrap();

    // Helix retries carry a new timestamp (so a new signature) but the same event id.
    let first = Delivery::new(Scheme::helix(), r#"{"type":"news","data":{"id":1}}"#).id("evt-1");
    let d1 = first.clone().sign(&key);
    assert_eq!(send(a, "/hook", d1).await.status, 200);
    let retry = first.timestamp_millis(now_ms() + 1000).sign(&key);
    let ans = send(b, "/hook", retry).await;
    assert_eq!(ans.status, 200);
    assert_eq!(
        ans.json,
        serde_json::json!({"duplicate": true}),
        "the retry on the other replica is a duplicate"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // Redis goes away: fail closed with 503 and Retry-After, handler not run.
    server.kill();
    let d2 = Delivery::new(Scheme::helix(), r#"{"type":"news","data":{"id":2}}"#)
        .id("evt-2")
        .sign(&key);
    let ans = send(a, "/hook", d2.clone()).await;
    assert_eq!(
        (ans.status.as_u16(), ans.code()),
        (503, "store_unavailable")
    );
    assert!(ans.headers.contains_key("retry-after"));
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    // Configured fail-open: processed without deduplication.
    assert_eq!(send(open, "/hook", d2).await.status, 200);
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

/// Round trips the store has made: the scripts it ran (`EVALSHA`, `EVAL`, `SCRIPT LOAD`), which
/// is all it sends. Other commands counted by the server are the ones those scripts call
/// inside, run within the same round trip, and this test's own `INFO`.
async fn commands(conn: &mut redis::aio::MultiplexedConnection) -> u64 {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(conn)
        .await
        .unwrap();
    info.lines()
        .filter(|l| {
            ["cmdstat_eval", "cmdstat_script"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .filter_map(|l| {
            l.split("calls=")
                .nth(1)?
                .split(',')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_costs_two_round_trips_whatever_its_keys() {
    let Some(server) = redis_server::RedisServer::start("two_round_trips") else {
        return;
    };
    // Helix claims two keys per delivery: its unsigned event id and its signature's digest.
    let store = RedisStore::connect(&server.url()).await.unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    let app = Router::new()
        .route(
            "/hook",
            post(move |body: webhook_guard::RawBody| async move {
                counted.fetch_add(1, Ordering::SeqCst);
                if body.0.starts_with(b"{\"fail\"") {
                    (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "failed")
                } else {
                    (axum::http::StatusCode::OK, "processed")
                }
            }),
        )
        .route_layer(
            WebhookLayer::new(Verifier::new(Scheme::helix(), Secret::new(KEY).unwrap()))
                .dedup_with(Dedup::new(store)),
        );
    let addr = spawn(app).await;
    let key = Secret::new(KEY).unwrap();
    let mut conn = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let delivery = |id: &str, body: &str| {
        Delivery::new(Scheme::helix(), body.to_owned())
            .id(id)
            .sign(&key)
    };
    // The first use of each script loads it; count from the second.
    assert_eq!(
        send(addr, "/hook", delivery("w1", r#"{"n":1}"#))
            .await
            .status,
        200
    );
    assert_eq!(
        send(addr, "/hook", delivery("w2", r#"{"fail":1}"#))
            .await
            .status,
        500
    );

    let mut cost = async |d: webhook_guard::testing::SignedDelivery, status: u16| {
        let before = commands(&mut conn).await;
        assert_eq!(send(addr, "/hook", d).await.status.as_u16(), status);
        commands(&mut conn).await - before
    };
    let d = delivery("evt-1", r#"{"n":2}"#);
    assert_eq!(cost(d.clone(), 200).await, 2, "processed: claim, complete");
    let retry = Delivery::new(Scheme::helix(), r#"{"n":2}"#)
        .id("evt-1")
        .timestamp_millis(now_ms() + 1000)
        .sign(&key);
    assert_eq!(cost(retry, 200).await, 1, "duplicate: one claim");
    let mut replay = d.clone();
    replay.headers.insert(
        "x-webhook-event-id",
        axum::http::HeaderValue::from_static("evt-2"),
    );
    assert_eq!(
        cost(replay, 200).await,
        1,
        "completed content under a new id, a duplicate: one claim"
    );
    let failing = delivery("evt-3", r#"{"fail":2}"#);
    assert_eq!(
        cost(failing, 500).await,
        2,
        "failed handler: claim, release"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 4, "w1, w2, evt-1, evt-3");
    // The copy refused at its second key left its new id unclaimed.
    let fresh = delivery("evt-2", r#"{"n":3}"#);
    assert_eq!(cost(fresh, 200).await, 2);
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A real actix-web server whose guard deduplicates on `store`; the handler fails (500) for a
/// body starting with `{"fail"`.
#[cfg(feature = "actix")]
fn actix_instance(store: RedisStore, runs: Arc<AtomicUsize>) -> std::net::SocketAddr {
    use actix_web::{HttpResponse, web};
    use webhook_guard::actix::WebhookGuard;

    let guard = WebhookGuard::new(Verifier::new(Scheme::helix(), Secret::new(KEY).unwrap()))
        .dedup(store)
        .shared_namespace();
    crate::common::spawn_actix(1, move |app| {
        let runs = runs.clone();
        app.service(
            web::resource("/hook")
                .wrap(guard.clone())
                .route(web::post().to(move |body: webhook_guard::RawBody| {
                    let runs = runs.clone();
                    async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        if body.0.starts_with(b"{\"fail\"") {
                            HttpResponse::InternalServerError().body("failed")
                        } else {
                            HttpResponse::Ok().body("processed")
                        }
                    }
                })),
        );
    })
}

/// The actix-web middleware on Redis: the claim and its completion or release are one round
/// trip each (their futures are boxed apart from the middleware's since a07ce9a), a released
/// delivery's retry is processed, and a completed one's is a duplicate.
#[cfg(feature = "actix")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_web_settles_its_claims_on_redis() {
    let Some(server) = redis_server::RedisServer::start("actix_settles_on_redis") else {
        return;
    };
    let store = RedisStore::connect(&server.url()).await.unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let addr = actix_instance(store, runs.clone());
    common::wait_listening(addr).await;
    let key = Secret::new(KEY).unwrap();
    let mut conn = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let delivery = |id: &str, body: &str| {
        Delivery::new(Scheme::helix(), body.to_owned())
            .id(id)
            .sign(&key)
    };
    // The first use of each script loads it; count from the second.
    assert_eq!(
        send(addr, "/hook", delivery("w1", r#"{"n":1}"#))
            .await
            .status,
        200
    );
    assert_eq!(
        send(addr, "/hook", delivery("w2", r#"{"fail":1}"#))
            .await
            .status,
        500
    );

    let mut cost = async |d: webhook_guard::testing::SignedDelivery, status: u16| {
        let before = commands(&mut conn).await;
        let ans = send(addr, "/hook", d).await;
        assert_eq!(ans.status.as_u16(), status, "{:?}", ans.json);
        (commands(&mut conn).await - before, ans.json)
    };
    let (trips, _) = cost(delivery("evt-1", r#"{"n":2}"#), 200).await;
    assert_eq!(trips, 2, "processed: claim, complete");
    let retry = Delivery::new(Scheme::helix(), r#"{"n":2}"#)
        .id("evt-1")
        .timestamp_millis(now_ms() + 1000)
        .sign(&key);
    let (trips, json) = cost(retry, 200).await;
    assert_eq!(trips, 1, "duplicate: one claim");
    assert_eq!(json, serde_json::json!({"duplicate": true}));
    let (trips, _) = cost(delivery("evt-3", r#"{"fail":2}"#), 500).await;
    assert_eq!(trips, 2, "failed handler: claim, release");
    // Released, so the sender's retry of the failed delivery runs the handler again.
    let retry = Delivery::new(Scheme::helix(), r#"{"fail":2}"#)
        .id("evt-3")
        .timestamp_millis(now_ms() + 1000)
        .sign(&key);
    let (trips, _) = cost(retry, 500).await;
    assert_eq!(trips, 2, "the retry is claimed afresh, and released again");
    assert_eq!(
        runs.load(Ordering::SeqCst),
        5,
        "w1, w2, evt-1, evt-3 and its retry; not the duplicate"
    );
}

/// Redis stalls (`SIGSTOP`) while claims are on their way. The claims time out on the client
/// (`503 store_unavailable`), but Redis runs them once it resumes: without more, each would
/// hold its delivery as in flight for the whole lease (5 min), and the sender's retries would
/// be refused with `409 in_flight`. The guard undoes a claim whose answer it lost, so the
/// retries, on either replica and either framework, are processed, each delivery once.
#[cfg(feature = "actix")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_lost_in_a_redis_stall_leaves_nothing_behind() {
    let Some(server) = redis_server::RedisServer::start("claim_lost_in_a_stall") else {
        return;
    };
    let runs = Arc::new(AtomicUsize::new(0));
    let axum_replica = instance(&server.url(), runs.clone(), false).await;
    let store = RedisStore::connect(&server.url()).await.unwrap();
    let actix_replica = actix_instance(store, runs.clone());
    common::wait_listening(actix_replica).await;
    let replicas = [axum_replica, actix_replica];
    let key = Secret::new(KEY).unwrap();
    let delivery = |n: usize| {
        Delivery::new(Scheme::helix(), format!(r#"{{"type":"news","n":{n}}}"#))
            .id(format!("stall-{n}"))
            .timestamp_millis(now_ms())
            .sign(&key)
    };
    // Each replica has loaded the claim script before the stall.
    for (n, replica) in replicas.iter().enumerate() {
        assert_eq!(send(*replica, "/hook", delivery(100 + n)).await.status, 200);
    }

    server.freeze();
    let sent: Vec<_> = (0..6)
        .map(|n| tokio::spawn(send(replicas[n % 2], "/hook", delivery(n))))
        .collect();
    for (n, answer) in sent.into_iter().enumerate() {
        let answer = answer.await.unwrap();
        assert_eq!(
            (answer.status.as_u16(), answer.code()),
            (503, "store_unavailable"),
            "delivery {n} during the stall"
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    server.resume();

    // The sender retries a moment later, on the other replica. A `503` means the connection
    // is still coming back; an `in_flight` would be the stalled claim's key, left behind.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    for n in 0..6 {
        loop {
            let answer = send(replicas[(n + 1) % 2], "/hook", delivery(n)).await;
            match answer.status.as_u16() {
                200 => {
                    assert_ne!(answer.json, serde_json::json!({"duplicate": true}), "{n}");
                    break;
                }
                503 | 409 if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                _ => panic!("retry of delivery {n}: {} {:?}", answer.status, answer.json),
            }
        }
    }
    assert_eq!(
        runs.load(Ordering::SeqCst),
        2 + 6,
        "each delivery processed once"
    );
    // Every key left is a completed one: nothing stays in flight.
    let mut conn = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("webhook-guard:helix:*")
        .query_async(&mut conn)
        .await
        .unwrap();
    // Helix claims two keys a delivery (its unsigned event id, its signature's digest): the
    // stalled claims' signature keys are gone, the retries' are kept.
    assert_eq!(keys.len(), 2 * 8, "{keys:?}");
    for key in keys {
        let value: String = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!(value.starts_with("d|"), "{key} is {value}");
    }
    // And the deliveries are now duplicates everywhere.
    for n in 0..6 {
        let answer = send(replicas[n % 2], "/hook", delivery(n)).await;
        assert_eq!(answer.json, serde_json::json!({"duplicate": true}), "{n}");
    }
    assert_eq!(runs.load(Ordering::SeqCst), 8);
}
