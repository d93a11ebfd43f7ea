//! What a durable queue (Redis, PostgreSQL) stores beside a job's payload.

use crate::verify::WebhookMeta;

/// `WebhookMeta` as stored beside a job. The signature tag is left out: the job was verified
/// and admitted before it was stored, and only the dedup admission needs it.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredMeta {
    scheme: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ts: Option<u64>,
    #[serde(default)]
    secret: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ns: Option<String>,
}

impl From<&WebhookMeta> for StoredMeta {
    fn from(m: &WebhookMeta) -> Self {
        StoredMeta {
            scheme: m.scheme().to_owned(),
            id: m.id().map(str::to_owned),
            event: m.event_type().map(str::to_owned),
            ts: m.timestamp_millis(),
            secret: m.secret_index(),
            label: m.secret_label().map(str::to_owned),
            ns: m.own_namespace().map(str::to_owned),
        }
    }
}

impl From<StoredMeta> for WebhookMeta {
    fn from(m: StoredMeta) -> Self {
        WebhookMeta::restored(m.scheme, m.id, m.event, m.ts, (m.secret, m.label), m.ns)
    }
}
