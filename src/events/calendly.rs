//! Calendly's webhook payload.
//!
//! Calendly posts one [`Event`]: the `event` name (`invitee.created`, `invitee.canceled`,
//! `routing_form_submission.created`, …), `created_at`, `created_by` (the user's URI), and the
//! resource in `payload`, raw ([`Event::payload_as`]). Source: Calendly's "Webhook signatures"
//! guide, <https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Calendly webhook payload.
///
/// ```
/// use webhook_guard::events::calendly::Event;
///
/// let event: Event = serde_json::from_str(webhook_guard::testing::samples::CALENDLY_INVITEE_CREATED)?;
/// assert_eq!(event.event, "invitee.created");
///
/// #[derive(serde::Deserialize)]
/// struct Invitee { email: String }
/// assert_eq!(event.payload_as::<Invitee>()?.email, "invitee@example.com");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event name, e.g. `invitee.canceled`.
    pub event: String,
    /// When the event happened (RFC 3339, as sent).
    #[serde(default)]
    pub created_at: Option<String>,
    /// The URI of the user whose action caused it.
    #[serde(default)]
    pub created_by: Option<String>,
    /// The resource, raw.
    #[serde(default)]
    pub payload: Value,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

raw_as!(Event, payload_as, payload, "`payload`");
