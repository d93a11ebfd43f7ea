//! Typed payloads of the built-in senders.
//!
//! Each submodule mirrors one sender's documentation:
//!
//! - [`heppu`]: the seven documented call and chat events of Heppu AI, as one
//!   [`Event`](heppu::Event) enum.
//! - [`helicone`]: the request [`Delivery`](helicone::Delivery) Helicone posts when an LLM request
//!   completes, with its optional cost, token and latency metadata.
//! - [`helix`]: the [`Envelope`](helix::Envelope) of a Helix data-feed notification (fact checks,
//!   news, events). Helix does not document its payload, so the envelope is deliberately loose.
//! - [`stripe`]: Stripe's [`Event`](stripe::Event) envelope (id, type, created, livemode, API
//!   version, `data.object` as raw JSON, `data.previous_attributes`).
//! - [`github`]: the fields GitHub payloads share ([`Event`](github::Event): action, sender,
//!   repository, organization, installation); the event name and delivery id are headers, found
//!   in [`WebhookMeta`](crate::WebhookMeta).
//! - [`standard`]: the payload the Standard Webhooks specification recommends
//!   ([`Event`](standard::Event): `type`, `timestamp`, `data`).
//! - [`square`]: Square's [`Event`](square::Event) envelope (`type`, `event_id`, `created_at`,
//!   `data` with the object as raw JSON).
//! - [`twitch`]: Twitch EventSub's [`Message`](twitch::Message) (`subscription`, and `event` or
//!   `challenge`).
//! - [`zoom`]: Zoom's [`Event`](zoom::Event) (`event`, `event_ts`, `payload`).
//!
//! Slack and Shopify payloads have one shape per event or topic and no common envelope worth a
//! type: take them as `Verified<serde_json::Value>` (Slack slash commands and interactivity are
//! form-encoded: take [`RawBody`](crate::RawBody)).
//!
//! These types are a convenience for handlers, nothing more. Verification never depends on them:
//! the signature (and, where the sender sends them, the timestamp and delivery id) is checked on
//! the raw request before anything is parsed, and deserializing into one of these types (for
//! example as the `T` of [`Verified<T>`](crate::Verified)) is the very last step. A delivery that
//! verifies but does not parse is refused as an invalid payload, never as a bad signature.
//!
//! They are also built to keep working when a sender changes its payloads:
//!
//! - an event type the sender introduces later lands in a catch-all variant
//!   ([`heppu::Event::Unknown`], [`helix::Kind::Other`]) with its payload kept, never in an error;
//! - fields the sender adds later are kept in each struct's `extra` map instead of being dropped;
//! - fields the documentation does not promise in every payload are `Option`s.
//!
//! Timestamps inside payloads are kept as the sender wrote them (strings or numbers); parse them
//! with the date-time library of your choice.

pub mod github;
pub mod helicone;
pub mod helix;
pub mod heppu;
pub mod square;
pub mod standard;
pub mod stripe;
pub mod twitch;
pub mod zoom;
