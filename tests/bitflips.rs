//! Property tests over every built-in scheme: a signed delivery verifies, and every single-bit
//! flip of its body, its signature or its timestamp is refused.
//!
//! Two documented exceptions, both asserted rather than skipped:
//! - hex signatures are case-insensitive, so flipping bit 5 of a hex letter (`a` ↔ `A`) sends the
//!   same tag and still verifies;
//! - a scheme whose timestamp is checked but not signed (Heppu) accepts a flipped timestamp that
//!   is still a plain number inside the tolerance: only the window protects it (and the replay
//!   guard of the dedup layer).
//!
//! Case counts are bounded (each case verifies a few hundred flips) so the suite stays fast.

use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;
use webhook_guard::clock::ManualClock;
use webhook_guard::scheme::{Encoding, SignedPart, TimestampSource};
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{RejectionKind, Scheme, Secret, Verifier};

const NOW_SECS: u64 = 1_701_432_000;
const TOLERANCE_SECS: i64 = 300;

fn schemes() -> [Scheme; 8] {
    [
        Scheme::heppu(),
        Scheme::helix(),
        Scheme::helicone(),
        Scheme::standard_webhooks(),
        Scheme::github(),
        Scheme::stripe(),
        Scheme::slack(),
        Scheme::shopify(),
    ]
}

/// A body every scheme accepts: JSON with the id fields Stripe and Helicone read, carrying the
/// random bytes (hex) so bodies differ.
fn body(noise: &[u8], n: u32) -> String {
    format!(
        r#"{{"id":"evt_{n}","request_id":"req_{n}","type":"t.x","event":"t.x","note":"{}"}}"#,
        hex::encode(noise)
    )
}

struct Case {
    scheme: Scheme,
    verifier: Verifier,
    signed: SignedDelivery,
}

fn case(scheme_index: usize, key: &[u8], noise: &[u8], n: u32, skew: i64) -> Case {
    let scheme = schemes()[scheme_index].clone();
    let secret = Secret::new(key).unwrap();
    let verifier = Verifier::builder(scheme.clone())
        .secret(secret.clone())
        .clock(ManualClock::at_secs(NOW_SECS))
        .build()
        .unwrap();
    let at_ms = (NOW_SECS as i64 + skew) as u64 * 1000;
    let signed = Delivery::new(scheme.clone(), body(noise, n))
        .timestamp_millis(at_ms)
        .sign(&secret);
    Case {
        scheme,
        verifier,
        signed,
    }
}

fn sig_header(scheme: &Scheme) -> HeaderName {
    scheme.signature_headers()[0].clone()
}

fn encoded_len(encoding: Encoding) -> usize {
    match encoding {
        Encoding::Hex => 64,
        _ => 44,
    }
}

/// Replace one header; `false` when the bytes are not a valid header value at all (the HTTP
/// layer refuses those before any verifier sees them).
fn with_header(headers: &HeaderMap, name: &HeaderName, value: &[u8]) -> Option<HeaderMap> {
    let value = HeaderValue::from_bytes(value).ok()?;
    let mut h = headers.clone();
    h.insert(name.clone(), value);
    Some(h)
}

fn strategy() -> impl Strategy<Value = (usize, Vec<u8>, Vec<u8>, u32, i64)> {
    (
        0usize..8,
        proptest::collection::vec(any::<u8>(), 16..48),
        proptest::collection::vec(any::<u8>(), 0..24),
        any::<u32>(),
        -(TOLERANCE_SECS - 2)..(TOLERANCE_SECS - 2),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn round_trip_then_every_body_bit_flip_is_a_mismatch(
        (scheme_index, key, noise, n, skew) in strategy()
    ) {
        let c = case(scheme_index, &key, &noise, n, skew);
        let name = c.scheme.name().to_owned();
        prop_assert!(c.verifier.verify(&c.signed.headers, &c.signed.body).is_ok(), "{}", name);
        let mut body = c.signed.body.to_vec();
        for bit in 0..body.len() * 8 {
            body[bit / 8] ^= 1 << (bit % 8);
            let got = c.verifier.verify(&c.signed.headers, &body).map(|_| ()).map_err(|r| r.kind());
            prop_assert_eq!(got, Err(RejectionKind::SignatureMismatch), "{} body bit {}", name, bit);
            body[bit / 8] ^= 1 << (bit % 8);
        }
    }

    #[test]
    fn every_signature_bit_flip_is_refused(
        (scheme_index, key, noise, n, skew) in strategy()
    ) {
        let c = case(scheme_index, &key, &noise, n, skew);
        let name = c.scheme.name().to_owned();
        let header = sig_header(&c.scheme);
        let value = c.signed.headers[&header].as_bytes().to_vec();
        let encoding = c.scheme.encoding();
        let tag_start = value.len() - encoded_len(encoding);

        // 1. Flips of the decoded tag, re-encoded the way a sender would: always a mismatch.
        let tag_text = std::str::from_utf8(&value[tag_start..]).unwrap();
        let tag = match encoding {
            Encoding::Hex => hex::decode(tag_text).unwrap(),
            _ => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.decode(tag_text).unwrap()
            }
        };
        prop_assert_eq!(tag.len(), 32);
        for bit in 0..256 {
            let mut flipped = tag.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            let mut v = value[..tag_start].to_vec();
            v.extend_from_slice(encoding.encode(&flipped).as_bytes());
            let h = with_header(&c.signed.headers, &header, &v).unwrap();
            let got = c.verifier.verify(&h, &c.signed.body).map(|_| ()).map_err(|r| r.kind());
            prop_assert_eq!(got, Err(RejectionKind::SignatureMismatch), "{} tag bit {}", name, bit);
        }

        // 2. Flips of every bit of the header text as sent (prefix, separators, Stripe's `t=`).
        for bit in 0..value.len() * 8 {
            let mut v = value.clone();
            let (i, mask) = (bit / 8, 1u8 << (bit % 8));
            v[i] ^= mask;
            let Some(h) = with_header(&c.signed.headers, &header, &v) else { continue };
            let got = c.verifier.verify(&h, &c.signed.body);
            let case_twin = encoding == Encoding::Hex
                && i >= tag_start
                && mask == 0x20
                && value[i].is_ascii_lowercase();
            if case_twin {
                prop_assert!(got.is_ok(), "{} upper-case hex at {} verifies", name, i);
            } else {
                prop_assert!(got.is_err(), "{} header bit {} accepted", name, bit);
                prop_assert!(got.unwrap_err().status().is_client_error());
            }
        }
    }

    #[test]
    fn every_timestamp_bit_flip_is_refused_where_signed(
        (scheme_index, key, noise, n, skew) in strategy()
    ) {
        let c = case(scheme_index, &key, &noise, n, skew);
        let name = c.scheme.name().to_owned();
        let Some((source, unit)) = c.scheme.timestamp() else { return Ok(()) };
        let signed_ts = c.scheme.signed_parts().contains(&SignedPart::Timestamp);
        // Where the timestamp text sits: its own header, or inside the signature header.
        let (header, start, len) = match source {
            TimestampSource::Headers(names) => {
                let v = c.signed.headers[&names[0]].as_bytes();
                (names[0].clone(), 0, v.len())
            }
            TimestampSource::SignatureEntry(prefix) => {
                let header = sig_header(&c.scheme);
                let v = c.signed.headers[&header].as_bytes();
                let start = prefix.len();
                let len = v[start..].iter().position(|b| !b.is_ascii_digit()).unwrap();
                (header, start, len)
            }
            _ => unreachable!("no other timestamp source"),
        };
        let value = c.signed.headers[&header].as_bytes().to_vec();
        for bit in 0..len * 8 {
            let mut v = value.clone();
            v[start + bit / 8] ^= 1 << (bit % 8);
            let Some(h) = with_header(&c.signed.headers, &header, &v) else { continue };
            let got = c.verifier.verify(&h, &c.signed.body);
            if signed_ts {
                prop_assert!(got.is_err(), "{} timestamp bit {} accepted", name, bit);
                prop_assert!(got.unwrap_err().status().is_client_error());
            } else if got.is_ok() {
                // Unsigned timestamp (Heppu): accepted only as a plain number inside the window.
                let text = std::str::from_utf8(&v[start..start + len]).unwrap();
                let value: u64 = text.parse().unwrap();
                let ms = unit.to_millis(value).unwrap();
                let skew_ms = ms.abs_diff(NOW_SECS * 1000);
                prop_assert!(skew_ms <= TOLERANCE_SECS as u64 * 1000, "{} {}", name, text);
            }
        }
    }

    #[test]
    fn every_signed_id_bit_flip_is_refused(
        (scheme_index, key, noise, n, skew) in strategy()
    ) {
        let c = case(scheme_index, &key, &noise, n, skew);
        if !c.scheme.signed_parts().contains(&SignedPart::Id) {
            return Ok(());
        }
        let Some(webhook_guard::scheme::Field::Headers(names)) = c.scheme.id_field() else {
            return Ok(());
        };
        let value = c.signed.headers[&names[0]].as_bytes().to_vec();
        for bit in 0..value.len() * 8 {
            let mut v = value.clone();
            v[bit / 8] ^= 1 << (bit % 8);
            let Some(h) = with_header(&c.signed.headers, &names[0], &v) else { continue };
            let got = c.verifier.verify(&h, &c.signed.body);
            prop_assert!(got.is_err(), "{} id bit {} accepted", c.scheme.name(), bit);
        }
    }
}
