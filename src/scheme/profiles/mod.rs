//! The built-in sender profiles, one file per sender family, each an `impl Scheme` block with
//! the sender's constructors (`Scheme::github()`, …) and their documentation.
//!
//! To add a sender: write `<sender>.rs` here with `impl Scheme { pub fn <sender>() -> Scheme }`,
//! built with `Scheme::builtin("<name>")` and documented from the sender's own documentation
//! (headers, signed message, timestamp unit, delivery id, retries); add `mod <sender>;` below;
//! add a row to the profile table in `scheme/mod.rs` and the README, and the scheme to the
//! gathering test in `scheme/parse.rs`, the fuzz entry points in `src/__fuzz.rs` and the sender
//! vectors (the test index, tests/README.md, says where they live).

// In the order of the profile table in `scheme/mod.rs`, which `Scheme`'s documentation page
// follows; a blank line apart, so that rustfmt keeps the order.
mod seed;

mod standard_webhooks;

mod github;

mod stripe;

mod slack;

mod shopify;

mod discord;

mod gitlab;

mod sendgrid;

mod twilio;

mod paypal;

mod linear;

mod lemon_squeezy;

mod sentry;

mod coinbase_commerce;

mod woocommerce;

mod bitbucket;

mod intercom;

mod paddle;
mod vercel;

mod mux;

mod calendly;

mod typeform;

mod pagerduty;

mod zendesk;

mod box_com;
mod square;

mod hubspot;

mod twitch;

mod dropbox;

mod mailgun;

mod zoom;
