//! Square: [`Scheme::square`].

use crate::scheme::{Encoding, Scheme, SchemeError, SignedPart};

impl Scheme {
    /// Square's webhooks (event notifications of the Square APIs), for a receiver that Square
    /// addresses at `public_url` (the scheme and host of the notification URL of the webhook
    /// subscription, e.g. `https://hooks.example.com`; the request brings the path and query).
    ///
    /// From Square's "Verify and Validate an Event Notification"
    /// (<https://developer.squareup.com/docs/webhooks/step3validate>): every notification
    /// carries `x-square-hmacsha256-signature`, the base64 HMAC-SHA256, keyed with the
    /// subscription's signature key (used as is), of the notification URL followed by the raw
    /// body ([`SignedPart::Url`], [`SignedPart::Body`]). The URL must be the one configured in
    /// the subscription byte for byte: configure the base exactly as there. (The older
    /// `x-square-signature`, HMAC-SHA1, is not read.)
    ///
    /// No timestamp is signed, so there is no window to check. The delivery id is the body's
    /// `event_id`: Square's "Manage Webhook Operations"
    /// (<https://developer.squareup.com/docs/webhooks/step4manage>) calls it the idempotency
    /// value to skip repeated notifications on, and it stays the same on every retry. The event
    /// type is the body's `type` (`payment.updated`, …). Square waits 10 seconds for a 2xx
    /// answer and retries for up to 72 hours with growing delays (1, 2, 4, … 32 minutes, then
    /// hourly; <https://developer.squareup.com/docs/webhooks-api/delivery-sla>).
    ///
    /// Refuses a `public_url` that is not `http(s)://host[:port][/path]` with
    /// [`SchemeError::InvalidPublicUrl`].
    ///
    /// ```
    /// use webhook_guard::testing::Delivery;
    /// use webhook_guard::{Scheme, Secret, Verifier};
    ///
    /// let square = Scheme::square("https://hooks.example.com")?;
    /// let signature_key = Secret::new("square-signature-key-0123456789")?;
    /// let body = &br#"{"type":"payment.updated","event_id":"6a8f5f28-54a1-4eb0-a98a-3111513fd4fc"}"#[..];
    /// let d = Delivery::new(square.clone(), body).path("/square").sign(&signature_key);
    ///
    /// let request = d.into_request::<bytes::Bytes>("/square");
    /// let meta = Verifier::new(square, signature_key).verify_request(&request)?;
    /// assert_eq!(meta.id(), Some("6a8f5f28-54a1-4eb0-a98a-3111513fd4fc"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn square(public_url: &str) -> Result<Scheme, SchemeError> {
        Scheme::builtin("square")
            .signature_header("x-square-hmacsha256-signature")
            .encoding(Encoding::Base64)
            .public_url(public_url)
            .id_json_field("event_id")
            .event_json_field("type")
            .signed_parts([SignedPart::Url, SignedPart::Body])
            .build()
    }
}
