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
//! with invented values (SIDs, `555` phone numbers). The Linear, Lemon Squeezy, Sentry, Coinbase
//! Commerce, WooCommerce, Bitbucket, Intercom and Vercel samples keep each sender's documented
//! envelope (the Coinbase Commerce and Intercom ones are the documented examples, trimmed), with
//! invented values elsewhere. The Paddle, Mux, Calendly, Typeform,
//! PagerDuty, Zendesk and Box samples have the envelope each sender documents for the event,
//! trimmed, with invented or documentation-example values. The Square sample has the envelope Square
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

/// Linear `Issue` `create`: the data change envelope of Linear's webhook documentation
/// (`action`, `type`, `data`, `url`, `webhookTimestamp` in milliseconds), with a trimmed issue.
pub const LINEAR_ISSUE_CREATE: &str = include_str!("../../samples/linear/issue.create.json");

/// Lemon Squeezy `order_created`: the JSON:API resource object of Lemon Squeezy's webhook
/// documentation (`meta.event_name`, `data.type`, `data.id`), with the order trimmed.
pub const LEMON_SQUEEZY_ORDER_CREATED: &str =
    include_str!("../../samples/lemon_squeezy/order_created.json");

/// Sentry integration platform `issue` `created`: the common envelope (`action`,
/// `installation.uuid`, `data`, `actor`) around a trimmed issue.
pub const SENTRY_ISSUE_CREATED: &str = include_str!("../../samples/sentry/issue.created.json");

/// Coinbase Commerce `charge:created`: Coinbase Commerce's documented example payload, with the
/// charge trimmed (`event.id` is the event, kept on retries).
pub const COINBASE_COMMERCE_CHARGE_CREATED: &str =
    include_str!("../../samples/coinbase_commerce/charge.created.json");

/// WooCommerce `order.created`: the order resource WooCommerce posts (the REST API's order
/// object), trimmed.
pub const WOOCOMMERCE_ORDER_CREATED: &str =
    include_str!("../../samples/woocommerce/order.created.json");

/// Bitbucket Cloud `repo:push`: `actor`, `repository` and `push.changes` of Bitbucket's event
/// payload documentation, trimmed to one branch update.
pub const BITBUCKET_REPO_PUSH: &str = include_str!("../../samples/bitbucket/repo.push.json");

/// Intercom `user.created`: the `notification_event` of Intercom's "Signed Notifications"
/// example (`id` `notif_…`, `topic`).
pub const INTERCOM_USER_CREATED: &str = include_str!("../../samples/intercom/user.created.json");

/// Vercel `deployment.created`: the envelope of Vercel's webhook documentation (`id`, `type`,
/// `createdAt`, `payload`), with invented ids.
pub const VERCEL_DEPLOYMENT_CREATED: &str =
    include_str!("../../samples/vercel/deployment.created.json");

/// Paddle Billing `transaction.completed`: the event envelope (`event_id`, `event_type`,
/// `occurred_at`, `notification_id`) around a trimmed transaction, with invented ids in Paddle's
/// formats.
pub const PADDLE_TRANSACTION_COMPLETED: &str =
    include_str!("../../samples/paddle/transaction.completed.json");

/// Mux `video.asset.ready`: the event envelope (`type`, `id`, `object`, `environment`,
/// `created_at`) around a trimmed asset, with invented ids in Mux's formats.
pub const MUX_VIDEO_ASSET_READY: &str = include_str!("../../samples/mux/video.asset.ready.json");

/// Calendly `invitee.created`: `event`, `created_at`, `created_by` and the invitee as
/// `payload`, with invented URIs; Calendly's payloads carry no event id.
pub const CALENDLY_INVITEE_CREATED: &str =
    include_str!("../../samples/calendly/invitee.created.json");

/// Typeform `form_response`: `event_id`, `event_type` and a trimmed `form_response` (one
/// email answer), shaped after Typeform's example payload.
pub const TYPEFORM_FORM_RESPONSE: &str = include_str!("../../samples/typeform/form_response.json");

/// PagerDuty V3 `incident.triggered`: the `event` envelope (`id`, `event_type`,
/// `resource_type`, `occurred_at`, `agent`, `client`) around a trimmed incident, with the
/// fields PagerDuty's V3 overview documents and invented values.
pub const PAGERDUTY_INCIDENT_TRIGGERED: &str =
    include_str!("../../samples/pagerduty/incident.triggered.json");

/// Zendesk `zen:event-type:user.created`: an event-subscription webhook's body (`type`, `id`,
/// `subject`, `time`, `detail`, `event`), with invented values.
pub const ZENDESK_USER_CREATED: &str = include_str!("../../samples/zendesk/user.created.json");

/// Box V2 `FILE.UPLOADED`: the `webhook_event` body (`id`, `created_at`, `trigger`, `webhook`,
/// `created_by`, `source`), after Box's V2 guide, trimmed.
pub const BOX_FILE_UPLOADED: &str = include_str!("../../samples/box/file.uploaded.json");

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
    fn body_hmac_sender_samples_parse_and_carry_their_ids() {
        let json = |body: &str| serde_json::from_str::<serde_json::Value>(body).unwrap();
        let linear = json(LINEAR_ISSUE_CREATE);
        assert_eq!(linear["type"], "Issue");
        assert!(linear["webhookTimestamp"].is_u64());
        assert_eq!(
            json(LEMON_SQUEEZY_ORDER_CREATED)["meta"]["event_name"],
            "order_created"
        );
        assert_eq!(json(SENTRY_ISSUE_CREATED)["action"], "created");
        let coinbase = json(COINBASE_COMMERCE_CHARGE_CREATED);
        assert_eq!(coinbase["event"]["type"], "charge:created");
        assert!(coinbase["event"]["id"].is_string());
        assert_eq!(json(WOOCOMMERCE_ORDER_CREATED)["id"], 727);
        assert!(json(BITBUCKET_REPO_PUSH)["push"]["changes"].is_array());
        let intercom = json(INTERCOM_USER_CREATED);
        assert_eq!(intercom["topic"], "user.created");
        assert!(intercom["id"].as_str().unwrap().starts_with("notif_"));
        let vercel = json(VERCEL_DEPLOYMENT_CREATED);
        assert_eq!(vercel["type"], "deployment.created");
        assert!(vercel["id"].is_string());
    }

    #[test]
    fn paddle_sample_parses() {
        let v: serde_json::Value = serde_json::from_str(PADDLE_TRANSACTION_COMPLETED).unwrap();
        assert_eq!(v["event_id"], "evt_01h8bzakzx3hm2fmen703n5q45");
        assert_eq!(v["event_type"], "transaction.completed");
        assert!(v["notification_id"].as_str().unwrap().starts_with("ntf_"));
    }

    #[test]
    fn mux_sample_parses() {
        let v: serde_json::Value = serde_json::from_str(MUX_VIDEO_ASSET_READY).unwrap();
        assert_eq!(v["type"], "video.asset.ready");
        assert_eq!(v["id"], "3a56ac3d-33da-4366-855b-f592d898409d");
        assert_eq!(v["object"]["id"], v["data"]["id"]);
    }

    #[test]
    fn calendly_sample_parses() {
        let v: serde_json::Value = serde_json::from_str(CALENDLY_INVITEE_CREATED).unwrap();
        assert_eq!(v["event"], "invitee.created");
        assert!(v["payload"]["uri"].as_str().unwrap().contains("/invitees/"));
        assert!(v.get("id").is_none());
    }

    #[test]
    fn typeform_sample_parses() {
        let v: serde_json::Value = serde_json::from_str(TYPEFORM_FORM_RESPONSE).unwrap();
        assert_eq!(v["event_id"], "LtWXD3crgy");
        assert_eq!(v["event_type"], "form_response");
        assert_eq!(v["form_response"]["answers"][0]["type"], "email");
    }

    #[test]
    fn pagerduty_sample_parses() {
        let v: serde_json::Value = serde_json::from_str(PAGERDUTY_INCIDENT_TRIGGERED).unwrap();
        assert_eq!(v["event"]["id"], "01DEN6D9GYK2MOAWRL4YD8YOTL");
        assert_eq!(v["event"]["event_type"], "incident.triggered");
        assert_eq!(v["event"]["data"]["type"], "incident");
    }

    #[test]
    fn zendesk_sample_parses() {
        let v: serde_json::Value = serde_json::from_str(ZENDESK_USER_CREATED).unwrap();
        assert_eq!(v["type"], "zen:event-type:user.created");
        assert_eq!(v["subject"], "zen:user:8350205101695");
    }

    #[test]
    fn box_sample_parses() {
        let v: serde_json::Value = serde_json::from_str(BOX_FILE_UPLOADED).unwrap();
        assert_eq!(v["type"], "webhook_event");
        assert_eq!(v["trigger"], "FILE.UPLOADED");
        assert_eq!(v["id"], "eb0c4e06-751f-442c-86f8-fd5bb404dbec");
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
