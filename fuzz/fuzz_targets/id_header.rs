//! Delivery id and event type parsing, per scheme: from headers, or from the JSON body. First
//! byte picks the scheme; then the header value, a newline, and the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_guard::__fuzz;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, rest)) = data.split_first() {
        let (value, body) = match rest.iter().position(|b| *b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &[][..]),
        };
        __fuzz::id(&__fuzz::scheme(selector), value, body);
    }
});
