//! Async-ack: the in-process queue through real servers (retries, dead letters, backpressure,
//! drain) and the durable queues on a real redis-server and PostgreSQL (the tests start their
//! own), whose jobs survive the process that took them and the server being killed or frozen.
//! One test binary: `cargo test --all-features --test ack`.

#[path = "../common/mod.rs"]
mod common;

mod memory_queue;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;
