//! `Verifier::verify` per built-in scheme and body size, against a bare HMAC-SHA256 of the same
//! bytes with a pre-keyed state (cloned per message), measured in the same run.
//!
//! `cargo bench --bench verify` (add `-- 10KiB` to run one size only).
//!
//! Also: `verify_busy_headers/256B`, the same at 256 B with 15 unrelated headers (host,
//! user-agent, forwarding headers, …) in the map, as a request that crossed a proxy carries.
//!
//! Also: `hash_while_reading`, the time from the last body byte to the verdict when the body
//! was absorbed chunk by chunk as it arrived (`Verifier::begin` + `update`), against buffering
//! the whole body and hashing it then (`Verifier::verify` on the complete buffer).
//!
//! Also: `verify_sender_shaped/<size>/<scheme>`, for the schemes that read a field from the
//! body, on bodies laid out as the sender lays out its events (Stripe's `type` comes last,
//! after `data`), against a bare HMAC of the same bytes.
//!
//! Also: `verify_rotation/<size>`, two configured secrets with deliveries signed by the first
//! and by the second.
//!
//! Also: `verify_sha1/<size>`, Intercom's HMAC-SHA1 scheme against a bare HMAC-SHA1.
//!
//! Also (`--features ed25519`): `verify_asymmetric/<size>`, Discord's Ed25519 scheme through
//! the verifier against a bare `ed25519-dalek` strict verification of the same message, and
//! GitLab's shared token. With `--features p256` and `rsa`, `verify_p256/<size>` and
//! `verify_rsa/<size>`: SendGrid's and PayPal's schemes through the verifier against a bare
//! `p256` / `rsa` verification of the same message (SHA-256 and the check, as the verifier
//! does them).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderValue};
use sha2::Sha256;
use webhook_guard::clock::ManualClock;
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{Scheme, Secret, Verifier};

const SIZES: &[(usize, &str)] = &[
    (256, "256B"),
    (1024, "1KiB"),
    (10 * 1024, "10KiB"),
    (100 * 1024, "100KiB"),
    (1024 * 1024, "1MiB"),
];
const KEY: &str = "bench-secret-0123456789abcdef";
const NOW_SECS: u64 = 1_790_000_000;

/// A JSON body of exactly `size` bytes that every scheme accepts (ids and types where the
/// scheme reads them from the body).
fn body(size: usize) -> String {
    let head = r#"{"id":"evt_1","request_id":"req_1","type":"bench.event","event":"call.completed","pad":""#;
    let tail = r#""}"#;
    let pad = size.saturating_sub(head.len() + tail.len());
    format!("{head}{}{tail}", "x".repeat(pad))
}

fn schemes() -> Vec<Scheme> {
    vec![
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

fn signed(scheme: &Scheme, body: &str) -> (Verifier, SignedDelivery) {
    let secret = Secret::new(KEY).unwrap();
    let verifier = Verifier::builder(scheme.clone())
        .secret(secret.clone())
        .clock(ManualClock::at_secs(NOW_SECS))
        .build()
        .unwrap();
    let d = Delivery::new(scheme.clone(), body.to_owned())
        .id("delivery_0001")
        .event("bench.event")
        .timestamp_millis(NOW_SECS * 1000)
        .sign(&secret);
    verifier
        .verify(&d.headers, &d.body)
        .expect("the bench delivery verifies");
    (verifier, d)
}

fn core(c: &mut Criterion) {
    let pre_keyed = <Hmac<Sha256> as Mac>::new_from_slice(KEY.as_bytes()).unwrap();
    for &(size, label) in SIZES {
        let mut g = c.benchmark_group(format!("verify/{label}"));
        g.throughput(Throughput::Bytes(size as u64));
        if size >= 100 * 1024 {
            g.sample_size(30);
        }
        g.warm_up_time(Duration::from_millis(500));
        g.measurement_time(Duration::from_secs(2));
        let b = body(size);
        g.bench_function("bare_hmac_sha256", |bench| {
            bench.iter(|| {
                let mut mac = pre_keyed.clone();
                mac.update(black_box(b.as_bytes()));
                black_box(mac.finalize().into_bytes())
            })
        });
        for scheme in schemes() {
            let (verifier, d) = signed(&scheme, &b);
            g.bench_function(BenchmarkId::from_parameter(scheme.name()), |bench| {
                bench.iter(|| black_box(verifier.verify(black_box(&d.headers), black_box(&d.body))))
            });
        }
        g.finish();
    }
}

/// Headers a real request picks up on its way through clients, proxies and load balancers; the
/// sender's four or five headers are a minority of the map.
fn add_busy_headers(h: &mut HeaderMap) {
    for (name, value) in [
        ("host", "hooks.example.com"),
        ("user-agent", "Sender-Hookshot/1.0"),
        ("content-length", "256"),
        ("accept", "*/*"),
        ("accept-encoding", "gzip, deflate, br"),
        ("x-forwarded-for", "203.0.113.7, 10.0.0.2"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "hooks.example.com"),
        ("x-real-ip", "203.0.113.7"),
        ("x-request-id", "5b0b7d1e-8f3c-4a55-9c1e-2f1f3b0a9d44"),
        (
            "x-amzn-trace-id",
            "Root=1-67891233-abcdef012345678912345678",
        ),
        (
            "traceparent",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        ),
        ("connection", "keep-alive"),
        ("via", "1.1 proxy.example.net"),
        ("cdn-loop", "cloudflare"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
}

/// `verify` at 256 B when the request carries 15 unrelated headers besides the sender's (the
/// header lookups then run against a realistic map).
fn busy_headers(c: &mut Criterion) {
    let pre_keyed = <Hmac<Sha256> as Mac>::new_from_slice(KEY.as_bytes()).unwrap();
    let mut g = c.benchmark_group("verify_busy_headers/256B");
    g.throughput(Throughput::Bytes(256));
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(2));
    let b = body(256);
    g.bench_function("bare_hmac_sha256", |bench| {
        bench.iter(|| {
            let mut mac = pre_keyed.clone();
            mac.update(black_box(b.as_bytes()));
            black_box(mac.finalize().into_bytes())
        })
    });
    for scheme in schemes() {
        let (verifier, mut d) = signed(&scheme, &b);
        add_busy_headers(&mut d.headers);
        g.bench_function(BenchmarkId::from_parameter(scheme.name()), |bench| {
            bench.iter(|| black_box(verifier.verify(black_box(&d.headers), black_box(&d.body))))
        });
    }
    g.finish();
}

/// The verdict after the last byte: absorbed while reading vs buffered then hashed.
fn hash_while_reading(c: &mut Criterion) {
    for &(size, label) in &SIZES[2..] {
        let mut g = c.benchmark_group(format!("last_byte_to_verdict/{label}"));
        g.warm_up_time(Duration::from_millis(500));
        g.measurement_time(Duration::from_secs(2));
        let b = body(size);
        let (verifier, d) = signed(&Scheme::heppu(), &b);
        let chunk = 16 * 1024;
        g.bench_function("hash_while_reading", |bench| {
            bench.iter_batched(
                || {
                    // Everything but the last chunk arrived and was hashed already.
                    let mut state = verifier.begin(&d.headers).unwrap();
                    let split = d.body.len().saturating_sub(chunk.min(d.body.len()));
                    state.update(&d.body[..split]);
                    (state, split)
                },
                |(mut state, split)| {
                    state.update(&d.body[split..]);
                    black_box(state.finish(&d.body))
                },
                BatchSize::SmallInput,
            )
        });
        g.bench_function("buffer_then_hash", |bench| {
            bench.iter(|| black_box(verifier.verify(&d.headers, &d.body)))
        });
        g.finish();
    }
}

/// A body of about `size` bytes laid out as `scheme`'s sender lays out its events (the
/// repo's samples, with the bulk grown): Stripe puts the event `type` last, after `data`;
/// Slack puts `type` after the `event` object; Standard Webhooks senders put `type` first;
/// Helicone puts `request_id` first. The bench body of [`core`] has every field first.
fn sender_shaped(scheme: &str, size: usize) -> String {
    let (head, item, tail): (&str, fn(usize) -> String, &str) = match scheme {
        "stripe" => (
            r#"{"id":"evt_1NfVbN2eZvKYlo2CfkRaWXCj","object":"event","api_version":"2022-11-15","created":1692216937,"data":{"object":{"id":"in_1","object":"invoice","lines":{"object":"list","data":["#,
            |i| {
                format!(
                    r#"{{"id":"il_{i:08}","object":"line_item","amount":1999,"currency":"usd","description":"1 x Widget (at $19.99 / month)","discountable":true,"metadata":{{}},"period":{{"end":1695000000,"start":1692216937}},"proration":false,"quantity":1,"type":"subscription"}}"#
                )
            },
            r#"]}}},"livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"invoice.updated"}"#,
        ),
        "slack" => (
            r#"{"token":"XXYYZZ","team_id":"T123ABC456","api_app_id":"A123ABC456","event":{"type":"message","user":"U123ABC456","channel":"C123ABC456","ts":"1515449522.000016","blocks":["#,
            |i| {
                format!(
                    r#"{{"type":"rich_text","block_id":"b{i:06}","elements":[{{"type":"rich_text_section","elements":[{{"type":"text","text":"What is the hour of the pearl, \"sister\"? "}},{{"type":"user","user_id":"U0LAN0Z89"}}]}}]}}"#
                )
            },
            r#"]},"type":"event_callback","event_id":"Ev123ABC456","event_time":1515449522,"authorizations":[{"enterprise_id":null,"team_id":"T123ABC456","user_id":"U123ABC456","is_bot":false}],"is_ext_shared_channel":false}"#,
        ),
        "standard-webhooks" => (
            r#"{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"contacts":["#,
            |i| {
                format!(
                    r#"{{"id":"1f81eb52-5198-4599-803e-{i:012}","fullName":"John Smith","address":"800 W NASA Pkwy, Webster, TX 77598, USA","phoneNumber":"(281) 332-2575","birthday":"1980-04-19"}}"#
                )
            },
            r#"]}}"#,
        ),
        _ => (
            r#"{"request_id":"550e8400-e29b-41d4-a716-446655440000","user_id":"user-123","model":"gpt-4o-mini","provider":"openai","messages":["#,
            |i| {
                format!(
                    r#"{{"role":"user","content":"Message {i}: summarise the attached report in three short bullet points."}}"#
                )
            },
            r#"],"metadata":{"cost":0.0015,"promptTokens":10,"completionTokens":15,"totalTokens":25,"latencyMs":1200}}"#,
        ),
    };
    let mut body = String::from(head);
    let mut i = 0;
    loop {
        let next = item(i);
        if i > 0 && body.len() + next.len() + 1 + tail.len() > size {
            break;
        }
        if i > 0 {
            body.push(',');
        }
        body.push_str(&next);
        i += 1;
    }
    body.push_str(tail);
    body
}

/// `verify` on bodies laid out as each sender that puts fields in the body lays out its events,
/// where the field may come after the bulk of the body, against a bare HMAC of the same bytes.
fn sender_shaped_bodies(c: &mut Criterion) {
    let pre_keyed = <Hmac<Sha256> as Mac>::new_from_slice(KEY.as_bytes()).unwrap();
    for &(size, label) in &SIZES[1..4] {
        for scheme in [
            Scheme::stripe(),
            Scheme::slack(),
            Scheme::standard_webhooks(),
            Scheme::helicone(),
        ] {
            let b = sender_shaped(scheme.name(), size);
            assert!(serde_json::from_str::<serde_json::Value>(&b).is_ok());
            let (verifier, d) = signed(&scheme, &b);
            let meta = verifier.verify(&d.headers, &d.body).unwrap();
            assert!(meta.event_type().is_some() || scheme.name() == "helicone");
            // One group per scheme: the bodies differ a little in size.
            let mut g =
                c.benchmark_group(format!("verify_sender_shaped/{label}/{}", scheme.name()));
            g.throughput(Throughput::Bytes(b.len() as u64));
            g.warm_up_time(Duration::from_millis(500));
            g.measurement_time(Duration::from_secs(2));
            g.bench_function("bare_hmac_sha256", |bench| {
                bench.iter(|| {
                    let mut mac = pre_keyed.clone();
                    mac.update(black_box(b.as_bytes()));
                    black_box(mac.finalize().into_bytes())
                })
            });
            g.bench_function("verify", |bench| {
                bench.iter(|| black_box(verifier.verify(black_box(&d.headers), black_box(&d.body))))
            });
            g.finish();
        }
    }
}

/// Two configured secrets, as during a rotation: deliveries signed with the first, and with the
/// second (the sender already moved to it), against a bare HMAC of the same bytes.
fn rotation(c: &mut Criterion) {
    let pre_keyed = <Hmac<Sha256> as Mac>::new_from_slice(KEY.as_bytes()).unwrap();
    for &(size, label) in &SIZES[1..3] {
        let mut g = c.benchmark_group(format!("verify_rotation/{label}"));
        g.throughput(Throughput::Bytes(size as u64));
        g.warm_up_time(Duration::from_millis(500));
        g.measurement_time(Duration::from_secs(2));
        let b = body(size);
        g.bench_function("bare_hmac_sha256", |bench| {
            bench.iter(|| {
                let mut mac = pre_keyed.clone();
                mac.update(black_box(b.as_bytes()));
                black_box(mac.finalize().into_bytes())
            })
        });
        let other = Secret::new("another-secret-0123456789").unwrap();
        let secrets = [Secret::new(KEY).unwrap(), other];
        for (name, signer) in [("signed_with_first", 0), ("signed_with_second", 1)] {
            let verifier = Verifier::builder(Scheme::helix())
                .secrets(secrets.iter().cloned())
                .clock(ManualClock::at_secs(NOW_SECS))
                .build()
                .unwrap();
            let d = Delivery::new(Scheme::helix(), b.clone())
                .id("delivery_0001")
                .timestamp_millis(NOW_SECS * 1000)
                .sign(&secrets[signer]);
            let meta = verifier.verify(&d.headers, &d.body).unwrap();
            assert_eq!(meta.secret_index(), signer);
            g.bench_function(name, |bench| {
                bench.iter(|| black_box(verifier.verify(black_box(&d.headers), black_box(&d.body))))
            });
        }
        g.finish();
    }
}

/// Discord's Ed25519 scheme through the verifier, against the primitive on the same message
/// (`<timestamp><body>`, assembled once outside the timing), and GitLab's token.
#[cfg(feature = "ed25519")]
fn asymmetric(c: &mut Criterion) {
    use ed25519_dalek::{Signature, Signer, SigningKey};
    use webhook_guard::keys::PublicKey;
    use webhook_guard::testing::keys;

    let signing = SigningKey::from_bytes(&keys::ED25519_SEED_TEST_ONLY);
    let verifying = signing.verifying_key();
    for &(size, label) in &SIZES[..3] {
        let mut g = c.benchmark_group(format!("verify_asymmetric/{label}"));
        g.throughput(Throughput::Bytes(size as u64));
        g.warm_up_time(Duration::from_millis(500));
        g.measurement_time(Duration::from_secs(2));
        let b = body(size);
        let message = format!("{NOW_SECS}{b}");
        let signature: Signature = signing.sign(message.as_bytes());
        g.bench_function("bare_ed25519_dalek_verify_strict", |bench| {
            bench.iter(|| {
                black_box(verifying.verify_strict(black_box(message.as_bytes()), &signature))
            })
        });
        let verifier = Verifier::builder(Scheme::discord())
            .public_key(PublicKey::ed25519_hex(keys::ED25519_PUBLIC_HEX).unwrap())
            .clock(ManualClock::at_secs(NOW_SECS))
            .build()
            .unwrap();
        let d = Delivery::new(Scheme::discord(), b.clone())
            .timestamp(NOW_SECS)
            .sign_ed25519(&keys::ED25519_SEED_TEST_ONLY);
        verifier.verify(&d.headers, &d.body).expect("verifies");
        g.bench_function("discord", |bench| {
            bench.iter(|| black_box(verifier.verify(black_box(&d.headers), black_box(&d.body))))
        });
        let token = Secret::new(KEY).unwrap();
        let gitlab = Verifier::new(Scheme::gitlab(), token.clone());
        let d = Delivery::new(Scheme::gitlab(), b.clone()).sign(&token);
        gitlab.verify(&d.headers, &d.body).expect("verifies");
        g.bench_function("gitlab_token", |bench| {
            bench.iter(|| black_box(gitlab.verify(black_box(&d.headers), black_box(&d.body))))
        });
        g.finish();
    }
}

#[cfg(not(feature = "ed25519"))]
fn asymmetric(_: &mut Criterion) {}

/// SendGrid's ECDSA P-256 scheme through the verifier, against `p256`'s verification of the
/// same `<timestamp><body>` message (hashed with SHA-256 inside the timing, as the verifier
/// must).
#[cfg(feature = "p256")]
fn p256_signatures(c: &mut Criterion) {
    use p256::ecdsa::signature::{Signer as _, Verifier as _};
    use p256::pkcs8::DecodePublicKey as _;
    use webhook_guard::keys::PublicKey;
    use webhook_guard::testing::keys;

    // The test key is a SEC1 `EC PRIVATE KEY`.
    let signing = p256::ecdsa::SigningKey::from(
        p256::SecretKey::from_sec1_pem(keys::P256_PRIVATE_PEM_TEST_ONLY).unwrap(),
    );
    let verifying = p256::ecdsa::VerifyingKey::from_public_key_pem(keys::P256_PUBLIC_PEM).unwrap();
    for &(size, label) in &SIZES[..3] {
        let mut g = c.benchmark_group(format!("verify_p256/{label}"));
        g.throughput(Throughput::Bytes(size as u64));
        g.warm_up_time(Duration::from_millis(500));
        g.measurement_time(Duration::from_secs(2));
        let b = body(size);
        let message = format!("{NOW_SECS}{b}");
        let signature: p256::ecdsa::Signature = signing.sign(message.as_bytes());
        g.bench_function("bare_p256_verify", |bench| {
            bench.iter(|| black_box(verifying.verify(black_box(message.as_bytes()), &signature)))
        });
        let verifier = Verifier::builder(Scheme::sendgrid())
            .public_key(PublicKey::p256_pem(keys::P256_PUBLIC_PEM).unwrap())
            .clock(ManualClock::at_secs(NOW_SECS))
            .build()
            .unwrap();
        let d = Delivery::new(Scheme::sendgrid(), b.clone())
            .timestamp(NOW_SECS)
            .sign_p256(keys::P256_PRIVATE_PEM_TEST_ONLY);
        verifier.verify(&d.headers, &d.body).expect("verifies");
        g.bench_function("sendgrid", |bench| {
            bench.iter(|| black_box(verifier.verify(black_box(&d.headers), black_box(&d.body))))
        });
        g.finish();
    }
}

#[cfg(not(feature = "p256"))]
fn p256_signatures(_: &mut Criterion) {}

/// PayPal's RSA scheme through the verifier, against `rsa`'s PKCS#1 v1.5 verification of the
/// same message's SHA-256 (`<id>|<time>|<webhook id>|<CRC32>`, the CRC32 and the hash inside the
/// timing, as the verifier must compute them).
#[cfg(feature = "rsa")]
fn rsa_signatures(c: &mut Criterion) {
    use rsa::pkcs8::DecodePublicKey as _;
    use sha2::Digest as _;
    use webhook_guard::keys::PublicKey;
    use webhook_guard::testing::keys;

    let public = rsa::RsaPublicKey::from_public_key_pem(keys::RSA_PUBLIC_PEM).unwrap();
    let scheme = Scheme::paypal("8PT597110X687430LKGECATA").unwrap();
    for &(size, label) in &SIZES[..3] {
        let mut g = c.benchmark_group(format!("verify_rsa/{label}"));
        g.throughput(Throughput::Bytes(size as u64));
        g.warm_up_time(Duration::from_millis(500));
        g.measurement_time(Duration::from_secs(2));
        let b = body(size);
        let d = Delivery::new(scheme.clone(), b.clone())
            .id("b2384410-f8d2-11ec-b22c-9fb3e4ce5e8b")
            .timestamp_millis(NOW_SECS * 1000)
            .sign_rsa(keys::RSA_PRIVATE_PEM_TEST_ONLY);
        let signature = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            d.header("paypal-transmission-sig").unwrap(),
        )
        .unwrap();
        let time = d.header("paypal-transmission-time").unwrap().to_owned();
        g.bench_function("bare_rsa_pkcs1v15_verify", |bench| {
            bench.iter(|| {
                let message = format!(
                    "b2384410-f8d2-11ec-b22c-9fb3e4ce5e8b|{time}|8PT597110X687430LKGECATA|{}",
                    crc32fast::hash(black_box(d.body.as_ref()))
                );
                let digest = sha2::Sha256::digest(message.as_bytes());
                black_box(public.verify(
                    rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    &digest,
                    &signature,
                ))
            })
        });
        let verifier = Verifier::builder(scheme.clone())
            .public_key(PublicKey::from_certificate_pem(keys::RSA_CERTIFICATE_PEM).unwrap())
            .clock(ManualClock::at_secs(NOW_SECS))
            .build()
            .unwrap();
        verifier.verify(&d.headers, &d.body).expect("verifies");
        g.bench_function("paypal", |bench| {
            bench.iter(|| black_box(verifier.verify(black_box(&d.headers), black_box(&d.body))))
        });
        g.finish();
    }
}

#[cfg(not(feature = "rsa"))]
fn rsa_signatures(_: &mut Criterion) {}

/// The HMAC-SHA1 family: Intercom's scheme (`sha1=<hex>` of the body; id and topic read from
/// the body, which Intercom lays out with them first) through the verifier, against a bare
/// pre-keyed HMAC-SHA1 of the same bytes.
fn hmac_sha1(c: &mut Criterion) {
    let pre_keyed = <Hmac<sha1::Sha1> as Mac>::new_from_slice(KEY.as_bytes()).unwrap();
    for &(size, label) in &SIZES[..4] {
        let mut g = c.benchmark_group(format!("verify_sha1/{label}"));
        g.throughput(Throughput::Bytes(size as u64));
        g.warm_up_time(Duration::from_millis(500));
        g.measurement_time(Duration::from_secs(2));
        // Laid out as Intercom lays out a notification: `id` and `topic` before `data`.
        let head = r#"{"type":"notification_event","id":"notif_1","topic":"user.created","app_id":"a86dr8yl","data":{"type":"notification_event_data","item":{"pad":""#;
        let tail = r#""}}}"#;
        let pad = size.saturating_sub(head.len() + tail.len());
        let b = format!("{head}{}{tail}", "x".repeat(pad));
        g.bench_function("bare_hmac_sha1", |bench| {
            bench.iter(|| {
                let mut mac = pre_keyed.clone();
                mac.update(black_box(b.as_bytes()));
                black_box(mac.finalize().into_bytes())
            })
        });
        let (verifier, d) = signed(&Scheme::intercom(), &b);
        verifier.verify(&d.headers, &d.body).expect("verifies");
        g.bench_function("intercom", |bench| {
            bench.iter(|| black_box(verifier.verify(black_box(&d.headers), black_box(&d.body))))
        });
        g.finish();
    }
}

criterion_group!(
    benches,
    hmac_sha1,
    core,
    busy_headers,
    hash_while_reading,
    sender_shaped_bodies,
    rotation,
    asymmetric,
    p256_signatures,
    rsa_signatures
);
criterion_main!(benches);
