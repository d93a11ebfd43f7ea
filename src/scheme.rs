//! Schemes: declarative descriptions of how one sender signs its deliveries.
//!
//! A [`Scheme`] says which header carries the signature and in which syntax, how the MAC is encoded,
//! where the timestamp, delivery id and event type come from, and which parts, in which order, make up
//! the signed message. The [`Verifier`](crate::Verifier) interprets it; nothing here computes a MAC.
//!
//! Built-in profiles follow each sender's own documentation:
//!
//! | profile | signature header | value | signed message | timestamp | delivery id |
//! |---|---|---|---|---|---|
//! | [`Scheme::heppu`] | `X-Webhook-Signature-256` | `sha256=<hex>` | body | `X-Webhook-Timestamp`, seconds (checked, not signed) | `X-Webhook-ID` |
//! | [`Scheme::helix`] | `X-Webhook-Signature` | `v1=<hex>` | `<timestamp>.<body>` | `X-Webhook-Timestamp`, milliseconds | `X-Webhook-Event-ID` |
//! | [`Scheme::helicone`] | `Helicone-Signature` or `X-Helicone-Signature` | `<hex>` | body | none | `request_id` in the JSON body |
//!
//! Any other HMAC-SHA256 scheme is a few lines of [`Scheme::builder`]:
//!
//! ```
//! use webhook_guard::scheme::{Encoding, Scheme, SignedPart, TimestampUnit};
//!
//! // "X-Acme-Signature: t=<unix seconds>,<base64 of HMAC(secret, "<t>:<body>")>"-style senders
//! // are described part by part:
//! let acme = Scheme::builder("acme")
//!     .signature_header("X-Acme-Signature")
//!     .signature_prefix("v1=")
//!     .encoding(Encoding::Base64)
//!     .timestamp_header("X-Acme-Timestamp", TimestampUnit::Seconds)
//!     .id_header("X-Acme-Delivery")
//!     .event_json_field("type")
//!     .signed_parts([SignedPart::Timestamp, SignedPart::literal(":"), SignedPart::Body])
//!     .build()?;
//! assert_eq!(acme.name(), "acme");
//! # Ok::<(), webhook_guard::scheme::SchemeError>(())
//! ```

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Rejection, RejectionKind};

/// Length of an HMAC-SHA256 tag in bytes.
pub const TAG_LEN: usize = 32;

/// Most signatures accepted from one delivery (entries of a list header). Anything beyond is
/// refused as malformed, so a hostile header cannot make verification do unbounded work.
pub const MAX_SIGNATURES: usize = 8;

/// Longest delivery id or event type accepted, in bytes.
pub const MAX_ID_LEN: usize = 256;

/// How the MAC is written in the signature header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encoding {
    /// Lower- or upper-case hexadecimal, 64 characters.
    Hex,
    /// Standard base64 with padding, 44 characters.
    Base64,
}

impl Encoding {
    fn encoded_len(self) -> usize {
        match self {
            Encoding::Hex => 2 * TAG_LEN,
            Encoding::Base64 => TAG_LEN.div_ceil(3) * 4,
        }
    }

    /// Decode one encoded tag into a stack buffer; `None` when it is not exactly one
    /// well-formed 32-byte tag.
    fn decode(self, text: &[u8]) -> Option<[u8; TAG_LEN]> {
        if text.len() != self.encoded_len() {
            return None;
        }
        let mut out = [0u8; TAG_LEN];
        match self {
            Encoding::Hex => hex::decode_to_slice(text, &mut out).ok()?,
            Encoding::Base64 => {
                let mut buf = [0u8; TAG_LEN + 3];
                let n = base64::engine::general_purpose::STANDARD
                    .decode_slice(text, &mut buf)
                    .ok()?;
                if n != TAG_LEN {
                    return None;
                }
                out.copy_from_slice(&buf[..TAG_LEN]);
            }
        }
        Some(out)
    }

    /// Encode a tag the way a sender would.
    pub fn encode(self, tag: &[u8]) -> String {
        match self {
            Encoding::Hex => hex::encode(tag),
            Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(tag),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Encoding::Hex => "hex",
            Encoding::Base64 => "base64",
        }
    }
}

/// How the signature header's value is laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureSyntax {
    /// The whole value is `<prefix><encoded tag>`, e.g. `sha256=5c9f…`.
    Single {
        /// Text before the encoded tag (may be empty).
        prefix: Cow<'static, str>,
    },
    /// The value holds several entries separated by `separator`; the entries that start with
    /// `prefix` are candidate signatures (any one matching is enough), other entries are ignored.
    /// Empty entries and surrounding spaces are skipped.
    List {
        /// Entry separator, e.g. `' '` or `','`.
        separator: char,
        /// Prefix of the entries that carry a signature, e.g. `"v1,"` or `"v1="`.
        prefix: Cow<'static, str>,
    },
}

/// The unit of a unix timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampUnit {
    /// Seconds since the unix epoch.
    Seconds,
    /// Milliseconds since the unix epoch.
    Milliseconds,
}

impl TimestampUnit {
    /// Convert a value in this unit to milliseconds; `None` on overflow.
    pub fn to_millis(self, value: u64) -> Option<u64> {
        match self {
            TimestampUnit::Seconds => value.checked_mul(1000),
            TimestampUnit::Milliseconds => Some(value),
        }
    }

    /// Express a time in milliseconds in this unit.
    pub fn from_millis(self, millis: u64) -> u64 {
        match self {
            TimestampUnit::Seconds => millis / 1000,
            TimestampUnit::Milliseconds => millis,
        }
    }

    fn name(self) -> &'static str {
        match self {
            TimestampUnit::Seconds => "seconds",
            TimestampUnit::Milliseconds => "milliseconds",
        }
    }
}

/// Where a value (delivery id, event type) is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Field {
    /// A request header.
    Header(HeaderName),
    /// A string (or integer) field of the JSON body, by path from the top-level object.
    /// The body is signed, so a field read from it is as trustworthy as the body.
    JsonBody(Vec<Cow<'static, str>>),
}

/// One part of the signed message, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedPart {
    /// The timestamp exactly as sent in its header.
    Timestamp,
    /// The delivery id exactly as sent in its header.
    Id,
    /// The raw body bytes as received.
    Body,
    /// Fixed bytes, such as a `.` separator or a version tag.
    Literal(Cow<'static, [u8]>),
}

impl SignedPart {
    /// A fixed text part.
    pub fn literal(text: &'static str) -> Self {
        SignedPart::Literal(Cow::Borrowed(text.as_bytes()))
    }
}

/// A scheme that cannot work, refused by [`SchemeBuilder::build`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemeError {
    /// No signature header was named.
    NoSignatureHeader,
    /// A header name is not a valid HTTP header name.
    InvalidHeaderName(String),
    /// The signed message must contain the body exactly once.
    BodyNotSignedOnce,
    /// The signed message contains the timestamp but no timestamp header was named.
    TimestampPartWithoutHeader,
    /// The signed message contains the id, but the id is not read from a header.
    IdPartWithoutHeader,
    /// A JSON path with no segments.
    EmptyJsonPath,
    /// The list syntax needs a non-empty entry prefix.
    EmptyListPrefix,
}

impl fmt::Display for SchemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemeError::NoSignatureHeader => f.write_str("scheme names no signature header"),
            SchemeError::InvalidHeaderName(n) => write!(f, "`{n}` is not a valid header name"),
            SchemeError::BodyNotSignedOnce => {
                f.write_str("the signed message must contain the body exactly once")
            }
            SchemeError::TimestampPartWithoutHeader => f.write_str(
                "the signed message contains the timestamp but no timestamp header is set",
            ),
            SchemeError::IdPartWithoutHeader => f.write_str(
                "the signed message contains the id but the id is not read from a header",
            ),
            SchemeError::EmptyJsonPath => {
                f.write_str("a JSON field path needs at least one segment")
            }
            SchemeError::EmptyListPrefix => {
                f.write_str("a list signature syntax needs a non-empty entry prefix")
            }
        }
    }
}

impl std::error::Error for SchemeError {}

/// A declarative description of one sender's signing scheme. Cheap to clone.
#[derive(Clone, PartialEq, Eq)]
pub struct Scheme {
    inner: Arc<SchemeInner>,
}

#[derive(Debug, PartialEq, Eq)]
struct SchemeInner {
    name: Arc<str>,
    signature_headers: Vec<HeaderName>,
    syntax: SignatureSyntax,
    encoding: Encoding,
    timestamp: Option<(HeaderName, TimestampUnit)>,
    id: Option<Field>,
    event: Option<Field>,
    parts: Vec<SignedPart>,
    body_index: usize,
}

impl fmt::Debug for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Scheme")
            .field("name", &i.name)
            .field("signature_headers", &i.signature_headers)
            .field("syntax", &i.syntax)
            .field("encoding", &i.encoding)
            .field("timestamp", &i.timestamp)
            .field("id", &i.id)
            .field("event", &i.event)
            .field("parts", &i.parts)
            .finish()
    }
}

impl Scheme {
    /// Start describing a custom scheme. `name` is reported in [`WebhookMeta`](crate::WebhookMeta)
    /// and becomes part of deduplication keys.
    pub fn builder(name: impl Into<Arc<str>>) -> SchemeBuilder {
        SchemeBuilder {
            name: name.into(),
            signature_headers: Vec::new(),
            syntax: SignatureSyntax::Single {
                prefix: Cow::Borrowed(""),
            },
            encoding: Encoding::Hex,
            timestamp: None,
            id: None,
            event: None,
            parts: vec![SignedPart::Body],
        }
    }

    /// Heppu AI (voice and chat agents).
    ///
    /// `X-Webhook-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`; `X-Webhook-Timestamp`
    /// in unix **seconds** (not part of the signed message, but still checked against the
    /// tolerance); `X-Webhook-ID` is the delivery id used for deduplication; `X-Webhook-Event` the
    /// event type (`call.completed`, …). Heppu retries immediately, then after 1 min, 5 min,
    /// 15 min and 1 h, and times out after 30 s.
    pub fn heppu() -> Scheme {
        Scheme::builder("heppu")
            .signature_header("x-webhook-signature-256")
            .signature_prefix("sha256=")
            .timestamp_header("x-webhook-timestamp", TimestampUnit::Seconds)
            .id_header("x-webhook-id")
            .event_header("x-webhook-event")
            .build()
            .expect("built-in scheme is valid")
    }

    /// Helix data feeds.
    ///
    /// `X-Webhook-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` where the timestamp is
    /// the `X-Webhook-Timestamp` header in unix **milliseconds**, exactly as sent. The delivery id
    /// is `X-Webhook-Event-ID` (the event); note that Helix's `X-Webhook-ID` names the webhook
    /// *configuration*, not the delivery, and is not used for deduplication. Helix retries after
    /// 1 min, 5 min, 15 min, 1 h and 6 h (the last about 7.4 h after the first attempt).
    pub fn helix() -> Scheme {
        Scheme::builder("helix")
            .signature_header("x-webhook-signature")
            .signature_prefix("v1=")
            .timestamp_header("x-webhook-timestamp", TimestampUnit::Milliseconds)
            .id_header("x-webhook-event-id")
            .signed_parts([
                SignedPart::Timestamp,
                SignedPart::literal("."),
                SignedPart::Body,
            ])
            .build()
            .expect("built-in scheme is valid")
    }

    /// Helicone (LLM observability).
    ///
    /// `Helicone-Signature` (also sent as `X-Helicone-Signature`): bare hex HMAC-SHA256 of the
    /// JSON body. Helicone sends no timestamp, so replays are caught only by deduplication; the
    /// delivery id is `request_id` inside the body. Helicone times out after 2 minutes and asks for
    /// a 200 within seconds.
    pub fn helicone() -> Scheme {
        Scheme::builder("helicone")
            .signature_header("helicone-signature")
            .signature_header("x-helicone-signature")
            .id_json_field("request_id")
            .build()
            .expect("built-in scheme is valid")
    }

    /// The scheme's name, e.g. `"heppu"`.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    pub(crate) fn name_arc(&self) -> Arc<str> {
        self.inner.name.clone()
    }

    /// Headers that may carry the signature (any one).
    pub fn signature_headers(&self) -> &[HeaderName] {
        &self.inner.signature_headers
    }

    /// The signature header's syntax.
    pub fn syntax(&self) -> &SignatureSyntax {
        &self.inner.syntax
    }

    /// How the MAC is encoded.
    pub fn encoding(&self) -> Encoding {
        self.inner.encoding
    }

    /// The timestamp header and its unit, if the scheme has a timestamp.
    pub fn timestamp(&self) -> Option<(&HeaderName, TimestampUnit)> {
        self.inner.timestamp.as_ref().map(|(h, u)| (h, *u))
    }

    /// Where the delivery id comes from.
    pub fn id_field(&self) -> Option<&Field> {
        self.inner.id.as_ref()
    }

    /// Where the event type comes from.
    pub fn event_field(&self) -> Option<&Field> {
        self.inner.event.as_ref()
    }

    /// The signed message, part by part.
    pub fn signed_parts(&self) -> &[SignedPart] {
        &self.inner.parts
    }

    /// Every header the scheme reads (signature, timestamp, id, event type), for adapters that
    /// must copy headers out of another HTTP stack.
    pub fn header_names(&self) -> impl Iterator<Item = &HeaderName> {
        fn field(f: &Option<Field>) -> Option<&HeaderName> {
            match f {
                Some(Field::Header(h)) => Some(h),
                _ => None,
            }
        }
        self.inner
            .signature_headers
            .iter()
            .chain(self.inner.timestamp.as_ref().map(|(h, _)| h))
            .chain(field(&self.inner.id))
            .chain(field(&self.inner.event))
    }

    /// Whether the delivery id is covered by the signature (signed directly, or read from the
    /// signed body). Where it is not, deduplication also keys on the signature itself.
    pub fn id_is_signed(&self) -> bool {
        match &self.inner.id {
            Some(Field::JsonBody(_)) => true,
            Some(Field::Header(_)) => self.inner.parts.contains(&SignedPart::Id),
            None => false,
        }
    }

    /// The parts before the body.
    pub(crate) fn prefix_parts(&self) -> &[SignedPart] {
        &self.inner.parts[..self.inner.body_index]
    }

    /// The parts after the body.
    pub(crate) fn suffix_parts(&self) -> &[SignedPart] {
        &self.inner.parts[self.inner.body_index + 1..]
    }

    /// Format a tag as the signature header value a sender would send.
    pub fn format_signature(&self, tag: &[u8]) -> String {
        let prefix = match &self.inner.syntax {
            SignatureSyntax::Single { prefix } | SignatureSyntax::List { prefix, .. } => prefix,
        };
        format!("{prefix}{}", self.inner.encoding.encode(tag))
    }

    /// Read and decode the candidate signatures from the headers.
    pub(crate) fn parse_signatures(&self, headers: &HeaderMap) -> Result<Signatures, Rejection> {
        let mut value: Option<&HeaderValue> = None;
        for name in &self.inner.signature_headers {
            for v in headers.get_all(name) {
                match value {
                    None => value = Some(v),
                    // The same value twice (a proxy duplicating headers) is harmless.
                    Some(prev) if prev == v => {}
                    Some(_) => {
                        return Err(Rejection::with_detail(
                            RejectionKind::SignatureHeaderRepeated,
                            format!(
                                "{} signature headers with different values; one is expected",
                                name
                            ),
                        ));
                    }
                }
            }
        }
        let Some(value) = value else {
            return Err(Rejection::with_detail(
                RejectionKind::SignatureMissing,
                format!("no `{}` header", self.inner.signature_headers[0]),
            ));
        };
        let raw = value.as_bytes();
        let header = &self.inner.signature_headers[0];
        let encoding = self.inner.encoding;
        let mut sigs = Signatures::default();
        match &self.inner.syntax {
            SignatureSyntax::Single { prefix } => {
                let Some(encoded) = raw.strip_prefix(prefix.as_bytes()) else {
                    return Err(Rejection::with_detail(
                        RejectionKind::SignatureMalformed,
                        format!("`{header}` header is present but has no `{prefix}` prefix"),
                    ));
                };
                let tag = encoding
                    .decode(encoded)
                    .ok_or_else(|| malformed_tag(header, encoding, encoded.len()))?;
                sigs.push(tag);
            }
            SignatureSyntax::List { separator, prefix } => {
                let mut sep = [0u8; 4];
                let sep = separator.encode_utf8(&mut sep).as_bytes();
                for entry in split_bytes(raw, sep) {
                    let entry = entry.trim_ascii();
                    let Some(encoded) = entry.strip_prefix(prefix.as_bytes()) else {
                        continue;
                    };
                    if sigs.len == MAX_SIGNATURES {
                        return Err(Rejection::with_detail(
                            RejectionKind::SignatureMalformed,
                            format!("`{header}` carries more than {MAX_SIGNATURES} signatures"),
                        ));
                    }
                    let tag = encoding
                        .decode(encoded)
                        .ok_or_else(|| malformed_tag(header, encoding, encoded.len()))?;
                    sigs.push(tag);
                }
                if sigs.len == 0 {
                    return Err(Rejection::with_detail(
                        RejectionKind::SignatureMalformed,
                        format!("`{header}` header has no `{prefix}` entry"),
                    ));
                }
            }
        }
        Ok(sigs)
    }

    /// Read the timestamp header: `(raw header value, value in the scheme's unit)`.
    pub(crate) fn parse_timestamp(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<(HeaderValue, u64)>, Rejection> {
        let Some((name, unit)) = &self.inner.timestamp else {
            return Ok(None);
        };
        let mut values = headers.get_all(name).iter();
        let Some(value) = values.next() else {
            return Err(Rejection::with_detail(
                RejectionKind::TimestampMissing,
                format!("no `{name}` header"),
            ));
        };
        if values.any(|v| v != value) {
            return Err(Rejection::with_detail(
                RejectionKind::TimestampMalformed,
                format!("several different `{name}` headers"),
            ));
        }
        let n = parse_unsigned(value.as_bytes()).ok_or_else(|| {
            Rejection::with_detail(
                RejectionKind::TimestampMalformed,
                format!(
                    "`{name}` is not a plain unsigned decimal integer (unix {})",
                    unit.name()
                ),
            )
        })?;
        Ok(Some((value.clone(), n)))
    }

    /// Read a value (id, event type) from a header. Missing → `Ok(None)`.
    pub(crate) fn header_field(
        headers: &HeaderMap,
        name: &HeaderName,
        kind: RejectionKind,
    ) -> Result<Option<HeaderValue>, Rejection> {
        let mut values = headers.get_all(name).iter();
        let Some(value) = values.next() else {
            return Ok(None);
        };
        if values.any(|v| v != value) {
            return Err(Rejection::with_detail(
                kind,
                format!("several different `{name}` headers"),
            ));
        }
        check_field_text(value.as_bytes(), name.as_str(), kind)?;
        Ok(Some(value.clone()))
    }
}

fn malformed_tag(header: &HeaderName, encoding: Encoding, len: usize) -> Rejection {
    Rejection::with_detail(
        RejectionKind::SignatureMalformed,
        format!(
            "`{header}` signature is not {} {}-character {} (got {len} characters)",
            if encoding == Encoding::Hex {
                "a"
            } else {
                "a padded"
            },
            encoding.encoded_len(),
            encoding.name(),
        ),
    )
}

/// Check an id or event type: non-empty, bounded, visible ASCII.
pub(crate) fn check_field_text(
    text: &[u8],
    what: &str,
    kind: RejectionKind,
) -> Result<(), Rejection> {
    if text.is_empty() {
        return Err(Rejection::with_detail(kind, format!("`{what}` is empty")));
    }
    if text.len() > MAX_ID_LEN {
        return Err(Rejection::with_detail(
            kind,
            format!("`{what}` is longer than {MAX_ID_LEN} bytes"),
        ));
    }
    if !text.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        return Err(Rejection::with_detail(
            kind,
            format!("`{what}` contains characters other than visible ASCII"),
        ));
    }
    Ok(())
}

fn split_bytes<'a>(raw: &'a [u8], sep: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut rest = Some(raw);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.windows(sep.len()).position(|w| w == sep) {
            Some(i) => {
                rest = Some(&r[i + sep.len()..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Parse a plain unsigned decimal (ASCII digits only: no sign, spaces, exponent or hex), refusing
/// overflow.
pub(crate) fn parse_unsigned(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in text {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

/// Candidate signatures decoded from one delivery, on the stack.
#[derive(Clone, Default)]
pub(crate) struct Signatures {
    tags: [[u8; TAG_LEN]; MAX_SIGNATURES],
    len: usize,
}

impl fmt::Debug for Signatures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signatures")
            .field("count", &self.len)
            .finish()
    }
}

impl Signatures {
    fn push(&mut self, tag: [u8; TAG_LEN]) {
        self.tags[self.len] = tag;
        self.len += 1;
    }

    pub(crate) fn as_slice(&self) -> &[[u8; TAG_LEN]] {
        &self.tags[..self.len]
    }
}

/// Builder for a custom [`Scheme`]; see [`Scheme::builder`]. Every setting has the most common
/// default: hex encoding, no prefix, the body alone as the signed message, no timestamp, no id.
#[derive(Debug, Clone)]
#[must_use]
pub struct SchemeBuilder {
    name: Arc<str>,
    signature_headers: Vec<String>,
    syntax: SignatureSyntax,
    encoding: Encoding,
    timestamp: Option<(String, TimestampUnit)>,
    id: Option<FieldSpec>,
    event: Option<FieldSpec>,
    parts: Vec<SignedPart>,
}

#[derive(Debug, Clone)]
enum FieldSpec {
    Header(String),
    Json(String),
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

    /// The header carrying the send time, and its unit. It is checked against the verifier's
    /// tolerance whether or not it is signed.
    pub fn timestamp_header(mut self, name: &str, unit: TimestampUnit) -> Self {
        self.timestamp = Some((name.to_owned(), unit));
        self
    }

    /// The delivery id is read from this header.
    pub fn id_header(mut self, name: &str) -> Self {
        self.id = Some(FieldSpec::Header(name.to_owned()));
        self
    }

    /// The delivery id is read from this field of the JSON body; nested fields with dots
    /// (`"data.id"`).
    pub fn id_json_field(mut self, path: &str) -> Self {
        self.id = Some(FieldSpec::Json(path.to_owned()));
        self
    }

    /// The event type is read from this header.
    pub fn event_header(mut self, name: &str) -> Self {
        self.event = Some(FieldSpec::Header(name.to_owned()));
        self
    }

    /// The event type is read from this field of the JSON body (dots for nesting).
    pub fn event_json_field(mut self, path: &str) -> Self {
        self.event = Some(FieldSpec::Json(path.to_owned()));
        self
    }

    /// The signed message, in order. Must contain [`SignedPart::Body`] exactly once.
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
                FieldSpec::Header(h) => Ok(Field::Header(header(&h)?)),
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
        let timestamp = match self.timestamp {
            Some((h, unit)) => Some((header(&h)?, unit)),
            None => None,
        };
        let id = self.id.map(field).transpose()?;
        let event = self.event.map(field).transpose()?;
        let bodies: Vec<usize> = self
            .parts
            .iter()
            .enumerate()
            .filter(|(_, p)| **p == SignedPart::Body)
            .map(|(i, _)| i)
            .collect();
        let [body_index] = bodies[..] else {
            return Err(SchemeError::BodyNotSignedOnce);
        };
        if self.parts.contains(&SignedPart::Timestamp) && timestamp.is_none() {
            return Err(SchemeError::TimestampPartWithoutHeader);
        }
        if self.parts.contains(&SignedPart::Id) && !matches!(id, Some(Field::Header(_))) {
            return Err(SchemeError::IdPartWithoutHeader);
        }
        Ok(Scheme {
            inner: Arc::new(SchemeInner {
                name: self.name,
                signature_headers,
                syntax: self.syntax,
                encoding: self.encoding,
                timestamp,
                id,
                event,
                parts: self.parts,
                body_index,
            }),
        })
    }
}

/// Read a string (or integer, as its decimal text) at `path` in a JSON body without building a
/// document tree; parsing stops as soon as the field is found.
///
/// `Ok(None)`: the body is JSON but has no such field (or not a string/integer there).
/// `Err(())`: the body is not JSON.
pub(crate) fn json_field(body: &[u8], path: &[Cow<'static, str>]) -> Result<Option<String>, ()> {
    use serde::de::{DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, Visitor};

    struct Seed<'a> {
        path: &'a [Cow<'static, str>],
        found: &'a Cell<Option<String>>,
    }

    const FOUND: &str = "\u{0}found";

    impl<'de> DeserializeSeed<'de> for Seed<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Seed<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let Some((head, rest)) = self.path.split_first() else {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                return Ok(());
            };
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if key == head.as_ref() {
                    map.next_value_seed(Seed {
                        path: rest,
                        found: self.found,
                    })?;
                    // Stop at the first occurrence (found or not): abort the parse.
                    return Err(A::Error::custom(FOUND));
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(())
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
            if self.path.is_empty() {
                self.found.set(Some(v.to_owned()));
            }
            Ok(())
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<(), E> {
            if self.path.is_empty() {
                self.found.set(Some(v.to_string()));
            }
            Ok(())
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<(), E> {
            if self.path.is_empty() {
                self.found.set(Some(v.to_string()));
            }
            Ok(())
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
            Ok(())
        }
    }

    let found = Cell::new(None);
    let mut de = serde_json::Deserializer::from_slice(body);
    let result = Seed {
        path,
        found: &found,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    match result {
        Ok(()) => Ok(found.into_inner()),
        Err(e) if e.to_string().starts_with(FOUND) => Ok(found.into_inner()),
        Err(_) => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<Cow<'static, str>> {
        p.split('.').map(|s| Cow::Owned(s.to_owned())).collect()
    }

    #[test]
    fn json_field_finds_top_level_and_nested() {
        let body = br#"{"a":1,"request_id":"r-1","data":{"object":{"id":"evt_9"}},"n":7}"#;
        assert_eq!(
            json_field(body, &path("request_id")),
            Ok(Some("r-1".into()))
        );
        assert_eq!(
            json_field(body, &path("data.object.id")),
            Ok(Some("evt_9".into()))
        );
        assert_eq!(json_field(body, &path("n")), Ok(Some("7".into())));
        assert_eq!(json_field(body, &path("missing")), Ok(None));
        assert_eq!(json_field(body, &path("data.nope")), Ok(None));
        assert_eq!(json_field(b"not json", &path("a")), Err(()));
        assert_eq!(json_field(b"[1,2]", &path("a")), Ok(None));
        assert_eq!(json_field(br#"{"a":"x"} trailing"#, &path("b")), Err(()));
        // Stops at the first occurrence: what follows is not parsed.
        assert_eq!(
            json_field(br#"{"id":"first", garbage"#, &path("id")),
            Ok(Some("first".into()))
        );
    }

    #[test]
    fn parse_unsigned_is_strict() {
        assert_eq!(parse_unsigned(b"1701432000"), Some(1_701_432_000));
        assert_eq!(parse_unsigned(b"18446744073709551615"), Some(u64::MAX));
        for bad in [
            &b""[..],
            b"-1",
            b"+1",
            b" 123",
            b"123 ",
            b"1e20",
            b"0x10",
            b"99999999999999999999",
            b"18446744073709551616",
            b"12.5",
        ] {
            assert_eq!(
                parse_unsigned(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

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
    }

    #[test]
    fn list_syntax_skips_junk_entries() {
        let scheme = Scheme::builder("l")
            .signature_header("sig")
            .signature_list(' ', "v1,")
            .encoding(Encoding::Base64)
            .build()
            .unwrap();
        let tag = [7u8; 32];
        let good = scheme.format_signature(&tag);
        let mut h = HeaderMap::new();
        h.insert("sig", format!("v0,abc  \t{good}\t v2,zz").parse().unwrap());
        let sigs = scheme.parse_signatures(&h).unwrap();
        assert_eq!(sigs.as_slice(), &[tag]);
        for bad in ["v1,", "v1", "v1,a,b", "", " ", "v1,!!!!"] {
            h.insert("sig", HeaderValue::from_str(bad).unwrap());
            let err = scheme.parse_signatures(&h).unwrap_err();
            assert_eq!(err.kind(), RejectionKind::SignatureMalformed, "{bad:?}");
        }
        let many = vec![good.clone(); MAX_SIGNATURES + 1].join(" ");
        h.insert("sig", many.parse().unwrap());
        assert_eq!(
            scheme.parse_signatures(&h).unwrap_err().kind(),
            RejectionKind::SignatureMalformed
        );
    }
}
