//! The seed senders, the profiles the crate started with: Heppu AI ([`Scheme::heppu`]),
//! Helix ([`Scheme::helix`]) and Helicone ([`Scheme::helicone`]).

use crate::scheme::{Scheme, SignedPart, TimestampUnit};

impl Scheme {
    /// Heppu AI (voice and chat agents).
    ///
    /// `X-Webhook-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`; `X-Webhook-Timestamp`
    /// in unix **seconds** (not part of the signed message, but still checked against the
    /// tolerance); `X-Webhook-ID` is the delivery id used for deduplication; `X-Webhook-Event` the
    /// event type (`call.completed`, …). Heppu retries immediately, then after 1 min, 5 min,
    /// 15 min and 1 h, and times out after 30 s.
    pub fn heppu() -> Scheme {
        Scheme::builtin("heppu")
            .signature_header("x-webhook-signature-256")
            .signature_prefix("sha256=")
            .timestamp_header("x-webhook-timestamp", TimestampUnit::Seconds)
            .id_header("x-webhook-id")
            .event_header("x-webhook-event")
            .build()
            .expect("built-in scheme is valid")
    }

    /// Helix data feeds.
    ///
    /// `X-Webhook-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` where the timestamp is
    /// the `X-Webhook-Timestamp` header in unix **milliseconds**, exactly as sent. The delivery id
    /// is `X-Webhook-Event-ID` (the event); note that Helix's `X-Webhook-ID` names the webhook
    /// *configuration*, not the delivery, and is not used for deduplication. Helix retries after
    /// 1 min, 5 min, 15 min, 1 h and 6 h (the last about 7.4 h after the first attempt).
    pub fn helix() -> Scheme {
        Scheme::builtin("helix")
            .signature_header("x-webhook-signature")
            .signature_prefix("v1=")
            .timestamp_header("x-webhook-timestamp", TimestampUnit::Milliseconds)
            .id_header("x-webhook-event-id")
            .signed_parts([
                SignedPart::Timestamp,
                SignedPart::literal("."),
                SignedPart::Body,
            ])
            .build()
            .expect("built-in scheme is valid")
    }

    /// Helicone (LLM observability).
    ///
    /// `Helicone-Signature` (also sent as `X-Helicone-Signature`): bare hex HMAC-SHA256 of the
    /// JSON body. Helicone sends no timestamp, so replays are caught only by deduplication; the
    /// delivery id is `request_id` inside the body. Helicone times out after 2 minutes and asks for
    /// a 200 within seconds.
    pub fn helicone() -> Scheme {
        Scheme::builtin("helicone")
            .signature_header("helicone-signature")
            .signature_header("x-helicone-signature")
            .id_json_field("request_id")
            .build()
            .expect("built-in scheme is valid")
    }
}
