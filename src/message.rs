//! The signed message of one delivery: the scheme's [`SignedPart`]s in order, with the
//! values this delivery gives them, and the check of a signature over it for every algorithm
//! but the HMAC-SHA256 the verifier streams itself (see [`crate::Verifier`]).
//!
//! Between the scheme (which declares the parts) and the algorithm (which signs bytes): it
//! reads both, and neither reads it.

use hmac::{Hmac, Mac};
use subtle::ConstantTimeEq;

use crate::algorithm::{ANY_KEY, Algorithm, AltKey};
use crate::scheme::SignedPart;

/// A signed message: the scheme's parts in order, with the values this delivery gives them.
pub(crate) struct Message<'a> {
    parts: &'a [SignedPart],
    timestamp: Option<&'a [u8]>,
    id: Option<&'a [u8]>,
    body: &'a [u8],
    /// The body's CRC32 as decimal text, where a part asks for it.
    crc32: Crc32Text,
    /// What the message takes from the request line and headers.
    request: Option<&'a RequestValues>,
    /// The public base URL of a [`SignedPart::Url`] (one of its variants).
    base: &'a str,
    /// The texts of the [`SignedPart::JsonField`] parts, in order.
    json: Vec<Vec<u8>>,
    /// The [`SignedPart::FormParams`] text.
    form: Vec<u8>,
}

/// What a signed message takes from the request besides the body: the method, the request
/// target's path and query, and the values of the signed headers in the scheme's order.
/// Copied out of the request when the headers are checked (only for schemes that sign any
/// of them), so the verdict can be reached after the request is gone.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestValues {
    pub(crate) method: Box<[u8]>,
    pub(crate) path: Box<[u8]>,
    pub(crate) headers: Vec<Box<[u8]>>,
}

impl RequestValues {
    /// The value of query parameter `name` of the request target, percent-decoded.
    pub(crate) fn query_param(&self, name: &str) -> Option<String> {
        let path = &self.path[..];
        let query = &path[path.iter().position(|b| *b == b'?')? + 1..];
        form_urlencoded::parse(query)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// A CRC32 written as an unsigned decimal (at most 10 digits), on the stack.
#[derive(Clone, Copy, Default)]
struct Crc32Text {
    buf: [u8; 10],
    len: usize,
}

impl Crc32Text {
    /// The CRC-32 (IEEE 802.3, as zlib and PHP's `crc32` compute it) of `body`.
    fn of(body: &[u8]) -> Crc32Text {
        let mut value = crc32fast::hash(body);
        let mut digits = [0u8; 10];
        let mut n = 0;
        loop {
            digits[n] = b'0' + (value % 10) as u8;
            n += 1;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        let mut out = Crc32Text::default();
        for (slot, digit) in out.buf.iter_mut().zip(digits[..n].iter().rev()) {
            *slot = *digit;
        }
        out.len = n;
        out
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// A signed part that the body or the request does not supply: the field's or header's name.
#[derive(Debug)]
pub(crate) struct MissingPart(pub(crate) String);

/// The [`SignedPart::FormParams`] text of a form-encoded body: the decoded parameters sorted
/// by name, then value, identical pairs once, each written as name then value. The order and
/// the dropping of repeated pairs follow Twilio's own validator (twilio-python 9.6
/// `RequestValidator.compute_signature`: `sorted(set(values))` per sorted name).
pub(crate) fn sorted_form_params(body: &[u8]) -> Vec<u8> {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut out = Vec::with_capacity(body.len());
    for (k, v) in pairs {
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(v.as_bytes());
    }
    out
}

impl<'a> Message<'a> {
    /// The message `parts` make with these values (the body's CRC32 is computed only when a
    /// part asks for it), for schemes that take nothing from the request line, headers or
    /// body fields. The unit tests build their messages with it.
    #[cfg(test)]
    pub(crate) fn new(
        parts: &'a [SignedPart],
        timestamp: Option<&'a [u8]>,
        id: Option<&'a [u8]>,
        body: &'a [u8],
    ) -> Self {
        Message {
            parts,
            timestamp,
            id,
            body,
            crc32: Crc32Text::default(),
            request: None,
            base: "",
            json: Vec::new(),
            form: Vec::new(),
        }
        .with_body_values(false)
        .0
    }

    /// The message with everything a scheme's parts can ask for: the request's values, the
    /// public base URL, and (read from the body) the JSON field texts, the sorted form
    /// parameters unless `no_form` (a body covered by its hash instead), the CRC32. `Err`
    /// names a JSON field the body lacks.
    pub(crate) fn resolve(
        parts: &'a [SignedPart],
        timestamp: Option<&'a [u8]>,
        id: Option<&'a [u8]>,
        body: &'a [u8],
        request: Option<&'a RequestValues>,
        base: &'a str,
        no_form: bool,
    ) -> Result<Self, MissingPart> {
        let (message, missing) = Message {
            parts,
            timestamp,
            id,
            body,
            crc32: Crc32Text::default(),
            request,
            base,
            json: Vec::new(),
            form: Vec::new(),
        }
        .with_body_values(no_form);
        match missing {
            Some(name) => Err(MissingPart(name)),
            None => Ok(message),
        }
    }

    /// The same message over another public base URL (a port variant).
    pub(crate) fn with_base(mut self, base: &'a str) -> Self {
        self.base = base;
        self
    }

    /// The parts read from the body, and the first JSON field part the body lacks (signed
    /// as empty).
    fn with_body_values(mut self, no_form: bool) -> (Self, Option<String>) {
        let mut missing = None;
        for part in self.parts {
            match part {
                SignedPart::BodyCrc32 => self.crc32 = Crc32Text::of(self.body),
                SignedPart::FormParams if !no_form => self.form = sorted_form_params(self.body),
                SignedPart::JsonField(path) => match crate::json_scan::find_text(self.body, path) {
                    Ok(Some(text)) => self.json.push(text.as_bytes().to_vec()),
                    _ => {
                        self.json.push(Vec::new());
                        missing.get_or_insert_with(|| path.join("."));
                    }
                },
                _ => {}
            }
        }
        (self, missing)
    }

    /// Every piece of the message in order (a URL is two: its base and the request's path).
    fn for_each_piece(&self, mut f: impl FnMut(&[u8])) {
        let mut json = self.json.iter();
        let mut headers = self.request.map(|r| r.headers.iter());
        for part in self.parts {
            match part {
                SignedPart::Timestamp => f(self.timestamp.unwrap_or_default()),
                SignedPart::Id => f(self.id.unwrap_or_default()),
                SignedPart::Literal(bytes) => f(bytes),
                SignedPart::Body => f(self.body),
                SignedPart::BodyCrc32 => f(self.crc32.as_bytes()),
                SignedPart::Configured { value, .. } => f(value.as_bytes()),
                SignedPart::Url => {
                    f(self.base.as_bytes());
                    f(self.request.map_or(&[][..], |r| &r.path));
                }
                SignedPart::Method => f(self.request.map_or(&[][..], |r| &r.method)),
                SignedPart::Header(_) => f(headers
                    .as_mut()
                    .and_then(Iterator::next)
                    .map_or(&[][..], |v| v)),
                SignedPart::FormParams => f(&self.form),
                SignedPart::JsonField(_) => f(json.next().map_or(&[][..], |v| v)),
            }
        }
    }

    /// The whole message in one buffer (Ed25519, which cannot take it in pieces, and the
    /// test signer).
    #[cfg_attr(
        not(any(test, feature = "ed25519", feature = "p256", feature = "rsa")),
        allow(dead_code)
    )]
    pub(crate) fn joined(&self) -> Vec<u8> {
        let mut len = 0;
        self.for_each_piece(|p| len += p.len());
        let mut out = Vec::with_capacity(len);
        self.for_each_piece(|p| out.extend_from_slice(p));
        out
    }

    /// The SHA-256 of the message, its pieces hashed in order (no joined copy).
    #[cfg_attr(not(any(feature = "p256", feature = "rsa")), allow(dead_code))]
    pub(crate) fn sha256(&self) -> [u8; 32] {
        use sha2::Digest as _;
        let mut hash = sha2::Sha256::new();
        self.for_each_piece(|p| hash.update(p));
        hash.finalize().into()
    }

    fn tag(&self, mut mac: impl Mac) -> Vec<u8> {
        self.for_each_piece(|p| mac.update(p));
        mac.finalize().into_bytes().to_vec()
    }

    /// The signature `algorithm` makes of this message under `secret`: the HMAC tag, or for a
    /// token the secret itself. Used by the test signer and by [`check`].
    pub(crate) fn sign_with_secret(&self, algorithm: Algorithm, secret: &[u8]) -> Vec<u8> {
        match algorithm {
            Algorithm::HmacSha256 => {
                self.tag(Hmac::<sha2::Sha256>::new_from_slice(secret).expect(ANY_KEY))
            }
            Algorithm::HmacSha1 => {
                self.tag(Hmac::<sha1::Sha1>::new_from_slice(secret).expect(ANY_KEY))
            }
            Algorithm::HmacSha512 => {
                self.tag(Hmac::<sha2::Sha512>::new_from_slice(secret).expect(ANY_KEY))
            }
            Algorithm::Token => secret.to_vec(),
            Algorithm::Ed25519 | Algorithm::EcdsaP256Sha256 | Algorithm::RsaPkcs1Sha256 => {
                Vec::new()
            }
        }
    }
}

/// Whether `signature` of `algorithm` is `key`'s for `message`, in constant time in the
/// signature's contents for the shared-secret algorithms.
pub(crate) fn check(
    algorithm: Algorithm,
    key: &AltKey,
    message: &Message<'_>,
    signature: &[u8],
) -> bool {
    if !key.fits(algorithm) {
        return false;
    }
    match key {
        AltKey::Secret(secret) => {
            let expected = message.sign_with_secret(algorithm, secret.expose());
            // Lengths are public (the format fixes them, or the token's length is the
            // secret's, which a mismatch reveals only to someone who can already guess it).
            expected.len() == signature.len() && bool::from(expected.ct_eq(signature))
        }
        #[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
        AltKey::Public(public) => match algorithm {
            #[cfg(feature = "ed25519")]
            Algorithm::Ed25519 => match <&[u8; 64]>::try_from(signature) {
                Ok(sig) => public.verify_ed25519(&message.joined(), sig),
                Err(_) => false,
            },
            #[cfg(feature = "p256")]
            Algorithm::EcdsaP256Sha256 => public.verify_p256_prehash(&message.sha256(), signature),
            #[cfg(feature = "rsa")]
            Algorithm::RsaPkcs1Sha256 => public.verify_rsa_prehash(&message.sha256(), signature),
            // `fits` above lets only a key of the algorithm's own kind through.
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn body_only(body: &[u8]) -> Message<'_> {
        Message::new(&[SignedPart::Body], None, None, body)
    }

    #[test]
    fn hmac_sha1_and_sha512_match_rfc_2202_and_4231() {
        // RFC 2202, test case 2 (HMAC-SHA1): key "Jefe", data "what do ya want for nothing?".
        let m = body_only(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(m.sign_with_secret(Algorithm::HmacSha1, b"Jefe")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        // RFC 4231, test case 2 (HMAC-SHA512), same key and data.
        assert_eq!(
            hex::encode(m.sign_with_secret(Algorithm::HmacSha512, b"Jefe")),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
        // The message in parts hashes as the concatenation.
        let parts = [
            SignedPart::Timestamp,
            SignedPart::literal("."),
            SignedPart::Body,
        ];
        let split = Message::new(&parts, Some(b"what do ya"), None, b" want for nothing?");
        assert_eq!(
            hex::encode(split.sign_with_secret(Algorithm::HmacSha1, b"Jefe")),
            hex::encode(
                body_only(b"what do ya. want for nothing?")
                    .sign_with_secret(Algorithm::HmacSha1, b"Jefe")
            )
        );
    }

    #[test]
    fn the_body_crc32_is_an_unsigned_decimal_and_configured_values_are_signed_as_given() {
        // zlib.crc32(b"hello world") == 222957957, b"" → 0; 0xFFFFFFFF-sized values stay
        // unsigned: zlib.crc32(b"The quick brown fox jumps over the lazy dog") == 1095738169,
        // zlib.crc32(b"123456789") == 3421780262 (the CRC-32 check value 0xCBF43926).
        for (body, crc) in [
            (&b"hello world"[..], "222957957"),
            (b"", "0"),
            (b"The quick brown fox jumps over the lazy dog", "1095738169"),
            (b"123456789", "3421780262"),
        ] {
            assert_eq!(Crc32Text::of(body).as_bytes(), crc.as_bytes());
        }
        let parts = [
            SignedPart::Id,
            SignedPart::literal("|"),
            SignedPart::configured("webhook id", "WH1"),
            SignedPart::literal("|"),
            SignedPart::BodyCrc32,
        ];
        let m = Message::new(&parts, None, Some(b"tx-1"), b"123456789");
        assert_eq!(m.joined(), b"tx-1|WH1|3421780262");
        use sha2::Digest as _;
        assert_eq!(
            m.sha256(),
            <[u8; 32]>::from(sha2::Sha256::digest(m.joined()))
        );
    }

    #[test]
    fn a_token_matches_only_itself_and_only_token_schemes() {
        let secret = Secret::new("gitlab-token-0123456789").unwrap();
        let key = AltKey::Secret(secret);
        let m = body_only(b"{}");
        assert!(check(
            Algorithm::Token,
            &key,
            &m,
            b"gitlab-token-0123456789"
        ));
        assert!(!check(
            Algorithm::Token,
            &key,
            &m,
            b"gitlab-token-012345678"
        ));
        assert!(!check(
            Algorithm::Token,
            &key,
            &m,
            b"gitlab-token-0123456780"
        ));
        assert!(!check(Algorithm::Token, &key, &m, b""));
        // A secret never checks a signature of an algorithm it does not fit.
        assert!(!check(Algorithm::Ed25519, &key, &m, &[0; 64]));
    }
}
