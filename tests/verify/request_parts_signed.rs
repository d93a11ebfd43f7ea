//! Schemes that sign more than the headers and the body: the URL and the method of the
//! request (Twilio, Square- and HubSpot-style senders), a header's value, form parameters
//! (Twilio), fields of the JSON body with the signature among them (Mailgun-style), and a
//! timestamp in the body (Linear-style). Over real HTTP on 127.0.0.1, through axum and
//! actix-web, except where a check is about the `Verifier` API itself.

use crate::common;

use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use sha2::Digest as _;
use webhook_guard::scheme::{Encoding, Scheme, SignedPart, TimestampUnit};
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{Secret, Verifier};

/// The base URL the sender addresses; the test servers listen elsewhere, as a receiver behind
/// a proxy does.
const BASE: &str = "https://hooks.example.com";

fn secret() -> Secret {
    Secret::new("request-signed-test-secret-0123456789").unwrap()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn twilio() -> Scheme {
    Scheme::twilio(BASE).unwrap()
}

const FORM: &[u8] = b"ToCountry=US&Body=Hello+%F0%9F%91%8B+there&From=%2B14158675310\
&MessageSid=SM1234567890abcdef1234567890abcdef&To=%2B14155550100&NumMedia=0";

/// A server with one route, `POST /hook`, guarded by `verifier` with in-memory dedup, in
/// axum or in actix-web; what it processed.
async fn server(actix: bool, verifier: Verifier) -> (SocketAddr, common::Seen) {
    if !actix {
        return common::recording_route(verifier).await;
    }
    actix_route(verifier).await
}

#[cfg(feature = "actix")]
async fn actix_route(verifier: Verifier) -> (SocketAddr, common::Seen) {
    use actix_web::web;
    use webhook_guard::WebhookMeta;
    use webhook_guard::actix::WebhookGuard;

    let seen = common::Seen::default();
    let s = seen.clone();
    let guard = WebhookGuard::new(verifier).dedup(webhook_guard::dedup::MemoryStore::default());
    let addr = common::spawn_actix(1, move |app| {
        let s = s.clone();
        app.service(
            web::resource("/hook")
                .wrap(guard.clone())
                .route(web::post().to(move |meta: WebhookMeta| {
                    let s = s.clone();
                    async move {
                        s.lock().unwrap().push([
                            meta.id().map(str::to_owned),
                            meta.event_type().map(str::to_owned),
                            meta.secret_label().map(str::to_owned),
                        ]);
                        "ok"
                    }
                })),
        );
    });
    common::wait_listening(addr).await;
    (addr, seen)
}

#[cfg(not(feature = "actix"))]
async fn actix_route(verifier: Verifier) -> (SocketAddr, common::Seen) {
    common::recording_route(verifier).await
}

fn servers() -> Vec<bool> {
    if cfg!(feature = "actix") {
        vec![false, true]
    } else {
        vec![false]
    }
}

fn with_body(d: &SignedDelivery, body: &[u8]) -> SignedDelivery {
    let mut d = d.clone();
    d.body = Bytes::copy_from_slice(body);
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_form_and_json_deliveries_verify_over_http() {
    for actix in servers() {
        let (addr, seen) = server(actix, Verifier::new(twilio(), secret())).await;
        let name = if actix { "actix-web" } else { "axum" };

        // A form-encoded message: the URL Twilio addressed (query included) and the sorted
        // parameters are signed.
        let form = Delivery::new(twilio(), FORM)
            .path("/hook?region=eu")
            .sign(&secret());
        let a = common::send(addr, "/hook?region=eu", form.clone()).await;
        assert_eq!(a.status, 200, "{name}: {:?}", a.json);
        // The same request again: deduplicated on its signature, not processed twice.
        let again = common::send(addr, "/hook?region=eu", form.clone()).await;
        assert_eq!(again.status, 200, "{name}");
        assert_eq!(
            seen.lock().unwrap().len(),
            1,
            "{name}: a resend is a duplicate"
        );
        // Addressed to another URL, or with a parameter changed, it does not verify.
        let moved = common::send(addr, "/hook?region=us", form.clone()).await;
        assert_eq!(
            (moved.status.as_u16(), moved.code()),
            (401, "signature_mismatch"),
            "{name}"
        );
        let edited = String::from_utf8(FORM.to_vec())
            .unwrap()
            .replace("NumMedia=0", "NumMedia=1");
        let changed =
            common::send(addr, "/hook?region=eu", with_body(&form, edited.as_bytes())).await;
        assert_eq!(changed.code(), "signature_mismatch", "{name}");
        // The parameters' order on the wire does not matter: they are sorted before signing
        // (the reordered body verifies; over HTTP it would be the same signature with another
        // body, which deduplication refuses).
        let reordered: Vec<&str> = std::str::from_utf8(FORM)
            .unwrap()
            .split('&')
            .rev()
            .collect();
        let reordered = with_body(&form, reordered.join("&").as_bytes());
        let request = reordered.into_request::<Bytes>("/hook?region=eu");
        assert!(
            Verifier::new(twilio(), secret())
                .verify_request(&request)
                .is_ok()
        );

        // Twilio signs the URL with or without its default port: both verify.
        let with_port = Delivery::new(
            Scheme::twilio("https://hooks.example.com:443").unwrap(),
            FORM,
        )
        .path("/hook?port=1")
        .sign(&secret());
        let a = common::send(addr, "/hook?port=1", with_port).await;
        assert_eq!(a.status, 200, "{name}: {:?}", a.json);

        // A JSON delivery: the URL carries the body's SHA-256, and only the URL is signed.
        let body = br#"{"event":"message.delivered","sid":"SM00000000000000000000000000000001"}"#;
        let path = format!(
            "/hook?bodySHA256={}",
            hex::encode(sha2::Sha256::digest(body))
        );
        let json = Delivery::new(twilio(), &body[..])
            .path(path.clone())
            .sign(&secret());
        let a = common::send(addr, &path, json.clone()).await;
        assert_eq!(a.status, 200, "{name}: {:?}", a.json);
        // Another body under the same signed URL fails its hash.
        let swapped = common::send(addr, &path, with_body(&json, br#"{"event":"x"}"#)).await;
        assert_eq!(
            (swapped.status.as_u16(), swapped.code()),
            (401, "signature_mismatch"),
            "{name}"
        );
        assert_eq!(seen.lock().unwrap().len(), 3, "{name}");
    }
}

fn square_like() -> Scheme {
    // Square: base64 HMAC-SHA256 of the notification URL followed by the body, in
    // `x-square-hmacsha256-signature`; the event id in the body.
    Scheme::builder("square-like")
        .signature_header("x-square-hmacsha256-signature")
        .encoding(Encoding::Base64)
        .public_url(BASE)
        .id_json_field("event_id")
        .event_json_field("type")
        .signed_parts([SignedPart::Url, SignedPart::Body])
        .build()
        .unwrap()
}

fn hubspot_like() -> Scheme {
    // HubSpot's v3: base64 HMAC-SHA256 of method, URI, body and the millisecond timestamp.
    Scheme::builder("hubspot-like")
        .signature_header("x-hubspot-signature-v3")
        .encoding(Encoding::Base64)
        .timestamp_header("x-hubspot-request-timestamp", TimestampUnit::Milliseconds)
        .public_url(BASE)
        .signed_parts([
            SignedPart::Method,
            SignedPart::Url,
            SignedPart::Body,
            SignedPart::Timestamp,
        ])
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_and_method_signatures_stream_through_both_adapters() {
    let body = br#"{"event_id":"6a8f5f28-54a1-4eb0-a98a-3111513fd4fc","type":"payment.updated"}"#;
    for actix in servers() {
        let name = if actix { "actix-web" } else { "axum" };
        let (addr, seen) = server(actix, Verifier::new(square_like(), secret())).await;
        let d = Delivery::new(square_like(), &body[..])
            .path("/hook")
            .sign(&secret());
        let a = common::send(addr, "/hook", d.clone()).await;
        assert_eq!(a.status, 200, "{name}: {:?}", a.json);
        assert_eq!(
            seen.lock().unwrap()[0][0].as_deref(),
            Some("6a8f5f28-54a1-4eb0-a98a-3111513fd4fc")
        );
        let moved = common::send(addr, "/hook?x=1", d).await;
        assert_eq!(moved.code(), "signature_mismatch", "{name}");

        let (addr, _) = server(actix, Verifier::new(hubspot_like(), secret())).await;
        let d = Delivery::new(hubspot_like(), &b"[{\"eventId\":1}]"[..])
            .path("/hook?portal=62515")
            .sign(&secret());
        let a = common::send(addr, "/hook?portal=62515", d.clone()).await;
        assert_eq!(a.status, 200, "{name}: {:?}", a.json);
        // Signed as a PUT, sent as a POST: refused.
        let put = Delivery::new(hubspot_like(), &b"[{\"eventId\":2}]"[..])
            .path("/hook")
            .method("PUT")
            .sign(&secret());
        let a = common::send(addr, "/hook", put).await;
        assert_eq!(a.code(), "signature_mismatch", "{name}");
    }
}

#[test]
fn url_signing_schemes_need_the_request_line() {
    let d = Delivery::new(square_like(), &br#"{"event_id":"e1"}"#[..])
        .path("/hook")
        .sign(&secret());
    let verifier = Verifier::new(square_like(), secret());
    // Without the request line the verifier cannot know what was signed: a server error.
    let err = verifier.verify(&d.headers, &d.body).unwrap_err();
    assert_eq!(
        (err.status().as_u16(), err.code()),
        (500, "request_target_missing")
    );
    assert!(err.detail().unwrap().contains("verify_request"));
    let request = d.clone().into_request::<Bytes>("/hook");
    assert!(verifier.verify_request(&request).is_ok());
    // Streamed: begin_request, then the body.
    let mut state = verifier.begin_request(&request).unwrap();
    for chunk in d.body.chunks(3) {
        state.update(chunk);
    }
    assert_eq!(state.finish(&d.body).unwrap().id(), Some("e1"));
    // The method is part of HubSpot's message.
    let h = Delivery::new(hubspot_like(), &b"[]"[..])
        .method("PUT")
        .sign(&secret());
    let hv = Verifier::new(hubspot_like(), secret());
    let mut put = h.clone().into_request::<Bytes>("/");
    *put.method_mut() = http::Method::PUT;
    assert!(hv.verify_request(&put).is_ok());
    let post = h.into_request::<Bytes>("/");
    assert_eq!(
        hv.verify_request(&post).unwrap_err().code(),
        "signature_mismatch"
    );
}

#[tokio::test]
async fn a_signed_header_value_must_be_sent() {
    let scheme = Scheme::builder("header-signed")
        .signature_header("x-acme-signature")
        .id_header("x-acme-delivery")
        .signed_parts([
            SignedPart::header("X-Acme-Account").unwrap(),
            SignedPart::literal(":"),
            SignedPart::Id,
            SignedPart::literal(":"),
            SignedPart::Body,
        ])
        .build()
        .unwrap();
    let (addr, seen) = common::recording_route(Verifier::new(scheme.clone(), secret())).await;
    let d = Delivery::new(scheme.clone(), &b"{}"[..])
        .id("d-1")
        .header("x-acme-account", "acct_42")
        .sign(&secret());
    let a = common::send(addr, "/hook", d.clone()).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    // Another account's value: the signature no longer covers the request.
    let mut other = d.clone();
    other
        .headers
        .insert("x-acme-account", http::HeaderValue::from_static("acct_43"));
    assert_eq!(
        common::send(addr, "/hook", other).await.code(),
        "signature_mismatch"
    );
    // Missing, or sent twice with different values: refused before the body is read.
    let mut missing = d.clone();
    missing.headers.remove("x-acme-account");
    let a = common::send(addr, "/hook", missing).await;
    assert_eq!((a.status.as_u16(), a.code()), (400, "signed_part_missing"));
    let mut twice = d.clone();
    twice
        .headers
        .append("x-acme-account", http::HeaderValue::from_static("acct_43"));
    assert_eq!(
        common::send(addr, "/hook", twice).await.code(),
        "signed_part_missing"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
}

fn mailgun_like() -> Scheme {
    // Mailgun: hex HMAC-SHA256 of `timestamp` + `token`, all three in the body's `signature`
    // object; the event in `event-data`, which the signature does not cover.
    Scheme::builder("mailgun-like")
        .signature_json_field("signature.signature")
        .timestamp_json_field("signature.timestamp", TimestampUnit::Seconds)
        .id_json_field("event-data.id")
        .event_json_field("event-data.event")
        .signed_parts([
            SignedPart::Timestamp,
            SignedPart::json_field("signature.token"),
        ])
        .build()
        .unwrap()
}

fn mailgun_body(token: &str, id: &str) -> String {
    format!(
        r#"{{"signature":{{"token":"{token}"}},"event-data":{{"id":"{id}","event":"delivered","recipient":"a@example.com"}}}}"#
    )
}

#[tokio::test]
async fn a_signature_and_timestamp_in_the_json_body_are_read_and_checked() {
    let scheme = mailgun_like();
    assert!(!scheme.id_is_signed());
    let (addr, seen) = common::recording_route(Verifier::new(scheme.clone(), secret())).await;
    let token = "2b8fd3f3ad3d5e5c1cbd21e2d9a4c0c4f4a6e0b3a1e1d1ba0e";
    let d = Delivery::new(scheme.clone(), mailgun_body(token, "ev-1")).sign(&secret());
    let doc: serde_json::Value = serde_json::from_slice(&d.body).unwrap();
    assert_eq!(doc["signature"]["signature"].as_str().unwrap().len(), 64);
    let a = common::send(addr, "/hook", d.clone()).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(
        seen.lock().unwrap()[0][..2],
        [Some("ev-1".to_owned()), Some("delivered".to_owned())]
    );

    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut doc = doc.clone();
        f(&mut doc);
        with_body(&d, &serde_json::to_vec(&doc).unwrap())
    };
    // The token is signed.
    let a = common::send(
        addr,
        "/hook",
        edit(&|v| v["signature"]["token"] = "x".into()),
    )
    .await;
    assert_eq!((a.status.as_u16(), a.code()), (401, "signature_mismatch"));
    // `event-data` is not: a replay of the signature with another id is held back by
    // deduplication on the signature, not processed as new.
    let a = common::send(
        addr,
        "/hook",
        edit(&|v| v["event-data"]["id"] = "ev-2".into()),
    )
    .await;
    assert_eq!((a.status.as_u16(), a.code()), (409, "replay_detected"));
    // Missing pieces each get their own refusal.
    type Edit<'a> = &'a dyn Fn(&mut serde_json::Value);
    let cases: [(Edit<'_>, u16, &str); 3] = [
        (
            &|v| {
                v["signature"].as_object_mut().unwrap().remove("signature");
            },
            401,
            "signature_missing",
        ),
        (
            &|v| {
                v["signature"].as_object_mut().unwrap().remove("token");
            },
            400,
            "signed_part_missing",
        ),
        (
            &|v| {
                v["signature"].as_object_mut().unwrap().remove("timestamp");
            },
            400,
            "timestamp_missing",
        ),
    ];
    for (f, status, code) in cases {
        let a = common::send(addr, "/hook", edit(f)).await;
        assert_eq!((a.status.as_u16(), a.code()), (status, code));
    }
    // An old timestamp in the body is outside the window.
    let old = Delivery::new(scheme.clone(), mailgun_body(token, "ev-3"))
        .timestamp(now_secs() - 3600)
        .sign(&secret());
    let a = common::send(addr, "/hook", old).await;
    assert_eq!((a.status.as_u16(), a.code()), (401, "timestamp_expired"));
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_timestamp_in_the_json_body_is_checked_against_the_window() {
    // Linear: hex HMAC-SHA256 of the body in `Linear-Signature`, the send time in the body's
    // `webhookTimestamp` (milliseconds).
    let scheme = Scheme::builder("linear-like")
        .signature_header("linear-signature")
        .timestamp_json_field("webhookTimestamp", TimestampUnit::Milliseconds)
        .id_header("linear-delivery")
        .build()
        .unwrap();
    let (addr, seen) = common::recording_route(Verifier::new(scheme.clone(), secret())).await;
    let body = r#"{"action":"create","type":"Issue","data":{"id":"i-1"}}"#;
    let fresh = Delivery::new(scheme.clone(), body).sign(&secret());
    let a = common::send(addr, "/hook", fresh).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    let stale = Delivery::new(scheme.clone(), body)
        .timestamp_millis((now_secs() - 3600) * 1000)
        .sign(&secret());
    let a = common::send(addr, "/hook", stale).await;
    assert_eq!((a.status.as_u16(), a.code()), (401, "timestamp_expired"));
    let text = Delivery::new(scheme, body)
        .timestamp_raw("yesterday")
        .sign(&secret());
    let a = common::send(addr, "/hook", text).await;
    assert_eq!((a.status.as_u16(), a.code()), (400, "timestamp_malformed"));
    assert_eq!(seen.lock().unwrap().len(), 1);
}
