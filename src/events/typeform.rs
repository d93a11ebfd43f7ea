//! Typeform's webhook payload.
//!
//! Typeform posts one [`Event`] per submission: `event_id` (the id
//! [`Scheme::typeform`](crate::Scheme::typeform) deduplicates on), `event_type`
//! (`form_response`, or `form_response_partial` for partial responses), and the
//! `form_response`, raw ([`Event::response_as`]): `form_id`, `token`, `submitted_at`, the form's
//! `definition` and the `answers`. Source: Typeform's "Webhooks" guide,
//! <https://www.typeform.com/developers/webhooks/>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A Typeform webhook payload.
///
/// ```
/// use webhook_guard::events::typeform::Event;
///
/// let event: Event = serde_json::from_str(webhook_guard::testing::samples::TYPEFORM_FORM_RESPONSE)?;
/// assert_eq!(event.event_type, "form_response");
///
/// #[derive(serde::Deserialize)]
/// struct Response { form_id: String, answers: Vec<serde_json::Value> }
/// let response: Response = event.response_as()?;
/// assert_eq!(response.form_id, "lT4Z3j");
/// assert_eq!(response.answers[0]["email"], "laura@example.com");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// The event id.
    pub event_id: String,
    /// `form_response`, or another type Typeform adds.
    pub event_type: String,
    /// The response, raw.
    #[serde(default)]
    pub form_response: Value,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

raw_as!(Event, response_as, form_response, "`form_response`");
