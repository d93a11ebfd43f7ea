//! An oversized body streamed to a guarded route (moved here from the hostile clients of the
//! `security` binary, for this binary's counting allocator): the memory the server holds stays
//! bounded by the body limit, however much the client sends.

use std::time::Duration;

use axum::Router;
use axum::routing::post;
use http::StatusCode;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use webhook_guard::testing::Delivery;
use webhook_guard::{RawBody, Scheme, Secret, Verifier, WebhookLayer};

use crate::{common, counting};

/// The server as the README recommends it (the layers of the `security` binary's hostile
/// clients): a body limit, and tower-http's body and request timeouts around the router.
fn router(limit: usize) -> Router {
    let secret = Secret::new("hostile-client-test-secret-01").unwrap();
    Router::new()
        .route(
            "/heppu",
            post(|RawBody(body): RawBody| async move { format!("ok {}", body.len()) }).route_layer(
                WebhookLayer::new(Verifier::new(Scheme::heppu(), secret)).body_limit(limit),
            ),
        )
        .layer(RequestBodyTimeoutLayer::new(Duration::from_millis(700)))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(3),
        ))
}

#[tokio::test]
async fn oversized_body_memory_stays_bounded() {
    // Limit 256 KiB; the client streams 16 MiB chunked (no length, so nothing is refused from
    // the head). Allocations on this thread (server and client share one current-thread runtime)
    // are counted while the attack runs.
    const BIG_LIMIT: usize = 256 * 1024;
    const SENT: usize = 16 * 1024 * 1024;
    let addr = common::spawn(router(BIG_LIMIT)).await;
    let d = Delivery::new(Scheme::heppu(), "{}")
        .sign(&Secret::new("hostile-client-test-secret-01").unwrap());
    let request_head = common::raw_head("/heppu", &d.headers, "transfer-encoding: chunked\r\n");
    let mut frame = format!("{:x}\r\n", 64 * 1024).into_bytes();
    frame.extend_from_slice(&[b'x'; 64 * 1024]);
    frame.extend_from_slice(b"\r\n");

    counting::start();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(&request_head).await.unwrap();
    let mut sent = 0;
    while sent < SENT {
        if stream.write_all(&frame).await.is_err() {
            break; // the server answered and closed: expected
        }
        sent += 64 * 1024;
    }
    let (status, _) = common::read_response(&mut stream).await;
    let peak = counting::stop().peak_live;
    eprintln!(
        "memory bound: limit {BIG_LIMIT} B, client pushed {sent} B, peak live allocation {peak} B"
    );
    assert_eq!(status, 413);
    // The body is hashed and kept up to the limit, so the peak is at least about the limit
    // (which shows the counter sees the server's buffer) and never near what was sent.
    assert!(peak >= BIG_LIMIT as isize / 2, "peak {peak}");
    assert!(peak < 4 * BIG_LIMIT as isize + 1024 * 1024, "peak {peak}");
}
