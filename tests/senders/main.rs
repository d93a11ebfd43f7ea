//! The built-in senders: each sender's known answers (its published vectors, else values
//! computed with OpenSSL), its deliveries over real HTTP on 127.0.0.1 (through guarded routes
//! and the receiver example's routes), WooCommerce's unsigned ping, and deliveries signed and
//! verified by the senders' own SDKs (`sdk_interop`, needs the interop venv and npm packages).
//! One test binary: `cargo test --all-features --test senders`.

#[path = "../common/mod.rs"]
mod common;

// The receiver examples' code, as the examples build it (they refer to each other through
// `crate::`, so they are declared here, at the crate root).
#[cfg(all(feature = "actix", feature = "ed25519"))]
#[allow(dead_code)]
#[path = "../../examples/support/actix_receiver_app.rs"]
mod actix_receiver_app;
#[allow(dead_code)]
#[path = "../../examples/support/dead_letters.rs"]
mod dead_letters;
#[allow(dead_code)]
#[path = "../../examples/support/receiver_app.rs"]
mod receiver_app;
#[allow(dead_code)]
#[path = "../../examples/support/receiver_config.rs"]
mod receiver_config;

mod body_hmac_known_answers;
mod heppu_helix_helicone;
mod mainstream_known_answers;
mod mainstream_over_http;
mod request_signing_senders;
mod sdk_interop;
mod timestamped_known_answers;
mod woocommerce_ping;
