//! `body_timeout`: a client that stalls or trickles its body past the limit gets
//! `408 body_timeout` from the guard itself (axum and actix-web, real servers on 127.0.0.1);
//! a body that arrives slowly but within the limit is accepted.

use crate::common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use common::{raw_head, read_response, spawn};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use webhook_guard::testing::Delivery;
use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer, WebhookMeta};

const KEY: &str = "body-timeout-secret-0123456";
const LIMIT: Duration = Duration::from_millis(400);

fn verifier() -> Verifier {
    Verifier::new(Scheme::heppu(), Secret::new(KEY).unwrap())
}

/// Send the head and the body in `pieces`, pausing `pause` between them (and stopping after
/// `send_pieces` of them); return the status and the time from the first byte to the answer.
async fn trickle(
    addr: SocketAddr,
    id: &str,
    pieces: usize,
    send_pieces: usize,
    pause: Duration,
) -> (u16, String, Duration) {
    let body = format!(
        r#"{{"event":"call.completed","pad":"{}","id":"{id}"}}"#,
        "x".repeat(300)
    );
    let d = Delivery::new(Scheme::heppu(), body)
        .id(id)
        .sign(&Secret::new(KEY).unwrap());
    let head = raw_head(
        "/hook",
        &d.headers,
        &format!("content-length: {}\r\n", d.body.len()),
    );
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    stream.write_all(&head).await.unwrap();
    let chunk = d.body.len().div_ceil(pieces);
    for (i, piece) in d.body.chunks(chunk).take(send_pieces).enumerate() {
        if i > 0 {
            tokio::time::sleep(pause).await;
        }
        // The server may already have answered 408 and closed: stop sending then.
        if stream.write_all(piece).await.is_err() {
            break;
        }
    }
    let (status, body) = tokio::time::timeout(Duration::from_secs(10), read_response(&mut stream))
        .await
        .expect("an answer within 10 s");
    (status, body, started.elapsed())
}

async fn check(addr: SocketAddr) {
    // Stalls after half the body: refused at the limit, not left hanging.
    let (status, body, took) = trickle(addr, "stall", 2, 1, Duration::ZERO).await;
    assert_eq!(status, 408, "{body}");
    assert!(body.contains("body_timeout"), "{body}");
    assert!(
        took >= LIMIT && took < LIMIT * 10,
        "answered after {took:?}"
    );
    // Trickles four pieces 200 ms apart (600 ms in all): past the limit.
    let (status, body, _) = trickle(addr, "trickle", 4, 4, Duration::from_millis(200)).await;
    assert_eq!(status, 408, "{body}");
    // Slow but in time (three pieces 50 ms apart): accepted.
    let (status, body, _) = trickle(addr, "slow-ok", 3, 3, Duration::from_millis(50)).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_guard_times_out_stalled_bodies() {
    let app = Router::new()
        .route("/hook", post(|_m: WebhookMeta| async { "ok" }))
        .route_layer(WebhookLayer::new(verifier()).body_timeout(LIMIT));
    check(spawn(app).await).await;
}

#[cfg(feature = "actix")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_guard_times_out_stalled_bodies() {
    use actix_web::web;
    use webhook_guard::actix::WebhookGuard;

    let addr = common::spawn_actix(1, |app| {
        app.service(
            web::resource("/hook")
                .wrap(WebhookGuard::new(verifier()).body_timeout(LIMIT))
                .route(web::post().to(|_m: WebhookMeta| async { "ok" })),
        );
    });
    common::wait_listening(addr).await;
    check(addr).await;
}
