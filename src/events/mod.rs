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
//! - [`paddle`], [`mux`], [`pagerduty`], [`coinbase_commerce`], [`vercel`]: each sender's event
//!   envelope (id, type, when, and the resource as raw JSON).
//! - [`linear`] (action, entity type, data, what changed), [`intercom`] (topic and item),
//!   [`typeform`] (the form response), [`calendly`] (event name and payload),
//!   [`lemon_squeezy`] (JSON:API `meta` and `data`).
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

/// `impl $ty { pub fn $name<T>(&self) }`: deserialize the raw JSON field `$field` into the
/// caller's own type.
macro_rules! raw_as {
    ($ty:ty, $name:ident, $field:ident, $what:literal) => {
        impl $ty {
            #[doc = concat!("Deserialize ", $what, " into your own type.")]
            pub fn $name<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
                <T as serde::Deserialize>::deserialize(&self.$field)
            }
        }
    };
}

pub mod calendly;
pub mod coinbase_commerce;
pub mod github;
pub mod helicone;
pub mod helix;
pub mod heppu;
pub mod intercom;
pub mod lemon_squeezy;
pub mod linear;
pub mod mux;
pub mod paddle;
pub mod pagerduty;
pub mod square;
pub mod standard;
pub mod stripe;
pub mod twitch;
pub mod typeform;
pub mod vercel;
pub mod zoom;

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// An event type the sender introduces later, with a field it adds later, parses into each
    /// envelope: the type is kept as text and the new field in `extra`.
    #[test]
    fn envelopes_take_unknown_event_types_and_keep_new_fields() {
        let paddle: super::paddle::Event = serde_json::from_value(json!({
            "event_id": "evt_1", "event_type": "future.thing", "occurred_at": "2030-01-01T00:00:00Z",
            "data": {"id": "x"}, "new_field": 1
        }))
        .unwrap();
        assert_eq!(paddle.event_type, "future.thing");
        assert_eq!(paddle.extra["new_field"], 1);

        let mux: super::mux::Event =
            serde_json::from_value(json!({"id": "1", "type": "video.future", "new_field": true}))
                .unwrap();
        assert_eq!(
            (mux.event_type.as_str(), mux.data.is_null()),
            ("video.future", true)
        );
        assert_eq!(mux.extra["new_field"], true);

        let pagerduty: super::pagerduty::Payload = serde_json::from_value(
            json!({"event": {"id": "1", "event_type": "incident.future", "new_field": "x"}}),
        )
        .unwrap();
        assert_eq!(pagerduty.event.extra["new_field"], "x");

        let square: super::square::Event = serde_json::from_value(
            json!({"type": "future.created", "event_id": "e", "data": {}, "new_field": 2}),
        )
        .unwrap();
        assert_eq!(square.extra["new_field"], 2);

        let twitch: super::twitch::Message = serde_json::from_value(json!({
            "subscription": {
                "id": "s", "status": "enabled", "type": "channel.future", "version": "1",
                "new_field": 3
            },
            "events": []
        }))
        .unwrap();
        assert_eq!(twitch.subscription.extra["new_field"], 3);
        assert!(twitch.extra.contains_key("events"));

        let linear: super::linear::Event =
            serde_json::from_value(json!({"action": "archive", "type": "Initiative"})).unwrap();
        assert_eq!(linear.entity_type, "Initiative");

        let coinbase: super::coinbase_commerce::Payload =
            serde_json::from_value(json!({"event": {"id": "u", "type": "charge:future"}})).unwrap();
        assert_eq!(coinbase.event.event_type, "charge:future");

        let intercom: super::intercom::Notification =
            serde_json::from_value(json!({"id": "notif_1", "topic": "ticket.future"})).unwrap();
        assert!(intercom.data.item.is_null());

        let vercel: super::vercel::Event =
            serde_json::from_value(json!({"id": "1", "type": "firewall.future"})).unwrap();
        assert_eq!(vercel.event_type, "firewall.future");

        let typeform: super::typeform::Event =
            serde_json::from_value(json!({"event_id": "1", "event_type": "form_response_partial"}))
                .unwrap();
        assert_eq!(typeform.event_type, "form_response_partial");

        let zoom: super::zoom::Event =
            serde_json::from_value(json!({"event": "phone.future", "new_field": 4})).unwrap();
        assert_eq!(zoom.extra["new_field"], 4);

        let calendly: super::calendly::Event =
            serde_json::from_value(json!({"event": "future.created", "payload": {}})).unwrap();
        assert_eq!(calendly.event, "future.created");

        let lemon: super::lemon_squeezy::Event = serde_json::from_value(json!({
            "meta": {"event_name": "future_created", "test_mode": true},
            "data": {"type": "futures", "id": "1"}
        }))
        .unwrap();
        assert_eq!(lemon.meta.extra["test_mode"], true);
    }

    /// A payload missing what its envelope requires is an error, not a default.
    #[test]
    fn envelopes_refuse_payloads_without_their_required_fields() {
        assert!(
            serde_json::from_value::<super::paddle::Event>(json!({"event_type": "x"})).is_err()
        );
        assert!(serde_json::from_value::<super::square::Event>(json!({"type": "x"})).is_err());
        assert!(serde_json::from_value::<super::pagerduty::Payload>(json!({"id": "x"})).is_err());
        assert!(serde_json::from_value::<super::twitch::Message>(json!({"event": {}})).is_err());
    }
}
