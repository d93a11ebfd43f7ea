//! Square's webhook envelope.
//!
//! A Square notification is one [`Event`]: `merchant_id`, a `type` such as `payment.updated`,
//! `event_id` (the id [`Scheme::square`](crate::Scheme::square) deduplicates on; Square says to
//! use it to spot duplicates), `created_at`, and `data` naming the object (`type`, `id`) with the
//! object itself under `data.object`, raw ([`EventData::object_as`]). Source: Square's "Webhooks
//! overview", <https://developer.squareup.com/docs/webhooks/overview>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Square webhook event.
///
/// ```
/// use webhook_guard::events::square::Event;
///
/// let event: Event = serde_json::from_str(webhook_guard::testing::samples::SQUARE_PAYMENT_UPDATED)?;
/// assert_eq!(event.event_type, "payment.updated");
/// assert_eq!(event.data.object_type.as_deref(), Some("payment"));
///
/// #[derive(serde::Deserialize)]
/// struct Payment { status: String }
/// #[derive(serde::Deserialize)]
/// struct Object { payment: Payment }
/// assert_eq!(event.data.object_as::<Object>()?.payment.status, "COMPLETED");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The seller the event belongs to.
    #[serde(default)]
    pub merchant_id: Option<String>,
    /// The event type, e.g. `order.created`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The event id, the same on every retry.
    pub event_id: String,
    /// When the event was created (RFC 3339, as sent).
    #[serde(default)]
    pub created_at: Option<String>,
    /// What the event is about.
    pub data: EventData,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of a Square event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventData {
    /// The object's kind, e.g. `payment`.
    #[serde(rename = "type", default)]
    pub object_type: Option<String>,
    /// The object's id.
    #[serde(default)]
    pub id: Option<String>,
    /// The object, raw (keyed by its kind: `{"payment": {…}}`).
    #[serde(default)]
    pub object: Value,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

raw_as!(EventData, object_as, object, "`object`");
