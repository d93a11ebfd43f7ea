//! Twitch EventSub: [`Scheme::twitch`].

use std::time::Duration;

use crate::scheme::{Scheme, SignedPart, TimestampUnit};

impl Scheme {
    /// Twitch EventSub over the webhook transport.
    ///
    /// From Twitch's "Handling Webhook Events"
    /// (<https://dev.twitch.tv/docs/eventsub/handling-webhook-events/>, "Verifying the event
    /// message"): `Twitch-Eventsub-Message-Signature: sha256=<hex>` is the HMAC-SHA256, keyed
    /// with the secret given when the subscription was created (10 to 100 ASCII characters,
    /// used as is), of `Twitch-Eventsub-Message-Id`, `Twitch-Eventsub-Message-Timestamp` and
    /// the raw body, concatenated with no separator ([`SignedPart::Id`],
    /// [`SignedPart::Timestamp`], [`SignedPart::Body`]). The timestamp is an **RFC 3339**
    /// date-time with up to nanoseconds ([`TimestampUnit::Rfc3339`]); Twitch says to refuse a
    /// message older than **10 minutes**, and so does this scheme ([`Scheme::tolerance`]).
    ///
    /// The delivery id is `Twitch-Eventsub-Message-Id`, signed: Twitch's "Handling duplicate
    /// events" (<https://dev.twitch.tv/docs/eventsub/>) says a resent notification keeps its
    /// message id, which is the key to skip duplicates on. The event type is
    /// `Twitch-Eventsub-Subscription-Type` (`channel.follow`, …). `Twitch-Eventsub-Message-Type`
    /// tells a `notification` from the `webhook_callback_verification` handshake (answer its
    /// `challenge` once the message is verified:
    /// [`handshake::twitch`](crate::handshake::twitch)) and a `revocation`. Twitch expects an
    /// answer within a few seconds and revokes a subscription that keeps failing.
    pub fn twitch() -> Scheme {
        Scheme::builtin("twitch")
            .signature_header("twitch-eventsub-message-signature")
            .signature_prefix("sha256=")
            .timestamp_header("twitch-eventsub-message-timestamp", TimestampUnit::Rfc3339)
            .id_header("twitch-eventsub-message-id")
            .event_header("twitch-eventsub-subscription-type")
            .signed_parts([SignedPart::Id, SignedPart::Timestamp, SignedPart::Body])
            .tolerance(Duration::from_secs(600))
            .build()
            .expect("built-in scheme is valid")
    }
}
