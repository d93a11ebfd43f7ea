//! Twitch EventSub's webhook bodies.
//!
//! Each EventSub message carries the `subscription` it belongs to and, by message type (the
//! `Twitch-Eventsub-Message-Type` header, [`WebhookMeta::event_type`](crate::WebhookMeta::event_type)):
//! a `challenge` to echo (`webhook_callback_verification`), the `event` (`notification`), or
//! nothing more (`revocation`). [`Message`] holds all three; the event stays raw
//! ([`Message::event_as`]) as its shape depends on the subscription type. Source: Twitch's
//! "Handling Webhook Events", <https://dev.twitch.tv/docs/eventsub/handling-webhook-events/>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An EventSub webhook message.
///
/// ```
/// use webhook_guard::events::twitch::Message;
/// use webhook_guard::testing::samples;
///
/// let message: Message = serde_json::from_str(samples::TWITCH_CHANNEL_FOLLOW)?;
/// assert_eq!(message.subscription.subscription_type, "channel.follow");
/// #[derive(serde::Deserialize)]
/// struct Follow { user_login: String }
/// assert_eq!(message.event_as::<Follow>()?.user_login, "cool_user");
///
/// let verification: Message = serde_json::from_str(samples::TWITCH_CALLBACK_VERIFICATION)?;
/// assert!(verification.challenge.is_some());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// The subscription the message is for.
    pub subscription: Subscription,
    /// The event (notification messages), raw; `Null` otherwise.
    #[serde(default)]
    pub event: Value,
    /// The challenge to answer (callback verification messages).
    #[serde(default)]
    pub challenge: Option<String>,
    /// Every other field (`events` of batched subscriptions, …), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An EventSub subscription, as sent with each message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Subscription {
    /// The subscription id.
    pub id: String,
    /// Its status: `enabled`, `webhook_callback_verification_pending`, `authorization_revoked`, ….
    #[serde(default)]
    pub status: Option<String>,
    /// The subscription type, e.g. `channel.follow`.
    #[serde(rename = "type")]
    pub subscription_type: String,
    /// The subscription type's version.
    #[serde(default)]
    pub version: Option<String>,
    /// Every other field (`condition`, `transport`, `cost`, `created_at`), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

raw_as!(Message, event_as, event, "`event`");
