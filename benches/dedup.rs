//! MemoryStore claim + complete of a new key, ns per key, at 10k and 1M keys held, against two
//! baselines remembering the same key in the same run (a lookup that misses, then an insert):
//! a bare moka cache (the concurrent cache the store was first built on) and a plain
//! `Mutex<HashMap>` that drops its oldest key for each new one (no expiry, no sharding: the
//! floor for any exact, bounded in-memory "seen before?" check).
//!
//! `cargo bench --bench dedup`
//!
//! The store and moka are full (capacity = keys held), so every new key evicts an old one: the
//! steady state of a server that has run for longer than its TTL, and no table growth landing
//! in some samples and not others.
//!
//! Timed over whole batches of fresh keys (`iter_custom`, keys built before the clock starts)
//! rather than one key per timing, so that moka's deferred maintenance, which runs every few
//! dozen writes, is spread over the batch as it is in a server instead of landing on a few
//! unlucky samples.

use std::collections::{HashMap, VecDeque};
use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use webhook_guard::dedup::{Claim, MemoryStore};

const LEASE: Duration = Duration::from_secs(300);
const TTL: Duration = Duration::from_secs(86_400);

fn key(n: usize, i: u64) -> String {
    format!("heppu:id:new_{n}_{i:012}")
}

fn bench(c: &mut Criterion) {
    for n in [10_000usize, 1_000_000] {
        let store = MemoryStore::builder().max_entries(n as u64).build();
        for i in 0..n {
            let key = format!("heppu:id:whd_{i:012}");
            if let Claim::Fresh(t) = store.claim_now(&key, &[7; 32], LEASE) {
                store.complete_now(&key, &t, TTL);
            }
        }
        let mut next = 0u64;
        c.bench_function(
            &format!("memory_store claim+complete ({n} keys held)"),
            |b| {
                b.iter_custom(|iters| {
                    let keys: Vec<String> = (0..iters)
                        .map(|_| {
                            next += 1;
                            key(n, next)
                        })
                        .collect();
                    let start = Instant::now();
                    for key in &keys {
                        match store.claim_now(key, &[9; 32], LEASE) {
                            Claim::Fresh(t) => {
                                black_box(store.complete_now(key, &t, TTL));
                            }
                            _ => panic!("a new key is claimed"),
                        }
                    }
                    start.elapsed()
                })
            },
        );
        let cache: moka::sync::Cache<Arc<str>, [u8; 32]> =
            moka::sync::Cache::builder().max_capacity(n as u64).build();
        for k in 0..n {
            cache.insert(Arc::from(format!("heppu:id:whd_{k:012}")), [7; 32]);
        }
        let mut next = 0u64;
        c.bench_function(&format!("baseline moka get+insert ({n} keys held)"), |b| {
            b.iter_custom(|iters| {
                let keys: Vec<String> = (0..iters)
                    .map(|_| {
                        next += 1;
                        key(n, next)
                    })
                    .collect();
                let start = Instant::now();
                for key in &keys {
                    if black_box(cache.get(key.as_str())).is_none() {
                        cache.insert(Arc::from(key.as_str()), [9; 32]);
                    }
                }
                start.elapsed()
            })
        });
        // The plain map stays at n keys too: each new key replaces the oldest (the victims are
        // picked before the clock starts).
        let map: Mutex<HashMap<Box<str>, [u8; 32]>> = Mutex::new(HashMap::with_capacity(n));
        let mut fifo: VecDeque<String> = VecDeque::with_capacity(n + 1);
        for k in 0..n {
            let key = format!("heppu:id:whd_{k:012}");
            map.lock().unwrap().insert(key.as_str().into(), [7; 32]);
            fifo.push_back(key);
        }
        let mut next = 0u64;
        c.bench_function(
            &format!("baseline Mutex<HashMap> get+insert ({n} keys held)"),
            |b| {
                b.iter_custom(|iters| {
                    let keys: Vec<String> = (0..iters)
                        .map(|_| {
                            next += 1;
                            key(n, next)
                        })
                        .collect();
                    let victims: Vec<String> = keys
                        .iter()
                        .map(|k| {
                            fifo.push_back(k.clone());
                            fifo.pop_front().expect("n keys held")
                        })
                        .collect();
                    let start = Instant::now();
                    for (key, victim) in keys.iter().zip(&victims) {
                        let mut map = map.lock().unwrap();
                        if black_box(map.get(key.as_str())).is_none() {
                            map.remove(victim.as_str());
                            map.insert(key.as_str().into(), [9; 32]);
                        }
                    }
                    start.elapsed()
                })
            },
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
