use tower::Layer;

use super::service::WebhookService;
use crate::guard::Guard;
use crate::verify::Verifier;

/// Applies webhook verification to a service. Configuration lives here; cloning is cheap.
///
/// ```
/// use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer};
///
/// let verifier = Verifier::new(Scheme::stripe(), Secret::new("whsec_your_stripe_signing_secret")?);
/// let layer = WebhookLayer::new(verifier).body_limit(256 * 1024);
/// # Ok::<(), webhook_guard::SecretError>(())
/// ```
///
/// A [`Guard`] configured elsewhere becomes a layer with `WebhookLayer::from(guard)`.
#[derive(Debug, Clone)]
pub struct WebhookLayer {
    pub(super) config: std::sync::Arc<crate::pipeline::Pipeline>,
}

crate::pipeline::guard_builder!(WebhookLayer);

impl WebhookLayer {
    /// The verifier in use.
    pub fn verifier(&self) -> &Verifier {
        &self.config.verifier
    }

    /// The [`Guard`] this layer puts in front of services.
    pub fn guard(&self) -> Guard {
        Guard {
            config: self.config.clone(),
        }
    }
}

impl From<Guard> for WebhookLayer {
    fn from(guard: Guard) -> Self {
        WebhookLayer {
            config: guard.config,
        }
    }
}

impl<S> Layer<S> for WebhookLayer {
    type Service = WebhookService<S>;

    /// # Panics
    ///
    /// When another guard, built apart from this one, deduplicates under the same
    /// [namespace](WebhookLayer::namespace) in the same store.
    fn layer(&self, inner: S) -> Self::Service {
        let guard = self.guard();
        guard.register();
        WebhookService { inner, guard }
    }
}
