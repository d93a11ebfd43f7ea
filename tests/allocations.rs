//! Heap allocations on the verification success path, counted by a global allocator wrapper.
//! Not a timing test: allocation counts are deterministic for a given input.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use webhook_guard::clock::ManualClock;
use webhook_guard::testing::Delivery;
use webhook_guard::{Scheme, Secret, Verifier};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
/// `ALLOC_TRACE=1`: print a backtrace for each counted allocation (to find one that crept in).
static TRACE: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Set on the thread that verifies: the test harness's own threads (its main thread
    /// handling the test's start while the first scheme is measured) allocate too, and are not
    /// counted.
    static MEASURED: Cell<bool> = const { Cell::new(false) };
}

/// Whether an allocation now is one of the measured thread's.
fn counted() -> bool {
    COUNTING.load(Ordering::Relaxed) && MEASURED.try_with(Cell::get).unwrap_or(false)
}

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counted() {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
            if TRACE.load(Ordering::Relaxed) {
                COUNTING.store(false, Ordering::Relaxed);
                eprintln!(
                    "alloc {} bytes\n{}",
                    layout.size(),
                    std::backtrace::Backtrace::force_capture()
                );
                COUNTING.store(true, Ordering::Relaxed);
            }
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if counted() {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

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
    ALLOCS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    for _ in 0..100 {
        let meta = verifier.verify(&d.headers, &d.body).unwrap();
        std::hint::black_box(meta);
    }
    COUNTING.store(false, Ordering::SeqCst);
    let whole = ALLOCS.load(Ordering::SeqCst) as f64 / 100.0;
    ALLOCS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    for _ in 0..100 {
        let mut state = verifier.begin(&d.headers).unwrap();
        for chunk in d.body.chunks(16) {
            state.update(chunk);
        }
        std::hint::black_box(state.finish(&d.body).unwrap());
    }
    COUNTING.store(false, Ordering::SeqCst);
    let streamed = ALLOCS.load(Ordering::SeqCst) as f64 / 100.0;
    (whole, streamed)
}

#[test]
fn verification_does_not_allocate_on_success() {
    // One test function: the counter is global, and tests in one binary run on threads.
    TRACE.store(std::env::var_os("ALLOC_TRACE").is_some(), Ordering::SeqCst);
    MEASURED.with(|m| m.set(true));
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
