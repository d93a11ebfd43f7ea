use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use http::{Request, Response};
use http_body::Body;
use http_body_util::{BodyExt, Either, Full};
use tower::Service;

use crate::dedup::{Admission, Admitting, admit_start};
use crate::error::{Rejection, RejectionKind};
use crate::extract::RawBody;
use crate::pipeline::{DRAIN_AFTER_413, Pipeline, duplicate_response};
use crate::verify::WebhookMeta;

/// The service built by [`WebhookLayer`](super::WebhookLayer).
#[derive(Debug, Clone)]
pub struct WebhookService<S> {
    pub(super) inner: S,
    pub(super) config: Arc<Pipeline>,
}

/// The response future of [`WebhookService`].
///
/// Boxed: reading the body, verifying, claiming and calling the inner service is one `async`
/// block, which keeps the drop-safety of the claim (released when the handler's future is
/// dropped or panics) in ordinary scoped code. One allocation per request, under 1 KiB with
/// axum's route as the inner service (the dedup store's round trips, with a store other than
/// the in-process one, are boxed apart so that they do not widen it).
pub type ResponseFuture<ResBody, E> =
    Pin<Box<dyn Future<Output = Result<Response<Either<ResBody, Full<Bytes>>>, E>> + Send>>;

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
        let config = self.config.clone();
        // Split before the future is built: a captured request would keep its space in the
        // future beside the parts taken out of it.
        let (mut parts, body) = req.into_parts();
        Box::pin(async move {
            // Everything up to the handler in a block of its own: what it takes out of the
            // request and moves on (the metadata, the body) then has no room in the future
            // beside the handler's own future. The future lives in one allocation, small enough
            // for the allocator's per-thread cache (glibc's tcache: up to 1,032 bytes, which
            // `tests/layer_allocations.rs` holds it to; BENCHMARKS.md, ninth run).
            let (req, guard) = {
                let read = read_and_verify(&config, &parts, body);
                let (meta, body) = match config.within_body_timeout(read).await {
                    Ok(ok) => ok,
                    Err(r) => return Ok(reject(&config, r)),
                };
                let guard = match &config.dedup {
                    None => None,
                    Some(dedup) => {
                        let admission =
                            match admit_start(dedup, &meta, config.verifier.scheme(), &body) {
                                Admitting::Now(admission) => admission,
                                Admitting::Pending(admission) => admission.await,
                            };
                        match admission {
                            Admission::Proceed(guard) => guard,
                            Admission::Duplicate => {
                                config.duplicate(&meta);
                                return Ok(duplicate_response::<Full<Bytes>>().map(Either::Right));
                            }
                            Admission::Reject(r) => return Ok(reject(&config, r)),
                        }
                    }
                };
                if let Some(claim) = guard.as_ref().and_then(|g| g.delivery_claim()) {
                    parts.extensions.insert(claim);
                }
                parts.extensions.insert(meta);
                parts.extensions.insert(RawBody(body.clone()));
                (Request::from_parts(parts, Full::new(body)), guard)
            };
            // If the handler panics or this future is dropped, the guard releases the claims.
            let res = inner.call(req).await?;
            if let Some(settling) = guard.and_then(|g| g.settle_start(res.status().is_success())) {
                settling.await;
            }
            Ok(res.map(Either::Left))
        })
    }
}

/// A refused delivery's response, logged and counted.
fn reject<B>(config: &Pipeline, r: Rejection) -> Response<Either<B, Full<Bytes>>> {
    config.rejected(&r);
    r.to_response::<Full<Bytes>>().map(Either::Right)
}

/// Headers first, then the body frame by frame into the HMAC, within the limit; past the
/// limit, what follows of the body is drained before the `413` is answered.
async fn read_and_verify<B>(
    config: &Pipeline,
    parts: &http::request::Parts,
    body: B,
) -> Result<(WebhookMeta, Bytes), Rejection>
where
    B: Body,
    B::Error: std::fmt::Display,
{
    let mut body = std::pin::pin!(body);
    let target = crate::verify::Target::of(&parts.method, &parts.uri);
    let too_large = match config.begin(target, &parts.headers) {
        Ok(mut collector) => loop {
            let Some(frame) = body.frame().await else {
                return collector.finish();
            };
            let frame = frame.map_err(|e| collector.read_failed(e))?;
            if let Ok(mut data) = frame.into_data() {
                match collector.push(data.copy_to_bytes(data.remaining())) {
                    Ok(()) => {}
                    Err(r) if r.kind() == RejectionKind::BodyTooLarge => break r,
                    Err(r) => return Err(r),
                }
            }
        },
        Err(r) if r.kind() == RejectionKind::BodyTooLarge => r,
        Err(r) => return Err(r),
    };
    // Boxed: a rare path, kept out of the size of every request's future.
    Box::pin(drain(&parts.headers, body)).await;
    Err(too_large)
}

/// After a `413`, read and discard what follows of the body, within [`DRAIN_AFTER_413`]. A
/// client that writes its whole body before it reads (Python's `http.client`, hyper's client)
/// would otherwise have its connection reset by the unread bytes, and see a broken pipe instead
/// of the answer. Not for a client that waits for `100 Continue`: it has sent nothing and sends
/// nothing once it has the answer.
async fn drain<B: Body>(headers: &http::HeaderMap, mut body: Pin<&mut B>) {
    let expects_continue = headers
        .get(http::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    if expects_continue {
        return;
    }
    let (most, within) = DRAIN_AFTER_413;
    let discard = async {
        let mut read = 0usize;
        while read < most {
            match body.frame().await {
                Some(Ok(frame)) => read += frame.data_ref().map_or(0, Buf::remaining),
                _ => return,
            }
        }
    };
    let _ = tokio::time::timeout(within, discard).await;
}
