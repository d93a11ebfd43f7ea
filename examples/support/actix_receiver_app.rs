//! The actix-web receiver's routes, shared by the `actix_receiver` example and its tests.
//!
//! Same contract as the axum receiver (`support/receiver_app.rs`), from the same configuration
//! (`support/receiver_config.rs`):
//! - `POST /webhooks/heppu`, `/webhooks/helix`, `/webhooks/helicone`, each guarded by its
//!   scheme, answer `200 {"received": <event type or null>, "id": <delivery id or null>}`;
//! - the routes of the other built-in senders
//!   ([`ReceiverConfig::sender_routes`](crate::receiver_config::ReceiverConfig::sender_routes):
//!   `/webhooks/standard`, `/webhooks/github`, `/webhooks/stripe`, `/webhooks/stripe-connect`,
//!   `/webhooks/slack`, `/webhooks/shopify`, `/webhooks/gitlab`, `/webhooks/discord`,
//!   `/webhooks/sendgrid`, `/webhooks/paypal`, and the senders after them) answer the same,
//!   handshakes included (Discord's PING: `{"type": 1}`; Dropbox's `GET ?challenge=`);
//!   `/webhooks/stripe-connect` is a second Stripe endpoint (same secret, same store as
//!   `/webhooks/stripe`, its own dedup namespace): Stripe sends the same event id to both, and
//!   each runs its handler;
//! - a route whose key is not configured answers `503 {"error": "key_not_configured",
//!   "message": …}`, the message naming the environment variable to set;
//! - a repeated delivery answers `200 {"duplicate":true}` and is not processed again (in-memory
//!   deduplication, one store for every route and every actix worker, each route under its own
//!   namespace);
//! - `POST /webhooks/heppu/async` (async-ack) verifies and queues the delivery, answering
//!   `202 {"queued": true, "id": <delivery id>}` at once; the background job (half a second of
//!   simulated work) then records it;
//! - `GET /events` answers the JSON array of processed deliveries, in order, each
//!   `{"scheme": "...", "id": "...", "event": "..."}`;
//! - `GET /metrics/webhooks` answers the counters (`webhook_guard::stats::StatsSnapshot`).
//! - `GET /metrics` (built with the `metrics` feature) answers every series of
//!   `webhook_guard::telemetry` in Prometheus text format.
//!
//! Every guard cuts a body that has not arrived within 10 s (`408 body_timeout`), and refuses
//! one over 1 MiB (`413 body_too_large`); actix-web itself cuts a request head that takes over
//! 5 s (its `client_request_timeout`). Jobs of the async route that could not be finished are
//! kept in a JSON-lines file (see `dead_letters.rs`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;
use webhook_guard::ack::AckQueue;
use webhook_guard::actix::WebhookGuard;
use webhook_guard::dedup::MemoryStore;
use webhook_guard::events::{helicone, heppu};
use webhook_guard::stats::Stats;
use webhook_guard::{RawBody, Scheme, Verified, Verifier, WebhookMeta, handshake};

// Declared by the including crate: `#[path = ".../support/dead_letters.rs"] mod dead_letters;`,
// and the same for `receiver_config.rs`.
use crate::receiver_config::EventLog;
use crate::receiver_config::{self, KeyNotConfigured, ReceiverConfig, route_guard};

async fn on_other_sender(
    log: web::Data<EventLog>,
    config: web::Data<ReceiverConfig>,
    request: HttpRequest,
    meta: WebhookMeta,
    RawBody(body): RawBody,
) -> HttpResponse {
    let kind = request
        .headers()
        .get("twitch-eventsub-message-type")
        .and_then(|v| v.to_str().ok());
    // A verified handshake (Discord, Slack, Twitch, Zoom) gets the answer its sender requires;
    // it is recorded like any delivery.
    let reply = config.handshake_reply(&meta, kind, &body);
    let answer = record(&log, &meta, meta.event_type());
    match reply {
        Some(reply) => handshake_response(reply),
        None => answer,
    }
}

fn handshake_response(reply: handshake::Reply) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.content_type(reply.content_type());
    if reply.nosniff() {
        response.insert_header(("x-content-type-options", "nosniff"));
    }
    response.body(reply.body().clone())
}

/// Dropbox's verification request: an unsigned `GET ?challenge=`, outside the guard.
async fn on_dropbox_challenge(request: HttpRequest) -> HttpResponse {
    match handshake::dropbox(request.query_string()) {
        Some(reply) => handshake_response(reply),
        None => HttpResponse::BadRequest().finish(),
    }
}

fn record(log: &EventLog, meta: &WebhookMeta, event: Option<&str>) -> HttpResponse {
    HttpResponse::Ok().json(receiver_config::record_event(log, meta, event))
}

/// A route whose key is not configured: the answer both receivers give.
fn key_not_configured(missing: &KeyNotConfigured) -> HttpResponse {
    let (status, body) = missing.answer();
    HttpResponse::build(StatusCode::from_u16(status).expect("a valid status")).json(body)
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

#[cfg(feature = "metrics")]
async fn prometheus() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(crate::receiver_config::PROMETHEUS_TEXT)
        .body(crate::receiver_config::prometheus().render())
}

/// Builds the routes, every sender verified with the keys of `config`. Call the returned
/// function from the `HttpServer` factory (`App::new().configure(routes.clone())`): the guards,
/// their deduplication store, the async-ack queue and the event log are created once here and
/// shared by every worker. Call inside the actix (Tokio) runtime: the queue starts its workers.
pub fn routes(
    config: &ReceiverConfig,
) -> (
    impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static + use<>,
    EventLog,
    AckQueue<heppu::Event>,
) {
    // Before any guard sees a request: a guard registers its series at its first one.
    #[cfg(feature = "metrics")]
    crate::receiver_config::prometheus();
    let log = EventLog::default();
    let store = MemoryStore::default();
    let stats = Stats::new();
    // One store for every route, each route under its own namespace (`route_guard`).
    let guard = |path: &str, verifier: Verifier| {
        WebhookGuard::from(route_guard(path, verifier, &store, &stats))
    };
    let seed = |scheme: Scheme| Verifier::new(scheme, config.secret());
    let heppu = guard("/webhooks/heppu", seed(Scheme::heppu()));
    let heppu_async = guard("/webhooks/heppu/async", seed(Scheme::heppu()));
    let helix = guard("/webhooks/helix", seed(Scheme::helix()));
    let helicone = guard("/webhooks/helicone", seed(Scheme::helicone()));
    let data = web::Data::new(log.clone());
    let config_data = web::Data::new(config.clone());
    let stats_data = web::Data::new(stats.clone());

    let queue = receiver_config::async_queue(&log, &stats).start();
    let enqueue = queue.actix_handler();
    // The other senders: one handler for all; a route without its key answers
    // `key_not_configured`.
    let others: Vec<(&'static str, Result<WebhookGuard, KeyNotConfigured>)> = config
        .sender_routes()
        .into_iter()
        .map(|route| (route.path, route.verifier.map(|v| guard(route.path, v))))
        .collect();

    let configure = move |cfg: &mut web::ServiceConfig| {
        // Before the guarded resource of the same path: only GET requests match it.
        cfg.service(
            web::resource("/webhooks/dropbox")
                .guard(actix_web::guard::Get())
                .to(on_dropbox_challenge),
        );
        for (path, guard) in &others {
            match guard {
                Ok(guard) => cfg.service(
                    web::resource(*path)
                        .wrap(guard.clone())
                        .route(web::post().to(on_other_sender)),
                ),
                Err(missing) => {
                    let missing = missing.clone();
                    cfg.service(web::resource(*path).route(web::post().to(move || {
                        let answer = key_not_configured(&missing);
                        async move { answer }
                    })))
                }
            };
        }
        cfg.app_data(data.clone())
            .app_data(config_data.clone())
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
        #[cfg(feature = "metrics")]
        cfg.route("/metrics", web::get().to(prometheus));
    };
    (configure, log, queue)
}
