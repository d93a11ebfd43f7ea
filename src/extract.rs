//! Framework-free handler types: [`Verified<T>`] and [`RawBody`].
//!
//! The webhook layer stores the verified [`WebhookMeta`](crate::WebhookMeta) and the body as
//! [`RawBody`] in the request extensions; the adapters (`axum`, later `actix`) turn them into
//! extractors. Without a framework, read them from `request.extensions()`.

use std::ops::{Deref, DerefMut};

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::{Rejection, RejectionKind};

/// A verified delivery's payload, deserialized from JSON into `T` (or, for `T = Bytes`, as is).
///
/// Use `Verified<serde_json::Value>` to take any JSON, a typed event such as
/// [`events::stripe::Event`](crate::events::stripe::Event), or `Verified<bytes::Bytes>` for the
/// verified bytes themselves (not parsed, whatever the content type; the same `Bytes` that were
/// hashed, like [`RawBody`]). Verification never depends on `T`: a delivery that verifies but does
/// not parse is refused with `422 payload_invalid`, never `401`.
///
/// ```
/// use webhook_guard::Verified;
///
/// #[derive(Debug, serde::Deserialize)]
/// struct Ping { zen: String }
///
/// let Verified(ping) = Verified::<Ping>::from_bytes(br#"{"zen":"keep it simple"}"#)?;
/// assert_eq!(ping.zen, "keep it simple");
///
/// let err = Verified::<Ping>::from_bytes(b"{}").unwrap_err();
/// assert_eq!(err.code(), "payload_invalid");
/// # Ok::<(), webhook_guard::Rejection>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verified<T>(pub T);

impl<T: DeserializeOwned> Verified<T> {
    /// Deserialize an (already verified) body.
    pub fn from_bytes(body: &[u8]) -> Result<Self, Rejection> {
        serde_json::from_slice(body)
            .map(Verified)
            .map_err(|e| Rejection::with_detail(RejectionKind::PayloadInvalid, describe(&e)))
    }
}

impl<T: DeserializeOwned + 'static> Verified<T> {
    /// What the extractors hand out: `Bytes` as is (no copy, no parse), anything else parsed.
    #[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
    pub(crate) fn from_body(body: &Bytes) -> Result<Self, Rejection> {
        let mut slot: Option<T> = None;
        if let Some(raw) = (&mut slot as &mut dyn std::any::Any).downcast_mut::<Option<Bytes>>() {
            *raw = Some(body.clone());
        }
        match slot {
            Some(raw) => Ok(Verified(raw)),
            None => Self::from_bytes(body),
        }
    }
}

/// Describe a JSON error without quoting the payload (values from the body never reach logs).
fn describe(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let safe = ["missing field", "unknown field", "duplicate field"]
        .iter()
        .any(|p| text.starts_with(p));
    if safe {
        text
    } else {
        format!(
            "payload is not the expected {:?} JSON at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        )
    }
}

impl<T> Verified<T> {
    /// The payload.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Verified<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Verified<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// The verified body exactly as received: the same `Bytes` that were hashed, not a copy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawBody(pub Bytes);

impl Deref for RawBody {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}
