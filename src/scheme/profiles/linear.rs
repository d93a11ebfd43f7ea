//! Linear: [`Scheme::linear`].

use std::time::Duration;

use crate::scheme::{Scheme, TimestampUnit};

impl Scheme {
    /// Linear webhooks (data change events: `Issue`, `Comment`, `Project`, `Cycle`, …).
    ///
    /// From Linear's "Webhooks" developer documentation
    /// (<https://linear.app/developers/webhooks>, formerly
    /// <https://developers.linear.app/docs/graphql/webhooks>) and its SDK page
    /// (<https://linear.app/docs/api/sdk-webhooks>): `Linear-Signature: <hex HMAC-SHA256 of the
    /// raw body>` (no prefix), keyed with the webhook's signing secret as shown in Linear's
    /// settings (used as is). Linear sends no timestamp header: the send time is the
    /// `webhookTimestamp` field of the JSON body, in unix **milliseconds**, covered by the
    /// signature with the rest of the body, and checked here against the verifier's window.
    /// Linear's guide and SDK (`LinearWebhooks.verify`) accept it within **one minute** of the
    /// receiver's clock, and so does this scheme ([`Scheme::tolerance`]; widen it with
    /// `Verifier::builder(..).tolerance(..)` if your clock cannot be kept that close).
    ///
    /// The delivery id is `Linear-Delivery` (a UUID naming the delivery) and the event type
    /// `Linear-Event` (the entity type: `Issue`, `Comment`, …; the body's `action` says
    /// `create`, `update` or `remove`). Neither header is signed, so deduplication also keys on
    /// the signature. Linear waits 5 seconds for a `200` and retries a failed delivery at most 3
    /// times with growing delays (1 minute, then 1 hour, then longer).
    pub fn linear() -> Scheme {
        Scheme::builtin("linear")
            .signature_header("linear-signature")
            .timestamp_json_field("webhookTimestamp", TimestampUnit::Milliseconds)
            .id_header("linear-delivery")
            .event_header("linear-event")
            .tolerance(Duration::from_secs(60))
            .build()
            .expect("built-in scheme is valid")
    }
}
