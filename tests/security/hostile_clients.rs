//! Hostile HTTP clients against real servers on 127.0.0.1, over raw TCP: oversized bodies sent
//! fast and slowly, bodies that never end, lying `Content-Length`s, chunked bodies, invalid UTF-8
//! in header values, repeated and absurdly long headers, odd timestamps, empty bodies.
//!
//! Every case must end in a clear 4xx, never a panic or a hang. Where our code answers, the
//! status and the machine code are asserted; where the HTTP stack refuses the request before it
//! reaches the webhook layer (hyper's own 400 and 431), only the status is, and the case says so.
//!
//! The server is set up as the README recommends: `WebhookLayer` on the route, tower-http's
//! `RequestBodyTimeoutLayer` (a body that stops arriving: `400 body_read_failed`) and
//! `TimeoutLayer` (a request that takes too long in total, e.g. one byte a second: `408`) around
//! the router.
//!
//! The memory an oversized body costs the server is counted in the `allocations` binary
//! (`oversized_body`), which has the counting allocator.

use crate::common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use http::StatusCode;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{RawBody, Scheme, Secret, Verifier, WebhookLayer};

const KEY: &str = "hostile-client-test-secret-01";
const LIMIT: usize = 16 * 1024;
/// A body that stops arriving is cut after this long without a byte.
const BODY_IDLE: Duration = Duration::from_millis(700);
/// A request (head, body, handler) that takes longer than this in total gets 408.
const TOTAL: Duration = Duration::from_secs(3);

fn secret() -> Secret {
    Secret::new(KEY).unwrap()
}

fn router(limit: usize) -> Router {
    let route = |scheme: Scheme| {
        post(|RawBody(body): RawBody| async move { format!("ok {}", body.len()) })
            .route_layer(WebhookLayer::new(Verifier::new(scheme, secret())).body_limit(limit))
    };
    Router::new()
        .route("/heppu", route(Scheme::heppu()))
        .route("/helix", route(Scheme::helix()))
        .route("/github", route(Scheme::github()))
        .route("/shopify", route(Scheme::shopify()))
        .route("/stripe", route(Scheme::stripe()))
        .layer(RequestBodyTimeoutLayer::new(BODY_IDLE))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            TOTAL,
        ))
}

async fn server() -> SocketAddr {
    common::spawn(router(LIMIT)).await
}

/// A signed delivery's headers as raw `(name, value bytes)` pairs, to be edited at will.
fn raw_headers(d: &SignedDelivery) -> Vec<(String, Vec<u8>)> {
    d.headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect()
}

fn sign(scheme: Scheme, body: &str) -> SignedDelivery {
    Delivery::new(scheme, body.to_owned()).sign(&secret())
}

fn set(headers: &mut Vec<(String, Vec<u8>)>, name: &str, value: impl Into<Vec<u8>>) {
    headers.retain(|(n, _)| n != name);
    headers.push((name.to_owned(), value.into()));
}

/// A request head with exactly these header lines (no `Content-Length` added).
fn head(path: &str, headers: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = format!("POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n").into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// A complete request with a correct `Content-Length`.
fn request(path: &str, headers: &[(String, Vec<u8>)], body: &[u8]) -> Vec<u8> {
    let mut h = headers.to_vec();
    set(&mut h, "content-length", body.len().to_string());
    let mut out = head(path, &h);
    out.extend_from_slice(body);
    out
}

/// Status and machine code (`""` when the body is not one of our JSON rejections).
async fn exchange(addr: SocketAddr, bytes: &[u8]) -> (u16, String) {
    let (status, text) = common::raw_exchange(addr, bytes).await;
    (status, code_of(&text))
}

fn code_of(response: &str) -> String {
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or(("", ""));
    // Only the first response: a lying client may have provoked a second one.
    let len = head
        .to_ascii_lowercase()
        .lines()
        .find_map(|l| {
            l.strip_prefix("content-length: ")?
                .trim()
                .parse::<usize>()
                .ok()
        })
        .unwrap_or(body.len())
        .min(body.len());
    let body = &body[..len];
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn chunked(body: &[u8], chunk: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for c in body.chunks(chunk) {
        out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

const BODY: &str = r#"{"event":"call.completed","conversationId":"conv_1"}"#;

// ---------------------------------------------------------------------------------------------
// Bodies: too large, never ending, lying about their length, chunked.

#[tokio::test]
async fn oversized_bodies_fast_and_slow_get_413() {
    let addr = server().await;
    let big = format!(r#"{{"pad":"{}"}}"#, "x".repeat(LIMIT));
    let d = sign(Scheme::heppu(), &big);
    let h = raw_headers(&d);

    // Fast, honest Content-Length: refused from the head.
    assert_eq!(
        exchange(addr, &request("/heppu", &h, big.as_bytes())).await,
        (413, "body_too_large".into())
    );
    // Fast, chunked (no length): refused once the limit is passed.
    let mut req = head(
        "/heppu",
        &[
            h.clone(),
            vec![("transfer-encoding".into(), b"chunked".to_vec())],
        ]
        .concat(),
    );
    req.extend_from_slice(&chunked(big.as_bytes(), 4096));
    assert_eq!(exchange(addr, &req).await, (413, "body_too_large".into()));

    // Slow, chunked: 1 KiB every 20 ms. The 413 must come once the limit is passed, while the
    // client still has most of the body to send.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(&head(
            "/heppu",
            &[
                h.clone(),
                vec![("transfer-encoding".into(), b"chunked".to_vec())],
            ]
            .concat(),
        ))
        .await
        .unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let writer = tokio::spawn(async move {
        let chunk = [b'x'; 1024];
        let mut sent = 0usize;
        // At most 8 x the limit, 20 ms apart: bounded even if the server never answered.
        for _ in 0..(8 * LIMIT / 1024) {
            let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
            frame.extend_from_slice(&chunk);
            frame.extend_from_slice(b"\r\n");
            if wr.write_all(&frame).await.is_err() {
                break;
            }
            sent += chunk.len();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        sent
    });
    let mut buf = Vec::new();
    let status = tokio::time::timeout(Duration::from_secs(10), async {
        use tokio::io::AsyncReadExt;
        let mut chunk = [0u8; 1024];
        loop {
            let n = rd.read(&mut chunk).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            if buf.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        String::from_utf8_lossy(&buf).into_owned()
    })
    .await
    .expect("answer while the slow body is still being sent");
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    writer.abort();
}

#[tokio::test]
async fn a_body_that_never_ends_is_cut_by_the_timeout_layers() {
    let addr = server().await;
    let d = sign(Scheme::heppu(), BODY);
    let mut h = raw_headers(&d);
    // Announces more than it sends, then goes quiet without closing.
    set(&mut h, "content-length", (BODY.len() + 100).to_string());
    let mut req = head("/heppu", &h);
    req.extend_from_slice(BODY.as_bytes());
    let started = std::time::Instant::now();
    let (status, code) = exchange(addr, &req).await;
    assert_eq!((status, code.as_str()), (400, "body_read_failed"));
    assert!(started.elapsed() < TOTAL, "cut by the body idle timeout");

    // Chunked, never terminated, one byte every 300 ms (under the idle timeout): the total
    // request timeout answers 408.
    let mut h = raw_headers(&d);
    h.push(("transfer-encoding".into(), b"chunked".to_vec()));
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(&head("/heppu", &h)).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let writer = tokio::spawn(async move {
        for _ in 0..40 {
            if wr.write_all(b"1\r\nx\r\n").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
    let text = tokio::time::timeout(Duration::from_secs(8), async {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 512];
        let n = rd.read(&mut buf).await.unwrap_or(0);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    })
    .await
    .expect("the trickle is cut within the total timeout");
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    writer.abort();
}

#[tokio::test]
async fn lying_content_lengths_and_chunked_bodies() {
    let addr = server().await;
    let d = sign(Scheme::heppu(), BODY);
    let h = raw_headers(&d);

    // Shorter than sent: the server reads what was announced, which no longer matches.
    let mut short = h.clone();
    set(&mut short, "content-length", (BODY.len() - 5).to_string());
    let mut req = head("/heppu", &short);
    req.extend_from_slice(BODY.as_bytes());
    assert_eq!(
        exchange(addr, &req).await,
        (401, "signature_mismatch".into())
    );

    // Longer than sent, then the client closes its side: the body is incomplete.
    let mut long = h.clone();
    set(&mut long, "content-length", (BODY.len() + 5).to_string());
    let mut req = head("/heppu", &long);
    req.extend_from_slice(BODY.as_bytes());
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(&req).await.unwrap();
    stream.shutdown().await.unwrap();
    let (status, text) = common::read_response(&mut stream).await;
    assert_eq!(
        (status, code_of(&text).as_str()),
        (400, "body_read_failed"),
        "{text}"
    );

    // A well-formed chunked body, in odd chunk sizes: verified like any other.
    let mut ch = h.clone();
    ch.push(("transfer-encoding".into(), b"chunked".to_vec()));
    let mut req = head("/heppu", &ch);
    req.extend_from_slice(&chunked(BODY.as_bytes(), 7));
    let (status, text) = common::raw_exchange(addr, &req).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.ends_with(&format!("ok {}", BODY.len())), "{text}");

    // A broken chunk size: the HTTP stack fails the body, our layer answers.
    let mut req = head("/heppu", &ch);
    req.extend_from_slice(b"zz\r\nabc\r\n0\r\n\r\n");
    assert_eq!(exchange(addr, &req).await, (400, "body_read_failed".into()));

    // Chunked and a Content-Length: hyper reads it as chunked (RFC 9112, section 6.3: the
    // transfer coding wins) and drops the length; what is verified is what was read.
    let mut both = ch.clone();
    both.push(("content-length".into(), b"5".to_vec()));
    let mut req = head("/heppu", &both);
    req.extend_from_slice(&chunked(BODY.as_bytes(), 7));
    let (status, text) = common::raw_exchange(addr, &req).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.ends_with(&format!("ok {}", BODY.len())), "{text}");

    // Two different lengths, or a non-numeric length: hyper refuses the request itself (400,
    // no JSON: the webhook layer never sees it).
    for extra in [
        vec![
            ("content-length", b"5".to_vec()),
            ("content-length", b"6".to_vec()),
        ],
        vec![("content-length", b"-1".to_vec())],
        vec![("content-length", b"1e3".to_vec())],
    ] {
        let mut hh = h.clone();
        hh.extend(extra.iter().map(|(n, v)| (n.to_string(), v.clone())));
        let mut req = head("/heppu", &hh);
        req.extend_from_slice(&chunked(BODY.as_bytes(), 7));
        let (status, _) = exchange(addr, &req).await;
        assert!((400..500).contains(&status), "{extra:?}: {status}");
    }
}

// ---------------------------------------------------------------------------------------------
// Headers: invalid UTF-8, spaces, repetition, length.

/// The crate-level cases: answered by our layer, with our status and code. Shared with the
/// actix adapter test below.
fn header_cases() -> Vec<(&'static str, &'static str, Vec<u8>, u16, &'static str)> {
    let heppu = sign(Scheme::heppu(), BODY);
    let helix = sign(Scheme::helix(), BODY);
    let hh = raw_headers(&heppu);
    let hx = raw_headers(&helix);
    let mut cases = Vec::new();
    let mut with = |label: &'static str,
                    path: &'static str,
                    base: &[(String, Vec<u8>)],
                    name: &str,
                    value: Vec<u8>,
                    status: u16,
                    code: &'static str| {
        let mut h = base.to_vec();
        set(&mut h, name, value);
        cases.push((
            label,
            path,
            request(path, &h, BODY.as_bytes()),
            status,
            code,
        ));
    };
    // obs-text (bytes 0x80-0xff) in header values: legal on the wire, never valid here.
    let sig = hh
        .iter()
        .find(|(n, _)| n == "x-webhook-signature-256")
        .unwrap()
        .1
        .clone();
    let mut obs_sig = sig.clone();
    obs_sig[10] = 0xff;
    with(
        "obs-text in signature",
        "/heppu",
        &hh,
        "x-webhook-signature-256",
        obs_sig,
        400,
        "signature_malformed",
    );
    with(
        "obs-text in timestamp",
        "/heppu",
        &hh,
        "x-webhook-timestamp",
        b"17014\xe932000".to_vec(),
        400,
        "timestamp_malformed",
    );
    with(
        "obs-text in id",
        "/heppu",
        &hh,
        "x-webhook-id",
        b"whd_\xc3\xa9t\xe9".to_vec(),
        400,
        "id_malformed",
    );
    with(
        "obs-text in event",
        "/heppu",
        &hh,
        "x-webhook-event",
        b"call.\xff".to_vec(),
        400,
        "event_malformed",
    );
    // A space inside an id (HTTP keeps inner spaces): ids are visible ASCII, `!` to `~`. An
    // event type may have spaces inside (GitLab's `Push Hook`), not a tab.
    with(
        "space in id",
        "/heppu",
        &hh,
        "x-webhook-id",
        b"dlv 1".to_vec(),
        400,
        "id_malformed",
    );
    with(
        "tab in event",
        "/heppu",
        &hh,
        "x-webhook-event",
        b"call\tcompleted".to_vec(),
        400,
        "event_malformed",
    );
    // Long values, within what the HTTP stack accepts.
    with(
        "64 KiB signature",
        "/heppu",
        &hh,
        "x-webhook-signature-256",
        [b"sha256=".to_vec(), vec![b'a'; 64 * 1024]].concat(),
        400,
        "signature_malformed",
    );
    with(
        "64 KiB id",
        "/heppu",
        &hh,
        "x-webhook-id",
        vec![b'i'; 64 * 1024],
        400,
        "id_malformed",
    );
    with(
        "64 KiB timestamp",
        "/helix",
        &hx,
        "x-webhook-timestamp",
        vec![b'1'; 64 * 1024],
        400,
        "timestamp_malformed",
    );
    // Timestamps no sender would send. (` 123`: HTTP strips the leading space, so what arrives
    // is `123`, a valid but ancient timestamp; the untrimmed value is refused as malformed at
    // the verifier, see `leading_space_timestamp_at_the_verifier`.)
    for (label, ts, status, code) in [
        ("timestamp -1", "-1", 400, "timestamp_malformed"),
        ("timestamp 1e20", "1e20", 400, "timestamp_malformed"),
        (
            "timestamp 99999999999999999999",
            "99999999999999999999",
            400,
            "timestamp_malformed",
        ),
        ("timestamp 0x10", "0x10", 400, "timestamp_malformed"),
        ("timestamp ' 123'", " 123", 401, "timestamp_expired"),
        ("timestamp '+5'", "+5", 400, "timestamp_malformed"),
        ("timestamp 1.5", "1.5", 400, "timestamp_malformed"),
    ] {
        for (path, base) in [("/heppu", &hh), ("/helix", &hx)] {
            with(
                label,
                path,
                base,
                "x-webhook-timestamp",
                ts.as_bytes().to_vec(),
                status,
                code,
            );
        }
    }
    // Repeated signature headers (within hyper's 100-header limit).
    let sig_name = "x-webhook-signature-256";
    let mut same = hh.clone();
    for _ in 0..80 {
        same.push((sig_name.into(), sig.clone()));
    }
    cases.push((
        "80 identical signature headers",
        "/heppu",
        request("/heppu", &same, BODY.as_bytes()),
        200,
        "",
    ));
    // The same rule for an id read from the (signed) JSON body.
    let body = r#"{"id":"evt 1","object":"event","type":"ping"}"#;
    let stripe = raw_headers(&sign(Scheme::stripe(), body));
    cases.push((
        "space in the body's id",
        "/stripe",
        request("/stripe", &stripe, body.as_bytes()),
        400,
        "id_malformed",
    ));
    let body = r#"{"id":"evt_1","object":"event","type":"ping"}"#;
    let stripe = raw_headers(&sign(Scheme::stripe(), body));
    cases.push((
        "a well-formed body id",
        "/stripe",
        request("/stripe", &stripe, body.as_bytes()),
        200,
        "",
    ));
    let mut different = hh.clone();
    for i in 0..80 {
        different.push((sig_name.into(), format!("sha256={:064x}", i).into_bytes()));
    }
    cases.push((
        "80 different signature headers",
        "/heppu",
        request("/heppu", &different, BODY.as_bytes()),
        400,
        "signature_header_repeated",
    ));
    cases
}

#[tokio::test]
async fn hostile_headers_get_a_clear_4xx_with_our_code() {
    let addr = server().await;
    for (label, _path, req, status, code) in header_cases() {
        let (got, got_code) = exchange(addr, &req).await;
        assert_eq!((got, got_code.as_str()), (status, code), "{label}");
    }
}

#[tokio::test]
async fn headers_beyond_the_http_stack_limits_get_its_own_431() {
    let addr = server().await;
    let d = sign(Scheme::heppu(), BODY);
    let h = raw_headers(&d);
    // Hundreds of repeated signature headers: more than hyper's default of 100 headers.
    let sig = h
        .iter()
        .find(|(n, _)| n == "x-webhook-signature-256")
        .unwrap()
        .1
        .clone();
    let mut many = h.clone();
    for _ in 0..300 {
        many.push(("x-webhook-signature-256".into(), sig.clone()));
    }
    let (status, code) = exchange(addr, &request("/heppu", &many, BODY.as_bytes())).await;
    assert_eq!((status, code.as_str()), (431, ""), "300 headers");
    // One absurdly long value: larger than hyper's whole head buffer.
    let mut long = h.clone();
    set(&mut long, "x-webhook-id", vec![b'i'; 1024 * 1024]);
    let (status, code) = exchange(addr, &request("/heppu", &long, BODY.as_bytes())).await;
    assert_eq!((status, code.as_str()), (431, ""), "1 MiB header");
    // The server is still fine afterwards.
    let (status, _) = exchange(addr, &request("/heppu", &h, BODY.as_bytes())).await;
    assert_eq!(status, 200);
}

#[test]
fn leading_space_timestamp_at_the_verifier() {
    // Below HTTP (a header map built by hand, or another transport), the untrimmed text is
    // refused: the timestamp must be plain digits.
    let d = sign(Scheme::heppu(), BODY);
    let mut headers = d.headers.clone();
    headers.insert(
        "x-webhook-timestamp",
        http::HeaderValue::from_static(" 123"),
    );
    let v = Verifier::new(Scheme::heppu(), secret());
    assert_eq!(
        v.verify(&headers, BODY.as_bytes()).unwrap_err().code(),
        "timestamp_malformed"
    );
}

#[tokio::test]
async fn empty_body_with_a_valid_signature_of_the_empty_body() {
    let addr = server().await;
    for (path, scheme) in [
        ("/heppu", Scheme::heppu()),
        ("/helix", Scheme::helix()),
        ("/github", Scheme::github()),
        ("/shopify", Scheme::shopify()),
    ] {
        let d = sign(scheme.clone(), "");
        let h = raw_headers(&d);
        let (status, text) = common::raw_exchange(addr, &request(path, &h, b"")).await;
        assert_eq!(status, 200, "{path}: {text}");
        assert!(text.ends_with("ok 0"), "{path}: {text}");
        // The same headers with one byte of body: refused.
        assert_eq!(
            exchange(addr, &request(path, &h, b" ")).await,
            (401, "signature_mismatch".into()),
            "{path}"
        );
        // A signature of a non-empty body sent with an empty body: refused.
        let other = raw_headers(&sign(scheme, BODY));
        assert_eq!(
            exchange(addr, &request(path, &other, b"")).await,
            (401, "signature_mismatch".into()),
            "{path}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The same crate-level cases on the actix-web adapter.

#[cfg(feature = "actix")]
#[tokio::test]
async fn hostile_headers_on_actix_get_the_same_answers() {
    use actix_web::web;
    use webhook_guard::actix::WebhookGuard;

    let addr = common::spawn_actix(1, |app| {
        let guard =
            |scheme: Scheme| WebhookGuard::new(Verifier::new(scheme, secret())).body_limit(LIMIT);
        let handler = |RawBody(body): RawBody| async move { format!("ok {}", body.len()) };
        app.service(
            web::resource("/heppu")
                .wrap(guard(Scheme::heppu()))
                .route(web::post().to(handler)),
        )
        .service(
            web::resource("/helix")
                .wrap(guard(Scheme::helix()))
                .route(web::post().to(handler)),
        )
        .service(
            web::resource("/stripe")
                .wrap(guard(Scheme::stripe()))
                .route(web::post().to(handler)),
        );
    });
    common::wait_listening(addr).await;
    for (label, _path, req, status, code) in header_cases() {
        let (got, got_code) = exchange(addr, &req).await;
        assert_eq!((got, got_code.as_str()), (status, code), "actix: {label}");
    }
    // Oversized bodies, declared and chunked.
    let big = format!(r#"{{"pad":"{}"}}"#, "x".repeat(LIMIT));
    let h = raw_headers(&sign(Scheme::heppu(), &big));
    assert_eq!(
        exchange(addr, &request("/heppu", &h, big.as_bytes())).await,
        (413, "body_too_large".into()),
        "actix: declared too large"
    );
    let mut ch = h.clone();
    ch.push(("transfer-encoding".into(), b"chunked".to_vec()));
    let mut req = head("/heppu", &ch);
    req.extend_from_slice(&chunked(big.as_bytes(), 4096));
    assert_eq!(
        exchange(addr, &req).await,
        (413, "body_too_large".into()),
        "actix: chunked too large"
    );
}
