//! Known-answer vectors per scheme, computed independently of the crate with OpenSSL.
//!
//! Each value was produced by the command beside it (OpenSSL 3, `openssl dgst -sha256 -hmac`),
//! so a bug shared by our signer and our verifier cannot hide here.

use crate::common::{self, headers};
use http::HeaderValue;
use webhook_guard::clock::ManualClock;
use webhook_guard::scheme::{Encoding, SignedPart, TimestampUnit};
use webhook_guard::testing::Delivery;
use webhook_guard::{RejectionKind, Scheme, Secret, Verifier};

fn verifier(scheme: Scheme, secret: &str, now_secs: u64) -> Verifier {
    common::verifier_at(scheme, Secret::new(secret).unwrap(), now_secs)
}

// B='{"event":"call.completed","conversationId":"conv_xyz789","duration":125}'
// printf '%s' "$B" | openssl dgst -sha256 -hmac 'whsec_your_secret_key_here'
const HEPPU_BODY: &str =
    r#"{"event":"call.completed","conversationId":"conv_xyz789","duration":125}"#;
const HEPPU_SECRET: &str = "whsec_your_secret_key_here";
const HEPPU_SIG: &str = "5d7919c55a4d5199be5c97eeb40de0e7f01fe16db839a2e8fd363653ad0ecf68";

// B='{"type":"news","timestamp":1704123456789,"data":{"title":"Rates held"}}'
// printf '%s.%s' 1704123456789 "$B" | openssl dgst -sha256 -hmac 'helix-feed-secret-0123456789'
const HELIX_BODY: &str =
    r#"{"type":"news","timestamp":1704123456789,"data":{"title":"Rates held"}}"#;
const HELIX_SECRET: &str = "helix-feed-secret-0123456789";
const HELIX_TS: &str = "1704123456789";
const HELIX_SIG: &str = "2bca0ef051cf9d17595ff97a3e8e9c7f200c2ed5826ff3f3e391e67c883f5105";

// B='{"request_id":"550e8400-e29b-41d4-a716-446655440000","model":"gpt-4o-mini"}'
// printf '%s' "$B" | openssl dgst -sha256 -hmac 'helicone-hmac-key-0123456789abcdef'
const HELICONE_BODY: &str =
    r#"{"request_id":"550e8400-e29b-41d4-a716-446655440000","model":"gpt-4o-mini"}"#;
const HELICONE_SECRET: &str = "helicone-hmac-key-0123456789abcdef";
const HELICONE_SIG: &str = "1ff7acb0ee49c60eea04c36330b914beb3101c6d34cf016b255dee28f403e808";

// A custom scheme: base64 of HMAC over "<id>:<timestamp>:<body>".
// printf '%s:%s:%s' msg_42 1700000000 '{"id":"evt_1","type":"order.paid"}' \
//   | openssl dgst -sha256 -hmac 'acme-signing-secret-000000000001' -binary | base64
const ACME_BODY: &str = r#"{"id":"evt_1","type":"order.paid"}"#;
const ACME_SECRET: &str = "acme-signing-secret-000000000001";
const ACME_SIG: &str = "w7c47+sIr5AJowto2VEdGOQ9oFo8KfQaxV+53My2ITU=";

fn acme() -> Scheme {
    Scheme::builder("acme")
        .signature_header("x-acme-signature")
        .signature_list(' ', "v1,")
        .encoding(Encoding::Base64)
        .timestamp_header("x-acme-timestamp", TimestampUnit::Seconds)
        .id_header("x-acme-id")
        .event_json_field("type")
        .signed_parts([
            SignedPart::Id,
            SignedPart::literal(":"),
            SignedPart::Timestamp,
            SignedPart::literal(":"),
            SignedPart::Body,
        ])
        .build()
        .unwrap()
}

#[test]
fn heppu_known_answer() {
    let v = verifier(Scheme::heppu(), HEPPU_SECRET, 1_701_432_000);
    let h = headers(&[
        ("x-webhook-signature-256", &format!("sha256={HEPPU_SIG}")),
        ("x-webhook-timestamp", "1701432000"),
        ("x-webhook-id", "whd_abc123"),
        ("x-webhook-event", "call.completed"),
    ]);
    let meta = v.verify(&h, HEPPU_BODY.as_bytes()).unwrap();
    assert_eq!(meta.id(), Some("whd_abc123"));
    assert_eq!(meta.event_type(), Some("call.completed"));
    assert_eq!(meta.timestamp_millis(), Some(1_701_432_000_000));
    // Our signer produces the same value.
    let signed = Delivery::new(Scheme::heppu(), HEPPU_BODY)
        .id("whd_abc123")
        .timestamp(1_701_432_000)
        .sign(&Secret::new(HEPPU_SECRET).unwrap());
    assert_eq!(
        signed.header("x-webhook-signature-256").unwrap(),
        format!("sha256={HEPPU_SIG}")
    );
}

#[test]
fn helix_known_answer_signs_timestamp_dot_body() {
    let v = verifier(Scheme::helix(), HELIX_SECRET, 1_704_123_456);
    let h = headers(&[
        ("x-webhook-signature", &format!("v1={HELIX_SIG}")),
        ("x-webhook-timestamp", HELIX_TS),
        ("x-webhook-id", "123e4567-e89b-12d3-a456-426614174000"),
        ("x-webhook-event-id", "987e6543-e21b-12d3-a456-426614174111"),
    ]);
    let meta = v.verify(&h, HELIX_BODY.as_bytes()).unwrap();
    // The dedup id is the event id, not the webhook configuration id.
    assert_eq!(meta.id(), Some("987e6543-e21b-12d3-a456-426614174111"));
    assert_eq!(meta.timestamp_millis(), Some(1_704_123_456_789));

    // The timestamp is signed: a different one (still fresh) breaks the signature.
    let mut h2 = h.clone();
    h2.insert(
        "x-webhook-timestamp",
        HeaderValue::from_static("1704123456788"),
    );
    assert_eq!(
        v.verify(&h2, HELIX_BODY.as_bytes()).unwrap_err().kind(),
        RejectionKind::SignatureMismatch
    );
    let signed = Delivery::new(Scheme::helix(), HELIX_BODY)
        .timestamp(1_704_123_456_789)
        .sign(&Secret::new(HELIX_SECRET).unwrap());
    assert_eq!(
        signed.header("x-webhook-signature").unwrap(),
        format!("v1={HELIX_SIG}")
    );
}

#[test]
fn helicone_known_answer_either_header_name() {
    let v = verifier(Scheme::helicone(), HELICONE_SECRET, 1_704_123_456);
    for name in ["helicone-signature", "x-helicone-signature"] {
        let h = headers(&[(name, HELICONE_SIG)]);
        let meta = v.verify(&h, HELICONE_BODY.as_bytes()).unwrap();
        assert_eq!(meta.id(), Some("550e8400-e29b-41d4-a716-446655440000"));
        assert_eq!(meta.timestamp_millis(), None);
    }
}

#[test]
fn custom_base64_scheme_known_answer() {
    let v = verifier(acme(), ACME_SECRET, 1_700_000_000);
    let h = headers(&[
        ("x-acme-signature", &format!("v0,abc v1,{ACME_SIG}")),
        ("x-acme-timestamp", "1700000000"),
        ("x-acme-id", "msg_42"),
    ]);
    let meta = v.verify(&h, ACME_BODY.as_bytes()).unwrap();
    assert_eq!(meta.id(), Some("msg_42"));
    assert_eq!(meta.event_type(), Some("order.paid"));
    // The id is signed here: changing it breaks the signature.
    let mut h2 = h.clone();
    h2.insert("x-acme-id", HeaderValue::from_static("msg_43"));
    assert_eq!(
        v.verify(&h2, ACME_BODY.as_bytes()).unwrap_err().kind(),
        RejectionKind::SignatureMismatch
    );
    assert!(acme().id_is_signed());
    assert!(!Scheme::heppu().id_is_signed());
    assert!(!Scheme::helix().id_is_signed());
}

#[test]
fn every_single_byte_change_of_a_known_answer_fails() {
    let v = verifier(Scheme::heppu(), HEPPU_SECRET, 1_701_432_000);
    let h = headers(&[
        ("x-webhook-signature-256", &format!("sha256={HEPPU_SIG}")),
        ("x-webhook-timestamp", "1701432000"),
        ("x-webhook-id", "whd_abc123"),
    ]);
    let mut body = HEPPU_BODY.as_bytes().to_vec();
    for i in 0..body.len() {
        body[i] ^= 0x01;
        assert_eq!(
            v.verify(&h, &body).unwrap_err().kind(),
            RejectionKind::SignatureMismatch
        );
        body[i] ^= 0x01;
    }
    assert!(v.verify(&h, &body).is_ok());
}

#[test]
fn window_edges_with_an_injected_clock() {
    let clock = ManualClock::at_secs(1_701_432_000);
    let v = Verifier::builder(Scheme::heppu())
        .secret(Secret::new(HEPPU_SECRET).unwrap())
        .clock(clock.clone())
        .build()
        .unwrap();
    let h = headers(&[
        ("x-webhook-signature-256", &format!("sha256={HEPPU_SIG}")),
        ("x-webhook-timestamp", "1701432000"),
        ("x-webhook-id", "whd_abc123"),
    ]);
    let body = HEPPU_BODY.as_bytes();
    clock.set_millis(1_701_432_300_999); // 300 s old (same second): inside
    assert!(v.verify(&h, body).is_ok());
    clock.set_millis(1_701_432_301_000); // 301 s old: outside
    let err = v.verify(&h, body).unwrap_err();
    assert_eq!(err.kind(), RejectionKind::TimestampExpired);
    assert_eq!(
        err.detail(),
        Some("timestamp is 301 s old, tolerance 300 s")
    );
    clock.set_millis(1_701_431_700_000); // 300 s ahead: inside
    assert!(v.verify(&h, body).is_ok());
    clock.set_millis(1_701_431_699_000); // 301 s ahead: outside
    assert_eq!(
        v.verify(&h, body).unwrap_err().kind(),
        RejectionKind::TimestampInFuture
    );
}
