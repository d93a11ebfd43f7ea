//! Mailgun: [`Scheme::mailgun`].

use crate::scheme::{Scheme, SignedPart, TimestampUnit};

impl Scheme {
    /// Mailgun webhooks (JSON event webhooks: `delivered`, `opened`, `failed`, …).
    ///
    /// From Mailgun's "Securing Webhooks"
    /// (<https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks>):
    /// the signature travels in the JSON body, not in a header, as
    /// `{"signature": {"timestamp": …, "token": …, "signature": …}, "event-data": {…}}`.
    /// `signature.signature` is the hex HMAC-SHA256, keyed with the account's **HTTP webhook
    /// signing key** (used as is), of `signature.timestamp` followed by `signature.token` (a
    /// random 50-character string), with no separator
    /// ([`SchemeBuilder::signature_json_field`](crate::scheme::SchemeBuilder::signature_json_field),
    /// [`SignedPart::Timestamp`], [`SignedPart::json_field`]). The timestamp is unix
    /// **seconds** and is checked against the verifier's window (Mailgun names no tolerance;
    /// its Python SDK's `verify_webhook` allows 15 minutes, the default here is 5).
    ///
    /// Nothing of `event-data` is signed: the signature vouches for the token and timestamp
    /// only, so the body's event is trusted only as far as TLS carries it. Deduplication keys on
    /// `signature.token`, which Mailgun tells receivers to cache and refuse when reused (its
    /// replay protection); as the id is read from a body the signature does not cover whole, the
    /// key also holds the signature ([`Scheme::id_is_signed`] is `false`). The event type is
    /// `event-data.event`; `event-data.id` is the event's own id, for a handler that dedups
    /// events. Mailgun retries a delivery that is not answered 2xx (406 stops it) for 8 hours.
    /// Legacy form-encoded webhooks are not covered.
    pub fn mailgun() -> Scheme {
        Scheme::builtin("mailgun")
            .signature_json_field("signature.signature")
            .timestamp_json_field("signature.timestamp", TimestampUnit::Seconds)
            .id_json_field("signature.token")
            .event_json_field("event-data.event")
            .signed_parts([
                SignedPart::Timestamp,
                SignedPart::json_field("signature.token"),
            ])
            .build()
            .expect("built-in scheme is valid")
    }
}
