//! PayPal: [`Scheme::paypal`].

use crate::scheme::{Algorithm, Encoding, Scheme, SchemeError, SignedPart, TimestampUnit};

/// Longest webhook id PayPal's API accepts (`webhook_id`, `^[a-zA-Z0-9]+$`, at most 50).
const MAX_WEBHOOK_ID_LEN: usize = 50;

impl Scheme {
    /// PayPal REST webhooks, for the webhook subscription whose id PayPal assigned as
    /// `webhook_id` (shown beside the listener URL in the app's settings, or returned by the
    /// Webhooks Management API).
    ///
    /// From PayPal's "Integrate webhooks" guide
    /// (<https://developer.paypal.com/api/rest/webhooks/rest/>) and its `verify-webhook-signature`
    /// reference (<https://developer.paypal.com/api/webhooks/v1/definitions/verify_webhook_signature>):
    /// PayPal signs `<PAYPAL-TRANSMISSION-ID>|<PAYPAL-TRANSMISSION-TIME>|<webhook id>|<CRC32 of the raw body,
    /// as an unsigned decimal>` with RSASSA-PKCS1-v1_5 and SHA-256 (`PAYPAL-AUTH-ALGO:
    /// SHA256withRSA`; [`Algorithm::RsaPkcs1Sha256`]) and sends the signature base64-encoded in
    /// `PAYPAL-TRANSMISSION-SIG`. The webhook id is the receiver's own configuration, not a
    /// header: a delivery meant for another subscription does not verify here.
    ///
    /// The key: PayPal names a certificate in `PAYPAL-CERT-URL`. The crate fetches nothing;
    /// download the certificate once (check that it comes over HTTPS from a PayPal host and
    /// that its chain and dates are valid), and configure it with
    /// [`PublicKey::from_certificate_pem`](crate::keys::PublicKey::from_certificate_pem)
    /// (feature `rsa`). `PAYPAL-CERT-URL` and `PAYPAL-AUTH-ALGO` are not read: a delivery
    /// signed under another certificate fails with `signature_mismatch`, so when PayPal moves
    /// to a new certificate, configure it beside the old one (keys rotate like secrets).
    ///
    /// The timestamp `PAYPAL-TRANSMISSION-TIME` is an RFC 3339 date-time
    /// ([`TimestampUnit::Rfc3339`], e.g. `2016-09-21T22:00:46Z`), signed, and checked against
    /// the verifier's window (PayPal names no tolerance; the default is 5 minutes).
    ///
    /// Deduplication: PayPal's reference calls `PAYPAL-TRANSMISSION-ID` the id of the HTTP
    /// transmission, and PayPal retries a delivery that was not answered 2xx up to 25 times over
    /// 3 days; each retry is a transmission of its own, with its own id and (signed) time (a
    /// retry days later still carrying the first time would fail any timestamp window), while
    /// the event in the body keeps its `id` (`WH-…`). So the transmission id is only read for
    /// the signed message, and the delivery id reported and deduplicated on is the body's `id`
    /// ([`SchemeBuilder::dedup_id_json_field`](crate::scheme::SchemeBuilder::dedup_id_json_field));
    /// the event type is the body's `event_type` (`PAYMENT.CAPTURE.COMPLETED`, …). PayPal's
    /// retries span 3 days, longer than the dedup store's default TTL of 24 hours: for a
    /// retry of a delivery whose answer was lost to be still recognised, give PayPal's guard a
    /// longer one (`WebhookLayer::dedup_with(Dedup::new(store).ttl(..))`, 4 days, say).
    ///
    /// PayPal signs a CRC32 of the body, not the body: someone who sees a genuine delivery can
    /// write another body with the same CRC32 that the same signature covers. TLS keeps
    /// deliveries from being seen; beyond it, the timestamp window bounds when such a forgery
    /// could be sent, and because the body's `id` therefore does not count as signed
    /// ([`Scheme::id_is_signed`] is `false`), deduplication also keys on the signature, so a
    /// transmission is processed once whatever body comes with it.
    ///
    /// Refuses a webhook id that is empty, longer than 50 characters, or not ASCII letters and
    /// digits (a copied id with a space or a newline around it, say), with
    /// [`SchemeError::InvalidConfiguredValue`].
    ///
    /// ```
    /// # #[cfg(feature = "rsa")] {
    /// use webhook_guard::keys::PublicKey;
    /// use webhook_guard::testing::keys;
    /// use webhook_guard::{Scheme, Verifier};
    ///
    /// // The certificate `PAYPAL-CERT-URL` names, downloaded and checked beforehand.
    /// let certificate = PublicKey::from_certificate_pem(keys::RSA_CERTIFICATE_PEM)?;
    /// let verifier = Verifier::with_public_key(Scheme::paypal("8PT597110X687430LKGECATA")?, certificate);
    /// assert!(Scheme::paypal(" 8PT597110X687430LKGECATA\n").is_err());
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn paypal(webhook_id: &str) -> Result<Scheme, SchemeError> {
        let problem = if webhook_id.is_empty() {
            Some("is empty")
        } else if webhook_id.trim() != webhook_id {
            Some("has whitespace around it")
        } else if webhook_id.len() > MAX_WEBHOOK_ID_LEN {
            Some("is longer than the 50 characters PayPal gives its webhook ids")
        } else if !webhook_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Some("has characters other than the ASCII letters and digits of PayPal's webhook ids")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(SchemeError::InvalidConfiguredValue(format!(
                "PayPal webhook id {problem}"
            )));
        }
        Scheme::builtin("paypal")
            .signature_header("paypal-transmission-sig")
            .algorithm(Algorithm::RsaPkcs1Sha256)
            .encoding(Encoding::Base64)
            .timestamp_header("paypal-transmission-time", TimestampUnit::Rfc3339)
            .id_header("paypal-transmission-id")
            .dedup_id_json_field("id")
            .event_json_field("event_type")
            .signed_parts([
                SignedPart::Id,
                SignedPart::literal("|"),
                SignedPart::Timestamp,
                SignedPart::literal("|"),
                SignedPart::configured("webhook id", webhook_id),
                SignedPart::literal("|"),
                SignedPart::BodyCrc32,
            ])
            .build()
    }
}
