//! Rocket 0.5 integration: data guards for verified deliveries, and the [`Webhooks`] fairing
//! that holds the guards and settles each delivery from the handler's response.
//!
//! Rocket has no middleware that reads bodies; a webhook is verified by the route's **data
//! guard**, which drives the framework-free [`Guard`]: the request line and headers first, then
//! the body chunk by chunk within the guard's limit and body timeout, the signature, the dedup
//! admission. The data guards:
//!
//! - [`Verified<T>`]: the payload deserialized into `T` (`422 payload_invalid` when it does not
//!   fit; `Verified<Bytes>` for the bytes as they are);
//! - [`Webhook<T>`]: everything at once: the [`WebhookMeta`], the event, the verified bytes and
//!   the dedup claim;
//! - [`WebhookMeta`], [`RawBody`] and [`Job<T>`](crate::ack::Job) (for an
//!   [`AckQueue`](crate::ack::AckQueue)).
//!
//! Rocket runs a handler's request guards before its one data guard, so what the guard learns
//! about a delivery reaches the handler through the data guard alone: take `Webhook<T>` when the
//! handler needs more than the event.
//!
//! [`Webhooks`] is attached once (`rocket::build().attach(Webhooks::new(guard))`); it keeps the
//! guards, picks each request's by its path, and:
//! - answers a refused delivery (or a duplicate) with the guard's answer: the status, the
//!   `Retry-After` where there is one, and the JSON body `{"error": code, "message": …}` (or
//!   `{"duplicate":true}`), whatever catcher Rocket chose for the status;
//! - completes the delivery's dedup claim when the handler's response is `2xx`, releases it
//!   otherwise (a `Rejection` returned by the handler, a panic: Rocket's `500`); a request
//!   dropped before its response (the client went away) releases it too.
//!
//! A data guard on a route without a guard answers `500 verification_missing`, as the axum and
//! actix-web extractors do. Do not wrap the data guards in `Option` or `Result`: a refusal is
//! answered by the fairing in any case. Rocket's own `limits` do not apply: the guard's
//! [`body_limit`](Guard::body_limit) does. Rocket drops header values that are not UTF-8 before
//! any guard sees them.
//!
//! ```
//! use serde_json::json;
//! use rocket::{Build, Rocket, post, routes};
//! use webhook_guard::dedup::MemoryStore;
//! use webhook_guard::events::stripe::Event;
//! use webhook_guard::guard::Guard;
//! use webhook_guard::rocket::{Webhook, Webhooks};
//! use webhook_guard::{Scheme, Secret, Verified, Verifier};
//!
//! #[post("/webhooks/stripe", data = "<hook>")]
//! fn stripe(hook: Webhook<Event>) -> String {
//!     json!({ "received": hook.event.event_type, "id": hook.meta.id() }).to_string()
//! }
//!
//! // Rocket's route attributes want a plain name for each argument, not a pattern.
//! #[post("/webhooks/github", data = "<push>")]
//! fn github(push: Verified<serde_json::Value>) -> &'static str {
//!     if push.0["zen"].is_string() { "pong" } else { "ok" }
//! }
//!
//! fn app(stripe_secret: Secret, github_secret: Secret) -> Rocket<Build> {
//!     let store = MemoryStore::default();
//!     let webhooks = Webhooks::empty()
//!         .at("/webhooks/stripe", Guard::new(Verifier::new(Scheme::stripe(), stripe_secret)).dedup(store.clone()))
//!         .at("/webhooks/github", Guard::new(Verifier::new(Scheme::github(), github_secret)).dedup(store));
//!     rocket::build().attach(webhooks).mount("/", routes![stripe, github])
//! }
//! # async fn run() {
//! #     use rocket::local::asynchronous::Client;
//! #     use webhook_guard::testing::Delivery;
//! #     let secret = Secret::new("whsec_your_stripe_signing_secret").unwrap();
//! #     let github = Secret::new("a-github-secret-0123456789").unwrap();
//! #     let client = Client::untracked(app(secret.clone(), github.clone())).await.unwrap();
//! #     let d = Delivery::new(Scheme::stripe(), webhook_guard::testing::samples::STRIPE_CUSTOMER_UPDATED)
//! #         .sign(&secret);
//! #     let post = |d: webhook_guard::testing::SignedDelivery| {
//! #         let mut req = client.post("/webhooks/stripe").body(d.body.to_vec());
//! #         for (n, v) in &d.headers {
//! #             req.add_header(rocket::http::Header::new(n.as_str().to_owned(), v.to_str().unwrap().to_owned()));
//! #         }
//! #         req.dispatch()
//! #     };
//! #     let res = post(d.clone()).await;
//! #     assert_eq!(res.status().code, 200);
//! #     assert_eq!(res.into_string().await.unwrap(), r#"{"id":"evt_1NfVbN2eZvKYlo2CfkRaWXCj","received":"customer.updated"}"#);
//! #     let res = post(d.clone()).await;
//! #     assert_eq!(res.into_string().await.unwrap(), r#"{"duplicate":true}"#);
//! #     let mut forged = d;
//! #     forged.body = bytes::Bytes::from_static(webhook_guard::testing::samples::STRIPE_SETUP_INTENT_CREATED.as_bytes());
//! #     let res = post(forged).await;
//! #     assert_eq!(res.status().code, 401);
//! #     assert!(res.into_string().await.unwrap().contains("signature_mismatch"));
//! # }
//! # rocket::execute(run());
//! ```
//!
//! `Webhooks::new(guard)` puts one guard in front of every route that takes a data guard;
//! [`at`](Webhooks::at) gives a path a guard of its own (several routes, several senders, one
//! dedup store shared under each guard's [namespace](Guard::namespace)).

use std::borrow::Cow;
use std::io::Cursor;
use std::sync::{Mutex, PoisonError};

use ::rocket::data::{ByteUnit, Data, FromData};
use ::rocket::fairing::{Fairing, Info, Kind};
use ::rocket::http::Status;
use ::rocket::request::Request;
use ::rocket::response::{self, Responder, Response};
use ::rocket::{Build, Rocket, async_trait};
use bytes::{Bytes, BytesMut};
use serde::de::DeserializeOwned;
use tokio::io::AsyncReadExt;

use crate::dedup::DeliveryClaim;
use crate::error::{Rejection, RejectionKind};
use crate::extract::{RawBody, Verified};
use crate::guard::{Guard, Incoming, Settle, Verdict, duplicate_response};
use crate::pipeline::DRAIN_AFTER_413;
use crate::verify::WebhookMeta;

/// The Rocket fairing that holds the webhook guards: attach it once (a second one attached
/// replaces the first: put every guard in one). It picks each request's
/// guard for the data guards ([`Verified<T>`], [`Webhook<T>`], …), answers refusals and
/// duplicates with the guard's answer, and settles each delivery from the handler's response
/// (completed on `2xx`, released otherwise). See the [module docs](self).
#[derive(Debug, Clone, Default)]
pub struct Webhooks {
    fallback: Option<Guard>,
    at: Vec<(String, Guard)>,
}

impl Webhooks {
    /// One guard for every route that takes a webhook data guard.
    pub fn new(guard: impl Into<Guard>) -> Self {
        Webhooks {
            fallback: Some(guard.into()),
            at: Vec::new(),
        }
    }

    /// No guard yet: give each path its own with [`at`](Webhooks::at).
    pub fn empty() -> Self {
        Webhooks::default()
    }

    /// The guard for requests to `path`: the request's path exactly as received (with the mount
    /// point, without the query: `/webhooks/github`), or the matched route's URI pattern as its
    /// attribute writes it, after its mount point, for a route with dynamic segments
    /// (`/api/tenants/<id>/hook`); a request path is looked for first. A path given twice keeps
    /// the last guard. Requests to other paths get the guard of [`new`](Webhooks::new), if any.
    pub fn at(mut self, path: impl Into<String>, guard: impl Into<Guard>) -> Self {
        let path = path.into();
        self.at.retain(|(p, _)| *p != path);
        self.at.push((path, guard.into()));
        self
    }

    /// The guard a request gets: its path's, else its route's pattern's, else the default.
    fn guard_for(&self, req: &Request<'_>) -> Option<&Guard> {
        let path = req.uri().path().as_str();
        let pattern = req.route().map(|r| r.uri.path());
        self.at
            .iter()
            .find(|(p, _)| p == path)
            .or_else(|| self.at.iter().find(|(p, _)| Some(p.as_str()) == pattern))
            .map(|(_, guard)| guard)
            .or(self.fallback.as_ref())
    }
}

/// What the data guards find in Rocket's managed state: the attached fairing's guards.
struct Attached(Webhooks);

#[async_trait]
impl Fairing for Webhooks {
    fn info(&self) -> Info {
        Info {
            name: "webhook-guard",
            kind: Kind::Ignite | Kind::Response | Kind::Singleton,
        }
    }

    /// Registers every guard (a second guard deduplicating under the same namespace in the
    /// same store panics here, as with the other adapters) and makes them the data guards'.
    async fn on_ignite(&self, rocket: Rocket<Build>) -> ::rocket::fairing::Result {
        for guard in self.fallback.iter().chain(self.at.iter().map(|(_, g)| g)) {
            guard.register();
        }
        Ok(rocket.manage(Attached(self.clone())))
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let exchange = exchange(req);
        let answer = lock(&exchange.answer).take();
        if let Some(answer) = answer {
            // The data guard refused (Rocket's catcher answered its status): the guard's answer.
            res.merge(to_rocket(answer));
        }
        let settle = lock(&exchange.settle).take();
        if let Some(settle) = settle {
            settle.settle(res.status().class().is_success()).await;
        }
    }
}

/// What a request's data guard left for the fairing: the claim to settle, or the answer to give
/// instead of Rocket's catcher. Dropped with the request: an unsettled claim is released.
#[derive(Default)]
struct Exchange {
    settle: Mutex<Option<Settle>>,
    answer: Mutex<Option<http::Response<Bytes>>>,
}

fn exchange<'r>(req: &'r Request<'_>) -> &'r Exchange {
    req.local_cache(Exchange::default)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why a webhook data guard gave the handler nothing: the fairing answers it. Its `Debug` (which
/// Rocket logs for a failed data guard) names the code alone: the guard has logged the refusal.
pub enum Refusal {
    /// Refused (`Rejection::to_response`'s answer), already logged and counted by the guard.
    Rejected(Rejection),
    /// A duplicate of a delivery processed before: `200 {"duplicate":true}`.
    Duplicate,
}

impl std::fmt::Debug for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Rejected(r) => write!(f, "Rejected({})", r.code()),
            Refusal::Duplicate => f.write_str("Duplicate"),
        }
    }
}

/// Leave `answer` for the fairing and fail the data guard with its status.
fn refuse<'r, T>(
    req: &Request<'_>,
    answer: http::Response<Bytes>,
    why: Refusal,
) -> ::rocket::data::Outcome<'r, T, Refusal> {
    let status = Status::new(answer.status().as_u16());
    *lock(&exchange(req).answer) = Some(answer);
    ::rocket::outcome::Outcome::Error((status, why))
}

fn rejected<'r, T>(req: &Request<'_>, r: Rejection) -> ::rocket::data::Outcome<'r, T, Refusal> {
    refuse(req, r.to_response(), Refusal::Rejected(r))
}

fn missing() -> Rejection {
    tracing::error!(
        "a webhook data guard ran on a request no guard is configured for; \
         attach the `Webhooks` fairing with a guard for this route"
    );
    Rejection::new(RejectionKind::VerificationMissing)
}

/// A verified, admitted delivery's parts, its claim left in the request for the fairing.
struct Admitted {
    meta: WebhookMeta,
    body: Bytes,
    claim: Option<DeliveryClaim>,
}

/// Run the request through its guard: headers, body, signature, dedup admission.
async fn admit<'r>(
    req: &'r Request<'_>,
    data: Data<'r>,
) -> ::rocket::data::Outcome<'r, Admitted, Refusal> {
    let guard = req
        .rocket()
        .state::<Attached>()
        .and_then(|attached| attached.0.guard_for(req));
    let Some(guard) = guard else {
        return rejected(req, missing());
    };
    // The guard matches lowercase names: hyper gives them so, a local client may not.
    let headers: Vec<(Cow<'_, str>, Cow<'_, str>)> = req
        .headers()
        .iter()
        .map(|h| {
            let name = h.name.into_cow();
            let name = match name.bytes().any(|b| b.is_ascii_uppercase()) {
                true => Cow::Owned(name.to_ascii_lowercase()),
                false => name,
            };
            (name, h.value)
        })
        .collect();
    let pairs = headers.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes()));
    let path_and_query = req.uri().to_string();
    let begun = guard.begin_with(req.method().as_str(), &path_and_query, pairs);
    let mut stream = data.open(ByteUnit::max_value());
    let read = async {
        let mut incoming: Incoming = begun?;
        loop {
            let mut chunk = BytesMut::with_capacity(16 * 1024);
            match stream.read_buf(&mut chunk).await {
                Ok(0) => return Ok(incoming),
                Ok(_) => incoming.push(chunk.freeze())?,
                Err(e) => return Err(incoming.read_failed(e)),
            }
        }
    };
    let verdict = match guard.within_body_timeout(read).await {
        Ok(incoming) => incoming.finish().await,
        Err(r) => {
            if r.kind() == RejectionKind::BodyTooLarge && !expects_continue(req) {
                drain(&mut stream).await;
            }
            Verdict::Refused(r)
        }
    };
    match verdict {
        Verdict::Proceed(delivery) => {
            let (meta, body, settle) = delivery.into_parts();
            let claim = settle.claim();
            *lock(&exchange(req).settle) = Some(settle);
            ::rocket::outcome::Outcome::Success(Admitted { meta, body, claim })
        }
        Verdict::Duplicate(_) => refuse(req, duplicate_response(), Refusal::Duplicate),
        Verdict::Refused(r) => rejected(req, r),
    }
}

fn expects_continue(req: &Request<'_>) -> bool {
    req.headers()
        .get("expect")
        .any(|v| v.eq_ignore_ascii_case("100-continue"))
}

/// After a `413`, read and discard what follows of the body for a little while, so that a client
/// that writes its whole body before reading gets the answer instead of a reset connection.
async fn drain(stream: &mut ::rocket::data::DataStream<'_>) {
    let (most, within) = DRAIN_AFTER_413;
    let discard = async {
        let mut buf = vec![0u8; 16 * 1024];
        let mut read = 0usize;
        while read < most {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => read += n,
            }
        }
    };
    let _ = tokio::time::timeout(within, discard).await;
}

/// The payload as `T`, or `422 payload_invalid` (logged, as the other adapters do).
fn parse<'r, T: DeserializeOwned + 'static>(
    req: &Request<'_>,
    admitted: &Admitted,
) -> ::rocket::data::Outcome<'r, T, Refusal> {
    match Verified::<T>::from_body(&admitted.body) {
        Ok(Verified(event)) => ::rocket::outcome::Outcome::Success(event),
        Err(r) => {
            tracing::warn!(
                scheme = admitted.meta.scheme(),
                code = r.code(),
                reason = r.detail().unwrap_or(""),
                "verified webhook payload does not match the handler's type"
            );
            rejected(req, r)
        }
    }
}

/// `?` for a data guard's outcome.
macro_rules! take {
    ($outcome:expr) => {
        match $outcome {
            ::rocket::outcome::Outcome::Success(value) => value,
            ::rocket::outcome::Outcome::Error(e) => return ::rocket::outcome::Outcome::Error(e),
            ::rocket::outcome::Outcome::Forward(f) => {
                return ::rocket::outcome::Outcome::Forward(f);
            }
        }
    };
}

/// A verified delivery, all of it: the data guard for a handler that needs more than the event.
/// `T` is the payload's type (`Bytes` for the bytes as they are, the default).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Webhook<T = Bytes> {
    /// Scheme, delivery id, event type, timestamp, matching key.
    pub meta: WebhookMeta,
    /// The payload, deserialized.
    pub event: T,
    /// The verified bytes: the same that were hashed.
    pub raw: Bytes,
    /// The dedup claim, for a handler that completes the delivery in its own transaction (see
    /// [`DeliveryClaim`]); `None` without deduplication or with the in-process store.
    pub claim: Option<DeliveryClaim>,
}

#[async_trait]
impl<'r, T: DeserializeOwned + Send + 'static> FromData<'r> for Webhook<T> {
    type Error = Refusal;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> ::rocket::data::Outcome<'r, Self> {
        let admitted = take!(admit(req, data).await);
        let event = take!(parse(req, &admitted));
        ::rocket::outcome::Outcome::Success(Webhook {
            meta: admitted.meta,
            event,
            raw: admitted.body,
            claim: admitted.claim,
        })
    }
}

#[async_trait]
impl<'r, T: DeserializeOwned + Send + 'static> FromData<'r> for Verified<T> {
    type Error = Refusal;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> ::rocket::data::Outcome<'r, Self> {
        let admitted = take!(admit(req, data).await);
        parse(req, &admitted).map(Verified)
    }
}

#[async_trait]
impl<'r> FromData<'r> for WebhookMeta {
    type Error = Refusal;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> ::rocket::data::Outcome<'r, Self> {
        admit(req, data).await.map(|admitted| admitted.meta)
    }
}

#[async_trait]
impl<'r> FromData<'r> for RawBody {
    type Error = Refusal;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> ::rocket::data::Outcome<'r, Self> {
        admit(req, data)
            .await
            .map(|admitted| RawBody(admitted.body))
    }
}

/// The delivery as a job for an [`AckQueue`](crate::ack::AckQueue): hand it to
/// [`enqueue`](crate::ack::AckQueue::enqueue) and answer its [`Ack`](crate::ack::Ack).
#[async_trait]
impl<'r, T: DeserializeOwned + Send + 'static> FromData<'r> for crate::ack::Job<T> {
    type Error = Refusal;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> ::rocket::data::Outcome<'r, Self> {
        let admitted = take!(admit(req, data).await);
        let event = take!(parse(req, &admitted));
        ::rocket::outcome::Outcome::Success(crate::ack::Job::new(
            admitted.meta,
            event,
            admitted.body,
        ))
    }
}

/// An `http` response (status, headers, body) as Rocket's.
fn to_rocket(res: http::Response<Bytes>) -> Response<'static> {
    let (parts, body) = res.into_parts();
    let mut out = Response::build();
    out.status(Status::new(parts.status.as_u16()));
    for (name, value) in &parts.headers {
        if let Ok(value) = value.to_str() {
            out.raw_header(name.as_str().to_owned(), value.to_owned());
        }
    }
    out.sized_body(body.len(), Cursor::new(body));
    out.finalize()
}

/// Answers the rejection's status, `Retry-After` and JSON body, as on axum and actix-web.
impl<'r> Responder<'r, 'static> for Rejection {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Ok(to_rocket(self.to_response()))
    }
}

/// Answers the configured status (202 by default) and `{"queued": true, "id": …}`.
impl<'r> Responder<'r, 'static> for crate::ack::Ack {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Ok(to_rocket(self.to_response()))
    }
}
