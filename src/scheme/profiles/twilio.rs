//! Twilio: [`Scheme::twilio`].

use crate::scheme::{Algorithm, Encoding, Scheme, SchemeError, SignedPart};

impl Scheme {
    /// Twilio's webhooks (incoming messages and calls, status callbacks), for a receiver
    /// that Twilio addresses at `public_url` (the scheme and host of the webhook URL set in
    /// Twilio, e.g. `https://hooks.example.com`; the request brings the path and query).
    ///
    /// From Twilio's "Secure webhooks" page
    /// (<https://www.twilio.com/docs/usage/webhooks/webhooks-security>) and its own validators
    /// (`RequestValidator` of twilio-python, `validateRequest` / `validateRequestWithBody` of
    /// twilio-node): Twilio signs with HMAC-SHA1 keyed with the account's Auth Token
    /// ([`Algorithm::HmacSha1`]) and sends the tag base64-encoded in `X-Twilio-Signature`.
    /// - Form-encoded requests (`application/x-www-form-urlencoded`, most webhooks): the
    ///   signed text is the full URL Twilio requested, query included, followed by every POST
    ///   parameter sorted by name, each written as name then value
    ///   ([`SignedPart::Url`], [`SignedPart::FormParams`]).
    /// - JSON requests: Twilio adds `bodySHA256=<hex SHA-256 of the body>` to the URL's query
    ///   and signs the URL alone; the body must hash to it
    ///   ([`SchemeBuilder::body_sha256_query`](crate::scheme::SchemeBuilder::body_sha256_query)).
    ///
    /// Twilio's validators accept a signature over the URL with its default port written or
    /// left out (`https://host` or `https://host:443`), so both are tried
    /// ([`url_port_variants`](crate::scheme::SchemeBuilder::url_port_variants)). Configure the
    /// base exactly as in the Twilio console (scheme, host, any non-default port); behind a
    /// proxy, the `Host` header the server sees plays no part.
    ///
    /// No timestamp is signed, so there is no window to check. Deduplication keys on the
    /// signature (a retry of one request is the same request), and on
    /// `I-Twilio-Idempotency-Token` where a request carries it; the body's parameters are not
    /// read for an id. No event type is read (Twilio's webhooks tell their kind by URL).
    ///
    /// Not covered: requests matched by a Twilio Webhook Rule that names another key and
    /// algorithm in `X-Twilio-Webhooks-Signature-Settings` (HMAC-SHA256 with a shared key)
    /// fail with `signature_mismatch`; describe them with [`Scheme::builder`] and
    /// [`Algorithm::HmacSha256`].
    ///
    /// Refuses a `public_url` that is not `http(s)://host[:port][/path]` with
    /// [`SchemeError::InvalidPublicUrl`].
    ///
    /// ```
    /// use webhook_guard::testing::Delivery;
    /// use webhook_guard::{Scheme, Secret, Verifier};
    ///
    /// let twilio = Scheme::twilio("https://hooks.example.com")?;
    /// let auth_token = Secret::new("twilio-auth-token-0123456789abcdef")?;
    /// let form = &b"From=%2B14158675310&Body=Hello+there&To=%2B14155550100"[..];
    /// let d = Delivery::new(twilio.clone(), form).path("/twilio/sms").sign(&auth_token);
    ///
    /// let request = d.into_request::<bytes::Bytes>("/twilio/sms");
    /// let meta = Verifier::new(twilio, auth_token).verify_request(&request)?;
    /// assert_eq!(meta.scheme(), "twilio");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn twilio(public_url: &str) -> Result<Scheme, SchemeError> {
        Scheme::builtin("twilio")
            .signature_header("x-twilio-signature")
            .algorithm(Algorithm::HmacSha1)
            .encoding(Encoding::Base64)
            .id_header("i-twilio-idempotency-token")
            .id_optional()
            .public_url(public_url)
            .url_port_variants()
            .body_sha256_query("bodySHA256")
            .signed_parts([SignedPart::Url, SignedPart::FormParams])
            .build()
    }
}
