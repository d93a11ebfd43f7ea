//! Exactly-once handling through a real axum server on 127.0.0.1, with the in-memory store.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use common::{send, spawn};
use http::StatusCode;
use webhook_guard::clock::ManualClock;
use webhook_guard::dedup::{Dedup, MemoryStore};
use webhook_guard::testing::Delivery;
use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer, WebhookMeta};

const KEY: &str = "dedup-test-secret-0123456789";

#[derive(Clone, Copy)]
enum Act {
    Ok,
    Fail,
    Panic,
    Sleep(Duration),
}

/// A guarded Heppu route whose handler does `script(attempt)` and counts its runs.
struct Rig {
    addr: std::net::SocketAddr,
    runs: Arc<AtomicUsize>,
    store: MemoryStore,
}

async fn rig(
    store: MemoryStore,
    dedup: impl FnOnce(Dedup) -> Dedup,
    script: fn(usize) -> Act,
) -> Rig {
    rig_with(Scheme::heppu(), store, dedup, script, |r| r).await
}

async fn rig_with(
    scheme: Scheme,
    store: MemoryStore,
    dedup: impl FnOnce(Dedup) -> Dedup,
    script: fn(usize) -> Act,
    wrap: impl FnOnce(Router) -> Router,
) -> Rig {
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let layer = WebhookLayer::new(Verifier::new(scheme, Secret::new(KEY).unwrap()))
        .dedup_with(dedup(Dedup::new(store.clone())));
    let app = Router::new()
        .route(
            "/hook",
            post(move |_meta: WebhookMeta| async move {
                let attempt = r.fetch_add(1, Ordering::SeqCst);
                match script(attempt) {
                    Act::Ok => (StatusCode::OK, "done"),
                    Act::Fail => (StatusCode::INTERNAL_SERVER_ERROR, "failed"),
                    Act::Panic => panic!("handler panics on attempt {attempt}"),
                    Act::Sleep(d) => {
                        tokio::time::sleep(d).await;
                        (StatusCode::OK, "slow but done")
                    }
                }
            }),
        )
        .route_layer(layer);
    Rig {
        addr: spawn(wrap(app)).await,
        runs,
        store,
    }
}

fn heppu(body: &str) -> Delivery {
    Delivery::new(Scheme::heppu(), body.to_owned()).id("whd_dedup_1")
}

fn key() -> Secret {
    Secret::new(KEY).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_copies_run_the_handler_once() {
    let rig = rig(
        MemoryStore::default(),
        |d| d,
        |_| Act::Sleep(Duration::from_millis(300)),
    )
    .await;
    let d = heppu(r#"{"event":"call.completed"}"#).sign(&key());
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let d = d.clone();
        let addr = rig.addr;
        tasks.push(tokio::spawn(async move { send(addr, "/hook", d).await }));
    }
    let (mut processed, mut in_flight, mut duplicate) = (0, 0, 0);
    for t in tasks {
        let a = t.await.unwrap();
        match (a.status.as_u16(), a.code()) {
            (200, _) if a.json == serde_json::json!({"duplicate": true}) => duplicate += 1,
            (200, _) => processed += 1,
            (409, "in_flight") => {
                in_flight += 1;
                assert!(a.headers.contains_key("retry-after"));
            }
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!(rig.runs.load(Ordering::SeqCst), 1, "handler ran once");
    assert_eq!(processed, 1);
    assert_eq!(processed + in_flight + duplicate, 200);
    // Afterwards every copy is a plain duplicate.
    let a = send(rig.addr, "/hook", d).await;
    assert_eq!(
        (a.status.as_u16(), a.json.clone()),
        (200, serde_json::json!({"duplicate": true}))
    );
    assert_eq!(rig.runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn failed_attempts_release_the_claim_and_the_third_is_processed_once() {
    let rig = rig(
        MemoryStore::default(),
        |d| d,
        |n| if n < 2 { Act::Fail } else { Act::Ok },
    )
    .await;
    let d = heppu(r#"{"event":"call.failed"}"#).sign(&key());
    let statuses: Vec<u16> = futures_seq(rig.addr, &d, 4).await;
    assert_eq!(statuses, [500, 500, 200, 200]);
    assert_eq!(
        rig.runs.load(Ordering::SeqCst),
        3,
        "the fourth copy was a duplicate"
    );
}

async fn futures_seq(
    addr: std::net::SocketAddr,
    d: &webhook_guard::testing::SignedDelivery,
    n: usize,
) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(send(addr, "/hook", d.clone()).await.status.as_u16());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_lets_the_retry_through() {
    let rig = rig(
        MemoryStore::default(),
        |d| d,
        |n| if n == 0 { Act::Panic } else { Act::Ok },
    )
    .await;
    let d = heppu(r#"{"event":"call.busy"}"#).sign(&key());
    // The panic tears down the connection: no answer at all.
    let first = common::client()
        .request(d.clone().into_request(&format!("http://{}/hook", rig.addr)))
        .await;
    assert!(first.is_err(), "a panicking handler gives no answer");
    // The in-process store's claim is released while the panic unwinds the request's
    // future, before the connection closes: the sender's first retry is processed.
    let a = send(rig.addr, "/hook", d.clone()).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_ne!(a.json, serde_json::json!({"duplicate": true}));
    assert_eq!(rig.runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_timed_out_handler_releases_its_claim() {
    use tower_http::timeout::TimeoutLayer;
    // tower-http's timeout drops the guarded future after 100 ms (answering 408).
    let rig = rig_with(
        Scheme::heppu(),
        MemoryStore::default(),
        |d| d,
        |n| {
            if n == 0 {
                Act::Sleep(Duration::from_secs(5))
            } else {
                Act::Ok
            }
        },
        |r| {
            r.layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                Duration::from_millis(100),
            ))
        },
    )
    .await;
    let d = heppu(r#"{"event":"call.no-answer"}"#).sign(&key());
    assert_eq!(send(rig.addr, "/hook", d.clone()).await.status, 408);
    let mut status = 0;
    for _ in 0..50 {
        status = send(rig.addr, "/hook", d.clone()).await.status.as_u16();
        if status != 409 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, 200);
    assert_eq!(rig.runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn completed_content_under_a_changed_id_is_a_duplicate() {
    let rig = rig(MemoryStore::default(), |d| d, |_| Act::Ok).await;
    let d = heppu(r#"{"event":"chat.completed"}"#).sign(&key());
    assert_eq!(send(rig.addr, "/hook", d.clone()).await.status, 200);
    // An attacker captured the delivery and changes the unsigned id (and timestamp) headers.
    let mut replay = d.clone();
    replay
        .headers
        .insert("x-webhook-id", "whd_attacker_2".parse().unwrap());
    replay.headers.insert(
        "x-webhook-timestamp",
        (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 1)
        .to_string()
        .parse()
        .unwrap(),
    );
    // The original completed: the copy is answered as a duplicate (a sender that re-sends
    // that way must not retry for days), and the handler does not run.
    let a = send(rig.addr, "/hook", replay).await;
    assert_eq!(
        (a.status.as_u16(), &a.json),
        (200, &serde_json::json!({"duplicate": true}))
    );
    assert_eq!(rig.runs.load(Ordering::SeqCst), 1);
    // The refusal left the new id unclaimed: a genuine delivery under it is processed at once
    // (a claim left behind would answer 409 in_flight until its lease ran out).
    let genuine = heppu(r#"{"event":"chat.failed"}"#)
        .id("whd_attacker_2")
        .sign(&key());
    assert_eq!(send(rig.addr, "/hook", genuine).await.status, 200);
    assert_eq!(rig.runs.load(Ordering::SeqCst), 2);

    // Helix signs its timestamp, not its event id: the same protection applies.
    let helix = rig_with(
        Scheme::helix(),
        MemoryStore::default(),
        |d| d,
        |_| Act::Ok,
        |r| r,
    )
    .await;
    let d = Delivery::new(Scheme::helix(), r#"{"type":"news"}"#).sign(&key());
    assert_eq!(send(helix.addr, "/hook", d.clone()).await.status, 200);
    let mut replay = d;
    replay
        .headers
        .insert("x-webhook-event-id", "another-event-id".parse().unwrap());
    assert_eq!(
        send(helix.addr, "/hook", replay).await.json,
        serde_json::json!({"duplicate": true})
    );
    assert_eq!(helix.runs.load(Ordering::SeqCst), 1);
}

/// Stripe signs `<t>.<body>`, so a retry carries another signature and dedup compares the
/// bodies by their digest (XXH3-128, not the tag): a retry re-signed at a later second is a
/// duplicate, another body under the same event id a conflict, a body differing in one byte too.
#[tokio::test]
async fn body_digest_tells_a_retry_from_another_body_when_the_timestamp_is_signed() {
    let rig = rig_with(
        Scheme::stripe(),
        MemoryStore::default(),
        |d| d,
        |_| Act::Ok,
        |r| r,
    )
    .await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let body = r#"{"id":"evt_digest_1","object":"event","type":"invoice.paid","data":{"n":1}}"#;
    let attempt = |body: &str, t: u64| {
        Delivery::new(Scheme::stripe(), body.to_owned())
            .timestamp(t)
            .sign(&key())
    };
    assert_eq!(
        send(rig.addr, "/hook", attempt(body, now - 2)).await.status,
        200
    );
    let retry = send(rig.addr, "/hook", attempt(body, now - 1)).await;
    assert_eq!(retry.status, 200);
    assert_eq!(retry.json["duplicate"], true, "{retry:?}");
    let other = body.replace(r#""n":1"#, r#""n":2"#);
    let conflict = send(rig.addr, "/hook", attempt(&other, now)).await;
    assert_eq!(
        (conflict.status.as_u16(), conflict.code()),
        (409, "id_conflict")
    );
    assert_eq!(rig.runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn same_id_different_body_is_a_conflict() {
    let rig = rig(MemoryStore::default(), |d| d, |_| Act::Ok).await;
    assert_eq!(
        send(rig.addr, "/hook", heppu(r#"{"event":"a"}"#).sign(&key()))
            .await
            .status,
        200
    );
    let a = send(rig.addr, "/hook", heppu(r#"{"event":"b"}"#).sign(&key())).await;
    assert_eq!((a.status.as_u16(), a.code()), (409, "id_conflict"));
    assert_eq!(rig.runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn in_flight_duplicates_get_409_with_retry_after() {
    let rig = rig(
        MemoryStore::default(),
        |d| d.lease(Duration::from_secs(30)),
        |_| Act::Sleep(Duration::from_millis(400)),
    )
    .await;
    let d = heppu(r#"{"event":"call.completed"}"#).sign(&key());
    let first = tokio::spawn({
        let d = d.clone();
        let addr = rig.addr;
        async move { send(addr, "/hook", d).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let a = send(rig.addr, "/hook", d.clone()).await;
    assert_eq!((a.status.as_u16(), a.code()), (409, "in_flight"));
    let retry_after: u64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    // The same signed content under another (unsigned) id while the original runs: 409 too,
    // so the sender retries and learns the outcome; not yet a duplicate, the original may fail.
    let mut copy = d.clone();
    copy.headers
        .insert("x-webhook-id", "whd_dedup_copy".parse().unwrap());
    let a = send(rig.addr, "/hook", copy.clone()).await;
    assert_eq!((a.status.as_u16(), a.code()), (409, "in_flight"));
    assert_eq!(first.await.unwrap().status, 200);
    assert_eq!(rig.runs.load(Ordering::SeqCst), 1);
    // Once the original completed, the copy is a duplicate.
    let a = send(rig.addr, "/hook", copy).await;
    assert_eq!(
        (a.status.as_u16(), a.json),
        (200, serde_json::json!({"duplicate": true}))
    );
    assert_eq!(rig.runs.load(Ordering::SeqCst), 1);
}

/// Stripe sends the same event id to every endpoint subscribed to the event. Two guards on one
/// store, each under its own namespace, each run their handler; two built apart with one
/// namespace are refused when the second is put in front of its route, instead of the second
/// endpoint silently answering every event as a duplicate.
#[tokio::test]
async fn guards_sharing_a_store_are_kept_apart_by_their_namespace() {
    let store = MemoryStore::default();
    let runs = Arc::new(AtomicUsize::new(0));
    let guard = || WebhookLayer::new(Verifier::new(Scheme::stripe(), key())).dedup(store.clone());
    let route = |path: &str, layer: WebhookLayer| {
        let runs = runs.clone();
        Router::new()
            .route(
                path,
                post(move |meta: WebhookMeta| async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    meta.namespace().to_owned()
                }),
            )
            .route_layer(layer)
    };
    let app = route("/stripe", guard()).merge(route("/connect", guard().namespace("connect")));
    let addr = spawn(app).await;
    let event = Delivery::new(
        Scheme::stripe(),
        webhook_guard::testing::samples::STRIPE_CUSTOMER_UPDATED,
    );
    for (path, namespace) in [("/stripe", "stripe"), ("/connect", "connect")] {
        let res = common::client()
            .request(
                event
                    .clone()
                    .sign(&key())
                    .into_request(&format!("http://{addr}{path}")),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let body = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap();
        assert_eq!(
            body.to_bytes(),
            namespace.as_bytes(),
            "{path}: its handler ran"
        );
    }
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    // Each endpoint's own retry is a duplicate there.
    for path in ["/stripe", "/connect"] {
        let a = send(addr, path, event.clone().sign(&key())).await;
        assert_eq!(a.json, serde_json::json!({"duplicate": true}), "{path}");
    }
    assert_eq!(runs.load(Ordering::SeqCst), 2);

    // A second guard with the first one's namespace on the same store: refused at start-up,
    // with a message that names the namespace and the way out.
    let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        route("/stripe-again", guard())
    }))
    .expect_err("the second guard is refused");
    let message = refused
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("namespace `stripe`"), "{message}");
    assert!(message.contains(".namespace("), "{message}");
    // Not refused: one guard on several routes (clones are one guard), the same namespace on
    // another store, and replicas that say they are.
    let one = guard().namespace("shared-guard");
    let _ = route("/a", one.clone()).merge(route("/b", one));
    let _ = route("/other-store", {
        WebhookLayer::new(Verifier::new(Scheme::stripe(), key())).dedup(MemoryStore::default())
    });
    let replica = || guard().namespace("replicas").shared_namespace();
    let _ = route("/r1", replica()).merge(route("/r2", replica()));
    // Once the app holding a guard is gone, its namespace is free again.
    drop(route("/gone", guard().namespace("short-lived")));
    let _ = route("/again", guard().namespace("short-lived"));
}

/// The actix-web guard is refused the same way, when the app is built.
#[cfg(feature = "actix")]
#[actix_web::test]
async fn actix_guards_sharing_a_store_need_their_own_namespace() {
    use actix_web::{App, HttpResponse, test, web};
    use webhook_guard::actix::WebhookGuard;

    let store = MemoryStore::default();
    let guard = || WebhookGuard::new(Verifier::new(Scheme::stripe(), key())).dedup(store.clone());
    let app = |first: WebhookGuard, second: WebhookGuard| {
        App::new()
            .service(
                web::resource("/stripe")
                    .wrap(first)
                    .to(|| async { HttpResponse::Ok().body("stripe") }),
            )
            .service(
                web::resource("/connect")
                    .wrap(second)
                    .to(|| async { HttpResponse::Ok().body("connect") }),
            )
    };
    let service = test::init_service(app(guard(), guard().namespace("connect"))).await;
    for path in ["/stripe", "/connect"] {
        let d = Delivery::new(
            Scheme::stripe(),
            webhook_guard::testing::samples::STRIPE_CUSTOMER_UPDATED,
        )
        .sign(&key());
        let mut req = test::TestRequest::post().uri(path);
        for (name, value) in &d.headers {
            req = req.insert_header((name.as_str(), value.to_str().unwrap()));
        }
        let body =
            test::call_and_read_body(&service, req.set_payload(d.body.clone()).to_request()).await;
        assert_eq!(
            body,
            path.trim_start_matches('/').as_bytes(),
            "{path}: its handler ran"
        );
    }
    drop(service);
    let refused = std::panic::AssertUnwindSafe(test::init_service(app(guard(), guard())));
    let refused = futures_util::FutureExt::catch_unwind(refused).await;
    assert!(refused.is_err(), "two guards under `stripe` on one store");
}

#[tokio::test]
async fn completed_keys_expire_after_their_ttl() {
    let clock = ManualClock::at_secs(1_800_000_000);
    let store = MemoryStore::builder().clock(clock.clone()).build();
    let rig = rig(store, |d| d.ttl(Duration::from_secs(3600)), |_| Act::Ok).await;
    let d = heppu(r#"{"event":"call.completed"}"#).sign(&key());
    assert_eq!(send(rig.addr, "/hook", d.clone()).await.status, 200);
    clock.advance(Duration::from_secs(3599));
    let a = send(rig.addr, "/hook", d.clone()).await;
    assert_eq!(
        a.json,
        serde_json::json!({"duplicate": true}),
        "just before the TTL"
    );
    clock.advance(Duration::from_secs(2));
    let a = send(rig.addr, "/hook", d).await;
    assert_eq!(a.status, 200);
    assert_ne!(
        a.json,
        serde_json::json!({"duplicate": true}),
        "after the TTL it is processed again"
    );
    assert_eq!(rig.runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn forged_requests_never_touch_the_store() {
    let rig = rig(MemoryStore::default(), |d| d, |_| Act::Ok).await;
    let wrong = Secret::new("an-attackers-guess-at-the-key").unwrap();
    for i in 0..50 {
        let d = heppu(&format!(r#"{{"event":"forged","n":{i}}}"#)).sign(&wrong);
        assert_eq!(
            send(rig.addr, "/hook", d).await.code(),
            "signature_mismatch"
        );
    }
    assert_eq!(rig.store.len(), 0);
    assert_eq!(rig.runs.load(Ordering::SeqCst), 0);
    // Helicone (id inside the signed body) uses one key; Heppu two (id + signature digest).
    assert_eq!(
        send(rig.addr, "/hook", heppu(r#"{"event":"real"}"#).sign(&key()))
            .await
            .status,
        200
    );
    assert_eq!(rig.store.len(), 2);
}

/// A guarded route for `scheme` with `MemoryStore` whose handler records the delivery id it saw.
async fn recording(scheme: Scheme) -> (std::net::SocketAddr, Arc<std::sync::Mutex<Vec<String>>>) {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    let layer = WebhookLayer::new(Verifier::new(scheme, key())).dedup(MemoryStore::default());
    let app = Router::new()
        .route(
            "/hook",
            post(move |meta: WebhookMeta| async move {
                let id = meta.id().unwrap_or("(none)").to_owned();
                s.lock().unwrap().push(id);
                "done"
            }),
        )
        .route_layer(layer);
    (spawn(app).await, seen)
}

fn is_duplicate(a: &common::Answer) -> bool {
    a.status == StatusCode::OK && a.json == serde_json::json!({"duplicate": true})
}

#[tokio::test]
async fn shopify_deliveries_of_one_event_are_deduplicated_on_the_event_id() {
    let (addr, seen) = recording(Scheme::shopify()).await;
    let body = webhook_guard::testing::samples::SHOPIFY_ORDERS_CREATE;
    // Shopify signs the body only, so the id headers can be set after signing.
    let with_ids = |body: &str, event_id: Option<&'static str>, webhook_id: &'static str| {
        let mut d = Delivery::new(Scheme::shopify(), body.to_owned()).sign(&key());
        d.headers.remove("x-shopify-event-id");
        if let Some(event_id) = event_id {
            d.headers
                .insert("x-shopify-event-id", event_id.parse().unwrap());
        }
        d.headers
            .insert("x-shopify-webhook-id", webhook_id.parse().unwrap());
        d
    };
    // One event delivered twice under two webhook ids.
    let first = with_ids(body, Some("evt-7f3a"), "wh-1");
    assert_eq!(send(addr, "/hook", first).await.status, StatusCode::OK);
    let a = send(addr, "/hook", with_ids(body, Some("evt-7f3a"), "wh-2")).await;
    assert!(is_duplicate(&a), "{a:?}");
    assert_eq!(*seen.lock().unwrap(), ["evt-7f3a"]);

    // A delivery without `X-Shopify-Event-Id` is keyed on its webhook id; its retry (same
    // webhook id) is a duplicate.
    let bare = with_ids(r#"{"id":2}"#, None, "wh-3");
    assert_eq!(
        send(addr, "/hook", bare.clone()).await.status,
        StatusCode::OK
    );
    let a = send(addr, "/hook", bare).await;
    assert!(is_duplicate(&a), "{a:?}");
    assert_eq!(*seen.lock().unwrap(), ["evt-7f3a", "wh-3"]);
}

#[tokio::test]
async fn slack_event_retries_are_deduplicated_on_the_event_id() {
    let (addr, seen) = recording(Scheme::slack()).await;
    let body = webhook_guard::testing::samples::SLACK_EVENT_CALLBACK;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // The first attempt, and Slack's retry a minute later: re-signed with a new timestamp (so
    // another signature), same body and `event_id`, with Slack's retry headers.
    let first = Delivery::new(Scheme::slack(), body)
        .timestamp(now - 60)
        .sign(&key());
    let mut retry = Delivery::new(Scheme::slack(), body)
        .timestamp(now)
        .sign(&key());
    retry
        .headers
        .insert("x-slack-retry-num", "1".parse().unwrap());
    retry
        .headers
        .insert("x-slack-retry-reason", "http_timeout".parse().unwrap());
    assert_ne!(
        first.header("x-slack-signature"),
        retry.header("x-slack-signature")
    );
    assert_eq!(send(addr, "/hook", first).await.status, StatusCode::OK);
    let a = send(addr, "/hook", retry).await;
    assert!(is_duplicate(&a), "{a:?}");
    assert_eq!(*seen.lock().unwrap(), ["Ev123ABC456"]);

    // A form-encoded slash command has no `event_id`: it is processed, with no id, and keyed on
    // its signature, so a copy of the same signed request does not run the handler again: a
    // duplicate of the completed original.
    let command = Delivery::new(
        Scheme::slack(),
        "token=x&team_id=T1&command=%2Fdeploy&text=now&trigger_id=13345224609.738474920.8088930838d88f008e0",
    )
    .sign(&key());
    let a = send(addr, "/hook", command.clone()).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    let a = send(addr, "/hook", command).await;
    assert!(is_duplicate(&a), "{a:?}");
    assert_eq!(*seen.lock().unwrap(), ["Ev123ABC456", "(none)"]);
}
