//! The whole `Verifier::verify_request` (and the streaming path) on arbitrary headers and body,
//! as a `POST` to `/hook`. First byte picks the scheme; then `name: value` lines, an empty line,
//! and the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_guard::__fuzz;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, rest)) = data.split_first() {
        let (headers, body) = __fuzz::headers_and_body(rest);
        __fuzz::verify(&__fuzz::scheme(selector), &headers, body);
    }
});
