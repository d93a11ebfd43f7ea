//! Shared helpers for the integration tests, declared by each test binary's `main.rs`
//! (`#[path = "../common/mod.rs"] mod common;`): real servers on 127.0.0.1 (axum with [`spawn`],
//! actix-web with [`spawn_actix`]), a real HTTP client, raw-TCP exchanges, and in submodules the
//! redis-server and PostgreSQL the store tests start and the list of secret-keyed schemes.
#![allow(dead_code)]

pub mod postgres_server;
pub mod redis_server;
pub mod schemes;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use webhook_guard::testing::SignedDelivery;

/// Start `app` on an ephemeral port of 127.0.0.1; the server runs until the test's runtime ends.
pub async fn spawn(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    addr
}

/// Starts an actix-web `HttpServer` with `workers` workers on an ephemeral port of 127.0.0.1,
/// in a thread of its own running its own actix system; the app is what `configure` sets up.
/// The port is bound on return (connections wait in its backlog until the server accepts them).
pub fn spawn_actix<F>(workers: usize, configure: F) -> SocketAddr
where
    F: Fn(&mut actix_web::web::ServiceConfig) + Clone + Send + 'static,
{
    spawn_actix_with(workers, move || (configure, ()))
}

/// [`spawn_actix`] with the app's set-up made by `make` inside the server's own actix system,
/// as an example's `main` makes it (an async-ack queue starts its workers there), and whatever
/// else `make` gives kept as long as the server runs.
pub fn spawn_actix_with<M, F, T>(workers: usize, make: M) -> SocketAddr
where
    M: FnOnce() -> (F, T) + Send + 'static,
    F: Fn(&mut actix_web::web::ServiceConfig) + Clone + Send + 'static,
    T: 'static,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let (configure, _kept) = make();
            actix_web::HttpServer::new(move || actix_web::App::new().configure(configure.clone()))
                .workers(workers)
                .listen(listener)
                .unwrap()
                .run()
                .await
                .unwrap();
        });
    });
    addr
}

/// A header map of `(name, value)` pairs, in order (a repeated name is appended).
pub fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            http::HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

/// A verifier of `scheme` with `secret` whose clock stands at `now_secs` (Unix seconds), for
/// known answers signed at a fixed time.
pub fn verifier_at(
    scheme: webhook_guard::Scheme,
    secret: webhook_guard::Secret,
    now_secs: u64,
) -> webhook_guard::Verifier {
    webhook_guard::Verifier::builder(scheme)
        .secret(secret)
        .clock(webhook_guard::clock::ManualClock::at_secs(now_secs))
        .build()
        .unwrap()
}

/// What a handler saw, recorded in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub scheme: String,
    pub id: Option<String>,
    pub event: Option<String>,
}

#[derive(Clone, Default)]
pub struct Calls(pub Arc<Mutex<Vec<Call>>>);

impl Calls {
    pub fn push(&self, call: Call) {
        self.0.lock().unwrap().push(call);
    }
    pub fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    pub fn take(&self) -> Vec<Call> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

/// An answer: status, headers and the body parsed as JSON (Null when not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: serde_json::Value,
}

impl Answer {
    /// The machine code of a rejection body.
    pub fn code(&self) -> &str {
        self.json["error"].as_str().unwrap_or("")
    }
}

pub fn client() -> Client<HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build_http()
}

/// POST a signed delivery to `path`.
pub async fn send(addr: SocketAddr, path: &str, delivery: SignedDelivery) -> Answer {
    let req: Request<Full<Bytes>> = delivery.into_request(&format!("http://{addr}{path}"));
    send_request(req).await
}

pub async fn send_request(req: Request<Full<Bytes>>) -> Answer {
    let res = tokio::time::timeout(Duration::from_secs(10), client().request(req))
        .await
        .expect("answer within 10 s")
        .expect("request succeeds");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    Answer {
        status,
        headers,
        json,
    }
}

/// Write raw bytes on a fresh connection and read whatever the server answers until it closes
/// the connection or 5 s pass; returns the status code of the first response line.
pub async fn raw_exchange(addr: SocketAddr, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    read_response(&mut stream).await
}

pub async fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Err(_) => break,
            Ok(Ok(n)) => {
                buf.extend_from_slice(&chunk[..n]);
                // Stop once a complete small response is in.
                let text = String::from_utf8_lossy(&buf);
                if let Some(head_end) = text.find("\r\n\r\n") {
                    let head = &text[..head_end].to_ascii_lowercase();
                    if let Some(cl) = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length: "))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        && buf.len() >= head_end + 4 + cl
                    {
                        break;
                    }
                }
            }
            Ok(Err(_)) => break,
        }
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// The raw HTTP/1.1 head of a signed delivery, with custom extra header lines.
pub fn raw_head(path: &str, headers: &HeaderMap, extra: &str) -> Vec<u8> {
    let mut head = format!("POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n");
    for (name, value) in headers {
        head.push_str(name.as_str());
        head.push_str(": ");
        head.push_str(value.to_str().unwrap());
        head.push_str("\r\n");
    }
    head.push_str(extra);
    head.push_str("\r\n");
    head.into_bytes()
}

/// Waits (bounded: 2 s) until something accepts connections at `addr`.
#[allow(dead_code)]
pub async fn wait_listening(addr: SocketAddr) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("server at {addr} did not start");
}

/// `GET path` and parse the JSON answer (asserting 200).
pub async fn get_json(addr: SocketAddr, path: &str) -> serde_json::Value {
    let req = Request::get(format!("http://{addr}{path}"))
        .body(Full::new(Bytes::new()))
        .unwrap();
    let res = client().request(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    let body = res.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&body).unwrap()
}

/// What a [`recording_route`] saw of each delivery it processed: id, event type, key label.
pub type Seen = Arc<Mutex<Vec<[Option<String>; 3]>>>;

/// A real server on 127.0.0.1 whose one route, `POST /hook`, is guarded by `verifier` with
/// in-memory deduplication and records what it processed.
pub async fn recording_route(verifier: webhook_guard::Verifier) -> (SocketAddr, Seen) {
    use webhook_guard::{WebhookLayer, WebhookMeta};

    let seen = Seen::default();
    let s = seen.clone();
    let app = Router::new()
        .route(
            "/hook",
            axum::routing::post(move |meta: WebhookMeta| async move {
                s.lock().unwrap().push([
                    meta.id().map(str::to_owned),
                    meta.event_type().map(str::to_owned),
                    meta.secret_label().map(str::to_owned),
                ]);
                "ok"
            }),
        )
        .route_layer(
            WebhookLayer::new(verifier).dedup(webhook_guard::dedup::MemoryStore::default()),
        );
    (spawn(app).await, seen)
}
