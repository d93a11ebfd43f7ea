//! A dudect-style statistical timing check of the signature comparison (ignored by default:
//! timing needs an optimised build and a quiet machine).
//!
//! ```sh
//! cargo test --release --test constant_time -- --ignored --nocapture
//! ```
//!
//! Two classes of wrong signatures go through `Verifier::verify` with an empty body (so the HMAC
//! is as short as it gets and the comparison is as large a share of the time as possible):
//! class A differs from the expected tag only in its last byte (31 bytes of matching prefix),
//! class B already in its first byte. An early-exit comparison takes longer for A. The classes
//! are interleaved at random, the slowest 10 % of samples are cropped, and Welch's t statistic of
//! the two means is reported; dudect reads |t| > 10 as a leak and |t| < 4.5 as no evidence of one.
//!
//! A control runs the same measurement through a deliberately leaky byte-by-byte early-exit
//! comparison of the same tags, to show the harness sees a leak of that size.

use std::hint::black_box;
use std::time::Instant;

use http::HeaderMap;
use webhook_guard::testing::Delivery;
use webhook_guard::{Scheme, Secret, Verifier};

const SAMPLES: usize = 400_000;

fn welch_t(a: &[f64], b: &[f64]) -> f64 {
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    let var =
        |x: &[f64], m: f64| x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64;
    let (ma, mb) = (mean(a), mean(b));
    (ma - mb) / (var(a, ma) / a.len() as f64 + var(b, mb) / b.len() as f64).sqrt()
}

/// Measure `f(class)` for randomly interleaved classes; crop the slowest 10 %; Welch's t.
fn measure(mut f: impl FnMut(bool)) -> (f64, f64, f64) {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut samples: Vec<(bool, u64)> = Vec::with_capacity(SAMPLES);
    for _ in 0..1000 {
        f(true);
        f(false);
    }
    for _ in 0..SAMPLES {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let class = state & 1 == 1;
        let t0 = Instant::now();
        f(class);
        samples.push((class, t0.elapsed().as_nanos() as u64));
    }
    let mut sorted: Vec<u64> = samples.iter().map(|s| s.1).collect();
    sorted.sort_unstable();
    let cut = sorted[sorted.len() * 9 / 10];
    let pick = |c: bool| -> Vec<f64> {
        samples
            .iter()
            .filter(|s| s.0 == c && s.1 <= cut)
            .map(|s| s.1 as f64)
            .collect()
    };
    let (a, b) = (pick(true), pick(false));
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    (welch_t(&a, &b), mean(&a), mean(&b))
}

#[test]
#[ignore = "timing: run with --release -- --ignored --nocapture"]
fn signature_comparison_shows_no_timing_difference() {
    let secret = Secret::new("constant-time-check-secret-01").unwrap();
    let scheme = Scheme::github(); // hex, body only, no timestamp: the least other work
    let verifier = Verifier::new(scheme.clone(), secret.clone());
    let d = Delivery::new(scheme, "").sign(&secret);
    let good = d.header("x-hub-signature-256").unwrap().to_owned();
    let tag = hex::decode(&good[7..]).unwrap();
    let with_tag = |t: &[u8]| -> HeaderMap {
        let mut h = d.headers.clone();
        h.insert(
            "x-hub-signature-256",
            format!("sha256={}", hex::encode(t)).parse().unwrap(),
        );
        h
    };
    let mut late = tag.clone();
    late[31] ^= 0x01;
    let mut early = tag.clone();
    early[0] ^= 0x01;
    let (late_h, early_h) = (with_tag(&late), with_tag(&early));
    assert!(verifier.verify(&late_h, b"").is_err() && verifier.verify(&early_h, b"").is_err());

    let (t, ma, mb) = measure(|class| {
        let h = if class { &late_h } else { &early_h };
        let _ = black_box(verifier.verify(black_box(h), black_box(b"")));
    });

    // Control: an early-exit comparison of the same tags.
    fn leaky_eq(a: &[u8], b: &[u8]) -> bool {
        for i in 0..a.len() {
            if black_box(a[i]) != black_box(b[i]) {
                return false;
            }
        }
        true
    }
    let (tc, ca, cb) = measure(|class| {
        let other = if class { &late } else { &early };
        black_box(leaky_eq(black_box(&tag), black_box(other)));
    });

    eprintln!(
        "verify: |t| = {:.2} over {SAMPLES} samples (mean {ma:.0} ns prefix-match vs {mb:.0} ns \
         first-byte-differs)",
        t.abs()
    );
    eprintln!(
        "control (early-exit loop): |t| = {:.2} (mean {ca:.1} ns vs {cb:.1} ns)",
        tc.abs()
    );
    assert!(
        t.abs() < 10.0,
        "timing depends on how much of the signature matches"
    );
}
