//! Async-ack through real servers on 127.0.0.1: the sender gets its answer at once, the work
//! happens in the background, and nothing is lost (retries, dead letters, backpressure, drain).

use crate::common;

use std::future::IntoFuture;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::routing::{get, post};
use axum::{Json, Router};
use common::{send, spawn};
use serde_json::Value;
use webhook_guard::ack::{AckQueue, AckQueueBuilder, DeadLetter, Job, JobError};
use webhook_guard::dedup::MemoryStore;
use webhook_guard::stats::Stats;
use webhook_guard::testing::Delivery;
use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer};

const KEY: &str = "ack-test-secret-0123456789";

fn secret() -> Secret {
    Secret::new(KEY).unwrap()
}

/// A Heppu-shaped delivery whose body tells the job what to do: `{"act": ...}`.
fn delivery(id: &str, act: &str) -> webhook_guard::testing::SignedDelivery {
    // The id is in the body too: Heppu signs only the body, so two deliveries with the same body
    // would be one replayed delivery.
    let body = format!(r#"{{"event":"call.completed","act":"{act}","n":"{id}"}}"#);
    Delivery::new(Scheme::heppu(), body).id(id).sign(&secret())
}

/// What the background jobs did.
#[derive(Default)]
struct Log {
    started: AtomicUsize,
    done: Mutex<Vec<String>>,
    dead: Mutex<Vec<(String, String, u32)>>,
}

fn queue(
    log: Arc<Log>,
    tune: impl FnOnce(AckQueueBuilder<Value>) -> AckQueueBuilder<Value>,
) -> AckQueue<Value> {
    let l = log.clone();
    let builder = AckQueue::builder(move |job: Job<Value>| {
        let l = l.clone();
        async move {
            l.started.fetch_add(1, Ordering::SeqCst);
            let id = job.meta().id().unwrap_or_default().to_owned();
            match job.event()["act"].as_str() {
                Some("work2s") => tokio::time::sleep(Duration::from_secs(2)).await,
                Some("slow") => tokio::time::sleep(Duration::from_millis(300)).await,
                Some("fail") => {
                    return Err(format!("job {id} failed on attempt {}", job.attempt()));
                }
                Some("panic") => panic!("job {id} panicked"),
                _ => {}
            }
            l.done.lock().unwrap().push(id);
            Ok(())
        }
    })
    .backoff(Duration::from_millis(10), Duration::from_millis(40));
    let l = log.clone();
    tune(builder)
        .dead_letter(move |d: DeadLetter<Value>| {
            let l = l.clone();
            async move {
                let id = d.job.meta().id().unwrap_or_default().to_owned();
                l.dead
                    .lock()
                    .unwrap()
                    .push((id, d.error.to_string(), d.attempts));
            }
        })
        .start()
}

fn app(q: &AckQueue<Value>, stats: &Stats) -> Router {
    let s = stats.clone();
    Router::new()
        .route("/hook", post(q.axum_handler()))
        .route_layer(
            WebhookLayer::new(Verifier::new(Scheme::heppu(), secret()))
                .dedup(MemoryStore::default())
                .stats(stats),
        )
        .route(
            "/metrics/webhooks",
            get(move || async move { Json(s.snapshot()) }),
        )
}

/// Wait (bounded) until `cond` holds.
async fn eventually(what: &str, limit: Duration, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < limit, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_seconds_of_work_are_acknowledged_at_once() {
    let log = Arc::new(Log::default());
    let stats = Stats::new();
    let q = queue(log.clone(), |b| b.stats(&stats));
    let addr = spawn(app(&q, &stats)).await;

    let started = Instant::now();
    let a = send(addr, "/hook", delivery("d-slow", "work2s")).await;
    let answered = started.elapsed();
    println!("answer time with 2 s of background work: {answered:?}");
    assert_eq!(a.status, 202);
    assert_eq!(a.json, serde_json::json!({"queued": true, "id": "d-slow"}));
    // The answer does not wait for the work: far below the 2 s the job takes.
    assert!(
        answered < Duration::from_millis(500),
        "answered after {answered:?}"
    );
    assert!(log.done.lock().unwrap().is_empty(), "work is still running");
    eventually("the job finishes", Duration::from_secs(10), || {
        log.done.lock().unwrap().len() == 1
    })
    .await;
    // The sender's retry of an acknowledged delivery is a duplicate: not queued again.
    let again = send(addr, "/hook", delivery("d-slow", "work2s")).await;
    assert_eq!(again.json, serde_json::json!({"duplicate": true}));

    let m = common::get_json(addr, "/metrics/webhooks").await;
    assert_eq!(m["received"], 2);
    assert_eq!(m["verified"], 2);
    assert_eq!(m["duplicates"], 1);
    assert_eq!(m["queued"], 1);
    assert_eq!(m["processed"], 1);
    assert_eq!(m["depth"], 0);
    assert!(m["processing"]["max_us"].as_u64().unwrap() >= 2_000_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_503_and_the_retry_is_processed_once() {
    let log = Arc::new(Log::default());
    let stats = Stats::new();
    // One worker, room for one waiting job.
    let q = queue(log.clone(), |b| b.workers(1).capacity(1).stats(&stats));
    let addr = spawn(app(&q, &stats)).await;

    assert_eq!(send(addr, "/hook", delivery("a", "slow")).await.status, 202);
    eventually("the worker picks up a", Duration::from_secs(5), || {
        log.started.load(Ordering::SeqCst) == 1
    })
    .await;
    assert_eq!(send(addr, "/hook", delivery("b", "ok")).await.status, 202);
    let full = send(addr, "/hook", delivery("c", "ok")).await;
    assert_eq!((full.status.as_u16(), full.code()), (503, "queue_full"));
    assert_eq!(full.headers["retry-after"], "5");

    // The 503 released the dedup claim: the sender's retry goes through once there is room.
    eventually("a and b finish", Duration::from_secs(5), || {
        log.done.lock().unwrap().len() == 2
    })
    .await;
    assert_eq!(send(addr, "/hook", delivery("c", "ok")).await.status, 202);
    let dup = send(addr, "/hook", delivery("c", "ok")).await;
    assert_eq!(dup.json, serde_json::json!({"duplicate": true}));
    eventually("c finishes", Duration::from_secs(5), || {
        log.done.lock().unwrap().len() == 3
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let done = log.done.lock().unwrap().clone();
    assert_eq!(done, ["a", "b", "c"], "each exactly once");
    let s = stats.snapshot();
    assert_eq!((s.refused_queue_full, s.rejected["queue_full"]), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_jobs_are_retried_then_dead_lettered_and_panics_spare_the_pool() {
    let log = Arc::new(Log::default());
    let stats = Stats::new();
    let q = queue(log.clone(), |b| b.workers(2).retries(2).stats(&stats));
    let addr = spawn(app(&q, &stats)).await;

    assert_eq!(
        send(addr, "/hook", delivery("bad", "fail")).await.status,
        202
    );
    // Panics in more jobs than there are workers: the pool must survive all of them.
    for i in 0..3 {
        let id = format!("boom{i}");
        assert_eq!(
            send(addr, "/hook", delivery(&id, "panic")).await.status,
            202
        );
    }
    eventually("four dead letters", Duration::from_secs(10), || {
        log.dead.lock().unwrap().len() == 4
    })
    .await;
    let dead = log.dead.lock().unwrap().clone();
    let bad = dead.iter().find(|d| d.0 == "bad").unwrap();
    assert_eq!(bad.2, 3, "one attempt plus two retries");
    assert!(bad.1.contains("failed on attempt 3"), "{}", bad.1);
    let boom = dead.iter().find(|d| d.0 == "boom0").unwrap();
    assert!(
        boom.1.contains("panicked") && boom.1.contains("boom0"),
        "{}",
        boom.1
    );

    // The workers are alive: ordinary jobs still run.
    for i in 0..4 {
        let id = format!("ok{i}");
        assert_eq!(send(addr, "/hook", delivery(&id, "ok")).await.status, 202);
    }
    eventually("the pool still works", Duration::from_secs(5), || {
        log.done.lock().unwrap().len() == 4
    })
    .await;
    let s = stats.snapshot();
    assert_eq!(s.dead_lettered, 4);
    assert_eq!(s.failed_attempts, 12, "4 jobs x 3 attempts");
    assert_eq!(s.retried, 8);
    assert_eq!(s.processed, 4);
    assert_eq!(s.in_progress, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_drains_queued_jobs_and_reports_the_rest() {
    // axum's graceful shutdown, then the queue's drain: every queued job runs.
    let log = Arc::new(Log::default());
    let stats = Stats::new();
    let q = queue(log.clone(), |b| b.workers(2).capacity(100).stats(&stats));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        axum::serve(listener, app(&q, &stats))
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .into_future(),
    );
    for i in 0..10 {
        let id = format!("q{i}");
        assert_eq!(send(addr, "/hook", delivery(&id, "slow")).await.status, 202);
    }
    stop_tx.send(()).unwrap();
    server.await.unwrap().unwrap();
    let report = q.shutdown(Duration::from_secs(10)).await;
    assert_eq!((report.drained, report.unfinished), (10, 0));
    assert_eq!(log.done.lock().unwrap().len(), 10);
    assert!(log.dead.lock().unwrap().is_empty());

    // A queue stopped with too short a deadline: what could not run reaches the dead letter.
    let log = Arc::new(Log::default());
    let q = queue(log.clone(), |b| b.workers(1).capacity(100));
    let addr = spawn(app(&q, &Stats::new())).await;
    for i in 0..5 {
        let id = format!("late{i}");
        assert_eq!(
            send(addr, "/hook", delivery(&id, "work2s")).await.status,
            202
        );
    }
    let report = q.shutdown(Duration::from_millis(200)).await;
    assert_eq!((report.drained, report.unfinished), (0, 5));
    let dead = log.dead.lock().unwrap().clone();
    assert_eq!(dead.len(), 5, "the running job and the four waiting ones");
    assert!(dead.iter().all(|d| d.1 == JobError::NotDrained.to_string()));
    // After shutdown the queue takes nothing: 503 so the sender retries elsewhere or later.
    let closed = send(addr, "/hook", delivery("after", "ok")).await;
    assert_eq!(
        (closed.status.as_u16(), closed.code()),
        (503, "queue_closed")
    );
}

#[cfg(feature = "actix")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_enqueues_the_same_way_and_drains_after_its_server_stops() {
    use actix_web::{App, HttpServer, web};
    use webhook_guard::actix::WebhookGuard;

    let log = Arc::new(Log::default());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let l = log.clone();
    let server_thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            // Started inside the actix runtime, as `#[actix_web::main]` would.
            let q = queue(l, |b| b.workers(2));
            let guard = WebhookGuard::new(Verifier::new(Scheme::heppu(), secret()))
                .dedup(MemoryStore::default());
            let handler = q.actix_handler();
            let server = HttpServer::new(move || {
                App::new().service(
                    web::resource("/hook")
                        .wrap(guard.clone())
                        .route(web::post().to(handler.clone())),
                )
            })
            .workers(1)
            .disable_signals()
            .listen(listener)
            .unwrap()
            .run();
            tx.send(server.handle()).unwrap();
            server.await.unwrap();
            // The server stopped: drain what it acknowledged.
            q.shutdown(Duration::from_secs(10)).await
        })
    });
    let handle = rx.recv().unwrap();
    common::wait_listening(addr).await;
    for i in 0..3 {
        let id = format!("x{i}");
        let a = send(addr, "/hook", delivery(&id, "slow")).await;
        assert_eq!(a.status, 202);
        assert_eq!(a.json["queued"], true);
    }
    let dup = send(addr, "/hook", delivery("x0", "slow")).await;
    assert_eq!(dup.json, serde_json::json!({"duplicate": true}));
    let bad = Delivery::new(Scheme::heppu(), "not json")
        .id("typed")
        .sign(&secret());
    let a = send(addr, "/hook", bad).await;
    assert_eq!((a.status.as_u16(), a.code()), (422, "payload_invalid"));
    handle.stop(true).await;
    let report = server_thread.join().unwrap();
    assert_eq!((report.drained, report.unfinished), (3, 0));
    assert_eq!(log.done.lock().unwrap().len(), 3);
}
