//! WooCommerce: [`Scheme::woocommerce`].

use crate::scheme::{Encoding, Scheme};

impl Scheme {
    /// WooCommerce webhooks (topics `order.created`, `product.updated`, `customer.deleted`, …).
    ///
    /// From WooCommerce's REST API "Webhooks" documentation
    /// (<https://developer.woocommerce.com/docs/apis/rest-api/v2/webhooks/>) and the sender,
    /// `WC_Webhook` (woocommerce/woocommerce, `includes/class-wc-webhook.php`): with a secret
    /// set on the webhook, `X-WC-Webhook-Signature: <base64 HMAC-SHA256 of the raw body>` (no
    /// prefix), keyed with that secret as typed. `X-WC-Webhook-Topic` is the event type,
    /// `X-WC-Webhook-Delivery-ID` the delivery id (also `X-WC-Webhook-ID`, the webhook's own
    /// id, and `X-WC-Webhook-Source`, the shop's URL, which are not read). Nothing carries a
    /// timestamp: replays are caught by deduplication only, on the delivery id and, as it is not
    /// signed, on the signature.
    ///
    /// WooCommerce does not retry a failed delivery; it disables a webhook after 5 failures in a
    /// row. When a webhook is created, WooCommerce pings its URL (`WC_Webhook::deliver_ping`)
    /// with a form-encoded `webhook_id=<id>` body and no signature, and reports an error unless
    /// the answer is `200`. This scheme refuses that ping (`401 signature_missing`) like any
    /// unsigned request; answer it before the guard with
    /// [`handshake::woocommerce`](crate::handshake::woocommerce), which matches exactly that
    /// body on a request without `X-WC-Webhook-Signature` and nothing else (every other request
    /// goes on to the guard), answers an empty `200`, and runs no handler: the ping carries
    /// nothing to act on.
    pub fn woocommerce() -> Scheme {
        Scheme::builtin("woocommerce")
            .signature_header("x-wc-webhook-signature")
            .encoding(Encoding::Base64)
            .id_header("x-wc-webhook-delivery-id")
            .event_header("x-wc-webhook-topic")
            .build()
            .expect("built-in scheme is valid")
    }
}
