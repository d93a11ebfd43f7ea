//! Bit flips over every secret-keyed built-in scheme (the 31 of `tests/common/schemes.rs`, and a
//! custom HMAC-SHA512 one, as no built-in sender uses SHA-512): a signed delivery verifies, and
//! a single-bit flip of its body, its signature or its timestamp is refused.
//!
//! - Body: every bit of the first and last 16 bytes and of 48 random positions between; the
//!   refusal is `signature_mismatch`, or, for the schemes that read a field out of the body
//!   before the signature is checked (Linear's and Mailgun's timestamp, Mailgun's signature),
//!   that field's own error when the flip broke it.
//! - Signature: every bit of the decoded tag (20 bytes for HMAC-SHA1, 32 for SHA-256, 64 for
//!   SHA-512), re-encoded as a sender would, is `signature_mismatch`; every bit of the encoded
//!   text as sent is `signature_mismatch` or, where the text no longer decodes,
//!   `signature_malformed`; every other bit of the header (prefix, separators, Stripe's `t=`) is
//!   a client error.
//! - Timestamp: where signed, every bit of its text is a client error.
//!
//! Documented exceptions, asserted rather than skipped:
//! - hex signatures are case-insensitive, so flipping bit 5 of a hex letter (`a` ↔ `A`) sends
//!   the same tag and still verifies;
//! - a timestamp checked but not signed (Heppu, Sentry) is accepted when the flip leaves a
//!   plain number inside the window: only the window (and the dedup layer) protects it;
//! - GitLab signs nothing: its header is the secret token itself, so body flips pass (asserted)
//!   and every flip of the token is a mismatch;
//! - Twilio signs the decoded form parameters, so a flip that only changes the case of a
//!   percent-escape's hex digit (`%2B` ↔ `%2b`) sends the same parameters and verifies;
//! - Mailgun signs only `signature.timestamp` and `signature.token` of its body, so flips in
//!   `event-data` pass (asserted); flips of the signed fields and of `signature.signature` are
//!   refused.
//!
//! Each scheme gets a few random keys and bodies (`CASES`); the loops are bounded so the whole
//! file runs in a few seconds in debug builds.

use std::borrow::Cow;

use http::{HeaderMap, HeaderName, HeaderValue, Request};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRng, TestRunner};
use webhook_guard::clock::ManualClock;
use webhook_guard::scheme::{
    Algorithm, Encoding, SignatureSyntax, SignedPart, TimestampSource, TimestampUnit,
};
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{Rejection, RejectionKind, Scheme, Secret, Verifier, WebhookMeta};

use crate::common::schemes;

const NOW_SECS: u64 = 1_701_432_000;
const TOLERANCE_SECS: i64 = 300;
/// Random keys and bodies per scheme.
const CASES: usize = 2;
/// Random body bit positions per case, beside the first and last 16 bytes.
const BODY_SAMPLES: usize = 48;

/// Every built-in scheme a secret verifies, as `tests/common/schemes.rs` lists them, then a custom
/// HMAC-SHA512 scheme.
fn schemes() -> Vec<Scheme> {
    let mut schemes = schemes::secret_keyed();
    schemes.push(
        Scheme::builder("sha512-custom")
            .signature_header("x-signature-512")
            .signature_prefix("sha512=")
            .algorithm(Algorithm::HmacSha512)
            .timestamp_header("x-timestamp", TimestampUnit::Seconds)
            .signed_parts([
                SignedPart::Timestamp,
                SignedPart::literal("."),
                SignedPart::Body,
            ])
            .build()
            .unwrap(),
    );
    schemes
}

/// A body every scheme accepts: the body fields each one reads (ids, event types, Calendly's
/// and Zoom's dedup fields, Mailgun's signed fields), the noise (hex) making bodies differ.
/// Twilio gets a form body, which it signs parameter by parameter.
fn body(scheme: &Scheme, noise: &[u8], n: u32) -> String {
    let noise = hex::encode(noise);
    match scheme.name() {
        "twilio" => format!("AccountSid=AC{n}&Body=hello+{noise}&From=%2B15005550006"),
        "mailgun" => format!(
            r#"{{"signature":{{"token":"tok{n}{noise}","timestamp":"0","signature":""}},"event-data":{{"id":"ev{n}","event":"delivered","note":"{noise}"}}}}"#
        ),
        _ => format!(
            r#"{{"id":"evt_{n}","request_id":"req_{n}","event_id":"ev_{n}","type":"t.x","trigger":"T.X","topic":"t.x","created_at":"2020-11-23T17:51:19Z","event_ts":1701432000123,"event":{{"id":"e_{n}","event_type":"t.x"}},"payload":{{"uri":"u_{n}","object":{{"id":"o_{n}"}}}},"note":"{noise}"}}"#
        ),
    }
}

struct Case {
    scheme: Scheme,
    verifier: Verifier,
    signed: SignedDelivery,
}

impl Case {
    fn new(scheme: Scheme, key: &[u8], noise: &[u8], n: u32, skew: i64) -> Case {
        // As text: GitLab sends its token, the secret itself, as a header value.
        let secret = Secret::new(hex::encode(key)).unwrap();
        let verifier = Verifier::builder(scheme.clone())
            .secret(secret.clone())
            .clock(ManualClock::at_secs(NOW_SECS))
            .build()
            .unwrap();
        let at_ms = (NOW_SECS as i64 + skew) as u64 * 1000;
        let signed = Delivery::new(scheme.clone(), body(&scheme, noise, n))
            .path("/hook")
            .timestamp_millis(at_ms)
            .sign(&secret);
        Case {
            scheme,
            verifier,
            signed,
        }
    }

    /// Verify as a `POST /hook` (the URL-signing schemes sign it).
    fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookMeta, Rejection> {
        let mut request = Request::new(body);
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = http::Uri::from_static("/hook");
        *request.headers_mut() = headers.clone();
        self.verifier.verify_request(&request)
    }

    fn kind(&self, headers: &HeaderMap, body: &[u8]) -> Option<RejectionKind> {
        self.verify(headers, body).err().map(|r| r.kind())
    }
}

/// Replace one header; `None` when the bytes are not a valid header value at all (the HTTP
/// layer refuses those before any verifier sees them).
fn with_header(headers: &HeaderMap, name: &HeaderName, value: &[u8]) -> Option<HeaderMap> {
    let value = HeaderValue::from_bytes(value).ok()?;
    let mut h = headers.clone();
    h.insert(name.clone(), value);
    Some(h)
}

/// Where the encoded signature sits in `text` (the header value, or for Mailgun the body):
/// `(start, end)` of the first signature's text.
fn tag_span(scheme: &Scheme, text: &[u8]) -> (usize, usize) {
    match scheme.syntax() {
        SignatureSyntax::Single { prefix } => (prefix.len(), text.len()),
        SignatureSyntax::List { separator, prefix } => {
            let mut at = 0;
            for entry in text.split(|b| *b as char == *separator) {
                let trimmed = entry.trim_ascii_start();
                let start = at + (entry.len() - trimmed.len());
                if trimmed.starts_with(prefix.as_bytes()) {
                    let end = at + entry.trim_ascii_end().len();
                    return (start + prefix.len(), end);
                }
                at += entry.len() + separator.len_utf8();
            }
            panic!("{}: no `{prefix}` entry", scheme.name())
        }
        _ => unreachable!("no other syntax"),
    }
}

fn decode(encoding: Encoding, text: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    match encoding {
        Encoding::Hex => hex::decode(text).unwrap(),
        _ => base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap(),
    }
}

fn tag_len(algorithm: Algorithm) -> Option<usize> {
    match algorithm {
        Algorithm::HmacSha1 => Some(20),
        Algorithm::HmacSha256 => Some(32),
        Algorithm::HmacSha512 => Some(64),
        _ => None,
    }
}

/// Body fields read before the signature is checked, whose own errors a flip may cause first.
fn body_field_errors(scheme: &Scheme) -> &'static [RejectionKind] {
    let ts_in_body = matches!(scheme.timestamp(), Some((TimestampSource::JsonBody(_), _)));
    match (scheme.signature_json_field().is_some(), ts_in_body) {
        (true, _) => &[
            RejectionKind::SignatureMissing,
            RejectionKind::SignatureMalformed,
            RejectionKind::TimestampMissing,
            RejectionKind::TimestampMalformed,
            RejectionKind::TimestampExpired,
            RejectionKind::TimestampInFuture,
            RejectionKind::SignedPartMissing,
        ],
        (false, true) => &[
            RejectionKind::TimestampMissing,
            RejectionKind::TimestampMalformed,
            RejectionKind::TimestampExpired,
            RejectionKind::TimestampInFuture,
        ],
        (false, false) => &[],
    }
}

/// The body bit positions flipped: every bit of the first and last 16 bytes, and `samples`
/// random positions between.
fn body_bits(len: usize, rng: &mut TestRng, samples: usize) -> Vec<usize> {
    let mut bits: Vec<usize> = (0..len.min(16) * 8).collect();
    bits.extend((len.saturating_sub(16) * 8..len * 8).filter(|b| *b >= 128));
    for _ in 0..samples {
        bits.push(rng.random_range(0..len * 8));
    }
    bits
}

fn flip_body(c: &Case, rng: &mut TestRng) {
    let name = c.scheme.name();
    let mut body = c.signed.body.to_vec();
    // Mailgun: the texts of its signed fields (`signature.token`, `.timestamp`) and of the
    // signature; the rest of the body (`event-data`, the JSON around) is not signed.
    let mailgun_signed: Vec<(usize, usize)> = if name == "mailgun" {
        let text = std::str::from_utf8(&body).unwrap();
        let at = text.find(r#""signature":{"#).unwrap();
        [r#""token":""#, r#""timestamp":""#, r#""signature":""#]
            .iter()
            .map(|key| {
                let start = at + text[at..].rfind(key).unwrap() + key.len();
                (start, start + text[start..].find('"').unwrap())
            })
            .collect()
    } else {
        Vec::new()
    };
    let allowed = body_field_errors(&c.scheme);
    let mut bits = body_bits(body.len(), rng, BODY_SAMPLES);
    // Every bit of Mailgun's signed token and timestamp (its signature: `flip_signature`).
    for (start, end) in mailgun_signed.iter().take(2) {
        bits.extend(start * 8..end * 8);
    }
    for bit in bits {
        let i = bit / 8;
        body[i] ^= 1 << (bit % 8);
        let got = c.kind(&c.signed.headers, &body);
        let in_mailgun_signed = mailgun_signed.iter().any(|(s, e)| (*s..*e).contains(&i));
        match name {
            "gitlab" => assert_eq!(got, None, "gitlab signs no body: bit {bit}"),
            // Twilio signs the decoded form parameters: `%2B` and `%2b` are the same `+`.
            "twilio" if got.is_none() => {
                let escape = (i >= 1 && body[i - 1] == b'%') || (i >= 2 && body[i - 2] == b'%');
                assert!(
                    escape && 1 << (bit % 8) == 0x20 && body[i].is_ascii_alphabetic(),
                    "twilio body bit {bit} accepted"
                );
            }
            "mailgun" if !in_mailgun_signed => {
                // Not signed; a flip that breaks what is read is refused somewhere.
                if let Some(kind) = got {
                    assert!(
                        kind.status().is_client_error(),
                        "mailgun bit {bit}: {kind:?}"
                    );
                }
            }
            // The hex signature's case twins, as in a header.
            "mailgun" if got.is_none() => {
                let sig = mailgun_signed[2];
                assert!(
                    (sig.0..sig.1).contains(&i)
                        && 1 << (bit % 8) == 0x20
                        && c.signed.body[i].is_ascii_lowercase(),
                    "mailgun signed body bit {bit} accepted"
                );
            }
            _ => {
                let kind = got.unwrap_or_else(|| panic!("{name} body bit {bit} accepted"));
                assert!(
                    kind == RejectionKind::SignatureMismatch || allowed.contains(&kind),
                    "{name} body bit {bit}: {kind:?}"
                );
            }
        }
        body[i] ^= 1 << (bit % 8);
    }
}

/// The signature's text, where it is, and how to put a changed one back.
struct SigPlace {
    /// The header value, or the whole body (Mailgun).
    text: Vec<u8>,
    header: Option<HeaderName>,
    start: usize,
    end: usize,
}

fn sig_place(c: &Case) -> SigPlace {
    match c.scheme.signature_headers().first() {
        Some(header) if c.scheme.signature_json_field().is_none() => {
            let text = c.signed.headers[header].as_bytes().to_vec();
            let (start, end) = tag_span(&c.scheme, &text);
            SigPlace {
                text,
                header: Some(header.clone()),
                start,
                end,
            }
        }
        _ => {
            // Mailgun: `"signature":"<hex>"` inside the body's `signature` object.
            let text = c.signed.body.to_vec();
            let body = std::str::from_utf8(&text).unwrap();
            let key = r#""signature":""#;
            let start = body.rfind(key).unwrap() + key.len();
            let end = start + body[start..].find('"').unwrap();
            SigPlace {
                text,
                header: None,
                start,
                end,
            }
        }
    }
}

impl SigPlace {
    fn kind(&self, c: &Case, text: &[u8]) -> Option<Option<RejectionKind>> {
        match &self.header {
            Some(header) => {
                let h = with_header(&c.signed.headers, header, text)?;
                Some(c.kind(&h, &c.signed.body))
            }
            None => Some(c.kind(&c.signed.headers, text)),
        }
    }
}

fn flip_signature(c: &Case) {
    let name = c.scheme.name();
    let place = sig_place(c);
    let encoded = &place.text[place.start..place.end];
    let encoding = c.scheme.encoding();

    // 1. Every bit of the decoded tag, re-encoded as a sender would: a mismatch.
    if let Some(len) = tag_len(c.scheme.algorithm()) {
        let tag = decode(encoding, encoded);
        assert_eq!(tag.len(), len, "{name}: tag length");
        for bit in 0..len * 8 {
            let mut flipped = tag.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            let mut text = place.text[..place.start].to_vec();
            text.extend_from_slice(encoding.encode(&flipped).as_bytes());
            text.extend_from_slice(&place.text[place.end..]);
            let got = place
                .kind(c, &text)
                .expect("an encoded tag is a valid header value");
            assert_eq!(
                got,
                Some(RejectionKind::SignatureMismatch),
                "{name} tag bit {bit}"
            );
        }
    }

    // 2. Every bit of the text as sent: in the encoded tag a mismatch, or malformed where it
    //    no longer decodes (hex letters' case aside); elsewhere in the header a client error.
    let bits = match place.header {
        Some(_) => 0..place.text.len() * 8,
        None => place.start * 8..place.end * 8,
    };
    for bit in bits {
        let (i, mask) = (bit / 8, 1u8 << (bit % 8));
        let mut text = place.text.clone();
        text[i] ^= mask;
        let Some(got) = place.kind(c, &text) else {
            continue;
        };
        let in_tag = (place.start..place.end).contains(&i);
        let case_twin = in_tag
            && encoding == Encoding::Hex
            && c.scheme.algorithm() != Algorithm::Token
            && mask == 0x20
            && place.text[i].is_ascii_lowercase();
        if case_twin {
            assert_eq!(got, None, "{name}: upper-case hex at {i} verifies");
        } else if in_tag {
            let kind = got.unwrap_or_else(|| panic!("{name} signature bit {bit} accepted"));
            assert!(
                matches!(
                    kind,
                    RejectionKind::SignatureMismatch | RejectionKind::SignatureMalformed
                ) || (place.header.is_none() && body_field_errors(&c.scheme).contains(&kind)),
                "{name} signature bit {bit}: {kind:?}"
            );
        } else {
            let kind = got.unwrap_or_else(|| panic!("{name} header bit {bit} accepted"));
            assert!(
                kind.status().is_client_error(),
                "{name} bit {bit}: {kind:?}"
            );
        }
    }
}

fn flip_timestamp(c: &Case) {
    let name = c.scheme.name();
    let Some((source, unit)) = c.scheme.timestamp() else {
        return;
    };
    let signed_ts = c.scheme.signed_parts().contains(&SignedPart::Timestamp);
    // Where the timestamp text sits: its own header, or inside the signature header; a
    // timestamp in the body is covered by the body flips.
    let (header, start, len): (HeaderName, usize, usize) = match source {
        TimestampSource::Headers(names) => {
            let v = c.signed.headers[&names[0]].as_bytes();
            (names[0].clone(), 0, v.len())
        }
        TimestampSource::SignatureEntry(prefix) => {
            let header = c.scheme.signature_headers()[0].clone();
            let v = c.signed.headers[&header].as_bytes();
            let start = prefix.len();
            let len = v[start..].iter().position(|b| !b.is_ascii_digit()).unwrap();
            (header, start, len)
        }
        _ => return,
    };
    let value = c.signed.headers[&header].as_bytes().to_vec();
    for bit in 0..len * 8 {
        let mut v = value.clone();
        v[start + bit / 8] ^= 1 << (bit % 8);
        let Some(h) = with_header(&c.signed.headers, &header, &v) else {
            continue;
        };
        let got = c.verify(&h, &c.signed.body);
        if signed_ts {
            let kind = got
                .err()
                .unwrap_or_else(|| panic!("{name} timestamp bit {bit} accepted"));
            assert!(kind.status().is_client_error());
        } else if got.is_ok() {
            // Checked but not signed: accepted only as a plain number inside the window.
            let text = std::str::from_utf8(&v[start..start + len]).unwrap();
            let value: u64 = text
                .parse()
                .unwrap_or_else(|_| panic!("{name}: {text:?} accepted"));
            let ms = unit.to_millis(value).unwrap();
            assert!(
                ms.abs_diff(NOW_SECS * 1000) <= tolerance_secs(&c.scheme) as u64 * 1000,
                "{name} {text}"
            );
        }
    }
}

/// The scheme's timestamp window in seconds (the crate's 5 minutes unless it says otherwise).
fn tolerance_secs(scheme: &Scheme) -> i64 {
    scheme
        .tolerance()
        .map_or(TOLERANCE_SECS, |t| t.as_secs() as i64)
}

/// `CASES` random keys, bodies and send times per scheme, each flipped every way above.
fn each_case(mut check: impl FnMut(&Case, &mut TestRng)) {
    let mut runner = TestRunner::new(Config::default());
    let strategy = (
        proptest::collection::vec(any::<u8>(), 16..48),
        proptest::collection::vec(any::<u8>(), 0..24),
        any::<u32>(),
        -1000i64..1000,
    );
    for scheme in schemes() {
        for _ in 0..CASES {
            let (key, noise, n, skew) = strategy.new_tree(&mut runner).unwrap().current();
            // Inside the scheme's window (Linear's is one minute), two seconds to spare.
            let window = tolerance_secs(&scheme) - 2;
            let skew = skew * window / 1000;
            let c = Case::new(scheme.clone(), &key, &noise, n, skew);
            if let Err(e) = c.verify(&c.signed.headers, &c.signed.body) {
                panic!("{}: our own delivery is refused: {e}", scheme.name());
            }
            check(&c, runner.rng());
        }
    }
}

#[test]
fn every_scheme_is_covered() {
    let names: Vec<Cow<'_, str>> = schemes()
        .iter()
        .map(|s| Cow::Owned(s.name().to_owned()))
        .collect();
    assert_eq!(names.len(), 32);
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len());
}

#[test]
fn every_body_bit_flip_is_a_mismatch() {
    each_case(flip_body);
}

#[test]
fn every_signature_bit_flip_is_refused() {
    each_case(|c, _| flip_signature(c));
}

#[test]
fn every_timestamp_bit_flip_is_refused_where_signed() {
    each_case(|c, _| flip_timestamp(c));
}

#[test]
fn every_signed_id_bit_flip_is_refused() {
    each_case(|c, _| {
        if !c.scheme.signed_parts().contains(&SignedPart::Id) {
            return;
        }
        let Some(webhook_guard::scheme::Field::Headers(names)) = c.scheme.id_field() else {
            return;
        };
        let value = c.signed.headers[&names[0]].as_bytes().to_vec();
        for bit in 0..value.len() * 8 {
            let mut v = value.clone();
            v[bit / 8] ^= 1 << (bit % 8);
            let Some(h) = with_header(&c.signed.headers, &names[0], &v) else {
                continue;
            };
            assert!(
                c.verify(&h, &c.signed.body).is_err(),
                "{} id bit {bit} accepted",
                c.scheme.name()
            );
        }
    });
}
