//! Secret material never leaks: not in logs (captured at TRACE), not in Debug or Display output,
//! not in error bodies. Its own test binary, so the global tracing subscriber sees every thread.

use crate::common;

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

    added_senders_leak_nothing(&captured).await;
}

/// The same for the five added senders, each with its own signature encoding: the captured logs,
/// `Debug` output and error bodies of valid, tampered and wrongly signed deliveries carry neither
/// the secret (as text, hex or base64) nor the signature the verifier expected.
async fn added_senders_leak_nothing(captured: &Captured) {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    for scheme in [
        Scheme::standard_webhooks(),
        Scheme::github(),
        Scheme::stripe(),
        Scheme::slack(),
        Scheme::shopify(),
    ] {
        let name = scheme.name().to_owned();
        let key = format!("{SECRET}-{name}");
        let secret = Secret::new(&key).unwrap();
        let verifier = Verifier::new(scheme.clone(), secret.clone());
        let app = Router::new()
            .route("/", post(|Verified(_s): Verified<Strict>| async { "ok" }))
            .route_layer(WebhookLayer::new(verifier.clone()));
        let addr = spawn(app).await;
        let marker = "BODY-MARKER-5f3e";
        let body = format!(r#"{{"id":"evt_1","type":"t","required_field":"{marker}"}}"#);
        let tampered = format!(r#"{{"id":"evt_1","type":"t","required_field":"{marker}!"}}"#);
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let valid = Delivery::new(scheme.clone(), body.clone())
            .timestamp_millis(now_ms)
            .sign(&secret);
        // The signature the verifier computes for the tampered body, as the sender encodes it.
        let header = scheme.signature_headers()[0].clone();
        let expected_header = Delivery::new(scheme.clone(), tampered.clone())
            .id(valid.header("webhook-id").unwrap_or("x"))
            .timestamp_millis(now_ms)
            .sign(&secret)
            .headers[&header]
            .to_str()
            .unwrap()
            .to_owned();
        let len = if scheme.encoding() == webhook_guard::scheme::Encoding::Hex {
            64
        } else {
            44
        };
        let expected = expected_header[expected_header.len() - len..].to_owned();

        let before = captured.0.lock().unwrap().len();
        let mut answers = vec![send(addr, "/", valid.clone()).await];
        let mut t = valid.clone();
        t.body = tampered.clone().into();
        answers.push(send(addr, "/", t).await);
        let wrong = Delivery::new(scheme.clone(), body.clone())
            .sign(&Secret::new("another-secret-entirely-000").unwrap());
        answers.push(send(addr, "/", wrong).await);
        let codes: Vec<_> = answers.iter().map(|a| a.code().to_owned()).collect();
        assert_eq!(
            codes,
            [
                "payload_invalid",
                "signature_mismatch",
                "signature_mismatch"
            ],
            "{name}"
        );
        let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()[before..]).into_owned();
        assert!(logs.contains("webhook rejected"), "{name}: {logs}");
        let debug = format!(
            "{secret:?} {verifier:?} {scheme:?} {:?}",
            verifier.verify(&valid.headers, &valid.body).unwrap()
        );
        let bodies: String = answers.iter().map(|a| a.json.to_string()).collect();
        for (place, text) in [
            ("logs", &logs),
            ("debug", &debug),
            ("error bodies", &bodies),
        ] {
            assert!(!text.contains("top-secret"), "{name}: secret in {place}");
            assert!(
                !text.contains(&hex_of(key.as_bytes())),
                "{name}: hex secret in {place}"
            );
            assert!(
                !text.contains(&b64(key.as_bytes())),
                "{name}: base64 secret in {place}"
            );
            assert!(
                !text.contains(&expected),
                "{name}: expected signature in {place}"
            );
            assert!(!text.contains(marker), "{name}: body in {place}");
        }
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every error type's `Display`: non-empty, one line, and never the key bytes (a refused secret is
/// described by its length only).
#[test]
fn every_error_type_displays_without_secret_material() {
    use webhook_guard::ack::JobError;
    use webhook_guard::dedup::StoreError;
    use webhook_guard::scheme::SchemeError;
    use webhook_guard::{Rejection, RejectionKind, SecretError, VerifierError};

    let mut shown: Vec<String> = Vec::new();
    for kind in RejectionKind::ALL {
        shown.push(Rejection::new(*kind).to_string());
        shown.push(Rejection::with_detail(*kind, "why").to_string());
    }
    for short in ["", "fifteen-bytes!!"] {
        shown.push(Secret::new(short).unwrap_err().to_string());
    }
    shown.push(Secret::from_whsec("whsec_***").unwrap_err().to_string());
    shown.push(SecretError::TooShort { len: 3 }.to_string());
    shown.push(VerifierError::NoSecret.to_string());
    for e in [
        SchemeError::NoSignatureHeader,
        SchemeError::InvalidHeaderName("bad name".into()),
        SchemeError::BodyNotSignedOnce,
        SchemeError::TimestampPartWithoutHeader,
        SchemeError::InvalidTimestampEntry,
        SchemeError::IdPartWithoutHeader,
        SchemeError::EmptyJsonPath,
        SchemeError::EmptyListPrefix,
    ] {
        shown.push(e.to_string());
    }
    shown.push(StoreError::new("connection refused").to_string());
    for e in [
        JobError::Failed("boom".into()),
        JobError::Panicked("oops".into()),
        JobError::TimedOut(std::time::Duration::from_secs(3)),
        JobError::NotDrained,
        JobError::Undecodable("eof".into()),
    ] {
        shown.push(e.to_string());
    }
    for text in &shown {
        assert!(!text.is_empty());
        assert!(!text.contains('\n'), "{text:?}");
        assert!(!text.contains("fifteen-bytes"), "{text:?}");
        assert!(!text.contains(SECRET), "{text:?}");
    }
    // The secret-length error names the length and the minimum, nothing else.
    assert_eq!(
        Secret::new("fifteen-bytes!!").unwrap_err().to_string(),
        "webhook secret is 15 bytes long; at least 16 bytes are required"
    );
}

/// A signature of the wrong length is refused by its length before any comparison, and the
/// answer does not depend on its content: a truncated *correct* tag and a truncated random one
/// get the identical rejection (kind and log detail), so nothing about the expected tag leaks.
/// Well-formed tags are always compared in full, 32 bytes against 32, in constant time.
#[test]
fn wrong_length_signatures_reveal_nothing_about_the_expected_tag() {
    let secret = Secret::new(SECRET).unwrap();
    for scheme in [Scheme::heppu(), Scheme::shopify()] {
        let v = Verifier::new(scheme.clone(), secret.clone());
        let d = Delivery::new(scheme.clone(), r#"{"event":"x"}"#).sign(&secret);
        let header = scheme.signature_headers()[0].clone();
        let good = d.headers[&header].to_str().unwrap().to_owned();
        let prefix_len = good.len() - if good.len() > 60 { 64 } else { 44 };
        let answer = |value: String| {
            let mut h = d.headers.clone();
            h.insert(header.clone(), value.parse().unwrap());
            let err = v.verify(&h, &d.body).unwrap_err();
            (err.kind(), err.detail().map(str::to_owned))
        };
        for cut in [1, 2, 8, 16, 30] {
            let truncated_correct = good[..good.len() - cut].to_owned();
            let mut random = good[..prefix_len].to_owned();
            random.push_str(&"0".repeat(good.len() - prefix_len - cut));
            assert_eq!(answer(truncated_correct.clone()), answer(random), "{cut}");
            assert_eq!(
                answer(truncated_correct).0,
                webhook_guard::RejectionKind::SignatureMalformed
            );
        }
        let extended = format!("{good}00");
        assert_eq!(
            answer(extended).0,
            webhook_guard::RejectionKind::SignatureMalformed
        );
    }
}
