//! Typeform: [`Scheme::typeform`].

use crate::scheme::{Encoding, Scheme};

impl Scheme {
    /// Typeform webhooks (form responses).
    ///
    /// From Typeform's "Secure your webhooks"
    /// (<https://www.typeform.com/developers/webhooks/secure-your-webhooks/>):
    /// `Typeform-Signature: sha256=<base64>`, the base64 of the HMAC-SHA256 of the entire raw
    /// body, keyed with the webhook's `secret` as set through the Webhooks API or the form's
    /// webhook settings, used as is (build it with [`Secret::new`](crate::Secret::new)).
    /// Without a secret Typeform signs nothing, and every delivery is refused here as
    /// `signature_missing`.
    ///
    /// Typeform sends no timestamp: replays are caught by deduplication only. The delivery id
    /// is the top-level `event_id` of the signed JSON body and the event type its
    /// `event_type` (`form_response`); the response itself is `form_response.token`.
    ///
    /// Typeform's Webhooks API overview (<https://www.typeform.com/developers/webhooks/>):
    /// a delivery not answered within 30 seconds has failed; after `404` or `410` the webhook
    /// is disabled at once, after `408`, `423`, `429` or `503` the request is retried every
    /// 2–3 minutes for 10 hours, and after other failures it is retried with back-off.
    pub fn typeform() -> Scheme {
        Scheme::builtin("typeform")
            .signature_header("typeform-signature")
            .signature_prefix("sha256=")
            .encoding(Encoding::Base64)
            .id_json_field("event_id")
            .event_json_field("event_type")
            .build()
            .expect("built-in scheme is valid")
    }
}
