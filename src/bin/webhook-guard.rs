//! `webhook-guard`: sign, send and verify test webhook deliveries from the command line, like the
//! senders' "Send Test Event" buttons, for any built-in sender and without the sender's account.
//!
//! ```text
//! cargo install webhook-guard --features cli
//! export WEBHOOK_SECRET=…        # the endpoint's signing secret
//! webhook-guard send --scheme heppu --url http://127.0.0.1:3000/webhooks/heppu
//! webhook-guard send --scheme heppu --url https://hooks.example.com/heppu
//! webhook-guard send --scheme heppu --url https://127.0.0.1:8443/heppu --cacert receiver.pem
//! webhook-guard send --scheme discord --private-key ed25519.pem --url http://127.0.0.1:3000/discord
//! webhook-guard verify --scheme sendgrid --public-key "MFkwEw…" --headers h.txt body.json
//! webhook-guard verify --scheme twilio --url "https://hooks.example.com/sms?x=1" --headers h.txt body
//! ```
//!
//! The secret comes from `--secret`, from the environment variable named by `--secret-env`, or
//! else from `WEBHOOK_SECRET`. Senders that sign with a private key (Discord and Standard
//! Webhooks `v1a`: Ed25519; SendGrid: ECDSA P-256; PayPal: RSA) take `--private-key FILE` to sign
//! and `--public-key` to verify instead; GitLab's token is a secret like the others. Twilio signs
//! the URL it requests: `sign` and `verify` take it as `--url`, and `send` signs its own `--url`
//! (or `--signed-url`, for a receiver behind a proxy). `send` speaks HTTP/1.1 over `http://` and `https://`; https
//! verifies the receiver's certificate against the Mozilla roots (`webpki-roots`, through rustls)
//! and the certificates of `--cacert FILE` (PEM: a private CA, or a self-signed receiver's own
//! certificate). There is no switch to skip that check.
//!
//! Exit codes: 0 success, 1 verification or delivery failure, 2 usage error. Errors are one line
//! on stderr. No secret, private key or expected signature is ever printed, with one exception
//! by necessity: GitLab's `X-Gitlab-Token` header, which `sign` prints, is the token itself.
//!
//! # Schemes, secrets and keys
//!
//! Schemes: `heppu`, `helix`, `helicone`, `standard-webhooks` (or `standard`, `svix`), `github`,
//! `stripe`, `slack`, `shopify`, `discord`, `gitlab`, `sendgrid`, `paypal`, `twilio`, `linear`,
//! `lemon-squeezy`, `sentry`, `coinbase-commerce`, `woocommerce`, `bitbucket`, `intercom`, `vercel`,
//! `paddle`, `mux`, `calendly`, `typeform`, `pagerduty`, `zendesk`, `box`, `square`, `hubspot`,
//! `twitch`, `dropbox`, `mailgun`, `zoom` (`square` and `hubspot` sign the URL too and take `--url`
//! like `twilio`; `mailgun` signs inside the body, so its `sign` prints the signed body). The
//! secret is `--secret <s>`, or the value of the environment
//! variable `--secret-env VAR` names, or else that of `WEBHOOK_SECRET` (which the example receivers
//! read too); none of them set is a usage error. Prefer the environment: it keeps the secret out of
//! the shell history and the process list. A secret shorter than 16 bytes is refused unless
//! `--danger-allow-short-secret` is given (`Secret::danger_allow_short`; a note on stderr says it is
//! in use). For Standard Webhooks a `whsec_…` secret is decoded as the senders' libraries do (and as
//! the `receiver` example does); `--raw-secret` uses its bytes as given. Neither the secret nor
//! an expected signature is ever printed. Exit codes: 0 success, 1 verification or delivery failure (a
//! non-2xx answer, no answer within `--timeout`), 2 usage error; errors are one line on stderr.
//!
//! Senders that sign with a private key take keys instead of a secret: `sign` and `send` read
//! `--private-key <file>`, `verify` reads `--public-key <file or value>`, through `keys::PublicKey`.
//!
//! | scheme | `--private-key` (sign, send) | `--public-key` (verify) |
//! |---|---|---|
//! | `discord`, `standard-webhooks` (`v1a,` entries) | Ed25519: PEM PKCS#8, or the 32-byte seed as 64 hex digits | 64 hex digits, base64, `whpk_…`, or a PEM public key |
//! | `sendgrid` | ECDSA P-256: PEM PKCS#8 or `EC PRIVATE KEY` | the verification key as SendGrid shows it (base64), PEM or DER |
//! | `paypal` | RSA: PEM PKCS#8 or `RSA PRIVATE KEY` (2048 bits or more) | the certificate PayPal serves, or the RSA public key, PEM or DER |
//!
//! `paypal` also needs `--webhook-id <id>` (the subscription's id, which PayPal signs; its
//! `--timestamp` is unix seconds, sent as an RFC 3339 date-time); other schemes refuse it. A scheme
//! given the wrong kind of key, or a secret where it needs a key, is a usage error naming the flag
//! it needs (`sendgrid signs with ECDSA P-256: pass --private-key <PEM file>`). Key files are never
//! echoed. `gitlab` signs nothing: `sign` and `send` put the secret token itself in
//! `X-Gitlab-Token` (so `sign`'s output holds the token, and says so on stderr), and `verify`
//! compares it. `testing::keys` has test key pairs (published, so never for production).
//! With `wg` standing for the tool:
//!
//! ```text
//! $ wg send --scheme discord --private-key ed25519.pem --url http://127.0.0.1:8080/interactions
//! $ wg sign --scheme sendgrid --private-key p256.pem events.json > headers.txt
//! $ wg verify --scheme sendgrid --public-key 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…' --headers headers.txt events.json
//! $ wg verify --scheme paypal --webhook-id 8PT597110X687430LKGECATA --public-key paypal-cert.pem --headers h.txt body.json
//! ```
//!
//! # URL-signing senders and https
//!
//! `twilio` signs the URL it requests, so the URL is an argument: `sign` and `verify` need
//! `--url <full URL>` (scheme, host, port, path and query, as configured in Twilio; a usage error
//! without it, and refused for senders that sign no URL), and `send` signs the `--url` it posts to,
//! or `--signed-url <URL>` for a receiver behind a proxy that Twilio would address at a public URL.
//! The key is the account's Auth Token, given like any secret. Without a file `send` posts the
//! form-encoded incoming SMS of `testing::samples::TWILIO_INCOMING_SMS`. A JSON body (one starting
//! with `{`, or `--content-type application/json`) is signed as Twilio signs it: over the URL alone,
//! with `bodySHA256=<hex SHA-256 of the body>` added to the signed and the posted URL's query (`sign`
//! prints the URL to post to on stderr). When `verify` finds the signature made for another URL, it
//! says which: the other of `http`/`https`, the URL without its query, or with the body's hash.
//!
//! ```text
//! $ wg send --scheme twilio --url http://127.0.0.1:3000/webhooks/twilio
//! $ wg send --scheme twilio --url http://127.0.0.1:3000/sms --signed-url https://hooks.example.com/sms
//! $ wg verify --scheme twilio --url 'https://hooks.example.com/sms?region=eu' --headers h.txt body.form
//! ```
//!
//! Over `https://`, `send` checks the receiver's certificate (rustls) against the Mozilla root
//! certificates (`webpki-roots`, built in, so the system's store plays no part) and against the
//! certificates of `--cacert <file>`: a PEM file of one or more certificates, the private CA that
//! signed the receiver's certificate or a self-signed receiver's own certificate, trusted in addition
//! to the Mozilla roots (curl's `--cacert` replaces its bundle instead). A refused certificate ends
//! `send` with exit 1 and a line that names the problem and what to do (`UnknownIssuer`: give
//! `--cacert`; a certificate for another name; an expired one; a CA certificate served as the
//! receiver's own, which `openssl req -x509` makes unless given
//! `-addext basicConstraints=critical,CA:FALSE`); the attempts left are not sent. There is no switch
//! to skip the check: a tool that sends signed deliveries should not teach that.
//!
//! # A session
//!
//! A session against the `receiver` example. In one terminal:
//!
//! ```text
//! $ cargo run --example receiver --features ed25519,p256,rsa
//! WEBHOOK_SECRET is not set; using the demo secret "whsec_ZGVtby1zZWNyZXQtZG8tbm90LXVzZS1pbi1wcm9kdWN0aW9u"
//! webhook receiver listening on http://127.0.0.1:3000
//!   POST /webhooks/heppu | /webhooks/heppu/async | /webhooks/helix | /webhooks/helicone | /webhooks/standard | /webhooks/github | /webhooks/stripe | /webhooks/stripe-connect | /webhooks/slack | /webhooks/shopify | /webhooks/gitlab | /webhooks/paddle | /webhooks/mux | /webhooks/calendly | /webhooks/typeform | /webhooks/pagerduty | /webhooks/zendesk | /webhooks/box
//!   without a key (answering 503 key_not_configured):
//!     POST /webhooks/discord: no Ed25519 public key is configured for Discord: set WEBHOOK_ED25519_PUBLIC_KEY to the application's public key (64 hex digits)
//!     POST /webhooks/sendgrid: no P-256 public key is configured for SendGrid: set WEBHOOK_P256_PUBLIC_KEY to the verification key of the Event Webhook settings (base64)
//!     POST /webhooks/paypal: no certificate is configured for PayPal: set WEBHOOK_PAYPAL_WEBHOOK_ID to the webhook's id and WEBHOOK_PAYPAL_CERT to the path of the PEM certificate PAYPAL-CERT-URL names
//!   GET /events | /metrics/webhooks
//!   public URL (WEBHOOK_PUBLIC_URL, for URL-signed senders): http://127.0.0.1:3000
//! ```
//!
//! In another, from the repository's root:
//!
//! ```text
//! $ export WEBHOOK_SECRET=whsec_ZGVtby1zZWNyZXQtZG8tbm90LXVzZS1pbi1wcm9kdWN0aW9u
//! $ wg() { cargo run -q --features cli --bin webhook-guard -- "$@"; }
//! $ wg send --scheme heppu --url http://127.0.0.1:3000/webhooks/heppu --event call.no-answer
//! POST http://127.0.0.1:3000/webhooks/heppu: heppu sample `call.no-answer`, 640 bytes, delivery id dlv_1795589036752_26813, 1 attempt(s)
//! #1  200 OK  in 1.8 ms  {"id":"dlv_1795589036752_26813","received":"call.no-answer"}
//! # exit 0
//! $ wg send --scheme heppu --url http://127.0.0.1:3000/webhooks/heppu --event chat.resolved --repeat 3
//! POST http://127.0.0.1:3000/webhooks/heppu: heppu sample `chat.resolved`, 998 bytes, delivery id dlv_1795589036756_26814, 3 attempt(s)
//! #1  200 OK  in 1.5 ms  {"id":"dlv_1795589036756_26814","received":"chat.resolved"}
//! #2  200 OK  in 0.6 ms  {"duplicate":true}
//! #3  200 OK  in 0.5 ms  {"duplicate":true}
//! # exit 0
//! $ wg send --scheme helix --url http://127.0.0.1:3000/webhooks/helix --retry-schedule documented --speed 3600
//! POST http://127.0.0.1:3000/webhooks/helix: helix sample `fact_check`, 450 bytes, delivery id dlv_1795589036762_26815, 6 attempt(s)
//! #1  200 OK  in 0.8 ms  {"id":"dlv_1795589036762_26815","received":"fact_check"}
//!    waiting 16.7 ms (1 min at speed 3600)
//! #2  200 OK  in 0.7 ms  {"duplicate":true}
//!    waiting 83.3 ms (5 min at speed 3600)
//! #3  200 OK  in 1.0 ms  {"duplicate":true}
//!    waiting 250 ms (15 min at speed 3600)
//! #4  200 OK  in 1.8 ms  {"duplicate":true}
//!    waiting 1 s (1 h at speed 3600)
//! #5  200 OK  in 1.1 ms  {"duplicate":true}
//!    waiting 6 s (6 h at speed 3600)
//! #6  200 OK  in 1.3 ms  {"duplicate":true}
//! # exit 0
//! $ wg send --scheme stripe --url http://127.0.0.1:3000/webhooks/stripe
//! POST http://127.0.0.1:3000/webhooks/stripe: stripe sample `customer.updated`, 924 bytes, delivery id evt_1NfVbN2eZvKYlo2CfkRaWXCj, 1 attempt(s)
//! #1  200 OK  in 1.0 ms  {"id":"evt_1NfVbN2eZvKYlo2CfkRaWXCj","received":"customer.updated"}
//! # exit 0
//! $ wg send --scheme standard-webhooks --url http://127.0.0.1:3000/webhooks/standard
//! POST http://127.0.0.1:3000/webhooks/standard: standard-webhooks sample `contact.created`, 358 bytes, delivery id dlv_1795589044140_26872, 1 attempt(s)
//! #1  200 OK  in 1.1 ms  {"id":"dlv_1795589044140_26872","received":"contact.created"}
//! # exit 0
//! $ wg send --scheme github --secret wrong-secret-0123456789 --url http://127.0.0.1:3000/webhooks/github
//! POST http://127.0.0.1:3000/webhooks/github: github sample `ping`, 921 bytes, delivery id dlv_1795589044148_26873, 1 attempt(s)
//! #1  401 Unauthorized  in 0.9 ms  {"error":"signature_mismatch","message":"signature does not match the payload"}
//! webhook-guard: the delivery was not answered 2xx
//! # exit 1
//! $ curl -s http://127.0.0.1:3000/events
//! [{"event":"call.no-answer","id":"dlv_1795589036752_26813","scheme":"heppu"},{"event":"chat.resolved","id":"dlv_1795589036756_26814","scheme":"heppu"},{"event":"fact_check","id":"dlv_1795589036762_26815","scheme":"helix"},{"event":"customer.updated","id":"evt_1NfVbN2eZvKYlo2CfkRaWXCj","scheme":"stripe"},{"event":"contact.created","id":"dlv_1795589044140_26872","scheme":"standard-webhooks"}]
//! $ cp samples/heppu/call.completed.json body.json
//! $ wg sign --scheme heppu --id whd_readme body.json | tee headers.txt
//! content-type: application/json
//! x-webhook-timestamp: 1795589044
//! x-webhook-id: whd_readme
//! x-webhook-event: call.completed
//! x-webhook-signature-256: sha256=fbcef360e966e88cb2a095a12a51eaa37fab9af7f7555778aec15c05ad24609a
//! $ wg verify --scheme heppu --headers headers.txt body.json
//! verified: heppu delivery whd_readme, event call.completed, signed 0 s ago
//! # exit 0
//! $ echo >> body.json
//! $ wg verify --scheme heppu --headers headers.txt body.json
//! webhook-guard: signature_mismatch: no secret matched the `x-webhook-signature-256` header: HMAC-SHA256 of <body> (1018-byte body) under 1 configured secret(s) equals none of the 1 signature(s) received; without the body's trailing newline it verifies: the body file gained a newline (an editor, echo or a copy from the terminal); keep the bytes exactly as received
//! # exit 1
//! $ wg verify --scheme heppu --secret another-endpoints-secret --headers headers.txt samples/heppu/call.completed.json
//! webhook-guard: signature_mismatch: no secret matched the `x-webhook-signature-256` header: HMAC-SHA256 of <body> (1017-byte body) under 1 configured secret(s) equals none of the 1 signature(s) received; was the body re-serialized before verification, or is the secret for another endpoint?
//! # exit 1
//! $ wg sign --scheme heppu --timestamp $(( $(date +%s) - 900 )) samples/heppu/call.completed.json > old.txt
//! $ wg verify --scheme heppu --headers old.txt samples/heppu/call.completed.json
//! webhook-guard: timestamp_expired: `x-webhook-timestamp` (unix seconds): timestamp is 900 s old, tolerance 300 s; the signature itself matches (raise --tolerance to accept an old capture)
//! # exit 1
//! $ wg verify --scheme stripe --headers old.txt samples/heppu/call.completed.json
//! webhook-guard: signature_missing: no `stripe-signature` header; the headers carry `x-webhook-signature-256`: try --scheme heppu
//! # exit 1
//! ```
#![forbid(unsafe_code)]

// The crate root looks for modules beside itself; keep them in their own folder so Cargo does not
// take them for binaries of their own.
#[path = "webhook-guard/input.rs"]
mod input;
#[path = "webhook-guard/keys.rs"]
mod keys;
#[path = "webhook-guard/send.rs"]
mod send;
#[path = "webhook-guard/tls.rs"]
mod tls;
#[path = "webhook-guard/verify.rs"]
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use input::{Body, Failure};

const AFTER_HELP: &str = "\
Exit codes: 0 success, 1 verification or delivery failure, 2 usage error.

Secrets: without --secret or --secret-env VAR, the secret is read from WEBHOOK_SECRET. Prefer the
environment to --secret: a secret on the command line ends up in the shell history and in the
process list. Secrets and private keys are never printed, nor are expected signatures (but
GitLab's X-Gitlab-Token, which sign prints, is the token itself).

Keys: discord and standard-webhooks v1a sign with Ed25519, sendgrid with ECDSA P-256, paypal
with RSA: sign and send take --private-key FILE, verify takes --public-key FILE|VALUE.

URLs: twilio signs the full URL it requests (scheme, host, port, path, query) with the form
parameters: sign and verify need --url URL; send signs its --url, or --signed-url URL. For a JSON
body (--content-type application/json, or a body starting with `{`) Twilio signs the URL alone,
with bodySHA256=<hex SHA-256 of the body> added to its query: sign and send add it. square signs
the notification URL followed by the body, hubspot the method, URL, body and timestamp: they too
need --url (sign, verify).";

/// Sign, send and verify test webhook deliveries, the way Heppu, Helix, Helicone, Standard
/// Webhooks (Svix), GitHub, Stripe, Slack, Shopify, Discord, GitLab, SendGrid, PayPal, Twilio,
/// Linear, Lemon Squeezy, Sentry, Coinbase Commerce, WooCommerce, Bitbucket, Intercom, Vercel,
/// Paddle, Mux, Calendly, Typeform, PagerDuty, Zendesk, Box, Square, HubSpot, Twitch EventSub,
/// Dropbox, Mailgun and Zoom sign them.
#[derive(Debug, Parser)]
#[command(name = "webhook-guard", version, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the headers a sender would send with this body (`Name: value` lines).
    ///
    /// The output is the header file `verify --headers` reads, so
    /// `sign … body.json > headers.txt && verify … --headers headers.txt body.json` round-trips.
    /// For mailgun, which signs inside the body, the output is the signed body instead.
    #[command(after_help = AFTER_HELP)]
    Sign(SignArgs),
    /// POST a correctly signed delivery to a URL and print status, answer time and body.
    ///
    /// Over `http://` or `https://` (HTTP/1.1). For https the receiver's certificate must chain
    /// to a Mozilla root or to a certificate of `--cacert`.
    ///
    /// Without a body file it sends the sender's documented sample event (`--event` picks one;
    /// `--event list` shows them). `--repeat N` or `--retry-schedule` replays the same delivery
    /// (same id and body, re-signed at each attempt like the sender's retries) to test a
    /// receiver's deduplication.
    #[command(after_help = AFTER_HELP)]
    Send(SendArgs),
    /// Check a captured delivery (headers file and body) and say exactly why it fails.
    ///
    /// The headers file holds `Name: value` lines, as `curl -D`, a request inspector or a
    /// sender's dashboard shows them (a request or status line and blank lines are skipped), or a
    /// JSON object of header names to values.
    #[command(after_help = AFTER_HELP)]
    Verify(VerifyArgs),
}

/// The built-in senders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SchemeName {
    /// Heppu AI: `X-Webhook-Signature-256: sha256=<hex>` of the body.
    Heppu,
    /// Helix data feeds: `X-Webhook-Signature: v1=<hex>` of `<ms timestamp>.<body>`.
    Helix,
    /// Helicone: `Helicone-Signature: <hex>` of the body.
    Helicone,
    /// Standard Webhooks and Svix: `webhook-signature: v1,<base64>` of `<id>.<timestamp>.<body>`
    /// (HMAC-SHA256), or `v1a,<base64>` (Ed25519) with --private-key / --public-key.
    #[value(name = "standard-webhooks", alias = "standard", alias = "svix")]
    StandardWebhooks,
    /// GitHub: `X-Hub-Signature-256: sha256=<hex>` of the body.
    Github,
    /// Stripe: `Stripe-Signature: t=<timestamp>,v1=<hex>` of `<t>.<body>`.
    Stripe,
    /// Slack: `X-Slack-Signature: v0=<hex>` of `v0:<timestamp>:<body>`.
    Slack,
    /// Shopify: `X-Shopify-Hmac-Sha256: <base64>` of the body.
    Shopify,
    /// Discord: `X-Signature-Ed25519: <hex>` of `<timestamp><body>` (Ed25519 key).
    Discord,
    /// GitLab: `X-Gitlab-Token: <the secret token itself>` (nothing signed).
    Gitlab,
    /// SendGrid: `X-Twilio-Email-Event-Webhook-Signature: <base64>` of `<timestamp><body>`
    /// (ECDSA P-256 key).
    Sendgrid,
    /// PayPal: `PAYPAL-TRANSMISSION-SIG: <base64>` of `<id>|<time>|<webhook id>|<crc32(body)>`
    /// (RSA key; needs --webhook-id).
    Paypal,
    /// Twilio: `X-Twilio-Signature: <base64>` HMAC-SHA1 (key: the Auth Token) of the full URL
    /// requested followed by the sorted form parameters (needs --url).
    Twilio,
    /// Linear: `Linear-Signature: <hex>` of the body (`webhookTimestamp`, ms, in the body).
    Linear,
    /// Lemon Squeezy: `X-Signature: <hex>` of the body.
    #[value(name = "lemon-squeezy")]
    LemonSqueezy,
    /// Sentry integrations: `Sentry-Hook-Signature: <hex>` of the body.
    Sentry,
    /// Coinbase Commerce: `X-CC-Webhook-Signature: <hex>` of the body.
    #[value(name = "coinbase-commerce")]
    CoinbaseCommerce,
    /// WooCommerce: `X-WC-Webhook-Signature: <base64>` of the body.
    Woocommerce,
    /// Bitbucket Cloud: `X-Hub-Signature: sha256=<hex>` of the body.
    Bitbucket,
    /// Intercom: `X-Hub-Signature: sha1=<hex>` HMAC-SHA1 of the body.
    Intercom,
    /// Vercel: `x-vercel-signature: <hex>` HMAC-SHA1 of the body.
    Vercel,
    /// Paddle Billing: `Paddle-Signature: ts=<timestamp>;h1=<hex>` of `<ts>:<body>`.
    Paddle,
    /// Mux: `Mux-Signature: t=<timestamp>,v1=<hex>` of `<t>.<body>`.
    Mux,
    /// Calendly: `Calendly-Webhook-Signature: t=<timestamp>,v1=<hex>` of `<t>.<body>`.
    Calendly,
    /// Typeform: `Typeform-Signature: sha256=<base64>` of the body.
    Typeform,
    /// PagerDuty V3: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]` of the body.
    Pagerduty,
    /// Zendesk: `X-Zendesk-Webhook-Signature: <base64>` of `<RFC 3339 timestamp><body>`.
    Zendesk,
    /// Box: `BOX-SIGNATURE-PRIMARY: <base64>` of `<body><RFC 3339 timestamp>` (the primary key;
    /// the secondary signature is not checked).
    Box,
    /// Square: `x-square-hmacsha256-signature: <base64>` of the notification URL followed by
    /// the body (needs --url).
    Square,
    /// HubSpot: `X-HubSpot-Signature-v3: <base64>` of `<method><URL><body><ms timestamp>` (needs
    /// --url).
    Hubspot,
    /// Twitch EventSub: `Twitch-Eventsub-Message-Signature: sha256=<hex>` of
    /// `<message id><RFC 3339 timestamp><body>`.
    Twitch,
    /// Dropbox: `X-Dropbox-Signature: <hex>` of the body (key: the app secret).
    Dropbox,
    /// Mailgun: `signature.signature` in the JSON body, hex of `<timestamp><token>` (its
    /// `signature.timestamp` and `signature.token`).
    Mailgun,
    /// Zoom: `x-zm-signature: v0=<hex>` of `v0:<timestamp>:<body>` (key: the secret token).
    Zoom,
}

/// Which sender, and its secret.
#[derive(Debug, Args)]
struct SchemeSecret {
    /// The sender whose signing scheme to use.
    #[arg(long, value_enum)]
    scheme: SchemeName,
    /// The signing secret, as the sender's dashboard shows it. Prefer the environment
    /// (--secret-env, WEBHOOK_SECRET).
    #[arg(long, value_name = "SECRET", conflicts_with = "secret_env")]
    secret: Option<String>,
    /// Read the signing secret from this environment variable instead of the command line.
    /// Without --secret and --secret-env: WEBHOOK_SECRET.
    #[arg(long, value_name = "VAR")]
    secret_env: Option<String>,
    /// Standard Webhooks only: use a `whsec_…` secret's bytes as given. By default a `whsec_`
    /// secret is decoded (the key is the base64 after `whsec_`), as the senders' libraries do.
    #[arg(long)]
    raw_secret: bool,
    /// Accept a secret shorter than 16 bytes, as used as given (GitHub and GitLab let users
    /// type any secret). Dangerous: a key that short can be guessed from one captured delivery.
    #[arg(long)]
    danger_allow_short_secret: bool,
    /// PayPal only, and required there: the id PayPal gave the webhook subscription (beside the
    /// listener URL in the app's settings), which every PayPal signature covers.
    #[arg(long, value_name = "ID")]
    webhook_id: Option<String>,
}

/// The private key of `sign` and `send`, for senders that sign with one.
#[derive(Debug, Args)]
struct KeyFlags {
    /// Sign with this private key instead of a secret: discord and standard-webhooks `v1a`
    /// (Ed25519: PEM PKCS#8, or the 32-byte seed as 64 hex digits), sendgrid (ECDSA P-256: PEM
    /// PKCS#8 or `EC PRIVATE KEY`), paypal (RSA: PEM PKCS#8 or `RSA PRIVATE KEY`). Never printed.
    #[arg(long, value_name = "FILE")]
    private_key: Option<PathBuf>,
    /// Only to say that verify takes it.
    #[arg(long, hide = true)]
    public_key: Option<String>,
}

#[derive(Debug, Args)]
struct SignArgs {
    #[command(flatten)]
    scheme: SchemeSecret,
    #[command(flatten)]
    keys: KeyFlags,
    /// The timestamp to sign, in the scheme's unit (seconds; Helix: milliseconds; PayPal:
    /// seconds, sent as an RFC 3339 date-time). Default: now.
    #[arg(long, value_name = "T")]
    timestamp: Option<u64>,
    /// The delivery id, for schemes that send it in a header. Default: a fresh unique id.
    #[arg(long)]
    id: Option<String>,
    /// The event type, for schemes that send it in a header (Heppu, GitHub, Shopify). Default:
    /// the body's `event` or `type` field.
    #[arg(long, value_name = "TYPE")]
    event: Option<String>,
    /// For senders that sign the URL (twilio, square, hubspot), and required there: the full URL the
    /// sender requests (scheme, host, port, path and query), which it signs. For a JSON body to
    /// twilio `bodySHA256=<hex>` is added to its query (see below): send the request to the URL
    /// printed on stderr.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// The `content-type` header to send. Default: application/json (twilio:
    /// application/x-www-form-urlencoded, unless the body starts with `{`).
    #[arg(long, value_name = "TYPE")]
    content_type: Option<String>,
    /// The body to sign: a file, or `-` for standard input. Signed byte for byte.
    #[arg(value_name = "FILE|-")]
    body: Body,
}

#[derive(Debug, Args)]
struct SendArgs {
    #[command(flatten)]
    scheme: SchemeSecret,
    #[command(flatten)]
    keys: KeyFlags,
    /// Where to POST the delivery: an `http://` or `https://` URL. Senders that sign the URL
    /// (twilio, square, hubspot) also sign it (unless --signed-url); for a JSON body to twilio,
    /// `bodySHA256=<hex SHA-256 of the body>` is added to its query, as Twilio does.
    #[arg(long)]
    url: String,
    /// For senders that sign the URL (twilio, square, hubspot) only: sign this URL instead of --url, for
    /// a receiver behind a proxy that is addressed at a public URL (the one configured at the
    /// sender) but reached here at --url. For a JSON body to twilio `bodySHA256=<hex>` is added
    /// to both.
    #[arg(long, value_name = "URL")]
    signed_url: Option<String>,
    /// Also trust the certificates in this PEM file for https: the CA that signed the receiver's
    /// certificate, or a self-signed receiver's own certificate. The Mozilla roots stay trusted.
    #[arg(long, value_name = "FILE")]
    cacert: Option<PathBuf>,
    /// Without a body file: which documented sample to send (`list` shows them; default: the
    /// first). With a body file: the event-type header, for schemes that have one.
    #[arg(long, value_name = "TYPE")]
    event: Option<String>,
    /// The delivery id, for schemes that send it in a header. Default: a fresh unique id.
    #[arg(long)]
    id: Option<String>,
    /// Sign every attempt with this timestamp (the scheme's unit, as for sign) instead of the
    /// time of sending.
    #[arg(long, value_name = "T")]
    timestamp: Option<u64>,
    /// The `content-type` header to send. Default: application/json (twilio:
    /// application/x-www-form-urlencoded, unless the body starts with `{`).
    #[arg(long, value_name = "TYPE")]
    content_type: Option<String>,
    /// Send the same delivery N times, back to back, as a sender does when an answer is lost.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=1000),
          conflicts_with = "retry_schedule")]
    repeat: u32,
    /// Send the same delivery on a retry schedule: `documented` (the sender's own: Heppu at once,
    /// 1 min, 5 min, 15 min, 1 h; Helix at once, 1 min, 5 min, 15 min, 1 h, 6 h) or the delays
    /// before each attempt, each after the previous one, e.g. `0,30s,2m,1h`.
    #[arg(long, value_name = "SCHEDULE")]
    retry_schedule: Option<String>,
    /// Run the retry schedule this many times faster: `--speed 60` waits 1 s for 1 min.
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR")]
    speed: f64,
    /// Give up on an attempt after this long (Heppu gives up after 30 s).
    #[arg(long, default_value = "30s", value_name = "DURATION")]
    timeout: String,
    /// The body to send: a file, or `-` for standard input. Without it: a documented sample.
    #[arg(value_name = "FILE|-")]
    body: Option<Body>,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    #[command(flatten)]
    scheme: SchemeSecret,
    /// Check with this public key instead of a secret: a file, or the key itself. discord and
    /// standard-webhooks `v1a` (Ed25519: 64 hex digits, base64, `whpk_…` or PEM), sendgrid
    /// (ECDSA P-256: the verification key in base64 as SendGrid shows it, PEM or DER), paypal
    /// (RSA: the certificate PayPal serves, or the public key, PEM or DER).
    #[arg(long, value_name = "FILE|KEY")]
    public_key: Option<String>,
    /// Only to say that sign and send take it.
    #[arg(long, hide = true)]
    private_key: Option<PathBuf>,
    /// The captured headers: `Name: value` lines, or a JSON object.
    #[arg(long, value_name = "FILE")]
    headers: PathBuf,
    /// For senders that sign the URL (twilio, square, hubspot), and required there: the full URL the
    /// delivery was sent to (scheme, host, port, path and query, Twilio's `bodySHA256`
    /// included), as configured at the sender.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// How old (or how far ahead) the timestamp may be.
    #[arg(long, default_value = "5m", value_name = "DURATION")]
    tolerance: String,
    /// The captured body, byte for byte: a file, or `-` for standard input.
    #[arg(value_name = "FILE|-")]
    body: Body,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return report(&Failure::Usage(
                "no command given: use sign, send or verify (see --help)".to_owned(),
            ));
        }
        Err(e) => return report(&Failure::Usage(one_line(&e.render().to_string()))),
    };
    let result = match cli.command {
        Command::Sign(args) => sign(args),
        Command::Send(args) => send::run(args),
        Command::Verify(args) => verify::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => report(&failure),
    }
}

/// Print a failure as one line on stderr and pick the exit code.
fn report(failure: &Failure) -> ExitCode {
    match failure {
        Failure::Usage(msg) => {
            eprintln!("webhook-guard: {msg}");
            ExitCode::from(2)
        }
        Failure::Failed(msg) => {
            eprintln!("webhook-guard: {msg}");
            ExitCode::from(1)
        }
    }
}

/// clap's multi-line error as one line: the message without its usage block, whitespace folded.
fn one_line(rendered: &str) -> String {
    let message = rendered
        .split("\n\nUsage:")
        .next()
        .unwrap_or(rendered)
        .split("\n\nFor more information")
        .next()
        .unwrap_or(rendered);
    let message = message.trim().strip_prefix("error: ").unwrap_or(message);
    let folded: Vec<&str> = message.split_whitespace().collect();
    format!("{} (see --help)", folded.join(" "))
}

fn sign(args: SignArgs) -> Result<(), Failure> {
    let url = args
        .url
        .as_deref()
        .map(|u| input::SignedUrl::parse(u, "--url"))
        .transpose()?;
    let scheme = args.scheme.scheme(url.as_ref(), "--url")?;
    let signer = args.scheme.signer(&args.keys, "sign")?;
    let body = args.body.read()?;
    let content_type = args
        .content_type
        .as_deref()
        .unwrap_or(args.scheme.scheme.default_content_type(&body))
        .to_owned();
    let given = url;
    let url = given
        .as_ref()
        .map(|u| input::with_body_hash(&scheme, u, Some(&content_type), &body, "--url"))
        .transpose()?;
    let mut delivery = input::delivery(
        args.scheme.scheme,
        &scheme,
        body,
        args.id.as_deref(),
        args.event.as_deref(),
        args.timestamp,
    )?;
    if let Some(url) = &url {
        delivery = delivery.path(url.target.clone());
        if given.as_ref().is_some_and(|g| g.target != url.target) {
            eprintln!(
                "note: signed for {url} (Twilio adds the JSON body's SHA-256 to the URL): POST \
                 the body there"
            );
        }
    }
    let signed = signer.sign(&delivery);
    let mut headers = signed.headers;
    input::set_content_type(&mut headers, &content_type)?;
    keys::extra_headers(args.scheme.scheme, &mut headers);
    if args.scheme.scheme == SchemeName::Gitlab {
        eprintln!(
            "note: X-Gitlab-Token is the secret token itself: keep this output as secret as the \
             token"
        );
    }
    // Mailgun carries its signature (and timestamp) in the body: the signed body is the output.
    if scheme.signature_json_field().is_some() {
        eprintln!(
            "note: {} signs inside the body: this is the signed body (POST it with a \
             `content-type: {content_type}` header)",
            args.scheme.scheme.arg_name()
        );
        println!("{}", String::from_utf8_lossy(&signed.body));
        return Ok(());
    }
    for (name, value) in &headers {
        println!("{}: {}", name, String::from_utf8_lossy(value.as_bytes()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn clap_errors_fold_into_one_line() {
        let err = Cli::try_parse_from(["webhook-guard", "send", "--scheme", "heppu"]).unwrap_err();
        let line = one_line(&err.render().to_string());
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("--url"), "{line}");
        assert!(line.ends_with("(see --help)"), "{line}");
    }
}
