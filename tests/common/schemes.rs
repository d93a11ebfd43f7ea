//! Every built-in scheme that a secret verifies (the public-key ones are covered by their own
//! tests and the fuzz harness), for the tests that run one property over all of them.

use webhook_guard::Scheme;

/// The base URL the URL-signed schemes (Twilio, Square, HubSpot) are given.
pub const BASE: &str = "https://hooks.example.com";

/// The secret-keyed built-in schemes, the URL-signed ones for [`BASE`].
pub fn secret_keyed() -> Vec<Scheme> {
    vec![
        Scheme::heppu(),
        Scheme::helix(),
        Scheme::helicone(),
        Scheme::standard_webhooks(),
        Scheme::github(),
        Scheme::stripe(),
        Scheme::slack(),
        Scheme::shopify(),
        Scheme::gitlab(),
        Scheme::twilio(BASE).unwrap(),
        Scheme::linear(),
        Scheme::lemon_squeezy(),
        Scheme::sentry(),
        Scheme::coinbase_commerce(),
        Scheme::woocommerce(),
        Scheme::bitbucket(),
        Scheme::intercom(),
        Scheme::vercel(),
        Scheme::paddle(),
        Scheme::mux(),
        Scheme::calendly(),
        Scheme::typeform(),
        Scheme::pagerduty(),
        Scheme::zendesk(),
        Scheme::box_com(),
        Scheme::square(BASE).unwrap(),
        Scheme::hubspot(BASE).unwrap(),
        Scheme::twitch(),
        Scheme::dropbox(),
        Scheme::mailgun(),
        Scheme::zoom(),
    ]
}
