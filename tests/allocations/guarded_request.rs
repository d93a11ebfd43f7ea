//! The allocations a guarded request makes in the framework adapters, counted by the binary's
//! allocator (`counting`) on the thread that sends requests in-process (no sockets): how many,
//! and the largest.
//!
//! The per-request future of the tower service and of the actix-web middleware lives in one
//! allocation. While it stays within 1 KiB, glibc serves it from its per-thread cache
//! (`tcache`, up to 1,032 bytes); above, every request took the allocator's slow path and
//! consolidated its free lists (~2,000 instructions, ~0.2 µs of a ~2.3 µs guarded request,
//! measured with callgrind and the in-process benches). This test keeps every allocation of a
//! small delivery's trip through the guard within that size, so the future cannot grow past
//! it unnoticed. Not a timing test: sizes and counts are deterministic for a given input.

use bytes::Bytes;
use webhook_guard::dedup::MemoryStore;
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{Scheme, Secret, Verifier};

use crate::counting;

/// glibc's per-thread cache serves requests up to this size.
const TCACHE_MAX: usize = 1032;
const REQUESTS: usize = 50;

fn secret() -> Secret {
    Secret::new("layer-allocation-secret-0123").unwrap()
}

/// Deliveries sent before measuring, under ids of their own.
const WARM_UP_FROM: usize = 100_000;
const WARM_UP: usize = 2_000;

/// The dedup store of the measured routes: bounded to 256 keys, so that after the warm-up it
/// evicts as it inserts and its tables no longer grow. An unbounded store's tables grow as keys
/// arrive, and which request crosses a growth threshold (a table of over 1,032 bytes) depends
/// on the store's random key fingerprints; that is the store's one-off cost, not the guard's
/// per-request one this test is about.
fn steady_store() -> MemoryStore {
    MemoryStore::builder().max_entries(256).build()
}

/// Distinct 256-byte Heppu deliveries (Heppu signs the body alone: a repeated body would be a
/// replay).
fn deliveries(from: usize, count: usize) -> Vec<SignedDelivery> {
    (from..from + count)
        .map(|n| {
            let head = format!(r#"{{"event":"call.completed","n":{n:08},"pad":""#);
            let body = format!("{head}{}\"}}", "x".repeat(256 - head.len() - 2));
            assert_eq!(body.len(), 256);
            Delivery::new(Scheme::heppu(), Bytes::from(body))
                .id(format!("dlv_{n:08}"))
                .event("call.completed")
                .sign(&secret())
        })
        .collect()
}

/// Counts the allocations of `run` (the requests are built before): per request, and the
/// largest one.
fn measure(run: impl FnOnce()) -> (f64, usize) {
    let ((), seen) = counting::measure(run);
    (seen.count as f64 / REQUESTS as f64, seen.largest)
}

fn axum_route(dedup: bool) -> (f64, usize) {
    use axum::Router;
    use axum::body::Body;
    use axum::routing::post;
    use tower::ServiceExt;
    use webhook_guard::{RawBody, WebhookLayer};

    let layer = WebhookLayer::new(Verifier::new(Scheme::heppu(), secret()));
    let layer = if dedup {
        layer.dedup(steady_store())
    } else {
        layer
    };
    let app = Router::new()
        .route(
            "/hook",
            post(|RawBody(body): RawBody| async move { body.len().to_string() }),
        )
        .route_layer(layer)
        .with_state(());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (rt, app) = (&rt, &app);
    let send = |deliveries: Vec<SignedDelivery>| {
        let requests: Vec<_> = deliveries
            .into_iter()
            .map(|d| d.into_request::<Body>("/hook"))
            .collect();
        move || {
            rt.block_on(async {
                for req in requests {
                    let res = app.clone().oneshot(req).await.unwrap();
                    assert!(res.status().is_success(), "{res:?}");
                }
            })
        }
    };
    send(deliveries(WARM_UP_FROM, WARM_UP))(); // warm-up: the router's set-up, the store's tables
    measure(send(deliveries(1_000, REQUESTS)))
}

#[cfg(feature = "actix")]
fn actix_route(dedup: bool) -> (f64, usize) {
    use actix_web::{App, HttpResponse, web};
    use webhook_guard::RawBody;
    use webhook_guard::actix::WebhookGuard;

    let guard = WebhookGuard::new(Verifier::new(Scheme::heppu(), secret()));
    let guard = if dedup {
        guard.dedup(steady_store())
    } else {
        guard
    };
    actix_web::rt::System::new().block_on(async {
        let app = actix_web::test::init_service(App::new().service(
            web::resource("/hook").wrap(guard).route(
                web::post().to(|RawBody(body): RawBody| async move {
                    HttpResponse::Ok().body(body.len().to_string())
                }),
            ),
        ))
        .await;
        let requests = |deliveries: Vec<SignedDelivery>| -> Vec<_> {
            deliveries
                .into_iter()
                .map(|d| {
                    let mut req = actix_web::test::TestRequest::post().uri("/hook");
                    for (name, value) in &d.headers {
                        req = req.insert_header((name.as_str(), value.as_bytes()));
                    }
                    req.set_payload(d.body.clone()).to_request()
                })
                .collect()
        };
        for req in requests(deliveries(WARM_UP_FROM, WARM_UP)) {
            let res = actix_web::test::call_service(&app, req).await;
            assert!(res.status().is_success());
        }
        let measured = requests(deliveries(1_000, REQUESTS));
        // The requests are served on this thread (actix-web's test service, in the system's
        // current-thread runtime), where the counter counts.
        counting::start();
        for req in measured {
            let res = actix_web::test::call_service(&app, req).await;
            assert!(res.status().is_success());
        }
        let seen = counting::stop();
        (seen.count as f64 / REQUESTS as f64, seen.largest)
    })
}

#[test]
fn a_guarded_request_allocates_nothing_larger_than_the_allocators_thread_cache() {
    #[cfg_attr(not(feature = "actix"), allow(unused_mut))]
    let mut report = vec![
        ("axum, verification", axum_route(false)),
        ("axum, verification + dedup", axum_route(true)),
    ];
    #[cfg(feature = "actix")]
    report.extend([
        ("actix-web, verification", actix_route(false)),
        ("actix-web, verification + dedup", actix_route(true)),
    ]);
    for (route, (per_request, largest)) in &report {
        println!("{route:<32} {per_request:5.1} allocations per request, largest {largest} B");
    }
    for (route, (per_request, largest)) in report {
        assert!(per_request > 0.0, "{route}: the counter saw the requests");
        assert!(
            largest <= TCACHE_MAX,
            "{route}: an allocation of {largest} bytes for a 256-byte delivery; the guard's \
             per-request future has probably outgrown the allocator's thread cache \
             ({TCACHE_MAX} bytes)"
        );
    }
}
