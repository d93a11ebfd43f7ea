//! Memory per completed key in MemoryStore at 1M keys, against a baseline of the same keys and
//! digests in a plain `HashMap<String, [u8; 32]>`, measured in the same run (resident set size
//! from /proc/self/statm, Linux only).
//!
//! `cargo bench --bench dedup_memory`

use std::collections::HashMap;
use std::time::{Duration, Instant};

use webhook_guard::dedup::{Claim, MemoryStore};

const N: usize = 1_000_000;

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn key(i: usize) -> String {
    // The shape of a real key: scheme, kind, a 36-character UUID-like id.
    format!("helix:id:987e6543-e21b-12d3-a456-{i:012}")
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` lists benchmarks; nothing to list here
    }
    let before = rss_bytes();
    let mut map = HashMap::with_capacity(0);
    for i in 0..N {
        map.insert(key(i), [7u8; 32]);
    }
    let baseline = rss_bytes().saturating_sub(before);
    drop(map);

    let before = rss_bytes();
    let store = MemoryStore::builder().max_entries(2 * N as u64).build();
    let started = Instant::now();
    for i in 0..N {
        let k = key(i);
        if let Claim::Fresh(t) = store.claim_now(&k, &[7; 32], Duration::from_secs(300)) {
            store.complete_now(&k, &t, Duration::from_secs(86_400));
        }
    }
    let elapsed = started.elapsed();
    let held = store.len();
    let used = rss_bytes().saturating_sub(before);
    println!("keys held: {held}");
    println!(
        "MemoryStore: {:.0} bytes/key (RSS growth {} MiB), fill {:.0} ns/key (claim+complete, one thread)",
        used as f64 / N as f64,
        used >> 20,
        elapsed.as_nanos() as f64 / N as f64
    );
    println!(
        "baseline HashMap<String,[u8;32]>: {:.0} bytes/key; ratio {:.2}x",
        baseline as f64 / N as f64,
        used as f64 / baseline.max(1) as f64
    );
}
