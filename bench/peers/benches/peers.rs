//! Standard Webhooks verification at 256 B … 1 MiB: webhook-guard against the `svix`,
//! `standardwebhooks` and `webhook-verify` crates and a bare pre-keyed HMAC-SHA256 of the same
//! signed bytes, all in one run, on identical deliveries.

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const SIZES: &[(usize, &str)] = &[
    (256, "256B"),
    (1024, "1KiB"),
    (10 * 1024, "10KiB"),
    (100 * 1024, "100KiB"),
    (1024 * 1024, "1MiB"),
];
/// A `whsec_` secret: 24 random-looking bytes, base64.
const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";

fn key() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(&WHSEC["whsec_".len()..])
        .unwrap()
}

fn body(size: usize) -> Vec<u8> {
    let head = br#"{"type":"bench.event","timestamp":"2026-11-25T00:00:00Z","data":{"p":""#;
    let tail = br#""}}"#;
    let mut b = head.to_vec();
    b.resize(size - tail.len(), b'x');
    b.extend_from_slice(tail);
    b
}

fn bench(c: &mut Criterion) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let ts = now.to_string();
    let key = key();
    let pre_keyed = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();

    let ours = webhook_guard::Verifier::new(
        webhook_guard::Scheme::standard_webhooks(),
        webhook_guard::Secret::from_whsec(WHSEC).unwrap(),
    );
    let svix = svix::webhooks::Webhook::new(WHSEC).unwrap();
    let sw = standardwebhooks::Webhook::new(WHSEC).unwrap();
    let wv_secret = webhook_verify::Secret::new(WHSEC);

    for &(size, label) in SIZES {
        let body = body(size);
        let mut mac = pre_keyed.clone();
        mac.update(format!("{ID}.{ts}.").as_bytes());
        mac.update(&body);
        let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let mut headers = http::HeaderMap::new();
        headers.insert("webhook-id", ID.parse().unwrap());
        headers.insert("webhook-timestamp", ts.parse().unwrap());
        headers.insert("webhook-signature", format!("v1,{sig}").parse().unwrap());
        let pairs: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
            .collect();

        // Every verifier must accept the delivery before it is timed.
        ours.verify(&headers, &body).expect("webhook-guard accepts");
        svix.verify(&body, &headers).expect("svix accepts");
        sw.verify(&body, &headers).expect("standardwebhooks accepts");
        webhook_verify::verify(
            webhook_verify::Provider::StandardWebhooks,
            &pairs,
            &body,
            &wv_secret,
            Default::default(),
        )
        .expect("webhook-verify accepts");

        let mut g = c.benchmark_group(format!("standard-webhooks/{label}"));
        g.throughput(Throughput::Bytes(size as u64));
        g.warm_up_time(Duration::from_millis(500));
        g.measurement_time(Duration::from_secs(2));
        if size >= 100 * 1024 {
            g.sample_size(30);
        }
        let prefix = format!("{ID}.{ts}.");
        g.bench_function("bare_hmac_sha256", |b| {
            b.iter(|| {
                let mut mac = pre_keyed.clone();
                mac.update(prefix.as_bytes());
                mac.update(black_box(&body));
                black_box(mac.finalize().into_bytes())
            })
        });
        g.bench_function("webhook-guard", |b| {
            b.iter(|| black_box(ours.verify(black_box(&headers), black_box(&body)).is_ok()))
        });
        g.bench_function("svix", |b| {
            b.iter(|| black_box(svix.verify(black_box(&body), black_box(&headers)).is_ok()))
        });
        g.bench_function("standardwebhooks", |b| {
            b.iter(|| black_box(sw.verify(black_box(&body), black_box(&headers)).is_ok()))
        });
        g.bench_function("webhook-verify", |b| {
            b.iter(|| {
                black_box(
                    webhook_verify::verify(
                        webhook_verify::Provider::StandardWebhooks,
                        black_box(&pairs),
                        black_box(&body),
                        &wv_secret,
                        Default::default(),
                    )
                    .is_ok(),
                )
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
