//! Stripe: [`Scheme::stripe`].

use crate::scheme::{Scheme, SignedPart, TimestampUnit};

impl Scheme {
    /// Stripe webhooks.
    ///
    /// `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`: the timestamp is the `t=` entry
    /// of the signature header itself; the signed message is `<t>.<body>`; any `v1=` entry
    /// matching is enough (Stripe sends one per active secret while an endpoint secret is being
    /// rolled), other entries (`v0=` test-mode signatures, future schemes) are ignored. Stripe's
    /// own libraries default to a 300 s tolerance, as does the verifier. The delivery id is the
    /// event's `id` and the event type its `type`, both read from the signed body. The `whsec_…`
    /// endpoint secret is used as is: build it with [`Secret::new`](crate::Secret::new).
    pub fn stripe() -> Scheme {
        Scheme::builtin("stripe")
            .signature_header("stripe-signature")
            .signature_list(',', "v1=")
            .timestamp_in_signature("t=", TimestampUnit::Seconds)
            .id_json_field("id")
            .event_json_field("type")
            .signed_parts([
                SignedPart::Timestamp,
                SignedPart::literal("."),
                SignedPart::Body,
            ])
            .build()
            .expect("built-in scheme is valid")
    }
}
