use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::{Either, Full};
use tower::Service;

use crate::extract::RawBody;
use crate::guard::Guard;

/// The service built by [`WebhookLayer`](super::WebhookLayer).
#[derive(Debug, Clone)]
pub struct WebhookService<S> {
    pub(super) inner: S,
    pub(super) guard: Guard,
}

/// The response future of [`WebhookService`]: the handler's response, or the guard's refusal.
///
/// One allocation per request: reading the body, verifying, claiming and calling the inner
/// service run as one boxed `async` block, which keeps the claim's drop-safety (released when
/// the handler's future is dropped or panics) in ordinary scoped code. The allocation stays
/// small enough for the allocator's per-thread cache (`tests/allocations/guarded_request.rs` holds it
/// there). The type is opaque, so how it is built can change without breaking callers.
pub struct ResponseFuture<ResBody, E> {
    inner: Pin<Box<dyn Future<Output = Answer<ResBody, E>> + Send>>,
}

/// The handler's response (left) or the guard's refusal (right).
type Answer<ResBody, E> = Result<Response<Either<ResBody, Full<Bytes>>>, E>;

impl<ResBody, E> Future for ResponseFuture<ResBody, E> {
    type Output = Answer<ResBody, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl<ResBody, E> std::fmt::Debug for ResponseFuture<ResBody, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for WebhookService<S>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Body + Send + 'static,
    ReqBody::Data: Send,
    ReqBody::Error: std::fmt::Display,
    ResBody: Body<Data = Bytes> + Send + 'static,
{
    type Response = Response<Either<ResBody, Full<Bytes>>>;
    type Error = S::Error;
    type Future = ResponseFuture<ResBody, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        // Take the service that was driven to readiness; leave a clone in its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let guard = self.guard.clone();
        // Split before the future is built: a captured request would keep its space in the
        // future beside the parts taken out of it.
        let (mut parts, body) = req.into_parts();
        let future = Box::pin(async move {
            // Everything up to the handler in a block of its own: what it takes out of the
            // request and moves on (the metadata, the body) then has no room in the future
            // beside the handler's own future, which keeps the one allocation small.
            let (req, settle) = {
                let delivery = match guard.check(&parts, body).await.into_result() {
                    Ok(delivery) => delivery,
                    Err(answer) => return Ok(answer.map(Either::Right)),
                };
                let (meta, body, settle) = delivery.into_parts();
                if let Some(claim) = settle.claim() {
                    parts.extensions.insert(claim);
                }
                parts.extensions.insert(meta);
                parts.extensions.insert(RawBody(body.clone()));
                (Request::from_parts(parts, Full::new(body)), settle)
            };
            // If the handler panics or this future is dropped, the claim is released. The
            // handler runs in the delivery's span (entered at each poll, as `Instrument` does,
            // without a second copy of the span in this future).
            let res = crate::guard::in_span(&settle, inner.call(req)).await?;
            settle.settle(res.status().is_success()).await;
            Ok(res.map(Either::Left))
        });
        ResponseFuture { inner: future }
    }
}
