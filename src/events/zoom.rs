//! Zoom's webhook event envelope.
//!
//! Every Zoom webhook delivers one [`Event`]: its name (`meeting.started`, …, or
//! `endpoint.url_validation`, answered with [`handshake::zoom`](crate::handshake::zoom)), when
//! it happened (`event_ts`, unix milliseconds) and its `payload`, whose shape depends on the
//! event and is kept as raw JSON.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Zoom webhook event.
///
/// ```
/// use webhook_guard::events::zoom::Event;
///
/// let e: Event = serde_json::from_str(webhook_guard::testing::samples::ZOOM_MEETING_STARTED)?;
/// assert_eq!((e.event.as_str(), e.event_ts), ("meeting.started", Some(1_701_432_000_123)));
/// assert_eq!(e.payload["object"]["topic"], "Weekly sync");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event name, e.g. `meeting.started`.
    pub event: String,
    /// When the event happened, in unix milliseconds.
    #[serde(default)]
    pub event_ts: Option<u64>,
    /// The event's payload (`account_id`, `object`, …), as raw JSON.
    #[serde(default)]
    pub payload: Value,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Event {
    /// Deserialize the payload into your own type.
    pub fn payload_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.payload)
    }
}
