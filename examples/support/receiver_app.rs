//! The receiver's router, shared by the `receiver` and `demo` examples.
//!
//! Contract (stable; users script against it):
//! - `POST /webhooks/heppu`, `/webhooks/helix`, `/webhooks/helicone`, each guarded by its
//!   scheme with `WEBHOOK_SECRET`, and the routes of the other built-in senders
//!   ([`ReceiverConfig::sender_routes`](crate::receiver_config::ReceiverConfig::sender_routes):
//!   `/webhooks/standard`, `/webhooks/github`, `/webhooks/stripe`, `/webhooks/stripe-connect`,
//!   `/webhooks/slack`, `/webhooks/shopify`, `/webhooks/gitlab`, `/webhooks/discord`,
//!   `/webhooks/sendgrid`, `/webhooks/paypal`, `/webhooks/twilio`, and every other built-in
//!   sender's `/webhooks/<name>`) answer `200 {"received": <event type or null>, "id": <delivery id or
//!   null>}`; a verified handshake gets the answer its sender requires
//!   ([`handshake_reply`](crate::receiver_config::ReceiverConfig::handshake_reply): Discord's
//!   PING `{"type": 1}`, Slack's and Twitch's challenges, Zoom's URL validation), and
//!   `GET /webhooks/dropbox?challenge=…` echoes the challenge;
//! - a route whose key is not configured (Discord, SendGrid and PayPal need public keys,
//!   see `receiver_config.rs`) answers `503 {"error": "key_not_configured", "message": …}`, the
//!   message naming the environment variable to set;
//! - `POST /webhooks/stripe-connect`: a second Stripe endpoint (same secret, same store as
//!   `/webhooks/stripe`, its own dedup namespace), as a platform with Connect has: Stripe sends
//!   the same event id to both, and each runs its handler;
//! - a repeated delivery answers `200 {"duplicate":true}` and is not processed again (in-memory
//!   deduplication, one store for every route, each route under its own namespace; on
//!   PostgreSQL with `DATABASE_URL`, see [`app_on_postgres`], so that several receiver
//!   processes on one database process each delivery once);
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
//! one over 1 MiB (`413 body_too_large`); jobs of the async route that could not be finished
//! are kept in a JSON-lines file (see `dead_letters.rs`).

use axum::body::Body;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;
use webhook_guard::ack::{AckQueue, AckQueueBuilder};
use webhook_guard::dedup::{DedupStore, MemoryStore};
use webhook_guard::events::{helicone, heppu};
use webhook_guard::stats::Stats;
use webhook_guard::{RawBody, Scheme, Verified, Verifier, WebhookLayer, WebhookMeta, handshake};

// Declared by the including crate: `#[path = ".../support/dead_letters.rs"] mod dead_letters;`,
// and the same for `receiver_config.rs`.
pub use crate::receiver_config::EventLog;
use crate::receiver_config::{self, ReceiverConfig, route_guard};

fn record(log: &EventLog, meta: &WebhookMeta, event: Option<&str>) -> Json<Value> {
    Json(receiver_config::record_event(log, meta, event))
}

/// The running receiver: its routes, what its handlers processed, its background queue.
pub struct Receiver {
    /// The routes.
    pub router: Router,
    /// Deliveries processed, in order (what `GET /events` answers).
    #[allow(dead_code)]
    pub log: EventLog,
    /// The async-ack queue, to drain at shutdown.
    pub queue: AckQueue<heppu::Event>,
}

/// The receiver's routes, every sender verified with the keys of `config`, deduplicating in
/// memory. Call inside a Tokio runtime (the async-ack queue starts its workers).
pub fn app(config: &ReceiverConfig) -> Receiver {
    let parts = Parts::default();
    let queue = parts.queue().start();
    parts.routes(config, MemoryStore::default(), queue)
}

/// The receiver's routes deduplicating on the PostgreSQL database at `url` (`PostgresStore`,
/// its table created if missing), and with `config.async_on_postgres` the async-ack queue on
/// the database's inbox table (`AckQueueBuilder::start_postgres`): every receiver process on
/// that database shares both.
#[cfg(feature = "postgres")]
#[allow(dead_code)] // the demo and most tests serve the in-memory receiver
pub async fn app_on_postgres(
    config: &ReceiverConfig,
    url: &str,
) -> Result<Receiver, Box<dyn std::error::Error>> {
    let store = webhook_guard::dedup::PostgresStore::connect(url).await?;
    store.migrate().await?;
    let parts = Parts::default();
    let queue = if config.async_on_postgres {
        let inbox = webhook_guard::ack::PostgresQueueConfig::new(url);
        inbox.migrate().await?;
        parts.queue().start_postgres(inbox).await?
    } else {
        parts.queue().start()
    };
    Ok(parts.routes(config, store, queue))
}

/// What every route shares: the log of processed deliveries and the counters.
struct Parts {
    log: EventLog,
    stats: Stats,
}

impl Default for Parts {
    fn default() -> Self {
        // Before any guard or queue registers its series (at their first request, and when
        // the queue starts): with the `metrics` feature, the Prometheus recorder.
        #[cfg(feature = "metrics")]
        crate::receiver_config::prometheus();
        Parts {
            log: EventLog::default(),
            stats: Stats::new(),
        }
    }
}

impl Parts {
    /// The async-ack queue, not started: (slow) work done in the background, then recorded.
    fn queue(&self) -> AckQueueBuilder<heppu::Event> {
        receiver_config::async_queue(&self.log, &self.stats)
    }

    fn routes(
        self,
        config: &ReceiverConfig,
        store: impl DedupStore + Clone,
        queue: AckQueue<heppu::Event>,
    ) -> Receiver {
        let Parts { log, stats } = self;
        // One store for every route, each route under its own namespace (`route_guard`).
        let guard = |path: &str, verifier: Verifier| {
            WebhookLayer::from(route_guard(path, verifier, &store, &stats))
        };

        let seed = |scheme: Scheme| Verifier::new(scheme, config.secret());
        let heppu_async = Router::new()
            .route("/webhooks/heppu/async", post(queue.axum_handler()))
            .route_layer(guard("/webhooks/heppu/async", seed(Scheme::heppu())));

        let l = log.clone();
        let heppu = Router::new()
            .route(
                "/webhooks/heppu",
                post(
                    move |meta: WebhookMeta, Verified(event): Verified<heppu::Event>| async move {
                        record(&l, &meta, Some(event.event_type()))
                    },
                ),
            )
            .route_layer(guard("/webhooks/heppu", seed(Scheme::heppu())));

        // Helix does not document its payload: take any JSON and report its `type` if there is one.
        let l = log.clone();
        let helix = Router::new()
            .route(
                "/webhooks/helix",
                post(
                    move |meta: WebhookMeta, Verified(body): Verified<Value>| async move {
                        let kind = body
                            .get("type")
                            .or_else(|| body.get("event"))
                            .and_then(Value::as_str);
                        record(&l, &meta, kind)
                    },
                ),
            )
            .route_layer(guard("/webhooks/helix", seed(Scheme::helix())));

        let l = log.clone();
        let helicone = Router::new()
        .route(
            "/webhooks/helicone",
            post(
                move |meta: WebhookMeta, Verified(_d): Verified<helicone::Delivery>| async move {
                    record(&l, &meta, None)
                },
            ),
        )
        .route_layer(guard("/webhooks/helicone", seed(Scheme::helicone())));

        // The other senders: one handler for all, which reports the event type the scheme reads (a
        // header for GitHub, GitLab and Shopify, a body field for the others) and accepts any body,
        // JSON or not (Slack slash commands are form-encoded). A route without its key answers
        // `key_not_configured`.
        let mut senders = Router::new();
        for route in config.sender_routes() {
            let path = route.path;
            match route.verifier {
                Ok(verifier) => {
                    let l = log.clone();
                    let c = config.clone();
                    // A verified handshake (Discord, Slack, Twitch, Zoom) gets the answer its sender
                    // requires; it is recorded like any delivery.
                    let mut method = post(
                    move |meta: WebhookMeta, headers: HeaderMap, RawBody(body): RawBody| async move {
                        let kind = headers
                            .get("twitch-eventsub-message-type")
                            .and_then(|v| v.to_str().ok());
                        let reply = c.handshake_reply(&meta, kind, &body);
                        let answer = record(&l, &meta, meta.event_type());
                        match reply {
                            Some(reply) => reply.into_response::<Body>().into_response(),
                            None => answer.into_response(),
                        }
                    },
                )
                .route_layer(guard(path, verifier));
                    // Dropbox's verification request: an unsigned GET, outside the guard.
                    if path == "/webhooks/dropbox" {
                        method = method.get(|RawQuery(query): RawQuery| async move {
                            match handshake::dropbox(query.as_deref().unwrap_or_default()) {
                                Some(reply) => reply.into_response::<Body>().into_response(),
                                None => StatusCode::BAD_REQUEST.into_response(),
                            }
                        });
                    }
                    senders = senders.route(path, method);
                }
                Err(missing) => {
                    senders = senders.route(
                        path,
                        post(move || {
                            let (status, body) = missing.answer();
                            let status = StatusCode::from_u16(status).expect("a valid status");
                            async move { (status, Json(body)) }
                        }),
                    );
                }
            }
        }

        let l = log.clone();
        let app = Router::new()
            .merge(heppu)
            .merge(helix)
            .merge(helicone)
            .merge(heppu_async)
            .merge(senders)
            .route(
                "/events",
                get(move || async move { Json(Value::Array(l.lock().unwrap().clone())) }),
            )
            .route(
                "/metrics/webhooks",
                get(move || async move { Json(stats.snapshot()) }),
            );
        #[cfg(feature = "metrics")]
        let app = app.route(
            "/metrics",
            get(|| async {
                let content_type = crate::receiver_config::PROMETHEUS_TEXT;
                let text = crate::receiver_config::prometheus().render();
                ([(axum::http::header::CONTENT_TYPE, content_type)], text)
            }),
        );
        Receiver {
            router: app,
            log,
            queue,
        }
    }
}
