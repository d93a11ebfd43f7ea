//! Paddle Billing: [`Scheme::paddle`].

use crate::scheme::{Scheme, SignedPart, TimestampUnit};

impl Scheme {
    /// Paddle Billing webhooks (notification destinations of type `url`).
    ///
    /// From Paddle's "Verify webhook signatures"
    /// (<https://developer.paddle.com/webhooks/signature-verification>):
    /// `Paddle-Signature: ts=<unix seconds>;h1=<hex>`, entries separated by `;`. The signed
    /// message is `<ts>:<raw body>` (a colon, not Stripe's dot), HMAC-SHA256 keyed with the
    /// notification destination's secret key (`pdl_ntfset_…`), used as is: build it with
    /// [`Secret::new`](crate::Secret::new). The header carries at least one `h1=`; while a
    /// secret is being rotated it carries one per active secret, and any one matching is
    /// enough. Paddle's SDKs allow the timestamp only five seconds of drift by default; the
    /// verifier's tolerance is its own
    /// ([`DEFAULT_TOLERANCE`](crate::DEFAULT_TOLERANCE) unless set with
    /// [`VerifierBuilder::tolerance`](crate::VerifierBuilder::tolerance)), so a receiver that
    /// wants Paddle's bound sets it.
    ///
    /// The delivery id is the event's `event_id` and the event type its `event_type`, both
    /// read from the signed JSON body. Paddle's "How webhooks work"
    /// (<https://developer.paddle.com/webhooks/about/how-webhooks-work>) guarantees
    /// at-least-once delivery and names `event_id` as the deduplication key; the
    /// `notification_id` differs per destination subscribed to the same event. Paddle
    /// expects a `200` within five seconds and retries a failed live notification up to 60
    /// times over three days with exponential backoff
    /// (<https://developer.paddle.com/webhooks/about/respond-to-webhooks>).
    pub fn paddle() -> Scheme {
        Scheme::builtin("paddle")
            .signature_header("paddle-signature")
            .signature_list(';', "h1=")
            .timestamp_in_signature("ts=", TimestampUnit::Seconds)
            .id_json_field("event_id")
            .event_json_field("event_type")
            .signed_parts([
                SignedPart::Timestamp,
                SignedPart::literal(":"),
                SignedPart::Body,
            ])
            .build()
            .expect("built-in scheme is valid")
    }
}
