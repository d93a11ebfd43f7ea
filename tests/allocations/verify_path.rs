//! Heap allocations on the verification success path, counted by the binary's allocator
//! (`counting`).
//! Not a timing test: allocation counts are deterministic for a given input.

use webhook_guard::clock::ManualClock;
use webhook_guard::testing::Delivery;
use webhook_guard::{Scheme, Secret, Verifier};

use crate::counting::measure;

const NOW: u64 = 1_790_000_000;

/// Allocations per successful `verify` and per successful `begin` + `update` + `finish`,
/// averaged over 100 calls after a warm-up call.
fn allocs_per_verify(scheme: Scheme) -> (f64, f64) {
    let body = r#"{"id":"evt_1","request_id":"req_1","type":"t.x","event":"call.completed"}"#;
    allocs_per_verify_of(scheme, body, 1)
}

/// [`allocs_per_verify`] on `body`, with a verifier holding `secrets` secrets of which the
/// delivery is signed with the last (a rotation when there are several).
fn allocs_per_verify_of(scheme: Scheme, body: &str, secrets: usize) -> (f64, f64) {
    let all: Vec<Secret> = (0..secrets)
        .map(|i| Secret::new(format!("allocation-count-secret-{i:04}")).unwrap())
        .collect();
    let secret = all[secrets - 1].clone();
    let verifier = Verifier::builder(scheme.clone())
        .secrets(all)
        .clock(ManualClock::at_secs(NOW))
        .build()
        .unwrap();
    let d = Delivery::new(scheme, body.to_owned())
        .id("delivery_0001")
        .event("t.x")
        .timestamp_millis(NOW * 1000)
        .sign(&secret);
    verifier.verify(&d.headers, &d.body).unwrap(); // warm-up: one-time promotions
    let ((), whole) = measure(|| {
        for _ in 0..100 {
            let meta = verifier.verify(&d.headers, &d.body).unwrap();
            std::hint::black_box(meta);
        }
    });
    let whole = whole.count as f64 / 100.0;
    let ((), streamed) = measure(|| {
        for _ in 0..100 {
            let mut state = verifier.begin(&d.headers).unwrap();
            for chunk in d.body.chunks(16) {
                state.update(chunk);
            }
            std::hint::black_box(state.finish(&d.body).unwrap());
        }
    });
    let streamed = streamed.count as f64 / 100.0;
    (whole, streamed)
}

#[test]
fn verification_does_not_allocate_on_success() {
    let mut report = Vec::new();
    for scheme in [
        Scheme::heppu(),
        Scheme::helix(),
        Scheme::helicone(),
        Scheme::standard_webhooks(),
        Scheme::github(),
        Scheme::stripe(),
        Scheme::slack(),
        Scheme::shopify(),
    ] {
        let name = scheme.name().to_owned();
        let (n, streamed) = allocs_per_verify(scheme);
        println!("{name:<18} {n} allocation(s) per verify, {streamed} per begin/update/finish");
        report.push((name, n.max(streamed)));
    }
    // Real layouts: Stripe's and Slack's type after the payload, read from the end of the body.
    use webhook_guard::testing::samples;
    for (label, scheme, body) in [
        (
            "stripe sample",
            Scheme::stripe(),
            samples::STRIPE_CUSTOMER_UPDATED,
        ),
        (
            "slack sample",
            Scheme::slack(),
            samples::SLACK_EVENT_CALLBACK,
        ),
    ] {
        let (n, streamed) = allocs_per_verify_of(scheme, body, 1);
        println!("{label:<18} {n} allocation(s) per verify, {streamed} per begin/update/finish");
        report.push((label.to_owned(), n.max(streamed)));
    }
    // A rotation: signed with the second of two secrets (the first tried since the warm-up).
    let (n, streamed) = allocs_per_verify_of(Scheme::helix(), r#"{"type":"t"}"#, 2);
    println!("helix, 2nd secret  {n} allocation(s) per verify, {streamed} per begin/update/finish");
    report.push(("helix, 2nd secret".to_owned(), n.max(streamed)));
    for (name, n) in report {
        // Nothing at all: no copy of the body, no signature buffer, no error text, and ids and
        // event types (from headers or from the JSON body) are kept inside the metadata.
        let allowed = 0.0;
        assert!(
            n <= allowed,
            "{name}: {n} allocations per verify (allowed {allowed})"
        );
    }
}
