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
    /// in milliseconds and `payload`), and signs each retry anew with a new
    /// `x-zm-request-timestamp`, so neither a header nor the signature names the event across
    /// its attempts. The scheme keys on three fields of the body together
    /// ([`SchemeBuilder::dedup_id_json_fields`]): `event`, `event_ts` (when the event happened)
    /// and `payload.object.id` (the meeting, user, … it is about; left empty where an event has
    /// none, as the endpoint validation event), so the id reads
    /// `meeting.started|1701432000123|85746065432`. Zoom waits 3 seconds for a 200 or 204 and
    /// retries an event three times (after 5, 20 and 60 minutes,
    /// <https://developers.zoom.us/blog/webhook-delays/>); each retry is then a duplicate.
    ///
    /// [`SchemeBuilder::dedup_id_json_fields`]: crate::scheme::SchemeBuilder::dedup_id_json_fields
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
            .dedup_id_json_fields(["event", "event_ts", "payload.object.id"])
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
