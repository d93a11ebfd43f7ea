//! The signature algorithms a scheme can declare, and the checks of every algorithm but the
//! HMAC-SHA256 the verifier streams itself.
//!
//! HMAC-SHA256, the algorithm of most senders, is verified while the body arrives (see
//! [`crate::Verifier`]). The others are checked here once the whole body is in: HMAC-SHA1 and
//! HMAC-SHA512 (keyed with a [`Secret`]), Ed25519 (with a [`PublicKey`](crate::keys::PublicKey),
//! feature `ed25519`), and a shared token compared in constant time (GitLab's `X-Gitlab-Token`).

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
        }
    }

    /// The length of a decoded signature, where the algorithm fixes it.
    pub fn signature_len(self) -> Option<usize> {
        match self {
            Algorithm::HmacSha256 => Some(32),
            Algorithm::HmacSha1 => Some(20),
            Algorithm::HmacSha512 | Algorithm::Ed25519 => Some(64),
            Algorithm::Token => None,
        }
    }

    /// Whether signatures are checked with a public key (else with a shared secret).
    pub fn uses_public_key(self) -> bool {
        matches!(self, Algorithm::Ed25519)
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

/// Longest token or signature accepted for the algorithms without a fixed length.
pub(crate) const MAX_TOKEN_LEN: usize = 1024;

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
            AltKey::Secret(_) => !algorithm.uses_public_key() && algorithm != Algorithm::HmacSha256,
            #[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
            AltKey::Public(k) => {
                algorithm == Algorithm::Ed25519
                    && k.algorithm() == crate::keys::KeyAlgorithm::Ed25519
            }
        }
    }
}

/// The parts of a signed message around the body, with the values this delivery gives them.
pub(crate) struct Message<'a> {
    pub(crate) prefix: &'a [SignedPart],
    pub(crate) suffix: &'a [SignedPart],
    pub(crate) timestamp: Option<&'a [u8]>,
    pub(crate) id: Option<&'a [u8]>,
    pub(crate) body: &'a [u8],
}

impl Message<'_> {
    fn part<'s>(&'s self, part: &'s SignedPart) -> &'s [u8] {
        match part {
            SignedPart::Timestamp => self.timestamp.unwrap_or_default(),
            SignedPart::Id => self.id.unwrap_or_default(),
            SignedPart::Literal(bytes) => bytes,
            SignedPart::Body => &[],
        }
    }

    fn pieces(&self) -> impl Iterator<Item = &[u8]> {
        let prefix = self.prefix.iter().map(|p| self.part(p));
        let suffix = self.suffix.iter().map(|p| self.part(p));
        prefix.chain(std::iter::once(self.body)).chain(suffix)
    }

    /// The whole message in one buffer (the algorithms that cannot take it in pieces).
    #[cfg_attr(not(feature = "ed25519"), allow(dead_code))]
    pub(crate) fn joined(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.pieces().map(<[u8]>::len).sum());
        for piece in self.pieces() {
            out.extend_from_slice(piece);
        }
        out
    }

    fn tag(&self, mut mac: impl Mac) -> Vec<u8> {
        for piece in self.pieces() {
            mac.update(piece);
        }
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
            Algorithm::Ed25519 => Vec::new(),
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
        #[cfg(feature = "ed25519")]
        AltKey::Public(public) => match <&[u8; 64]>::try_from(signature) {
            Ok(sig) => public.verify_ed25519(&message.joined(), sig),
            Err(_) => false,
        },
        // Only Ed25519 keys fit a scheme's algorithms so far (`fits` above).
        #[cfg(all(not(feature = "ed25519"), any(feature = "p256", feature = "rsa")))]
        AltKey::Public(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_only(body: &[u8]) -> Message<'_> {
        Message {
            prefix: &[],
            suffix: &[],
            timestamp: None,
            id: None,
            body,
        }
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
        let parts = [SignedPart::Timestamp, SignedPart::literal(".")];
        let split = Message {
            prefix: &parts,
            suffix: &[],
            timestamp: Some(b"what do ya"),
            id: None,
            body: b" want for nothing?",
        };
        assert_eq!(
            hex::encode(split.sign_with_secret(Algorithm::HmacSha1, b"Jefe")),
            hex::encode(
                body_only(b"what do ya. want for nothing?")
                    .sign_with_secret(Algorithm::HmacSha1, b"Jefe")
            )
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
