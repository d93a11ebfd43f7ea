//! PagerDuty: [`Scheme::pagerduty`].

use crate::scheme::{Scheme, Source};

impl Scheme {
    /// PagerDuty V3 webhook subscriptions (Generic Webhooks V3).
    ///
    /// From PagerDuty's developer documentation, "Verifying Signatures" and "Behavior"
    /// (<https://developer.pagerduty.com/docs/webhooks-overview>; sources
    /// `docs/webhooks/04-Signatures.md` and `docs/webhooks/02-Behavior.md` of
    /// `PagerDuty/developer-docs`): `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`, each
    /// entry the hex HMAC-SHA256 of the raw body keyed with the subscription's signing
    /// secret, used as is (build it with [`Secret::new`](crate::Secret::new)). PagerDuty
    /// sends one entry per signing secret, so that a secret can be rotated without downtime;
    /// the delivery is genuine when at least one matches. Entries of other versions are
    /// ignored.
    ///
    /// PagerDuty sends no timestamp: replays are caught by deduplication only. The delivery
    /// id is the `X-Webhook-Id` header, which PagerDuty's "At-Least-Once Delivery" names as
    /// the deduplication key ("unique to the webhook but repeated for each delivery
    /// attempt"); a delivery without it is keyed on the event's `event.id` in the signed body.
    /// The event type is `event.event_type` (`incident.triggered`, …) of the body
    /// `{"event": {"id", "event_type", "resource_type", "occurred_at", "agent", "client",
    /// "data"}}`. PagerDuty expects a `2xx` within 5 seconds and retries up to 4 times (5
    /// attempts) with exponential backoff over about 20 minutes, on timeouts, `5xx` and
    /// `429`; other `4xx` answers drop the webhook.
    pub fn pagerduty() -> Scheme {
        Scheme::builtin("pagerduty")
            .signature_header("x-pagerduty-signature")
            .signature_list(',', "v1=")
            .id_first_of([
                Source::Header("x-webhook-id"),
                Source::JsonField("event.id"),
            ])
            .event_json_field("event.event_type")
            .build()
            .expect("built-in scheme is valid")
    }
}
