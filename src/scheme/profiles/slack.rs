//! Slack: [`Scheme::slack`].

use crate::scheme::{Scheme, SignedPart, TimestampUnit};

impl Scheme {
    /// Slack request signing (Events API, slash commands, interactivity).
    ///
    /// `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">` with
    /// `X-Slack-Request-Timestamp` in unix **seconds**. Bodies may be JSON or form-encoded; the
    /// event type is the JSON body's top-level `type` where there is one (`event_callback`,
    /// `url_verification`).
    ///
    /// Slack sends no delivery id header, and re-signs each retry with a new timestamp, so the
    /// signature of a retry differs from the first attempt's. The delivery id is therefore the
    /// body's top-level `event_id` where there is one: Slack's Events API documentation
    /// (<https://docs.slack.dev/apis/events-api/>, on failed deliveries and retries) has each
    /// retry of an event callback carry `X-Slack-Retry-Num` and `X-Slack-Retry-Reason` with the
    /// same event, whose wrapper's `event_id` identifies it
    /// (<https://api.slack.com/types/event>). The id is read from the signed body, so it alone is
    /// the deduplication key. Slash commands and interactivity payloads (form-encoded) and the
    /// `url_verification` handshake carry no `event_id`: they have no id
    /// ([`SchemeBuilder::id_optional`](crate::scheme::SchemeBuilder::id_optional)) and are
    /// deduplicated on their signature. Answer the verified `url_verification` with
    /// [`handshake::slack`](crate::handshake::slack).
    pub fn slack() -> Scheme {
        Scheme::builtin("slack")
            .signature_header("x-slack-signature")
            .signature_prefix("v0=")
            .timestamp_header("x-slack-request-timestamp", TimestampUnit::Seconds)
            .id_json_field("event_id")
            .id_optional()
            .event_json_field("type")
            .signed_parts([
                SignedPart::literal("v0:"),
                SignedPart::Timestamp,
                SignedPart::literal(":"),
                SignedPart::Body,
            ])
            .build()
            .expect("built-in scheme is valid")
    }
}
