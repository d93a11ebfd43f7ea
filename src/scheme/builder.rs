//! [`SchemeBuilder`]: describe a scheme setting by setting, then check it with
//! [`SchemeBuilder::build`].

use std::borrow::Cow;
use std::sync::Arc;

use http::HeaderName;

use super::parse::Wanted;
use super::{
    Algorithm, Encoding, Field, Scheme, SchemeError, SchemeInner, SchemeName, SignatureSyntax,
    SignedPart, TimestampSource, TimestampUnit,
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
    syntax: SignatureSyntax,
    encoding: Encoding,
    algorithm: Algorithm,
    extra_entries: Vec<(Cow<'static, str>, Algorithm)>,
    timestamp: Option<(TimestampSpec, TimestampUnit)>,
    id: Option<FieldSpec>,
    dedup_id: Option<String>,
    id_optional: bool,
    event: Option<FieldSpec>,
    parts: Vec<SignedPart>,
}

#[derive(Debug, Clone)]
enum FieldSpec {
    Headers(Vec<String>),
    InOrder(Vec<String>),
    Json(String),
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
enum TimestampSpec {
    Headers(Vec<String>),
    Entry(Cow<'static, str>),
}

impl SchemeBuilder {
    /// A header that may carry the signature. Call again for alternative names.
    pub fn signature_header(mut self, name: &str) -> Self {
        self.signature_headers.push(name.to_owned());
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
        self.dedup_id = Some(path.to_owned());
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

    /// The signed message, in order. Must contain [`SignedPart::Body`] or
    /// [`SignedPart::BodyCrc32`], one of them, exactly once.
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
                FieldSpec::Json(path) => {
                    let segs: Vec<Cow<'static, str>> = path
                        .split('.')
                        .filter(|s| !s.is_empty())
                        .map(|s| Cow::Owned(s.to_owned()))
                        .collect();
                    if segs.is_empty() {
                        return Err(SchemeError::EmptyJsonPath);
                    }
                    Ok(Field::JsonBody(segs))
                }
            }
        }
        if self.signature_headers.is_empty() {
            return Err(SchemeError::NoSignatureHeader);
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
        let dedup_id = match self.dedup_id.map(|path| field(FieldSpec::Json(path))) {
            Some(Ok(Field::JsonBody(path))) => Some(path),
            Some(Err(e)) => return Err(e),
            _ => None,
        };
        let bodies: Vec<usize> = self
            .parts
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p, SignedPart::Body | SignedPart::BodyCrc32))
            .map(|(i, _)| i)
            .collect();
        let [body_index] = bodies[..] else {
            return Err(SchemeError::BodyNotSignedOnce);
        };
        if self.parts[body_index] == SignedPart::BodyCrc32
            && (self.algorithm == Algorithm::HmacSha256
                || self
                    .extra_entries
                    .iter()
                    .any(|(_, a)| *a == Algorithm::HmacSha256))
        {
            return Err(SchemeError::BodyCrc32WithHmacSha256);
        }
        for part in &self.parts {
            if let SignedPart::Configured { name, value } = part
                && value.is_empty()
            {
                return Err(SchemeError::InvalidConfiguredValue(format!(
                    "the {name} signed as part of the message is empty"
                )));
            }
        }
        if self.parts.contains(&SignedPart::Timestamp) && timestamp.is_none() {
            return Err(SchemeError::TimestampPartWithoutHeader);
        }
        if self.parts.contains(&SignedPart::Id)
            && !matches!(id, Some(Field::Headers(_) | Field::HeadersInOrder(_)))
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
        ]);
        Ok(Scheme {
            inner: Arc::new(SchemeInner {
                name: self.name,
                wanted,
                signature_headers,
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
            }),
        })
    }
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
        // The CRC32 is known only once the body is in: not with the streamed HMAC-SHA256.
        assert_eq!(
            Scheme::builder("x")
                .signature_header("s")
                .signed_parts([SignedPart::BodyCrc32])
                .build()
                .unwrap_err(),
            SchemeError::BodyCrc32WithHmacSha256
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
}
