//! Timestamp parsing and the tolerance window, per scheme: first byte picks the scheme, the rest
//! is the timestamp header value (or the whole signature header for Stripe-like schemes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_guard::__fuzz;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, value)) = data.split_first() {
        __fuzz::timestamp(&__fuzz::scheme(selector), value);
    }
});
