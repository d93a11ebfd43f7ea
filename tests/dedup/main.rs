//! Deduplication: the claim / complete / release suite run against every store (memory, Redis,
//! PostgreSQL), a model check of the claim protocol, exactly-once handling through real servers,
//! ids made of body fields, and Redis and PostgreSQL shared by replicas, killed, restarted and
//! frozen mid-run (the tests start their own redis-server and PostgreSQL).
//! One test binary: `cargo test --all-features --test dedup`.

#[path = "../common/mod.rs"]
mod common;

mod claim_protocol_model;
mod composite_ids;
mod memory_over_http;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;
mod store_suite;
