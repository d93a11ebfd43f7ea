//! Zoom: [`Scheme::zoom`].

use crate::scheme::{Scheme, SignedPart, TimestampUnit};

impl Scheme {
    /// Zoom webhooks (event subscriptions of a Marketplace app: `meeting.started`, …).
    ///
    /// From Zoom's "Using webhooks" (<https://developers.zoom.us/docs/api/webhooks/>, "Verify
    /// webhook events"): `x-zm-signature: v0=<hex>` is the HMAC-SHA256, keyed with the event
    /// subscription's **secret token** (used as is), of `v0:<x-zm-request-timestamp>:<body>`.
    /// The timestamp is unix **seconds**, signed, and checked against the verifier's window
    /// (Zoom names no tolerance; the default is 5 minutes). The event type is the body's
    /// `event`.
    ///
    /// Deduplication: Zoom documents no delivery or event id (the body has `event`, `event_ts`
    /// in milliseconds and `payload`), so the scheme has no id and the guard keys each POST on
    /// its verified signature: a replay is a duplicate. Zoom waits 3 seconds for a 200 or 204
    /// and retries an event three times (after 5, 20 and 60 minutes); a retry signed with a new
    /// timestamp is a new signature, so a handler that must act once per event keys its own
    /// work on `event`, `event_ts` and the object in `payload`.
    ///
    /// Zoom validates the endpoint (when it is set, then every 72 hours) with an
    /// `endpoint.url_validation` event, signed like the others, whose `payload.plainToken` must
    /// be answered with `{"plainToken", "encryptedToken"}`, the latter the hex HMAC-SHA256 of
    /// the plain token under the same secret token: [`handshake::zoom`](crate::handshake::zoom),
    /// called with the verified body.
    pub fn zoom() -> Scheme {
        Scheme::builtin("zoom")
            .signature_header("x-zm-signature")
            .signature_prefix("v0=")
            .timestamp_header("x-zm-request-timestamp", TimestampUnit::Seconds)
            .event_json_field("event")
            .signed_parts([
                SignedPart::literal("v0:"),
                SignedPart::Timestamp,
                SignedPart::literal(":"),
                SignedPart::Body,
            ])
            .build()
            .expect("built-in scheme is valid")
    }
}
