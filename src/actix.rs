//! actix-web integration: the [`WebhookGuard`] middleware and the same extractors as axum.
//!
//! `WebhookGuard` wraps an `App`, a `scope` or one resource. For every request it runs the same
//! pipeline as the tower layer (body limit, verification while reading, deduplication), stores
//! [`WebhookMeta`] and [`RawBody`] in the request
//! extensions, puts the verified payload back for the handler, and completes or releases the
//! deduplication claim from the response status. Handlers take [`Verified<T>`](crate::Verified),
//! `WebhookMeta` and `RawBody`; every [`Rejection`] implements
//! `ResponseError` with the same status, code and JSON body as the axum adapter.
//!
//! Build the guard once, outside the `HttpServer::new` factory, and clone it into each worker's
//! `App`: every worker then shares one dedup store. Wrap the app itself
//! (`App::new().wrap(guard.clone())`) to guard everything it serves, or one `scope` to leave
//! `/health` and the like open. The verified payload is put back for the handler, so
//! `web::Json<T>`, `web::Bytes` and `String` extractors work behind the guard too. A handler
//! answering 2xx completes the delivery's claim; any other answer (or an error) releases it so
//! the sender's retry is processed.
//!
//! ```
//! use actix_web::{App, HttpResponse, web};
//! use webhook_guard::actix::WebhookGuard;
//! use webhook_guard::dedup::MemoryStore;
//! use webhook_guard::events::stripe::Event;
//! use webhook_guard::{Scheme, Secret, Verified, Verifier, WebhookMeta};
//!
//! async fn stripe(meta: WebhookMeta, Verified(event): Verified<Event>) -> HttpResponse {
//!     HttpResponse::Ok().json(serde_json::json!({ "received": event.event_type, "id": meta.id() }))
//! }
//!
//! # fn app() -> Result<(), webhook_guard::SecretError> {
//! let secret = Secret::new("whsec_your_stripe_signing_secret")?;
//! let guard = WebhookGuard::new(Verifier::new(Scheme::stripe(), secret)).dedup(MemoryStore::default());
//! let app = App::new().service(
//!     web::scope("/webhooks").wrap(guard).route("/stripe", web::post().to(stripe)),
//! );
//! # Ok(()) }
//! # app().unwrap();
//! ```

use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{Rejection, RejectionKind};
use crate::extract::{RawBody, Verified};
use crate::guard::{Guard, Verdict};
use crate::verify::WebhookMeta;

/// actix-web middleware that verifies (and optionally deduplicates) webhook deliveries.
///
/// Configured once, cloned per worker. The same knobs as [`WebhookLayer`](crate::WebhookLayer);
/// a [`Guard`] configured elsewhere (the one a tower layer uses too, say) becomes the middleware
/// with `WebhookGuard::from(guard)`.
#[derive(Debug, Clone)]
pub struct WebhookGuard {
    config: Arc<crate::pipeline::Pipeline>,
}

crate::pipeline::guard_builder!(WebhookGuard);

impl WebhookGuard {
    /// The [`Guard`] this middleware puts in front of services.
    pub fn guard(&self) -> Guard {
        Guard {
            config: self.config.clone(),
        }
    }
}

impl From<Guard> for WebhookGuard {
    fn from(guard: Guard) -> Self {
        WebhookGuard {
            config: guard.config,
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for WebhookGuard
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = WebhookGuardService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    /// # Panics
    ///
    /// When another guard, built apart from this one, deduplicates under the same
    /// [namespace](WebhookGuard::namespace) in the same store.
    fn new_transform(&self, service: S) -> Self::Future {
        let guard = self.guard();
        guard.register();
        ready(Ok(WebhookGuardService {
            service: Rc::new(service),
            guard,
        }))
    }
}

/// The per-worker service built by [`WebhookGuard`].
pub struct WebhookGuardService<S> {
    service: Rc<S>,
    guard: Guard,
}

impl<S> std::fmt::Debug for WebhookGuardService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookGuardService")
            .field("guard", &self.guard)
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<ServiceRequest> for WebhookGuardService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        let guard = self.guard.clone();
        Box::pin(async move {
            // Everything up to the handler in a block of its own, as in the tower service: what
            // it moves on (the metadata, the body) then takes no room beside the handler's
            // future, and the future stays small enough for the allocator's per-thread cache.
            let (req, settle) = {
                let verdict = verdict(&guard, &mut req).await;
                let (meta, body, settle) = match verdict.into_result::<bytes::Bytes>() {
                    Ok(delivery) => delivery.into_parts(),
                    Err(res) => {
                        return Ok(req.into_response(to_actix(res)).map_into_right_body());
                    }
                };
                if let Some(claim) = settle.claim() {
                    req.extensions_mut().insert(claim);
                }
                req.extensions_mut().insert(meta);
                req.extensions_mut().insert(RawBody(body.clone()));
                req.set_payload(Payload::from(body));
                (req, settle)
            };
            // If the handler panics or this future is dropped, the claim is released.
            let res = crate::guard::in_span(&settle, service.call(req)).await;
            let success = res.as_ref().is_ok_and(|r| r.status().is_success());
            settle.settle(success).await;
            res.map(ServiceResponse::map_into_left_body)
        })
    }
}

/// What the guard decides about the request: headers, then the payload chunk by chunk within
/// the body timeout, then the dedup admission. An `async fn` of its own: the verdict comes out
/// as its output instead of being built in a slot of the middleware's future, which stays small
/// enough for the allocator's per-thread cache.
async fn verdict(guard: &Guard, req: &mut ServiceRequest) -> Verdict {
    let begun = {
        // actix-web's headers are read where they are (it has its own `http` version): one
        // pass, nothing copied.
        let headers = req.headers();
        let content_length = headers
            .get(actix_web::http::header::CONTENT_LENGTH)
            .map(|v| v.as_bytes());
        let path_and_query = req.uri().path_and_query().map_or("/", |p| p.as_str());
        let pairs = headers
            .iter()
            .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes()));
        guard.begin_pairs(req.method().as_str(), path_and_query, content_length, pairs)
    };
    let mut incoming = match begun {
        Ok(incoming) => incoming,
        Err(r) => return Verdict::Refused(r),
    };
    let mut payload = req.take_payload();
    let read = async {
        while let Some(chunk) = payload.next().await {
            match chunk {
                Ok(bytes) => incoming.push(bytes)?,
                Err(e) => return Err(incoming.read_failed(e)),
            }
        }
        Ok(incoming)
    };
    let incoming = match guard.within_body_timeout(read).await {
        Ok(incoming) => incoming,
        Err(r) => return Verdict::Refused(r),
    };
    // Decided at once with the in-process store: no verdict held across an await.
    match incoming.finish_now() {
        Ok(verdict) => verdict,
        Err(pending) => pending.await,
    }
}

/// An `http` 1.x response (status, headers, body) as an actix response.
fn to_actix(res: http::Response<bytes::Bytes>) -> HttpResponse {
    let (parts, body) = res.into_parts();
    let status = actix_web::http::StatusCode::from_u16(parts.status.as_u16())
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = HttpResponse::build(status);
    for (name, value) in &parts.headers {
        builder.insert_header((name.as_str(), value.as_bytes()));
    }
    builder.body(body)
}

impl ResponseError for Rejection {
    fn status_code(&self) -> actix_web::http::StatusCode {
        actix_web::http::StatusCode::from_u16(self.status().as_u16())
            .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        to_actix(self.to_response())
    }
}

fn missing() -> Rejection {
    tracing::error!(
        "a webhook extractor ran on a request that did not pass through WebhookGuard; \
         wrap this route with it"
    );
    Rejection::new(RejectionKind::VerificationMissing)
}

impl FromRequest for WebhookMeta {
    type Error = Rejection;
    type Future = Ready<Result<Self, Rejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<WebhookMeta>()
                .cloned()
                .ok_or_else(missing),
        )
    }
}

/// The claim on the delivery, for completing it in the handler's own transaction (see
/// [`DeliveryClaim`](crate::dedup::DeliveryClaim)); refused when the guard holds none (no
/// deduplication, or the in-process store).
impl FromRequest for crate::dedup::DeliveryClaim {
    type Error = Rejection;
    type Future = Ready<Result<Self, Rejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<crate::dedup::DeliveryClaim>()
                .cloned()
                .ok_or_else(missing),
        )
    }
}

impl FromRequest for RawBody {
    type Error = Rejection;
    type Future = Ready<Result<Self, Rejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<RawBody>()
                .cloned()
                .ok_or_else(missing),
        )
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Verified<T> {
    type Error = Rejection;
    type Future = Ready<Result<Self, Rejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ext = req.extensions();
        let Some(body) = ext.get::<RawBody>() else {
            return ready(Err(missing()));
        };
        ready(Verified::from_body(&body.0).inspect_err(|r| {
            let scheme = ext.get::<WebhookMeta>().map(|m| m.scheme());
            tracing::warn!(
                scheme,
                code = r.code(),
                reason = r.detail().unwrap_or(""),
                "verified webhook payload does not match the handler's type"
            );
        }))
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for crate::ack::Job<T> {
    type Error = Rejection;
    type Future = Ready<Result<Self, Rejection>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let job = (|| {
            let meta = WebhookMeta::from_request(req, payload).into_inner()?;
            let Verified(event) = Verified::<T>::from_request(req, payload).into_inner()?;
            let raw = RawBody::from_request(req, payload).into_inner()?;
            Ok(crate::ack::Job::new(meta, event, raw.0))
        })();
        ready(job)
    }
}

impl actix_web::Responder for crate::ack::Ack {
    type Body = actix_web::body::BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        to_actix(self.to_response())
    }
}

impl<T: Clone + Send + Sync + 'static> crate::ack::AckQueue<T> {
    /// An actix-web handler that enqueues the request's [`Job<T>`](crate::ack::Job):
    /// `web::post().to(queue.actix_handler())`.
    pub fn actix_handler(
        &self,
    ) -> impl Fn(
        crate::ack::Job<T>,
    ) -> futures_util::future::BoxFuture<'static, Result<crate::ack::Ack, Rejection>>
    + Clone
    + use<T>
    where
        T: serde::de::DeserializeOwned,
    {
        self.handler()
    }
}
