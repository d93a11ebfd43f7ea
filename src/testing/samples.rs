//! Sample payloads of the built-in senders, embedded from the crate's `samples/` directory.
//!
//! The Heppu and Helicone samples are the examples from the senders' own webhook documentation,
//! unchanged apart from formatting (and, for Helicone, the removal of a `//` comment that made the
//! documented example invalid JSON). Helix documents no payload body, so the Helix samples are
//! invented to match the envelope assumed by
//! [`events::helix::Envelope`](crate::events::helix::Envelope).
//!
//! The samples of the other senders follow their public documentation: the Standard Webhooks
//! samples are the specification's examples unchanged; the Slack samples are the Events API
//! documentation's examples; the Stripe, GitHub and Shopify samples keep the documented envelope
//! and identifiers, with the large resource objects trimmed to a few fields. The Discord, GitLab,
//! SendGrid and PayPal samples have the fields those senders document for these events, with
//! invented values (ids, names, `example.com` addresses) and the large objects left out. The
//! Twilio sample is a form-encoded incoming SMS with the parameters Twilio documents for one,
//! with invented values (SIDs, `555` phone numbers). The Square sample has the envelope Square
//! documents for its event notifications, with invented values and the payment trimmed. The
//! HubSpot sample is a webhook batch with the fields HubSpot documents for its events, with
//! invented ids. The Twitch samples have the shape of Twitch's EventSub examples (a
//! `channel.follow` notification and a callback verification), with invented values. The Dropbox
//! sample is the notification body Dropbox documents, with invented account ids. The Mailgun
//! sample has the fields Mailgun documents for a `delivered` event, with invented values. The Zoom
//! samples are a `meeting.started` event with invented values and Zoom's own
//! `endpoint.url_validation` example.
//!
//! The crate's own tests and demo use them; use them in yours to feed a receiver realistic
//! bodies, signed with [`Delivery`](super::Delivery).
//!
//! ```
//! use webhook_guard::testing::samples;
//!
//! assert_eq!(samples::HEPPU_EVENTS.len(), 7);
//! let body = samples::heppu("call.no-answer").unwrap();
//! assert!(body.contains("\"conv_noanswer456\""));
//! assert_eq!(samples::heppu("chat.message.received"), None);
//! ```

/// Heppu `call.completed`: an inbound call that finished successfully (duration 125 s).
pub const HEPPU_CALL_COMPLETED: &str = include_str!("../../samples/heppu/call.completed.json");
/// Heppu `call.failed`: an outbound call that hit a technical error.
pub const HEPPU_CALL_FAILED: &str = include_str!("../../samples/heppu/call.failed.json");
/// Heppu `call.busy`: an outbound call to a busy line.
pub const HEPPU_CALL_BUSY: &str = include_str!("../../samples/heppu/call.busy.json");
/// Heppu `call.no-answer`: an outbound call nobody answered (second retry of three).
pub const HEPPU_CALL_NO_ANSWER: &str = include_str!("../../samples/heppu/call.no-answer.json");
/// Heppu `chat.completed`: a chat that ended without being resolved.
pub const HEPPU_CHAT_COMPLETED: &str = include_str!("../../samples/heppu/chat.completed.json");
/// Heppu `chat.resolved`: a resolved chat with a 5-star feedback and an achieved goal.
pub const HEPPU_CHAT_RESOLVED: &str = include_str!("../../samples/heppu/chat.resolved.json");
/// Heppu `chat.abandoned`: a chat auto-closed after the visitor stopped responding.
pub const HEPPU_CHAT_ABANDONED: &str = include_str!("../../samples/heppu/chat.abandoned.json");

/// Every Heppu sample as `(event type, JSON body)`, in the documentation's order.
pub const HEPPU_EVENTS: &[(&str, &str)] = &[
    ("call.completed", HEPPU_CALL_COMPLETED),
    ("call.failed", HEPPU_CALL_FAILED),
    ("call.busy", HEPPU_CALL_BUSY),
    ("call.no-answer", HEPPU_CALL_NO_ANSWER),
    ("chat.completed", HEPPU_CHAT_COMPLETED),
    ("chat.resolved", HEPPU_CHAT_RESOLVED),
    ("chat.abandoned", HEPPU_CHAT_ABANDONED),
];

/// Helicone's enhanced payload (webhook "include data" on): request and response bodies,
/// `request_response_url`, model, provider and cost / token / latency metadata.
pub const HELICONE_DELIVERY: &str = include_str!("../../samples/helicone/delivery.json");
/// Helicone's standard payload: request id, user id and the truncated bodies, no metadata.
pub const HELICONE_STANDARD: &str = include_str!("../../samples/helicone/standard.json");

/// Helix fact-check notification (invented: Helix documents no payload body).
pub const HELIX_FACT_CHECK: &str = include_str!("../../samples/helix/fact_check.json");
/// Helix news notification (invented: Helix documents no payload body).
pub const HELIX_NEWS: &str = include_str!("../../samples/helix/news.json");
/// Helix event notification (invented: Helix documents no payload body).
pub const HELIX_EVENT: &str = include_str!("../../samples/helix/event.json");

/// Stripe `setup_intent.created`: the Event object example of Stripe's API reference, with the
/// setup intent's fields trimmed.
pub const STRIPE_SETUP_INTENT_CREATED: &str =
    include_str!("../../samples/stripe/setup_intent.created.json");
/// Stripe `customer.updated` with `data.previous_attributes`, shaped after Stripe's documented
/// Event and Customer objects (trimmed).
pub const STRIPE_CUSTOMER_UPDATED: &str =
    include_str!("../../samples/stripe/customer.updated.json");

/// GitHub `ping` (sent when a webhook is created), shaped after GitHub's webhook documentation,
/// with the documentation's `octocat/Hello-World` repository.
pub const GITHUB_PING: &str = include_str!("../../samples/github/ping.json");
/// GitHub `issues` with action `opened`, shaped after GitHub's documentation (trimmed).
pub const GITHUB_ISSUES_OPENED: &str = include_str!("../../samples/github/issues.opened.json");

/// Standard Webhooks: the specification's example payload (`example.event`).
pub const STANDARD_EXAMPLE_EVENT: &str = include_str!("../../samples/standard/example.event.json");
/// Standard Webhooks: the specification's "full payload" example (`contact.created`).
pub const STANDARD_CONTACT_CREATED: &str =
    include_str!("../../samples/standard/contact.created.json");

/// Slack's `url_verification` handshake, as in the Events API documentation.
pub const SLACK_URL_VERIFICATION: &str = include_str!("../../samples/slack/url_verification.json");
/// A Slack Events API `event_callback` (an `app_mention`), as in the Events API documentation.
/// Its `event_id` (`Ev123ABC456`) is the delivery id [`Scheme::slack`](crate::Scheme::slack)
/// deduplicates on.
pub const SLACK_EVENT_CALLBACK: &str = include_str!("../../samples/slack/event_callback.json");

/// Shopify `orders/create`, shaped after Shopify's sample webhook payload (trimmed).
pub const SHOPIFY_ORDERS_CREATE: &str = include_str!("../../samples/shopify/orders.create.json");

/// Discord PING interaction (`type` 1), sent when the Interactions Endpoint URL is saved and to
/// be answered `{"type":1}`.
pub const DISCORD_PING: &str = include_str!("../../samples/discord/ping.json");
/// Discord slash command interaction (`type` 2, `APPLICATION_COMMAND`) from a guild member.
pub const DISCORD_APPLICATION_COMMAND: &str =
    include_str!("../../samples/discord/application_command.json");

/// GitLab `Push Hook`: one commit pushed to `main`.
pub const GITLAB_PUSH: &str = include_str!("../../samples/gitlab/push.json");
/// GitLab `Issue Hook`: an issue opened.
pub const GITLAB_ISSUE: &str = include_str!("../../samples/gitlab/issue.json");

/// SendGrid Event Webhook batch: `processed`, `delivered` and `open` events of one message, each
/// with its `sg_event_id`.
pub const SENDGRID_EVENTS: &str = include_str!("../../samples/sendgrid/events.json");

/// PayPal `PAYMENT.CAPTURE.COMPLETED`: the event envelope (`id` `WH-…`, `event_type`,
/// `resource_type`) around a trimmed capture.
pub const PAYPAL_PAYMENT_CAPTURE_COMPLETED: &str =
    include_str!("../../samples/paypal/payment.capture.completed.json");

/// Twilio incoming SMS: the `application/x-www-form-urlencoded` parameters Twilio POSTs to a
/// number's messaging webhook (`From`, `To`, `Body`, the message and account SIDs, the
/// geographic fields), as one line without a trailing newline.
pub const TWILIO_INCOMING_SMS: &str = include_str!("../../samples/twilio/incoming_sms.txt");

/// Square `payment.updated`: the event envelope (`merchant_id`, `type`, `event_id`,
/// `created_at`, `data` with the object's `type`, `id` and `object`) around a trimmed payment.
pub const SQUARE_PAYMENT_UPDATED: &str = include_str!("../../samples/square/payment.updated.json");

/// HubSpot webhook batch: a `contact.creation` and a `contact.propertyChange` event, each with
/// its `eventId`, `subscriptionType` and `attemptNumber`.
pub const HUBSPOT_CONTACT_EVENTS: &str =
    include_str!("../../samples/hubspot/contact.creation.json");

/// Twitch EventSub `notification` of a `channel.follow` subscription (v2): `subscription` and
/// `event`.
pub const TWITCH_CHANNEL_FOLLOW: &str = include_str!("../../samples/twitch/channel.follow.json");
/// Twitch EventSub `webhook_callback_verification`: the `challenge` to answer, and the pending
/// subscription.
pub const TWITCH_CALLBACK_VERIFICATION: &str =
    include_str!("../../samples/twitch/webhook_callback_verification.json");

/// Dropbox notification: the accounts with changes (`list_folder.accounts`) and the older
/// `delta.users`.
pub const DROPBOX_NOTIFICATION: &str = include_str!("../../samples/dropbox/list_folder.json");

/// Mailgun `delivered` event: the `signature` object (token, timestamp and a placeholder
/// signature, which signing replaces) and a trimmed `event-data`.
pub const MAILGUN_DELIVERED: &str = include_str!("../../samples/mailgun/delivered.json");

/// Zoom `meeting.started`: `event`, `event_ts` (milliseconds) and the meeting in `payload`.
pub const ZOOM_MEETING_STARTED: &str = include_str!("../../samples/zoom/meeting.started.json");
/// Zoom `endpoint.url_validation`: the `payload.plainToken` to answer (Zoom's documented
/// example).
pub const ZOOM_URL_VALIDATION: &str =
    include_str!("../../samples/zoom/endpoint.url_validation.json");

/// The Heppu sample for an event type such as `"call.no-answer"`, or `None` if there is no sample
/// for it.
#[must_use]
pub fn heppu(event: &str) -> Option<&'static str> {
    HEPPU_EVENTS
        .iter()
        .find(|(name, _)| *name == event)
        .map(|(_, body)| *body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{helicone, helix, heppu};

    #[test]
    fn heppu_samples_match_their_names() {
        assert_eq!(HEPPU_EVENTS.len(), 7);
        for (name, body) in HEPPU_EVENTS {
            let event: heppu::Event = serde_json::from_str(body).unwrap();
            assert_eq!(event.event_type(), *name);
            assert!(!matches!(event, heppu::Event::Unknown(_)));
            assert_eq!(super::heppu(name), Some(*body));
        }
        assert_eq!(super::heppu("call.completed"), Some(HEPPU_CALL_COMPLETED));
        assert_eq!(super::heppu("call.no_answer"), None);
    }

    #[test]
    fn sender_samples_parse_into_their_envelopes() {
        use crate::events::{github, standard, stripe};
        for (body, kind) in [
            (STRIPE_SETUP_INTENT_CREATED, "setup_intent.created"),
            (STRIPE_CUSTOMER_UPDATED, "customer.updated"),
        ] {
            let e: stripe::Event = serde_json::from_str(body).unwrap();
            assert_eq!(e.event_type, kind);
            assert!(e.id.starts_with("evt_"));
            assert_eq!(e.extra["object"], "event");
        }
        for body in [GITHUB_PING, GITHUB_ISSUES_OPENED] {
            let e: github::Event = serde_json::from_str(body).unwrap();
            assert_eq!(e.repository.unwrap().full_name, "octocat/Hello-World");
        }
        for (body, kind) in [
            (STANDARD_EXAMPLE_EVENT, "example.event"),
            (STANDARD_CONTACT_CREATED, "contact.created"),
        ] {
            let e: standard::Event = serde_json::from_str(body).unwrap();
            assert_eq!(e.event_type, kind);
        }
        for (body, kind) in [
            (SLACK_URL_VERIFICATION, "url_verification"),
            (SLACK_EVENT_CALLBACK, "event_callback"),
        ] {
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(v["type"], kind);
        }
        let v: serde_json::Value = serde_json::from_str(SLACK_EVENT_CALLBACK).unwrap();
        assert_eq!(v["event_id"], "Ev123ABC456");
        let order: serde_json::Value = serde_json::from_str(SHOPIFY_ORDERS_CREATE).unwrap();
        assert_eq!(order["name"], "#9999");
        let json = |body: &str| serde_json::from_str::<serde_json::Value>(body).unwrap();
        assert_eq!(json(DISCORD_PING)["type"], 1);
        assert_eq!(json(DISCORD_APPLICATION_COMMAND)["type"], 2);
        assert_eq!(json(GITLAB_PUSH)["object_kind"], "push");
        assert_eq!(json(GITLAB_ISSUE)["object_kind"], "issue");
        let batch = json(SENDGRID_EVENTS);
        assert_eq!(batch.as_array().unwrap().len(), 3);
        assert!(
            batch
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["sg_event_id"].is_string())
        );
        let paypal = json(PAYPAL_PAYMENT_CAPTURE_COMPLETED);
        assert_eq!(paypal["event_type"], "PAYMENT.CAPTURE.COMPLETED");
        assert!(paypal["id"].as_str().unwrap().starts_with("WH-"));
    }

    #[test]
    fn other_samples_parse() {
        for body in [HELICONE_DELIVERY, HELICONE_STANDARD] {
            let d: helicone::Delivery = serde_json::from_str(body).unwrap();
            assert_eq!(d.request_id, "550e8400-e29b-41d4-a716-446655440000");
        }
        for (body, kind) in [
            (HELIX_FACT_CHECK, helix::Kind::FactCheck),
            (HELIX_NEWS, helix::Kind::News),
            (HELIX_EVENT, helix::Kind::Event),
        ] {
            let e: helix::Envelope = serde_json::from_str(body).unwrap();
            assert_eq!(e.kind, kind);
            assert_eq!(e.timestamp_ms(), Some(1_704_123_456_789));
        }
    }

    #[test]
    fn twilio_sample_is_one_form_encoded_incoming_sms() {
        let params: Vec<(String, String)> = form_urlencoded::parse(TWILIO_INCOMING_SMS.as_bytes())
            .into_owned()
            .collect();
        let names: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "ToCountry",
                "ToState",
                "SmsMessageSid",
                "NumMedia",
                "ToCity",
                "FromZip",
                "SmsSid",
                "FromState",
                "SmsStatus",
                "FromCity",
                "Body",
                "FromCountry",
                "To",
                "ToZip",
                "NumSegments",
                "MessageSid",
                "AccountSid",
                "From",
                "ApiVersion",
            ]
        );
        let get = |name: &str| &params.iter().find(|(n, _)| n == name).unwrap().1;
        assert_eq!(get("From"), "+15105550142");
        assert_eq!(get("Body"), "Is the order ready for pickup?");
        assert_eq!(get("MessageSid"), get("SmsSid"));
        assert!(get("AccountSid").starts_with("AC") && get("AccountSid").len() == 34);
        assert!(!TWILIO_INCOMING_SMS.ends_with('\n'));
    }

    #[test]
    fn square_sample_is_one_event_envelope() {
        let v: serde_json::Value = serde_json::from_str(SQUARE_PAYMENT_UPDATED).unwrap();
        assert_eq!(v["type"], "payment.updated");
        assert_eq!(v["event_id"], "13b867cf-db3d-4b1c-90b6-2f32a9d78124");
        assert_eq!(v["data"]["type"], "payment");
        assert_eq!(v["data"]["object"]["payment"]["id"], v["data"]["id"]);
    }

    #[test]
    fn hubspot_sample_is_a_batch_of_events() {
        let v: serde_json::Value = serde_json::from_str(HUBSPOT_CONTACT_EVENTS).unwrap();
        let events = v.as_array().unwrap();
        assert_eq!(events.len(), 2);
        assert!(
            events
                .iter()
                .all(|e| e["eventId"].is_u64() && e["attemptNumber"] == 0)
        );
        assert_eq!(events[0]["subscriptionType"], "contact.creation");
    }

    #[test]
    fn twitch_samples_are_a_notification_and_a_challenge() {
        let n: serde_json::Value = serde_json::from_str(TWITCH_CHANNEL_FOLLOW).unwrap();
        assert_eq!(n["subscription"]["type"], "channel.follow");
        assert_eq!(n["event"]["broadcaster_user_id"], "1337");
        let c: serde_json::Value = serde_json::from_str(TWITCH_CALLBACK_VERIFICATION).unwrap();
        assert!(c["challenge"].is_string());
        assert_eq!(c["subscription"]["id"], n["subscription"]["id"]);
    }

    #[test]
    fn dropbox_sample_lists_accounts() {
        let v: serde_json::Value = serde_json::from_str(DROPBOX_NOTIFICATION).unwrap();
        let accounts = v["list_folder"]["accounts"].as_array().unwrap();
        assert!(
            accounts
                .iter()
                .all(|a| a.as_str().unwrap().starts_with("dbid:"))
        );
        assert_eq!(
            v["delta"]["users"].as_array().unwrap().len(),
            accounts.len()
        );
    }

    #[test]
    fn mailgun_sample_carries_its_signature_object() {
        let v: serde_json::Value = serde_json::from_str(MAILGUN_DELIVERED).unwrap();
        assert_eq!(v["signature"]["token"].as_str().unwrap().len(), 50);
        assert!(v["signature"]["timestamp"].is_string());
        assert_eq!(v["event-data"]["event"], "delivered");
    }

    #[test]
    fn zoom_samples_are_an_event_and_a_validation() {
        let e: serde_json::Value = serde_json::from_str(ZOOM_MEETING_STARTED).unwrap();
        assert_eq!(e["event"], "meeting.started");
        assert!(e["event_ts"].is_u64());
        let v: serde_json::Value = serde_json::from_str(ZOOM_URL_VALIDATION).unwrap();
        assert_eq!(v["event"], "endpoint.url_validation");
        assert_eq!(v["payload"]["plainToken"], "qgg8vlvZRS6UYooatFL8Aw");
    }
}
