//! Counters for what the guard and the async-ack queue did, readable as one [`StatsSnapshot`].
//!
//! One [`Stats`] handle is shared by whatever reports into it: pass it to
//! [`WebhookLayer::stats`](crate::WebhookLayer::stats) (or the actix `WebhookGuard::stats`) for
//! the request side (received, verified, rejected by reason, duplicates) and to
//! [`AckQueueBuilder::stats`](crate::ack::AckQueueBuilder::stats) for the background side
//! (queued, processed, failed, dead-lettered, depth, processing time). Counting is a few relaxed
//! atomic additions; nothing is locked on the request path.
//!
//! ```
//! use webhook_guard::stats::Stats;
//! use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer};
//!
//! let stats = Stats::new();
//! let verifier = Verifier::new(Scheme::stripe(), Secret::new("whsec_your_stripe_signing_secret")?);
//! let layer = WebhookLayer::new(verifier).stats(&stats);
//! // Serve it, e.g. `GET /metrics/webhooks` answering `Json(stats.snapshot())`.
//! let snapshot = stats.snapshot();
//! assert_eq!(snapshot.received, 0);
//! assert_eq!(serde_json::to_value(&snapshot)?["rejected"], serde_json::json!({}));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

use crate::error::RejectionKind;

/// A shared set of counters. Cloning is cheap and every clone counts into the same set.
#[derive(Clone, Default)]
pub struct Stats {
    inner: Arc<Counters>,
}

#[derive(Default)]
struct Counters {
    received: AtomicU64,
    verified: AtomicU64,
    rejected: [AtomicU64; RejectionKind::ALL.len()],
    duplicates: AtomicU64,
    queued: AtomicU64,
    refused_queue_full: AtomicU64,
    processed: AtomicU64,
    failed_attempts: AtomicU64,
    retried: AtomicU64,
    dead_lettered: AtomicU64,
    depth: AtomicU64,
    in_progress: AtomicU64,
    processing_count: AtomicU64,
    processing_total_us: AtomicU64,
    processing_max_us: AtomicU64,
}

impl std::fmt::Debug for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Stats").field(&self.snapshot()).finish()
    }
}

/// What happened so far, at the moment [`Stats::snapshot`] was taken. Serializes to JSON for a
/// metrics endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StatsSnapshot {
    /// Requests that reached a guard.
    pub received: u64,
    /// Requests whose signature and timestamp verified.
    pub verified: u64,
    /// Refused requests by machine code (`"signature_mismatch"` → count); codes never seen are
    /// left out.
    pub rejected: BTreeMap<&'static str, u64>,
    /// Duplicates of completed deliveries, answered `200 {"duplicate":true}` without running
    /// the handler.
    pub duplicates: u64,
    /// Jobs accepted by the async-ack queue.
    pub queued: u64,
    /// Jobs refused because the queue was full (answered 503 so the sender retries).
    pub refused_queue_full: u64,
    /// Jobs whose handler succeeded.
    pub processed: u64,
    /// Failed attempts (an error, a panic or a timeout), retried or not.
    pub failed_attempts: u64,
    /// Attempts that were retries of a failed one.
    pub retried: u64,
    /// Jobs handed to the dead-letter callback.
    pub dead_lettered: u64,
    /// Jobs waiting in the queue now.
    pub depth: u64,
    /// Jobs being processed now.
    pub in_progress: u64,
    /// Processing time of the attempts so far.
    pub processing: ProcessingTime,
}

/// Processing time of job attempts, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ProcessingTime {
    /// Attempts measured.
    pub count: u64,
    /// Mean duration of an attempt.
    pub mean_us: u64,
    /// Longest attempt.
    pub max_us: u64,
}

impl Stats {
    /// A new set of counters, all zero.
    pub fn new() -> Self {
        Stats::default()
    }

    /// The counters now. Each counter is read atomically; the set is not one atomic picture
    /// (a request finishing meanwhile may show in one counter and not yet in another).
    pub fn snapshot(&self) -> StatsSnapshot {
        let c = &*self.inner;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let rejected = RejectionKind::ALL
            .iter()
            .zip(&c.rejected)
            .filter_map(|(kind, n)| Some((kind.code(), get(n))).filter(|(_, n)| *n > 0))
            .collect();
        let count = get(&c.processing_count);
        StatsSnapshot {
            received: get(&c.received),
            verified: get(&c.verified),
            rejected,
            duplicates: get(&c.duplicates),
            queued: get(&c.queued),
            refused_queue_full: get(&c.refused_queue_full),
            processed: get(&c.processed),
            failed_attempts: get(&c.failed_attempts),
            retried: get(&c.retried),
            dead_lettered: get(&c.dead_lettered),
            depth: get(&c.depth),
            in_progress: get(&c.in_progress),
            processing: ProcessingTime {
                count,
                mean_us: get(&c.processing_total_us).checked_div(count).unwrap_or(0),
                max_us: get(&c.processing_max_us),
            },
        }
    }

    fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn received(&self) {
        Self::add(&self.inner.received);
    }

    pub(crate) fn verified(&self) {
        Self::add(&self.inner.verified);
    }

    pub(crate) fn rejected(&self, kind: RejectionKind) {
        if let Some(i) = RejectionKind::ALL.iter().position(|k| *k == kind) {
            Self::add(&self.inner.rejected[i]);
        }
    }

    pub(crate) fn duplicate(&self) {
        Self::add(&self.inner.duplicates);
    }

    pub(crate) fn queued(&self) {
        Self::add(&self.inner.queued);
    }

    pub(crate) fn refused_queue_full(&self) {
        Self::add(&self.inner.refused_queue_full);
    }

    pub(crate) fn processed(&self) {
        Self::add(&self.inner.processed);
    }

    pub(crate) fn failed_attempt(&self) {
        Self::add(&self.inner.failed_attempts);
    }

    pub(crate) fn retried(&self) {
        Self::add(&self.inner.retried);
    }

    pub(crate) fn dead_lettered(&self) {
        Self::add(&self.inner.dead_lettered);
    }

    pub(crate) fn set_depth(&self, depth: usize) {
        self.inner.depth.store(depth as u64, Ordering::Relaxed);
    }

    pub(crate) fn in_progress(&self, delta: i64) {
        if delta >= 0 {
            self.inner
                .in_progress
                .fetch_add(delta as u64, Ordering::Relaxed);
        } else {
            self.inner
                .in_progress
                .fetch_sub(delta.unsigned_abs(), Ordering::Relaxed);
        }
    }

    pub(crate) fn attempt_took(&self, took: Duration) {
        let us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        let c = &*self.inner;
        c.processing_count.fetch_add(1, Ordering::Relaxed);
        c.processing_total_us.fetch_add(us, Ordering::Relaxed);
        c.processing_max_us.fetch_max(us, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_snapshots() {
        let s = Stats::new();
        let t = s.clone();
        s.received();
        t.received();
        s.rejected(RejectionKind::SignatureMismatch);
        s.rejected(RejectionKind::SignatureMismatch);
        s.rejected(RejectionKind::TimestampExpired);
        s.attempt_took(Duration::from_micros(100));
        s.attempt_took(Duration::from_micros(300));
        s.set_depth(7);
        let snap = t.snapshot();
        assert_eq!(snap.received, 2);
        assert_eq!(snap.rejected["signature_mismatch"], 2);
        assert_eq!(snap.rejected["timestamp_expired"], 1);
        assert_eq!(snap.rejected.len(), 2);
        assert_eq!(snap.processing.count, 2);
        assert_eq!(snap.processing.mean_us, 200);
        assert_eq!(snap.processing.max_us, 300);
        assert_eq!(snap.depth, 7);
    }
}
