//! Sentry: [`Scheme::sentry`].

use crate::scheme::{Scheme, TimestampUnit};

impl Scheme {
    /// Sentry integration platform webhooks (internal and public integrations: `issue`,
    /// `error`, `comment`, `event_alert`, `metric_alert`, `installation`, …).
    ///
    /// From Sentry's "Webhooks" page of the integration platform
    /// (<https://docs.sentry.io/organization/integrations/integration-platform/webhooks/>):
    /// `Sentry-Hook-Signature: <hex HMAC-SHA256 of the body>` (no prefix), keyed with the
    /// integration's Client Secret, used as is. (The page's example hashes
    /// `JSON.stringify(request.body)`, a re-serialisation; Sentry signs the JSON text it sends,
    /// so the raw body is what is verified here.) `Sentry-Hook-Resource` is the event type
    /// (the resource; the body's `action` says what happened to it) and `Request-ID` the
    /// delivery id.
    ///
    /// `Sentry-Hook-Timestamp` is the send time. The page gives no unit; Sentry's sender
    /// (`AppPlatformEvent` in getsentry/sentry) writes unix **seconds**. It is not signed, but
    /// checked against the verifier's window as sent (Sentry names no tolerance; the default is
    /// 5 minutes). `Request-ID` is a fresh UUID made with the other headers; neither it nor the
    /// timestamp is signed, so deduplication also keys on the signature. Sentry's page documents
    /// no retry schedule.
    pub fn sentry() -> Scheme {
        Scheme::builtin("sentry")
            .signature_header("sentry-hook-signature")
            .timestamp_header("sentry-hook-timestamp", TimestampUnit::Seconds)
            .id_header("request-id")
            .event_header("sentry-hook-resource")
            .build()
            .expect("built-in scheme is valid")
    }
}
