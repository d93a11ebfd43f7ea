//! # webhook-guard
//!
//! Receive webhooks safely: only verified, fresh, first-time deliveries reach your handler, as
//! typed events. Everything else gets a specific status and a machine-readable reason,
//! `{"error": "signature_mismatch", "message": "…"}`, and never reaches your code.
//!
//! Put a [`WebhookLayer`] in front of an axum route (or any tower / hyper service; actix-web,
//! poem, rocket and AWS Lambda have their own adapters). For every request it bounds the body
//! (size and time), checks the timestamp window, verifies the signature (HMAC-SHA256, -SHA1 or
//! -SHA512 in constant time while the body arrives; Ed25519, ECDSA P-256 or RSA with the
//! sender's public key; or a shared token) against one or more keys, optionally claims the
//! delivery in a deduplication store, and hands the handler the verified payload.
//!
//! ## Quick start
//!
//! A Stripe endpoint on axum (the seed senders, [`Scheme::heppu`], [`Scheme::helix`] and
//! [`Scheme::helicone`], are set up the same way, with their own constructor and typed events):
//!
//! ```
//! use axum::{Json, Router, routing::post};
//! use webhook_guard::dedup::MemoryStore;
//! use webhook_guard::events::stripe::Event;
//! use webhook_guard::{Scheme, Secret, Verified, Verifier, WebhookLayer, WebhookMeta};
//!
//! async fn stripe(meta: WebhookMeta, Verified(event): Verified<Event>) -> Json<serde_json::Value> {
//!     // Only verified, fresh, first-time deliveries get here.
//!     Json(serde_json::json!({ "received": event.event_type, "id": meta.id() }))
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The endpoint's signing secret, `whsec_…`, used as Stripe shows it.
//! let secret = Secret::new(
//!     std::env::var("STRIPE_WEBHOOK_SECRET").unwrap_or("whsec_your_stripe_signing_secret".into()),
//! )?;
//! let app: Router = Router::new()
//!     .route("/webhooks/stripe", post(stripe))
//!     .route_layer(
//!         WebhookLayer::new(Verifier::new(Scheme::stripe(), secret))
//!             .dedup(MemoryStore::default()), // each delivery runs once
//!     );
//! # Ok(()) }
//! ```
//!
//! ## Pieces
//!
//! Verification (no I/O, no framework; builds for `wasm32-unknown-unknown`):
//! - [`Secret`]: key bytes, validated when configured, zeroized on drop, never printed;
//!   [`keys::PublicKey`] (features `ed25519`, `p256`, `rsa`): a sender's public key.
//! - [`Scheme`]: how a sender signs, declaratively ([`scheme`] has the table of every profile).
//!   34 built-in profiles:
//!   - the seed senders: [`Scheme::heppu`], [`Scheme::helix`], [`Scheme::helicone`];
//!   - payments and commerce: [`Scheme::stripe`], [`Scheme::paypal`], [`Scheme::square`],
//!     [`Scheme::paddle`], [`Scheme::lemon_squeezy`], [`Scheme::coinbase_commerce`],
//!     [`Scheme::shopify`], [`Scheme::woocommerce`];
//!   - code and developer tools: [`Scheme::github`], [`Scheme::gitlab`], [`Scheme::bitbucket`],
//!     [`Scheme::linear`], [`Scheme::sentry`], [`Scheme::vercel`], [`Scheme::pagerduty`];
//!   - messaging, email and meetings: [`Scheme::slack`], [`Scheme::discord`],
//!     [`Scheme::twilio`], [`Scheme::sendgrid`], [`Scheme::mailgun`], [`Scheme::intercom`],
//!     [`Scheme::zendesk`], [`Scheme::zoom`], [`Scheme::twitch`];
//!   - the rest: [`Scheme::standard_webhooks`] (Svix, Clerk, Resend, …), [`Scheme::hubspot`],
//!     [`Scheme::calendly`], [`Scheme::typeform`], [`Scheme::mux`], [`Scheme::box_com`],
//!     [`Scheme::dropbox`].
//!
//!   A [builder](Scheme::builder) for any other sender: HMAC-SHA256, -SHA1 or -SHA512,
//!   Ed25519, ECDSA P-256, RSA PKCS#1 v1.5 or a shared token ([`scheme::Algorithm`]), and
//!   signed parts from headers, the JSON body, the public URL, the method or form parameters.
//! - [`Verifier`]: scheme + secrets or public keys (several during a rotation) + tolerance +
//!   clock ([`clock`]); pure and synchronous, or fed chunk by chunk ([`Verifier::begin`]).
//! - [`Rejection`] / [`RejectionKind`]: every failure, with one status and one stable code.
//! - [`events`]: typed payloads of the built-in senders; [`handshake`]: the answers to the
//!   senders' endpoint checks (Discord, Slack, Twitch, Zoom, Dropbox, WooCommerce).
//! - [`testing`]: sign deliveries like a sender, for your tests.
//!
//! On a server (feature `server`, on with every framework feature):
//! - [`WebhookLayer`]: the tower middleware; [`Verified<T>`], [`WebhookMeta`], [`RawBody`]:
//!   what handlers receive ([`axum`], [`actix`], [`poem`], [`rocket`], [`lambda`] adapt them).
//! - [`guard::Guard`]: the same pipeline (verify while reading, deduplicate, settle) for any
//!   server, driven request by request; the tower layer and every adapter are built on it.
//! - [`dedup`]: exactly-once handling on [`dedup::MemoryStore`], [`dedup::RedisStore`] or
//!   [`dedup::PostgresStore`].
//! - [`ack`]: answer at once and process in the background, in memory or durably.
//! - [`stats`] and [`telemetry`]: counters, `metrics` series and `tracing` spans.
//!
//! ## Features
//! - `server` (on with every framework feature): [`guard`], the tower layer, [`dedup`],
//!   [`ack`], [`stats`] and [`telemetry`], on Tokio. Without it (`default-features = false`)
//!   the crate is the verification core, which also builds for `wasm32-unknown-unknown`
//!   (Cloudflare Workers).
//! - `axum` (default): axum extractors and `IntoResponse` for [`Rejection`].
//! - `actix`: the actix-web middleware [`actix::WebhookGuard`] and the same extractors.
//! - `poem`: the poem middleware [`poem::WebhookGuard`], the same extractors, and poem
//!   responses for [`Rejection`] and [`ack::Ack`].
//! - `rocket`: rocket 0.5 data guards ([`Verified<T>`], [`rocket::Webhook<T>`], …) and the
//!   [`rocket::Webhooks`] fairing that holds the guards and settles deliveries.
//! - `lambda`: [`lambda::service`], the tower layer in front of an AWS Lambda `lambda_http`
//!   handler, as `lambda_http::run` takes it.
//! - `redis`: [`dedup::RedisStore`] and the durable async-ack queue on Redis Streams.
//! - `postgres`: [`dedup::PostgresStore`] and the durable async-ack inbox table, in the
//!   PostgreSQL database the service already runs (sqlx, rustls).
//! - `ed25519`, `p256`, `rsa`: [`keys::PublicKey`] for senders that sign with Ed25519 (Discord,
//!   Standard Webhooks `v1a`), ECDSA P-256 (SendGrid) or RSA (PayPal; X.509 certificates).
//! - `metrics`: every outcome [`stats`] counts, also emitted through the `metrics` facade to the
//!   recorder the application installs (names in [`telemetry`]).
//! - `cli`: the `webhook-guard` command-line tool (sign, send and verify test deliveries); the
//!   library is the same with or without it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod ack;
#[cfg(feature = "actix")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
pub mod actix;
mod algorithm;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
mod bytes;
pub mod clock;
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod dedup;
mod error;
pub mod events;
mod extract;
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod guard;
pub mod handshake;
mod json_scan;
#[cfg(any(feature = "ed25519", feature = "p256", feature = "rsa"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "ed25519", feature = "p256", feature = "rsa")))
)]
pub mod keys;
#[cfg(feature = "lambda")]
#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
pub mod lambda;
mod message;
#[cfg(feature = "server")]
mod pipeline;
#[cfg(feature = "poem")]
#[cfg_attr(docsrs, doc(cfg(feature = "poem")))]
pub mod poem;
pub mod scheme;
mod secret;
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod stats;
#[cfg(feature = "server")]
mod sync;
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod telemetry;
pub mod testing;
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod tower;
mod verify;

// Entry points for the cargo-fuzz targets in `fuzz/`: compiled only under `--cfg fuzzing`, which
// cargo-fuzz sets, so they are no part of the public API.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod __fuzz;
#[cfg(feature = "rocket")]
#[cfg_attr(docsrs, doc(cfg(feature = "rocket")))]
pub mod rocket;

pub use error::{Rejection, RejectionKind};
pub use extract::{RawBody, Verified};
#[cfg(feature = "server")]
pub use pipeline::{DEFAULT_BODY_LIMIT, DEFAULT_BODY_TIMEOUT};
pub use scheme::Scheme;
pub use secret::{MIN_SECRET_LEN, Secret, SecretError};
#[cfg(feature = "server")]
pub use tower::{WebhookLayer, WebhookService};
pub use verify::{
    DEFAULT_TOLERANCE, Verifier, VerifierBuilder, VerifierError, VerifyState, WebhookMeta,
};

#[cfg(test)]
mod layering;

/// The README's code blocks, compiled and run as doc tests so they stay true.
#[cfg(all(doctest, feature = "axum", feature = "actix"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
