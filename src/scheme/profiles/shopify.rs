//! Shopify: [`Scheme::shopify`].

use crate::scheme::{Encoding, Scheme};

impl Scheme {
    /// Shopify webhooks.
    ///
    /// `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the raw body>` (no prefix), keyed with the
    /// app's client secret; `X-Shopify-Topic` is the event type (`orders/create`, …).
    ///
    /// The delivery id is `X-Shopify-Event-Id`: Shopify's guide "Ignore duplicate webhooks"
    /// (<https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates>) names it as the
    /// duplicate key, the same value on several webhooks meaning the same event (also when
    /// several subscriptions to one topic each send one). A delivery without it is keyed on its
    /// `X-Shopify-Webhook-Id` instead
    /// ([`Field::HeadersInOrder`](crate::scheme::Field::HeadersInOrder)); the two headers carry
    /// different values. Shopify's `X-Shopify-Triggered-At` is an ISO 8601 date, not a unix
    /// timestamp, and is not checked; replays are caught by deduplication.
    pub fn shopify() -> Scheme {
        Scheme::builtin("shopify")
            .signature_header("x-shopify-hmac-sha256")
            .encoding(Encoding::Base64)
            .id_headers_in_order(["x-shopify-event-id", "x-shopify-webhook-id"])
            .event_header("x-shopify-topic")
            .build()
            .expect("built-in scheme is valid")
    }
}
