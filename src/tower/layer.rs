use std::sync::Arc;

use tower::Layer;

use super::service::WebhookService;
use crate::dedup::{Dedup, DedupStore};
use crate::pipeline::Pipeline;
use crate::stats::Stats;
use crate::verify::Verifier;

/// Applies webhook verification to a service. Configuration lives here; cloning is cheap.
///
/// ```
/// use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer};
///
/// let verifier = Verifier::new(Scheme::helix(), Secret::new("helix-secret-0123456789")?);
/// let layer = WebhookLayer::new(verifier).body_limit(256 * 1024);
/// # Ok::<(), webhook_guard::SecretError>(())
/// ```
#[derive(Debug, Clone)]
pub struct WebhookLayer {
    pub(super) config: Arc<Pipeline>,
}

impl WebhookLayer {
    /// Verify every request with `verifier`, with the default 1 MiB body limit.
    pub fn new(verifier: Verifier) -> Self {
        WebhookLayer {
            config: Arc::new(Pipeline::new(verifier)),
        }
    }

    /// Refuse bodies larger than `bytes` with `413 body_too_large`, without reading past the
    /// limit.
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        Arc::make_mut(&mut self.config).limit = bytes;
        self
    }

    /// Refuse a body that has not fully arrived `limit` after the request reached the guard
    /// with `408 body_timeout` (a stalled or trickling client holds no buffer or task for
    /// longer). Off by default; senders upload webhook bodies in milliseconds, so a few seconds
    /// is generous. Needs the Tokio timer (any `#[tokio::main]` / actix-web runtime has it).
    #[must_use]
    pub fn body_timeout(mut self, limit: std::time::Duration) -> Self {
        Arc::make_mut(&mut self.config).body_timeout = Some(limit);
        self
    }

    /// Run each delivery's handler once: deduplicate through `store` with the default lease
    /// (5 min) and TTL (24 h), failing closed. See [`crate::dedup`].
    #[must_use]
    pub fn dedup(self, store: impl DedupStore) -> Self {
        self.dedup_with(Dedup::new(store))
    }

    /// Deduplicate with explicit settings.
    #[must_use]
    pub fn dedup_with(mut self, dedup: Dedup) -> Self {
        Arc::make_mut(&mut self.config).dedup = Some(dedup);
        self
    }

    /// Count what this layer sees (received, verified, rejected by reason, duplicates) into
    /// `stats`. See [`crate::stats`].
    #[must_use]
    pub fn stats(mut self, stats: &Stats) -> Self {
        Arc::make_mut(&mut self.config).stats = Some(stats.clone());
        self
    }

    /// The verifier in use.
    pub fn verifier(&self) -> &Verifier {
        &self.config.verifier
    }
}

impl<S> Layer<S> for WebhookLayer {
    type Service = WebhookService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        WebhookService {
            inner,
            config: self.config.clone(),
        }
    }
}
