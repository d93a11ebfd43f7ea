//! Box: [`Scheme::box_com`].

use std::time::Duration;

use crate::scheme::{Encoding, Scheme, SignedPart, TimestampUnit};

impl Scheme {
    /// Box V2 webhooks.
    ///
    /// From Box's "V2 Webhooks" (<https://developer.box.com/guides/webhooks/v2/>) and
    /// "Signature Verification"
    /// (<https://developer.box.com/guides/webhooks/v2/signatures-v2/>): Box signs each
    /// payload twice, `BOX-SIGNATURE-PRIMARY` with the application's primary signature key
    /// and `BOX-SIGNATURE-SECONDARY` with its secondary key, each the base64 of the
    /// HMAC-SHA256 of the raw body followed by the `BOX-DELIVERY-TIMESTAMP` header's value
    /// (`<body><timestamp>`); `BOX-SIGNATURE-VERSION` is `1` and `BOX-SIGNATURE-ALGORITHM`
    /// `HmacSHA256`. The keys are used as the developer console shows them
    /// ([`Secret::new`](crate::Secret::new)).
    ///
    /// **Both signatures are checked** ([`SchemeBuilder::signature_headers`]): each is a
    /// candidate against every configured key, and one matching is enough. Configure the
    /// primary and the secondary key (in that order: [`WebhookMeta::secret_index`] then says
    /// which matched). While Box's rotation guide has a key regenerated, the delivery still
    /// verifies with the other one's signature: a primary signature that is wrong, or that does
    /// not decode, is passed over when the secondary one matches. Neither header is
    /// `signature_missing`; both present and neither matching, `signature_mismatch`.
    ///
    /// [`SchemeBuilder::signature_headers`]: crate::scheme::SchemeBuilder::signature_headers
    /// [`WebhookMeta::secret_index`]: crate::WebhookMeta::secret_index
    ///
    /// The timestamp is RFC 3339 (`2016-07-11T10:10:33-07:00`); Box's guide rejects
    /// deliveries older than ten minutes, and so does this scheme ([`Scheme::tolerance`], ten
    /// minutes each way). The delivery id is the body's
    /// `id`, the webhook event, which stays the same when Box retries, while
    /// `BOX-DELIVERY-ID` changes with every attempt; the event type is the body's `trigger`
    /// (`FILE.UPLOADED`, …). Box waits 30 seconds for a `2xx` and retries a failed delivery
    /// (up to 12 times over two hours, by its V2 guide).
    pub fn box_com() -> Scheme {
        Scheme::builtin("box")
            .signature_headers(["box-signature-primary", "box-signature-secondary"])
            .encoding(Encoding::Base64)
            .timestamp_header("box-delivery-timestamp", TimestampUnit::Rfc3339)
            .id_json_field("id")
            .event_json_field("trigger")
            .signed_parts([SignedPart::Body, SignedPart::Timestamp])
            .tolerance(Duration::from_secs(600))
            .build()
            .expect("built-in scheme is valid")
    }
}
