//! The payload structure the Standard Webhooks specification recommends.
//!
//! The specification does not require a payload shape, but recommends
//! `{"type": "<dotted.type>", "timestamp": "<when the event happened>", "data": {…}}`, which
//! [`Event`] models. `data` stays raw JSON (its shape is up to the sender); read it with
//! [`Event::data_as`]. Fields the sender adds at the top level are kept in [`Event::extra`].
//!
//! The `timestamp` here is when the *event* happened; the `webhook-timestamp` header checked by
//! [`Scheme::standard_webhooks`](crate::Scheme::standard_webhooks) is when the *attempt* was
//! sent, and changes on each retry.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Standard Webhooks payload.
///
/// ```
/// use webhook_guard::events::standard::Event;
///
/// let event: Event = serde_json::from_str(webhook_guard::testing::samples::STANDARD_CONTACT_CREATED)?;
/// assert_eq!(event.event_type, "contact.created");
/// assert_eq!(event.timestamp.as_deref(), Some("2022-11-03T20:26:10.344522Z"));
///
/// #[derive(serde::Deserialize)]
/// struct Contact { id: String, #[serde(rename = "fullName")] full_name: String }
/// let contact: Contact = event.data_as()?;
/// assert_eq!(contact.full_name, "John Smith");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The full-stop delimited event type, e.g. `user.created`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event happened, as the sender wrote it (the specification's examples use
    /// RFC 3339 text).
    #[serde(default)]
    pub timestamp: Option<String>,
    /// The event data, raw. `Null` when the sender put its data at the top level instead (the
    /// specification allows it): look in [`extra`](Event::extra) then.
    #[serde(default)]
    pub data: Value,
    /// Every other top-level field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Event {
    /// Deserialize `data` into your own type.
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.data)
    }
}
