//! PagerDuty's V3 webhook envelope.
//!
//! A V3 webhook body is `{"event": {…}}`: the [`Event`] has an `id` (the id
//! [`Scheme::pagerduty`](crate::Scheme::pagerduty) deduplicates on), an `event_type` such as
//! `incident.triggered`, the `resource_type`, `occurred_at`, the `agent` that caused it, the
//! `client`, and the resource in `data`, raw ([`Event::data_as`]). Source: PagerDuty's "V3 Webhook
//! Overview", <https://developer.pagerduty.com/docs/webhooks-overview>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The body of a PagerDuty V3 webhook.
///
/// ```
/// use webhook_guard::events::pagerduty::Payload;
///
/// let payload: Payload = serde_json::from_str(webhook_guard::testing::samples::PAGERDUTY_INCIDENT_TRIGGERED)?;
/// let event = payload.event;
/// assert_eq!(event.event_type, "incident.triggered");
/// assert_eq!(event.resource_type.as_deref(), Some("incident"));
///
/// #[derive(serde::Deserialize)]
/// struct Incident { status: String, urgency: String }
/// assert_eq!(event.data_as::<Incident>()?.urgency, "high");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Payload {
    /// The event.
    pub event: Event,
    /// Every other top-level field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A PagerDuty V3 event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id, the same on every retry.
    pub id: String,
    /// The event type, e.g. `incident.acknowledged`.
    pub event_type: String,
    /// The kind of resource in `data`: `incident`, `service`, ….
    #[serde(default)]
    pub resource_type: Option<String>,
    /// When the event happened (RFC 3339, as sent).
    #[serde(default)]
    pub occurred_at: Option<String>,
    /// Who caused it (a user or service reference), raw; `null` when PagerDuty did.
    #[serde(default)]
    pub agent: Value,
    /// The client that caused it, raw; often `null`.
    #[serde(default)]
    pub client: Value,
    /// The resource, raw.
    #[serde(default)]
    pub data: Value,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

raw_as!(Event, data_as, data, "`data`");
