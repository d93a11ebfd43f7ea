//! Senders' handshakes: the answers some senders require before they deliver to an endpoint,
//! framework-free. Each helper looks at a request and, when it is that sender's handshake,
//! gives the [`Reply`] to send; otherwise `None`, and the request is an ordinary delivery.
//!
//! Where the sender signs its handshake (Discord, Slack, Twitch EventSub, Zoom), the helper
//! takes the body **after** the guard verified it: call it in the handler behind the guard, so
//! that an unsigned "handshake" is refused like any forged delivery. Dropbox's `GET ?challenge=`
//! is not signed; it has a route of its own, and only echoes the challenge as inert text.
//! WooCommerce's creation ping (`webhook_id=<id>`) is not signed either and comes to the
//! delivery URL: [`woocommerce`] looks at the raw request before the guard, matches that exact
//! body only, and answers an empty `200`; everything else goes on to the guard.
//!
//! One line in a handler (axum: `http::Response<axum::body::Body>` is a response):
//!
//! ```
//! use webhook_guard::handshake;
//!
//! let body = br#"{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
//! // In a Slack route's handler, with the verified body:
//! if let Some(reply) = handshake::slack(body) {
//!     let response: http::Response<bytes::Bytes> = reply.into_response();
//!     assert_eq!(response.body().as_ref(), b"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
//! }
//! ```
//!
//! # Every handshake
//!
//! | sender | handshake | one line in the handler |
//! |---|---|---|
//! | Discord | PING (`"type":1`), signed | `handshake::discord(&body)` → `{"type":1}` |
//! | Slack | `url_verification`, signed | `handshake::slack(&body)` → the `challenge` as text |
//! | Twitch EventSub | `webhook_callback_verification`, signed | `handshake::twitch(message_type, &body)` → the `challenge` as text |
//! | Zoom | `endpoint.url_validation`, signed | `handshake::zoom(&body, &secret_token)` → `{"plainToken","encryptedToken"}` (hex HMAC-SHA256 of the token) |
//! | Dropbox | `GET ?challenge=…`, **unsigned**, on a route without the guard | `handshake::dropbox(query)` → the challenge as `text/plain` with `X-Content-Type-Options: nosniff` |
//! | WooCommerce | creation ping, `POST` of the form body `webhook_id=<id>`, **unsigned**, checked **before** the guard | `handshake::woocommerce(&headers, &body)` → empty `200`; only that exact body without `X-WC-Webhook-Signature` matches (at most `WOOCOMMERCE_PING_MAX_LEN` bytes, so only a body that short needs reading early), anything else goes on to the guard and is refused when unsigned |
//!
//! ```rust
//! # #[cfg(feature = "axum")] mod twitch_route {
//! use axum::body::Body;
//! use axum::http::HeaderMap;
//! use axum::response::{IntoResponse, Response};
//! use webhook_guard::{RawBody, WebhookMeta, handshake};
//!
//! // axum, behind the guard of a Twitch route:
//! async fn twitch(meta: WebhookMeta, headers: HeaderMap, RawBody(body): RawBody) -> Response {
//!     let kind = headers.get("twitch-eventsub-message-type").and_then(|v| v.to_str().ok());
//!     if let Some(reply) = handshake::twitch(kind, &body) {
//!         return reply.into_response::<Body>();
//!     }
//!     format!("notification {:?}", meta.id()).into_response()
//! }
//! # }
//! ```
//!
//! WooCommerce's ping comes before the guard: an axum middleware layered outside the guarded
//! route (`.route_layer(guard).layer(middleware::from_fn(ping_first))`) reads only a body that
//! short, and hands everything else on as it came:
//!
//! ```rust
//! # #[cfg(feature = "axum")] mod ping {
//! use axum::body::Body;
//! use axum::extract::Request;
//! use axum::http::header::CONTENT_LENGTH;
//! use axum::middleware::Next;
//! use axum::response::{IntoResponse, Response};
//! use webhook_guard::handshake::{self, WOOCOMMERCE_PING_MAX_LEN};
//!
//! async fn ping_first(request: Request, next: Next) -> Response {
//!     let len = request.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok());
//!     if !len.is_some_and(|n: usize| n <= WOOCOMMERCE_PING_MAX_LEN) {
//!         return next.run(request).await;
//!     }
//!     let (parts, body) = request.into_parts();
//!     let Ok(bytes) = axum::body::to_bytes(body, WOOCOMMERCE_PING_MAX_LEN + 1).await else {
//!         return axum::http::StatusCode::BAD_REQUEST.into_response();
//!     };
//!     match handshake::woocommerce(&parts.headers, &bytes) {
//!         Some(reply) => reply.into_response::<Body>(),
//!         None => next.run(Request::from_parts(parts, Body::from(bytes))).await,
//!     }
//! }
//! # }
//! ```

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http::header::{CONTENT_TYPE, HeaderValue, X_CONTENT_TYPE_OPTIONS};
use http::{Response, StatusCode};
use serde_json::Value;
use sha2::Sha256;

use crate::secret::Secret;

/// Longest challenge echoed, in bytes: the senders' challenges are a few dozen characters.
pub const MAX_CHALLENGE_LEN: usize = 1024;

/// The answer to a handshake: status `200`, a content type, the body, and for Dropbox
/// `X-Content-Type-Options: nosniff`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    content_type: &'static str,
    nosniff: bool,
    body: Bytes,
}

impl Reply {
    fn text(challenge: &str) -> Reply {
        Reply {
            content_type: "text/plain; charset=utf-8",
            nosniff: false,
            body: Bytes::copy_from_slice(challenge.as_bytes()),
        }
    }

    fn json(value: &Value) -> Reply {
        Reply {
            content_type: "application/json",
            nosniff: false,
            body: Bytes::from(value.to_string()),
        }
    }

    /// The status to answer with: always `200 OK`.
    pub fn status(&self) -> StatusCode {
        StatusCode::OK
    }

    /// The `Content-Type` to answer with (`text/plain; charset=utf-8` or `application/json`).
    pub fn content_type(&self) -> &'static str {
        self.content_type
    }

    /// Whether to send `X-Content-Type-Options: nosniff` too (Dropbox asks for it, so that an
    /// echoed challenge is never read as HTML).
    pub fn nosniff(&self) -> bool {
        self.nosniff
    }

    /// The body to answer with.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The reply as an HTTP response, with any body type built from `Bytes`
    /// (`axum::body::Body`, `http_body_util::Full<Bytes>`, `Bytes`, …).
    pub fn into_response<B: From<Bytes>>(self) -> Response<B> {
        let mut response = Response::new(B::from(self.body));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        if self.nosniff {
            response
                .headers_mut()
                .insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        }
        response
    }
}

/// A top-level string field of a JSON object body, if short enough to echo.
fn string_field<'a>(doc: &'a Value, name: &str) -> Option<&'a str> {
    doc.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.len() <= MAX_CHALLENGE_LEN)
}

fn json(body: &[u8]) -> Option<Value> {
    serde_json::from_slice(body).ok()
}

/// Discord's PING (an interaction of `type` 1, sent when the Interactions Endpoint URL is
/// saved and from time to time), answered `{"type":1}` as Discord requires
/// (<https://discord.com/developers/docs/interactions/overview>). Call with the body that
/// [`Scheme::discord`](crate::Scheme::discord) verified: Discord checks that an endpoint
/// refuses PINGs with a bad signature.
pub fn discord(body: &[u8]) -> Option<Reply> {
    let doc = json(body)?;
    (doc.get("type").and_then(Value::as_u64) == Some(1)).then(|| Reply::json(&json_type_1()))
}

fn json_type_1() -> Value {
    serde_json::json!({ "type": 1 })
}

/// Slack's `url_verification` (Events API, when the Request URL is set): answered with its
/// `challenge` as plain text, one of the forms Slack accepts
/// (<https://docs.slack.dev/reference/events/url_verification>). Slack signs it like any
/// request: call with the body [`Scheme::slack`](crate::Scheme::slack) verified.
pub fn slack(body: &[u8]) -> Option<Reply> {
    let doc = json(body)?;
    if doc.get("type").and_then(Value::as_str) != Some("url_verification") {
        return None;
    }
    string_field(&doc, "challenge").map(Reply::text)
}

/// Twitch EventSub's `webhook_callback_verification` (sent when a subscription is created):
/// answered with the body's `challenge` as plain text, which Twitch requires
/// (<https://dev.twitch.tv/docs/eventsub/handling-webhook-events/>). `message_type` is the
/// `Twitch-Eventsub-Message-Type` header's value. Twitch signs the challenge like a
/// notification: call with the body [`Scheme::twitch`](crate::Scheme::twitch) verified.
pub fn twitch(message_type: Option<&str>, body: &[u8]) -> Option<Reply> {
    if message_type != Some("webhook_callback_verification") {
        return None;
    }
    string_field(&json(body)?, "challenge").map(Reply::text)
}

/// Zoom's `endpoint.url_validation` (when the endpoint is set, then every 72 hours):
/// answered `{"plainToken": <payload.plainToken>, "encryptedToken": <hex HMAC-SHA256 of the
/// plain token, keyed with the secret token>}` (<https://developers.zoom.us/docs/api/webhooks/>,
/// "Validate your webhook endpoint"). `secret_token` is the secret the scheme verifies with.
/// Zoom signs the validation like an event: call with the body
/// [`Scheme::zoom`](crate::Scheme::zoom) verified.
pub fn zoom(body: &[u8], secret_token: &Secret) -> Option<Reply> {
    let doc = json(body)?;
    if doc.get("event").and_then(Value::as_str) != Some("endpoint.url_validation") {
        return None;
    }
    let plain = string_field(doc.get("payload")?, "plainToken")?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret_token.expose()).expect("HMAC takes any key length");
    mac.update(plain.as_bytes());
    let encrypted = hex::encode(mac.finalize().into_bytes());
    Some(Reply::json(
        &serde_json::json!({ "plainToken": plain, "encryptedToken": encrypted }),
    ))
}

/// Dropbox's verification request, `GET <webhook URI>?challenge=<random string>` (when the URI
/// is added, unsigned): answered with the challenge, decoded, as `text/plain` with
/// `X-Content-Type-Options: nosniff`, the headers Dropbox asks for so that the echo cannot be
/// a reflected XSS (<https://www.dropbox.com/developers/reference/webhooks>). `query` is the
/// request's query string (without the `?`); `None` when it has no non-empty `challenge`
/// parameter of at most [`MAX_CHALLENGE_LEN`] bytes.
pub fn dropbox(query: &str) -> Option<Reply> {
    let challenge = form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "challenge")
        .map(|(_, value)| value.into_owned())
        .filter(|c| !c.is_empty() && c.len() <= MAX_CHALLENGE_LEN)?;
    Some(Reply {
        nosniff: true,
        ..Reply::text(&challenge)
    })
}

/// Longest body [`woocommerce`] answers: `webhook_id=` and up to 20 digits (a 64-bit id).
/// A pre-guard check can read this many bytes and one more, and leave any longer body to the
/// guard untouched.
pub const WOOCOMMERCE_PING_MAX_LEN: usize = "webhook_id=".len() + 20;

/// WooCommerce's creation ping: when a webhook is saved, WooCommerce POSTs the form body
/// `webhook_id=<id>` to the delivery URL, **unsigned** (no `X-WC-Webhook-*` header at all), and
/// refuses to activate the webhook unless the answer is `200` (`WC_Webhook::deliver_ping`,
/// woocommerce/woocommerce `includes/class-wc-webhook.php`). Answered `200` with an empty
/// body.
///
/// The ping is not signed, so this helper runs **before** the guard, on the raw request, and
/// its answer carries nothing from the request and runs no handler. It recognises exactly
/// that request and nothing else: a body that is `webhook_id=` followed by 1 to 20 ASCII digits
/// and no other byte, and no `X-WC-Webhook-Signature` header (a request carrying a signature
/// is a delivery for the guard to check). Anything else gives `None`: pass the request on to
/// the guard, which refuses it when unsigned (`401 signature_missing`), so the helper cannot
/// admit any other body unverified. Only bodies of at most [`WOOCOMMERCE_PING_MAX_LEN`] bytes
/// can match, so a pre-guard check need only read a body whose `Content-Length` is that small.
///
/// ```
/// use http::HeaderMap;
/// use webhook_guard::handshake;
///
/// let headers = HeaderMap::new();
/// assert!(handshake::woocommerce(&headers, b"webhook_id=42").is_some());
/// assert!(handshake::woocommerce(&headers, b"webhook_id=42&order=1").is_none());
/// ```
pub fn woocommerce(headers: &http::HeaderMap, body: &[u8]) -> Option<Reply> {
    let digits = body.strip_prefix(b"webhook_id=")?;
    let ping = (1..=20).contains(&digits.len())
        && digits.iter().all(u8::is_ascii_digit)
        && !headers.contains_key("x-wc-webhook-signature");
    ping.then(|| Reply::text(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_woocommerce_s_exact_unsigned_ping_is_answered() {
        let none = http::HeaderMap::new();
        let ping = woocommerce(&none, b"webhook_id=7").unwrap();
        assert_eq!(
            (ping.status(), ping.body().as_ref()),
            (StatusCode::OK, &b""[..])
        );
        assert!(woocommerce(&none, b"webhook_id=18446744073709551615").is_some());
        assert_eq!(
            woocommerce(&none, &[b"webhook_id=".as_slice(), &[b'9'; 21]].concat()),
            None
        );
        for other in [
            &b"webhook_id="[..],
            b"webhook_id=7&x=1",
            b"webhook_id=7\n",
            b" webhook_id=7",
            b"webhook_id=-7",
            b"webhook_id=7a",
            b"webhook_id=%37",
            b"webhook_id=\xd9\xa7",
            br#"{"webhook_id":7}"#,
            b"",
        ] {
            assert_eq!(woocommerce(&none, other), None, "{other:?}");
        }
        let mut signed = http::HeaderMap::new();
        signed.insert("x-wc-webhook-signature", HeaderValue::from_static("x"));
        assert_eq!(woocommerce(&signed, b"webhook_id=7"), None);
    }

    #[test]
    fn each_handshake_is_recognised_and_nothing_else() {
        assert_eq!(
            discord(br#"{"id":"1","type":1}"#).unwrap().body().as_ref(),
            br#"{"type":1}"#
        );
        assert_eq!(discord(br#"{"type":2}"#), None);
        assert_eq!(discord(b"not json"), None);

        let s = slack(br#"{"type":"url_verification","challenge":"abc"}"#).unwrap();
        assert_eq!(
            (s.body().as_ref(), s.content_type()),
            (&b"abc"[..], "text/plain; charset=utf-8")
        );
        assert_eq!(
            slack(br#"{"type":"event_callback","challenge":"abc"}"#),
            None
        );
        assert_eq!(slack(b"token=x&challenge=abc"), None);

        let t = br#"{"challenge":"pogchamp","subscription":{}}"#;
        assert_eq!(
            twitch(Some("webhook_callback_verification"), t)
                .unwrap()
                .body()
                .as_ref(),
            b"pogchamp"
        );
        assert_eq!(twitch(Some("notification"), t), None);
        assert_eq!(twitch(None, t), None);

        let d = dropbox("x=1&challenge=a%20b%3Cc").unwrap();
        assert_eq!(d.body().as_ref(), b"a b<c");
        assert!(d.nosniff());
        let r: Response<Bytes> = d.into_response();
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
        assert_eq!(dropbox("challenge="), None);
        assert_eq!(
            dropbox(&format!("challenge={}", "a".repeat(MAX_CHALLENGE_LEN + 1))),
            None
        );
    }

    /// Zoom's documented example token, and the value openssl gives for it:
    /// `printf '%s' 'qgg8vlvZRS6UYooatFL8Aw' | openssl dgst -sha256 -hmac 'zoom-secret-token-0123456789'`.
    #[test]
    fn zoom_validation_answers_the_hmac_of_the_plain_token() {
        let secret = Secret::new("zoom-secret-token-0123456789").unwrap();
        let body = br#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#;
        let reply = zoom(body, &secret).unwrap();
        let answer: Value = serde_json::from_slice(reply.body()).unwrap();
        assert_eq!(
            answer,
            serde_json::json!({
                "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
                "encryptedToken": "fa52ecf98b4919aaa696f04cdc156ea40b1eba020707f76b8c9e455168295b87",
            })
        );
        assert_eq!(reply.content_type(), "application/json");
        assert_eq!(
            zoom(br#"{"event":"meeting.started","payload":{}}"#, &secret),
            None
        );
    }
}
