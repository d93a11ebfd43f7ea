//! Calendly: [`Scheme::calendly`].

use crate::scheme::{Scheme, SignedPart, TimestampUnit};

impl Scheme {
    /// Calendly webhook subscriptions (API v2).
    ///
    /// From Calendly's "Webhook Signatures"
    /// (<https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures>):
    /// `Calendly-Webhook-Signature: t=<unix seconds>,v1=<hex>`; the signed message is
    /// `<t>.<raw body>`, HMAC-SHA256 keyed with the webhook signing key, used as is (build it
    /// with [`Secret::new`](crate::Secret::new)). With a personal access token the key is the
    /// `signing_key` given when the subscription was created (optional: without one Calendly
    /// signs nothing, and every delivery is refused here as `signature_missing`); an OAuth
    /// application gets one generated for all its webhooks. The timestamp is checked against
    /// the verifier's tolerance ([`DEFAULT_TOLERANCE`](crate::DEFAULT_TOLERANCE) unless set).
    ///
    /// Calendly's payload is `{"event": "invitee.created", "created_at": …, "created_by": …,
    /// "payload": {…}}`: the event type is `event`, and there is **no event or delivery id**,
    /// in a header or in the body, while each retry is signed anew (a new `t=`, so a new
    /// signature). Deduplication is therefore keyed on what stays the same in the body of every
    /// attempt, the three fields together ([`SchemeBuilder::dedup_id_json_fields`]): `event`,
    /// `created_at` (when the event happened) and `payload.uri` (the invitee, or the resource the
    /// event is about), reported as a `sha256:…` id as they do not fit in 62 bytes. A retry of
    /// an event is then a duplicate, however it was signed; a reschedule is two new events
    /// (`invitee.canceled` for the old invitee, `invitee.created` for the new one). Calendly
    /// retries a failing delivery with exponential back-off for 24 hours, then disables the
    /// subscription (<https://developer.calendly.com/api-docs/overview/webhooks/webhook-errors>).
    ///
    /// [`SchemeBuilder::dedup_id_json_fields`]: crate::scheme::SchemeBuilder::dedup_id_json_fields
    pub fn calendly() -> Scheme {
        Scheme::builtin("calendly")
            .signature_header("calendly-webhook-signature")
            .signature_list(',', "v1=")
            .timestamp_in_signature("t=", TimestampUnit::Seconds)
            .event_json_field("event")
            .dedup_id_json_fields(["event", "created_at", "payload.uri"])
            .signed_parts([
                SignedPart::Timestamp,
                SignedPart::literal("."),
                SignedPart::Body,
            ])
            .build()
            .expect("built-in scheme is valid")
    }
}
