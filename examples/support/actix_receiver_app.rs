//! The actix-web receiver's routes, shared by the `actix_receiver` example and its tests.
//!
//! Same contract as the axum receiver (`support/receiver_app.rs`):
//! - `POST /webhooks/heppu`, `/webhooks/helix`, `/webhooks/helicone`, each guarded by its
//!   scheme, answer `200 {"received": <event type or null>, "id": <delivery id or null>}`;
//! - `POST /webhooks/standard`, `/webhooks/github`, `/webhooks/stripe`,
//!   `/webhooks/stripe-connect`, `/webhooks/slack`, `/webhooks/shopify` ([`sender_routes`]);
//!   `/webhooks/stripe-connect` is a second Stripe endpoint (same secret, same store as
//!   `/webhooks/stripe`, its own dedup namespace): Stripe sends the same event id to both, and
//!   each runs its handler;
//! - a repeated delivery answers `200 {"duplicate":true}` and is not processed again (in-memory
//!   deduplication, one store for every route and every actix worker, each route under its own
//!   namespace);
//! - `POST /webhooks/heppu/async` (async-ack) verifies and queues the delivery, answering
//!   `202 {"queued": true, "id": <delivery id>}` at once; the background job (half a second of
//!   simulated work) then records it;
//! - `GET /events` answers the JSON array of processed deliveries, in order, each
//!   `{"scheme": "...", "id": "...", "event": "..."}`;
//! - `GET /metrics/webhooks` answers the counters (`webhook_guard::stats::StatsSnapshot`).
//!
//! Every guard cuts a body that has not arrived within 10 s (`408 body_timeout`), and refuses
//! one over 1 MiB (`413 body_too_large`); actix-web itself cuts a request head that takes over
//! 5 s (its `client_request_timeout`). Jobs of the async route that could not be finished are
//! kept in a JSON-lines file (see `dead_letters.rs`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde_json::{Value, json};
use webhook_guard::ack::{AckQueue, Job};
use webhook_guard::actix::WebhookGuard;
use webhook_guard::dedup::MemoryStore;
use webhook_guard::events::{helicone, heppu};
use webhook_guard::stats::Stats;
use webhook_guard::{RawBody, Scheme, Secret, Verified, Verifier, WebhookMeta};

// Declared by the including crate: `#[path = ".../support/dead_letters.rs"] mod dead_letters;`.
use crate::dead_letters;

/// The senders added after the seed three: route and scheme (the same list as the axum
/// receiver's `sender_routes`; a test checks they agree). Their handler reports the event type
/// the scheme reads and accepts any body, JSON or not.
pub fn sender_routes() -> Vec<(&'static str, Scheme)> {
    vec![
        ("/webhooks/standard", Scheme::standard_webhooks()),
        ("/webhooks/github", Scheme::github()),
        ("/webhooks/stripe", Scheme::stripe()),
        ("/webhooks/stripe-connect", Scheme::stripe()),
        ("/webhooks/slack", Scheme::slack()),
        ("/webhooks/shopify", Scheme::shopify()),
    ]
}

async fn on_other_sender(
    log: web::Data<EventLog>,
    meta: WebhookMeta,
    RawBody(_body): RawBody,
) -> HttpResponse {
    record(&log, &meta, meta.event_type())
}

/// Deliveries the handlers processed, in order (shared by every worker).
pub type EventLog = Arc<Mutex<Vec<Value>>>;

fn record(log: &EventLog, meta: &WebhookMeta, event: Option<&str>) -> HttpResponse {
    let entry = json!({ "scheme": meta.scheme(), "id": meta.id(), "event": event });
    log.lock().unwrap().push(entry);
    HttpResponse::Ok().json(json!({ "received": event, "id": meta.id() }))
}

async fn on_heppu(
    log: web::Data<EventLog>,
    meta: WebhookMeta,
    Verified(event): Verified<heppu::Event>,
) -> HttpResponse {
    record(&log, &meta, Some(event.event_type()))
}

/// Helix does not document its payload: take any JSON and report its `type` if there is one.
async fn on_helix(
    log: web::Data<EventLog>,
    meta: WebhookMeta,
    Verified(body): Verified<Value>,
) -> HttpResponse {
    let kind = body
        .get("type")
        .or_else(|| body.get("event"))
        .and_then(Value::as_str);
    record(&log, &meta, kind)
}

async fn on_helicone(
    log: web::Data<EventLog>,
    meta: WebhookMeta,
    Verified(_delivery): Verified<helicone::Delivery>,
) -> HttpResponse {
    record(&log, &meta, None)
}

async fn events(log: web::Data<EventLog>) -> HttpResponse {
    HttpResponse::Ok().json(Value::Array(log.lock().unwrap().clone()))
}

async fn metrics(stats: web::Data<Stats>) -> HttpResponse {
    HttpResponse::Ok().json(stats.snapshot())
}

/// Simulated heavy work of the async-ack route.
pub const ASYNC_WORK: Duration = Duration::from_millis(500);

/// Builds the routes, every sender verified with `secret`. Call the returned function from the
/// `HttpServer` factory (`App::new().configure(routes.clone())`): the guards, their
/// deduplication store, the async-ack queue and the event log are created once here and shared
/// by every worker. Call inside the actix (Tokio) runtime: the queue starts its workers.
pub fn routes(
    secret: Secret,
) -> (
    impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
    EventLog,
    AckQueue<heppu::Event>,
) {
    let log = EventLog::default();
    let store = MemoryStore::default();
    let stats = Stats::new();
    // One store for every route; each route deduplicates under its own namespace (its path's
    // last segment), so the same delivery id sent to two routes runs both handlers.
    let guard = |path: &str, scheme: Scheme| {
        WebhookGuard::new(Verifier::new(scheme, secret.clone()))
            .body_timeout(Duration::from_secs(10))
            .dedup(store.clone())
            .namespace(path.trim_start_matches("/webhooks/").replace('/', "-"))
            .stats(&stats)
    };
    let heppu = guard("/webhooks/heppu", Scheme::heppu());
    let heppu_async = guard("/webhooks/heppu/async", Scheme::heppu());
    let helix = guard("/webhooks/helix", Scheme::helix());
    let helicone = guard("/webhooks/helicone", Scheme::helicone());
    let data = web::Data::new(log.clone());
    let stats_data = web::Data::new(stats.clone());

    let l = log.clone();
    let queue = AckQueue::builder(move |job: Job<heppu::Event>| {
        let l = l.clone();
        async move {
            tokio::time::sleep(ASYNC_WORK).await;
            let _ = record(&l, job.meta(), Some(job.event().event_type()));
            Ok::<(), std::convert::Infallible>(())
        }
    })
    .dead_letter(|dead| async move { dead_letters::keep(&dead) })
    .stats(&stats)
    .start();
    let enqueue = queue.actix_handler();
    let others: Vec<(&'static str, WebhookGuard)> = sender_routes()
        .into_iter()
        .map(|(path, scheme)| (path, guard(path, scheme)))
        .collect();

    let configure = move |cfg: &mut web::ServiceConfig| {
        for (path, guard) in &others {
            cfg.service(
                web::resource(*path)
                    .wrap(guard.clone())
                    .route(web::post().to(on_other_sender)),
            );
        }
        cfg.app_data(data.clone())
            .service(
                web::resource("/webhooks/heppu")
                    .wrap(heppu.clone())
                    .route(web::post().to(on_heppu)),
            )
            .service(
                web::resource("/webhooks/helix")
                    .wrap(helix.clone())
                    .route(web::post().to(on_helix)),
            )
            .service(
                web::resource("/webhooks/helicone")
                    .wrap(helicone.clone())
                    .route(web::post().to(on_helicone)),
            )
            .service(
                web::resource("/webhooks/heppu/async")
                    .wrap(heppu_async.clone())
                    .route(web::post().to(enqueue.clone())),
            )
            .app_data(stats_data.clone())
            .route("/events", web::get().to(events))
            .route("/metrics/webhooks", web::get().to(metrics));
    };
    (configure, log, queue)
}
