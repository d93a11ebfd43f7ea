//! Mux: [`Scheme::mux`].

use crate::scheme::{Scheme, SignedPart, TimestampUnit};

impl Scheme {
    /// Mux webhooks (Mux Video and Mux Data events).
    ///
    /// From Mux's "Verify webhook signatures"
    /// (<https://www.mux.com/docs/core/verify-webhook-signatures>):
    /// `Mux-Signature: t=<unix seconds>,v1=<hex>`, entries separated by `,`; `t=` is the
    /// timestamp and `v1` the only signature scheme so far (other `v<n>=` entries are
    /// ignored). The signed message is `<t>.<raw body>`, HMAC-SHA256 keyed with the webhook
    /// endpoint's signing secret (different for each endpoint), used as is: build it with
    /// [`Secret::new`](crate::Secret::new). Mux's guide checks the timestamp against a
    /// tolerance after the signature; its Node SDK (`@mux/mux-node`) allows 300 seconds of age,
    /// as the verifier's [`DEFAULT_TOLERANCE`](crate::DEFAULT_TOLERANCE) does.
    ///
    /// The delivery id is the event's `id` and the event type its `type`
    /// (`video.asset.ready`, …), both read from the signed JSON body: the `id` names the
    /// event, not the attempt, so deduplication does not depend on the signature, which
    /// changes with every `t`. Mux's signature page documents no retry schedule.
    pub fn mux() -> Scheme {
        Scheme::builtin("mux")
            .signature_header("mux-signature")
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
