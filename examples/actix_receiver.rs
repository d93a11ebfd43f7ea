//! The `receiver` example on actix-web: same routes, same answers, same `GET /events`.
//!
//! ```text
//! BIND=127.0.0.1:3000 WEBHOOK_SECRET=... cargo run --example actix_receiver --features actix
//! ```
//!
//! Routes: `POST /webhooks/heppu`, `/webhooks/helix`, `/webhooks/helicone`, `/webhooks/standard`,
//! `/webhooks/github`, `/webhooks/stripe`, `/webhooks/slack`, `/webhooks/shopify` (each verified with
//! `WEBHOOK_SECRET` under its sender's scheme by a `WebhookGuard` middleware) answer
//! `{"received": <event>, "id": <id>}`; `POST /webhooks/heppu/async` answers `202 {"queued":
//! true, "id": <id>}` and processes in the background; `GET /events` lists what the handlers
//! processed, in order; `GET /metrics/webhooks` shows the counters. `POST
//! /webhooks/stripe-connect` is a second Stripe endpoint on the same store, under its own dedup
//! namespace. Jobs the queue could not finish are kept in `DEAD_LETTER_FILE` (default
//! `webhook-dead-letters.jsonl`), one JSON line each, for replay.
//!
//! Hostile clients: actix-web cuts a request head that takes over 5 s itself
//! (`client_request_timeout`); the guard cuts a body that takes over 10 s.

#[path = "support/actix_receiver_app.rs"]
mod actix_receiver_app;
#[path = "support/dead_letters.rs"]
mod dead_letters;

use actix_web::{App, HttpServer};
use webhook_guard::Secret;

const DEMO_SECRET: &str = "whsec_demo_secret_do_not_use_in_production";

#[actix_web::main]
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
    let (routes, _log, queue) = actix_receiver_app::routes(secret);
    let server = HttpServer::new(move || App::new().configure(routes.clone())).bind(&bind)?;
    for addr in server.addrs() {
        println!("webhook receiver (actix-web) listening on http://{addr}");
    }
    println!(
        "  POST /webhooks/heppu | /webhooks/heppu/async | /webhooks/helix | /webhooks/helicone"
    );
    let others: Vec<&str> = actix_receiver_app::sender_routes()
        .into_iter()
        .map(|(path, _)| path)
        .collect();
    println!("  POST {}", others.join(" | "));
    println!("  GET /events | /metrics/webhooks");
    // actix-web stops gracefully on Ctrl-C / SIGTERM by itself; then drain the queue.
    server.run().await?;
    let report = queue.shutdown(std::time::Duration::from_secs(20)).await;
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
