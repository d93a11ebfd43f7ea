//! Verification: known answers per scheme and per algorithm (HMAC-SHA256 published vectors,
//! Ed25519, shared tokens, HMAC-SHA1/-SHA512, ECDSA P-256, RSA), schemes that sign parts of the
//! request beyond the body, the verified bytes handed to handlers, and property tests.
//! One test binary: `cargo test --all-features --test verify`.

#[path = "../common/mod.rs"]
mod common;

mod hmac_sha256_vectors;
#[cfg(feature = "ed25519")]
mod other_algorithms;
#[cfg(any(feature = "p256", feature = "rsa"))]
mod p256_and_rsa;
mod properties;
mod request_parts_signed;
mod scheme_known_answers;
mod verified_bytes;
