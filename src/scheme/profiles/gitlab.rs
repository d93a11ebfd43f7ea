//! GitLab: [`Scheme::gitlab`].

use crate::scheme::{Algorithm, Scheme};

impl Scheme {
    /// GitLab webhooks (project, group and system hooks).
    ///
    /// From GitLab's "Webhooks" documentation (delivery headers, and "Validate payloads by
    /// using a secret token"): GitLab signs nothing. `X-Gitlab-Token` carries the secret token
    /// configured on the webhook, as typed, and is compared here in constant time with the
    /// configured [`Secret`](crate::Secret) ([`Algorithm::Token`]); only TLS keeps it and the
    /// body from being read or changed on the way, so serve this endpoint over HTTPS. GitLab
    /// lets users type any token: a short one needs
    /// [`Secret::danger_allow_short`](crate::Secret::danger_allow_short).
    ///
    /// The delivery id is `Idempotency-Key` (GitLab 17.4 and later: the same on every retry of
    /// a delivery), else `X-Gitlab-Event-UUID`; the event type is `X-Gitlab-Event`
    /// (`Push Hook`, `Merge Request Hook`, …). GitLab sends no timestamp: replays are caught by
    /// deduplication only, on the id and, as nothing is signed, on the body. GitLab waits 10
    /// seconds for an answer and disables a webhook that keeps failing.
    pub fn gitlab() -> Scheme {
        Scheme::builtin("gitlab")
            .signature_header("x-gitlab-token")
            .algorithm(Algorithm::Token)
            .id_headers_in_order(["idempotency-key", "x-gitlab-event-uuid"])
            .event_header("x-gitlab-event")
            .build()
            .expect("built-in scheme is valid")
    }
}
