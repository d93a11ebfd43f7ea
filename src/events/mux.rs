//! Mux's webhook envelope.
//!
//! Every Mux webhook is one [`Event`]: its `id` (the same on every retry; the id
//! [`Scheme::mux`](crate::Scheme::mux) deduplicates on), a `type` such as `video.asset.ready`, the
//! `object` it is about (`{type, id}`), the `environment`, `created_at`, and the object's current
//! state in `data`, raw ([`Event::data_as`]). Source: Mux's "Verify webhook signatures" guide,
//! <https://www.mux.com/docs/core/verify-webhook-signatures>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Mux webhook event.
///
/// ```
/// use webhook_guard::events::mux::Event;
///
/// let event: Event = serde_json::from_str(webhook_guard::testing::samples::MUX_VIDEO_ASSET_READY)?;
/// assert_eq!(event.event_type, "video.asset.ready");
/// assert_eq!(event.object.as_ref().map(|o| o.object_type.as_str()), Some("asset"));
///
/// #[derive(serde::Deserialize)]
/// struct Asset { status: String }
/// assert_eq!(event.data_as::<Asset>()?.status, "ready");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id.
    pub id: String,
    /// The event type, e.g. `video.asset.ready`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The object the event is about.
    #[serde(default)]
    pub object: Option<EventObject>,
    /// The Mux environment (`{name, id}`), raw.
    #[serde(default)]
    pub environment: Option<Value>,
    /// When the event was created (RFC 3339, as sent).
    #[serde(default)]
    pub created_at: Option<String>,
    /// The object's state, raw.
    #[serde(default)]
    pub data: Value,
    /// Every other field (`accessor`, `request_id`, …), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `object` of a Mux event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventObject {
    /// Its kind: `asset`, `live_stream`, `upload`, ….
    #[serde(rename = "type")]
    pub object_type: String,
    /// Its id.
    pub id: String,
}

raw_as!(Event, data_as, data, "`data`");
