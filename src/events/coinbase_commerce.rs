//! Coinbase Commerce's webhook payload.
//!
//! The body is `{id, scheduled_for, event: {…}}`: the [`Event`] inside has its `id` (the id
//! [`Scheme::coinbase_commerce`](crate::Scheme::coinbase_commerce) deduplicates on), a `type` such
//! as `charge:confirmed`, `api_version`, `created_at`, and the resource in `data`, raw
//! ([`Event::data_as`]). Source: Coinbase Commerce's "Webhooks fields" page,
//! <https://docs.cdp.coinbase.com/commerce/api-arcitecture/webhooks-fields>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Coinbase Commerce webhook body.
///
/// ```
/// use webhook_guard::events::coinbase_commerce::Payload;
///
/// let payload: Payload = serde_json::from_str(webhook_guard::testing::samples::COINBASE_COMMERCE_CHARGE_CREATED)?;
/// assert_eq!(payload.event.event_type, "charge:created");
///
/// #[derive(serde::Deserialize)]
/// struct Charge { code: String }
/// assert_eq!(payload.event.data_as::<Charge>()?.code, "66BEOV2A");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Payload {
    /// The delivery's id (a number in Coinbase's examples), raw.
    #[serde(default)]
    pub id: Value,
    /// When the delivery was scheduled (RFC 3339, as sent).
    #[serde(default)]
    pub scheduled_for: Option<String>,
    /// The event.
    pub event: Event,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A Coinbase Commerce event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id (a UUID).
    pub id: String,
    /// The event type, e.g. `charge:pending`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The API version the resource is rendered in.
    #[serde(default)]
    pub api_version: Option<String>,
    /// When the event was created (RFC 3339, as sent).
    #[serde(default)]
    pub created_at: Option<String>,
    /// The resource (a charge, checkout, …), raw.
    #[serde(default)]
    pub data: Value,
    /// Every other field (`resource`, …), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

raw_as!(Event, data_as, data, "`data`");
