//! Standard Webhooks, also what Svix sends: [`Scheme::standard_webhooks`].

use crate::scheme::{Algorithm, Encoding, Scheme, SignedPart, TimestampUnit};

impl Scheme {
    /// [Standard Webhooks](https://www.standardwebhooks.com/), also what Svix sends.
    ///
    /// `webhook-signature: v1,<base64> [v1,<base64> …]`: a space-separated list, one entry per
    /// active secret while the sender rotates (any one matching is enough). Entries
    /// `v1a,<base64>` are the specification's asymmetric signatures: Ed25519 over the same
    /// message, checked with the sender's `whpk_` public key
    /// ([`PublicKey::from_whpk`](crate::keys::PublicKey::from_whpk), feature `ed25519`); some
    /// senders, Google's Gemini API among them, send only those. A delivery passes when any
    /// entry verifies with any configured key of its kind. The signed message is
    /// `<webhook-id>.<webhook-timestamp>.<body>`, the timestamp in unix **seconds**. Secrets are
    /// `whsec_<base64>`: build them with [`Secret::from_whsec`](crate::Secret::from_whsec). The
    /// Svix header names `svix-id`, `svix-timestamp` and `svix-signature` are accepted too. The id
    /// is signed, so it alone is the deduplication key; the event type is the body's `type`.
    pub fn standard_webhooks() -> Scheme {
        Scheme::builtin("standard-webhooks")
            .signature_header("webhook-signature")
            .signature_header("svix-signature")
            .signature_list(' ', "v1,")
            .also_entries("v1a,", Algorithm::Ed25519)
            .encoding(Encoding::Base64)
            .timestamp_header("webhook-timestamp", TimestampUnit::Seconds)
            .timestamp_header("svix-timestamp", TimestampUnit::Seconds)
            .id_header("webhook-id")
            .id_header("svix-id")
            .event_json_field("type")
            .signed_parts([
                SignedPart::Id,
                SignedPart::literal("."),
                SignedPart::Timestamp,
                SignedPart::literal("."),
                SignedPart::Body,
            ])
            .build()
            .expect("built-in scheme is valid")
    }
}
