//! Paddle Billing's notification envelope.
//!
//! Paddle posts one [`Event`] per notification: `event_id` (`evt_…`, the id
//! [`Scheme::paddle`](crate::Scheme::paddle) deduplicates on), `event_type` such as
//! `transaction.completed`, `occurred_at`, `notification_id` (`ntf_…`, one per destination), and
//! in `data` the entity the event is about, kept as raw JSON ([`Event::data_as`]). Source: Paddle's
//! "How webhooks work", <https://developer.paddle.com/webhooks/about/how-webhooks-work>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Paddle Billing notification.
///
/// ```
/// use webhook_guard::events::paddle::Event;
///
/// let event: Event = serde_json::from_str(webhook_guard::testing::samples::PADDLE_TRANSACTION_COMPLETED)?;
/// assert_eq!(event.event_type, "transaction.completed");
/// assert_eq!(event.event_id, "evt_01h8bzakzx3hm2fmen703n5q45");
///
/// #[derive(serde::Deserialize)]
/// struct Transaction { id: String, status: String }
/// let transaction: Transaction = event.data_as()?;
/// assert_eq!(transaction.status, "completed");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id, `evt_…`: the same on every retry and for every destination.
    pub event_id: String,
    /// The event type, e.g. `subscription.created`.
    pub event_type: String,
    /// When the event happened (RFC 3339, as sent).
    pub occurred_at: String,
    /// This notification's id, `ntf_…` (one per notification destination).
    #[serde(default)]
    pub notification_id: Option<String>,
    /// The entity the event is about, raw.
    pub data: Value,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

raw_as!(Event, data_as, data, "`data`");
