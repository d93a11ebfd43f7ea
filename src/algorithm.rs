//! The signature algorithms a scheme can declare, and the checks of every algorithm but the
//! HMAC-SHA256 the verifier streams itself.
//!
//! HMAC-SHA256, the algorithm of most senders, is verified while the body arrives (see
//! [`crate::Verifier`]). The others are checked here once the whole body is in: HMAC-SHA1 and
//! HMAC-SHA512 (keyed with a [`Secret`]), Ed25519, ECDSA P-256 and RSA PKCS#1 v1.5 (with a
//! [`PublicKey`](crate::keys::PublicKey), features `ed25519`, `p256`, `rsa`), and a shared
//! token compared in constant time (GitLab's `X-Gitlab-Token`).

use hmac::{Hmac, Mac};

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
}

pub(crate) const ANY_KEY: &str = "HMAC takes a key of any length";

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
}
