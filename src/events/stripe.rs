//! Stripe's event envelope.
//!
//! Every Stripe webhook delivers one [`Event`]: an id (`evt_…`, also the delivery id
//! [`Scheme::stripe`](crate::Scheme::stripe) deduplicates on), a `type` such as
//! `payment_intent.succeeded`, the API version it was rendered with, and in `data.object` the API
//! resource the event is about. The resource's shape depends on the type and the API version, so
//! it is kept as raw JSON: read fields from it, or deserialize it into your own type with
//! [`EventData::object_as`]. Fields Stripe adds to the envelope later are kept in
//! [`Event::extra`].

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Stripe event, as posted to a webhook endpoint.
///
/// ```
/// use webhook_guard::events::stripe::Event;
///
/// let event: Event = serde_json::from_str(webhook_guard::testing::samples::STRIPE_CUSTOMER_UPDATED)?;
/// assert_eq!(event.event_type, "customer.updated");
/// assert_eq!(event.data.object_type(), Some("customer"));
/// assert_eq!(event.data.object_id(), Some("cus_NffrFeUfNV2Hib"));
/// // What changed: the previous values of the updated fields.
/// let before = event.data.previous_attributes.as_ref().unwrap();
/// assert_eq!(before["email"], "jenny.rosen@example.com");
///
/// #[derive(serde::Deserialize)]
/// struct Customer { email: Option<String> }
/// let customer: Customer = event.data.object_as()?;
/// assert_eq!(customer.email.as_deref(), Some("jennyrosen@example.com"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id, `evt_…`; the same on every retry of the event.
    pub id: String,
    /// The event type, e.g. `invoice.paid`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event was created, in unix seconds.
    pub created: i64,
    /// `true` for live mode, `false` for test mode.
    pub livemode: bool,
    /// The API version `data.object` is rendered in; `None` for events from before versions.
    #[serde(default)]
    pub api_version: Option<String>,
    /// The resource the event is about, and what changed.
    pub data: EventData,
    /// The connected account the event is for (Connect webhooks only).
    #[serde(default)]
    pub account: Option<String>,
    /// How many endpoints have not yet received this event successfully.
    #[serde(default)]
    pub pending_webhooks: Option<u64>,
    /// The API request that caused the event, if one did.
    #[serde(default)]
    pub request: Option<EventRequest>,
    /// Every other field (for example `object`, always `"event"`), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of a Stripe event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventData {
    /// The API resource (`customer`, `invoice`, `payment_intent`, …) as raw JSON.
    pub object: Value,
    /// For `*.updated` events: the previous values of the fields that changed.
    #[serde(default)]
    pub previous_attributes: Option<Value>,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl EventData {
    /// The resource's `object` field, its kind: `"customer"`, `"invoice"`, ….
    pub fn object_type(&self) -> Option<&str> {
        self.object.get("object").and_then(Value::as_str)
    }

    /// The resource's `id`.
    pub fn object_id(&self) -> Option<&str> {
        self.object.get("id").and_then(Value::as_str)
    }

    /// Deserialize the resource into your own type.
    pub fn object_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.object)
    }
}

/// The API request behind an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventRequest {
    /// The request id (`req_…`); `None` for events Stripe caused itself.
    #[serde(default)]
    pub id: Option<String>,
    /// The idempotency key the request was sent with, if any.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}
