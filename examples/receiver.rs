//! A long-running webhook receiver for every built-in sender.
//!
//! ```text
//! BIND=127.0.0.1:3000 WEBHOOK_SECRET=... cargo run --example receiver --features ed25519,p256,rsa
//! ```
//!
//! Routes: `POST /webhooks/heppu`, `/webhooks/helix`, `/webhooks/helicone`, `/webhooks/github`,
//! `/webhooks/stripe`, `/webhooks/slack`, `/webhooks/shopify` (each verified with
//! `WEBHOOK_SECRET` as given under its sender's scheme), `/webhooks/gitlab` (`WEBHOOK_SECRET` is
//! the `X-Gitlab-Token`), `/webhooks/standard` (`v1,` with `WEBHOOK_SECRET`, a `whsec_<base64>`
//! secret decoded as the specification says; `v1a,` with `WEBHOOK_ED25519_PUBLIC_KEY`),
//! `/webhooks/discord` (`WEBHOOK_ED25519_PUBLIC_KEY`, 64 hex digits), `/webhooks/sendgrid`
//! (`WEBHOOK_P256_PUBLIC_KEY`, base64 of the DER key as SendGrid shows it) and `/webhooks/paypal`
//! (`WEBHOOK_PAYPAL_WEBHOOK_ID` and `WEBHOOK_PAYPAL_CERT`, the path of PayPal's PEM
//! certificate) answer `{"received": <event>, "id": <id>}`. A route whose key is not set answers
//! `503 {"error": "key_not_configured", …}` naming the variable to set; the receiver starts with
//! `WEBHOOK_SECRET` alone and prints which routes are live. `WEBHOOK_PUBLIC_URL` (default
//! `http://<BIND>`) is the base URL senders address, which Twilio signs (`/webhooks/twilio`). The
//! details are in `support/receiver_config.rs`.
//!
//! `POST /webhooks/heppu/async` answers `202 {"queued": true, "id": <id>}` and processes in the
//! background; `GET /events` lists what the handlers processed, in order; `GET
//! /metrics/webhooks` shows the counters. `POST /webhooks/stripe-connect` is a second Stripe
//! endpoint on the same store, under its own dedup namespace. Ctrl-C stops the server and drains
//! the queue; jobs left unfinished are kept in `DEAD_LETTER_FILE` (default
//! `webhook-dead-letters.jsonl`), one JSON line each, for replay.
//!
//! With `DATABASE_URL=postgres://…` (feature `postgres`) deliveries are deduplicated on that
//! database, so several receiver processes sharing it process each delivery once; with
//! `ASYNC_STORE=postgres` too, the async route's jobs are kept in the database's inbox table and
//! run by whichever process is free, surviving a crash:
//!
//! ```text
//! DATABASE_URL=postgres://app@127.0.0.1/app ASYNC_STORE=postgres \
//!     cargo run --example receiver --features postgres,ed25519,p256,rsa
//! ```
//!
//! Hostile clients: a request head must arrive within 10 s (hyper's header-read timeout, set in
//! `support/serve.rs`), a body within 10 s of its head (the guard's body timeout).

#[path = "support/dead_letters.rs"]
mod dead_letters;
#[path = "support/receiver_app.rs"]
mod receiver_app;
#[path = "support/receiver_config.rs"]
mod receiver_config;
#[path = "support/serve.rs"]
mod serve;

use receiver_config::DATABASE_URL_VAR;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_target(false).init();
    let config = receiver_config::from_env_or_exit("receiver");
    let receiver = match &config.database {
        None => receiver_app::app(&config),
        #[cfg(feature = "postgres")]
        Some(url) => receiver_app::app_on_postgres(&config, &url.0)
            .await
            .unwrap_or_else(|e| {
                eprintln!("receiver: {DATABASE_URL_VAR}: {e}");
                std::process::exit(2)
            }),
        // `ReceiverConfig` refuses DATABASE_URL in a build without the feature.
        #[cfg(not(feature = "postgres"))]
        Some(_) => unreachable!("{DATABASE_URL_VAR} needs the postgres feature"),
    };
    let listener = tokio::net::TcpListener::bind(&config.bind).await?;
    receiver_config::announce(&config, "webhook receiver", listener.local_addr()?);
    serve::serve(listener, receiver.router, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    dead_letters::drain(&receiver.queue).await;
    Ok(())
}
