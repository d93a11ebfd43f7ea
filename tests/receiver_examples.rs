//! The `receiver` (axum) and `actix_receiver` examples keep one contract: the same routes, the
//! same answers, the same `GET /events`. Both run here on 127.0.0.1 and get the same deliveries.
//! Also checks that `WebhookGuard` works wrapped around a whole `App` and around a `scope`.
#![cfg(all(feature = "axum", feature = "actix"))]

mod common;

#[allow(dead_code)]
#[path = "../examples/support/receiver_app.rs"]
mod receiver_app;

#[allow(dead_code)]
#[path = "../examples/support/actix_receiver_app.rs"]
mod actix_receiver_app;

#[allow(dead_code)]
#[path = "../examples/support/dead_letters.rs"]
mod dead_letters;

#[allow(dead_code)]
#[path = "../examples/support/receiver_config.rs"]
mod receiver_config;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Answer, send};
use receiver_config::ReceiverConfig;
use serde_json::{Value, json};
use webhook_guard::testing::{Delivery, SignedDelivery, samples};
use webhook_guard::{Scheme, Secret, Verified, Verifier, WebhookMeta};

const KEY: &str = "receiver-contract-secret-0123";

fn secret() -> Secret {
    Secret::new(KEY).unwrap()
}

/// The receivers' configuration with `WEBHOOK_SECRET` = [`KEY`] and nothing else.
fn config() -> ReceiverConfig {
    ReceiverConfig::with_secret(KEY).unwrap()
}

/// Both example receivers built from `config`, each on an ephemeral port: (axum, actix-web).
async fn start_both(config: &ReceiverConfig) -> (SocketAddr, SocketAddr) {
    let receiver = receiver_app::app(config);
    let axum_addr = common::spawn(receiver.router).await;
    let config = config.clone();
    let actix_addr = spawn_actix_with(move || {
        let (routes, log, queue) = actix_receiver_app::routes(&config);
        (routes, (log, queue))
    });
    common::wait_listening(actix_addr).await;
    (axum_addr, actix_addr)
}

/// Starts an actix-web `HttpServer` on an ephemeral 127.0.0.1 port, in its own thread.
fn spawn_actix<F>(configure: F) -> SocketAddr
where
    F: Fn(&mut actix_web::web::ServiceConfig) + Clone + Send + 'static,
{
    spawn_actix_with(move || (configure, ()))
}

/// [`spawn_actix`] with routes made by `make` inside the server's own runtime, as the example's
/// `main` makes them (they start the async-ack queue's workers there), and whatever else `make`
/// gives kept as long as the server runs.
fn spawn_actix_with<M, F, T>(make: M) -> SocketAddr
where
    M: FnOnce() -> (F, T) + Send + 'static,
    F: Fn(&mut actix_web::web::ServiceConfig) + Clone + Send + 'static,
    T: 'static,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let (configure, _kept) = make();
            actix_web::HttpServer::new(move || actix_web::App::new().configure(configure.clone()))
                .workers(2)
                .listen(listener)
                .unwrap()
                .run()
                .await
                .unwrap();
        });
    });
    addr
}

/// The scripted deliveries: (route, delivery). Ids are fixed so both servers log the same.
fn script() -> Vec<(&'static str, SignedDelivery)> {
    let key = secret();
    let wrong = Secret::new("some-other-secret-entirely").unwrap();
    let mut out = Vec::new();
    for (i, (event, body)) in samples::HEPPU_EVENTS.iter().enumerate() {
        let d = Delivery::new(Scheme::heppu(), *body)
            .id(format!("dlv_{i}"))
            .event(*event);
        out.push(("/webhooks/heppu", d.sign(&key)));
    }
    for (i, body) in [
        samples::HELIX_FACT_CHECK,
        samples::HELIX_NEWS,
        samples::HELIX_EVENT,
    ]
    .into_iter()
    .enumerate()
    {
        let d = Delivery::new(Scheme::helix(), body).id(format!("evt_{i}"));
        out.push(("/webhooks/helix", d.sign(&key)));
    }
    let helicone = Delivery::new(Scheme::helicone(), samples::HELICONE_DELIVERY).sign(&key);
    out.push(("/webhooks/helicone", helicone.clone()));
    // The sender retries: a duplicate, answered 200 {"duplicate":true}, not processed again.
    out.push(("/webhooks/helicone", helicone));
    // Refused before any handler: wrong secret, wrong route for the scheme.
    let forged = Delivery::new(Scheme::heppu(), samples::HEPPU_CALL_FAILED).id("dlv_forged");
    out.push(("/webhooks/heppu", forged.sign(&wrong)));
    let misrouted = Delivery::new(Scheme::helix(), samples::HELIX_NEWS).id("evt_misrouted");
    out.push(("/webhooks/heppu", misrouted.sign(&key)));
    // Async-ack: queued at once, recorded by the background job.
    let body = samples::HEPPU_CHAT_COMPLETED.replace("conv_", "conv_async_");
    let queued = Delivery::new(Scheme::heppu(), body).id("dlv_async");
    out.push(("/webhooks/heppu/async", queued.sign(&key)));
    out
}

/// One documented sample per added sender that verifies with `WEBHOOK_SECRET`, on its route
/// (compared after the main script).
fn added_senders() -> Vec<(&'static str, SignedDelivery)> {
    let key = secret();
    [
        (
            "/webhooks/standard",
            Scheme::standard_webhooks(),
            samples::STANDARD_CONTACT_CREATED,
        ),
        (
            "/webhooks/github",
            Scheme::github(),
            samples::GITHUB_ISSUES_OPENED,
        ),
        (
            "/webhooks/stripe",
            Scheme::stripe(),
            samples::STRIPE_CUSTOMER_UPDATED,
        ),
        // The same event to the second Stripe endpoint: processed there too.
        (
            "/webhooks/stripe-connect",
            Scheme::stripe(),
            samples::STRIPE_CUSTOMER_UPDATED,
        ),
        (
            "/webhooks/slack",
            Scheme::slack(),
            samples::SLACK_EVENT_CALLBACK,
        ),
        (
            "/webhooks/shopify",
            Scheme::shopify(),
            samples::SHOPIFY_ORDERS_CREATE,
        ),
    ]
    .into_iter()
    .map(|(path, scheme, body)| (path, Delivery::new(scheme, body).sign(&key)))
    .collect()
}

fn summary(a: &Answer) -> (u16, Value) {
    (a.status.as_u16(), a.json.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_and_actix_receivers_keep_the_same_contract() {
    let (axum_addr, actix_addr) = start_both(&config()).await;

    let mut answers = Vec::new();
    for (path, delivery) in script() {
        let a = send(axum_addr, path, delivery.clone()).await;
        let b = send(actix_addr, path, delivery).await;
        assert_eq!(summary(&a), summary(&b), "{path}: axum vs actix");
        answers.push(summary(&a));
    }
    // Spot-check the contract itself, not only that both agree.
    assert_eq!(
        answers[0],
        (200, json!({"received": "call.completed", "id": "dlv_0"}))
    );
    assert_eq!(
        answers[7],
        (200, json!({"received": "fact_check", "id": "evt_0"}))
    );
    let helicone_id = "550e8400-e29b-41d4-a716-446655440000";
    assert_eq!(
        answers[10],
        (200, json!({"received": null, "id": helicone_id}))
    );
    assert_eq!(answers[11], (200, json!({"duplicate": true})));
    assert_eq!(answers[12].0, 401);
    assert_eq!(answers[12].1["error"], "signature_mismatch");
    assert_eq!(answers[13], (401, answers[13].1.clone()));
    assert_eq!(answers[13].1["error"], "signature_missing");

    assert_eq!(
        answers[14],
        (202, json!({"queued": true, "id": "dlv_async"}))
    );
    // Answered before the work: the job is not in /events yet.
    let now = common::get_json(axum_addr, "/events").await;
    assert_eq!(
        now.as_array().unwrap().len(),
        11,
        "7 heppu + 3 helix + 1 helicone"
    );

    // The queued job lands in /events once its background work is done (bounded wait).
    let mut tries = 0;
    let (axum_events, actix_events) = loop {
        let a = common::get_json(axum_addr, "/events").await;
        let b = common::get_json(actix_addr, "/events").await;
        if a.as_array().unwrap().len() == 12 && b.as_array().unwrap().len() == 12 {
            break (a, b);
        }
        tries += 1;
        assert!(tries < 100, "the async job never finished: {a} / {b}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(axum_events, actix_events);
    let events = axum_events.as_array().unwrap();
    let events_before = events.len();
    assert_eq!(
        events[11],
        json!({"scheme": "heppu", "id": "dlv_async", "event": "chat.completed"})
    );
    let mut m_axum = common::get_json(axum_addr, "/metrics/webhooks").await;
    let mut m_actix = common::get_json(actix_addr, "/metrics/webhooks").await;
    // Processing times differ by microseconds; every count must be equal.
    assert_eq!(
        m_axum["processing"]["count"],
        m_actix["processing"]["count"]
    );
    assert!(m_axum["processing"]["max_us"].as_u64().unwrap() >= 500_000);
    m_axum.as_object_mut().unwrap().remove("processing");
    m_actix.as_object_mut().unwrap().remove("processing");
    assert_eq!(m_axum, m_actix, "the same counters on both");
    assert_eq!(m_axum["received"], 15);
    assert_eq!(m_axum["duplicates"], 1);
    assert_eq!(m_axum["queued"], 1);
    assert_eq!(m_axum["processed"], 1);
    assert_eq!(
        m_axum["rejected"],
        json!({"signature_mismatch": 1, "signature_missing": 1})
    );
    assert_eq!(
        events[0],
        json!({"scheme": "heppu", "id": "dlv_0", "event": "call.completed"})
    );
    assert_eq!(
        events[10],
        json!({"scheme": "helicone", "id": helicone_id, "event": null})
    );

    // The added senders: the same answers, the same records. The Stripe event reaches both
    // Stripe endpoints (as it does a platform with Connect): each runs its handler, neither
    // answers the other's copy as a duplicate.
    for (path, delivery) in added_senders() {
        let a = send(axum_addr, path, delivery.clone()).await;
        let b = send(actix_addr, path, delivery).await;
        assert_eq!(summary(&a), summary(&b), "{path}: axum vs actix");
        assert_eq!(a.status, 200, "{path}: {}", a.json);
        assert_ne!(a.json, json!({"duplicate": true}), "{path}");
    }
    let axum_events = common::get_json(axum_addr, "/events").await;
    let actix_events = common::get_json(actix_addr, "/events").await;
    assert_eq!(axum_events, actix_events);
    assert_eq!(axum_events.as_array().unwrap().len(), events_before + 6);
    // Each endpoint's own retry is a duplicate there.
    for (path, delivery) in added_senders()
        .into_iter()
        .filter(|(p, _)| p.contains("stripe"))
    {
        for addr in [axum_addr, actix_addr] {
            let again = send(addr, path, delivery.clone()).await;
            assert_eq!(summary(&again), (200, json!({"duplicate": true})), "{path}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guard_wraps_a_whole_app_and_a_scope() {
    use actix_web::{HttpResponse, web};
    use webhook_guard::actix::WebhookGuard;

    let calls = Arc::new(AtomicUsize::new(0));
    let verifier = Verifier::new(Scheme::heppu(), secret());

    // The whole App behind one guard.
    let c = calls.clone();
    let v = verifier.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let app_addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            actix_web::HttpServer::new(move || {
                let c = c.clone();
                actix_web::App::new()
                    .wrap(WebhookGuard::new(v.clone()))
                    .route(
                    "/anything",
                    web::post().to(move |meta: WebhookMeta| {
                        c.fetch_add(1, Ordering::SeqCst);
                        async move { HttpResponse::Ok().body(meta.id().unwrap_or("").to_owned()) }
                    }),
                )
            })
            .workers(1)
            .listen(listener)
            .unwrap()
            .run()
            .await
            .unwrap();
        });
    });

    // Only one scope guarded; a sibling route stays open.
    let c = calls.clone();
    let scope_addr = spawn_actix(move |cfg: &mut web::ServiceConfig| {
        let c = c.clone();
        cfg.service(
            web::scope("/hooks")
                .wrap(WebhookGuard::new(verifier.clone()))
                .route(
                    "/heppu",
                    web::post().to(move |Verified(v): Verified<Value>| {
                        c.fetch_add(1, Ordering::SeqCst);
                        async move { HttpResponse::Ok().json(json!({ "event": v["event"] })) }
                    }),
                ),
        )
        .route("/health", web::get().to(|| async { "up" }));
    });
    common::wait_listening(app_addr).await;
    common::wait_listening(scope_addr).await;

    let good = Delivery::new(Scheme::heppu(), samples::HEPPU_CHAT_RESOLVED).id("dlv_app");
    let a = send(app_addr, "/anything", good.sign(&secret())).await;
    assert_eq!(a.status, 200);
    let bad = Delivery::new(Scheme::heppu(), samples::HEPPU_CHAT_RESOLVED).id("dlv_bad");
    let wrong = Secret::new("some-other-secret-entirely").unwrap();
    let a = send(app_addr, "/anything", bad.sign(&wrong)).await;
    assert_eq!((a.status.as_u16(), a.code()), (401, "signature_mismatch"));

    let good = Delivery::new(Scheme::heppu(), samples::HEPPU_CHAT_RESOLVED).id("dlv_scope");
    let a = send(scope_addr, "/hooks/heppu", good.sign(&secret())).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json["event"], "chat.resolved");
    let a = send(scope_addr, "/hooks/heppu", bad.sign(&wrong)).await;
    assert_eq!((a.status.as_u16(), a.code()), (401, "signature_mismatch"));
    // Unsigned traffic outside the scope is not the guard's business.
    let health = http::Request::get(format!("http://{scope_addr}/health"))
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    let res = common::client().request(health).await.unwrap();
    assert_eq!(res.status(), 200);

    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "only the two valid deliveries ran"
    );
}
