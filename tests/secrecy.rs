//! Secret material never leaks: not in logs (captured at TRACE), not in Debug or Display output,
//! not in error bodies. Its own test binary, so the global tracing subscriber sees every thread.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::post;
use common::{send, spawn};
use webhook_guard::testing::Delivery;
use webhook_guard::{Scheme, Secret, Verified, Verifier, WebhookLayer};

const SECRET: &str = "top-secret-signing-key-7c1f9a2b";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Strict {
    required_field: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_expected_signature_or_body_in_logs_debug_or_errors() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    )
    .unwrap();

    let secret = Secret::new(SECRET).unwrap().with_label("primary");
    let verifier = Verifier::builder(Scheme::helix())
        .secret(secret.clone())
        .secret(Secret::new(format!("{SECRET}-old")).unwrap())
        .build()
        .unwrap();
    let layer = WebhookLayer::new(verifier.clone());
    let app = Router::new()
        .route("/", post(|Verified(_s): Verified<Strict>| async { "ok" }))
        .route_layer(layer.clone());
    let addr = spawn(app).await;

    let marker = "BODY-MARKER-5f3e";
    let body = format!(r#"{{"required_field":"{marker}"}}"#);
    let tampered = format!(r#"{{"required_field":"{marker}!"}}"#);
    let signed = Delivery::new(Scheme::helix(), body.clone()).timestamp(1_900_000_000_000);
    // What a verifier computes for the tampered body: an "expected signature" that must never show.
    let expected = Delivery::new(Scheme::helix(), tampered.clone())
        .timestamp(1_900_000_000_000)
        .sign(&secret);
    let expected_hex = expected.header("x-webhook-signature").unwrap()[3..].to_owned();

    let mut answers = Vec::new();
    // Valid signature, payload of the wrong type: 422.
    let valid_now = Delivery::new(Scheme::helix(), body.clone()).sign(&secret);
    answers.push(send(addr, "/", valid_now.clone()).await);
    // Tampered body: 401 mismatch.
    let mut t = valid_now.clone();
    t.body = tampered.clone().into();
    answers.push(send(addr, "/", t).await);
    // Wrong secret.
    let wrong = Delivery::new(Scheme::helix(), body.clone())
        .sign(&Secret::new("another-secret-entirely-000").unwrap());
    answers.push(send(addr, "/", wrong).await);
    // Far-future timestamp.
    answers.push(send(addr, "/", signed.sign(&secret)).await);

    let codes: Vec<_> = answers.iter().map(|a| a.code().to_owned()).collect();
    assert_eq!(
        codes,
        [
            "payload_invalid",
            "signature_mismatch",
            "signature_mismatch",
            "timestamp_in_future"
        ]
    );

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("webhook rejected"),
        "rejections are logged: {logs}"
    );
    assert!(logs.contains("re-serialized"), "the log says why: {logs}");

    let debug = format!(
        "{secret:?} {verifier:?} {layer:?} {:?} {:?} {:?}",
        Verifier::builder(Scheme::heppu()).secret(secret.clone()),
        Scheme::helix(),
        verifier
            .verify(&valid_now.headers, valid_now.body.as_ref())
            .unwrap()
    );
    let bodies: String = answers.iter().map(|a| a.json.to_string()).collect();

    let secret_hex = hex_of(SECRET.as_bytes());
    for (place, text) in [
        ("logs", &logs),
        ("debug", &debug),
        ("error bodies", &bodies),
    ] {
        assert!(!text.contains(SECRET), "secret in {place}");
        assert!(
            !text.contains("top-secret"),
            "part of the secret in {place}"
        );
        assert!(!text.contains(&secret_hex), "hex of the secret in {place}");
        assert!(
            !text.contains(&expected_hex),
            "expected signature in {place}"
        );
        assert!(!text.contains(marker), "body content in {place}");
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
