//! Small helpers on short byte strings, shared by the scheme's request parsing and the JSON
//! scanner: comparisons, copies, searches and decimal parsing, eight bytes per step where the
//! strings are long enough.

/// The 8 bytes of `bytes` from `start` as a little-endian number (`start + 8 <= bytes.len()`).
pub(crate) fn word_at(bytes: &[u8], start: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[start..start + 8]);
    u64::from_le_bytes(word)
}

/// `a == b` for short byte strings (header prefixes, JSON keys): two overlapping fixed-size
/// compares per size class instead of a call to `memcmp`.
pub(crate) fn short_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if b.len() != n {
        return false;
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => a[..4] == b[..4] && a[n - 4..] == b[n - 4..],
        8..=16 => word_at(a, 0) == word_at(b, 0) && word_at(a, n - 8) == word_at(b, n - 8),
        _ => a == b,
    }
}

/// `text.strip_prefix(prefix)` with [`short_eq`].
pub(crate) fn strip_short_prefix<'t>(text: &'t [u8], prefix: &[u8]) -> Option<&'t [u8]> {
    let head = text.get(..prefix.len())?;
    short_eq(head, prefix).then(|| &text[prefix.len()..])
}

/// `dst.copy_from_slice(src)` (same lengths) for the few bytes of an id or a timestamp: two
/// overlapping fixed-size moves per size class, as `memcpy` does inside, without the call
/// (a loop of 8-byte moves is turned back into a `memcpy` call by the compiler).
pub(crate) fn copy_short(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if dst.len() != n {
        return dst.copy_from_slice(src);
    }
    match n {
        0 => {}
        1..=3 => {
            dst[0] = src[0];
            dst[n / 2] = src[n / 2];
            dst[n - 1] = src[n - 1];
        }
        4..=7 => {
            dst[..4].copy_from_slice(&src[..4]);
            dst[n - 4..].copy_from_slice(&src[n - 4..]);
        }
        8..=16 => {
            dst[..8].copy_from_slice(&src[..8]);
            dst[n - 8..].copy_from_slice(&src[n - 8..]);
        }
        17..=32 => {
            dst[..16].copy_from_slice(&src[..16]);
            dst[n - 16..].copy_from_slice(&src[n - 16..]);
        }
        33..=64 => {
            dst[..32].copy_from_slice(&src[..32]);
            dst[n - 32..].copy_from_slice(&src[n - 32..]);
        }
        _ => dst.copy_from_slice(src),
    }
}

/// Whether every byte is visible ASCII (0x21..=0x7E: no space, no control character), eight
/// bytes per step: with the top bit of each byte clear, `b + 0x5F` reaches 0x80 iff `b >= 0x21`
/// and `b + 0x01` stays below 0x80 iff `b <= 0x7E`, and no sum carries into the next byte.
#[inline]
pub(crate) fn visible_ascii(text: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOP: u64 = ONES * 0x80;
    let ok = |w: u64| {
        let low = w & !TOP;
        w & TOP == 0 && (low + ONES * 0x5F) & TOP == TOP && (low + ONES) & TOP == 0
    };
    let n = text.len();
    if n < 8 {
        // One word, padded with a visible byte.
        let w = text
            .iter()
            .rev()
            .fold(0u64, |w, b| (w << 8) | u64::from(*b));
        let filled = if n == 0 { 0 } else { u64::MAX >> (64 - 8 * n) };
        return ok(w | ((ONES * u64::from(b'a')) & !filled));
    }
    let mut all = true;
    let mut i = 0;
    while i + 8 < n {
        all &= ok(word_at(text, i));
        i += 8;
    }
    // The last word, overlapping the previous one.
    all & ok(word_at(text, n - 8))
}

/// The first position of `byte` in `hay`, eight bytes per step: a byte equal to `byte` is a
/// zero byte of `w ^ byte…`, and `(v - 0x01…) & !v & 0x80…` flags the lowest zero byte exactly.
#[inline]
pub(crate) fn find_byte(hay: &[u8], byte: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let pattern = ONES * u64::from(byte);
    let mut i = 0;
    while i + 8 <= hay.len() {
        let w = word_at(hay, i) ^ pattern;
        let zero = w.wrapping_sub(ONES) & !w & (ONES * 0x80);
        if zero != 0 {
            return Some(i + (zero.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    if hay.len() >= 8 && i < hay.len() {
        // The last 8 bytes, overlapping what was searched: nothing matched there, so the
        // lowest flag is the first match.
        let start = hay.len() - 8;
        let w = word_at(hay, start) ^ pattern;
        let zero = w.wrapping_sub(ONES) & !w & (ONES * 0x80);
        return (zero != 0).then(|| start + (zero.trailing_zeros() / 8) as usize);
    }
    hay[i..].iter().position(|b| *b == byte).map(|p| i + p)
}

/// The pieces of `raw` between occurrences of `sep` (all of `raw` when there is none).
#[inline(always)]
pub(crate) fn split_bytes<'a>(raw: &'a [u8], sep: &[u8]) -> impl Iterator<Item = &'a [u8]> {
    let mut rest = Some(raw);
    // Inlined into the signature header's parsing, whose size otherwise decides against it
    // (BENCHMARKS.md, "Why the hot path is shaped as it is").
    std::iter::from_fn(
        #[inline(always)]
        move || {
            let r = rest?;
            // Separators are one ASCII byte in every built-in scheme: a byte scan, not a memcmp
            // per position.
            let found = match sep {
                [one] => find_byte(r, *one),
                _ => r.windows(sep.len()).position(|w| w == sep),
            };
            match found {
                Some(i) => {
                    rest = Some(&r[i + sep.len()..]);
                    Some(&r[..i])
                }
                None => {
                    rest = None;
                    Some(r)
                }
            }
        },
    )
}

/// Parse a plain unsigned decimal (ASCII digits only: no sign, spaces, exponent or hex), refusing
/// overflow.
pub(crate) fn parse_unsigned(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    if text.len() < 20 {
        // At most 19 digits stay below 10^19 < 2^64: no overflow check. Eight digits at a time
        // while there are eight; a non-digit only spoils `n` (wrapping) and is caught by `bad`.
        let mut n: u64 = 0;
        let mut bad = false;
        let mut chunks = text.chunks_exact(8);
        for chunk in &mut chunks {
            let (value, not_digits) = eight_digits(word_at(chunk, 0));
            bad |= not_digits;
            n = n.wrapping_mul(100_000_000).wrapping_add(value);
        }
        for &b in chunks.remainder() {
            let d = b.wrapping_sub(b'0');
            bad |= d > 9;
            n = n.wrapping_mul(10).wrapping_add(u64::from(d));
        }
        return (!bad).then_some(n);
    }
    let mut n: u64 = 0;
    for &b in text {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

/// Eight ASCII digits (the first in the lowest byte) to their value, and whether any byte is
/// not a digit. Digits are 0x30..=0x39: the high nibble is 3, and adding 6 keeps it 3.
#[inline]
pub(crate) fn eight_digits(w: u64) -> (u64, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let not_digits = (w & (ONES * 0xF0)) != ONES * 0x30
        || (w.wrapping_add(ONES * 0x06) & (ONES * 0xF0)) != ONES * 0x30;
    let d = w.wrapping_sub(ONES * 0x30);
    // Pairs, then fours, then eight: each step merges neighbouring lanes.
    let d = d.wrapping_mul(10).wrapping_add(d >> 8) & 0x00FF_00FF_00FF_00FF;
    let d = d.wrapping_mul(100).wrapping_add(d >> 16) & 0x0000_FFFF_0000_FFFF;
    let d = d.wrapping_mul(10_000).wrapping_add(d >> 32) & 0xFFFF_FFFF;
    (d, not_digits)
}

// Hand-written tag decoders: the `hex` and `base64` crates' slice decoders cost more per
// verification than the goal at 256 B allows (BENCHMARKS.md, "Why the hot path is shaped as it
// is"); what they accept is the same (the tests compare them).

/// Decode 64 hex digits (either case) into a tag, eight digits at a time in one 64-bit word
/// ([`hex8`]): no table, no branch per digit; `None` if any byte is not a hex digit.
pub(crate) fn hex_tag(text: &[u8]) -> Option<[u8; 32]> {
    let text: &[u8; 64] = text.try_into().ok()?;
    let mut out = [0u8; 32];
    let mut bad = 0u64;
    for (o, digits) in out.chunks_exact_mut(4).zip(text.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(digits);
        let (bytes, not_hex) = hex8(u64::from_le_bytes(word));
        bad |= not_hex;
        o.copy_from_slice(&bytes.to_le_bytes());
    }
    (bad == 0).then_some(out)
}

/// Eight hex digits, one per byte of `x` (the first digit in the lowest byte), to four bytes
/// (the first in the lowest byte). The second value is non-zero when a byte is not a hex digit.
///
/// Per-byte comparisons are done on 7-bit values with the top bit of each byte as the result:
/// `(v + 0x80 - k) & 0x80` is set exactly when `v >= k`, and no sum carries into the next byte.
#[inline]
fn hex8(x: u64) -> (u32, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOP: u64 = ONES * 0x80;
    let x7 = x & !TOP;
    let at_least = |v: u64, k: u64| (v + ONES * (0x80 - k)) & TOP;
    let digit = at_least(x7, b'0' as u64) & !at_least(x7, b'9' as u64 + 1);
    // Either case: 'A'..='F' | 0x20 == 'a'..='f'.
    let folded = x7 | (ONES * 0x20);
    let letter = at_least(folded, b'a' as u64) & !at_least(folded, b'f' as u64 + 1);
    // A byte with its top bit set is never a digit, whatever its low 7 bits say.
    let not_hex = (x & TOP) | ((digit | letter) ^ TOP);
    // '0'..='9' → 0..=9 from the low nibble; 'a'..='f' and 'A'..='F' → 1..=6, plus 9.
    let nibbles = (x7 & (ONES * 0x0F)) + (letter >> 7) * 9;
    // Digit 2i is the high nibble of byte i: pair them in 16-bit lanes, then pack the lanes.
    let pairs = ((nibbles & 0x000F_000F_000F_000F) << 4) | ((nibbles >> 8) & 0x000F_000F_000F_000F);
    let packed = (pairs | (pairs >> 8)) & 0x0000_FFFF_0000_FFFF;
    let packed = (packed | (packed >> 16)) & 0xFFFF_FFFF;
    (packed as u32, not_hex)
}

/// Sextet value of each byte of the standard base64 alphabet, `0xFF` for every other byte.
const BASE64_SEXTETS: [u8; 256] = {
    let mut t = [0xFF_u8; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Decode the 44-character standard base64 form of a 32-byte tag (43 alphabet characters and one
/// `=`): table lookups, no branch per character. Canonical form only, as the `base64` crate's
/// strict decoder: the unused low bits of the last character must be zero.
pub(crate) fn base64_tag(text: &[u8]) -> Option<[u8; 32]> {
    let text: &[u8; 44] = text.try_into().ok()?;
    if text[43] != b'=' {
        return None;
    }
    let sextet = |c: u8| u32::from(BASE64_SEXTETS[usize::from(c)]);
    let mut out = [0u8; 32];
    // Invalid characters map to 0xFF: any of them sets bits above the low 6 in `bad`.
    let mut bad = 0u32;
    for (o, q) in out.chunks_exact_mut(3).zip(text[..40].chunks_exact(4)) {
        let (a, b, c, d) = (sextet(q[0]), sextet(q[1]), sextet(q[2]), sextet(q[3]));
        bad |= a | b | c | d;
        let n = (a << 18) | (b << 12) | (c << 6) | d;
        o.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    // The last 3 characters carry the last 2 bytes (16 of their 18 bits); the 2 unused bits
    // must be zero.
    let (a, b, c) = (sextet(text[40]), sextet(text[41]), sextet(text[42]));
    bad |= a | b | c | ((c & 0x03) << 6);
    if bad & 0xC0 != 0 {
        return None;
    }
    let n = (a << 12) | (b << 6) | c;
    out[30] = (n >> 10) as u8;
    out[31] = (n >> 2) as u8;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_at_a_time_helpers_agree_with_byte_loops() {
        let mut seed = 99u64;
        let mut bytes = |n: usize, alphabet: &[u8]| -> Vec<u8> {
            (0..n)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    alphabet[(seed >> 33) as usize % alphabet.len()]
                })
                .collect()
        };
        let all: Vec<u8> = (0..=255).collect();
        let digits = b"0123456789";
        for n in 0..40 {
            for _ in 0..200 {
                let b = bytes(n, &all);
                let sep = b[..].first().copied().unwrap_or(b',');
                assert_eq!(find_byte(&b, sep), b.iter().position(|c| *c == sep));
                assert_eq!(find_byte(&b, b','), b.iter().position(|c| *c == b','));
                let other = bytes(n, b"ab");
                assert_eq!(short_eq(&other, &b), other == b);
                let same = b.clone();
                assert!(short_eq(&same, &b));
                if n > 0 {
                    let mut flipped = b.clone();
                    flipped[n / 3] ^= 1;
                    assert!(!short_eq(&flipped, &b));
                    flipped[n / 3] ^= 1;
                    flipped[n - 1] ^= 0x80;
                    assert!(!short_eq(&flipped, &b));
                }
                assert_eq!(visible_ascii(&b), b.iter().all(u8::is_ascii_graphic));
                let printable = bytes(n, b" !~azAZ09\x7f\x1f");
                assert_eq!(
                    visible_ascii(&printable),
                    printable.iter().all(u8::is_ascii_graphic)
                );
                let mut number = bytes(n.min(20), digits);
                if n % 3 == 0 && !number.is_empty() {
                    let at = n % number.len();
                    number[at] = all[(n * 37) % 256];
                }
                let reference = std::str::from_utf8(&number)
                    .ok()
                    .filter(|t| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()))
                    .and_then(|t| t.parse::<u64>().ok());
                assert_eq!(parse_unsigned(&number), reference, "{number:?}");
            }
        }
    }

    #[test]
    fn parse_unsigned_is_strict() {
        assert_eq!(parse_unsigned(b"1701432000"), Some(1_701_432_000));
        assert_eq!(parse_unsigned(b"18446744073709551615"), Some(u64::MAX));
        for bad in [
            &b""[..],
            b"-1",
            b"+1",
            b" 123",
            b"123 ",
            b"1e20",
            b"0x10",
            b"99999999999999999999",
            b"18446744073709551616",
            b"12.5",
        ] {
            assert_eq!(
                parse_unsigned(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn the_tag_decoders_accept_what_the_crates_accept() {
        use base64::Engine as _;
        use base64::engine::general_purpose::STANDARD;
        // A fixed pseudo-random walk over texts of the right length, valid and not.
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let hex_alphabet = b"0123456789abcdefABCDEFgG:/@` ";
        for _ in 0..3000 {
            let text: Vec<u8> = (0..64)
                .map(|_| hex_alphabet[(next() % hex_alphabet.len() as u64) as usize])
                .collect();
            assert_eq!(
                hex_tag(&text).map(|t| t.to_vec()),
                hex::decode(&text).ok(),
                "{text:?}"
            );
        }
        let b64_alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ ";
        for round in 0..3000 {
            let mut text: Vec<u8> = (0..44)
                .map(|_| b64_alphabet[(next() % 64) as usize])
                .collect();
            text[43] = b'=';
            if round % 3 == 0 {
                text[(next() % 44) as usize] =
                    b64_alphabet[(next() % b64_alphabet.len() as u64) as usize];
            }
            let crate_says = STANDARD.decode(&text).ok().filter(|d| d.len() == 32);
            assert_eq!(
                base64_tag(&text).map(|t| t.to_vec()),
                crate_says,
                "{text:?}"
            );
        }
    }
}
