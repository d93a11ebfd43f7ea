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
//! | [`Scheme::slack`] | `X-Slack-Signature` | `v0=<hex>` | `v0:<timestamp>:<body>` | `X-Slack-Request-Timestamp`, seconds | `event_id` in the JSON body where there is one (Events API), else none |
//! | [`Scheme::shopify`] | `X-Shopify-Hmac-Sha256` | `<base64>` | body | none | `X-Shopify-Event-Id`, else `X-Shopify-Webhook-Id` |
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

use crate::bytes::{
    copy_short, parse_unsigned, split_bytes, strip_short_prefix, visible_ascii, word_at,
};
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
    /// well-formed 32-byte tag: 64 hex digits in either case, or the 44-character canonical
    /// padded base64 form.
    fn decode(self, text: &[u8]) -> Option<[u8; TAG_LEN]> {
        if text.len() != self.encoded_len() {
            return None;
        }
        let mut out = [0u8; TAG_LEN];
        match self {
            Encoding::Hex => hex::decode_to_slice(text, &mut out).ok()?,
            Encoding::Base64 => {
                // 44 characters are 31, 32 or 33 bytes: a 33-byte text (no padding) does not fit
                // `out` and is refused, a 31-byte one (`==`) is refused here. The STANDARD
                // engine also refuses non-canonical padding and non-zero trailing bits.
                let n = base64::engine::general_purpose::STANDARD
                    .decode_slice(text, &mut out)
                    .ok()?;
                if n != TAG_LEN {
                    return None;
                }
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
}

impl Field {
    /// The header names the value is read from, in the scheme's order (none for a JSON body
    /// field).
    pub fn header_names(&self) -> &[HeaderName] {
        match self {
            Field::Headers(names) | Field::HeadersInOrder(names) => names,
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
    /// [`SchemeBuilder::id_headers_in_order`] was given no header name.
    NoIdHeaders,
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
            SchemeError::NoIdHeaders => {
                f.write_str("an id read from headers in order needs a name")
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
    name: SchemeName,
    signature_headers: Vec<HeaderName>,
    syntax: SignatureSyntax,
    encoding: Encoding,
    timestamp: Option<(TimestampSource, TimestampUnit)>,
    id: Option<Field>,
    /// A delivery without an id is accepted (deduplicated on its signature).
    id_optional: bool,
    event: Option<Field>,
    parts: Vec<SignedPart>,
    body_index: usize,
    /// Every header name above, laid out for [`Scheme::gather`].
    wanted: Wanted,
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

/// What a header the scheme reads carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Signature = 0,
    Timestamp = 1,
    Id = 2,
    Event = 3,
}

/// The header names a scheme reads, laid out when the scheme is built so that one pass over a
/// request's headers finds all of them ([`Scheme::gather`]) instead of one hashed lookup per
/// name.
#[derive(Debug, PartialEq, Eq)]
struct Wanted {
    /// `by_len[n]`: bit `i` is set when `names[i]` is `n` bytes long (63: 63 bytes or more),
    /// for the first 8 names; most unrelated headers are passed over on their length alone.
    by_len: [u8; 64],
    /// The names role by role (signature, timestamp, id, event), each role's alternatives in the
    /// scheme's order.
    names: Vec<WantedName>,
    /// `names[ends[r - 1]..ends[r]]` are the names of role `r` (`ends[-1]` being 0).
    ends: [usize; 4],
}

#[derive(Debug, PartialEq, Eq)]
struct WantedName {
    /// Lower case, as `HeaderName` keeps every name.
    bytes: Box<[u8]>,
    /// [`tail_word`] of `bytes`: names that share a prefix (`x-webhook-…`) differ here.
    tail: u64,
}

impl Wanted {
    fn new(roles: [&[HeaderName]; 4]) -> Wanted {
        let mut by_len = [0u8; 64];
        let mut names = Vec::new();
        let mut ends = [0; 4];
        for (end, role) in ends.iter_mut().zip(roles) {
            for name in role {
                let bytes = name.as_str().as_bytes();
                if names.len() < INLINE_SLOTS {
                    by_len[bytes.len().min(63)] |= 1 << names.len();
                }
                names.push(WantedName {
                    bytes: bytes.into(),
                    tail: tail_word(bytes),
                });
            }
            *end = names.len();
        }
        Wanted {
            by_len,
            names,
            ends,
        }
    }
}

impl WantedName {
    /// Whether `name` (of the same length) is this name: the last 8 bytes in one compare, then
    /// the rest 8 bytes at a time.
    #[inline]
    fn is(&self, name: &[u8], tail: u64) -> bool {
        if self.tail != tail || self.bytes.len() != name.len() {
            return false;
        }
        // Up to 8 bytes, the tail is the whole name.
        let mut i = 0;
        while i + 8 < name.len() {
            if word_at(&self.bytes, i) != word_at(name, i) {
                return false;
            }
            i += 8;
        }
        true
    }
}

/// The last (up to) 8 bytes of a name as a number, for a one-compare first check.
#[inline]
fn tail_word(name: &[u8]) -> u64 {
    match name.len().checked_sub(8) {
        Some(start) => word_at(name, start),
        None => name.iter().rev().fold(0, |w, b| (w << 8) | u64::from(*b)),
    }
}

/// How many wanted header names [`Gathered`] keeps on the stack (every built-in scheme needs at
/// most 6); a custom scheme with more alternatives gets a heap buffer.
const INLINE_SLOTS: usize = 8;

/// A header name or value of some HTTP stack, as bytes (a value is read only once its name is
/// known to be wanted).
pub(crate) trait HeaderBytes<'h>: Copy {
    /// The name's or value's bytes.
    fn header_bytes(self) -> &'h [u8];
}

impl<'h> HeaderBytes<'h> for &'h HeaderName {
    #[inline(always)]
    fn header_bytes(self) -> &'h [u8] {
        self.as_str().as_bytes()
    }
}

impl<'h> HeaderBytes<'h> for &'h HeaderValue {
    #[inline(always)]
    fn header_bytes(self) -> &'h [u8] {
        self.as_bytes()
    }
}

/// What a request sent under one wanted name.
#[derive(Clone, Copy)]
pub(crate) struct Slot<V> {
    /// The first value sent under the name.
    first: Option<V>,
    /// Whether a later value under the same name differs from the first.
    mixed: bool,
}

impl<V> Default for Slot<V> {
    fn default() -> Self {
        Slot {
            first: None,
            mixed: false,
        }
    }
}

/// Whether two header values have the same bytes.
#[inline(always)]
fn same<'h, V: HeaderBytes<'h>>(a: V, b: V) -> bool {
    a.header_bytes() == b.header_bytes()
}

/// Every header a scheme reads, found in one pass over a request's headers. Filled in place by
/// [`Scheme::gather`] (returned by value, it was copied). `V` is the HTTP stack's own header
/// value reference (a pointer: the slots stay small).
pub(crate) struct Gathered<V> {
    /// The first value sent under each wanted name, for the first [`INLINE_SLOTS`] names.
    first: [Option<V>; INLINE_SLOTS],
    /// Bit `i`: a value was sent under name `i`.
    present: u8,
    /// Bit `i`: a later value under name `i` differs from its first.
    mixed: u8,
    /// Every name instead, for schemes that read more than [`INLINE_SLOTS`] names.
    heap: Vec<Slot<V>>,
    ends: [usize; 4],
}

impl<V: Copy> Default for Gathered<V> {
    fn default() -> Self {
        Gathered {
            first: [None; INLINE_SLOTS],
            present: 0,
            mixed: 0,
            heap: Vec::new(),
            ends: [0; 4],
        }
    }
}

impl<V: Copy> Gathered<V> {
    /// The one value of a header sent under any of the role's alternative names. Identical
    /// copies are one value; `Err(k)` when copies differ, noticed under the role's `k`-th name:
    /// the name the lookup name by name, value by value, would stop at.
    #[inline(always)]
    fn one_value<'h>(&self, role: Role) -> Result<Option<&'h [u8]>, usize>
    where
        V: HeaderBytes<'h>,
    {
        let r = role as usize;
        let start = if r == 0 { 0 } else { self.ends[r - 1] };
        let end = self.ends[r];
        if !self.heap.is_empty() {
            return one_value(&self.heap[start..end]);
        }
        // The role's names that were sent, in the scheme's order (bit order).
        let role_names = ((1u32 << end) - 1) & !((1u32 << start) - 1);
        let mut sent = u32::from(self.present) & role_names;
        if sent == 0 {
            return Ok(None);
        }
        let mixed = u32::from(self.mixed);
        let first = sent.trailing_zeros() as usize;
        let Some(value) = self.first[first] else {
            return Ok(None);
        };
        if mixed & (1 << first) != 0 {
            return Err(first - start);
        }
        sent &= sent - 1;
        while sent != 0 {
            let k = sent.trailing_zeros() as usize;
            if mixed & (1 << k) != 0 || !self.first[k].is_some_and(|v| same(v, value)) {
                return Err(k - start);
            }
            sent &= sent - 1;
        }
        Ok(Some(value.header_bytes()))
    }
}

impl<V: Copy> Gathered<V> {
    /// The value of the first of the role's names (in the scheme's order) that was sent, and
    /// that name's position among the role's names; the later names are not looked at. `Err(k)`
    /// when copies of that name, the `k`-th, differ.
    #[inline(always)]
    fn first_sent<'h>(&self, role: Role) -> Result<Option<(usize, &'h [u8])>, usize>
    where
        V: HeaderBytes<'h>,
    {
        let r = role as usize;
        let start = if r == 0 { 0 } else { self.ends[r - 1] };
        let end = self.ends[r];
        if !self.heap.is_empty() {
            let Some((k, slot)) = self.heap[start..end]
                .iter()
                .enumerate()
                .find(|(_, s)| s.first.is_some())
            else {
                return Ok(None);
            };
            if slot.mixed {
                return Err(k);
            }
            return Ok(slot.first.map(|v| (k, v.header_bytes())));
        }
        let role_names = ((1u32 << end) - 1) & !((1u32 << start) - 1);
        let sent = u32::from(self.present) & role_names;
        if sent == 0 {
            return Ok(None);
        }
        let first = sent.trailing_zeros() as usize;
        if u32::from(self.mixed) & (1 << first) != 0 {
            return Err(first - start);
        }
        Ok(self.first[first].map(|v| (first - start, v.header_bytes())))
    }
}

/// [`Gathered::one_value`] for the slots of a scheme with many names.
fn one_value<'h, V: HeaderBytes<'h>>(slots: &[Slot<V>]) -> Result<Option<&'h [u8]>, usize> {
    let mut found: Option<V> = None;
    for (k, slot) in slots.iter().enumerate() {
        let Some(v) = slot.first else { continue };
        match found {
            None if slot.mixed => return Err(k),
            None => found = Some(v),
            Some(prev) if slot.mixed || !same(prev, v) => return Err(k),
            Some(_) => {}
        }
    }
    Ok(found.map(HeaderBytes::header_bytes))
}

/// The timestamp entry of a list signature header (Stripe's `t=`), read in the same pass as
/// the signatures.
#[derive(Clone, Copy)]
pub(crate) enum EntryTimestamp<'v> {
    /// The scheme keeps no timestamp in the signature header, or none was sent.
    Absent,
    /// The entry's text without its prefix (repeated identical entries are one).
    One(&'v [u8]),
    /// Several entries with different texts.
    Differing,
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
            .field("id_optional", &i.id_optional)
            .field("event", &i.event)
            .field("parts", &i.parts)
            .finish()
    }
}

impl Scheme {
    /// Start describing a custom scheme. `name` is reported in [`WebhookMeta`](crate::WebhookMeta)
    /// and becomes part of deduplication keys.
    pub fn builder(name: impl Into<Arc<str>>) -> SchemeBuilder {
        Scheme::builder_named(SchemeName::Shared(name.into()))
    }

    fn builtin(name: &'static str) -> SchemeBuilder {
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
            timestamp: None,
            id: None,
            id_optional: false,
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
        Scheme::builtin("heppu")
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
        Scheme::builtin("helix")
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
        Scheme::builtin("helicone")
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
        Scheme::builtin("standard-webhooks")
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
        Scheme::builtin("github")
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
        Scheme::builtin("stripe")
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
    /// `X-Slack-Request-Timestamp` in unix **seconds**. Bodies may be JSON or form-encoded; the
    /// event type is the JSON body's top-level `type` where there is one (`event_callback`,
    /// `url_verification`).
    ///
    /// Slack sends no delivery id header, and re-signs each retry with a new timestamp, so the
    /// signature of a retry differs from the first attempt's. The delivery id is therefore the
    /// body's top-level `event_id` where there is one: Slack's Events API documentation
    /// (<https://docs.slack.dev/apis/events-api/>, on failed deliveries and retries) has each
    /// retry of an event callback carry `X-Slack-Retry-Num` and `X-Slack-Retry-Reason` with the
    /// same event, whose wrapper's `event_id` identifies it
    /// (<https://api.slack.com/types/event>). The id is read from the signed body, so it alone is
    /// the deduplication key. Slash commands and interactivity payloads (form-encoded) and the
    /// `url_verification` handshake carry no `event_id`: they have no id
    /// ([`SchemeBuilder::id_optional`]) and are deduplicated on their signature.
    pub fn slack() -> Scheme {
        Scheme::builtin("slack")
            .signature_header("x-slack-signature")
            .signature_prefix("v0=")
            .timestamp_header("x-slack-request-timestamp", TimestampUnit::Seconds)
            .id_json_field("event_id")
            .id_optional()
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
    /// app's client secret; `X-Shopify-Topic` is the event type (`orders/create`, …).
    ///
    /// The delivery id is `X-Shopify-Event-Id`: Shopify's guide "Ignore duplicate webhooks"
    /// (<https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates>) names it as the
    /// duplicate key, the same value on several webhooks meaning the same event (also when
    /// several subscriptions to one topic each send one). A delivery without it is keyed on its
    /// `X-Shopify-Webhook-Id` instead ([`Field::HeadersInOrder`]); the two headers carry
    /// different values. Shopify's `X-Shopify-Triggered-At` is an ISO 8601 date, not a unix
    /// timestamp, and is not checked; replays are caught by deduplication.
    pub fn shopify() -> Scheme {
        Scheme::builtin("shopify")
            .signature_header("x-shopify-hmac-sha256")
            .encoding(Encoding::Base64)
            .id_headers_in_order(["x-shopify-event-id", "x-shopify-webhook-id"])
            .event_header("x-shopify-topic")
            .build()
            .expect("built-in scheme is valid")
    }

    /// The scheme's name, e.g. `"heppu"`.
    pub fn name(&self) -> &str {
        self.inner.name.as_str()
    }

    #[inline]
    pub(crate) fn shared_name(&self) -> SchemeName {
        self.inner.name.clone()
    }

    /// Headers that may carry the signature (any one).
    #[inline]
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
                SignedPart::Literal(bytes) => out.push_str(&String::from_utf8_lossy(bytes)),
            }
        }
        out
    }

    /// Where the delivery id comes from.
    #[inline]
    pub fn id_field(&self) -> Option<&Field> {
        self.inner.id.as_ref()
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

    /// Every header the scheme reads (signature, timestamp, id, event type), for adapters that
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
    }

    /// Whether a delivery without an id is accepted ([`SchemeBuilder::id_optional`]); it is then
    /// deduplicated on its signature.
    #[inline]
    pub fn id_is_optional(&self) -> bool {
        self.inner.id_optional
    }

    /// Whether the delivery id is covered by the signature (signed directly, or read from the
    /// signed body). Where it is not, deduplication also keys on the signature itself.
    pub fn id_is_signed(&self) -> bool {
        match &self.inner.id {
            Some(Field::JsonBody(_)) => true,
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

    /// Find every header the scheme reads, in one pass over the request's headers. A header is
    /// compared only when its name has a length the scheme wants, then on its last 8 bytes, and
    /// only then in full; a request's other headers (host, user-agent, forwarding headers, …)
    /// cost a length test each.
    #[inline(always)]
    pub(crate) fn gather<'h>(&self, headers: &'h HeaderMap, g: &mut Gathered<&'h HeaderValue>) {
        self.gather_pairs(headers, g);
    }

    /// [`gather`](Scheme::gather) over any HTTP stack's headers as (name, value) pairs: what
    /// adapters for another stack pass instead of copying their headers into an [`HeaderMap`].
    /// Names are lowercase in every stack we adapt; a value is read only when its name is
    /// wanted.
    #[inline(always)]
    pub(crate) fn gather_pairs<'h, I, N, V>(&self, headers: I, g: &mut Gathered<V>)
    where
        I: IntoIterator<Item = (N, V)>,
        N: HeaderBytes<'h>,
        V: HeaderBytes<'h>,
    {
        let wanted = &self.inner.wanted;
        g.ends = wanted.ends;
        if wanted.names.len() <= INLINE_SLOTS {
            for (name, value) in headers {
                let name = name.header_bytes();
                let mut candidates = wanted.by_len[name.len().min(63)];
                if candidates == 0 {
                    continue;
                }
                let tail = tail_word(name);
                // Every candidate: a custom scheme may read one header in two roles.
                while candidates != 0 {
                    let i = candidates.trailing_zeros() as usize;
                    candidates &= candidates - 1;
                    if wanted.names[i].is(name, tail) {
                        match g.first[i] {
                            None => {
                                g.first[i] = Some(value);
                                g.present |= 1 << i;
                            }
                            Some(prev) if !same(prev, value) => g.mixed |= 1 << i,
                            Some(_) => {}
                        }
                    }
                }
            }
        } else {
            g.heap = vec![Slot::default(); wanted.names.len()];
            for (name, value) in headers {
                let name = name.header_bytes();
                let tail = tail_word(name);
                for (slot, w) in g.heap.iter_mut().zip(&wanted.names) {
                    if w.is(name, tail) {
                        match slot.first {
                            None => slot.first = Some(value),
                            Some(prev) => slot.mixed |= !same(prev, value),
                        }
                    }
                }
            }
        }
    }

    /// The one signature header value of a delivery (alternative names must agree).
    #[inline(always)]
    pub(crate) fn signature_in<'h, V: HeaderBytes<'h>>(
        &self,
        g: &Gathered<V>,
    ) -> Result<&'h [u8], Rejection> {
        match g.one_value(Role::Signature) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(Rejection::with_detail(
                RejectionKind::SignatureMissing,
                format!("no `{}` header", self.inner.signature_headers[0]),
            )),
            Err(k) => Err(Rejection::with_detail(
                RejectionKind::SignatureHeaderRepeated,
                format!(
                    "{} signature headers with different values; one is expected",
                    self.inner.signature_headers[k]
                ),
            )),
        }
    }

    /// The one signature header value of a delivery (alternative names must agree).
    #[cfg(test)]
    pub(crate) fn signature_value<'h>(
        &self,
        headers: &'h HeaderMap,
    ) -> Result<&'h [u8], Rejection> {
        let mut g = Gathered::default();
        self.gather(headers, &mut g);
        self.signature_in(&g)
    }

    /// Decode the candidate signatures from the signature header's value.
    #[cfg(any(test, fuzzing))]
    pub(crate) fn parse_signatures(
        &self,
        value: &(impl AsRef<[u8]> + ?Sized),
    ) -> Result<Signatures, Rejection> {
        let mut sigs = Signatures::default();
        self.parse_signature_value(value.as_ref(), &mut sigs)
            .map(|_| sigs)
    }

    /// Decode the candidate signatures from the signature header's value into `sigs` (empty)
    /// and, for schemes that keep their timestamp there (Stripe's `t=`), pick up the timestamp
    /// entry in the same pass. Signature errors come first; the timestamp entry is judged by
    /// [`Scheme::timestamp_in`].
    #[inline(always)]
    pub(crate) fn parse_signature_value<'v>(
        &self,
        raw: &'v [u8],
        sigs: &mut Signatures,
    ) -> Result<EntryTimestamp<'v>, Rejection> {
        let header = &self.inner.signature_headers[0];
        let encoding = self.inner.encoding;
        let mut entry_ts = EntryTimestamp::Absent;
        match &self.inner.syntax {
            SignatureSyntax::Single { prefix } => {
                let Some(encoded) = strip_short_prefix(raw, prefix.as_bytes()) else {
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
                let ts_prefix = match &self.inner.timestamp {
                    Some((TimestampSource::SignatureEntry(p), _)) => Some(p.as_bytes()),
                    _ => None,
                };
                let mut sep = [0u8; 4];
                let sep = separator.encode_utf8(&mut sep).as_bytes();
                for entry in split_bytes(raw, sep) {
                    let entry = entry.trim_ascii();
                    if let Some(ts_prefix) = ts_prefix {
                        note_entry(&mut entry_ts, entry, ts_prefix);
                    }
                    let Some(encoded) = strip_short_prefix(entry, prefix.as_bytes()) else {
                        continue;
                    };
                    if sigs.len() == MAX_SIGNATURES {
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
                if sigs.len() == 0 {
                    return Err(Rejection::with_detail(
                        RejectionKind::SignatureMalformed,
                        format!("`{header}` header has no `{prefix}` entry"),
                    ));
                }
            }
        }
        Ok(entry_ts)
    }

    /// Read the timestamp: `(its text as sent, value in the scheme's unit)`, from its header
    /// or, for schemes like Stripe's, from the signature header's entry (`entry`, found by
    /// [`Scheme::parse_signature_value`]).
    #[inline(always)]
    pub(crate) fn timestamp_in<'h, V: HeaderBytes<'h>>(
        &self,
        g: &Gathered<V>,
        entry: EntryTimestamp<'_>,
    ) -> Result<Option<(TimestampText, u64)>, Rejection> {
        let Some((source, unit)) = &self.inner.timestamp else {
            return Ok(None);
        };
        let label = || self.timestamp_label();
        let text: &[u8] = match source {
            TimestampSource::Headers(_) => match g.one_value(Role::Timestamp) {
                Ok(Some(v)) => v,
                Ok(None) => {
                    return Err(Rejection::with_detail(
                        RejectionKind::TimestampMissing,
                        format!("no {} header", label()),
                    ));
                }
                Err(_) => {
                    return Err(Rejection::with_detail(
                        RejectionKind::TimestampMalformed,
                        format!("several different {} headers", label()),
                    ));
                }
            },
            TimestampSource::SignatureEntry(_) => match entry {
                EntryTimestamp::One(text) => text,
                EntryTimestamp::Absent => {
                    return Err(Rejection::with_detail(
                        RejectionKind::TimestampMissing,
                        format!("no {}", label()),
                    ));
                }
                EntryTimestamp::Differing => {
                    return Err(Rejection::with_detail(
                        RejectionKind::TimestampMalformed,
                        format!("several different {} values", label()),
                    ));
                }
            },
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

    /// Read the timestamp from the headers and, for schemes like Stripe's, from `signature`
    /// (the signature header's value, whether or not its signatures are well-formed).
    #[cfg(fuzzing)]
    pub(crate) fn parse_timestamp(
        &self,
        headers: &HeaderMap,
        signature: &HeaderValue,
    ) -> Result<Option<(TimestampText, u64)>, Rejection> {
        let mut entry = EntryTimestamp::Absent;
        if let (
            Some((TimestampSource::SignatureEntry(prefix), _)),
            SignatureSyntax::List { separator, .. },
        ) = (&self.inner.timestamp, &self.inner.syntax)
        {
            let mut sep = [0u8; 4];
            let sep = separator.encode_utf8(&mut sep).as_bytes();
            for e in split_bytes(signature.as_bytes(), sep) {
                note_entry(&mut entry, e.trim_ascii(), prefix.as_bytes());
            }
        }
        let mut g = Gathered::default();
        self.gather(headers, &mut g);
        self.timestamp_in(&g, entry)
    }

    /// Read the delivery id or the event type (`role`) from its header (under any of its names,
    /// or the first of its headers in order) and check it (non-empty, bounded, visible ASCII
    /// without spaces). Missing → `Ok(None)`.
    #[inline(always)]
    pub(crate) fn field_in<'h, V: HeaderBytes<'h>>(
        &self,
        g: &Gathered<V>,
        role: Role,
        kind: RejectionKind,
    ) -> Result<Option<&'h [u8]>, Rejection> {
        let field = match role {
            Role::Event => &self.inner.event,
            _ => &self.inner.id,
        };
        let found = match field {
            Some(Field::HeadersInOrder(_)) => g.first_sent(role),
            _ => g.one_value(role).map(|v| v.map(|v| (0, v))),
        };
        let (k, value) = match found {
            Ok(Some(found)) => found,
            Ok(None) => return Ok(None),
            Err(k) => {
                return Err(Rejection::with_detail(
                    kind,
                    format!("several different `{}` headers", self.field_name(role, k)),
                ));
            }
        };
        if !field_text_ok(value) {
            check_field_text(value, self.field_name(role, k), kind)?;
        }
        Ok(Some(value))
    }

    /// The `k`-th header name of the id or the event type (the first where the names are
    /// alternatives), for diagnostics.
    fn field_name(&self, role: Role, k: usize) -> &str {
        let field = match role {
            Role::Event => &self.inner.event,
            _ => &self.inner.id,
        };
        let names = field.as_ref().map_or(&[][..], Field::header_names);
        let k = match field {
            Some(Field::HeadersInOrder(_)) => k,
            _ => 0,
        };
        names.get(k).map_or("", HeaderName::as_str)
    }

    /// [`Scheme::field_in`] on a header map.
    #[cfg(fuzzing)]
    pub(crate) fn header_field<'h>(
        &self,
        headers: &'h HeaderMap,
        role: Role,
        kind: RejectionKind,
    ) -> Result<Option<&'h [u8]>, Rejection> {
        let mut g = Gathered::default();
        self.gather(headers, &mut g);
        self.field_in(&g, role, kind)
    }
}

/// Take note of a signature header entry that may be the timestamp (`prefix` then the text).
#[inline]
fn note_entry<'v>(found: &mut EntryTimestamp<'v>, entry: &'v [u8], prefix: &[u8]) {
    let Some(text) = strip_short_prefix(entry, prefix) else {
        return;
    };
    *found = match *found {
        EntryTimestamp::Absent => EntryTimestamp::One(text),
        EntryTimestamp::One(prev) if prev == text => EntryTimestamp::One(prev),
        EntryTimestamp::One(_) | EntryTimestamp::Differing => EntryTimestamp::Differing,
    };
}

/// A timestamp's text as sent, copied onto the stack (at most 20 ASCII digits), so it can be
/// fed into the MAC wherever it came from without allocating.
#[derive(Clone, Copy)]
pub(crate) struct TimestampText {
    buf: [u8; 20],
    len: usize,
}

impl TimestampText {
    #[inline]
    fn new(text: &[u8]) -> Option<Self> {
        let mut buf = [0u8; 20];
        copy_short(buf.get_mut(..text.len())?, text);
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

/// Whether [`check_field_text`] passes `text`, without naming the field.
#[inline]
pub(crate) fn field_text_ok(text: &[u8]) -> bool {
    !text.is_empty() && text.len() <= MAX_ID_LEN && visible_ascii(text)
}

/// Check an id or event type: non-empty, bounded, visible ASCII (no space).
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
    if !visible_ascii(text) {
        return Err(Rejection::with_detail(
            kind,
            format!(
                "`{what}` contains a space, a control character or a non-ASCII byte; only \
                 visible ASCII is accepted"
            ),
        ));
    }
    Ok(())
}

/// Candidate signatures decoded from one delivery, on the stack. Most deliveries carry one:
/// the room for [`MAX_SIGNATURES`] is only set up (zeroed) when a second one arrives.
// Not boxed: the point is to stay on the stack; the large variant is only built for a second
// signature.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum Signatures {
    /// None yet (`len` 0) or one.
    One { tag: [u8; TAG_LEN], len: usize },
    /// Two or more.
    Many {
        tags: [[u8; TAG_LEN]; MAX_SIGNATURES],
        len: usize,
    },
}

impl Default for Signatures {
    #[inline]
    fn default() -> Self {
        Signatures::One {
            tag: [0; TAG_LEN],
            len: 0,
        }
    }
}

impl fmt::Debug for Signatures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signatures")
            .field("count", &self.len())
            .finish()
    }
}

impl Signatures {
    /// Add a tag; at most [`MAX_SIGNATURES`] (checked by the caller).
    #[inline]
    fn push(&mut self, new: [u8; TAG_LEN]) {
        match self {
            Signatures::One { tag, len: len @ 0 } => {
                *tag = new;
                *len = 1;
            }
            Signatures::One { tag, .. } => {
                let mut tags = [[0; TAG_LEN]; MAX_SIGNATURES];
                tags[0] = *tag;
                tags[1] = new;
                *self = Signatures::Many { tags, len: 2 };
            }
            Signatures::Many { tags, len } => {
                tags[*len] = new;
                *len += 1;
            }
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        match self {
            Signatures::One { len, .. } | Signatures::Many { len, .. } => *len,
        }
    }

    #[inline]
    pub(crate) fn as_slice(&self) -> &[[u8; TAG_LEN]] {
        match self {
            Signatures::One { tag, len } => &std::slice::from_ref(tag)[..*len],
            Signatures::Many { tags, len } => &tags[..*len],
        }
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
    name: SchemeName,
    signature_headers: Vec<String>,
    syntax: SignatureSyntax,
    encoding: Encoding,
    timestamp: Option<(TimestampSpec, TimestampUnit)>,
    id: Option<FieldSpec>,
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
                timestamp,
                id,
                id_optional: self.id_optional,
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
    fn base64_tags_are_canonical_padded_and_32_bytes() {
        use base64::engine::general_purpose::STANDARD;
        for seed in 0..64u8 {
            let tag: Vec<u8> = (0..32u8)
                .map(|i| i.wrapping_mul(seed).wrapping_add(seed ^ 0x5A))
                .collect();
            let text = STANDARD.encode(&tag);
            let decode = |t: &[u8]| Encoding::Base64.decode(t).map(|t| t.to_vec());
            assert_eq!(decode(text.as_bytes()), Some(tag));
            // Any single character replaced: accepted exactly when the crate's strict decoder
            // reads 32 bytes (no `==`, no missing padding, no trailing bits, no URL alphabet,
            // no space).
            for pos in [0, 17, 41, 42, 43] {
                for c in [b'A', b'/', b'+', b'=', b'-', b'_', b' ', 0x80] {
                    let mut t = text.clone().into_bytes();
                    t[pos] = c;
                    let crate_says = STANDARD.decode(&t).ok().filter(|d| d.len() == 32);
                    assert_eq!(decode(&t), crate_says, "{t:?}");
                }
            }
            // Unpadded, or with surrounding whitespace: wrong length.
            assert_eq!(decode(text.trim_end_matches('=').as_bytes()), None);
            assert_eq!(decode(format!("{text}\n").as_bytes()), None);
            assert_eq!(decode(format!(" {text}").as_bytes()), None);
        }
    }

    /// The lookup the one-pass gathering replaced: every value of every alternative name, in
    /// the scheme's order, through `HeaderMap::get_all`.
    fn reference_one_value(
        headers: &HeaderMap,
        names: &[HeaderName],
    ) -> Result<Option<HeaderValue>, usize> {
        let mut found: Option<&HeaderValue> = None;
        for (k, name) in names.iter().enumerate() {
            for v in headers.get_all(name) {
                match found {
                    None => found = Some(v),
                    Some(prev) if prev == v => {}
                    Some(_) => return Err(k),
                }
            }
        }
        Ok(found.cloned())
    }

    /// The lookup for headers in order: the first name with a value, its copies agreeing.
    fn reference_first_sent(
        headers: &HeaderMap,
        names: &[HeaderName],
    ) -> Result<Option<(usize, HeaderValue)>, usize> {
        for (k, name) in names.iter().enumerate() {
            let mut values = headers.get_all(name).iter();
            if let Some(first) = values.next() {
                if values.any(|v| v != first) {
                    return Err(k);
                }
                return Ok(Some((k, first.clone())));
            }
        }
        Ok(None)
    }

    #[test]
    fn gathering_agrees_with_a_lookup_per_name() {
        let custom = Scheme::builder("many")
            .signature_header("x-a-signature")
            .signature_header("x-b-signature")
            .timestamp_header("x-a-timestamp", TimestampUnit::Seconds)
            .timestamp_header("x-b-timestamp", TimestampUnit::Seconds)
            .timestamp_header("x-c-timestamp", TimestampUnit::Seconds)
            .id_header("x-a-id")
            .id_header("x-b-id")
            .id_header("x-c-id")
            .event_header("x-a-id")
            .event_header("x-z-event")
            .build()
            .unwrap();
        // Ids from headers in order: inline slots, and a heap buffer (more than 8 names).
        let in_order = |extra: usize| {
            let mut b = Scheme::builder("in-order")
                .signature_header("x-a-signature")
                .id_headers_in_order(["x-a-id", "x-b-id", "x-c-id"])
                .event_header("x-z-event");
            for i in 0..extra {
                b = b.timestamp_header(&format!("x-{i}-timestamp"), TimestampUnit::Seconds);
            }
            b.build().unwrap()
        };
        let schemes = [
            Scheme::heppu(),
            Scheme::helicone(),
            Scheme::standard_webhooks(),
            Scheme::github(),
            Scheme::shopify(),
            custom,
            in_order(0),
            in_order(5),
        ];
        let values = ["1", "2", "1"];
        let unrelated = [
            "host",
            "user-agent",
            "x-request-id",
            "content-type",
            "x-webhook",
        ];
        for scheme in &schemes {
            let all: Vec<HeaderName> = scheme.header_names().cloned().collect();
            // Every combination of up to three headers (wanted or not) with values from a
            // small set, appended in order, so repeats, agreeing and differing copies and
            // alternative names all occur.
            let pool: Vec<HeaderName> = all
                .iter()
                .cloned()
                .chain(unrelated.iter().map(|n| HeaderName::from_static(n)))
                .collect();
            let mut seed = 7u64;
            for _ in 0..3000 {
                let mut headers = HeaderMap::new();
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let count = (seed >> 60) as usize % 6;
                for j in 0..count {
                    let r = (seed >> (8 * j)) as usize;
                    let name = pool[r % pool.len()].clone();
                    let value = values[(r / pool.len()) % values.len()];
                    headers.append(name, HeaderValue::from_static(value));
                }
                let mut g = Gathered::default();
                scheme.gather(&headers, &mut g);
                let roles: [(Role, Vec<HeaderName>); 4] = [
                    (Role::Signature, scheme.signature_headers().to_vec()),
                    (
                        Role::Timestamp,
                        match scheme.timestamp() {
                            Some((TimestampSource::Headers(n), _)) => n.clone(),
                            _ => vec![],
                        },
                    ),
                    (
                        Role::Id,
                        scheme
                            .id_field()
                            .map_or(vec![], |f| f.header_names().to_vec()),
                    ),
                    (
                        Role::Event,
                        scheme
                            .event_field()
                            .map_or(vec![], |f| f.header_names().to_vec()),
                    ),
                ];
                for (role, names) in roles {
                    assert_eq!(
                        g.one_value(role).map(|v| v.map(<[u8]>::to_vec)),
                        reference_one_value(&headers, &names)
                            .map(|v| v.map(|v| v.as_bytes().to_vec())),
                        "{} {role:?} {headers:?}",
                        scheme.name()
                    );
                    assert_eq!(
                        g.first_sent(role).map(|v| v.map(|(k, v)| (k, v.to_vec()))),
                        reference_first_sent(&headers, &names)
                            .map(|v| v.map(|(k, v)| (k, v.as_bytes().to_vec()))),
                        "{} {role:?} {headers:?} in order",
                        scheme.name()
                    );
                }
            }
        }
    }

    #[test]
    fn ids_and_event_types_are_visible_ascii_without_spaces() {
        for ok in [
            "dlv_1",
            "!",
            "~",
            "orders/create",
            "a:b.c-d_e",
            &"x".repeat(MAX_ID_LEN),
        ] {
            assert!(field_text_ok(ok.as_bytes()), "{ok:?}");
        }
        for bad in [
            "dlv 1",
            " ",
            " dlv1",
            "dlv1 ",
            "dlv\t1",
            "dlv\u{7f}",
            "\u{1f}",
            "dl\u{e9}",
            "",
        ] {
            assert!(!field_text_ok(bad.as_bytes()), "{bad:?}");
            let err = check_field_text(bad.as_bytes(), "x-id", RejectionKind::IdMalformed);
            assert_eq!(
                err.unwrap_err().kind(),
                RejectionKind::IdMalformed,
                "{bad:?}"
            );
        }
        // Through a scheme: `X-Webhook-ID: dlv 1` and `X-Webhook-Event: call completed`.
        let scheme = Scheme::heppu();
        let mut h = HeaderMap::new();
        h.insert("x-webhook-id", HeaderValue::from_static("dlv 1"));
        h.insert(
            "x-webhook-event",
            HeaderValue::from_static("call completed"),
        );
        let mut g = Gathered::default();
        scheme.gather(&h, &mut g);
        let id = scheme.field_in(&g, Role::Id, RejectionKind::IdMalformed);
        assert_eq!(id.unwrap_err().kind(), RejectionKind::IdMalformed);
        let event = scheme.field_in(&g, Role::Event, RejectionKind::EventMalformed);
        assert_eq!(event.unwrap_err().kind(), RejectionKind::EventMalformed);
    }

    #[test]
    fn hex_tags_decode_in_either_case_and_refuse_non_hex() {
        let tag: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(37)).collect();
        let decode = |t: &[u8]| Encoding::Hex.decode(t).map(|t| t.to_vec());
        let lower = hex::encode(&tag);
        assert_eq!(decode(lower.as_bytes()), Some(tag.clone()));
        assert_eq!(decode(lower.to_uppercase().as_bytes()), Some(tag.clone()));
        let mixed: String = lower
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 3 == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        assert_eq!(decode(mixed.as_bytes()), Some(tag));
        for bad in [b'g', b' ', b'/', b':', b'@', b'G', b'`', 0x80, 0xFF, 0] {
            let mut t = lower.clone().into_bytes();
            t[17] = bad;
            assert_eq!(decode(&t), None, "byte {bad:#x}");
        }
        assert_eq!(decode(&lower.as_bytes()[..62]), None);
        assert_eq!(decode(format!("{lower}00").as_bytes()), None);
        assert_eq!(decode(format!("{lower} ").as_bytes()), None);
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
