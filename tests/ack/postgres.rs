//! The durable async-ack queue on a real PostgreSQL server that the tests start: processed
//! once, retried with backoff then dead-lettered, replicas sharing one table, a worker dying
//! mid-job, and the server killed, restarted and frozen mid-run.

use crate::common;
use crate::common::postgres_server;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use common::send;
use postgres_server::PostgresServer;
use serde_json::Value;
use sqlx::Row as _;
use webhook_guard::ack::{AckQueue, Job, PostgresQueueConfig};
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{Scheme, Verifier};

use crate::durable::{app, runtime, secret};

fn delivery(id: &str) -> SignedDelivery {
    let body = format!(r#"{{"event":"call.completed","conversation_id":"{id}"}}"#);
    Delivery::new(Scheme::heppu(), body).id(id).sign(&secret())
}

/// The queue's settings for tests: quick polling, a short lease, the table migrated.
async fn config(server: &PostgresServer, name: &str, lease: Duration) -> PostgresQueueConfig {
    let config = PostgresQueueConfig::new(server.url())
        .worker_name(name)
        .lease(lease)
        .poll_interval(Duration::from_millis(20));
    config.migrate().await.unwrap();
    config
}

/// Each run of a delivery: (replica, attempt).
type RunsOf = Vec<(&'static str, u32)>;

/// Handler runs per delivery id, and by which replica.
#[derive(Clone, Default)]
struct Runs(Arc<Mutex<BTreeMap<String, RunsOf>>>);

impl Runs {
    fn add(&self, replica: &'static str, job: &Job<Value>) {
        let id = job.meta().id().unwrap_or_default().to_owned();
        self.0
            .lock()
            .unwrap()
            .entry(id)
            .or_default()
            .push((replica, job.attempt()));
    }
    fn ids(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    fn snapshot(&self) -> BTreeMap<String, RunsOf> {
        self.0.lock().unwrap().clone()
    }
    /// Wait until `n` ids ran, then a little longer for a second run of any to show.
    async fn wait_for(&self, n: usize, within: Duration) {
        let deadline = Instant::now() + within;
        while self.ids() < n {
            assert!(
                Instant::now() < deadline,
                "{} of {n} ran: {:?}",
                self.ids(),
                self.snapshot()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    fn assert_each_once(&self, n: usize) {
        let runs = self.snapshot();
        assert_eq!(runs.len(), n, "{runs:?}");
        assert!(
            runs.values().all(|r| r.len() == 1),
            "each ran once: {runs:?}"
        );
    }
}

/// A queue whose handler records its runs and sleeps `work`.
async fn recording_queue(
    config: PostgresQueueConfig,
    runs: &Runs,
    replica: &'static str,
    work: Duration,
) -> AckQueue<Value> {
    let runs = runs.clone();
    AckQueue::builder(move |job: Job<Value>| {
        let runs = runs.clone();
        async move {
            runs.add(replica, &job);
            tokio::time::sleep(work).await;
            Ok::<(), String>(())
        }
    })
    .workers(2)
    .start_postgres(config)
    .await
    .unwrap()
}

/// `(state, attempts, last_error, has body)` of a row.
type Row = (String, i32, Option<String>, bool);

/// Each row of the inbox, by delivery id.
async fn rows(url: &str, table: &str) -> BTreeMap<String, Row> {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let rows = sqlx::query(&format!(
        "SELECT coalesce(meta->>'id', ''), state, attempts, last_error, body IS NOT NULL FROM {table}"
    ))
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows.iter()
        .map(|r| {
            let row: Row = (r.get(1), r.get(2), r.get(3), r.get(4));
            (r.get::<String, _>(0), row)
        })
        .collect()
}

/// Send `id` until it is acknowledged (a 503 means the database is still coming back).
async fn deliver(addr: std::net::SocketAddr, id: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let answer = send(addr, "/hook", delivery(id)).await;
        match answer.status.as_u16() {
            202 => return,
            503 if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            _ => panic!("{id}: {} {:?}", answer.status, answer.json),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_delivery_is_processed_once() {
    let Some(server) = PostgresServer::start("processed_once") else {
        return;
    };
    let runs = Runs::default();
    let q = recording_queue(
        config(&server, "one", Duration::from_secs(10)).await,
        &runs,
        "one",
        Duration::ZERO,
    )
    .await;
    let addr = common::spawn(app(&q)).await;
    let answer = send(addr, "/hook", delivery("dlv_once")).await;
    assert_eq!(answer.status, 202);
    assert_eq!(
        answer.json,
        serde_json::json!({"queued": true, "id": "dlv_once"})
    );
    // The same delivery again (no dedup layer in front): the inbox knows it, one job.
    assert_eq!(send(addr, "/hook", delivery("dlv_once")).await.status, 202);
    runs.wait_for(1, Duration::from_secs(10)).await;
    runs.assert_each_once(1);
    assert_eq!(runs.snapshot()["dlv_once"], [("one", 1)]);
    let rows = rows(&server.url(), "webhook_guard_inbox").await;
    assert_eq!(
        rows["dlv_once"],
        ("done".to_owned(), 1, None, false),
        "done, its body cleared"
    );
    let report = q.shutdown(Duration::from_secs(5)).await;
    assert_eq!((report.unfinished, report.left_pending), (0, 0));
    let s = q.stats().snapshot();
    assert_eq!((s.queued, s.processed, s.failed_attempts), (2, 1, 0));
    assert_eq!(s.in_progress, 0);
    let closed = send(addr, "/hook", delivery("dlv_after")).await;
    assert_eq!(
        (closed.status.as_u16(), closed.code()),
        (503, "queue_closed")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_is_retried_with_backoff_then_dead_lettered() {
    let Some(server) = PostgresServer::start("retried_then_dead") else {
        return;
    };
    let attempts = Arc::new(Mutex::new(Vec::<(u32, Instant)>::new()));
    let (dead_tx, dead_rx) = mpsc::channel::<(String, u32, String, String)>();
    let a = attempts.clone();
    let q = AckQueue::builder(move |job: Job<Value>| {
        let a = a.clone();
        async move {
            a.lock().unwrap().push((job.attempt(), Instant::now()));
            Err::<(), _>("payment service down")
        }
    })
    .workers(2)
    .retries(2)
    .backoff(Duration::from_millis(200), Duration::from_secs(1))
    .dead_letter(move |dead| {
        let dead_tx = dead_tx.clone();
        async move {
            let _ = dead_tx.send((
                dead.job.meta().id().unwrap_or_default().to_owned(),
                dead.attempts,
                dead.error.to_string(),
                dead.job.event()["event"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            ));
        }
    })
    .start_postgres(config(&server, "failing", Duration::from_secs(10)).await)
    .await
    .unwrap();
    let addr = common::spawn(app(&q)).await;
    assert_eq!(send(addr, "/hook", delivery("dlv_fails")).await.status, 202);

    let (id, n, error, event) =
        tokio::task::spawn_blocking(move || dead_rx.recv_timeout(Duration::from_secs(15)).unwrap())
            .await
            .unwrap();
    assert_eq!(
        (id.as_str(), n, event.as_str()),
        ("dlv_fails", 3, "call.completed")
    );
    assert!(error.contains("payment service down"), "{error}");
    let attempts = attempts.lock().unwrap().clone();
    assert_eq!(
        attempts.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    // Backoff: 200 ms, then 400 ms.
    let gaps: Vec<_> = attempts.windows(2).map(|w| w[1].1 - w[0].1).collect();
    assert!(gaps[0] >= Duration::from_millis(200), "{gaps:?}");
    assert!(gaps[1] >= Duration::from_millis(400), "{gaps:?}");

    let rows = rows(&server.url(), "webhook_guard_inbox").await;
    let (state, attempts, last_error, body) = &rows["dlv_fails"];
    assert_eq!((state.as_str(), *attempts, *body), ("dead", 3, true));
    assert!(
        last_error
            .as_deref()
            .unwrap_or_default()
            .contains("payment service down"),
        "{last_error:?}"
    );
    // Time for a fourth attempt to show, if the dead row were taken again.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let s = q.stats().snapshot();
    assert_eq!(
        (s.failed_attempts, s.retried, s.dead_lettered, s.processed),
        (3, 2, 1, 0)
    );
    q.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_table_share_the_work_and_run_each_job_once() {
    let Some(server) = PostgresServer::start("two_replicas") else {
        return;
    };
    let runs = Runs::default();
    let lease = Duration::from_secs(10);
    let a = recording_queue(
        config(&server, "a", lease).await,
        &runs,
        "a",
        Duration::from_millis(30),
    )
    .await;
    let b = recording_queue(
        config(&server, "b", lease).await,
        &runs,
        "b",
        Duration::from_millis(30),
    )
    .await;
    let addrs = [common::spawn(app(&a)).await, common::spawn(app(&b)).await];
    // Every delivery sent to both replicas at once, as a sender retrying quickly would.
    let sent: Vec<_> = (0..40)
        .flat_map(|n| {
            let id = format!("dlv_shared_{n}");
            addrs.map(|addr| {
                let id = id.clone();
                tokio::spawn(async move { send(addr, "/hook", delivery(&id)).await.status })
            })
        })
        .collect();
    for status in sent {
        assert_eq!(status.await.unwrap(), 202);
    }
    runs.wait_for(40, Duration::from_secs(30)).await;
    runs.assert_each_once(40);
    let by_a = runs.snapshot().values().filter(|r| r[0].0 == "a").count();
    assert!(by_a > 0 && by_a < 40, "both replicas worked: a ran {by_a}");
    let rows = rows(&server.url(), "webhook_guard_inbox").await;
    assert_eq!(rows.len(), 40);
    assert!(rows.values().all(|r| r.0 == "done" && r.1 == 1), "{rows:?}");
    let (sa, sb) = (a.stats().snapshot(), b.stats().snapshot());
    assert_eq!(sa.processed + sb.processed, 40);
    a.shutdown(Duration::from_secs(5)).await;
    b.shutdown(Duration::from_secs(5)).await;
}

#[test]
fn the_job_of_a_worker_that_died_is_taken_over_after_its_lease() {
    let Some(server) = PostgresServer::start("worker_died") else {
        return;
    };
    let lease = Duration::from_millis(900);
    let setup = runtime();
    let (config_a, config_b) = setup.block_on(async {
        (
            config(&server, "A", lease).await,
            config(&server, "B", lease).await,
        )
    });
    drop(setup);

    // Process A: its job never finishes before the process dies.
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
        .start_postgres(config_a)
        .await
        .unwrap();
        common::spawn(app(&q)).await
    });

    let client = runtime();
    assert_eq!(
        client
            .block_on(send(addr_a, "/hook", delivery("dlv_orphan")))
            .status,
        202
    );
    let started = started_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(started, "dlv_orphan");

    // Process B: a healthy replica, started once A holds the job (else B may take it first).
    let rt_b = runtime();
    let runs = Runs::default();
    let q_b = rt_b.block_on(recording_queue(config_b, &runs, "B", Duration::ZERO));
    // While A is alive it renews its lease: B must not take the job, even well past the lease.
    std::thread::sleep(lease * 2);
    assert_eq!(runs.ids(), 0, "B took a live worker's job");

    // A dies mid-job: its runtime is dropped, nothing graceful.
    let died = Instant::now();
    rt_a.shutdown_background();
    let deadline = Instant::now() + Duration::from_secs(10);
    while runs.ids() == 0 {
        assert!(Instant::now() < deadline, "B never took A's job over");
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = died.elapsed();
    assert!(
        took >= lease / 2,
        "taken over only once the lease ran out: {took:?}"
    );
    std::thread::sleep(Duration::from_millis(500));
    // A's attempt counts: B runs the second.
    assert_eq!(runs.snapshot()["dlv_orphan"], [("B", 2)]);
    rt_b.block_on(async {
        let rows = rows(&server.url(), "webhook_guard_inbox").await;
        assert_eq!(rows["dlv_orphan"].0, "done");
        q_b.shutdown(Duration::from_secs(5)).await;
    });
}

/// A job that brings its worker down on its last attempt is not run again for ever: the replica
/// taking it over dead-letters it.
#[test]
fn a_job_whose_worker_died_on_its_last_attempt_is_dead_lettered() {
    let Some(server) = PostgresServer::start("worker_died_last_attempt") else {
        return;
    };
    let lease = Duration::from_millis(600);
    let setup = runtime();
    let (config_a, config_b) = setup.block_on(async {
        (
            config(&server, "A", lease).await,
            config(&server, "B", lease).await,
        )
    });
    drop(setup);
    let rt_a = runtime();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let addr_a = rt_a.block_on(async {
        let q = AckQueue::builder(move |_job: Job<Value>| {
            let started = started_tx.clone();
            async move {
                let _ = started.send(());
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok::<(), String>(())
            }
        })
        .workers(1)
        .retries(0)
        .start_postgres(config_a)
        .await
        .unwrap();
        common::spawn(app(&q)).await
    });
    let client = runtime();
    let answer = client.block_on(send(addr_a, "/hook", delivery("dlv_poison")));
    assert_eq!(answer.status, 202);
    started_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    rt_a.shutdown_background();

    let rt_b = runtime();
    let runs = Runs::default();
    let (dead_tx, dead_rx) = mpsc::channel::<(String, u32, String)>();
    let r = runs.clone();
    let q_b = rt_b.block_on(async {
        AckQueue::builder(move |job: Job<Value>| {
            let r = r.clone();
            async move {
                r.add("B", &job);
                Ok::<(), String>(())
            }
        })
        .retries(0)
        .dead_letter(move |dead| {
            let dead_tx = dead_tx.clone();
            async move {
                let id = dead.job.meta().id().unwrap_or_default().to_owned();
                let _ = dead_tx.send((id, dead.attempts, dead.error.to_string()));
            }
        })
        .start_postgres(config_b)
        .await
        .unwrap()
    });
    let (id, attempts, error) = dead_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!((id.as_str(), attempts), ("dlv_poison", 1));
    assert!(error.contains("worker"), "{error}");
    assert_eq!(runs.ids(), 0, "not run again");
    rt_b.block_on(async {
        let rows = rows(&server.url(), "webhook_guard_inbox").await;
        assert_eq!(rows["dlv_poison"].0, "dead");
        q_b.shutdown(Duration::from_secs(5)).await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_and_restarted_database_loses_nothing_and_runs_nothing_twice() {
    let Some(mut server) = PostgresServer::start("ack_killed_and_restarted") else {
        return;
    };
    let runs = Runs::default();
    // The lease outlasts the restart, so that a job finished while the database was down is
    // marked done once it is back instead of being taken over.
    let q = recording_queue(
        config(&server, "crash", Duration::from_secs(8)).await,
        &runs,
        "crash",
        Duration::from_millis(100),
    )
    .await;
    let addr = common::spawn(app(&q)).await;
    for n in 0..10 {
        assert_eq!(
            send(addr, "/hook", delivery(&format!("before-{n}")))
                .await
                .status,
            202
        );
    }
    // Jobs are still waiting and running when the database dies.
    tokio::time::sleep(Duration::from_millis(150)).await;
    server.kill();
    for n in 0..4 {
        let started = Instant::now();
        let answer = send(addr, "/hook", delivery(&format!("during-{n}"))).await;
        assert_eq!(
            (answer.status.as_u16(), answer.code()),
            (503, "queue_unavailable"),
            "{:?}",
            answer.json
        );
        assert!(answer.headers.contains_key("retry-after"));
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "answered within the 2 s timeout (and some): {:?}",
            started.elapsed()
        );
    }
    server.restart();
    for n in 0..4 {
        deliver(addr, &format!("during-{n}"), Duration::from_secs(20)).await;
    }
    runs.wait_for(14, Duration::from_secs(40)).await;
    runs.assert_each_once(14);
    let rows = rows(&server.url(), "webhook_guard_inbox").await;
    assert_eq!(rows.len(), 14);
    assert!(rows.values().all(|r| r.0 == "done"), "{rows:?}");
    q.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_database_answers_503_in_time_then_queues_each_delivery_once() {
    let Some(server) = PostgresServer::start("ack_frozen") else {
        return;
    };
    let runs = Runs::default();
    let q = recording_queue(
        config(&server, "frozen", Duration::from_secs(10)).await,
        &runs,
        "frozen",
        Duration::ZERO,
    )
    .await;
    let addr = common::spawn(app(&q)).await;
    assert_eq!(send(addr, "/hook", delivery("warm")).await.status, 202);

    server.freeze();
    let started = Instant::now();
    let sent: Vec<_> = (0..5)
        .map(|n| tokio::spawn(send(addr, "/hook", delivery(&format!("stall-{n}")))))
        .collect();
    for (n, answer) in sent.into_iter().enumerate() {
        let answer = answer.await.unwrap();
        assert_eq!(
            (answer.status.as_u16(), answer.code()),
            (503, "queue_unavailable"),
            "stall-{n}: {:?}",
            answer.json
        );
        assert!(answer.headers.contains_key("retry-after"));
    }
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(5), "answered in {waited:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    // It runs again, with the inserts it had queued; the senders' retries find them.
    server.resume();
    for n in 0..5 {
        deliver(addr, &format!("stall-{n}"), Duration::from_secs(20)).await;
    }
    runs.wait_for(6, Duration::from_secs(20)).await;
    // Time for a second job of any delivery to show.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    runs.assert_each_once(6);
    let rows = rows(&server.url(), "webhook_guard_inbox").await;
    assert_eq!(rows.len(), 6, "one row per delivery: {rows:?}");
    let s = q.stats().snapshot();
    assert_eq!(s.processed, 6, "{s:?}");
    assert_eq!(s.rejected["queue_unavailable"], 5, "{s:?}");
    q.shutdown(Duration::from_secs(5)).await;
}

/// Enqueue latency against a local server, for BENCHMARKS.md (not a benchmark harness: run it
/// by hand with `cargo test --release --features postgres,axum --test ack --
/// --ignored --nocapture enqueue_latency`). Each enqueue is the one INSERT statement, measured
/// from `AckQueue::enqueue` (verification and HTTP excluded), sequentially and from 8 tasks at
/// once, while 4 workers take and finish the jobs on the same server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement; prints figures"]
async fn enqueue_latency() {
    let Some(server) = PostgresServer::start("enqueue latency") else {
        return;
    };
    let verifier = Verifier::new(Scheme::heppu(), secret());
    let jobs = |prefix: &str, n: usize| -> Vec<Job<Value>> {
        (0..n)
            .map(|i| {
                let d = delivery(&format!("{prefix}-{i}"));
                let meta = verifier.verify(&d.headers, &d.body).unwrap();
                let event: Value = serde_json::from_slice(&d.body).unwrap();
                Job::new(meta, event, d.body)
            })
            .collect()
    };
    let q = AckQueue::builder(|_job: Job<Value>| async { Ok::<(), String>(()) })
        .workers(4)
        .capacity(1_000_000)
        .start_postgres(config(&server, "latency", Duration::from_secs(60)).await)
        .await
        .unwrap();
    let percentiles = |mut took: Vec<Duration>| {
        took.sort();
        let at = |p: f64| took[((took.len() as f64 * p) as usize).min(took.len() - 1)];
        (at(0.50), at(0.99), took.len())
    };
    // Warm-up: connections opened, statements prepared.
    for job in jobs("warm", 200) {
        q.enqueue(job).await.unwrap();
    }
    let mut took = Vec::new();
    for job in jobs("seq", 2000) {
        let started = Instant::now();
        q.enqueue(job).await.unwrap();
        took.push(started.elapsed());
    }
    let (p50, p99, n) = percentiles(took);
    println!("sequential enqueue: n={n} p50={p50:?} p99={p99:?}");

    let all = jobs("par", 4000);
    let started = Instant::now();
    let mut tasks = Vec::new();
    let mut chunks = all.into_iter();
    for _ in 0..8 {
        let chunk: Vec<_> = chunks.by_ref().take(500).collect();
        let q = q.clone();
        tasks.push(tokio::spawn(async move {
            let mut took = Vec::new();
            for job in chunk {
                let started = Instant::now();
                q.enqueue(job).await.unwrap();
                took.push(started.elapsed());
            }
            took
        }));
    }
    let mut took = Vec::new();
    for t in tasks {
        took.extend(t.await.unwrap());
    }
    let wall = started.elapsed();
    let (p50, p99, n) = percentiles(took);
    println!(
        "8 concurrent enqueuers: n={n} p50={p50:?} p99={p99:?} ({:.0} enqueues/s)",
        n as f64 / wall.as_secs_f64()
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    while q.stats().snapshot().processed < 6200 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("processed: {}", q.stats().snapshot().processed);
    q.shutdown(Duration::from_secs(5)).await;
}
