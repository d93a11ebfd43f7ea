//! Memory per completed key in MemoryStore at 1M keys, against a baseline of the same keys and
//! digests in a plain `HashMap<String, [u8; 32]>`, measured in the same run (resident set size
//! from /proc/self/statm, Linux only; each in its own process).
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

/// Fill one structure with N keys in this process and print `bytes ns` (RSS growth, fill time).
fn measure(what: &str) {
    let before = rss_bytes();
    let started = Instant::now();
    let held = match what {
        "map" => {
            let mut map = HashMap::with_capacity(0);
            for i in 0..N {
                map.insert(key(i), [7u8; 32]);
            }
            let held = map.len() as u64;
            std::mem::forget(map);
            held
        }
        _ => {
            let store = MemoryStore::builder().max_entries(2 * N as u64).build();
            for i in 0..N {
                let k = key(i);
                if let Claim::Fresh(t) = store.claim_now(&k, &[7; 32], Duration::from_secs(300)) {
                    store.complete_now(&k, &t, Duration::from_secs(86_400));
                }
            }
            let held = store.len();
            std::mem::forget(store);
            held
        }
    };
    let elapsed = started.elapsed();
    assert_eq!(held, N as u64, "every key held");
    println!(
        "{} {}",
        rss_bytes().saturating_sub(before),
        elapsed.as_nanos()
    );
}

/// Run `measure(what)` in a fresh process, so that neither structure reuses memory the other
/// freed.
fn run(what: &str) -> (f64, f64) {
    let exe = std::env::current_exe().expect("own path");
    let out = std::process::Command::new(exe)
        .args(["--measure", what])
        .output()
        .expect("run the measurement");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text
        .split_whitespace()
        .map(|f| f.parse::<f64>().expect("a figure"));
    let bytes = fields.next().expect("bytes");
    let nanos = fields.next().expect("nanos");
    (bytes / N as f64, nanos / N as f64)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return; // `cargo test --benches` lists benchmarks; nothing to list here
    }
    if let Some(i) = args.iter().position(|a| a == "--measure") {
        measure(args.get(i + 1).map_or("store", String::as_str));
        return;
    }
    let (store, fill) = run("store");
    let (baseline, _) = run("map");
    println!("keys held: {N}");
    println!(
        "MemoryStore: {store:.0} bytes/key (RSS growth {} MiB), fill {fill:.0} ns/key (claim+complete, one thread)",
        (store * N as f64) as u64 >> 20,
    );
    println!(
        "baseline HashMap<String,[u8;32]>: {baseline:.0} bytes/key; ratio {:.2}x",
        store / baseline.max(1.0)
    );
}
