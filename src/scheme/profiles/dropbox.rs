//! Dropbox: [`Scheme::dropbox`].

use crate::scheme::Scheme;

impl Scheme {
    /// Dropbox webhooks (file change notifications of the accounts linked to an app).
    ///
    /// From Dropbox's "Webhooks" reference (<https://www.dropbox.com/developers/reference/webhooks>):
    /// `X-Dropbox-Signature` is the hex HMAC-SHA256 of the whole body, keyed with the **app
    /// secret** (used as is). No timestamp is sent and no event type: a notification only lists
    /// the accounts with changes (`list_folder.accounts`, and the older `delta.users`); the app
    /// then fetches the changes itself (`files/list_folder/continue` with its cursor). Dropbox
    /// waits 10 seconds and retries a failed notification with exponential backoff for about
    /// ten minutes.
    ///
    /// Deduplication: nothing in a notification names the delivery, so the scheme has no id and
    /// the guard keys each POST on its verified signature, that is on its body. A retry is the
    /// same body and is caught as a duplicate, and so is a replay. But a **later** notification
    /// of the same accounts is the same body too: within the dedup TTL it is answered as a
    /// duplicate and its handler does not run. That is harmless only when the handler's work is
    /// "fetch whatever changed since my cursor" and an earlier run already did it; a receiver
    /// that needs every notification serves this route without a dedup store (fetching with a
    /// stored cursor is idempotent by itself).
    ///
    /// Dropbox checks a new webhook URI with a `GET ?challenge=…` first: answer the challenge
    /// as `text/plain` with `X-Content-Type-Options: nosniff`
    /// ([`handshake::dropbox`](crate::handshake::dropbox)). That request is not signed.
    pub fn dropbox() -> Scheme {
        Scheme::builtin("dropbox")
            .signature_header("x-dropbox-signature")
            .build()
            .expect("built-in scheme is valid")
    }
}
