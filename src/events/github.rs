//! GitHub webhook payloads.
//!
//! GitHub names the event in a header, not in the body: `X-GitHub-Event` (`push`, `issues`,
//! `pull_request`, …) and the delivery in `X-GitHub-Delivery`. With
//! [`Scheme::github`](crate::Scheme::github) both are in [`WebhookMeta`](crate::WebhookMeta):
//! [`event_type()`](crate::WebhookMeta::event_type) and [`id()`](crate::WebhookMeta::id). The
//! body has dozens of shapes, one per event and action, so [`Event`] types only the fields most
//! payloads share (`action`, `sender`, `repository`, `organization`, `installation`) and keeps the
//! rest as raw JSON in [`Event::extra`].
//!
//! ```no_run
//! # #[cfg(feature = "axum")] {
//! use axum::{Router, routing::post};
//! use webhook_guard::events::github;
//! use webhook_guard::{Scheme, Secret, Verified, Verifier, WebhookLayer, WebhookMeta};
//!
//! async fn on_github(meta: WebhookMeta, Verified(event): Verified<github::Event>) -> String {
//!     match (meta.event_type(), event.action.as_deref()) {
//!         (Some("ping"), _) => format!("pong {}", meta.id().unwrap_or_default()),
//!         (Some("issues"), Some("opened")) => "thanks for the issue".to_owned(),
//!         (name, action) => format!("ignored {name:?} {action:?}"),
//!     }
//! }
//!
//! let secret = Secret::new("the-secret-from-the-webhook-settings").unwrap();
//! let app: Router = Router::new()
//!     .route("/webhooks/github", post(on_github))
//!     .route_layer(WebhookLayer::new(Verifier::new(Scheme::github(), secret)));
//! # }
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The fields most GitHub webhook payloads share; everything else in [`extra`](Event::extra).
///
/// ```
/// use webhook_guard::events::github::Event;
///
/// let ping: Event = serde_json::from_str(webhook_guard::testing::samples::GITHUB_PING)?;
/// assert_eq!(ping.action, None);
/// assert_eq!(ping.sender.as_ref().map(|s| s.login.as_str()), Some("octocat"));
/// assert_eq!(ping.repository.as_ref().map(|r| r.full_name.as_str()), Some("octocat/Hello-World"));
/// assert_eq!(ping.extra["zen"], "Design for failure.");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// What happened to the subject (`opened`, `closed`, `created`, …); absent for events
    /// without actions such as `push` and `ping`.
    #[serde(default)]
    pub action: Option<String>,
    /// The user who triggered the event.
    #[serde(default)]
    pub sender: Option<Account>,
    /// The repository the event happened in, for repository events.
    #[serde(default)]
    pub repository: Option<Repository>,
    /// The organization, for events in an organization.
    #[serde(default)]
    pub organization: Option<Account>,
    /// The GitHub App installation, for deliveries to a GitHub App.
    #[serde(default)]
    pub installation: Option<Installation>,
    /// Every other field (the event's own payload: `issue`, `pull_request`, `commits`, `zen`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A user or organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Account {
    /// The login name.
    pub login: String,
    /// The numeric id.
    pub id: u64,
    /// `User`, `Organization` or `Bot`, where sent.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Repository {
    /// The numeric id.
    pub id: u64,
    /// The name without its owner, e.g. `Hello-World`.
    pub name: String,
    /// `owner/name`.
    pub full_name: String,
    /// Whether the repository is private.
    #[serde(default)]
    pub private: bool,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A GitHub App installation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Installation {
    /// The installation id.
    pub id: u64,
    /// Every other field, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
