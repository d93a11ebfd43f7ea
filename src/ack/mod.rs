//! Async-ack: answer the sender at once, process in the background, lose nothing.
//!
//! Senders want a 2xx within seconds (Heppu gives up after 30 s, Helicone asks for a 200 "within
//! seconds") and retry what they think failed. Heavy work therefore belongs in the background,
//! but the usual `tokio::spawn` in the handler loses the event when the work fails or the
//! process stops. [`AckQueue`] keeps that promise instead:
//!
//! - **Bounded.** A full queue answers `503 queue_full` with `Retry-After`; with deduplication
//!   on, the claim is released, so the sender's retry is processed later, exactly once.
//! - **Retries, then a dead letter.** A job that fails (an error, a panic, or a timeout) is retried
//!   with exponential backoff; after the last attempt the dead-letter callback receives the job
//!   and the error. Panics are caught per job: no worker dies.
//! - **Graceful shutdown.** [`AckQueue::shutdown`] stops taking work, drains the queue within a
//!   deadline and hands whatever could not be finished to the dead-letter callback.
//! - **Observable.** Every outcome is counted in [`Stats`] and traced.
//! - **Durable** (feature `redis`): the same queue on Redis Streams, so a job acknowledged to the
//!   sender survives a crash and is finished by any replica
//!   ([`AckQueueBuilder::start_redis`]), or (feature `postgres`) in a table of the PostgreSQL
//!   database the service already runs, taken by the workers of every replica with
//!   `FOR UPDATE SKIP LOCKED` ([`AckQueueBuilder::start_postgres`]).
//!
//! Acknowledging means the sender will not retry: from then on the queue owns the delivery.
//! The in-memory queue keeps it through failures and shutdown (dead letter); only a crash of the
//! process loses queued jobs, which is what the durable mode is for.
//!
//! # Retries, dead letters and shutdown
//!
//! An error, a panic or an attempt timeout ([`AckQueueBuilder::attempt_timeout`]) is retried
//! with exponential backoff ([`AckQueueBuilder::backoff`], default 100 ms … 10 s;
//! [`AckQueueBuilder::retries`], default 3); then the dead-letter callback gets the job and the
//! error (default: an `ERROR` log line). [`AckQueue::shutdown`] after the server's graceful
//! shutdown (axum's `with_graceful_shutdown`, or after actix-web's `server.run().await`): new
//! deliveries get `503 queue_closed`, queued jobs are run, and whatever is left at the deadline
//! goes to the dead-letter callback. The example receivers write each dead letter to a
//! JSON-lines file to replay from.
//!
//! # Durable modes
//!
//! - **Redis** (feature `redis`, [`AckQueueBuilder::start_redis`]): the queue is a Redis
//!   Stream with a consumer group, so an acknowledged job survives a crash of the process and
//!   is finished by any replica. A running job refreshes its entry; a job whose consumer died
//!   is taken over after [`RedisQueueConfig::claim_idle`] (default 60 s) with `XAUTOCLAIM`. The
//!   stream's length is bounded by the capacity; an entry that no longer parses as `T` moves to
//!   `<stream>:dead`. Each delivery is queued once: the enqueue script keeps a marker per
//!   delivery (for [`RedisQueueConfig::remember`], default 24 h), so when Redis stalls past the
//!   timeout, the sender is answered `503 queue_unavailable`, and Redis runs the enqueue after
//!   all, the sender's retry finds the delivery queued and is acknowledged without a second job.
//! - **PostgreSQL** (feature `postgres`, [`AckQueueBuilder::start_postgres`] after
//!   [`PostgresQueueConfig::migrate`] or [`POSTGRES_INBOX_MIGRATION`]): one table
//!   (`webhook_guard_inbox`, or `.table("schema.name")?`). The verified delivery is inserted
//!   (one statement, `ON CONFLICT DO NOTHING` on its dedup key) before the `202`; the workers of
//!   every replica take due rows with `FOR UPDATE SKIP LOCKED` under a lease they renew while
//!   the job runs, so the job of a worker that died is taken over once its lease (default 60 s)
//!   ran out. Retries wait in the row and may run on any replica; after the last attempt the
//!   row stays as `dead` with its body and last error, and the dead-letter callback is called.
//!   Processed rows keep their key (not the body) for [`PostgresQueueConfig::remember`]
//!   (24 h). A database that is down or stalls answers `503 queue_unavailable` +
//!   `Retry-After` within the 2 s timeout.
//!
//! Both durable modes deliver to the handler at least once (a consumer that dies after the
//! work but before its acknowledgement reaches the store has the job run again), so make such
//! work idempotent, e.g. keyed on `job.meta().id()`.
//!
//! # axum
//!
//! ```
//! use std::time::Duration;
//! use axum::{Router, routing::post};
//! use webhook_guard::ack::{AckQueue, Job};
//! use webhook_guard::dedup::MemoryStore;
//! use webhook_guard::events::stripe::Event;
//! use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // The background work: any async fn taking a `Job<T>` and returning a `Result`.
//! let queue = AckQueue::builder(|job: Job<Event>| async move {
//!     println!("processing {:?} (attempt {})", job.meta().id(), job.attempt());
//!     Ok::<(), std::io::Error>(())
//! })
//! .workers(4)
//! .capacity(1_000)
//! .start();
//!
//! let secret = Secret::new("whsec_your_stripe_signing_secret")?;
//! let app: Router = Router::new()
//!     // `queue.axum_handler()` verifies-parses the event and enqueues it: 202 at once.
//!     .route("/webhooks/stripe", post(queue.axum_handler()))
//!     .route_layer(
//!         WebhookLayer::new(Verifier::new(Scheme::stripe(), secret)).dedup(MemoryStore::default()),
//!     );
//! # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! # let server = axum::serve(listener, app).with_graceful_shutdown(async {});
//! // Serve with graceful shutdown, then drain what was acknowledged.
//! server.await?;
//! let report = queue.shutdown(Duration::from_secs(20)).await;
//! assert_eq!(report.unfinished, 0);
//! # Ok(()) }
//! # tokio::runtime::Runtime::new().unwrap().block_on(run()).unwrap();
//! ```
//!
//! Or take the job in your own handler, e.g. to answer differently:
//! `async fn hook(State(q): State<AckQueue<Event>>, job: Job<Event>) -> Result<Ack, Rejection> {
//! q.enqueue(job).await }`. With actix-web, `web::post().to(queue.actix_handler())`, or take
//! `Job<T>` as an extractor the same way.

mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;
#[cfg(any(feature = "redis", feature = "postgres"))]
mod stored;

#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use self::postgres::{
    POSTGRES_INBOX_DEFAULT_TABLE, POSTGRES_INBOX_MIGRATION, PostgresQueueConfig,
};
#[cfg(feature = "redis")]
pub use self::redis::RedisQueueConfig;

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use http::StatusCode;

use crate::error::{Rejection, RejectionKind};
use crate::stats::Stats;
use crate::verify::WebhookMeta;

/// The error type a job handler may return: anything that converts into a boxed error
/// (`std::io::Error`, `String`, `&str`, `anyhow::Error`, …).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One verified delivery handed to the background handler.
///
/// In a handler signature (axum and actix), `Job<T>` is an extractor: it carries the
/// [`WebhookMeta`], the payload parsed as `T` (`422 payload_invalid` when it does not fit) and
/// the verified raw bytes.
#[derive(Clone)]
pub struct Job<T> {
    meta: WebhookMeta,
    event: T,
    raw: Bytes,
    attempt: u32,
    /// The delivery's span (the current one when the job was made: in a handler, the span the
    /// adapter runs it in), parent of the attempts' spans.
    span: tracing::Span,
    /// When the in-process queue took it, for the queue-wait histogram.
    queued_at: Option<Instant>,
}

impl<T> Job<T> {
    /// A job from verified parts (the extractors build it for you). It keeps the current
    /// `tracing` span, in a handler the delivery's: the attempts run in spans under it.
    pub fn new(meta: WebhookMeta, event: T, raw: Bytes) -> Self {
        Job {
            meta,
            event,
            raw,
            attempt: 0,
            span: tracing::Span::current(),
            queued_at: None,
        }
    }

    /// What verification established: scheme, delivery id, event type, timestamp.
    pub fn meta(&self) -> &WebhookMeta {
        &self.meta
    }

    /// The typed event.
    pub fn event(&self) -> &T {
        &self.event
    }

    /// The typed event, by value.
    pub fn into_event(self) -> T {
        self.event
    }

    /// The verified payload bytes.
    pub fn raw(&self) -> &Bytes {
        &self.raw
    }

    /// Which attempt this is: 1 for the first, 2 for the first retry, … (0 before it ran).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }
}

impl<T> fmt::Debug for Job<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The payload is not shown: it may carry personal data.
        f.debug_struct("Job")
            .field("meta", &self.meta)
            .field("bytes", &self.raw.len())
            .field("attempt", &self.attempt)
            .finish()
    }
}

/// Why a job did not succeed.
#[derive(Debug)]
#[non_exhaustive]
pub enum JobError {
    /// The handler returned an error.
    Failed(BoxError),
    /// The handler panicked; the panic message, if it was a string.
    Panicked(String),
    /// The attempt ran longer than [`AckQueueBuilder::attempt_timeout`].
    TimedOut(Duration),
    /// The queue was shut down and the job could not be finished before the deadline.
    NotDrained,
    /// Durable mode: the stored payload no longer parses as `T` (the type changed between
    /// versions of the receiver).
    Undecodable(String),
    /// Durable mode on PostgreSQL: the worker running the last attempt stopped (crashed, was
    /// killed, lost the database) before it finished, and the attempts are spent. A job that
    /// brings its worker down is not run again for ever.
    WorkerLost,
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobError::Failed(e) => write!(f, "handler failed: {e}"),
            JobError::Panicked(m) => write!(f, "handler panicked: {m}"),
            JobError::TimedOut(t) => write!(f, "attempt timed out after {t:?}"),
            JobError::NotDrained => f.write_str("not finished before the shutdown deadline"),
            JobError::Undecodable(e) => write!(f, "stored payload does not parse: {e}"),
            JobError::WorkerLost => {
                f.write_str("the worker running the last attempt stopped before it finished")
            }
        }
    }
}

impl std::error::Error for JobError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            JobError::Failed(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

/// A job that will not be retried any more, handed to the dead-letter callback.
#[derive(Debug)]
#[non_exhaustive]
pub struct DeadLetter<T> {
    /// The job, with the payload.
    pub job: Job<T>,
    /// The last error.
    pub error: JobError,
    /// Attempts made (0 when the job never ran, e.g. left in the queue at shutdown).
    pub attempts: u32,
}

/// The durable queue could not be set up (Redis or PostgreSQL unreachable, wrong URL, wrong key
/// type, a table name that is not a plain identifier).
/// The driver's error, when there is one, is the [`source`](std::error::Error::source).
#[cfg(any(feature = "redis", feature = "postgres"))]
#[derive(Debug, Clone)]
pub struct QueueError(crate::error::Cause);

#[cfg(any(feature = "redis", feature = "postgres"))]
impl QueueError {
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) fn new(message: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        QueueError(crate::error::Cause::new(message))
    }

    pub(crate) fn with_source(
        message: impl Into<std::borrow::Cow<'static, str>>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        QueueError(crate::error::Cause::with_source(message, source))
    }

    /// What the queue was doing, without the cause.
    pub fn message(&self) -> &str {
        self.0.message()
    }
}

#[cfg(any(feature = "redis", feature = "postgres"))]
impl fmt::Display for QueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "durable queue unavailable: {}", self.0.message())
    }
}

#[cfg(any(feature = "redis", feature = "postgres"))]
impl std::error::Error for QueueError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// What [`AckQueue::shutdown`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Jobs queued or running when shutdown began that finished before the deadline
    /// (processed, or dead-lettered after their retries).
    pub drained: u64,
    /// Jobs that could not be finished in time, each handed to the dead-letter callback
    /// (in-memory queue).
    pub unfinished: u64,
    /// Durable mode: jobs left pending on Redis or PostgreSQL for another consumer (or this one
    /// after a restart) to finish. Nothing is dead-lettered for them.
    pub left_pending: u64,
}

/// The answer to an enqueued delivery: the configured status (202 by default) with
/// `{"queued": true, "id": <delivery id or null>}`. Implements axum's `IntoResponse` and
/// actix-web's `Responder`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    status: StatusCode,
    id: Option<String>,
}

impl Ack {
    /// The status answered.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The JSON body, `{"queued": true, "id": ...}`.
    pub fn json_body(&self) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({ "queued": true, "id": self.id }))
            .unwrap_or_default()
    }

    /// An `http::Response` for plain tower/hyper services.
    pub fn to_response<B: From<Bytes>>(&self) -> http::Response<B> {
        let mut res = http::Response::new(B::from(Bytes::from(self.json_body())));
        *res.status_mut() = self.status;
        res.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        res
    }
}

type Handler<T> = Arc<dyn Fn(Job<T>) -> BoxFuture<'static, Result<(), BoxError>> + Send + Sync>;
type DeadLetterFn<T> = Arc<dyn Fn(DeadLetter<T>) -> BoxFuture<'static, ()> + Send + Sync>;

/// Configures and starts an [`AckQueue`].
pub struct AckQueueBuilder<T> {
    handler: Handler<T>,
    dead_letter: Option<DeadLetterFn<T>>,
    workers: usize,
    capacity: usize,
    retries: u32,
    backoff: (Duration, Duration),
    attempt_timeout: Option<Duration>,
    ack_status: StatusCode,
    retry_after: Duration,
    stats: Option<Stats>,
    name: Arc<str>,
}

impl<T> fmt::Debug for AckQueueBuilder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AckQueueBuilder")
            .field("workers", &self.workers)
            .field("capacity", &self.capacity)
            .field("retries", &self.retries)
            .field("backoff", &self.backoff)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("ack_status", &self.ack_status)
            .finish_non_exhaustive()
    }
}

impl<T: Clone + Send + Sync + 'static> AckQueueBuilder<T> {
    /// Background workers running jobs concurrently (default 4, at least 1).
    #[must_use]
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n.max(1);
        self
    }

    /// Jobs that may wait in the queue (default 1024, at least 1). Beyond it, enqueueing answers
    /// `503 queue_full` with `Retry-After`.
    #[must_use]
    pub fn capacity(mut self, n: usize) -> Self {
        self.capacity = n.max(1);
        self
    }

    /// Retries after a failed attempt (default 3, so up to 4 attempts), then the dead letter.
    #[must_use]
    pub fn retries(mut self, n: u32) -> Self {
        self.retries = n;
        self
    }

    /// Exponential backoff between attempts: `initial`, doubled per retry, at most `max`
    /// (default 100 ms up to 10 s).
    #[must_use]
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.backoff = (initial, max.max(initial));
        self
    }

    /// Give up an attempt that runs longer than `timeout` (counted as a failure, retried).
    /// Default: no limit.
    #[must_use]
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The status answered when a job is queued: 202 (default) or 200 for senders that want
    /// exactly 200. Must be a 2xx; anything else is ignored.
    #[must_use]
    pub fn ack_status(mut self, status: StatusCode) -> Self {
        if status.is_success() {
            self.ack_status = status;
        }
        self
    }

    /// `Retry-After` sent with `503 queue_full` and `503 queue_closed` (default 5 s).
    #[must_use]
    pub fn retry_after(mut self, after: Duration) -> Self {
        self.retry_after = after;
        self
    }

    /// Called once per job that will not be retried any more: its last error, and jobs left
    /// unfinished at shutdown. Without it, dead letters are logged at ERROR (scheme, id,
    /// error; never the payload).
    #[must_use]
    pub fn dead_letter<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(DeadLetter<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.dead_letter = Some(Arc::new(move |d| Box::pin(f(d))));
        self
    }

    /// Count into `stats` (shared with the layer, typically). Default: the queue's own.
    #[must_use]
    pub fn stats(mut self, stats: &Stats) -> Self {
        self.stats = Some(stats.clone());
        self
    }

    /// The queue's name: the `queue` label of its metrics (feature `metrics`; see
    /// [`telemetry`](crate::telemetry)). Default: `default`.
    #[must_use]
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = name.into();
        self
    }

    fn settings(self) -> (Arc<Runner<T>>, Settings) {
        let stats = QueueStats {
            stats: self.stats.unwrap_or_default(),
            telemetry: crate::telemetry::QueueTelemetry::new(&self.name),
        };
        let runner = Arc::new(Runner {
            handler: self.handler,
            dead_letter: self.dead_letter,
            retries: self.retries,
            backoff: self.backoff,
            attempt_timeout: self.attempt_timeout,
            stats: stats.clone(),
        });
        let settings = Settings {
            workers: self.workers,
            capacity: self.capacity,
            ack_status: self.ack_status,
            retry_after: self.retry_after,
            stats,
        };
        (runner, settings)
    }

    /// Start the in-memory queue: spawns the workers on the current Tokio runtime (call it
    /// inside one: in `#[tokio::main]`, or `#[actix_web::main]`).
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime.
    pub fn start(self) -> AckQueue<T> {
        let (runner, settings) = self.settings();
        let backend = memory::MemoryQueue::start(runner, &settings);
        AckQueue {
            backend: Backend::Memory(backend),
            settings: Arc::new(settings),
        }
    }
}

pub(crate) struct Settings {
    pub(crate) workers: usize,
    pub(crate) capacity: usize,
    ack_status: StatusCode,
    retry_after: Duration,
    pub(crate) stats: QueueStats,
}

/// A bounded background queue with workers. Cheap to clone; every clone feeds the same queue.
///
/// Built with [`AckQueue::builder`]. See the [module documentation](self).
pub struct AckQueue<T> {
    backend: Backend<T>,
    settings: Arc<Settings>,
}

enum Backend<T> {
    Memory(Arc<memory::MemoryQueue<T>>),
    #[cfg(feature = "redis")]
    Redis(Arc<redis::RedisQueue<T>>),
    #[cfg(feature = "postgres")]
    Postgres(Arc<postgres::PostgresQueue<T>>),
}

impl<T> Clone for Backend<T> {
    fn clone(&self) -> Self {
        match self {
            Backend::Memory(q) => Backend::Memory(q.clone()),
            #[cfg(feature = "redis")]
            Backend::Redis(q) => Backend::Redis(q.clone()),
            #[cfg(feature = "postgres")]
            Backend::Postgres(q) => Backend::Postgres(q.clone()),
        }
    }
}

impl<T> Clone for AckQueue<T> {
    fn clone(&self) -> Self {
        AckQueue {
            backend: self.backend.clone(),
            settings: self.settings.clone(),
        }
    }
}

impl<T> fmt::Debug for AckQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.backend {
            Backend::Memory(_) => "memory",
            #[cfg(feature = "redis")]
            Backend::Redis(_) => "redis",
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => "postgres",
        };
        f.debug_struct("AckQueue")
            .field("backend", &kind)
            .field("workers", &self.settings.workers)
            .field("capacity", &self.settings.capacity)
            .finish_non_exhaustive()
    }
}

/// Why a push was refused.
pub(crate) enum PushError {
    Full,
    Closed,
    #[cfg_attr(not(any(feature = "redis", feature = "postgres")), allow(dead_code))]
    Unavailable(String),
}

impl<T: Clone + Send + Sync + 'static> AckQueue<T> {
    /// Configure a queue whose workers run `handler` for each job.
    ///
    /// `handler` is any `async fn(Job<T>) -> Result<(), E>` (or closure) where `E` converts
    /// into a boxed error.
    pub fn builder<F, Fut, E>(handler: F) -> AckQueueBuilder<T>
    where
        F: Fn(Job<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let handler: Handler<T> = Arc::new(move |job| {
            let fut = handler(job);
            Box::pin(async move { fut.await.map_err(Into::into) })
        });
        AckQueueBuilder {
            handler,
            dead_letter: None,
            workers: 4,
            capacity: 1024,
            retries: 3,
            backoff: (Duration::from_millis(100), Duration::from_secs(10)),
            attempt_timeout: None,
            ack_status: StatusCode::ACCEPTED,
            retry_after: Duration::from_secs(5),
            stats: None,
            name: Arc::from("default"),
        }
    }

    /// Queue `job` and acknowledge it, or refuse it so the sender retries later:
    /// `503 queue_full` / `503 queue_closed` (with `Retry-After`) or `503 queue_unavailable`.
    /// Return the result from the handler as it is: both outcomes are responses.
    pub async fn enqueue(&self, job: Job<T>) -> Result<Ack, Rejection> {
        let id = job.meta.id().map(str::to_owned);
        let scheme = job.meta.scheme().to_owned();
        let pushed = match &self.backend {
            Backend::Memory(q) => q.push(job),
            #[cfg(feature = "redis")]
            Backend::Redis(q) => q.push(job).await,
            #[cfg(feature = "postgres")]
            Backend::Postgres(q) => q.push(job).await,
        };
        let stats = &self.settings.stats;
        let rejection = match pushed {
            Ok(()) => {
                stats.queued();
                tracing::debug!(scheme, id = id.as_deref(), "webhook job queued");
                return Ok(Ack {
                    status: self.settings.ack_status,
                    id,
                });
            }
            Err(PushError::Full) => {
                stats.stats.refused_queue_full();
                Rejection::with_detail(
                    RejectionKind::QueueFull,
                    format!("{} jobs waiting", self.settings.capacity),
                )
                .retry_after(self.settings.retry_after)
            }
            Err(PushError::Closed) => {
                Rejection::with_detail(RejectionKind::QueueClosed, "the queue is shutting down")
                    .retry_after(self.settings.retry_after)
            }
            Err(PushError::Unavailable(e)) => {
                Rejection::with_detail(RejectionKind::QueueUnavailable, e)
                    .retry_after(self.settings.retry_after)
            }
        };
        tracing::warn!(
            scheme,
            id = id.as_deref(),
            code = rejection.code(),
            reason = rejection.detail().unwrap_or(""),
            "webhook job refused; the sender will retry"
        );
        stats.refused(&rejection);
        Err(rejection)
    }

    /// The counters this queue reports into.
    pub fn stats(&self) -> &Stats {
        &self.settings.stats.stats
    }

    /// Stop taking new jobs (`503 queue_closed` from then on), let the workers finish what is
    /// queued and running for up to `deadline`, then hand every unfinished job to the
    /// dead-letter callback (in-memory) or leave it pending on Redis or PostgreSQL for another
    /// consumer (durable). Call it after the server stopped accepting requests, e.g. after axum's
    /// `with_graceful_shutdown` future or actix-web's `Server` completed.
    pub async fn shutdown(&self, deadline: Duration) -> ShutdownReport {
        match &self.backend {
            Backend::Memory(q) => q.shutdown(deadline).await,
            #[cfg(feature = "redis")]
            Backend::Redis(q) => q.shutdown(deadline).await,
            #[cfg(feature = "postgres")]
            Backend::Postgres(q) => q.shutdown(deadline).await,
        }
    }
}

impl<T: Clone + Send + Sync + 'static> AckQueue<T> {
    /// A request handler that enqueues the request's [`Job<T>`] and answers the [`Ack`] (or the
    /// refusal): what `axum_handler` (axum) and `actix_handler` (actix-web) hand their routers,
    /// and what any framework whose handlers are `Fn(Job<T>) -> Future` can take.
    pub fn handler(
        &self,
    ) -> impl Fn(Job<T>) -> BoxFuture<'static, Result<Ack, Rejection>> + Clone + Send + Sync + use<T>
    {
        let queue = self.clone();
        move |job| {
            let queue = queue.clone();
            Box::pin(async move { queue.enqueue(job).await })
        }
    }
}

/// Runs one job to its end: attempts, backoff, dead letter. Shared by both backends.
pub(crate) struct Runner<T> {
    handler: Handler<T>,
    dead_letter: Option<DeadLetterFn<T>>,
    retries: u32,
    backoff: (Duration, Duration),
    attempt_timeout: Option<Duration>,
    pub(crate) stats: QueueStats,
}

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Processed,
    DeadLettered,
}

impl<T: Clone + Send + Sync + 'static> Runner<T> {
    fn backoff_for(&self, retry: u32) -> Duration {
        let (initial, max) = self.backoff;
        initial
            .checked_mul(1u32 << retry.saturating_sub(1).min(20))
            .unwrap_or(max)
            .min(max)
    }

    /// One attempt; panics and timeouts become errors.
    async fn attempt(&self, job: Job<T>) -> Result<(), JobError> {
        let handler = self.handler.clone();
        let fut = match std::panic::catch_unwind(AssertUnwindSafe(move || handler(job))) {
            Ok(fut) => fut,
            Err(panic) => return Err(JobError::Panicked(panic_message(&*panic))),
        };
        let guarded = AssertUnwindSafe(fut).catch_unwind();
        let result = match self.attempt_timeout {
            None => guarded.await,
            Some(limit) => match tokio::time::timeout(limit, guarded).await {
                Ok(r) => r,
                Err(_) => return Err(JobError::TimedOut(limit)),
            },
        };
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(JobError::Failed(e)),
            Err(panic) => Err(JobError::Panicked(panic_message(&*panic))),
        }
    }

    /// Attempts until success or the retries are spent; then the dead letter.
    pub(crate) async fn run(&self, job: Job<T>) -> Outcome {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let mut this = job.clone();
            this.attempt = attempt;
            let started = Instant::now();
            if attempt == 1
                && let Some(at) = job.queued_at
            {
                self.stats.waited(at.elapsed());
            }
            let span = tracing::info_span!(parent: &job.span, "webhook_job", attempt);
            let result = {
                // Counted down on drop too: an attempt cut off at shutdown is not left counted.
                let _running = InProgress::new(&self.stats);
                tracing::Instrument::instrument(self.attempt(this), span).await
            };
            let took = started.elapsed();
            self.stats.attempt(result.is_ok(), took);
            let meta = job.meta();
            match result {
                Ok(()) => {
                    tracing::info!(
                        scheme = meta.scheme(),
                        id = meta.id(),
                        attempt,
                        took_ms = took.as_millis() as u64,
                        "webhook job processed"
                    );
                    return Outcome::Processed;
                }
                Err(error) => {
                    if attempt > self.retries {
                        self.bury(job, error, attempt).await;
                        return Outcome::DeadLettered;
                    }
                    let wait = self.backoff_for(attempt);
                    tracing::warn!(
                        scheme = meta.scheme(),
                        id = meta.id(),
                        attempt,
                        retry_in_ms = wait.as_millis() as u64,
                        error = %error,
                        "webhook job failed; retrying"
                    );
                    tokio::time::sleep(wait).await;
                    self.stats.retried();
                }
            }
        }
    }

    /// Hand a job to the dead-letter callback (or the log). A panicking callback is logged.
    pub(crate) async fn bury(&self, job: Job<T>, error: JobError, attempts: u32) {
        self.stats.dead_lettered();
        let meta = job.meta();
        tracing::error!(
            scheme = meta.scheme(),
            id = meta.id(),
            attempts,
            error = %error,
            "webhook job dead-lettered"
        );
        if let Some(callback) = &self.dead_letter {
            let letter = DeadLetter {
                job,
                error,
                attempts,
            };
            let called = std::panic::catch_unwind(AssertUnwindSafe(|| callback(letter)));
            let done = match called {
                Ok(fut) => AssertUnwindSafe(fut).catch_unwind().await,
                Err(panic) => Err(panic),
            };
            if let Err(panic) = done {
                tracing::error!(
                    panic = %panic_message(&*panic),
                    "the dead-letter callback panicked"
                );
            }
        }
    }
}

/// What a queue counts: into its [`Stats`] and, with the `metrics` feature, its series.
#[derive(Clone)]
pub(crate) struct QueueStats {
    pub(crate) stats: Stats,
    telemetry: crate::telemetry::QueueTelemetry,
}

impl QueueStats {
    pub(crate) fn queued(&self) {
        self.stats.queued();
        self.telemetry.queued();
    }

    fn refused(&self, rejection: &Rejection) {
        self.stats.rejected(rejection.kind());
        self.telemetry.refused(rejection);
    }

    pub(crate) fn attempt(&self, ok: bool, took: Duration) {
        self.stats.attempt_took(took);
        if ok {
            self.stats.processed();
        } else {
            self.stats.failed_attempt();
        }
        self.telemetry.attempt(ok, took);
    }

    pub(crate) fn retried(&self) {
        self.stats.retried();
        self.telemetry.retried();
    }

    pub(crate) fn dead_lettered(&self) {
        self.stats.dead_lettered();
        self.telemetry.dead_lettered();
    }

    pub(crate) fn set_depth(&self, depth: usize) {
        self.stats.set_depth(depth);
        self.telemetry.depth(depth);
    }

    fn in_progress(&self, delta: i64) {
        self.stats.in_progress(delta);
        self.telemetry.in_progress(delta);
    }

    /// A job waited `wait` between its enqueue and its first attempt.
    pub(crate) fn waited(&self, wait: Duration) {
        self.telemetry.waited(wait);
    }

    #[cfg_attr(not(any(feature = "redis", feature = "postgres")), allow(dead_code))] // the durable queues' shutdown
    pub(crate) fn snapshot(&self) -> crate::stats::StatsSnapshot {
        self.stats.snapshot()
    }
}

struct InProgress<'a>(&'a QueueStats);

impl<'a> InProgress<'a> {
    fn new(stats: &'a QueueStats) -> Self {
        stats.in_progress(1);
        InProgress(stats)
    }
}

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        self.0.in_progress(-1);
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let b = AckQueue::<u8>::builder(|_j: Job<u8>| async { Ok::<(), BoxError>(()) })
            .backoff(Duration::from_millis(100), Duration::from_millis(700));
        let (runner, _) = b.settings();
        let waits: Vec<_> = (1..=5).map(|r| runner.backoff_for(r).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 700, 700]);
        assert_eq!(runner.backoff_for(u32::MAX), Duration::from_millis(700));
    }

    #[test]
    fn ack_body_and_status() {
        let ack = Ack {
            status: StatusCode::ACCEPTED,
            id: Some("d1".into()),
        };
        let res: http::Response<Bytes> = ack.to_response();
        assert_eq!(res.status(), 202);
        assert_eq!(res.body().as_ref(), br#"{"id":"d1","queued":true}"#);
    }
}
