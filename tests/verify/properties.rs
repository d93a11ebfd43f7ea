//! Property tests: verification never panics on arbitrary input, and signing round-trips.

use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;
use webhook_guard::clock::ManualClock;
use webhook_guard::testing::Delivery;
use webhook_guard::{Scheme, Secret, Verifier};

const NOW_SECS: u64 = 1_701_432_000;

use crate::common::schemes;

/// Every built-in scheme that a secret verifies (the public-key ones are the fuzz harness's).
fn schemes() -> Vec<Scheme> {
    schemes::secret_keyed()
}

/// Schemes that read nothing from the body (no id or event type in it) and sign it, so any
/// bytes round-trip and any flipped bit is refused.
fn body_agnostic_schemes() -> Vec<Scheme> {
    vec![
        Scheme::heppu(),
        Scheme::helix(),
        Scheme::standard_webhooks(),
        Scheme::github(),
        Scheme::slack(),
        Scheme::shopify(),
        Scheme::lemon_squeezy(),
        Scheme::sentry(),
        Scheme::woocommerce(),
        Scheme::bitbucket(),
        Scheme::twitch(),
        Scheme::dropbox(),
    ]
}

fn verifiers() -> Vec<Verifier> {
    schemes()
        .into_iter()
        .map(|s| {
            Verifier::builder(s)
                .secret(Secret::new("property-test-secret-0001").unwrap())
                .clock(ManualClock::at_secs(NOW_SECS))
                .build()
                .unwrap()
        })
        .collect()
}

/// Header names the schemes read, plus a few others, so arbitrary values hit every parser.
const NAMES: &[&str] = &[
    "x-webhook-signature-256",
    "x-webhook-signature",
    "x-webhook-timestamp",
    "x-webhook-id",
    "x-webhook-event-id",
    "x-webhook-event",
    "helicone-signature",
    "x-helicone-signature",
    "webhook-signature",
    "webhook-timestamp",
    "webhook-id",
    "svix-signature",
    "svix-timestamp",
    "svix-id",
    "x-hub-signature-256",
    "x-github-delivery",
    "x-github-event",
    "stripe-signature",
    "x-slack-signature",
    "x-slack-request-timestamp",
    "x-shopify-hmac-sha256",
    "x-shopify-event-id",
    "x-shopify-webhook-id",
    "x-shopify-topic",
    "x-gitlab-token",
    "x-twilio-signature",
    "linear-signature",
    "linear-delivery",
    "x-signature",
    "sentry-hook-signature",
    "sentry-hook-timestamp",
    "request-id",
    "x-cc-webhook-signature",
    "x-wc-webhook-signature",
    "x-wc-webhook-delivery-id",
    "x-hub-signature",
    "x-request-uuid",
    "x-vercel-signature",
    "paddle-signature",
    "mux-signature",
    "calendly-webhook-signature",
    "typeform-signature",
    "x-pagerduty-signature",
    "x-zendesk-webhook-signature",
    "x-zendesk-webhook-signature-timestamp",
    "x-zendesk-webhook-invocation-id",
    "box-signature-primary",
    "box-delivery-timestamp",
    "x-square-hmacsha256-signature",
    "x-hubspot-signature-v3",
    "x-hubspot-request-timestamp",
    "twitch-eventsub-message-signature",
    "twitch-eventsub-message-id",
    "twitch-eventsub-message-timestamp",
    "x-dropbox-signature",
    "x-zm-signature",
    "x-zm-request-timestamp",
    "content-type",
];

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..80),
        "(sha256=|v1=|v0=|)[0-9a-fA-Fz]{0,70}".prop_map(String::into_bytes),
        "((t=|v1=|v0=)[0-9a-f]{0,66},?){0,4}".prop_map(String::into_bytes),
        "(v1,[A-Za-z0-9+/=]{0,46} ?){0,3}".prop_map(String::into_bytes),
        "[0-9+ e.x-]{0,24}".prop_map(String::into_bytes),
        "(ts=[0-9]{0,12};h1=[0-9a-f]{0,66};?){0,3}".prop_map(String::into_bytes),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{0,8}(\\.[0-9]{0,12})?(Z|[+-][0-9:]{0,6})?"
            .prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn verify_never_panics(
        headers in proptest::collection::vec((0..NAMES.len(), header_value()), 0..12),
        body in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let mut map = HeaderMap::new();
        for (i, value) in headers {
            if let Ok(v) = HeaderValue::from_bytes(&value) {
                map.append(HeaderName::from_static(NAMES[i]), v);
            }
        }
        let mut request = http::Request::new(body);
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = http::Uri::from_static("/hook?x=1");
        *request.headers_mut() = map;
        for v in verifiers() {
            let _ = v.verify(request.headers(), request.body());
            let _ = v.verify_request(&request);
        }
    }

    #[test]
    fn sign_then_verify_round_trips(
        body in proptest::collection::vec(any::<u8>(), 0..512),
        key in proptest::collection::vec(any::<u8>(), 16..64),
        skew in -299i64..299,
        scheme_index in 0usize..12,
    ) {
        // Helicone and Stripe need a JSON body with an id: see the next property.
        let scheme = body_agnostic_schemes()[scheme_index].clone();
        let secret = Secret::new(&key).unwrap();
        let verifier = Verifier::builder(scheme.clone())
            .secret(secret.clone())
            .clock(ManualClock::at_secs(NOW_SECS))
            .build()
            .unwrap();
        let at = (NOW_SECS as i64 + skew) as u64 * 1000;
        let d = Delivery::new(scheme, body.clone()).timestamp_millis(at).sign(&secret);
        prop_assert!(verifier.verify(&d.headers, &d.body).is_ok());
        if !body.is_empty() {
            let mut flipped = body.clone();
            flipped[body.len() / 2] ^= 0x80;
            prop_assert!(verifier.verify(&d.headers, &flipped).is_err());
        }
    }

    #[test]
    fn json_id_schemes_round_trip_and_refuse_any_flip(
        id in "[a-zA-Z0-9_]{1,40}",
        note in proptest::collection::vec(any::<char>(), 0..64),
        skew in -299i64..299,
        stripe in any::<bool>(),
        flip_at in any::<proptest::sample::Index>(),
    ) {
        let (scheme, field) = if stripe {
            (Scheme::stripe(), "id")
        } else {
            (Scheme::helicone(), "request_id")
        };
        let note: String = note.into_iter().collect();
        let body = serde_json::json!({ field: id, "type": "x.y", "note": note }).to_string();
        let secret = Secret::new("property-test-secret-0002").unwrap();
        let verifier = Verifier::builder(scheme.clone())
            .secret(secret.clone())
            .clock(ManualClock::at_secs(NOW_SECS))
            .build()
            .unwrap();
        let at = (NOW_SECS as i64 + skew) as u64 * 1000;
        let d = Delivery::new(scheme, body.clone()).timestamp_millis(at).sign(&secret);
        let meta = verifier.verify(&d.headers, &d.body);
        prop_assert!(meta.is_ok());
        let meta = meta.unwrap();
        prop_assert_eq!(meta.id(), Some(id.as_str()));
        let mut flipped = body.into_bytes();
        let i = flip_at.index(flipped.len());
        flipped[i] ^= 0x01;
        prop_assert!(verifier.verify(&d.headers, &flipped).is_err());
    }
}
