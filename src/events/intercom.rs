//! Intercom's webhook notification.
//!
//! Intercom posts a [`Notification`]: `type` `notification_event`, its `id` (`notif_…`, the id
//! [`Scheme::intercom`](crate::Scheme::intercom) deduplicates on), the `topic` (`user.created`,
//! `conversation.user.replied`, …), `app_id`, `created_at`, and the object in `data.item`, raw
//! ([`Notification::item_as`]). Source: Intercom's "Signed notifications" reference,
//! <https://developers.intercom.com/intercom-api-reference/v1.0/reference/signed-notifications>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An Intercom webhook notification.
///
/// ```
/// use webhook_guard::events::intercom::Notification;
///
/// let n: Notification = serde_json::from_str(webhook_guard::testing::samples::INTERCOM_USER_CREATED)?;
/// assert_eq!(n.topic, "user.created");
///
/// #[derive(serde::Deserialize)]
/// struct User { name: String }
/// assert_eq!(n.item_as::<User>()?.name, "Hoban Washburne");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Notification {
    /// The notification id, `notif_…`.
    pub id: String,
    /// The topic, e.g. `conversation.admin.closed`.
    pub topic: String,
    /// The workspace (app) id.
    #[serde(default)]
    pub app_id: Option<String>,
    /// When the notification was created, in unix seconds.
    #[serde(default)]
    pub created_at: Option<i64>,
    /// `data`, whose `item` is the object the topic is about.
    #[serde(default)]
    pub data: NotificationData,
    /// Every other field (`type`, `delivery_attempts`, …), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of an Intercom notification.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NotificationData {
    /// The object, raw.
    #[serde(default)]
    pub item: Value,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Notification {
    /// Deserialize `data.item` into your own type.
    pub fn item_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.data.item)
    }
}
