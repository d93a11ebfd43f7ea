//! Helicone request webhooks.
//!
//! Helicone posts one [`Delivery`] per completed LLM request (subject to the webhook's sample
//! rate and property filters). Two shapes are documented:
//!
//! - the standard payload: `request_id`, `user_id` (only if set on the original request),
//!   `request_body` and `response_body`;
//! - the enhanced payload, sent when the webhook's "include data" setting is on (the default):
//!   the same fields plus `request_response_url`, `model`, `provider` and a `metadata` object with
//!   cost, token counts and latency.
//!
//! Both parse into [`Delivery`]; everything but `request_id` is optional.
//!
//! Limits from Helicone's documentation:
//!
//! - `request_body` and `response_body` are **truncated at 10 KB**, so they may not be valid JSON;
//!   fetch `request_response_url` for the complete data.
//! - `request_response_url` **expires 30 minutes** after the delivery, so fetch it promptly (or
//!   enqueue the fetch) rather than storing the URL for later.
//! - Helicone retries failed deliveries with exponential backoff, so the same `request_id` can
//!   arrive more than once; use it as the idempotency key.

use serde::Deserialize;
use serde_json::{Map, Value};

/// One Helicone webhook delivery: a completed LLM request.
///
/// ```
/// use webhook_guard::events::helicone::Delivery;
///
/// let body = r#"{
///     "request_id": "550e8400-e29b-41d4-a716-446655440000",
///     "request_body": "{\"model\":\"gpt-4o-mini\",\"messages\":[…",
///     "response_body": "{\"id\":\"chatcmpl-1\",\"choices\":[…",
///     "model": "gpt-4o-mini",
///     "metadata": { "cost": 0.0015, "totalTokens": 25, "latencyMs": 1200 }
/// }"#;
/// let delivery: Delivery = serde_json::from_str(body)?;
/// assert_eq!(delivery.request_id, "550e8400-e29b-41d4-a716-446655440000");
/// assert_eq!(delivery.user_id, None); // only sent when set on the original request
/// let metadata = delivery.metadata.as_ref().unwrap();
/// assert_eq!(metadata.latency_ms, Some(1200));
/// assert_eq!(metadata.prompt_tokens, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Delivery {
    /// `request_id`: the Helicone request this delivery is about (a UUID). Stable across retries
    /// of the same delivery, so it is the key to deduplicate on. `requestId` is accepted too.
    #[serde(alias = "requestId")]
    pub request_id: String,
    /// `user_id`: the user id set on the original request; absent when none was set.
    pub user_id: Option<String>,
    /// `request_body`: the request sent to the LLM provider, as a string **truncated at 10 KB**.
    pub request_body: Option<String>,
    /// `response_body`: the provider's response, as a string **truncated at 10 KB**.
    pub response_body: Option<String>,
    /// `request_response_url`: a URL serving the complete, untruncated request and response as
    /// one JSON object (`{"request": …, "response": …}`). It **expires 30 minutes** after the
    /// delivery. Enhanced payload only.
    pub request_response_url: Option<String>,
    /// `model`: the model used, e.g. `"gpt-4o-mini"`. Enhanced payload only.
    pub model: Option<String>,
    /// `provider`: the LLM provider, e.g. `"openai"`. Enhanced payload only.
    pub provider: Option<String>,
    /// `metadata`: cost, token counts and latency of the request. Enhanced payload only.
    pub metadata: Option<Metadata>,
    /// Any field not listed above, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `metadata` of an enhanced [`Delivery`]: what the request cost and how long it took.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Metadata {
    /// `cost`: the request's cost as computed by Helicone, e.g. `0.0015` (the webhook docs do not
    /// name a currency).
    pub cost: Option<f64>,
    /// `promptTokens`: tokens in the prompt.
    #[serde(rename = "promptTokens")]
    pub prompt_tokens: Option<u64>,
    /// `completionTokens`: tokens in the completion.
    #[serde(rename = "completionTokens")]
    pub completion_tokens: Option<u64>,
    /// `totalTokens`: prompt plus completion tokens.
    #[serde(rename = "totalTokens")]
    pub total_tokens: Option<u64>,
    /// `latencyMs`: the request's latency in milliseconds.
    #[serde(rename = "latencyMs")]
    pub latency_ms: Option<u64>,
    /// Any field not listed above, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const DELIVERY: &str = include_str!("../../samples/helicone/delivery.json");
    const STANDARD: &str = include_str!("../../samples/helicone/standard.json");

    #[test]
    fn enhanced_payload() {
        let d: Delivery = serde_json::from_str(DELIVERY).unwrap();
        assert_eq!(d.request_id, "550e8400-e29b-41d4-a716-446655440000");
        assert_eq!(d.user_id.as_deref(), Some("user-123"));
        assert_eq!(d.request_body.as_deref(), Some("truncated-request-data"));
        assert_eq!(d.response_body.as_deref(), Some("truncated-response-data"));
        assert_eq!(
            d.request_response_url.as_deref(),
            Some("https://s3-url-containing-full-data")
        );
        assert_eq!(d.model.as_deref(), Some("gpt-4o-mini"));
        assert_eq!(d.provider.as_deref(), Some("openai"));
        assert!(d.extra.is_empty());
        let m = d.metadata.unwrap();
        assert_eq!(m.cost, Some(0.0015));
        assert_eq!(m.prompt_tokens, Some(10));
        assert_eq!(m.completion_tokens, Some(15));
        assert_eq!(m.total_tokens, Some(25));
        assert_eq!(m.latency_ms, Some(1200));
        assert!(m.extra.is_empty());
    }

    #[test]
    fn standard_payload() {
        let d: Delivery = serde_json::from_str(STANDARD).unwrap();
        assert_eq!(d.request_id, "550e8400-e29b-41d4-a716-446655440000");
        assert_eq!(d.user_id.as_deref(), Some("user-123"));
        assert_eq!(d.request_body.as_deref(), Some("truncated-request-data"));
        assert_eq!(d.response_body.as_deref(), Some("truncated-response-data"));
        assert_eq!(d.request_response_url, None);
        assert_eq!(d.model, None);
        assert_eq!(d.provider, None);
        assert_eq!(d.metadata, None);
    }

    #[test]
    fn only_request_id_is_required() {
        let d: Delivery = serde_json::from_str(r#"{"request_id": "req-1"}"#).unwrap();
        assert_eq!(d.request_id, "req-1");
        assert_eq!(d.user_id, None);
        let d: Delivery = serde_json::from_str(r#"{"requestId": "req-2"}"#).unwrap();
        assert_eq!(d.request_id, "req-2");
        let err = serde_json::from_str::<Delivery>(r#"{"user_id": "u"}"#).unwrap_err();
        assert!(err.to_string().contains("request_id"), "{err}");
    }

    #[test]
    fn unknown_fields_are_kept() {
        let mut value: Value = serde_json::from_str(DELIVERY).unwrap();
        value["properties"] = serde_json::json!({ "environment": "production" });
        value["metadata"]["cachedTokens"] = 4.into();
        let d: Delivery = serde_json::from_value(value).unwrap();
        assert_eq!(d.extra["properties"]["environment"], "production");
        let m = d.metadata.unwrap();
        assert_eq!(m.extra["cachedTokens"], 4);
        assert_eq!(m.latency_ms, Some(1200));
    }
}
