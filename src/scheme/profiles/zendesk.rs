//! Zendesk: [`Scheme::zendesk`].

use crate::scheme::{Encoding, Scheme, SignedPart, TimestampUnit};

impl Scheme {
    /// Zendesk webhooks (event subscriptions, and webhooks connected to triggers and
    /// automations).
    ///
    /// From Zendesk's "Verifying webhook authenticity"
    /// (<https://developer.zendesk.com/documentation/webhooks/verifying/>):
    /// `X-Zendesk-Webhook-Signature: <base64>`, the base64 of the HMAC-SHA256 of
    /// `<X-Zendesk-Webhook-Signature-Timestamp><raw body>` (the timestamp first, nothing
    /// between), keyed with the webhook's signing secret as the Webhooks API or Admin Center
    /// shows it, used as is (build it with [`Secret::new`](crate::Secret::new); it is not
    /// decoded, though it looks like base64). The timestamp is an RFC 3339 date-time
    /// (`2021-07-25T10:00:00Z`), checked against the verifier's tolerance
    /// ([`DEFAULT_TOLERANCE`](crate::DEFAULT_TOLERANCE) unless set); Zendesk names no
    /// tolerance. A request without a body (Zendesk webhooks may `GET` or `DELETE`) signs
    /// the timestamp alone.
    ///
    /// The delivery id is `X-Zendesk-Webhook-Invocation-Id`: one invocation of the webhook,
    /// which keeps its id over its attempts (the Webhooks API lists the attempts of each
    /// invocation); it is not signed, so deduplication keys on the signature too. The event
    /// type is the body's `type` (`zen:event-type:ticket.created`, …) where the webhook is
    /// subscribed to Zendesk events; a trigger's or automation's body is whatever the trigger
    /// writes, and has no event type then. Zendesk retries requests that fail with some
    /// status codes and pauses a failing webhook with a circuit breaker (Webhooks API
    /// introduction, <https://developer.zendesk.com/api-reference/webhooks/introduction>).
    pub fn zendesk() -> Scheme {
        Scheme::builtin("zendesk")
            .signature_header("x-zendesk-webhook-signature")
            .encoding(Encoding::Base64)
            .timestamp_header(
                "x-zendesk-webhook-signature-timestamp",
                TimestampUnit::Rfc3339,
            )
            .id_header("x-zendesk-webhook-invocation-id")
            .event_json_field("type")
            .signed_parts([SignedPart::Timestamp, SignedPart::Body])
            .build()
            .expect("built-in scheme is valid")
    }
}
