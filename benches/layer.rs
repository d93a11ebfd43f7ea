//! The guard's cost per request without the network: an axum router called in-process
//! (`tower::ServiceExt::oneshot`), 1 KiB Heppu deliveries each distinct and freshly signed,
//! a bare route reading the body against the same route behind `WebhookLayer` (verification
//! only, then verification + in-memory dedup), measured in the same run.
//!
//! `cargo bench --bench layer` (add `--features redis` for a fourth route deduplicating on a
//! real redis-server on 127.0.0.1, started by the bench; skipped with a note without one)
//!
//! The load run (`benches/load.rs`) measures the same three routes over loopback TCP, where the
//! kernel and hyper's connection handling dominate; this one isolates what the layer adds, with
//! criterion's statistics instead of one 8-second run. The request is built in the untimed
//! setup (signing included) right before each call (`PerIteration`: with batched setup the
//! requests' header maps went cold in the cache, and the guard, the only one of the three that
//! reads those headers, paid every miss; a server reads headers it has just parsed), so the
//! timed part is: route, buffer and verify the body, claim and
//! complete the dedup keys, run the handler, build the response.
//!
//! `layer/1KiB heppu, 256 built ahead` runs the same routes with the requests built 256 at a
//! time before their calls (criterion's `NumIterations` batches): the allocator then sees the
//! requests' frees in bursts, as a server does after a burst of requests, and its lists are in
//! another state than one request at a time leaves them (which decides, for instance, whether
//! an allocation above glibc's per-thread cache takes malloc's slow path). Its headers are colder (the guard pays misses the per-iteration group avoids), so it is for
//! comparing two versions of the code, not for the absolute cost.
//!
//! With `--features actix`, `layer/1KiB heppu actix-web` and `…, 256 built ahead` do the same
//! for the actix-web middleware, through actix-web's in-process test service.
//!
//! `layer/last byte to handler, …` times point 3 of the performance issue through the whole
//! axum stack. The body arrives in 16 KiB chunks, and the clock runs from the last chunk's
//! hand-over to the handler's first instruction. It compares `WebhookLayer` (hashing while the
//! body arrives) with a middleware that buffers the body, verifies it, then calls the handler.
//! With `--features actix`, `…, heppu actix-web` does the same for the actix-web middleware
//! (the payload a stream the bench feeds, the baseline an actix-web `from_fn` middleware).
//!
//! A further group, `layer/10KiB stripe`, does what the first one does for 10 KiB Stripe
//! deliveries. Stripe signs its timestamp with the body, so the signature cannot stand for the
//! body: the dedup step digests the body itself to tell a retry from another body under the
//! same id.

#[cfg(feature = "postgres")]
#[path = "../tests/common/postgres_server.rs"]
mod postgres_server;
#[cfg(feature = "redis")]
#[path = "../tests/common/redis_server.rs"]
mod redis_server;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::routing::post;
use bytes::Bytes;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use tower::ServiceExt;
use webhook_guard::dedup::MemoryStore;
use webhook_guard::testing::Delivery;
use webhook_guard::{RawBody, Scheme, Secret, Verifier, WebhookLayer};

const KEY: &str = "layer-bench-secret-0123456789";

fn secret() -> Secret {
    Secret::new(KEY).unwrap()
}

fn verifier() -> Verifier {
    Verifier::new(Scheme::heppu(), secret())
}

/// `with_state(())` turns each handler into its route once, as `axum::serve` does (through
/// `into_make_service`). A router called without it does that on every request: it boxes the
/// handler again and, behind `route_layer`, builds the layer's service again, work no server
/// does.
fn guarded(layer: WebhookLayer) -> Router {
    Router::new()
        .route(
            "/hook",
            post(|RawBody(body): RawBody| async move { body.len().to_string() }),
        )
        .route_layer(layer)
        .with_state(())
}

fn routers() -> Vec<(&'static str, Router)> {
    vec![
        (
            "bare (reads the body)",
            Router::new()
                .route(
                    "/hook",
                    post(|body: Bytes| async move { body.len().to_string() }),
                )
                .with_state(()),
        ),
        ("+ verification", guarded(WebhookLayer::new(verifier()))),
        // What the default body timeout (a Tokio timer per request) costs.
        (
            "+ verification, body timeout off",
            guarded(WebhookLayer::new(verifier()).body_timeout(None)),
        ),
        (
            "+ verification + in-memory dedup",
            guarded(WebhookLayer::new(verifier()).dedup(MemoryStore::default())),
        ),
    ]
}

/// The guarded route deduplicating on Redis (two keys per Heppu delivery, over loopback TCP).
#[cfg(feature = "redis")]
fn redis_router(rt: &tokio::runtime::Runtime, server: &redis_server::RedisServer) -> Router {
    let store = rt
        .block_on(webhook_guard::dedup::RedisStore::connect(&server.url()))
        .unwrap();
    guarded(WebhookLayer::new(verifier()).dedup(store))
}

/// The guarded route deduplicating on PostgreSQL (the store's table on a local server the bench
/// starts as the tests do: `fsync=off`, so the figure is the round trips', not the disk's).
#[cfg(feature = "postgres")]
fn postgres_router(
    rt: &tokio::runtime::Runtime,
    server: &postgres_server::PostgresServer,
) -> Router {
    let store = rt.block_on(async {
        let store = webhook_guard::dedup::PostgresStore::connect(&server.url())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        store
    });
    guarded(WebhookLayer::new(verifier()).dedup(store))
}

fn bench(c: &mut Criterion) {
    // `LAYER_PROMETHEUS=1` with the `metrics` feature: the Prometheus recorder installed, so
    // every series the guard emits is recorded (the cost an operator pays for the metrics).
    #[cfg(feature = "metrics")]
    if std::env::var_os("LAYER_PROMETHEUS").is_some() {
        let _ = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder();
    }
    heppu_group(c, "layer/1KiB heppu", BatchSize::PerIteration, true);
    // The same routes with the requests built 256 at a time before the calls, as a client
    // library or a proxy hands a server a burst: the requests' own allocations are then freed
    // in a burst too. On axum that is when an allocation above glibc's per-thread cache
    // (1,032 bytes) took malloc's slow path (the guard's per-request future was one until
    // a07ce9a); on actix-web it was one request at a time.
    heppu_group(
        c,
        "layer/1KiB heppu, 256 built ahead",
        BatchSize::NumIterations(256),
        false,
    );
}

fn heppu_group(c: &mut Criterion, group: &str, batch: BatchSize, with_redis: bool) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secret = secret();
    // Distinct bodies: Heppu signs the body alone, so a repeated body under a new id would be
    // refused as a replay.
    let body = |n: u64| {
        let body = format!(
            r#"{{"event":"call.completed","data":{{"n":{n:012},"pad":"{}"}}}}"#,
            "x".repeat(1024 - 61)
        );
        assert_eq!(body.len(), 1024);
        Bytes::from(body)
    };
    let mut g = c.benchmark_group(group);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(3));
    #[allow(unused_mut)]
    let mut routes = routers();
    #[cfg(feature = "redis")]
    let server = with_redis
        .then(|| redis_server::RedisServer::start("layer bench, Redis route"))
        .flatten();
    #[cfg(feature = "redis")]
    if let Some(server) = &server {
        routes.push(("+ verification + Redis dedup", redis_router(&rt, server)));
    }
    #[cfg(feature = "postgres")]
    let pg = with_redis
        .then(|| postgres_server::PostgresServer::start("layer bench, Postgres route"))
        .flatten();
    #[cfg(feature = "postgres")]
    if let Some(server) = &pg {
        routes.push((
            "+ verification + Postgres dedup",
            postgres_router(&rt, server),
        ));
    }
    #[cfg(not(any(feature = "redis", feature = "postgres")))]
    let _ = with_redis;
    for (name, app) in routes {
        let mut n = 0u64;
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    n += 1;
                    Delivery::new(Scheme::heppu(), body(n))
                        .id(format!("dlv_{n:012}"))
                        .event("call.completed")
                        .sign(&secret)
                        .into_request::<Body>("/hook")
                },
                |req| {
                    let res = rt.block_on(app.clone().oneshot(req)).unwrap();
                    assert!(res.status().is_success(), "{:?}", res);
                    res
                },
                batch,
            )
        });
    }
    g.finish();
}

/// Verification alone, then with in-memory dedup, for a scheme whose signature covers more than
/// the body (Stripe: `<t>.<body>`), so dedup digests the body.
fn bench_stripe(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secret = secret();
    let verifier = Verifier::new(Scheme::stripe(), secret.clone());
    let size = 10 * 1024;
    let body = |n: u64| {
        let head = format!(
            r#"{{"id":"evt_{n:012}","object":"event","type":"invoice.paid","data":{{"pad":""#
        );
        let tail = r#""}}"#;
        let body = format!("{head}{}{tail}", "x".repeat(size - head.len() - tail.len()));
        assert_eq!(body.len(), size);
        Bytes::from(body)
    };
    let mut g = c.benchmark_group("layer/10KiB stripe");
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(3));
    let routes = [
        (
            "+ verification",
            guarded(WebhookLayer::new(verifier.clone())),
        ),
        (
            "+ verification + in-memory dedup",
            guarded(WebhookLayer::new(verifier).dedup(MemoryStore::default())),
        ),
    ];
    for (name, app) in routes {
        let mut n = 0u64;
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    n += 1;
                    Delivery::new(Scheme::stripe(), body(n))
                        .sign(&secret)
                        .into_request::<Body>("/hook")
                },
                |req| {
                    let res = rt.block_on(app.clone().oneshot(req)).unwrap();
                    assert!(res.status().is_success(), "{:?}", res);
                    res
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

/// A request body whose chunks the bench hands over one at a time, with its length known ahead
/// (as hyper's body is for a request with `Content-Length`), so the body ends with its last
/// byte instead of one more poll.
struct ChunkedBody {
    chunks: tokio::sync::mpsc::Receiver<Bytes>,
    remaining: u64,
}

impl http_body::Body for ChunkedBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        if self.remaining == 0 {
            return std::task::Poll::Ready(None);
        }
        self.chunks.poll_recv(cx).map(|chunk| {
            chunk.map(|chunk| {
                self.remaining = self.remaining.saturating_sub(chunk.len() as u64);
                Ok(http_body::Frame::data(chunk))
            })
        })
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.remaining)
    }
}

/// The usual way to verify without this crate's layer: an axum middleware that buffers the
/// whole body, then verifies it, then calls the handler.
async fn buffer_then_verify(
    axum::extract::State(verifier): axum::extract::State<Verifier>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 2 << 20).await else {
        return http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    match verifier.verify(&parts.headers, &bytes) {
        Ok(_) => {
            next.run(axum::extract::Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(rejection) => rejection.into_response(),
    }
}

/// The signed Heppu delivery of `size` bytes the `last byte to handler` groups send.
fn last_byte_delivery(size: usize, secret: &Secret) -> webhook_guard::testing::SignedDelivery {
    let body = Bytes::from(format!(
        r#"{{"event":"call.completed","data":{{"pad":"{}"}}}}"#,
        "x".repeat(size - 44)
    ));
    assert_eq!(body.len(), size);
    Delivery::new(Scheme::heppu(), body)
        .id("dlv_last_byte")
        .event("call.completed")
        .sign(secret)
}

/// Issue #9's point 3 through a whole server stack: the time from the last body byte to the
/// handler's call. The body arrives in 16 KiB chunks. Every chunk but the last one is handed
/// over untimed. The bench waits until the route has taken each of them; the layer hashes a
/// chunk as it takes it. The clock starts when the last chunk is handed over and stops when
/// the handler begins. Behind `WebhookLayer` the body was hashed while it arrived, so what is
/// left is the last chunk's hashing, the verdict and the way to the handler. The other route
/// (`buffer then verify`) buffers the body, hashes all of it, then calls the handler.
fn bench_last_byte(c: &mut Criterion) {
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    const CHUNK: usize = 16 * 1024;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secret = secret();
    // When the handler began, for the bench to read after the response.
    let called: Arc<Mutex<Option<Instant>>> = Arc::default();
    let handler = {
        let called = called.clone();
        move |body: Bytes| {
            *called.lock().unwrap() = Some(Instant::now());
            async move { body.len().to_string() }
        }
    };
    let routes = [
        (
            "buffer then verify",
            Router::new()
                .route("/hook", post(handler.clone()))
                .route_layer(axum::middleware::from_fn_with_state(
                    verifier(),
                    buffer_then_verify,
                ))
                .with_state(()),
        ),
        (
            "WebhookLayer (hash while reading)",
            Router::new()
                .route("/hook", post(handler))
                .route_layer(WebhookLayer::new(verifier()).body_limit(2 << 20))
                .with_state(()),
        ),
    ];
    for (label, size) in [("100KiB", 100 * 1024), ("1MiB", 1024 * 1024)] {
        let mut g = c.benchmark_group(format!("layer/last byte to handler, {label} heppu"));
        // Each iteration hands over the whole body untimed, for a few µs timed: a small
        // sample keeps each group to a few seconds.
        g.sample_size(10);
        g.warm_up_time(Duration::from_millis(200));
        g.measurement_time(Duration::from_millis(200));
        let d = last_byte_delivery(size, &secret);
        for (name, app) in &routes {
            g.bench_function(*name, |b| {
                b.iter_custom(|iters| {
                    rt.block_on(async {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(1);
                            let mut req = http::Request::post("/hook")
                                .body(Body::new(ChunkedBody {
                                    chunks: rx,
                                    remaining: d.body.len() as u64,
                                }))
                                .unwrap();
                            *req.headers_mut() = d.headers.clone();
                            let call = tokio::spawn(app.clone().oneshot(req));
                            let last = d.body.len() - CHUNK;
                            for at in (0..last).step_by(CHUNK) {
                                tx.send(d.body.slice(at..(at + CHUNK).min(last)))
                                    .await
                                    .unwrap();
                            }
                            // Room in the channel: the route took the chunk before the last
                            // one, and ran until it waited for more.
                            let permit = tx.reserve().await.unwrap();
                            let start = Instant::now();
                            permit.send(d.body.slice(last..));
                            let res = call.await.unwrap().unwrap();
                            assert!(res.status().is_success(), "{res:?}");
                            let called = called.lock().unwrap().take().expect("handler ran");
                            total += called.duration_since(start);
                        }
                        total
                    })
                })
            });
        }
        g.finish();
    }
}

/// `layer/last byte to handler` for the actix-web middleware, in actix-web's in-process test
/// service: the request's payload is a stream the bench feeds chunk by chunk. The baseline is
/// an actix-web `from_fn` middleware that buffers the payload, verifies it, then calls the
/// handler, the usual way without this crate.
#[cfg(feature = "actix")]
fn bench_last_byte_actix(c: &mut Criterion) {
    use std::pin::Pin;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use actix_web::body::MessageBody;
    use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
    use actix_web::error::PayloadError;
    use actix_web::middleware::{Next, from_fn};
    use actix_web::{App, HttpMessage, HttpResponse, web};
    use futures_util::StreamExt;
    use webhook_guard::actix::WebhookGuard;

    const CHUNK: usize = 16 * 1024;

    /// Call `app` with `req` while `feed` hands over its payload, in one task; the instant
    /// `feed` handed over the last chunk.
    async fn call_fed<S, R, B, F>(app: &S, req: R, feed: F) -> Instant
    where
        S: actix_web::dev::Service<R, Response = ServiceResponse<B>, Error = actix_web::Error>,
        F: std::future::Future<Output = Instant>,
    {
        let (res, start) = futures_util::future::join(app.call(req), feed).await;
        let res = res.expect("the route answers");
        assert!(res.status().is_success(), "{:?}", res.status());
        start
    }

    async fn buffer_then_verify(
        mut req: ServiceRequest,
        next: Next<impl MessageBody>,
    ) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
        let mut payload = req.take_payload();
        let mut buf = bytes::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            buf.extend_from_slice(&chunk?);
        }
        let body = buf.freeze();
        // `Verifier::verify` reads `http` 1 headers; actix-web has its own type.
        let mut headers = http::HeaderMap::new();
        for (name, value) in req.headers() {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_str().as_bytes()),
                http::HeaderValue::from_bytes(value.as_bytes()),
            ) {
                headers.append(name, value);
            }
        }
        if verifier().verify(&headers, &body).is_err() {
            return Err(actix_web::error::ErrorUnauthorized("signature"));
        }
        req.extensions_mut().insert(body);
        next.call(req).await
    }

    let sys = actix_web::rt::System::new();
    let secret = secret();
    let called: Arc<Mutex<Option<Instant>>> = Arc::default();
    let on_call = {
        let called = called.clone();
        move || *called.lock().unwrap() = Some(Instant::now())
    };
    let baseline = {
        let on_call = on_call.clone();
        sys.block_on(actix_web::test::init_service(
            App::new().service(
                web::resource("/hook")
                    .wrap(from_fn(buffer_then_verify))
                    .route(web::post().to(move |body: web::ReqData<Bytes>| {
                        on_call();
                        async move { HttpResponse::Ok().body(body.len().to_string()) }
                    })),
            ),
        ))
    };
    let guarded = sys.block_on(actix_web::test::init_service(
        App::new().service(
            web::resource("/hook")
                .wrap(WebhookGuard::new(verifier()).body_limit(2 << 20))
                .route(web::post().to(move |RawBody(body): RawBody| {
                    on_call();
                    async move { HttpResponse::Ok().body(body.len().to_string()) }
                })),
        ),
    ));
    for (label, size) in [("100KiB", 100 * 1024), ("1MiB", 1024 * 1024)] {
        let mut g = c.benchmark_group(format!(
            "layer/last byte to handler, {label} heppu actix-web"
        ));
        g.sample_size(10);
        g.warm_up_time(Duration::from_millis(200));
        g.measurement_time(Duration::from_millis(200));
        let d = last_byte_delivery(size, &secret);
        // A request whose payload the bench feeds, and the feeding: every chunk but the last
        // untimed, then the last one, returning when it was handed over.
        let request = || {
            let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(1);
            let mut req = actix_web::test::TestRequest::post().uri("/hook");
            for (name, value) in &d.headers {
                req = req.insert_header((name.as_str(), value.as_bytes()));
            }
            let req = req
                .insert_header(("content-length", d.body.len().to_string()))
                .to_request();
            let stream = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv()
                    .await
                    .map(|chunk| (Ok::<_, PayloadError>(chunk), rx))
            });
            let stream: Pin<Box<dyn futures_util::Stream<Item = Result<Bytes, PayloadError>>>> =
                Box::pin(stream);
            let (req, _) = req.replace_payload(Payload::from(stream));
            let body = d.body.clone();
            let feed = async move {
                let last = body.len() - CHUNK;
                for at in (0..last).step_by(CHUNK) {
                    tx.send(body.slice(at..(at + CHUNK).min(last)))
                        .await
                        .unwrap();
                }
                // Room in the channel: the route took the chunk before the last one.
                let permit = tx.reserve().await.unwrap();
                let start = Instant::now();
                permit.send(body.slice(last..));
                start
            };
            (req, feed)
        };
        g.bench_function("buffer then verify", |b| {
            b.iter_custom(|iters| {
                sys.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let (req, feed) = request();
                        let start = call_fed(&baseline, req, feed).await;
                        let called = called.lock().unwrap().take().expect("handler ran");
                        total += called.duration_since(start);
                    }
                    total
                })
            })
        });
        g.bench_function("WebhookGuard (hash while reading)", |b| {
            b.iter_custom(|iters| {
                sys.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let (req, feed) = request();
                        let start = call_fed(&guarded, req, feed).await;
                        let called = called.lock().unwrap().take().expect("handler ran");
                        total += called.duration_since(start);
                    }
                    total
                })
            })
        });
        g.finish();
    }
}

/// The actix-web middleware in-process (`actix_web::test::call_service`), the same three routes.
#[cfg(feature = "actix")]
fn bench_actix(c: &mut Criterion) {
    use actix_web::{App, HttpResponse, web};
    use webhook_guard::actix::WebhookGuard;

    let sys = actix_web::rt::System::new();
    let secret = secret();
    let body = |n: u64| {
        let body = format!(
            r#"{{"event":"call.completed","data":{{"n":{n:012},"pad":"{}"}}}}"#,
            "x".repeat(1024 - 61)
        );
        Bytes::from(body)
    };
    let request = |n: u64| {
        let d = Delivery::new(Scheme::heppu(), body(n))
            .id(format!("dlv_{n:012}"))
            .event("call.completed")
            .sign(&secret);
        let mut req = actix_web::test::TestRequest::post().uri("/hook");
        for (name, value) in &d.headers {
            req = req.insert_header((name.as_str(), value.as_bytes()));
        }
        req.set_payload(d.body.clone()).to_request()
    };
    for (group, batch) in [
        ("layer/1KiB heppu actix-web", BatchSize::PerIteration),
        (
            "layer/1KiB heppu actix-web, 256 built ahead",
            BatchSize::NumIterations(256),
        ),
    ] {
        let mut g = c.benchmark_group(group);
        g.warm_up_time(Duration::from_millis(500));
        g.measurement_time(Duration::from_secs(3));
        let mut n = 0u64;
        let bare =
            sys.block_on(actix_web::test::init_service(App::new().route(
                "/hook",
                web::post().to(|body: Bytes| async move {
                    HttpResponse::Ok().body(body.len().to_string())
                }),
            )));
        g.bench_function("bare (reads the body)", |b| {
            b.iter_batched(
                || {
                    n += 1;
                    request(n)
                },
                |req| {
                    let res = sys.block_on(actix_web::test::call_service(&bare, req));
                    assert!(res.status().is_success());
                    res
                },
                batch,
            )
        });
        for (name, dedup) in [
            ("+ verification", false),
            ("+ verification + in-memory dedup", true),
        ] {
            let guard = WebhookGuard::new(verifier());
            let guard = if dedup {
                guard.dedup(MemoryStore::default())
            } else {
                guard
            };
            let app = sys.block_on(actix_web::test::init_service(App::new().service(
                web::resource("/hook").wrap(guard).route(web::post().to(
                    |RawBody(body): RawBody| async move {
                        HttpResponse::Ok().body(body.len().to_string())
                    },
                )),
            )));
            g.bench_function(name, |b| {
                b.iter_batched(
                    || {
                        n += 1;
                        request(n)
                    },
                    |req| {
                        let res = sys.block_on(actix_web::test::call_service(&app, req));
                        assert!(res.status().is_success());
                        res
                    },
                    batch,
                )
            });
        }
        g.finish();
    }
}

#[cfg(not(feature = "actix"))]
fn bench_actix(_: &mut Criterion) {}

#[cfg(not(feature = "actix"))]
fn bench_last_byte_actix(_: &mut Criterion) {}

criterion_group!(
    benches,
    bench,
    bench_stripe,
    bench_last_byte,
    bench_last_byte_actix,
    bench_actix
);
criterion_main!(benches);
