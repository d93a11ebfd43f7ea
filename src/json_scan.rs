//! Find one field of a JSON body without building a tree and without allocating, stopping as
//! soon as the field is found. Used for ids and event types that senders put in the body
//! (Helicone's `request_id`, Stripe's `id` and `type`, Standard Webhooks' `type`).
//!
//! Everything it reads before the field is checked against the JSON grammar (RFC 8259); a
//! body that is not JSON up to that point is an error, as is trailing text after a complete
//! document that does not contain the field. What follows the field is not read.

/// Deepest nesting accepted (as serde_json's default recursion limit).
const MAX_DEPTH: usize = 128;

/// The value at `path` as text: a string (unescaped) or an integer (its decimal text).
/// `Ok(None)`: valid JSON without such a field, or another kind of value there.
/// `Err(())`: not JSON.
pub(crate) fn find(body: &[u8], path: &[impl AsRef<str>]) -> Result<Option<String>, ()> {
    find_text(body, path).map(|found| found.map(FieldText::into_string))
}

/// A field's text: borrowed from the body unless it had escapes to decode.
pub(crate) enum FieldText<'a> {
    /// The raw bytes of a string without escapes (valid UTF-8), or of an integer.
    Raw(&'a [u8]),
    /// A string whose escapes were decoded.
    Unescaped(String),
}

impl FieldText<'_> {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            FieldText::Raw(b) => b,
            FieldText::Unescaped(s) => s.as_bytes(),
        }
    }

    pub(crate) fn into_string(self) -> String {
        match self {
            // Checked to be UTF-8 when found.
            FieldText::Raw(b) => String::from_utf8_lossy(b).into_owned(),
            FieldText::Unescaped(s) => s,
        }
    }
}

/// [`find`] without allocating when the value has no escapes (ids and event types never do).
pub(crate) fn find_text<'a>(
    body: &'a [u8],
    path: &[impl AsRef<str>],
) -> Result<Option<FieldText<'a>>, ()> {
    let mut s = Scanner { b: body, i: 0 };
    s.ws();
    if let [key] = path {
        let start = s.i;
        if let Some(found) = s.top_level_field::<false>(key.as_ref().as_bytes()) {
            return Ok(found);
        }
        s.i = start;
    }
    let found = s.value(Some(path), 0)?;
    match found {
        Found::Field(v) => Ok(v),
        Found::NotHere => {
            s.ws();
            if s.i == s.b.len() { Ok(None) } else { Err(()) }
        }
    }
}

/// [`find_text`] for a field that senders put after the bulk of the body, as Stripe puts its
/// event `type` after `data`, and Slack after `event`: a top-level key is looked for from the
/// front while the members are strings, numbers and literals, and from the first object or
/// array value on, from the end of the body backwards. The large value in between is not read.
///
/// Meant for event types, which nothing is decided on: `None` when the field is not found or
/// the body is not JSON. What the backward scan passes over is only split into tokens (string
/// quotes, brackets), not checked against the grammar; a key given twice (not JSON any sender
/// writes) may be found at either occurrence. Anything the two scans cannot settle (an escaped
/// key or value, a value of another kind, a nested path) goes to [`find_text`].
pub(crate) fn find_text_either_end<'a>(
    body: &'a [u8],
    path: &[impl AsRef<str>],
) -> Option<FieldText<'a>> {
    if let [key] = path {
        let mut s = Scanner { b: body, i: 0 };
        s.ws();
        if let Some(found) = s.top_level_field::<true>(key.as_ref().as_bytes()) {
            return found;
        }
    }
    find_text(body, path).ok().flatten()
}

/// The backward half of [`find_text_either_end`]: the members of the top-level object from the
/// last one back to the one whose value starts at `floor` (excluded), where the forward scan
/// stopped. `Some(found)`: settled; `None`: left to the general scanner.
fn top_level_field_from_end<'a>(
    b: &'a [u8],
    want: &[u8],
    floor: usize,
) -> Option<Option<FieldText<'a>>> {
    let mut e = ws_back(b, b.len());
    if e == 0 || b[e - 1] != b'}' {
        return None;
    }
    e -= 1;
    loop {
        e = ws_back(b, e);
        let last = *b.get(e.checked_sub(1)?)?;
        let value_start = match last {
            b'"' => string_start_back(b, e - 1)?,
            b'}' | b']' => container_start_back(b, e)?,
            _ => {
                let mut s = e;
                while s > 0
                    && matches!(b[s - 1], b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'+' | b'-' | b'.')
                {
                    s -= 1;
                }
                if s == e {
                    return None;
                }
                s
            }
        };
        if value_start <= floor {
            // Back at the member the forward scan stopped at (or not JSON): the key is in
            // neither part.
            return Some(None);
        }
        let colon = ws_back(b, value_start);
        if colon == 0 || b[colon - 1] != b':' {
            return None;
        }
        let key_end = ws_back(b, colon - 1);
        if key_end == 0 || b[key_end - 1] != b'"' {
            return None;
        }
        let key_start = string_start_back(b, key_end - 1)?;
        let key = &b[key_start + 1..key_end - 1];
        if key.contains(&b'\\') {
            return None;
        }
        if crate::bytes::short_eq(key, want) {
            if last != b'"' {
                return None;
            }
            let raw: &'a [u8] = &b[value_start + 1..e - 1];
            if raw.contains(&b'\\') || (!raw.is_ascii() && std::str::from_utf8(raw).is_err()) {
                return None;
            }
            return Some(Some(FieldText::Raw(raw)));
        }
        e = ws_back(b, key_start);
        if e == 0 || b[e - 1] != b',' {
            return None;
        }
        e -= 1;
    }
}

/// `e` moved back over JSON whitespace.
fn ws_back(b: &[u8], mut e: usize) -> usize {
    while e > 0 && matches!(b[e - 1], b' ' | b'\t' | b'\n' | b'\r') {
        e -= 1;
    }
    e
}

/// The index of the opening quote of the string whose closing quote is at `close`. In JSON a
/// quote inside a string is escaped, so a quote ends or starts a string exactly when an even
/// number of backslashes precedes it.
fn string_start_back(b: &[u8], close: usize) -> Option<usize> {
    let mut k = close;
    loop {
        let q = rfind_quote(&b[..k])?;
        let backslashes = b[..q].iter().rev().take_while(|&&c| c == b'\\').count();
        if backslashes % 2 == 0 {
            return Some(q);
        }
        k = q;
    }
}

/// The last `"` in `hay`, eight bytes per step from the end. A byte equal to `"` is a zero byte
/// of `w ^ 0x22…`; `((v & 0x7f…) + 0x7f…) | v` sets the top bit of every non-zero byte and of
/// no zero byte (no sum carries out of its byte), so its complement flags the zero bytes
/// exactly, and the highest flag is the last quote.
#[inline]
fn rfind_quote(hay: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = ONES * 0x7F;
    let mut end = hay.len();
    while end >= 8 {
        let mut word = [0u8; 8];
        word.copy_from_slice(&hay[end - 8..end]);
        let w = u64::from_le_bytes(word) ^ (ONES * u64::from(b'"'));
        let zero = !(((w & LOW7) + LOW7) | w) & (ONES * 0x80);
        if zero != 0 {
            return Some(end - 8 + 7 - zero.leading_zeros() as usize / 8);
        }
        end -= 8;
    }
    hay[..end].iter().rposition(|&c| c == b'"')
}

/// The index of the bracket that opens the object or array whose closing bracket is at
/// `end - 1`: brackets counted, strings stepped over.
fn container_start_back(b: &[u8], end: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut k = end;
    while k > 0 {
        k -= 1;
        match b[k] {
            b'}' | b']' => depth += 1,
            b'{' | b'[' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(k);
                }
            }
            b'"' => k = string_start_back(b, k)?,
            _ => {}
        }
    }
    None
}

enum Found<'a> {
    /// The path was reached (the value, if it was a string or an integer): stop.
    Field(Option<FieldText<'a>>),
    /// The value was skipped; parsing goes on.
    NotHere,
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        // Every JSON whitespace byte is at most b' ': one compare for the common case.
        while let Some(&c) = self.b.get(self.i) {
            if c > b' ' || !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Result<(), ()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(())
        }
    }

    /// The common case of [`find_text`], a top-level field of an object, in one flat loop:
    /// members before the field are read exactly as [`Scanner::value`] reads them (the same
    /// grammar checks), the key compared without unescaping. `None` when the answer is not a
    /// plain string found this way (an escaped key or value, a non-string value, not JSON,
    /// not found): the general scanner then reads the body again and decides.
    ///
    /// `FROM_END`: at the first object or array value, go on from the end of the body instead
    /// ([`find_text_either_end`]).
    #[inline]
    fn top_level_field<const FROM_END: bool>(
        &mut self,
        want: &[u8],
    ) -> Option<Option<FieldText<'a>>> {
        if !self.punct(b'{') {
            return None;
        }
        self.ws();
        loop {
            let (start, end, escaped) = self.string().ok()?;
            if !self.punct(b':') {
                return None;
            }
            self.ws();
            if escaped {
                return None;
            }
            if crate::bytes::short_eq(&self.b[start..end], want) {
                if self.peek() != Some(b'"') {
                    return None;
                }
                let (start, end, escaped) = self.string().ok()?;
                let raw: &'a [u8] = &self.b[start..end];
                if escaped || (!raw.is_ascii() && std::str::from_utf8(raw).is_err()) {
                    return None;
                }
                return Some(Some(FieldText::Raw(raw)));
            }
            // As the general scanner skips a member's value, at depth 1.
            if self.peek() == Some(b'"') {
                self.string().ok()?;
            } else if FROM_END && matches!(self.peek(), Some(b'{' | b'[')) {
                return top_level_field_from_end(self.b, want, self.i);
            } else {
                self.value(None::<&[&str]>, 1).ok()?;
            }
            if !self.punct(b',') {
                return None;
            }
            self.ws();
        }
    }

    /// Whitespace, then `c` (taken): compact JSON, where `c` comes at once, costs one compare.
    fn punct(&mut self, c: u8) -> bool {
        if self.peek() != Some(c) {
            self.ws();
            if self.peek() != Some(c) {
                return false;
            }
        }
        self.i += 1;
        true
    }

    /// A value. `path`: what remains to be found inside it (empty: this value is the field;
    /// `None`: skipping, nothing is taken from it).
    fn value<P: AsRef<str>>(&mut self, path: Option<&[P]>, depth: usize) -> Result<Found<'a>, ()> {
        if depth > MAX_DEPTH {
            return Err(());
        }
        let target = path.is_some_and(<[P]>::is_empty);
        let done = |found: Option<FieldText<'a>>| {
            if target {
                Found::Field(found)
            } else {
                Found::NotHere
            }
        };
        match self.peek().ok_or(())? {
            b'{' => match path {
                Some(p) if !p.is_empty() => self.object(Some(p), depth),
                _ => {
                    self.object(None::<&[P]>, depth)?;
                    Ok(done(None))
                }
            },
            b'[' => {
                self.array(depth)?;
                Ok(done(None))
            }
            b'"' => {
                let (start, end, escaped) = self.string()?;
                if !target {
                    return Ok(Found::NotHere);
                }
                let raw: &'a [u8] = &self.b[start..end];
                let text = if escaped {
                    FieldText::Unescaped(unescape(raw)?)
                } else {
                    if !raw.is_ascii() && std::str::from_utf8(raw).is_err() {
                        return Err(());
                    }
                    FieldText::Raw(raw)
                };
                Ok(Found::Field(Some(text)))
            }
            b't' => self.literal(b"true").map(|()| done(None)),
            b'f' => self.literal(b"false").map(|()| done(None)),
            b'n' => self.literal(b"null").map(|()| done(None)),
            _ => {
                let (start, integer) = self.number()?;
                if !target {
                    return Ok(Found::NotHere);
                }
                let text: &'a [u8] = &self.b[start..self.i];
                // Integers that fit 64 bits, as serde_json reads them; others are not ids.
                let fits = integer
                    && (std::str::from_utf8(text)
                        .ok()
                        .and_then(|t| t.parse::<i64>().ok())
                        .is_some()
                        || std::str::from_utf8(text)
                            .ok()
                            .and_then(|t| t.parse::<u64>().ok())
                            .is_some());
                Ok(Found::Field(fits.then_some(FieldText::Raw(text))))
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), ()> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(())
        }
    }

    /// An object; `path` (non-empty) is looked for inside it, `None` skips it.
    fn object<P: AsRef<str>>(&mut self, path: Option<&[P]>, depth: usize) -> Result<Found<'a>, ()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Found::NotHere);
        }
        loop {
            self.ws();
            let (start, end, escaped) = self.string()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            if let Some((head, rest)) = path.and_then(<[P]>::split_first)
                && key_is(&self.b[start..end], escaped, head.as_ref())?
            {
                // The first occurrence decides, found or not (as serde_json's first match).
                return match self.value(Some(rest), depth + 1)? {
                    Found::Field(v) => Ok(Found::Field(v)),
                    Found::NotHere => Ok(Found::Field(None)),
                };
            }
            self.value(None::<&[P]>, depth + 1)?;
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Found::NotHere);
                }
                _ => return Err(()),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), ()> {
        self.eat(b'[')?;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            self.value(None::<&[&str]>, depth + 1)?;
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(()),
            }
        }
    }

    /// A string; returns the range of its raw content and whether it has escapes. Inline for
    /// the common case, a string without escapes; anything else goes on in `string_rest`.
    fn string(&mut self) -> Result<(usize, usize, bool), ()> {
        if self.peek() != Some(b'"') {
            return Err(());
        }
        let start = self.i + 1;
        let stop = skip_plain(self.b, start);
        if self.b.get(stop) == Some(&b'"') {
            self.i = stop + 1;
            return Ok((start, stop, false));
        }
        self.i = stop;
        self.string_rest(start)
    }

    /// The rest of a string from `self.i` (where plain content stopped), which began at `start`.
    #[inline(never)]
    fn string_rest(&mut self, start: usize) -> Result<(usize, usize, bool), ()> {
        let mut escaped = false;
        loop {
            self.i = skip_plain(self.b, self.i);
            match self.peek().ok_or(())? {
                b'"' => {
                    let end = self.i;
                    self.i += 1;
                    return Ok((start, end, escaped));
                }
                b'\\' => {
                    escaped = true;
                    self.i += 1;
                    match self.peek().ok_or(())? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 1,
                        b'u' => {
                            let hex = self.b.get(self.i + 1..self.i + 5).ok_or(())?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return Err(());
                            }
                            self.i += 5;
                        }
                        _ => return Err(()),
                    }
                }
                // A control character: `skip_plain` stops at nothing else.
                _ => return Err(()),
            }
        }
    }

    /// A number per the JSON grammar; returns its start and whether it is an integer.
    fn number(&mut self) -> Result<(usize, bool), ()> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(()),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(());
            }
            self.digits();
            integer = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(());
            }
            self.digits();
            integer = false;
        }
        Ok((start, integer))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }
}

/// Index of the first byte from `i` on that ends plain string content (`"`, `\\` or a control
/// character), or `b.len()`. Eight bytes per step: a byte equal to `c` is a zero byte of
/// `w ^ c`, and `(v - 0x01…) & !v & 0x80…` flags zero bytes, the lowest flag exactly (a borrow
/// only runs upwards from a flagged byte); `(w - 0x20…) & !w & 0x80…` flags bytes below 0x20
/// the same way.
fn skip_plain(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOP: u64 = ONES * 0x80;
    while i + 8 <= b.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&b[i..i + 8]);
        let w = u64::from_le_bytes(word);
        let zero = |v: u64| v.wrapping_sub(ONES) & !v;
        let quote = zero(w ^ (ONES * u64::from(b'"')));
        let backslash = zero(w ^ (ONES * u64::from(b'\\')));
        let control = w.wrapping_sub(ONES * 0x20) & !w;
        let stop = (quote | backslash | control) & TOP;
        if stop != 0 {
            return i + (stop.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// Whether a key (raw content of a JSON string) equals `want`. No allocation for keys without
/// escapes, which is every key a sender writes in practice.
fn key_is(raw: &[u8], escaped: bool, want: &str) -> Result<bool, ()> {
    if !escaped {
        return Ok(raw == want.as_bytes());
    }
    Ok(unescape(raw)? == want)
}

/// Decode the escapes of a string's raw content (already checked by `Scanner::string`).
fn unescape(raw: &[u8]) -> Result<String, ()> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let e = *raw.get(i + 1).ok_or(())?;
        i += 2;
        let ch = match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex4(raw.get(i..i + 4).ok_or(())?)?;
                i += 4;
                if (0xD800..0xDC00).contains(&hi) {
                    // A high surrogate must be followed by an escaped low one.
                    if raw.get(i..i + 2) != Some(b"\\u") {
                        return Err(());
                    }
                    let lo = hex4(raw.get(i + 2..i + 6).ok_or(())?)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(());
                    }
                    i += 6;
                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)).ok_or(())?
                } else {
                    char::from_u32(hi).ok_or(())?
                }
            }
            _ => return Err(()),
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
    String::from_utf8(out).map_err(|_| ())
}

fn hex4(h: &[u8]) -> Result<u32, ()> {
    let s = std::str::from_utf8(h).map_err(|_| ())?;
    u32::from_str_radix(s, 16).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::{FieldText, Found, Scanner, find};

    fn f(body: &str, path: &str) -> Result<Option<String>, ()> {
        let p: Vec<&str> = path.split('.').collect();
        find(body.as_bytes(), &p)
    }

    #[test]
    fn agrees_with_serde_json_on_what_it_finds() {
        let docs = [
            r#"{"a":1,"request_id":"r-1","data":{"object":{"id":"evt_9"}},"n":7}"#,
            r#"  {"x": [1, 2.5e3, {"id": "inner"}], "id" : "outer\u00e9\n", "neg": -12}  "#,
            r#"{"id":"\ud83d\ude00 emoji","type":null,"big":123456789012345678901234}"#,
            r#"{"data":{"object":[]},"id":true,"type":{"nested":"no"}}"#,
            r#"{"\u0069d":"escaped key","f":1.0,"e":{}}"#,
            r#"[{"id":"in array"}]"#,
            r#"{}"#,
        ];
        let paths = [
            "id",
            "request_id",
            "data.object.id",
            "n",
            "neg",
            "type",
            "big",
            "f",
            "missing",
        ];
        for doc in docs {
            let tree: serde_json::Value = serde_json::from_str(doc).unwrap();
            for path in paths {
                let mut v = &tree;
                for part in path.split('.') {
                    v = v.get(part).unwrap_or(&serde_json::Value::Null);
                }
                let want = match v {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
                    _ => None,
                };
                assert_eq!(f(doc, path), Ok(want), "{doc} @ {path}");
            }
        }
    }

    #[test]
    fn rejects_what_is_not_json_before_the_field() {
        for bad in [
            "not json",
            "",
            "{",
            r#"{"a":}"#,
            r#"{"a":1,}"#,
            r#"{"a":01}"#,
            r#"{"a":"x"} trailing"#,
            r#"{"a":"bad \q escape"}"#,
            "{\"a\":\"raw\ncontrol\"}",
            r#"{"a":tru}"#,
            r#"{"a":[1 2]}"#,
            r#"{"id":"\ud800 lone surrogate"}"#,
        ] {
            assert_eq!(f(bad, "id"), Err(()), "{bad:?}");
        }
        // Stops at the first occurrence: what follows is not read.
        assert_eq!(
            f(r#"{"id":"first", garbage"#, "id"),
            Ok(Some("first".into()))
        );
        assert_eq!(
            f(r#"{"id":"first","id":"second"}"#, "id"),
            Ok(Some("first".into()))
        );
    }

    #[test]
    fn skip_plain_stops_where_a_byte_loop_stops() {
        let mut seed = 5u64;
        for n in 0..48 {
            for _ in 0..300 {
                let b: Vec<u8> = (0..n)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        // Mostly plain bytes, sometimes a stop byte or a high byte.
                        match (seed >> 40) % 16 {
                            0 => b'"',
                            1 => b'\\',
                            2 => (seed >> 20) as u8 % 0x20,
                            3 => 0x80 | (seed >> 24) as u8,
                            _ => b'a' + (seed >> 28) as u8 % 26,
                        }
                    })
                    .collect();
                for start in 0..=n {
                    let want = b[start..]
                        .iter()
                        .position(|c| *c == b'"' || *c == b'\\' || *c < 0x20)
                        .map_or(n, |p| start + p);
                    assert_eq!(super::skip_plain(&b, start), want, "{b:?} from {start}");
                }
            }
        }
    }

    #[test]
    fn the_top_level_fast_path_agrees_with_the_general_scanner() {
        let docs = [
            r#"{"id":"evt_1","request_id":"req_1","type":"bench.event"}"#,
            r#" { "a" : 1 , "b" : [1, {"type": "inner"}], "type" : "outer" } "#,
            r#"{"t\u0079pe":"escaped key","type":"plain"}"#,
            r#"{"type":"esc\u0061ped value"}"#,
            r#"{"type":12345}"#,
            r#"{"type":-1.5}"#,
            r#"{"x":tru,"type":"a"}"#,
            r#"{"x":"a","type":"b",}"#,
            r#"{"x":"a" "type":"b"}"#,
            r#"{"type":"é"}"#,
            r#"{}"#,
            r#"[]"#,
            r#"{"x":{"type":"nested only"}}"#,
            "{\"type\":\"raw\ncontrol\"}",
            r#"{"type":"first","type":"second"}"#,
        ];
        for doc in docs {
            let general = {
                let mut s = Scanner {
                    b: doc.as_bytes(),
                    i: 0,
                };
                s.ws();
                s.value(Some(&["type"][..]), 0).map(|f| match f {
                    Found::Field(v) => v.map(FieldText::into_string),
                    Found::NotHere => None,
                })
            };
            let general = general.and_then(|v| {
                // Trailing text after a document without the field is an error.
                if v.is_none() {
                    super::find(doc.as_bytes(), &["type"])
                } else {
                    Ok(v)
                }
            });
            assert_eq!(super::find(doc.as_bytes(), &["type"]), general, "{doc}");
        }
    }

    /// What [`super::find_text_either_end`] must answer: what the forward scanner finds.
    fn forward(doc: &[u8], key: &str) -> Option<String> {
        super::find_text(doc, &[key])
            .ok()
            .flatten()
            .map(FieldText::into_string)
    }

    fn either_end(doc: &[u8], key: &str) -> Option<String> {
        super::find_text_either_end(doc, &[key]).map(FieldText::into_string)
    }

    #[test]
    fn reading_from_both_ends_agrees_with_the_forward_scanner() {
        let docs = [
            // Stripe's layout: the type after `data`.
            r#"{"id":"evt_1","object":"event","data":{"object":{"type":"inner"}},"livemode":false,"type":"invoice.paid"}"#,
            // Slack's: the type after `event`, an array after it.
            r#"{"token":"x","event":{"type":"app_mention","text":"a \"quoted\" }"},"type":"event_callback","event_id":"Ev1","event_time":1515449522000016,"authed_users":["U1"]}"#,
            // Standard Webhooks': the type first.
            r#"{"type":"contact.created","timestamp":"2022-11-03T20:26:10Z","data":{"id":"1"}}"#,
            " {\n \"a\" : [ 1 , {\"type\" : \"no\"} ] ,\n \"type\"\t:\r\"yes\" \n } \n",
            // Strings ending in backslashes, quotes and brackets inside strings.
            r#"{"a":{"s":"\\"},"b":"\\\"}]","type":"t","c":"x\\"}"#,
            r#"{"a":[],"b":{},"type":"after empties"}"#,
            r#"{"a":[1,2,[3,{"type":"deep"}]],"n":-1.5e+3,"t":true,"f":false,"z":null}"#,
            r#"{"a":{},"type":12}"#,
            r#"{"a":{},"type":{"x":"y"}}"#,
            r#"{"a":{},"type":"esc\u0061ped"}"#,
            r#"{"a":{},"t\u0079pe":"escaped key"}"#,
            r#"{"a":{},"type":"é ünïcode"}"#,
            r#"{"a":{},"type":""}"#,
            r#"{"a":{"type":"only nested"}}"#,
            r#"{"a":{}}"#,
            r#"{}"#,
            r#"[{"type":"in an array"}]"#,
            r#""type""#,
        ];
        for doc in docs {
            assert!(
                serde_json::from_str::<serde_json::Value>(doc).is_ok(),
                "test doc is JSON: {doc}"
            );
            assert_eq!(
                either_end(doc.as_bytes(), "type"),
                forward(doc.as_bytes(), "type"),
                "{doc}"
            );
        }
        assert_eq!(
            either_end(docs[0].as_bytes(), "type").as_deref(),
            Some("invoice.paid")
        );
        assert_eq!(
            either_end(docs[1].as_bytes(), "type").as_deref(),
            Some("event_callback")
        );
    }

    #[test]
    fn reading_from_the_end_does_not_read_the_value_in_between() {
        // Not JSON inside `data`: the forward scanner refuses the body, reading from the end
        // finds the type without reading `data` at all (the body is verified; a handler that
        // parses it gets the error).
        let doc = br#"{"id":"evt_1","data":{"x":not json at all},"type":"t"}"#;
        assert_eq!(forward(doc, "type"), None);
        assert_eq!(either_end(doc, "type").as_deref(), Some("t"));
    }

    #[test]
    fn reading_from_both_ends_gives_up_cleanly_on_what_is_not_json() {
        let docs: [&[u8]; 14] = [
            b"",
            b"}",
            b"\"}",
            br#"{"a":{},"type":"x""#,
            br#"{"a":{}"type":"x"}"#,
            br#"{"a":{},"type" "x"}"#,
            br#"{"a":{},type:"x"}"#,
            br#"{"a":{}},"type":"x"}"#,
            br#"{"a":{]"#,
            br#"{"a":[},"type":"x"}"#,
            br#"{"a":{},"b":"\"}"#,
            br#"{"a":{}, :"x"}"#,
            b"{\"a\":{},\"type\":\"\xff\"}",
            br#"a=1&type=x"#,
        ];
        for doc in docs {
            // No panic; whatever it finds is a plain string of the body.
            if let Some(found) = super::find_text_either_end(doc, &["type"]) {
                assert!(std::str::from_utf8(found.as_bytes()).is_ok());
            }
        }
    }

    #[test]
    fn rfind_quote_finds_the_last_quote_as_a_byte_loop_does() {
        let mut seed = 7u64;
        for len in 0..80 {
            for _ in 0..40 {
                let hay: Vec<u8> = (0..len)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        // Quotes, their neighbours in value, high bytes and zero.
                        b"\"#!ab\\\xa2\x00\xff"[(seed >> 33) as usize % 9]
                    })
                    .collect();
                assert_eq!(
                    super::rfind_quote(&hay),
                    hay.iter().rposition(|&c| c == b'"'),
                    "{hay:?}"
                );
            }
        }
    }

    mod props {
        use proptest::prelude::*;
        use serde_json::Value;

        fn value() -> impl Strategy<Value = Value> {
            let text = "[a-z\"\\\\{}\\[\\],: \u{e9}\u{1F600}\n\t]{0,10}";
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                (-1e6f64..1e6).prop_map(Value::from),
                text.prop_map(Value::String),
            ];
            leaf.prop_recursive(4, 40, 6, move |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                    proptest::collection::vec(("(type|[a-z\"\\\\]{0,5})", inner), 0..5)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

            /// Objects with the key at any place (or nowhere), values of every kind, compact
            /// or spaced: reading from both ends finds what the forward scanner finds.
            #[test]
            fn from_both_ends_as_forward(
                members in proptest::collection::vec(("(type|typ|types|t\"ype|t\\\\ype|[a-z]{1,4})", value()), 0..8),
                pretty in any::<bool>(),
            ) {
                let mut seen = std::collections::HashSet::new();
                let body: Vec<String> = members
                    .into_iter()
                    .filter(|(k, _)| seen.insert(k.clone()))
                    .map(|(k, v)| {
                        let v = if pretty {
                            serde_json::to_string_pretty(&v).unwrap()
                        } else {
                            serde_json::to_string(&v).unwrap()
                        };
                        let sep = if pretty { " : " } else { ":" };
                        format!("{}{sep}{v}", serde_json::to_string(&k).unwrap())
                    })
                    .collect();
                let doc = if pretty {
                    format!("{{\n  {}\n}}\n", body.join(",\n  "))
                } else {
                    format!("{{{}}}", body.join(","))
                };
                prop_assert_eq!(
                    super::either_end(doc.as_bytes(), "type"),
                    super::forward(doc.as_bytes(), "type"),
                    "{}", doc
                );
            }

            #[test]
            fn from_both_ends_never_panics(body in proptest::collection::vec(
                prop_oneof![Just(b'"'), Just(b'\\'), Just(b'{'), Just(b'}'), Just(b'['), Just(b']'),
                    Just(b','), Just(b':'), Just(b' '), Just(b't'), any::<u8>()],
                0..64,
            )) {
                let _ = super::super::find_text_either_end(&body, &["type"]);
                let _ = super::super::find_text_either_end(&body, &["t"]);
            }
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(find(deep.as_bytes(), &["id"]), Err(()));
        let ok = format!(
            "{{\"x\":{}{},\"id\":\"y\"}}",
            "[".repeat(100),
            "]".repeat(100)
        );
        assert_eq!(find(ok.as_bytes(), &["id"]), Ok(Some("y".into())));
    }
}
