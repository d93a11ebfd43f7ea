//! The `receiver` example on poem: same routes, same keys, same answers, same `GET /events`.
//!
//! ```text
//! BIND=127.0.0.1:3000 WEBHOOK_SECRET=... cargo run --example poem_receiver --features poem,ed25519,p256,rsa
//! ```
//!
//! Routes: `POST /webhooks/heppu`, `/webhooks/helix`, `/webhooks/helicone` and a route for every
//! other built-in sender (`/webhooks/github`, `/webhooks/stripe`, `/webhooks/standard`,
//! `/webhooks/discord`, …), each behind a `WebhookGuard` middleware, answer `{"received":
//! <event>, "id": <id>}`; a route whose key is not set answers `503 {"error":
//! "key_not_configured", …}` naming the variable to set, and the receiver starts anyway. The
//! keys are read from `WEBHOOK_SECRET`, `WEBHOOK_ED25519_PUBLIC_KEY`, `WEBHOOK_P256_PUBLIC_KEY`,
//! `WEBHOOK_PAYPAL_WEBHOOK_ID` and `WEBHOOK_PAYPAL_CERT`; `WEBHOOK_PUBLIC_URL` (default
//! `http://<BIND>`) is the base URL the URL-signed senders sign. The environment is read by
//! `support/receiver_config.rs`, as for the axum `receiver`.
//!
//! `POST /webhooks/heppu/async` answers `202 {"queued": true, "id": <id>}` and processes in the
//! background; `GET /events` lists what the handlers processed, in order; `GET
//! /metrics/webhooks` shows the counters. Jobs the queue could not finish are kept in
//! `DEAD_LETTER_FILE` (default `webhook-dead-letters.jsonl`), one JSON line each, for replay.
//!
//! Hostile clients: a connection idle for 10 s is closed (poem's `idle_timeout`); the guard cuts
//! a body that takes over 10 s.

#[path = "support/dead_letters.rs"]
mod dead_letters;
#[path = "support/poem_receiver_app.rs"]
mod poem_receiver_app;
#[path = "support/receiver_config.rs"]
mod receiver_config;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_target(false).init();
    let config = receiver_config::from_env_or_exit("poem_receiver");
    let receiver = poem_receiver_app::app(&config);
    let listener = tokio::net::TcpListener::bind(&config.bind).await?;
    receiver_config::announce(&config, "webhook receiver (poem)", listener.local_addr()?);
    poem_receiver_app::serve(listener, receiver.app, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    dead_letters::drain(&receiver.queue).await;
    Ok(())
}
