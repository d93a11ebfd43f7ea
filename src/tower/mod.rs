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
//! `Router::layer` guards every route of an axum router, `Router::route_layer` only its routes
//! (unmatched paths stay `404`), and the layer works in a `tower::ServiceBuilder` in front of any
//! tower or hyper service.
//!
//! # Limits and timeouts: hostile clients
//!
//! The layer bounds *size* and *time* by default:
//! - the body limit ([`DEFAULT_BODY_LIMIT`], 1 MiB;
//!   [`WebhookLayer::body_limit`]): `413` from `Content-Length`, or as soon as a chunked body
//!   passes the limit, never buffering more. After a `413` the guard reads and discards what
//!   follows of the body (up to 2 MiB, for up to 1 s) before the connection closes, so a
//!   client that writes its whole body before reading (Python's `http.client`, hyper's client)
//!   reads the `413` instead of a connection reset;
//! - the body timeout ([`DEFAULT_BODY_TIMEOUT`](crate::DEFAULT_BODY_TIMEOUT), 10 s;
//!   [`WebhookLayer::body_timeout`], `None` to turn it off): a body that has not fully arrived
//!   10 s after its request reached the guard gets `408 body_timeout`, so a client that
//!   announces a body and stalls, or trickles a byte a second, holds no task or buffer past
//!   that.
//!
//! Everything else a hostile client can send is answered with a 4xx and a code: invalid UTF-8
//! in a header read, different repeated signature headers (identical copies pass), a space
//! inside an id or a tab inside an event type, very long values, timestamps like `-1`, `1e20`,
//! `0x10` or `99999999999999999999`, a `Content-Length` shorter than the body (what was read is
//! verified: `signature_mismatch`) or longer than what arrives (`body_read_failed`). Requests
//! beyond the HTTP stack's own limits never reach the layer (hyper answers `431` itself for
//! more than 100 headers or a head over about 400 KiB, and `400` for a malformed
//! `Content-Length`). HTTP strips leading and trailing spaces of header values, so `" 123"`
//! arrives as `123`.
//!
//! The request *head* is the server's to bound. actix-web cuts a head that takes over 5 s
//! (`client_request_timeout`); `axum::serve` sets no timer, so serve through hyper's
//! `http1::Builder` with a header-read timeout instead (the example receivers do):
//!
//! ```no_run
//! use std::time::Duration;
//! use hyper::server::conn::http1;
//! use hyper_util::rt::{TokioIo, TokioTimer};
//! use hyper_util::service::TowerToHyperService;
//!
//! # async fn serve(listener: tokio::net::TcpListener, app: axum::Router) -> std::io::Result<()> {
//! loop {
//!     let (stream, _) = listener.accept().await?;
//!     let service = TowerToHyperService::new(app.clone());
//!     tokio::spawn(
//!         http1::Builder::new()
//!             .timer(TokioTimer::new())
//!             .header_read_timeout(Duration::from_secs(10)) // a head that never ends is cut
//!             .serve_connection(TokioIo::new(stream), service),
//!     );
//! }
//! # }
//! ```
//!
//! To also bound the handler, or the whole router, put tower-http's `TimeoutLayer` outside the
//! guard, e.g. `.layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT,
//! Duration::from_secs(30)))`.
//!
//! # With axum
//!
//! ```
//! use axum::{Router, routing::post};
//! use webhook_guard::{Scheme, Secret, Verified, Verifier, WebhookLayer, WebhookMeta};
//! use webhook_guard::events::stripe::Event;
//!
//! async fn on_stripe(meta: WebhookMeta, Verified(event): Verified<Event>) -> &'static str {
//!     println!("{} {:?}", event.event_type, meta.id());
//!     "ok"
//! }
//!
//! # fn app() -> Result<Router, webhook_guard::SecretError> {
//! let verifier = Verifier::new(Scheme::stripe(), Secret::new("whsec_your_stripe_signing_secret")?);
//! let app: Router = Router::new()
//!     .route("/webhooks/stripe", post(on_stripe))
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
//! let secret = Secret::new("whsec_your_stripe_signing_secret")?;
//! let svc = ServiceBuilder::new()
//!     .layer(WebhookLayer::new(Verifier::new(Scheme::stripe(), secret.clone())).body_limit(64 * 1024))
//!     .service(service_fn(|req: Request<Full<Bytes>>| async move {
//!         let id = req.extensions().get::<WebhookMeta>().and_then(|m| m.id()).unwrap_or("?").to_owned();
//!         Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(id))))
//!     }));
//!
//! let req = Delivery::new(Scheme::stripe(), r#"{"id":"evt_1","type":"invoice.paid"}"#)
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
