//! The `webhook-guard` command-line tool run as a process, and the receiver examples (axum,
//! actix-web, poem, rocket) keeping one contract, in this process and as their own binaries.
//! One test binary: `cargo test --all-features --test cli_and_examples`.

#[cfg(all(feature = "axum", feature = "actix"))]
#[path = "../common/mod.rs"]
mod common;

#[cfg(all(feature = "axum", feature = "actix"))]
#[allow(dead_code)]
#[path = "../../examples/support/actix_receiver_app.rs"]
mod actix_receiver_app;
#[cfg(any(feature = "cli", all(feature = "axum", feature = "actix")))]
#[allow(dead_code)]
#[path = "../../examples/support/dead_letters.rs"]
mod dead_letters;
#[cfg(all(feature = "axum", feature = "actix", feature = "poem"))]
#[allow(dead_code)]
#[path = "../../examples/support/poem_receiver_app.rs"]
mod poem_receiver_app;
#[cfg(any(feature = "cli", all(feature = "axum", feature = "actix")))]
#[allow(dead_code)]
#[path = "../../examples/support/receiver_app.rs"]
mod receiver_app;
#[cfg(any(feature = "cli", all(feature = "axum", feature = "actix")))]
#[allow(dead_code)]
#[path = "../../examples/support/receiver_config.rs"]
mod receiver_config;
#[cfg(all(feature = "axum", feature = "actix", feature = "rocket"))]
#[allow(dead_code)]
#[path = "../../examples/support/rocket_receiver_app.rs"]
mod rocket_receiver_app;

#[cfg(feature = "cli")]
mod cli;
#[cfg(all(feature = "axum", feature = "actix"))]
mod receivers;
