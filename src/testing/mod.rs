//! Signing helpers for tests: build deliveries exactly as a sender would sign them.
//!
//! Our own tests use these, and so can yours: sign a payload for any [`Scheme`] with a
//! [`Secret`], then send it to your receiver.
//!
//! ```
//! use webhook_guard::{Scheme, Secret};
//! use webhook_guard::testing::{Delivery, samples};
//!
//! let secret = Secret::new("whsec_your_stripe_signing_secret")?;
//! let signed = Delivery::new(Scheme::stripe(), samples::STRIPE_CUSTOMER_UPDATED)
//!     .timestamp(1_701_432_000)
//!     .sign(&secret);
//! assert!(signed.header("stripe-signature").unwrap().starts_with("t=1701432000,v1="));
//!
//! let request: http::Request<bytes::Bytes> = signed.into_request("/webhooks/stripe");
//! assert_eq!(request.method(), "POST");
//! # Ok::<(), webhook_guard::SecretError>(())
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::algorithm::Algorithm;
use crate::clock::{Clock, SystemClock};
use crate::message::{Message, RequestValues};
use crate::scheme::{Field, Scheme, TimestampSource, TimestampUnit, json_field};
use crate::secret::Secret;

pub mod keys;
pub mod samples;

/// A delivery to sign: a scheme, a body, and optionally an id, event type and timestamp.
#[derive(Debug, Clone)]
#[must_use]
pub struct Delivery {
    scheme: Scheme,
    body: Bytes,
    id: Option<String>,
    event: Option<String>,
    timestamp: Option<String>,
    method: String,
    path: String,
    headers: Vec<(HeaderName, String)>,
}

/// A signed delivery: the headers a sender would send, and the body.
#[derive(Debug, Clone)]
pub struct SignedDelivery {
    /// Every header the sender sends: signature, timestamp, id and event type where the scheme
    /// has them, and `content-type: application/json`.
    pub headers: HeaderMap,
    /// The body, unchanged.
    pub body: Bytes,
}

impl Delivery {
    /// A delivery of `body` under `scheme`.
    pub fn new(scheme: Scheme, body: impl Into<Bytes>) -> Self {
        Delivery {
            scheme,
            body: body.into(),
            id: None,
            event: None,
            timestamp: None,
            method: "POST".to_owned(),
            path: "/".to_owned(),
            headers: Vec::new(),
        }
    }

    /// The request target's path and query the delivery is sent to (default `/`): signed
    /// after the scheme's public base URL by schemes that sign the URL
    /// ([`SignedPart::Url`](crate::scheme::SignedPart::Url)). Send the request to the same
    /// path.
    pub fn path(mut self, path_and_query: impl Into<String>) -> Self {
        self.path = path_and_query.into();
        self
    }

    /// The request method (default `POST`), signed by schemes that sign it
    /// ([`SignedPart::Method`](crate::scheme::SignedPart::Method)).
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = method.into();
        self
    }

    /// A further header sent with the delivery, and signed where the scheme signs its value
    /// ([`SignedPart::Header`](crate::scheme::SignedPart::Header)).
    ///
    /// # Panics
    /// If `name` is not a valid header name.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("a valid header name");
        self.headers.push((name, value.into()));
        self
    }

    /// The delivery id header (when the scheme reads its id from a header). Without it a
    /// unique id is generated. Where the scheme reads its id from the first of several headers
    /// ([`Field::HeadersInOrder`], Shopify's `X-Shopify-Event-Id` then
    /// `X-Shopify-Webhook-Id`), the id goes in the first and each later one gets a fresh unique
    /// value of its own, as the sender sends.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The event type header (when the scheme has one). Without it the body's top-level
    /// `event` or `type` string is used, if any.
    pub fn event(mut self, event: impl Into<String>) -> Self {
        self.event = Some(event.into());
        self
    }

    /// The timestamp, in the scheme's own unit (seconds or milliseconds; milliseconds for an
    /// RFC 3339 timestamp, written as a UTC date-time). Without it: now (in whole seconds for
    /// an RFC 3339 timestamp, as PayPal writes it).
    pub fn timestamp(mut self, value: u64) -> Self {
        let unit = self
            .scheme
            .timestamp()
            .map_or(crate::scheme::TimestampUnit::Seconds, |(_, unit)| unit);
        self.timestamp = Some(unit.text(value));
        self
    }

    /// The timestamp as milliseconds since the epoch, converted to the scheme's unit.
    pub fn timestamp_millis(self, millis: u64) -> Self {
        match self.scheme.timestamp() {
            Some((_, unit)) => {
                let v = unit.from_millis(millis);
                self.timestamp(v)
            }
            None => self,
        }
    }

    /// The timestamp header's exact text, signed as is (for testing malformed values).
    pub fn timestamp_raw(mut self, text: impl Into<String>) -> Self {
        self.timestamp = Some(text.into());
        self
    }

    /// Sign with `secret` and produce the headers.
    ///
    /// # Panics
    /// If an id, event or timestamp given to this builder is not a valid header value.
    pub fn sign(&self, secret: &Secret) -> SignedDelivery {
        self.sign_with_each(&[secret])
    }

    /// Sign with every secret, as a sender does while it rotates its secret: schemes whose
    /// signature header is a list (Standard Webhooks, Stripe) carry one signature per secret, in
    /// order; schemes whose headers each carry a signature (Box's primary and secondary) get
    /// the first secret's in the first header, the second's in the second, and so on;
    /// single-value schemes carry the first secret's signature only.
    ///
    /// ```
    /// use webhook_guard::testing::Delivery;
    /// use webhook_guard::{Scheme, Secret};
    ///
    /// let old = Secret::new("whsec_old_stripe_endpoint_secret")?;
    /// let new = Secret::new("whsec_new_stripe_endpoint_secret")?;
    /// let d = Delivery::new(Scheme::stripe(), &br#"{"id":"evt_1","type":"ping"}"#[..])
    ///     .timestamp(1_700_000_000)
    ///     .sign_with_each(&[&new, &old]);
    /// let header = d.header("stripe-signature").unwrap();
    /// assert!(header.starts_with("t=1700000000,v1="));
    /// assert_eq!(header.matches("v1=").count(), 2);
    /// # Ok::<(), webhook_guard::SecretError>(())
    /// ```
    ///
    /// # Panics
    /// If `secrets` is empty, or an id, event or timestamp given to this builder is not a valid
    /// header value.
    pub fn sign_with_each(&self, secrets: &[&Secret]) -> SignedDelivery {
        assert!(!secrets.is_empty(), "sign_with_each needs a secret");
        let algorithm = self.scheme.algorithm();
        assert!(
            !algorithm.uses_public_key(),
            "`{}` signs with {}: sign with its private key (sign_ed25519, sign_p256, sign_rsa)",
            self.scheme.name(),
            algorithm.name()
        );
        self.sign_by(|message| {
            secrets
                .iter()
                .map(|secret| {
                    (
                        algorithm,
                        message.sign_with_secret(algorithm, secret.expose()),
                    )
                })
                .collect()
        })
    }

    /// Sign with an Ed25519 private key (its 32-byte seed), as Discord and Standard Webhooks
    /// `v1a` senders do: the scheme's own signatures if they are Ed25519, else its entries of
    /// that algorithm (`v1a,` for Standard Webhooks). Check it with the matching public key;
    /// [`keys::ED25519_SEED_TEST_ONLY`] and [`keys::ED25519_PUBLIC_HEX`] are a pair.
    ///
    /// ```
    /// use webhook_guard::keys::PublicKey;
    /// use webhook_guard::testing::{Delivery, keys};
    /// use webhook_guard::{Scheme, Verifier};
    ///
    /// let d = Delivery::new(Scheme::discord(), &br#"{"type":1}"#[..])
    ///     .sign_ed25519(&keys::ED25519_SEED_TEST_ONLY);
    /// let key = PublicKey::ed25519_hex(keys::ED25519_PUBLIC_HEX)?;
    /// let meta = Verifier::with_public_key(Scheme::discord(), key).verify(&d.headers, &d.body)?;
    /// assert_eq!(meta.scheme(), "discord");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Panics
    /// If the scheme has no Ed25519 signatures.
    #[cfg(feature = "ed25519")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ed25519")))]
    pub fn sign_ed25519(&self, seed: &[u8; 32]) -> SignedDelivery {
        use ed25519_dalek::Signer as _;
        assert!(
            self.scheme.algorithms().any(|a| a == Algorithm::Ed25519),
            "`{}` has no Ed25519 signatures",
            self.scheme.name()
        );
        let key = ed25519_dalek::SigningKey::from_bytes(seed);
        self.sign_by(|message| {
            let signature = key.sign(&message.joined());
            vec![(Algorithm::Ed25519, signature.to_bytes().to_vec())]
        })
    }

    /// Sign with a P-256 private key in PEM (SEC1 `EC PRIVATE KEY` or PKCS#8 `PRIVATE KEY`),
    /// as SendGrid does: ECDSA with SHA-256 of the signed message, DER-encoded (deterministic,
    /// RFC 6979). [`keys::P256_PRIVATE_PEM_TEST_ONLY`] and [`keys::P256_PUBLIC_PEM`] are a pair.
    ///
    /// ```
    /// use webhook_guard::keys::PublicKey;
    /// use webhook_guard::testing::{Delivery, keys};
    /// use webhook_guard::{Scheme, Verifier};
    ///
    /// let d = Delivery::new(Scheme::sendgrid(), &br#"[{"event":"delivered"}]"#[..])
    ///     .sign_p256(keys::P256_PRIVATE_PEM_TEST_ONLY);
    /// let key = PublicKey::p256_pem(keys::P256_PUBLIC_PEM)?;
    /// let meta = Verifier::with_public_key(Scheme::sendgrid(), key).verify(&d.headers, &d.body)?;
    /// assert_eq!(meta.scheme(), "sendgrid");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Panics
    /// If the scheme has no ECDSA P-256 signatures, or `private_key_pem` is not a P-256
    /// private key in PEM.
    #[cfg(feature = "p256")]
    #[cfg_attr(docsrs, doc(cfg(feature = "p256")))]
    pub fn sign_p256(&self, private_key_pem: &str) -> SignedDelivery {
        use p256::ecdsa::signature::Signer as _;
        use p256::pkcs8::DecodePrivateKey as _;
        assert!(
            self.scheme
                .algorithms()
                .any(|a| a == Algorithm::EcdsaP256Sha256),
            "`{}` has no ECDSA P-256 signatures",
            self.scheme.name()
        );
        let key = p256::ecdsa::SigningKey::from_pkcs8_pem(private_key_pem)
            .or_else(|_| {
                p256::SecretKey::from_sec1_pem(private_key_pem).map(p256::ecdsa::SigningKey::from)
            })
            .expect("a P-256 private key in PEM (SEC1 or PKCS#8)");
        self.sign_by(|message| {
            let signature: p256::ecdsa::Signature = key.sign(&message.joined());
            vec![(
                Algorithm::EcdsaP256Sha256,
                signature.to_der().as_bytes().to_vec(),
            )]
        })
    }

    /// Sign with an RSA private key in PEM (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`),
    /// as PayPal does: RSASSA-PKCS1-v1_5 with SHA-256 of the signed message.
    /// [`keys::RSA_PRIVATE_PEM_TEST_ONLY`] signs for [`keys::RSA_CERTIFICATE_PEM`]. The id
    /// ([`Delivery::id`]) goes in the id header the message signs (PayPal's
    /// `PAYPAL-TRANSMISSION-ID`).
    ///
    /// ```
    /// use webhook_guard::keys::PublicKey;
    /// use webhook_guard::testing::{Delivery, keys};
    /// use webhook_guard::{Scheme, Verifier};
    ///
    /// let paypal = Scheme::paypal("8PT597110X687430LKGECATA")?;
    /// let body = r#"{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED"}"#;
    /// let d = Delivery::new(paypal.clone(), body)
    ///     .id("b2384410-f8d2-11ec-b22c-9fb3e4ce5e8b")
    ///     .sign_rsa(keys::RSA_PRIVATE_PEM_TEST_ONLY);
    /// let cert = PublicKey::from_certificate_pem(keys::RSA_CERTIFICATE_PEM)?;
    /// let meta = Verifier::with_public_key(paypal, cert).verify(&d.headers, &d.body)?;
    /// assert_eq!(meta.id(), Some("WH-1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Panics
    /// If the scheme has no RSA signatures, or `private_key_pem` is not an RSA private key in
    /// PEM.
    #[cfg(feature = "rsa")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rsa")))]
    pub fn sign_rsa(&self, private_key_pem: &str) -> SignedDelivery {
        use rsa::pkcs1::DecodeRsaPrivateKey as _;
        use rsa::pkcs8::DecodePrivateKey as _;
        use sha2::Digest as _;
        assert!(
            self.scheme
                .algorithms()
                .any(|a| a == Algorithm::RsaPkcs1Sha256),
            "`{}` has no RSA signatures",
            self.scheme.name()
        );
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(private_key_pem)
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(private_key_pem))
            .expect("an RSA private key in PEM (PKCS#8 or PKCS#1)");
        self.sign_by(|message| {
            let digest = sha2::Sha256::digest(message.joined());
            let signature = key
                .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest)
                .expect("an RSA key of at least 2048 bits signs a SHA-256 digest");
            vec![(Algorithm::RsaPkcs1Sha256, signature)]
        })
    }

    /// The headers of this delivery, with the signatures `sign` makes of its signed message.
    fn sign_by(
        &self,
        sign: impl FnOnce(&Message<'_>) -> Vec<(Algorithm, Vec<u8>)>,
    ) -> SignedDelivery {
        let scheme = &self.scheme;
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let ts = scheme.timestamp().map(|(source, unit)| {
            let text = self.timestamp.clone().unwrap_or_else(|| {
                let now = SystemClock.now_millis();
                match unit {
                    TimestampUnit::Rfc3339 => unit.text(now / 1000 * 1000),
                    _ => unit.text(unit.from_millis(now)),
                }
            });
            if let TimestampSource::Headers(names) = source {
                insert(&mut headers, &names[0], &text);
            }
            text
        });
        let id = match scheme.id_field() {
            Some(Field::Headers(names)) => {
                let id = self.id.clone().unwrap_or_else(unique_id);
                insert(&mut headers, &names[0], &id);
                Some(id)
            }
            Some(Field::HeadersInOrder(names) | Field::FirstOf { headers: names, .. })
                if !names.is_empty() =>
            {
                let id = self.id.clone().unwrap_or_else(unique_id);
                insert(&mut headers, &names[0], &id);
                // The fallbacks carry values of their own, as Shopify's webhook id differs from
                // its event id.
                for name in &names[1..] {
                    insert(&mut headers, name, &unique_id());
                }
                Some(id)
            }
            _ => None,
        };
        if let Some(
            Field::Headers(names)
            | Field::HeadersInOrder(names)
            | Field::FirstOf { headers: names, .. },
        ) = scheme.event_field()
            && !names.is_empty()
        {
            let name = &names[0];
            let from_body = || {
                ["event", "type"].iter().find_map(|k| {
                    json_field(&self.body, &[std::borrow::Cow::Borrowed(*k)])
                        .ok()
                        .flatten()
                })
            };
            if let Some(event) = self.event.clone().or_else(from_body) {
                insert(&mut headers, name, &event);
            }
        }
        for (name, value) in &self.headers {
            insert(&mut headers, name, value);
        }
        let request = RequestValues {
            method: self.method.as_bytes().into(),
            path: scheme.signed_target(self.path.as_bytes()).into(),
            headers: scheme
                .signed_headers()
                .iter()
                .map(|name| {
                    self.headers
                        .iter()
                        .find(|(n, _)| n == name)
                        .map_or_else(Default::default, |(_, v)| v.as_bytes().into())
                })
                .collect(),
        };
        // Schemes that keep their timestamp (and signature) in the JSON body get them
        // written there.
        let mut body = self.body.clone();
        if let (Some((TimestampSource::JsonBody(path), _)), Some(ts)) = (scheme.timestamp(), &ts) {
            body = set_json_field(&body, path, ts);
        }
        let hashed = scheme
            .body_sha256_query()
            .is_some_and(|param| request.query_param(param).is_some());
        let message = Message::resolve(
            scheme.signed_parts(),
            ts.as_deref().map(str::as_bytes),
            id.as_deref().map(str::as_bytes),
            &body,
            Some(&request),
            scheme.public_url().unwrap_or_default(),
            hashed,
        )
        .unwrap_or_else(|missing| panic!("the body has no `{}` field to sign", missing.0));
        let signatures = sign(&message);
        let value = scheme.signature_header_value(&signatures, ts.as_deref());
        match scheme.signature_path() {
            Some(path) => body = set_json_field(&body, path, &value),
            // Each header its own signature (Box): the first secret's in the first header, the
            // second's in the second, …
            None if scheme.signature_per_header() => {
                for (name, signature) in scheme.signature_headers().iter().zip(&signatures) {
                    let value = scheme
                        .signature_header_value(std::slice::from_ref(signature), ts.as_deref());
                    insert(&mut headers, name, &value);
                }
            }
            None => insert(&mut headers, &scheme.signature_headers()[0], &value),
        }
        SignedDelivery { headers, body }
    }
}

/// `body` (a JSON object) with the field at `path` set to `value`, objects made on the way
/// where missing. The value is written as a JSON string, or as an integer where the body already
/// has an integer there (Linear's `webhookTimestamp` is a number, and Linear's SDK refuses a
/// string; Mailgun's `signature.timestamp` is a string).
///
/// # Panics
/// If the body is not a JSON object.
fn set_json_field(body: &[u8], path: &[std::borrow::Cow<'static, str>], value: &str) -> Bytes {
    let mut doc: serde_json::Value =
        serde_json::from_slice(body).expect("a body that carries signed fields is a JSON object");
    let mut at = &mut doc;
    for segment in path {
        let object = at
            .as_object_mut()
            .expect("the fields on a signed field's path are objects");
        at = object
            .entry(segment.as_ref())
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
    }
    *at = match value.parse::<u64>() {
        Ok(n) if at.is_u64() => serde_json::Value::Number(n.into()),
        _ => serde_json::Value::String(value.to_owned()),
    };
    Bytes::from(serde_json::to_vec(&doc).expect("a JSON value serializes"))
}

fn insert(headers: &mut HeaderMap, name: &HeaderName, value: &str) {
    headers.insert(
        name.clone(),
        HeaderValue::from_str(value).expect("test delivery header values are valid"),
    );
}

fn unique_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        "dlv_{}_{}",
        SystemClock.now_millis(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl SignedDelivery {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A `POST` request to `uri` carrying this delivery, with any body type built from `Bytes`
    /// (`Bytes`, `axum::body::Body`, `http_body_util::Full<Bytes>`, …).
    ///
    /// # Panics
    /// If `uri` is not a valid URI.
    pub fn into_request<B: From<Bytes>>(self, uri: &str) -> http::Request<B> {
        let mut req = http::Request::new(B::from(self.body));
        *req.method_mut() = http::Method::POST;
        *req.uri_mut() = uri.parse().expect("valid URI");
        *req.headers_mut() = self.headers;
        req
    }
}
