//! Known answers for the built-in sender profiles: the test vectors each sender publishes, and,
//! where a sender publishes none, values computed independently of the crate with OpenSSL 3
//! (the command is beside each value), so a bug shared by our signer and verifier cannot hide.

use http::HeaderValue;
use webhook_guard::scheme::{Field, TimestampSource};
use webhook_guard::testing::Delivery;
use webhook_guard::{RejectionKind, Scheme, Secret};

use crate::common::{headers, verifier_at as verifier};

// -- GitHub ------------------------------------------------------------------------------------
// Source: GitHub Docs, "Validating webhook deliveries", "Testing the webhook payload validation":
// secret "It's a Secret to Everybody", payload "Hello, World!", and the expected signature below.
// Checked: printf 'Hello, World!' | openssl dgst -sha256 -hmac "It's a Secret to Everybody"
const GITHUB_SECRET: &str = "It's a Secret to Everybody";
const GITHUB_BODY: &str = "Hello, World!";
const GITHUB_SIG: &str = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

#[test]
fn github_documented_example() {
    let v = verifier(
        Scheme::github(),
        Secret::new(GITHUB_SECRET).unwrap(),
        1_700_000_000,
    );
    let h = headers(&[
        ("x-hub-signature-256", &format!("sha256={GITHUB_SIG}")),
        ("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ("x-github-event", "ping"),
    ]);
    let meta = v.verify(&h, GITHUB_BODY.as_bytes()).unwrap();
    assert_eq!(meta.id(), Some("72d3162e-cc78-11e3-81ab-4c9367dc0958"));
    assert_eq!(meta.event_type(), Some("ping"));
    assert_eq!(meta.timestamp_millis(), None);
    // The legacy SHA-1 header alone is not accepted.
    let legacy = headers(&[
        (
            "x-hub-signature",
            "sha1=0000000000000000000000000000000000000000",
        ),
        ("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
    ]);
    assert_eq!(
        v.verify(&legacy, GITHUB_BODY.as_bytes())
            .unwrap_err()
            .kind(),
        RejectionKind::SignatureMissing
    );
    assert_eq!(
        v.verify(&h, b"Hello, World?").unwrap_err().kind(),
        RejectionKind::SignatureMismatch
    );
    let signed =
        Delivery::new(Scheme::github(), GITHUB_BODY).sign(&Secret::new(GITHUB_SECRET).unwrap());
    assert_eq!(
        signed.header("x-hub-signature-256").unwrap(),
        format!("sha256={GITHUB_SIG}")
    );
    assert!(!Scheme::github().id_is_signed());
}

// -- Standard Webhooks -------------------------------------------------------------------------
// Source: the Standard Webhooks reference libraries' test vector (standard-webhooks repository,
// libraries/python/tests/test_webhooks.py `test_sign_function`, the same values in the other
// libraries): key whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, id msg_p5jXN8AQM9LWM0D4loKWxJek,
// timestamp 1614265330, payload {"test": 2432232314}.
// Checked: printf '%s.%s.%s' msg_p5jXN8AQM9LWM0D4loKWxJek 1614265330 '{"test": 2432232314}' \
//   | openssl dgst -sha256 -mac HMAC \
//       -macopt hexkey:$(printf MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw | base64 -d | xxd -p -c 100) \
//       -binary | base64
const SW_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SW_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const SW_TS: &str = "1614265330";
const SW_BODY: &str = r#"{"test": 2432232314}"#;
const SW_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
// The reference tests' "invalid signature": the last base64 digit changed.
const SW_BAD_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=";

#[test]
fn standard_webhooks_reference_vector() {
    let secret = Secret::from_whsec(SW_SECRET).unwrap();
    let v = verifier(Scheme::standard_webhooks(), secret.clone(), 1_614_265_330);
    let h = headers(&[
        ("webhook-id", SW_ID),
        ("webhook-timestamp", SW_TS),
        ("webhook-signature", SW_SIG),
    ]);
    let meta = v.verify(&h, SW_BODY.as_bytes()).unwrap();
    assert_eq!(meta.id(), Some(SW_ID));
    assert_eq!(meta.timestamp_millis(), Some(1_614_265_330_000));
    assert_eq!(meta.event_type(), None, "the vector's body has no `type`");

    // The reference tests' multi-signature header: junk v1 and v2 entries around the good one.
    let multi = format!(
        "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= {SW_SIG} v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
    );
    let mut h2 = h.clone();
    h2.insert("webhook-signature", multi.parse().unwrap());
    assert!(v.verify(&h2, SW_BODY.as_bytes()).is_ok());

    h2.insert("webhook-signature", SW_BAD_SIG.parse().unwrap());
    assert_eq!(
        v.verify(&h2, SW_BODY.as_bytes()).unwrap_err().kind(),
        RejectionKind::SignatureMismatch
    );
    // The id and the timestamp are signed.
    let mut h3 = h.clone();
    h3.insert("webhook-id", HeaderValue::from_static("msg_other"));
    assert_eq!(
        v.verify(&h3, SW_BODY.as_bytes()).unwrap_err().kind(),
        RejectionKind::SignatureMismatch
    );
    let mut h4 = h.clone();
    h4.insert("webhook-timestamp", HeaderValue::from_static("1614265331"));
    assert_eq!(
        v.verify(&h4, SW_BODY.as_bytes()).unwrap_err().kind(),
        RejectionKind::SignatureMismatch
    );
    // The spec's example header with an asymmetric `v1a,` entry next to the symmetric one.
    let mut h5 = h.clone();
    h5.insert(
        "webhook-signature",
        format!("{SW_SIG} v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==")
            .parse()
            .unwrap(),
    );
    assert!(v.verify(&h5, SW_BODY.as_bytes()).is_ok());

    // Our signer produces the vector.
    let signed = Delivery::new(Scheme::standard_webhooks(), SW_BODY)
        .id(SW_ID)
        .timestamp(1_614_265_330)
        .sign(&secret);
    assert_eq!(signed.header("webhook-signature"), Some(SW_SIG));
    assert!(Scheme::standard_webhooks().id_is_signed());
}

#[test]
fn standard_webhooks_accepts_the_svix_header_names() {
    let secret = Secret::from_whsec(SW_SECRET).unwrap();
    let v = verifier(Scheme::standard_webhooks(), secret, 1_614_265_330);
    let svix = headers(&[
        ("svix-id", SW_ID),
        ("svix-timestamp", SW_TS),
        ("svix-signature", SW_SIG),
    ]);
    assert_eq!(
        v.verify(&svix, SW_BODY.as_bytes()).unwrap().id(),
        Some(SW_ID)
    );
    // Both sets, agreeing (a sender that sends both brands): fine.
    let mut both = svix.clone();
    both.insert("webhook-id", HeaderValue::from_static(SW_ID));
    both.insert("webhook-timestamp", HeaderValue::from_static(SW_TS));
    both.insert("webhook-signature", HeaderValue::from_static(SW_SIG));
    assert!(v.verify(&both, SW_BODY.as_bytes()).is_ok());
    // Disagreeing: refused, whichever would have been signed.
    let mut split = both.clone();
    split.insert("webhook-id", HeaderValue::from_static("msg_other"));
    assert_eq!(
        v.verify(&split, SW_BODY.as_bytes()).unwrap_err().kind(),
        RejectionKind::IdMalformed
    );
    let mut split = both.clone();
    split.insert("webhook-timestamp", HeaderValue::from_static("1614265331"));
    assert_eq!(
        v.verify(&split, SW_BODY.as_bytes()).unwrap_err().kind(),
        RejectionKind::TimestampMalformed
    );
    let scheme = Scheme::standard_webhooks();
    let names: Vec<&str> = scheme.header_names().map(|h| h.as_str()).collect();
    assert_eq!(
        names,
        [
            "webhook-signature",
            "svix-signature",
            "webhook-timestamp",
            "svix-timestamp",
            "webhook-id",
            "svix-id"
        ]
    );
    assert!(matches!(scheme.id_field(), Some(Field::Headers(n)) if n.len() == 2));
}

// -- Stripe ------------------------------------------------------------------------------------
// Stripe publishes no fixed vector (its libraries' tests sign at run time); this one follows its
// documented scheme, HMAC-SHA256 over "<t>.<body>", hex, in a `v1=` entry.
// printf '%s.%s' 1700000000 \
//   '{"id":"evt_test_webhook","object":"event","type":"payment_intent.succeeded"}' \
//   | openssl dgst -sha256 -hmac 'whsec_test_secret'
const STRIPE_SECRET: &str = "whsec_test_secret";
const STRIPE_BODY: &str =
    r#"{"id":"evt_test_webhook","object":"event","type":"payment_intent.succeeded"}"#;
const STRIPE_SIG: &str = "130dc37d5a27b1b232a61e4f2ff00ed245f498112c11e8b747aff3d0fb754056";

#[test]
fn stripe_known_answer_with_the_timestamp_inside_the_signature_header() {
    let secret = Secret::new(STRIPE_SECRET).unwrap();
    let v = verifier(Scheme::stripe(), secret.clone(), 1_700_000_100);
    let header = format!("t=1700000000,v1={STRIPE_SIG}");
    let meta = v
        .verify(
            &headers(&[("stripe-signature", &header)]),
            STRIPE_BODY.as_bytes(),
        )
        .unwrap();
    assert_eq!(meta.id(), Some("evt_test_webhook"));
    assert_eq!(meta.event_type(), Some("payment_intent.succeeded"));
    assert_eq!(meta.timestamp_millis(), Some(1_700_000_000_000));

    let check = |value: &str| {
        v.verify(
            &headers(&[("stripe-signature", value)]),
            STRIPE_BODY.as_bytes(),
        )
        .map(|_| ())
        .map_err(|e| e.kind())
    };
    let zeros = "0".repeat(64);
    // Any v1 matching is enough; v0 (test mode) and unknown entries are ignored, in any order.
    assert_eq!(
        check(&format!("t=1700000000,v1={zeros},v1={STRIPE_SIG}")),
        Ok(())
    );
    assert_eq!(
        check(&format!("v0={zeros},v1={STRIPE_SIG},t=1700000000,x9=zz")),
        Ok(())
    );
    assert_eq!(check(&format!("t=1700000000, v1={STRIPE_SIG}")), Ok(()));
    // Only v0 / only wrong v1: refused.
    assert_eq!(
        check(&format!("t=1700000000,v0={STRIPE_SIG}")),
        Err(RejectionKind::SignatureMalformed)
    );
    assert_eq!(
        check(&format!("t=1700000000,v1={zeros}")),
        Err(RejectionKind::SignatureMismatch)
    );
    // The timestamp is signed: another (fresh) one breaks the signature.
    assert_eq!(
        check(&format!("t=1700000001,v1={STRIPE_SIG}")),
        Err(RejectionKind::SignatureMismatch)
    );
    // No t, several different t, a malformed t.
    assert_eq!(
        check(&format!("v1={STRIPE_SIG}")),
        Err(RejectionKind::TimestampMissing)
    );
    assert_eq!(
        check(&format!("t=1700000000,t=1700000001,v1={STRIPE_SIG}")),
        Err(RejectionKind::TimestampMalformed)
    );
    assert_eq!(
        check(&format!("t=1700000000,t=1700000000,v1={STRIPE_SIG}")),
        Ok(())
    );
    for bad in ["-1", "1e9", "", "0x10", "17000000000000000000000"] {
        assert_eq!(
            check(&format!("t={bad},v1={STRIPE_SIG}")),
            Err(RejectionKind::TimestampMalformed),
            "{bad:?}"
        );
    }
    // Default tolerance 300 s, like Stripe's libraries.
    let late = verifier(Scheme::stripe(), secret.clone(), 1_700_000_301);
    assert_eq!(
        late.verify(
            &headers(&[("stripe-signature", &header)]),
            STRIPE_BODY.as_bytes()
        )
        .unwrap_err()
        .kind(),
        RejectionKind::TimestampExpired
    );

    let signed = Delivery::new(Scheme::stripe(), STRIPE_BODY)
        .timestamp(1_700_000_000)
        .sign(&secret);
    assert_eq!(signed.header("stripe-signature"), Some(header.as_str()));
    assert!(
        Scheme::stripe().id_is_signed(),
        "the id is in the signed body"
    );
    assert!(matches!(
        Scheme::stripe().timestamp(),
        Some((TimestampSource::SignatureEntry(p), _)) if p == "t="
    ));
}

// -- Slack -------------------------------------------------------------------------------------
// Source: Slack API docs, "Verifying requests from Slack", the worked example: signing secret
// 8f742231b10e8888abcd99yyyzzz85a5 (deliberately not real hex), timestamp 1531420618, the
// slash-command body below, expected v0=a2114d57….
// Checked: printf 'v0:%s:%s' 1531420618 "$BODY" \
//   | openssl dgst -sha256 -hmac '8f742231b10e8888abcd99yyyzzz85a5'
const SLACK_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const SLACK_TS: &str = "1531420618";
const SLACK_BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const SLACK_SIG: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

#[test]
fn slack_documented_example() {
    let secret = Secret::new(SLACK_SECRET).unwrap();
    let v = verifier(Scheme::slack(), secret.clone(), 1_531_420_618 + 60);
    let h = headers(&[
        ("x-slack-signature", SLACK_SIG),
        ("x-slack-request-timestamp", SLACK_TS),
    ]);
    let meta = v.verify(&h, SLACK_BODY.as_bytes()).unwrap();
    assert_eq!(meta.id(), None, "a slash command carries no event_id");
    assert_eq!(
        meta.event_type(),
        None,
        "a form-encoded body has no JSON type"
    );
    let mut h2 = h.clone();
    h2.insert(
        "x-slack-request-timestamp",
        HeaderValue::from_static("1531420619"),
    );
    assert_eq!(
        v.verify(&h2, SLACK_BODY.as_bytes()).unwrap_err().kind(),
        RejectionKind::SignatureMismatch
    );
    let stale = verifier(Scheme::slack(), secret.clone(), 1_531_420_618 + 301);
    assert_eq!(
        stale.verify(&h, SLACK_BODY.as_bytes()).unwrap_err().kind(),
        RejectionKind::TimestampExpired
    );
    let signed = Delivery::new(Scheme::slack(), SLACK_BODY)
        .timestamp(1_531_420_618)
        .sign(&secret);
    assert_eq!(signed.header("x-slack-signature"), Some(SLACK_SIG));
}

// -- Shopify -----------------------------------------------------------------------------------
// Shopify publishes no vector; its documented scheme is base64 of HMAC-SHA256 over the raw body.
// printf '%s' '{"id":820982911946154508,"email":"jon@example.com","name":"#9999"}' \
//   | openssl dgst -sha256 -hmac 'shopify-app-client-secret-0123' -binary | base64
const SHOPIFY_SECRET: &str = "shopify-app-client-secret-0123";
const SHOPIFY_BODY: &str =
    r##"{"id":820982911946154508,"email":"jon@example.com","name":"#9999"}"##;
const SHOPIFY_SIG: &str = "qoofV6T3A6dUKfOYrrmVPHJ7AlTW/L+O05UxbQI2M6c=";

#[test]
fn shopify_known_answer() {
    let secret = Secret::new(SHOPIFY_SECRET).unwrap();
    let v = verifier(Scheme::shopify(), secret.clone(), 1_700_000_000);
    let h = headers(&[
        ("x-shopify-hmac-sha256", SHOPIFY_SIG),
        (
            "x-shopify-webhook-id",
            "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        ),
        ("x-shopify-topic", "orders/create"),
        ("x-shopify-triggered-at", "2023-03-29T18:00:27.877041743Z"),
    ]);
    let meta = v.verify(&h, SHOPIFY_BODY.as_bytes()).unwrap();
    assert_eq!(meta.id(), Some("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"));
    assert_eq!(meta.event_type(), Some("orders/create"));
    // With `X-Shopify-Event-Id`, the key of Shopify's duplicate guide, the id is the event's.
    let mut with_event = h.clone();
    with_event.insert(
        "x-shopify-event-id",
        HeaderValue::from_static("98880550-7158-44d4-b7cd-2c97c8a091b5"),
    );
    let meta = v.verify(&with_event, SHOPIFY_BODY.as_bytes()).unwrap();
    assert_eq!(meta.id(), Some("98880550-7158-44d4-b7cd-2c97c8a091b5"));
    // Hex where base64 is expected is malformed, not a mismatch.
    let mut h2 = h.clone();
    h2.insert(
        "x-shopify-hmac-sha256",
        HeaderValue::from_str(&"ab".repeat(32)).unwrap(),
    );
    assert_eq!(
        v.verify(&h2, SHOPIFY_BODY.as_bytes()).unwrap_err().kind(),
        RejectionKind::SignatureMalformed
    );
    let signed = Delivery::new(Scheme::shopify(), SHOPIFY_BODY)
        .id("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
        .event("orders/create")
        .sign(&secret);
    assert_eq!(signed.header("x-shopify-hmac-sha256"), Some(SHOPIFY_SIG));
    assert_eq!(signed.header("x-shopify-topic"), Some("orders/create"));
}

#[test]
fn the_builder_refuses_a_timestamp_entry_without_a_list() {
    use webhook_guard::scheme::{SchemeError, TimestampUnit};
    let single = Scheme::builder("x")
        .signature_header("sig")
        .signature_prefix("v1=")
        .timestamp_in_signature("t=", TimestampUnit::Seconds)
        .build();
    assert_eq!(single.unwrap_err(), SchemeError::InvalidTimestampEntry);
    let same_prefix = Scheme::builder("x")
        .signature_header("sig")
        .signature_list(',', "v1=")
        .timestamp_in_signature("v1=", TimestampUnit::Seconds)
        .build();
    assert_eq!(same_prefix.unwrap_err(), SchemeError::InvalidTimestampEntry);
    let empty = Scheme::builder("x")
        .signature_header("sig")
        .signature_list(',', "v1=")
        .timestamp_in_signature("", TimestampUnit::Seconds)
        .build();
    assert_eq!(empty.unwrap_err(), SchemeError::InvalidTimestampEntry);
}
