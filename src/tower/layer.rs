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
    /// with `408 body_timeout`, so a stalled or trickling client holds no buffer or task for
    /// longer. On by default: [`DEFAULT_BODY_TIMEOUT`](crate::DEFAULT_BODY_TIMEOUT) (10 s;
    /// senders upload webhook bodies in milliseconds). `None` turns it off. Needs the Tokio
    /// timer (any `#[tokio::main]` / actix-web runtime has it).
    #[must_use]
    pub fn body_timeout(mut self, limit: impl Into<Option<std::time::Duration>>) -> Self {
        Arc::make_mut(&mut self.config).body_timeout = limit.into();
        self
    }

    /// The first part of this guard's dedup keys (`<namespace>:id:<delivery id>`); default: the
    /// scheme's name. Give each guard of one sender its own when they share a store: Stripe, for
    /// one, sends the same event id to every endpoint subscribed to the event, and two guards
    /// with one namespace would answer the second endpoint as a duplicate. Two such guards are
    /// refused when the second is put in front of its service (a panic at start-up naming the
    /// namespace), never discovered as lost deliveries.
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<Arc<str>>) -> Self {
        Arc::make_mut(&mut self.config).namespace = Some(namespace.into());
        self
    }

    /// This guard is one of several replicas of one endpoint in this process (for example
    /// two servers in one test standing for two instances of a service): other guards marked
    /// so may deduplicate under the same [namespace](WebhookLayer::namespace) in the same store,
    /// and a delivery processed through one is a duplicate through the others. Guards in
    /// different processes never need it.
    #[must_use]
    pub fn shared_namespace(mut self) -> Self {
        Arc::make_mut(&mut self.config).shared_namespace = true;
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

    /// # Panics
    ///
    /// When another guard, built apart from this one, deduplicates under the same
    /// [namespace](WebhookLayer::namespace) in the same store.
    fn layer(&self, inner: S) -> Self::Service {
        self.config.register();
        WebhookService {
            inner,
            config: self.config.clone(),
        }
    }
}
