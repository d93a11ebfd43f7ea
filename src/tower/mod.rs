//! The tower middleware: [`WebhookLayer`] and [`WebhookService`].
//!
//! For every request the service
//! 1. answers `413 body_too_large` at once when `Content-Length` exceeds the limit;
//! 2. checks the headers with the [`Verifier`](crate::Verifier) (signature syntax, timestamp
//!    window, delivery id) and answers `400`/`401` without reading the body when they fail;
//! 3. reads the body frame by frame, feeding each chunk into the HMAC as it arrives and stopping
//!    with `413` as soon as the limit is passed (it never buffers more than the limit);
//! 4. finishes the HMAC and compares in constant time;
//! 5. calls the inner service with the verified body and, in the request extensions, the
//!    [`WebhookMeta`](crate::WebhookMeta) and the [`RawBody`](crate::RawBody) (the same `Bytes`
//!    that were hashed).
//!
//! Rejections are answered as JSON, `{"error": "<code>", "message": "…"}`, with the status of the
//! [`RejectionKind`](crate::RejectionKind), and logged at `WARN` with the reason in detail.
//!
//! The inner service receives `Request<Full<Bytes>>` and may answer with any body whose data is
//! `Bytes`; the layer's response body is `Either<inner body, Full<Bytes>>`.
//!
//! # With axum
//!
//! ```
//! use axum::{Router, routing::post};
//! use webhook_guard::{Scheme, Secret, Verified, Verifier, WebhookLayer, WebhookMeta};
//! use webhook_guard::events::heppu::Event;
//!
//! async fn on_heppu(meta: WebhookMeta, Verified(event): Verified<Event>) -> &'static str {
//!     println!("{} {:?}", event.event_type(), meta.id());
//!     "ok"
//! }
//!
//! # fn app() -> Result<Router, webhook_guard::SecretError> {
//! let verifier = Verifier::new(Scheme::heppu(), Secret::new("whsec_your_secret_key_here")?);
//! let app: Router = Router::new()
//!     .route("/webhooks/heppu", post(on_heppu))
//!     .route_layer(WebhookLayer::new(verifier));
//! # Ok(app) }
//! # app().unwrap();
//! ```
//!
//! # With plain tower
//!
//! ```
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use http_body_util::Full;
//! use std::convert::Infallible;
//! use tower::{ServiceBuilder, ServiceExt, service_fn};
//! use webhook_guard::testing::Delivery;
//! use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer, WebhookMeta};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secret = Secret::new("a-helicone-hmac-key-0123456789")?;
//! let svc = ServiceBuilder::new()
//!     .layer(WebhookLayer::new(Verifier::new(Scheme::helicone(), secret.clone())).body_limit(64 * 1024))
//!     .service(service_fn(|req: Request<Full<Bytes>>| async move {
//!         let id = req.extensions().get::<WebhookMeta>().and_then(|m| m.id()).unwrap_or("?").to_owned();
//!         Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(id))))
//!     }));
//!
//! let req = Delivery::new(Scheme::helicone(), r#"{"request_id":"req-1"}"#)
//!     .sign(&secret)
//!     .into_request::<Full<Bytes>>("/hook");
//! let res = svc.clone().oneshot(req).await?;
//! assert_eq!(res.status(), 200);
//!
//! let forged = Request::post("/hook").body(Full::new(Bytes::from("{}")))?;
//! let res = svc.oneshot(forged).await?;
//! assert_eq!(res.status(), 401);
//! # Ok(()) }
//! ```

mod layer;
mod service;

pub use crate::pipeline::DEFAULT_BODY_LIMIT;
pub use layer::WebhookLayer;
pub use service::{ResponseFuture, WebhookService};
