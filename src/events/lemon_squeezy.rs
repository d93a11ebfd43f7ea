//! Lemon Squeezy's webhook payload.
//!
//! The body is a JSON:API document: `meta` names the event (`event_name`, e.g. `order_created`)
//! and carries the `custom_data` passed at checkout; `data` is the resource (`type`, `id`,
//! `attributes`), raw ([`Resource::attributes_as`]). Source: Lemon Squeezy's "Webhook requests"
//! guide, <https://docs.lemonsqueezy.com/help/webhooks/webhook-requests>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Lemon Squeezy webhook payload.
///
/// ```
/// use webhook_guard::events::lemon_squeezy::Event;
///
/// let event: Event = serde_json::from_str(webhook_guard::testing::samples::LEMON_SQUEEZY_ORDER_CREATED)?;
/// assert_eq!(event.meta.event_name, "order_created");
/// assert_eq!(event.data.resource_type, "orders");
///
/// #[derive(serde::Deserialize)]
/// struct Order { total: u64, status: String }
/// assert_eq!(event.data.attributes_as::<Order>()?.total, 1199);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// What happened.
    pub meta: Meta,
    /// The resource.
    pub data: Resource,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `meta` of a Lemon Squeezy payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Meta {
    /// The event name, e.g. `subscription_updated`.
    pub event_name: String,
    /// The custom data passed at checkout, if any.
    #[serde(default)]
    pub custom_data: Option<Value>,
    /// Every other field (`test_mode`, `webhook_id`, …), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of a Lemon Squeezy payload: a JSON:API resource object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Resource {
    /// The resource type, e.g. `orders`, `subscriptions`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// The resource id.
    pub id: String,
    /// Its attributes, raw.
    #[serde(default)]
    pub attributes: Value,
    /// Every other field (`relationships`, `links`), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

raw_as!(Resource, attributes_as, attributes, "`attributes`");
