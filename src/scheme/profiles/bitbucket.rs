//! Bitbucket Cloud: [`Scheme::bitbucket`].

use crate::scheme::Scheme;

impl Scheme {
    /// Bitbucket Cloud webhooks (`repo:push`, `pullrequest:created`, …).
    ///
    /// From Bitbucket Cloud's "Manage webhooks"
    /// (<https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/>, section on
    /// securing webhooks with a secret) and "Event payloads"
    /// (<https://support.atlassian.com/bitbucket-cloud/docs/event-payloads/>) pages: with a
    /// secret set on the webhook, `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`,
    /// keyed with that secret as typed. `X-Event-Key` is the event type and `X-Request-UUID`
    /// the delivery id (`X-Hook-UUID`, the webhook's, and `X-Attempt-Number` are not read).
    /// Nothing carries a timestamp: replays are caught by deduplication only, on the request
    /// UUID and, as it is not signed, on the signature.
    ///
    /// Bitbucket tries a delivery up to three times in all, sending it again twice when an
    /// attempt fails (`X-Attempt-Number` counts them).
    pub fn bitbucket() -> Scheme {
        Scheme::builtin("bitbucket")
            .signature_header("x-hub-signature")
            .signature_prefix("sha256=")
            .id_header("x-request-uuid")
            .event_header("x-event-key")
            .build()
            .expect("built-in scheme is valid")
    }
}
