//! Schemes: declarative descriptions of how one sender signs its deliveries.
//!
//! A [`Scheme`] says which header carries the signature and in which syntax, with which
//! [`Algorithm`] it is made (HMAC-SHA256 unless said otherwise; HMAC-SHA1 and -SHA512, Ed25519,
//! ECDSA P-256, RSA PKCS#1 v1.5, a shared token), how it is encoded,
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
//! | [`Scheme::standard_webhooks`] | `webhook-signature` (or `svix-signature`) | `v1,<base64>` (HMAC) and `v1a,<base64>` (Ed25519) list, space-separated | `<id>.<timestamp>.<body>` | `webhook-timestamp` (or `svix-timestamp`), seconds | `webhook-id` (or `svix-id`) |
//! | [`Scheme::github`] | `X-Hub-Signature-256` | `sha256=<hex>` | body | none | `X-GitHub-Delivery` |
//! | [`Scheme::stripe`] | `Stripe-Signature` | `t=<ts>,v1=<hex>[,v1=<hex>…]` | `<t>.<body>` | the `t=` entry, seconds | `id` in the JSON body |
//! | [`Scheme::slack`] | `X-Slack-Signature` | `v0=<hex>` | `v0:<timestamp>:<body>` | `X-Slack-Request-Timestamp`, seconds | `event_id` in the JSON body where there is one (Events API), else none |
//! | [`Scheme::shopify`] | `X-Shopify-Hmac-Sha256` | `<base64>` | body | none | `X-Shopify-Event-Id`, else `X-Shopify-Webhook-Id` |
//! | [`Scheme::discord`] | `X-Signature-Ed25519` | `<hex Ed25519>` | `<timestamp><body>` | `X-Signature-Timestamp`, seconds | `id` in the JSON body |
//! | [`Scheme::gitlab`] | `X-Gitlab-Token` | the secret token itself | nothing | none | `Idempotency-Key`, else `X-Gitlab-Event-UUID` |
//! | [`Scheme::sendgrid`] | `X-Twilio-Email-Event-Webhook-Signature` | `<base64 DER ECDSA P-256>` | `<timestamp><body>` | `X-Twilio-Email-Event-Webhook-Timestamp`, seconds | none (keyed on the signature) |
//! | [`Scheme::paypal`] | `PAYPAL-TRANSMISSION-SIG` | `<base64 RSA PKCS#1 v1.5>` | `<transmission id>\|<time>\|<webhook id>\|<CRC32 of the body>` | `PAYPAL-TRANSMISSION-TIME`, RFC 3339 | `id` in the JSON body (the event) |
//! | [`Scheme::twilio`] | `X-Twilio-Signature` | `<base64 HMAC-SHA1>` | `<public URL><form parameters sorted, name then value>`, or the URL alone with the body's SHA-256 in its `bodySHA256` query parameter | none | `I-Twilio-Idempotency-Token` where sent, else none (keyed on the signature) |
//! | [`Scheme::linear`] | `Linear-Signature` | `<hex>` | body | `webhookTimestamp` in the JSON body, milliseconds | `Linear-Delivery` |
//! | [`Scheme::lemon_squeezy`] | `X-Signature` | `<hex>` | body | none | none (keyed on the signature) |
//! | [`Scheme::sentry`] | `Sentry-Hook-Signature` | `<hex>` | body | `Sentry-Hook-Timestamp`, seconds (checked, not signed) | `Request-ID` |
//! | [`Scheme::coinbase_commerce`] | `X-CC-Webhook-Signature` | `<hex>` | body | none | `event.id` in the JSON body |
//! | [`Scheme::woocommerce`] | `X-WC-Webhook-Signature` | `<base64>` | body | none | `X-WC-Webhook-Delivery-ID` |
//! | [`Scheme::bitbucket`] | `X-Hub-Signature` | `sha256=<hex>` | body | none | `X-Request-UUID` |
//! | [`Scheme::intercom`] | `X-Hub-Signature` | `sha1=<hex HMAC-SHA1>` | body | none | `id` in the JSON body |
//! | [`Scheme::vercel`] | `x-vercel-signature` | `<hex HMAC-SHA1>` | body | none | `id` in the JSON body |
//! | [`Scheme::paddle`] | `Paddle-Signature` | `ts=<ts>;h1=<hex>[;h1=<hex>…]` | `<ts>:<body>` | the `ts=` entry, seconds | `event_id` in the JSON body |
//! | [`Scheme::mux`] | `Mux-Signature` | `t=<ts>,v1=<hex>` | `<t>.<body>` | the `t=` entry, seconds | `id` in the JSON body |
//! | [`Scheme::calendly`] | `Calendly-Webhook-Signature` | `t=<ts>,v1=<hex>` | `<t>.<body>` | the `t=` entry, seconds | `event`, `created_at` and `payload.uri` in the JSON body, together (hashed) |
//! | [`Scheme::typeform`] | `Typeform-Signature` | `sha256=<base64>` | body | none | `event_id` in the JSON body |
//! | [`Scheme::pagerduty`] | `X-PagerDuty-Signature` | `v1=<hex>[,v1=<hex>…]` | body | none | `X-Webhook-Id`, else `event.id` in the JSON body |
//! | [`Scheme::zendesk`] | `X-Zendesk-Webhook-Signature` | `<base64>` | `<timestamp><body>` | `X-Zendesk-Webhook-Signature-Timestamp`, RFC 3339 | `X-Zendesk-Webhook-Invocation-Id` |
//! | [`Scheme::box_com`] | `BOX-SIGNATURE-PRIMARY` and `BOX-SIGNATURE-SECONDARY`, each its own signature | `<base64>` | `<body><timestamp>` | `BOX-DELIVERY-TIMESTAMP`, RFC 3339 | `id` in the JSON body (the event) |
//! | [`Scheme::square`] | `x-square-hmacsha256-signature` | `<base64>` | `<public URL><body>` | none | `event_id` in the JSON body |
//! | [`Scheme::hubspot`] | `X-HubSpot-Signature-v3` | `<base64>` | `<method><public URL><body><timestamp>` | `X-HubSpot-Request-Timestamp`, milliseconds | none (keyed on the signature; each event's `eventId` is in the body array) |
//! | [`Scheme::twitch`] | `Twitch-Eventsub-Message-Signature` | `sha256=<hex>` | `<message id><timestamp><body>` | `Twitch-Eventsub-Message-Timestamp`, RFC 3339 | `Twitch-Eventsub-Message-Id` |
//! | [`Scheme::dropbox`] | `X-Dropbox-Signature` | `<hex>` | body | none | none (keyed on the signature, that is the body) |
//! | [`Scheme::mailgun`] | none: `signature.signature` in the JSON body | `<hex>` | `<signature.timestamp><signature.token>` (the body's fields) | `signature.timestamp` in the body, seconds | `signature.token` in the body (with the signature) |
//! | [`Scheme::zoom`] | `x-zm-signature` | `v0=<hex>` | `v0:<timestamp>:<body>` | `x-zm-request-timestamp`, seconds | `event`, `event_ts` and `payload.object.id` in the JSON body, together |
//!
//! Where header names are listed with "or", any one may be sent; if several are sent they must
//! carry the same value. Where they are listed with "else" (Shopify, GitLab), the
//! first one sent is the id and the others are not read ([`SchemeBuilder::id_headers_in_order`]).
//! Secrets are used exactly as the dashboard shows them, except Standard Webhooks'
//! `whsec_<base64>`, whose key is the decoded bytes. Hex is accepted in either case; signatures
//! are decoded into a fixed stack buffer and compared in constant time, and a wrong length is
//! refused as malformed (the format fixes the length, so this reveals nothing). Each
//! constructor's documentation names the sender's page it follows and the sender's own details
//! (retry schedule, tolerance, what the dedup key is and why).
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

// Where things are: the public model and `Scheme`'s accessors here; the builder and its checks
// in `builder.rs`; each built-in sender's constructor in `profiles/<sender family>.rs`; the
// request-time parsing the verifier drives in `parse.rs`.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use http::HeaderName;

mod builder;
mod parse;
mod profiles;
mod rfc3339;

pub use crate::algorithm::Algorithm;
pub use builder::SchemeBuilder;
use parse::Wanted;
pub(crate) use parse::{
    EntryTimestamp, Gathered, HeaderBytes, Role, Signatures, TimestampText, check_field_text,
    event_text_ok, field_text_ok, json_field,
};

/// Length of an HMAC-SHA256 tag in bytes.
pub const TAG_LEN: usize = 32;

/// Most signatures accepted from one delivery (entries of a list header). Anything beyond is
/// refused as malformed, so a hostile header cannot make verification do unbounded work.
pub const MAX_SIGNATURES: usize = 8;

/// Longest delivery id or event type accepted, in bytes.
pub const MAX_ID_LEN: usize = 256;

/// Most [`SignedPart::Header`] parts in one scheme.
pub const MAX_SIGNED_HEADERS: usize = 4;

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

/// How a timestamp is written: a unix timestamp in seconds or milliseconds, or an RFC 3339
/// date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampUnit {
    /// Seconds since the unix epoch, as a plain unsigned decimal.
    Seconds,
    /// Milliseconds since the unix epoch, as a plain unsigned decimal.
    Milliseconds,
    /// An RFC 3339 `date-time` (PayPal's `2016-09-21T22:00:46Z`), read strictly: `T` between
    /// date and time, seconds present, an optional fraction (milliseconds kept), `Z` or a
    /// `±HH:MM` offset, a date that exists. Its value in this unit is milliseconds since the
    /// unix epoch; anything else is refused as `timestamp_malformed`.
    Rfc3339,
}

impl TimestampUnit {
    /// Convert a value in this unit to milliseconds; `None` on overflow.
    pub fn to_millis(self, value: u64) -> Option<u64> {
        match self {
            TimestampUnit::Seconds => value.checked_mul(1000),
            TimestampUnit::Milliseconds | TimestampUnit::Rfc3339 => Some(value),
        }
    }

    /// Express a time in milliseconds in this unit.
    pub fn from_millis(self, millis: u64) -> u64 {
        match self {
            TimestampUnit::Seconds => millis / 1000,
            TimestampUnit::Milliseconds | TimestampUnit::Rfc3339 => millis,
        }
    }

    /// A timestamp's text as sent, read into a value in this unit; `None` when malformed.
    #[inline]
    pub(crate) fn parse(self, text: &[u8]) -> Option<u64> {
        match self {
            TimestampUnit::Seconds | TimestampUnit::Milliseconds => {
                crate::bytes::parse_unsigned(text)
            }
            TimestampUnit::Rfc3339 => rfc3339::parse_millis(text),
        }
    }

    /// A value in this unit written as a sender writes it (an RFC 3339 date-time in UTC for
    /// [`Rfc3339`](TimestampUnit::Rfc3339)).
    pub fn text(self, value: u64) -> String {
        match self {
            TimestampUnit::Seconds | TimestampUnit::Milliseconds => value.to_string(),
            TimestampUnit::Rfc3339 => rfc3339::format_millis(value),
        }
    }

    fn name(self) -> &'static str {
        match self {
            TimestampUnit::Seconds => "seconds",
            TimestampUnit::Milliseconds => "milliseconds",
            TimestampUnit::Rfc3339 => "RFC 3339 date-time",
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
    /// The first of these headers that the request carries, in this order: a preferred header
    /// and fallbacks for deliveries that lack it, such as Shopify's `X-Shopify-Event-Id` and then
    /// `X-Shopify-Webhook-Id`. The headers carry different values; once one is found, the later
    /// ones are not read. Several copies of the header found must still agree.
    HeadersInOrder(Vec<HeaderName>),
    /// A string (or integer) field of the JSON body, by path from the top-level object.
    /// The body is signed, so a field read from it is as trustworthy as the body.
    JsonBody(Vec<Cow<'static, str>>),
    /// The first of several sources that the delivery carries: the headers in their order,
    /// then the JSON body fields in theirs ([`SchemeBuilder::id_first_of`],
    /// [`event_first_of`](SchemeBuilder::event_first_of)). A header found is not checked
    /// against the body; a body field is read only when no header was sent.
    FirstOf {
        /// Headers, tried first, in order.
        headers: Vec<HeaderName>,
        /// JSON body fields by path, tried in order when no header was sent.
        json: Vec<Vec<Cow<'static, str>>>,
    },
}

/// One place a delivery id or event type may be read from, for
/// [`SchemeBuilder::id_first_of`] and [`SchemeBuilder::event_first_of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source<'a> {
    /// A request header, by name.
    Header(&'a str),
    /// A string or integer field of the JSON body; dots for nesting (`"data.id"`).
    JsonField(&'a str),
}

impl Field {
    /// The header names the value is read from, in the scheme's order (none for a JSON body
    /// field).
    pub fn header_names(&self) -> &[HeaderName] {
        match self {
            Field::Headers(names)
            | Field::HeadersInOrder(names)
            | Field::FirstOf { headers: names, .. } => names,
            Field::JsonBody(_) => &[],
        }
    }
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
    /// A string or integer field of the JSON body, by path (Linear's `webhookTimestamp`,
    /// Mailgun's `signature.timestamp`). Read, and checked against the window, once the body
    /// is in.
    JsonBody(Vec<Cow<'static, str>>),
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
    /// The CRC32 (IEEE, as zlib computes it) of the raw body, as an unsigned decimal: PayPal
    /// signs this instead of the body. A scheme signs the body or its CRC32, exactly once.
    ///
    /// A CRC32 is no cryptographic digest: anyone who sees a genuine delivery can write
    /// another body with the same CRC32, and the signature still verifies. Only TLS, the
    /// timestamp window and deduplication on the signature stand between such a forgery and
    /// the handler, and a field read from such a body (an id, an event type) is not counted as
    /// signed ([`Scheme::id_is_signed`]). Known only once the body is in, so an HMAC-SHA256
    /// over it is checked then rather than while the body arrives.
    BodyCrc32,
    /// Fixed bytes, such as a `.` separator or a version tag.
    Literal(Cow<'static, [u8]>),
    /// A value of the receiver's own configuration, signed as given: PayPal's webhook id
    /// (the id PayPal assigned to the receiving subscription). Named in diagnostics by `name`,
    /// never printed by value there.
    Configured {
        /// What the value is, e.g. `"webhook id"`.
        name: Cow<'static, str>,
        /// The value as configured.
        value: Cow<'static, str>,
    },
    /// The URL the sender addressed: the scheme's public base URL
    /// ([`SchemeBuilder::public_url`], e.g. `https://hooks.example.com`) followed by the
    /// request target's path and query exactly as received (`/twilio/sms?region=eu`). The base
    /// is configured because behind a proxy or load balancer the `Host` header and scheme the
    /// server sees are not the ones the sender signed. Needs the request line: adapters pass
    /// it; with [`Verifier`](crate::Verifier) directly, use
    /// [`verify_request`](crate::Verifier::verify_request).
    Url,
    /// The request's method as sent, e.g. `POST` (HubSpot signs it).
    Method,
    /// The value of a request header exactly as sent; one value (copies must agree). A missing
    /// header is refused as `400 signed_part_missing`.
    Header(HeaderName),
    /// The body read as `application/x-www-form-urlencoded` parameters, decoded, sorted by
    /// name and then by value (identical pairs once), each written as its name followed by its
    /// value with no separator: Twilio signs its form-encoded webhooks this way. Counts as the
    /// body part. The writing is ambiguous (`ab=c` and `a=bc` give the same text), so a field
    /// read from such a body is not counted as signed ([`Scheme::id_is_signed`]).
    FormParams,
    /// A string or integer field of the JSON body, by path from the top-level object, as its
    /// decoded text: Mailgun signs the `signature.timestamp` and `signature.token` fields of
    /// its body, not the body itself. A body without the field is refused as
    /// `400 signed_part_missing`.
    JsonField(Vec<Cow<'static, str>>),
}

impl SignedPart {
    /// A fixed text part.
    pub fn literal(text: &'static str) -> Self {
        SignedPart::Literal(Cow::Borrowed(text.as_bytes()))
    }

    /// A configured value (see [`SignedPart::Configured`]); refused by
    /// [`SchemeBuilder::build`] when empty.
    pub fn configured(name: &'static str, value: impl Into<String>) -> Self {
        SignedPart::Configured {
            name: Cow::Borrowed(name),
            value: Cow::Owned(value.into()),
        }
    }

    /// A request header's value (see [`SignedPart::Header`]); `Err` when `name` is not a
    /// valid header name.
    ///
    /// ```
    /// use webhook_guard::scheme::SignedPart;
    ///
    /// assert!(SignedPart::header("X-Request-Id").is_ok());
    /// assert!(SignedPart::header("not a name").is_err());
    /// ```
    pub fn header(name: &str) -> Result<Self, SchemeError> {
        HeaderName::from_bytes(name.as_bytes())
            .map(SignedPart::Header)
            .map_err(|_| SchemeError::InvalidHeaderName(name.to_owned()))
    }

    /// A field of the JSON body (see [`SignedPart::JsonField`]); nested fields with dots
    /// (`"signature.token"`). An empty path is refused by [`SchemeBuilder::build`].
    pub fn json_field(path: &str) -> Self {
        SignedPart::JsonField(json_path(path))
    }

    /// Whether the part stands for the body (exactly one of them is signed, unless the
    /// signature itself is in the body).
    pub(crate) fn is_body(&self) -> bool {
        matches!(
            self,
            SignedPart::Body | SignedPart::BodyCrc32 | SignedPart::FormParams
        )
    }

    /// Whether the part is known only once the whole body is in.
    pub(crate) fn needs_whole_body(&self) -> bool {
        matches!(
            self,
            SignedPart::BodyCrc32 | SignedPart::FormParams | SignedPart::JsonField(_)
        )
    }
}

/// A dotted JSON path split into its segments (empty segments dropped).
pub(crate) fn json_path(path: &str) -> Vec<Cow<'static, str>> {
    path.split('.')
        .filter(|s| !s.is_empty())
        .map(|s| Cow::Owned(s.to_owned()))
        .collect()
}

/// A scheme that cannot work, refused by [`SchemeBuilder::build`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemeError {
    /// No signature header was named.
    NoSignatureHeader,
    /// A header name is not a valid HTTP header name.
    InvalidHeaderName(String),
    /// The signed message must contain the body (or its CRC32, or its form parameters)
    /// exactly once; only a scheme whose signature is in the body may sign none of them.
    BodyNotSignedOnce,
    /// The signed message contains the URL ([`SignedPart::Url`]) but no public base URL was
    /// configured ([`SchemeBuilder::public_url`]).
    NoPublicUrl,
    /// The public base URL is not `http://` or `https://`, a host, an optional port and an
    /// optional path, without query or fragment; says why.
    InvalidPublicUrl(String),
    /// More than [`MAX_SIGNED_HEADERS`] header parts.
    TooManySignedHeaders,
    /// More than [`MAX_SIGNATURES`] headers each carrying a signature
    /// ([`SchemeBuilder::signature_headers`]).
    TooManySignatureHeaders,
    /// A body hash in a query parameter ([`SchemeBuilder::body_sha256_query`]) needs the URL
    /// in the signed message, which is what binds the hash to the signature.
    BodyHashWithoutUrl,
    /// A [`SignedPart::Configured`] value is empty or malformed; says which and why.
    InvalidConfiguredValue(String),
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
    /// [`SchemeBuilder::id_headers_in_order`] was given no header name.
    NoIdHeaders,
    /// [`SchemeBuilder::id_first_of`], [`event_first_of`](SchemeBuilder::event_first_of) or
    /// [`dedup_id_json_fields`](SchemeBuilder::dedup_id_json_fields) was given no source.
    NoSources,
    /// A header source listed after a JSON body field: headers are known before the body, so
    /// they come first.
    SourcesOutOfOrder,
    /// [`SchemeBuilder::also_entries`] needs the list syntax, a non-empty prefix different
    /// from the others, and an algorithm other than a token.
    InvalidExtraEntries,
}

impl fmt::Display for SchemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemeError::NoSignatureHeader => f.write_str("scheme names no signature header"),
            SchemeError::InvalidHeaderName(n) => write!(f, "`{n}` is not a valid header name"),
            SchemeError::BodyNotSignedOnce => f.write_str(
                "the signed message must contain the body (or its CRC32, or its form \
                 parameters) exactly once",
            ),
            SchemeError::InvalidConfiguredValue(detail) => f.write_str(detail),
            SchemeError::NoPublicUrl => f.write_str(
                "the signed message contains the URL but no public base URL is configured \
                 (`SchemeBuilder::public_url`)",
            ),
            SchemeError::InvalidPublicUrl(why) => write!(f, "invalid public URL: {why}"),
            SchemeError::TooManySignedHeaders => write!(
                f,
                "the signed message contains more than {MAX_SIGNED_HEADERS} header values"
            ),
            SchemeError::TooManySignatureHeaders => write!(
                f,
                "more than {MAX_SIGNATURES} headers each carrying a signature"
            ),
            SchemeError::BodyHashWithoutUrl => {
                f.write_str("a body hash in a query parameter needs the URL in the signed message")
            }
            SchemeError::TimestampPartWithoutHeader => f.write_str(
                "the signed message contains the timestamp but no timestamp source is set",
            ),
            SchemeError::InvalidTimestampEntry => f.write_str(
                "a timestamp entry of the signature header needs the list syntax and a non-empty \
                 entry prefix different from the signature prefix",
            ),
            SchemeError::NoSources => {
                f.write_str("a field read from the first of its sources needs a source")
            }
            SchemeError::SourcesOutOfOrder => f.write_str(
                "a header source is listed after a JSON body field; list the headers first, \
                 they are known before the body",
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
            SchemeError::NoIdHeaders => {
                f.write_str("an id read from headers in order needs a name")
            }
            SchemeError::InvalidExtraEntries => f.write_str(
                "entries of another algorithm need the list syntax, a non-empty prefix of their \
                 own, and an algorithm other than a shared token",
            ),
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
    name: SchemeName,
    signature_headers: Vec<HeaderName>,
    /// Each signature header carries a signature of its own ([`SchemeBuilder::signature_headers`],
    /// Box); otherwise they are alternative names of one header.
    signature_per_header: bool,
    syntax: SignatureSyntax,
    encoding: Encoding,
    /// How the signatures (the entries with the syntax's prefix) are made.
    algorithm: Algorithm,
    /// List entries of other algorithms, by their prefix (Standard Webhooks' `v1a,`).
    extra_entries: Vec<(Cow<'static, str>, Algorithm)>,
    timestamp: Option<(TimestampSource, TimestampUnit)>,
    id: Option<Field>,
    /// The id reported and deduplicated on, read from the verified body, where it is not the
    /// id header (which is then only signed): PayPal's event `id`; or several fields of it
    /// together (Calendly, Zoom).
    dedup_id: Option<DedupId>,
    /// A delivery without an id is accepted (deduplicated on its signature).
    id_optional: bool,
    event: Option<Field>,
    parts: Vec<SignedPart>,
    /// Where the body part is in `parts` (`parts.len()` when the scheme signs none).
    body_index: usize,
    /// The signature is read from this JSON body field instead of a header (Mailgun).
    signature_field: Option<Vec<Cow<'static, str>>>,
    /// The base of [`SignedPart::Url`].
    public_url: Option<PublicUrl>,
    /// The query parameter that carries the hex SHA-256 of the body, when the request URL has
    /// it (Twilio's `bodySHA256`).
    body_sha256_query: Option<Cow<'static, str>>,
    /// The sender's recommended timestamp tolerance ([`SchemeBuilder::tolerance`]).
    tolerance: Option<std::time::Duration>,
    /// Deliveries are never deduplicated ([`SchemeBuilder::no_dedup`]).
    no_dedup: bool,
    /// Characters whose percent-escapes in the request target are decoded before it is signed
    /// as part of a [`SignedPart::Url`] (HubSpot's v3).
    url_unescaped: &'static [u8],
    /// The names of the [`SignedPart::Header`] parts, in order.
    signed_headers: Vec<HeaderName>,
    /// Something the verdict needs is known only once the whole body is in (a signature,
    /// timestamp or signed value in the body, form parameters, a body hash): HMAC-SHA256 is
    /// then checked at the end like the other algorithms instead of while the body arrives.
    deferred: bool,
    /// The signed message contains the URL, method or a header value.
    reads_request: bool,
    /// Every header name above, laid out for [`Scheme::gather`].
    wanted: Wanted,
}

/// Where the id reported and deduplicated on is read from, when it is not the id source
/// ([`SchemeBuilder::dedup_id_json_field`], [`SchemeBuilder::dedup_id_json_fields`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DedupId {
    /// One field of the verified JSON body, by path.
    Field(Vec<Cow<'static, str>>),
    /// Several fields of the verified JSON body, by path, read together into one id.
    Composite(Vec<Vec<Cow<'static, str>>>),
}

/// The configured public base URL of [`SignedPart::Url`]: as given (without a trailing
/// slash), and, for senders that sign either form ([`SchemeBuilder::url_port_variants`]),
/// with its default port added or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicUrl {
    pub(crate) base: Box<str>,
    pub(crate) alternate: Option<Box<str>>,
}

/// A scheme's name: a `&'static str` for the built-in schemes, so that reporting it in every
/// [`WebhookMeta`](crate::WebhookMeta) touches no reference count; shared otherwise.
#[derive(Clone)]
pub(crate) enum SchemeName {
    Static(&'static str),
    Shared(Arc<str>),
}

impl SchemeName {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            SchemeName::Static(s) => s,
            SchemeName::Shared(s) => s,
        }
    }
}

impl PartialEq for SchemeName {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SchemeName {}

impl fmt::Debug for SchemeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Scheme")
            .field("name", &i.name)
            .field("signature_headers", &i.signature_headers)
            .field("signature_per_header", &i.signature_per_header)
            .field("syntax", &i.syntax)
            .field("encoding", &i.encoding)
            .field("timestamp", &i.timestamp)
            .field("id", &i.id)
            .field("dedup_id", &i.dedup_id)
            .field("id_optional", &i.id_optional)
            .field("event", &i.event)
            .field("parts", &i.parts)
            .field("signature_field", &i.signature_field)
            .field("public_url", &i.public_url.as_ref().map(|u| &u.base))
            .field("body_sha256_query", &i.body_sha256_query)
            .field("tolerance", &i.tolerance)
            .field("no_dedup", &i.no_dedup)
            .finish()
    }
}

impl Scheme {
    /// How the scheme's signatures are made (HMAC-SHA256 unless the builder said otherwise).
    pub fn algorithm(&self) -> Algorithm {
        self.inner.algorithm
    }

    /// The list entries of other algorithms, by prefix (see [`SchemeBuilder::also_entries`]).
    pub fn extra_entries(&self) -> impl Iterator<Item = (&str, Algorithm)> {
        self.inner
            .extra_entries
            .iter()
            .map(|(prefix, algorithm)| (prefix.as_ref(), *algorithm))
    }

    /// Every algorithm the scheme's signatures may use.
    pub(crate) fn algorithms(&self) -> impl Iterator<Item = Algorithm> + '_ {
        std::iter::once(self.inner.algorithm).chain(self.extra_entries().map(|(_, a)| a))
    }

    /// The scheme's name, e.g. `"heppu"`.
    pub fn name(&self) -> &str {
        self.inner.name.as_str()
    }

    #[inline]
    pub(crate) fn shared_name(&self) -> SchemeName {
        self.inner.name.clone()
    }

    /// Headers that may carry the signature: alternative names of one header (any one), or,
    /// where [`signature_per_header`](Scheme::signature_per_header), headers that each carry a
    /// signature of their own.
    #[inline]
    pub fn signature_headers(&self) -> &[HeaderName] {
        &self.inner.signature_headers
    }

    /// Whether each of the [`signature_headers`](Scheme::signature_headers) carries a signature
    /// of its own, every one a candidate ([`SchemeBuilder::signature_headers`]: Box's primary
    /// and secondary signatures).
    #[inline]
    pub fn signature_per_header(&self) -> bool {
        self.inner.signature_per_header
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
                format!("`{prefix}` entry of {}", self.signature_label())
            }
            Some((TimestampSource::JsonBody(path), _)) => {
                format!("`{}` field of the JSON body", path.join("."))
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
                    Some(Field::HeadersInOrder(names)) => out.push_str(&format!(
                        "<first of {}>",
                        names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    _ => out.push_str("<id>"),
                },
                SignedPart::Body => out.push_str("<body>"),
                SignedPart::BodyCrc32 => out.push_str("<CRC32 of the body, decimal>"),
                SignedPart::Literal(bytes) => out.push_str(&String::from_utf8_lossy(bytes)),
                SignedPart::Configured { name, .. } => out.push_str(&format!("<{name}>")),
                SignedPart::Url => out.push_str("<public URL>"),
                SignedPart::Method => out.push_str("<method>"),
                SignedPart::Header(name) => out.push_str(&format!("`{name}`")),
                SignedPart::FormParams => out.push_str("<form parameters, sorted>"),
                SignedPart::JsonField(path) => {
                    out.push_str(&format!("<`{}` of the JSON body>", path.join(".")))
                }
            }
        }
        out
    }

    /// Where the delivery id comes from: the header the signed message reads it from, or its
    /// body field. Where [`dedup_id_field`](Scheme::dedup_id_field) is set, the id reported
    /// and deduplicated on comes from there instead.
    #[inline]
    pub fn id_field(&self) -> Option<&Field> {
        self.inner.id.as_ref()
    }

    /// The field of the verified JSON body reported as the delivery id and deduplicated on,
    /// where that is not the id header ([`SchemeBuilder::dedup_id_json_field`]): PayPal's
    /// event `id`, the same on every retry, while its signed `PAYPAL-TRANSMISSION-ID` is new
    /// on each. `None` too where the id is made of several fields
    /// ([`dedup_id_fields`](Scheme::dedup_id_fields)).
    pub fn dedup_id_field(&self) -> Option<Field> {
        match &self.inner.dedup_id {
            Some(DedupId::Field(path)) => Some(Field::JsonBody(path.clone())),
            _ => None,
        }
    }

    /// The fields of the verified JSON body whose texts, together, are reported as the
    /// delivery id and deduplicated on ([`SchemeBuilder::dedup_id_json_fields`]): Calendly's
    /// `event`, `created_at` and `payload.uri`. Empty for other schemes.
    pub fn dedup_id_fields(&self) -> Vec<Field> {
        match &self.inner.dedup_id {
            Some(DedupId::Composite(paths)) => paths
                .iter()
                .map(|path| Field::JsonBody(path.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Where the id deduplicated on is read from, when not from the id source; no copy.
    #[inline]
    pub(crate) fn dedup_id(&self) -> Option<&DedupId> {
        self.inner.dedup_id.as_ref()
    }

    /// Where the event type comes from.
    #[inline]
    pub fn event_field(&self) -> Option<&Field> {
        self.inner.event.as_ref()
    }

    /// The signed message, part by part.
    pub fn signed_parts(&self) -> &[SignedPart] {
        &self.inner.parts
    }

    /// Every header the scheme reads (signature, timestamp, id, event type, signed header
    /// values), for adapters that
    /// must copy headers out of another HTTP stack.
    pub fn header_names(&self) -> impl Iterator<Item = &HeaderName> {
        fn field(f: &Option<Field>) -> &[HeaderName] {
            f.as_ref().map_or(&[], Field::header_names)
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
            .chain(&self.inner.signed_headers)
    }

    /// Whether a delivery without an id is accepted ([`SchemeBuilder::id_optional`]); it is then
    /// deduplicated on its signature.
    #[inline]
    pub fn id_is_optional(&self) -> bool {
        self.inner.id_optional
    }

    /// Whether the delivery id is covered by the signature (signed directly, or read from the
    /// signed body). Where it is not, deduplication also keys on the signature itself. A body
    /// covered only by its CRC32 ([`SignedPart::BodyCrc32`]) does not count as signed: another
    /// body with the same CRC32 is easily written.
    pub fn id_is_signed(&self) -> bool {
        let body_signed = self.inner.parts.contains(&SignedPart::Body);
        if self.inner.dedup_id.is_some() {
            return body_signed;
        }
        match &self.inner.id {
            Some(Field::JsonBody(_)) => body_signed,
            // Signed only if every source is.
            Some(Field::FirstOf { headers, json }) => {
                (headers.is_empty() || self.inner.parts.contains(&SignedPart::Id))
                    && (json.is_empty() || body_signed)
            }
            Some(Field::Headers(_) | Field::HeadersInOrder(_)) => {
                self.inner.parts.contains(&SignedPart::Id)
            }
            None => false,
        }
    }

    /// The parts before the body.
    #[inline]
    pub(crate) fn prefix_parts(&self) -> &[SignedPart] {
        &self.inner.parts[..self.inner.body_index]
    }

    /// The parts after the body.
    #[inline]
    pub(crate) fn suffix_parts(&self) -> &[SignedPart] {
        self.inner
            .parts
            .get(self.inner.body_index + 1..)
            .unwrap_or_default()
    }

    /// Where the signature is read from when it is in the JSON body instead of a header
    /// ([`SchemeBuilder::signature_json_field`]): Mailgun's `signature.signature`.
    pub fn signature_json_field(&self) -> Option<Field> {
        self.inner
            .signature_field
            .as_ref()
            .map(|path| Field::JsonBody(path.clone()))
    }

    #[inline]
    pub(crate) fn signature_path(&self) -> Option<&[Cow<'static, str>]> {
        self.inner.signature_field.as_deref()
    }

    /// The signature's origin in diagnostics: `` `x-hub-signature-256` `` or
    /// `` `signature.signature` field of the JSON body ``.
    pub(crate) fn signature_label(&self) -> String {
        match (
            &self.inner.signature_field,
            self.inner.signature_headers.first(),
        ) {
            (Some(path), _) => format!("`{}` field of the JSON body", path.join(".")),
            (None, Some(_)) if self.inner.signature_per_header => self
                .inner
                .signature_headers
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(" or "),
            (None, Some(name)) => format!("`{name}`"),
            (None, None) => "signature".to_owned(),
        }
    }

    /// The configured public base URL the sender addresses ([`SchemeBuilder::public_url`]),
    /// for schemes that sign the URL.
    pub fn public_url(&self) -> Option<&str> {
        self.inner.public_url.as_ref().map(|u| &*u.base)
    }

    /// The base URL variants a signature may be made over (see
    /// [`SchemeBuilder::url_port_variants`]).
    pub(crate) fn public_url_bases(&self) -> impl Iterator<Item = &str> {
        self.inner
            .public_url
            .iter()
            .flat_map(|u| std::iter::once(&*u.base).chain(u.alternate.as_deref()))
    }

    /// The timestamp tolerance the sender recommends, if the scheme states one
    /// ([`SchemeBuilder::tolerance`]); verifiers start with it.
    pub fn tolerance(&self) -> Option<std::time::Duration> {
        self.inner.tolerance
    }

    /// Whether a guard with a dedup store deduplicates this scheme's deliveries: `false` only
    /// for senders whose repeated bodies are new work ([`SchemeBuilder::no_dedup`], Dropbox).
    pub fn deduplicates(&self) -> bool {
        !self.inner.no_dedup
    }

    /// The query parameter carrying the body's SHA-256 ([`SchemeBuilder::body_sha256_query`]).
    pub fn body_sha256_query(&self) -> Option<&str> {
        self.inner.body_sha256_query.as_deref()
    }

    /// The characters whose percent-escapes are decoded in the signed request target
    /// ([`SchemeBuilder::url_unescape`]); empty for most schemes.
    pub fn url_unescaped(&self) -> &'static [u8] {
        self.inner.url_unescaped
    }

    /// The request target (path and query) as the scheme signs it: as received, with the
    /// escapes of [`url_unescaped`](Self::url_unescaped) characters decoded.
    pub(crate) fn signed_target<'t>(&self, target: &'t [u8]) -> Cow<'t, [u8]> {
        unescape_some(target, self.inner.url_unescaped)
    }

    /// The names of the signed header parts, in order.
    #[inline]
    pub(crate) fn signed_headers(&self) -> &[HeaderName] {
        &self.inner.signed_headers
    }

    /// Whether the verdict waits for the whole body even for HMAC-SHA256 (see
    /// [`SchemeInner::deferred`]).
    #[inline]
    pub(crate) fn is_deferred(&self) -> bool {
        self.inner.deferred
    }

    /// Whether the signed message contains the URL, the method or a header value: the
    /// verifier then needs the request line ([`Verifier::verify_request`](crate::Verifier::verify_request)).
    #[inline]
    pub fn reads_request(&self) -> bool {
        self.inner.reads_request
    }

    /// Format a tag as the signature header value a sender would send.
    pub fn format_signature(&self, tag: &[u8]) -> String {
        self.format_entry(self.inner.algorithm, tag)
    }

    /// One signature as the sender writes it: the prefix of its algorithm's entries, then the
    /// signature in the scheme's encoding (a token as it is).
    pub(crate) fn format_entry(&self, algorithm: Algorithm, signature: &[u8]) -> String {
        let main = match &self.inner.syntax {
            SignatureSyntax::Single { prefix } | SignatureSyntax::List { prefix, .. } => prefix,
        };
        let prefix = if algorithm == self.inner.algorithm {
            main.as_ref()
        } else {
            self.extra_entries()
                .find(|(_, a)| *a == algorithm)
                .map_or(main.as_ref(), |(p, _)| p)
        };
        let text = if algorithm == Algorithm::Token {
            String::from_utf8_lossy(signature).into_owned()
        } else {
            self.inner.encoding.encode(signature)
        };
        format!("{prefix}{text}")
    }

    /// The whole signature header value a sender would send with these signatures (one per
    /// key during a rotation; a single-value syntax carries only the first) and, for schemes
    /// that keep their timestamp in the signature header, this timestamp text.
    pub(crate) fn signature_header_value(
        &self,
        signatures: &[(Algorithm, Vec<u8>)],
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
        let count = if separator.is_some() {
            signatures.len()
        } else {
            1
        };
        for (i, (algorithm, signature)) in signatures.iter().take(count).enumerate() {
            if i > 0
                && let Some(sep) = separator
            {
                out.push(sep);
            }
            out.push_str(&self.format_entry(*algorithm, signature));
        }
        out
    }
}

/// `text` with each `%XX` escape (either hex case) of a byte in `chars` decoded, every other
/// byte and escape kept as is.
fn unescape_some<'t>(text: &'t [u8], chars: &[u8]) -> Cow<'t, [u8]> {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let escaped = |i: usize| -> Option<u8> {
        if text.get(i) != Some(&b'%') {
            return None;
        }
        let byte = hex(*text.get(i + 1)?)? << 4 | hex(*text.get(i + 2)?)?;
        chars.contains(&byte).then_some(byte)
    };
    if chars.is_empty() || !(0..text.len()).any(|i| escaped(i).is_some()) {
        return Cow::Borrowed(text);
    }
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match escaped(i) {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(text[i]);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}
