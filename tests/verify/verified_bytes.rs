//! `Verified<Bytes>` hands the handler the verified bytes as they are: not parsed (a form-encoded
//! or otherwise non-JSON body is fine), and the very `Bytes` that were hashed (same as `RawBody`).
//! Over real axum and actix-web servers on 127.0.0.1.

use crate::common;

use axum::Router;
use axum::routing::post;
use bytes::Bytes;
use common::{send, spawn};
use webhook_guard::testing::Delivery;
use webhook_guard::{RawBody, Scheme, Secret, Verified, Verifier, WebhookLayer};

const KEY: &str = "verified-bytes-secret-012345";

fn secret() -> Secret {
    Secret::new(KEY).unwrap()
}

/// Echoes the body it got as `Verified<Bytes>`, after checking it is the same as `RawBody`.
async fn echo(RawBody(raw): RawBody, Verified(bytes): Verified<Bytes>) -> Bytes {
    assert_eq!(raw, bytes);
    // The same buffer, not a copy.
    assert_eq!(raw.as_ptr(), bytes.as_ptr());
    bytes
}

fn bodies() -> Vec<&'static str> {
    vec![
        r#"{"event":"call.completed","x":1}"#,
        "token=abc&team_id=T1&command=%2Fdeploy", // Slack slash commands are form-encoded
        "not json at all \u{00e9}",
        "",
    ]
}

async fn check(addr: std::net::SocketAddr, path: &str) {
    for (i, body) in bodies().into_iter().enumerate() {
        let d = Delivery::new(Scheme::heppu(), body)
            .id(format!("vb_{i}"))
            .sign(&secret());
        let a = send(addr, path, d).await;
        assert_eq!(a.status, 200, "{path} {body:?}");
    }
    // Tampered: refused before the handler, as for any extractor.
    let mut d = Delivery::new(Scheme::heppu(), "original")
        .id("vb_t")
        .sign(&secret());
    d.body = Bytes::from_static(b"tampered");
    let a = send(addr, path, d).await;
    assert_eq!((a.status.as_u16(), a.code()), (401, "signature_mismatch"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_hands_over_the_verified_bytes_unparsed() {
    let app = Router::new()
        .route("/hook", post(echo))
        .route_layer(WebhookLayer::new(Verifier::new(Scheme::heppu(), secret())));
    let addr = spawn(app).await;
    check(addr, "/hook").await;
}

#[cfg(feature = "actix")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_hands_over_the_verified_bytes_unparsed() {
    use actix_web::web;
    use webhook_guard::actix::WebhookGuard;

    let addr = common::spawn_actix(1, |app| {
        app.service(
            web::resource("/hook")
                .wrap(WebhookGuard::new(Verifier::new(Scheme::heppu(), secret())))
                .route(web::post().to(
                    |RawBody(raw): RawBody, Verified(bytes): Verified<Bytes>| async move {
                        assert_eq!(raw, bytes);
                        assert_eq!(raw.as_ptr(), bytes.as_ptr());
                        bytes
                    },
                )),
        );
    });
    common::wait_listening(addr).await;
    check(addr, "/hook").await;
}
