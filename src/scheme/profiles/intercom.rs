//! Intercom: [`Scheme::intercom`].

use crate::scheme::{Algorithm, Scheme};

impl Scheme {
    /// Intercom webhooks (notifications on topics such as `conversation.user.created`,
    /// `contact.user.created`, `ping`).
    ///
    /// From Intercom's "Signed Notifications" reference
    /// (<https://developers.intercom.com/intercom-api-reference/v1.0/reference/signed-notifications>)
    /// and its webhook model: `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw JSON body>`
    /// ([`Algorithm::HmacSha1`]), keyed with the app's client secret (Developer Hub > Basic
    /// Info; the older subscription API's `hub_secret`), used as is. Nothing carries a
    /// timestamp: replays are caught by deduplication only.
    ///
    /// The body is a `notification_event`: its `id` (`notif_…`) names the notification and is
    /// the delivery id, and its `topic` is the event type; both are signed with the body.
    /// HMAC-SHA1 is what Intercom signs with; SHA-1's collision weakness does not make an HMAC
    /// forgeable, but the scheme cannot be moved to SHA-256 from this side.
    pub fn intercom() -> Scheme {
        Scheme::builtin("intercom")
            .signature_header("x-hub-signature")
            .signature_prefix("sha1=")
            .algorithm(Algorithm::HmacSha1)
            .id_json_field("id")
            .event_json_field("topic")
            .build()
            .expect("built-in scheme is valid")
    }
}
