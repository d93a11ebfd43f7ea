//! The `receiver` example on actix-web: same routes, same keys, same answers, same `GET /events`.
//!
//! ```text
//! BIND=127.0.0.1:3000 WEBHOOK_SECRET=... cargo run --example actix_receiver --features actix,ed25519,p256,rsa
//! ```
//!
//! Routes: `POST /webhooks/heppu`, `/webhooks/helix`, `/webhooks/helicone`, `/webhooks/github`,
//! `/webhooks/stripe`, `/webhooks/slack`, `/webhooks/shopify`, `/webhooks/gitlab` and
//! `/webhooks/standard` (verified with `WEBHOOK_SECRET`; Standard Webhooks decodes a
//! `whsec_<base64>` secret, and checks `v1a,` signatures with `WEBHOOK_ED25519_PUBLIC_KEY`),
//! `/webhooks/discord` (`WEBHOOK_ED25519_PUBLIC_KEY`), `/webhooks/sendgrid`
//! (`WEBHOOK_P256_PUBLIC_KEY`) and `/webhooks/paypal` (`WEBHOOK_PAYPAL_WEBHOOK_ID`,
//! `WEBHOOK_PAYPAL_CERT`), each behind a `WebhookGuard` middleware, answer `{"received":
//! <event>, "id": <id>}`; a route whose key is not set answers `503 {"error":
//! "key_not_configured", …}` naming the variable to set, and the receiver starts anyway.
//! `WEBHOOK_PUBLIC_URL` (default `http://<BIND>`) is the base URL Twilio signs (`/webhooks/twilio`).
//! The environment is read by `support/receiver_config.rs`, as for the axum `receiver`.
//!
//! `POST /webhooks/heppu/async` answers `202 {"queued": true, "id": <id>}` and processes in the
//! background; `GET /events` lists what the handlers processed, in order; `GET
//! /metrics/webhooks` shows the counters. `POST /webhooks/stripe-connect` is a second Stripe
//! endpoint on the same store, under its own dedup namespace. Jobs the queue could not finish
//! are kept in `DEAD_LETTER_FILE` (default `webhook-dead-letters.jsonl`), one JSON line each,
//! for replay.
//!
//! Hostile clients: actix-web cuts a request head that takes over 5 s itself
//! (`client_request_timeout`); the guard cuts a body that takes over 10 s.

#[path = "support/actix_receiver_app.rs"]
mod actix_receiver_app;
#[path = "support/dead_letters.rs"]
mod dead_letters;
#[path = "support/receiver_config.rs"]
mod receiver_config;

use actix_web::{App, HttpServer};

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_target(false).init();
    let config = receiver_config::from_env_or_exit("actix_receiver");
    if config.database.is_some() {
        // Only the axum `receiver` example is wired to PostgreSQL so far.
        eprintln!(
            "actix_receiver: DATABASE_URL is set, but this example deduplicates in memory only; \
             run the axum `receiver` example for PostgreSQL, or unset DATABASE_URL"
        );
        std::process::exit(2)
    }
    let (routes, _log, queue) = actix_receiver_app::routes(&config);
    let server =
        HttpServer::new(move || App::new().configure(routes.clone())).bind(&config.bind)?;
    for addr in server.addrs() {
        println!("webhook receiver (actix-web) listening on http://{addr}");
    }
    for line in config.startup_report() {
        println!("{line}");
    }
    // actix-web stops gracefully on Ctrl-C / SIGTERM by itself; then drain the queue.
    server.run().await?;
    dead_letters::drain(&queue).await;
    Ok(())
}
