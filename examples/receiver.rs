//! A long-running webhook receiver for the seed senders.
//!
//! ```text
//! BIND=127.0.0.1:3000 WEBHOOK_SECRET=... cargo run --example receiver
//! ```
//!
//! Routes: `POST /webhooks/heppu`, `/webhooks/helix`, `/webhooks/helicone`, `/webhooks/standard`,
//! `/webhooks/github`, `/webhooks/stripe`, `/webhooks/slack`, `/webhooks/shopify` (each verified
//! with `WEBHOOK_SECRET` under its sender's scheme; for Standard Webhooks the key is the secret's
//! bytes as given, not a decoded `whsec_`) answer `{"received": <event>, "id": <id>}`;
//! `POST /webhooks/heppu/async` answers `202 {"queued": true, "id": <id>}` and processes in the
//! background; `GET /events` lists what the handlers processed, in order; `GET
//! /metrics/webhooks` shows the counters. `POST /webhooks/stripe-connect` is a second Stripe
//! endpoint on the same store, under its own dedup namespace. Ctrl-C stops the server and drains
//! the queue; jobs left unfinished are kept in `DEAD_LETTER_FILE` (default
//! `webhook-dead-letters.jsonl`), one JSON line each, for replay.
//!
//! Hostile clients: a request head must arrive within 10 s (hyper's header-read timeout, set in
//! `support/serve.rs`), a body within 10 s of its head (the guard's body timeout).

#[path = "support/dead_letters.rs"]
mod dead_letters;
#[path = "support/receiver_app.rs"]
mod receiver_app;
#[path = "support/serve.rs"]
mod serve;

use webhook_guard::Secret;

const DEMO_SECRET: &str = "whsec_demo_secret_do_not_use_in_production";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_target(false).init();
    let bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let secret = match std::env::var("WEBHOOK_SECRET") {
        Ok(s) => Secret::new(s)?,
        Err(_) => {
            println!("WEBHOOK_SECRET is not set; using the demo secret {DEMO_SECRET:?}");
            Secret::new(DEMO_SECRET)?
        }
    };
    let receiver = receiver_app::app(secret);
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    println!(
        "webhook receiver listening on http://{}",
        listener.local_addr()?
    );
    println!(
        "  POST /webhooks/heppu | /webhooks/heppu/async | /webhooks/helix | /webhooks/helicone"
    );
    let others: Vec<&str> = receiver_app::sender_routes()
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    println!("  POST {}", others.join(" | "));
    println!("  GET /events | /metrics/webhooks");
    serve::serve(listener, receiver.router, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    // The server stopped taking requests: finish what was acknowledged.
    let report = receiver
        .queue
        .shutdown(std::time::Duration::from_secs(20))
        .await;
    println!(
        "stopped: {} queued job(s) drained, {} unfinished",
        report.drained, report.unfinished
    );
    if report.unfinished > 0 {
        println!(
            "  the unfinished jobs are in {} (one JSON line each), for replay",
            dead_letters::path().display()
        );
    }
    Ok(())
}
