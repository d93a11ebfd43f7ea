//! `verify`: check a captured delivery and say exactly why it fails.

use std::time::{SystemTime, UNIX_EPOCH};

use clap::ValueEnum as _;
use http::{HeaderMap, HeaderName, HeaderValue};
use webhook_guard::scheme::{TimestampSource, TimestampUnit};
use webhook_guard::{RejectionKind, Scheme, Secret, Verifier};

use crate::input::{
    Failure, SignedUrl, looks_like_json, parse_duration, read_file, request, usage,
};
use crate::keys::Checker;
use crate::{SchemeName, VerifyArgs};

pub fn run(args: VerifyArgs) -> Result<(), Failure> {
    let name = args.scheme.scheme;
    let url = args
        .url
        .as_deref()
        .map(|u| SignedUrl::parse(u, "--url"))
        .transpose()?;
    let scheme = args.scheme.scheme(url.as_ref(), "--url")?;
    // The request line the delivery came with: a POST to --url's path and query (`/` where the
    // scheme signs no URL, which it then does not read).
    let target = url.as_ref().map_or("/", |u| u.target.as_str());
    let tolerance = parse_duration(&args.tolerance, "--tolerance")?;
    let key = args
        .scheme
        .checker(args.public_key.as_deref(), args.private_key.is_some())?;
    let headers = parse_headers(&read_file(&args.headers, "headers file")?)?;
    let body = args.body.read()?;
    let build = |key: &Checker, any_time: bool| {
        let builder = key.configure(Verifier::builder(scheme.clone()));
        let builder = if any_time {
            builder.danger_accept_any_timestamp()
        } else {
            builder.tolerance(tolerance)
        };
        builder
            .build()
            .map_err(|e| usage(format!("{}: {e}", name.arg_name())))
    };
    let check = |verifier: &Verifier, body: &[u8]| {
        verifier.verify_request(&request(target, &headers, body))
    };
    let verifier = build(&key, false)?;
    let rejection = match check(&verifier, &body) {
        Ok(meta) => {
            let age = meta.timestamp_millis().map(|ts| {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as i128);
                let diff = (now - i128::from(ts)) / 1000;
                if diff >= 0 {
                    format!(", signed {diff} s ago")
                } else {
                    format!(", signed {} s in the future", -diff)
                }
            });
            println!(
                "verified: {} delivery {}, event {}{}",
                name.arg_name(),
                meta.id().unwrap_or("(no id)"),
                meta.event_type().unwrap_or("(none)"),
                age.unwrap_or_default()
            );
            return Ok(());
        }
        Err(rejection) => rejection,
    };

    let mut line = format!(
        "{}: {}",
        rejection.code(),
        rejection.detail().unwrap_or(rejection.message())
    );
    match rejection.kind() {
        RejectionKind::TimestampExpired | RejectionKind::TimestampInFuture => {
            line = format!("{}: {}", rejection.code(), timestamp_origin(&scheme));
            line.push_str(rejection.detail().unwrap_or(rejection.message()));
            // Is the rest of the delivery sound? A captured delivery is stale by nature.
            match check(&build(&key, true)?, &body) {
                Ok(_) => line.push_str(
                    "; the signature itself matches (raise --tolerance to accept an old capture)",
                ),
                Err(other) => line.push_str(&format!(
                    "; besides, {}: {}",
                    other.code(),
                    other.detail().unwrap_or(other.message())
                )),
            }
        }
        RejectionKind::SignatureMissing => {
            if let Some(other) = scheme_of(&headers, name) {
                line.push_str(&format!(
                    "; the headers carry `{}`: try --scheme {}",
                    other.1,
                    other.0.arg_name()
                ));
            }
        }
        RejectionKind::SignatureMismatch => {
            let before = line.len();
            let with_secret = |secret: &Secret, body: &[u8]| {
                Verifier::builder(scheme.clone())
                    .secret(secret.clone())
                    .tolerance(tolerance)
                    .build()
                    .is_ok_and(|v| check(&v, body).is_ok())
            };
            let (text, origin) = match &key {
                Checker::Secret { text, origin, .. } => (text.as_str(), origin.as_str()),
                Checker::Public(_) => ("", ""),
            };
            let secret_text = matches!(key, Checker::Secret { .. });
            let trimmed = trim_newline(&body);
            if trimmed.len() < body.len() && check(&verifier, trimmed).is_ok() {
                line.push_str(
                    "; without the body's trailing newline it verifies: the body file gained a \
                     newline (an editor, echo or a copy from the terminal); keep the bytes \
                     exactly as received",
                );
            } else if secret_text
                && text.trim() != text
                && let Ok(s) = args
                    .scheme
                    .build_secret(text.trim(), origin, args.scheme.raw_secret)
                && with_secret(&s, &body)
            {
                line.push_str(
                    "; the secret has surrounding whitespace, and without it the delivery \
                     verifies: trim it",
                );
            } else if let Some(url) = &url
                && let Some(cause) = url_cause(&scheme, url, &body, |other: &SignedUrl| {
                    name.scheme_with("", &other.base).is_ok_and(|scheme| {
                        key.configure(Verifier::builder(scheme))
                            .tolerance(tolerance)
                            .build()
                            .is_ok_and(|v| {
                                v.verify_request(&request(&other.target, &headers, &body))
                                    .is_ok()
                            })
                    })
                })
            {
                line.push_str(&cause);
            } else if secret_text
                && text.starts_with("whsec_")
                && name == SchemeName::StandardWebhooks
                && let Ok(s) = args
                    .scheme
                    .build_secret(text, origin, !args.scheme.raw_secret)
                && with_secret(&s, &body)
            {
                line.push_str(if args.scheme.raw_secret {
                    "; it verifies with the whsec_ secret decoded: drop --raw-secret"
                } else {
                    "; it verifies with the secret's bytes as given: add --raw-secret"
                });
            }
            // A found cause replaces the general question about re-serialized bodies.
            if line.len() > before
                && let Some(cut) = line[..before].find("; was the body re-serialized")
            {
                line.replace_range(cut..before, "");
            } else if name == SchemeName::Paypal {
                line.push_str(
                    " PayPal also signs the webhook id: is --webhook-id the id of the \
                     subscription this delivery was sent to?",
                );
            } else if let Some(url) = &url {
                line.push_str(&url_question(name, url, &body));
            }
        }
        _ => {}
    }
    Err(Failure::Failed(line))
}

/// Why a delivery of a URL-signed sender fails with `url` when it verifies over another URL:
/// `url` with the JSON body's hash added to its query (which Twilio adds), the other of
/// `http://` and `https://` (a proxy that terminates TLS), or `url` without its query.
/// `verifies` checks the delivery against another URL.
fn url_cause(
    scheme: &Scheme,
    url: &SignedUrl,
    body: &[u8],
    verifies: impl Fn(&SignedUrl) -> bool,
) -> Option<String> {
    if let Some(param) = scheme.body_sha256_query()
        && url.query_param(param).is_none()
        && let Ok(hashed) = crate::input::with_body_hash(scheme, url, None, body, "--url")
        && hashed.target != url.target
        && verifies(&hashed)
    {
        return Some(format!(
            "; it verifies over {hashed}: the sender adds `{param}=<hex SHA-256 of the body>` \
             to a JSON body's URL and signs that URL; pass --url with the query the delivery \
             came with"
        ));
    }
    let swapped = match url.base.split_once("://") {
        Some(("https", rest)) => format!("http://{rest}"),
        Some((_, rest)) => format!("https://{rest}"),
        None => url.base.clone(),
    };
    let other_scheme = SignedUrl {
        base: swapped,
        target: url.target.clone(),
    };
    if verifies(&other_scheme) {
        return Some(format!(
            "; it verifies over {other_scheme}: the sender requested that URL (behind a proxy \
             that terminates TLS the receiver sees the other scheme); pass it as --url, and \
             configure {} as the receiver's public URL",
            other_scheme.base
        ));
    }
    let (path, _) = url.target.split_once('?')?;
    let bare = SignedUrl {
        base: url.base.clone(),
        target: path.to_owned(),
    };
    verifies(&bare).then(|| {
        format!(
            "; it verifies over {bare}, without the query: was the query added after the sender \
             signed, or is --url not the URL the delivery was sent to?"
        )
    })
}

/// What to ask when a URL-signed delivery fails and no cause was found: a JSON body comes with
/// its hash in the query, which `url` lacks; or else, is `url` the URL the sender requested?
fn url_question(name: SchemeName, url: &SignedUrl, body: &[u8]) -> String {
    let sender = name.arg_name();
    match name.template().body_sha256_query() {
        Some(param) if looks_like_json(body) && url.query_param(param).is_none() => format!(
            " {sender} sends a JSON body to the URL with `{param}=<hex SHA-256 of the body>` \
             in its query and signs that URL: give --url with the query the delivery came with"
        ),
        _ => format!(
            " {sender} signs the URL it requested: is --url exactly that URL (scheme, host, \
             port, path and query, as configured at the sender)?"
        ),
    }
}

/// How the scheme's timestamp is named, followed by `: `, e.g. `` `x-webhook-timestamp` (unix
/// seconds): ``.
fn timestamp_origin(scheme: &Scheme) -> String {
    match scheme.timestamp() {
        Some((TimestampSource::Headers(names), TimestampUnit::Rfc3339)) => {
            format!("`{}` (RFC 3339 date-time): ", names[0])
        }
        Some((TimestampSource::Headers(names), unit)) => {
            format!("`{}` (unix {unit:?}): ", names[0]).to_lowercase()
        }
        Some((TimestampSource::SignatureEntry(prefix), unit)) => format!(
            "`{prefix}` entry of `{}` (unix {}): ",
            scheme.signature_headers()[0],
            format!("{unit:?}").to_lowercase()
        ),
        _ => String::new(),
    }
}

/// Another built-in sender whose signature header is present: the likely right `--scheme`.
fn scheme_of(headers: &HeaderMap, not: SchemeName) -> Option<(SchemeName, HeaderName)> {
    SchemeName::value_variants()
        .iter()
        .filter(|n| **n != not)
        .find_map(|n| {
            n.template()
                .signature_headers()
                .iter()
                .find(|h| headers.contains_key(*h))
                .map(|h| (*n, h.clone()))
        })
}

fn trim_newline(body: &[u8]) -> &[u8] {
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    body.strip_suffix(b"\r").unwrap_or(body)
}

/// Read captured headers: `Name: value` lines (a request or status line, HTTP/2 pseudo-headers,
/// blank lines and `#` comments skipped; `> ` prefixes of `curl -v` removed), or a JSON object of
/// names to values.
pub fn parse_headers(raw: &[u8]) -> Result<HeaderMap, Failure> {
    let text = std::str::from_utf8(raw).map_err(|_| usage("the headers file is not UTF-8 text"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut headers = HeaderMap::new();
    if text.trim_start().starts_with('{') {
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
            .map_err(|e| usage(format!("the headers file is not a JSON object: {e}")))?;
        for (name, value) in object {
            let values = match value {
                serde_json::Value::Array(items) => items,
                other => vec![other],
            };
            for value in values {
                let value = match value {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                add(&mut headers, &name, &value, &format!("`{name}`"))?;
            }
        }
    } else {
        for (index, line) in text.lines().enumerate() {
            let line = line.strip_prefix("> ").unwrap_or(line);
            if line.trim().is_empty() || line.starts_with('#') || line.starts_with(':') {
                continue;
            }
            if is_start_line(line) {
                continue;
            }
            let at = format!("line {}", index + 1);
            let Some((name, value)) = line.split_once(':') else {
                return Err(usage(format!(
                    "headers file {at} is not a `Name: value` line"
                )));
            };
            add(&mut headers, name.trim(), value.trim(), &at)?;
        }
    }
    if headers.is_empty() {
        return Err(usage("the headers file holds no headers"));
    }
    Ok(headers)
}

fn add(headers: &mut HeaderMap, name: &str, value: &str, at: &str) -> Result<(), Failure> {
    let header = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| usage(format!("headers file {at}: `{name}` is not a header name")))?;
    let value = HeaderValue::from_str(value).map_err(|_| {
        usage(format!(
            "headers file {at}: the value of `{name}` is not a valid header value"
        ))
    })?;
    headers.append(header, value);
    Ok(())
}

/// `HTTP/1.1 200 OK` or `POST /webhooks/heppu HTTP/1.1`.
fn is_start_line(line: &str) -> bool {
    if line.starts_with("HTTP/") {
        return true;
    }
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or("");
    let last = line.split_whitespace().last().unwrap_or("");
    !method.is_empty()
        && method.bytes().all(|b| b.is_ascii_uppercase())
        && last.starts_with("HTTP/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_as_tools_show_them() {
        let h = parse_headers(
            b"POST /webhooks/heppu HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Webhook-ID: whd_1\r\n\
              x-webhook-event:call.completed\r\n\r\n",
        )
        .unwrap();
        assert_eq!(h["x-webhook-id"], "whd_1");
        assert_eq!(h["x-webhook-event"], "call.completed");
        assert_eq!(h.len(), 3);
        let h = parse_headers(b"> POST / HTTP/1.1\n> X-A: 1\n# note\n:authority: x\nX-B: a: b\n")
            .unwrap();
        assert_eq!(h["x-a"], "1");
        assert_eq!(h["x-b"], "a: b");
        let h =
            parse_headers(br#"{"X-Webhook-ID": "whd_2", "X-N": 5, "X-L": ["a", "b"]}"#).unwrap();
        assert_eq!(h["x-webhook-id"], "whd_2");
        assert_eq!(h["x-n"], "5");
        assert_eq!(h.get_all("x-l").iter().count(), 2);
    }

    #[test]
    fn bad_header_files_are_usage_errors() {
        for (bad, says) in [
            (&b"X-A: 1\nno colon here\n"[..], "line 2"),
            (b"Bad Name: 1\n", "not a header name"),
            (b"\n\n", "no headers"),
            (b"{not json", "not a JSON object"),
            (b"\xff\xfe", "not UTF-8"),
        ] {
            match parse_headers(bad) {
                Err(Failure::Usage(msg)) => assert!(msg.contains(says), "{msg}"),
                other => panic!("{other:?}"),
            }
        }
    }
}
