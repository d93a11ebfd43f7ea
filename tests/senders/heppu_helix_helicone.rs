//! The three seed senders through a real axum server on 127.0.0.1: every good and bad delivery
//! the foundation issue lists, with the handler's calls counted.

use crate::common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::post;
use common::{Call, Calls, raw_exchange, raw_head, send, spawn};
use http::HeaderValue;
use webhook_guard::events::heppu;
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{RawBody, Scheme, Secret, Verified, Verifier, WebhookLayer, WebhookMeta};

const CURRENT: &str = "current-secret-0123456789abcdef";
const OLD: &str = "old-secret-being-rotated-out-00";
const OTHER: &str = "some-other-endpoints-secret-000";

fn secret(s: &str) -> Secret {
    Secret::new(s).unwrap()
}

/// One seed sender: its scheme, route, a documented sample body and its signature header.
struct Sender {
    scheme: Scheme,
    path: &'static str,
    body: &'static str,
    sig_header: &'static str,
    prefix: &'static str,
}

fn senders() -> Vec<Sender> {
    vec![
        Sender {
            scheme: Scheme::heppu(),
            path: "/webhooks/heppu",
            body: webhook_guard::testing::samples::HEPPU_CALL_COMPLETED,
            sig_header: "x-webhook-signature-256",
            prefix: "sha256=",
        },
        Sender {
            scheme: Scheme::helix(),
            path: "/webhooks/helix",
            body: r#"{"type":"news","timestamp":1704123456789,"data":{"title":"Rates held"}}"#,
            sig_header: "x-webhook-signature",
            prefix: "v1=",
        },
        Sender {
            scheme: Scheme::helicone(),
            path: "/webhooks/helicone",
            body: r#"{"request_id":"550e8400-e29b-41d4-a716-446655440000","user_id":"user-123","model":"gpt-4o-mini"}"#,
            sig_header: "helicone-signature",
            prefix: "",
        },
    ]
}

fn guarded(scheme: Scheme, secrets: &[&str], calls: Calls) -> Router {
    let verifier = Verifier::builder(scheme)
        .secrets(secrets.iter().map(|s| secret(s)))
        .build()
        .unwrap();
    Router::new()
        .route(
            "/",
            post(
                move |meta: WebhookMeta, Verified(_v): Verified<serde_json::Value>| async move {
                    calls.push(Call {
                        scheme: meta.scheme().to_owned(),
                        id: meta.id().map(str::to_owned),
                        event: meta.event_type().map(str::to_owned),
                    });
                    axum::Json(serde_json::json!({
                        "id": meta.id(),
                        "secret_index": meta.secret_index(),
                    }))
                },
            ),
        )
        .route_layer(WebhookLayer::new(verifier).body_limit(64 * 1024))
}

/// All three senders on one server, each under its own path, with two secrets in rotation.
async fn server(secrets: &[&str]) -> (std::net::SocketAddr, Calls) {
    let calls = Calls::default();
    let mut app = Router::new();
    for s in senders() {
        app = app.nest(s.path, guarded(s.scheme, secrets, calls.clone()));
    }
    (spawn(app).await, calls)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn sign(s: &Sender, key: &str) -> SignedDelivery {
    Delivery::new(s.scheme.clone(), s.body).sign(&secret(key))
}

fn set(d: &mut SignedDelivery, name: &str, value: &str) {
    d.headers.insert(
        http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
        HeaderValue::from_str(value).unwrap(),
    );
}

#[tokio::test]
async fn valid_deliveries_reach_the_handler_with_their_metadata() {
    let (addr, calls) = server(&[CURRENT, OLD]).await;
    for s in senders() {
        let d = sign(&s, CURRENT);
        let expected_id = match s.scheme.name() {
            "helicone" => "550e8400-e29b-41d4-a716-446655440000".to_owned(),
            "heppu" => d.header("x-webhook-id").unwrap().to_owned(),
            _ => d.header("x-webhook-event-id").unwrap().to_owned(),
        };
        let a = send(addr, s.path, d).await;
        assert_eq!(a.status, 200, "{}: {:?}", s.scheme.name(), a.json);
        assert_eq!(a.json["id"], expected_id.as_str());
        assert_eq!(a.json["secret_index"], 0);
        let call = calls.take().pop().unwrap();
        assert_eq!(call.scheme, s.scheme.name());
        assert_eq!(call.id.as_deref(), Some(expected_id.as_str()));
        if s.scheme.name() == "heppu" {
            assert_eq!(call.event.as_deref(), Some("call.completed"));
        }
    }
}

/// Every bad delivery: the expected status and code, and the handler never runs.
#[tokio::test]
async fn bad_signatures_are_refused_before_the_handler() {
    let (addr, calls) = server(&[CURRENT]).await;
    for s in senders() {
        let name = s.scheme.name();
        let good = sign(&s, CURRENT);
        let good_sig = good.header(s.sig_header).unwrap().to_owned();
        let hex = good_sig.strip_prefix(s.prefix).unwrap().to_owned();

        let mut cases: Vec<(&str, SignedDelivery, u16, &str)> = Vec::new();
        let mut tampered = good.clone();
        tampered.body = format!("{} ", s.body).into();
        cases.push(("tampered body", tampered, 401, "signature_mismatch"));
        cases.push(("wrong secret", sign(&s, OTHER), 401, "signature_mismatch"));
        let mut missing = good.clone();
        missing.headers.remove(s.sig_header);
        cases.push(("missing signature", missing, 401, "signature_missing"));
        for (label, value) in [
            ("garbled", "definitely not a signature".to_owned()),
            ("empty", String::new()),
            ("prefix only", s.prefix.to_owned()),
            ("non-hex", format!("{}{}", s.prefix, "zz".repeat(32))),
            ("truncated", format!("{}{}", s.prefix, &hex[..32])),
            ("too long", format!("{}{}00", s.prefix, hex)),
            ("wrong prefix", format!("sha1={hex}")),
        ] {
            let mut d = good.clone();
            set(&mut d, s.sig_header, &value);
            cases.push((label, d, 400, "signature_malformed"));
        }
        let mut repeated = good.clone();
        repeated.headers.append(
            http::HeaderName::from_static(s.sig_header),
            HeaderValue::from_str(&format!("{}{}", s.prefix, "ab".repeat(32))).unwrap(),
        );
        cases.push((
            "two different signatures",
            repeated,
            400,
            "signature_header_repeated",
        ));

        for (label, d, status, code) in cases {
            let a = send(addr, s.path, d).await;
            assert_eq!(a.status, status, "{name} / {label}: {:?}", a.json);
            assert_eq!(a.code(), code, "{name} / {label}");
            assert!(a.json["message"].is_string());
        }
        assert_eq!(calls.len(), 0, "{name}: handler ran for a bad delivery");
    }
}

#[tokio::test]
async fn uppercase_hex_and_identical_repeated_headers_are_accepted() {
    let (addr, calls) = server(&[CURRENT]).await;
    for s in senders() {
        let mut d = sign(&s, CURRENT);
        let sig = d.header(s.sig_header).unwrap().to_owned();
        let upper = format!("{}{}", s.prefix, sig[s.prefix.len()..].to_ascii_uppercase());
        set(&mut d, s.sig_header, &upper);
        // A proxy that duplicates the header with the same value is harmless.
        d.headers.append(
            http::HeaderName::from_static(s.sig_header),
            HeaderValue::from_str(&upper).unwrap(),
        );
        let a = send(addr, s.path, d).await;
        assert_eq!(a.status, 200, "{}: {:?}", s.scheme.name(), a.json);
    }
    assert_eq!(calls.len(), 3);

    // Helicone may send both of its header names; identical values pass, different ones do not.
    let s = &senders()[2];
    let mut d = sign(s, CURRENT);
    let sig = d.header("helicone-signature").unwrap().to_owned();
    set(&mut d, "x-helicone-signature", &sig);
    assert_eq!(send(addr, s.path, d.clone()).await.status, 200);
    set(&mut d, "x-helicone-signature", &"0".repeat(64));
    assert_eq!(
        send(addr, s.path, d).await.code(),
        "signature_header_repeated"
    );
}

#[tokio::test]
async fn stale_future_and_wrong_unit_timestamps_are_refused() {
    let (addr, calls) = server(&[CURRENT]).await;
    let key = secret(CURRENT);
    let now = now_ms();
    for s in senders()
        .into_iter()
        .filter(|s| s.scheme.timestamp().is_some())
    {
        let name = s.scheme.name();
        let at = |ms: u64| {
            Delivery::new(s.scheme.clone(), s.body)
                .timestamp_millis(ms)
                .sign(&key)
        };
        let fresh = send(addr, s.path, at(now - 60_000)).await;
        assert_eq!(fresh.status, 200, "{name}: a minute old is fine");
        let stale = send(addr, s.path, at(now - 6 * 60_000)).await;
        assert_eq!(
            (stale.status.as_u16(), stale.code()),
            (401, "timestamp_expired"),
            "{name}"
        );
        let future = send(addr, s.path, at(now + 6 * 60_000)).await;
        assert_eq!(
            (future.status.as_u16(), future.code()),
            (401, "timestamp_in_future"),
            "{name}"
        );

        let mut missing = at(now);
        missing.headers.remove("x-webhook-timestamp");
        let a = send(addr, s.path, missing).await;
        assert_eq!(
            (a.status.as_u16(), a.code()),
            (400, "timestamp_missing"),
            "{name}"
        );
        // HTTP strips whitespace around a header value (RFC 9110 OWS), so " 123" arrives as
        // "123": 1970, long expired. The parser's own test refuses the untrimmed text.
        let d = Delivery::new(s.scheme.clone(), s.body)
            .timestamp_raw(" 123")
            .sign(&key);
        assert_eq!(
            send(addr, s.path, d).await.code(),
            "timestamp_expired",
            "{name}"
        );
        for bad in [
            "-1",
            "1e20",
            "99999999999999999999",
            "0x10",
            "12.5",
            "abc",
            "",
        ] {
            // Signed with the bad text, so only the timestamp check can refuse it.
            let d = Delivery::new(s.scheme.clone(), s.body)
                .timestamp_raw(bad)
                .sign(&key);
            let a = send(addr, s.path, d).await;
            assert_eq!(
                (a.status.as_u16(), a.code()),
                (400, "timestamp_malformed"),
                "{name} {bad:?}"
            );
        }
    }
    // Milliseconds where seconds are expected (Heppu): thousands of years ahead.
    let heppu = Delivery::new(Scheme::heppu(), senders()[0].body)
        .timestamp(now)
        .sign(&key);
    assert_eq!(
        send(addr, "/webhooks/heppu", heppu).await.code(),
        "timestamp_in_future"
    );
    // Seconds where milliseconds are expected (Helix): 1970, long expired.
    let helix = Delivery::new(Scheme::helix(), senders()[1].body)
        .timestamp(now / 1000)
        .sign(&key);
    assert_eq!(
        send(addr, "/webhooks/helix", helix).await.code(),
        "timestamp_expired"
    );
    assert_eq!(calls.len(), 2, "only the two fresh deliveries ran");
}

#[tokio::test]
async fn missing_or_bad_delivery_ids_are_refused() {
    let (addr, calls) = server(&[CURRENT]).await;
    let key = secret(CURRENT);
    for (s, id_header) in [
        (&senders()[0], "x-webhook-id"),
        (&senders()[1], "x-webhook-event-id"),
    ] {
        let mut d = sign(s, CURRENT);
        d.headers.remove(id_header);
        let a = send(addr, s.path, d).await;
        assert_eq!(
            (a.status.as_u16(), a.code()),
            (400, "id_missing"),
            "{}",
            s.scheme.name()
        );
        let mut d = sign(s, CURRENT);
        set(&mut d, id_header, &"x".repeat(300));
        assert_eq!(send(addr, s.path, d).await.code(), "id_malformed");
    }
    // Helix's X-Webhook-ID is the configuration id, not needed for the delivery.
    let helix = Delivery::new(Scheme::helix(), senders()[1].body).sign(&key);
    assert!(helix.header("x-webhook-id").is_none());
    assert_eq!(send(addr, "/webhooks/helix", helix).await.status, 200);
    // Helicone's id is `request_id` in the body.
    let d = Delivery::new(Scheme::helicone(), r#"{"model":"gpt-4o-mini"}"#).sign(&key);
    let a = send(addr, "/webhooks/helicone", d).await;
    assert_eq!((a.status.as_u16(), a.code()), (400, "id_missing"));
    assert_eq!(calls.len(), 1);
}

#[tokio::test]
async fn secret_rotation_accepts_both_and_reports_which_matched() {
    let (addr, calls) = server(&[CURRENT, OLD]).await;
    let (addr_new_only, _) = server(&[CURRENT]).await;
    for s in senders() {
        let a = send(addr, s.path, sign(&s, CURRENT)).await;
        assert_eq!(
            (a.status.as_u16(), a.json["secret_index"].as_u64()),
            (200, Some(0))
        );
        let a = send(addr, s.path, sign(&s, OLD)).await;
        assert_eq!(
            (a.status.as_u16(), a.json["secret_index"].as_u64()),
            (200, Some(1))
        );
        let a = send(addr, s.path, sign(&s, OTHER)).await;
        assert_eq!(a.code(), "signature_mismatch");
        // Once the old secret is removed, its deliveries fail.
        let a = send(addr_new_only, s.path, sign(&s, OLD)).await;
        assert_eq!(a.code(), "signature_mismatch");
    }
    assert_eq!(calls.len(), 6);
}

#[tokio::test]
async fn oversized_bodies_get_413_without_being_read_whole() {
    let (addr, calls) = server(&[CURRENT]).await;
    let s = &senders()[0];
    let limit = 64 * 1024;
    // A correctly signed body one byte over the limit.
    let big = format!(
        "{{\"event\":\"call.completed\",\"pad\":\"{}\"}}",
        "x".repeat(limit)
    );
    let d = Delivery::new(s.scheme.clone(), big).sign(&secret(CURRENT));
    let a = send(addr, s.path, d.clone()).await;
    assert_eq!((a.status.as_u16(), a.code()), (413, "body_too_large"));

    // Declared too large: answered from the headers alone, before any body byte is sent.
    let head = raw_head(s.path, &d.headers, "content-length: 104857600\r\n");
    let (status, _) = raw_exchange(addr, &head).await;
    assert_eq!(status, 413);

    // Chunked, no length: the answer comes once the limit is passed, while the client has not
    // finished sending (it stops after limit + 4 KiB and waits).
    let mut req = raw_head(s.path, &d.headers, "transfer-encoding: chunked\r\n");
    let chunk = vec![b'x'; 4096];
    for _ in 0..(limit / 4096 + 1) {
        req.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        req.extend_from_slice(&chunk);
        req.extend_from_slice(b"\r\n");
    }
    let (status, _) = raw_exchange(addr, &req).await;
    assert_eq!(status, 413);
    assert_eq!(calls.len(), 0);
}

#[tokio::test]
async fn payload_that_does_not_fit_the_type_gets_422_and_raw_body_is_the_same_bytes() {
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Strict {
        required_field: u64,
    }
    let key = secret(CURRENT);
    let verifier = Verifier::new(Scheme::heppu(), key.clone());
    let app = Router::new()
        .route(
            "/strict",
            post(|Verified(_s): Verified<Strict>| async { "ran" }),
        )
        .route(
            "/typed",
            post(
                |Verified(e): Verified<heppu::Event>, RawBody(raw): RawBody| async move {
                    format!("{}:{}", e.event_type(), raw.len())
                },
            ),
        )
        .route_layer(WebhookLayer::new(verifier))
        .route(
            "/unguarded",
            post(|meta: WebhookMeta| async move { meta.scheme().to_owned() }),
        );
    let addr = spawn(app).await;
    let body = senders()[0].body;
    let a = send(
        addr,
        "/strict",
        Delivery::new(Scheme::heppu(), body).sign(&key),
    )
    .await;
    assert_eq!((a.status.as_u16(), a.code()), (422, "payload_invalid"));

    let d = Delivery::new(Scheme::heppu(), body).sign(&key);
    let res = common::client()
        .request(d.into_request(&format!("http://{addr}/typed")))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(text, format!("call.completed:{}", body.len()).as_bytes());

    let a = send(
        addr,
        "/unguarded",
        Delivery::new(Scheme::heppu(), body).sign(&key),
    )
    .await;
    assert_eq!((a.status.as_u16(), a.code()), (500, "verification_missing"));
}

#[tokio::test]
async fn layer_works_on_a_whole_router_and_a_route() {
    let key = secret(CURRENT);
    let calls = Calls::default();
    let c = calls.clone();
    // Router::layer guards everything, including the fallback.
    let app = Router::new()
        .route(
            "/a",
            post(move |meta: WebhookMeta| async move {
                c.push(Call {
                    scheme: meta.scheme().into(),
                    id: None,
                    event: None,
                });
                "a"
            }),
        )
        .layer(WebhookLayer::new(Verifier::new(
            Scheme::helicone(),
            key.clone(),
        )));
    let addr = spawn(app).await;
    let d = Delivery::new(Scheme::helicone(), r#"{"request_id":"r1"}"#).sign(&key);
    assert_eq!(send(addr, "/a", d.clone()).await.status, 200);
    let mut forged = d;
    forged.body = r#"{"request_id":"r2"}"#.into();
    assert_eq!(send(addr, "/a", forged).await.code(), "signature_mismatch");
    assert_eq!(calls.len(), 1);
    tokio::time::sleep(Duration::from_millis(1)).await;
}
