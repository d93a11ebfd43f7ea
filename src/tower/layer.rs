use std::sync::Arc;

use tower::Layer;

use super::service::WebhookService;
use crate::pipeline::Pipeline;
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

crate::pipeline::guard_builder!(WebhookLayer);

impl WebhookLayer {
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
