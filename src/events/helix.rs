//! Helix data-feed notifications (fact checks, news, events).
//!
//! **Helix does not document its payload body.** Its documentation lists three webhook types
//! (fact checking, news, events) and its signature example reads `payload.timestamp`, so the body
//! is a JSON object with a `timestamp` field; nothing else about its shape is documented. The
//! [`Envelope`] here is therefore an assumption, kept deliberately loose:
//!
//! ```json
//! { "type": "fact_check", "timestamp": 1704123456789, "data": { … } }
//! ```
//!
//! - the kind is read from `"type"`, or from `"event"` when there is no `"type"`, and parsed
//!   leniently into [`Kind`]; anything unrecognised is kept as [`Kind::Other`];
//! - `timestamp` is kept as whatever JSON value was sent ([`Envelope::timestamp_ms`] reads it as
//!   milliseconds, the unit of Helix's `X-Webhook-Timestamp` header);
//! - `data` is kept as raw JSON; deserialize it into your own type with [`Envelope::data_as`];
//! - every other top-level field is kept in [`Envelope::extra`].
//!
//! The sample payloads shipped with this crate (`samples/helix/*.json`) follow this assumed shape
//! and are invented, not taken from Helix. Verification does not depend on any of it: the
//! signature covers `X-Webhook-Timestamp`, a dot and the raw body, whatever the body contains.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer};
use serde_json::{Map, Value};

/// A Helix webhook notification (assumed shape; see the [module docs](self)).
///
/// ```
/// use webhook_guard::events::helix::{Envelope, Kind};
///
/// let body = r#"{
///     "type": "news",
///     "timestamp": 1704123456789,
///     "data": { "title": "Central bank holds rates", "url": "https://news.example.com/1" }
/// }"#;
/// let envelope: Envelope = serde_json::from_str(body)?;
/// assert_eq!(envelope.kind, Kind::News);
/// assert_eq!(envelope.timestamp_ms(), Some(1_704_123_456_789));
/// assert_eq!(envelope.data["title"], "Central bank holds rates");
///
/// #[derive(serde::Deserialize)]
/// struct NewsItem {
///     title: String,
///     url: String,
/// }
/// let item: NewsItem = envelope.data_as()?;
/// assert_eq!(item.url, "https://news.example.com/1");
///
/// // Kinds Helix may add later are kept, not rejected.
/// let other: Envelope = serde_json::from_str(r#"{"type": "Weather", "data": {}}"#)?;
/// assert_eq!(other.kind, Kind::Other("Weather".into()));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Envelope {
    /// What the notification is about: from `"type"`, or from `"event"` if there is no `"type"`.
    pub kind: Kind,
    /// `timestamp`: when Helix sent the notification, as sent (a number of milliseconds in the
    /// crate's samples); `None` when absent or `null`.
    pub timestamp: Option<Value>,
    /// `data`: the notification's content as raw JSON; `Value::Null` when absent.
    pub data: Value,
    /// Any other top-level field, kept as sent.
    pub extra: Map<String, Value>,
}

/// The kind of a Helix notification.
///
/// Parsing is lenient: case is ignored, as are `_`, `-`, `.` and spaces, so `fact_check`,
/// `fact-check`, `FactCheck` and `fact_checking` are all [`Kind::FactCheck`], and both `event`
/// and `events` are [`Kind::Event`]. Anything else is kept, spelled as sent, in [`Kind::Other`].
///
/// ```
/// use webhook_guard::events::helix::Kind;
///
/// assert_eq!(Kind::from("Fact-Check"), Kind::FactCheck);
/// assert_eq!(Kind::from("events"), Kind::Event);
/// assert_eq!(Kind::from("weather").as_str(), "weather");
/// assert_eq!(Kind::FactCheck.to_string(), "fact_check");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A fact-check operation completed.
    FactCheck,
    /// A news item was added to a feed.
    News,
    /// An event was published.
    Event,
    /// Any other kind, spelled exactly as sent.
    Other(String),
}

impl Kind {
    /// The canonical name: `"fact_check"`, `"news"`, `"event"`, or the original spelling of
    /// [`Kind::Other`].
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Kind::FactCheck => "fact_check",
            Kind::News => "news",
            Kind::Event => "event",
            Kind::Other(other) => other,
        }
    }
}

impl From<&str> for Kind {
    fn from(raw: &str) -> Self {
        let normalized: String = raw
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        match normalized.as_str() {
            "factcheck" | "factchecks" | "factchecking" => Kind::FactCheck,
            "news" => Kind::News,
            "event" | "events" => Kind::Event,
            _ => Kind::Other(raw.to_owned()),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Ok(Kind::from(raw.as_str()))
    }
}

impl Envelope {
    /// The `timestamp` as Unix milliseconds, if it is a non-negative integer or a string of
    /// digits.
    #[must_use]
    pub fn timestamp_ms(&self) -> Option<u64> {
        match self.timestamp.as_ref()? {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// Deserializes `data` into your own type.
    ///
    /// # Errors
    /// When `data` does not have the shape of `T`.
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.data)
    }
}

impl<'de> Deserialize<'de> for Envelope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut fields = Map::<String, Value>::deserialize(deserializer)?;
        // `"type"` wins; `"event"` names the kind only when there is no `"type"` and it is a
        // string (otherwise it is left in `extra`, e.g. an event object).
        let kind = match fields.remove("type") {
            Some(raw) => raw,
            None => match fields.get("event") {
                Some(Value::String(_)) => fields.remove("event").unwrap_or_default(),
                _ => return Err(de::Error::missing_field("type")),
            },
        };
        let kind = match kind {
            Value::String(raw) => Kind::from(raw.as_str()),
            other => {
                return Err(de::Error::custom(format_args!(
                    "`type` must be a string, found {other}"
                )));
            }
        };
        let timestamp = fields.remove("timestamp").filter(|t| !t.is_null());
        let data = fields.remove("data").unwrap_or(Value::Null);
        Ok(Envelope {
            kind,
            timestamp,
            data,
            extra: fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FACT_CHECK: &str = include_str!("../../samples/helix/fact_check.json");
    const NEWS: &str = include_str!("../../samples/helix/news.json");
    const EVENT: &str = include_str!("../../samples/helix/event.json");

    fn parse(json: &str) -> Envelope {
        serde_json::from_str(json).expect("envelope parses")
    }

    #[test]
    fn samples() {
        let fact = parse(FACT_CHECK);
        assert_eq!(fact.kind, Kind::FactCheck);
        assert_eq!(fact.timestamp_ms(), Some(1_704_123_456_789));
        assert_eq!(fact.data["verdict"], "false");
        assert!(fact.data["claim"].as_str().unwrap().contains("Great Wall"));
        assert!(fact.extra.is_empty());

        let news = parse(NEWS);
        assert_eq!(news.kind, Kind::News);
        assert_eq!(news.timestamp, Some(Value::from(1_704_123_456_789_u64)));
        assert_eq!(
            news.data["title"],
            "Central bank holds interest rates steady"
        );
        assert_eq!(
            news.data["url"],
            "https://news.example.com/2024/01/01/rates-steady"
        );
        assert_eq!(news.data["published_at"], "2024-01-01T15:30:00Z");

        let event = parse(EVENT);
        assert_eq!(event.kind, Kind::Event);
        assert_eq!(event.data["name"], "Quarterly earnings call");
        assert_eq!(event.data["starts_at"], "2024-01-25T21:00:00Z");
    }

    #[test]
    fn data_as_a_user_type() {
        #[derive(Deserialize)]
        struct Item {
            title: String,
            published_at: String,
        }
        let item: Item = parse(NEWS).data_as().unwrap();
        assert_eq!(item.title, "Central bank holds interest rates steady");
        assert_eq!(item.published_at, "2024-01-01T15:30:00Z");
        assert!(parse(EVENT).data_as::<Item>().is_err());
    }

    #[test]
    fn kind_spellings() {
        for raw in [
            "fact_check",
            "fact-check",
            "factcheck",
            "fact_checking",
            "FACT_CHECK",
            "FactCheck",
            "fact check",
            "fact_checks",
        ] {
            assert_eq!(Kind::from(raw), Kind::FactCheck, "{raw}");
        }
        for raw in ["news", "NEWS", "News"] {
            assert_eq!(Kind::from(raw), Kind::News, "{raw}");
        }
        for raw in ["event", "events", "Event", "EVENTS"] {
            assert_eq!(Kind::from(raw), Kind::Event, "{raw}");
        }
        assert_eq!(Kind::from("weather"), Kind::Other("weather".into()));
        assert_eq!(Kind::from("Weather.Alert").as_str(), "Weather.Alert");
        assert_eq!(Kind::from("").as_str(), "");
        for kind in [Kind::FactCheck, Kind::News, Kind::Event] {
            assert_eq!(Kind::from(kind.as_str()), kind);
            assert_eq!(kind.to_string(), kind.as_str());
        }
        let kind: Kind = serde_json::from_str(r#""Fact-Checking""#).unwrap();
        assert_eq!(kind, Kind::FactCheck);
    }

    #[test]
    fn unknown_kind_is_kept() {
        let e = parse(r#"{"type": "weather", "timestamp": 1704123456789, "data": {"temp": 3}}"#);
        assert_eq!(e.kind, Kind::Other("weather".into()));
        assert_eq!(e.kind.as_str(), "weather");
        assert_eq!(e.data["temp"], 3);
    }

    #[test]
    fn event_field_as_alias_for_type() {
        let e = parse(r#"{"event": "fact-check", "timestamp": 1}"#);
        assert_eq!(e.kind, Kind::FactCheck);
        assert!(e.extra.is_empty());
        assert_eq!(e.data, Value::Null);

        // With both present, `type` names the kind and `event` stays in `extra`.
        let e = parse(r#"{"type": "event", "event": {"name": "Launch"}}"#);
        assert_eq!(e.kind, Kind::Event);
        assert_eq!(e.extra["event"]["name"], "Launch");
        let e = parse(r#"{"type": "news", "event": "ignored"}"#);
        assert_eq!(e.kind, Kind::News);
        assert_eq!(e.extra["event"], "ignored");
    }

    #[test]
    fn loose_fields() {
        let e = parse(r#"{"type": "news", "timestamp": "1704123456789", "feed_id": "f_1"}"#);
        assert_eq!(e.timestamp_ms(), Some(1_704_123_456_789));
        assert_eq!(e.data, Value::Null);
        assert_eq!(e.extra["feed_id"], "f_1");

        let e = parse(r#"{"type": "news", "timestamp": null}"#);
        assert_eq!(e.timestamp, None);
        assert_eq!(e.timestamp_ms(), None);
        let e = parse(r#"{"type": "news", "timestamp": "2024-01-01T15:37:36Z"}"#);
        assert!(e.timestamp.is_some());
        assert_eq!(e.timestamp_ms(), None);
    }

    #[test]
    fn malformed_envelopes_are_errors() {
        for (json, needle) in [
            ("[]", "map"),
            (r#"{"data": {}}"#, "missing field `type`"),
            (r#"{"event": {"name": "x"}}"#, "missing field `type`"),
            (r#"{"type": 3}"#, "`type` must be a string"),
        ] {
            let err = serde_json::from_str::<Envelope>(json)
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{json}: {err}");
        }
    }
}
