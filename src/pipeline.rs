//! The request flow shared by every adapter: limit, verify while reading, deduplicate.
//!
//! Adapters own only what differs between frameworks (how body chunks arrive, how responses
//! are built); the decisions live here so axum and actix behave identically.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use http::HeaderMap;

use crate::dedup::Dedup;
use crate::error::{Rejection, RejectionKind};
use crate::stats::Stats;
use crate::verify::{Verifier, VerifyState, WebhookMeta};

/// Default body limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Default body timeout: 10 s from the request reaching the guard to the body's last byte.
/// Senders upload a webhook body in milliseconds; a client that stalls or trickles longer gets
/// `408 body_timeout` and holds no buffer or task past it.
pub const DEFAULT_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// What a guard reads and discards of a body after answering `413 body_too_large` (at most
/// 2 MiB, for at most 1 s), so that a client that writes its whole body before reading gets the
/// answer instead of a connection reset by the unread bytes. Past either bound the connection
/// is closed.
pub(crate) const DRAIN_AFTER_413: (usize, std::time::Duration) =
    (2 * 1024 * 1024, std::time::Duration::from_secs(1));

/// The guards that deduplicate, by (store key space, namespace); see [`Pipeline::register`].
type Registry = std::collections::BTreeMap<(String, String), Vec<std::sync::Weak<Pipeline>>>;
static GUARDS: std::sync::Mutex<Registry> = std::sync::Mutex::new(Registry::new());

/// What a guard (tower layer or actix middleware) is configured with.
#[derive(Debug, Clone)]
pub(crate) struct Pipeline {
    pub(crate) verifier: Verifier,
    pub(crate) limit: usize,
    pub(crate) dedup: Option<Dedup>,
    pub(crate) stats: Option<Stats>,
    /// Longest time the whole body may take to arrive, once the headers are in.
    pub(crate) body_timeout: Option<std::time::Duration>,
    /// The first part of the dedup keys, when not the scheme's name.
    pub(crate) namespace: Option<Arc<str>>,
    /// Other guards marked so may deduplicate under the same namespace in the same store.
    pub(crate) shared_namespace: bool,
    /// Its metrics series (feature `metrics`).
    pub(crate) telemetry: crate::telemetry::GuardTelemetry,
}

impl Pipeline {
    pub(crate) fn new(verifier: Verifier) -> Self {
        Pipeline {
            verifier,
            limit: DEFAULT_BODY_LIMIT,
            dedup: None,
            stats: None,
            body_timeout: Some(DEFAULT_BODY_TIMEOUT),
            namespace: None,
            shared_namespace: false,
            telemetry: Default::default(),
        }
    }

    /// The namespace of this guard's dedup keys: the one it was given, or the scheme's name.
    pub(crate) fn namespace(&self) -> &str {
        self.namespace
            .as_deref()
            .unwrap_or(self.verifier.scheme().name())
    }

    /// Record that this guard deduplicates under its namespace in its store's key space, now
    /// that it is put in front of a service. Clones of one guard are one guard; a guard built
    /// apart with the same namespace on the same key space would answer this one's deliveries
    /// as duplicates and never run its handler, so it is refused here, at start-up.
    ///
    /// # Panics
    ///
    /// When another live guard deduplicates under the same namespace in the same key space.
    pub(crate) fn register(self: &Arc<Self>) {
        let Some(dedup) = &self.dedup else {
            return;
        };
        let slot = (dedup.keyspace(), self.namespace().to_owned());
        let mut guards = GUARDS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        guards.retain(|_, owners| {
            owners.retain(|owner| owner.strong_count() > 0);
            !owners.is_empty()
        });
        let owners = guards.entry(slot).or_default();
        let mut known = false;
        for owner in owners.iter().filter_map(std::sync::Weak::upgrade) {
            if Arc::ptr_eq(&owner, self) {
                known = true;
            } else if !(owner.shared_namespace && self.shared_namespace) {
                let namespace = self.namespace();
                drop(guards);
                panic!(
                    "webhook-guard: two guards deduplicate under the namespace `{namespace}` in \
                     one store; the second would answer the first one's deliveries as \
                     duplicates and never run its handler. Give each guard its own namespace \
                     (`.namespace(\"{namespace}-2\")`), or use one guard (clone it) for both \
                     routes (with actix-web, build it once, outside the `HttpServer` factory); \
                     replicas of one endpoint in one process say so with \
                     `.shared_namespace()` on each"
                );
            }
        }
        if !known {
            owners.push(Arc::downgrade(self));
        }
    }

    /// A refused request: log why, count it, hand the rejection on. Every rejection the guard
    /// returns passes here exactly once.
    pub(crate) fn refuse(&self, rejection: Rejection) -> Rejection {
        let scheme = self.verifier.scheme().name();
        log_rejection(scheme, &rejection);
        if let Some(stats) = &self.stats {
            stats.rejected(rejection.kind());
        }
        self.telemetry
            .rejected(scheme, self.namespace(), &rejection);
        rejection
    }

    /// A duplicate of a completed delivery, answered without the handler.
    pub(crate) fn duplicate(&self, meta: &WebhookMeta) {
        tracing::info!(
            scheme = meta.scheme(),
            id = meta.id(),
            "webhook duplicate answered without running the handler"
        );
        if let Some(stats) = &self.stats {
            stats.duplicate();
        }
        self.telemetry.duplicate(meta.scheme(), meta.namespace());
    }

    /// Check what the request line and headers decide and prepare to absorb the body.
    pub(crate) fn begin(
        self: &Arc<Self>,
        target: crate::verify::Target<'_>,
        headers: &HeaderMap,
    ) -> Result<BodyCollector, Rejection> {
        let content_length = headers
            .get(http::header::CONTENT_LENGTH)
            .map(http::HeaderValue::as_bytes);
        self.begin_with(content_length, || {
            self.verifier.begin_target(headers, Some(target))
        })
    }

    /// [`begin`](Pipeline::begin) for another HTTP stack's headers, read in place as
    /// (lowercase name, value) pairs.
    pub(crate) fn begin_pairs<'h, I, N, V>(
        self: &Arc<Self>,
        target: crate::verify::Target<'_>,
        content_length: Option<&[u8]>,
        headers: I,
    ) -> Result<BodyCollector, Rejection>
    where
        I: IntoIterator<Item = (N, V)>,
        N: crate::scheme::HeaderBytes<'h>,
        V: crate::scheme::HeaderBytes<'h>,
    {
        self.begin_with(content_length, || {
            self.verifier.begin_pairs(Some(target), headers)
        })
    }

    /// The declared length against the limit, then the verifier's header checks.
    fn begin_with(
        self: &Arc<Self>,
        content_length: Option<&[u8]>,
        verify_headers: impl FnOnce() -> Result<VerifyState, Rejection>,
    ) -> Result<BodyCollector, Rejection> {
        if let Some(stats) = &self.stats {
            stats.received();
        }
        self.telemetry
            .request(self.verifier.scheme().name(), self.namespace());
        let started = crate::telemetry::Started::now();
        let limit = self.limit;
        let declared = content_length
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let Some(len) = declared
            && len > limit as u64
        {
            return Err(self.refuse(Rejection::with_detail(
                RejectionKind::BodyTooLarge,
                format!("Content-Length {len} exceeds the limit of {limit} bytes"),
            )));
        }
        let state = verify_headers().map_err(|r| self.refuse(r))?;
        Ok(BodyCollector {
            state: Box::new(state),
            config: self.clone(),
            started,
            limit,
            declared,
            first: None,
            rest: BytesMut::new(),
            total: 0,
        })
    }
}

/// Collects body chunks within the limit, hashing each as it arrives.
pub(crate) struct BodyCollector {
    /// Boxed: the state (~670 bytes: the MAC, up to eight decoded signatures inline, the id
    /// and event type inline) would otherwise be copied each time the collector, the future
    /// reading the body and the adapter's future holding that are moved; one allocation costs
    /// less than those copies (BENCHMARKS.md, "Why the hot path is shaped as it is").
    state: Box<VerifyState>,
    /// The guard: its stats, its namespace for the delivery's metadata, its dedup step.
    config: Arc<Pipeline>,
    /// When the headers were in (feature `metrics`: the verification time).
    started: crate::telemetry::Started,
    limit: usize,
    declared: Option<u64>,
    /// A body that arrives in one chunk is handed on as that chunk: no copy at all.
    first: Option<Bytes>,
    rest: BytesMut,
    total: usize,
}

impl BodyCollector {
    /// Absorb the next chunk; refuses as soon as the limit is passed.
    pub(crate) fn push(&mut self, chunk: Bytes) -> Result<(), Rejection> {
        self.total = self.total.saturating_add(chunk.len());
        if self.total > self.limit {
            return Err(self.config.refuse(Rejection::with_detail(
                RejectionKind::BodyTooLarge,
                format!("body exceeds the limit of {} bytes", self.limit),
            )));
        }
        self.state.update(&chunk);
        match self.first.take() {
            None if self.rest.is_empty() => self.first = Some(chunk),
            prev => {
                if let Some(prev) = prev {
                    let hint = self
                        .declared
                        .map_or(0, |d| d.min(self.limit as u64) as usize);
                    self.rest.reserve(hint.max(prev.len() + chunk.len()));
                    self.rest.extend_from_slice(&prev);
                }
                self.rest.extend_from_slice(&chunk);
            }
        }
        Ok(())
    }

    /// A read error from the transport.
    pub(crate) fn read_failed(&self, error: impl std::fmt::Display) -> Rejection {
        self.config.refuse(Rejection::with_detail(
            RejectionKind::BodyReadFailed,
            format!(
                "reading the body failed after {} bytes: {error}",
                self.total
            ),
        ))
    }

    /// The whole body arrived: finish verification. Hands the guard back for the dedup step.
    pub(crate) fn finish(self) -> (Arc<Pipeline>, Result<(WebhookMeta, Bytes), Rejection>) {
        let config = self.config;
        let body = self.first.unwrap_or_else(|| self.rest.freeze());
        let mut meta = match self.state.finish(&body) {
            Ok(meta) => meta,
            Err(r) => {
                let r = config.refuse(r);
                return (config, Err(r));
            }
        };
        meta.set_namespace(config.namespace.as_ref());
        if let Some(stats) = &config.stats {
            stats.verified();
        }
        config
            .telemetry
            .verified(&meta, meta.namespace(), self.started);
        tracing::debug!(
            scheme = meta.scheme(),
            id = meta.id(),
            event = meta.event_type(),
            secret_index = meta.secret_index(),
            "webhook verified"
        );
        (config, Ok((meta, body)))
    }
}

impl Pipeline {
    /// Read the body with `read`, within the body timeout if one is configured.
    ///
    /// Not an `async fn`: that would keep `read` (the whole verification state) twice in its
    /// future, once as the argument and once where it is awaited. Here the future is `read`
    /// itself, or `read` inside the timer.
    pub(crate) fn within_body_timeout<T, F>(
        self: &Arc<Self>,
        read: F,
    ) -> impl std::future::Future<Output = Result<T, Rejection>> + use<T, F>
    where
        F: std::future::Future<Output = Result<T, Rejection>>,
    {
        use futures_util::FutureExt;
        use futures_util::future::Either;
        match self.body_timeout {
            None => Either::Left(read),
            Some(limit) => {
                let config = self.clone();
                Either::Right(tokio::time::timeout(limit, read).map(move |r| {
                    r.unwrap_or_else(|_| {
                        Err(config.refuse(Rejection::with_detail(
                            RejectionKind::BodyTimeout,
                            format!("the body did not arrive within {} ms", limit.as_millis()),
                        )))
                    })
                }))
            }
        }
    }
}

/// Log a refused delivery, with the reason, at WARN.
fn log_rejection(scheme: &str, rejection: &Rejection) {
    tracing::warn!(
        scheme,
        code = rejection.code(),
        status = rejection.status().as_u16(),
        reason = rejection.detail().unwrap_or(""),
        "webhook rejected"
    );
}

/// The response answered for a duplicate of a delivery processed before, without running the
/// handler: `200` with `{"duplicate":true}` as JSON. Senders take any 2xx as delivered.
pub fn duplicate_response<B: From<Bytes>>() -> http::Response<B> {
    let mut res = http::Response::new(B::from(Bytes::from_static(
        crate::dedup::DUPLICATE_BODY.as_bytes(),
    )));
    res.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    res
}

/// The configuration methods every adapter's guard shares (`new`, body limit and timeout,
/// namespace, deduplication, stats), written once for the tower layer and the actix-web guard,
/// which both keep their configuration in a `config: Arc<Pipeline>` field.
macro_rules! guard_builder {
    ($ty:ident) => {
        impl $ty {
            /// Verify every request with `verifier`, with the default 1 MiB body limit.
            pub fn new(verifier: $crate::Verifier) -> Self {
                $ty {
                    config: std::sync::Arc::new($crate::pipeline::Pipeline::new(verifier)),
                }
            }

            /// Refuse bodies larger than `bytes` with `413 body_too_large`, without reading past the
            /// limit.
            #[must_use]
            pub fn body_limit(mut self, bytes: usize) -> Self {
                std::sync::Arc::make_mut(&mut self.config).limit = bytes;
                self
            }

            /// Refuse a body that has not fully arrived `limit` after the request reached the guard
            /// with `408 body_timeout`, so a stalled or trickling client holds no buffer or task for
            /// longer. On by default: [`DEFAULT_BODY_TIMEOUT`](crate::DEFAULT_BODY_TIMEOUT) (10 s;
            /// senders upload webhook bodies in milliseconds). `None` turns it off. Needs the Tokio
            /// timer (any `#[tokio::main]` / actix-web runtime has it).
            #[must_use]
            pub fn body_timeout(mut self, limit: impl Into<Option<std::time::Duration>>) -> Self {
                std::sync::Arc::make_mut(&mut self.config).body_timeout = limit.into();
                self
            }

            /// The first part of this guard's dedup keys (`<namespace>:id:<delivery id>`); default: the
            /// scheme's name. Give each guard of one sender its own when they share a store: Stripe, for
            /// one, sends the same event id to every endpoint subscribed to the event, and two guards
            /// with one namespace would answer the second endpoint as a duplicate. Two such guards are
            /// refused when the second is put in front of its service (a panic at start-up naming the
            /// namespace), never discovered as lost deliveries.
            #[must_use]
            pub fn namespace(mut self, namespace: impl Into<std::sync::Arc<str>>) -> Self {
                std::sync::Arc::make_mut(&mut self.config).namespace = Some(namespace.into());
                self
            }

            /// This guard is one of several replicas of one endpoint in this process (for example
            /// two servers in one test standing for two instances of a service): other guards marked
            /// so may deduplicate under the same [namespace](Self::namespace) in the same store,
            /// and a delivery processed through one is a duplicate through the others. Guards in
            /// different processes never need it.
            #[must_use]
            pub fn shared_namespace(mut self) -> Self {
                std::sync::Arc::make_mut(&mut self.config).shared_namespace = true;
                self
            }

            /// Run each delivery's handler once: deduplicate through `store` with the default lease
            /// (5 min) and TTL (24 h), failing closed. See [`crate::dedup`].
            #[must_use]
            pub fn dedup(self, store: impl $crate::dedup::DedupStore) -> Self {
                self.dedup_with($crate::dedup::Dedup::new(store))
            }

            /// Deduplicate with explicit settings.
            #[must_use]
            pub fn dedup_with(mut self, dedup: $crate::dedup::Dedup) -> Self {
                std::sync::Arc::make_mut(&mut self.config).dedup = Some(dedup);
                self
            }

            /// Count what this guard sees (received, verified, rejected by reason, duplicates) into
            /// `stats`. See [`crate::stats`].
            #[must_use]
            pub fn stats(mut self, stats: &$crate::stats::Stats) -> Self {
                std::sync::Arc::make_mut(&mut self.config).stats = Some(stats.clone());
                self
            }
        }
    };
}
pub(crate) use guard_builder;
