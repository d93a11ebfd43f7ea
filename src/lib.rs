//! # webhook-guard
//!
//! Receive webhooks safely: only verified, fresh, first-time deliveries reach your handler, as
//! typed events.
//!
//! Put a [`WebhookLayer`] in front of an axum route (or any tower / hyper service). For every
//! request it buffers the raw body up to a limit, checks the timestamp window, verifies the
//! signature (HMAC-SHA256, -SHA1 or -SHA512 in constant time, Ed25519, ECDSA P-256 or RSA with
//! the sender's public key, or a shared token) against one or more keys, and hands the handler the
//! verified payload. Anything else gets a clear, specific error: a status code and a
//! machine-readable reason, `{"error": "signature_mismatch", "message": "…"}`.
//!
//! ```
//! use axum::{Json, Router, routing::post};
//! use webhook_guard::events::heppu::Event;
//! use webhook_guard::{Scheme, Secret, Verified, Verifier, WebhookLayer, WebhookMeta};
//!
//! async fn heppu(meta: WebhookMeta, Verified(event): Verified<Event>) -> Json<serde_json::Value> {
//!     Json(serde_json::json!({ "received": event.event_type(), "id": meta.id() }))
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secret = Secret::new(std::env::var("HEPPU_SECRET").unwrap_or("whsec_your_secret_key_here".into()))?;
//! let app: Router = Router::new()
//!     .route("/webhooks/heppu", post(heppu))
//!     .route_layer(WebhookLayer::new(Verifier::new(Scheme::heppu(), secret)));
//! # Ok(()) }
//! ```
//!
//! ## Pieces
//! - [`Secret`]: key bytes, validated when configured, zeroized on drop, never printed.
//! - [`Scheme`]: how a sender signs, declaratively; 34 built-in profiles. The seed senders
//!   [`Scheme::heppu`], [`Scheme::helix`], [`Scheme::helicone`]; the mainstream
//!   [`Scheme::standard_webhooks`] (Svix, Clerk, Resend, …), [`Scheme::github`],
//!   [`Scheme::gitlab`], [`Scheme::stripe`], [`Scheme::paypal`], [`Scheme::square`],
//!   [`Scheme::paddle`], [`Scheme::shopify`], [`Scheme::slack`], [`Scheme::discord`],
//!   [`Scheme::twilio`], [`Scheme::sendgrid`], [`Scheme::hubspot`], [`Scheme::zoom`],
//!   [`Scheme::twitch`], [`Scheme::linear`], [`Scheme::intercom`], [`Scheme::mailgun`]; and
//!   [`Scheme::bitbucket`], [`Scheme::box_com`], [`Scheme::calendly`],
//!   [`Scheme::coinbase_commerce`], [`Scheme::dropbox`], [`Scheme::lemon_squeezy`],
//!   [`Scheme::mux`], [`Scheme::pagerduty`], [`Scheme::sentry`], [`Scheme::typeform`],
//!   [`Scheme::vercel`], [`Scheme::woocommerce`], [`Scheme::zendesk`]. A
//!   [builder](Scheme::builder) for any other scheme: HMAC-SHA256, -SHA1 or -SHA512, Ed25519,
//!   ECDSA P-256, RSA PKCS#1 v1.5, or a shared token ([`scheme::Algorithm`]).
//! - `keys::PublicKey` (features `ed25519`, `p256`, `rsa`): a sender's public key.
//! - [`Verifier`]: scheme + secrets + tolerance + clock; pure and synchronous.
//! - [`Rejection`]: every failure, with one status and one stable code.
//! - [`WebhookLayer`]: the tower middleware; [`Verified<T>`], [`WebhookMeta`], [`RawBody`]: what
//!   handlers receive.
//! - [`guard::Guard`]: the same pipeline (verify while reading, deduplicate, settle) for any
//!   server, driven request by request; the tower layer and every framework adapter are built on
//!   it.
//! - [`events`]: typed payloads of the built-in senders.
//! - [`testing`]: sign deliveries like a sender, for your tests.
//!
//! ## Features
//! - `server` (on with every framework feature): [`guard`], the tower layer, [`dedup`],
//!   [`ack`] and [`stats`], on Tokio. Without it (`default-features = false`) the crate is the
//!   verification core, which also builds for `wasm32-unknown-unknown` (Cloudflare Workers).
//! - `axum` (default): axum extractors and `IntoResponse` for [`Rejection`].
//! - `actix`: the actix-web middleware `actix::WebhookGuard` and the same extractors.
//! - `redis`: `dedup::RedisStore`, deduplication shared by several replicas.
//! - `ed25519`, `p256`, `rsa`: [`keys::PublicKey`] for senders that sign with Ed25519, ECDSA
//!   P-256 or RSA (X.509 certificates with `rsa`).
//! - `cli`: the `webhook-guard` command-line tool (sign, send and verify test deliveries); the
//!   library is the same with or without it.
//! - `lambda`: `lambda::service`, the tower layer in front of an AWS Lambda `lambda_http`
//!   handler, as `lambda_http::run` takes it.
//! - `poem`: the poem middleware `poem::WebhookGuard`, the same extractors, and poem responses
//!   for [`Rejection`] and `ack::Ack`.
//! - `rocket`: rocket 0.5 data guards (`Verified<T>`, `rocket::Webhook<T>`, …) and the
//!   `rocket::Webhooks` fairing that holds the guards and settles deliveries.
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
