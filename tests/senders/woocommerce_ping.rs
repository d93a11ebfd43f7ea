//! WooCommerce's unsigned creation ping (`webhook_id=<id>`), answered before the guard by
//! `handshake::woocommerce`, over real HTTP on 127.0.0.1: exactly that request gets `200`,
//! anything else still goes through verification.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use common::{send, send_request, spawn};
use http::StatusCode;
use http::header::CONTENT_LENGTH;
use http_body_util::Full;
use webhook_guard::handshake::{self, WOOCOMMERCE_PING_MAX_LEN};
use webhook_guard::testing::{Delivery, samples};
use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer, WebhookMeta};

const KEY: &str = "woocommerce-webhook-secret-0123";

/// The check in front of the guard: only a body whose announced length is small enough to be
/// the ping is read here (at most `WOOCOMMERCE_PING_MAX_LEN + 1` bytes); every other request,
/// and the small ones that are not the ping, go on to the guard untouched.
async fn woocommerce_ping_first(request: Request, next: Next) -> Response {
    let small = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        .is_some_and(|len| len <= WOOCOMMERCE_PING_MAX_LEN);
    if !small {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, WOOCOMMERCE_PING_MAX_LEN + 1).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if let Some(reply) = handshake::woocommerce(&parts.headers, &bytes) {
        return reply.into_response::<Body>();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

async fn app() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let guard = WebhookLayer::new(Verifier::new(
        Scheme::woocommerce(),
        Secret::new(KEY).unwrap(),
    ));
    let app = Router::new()
        .route(
            "/webhooks/woocommerce",
            post(move |_meta: WebhookMeta| async move {
                r.fetch_add(1, Ordering::SeqCst);
                "processed"
            }),
        )
        .route_layer(guard)
        .layer(middleware::from_fn(woocommerce_ping_first));
    (spawn(app).await, runs)
}

fn post_unsigned(
    addr: std::net::SocketAddr,
    body: &'static [u8],
    headers: &[(&str, &str)],
) -> http::Request<Full<Bytes>> {
    let mut req = http::Request::post(format!("http://{addr}/webhooks/woocommerce"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("user-agent", "WooCommerce/9.4.0 Hookshot (WordPress/6.7)");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.body(Full::new(Bytes::from_static(body))).unwrap()
}

#[tokio::test]
async fn the_creation_ping_is_answered_and_nothing_else_skips_the_guard() {
    let (addr, runs) = app().await;
    // The ping as WooCommerce sends it: 200, empty, no handler.
    let a = send_request(post_unsigned(addr, b"webhook_id=42", &[])).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(runs.load(Ordering::SeqCst), 0, "the ping runs no handler");

    // Anything else unsigned is the guard's: 401.
    for body in [
        &b"webhook_id=42&status=paid"[..],
        b"webhook_id=",
        b"webhook_id=42 ",
        br#"{"webhook_id":42}"#,
        br#"{"id":727,"status":"processing"}"#,
        b"webhook_id=4242424242424242424242424242",
    ] {
        let a = send_request(post_unsigned(addr, body, &[])).await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::UNAUTHORIZED, "signature_missing"),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
    // The ping's body with a forged signature is a delivery, checked and refused.
    let a = send_request(post_unsigned(
        addr,
        b"webhook_id=42",
        &[
            (
                "x-wc-webhook-signature",
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            ),
            ("x-wc-webhook-delivery-id", "1"),
        ],
    ))
    .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::UNAUTHORIZED, "signature_mismatch")
    );
    assert_eq!(runs.load(Ordering::SeqCst), 0);

    // A genuine delivery still reaches the handler through the guard.
    let d = Delivery::new(Scheme::woocommerce(), samples::WOOCOMMERCE_ORDER_CREATED)
        .sign(&Secret::new(KEY).unwrap());
    let a = send(addr, "/webhooks/woocommerce", d).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}
