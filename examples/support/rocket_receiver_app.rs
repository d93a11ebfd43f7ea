//! The rocket receiver's routes, shared by the `rocket_receiver` example and its tests.
//!
//! Same contract as the axum receiver (`support/receiver_app.rs`), from the same configuration
//! (`support/receiver_config.rs`):
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
//! one over 1 MiB (`413 body_too_large`). One `Webhooks` fairing holds every route's guard, by
//! path; the other senders share one pair of handlers on `/webhooks/<sender>`.

use std::collections::HashMap;
use std::io::Cursor;

use rocket::http::{ContentType, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};
use rocket::{Build, Rocket, State, get, post, routes};
use serde_json::Value;
use webhook_guard::ack::{Ack, AckQueue, Job};
use webhook_guard::dedup::MemoryStore;
use webhook_guard::events::{helicone, heppu};
use webhook_guard::rocket::{Webhook, Webhooks};
use webhook_guard::stats::Stats;
use webhook_guard::{Rejection, Scheme, Verifier, WebhookMeta, handshake};

// Declared by the including crate: `#[path = ".../support/dead_letters.rs"] mod dead_letters;`,
// and the same for `receiver_config.rs`.
use crate::receiver_config::EventLog;
use crate::receiver_config::{self, KeyNotConfigured, ReceiverConfig, route_guard};

/// A JSON answer.
pub struct Json(Status, Value);

impl<'r> Responder<'r, 'static> for Json {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let mut res = (ContentType::JSON, self.1.to_string()).respond_to(req)?;
        res.set_status(self.0);
        Ok(res)
    }
}

/// A handler's answer: JSON, or the reply a sender's handshake requires.
pub enum Reply {
    /// `{"received": …, "id": …}` and the like.
    Json(Json),
    /// Discord's, Slack's, Twitch's or Zoom's (or Dropbox's challenge) answer.
    Handshake(handshake::Reply),
}

impl<'r> Responder<'r, 'static> for Reply {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        match self {
            Reply::Json(json) => json.respond_to(req),
            Reply::Handshake(reply) => {
                let mut res = Response::build();
                res.raw_header("content-type", reply.content_type().to_owned());
                if reply.nosniff() {
                    res.raw_header("x-content-type-options", "nosniff");
                }
                let body = reply.body().clone();
                res.sized_body(body.len(), Cursor::new(body));
                Ok(res.finalize())
            }
        }
    }
}

fn record(log: &EventLog, meta: &WebhookMeta, event: Option<&str>) -> Json {
    Json(Status::Ok, receiver_config::record_event(log, meta, event))
}

/// The receiver's state, managed by rocket.
struct Receiver {
    config: ReceiverConfig,
    log: EventLog,
    stats: Stats,
    /// The other senders' routes without their key.
    missing: HashMap<&'static str, KeyNotConfigured>,
    /// The other senders' routes with their key.
    live: Vec<&'static str>,
}

#[post("/webhooks/heppu", data = "<hook>")]
fn on_heppu(r: &State<Receiver>, hook: Webhook<heppu::Event>) -> Json {
    record(&r.log, &hook.meta, Some(hook.event.event_type()))
}

/// Helix does not document its payload: take any JSON and report its `type` if there is one.
#[post("/webhooks/helix", data = "<hook>")]
fn on_helix(r: &State<Receiver>, hook: Webhook<Value>) -> Json {
    let kind = hook
        .event
        .get("type")
        .or_else(|| hook.event.get("event"))
        .and_then(Value::as_str);
    record(&r.log, &hook.meta, kind)
}

#[post("/webhooks/helicone", data = "<hook>")]
fn on_helicone(r: &State<Receiver>, hook: Webhook<helicone::Delivery>) -> Json {
    record(&r.log, &hook.meta, None)
}

/// Async-ack: answer at once, do the (slow) work in the background.
#[post("/webhooks/heppu/async", data = "<job>")]
async fn on_heppu_async(
    queue: &State<AckQueue<heppu::Event>>,
    job: Job<heppu::Event>,
) -> Result<Ack, Rejection> {
    queue.enqueue(job).await
}

/// A request to one of the other senders' routes whose key is configured; any other request
/// is forwarded.
struct LiveSender;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for LiveSender {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let path = req.uri().path().as_str();
        match req.rocket().state::<Receiver>() {
            Some(r) if r.live.contains(&path) => Outcome::Success(LiveSender),
            _ => Outcome::Forward(Status::NotFound),
        }
    }
}

/// A request to one of the other senders' routes whose key is not configured; any other request
/// is forwarded.
struct NoKey<'r>(&'r KeyNotConfigured);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for NoKey<'r> {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let path = req.uri().path().as_str();
        match req
            .rocket()
            .state::<Receiver>()
            .and_then(|r| r.missing.get(path))
        {
            Some(missing) => Outcome::Success(NoKey(missing)),
            None => Outcome::Forward(Status::NotFound),
        }
    }
}

/// Twitch EventSub's message type header, for its handshake.
struct TwitchMessageType(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for TwitchMessageType {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let value = req.headers().get_one("twitch-eventsub-message-type");
        Outcome::Success(TwitchMessageType(value.map(str::to_owned)))
    }
}

/// A sender's route without its key: before the guarded route below, which it forwards to when
/// the key is there (no data guard here, so no body is read).
#[post("/webhooks/<_>", rank = 1)]
fn on_key_not_configured(missing: NoKey<'_>) -> Json {
    let (status, body) = missing.0.answer();
    Json(Status::new(status), body)
}

/// The other senders: one handler for all, which reports the event type the scheme reads (a
/// header for GitHub, GitLab and Shopify, a body field for the others) and accepts any body,
/// JSON or not (Slack slash commands are form-encoded). A verified handshake (Discord, Slack,
/// Twitch, Zoom) gets the answer its sender requires; it is recorded like any delivery.
#[post("/webhooks/<_>", rank = 2, data = "<hook>")]
fn on_other_sender(
    r: &State<Receiver>,
    _live: LiveSender,
    twitch: TwitchMessageType,
    hook: Webhook,
) -> Reply {
    let reply = r
        .config
        .handshake_reply(&hook.meta, twitch.0.as_deref(), &hook.raw);
    let answer = record(&r.log, &hook.meta, hook.meta.event_type());
    match reply {
        Some(reply) => Reply::Handshake(reply),
        None => Reply::Json(answer),
    }
}

/// Dropbox's verification request: an unsigned `GET ?challenge=`, outside the guard.
#[get("/webhooks/dropbox")]
fn on_dropbox_challenge(uri: &rocket::http::uri::Origin<'_>) -> Result<Reply, Status> {
    let query = uri.query().map_or("", |q| q.as_str());
    handshake::dropbox(query)
        .map(Reply::Handshake)
        .ok_or(Status::BadRequest)
}

#[get("/events")]
fn events(r: &State<Receiver>) -> Json {
    Json(Status::Ok, Value::Array(r.log.lock().unwrap().clone()))
}

#[get("/metrics/webhooks")]
fn metrics(r: &State<Receiver>) -> Json {
    let snapshot = serde_json::to_value(r.stats.snapshot()).unwrap_or(Value::Null);
    Json(Status::Ok, snapshot)
}

/// The receiver's rocket, every sender verified with the keys of `config`, with the event log
/// and the async-ack queue (drain it at shutdown). Call inside a Tokio runtime (the queue starts
/// its workers); configure the address and launch.
pub fn rocket(config: &ReceiverConfig) -> (Rocket<Build>, EventLog, AckQueue<heppu::Event>) {
    let log = EventLog::default();
    let store = MemoryStore::default();
    let stats = Stats::new();
    // One store for every route, each route under its own namespace (`route_guard`).
    let guard = |path: &str, verifier: Verifier| route_guard(path, verifier, &store, &stats);
    let seed = |scheme: Scheme| Verifier::new(scheme, config.secret());
    let mut webhooks = Webhooks::empty();
    for (path, scheme) in [
        ("/webhooks/heppu", Scheme::heppu()),
        ("/webhooks/heppu/async", Scheme::heppu()),
        ("/webhooks/helix", Scheme::helix()),
        ("/webhooks/helicone", Scheme::helicone()),
    ] {
        webhooks = webhooks.at(path, guard(path, seed(scheme)));
    }
    let mut missing = HashMap::new();
    let mut live = Vec::new();
    for route in config.sender_routes() {
        match route.verifier {
            Ok(verifier) => {
                webhooks = webhooks.at(route.path, guard(route.path, verifier));
                live.push(route.path);
            }
            Err(why) => {
                missing.insert(route.path, why);
            }
        }
    }

    let queue = receiver_config::async_queue(&log, &stats).start();

    let receiver = Receiver {
        config: config.clone(),
        log: log.clone(),
        stats,
        missing,
        live,
    };
    let rocket = rocket::build()
        .attach(webhooks)
        .manage(receiver)
        .manage(queue.clone())
        .mount(
            "/",
            routes![
                on_heppu,
                on_helix,
                on_helicone,
                on_heppu_async,
                on_key_not_configured,
                on_other_sender,
                on_dropbox_challenge,
                events,
                metrics,
            ],
        );
    (rocket, log, queue)
}
