//! A fixed loop of `Verifier::verify` for instruction counting under callgrind, where wall-clock
//! timings are too noisy to decide between two versions of the hot path (shared machines).
//!
//! ```text
//! cargo bench --bench verify_callgrind --no-run
//! valgrind --tool=callgrind --toggle-collect='*verify_callgrind*measured*' \
//!     target/release/deps/verify_callgrind-<hash> <scheme|bare> [size] [iters] [plain|busy|sample]
//! ```
//!
//! Instructions per verification = the collected total / `iters`. `busy` adds the unrelated
//! headers a real request carries (host, user-agent, proxies' forwarding headers, …) so header
//! lookups are measured against a realistic map, not only the four headers a sender signs.
//! `sample` verifies the repo's sample of the scheme's sender instead of the synthetic body
//! (Stripe's `customer.updated`, 924 bytes, and Slack's `event_callback`, 431 bytes, with the
//! event type after the payload; Standard Webhooks' `contact.created`; Helicone's delivery);
//! compare it with `bare` at the sample's size, which hashes as many SHA-256 blocks.
//!
//! Without arguments (as `cargo bench` runs it) it verifies every scheme once and exits.

use std::hint::black_box;

use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderValue};
use sha2::Sha256;
use webhook_guard::clock::ManualClock;
use webhook_guard::testing::{Delivery, samples};
use webhook_guard::{Scheme, Secret, Verifier};

const KEY: &str = "bench-secret-0123456789abcdef";
const NOW_SECS: u64 = 1_790_000_000;

fn body(size: usize) -> String {
    let head = r#"{"id":"evt_1","request_id":"req_1","type":"bench.event","event":"call.completed","pad":""#;
    let tail = r#""}"#;
    let pad = size.saturating_sub(head.len() + tail.len());
    format!("{head}{}{tail}", "x".repeat(pad))
}

fn scheme(name: &str) -> Option<Scheme> {
    Some(match name {
        "heppu" => Scheme::heppu(),
        "helix" => Scheme::helix(),
        "helicone" => Scheme::helicone(),
        "standard-webhooks" => Scheme::standard_webhooks(),
        "github" => Scheme::github(),
        "stripe" => Scheme::stripe(),
        "slack" => Scheme::slack(),
        "shopify" => Scheme::shopify(),
        "intercom" => Scheme::intercom(),
        _ => return None,
    })
}

/// Headers a request picks up on its way through clients, proxies and load balancers.
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

#[inline(never)]
fn measured_verify(verifier: &Verifier, headers: &HeaderMap, body: &[u8], iters: u64) {
    for _ in 0..iters {
        let _ = black_box(verifier.verify(black_box(headers), black_box(body)));
    }
}

#[inline(never)]
fn measured_bare(mac: &Hmac<Sha256>, body: &[u8], iters: u64) {
    for _ in 0..iters {
        let mut m = mac.clone();
        m.update(black_box(body));
        black_box(m.finalize().into_bytes());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args.first().map(String::as_str).unwrap_or("");
    let size = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(256);
    let iters = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let busy = args.get(3).is_some_and(|s| s == "busy");
    let sample = args.get(3).is_some_and(|s| s == "sample");
    let b = match (sample, name) {
        (true, "stripe") => samples::STRIPE_CUSTOMER_UPDATED.to_owned(),
        (true, "slack") => samples::SLACK_EVENT_CALLBACK.to_owned(),
        (true, "standard-webhooks") => samples::STANDARD_CONTACT_CREATED.to_owned(),
        (true, "helicone") => samples::HELICONE_DELIVERY.to_owned(),
        _ => body(size),
    };
    if name == "bare" {
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(KEY.as_bytes()).unwrap();
        measured_bare(&mac, b.as_bytes(), iters);
        return;
    }
    let schemes = match scheme(name) {
        Some(s) => vec![s],
        // `cargo bench` passes `--bench`: a smoke run of every scheme.
        None => [
            "heppu",
            "helix",
            "helicone",
            "standard-webhooks",
            "github",
            "stripe",
            "slack",
            "shopify",
        ]
        .iter()
        .filter_map(|n| scheme(n))
        .collect(),
    };
    let iters = if schemes.len() == 1 { iters } else { 1 };
    for scheme in schemes {
        let secret = Secret::new(KEY).unwrap();
        let verifier = Verifier::builder(scheme.clone())
            .secret(secret.clone())
            .clock(ManualClock::at_secs(NOW_SECS))
            .build()
            .unwrap();
        let mut d = Delivery::new(scheme, b.clone())
            .id("delivery_0001")
            .event("bench.event")
            .timestamp_millis(NOW_SECS * 1000)
            .sign(&secret);
        if busy {
            add_busy_headers(&mut d.headers);
        }
        verifier
            .verify(&d.headers, &d.body)
            .expect("the delivery verifies");
        measured_verify(&verifier, &d.headers, &d.body, iters);
    }
}
