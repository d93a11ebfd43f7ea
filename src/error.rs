//! Rejections: every way a delivery can be refused, each with one HTTP status and one stable code.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use http::StatusCode;

/// What went wrong, as a closed set a caller can match on.
///
/// The HTTP status and the machine code of each kind are decided here and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectionKind {
    /// The body is larger than the configured limit. `413 body_too_large`.
    BodyTooLarge,
    /// The body could not be read (the client broke off, or a transport error). `400 body_read_failed`.
    BodyReadFailed,
    /// The body did not arrive within the configured body timeout (a stalled or trickling
    /// client). `408 body_timeout`.
    BodyTimeout,
    /// No signature header was sent. `401 signature_missing`.
    SignatureMissing,
    /// The signature header is there but does not follow the scheme (no prefix, not hex or base64,
    /// wrong length, empty). `400 signature_malformed`.
    SignatureMalformed,
    /// Several different signature headers were sent where the scheme expects one. `400 signature_header_repeated`.
    SignatureHeaderRepeated,
    /// The signature is well-formed but no configured secret produces it. `401 signature_mismatch`.
    SignatureMismatch,
    /// The scheme requires a timestamp and none was sent. `400 timestamp_missing`.
    TimestampMissing,
    /// The timestamp is not a plain non-negative decimal integer that fits in 64 bits. `400 timestamp_malformed`.
    TimestampMalformed,
    /// The timestamp is older than the tolerance allows. `401 timestamp_expired`.
    TimestampExpired,
    /// The timestamp is further in the future than the tolerance allows. `401 timestamp_in_future`.
    TimestampInFuture,
    /// The scheme requires a delivery id (to sign it or to deduplicate) and none was found. `400 id_missing`.
    IdMissing,
    /// The delivery id is empty, longer than 256 bytes, sent twice with different values, or
    /// not visible ASCII (0x21–0x7E: a space is refused too). `400 id_malformed`.
    IdMalformed,
    /// The event type header is empty, longer than 256 bytes, repeated with different values, or
    /// not printable ASCII: spaces are allowed inside (GitLab's `Push Hook`), tabs and control
    /// characters are not. An event type read from the JSON body that breaks these rules is left
    /// out of [`WebhookMeta`](crate::WebhookMeta) instead, as nothing is decided on it.
    /// `400 event_malformed`.
    EventMalformed,
    /// The delivery verified but its payload does not deserialize into the handler's type. `422 payload_invalid`.
    PayloadInvalid,
    /// The delivery is being processed by another attempt; retry later. `409 in_flight`, with
    /// `Retry-After`.
    InFlight,
    /// The delivery id was seen before with a different body. `409 id_conflict`.
    IdConflict,
    /// Identical signed content was already delivered under another id. `409 replay_detected`.
    ReplayDetected,
    /// The deduplication store is unreachable or stalled; retry later. `503 store_unavailable`,
    /// with `Retry-After`.
    StoreUnavailable,
    /// The async-ack queue is full; retry later. `503 queue_full`, with `Retry-After`.
    QueueFull,
    /// The async-ack queue is shutting down and takes no new work; retry later (another replica
    /// or the restarted process will). `503 queue_closed`, with `Retry-After`.
    QueueClosed,
    /// The durable async-ack queue (Redis or PostgreSQL) is unreachable or stalled; retry later.
    /// `503 queue_unavailable`, with `Retry-After`.
    QueueUnavailable,
    /// An extractor ran on a request that did not pass through the webhook layer: a server
    /// configuration error, never the sender's fault. `500 verification_missing`.
    VerificationMissing,
    /// A header or JSON body field that the signed message contains was not sent, or was sent
    /// twice with different values. `400 signed_part_missing`.
    SignedPartMissing,
    /// The scheme signs the request's URL or method, but the verifier was not given them
    /// ([`Verifier::verify`](crate::Verifier::verify) instead of
    /// [`Verifier::verify_request`](crate::Verifier::verify_request)): a server integration
    /// error, never the sender's fault. `500 request_target_missing`.
    RequestTargetMissing,
}

impl RejectionKind {
    /// The HTTP status answered for this kind.
    pub const fn status(self) -> StatusCode {
        match self {
            RejectionKind::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            RejectionKind::BodyReadFailed
            | RejectionKind::SignatureMalformed
            | RejectionKind::SignatureHeaderRepeated
            | RejectionKind::TimestampMissing
            | RejectionKind::TimestampMalformed
            | RejectionKind::IdMissing
            | RejectionKind::IdMalformed
            | RejectionKind::EventMalformed
            | RejectionKind::SignedPartMissing => StatusCode::BAD_REQUEST,
            RejectionKind::SignatureMissing
            | RejectionKind::SignatureMismatch
            | RejectionKind::TimestampExpired
            | RejectionKind::TimestampInFuture => StatusCode::UNAUTHORIZED,
            RejectionKind::PayloadInvalid => StatusCode::UNPROCESSABLE_ENTITY,
            RejectionKind::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            RejectionKind::InFlight | RejectionKind::IdConflict | RejectionKind::ReplayDetected => {
                StatusCode::CONFLICT
            }
            RejectionKind::StoreUnavailable
            | RejectionKind::QueueFull
            | RejectionKind::QueueClosed
            | RejectionKind::QueueUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            RejectionKind::VerificationMissing | RejectionKind::RequestTargetMissing => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The stable machine-readable code, e.g. `"signature_mismatch"`.
    pub const fn code(self) -> &'static str {
        match self {
            RejectionKind::BodyTooLarge => "body_too_large",
            RejectionKind::BodyReadFailed => "body_read_failed",
            RejectionKind::BodyTimeout => "body_timeout",
            RejectionKind::SignatureMissing => "signature_missing",
            RejectionKind::SignatureMalformed => "signature_malformed",
            RejectionKind::SignatureHeaderRepeated => "signature_header_repeated",
            RejectionKind::SignatureMismatch => "signature_mismatch",
            RejectionKind::TimestampMissing => "timestamp_missing",
            RejectionKind::TimestampMalformed => "timestamp_malformed",
            RejectionKind::TimestampExpired => "timestamp_expired",
            RejectionKind::TimestampInFuture => "timestamp_in_future",
            RejectionKind::IdMissing => "id_missing",
            RejectionKind::IdMalformed => "id_malformed",
            RejectionKind::EventMalformed => "event_malformed",
            RejectionKind::PayloadInvalid => "payload_invalid",
            RejectionKind::InFlight => "in_flight",
            RejectionKind::IdConflict => "id_conflict",
            RejectionKind::ReplayDetected => "replay_detected",
            RejectionKind::StoreUnavailable => "store_unavailable",
            RejectionKind::QueueFull => "queue_full",
            RejectionKind::QueueClosed => "queue_closed",
            RejectionKind::QueueUnavailable => "queue_unavailable",
            RejectionKind::VerificationMissing => "verification_missing",
            RejectionKind::SignedPartMissing => "signed_part_missing",
            RejectionKind::RequestTargetMissing => "request_target_missing",
        }
    }

    /// A short fixed sentence for the response body.
    pub const fn message(self) -> &'static str {
        match self {
            RejectionKind::BodyTooLarge => "request body exceeds the configured limit",
            RejectionKind::BodyReadFailed => "request body could not be read",
            RejectionKind::BodyTimeout => "request body did not arrive in time",
            RejectionKind::SignatureMissing => "no signature header was sent",
            RejectionKind::SignatureMalformed => {
                "signature header does not follow the expected format"
            }
            RejectionKind::SignatureHeaderRepeated => {
                "several different signature headers were sent"
            }
            RejectionKind::SignatureMismatch => "signature does not match the payload",
            RejectionKind::TimestampMissing => "no timestamp header was sent",
            RejectionKind::TimestampMalformed => "timestamp is not a valid unix time",
            RejectionKind::TimestampExpired => "timestamp is older than the tolerance allows",
            RejectionKind::TimestampInFuture => {
                "timestamp is further in the future than the tolerance allows"
            }
            RejectionKind::IdMissing => "no delivery id was sent",
            RejectionKind::IdMalformed => "delivery id is not valid",
            RejectionKind::EventMalformed => "event type is not valid",
            RejectionKind::PayloadInvalid => {
                "payload verified but does not match the expected event type"
            }
            RejectionKind::InFlight => "this delivery is being processed; retry later",
            RejectionKind::IdConflict => "this delivery id was already used with a different body",
            RejectionKind::ReplayDetected => "this signed content was already delivered",
            RejectionKind::StoreUnavailable => "deduplication store unavailable; retry later",
            RejectionKind::QueueFull => "processing queue is full; retry later",
            RejectionKind::QueueClosed => "receiver is shutting down; retry later",
            RejectionKind::QueueUnavailable => "processing queue unavailable; retry later",
            RejectionKind::VerificationMissing => "webhook verification is not configured",
            RejectionKind::SignedPartMissing => "a signed header or body field is missing",
            RejectionKind::RequestTargetMissing => {
                "webhook verification is missing the request URL"
            }
        }
    }

    /// Every kind, in declaration order (for documentation and exhaustive tests).
    pub const ALL: &'static [RejectionKind] = &[
        RejectionKind::BodyTooLarge,
        RejectionKind::BodyReadFailed,
        RejectionKind::BodyTimeout,
        RejectionKind::SignatureMissing,
        RejectionKind::SignatureMalformed,
        RejectionKind::SignatureHeaderRepeated,
        RejectionKind::SignatureMismatch,
        RejectionKind::TimestampMissing,
        RejectionKind::TimestampMalformed,
        RejectionKind::TimestampExpired,
        RejectionKind::TimestampInFuture,
        RejectionKind::IdMissing,
        RejectionKind::IdMalformed,
        RejectionKind::EventMalformed,
        RejectionKind::PayloadInvalid,
        RejectionKind::InFlight,
        RejectionKind::IdConflict,
        RejectionKind::ReplayDetected,
        RejectionKind::StoreUnavailable,
        RejectionKind::QueueFull,
        RejectionKind::QueueClosed,
        RejectionKind::QueueUnavailable,
        RejectionKind::VerificationMissing,
        RejectionKind::SignedPartMissing,
        RejectionKind::RequestTargetMissing,
    ];
}

/// A refused delivery: a [`RejectionKind`] plus an optional diagnostic.
///
/// The response a sender sees is `status()` with the JSON body
/// `{"error": code(), "message": message()}`. The [`detail`](Rejection::detail) is for your logs
/// ("timestamp is 412 s old, tolerance 300 s"); it is never sent to the client and never
/// contains secret material, an expected signature or the body.
///
/// ```
/// use webhook_guard::{Rejection, RejectionKind};
///
/// let r = Rejection::new(RejectionKind::SignatureMismatch);
/// assert_eq!(r.status(), 401);
/// assert_eq!(r.code(), "signature_mismatch");
/// assert_eq!(
///     String::from_utf8(r.json_body()).unwrap(),
///     r#"{"error":"signature_mismatch","message":"signature does not match the payload"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    kind: RejectionKind,
    detail: Option<Cow<'static, str>>,
    retry_after: Option<Duration>,
}

impl Rejection {
    /// A rejection of this kind without a diagnostic.
    pub const fn new(kind: RejectionKind) -> Self {
        Rejection {
            kind,
            detail: None,
            retry_after: None,
        }
    }

    /// A rejection with a diagnostic for the logs.
    pub fn with_detail(kind: RejectionKind, detail: impl Into<Cow<'static, str>>) -> Self {
        Rejection {
            kind,
            detail: Some(detail.into()),
            retry_after: None,
        }
    }

    /// Ask the sender to retry after `after` (sent as `Retry-After`, in whole seconds, at
    /// least 1).
    #[must_use]
    pub fn retry_after(mut self, after: Duration) -> Self {
        self.retry_after = Some(after);
        self
    }

    /// The `Retry-After` delay, if any.
    pub fn retry_after_duration(&self) -> Option<Duration> {
        self.retry_after
    }

    /// `Retry-After` in whole seconds (rounded up, at least 1), if any.
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.retry_after
            .map(|d| (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1))
    }

    /// The kind, to match on.
    pub const fn kind(&self) -> RejectionKind {
        self.kind
    }

    /// The HTTP status to answer.
    pub const fn status(&self) -> StatusCode {
        self.kind.status()
    }

    /// The stable machine code.
    pub const fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The fixed client-facing message.
    pub const fn message(&self) -> &'static str {
        self.kind.message()
    }

    /// The diagnostic for logs, if any: why exactly this delivery failed.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// The JSON response body, `{"error": "<code>", "message": "<message>"}`.
    pub fn json_body(&self) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "error": self.code(),
            "message": self.message(),
        }))
        .unwrap_or_default()
    }

    /// An `http::Response` carrying this rejection, for adapters and plain hyper services.
    pub fn to_response<B: From<bytes::Bytes>>(&self) -> http::Response<B> {
        let mut res = http::Response::new(B::from(bytes::Bytes::from(self.json_body())));
        *res.status_mut() = self.status();
        res.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        if let Some(secs) = self.retry_after_secs() {
            res.headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
        }
        res
    }
}

impl From<RejectionKind> for Rejection {
    fn from(kind: RejectionKind) -> Self {
        Rejection::new(kind)
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Some(detail) => write!(f, "{} ({}): {}", self.message(), self.code(), detail),
            None => write!(f, "{} ({})", self.message(), self.code()),
        }
    }
}

impl std::error::Error for Rejection {}

/// The message and the underlying error of an error that wraps another: what this crate was
/// doing, and what failed under it, kept as [`std::error::Error::source`] so callers can walk
/// the chain and match on the cause.
#[cfg(any(
    feature = "server",
    feature = "ed25519",
    feature = "p256",
    feature = "rsa"
))]
#[derive(Clone)]
pub(crate) struct Cause {
    message: Cow<'static, str>,
    source: Option<std::sync::Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

#[cfg(any(
    feature = "server",
    feature = "ed25519",
    feature = "p256",
    feature = "rsa"
))]
impl Cause {
    pub(crate) fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Cause {
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn with_source(
        message: impl Into<Cow<'static, str>>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Cause {
            message: message.into(),
            source: Some(std::sync::Arc::from(source.into())),
        }
    }

    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(any(
    feature = "server",
    feature = "ed25519",
    feature = "p256",
    feature = "rsa"
))]
impl fmt::Debug for Cause {
    // The source as text, not its `Debug`: a driver's error may carry its connection options.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Cause");
        d.field("message", &self.message);
        if let Some(source) = self.source() {
            d.field("source", &format_args!("{}", Chain(source)));
        }
        d.finish()
    }
}

/// An error and each of its sources, `outer: inner: innermost`, for logs and rejection details,
/// where a person reads the whole chain at once.
#[cfg(any(
    feature = "server",
    feature = "ed25519",
    feature = "p256",
    feature = "rsa"
))]
pub(crate) struct Chain<'a>(pub(crate) &'a (dyn std::error::Error + 'static));

#[cfg(any(
    feature = "server",
    feature = "ed25519",
    feature = "p256",
    feature = "rsa"
))]
impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        // Bounded: a chain is a handful of errors deep; a cyclic one must not hang a log line.
        for _ in 0..16 {
            let Some(e) = source else { break };
            write!(f, ": {e}")?;
            source = e.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(
        feature = "server",
        feature = "ed25519",
        feature = "p256",
        feature = "rsa"
    ))]
    #[test]
    fn a_cause_keeps_its_source_and_prints_the_chain() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let cause = Cause::with_source("connecting", io);
        assert_eq!(cause.message(), "connecting");
        assert_eq!(
            cause.source().map(ToString::to_string).as_deref(),
            Some("refused")
        );
        assert!(format!("{cause:?}").contains("refused"));
        assert!(Cause::new("plain").source().is_none());
    }

    #[test]
    fn codes_are_unique_and_statuses_are_errors() {
        let mut codes: Vec<_> = RejectionKind::ALL.iter().map(|k| k.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), RejectionKind::ALL.len());
        for k in RejectionKind::ALL {
            assert!(k.status().is_client_error() || k.status().is_server_error());
            assert!(
                k.code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
        }
    }
}
