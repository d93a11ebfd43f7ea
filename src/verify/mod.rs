//! The verifier: a scheme, one or more secrets, a tolerance and a clock.
//!
//! [`Verifier::verify`] is pure and synchronous: headers and body in, [`WebhookMeta`] or a
//! [`Rejection`] out. For adapters that hash while the body is still arriving,
//! [`Verifier::begin`] checks the headers and returns a [`VerifyState`] that absorbs body chunks
//! one by one; when the last chunk has landed only the finalisation remains.
//!
//! How it stays fast and safe:
//! - each secret's HMAC state is keyed once (the inner and outer pad blocks are hashed when the
//!   verifier is built) and cloned per request;
//! - the signed parts are streamed into the HMAC in order, so the body is never copied into a
//!   concatenated message;
//! - received signatures are decoded into a fixed stack buffer and compared in constant time
//!   (whole 64-bit words XORed, the verdict through `subtle::Choice`), against every candidate,
//!   without early exit;
//! - a received signature of the wrong length is refused as malformed by its length alone,
//!   before any comparison: the length is fixed by the format (64 hex or 44 base64 characters),
//!   so the refusal tells the sender nothing it did not know, and nothing about the expected tag
//!   (a truncated correct tag and a truncated random one get the identical rejection). Every
//!   comparison that does happen is 32 bytes against 32;
//! - with several secrets (rotation) only the first is hashed while streaming; the others are tried
//!   on the buffered body only if the first does not match.

// `#[inline(always)]` marks the per-request steps that callgrind shows to gain from inlining
// into their one caller: without them a verification costs about 1 % more instructions
// (Stripe +252, GitHub +169 at 256 B; BENCHMARKS.md, "Why the hot path is shaped as it is").

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hmac::{Hmac, Mac};
use http::HeaderMap;
use sha2::Sha256;
use subtle::Choice;

use crate::algorithm::{Algorithm, AltKey, AltSigs, StreamedMac};
use crate::clock::{Clock, SystemClock};
use crate::error::{Rejection, RejectionKind};
use crate::json_scan::FieldText;
use crate::message::{Message, RequestValues};
use crate::scheme::{
    DedupId, Field, Gathered, Role, Scheme, Signatures, SignedPart, TAG_LEN, TimestampSource,
    TimestampText,
};
use crate::secret::Secret;

mod meta;
pub use meta::WebhookMeta;
use meta::{INLINE_TEXT, Text};

type HmacSha256 = Hmac<Sha256>;

/// The request line, for schemes that sign the URL or the method: the method's name and the
/// request target's path and query as received (`/twilio/sms?x=1`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Target<'a> {
    pub(crate) method: &'a [u8],
    pub(crate) path_and_query: &'a [u8],
}

impl<'a> Target<'a> {
    /// The request line of an `http` request.
    pub(crate) fn of(method: &'a http::Method, uri: &'a http::Uri) -> Self {
        Target {
            method: method.as_str().as_bytes(),
            path_and_query: uri.path_and_query().map_or(b"/", |p| p.as_str().as_bytes()),
        }
    }
}

/// Default tolerance for timestamps in the past and in the future: 5 minutes, the value every
/// sender in our documentation recommends.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Verifies deliveries of one scheme. Cheap to clone (shared state behind an `Arc`).
///
/// ```
/// use webhook_guard::{Scheme, Secret, Verifier};
/// use webhook_guard::testing::Delivery;
///
/// let secret = Secret::new("whsec_your_stripe_signing_secret")?;
/// let verifier = Verifier::new(Scheme::stripe(), secret.clone());
///
/// let body = br#"{"id":"evt_1NfVbN2eZvKYlo2C","type":"customer.updated","data":{"object":{}}}"#;
/// let delivery = Delivery::new(Scheme::stripe(), &body[..]).sign(&secret);
///
/// let meta = verifier.verify(&delivery.headers, &delivery.body)?;
/// assert_eq!(meta.id(), Some("evt_1NfVbN2eZvKYlo2C"));
/// assert_eq!(meta.event_type(), Some("customer.updated"));
///
/// // One flipped byte and the delivery is refused.
/// let err = verifier.verify(&delivery.headers, b"{}").unwrap_err();
/// assert_eq!(err.code(), "signature_mismatch");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// On Cloudflare Workers and other wasm32 hosts (`default-features = false`: no Tokio, no tower,
/// no stores; the clock is the host's `Date.now()`), copy the request's headers into an
/// `http::HeaderMap` and verify the body; deduplicate with the platform's own storage if you need
/// to. With the `worker` crate:
///
/// ```rust,ignore
/// use webhook_guard::{Scheme, Secret, Verifier};
/// use worker::{Context, Env, Request, Response, Result, event};
///
/// #[event(fetch)]
/// async fn fetch(mut req: Request, env: Env, _ctx: Context) -> Result<Response> {
///     let secret = Secret::new(env.secret("GITHUB_WEBHOOK_SECRET")?.to_string())
///         .map_err(|e| worker::Error::RustError(e.to_string()))?;
///     let verifier = Verifier::new(Scheme::github(), secret);
///     let mut headers = http::HeaderMap::new();
///     for (name, value) in req.headers() {
///         if let (Ok(name), Ok(value)) = (http::HeaderName::try_from(name), value.parse()) {
///             headers.append(name, value);
///         }
///     }
///     let body = req.bytes().await?;
///     match verifier.verify(&headers, &body) {
///         Ok(meta) => Response::ok(format!("verified {}", meta.event_type().unwrap_or("-"))),
///         Err(refused) => Response::error(refused.code(), refused.status().as_u16()),
///     }
/// }
/// ```
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

struct Inner {
    scheme: Scheme,
    /// The secrets, keyed for HMAC-SHA256 (the streamed algorithm); empty when the scheme
    /// signs with nothing else.
    keys: Vec<Key>,
    /// The keys of the scheme's other algorithms (HMAC-SHA1/512 and token secrets, public
    /// keys), each with its position among the configured keys.
    others: Vec<(usize, AltKey)>,
    /// Keyed with no secret: stands in for `keys[0]` when there is none, and is never fed.
    idle: HmacSha256,
    /// HMAC-SHA1 and -SHA512 states, keyed with each secret (its position among the configured
    /// keys), for schemes whose other HMAC signatures can be hashed while the body arrives.
    streamed_others: Vec<(usize, StreamedMac)>,
    /// The secret that matched last: tried first, so that once a sender signs with another of
    /// the configured secrets (a rotation), each delivery is still hashed once.
    preferred: AtomicUsize,
    past_ms: u64,
    future_ms: u64,
    check_timestamp: bool,
    clock: Arc<dyn Clock>,
}

struct Key {
    mac: HmacSha256,
    label: Option<Arc<str>>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Verifier")
            .field("scheme", &i.scheme.name())
            .field("hmac_sha256_secrets", &i.keys.len())
            .field("other_keys", &i.others.len())
            .field(
                "labels",
                &i.keys
                    .iter()
                    .map(|k| k.label.as_deref())
                    .collect::<Vec<_>>(),
            )
            .field("tolerance_past_ms", &i.past_ms)
            .field("tolerance_future_ms", &i.future_ms)
            .field("check_timestamp", &i.check_timestamp)
            .finish()
    }
}

/// A verifier that cannot work, refused by [`VerifierBuilder::build`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifierError {
    /// No secret or key was given.
    NoSecret,
    /// None of the keys given can check the scheme's signatures (a secret for a scheme that
    /// signs with Ed25519, say); says what the scheme needs.
    NoFittingKey(String),
}

impl fmt::Display for VerifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifierError::NoSecret => f.write_str("a verifier needs at least one secret"),
            VerifierError::NoFittingKey(detail) => f.write_str(detail),
        }
    }
}

impl std::error::Error for VerifierError {}

/// Builder for a [`Verifier`]; every knob has a safe default.
///
/// ```
/// use std::time::Duration;
/// use webhook_guard::{Scheme, Secret, Verifier};
///
/// let verifier = Verifier::builder(Scheme::stripe())
///     .secret(Secret::new("whsec_new_secret_from_the_dashboard")?.with_label("2026-11"))
///     .secret(Secret::new("whsec_old_secret_still_in_rotation")?.with_label("2026-05"))
///     .tolerance(Duration::from_secs(120))
///     .build()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Rotating a secret
///
/// Configure both secrets; any one matching is enough. The first is tried first until another
/// one matches; after that, the one that matched last is tried first, so a delivery is hashed
/// once whichever of the two the sender has moved to. [`WebhookMeta::secret_label`] tells which
/// one matched; once no delivery uses the old one, remove it.
///
/// | sender | what the sender does while rotating | what to configure |
/// |---|---|---|
/// | Standard Webhooks / Svix | signs with the old and the new secret and sends both: `webhook-signature: v1,<new> v1,<old>` | nothing during the switch (either secret alone verifies); configure both if you move the receiver before or after the sender's window |
/// | Stripe | rolling an endpoint secret can keep the old one valid for an expiry you choose; meanwhile each delivery carries one `v1=` per active secret | as for Standard Webhooks: either secret verifies; put the new one first and drop the old once `secret_index()` shows no use |
/// | GitHub | one secret per webhook; changing it takes effect at once | configure the new secret first, next to the old one, then change it in GitHub, then remove the old |
/// | Slack | one signing secret per app; regenerating it replaces it | the same: both secrets on the `Verifier` while you regenerate and redeploy |
/// | Shopify | signs with the app's current client secret, one at a time | the same: both secrets configured during the switch |
/// | Heppu, Helix, Helicone | one secret at a time | the same: both secrets configured during the switch |
///
/// `testing::Delivery::sign_with_each(&[&new, &old])` builds what a list-signing sender sends
/// during its window, to test a receiver with it.
#[must_use]
pub struct VerifierBuilder {
    scheme: Scheme,
    secrets: Vec<Secret>,
    #[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
    public_keys: Vec<crate::keys::PublicKey>,
    past: Duration,
    future: Duration,
    check_timestamp: bool,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field("scheme", &self.scheme.name())
            .field("secrets", &self.secrets)
            .field("past", &self.past)
            .field("future", &self.future)
            .finish()
    }
}

impl VerifierBuilder {
    /// Add a secret. Any configured secret that matches is enough. The first one is tried first
    /// until another one matches; from then on the secret that matched last is tried first, so a
    /// sender that moved to another configured secret costs one HMAC per delivery, not two.
    /// Put the current secret first and the one being retired after it.
    pub fn secret(mut self, secret: Secret) -> Self {
        self.secrets.push(secret);
        self
    }

    /// Add a sender's public key, for schemes that sign with a private key (Discord's Ed25519,
    /// Standard Webhooks `v1a`, SendGrid's ECDSA P-256, PayPal's RSA certificate). Several may
    /// be configured for a rotation; any one matching is
    /// enough, and its position (after the secrets) and label are reported in
    /// [`WebhookMeta`].
    #[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
    #[cfg_attr(
        docsrs,
        doc(cfg(any(feature = "ed25519", feature = "p256", feature = "rsa")))
    )]
    pub fn public_key(mut self, key: crate::keys::PublicKey) -> Self {
        self.public_keys.push(key);
        self
    }

    /// Add several secrets, in order of preference.
    pub fn secrets(mut self, secrets: impl IntoIterator<Item = Secret>) -> Self {
        self.secrets.extend(secrets);
        self
    }

    /// Accept timestamps up to `tolerance` in the past and in the future (default: the one the
    /// scheme's sender recommends, [`Scheme::tolerance`], else 5 minutes).
    /// A zero tolerance means exactly that: only the current second (or millisecond) passes.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.past = tolerance;
        self.future = tolerance;
        self
    }

    /// How old a timestamp may be (default as for [`tolerance`](Self::tolerance)).
    pub fn tolerance_past(mut self, tolerance: Duration) -> Self {
        self.past = tolerance;
        self
    }

    /// How far in the future a timestamp may be, for clock skew (default as for
    /// [`tolerance`](Self::tolerance)).
    pub fn tolerance_future(mut self, tolerance: Duration) -> Self {
        self.future = tolerance;
        self
    }

    /// Read the time from this clock instead of the system clock (for tests).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// **Dangerous:** accept any timestamp, however old. The timestamp must still be present and
    /// well-formed when the scheme has one. Only for re-verifying captured deliveries offline;
    /// never in a receiver, where it re-opens replay attacks.
    pub fn danger_accept_any_timestamp(mut self) -> Self {
        self.check_timestamp = false;
        self
    }

    /// Build the verifier; refuses a verifier without secrets or keys, and one whose keys
    /// cannot check any of the scheme's signatures.
    pub fn build(self) -> Result<Verifier, VerifierError> {
        #[allow(unused_mut)]
        let mut others: Vec<(usize, AltKey)> = Vec::new();
        let algorithms: Vec<Algorithm> = self.scheme.algorithms().collect();
        // HMAC-SHA256 is hashed while the body arrives unless the scheme needs the whole body
        // first; then it is checked at the end like the other algorithms.
        let deferred = self.scheme.is_deferred();
        let streamed = algorithms.contains(&Algorithm::HmacSha256) && !deferred;
        if algorithms
            .iter()
            .any(|a| (*a != Algorithm::HmacSha256 || deferred) && !a.uses_public_key())
        {
            others.extend(
                self.secrets
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (i, AltKey::Secret(s.clone()))),
            );
        }
        #[allow(unused_mut)]
        let mut configured = self.secrets.len();
        #[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
        {
            let first = self.secrets.len();
            others.extend(
                self.public_keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| (first + i, AltKey::Public(k.clone()))),
            );
            configured += self.public_keys.len();
        }
        if configured == 0 {
            return Err(VerifierError::NoSecret);
        }
        let keys: Vec<Key> = if streamed {
            self.secrets
                .iter()
                .map(|s| Key {
                    mac: <HmacSha256 as Mac>::new_from_slice(s.expose())
                        .expect("HMAC accepts keys of any length"),
                    label: s.label_arc(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let fits = !keys.is_empty()
            || others
                .iter()
                .any(|(_, k)| algorithms.iter().any(|a| k.fits(*a)));
        if !fits {
            return Err(VerifierError::NoFittingKey(
                self.no_fitting_key(&algorithms),
            ));
        }
        // HMAC-SHA1 / -SHA512 over a message known but for the body are hashed while the body
        // arrives too (every secret, as the signature's key is not known before the end).
        let mut streamed_others = Vec::new();
        if !deferred {
            for algorithm in &algorithms {
                for (i, secret) in self.secrets.iter().enumerate() {
                    if let Some(mac) = StreamedMac::keyed(*algorithm, secret.expose()) {
                        streamed_others.push((i, mac));
                    }
                }
            }
        }
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        Ok(Verifier {
            inner: Arc::new(Inner {
                scheme: self.scheme,
                keys,
                others,
                idle: <HmacSha256 as Mac>::new_from_slice(&[]).expect("HMAC accepts any key"),
                streamed_others,
                preferred: AtomicUsize::new(0),
                past_ms: ms(self.past),
                future_ms: ms(self.future),
                check_timestamp: self.check_timestamp,
                clock: self.clock,
            }),
        })
    }
}

impl VerifierBuilder {
    /// Why none of the configured keys can check the scheme's signatures, and what would.
    fn no_fitting_key(&self, algorithms: &[Algorithm]) -> String {
        let needs: Vec<&str> = algorithms.iter().map(|a| a.name()).collect();
        let features: Vec<String> = algorithms
            .iter()
            .filter_map(|a| a.key_feature())
            .map(|f| format!("`{f}`"))
            .collect();
        let what = if algorithms.iter().all(|a| a.uses_public_key()) {
            format!(
                "the sender's public key (`VerifierBuilder::public_key`, feature {}), not a secret",
                features.join(" or ")
            )
        } else {
            "a shared secret".to_owned()
        };
        #[allow(unused_mut)]
        let mut found = String::new();
        #[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
        if !self.public_keys.is_empty() {
            let kinds: Vec<&str> = self
                .public_keys
                .iter()
                .map(|k| k.algorithm().name())
                .collect();
            found = format!(" (the public key(s) configured: {})", kinds.join(", "));
        }
        format!(
            "`{}` signs with {}: configure {what}{found}",
            self.scheme.name(),
            needs.join(" or ")
        )
    }
}

impl Verifier {
    /// A verifier with one secret and the default tolerance.
    ///
    /// # Panics
    ///
    /// When the scheme checks its signatures with a public key only (Discord): use
    /// [`Verifier::with_public_key`], or [`Verifier::builder`] whose `build` says so as an
    /// error.
    pub fn new(scheme: Scheme, secret: Secret) -> Verifier {
        Verifier::builder(scheme)
            .secret(secret)
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A verifier with one public key and the default tolerance, for a scheme that signs with
    /// a private key.
    ///
    /// # Panics
    ///
    /// When the scheme does not sign with the key's algorithm.
    #[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
    #[cfg_attr(
        docsrs,
        doc(cfg(any(feature = "ed25519", feature = "p256", feature = "rsa")))
    )]
    pub fn with_public_key(scheme: Scheme, key: crate::keys::PublicKey) -> Verifier {
        Verifier::builder(scheme)
            .public_key(key)
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Start configuring a verifier for `scheme`.
    pub fn builder(scheme: Scheme) -> VerifierBuilder {
        let tolerance = scheme.tolerance().unwrap_or(DEFAULT_TOLERANCE);
        VerifierBuilder {
            scheme,
            secrets: Vec::new(),
            #[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
            public_keys: Vec::new(),
            past: tolerance,
            future: tolerance,
            check_timestamp: true,
            clock: Arc::new(SystemClock),
        }
    }

    /// The scheme this verifier checks.
    pub fn scheme(&self) -> &Scheme {
        &self.inner.scheme
    }

    /// Verify a complete delivery: headers and the raw body exactly as received.
    ///
    /// The same checks as [`begin`](Verifier::begin), [`update`](VerifyState::update) and
    /// [`finish`](VerifyState::finish), without an owned state in between: the headers' values
    /// are borrowed until the verdict.
    ///
    /// A scheme that signs the request's URL or method ([`Scheme::reads_request`]) needs
    /// [`verify_request`](Verifier::verify_request); here it is refused as
    /// `500 request_target_missing`.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookMeta, Rejection> {
        self.verify_target(None, headers, body)
    }

    /// Verify a complete request: its method and URL (for schemes that sign them), headers and
    /// raw body. The same checks as [`verify`](Verifier::verify) otherwise.
    ///
    /// ```
    /// use webhook_guard::scheme::{Algorithm, Encoding, Scheme, SignedPart};
    /// use webhook_guard::testing::Delivery;
    /// use webhook_guard::{Secret, Verifier};
    ///
    /// // HMAC-SHA256 over the URL the sender addressed, then the body.
    /// let scheme = Scheme::builder("url-signed")
    ///     .signature_header("X-Acme-Signature")
    ///     .encoding(Encoding::Base64)
    ///     .public_url("https://hooks.example.com")
    ///     .signed_parts([SignedPart::Url, SignedPart::Body])
    ///     .build()?;
    /// let secret = Secret::new("an-acme-signing-key-of-some-length")?;
    /// let d = Delivery::new(scheme.clone(), &b"{}"[..])
    ///     .path("/hooks/acme?shop=1")
    ///     .sign(&secret);
    ///
    /// let verifier = Verifier::new(scheme, secret);
    /// let request = d.clone().into_request::<bytes::Bytes>("/hooks/acme?shop=1");
    /// assert!(verifier.verify_request(&request).is_ok());
    /// // Addressed elsewhere, the same delivery does not verify.
    /// let moved = d.into_request::<bytes::Bytes>("/hooks/other");
    /// assert_eq!(verifier.verify_request(&moved).unwrap_err().code(), "signature_mismatch");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_request<B: AsRef<[u8]>>(
        &self,
        request: &http::Request<B>,
    ) -> Result<WebhookMeta, Rejection> {
        self.verify_target(
            Some(Target::of(request.method(), request.uri())),
            request.headers(),
            request.body().as_ref(),
        )
    }

    #[inline(always)]
    fn verify_target(
        &self,
        target: Option<Target<'_>>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<WebhookMeta, Rejection> {
        let mut sigs = Signatures::default();
        let mut others = AltSigs::new();
        let checked = self.check_headers(headers, target, &mut sigs, &mut others)?;
        let values = PartValues {
            ts: checked.timestamp.as_ref().map(|(raw, _)| raw.as_bytes()),
            id: checked.id,
            request: checked.request.as_deref(),
            base: self.scheme().public_url().unwrap_or_default(),
        };
        // The MAC is cloned, fed and finalized in this frame: passed by value it would be moved
        // (copied, 152 bytes) on its way.
        let first = self.first_key();
        let mut tag = [0u8; TAG_LEN];
        if let Some(key) = self.inner.keys.get(first) {
            let mut mac = key.mac.clone();
            feed_parts(&mut mac, self.scheme().prefix_parts(), values);
            mac.update(body);
            feed_parts(&mut mac, self.scheme().suffix_parts(), values);
            tag = mac.finalize().into_bytes().into();
        }
        // HMAC-SHA1 / -SHA512 from their pre-keyed states rather than keyed anew at the end.
        let precomputed = if self.inner.streamed_others.is_empty() {
            Vec::new()
        } else {
            self.prekeyed_tags(values, body)
        };
        self.verdict(
            first,
            &tag,
            &sigs,
            &others,
            checked.timestamp.as_ref(),
            checked.id,
            checked.event,
            checked.request.as_deref(),
            &precomputed,
            body,
        )
    }

    /// The tags of the other HMACs over a whole message, from the states keyed when the
    /// verifier was built (keying costs two compressions per secret, as much as 128 body bytes).
    #[cold]
    #[inline(never)]
    fn prekeyed_tags(&self, values: PartValues<'_>, body: &[u8]) -> Vec<Precomputed> {
        let fed = self.inner.streamed_others.iter().map(|(index, keyed)| {
            let mut mac = keyed.clone();
            feed_parts(&mut mac, self.scheme().prefix_parts(), values);
            mac.update(body);
            (*index, mac)
        });
        self.finish_tags(fed, values)
    }

    /// Finish HMACs fed up to the end of the body: the parts after it, then each tag.
    fn finish_tags(
        &self,
        fed: impl Iterator<Item = (usize, StreamedMac)>,
        values: PartValues<'_>,
    ) -> Vec<Precomputed> {
        fed.map(|(index, mut mac)| {
            feed_parts(&mut mac, self.scheme().suffix_parts(), values);
            let algorithm = mac.algorithm();
            (index, algorithm, mac.finalize())
        })
        .collect()
    }

    /// Check everything the headers decide (signature syntax, timestamp window, id) and return a
    /// state that absorbs the body as it arrives.
    ///
    /// ```
    /// use webhook_guard::{Scheme, Secret, Verifier};
    /// use webhook_guard::testing::Delivery;
    ///
    /// let secret = Secret::new("whsec_your_stripe_signing_secret")?;
    /// let verifier = Verifier::new(Scheme::stripe(), secret.clone());
    /// let body = br#"{"id":"evt_1","type":"invoice.paid","data":{"object":{}}}"#;
    /// let d = Delivery::new(Scheme::stripe(), &body[..]).sign(&secret);
    ///
    /// let mut state = verifier.begin(&d.headers)?;
    /// for chunk in d.body.chunks(7) {
    ///     state.update(chunk);
    /// }
    /// let meta = state.finish(&d.body)?;
    /// assert_eq!(meta.scheme(), "stripe");
    /// assert_eq!(meta.event_type(), Some("invoice.paid"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// A scheme that signs the request's URL or method needs
    /// [`begin_request`](Verifier::begin_request).
    #[inline]
    pub fn begin(&self, headers: &HeaderMap) -> Result<VerifyState, Rejection> {
        self.begin_target(headers, None)
    }

    /// [`begin`](Verifier::begin) with the request's method and URL, for schemes that sign
    /// them (any scheme may be begun this way). The request's body is not read.
    pub fn begin_request<B>(&self, request: &http::Request<B>) -> Result<VerifyState, Rejection> {
        self.begin_target(
            request.headers(),
            Some(Target::of(request.method(), request.uri())),
        )
    }

    /// [`begin`](Verifier::begin) with the request line where the adapter has it.
    #[inline]
    pub(crate) fn begin_target(
        &self,
        headers: &HeaderMap,
        target: Option<Target<'_>>,
    ) -> Result<VerifyState, Rejection> {
        let mut sigs = Signatures::default();
        let mut others = AltSigs::new();
        let checked = self.check_headers(headers, target, &mut sigs, &mut others)?;
        Ok(self.state(checked, sigs, others))
    }

    /// The state that absorbs the body, once the headers passed.
    #[inline(always)]
    fn state(&self, checked: Checked<'_>, sigs: Signatures, others: AltSigs) -> VerifyState {
        let values = PartValues {
            ts: checked.timestamp.as_ref().map(|(raw, _)| raw.as_bytes()),
            id: checked.id,
            request: checked.request.as_deref(),
            base: self.scheme().public_url().unwrap_or_default(),
        };
        let first = self.first_key();
        let inner = &*self.inner;
        let hashing = !inner.keys.is_empty();
        let mut mac = inner
            .keys
            .get(first)
            .map_or(&inner.idle, |k| &k.mac)
            .clone();
        if hashing {
            feed_parts(&mut mac, self.scheme().prefix_parts(), values);
        }
        let extra = if checked.request.is_some() || !inner.streamed_others.is_empty() {
            let ts = checked.timestamp.as_ref().map(|(raw, _)| raw.as_bytes());
            Some(self.extra_state(checked.request, ts, checked.id))
        } else {
            None
        };
        VerifyState {
            verifier: self.clone(),
            key: first,
            mac,
            hashing,
            sigs,
            others,
            timestamp: checked.timestamp,
            id: checked.id.map(Text::from_ascii),
            event: checked.event.map(Text::from_ascii),
            extra,
        }
    }

    /// What a [`VerifyState`] keeps beside the HMAC-SHA256 state, for the schemes that need
    /// it: the request's values, and the other HMACs hashed while the body arrives (their
    /// parts before the body fed).
    #[cold]
    #[inline(never)]
    fn extra_state(
        &self,
        request: Option<Box<RequestValues>>,
        ts: Option<&[u8]>,
        id: Option<&[u8]>,
    ) -> Box<Extra> {
        let values = PartValues {
            ts,
            id,
            request: request.as_deref(),
            base: self.scheme().public_url().unwrap_or_default(),
        };
        let mut streamed = self.inner.streamed_others.clone();
        for (_, mac) in &mut streamed {
            feed_parts(mac, self.scheme().prefix_parts(), values);
        }
        Box::new(Extra { request, streamed })
    }

    /// Everything the headers decide, in the order the rejections are reported: the signature
    /// header (missing, repeated, malformed), the timestamp (missing, malformed, outside the
    /// window), the id (malformed, missing), the event type (malformed).
    #[inline(always)]
    fn check_headers<'h>(
        &self,
        headers: &'h HeaderMap,
        target: Option<Target<'_>>,
        sigs: &mut Signatures,
        others: &mut AltSigs,
    ) -> Result<Checked<'h>, Rejection> {
        let now = self.now_millis();
        let mut found = Gathered::default();
        self.inner.scheme.gather(headers, &mut found);
        self.check_gathered(&found, target, sigs, others, now)
    }

    /// [`begin`](Verifier::begin) for adapters whose HTTP stack has its own header types:
    /// `headers` are (lowercase name, value) pairs in the order received, read in place.
    #[cfg_attr(not(feature = "actix"), allow(dead_code))]
    pub(crate) fn begin_pairs<'h, I, N, V>(
        &self,
        target: Option<Target<'_>>,
        headers: I,
    ) -> Result<VerifyState, Rejection>
    where
        I: IntoIterator<Item = (N, V)>,
        N: crate::scheme::HeaderBytes<'h>,
        V: crate::scheme::HeaderBytes<'h>,
    {
        let now = self.now_millis();
        let mut found = Gathered::default();
        self.inner.scheme.gather_pairs(headers, &mut found);
        let mut sigs = Signatures::default();
        let mut others = AltSigs::new();
        let checked = self.check_gathered(&found, target, &mut sigs, &mut others, now)?;
        Ok(self.state(checked, sigs, others))
    }

    /// The checks of [`check_headers`](Verifier::check_headers) once the headers are gathered.
    #[inline(always)]
    fn check_gathered<'h, V: crate::scheme::HeaderBytes<'h>>(
        &self,
        found: &Gathered<V>,
        target: Option<Target<'_>>,
        sigs: &mut Signatures,
        others: &mut AltSigs,
        now_ms: u64,
    ) -> Result<Checked<'h>, Rejection> {
        let scheme = &self.inner.scheme;
        // A signature in the body (Mailgun) is read once the body is in.
        let entry_ts = if scheme.signature_path().is_none() && !scheme.signature_per_header() {
            let signature = scheme.signature_in(found)?;
            scheme.parse_signature_value(signature, sigs, others)?
        } else if scheme.signature_path().is_none() {
            // Every header its own signature (Box): none of them has a timestamp entry.
            scheme.each_signature_in(found, sigs, others)?;
            crate::scheme::EntryTimestamp::Absent
        } else {
            crate::scheme::EntryTimestamp::Absent
        };
        // (A timestamp in the JSON body is read once the body is in.)
        let timestamp = match scheme.timestamp_in(found, entry_ts)? {
            Some((raw, value)) => Some((raw, self.check_window(value, now_ms)?)),
            None => None,
        };
        let id = match scheme.id_field() {
            Some(field @ (Field::Headers(names) | Field::HeadersInOrder(names))) => {
                match scheme.field_in(found, Role::Id, RejectionKind::IdMalformed)? {
                    Some(v) => Some(v),
                    None if scheme.id_is_optional() => None,
                    None => {
                        let detail = match field {
                            Field::HeadersInOrder(_) if names.len() > 1 => {
                                let list: Vec<String> =
                                    names.iter().map(|n| format!("`{n}`")).collect();
                                format!("none of the {} headers", list.join(", "))
                            }
                            _ => format!("no `{}` header", names[0]),
                        };
                        return Err(Rejection::with_detail(RejectionKind::IdMissing, detail));
                    }
                }
            }
            // Headers first; without one, the body's fields are read once it is in.
            Some(Field::FirstOf { headers, json }) if !headers.is_empty() => {
                match scheme.field_in(found, Role::Id, RejectionKind::IdMalformed)? {
                    Some(v) => Some(v),
                    None if scheme.id_is_optional() || !json.is_empty() => None,
                    None => {
                        let list: Vec<String> = headers.iter().map(|n| format!("`{n}`")).collect();
                        return Err(Rejection::with_detail(
                            RejectionKind::IdMissing,
                            format!("none of the {} headers", list.join(", ")),
                        ));
                    }
                }
            }
            _ => None,
        };
        let event = match scheme.event_field() {
            Some(Field::Headers(_) | Field::HeadersInOrder(_) | Field::FirstOf { .. }) => {
                scheme.field_in(found, Role::Event, RejectionKind::EventMalformed)?
            }
            _ => None,
        };
        let request = if scheme.reads_request() {
            Some(self.request_values(found, target)?)
        } else {
            None
        };
        Ok(Checked {
            timestamp,
            id,
            event,
            request,
        })
    }

    /// What the signed message takes from the request line and headers, copied out.
    #[cold]
    #[inline(never)]
    fn request_values<'h, V: crate::scheme::HeaderBytes<'h>>(
        &self,
        found: &Gathered<V>,
        target: Option<Target<'_>>,
    ) -> Result<Box<RequestValues>, Rejection> {
        let scheme = &self.inner.scheme;
        let Some(target) = target else {
            return Err(Rejection::with_detail(
                RejectionKind::RequestTargetMissing,
                format!(
                    "`{}` signs the request's URL or method: verify with \
                     `Verifier::verify_request` / `begin_request`, or through an adapter",
                    scheme.name()
                ),
            ));
        };
        let mut headers = Vec::with_capacity(scheme.signed_headers().len());
        for (k, name) in scheme.signed_headers().iter().enumerate() {
            match scheme.signed_header_in(found, k) {
                Ok(Some(value)) => headers.push(Box::from(value)),
                Ok(None) => {
                    return Err(Rejection::with_detail(
                        RejectionKind::SignedPartMissing,
                        format!("no `{name}` header, which the signed message contains"),
                    ));
                }
                Err(()) => {
                    return Err(Rejection::with_detail(
                        RejectionKind::SignedPartMissing,
                        format!("several different `{name}` headers; the signed message has one"),
                    ));
                }
            }
        }
        Ok(Box::new(RequestValues {
            method: Box::from(target.method),
            path: Box::from(scheme.signed_target(target.path_and_query)),
            headers,
        }))
    }

    /// The verdict once the whole body is in `mac` (keyed with secret `first`, prefix parts
    /// and body absorbed): the suffix parts, the tag, the other secrets if that one does not
    /// match, then the fields read from the verified body.
    // Internal and inlined into its one caller: the parameters are the verdict's inputs.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn conclude(
        &self,
        first: usize,
        mut mac: HmacSha256,
        sigs: &Signatures,
        others: &AltSigs,
        timestamp: Option<&(TimestampText, u64)>,
        id: Option<&[u8]>,
        event: Option<&[u8]>,
        request: Option<&RequestValues>,
        precomputed: &[Precomputed],
        body: &[u8],
    ) -> Result<WebhookMeta, Rejection> {
        let mut tag = [0u8; TAG_LEN];
        if !self.inner.keys.is_empty() {
            let values = PartValues {
                ts: timestamp.map(|(raw, _)| raw.as_bytes()),
                id,
                request,
                base: self.scheme().public_url().unwrap_or_default(),
            };
            feed_parts(&mut mac, self.scheme().suffix_parts(), values);
            tag = mac.finalize().into_bytes().into();
        }
        self.verdict(
            first,
            &tag,
            sigs,
            others,
            timestamp,
            id,
            event,
            request,
            precomputed,
            body,
        )
    }

    /// The secret tried first: the one that matched last (see [`Inner::preferred`]).
    #[inline(always)]
    fn first_key(&self) -> usize {
        let inner = &*self.inner;
        if inner.keys.len() == 1 {
            return 0;
        }
        let preferred = inner.preferred.load(Ordering::Relaxed);
        if preferred < inner.keys.len() {
            preferred
        } else {
            0
        }
    }

    /// [`conclude`](Verifier::conclude) once the tag under secret `first` is known.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn verdict(
        &self,
        first: usize,
        tag: &[u8; TAG_LEN],
        sigs: &Signatures,
        others: &AltSigs,
        timestamp: Option<&(TimestampText, u64)>,
        id: Option<&[u8]>,
        event: Option<&[u8]>,
        request: Option<&RequestValues>,
        precomputed: &[Precomputed],
        body: &[u8],
    ) -> Result<WebhookMeta, Rejection> {
        let inner = &*self.inner;
        let scheme = &inner.scheme;
        let streamed = !inner.keys.is_empty();
        let mut matched = None;
        if streamed {
            matched = any_matches(tag, sigs).map(|sig| (first, sig));
            if matched.is_none() && sigs.len() > 0 {
                let values = PartValues {
                    ts: timestamp.map(|(raw, _)| raw.as_bytes()),
                    id,
                    request,
                    base: scheme.public_url().unwrap_or_default(),
                };
                matched = self.try_other_keys(first, sigs, values, body);
            }
        }
        let (secret_index, secret_label, signature, timestamp_ms) = match matched {
            Some((key, sig)) => (
                key,
                inner.keys[key].label.clone(),
                sigs.as_slice()[sig],
                timestamp.map(|(_, ms)| *ms),
            ),
            None => {
                let ((key, label, tag), ms) = self.match_at_end(
                    sigs,
                    others,
                    timestamp,
                    id,
                    AtEnd {
                        request,
                        precomputed,
                    },
                    body,
                )?;
                (key, label, tag, ms)
            }
        };
        // Only a verified body is parsed for fields.
        let id = match (scheme.dedup_id(), id, scheme.id_field()) {
            // The id header was only signed; the body's field is the id (PayPal).
            (Some(DedupId::Field(path)), _, _) => body_field(
                body,
                path,
                scheme.id_is_optional(),
                RejectionKind::IdMissing,
                RejectionKind::IdMalformed,
            )?,
            // No id the sender keeps across retries: several fields together (Calendly, Zoom).
            (Some(DedupId::Composite(paths)), _, _) => {
                composite_body_id(body, paths, scheme.id_is_optional())?
            }
            (None, Some(id), _) => Some(FieldText::Raw(id)),
            (None, None, Some(Field::JsonBody(path))) => body_field(
                body,
                path,
                scheme.id_is_optional(),
                RejectionKind::IdMissing,
                RejectionKind::IdMalformed,
            )?,
            (None, None, Some(Field::FirstOf { json, .. })) if !json.is_empty() => {
                first_body_field(body, json, scheme.id_is_optional())?
            }
            (None, None, _) => None,
        };
        let event = match (event, scheme.event_field()) {
            (Some(e), _) => Some(FieldText::Raw(e)),
            // Read from both ends: Stripe's and Slack's type come after the bulk of the body.
            (None, Some(Field::JsonBody(path))) => {
                crate::json_scan::find_text_either_end(body, path)
                    .filter(|t| crate::scheme::event_text_ok(t.as_bytes()))
            }
            (None, Some(Field::FirstOf { json, .. })) => json.iter().find_map(|path| {
                crate::json_scan::find_text_either_end(body, path)
                    .filter(|t| crate::scheme::event_text_ok(t.as_bytes()))
            }),
            (None, _) => None,
        };
        // The texts are copied in the struct literal: built before it, each would be read back
        // at once over the narrow stores just made (a stalled store forwarding).
        Ok(WebhookMeta {
            scheme: scheme.shared_name(),
            id: id.map(Text::from_field),
            event: event.map(Text::from_field),
            timestamp_ms,
            secret_index,
            secret_label,
            signature,
            namespace: None,
        })
    }

    /// The other HMACs hashed while the body arrived, finished with the parts after the body:
    /// `(key position, algorithm, tag)`.
    #[cold]
    #[inline(never)]
    fn finish_streamed(
        &self,
        streamed: Vec<(usize, StreamedMac)>,
        timestamp: &Option<(TimestampText, u64)>,
        id: &Option<Text>,
        request: Option<&RequestValues>,
    ) -> Vec<Precomputed> {
        let values = PartValues {
            ts: timestamp.as_ref().map(|(raw, _)| raw.as_bytes()),
            id: id.as_ref().map(Text::as_bytes),
            request,
            base: self.scheme().public_url().unwrap_or_default(),
        };
        self.finish_tags(streamed.into_iter(), values)
    }

    /// The verdict on the signatures not matched while the body streamed: those of the
    /// scheme's other algorithms and, for a scheme that needs the whole body first, all of
    /// them, with a signature or timestamp read from the body where the scheme keeps them
    /// there. The matching key and the timestamp in milliseconds.
    #[cold]
    #[inline(never)]
    fn match_at_end(
        &self,
        sigs: &Signatures,
        others: &AltSigs,
        timestamp: Option<&(TimestampText, u64)>,
        id: Option<&[u8]>,
        at_end: AtEnd<'_>,
        body: &[u8],
    ) -> Result<(KeyMatch, Option<u64>), Rejection> {
        let scheme = &self.inner.scheme;
        let mut body_sigs = Signatures::default();
        let mut body_others = AltSigs::new();
        let mut body_ts = None;
        let (sigs, others, timestamp) = if scheme.is_deferred() {
            self.read_body_inputs(body, &mut body_sigs, &mut body_others, &mut body_ts)?;
            match scheme.signature_path() {
                Some(_) => (&body_sigs, &body_others, body_ts.as_ref().or(timestamp)),
                None => (sigs, others, body_ts.as_ref().or(timestamp)),
            }
        } else {
            (sigs, others, timestamp)
        };
        let ts_raw = timestamp.map(|(raw, _)| raw.as_bytes());
        match self.check_others(sigs, others, ts_raw, id, at_end, body)? {
            Some(found) => Ok((found, timestamp.map(|(_, ms)| *ms))),
            None => Err(self.mismatch(sigs, others, body)),
        }
    }

    /// The signature and timestamp that a deferred scheme keeps in its JSON body
    /// ([`SchemeBuilder::signature_json_field`](crate::scheme::SchemeBuilder::signature_json_field),
    /// [`timestamp_json_field`](crate::scheme::SchemeBuilder::timestamp_json_field)), read from
    /// the whole body and checked as their header counterparts are.
    #[cold]
    #[inline(never)]
    fn read_body_inputs(
        &self,
        body: &[u8],
        sigs: &mut Signatures,
        others: &mut AltSigs,
        timestamp: &mut Option<(TimestampText, u64)>,
    ) -> Result<(), Rejection> {
        let scheme = &self.inner.scheme;
        let not_json = |what: RejectionKind, path: &[std::borrow::Cow<'static, str>]| {
            Rejection::with_detail(
                what,
                format!(
                    "no `{}` string field in the JSON body (or the body is not JSON)",
                    path.join(".")
                ),
            )
        };
        if let Some(path) = scheme.signature_path() {
            let Ok(Some(text)) = crate::json_scan::find_text(body, path) else {
                return Err(not_json(RejectionKind::SignatureMissing, path));
            };
            scheme.parse_signature_value(text.as_bytes(), sigs, others)?;
        }
        if let Some((TimestampSource::JsonBody(path), unit)) = &scheme.timestamp() {
            let Ok(Some(text)) = crate::json_scan::find_text(body, path) else {
                return Err(not_json(RejectionKind::TimestampMissing, path));
            };
            let (raw, value) = scheme.parse_timestamp_text(text.as_bytes(), *unit)?;
            let now = self.now_millis();
            *timestamp = Some((raw, self.check_window(value, now)?));
        }
        Ok(())
    }

    /// The signatures checked once the body is in, each against every key of its kind: those
    /// of the scheme's other algorithms and, for a deferred scheme, its HMAC-SHA256 ones. The
    /// matching key's position and label, and the tag dedup keys on
    /// ([`replay_tag`](crate::algorithm::replay_tag): the SHA-256 of the signature in a
    /// canonical form, or of the body for a token, which is the same in every delivery).
    /// `Err` for a signed part the delivery lacks, or a body that does not match its hash.
    fn check_others(
        &self,
        sigs: &Signatures,
        others: &AltSigs,
        ts_raw: Option<&[u8]>,
        id: Option<&[u8]>,
        at_end: AtEnd<'_>,
        body: &[u8],
    ) -> Result<Option<KeyMatch>, Rejection> {
        let AtEnd {
            request,
            precomputed,
        } = at_end;
        let scheme = &self.inner.scheme;
        let deferred_hmac = scheme.is_deferred() && sigs.len() > 0;
        if (others.is_empty() && !deferred_hmac) || self.inner.others.is_empty() {
            return Ok(None);
        }
        // Twilio's JSON deliveries: the body is covered by its hash in the signed URL.
        let mut body_hashed = false;
        if let Some(param) = scheme.body_sha256_query()
            && let Some(expected) = request.and_then(|r| r.query_param(param))
        {
            use sha2::Digest as _;
            let actual = hex::encode(Sha256::digest(body));
            if !actual.eq_ignore_ascii_case(&expected) {
                return Err(Rejection::with_detail(
                    RejectionKind::SignatureMismatch,
                    format!(
                        "the body's SHA-256 is not the `{param}` query parameter of the signed \
                         URL ({}-byte body)",
                        body.len()
                    ),
                ));
            }
            body_hashed = true;
        }
        let mut bases = scheme.public_url_bases();
        let mut message = Message::resolve(
            scheme.signed_parts(),
            ts_raw,
            id,
            body,
            request,
            bases.next().unwrap_or_default(),
            body_hashed,
        )
        .map_err(|missing| {
            Rejection::with_detail(
                RejectionKind::SignedPartMissing,
                format!(
                    "no `{}` string field in the JSON body (or the body is not JSON), which \
                     the signed message contains",
                    missing.0
                ),
            )
        })?;
        let hmac_sigs = sigs
            .as_slice()
            .iter()
            .filter(|_| deferred_hmac)
            .map(|tag| (Algorithm::HmacSha256, &tag[..]));
        let all: Vec<(Algorithm, &[u8])> = hmac_sigs
            .chain(others.iter().map(|(a, s)| (*a, &s[..])))
            .collect();
        loop {
            for (algorithm, signature) in &all {
                for (index, key) in &self.inner.others {
                    // A tag hashed while the body arrived, else computed now.
                    let found = precomputed
                        .iter()
                        .find(|(i, a, _)| i == index && a == algorithm);
                    let matched = match found {
                        Some((_, _, tag)) => {
                            tag.len() == signature.len()
                                && bool::from(subtle::ConstantTimeEq::ct_eq(&tag[..], *signature))
                        }
                        None => crate::message::check(*algorithm, key, &message, signature),
                    };
                    if matched {
                        let tag = crate::algorithm::replay_tag(*algorithm, signature, body);
                        return Ok(Some((*index, key.label(), tag)));
                    }
                }
            }
            // The URL's other form (with or without its port), where the scheme allows both.
            match bases.next() {
                Some(base) => message = message.with_base(base),
                None => return Ok(None),
            }
        }
    }

    /// The refusal when no key matched, saying what was computed over what.
    #[cold]
    fn mismatch(&self, sigs: &Signatures, others: &AltSigs, body: &[u8]) -> Rejection {
        let inner = &*self.inner;
        let scheme = &inner.scheme;
        let header = match scheme.signature_path() {
            Some(_) => scheme.signature_label(),
            None => format!("{} header", scheme.signature_label()),
        };
        if others.is_empty() && inner.others.is_empty() {
            return Rejection::with_detail(
                RejectionKind::SignatureMismatch,
                format!(
                    "no secret matched the {header}: HMAC-SHA256 of {} ({}-byte body) \
                     under {} configured secret(s) equals none of the {} signature(s) received; \
                     was the body re-serialized before verification, or is the secret for \
                     another endpoint?",
                    scheme.signed_message_label(),
                    body.len(),
                    inner.keys.len(),
                    sigs.as_slice().len()
                ),
            );
        }
        let mut algorithms: Vec<&str> = Vec::new();
        if sigs.len() > 0 {
            algorithms.push(Algorithm::HmacSha256.name());
        }
        for (algorithm, _) in others {
            if !algorithms.contains(&algorithm.name()) {
                algorithms.push(algorithm.name());
            }
        }
        Rejection::with_detail(
            RejectionKind::SignatureMismatch,
            format!(
                "no configured key matched the {header}: {} signature(s) ({}) of {} \
                 ({}-byte body) received, {} key(s) configured; was the body re-serialized \
                 before verification, or is the key for another endpoint?",
                sigs.len() + others.len(),
                algorithms.join(", "),
                scheme.signed_message_label(),
                body.len(),
                inner.keys.len() + inner.others.len()
            ),
        )
    }

    /// The secrets other than `first` (a rotation), tried in order on the buffered body:
    /// `(secret, signature)` indexes of the first one that matches, which is then tried first
    /// for the next deliveries.
    #[cold]
    #[inline(never)]
    fn try_other_keys(
        &self,
        first: usize,
        sigs: &Signatures,
        values: PartValues<'_>,
        body: &[u8],
    ) -> Option<(usize, usize)> {
        let scheme = &self.inner.scheme;
        for (index, key) in self.inner.keys.iter().enumerate() {
            if index == first {
                continue;
            }
            let mut mac = key.mac.clone();
            feed_parts(&mut mac, scheme.prefix_parts(), values);
            mac.update(body);
            feed_parts(&mut mac, scheme.suffix_parts(), values);
            let tag: [u8; TAG_LEN] = mac.finalize().into_bytes().into();
            if let Some(sig) = any_matches(&tag, sigs) {
                self.inner.preferred.store(index, Ordering::Relaxed);
                return Some((index, sig));
            }
        }
        None
    }

    /// The clock's time when the scheme's timestamps are checked, else 0 (unused).
    #[inline(always)]
    fn now_millis(&self) -> u64 {
        let inner = &*self.inner;
        if inner.check_timestamp && inner.scheme.timestamp().is_some() {
            inner.clock.now_millis()
        } else {
            0
        }
    }

    /// Check a timestamp (in the scheme's unit) against the window; returns it in milliseconds.
    fn check_window(&self, value: u64, clock_ms: u64) -> Result<u64, Rejection> {
        let inner = &*self.inner;
        let unit = inner
            .scheme
            .timestamp()
            .map_or(crate::scheme::TimestampUnit::Seconds, |(_, unit)| unit);
        let Some(ts_ms) = unit.to_millis(value) else {
            return Err(Rejection::with_detail(
                RejectionKind::TimestampMalformed,
                format!(
                    "{} overflows when read as unix {unit:?}",
                    inner.scheme.timestamp_label()
                ),
            ));
        };
        if !inner.check_timestamp {
            return Ok(ts_ms);
        }
        // Compare at the scheme's resolution: a seconds timestamp covers its whole second.
        let now_ms = unit
            .to_millis(unit.from_millis(clock_ms))
            .unwrap_or(u64::MAX);
        let unit_hint = || match unit {
            crate::scheme::TimestampUnit::Seconds if value >= 100_000_000_000 => {
                "; it looks like milliseconds but the scheme expects seconds"
            }
            crate::scheme::TimestampUnit::Milliseconds if value < 100_000_000_000 => {
                "; it looks like seconds but the scheme expects milliseconds"
            }
            _ => "",
        };
        if ts_ms < now_ms && now_ms - ts_ms > inner.past_ms {
            return Err(Rejection::with_detail(
                RejectionKind::TimestampExpired,
                format!(
                    "timestamp is {} s old, tolerance {} s{}",
                    (now_ms - ts_ms) / 1000,
                    inner.past_ms / 1000,
                    unit_hint()
                ),
            ));
        }
        if ts_ms > now_ms && ts_ms - now_ms > inner.future_ms {
            return Err(Rejection::with_detail(
                RejectionKind::TimestampInFuture,
                format!(
                    "timestamp is {} s in the future, tolerance {} s{}",
                    (ts_ms - now_ms) / 1000,
                    inner.future_ms / 1000,
                    unit_hint()
                ),
            ));
        }
        Ok(ts_ms)
    }
}

/// A key that verified a signature checked at the end: its position among the configured keys,
/// its label, and the tag deduplication keys on.
type KeyMatch = (usize, Option<Arc<str>>, [u8; TAG_LEN]);

/// The values of the signed parts other than the body, for feeding them into the streamed
/// MAC.
#[derive(Clone, Copy)]
struct PartValues<'a> {
    ts: Option<&'a [u8]>,
    id: Option<&'a [u8]>,
    request: Option<&'a RequestValues>,
    /// The public base URL of a [`SignedPart::Url`].
    base: &'a str,
}

/// Feed signed parts other than the body into a MAC, one `update` per part (two for a URL):
/// they are few and short, and gathering them into one buffer first costs more than it saves
/// (BENCHMARKS.md, "Why the hot path is shaped as it is").
#[inline(always)]
fn feed_parts<M: Absorb>(mac: &mut M, parts: &[SignedPart], values: PartValues<'_>) {
    let mut header = 0;
    for part in parts {
        match part {
            SignedPart::Timestamp => mac.absorb(values.ts.unwrap_or_default()),
            SignedPart::Id => mac.absorb(values.id.unwrap_or_default()),
            SignedPart::Literal(bytes) => mac.absorb(bytes),
            SignedPart::Configured { value, .. } => mac.absorb(value.as_bytes()),
            SignedPart::Url => {
                mac.absorb(values.base.as_bytes());
                mac.absorb(values.request.map_or(&[][..], |r| &r.path));
            }
            SignedPart::Method => mac.absorb(values.request.map_or(&[][..], |r| &r.method)),
            SignedPart::Header(_) => {
                if let Some(value) = values.request.and_then(|r| r.headers.get(header)) {
                    mac.absorb(value);
                }
                header += 1;
            }
            // The body is fed between the prefix and the suffix parts; the parts read from the
            // whole body make the scheme deferred, never streamed.
            SignedPart::Body
            | SignedPart::BodyCrc32
            | SignedPart::FormParams
            | SignedPart::JsonField(_) => {}
        }
    }
}

/// A tag hashed while the body arrived: the key's position, its algorithm, the tag.
type Precomputed = (usize, Algorithm, Vec<u8>);

/// What the signatures checked at the end take beside the body: the request's values, and the
/// tags of the other HMACs hashed while the body arrived.
#[derive(Clone, Copy)]
struct AtEnd<'a> {
    request: Option<&'a RequestValues>,
    precomputed: &'a [Precomputed],
}

/// A MAC the signed parts are fed into: the streamed HMAC-SHA256, or another streamed HMAC.
trait Absorb {
    fn absorb(&mut self, bytes: &[u8]);
}

impl Absorb for HmacSha256 {
    #[inline(always)]
    fn absorb(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

impl Absorb for StreamedMac {
    fn absorb(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// Compute the HMAC-SHA256 tag of a scheme's signed message. Used by the test signer; the
/// verification path uses the same part feeding.
#[cfg(test)]
pub(crate) fn compute_tag(
    scheme: &Scheme,
    key: &[u8],
    ts: Option<&[u8]>,
    id: Option<&[u8]>,
    body: &[u8],
) -> [u8; TAG_LEN] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    let values = PartValues {
        ts,
        id,
        request: None,
        base: "",
    };
    feed_parts(&mut mac, scheme.prefix_parts(), values);
    mac.update(body);
    feed_parts(&mut mac, scheme.suffix_parts(), values);
    mac.finalize().into_bytes().into()
}

/// Whether `tag` equals any received signature, and the index of the first that does.
/// Constant time in the tags' contents: every candidate is compared in full, word by word; each
/// comparison's bit comes out of `subtle`'s optimization barrier (so the compiler cannot know it
/// is 0 or 1 and branch on it) and the index is selected with masks, without a branch; the
/// verdict is taken from a `Choice`. The number of candidates (at most
/// [`MAX_SIGNATURES`](crate::scheme::MAX_SIGNATURES)) is public anyway: it is in the header.
#[inline]
fn any_matches(tag: &[u8; TAG_LEN], sigs: &Signatures) -> Option<usize> {
    let mut found = 0u8;
    let mut index = 0u32;
    for (i, candidate) in sigs.as_slice().iter().enumerate() {
        let eq = tag_eq(tag, candidate).unwrap_u8();
        // The first match only: later ones do not move the index.
        let first = eq & !found;
        index |= (i as u32) & u32::from(first).wrapping_neg();
        found |= eq;
    }
    bool::from(Choice::from(found)).then_some(index as usize)
}

/// Constant-time equality of two tags: XOR the four 64-bit words, OR them together, and turn
/// "is zero" into a `Choice` without a data-dependent branch.
#[inline(always)]
fn tag_eq(a: &[u8; TAG_LEN], b: &[u8; TAG_LEN]) -> Choice {
    let mut diff = 0u64;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let x = u64::from_ne_bytes(x.try_into().unwrap_or_default());
        let y = u64::from_ne_bytes(y.try_into().unwrap_or_default());
        diff |= x ^ y;
    }
    // (diff | -diff) has its top bit set iff diff != 0.
    let nonzero = ((diff | diff.wrapping_neg()) >> 63) as u8;
    Choice::from(1 ^ nonzero)
}

/// A delivery whose headers passed; absorbs the body chunk by chunk. See [`Verifier::begin`].
pub struct VerifyState {
    verifier: Verifier,
    /// The secret `mac` is keyed with.
    key: usize,
    mac: HmacSha256,
    /// Whether `mac` absorbs the body (the verifier has HMAC-SHA256 secrets).
    hashing: bool,
    sigs: Signatures,
    /// Signatures of the scheme's other algorithms, checked once the body is in.
    others: AltSigs,
    timestamp: Option<(TimestampText, u64)>,
    id: Option<Text>,
    event: Option<Text>,
    /// The request's values and the other HMACs being hashed, for the schemes that need them.
    extra: Option<Box<Extra>>,
}

/// The rarer parts of a [`VerifyState`], boxed so the common state stays small.
struct Extra {
    /// What the signed message takes from the request (schemes that sign the URL, the method
    /// or a header value).
    request: Option<Box<RequestValues>>,
    /// HMAC-SHA1 / -SHA512 states fed with the body as it arrives, by key position.
    streamed: Vec<(usize, StreamedMac)>,
}

impl fmt::Debug for VerifyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyState")
            .field("scheme", &self.verifier.scheme().name())
            .finish_non_exhaustive()
    }
}

impl VerifyState {
    /// Absorb the next body chunk.
    #[inline]
    pub fn update(&mut self, chunk: &[u8]) {
        if self.hashing {
            self.mac.update(chunk);
        }
        if let Some(extra) = &mut self.extra {
            for (_, mac) in &mut extra.streamed {
                mac.update(chunk);
            }
        }
    }

    /// Finish: `body` must be the whole body, the concatenation of every chunk passed to
    /// [`update`](VerifyState::update) (it is read again only to try further secrets and to read an
    /// id from the JSON body).
    #[inline]
    pub fn finish(self, body: &[u8]) -> Result<WebhookMeta, Rejection> {
        let VerifyState {
            verifier,
            key,
            mac,
            hashing: _,
            sigs,
            others,
            timestamp,
            id,
            event,
            extra,
        } = self;
        let (request, precomputed) = match extra {
            Some(extra) => {
                let Extra { request, streamed } = *extra;
                let precomputed =
                    verifier.finish_streamed(streamed, &timestamp, &id, request.as_deref());
                (request, precomputed)
            }
            None => (None, Vec::new()),
        };
        verifier.conclude(
            key,
            mac,
            &sigs,
            &others,
            timestamp.as_ref(),
            id.as_ref().map(Text::as_bytes),
            event.as_ref().map(Text::as_bytes),
            request.as_deref(),
            &precomputed,
            body,
        )
    }
}

/// What the headers of a delivery established, borrowed from them until the verdict.
struct Checked<'h> {
    /// The timestamp's text as sent and its value in milliseconds.
    timestamp: Option<(TimestampText, u64)>,
    /// The id from its header, checked.
    id: Option<&'h [u8]>,
    /// The event type from its header, checked.
    event: Option<&'h [u8]>,
    /// What the signed message takes from the request, for schemes that sign it.
    request: Option<Box<RequestValues>>,
}

/// A field read from the (verified) JSON body and checked. Absent (no such field, or the body is
/// not JSON): `Ok(None)` when `optional`, else `missing`.
fn body_field<'b>(
    body: &'b [u8],
    path: &[std::borrow::Cow<'static, str>],
    optional: bool,
    missing: RejectionKind,
    malformed: RejectionKind,
) -> Result<Option<FieldText<'b>>, Rejection> {
    let dotted = || path.join(".");
    // An optional id (Slack's `event_id`, after the bulk of the body) is looked for from both
    // ends, as event types are: a body that is not JSON has no id either way, and reading from
    // the front went through the whole payload.
    let found = if optional {
        Ok(crate::json_scan::find_text_either_end(body, path))
    } else {
        crate::json_scan::find_text(body, path)
    };
    match found {
        Ok(Some(text)) => {
            // The field's name is only spelled out (allocated) for an error.
            if !crate::scheme::field_text_ok(text.as_bytes()) {
                crate::scheme::check_field_text(text.as_bytes(), &dotted(), malformed)?;
            }
            Ok(Some(text))
        }
        Ok(None) | Err(()) if optional => Ok(None),
        Ok(None) => Err(Rejection::with_detail(
            missing,
            format!("no `{}` string field in the JSON body", dotted()),
        )),
        Err(()) => Err(Rejection::with_detail(
            missing,
            format!("body is not JSON, so `{}` cannot be read", dotted()),
        )),
    }
}

/// The id made of several fields of the (verified) JSON body
/// ([`SchemeBuilder::dedup_id_json_fields`](crate::scheme::SchemeBuilder::dedup_id_json_fields)):
/// their texts joined by `|` (a missing field empty), or, when that would not fit in
/// [`INLINE_TEXT`] or a text holds a `|`, `sha256:` and the base64url SHA-256 of the texts,
/// each preceded by its length (a missing field by `u64::MAX`). None of the fields: `Ok(None)`
/// when `optional`, else `id_missing`.
#[cold]
#[inline(never)]
fn composite_body_id(
    body: &[u8],
    paths: &[Vec<std::borrow::Cow<'static, str>>],
    optional: bool,
) -> Result<Option<FieldText<'static>>, Rejection> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let mut texts = Vec::with_capacity(paths.len());
    for path in paths {
        // Each field may be absent (Zoom's validation event has no `payload.object`).
        let text = body_field(
            body,
            path,
            true,
            RejectionKind::IdMissing,
            RejectionKind::IdMalformed,
        )?;
        texts.push(text);
    }
    if texts.iter().all(Option::is_none) {
        if optional {
            return Ok(None);
        }
        let names: Vec<String> = paths.iter().map(|p| format!("`{}`", p.join("."))).collect();
        return Err(Rejection::with_detail(
            RejectionKind::IdMissing,
            format!(
                "none of the {} fields the id is made of is in the JSON body",
                names.join(", ")
            ),
        ));
    }
    fn bytes<'t>(text: &'t Option<FieldText<'_>>) -> &'t [u8] {
        text.as_ref().map_or(&[][..], FieldText::as_bytes)
    }
    let joined_len = texts.iter().map(|t| bytes(t).len()).sum::<usize>() + texts.len() - 1;
    let readable = joined_len <= INLINE_TEXT && texts.iter().all(|t| !bytes(t).contains(&b'|'));
    let id = if readable {
        let parts: Vec<&str> = texts
            .iter()
            // Checked to be visible ASCII by `body_field`.
            .map(|t| std::str::from_utf8(bytes(t)).unwrap_or_default())
            .collect();
        parts.join("|")
    } else {
        let mut hash = sha2::Sha256::new();
        for text in &texts {
            match text {
                Some(text) => {
                    hash.update((text.as_bytes().len() as u64).to_be_bytes());
                    hash.update(text.as_bytes());
                }
                None => hash.update(u64::MAX.to_be_bytes()),
            }
        }
        let digest = hash.finalize();
        format!(
            "sha256:{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
        )
    };
    Ok(Some(FieldText::Unescaped(id)))
}

/// The id from the first of `paths` the (verified) JSON body carries, checked as
/// [`body_field`] checks one; none of them: `Ok(None)` when `optional`, else `id_missing`
/// naming them all.
#[cold]
fn first_body_field<'b>(
    body: &'b [u8],
    paths: &[Vec<std::borrow::Cow<'static, str>>],
    optional: bool,
) -> Result<Option<FieldText<'b>>, Rejection> {
    for path in paths {
        if let Some(text) = body_field(
            body,
            path,
            true,
            RejectionKind::IdMissing,
            RejectionKind::IdMalformed,
        )? {
            return Ok(Some(text));
        }
    }
    if optional {
        return Ok(None);
    }
    let names: Vec<String> = paths.iter().map(|p| format!("`{}`", p.join("."))).collect();
    Err(Rejection::with_detail(
        RejectionKind::IdMissing,
        format!(
            "no id header, and none of the {} string fields in the JSON body",
            names.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shopify_keys_on_the_event_id_and_falls_back_to_the_webhook_id() {
        use crate::testing::Delivery;
        use http::HeaderValue;
        let secret = crate::Secret::new("shopify-client-secret-0123").unwrap();
        let verifier = Verifier::new(Scheme::shopify(), secret.clone());
        let d = Delivery::new(Scheme::shopify(), &br#"{"id":1}"#[..])
            .id("evt-1")
            .event("orders/create")
            .sign(&secret);
        let webhook_id = d.header("x-shopify-webhook-id").unwrap().to_owned();
        assert_eq!(d.header("x-shopify-event-id"), Some("evt-1"));
        assert_ne!(
            webhook_id, "evt-1",
            "the signer sends a webhook id of its own"
        );
        let meta = verifier.verify(&d.headers, &d.body).unwrap();
        assert_eq!(meta.id(), Some("evt-1"));
        assert_eq!(meta.event_type(), Some("orders/create"));

        // No event id: the webhook id.
        let mut h = d.headers.clone();
        h.remove("x-shopify-event-id");
        assert_eq!(
            verifier.verify(&h, &d.body).unwrap().id(),
            Some(webhook_id.as_str())
        );
        // Neither: the detail names both.
        h.remove("x-shopify-webhook-id");
        let err = verifier.verify(&h, &d.body).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::IdMissing);
        let detail = err.detail().unwrap();
        assert!(
            detail.contains("x-shopify-event-id") && detail.contains("x-shopify-webhook-id"),
            "{detail}"
        );
        // A malformed event id is refused, not passed over for the webhook id; so are two
        // different event ids.
        let mut h = d.headers.clone();
        h.insert("x-shopify-event-id", HeaderValue::from_static("evt 1"));
        let err = verifier.verify(&h, &d.body).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::IdMalformed);
        assert!(err.detail().unwrap().contains("x-shopify-event-id"));
        let mut h = d.headers.clone();
        h.append("x-shopify-event-id", HeaderValue::from_static("evt-2"));
        let err = verifier.verify(&h, &d.body).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::IdMalformed);
        // Two different webhook ids beside one event id: not read, not refused.
        let mut h = d.headers.clone();
        h.append("x-shopify-webhook-id", HeaderValue::from_static("other"));
        assert_eq!(verifier.verify(&h, &d.body).unwrap().id(), Some("evt-1"));
    }

    #[test]
    fn slack_events_carry_their_event_id_and_other_requests_no_id() {
        use crate::testing::{Delivery, samples};
        let secret = crate::Secret::new("slack-signing-secret-0123").unwrap();
        let verifier = Verifier::new(Scheme::slack(), secret.clone());
        let verify = |body: &str| {
            let d = Delivery::new(Scheme::slack(), body.to_owned()).sign(&secret);
            verifier.verify(&d.headers, &d.body)
        };
        assert!(Scheme::slack().id_is_optional() && Scheme::slack().id_is_signed());
        let meta = verify(samples::SLACK_EVENT_CALLBACK).unwrap();
        assert_eq!(meta.id(), Some("Ev123ABC456"));
        assert_eq!(meta.event_type(), Some("event_callback"));
        // No `event_id`: the handshake, a slash command, an interactivity payload.
        let meta = verify(samples::SLACK_URL_VERIFICATION).unwrap();
        assert_eq!(meta.id(), None);
        assert_eq!(meta.event_type(), Some("url_verification"));
        for form in [
            "token=x&team_id=T1&command=%2Fdeploy&text=now",
            "payload=%7B%22type%22%3A%22block_actions%22%7D",
        ] {
            assert_eq!(verify(form).unwrap().id(), None, "{form}");
        }
        // An `event_id` of another kind of value is no id; a malformed one is refused.
        assert_eq!(verify(r#"{"event_id":{"a":1}}"#).unwrap().id(), None);
        assert_eq!(
            verify(r#"{"event_id":"Ev 1"}"#).unwrap_err().kind(),
            RejectionKind::IdMalformed
        );
        // Without `id_optional` the same scheme refuses a body without the field.
        let strict = Scheme::builder("strict")
            .signature_header("x-slack-signature")
            .signature_prefix("v0=")
            .timestamp_header(
                "x-slack-request-timestamp",
                crate::scheme::TimestampUnit::Seconds,
            )
            .id_json_field("event_id")
            .signed_parts(Scheme::slack().signed_parts().to_vec())
            .build()
            .unwrap();
        let d = Delivery::new(strict.clone(), "token=x&command=%2Fdeploy").sign(&secret);
        let err = Verifier::new(strict, secret.clone())
            .verify(&d.headers, &d.body)
            .unwrap_err();
        assert_eq!(err.kind(), RejectionKind::IdMissing);
        // An optional id from a header: absent is fine, present is checked.
        let optional = Scheme::builder("optional-header")
            .signature_header("x-sig")
            .id_header("x-id")
            .id_optional()
            .build()
            .unwrap();
        let v = Verifier::new(optional.clone(), secret.clone());
        let mut d = Delivery::new(optional, "{}").id("a-1").sign(&secret);
        assert_eq!(v.verify(&d.headers, &d.body).unwrap().id(), Some("a-1"));
        d.headers.remove("x-id");
        assert_eq!(v.verify(&d.headers, &d.body).unwrap().id(), None);
        d.headers
            .insert("x-id", http::HeaderValue::from_static("a 1"));
        let err = v.verify(&d.headers, &d.body).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::IdMalformed);
    }

    #[test]
    fn ids_and_event_types_in_the_json_body_follow_the_header_rule() {
        use crate::testing::Delivery;
        let secret = crate::Secret::new("body-field-secret-0123").unwrap();
        let verify = |scheme: Scheme, body: &str| {
            let d = Delivery::new(scheme.clone(), body.to_owned()).sign(&secret);
            Verifier::new(scheme, secret.clone()).verify(&d.headers, &d.body)
        };
        // An id with a space, written plainly or escaped: `400 id_malformed`.
        for body in [
            r#"{"id":"evt 1","type":"ping"}"#,
            r#"{"id":"evt\u00201","type":"ping"}"#,
        ] {
            let err = verify(Scheme::stripe(), body).unwrap_err();
            assert_eq!(err.kind(), RejectionKind::IdMalformed, "{body}");
        }
        let meta = verify(Scheme::stripe(), r#"{"id":"evt_1","type":"ping"}"#).unwrap();
        assert_eq!(meta.id(), Some("evt_1"));
        // An event type may have spaces inside, as in headers; one with a control character is
        // not reported (nothing is decided on it, so the delivery is not refused for it).
        let meta = verify(Scheme::stripe(), r#"{"id":"evt_2","type":"ping pong"}"#).unwrap();
        assert_eq!(meta.event_type(), Some("ping pong"));
        let meta = verify(Scheme::stripe(), r#"{"id":"evt_3","type":"ping	pong"}"#).unwrap();
        assert_eq!(meta.event_type(), None);
        let meta = verify(Scheme::helicone(), r#"{"request_id":"r 1"}"#);
        assert_eq!(meta.unwrap_err().kind(), RejectionKind::IdMalformed);
    }

    #[test]
    fn ids_and_event_types_come_from_the_first_source_sent() {
        use crate::scheme::{SchemeError, Source};
        use crate::testing::Delivery;
        let secret = crate::Secret::new("first-of-secret-0123456").unwrap();
        let scheme = |optional: bool| {
            let b = Scheme::builder("first-of")
                .signature_header("x-sig")
                .id_first_of([
                    Source::Header("X-Delivery"),
                    Source::JsonField("meta.delivery_id"),
                    Source::JsonField("id"),
                ])
                .event_first_of([Source::Header("X-Event"), Source::JsonField("type")]);
            if optional { b.id_optional() } else { b }.build().unwrap()
        };
        let verify = |scheme: Scheme, header: Option<&str>, body: &str| {
            let d = Delivery::new(scheme.clone(), body.to_owned());
            let d = match header {
                Some(id) => d.id(id).event("header.event"),
                None => d,
            }
            .sign(&secret);
            let mut headers = d.headers.clone();
            if header.is_none() {
                headers.remove("x-delivery");
                headers.remove("x-event");
            }
            Verifier::new(scheme, secret.clone()).verify(&headers, &d.body)
        };
        let body = r#"{"meta":{"delivery_id":"d-meta"},"id":"d-top","type":"body.event"}"#;
        // A header wins over the body; without it, the body's fields in order.
        let meta = verify(scheme(false), Some("d-header"), body).unwrap();
        assert_eq!(
            (meta.id(), meta.event_type()),
            (Some("d-header"), Some("header.event"))
        );
        let meta = verify(scheme(false), None, body).unwrap();
        assert_eq!(
            (meta.id(), meta.event_type()),
            (Some("d-meta"), Some("body.event"))
        );
        let meta = verify(scheme(false), None, r#"{"id":"d-top"}"#).unwrap();
        assert_eq!((meta.id(), meta.event_type()), (Some("d-top"), None));
        // None sent: every source is named; optional ids key on the signature instead.
        let err = verify(scheme(false), None, r#"{"other":1}"#).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::IdMissing);
        assert!(err.detail().unwrap().contains("`meta.delivery_id`, `id`"));
        assert_eq!(verify(scheme(true), None, "{}").unwrap().id(), None);
        // A body field is checked as a header is.
        let err = verify(scheme(false), None, r#"{"id":"d top"}"#).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::IdMalformed);
        // The header is not signed (only the body is), so the id counts as unsigned and
        // deduplication keys on the signature too.
        assert!(!scheme(false).id_is_signed());
        let built = |sources: &[Source<'_>]| {
            Scheme::builder("x")
                .signature_header("x-sig")
                .id_first_of(sources.iter().copied())
                .build()
        };
        assert_eq!(
            built(&[Source::JsonField("id"), Source::Header("x-id")]).unwrap_err(),
            SchemeError::SourcesOutOfOrder
        );
        assert_eq!(built(&[]).unwrap_err(), SchemeError::NoSources);
        assert_eq!(
            Scheme::builder("x")
                .signature_header("x-sig")
                .id_first_of([Source::Header("x-id"), Source::JsonField("id")])
                .signed_parts([SignedPart::Id, SignedPart::Body])
                .build()
                .unwrap_err(),
            SchemeError::IdPartWithoutHeader
        );
    }

    #[test]
    fn the_secret_that_matched_last_is_tried_first() {
        use crate::testing::Delivery;
        let (old, new, wrong) = (
            crate::Secret::new("old-secret-0123456789").unwrap(),
            crate::Secret::new("new-secret-0123456789").unwrap(),
            crate::Secret::new("not-configured-0123456").unwrap(),
        );
        let verifier = Verifier::builder(Scheme::helix())
            .secret(old.clone())
            .secret(new.clone())
            .build()
            .unwrap();
        let preferred = |v: &Verifier| v.inner.preferred.load(Ordering::Relaxed);
        let signed = |secret: &crate::Secret, n: u32| {
            Delivery::new(Scheme::helix(), format!(r#"{{"type":"t","n":{n}}}"#)).sign(secret)
        };
        assert_eq!(verifier.first_key(), 0);

        // The sender moved to the new secret: the first delivery finds it second, the next
        // ones first, through `verify` and through the streaming state alike.
        let d = signed(&new, 1);
        assert_eq!(
            verifier.verify(&d.headers, &d.body).unwrap().secret_index(),
            1
        );
        assert_eq!(preferred(&verifier), 1);
        let d = signed(&new, 2);
        let mut state = verifier.begin(&d.headers).unwrap();
        assert_eq!(
            state.key, 1,
            "the state is keyed with the secret that matched last"
        );
        state.update(&d.body);
        assert_eq!(state.finish(&d.body).unwrap().secret_index(), 1);

        // A clone shares the preference (the layer clones its verifier).
        assert_eq!(verifier.clone().first_key(), 1);

        // A forged delivery changes nothing.
        let d = signed(&wrong, 3);
        assert_eq!(
            verifier.verify(&d.headers, &d.body).unwrap_err().code(),
            "signature_mismatch"
        );
        assert_eq!(preferred(&verifier), 1);

        // A delivery under the old secret still passes, and moves the preference back.
        let d = signed(&old, 4);
        let mut state = verifier.begin(&d.headers).unwrap();
        state.update(&d.body);
        assert_eq!(state.finish(&d.body).unwrap().secret_index(), 0);
        assert_eq!(preferred(&verifier), 0);
        assert_eq!(verifier.first_key(), 0);
    }

    #[test]
    fn tag_eq_is_equality() {
        let a = [0x5Au8; TAG_LEN];
        assert!(bool::from(tag_eq(&a, &a)));
        for byte in 0..TAG_LEN {
            for bit in 0..8 {
                let mut b = a;
                b[byte] ^= 1 << bit;
                assert!(!bool::from(tag_eq(&a, &b)), "flip at {byte}:{bit}");
            }
        }
    }

    /// RFC 4231 test case 2 has a 4-byte key ("Jefe"), which `Secret` refuses (16-byte minimum),
    /// so no `Verifier` can hold it. This checks the crate's own MAC code below that boundary:
    /// the part feeding of `compute_tag` and the constant-time `any_matches`.
    #[test]
    fn rfc4231_case_2_short_key_through_the_mac_feeding() {
        let scheme = Scheme::builder("kat")
            .signature_header("x-kat-signature")
            .build()
            .unwrap();
        let expected: [u8; TAG_LEN] =
            hex::decode("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
                .unwrap()
                .try_into()
                .unwrap();
        let tag = compute_tag(
            &scheme,
            b"Jefe",
            None,
            None,
            b"what do ya want for nothing?",
        );
        let mut sigs = Signatures::default();
        sigs.push_for_tests(expected);
        assert_eq!(any_matches(&tag, &sigs), Some(0));
        let mut other = Signatures::default();
        let mut flipped = expected;
        flipped[31] ^= 1;
        other.push_for_tests(flipped);
        assert_eq!(any_matches(&tag, &other), None);
        // The first matching candidate is reported, wherever it is.
        other.push_for_tests(expected);
        other.push_for_tests(expected);
        assert_eq!(any_matches(&tag, &other), Some(1));
    }
}
