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
//! /metrics/webhooks` shows the counters. Ctrl-C stops the server and drains the queue.

#[path = "support/receiver_app.rs"]
mod receiver_app;

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
    axum::serve(listener, receiver.router)
        .with_graceful_shutdown(async {
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
    Ok(())
}
