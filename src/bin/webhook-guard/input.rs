//! What the commands share: failures and exit codes, schemes and secrets, bodies, samples,
//! durations.

use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use http::{HeaderMap, HeaderValue, Uri};
use webhook_guard::scheme::{Field, MAX_ID_LEN, SignedPart, TimestampUnit};
use webhook_guard::testing::{Delivery, samples};
use webhook_guard::{MIN_SECRET_LEN, Scheme, Secret, SecretError};

use crate::{SchemeName, SchemeSecret};

/// Why a command did not succeed; decides the exit code.
#[derive(Debug)]
pub enum Failure {
    /// The command could not run as given (exit 2).
    Usage(String),
    /// Verification or delivery failed (exit 1).
    Failed(String),
}

pub fn usage(msg: impl fmt::Display) -> Failure {
    Failure::Usage(msg.to_string())
}

/// The webhook id of [`SchemeName::template`]'s PayPal scheme.
const PLACEHOLDER_WEBHOOK_ID: &str = "WEBHOOKID";

/// The public base URL of [`SchemeName::template`]'s URL-signed schemes (Twilio).
const PLACEHOLDER_PUBLIC_URL: &str = "https://hooks.example.com";

impl SchemeName {
    /// The scheme, with `webhook_id` for PayPal (which signs it) and `public_url` (the base a
    /// `--url` addresses) for schemes that sign the URL. Errors on a malformed id or base.
    pub fn scheme_with(self, webhook_id: &str, public_url: &str) -> Result<Scheme, Failure> {
        Ok(match self {
            SchemeName::Heppu => Scheme::heppu(),
            SchemeName::Helix => Scheme::helix(),
            SchemeName::Helicone => Scheme::helicone(),
            SchemeName::StandardWebhooks => Scheme::standard_webhooks(),
            SchemeName::Github => Scheme::github(),
            SchemeName::Stripe => Scheme::stripe(),
            SchemeName::Slack => Scheme::slack(),
            SchemeName::Shopify => Scheme::shopify(),
            SchemeName::Discord => Scheme::discord(),
            SchemeName::Gitlab => Scheme::gitlab(),
            SchemeName::Sendgrid => Scheme::sendgrid(),
            SchemeName::Paypal => {
                Scheme::paypal(webhook_id).map_err(|e| usage(format!("--webhook-id: {e}")))?
            }
            SchemeName::Twilio => Scheme::twilio(public_url)
                .map_err(|e| usage(format!("the URL's base `{public_url}`: {e}")))?,
            SchemeName::Linear => Scheme::linear(),
            SchemeName::LemonSqueezy => Scheme::lemon_squeezy(),
            SchemeName::Sentry => Scheme::sentry(),
            SchemeName::CoinbaseCommerce => Scheme::coinbase_commerce(),
            SchemeName::Woocommerce => Scheme::woocommerce(),
            SchemeName::Bitbucket => Scheme::bitbucket(),
            SchemeName::Intercom => Scheme::intercom(),
            SchemeName::Vercel => Scheme::vercel(),
            SchemeName::Paddle => Scheme::paddle(),
            SchemeName::Mux => Scheme::mux(),
            SchemeName::Calendly => Scheme::calendly(),
            SchemeName::Typeform => Scheme::typeform(),
            SchemeName::Pagerduty => Scheme::pagerduty(),
            SchemeName::Zendesk => Scheme::zendesk(),
            SchemeName::Box => Scheme::box_com(),
            SchemeName::Square => Scheme::square(public_url)
                .map_err(|e| usage(format!("the URL's base `{public_url}`: {e}")))?,
            SchemeName::Hubspot => Scheme::hubspot(public_url)
                .map_err(|e| usage(format!("the URL's base `{public_url}`: {e}")))?,
            SchemeName::Twitch => Scheme::twitch(),
            SchemeName::Dropbox => Scheme::dropbox(),
            SchemeName::Mailgun => Scheme::mailgun(),
            SchemeName::Zoom => Scheme::zoom(),
        })
    }

    /// The scheme for what does not depend on PayPal's webhook id or on the URL a URL-signed
    /// scheme addresses (its headers and fields).
    pub fn template(self) -> Scheme {
        self.scheme_with(PLACEHOLDER_WEBHOOK_ID, PLACEHOLDER_PUBLIC_URL)
            .expect("the placeholders are valid")
    }

    /// Whether the sender signs the URL it requests (Twilio): `sign` and `verify` then need
    /// `--url`, and `send` signs its `--url` (or `--signed-url`).
    pub fn signs_url(self) -> bool {
        self.template().signed_parts().contains(&SignedPart::Url)
    }

    /// The content type the sender sends a body with, where `--content-type` does not say:
    /// Twilio posts form parameters, and JSON only for JSON bodies.
    pub fn default_content_type(self, body: &[u8]) -> &'static str {
        match self {
            SchemeName::Twilio if !looks_like_json(body) => "application/x-www-form-urlencoded",
            _ => "application/json",
        }
    }

    /// The documented sample payloads, as `(name, body)`; the first is the default. The name is
    /// the event type where the sender has one (and is sent as the event header where the scheme
    /// reads it from a header).
    pub fn samples(self) -> &'static [(&'static str, &'static str)] {
        match self {
            SchemeName::Heppu => samples::HEPPU_EVENTS,
            SchemeName::Helix => &[
                ("fact_check", samples::HELIX_FACT_CHECK),
                ("news", samples::HELIX_NEWS),
                ("event", samples::HELIX_EVENT),
            ],
            SchemeName::Helicone => &[
                ("enhanced", samples::HELICONE_DELIVERY),
                ("standard", samples::HELICONE_STANDARD),
            ],
            SchemeName::StandardWebhooks => &[
                ("contact.created", samples::STANDARD_CONTACT_CREATED),
                ("example.event", samples::STANDARD_EXAMPLE_EVENT),
            ],
            SchemeName::Github => &[
                ("ping", samples::GITHUB_PING),
                ("issues", samples::GITHUB_ISSUES_OPENED),
            ],
            SchemeName::Stripe => &[
                ("customer.updated", samples::STRIPE_CUSTOMER_UPDATED),
                ("setup_intent.created", samples::STRIPE_SETUP_INTENT_CREATED),
            ],
            SchemeName::Slack => &[
                ("event_callback", samples::SLACK_EVENT_CALLBACK),
                ("url_verification", samples::SLACK_URL_VERIFICATION),
            ],
            SchemeName::Shopify => &[("orders/create", samples::SHOPIFY_ORDERS_CREATE)],
            SchemeName::Discord => &[
                ("ping", samples::DISCORD_PING),
                ("application_command", samples::DISCORD_APPLICATION_COMMAND),
            ],
            SchemeName::Gitlab => &[
                ("Push Hook", samples::GITLAB_PUSH),
                ("Issue Hook", samples::GITLAB_ISSUE),
            ],
            SchemeName::Sendgrid => &[("events", samples::SENDGRID_EVENTS)],
            SchemeName::Paypal => &[(
                "PAYMENT.CAPTURE.COMPLETED",
                samples::PAYPAL_PAYMENT_CAPTURE_COMPLETED,
            )],
            SchemeName::Twilio => &[("incoming-sms", samples::TWILIO_INCOMING_SMS)],
            SchemeName::Linear => &[("Issue", samples::LINEAR_ISSUE_CREATE)],
            SchemeName::LemonSqueezy => &[("order_created", samples::LEMON_SQUEEZY_ORDER_CREATED)],
            SchemeName::Sentry => &[("issue", samples::SENTRY_ISSUE_CREATED)],
            SchemeName::CoinbaseCommerce => {
                &[("charge:created", samples::COINBASE_COMMERCE_CHARGE_CREATED)]
            }
            SchemeName::Woocommerce => &[("order.created", samples::WOOCOMMERCE_ORDER_CREATED)],
            SchemeName::Bitbucket => &[("repo:push", samples::BITBUCKET_REPO_PUSH)],
            SchemeName::Intercom => &[("user.created", samples::INTERCOM_USER_CREATED)],
            SchemeName::Vercel => &[("deployment.created", samples::VERCEL_DEPLOYMENT_CREATED)],
            SchemeName::Paddle => &[(
                "transaction.completed",
                samples::PADDLE_TRANSACTION_COMPLETED,
            )],
            SchemeName::Mux => &[("video.asset.ready", samples::MUX_VIDEO_ASSET_READY)],
            SchemeName::Calendly => &[("invitee.created", samples::CALENDLY_INVITEE_CREATED)],
            SchemeName::Typeform => &[("form_response", samples::TYPEFORM_FORM_RESPONSE)],
            SchemeName::Pagerduty => {
                &[("incident.triggered", samples::PAGERDUTY_INCIDENT_TRIGGERED)]
            }
            SchemeName::Zendesk => {
                &[("zen:event-type:user.created", samples::ZENDESK_USER_CREATED)]
            }
            SchemeName::Box => &[("FILE.UPLOADED", samples::BOX_FILE_UPLOADED)],
            SchemeName::Square => &[("payment.updated", samples::SQUARE_PAYMENT_UPDATED)],
            SchemeName::Hubspot => &[("contact.creation", samples::HUBSPOT_CONTACT_EVENTS)],
            SchemeName::Twitch => &[("channel.follow", samples::TWITCH_CHANNEL_FOLLOW)],
            SchemeName::Dropbox => &[("list_folder", samples::DROPBOX_NOTIFICATION)],
            SchemeName::Mailgun => &[("delivered", samples::MAILGUN_DELIVERED)],
            SchemeName::Zoom => &[
                ("meeting.started", samples::ZOOM_MEETING_STARTED),
                ("endpoint.url_validation", samples::ZOOM_URL_VALIDATION),
            ],
        }
    }

    /// The sender's documented retry schedule: the delay before each attempt, after the previous
    /// one.
    pub fn documented_schedule(self) -> Option<Vec<Duration>> {
        const MIN: u64 = 60;
        let secs = |list: &[u64]| list.iter().map(|s| Duration::from_secs(*s)).collect();
        match self {
            // At once, then after 1 min, 5 min, 15 min and 1 h (five attempts).
            SchemeName::Heppu => Some(secs(&[0, MIN, 5 * MIN, 15 * MIN, 60 * MIN])),
            // The first attempt, then retries after 1 min, 5 min, 15 min, 1 h and 6 h.
            SchemeName::Helix => Some(secs(&[0, MIN, 5 * MIN, 15 * MIN, 60 * MIN, 360 * MIN])),
            // At once, then three retries with exponential backoff: Lemon Squeezy's example
            // delays are 5, 25 and 125 seconds.
            SchemeName::LemonSqueezy => Some(secs(&[0, 5, 25, 125])),
            _ => None,
        }
    }

    /// The name the command line uses.
    pub fn arg_name(self) -> String {
        use clap::ValueEnum as _;
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}

impl SchemeSecret {
    /// The scheme, with `--webhook-id` for PayPal, which needs it (other schemes refuse it),
    /// and with the base of `url` (given as `flag`) for schemes that sign the URL, which need
    /// it (other schemes refuse it).
    pub fn scheme(&self, url: Option<&SignedUrl>, flag: &str) -> Result<Scheme, Failure> {
        let sender = self.scheme.arg_name();
        match (self.scheme.signs_url(), url) {
            (true, Some(url)) => return self.scheme.scheme_with("", &url.base),
            (true, None) => {
                return Err(usage(format!(
                    "{sender} signs the URL it requests: pass {flag} URL, the full URL the \
                     sender addresses (scheme, host, port, path and query), e.g. \
                     {flag} https://hooks.example.com/webhooks/{sender}"
                )));
            }
            (false, Some(_)) => return Err(signs_no_url(self.scheme, flag)),
            (false, None) => {}
        }
        match (self.scheme, &self.webhook_id) {
            (SchemeName::Paypal, Some(id)) => self.scheme.scheme_with(id, ""),
            (SchemeName::Paypal, None) => Err(usage(
                "paypal signs the id of the webhook subscription: pass --webhook-id ID (shown \
                 beside the listener URL in the PayPal app's settings)",
            )),
            (_, Some(_)) => Err(usage(format!(
                "--webhook-id applies to paypal only (PayPal signs it); {sender} has no webhook \
                 id: drop --webhook-id"
            ))),
            (name, None) => Ok(name.template()),
        }
    }

    /// The secret from `--secret`, `--secret-env` or [`DEFAULT_SECRET_ENV`], decoded where the
    /// scheme's secrets are `whsec_<base64>`. Errors never show the secret.
    pub fn secret(&self) -> Result<Secret, Failure> {
        let (text, origin) = self.secret_text()?;
        let secret = self.build_secret(&text, &origin, self.raw_secret)?;
        note_short(&secret);
        Ok(secret)
    }

    /// The secret's text as given, and how to name where it came from.
    pub fn secret_text(&self) -> Result<(String, String), Failure> {
        match (&self.secret, &self.secret_env) {
            (Some(s), _) => Ok((s.clone(), "--secret".to_owned())),
            (None, Some(var)) => {
                let value = env_secret(var)?
                    .ok_or_else(|| usage(format!("environment variable {var} is not set")))?;
                Ok((value, format!("the secret in {var}")))
            }
            (None, None) => {
                let value = env_secret(DEFAULT_SECRET_ENV)?.ok_or_else(|| {
                    usage(format!(
                        "no secret: give --secret, --secret-env VAR, or set {DEFAULT_SECRET_ENV}"
                    ))
                })?;
                Ok((value, format!("the secret in {DEFAULT_SECRET_ENV}")))
            }
        }
    }

    /// Whether this secret text is decoded as a `whsec_` key (with `raw` as `--raw-secret`).
    pub fn decodes(&self, text: &str, raw: bool) -> bool {
        self.scheme == SchemeName::StandardWebhooks && !raw && text.starts_with("whsec_")
    }

    /// Build the key from the secret's text.
    pub fn build_secret(&self, text: &str, origin: &str, raw: bool) -> Result<Secret, Failure> {
        if self.decodes(text, raw) {
            Secret::from_whsec(text).map_err(|e| {
                usage(format!(
                    "{origin} is not a valid whsec_ key ({e}); to use its bytes as given, add \
                     --raw-secret"
                ))
            })
        } else if self.danger_allow_short_secret {
            Secret::danger_allow_short(text.as_bytes()).map_err(|e| usage(format!("{origin}: {e}")))
        } else {
            Secret::new(text.as_bytes()).map_err(|e| match e {
                SecretError::TooShort { .. } => usage(format!(
                    "{origin}: {e}; if the sender really signs with it (GitHub accepts any \
                     secret), add --danger-allow-short-secret"
                )),
                e => usage(format!("{origin}: {e}")),
            })
        }
    }
}

/// The refusal of `flag` (`--url` of sign and verify, `--signed-url`) for a sender that does not
/// sign the URL.
pub fn signs_no_url(name: SchemeName, flag: &str) -> Failure {
    use clap::ValueEnum as _;
    let signers: Vec<String> = SchemeName::value_variants()
        .iter()
        .filter(|n| n.signs_url())
        .map(|n| n.arg_name())
        .collect();
    usage(format!(
        "{flag} applies to senders that sign the URL ({}); {} signs no URL: drop {flag}",
        signers.join(", "),
        name.arg_name()
    ))
}

/// A URL that a URL-signed scheme signs: its base (`scheme://authority`, the scheme's public
/// URL) and the request target (path and query) sent to it.
#[derive(Debug, Clone)]
pub struct SignedUrl {
    pub base: String,
    pub target: String,
}

impl SignedUrl {
    /// Read `text`, the argument of `flag`: an absolute `http://` or `https://` URL.
    pub fn parse(text: &str, flag: &str) -> Result<SignedUrl, Failure> {
        let uri = parse_url(text, flag)?;
        if text.contains('#') {
            return Err(usage(format!(
                "{flag} has a fragment (`#…`), which is never sent nor signed: drop it"
            )));
        }
        let authority = uri.authority().expect("checked by parse_url");
        if authority.as_str().contains('@') {
            // Not echoed: user info may hold a password.
            return Err(usage(format!(
                "{flag} has user info (`user@`, perhaps a password) before the host, which \
                 senders do not sign: drop it"
            )));
        }
        Ok(SignedUrl {
            base: format!("{}://{authority}", uri.scheme_str().unwrap_or("https")),
            target: uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
        })
    }

    /// The value of query parameter `name`, as written (not decoded).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        let (_, query) = self.target.split_once('?')?;
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    }

    /// The URL with `name=value` added to its query.
    pub fn with_param(&self, name: &str, value: &str) -> SignedUrl {
        let sep = match self.target.split_once('?') {
            Some((_, "")) => "",
            Some(_) => "&",
            None => "?",
        };
        SignedUrl {
            base: self.base.clone(),
            target: format!("{}{sep}{name}={value}", self.target),
        }
    }
}

impl fmt::Display for SignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.base, self.target)
    }
}

/// Read the URL of `flag`: an absolute `http://` or `https://` URL with a host.
pub fn parse_url(text: &str, flag: &str) -> Result<Uri, Failure> {
    let not_http = || {
        usage(format!(
            "{flag} `{}` is not an absolute http:// or https:// URL, e.g. \
             http://127.0.0.1:3000/webhooks/heppu",
            // Not echoed with user info, which may hold a password.
            if text.contains('@') { "…" } else { text }
        ))
    };
    let uri: Uri = text.parse().map_err(|_| not_http())?;
    match uri.scheme_str() {
        Some("http" | "https") if uri.host().is_some_and(|h| !h.is_empty()) => Ok(uri),
        _ => Err(not_http()),
    }
}

/// A `POST` to `target` (a path and query) with these headers and body: what verifiers check,
/// the request line included for schemes that sign the URL.
pub fn request<'b>(target: &str, headers: &HeaderMap, body: &'b [u8]) -> http::Request<&'b [u8]> {
    let mut request = http::Request::new(body);
    *request.method_mut() = http::Method::POST;
    // A target read from a URL parses again; a malformed one leaves `/`, which then fails to
    // verify rather than to run.
    *request.uri_mut() = target.parse().unwrap_or_else(|_| Uri::from_static("/"));
    *request.headers_mut() = headers.clone();
    request
}

/// Whether a body looks like JSON: it starts with `{`, leading whitespace aside.
pub fn looks_like_json(body: &[u8]) -> bool {
    body.trim_ascii_start().starts_with(b"{")
}

/// Whether a `content-type` names JSON (`application/json`, `…+json`, any parameters).
pub fn is_json_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

/// Twilio's JSON deliveries: Twilio adds `bodySHA256=<hex SHA-256 of the body>` to the URL's
/// query and signs the URL alone. `url` with that parameter where `scheme` reads one and the
/// body is JSON (by `content_type`, or by its first byte); as given otherwise. A URL that
/// already carries the parameter must carry the body's own hash.
pub fn with_body_hash(
    scheme: &Scheme,
    url: &SignedUrl,
    content_type: Option<&str>,
    body: &[u8],
    flag: &str,
) -> Result<SignedUrl, Failure> {
    use sha2::Digest as _;
    let Some(param) = scheme.body_sha256_query() else {
        return Ok(url.clone());
    };
    let hash = hex::encode(sha2::Sha256::digest(body));
    match url.query_param(param) {
        Some(given) if given.eq_ignore_ascii_case(&hash) => Ok(url.clone()),
        Some(_) => Err(usage(format!(
            "{flag} carries `{param}`, which is not the SHA-256 of this body: drop it (it is \
             added for JSON bodies)"
        ))),
        None if content_type.is_some_and(is_json_type) || looks_like_json(body) => {
            Ok(url.with_param(param, &hash))
        }
        None => Ok(url.clone()),
    }
}

/// The environment variable the secret is read from when neither `--secret` nor `--secret-env`
/// is given; the receiver example reads the same one.
pub const DEFAULT_SECRET_ENV: &str = "WEBHOOK_SECRET";

/// The value of the environment variable `var`, `None` where it is not set.
fn env_secret(var: &str) -> Result<Option<String>, Failure> {
    std::env::var_os(var)
        .map(|value| {
            value
                .into_string()
                .map_err(|_| usage(format!("environment variable {var} is not valid UTF-8")))
        })
        .transpose()
}

/// Say on stderr (once per command) that a short secret is in use, as the library logs it.
pub fn note_short(secret: &Secret) {
    if secret.len() < MIN_SECRET_LEN {
        eprintln!(
            "note: the secret is {} bytes long, shorter than {MIN_SECRET_LEN}; accepted because \
             of --danger-allow-short-secret (it can be guessed from one captured delivery)",
            secret.len()
        );
    }
}

/// A body argument: a file, or `-` for standard input.
#[derive(Debug, Clone)]
pub enum Body {
    Stdin,
    File(PathBuf),
}

impl FromStr for Body {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(if s == "-" {
            Body::Stdin
        } else {
            Body::File(s.into())
        })
    }
}

impl Body {
    /// The bytes, exactly as stored.
    pub fn read(&self) -> Result<Vec<u8>, Failure> {
        match self {
            Body::Stdin => {
                let mut buf = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut buf)
                    .map_err(|e| usage(format!("cannot read the body from standard input: {e}")))?;
                Ok(buf)
            }
            Body::File(path) => read_file(path, "body"),
        }
    }
}

pub fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path)
        .map_err(|e| usage(format!("cannot read the {what} {}: {e}", path.display())))
}

/// Check a value that goes into a header (id, event type) the way the verifier will: an event
/// type may have spaces inside (GitLab's `Push Hook`), an id none.
fn header_text(value: &str, flag: &str, inner_spaces: bool) -> Result<(), Failure> {
    if value.is_empty() || value.len() > MAX_ID_LEN {
        return Err(usage(format!(
            "{flag} must be 1 to {MAX_ID_LEN} bytes long"
        )));
    }
    let spaces_ok = inner_spaces && !value.starts_with(' ') && !value.ends_with(' ');
    if !value
        .bytes()
        .all(|b| b.is_ascii_graphic() || (spaces_ok && b == b' '))
    {
        return Err(usage(if inner_spaces {
            format!("{flag} must be visible ASCII, spaces only inside")
        } else {
            format!("{flag} must be visible ASCII, without spaces")
        }));
    }
    Ok(())
}

/// Latest `--timestamp` for an RFC 3339 scheme (PayPal), in seconds: 9999-12-31T23:59:59Z.
const MAX_RFC3339_SECS: u64 = 253_402_300_799;

/// A delivery of `body` with the flags that apply, refusing the flags the scheme cannot carry.
pub fn delivery(
    name: SchemeName,
    scheme: &Scheme,
    body: Vec<u8>,
    id: Option<&str>,
    event: Option<&str>,
    timestamp: Option<u64>,
) -> Result<Delivery, Failure> {
    let sender = name.arg_name();
    let mut delivery = Delivery::new(scheme.clone(), body.clone());
    if let Some(id) = id {
        match scheme.id_field() {
            Some(Field::Headers(_) | Field::HeadersInOrder(_)) => {
                header_text(id, "--id", false)?;
                delivery = delivery.id(id);
            }
            Some(Field::JsonBody(path)) => {
                return Err(usage(format!(
                    "{sender} reads the delivery id from the body's `{}` field; --id cannot set \
                     it (edit the body instead)",
                    path.join(".")
                )));
            }
            _ => return Err(usage(format!("{sender} sends no delivery id; drop --id"))),
        }
    }
    // GitLab names its event header after the body's `object_kind`.
    let gitlab_event = match (name, event) {
        (SchemeName::Gitlab, None) => gitlab_event(&body),
        _ => None,
    };
    if let Some(event) = event.or(gitlab_event) {
        match scheme.event_field() {
            Some(Field::Headers(_) | Field::HeadersInOrder(_)) => {
                header_text(event, "--event", true)?;
                delivery = delivery.event(event);
            }
            Some(Field::JsonBody(path)) => {
                return Err(usage(format!(
                    "{sender} reads the event type from the body's `{}` field; --event cannot \
                     set it",
                    path.join(".")
                )));
            }
            _ => return Err(usage(format!("{sender} sends no event type; drop --event"))),
        }
    }
    if let Some(ts) = timestamp {
        delivery = match scheme.timestamp() {
            None => {
                return Err(usage(format!(
                    "{sender} sends no timestamp; drop --timestamp"
                )));
            }
            // Unix seconds on the command line, written as the date-time they are.
            Some((_, TimestampUnit::Rfc3339)) if ts > MAX_RFC3339_SECS => {
                return Err(usage(format!(
                    "--timestamp for {sender} is in unix seconds, at most {MAX_RFC3339_SECS} \
                     (9999-12-31T23:59:59Z)"
                )));
            }
            Some((_, TimestampUnit::Rfc3339)) => delivery.timestamp_millis(ts * 1000),
            Some(_) => delivery.timestamp(ts),
        };
    }
    Ok(delivery)
}

/// The `X-Gitlab-Event` GitLab sends with a body of this `object_kind`, from GitLab's webhook
/// events documentation (the common ones).
fn gitlab_event(body: &[u8]) -> Option<&'static str> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    Some(match value.get("object_kind")?.as_str()? {
        "push" => "Push Hook",
        "tag_push" => "Tag Push Hook",
        "issue" => "Issue Hook",
        "note" => "Note Hook",
        "merge_request" => "Merge Request Hook",
        "wiki_page" => "Wiki Page Hook",
        "pipeline" => "Pipeline Hook",
        "build" => "Job Hook",
        "deployment" => "Deployment Hook",
        "release" => "Release Hook",
        _ => return None,
    })
}

pub fn set_content_type(headers: &mut HeaderMap, content_type: &str) -> Result<(), Failure> {
    let value = HeaderValue::from_str(content_type)
        .map_err(|_| usage("--content-type is not a valid header value"))?;
    headers.insert(http::header::CONTENT_TYPE, value);
    Ok(())
}

/// `250ms`, `30s`, `5m`, `1h`, `2d` or a plain number of seconds; fractions allowed (`1.5s`).
pub fn parse_duration(text: &str, flag: &str) -> Result<Duration, Failure> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let scale = match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => f64::NAN,
    };
    let value: f64 = number.parse().unwrap_or(f64::NAN);
    let secs = value * scale;
    if !secs.is_finite() || !(0.0..=365.0 * 86_400.0).contains(&secs) {
        return Err(usage(format!(
            "{flag}: `{text}` is not a duration such as 500ms, 30s, 5m or 1h"
        )));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let d = |t| parse_duration(t, "--x").unwrap();
        assert_eq!(d("0"), Duration::ZERO);
        assert_eq!(d("250ms"), Duration::from_millis(250));
        assert_eq!(d("30s"), Duration::from_secs(30));
        assert_eq!(d("30"), Duration::from_secs(30));
        assert_eq!(d("5m"), Duration::from_secs(300));
        assert_eq!(d("1.5h"), Duration::from_secs(5400));
        for bad in ["", "m", "-1s", "5 minutes", "1e3s", "1y", "NaN", "999999d"] {
            assert!(parse_duration(bad, "--x").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_scheme_has_samples_that_sign() {
        use crate::keys::{KeyKind, Signer};
        use clap::ValueEnum as _;
        use webhook_guard::keys::PublicKey;
        use webhook_guard::testing::keys;
        use zeroize::Zeroizing;
        for name in SchemeName::value_variants() {
            let scheme = name.template();
            let secret = Secret::new("a-test-secret-of-enough-length").unwrap();
            let (signer, verifier) = match name.key_kind() {
                KeyKind::Hmac | KeyKind::Token => (
                    Signer::Secret(secret.clone()),
                    webhook_guard::Verifier::new(scheme.clone(), secret),
                ),
                KeyKind::Ed25519 => (
                    Signer::Ed25519(Zeroizing::new(keys::ED25519_SEED_TEST_ONLY)),
                    webhook_guard::Verifier::with_public_key(
                        scheme.clone(),
                        PublicKey::ed25519_hex(keys::ED25519_PUBLIC_HEX).unwrap(),
                    ),
                ),
                KeyKind::P256 => (
                    Signer::P256(Zeroizing::new(keys::P256_PRIVATE_PEM_TEST_ONLY.to_owned())),
                    webhook_guard::Verifier::with_public_key(
                        scheme.clone(),
                        PublicKey::p256_pem(keys::P256_PUBLIC_PEM).unwrap(),
                    ),
                ),
                KeyKind::Rsa => (
                    Signer::Rsa(Zeroizing::new(keys::RSA_PRIVATE_PEM_TEST_ONLY.to_owned())),
                    webhook_guard::Verifier::with_public_key(
                        scheme.clone(),
                        PublicKey::from_certificate_pem(keys::RSA_CERTIFICATE_PEM).unwrap(),
                    ),
                ),
            };
            let samples = name.samples();
            assert!(!samples.is_empty());
            for (event, body) in samples {
                let header_event = match scheme.event_field() {
                    Some(Field::Headers(_) | Field::HeadersInOrder(_)) => Some(*event),
                    _ => None,
                };
                let d = delivery(
                    *name,
                    &scheme,
                    body.as_bytes().to_vec(),
                    None,
                    header_event,
                    None,
                )
                .unwrap();
                let signed = signer.sign(&d);
                let meta = verifier
                    .verify_request(&request("/", &signed.headers, &signed.body))
                    .unwrap_or_else(|e| panic!("{name:?} {event}: {e}"));
                if let Some(e) = meta.event_type() {
                    // Slack's, Helix's and Discord's samples are named for what their numeric
                    // or nested type means.
                    assert!(
                        e == *event
                            || matches!(
                                name,
                                SchemeName::Slack | SchemeName::Helix | SchemeName::Discord
                            ),
                        "{e} {event}"
                    );
                }
            }
        }
    }

    #[test]
    fn signed_urls_split_into_base_and_target() {
        let u =
            SignedUrl::parse("https://hooks.example.com:8443/twilio/sms?a=1&b=", "--url").unwrap();
        assert_eq!(u.base, "https://hooks.example.com:8443");
        assert_eq!(u.target, "/twilio/sms?a=1&b=");
        assert_eq!(
            u.to_string(),
            "https://hooks.example.com:8443/twilio/sms?a=1&b="
        );
        assert_eq!(u.query_param("a"), Some("1"));
        assert_eq!(u.query_param("b"), Some(""));
        assert_eq!(u.query_param("c"), None);
        assert_eq!(u.with_param("c", "2").target, "/twilio/sms?a=1&b=&c=2");
        let bare = SignedUrl::parse("http://127.0.0.1:3000", "--url").unwrap();
        assert_eq!(
            (bare.base.as_str(), bare.target.as_str()),
            ("http://127.0.0.1:3000", "/")
        );
        assert_eq!(bare.with_param("x", "1").target, "/?x=1");
        for (bad, says) in [
            ("https://user:pw@hooks.example.com/x", "user info"),
            ("https://hooks.example.com/x#top", "fragment"),
            ("/twilio/sms", "not an absolute"),
            ("ftp://hooks.example.com/x", "not an absolute"),
        ] {
            match SignedUrl::parse(bad, "--url") {
                Err(Failure::Usage(m)) => {
                    assert!(m.contains(says) && m.contains("--url"), "{m}");
                    assert!(!m.contains("pw"), "{m}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn twilio_json_bodies_carry_their_hash_in_the_url() {
        let scheme = SchemeName::Twilio.template();
        let url = SignedUrl::parse("https://hooks.example.com/status?x=1", "--url").unwrap();
        let hash = "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
        let json = with_body_hash(&scheme, &url, None, b" {\"a\":1}", "--url").unwrap();
        assert_ne!(json.target, url.target);
        let form = with_body_hash(&scheme, &url, None, b"a=1", "--url").unwrap();
        assert_eq!(form.target, url.target);
        let typed = with_body_hash(&scheme, &url, Some("application/json"), b"[]", "--url");
        assert!(typed.unwrap().query_param("bodySHA256").is_some());
        // The hash of `[]`.
        let given = url.with_param("bodySHA256", hash);
        let kept = with_body_hash(&scheme, &given, None, b"[]", "--url").unwrap();
        assert_eq!(kept.target, given.target);
        let wrong = with_body_hash(&scheme, &given, None, b"{}", "--url");
        assert!(matches!(wrong, Err(Failure::Usage(m)) if m.contains("bodySHA256")));
        // Schemes without a body hash keep their URL.
        let heppu = with_body_hash(&Scheme::heppu(), &url, None, b"{}", "--url").unwrap();
        assert_eq!(heppu.target, url.target);
        assert_eq!(
            SchemeName::Twilio.default_content_type(b"a=1"),
            "application/x-www-form-urlencoded"
        );
        assert_eq!(
            SchemeName::Twilio.default_content_type(b"{}"),
            "application/json"
        );
        assert_eq!(
            SchemeName::Heppu.default_content_type(b"a=1"),
            "application/json"
        );
        assert!(is_json_type("application/json; charset=utf-8"));
        assert!(is_json_type("application/cloudevents+json"));
        assert!(!is_json_type("application/x-www-form-urlencoded"));
    }

    #[test]
    fn paypal_timestamps_are_seconds_written_as_date_times() {
        let scheme = SchemeName::Paypal.template();
        let d = delivery(
            SchemeName::Paypal,
            &scheme,
            b"{}".to_vec(),
            Some("tx1"),
            None,
            Some(1_733_220_000),
        )
        .unwrap();
        let signed = crate::keys::Signer::Rsa(zeroize::Zeroizing::new(
            webhook_guard::testing::keys::RSA_PRIVATE_PEM_TEST_ONLY.to_owned(),
        ))
        .sign(&d);
        assert_eq!(
            signed.headers["paypal-transmission-time"],
            "2024-12-03T10:00:00Z"
        );
        let late = delivery(
            SchemeName::Paypal,
            &scheme,
            b"{}".to_vec(),
            None,
            None,
            Some(MAX_RFC3339_SECS + 1),
        );
        assert!(matches!(late, Err(Failure::Usage(m)) if m.contains("unix seconds")));
    }
}
