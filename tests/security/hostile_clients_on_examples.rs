//! The example receivers, as users run them, against hostile clients, with no timeout or limit
//! configured beyond the defaults: the axum `receiver` (served by `examples/support/serve.rs`)
//! and the `actix_receiver`, both on 127.0.0.1.
//!
//! - 1,000 connections per server send a head and half a body, then stall; clients trickle a
//!   byte every two seconds; others never finish their head. A normal delivery is answered at
//!   once meanwhile; every stalled or trickling body gets `408 body_timeout` after the default
//!   10 s; every unfinished head is cut (hyper's header-read timeout on axum, actix-web's own
//!   on actix).
//! - A client that writes its whole 2 MiB body before reading (Python's `http.client`, hyper's
//!   client) reads `413 body_too_large`, 50 times in a row, with `Content-Length` and chunked:
//!   the guard reads and discards the rest within a bound, so the connection is not reset with
//!   the answer unread.

use crate::actix_receiver_app;
use crate::common;
use crate::receiver_app;
use crate::receiver_config;
use crate::serve;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{DEFAULT_BODY_TIMEOUT, Scheme, Secret};

const KEY: &str = "hostile-defaults-secret-0123";

fn secret() -> Secret {
    Secret::new(KEY).unwrap()
}

fn config() -> receiver_config::ReceiverConfig {
    receiver_config::ReceiverConfig::with_secret(KEY).unwrap()
}

/// Both example receivers, each on its own port: (axum, actix-web).
async fn receivers() -> (SocketAddr, SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let axum_addr = listener.local_addr().unwrap();
    let receiver = receiver_app::app(&config());
    tokio::spawn(serve::serve(
        listener,
        receiver.router,
        std::future::pending(),
    ));

    let actix_addr = common::spawn_actix_with(2, || {
        let (routes, log, queue) = actix_receiver_app::routes(&config());
        (routes, (log, queue))
    });
    common::wait_listening(axum_addr).await;
    common::wait_listening(actix_addr).await;
    (axum_addr, actix_addr)
}

fn heppu(id: &str, body: String) -> SignedDelivery {
    Delivery::new(Scheme::heppu(), body).id(id).sign(&secret())
}

/// Read until the peer closes the connection or `within` passes: the bytes, and whether the
/// connection was closed.
async fn read_all(stream: &mut TcpStream, within: Duration) -> (String, bool) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&buf).into_owned(), true),
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => return (String::from_utf8_lossy(&buf).into_owned(), false),
        }
    }
}

/// A connection that sent its head and half its body, then nothing.
async fn stalled(addr: SocketAddr, n: usize) -> TcpStream {
    let d = heppu(
        &format!("dlv_stalled_{n}"),
        format!(
            r#"{{"event":"call.completed","n":{n},"pad":"{}"}}"#,
            "x".repeat(200)
        ),
    );
    let head = common::raw_head(
        "/webhooks/heppu",
        &d.headers,
        &format!("content-length: {}\r\n", d.body.len()),
    );
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(&head).await.unwrap();
    stream.write_all(&d.body[..d.body.len() / 2]).await.unwrap();
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_timeouts_cut_stalled_clients_while_others_are_served() {
    let (axum_addr, actix_addr) = receivers().await;
    let started = Instant::now();
    let mut stalls = Vec::new();
    for n in 0..1000 {
        stalls.push(stalled(axum_addr, n).await);
        stalls.push(stalled(actix_addr, n).await);
    }
    // A request head that never ends.
    let mut heads = Vec::new();
    for addr in [axum_addr, actix_addr] {
        for _ in 0..20 {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream
                .write_all(b"POST /webhooks/heppu HTTP/1.1\r\nhost: 127.0.0.1\r\n")
                .await
                .unwrap();
            heads.push((addr, stream));
        }
    }
    // Clients that trickle their body, a byte every 2 s (bounded: six bytes at most).
    let trickles: Vec<_> = [axum_addr, actix_addr]
        .into_iter()
        .flat_map(|addr| (0..5).map(move |n| (addr, n)))
        .map(|(addr, n)| {
            tokio::spawn(async move {
                let d = heppu(
                    &format!("dlv_trickle_{n}"),
                    r#"{"event":"chat.completed"}"#.into(),
                );
                let head = common::raw_head(
                    "/webhooks/heppu",
                    &d.headers,
                    &format!("content-length: {}\r\n", d.body.len()),
                );
                let mut stream = TcpStream::connect(addr).await.unwrap();
                stream.write_all(&head).await.unwrap();
                for byte in d.body.iter().take(6) {
                    if stream.write_all(&[*byte]).await.is_err() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                read_all(&mut stream, Duration::from_secs(20)).await
            })
        })
        .collect();

    // Meanwhile a normal delivery is answered at once, on both servers.
    for addr in [axum_addr, actix_addr] {
        let mut took = Vec::new();
        for n in 0..5 {
            let body = webhook_guard::testing::samples::HEPPU_CALL_COMPLETED
                .replace("conv_", &format!("conv_normal_{}_{n}_", addr.port()));
            let d = heppu(&format!("dlv_normal_{}_{n}", addr.port()), body);
            let sent = Instant::now();
            let answer = common::send(addr, "/webhooks/heppu", d).await;
            took.push(sent.elapsed());
            assert_eq!(answer.status, 200, "{addr}: {:?}", answer.json);
        }
        took.sort();
        assert!(
            took[2] < Duration::from_millis(100),
            "{addr}: a normal delivery took {took:?} with 1,000 stalled connections open"
        );
    }
    assert!(
        started.elapsed() < DEFAULT_BODY_TIMEOUT,
        "the stalled connections took too long to open: {:?}",
        started.elapsed()
    );

    // After the default body timeout, each stalled body has its 408.
    let answers: Vec<_> = stalls
        .into_iter()
        .map(|mut stream| {
            tokio::spawn(async move { read_all(&mut stream, Duration::from_secs(20)).await })
        })
        .collect();
    for (i, answer) in answers.into_iter().enumerate() {
        let (text, closed) = answer.await.unwrap();
        assert!(text.starts_with("HTTP/1.1 408"), "stall {i}: {text:?}");
        assert!(text.contains("body_timeout"), "stall {i}: {text:?}");
        assert!(closed, "stall {i}: the connection is closed after the 408");
    }
    let waited = started.elapsed();
    assert!(
        waited >= DEFAULT_BODY_TIMEOUT && waited < DEFAULT_BODY_TIMEOUT * 2,
        "408s after {waited:?}"
    );
    for answer in trickles {
        let (text, _) = answer.await.unwrap();
        assert!(text.starts_with("HTTP/1.1 408"), "trickle: {text:?}");
        assert!(text.contains("body_timeout"), "trickle: {text:?}");
    }
    // The unfinished heads were cut (axum: hyper closes the connection at 10 s; actix-web
    // answers 408 itself at 5 s and closes).
    for (addr, mut stream) in heads {
        let (text, closed) = read_all(&mut stream, Duration::from_secs(15)).await;
        assert!(closed, "{addr}: a head that never ends is cut ({text:?})");
    }
}

/// Write the whole request first, then read the answer, as `http.client` does.
async fn write_then_read(addr: SocketAddr, request: &[u8]) -> Result<String, std::io::Error> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await?;
    Ok(common::read_response(&mut stream).await.1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_writing_its_whole_oversized_body_reads_the_413() {
    let (axum_addr, actix_addr) = receivers().await;
    let body = format!(
        r#"{{"event":"call.completed","pad":"{}"}}"#,
        "x".repeat(2 * 1024 * 1024 - 40)
    );
    let d = heppu("dlv_big", body);
    let with_length = {
        let mut request = common::raw_head(
            "/webhooks/heppu",
            &d.headers,
            &format!("content-length: {}\r\n", d.body.len()),
        );
        request.extend_from_slice(&d.body);
        request
    };
    let chunked = {
        let mut request = common::raw_head(
            "/webhooks/heppu",
            &d.headers,
            "transfer-encoding: chunked\r\n",
        );
        for piece in d.body.chunks(64 * 1024) {
            request.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
            request.extend_from_slice(piece);
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"0\r\n\r\n");
        request
    };
    for addr in [axum_addr, actix_addr] {
        for (how, request) in [("content-length", &with_length), ("chunked", &chunked)] {
            for attempt in 0..50 {
                let text = match write_then_read(addr, request).await {
                    Ok(text) => text,
                    Err(e) => panic!("{addr} {how}, attempt {attempt}: writing failed: {e}"),
                };
                assert!(
                    text.starts_with("HTTP/1.1 413") && text.contains("body_too_large"),
                    "{addr} {how}, attempt {attempt}: {:?}",
                    &text[..text.len().min(200)]
                );
            }
        }
    }
}
