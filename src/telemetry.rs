//! What the guard and the async-ack queue report to your dashboards: metrics through the
//! [`metrics`](https://docs.rs/metrics) facade (feature `metrics`) and one `tracing` span per
//! delivery.
//!
//! # Metrics
//!
//! With the `metrics` feature, every outcome the [`Stats`](crate::stats::Stats) counts is also
//! emitted to whatever recorder the application installed (Prometheus, StatsD, OpenTelemetry, …);
//! without a recorder nothing is recorded. The names follow Prometheus conventions and are
//! stable; the constants below hold them.
//!
//! | Name | Kind | Labels | What |
//! |---|---|---|---|
//! | `webhook_guard_requests_total` | counter | `scheme`, `namespace` | requests that reached a guard |
//! | `webhook_guard_verified_total` | counter | `scheme`, `namespace`, `secret` | deliveries verified; `secret` is the matching key's label, or its index |
//! | `webhook_guard_rejected_total` | counter | `scheme`, `namespace`, `code` | refusals, by [machine code](crate::RejectionKind::code) |
//! | `webhook_guard_duplicates_total` | counter | `scheme`, `namespace` | duplicates answered without the handler |
//! | `webhook_guard_handled_total` | counter | `scheme`, `namespace`, `outcome` | handler answers: `success` (2xx) or `failure` |
//! | `webhook_guard_verification_seconds` | histogram | `scheme`, `namespace` | from the headers to the verified body (reading included) |
//! | `webhook_guard_handler_seconds` | histogram | `scheme`, `namespace`, `outcome` | from admission to the handler's answer |
//! | `webhook_guard_jobs_queued_total` | counter | `queue` | async-ack jobs accepted (the sender got its 202) |
//! | `webhook_guard_jobs_refused_total` | counter | `queue`, `code` | jobs refused (`queue_full`, `queue_closed`, `queue_unavailable`) |
//! | `webhook_guard_jobs_processed_total` | counter | `queue` | jobs whose handler succeeded |
//! | `webhook_guard_job_failures_total` | counter | `queue` | failed attempts (error, panic or timeout) |
//! | `webhook_guard_job_retries_total` | counter | `queue` | attempts retried after a failure |
//! | `webhook_guard_jobs_dead_lettered_total` | counter | `queue` | jobs handed to the dead letter |
//! | `webhook_guard_job_seconds` | histogram | `queue`, `outcome` | one attempt's time, `success` or `failure` |
//! | `webhook_guard_queue_wait_seconds` | histogram | `queue` | from enqueue to the first attempt (in-process queue) |
//! | `webhook_guard_queue_depth` | gauge | `queue` | jobs waiting (in-process queue) |
//! | `webhook_guard_jobs_in_progress` | gauge | `queue` | attempts running |
//!
//! A guard's series are registered at its first request, an ack queue's when it starts:
//! install the recorder before (as every `metrics` exporter's set-up does, first thing in
//! `main`). The `queue` label is [`AckQueueBuilder::name`](crate::ack::AckQueueBuilder::name)
//! (`default` unless set).
//!
//! ```
//! # #[cfg(feature = "metrics")] {
//! use webhook_guard::telemetry;
//! assert_eq!(telemetry::REJECTED_TOTAL, "webhook_guard_rejected_total");
//! # }
//! ```
//!
//! # Spans
//!
//! Each admitted delivery gets an `INFO` span named `webhook` with the fields `scheme`,
//! `namespace`, `id`, `event`, `secret` (as above) and `outcome` (recorded when the handler has
//! answered). The adapters run the handler inside it, so its own spans and events nest under the
//! delivery's, and with `tracing-opentelemetry` each delivery is one trace. An async-ack job keeps
//! the span of the request that queued it (in-process queue): its attempts run in a `webhook_job`
//! span (`attempt`) under it. No field ever holds a secret, a signature or a body.
//!
//! # Serving Prometheus
//!
//! Install the recorder first, then serve its exposition (`metrics-exporter-prometheus` here; the
//! example receivers do this at `GET /metrics`):
//!
//! ```rust
//! # #[cfg(feature = "metrics")] {
//! use axum::{Router, routing::get};
//! use metrics_exporter_prometheus::PrometheusBuilder;
//!
//! let prometheus = PrometheusBuilder::new().install_recorder().expect("the process's only recorder");
//! let app: Router = Router::new()
//!     // ... the guarded routes ...
//!     .route("/metrics", get(move || async move { prometheus.render() }));
//! # }
//! ```
//!
//! # OpenTelemetry
//!
//! Each admitted delivery is one `webhook` span and the handler runs inside it, so with
//! `tracing-opentelemetry` each delivery is one trace with your handler's spans inside it:
//!
//! ```rust,ignore
//! use tracing_subscriber::prelude::*;
//!
//! let tracer = opentelemetry_otlp::SpanExporter::builder().with_tonic().build()?; // your exporter
//! let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
//!     .with_batch_exporter(tracer)
//!     .build();
//! tracing_subscriber::registry()
//!     .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("receiver")))
//!     .with(tracing_subscriber::fmt::layer())
//!     .init();
//! ```

#[cfg(feature = "metrics")]
use std::sync::Arc;
#[cfg(feature = "metrics")]
use std::sync::OnceLock;

use crate::error::Rejection;
use crate::verify::WebhookMeta;

/// Requests that reached a guard.
pub const REQUESTS_TOTAL: &str = "webhook_guard_requests_total";
/// Deliveries verified, by matching secret.
pub const VERIFIED_TOTAL: &str = "webhook_guard_verified_total";
/// Refusals, by machine code.
pub const REJECTED_TOTAL: &str = "webhook_guard_rejected_total";
/// Duplicates answered without running the handler.
pub const DUPLICATES_TOTAL: &str = "webhook_guard_duplicates_total";
/// Handler answers, by outcome.
pub const HANDLED_TOTAL: &str = "webhook_guard_handled_total";
/// Time from the headers to the verified body.
pub const VERIFICATION_SECONDS: &str = "webhook_guard_verification_seconds";
/// Time from admission to the handler's answer.
pub const HANDLER_SECONDS: &str = "webhook_guard_handler_seconds";
/// Async-ack jobs accepted.
pub const JOBS_QUEUED_TOTAL: &str = "webhook_guard_jobs_queued_total";
/// Async-ack jobs refused, by machine code.
pub const JOBS_REFUSED_TOTAL: &str = "webhook_guard_jobs_refused_total";
/// Async-ack jobs whose handler succeeded.
pub const JOBS_PROCESSED_TOTAL: &str = "webhook_guard_jobs_processed_total";
/// Failed job attempts.
pub const JOB_FAILURES_TOTAL: &str = "webhook_guard_job_failures_total";
/// Job attempts retried.
pub const JOB_RETRIES_TOTAL: &str = "webhook_guard_job_retries_total";
/// Jobs handed to the dead letter.
pub const JOBS_DEAD_LETTERED_TOTAL: &str = "webhook_guard_jobs_dead_lettered_total";
/// One job attempt's time, by outcome.
pub const JOB_SECONDS: &str = "webhook_guard_job_seconds";
/// Time from enqueue to a job's first attempt.
pub const QUEUE_WAIT_SECONDS: &str = "webhook_guard_queue_wait_seconds";
/// Jobs waiting.
pub const QUEUE_DEPTH: &str = "webhook_guard_queue_depth";
/// Job attempts running.
pub const JOBS_IN_PROGRESS: &str = "webhook_guard_jobs_in_progress";

/// How many matching-secret series a guard keeps registered (a verifier rarely holds more keys
/// during a rotation); further keys are registered per delivery.
#[cfg(feature = "metrics")]
const CACHED_SECRETS: usize = 4;

/// A guard's series, registered at its first request so that the request path only increments
/// handles (no label is built, nothing allocated).
#[derive(Clone, Default)]
pub(crate) struct GuardTelemetry {
    #[cfg(feature = "metrics")]
    series: OnceLock<Arc<GuardSeries>>,
}

impl std::fmt::Debug for GuardTelemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardTelemetry").finish_non_exhaustive()
    }
}

#[cfg(feature = "metrics")]
struct GuardSeries {
    labels: [metrics::Label; 2],
    requests: metrics::Counter,
    verified: [OnceLock<metrics::Counter>; CACHED_SECRETS],
    duplicates: metrics::Counter,
    handled: [metrics::Counter; 2],
    verification: metrics::Histogram,
    handler: [metrics::Histogram; 2],
}

/// A point in time, when the `metrics` feature measures durations (nothing otherwise).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Started {
    #[cfg(feature = "metrics")]
    at: std::time::Instant,
}

impl Started {
    #[inline]
    pub(crate) fn now() -> Self {
        Started {
            #[cfg(feature = "metrics")]
            at: std::time::Instant::now(),
        }
    }
}

impl GuardTelemetry {
    #[cfg(feature = "metrics")]
    fn series(&self, scheme: &str, namespace: &str) -> &GuardSeries {
        self.series.get_or_init(|| {
            let labels = [
                metrics::Label::new("scheme", scheme.to_owned()),
                metrics::Label::new("namespace", namespace.to_owned()),
            ];
            let with = |extra: Option<(&'static str, &'static str)>| {
                let mut all = labels.to_vec();
                if let Some((k, v)) = extra {
                    all.push(metrics::Label::new(k, v));
                }
                all
            };
            Arc::new(GuardSeries {
                requests: metrics::counter!(REQUESTS_TOTAL, with(None)),
                verified: Default::default(),
                duplicates: metrics::counter!(DUPLICATES_TOTAL, with(None)),
                handled: [
                    metrics::counter!(HANDLED_TOTAL, with(Some(("outcome", "success")))),
                    metrics::counter!(HANDLED_TOTAL, with(Some(("outcome", "failure")))),
                ],
                verification: metrics::histogram!(VERIFICATION_SECONDS, with(None)),
                handler: [
                    metrics::histogram!(HANDLER_SECONDS, with(Some(("outcome", "success")))),
                    metrics::histogram!(HANDLER_SECONDS, with(Some(("outcome", "failure")))),
                ],
                labels,
            })
        })
    }

    /// A request reached the guard.
    #[inline]
    pub(crate) fn request(&self, _scheme: &str, _namespace: &str) {
        #[cfg(feature = "metrics")]
        self.series(_scheme, _namespace).requests.increment(1);
    }

    /// A delivery verified, `_started` when its headers arrived.
    #[inline]
    pub(crate) fn verified(&self, _meta: &WebhookMeta, _namespace: &str, _started: Started) {
        #[cfg(feature = "metrics")]
        {
            let series = self.series(_meta.scheme(), _namespace);
            series
                .verification
                .record(_started.at.elapsed().as_secs_f64());
            let secret = || match _meta.secret_label() {
                Some(label) => label.to_owned(),
                None => _meta.secret_index().to_string(),
            };
            let register = || {
                let mut labels = series.labels.to_vec();
                labels.push(metrics::Label::new("secret", secret()));
                metrics::counter!(VERIFIED_TOTAL, labels)
            };
            match series.verified.get(_meta.secret_index()) {
                Some(cached) => cached.get_or_init(register).increment(1),
                None => register().increment(1),
            }
        }
    }

    /// A refusal.
    #[inline]
    pub(crate) fn rejected(&self, _scheme: &str, _namespace: &str, _rejection: &Rejection) {
        #[cfg(feature = "metrics")]
        {
            let mut labels = self.series(_scheme, _namespace).labels.to_vec();
            labels.push(metrics::Label::new("code", _rejection.code()));
            metrics::counter!(REJECTED_TOTAL, labels).increment(1);
        }
    }

    /// A duplicate answered without the handler.
    #[inline]
    pub(crate) fn duplicate(&self, _scheme: &str, _namespace: &str) {
        #[cfg(feature = "metrics")]
        self.series(_scheme, _namespace).duplicates.increment(1);
    }

    /// The handler answered, `_started` when the delivery was admitted.
    #[inline]
    #[cfg(feature = "metrics")]
    pub(crate) fn handled(&self, _scheme: &str, _namespace: &str, _ok: bool, _started: Started) {
        #[cfg(feature = "metrics")]
        {
            let series = self.series(_scheme, _namespace);
            let i = usize::from(!_ok);
            series.handled[i].increment(1);
            series.handler[i].record(_started.at.elapsed().as_secs_f64());
        }
    }
}

/// An ack queue's series, registered when the queue starts.
#[derive(Clone)]
pub(crate) struct QueueTelemetry {
    #[cfg(feature = "metrics")]
    series: Arc<QueueSeries>,
}

#[cfg(feature = "metrics")]
struct QueueSeries {
    name: Arc<str>,
    queued: metrics::Counter,
    processed: metrics::Counter,
    failures: metrics::Counter,
    retries: metrics::Counter,
    dead_lettered: metrics::Counter,
    job: [metrics::Histogram; 2],
    wait: metrics::Histogram,
    depth: metrics::Gauge,
    in_progress: metrics::Gauge,
}

impl QueueTelemetry {
    /// The series of the queue named `_name`.
    pub(crate) fn new(_name: &str) -> Self {
        QueueTelemetry {
            #[cfg(feature = "metrics")]
            series: {
                let name: Arc<str> = _name.into();
                let label = || vec![metrics::Label::new("queue", name.to_string())];
                let outcome = |o: &'static str| {
                    let mut l = label();
                    l.push(metrics::Label::new("outcome", o));
                    l
                };
                Arc::new(QueueSeries {
                    queued: metrics::counter!(JOBS_QUEUED_TOTAL, label()),
                    processed: metrics::counter!(JOBS_PROCESSED_TOTAL, label()),
                    failures: metrics::counter!(JOB_FAILURES_TOTAL, label()),
                    retries: metrics::counter!(JOB_RETRIES_TOTAL, label()),
                    dead_lettered: metrics::counter!(JOBS_DEAD_LETTERED_TOTAL, label()),
                    job: [
                        metrics::histogram!(JOB_SECONDS, outcome("success")),
                        metrics::histogram!(JOB_SECONDS, outcome("failure")),
                    ],
                    wait: metrics::histogram!(QUEUE_WAIT_SECONDS, label()),
                    depth: metrics::gauge!(QUEUE_DEPTH, label()),
                    in_progress: metrics::gauge!(JOBS_IN_PROGRESS, label()),
                    name,
                })
            },
        }
    }

    pub(crate) fn queued(&self) {
        #[cfg(feature = "metrics")]
        self.series.queued.increment(1);
    }

    pub(crate) fn refused(&self, _rejection: &Rejection) {
        #[cfg(feature = "metrics")]
        metrics::counter!(
            JOBS_REFUSED_TOTAL,
            "queue" => self.series.name.to_string(),
            "code" => _rejection.code()
        )
        .increment(1);
    }

    pub(crate) fn attempt(&self, _ok: bool, _took: std::time::Duration) {
        #[cfg(feature = "metrics")]
        {
            if _ok {
                self.series.processed.increment(1);
            } else {
                self.series.failures.increment(1);
            }
            self.series.job[usize::from(!_ok)].record(_took.as_secs_f64());
        }
    }

    pub(crate) fn retried(&self) {
        #[cfg(feature = "metrics")]
        self.series.retries.increment(1);
    }

    pub(crate) fn dead_lettered(&self) {
        #[cfg(feature = "metrics")]
        self.series.dead_lettered.increment(1);
    }

    pub(crate) fn waited(&self, _wait: std::time::Duration) {
        #[cfg(feature = "metrics")]
        self.series.wait.record(_wait.as_secs_f64());
    }

    pub(crate) fn depth(&self, _depth: usize) {
        #[cfg(feature = "metrics")]
        self.series.depth.set(_depth as f64);
    }

    pub(crate) fn in_progress(&self, _delta: i64) {
        #[cfg(feature = "metrics")]
        {
            if _delta >= 0 {
                self.series.in_progress.increment(_delta as f64);
            } else {
                self.series.in_progress.decrement(-_delta as f64);
            }
        }
    }
}

/// The span of one admitted delivery; see the [module docs](self).
pub(crate) fn delivery_span(meta: &WebhookMeta) -> tracing::Span {
    let span = tracing::info_span!(
        "webhook",
        scheme = meta.scheme(),
        namespace = meta.namespace(),
        id = meta.id(),
        event = meta.event_type(),
        secret = tracing::field::Empty,
        outcome = tracing::field::Empty,
    );
    if !span.is_disabled() {
        match meta.secret_label() {
            Some(label) => span.record("secret", label),
            None => span.record("secret", meta.secret_index()),
        };
    }
    span
}
