//! Signing secrets: key bytes that are validated when configured, zeroized on drop and never printed.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use zeroize::Zeroizing;

/// The shortest secret accepted, in bytes.
///
/// HMAC-SHA256 keys shorter than this are easy to brute-force offline from one captured delivery;
/// every sender that generates its secrets issues longer ones. Where the user typed the secret
/// (GitHub accepts any), [`Secret::danger_allow_short`] accepts a shorter one on purpose.
pub const MIN_SECRET_LEN: usize = 16;

/// A webhook signing secret.
///
/// The key bytes are held in memory that is overwritten with zeros when the last clone is dropped,
/// and they never appear in `Debug` output. A secret may carry a *label* (for example `"2026-q4"`)
/// that is reported in [`WebhookMeta`](crate::WebhookMeta) when it matched, so a rotation can be
/// watched before the old secret is removed.
///
/// Most senders (Heppu, Helix, Helicone, GitHub, Stripe, Slack, Shopify) use the secret string
/// *as is* as the HMAC key, even when it looks like `whsec_…`: build those with [`Secret::new`].
/// Standard Webhooks (Svix) secrets are `whsec_<base64>` and the key is the decoded base64: build
/// those with [`Secret::from_whsec`].
///
/// ```
/// use webhook_guard::Secret;
///
/// let secret = Secret::new("whsec_your_secret_key_here")?.with_label("primary");
/// assert_eq!(format!("{secret:?}"), r#"Secret { label: Some("primary"), len: 26, bytes: "<redacted>" }"#);
///
/// assert!(Secret::new("short").is_err());
/// # Ok::<(), webhook_guard::SecretError>(())
/// ```
#[derive(Clone)]
pub struct Secret {
    bytes: Arc<Zeroizing<Vec<u8>>>,
    label: Option<Arc<str>>,
}

/// Why a secret was refused at configuration time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretError {
    /// The secret has no bytes.
    Empty,
    /// The secret is shorter than [`MIN_SECRET_LEN`] bytes (see [`Secret::danger_allow_short`]
    /// for a secret a sender really uses).
    TooShort {
        /// Length of the refused secret.
        len: usize,
    },
    /// A `whsec_` secret whose remainder is not strict, padded standard base64.
    InvalidBase64,
}

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretError::Empty => f.write_str("webhook secret is empty"),
            SecretError::TooShort { len } => write!(
                f,
                "webhook secret is {len} bytes long; at least {MIN_SECRET_LEN} bytes are required"
            ),
            SecretError::InvalidBase64 => {
                f.write_str("webhook secret after `whsec_` is not valid standard base64")
            }
        }
    }
}

impl std::error::Error for SecretError {}

impl Secret {
    /// A secret whose bytes are the HMAC key as given.
    ///
    /// Refuses empty secrets and secrets shorter than [`MIN_SECRET_LEN`] bytes. A secret with
    /// leading or trailing whitespace is accepted (the sender may really use it) but a warning is
    /// logged, because a stray newline from an environment file is the most common cause of
    /// "every signature fails".
    pub fn new(bytes: impl AsRef<[u8]>) -> Result<Self, SecretError> {
        let bytes = bytes.as_ref();
        if bytes.is_empty() {
            return Err(SecretError::Empty);
        }
        if bytes.len() < MIN_SECRET_LEN {
            return Err(SecretError::TooShort { len: bytes.len() });
        }
        Ok(Secret::accepted(bytes))
    }

    /// A secret whose bytes are the HMAC key as given, **also when it is shorter than
    /// [`MIN_SECRET_LEN`] bytes**. Dangerous: an HMAC key that short can be guessed offline from
    /// one captured delivery, and the receiver then accepts anything signed with it.
    ///
    /// For senders that let users type any secret and already use a short one: GitHub accepts a
    /// webhook secret of any length, and 8-character ones are common (octokit's own tests sign
    /// with `mysecret`). Use it to keep such a webhook working while it is given a long random
    /// secret, then go back to [`Secret::new`]. A shorter secret is logged once, as a warning,
    /// here where it is configured (its length, never its bytes); verifying with it logs nothing
    /// more. Empty secrets are still refused; a secret of [`MIN_SECRET_LEN`] bytes or more is
    /// accepted as by [`Secret::new`], without the warning.
    ///
    /// ```
    /// use webhook_guard::{Secret, SecretError};
    ///
    /// assert_eq!(Secret::new("mysecret").unwrap_err(), SecretError::TooShort { len: 8 });
    /// let secret = Secret::danger_allow_short("mysecret")?;
    /// assert_eq!(secret.len(), 8);
    /// assert_eq!(Secret::danger_allow_short("").unwrap_err(), SecretError::Empty);
    /// # Ok::<(), SecretError>(())
    /// ```
    pub fn danger_allow_short(bytes: impl AsRef<[u8]>) -> Result<Self, SecretError> {
        let bytes = bytes.as_ref();
        if bytes.is_empty() {
            return Err(SecretError::Empty);
        }
        if bytes.len() < MIN_SECRET_LEN {
            tracing::warn!(
                len = bytes.len(),
                min = MIN_SECRET_LEN,
                "webhook secret is shorter than the minimum, accepted by \
                 Secret::danger_allow_short: a key this short can be guessed offline from one \
                 captured delivery; replace it with a long random secret"
            );
        }
        Ok(Secret::accepted(bytes))
    }

    /// A secret that passed the length checks: warn about surrounding whitespace, keep the
    /// bytes.
    fn accepted(bytes: &[u8]) -> Secret {
        if bytes.first().is_some_and(u8::is_ascii_whitespace)
            || bytes.last().is_some_and(u8::is_ascii_whitespace)
        {
            tracing::warn!(
                len = bytes.len(),
                "webhook secret has surrounding whitespace; if every signature fails, trim it"
            );
        }
        Secret {
            bytes: Arc::new(Zeroizing::new(bytes.to_vec())),
            label: None,
        }
    }

    /// A Standard Webhooks secret, `whsec_<base64>`; the HMAC key is the decoded base64.
    ///
    /// The `whsec_` prefix is optional; the base64 must be strict and padded.
    ///
    /// ```
    /// use webhook_guard::Secret;
    ///
    /// // The secret from the Standard Webhooks specification's example.
    /// let secret = Secret::from_whsec("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
    /// assert_eq!(secret.len(), 24);
    /// assert!(Secret::from_whsec("whsec_not*base64").is_err());
    /// # Ok::<(), webhook_guard::SecretError>(())
    /// ```
    pub fn from_whsec(encoded: &str) -> Result<Self, SecretError> {
        let b64 = encoded.strip_prefix("whsec_").unwrap_or(encoded);
        if b64.is_empty() {
            return Err(SecretError::Empty);
        }
        let decoded = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| SecretError::InvalidBase64)?,
        );
        Secret::new(&decoded[..])
    }

    /// Attach a label, reported in [`WebhookMeta::secret_label`](crate::WebhookMeta::secret_label)
    /// when this secret verified a delivery.
    pub fn with_label(mut self, label: impl Into<Arc<str>>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The label given with [`Secret::with_label`], if any.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    pub(crate) fn label_arc(&self) -> Option<Arc<str>> {
        self.label.clone()
    }

    /// Length of the key in bytes (the only property of the key that is ever shown).
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Always `false`: empty secrets are refused when built.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The key bytes. Crate-private: only the HMAC code reads them.
    pub(crate) fn expose(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secret")
            .field("label", &self.label)
            .field("len", &self.bytes.len())
            .field("bytes", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_empty_and_short() {
        assert_eq!(Secret::new("").unwrap_err(), SecretError::Empty);
        assert_eq!(
            Secret::new("fifteen-bytes!!").unwrap_err(),
            SecretError::TooShort { len: 15 }
        );
        assert!(Secret::new("sixteen-bytes!!!").is_ok());
    }

    #[test]
    fn whsec_is_strict_base64() {
        assert_eq!(
            Secret::from_whsec("whsec_").unwrap_err(),
            SecretError::Empty
        );
        assert_eq!(
            Secret::from_whsec("whsec_@@@@").unwrap_err(),
            SecretError::InvalidBase64
        );
        // Unpadded base64 is refused: strict decoding.
        assert_eq!(
            Secret::from_whsec("whsec_YWJjZGVmZ2hpamtsbW5vcHE").unwrap_err(),
            SecretError::InvalidBase64
        );
        // Decodes, but to fewer than 16 bytes.
        assert_eq!(
            Secret::from_whsec("whsec_YWJj").unwrap_err(),
            SecretError::TooShort { len: 3 }
        );
        let s = Secret::from_whsec("whsec_YWJjZGVmZ2hpamtsbW5vcHFy").unwrap();
        assert_eq!(s.expose(), b"abcdefghijklmnopqr");
    }

    /// Everything logged on this thread while `f` runs, as text.
    fn logs_of(f: impl FnOnce()) -> String {
        use std::sync::Mutex;
        #[derive(Clone, Default)]
        struct Captured(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Captured {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        let bytes = captured.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn danger_allow_short_verifies_a_short_github_secret_and_warns_once() {
        use crate::{Scheme, Verifier};
        use http::{HeaderMap, HeaderValue};
        // GitHub's "Validating webhook deliveries" example payload, signed with octokit's test
        // secret `mysecret`:
        //   python3 -c "import hmac, hashlib; \
        //     print(hmac.new(b'mysecret', b'Hello, World!', hashlib.sha256).hexdigest())"
        const SIG: &str = "sha256=e74441163c9ea23f1b6f18b5656d99c910bb25855986273774d2f9e2b23cbbd3";
        let mut headers = HeaderMap::new();
        headers.insert("x-hub-signature-256", HeaderValue::from_static(SIG));
        headers.insert(
            "x-github-delivery",
            HeaderValue::from_static("72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        );
        let logs = logs_of(|| {
            assert_eq!(
                Secret::new("mysecret").unwrap_err(),
                SecretError::TooShort { len: 8 }
            );
            let secret = Secret::danger_allow_short("mysecret").unwrap();
            assert_eq!(secret.len(), 8);
            let verifier = Verifier::new(Scheme::github(), secret.clone());
            for _ in 0..3 {
                verifier.verify(&headers, b"Hello, World!").unwrap();
            }
            assert!(verifier.verify(&headers, b"Hello, World?").is_err());
            let dbg = format!("{secret:?} {verifier:?}");
            assert!(
                dbg.contains("<redacted>") && !dbg.contains("mysecret"),
                "{dbg}"
            );
            // A long secret through the same door: no warning, GitHub's own vector verifies.
            let long = Secret::danger_allow_short("It's a Secret to Everybody").unwrap();
            let mut h = headers.clone();
            h.insert(
                "x-hub-signature-256",
                HeaderValue::from_static(
                    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
                ),
            );
            Verifier::new(Scheme::github(), long)
                .verify(&h, b"Hello, World!")
                .unwrap();
        });
        assert_eq!(logs.matches("danger_allow_short").count(), 1, "{logs}");
        assert!(logs.contains("len=8"), "{logs}");
        assert!(!logs.contains("mysecret"), "{logs}");
        // Empty stays refused.
        assert_eq!(
            Secret::danger_allow_short("").unwrap_err(),
            SecretError::Empty
        );
    }

    #[test]
    fn debug_never_shows_bytes() {
        let s = Secret::new("super-secret-value-1234").unwrap();
        let dbg = format!("{s:?} {s:#?}");
        assert!(!dbg.contains("super-secret"));
        assert!(dbg.contains("<redacted>"));
    }
}
