//! The poem receiver's routes, shared by the `poem_receiver` example and its tests.
//!
//! Same contract as the axum receiver (`support/receiver_app.rs`) and the actix-web one
//! (`support/actix_receiver_app.rs`), from the same configuration (`support/receiver_config.rs`):
//! - `POST /webhooks/heppu`, `/webhooks/helix`, `/webhooks/helicone`, each guarded by its
//!   scheme, answer `200 {"received": <event type or null>, "id": <delivery id or null>}`;
//! - the routes of the other built-in senders
//!   ([`ReceiverConfig::sender_routes`](crate::receiver_config::ReceiverConfig::sender_routes))
//!   answer the same, handshakes included (Discord's PING: `{"type": 1}`; Dropbox's
//!   `GET ?challenge=`); `/webhooks/stripe-connect` is a second Stripe endpoint (same secret,
//!   same store as `/webhooks/stripe`, its own dedup namespace);
//! - a route whose key is not configured answers `503 {"error": "key_not_configured",
//!   "message": …}`, the message naming the environment variable to set;
//! - a repeated delivery answers `200 {"duplicate":true}` and is not processed again (in-memory
//!   deduplication, one store for every route, each route under its own namespace);
//! - `POST /webhooks/heppu/async` (async-ack) verifies and queues the delivery, answering
//!   `202 {"queued": true, "id": <delivery id>}` at once; the background job (half a second of
//!   simulated work) then records it;
//! - `GET /events` answers the JSON array of processed deliveries, in order, each
//!   `{"scheme": "...", "id": "...", "event": "..."}`;
//! - `GET /metrics/webhooks` answers the counters (`webhook_guard::stats::StatsSnapshot`).
//!
//! Every guard cuts a body that has not arrived within 10 s (`408 body_timeout`), and refuses
//! one over 1 MiB (`413 body_too_large`). Jobs of the async route that could not be finished are
//! kept in a JSON-lines file (see `dead_letters.rs`).

use std::time::Duration;

use poem::endpoint::BoxEndpoint;
use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{EndpointExt, IntoResponse, Request, Response, Route, get, handler, post};
use serde_json::Value;
use webhook_guard::ack::{Ack, AckQueue, Job};
use webhook_guard::dedup::MemoryStore;
use webhook_guard::events::{helicone, heppu};
use webhook_guard::stats::Stats;
use webhook_guard::{RawBody, Scheme, Verified, Verifier, WebhookMeta, handshake};

// Declared by the including crate: `#[path = ".../support/dead_letters.rs"] mod dead_letters;`,
// and the same for `receiver_config.rs`.
use crate::receiver_config::EventLog;
use crate::receiver_config::{self, ReceiverConfig, route_guard};

fn record(log: &EventLog, meta: &WebhookMeta, event: Option<&str>) -> Json<Value> {
    Json(receiver_config::record_event(log, meta, event))
}

#[handler]
fn on_heppu(
    Data(log): Data<&EventLog>,
    meta: WebhookMeta,
    Verified(event): Verified<heppu::Event>,
) -> Json<Value> {
    record(log, &meta, Some(event.event_type()))
}

/// Helix does not document its payload: take any JSON and report its `type` if there is one.
#[handler]
fn on_helix(
    Data(log): Data<&EventLog>,
    meta: WebhookMeta,
    Verified(body): Verified<Value>,
) -> Json<Value> {
    let kind = body
        .get("type")
        .or_else(|| body.get("event"))
        .and_then(Value::as_str);
    record(log, &meta, kind)
}

#[handler]
fn on_helicone(
    Data(log): Data<&EventLog>,
    meta: WebhookMeta,
    Verified(_delivery): Verified<helicone::Delivery>,
) -> Json<Value> {
    record(log, &meta, None)
}

/// The async-ack route: the verified, parsed delivery goes to the queue; `202` at once.
#[handler]
async fn on_heppu_async(
    Data(queue): Data<&AckQueue<heppu::Event>>,
    job: Job<heppu::Event>,
) -> poem::Result<Ack> {
    Ok(queue.enqueue(job).await?)
}

/// Every other sender: the event type the scheme reads, any body (JSON or not); a verified
/// handshake (Discord, Slack, Twitch, Zoom) gets the answer its sender requires, and is recorded
/// like any delivery.
#[handler]
fn on_other_sender(
    Data(log): Data<&EventLog>,
    Data(config): Data<&ReceiverConfig>,
    request: &Request,
    meta: WebhookMeta,
    RawBody(body): RawBody,
) -> Response {
    let kind = request.header("twitch-eventsub-message-type");
    let reply = config.handshake_reply(&meta, kind, &body);
    let answer = record(log, &meta, meta.event_type());
    match reply {
        Some(reply) => handshake_response(reply),
        None => answer.into_response(),
    }
}

fn handshake_response(reply: handshake::Reply) -> Response {
    let (parts, body) = reply.into_response::<bytes::Bytes>().into_parts();
    let mut response = Response::builder().status(parts.status).body(body);
    *response.headers_mut() = parts.headers;
    response
}

/// Dropbox's verification request: an unsigned `GET ?challenge=`, outside the guard.
#[handler]
fn on_dropbox_challenge(request: &Request) -> Response {
    match handshake::dropbox(request.uri().query().unwrap_or_default()) {
        Some(reply) => handshake_response(reply),
        None => StatusCode::BAD_REQUEST.into_response(),
    }
}

#[handler]
fn events(Data(log): Data<&EventLog>) -> Json<Value> {
    Json(Value::Array(log.lock().unwrap().clone()))
}

#[handler]
fn metrics(Data(stats): Data<&Stats>) -> Json<webhook_guard::stats::StatsSnapshot> {
    Json(stats.snapshot())
}

/// The running receiver: its endpoint, what its handlers processed, its background queue.
pub struct PoemReceiver {
    /// Every route.
    pub app: BoxEndpoint<'static>,
    /// Deliveries processed, in order (what `GET /events` answers).
    #[allow(dead_code)]
    pub log: EventLog,
    /// The async-ack queue, to drain at shutdown.
    pub queue: AckQueue<heppu::Event>,
}

/// The receiver's routes, every sender verified with the keys of `config`. Call inside a Tokio
/// runtime (the async-ack queue starts its workers).
pub fn app(config: &ReceiverConfig) -> PoemReceiver {
    let log = EventLog::default();
    let store = MemoryStore::default();
    let stats = Stats::new();
    // One store for every route, each route under its own namespace (`route_guard`).
    let guard = |path: &str, verifier: Verifier| route_guard(path, verifier, &store, &stats);
    let seed = |scheme: Scheme| Verifier::new(scheme, config.secret());

    let queue = receiver_config::async_queue(&log, &stats).start();

    let mut route = Route::new()
        .at(
            "/webhooks/heppu",
            post(on_heppu.with(guard("/webhooks/heppu", seed(Scheme::heppu())))),
        )
        .at(
            "/webhooks/helix",
            post(on_helix.with(guard("/webhooks/helix", seed(Scheme::helix())))),
        )
        .at(
            "/webhooks/helicone",
            post(on_helicone.with(guard("/webhooks/helicone", seed(Scheme::helicone())))),
        )
        .at(
            "/webhooks/heppu/async",
            post(on_heppu_async.with(guard("/webhooks/heppu/async", seed(Scheme::heppu())))),
        );
    // The other senders: one handler for all; a route without its key answers
    // `key_not_configured`.
    for sender in config.sender_routes() {
        let path = sender.path;
        route = match sender.verifier {
            Ok(verifier) => {
                let guarded = post(on_other_sender.with(guard(path, verifier)));
                if path == "/webhooks/dropbox" {
                    route.at(path, guarded.get(on_dropbox_challenge))
                } else {
                    route.at(path, guarded)
                }
            }
            Err(missing) => route.at(
                path,
                post(poem::endpoint::make_sync(move |_| {
                    let (status, body) = missing.answer();
                    let status = StatusCode::from_u16(status).expect("a valid status");
                    (status, Json(body))
                })),
            ),
        };
    }
    let app = route
        .at("/events", get(events))
        .at("/metrics/webhooks", get(metrics))
        .data(log.clone())
        .data(config.clone())
        .data(stats)
        .data(queue.clone())
        .map_to_response()
        .boxed();
    PoemReceiver { app, log, queue }
}

/// What the example and the tests serve: `app` on `listener`, until `shutdown` completes; then
/// requests in progress get up to 10 s. A connection idle for 10 s (a client that never finishes
/// its request head, say) is closed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: BoxEndpoint<'static>,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let acceptor = poem::listener::TcpAcceptor::from_tokio(listener)?;
    poem::Server::new_with_acceptor(acceptor)
        .idle_timeout(Duration::from_secs(10))
        .run_with_graceful_shutdown(app, shutdown, Some(Duration::from_secs(10)))
        .await
}
