//! [`SchemeBuilder`]: describe a scheme setting by setting, then check it with
//! [`SchemeBuilder::build`].

use std::borrow::Cow;
use std::sync::Arc;

use http::HeaderName;

use super::parse::Wanted;
use super::{
    Algorithm, DedupId, Encoding, Field, Scheme, SchemeError, SchemeInner, SchemeName,
    SignatureSyntax, SignedPart, Source, TimestampSource, TimestampUnit,
};

impl Scheme {
    /// Start describing a custom scheme. `name` is reported in [`WebhookMeta`](crate::WebhookMeta)
    /// and becomes part of deduplication keys.
    pub fn builder(name: impl Into<Arc<str>>) -> SchemeBuilder {
        Scheme::builder_named(SchemeName::Shared(name.into()))
    }

    /// The builder of a built-in profile (`profiles/`): its name is static.
    pub(super) fn builtin(name: &'static str) -> SchemeBuilder {
        Scheme::builder_named(SchemeName::Static(name))
    }

    fn builder_named(name: SchemeName) -> SchemeBuilder {
        SchemeBuilder {
            name,
            signature_headers: Vec::new(),
            signature_per_header: false,
            syntax: SignatureSyntax::Single {
                prefix: Cow::Borrowed(""),
            },
            encoding: Encoding::Hex,
            algorithm: Algorithm::HmacSha256,
            extra_entries: Vec::new(),
            timestamp: None,
            id: None,
            dedup_id: None,
            id_optional: false,
            event: None,
            parts: vec![SignedPart::Body],
            signature_field: None,
            public_url: None,
            url_port_variants: false,
            body_sha256_query: None,
            tolerance: None,
            no_dedup: false,
            url_unescaped: &[],
        }
    }
}

/// Builder for a custom [`Scheme`]; see [`Scheme::builder`]. Every setting has the most common
/// default: hex encoding, no prefix, the body alone as the signed message, no timestamp, no id.
#[derive(Debug, Clone)]
#[must_use]
pub struct SchemeBuilder {
    name: SchemeName,
    signature_headers: Vec<String>,
    signature_per_header: bool,
    syntax: SignatureSyntax,
    encoding: Encoding,
    algorithm: Algorithm,
    extra_entries: Vec<(Cow<'static, str>, Algorithm)>,
    timestamp: Option<(TimestampSpec, TimestampUnit)>,
    id: Option<FieldSpec>,
    dedup_id: Option<DedupSpec>,
    id_optional: bool,
    event: Option<FieldSpec>,
    parts: Vec<SignedPart>,
    signature_field: Option<String>,
    public_url: Option<String>,
    url_port_variants: bool,
    body_sha256_query: Option<Cow<'static, str>>,
    tolerance: Option<std::time::Duration>,
    no_dedup: bool,
    url_unescaped: &'static [u8],
}

#[derive(Debug, Clone)]
enum FieldSpec {
    Headers(Vec<String>),
    InOrder(Vec<String>),
    Json(String),
    /// (is a header, name or path), in the order given.
    FirstOf(Vec<(bool, String)>),
}

impl FieldSpec {
    /// Add a header name: an alternative to the names given before, or the first one.
    fn add_header(spec: Option<FieldSpec>, name: &str) -> FieldSpec {
        match spec {
            Some(FieldSpec::Headers(mut names)) => {
                names.push(name.to_owned());
                FieldSpec::Headers(names)
            }
            _ => FieldSpec::Headers(vec![name.to_owned()]),
        }
    }
}

#[derive(Debug, Clone)]
enum DedupSpec {
    Field(String),
    Fields(Vec<String>),
}

#[derive(Debug, Clone)]
enum TimestampSpec {
    Headers(Vec<String>),
    Entry(Cow<'static, str>),
    Json(String),
}

impl SchemeBuilder {
    /// A header that may carry the signature. Call again for alternative names.
    pub fn signature_header(mut self, name: &str) -> Self {
        self.signature_headers.push(name.to_owned());
        self
    }

    /// Several headers, each carrying a signature of its own (in the scheme's syntax and
    /// encoding), replacing any named before: every signature found in any of them is a
    /// candidate, checked against every configured key, and one matching is enough. Box signs
    /// each delivery twice, `BOX-SIGNATURE-PRIMARY` with its primary key and
    /// `BOX-SIGNATURE-SECONDARY` with its secondary key, so that a receiver keeps verifying
    /// while either key is regenerated.
    ///
    /// A header that is absent, or whose value does not decode, is passed over while another
    /// one yields a signature; with none sent the delivery is `401 signature_missing`, and with
    /// none that decodes it is refused for the first header's fault (`signature_malformed`).
    /// At most [`MAX_SIGNATURES`](super::MAX_SIGNATURES) headers; a timestamp cannot be an
    /// entry of them ([`timestamp_in_signature`](Self::timestamp_in_signature)).
    ///
    /// ```
    /// use webhook_guard::scheme::{Encoding, Scheme};
    ///
    /// let two_keys = Scheme::builder("two-keys")
    ///     .signature_headers(["x-signature-primary", "x-signature-secondary"])
    ///     .encoding(Encoding::Base64)
    ///     .build()?;
    /// assert!(two_keys.signature_per_header());
    /// assert_eq!(two_keys.signature_headers().len(), 2);
    /// # Ok::<(), webhook_guard::scheme::SchemeError>(())
    /// ```
    pub fn signature_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.signature_headers = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
        self.signature_per_header = true;
        self
    }

    /// The value is `<prefix><encoded tag>` (the default syntax, with an empty prefix).
    pub fn signature_prefix(mut self, prefix: impl Into<Cow<'static, str>>) -> Self {
        self.syntax = SignatureSyntax::Single {
            prefix: prefix.into(),
        };
        self
    }

    /// The value is a list of entries separated by `separator`; entries starting with `prefix`
    /// are signatures (any one matching is enough), others are ignored.
    pub fn signature_list(mut self, separator: char, prefix: impl Into<Cow<'static, str>>) -> Self {
        self.syntax = SignatureSyntax::List {
            separator,
            prefix: prefix.into(),
        };
        self
    }

    /// Hex (default) or base64.
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// How the signatures are made (default [`Algorithm::HmacSha256`]). With
    /// [`Algorithm::Token`] the signature header carries the shared secret itself, as sent
    /// (the encoding is not used and the signed parts cover nothing).
    ///
    /// ```
    /// use webhook_guard::scheme::{Algorithm, Scheme};
    ///
    /// // Intercom-style: `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body>`.
    /// let sha1 = Scheme::builder("sha1-sender")
    ///     .signature_header("X-Hub-Signature")
    ///     .signature_prefix("sha1=")
    ///     .algorithm(Algorithm::HmacSha1)
    ///     .build()?;
    /// assert_eq!(sha1.algorithm(), Algorithm::HmacSha1);
    /// # Ok::<(), webhook_guard::scheme::SchemeError>(())
    /// ```
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// With the list syntax, entries starting with `prefix` carry signatures of another
    /// `algorithm` over the same signed message, in the same encoding: Standard Webhooks sends
    /// `v1a,<base64 Ed25519 signature>` beside (or instead of) `v1,<base64 HMAC>`. A delivery
    /// passes when any entry verifies under any configured key of its kind.
    pub fn also_entries(
        mut self,
        prefix: impl Into<Cow<'static, str>>,
        algorithm: Algorithm,
    ) -> Self {
        self.extra_entries.push((prefix.into(), algorithm));
        self
    }

    /// The header carrying the send time, and its unit. It is checked against the verifier's
    /// tolerance whether or not it is signed. Call again for alternative names of the same
    /// header (the unit of the last call applies).
    pub fn timestamp_header(mut self, name: &str, unit: TimestampUnit) -> Self {
        let names = match self.timestamp.take() {
            Some((TimestampSpec::Headers(mut names), _)) => {
                names.push(name.to_owned());
                names
            }
            _ => vec![name.to_owned()],
        };
        self.timestamp = Some((TimestampSpec::Headers(names), unit));
        self
    }

    /// The send time is an entry of the signature header starting with `prefix`, as in
    /// Stripe's `t=<seconds>,v1=<hex>`. Needs the [list syntax](SchemeBuilder::signature_list);
    /// the timestamp (without its prefix) can then be a [`SignedPart::Timestamp`].
    ///
    /// ```
    /// use webhook_guard::scheme::{Scheme, SignedPart, TimestampUnit};
    ///
    /// let stripe_like = Scheme::builder("stripe-like")
    ///     .signature_header("Acme-Signature")
    ///     .signature_list(',', "v1=")
    ///     .timestamp_in_signature("t=", TimestampUnit::Seconds)
    ///     .signed_parts([SignedPart::Timestamp, SignedPart::literal("."), SignedPart::Body])
    ///     .build()?;
    /// assert!(stripe_like.timestamp().is_some());
    /// # Ok::<(), webhook_guard::scheme::SchemeError>(())
    /// ```
    pub fn timestamp_in_signature(
        mut self,
        prefix: impl Into<Cow<'static, str>>,
        unit: TimestampUnit,
    ) -> Self {
        self.timestamp = Some((TimestampSpec::Entry(prefix.into()), unit));
        self
    }

    /// The send time is this field of the JSON body (dots for nesting), a string or an integer
    /// in `unit`: Linear puts `webhookTimestamp` (milliseconds) in its body. It is read, and
    /// checked against the window, once the whole body is in; a
    /// [`SignedPart::Timestamp`] is its text (a JSON string's decoded text, an integer's digits).
    ///
    /// ```
    /// use webhook_guard::scheme::{Scheme, TimestampSource, TimestampUnit};
    ///
    /// let linear_like = Scheme::builder("linear-like")
    ///     .signature_header("Acme-Signature")
    ///     .timestamp_json_field("webhookTimestamp", TimestampUnit::Milliseconds)
    ///     .build()?;
    /// assert!(matches!(linear_like.timestamp(), Some((TimestampSource::JsonBody(_), _))));
    /// # Ok::<(), webhook_guard::scheme::SchemeError>(())
    /// ```
    pub fn timestamp_json_field(mut self, path: &str, unit: TimestampUnit) -> Self {
        self.timestamp = Some((TimestampSpec::Json(path.to_owned()), unit));
        self
    }

    /// The signature is this field of the JSON body (dots for nesting), written in the
    /// scheme's syntax and encoding, instead of a header: Mailgun sends
    /// `{"signature": {"timestamp": …, "token": …, "signature": "<hex>"}, "event-data": {…}}`.
    /// No signature header is needed then, and the signed message need not contain the body
    /// (Mailgun signs only `timestamp` and `token`, so nothing of `event-data` is covered, and
    /// an id read from it counts as unsigned: deduplication keys on the signature too).
    ///
    /// ```
    /// use webhook_guard::scheme::{Scheme, SignedPart, TimestampUnit};
    ///
    /// let mailgun_like = Scheme::builder("mailgun-like")
    ///     .signature_json_field("signature.signature")
    ///     .timestamp_json_field("signature.timestamp", TimestampUnit::Seconds)
    ///     .id_json_field("event-data.id")
    ///     .signed_parts([SignedPart::Timestamp, SignedPart::json_field("signature.token")])
    ///     .build()?;
    /// assert!(!mailgun_like.id_is_signed());
    /// # Ok::<(), webhook_guard::scheme::SchemeError>(())
    /// ```
    pub fn signature_json_field(mut self, path: &str) -> Self {
        self.signature_field = Some(path.to_owned());
        self
    }

    /// The public base URL senders address, for a [`SignedPart::Url`]: `http://` or
    /// `https://`, the host, an optional port and an optional path prefix, no query
    /// (`https://hooks.example.com`). The signed URL is this base followed by the request
    /// target's path and query as received. Checked by [`build`](Self::build).
    ///
    /// ```
    /// use webhook_guard::scheme::{Algorithm, Encoding, Scheme, SignedPart};
    ///
    /// // Square-style: base64 HMAC-SHA256 of the notification URL followed by the body.
    /// let square_like = Scheme::builder("square-like")
    ///     .signature_header("X-Acme-Hmacsha256-Signature")
    ///     .encoding(Encoding::Base64)
    ///     .public_url("https://hooks.example.com")
    ///     .signed_parts([SignedPart::Url, SignedPart::Body])
    ///     .build()?;
    /// assert_eq!(square_like.public_url(), Some("https://hooks.example.com"));
    /// # Ok::<(), webhook_guard::scheme::SchemeError>(())
    /// ```
    pub fn public_url(mut self, base: impl Into<String>) -> Self {
        self.public_url = Some(base.into());
        self
    }

    /// Accept a signature over the URL with its port written or left out: with a base of
    /// `https://example.com`, also `https://example.com:443`; with `https://example.com:8443`,
    /// also `https://example.com`. Twilio's own validators try both forms, because Twilio
    /// does not always sign the form it was configured with.
    pub fn url_port_variants(mut self) -> Self {
        self.url_port_variants = true;
        self
    }

    /// The timestamp tolerance the sender recommends, when it is not the crate's 5 minutes
    /// ([`DEFAULT_TOLERANCE`](crate::DEFAULT_TOLERANCE)): verifiers of the scheme start
    /// with it, in the past and in the future, and
    /// [`VerifierBuilder::tolerance`](crate::VerifierBuilder::tolerance) still overrides it.
    /// Linear, for one, says to refuse deliveries more than a minute old.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webhook_guard::scheme::{Scheme, TimestampUnit};
    ///
    /// let strict = Scheme::builder("strict")
    ///     .signature_header("x-signature")
    ///     .timestamp_header("x-timestamp", TimestampUnit::Seconds)
    ///     .tolerance(Duration::from_secs(60))
    ///     .build()?;
    /// assert_eq!(strict.tolerance(), Some(Duration::from_secs(60)));
    /// # Ok::<(), webhook_guard::scheme::SchemeError>(())
    /// ```
    pub fn tolerance(mut self, tolerance: std::time::Duration) -> Self {
        self.tolerance = Some(tolerance);
        self
    }

    /// The sender's deliveries are never deduplicated, even behind a guard with a dedup store:
    /// for a sender whose deliveries name nothing and whose later deliveries can be
    /// byte-identical to earlier ones while meaning new work (Dropbox: "these accounts changed",
    /// again), where deduplicating would drop a delivery instead of a repeat. The handler must
    /// then be idempotent by itself, as such senders require (Dropbox's handler fetches what
    /// changed since its stored cursor).
    ///
    /// ```
    /// use webhook_guard::scheme::Scheme;
    ///
    /// let nudges = Scheme::builder("nudges")
    ///     .signature_header("x-signature")
    ///     .no_dedup()
    ///     .build()?;
    /// assert!(!nudges.deduplicates());
    /// # Ok::<(), webhook_guard::scheme::SchemeError>(())
    /// ```
    pub fn no_dedup(mut self) -> Self {
        self.no_dedup = true;
        self
    }

    /// When the request URL's query carries parameter `name`, it is the hex SHA-256 of the
    /// body, which must match (else `401 signature_mismatch`), and the body's
    /// [`SignedPart::FormParams`] are then empty: Twilio signs JSON deliveries over the URL
    /// alone, with `bodySHA256=<hex>` in its query. Needs [`SignedPart::Url`].
    pub fn body_sha256_query(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.body_sha256_query = Some(name.into());
        self
    }

    /// Before the request target (path and query) is signed as part of a [`SignedPart::Url`],
    /// decode the percent-escapes of these characters (`%3A` → `:`, either hex case) and keep
    /// every other escape as received. HubSpot's v3 signature is made over the URI with the
    /// escapes of ``: / ? @ ! $ ' ( ) * , ;`` decoded.
    ///
    /// ```
    /// use webhook_guard::scheme::Scheme;
    ///
    /// let hubspot = Scheme::hubspot("https://hooks.example.com")?;
    /// assert_eq!(hubspot.url_unescaped(), b":/?@!$'()*,;");
    /// # Ok::<(), webhook_guard::scheme::SchemeError>(())
    /// ```
    pub fn url_unescape(mut self, chars: &'static [u8]) -> Self {
        self.url_unescaped = chars;
        self
    }

    /// The delivery id is read from this header. Call again for alternative names of the same
    /// header (where several are sent, they must agree).
    pub fn id_header(mut self, name: &str) -> Self {
        self.id = Some(FieldSpec::add_header(self.id.take(), name));
        self
    }

    /// The delivery id is read from the first of these headers that a delivery carries, in this
    /// order: a preferred id and fallbacks for deliveries that lack it. Unlike alternative names
    /// ([`id_header`](Self::id_header) called again), the headers may carry different values;
    /// once one is found the later ones are not read. Replaces any id source set before.
    ///
    /// Shopify sends both `X-Shopify-Event-Id` (the same for every delivery of one event, the key
    /// its guide deduplicates on) and `X-Shopify-Webhook-Id`:
    ///
    /// ```
    /// use webhook_guard::scheme::{Encoding, Field, Scheme};
    ///
    /// let shop_like = Scheme::builder("shop-like")
    ///     .signature_header("X-Shop-Hmac-Sha256")
    ///     .encoding(Encoding::Base64)
    ///     .id_headers_in_order(["X-Shop-Event-Id", "X-Shop-Webhook-Id"])
    ///     .build()?;
    /// assert!(matches!(shop_like.id_field(), Some(Field::HeadersInOrder(names)) if names.len() == 2));
    /// # Ok::<(), webhook_guard::scheme::SchemeError>(())
    /// ```
    pub fn id_headers_in_order<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let names = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
        self.id = Some(FieldSpec::InOrder(names));
        self
    }

    /// The delivery id is read from this field of the JSON body; nested fields with dots
    /// (`"data.id"`).
    pub fn id_json_field(mut self, path: &str) -> Self {
        self.id = Some(FieldSpec::Json(path.to_owned()));
        self
    }

    /// Report and deduplicate on this field of the verified JSON body (dots for nesting)
    /// instead of the id header, which then only supplies [`SignedPart::Id`] to the signed
    /// message. For senders whose signed header names the attempt, not the event: PayPal
    /// signs a `PAYPAL-TRANSMISSION-ID` that is new on every retry, while the event `id` in the
    /// body stays. A body without the field is refused (`400 id_missing`) unless the id is
    /// [optional](Self::id_optional).
    pub fn dedup_id_json_field(mut self, path: &str) -> Self {
        self.dedup_id = Some(DedupSpec::Field(path.to_owned()));
        self
    }

    /// Report and deduplicate on these fields of the verified JSON body taken together (dots
    /// for nesting), for senders that send no delivery or event id and sign each retry anew,
    /// so that neither a header nor the signature stays the same across the retries of one
    /// event, while fields of the body do: Calendly's `event`, `created_at` and `payload.uri`.
    /// Replaces [`dedup_id_json_field`](Self::dedup_id_json_field) if set before.
    ///
    /// The id is the fields' texts (a string's decoded text, an integer's digits) joined by
    /// `|`, a field the body lacks (or has as another type) left empty:
    /// `meeting.started|1701432000123|85746065432`. Where that is longer than 62 bytes (what a
    /// [`WebhookMeta`](crate::WebhookMeta) keeps without allocating) or a text contains `|`,
    /// the id is `sha256:` and the unpadded base64url of the SHA-256 of the texts, each
    /// preceded by its length, so that different fields never give the same id. A body with
    /// none of the fields is refused (`400 id_missing`) unless the id is
    /// [optional](Self::id_optional); a field that is present must pass as an id would
    /// (visible ASCII, at most [`MAX_ID_LEN`](super::MAX_ID_LEN) bytes; else
    /// `400 id_malformed`).
    ///
    /// ```
    /// use webhook_guard::scheme::{Scheme, SignedPart, TimestampUnit};
    ///
    /// let zoom_like = Scheme::builder("zoom-like")
    ///     .signature_header("x-zoom-like-signature")
    ///     .timestamp_header("x-zoom-like-timestamp", TimestampUnit::Seconds)
    ///     .dedup_id_json_fields(["event", "event_ts", "payload.object.id"])
    ///     .signed_parts([SignedPart::Timestamp, SignedPart::literal(":"), SignedPart::Body])
    ///     .build()?;
    /// assert_eq!(zoom_like.dedup_id_fields().len(), 3);
    /// assert!(zoom_like.id_is_signed());
    /// # Ok::<(), webhook_guard::scheme::SchemeError>(())
    /// ```
    pub fn dedup_id_json_fields<I, S>(mut self, paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let paths = paths.into_iter().map(|p| p.as_ref().to_owned()).collect();
        self.dedup_id = Some(DedupSpec::Fields(paths));
        self
    }

    /// Accept deliveries that carry no id. By default a scheme with an id source refuses a
    /// delivery without one (`400 id_missing`); with this, such a delivery verifies with no id
    /// ([`WebhookMeta::id`](crate::WebhookMeta::id) is `None`) and deduplication keys on its
    /// verified signature instead. An id that is present is still checked (`400 id_malformed`).
    ///
    /// For senders whose deliveries only sometimes carry an id: Slack's Events API callbacks have
    /// a top-level `event_id` in their JSON body, its slash commands and interactivity payloads
    /// (form-encoded) have none. For a JSON body field, a body that is not JSON, or JSON without
    /// the field as a string or integer, counts as no id; a top-level field is then looked for
    /// from both ends of the body, as an event type is
    /// ([`event_json_field`](Self::event_json_field)).
    ///
    /// ```
    /// use webhook_guard::scheme::{Scheme, SignedPart, TimestampUnit};
    ///
    /// let slack_like = Scheme::builder("slack-like")
    ///     .signature_header("X-Chat-Signature")
    ///     .signature_prefix("v0=")
    ///     .timestamp_header("X-Chat-Timestamp", TimestampUnit::Seconds)
    ///     .id_json_field("event_id")
    ///     .id_optional()
    ///     .signed_parts([SignedPart::Timestamp, SignedPart::literal(":"), SignedPart::Body])
    ///     .build()?;
    /// assert!(slack_like.id_is_optional());
    /// # Ok::<(), webhook_guard::scheme::SchemeError>(())
    /// ```
    pub fn id_optional(mut self) -> Self {
        self.id_optional = true;
        self
    }

    /// The delivery id is read from the first of these sources the delivery carries: headers
    /// first, in their order, then JSON body fields in theirs (a header listed after a body
    /// field is refused by [`build`](Self::build), as headers are known before the body).
    /// Replaces any id source set before.
    ///
    /// ```
    /// use webhook_guard::scheme::{Field, Scheme, Source};
    ///
    /// // A sender that moved its delivery id from the body into a header: newer deliveries
    /// // carry `X-Acme-Delivery`, older ones only `meta.delivery_id` in the body.
    /// let acme = Scheme::builder("acme")
    ///     .signature_header("X-Acme-Signature")
    ///     .id_first_of([Source::Header("X-Acme-Delivery"), Source::JsonField("meta.delivery_id")])
    ///     .build()?;
    /// assert!(matches!(acme.id_field(), Some(Field::FirstOf { headers, json }) if headers.len() == 1 && json.len() == 1));
    /// # Ok::<(), webhook_guard::scheme::SchemeError>(())
    /// ```
    pub fn id_first_of<'a>(mut self, sources: impl IntoIterator<Item = Source<'a>>) -> Self {
        self.id = Some(first_of(sources));
        self
    }

    /// The event type is read from the first of these sources the delivery carries, as for
    /// [`id_first_of`](Self::id_first_of).
    pub fn event_first_of<'a>(mut self, sources: impl IntoIterator<Item = Source<'a>>) -> Self {
        self.event = Some(first_of(sources));
        self
    }

    /// The event type is read from this header. Call again for alternative names.
    pub fn event_header(mut self, name: &str) -> Self {
        self.event = Some(FieldSpec::add_header(self.event.take(), name));
        self
    }

    /// The event type is read from this field of the JSON body (dots for nesting).
    ///
    /// A top-level field is looked for from the front of the body while the members before it
    /// are plain values, and from the end of the body after that: Stripe writes its `type` after
    /// `data`, Slack after `event`, and finding it then costs nothing like a pass over the
    /// payload. The event type is informational (nothing in the pipeline is decided on it), so
    /// the part of the body skipped this way is not checked to be valid JSON, and a field given
    /// twice may be read at either place. A required id ([`id_json_field`](Self::id_json_field))
    /// is always read from the front, with the whole body up to it checked.
    pub fn event_json_field(mut self, path: &str) -> Self {
        self.event = Some(FieldSpec::Json(path.to_owned()));
        self
    }

    /// The signed message, in order. Must contain [`SignedPart::Body`],
    /// [`SignedPart::BodyCrc32`] or [`SignedPart::FormParams`], one of them, exactly once
    /// (or none, where the signature is in the body: [`signature_json_field`](Self::signature_json_field)).
    pub fn signed_parts(mut self, parts: impl IntoIterator<Item = SignedPart>) -> Self {
        self.parts = parts.into_iter().collect();
        self
    }

    /// Check the description and build the scheme.
    pub fn build(self) -> Result<Scheme, SchemeError> {
        fn header(name: &str) -> Result<HeaderName, SchemeError> {
            HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| SchemeError::InvalidHeaderName(name.to_owned()))
        }
        fn field(spec: FieldSpec) -> Result<Field, SchemeError> {
            match spec {
                FieldSpec::Headers(names) => Ok(Field::Headers(
                    names.iter().map(|h| header(h)).collect::<Result<_, _>>()?,
                )),
                FieldSpec::InOrder(names) if names.is_empty() => Err(SchemeError::NoIdHeaders),
                FieldSpec::InOrder(names) => Ok(Field::HeadersInOrder(
                    names.iter().map(|h| header(h)).collect::<Result<_, _>>()?,
                )),
                FieldSpec::FirstOf(sources) => {
                    if sources.is_empty() {
                        return Err(SchemeError::NoSources);
                    }
                    let mut headers = Vec::new();
                    let mut json = Vec::new();
                    for (is_header, name) in sources {
                        if is_header {
                            if !json.is_empty() {
                                return Err(SchemeError::SourcesOutOfOrder);
                            }
                            headers.push(header(&name)?);
                        } else {
                            let segs = super::json_path(&name);
                            if segs.is_empty() {
                                return Err(SchemeError::EmptyJsonPath);
                            }
                            json.push(segs);
                        }
                    }
                    Ok(Field::FirstOf { headers, json })
                }
                FieldSpec::Json(path) => {
                    let segs = super::json_path(&path);
                    if segs.is_empty() {
                        return Err(SchemeError::EmptyJsonPath);
                    }
                    Ok(Field::JsonBody(segs))
                }
            }
        }
        let signature_field = match self.signature_field.map(|p| field(FieldSpec::Json(p))) {
            Some(Ok(Field::JsonBody(path))) => Some(path),
            Some(Err(e)) => return Err(e),
            _ => None,
        };
        if self.signature_headers.is_empty() && signature_field.is_none() {
            return Err(SchemeError::NoSignatureHeader);
        }
        if self.signature_per_header {
            if self.signature_headers.len() > super::MAX_SIGNATURES {
                return Err(SchemeError::TooManySignatureHeaders);
            }
            if matches!(self.timestamp, Some((TimestampSpec::Entry(_), _))) {
                return Err(SchemeError::InvalidTimestampEntry);
            }
        }
        let signature_headers = self
            .signature_headers
            .iter()
            .map(|h| header(h))
            .collect::<Result<Vec<_>, _>>()?;
        if let SignatureSyntax::List { prefix, .. } = &self.syntax
            && prefix.is_empty()
        {
            return Err(SchemeError::EmptyListPrefix);
        }
        if !self.extra_entries.is_empty() {
            let SignatureSyntax::List { prefix, .. } = &self.syntax else {
                return Err(SchemeError::InvalidExtraEntries);
            };
            let mut prefixes = vec![prefix.as_ref()];
            for (extra, algorithm) in &self.extra_entries {
                if extra.is_empty()
                    || prefixes.contains(&extra.as_ref())
                    || *algorithm == Algorithm::Token
                {
                    return Err(SchemeError::InvalidExtraEntries);
                }
                prefixes.push(extra);
            }
        }
        let timestamp = match self.timestamp {
            Some((TimestampSpec::Headers(names), unit)) => Some((
                TimestampSource::Headers(
                    names.iter().map(|h| header(h)).collect::<Result<_, _>>()?,
                ),
                unit,
            )),
            Some((TimestampSpec::Json(path), unit)) => match field(FieldSpec::Json(path))? {
                Field::JsonBody(path) => Some((TimestampSource::JsonBody(path), unit)),
                _ => None,
            },
            Some((TimestampSpec::Entry(prefix), unit)) => {
                let usable = match &self.syntax {
                    SignatureSyntax::List {
                        prefix: sig_prefix, ..
                    } => !prefix.is_empty() && prefix != *sig_prefix,
                    SignatureSyntax::Single { .. } => false,
                };
                if !usable {
                    return Err(SchemeError::InvalidTimestampEntry);
                }
                Some((TimestampSource::SignatureEntry(prefix), unit))
            }
            None => None,
        };
        let id = self.id.map(field).transpose()?;
        let event = self.event.map(field).transpose()?;
        let json_path = |path: String| match field(FieldSpec::Json(path))? {
            Field::JsonBody(path) => Ok(path),
            _ => Err(SchemeError::EmptyJsonPath),
        };
        let dedup_id = match self.dedup_id {
            Some(DedupSpec::Field(path)) => Some(DedupId::Field(json_path(path)?)),
            Some(DedupSpec::Fields(paths)) if paths.is_empty() => {
                return Err(SchemeError::NoSources);
            }
            Some(DedupSpec::Fields(paths)) => Some(DedupId::Composite(
                paths.into_iter().map(json_path).collect::<Result<_, _>>()?,
            )),
            None => None,
        };
        let bodies: Vec<usize> = self
            .parts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_body())
            .map(|(i, _)| i)
            .collect();
        let body_index = match bodies[..] {
            [i] => i,
            [] if signature_field.is_some() => self.parts.len(),
            _ => return Err(SchemeError::BodyNotSignedOnce),
        };
        let mut signed_headers = Vec::new();
        for part in &self.parts {
            match part {
                SignedPart::Configured { name, value } if value.is_empty() => {
                    return Err(SchemeError::InvalidConfiguredValue(format!(
                        "the {name} signed as part of the message is empty"
                    )));
                }
                SignedPart::JsonField(path) if path.is_empty() => {
                    return Err(SchemeError::EmptyJsonPath);
                }
                SignedPart::Header(name) => signed_headers.push(name.clone()),
                _ => {}
            }
        }
        if signed_headers.len() > super::MAX_SIGNED_HEADERS {
            return Err(SchemeError::TooManySignedHeaders);
        }
        let signs_url = self.parts.contains(&SignedPart::Url);
        let public_url = match (signs_url, self.public_url) {
            (true, None) => return Err(SchemeError::NoPublicUrl),
            (true, Some(base)) => Some(public_url(&base, self.url_port_variants)?),
            (false, _) => None,
        };
        if self.body_sha256_query.is_some() && !signs_url {
            return Err(SchemeError::BodyHashWithoutUrl);
        }
        let deferred = signature_field.is_some()
            || matches!(timestamp, Some((TimestampSource::JsonBody(_), _)))
            || self.body_sha256_query.is_some()
            || self.parts.iter().any(SignedPart::needs_whole_body);
        let reads_request = self.parts.iter().any(|p| {
            matches!(
                p,
                SignedPart::Url | SignedPart::Method | SignedPart::Header(_)
            )
        });
        if self.parts.contains(&SignedPart::Timestamp) && timestamp.is_none() {
            return Err(SchemeError::TimestampPartWithoutHeader);
        }
        if self.parts.contains(&SignedPart::Id)
            && !match &id {
                Some(Field::Headers(_) | Field::HeadersInOrder(_)) => true,
                // Only when every source is a header: an id from the body is not signed apart.
                Some(Field::FirstOf { json, .. }) => json.is_empty(),
                _ => false,
            }
        {
            return Err(SchemeError::IdPartWithoutHeader);
        }
        fn header_names(field: Option<&Field>) -> &[HeaderName] {
            field.map_or(&[], Field::header_names)
        }
        let timestamp_names: &[HeaderName] = match &timestamp {
            Some((TimestampSource::Headers(names), _)) => names,
            _ => &[],
        };
        let wanted = Wanted::new([
            &signature_headers,
            timestamp_names,
            header_names(id.as_ref()),
            header_names(event.as_ref()),
            &signed_headers,
        ]);
        Ok(Scheme {
            inner: Arc::new(SchemeInner {
                name: self.name,
                wanted,
                signature_headers,
                signature_per_header: self.signature_per_header && signature_field.is_none(),
                syntax: self.syntax,
                encoding: self.encoding,
                algorithm: self.algorithm,
                extra_entries: self.extra_entries,
                timestamp,
                id,
                dedup_id,
                id_optional: self.id_optional,
                event,
                parts: self.parts,
                body_index,
                signature_field,
                public_url,
                body_sha256_query: self.body_sha256_query,
                tolerance: self.tolerance,
                no_dedup: self.no_dedup,
                url_unescaped: self.url_unescaped,
                signed_headers,
                deferred,
                reads_request,
            }),
        })
    }
}

fn first_of<'a>(sources: impl IntoIterator<Item = Source<'a>>) -> FieldSpec {
    FieldSpec::FirstOf(
        sources
            .into_iter()
            .map(|source| match source {
                Source::Header(name) => (true, name.to_owned()),
                Source::JsonField(path) => (false, path.to_owned()),
            })
            .collect(),
    )
}

/// Check a public base URL and lay it out: `http(s)://host[:port][/path]`, no query, no
/// fragment, no spaces or control characters; a trailing `/` is dropped (the request path
/// brings its own). With `port_variants`, the same URL with its port removed, or with the
/// scheme's default port added (as Twilio's validators build it).
fn public_url(base: &str, port_variants: bool) -> Result<super::PublicUrl, SchemeError> {
    let bad = |why: &str| Err(SchemeError::InvalidPublicUrl(why.to_owned()));
    let (scheme, rest) = if let Some(rest) = base.strip_prefix("https://") {
        ("https", rest)
    } else if let Some(rest) = base.strip_prefix("http://") {
        ("http", rest)
    } else {
        return bad("it must start with `https://` or `http://`");
    };
    if base.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return bad("it contains a space or a control character");
    }
    if base.contains(['?', '#']) {
        return bad("it must not have a query or fragment; the request brings its own query");
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (host, port) = match authority.rsplit_once(':') {
        // An IPv6 literal's colons are inside its brackets.
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (authority, None),
    };
    if host.is_empty() || authority.contains('@') {
        return bad("it needs a host (and no user info)");
    }
    if let Some(port) = port
        && (port.is_empty() || port.parse::<u16>().is_err())
    {
        return bad("its port is not a number from 0 to 65535");
    }
    let path = path.trim_end_matches('/');
    let alternate = port_variants.then(|| {
        let authority = match port {
            Some(_) => host.to_owned(),
            None => format!("{host}:{}", if scheme == "https" { 443 } else { 80 }),
        };
        format!("{scheme}://{authority}{path}").into_boxed_str()
    });
    Ok(super::PublicUrl {
        base: format!("{scheme}://{authority}{path}").into_boxed_str(),
        alternate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_refuses_broken_schemes() {
        assert_eq!(
            Scheme::builder("x").build().unwrap_err(),
            SchemeError::NoSignatureHeader
        );
        assert_eq!(
            Scheme::builder("x")
                .signature_header("bad header")
                .build()
                .unwrap_err(),
            SchemeError::InvalidHeaderName("bad header".into())
        );
        assert_eq!(
            Scheme::builder("x")
                .signature_header("s")
                .signed_parts([SignedPart::Timestamp])
                .build()
                .unwrap_err(),
            SchemeError::BodyNotSignedOnce
        );
        assert_eq!(
            Scheme::builder("x")
                .signature_header("s")
                .signed_parts([SignedPart::Timestamp, SignedPart::Body])
                .build()
                .unwrap_err(),
            SchemeError::TimestampPartWithoutHeader
        );
        assert_eq!(
            Scheme::builder("x")
                .signature_header("s")
                .id_json_field("id")
                .signed_parts([SignedPart::Id, SignedPart::Body])
                .build()
                .unwrap_err(),
            SchemeError::IdPartWithoutHeader
        );
        assert_eq!(
            Scheme::builder("x")
                .signature_header("s")
                .signature_list(' ', "")
                .build()
                .unwrap_err(),
            SchemeError::EmptyListPrefix
        );
        assert_eq!(
            Scheme::builder("x")
                .signature_header("s")
                .signed_parts([SignedPart::Body, SignedPart::BodyCrc32])
                .build()
                .unwrap_err(),
            SchemeError::BodyNotSignedOnce
        );
        // The CRC32 is known only once the body is in: HMAC-SHA256 over it waits for the end.
        assert!(
            Scheme::builder("x")
                .signature_header("s")
                .signed_parts([SignedPart::BodyCrc32])
                .build()
                .unwrap()
                .is_deferred()
        );
        let crc_sha1 = Scheme::builder("x")
            .signature_header("s")
            .algorithm(Algorithm::HmacSha1)
            .signed_parts([SignedPart::literal("crc:"), SignedPart::BodyCrc32])
            .build()
            .unwrap();
        assert!(
            crc_sha1
                .signed_message_label()
                .contains("<CRC32 of the body")
        );
        assert!(matches!(
            Scheme::builder("x")
                .signature_header("s")
                .algorithm(Algorithm::HmacSha1)
                .signed_parts([SignedPart::configured("webhook id", ""), SignedPart::Body])
                .build()
                .unwrap_err(),
            SchemeError::InvalidConfiguredValue(detail) if detail.contains("webhook id")
        ));
        assert_eq!(
            Scheme::builder("x")
                .signature_header("s")
                .dedup_id_json_field(".")
                .build()
                .unwrap_err(),
            SchemeError::EmptyJsonPath
        );
        assert_eq!(
            Scheme::builder("x")
                .signature_headers((0..=super::super::MAX_SIGNATURES).map(|i| format!("s{i}")))
                .build()
                .unwrap_err(),
            SchemeError::TooManySignatureHeaders
        );
        assert_eq!(
            Scheme::builder("x")
                .signature_headers(["a", "b"])
                .signature_list(',', "v1=")
                .timestamp_in_signature("t=", TimestampUnit::Seconds)
                .build()
                .unwrap_err(),
            SchemeError::InvalidTimestampEntry
        );
        assert_eq!(
            Scheme::builder("x")
                .signature_headers(Vec::<String>::new())
                .build()
                .unwrap_err(),
            SchemeError::NoSignatureHeader
        );
        assert_eq!(
            Scheme::builder("x")
                .signature_header("s")
                .id_headers_in_order(Vec::<String>::new())
                .build()
                .unwrap_err(),
            SchemeError::NoIdHeaders
        );
        assert_eq!(
            Scheme::builder("x")
                .signature_header("s")
                .id_headers_in_order(["ok", "not ok"])
                .build()
                .unwrap_err(),
            SchemeError::InvalidHeaderName("not ok".into())
        );
    }

    #[test]
    fn request_and_body_parts_are_checked_when_built() {
        let url = |base: &str| {
            Scheme::builder("x")
                .signature_header("s")
                .public_url(base)
                .signed_parts([SignedPart::Url, SignedPart::Body])
                .build()
        };
        assert_eq!(
            Scheme::builder("x")
                .signature_header("s")
                .signed_parts([SignedPart::Url, SignedPart::Body])
                .build()
                .unwrap_err(),
            SchemeError::NoPublicUrl
        );
        for bad in [
            "hooks.example.com",
            "ftp://hooks.example.com",
            "https://",
            "https://hooks.example.com/x?y=1",
            "https://hooks.example.com:99999",
            "https://user@hooks.example.com",
            "https://hooks.example.com/a b",
        ] {
            assert!(
                matches!(url(bad), Err(SchemeError::InvalidPublicUrl(_))),
                "{bad}"
            );
        }
        // A trailing slash is dropped: the request's path brings its own.
        assert_eq!(
            url("https://hooks.example.com/base/").unwrap().public_url(),
            Some("https://hooks.example.com/base")
        );
        assert_eq!(
            url("http://[::1]:8080").unwrap().public_url(),
            Some("http://[::1]:8080")
        );
        // Port variants as Twilio's validators build them: the default port added, or any
        // port removed.
        let variants = |base: &str| -> Vec<String> {
            Scheme::builder("x")
                .signature_header("s")
                .public_url(base)
                .url_port_variants()
                .signed_parts([SignedPart::Url, SignedPart::Body])
                .build()
                .unwrap()
                .public_url_bases()
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(
            variants("https://h.example/p"),
            ["https://h.example/p", "https://h.example:443/p"]
        );
        assert_eq!(
            variants("http://h.example:8080"),
            ["http://h.example:8080", "http://h.example"]
        );
        assert_eq!(
            Scheme::builder("x")
                .signature_header("s")
                .body_sha256_query("bodySHA256")
                .build()
                .unwrap_err(),
            SchemeError::BodyHashWithoutUrl
        );
        let header = || SignedPart::header("x-h").unwrap();
        assert_eq!(
            Scheme::builder("x")
                .signature_header("s")
                .signed_parts([
                    header(),
                    header(),
                    header(),
                    header(),
                    header(),
                    SignedPart::Body
                ])
                .build()
                .unwrap_err(),
            SchemeError::TooManySignedHeaders
        );
        // Only a signature carried in the body lets the message leave the body out.
        assert_eq!(
            Scheme::builder("x")
                .signature_header("s")
                .signed_parts([SignedPart::literal("x")])
                .build()
                .unwrap_err(),
            SchemeError::BodyNotSignedOnce
        );
        assert_eq!(
            Scheme::builder("x")
                .signature_header("s")
                .signed_parts([SignedPart::json_field(""), SignedPart::Body])
                .build()
                .unwrap_err(),
            SchemeError::EmptyJsonPath
        );
        assert_eq!(
            Scheme::builder("x")
                .signed_parts([SignedPart::Body])
                .build()
                .unwrap_err(),
            SchemeError::NoSignatureHeader
        );
        // What waits for the whole body, and what only reads the request line.
        let square = url("https://h.example").unwrap();
        assert!(square.reads_request() && !square.is_deferred());
        let form = Scheme::builder("x")
            .signature_header("s")
            .signed_parts([SignedPart::FormParams])
            .build()
            .unwrap();
        assert!(form.is_deferred() && !form.reads_request() && !form.id_is_signed());
    }
}
