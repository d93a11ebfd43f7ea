//! The five added senders (Standard Webhooks, GitHub, Stripe, Slack, Shopify) over real HTTP on
//! 127.0.0.1: through the receiver example's routes, and through guarded routes with secrets in
//! rotation. Valid, tampered, wrong-secret, stale, future and rotated deliveries for each.

use crate::common;
use crate::receiver_app;
use crate::receiver_config;

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::post;
use common::{send, spawn};
use webhook_guard::testing::{Delivery, SignedDelivery, samples};
use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer, WebhookMeta};

const CURRENT: &str = "current-secret-0123456789abcdef";
const OLD: &str = "old-secret-being-rotated-out-00";
const OTHER: &str = "some-other-endpoints-secret-000";

fn secret(s: &str) -> Secret {
    Secret::new(s).unwrap()
}

/// The receiver example's configuration: `WEBHOOK_SECRET` = [`CURRENT`], no public keys.
fn config() -> receiver_config::ReceiverConfig {
    receiver_config::ReceiverConfig::with_secret(CURRENT).unwrap()
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// One added sender: route, scheme, a documented sample, its signature header, the id and event
/// type the receiver must report for that sample.
struct Sender {
    path: &'static str,
    scheme: Scheme,
    body: &'static str,
    sig_header: &'static str,
    event: Option<&'static str>,
}

fn senders() -> Vec<Sender> {
    let routes = config().sender_routes();
    let sender = |path: &'static str, body, sig_header, event| {
        let scheme = routes
            .iter()
            .find(|r| r.path == path)
            .map(|r| r.verifier.as_ref().unwrap().scheme().clone())
            .unwrap();
        Sender {
            path,
            scheme,
            body,
            sig_header,
            event,
        }
    };
    vec![
        sender(
            "/webhooks/standard",
            samples::STANDARD_CONTACT_CREATED,
            "webhook-signature",
            Some("contact.created"),
        ),
        sender(
            "/webhooks/github",
            samples::GITHUB_ISSUES_OPENED,
            "x-hub-signature-256",
            Some("issues"),
        ),
        sender(
            "/webhooks/stripe",
            samples::STRIPE_CUSTOMER_UPDATED,
            "stripe-signature",
            Some("customer.updated"),
        ),
        sender(
            "/webhooks/slack",
            samples::SLACK_EVENT_CALLBACK,
            "x-slack-signature",
            Some("event_callback"),
        ),
        sender(
            "/webhooks/shopify",
            samples::SHOPIFY_ORDERS_CREATE,
            "x-shopify-hmac-sha256",
            Some("orders/create"),
        ),
    ]
}

fn delivery(s: &Sender) -> Delivery {
    let d = Delivery::new(s.scheme.clone(), s.body);
    match s.scheme.name() {
        "github" => d.event("issues"),
        "shopify" => d.event("orders/create"),
        _ => d,
    }
}

fn sign(s: &Sender, key: &str) -> SignedDelivery {
    delivery(s).sign(&secret(key))
}

/// The id the receiver must report: the id header where there is one, else the body's `id`
/// (Stripe) or `event_id` (Slack).
fn expected_id(s: &Sender, d: &SignedDelivery) -> Option<String> {
    match s.scheme.name() {
        "standard-webhooks" => d.header("webhook-id").map(str::to_owned),
        "github" => d.header("x-github-delivery").map(str::to_owned),
        "shopify" => d.header("x-shopify-event-id").map(str::to_owned),
        "stripe" => Some("evt_1NfVbN2eZvKYlo2CfkRaWXCj".to_owned()),
        "slack" => Some("Ev123ABC456".to_owned()),
        _ => None,
    }
}

#[tokio::test]
async fn receiver_routes_answer_the_contract_for_every_added_sender() {
    let receiver_app::Receiver {
        router: app,
        log: _log,
        ..
    } = receiver_app::app(&config());
    let addr = spawn(app).await;
    let mut expected_events = Vec::new();
    for s in senders() {
        let d = sign(&s, CURRENT);
        let id = expected_id(&s, &d);
        let a = send(addr, s.path, d.clone()).await;
        assert_eq!(a.status, 200, "{}: {:?}", s.path, a.json);
        assert_eq!(
            a.json,
            serde_json::json!({ "received": s.event, "id": id }),
            "{}",
            s.path
        );
        expected_events.push(serde_json::json!({
            "scheme": s.scheme.name(), "id": id, "event": s.event
        }));
        // The same delivery again is a duplicate, and so is a retry re-signed with a new
        // timestamp (Slack re-signs every retry; it keeps the body's `event_id`).
        let again = send(addr, s.path, d).await;
        assert_eq!(
            (again.status.as_u16(), &again.json),
            (200, &serde_json::json!({ "duplicate": true })),
            "{}",
            s.path
        );
        if s.scheme.timestamp().is_some() {
            let mut retry = delivery(&s).timestamp_millis(now_ms() - 60_000);
            if let Some(id) = &id {
                // The same id where it is a header (ignored where it is read from the body).
                retry = retry.id(id.clone());
            }
            let again = send(addr, s.path, retry.sign(&secret(CURRENT))).await;
            assert_eq!(
                (again.status.as_u16(), &again.json),
                (200, &serde_json::json!({ "duplicate": true })),
                "{} re-signed",
                s.path
            );
        }
    }
    // A form-encoded Slack slash command verifies too (no JSON type: received null).
    let form =
        Delivery::new(Scheme::slack(), "command=%2Fweather&text=94070").sign(&secret(CURRENT));
    let a = send(addr, "/webhooks/slack", form).await;
    assert_eq!(a.json, serde_json::json!({ "received": null, "id": null }));
    expected_events.push(serde_json::json!({ "scheme": "slack", "id": null, "event": null }));

    let res = common::client()
        .get(format!("http://{addr}/events").parse().unwrap())
        .await
        .unwrap();
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let events: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(events, serde_json::Value::Array(expected_events));
}

#[tokio::test]
async fn tampered_wrong_secret_and_unsigned_deliveries_are_refused() {
    let receiver_app::Receiver {
        router: app, log, ..
    } = receiver_app::app(&config());
    let addr = spawn(app).await;
    for s in senders() {
        let good = sign(&s, CURRENT);
        let mut tampered = good.clone();
        tampered.body = format!("{} ", s.body).into();
        let mut unsigned = good.clone();
        unsigned.headers.remove(s.sig_header);
        let mut garbled = good.clone();
        garbled
            .headers
            .insert(s.sig_header, "not a signature".parse().unwrap());
        for (label, d, status, code) in [
            ("tampered body", tampered, 401, "signature_mismatch"),
            ("wrong secret", sign(&s, OTHER), 401, "signature_mismatch"),
            ("no signature", unsigned, 401, "signature_missing"),
            ("garbled signature", garbled, 400, "signature_malformed"),
        ] {
            let a = send(addr, s.path, d).await;
            assert_eq!(
                (a.status.as_u16(), a.code()),
                (status, code),
                "{} {label}",
                s.path
            );
        }
    }
    // Ids the schemes require: GitHub's delivery header, Stripe's event id in the body.
    let github = &senders()[1];
    let mut d = sign(github, CURRENT);
    d.headers.remove("x-github-delivery");
    assert_eq!(send(addr, github.path, d).await.code(), "id_missing");
    let no_id = Delivery::new(Scheme::stripe(), r#"{"type":"ping"}"#).sign(&secret(CURRENT));
    assert_eq!(
        send(addr, "/webhooks/stripe", no_id).await.code(),
        "id_missing"
    );
    assert!(log.lock().unwrap().is_empty(), "no refused delivery ran");
}

#[tokio::test]
async fn stale_and_future_timestamps_are_refused_where_the_sender_sends_one() {
    let receiver_app::Receiver {
        router: app, log, ..
    } = receiver_app::app(&config());
    let addr = spawn(app).await;
    let now = now_ms();
    let mut timed = 0;
    for s in senders()
        .into_iter()
        .filter(|s| s.scheme.timestamp().is_some())
    {
        timed += 1;
        let at = |ms: u64| delivery(&s).timestamp_millis(ms).sign(&secret(CURRENT));
        let fresh = send(addr, s.path, at(now - 60_000)).await;
        assert_eq!(fresh.status, 200, "{}: a minute old is fine", s.path);
        for (ms, code) in [
            (now - 6 * 60_000, "timestamp_expired"),
            (now + 6 * 60_000, "timestamp_in_future"),
            // Milliseconds where seconds are expected: thousands of years ahead.
            (now * 1000, "timestamp_in_future"),
        ] {
            let a = send(addr, s.path, at(ms)).await;
            assert_eq!((a.status.as_u16(), a.code()), (401, code), "{}", s.path);
        }
        let bad = delivery(&s).timestamp_raw("12.5").sign(&secret(CURRENT));
        assert_eq!(
            send(addr, s.path, bad).await.code(),
            "timestamp_malformed",
            "{}",
            s.path
        );
    }
    assert_eq!(
        timed, 3,
        "Standard Webhooks, Stripe and Slack send timestamps"
    );
    assert_eq!(
        log.lock().unwrap().len(),
        3,
        "only the fresh deliveries ran"
    );
}

/// Each sender behind a verifier that knows `secrets`; answers the index of the matching secret.
async fn rotating_server(secrets: &[&str]) -> std::net::SocketAddr {
    let mut app = Router::new();
    for s in senders() {
        let verifier = Verifier::builder(s.scheme.clone())
            .secrets(secrets.iter().map(|k| secret(k)))
            .build()
            .unwrap();
        app = app.merge(
            Router::new()
                .route(
                    s.path,
                    post(|meta: WebhookMeta| async move {
                        axum::Json(serde_json::json!({ "secret_index": meta.secret_index() }))
                    }),
                )
                .route_layer(WebhookLayer::new(verifier)),
        );
    }
    spawn(app).await
}

#[tokio::test]
async fn secret_rotation_for_every_added_sender() {
    // The receiver's side of a rotation: both secrets configured, either matches.
    let both = rotating_server(&[CURRENT, OLD]).await;
    let new_only = rotating_server(&[CURRENT]).await;
    let old_only = rotating_server(&[OLD]).await;
    for s in senders() {
        for (key, index) in [(CURRENT, 0), (OLD, 1)] {
            let a = send(both, s.path, sign(&s, key)).await;
            assert_eq!(
                (a.status.as_u16(), a.json["secret_index"].as_u64()),
                (200, Some(index)),
                "{}",
                s.path
            );
        }
        assert_eq!(
            send(new_only, s.path, sign(&s, OLD)).await.code(),
            "signature_mismatch"
        );
        // The sender's side: Standard Webhooks and Stripe send one signature per active secret,
        // so a receiver that knows only one of them still verifies.
        let dual = delivery(&s).sign_with_each(&[&secret(CURRENT), &secret(OLD)]);
        let list = matches!(s.scheme.name(), "standard-webhooks" | "stripe");
        for addr in [new_only, old_only] {
            let a = send(addr, s.path, dual.clone()).await;
            let accepted = a.status == 200;
            // Single-signature senders carry only the first secret's signature.
            let expected = list || addr == new_only;
            assert_eq!(accepted, expected, "{} {:?}", s.path, a.json);
        }
    }
}
