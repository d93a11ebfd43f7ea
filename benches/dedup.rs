//! MemoryStore claim + complete, ns per delivery, at 10k and 1M keys held, against a baseline
//! of a bare moka insert + get of the same key in the same run.
//!
//! `cargo bench --bench dedup`

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use webhook_guard::dedup::{Claim, MemoryStore};

const LEASE: Duration = Duration::from_secs(300);
const TTL: Duration = Duration::from_secs(86_400);

fn filled(n: usize) -> MemoryStore {
    let store = MemoryStore::builder().max_entries(4_000_000).build();
    for i in 0..n {
        let key = format!("heppu:id:whd_{i:012}");
        if let Claim::Fresh(t) = store.claim_now(&key, &[7; 32], LEASE) {
            store.complete_now(&key, &t, TTL);
        }
    }
    store
}

fn bench(c: &mut Criterion) {
    for n in [10_000usize, 1_000_000] {
        let store = filled(n);
        let mut i = 0u64;
        c.bench_function(
            &format!("memory_store claim+complete ({n} keys held)"),
            |b| {
                b.iter_batched(
                    || {
                        i += 1;
                        format!("heppu:id:new_{n}_{i:012}")
                    },
                    |key| {
                        if let Claim::Fresh(t) = store.claim_now(&key, &[9; 32], LEASE) {
                            black_box(store.complete_now(&key, &t, TTL));
                        }
                    },
                    BatchSize::SmallInput,
                )
            },
        );
        let cache: moka::sync::Cache<Arc<str>, [u8; 32]> =
            moka::sync::Cache::builder().max_capacity(4_000_000).build();
        for k in 0..n {
            cache.insert(Arc::from(format!("heppu:id:whd_{k:012}")), [7; 32]);
        }
        let mut j = 0u64;
        c.bench_function(&format!("baseline moka insert+get ({n} keys held)"), |b| {
            b.iter_batched(
                || {
                    j += 1;
                    format!("heppu:id:new_{n}_{j:012}")
                },
                |key| {
                    let key: Arc<str> = Arc::from(key);
                    cache.insert(key.clone(), [9; 32]);
                    black_box(cache.get(&key));
                },
                BatchSize::SmallInput,
            )
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
