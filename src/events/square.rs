//! Square's event notification envelope.
//!
//! Every Square webhook delivers one [`Event`]: the seller (`merchant_id`), the event `type`
//! (`payment.updated`, …), the `event_id` [`Scheme::square`](crate::Scheme::square)
//! deduplicates on, when it was created, and in `data` the object it is about, kept as raw JSON
//! under its type name (`data.object.payment`, …). Fields Square adds later are kept in
//! [`Event::extra`].

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Square event notification.
///
/// ```
/// use webhook_guard::events::square::Event;
///
/// let event: Event = serde_json::from_str(webhook_guard::testing::samples::SQUARE_PAYMENT_UPDATED)?;
/// assert_eq!(event.event_type, "payment.updated");
/// assert_eq!(event.data.object_type.as_deref(), Some("payment"));
/// assert_eq!(event.data.object()["status"], "COMPLETED");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The seller the event is for.
    #[serde(default)]
    pub merchant_id: Option<String>,
    /// The event type, e.g. `payment.updated`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The event id, Square's idempotency value: the same on every retry.
    pub event_id: String,
    /// When the event was created (RFC 3339, as Square wrote it).
    #[serde(default)]
    pub created_at: Option<String>,
    /// The object the event is about.
    pub data: EventData,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of a Square event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventData {
    /// The object's type, e.g. `payment`.
    #[serde(rename = "type", default)]
    pub object_type: Option<String>,
    /// The object's id.
    #[serde(default)]
    pub id: Option<String>,
    /// The object, under its type name (`{"payment": {…}}`), as raw JSON; absent for some
    /// events (deletions).
    #[serde(default)]
    pub object: Option<Value>,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl EventData {
    /// The object itself: `object.<type>` (for example `object.payment`), or `null`.
    pub fn object(&self) -> &Value {
        self.object
            .as_ref()
            .zip(self.object_type.as_deref())
            .and_then(|(o, t)| o.get(t))
            .unwrap_or(&Value::Null)
    }

    /// Deserialize the object into your own type.
    pub fn object_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(self.object())
    }
}
