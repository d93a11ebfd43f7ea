//! Lemon Squeezy: [`Scheme::lemon_squeezy`].

use crate::scheme::Scheme;

impl Scheme {
    /// Lemon Squeezy webhooks (`order_created`, `subscription_updated`, …).
    ///
    /// From Lemon Squeezy's "Signing Requests"
    /// (<https://docs.lemonsqueezy.com/help/webhooks/signing-requests>) and "Webhook Requests"
    /// (<https://docs.lemonsqueezy.com/help/webhooks/webhook-requests>) pages:
    /// `X-Signature: <hex HMAC-SHA256 of the raw body>` (no prefix), keyed with the signing
    /// secret typed when the webhook was created, used as is. Lemon Squeezy lets that secret be
    /// anything, "normally a random string between 6 and 40 characters": one shorter than
    /// [`MIN_SECRET_LEN`](crate::MIN_SECRET_LEN) needs
    /// [`Secret::danger_allow_short`](crate::Secret::danger_allow_short) (better: a long random
    /// one). The event type is `X-Event-Name` (the body's `meta.event_name` says the same).
    /// Nothing carries a timestamp: replays are caught by deduplication only.
    ///
    /// Deduplication: Lemon Squeezy sends no delivery or event id. The body is a JSON:API
    /// resource object whose `data.id` is the id of the order, subscription, … the event is
    /// about (the same for every event about it), and whose `meta` has `event_name` and the
    /// checkout's `custom_data`: nothing names the delivery. So the scheme has no delivery id
    /// ([`WebhookMeta::id`](crate::WebhookMeta::id) is `None`) and the guard keys each delivery
    /// on its verified signature: a replayed or retried delivery with the same body is a
    /// duplicate, and so is one resent by hand from the dashboard's webhook log. Lemon Squeezy
    /// retries a delivery not answered `200` up to three more times with exponential backoff
    /// (its example: 5, 25 and 125 seconds).
    pub fn lemon_squeezy() -> Scheme {
        Scheme::builtin("lemon-squeezy")
            .signature_header("x-signature")
            .event_header("x-event-name")
            .build()
            .expect("built-in scheme is valid")
    }
}
