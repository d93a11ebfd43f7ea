//! Twitch EventSub's webhook message.
//!
//! Every EventSub webhook POST carries a [`Message`]: the `subscription` it belongs to, and
//! either the `event` (a `notification`), the `challenge` (a `webhook_callback_verification`,
//! answered with [`handshake::twitch`](crate::handshake::twitch)) or nothing more (a
//! `revocation`, whose reason is the subscription's `status`). The
//! `Twitch-Eventsub-Message-Type` header tells which. The event's shape depends on the
//! subscription type and version, so it is kept as raw JSON.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An EventSub webhook message.
///
/// ```
/// use webhook_guard::events::twitch::Message;
/// use webhook_guard::testing::samples;
///
/// let n: Message = serde_json::from_str(samples::TWITCH_CHANNEL_FOLLOW)?;
/// assert_eq!(n.subscription.subscription_type, "channel.follow");
/// assert_eq!(n.event.as_ref().unwrap()["user_login"], "cool_user");
/// let c: Message = serde_json::from_str(samples::TWITCH_CALLBACK_VERIFICATION)?;
/// assert!(c.challenge.is_some() && c.event.is_none());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// The subscription the message is for.
    pub subscription: Subscription,
    /// The event, in a `notification`.
    #[serde(default)]
    pub event: Option<Value>,
    /// The challenge to answer, in a `webhook_callback_verification`.
    #[serde(default)]
    pub challenge: Option<String>,
    /// Every other field (batched `events`, …), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message {
    /// Deserialize the event into your own type (`None` when the message has none).
    pub fn event_as<T: DeserializeOwned>(&self) -> Option<Result<T, serde_json::Error>> {
        self.event.as_ref().map(T::deserialize)
    }
}

/// An EventSub subscription, as a message describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Subscription {
    /// The subscription id.
    pub id: String,
    /// `enabled`, `webhook_callback_verification_pending`, or in a revocation the reason
    /// (`authorization_revoked`, `notification_failures_exceeded`, …).
    pub status: String,
    /// The subscription type, e.g. `channel.follow`.
    #[serde(rename = "type")]
    pub subscription_type: String,
    /// The subscription type's version, e.g. `2`.
    pub version: String,
    /// The conditions the subscription was created with, as raw JSON.
    #[serde(default)]
    pub condition: Value,
    /// When the subscription was created (RFC 3339, as Twitch wrote it).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Every other field (`cost`, `transport`, …), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
