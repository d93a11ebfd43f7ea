//! Vercel: [`Scheme::vercel`].

use crate::scheme::{Algorithm, Scheme};

impl Scheme {
    /// Vercel webhooks (account webhooks and integration webhooks: `deployment.created`,
    /// `deployment.succeeded`, `project.created`, …).
    ///
    /// From Vercel's "Webhooks" documentation (<https://vercel.com/docs/webhooks>, securing
    /// webhooks): `x-vercel-signature: <hex HMAC-SHA1 of the raw body>` (no prefix,
    /// [`Algorithm::HmacSha1`]), keyed with the webhook's secret (shown once when the webhook
    /// is created) or, for an integration's webhooks, the integration's client secret, used as
    /// is. Nothing carries a timestamp: replays are caught by deduplication only.
    ///
    /// The body is `{"id": …, "type": …, "createdAt": <ms>, "payload": {…}, "region": …}`:
    /// `id` names the event and is the delivery id, `type` is the event type; both are signed
    /// with the body. (`createdAt` is when the event happened, not when it was sent, so it is not
    /// checked against a window.)
    ///
    /// Note: Vercel's own page could not be read when this profile was written; these facts are
    /// as the webhook libraries that cite it (trigger.dev's and Hookdeck's Vercel verifiers)
    /// describe them, and no retry schedule is given. Check a first real delivery with
    /// `webhook-guard verify --scheme vercel`.
    pub fn vercel() -> Scheme {
        Scheme::builtin("vercel")
            .signature_header("x-vercel-signature")
            .algorithm(Algorithm::HmacSha1)
            .id_json_field("id")
            .event_json_field("type")
            .build()
            .expect("built-in scheme is valid")
    }
}
