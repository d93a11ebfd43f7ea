//! Observability (issue 24): the `metrics` series the guard and the ack queue emit, read back
//! from a recording recorder (`metrics-util`'s `DebuggingRecorder`, installed once for this
//! binary), and the per-delivery `tracing` span, read back from a recording subscriber.
//!
//! Real servers on 127.0.0.1 (axum and actix-web) get identical traffic; each guard has its own
//! namespace, so each adapter's series are told apart by that label alone and must be equal.

use crate::common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use serde_json::Value;
use webhook_guard::ack::{AckQueue, Job};
use webhook_guard::dedup::MemoryStore;
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{Scheme, Secret, Verified, Verifier, WebhookMeta, telemetry};

const NEW: &str = "telemetry-new-secret-0123456789";
const OLD: &str = "telemetry-old-secret-0123456789";

fn snapshotter() -> &'static Snapshotter {
    static SNAPSHOTTER: OnceLock<Snapshotter> = OnceLock::new();
    SNAPSHOTTER.get_or_init(|| {
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        recorder
            .install()
            .expect("the only recorder of this binary");
        snapshotter
    })
}

/// A series: its name and sorted labels.
type SeriesKey = (String, Vec<(String, String)>);

/// Everything recorded so far. A snapshot of the debugging recorder drains it (counters and
/// gauges back to 0, histograms emptied), so each one is added to what was seen before.
fn recorded() -> std::sync::MutexGuard<'static, BTreeMap<SeriesKey, DebugValue>> {
    static SEEN: Mutex<BTreeMap<SeriesKey, DebugValue>> = Mutex::new(BTreeMap::new());
    let mut seen = SEEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for (key, _, _, value) in snapshotter().snapshot().into_vec() {
        let key = key.key();
        let mut labels: Vec<(String, String)> = key
            .labels()
            .map(|l| (l.key().to_owned(), l.value().to_owned()))
            .collect();
        labels.sort();
        let slot = seen.entry((key.name().to_owned(), labels));
        match (slot, value) {
            (std::collections::btree_map::Entry::Vacant(v), value) => {
                v.insert(value);
            }
            (std::collections::btree_map::Entry::Occupied(mut o), value) => {
                match (o.get_mut(), value) {
                    (DebugValue::Counter(n), DebugValue::Counter(m)) => *n += m,
                    (DebugValue::Histogram(h), DebugValue::Histogram(more)) => h.extend(more),
                    (slot, value) => *slot = value,
                }
            }
        }
    }
    seen
}

/// Labels (without `leave_out`) → value, of every series named `name` whose labels include
/// `with`.
type Series = BTreeMap<Vec<(String, String)>, String>;

fn series(name: &str, with: (&str, &str), leave_out: &str) -> Series {
    let mut out = Series::new();
    for ((series, labels), value) in recorded().iter() {
        if series != name || !labels.iter().any(|(k, v)| k == with.0 && v == with.1) {
            continue;
        }
        let kept: Vec<_> = labels
            .iter()
            .filter(|(k, _)| k != leave_out)
            .cloned()
            .collect();
        let value = match value {
            DebugValue::Counter(n) => n.to_string(),
            DebugValue::Gauge(g) => g.to_string(),
            // Durations differ run to run: the number of observations is what must agree.
            DebugValue::Histogram(h) => format!("{} observations", h.len()),
        };
        out.insert(kept, value);
    }
    out
}

/// The sum of the counters named `name` whose labels include all of `labels`.
fn counter(name: &str, labels: &[(&str, &str)]) -> u64 {
    recorded()
        .iter()
        .filter(|((series, have), _)| {
            series == name
                && labels
                    .iter()
                    .all(|(k, v)| have.iter().any(|(hk, hv)| hk == k && hv == v))
        })
        .map(|(_, value)| match value {
            DebugValue::Counter(n) => *n,
            _ => 0,
        })
        .sum()
}

fn verifier() -> Verifier {
    Verifier::builder(Scheme::heppu())
        .secret(Secret::new(NEW).unwrap().with_label("new"))
        .secret(Secret::new(OLD).unwrap().with_label("old"))
        .build()
        .unwrap()
}

/// The handler: answers 500 the first time it sees an id ending in `-flaky`, else 200.
#[derive(Default)]
struct Flaky(Mutex<std::collections::HashSet<String>>);

impl Flaky {
    fn status(&self, id: Option<&str>) -> u16 {
        let id = id.unwrap_or_default();
        if id.ends_with("-flaky") && self.0.lock().unwrap().insert(id.to_owned()) {
            500
        } else {
            200
        }
    }
}

async fn axum_server(namespace: &str) -> SocketAddr {
    use axum::Router;
    use axum::http::StatusCode;
    use axum::routing::post;
    use webhook_guard::WebhookLayer;

    let flaky = Arc::new(Flaky::default());
    let layer = WebhookLayer::new(verifier())
        .body_limit(4096)
        .namespace(namespace.to_owned())
        .dedup(MemoryStore::default());
    let app = Router::new()
        .route(
            "/hook",
            post(move |meta: WebhookMeta, _v: Verified<Value>| async move {
                StatusCode::from_u16(flaky.status(meta.id())).unwrap()
            }),
        )
        .route_layer(layer);
    common::spawn(app).await
}

fn actix_server(namespace: &str) -> SocketAddr {
    use actix_web::{HttpResponse, web};
    use webhook_guard::actix::WebhookGuard;

    let guard = WebhookGuard::new(verifier())
        .body_limit(4096)
        .namespace(namespace.to_owned())
        .dedup(MemoryStore::default());
    let flaky = Arc::new(Flaky::default());
    common::spawn_actix(1, move |app| {
        let flaky = flaky.clone();
        app.service(
            web::resource("/hook")
                .wrap(guard.clone())
                .route(
                    web::post().to(move |meta: WebhookMeta, _v: Verified<Value>| {
                        let status = flaky.status(meta.id());
                        async move {
                            HttpResponse::build(
                                actix_web::http::StatusCode::from_u16(status).unwrap(),
                            )
                            .finish()
                        }
                    }),
                ),
        );
    })
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn delivery(id: &str) -> Delivery {
    Delivery::new(
        Scheme::heppu(),
        format!(r#"{{"event":"call.completed","n":"{id}"}}"#),
    )
    .id(id)
}

/// The traffic both adapters get, with the status each request must be answered.
fn traffic() -> Vec<(SignedDelivery, u16)> {
    let new = Secret::new(NEW).unwrap();
    let old = Secret::new(OLD).unwrap();
    let wrong = Secret::new("not-the-telemetry-secret-0123").unwrap();
    let valid = delivery("t-1").sign(&new);
    let mut unsigned = delivery("t-4").sign(&new);
    unsigned.headers.remove("x-webhook-signature-256");
    let conflicting = Delivery::new(Scheme::heppu(), r#"{"event":"call.completed","n":"other"}"#)
        .id("t-1")
        .sign(&new);
    vec![
        (valid.clone(), 200),
        (valid, 200), // duplicate
        (conflicting, 409),
        (delivery("t-2").sign(&old), 200),
        (delivery("t-3").sign(&wrong), 401),
        (unsigned, 401),
        (
            delivery("t-5").timestamp(now_secs() - 3_600).sign(&new),
            401,
        ),
        (
            Delivery::new(Scheme::heppu(), vec![b' '; 5_000])
                .id("t-6")
                .sign(&new),
            413,
        ),
        (delivery("t-7-flaky").sign(&new), 500),
        (delivery("t-7-flaky").sign(&new), 200),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_adapters_emit_the_same_series_with_the_right_labels() {
    snapshotter();
    let axum_addr = axum_server("tm-axum").await;
    let actix_addr = actix_server("tm-actix");
    common::wait_listening(actix_addr).await;
    for (addr, _) in [(axum_addr, "axum"), (actix_addr, "actix")] {
        for (n, (d, status)) in traffic().into_iter().enumerate() {
            let a = common::send(addr, "/hook", d).await;
            assert_eq!(a.status.as_u16(), status, "request {n} on {addr}");
        }
    }

    // Every series of one adapter equals the other's, label for label.
    let names = [
        telemetry::REQUESTS_TOTAL,
        telemetry::VERIFIED_TOTAL,
        telemetry::REJECTED_TOTAL,
        telemetry::DUPLICATES_TOTAL,
        telemetry::HANDLED_TOTAL,
        telemetry::VERIFICATION_SECONDS,
        telemetry::HANDLER_SECONDS,
    ];
    for name in names {
        let on_axum = series(name, ("namespace", "tm-axum"), "namespace");
        let on_actix = series(name, ("namespace", "tm-actix"), "namespace");
        assert!(!on_axum.is_empty(), "{name} was emitted");
        assert_eq!(on_axum, on_actix, "{name}: axum against actix-web");
    }

    // And the values are the traffic's.
    let ns = ("namespace", "tm-axum");
    let scheme = ("scheme", "heppu");
    assert_eq!(counter(telemetry::REQUESTS_TOTAL, &[ns, scheme]), 10);
    // t-1, its duplicate, the conflicting t-1 and t-7 twice; t-6 is refused on its length
    // and t-5 on its timestamp before any signature is checked.
    assert_eq!(
        counter(telemetry::VERIFIED_TOTAL, &[ns, ("secret", "new")]),
        5
    );
    assert_eq!(
        counter(telemetry::VERIFIED_TOTAL, &[ns, ("secret", "old")]),
        1
    );
    for (code, times) in [
        ("id_conflict", 1),
        ("signature_mismatch", 1),
        ("signature_missing", 1),
        ("timestamp_expired", 1),
        ("body_too_large", 1),
    ] {
        assert_eq!(
            counter(telemetry::REJECTED_TOTAL, &[ns, ("code", code)]),
            times,
            "{code}"
        );
    }
    assert_eq!(
        counter(telemetry::REJECTED_TOTAL, &[ns]),
        5,
        "nothing else refused"
    );
    assert_eq!(counter(telemetry::DUPLICATES_TOTAL, &[ns]), 1);
    assert_eq!(
        counter(telemetry::HANDLED_TOTAL, &[ns, ("outcome", "success")]),
        3
    );
    assert_eq!(
        counter(telemetry::HANDLED_TOTAL, &[ns, ("outcome", "failure")]),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ack_queue_reports_queued_retried_and_dead_lettered_jobs() {
    snapshotter();
    let queue = AckQueue::builder(|job: Job<Value>| async move {
        match (job.event()["act"].as_str(), job.attempt()) {
            (Some("ok"), _) | (Some("retry"), 2..) => Ok(()),
            _ => Err("the job failed"),
        }
    })
    .name("tm-queue")
    .retries(1)
    .backoff(Duration::from_millis(10), Duration::from_millis(10))
    .start();
    let verifier = verifier();
    let new = Secret::new(NEW).unwrap();
    for act in ["ok", "retry", "dead"] {
        let d = Delivery::new(Scheme::heppu(), format!(r#"{{"act":"{act}"}}"#))
            .id(format!("job-{act}"))
            .sign(&new);
        let meta = verifier.verify(&d.headers, &d.body).unwrap();
        let event: Value = serde_json::from_slice(&d.body).unwrap();
        queue
            .enqueue(Job::new(meta, event, d.body.clone()))
            .await
            .unwrap();
    }
    let report = queue.shutdown(Duration::from_secs(10)).await;
    assert_eq!(report.unfinished, 0);

    let q = ("queue", "tm-queue");
    assert_eq!(counter(telemetry::JOBS_QUEUED_TOTAL, &[q]), 3);
    assert_eq!(counter(telemetry::JOBS_PROCESSED_TOTAL, &[q]), 2);
    // `retry` fails once, `dead` twice (its first attempt and its one retry).
    assert_eq!(counter(telemetry::JOB_FAILURES_TOTAL, &[q]), 3);
    assert_eq!(counter(telemetry::JOB_RETRIES_TOTAL, &[q]), 2);
    assert_eq!(counter(telemetry::JOBS_DEAD_LETTERED_TOTAL, &[q]), 1);
    let durations = series(telemetry::JOB_SECONDS, q, "");
    let observed = |outcome: &str| {
        durations
            .iter()
            .find(|(labels, _)| labels.iter().any(|(k, v)| k == "outcome" && v == outcome))
            .map(|(_, v)| v.clone())
    };
    assert_eq!(observed("success").as_deref(), Some("2 observations"));
    assert_eq!(observed("failure").as_deref(), Some("3 observations"));
    let waits = series(telemetry::QUEUE_WAIT_SECONDS, q, "");
    assert_eq!(
        waits.values().next().map(String::as_str),
        Some("3 observations")
    );
    let depth = series(telemetry::QUEUE_DEPTH, q, "");
    assert_eq!(depth.values().next().map(String::as_str), Some("0"));
    let running = series(telemetry::JOBS_IN_PROGRESS, q, "");
    assert_eq!(running.values().next().map(String::as_str), Some("0"));

    // A full queue refuses with its code.
    let blocked = AckQueue::builder(|_job: Job<Value>| async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        Ok::<(), std::io::Error>(())
    })
    .name("tm-full")
    .workers(1)
    .capacity(1)
    .start();
    let mut refused = 0;
    for n in 0..4 {
        let d = Delivery::new(Scheme::heppu(), format!(r#"{{"n":{n}}}"#))
            .id(format!("full-{n}"))
            .sign(&new);
        let meta = verifier.verify(&d.headers, &d.body).unwrap();
        if blocked
            .enqueue(Job::new(meta, Value::Null, d.body.clone()))
            .await
            .is_err()
        {
            refused += 1;
        }
    }
    assert!(
        refused >= 1,
        "a queue of one with one worker refuses some of 4"
    );
    assert_eq!(
        counter(
            telemetry::JOBS_REFUSED_TOTAL,
            &[("queue", "tm-full"), ("code", "queue_full")]
        ),
        refused
    );
    blocked.shutdown(Duration::from_secs(5)).await;
}

/// A `tracing` subscriber that keeps every span (name, fields, parent) and every event's
/// fields, for the span test. Installed as this binary's global default: the servers' tasks
/// run on the runtime's threads.
mod recording {
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU64, Ordering};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    #[derive(Clone, Debug)]
    pub struct SpanRec {
        pub name: &'static str,
        pub fields: BTreeMap<String, String>,
        pub parent: Option<u64>,
        meta: &'static Metadata<'static>,
    }

    #[derive(Default)]
    pub struct Recording {
        next: AtomicU64,
        pub spans: Mutex<BTreeMap<u64, SpanRec>>,
        pub events: Mutex<Vec<BTreeMap<String, String>>>,
    }

    thread_local! {
        static STACK: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
    }

    struct Fields<'a>(&'a mut BTreeMap<String, String>);

    impl Visit for Fields<'_> {
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.insert(field.name().to_owned(), value.to_owned());
        }
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.insert(field.name().to_owned(), format!("{value:?}"));
        }
    }

    impl Subscriber for Recording {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, attrs: &Attributes<'_>) -> Id {
            let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
            let parent = match attrs.parent() {
                Some(p) => Some(p.into_u64()),
                None if attrs.is_contextual() => STACK.with(|s| s.borrow().last().copied()),
                None => None,
            };
            let mut fields = BTreeMap::new();
            attrs.record(&mut Fields(&mut fields));
            let rec = SpanRec {
                name: attrs.metadata().name(),
                fields,
                parent,
                meta: attrs.metadata(),
            };
            self.spans.lock().unwrap().insert(id, rec);
            Id::from_u64(id)
        }
        fn record(&self, span: &Id, values: &Record<'_>) {
            if let Some(rec) = self.spans.lock().unwrap().get_mut(&span.into_u64()) {
                values.record(&mut Fields(&mut rec.fields));
            }
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut fields = BTreeMap::new();
            event.record(&mut Fields(&mut fields));
            self.events.lock().unwrap().push(fields);
        }
        fn enter(&self, span: &Id) {
            STACK.with(|s| s.borrow_mut().push(span.into_u64()));
        }
        fn exit(&self, span: &Id) {
            STACK.with(|s| {
                let mut s = s.borrow_mut();
                if let Some(at) = s.iter().rposition(|id| *id == span.into_u64()) {
                    s.remove(at);
                }
            });
        }
        fn current_span(&self) -> tracing_core::span::Current {
            let top = STACK.with(|s| s.borrow().last().copied());
            let spans = self.spans.lock().unwrap();
            match top.and_then(|id| spans.get(&id).map(|rec| (id, rec.meta))) {
                Some((id, meta)) => tracing_core::span::Current::new(Id::from_u64(id), meta),
                None => tracing_core::span::Current::none(),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_delivery_is_one_span_with_the_handler_and_its_job_inside() {
    use axum::Router;
    use axum::routing::post;
    use webhook_guard::WebhookLayer;

    static SUBSCRIBER: OnceLock<&'static recording::Recording> = OnceLock::new();
    let recording = *SUBSCRIBER.get_or_init(|| {
        let recording: &'static recording::Recording = Box::leak(Box::default());
        tracing::subscriber::set_global_default(Forward(recording)).unwrap();
        recording
    });

    let queue = AckQueue::builder(|job: Job<Value>| async move {
        tracing::info_span!("job_work").in_scope(|| tracing::info!(n = job.attempt(), "working"));
        Ok::<(), std::io::Error>(())
    })
    .name("tm-span")
    .start();
    let enqueue = queue.axum_handler();
    let app = Router::new()
        .route(
            "/hook",
            post(move |job: Job<Value>| {
                tracing::info_span!("handler_work").in_scope(|| tracing::info!("handling"));
                enqueue(job)
            }),
        )
        .route_layer(
            WebhookLayer::new(verifier())
                .namespace("tm-span")
                .dedup(MemoryStore::default()),
        );
    let addr = common::spawn(app).await;
    let marker = "payload-marker-never-logged";
    let d = Delivery::new(
        Scheme::heppu(),
        format!(r#"{{"event":"call.completed","note":"{marker}"}}"#),
    )
    .id("span-1")
    .sign(&Secret::new(NEW).unwrap());
    let signature = d.headers["x-webhook-signature-256"]
        .to_str()
        .unwrap()
        .to_owned();
    let a = common::send(addr, "/hook", d).await;
    assert_eq!(a.status, 202);
    queue.shutdown(Duration::from_secs(10)).await;

    let spans = recording.spans.lock().unwrap().clone();
    let (webhook_id, webhook) = spans
        .iter()
        .find(|(_, s)| {
            s.name == "webhook" && s.fields.get("id").map(String::as_str) == Some("span-1")
        })
        .expect("the delivery's span");
    let field = |name: &str| webhook.fields.get(name).map(String::as_str);
    assert_eq!(field("scheme"), Some("heppu"));
    assert_eq!(field("namespace"), Some("tm-span"));
    assert_eq!(field("event"), Some("call.completed"));
    assert_eq!(field("secret"), Some("new"));
    assert_eq!(field("outcome"), Some("success"), "202 is a success");
    let child = |name: &str, parent: u64| {
        spans
            .iter()
            .find(|(_, s)| s.name == name && s.parent == Some(parent))
            .map(|(id, _)| *id)
    };
    assert!(
        child("handler_work", *webhook_id).is_some(),
        "the handler's span is inside the delivery's"
    );
    let job =
        child("webhook_job", *webhook_id).expect("the job's attempt is inside the delivery's");
    assert_eq!(
        spans[&job].fields.get("attempt").map(String::as_str),
        Some("1")
    );
    assert!(
        child("job_work", job).is_some(),
        "the job's own span is inside the attempt's"
    );

    // Nothing recorded holds the secret, the signature or the body.
    let events = recording.events.lock().unwrap().clone();
    let values = spans
        .values()
        .flat_map(|s| s.fields.values())
        .chain(events.iter().flat_map(|e| e.values()));
    for value in values {
        for secret in [NEW, OLD, signature.as_str(), marker] {
            assert!(
                !value.contains(secret),
                "a recorded field holds `{secret}`: {value}"
            );
        }
    }
}

/// The global default subscriber, forwarding to the leaked recording.
struct Forward(&'static recording::Recording);

impl tracing::Subscriber for Forward {
    fn enabled(&self, m: &tracing::Metadata<'_>) -> bool {
        self.0.enabled(m)
    }
    fn new_span(&self, a: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        self.0.new_span(a)
    }
    fn record(&self, s: &tracing::span::Id, r: &tracing::span::Record<'_>) {
        self.0.record(s, r)
    }
    fn record_follows_from(&self, s: &tracing::span::Id, f: &tracing::span::Id) {
        self.0.record_follows_from(s, f)
    }
    fn event(&self, e: &tracing::Event<'_>) {
        self.0.event(e)
    }
    fn enter(&self, s: &tracing::span::Id) {
        self.0.enter(s)
    }
    fn exit(&self, s: &tracing::span::Id) {
        self.0.exit(s)
    }
    fn current_span(&self) -> tracing_core::span::Current {
        self.0.current_span()
    }
}
