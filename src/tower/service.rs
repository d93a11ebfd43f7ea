use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes, BytesMut};
use http::{Request, Response};
use http_body::Body;
use http_body_util::{BodyExt, Either, Full};
use tower::Service;

use super::layer::Config;
use crate::error::{Rejection, RejectionKind};
use crate::extract::RawBody;
use crate::verify::{VerifyState, WebhookMeta};

/// The service built by [`WebhookLayer`](super::WebhookLayer).
#[derive(Debug, Clone)]
pub struct WebhookService<S> {
    pub(super) inner: S,
    pub(super) config: Arc<Config>,
}

/// The response future of [`WebhookService`].
///
/// Boxed: reading the body, verifying and calling the inner service is one `async` block, which
/// keeps the drop-safety of later steps (releasing a deduplication claim when the handler's
/// future is dropped) in ordinary scoped code. One allocation per request.
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
        Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            let verified = verify_request(&config, &parts.headers, body).await;
            let (meta, body) = match verified {
                Ok(ok) => ok,
                Err(rejection) => {
                    log_rejection(config.verifier.scheme().name(), &rejection);
                    return Ok(rejection.to_response::<Full<Bytes>>().map(Either::Right));
                }
            };
            tracing::debug!(
                scheme = meta.scheme(),
                id = meta.id(),
                event = meta.event_type(),
                secret_index = meta.secret_index(),
                "webhook verified"
            );
            parts.extensions.insert(meta);
            parts.extensions.insert(RawBody(body.clone()));
            let res = inner.call(Request::from_parts(parts, Full::new(body))).await?;
            Ok(res.map(Either::Left))
        })
    }
}

pub(crate) fn log_rejection(scheme: &str, rejection: &Rejection) {
    tracing::warn!(
        scheme,
        code = rejection.code(),
        status = rejection.status().as_u16(),
        reason = rejection.detail().unwrap_or(""),
        "webhook rejected"
    );
}

/// Headers first, then the body chunk by chunk into the HMAC, within the limit.
async fn verify_request<B>(
    config: &Config,
    headers: &http::HeaderMap,
    body: B,
) -> Result<(WebhookMeta, Bytes), Rejection>
where
    B: Body,
    B::Error: std::fmt::Display,
{
    let limit = config.limit;
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(len) = declared
        && len > limit as u64
    {
        return Err(Rejection::with_detail(
            RejectionKind::BodyTooLarge,
            format!("Content-Length {len} exceeds the limit of {limit} bytes"),
        ));
    }
    let mut state = config.verifier.begin(headers)?;
    let body = read_body(body, limit, declared, &mut state).await?;
    let meta = state.finish(&body)?;
    Ok((meta, body))
}

async fn read_body<B>(
    body: B,
    limit: usize,
    declared: Option<u64>,
    state: &mut VerifyState,
) -> Result<Bytes, Rejection>
where
    B: Body,
    B::Error: std::fmt::Display,
{
    let mut body = std::pin::pin!(body);
    // A body that arrives in one frame is handed on as that frame: no copy at all.
    let mut first: Option<Bytes> = None;
    let mut rest = BytesMut::new();
    let mut total: usize = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            Rejection::with_detail(
                RejectionKind::BodyReadFailed,
                format!("reading the body failed after {total} bytes: {e}"),
            )
        })?;
        let Ok(mut data) = frame.into_data() else {
            continue; // trailers carry nothing we verify
        };
        let chunk = data.copy_to_bytes(data.remaining());
        total = total.saturating_add(chunk.len());
        if total > limit {
            return Err(Rejection::with_detail(
                RejectionKind::BodyTooLarge,
                format!("body exceeds the limit of {limit} bytes"),
            ));
        }
        state.update(&chunk);
        match first.take() {
            None if rest.is_empty() => first = Some(chunk),
            prev => {
                if let Some(prev) = prev {
                    let hint = declared.map_or(0, |d| d.min(limit as u64) as usize);
                    rest.reserve(hint.max(prev.len() + chunk.len()));
                    rest.extend_from_slice(&prev);
                }
                rest.extend_from_slice(&chunk);
            }
        }
    }
    Ok(first.unwrap_or_else(|| rest.freeze()))
}
