//! The demo: a receiver in-process on an ephemeral port of 127.0.0.1, and a scripted set of
//! deliveries taken from the senders' documentation, good and bad. Prints what happened to each
//! and exits 0 only if every outcome is the expected one.
//!
//! ```text
//! cargo run --example demo
//! ```

#[path = "support/dead_letters.rs"]
mod dead_letters;
#[path = "support/receiver_app.rs"]
mod receiver_app;
// The environment is not read here: only the demo secret is configured.
#[allow(dead_code)]
#[path = "support/receiver_config.rs"]
mod receiver_config;
#[path = "support/serve.rs"]
mod serve;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use webhook_guard::testing::{Delivery, SignedDelivery, samples};
use webhook_guard::{Scheme, Secret};

use receiver_config::{DEMO_SECRET as SECRET, ReceiverConfig};

struct Case {
    label: String,
    path: &'static str,
    delivery: SignedDelivery,
    expect: (u16, &'static str),
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn script(secret: &Secret) -> Vec<Case> {
    let wrong = Secret::new("a-secret-for-some-other-endpoint").unwrap();
    let mut cases = Vec::new();
    let ok = (200, "ok");
    for (event, body) in samples::HEPPU_EVENTS {
        cases.push(Case {
            label: format!("heppu {event}"),
            path: "/webhooks/heppu",
            delivery: Delivery::new(Scheme::heppu(), *body).sign(secret),
            expect: ok,
        });
    }
    for (kind, body) in [
        ("fact_check", samples::HELIX_FACT_CHECK),
        ("news", samples::HELIX_NEWS),
        ("event", samples::HELIX_EVENT),
    ] {
        cases.push(Case {
            label: format!("helix {kind}"),
            path: "/webhooks/helix",
            delivery: Delivery::new(Scheme::helix(), body).sign(secret),
            expect: ok,
        });
    }
    cases.push(Case {
        label: "helicone delivery (enhanced payload)".into(),
        path: "/webhooks/helicone",
        delivery: Delivery::new(Scheme::helicone(), samples::HELICONE_DELIVERY).sign(secret),
        expect: ok,
    });
    // The other built-in senders, each with its documented sample. Standard Webhooks takes the
    // `whsec_` secret decoded, as its specification says; the others take it as given.
    let standard = Secret::from_whsec(SECRET).unwrap();
    let others = [
        (
            "/webhooks/standard",
            Scheme::standard_webhooks(),
            "standard-webhooks contact.created (whsec_ decoded)",
            samples::STANDARD_CONTACT_CREATED,
            None,
        ),
        (
            "/webhooks/github",
            Scheme::github(),
            "github issues.opened",
            samples::GITHUB_ISSUES_OPENED,
            Some("issues"),
        ),
        (
            "/webhooks/stripe",
            Scheme::stripe(),
            "stripe customer.updated",
            samples::STRIPE_CUSTOMER_UPDATED,
            None,
        ),
        (
            "/webhooks/stripe-connect",
            Scheme::stripe(),
            "stripe, same event to a 2nd endpoint (namespace)",
            samples::STRIPE_CUSTOMER_UPDATED,
            None,
        ),
        (
            "/webhooks/slack",
            Scheme::slack(),
            "slack event_callback",
            samples::SLACK_EVENT_CALLBACK,
            None,
        ),
        (
            "/webhooks/shopify",
            Scheme::shopify(),
            "shopify orders/create",
            samples::SHOPIFY_ORDERS_CREATE,
            Some("orders/create"),
        ),
        (
            "/webhooks/gitlab",
            Scheme::gitlab(),
            "gitlab push (X-Gitlab-Token)",
            r#"{"object_kind":"push","ref":"refs/heads/main"}"#,
            Some("Push Hook"),
        ),
    ];
    for (path, scheme, label, body, event) in others {
        let key = if path.ends_with("standard") {
            &standard
        } else {
            secret
        };
        let mut delivery = Delivery::new(scheme, body);
        if let Some(event) = event {
            delivery = delivery.event(event);
        }
        cases.push(Case {
            label: label.into(),
            path,
            delivery: delivery.sign(key),
            expect: ok,
        });
    }
    cases.push(Case {
        label: "standard-webhooks: the whsec_ text itself as key".into(),
        path: "/webhooks/standard",
        delivery: Delivery::new(
            Scheme::standard_webhooks(),
            samples::STANDARD_CONTACT_CREATED,
        )
        .sign(secret),
        expect: (401, "signature_mismatch"),
    });
    // A route whose key is not configured answers so, naming the variable to set.
    cases.push(Case {
        label: "discord, no public key configured".into(),
        path: "/webhooks/discord",
        delivery: SignedDelivery {
            headers: http::HeaderMap::new(),
            body: Bytes::from_static(br#"{"id":"1","type":1}"#),
        },
        expect: (503, "key_not_configured"),
    });

    // Async-ack: the receiver answers 202 at once and does half a second of work afterwards.
    let body = samples::HEPPU_CALL_COMPLETED.replace("conv_", "conv_async_");
    cases.push(Case {
        label: format!(
            "heppu call.completed, async-ack ({} ms of work)",
            receiver_config::ASYNC_WORK.as_millis()
        ),
        path: "/webhooks/heppu/async",
        delivery: Delivery::new(Scheme::heppu(), body)
            .id("whd_async_demo")
            .sign(secret),
        expect: (202, "queued"),
    });

    let heppu = |b: &'static str| Delivery::new(Scheme::heppu(), b);
    // Exactly once: the sender retries a delivery that was already processed.
    // (Its own body: the documented call.no-answer above was already delivered, and the same
    // signed bytes under another id are that delivery again.)
    let body = samples::HEPPU_CALL_NO_ANSWER.replace("conv_noanswer456", "conv_noanswer457");
    let original = Delivery::new(Scheme::heppu(), body)
        .id("whd_retry_demo")
        .sign(secret);
    cases.push(Case {
        label: "heppu call.no-answer, first attempt".into(),
        path: "/webhooks/heppu",
        delivery: original.clone(),
        expect: ok,
    });
    cases.push(Case {
        label: "heppu: the sender retries it (same id)".into(),
        path: "/webhooks/heppu",
        delivery: original.clone(),
        expect: (200, "duplicate"),
    });
    let mut replay = original;
    replay
        .headers
        .insert("x-webhook-id", "whd_forged_new_id".parse().unwrap());
    cases.push(Case {
        label: "heppu: same signed content under a new id".into(),
        path: "/webhooks/heppu",
        delivery: replay,
        expect: (200, "duplicate"),
    });
    let mut tampered = heppu(samples::HEPPU_CALL_COMPLETED).sign(secret);
    tampered.body = Bytes::from(samples::HEPPU_CALL_COMPLETED.replace("125", "1250"));
    cases.push(Case {
        label: "heppu: body tampered after signing".into(),
        path: "/webhooks/heppu",
        delivery: tampered,
        expect: (401, "signature_mismatch"),
    });
    cases.push(Case {
        label: "helix: signed with the wrong secret".into(),
        path: "/webhooks/helix",
        delivery: Delivery::new(Scheme::helix(), samples::HELIX_NEWS).sign(&wrong),
        expect: (401, "signature_mismatch"),
    });
    cases.push(Case {
        label: "heppu: timestamp 10 minutes old (replay)".into(),
        path: "/webhooks/heppu",
        delivery: heppu(samples::HEPPU_CALL_FAILED)
            .timestamp_millis(now_ms() - 600_000)
            .sign(secret),
        expect: (401, "timestamp_expired"),
    });
    cases.push(Case {
        label: "helix: timestamp 10 minutes ahead".into(),
        path: "/webhooks/helix",
        delivery: Delivery::new(Scheme::helix(), samples::HELIX_EVENT)
            .timestamp_millis(now_ms() + 600_000)
            .sign(secret),
        expect: (401, "timestamp_in_future"),
    });
    cases.push(Case {
        label: "heppu: milliseconds sent where seconds are expected".into(),
        path: "/webhooks/heppu",
        delivery: heppu(samples::HEPPU_CALL_BUSY)
            .timestamp(now_ms())
            .sign(secret),
        expect: (401, "timestamp_in_future"),
    });
    let mut unsigned = Delivery::new(Scheme::helicone(), samples::HELICONE_STANDARD).sign(secret);
    unsigned.headers.remove("helicone-signature");
    cases.push(Case {
        label: "helicone: signature header missing".into(),
        path: "/webhooks/helicone",
        delivery: unsigned,
        expect: (401, "signature_missing"),
    });
    let mut no_id = heppu(samples::HEPPU_CHAT_COMPLETED).sign(secret);
    no_id.headers.remove("x-webhook-id");
    cases.push(Case {
        label: "heppu: delivery id header missing".into(),
        path: "/webhooks/heppu",
        delivery: no_id,
        expect: (400, "id_missing"),
    });
    let mut garbled = heppu(samples::HEPPU_CHAT_RESOLVED).sign(secret);
    garbled
        .headers
        .insert("x-webhook-signature-256", "sha256=not-hex".parse().unwrap());
    cases.push(Case {
        label: "heppu: garbled signature".into(),
        path: "/webhooks/heppu",
        delivery: garbled,
        expect: (400, "signature_malformed"),
    });
    let big = format!(
        r#"{{"event":"call.completed","pad":"{}"}}"#,
        "x".repeat(2 << 20)
    );
    cases.push(Case {
        label: "heppu: 2 MiB body (limit 1 MiB)".into(),
        path: "/webhooks/heppu",
        delivery: heppu("").sign(secret),
        expect: (413, "body_too_large"),
    });
    let last = cases.last_mut().unwrap();
    last.delivery = Delivery::new(Scheme::heppu(), big).sign(secret);
    cases
}

#[tokio::main]
async fn main() {
    let secret = Secret::new(SECRET).unwrap();
    let config = ReceiverConfig::with_secret(SECRET).unwrap();
    let receiver = receiver_app::app(&config);
    let queue = receiver.queue.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve::serve(
        listener,
        receiver.router,
        std::future::pending(),
    ));
    println!("webhook-guard demo: receiver on http://{addr}\n");

    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let cases = script(&secret);
    let expected_ok = cases
        .iter()
        .filter(|c| c.expect == (200, "ok") || c.expect == (202, "queued"))
        .count();
    println!(
        "{:<3} {:<52} {:<27} {:<27} {:>7}",
        "#", "delivery", "expected", "actual", "time"
    );
    println!("{}", "-".repeat(120));
    let mut failures = 0;
    for (i, case) in cases.into_iter().enumerate() {
        let req = case
            .delivery
            .into_request(&format!("http://{addr}{}", case.path));
        let started = Instant::now();
        let res = tokio::time::timeout(Duration::from_secs(10), client.request(req))
            .await
            .expect("answer within 10 s")
            .expect("request");
        let status = res.status().as_u16();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let elapsed = started.elapsed();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let code = if json == serde_json::json!({"duplicate": true}) {
            "duplicate".to_owned()
        } else if json["queued"] == true {
            "queued".to_owned()
        } else {
            json["error"].as_str().unwrap_or("ok").to_owned()
        };
        let matched = (status, code.as_str()) == case.expect;
        failures += usize::from(!matched);
        println!(
            "{:<3} {:<52} {:<27} {:<27} {:>5.1}ms {}",
            i + 1,
            case.label,
            format!("{} {}", case.expect.0, case.expect.1),
            format!("{status} {code}"),
            elapsed.as_secs_f64() * 1000.0,
            if matched { "ok" } else { "MISMATCH" }
        );
    }

    // The async-ack job finishes in the background; stop the queue, which drains it.
    let drain_started = Instant::now();
    let report = queue.shutdown(Duration::from_secs(10)).await;
    println!(
        "\nasync-ack queue drained: {} job(s) finished {:.0} ms after the last answer, {} unfinished",
        report.drained,
        drain_started.elapsed().as_secs_f64() * 1000.0,
        report.unfinished
    );
    failures += usize::try_from(report.unfinished).unwrap_or(1);

    let get = |path: &str| {
        let req = client.get(format!("http://{addr}{path}").parse().unwrap());
        async move {
            let res = req.await.unwrap();
            let body = res.into_body().collect().await.unwrap().to_bytes();
            serde_json::from_slice::<serde_json::Value>(&body).unwrap()
        }
    };
    let events = get("/events").await;
    let processed = events.as_array().map_or(0, Vec::len);
    println!("\nGET /events: {processed} deliveries processed (expected {expected_ok}), in order:");
    for e in events.as_array().into_iter().flatten() {
        println!("  {e}");
    }
    if processed != expected_ok {
        failures += 1;
    }
    let m = get("/metrics/webhooks").await;
    println!(
        "\nGET /metrics/webhooks: received {}, verified {}, duplicates {}, queued {}, processed {}, rejected {}",
        m["received"], m["verified"], m["duplicates"], m["queued"], m["processed"], m["rejected"]
    );
    if failures == 0 {
        println!("\nall outcomes as expected");
    } else {
        println!("\n{failures} outcome(s) differ from the expected ones");
        std::process::exit(1);
    }
}
