//! Linear's webhook payload.
//!
//! A Linear data-change webhook is one [`Event`]: the `action` (`create`, `update`, `remove`), the
//! entity `type` (`Issue`, `Comment`, …), the entity in `data`, raw ([`Event::data_as`]), what
//! changed in `updatedFrom` for updates, the `url` of the entity, `createdAt`, the `actor`, and
//! `webhookTimestamp` (milliseconds, checked by [`Scheme::linear`](crate::Scheme::linear)) and
//! `webhookId`. Source: Linear's "Webhooks" developer guide,
//! <https://linear.app/developers/webhooks>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Linear webhook payload.
///
/// ```
/// use webhook_guard::events::linear::Event;
///
/// let event: Event = serde_json::from_str(webhook_guard::testing::samples::LINEAR_ISSUE_CREATE)?;
/// assert_eq!((event.action.as_str(), event.entity_type.as_str()), ("create", "Issue"));
///
/// #[derive(serde::Deserialize)]
/// struct Issue { identifier: String, title: String }
/// assert_eq!(event.data_as::<Issue>()?.identifier, "ENG-1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// `create`, `update` or `remove`.
    pub action: String,
    /// The entity type: `Issue`, `Comment`, `Project`, ….
    #[serde(rename = "type")]
    pub entity_type: String,
    /// The entity, raw.
    #[serde(default)]
    pub data: Value,
    /// For `update`: the previous values of the fields that changed.
    #[serde(rename = "updatedFrom", default)]
    pub updated_from: Option<Value>,
    /// The entity's URL in Linear.
    #[serde(default)]
    pub url: Option<String>,
    /// When the action happened (RFC 3339, as sent).
    #[serde(rename = "createdAt", default)]
    pub created_at: Option<String>,
    /// When this delivery was sent, in unix milliseconds.
    #[serde(rename = "webhookTimestamp", default)]
    pub webhook_timestamp: Option<u64>,
    /// The webhook configuration that sent it.
    #[serde(rename = "webhookId", default)]
    pub webhook_id: Option<String>,
    /// Every other field (`actor`, `organizationId`, …), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

raw_as!(Event, data_as, data, "`data`");
