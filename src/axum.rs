//! axum integration: extractors and `IntoResponse` for rejections.
//!
//! With [`WebhookLayer`](crate::WebhookLayer) on a route, handlers take any of
//! - [`Verified<T>`]: the payload deserialized into `T` (`422 payload_invalid`
//!   when it does not fit);
//! - [`WebhookMeta`]: scheme, delivery id, event type, timestamp, matching
//!   secret;
//! - [`RawBody`]: the verified bytes.
//!
//! All three read the request extensions the layer filled, so they can be combined freely and in
//! any order. On a route without the layer they answer `500 verification_missing` (a server
//! configuration error) and log it.

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{Rejection, RejectionKind};
use crate::extract::{RawBody, Verified};
use crate::verify::WebhookMeta;

fn missing() -> Rejection {
    tracing::error!(
        "a webhook extractor ran on a request that did not pass through WebhookLayer; \
         add the layer to this route"
    );
    Rejection::new(RejectionKind::VerificationMissing)
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        self.to_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for WebhookMeta {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Rejection> {
        parts
            .extensions
            .get::<WebhookMeta>()
            .cloned()
            .ok_or_else(missing)
    }
}

/// The claim on the delivery, for completing it in the handler's own transaction (see
/// [`DeliveryClaim`](crate::dedup::DeliveryClaim)); refused when the layer holds none (no
/// deduplication, or the in-process store).
impl<S: Send + Sync> FromRequestParts<S> for crate::dedup::DeliveryClaim {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Rejection> {
        parts
            .extensions
            .get::<crate::dedup::DeliveryClaim>()
            .cloned()
            .ok_or_else(missing)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RawBody {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Rejection> {
        parts
            .extensions
            .get::<RawBody>()
            .cloned()
            .ok_or_else(missing)
    }
}

impl<T: DeserializeOwned + 'static, S: Send + Sync> FromRequestParts<S> for Verified<T> {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Rejection> {
        let body = parts.extensions.get::<RawBody>().ok_or_else(missing)?;
        Verified::from_body(&body.0).inspect_err(|r| {
            let scheme = parts.extensions.get::<WebhookMeta>().map(|m| m.scheme());
            tracing::warn!(
                scheme,
                code = r.code(),
                reason = r.detail().unwrap_or(""),
                "verified webhook payload does not match the handler's type"
            );
        })
    }
}

impl<T: DeserializeOwned + 'static, S: Send + Sync> FromRequestParts<S> for crate::ack::Job<T> {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Rejection> {
        let meta = WebhookMeta::from_request_parts(parts, state).await?;
        let Verified(event) = Verified::<T>::from_request_parts(parts, state).await?;
        let raw = parts.extensions.get::<RawBody>().ok_or_else(missing)?;
        Ok(crate::ack::Job::new(meta, event, raw.0.clone()))
    }
}

impl IntoResponse for crate::ack::Ack {
    fn into_response(self) -> Response {
        self.to_response()
    }
}

impl<T: Clone + Send + Sync + 'static> crate::ack::AckQueue<T> {
    /// An axum handler that enqueues the request's [`Job<T>`](crate::ack::Job): `post(queue.axum_handler())`.
    pub fn axum_handler(
        &self,
    ) -> impl Fn(
        crate::ack::Job<T>,
    ) -> futures_util::future::BoxFuture<'static, Result<crate::ack::Ack, Rejection>>
    + Clone
    + Send
    + Sync
    + use<T>
    where
        T: serde::de::DeserializeOwned,
    {
        self.handler()
    }
}
