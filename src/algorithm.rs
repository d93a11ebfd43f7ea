//! The signature algorithms a scheme can declare, and the checks of every algorithm but the
//! HMAC-SHA256 the verifier streams itself.
//!
//! HMAC-SHA256, the algorithm of most senders, is verified while the body arrives (see
//! [`crate::Verifier`]). The others are checked here once the whole body is in: HMAC-SHA1 and
//! HMAC-SHA512 (keyed with a [`Secret`]), Ed25519, ECDSA P-256 and RSA PKCS#1 v1.5 (with a
//! [`PublicKey`](crate::keys::PublicKey), features `ed25519`, `p256`, `rsa`), and a shared
//! token compared in constant time (GitLab's `X-Gitlab-Token`).

use hmac::{Hmac, Mac};
use subtle::ConstantTimeEq;

use crate::scheme::SignedPart;
use crate::secret::Secret;

/// How a sender makes its signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC-SHA256 of the signed message, keyed with the shared secret (most senders).
    #[default]
    HmacSha256,
    /// HMAC-SHA1 (Twilio, Intercom, Vercel): a 20-byte tag.
    HmacSha1,
    /// HMAC-SHA512: a 64-byte tag.
    HmacSha512,
    /// Ed25519 (RFC 8032) over the signed message, checked with the sender's public key
    /// (Standard Webhooks `v1a`, Discord; feature `ed25519`).
    Ed25519,
    /// No signature: the header carries the shared secret itself, compared in constant time
    /// (GitLab's `X-Gitlab-Token`). Nothing of the message is covered, so only TLS keeps the
    /// token from being read and the delivery from being altered on the way.
    Token,
    /// ECDSA over NIST P-256 with SHA-256 of the signed message, checked with the sender's
    /// P-256 public key (SendGrid; feature `p256`). The signature may be DER-encoded (70 to 72
    /// bytes as senders make them) or the fixed 64-byte `r ‖ s` form; both are accepted.
    EcdsaP256Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 of the signed message, checked with the sender's RSA
    /// public key or certificate (PayPal; feature `rsa`). The signature is as long as the key's
    /// modulus (256 bytes for a 2048-bit key).
    RsaPkcs1Sha256,
}

impl Algorithm {
    /// The algorithm's name in logs and errors.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::HmacSha256 => "HMAC-SHA256",
            Algorithm::HmacSha1 => "HMAC-SHA1",
            Algorithm::HmacSha512 => "HMAC-SHA512",
            Algorithm::Ed25519 => "Ed25519",
            Algorithm::Token => "shared token",
            Algorithm::EcdsaP256Sha256 => "ECDSA P-256 SHA-256",
            Algorithm::RsaPkcs1Sha256 => "RSA PKCS#1 v1.5 SHA-256",
        }
    }

    /// The length of a decoded signature, where the algorithm fixes it (`None` for a token,
    /// an ECDSA signature, which may be DER-encoded, and an RSA signature, as long as the key).
    pub fn signature_len(self) -> Option<usize> {
        match self {
            Algorithm::HmacSha256 => Some(32),
            Algorithm::HmacSha1 => Some(20),
            Algorithm::HmacSha512 | Algorithm::Ed25519 => Some(64),
            Algorithm::Token | Algorithm::EcdsaP256Sha256 | Algorithm::RsaPkcs1Sha256 => None,
        }
    }

    /// The shortest and longest decoded signature accepted, before any key is tried: the fixed
    /// length, or for ECDSA P-256 the DER encoding's bounds (8 to 72 bytes; the 64-byte fixed
    /// form falls inside), for RSA 256 to 1024 bytes (keys of 2048 to 8192 bits). A token is
    /// bounded by [`MAX_TOKEN_LEN`] instead.
    pub(crate) fn decoded_len_bounds(self) -> (usize, usize) {
        match self {
            Algorithm::EcdsaP256Sha256 => (8, 72),
            Algorithm::RsaPkcs1Sha256 => (MIN_RSA_SIGNATURE_LEN, MAX_RSA_SIGNATURE_LEN),
            Algorithm::Token => (1, MAX_TOKEN_LEN),
            fixed => {
                let len = fixed.signature_len().unwrap_or(0);
                (len, len)
            }
        }
    }

    /// Whether signatures are checked with a public key (else with a shared secret).
    pub fn uses_public_key(self) -> bool {
        matches!(
            self,
            Algorithm::Ed25519 | Algorithm::EcdsaP256Sha256 | Algorithm::RsaPkcs1Sha256
        )
    }

    /// The crate feature whose public keys check this algorithm (`None`: a shared secret).
    pub(crate) fn key_feature(self) -> Option<&'static str> {
        match self {
            Algorithm::Ed25519 => Some("ed25519"),
            Algorithm::EcdsaP256Sha256 => Some("p256"),
            Algorithm::RsaPkcs1Sha256 => Some("rsa"),
            _ => None,
        }
    }

    /// Whether the signed message is hashed with the key (an HMAC).
    pub(crate) fn is_hmac(self) -> bool {
        matches!(
            self,
            Algorithm::HmacSha256 | Algorithm::HmacSha1 | Algorithm::HmacSha512
        )
    }
}

const ANY_KEY: &str = "HMAC takes a key of any length";

/// The signatures of a delivery in algorithms other than HMAC-SHA256 (which the verifier keeps
/// on the stack): rare, so on the heap.
pub(crate) type AltSigs = Vec<(Algorithm, Vec<u8>)>;

/// Whether `signature` has the shape of a P-256 ECDSA signature: 64 bytes (`r ‖ s`), or a
/// DER `SEQUENCE` of two `INTEGER`s of 1 to 33 bytes each with consistent lengths. Checked
/// when the header is read, so a mangled signature is refused as malformed, not as a
/// mismatch; whether the integers are in range is the key's check.
pub(crate) fn ecdsa_p256_shape_ok(signature: &[u8]) -> bool {
    if signature.len() == 64 {
        return true;
    }
    let [0x30, seq_len, 0x02, r_len, rest @ ..] = signature else {
        return false;
    };
    let (seq_len, r_len) = (usize::from(*seq_len), usize::from(*r_len));
    if seq_len != signature.len() - 2 || !(1..=33).contains(&r_len) || rest.len() < r_len + 2 {
        return false;
    }
    let [0x02, s_len, s @ ..] = &rest[r_len..] else {
        return false;
    };
    (1..=33).contains(&usize::from(*s_len)) && s.len() == usize::from(*s_len)
}

/// Longest token accepted, in bytes.
pub(crate) const MAX_TOKEN_LEN: usize = 1024;

/// Longest RSA signature accepted, in bytes: an 8192-bit key's.
pub(crate) const MAX_RSA_SIGNATURE_LEN: usize = 1024;

/// Shortest RSA signature accepted, in bytes: a key of the fewest bits allowed (2048, the
/// `keys::MIN_RSA_BITS` of feature `rsa`).
const MIN_RSA_SIGNATURE_LEN: usize = 2048 / 8;

/// A key of the algorithms checked here.
#[derive(Clone)]
pub(crate) enum AltKey {
    Secret(Secret),
    #[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
    Public(crate::keys::PublicKey),
}

impl AltKey {
    pub(crate) fn label(&self) -> Option<std::sync::Arc<str>> {
        match self {
            AltKey::Secret(s) => s.label_arc(),
            #[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
            AltKey::Public(k) => k.label().map(Into::into),
        }
    }

    /// Whether this key can check signatures of `algorithm`.
    pub(crate) fn fits(&self, algorithm: Algorithm) -> bool {
        match self {
            // HMAC-SHA256 lands here only for schemes that check it once the body is in.
            AltKey::Secret(_) => !algorithm.uses_public_key(),
            #[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
            AltKey::Public(k) => {
                use crate::keys::KeyAlgorithm;
                matches!(
                    (algorithm, k.algorithm()),
                    (Algorithm::Ed25519, KeyAlgorithm::Ed25519)
                        | (Algorithm::EcdsaP256Sha256, KeyAlgorithm::EcdsaP256)
                        | (Algorithm::RsaPkcs1Sha256, KeyAlgorithm::RsaPkcs1Sha256)
                )
            }
        }
    }
}

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
    /// body fields.
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

/// An HMAC other than the verifier's own HMAC-SHA256, keyed once and fed while the body
/// arrives, for schemes whose signed message allows it (HMAC-SHA1 and -SHA512 over the body
/// and parts known from the headers).
#[derive(Clone)]
// The states live in a `Vec` on the heap already; boxing the larger one would add an
// allocation per request for no saving.
#[allow(clippy::large_enum_variant)]
pub(crate) enum StreamedMac {
    Sha1(Hmac<sha1::Sha1>),
    Sha512(Hmac<sha2::Sha512>),
}

impl StreamedMac {
    /// A state keyed with `secret` for `algorithm`, if it is one that streams here.
    pub(crate) fn keyed(algorithm: Algorithm, secret: &[u8]) -> Option<StreamedMac> {
        match algorithm {
            Algorithm::HmacSha1 => Some(StreamedMac::Sha1(
                Hmac::<sha1::Sha1>::new_from_slice(secret).expect(ANY_KEY),
            )),
            Algorithm::HmacSha512 => Some(StreamedMac::Sha512(
                Hmac::<sha2::Sha512>::new_from_slice(secret).expect(ANY_KEY),
            )),
            _ => None,
        }
    }

    pub(crate) fn algorithm(&self) -> Algorithm {
        match self {
            StreamedMac::Sha1(_) => Algorithm::HmacSha1,
            StreamedMac::Sha512(_) => Algorithm::HmacSha512,
        }
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            StreamedMac::Sha1(mac) => mac.update(bytes),
            StreamedMac::Sha512(mac) => mac.update(bytes),
        }
    }

    pub(crate) fn finalize(self) -> Vec<u8> {
        match self {
            StreamedMac::Sha1(mac) => mac.finalize().into_bytes().to_vec(),
            StreamedMac::Sha512(mac) => mac.finalize().into_bytes().to_vec(),
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

/// What deduplication keys a verified signature of `algorithm` on: the SHA-256 of the
/// signature, in a canonical form where one signed message has several valid signatures, so a
/// replay cannot pass as new by re-encoding its signature. An ECDSA signature `(r, s)` is as
/// valid as `(r, n - s)` and may be sent DER-encoded or fixed-size: it is keyed as the fixed
/// form with the low `s`. A token is the same in every delivery, so the body is keyed instead.
pub(crate) fn replay_tag(algorithm: Algorithm, signature: &[u8], body: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    match algorithm {
        Algorithm::Token => sha2::Sha256::digest(body).into(),
        #[cfg(feature = "p256")]
        Algorithm::EcdsaP256Sha256 => match crate::keys::p256_canonical_signature(signature) {
            Some(fixed) => sha2::Sha256::digest(fixed).into(),
            None => sha2::Sha256::digest(signature).into(),
        },
        _ => sha2::Sha256::digest(signature).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn ecdsa_shapes_are_der_or_64_bytes() {
        use base64::Engine as _;
        let der = base64::engine::general_purpose::STANDARD
            .decode("MEQCIH2SILp0LXm+yxRGMhdLAWmjKvaZElyMFb7DTIn69L6LAiBXR3MI4tFBn1XwRBrQBlbfeiZOE+XhwO/2qZySUzHA+Q==")
            .unwrap();
        assert!(ecdsa_p256_shape_ok(&der));
        assert!(ecdsa_p256_shape_ok(&[0; 64]));
        assert!(!ecdsa_p256_shape_ok(&der[..der.len() - 1]));
        let mut longer = der.clone();
        longer.push(0);
        assert!(!ecdsa_p256_shape_ok(&longer));
        let mut bad_tag = der.clone();
        bad_tag[0] = 0x31;
        assert!(!ecdsa_p256_shape_ok(&bad_tag));
        assert!(!ecdsa_p256_shape_ok(&[0x30, 6, 2, 1, 1, 2, 0, 0]));
        assert!(ecdsa_p256_shape_ok(&[0x30, 6, 2, 1, 1, 2, 1, 1]));
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
