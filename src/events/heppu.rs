//! Heppu AI webhook events (voice and chat agents).
//!
//! Heppu posts one JSON object per event; its `"event"` field names the event type and is also
//! sent in the `X-Webhook-Event` header. Seven types are documented, four for phone calls and three
//! for chat conversations:
//!
//! | `event` | variant | payload | sent when |
//! |---|---|---|---|
//! | `call.completed` | [`Event::CallCompleted`] | [`CallEvent`] | a call finished successfully |
//! | `call.failed` | [`Event::CallFailed`] | [`CallEvent`] | a call hit a technical error |
//! | `call.busy` | [`Event::CallBusy`] | [`CallEvent`] | the recipient's line was busy |
//! | `call.no-answer` | [`Event::CallNoAnswer`] | [`CallEvent`] | the call rang but nobody answered |
//! | `chat.completed` | [`Event::ChatCompleted`] | [`ChatEvent`] | a chat ended, whatever the outcome |
//! | `chat.resolved` | [`Event::ChatResolved`] | [`ChatEvent`] | a chat was marked resolved |
//! | `chat.abandoned` | [`Event::ChatAbandoned`] | [`ChatEvent`] | a chat was auto-closed for inactivity |
//!
//! Any other event type (Heppu's own docs already subscribe to `chat.message.received`, which has
//! no documented payload) becomes [`Event::Unknown`] with the whole payload kept.
//!
//! Which fields are required follows the documentation: a field is a plain value only where the
//! TypeScript `WebhookEvent` interface in Heppu's docs declares it always present and non-null and
//! every example has it. Fields typed `string | null` or `number | null` there (`outcome`,
//! `summary`, `duration`), fields it marks optional (`direction`, `messageCount`, `callMetadata`,
//! `chatMetadata`), fields it does not list (`agentNumber`, `twilioCallSid`) and everything inside
//! the metadata objects (typed `Record<string, any>`) are `Option`s.

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer};
use serde_json::{Map, Value};

/// A Heppu webhook event, dispatched on the payload's `"event"` field.
///
/// Deserializing fails only when the body is not a JSON object, has no string `"event"` field,
/// or is one of the seven documented events with a field of the wrong type. An event type this
/// crate does not know becomes [`Event::Unknown`].
///
/// ```
/// use webhook_guard::events::heppu::Event;
///
/// let body = r#"{
///     "event": "call.no-answer",
///     "timestamp": "2024-12-01T12:00:00Z",
///     "webhookId": "whd_jkl012",
///     "agentId": "550e8400-e29b-41d4-a716-446655440000",
///     "agentName": "Follow-up Agent",
///     "conversationId": "conv_noanswer456",
///     "conversationType": "phone",
///     "status": "no_answer",
///     "outcome": null,
///     "duration": 30,
///     "callMetadata": { "context": { "previousAttempts": 2, "maxAttempts": 3 } },
///     "metadata": { "contactName": "Alice Johnson" },
///     "organizationId": "org_abc123"
/// }"#;
/// let event: Event = serde_json::from_str(body)?;
/// assert_eq!(event.event_type(), "call.no-answer");
/// assert_eq!(event.conversation_id(), Some("conv_noanswer456"));
///
/// match &event {
///     Event::CallNoAnswer(call) => {
///         let context = call.call_metadata.as_ref().and_then(|m| m.context.as_ref());
///         assert_eq!(context.and_then(|c| c.previous_attempts), Some(2));
///     }
///     other => panic!("unexpected {}", other.event_type()),
/// }
///
/// // An event type that is not (yet) documented is kept, not rejected.
/// let later: Event = serde_json::from_str(
///     r#"{"event": "chat.message.received", "conversationId": "conv_1", "text": "hi"}"#,
/// )?;
/// assert!(matches!(later, Event::Unknown(_)));
/// assert_eq!(later.event_type(), "chat.message.received");
/// assert_eq!(later.conversation_id(), Some("conv_1"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// `call.completed`: a voice call finished successfully.
    CallCompleted(CallEvent),
    /// `call.failed`: a voice call encountered a technical error.
    CallFailed(CallEvent),
    /// `call.busy`: the recipient's phone line was busy.
    CallBusy(CallEvent),
    /// `call.no-answer`: the call rang but was not answered.
    CallNoAnswer(CallEvent),
    /// `chat.completed`: a chat conversation ended, with any outcome.
    ChatCompleted(ChatEvent),
    /// `chat.resolved`: a chat was explicitly marked as resolved by the agent or the user.
    ChatResolved(ChatEvent),
    /// `chat.abandoned`: a chat was auto-closed because the user stopped responding.
    ChatAbandoned(ChatEvent),
    /// Any event type not listed above, with its payload kept as sent.
    Unknown(UnknownEvent),
}

/// An event whose type this crate does not know (yet).
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownEvent {
    /// The `"event"` field as sent, e.g. `"chat.message.received"`.
    pub event: String,
    /// The whole payload as sent, `"event"` field included.
    pub payload: Value,
}

/// The payload of the four call events (`call.completed`, `call.failed`, `call.busy`,
/// `call.no-answer`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallEvent {
    /// `event`: the event type, e.g. `"call.completed"`.
    pub event: String,
    /// `timestamp`: when the event happened, ISO 8601 as sent (e.g. `"2024-12-01T12:00:00Z"`).
    pub timestamp: String,
    /// `webhookId`: the delivery id, also sent in the `X-Webhook-ID` header (e.g. `"whd_abc123"`).
    pub webhook_id: String,
    /// `agentId`: the agent that handled the call (a UUID).
    pub agent_id: String,
    /// `agentName`: the agent's display name, e.g. `"Sales Agent"`.
    pub agent_name: String,
    /// `conversationId`: the conversation the call belongs to, e.g. `"conv_xyz789"`.
    pub conversation_id: String,
    /// `conversationType`: `"phone"` for calls.
    pub conversation_type: String,
    /// `status`: `"completed"`, `"failed"`, `"busy"` or `"no_answer"` in the documented examples.
    pub status: String,
    /// `outcome`: e.g. `"resolved"`; `null` for calls that did not connect.
    pub outcome: Option<String>,
    /// `summary`: the agent's summary of the conversation, when there is one.
    pub summary: Option<String>,
    /// `duration`: call length in whole seconds (`0` when the call never connected).
    pub duration: Option<u64>,
    /// `direction`: `"inbound"` or `"outbound"`.
    pub direction: Option<String>,
    /// `agentNumber`: the agent's phone number in E.164 form, e.g. `"+14155551234"`.
    pub agent_number: Option<String>,
    /// `twilioCallSid`: the Twilio call SID, when the call reached Twilio.
    pub twilio_call_sid: Option<String>,
    /// `callMetadata`: who was called and why.
    pub call_metadata: Option<CallMetadata>,
    /// `metadata`: free-form contact information (`contactName`, `contactPhone`,
    /// `contactEmail`, …); empty when absent.
    #[serde(default)]
    pub metadata: Map<String, Value>,
    /// `organizationId`: the Heppu organization, e.g. `"org_abc123"`.
    pub organization_id: String,
    /// Any field not listed above, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `callMetadata` of a call event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallMetadata {
    /// `customer`: who the call was with.
    pub customer: Option<Customer>,
    /// `context`: the campaign the call is part of and its retry bookkeeping.
    pub context: Option<CallContext>,
    /// `custom`: your own key-value data attached when the call was scheduled, e.g. `orderId`.
    pub custom: Option<Map<String, Value>>,
    /// Any field not listed above, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `callMetadata.customer`: the person called.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Customer {
    /// `name`, e.g. `"John Doe"`.
    pub name: Option<String>,
    /// `company`, e.g. `"Acme Corp"`.
    pub company: Option<String>,
    /// Any field not listed above, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `callMetadata.context`: the campaign behind a call.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallContext {
    /// `campaignType`, e.g. `"customer_support"`, `"outbound_sales"`, `"appointment_reminder"`,
    /// `"follow_up"`.
    pub campaign_type: Option<String>,
    /// `priority`, e.g. `"normal"` or `"high"`.
    pub priority: Option<String>,
    /// `previousAttempts`: how many times this contact was called before.
    pub previous_attempts: Option<u64>,
    /// `maxAttempts`: how many attempts the campaign allows.
    pub max_attempts: Option<u64>,
    /// Any field not listed above, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The payload of the three chat events (`chat.completed`, `chat.resolved`, `chat.abandoned`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatEvent {
    /// `event`: the event type, e.g. `"chat.resolved"`.
    pub event: String,
    /// `timestamp`: when the event happened, ISO 8601 as sent (e.g. `"2024-12-01T12:00:00Z"`).
    pub timestamp: String,
    /// `webhookId`: the delivery id, also sent in the `X-Webhook-ID` header (e.g. `"whd_mno345"`).
    pub webhook_id: String,
    /// `agentId`: the agent that handled the chat (a UUID).
    pub agent_id: String,
    /// `agentName`: the agent's display name, e.g. `"Support Bot"`.
    pub agent_name: String,
    /// `conversationId`: the chat conversation, e.g. `"conv_chat789"`.
    pub conversation_id: String,
    /// `conversationType`: `"chat"` for chats.
    pub conversation_type: String,
    /// `status`: `"completed"` in all documented chat examples.
    pub status: String,
    /// `outcome`: e.g. `"ongoing"`, `"resolved"`, `"auto_completed_inactive"`.
    pub outcome: Option<String>,
    /// `summary`: the agent's summary of the conversation, when there is one.
    pub summary: Option<String>,
    /// `duration`: chat length in whole seconds.
    pub duration: Option<u64>,
    /// `messageCount`: number of messages exchanged.
    pub message_count: Option<u64>,
    /// `chatMetadata`: widget, resolution, feedback, cost and timing of the chat.
    pub chat_metadata: Option<ChatMetadata>,
    /// `metadata`: free-form visitor information (`visitorId`, `ipAddress`, `userAgent`,
    /// `referrer`, `contactEmail`, …); empty when absent.
    #[serde(default)]
    pub metadata: Map<String, Value>,
    /// `organizationId`: the Heppu organization, e.g. `"org_abc123"`.
    pub organization_id: String,
    /// Any field not listed above, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `chatMetadata` of a chat event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChatMetadata {
    /// `widgetId`: the chat widget the conversation came through, e.g. `"widget_abc123"`.
    pub widget_id: Option<String>,
    /// `resolved`: whether the user's issue was resolved.
    pub resolved: Option<bool>,
    /// `feedback`: the user's rating, when they left one.
    pub feedback: Option<Feedback>,
    /// `totalCost`: what the conversation cost, e.g. `0.0023` (the docs give no currency).
    pub total_cost: Option<f64>,
    /// `toolsUsed`: tools the agent called, e.g. `["knowledge_base", "pricing_lookup"]`; empty
    /// when absent.
    #[serde(default)]
    pub tools_used: Vec<String>,
    /// `firstMessageAt`: time of the first message, ISO 8601 as sent.
    pub first_message_at: Option<String>,
    /// `lastMessageAt`: time of the last message, ISO 8601 as sent.
    pub last_message_at: Option<String>,
    /// `goal`: the conversation goal and whether it was achieved.
    pub goal: Option<Goal>,
    /// Any field not listed above, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `chatMetadata.feedback`: what the user thought of the chat.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Feedback {
    /// `rating`, e.g. `5`.
    pub rating: Option<u64>,
    /// `comment`, e.g. `"Very helpful, thank you!"`.
    pub comment: Option<String>,
    /// Any field not listed above, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `chatMetadata.goal`: the goal of the conversation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Goal {
    /// `achieved`: whether the goal was reached.
    pub achieved: Option<bool>,
    /// `type`: the kind of goal, e.g. `"password_reset"`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Any field not listed above, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Event {
    /// The wire name of the event type, e.g. `"call.no-answer"`; for [`Event::Unknown`], the
    /// `"event"` field as sent.
    #[must_use]
    pub fn event_type(&self) -> &str {
        match self {
            Event::CallCompleted(_) => "call.completed",
            Event::CallFailed(_) => "call.failed",
            Event::CallBusy(_) => "call.busy",
            Event::CallNoAnswer(_) => "call.no-answer",
            Event::ChatCompleted(_) => "chat.completed",
            Event::ChatResolved(_) => "chat.resolved",
            Event::ChatAbandoned(_) => "chat.abandoned",
            Event::Unknown(unknown) => &unknown.event,
        }
    }

    /// The `conversationId` of the call or chat; for [`Event::Unknown`], its `"conversationId"`
    /// field if that is a string.
    #[must_use]
    pub fn conversation_id(&self) -> Option<&str> {
        match self {
            Event::CallCompleted(call)
            | Event::CallFailed(call)
            | Event::CallBusy(call)
            | Event::CallNoAnswer(call) => Some(&call.conversation_id),
            Event::ChatCompleted(chat) | Event::ChatResolved(chat) | Event::ChatAbandoned(chat) => {
                Some(&chat.conversation_id)
            }
            Event::Unknown(unknown) => unknown.payload.get("conversationId")?.as_str(),
        }
    }

    /// The call payload, if this is one of the four call events.
    #[must_use]
    pub fn as_call(&self) -> Option<&CallEvent> {
        match self {
            Event::CallCompleted(call)
            | Event::CallFailed(call)
            | Event::CallBusy(call)
            | Event::CallNoAnswer(call) => Some(call),
            _ => None,
        }
    }

    /// The chat payload, if this is one of the three chat events.
    #[must_use]
    pub fn as_chat(&self) -> Option<&ChatEvent> {
        match self {
            Event::ChatCompleted(chat) | Event::ChatResolved(chat) | Event::ChatAbandoned(chat) => {
                Some(chat)
            }
            _ => None,
        }
    }
}

/// Parses a documented event's payload into its struct, reporting errors as the caller's
/// deserializer error type.
fn typed<T: DeserializeOwned, E: de::Error>(
    event: &str,
    payload: Map<String, Value>,
) -> Result<T, E> {
    T::deserialize(Value::Object(payload))
        .map_err(|e| E::custom(format_args!("invalid `{event}` event: {e}")))
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let payload = Map::<String, Value>::deserialize(deserializer)?;
        let event = match payload.get("event") {
            Some(Value::String(event)) => event.clone(),
            Some(other) => {
                return Err(de::Error::custom(format_args!(
                    "`event` must be a string, found {other}"
                )));
            }
            None => return Err(de::Error::missing_field("event")),
        };
        Ok(match event.as_str() {
            "call.completed" => Event::CallCompleted(typed(&event, payload)?),
            "call.failed" => Event::CallFailed(typed(&event, payload)?),
            "call.busy" => Event::CallBusy(typed(&event, payload)?),
            "call.no-answer" => Event::CallNoAnswer(typed(&event, payload)?),
            "chat.completed" => Event::ChatCompleted(typed(&event, payload)?),
            "chat.resolved" => Event::ChatResolved(typed(&event, payload)?),
            "chat.abandoned" => Event::ChatAbandoned(typed(&event, payload)?),
            _ => Event::Unknown(UnknownEvent {
                event,
                payload: Value::Object(payload),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALL_COMPLETED: &str = include_str!("../../samples/heppu/call.completed.json");
    const CALL_FAILED: &str = include_str!("../../samples/heppu/call.failed.json");
    const CALL_BUSY: &str = include_str!("../../samples/heppu/call.busy.json");
    const CALL_NO_ANSWER: &str = include_str!("../../samples/heppu/call.no-answer.json");
    const CHAT_COMPLETED: &str = include_str!("../../samples/heppu/chat.completed.json");
    const CHAT_RESOLVED: &str = include_str!("../../samples/heppu/chat.resolved.json");
    const CHAT_ABANDONED: &str = include_str!("../../samples/heppu/chat.abandoned.json");

    fn parse(json: &str) -> Event {
        serde_json::from_str(json).expect("sample parses")
    }

    #[test]
    fn every_sample_lands_in_its_variant() {
        let cases = [
            ("call.completed", CALL_COMPLETED),
            ("call.failed", CALL_FAILED),
            ("call.busy", CALL_BUSY),
            ("call.no-answer", CALL_NO_ANSWER),
            ("chat.completed", CHAT_COMPLETED),
            ("chat.resolved", CHAT_RESOLVED),
            ("chat.abandoned", CHAT_ABANDONED),
        ];
        for (name, json) in cases {
            let event = parse(json);
            assert_eq!(event.event_type(), name);
            assert!(!matches!(event, Event::Unknown(_)), "{name} is typed");
            let is_call = name.starts_with("call.");
            assert_eq!(event.as_call().is_some(), is_call, "{name}");
            assert_eq!(event.as_chat().is_some(), !is_call, "{name}");
            if let Some(call) = event.as_call() {
                assert_eq!(call.event, name);
                assert!(call.extra.is_empty(), "{name}: {:?}", call.extra);
            }
            if let Some(chat) = event.as_chat() {
                assert_eq!(chat.event, name);
                assert!(chat.extra.is_empty(), "{name}: {:?}", chat.extra);
            }
        }
    }

    #[test]
    fn call_completed() {
        let Event::CallCompleted(call) = parse(CALL_COMPLETED) else {
            panic!("wrong variant");
        };
        assert_eq!(call.timestamp, "2024-12-01T12:00:00Z");
        assert_eq!(call.webhook_id, "whd_abc123");
        assert_eq!(call.agent_id, "550e8400-e29b-41d4-a716-446655440000");
        assert_eq!(call.agent_name, "Sales Agent");
        assert_eq!(call.conversation_id, "conv_xyz789");
        assert_eq!(call.conversation_type, "phone");
        assert_eq!(call.status, "completed");
        assert_eq!(call.outcome.as_deref(), Some("resolved"));
        assert!(
            call.summary
                .as_deref()
                .unwrap()
                .starts_with("Customer called")
        );
        assert_eq!(call.duration, Some(125));
        assert_eq!(call.direction.as_deref(), Some("inbound"));
        assert_eq!(call.agent_number.as_deref(), Some("+14155551234"));
        assert_eq!(call.twilio_call_sid.as_deref(), Some("CA1234567890abcdef"));
        assert_eq!(call.organization_id, "org_abc123");

        let meta = call.call_metadata.as_ref().unwrap();
        let customer = meta.customer.as_ref().unwrap();
        assert_eq!(customer.name.as_deref(), Some("John Doe"));
        assert_eq!(customer.company.as_deref(), Some("Acme Corp"));
        let context = meta.context.as_ref().unwrap();
        assert_eq!(context.campaign_type.as_deref(), Some("customer_support"));
        assert_eq!(context.priority.as_deref(), Some("normal"));
        assert_eq!(context.previous_attempts, None);
        assert_eq!(context.max_attempts, None);
        let custom = meta.custom.as_ref().unwrap();
        assert_eq!(custom["orderId"], "ORD-12345");
        assert_eq!(custom["accountManager"], "Jane Smith");
        assert!(meta.extra.is_empty());

        assert_eq!(call.metadata["contactName"], "John Doe");
        assert_eq!(call.metadata["contactPhone"], "+1234567890");
        assert_eq!(call.metadata["contactEmail"], "john@example.com");
    }

    #[test]
    fn call_failed_busy_no_answer() {
        let Event::CallFailed(failed) = parse(CALL_FAILED) else {
            panic!("wrong variant");
        };
        assert_eq!(failed.status, "failed");
        assert_eq!(failed.outcome, None);
        assert_eq!(failed.summary, None);
        assert_eq!(failed.duration, Some(0));
        assert_eq!(failed.direction.as_deref(), Some("outbound"));
        assert_eq!(
            failed.twilio_call_sid.as_deref(),
            Some("CA0987654321fedcba")
        );
        let context = failed.call_metadata.unwrap().context.unwrap();
        assert_eq!(context.campaign_type.as_deref(), Some("outbound_sales"));
        assert_eq!(context.priority.as_deref(), Some("high"));
        assert_eq!(context.previous_attempts, Some(0));

        let Event::CallBusy(busy) = parse(CALL_BUSY) else {
            panic!("wrong variant");
        };
        assert_eq!(busy.conversation_id, "conv_busy123");
        assert_eq!(busy.agent_name, "Appointment Reminder");
        assert_eq!(busy.status, "busy");
        assert_eq!(busy.twilio_call_sid, None);
        let meta = busy.call_metadata.unwrap();
        assert_eq!(meta.customer, None);
        assert_eq!(meta.custom, None);
        assert_eq!(meta.context.unwrap().previous_attempts, Some(1));
        assert_eq!(busy.metadata["contactName"], "Bob Wilson");

        let Event::CallNoAnswer(no_answer) = parse(CALL_NO_ANSWER) else {
            panic!("wrong variant");
        };
        assert_eq!(no_answer.status, "no_answer");
        assert_eq!(no_answer.duration, Some(30));
        let context = no_answer.call_metadata.unwrap().context.unwrap();
        assert_eq!(context.campaign_type.as_deref(), Some("follow_up"));
        assert_eq!(context.previous_attempts, Some(2));
        assert_eq!(context.max_attempts, Some(3));
    }

    #[test]
    fn chat_completed() {
        let Event::ChatCompleted(chat) = parse(CHAT_COMPLETED) else {
            panic!("wrong variant");
        };
        assert_eq!(chat.webhook_id, "whd_mno345");
        assert_eq!(chat.conversation_id, "conv_chat789");
        assert_eq!(chat.conversation_type, "chat");
        assert_eq!(chat.outcome.as_deref(), Some("ongoing"));
        assert_eq!(chat.duration, Some(180));
        assert_eq!(chat.message_count, Some(8));
        let meta = chat.chat_metadata.unwrap();
        assert_eq!(meta.widget_id.as_deref(), Some("widget_abc123"));
        assert_eq!(meta.resolved, Some(false));
        assert_eq!(meta.feedback, None);
        assert_eq!(meta.goal, None);
        assert_eq!(meta.total_cost, Some(0.0023));
        assert_eq!(meta.tools_used, ["knowledge_base", "pricing_lookup"]);
        assert_eq!(
            meta.first_message_at.as_deref(),
            Some("2024-12-01T11:57:00Z")
        );
        assert_eq!(
            meta.last_message_at.as_deref(),
            Some("2024-12-01T12:00:00Z")
        );
        assert_eq!(chat.metadata["visitorId"], "visitor_xyz789");
        assert_eq!(chat.metadata["referrer"], "https://example.com/pricing");
    }

    #[test]
    fn chat_resolved() {
        let Event::ChatResolved(chat) = parse(CHAT_RESOLVED) else {
            panic!("wrong variant");
        };
        assert_eq!(chat.conversation_id, "conv_resolved123");
        assert_eq!(chat.outcome.as_deref(), Some("resolved"));
        assert_eq!(chat.duration, Some(240));
        assert_eq!(chat.message_count, Some(12));
        let meta = chat.chat_metadata.unwrap();
        assert_eq!(meta.resolved, Some(true));
        let feedback = meta.feedback.unwrap();
        assert_eq!(feedback.rating, Some(5));
        assert_eq!(
            feedback.comment.as_deref(),
            Some("Very helpful, thank you!")
        );
        assert_eq!(meta.total_cost, Some(0.0045));
        assert_eq!(meta.tools_used, ["password_reset", "account_verification"]);
        let goal = meta.goal.unwrap();
        assert_eq!(goal.achieved, Some(true));
        assert_eq!(goal.kind.as_deref(), Some("password_reset"));
        assert_eq!(chat.metadata["contactEmail"], "user@example.com");
    }

    #[test]
    fn chat_abandoned() {
        let Event::ChatAbandoned(chat) = parse(CHAT_ABANDONED) else {
            panic!("wrong variant");
        };
        assert_eq!(chat.timestamp, "2024-12-01T12:30:00Z");
        assert_eq!(chat.outcome.as_deref(), Some("auto_completed_inactive"));
        assert_eq!(chat.duration, Some(1800));
        assert_eq!(chat.message_count, Some(4));
        let meta = chat.chat_metadata.unwrap();
        assert_eq!(meta.tools_used, ["product_catalog"]);
        assert_eq!(meta.total_cost, Some(0.0012));
    }

    #[test]
    fn unknown_event_keeps_its_payload() {
        let json = r#"{
            "event": "chat.message.received",
            "timestamp": "2024-12-01T12:00:00Z",
            "conversationId": "conv_msg1",
            "message": { "role": "user", "text": "Hello" }
        }"#;
        let event = parse(json);
        assert_eq!(event.event_type(), "chat.message.received");
        assert_eq!(event.conversation_id(), Some("conv_msg1"));
        assert_eq!(event.as_call(), None);
        assert_eq!(event.as_chat(), None);
        let Event::Unknown(unknown) = event else {
            panic!("wrong variant");
        };
        assert_eq!(unknown.event, "chat.message.received");
        assert_eq!(
            unknown.payload,
            serde_json::from_str::<Value>(json).unwrap()
        );
        assert_eq!(unknown.payload["message"]["text"], "Hello");

        let bare = parse(r#"{"event": "call.transferred"}"#);
        assert_eq!(bare.event_type(), "call.transferred");
        assert_eq!(bare.conversation_id(), None);
    }

    #[test]
    fn unknown_fields_are_kept_at_every_level() {
        let mut value: Value = serde_json::from_str(CHAT_RESOLVED).unwrap();
        value["sentiment"] = "positive".into();
        value["chatMetadata"]["language"] = "fi".into();
        value["chatMetadata"]["goal"]["attempts"] = 2.into();
        value["chatMetadata"]["feedback"]["channel"] = "widget".into();
        let Event::ChatResolved(chat) = serde_json::from_value(value).unwrap() else {
            panic!("wrong variant");
        };
        assert_eq!(chat.extra.len(), 1);
        assert_eq!(chat.extra["sentiment"], "positive");
        let meta = chat.chat_metadata.unwrap();
        assert_eq!(meta.extra["language"], "fi");
        assert_eq!(meta.goal.unwrap().extra["attempts"], 2);
        assert_eq!(meta.feedback.unwrap().extra["channel"], "widget");

        let mut value: Value = serde_json::from_str(CALL_COMPLETED).unwrap();
        value["recordingUrl"] = "https://example.com/rec/1".into();
        value["callMetadata"]["context"]["timezone"] = "Europe/Helsinki".into();
        value["callMetadata"]["customer"]["tier"] = "gold".into();
        let Event::CallCompleted(call) = serde_json::from_value(value).unwrap() else {
            panic!("wrong variant");
        };
        assert_eq!(call.extra["recordingUrl"], "https://example.com/rec/1");
        let meta = call.call_metadata.unwrap();
        assert_eq!(meta.context.unwrap().extra["timezone"], "Europe/Helsinki");
        assert_eq!(meta.customer.unwrap().extra["tier"], "gold");
    }

    #[test]
    fn documented_nulls_and_omissions_are_accepted() {
        let minimal = r#"{
            "event": "chat.completed",
            "timestamp": "2024-12-01T12:00:00Z",
            "webhookId": "whd_1",
            "agentId": "a",
            "agentName": "Bot",
            "conversationId": "conv_1",
            "conversationType": "chat",
            "status": "completed",
            "outcome": null,
            "summary": null,
            "duration": null,
            "organizationId": "org_1"
        }"#;
        let Event::ChatCompleted(chat) = parse(minimal) else {
            panic!("wrong variant");
        };
        assert_eq!(chat.outcome, None);
        assert_eq!(chat.summary, None);
        assert_eq!(chat.duration, None);
        assert_eq!(chat.message_count, None);
        assert_eq!(chat.chat_metadata, None);
        assert!(chat.metadata.is_empty());

        let meta: ChatMetadata = serde_json::from_str("{}").unwrap();
        assert!(meta.tools_used.is_empty());
    }

    #[test]
    fn malformed_payloads_are_errors() {
        for (json, needle) in [
            ("[]", "map"),
            (r#"{"conversationId": "c"}"#, "missing field `event`"),
            (r#"{"event": 7}"#, "`event` must be a string"),
            (r#"{"event": "call.busy"}"#, "invalid `call.busy` event"),
        ] {
            let err = serde_json::from_str::<Event>(json).unwrap_err().to_string();
            assert!(err.contains(needle), "{json}: {err}");
        }

        // A documented event with a field of the wrong type is an error, not `Unknown`.
        let mut value: Value = serde_json::from_str(CALL_COMPLETED).unwrap();
        value["duration"] = "125 seconds".into();
        let err = serde_json::from_value::<Event>(value).unwrap_err();
        assert!(err.to_string().contains("call.completed"), "{err}");
    }
}
