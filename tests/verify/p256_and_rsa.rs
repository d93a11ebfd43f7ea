//! Schemes signed with ECDSA P-256 (SendGrid) and RSA PKCS#1 v1.5 (PayPal), checked with the
//! sender's public key. The fixture signatures in `testing::keys` were made by OpenSSL, not by
//! this crate, and are verified through a `Verifier` with custom schemes whose signed message is
//! `keys::FIXTURE_MESSAGE`; SendGrid and PayPal deliveries signed by the crate's test signer
//! go through real servers on 127.0.0.1. `tests/senders/sdk_interop.rs` checks SendGrid against
//! its own Python library, and PayPal against a signature made with Python's `cryptography`.

use crate::common;

use base64::Engine as _;
use common::send;
use webhook_guard::clock::ManualClock;
use webhook_guard::keys::PublicKey;
use webhook_guard::scheme::{Algorithm, Encoding, SignedPart, TimestampUnit};
use webhook_guard::testing::{Delivery, SignedDelivery, keys};
use webhook_guard::{Scheme, Secret, Verifier};

/// The fixture message is `webhook-guard test message: 1733220000.{"event":"test"}`: a scheme
/// whose signed message is `webhook-guard test message: <timestamp>.<body>` makes exactly
/// these bytes from the timestamp `1733220000` and the body `{"event":"test"}`.
const FIXTURE_TIMESTAMP: u64 = 1_733_220_000;
const FIXTURE_BODY: &str = r#"{"event":"test"}"#;

fn fixture_scheme(algorithm: Algorithm) -> Scheme {
    Scheme::builder("openssl-fixture")
        .signature_header("x-fixture-signature")
        .algorithm(algorithm)
        .encoding(Encoding::Base64)
        .timestamp_header("x-fixture-timestamp", TimestampUnit::Seconds)
        .signed_parts([
            SignedPart::literal("webhook-guard test message: "),
            SignedPart::Timestamp,
            SignedPart::literal("."),
            SignedPart::Body,
        ])
        .build()
        .unwrap()
}

/// A delivery of the fixture message carrying `signature` (base64) as is.
fn fixture_delivery(signature: &str) -> SignedDelivery {
    let mut headers = http::HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    headers.insert(
        "x-fixture-timestamp",
        FIXTURE_TIMESTAMP.to_string().parse().unwrap(),
    );
    headers.insert("x-fixture-signature", signature.parse().unwrap());
    SignedDelivery {
        headers,
        body: FIXTURE_BODY.into(),
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

/// A guarded route recording (id, event type, key label) of what it processed.
async fn route(verifier: Verifier) -> (std::net::SocketAddr, common::Seen) {
    common::recording_route(verifier).await
}

fn with_header(d: &SignedDelivery, name: &'static str, value: &str) -> SignedDelivery {
    let mut d = d.clone();
    d.headers.insert(name, value.parse().unwrap());
    d
}

#[cfg(feature = "p256")]
mod p256_sendgrid {
    use super::*;

    fn sendgrid_key() -> PublicKey {
        // The form SendGrid's settings show: the base64 of the SubjectPublicKeyInfo DER.
        let der_b64: String = keys::P256_PUBLIC_PEM
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        PublicKey::p256_base64(&der_b64).unwrap()
    }

    /// The group order of P-256, for the other valid `s` of a signature.
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];

    /// `N - s` for a 32-byte big-endian `s`.
    fn negate(s: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        let mut borrow = 0i16;
        for i in (0..32).rev() {
            let mut d = i16::from(N[i]) - i16::from(s[i]) - borrow;
            borrow = 0;
            if d < 0 {
                d += 256;
                borrow = 1;
            }
            out[i] = d as u8;
        }
        out
    }

    /// The OpenSSL signature as DER, as the fixed `r ‖ s` form, and as `(r, N - s)`: all three
    /// verify; the last two are the same signed message as the first, so the guard counts a
    /// replay in either form as a duplicate.
    #[tokio::test]
    async fn an_openssl_p256_signature_verifies_in_every_form_and_replays_are_caught() {
        let scheme = fixture_scheme(Algorithm::EcdsaP256Sha256);
        let key = PublicKey::p256_pem(keys::P256_PUBLIC_PEM).unwrap();
        let verifier = Verifier::builder(scheme.clone())
            .public_key(key.with_label("openssl"))
            .clock(ManualClock::at_secs(FIXTURE_TIMESTAMP + 10))
            .build()
            .unwrap();
        let der = unb64(keys::P256_OPENSSL_SIGNATURE_DER_BASE64);
        let d = fixture_delivery(keys::P256_OPENSSL_SIGNATURE_DER_BASE64);
        let meta = verifier.verify(&d.headers, &d.body).unwrap();
        assert_eq!(meta.secret_label(), Some("openssl"));

        let sig = p256::ecdsa::Signature::from_der(&der).unwrap();
        let fixed: Vec<u8> = sig.to_bytes().to_vec();
        let (r, s) = fixed.split_at(32);
        let mut high = r.to_vec();
        high.extend_from_slice(&negate(s));
        for other in [&fixed, &high] {
            let d = fixture_delivery(&b64(other));
            assert!(verifier.verify(&d.headers, &d.body).is_ok());
        }

        // Another body, another timestamp, a flipped signature byte: refused as a mismatch.
        let mut tampered = d.clone();
        tampered.body = r#"{"event":"tset"}"#.into();
        let late = with_header(&d, "x-fixture-timestamp", "1733220001");
        let mut flipped = der.clone();
        flipped[20] ^= 1;
        for bad in [tampered, late, fixture_delivery(&b64(&flipped))] {
            assert_eq!(
                verifier.verify(&bad.headers, &bad.body).unwrap_err().code(),
                "signature_mismatch"
            );
        }

        // Through the guard: the first is processed, the other encodings of the same signature
        // are duplicates.
        let (addr, seen) = route(verifier).await;
        assert_eq!(send(addr, "/hook", d).await.status, 200);
        for other in [&fixed, &high, &der] {
            let a = send(addr, "/hook", fixture_delivery(&b64(other))).await;
            assert_eq!(a.json, serde_json::json!({"duplicate": true}));
        }
        assert_eq!(seen.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn sendgrid_event_batches_verify_with_the_settings_key() {
        let verifier = Verifier::builder(Scheme::sendgrid())
            .public_key(sendgrid_key().with_label("settings"))
            .build()
            .unwrap();
        let (addr, seen) = route(verifier.clone()).await;
        let batch = r#"[{"email":"a@example.com","timestamp":1733220000,"event":"delivered","sg_event_id":"sg-1"},{"email":"b@example.com","timestamp":1733220001,"event":"open","sg_event_id":"sg-2"}]"#;
        let d =
            Delivery::new(Scheme::sendgrid(), batch).sign_p256(keys::P256_PRIVATE_PEM_TEST_ONLY);
        let sig = d
            .header("x-twilio-email-event-webhook-signature")
            .unwrap()
            .to_owned();
        assert!(unb64(&sig)[0] == 0x30, "a DER SEQUENCE, as SendGrid sends");
        let ts = d
            .header("x-twilio-email-event-webhook-timestamp")
            .unwrap()
            .to_owned();
        assert!(ts.parse::<u64>().is_ok(), "unix seconds: {ts}");

        let a = send(addr, "/hook", d.clone()).await;
        assert_eq!(a.status, 200, "{:?}", a.json);
        assert_eq!(
            seen.lock().unwrap()[0],
            [None, None, Some("settings".into())],
            "no delivery id, no event type: both are per event in the batch"
        );
        // The same POST again: a duplicate, keyed on its signature.
        assert_eq!(
            send(addr, "/hook", d.clone()).await.json,
            serde_json::json!({"duplicate": true})
        );

        // A changed body or timestamp: the signature no longer matches.
        let mut tampered = d.clone();
        tampered.body = batch.replace("sg-2", "sg-3").into();
        assert_eq!(
            send(addr, "/hook", tampered).await.code(),
            "signature_mismatch"
        );
        let later = (ts.parse::<u64>().unwrap() + 1).to_string();
        let moved = with_header(&d, "x-twilio-email-event-webhook-timestamp", &later);
        assert_eq!(
            send(addr, "/hook", moved).await.code(),
            "signature_mismatch"
        );

        // Malformed signatures: cut short, not base64, far too long, empty.
        for bad in [
            sig[..sig.len() - 4].to_owned(),
            format!("!{}", &sig[1..]),
            "A".repeat(400),
            "MEQ=".to_owned(),
        ] {
            let a = send(
                addr,
                "/hook",
                with_header(&d, "x-twilio-email-event-webhook-signature", &bad),
            )
            .await;
            assert_eq!(a.code(), "signature_malformed", "{bad}");
        }
        let mut none = d.clone();
        none.headers
            .remove("x-twilio-email-event-webhook-signature");
        assert_eq!(send(addr, "/hook", none).await.code(), "signature_missing");
        let old = with_header(&d, "x-twilio-email-event-webhook-timestamp", "1733220000");
        assert_eq!(send(addr, "/hook", old).await.code(), "timestamp_expired");
        assert_eq!(seen.lock().unwrap().len(), 1);

        // Signed with another P-256 key: refused.
        let other = p256::SecretKey::from_slice(&[7u8; 32]).unwrap();
        let other_pem = {
            use p256::pkcs8::EncodePrivateKey as _;
            other.to_pkcs8_pem(Default::default()).unwrap()
        };
        let forged = Delivery::new(Scheme::sendgrid(), batch).sign_p256(&other_pem);
        assert_eq!(
            verifier
                .verify(&forged.headers, &forged.body)
                .unwrap_err()
                .code(),
            "signature_mismatch"
        );
    }

    #[test]
    fn sendgrid_needs_a_p256_key_and_says_so() {
        let err = Verifier::builder(Scheme::sendgrid())
            .secret(Secret::new("a-sendgrid-api-key-is-not-it").unwrap())
            .build()
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("ECDSA P-256") && text.contains("`p256`"),
            "{text}"
        );
        #[cfg(feature = "ed25519")]
        {
            let ed = PublicKey::ed25519_hex(keys::ED25519_PUBLIC_HEX).unwrap();
            let err = Verifier::builder(Scheme::sendgrid())
                .public_key(ed)
                .build()
                .unwrap_err();
            assert!(err.to_string().contains("Ed25519"), "{err}");
        }
        #[cfg(feature = "rsa")]
        {
            let rsa = PublicKey::from_certificate_pem(keys::RSA_CERTIFICATE_PEM).unwrap();
            let err = Verifier::builder(Scheme::sendgrid())
                .public_key(rsa)
                .build()
                .unwrap_err();
            assert!(err.to_string().contains("RSA"), "{err}");
        }
    }
}

#[cfg(feature = "rsa")]
mod rsa_paypal {
    use super::*;

    const WEBHOOK_ID: &str = "8PT597110X687430LKGECATA";

    fn certificate() -> PublicKey {
        PublicKey::from_certificate_pem(keys::RSA_CERTIFICATE_PEM).unwrap()
    }

    /// OpenSSL's RSA signature of the fixture message verifies with the public key and with
    /// the certificate; a changed message or signature does not.
    #[test]
    fn an_openssl_rsa_signature_verifies_with_the_key_and_the_certificate() {
        let scheme = fixture_scheme(Algorithm::RsaPkcs1Sha256);
        let d = fixture_delivery(keys::RSA_OPENSSL_SIGNATURE_BASE64);
        for key in [
            PublicKey::rsa_pem(keys::RSA_PUBLIC_PEM).unwrap(),
            certificate(),
        ] {
            let verifier = Verifier::builder(scheme.clone())
                .public_key(key)
                .clock(ManualClock::at_secs(FIXTURE_TIMESTAMP))
                .build()
                .unwrap();
            assert!(verifier.verify(&d.headers, &d.body).is_ok());
            let mut tampered = d.clone();
            tampered.body = r#"{"event":"tesT"}"#.into();
            let mut flipped = unb64(keys::RSA_OPENSSL_SIGNATURE_BASE64);
            flipped[100] ^= 0x40;
            for bad in [tampered, fixture_delivery(&b64(&flipped))] {
                assert_eq!(
                    verifier.verify(&bad.headers, &bad.body).unwrap_err().code(),
                    "signature_mismatch"
                );
            }
            // Cut to 255 bytes, or 2 KiB: malformed by length alone.
            let sig = unb64(keys::RSA_OPENSSL_SIGNATURE_BASE64);
            for bad in [b64(&sig[..255]), b64(&[7u8; 2048])] {
                let d = fixture_delivery(&bad);
                assert_eq!(
                    verifier.verify(&d.headers, &d.body).unwrap_err().code(),
                    "signature_malformed"
                );
            }
        }
    }

    fn capture(id: &str) -> String {
        format!(
            r#"{{"id":"{id}","event_version":"1.0","resource_type":"capture","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{{"id":"27M47624FP291604U","status":"COMPLETED"}}}}"#
        )
    }

    #[tokio::test]
    async fn paypal_verifies_with_the_certificate_and_deduplicates_retries_on_the_event_id() {
        let paypal = Scheme::paypal(WEBHOOK_ID).unwrap();
        assert!(
            !paypal.id_is_signed(),
            "the body is covered by a CRC32 only"
        );
        let verifier = Verifier::builder(paypal.clone())
            .public_key(certificate().with_label("CERT-360caa42"))
            .build()
            .unwrap();
        let (addr, seen) = route(verifier.clone()).await;
        let body = capture("WH-58D329510W468432D-8HN650336L201105X");
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            * 1000;
        let d = Delivery::new(paypal.clone(), body.clone())
            .id("b2384410-f8d2-11ec-b22c-9fb3e4ce5e8b")
            .timestamp(now_ms)
            .sign_rsa(keys::RSA_PRIVATE_PEM_TEST_ONLY);
        let time = d.header("paypal-transmission-time").unwrap().to_owned();
        assert!(
            time.len() == 20 && time.as_bytes()[10] == b'T' && time.ends_with('Z'),
            "{time}"
        );
        assert_eq!(
            unb64(d.header("paypal-transmission-sig").unwrap()).len(),
            256
        );

        let a = send(addr, "/hook", d.clone()).await;
        assert_eq!(a.status, 200, "{:?}", a.json);
        assert_eq!(
            seen.lock().unwrap()[0],
            [
                Some("WH-58D329510W468432D-8HN650336L201105X".into()),
                Some("PAYMENT.CAPTURE.COMPLETED".into()),
                Some("CERT-360caa42".into())
            ]
        );
        // PayPal's retry: a new transmission (id, time, signature), the same event: a duplicate.
        let retry = Delivery::new(paypal.clone(), body.clone())
            .id("c9a1e2f0-f8d2-11ec-b22c-9fb3e4ce5e8b")
            .sign_rsa(keys::RSA_PRIVATE_PEM_TEST_ONLY);
        assert_ne!(
            retry.header("paypal-transmission-sig"),
            d.header("paypal-transmission-sig")
        );
        assert_eq!(
            send(addr, "/hook", retry).await.json,
            serde_json::json!({"duplicate": true})
        );
        // Another event is processed.
        let next = Delivery::new(paypal.clone(), capture("WH-2"))
            .sign_rsa(keys::RSA_PRIVATE_PEM_TEST_ONLY);
        assert_eq!(send(addr, "/hook", next).await.status, 200);
        assert_eq!(seen.lock().unwrap().len(), 2);

        // Every signed part counts: body, time, transmission id; and the webhook id, which is
        // the receiver's own configuration.
        let mut body_changed = d.clone();
        body_changed.body = body.replace("COMPLETED\"}}", "COMPLETED \"}}").into();
        let moved_time = TimestampUnit::Rfc3339.text(now_ms + 1000);
        for bad in [
            body_changed,
            with_header(&d, "paypal-transmission-time", &moved_time),
            with_header(
                &d,
                "paypal-transmission-id",
                "b2384410-f8d2-11ec-b22c-9fb3e4ce5e8c",
            ),
        ] {
            assert_eq!(send(addr, "/hook", bad).await.code(), "signature_mismatch");
        }
        let elsewhere =
            Verifier::with_public_key(Scheme::paypal("5GP028458E2496506").unwrap(), certificate());
        assert_eq!(
            elsewhere.verify(&d.headers, &d.body).unwrap_err().code(),
            "signature_mismatch"
        );

        // Malformed: times that are not RFC 3339, an old one, a cut signature, no id header.
        for bad_time in ["1733220000", "2016-09-21 22:00:46Z", "2016-02-30T22:00:46Z"] {
            let a = send(
                addr,
                "/hook",
                with_header(&d, "paypal-transmission-time", bad_time),
            )
            .await;
            assert_eq!(a.code(), "timestamp_malformed", "{bad_time}");
        }
        let old = with_header(&d, "paypal-transmission-time", "2016-09-21T22:00:46Z");
        assert_eq!(send(addr, "/hook", old).await.code(), "timestamp_expired");
        let sig = d.header("paypal-transmission-sig").unwrap();
        let cut = with_header(&d, "paypal-transmission-sig", &sig[..sig.len() - 8]);
        assert_eq!(send(addr, "/hook", cut).await.code(), "signature_malformed");
        let mut no_id = d.clone();
        no_id.headers.remove("paypal-transmission-id");
        assert_eq!(send(addr, "/hook", no_id).await.code(), "id_missing");
        assert_eq!(seen.lock().unwrap().len(), 2);
    }

    #[test]
    fn paypal_needs_an_rsa_key_and_a_well_formed_webhook_id() {
        let paypal = Scheme::paypal(WEBHOOK_ID).unwrap();
        let err = Verifier::builder(paypal.clone())
            .secret(Secret::new("a-paypal-client-secret-is-not-it").unwrap())
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains("RSA") && err.to_string().contains("`rsa`"),
            "{err}"
        );
        #[cfg(feature = "p256")]
        {
            let p256 = PublicKey::p256_pem(keys::P256_PUBLIC_PEM).unwrap();
            let err = Verifier::builder(paypal)
                .public_key(p256)
                .build()
                .unwrap_err();
            assert!(err.to_string().contains("ECDSA P-256"), "{err}");
        }
        for (bad, why) in [
            ("", "empty"),
            (" 8PT597110X687430LKGECATA", "whitespace"),
            ("8PT597110X687430LKGECATA\n", "whitespace"),
            ("WH-8PT597110X687430LKGECATA", "letters and digits"),
            (&"A".repeat(51)[..], "50"),
        ] {
            let err = Scheme::paypal(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad:?}: {err}");
        }
    }
}
