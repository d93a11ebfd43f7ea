//! Senders that sign every retry anew and send no delivery id (Calendly, Zoom): the id is made
//! of body fields the sender keeps across retries (`SchemeBuilder::dedup_id_json_fields`), so a
//! retry is a duplicate however it was signed.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::post;
use common::{send, spawn};
use http::StatusCode;
use webhook_guard::dedup::{Dedup, MemoryStore};
use webhook_guard::scheme::{SchemeError, SignedPart, TimestampUnit};
use webhook_guard::testing::{Delivery, samples};
use webhook_guard::{RejectionKind, Scheme, Secret, Verifier, WebhookLayer, WebhookMeta};

const KEY: &str = "composite-dedup-test-key-0123456789";

fn key() -> Secret {
    Secret::new(KEY).unwrap()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The first attempt and a retry 90 seconds later, both within the window, signed anew.
fn attempts(scheme: Scheme, body: &str) -> [webhook_guard::testing::SignedDelivery; 2] {
    let now = now_secs();
    [now - 90, now].map(|t| {
        Delivery::new(scheme.clone(), body.to_owned())
            .timestamp(t)
            .sign(&key())
    })
}

fn id_of(scheme: Scheme, d: &webhook_guard::testing::SignedDelivery) -> String {
    let meta = Verifier::new(scheme, key())
        .verify(&d.headers, &d.body)
        .expect("verifies");
    meta.id().expect("an id").to_owned()
}

#[test]
fn calendly_retries_signed_anew_share_one_id() {
    let [first, retry] = attempts(Scheme::calendly(), samples::CALENDLY_INVITEE_CREATED);
    let sig = "calendly-webhook-signature";
    assert_ne!(
        first.header(sig),
        retry.header(sig),
        "each attempt is signed anew"
    );
    let id = id_of(Scheme::calendly(), &first);
    assert_eq!(id, id_of(Scheme::calendly(), &retry));
    // `event`, `created_at` and `payload.uri` do not fit in 62 bytes: hashed, fixed length.
    assert!(id.starts_with("sha256:"), "{id}");
    assert_eq!(id.len(), "sha256:".len() + 43);
    // Another invitee is another id.
    let other = samples::CALENDLY_INVITEE_CREATED
        .replace("invitees/AAAAAAAAAAAAAAAA\"", "invitees/BBBBBBBBBBBBBBBB\"");
    assert_ne!(other, samples::CALENDLY_INVITEE_CREATED);
    let [other, _] = attempts(Scheme::calendly(), &other);
    assert_ne!(id_of(Scheme::calendly(), &other), id);
}

#[test]
fn zoom_retries_signed_anew_share_one_readable_id() {
    let [first, retry] = attempts(Scheme::zoom(), samples::ZOOM_MEETING_STARTED);
    assert_ne!(
        first.header("x-zm-signature"),
        retry.header("x-zm-signature")
    );
    let id = id_of(Scheme::zoom(), &first);
    assert_eq!(id, "meeting.started|1701432000123|85746065432");
    assert_eq!(id_of(Scheme::zoom(), &retry), id);
    // The endpoint validation event has no `payload.object`: its place is left empty.
    let [validation, _] = attempts(Scheme::zoom(), samples::ZOOM_URL_VALIDATION);
    assert_eq!(
        id_of(Scheme::zoom(), &validation),
        "endpoint.url_validation|1654503849680|"
    );
    // Zoom writes the meeting id as a number in its real payloads: same digits, same id.
    let numeric = samples::ZOOM_MEETING_STARTED.replace("\"85746065432\"", "85746065432");
    assert_ne!(numeric, samples::ZOOM_MEETING_STARTED);
    let [numeric, _] = attempts(Scheme::zoom(), &numeric);
    assert_eq!(id_of(Scheme::zoom(), &numeric), id);
}

fn composite(fields: &[&str]) -> Scheme {
    Scheme::builder("composite")
        .signature_header("x-sig")
        .timestamp_header("x-ts", TimestampUnit::Seconds)
        .dedup_id_json_fields(fields)
        .signed_parts([
            SignedPart::Timestamp,
            SignedPart::literal("."),
            SignedPart::Body,
        ])
        .build()
        .unwrap()
}

fn verify(scheme: &Scheme, body: &str) -> Result<WebhookMeta, webhook_guard::Rejection> {
    let d = Delivery::new(scheme.clone(), body.to_owned()).sign(&key());
    Verifier::new(scheme.clone(), key()).verify(&d.headers, &d.body)
}

#[test]
fn composite_ids_are_unambiguous_and_checked() {
    let scheme = composite(&["a", "b.c"]);
    assert!(scheme.id_is_signed());
    let id = |body: &str| verify(&scheme, body).unwrap().id().map(str::to_owned);
    assert_eq!(id(r#"{"a":"x","b":{"c":7}}"#).as_deref(), Some("x|7"));
    assert_eq!(id(r#"{"b":{"c":7}}"#).as_deref(), Some("|7"));
    // A `|` inside a text would make the joined form ambiguous: hashed instead, so that
    // `x|y` + `z` and `x` + `y|z` differ.
    let left = id(r#"{"a":"x|y","b":{"c":"z"}}"#).unwrap();
    let right = id(r#"{"a":"x","b":{"c":"y|z"}}"#).unwrap();
    assert!(left.starts_with("sha256:") && right.starts_with("sha256:"));
    assert_ne!(left, right);
    // A missing field differs from an empty-looking one.
    assert_ne!(
        id(r#"{"a":"x|"}"#).unwrap(),
        id(r#"{"a":"x","b":{"c":"|"}}"#).unwrap()
    );
    // None of the fields: refused, unless the id is optional.
    let err = verify(&scheme, r#"{"other":1}"#).unwrap_err();
    assert_eq!(err.kind(), RejectionKind::IdMissing);
    assert!(
        err.detail().unwrap().contains("`b.c`"),
        "{:?}",
        err.detail()
    );
    assert_eq!(
        verify(&scheme, "not json").unwrap_err().kind(),
        RejectionKind::IdMissing
    );
    let optional = Scheme::builder("composite")
        .signature_header("x-sig")
        .dedup_id_json_fields(["a", "b.c"])
        .id_optional()
        .build()
        .unwrap();
    assert_eq!(verify(&optional, r#"{"other":1}"#).unwrap().id(), None);
    // A present field must pass as an id would.
    assert_eq!(
        verify(&scheme, r#"{"a":"has space","b":{"c":1}}"#)
            .unwrap_err()
            .kind(),
        RejectionKind::IdMalformed
    );
    // No field at all, or an empty path, is refused when built.
    let build = |fields: &[&str]| {
        Scheme::builder("x")
            .signature_header("s")
            .dedup_id_json_fields(fields)
            .build()
            .unwrap_err()
    };
    assert_eq!(build(&[]), SchemeError::NoSources);
    assert_eq!(build(&["a", "."]), SchemeError::EmptyJsonPath);
}

/// A guard with the in-memory store on 127.0.0.1 whose handler counts its runs.
async fn guarded(scheme: Scheme) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let layer = WebhookLayer::new(Verifier::new(scheme, key()))
        .dedup_with(Dedup::new(MemoryStore::default()));
    let app = Router::new()
        .route(
            "/hook",
            post(move |_meta: WebhookMeta| async move {
                r.fetch_add(1, Ordering::SeqCst);
                (StatusCode::OK, "done")
            }),
        )
        .route_layer(layer);
    (spawn(app).await, runs)
}

#[tokio::test]
async fn a_retry_signed_anew_is_answered_as_a_duplicate_over_http() {
    for (scheme, body) in [
        (Scheme::calendly(), samples::CALENDLY_INVITEE_CREATED),
        (Scheme::zoom(), samples::ZOOM_MEETING_STARTED),
    ] {
        let name = scheme.name().to_owned();
        let (addr, runs) = guarded(scheme.clone()).await;
        let [first, retry] = attempts(scheme, body);
        let a = send(addr, "/hook", first).await;
        assert_eq!(a.status, StatusCode::OK, "{name}: {:?}", a.json);
        let a = send(addr, "/hook", retry).await;
        assert_eq!(
            (a.status, a.json.clone()),
            (StatusCode::OK, serde_json::json!({"duplicate": true})),
            "{name}"
        );
        assert_eq!(
            runs.load(Ordering::SeqCst),
            1,
            "{name}: the handler ran once"
        );
    }
}
