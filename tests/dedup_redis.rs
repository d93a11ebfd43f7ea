//! Two receiver instances sharing one real redis-server.
#![cfg(feature = "redis")]

mod common;
#[path = "common/redis_server.rs"]
mod redis_server;

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
                .dedup_with(dedup),
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

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}
