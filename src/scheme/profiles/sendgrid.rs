//! SendGrid: [`Scheme::sendgrid`].

use crate::scheme::{Algorithm, Encoding, Scheme, SignedPart, TimestampUnit};

impl Scheme {
    /// SendGrid's Signed Event Webhook (Twilio SendGrid email events: `processed`,
    /// `delivered`, `open`, `bounce`, …).
    ///
    /// From Twilio SendGrid's "Getting Started with the Event Webhook Security Features"
    /// (<https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features>):
    /// with signing enabled, SendGrid signs each POST with the private half of an ECDSA P-256
    /// key pair it generated, over `<X-Twilio-Email-Event-Webhook-Timestamp><raw body>` with
    /// SHA-256 ([`Algorithm::EcdsaP256Sha256`]), and sends the signature base64-encoded (DER)
    /// in `X-Twilio-Email-Event-Webhook-Signature`. The verification key is the base64 text the
    /// Event Webhook settings show (the SubjectPublicKeyInfo, DER):
    /// [`PublicKey::p256_base64`](crate::keys::PublicKey::p256_base64), feature `p256`. The
    /// timestamp is unix **seconds**, signed, and checked against the verifier's window
    /// (SendGrid names no tolerance; the default is 5 minutes).
    ///
    /// Deduplication: a POST carries a JSON **array** of events, each with its own
    /// `sg_event_id`, and no header names the delivery, so the scheme has no delivery id
    /// ([`WebhookMeta::id`](crate::WebhookMeta::id) is `None`). The guard keys each POST on its
    /// verified signature instead (in a canonical form, so a re-encoded signature is the same
    /// key): a replay of a captured POST is a duplicate. A retry that SendGrid signs anew, or
    /// events regrouped into another batch, are new POSTs to the guard; SendGrid documents
    /// that duplicate events happen, so a handler that must act once per event keeps the
    /// `sg_event_id`s it has processed. There is no event type either: each event of the
    /// batch carries its own `event` field, for the handler to read.
    ///
    /// ```
    /// # #[cfg(feature = "p256")] {
    /// use webhook_guard::keys::PublicKey;
    /// use webhook_guard::{Scheme, Verifier};
    ///
    /// // The "Verification Key" of the Event Webhook settings, as shown there.
    /// let key = PublicKey::p256_base64(
    ///     "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsi9efUnjT8edRQicTBP90l1CqZmu\
    ///      zhFSOQuIUR/K7dK3k5jGyehok15KScQ+b4leqWXXmzLDo8QsV1sdwyG5tA==",
    /// )?;
    /// let verifier = Verifier::with_public_key(Scheme::sendgrid(), key);
    /// assert!(!Scheme::sendgrid().id_is_signed());
    /// # }
    /// # Ok::<(), webhook_guard::keys::KeyError>(())
    /// ```
    pub fn sendgrid() -> Scheme {
        Scheme::builtin("sendgrid")
            .signature_header("x-twilio-email-event-webhook-signature")
            .algorithm(Algorithm::EcdsaP256Sha256)
            .encoding(Encoding::Base64)
            .timestamp_header(
                "x-twilio-email-event-webhook-timestamp",
                TimestampUnit::Seconds,
            )
            .signed_parts([SignedPart::Timestamp, SignedPart::Body])
            .build()
            .expect("built-in scheme is valid")
    }
}
