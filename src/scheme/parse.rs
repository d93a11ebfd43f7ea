//! Request-time parsing: the headers a scheme reads, found in one pass over a request's
//! headers, and the signatures, timestamp, delivery id and event type read from them (or from
//! the JSON body), each checked and refused with its own [`Rejection`].

// `#[inline(always)]` marks the per-request functions whose inlining callgrind shows to matter:
// without them a verification costs 1-2 % more instructions (Heppu +436, GitHub +360 at 256 B;
// BENCHMARKS.md, "Why the hot path is shaped as it is"). Nothing else here needs it.

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use http::{HeaderMap, HeaderName, HeaderValue};

use super::{
    Algorithm, Encoding, Field, MAX_ID_LEN, MAX_SIGNATURES, Scheme, SignatureSyntax, TAG_LEN,
    TimestampSource, TimestampUnit,
};
use crate::algorithm::AltSigs;
use crate::bytes::{copy_short, split_bytes, strip_short_prefix, visible_ascii, word_at};
use crate::error::{Rejection, RejectionKind};

/// What a header the scheme reads carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Signature = 0,
    Timestamp = 1,
    Id = 2,
    Event = 3,
    /// The values of [`SignedPart::Header`](super::SignedPart::Header) parts, one per name.
    Signed = 4,
}

/// How many roles a header can have.
const ROLES: usize = 5;

/// The header names a scheme reads, laid out when the scheme is built so that one pass over a
/// request's headers finds all of them ([`Scheme::gather`]) instead of one hashed lookup per
/// name.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Wanted {
    /// `by_len[n]`: bit `i` is set when `names[i]` is `n` bytes long (63: 63 bytes or more),
    /// for the first 8 names; most unrelated headers are passed over on their length alone.
    by_len: [u8; 64],
    /// The names role by role (signature, timestamp, id, event, signed values), each role's
    /// alternatives in the scheme's order.
    names: Vec<WantedName>,
    /// `names[ends[r - 1]..ends[r]]` are the names of role `r` (`ends[-1]` being 0).
    ends: [usize; ROLES],
}

#[derive(Debug, PartialEq, Eq)]
struct WantedName {
    /// Lower case, as `HeaderName` keeps every name.
    bytes: Box<[u8]>,
    /// [`tail_word`] of `bytes`: names that share a prefix (`x-webhook-…`) differ here.
    tail: u64,
}

impl Wanted {
    pub(super) fn new(roles: [&[HeaderName]; ROLES]) -> Wanted {
        let mut by_len = [0u8; 64];
        let mut names = Vec::new();
        let mut ends = [0; ROLES];
        for (end, role) in ends.iter_mut().zip(roles) {
            for name in role {
                let bytes = name.as_str().as_bytes();
                if names.len() < INLINE_SLOTS {
                    by_len[bytes.len().min(63)] |= 1 << names.len();
                }
                names.push(WantedName {
                    bytes: bytes.into(),
                    tail: tail_word(bytes),
                });
            }
            *end = names.len();
        }
        Wanted {
            by_len,
            names,
            ends,
        }
    }
}

impl WantedName {
    /// Whether `name` (of the same length) is this name: the last 8 bytes in one compare, then
    /// the rest 8 bytes at a time.
    #[inline]
    fn is(&self, name: &[u8], tail: u64) -> bool {
        if self.tail != tail || self.bytes.len() != name.len() {
            return false;
        }
        // Up to 8 bytes, the tail is the whole name.
        let mut i = 0;
        while i + 8 < name.len() {
            if word_at(&self.bytes, i) != word_at(name, i) {
                return false;
            }
            i += 8;
        }
        true
    }
}

/// The last (up to) 8 bytes of a name as a number, for a one-compare first check.
#[inline]
fn tail_word(name: &[u8]) -> u64 {
    match name.len().checked_sub(8) {
        Some(start) => word_at(name, start),
        None => name.iter().rev().fold(0, |w, b| (w << 8) | u64::from(*b)),
    }
}

/// How many wanted header names [`Gathered`] keeps on the stack (every built-in scheme needs at
/// most 6); a custom scheme with more alternatives gets a heap buffer.
const INLINE_SLOTS: usize = 8;

/// A header name or value of some HTTP stack, as bytes (a value is read only once its name is
/// known to be wanted).
pub(crate) trait HeaderBytes<'h>: Copy {
    /// The name's or value's bytes.
    fn header_bytes(self) -> &'h [u8];
}

impl<'h> HeaderBytes<'h> for &'h HeaderName {
    #[inline(always)]
    fn header_bytes(self) -> &'h [u8] {
        self.as_str().as_bytes()
    }
}

impl<'h> HeaderBytes<'h> for &'h [u8] {
    #[inline(always)]
    fn header_bytes(self) -> &'h [u8] {
        self
    }
}

impl<'h> HeaderBytes<'h> for &'h HeaderValue {
    #[inline(always)]
    fn header_bytes(self) -> &'h [u8] {
        self.as_bytes()
    }
}

/// What a request sent under one wanted name.
#[derive(Clone, Copy)]
pub(crate) struct Slot<V> {
    /// The first value sent under the name.
    first: Option<V>,
    /// Whether a later value under the same name differs from the first.
    mixed: bool,
}

impl<V> Default for Slot<V> {
    fn default() -> Self {
        Slot {
            first: None,
            mixed: false,
        }
    }
}

/// Whether two header values have the same bytes.
#[inline(always)]
fn same<'h, V: HeaderBytes<'h>>(a: V, b: V) -> bool {
    a.header_bytes() == b.header_bytes()
}

/// Every header a scheme reads, found in one pass over a request's headers. Filled in place by
/// [`Scheme::gather`], so the slots are not copied on the way out. `V` is the HTTP stack's own
/// header value reference (a pointer: the slots stay small).
pub(crate) struct Gathered<V> {
    /// The first value sent under each wanted name, for the first [`INLINE_SLOTS`] names.
    first: [Option<V>; INLINE_SLOTS],
    /// Bit `i`: a value was sent under name `i`.
    present: u8,
    /// Bit `i`: a later value under name `i` differs from its first.
    mixed: u8,
    /// Every name instead, for schemes that read more than [`INLINE_SLOTS`] names.
    heap: Vec<Slot<V>>,
    ends: [usize; ROLES],
}

impl<V: Copy> Default for Gathered<V> {
    fn default() -> Self {
        Gathered {
            first: [None; INLINE_SLOTS],
            present: 0,
            mixed: 0,
            heap: Vec::new(),
            ends: [0; ROLES],
        }
    }
}

impl<V: Copy> Gathered<V> {
    /// The one value of a header sent under any of the role's alternative names. Identical
    /// copies are one value; `Err(k)` when copies differ, noticed under the role's `k`-th name:
    /// the name the lookup name by name, value by value, would stop at.
    #[inline(always)]
    fn one_value<'h>(&self, role: Role) -> Result<Option<&'h [u8]>, usize>
    where
        V: HeaderBytes<'h>,
    {
        let r = role as usize;
        let start = if r == 0 { 0 } else { self.ends[r - 1] };
        let end = self.ends[r];
        if !self.heap.is_empty() {
            return one_value(&self.heap[start..end]);
        }
        // The role's names that were sent, in the scheme's order (bit order).
        let role_names = ((1u32 << end) - 1) & !((1u32 << start) - 1);
        let mut sent = u32::from(self.present) & role_names;
        if sent == 0 {
            return Ok(None);
        }
        let mixed = u32::from(self.mixed);
        let first = sent.trailing_zeros() as usize;
        let Some(value) = self.first[first] else {
            return Ok(None);
        };
        if mixed & (1 << first) != 0 {
            return Err(first - start);
        }
        sent &= sent - 1;
        while sent != 0 {
            let k = sent.trailing_zeros() as usize;
            if mixed & (1 << k) != 0 || !self.first[k].is_some_and(|v| same(v, value)) {
                return Err(k - start);
            }
            sent &= sent - 1;
        }
        Ok(Some(value.header_bytes()))
    }
}

impl<V: Copy> Gathered<V> {
    /// The value of the first of the role's names (in the scheme's order) that was sent, and
    /// that name's position among the role's names; the later names are not looked at. `Err(k)`
    /// when copies of that name, the `k`-th, differ.
    #[inline(always)]
    fn first_sent<'h>(&self, role: Role) -> Result<Option<(usize, &'h [u8])>, usize>
    where
        V: HeaderBytes<'h>,
    {
        let r = role as usize;
        let start = if r == 0 { 0 } else { self.ends[r - 1] };
        let end = self.ends[r];
        if !self.heap.is_empty() {
            let Some((k, slot)) = self.heap[start..end]
                .iter()
                .enumerate()
                .find(|(_, s)| s.first.is_some())
            else {
                return Ok(None);
            };
            if slot.mixed {
                return Err(k);
            }
            return Ok(slot.first.map(|v| (k, v.header_bytes())));
        }
        let role_names = ((1u32 << end) - 1) & !((1u32 << start) - 1);
        let sent = u32::from(self.present) & role_names;
        if sent == 0 {
            return Ok(None);
        }
        let first = sent.trailing_zeros() as usize;
        if u32::from(self.mixed) & (1 << first) != 0 {
            return Err(first - start);
        }
        Ok(self.first[first].map(|v| (first - start, v.header_bytes())))
    }
}

impl<V: Copy> Gathered<V> {
    /// The value of the `k`-th signed header ([`Role::Signed`]): `Ok(None)` when not sent,
    /// `Err(())` when its copies differ.
    fn signed_value<'h>(&self, k: usize) -> Result<Option<&'h [u8]>, ()>
    where
        V: HeaderBytes<'h>,
    {
        self.nth_value(Role::Signed, k)
    }

    /// The value of the role's `k`-th name: `Ok(None)` when not sent, `Err(())` when its
    /// copies differ.
    fn nth_value<'h>(&self, role: Role, k: usize) -> Result<Option<&'h [u8]>, ()>
    where
        V: HeaderBytes<'h>,
    {
        let r = role as usize;
        let i = if r == 0 { 0 } else { self.ends[r - 1] } + k;
        if !self.heap.is_empty() {
            let slot = self.heap.get(i).ok_or(())?;
            if slot.mixed {
                return Err(());
            }
            return Ok(slot.first.map(HeaderBytes::header_bytes));
        }
        if u32::from(self.mixed) & (1 << i) != 0 {
            return Err(());
        }
        Ok(self
            .first
            .get(i)
            .copied()
            .flatten()
            .map(HeaderBytes::header_bytes))
    }
}

/// [`Gathered::one_value`] for the slots of a scheme with many names.
fn one_value<'h, V: HeaderBytes<'h>>(slots: &[Slot<V>]) -> Result<Option<&'h [u8]>, usize> {
    let mut found: Option<V> = None;
    for (k, slot) in slots.iter().enumerate() {
        let Some(v) = slot.first else { continue };
        match found {
            None if slot.mixed => return Err(k),
            None => found = Some(v),
            Some(prev) if slot.mixed || !same(prev, v) => return Err(k),
            Some(_) => {}
        }
    }
    Ok(found.map(HeaderBytes::header_bytes))
}

/// The timestamp entry of a list signature header (Stripe's `t=`), read in the same pass as
/// the signatures.
#[derive(Clone, Copy)]
pub(crate) enum EntryTimestamp<'v> {
    /// The scheme keeps no timestamp in the signature header, or none was sent.
    Absent,
    /// The entry's text without its prefix (repeated identical entries are one).
    One(&'v [u8]),
    /// Several entries with different texts.
    Differing,
}

impl Encoding {
    /// Decode one encoded tag into a stack buffer; `None` when it is not exactly one
    /// well-formed 32-byte tag: 64 hex digits in either case, or the 44-character canonical
    /// padded base64 form.
    fn decode(self, text: &[u8]) -> Option<[u8; TAG_LEN]> {
        if text.len() != self.encoded_len() {
            return None;
        }
        match self {
            Encoding::Hex => crate::bytes::hex_tag(text),
            Encoding::Base64 => crate::bytes::base64_tag(text),
        }
    }
}

impl Scheme {
    /// Find every header the scheme reads, in one pass over the request's headers. A header is
    /// compared only when its name has a length the scheme wants, then on its last 8 bytes, and
    /// only then in full; a request's other headers (host, user-agent, forwarding headers, …)
    /// cost a length test each.
    #[inline(always)]
    pub(crate) fn gather<'h>(&self, headers: &'h HeaderMap, g: &mut Gathered<&'h HeaderValue>) {
        self.gather_pairs(headers, g);
    }

    /// [`gather`](Scheme::gather) over any HTTP stack's headers as (name, value) pairs: what
    /// adapters for another stack pass instead of copying their headers into an [`HeaderMap`].
    /// Names are lowercase in every stack we adapt; a value is read only when its name is
    /// wanted.
    #[inline(always)]
    pub(crate) fn gather_pairs<'h, I, N, V>(&self, headers: I, g: &mut Gathered<V>)
    where
        I: IntoIterator<Item = (N, V)>,
        N: HeaderBytes<'h>,
        V: HeaderBytes<'h>,
    {
        let wanted = &self.inner.wanted;
        g.ends = wanted.ends;
        if wanted.names.len() <= INLINE_SLOTS {
            for (name, value) in headers {
                let name = name.header_bytes();
                let mut candidates = wanted.by_len[name.len().min(63)];
                if candidates == 0 {
                    continue;
                }
                let tail = tail_word(name);
                // Every candidate: a custom scheme may read one header in two roles.
                while candidates != 0 {
                    let i = candidates.trailing_zeros() as usize;
                    candidates &= candidates - 1;
                    if wanted.names[i].is(name, tail) {
                        match g.first[i] {
                            None => {
                                g.first[i] = Some(value);
                                g.present |= 1 << i;
                            }
                            Some(prev) if !same(prev, value) => g.mixed |= 1 << i,
                            Some(_) => {}
                        }
                    }
                }
            }
        } else {
            g.heap = vec![Slot::default(); wanted.names.len()];
            for (name, value) in headers {
                let name = name.header_bytes();
                let tail = tail_word(name);
                for (slot, w) in g.heap.iter_mut().zip(&wanted.names) {
                    if w.is(name, tail) {
                        match slot.first {
                            None => slot.first = Some(value),
                            Some(prev) => slot.mixed |= !same(prev, value),
                        }
                    }
                }
            }
        }
    }

    /// A `signature_malformed` refusal whose detail names where the signature was read from
    /// (`detail` gets that name): out of line, so that the parsing it refuses stays small.
    #[cold]
    #[inline(never)]
    fn malformed(&self, detail: impl FnOnce(&str) -> String) -> Rejection {
        Rejection::with_detail(
            RejectionKind::SignatureMalformed,
            detail(&self.signature_label()),
        )
    }

    /// The value of the `k`-th [`SignedPart::Header`](super::SignedPart::Header): `Ok(None)`
    /// when not sent, `Err(())` when its copies differ.
    pub(crate) fn signed_header_in<'h, V: HeaderBytes<'h>>(
        &self,
        g: &Gathered<V>,
        k: usize,
    ) -> Result<Option<&'h [u8]>, ()> {
        g.signed_value(k)
    }

    /// The one signature header value of a delivery (alternative names must agree).
    #[inline(always)]
    pub(crate) fn signature_in<'h, V: HeaderBytes<'h>>(
        &self,
        g: &Gathered<V>,
    ) -> Result<&'h [u8], Rejection> {
        match g.one_value(Role::Signature) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(Rejection::with_detail(
                RejectionKind::SignatureMissing,
                format!("no {} header", self.signature_label()),
            )),
            Err(k) => Err(Rejection::with_detail(
                RejectionKind::SignatureHeaderRepeated,
                format!(
                    "{} signature headers with different values; one is expected",
                    self.inner.signature_headers[k]
                ),
            )),
        }
    }

    /// The signatures of a scheme whose every signature header carries one
    /// ([`SchemeBuilder::signature_headers`](super::SchemeBuilder::signature_headers), Box),
    /// decoded into `sigs` and `others`. A header not sent, or whose value does not decode, is
    /// passed over while another yields a signature.
    #[cold]
    #[inline(never)]
    pub(crate) fn each_signature_in<'h, V: HeaderBytes<'h>>(
        &self,
        g: &Gathered<V>,
        sigs: &mut Signatures,
        others: &mut AltSigs,
    ) -> Result<(), Rejection> {
        let mut first_error = None;
        for (k, name) in self.inner.signature_headers.iter().enumerate() {
            let value = match g.nth_value(Role::Signature, k) {
                Ok(Some(value)) => value,
                Ok(None) => continue,
                Err(()) => {
                    first_error.get_or_insert_with(|| {
                        Rejection::with_detail(
                            RejectionKind::SignatureHeaderRepeated,
                            format!("{name} headers with different values; one is expected"),
                        )
                    });
                    continue;
                }
            };
            if let Err(e) = self.parse_signature_value(value, sigs, others) {
                first_error.get_or_insert(e);
            }
        }
        if sigs.len() > 0 || !others.is_empty() {
            return Ok(());
        }
        Err(first_error.unwrap_or_else(|| {
            Rejection::with_detail(
                RejectionKind::SignatureMissing,
                format!("no {} header", self.signature_label()),
            )
        }))
    }

    /// The one signature header value of a delivery (alternative names must agree).
    #[cfg(test)]
    pub(crate) fn signature_value<'h>(
        &self,
        headers: &'h HeaderMap,
    ) -> Result<&'h [u8], Rejection> {
        let mut g = Gathered::default();
        self.gather(headers, &mut g);
        self.signature_in(&g)
    }

    /// Decode the candidate signatures from the signature header's value.
    #[cfg(test)]
    pub(crate) fn parse_signatures(
        &self,
        value: &(impl AsRef<[u8]> + ?Sized),
    ) -> Result<Signatures, Rejection> {
        let mut sigs = Signatures::default();
        let mut others = AltSigs::new();
        self.parse_signature_value(value.as_ref(), &mut sigs, &mut others)
            .map(|_| sigs)
    }

    /// Decode the candidate signatures from the signature header's value into `sigs` (empty)
    /// and, for schemes that keep their timestamp there (Stripe's `t=`), pick up the timestamp
    /// entry in the same pass. Signature errors come first; the timestamp entry is judged by
    /// [`Scheme::timestamp_in`].
    #[inline(always)]
    pub(crate) fn parse_signature_value<'v>(
        &self,
        raw: &'v [u8],
        sigs: &mut Signatures,
        others: &mut AltSigs,
    ) -> Result<EntryTimestamp<'v>, Rejection> {
        let mut entry_ts = EntryTimestamp::Absent;
        match &self.inner.syntax {
            SignatureSyntax::Single { prefix } => {
                let Some(encoded) = strip_short_prefix(raw, prefix.as_bytes()) else {
                    return Err(
                        self.malformed(|h| format!("{h} is present but has no `{prefix}` prefix"))
                    );
                };
                self.push_signature(self.inner.algorithm, encoded, sigs, others)?;
            }
            SignatureSyntax::List { separator, prefix } => {
                let ts_prefix = match &self.inner.timestamp {
                    Some((TimestampSource::SignatureEntry(p), _)) => Some(p.as_bytes()),
                    _ => None,
                };
                let mut sep = [0u8; 4];
                let sep = separator.encode_utf8(&mut sep).as_bytes();
                for entry in split_bytes(raw, sep) {
                    let entry = entry.trim_ascii();
                    if let Some(ts_prefix) = ts_prefix {
                        note_entry(&mut entry_ts, entry, ts_prefix);
                    }
                    let (algorithm, encoded) = match strip_short_prefix(entry, prefix.as_bytes()) {
                        Some(encoded) => (self.inner.algorithm, encoded),
                        None => match self.extra_entry(entry) {
                            Some(found) => found,
                            None => continue,
                        },
                    };
                    if sigs.len() + others.len() == MAX_SIGNATURES {
                        return Err(self.malformed(|h| {
                            format!("{h} carries more than {MAX_SIGNATURES} signatures")
                        }));
                    }
                    self.push_signature(algorithm, encoded, sigs, others)?;
                }
                if sigs.len() == 0 && others.is_empty() {
                    return Err(self.malformed(|h| {
                        let mut names = format!("`{prefix}`");
                        for (extra, _) in &self.inner.extra_entries {
                            names.push_str(&format!(" or `{extra}`"));
                        }
                        format!("{h} has no {names} entry")
                    }));
                }
            }
        }
        Ok(entry_ts)
    }

    /// An entry of another algorithm ([`SchemeBuilder::also_entries`]): its algorithm and
    /// encoded signature.
    #[cold]
    fn extra_entry<'v>(&self, entry: &'v [u8]) -> Option<(Algorithm, &'v [u8])> {
        self.inner
            .extra_entries
            .iter()
            .find_map(|(prefix, algorithm)| {
                strip_short_prefix(entry, prefix.as_bytes()).map(|encoded| (*algorithm, encoded))
            })
    }

    /// Decode one signature: an HMAC-SHA256 tag into `sigs` (on the stack), any other into
    /// `others`.
    #[inline(always)]
    fn push_signature(
        &self,
        algorithm: Algorithm,
        encoded: &[u8],
        sigs: &mut Signatures,
        others: &mut AltSigs,
    ) -> Result<(), Rejection> {
        let encoding = self.inner.encoding;
        if algorithm == Algorithm::HmacSha256 {
            let tag = encoding
                .decode(encoded)
                .ok_or_else(|| self.malformed(|h| malformed_tag(h, encoding, encoded.len())))?;
            sigs.push(tag);
            return Ok(());
        }
        others.push((algorithm, self.decode_other(algorithm, encoded)?));
        Ok(())
    }

    /// A signature of an algorithm other than HMAC-SHA256, decoded: a token as sent, any other
    /// from the scheme's encoding, at the algorithm's length or within its bounds (ECDSA's DER,
    /// RSA's key-sized signatures). The encoded length is checked before anything is decoded.
    #[cold]
    fn decode_other(&self, algorithm: Algorithm, encoded: &[u8]) -> Result<Vec<u8>, Rejection> {
        let header = || self.signature_label();
        let (min, max) = algorithm.decoded_len_bounds();
        if algorithm == Algorithm::Token {
            if encoded.len() < min || encoded.len() > max {
                return Err(Rejection::with_detail(
                    RejectionKind::SignatureMalformed,
                    format!(
                        "{} token is {} bytes long; {min} to {max} are accepted",
                        header(),
                        encoded.len()
                    ),
                ));
            }
            return Ok(encoded.to_vec());
        }
        let encoding = self.inner.encoding;
        let encoded_len = |n: usize| match encoding {
            Encoding::Hex => 2 * n,
            Encoding::Base64 => n.div_ceil(3) * 4,
        };
        let (lo, hi) = (encoded_len(min), encoded_len(max));
        let mut out = vec![0u8; max];
        let decoded = if encoded.len() < lo || encoded.len() > hi {
            None
        } else {
            match encoding {
                Encoding::Hex if encoded.len().is_multiple_of(2) => {
                    let n = encoded.len() / 2;
                    hex::decode_to_slice(encoded, &mut out[..n])
                        .ok()
                        .map(|()| n)
                }
                Encoding::Hex => None,
                // Canonical padded base64 only (the STANDARD engine refuses non-zero trailing
                // bits and missing padding).
                Encoding::Base64 => base64::engine::general_purpose::STANDARD
                    .decode_slice(encoded, &mut out)
                    .ok(),
            }
        };
        match decoded {
            Some(n) if (min..=max).contains(&n) => {
                out.truncate(n);
                if algorithm == Algorithm::EcdsaP256Sha256
                    && !crate::algorithm::ecdsa_p256_shape_ok(&out)
                {
                    return Err(Rejection::with_detail(
                        RejectionKind::SignatureMalformed,
                        format!(
                            "{} is not an ECDSA P-256 signature: neither DER nor the \
                             64-byte `r ‖ s` form",
                            header()
                        ),
                    ));
                }
                Ok(out)
            }
            _ => {
                let want = if lo == hi {
                    format!("{lo} characters")
                } else {
                    format!("{lo} to {hi} characters")
                };
                Err(Rejection::with_detail(
                    RejectionKind::SignatureMalformed,
                    format!(
                        "{} {} signature is not {want} of {} (got {})",
                        header(),
                        algorithm.name(),
                        encoding.name(),
                        encoded.len()
                    ),
                ))
            }
        }
    }

    /// Read the timestamp: `(its text as sent, value in the scheme's unit)`, from its header
    /// or, for schemes like Stripe's, from the signature header's entry (`entry`, found by
    /// [`Scheme::parse_signature_value`]).
    #[inline(always)]
    pub(crate) fn timestamp_in<'h, V: HeaderBytes<'h>>(
        &self,
        g: &Gathered<V>,
        entry: EntryTimestamp<'_>,
    ) -> Result<Option<(TimestampText, u64)>, Rejection> {
        let Some((source, unit)) = &self.inner.timestamp else {
            return Ok(None);
        };
        let label = || self.timestamp_label();
        let text: &[u8] = match source {
            // Read once the body is in.
            TimestampSource::JsonBody(_) => return Ok(None),
            TimestampSource::Headers(_) => match g.one_value(Role::Timestamp) {
                Ok(Some(v)) => v,
                Ok(None) => {
                    return Err(Rejection::with_detail(
                        RejectionKind::TimestampMissing,
                        format!("no {} header", label()),
                    ));
                }
                Err(_) => {
                    return Err(Rejection::with_detail(
                        RejectionKind::TimestampMalformed,
                        format!("several different {} headers", label()),
                    ));
                }
            },
            TimestampSource::SignatureEntry(_) => match entry {
                EntryTimestamp::One(text) => text,
                EntryTimestamp::Absent => {
                    return Err(Rejection::with_detail(
                        RejectionKind::TimestampMissing,
                        format!("no {}", label()),
                    ));
                }
                EntryTimestamp::Differing => {
                    return Err(Rejection::with_detail(
                        RejectionKind::TimestampMalformed,
                        format!("several different {} values", label()),
                    ));
                }
            },
        };
        self.parse_timestamp_text(text, *unit).map(Some)
    }

    /// A timestamp's text, read in the scheme's unit: `(the text kept as sent, its value)`.
    #[inline(always)]
    pub(crate) fn parse_timestamp_text(
        &self,
        text: &[u8],
        unit: TimestampUnit,
    ) -> Result<(TimestampText, u64), Rejection> {
        let label = || self.timestamp_label();
        let malformed = || {
            let expected = match unit {
                TimestampUnit::Rfc3339 => {
                    "an RFC 3339 date-time such as `2016-09-21T22:00:46Z`".to_owned()
                }
                _ => format!("a plain unsigned decimal integer (unix {})", unit.name()),
            };
            Rejection::with_detail(
                RejectionKind::TimestampMalformed,
                format!("{} is not {expected}", label()),
            )
        };
        let n = unit.parse(text).ok_or_else(malformed)?;
        let text = TimestampText::new(text).ok_or_else(malformed)?;
        Ok((text, n))
    }

    /// Read the timestamp from the headers and, for schemes like Stripe's, from `signature`
    /// (the signature header's value, whether or not its signatures are well-formed).
    #[cfg(fuzzing)]
    pub(crate) fn parse_timestamp(
        &self,
        headers: &HeaderMap,
        signature: &HeaderValue,
    ) -> Result<Option<(TimestampText, u64)>, Rejection> {
        let mut entry = EntryTimestamp::Absent;
        if let (
            Some((TimestampSource::SignatureEntry(prefix), _)),
            SignatureSyntax::List { separator, .. },
        ) = (&self.inner.timestamp, &self.inner.syntax)
        {
            let mut sep = [0u8; 4];
            let sep = separator.encode_utf8(&mut sep).as_bytes();
            for e in split_bytes(signature.as_bytes(), sep) {
                note_entry(&mut entry, e.trim_ascii(), prefix.as_bytes());
            }
        }
        let mut g = Gathered::default();
        self.gather(headers, &mut g);
        self.timestamp_in(&g, entry)
    }

    /// Read the delivery id or the event type (`role`) from its header (under any of its names,
    /// or the first of its headers in order) and check it (non-empty, bounded, visible ASCII
    /// without spaces). Missing → `Ok(None)`.
    #[inline(always)]
    pub(crate) fn field_in<'h, V: HeaderBytes<'h>>(
        &self,
        g: &Gathered<V>,
        role: Role,
        kind: RejectionKind,
    ) -> Result<Option<&'h [u8]>, Rejection> {
        let field = match role {
            Role::Event => &self.inner.event,
            _ => &self.inner.id,
        };
        let found = match field {
            Some(Field::HeadersInOrder(_) | Field::FirstOf { .. }) => g.first_sent(role),
            _ => g.one_value(role).map(|v| v.map(|v| (0, v))),
        };
        let (k, value) = match found {
            Ok(Some(found)) => found,
            Ok(None) => return Ok(None),
            Err(k) => {
                return Err(Rejection::with_detail(
                    kind,
                    format!("several different `{}` headers", self.field_name(role, k)),
                ));
            }
        };
        let ok = match role {
            Role::Event => event_text_ok(value),
            _ => field_text_ok(value),
        };
        if !ok {
            check_field_text(value, self.field_name(role, k), kind)?;
        }
        Ok(Some(value))
    }

    /// The `k`-th header name of the id or the event type (the first where the names are
    /// alternatives), for diagnostics.
    fn field_name(&self, role: Role, k: usize) -> &str {
        let field = match role {
            Role::Event => &self.inner.event,
            _ => &self.inner.id,
        };
        let names = field.as_ref().map_or(&[][..], Field::header_names);
        let k = match field {
            Some(Field::HeadersInOrder(_) | Field::FirstOf { .. }) => k,
            _ => 0,
        };
        names.get(k).map_or("", HeaderName::as_str)
    }

    /// [`Scheme::field_in`] on a header map.
    #[cfg(fuzzing)]
    pub(crate) fn header_field<'h>(
        &self,
        headers: &'h HeaderMap,
        role: Role,
        kind: RejectionKind,
    ) -> Result<Option<&'h [u8]>, Rejection> {
        let mut g = Gathered::default();
        self.gather(headers, &mut g);
        self.field_in(&g, role, kind)
    }
}

/// Take note of a signature header entry that may be the timestamp (`prefix` then the text).
#[inline]
fn note_entry<'v>(found: &mut EntryTimestamp<'v>, entry: &'v [u8], prefix: &[u8]) {
    let Some(text) = strip_short_prefix(entry, prefix) else {
        return;
    };
    *found = match *found {
        EntryTimestamp::Absent => EntryTimestamp::One(text),
        EntryTimestamp::One(prev) if prev == text => EntryTimestamp::One(prev),
        EntryTimestamp::One(_) | EntryTimestamp::Differing => EntryTimestamp::Differing,
    };
}

/// A timestamp's text as sent, copied onto the stack (at most 20 ASCII digits, or an RFC 3339
/// date-time), so it can be fed into the MAC wherever it came from without allocating.
#[derive(Clone, Copy)]
pub(crate) struct TimestampText {
    buf: [u8; TIMESTAMP_TEXT_LEN],
    len: usize,
}

/// Room for the longest timestamp text accepted: an RFC 3339 date-time.
const TIMESTAMP_TEXT_LEN: usize = super::rfc3339::MAX_LEN;

impl TimestampText {
    #[inline]
    fn new(text: &[u8]) -> Option<Self> {
        let mut buf = [0u8; TIMESTAMP_TEXT_LEN];
        copy_short(buf.get_mut(..text.len())?, text);
        Some(TimestampText {
            buf,
            len: text.len(),
        })
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl fmt::Debug for TimestampText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.as_bytes()))
    }
}

fn malformed_tag(header: &str, encoding: Encoding, len: usize) -> String {
    format!(
        "{header} signature is not {} {}-character {} (got {len} characters)",
        if encoding == Encoding::Hex {
            "a"
        } else {
            "a padded"
        },
        encoding.encoded_len(),
        encoding.name(),
    )
}

/// Whether [`check_field_text`] passes `text`, without naming the field.
#[inline]
pub(crate) fn field_text_ok(text: &[u8]) -> bool {
    !text.is_empty() && text.len() <= MAX_ID_LEN && visible_ascii(text)
}

/// Whether an event type passes: like an id, except that it may have spaces inside, as
/// GitLab's `X-Gitlab-Event: Push Hook` does (HTTP strips them at the ends).
#[inline]
pub(crate) fn event_text_ok(text: &[u8]) -> bool {
    match (text.first(), text.last()) {
        (Some(&first), Some(&last)) => {
            first != b' '
                && last != b' '
                && text.len() <= MAX_ID_LEN
                && text.iter().all(|b| (0x20..=0x7e).contains(b))
        }
        _ => false,
    }
}

/// Check an id or event type: non-empty, bounded, visible ASCII (no space; an event type may
/// have spaces inside, see [`event_text_ok`]).
pub(crate) fn check_field_text(
    text: &[u8],
    what: &str,
    kind: RejectionKind,
) -> Result<(), Rejection> {
    if text.is_empty() {
        return Err(Rejection::with_detail(kind, format!("`{what}` is empty")));
    }
    if text.len() > MAX_ID_LEN {
        return Err(Rejection::with_detail(
            kind,
            format!("`{what}` is longer than {MAX_ID_LEN} bytes"),
        ));
    }
    let ok = match kind {
        RejectionKind::EventMalformed => event_text_ok(text),
        _ => visible_ascii(text),
    };
    if !ok {
        return Err(Rejection::with_detail(
            kind,
            format!(
                "`{what}` contains a space, a control character or a non-ASCII byte; only \
                 visible ASCII is accepted (and, in an event type, spaces inside)"
            ),
        ));
    }
    Ok(())
}

/// Candidate signatures decoded from one delivery, on the stack. Most deliveries carry one:
/// the room for [`MAX_SIGNATURES`] is only set up (zeroed) when a second one arrives.
// Not boxed: the point is to stay on the stack; the large variant is only built for a second
// signature.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum Signatures {
    /// None yet (`len` 0) or one.
    One { tag: [u8; TAG_LEN], len: usize },
    /// Two or more.
    Many {
        tags: [[u8; TAG_LEN]; MAX_SIGNATURES],
        len: usize,
    },
}

impl Default for Signatures {
    #[inline]
    fn default() -> Self {
        Signatures::One {
            tag: [0; TAG_LEN],
            len: 0,
        }
    }
}

impl fmt::Debug for Signatures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signatures")
            .field("count", &self.len())
            .finish()
    }
}

impl Signatures {
    /// Add a tag; at most [`MAX_SIGNATURES`] (checked by the caller).
    #[inline]
    fn push(&mut self, new: [u8; TAG_LEN]) {
        match self {
            Signatures::One { tag, len: len @ 0 } => {
                *tag = new;
                *len = 1;
            }
            Signatures::One { tag, .. } => {
                let mut tags = [[0; TAG_LEN]; MAX_SIGNATURES];
                tags[0] = *tag;
                tags[1] = new;
                *self = Signatures::Many { tags, len: 2 };
            }
            Signatures::Many { tags, len } => {
                tags[*len] = new;
                *len += 1;
            }
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        match self {
            Signatures::One { len, .. } | Signatures::Many { len, .. } => *len,
        }
    }

    #[inline]
    pub(crate) fn as_slice(&self) -> &[[u8; TAG_LEN]] {
        match self {
            Signatures::One { tag, len } => &std::slice::from_ref(tag)[..*len],
            Signatures::Many { tags, len } => &tags[..*len],
        }
    }

    #[cfg(test)]
    pub(crate) fn push_for_tests(&mut self, tag: [u8; TAG_LEN]) {
        self.push(tag);
    }
}

/// Read a string (or integer, as its decimal text) at `path` in a JSON body without building a
/// document tree or allocating (but for the value found); parsing stops as soon as the field is
/// found.
///
/// `Ok(None)`: the body is JSON but has no such field (or not a string/integer there).
/// `Err(())`: the body is not JSON.
pub(crate) fn json_field(body: &[u8], path: &[Cow<'static, str>]) -> Result<Option<String>, ()> {
    crate::json_scan::find(body, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheme::TimestampUnit;

    #[test]
    fn base64_tags_are_canonical_padded_and_32_bytes() {
        use base64::engine::general_purpose::STANDARD;
        for seed in 0..64u8 {
            let tag: Vec<u8> = (0..32u8)
                .map(|i| i.wrapping_mul(seed).wrapping_add(seed ^ 0x5A))
                .collect();
            let text = STANDARD.encode(&tag);
            let decode = |t: &[u8]| Encoding::Base64.decode(t).map(|t| t.to_vec());
            assert_eq!(decode(text.as_bytes()), Some(tag));
            // Any single character replaced: accepted exactly when the crate's strict decoder
            // reads 32 bytes (no `==`, no missing padding, no trailing bits, no URL alphabet,
            // no space).
            for pos in [0, 17, 41, 42, 43] {
                for c in [b'A', b'/', b'+', b'=', b'-', b'_', b' ', 0x80] {
                    let mut t = text.clone().into_bytes();
                    t[pos] = c;
                    let crate_says = STANDARD.decode(&t).ok().filter(|d| d.len() == 32);
                    assert_eq!(decode(&t), crate_says, "{t:?}");
                }
            }
            // Unpadded, or with surrounding whitespace: wrong length.
            assert_eq!(decode(text.trim_end_matches('=').as_bytes()), None);
            assert_eq!(decode(format!("{text}\n").as_bytes()), None);
            assert_eq!(decode(format!(" {text}").as_bytes()), None);
        }
    }

    #[test]
    fn hex_tags_decode_in_either_case_and_refuse_non_hex() {
        let tag: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(37)).collect();
        let decode = |t: &[u8]| Encoding::Hex.decode(t).map(|t| t.to_vec());
        let lower = hex::encode(&tag);
        assert_eq!(decode(lower.as_bytes()), Some(tag.clone()));
        assert_eq!(decode(lower.to_uppercase().as_bytes()), Some(tag.clone()));
        let mixed: String = lower
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 3 == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        assert_eq!(decode(mixed.as_bytes()), Some(tag));
        for bad in [b'g', b' ', b'/', b':', b'@', b'G', b'`', 0x80, 0xFF, 0] {
            let mut t = lower.clone().into_bytes();
            t[17] = bad;
            assert_eq!(decode(&t), None, "byte {bad:#x}");
        }
        assert_eq!(decode(&lower.as_bytes()[..62]), None);
        assert_eq!(decode(format!("{lower}00").as_bytes()), None);
        assert_eq!(decode(format!("{lower} ").as_bytes()), None);
    }

    /// A lookup per name: every value of every alternative name, in
    /// the scheme's order, through `HeaderMap::get_all`.
    fn reference_one_value(
        headers: &HeaderMap,
        names: &[HeaderName],
    ) -> Result<Option<HeaderValue>, usize> {
        let mut found: Option<&HeaderValue> = None;
        for (k, name) in names.iter().enumerate() {
            for v in headers.get_all(name) {
                match found {
                    None => found = Some(v),
                    Some(prev) if prev == v => {}
                    Some(_) => return Err(k),
                }
            }
        }
        Ok(found.cloned())
    }

    /// The lookup for headers in order: the first name with a value, its copies agreeing.
    fn reference_first_sent(
        headers: &HeaderMap,
        names: &[HeaderName],
    ) -> Result<Option<(usize, HeaderValue)>, usize> {
        for (k, name) in names.iter().enumerate() {
            let mut values = headers.get_all(name).iter();
            if let Some(first) = values.next() {
                if values.any(|v| v != first) {
                    return Err(k);
                }
                return Ok(Some((k, first.clone())));
            }
        }
        Ok(None)
    }

    #[test]
    fn gathering_agrees_with_a_lookup_per_name() {
        let custom = Scheme::builder("many")
            .signature_header("x-a-signature")
            .signature_header("x-b-signature")
            .timestamp_header("x-a-timestamp", TimestampUnit::Seconds)
            .timestamp_header("x-b-timestamp", TimestampUnit::Seconds)
            .timestamp_header("x-c-timestamp", TimestampUnit::Seconds)
            .id_header("x-a-id")
            .id_header("x-b-id")
            .id_header("x-c-id")
            .event_header("x-a-id")
            .event_header("x-z-event")
            .build()
            .unwrap();
        // Ids from headers in order: inline slots, and a heap buffer (more than 8 names).
        let in_order = |extra: usize| {
            let mut b = Scheme::builder("in-order")
                .signature_header("x-a-signature")
                .id_headers_in_order(["x-a-id", "x-b-id", "x-c-id"])
                .event_header("x-z-event");
            for i in 0..extra {
                b = b.timestamp_header(&format!("x-{i}-timestamp"), TimestampUnit::Seconds);
            }
            b.build().unwrap()
        };
        let schemes = [
            Scheme::heppu(),
            Scheme::helicone(),
            Scheme::standard_webhooks(),
            Scheme::github(),
            Scheme::shopify(),
            Scheme::sendgrid(),
            Scheme::paypal("WH1234567890").unwrap(),
            Scheme::square("https://hooks.example.com").unwrap(),
            Scheme::hubspot("https://hooks.example.com").unwrap(),
            Scheme::twitch(),
            Scheme::dropbox(),
            Scheme::mailgun(),
            Scheme::zoom(),
            custom,
            in_order(0),
            in_order(5),
            Scheme::linear(),
            Scheme::lemon_squeezy(),
            Scheme::sentry(),
            Scheme::woocommerce(),
            Scheme::bitbucket(),
            Scheme::paddle(),
            Scheme::pagerduty(),
            Scheme::zendesk(),
            Scheme::box_com(),
        ];
        let values = ["1", "2", "1"];
        let unrelated = [
            "host",
            "user-agent",
            "x-request-id",
            "content-type",
            "x-webhook",
        ];
        for scheme in &schemes {
            let all: Vec<HeaderName> = scheme.header_names().cloned().collect();
            // Every combination of up to three headers (wanted or not) with values from a
            // small set, appended in order, so repeats, agreeing and differing copies and
            // alternative names all occur.
            let pool: Vec<HeaderName> = all
                .iter()
                .cloned()
                .chain(unrelated.iter().map(|n| HeaderName::from_static(n)))
                .collect();
            let mut seed = 7u64;
            for _ in 0..3000 {
                let mut headers = HeaderMap::new();
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let count = (seed >> 60) as usize % 6;
                for j in 0..count {
                    let r = (seed >> (8 * j)) as usize;
                    let name = pool[r % pool.len()].clone();
                    let value = values[(r / pool.len()) % values.len()];
                    headers.append(name, HeaderValue::from_static(value));
                }
                let mut g = Gathered::default();
                scheme.gather(&headers, &mut g);
                let roles: [(Role, Vec<HeaderName>); 4] = [
                    (Role::Signature, scheme.signature_headers().to_vec()),
                    (
                        Role::Timestamp,
                        match scheme.timestamp() {
                            Some((TimestampSource::Headers(n), _)) => n.clone(),
                            _ => vec![],
                        },
                    ),
                    (
                        Role::Id,
                        scheme
                            .id_field()
                            .map_or(vec![], |f| f.header_names().to_vec()),
                    ),
                    (
                        Role::Event,
                        scheme
                            .event_field()
                            .map_or(vec![], |f| f.header_names().to_vec()),
                    ),
                ];
                for (role, names) in roles {
                    assert_eq!(
                        g.one_value(role).map(|v| v.map(<[u8]>::to_vec)),
                        reference_one_value(&headers, &names)
                            .map(|v| v.map(|v| v.as_bytes().to_vec())),
                        "{} {role:?} {headers:?}",
                        scheme.name()
                    );
                    assert_eq!(
                        g.first_sent(role).map(|v| v.map(|(k, v)| (k, v.to_vec()))),
                        reference_first_sent(&headers, &names)
                            .map(|v| v.map(|(k, v)| (k, v.as_bytes().to_vec()))),
                        "{} {role:?} {headers:?} in order",
                        scheme.name()
                    );
                }
            }
        }
    }

    #[test]
    fn ids_and_event_types_are_visible_ascii_without_spaces() {
        for ok in [
            "dlv_1",
            "!",
            "~",
            "orders/create",
            "a:b.c-d_e",
            &"x".repeat(MAX_ID_LEN),
        ] {
            assert!(field_text_ok(ok.as_bytes()), "{ok:?}");
        }
        for bad in [
            "dlv 1",
            " ",
            " dlv1",
            "dlv1 ",
            "dlv\t1",
            "dlv\u{7f}",
            "\u{1f}",
            "dl\u{e9}",
            "",
        ] {
            assert!(!field_text_ok(bad.as_bytes()), "{bad:?}");
            let err = check_field_text(bad.as_bytes(), "x-id", RejectionKind::IdMalformed);
            assert_eq!(
                err.unwrap_err().kind(),
                RejectionKind::IdMalformed,
                "{bad:?}"
            );
        }
        // Through a scheme: `X-Webhook-ID: dlv 1` is refused; an event type may have spaces
        // inside (GitLab's `Push Hook`), not a tab.
        let scheme = Scheme::heppu();
        let mut h = HeaderMap::new();
        h.insert("x-webhook-id", HeaderValue::from_static("dlv 1"));
        h.insert("x-webhook-event", HeaderValue::from_static("Push Hook"));
        let mut g = Gathered::default();
        scheme.gather(&h, &mut g);
        let id = scheme.field_in(&g, Role::Id, RejectionKind::IdMalformed);
        assert_eq!(id.unwrap_err().kind(), RejectionKind::IdMalformed);
        let event = scheme.field_in(&g, Role::Event, RejectionKind::EventMalformed);
        assert_eq!(event.unwrap(), Some(&b"Push Hook"[..]));
        h.insert("x-webhook-event", HeaderValue::from_static("Push\tHook"));
        let mut g = Gathered::default();
        scheme.gather(&h, &mut g);
        let event = scheme.field_in(&g, Role::Event, RejectionKind::EventMalformed);
        assert_eq!(event.unwrap_err().kind(), RejectionKind::EventMalformed);
        assert!(!event_text_ok(b" Push") && !event_text_ok(b"") && event_text_ok(b"a b"));
    }

    #[test]
    fn list_syntax_skips_junk_entries() {
        let scheme = Scheme::builder("l")
            .signature_header("sig")
            .signature_list(' ', "v1,")
            .encoding(Encoding::Base64)
            .build()
            .unwrap();
        let tag = [7u8; 32];
        let good = scheme.format_signature(&tag);
        let mut h = HeaderMap::new();
        h.insert("sig", format!("v0,abc  \t{good}\t v2,zz").parse().unwrap());
        let sigs = scheme
            .parse_signatures(scheme.signature_value(&h).unwrap())
            .unwrap();
        assert_eq!(sigs.as_slice(), &[tag]);
        for bad in ["v1,", "v1", "v1,a,b", "", " ", "v1,!!!!"] {
            h.insert("sig", HeaderValue::from_str(bad).unwrap());
            let err = scheme
                .parse_signatures(scheme.signature_value(&h).unwrap())
                .unwrap_err();
            assert_eq!(err.kind(), RejectionKind::SignatureMalformed, "{bad:?}");
        }
        let many = vec![good.clone(); MAX_SIGNATURES + 1].join(" ");
        h.insert("sig", many.parse().unwrap());
        assert_eq!(
            scheme
                .parse_signatures(scheme.signature_value(&h).unwrap())
                .unwrap_err()
                .kind(),
            RejectionKind::SignatureMalformed
        );
    }

    fn path(p: &str) -> Vec<Cow<'static, str>> {
        p.split('.').map(|s| Cow::Owned(s.to_owned())).collect()
    }

    #[test]
    fn json_field_finds_top_level_and_nested() {
        let body = br#"{"a":1,"request_id":"r-1","data":{"object":{"id":"evt_9"}},"n":7}"#;
        assert_eq!(
            json_field(body, &path("request_id")),
            Ok(Some("r-1".into()))
        );
        assert_eq!(
            json_field(body, &path("data.object.id")),
            Ok(Some("evt_9".into()))
        );
        assert_eq!(json_field(body, &path("n")), Ok(Some("7".into())));
        assert_eq!(json_field(body, &path("missing")), Ok(None));
        assert_eq!(json_field(body, &path("data.nope")), Ok(None));
        assert_eq!(json_field(b"not json", &path("a")), Err(()));
        assert_eq!(json_field(b"[1,2]", &path("a")), Ok(None));
        assert_eq!(json_field(br#"{"a":"x"} trailing"#, &path("b")), Err(()));
        // Stops at the first occurrence: what follows is not parsed.
        assert_eq!(
            json_field(br#"{"id":"first", garbage"#, &path("id")),
            Ok(Some("first".into()))
        );
    }
}
