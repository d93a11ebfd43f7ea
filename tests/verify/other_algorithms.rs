//! Schemes that do not sign with HMAC-SHA256, through real servers on 127.0.0.1: Discord
//! (Ed25519 with the application's public key), Standard Webhooks `v1a` (Ed25519 with a `whpk_`
//! key, beside `v1` HMAC entries), GitLab (a shared token), and custom HMAC-SHA1 / -SHA512
//! schemes. The signatures checked here are made by the crate's test signer with RFC 8032's
//! test key pair; `tests/senders/sdk_interop.rs` checks the same schemes against the senders' own
//! libraries (PyNaCl for Discord).

use crate::common;

use common::send;
use webhook_guard::keys::PublicKey;
use webhook_guard::scheme::{Algorithm, Encoding};
use webhook_guard::testing::{Delivery, keys};
use webhook_guard::{Scheme, Secret, Verifier};

fn public_key() -> PublicKey {
    PublicKey::ed25519_hex(keys::ED25519_PUBLIC_HEX).unwrap()
}

/// A guarded route recording (id, event type, key label) of what it processed.
async fn route(verifier: Verifier) -> (std::net::SocketAddr, common::Seen) {
    common::recording_route(verifier).await
}

#[tokio::test]
async fn discord_interactions_verify_with_the_application_public_key() {
    let verifier = Verifier::builder(Scheme::discord())
        .public_key(public_key().with_label("portal"))
        .build()
        .unwrap();
    let (addr, seen) = route(verifier).await;
    let ping = r#"{"id":"1234567890","type":1,"application_id":"42"}"#;
    let d = Delivery::new(Scheme::discord(), ping).sign_ed25519(&keys::ED25519_SEED_TEST_ONLY);
    assert_eq!(d.header("x-signature-ed25519").unwrap().len(), 128, "hex");
    let a = send(addr, "/hook", d.clone()).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(
        seen.lock().unwrap()[0],
        [
            Some("1234567890".into()),
            Some("1".into()),
            Some("portal".into())
        ]
    );
    // Discord checks endpoints with bad signatures on purpose: each is refused.
    let mut tampered = d.clone();
    tampered.body = ping.replace("42", "43").into();
    assert_eq!(
        send(addr, "/hook", tampered).await.code(),
        "signature_mismatch"
    );
    let mut flipped = d.clone();
    let sig = d.header("x-signature-ed25519").unwrap();
    let other = format!(
        "{}{}",
        if sig.starts_with('0') { "1" } else { "0" },
        &sig[1..]
    );
    flipped
        .headers
        .insert("x-signature-ed25519", other.parse().unwrap());
    assert_eq!(
        send(addr, "/hook", flipped).await.code(),
        "signature_mismatch"
    );
    let mut short = d.clone();
    short
        .headers
        .insert("x-signature-ed25519", sig[..126].parse().unwrap());
    assert_eq!(
        send(addr, "/hook", short).await.code(),
        "signature_malformed"
    );
    let mut late = d.clone();
    late.headers
        .insert("x-signature-timestamp", "1".parse().unwrap());
    assert_eq!(send(addr, "/hook", late).await.code(), "timestamp_expired");
    // The same interaction again: a duplicate, on its body `id`.
    assert_eq!(
        send(addr, "/hook", d).await.json,
        serde_json::json!({"duplicate": true})
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn a_secret_is_no_key_for_discord_and_the_error_says_what_is() {
    let err = Verifier::builder(Scheme::discord())
        .secret(Secret::new("a-discord-bot-token-is-not-it").unwrap())
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("Ed25519"), "{err}");
    assert!(err.to_string().contains("public key"), "{err}");
}

#[tokio::test]
async fn standard_webhooks_v1a_entries_verify_beside_v1_hmac_entries() {
    let whsec = Secret::from_whsec("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let whpk = format!("whpk_{}", base64_of(&hex_bytes(keys::ED25519_PUBLIC_HEX)));
    let body = r#"{"type":"contact.created","data":{"id":"c_1"}}"#;
    let asymmetric = Delivery::new(Scheme::standard_webhooks(), body)
        .id("msg_v1a")
        .sign_ed25519(&keys::ED25519_SEED_TEST_ONLY);
    assert!(
        asymmetric
            .header("webhook-signature")
            .unwrap()
            .starts_with("v1a,")
    );

    // A verifier with the public key only accepts the v1a entry.
    let only_key = Verifier::builder(Scheme::standard_webhooks())
        .public_key(PublicKey::from_whpk(&whpk).unwrap())
        .build()
        .unwrap();
    let meta = only_key
        .verify(&asymmetric.headers, &asymmetric.body)
        .unwrap();
    assert_eq!(meta.id(), Some("msg_v1a"));
    // Both kinds of key configured, both kinds of entry sent, either one verifying: accepted.
    let both = Verifier::builder(Scheme::standard_webhooks())
        .secret(whsec.clone().with_label("hmac"))
        .public_key(PublicKey::from_whpk(&whpk).unwrap().with_label("ed25519"))
        .build()
        .unwrap();
    let hmac = Delivery::new(Scheme::standard_webhooks(), body)
        .id("msg_v1a")
        .timestamp(
            asymmetric
                .header("webhook-timestamp")
                .unwrap()
                .parse()
                .unwrap(),
        )
        .sign(&whsec);
    let mut combined = asymmetric.clone();
    let header = format!(
        "{} {}",
        hmac.header("webhook-signature").unwrap(),
        asymmetric.header("webhook-signature").unwrap()
    );
    combined
        .headers
        .insert("webhook-signature", header.parse().unwrap());
    assert_eq!(
        both.verify(&combined.headers, &combined.body)
            .unwrap()
            .secret_label(),
        Some("hmac")
    );
    assert_eq!(
        both.verify(&asymmetric.headers, &asymmetric.body)
            .unwrap()
            .secret_label(),
        Some("ed25519")
    );
    // A secret alone does not accept a v1a-only delivery: no key of its kind.
    let only_secret = Verifier::new(Scheme::standard_webhooks(), whsec);
    assert_eq!(
        only_secret
            .verify(&asymmetric.headers, &asymmetric.body)
            .unwrap_err()
            .code(),
        "signature_mismatch"
    );
    // Tampered: refused whatever the key.
    let mut tampered = combined.clone();
    tampered.body = body.replace("c_1", "c_2").into();
    assert_eq!(
        both.verify(&tampered.headers, &tampered.body)
            .unwrap_err()
            .code(),
        "signature_mismatch"
    );
}

#[tokio::test]
async fn gitlab_compares_its_token_and_deduplicates_on_the_idempotency_key() {
    // GitLab lets users type any token; short ones are opted into by name.
    let token = Secret::danger_allow_short("gl-hook-token").unwrap();
    let (addr, seen) = route(Verifier::new(Scheme::gitlab(), token.clone())).await;
    let push = r#"{"object_kind":"push","ref":"refs/heads/main"}"#;
    let d = Delivery::new(Scheme::gitlab(), push)
        .id("9b1b7c6e-1d55-4a1e-a7ee-5c4c2f0c1a01")
        .event("Push Hook")
        .sign(&token);
    assert_eq!(d.header("x-gitlab-token"), Some("gl-hook-token"));
    let a = send(addr, "/hook", d.clone()).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(
        seen.lock().unwrap()[0][..2],
        [
            Some("9b1b7c6e-1d55-4a1e-a7ee-5c4c2f0c1a01".into()),
            Some("Push Hook".into())
        ]
    );
    // GitLab's retry carries the same Idempotency-Key: a duplicate.
    assert_eq!(
        send(addr, "/hook", d.clone()).await.json,
        serde_json::json!({"duplicate": true})
    );
    // Another push (another body, another key) with the same token is processed: the token is
    // in every delivery, so it is not what replays are keyed on.
    let other = Delivery::new(Scheme::gitlab(), push.replace("main", "dev"))
        .event("Push Hook")
        .sign(&token);
    assert_eq!(send(addr, "/hook", other).await.status, 200);
    assert_eq!(seen.lock().unwrap().len(), 2);
    // A wrong token, one character off or one shorter, and no token at all.
    for wrong in ["gl-hook-tokeN", "gl-hook-toke"] {
        let mut bad = d.clone();
        bad.headers.insert("x-gitlab-token", wrong.parse().unwrap());
        bad.headers
            .insert("idempotency-key", "another-key".parse().unwrap());
        assert_eq!(
            send(addr, "/hook", bad).await.code(),
            "signature_mismatch",
            "{wrong}"
        );
    }
    let mut none = d.clone();
    none.headers.remove("x-gitlab-token");
    assert_eq!(send(addr, "/hook", none).await.code(), "signature_missing");
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn custom_hmac_sha1_and_sha512_schemes_verify_what_openssl_computes() {
    // `printf '%s' '{"n":1}' | openssl dgst -sha1 -hmac sha1-test-secret-0123456789`
    // and the same with `-sha512`.
    let cases = [
        (
            Algorithm::HmacSha1,
            "sha1=",
            "b96d01c77b90f9c1f63a8b815ef9c0b91f42b103",
        ),
        (
            Algorithm::HmacSha512,
            "sha512=",
            "1108ec0d057a18067345549bdd6e3d4f978a0790615b7291b40c1f8bacdf1adb3f732e9f98e135ed8eb5802857e61006ffc3ea1336a004f5653f221fcc241896",
        ),
    ];
    for (algorithm, prefix, expected) in cases {
        let scheme = Scheme::builder("custom")
            .signature_header("x-signature")
            .signature_prefix(prefix)
            .algorithm(algorithm)
            .encoding(Encoding::Hex)
            .build()
            .unwrap();
        let secret = Secret::new("sha1-test-secret-0123456789").unwrap();
        let d = Delivery::new(scheme.clone(), r#"{"n":1}"#).sign(&secret);
        let header = d.header("x-signature").unwrap().to_owned();
        assert_eq!(header, format!("{prefix}{expected}"));
        let verifier = Verifier::new(scheme, secret);
        assert!(
            verifier.verify(&d.headers, &d.body).is_ok(),
            "{algorithm:?}"
        );
        let mut tampered = d.clone();
        tampered.body = r#"{"n":2}"#.into();
        assert_eq!(
            verifier
                .verify(&tampered.headers, &tampered.body)
                .unwrap_err()
                .code(),
            "signature_mismatch"
        );
        let mut short = d.clone();
        short
            .headers
            .insert("x-signature", header[..header.len() - 2].parse().unwrap());
        assert_eq!(
            verifier
                .verify(&short.headers, &short.body)
                .unwrap_err()
                .code(),
            "signature_malformed"
        );
    }
}

#[test]
fn hmac_sha1_and_sha512_hash_while_the_body_arrives_in_chunks() {
    use webhook_guard::scheme::{SignedPart, TimestampUnit};
    // Parts before and after the body, and a rotation: the delivery is signed with the second
    // of two secrets, so the streamed state of each secret must be the one compared.
    for algorithm in [Algorithm::HmacSha1, Algorithm::HmacSha512] {
        let scheme = Scheme::builder("chunked")
            .signature_header("x-signature")
            .algorithm(algorithm)
            .encoding(Encoding::Base64)
            .timestamp_header("x-timestamp", TimestampUnit::Seconds)
            .id_header("x-id")
            .signed_parts([
                SignedPart::Timestamp,
                SignedPart::literal(":"),
                SignedPart::Body,
                SignedPart::literal(":"),
                SignedPart::Id,
            ])
            .build()
            .unwrap();
        let old = Secret::new("chunked-old-secret-0123456789").unwrap();
        let new = Secret::new("chunked-new-secret-0123456789").unwrap();
        let verifier = Verifier::builder(scheme.clone())
            .secret(old)
            .secret(new.clone())
            .build()
            .unwrap();
        let body = "{\"chunks\":\"".to_owned() + &"abcdefgh".repeat(300) + "\"}";
        let d = Delivery::new(scheme, body.clone()).id("msg_1").sign(&new);
        for chunk in [1, 7, 64, 1000, body.len()] {
            let mut state = verifier.begin(&d.headers).unwrap();
            for piece in d.body.chunks(chunk) {
                state.update(piece);
            }
            let meta = state
                .finish(&d.body)
                .unwrap_or_else(|e| panic!("{algorithm:?} in chunks of {chunk}: {e}"));
            assert_eq!(meta.secret_index(), 1, "{algorithm:?}");
            // One byte changed anywhere in the streamed body is a mismatch.
            let mut tampered = d.body.to_vec();
            let at = tampered.len() / 2;
            tampered[at] ^= 1;
            let mut state = verifier.begin(&d.headers).unwrap();
            for piece in tampered.chunks(chunk) {
                state.update(piece);
            }
            assert_eq!(
                state.finish(&tampered).unwrap_err().code(),
                "signature_mismatch",
                "{algorithm:?} in chunks of {chunk}"
            );
        }
        // A changed id (a part after the body) is a mismatch too.
        let mut other = d.clone();
        other.headers.insert("x-id", "msg_2".parse().unwrap());
        let mut state = verifier.begin(&other.headers).unwrap();
        state.update(&other.body);
        assert_eq!(
            state.finish(&other.body).unwrap_err().code(),
            "signature_mismatch"
        );
    }
}

fn hex_bytes(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
