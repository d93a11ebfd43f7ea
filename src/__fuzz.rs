//! Entry points for the cargo-fuzz targets (`fuzz/`). Compiled only with `--cfg fuzzing`, which
//! cargo-fuzz passes; never part of the public API and free to change.
//!
//! Each function drives one crate-private parser with arbitrary bytes and asserts what must
//! hold for any input (besides not panicking, which the fuzzer checks by itself).

use std::borrow::Cow;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::clock::ManualClock;
use crate::error::RejectionKind;
use crate::scheme::{Field, MAX_ID_LEN, MAX_SIGNATURES, Role, Scheme, TimestampSource};
use crate::{Secret, Verifier};

/// The clock of every fuzzed verifier: 2023-12-01T12:00:00Z.
pub const NOW_MILLIS: u64 = 1_701_432_000_000;

/// The PayPal webhook id of the fuzzed PayPal scheme.
pub const PAYPAL_WEBHOOK_ID: &str = "8PT597110X687430LKGECATA";

/// The public base URL of the fuzzed Twilio scheme.
pub const TWILIO_PUBLIC_URL: &str = "https://hooks.example.com";

/// The request line of every fuzzed delivery: `POST` to this path (so the signed URL of the
/// Twilio scheme is `https://hooks.example.com/hook`).
pub const REQUEST_TARGET: &str = "/hook";

/// The built-in schemes plus a custom base64 list scheme; a fuzz input's first byte picks one.
/// Selectors 0 to 8 keep the meaning the checked-in seeds were made with; the schemes added
/// since follow (Discord, GitLab, SendGrid, PayPal), each only with the feature whose public
/// keys check it (the custom scheme otherwise), then Twilio (13), signed over the URL, the
/// body-HMAC senders Linear to Vercel (14 to 21), Paddle to Box (22 to 28). Square (30) and
/// HubSpot (31) are signed over the same URL as Twilio; Twitch is 32, Dropbox 33, Mailgun 34 and
/// Zoom 35. Selectors without a scheme of their own get the custom one.
pub fn scheme(selector: u8) -> Scheme {
    match selector % 38 {
        0 => Scheme::heppu(),
        1 => Scheme::helix(),
        2 => Scheme::helicone(),
        3 => Scheme::standard_webhooks(),
        4 => Scheme::github(),
        5 => Scheme::stripe(),
        6 => Scheme::slack(),
        7 => Scheme::shopify(),
        #[cfg(feature = "ed25519")]
        9 => Scheme::discord(),
        10 => Scheme::gitlab(),
        #[cfg(feature = "p256")]
        11 => Scheme::sendgrid(),
        #[cfg(feature = "rsa")]
        12 => Scheme::paypal(PAYPAL_WEBHOOK_ID).expect("valid webhook id"),
        13 => Scheme::twilio(TWILIO_PUBLIC_URL).expect("valid public URL"),
        14 => Scheme::linear(),
        15 => Scheme::lemon_squeezy(),
        16 => Scheme::sentry(),
        17 => Scheme::coinbase_commerce(),
        18 => Scheme::woocommerce(),
        19 => Scheme::bitbucket(),
        20 => Scheme::intercom(),
        21 => Scheme::vercel(),
        22 => Scheme::paddle(),
        23 => Scheme::mux(),
        24 => Scheme::calendly(),
        25 => Scheme::typeform(),
        26 => Scheme::pagerduty(),
        27 => Scheme::zendesk(),
        28 => Scheme::box_com(),
        30 => Scheme::square(TWILIO_PUBLIC_URL).expect("valid public URL"),
        31 => Scheme::hubspot(TWILIO_PUBLIC_URL).expect("valid public URL"),
        32 => Scheme::twitch(),
        33 => Scheme::dropbox(),
        34 => Scheme::mailgun(),
        35 => Scheme::zoom(),
        _ => Scheme::builder("fuzz-list")
            .signature_header("x-fuzz-signature")
            .signature_list(';', "s=")
            .encoding(crate::scheme::Encoding::Base64)
            .timestamp_in_signature("ts=", crate::scheme::TimestampUnit::Milliseconds)
            .id_header("x-fuzz-id")
            .signed_parts([
                crate::scheme::SignedPart::Timestamp,
                crate::scheme::SignedPart::literal("|"),
                crate::scheme::SignedPart::Id,
                crate::scheme::SignedPart::literal("|"),
                crate::scheme::SignedPart::Body,
            ])
            .build()
            .expect("valid scheme"),
    }
}

/// A verifier for `scheme` with a fixed clock and fixed keys: a secret, and the public keys of
/// `testing::keys` of each enabled key feature (for Discord, Standard Webhooks `v1a`, SendGrid
/// and PayPal).
pub fn verifier(scheme: Scheme) -> Verifier {
    #[allow(unused_mut)]
    let mut builder = Verifier::builder(scheme)
        .secret(Secret::new("fuzzing-secret-0123456789").expect("valid secret"))
        .clock(ManualClock::at_millis(NOW_MILLIS));
    #[cfg(feature = "ed25519")]
    {
        builder = builder.public_key(
            crate::keys::PublicKey::ed25519_hex(crate::testing::keys::ED25519_PUBLIC_HEX)
                .expect("valid key"),
        );
    }
    #[cfg(feature = "p256")]
    {
        builder = builder.public_key(
            crate::keys::PublicKey::p256_pem(crate::testing::keys::P256_PUBLIC_PEM)
                .expect("valid key"),
        );
    }
    #[cfg(feature = "rsa")]
    {
        builder = builder.public_key(
            crate::keys::PublicKey::from_certificate_pem(crate::testing::keys::RSA_CERTIFICATE_PEM)
                .expect("valid key"),
        );
    }
    builder.build().expect("a key for every fuzzed scheme")
}

/// The signature header parser: any value either yields 1 to `MAX_SIGNATURES` signatures in
/// all (HMAC-SHA256 tags, and those of the scheme's other algorithms: Standard Webhooks' `v1a`
/// entries, Discord's, GitLab's token, SendGrid's, PayPal's), each of a length its algorithm
/// allows, or a 400.
pub fn signature(scheme: &Scheme, value: &[u8]) {
    let Ok(value) = HeaderValue::from_bytes(value) else {
        return;
    };
    let mut tags = crate::scheme::Signatures::default();
    let mut others = crate::algorithm::AltSigs::new();
    match scheme.parse_signature_value(value.as_bytes(), &mut tags, &mut others) {
        Ok(_) => {
            let count = tags.as_slice().len() + others.len();
            assert!((1..=MAX_SIGNATURES).contains(&count));
            for (algorithm, signature) in &others {
                let (min, max) = algorithm.decoded_len_bounds();
                assert!((min..=max).contains(&signature.len()));
            }
        }
        Err(r) => {
            assert_eq!(r.kind(), RejectionKind::SignatureMalformed);
            assert_eq!(r.status(), 400);
        }
    }
}

/// The timestamp parser (from its header, or from the signature header for Stripe-like
/// schemes), then the tolerance window: a value is accepted only as plain digits (an RFC 3339
/// date-time for PayPal, read back to the same value), and the window arithmetic never
/// overflows.
pub fn timestamp(scheme: &Scheme, value: &[u8]) {
    let Ok(value) = HeaderValue::from_bytes(value) else {
        return;
    };
    let mut headers = HeaderMap::new();
    let signature = match scheme.timestamp() {
        Some((TimestampSource::Headers(names), _)) => {
            for name in names {
                headers.append(name.clone(), value.clone());
            }
            HeaderValue::from_static("")
        }
        _ => value.clone(),
    };
    match scheme.parse_timestamp(&headers, &signature) {
        Ok(Some((text, n))) => match scheme.timestamp() {
            Some((_, unit @ crate::scheme::TimestampUnit::Rfc3339)) => {
                assert_eq!(unit.parse(text.as_bytes()), Some(n));
            }
            _ => {
                assert!(text.as_bytes().iter().all(u8::is_ascii_digit));
                assert_eq!(crate::bytes::parse_unsigned(text.as_bytes()), Some(n));
            }
        },
        Ok(None) => assert!(scheme.timestamp().is_none()),
        Err(r) => assert!(matches!(
            r.kind(),
            RejectionKind::TimestampMissing | RejectionKind::TimestampMalformed
        )),
    }
    // Through the verifier: the window check on whatever parsed.
    let mut all = headers;
    if let Some(name) = scheme.signature_headers().first() {
        all.insert(name.clone(), signature);
    }
    if let Err(r) = verifier(scheme.clone()).begin_request(&request(&all)) {
        assert!(r.status().is_client_error());
    }
}

/// Id and event type header parsing, and the JSON body field reader used for Stripe's and
/// Helicone's ids: accepted text is non-empty, bounded, visible ASCII (no space; an event type
/// may have spaces inside, as GitLab's `Push Hook`).
pub fn id(scheme: &Scheme, value: &[u8], body: &[u8]) {
    for (role, field) in [
        (Role::Id, scheme.id_field()),
        (Role::Event, scheme.event_field()),
    ] {
        let Some(field) = field else {
            continue;
        };
        match field {
            Field::Headers(names)
            | Field::HeadersInOrder(names)
            | Field::FirstOf { headers: names, .. } => {
                let Ok(value) = HeaderValue::from_bytes(value) else {
                    continue;
                };
                let mut headers = HeaderMap::new();
                for name in names {
                    headers.append(name.clone(), value.clone());
                }
                if let Ok(Some(v)) = scheme.header_field(&headers, role, RejectionKind::IdMalformed)
                {
                    check_text(v, role);
                }
            }
            Field::JsonBody(path) => {
                if let Ok(Some(text)) = crate::scheme::json_field(body, path) {
                    let kind = match role {
                        Role::Event => RejectionKind::EventMalformed,
                        _ => RejectionKind::IdMalformed,
                    };
                    let _ = crate::scheme::check_field_text(text.as_bytes(), "id", kind)
                        .map(|()| check_text(text.as_bytes(), role));
                }
            }
        }
    }
    // Arbitrary paths too.
    let path: Vec<Cow<'static, str>> = String::from_utf8_lossy(value)
        .split('.')
        .filter(|s| !s.is_empty())
        .map(|s| Cow::Owned(s.to_owned()))
        .collect();
    if !path.is_empty() {
        let _ = crate::scheme::json_field(body, &path);
        // The event types' reader, which also scans from the end of the body.
        let _ = crate::json_scan::find_text_either_end(body, &path);
    }
}

fn check_text(text: &[u8], role: Role) {
    assert!(!text.is_empty() && text.len() <= MAX_ID_LEN);
    match role {
        Role::Event => {
            assert!(text.first() != Some(&b' ') && text.last() != Some(&b' '));
            assert!(text.iter().all(|b| b.is_ascii_graphic() || *b == b' '));
        }
        _ => assert!(text.iter().all(u8::is_ascii_graphic)),
    }
}

/// Split a fuzz input into headers and a body: lines `name: value` up to an empty line, then
/// the body. Lines that are not a valid header are skipped.
pub fn headers_and_body(data: &[u8]) -> (HeaderMap, &[u8]) {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[][..]),
    };
    let mut headers = HeaderMap::new();
    for line in head.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    }
    (headers, body)
}

/// A `POST` to [`REQUEST_TARGET`] with these headers (its body is passed separately).
fn request(headers: &HeaderMap) -> http::Request<()> {
    let mut request = http::Request::new(());
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = http::Uri::from_static(REQUEST_TARGET);
    *request.headers_mut() = headers.clone();
    request
}

/// The whole verification on arbitrary headers and body, as a `POST` to [`REQUEST_TARGET`] (the
/// URL-signed schemes read it): a clear 4xx or a success, and the streaming path agrees with
/// the one-shot path.
pub fn verify(scheme: &Scheme, headers: &HeaderMap, body: &[u8]) {
    let verifier = verifier(scheme.clone());
    let head = request(headers);
    let whole = verifier.verify_request(&head.clone().map(|()| body));
    if let Err(r) = &whole {
        assert!(r.status().is_client_error());
    }
    let streamed = verifier.begin_request(&head).and_then(|mut state| {
        for chunk in body.chunks(7) {
            state.update(chunk);
        }
        state.finish(body)
    });
    assert_eq!(
        whole
            .as_ref()
            .map(|m| m.id().map(str::to_owned))
            .map_err(|r| r.kind()),
        streamed
            .as_ref()
            .map(|m| m.id().map(str::to_owned))
            .map_err(|r| r.kind())
    );
}
