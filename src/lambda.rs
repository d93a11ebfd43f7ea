//! AWS Lambda through `lambda_http`: the tower layer in front of a Lambda handler.
//!
//! [`WebhookLayer`] already fits `lambda_http::run`: the layered service takes a
//! `lambda_http::Request` (its body is an `http_body::Body`), and its response and error are
//! what `run` answers with. What does not fit is the handler behind it, which the layer hands a
//! `Request<Full<Bytes>>` and expects an `http::Response` of a `Bytes` body from. [`service`]
//! is the glue: it puts the layer in front of an ordinary `lambda_http` handler, one that takes a
//! `lambda_http::Request` and answers anything `lambda_http::IntoResponse` takes (a `String`, a
//! `serde_json::Value`, a `Response<Body>`, …). The handler gets the verified body (as `Text`
//! when it is UTF-8, else `Binary`) and, in the request extensions, [`WebhookMeta`](crate::WebhookMeta),
//! [`RawBody`] and the [`DeliveryClaim`](crate::dedup::DeliveryClaim) as on axum, next to
//! `lambda_http`'s own (`RequestExt::request_context`, the query string, …). A 2xx answer
//! completes the delivery's claim; any other answer or an error releases it.
//!
//! Deduplication across invocations needs a store the function's instances share
//! ([`RedisStore`](crate::dedup), `PostgresStore`): each Lambda instance is its own process,
//! and a [`MemoryStore`](crate::dedup::MemoryStore) only sees the deliveries its instance took.
//! API Gateway HTTP APIs (payload format 2.0) and function URLs are the events understood (the
//! `apigw_http` feature of `lambda_http`).
//!
//! ```no_run
//! use lambda_http::{Error, Request, service_fn};
//! use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer, WebhookMeta};
//!
//! async fn handle(req: Request) -> Result<serde_json::Value, Error> {
//!     let meta = req.extensions().get::<WebhookMeta>().expect("behind the layer");
//!     Ok(serde_json::json!({ "received": meta.event_type(), "id": meta.id() }))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     let secret = Secret::new(std::env::var("WEBHOOK_SECRET")?)?;
//!     let layer = WebhookLayer::new(Verifier::new(Scheme::github(), secret));
//!     lambda_http::run(webhook_guard::lambda::service(layer, service_fn(handle))).await
//! }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::Full;
use tower::{Layer, Service};

use crate::extract::RawBody;
use crate::tower::{WebhookLayer, WebhookService};

/// Put `layer` in front of a `lambda_http` handler; the result is what `lambda_http::run` takes.
/// See the [module docs](self).
///
/// # Panics
///
/// As [`WebhookLayer`]'s `layer`: when another guard, built apart from this one, deduplicates
/// under the same namespace in the same store.
pub fn service<S>(layer: WebhookLayer, handler: S) -> WebhookService<Handler<S>> {
    layer.layer(Handler(handler))
}

/// A `lambda_http` handler behind [`WebhookLayer`]: the verified request back in `lambda_http`'s
/// types on the way in, the handler's answer through `lambda_http::IntoResponse` on the way out.
/// Made by [`service`].
#[derive(Debug, Clone)]
pub struct Handler<S>(S);

impl<S, R> Service<http::Request<Full<Bytes>>> for Handler<S>
where
    S: Service<lambda_http::Request, Response = R>,
    S::Future: Send + 'static,
    R: lambda_http::IntoResponse,
{
    type Response = http::Response<lambda_http::Body>;
    type Error = S::Error;
    type Future =
        Pin<Box<dyn Future<Output = Result<http::Response<lambda_http::Body>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Full<Bytes>>) -> Self::Future {
        // The verified bytes are in the extensions (the `Full` body holds the same `Bytes`):
        // copied once into `lambda_http`'s owned body.
        let (parts, _) = req.into_parts();
        let body = match parts.extensions.get::<RawBody>() {
            Some(RawBody(bytes)) if bytes.is_empty() => lambda_http::Body::Empty,
            Some(RawBody(bytes)) => match std::str::from_utf8(bytes) {
                Ok(text) => lambda_http::Body::Text(text.to_owned()),
                Err(_) => lambda_http::Body::Binary(bytes.to_vec()),
            },
            None => lambda_http::Body::Empty,
        };
        let answer = self.0.call(http::Request::from_parts(parts, body));
        Box::pin(async move {
            let response = match answer.await {
                Ok(answer) => answer.into_response(),
                Err(e) => return Err(e),
            };
            Ok(response.await)
        })
    }
}
