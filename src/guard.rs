//! The guard without a framework: verify, deduplicate and settle deliveries from any server.
//!
//! A [`Guard`] is configured once (verifier, body limit and timeout, deduplication, namespace,
//! stats), like the tower layer and the actix-web middleware, which are built on it. Each request
//! then goes through a small state machine that any server can drive:
//!
//! 1. [`Guard::begin`] with the request line and headers: the declared length against the limit,
//!    the signature's syntax, the timestamp window, the delivery id; a refusal comes before any
//!    body is read.
//! 2. [`Incoming::push`] each body chunk as it arrives: it is hashed at once, and refused as soon
//!    as the limit is passed. [`Guard::within_body_timeout`] bounds the whole read.
//! 3. [`Incoming::finish`]: the signature is checked and the delivery admitted by the dedup store.
//!    The [`Verdict`] says what to answer: run the handler ([`Verdict::Proceed`] with the
//!    [`Delivery`]: its [`WebhookMeta`], its verified bytes and its claim), answer a duplicate,
//!    or refuse.
//! 4. [`Delivery::settle`] (or [`Settle::settle`]) with whether the handler succeeded: the
//!    delivery is marked done on success, released for the sender's retry otherwise. Dropping it
//!    unsettled (a panic, a cancelled request) releases it too.
//!
//! Every refusal the guard returns has already been logged at `WARN` and counted in the
//! [`Stats`](crate::stats::Stats); [`Rejection::to_response`] gives its status, `Retry-After`
//! and JSON body, [`duplicate_response`] the duplicate's answer. For servers whose bodies are
//! [`http_body::Body`] (hyper, and everything on it), [`Guard::check`] runs steps 1 to 3 at once.
//!
//! # A plain hyper service
//!
//! ```
//! use std::convert::Infallible;
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use http_body_util::Full;
//! use hyper::server::conn::http1;
//! use hyper::service::service_fn;
//! use hyper_util::rt::TokioIo;
//! use webhook_guard::dedup::MemoryStore;
//! use webhook_guard::guard::Guard;
//! use webhook_guard::{Scheme, Secret, Verifier, WebhookMeta};
//!
//! /// Every request: the guard, then the handler, then the settlement.
//! async fn serve(
//!     guard: Guard,
//!     req: Request<hyper::body::Incoming>,
//! ) -> Result<Response<Full<Bytes>>, Infallible> {
//!     let (parts, body) = req.into_parts();
//!     let delivery = match guard.check(&parts, body).await.into_result() {
//!         Ok(delivery) => delivery,
//!         Err(answer) => return Ok(answer), // refused, or a duplicate: logged, counted
//!     };
//!     let ok = handle(delivery.meta(), delivery.body()).await;
//!     // Done on success; released on failure, so that the sender's retry is processed.
//!     delivery.settle(ok).await;
//!     let status = if ok { 200 } else { 500 };
//!     Ok(Response::builder().status(status).body(Full::default()).unwrap())
//! }
//!
//! async fn handle(meta: &WebhookMeta, body: &Bytes) -> bool {
//!     println!("{:?} {:?}: {} bytes", meta.event_type(), meta.id(), body.len());
//!     true
//! }
//!
//! async fn run(listener: tokio::net::TcpListener, guard: Guard) -> std::io::Result<()> {
//!     guard.register(); // once, at start-up
//!     loop {
//!         let (stream, _) = listener.accept().await?;
//!         let guard = guard.clone();
//!         let service = service_fn(move |req| serve(guard.clone(), req));
//!         tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secret = Secret::new("a-github-secret-0123456789")?;
//! let guard = Guard::new(Verifier::new(Scheme::github(), secret.clone())).dedup(MemoryStore::default());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! # let addr = listener.local_addr()?;
//! # let server = tokio::spawn(run(listener, guard));
//! # let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
//! #     .build_http::<Full<Bytes>>();
//! # let send = |d: webhook_guard::testing::SignedDelivery| client.request(d.into_request(&format!("http://{addr}/hook")));
//! // A delivery signed as GitHub signs, and the sender's retry of it.
//! let d = webhook_guard::testing::Delivery::new(Scheme::github(), r#"{"zen":"hi"}"#)
//!     .id("d-1")
//!     .event("ping")
//!     .sign(&secret);
//! # let first = send(d.clone()).await?;
//! # assert_eq!(first.status(), 200);
//! # let retry = http_body_util::BodyExt::collect(send(d.clone()).await?.into_body()).await?.to_bytes();
//! # assert_eq!(retry, r#"{"duplicate":true}"#);
//! # let mut forged = d;
//! # forged.body = Bytes::from_static(b"{}");
//! # assert_eq!(send(forged).await?.status(), 401);
//! # server.abort();
//! # Ok(()) }
//! ```
//!
//! # A server the crate has no adapter for
//!
//! Any server that hands out the method, the request target, the headers as bytes and the body as
//! chunks can drive the state machine itself. Here a made-up server's request stands for one:
//!
//! ```
//! use bytes::Bytes;
//! use webhook_guard::guard::{Guard, Verdict};
//! use webhook_guard::testing::Delivery;
//! use webhook_guard::{Scheme, Secret, Verifier};
//!
//! /// What some server hands its handlers.
//! struct ServerRequest { method: String, target: String, headers: Vec<(String, Vec<u8>)>, chunks: Vec<Bytes> }
//!
//! async fn guarded(guard: &Guard, req: ServerRequest) -> (u16, String) {
//!     let headers = req.headers.iter().map(|(n, v)| (n.as_bytes(), v.as_slice()));
//!     let mut incoming = match guard.begin_with(&req.method, &req.target, headers) {
//!         Ok(incoming) => incoming,
//!         Err(r) => return (r.status().as_u16(), r.code().to_owned()),
//!     };
//!     let read = async {
//!         for chunk in req.chunks {
//!             incoming.push(chunk)?; // a real server awaits its next chunk here
//!         }
//!         Ok(incoming)
//!     };
//!     let incoming = match guard.within_body_timeout(read).await {
//!         Ok(incoming) => incoming,
//!         Err(r) => return (r.status().as_u16(), r.code().to_owned()),
//!     };
//!     match incoming.finish().await {
//!         Verdict::Proceed(delivery) => {
//!             let text = format!("handled {}", delivery.meta().id().unwrap_or("-"));
//!             delivery.settle(true).await;
//!             (200, text)
//!         }
//!         Verdict::Duplicate(_) => (200, "duplicate".into()),
//!         Verdict::Refused(r) => (r.status().as_u16(), r.code().to_owned()),
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secret = Secret::new("a-stripe-secret-0123456789")?;
//! let guard = Guard::new(Verifier::new(Scheme::stripe(), secret.clone()));
//! let d = Delivery::new(Scheme::stripe(), r#"{"id":"evt_1","type":"invoice.paid"}"#).sign(&secret);
//! let req = |body: &'static [u8]| ServerRequest {
//!     method: "POST".into(),
//!     target: "/hook".into(),
//!     headers: d.headers.iter().map(|(n, v)| (n.to_string(), v.as_bytes().to_vec())).collect(),
//!     chunks: vec![Bytes::from_static(&body[..5]), Bytes::from_static(&body[5..])],
//! };
//! assert_eq!(guarded(&guard, req(br#"{"id":"evt_1","type":"invoice.paid"}"#)).await, (200, "handled evt_1".into()));
//! assert_eq!(guarded(&guard, req(br#"{"id":"evt_1","type":"invoice.lost"}"#)).await.1, "signature_mismatch");
//! # Ok(()) }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use http::HeaderMap;
use http_body::Body;
use http_body_util::BodyExt;

use crate::dedup::{Admission, Admitting, ClaimGuard, DeliveryClaim, admit_start};
use crate::error::{Rejection, RejectionKind};
use crate::pipeline::{BodyCollector, DRAIN_AFTER_413, Pipeline};
use crate::verify::{Target, Verifier, WebhookMeta};

pub use crate::pipeline::{DEFAULT_BODY_LIMIT, DEFAULT_BODY_TIMEOUT, duplicate_response};

/// A webhook guard, configured once and shared by every request (cloning is cheap). The tower
/// layer and the actix-web middleware are this guard put in front of a service; use it directly
/// on any other server. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Guard {
    pub(crate) config: Arc<Pipeline>,
}

crate::pipeline::guard_builder!(Guard);

impl Guard {
    /// The verifier in use.
    pub fn verifier(&self) -> &Verifier {
        &self.config.verifier
    }

    /// Check, once at start-up, that no other guard deduplicates under this guard's
    /// [namespace](Guard::namespace) in the same store: a second guard there would answer this
    /// one's deliveries as duplicates and never run its handler. The adapters call it when the
    /// guard is put in front of a service; clones of one guard are one guard.
    ///
    /// # Panics
    ///
    /// When another live guard, built apart from this one, deduplicates under the same namespace
    /// in the same store (the message names the namespace and the fix).
    pub fn register(&self) {
        self.config.register();
    }

    /// Begin a request from its `http` request line and headers: the declared length against
    /// the body limit, then the verifier's checks of the headers (signature syntax, timestamp
    /// window, delivery id). Refused deliveries are refused here, before any body is read.
    pub fn begin(
        &self,
        method: &http::Method,
        uri: &http::Uri,
        headers: &HeaderMap,
    ) -> Result<Incoming, Rejection> {
        self.config
            .begin(Target::of(method, uri), headers)
            .map(Incoming)
    }

    /// [`begin`](Guard::begin) for a server with its own header types: the method, the request
    /// target as received (path and query, `/hooks/twilio?x=1`) and the headers as
    /// (name, value) byte pairs in the order received, read in place. Names must be lowercase,
    /// as HTTP/2 and most servers give them; a name in another case is not matched. The
    /// `Content-Length` header, if any, is read from the pairs.
    pub fn begin_with<'h, I>(
        &self,
        method: &str,
        path_and_query: &str,
        headers: I,
    ) -> Result<Incoming, Rejection>
    where
        I: IntoIterator<Item = (&'h [u8], &'h [u8])>,
        I::IntoIter: Clone,
    {
        let headers = headers.into_iter();
        let content_length = headers
            .clone()
            .find(|(name, _)| *name == b"content-length")
            .map(|(_, value)| value);
        self.begin_pairs(method, path_and_query, content_length, headers)
    }

    /// [`begin_with`](Guard::begin_with) with the content length found by the caller, for the
    /// adapters, which read it from their own header maps.
    pub(crate) fn begin_pairs<'h, I, N, V>(
        &self,
        method: &str,
        path_and_query: &str,
        content_length: Option<&[u8]>,
        headers: I,
    ) -> Result<Incoming, Rejection>
    where
        I: IntoIterator<Item = (N, V)>,
        N: crate::scheme::HeaderBytes<'h>,
        V: crate::scheme::HeaderBytes<'h>,
    {
        let target = Target {
            method: method.as_bytes(),
            path_and_query: path_and_query.as_bytes(),
        };
        self.config
            .begin_pairs(target, content_length, headers)
            .map(Incoming)
    }

    /// Bound the body's reading (`read`, which ends with the last chunk pushed) by the guard's
    /// body timeout, if it has one: past it, `408 body_timeout`. Needs the Tokio timer.
    pub fn within_body_timeout<T, F>(
        &self,
        read: F,
    ) -> impl Future<Output = Result<T, Rejection>> + use<T, F>
    where
        F: Future<Output = Result<T, Rejection>>,
    {
        self.config.within_body_timeout(read)
    }

    /// Steps 1 to 3 for an [`http_body::Body`] (hyper's, and every server's built on it): begin
    /// with the request's parts, read the body frame by frame within the limit and the body
    /// timeout, verify and admit. A body refused as too large is read on and discarded for a
    /// little while (at most 2 MiB, for at most 1 s; not when the client waits for
    /// `100 Continue`), so that a client that writes its whole body before reading gets the
    /// `413` instead of a reset connection.
    pub async fn check<B>(&self, parts: &http::request::Parts, body: B) -> Verdict
    where
        B: Body,
        B::Error: std::fmt::Display,
    {
        let read = read_body(&self.config, parts, body);
        let incoming = match self.config.within_body_timeout(read).await {
            Ok(incoming) => incoming,
            Err(r) => return Verdict::Refused(r),
        };
        // Decided at once with the in-process store: no verdict held across an await (it would
        // widen this future, and the tower service's around it, by its size).
        match incoming.finish_now() {
            Ok(verdict) => verdict,
            Err(pending) => pending.await,
        }
    }
}

/// Headers first, then the body frame by frame into the verifier, within the limit; past the
/// limit, what follows of the body is drained before the `413` is answered.
async fn read_body<B>(
    config: &Arc<Pipeline>,
    parts: &http::request::Parts,
    body: B,
) -> Result<Incoming, Rejection>
where
    B: Body,
    B::Error: std::fmt::Display,
{
    let mut body = std::pin::pin!(body);
    let target = Target::of(&parts.method, &parts.uri);
    let too_large = match config.begin(target, &parts.headers) {
        Ok(mut collector) => loop {
            let Some(frame) = body.frame().await else {
                return Ok(Incoming(collector));
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
async fn drain<B: Body>(headers: &HeaderMap, mut body: Pin<&mut B>) {
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

/// A request whose headers passed, absorbing its body. Made by [`Guard::begin`].
pub struct Incoming(BodyCollector);

impl std::fmt::Debug for Incoming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Incoming").finish_non_exhaustive()
    }
}

impl Incoming {
    /// Absorb the next body chunk: hashed at once, kept for the handler. Past the body limit,
    /// `413 body_too_large` (stop reading; the request is refused).
    pub fn push(&mut self, chunk: Bytes) -> Result<(), Rejection> {
        self.0.push(chunk)
    }

    /// The refusal for a body whose reading failed (`400 body_read_failed`), with the server's
    /// error as the reason in the log.
    pub fn read_failed(&self, error: impl std::fmt::Display) -> Rejection {
        self.0.read_failed(error)
    }

    /// The whole body arrived: check the signature, then admit the delivery through the dedup
    /// store (one round trip for a store other than the in-process one).
    pub fn finish(self) -> Finishing {
        Finishing(match self.finish_now() {
            Ok(verdict) => Some(Ok(verdict)),
            Err(pending) => Some(Err(pending)),
        })
    }

    /// [`finish`](Incoming::finish), decided at once unless the dedup store must be asked.
    pub(crate) fn finish_now(self) -> Result<Verdict, PendingVerdict> {
        let (config, verified) = self.0.finish();
        match verified {
            Ok((meta, body)) => config.admit(meta, body),
            Err(r) => Ok(Verdict::Refused(r)),
        }
    }
}

/// The signature check and dedup admission of a delivery; see [`Incoming::finish`].
#[must_use = "the verdict comes when this future is awaited"]
pub struct Finishing(Option<Result<Verdict, PendingVerdict>>);

impl std::fmt::Debug for Finishing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finishing").finish_non_exhaustive()
    }
}

impl Future for Finishing {
    type Output = Verdict;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Verdict> {
        match self.0.take() {
            Some(Ok(verdict)) => Poll::Ready(verdict),
            Some(Err(mut pending)) => match pending.as_mut().poll(cx) {
                Poll::Ready(verdict) => Poll::Ready(verdict),
                Poll::Pending => {
                    self.0 = Some(Err(pending));
                    Poll::Pending
                }
            },
            None => panic!("`Finishing` polled after it completed"),
        }
    }
}

/// What the guard decided about a delivery.
#[derive(Debug)]
// Boxing the delivery would cost an allocation per request; a verdict is matched at once.
#[allow(clippy::large_enum_variant)]
pub enum Verdict {
    /// Verified and admitted: run the handler, then [settle](Delivery::settle) the delivery.
    Proceed(Delivery),
    /// A duplicate of a delivery processed before: answer [`duplicate_response`]
    /// (`200 {"duplicate":true}`) without running the handler.
    Duplicate(WebhookMeta),
    /// Refused: answer [`Rejection::to_response`] (its status, `Retry-After` where the sender
    /// should come back, and `{"error": code, "message": …}`). Already logged and counted.
    Refused(Rejection),
}

impl Verdict {
    /// The delivery to handle, or the response to answer without running the handler.
    pub fn into_result<B: From<Bytes>>(self) -> Result<Delivery, http::Response<B>> {
        match self {
            Verdict::Proceed(delivery) => Ok(delivery),
            Verdict::Duplicate(_) => Err(duplicate_response()),
            Verdict::Refused(r) => Err(r.to_response()),
        }
    }
}

/// A verified, admitted delivery: what the handler gets, and the claim to settle once it has
/// answered.
#[derive(Debug)]
pub struct Delivery {
    meta: WebhookMeta,
    body: Bytes,
    settle: Settle,
}

impl Delivery {
    /// Scheme, delivery id, event type, timestamp, matching key.
    pub fn meta(&self) -> &WebhookMeta {
        &self.meta
    }

    /// The verified body: the same bytes that were hashed.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The claim, for a handler that completes it in its own database transaction; see
    /// [`DeliveryClaim`].
    pub fn claim(&self) -> Option<DeliveryClaim> {
        self.settle.claim()
    }

    /// The delivery's span: run the handler in it. See [`Settle::span`].
    pub fn span(&self) -> &tracing::Span {
        self.settle.span()
    }

    /// Take the delivery apart: its metadata and body for the handler, the claim to settle.
    pub fn into_parts(self) -> (WebhookMeta, Bytes, Settle) {
        (self.meta, self.body, self.settle)
    }

    /// The handler answered: mark the delivery done if it `succeeded`, else release it so the
    /// sender's retry is processed.
    pub fn settle(self, succeeded: bool) -> Settling {
        self.settle.settle(succeeded)
    }
}

/// The claim a [`Delivery`] holds while its handler runs, and the delivery's span. Settle it with
/// whether the handler succeeded; dropped unsettled (the handler panicked, the request was
/// cancelled), it is released, so the sender's retry is processed.
#[must_use = "an unsettled delivery is released: settle it with the handler's outcome"]
pub struct Settle {
    claim: Option<ClaimGuard>,
    /// Boxed, and only when a subscriber takes the span: the adapters' futures hold `Settle`
    /// across the handler, and a subscriber that records spans allocates for each anyway.
    span: Option<Box<tracing::Span>>,
    /// The guard, for the handler's metrics (feature `metrics`).
    #[cfg(feature = "metrics")]
    config: Arc<Pipeline>,
    #[cfg(feature = "metrics")]
    started: crate::telemetry::Started,
}

impl std::fmt::Debug for Settle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settle")
            .field("claim", &self.claim())
            .field("holds", &self.claim.is_some())
            .finish()
    }
}

impl Settle {
    /// The claim, for a handler that completes it in its own transaction.
    pub fn claim(&self) -> Option<DeliveryClaim> {
        self.claim.as_ref().and_then(ClaimGuard::delivery_claim)
    }

    /// The delivery's `tracing` span (`webhook`: scheme, namespace, id, event, secret, outcome):
    /// run the handler in it (`tracing::Instrument`) so that its spans nest under the delivery's.
    /// See [`telemetry`](crate::telemetry).
    pub fn span(&self) -> &tracing::Span {
        static NONE: tracing::Span = tracing::Span::none();
        self.span.as_deref().unwrap_or(&NONE)
    }

    /// Complete on success, release on failure: at once in the in-process store, one round trip
    /// in another (the returned future).
    pub fn settle(self, succeeded: bool) -> Settling {
        if let Some(span) = &self.span {
            span.record("outcome", if succeeded { "success" } else { "failure" });
        }
        #[cfg(feature = "metrics")]
        {
            let scheme = self.config.verifier.scheme().name();
            self.config
                .telemetry
                .handled(scheme, self.config.namespace(), succeeded, self.started);
        }
        Settling(self.claim.and_then(|guard| guard.settle_start(succeeded)))
    }
}

/// The settlement of a delivery in the dedup store; see [`Settle::settle`]. Ready at once when
/// there is nothing to wait for.
#[must_use = "the settlement happens when this future is awaited"]
pub struct Settling(Option<Pin<Box<dyn Future<Output = ()> + Send>>>);

impl std::fmt::Debug for Settling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settling")
            .field("pending", &self.0.is_some())
            .finish()
    }
}

impl Future for Settling {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.0 {
            None => Poll::Ready(()),
            Some(settling) => {
                let done = settling.as_mut().poll(cx);
                if done.is_ready() {
                    self.0 = None;
                }
                done
            }
        }
    }
}

/// A verdict that waits for the dedup store (not the in-process one): one round trip.
pub(crate) type PendingVerdict = Pin<Box<dyn Future<Output = Verdict> + Send>>;

impl Pipeline {
    /// The dedup step for a verified delivery: the verdict, logged and counted. Decided at once
    /// without deduplication or with the in-process store; otherwise a boxed future that owns
    /// the delivery, so that the adapters' futures keep a pointer across the store's round trip
    /// instead of the whole delivery beside the verdict being built.
    pub(crate) fn admit(
        self: &Arc<Self>,
        meta: WebhookMeta,
        body: Bytes,
    ) -> Result<Verdict, PendingVerdict> {
        let Some(dedup) = &self.dedup else {
            return Ok(self.proceed(meta, body, None));
        };
        let scheme = self.verifier.scheme();
        if !scheme.deduplicates() || dedup.store.as_memory().is_some() {
            let now = match admit_start(dedup, &meta, scheme, &body) {
                Admitting::Now(admission) => Some(admission),
                Admitting::Pending(_) => None,
            };
            if let Some(admission) = now {
                return Ok(self.verdict(admission, meta, body));
            }
        }
        let config = self.clone();
        Err(Box::pin(async move {
            let Some(dedup) = &config.dedup else {
                return config.proceed(meta, body, None);
            };
            let admission = match admit_start(dedup, &meta, config.verifier.scheme(), &body) {
                Admitting::Now(admission) => admission,
                Admitting::Pending(admission) => admission.await,
            };
            config.verdict(admission, meta, body)
        }))
    }

    /// What the store's answer means for the delivery.
    fn verdict(self: &Arc<Self>, admission: Admission, meta: WebhookMeta, body: Bytes) -> Verdict {
        match admission {
            Admission::Proceed(guard) => self.proceed(meta, body, guard),
            Admission::Duplicate => {
                self.duplicate(&meta);
                Verdict::Duplicate(meta)
            }
            Admission::Reject(r) => Verdict::Refused(self.refuse(r)),
        }
    }
}

impl Pipeline {
    /// An admitted delivery, with its span.
    fn proceed(
        self: &Arc<Self>,
        meta: WebhookMeta,
        body: Bytes,
        claim: Option<ClaimGuard>,
    ) -> Verdict {
        let span = crate::telemetry::delivery_span(&meta);
        let span = (!span.is_disabled()).then(|| Box::new(span));
        Verdict::Proceed(Delivery {
            meta,
            body,
            settle: Settle {
                claim,
                span,
                #[cfg(feature = "metrics")]
                config: self.clone(),
                #[cfg(feature = "metrics")]
                started: crate::telemetry::Started::now(),
            },
        })
    }
}

pin_project_lite::pin_project! {
    /// A future polled inside a borrowed span, entered at each poll (what `tracing::Instrument`
    /// does, without moving a span into the adapters' futures: they keep it in the delivery's
    /// `Settle`).
    pub(crate) struct InSpan<'a, F> {
        #[pin]
        future: F,
        span: Option<&'a tracing::Span>,
    }
}

/// Run `future` inside the delivery's span, if it has one.
pub(crate) fn in_span<F: Future>(settle: &Settle, future: F) -> InSpan<'_, F> {
    InSpan {
        future,
        span: settle.span.as_deref(),
    }
}

impl<F: Future> Future for InSpan<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _entered = this.span.map(|span| span.enter());
        this.future.poll(cx)
    }
}
