//! Signature header parsing, per scheme: first byte picks the scheme, the rest is the value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_guard::__fuzz;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, value)) = data.split_first() {
        __fuzz::signature(&__fuzz::scheme(selector), value);
    }
});
