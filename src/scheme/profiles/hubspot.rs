//! HubSpot: [`Scheme::hubspot`].

use crate::scheme::{Encoding, Scheme, SchemeError, SignedPart, TimestampUnit};

impl Scheme {
    /// HubSpot's v3 request signature (webhook subscriptions of an app, workflow webhooks, CRM
    /// cards), for a receiver that HubSpot addresses at `public_url` (the scheme and host of
    /// the target URL set in the app, e.g. `https://hooks.example.com`; the request brings the
    /// path and query).
    ///
    /// From HubSpot's "Validating requests"
    /// (<https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation>,
    /// "Validate the v3 request signature") and its changelog "Introducing version 3 of Webhook
    /// signatures": `X-HubSpot-Signature-v3` is the base64 HMAC-SHA256, keyed with the app's
    /// **client secret** (used as is), of the method, the full URI (scheme, host, path and
    /// query), the raw body and the `X-HubSpot-Request-Timestamp` value, concatenated with no
    /// separator ([`SignedPart::Method`], [`SignedPart::Url`], [`SignedPart::Body`],
    /// [`SignedPart::Timestamp`]). The timestamp is unix **milliseconds**; HubSpot says to
    /// reject a request older than 5 minutes, the verifier's default window.
    ///
    /// HubSpot's page also says to decode, in the URI, the escapes of ``: / ? @ ! $ ' ( ) * , ;``
    /// (`%3A`, `%2F`, `%3F`, `%40`, `%21`, `%24`, `%27`, `%28`, `%29`, `%2A`, `%2C`, `%3B`)
    /// before signing it, and to keep every other escape: so does this profile
    /// ([`SchemeBuilder::url_unescape`](crate::scheme::SchemeBuilder::url_unescape)). HubSpot's
    /// own clients (`hubspot.utils.signature.Signature` in Python) sign the URI they are given as
    /// is; the two agree for every target without those escapes. The older
    /// `X-HubSpot-Signature` (v1, v2: a plain SHA-256 with the secret inside, no timestamp)
    /// is not read.
    ///
    /// Deduplication: a webhook POST carries a JSON **array** of events, each with its own
    /// `eventId` (and an `attemptNumber` that grows on each retry, so a retry is another body
    /// too), and no header names the delivery, so the scheme has no delivery id
    /// ([`WebhookMeta::id`](crate::WebhookMeta::id) is `None`): the guard keys each POST on
    /// its verified signature, which catches a replayed POST; a handler that must act once per
    /// event keeps the `eventId`s it has processed. There is no event type either (each event
    /// carries its `subscriptionType`). HubSpot retries a failed delivery up to 10 times, over
    /// about a day.
    ///
    /// Refuses a `public_url` that is not `http(s)://host[:port][/path]` with
    /// [`SchemeError::InvalidPublicUrl`].
    ///
    /// ```
    /// use webhook_guard::testing::Delivery;
    /// use webhook_guard::{Scheme, Secret, Verifier};
    ///
    /// let hubspot = Scheme::hubspot("https://hooks.example.com")?;
    /// let client_secret = Secret::new("hubspot-client-secret-0123456789")?;
    /// let body = &br#"[{"eventId":100,"subscriptionType":"contact.creation"}]"#[..];
    /// let d = Delivery::new(hubspot.clone(), body).path("/hubspot").sign(&client_secret);
    ///
    /// let request = d.into_request::<bytes::Bytes>("/hubspot");
    /// let meta = Verifier::new(hubspot, client_secret).verify_request(&request)?;
    /// assert_eq!(meta.scheme(), "hubspot");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn hubspot(public_url: &str) -> Result<Scheme, SchemeError> {
        Scheme::builtin("hubspot")
            .signature_header("x-hubspot-signature-v3")
            .encoding(Encoding::Base64)
            .timestamp_header("x-hubspot-request-timestamp", TimestampUnit::Milliseconds)
            .public_url(public_url)
            .url_unescape(b":/?@!$'()*,;")
            .signed_parts([
                SignedPart::Method,
                SignedPart::Url,
                SignedPart::Body,
                SignedPart::Timestamp,
            ])
            .build()
    }
}
