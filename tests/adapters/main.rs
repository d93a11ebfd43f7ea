//! The framework adapters: one conformance suite on axum, actix-web, plain hyper (the
//! framework-free `Guard`), poem and rocket; the tower layer under plain hyper and AWS Lambda;
//! and what every adapter reports (`metrics` series and `tracing` spans, read back from this
//! binary's recording recorder and subscriber).
//! One test binary: `cargo test --all-features --test adapters`.

#[path = "../common/mod.rs"]
mod common;

#[cfg(all(feature = "axum", feature = "actix"))]
mod conformance;
#[cfg(feature = "lambda")]
mod lambda;
mod plain_hyper;
#[cfg(all(feature = "metrics", feature = "axum", feature = "actix"))]
mod telemetry;
