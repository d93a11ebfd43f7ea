//! The `receiver` example on rocket 0.5: same routes, same keys, same answers, same `GET /events`.
//!
//! ```text
//! BIND=127.0.0.1:3000 WEBHOOK_SECRET=... cargo run --example rocket_receiver --features rocket,ed25519,p256,rsa
//! ```
//!
//! Routes: `POST /webhooks/heppu`, `/webhooks/helix`, `/webhooks/helicone`, `/webhooks/github`,
//! `/webhooks/stripe`, `/webhooks/slack`, `/webhooks/shopify`, `/webhooks/gitlab` and
//! `/webhooks/standard` (verified with `WEBHOOK_SECRET`; Standard Webhooks decodes a
//! `whsec_<base64>` secret, and checks `v1a,` signatures with `WEBHOOK_ED25519_PUBLIC_KEY`),
//! `/webhooks/discord` (`WEBHOOK_ED25519_PUBLIC_KEY`), `/webhooks/sendgrid`
//! (`WEBHOOK_P256_PUBLIC_KEY`) and `/webhooks/paypal` (`WEBHOOK_PAYPAL_WEBHOOK_ID`,
//! `WEBHOOK_PAYPAL_CERT`), and the other built-in senders, each verified by its guard in the
//! `Webhooks` fairing, answer `{"received": <event>, "id": <id>}`; a route whose key is not set
//! answers `503 {"error": "key_not_configured", …}` naming the variable to set, and the receiver
//! starts anyway. `WEBHOOK_PUBLIC_URL` (default `http://<BIND>`) is the base URL Twilio signs
//! (`/webhooks/twilio`). The environment is read by `support/receiver_config.rs`, as for the
//! axum `receiver`; rocket's own `ROCKET_*` variables and `Rocket.toml` are not read.
//!
//! `POST /webhooks/heppu/async` answers `202 {"queued": true, "id": <id>}` and processes in the
//! background; `GET /events` lists what the handlers processed, in order; `GET
//! /metrics/webhooks` shows the counters. `POST /webhooks/stripe-connect` is a second Stripe
//! endpoint on the same store, under its own dedup namespace. Jobs the queue could not finish
//! are kept in `DEAD_LETTER_FILE` (default `webhook-dead-letters.jsonl`), one JSON line each,
//! for replay.
//!
//! Hostile clients: the guard cuts a body that takes over 10 s (`408 body_timeout`).

#[path = "support/dead_letters.rs"]
mod dead_letters;
#[path = "support/receiver_config.rs"]
mod receiver_config;
#[path = "support/rocket_receiver_app.rs"]
mod rocket_receiver_app;

use std::net::ToSocketAddrs;

#[rocket::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_target(false).init();
    let config = receiver_config::from_env_or_exit("rocket_receiver");
    let addr = config
        .bind
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| format!("BIND={} names no address", config.bind))?;
    let (rocket, _log, queue) = rocket_receiver_app::rocket(&config);
    let rocket_config = rocket::Config {
        address: addr.ip(),
        port: addr.port(),
        // Rocket's own request log; the guard logs refusals through `tracing`.
        log_level: rocket::config::LogLevel::Critical,
        ..rocket::Config::release_default()
    };
    let rocket = rocket.configure(rocket_config).ignite().await?;
    receiver_config::announce(&config, "webhook receiver (rocket)", addr);
    // Rocket stops gracefully on Ctrl-C by itself; then drain the queue.
    rocket.launch().await?;
    dead_letters::drain(&queue).await;
    Ok(())
}
