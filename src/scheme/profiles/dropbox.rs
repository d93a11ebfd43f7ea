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
    /// Not deduplicated ([`SchemeBuilder::no_dedup`](crate::scheme::SchemeBuilder::no_dedup)),
    /// even behind a guard with a dedup store: nothing in a notification names the delivery,
    /// and a **later** notification of the same accounts is the same body as an earlier one
    /// while meaning new changes, so keying on the body would answer it as a duplicate and lose
    /// those changes. Dropbox's design makes the handler idempotent instead: it fetches what
    /// changed since its stored cursor, so a retry or a replayed notification only fetches
    /// nothing new. (With no timestamp, a captured notification can be replayed; all it can do
    /// is make the app look for changes.)
    ///
    /// Dropbox checks a new webhook URI with a `GET ?challenge=…` first: answer the challenge
    /// as `text/plain` with `X-Content-Type-Options: nosniff`
    /// ([`handshake::dropbox`](crate::handshake::dropbox)). That request is not signed.
    pub fn dropbox() -> Scheme {
        Scheme::builtin("dropbox")
            .signature_header("x-dropbox-signature")
            .no_dedup()
            .build()
            .expect("built-in scheme is valid")
    }
}
