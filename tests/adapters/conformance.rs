//! One conformance suite, written once, run against a real axum server, a real actix-web server
//! and a plain hyper server driving the framework-free `Guard` on 127.0.0.1: every behaviour case
//! must give the same status, machine code and handler calls on all of them.

use crate::common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::send;
use serde_json::Value;
use webhook_guard::dedup::MemoryStore;
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{Scheme, Secret, Verified, Verifier};

const KEY: &str = "conformance-secret-0123456789";
const LIMIT: usize = 8 * 1024;

/// What the handler does, decided by the payload: `{"act": "ok" | "fail_once" | "slow"}`.
#[derive(Default)]
struct Handler {
    runs: AtomicUsize,
    failed_once: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Handler {
    /// Returns the status the handler answers.
    async fn run(&self, id: Option<&str>, body: &Value) -> u16 {
        self.runs.fetch_add(1, Ordering::SeqCst);
        match body["act"].as_str() {
            Some("fail_once") => {
                let first = self
                    .failed_once
                    .lock()
                    .unwrap()
                    .insert(id.unwrap_or_default().to_owned());
                if first { 500 } else { 200 }
            }
            Some("slow") => {
                tokio::time::sleep(Duration::from_millis(400)).await;
                200
            }
            _ => 200,
        }
    }
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Strict {
    required_field: u64,
}

fn verifier() -> Verifier {
    Verifier::new(Scheme::heppu(), Secret::new(KEY).unwrap())
}

async fn axum_server(h: Arc<Handler>) -> SocketAddr {
    use axum::Router;
    use axum::http::StatusCode;
    use axum::routing::post;
    use webhook_guard::{WebhookLayer, WebhookMeta};

    let layer = WebhookLayer::new(verifier())
        .body_limit(LIMIT)
        .dedup(MemoryStore::default());
    let app = Router::new()
        .route(
            "/hook",
            post(
                move |meta: WebhookMeta, Verified(v): Verified<Value>| async move {
                    let status = h.run(meta.id(), &v).await;
                    (StatusCode::from_u16(status).unwrap(), "handled")
                },
            ),
        )
        .route(
            "/typed",
            post(|Verified(_s): Verified<Strict>| async { "typed" }),
        )
        .route_layer(layer)
        .route(
            "/unguarded",
            post(|_m: WebhookMeta| async { "unreachable" }),
        );
    common::spawn(app).await
}

fn actix_server(h: Arc<Handler>) -> SocketAddr {
    use actix_web::{HttpResponse, web};
    use webhook_guard::WebhookMeta;
    use webhook_guard::actix::WebhookGuard;

    // One store for the app, shared by the workers (as the axum layer shares one).
    let guard = WebhookGuard::new(verifier())
        .body_limit(LIMIT)
        .dedup(MemoryStore::default());
    common::spawn_actix(2, move |app| {
        let h = h.clone();
        app.service(
            web::resource("/hook")
                .wrap(guard.clone())
                .route(
                    web::post().to(move |meta: WebhookMeta, Verified(v): Verified<Value>| {
                        let h = h.clone();
                        async move {
                            let status = h.run(meta.id(), &v).await;
                            HttpResponse::build(
                                actix_web::http::StatusCode::from_u16(status).unwrap(),
                            )
                            .body("handled")
                        }
                    }),
                ),
        )
        .service(
            web::resource("/typed")
                .wrap(guard.clone())
                .route(web::post().to(|Verified(_s): Verified<Strict>| async { "typed" })),
        )
        .route(
            "/unguarded",
            web::post().to(|_m: WebhookMeta| async { "unreachable" }),
        );
    })
}

/// The framework-free guard on plain hyper: what any server without an adapter does.
async fn hyper_server(h: Arc<Handler>) -> SocketAddr {
    use bytes::Bytes;
    use http_body_util::Full;
    use hyper::server::conn::http1;
    use hyper_util::rt::TokioIo;
    use webhook_guard::guard::Guard;
    use webhook_guard::{Rejection, RejectionKind};

    type Res = http::Response<Full<Bytes>>;
    async fn serve(
        guard: Guard,
        h: Arc<Handler>,
        req: http::Request<hyper::body::Incoming>,
    ) -> Res {
        let path = req.uri().path().to_owned();
        if path == "/unguarded" {
            // What the extractors answer on a route the guard is not in front of.
            return Rejection::new(RejectionKind::VerificationMissing).to_response();
        }
        let (parts, body) = req.into_parts();
        let delivery = match guard.check(&parts, body).await.into_result() {
            Ok(delivery) => delivery,
            Err(answer) => return answer,
        };
        let answer = |status: u16, text: &'static str| {
            http::Response::builder()
                .status(status)
                .body(Full::new(Bytes::from_static(text.as_bytes())))
                .unwrap()
        };
        let res = if path == "/typed" {
            match Verified::<Strict>::from_bytes(delivery.body()) {
                Ok(_) => answer(200, "typed"),
                Err(r) => r.to_response(),
            }
        } else {
            match Verified::<Value>::from_bytes(delivery.body()) {
                Ok(Verified(v)) => answer(h.run(delivery.meta().id(), &v).await, "handled"),
                Err(r) => r.to_response(),
            }
        };
        delivery.settle(res.status().is_success()).await;
        res
    }

    let guard = Guard::new(verifier())
        .body_limit(LIMIT)
        .dedup(MemoryStore::default());
    guard.register();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        // Ends with the test's runtime.
        while let Ok((stream, _)) = listener.accept().await {
            let (guard, h) = (guard.clone(), h.clone());
            let service = hyper::service::service_fn(move |req| {
                let (guard, h) = (guard.clone(), h.clone());
                async move { Ok::<_, std::convert::Infallible>(serve(guard, h, req).await) }
            });
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    });
    addr
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn key() -> Secret {
    Secret::new(KEY).unwrap()
}

fn delivery(id: &str, act: &str) -> Delivery {
    Delivery::new(
        Scheme::heppu(),
        format!(r#"{{"event":"call.completed","act":"{act}","n":"{id}"}}"#),
    )
    .id(id)
}

fn edit(mut d: SignedDelivery, f: impl FnOnce(&mut SignedDelivery)) -> SignedDelivery {
    f(&mut d);
    d
}

/// A step: a path, a delivery, the expected (status, code) and handler runs it causes.
struct Step {
    name: &'static str,
    path: &'static str,
    delivery: SignedDelivery,
    expect: (u16, &'static str),
    runs: usize,
}

fn steps() -> Vec<Step> {
    let k = key();
    let wrong = Secret::new("not-the-right-secret-at-all").unwrap();
    let valid = delivery("d1", "ok").sign(&k);
    let step = |name, path, delivery, expect, runs| Step {
        name,
        path,
        delivery,
        expect,
        runs,
    };
    let sig = "x-webhook-signature-256";
    vec![
        step("valid", "/hook", valid.clone(), (200, "ok"), 1),
        step(
            "duplicate of a completed delivery",
            "/hook",
            valid.clone(),
            (200, "duplicate"),
            0,
        ),
        step(
            "same id, different body",
            "/hook",
            delivery("d1", "other").sign(&k),
            (409, "id_conflict"),
            0,
        ),
        step(
            "completed content re-sent under a new id",
            "/hook",
            edit(valid.clone(), |d| {
                d.headers
                    .insert("x-webhook-id", "d1-replayed".parse().unwrap());
            }),
            (200, "duplicate"),
            0,
        ),
        step(
            "tampered body",
            "/hook",
            edit(delivery("d2", "ok").sign(&k), |d| {
                d.body = r#"{"act":"ok"}"#.into()
            }),
            (401, "signature_mismatch"),
            0,
        ),
        step(
            "wrong secret",
            "/hook",
            delivery("d3", "ok").sign(&wrong),
            (401, "signature_mismatch"),
            0,
        ),
        step(
            "missing signature",
            "/hook",
            edit(delivery("d4", "ok").sign(&k), |d| {
                d.headers.remove(sig);
            }),
            (401, "signature_missing"),
            0,
        ),
        step(
            "garbled signature",
            "/hook",
            edit(delivery("d5", "ok").sign(&k), |d| {
                d.headers.insert(sig, "sha256=xyz".parse().unwrap());
            }),
            (400, "signature_malformed"),
            0,
        ),
        step(
            "wrong prefix",
            "/hook",
            edit(delivery("d6", "ok").sign(&k), |d| {
                let v = d.header(sig).unwrap().replace("sha256=", "sha1=");
                d.headers.insert(sig, v.parse().unwrap());
            }),
            (400, "signature_malformed"),
            0,
        ),
        step(
            "truncated signature",
            "/hook",
            edit(delivery("d7", "ok").sign(&k), |d| {
                let v = d.header(sig).unwrap()[..40].to_owned();
                d.headers.insert(sig, v.parse().unwrap());
            }),
            (400, "signature_malformed"),
            0,
        ),
        step(
            "stale timestamp",
            "/hook",
            delivery("d8", "ok").timestamp(now_secs() - 600).sign(&k),
            (401, "timestamp_expired"),
            0,
        ),
        step(
            "future timestamp",
            "/hook",
            delivery("d9", "ok").timestamp(now_secs() + 600).sign(&k),
            (401, "timestamp_in_future"),
            0,
        ),
        step(
            "milliseconds for seconds",
            "/hook",
            delivery("d10", "ok").timestamp(now_secs() * 1000).sign(&k),
            (401, "timestamp_in_future"),
            0,
        ),
        step(
            "missing timestamp",
            "/hook",
            edit(delivery("d11", "ok").sign(&k), |d| {
                d.headers.remove("x-webhook-timestamp");
            }),
            (400, "timestamp_missing"),
            0,
        ),
        step(
            "malformed timestamp",
            "/hook",
            delivery("d12", "ok").timestamp_raw("1e9").sign(&k),
            (400, "timestamp_malformed"),
            0,
        ),
        step(
            "missing id",
            "/hook",
            edit(delivery("d13", "ok").sign(&k), |d| {
                d.headers.remove("x-webhook-id");
            }),
            (400, "id_missing"),
            0,
        ),
        step(
            "oversized body",
            "/hook",
            Delivery::new(
                Scheme::heppu(),
                format!(r#"{{"pad":"{}"}}"#, "x".repeat(LIMIT)),
            )
            .id("d14")
            .sign(&k),
            (413, "body_too_large"),
            0,
        ),
        step(
            "handler fails",
            "/hook",
            delivery("d15", "fail_once").sign(&k),
            (500, "handler"),
            1,
        ),
        step(
            "sender retries",
            "/hook",
            delivery("d15", "fail_once").sign(&k),
            (200, "ok"),
            1,
        ),
        step(
            "retry again",
            "/hook",
            delivery("d15", "fail_once").sign(&k),
            (200, "duplicate"),
            0,
        ),
        step(
            "payload does not fit the type",
            "/typed",
            delivery("d16", "ok").sign(&k),
            (422, "payload_invalid"),
            0,
        ),
        step(
            "extractor without the guard",
            "/unguarded",
            delivery("d17", "ok").sign(&k),
            (500, "verification_missing"),
            0,
        ),
    ]
}

/// Run every step against one server; return what happened, step by step.
async fn play(addr: SocketAddr, h: &Handler) -> Vec<(String, u16, String, usize)> {
    let mut seen = Vec::new();
    for s in steps() {
        let before = h.runs.load(Ordering::SeqCst);
        let a = send(addr, s.path, s.delivery).await;
        let code = if a.json == serde_json::json!({"duplicate": true}) {
            "duplicate".to_owned()
        } else if let Some(code) = a.json["error"].as_str() {
            code.to_owned()
        } else if a.status == 200 {
            "ok".to_owned()
        } else {
            "handler".to_owned()
        };
        let runs = h.runs.load(Ordering::SeqCst) - before;
        assert_eq!(
            (a.status.as_u16(), code.as_str(), runs),
            (s.expect.0, s.expect.1, s.runs),
            "step `{}`",
            s.name
        );
        seen.push((s.name.to_owned(), a.status.as_u16(), code, runs));
    }
    // In flight: a slow first attempt, and a copy arriving while it runs.
    let slow = delivery("d-slow", "slow").sign(&key());
    let first = tokio::spawn({
        let slow = slow.clone();
        async move { send(addr, "/hook", slow).await }
    });
    tokio::time::sleep(Duration::from_millis(120)).await;
    let copy = send(addr, "/hook", slow).await;
    assert_eq!((copy.status.as_u16(), copy.code()), (409, "in_flight"));
    assert!(copy.headers.contains_key("retry-after"));
    assert_eq!(first.await.unwrap().status, 200);
    seen.push((
        "in flight".into(),
        copy.status.as_u16(),
        copy.code().to_owned(),
        1,
    ));
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_adapter_behaves_identically() {
    let ha = Arc::new(Handler::default());
    let hx = Arc::new(Handler::default());
    let hh = Arc::new(Handler::default());
    let axum_addr = axum_server(ha.clone()).await;
    let actix_addr = actix_server(hx.clone());
    let hyper_addr = hyper_server(hh.clone()).await;
    common::wait_listening(actix_addr).await;

    let on_axum = play(axum_addr, &ha).await;
    let on_actix = play(actix_addr, &hx).await;
    let on_hyper = play(hyper_addr, &hh).await;
    assert_eq!(on_axum, on_actix, "axum against actix-web");
    assert_eq!(on_axum, on_hyper, "axum against the guard on plain hyper");
    let runs = |h: &Handler| h.runs.load(Ordering::SeqCst);
    assert_eq!(runs(&ha), runs(&hx));
    assert_eq!(runs(&ha), runs(&hh));
}

/// The poem middleware and extractors, served by poem's own server.
#[cfg(feature = "poem")]
async fn poem_server(h: Arc<Handler>) -> SocketAddr {
    use poem::http::StatusCode;
    use poem::web::Data;
    use poem::{EndpointExt, Route, handler, post};
    use webhook_guard::WebhookMeta;
    use webhook_guard::poem::WebhookGuard;

    #[handler]
    async fn hook(
        Data(h): Data<&Arc<Handler>>,
        meta: WebhookMeta,
        Verified(v): Verified<Value>,
    ) -> (StatusCode, &'static str) {
        let status = h.run(meta.id(), &v).await;
        (StatusCode::from_u16(status).unwrap(), "handled")
    }
    #[handler]
    fn typed(Verified(_s): Verified<Strict>) -> &'static str {
        "typed"
    }
    #[handler]
    fn unguarded(_m: WebhookMeta) -> &'static str {
        "unreachable"
    }

    let guard = WebhookGuard::new(verifier())
        .body_limit(LIMIT)
        .dedup(MemoryStore::default());
    let app = Route::new()
        .at("/hook", post(hook.with(guard.clone())))
        .at("/typed", post(typed.with(guard)))
        .at("/unguarded", post(unguarded))
        .data(h);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = poem::listener::TcpAcceptor::from_tokio(listener).unwrap();
    // Ends with the test's runtime.
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
    addr
}

#[cfg(feature = "poem")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poem_behaves_like_axum() {
    let ha = Arc::new(Handler::default());
    let hp = Arc::new(Handler::default());
    let axum_addr = axum_server(ha.clone()).await;
    let poem_addr = poem_server(hp.clone()).await;

    let on_axum = play(axum_addr, &ha).await;
    let on_poem = play(poem_addr, &hp).await;
    assert_eq!(on_axum, on_poem, "axum against poem");
    assert_eq!(
        ha.runs.load(Ordering::SeqCst),
        hp.runs.load(Ordering::SeqCst)
    );
}

/// The rocket server: `Webhook<T>`, `Verified<T>` and `WebhookMeta` data guards under one
/// `Webhooks` fairing (one guard for `/hook` and `/typed`, as one layer serves both on axum).
#[cfg(feature = "rocket")]
mod on_rocket {
    use std::net::SocketAddr;
    use std::sync::Arc;

    use rocket::http::Status;
    use rocket::{State, post, routes};
    use serde_json::Value;
    use webhook_guard::dedup::MemoryStore;
    use webhook_guard::guard::Guard;
    use webhook_guard::rocket::{Webhook, Webhooks};
    use webhook_guard::{Verified, WebhookMeta};

    use super::{Handler, LIMIT, Strict, verifier};

    #[post("/hook", data = "<hook>")]
    async fn hook(h: &State<Arc<Handler>>, hook: Webhook<Value>) -> (Status, &'static str) {
        let status = h.run(hook.meta.id(), &hook.event).await;
        (Status::new(status), "handled")
    }

    #[post("/typed", data = "<_s>")]
    fn typed(_s: Verified<Strict>) -> &'static str {
        "typed"
    }

    #[post("/unguarded", data = "<_m>")]
    fn unguarded(_m: WebhookMeta) -> &'static str {
        "unreachable"
    }

    /// For `rocket_picks_a_guard_by_path_or_by_route_pattern`: the scheme that verified it.
    #[post("/tenants/<_>/hook", data = "<meta>")]
    pub fn tenant(meta: WebhookMeta) -> String {
        meta.scheme().to_owned()
    }

    /// For `rocket_releases_the_claim_of_a_panicking_handler`: the first call panics.
    #[post("/hook", data = "<hook>")]
    pub fn panics_once(
        first: &State<std::sync::atomic::AtomicBool>,
        hook: Webhook<Value>,
    ) -> &'static str {
        if first.swap(false, std::sync::atomic::Ordering::SeqCst) {
            panic!("the handler's first attempt fails");
        }
        assert_eq!(hook.meta.id(), Some("d-panic"));
        "handled"
    }

    /// Launch `rocket` on an ephemeral port of 127.0.0.1, quiet; runs until the test's runtime
    /// ends.
    pub async fn spawn(rocket: rocket::Rocket<rocket::Build>) -> SocketAddr {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let tx = std::sync::Mutex::new(Some(tx));
        let config = rocket::Config {
            address: [127, 0, 0, 1].into(),
            port: 0,
            log_level: rocket::config::LogLevel::Off,
            ..rocket::Config::debug_default()
        };
        let liftoff = rocket::fairing::AdHoc::on_liftoff("port", move |r| {
            let port = r.config().port;
            Box::pin(async move {
                if let Some(tx) = tx.lock().unwrap().take() {
                    let _ = tx.send(port);
                }
            })
        });
        let rocket = rocket.configure(config).attach(liftoff);
        tokio::spawn(rocket.launch());
        let port = rx.await.expect("rocket lifts off");
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    pub async fn rocket_server(h: Arc<Handler>) -> SocketAddr {
        let guard = Guard::new(verifier())
            .body_limit(LIMIT)
            .dedup(MemoryStore::default());
        let webhooks = Webhooks::empty()
            .at("/hook", guard.clone())
            .at("/typed", guard);
        let rocket = rocket::build()
            .attach(webhooks)
            .manage(h)
            .mount("/", routes![hook, typed, unguarded]);
        spawn(rocket).await
    }
}

#[cfg(feature = "rocket")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rocket_behaves_like_axum() {
    let ha = Arc::new(Handler::default());
    let hr = Arc::new(Handler::default());
    let axum_addr = axum_server(ha.clone()).await;
    let rocket_addr = on_rocket::rocket_server(hr.clone()).await;

    let on_axum = play(axum_addr, &ha).await;
    let on_rocket = play(rocket_addr, &hr).await;
    assert_eq!(on_axum, on_rocket, "axum against rocket");
    assert_eq!(
        ha.runs.load(Ordering::SeqCst),
        hr.runs.load(Ordering::SeqCst)
    );
}

/// Rocket catches a handler's panic and answers 500: the fairing then releases the claim, so the
/// sender's retry is processed. A data guard without the `Webhooks` fairing answers 500.
#[cfg(feature = "rocket")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rocket_releases_the_claim_of_a_panicking_handler() {
    use std::sync::atomic::AtomicBool;

    use on_rocket::panics_once;
    use rocket::local::asynchronous::Client;
    use rocket::routes;
    use webhook_guard::guard::Guard;
    use webhook_guard::rocket::Webhooks;

    let guard = Guard::new(verifier()).dedup(MemoryStore::default());
    let quiet = rocket::Config {
        log_level: rocket::config::LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let app = rocket::custom(&quiet)
        .attach(Webhooks::new(guard))
        .manage(AtomicBool::new(true))
        .mount("/", routes![panics_once]);
    let client = Client::untracked(app).await.unwrap();
    let d = delivery("d-panic", "ok").sign(&key());
    let first = local_post(&client, "/hook", &d).dispatch().await;
    assert_eq!(first.status().code, 500);
    let retry = local_post(&client, "/hook", &d).dispatch().await;
    assert_eq!(retry.status().code, 200);
    assert_eq!(retry.into_string().await.unwrap(), "handled");
    let again = local_post(&client, "/hook", &d).dispatch().await;
    assert_eq!(again.into_string().await.unwrap(), r#"{"duplicate":true}"#);

    // Without the fairing: no guard to run, refused with a 500.
    let bare = rocket::custom(&quiet)
        .manage(AtomicBool::new(false))
        .mount("/", routes![panics_once]);
    let client = Client::untracked(bare).await.unwrap();
    let unguarded = local_post(&client, "/hook", &d).dispatch().await;
    assert_eq!(unguarded.status().code, 500);
}

/// `d` posted to `path` through rocket's local client, no network.
#[cfg(feature = "rocket")]
fn local_post<'c>(
    client: &'c rocket::local::asynchronous::Client,
    path: &'static str,
    d: &SignedDelivery,
) -> rocket::local::asynchronous::LocalRequest<'c> {
    let mut req = client.post(path).body(&d.body);
    for (n, v) in &d.headers {
        req.add_header(rocket::http::Header::new(
            n.as_str().to_owned(),
            v.to_str().unwrap().to_owned(),
        ));
    }
    req
}

/// `Webhooks::at` takes a request path or a route's pattern (with its mount point); other
/// requests get the guard of `Webhooks::new`.
#[cfg(feature = "rocket")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rocket_picks_a_guard_by_path_or_by_route_pattern() {
    use rocket::local::asynchronous::Client;
    use rocket::routes;
    use webhook_guard::guard::Guard;
    use webhook_guard::rocket::Webhooks;

    let github = Secret::new("a-github-secret-0123456789").unwrap();
    let stripe = Secret::new("a-stripe-secret-0123456789").unwrap();
    let webhooks = Webhooks::new(Guard::new(verifier()))
        .at(
            "/api/tenants/<_>/hook",
            Guard::new(Verifier::new(Scheme::github(), github.clone())),
        )
        .at(
            "/api/tenants/acme/hook",
            Guard::new(Verifier::new(Scheme::stripe(), stripe.clone())),
        );
    let quiet = rocket::Config {
        log_level: rocket::config::LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let app = rocket::custom(&quiet)
        .attach(webhooks)
        .mount("/api", routes![on_rocket::tenant])
        .mount("/", routes![on_rocket::tenant]);
    let client = Client::untracked(app).await.unwrap();
    let body = r#"{"id":"evt_1","type":"ping"}"#;
    for (path, d, scheme) in [
        (
            "/api/tenants/acme/hook",
            Delivery::new(Scheme::stripe(), body).sign(&stripe),
            "stripe",
        ),
        (
            "/api/tenants/other/hook",
            Delivery::new(Scheme::github(), body).id("g1").sign(&github),
            "github",
        ),
        (
            "/tenants/other/hook",
            Delivery::new(Scheme::heppu(), body).id("h1").sign(&key()),
            "heppu",
        ),
    ] {
        let res = local_post(&client, path, &d).dispatch().await;
        assert_eq!(res.status().code, 200, "{path}");
        assert_eq!(res.into_string().await.unwrap(), scheme, "{path}");
    }
}
