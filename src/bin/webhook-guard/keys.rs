//! Which key each sender signs with, and reading the keys: `--private-key` files for `sign` and
//! `send`, `--public-key` files or values for `verify`. Errors name the flag and the form
//! expected, never the key material.

use std::path::Path;

use http::HeaderMap;
use webhook_guard::keys::{KeyAlgorithm, KeyError, PublicKey};
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{Scheme, Secret, Verifier, VerifierBuilder};
use zeroize::Zeroizing;

use crate::input::{Failure, usage};
use crate::{KeyFlags, SchemeName, SchemeSecret};

/// What a sender signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A shared secret, HMAC-SHA256 (Standard Webhooks also takes an Ed25519 key, for `v1a`).
    Hmac,
    /// A shared token sent as is (GitLab).
    Token,
    Ed25519,
    P256,
    Rsa,
}

impl KeyKind {
    /// How the algorithm is named in messages.
    fn algorithm(self) -> &'static str {
        match self {
            KeyKind::Hmac => "HMAC-SHA256",
            KeyKind::Token => "a shared token",
            KeyKind::Ed25519 => "Ed25519",
            KeyKind::P256 => "ECDSA P-256",
            KeyKind::Rsa => "RSA (PKCS#1 v1.5, SHA-256)",
        }
    }

    /// `--private-key …` as this kind reads it.
    fn private_flag(self) -> &'static str {
        match self {
            KeyKind::Ed25519 => {
                "--private-key <file> (PEM PKCS#8, or the 32-byte seed as 64 hex digits)"
            }
            _ => "--private-key <PEM file>",
        }
    }

    /// `--public-key …` as this kind reads it.
    fn public_flag(self) -> &'static str {
        match self {
            KeyKind::Ed25519 => {
                "--public-key <file or value> (64 hex digits, base64, whpk_… or a PEM public key)"
            }
            KeyKind::P256 => {
                "--public-key <file or value> (the verification key: base64 as SendGrid shows \
                 it, PEM or DER)"
            }
            _ => "--public-key <file> (the sender's certificate or public key, PEM or DER)",
        }
    }
}

impl SchemeName {
    /// What this sender signs with. Standard Webhooks signs with a secret (`v1,`) or, given
    /// `--private-key` / `--public-key`, with Ed25519 (`v1a,`).
    pub fn key_kind(self) -> KeyKind {
        match self {
            SchemeName::Discord => KeyKind::Ed25519,
            SchemeName::Gitlab => KeyKind::Token,
            SchemeName::Sendgrid => KeyKind::P256,
            SchemeName::Paypal => KeyKind::Rsa,
            _ => KeyKind::Hmac,
        }
    }
}

/// How `sign` and `send` sign: with the secret, or with a private key.
pub enum Signer {
    Secret(Secret),
    Ed25519(Zeroizing<[u8; 32]>),
    /// One PEM block (PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`), checked to parse.
    P256(Zeroizing<String>),
    /// One PEM block (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`), checked to parse.
    Rsa(Zeroizing<String>),
}

impl Signer {
    pub fn sign(&self, delivery: &Delivery) -> SignedDelivery {
        match self {
            Signer::Secret(secret) => delivery.sign(secret),
            Signer::Ed25519(seed) => delivery.sign_ed25519(seed),
            Signer::P256(pem) => delivery.sign_p256(pem),
            Signer::Rsa(pem) => delivery.sign_rsa(pem),
        }
    }

    /// A verifier for what this signer signs, accepting any timestamp: `send` checks its own
    /// delivery with it before sending, as a receiver would.
    pub fn checker(&self, scheme: Scheme) -> Result<Verifier, Failure> {
        let builder = Verifier::builder(scheme).danger_accept_any_timestamp();
        let builder = match self {
            Signer::Secret(secret) => builder.secret(secret.clone()),
            other => builder.public_key(other.public_key()?),
        };
        builder.build().map_err(|e| usage(e.to_string()))
    }

    /// The public half of a private key.
    fn public_key(&self) -> Result<PublicKey, Failure> {
        let failed = |e: String| usage(format!("--private-key: {e}"));
        match self {
            Signer::Secret(_) => Err(usage("a shared secret has no public key")),
            Signer::Ed25519(seed) => {
                let key = ed25519_dalek::SigningKey::from_bytes(seed);
                PublicKey::ed25519(key.verifying_key().as_bytes())
                    .map_err(|e| failed(e.to_string()))
            }
            Signer::P256(pem) => {
                use p256::pkcs8::EncodePublicKey as _;
                let key = p256_private(pem).map_err(failed)?;
                let der = key
                    .verifying_key()
                    .to_public_key_der()
                    .map_err(|e| failed(e.to_string()))?;
                PublicKey::p256_der(der.as_bytes()).map_err(|e| failed(e.to_string()))
            }
            Signer::Rsa(pem) => {
                use rsa::pkcs8::EncodePublicKey as _;
                let key = rsa_private(pem).map_err(failed)?;
                let der = rsa::RsaPublicKey::from(&key)
                    .to_public_key_der()
                    .map_err(|e| failed(e.to_string()))?;
                PublicKey::rsa_der(der.as_bytes()).map_err(|e| failed(e.to_string()))
            }
        }
    }
}

/// Sender-specific headers a real delivery carries beside the signed ones.
pub fn extra_headers(name: SchemeName, headers: &mut HeaderMap) {
    if name == SchemeName::Paypal {
        headers.insert(
            "paypal-auth-algo",
            http::HeaderValue::from_static("SHA256withRSA"),
        );
    }
}

/// How `verify` checks: with the secret (its text and where it came from, for the hints about
/// whitespace and `whsec_` decoding), or with a public key.
pub enum Checker {
    Secret {
        secret: Secret,
        text: Zeroizing<String>,
        origin: String,
    },
    Public(PublicKey),
}

impl Checker {
    pub fn configure(&self, builder: VerifierBuilder) -> VerifierBuilder {
        match self {
            Checker::Secret { secret, .. } => builder.secret(secret.clone()),
            Checker::Public(key) => builder.public_key(key.clone()),
        }
    }
}

impl SchemeSecret {
    /// The secret flag given on the command line, if any.
    fn secret_flag(&self) -> Option<&'static str> {
        if self.secret.is_some() {
            Some("--secret")
        } else if self.secret_env.is_some() {
            Some("--secret-env")
        } else if self.raw_secret {
            Some("--raw-secret")
        } else if self.danger_allow_short_secret {
            Some("--danger-allow-short-secret")
        } else {
            None
        }
    }

    /// The message for a secret scheme given a key flag.
    fn wants_secret(&self, flag: &str) -> Failure {
        let sender = self.scheme.arg_name();
        let how = "--secret-env VAR (or --secret, or set WEBHOOK_SECRET)";
        usage(match self.scheme.key_kind() {
            KeyKind::Token => format!(
                "{sender} sends a shared token in X-Gitlab-Token, no signature: pass the token \
                 with {how}, not {flag}"
            ),
            _ if self.scheme == SchemeName::Twilio => format!(
                "{sender} signs with HMAC-SHA1 and the account's Auth Token: pass it with {how}, \
                 not {flag}"
            ),
            _ => format!(
                "{sender} signs with HMAC-SHA256 and a shared secret: pass {how}, not {flag}"
            ),
        })
    }

    /// The message for a key scheme given the wrong flag (or none).
    fn wants_key(&self, kind: KeyKind, needed: &str, wrong: Option<&str>) -> Failure {
        let sender = self.scheme.arg_name();
        let mut msg = format!("{sender} signs with {}: pass {needed}", kind.algorithm());
        if let Some(wrong) = wrong {
            msg.push_str(&format!("; {wrong} does not apply"));
        }
        usage(msg)
    }

    /// How `sign` and `send` sign: the secret, or the key of `--private-key`, refusing the
    /// flags that do not fit the scheme.
    pub fn signer(&self, keys: &KeyFlags, command: &str) -> Result<Signer, Failure> {
        let name = self.scheme;
        let kind = name.key_kind();
        let secret_flag = self.secret_flag();
        let key_kind = match (kind, &keys.private_key) {
            (KeyKind::Hmac | KeyKind::Token, None) if keys.public_key.is_none() => {
                return self.secret().map(Signer::Secret);
            }
            (KeyKind::Hmac, _) if name == SchemeName::StandardWebhooks => {
                if keys.public_key.is_some() {
                    return Err(usage(format!(
                        "{command} signs `v1a,` entries with the private key: pass {}; \
                         --public-key is for verify",
                        KeyKind::Ed25519.private_flag()
                    )));
                }
                if let Some(flag) = secret_flag {
                    return Err(usage(format!(
                        "standard-webhooks signs `v1,` entries with a secret or `v1a,` entries \
                         with --private-key: give one of them, not both {flag} and --private-key"
                    )));
                }
                KeyKind::Ed25519
            }
            (KeyKind::Hmac | KeyKind::Token, Some(_)) => {
                return Err(self.wants_secret("--private-key"));
            }
            (KeyKind::Hmac | KeyKind::Token, None) => {
                return Err(self.wants_secret("--public-key"));
            }
            (kind, _) if secret_flag.is_some() => {
                return Err(self.wants_key(kind, kind.private_flag(), secret_flag));
            }
            (kind, None) if keys.public_key.is_some() => {
                return Err(usage(format!(
                    "{command} signs with the sender's private key: pass {}; --public-key is \
                     for verify",
                    kind.private_flag()
                )));
            }
            (kind, None) => return Err(self.wants_key(kind, kind.private_flag(), None)),
            (kind, Some(_)) => kind,
        };
        let path = keys.private_key.as_deref().expect("matched above");
        private_key(key_kind, &name.arg_name(), path)
    }

    /// How `verify` checks: the secret, or the key of `--public-key`, refusing the flags that
    /// do not fit the scheme.
    pub fn checker(&self, public_key: Option<&str>, private_key: bool) -> Result<Checker, Failure> {
        let name = self.scheme;
        let kind = name.key_kind();
        let secret_flag = self.secret_flag();
        let key_kind = match (kind, public_key) {
            (KeyKind::Hmac | KeyKind::Token, None) if !private_key => {
                let (text, origin) = self.secret_text()?;
                let text = Zeroizing::new(text);
                let secret = self.build_secret(&text, &origin, self.raw_secret)?;
                crate::input::note_short(&secret);
                return Ok(Checker::Secret {
                    secret,
                    text,
                    origin,
                });
            }
            (KeyKind::Hmac, public) if name == SchemeName::StandardWebhooks => {
                if public.is_none() {
                    return Err(usage(format!(
                        "verify checks `v1a,` entries with the sender's public key: pass {}; \
                         --private-key is for sign and send",
                        KeyKind::Ed25519.public_flag()
                    )));
                }
                if let Some(flag) = secret_flag {
                    return Err(usage(format!(
                        "standard-webhooks checks `v1,` entries with a secret or `v1a,` entries \
                         with --public-key: give one of them, not both {flag} and --public-key"
                    )));
                }
                KeyKind::Ed25519
            }
            (KeyKind::Hmac | KeyKind::Token, Some(_)) => {
                return Err(self.wants_secret("--public-key"));
            }
            (KeyKind::Hmac | KeyKind::Token, None) => {
                return Err(self.wants_secret("--private-key"));
            }
            (kind, _) if secret_flag.is_some() => {
                return Err(self.wants_key(kind, kind.public_flag(), secret_flag));
            }
            (kind, None) if private_key => {
                return Err(usage(format!(
                    "verify checks with the sender's public key: pass {}; --private-key is for \
                     sign and send",
                    kind.public_flag()
                )));
            }
            (kind, None) => return Err(self.wants_key(kind, kind.public_flag(), None)),
            (kind, Some(_)) => kind,
        };
        let arg = public_key.expect("matched above");
        public_key_arg(key_kind, &name.arg_name(), arg).map(Checker::Public)
    }
}

// ---------------------------------------------------------------------------------------------
// Private keys

/// The first PEM block of `text` labelled one of `labels`: its label and the block itself.
fn pem_block<'a>(text: &'a str, labels: &[&'static str]) -> Option<(&'static str, &'a str)> {
    labels.iter().find_map(|label| {
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        let start = text.find(&begin)?;
        let stop = start + text[start..].find(&end)? + end.len();
        Some((*label, &text[start..stop]))
    })
}

/// The labels of the PEM blocks in `text`, for errors.
fn pem_labels(text: &str) -> Vec<&str> {
    text.match_indices("-----BEGIN ")
        .filter_map(|(i, _)| {
            let rest = &text[i + "-----BEGIN ".len()..];
            rest.find("-----").map(|end| &rest[..end])
        })
        .collect()
}

fn p256_private(pem: &str) -> Result<p256::ecdsa::SigningKey, String> {
    use p256::pkcs8::DecodePrivateKey as _;
    p256::ecdsa::SigningKey::from_pkcs8_pem(pem)
        .or_else(|_| p256::SecretKey::from_sec1_pem(pem).map(p256::ecdsa::SigningKey::from))
        .map_err(|_| "not a P-256 private key".to_owned())
}

fn rsa_private(pem: &str) -> Result<rsa::RsaPrivateKey, String> {
    use rsa::pkcs1::DecodeRsaPrivateKey as _;
    use rsa::pkcs8::DecodePrivateKey as _;
    rsa::RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(pem))
        .map_err(|_| "not an RSA private key".to_owned())
}

fn ed25519_private(pem: &str) -> Result<ed25519_dalek::SigningKey, String> {
    use ed25519_dalek::pkcs8::DecodePrivateKey as _;
    ed25519_dalek::SigningKey::from_pkcs8_pem(pem).map_err(|_| "not an Ed25519 private key".into())
}

/// What a PKCS#8 `PRIVATE KEY` block holds, when it is one of the kinds the tool knows.
fn pkcs8_kind(block: &str) -> Option<KeyKind> {
    if ed25519_private(block).is_ok() {
        Some(KeyKind::Ed25519)
    } else if p256_private(block).is_ok() {
        Some(KeyKind::P256)
    } else if rsa_private(block).is_ok() {
        Some(KeyKind::Rsa)
    } else {
        None
    }
}

/// Read the `--private-key` file for `kind`. The file's bytes are wiped from memory once read.
fn private_key(kind: KeyKind, sender: &str, path: &Path) -> Result<Signer, Failure> {
    let bytes = Zeroizing::new(crate::input::read_file(path, "--private-key file")?);
    let at = format!("--private-key file {}", path.display());
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Err(usage(format!(
            "{at} is not text: give the key in PEM{}",
            if kind == KeyKind::Ed25519 {
                ", or its 32-byte seed as 64 hex digits"
            } else {
                ""
            }
        )));
    };
    let trimmed = text.trim();
    if kind == KeyKind::Ed25519 && trimmed.len() == 64 && !trimmed.contains("-----") {
        let mut seed = Zeroizing::new([0u8; 32]);
        return match hex::decode_to_slice(trimmed, seed.as_mut()) {
            Ok(()) => Ok(Signer::Ed25519(seed)),
            Err(_) => Err(usage(format!(
                "{at}: 64 characters that are not hex digits; an Ed25519 seed is 64 hex digits"
            ))),
        };
    }
    let labels: &[&'static str] = match kind {
        KeyKind::Ed25519 => &["PRIVATE KEY"],
        KeyKind::P256 => &["PRIVATE KEY", "EC PRIVATE KEY"],
        _ => &["PRIVATE KEY", "RSA PRIVATE KEY"],
    };
    let wrong_kind = |found: KeyKind| {
        format!(
            "{at} holds an {} private key, but {sender} signs with {}",
            found.algorithm(),
            kind.algorithm()
        )
    };
    let Some((label, block)) = pem_block(text, labels) else {
        let found = pem_labels(text);
        let expected = labels
            .iter()
            .map(|l| format!("`{l}`"))
            .collect::<Vec<_>>()
            .join(" or ");
        let also = if kind == KeyKind::Ed25519 {
            ", or 64 hex digits (the 32-byte seed)"
        } else {
            ""
        };
        return Err(usage(if found.contains(&"ENCRYPTED PRIVATE KEY") {
            format!(
                "{at} holds an encrypted key, which is not read: decrypt it first (`openssl \
                 pkey -in FILE -out plain.pem`)"
            )
        } else if found
            .iter()
            .any(|l| l.contains("PUBLIC KEY") || *l == "CERTIFICATE")
        {
            format!(
                "{at} holds a `{}` PEM block: --private-key takes the private key \
                 (the public key is for verify --public-key)",
                found[0]
            )
        } else if found.contains(&"EC PRIVATE KEY") {
            wrong_kind(KeyKind::P256)
        } else if found.contains(&"RSA PRIVATE KEY") {
            wrong_kind(KeyKind::Rsa)
        } else if let Some(first) = found.first() {
            format!("{at} holds a `{first}` PEM block; expected {expected}{also}")
        } else {
            format!("{at} is not PEM: expected a {expected} block{also}")
        }));
    };
    let signer = match kind {
        KeyKind::Ed25519 => {
            ed25519_private(block).map(|key| Signer::Ed25519(Zeroizing::new(key.to_bytes())))
        }
        KeyKind::P256 => {
            p256_private(block).map(|_| Signer::P256(Zeroizing::new(block.to_owned())))
        }
        _ => rsa_private(block).map(|_| Signer::Rsa(Zeroizing::new(block.to_owned()))),
    };
    let signer = match signer {
        Ok(signer) => signer,
        Err(e) => {
            if label == "PRIVATE KEY"
                && let Some(found) = pkcs8_kind(block)
            {
                return Err(usage(wrong_kind(found)));
            }
            return Err(usage(format!("{at}: the `{label}` block is {e}")));
        }
    };
    // A key receivers would refuse (RSA under 2048 bits) is refused here already.
    if let Signer::Rsa(_) = &signer {
        signer
            .public_key()
            .map_err(|_| usage(format!("{at}: {}", short_rsa(block))))?;
    }
    Ok(signer)
}

/// Why an RSA private key's public half is refused (its size).
fn short_rsa(pem: &str) -> String {
    use rsa::traits::PublicKeyParts as _;
    match rsa_private(pem) {
        Ok(key) => format!(
            "the RSA key has {} bits; receivers refuse keys under {}",
            key.n().bits(),
            webhook_guard::keys::MIN_RSA_BITS
        ),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------------------------------------
// Public keys

/// The `--public-key` argument for `kind`: a file if one exists by that name, else the value
/// itself.
fn public_key_arg(kind: KeyKind, sender: &str, arg: &str) -> Result<PublicKey, Failure> {
    let path = Path::new(arg);
    let (bytes, at) = if path.is_file() {
        (
            crate::input::read_file(path, "--public-key file")?,
            format!("--public-key file {}", path.display()),
        )
    } else {
        (
            arg.as_bytes().to_vec(),
            "--public-key (no file by that name, so read as a key value)".to_owned(),
        )
    };
    parse_public(kind, &bytes).map_err(|e| {
        let other = [KeyKind::Ed25519, KeyKind::P256, KeyKind::Rsa]
            .into_iter()
            .filter(|k| *k != kind)
            .find(|k| {
                // Only forms that say what they are: hex and base64 could be either.
                (*k != KeyKind::Ed25519 || bytes.starts_with(b"-----"))
                    && parse_public(*k, &bytes).is_ok()
            });
        usage(match other {
            Some(other) => format!(
                "{at} holds an {} public key, but {sender} signs with {}",
                other.algorithm(),
                kind.algorithm()
            ),
            None => format!("{at}: {e}"),
        })
    })
}

/// A public key of `kind` in any of the forms `--public-key` reads.
fn parse_public(kind: KeyKind, bytes: &[u8]) -> Result<PublicKey, String> {
    let key = parse_public_any(kind, bytes)?;
    let found = match key.algorithm() {
        KeyAlgorithm::Ed25519 => KeyKind::Ed25519,
        KeyAlgorithm::EcdsaP256 => KeyKind::P256,
        _ => KeyKind::Rsa,
    };
    if found != kind {
        // A certificate holds whichever key its owner has.
        return Err(format!(
            "the certificate holds an {} key, not {}",
            found.algorithm(),
            kind.algorithm()
        ));
    }
    Ok(key)
}

fn parse_public_any(kind: KeyKind, bytes: &[u8]) -> Result<PublicKey, String> {
    let text = std::str::from_utf8(bytes).ok().map(str::trim);
    let key = |r: Result<PublicKey, KeyError>| r.map_err(|e| e.to_string());
    match (kind, text) {
        (KeyKind::Ed25519, Some(t)) if t.starts_with("-----BEGIN") => {
            use ed25519_dalek::pkcs8::DecodePublicKey as _;
            let Some((_, block)) = pem_block(t, &["PUBLIC KEY"]) else {
                return Err(format!(
                    "expected a `PUBLIC KEY` PEM block, found {}",
                    pem_labels(t)
                        .iter()
                        .map(|l| format!("`{l}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            let parsed = ed25519_dalek::VerifyingKey::from_public_key_pem(block)
                .map_err(|_| "the `PUBLIC KEY` PEM block is not an Ed25519 key".to_owned())?;
            key(PublicKey::ed25519(parsed.as_bytes()))
        }
        (KeyKind::Ed25519, Some(t)) if t.starts_with("whpk_") => key(PublicKey::from_whpk(t)),
        (KeyKind::Ed25519, Some(t)) if t.len() == 64 => key(PublicKey::ed25519_hex(t)),
        (KeyKind::Ed25519, Some(t)) => key(PublicKey::ed25519_base64(t)),
        (KeyKind::Ed25519, None) => {
            use ed25519_dalek::pkcs8::DecodePublicKey as _;
            match ed25519_dalek::VerifyingKey::from_public_key_der(bytes) {
                Ok(parsed) => key(PublicKey::ed25519(parsed.as_bytes())),
                Err(_) => key(PublicKey::ed25519(bytes)),
            }
        }
        (KeyKind::P256, Some(t)) if t.starts_with("-----BEGIN") => key(PublicKey::p256_pem(t)),
        (KeyKind::P256, Some(t)) => key(PublicKey::p256_base64(t)),
        (KeyKind::P256, None) => key(PublicKey::p256_der(bytes)),
        (_, Some(t)) if t.starts_with("-----BEGIN CERTIFICATE-----") => {
            key(PublicKey::from_certificate_pem(t))
        }
        (_, Some(t)) if t.starts_with("-----BEGIN") => key(PublicKey::rsa_pem(t)),
        (_, Some(t)) => {
            use base64::Engine as _;
            let der = base64::engine::general_purpose::STANDARD
                .decode(t)
                .map_err(|_| "neither PEM nor the base64 of a DER key or certificate".to_owned())?;
            key(PublicKey::from_certificate_der(&der).or_else(|_| PublicKey::rsa_der(&der)))
        }
        (_, None) => {
            key(PublicKey::from_certificate_der(bytes).or_else(|_| PublicKey::rsa_der(bytes)))
        }
    }
}
