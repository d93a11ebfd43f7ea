//! [`WebhookMeta`], what verification established about a delivery, and the inline text its id
//! and event type are kept in.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::json_scan::FieldText;
use crate::scheme::{SchemeName, TAG_LEN};

/// Bytes of an id or event type kept inside [`WebhookMeta`] itself; longer ones (up to
/// [`MAX_ID_LEN`](crate::scheme::MAX_ID_LEN)) go to the heap. UUIDs, Stripe and Svix ids and
/// every event type we know of fit.
pub(super) const INLINE_TEXT: usize = 62;

/// An id or event type, copied out of its header or the body: on the stack when short, so
/// verification neither allocates nor touches the header's reference count.
#[derive(Clone)]
pub(super) enum Text {
    Inline { len: u8, buf: [u8; INLINE_TEXT] },
    Heap(Box<str>),
}

impl Text {
    /// Text already checked to be visible ASCII (or any UTF-8, from a `String`).
    #[inline(always)]
    pub(super) fn from_ascii(text: &[u8]) -> Text {
        if text.len() <= INLINE_TEXT {
            let mut buf = [0u8; INLINE_TEXT];
            crate::bytes::copy_short(&mut buf[..text.len()], text);
            Text::Inline {
                len: text.len() as u8,
                buf,
            }
        } else {
            Text::Heap(String::from_utf8_lossy(text).into())
        }
    }

    #[inline(always)]
    pub(super) fn from_field(text: FieldText<'_>) -> Text {
        match text {
            FieldText::Raw(raw) => Text::from_ascii(raw),
            FieldText::Unescaped(s) if s.len() > INLINE_TEXT => Text::Heap(s.into()),
            FieldText::Unescaped(s) => Text::from_ascii(s.as_bytes()),
        }
    }

    #[cfg(any(feature = "redis", feature = "postgres"))]
    pub(super) fn from_string(s: String) -> Text {
        Text::from_field(FieldText::Unescaped(s))
    }

    pub(super) fn as_str(&self) -> &str {
        match self {
            // Only ever filled from checked ASCII or from a `str`.
            Text::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            Text::Heap(s) => s,
        }
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        match self {
            Text::Inline { len, buf } => &buf[..usize::from(*len)],
            Text::Heap(s) => s.as_bytes(),
        }
    }
}

/// What verification established about a delivery.
///
/// Available to handlers as an extractor (axum: `WebhookMeta` in the handler signature) and in
/// the request extensions after the webhook layer.
#[derive(Clone)]
pub struct WebhookMeta {
    pub(super) scheme: SchemeName,
    pub(super) id: Option<Text>,
    pub(super) event: Option<Text>,
    pub(super) timestamp_ms: Option<u64>,
    pub(super) secret_index: usize,
    pub(super) secret_label: Option<Arc<str>>,
    pub(super) signature: [u8; TAG_LEN],
    /// The guard's namespace when it was given one; the scheme's name otherwise.
    pub(super) namespace: Option<Arc<str>>,
}

impl WebhookMeta {
    /// The scheme's name, e.g. `"heppu"`.
    pub fn scheme(&self) -> &str {
        self.scheme.as_str()
    }

    /// The namespace of the guard that admitted the delivery: the first part of its dedup
    /// keys (`<namespace>:id:<id>`). The scheme's name unless the guard was given another
    /// (`WebhookLayer::namespace`), e.g. for a second endpoint of one sender.
    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or(self.scheme.as_str())
    }

    /// Set by the adapters when their guard has a namespace of its own.
    #[cfg(feature = "server")]
    pub(crate) fn set_namespace(&mut self, namespace: Option<&Arc<str>>) {
        if let Some(namespace) = namespace {
            self.namespace = Some(namespace.clone());
        }
    }

    /// The delivery id, where the scheme has one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_ref().map(Text::as_str)
    }

    /// The event type, where the scheme carries it in a header or body field.
    pub fn event_type(&self) -> Option<&str> {
        self.event.as_ref().map(Text::as_str)
    }

    /// The delivery's timestamp in milliseconds since the unix epoch, where the scheme has one.
    pub fn timestamp_millis(&self) -> Option<u64> {
        self.timestamp_ms
    }

    /// The delivery's timestamp as a `SystemTime`.
    pub fn timestamp(&self) -> Option<std::time::SystemTime> {
        self.timestamp_ms
            .map(|ms| std::time::UNIX_EPOCH + Duration::from_millis(ms))
    }

    /// Index of the secret that matched, in the order they were configured. Watch this during a
    /// rotation: once no delivery matches the old secret any more, remove it.
    pub fn secret_index(&self) -> usize {
        self.secret_index
    }

    /// Label of the secret that matched, if it was given one.
    pub fn secret_label(&self) -> Option<&str> {
        self.secret_label.as_deref()
    }

    /// The namespace the guard set, if it set one (not the scheme's name in its place).
    #[cfg(any(feature = "redis", feature = "postgres"))]
    pub(crate) fn own_namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The metadata of a delivery admitted earlier, read back from a durable queue: all of it
    /// but the signature's tag, which only the admission needed.
    #[cfg(any(feature = "redis", feature = "postgres"))]
    pub(crate) fn restored(
        scheme: String,
        id: Option<String>,
        event: Option<String>,
        timestamp_ms: Option<u64>,
        secret: (usize, Option<String>),
        namespace: Option<String>,
    ) -> WebhookMeta {
        WebhookMeta {
            scheme: SchemeName::Shared(scheme.into()),
            id: id.map(Text::from_string),
            event: event.map(Text::from_string),
            timestamp_ms,
            secret_index: secret.0,
            secret_label: secret.1.map(Into::into),
            signature: [0; TAG_LEN],
            namespace: namespace.map(Into::into),
        }
    }

    /// The verified signature's tag, for replay keys. Crate-private: not shown anywhere.
    #[allow(dead_code)]
    pub(crate) fn signature_tag(&self) -> &[u8; TAG_LEN] {
        &self.signature
    }
}

impl fmt::Debug for WebhookMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookMeta")
            .field("scheme", &self.scheme())
            .field("namespace", &self.namespace())
            .field("id", &self.id())
            .field("event_type", &self.event_type())
            .field("timestamp_millis", &self.timestamp_ms)
            .field("secret_index", &self.secret_index)
            .field("secret_label", &self.secret_label())
            .finish()
    }
}
