//! poem integration: the [`WebhookGuard`] middleware, the same extractors as axum and actix-web,
//! and responses for [`Rejection`] and [`Ack`](crate::ack::Ack).
//!
//! `WebhookGuard` wraps an endpoint, a `Route` or a whole app (`.with(guard)`). For every request
//! it runs the [`Guard`] (body limit, verification while reading, deduplication), stores
//! [`WebhookMeta`], [`RawBody`] and, when the dedup store holds one, the
//! [`DeliveryClaim`](crate::dedup::DeliveryClaim) in the request extensions, puts the verified
//! body back for the handler, and completes or releases the claim from the handler's status (a
//! handler error counts with its status; a panic or a dropped request releases it). Handlers take
//! [`Verified<T>`](crate::Verified), `WebhookMeta`, `RawBody`, `DeliveryClaim` and
//! [`Job<T>`](crate::ack::Job) as extractors; every [`Rejection`] is a `poem::error::ResponseError`
//! answering the same status, `Retry-After` and JSON body as on axum.
//!
//! ```
//! use poem::http::{Method, StatusCode};
//! use poem::web::Json;
//! use poem::{Endpoint, EndpointExt, Request, Route, handler, post};
//! use webhook_guard::dedup::MemoryStore;
//! use webhook_guard::events::stripe::Event;
//! use webhook_guard::poem::WebhookGuard;
//! use webhook_guard::testing::{Delivery, SignedDelivery, samples};
//! use webhook_guard::{Scheme, Secret, Verified, Verifier, WebhookMeta};
//!
//! #[handler]
//! async fn stripe(meta: WebhookMeta, Verified(event): Verified<Event>) -> Json<serde_json::Value> {
//!     Json(serde_json::json!({ "received": event.event_type, "id": meta.id() }))
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secret = Secret::new("whsec_your_stripe_signing_secret")?;
//! let guard = WebhookGuard::new(Verifier::new(Scheme::stripe(), secret.clone()))
//!     .dedup(MemoryStore::default());
//! let app = Route::new().at("/webhooks/stripe", post(stripe).with(guard));
//!
//! // A delivery signed as Stripe signs, as it reaches the app.
//! let request = |d: SignedDelivery| {
//!     let mut req = Request::builder()
//!         .method(Method::POST)
//!         .uri_str("/webhooks/stripe")
//!         .body(d.body);
//!     *req.headers_mut() = d.headers;
//!     req
//! };
//! let d = Delivery::new(Scheme::stripe(), samples::STRIPE_CUSTOMER_UPDATED).sign(&secret);
//! let res = app.get_response(request(d.clone())).await;
//! assert_eq!(res.status(), StatusCode::OK);
//! // The sender's retry: answered without running the handler.
//! let retry = app.get_response(request(d.clone())).await;
//! assert_eq!(retry.into_body().into_string().await?, r#"{"duplicate":true}"#);
//! // A forged body: refused before the handler, with the crate's JSON answer.
//! let mut forged = d;
//! forged.body = samples::STRIPE_SETUP_INTENT_CREATED.into();
//! let res = app.get_response(request(forged)).await;
//! assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
//! # Ok(()) }
//! ```

use bytes::Bytes;
use poem::error::ResponseError;
use poem::http::StatusCode;
use poem::{Endpoint, FromRequest, IntoResponse, Middleware, Request, RequestBody, Response};
use serde::de::DeserializeOwned;

use crate::error::{Rejection, RejectionKind};
use crate::extract::{RawBody, Verified};
use crate::guard::Guard;
use crate::verify::WebhookMeta;

/// poem middleware that verifies (and optionally deduplicates) webhook deliveries: the
/// [`Guard`] itself, which is a `poem::Middleware`.
///
/// Configured once, cloned freely. The same builder as [`WebhookLayer`](crate::WebhookLayer)
/// (`WebhookGuard::new(verifier).dedup(store)`); a [`Guard`] configured elsewhere (the one a
/// tower layer uses too, say) is one already: `WebhookGuard::from(guard)` or the guard itself.
pub type WebhookGuard = Guard;

impl<E: Endpoint> Middleware<E> for Guard {
    type Output = WebhookGuardEndpoint<E>;

    /// # Panics
    ///
    /// When another guard, built apart from this one, deduplicates under the same
    /// [namespace](Guard::namespace) in the same store.
    fn transform(&self, inner: E) -> Self::Output {
        self.register();
        WebhookGuardEndpoint {
            inner,
            guard: self.clone(),
        }
    }
}

/// The endpoint [`WebhookGuard`] puts in front of another.
pub struct WebhookGuardEndpoint<E> {
    inner: E,
    guard: Guard,
}

impl<E> std::fmt::Debug for WebhookGuardEndpoint<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookGuardEndpoint")
            .field("guard", &self.guard)
            .finish_non_exhaustive()
    }
}

impl<E: Endpoint> Endpoint for WebhookGuardEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        // Everything up to the handler in a block of its own, as in the tower service: what it
        // moves on then takes no room beside the handler's future.
        let settle = {
            // poem's body is an `http_body::Body`: the guard reads it as the tower service does
            // (and drains an oversized one before answering `413`). The request line and the
            // headers are lent to it as `http` parts: the headers moved there and back, not
            // copied.
            let mut parts = http::Request::new(()).into_parts().0;
            parts.method = req.method().clone();
            parts.uri = target(&req).clone();
            parts.headers = std::mem::take(req.headers_mut());
            let body = http_body_util::combinators::BoxBody::from(req.take_body());
            let verdict = self.guard.check(&parts, body).await;
            *req.headers_mut() = parts.headers;
            let (meta, body, settle) = match verdict.into_result::<Bytes>() {
                Ok(delivery) => delivery.into_parts(),
                Err(answer) => return Ok(to_poem(answer)),
            };
            if let Some(claim) = settle.claim() {
                req.extensions_mut().insert(claim);
            }
            req.extensions_mut().insert(meta);
            req.extensions_mut().insert(RawBody(body.clone()));
            req.set_body(body);
            settle
        };
        // If the handler panics or this future is dropped, the claim is released.
        let res = self.inner.call(req).await.map(IntoResponse::into_response);
        let success = match &res {
            Ok(res) => res.status().is_success(),
            Err(e) => e.status().is_success(),
        };
        settle.settle(success).await;
        res
    }
}

/// The request target as the sender sent it: poem's `Route::nest` strips its prefix from
/// `uri()` and keeps the whole in `original_uri()`, which a request built by hand (a test's)
/// leaves at its default, `/`.
fn target(req: &Request) -> &http::Uri {
    let original = req.original_uri();
    if original == "/" { req.uri() } else { original }
}

/// An `http` response of the core (a refusal, a duplicate, an ack) as a poem response.
fn to_poem(res: http::Response<Bytes>) -> Response {
    let (parts, body) = res.into_parts();
    let mut res = Response::builder().status(parts.status).body(body);
    *res.headers_mut() = parts.headers;
    res
}

/// The answer is [`Rejection::to_response`]: its status, `Retry-After` where the sender should
/// come back, and `{"error": code, "message": …}`.
impl ResponseError for Rejection {
    fn status(&self) -> StatusCode {
        Rejection::status(self)
    }

    fn as_response(&self) -> Response {
        to_poem(self.to_response())
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        self.as_response()
    }
}

impl IntoResponse for crate::ack::Ack {
    fn into_response(self) -> Response {
        to_poem(self.to_response())
    }
}

fn missing() -> Rejection {
    tracing::error!(
        "a webhook extractor ran on a request that did not pass through WebhookGuard; \
         add `.with(guard)` to this endpoint"
    );
    Rejection::new(RejectionKind::VerificationMissing)
}

/// What the middleware stored in the request, or `500 verification_missing`.
fn stored<T: Clone + Send + Sync + 'static>(req: &Request) -> Result<T, Rejection> {
    req.extensions().get::<T>().cloned().ok_or_else(missing)
}

impl<'a> FromRequest<'a> for WebhookMeta {
    async fn from_request(req: &'a Request, _: &mut RequestBody) -> poem::Result<Self> {
        Ok(stored(req)?)
    }
}

impl<'a> FromRequest<'a> for RawBody {
    async fn from_request(req: &'a Request, _: &mut RequestBody) -> poem::Result<Self> {
        Ok(stored(req)?)
    }
}

/// The claim on the delivery, for completing it in the handler's own transaction (see
/// [`DeliveryClaim`](crate::dedup::DeliveryClaim)); refused when the guard holds none (no
/// deduplication, or the in-process store).
impl<'a> FromRequest<'a> for crate::dedup::DeliveryClaim {
    async fn from_request(req: &'a Request, _: &mut RequestBody) -> poem::Result<Self> {
        Ok(stored(req)?)
    }
}

/// The verified body parsed as `T`, or `422 payload_invalid` (logged: the payload verified, so
/// the sender and the handler's type disagree).
fn verified<T: DeserializeOwned + 'static>(req: &Request) -> Result<Verified<T>, Rejection> {
    let RawBody(body) = req.extensions().get::<RawBody>().ok_or_else(missing)?;
    Verified::from_body(body).inspect_err(|r| {
        tracing::warn!(
            scheme = req.extensions().get::<WebhookMeta>().map(|m| m.scheme()),
            code = r.code(),
            reason = r.detail().unwrap_or(""),
            "verified webhook payload does not match the handler's type"
        );
    })
}

impl<'a, T: DeserializeOwned + 'static> FromRequest<'a> for Verified<T> {
    async fn from_request(req: &'a Request, _: &mut RequestBody) -> poem::Result<Self> {
        Ok(verified(req)?)
    }
}

impl<'a, T: DeserializeOwned + 'static> FromRequest<'a> for crate::ack::Job<T> {
    async fn from_request(req: &'a Request, _: &mut RequestBody) -> poem::Result<Self> {
        let meta: WebhookMeta = stored(req)?;
        let Verified(event) = verified::<T>(req)?;
        let RawBody(raw) = stored(req)?;
        Ok(crate::ack::Job::new(meta, event, raw))
    }
}
