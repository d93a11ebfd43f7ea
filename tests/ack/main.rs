//! Async-ack: the in-process queue through real servers (retries, dead letters, backpressure,
//! drain) and the durable queues on a real redis-server and PostgreSQL (the tests start their
//! own), whose jobs survive the process that took them and the server being killed or frozen.
//! One test binary: `cargo test --all-features --test ack`.

#[path = "../common/mod.rs"]
mod common;

mod memory_queue;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;

/// What the durable queues' tests share: the key, a one-worker runtime, and the route that
/// verifies Heppu deliveries and enqueues them.
#[cfg(any(feature = "redis", feature = "postgres"))]
mod durable {
    use axum::Router;
    use axum::routing::post;
    use serde_json::Value;
    use webhook_guard::ack::AckQueue;
    use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer};

    pub const KEY: &str = "durable-ack-secret-0123456789";

    pub fn secret() -> Secret {
        Secret::new(KEY).unwrap()
    }

    pub fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    }

    pub fn app(q: &AckQueue<Value>) -> Router {
        Router::new()
            .route("/hook", post(q.axum_handler()))
            .route_layer(WebhookLayer::new(Verifier::new(Scheme::heppu(), secret())))
    }
}
