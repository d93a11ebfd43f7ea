//! What the guard allocates, counted by this binary's global allocator (`counting`, per
//! thread): nothing on the verification success path, nothing larger than the allocator's
//! thread cache per guarded request, and a bounded peak under an oversized body.
//! Not timing tests: allocation counts are deterministic for a given input.
//! One test binary: `cargo test --all-features --test allocations`.

#[path = "../common/mod.rs"]
mod common;
mod counting;

mod guarded_request;
mod oversized_body;
mod verify_path;
