//! Coinbase Commerce: [`Scheme::coinbase_commerce`].

use crate::scheme::Scheme;

impl Scheme {
    /// Coinbase Commerce webhooks (charge events: `charge:created`, `charge:pending`,
    /// `charge:confirmed`, `charge:failed`, …).
    ///
    /// From Coinbase Commerce's "Webhooks" overview, "Webhooks security" and "Fields" pages
    /// (<https://docs.cdp.coinbase.com/commerce/api-arcitecture/webhooks-overview>,
    /// <https://docs.cdp.coinbase.com/commerce/api-arcitecture/webhooks-security>,
    /// <https://docs.cdp.coinbase.com/commerce/api-arcitecture/webhooks-fields>):
    /// `X-CC-Webhook-Signature: <hex HMAC-SHA256 of the raw body>` (no prefix), keyed with the
    /// webhook shared secret of Settings > Notifications, used as is. No timestamp is sent:
    /// replays are caught by deduplication only.
    ///
    /// The body is `{"id": …, "attempt_number" or "scheduled_for": …, "event": {"id": …, "type": …,
    /// "data": {…}}}`. The top-level fields describe the delivery (the older "Fields" page calls
    /// `id` the delivery attempt number, the newer one the webhook event's UUID, beside
    /// `attempt_number`), while `event` is the event object of the Events API, whose `id` (a UUID)
    /// names the event a retry delivers again: the delivery id reported and deduplicated on is
    /// `event.id`, and the event type `event.type`. Both are signed with the body. Coinbase
    /// Commerce retries a delivery not answered `200` with exponential backoff for up to three
    /// days, at most an hour apart: longer than the dedup store's default TTL of 24 hours, so give
    /// this guard a longer one (`Dedup::new(store).ttl(..)`, 4 days, say) for late retries to be
    /// recognised.
    pub fn coinbase_commerce() -> Scheme {
        Scheme::builtin("coinbase-commerce")
            .signature_header("x-cc-webhook-signature")
            .id_json_field("event.id")
            .event_json_field("event.type")
            .build()
            .expect("built-in scheme is valid")
    }
}
