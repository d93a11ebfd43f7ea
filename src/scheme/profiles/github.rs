//! GitHub: [`Scheme::github`].

use crate::scheme::Scheme;

impl Scheme {
    /// GitHub webhooks.
    ///
    /// `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` (the legacy SHA-1
    /// `X-Hub-Signature` is not used). `X-GitHub-Delivery` is the delivery id (a GUID, kept when a
    /// delivery is redelivered) and `X-GitHub-Event` the event name (`push`, `ping`, …). GitHub
    /// sends no timestamp: replays are caught by deduplication only, on the delivery id and, as
    /// the id is not signed, on the signature.
    pub fn github() -> Scheme {
        Scheme::builtin("github")
            .signature_header("x-hub-signature-256")
            .signature_prefix("sha256=")
            .id_header("x-github-delivery")
            .event_header("x-github-event")
            .build()
            .expect("built-in scheme is valid")
    }
}
