//! `send`: POST a signed delivery, possibly several times on a retry schedule, and report each
//! answer.

use std::error::Error;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderValue, Request};
use http_body_util::{BodyExt as _, Full};
use hyper_rustls::HttpsConnectorBuilder;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use webhook_guard::scheme::Field;

use crate::SendArgs;
use crate::input::{self, Failure, SignedUrl, parse_duration, parse_url, usage};

/// Longest answer body printed, in bytes.
const MAX_SHOWN_BODY: usize = 4096;

/// Most attempts a schedule may hold.
const MAX_ATTEMPTS: usize = 1000;

pub fn run(args: SendArgs) -> Result<(), Failure> {
    let name = args.scheme.scheme;
    let sender = name.arg_name();

    // Everything that can be wrong with the arguments is checked before anything is sent.
    let mut uri = parse_url(&args.url, "--url")?;
    // What a URL-signed sender (Twilio) signs: the URL it posts to, or --signed-url.
    let (signed_text, signed_flag) = match &args.signed_url {
        Some(url) => (url.as_str(), "--signed-url"),
        None => (args.url.as_str(), "--url"),
    };
    let signed = match (name.signs_url(), &args.signed_url) {
        (false, Some(_)) => return Err(input::signs_no_url(name, "--signed-url")),
        (false, None) => None,
        (true, _) => Some(SignedUrl::parse(signed_text, signed_flag)?),
    };
    let scheme = args.scheme.scheme(signed.as_ref(), signed_flag)?;
    if args.cacert.is_some() && uri.scheme() != Some(&http::uri::Scheme::HTTPS) {
        return Err(usage(
            "--cacert applies to https:// URLs only; this --url is plain http://",
        ));
    }
    let tls = crate::tls::client_config(args.cacert.as_deref())?;
    let timeout = parse_duration(&args.timeout, "--timeout")?;
    if timeout.is_zero() {
        return Err(usage("--timeout must be longer than zero"));
    }
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return Err(usage("--speed must be a number above zero"));
    }
    let schedule = match args.retry_schedule.as_deref() {
        Some("documented") => name.documented_schedule().ok_or_else(|| {
            usage(format!(
                "the crate documents no retry schedule for {sender} (only heppu and helix); \
                 give the delays instead, e.g. --retry-schedule 0,1m,5m"
            ))
        })?,
        Some(list) => {
            let delays = list
                .split(',')
                .map(|d| parse_duration(d, "--retry-schedule"))
                .collect::<Result<Vec<_>, _>>()?;
            if delays.len() > MAX_ATTEMPTS {
                return Err(usage(format!(
                    "--retry-schedule holds more than {MAX_ATTEMPTS} attempts"
                )));
            }
            delays
        }
        None => vec![Duration::ZERO; args.repeat as usize],
    };

    let (body, event, sample) = match &args.body {
        Some(body) => (body.read()?, args.event.clone(), None),
        None => {
            let samples = name.samples();
            let names = || {
                samples
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let (event, body) = match args.event.as_deref() {
                None => samples[0],
                Some("list") => {
                    for (event, body) in samples {
                        println!("{event}\t{} bytes", body.len());
                    }
                    return Ok(());
                }
                Some(wanted) => *samples.iter().find(|(n, _)| *n == wanted).ok_or_else(|| {
                    usage(format!(
                        "no documented {sender} sample `{wanted}`; there are: {}",
                        names()
                    ))
                })?,
            };
            let header_event = matches!(
                scheme.event_field(),
                Some(Field::Headers(_) | Field::HeadersInOrder(_))
            )
            .then(|| event.to_owned());
            (body.as_bytes().to_vec(), header_event, Some(event))
        }
    };
    // One id for every attempt: a retry is the same delivery.
    let id = match (&args.id, scheme.id_field()) {
        (None, Some(Field::Headers(_) | Field::HeadersInOrder(_))) => Some(fresh_id()),
        (id, _) => id.clone(),
    };
    let content_type = args
        .content_type
        .clone()
        .unwrap_or_else(|| name.default_content_type(&body).to_owned());
    input::set_content_type(&mut http::HeaderMap::new(), &content_type)?;
    // Twilio signs a JSON body's URL with the body's SHA-256 in its query, and posts to it.
    let signed = match signed {
        Some(signed) => {
            let hashed =
                input::with_body_hash(&scheme, &signed, Some(&content_type), &body, signed_flag)?;
            if args.signed_url.is_none() {
                uri = parse_url(&hashed.to_string(), "--url")?;
            } else {
                let posted = SignedUrl::parse(&args.url, "--url")?;
                let posted =
                    input::with_body_hash(&scheme, &posted, Some(&content_type), &body, "--url")?;
                uri = parse_url(&posted.to_string(), "--url")?;
            }
            Some(hashed)
        }
        None => None,
    };
    let mut delivery = input::delivery(
        name,
        &scheme,
        body,
        id.as_deref(),
        event.as_deref(),
        args.timestamp,
    )?;
    if let Some(signed) = &signed {
        delivery = delivery.path(signed.target.clone());
    }
    let signer = args.scheme.signer(&args.keys, "send")?;

    // Check the delivery as a receiver would (with the public half of a private key), to show
    // what it carries (and warn early when a receiver will refuse it, e.g. a Stripe body without
    // an `id`).
    let first = signer.sign(&delivery);
    let checker = signer.checker(scheme.clone())?;
    let target = signed.as_ref().map_or("/", |s| s.target.as_str());
    let checked = checker.verify_request(&input::request(target, &first.headers, &first.body));
    let (shown_id, shown_event) = match checked {
        Ok(meta) => (
            meta.id().map(str::to_owned),
            meta.event_type().map(str::to_owned),
        ),
        Err(rejection) => {
            eprintln!(
                "note: a {sender} receiver will refuse this delivery: {}: {}",
                rejection.code(),
                rejection.detail().unwrap_or(rejection.message())
            );
            (None, None)
        }
    };
    let what = match (sample, &shown_event) {
        (Some(sample), _) => format!("sample `{sample}`"),
        (None, Some(event)) => format!("event {event}"),
        (None, None) => "delivery".to_owned(),
    };
    let signed_for = match &signed {
        Some(signed) if signed.to_string() != uri.to_string() => format!(", signed for {signed}"),
        _ => String::new(),
    };
    println!(
        "POST {uri}: {sender} {what}, {} bytes, delivery id {}, {} attempt(s){signed_for}",
        first.body.len(),
        shown_id.as_deref().unwrap_or("(none)"),
        schedule.len(),
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Failed(format!("cannot start the async runtime: {e}")))?;
    let (failures, refused) = runtime.block_on(async {
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).build::<_, Full<Bytes>>(connector);
        let mut failures = 0usize;
        // The attempt whose TLS handshake refused the receiver's certificate, and why: every
        // further attempt would be refused alike, so none is sent.
        let mut refused = None;
        for (index, delay) in schedule.iter().enumerate() {
            if !delay.is_zero() {
                let scaled = delay.div_f64(args.speed);
                if args.speed == 1.0 {
                    println!("   waiting {}", human(scaled));
                } else {
                    println!(
                        "   waiting {} ({} at speed {})",
                        human(scaled),
                        human(*delay),
                        args.speed
                    );
                }
                tokio::time::sleep(scaled).await;
            }
            // Re-signed at each attempt, as senders do: same id and body, a fresh timestamp.
            let mut signed = signer.sign(&delivery);
            input::set_content_type(&mut signed.headers, &content_type).expect("checked above");
            crate::keys::extra_headers(name, &mut signed.headers);
            if name == crate::SchemeName::Slack && index > 0 {
                signed
                    .headers
                    .insert("x-slack-retry-num", HeaderValue::from(index));
                signed.headers.insert(
                    "x-slack-retry-reason",
                    HeaderValue::from_static("http_timeout"),
                );
            }
            signed.headers.insert(
                http::header::USER_AGENT,
                HeaderValue::from_static(concat!("webhook-guard/", env!("CARGO_PKG_VERSION"))),
            );
            let mut request = Request::new(Full::new(signed.body));
            *request.method_mut() = http::Method::POST;
            *request.uri_mut() = uri.clone();
            *request.headers_mut() = signed.headers;

            let started = Instant::now();
            let exchange = async {
                let response = client.request(request).await.map_err(|e| {
                    let advice = causes(&e).find_map(crate::tls::certificate_advice);
                    (chain(&e), advice)
                })?;
                let status = response.status();
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .map_err(|e| (chain(&e), None))?
                    .to_bytes();
                Ok::<_, (String, Option<&str>)>((status, body))
            };
            let outcome = tokio::time::timeout(timeout, exchange).await;
            let took = millis(started.elapsed());
            let n = index + 1;
            match outcome {
                Ok(Ok((status, body))) => {
                    println!("#{n}  {status}  in {took}  {}", shown(&body));
                    if !status.is_success() {
                        failures += 1;
                    }
                }
                Ok(Err((error, advice))) => {
                    println!("#{n}  failed after {took}: {error}");
                    failures += 1;
                    if let Some(advice) = advice {
                        refused = Some((n, format!("{error}: {advice}")));
                        break;
                    }
                }
                Err(_) => {
                    println!("#{n}  no answer within {}", human(timeout));
                    failures += 1;
                }
            }
        }
        (failures, refused)
    });
    if let Some((attempt, refused)) = refused {
        let unsent = schedule.len() - attempt;
        return Err(Failure::Failed(if unsent == 0 {
            refused
        } else {
            format!("{refused} (the {unsent} later attempt(s) were not sent)")
        }));
    }
    match failures {
        0 => Ok(()),
        _ if schedule.len() == 1 => Err(Failure::Failed(
            "the delivery was not answered 2xx".to_owned(),
        )),
        f => Err(Failure::Failed(format!(
            "{f} of {} attempts were not answered 2xx",
            schedule.len()
        ))),
    }
}

/// A delivery id no receiver has seen: milliseconds since the epoch and the process id.
fn fresh_id() -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("dlv_{ms}_{}", std::process::id())
}

/// An error and its causes on one line, without repeats.
fn chain(error: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in causes(error) {
        let text = e.to_string();
        if !parts.iter().any(|p| p == &text) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

/// An error and its causes. An `io::Error` wrapping another error passes on that error's own
/// causes as its `source`, skipping the error itself (rustls' certificate refusal comes wrapped
/// so, twice); here the wrapped error is visited.
fn causes<'a>(error: &'a (dyn Error + 'static)) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(Some(error), |&e| -> Option<&'a (dyn Error + 'static)> {
        match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner),
            None => e.source(),
        }
    })
}

/// An answer body for the terminal: lossy UTF-8, on one line, cut after [`MAX_SHOWN_BODY`].
fn shown(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty body)".to_owned();
    }
    let cut = &body[..body.len().min(MAX_SHOWN_BODY)];
    let mut text = String::from_utf8_lossy(cut)
        .trim_end()
        .replace(['\r', '\n'], " ");
    if body.len() > MAX_SHOWN_BODY {
        text.push_str(&format!(" … ({} more bytes)", body.len() - MAX_SHOWN_BODY));
    }
    text
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// `250 ms`, `1.5 s`, `5 min`, `1 h`.
fn human(d: Duration) -> String {
    let secs = d.as_secs_f64();
    let (value, unit) = if secs < 1.0 {
        (secs * 1000.0, "ms")
    } else if secs < 60.0 {
        (secs, "s")
    } else if secs < 3600.0 {
        (secs / 60.0, "min")
    } else {
        (secs / 3600.0, "h")
    };
    let text = format!("{value:.1}");
    format!("{} {unit}", text.strip_suffix(".0").unwrap_or(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let parse_url = |url| parse_url(url, "--url");
        assert!(parse_url("http://127.0.0.1:3000/webhooks/heppu").is_ok());
        assert!(parse_url("https://example.com/x").is_ok());
        for bad in [
            "https://",
            "127.0.0.1:3000/x",
            "/webhooks",
            "ftp://x/",
            "http://",
            "not a url",
        ] {
            assert!(matches!(parse_url(bad), Err(Failure::Usage(_))), "{bad}");
        }
    }

    #[test]
    fn humane_durations() {
        assert_eq!(human(Duration::from_millis(250)), "250 ms");
        assert_eq!(human(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(human(Duration::from_secs(60)), "1 min");
        assert_eq!(human(Duration::from_secs(3600)), "1 h");
        assert_eq!(human(Duration::from_secs(6 * 3600)), "6 h");
    }

    #[test]
    fn bodies_are_shown_on_one_line_and_cut() {
        assert_eq!(shown(b"{\"a\":1}\n"), "{\"a\":1}");
        assert_eq!(shown(b""), "(empty body)");
        assert_eq!(shown(b"a\nb"), "a b");
        let long = vec![b'x'; MAX_SHOWN_BODY + 10];
        assert!(shown(&long).ends_with("(10 more bytes)"));
    }
}
