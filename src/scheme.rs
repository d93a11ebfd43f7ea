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
//! | [`Scheme::standard_webhooks`] | `webhook-signature` (or `svix-signature`) | `v1,<base64>` list, space-separated | `<id>.<timestamp>.<body>` | `webhook-timestamp` (or `svix-timestamp`), seconds | `webhook-id` (or `svix-id`) |
//! | [`Scheme::github`] | `X-Hub-Signature-256` | `sha256=<hex>` | body | none | `X-GitHub-Delivery` |
//! | [`Scheme::stripe`] | `Stripe-Signature` | `t=<ts>,v1=<hex>[,v1=<hex>…]` | `<t>.<body>` | the `t=` entry, seconds | `id` in the JSON body |
//! | [`Scheme::slack`] | `X-Slack-Signature` | `v0=<hex>` | `v0:<timestamp>:<body>` | `X-Slack-Request-Timestamp`, seconds | none |
//! | [`Scheme::shopify`] | `X-Shopify-Hmac-Sha256` | `<base64>` | body | none | `X-Shopify-Webhook-Id` |
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
            Encoding::Hex => out = hex_tag(text)?,
            Encoding::Base64 if text.len() == 44 => out = base64_tag(text)?,
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

/// Nibble value of each byte, `0xFF` for bytes that are not hex digits (either case).
const HEX_NIBBLES: [u8; 256] = {
    let mut t = [0xFF_u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Decode 64 hex digits (either case) into a tag: one table lookup per digit, no branch per
/// digit; `None` if any byte is not a hex digit.
fn hex_tag(text: &[u8]) -> Option<[u8; TAG_LEN]> {
    let text: &[u8; 2 * TAG_LEN] = text.try_into().ok()?;
    let mut out = [0u8; TAG_LEN];
    let mut bad = 0u8;
    for (o, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let hi = HEX_NIBBLES[pair[0] as usize];
        let lo = HEX_NIBBLES[pair[1] as usize];
        bad |= hi | lo;
        *o = (hi << 4) | (lo & 0x0F);
    }
    (bad & 0xF0 == 0).then_some(out)
}

/// Sextet value of each byte of the standard base64 alphabet, `0xFF` for every other byte.
const BASE64_SEXTETS: [u8; 256] = {
    let mut t = [0xFF_u8; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Decode the 44-character standard base64 form of a 32-byte tag (43 alphabet characters and one
/// `=`): table lookups, no branch per character. Canonical form only, as the `base64` crate's
/// strict decoder: the unused low bits of the last character must be zero.
fn base64_tag(text: &[u8]) -> Option<[u8; TAG_LEN]> {
    let text: &[u8; 44] = text.try_into().ok()?;
    if text[43] != b'=' {
        return None;
    }
    let mut v = [0u8; 43];
    let mut bad = 0u8;
    for (o, c) in v.iter_mut().zip(&text[..43]) {
        *o = BASE64_SEXTETS[*c as usize];
        bad |= *o;
    }
    if bad & 0xC0 != 0 || v[42] & 0x03 != 0 {
        return None;
    }
    let mut out = [0u8; TAG_LEN];
    for (o, q) in out.chunks_exact_mut(3).zip(v.chunks_exact(4)) {
        let n = (u32::from(q[0]) << 18)
            | (u32::from(q[1]) << 12)
            | (u32::from(q[2]) << 6)
            | u32::from(q[3]);
        o.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    // The last 3 characters carry the last 2 bytes (16 of their 18 bits).
    let n = (u32::from(v[40]) << 12) | (u32::from(v[41]) << 6) | u32::from(v[42]);
    out[30] = (n >> 10) as u8;
    out[31] = (n >> 2) as u8;
    Some(out)
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
    /// A request header, under any of these names (alternative names of the same value, such as
    /// Standard Webhooks' `webhook-id` and Svix's `svix-id`). Where several are sent they must
    /// carry the same value.
    Headers(Vec<HeaderName>),
    /// A string (or integer) field of the JSON body, by path from the top-level object.
    /// The body is signed, so a field read from it is as trustworthy as the body.
    JsonBody(Vec<Cow<'static, str>>),
}

/// Where the timestamp is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampSource {
    /// A request header, under any of these names (alternatives, like [`Field::Headers`]).
    Headers(Vec<HeaderName>),
    /// An entry of the signature header itself, identified by its prefix: Stripe sends
    /// `Stripe-Signature: t=<unix seconds>,v1=<hex>`, so its timestamp is the `t=` entry. Only
    /// with the [list syntax](SignatureSyntax::List); the entry is split off with the same
    /// separator as the signatures.
    SignatureEntry(Cow<'static, str>),
}

/// One part of the signed message, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedPart {
    /// The timestamp exactly as sent (its header, or its signature header entry without the
    /// entry's prefix).
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
    /// The signed message contains the timestamp but the scheme has no timestamp source.
    TimestampPartWithoutHeader,
    /// A timestamp read from a signature header entry needs the list syntax and an entry prefix
    /// that is non-empty and differs from the signatures' prefix.
    InvalidTimestampEntry,
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
                "the signed message contains the timestamp but no timestamp source is set",
            ),
            SchemeError::InvalidTimestampEntry => f.write_str(
                "a timestamp entry of the signature header needs the list syntax and a non-empty \
                 entry prefix different from the signature prefix",
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
    timestamp: Option<(TimestampSource, TimestampUnit)>,
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

    /// [Standard Webhooks](https://www.standardwebhooks.com/), also what Svix sends.
    ///
    /// `webhook-signature: v1,<base64> [v1,<base64> …]`: a space-separated list, one entry per
    /// active secret while the sender rotates (any one matching is enough; entries of other
    /// versions, such as `v1a,` asymmetric signatures, are ignored). The signed message is
    /// `<webhook-id>.<webhook-timestamp>.<body>`, the timestamp in unix **seconds**. Secrets are
    /// `whsec_<base64>`: build them with [`Secret::from_whsec`](crate::Secret::from_whsec). The
    /// Svix header names `svix-id`, `svix-timestamp` and `svix-signature` are accepted too. The id
    /// is signed, so it alone is the deduplication key; the event type is the body's `type`.
    pub fn standard_webhooks() -> Scheme {
        Scheme::builder("standard-webhooks")
            .signature_header("webhook-signature")
            .signature_header("svix-signature")
            .signature_list(' ', "v1,")
            .encoding(Encoding::Base64)
            .timestamp_header("webhook-timestamp", TimestampUnit::Seconds)
            .timestamp_header("svix-timestamp", TimestampUnit::Seconds)
            .id_header("webhook-id")
            .id_header("svix-id")
            .event_json_field("type")
            .signed_parts([
                SignedPart::Id,
                SignedPart::literal("."),
                SignedPart::Timestamp,
                SignedPart::literal("."),
                SignedPart::Body,
            ])
            .build()
            .expect("built-in scheme is valid")
    }

    /// GitHub webhooks.
    ///
    /// `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` (the legacy SHA-1
    /// `X-Hub-Signature` is not used). `X-GitHub-Delivery` is the delivery id (a GUID, kept when a
    /// delivery is redelivered) and `X-GitHub-Event` the event name (`push`, `ping`, …). GitHub
    /// sends no timestamp: replays are caught by deduplication only, on the delivery id and, as
    /// the id is not signed, on the signature.
    pub fn github() -> Scheme {
        Scheme::builder("github")
            .signature_header("x-hub-signature-256")
            .signature_prefix("sha256=")
            .id_header("x-github-delivery")
            .event_header("x-github-event")
            .build()
            .expect("built-in scheme is valid")
    }

    /// Stripe webhooks.
    ///
    /// `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`: the timestamp is the `t=` entry
    /// of the signature header itself; the signed message is `<t>.<body>`; any `v1=` entry
    /// matching is enough (Stripe sends one per active secret while an endpoint secret is being
    /// rolled), other entries (`v0=` test-mode signatures, future schemes) are ignored. Stripe's
    /// own libraries default to a 300 s tolerance, as does the verifier. The delivery id is the
    /// event's `id` and the event type its `type`, both read from the signed body. The `whsec_…`
    /// endpoint secret is used as is: build it with [`Secret::new`](crate::Secret::new).
    pub fn stripe() -> Scheme {
        Scheme::builder("stripe")
            .signature_header("stripe-signature")
            .signature_list(',', "v1=")
            .timestamp_in_signature("t=", TimestampUnit::Seconds)
            .id_json_field("id")
            .event_json_field("type")
            .signed_parts([
                SignedPart::Timestamp,
                SignedPart::literal("."),
                SignedPart::Body,
            ])
            .build()
            .expect("built-in scheme is valid")
    }

    /// Slack request signing (Events API, slash commands, interactivity).
    ///
    /// `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">` with
    /// `X-Slack-Request-Timestamp` in unix **seconds**. Slack sends no delivery id header and
    /// re-signs each retry with a new timestamp, so deduplication keys on the signature only;
    /// for Events API callbacks, deduplicate retries on the body's `event_id` in the handler (a
    /// retry also carries `X-Slack-Retry-Num`). Bodies may be JSON or form-encoded; the event type
    /// is the JSON body's top-level `type` where there is one (`event_callback`,
    /// `url_verification`).
    pub fn slack() -> Scheme {
        Scheme::builder("slack")
            .signature_header("x-slack-signature")
            .signature_prefix("v0=")
            .timestamp_header("x-slack-request-timestamp", TimestampUnit::Seconds)
            .event_json_field("type")
            .signed_parts([
                SignedPart::literal("v0:"),
                SignedPart::Timestamp,
                SignedPart::literal(":"),
                SignedPart::Body,
            ])
            .build()
            .expect("built-in scheme is valid")
    }

    /// Shopify webhooks.
    ///
    /// `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the raw body>` (no prefix), keyed with the
    /// app's client secret; `X-Shopify-Webhook-Id` is the delivery id and `X-Shopify-Topic` the
    /// event type (`orders/create`, …). Shopify's `X-Shopify-Triggered-At` is an ISO 8601 date, not
    /// a unix timestamp, and is not checked; replays are caught by deduplication.
    pub fn shopify() -> Scheme {
        Scheme::builder("shopify")
            .signature_header("x-shopify-hmac-sha256")
            .encoding(Encoding::Base64)
            .id_header("x-shopify-webhook-id")
            .event_header("x-shopify-topic")
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

    /// Where the timestamp comes from and its unit, if the scheme has a timestamp.
    pub fn timestamp(&self) -> Option<(&TimestampSource, TimestampUnit)> {
        self.inner.timestamp.as_ref().map(|(h, u)| (h, *u))
    }

    /// How the timestamp's origin is named in diagnostics, e.g. `` `x-slack-request-timestamp` ``
    /// or `` `t=` entry of `stripe-signature` ``.
    pub(crate) fn timestamp_label(&self) -> String {
        match &self.inner.timestamp {
            Some((TimestampSource::Headers(names), _)) => format!("`{}`", names[0]),
            Some((TimestampSource::SignatureEntry(prefix), _)) => {
                format!("`{prefix}` entry of `{}`", self.inner.signature_headers[0])
            }
            None => "timestamp".to_owned(),
        }
    }

    /// The signed message in words, for diagnostics, e.g. `` `x-webhook-timestamp`.<body> `` or
    /// `` `t=` entry of `stripe-signature`.<body> ``.
    pub(crate) fn signed_message_label(&self) -> String {
        let mut out = String::new();
        for part in &self.inner.parts {
            match part {
                SignedPart::Timestamp => out.push_str(&self.timestamp_label()),
                SignedPart::Id => match &self.inner.id {
                    Some(Field::Headers(names)) => out.push_str(&format!("`{}`", names[0])),
                    _ => out.push_str("<id>"),
                },
                SignedPart::Body => out.push_str("<body>"),
                SignedPart::Literal(bytes) => out.push_str(&String::from_utf8_lossy(bytes)),
            }
        }
        out
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
        fn field(f: &Option<Field>) -> &[HeaderName] {
            match f {
                Some(Field::Headers(h)) => h,
                _ => &[],
            }
        }
        let timestamp: &[HeaderName] = match &self.inner.timestamp {
            Some((TimestampSource::Headers(h), _)) => h,
            _ => &[],
        };
        self.inner
            .signature_headers
            .iter()
            .chain(timestamp)
            .chain(field(&self.inner.id))
            .chain(field(&self.inner.event))
    }

    /// Whether the delivery id is covered by the signature (signed directly, or read from the
    /// signed body). Where it is not, deduplication also keys on the signature itself.
    pub fn id_is_signed(&self) -> bool {
        match &self.inner.id {
            Some(Field::JsonBody(_)) => true,
            Some(Field::Headers(_)) => self.inner.parts.contains(&SignedPart::Id),
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

    /// The whole signature header value a sender would send with these tags (one per secret
    /// during a rotation; a single-value syntax carries only the first) and, for schemes that
    /// keep their timestamp in the signature header, this timestamp text.
    pub(crate) fn signature_header_value(
        &self,
        tags: &[[u8; TAG_LEN]],
        ts: Option<&str>,
    ) -> String {
        let mut out = String::new();
        let separator = match &self.inner.syntax {
            SignatureSyntax::List { separator, .. } => Some(*separator),
            SignatureSyntax::Single { .. } => None,
        };
        if let (Some((TimestampSource::SignatureEntry(prefix), _)), Some(ts), Some(sep)) =
            (&self.inner.timestamp, ts, separator)
        {
            out.push_str(prefix);
            out.push_str(ts);
            out.push(sep);
        }
        let count = if separator.is_some() { tags.len() } else { 1 };
        for (i, tag) in tags.iter().take(count).enumerate() {
            if i > 0
                && let Some(sep) = separator
            {
                out.push(sep);
            }
            out.push_str(&self.format_signature(tag));
        }
        out
    }

    /// The one signature header value of a delivery (alternative names must agree).
    pub(crate) fn signature_value<'h>(
        &self,
        headers: &'h HeaderMap,
    ) -> Result<&'h HeaderValue, Rejection> {
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
        value.ok_or_else(|| {
            Rejection::with_detail(
                RejectionKind::SignatureMissing,
                format!("no `{}` header", self.inner.signature_headers[0]),
            )
        })
    }

    /// Decode the candidate signatures from the signature header's value.
    pub(crate) fn parse_signatures(&self, value: &HeaderValue) -> Result<Signatures, Rejection> {
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

    /// Read the timestamp: `(its text as sent, value in the scheme's unit)`. `signature` is the
    /// signature header's value, where schemes like Stripe's keep the timestamp.
    pub(crate) fn parse_timestamp(
        &self,
        headers: &HeaderMap,
        signature: &HeaderValue,
    ) -> Result<Option<(TimestampText, u64)>, Rejection> {
        let Some((source, unit)) = &self.inner.timestamp else {
            return Ok(None);
        };
        let label = || self.timestamp_label();
        let mut sep = [0u8; 4];
        let text: &[u8] = match source {
            TimestampSource::Headers(names) => {
                match one_header(headers, names).map_err(|()| {
                    Rejection::with_detail(
                        RejectionKind::TimestampMalformed,
                        format!("several different {} headers", label()),
                    )
                })? {
                    Some(v) => v.as_bytes(),
                    None => {
                        return Err(Rejection::with_detail(
                            RejectionKind::TimestampMissing,
                            format!("no {} header", label()),
                        ));
                    }
                }
            }
            TimestampSource::SignatureEntry(prefix) => {
                let SignatureSyntax::List { separator, .. } = &self.inner.syntax else {
                    // Refused by the builder.
                    return Ok(None);
                };
                let sep = separator.encode_utf8(&mut sep).as_bytes();
                let mut found: Option<&[u8]> = None;
                for entry in split_bytes(signature.as_bytes(), sep) {
                    let Some(text) = entry.trim_ascii().strip_prefix(prefix.as_bytes()) else {
                        continue;
                    };
                    match found {
                        None => found = Some(text),
                        Some(prev) if prev == text => {}
                        Some(_) => {
                            return Err(Rejection::with_detail(
                                RejectionKind::TimestampMalformed,
                                format!("several different {} values", label()),
                            ));
                        }
                    }
                }
                found.ok_or_else(|| {
                    Rejection::with_detail(
                        RejectionKind::TimestampMissing,
                        format!("no {}", label()),
                    )
                })?
            }
        };
        let malformed = || {
            Rejection::with_detail(
                RejectionKind::TimestampMalformed,
                format!(
                    "{} is not a plain unsigned decimal integer (unix {})",
                    label(),
                    unit.name()
                ),
            )
        };
        let n = parse_unsigned(text).ok_or_else(malformed)?;
        let text = TimestampText::new(text).ok_or_else(malformed)?;
        Ok(Some((text, n)))
    }

    /// Read a value (id, event type) from a header under any of its names. Missing →
    /// `Ok(None)`.
    pub(crate) fn header_field(
        headers: &HeaderMap,
        names: &[HeaderName],
        kind: RejectionKind,
    ) -> Result<Option<HeaderValue>, Rejection> {
        let name = names.first().map_or("", HeaderName::as_str);
        let Some(value) = one_header(headers, names).map_err(|()| {
            Rejection::with_detail(kind, format!("several different `{name}` headers"))
        })?
        else {
            return Ok(None);
        };
        check_field_text(value.as_bytes(), name, kind)?;
        Ok(Some(value.clone()))
    }
}

/// The value of a header sent under any of `names`; `Err` when the copies differ.
fn one_header<'h>(
    headers: &'h HeaderMap,
    names: &[HeaderName],
) -> Result<Option<&'h HeaderValue>, ()> {
    let mut found: Option<&HeaderValue> = None;
    for name in names {
        for v in headers.get_all(name) {
            match found {
                None => found = Some(v),
                Some(prev) if prev == v => {}
                Some(_) => return Err(()),
            }
        }
    }
    Ok(found)
}

/// A timestamp's text as sent, copied onto the stack (at most 20 ASCII digits), so it can be
/// fed into the MAC wherever it came from without allocating.
#[derive(Clone, Copy)]
pub(crate) struct TimestampText {
    buf: [u8; 20],
    len: usize,
}

impl TimestampText {
    fn new(text: &[u8]) -> Option<Self> {
        let mut buf = [0u8; 20];
        buf.get_mut(..text.len())?.copy_from_slice(text);
        Some(TimestampText {
            buf,
            len: text.len(),
        })
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl fmt::Debug for TimestampText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.as_bytes()))
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
        // Separators are one ASCII byte in every built-in scheme: a byte scan, not a memcmp
        // per position.
        let found = match sep {
            [one] => r.iter().position(|b| b == one),
            _ => r.windows(sep.len()).position(|w| w == sep),
        };
        match found {
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

    #[cfg(test)]
    pub(crate) fn push_for_tests(&mut self, tag: [u8; TAG_LEN]) {
        self.push(tag);
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
    timestamp: Option<(TimestampSpec, TimestampUnit)>,
    id: Option<FieldSpec>,
    event: Option<FieldSpec>,
    parts: Vec<SignedPart>,
}

#[derive(Debug, Clone)]
enum FieldSpec {
    Headers(Vec<String>),
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

    /// The delivery id is read from this field of the JSON body; nested fields with dots
    /// (`"data.id"`).
    pub fn id_json_field(mut self, path: &str) -> Self {
        self.id = Some(FieldSpec::Json(path.to_owned()));
        self
    }

    /// The event type is read from this header. Call again for alternative names.
    pub fn event_header(mut self, name: &str) -> Self {
        self.event = Some(FieldSpec::add_header(self.event.take(), name));
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
                FieldSpec::Headers(names) => Ok(Field::Headers(
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
        if self.parts.contains(&SignedPart::Id) && !matches!(id, Some(Field::Headers(_))) {
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
/// document tree or allocating (but for the value found); parsing stops as soon as the field is
/// found.
///
/// `Ok(None)`: the body is JSON but has no such field (or not a string/integer there).
/// `Err(())`: the body is not JSON.
pub(crate) fn json_field(body: &[u8], path: &[Cow<'static, str>]) -> Result<Option<String>, ()> {
    crate::json_scan::find(body, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_tags_agree_with_the_base64_crate() {
        use base64::engine::general_purpose::STANDARD;
        for seed in 0..64u8 {
            let tag: Vec<u8> = (0..32u8)
                .map(|i| i.wrapping_mul(seed).wrapping_add(seed ^ 0x5A))
                .collect();
            let text = STANDARD.encode(&tag);
            assert_eq!(base64_tag(text.as_bytes()).map(|t| t.to_vec()), Some(tag));
            // Any single character replaced: the fast path and the crate agree on the verdict.
            for pos in [0, 17, 41, 42, 43] {
                for c in [b'A', b'/', b'+', b'=', b'-', b'_', b' ', 0x80] {
                    let mut t = text.clone().into_bytes();
                    t[pos] = c;
                    let crate_says = STANDARD.decode(&t).ok().filter(|d| d.len() == 32);
                    assert_eq!(base64_tag(&t).map(|t| t.to_vec()), crate_says, "{t:?}");
                }
            }
        }
    }

    #[test]
    fn hex_tags_decode_in_either_case_and_refuse_non_hex() {
        let tag: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(37)).collect();
        let lower = hex::encode(&tag);
        assert_eq!(hex_tag(lower.as_bytes()).unwrap().to_vec(), tag);
        assert_eq!(
            hex_tag(lower.to_uppercase().as_bytes()).unwrap().to_vec(),
            tag
        );
        for bad in [b'g', b' ', b'/', b':', b'@', b'G', 0x80, 0xFF, 0] {
            let mut t = lower.clone().into_bytes();
            t[17] = bad;
            assert_eq!(hex_tag(&t), None, "byte {bad:#x}");
        }
        assert_eq!(hex_tag(&lower.as_bytes()[..62]), None);
    }

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
        let sigs = scheme
            .parse_signatures(scheme.signature_value(&h).unwrap())
            .unwrap();
        assert_eq!(sigs.as_slice(), &[tag]);
        for bad in ["v1,", "v1", "v1,a,b", "", " ", "v1,!!!!"] {
            h.insert("sig", HeaderValue::from_str(bad).unwrap());
            let err = scheme
                .parse_signatures(scheme.signature_value(&h).unwrap())
                .unwrap_err();
            assert_eq!(err.kind(), RejectionKind::SignatureMalformed, "{bad:?}");
        }
        let many = vec![good.clone(); MAX_SIGNATURES + 1].join(" ");
        h.insert("sig", many.parse().unwrap());
        assert_eq!(
            scheme
                .parse_signatures(scheme.signature_value(&h).unwrap())
                .unwrap_err()
                .kind(),
            RejectionKind::SignatureMalformed
        );
    }
}
