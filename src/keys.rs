//! Public keys of senders that sign with a private key: Ed25519, ECDSA P-256, RSA.
//!
//! A [`Secret`](crate::Secret) is shared with the sender; a [`PublicKey`] only lets the receiver
//! check what the sender signed. Keys are parsed and validated when configured, in the forms
//! senders publish them: raw, hex or base64 Ed25519 keys and Standard Webhooks' `whpk_` form
//! (feature `ed25519`), SubjectPublicKeyInfo DER or PEM (base64 DER as SendGrid shows it) for
//! P-256 (feature `p256`) and RSA (feature `rsa`), and X.509 certificates, PEM or DER, whose key
//! is taken as given (feature `rsa`; PayPal). The crate never fetches a key or a certificate:
//! the caller passes vetted key material, so checking a certificate's chain and dates is the
//! caller's part.
//!
//! Like secrets, keys carry an optional label (which one matched is reported during a rotation)
//! and are never printed in full: `Debug` shows the algorithm, the label and a short
//! fingerprint.
//!
//! ```
//! # #[cfg(feature = "ed25519")] {
//! use webhook_guard::keys::{KeyAlgorithm, PublicKey};
//!
//! // RFC 8032, section 7.1, test 1: the public key, as 64 hex digits.
//! let key = PublicKey::ed25519_hex(
//!     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
//! )?
//! .with_label("2026-12");
//! assert_eq!(key.algorithm(), KeyAlgorithm::Ed25519);
//! assert_eq!(key.label(), Some("2026-12"));
//! assert!(!format!("{key:?}").contains("d75a9801"), "never printed in full");
//! # }
//! # Ok::<(), webhook_guard::keys::KeyError>(())
//! ```

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;

/// The signature algorithm a [`PublicKey`] verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// Ed25519 (RFC 8032), as Standard Webhooks `v1a` and Discord sign.
    Ed25519,
    /// ECDSA over NIST P-256 with SHA-256, as SendGrid signs.
    EcdsaP256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, as PayPal signs.
    RsaPkcs1Sha256,
}

impl KeyAlgorithm {
    /// The algorithm's name in errors.
    pub(crate) fn name(self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "Ed25519",
            KeyAlgorithm::EcdsaP256 => "ECDSA P-256",
            KeyAlgorithm::RsaPkcs1Sha256 => "RSA",
        }
    }
}

/// A sender's public key, validated, with an optional label. Cheap to clone.
#[derive(Clone)]
pub struct PublicKey {
    inner: Arc<Inner>,
}

struct Inner {
    key: Key,
    label: Option<Arc<str>>,
    /// The first 8 bytes of the SHA-256 of the key's canonical encoding, for logs.
    fingerprint: [u8; 8],
}

#[derive(Clone)]
enum Key {
    #[cfg(feature = "ed25519")]
    Ed25519(ed25519_dalek::VerifyingKey),
    #[cfg(feature = "p256")]
    P256(p256::ecdsa::VerifyingKey),
    #[cfg(feature = "rsa")]
    Rsa(rsa::RsaPublicKey),
}

/// Fewest bits an RSA key may have: shorter keys are within reach of factoring, and a
/// signature under one proves nothing.
pub const MIN_RSA_BITS: usize = 2048;

/// A key that cannot be used, and why (never the key material itself). When a decoder refused
/// it, the decoder's error is the [`source`](std::error::Error::source).
#[derive(Debug, Clone)]
pub struct KeyError {
    what: &'static str,
    /// Why, and the decoder's error when there is one.
    detail: crate::error::Cause,
}

impl KeyError {
    fn new(what: &'static str, detail: impl Into<String>) -> Self {
        KeyError {
            what,
            detail: crate::error::Cause::new(detail.into()),
        }
    }

    fn caused_by(
        what: &'static str,
        detail: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        KeyError {
            what,
            detail: crate::error::Cause::with_source(detail, source),
        }
    }
}

/// Equal when they say the same thing; the sources are not compared.
impl PartialEq for KeyError {
    fn eq(&self, other: &Self) -> bool {
        self.what == other.what && self.detail.message() == other.detail.message()
    }
}

impl Eq for KeyError {}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.detail.message())
    }
}

impl std::error::Error for KeyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.detail.source()
    }
}

impl PublicKey {
    fn from_key(key: Key, encoded: &[u8]) -> Self {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(encoded);
        let mut fingerprint = [0u8; 8];
        fingerprint.copy_from_slice(&digest[..8]);
        PublicKey {
            inner: Arc::new(Inner {
                key,
                label: None,
                fingerprint,
            }),
        }
    }

    /// Name this key (e.g. the date it was issued); reported as
    /// [`WebhookMeta::secret_label`](crate::WebhookMeta::secret_label) when it matched.
    #[must_use]
    pub fn with_label(self, label: impl Into<Arc<str>>) -> Self {
        let inner = Inner {
            key: self.inner.key.clone(),
            label: Some(label.into()),
            fingerprint: self.inner.fingerprint,
        };
        PublicKey {
            inner: Arc::new(inner),
        }
    }

    /// The label given with [`with_label`](PublicKey::with_label).
    pub fn label(&self) -> Option<&str> {
        self.inner.label.as_deref()
    }

    /// What the key verifies.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match &self.inner.key {
            #[cfg(feature = "ed25519")]
            Key::Ed25519(_) => KeyAlgorithm::Ed25519,
            #[cfg(feature = "p256")]
            Key::P256(_) => KeyAlgorithm::EcdsaP256,
            #[cfg(feature = "rsa")]
            Key::Rsa(_) => KeyAlgorithm::RsaPkcs1Sha256,
        }
    }

    /// 16 hex digits naming the key in logs: the start of the SHA-256 of its encoding (the raw
    /// 32 bytes for Ed25519, the SubjectPublicKeyInfo DER otherwise).
    pub fn fingerprint(&self) -> String {
        hex::encode(self.inner.fingerprint)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm())
            .field("label", &self.label())
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Ed25519

#[cfg(feature = "ed25519")]
#[cfg_attr(docsrs, doc(cfg(feature = "ed25519")))]
impl PublicKey {
    /// An Ed25519 public key from its 32 raw bytes. Refuses bytes that are not a point of the
    /// curve, and weak keys (of small order), under which anyone could sign.
    pub fn ed25519(raw: &[u8]) -> Result<Self, KeyError> {
        const WHAT: &str = "Ed25519 public key";
        let bytes: &[u8; 32] = raw
            .try_into()
            .map_err(|_| KeyError::new(WHAT, format!("must be 32 bytes, not {}", raw.len())))?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map_err(|_| KeyError::new(WHAT, "the 32 bytes are not a point of the curve"))?;
        if key.is_weak() {
            return Err(KeyError::new(
                WHAT,
                "a weak key (small order): signatures under it prove nothing",
            ));
        }
        Ok(PublicKey::from_key(Key::Ed25519(key), bytes))
    }

    /// An Ed25519 public key as 64 hex digits (Discord's "public key" in the developer portal).
    pub fn ed25519_hex(text: &str) -> Result<Self, KeyError> {
        let mut raw = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut raw).map_err(|_| {
            KeyError::new(
                "Ed25519 public key",
                format!(
                    "expected 64 hex digits, got {} characters that are not",
                    text.trim().len()
                ),
            )
        })?;
        PublicKey::ed25519(&raw)
    }

    /// An Ed25519 public key as base64 (standard alphabet, padded or not).
    pub fn ed25519_base64(text: &str) -> Result<Self, KeyError> {
        let raw = decode_base64(text.trim())
            .ok_or_else(|| KeyError::new("Ed25519 public key", "not valid base64"))?;
        PublicKey::ed25519(&raw)
    }

    /// A Standard Webhooks public key, `whpk_<base64 of the 32 raw bytes>`, as the specification
    /// defines it for `v1a` (Ed25519) signatures.
    pub fn from_whpk(text: &str) -> Result<Self, KeyError> {
        let body = text.trim().strip_prefix("whpk_").ok_or_else(|| {
            KeyError::new(
                "Standard Webhooks public key",
                "must start with `whpk_` (a `whsec_` value is a symmetric secret: use Secret::from_whsec)",
            )
        })?;
        let raw = decode_base64(body).ok_or_else(|| {
            KeyError::new(
                "Standard Webhooks public key",
                "the part after `whpk_` is not valid base64",
            )
        })?;
        PublicKey::ed25519(&raw)
    }

    /// Whether `signature` is this Ed25519 key's signature of `message`, checked strictly
    /// (RFC 8032's verification plus the refusals of malleable and small-order signatures).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn verify_ed25519(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        #[allow(irrefutable_let_patterns)]
        let Key::Ed25519(key) = &self.inner.key else {
            return false;
        };
        key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
            .is_ok()
    }
}

#[cfg(any(feature = "ed25519", feature = "p256"))]
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    // Bounded: no key form is anywhere near this long.
    if text.len() > 16 * 1024 {
        return None;
    }
    STANDARD
        .decode(text)
        .or_else(|_| STANDARD_NO_PAD.decode(text))
        .ok()
}

// ---------------------------------------------------------------------------------------------
// ECDSA P-256

#[cfg(feature = "p256")]
#[cfg_attr(docsrs, doc(cfg(feature = "p256")))]
impl PublicKey {
    /// A P-256 public key from its SubjectPublicKeyInfo, DER-encoded.
    pub fn p256_der(spki: &[u8]) -> Result<Self, KeyError> {
        use p256::pkcs8::DecodePublicKey as _;
        let key = p256::ecdsa::VerifyingKey::from_public_key_der(spki).map_err(|e| {
            KeyError::caused_by(
                "P-256 public key",
                "not a P-256 SubjectPublicKeyInfo in DER",
                e,
            )
        })?;
        Ok(PublicKey::from_key(Key::P256(key), spki))
    }

    /// A P-256 public key in PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn p256_pem(pem: &str) -> Result<Self, KeyError> {
        let der = pem_body(pem, "PUBLIC KEY", "P-256 public key")?;
        PublicKey::p256_der(&der)
    }

    /// A P-256 public key as the base64 of its SubjectPublicKeyInfo DER: the "verification key"
    /// SendGrid's Signed Event Webhook settings show.
    pub fn p256_base64(text: &str) -> Result<Self, KeyError> {
        let der = decode_base64(text.trim())
            .ok_or_else(|| KeyError::new("P-256 public key", "not valid base64"))?;
        PublicKey::p256_der(&der)
    }

    /// Whether `signature` (DER, or the 64-byte `r ‖ s` form) is this P-256 key's ECDSA
    /// signature of the message whose SHA-256 is `digest`.
    pub(crate) fn verify_p256_prehash(&self, digest: &[u8; 32], signature: &[u8]) -> bool {
        use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
        #[allow(irrefutable_let_patterns)]
        let Key::P256(key) = &self.inner.key else {
            return false;
        };
        let parsed = if signature.len() == 64 {
            p256::ecdsa::Signature::from_slice(signature)
        } else {
            p256::ecdsa::Signature::from_der(signature)
        };
        parsed.is_ok_and(|sig| key.verify_prehash(digest, &sig).is_ok())
    }
}

/// A P-256 ECDSA signature (DER or fixed-size) in one canonical form: the fixed 64 bytes with
/// the low of the two valid `s` values. `None` when it is not a signature at all.
#[cfg(feature = "p256")]
pub(crate) fn p256_canonical_signature(signature: &[u8]) -> Option<[u8; 64]> {
    let parsed = if signature.len() == 64 {
        p256::ecdsa::Signature::from_slice(signature)
    } else {
        p256::ecdsa::Signature::from_der(signature)
    }
    .ok()?;
    let low = parsed.normalize_s().unwrap_or(parsed);
    let mut fixed = [0u8; 64];
    fixed.copy_from_slice(&low.to_bytes());
    Some(fixed)
}

// ---------------------------------------------------------------------------------------------
// RSA and X.509 certificates

#[cfg(feature = "rsa")]
#[cfg_attr(docsrs, doc(cfg(feature = "rsa")))]
impl PublicKey {
    /// An RSA public key, DER-encoded: a SubjectPublicKeyInfo, or a PKCS#1 `RSAPublicKey`.
    /// Keys under [`MIN_RSA_BITS`] are refused.
    pub fn rsa_der(der: &[u8]) -> Result<Self, KeyError> {
        use rsa::pkcs1::DecodeRsaPublicKey as _;
        use rsa::pkcs8::{DecodePublicKey as _, EncodePublicKey as _};
        let key = rsa::RsaPublicKey::from_public_key_der(der)
            .or_else(|_| rsa::RsaPublicKey::from_pkcs1_der(der))
            .map_err(|e| {
                KeyError::caused_by(
                    "RSA public key",
                    "neither a SubjectPublicKeyInfo nor a PKCS#1 key in DER",
                    e,
                )
            })?;
        let spki = key
            .to_public_key_der()
            .map_err(|e| KeyError::caused_by("RSA public key", "cannot be encoded again", e))?;
        PublicKey::rsa(key, spki.as_bytes())
    }

    /// An RSA public key in PEM: `-----BEGIN PUBLIC KEY-----` or `-----BEGIN RSA PUBLIC KEY-----`.
    pub fn rsa_pem(pem: &str) -> Result<Self, KeyError> {
        let der = pem_body(pem, "PUBLIC KEY", "RSA public key")
            .or_else(|_| pem_body(pem, "RSA PUBLIC KEY", "RSA public key"))?;
        PublicKey::rsa_der(&der)
    }

    /// The public key of an X.509 certificate in PEM (`-----BEGIN CERTIFICATE-----`), as PayPal
    /// serves it. The certificate is taken as given: its chain, dates and name are the caller's
    /// to check before passing it.
    pub fn from_certificate_pem(pem: &str) -> Result<Self, KeyError> {
        let der = pem_body(pem, "CERTIFICATE", "certificate")?;
        PublicKey::from_certificate_der(&der)
    }

    /// The public key of a DER-encoded X.509 certificate (see
    /// [`from_certificate_pem`](PublicKey::from_certificate_pem)). RSA keys, and P-256 keys
    /// with the `p256` feature.
    pub fn from_certificate_der(der: &[u8]) -> Result<Self, KeyError> {
        use x509_cert::der::{Decode as _, Encode as _};
        let cert = x509_cert::Certificate::from_der(der).map_err(|e| {
            KeyError::caused_by("certificate", "not an X.509 certificate in DER", e)
        })?;
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| {
                KeyError::caused_by("certificate", "its public key cannot be encoded", e)
            })?;
        #[cfg(feature = "p256")]
        if let Ok(key) = PublicKey::p256_der(&spki) {
            return Ok(key);
        }
        PublicKey::rsa_der(&spki)
    }

    fn rsa(key: rsa::RsaPublicKey, spki: &[u8]) -> Result<Self, KeyError> {
        use rsa::traits::PublicKeyParts as _;
        let bits = key.n().bits();
        if bits < MIN_RSA_BITS {
            return Err(KeyError::new(
                "RSA public key",
                format!("{bits} bits; at least {MIN_RSA_BITS} are required"),
            ));
        }
        Ok(PublicKey::from_key(Key::Rsa(key), spki))
    }

    /// Whether `signature` is this RSA key's PKCS#1 v1.5 signature of the message whose
    /// SHA-256 is `digest`.
    pub(crate) fn verify_rsa_prehash(&self, digest: &[u8; 32], signature: &[u8]) -> bool {
        #[allow(irrefutable_let_patterns)]
        let Key::Rsa(key) = &self.inner.key else {
            return false;
        };
        key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), digest, signature)
            .is_ok()
    }
}

/// The DER inside a PEM block labelled `label`; any other label is refused by name.
#[cfg(any(feature = "p256", feature = "rsa"))]
fn pem_body(pem: &str, label: &str, what: &'static str) -> Result<Vec<u8>, KeyError> {
    let text = pem.trim();
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let Some(rest) = text.strip_prefix(&begin) else {
        let found = text
            .strip_prefix("-----BEGIN ")
            .and_then(|t| t.split_once("-----"))
            .map(|(l, _)| l);
        return Err(KeyError::new(
            what,
            match found {
                Some(other) => format!("PEM block is `{other}`, expected `{label}`"),
                None => format!("not PEM: expected a `{begin}` line"),
            },
        ));
    };
    let body = rest
        .strip_suffix(&end)
        .ok_or_else(|| KeyError::new(what, format!("PEM block without its `{end}` line")))?;
    let joined: String = body.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(joined)
        .map_err(|_| KeyError::new(what, "the PEM body is not valid base64"))
}

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use super::*;

    #[cfg(feature = "ed25519")]
    #[test]
    fn ed25519_rfc8032_vectors_verify_and_nothing_else_does() {
        // RFC 8032, section 7.1, tests 1 and 2: public key, message, signature.
        let cases = [
            (
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                "",
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            ),
            (
                "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
                "72",
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
            ),
        ];
        for (key, message, signature) in cases {
            let key = PublicKey::ed25519_hex(key).unwrap();
            let message = hex::decode(message).unwrap();
            let mut sig = [0u8; 64];
            hex::decode_to_slice(signature, &mut sig).unwrap();
            assert!(key.verify_ed25519(&message, &sig));
            let mut other = message.clone();
            other.push(0);
            assert!(!key.verify_ed25519(&other, &sig), "another message");
            for bit in [0, 100, 511] {
                let mut flipped = sig;
                flipped[bit / 8] ^= 1 << (bit % 8);
                assert!(!key.verify_ed25519(&message, &flipped), "bit {bit}");
            }
        }
    }

    #[cfg(feature = "ed25519")]
    #[test]
    fn ed25519_forms_parse_alike_and_bad_ones_say_why() {
        let hex_key = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
        let raw = hex::decode(hex_key).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&raw);
        let a = PublicKey::ed25519_hex(hex_key).unwrap();
        let b = PublicKey::ed25519_base64(&b64).unwrap();
        let c = PublicKey::from_whpk(&format!("whpk_{b64}")).unwrap();
        let d = PublicKey::ed25519(&raw).unwrap();
        assert!(
            [&b, &c, &d]
                .iter()
                .all(|k| k.fingerprint() == a.fingerprint())
        );
        let err = |r: Result<PublicKey, KeyError>| r.unwrap_err().to_string();
        assert!(err(PublicKey::ed25519(&raw[..31])).contains("32 bytes, not 31"));
        assert!(err(PublicKey::ed25519_hex("zz")).contains("64 hex digits"));
        assert!(err(PublicKey::from_whpk(&format!("whsec_{b64}"))).contains("`whpk_`"));
        assert!(err(PublicKey::from_whpk("whpk_***")).contains("base64"));
        // The identity point: of small order, so refused as weak.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(err(PublicKey::ed25519(&identity)).contains("weak"));
        // Never printed in full.
        let shown = format!("{:?}", a.clone().with_label("k1"));
        assert!(shown.contains("Ed25519") && shown.contains("k1"), "{shown}");
        assert!(
            !shown.contains(&hex_key[..16]) && !shown.contains(&b64[..16]),
            "{shown}"
        );
    }

    #[cfg(feature = "p256")]
    #[test]
    fn a_key_the_decoder_refuses_keeps_the_decoders_error() {
        use std::error::Error as _;
        let e = PublicKey::p256_der(b"not DER at all").unwrap_err();
        assert_eq!(
            e.to_string(),
            "P-256 public key: not a P-256 SubjectPublicKeyInfo in DER"
        );
        assert!(e.source().is_some(), "{e:?}");
    }

    /// Made with OpenSSL 3.0:
    /// `openssl ecparam -name prime256v1 -genkey -noout -out p256.pem`,
    /// `openssl ec -in p256.pem -pubout`, and
    /// `openssl dgst -sha256 -sign p256.pem -out p256.sig message.txt` (a DER signature).
    #[cfg(feature = "p256")]
    #[test]
    fn p256_verifies_an_openssl_signature_in_every_key_form() {
        use sha2::Digest as _;
        let message = crate::testing::keys::FIXTURE_MESSAGE;
        let digest: [u8; 32] = sha2::Sha256::digest(message).into();
        let pem = crate::testing::keys::P256_PUBLIC_PEM;
        let sig = base64::engine::general_purpose::STANDARD
            .decode(crate::testing::keys::P256_OPENSSL_SIGNATURE_DER_BASE64)
            .unwrap();
        let key = PublicKey::p256_pem(pem).unwrap();
        assert_eq!(key.algorithm(), KeyAlgorithm::EcdsaP256);
        assert!(key.verify_p256_prehash(&digest, &sig));
        // The base64-of-DER form SendGrid shows is the same key.
        let der_b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let same = PublicKey::p256_base64(&der_b64).unwrap();
        assert_eq!(same.fingerprint(), key.fingerprint());
        // The fixed-size `r ‖ s` form of the same signature verifies too.
        let fixed = p256::ecdsa::Signature::from_der(&sig).unwrap().to_bytes();
        assert!(key.verify_p256_prehash(&digest, &fixed));
        let mut other = digest;
        other[0] ^= 1;
        assert!(!key.verify_p256_prehash(&other, &sig));
        assert!(!key.verify_p256_prehash(&digest, &sig[..sig.len() - 1]));
        // An RSA key is not a P-256 key, and the error says what was found.
        let e = PublicKey::p256_pem(crate::testing::keys::RSA_CERTIFICATE_PEM).unwrap_err();
        assert!(e.to_string().contains("`CERTIFICATE`"), "{e}");
    }

    /// Made with OpenSSL 3.0: `openssl genrsa -out rsa.pem 2048`, `openssl rsa -in rsa.pem
    /// -pubout`, `openssl req -x509 -key rsa.pem -days 3650 -subj "/CN=webhook-guard test/"`,
    /// and `openssl dgst -sha256 -sign rsa.pem -out rsa.sig message.txt`.
    #[cfg(feature = "rsa")]
    #[test]
    fn rsa_verifies_an_openssl_signature_from_a_key_or_a_certificate() {
        use sha2::Digest as _;
        let message = crate::testing::keys::FIXTURE_MESSAGE;
        let digest: [u8; 32] = sha2::Sha256::digest(message).into();
        let sig = base64::engine::general_purpose::STANDARD
            .decode(crate::testing::keys::RSA_OPENSSL_SIGNATURE_BASE64)
            .unwrap();
        let from_key = PublicKey::rsa_pem(crate::testing::keys::RSA_PUBLIC_PEM).unwrap();
        let from_cert =
            PublicKey::from_certificate_pem(crate::testing::keys::RSA_CERTIFICATE_PEM).unwrap();
        assert_eq!(from_key.fingerprint(), from_cert.fingerprint());
        for key in [&from_key, &from_cert] {
            assert_eq!(key.algorithm(), KeyAlgorithm::RsaPkcs1Sha256);
            assert!(key.verify_rsa_prehash(&digest, &sig));
            let mut other = digest;
            other[31] ^= 1;
            assert!(!key.verify_rsa_prehash(&other, &sig));
            let mut flipped = sig.clone();
            flipped[10] ^= 1;
            assert!(!key.verify_rsa_prehash(&digest, &flipped));
        }
        // `openssl genrsa 1024`: refused by size.
        let weak = PublicKey::rsa_pem(crate::testing::keys::RSA_1024_PUBLIC_PEM).unwrap_err();
        assert!(weak.to_string().contains("1024 bits"), "{weak}");
        assert!(
            PublicKey::from_certificate_pem(
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"
            )
            .unwrap_err()
            .to_string()
            .contains("X.509")
        );
    }
}
