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
    /// **Only `BOX-SIGNATURE-PRIMARY` is checked**, against every configured key: the scheme
    /// model reads one signature header per delivery and tries every key on it, and cannot
    /// say "this header with that key, the other header with the other key". Configure the
    /// primary key (and, while it is being replaced, the old and new primary keys). Box's
    /// rotation guide has receivers accept the secondary signature while the primary key is
    /// regenerated; with this profile, configure the new primary key before regenerating it
    /// instead, as a delivery signed with a primary key the verifier does not know is
    /// refused even when its secondary signature is good.
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
            .signature_header("box-signature-primary")
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
