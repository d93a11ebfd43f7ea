use std::sync::Arc;

use tower::Layer;

use super::DEFAULT_BODY_LIMIT;
use super::service::WebhookService;
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
    pub(super) config: Arc<Config>,
}

#[derive(Debug)]
pub(super) struct Config {
    pub(super) verifier: Verifier,
    pub(super) limit: usize,
}

impl WebhookLayer {
    /// Verify every request with `verifier`, with the default 1 MiB body limit.
    pub fn new(verifier: Verifier) -> Self {
        WebhookLayer {
            config: Arc::new(Config {
                verifier,
                limit: DEFAULT_BODY_LIMIT,
            }),
        }
    }

    /// Refuse bodies larger than `bytes` with `413 body_too_large`, without reading past the
    /// limit.
    #[must_use]
    pub fn body_limit(self, bytes: usize) -> Self {
        WebhookLayer {
            config: Arc::new(Config {
                verifier: self.config.verifier.clone(),
                limit: bytes,
            }),
        }
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
