//! What the example receivers verify with, read from the environment; the routes of the
//! built-in senders with their verifiers; and the one answer of a route whose key is not
//! configured. Shared by the `receiver` (axum) and `actix_receiver` examples, the `demo` and the
//! tests, so that both receivers serve the same routes with the same keys and refuse the same
//! way.
//!
//! The environment:
//! - `BIND`: the address to listen on (default `127.0.0.1:3000`);
//! - `WEBHOOK_SECRET`: the shared secret. Every HMAC sender uses it as given (Heppu, Helix,
//!   Helicone, GitHub, Stripe, Slack, Shopify, Twilio, Square, HubSpot, Twitch, Dropbox, Mailgun, Zoom), GitLab as the token of
//!   `X-Gitlab-Token`. Standard Webhooks decodes a `whsec_<base64>` secret as its specification
//!   says, the key being the decoded bytes ([`Secret::from_whsec`]); a secret without `whsec_`
//!   is its key as given.
//!   Unset: [`DEMO_SECRET`], and the receiver says so;
//! - `WEBHOOK_ED25519_PUBLIC_KEY`: an Ed25519 public key, 64 hex digits (the raw 32 bytes; a
//!   Standard Webhooks `whpk_…` value is read too): Discord's application public key, and the key
//!   of Standard Webhooks `v1a,` signatures;
//! - `WEBHOOK_P256_PUBLIC_KEY`: SendGrid's verification key, the base64 of the DER
//!   SubjectPublicKeyInfo, as the Event Webhook settings show it;
//! - `WEBHOOK_PAYPAL_WEBHOOK_ID` and `WEBHOOK_PAYPAL_CERT`: the id PayPal gave the webhook, and
//!   the path of the PEM X.509 certificate its `PAYPAL-CERT-URL` names, downloaded and checked
//!   beforehand (nothing is fetched); both or neither;
//! - `WEBHOOK_PUBLIC_URL`: the base URL senders address (default `http://<BIND>`), which
//!   URL-signed schemes sign (`/webhooks/twilio`, `/webhooks/square`, `/webhooks/hubspot`); see [`ReceiverConfig::url_signed_routes`].
//!
//! - `DATABASE_URL` (feature `postgres`): deduplicate on PostgreSQL (`PostgresStore`, its table
//!   created at start) instead of in memory, so that several receiver processes on one database
//!   run each delivery once; a build without the feature refuses to start with it set;
//! - `ASYNC_STORE`: `memory` (default) or `postgres` (needs `DATABASE_URL`): where the
//!   async-ack route's queue keeps its jobs (the durable inbox table, shared by every process).
//!
//! An unset (or empty) key variable leaves the routes that need it answering
//! `503 {"error": "key_not_configured", "message": "… set <VAR> …"}` ([`KeyNotConfigured`]),
//! and the receiver starts anyway. A variable set to something that cannot be used (not hex, not
//! a P-256 key, an unreadable certificate, a webhook id PayPal would not issue) stops the
//! receiver at start, naming the variable: a typo should not pass for a sender's bad signature.
//! The exception is a `WEBHOOK_SECRET` that starts with `whsec_` without base64 after it: it is
//! a valid key for every other sender, so only `/webhooks/standard` answers `key_not_configured`,
//! saying why.

use std::fmt;

/// The Prometheus exposition of this process's `metrics` (feature `metrics`; names in
/// `webhook_guard::telemetry`), served by both receivers at `GET /metrics`. The recorder is
/// installed the first time this is called, which each receiver does while it is built, before
/// its first request; a process that already has another recorder gets an empty exposition.
#[cfg(feature = "metrics")]
#[allow(dead_code)]
pub fn prometheus() -> &'static metrics_exporter_prometheus::PrometheusHandle {
    use metrics_exporter_prometheus::PrometheusBuilder;
    static HANDLE: std::sync::OnceLock<metrics_exporter_prometheus::PrometheusHandle> =
        std::sync::OnceLock::new();
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .install_recorder()
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder().handle())
    })
}

/// The content type of the Prometheus text exposition format.
#[allow(dead_code)]
pub const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4";

use serde_json::{Value, json};
use webhook_guard::ack::{AckQueue, AckQueueBuilder, Job};
use webhook_guard::dedup::DedupStore;
use webhook_guard::events::heppu;
use webhook_guard::guard::Guard;
#[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
use webhook_guard::keys::PublicKey;
use webhook_guard::stats::Stats;
use webhook_guard::{Scheme, Secret, Verifier, WebhookMeta, handshake};

/// A build without any key feature has no public keys: a type without values stands in.
#[cfg(not(any(feature = "ed25519", feature = "p256", feature = "rsa")))]
#[derive(Debug, Clone)]
enum PublicKey {}

/// The secret used when `WEBHOOK_SECRET` is unset: `whsec_` and the base64 of
/// `demo-secret-do-not-use-in-production`, so that it is a valid Standard Webhooks secret too.
pub const DEMO_SECRET: &str = "whsec_ZGVtby1zZWNyZXQtZG8tbm90LXVzZS1pbi1wcm9kdWN0aW9u";

/// The address listened on when `BIND` is unset.
pub const DEFAULT_BIND: &str = "127.0.0.1:3000";

/// The shared secret (HMAC senders, GitLab's token, Standard Webhooks `v1,`).
pub const SECRET_VAR: &str = "WEBHOOK_SECRET";
/// Discord's key, and the key of Standard Webhooks `v1a,` signatures.
pub const ED25519_VAR: &str = "WEBHOOK_ED25519_PUBLIC_KEY";
/// SendGrid's verification key.
pub const P256_VAR: &str = "WEBHOOK_P256_PUBLIC_KEY";
/// PayPal's webhook id.
pub const PAYPAL_ID_VAR: &str = "WEBHOOK_PAYPAL_WEBHOOK_ID";
/// The path of PayPal's certificate.
pub const PAYPAL_CERT_VAR: &str = "WEBHOOK_PAYPAL_CERT";
/// The base URL senders address.
pub const PUBLIC_URL_VAR: &str = "WEBHOOK_PUBLIC_URL";
/// The PostgreSQL database to deduplicate on (feature `postgres`).
pub const DATABASE_URL_VAR: &str = "DATABASE_URL";
/// Where the async-ack queue keeps its jobs: `memory` or `postgres`.
pub const ASYNC_STORE_VAR: &str = "ASYNC_STORE";

/// `DATABASE_URL`, which may carry a password: never shown.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(pub String);

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseUrl(..)")
    }
}

/// The routes that are always live, verified with `WEBHOOK_SECRET` as given and served by
/// handlers of their own (typed payloads, the async-ack queue).
pub const SEED_ROUTES: [&str; 4] = [
    "/webhooks/heppu",
    "/webhooks/heppu/async",
    "/webhooks/helix",
    "/webhooks/helicone",
];

/// A variable set to a value the receiver cannot use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable's name.
    pub var: &'static str,
    /// Why (never the value itself).
    pub reason: String,
}

impl ConfigError {
    fn new(var: &'static str, reason: impl fmt::Display) -> Self {
        ConfigError {
            var,
            reason: reason.to_string(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.var, self.reason)
    }
}

impl std::error::Error for ConfigError {}

/// What a route whose key is not configured answers, instead of verifying: `503` (the sender
/// retries, and the delivery goes through once the key is set and the receiver restarted) with
/// the crate's rejection body, `{"error": "key_not_configured", "message": …}`, the message
/// naming the variable to set. Both receivers answer it through [`KeyNotConfigured::answer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyNotConfigured {
    /// The route.
    pub path: &'static str,
    /// What is missing and which variable to set.
    pub message: String,
}

impl KeyNotConfigured {
    /// The status answered.
    pub const STATUS: http::StatusCode = http::StatusCode::SERVICE_UNAVAILABLE;
    /// The machine-readable code, in the body's `error`.
    pub const CODE: &'static str = "key_not_configured";

    /// The response body, in the format of the crate's rejections.
    pub fn body(&self) -> Value {
        json!({ "error": Self::CODE, "message": self.message })
    }

    /// Log the refusal (the operator has a delivery to configure for) and give the status and
    /// the body to answer.
    pub fn answer(&self) -> (u16, Value) {
        tracing::warn!(
            route = self.path,
            code = Self::CODE,
            "delivery refused: {}",
            self.message
        );
        (Self::STATUS.as_u16(), self.body())
    }
}

/// One sender's route: its path and what verifies its deliveries, or why nothing can.
#[derive(Debug, Clone)]
pub struct SenderRoute {
    /// `/webhooks/<name>`.
    pub path: &'static str,
    /// The verifier, or the answer of a route whose key is missing.
    pub verifier: Result<Verifier, KeyNotConfigured>,
    /// A remark for the startup report (a kind of signature this route cannot check).
    pub note: Option<String>,
}

impl SenderRoute {
    fn live(path: &'static str, verifier: Verifier) -> Self {
        SenderRoute {
            path,
            verifier: Ok(verifier),
            note: None,
        }
    }

    fn missing(path: &'static str, message: String) -> Self {
        SenderRoute {
            path,
            verifier: Err(KeyNotConfigured { path, message }),
            note: None,
        }
    }
}

/// The receivers' configuration: the address, the base URL senders address, and every key.
#[derive(Debug, Clone)]
pub struct ReceiverConfig {
    /// Where to listen (`BIND`).
    pub bind: String,
    /// The base URL senders address, without a trailing `/` (`WEBHOOK_PUBLIC_URL`, default
    /// `http://<BIND>`): what URL-signed schemes sign, before the route's path.
    pub public_url: String,
    /// Whether `WEBHOOK_SECRET` was unset and [`DEMO_SECRET`] is in use.
    pub demo_secret: bool,
    secret: Secret,
    /// Standard Webhooks' `v1,` key, or why `WEBHOOK_SECRET` gives none.
    standard_secret: Result<Secret, String>,
    ed25519: Option<PublicKey>,
    p256: Option<PublicKey>,
    paypal: Option<Verifier>,
    /// `DATABASE_URL`: deduplicate on this PostgreSQL database instead of in memory.
    pub database: Option<DatabaseUrl>,
    /// `ASYNC_STORE=postgres`: the async-ack queue on the database's inbox table.
    pub async_on_postgres: bool,
}

impl ReceiverConfig {
    /// From the process's environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        ReceiverConfig::from_lookup(|name| std::env::var(name).ok())
    }

    /// Only `WEBHOOK_SECRET` set, to `secret`; every other variable unset (the demo, the tests).
    #[allow(dead_code)]
    pub fn with_secret(secret: &str) -> Result<Self, ConfigError> {
        ReceiverConfig::from_lookup(|name| (name == SECRET_VAR).then(|| secret.to_owned()))
    }

    /// From the variables `get` answers (`None`: unset).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        // An empty key variable (`WEBHOOK_P256_PUBLIC_KEY=` in an env file) is an unset one.
        let optional = |var: &str| get(var).filter(|v| !v.trim().is_empty());
        let bind = get("BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let (text, demo_secret) = match get(SECRET_VAR) {
            Some(text) => (text, false),
            None => (DEMO_SECRET.to_owned(), true),
        };
        let secret = Secret::new(&text).map_err(|e| ConfigError::new(SECRET_VAR, e))?;
        let standard_secret = standard_secret(&text);
        let ed25519 = optional(ED25519_VAR)
            .map(|v| ed25519_key(&v))
            .transpose()
            .map_err(|e| ConfigError::new(ED25519_VAR, e))?;
        let p256 = optional(P256_VAR)
            .map(|v| p256_key(&v))
            .transpose()
            .map_err(|e| ConfigError::new(P256_VAR, e))?;
        let paypal = match (optional(PAYPAL_ID_VAR), optional(PAYPAL_CERT_VAR)) {
            (None, None) => None,
            (Some(id), Some(path)) => Some(paypal_verifier(&id, &path)?),
            (Some(_), None) => {
                return Err(ConfigError::new(
                    PAYPAL_CERT_VAR,
                    format!("is not set, but {PAYPAL_ID_VAR} is: PayPal needs both"),
                ));
            }
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    PAYPAL_ID_VAR,
                    format!("is not set, but {PAYPAL_CERT_VAR} is: PayPal needs both"),
                ));
            }
        };
        let public_url = match optional(PUBLIC_URL_VAR) {
            Some(url) => public_url(&url).map_err(|e| ConfigError::new(PUBLIC_URL_VAR, e))?,
            None => format!("http://{bind}"),
        };
        let database = optional(DATABASE_URL_VAR).map(DatabaseUrl);
        if database.is_some() && !cfg!(feature = "postgres") {
            return Err(ConfigError::new(
                DATABASE_URL_VAR,
                "is set, but this receiver was built without the `postgres` feature; run it with \
                 `--features postgres,ed25519,p256,rsa`, or unset DATABASE_URL to deduplicate in memory",
            ));
        }
        let async_on_postgres = match optional(ASYNC_STORE_VAR).as_deref().map(str::trim) {
            None | Some("memory") => false,
            Some("postgres") if database.is_some() => true,
            Some("postgres") => {
                return Err(ConfigError::new(
                    ASYNC_STORE_VAR,
                    format!("is postgres, but {DATABASE_URL_VAR} is not set"),
                ));
            }
            Some(other) => {
                return Err(ConfigError::new(
                    ASYNC_STORE_VAR,
                    format!("is {other:?}; expected memory or postgres"),
                ));
            }
        };
        Ok(ReceiverConfig {
            bind,
            public_url,
            demo_secret,
            secret,
            standard_secret,
            ed25519,
            p256,
            paypal,
            database,
            async_on_postgres,
        })
    }

    /// `WEBHOOK_SECRET` as given: the key of the seed senders' routes.
    pub fn secret(&self) -> Secret {
        self.secret.clone()
    }

    /// The routes of the built-in senders other than the seed three, each with its verifier
    /// or the answer of a missing key, then the [URL-signed ones](Self::url_signed_routes).
    /// Every one is served by the same handler, which records the delivery and answers
    /// [`answer`].
    pub fn sender_routes(&self) -> Vec<SenderRoute> {
        let shared = |path, scheme| SenderRoute::live(path, Verifier::new(scheme, self.secret()));
        let mut routes = vec![
            self.standard_route(),
            shared("/webhooks/github", Scheme::github()),
            shared("/webhooks/stripe", Scheme::stripe()),
            // A second Stripe endpoint (a platform with Connect): same secret, own namespace.
            shared("/webhooks/stripe-connect", Scheme::stripe()),
            shared("/webhooks/slack", Scheme::slack()),
            shared("/webhooks/shopify", Scheme::shopify()),
            shared("/webhooks/gitlab", Scheme::gitlab()),
            self.public_key_route(
                "/webhooks/discord",
                Scheme::discord(),
                self.ed25519.as_ref(),
                format!(
                    "no Ed25519 public key is configured for Discord: set {ED25519_VAR} to the \
                     application's public key (64 hex digits){}",
                    lacking_feature(cfg!(feature = "ed25519"), "ed25519")
                ),
            ),
            self.public_key_route(
                "/webhooks/sendgrid",
                Scheme::sendgrid(),
                self.p256.as_ref(),
                format!(
                    "no P-256 public key is configured for SendGrid: set {P256_VAR} to the \
                     verification key of the Event Webhook settings (base64){}",
                    lacking_feature(cfg!(feature = "p256"), "p256")
                ),
            ),
            match &self.paypal {
                Some(verifier) => SenderRoute::live("/webhooks/paypal", verifier.clone()),
                None => SenderRoute::missing(
                    "/webhooks/paypal",
                    format!(
                        "no certificate is configured for PayPal: set {PAYPAL_ID_VAR} to the \
                         webhook's id and {PAYPAL_CERT_VAR} to the path of the PEM certificate \
                         PAYPAL-CERT-URL names{}",
                        lacking_feature(cfg!(feature = "rsa"), "rsa")
                    ),
                ),
            },
            shared("/webhooks/linear", Scheme::linear()),
            shared("/webhooks/lemon-squeezy", Scheme::lemon_squeezy()),
            shared("/webhooks/sentry", Scheme::sentry()),
            shared("/webhooks/coinbase-commerce", Scheme::coinbase_commerce()),
            shared("/webhooks/woocommerce", Scheme::woocommerce()),
            shared("/webhooks/bitbucket", Scheme::bitbucket()),
            shared("/webhooks/intercom", Scheme::intercom()),
            shared("/webhooks/vercel", Scheme::vercel()),
            shared("/webhooks/paddle", Scheme::paddle()),
            shared("/webhooks/mux", Scheme::mux()),
            shared("/webhooks/calendly", Scheme::calendly()),
            shared("/webhooks/typeform", Scheme::typeform()),
            shared("/webhooks/pagerduty", Scheme::pagerduty()),
            shared("/webhooks/zendesk", Scheme::zendesk()),
            shared("/webhooks/box", Scheme::box_com()),
            shared("/webhooks/twitch", Scheme::twitch()),
            shared("/webhooks/dropbox", Scheme::dropbox()),
            shared("/webhooks/mailgun", Scheme::mailgun()),
            shared("/webhooks/zoom", Scheme::zoom()),
        ];
        routes.extend(self.url_signed_routes());
        routes
    }

    /// The routes of URL-signed schemes: Twilio, Square and HubSpot sign the URL they address,
    /// which is [`public_url`](Self::public_url) followed by the route's path and query, with
    /// `WEBHOOK_SECRET` as the key (Twilio's Auth Token, Square's signature key, HubSpot's
    /// client secret).
    pub fn url_signed_routes(&self) -> Vec<SenderRoute> {
        let base = self.public_url.as_str();
        let schemes: Vec<(&'static str, Result<Scheme, _>)> = vec![
            ("/webhooks/twilio", Scheme::twilio(base)),
            ("/webhooks/square", Scheme::square(base)),
            ("/webhooks/hubspot", Scheme::hubspot(base)),
        ];
        schemes
            .into_iter()
            .map(|(path, scheme)| match scheme {
                Ok(scheme) => SenderRoute::live(path, Verifier::new(scheme, self.secret())),
                // `from_lookup` checked the URL; a base the scheme still refuses is reported.
                Err(e) => SenderRoute::missing(
                    path,
                    format!("{PUBLIC_URL_VAR} cannot be signed over: {e}"),
                ),
            })
            .collect()
    }

    /// Standard Webhooks: `v1,` entries with the decoded `whsec_` secret, `v1a,` entries with
    /// the Ed25519 key when there is one.
    fn standard_route(&self) -> SenderRoute {
        const PATH: &str = "/webhooks/standard";
        let builder = Verifier::builder(Scheme::standard_webhooks());
        let builder = match &self.standard_secret {
            Ok(secret) => builder.secret(secret.clone()),
            Err(_) => builder,
        };
        let builder = with_public_key(builder, self.ed25519.as_ref());
        match (builder.build(), &self.standard_secret) {
            (Ok(verifier), Ok(_)) => SenderRoute::live(PATH, verifier),
            (Ok(verifier), Err(why)) => SenderRoute {
                note: Some(format!("v1a signatures only: {why}")),
                ..SenderRoute::live(PATH, verifier)
            },
            (Err(_), Err(why)) => SenderRoute::missing(
                PATH,
                format!("{why}; or set {ED25519_VAR} for v1a signatures"),
            ),
            (Err(e), Ok(_)) => unreachable!("a secret fits Standard Webhooks: {e}"),
        }
    }

    fn public_key_route(
        &self,
        path: &'static str,
        scheme: Scheme,
        key: Option<&PublicKey>,
        missing: String,
    ) -> SenderRoute {
        match key {
            Some(_) => {
                let verifier = with_public_key(Verifier::builder(scheme), key)
                    .build()
                    .expect("the key was parsed for this scheme's algorithm");
                SenderRoute::live(path, verifier)
            }
            None => SenderRoute::missing(path, missing),
        }
    }

    /// What to print once listening: the live routes, those without a key and what to set for
    /// each, and the public URL.
    pub fn startup_report(&self) -> Vec<String> {
        let routes = self.sender_routes();
        let mut live: Vec<&str> = SEED_ROUTES.to_vec();
        live.extend(routes.iter().filter(|r| r.verifier.is_ok()).map(|r| r.path));
        let mut lines = vec![format!("  POST {}", live.join(" | "))];
        for route in &routes {
            if let Some(note) = &route.note {
                lines.push(format!("    {}: {note}", route.path));
            }
        }
        let missing: Vec<&KeyNotConfigured> = routes
            .iter()
            .filter_map(|r| r.verifier.as_ref().err())
            .collect();
        if !missing.is_empty() {
            lines.push(format!(
                "  without a key (answering {} {}):",
                KeyNotConfigured::STATUS.as_u16(),
                KeyNotConfigured::CODE
            ));
            for m in missing {
                lines.push(format!("    POST {}: {}", m.path, m.message));
            }
        }
        lines.push("  GET /events | /metrics/webhooks".to_owned());
        lines.push(match (&self.database, self.async_on_postgres) {
            (None, _) => "  deduplication and async-ack queue: in memory (set DATABASE_URL for PostgreSQL)".to_owned(),
            (Some(_), false) => "  deduplication: PostgreSQL (DATABASE_URL); async-ack queue: in memory (ASYNC_STORE=postgres for the database)".to_owned(),
            (Some(_), true) => "  deduplication and async-ack queue: PostgreSQL (DATABASE_URL, ASYNC_STORE=postgres)".to_owned(),
        });
        lines.push(format!(
            "  public URL ({PUBLIC_URL_VAR}, for URL-signed senders): {}",
            self.public_url
        ));
        lines
    }
}

impl ReceiverConfig {
    /// The answer to a sender's handshake, for a delivery the route's guard verified, or `None`
    /// for an ordinary delivery: Discord's PING, Slack's `url_verification`, Twitch EventSub's
    /// `webhook_callback_verification` (`twitch_message_type` is its
    /// `Twitch-Eventsub-Message-Type` header) and Zoom's `endpoint.url_validation` (answered
    /// with `WEBHOOK_SECRET`, the secret token). Dropbox's unsigned `GET ?challenge=` has a
    /// route of its own ([`webhook_guard::handshake::dropbox`]).
    pub fn handshake_reply(
        &self,
        meta: &WebhookMeta,
        twitch_message_type: Option<&str>,
        body: &[u8],
    ) -> Option<handshake::Reply> {
        match meta.scheme() {
            "discord" => handshake::discord(body),
            "slack" => handshake::slack(body),
            "twitch" => handshake::twitch(twitch_message_type, body),
            "zoom" => handshake::zoom(body, &self.secret()),
            _ => None,
        }
    }
}

/// What a handler answers for a processed delivery: `{"received": <event type>, "id": <id>}`;
/// Discord's PING (interaction type 1, sent when the endpoint URL is saved) is answered
/// `{"type": 1}`, as Discord requires before it accepts the URL.
pub fn answer(meta: &WebhookMeta, event: Option<&str>) -> Value {
    if meta.scheme() == "discord" && event == Some("1") {
        return json!({ "type": 1 });
    }
    json!({ "received": event, "id": meta.id() })
}

/// Standard Webhooks' key from `WEBHOOK_SECRET`: a `whsec_` secret decoded by the crate, any
/// other as given.
fn standard_secret(text: &str) -> Result<Secret, String> {
    if text.starts_with("whsec_") {
        Secret::from_whsec(text).map_err(|e| {
            format!(
                "{SECRET_VAR} starts with `whsec_` but is not a Standard Webhooks secret ({e}): \
                 set it to the `whsec_<base64>` secret the sender shows"
            )
        })
    } else {
        Secret::new(text).map_err(|e| format!("{SECRET_VAR}: {e}"))
    }
}

/// `VerifierBuilder::public_key`, which exists only with a key feature.
#[allow(unused_variables)]
fn with_public_key(
    builder: webhook_guard::VerifierBuilder,
    key: Option<&PublicKey>,
) -> webhook_guard::VerifierBuilder {
    #[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
    if let Some(key) = key {
        return builder.public_key(key.clone());
    }
    builder
}

/// `, in a build with the `<feature>` feature` when the feature is not `on` in this build.
fn lacking_feature(on: bool, feature: &str) -> String {
    if on {
        String::new()
    } else {
        format!(", in a build with the `{feature}` feature")
    }
}

#[cfg(not(all(feature = "ed25519", feature = "p256", feature = "rsa")))]
fn no_feature(feature: &str) -> String {
    format!("this build has no `{feature}` feature to read it with")
}

#[cfg(feature = "ed25519")]
fn ed25519_key(text: &str) -> Result<PublicKey, String> {
    let text = text.trim();
    if text.starts_with("whpk_") {
        PublicKey::from_whpk(text)
    } else {
        PublicKey::ed25519_hex(text)
    }
    .map_err(|e| e.to_string())
}

#[cfg(not(feature = "ed25519"))]
fn ed25519_key(_: &str) -> Result<PublicKey, String> {
    Err(no_feature("ed25519"))
}

#[cfg(feature = "p256")]
fn p256_key(text: &str) -> Result<PublicKey, String> {
    PublicKey::p256_base64(text).map_err(|e| e.to_string())
}

#[cfg(not(feature = "p256"))]
fn p256_key(_: &str) -> Result<PublicKey, String> {
    Err(no_feature("p256"))
}

/// PayPal's verifier: the scheme for `webhook_id`, the key of the certificate at `path`.
#[cfg(feature = "rsa")]
fn paypal_verifier(webhook_id: &str, path: &str) -> Result<Verifier, ConfigError> {
    let scheme = Scheme::paypal(webhook_id).map_err(|e| ConfigError::new(PAYPAL_ID_VAR, e))?;
    let pem = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(PAYPAL_CERT_VAR, format!("cannot read {path}: {e}")))?;
    let certificate = PublicKey::from_certificate_pem(&pem)
        .map_err(|e| ConfigError::new(PAYPAL_CERT_VAR, format!("{path}: {e}")))?;
    Verifier::builder(scheme)
        .public_key(certificate)
        .build()
        .map_err(|e| ConfigError::new(PAYPAL_CERT_VAR, format!("{path}: {e}")))
}

#[cfg(not(feature = "rsa"))]
fn paypal_verifier(_: &str, _: &str) -> Result<Verifier, ConfigError> {
    Err(ConfigError::new(PAYPAL_CERT_VAR, no_feature("rsa")))
}

/// `WEBHOOK_PUBLIC_URL`: an absolute `http` or `https` URL, without query; kept without a
/// trailing `/`.
fn public_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    let uri: http::Uri = text
        .parse()
        .map_err(|e| format!("not a URL ({e}); expected e.g. https://hooks.example.com"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.authority().is_none() {
        return Err("expected an absolute http:// or https:// URL".to_owned());
    }
    if uri.query().is_some() {
        return Err("a base URL has no query".to_owned());
    }
    Ok(text.trim_end_matches('/').to_owned())
}

/// The guard of the route at `path`, the same on every framework: the body must arrive within
/// 10 s, and deliveries are deduplicated on `store` under the route's own namespace (the path
/// after `/webhooks/`, `/` written `-`), so that one store serves every route and the same
/// delivery id sent to two routes runs both handlers. Each example turns it into its
/// framework's guard (`WebhookLayer::from`, `WebhookGuard::from`; poem and rocket take it as is).
#[allow(dead_code)]
pub fn route_guard(
    path: &str,
    verifier: Verifier,
    store: &(impl DedupStore + Clone),
    stats: &Stats,
) -> Guard {
    Guard::new(verifier)
        .body_timeout(std::time::Duration::from_secs(10))
        .dedup(store.clone())
        .namespace(path.trim_start_matches("/webhooks/").replace('/', "-"))
        .stats(stats)
}

/// The configuration of the example `program` from the environment, the demo secret announced
/// when none is set; a configuration that cannot be used ends the process with status 2 and the
/// reason.
#[allow(dead_code)]
pub fn from_env_or_exit(program: &str) -> ReceiverConfig {
    let config = ReceiverConfig::from_env().unwrap_or_else(|e| {
        eprintln!("{program}: {e}");
        std::process::exit(2)
    });
    if config.demo_secret {
        println!("{SECRET_VAR} is not set; using the demo secret {DEMO_SECRET:?}");
    }
    config
}

/// Deliveries the handlers processed, in order (what `GET /events` answers), shared by every
/// worker of a receiver.
pub type EventLog = std::sync::Arc<std::sync::Mutex<Vec<Value>>>;

/// Simulated heavy work of the async-ack route.
#[allow(dead_code)]
pub const ASYNC_WORK: std::time::Duration = std::time::Duration::from_millis(500);

/// Record a processed delivery in `log`, and return the answer its route gives.
#[allow(dead_code)]
pub fn record_event(log: &EventLog, meta: &WebhookMeta, event: Option<&str>) -> Value {
    let entry = json!({ "scheme": meta.scheme(), "id": meta.id(), "event": event });
    log.lock().unwrap().push(entry);
    answer(meta, event)
}

/// The async-ack route's queue, not started: each job is [`ASYNC_WORK`] of (simulated) work,
/// then recorded in `log`; a job that cannot be finished is kept by `dead_letters`.
#[allow(dead_code)]
pub fn async_queue(log: &EventLog, stats: &Stats) -> AckQueueBuilder<heppu::Event> {
    let log = log.clone();
    AckQueue::builder(move |job: Job<heppu::Event>| {
        let log = log.clone();
        async move {
            tokio::time::sleep(ASYNC_WORK).await;
            let _ = record_event(&log, job.meta(), Some(job.event().event_type()));
            Ok::<(), std::convert::Infallible>(())
        }
    })
    .dead_letter(|dead| async move { crate::dead_letters::keep(&dead) })
    .stats(stats)
}

/// Print that `server` listens on `addr`, then which routes are live ([`ReceiverConfig::startup_report`]).
#[allow(dead_code)]
pub fn announce(config: &ReceiverConfig, server: &str, addr: impl fmt::Display) {
    println!("{server} listening on http://{addr}");
    for line in config.startup_report() {
        println!("{line}");
    }
}
