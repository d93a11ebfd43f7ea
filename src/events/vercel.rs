//! Vercel's webhook payload.
//!
//! A Vercel webhook is one [`Event`]: its `id` (the id [`Scheme::vercel`](crate::Scheme::vercel)
//! deduplicates on), a `type` such as `deployment.created`, `createdAt` (unix milliseconds), the
//! `region`, and the event's `payload`, raw ([`Event::payload_as`]). Source: Vercel's "Webhooks"
//! documentation, <https://vercel.com/docs/webhooks>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Vercel webhook event.
///
/// ```
/// use webhook_guard::events::vercel::Event;
///
/// let event: Event = serde_json::from_str(webhook_guard::testing::samples::VERCEL_DEPLOYMENT_CREATED)?;
/// assert_eq!(event.event_type, "deployment.created");
///
/// #[derive(serde::Deserialize)]
/// struct Deployment { name: String }
/// #[derive(serde::Deserialize)]
/// struct Created { deployment: Deployment, target: Option<String> }
/// let created: Created = event.payload_as()?;
/// assert_eq!(created.deployment.name, "example-app");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id.
    pub id: String,
    /// The event type, e.g. `project.created`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event was created, in unix milliseconds.
    #[serde(rename = "createdAt", default)]
    pub created_at: Option<i64>,
    /// The region the event happened in, where there is one.
    #[serde(default)]
    pub region: Option<String>,
    /// The event's payload, raw.
    #[serde(default)]
    pub payload: Value,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

raw_as!(Event, payload_as, payload, "`payload`");
