//! Hostile input and secret handling: hostile HTTP clients against guarded routes and against
//! the example receivers with their defaults, stalled bodies (`body_timeout`), bit flips over
//! every secret-keyed scheme, failures found in other webhook libraries, secrets kept out of
//! logs and errors (this binary's global tracing subscriber), and a statistical timing check
//! of the signature comparison (ignored by default).
//! One test binary: `cargo test --all-features --test security`.

#[path = "../common/mod.rs"]
mod common;

#[cfg(all(feature = "axum", feature = "actix"))]
#[allow(dead_code)]
#[path = "../../examples/support/actix_receiver_app.rs"]
mod actix_receiver_app;
#[cfg(all(feature = "axum", feature = "actix"))]
#[allow(dead_code)]
#[path = "../../examples/support/dead_letters.rs"]
mod dead_letters;
#[cfg(all(feature = "axum", feature = "actix"))]
#[allow(dead_code)]
#[path = "../../examples/support/receiver_app.rs"]
mod receiver_app;
#[cfg(all(feature = "axum", feature = "actix"))]
#[allow(dead_code)]
#[path = "../../examples/support/receiver_config.rs"]
mod receiver_config;
#[cfg(all(feature = "axum", feature = "actix"))]
#[path = "../../examples/support/serve.rs"]
mod serve;

mod bit_flips;
mod body_timeout;
mod constant_time;
mod hostile_clients;
#[cfg(all(feature = "axum", feature = "actix"))]
mod hostile_clients_on_examples;
mod peer_library_failures;
mod secrets_never_leak;
