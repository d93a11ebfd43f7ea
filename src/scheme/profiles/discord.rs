//! Discord: [`Scheme::discord`].

use crate::scheme::{Algorithm, Scheme, SignedPart, TimestampUnit};

impl Scheme {
    /// Discord interactions sent to an application's Interactions Endpoint URL.
    ///
    /// From Discord's developer documentation, "Interactions › Receiving and Responding ›
    /// Security and Authorization": `X-Signature-Ed25519` is the hex Ed25519 signature of
    /// `<X-Signature-Timestamp><raw body>`, checked with the application's public key (64 hex
    /// digits under "General Information" in the Developer Portal:
    /// [`PublicKey::ed25519_hex`](crate::keys::PublicKey::ed25519_hex), feature `ed25519`).
    /// The timestamp is unix **seconds** and is checked against the verifier's window (Discord
    /// names no tolerance; the default is 5 minutes). An endpoint that lets a bad signature
    /// through is removed by Discord, which sends such requests on purpose.
    ///
    /// Discord sends no delivery id header: the interaction's `id` in the body (a snowflake,
    /// unique per interaction) is the deduplication key, and its numeric `type` the event type
    /// (`1` is the PING sent when the URL is saved, to be answered `{"type":1}`:
    /// [`handshake::discord`](crate::handshake::discord)). Discord does
    /// not retry an interaction; it must be answered within 3 seconds.
    ///
    /// ```
    /// # #[cfg(feature = "ed25519")] {
    /// use webhook_guard::keys::PublicKey;
    /// use webhook_guard::{Scheme, Verifier};
    ///
    /// let key = PublicKey::ed25519_hex(
    ///     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    /// )?;
    /// let verifier = Verifier::with_public_key(Scheme::discord(), key);
    /// # }
    /// # Ok::<(), webhook_guard::keys::KeyError>(())
    /// ```
    pub fn discord() -> Scheme {
        Scheme::builtin("discord")
            .signature_header("x-signature-ed25519")
            .algorithm(Algorithm::Ed25519)
            .timestamp_header("x-signature-timestamp", TimestampUnit::Seconds)
            .id_json_field("id")
            .id_optional()
            .event_json_field("type")
            .signed_parts([SignedPart::Timestamp, SignedPart::Body])
            .build()
            .expect("built-in scheme is valid")
    }
}
