//! The durable async-ack queue on a real redis-server: a job acknowledged to the sender survives
//! the death of the process that took it, and is finished by another consumer.

use crate::common;
use crate::common::redis_server;

use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use common::send;
use serde_json::Value;
use webhook_guard::ack::{AckQueue, Job, RedisQueueConfig};
use webhook_guard::testing::Delivery;
use webhook_guard::{Scheme, Verifier, WebhookLayer};

use crate::durable::{app, runtime, secret};

fn config(url: &str, consumer: &str) -> RedisQueueConfig {
    RedisQueueConfig::new(url)
        .stream("test:ack")
        .consumer(consumer)
        .claim_idle(Duration::from_millis(400))
        .poll_interval(Duration::from_millis(20))
}

#[test]
fn a_job_taken_by_a_killed_consumer_is_finished_by_another() {
    let Some(redis) = redis_server::RedisServer::start("durable ack") else {
        return;
    };
    let url = redis.url();

    // Process A: a receiver whose job never finishes before the process dies.
    let rt_a = runtime();
    let (started_tx, started_rx) = mpsc::channel::<String>();
    let addr_a = rt_a.block_on(async {
        let q = AckQueue::builder(move |job: Job<Value>| {
            let started = started_tx.clone();
            async move {
                let _ = started.send(job.meta().id().unwrap_or_default().to_owned());
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok::<(), String>(())
            }
        })
        .workers(1)
        .start_redis(config(&url, "A"))
        .await
        .unwrap();
        common::spawn(app(&q)).await
    });

    // Process B: a healthy replica, already running.
    let rt_b = runtime();
    let done = Arc::new(Mutex::new(Vec::<(String, String, u32)>::new()));
    let d = done.clone();
    let _q_b = rt_b.block_on(async {
        AckQueue::builder(move |job: Job<Value>| {
            let d = d.clone();
            async move {
                let id = job.meta().id().unwrap_or_default().to_owned();
                let event = job.event()["event"].as_str().unwrap_or_default().to_owned();
                d.lock().unwrap().push((id, event, job.attempt()));
                Ok::<(), String>(())
            }
        })
        .workers(2)
        .start_redis(config(&url, "B"))
        .await
        .unwrap()
    });

    // The sender delivers to A and is acknowledged; A starts the job.
    let body = r#"{"event":"call.completed","conversation_id":"conv_42"}"#;
    let delivery = Delivery::new(Scheme::heppu(), body)
        .id("dlv_durable")
        .sign(&secret());
    let client_rt = runtime();
    let a = client_rt.block_on(send(addr_a, "/hook", delivery));
    assert_eq!(a.status, 202);
    let started = started_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(started, "dlv_durable");

    // While A is alive it keeps its entry fresh: B must not take it over, even after more than
    // claim_idle has passed.
    std::thread::sleep(Duration::from_millis(1200));
    assert!(
        done.lock().unwrap().is_empty(),
        "B stole a live consumer's job"
    );

    // A dies mid-job (its runtime is dropped: no graceful anything).
    rt_a.shutdown_background();

    let deadline = Instant::now() + Duration::from_secs(10);
    while done.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "B never finished A's job");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    let done = done.lock().unwrap().clone();
    assert_eq!(
        done,
        [("dlv_durable".to_owned(), "call.completed".to_owned(), 1)],
        "finished once, with its metadata and payload"
    );
    drop(rt_b);
}

#[test]
fn durable_queue_is_bounded_and_unreachable_redis_answers_503() {
    let Some(mut redis) = redis_server::RedisServer::start("durable ack bounds") else {
        return;
    };
    let url = redis.url();
    let rt = runtime();
    rt.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let q = AckQueue::builder(move |_job: Job<Value>| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(());
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok::<(), String>(())
            }
        })
        .workers(1)
        .capacity(2)
        .start_redis(config(&url, "bounded").stream("test:bounded"))
        .await
        .unwrap();
        let addr = common::spawn(app(&q)).await;
        let d = |id: &str| {
            let body = format!(r#"{{"event":"chat.completed","n":"{id}"}}"#);
            Delivery::new(Scheme::heppu(), body).id(id).sign(&secret())
        };
        assert_eq!(send(addr, "/hook", d("one")).await.status, 202);
        rx.recv().await.unwrap(); // taken by the worker, still in the stream until done
        assert_eq!(send(addr, "/hook", d("two")).await.status, 202);
        let full = send(addr, "/hook", d("three")).await;
        assert_eq!((full.status.as_u16(), full.code()), (503, "queue_full"));
        assert!(full.headers.contains_key("retry-after"));

        redis.kill();
        let down = send(addr, "/hook", d("four")).await;
        assert_eq!(
            (down.status.as_u16(), down.code()),
            (503, "queue_unavailable")
        );
        let s = q.stats().snapshot();
        assert_eq!((s.queued, s.refused_queue_full), (2, 1));
        assert_eq!(s.rejected["queue_unavailable"], 1);
    });
    rt.shutdown_background();
}

/// Redis stalls (`SIGSTOP`) while deliveries are being queued. Each enqueue times out on the
/// client, so the sender is answered `503 queue_unavailable` and its dedup claim is released;
/// Redis runs the enqueues once it resumes, and the jobs are processed. The sender's retries
/// must not queue them a second time: they find the delivery taken and are acknowledged.
#[test]
fn an_enqueue_lost_in_a_redis_stall_is_queued_once() {
    let Some(redis) = redis_server::RedisServer::start("enqueue lost in a stall") else {
        return;
    };
    let url = redis.url();
    let rt = runtime();
    let runs = Arc::new(Mutex::new(std::collections::BTreeMap::<String, u32>::new()));
    rt.block_on(async {
        let counted = runs.clone();
        let q = AckQueue::builder(move |job: Job<Value>| {
            let counted = counted.clone();
            async move {
                let id = job.meta().id().unwrap_or_default().to_owned();
                *counted.lock().unwrap().entry(id).or_default() += 1;
                Ok::<(), String>(())
            }
        })
        .workers(2)
        .start_redis(config(&url, "stall").stream("test:stall"))
        .await
        .unwrap();
        let app = Router::new()
            .route("/hook", post(q.axum_handler()))
            .route_layer(
                WebhookLayer::new(Verifier::new(Scheme::heppu(), secret()))
                    .dedup(webhook_guard::dedup::MemoryStore::default()),
            );
        let addr = common::spawn(app).await;
        let d = |n: usize| {
            let body = format!(r#"{{"event":"chat.completed","n":{n}}}"#);
            Delivery::new(Scheme::heppu(), body)
                .id(format!("dlv_stall_{n}"))
                .sign(&secret())
        };
        // The enqueue script is loaded before the stall.
        assert_eq!(send(addr, "/hook", d(100)).await.status, 202);

        redis.freeze();
        let sent: Vec<_> = (0..5)
            .map(|n| tokio::spawn(send(addr, "/hook", d(n))))
            .collect();
        for (n, answer) in sent.into_iter().enumerate() {
            let answer = answer.await.unwrap();
            assert_eq!(
                (answer.status.as_u16(), answer.code()),
                (503, "queue_unavailable"),
                "delivery {n} during the stall"
            );
        }
        redis.resume();
        tokio::time::sleep(Duration::from_millis(500)).await;

        // The sender retries; a 503 means the connection is still coming back.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        for n in 0..5 {
            loop {
                let answer = send(addr, "/hook", d(n)).await;
                match answer.status.as_u16() {
                    202 => break,
                    503 if tokio::time::Instant::now() < deadline => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    _ => panic!("retry of {n}: {} {:?}", answer.status, answer.json),
                }
            }
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while runs.lock().unwrap().len() < 6 {
            assert!(Instant::now() < deadline, "{:?}", runs.lock().unwrap());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Time for a second job of any delivery to show.
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let s = q.stats().snapshot();
        assert_eq!(s.processed, 6, "{s:?}");
    });
    let runs = runs.lock().unwrap().clone();
    assert_eq!(runs.len(), 6, "{runs:?}");
    assert!(
        runs.values().all(|&n| n == 1),
        "each job ran once: {runs:?}"
    );
    rt.shutdown_background();
}
