//! The `receiver` (axum) and `actix_receiver` examples keep one contract: the same routes, the
//! same answers, the same `GET /events`. Both run here on 127.0.0.1, in this process, and get the
//! same deliveries: the seed and HMAC senders with `WEBHOOK_SECRET` alone, every built-in
//! sender once its keys are configured (Discord, SendGrid, PayPal, GitLab, Standard Webhooks with
//! a decoded `whsec_` secret and `v1a`), and the `key_not_configured` answer of a route without
//! its key. The configuration is read from a map standing in for the environment, through the
//! same code the examples' `main` reads the environment with. Also checks that `WebhookGuard`
//! works wrapped around a whole `App` and around a `scope`. And two `receiver` processes (the
//! example's own binary) sharing one PostgreSQL database process each delivery once.

use crate::actix_receiver_app;
use crate::common;
#[cfg(all(
    feature = "postgres",
    feature = "ed25519",
    feature = "p256",
    feature = "rsa"
))]
use crate::common::postgres_server;
#[cfg(feature = "poem")]
use crate::poem_receiver_app;
use crate::receiver_app;
use crate::receiver_config;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Answer, send};
use receiver_config::{KeyNotConfigured, ReceiverConfig};
use serde_json::{Value, json};
use webhook_guard::testing::{Delivery, SignedDelivery, samples};
use webhook_guard::{Scheme, Secret, Verified, Verifier, WebhookMeta};

const KEY: &str = "receiver-contract-secret-0123";

fn secret() -> Secret {
    Secret::new(KEY).unwrap()
}

/// The receivers' configuration with `WEBHOOK_SECRET` = [`KEY`] and nothing else.
fn config() -> ReceiverConfig {
    ReceiverConfig::with_secret(KEY).unwrap()
}

/// The configuration read from `vars` as the environment.
fn config_from(vars: &[(&str, &str)]) -> Result<ReceiverConfig, receiver_config::ConfigError> {
    ReceiverConfig::from_lookup(|name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    })
}

/// Both example receivers built from `config`, each on an ephemeral port: (axum, actix-web).
async fn start_both(config: &ReceiverConfig) -> (SocketAddr, SocketAddr) {
    let receiver = receiver_app::app(config);
    let axum_addr = common::spawn(receiver.router).await;
    let config = config.clone();
    let actix_addr = common::spawn_actix_with(2, move || {
        let (routes, log, queue) = actix_receiver_app::routes(&config);
        (routes, (log, queue))
    });
    common::wait_listening(actix_addr).await;
    (axum_addr, actix_addr)
}

/// The scripted deliveries: (route, delivery). Ids are fixed so both servers log the same.
fn script() -> Vec<(&'static str, SignedDelivery)> {
    let key = secret();
    let wrong = Secret::new("some-other-secret-entirely").unwrap();
    let mut out = Vec::new();
    for (i, (event, body)) in samples::HEPPU_EVENTS.iter().enumerate() {
        let d = Delivery::new(Scheme::heppu(), *body)
            .id(format!("dlv_{i}"))
            .event(*event);
        out.push(("/webhooks/heppu", d.sign(&key)));
    }
    for (i, body) in [
        samples::HELIX_FACT_CHECK,
        samples::HELIX_NEWS,
        samples::HELIX_EVENT,
    ]
    .into_iter()
    .enumerate()
    {
        let d = Delivery::new(Scheme::helix(), body).id(format!("evt_{i}"));
        out.push(("/webhooks/helix", d.sign(&key)));
    }
    let helicone = Delivery::new(Scheme::helicone(), samples::HELICONE_DELIVERY).sign(&key);
    out.push(("/webhooks/helicone", helicone.clone()));
    // The sender retries: a duplicate, answered 200 {"duplicate":true}, not processed again.
    out.push(("/webhooks/helicone", helicone));
    // Refused before any handler: wrong secret, wrong route for the scheme.
    let forged = Delivery::new(Scheme::heppu(), samples::HEPPU_CALL_FAILED).id("dlv_forged");
    out.push(("/webhooks/heppu", forged.sign(&wrong)));
    let misrouted = Delivery::new(Scheme::helix(), samples::HELIX_NEWS).id("evt_misrouted");
    out.push(("/webhooks/heppu", misrouted.sign(&key)));
    // Async-ack: queued at once, recorded by the background job.
    let body = samples::HEPPU_CHAT_COMPLETED.replace("conv_", "conv_async_");
    let queued = Delivery::new(Scheme::heppu(), body).id("dlv_async");
    out.push(("/webhooks/heppu/async", queued.sign(&key)));
    out
}

/// One documented sample per added sender that verifies with `WEBHOOK_SECRET`, on its route
/// (compared after the main script).
fn added_senders() -> Vec<(&'static str, SignedDelivery)> {
    let key = secret();
    [
        (
            "/webhooks/standard",
            Scheme::standard_webhooks(),
            samples::STANDARD_CONTACT_CREATED,
        ),
        (
            "/webhooks/github",
            Scheme::github(),
            samples::GITHUB_ISSUES_OPENED,
        ),
        (
            "/webhooks/stripe",
            Scheme::stripe(),
            samples::STRIPE_CUSTOMER_UPDATED,
        ),
        // The same event to the second Stripe endpoint: processed there too.
        (
            "/webhooks/stripe-connect",
            Scheme::stripe(),
            samples::STRIPE_CUSTOMER_UPDATED,
        ),
        (
            "/webhooks/slack",
            Scheme::slack(),
            samples::SLACK_EVENT_CALLBACK,
        ),
        (
            "/webhooks/shopify",
            Scheme::shopify(),
            samples::SHOPIFY_ORDERS_CREATE,
        ),
        (
            "/webhooks/linear",
            Scheme::linear(),
            samples::LINEAR_ISSUE_CREATE,
        ),
        (
            "/webhooks/lemon-squeezy",
            Scheme::lemon_squeezy(),
            samples::LEMON_SQUEEZY_ORDER_CREATED,
        ),
        (
            "/webhooks/sentry",
            Scheme::sentry(),
            samples::SENTRY_ISSUE_CREATED,
        ),
        (
            "/webhooks/coinbase-commerce",
            Scheme::coinbase_commerce(),
            samples::COINBASE_COMMERCE_CHARGE_CREATED,
        ),
        (
            "/webhooks/woocommerce",
            Scheme::woocommerce(),
            samples::WOOCOMMERCE_ORDER_CREATED,
        ),
        (
            "/webhooks/bitbucket",
            Scheme::bitbucket(),
            samples::BITBUCKET_REPO_PUSH,
        ),
        (
            "/webhooks/intercom",
            Scheme::intercom(),
            samples::INTERCOM_USER_CREATED,
        ),
        (
            "/webhooks/vercel",
            Scheme::vercel(),
            samples::VERCEL_DEPLOYMENT_CREATED,
        ),
    ]
    .into_iter()
    .map(|(path, scheme, body)| (path, Delivery::new(scheme, body).sign(&key)))
    .collect()
}

fn summary(a: &Answer) -> (u16, Value) {
    (a.status.as_u16(), a.json.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_and_actix_receivers_keep_the_same_contract() {
    let (axum_addr, actix_addr) = start_both(&config()).await;

    let mut answers = Vec::new();
    for (path, delivery) in script() {
        let a = send(axum_addr, path, delivery.clone()).await;
        let b = send(actix_addr, path, delivery).await;
        assert_eq!(summary(&a), summary(&b), "{path}: axum vs actix");
        answers.push(summary(&a));
    }
    // Spot-check the contract itself, not only that both agree.
    assert_eq!(
        answers[0],
        (200, json!({"received": "call.completed", "id": "dlv_0"}))
    );
    assert_eq!(
        answers[7],
        (200, json!({"received": "fact_check", "id": "evt_0"}))
    );
    let helicone_id = "550e8400-e29b-41d4-a716-446655440000";
    assert_eq!(
        answers[10],
        (200, json!({"received": null, "id": helicone_id}))
    );
    assert_eq!(answers[11], (200, json!({"duplicate": true})));
    assert_eq!(answers[12].0, 401);
    assert_eq!(answers[12].1["error"], "signature_mismatch");
    assert_eq!(answers[13], (401, answers[13].1.clone()));
    assert_eq!(answers[13].1["error"], "signature_missing");

    assert_eq!(
        answers[14],
        (202, json!({"queued": true, "id": "dlv_async"}))
    );
    // Answered before the work: the job is not in /events yet.
    let now = common::get_json(axum_addr, "/events").await;
    assert_eq!(
        now.as_array().unwrap().len(),
        11,
        "7 heppu + 3 helix + 1 helicone"
    );

    // The queued job lands in /events once its background work is done (bounded wait).
    let mut tries = 0;
    let (axum_events, actix_events) = loop {
        let a = common::get_json(axum_addr, "/events").await;
        let b = common::get_json(actix_addr, "/events").await;
        if a.as_array().unwrap().len() == 12 && b.as_array().unwrap().len() == 12 {
            break (a, b);
        }
        tries += 1;
        assert!(tries < 100, "the async job never finished: {a} / {b}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(axum_events, actix_events);
    let events = axum_events.as_array().unwrap();
    let events_before = events.len();
    assert_eq!(
        events[11],
        json!({"scheme": "heppu", "id": "dlv_async", "event": "chat.completed"})
    );
    let mut m_axum = common::get_json(axum_addr, "/metrics/webhooks").await;
    let mut m_actix = common::get_json(actix_addr, "/metrics/webhooks").await;
    // Processing times differ by microseconds; every count must be equal.
    assert_eq!(
        m_axum["processing"]["count"],
        m_actix["processing"]["count"]
    );
    assert!(m_axum["processing"]["max_us"].as_u64().unwrap() >= 500_000);
    m_axum.as_object_mut().unwrap().remove("processing");
    m_actix.as_object_mut().unwrap().remove("processing");
    assert_eq!(m_axum, m_actix, "the same counters on both");
    // Built with the `metrics` feature, both serve the Prometheus exposition of the process's
    // series (one recorder: the two receivers' series add up in it).
    #[cfg(feature = "metrics")]
    for addr in [axum_addr, actix_addr] {
        let res = common::client()
            .get(format!("http://{addr}/metrics").parse().unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/plain; version=0.0.4");
        let text = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes();
        let text = String::from_utf8(text.to_vec()).unwrap();
        // Other tests of this binary count into the same recorder: at least this test's own.
        let value = |series: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(series)?.trim().parse::<f64>().ok())
                .unwrap_or_else(|| panic!("`{series}` in\n{text}"))
        };
        assert!(value("webhook_guard_requests_total{scheme=\"heppu\",namespace=\"heppu\"}") >= 2.0);
        assert!(
            value("webhook_guard_duplicates_total{scheme=\"helicone\",namespace=\"helicone\"}")
                >= 2.0
        );
        assert!(value("webhook_guard_jobs_queued_total{queue=\"default\"}") >= 2.0);
    }
    assert_eq!(m_axum["received"], 15);
    assert_eq!(m_axum["duplicates"], 1);
    assert_eq!(m_axum["queued"], 1);
    assert_eq!(m_axum["processed"], 1);
    assert_eq!(
        m_axum["rejected"],
        json!({"signature_mismatch": 1, "signature_missing": 1})
    );
    assert_eq!(
        events[0],
        json!({"scheme": "heppu", "id": "dlv_0", "event": "call.completed"})
    );
    assert_eq!(
        events[10],
        json!({"scheme": "helicone", "id": helicone_id, "event": null})
    );

    // The added senders: the same answers, the same records. The Stripe event reaches both
    // Stripe endpoints (as it does a platform with Connect): each runs its handler, neither
    // answers the other's copy as a duplicate.
    for (path, delivery) in added_senders() {
        let a = send(axum_addr, path, delivery.clone()).await;
        let b = send(actix_addr, path, delivery).await;
        assert_eq!(summary(&a), summary(&b), "{path}: axum vs actix");
        assert_eq!(a.status, 200, "{path}: {}", a.json);
        assert_ne!(a.json, json!({"duplicate": true}), "{path}");
    }
    let axum_events = common::get_json(axum_addr, "/events").await;
    let actix_events = common::get_json(actix_addr, "/events").await;
    assert_eq!(axum_events, actix_events);
    assert_eq!(
        axum_events.as_array().unwrap().len(),
        events_before + added_senders().len()
    );
    // Each endpoint's own retry is a duplicate there.
    for (path, delivery) in added_senders()
        .into_iter()
        .filter(|(p, _)| p.contains("stripe"))
    {
        for addr in [axum_addr, actix_addr] {
            let again = send(addr, path, delivery.clone()).await;
            assert_eq!(summary(&again), (200, json!({"duplicate": true})), "{path}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guard_wraps_a_whole_app_and_a_scope() {
    use actix_web::{HttpResponse, web};
    use webhook_guard::actix::WebhookGuard;

    let calls = Arc::new(AtomicUsize::new(0));
    let verifier = Verifier::new(Scheme::heppu(), secret());

    // The whole App behind one guard.
    let c = calls.clone();
    let v = verifier.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let app_addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            actix_web::HttpServer::new(move || {
                let c = c.clone();
                actix_web::App::new()
                    .wrap(WebhookGuard::new(v.clone()))
                    .route(
                    "/anything",
                    web::post().to(move |meta: WebhookMeta| {
                        c.fetch_add(1, Ordering::SeqCst);
                        async move { HttpResponse::Ok().body(meta.id().unwrap_or("").to_owned()) }
                    }),
                )
            })
            .workers(1)
            .listen(listener)
            .unwrap()
            .run()
            .await
            .unwrap();
        });
    });

    // Only one scope guarded; a sibling route stays open.
    let c = calls.clone();
    let scope_addr = common::spawn_actix(2, move |cfg: &mut web::ServiceConfig| {
        let c = c.clone();
        cfg.service(
            web::scope("/hooks")
                .wrap(WebhookGuard::new(verifier.clone()))
                .route(
                    "/heppu",
                    web::post().to(move |Verified(v): Verified<Value>| {
                        c.fetch_add(1, Ordering::SeqCst);
                        async move { HttpResponse::Ok().json(json!({ "event": v["event"] })) }
                    }),
                ),
        )
        .route("/health", web::get().to(|| async { "up" }));
    });
    common::wait_listening(app_addr).await;
    common::wait_listening(scope_addr).await;

    let good = Delivery::new(Scheme::heppu(), samples::HEPPU_CHAT_RESOLVED).id("dlv_app");
    let a = send(app_addr, "/anything", good.sign(&secret())).await;
    assert_eq!(a.status, 200);
    let bad = Delivery::new(Scheme::heppu(), samples::HEPPU_CHAT_RESOLVED).id("dlv_bad");
    let wrong = Secret::new("some-other-secret-entirely").unwrap();
    let a = send(app_addr, "/anything", bad.sign(&wrong)).await;
    assert_eq!((a.status.as_u16(), a.code()), (401, "signature_mismatch"));

    let good = Delivery::new(Scheme::heppu(), samples::HEPPU_CHAT_RESOLVED).id("dlv_scope");
    let a = send(scope_addr, "/hooks/heppu", good.sign(&secret())).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json["event"], "chat.resolved");
    let a = send(scope_addr, "/hooks/heppu", bad.sign(&wrong)).await;
    assert_eq!((a.status.as_u16(), a.code()), (401, "signature_mismatch"));
    // Unsigned traffic outside the scope is not the guard's business.
    let health = http::Request::get(format!("http://{scope_addr}/health"))
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    let res = common::client().request(health).await.unwrap();
    assert_eq!(res.status(), 200);

    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "only the two valid deliveries ran"
    );
}

/// With `WEBHOOK_SECRET` alone, the routes that need a public key answer `key_not_configured`
/// naming the variable to set, the same on both receivers; every other route still works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_without_their_key_say_which_variable_to_set() {
    let config = config();
    let report = config.startup_report().join("\n");
    for (route, var) in [
        ("/webhooks/discord", "WEBHOOK_ED25519_PUBLIC_KEY"),
        ("/webhooks/sendgrid", "WEBHOOK_P256_PUBLIC_KEY"),
        ("/webhooks/paypal", "WEBHOOK_PAYPAL_CERT"),
    ] {
        let line = report
            .lines()
            .find(|l| l.contains(&format!("POST {route}:")))
            .unwrap_or_else(|| panic!("{route} not among the routes without a key:\n{report}"));
        assert!(line.contains(var), "{line}");
    }
    assert!(
        report.contains("without a key (answering 503 key_not_configured)"),
        "{report}"
    );
    let live = report.lines().next().unwrap();
    for route in ["/webhooks/heppu", "/webhooks/standard", "/webhooks/gitlab"] {
        assert!(live.contains(route), "{live}");
    }
    assert!(!live.contains("discord"), "{live}");
    assert!(
        report.contains("http://127.0.0.1:3000"),
        "the default public URL is http://<BIND>: {report}"
    );

    let (axum_addr, actix_addr) = start_both(&config).await;
    // Whatever is sent (here an unsigned body), the answer is the same clear refusal.
    let unsigned = |body: &'static str| SignedDelivery {
        headers: http::HeaderMap::new(),
        body: bytes::Bytes::from_static(body.as_bytes()),
    };
    for (route, vars) in [
        ("/webhooks/discord", &["WEBHOOK_ED25519_PUBLIC_KEY"][..]),
        ("/webhooks/sendgrid", &["WEBHOOK_P256_PUBLIC_KEY"][..]),
        (
            "/webhooks/paypal",
            &["WEBHOOK_PAYPAL_WEBHOOK_ID", "WEBHOOK_PAYPAL_CERT"][..],
        ),
    ] {
        let a = send(axum_addr, route, unsigned(r#"{"id":"1","type":1}"#)).await;
        let b = send(actix_addr, route, unsigned(r#"{"id":"1","type":1}"#)).await;
        assert_eq!(summary(&a), summary(&b), "{route}: axum vs actix");
        assert_eq!(a.status, 503, "{route}: {}", a.json);
        assert_eq!(a.code(), "key_not_configured", "{route}");
        assert_eq!(
            a.json.as_object().unwrap().len(),
            2,
            "the crate's rejection format, {{error, message}}: {}",
            a.json
        );
        let message = a.json["message"].as_str().unwrap();
        for var in vars {
            assert!(message.contains(var), "{route}: {message}");
        }
        assert_eq!(
            a.headers.get("content-type").unwrap(),
            "application/json",
            "{route}"
        );
    }

    // The other routes are served as before.
    let key = secret();
    let gitlab = Delivery::new(Scheme::gitlab(), r#"{"object_kind":"push"}"#)
        .id("gl-no-keys")
        .event("Push Hook")
        .sign(&key);
    let standard = Delivery::new(
        Scheme::standard_webhooks(),
        samples::STANDARD_CONTACT_CREATED,
    )
    .id("msg_no_keys")
    .sign(&key);
    let heppu = Delivery::new(Scheme::heppu(), samples::HEPPU_CALL_COMPLETED)
        .id("dlv_no_keys")
        .sign(&key);
    for (route, delivery) in [
        ("/webhooks/gitlab", gitlab),
        ("/webhooks/standard", standard),
        ("/webhooks/heppu", heppu),
    ] {
        let a = send(axum_addr, route, delivery.clone()).await;
        let b = send(actix_addr, route, delivery).await;
        assert_eq!(summary(&a), summary(&b), "{route}: axum vs actix");
        assert_eq!(a.status, 200, "{route}: {}", a.json);
    }
    let events = common::get_json(axum_addr, "/events").await;
    assert_eq!(events, common::get_json(actix_addr, "/events").await);
    assert_eq!(
        events,
        json!([
            {"scheme": "gitlab", "id": "gl-no-keys", "event": "Push Hook"},
            {"scheme": "standard-webhooks", "id": "msg_no_keys", "event": "contact.created"},
            {"scheme": "heppu", "id": "dlv_no_keys", "event": "call.completed"},
        ])
    );
}

/// Variables set to what cannot be used stop the receiver at start, naming the variable; an
/// empty one is an unset one; a `whsec_` secret without base64 after it leaves only the
/// Standard Webhooks route without a key.
#[test]
fn configuration_errors_name_their_variable() {
    let secret = ("WEBHOOK_SECRET", KEY);
    let var_of = |vars: &[(&str, &str)]| config_from(vars).map(|_| ()).unwrap_err().var;
    assert_eq!(
        var_of(&[secret, ("WEBHOOK_ED25519_PUBLIC_KEY", "not-64-hex-digits")]),
        "WEBHOOK_ED25519_PUBLIC_KEY"
    );
    assert_eq!(
        var_of(&[secret, ("WEBHOOK_P256_PUBLIC_KEY", "bm90IGEga2V5")]),
        "WEBHOOK_P256_PUBLIC_KEY"
    );
    assert_eq!(
        var_of(&[
            secret,
            ("WEBHOOK_PAYPAL_WEBHOOK_ID", "8PT597110X687430LKGECATA")
        ]),
        "WEBHOOK_PAYPAL_CERT"
    );
    assert_eq!(
        var_of(&[secret, ("WEBHOOK_PAYPAL_CERT", "/nonexistent/paypal.pem")]),
        "WEBHOOK_PAYPAL_WEBHOOK_ID"
    );
    assert_eq!(
        var_of(&[
            secret,
            ("WEBHOOK_PAYPAL_WEBHOOK_ID", "8PT597110X687430LKGECATA"),
            ("WEBHOOK_PAYPAL_CERT", "/nonexistent/paypal.pem"),
        ]),
        "WEBHOOK_PAYPAL_CERT"
    );
    assert_eq!(
        var_of(&[secret, ("WEBHOOK_PUBLIC_URL", "ftp://hooks.example.com")]),
        "WEBHOOK_PUBLIC_URL"
    );
    assert_eq!(var_of(&[("WEBHOOK_SECRET", "too-short")]), "WEBHOOK_SECRET");
    // The async queue on PostgreSQL needs the database; only `memory` and `postgres` exist.
    assert_eq!(
        var_of(&[secret, ("ASYNC_STORE", "postgres")]),
        "ASYNC_STORE"
    );
    assert_eq!(
        var_of(&[
            secret,
            ("DATABASE_URL", "postgres://127.0.0.1/app"),
            ("ASYNC_STORE", "kafka")
        ]),
        "ASYNC_STORE"
    );
    let on_postgres = config_from(&[
        secret,
        ("DATABASE_URL", "postgres://app:hunter2@127.0.0.1/app"),
        ("ASYNC_STORE", "postgres"),
    ]);
    if cfg!(feature = "postgres") {
        let config = on_postgres.unwrap();
        assert!(config.database.is_some() && config.async_on_postgres);
        assert!(
            !format!("{config:?}").contains("hunter2"),
            "the password is never shown"
        );
    } else {
        let e = on_postgres.map(|_| ()).unwrap_err();
        assert_eq!(e.var, "DATABASE_URL");
        assert!(e.reason.contains("--features postgres"), "{}", e.reason);
    }

    let empty = config_from(&[secret, ("WEBHOOK_ED25519_PUBLIC_KEY", "")]).unwrap();
    let discord = empty
        .sender_routes()
        .into_iter()
        .find(|r| r.path == "/webhooks/discord")
        .unwrap();
    assert!(discord.verifier.is_err(), "an empty key is an unset one");

    let url = config_from(&[
        secret,
        ("BIND", "0.0.0.0:8080"),
        ("WEBHOOK_PUBLIC_URL", "https://hooks.example.com/base/"),
    ])
    .unwrap();
    assert_eq!(url.public_url, "https://hooks.example.com/base");
    assert_eq!(
        config_from(&[secret, ("BIND", "0.0.0.0:8080")])
            .unwrap()
            .public_url,
        "http://0.0.0.0:8080"
    );
    assert!(
        config_from(&[]).unwrap().demo_secret,
        "no WEBHOOK_SECRET: the demo secret"
    );

    // `whsec_` and then no base64: a fine key for everyone but Standard Webhooks.
    let bad_whsec = config_from(&[("WEBHOOK_SECRET", "whsec_not*base64*but-long-enough")]).unwrap();
    for route in bad_whsec.sender_routes() {
        match route.path {
            "/webhooks/standard" => {
                let missing: KeyNotConfigured = route.verifier.unwrap_err();
                assert!(missing.message.contains("WEBHOOK_SECRET"), "{missing:?}");
                assert!(missing.message.contains("whsec_"), "{missing:?}");
                assert!(
                    !missing.message.contains("not*base64"),
                    "never the secret itself: {missing:?}"
                );
            }
            "/webhooks/discord" | "/webhooks/sendgrid" | "/webhooks/paypal" => {}
            other => assert!(route.verifier.is_ok(), "{other}"),
        }
    }
}

/// Every built-in sender with its keys configured, through both receivers: Discord (Ed25519),
/// SendGrid (P-256), PayPal (RSA, a certificate file), GitLab (the token), Standard Webhooks
/// with a real `whsec_` secret (decoded) and a `v1a` Ed25519 signature.
#[cfg(all(feature = "ed25519", feature = "p256", feature = "rsa"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_builtin_sender_verifies_once_its_keys_are_configured() {
    use base64::Engine as _;
    use webhook_guard::testing::keys;

    let b64 = base64::engine::general_purpose::STANDARD;
    // A Standard Webhooks secret as Svix shows it: `whsec_` and the base64 of the key.
    let whsec = format!("whsec_{}", b64.encode(b"receiver-contract-standard-key!"));
    // SendGrid's verification key: the base64 of the DER key, the PEM's body on one line.
    let p256_base64: String = keys::P256_PUBLIC_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let dir = std::env::temp_dir().join(format!(
        "webhook-guard-receiver-examples-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let cert = dir.join("paypal-cert.pem");
    std::fs::write(&cert, keys::RSA_CERTIFICATE_PEM).unwrap();
    const WEBHOOK_ID: &str = "8PT597110X687430LKGECATA";

    let config = config_from(&[
        ("WEBHOOK_SECRET", &whsec),
        ("WEBHOOK_ED25519_PUBLIC_KEY", keys::ED25519_PUBLIC_HEX),
        ("WEBHOOK_P256_PUBLIC_KEY", &p256_base64),
        ("WEBHOOK_PAYPAL_WEBHOOK_ID", WEBHOOK_ID),
        ("WEBHOOK_PAYPAL_CERT", cert.to_str().unwrap()),
        ("WEBHOOK_PUBLIC_URL", "https://hooks.example.com/"),
    ])
    .unwrap();
    // Read once at start: the file is no longer needed.
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(config.public_url, "https://hooks.example.com");
    let report = config.startup_report().join("\n");
    assert!(!report.contains("without a key"), "{report}");
    for route in [
        "discord", "sendgrid", "paypal", "gitlab", "standard", "twilio",
    ] {
        assert!(
            report.lines().next().unwrap().contains(route),
            "{route}: {report}"
        );
    }
    assert!(report.contains("https://hooks.example.com"), "{report}");

    let (axum_addr, actix_addr) = start_both(&config).await;
    let as_given = Secret::new(&whsec).unwrap();
    let decoded = Secret::from_whsec(&whsec).unwrap();
    let seed = &keys::ED25519_SEED_TEST_ONLY;

    let ping = r#"{"id":"1100000000000000001","type":1,"application_id":"42"}"#;
    let command =
        r#"{"id":"1100000000000000002","type":2,"application_id":"42","data":{"name":"hello"}}"#;
    let mut discord_tampered = Delivery::new(Scheme::discord(), command).sign_ed25519(seed);
    discord_tampered.body = command.replace("hello", "hellO").into();
    let events = r#"[{"email":"a@example.com","event":"delivered","sg_event_id":"sg_1"}]"#;
    let mut sendgrid_tampered =
        Delivery::new(Scheme::sendgrid(), events).sign_p256(keys::P256_PRIVATE_PEM_TEST_ONLY);
    sendgrid_tampered.body = events.replace("delivered", "bounce").into();
    let paypal_body =
        r#"{"id":"WH-RECV-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{}}"#;
    let paypal = |webhook_id: &str| {
        Delivery::new(Scheme::paypal(webhook_id).unwrap(), paypal_body)
            .id("b2384410-f8d2-11ec-b22c-9fb3e4ce5e8b")
            .sign_rsa(keys::RSA_PRIVATE_PEM_TEST_ONLY)
    };
    let gitlab = |token: &Secret| {
        Delivery::new(
            Scheme::gitlab(),
            r#"{"object_kind":"push","ref":"refs/heads/main"}"#,
        )
        .id("gl-delivery-1")
        .event("Push Hook")
        .sign(token)
    };
    let standard = Delivery::new(
        Scheme::standard_webhooks(),
        samples::STANDARD_CONTACT_CREATED,
    );
    // Twilio's Auth Token is WEBHOOK_SECRET as given; the base is WEBHOOK_PUBLIC_URL.
    let twilio = |path: &str| {
        Delivery::new(
            Scheme::twilio("https://hooks.example.com").unwrap(),
            "From=%2B14158675310&Body=Hi&To=%2B14155550100&MessageSid=SM1",
        )
        .path(path)
        .id("twilio-idempotency-1")
        .sign(&as_given)
    };

    // (route, delivery, status, answer or rejection code)
    let script: Vec<(&str, SignedDelivery, u16, Value)> = vec![
        (
            "/webhooks/discord",
            Delivery::new(Scheme::discord(), ping).sign_ed25519(seed),
            200,
            // Discord's PING is answered as Discord requires.
            json!({"type": 1}),
        ),
        (
            "/webhooks/discord",
            Delivery::new(Scheme::discord(), command).sign_ed25519(seed),
            200,
            json!({"received": "2", "id": "1100000000000000002"}),
        ),
        (
            "/webhooks/discord",
            discord_tampered,
            401,
            json!("signature_mismatch"),
        ),
        (
            "/webhooks/sendgrid",
            Delivery::new(Scheme::sendgrid(), events).sign_p256(keys::P256_PRIVATE_PEM_TEST_ONLY),
            200,
            json!({"received": null, "id": null}),
        ),
        (
            "/webhooks/sendgrid",
            sendgrid_tampered,
            401,
            json!("signature_mismatch"),
        ),
        (
            "/webhooks/paypal",
            paypal(WEBHOOK_ID),
            200,
            json!({"received": "PAYMENT.CAPTURE.COMPLETED", "id": "WH-RECV-1"}),
        ),
        // Signed for another webhook subscription: not ours.
        (
            "/webhooks/paypal",
            paypal("WEBHOOKOFANOTHERAPP1"),
            401,
            json!("signature_mismatch"),
        ),
        // GitLab's token is WEBHOOK_SECRET as given, `whsec_` and all.
        (
            "/webhooks/gitlab",
            gitlab(&as_given),
            200,
            json!({"received": "Push Hook", "id": "gl-delivery-1"}),
        ),
        (
            "/webhooks/gitlab",
            gitlab(&Secret::new("a-token-for-some-other-hook").unwrap()),
            401,
            json!("signature_mismatch"),
        ),
        // Standard Webhooks: signed with the decoded key, as the senders' libraries sign.
        (
            "/webhooks/standard",
            standard.clone().id("msg_whsec_decoded").sign(&decoded),
            200,
            json!({"received": "contact.created", "id": "msg_whsec_decoded"}),
        ),
        // What the receiver used to expect, the `whsec_` text itself as the key: refused.
        (
            "/webhooks/standard",
            standard.clone().id("msg_whsec_as_given").sign(&as_given),
            401,
            json!("signature_mismatch"),
        ),
        (
            "/webhooks/standard",
            standard.clone().id("msg_v1a").sign_ed25519(seed),
            200,
            json!({"received": "contact.created", "id": "msg_v1a"}),
        ),
        // Twilio signs the URL it addresses: WEBHOOK_PUBLIC_URL, then the path and query.
        (
            "/webhooks/twilio?region=eu",
            twilio("/webhooks/twilio?region=eu"),
            200,
            json!({"received": null, "id": "twilio-idempotency-1"}),
        ),
        // Signed for another URL than the one it reached: refused.
        (
            "/webhooks/twilio?region=us",
            twilio("/webhooks/twilio?region=eu"),
            401,
            json!("signature_mismatch"),
        ),
        // The seed senders keep WEBHOOK_SECRET as given.
        (
            "/webhooks/heppu",
            Delivery::new(Scheme::heppu(), samples::HEPPU_CALL_COMPLETED)
                .id("dlv_keys")
                .sign(&as_given),
            200,
            json!({"received": "call.completed", "id": "dlv_keys"}),
        ),
    ];
    for (route, delivery, status, expected) in script {
        let a = send(axum_addr, route, delivery.clone()).await;
        let b = send(actix_addr, route, delivery).await;
        assert_eq!(summary(&a), summary(&b), "{route}: axum vs actix");
        assert_eq!(a.status.as_u16(), status, "{route}: {}", a.json);
        if status == 200 {
            assert_eq!(a.json, expected, "{route}");
        } else {
            assert_eq!(a.code(), expected, "{route}");
        }
    }

    let events = common::get_json(axum_addr, "/events").await;
    assert_eq!(events, common::get_json(actix_addr, "/events").await);
    assert_eq!(
        events,
        json!([
            {"scheme": "discord", "id": "1100000000000000001", "event": "1"},
            {"scheme": "discord", "id": "1100000000000000002", "event": "2"},
            {"scheme": "sendgrid", "id": null, "event": null},
            {"scheme": "paypal", "id": "WH-RECV-1", "event": "PAYMENT.CAPTURE.COMPLETED"},
            {"scheme": "gitlab", "id": "gl-delivery-1", "event": "Push Hook"},
            {"scheme": "standard-webhooks", "id": "msg_whsec_decoded", "event": "contact.created"},
            {"scheme": "standard-webhooks", "id": "msg_v1a", "event": "contact.created"},
            {"scheme": "twilio", "id": "twilio-idempotency-1", "event": null},
            {"scheme": "heppu", "id": "dlv_keys", "event": "call.completed"},
        ])
    );
}

/// The timestamped senders (Paddle, Mux, Calendly, Typeform, PagerDuty, Zendesk, Box) on both
/// receivers with `WEBHOOK_SECRET` alone: each delivery verifies and is answered with its event
/// type and id; the sender's retry, signed again a second later, is a duplicate (Calendly sends
/// no id: its id is made of `event`, `created_at` and `payload.uri`, the same on the retry); a
/// changed body is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timestamped_senders_keep_the_contract_on_both_receivers() {
    let (axum_addr, actix_addr) = start_both(&config()).await;
    let key = secret();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    // (route, scheme, body, id header value where the scheme reads one, answer)
    let cases: Vec<(&str, Scheme, &str, Option<&str>, Value)> = vec![
        (
            "/webhooks/paddle",
            Scheme::paddle(),
            samples::PADDLE_TRANSACTION_COMPLETED,
            None,
            json!({"received": "transaction.completed", "id": "evt_01h8bzakzx3hm2fmen703n5q45"}),
        ),
        (
            "/webhooks/mux",
            Scheme::mux(),
            samples::MUX_VIDEO_ASSET_READY,
            None,
            json!({"received": "video.asset.ready", "id": "3a56ac3d-33da-4366-855b-f592d898409d"}),
        ),
        (
            "/webhooks/calendly",
            Scheme::calendly(),
            samples::CALENDLY_INVITEE_CREATED,
            None,
            json!({"received": "invitee.created", "id": "sha256:du0GpRI-P6nn8JG1kXbDMSfh373TONB6rZjDthZGdiM"}),
        ),
        (
            "/webhooks/typeform",
            Scheme::typeform(),
            samples::TYPEFORM_FORM_RESPONSE,
            None,
            json!({"received": "form_response", "id": "LtWXD3crgy"}),
        ),
        (
            "/webhooks/pagerduty",
            Scheme::pagerduty(),
            samples::PAGERDUTY_INCIDENT_TRIGGERED,
            Some("pd-webhook-1"),
            json!({"received": "incident.triggered", "id": "pd-webhook-1"}),
        ),
        (
            "/webhooks/zendesk",
            Scheme::zendesk(),
            samples::ZENDESK_USER_CREATED,
            Some("zd-invocation-1"),
            json!({"received": "zen:event-type:user.created", "id": "zd-invocation-1"}),
        ),
        (
            "/webhooks/box",
            Scheme::box_com(),
            samples::BOX_FILE_UPLOADED,
            None,
            json!({"received": "FILE.UPLOADED", "id": "eb0c4e06-751f-442c-86f8-fd5bb404dbec"}),
        ),
    ];
    for (route, scheme, body, id, expected) in cases {
        let mut delivery = Delivery::new(scheme, body);
        if let Some(id) = id {
            delivery = delivery.id(id);
        }
        let first = delivery.clone().timestamp_millis(now_ms - 1_000).sign(&key);
        let retry = delivery.clone().timestamp_millis(now_ms).sign(&key);
        let mut tampered = delivery.sign(&key);
        tampered.body = body.replacen('}', " }", 1).into();
        for (d, status, answer) in [
            (first, 200, expected.clone()),
            (retry, 200, json!({"duplicate": true})),
            (tampered, 401, json!({})),
        ] {
            let a = send(axum_addr, route, d.clone()).await;
            let b = send(actix_addr, route, d).await;
            assert_eq!(summary(&a), summary(&b), "{route}: axum vs actix");
            assert_eq!(a.status.as_u16(), status, "{route}: {}", a.json);
            if status == 200 {
                assert_eq!(a.json, answer, "{route}");
            } else {
                assert_eq!(a.code(), "signature_mismatch", "{route}");
            }
        }
    }
}

/// The `receiver` example's binary, built with this test's features (so that cargo reuses what
/// it built for the test): `target/<profile>/examples/receiver`.
#[cfg(all(
    feature = "postgres",
    feature = "ed25519",
    feature = "p256",
    feature = "rsa"
))]
fn receiver_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<this test>
    let profile_dir = exe.parent().and_then(|d| d.parent()).unwrap();
    let target_dir = profile_dir.parent().unwrap();
    let features: Vec<&str> = [
        ("default", cfg!(feature = "default")),
        ("axum", cfg!(feature = "axum")),
        ("actix", cfg!(feature = "actix")),
        ("redis", cfg!(feature = "redis")),
        ("postgres", cfg!(feature = "postgres")),
        ("ed25519", cfg!(feature = "ed25519")),
        ("p256", cfg!(feature = "p256")),
        ("rsa", cfg!(feature = "rsa")),
        ("cli", cfg!(feature = "cli")),
        ("server", cfg!(feature = "server")),
        ("metrics", cfg!(feature = "metrics")),
        ("poem", cfg!(feature = "poem")),
        ("lambda", cfg!(feature = "lambda")),
        ("rocket", cfg!(feature = "rocket")),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = std::process::Command::new(cargo);
    // Only what finds the toolchain: the variables cargo sets for this test would make it
    // rebuild the dependencies it has already built.
    build.env_clear();
    for (name, value) in std::env::vars_os() {
        let keep = [
            "PATH",
            "HOME",
            "CARGO_HOME",
            "RUSTUP_HOME",
            "RUSTUP_TOOLCHAIN",
            "TMPDIR",
        ];
        if name.to_str().is_some_and(|n| keep.contains(&n)) {
            build.env(name, value);
        }
    }
    build
        .args([
            "build",
            "--quiet",
            "--example",
            "receiver",
            "--no-default-features",
        ])
        .arg("--features")
        .arg(features.join(","))
        .arg("--manifest-path")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir);
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "cargo build --example receiver failed");
    profile_dir.join("examples/receiver")
}

/// A `receiver` example process, killed on drop.
#[cfg(all(
    feature = "postgres",
    feature = "ed25519",
    feature = "p256",
    feature = "rsa"
))]
struct ReceiverProcess {
    addr: SocketAddr,
    child: std::process::Child,
}

#[cfg(all(
    feature = "postgres",
    feature = "ed25519",
    feature = "p256",
    feature = "rsa"
))]
impl ReceiverProcess {
    /// Start `binary` on a free port of 127.0.0.1 with `DATABASE_URL=database` and the async
    /// queue on PostgreSQL, and wait (bounded) until it listens.
    async fn start(binary: &std::path::Path, database: &str, name: &str) -> ReceiverProcess {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let dead_letters = std::env::temp_dir().join(format!(
            "webhook-guard-dead-letters-{}-{name}.jsonl",
            std::process::id()
        ));
        let mut child = std::process::Command::new(binary)
            .env_clear()
            .env("BIND", addr.to_string())
            .env("WEBHOOK_SECRET", KEY)
            .env("DATABASE_URL", database)
            .env("ASYNC_STORE", "postgres")
            .env("DEAD_LETTER_FILE", dead_letters)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the receiver example starts");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while tokio::net::TcpStream::connect(addr).await.is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                let mut err = String::new();
                if let Some(mut stderr) = child.stderr.take() {
                    use std::io::Read;
                    let _ = stderr.read_to_string(&mut err);
                }
                panic!("receiver {name} exited ({status}): {err}");
            }
            assert!(
                std::time::Instant::now() < deadline,
                "receiver {name} did not listen within 30 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        ReceiverProcess { addr, child }
    }

    /// How many times this process's handlers processed delivery `id` (`GET /events`).
    async fn processed(&self, id: &str) -> usize {
        let events = common::get_json(self.addr, "/events").await;
        events
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["id"] == id)
            .count()
    }
}

#[cfg(all(
    feature = "postgres",
    feature = "ed25519",
    feature = "p256",
    feature = "rsa"
))]
impl Drop for ReceiverProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two `receiver` processes on one database get concurrent copies of the same signed deliveries,
/// on the synchronous route and on the async-ack one: each delivery is processed exactly once,
/// the other copies answered as duplicates (`200 {"duplicate":true}`), in flight (`409`) or,
/// for the async route, acknowledged.
#[cfg(all(
    feature = "postgres",
    feature = "ed25519",
    feature = "p256",
    feature = "rsa"
))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_receiver_processes_on_one_database_process_each_delivery_once() {
    use std::time::{Duration, Instant};
    let Some(server) = postgres_server::PostgresServer::start("two receiver processes") else {
        return;
    };
    let binary = tokio::task::spawn_blocking(receiver_binary).await.unwrap();
    let url = server.url();
    let a = ReceiverProcess::start(&binary, &url, "a").await;
    let b = ReceiverProcess::start(&binary, &url, "b").await;

    let mut ids = Vec::new();
    let mut sent = Vec::new();
    for (route, n) in [
        ("/webhooks/heppu", 0),
        ("/webhooks/heppu", 1),
        ("/webhooks/heppu/async", 2),
        ("/webhooks/heppu/async", 3),
    ] {
        let id = format!("dlv_two_processes_{n}");
        let body = samples::HEPPU_CHAT_COMPLETED.replace("conv_", &format!("conv_{n}_"));
        let delivery = Delivery::new(Scheme::heppu(), body).id(&id).sign(&secret());
        // Four copies to each process at once.
        for copy in 0..8 {
            let addr = if copy % 2 == 0 { a.addr } else { b.addr };
            let delivery = delivery.clone();
            sent.push(tokio::spawn(async move {
                (route, send(addr, route, delivery).await)
            }));
        }
        ids.push(id);
    }
    for answer in sent {
        let (route, answer) = answer.await.unwrap();
        let status = answer.status.as_u16();
        let ok = match status {
            200 => true,
            202 => route.ends_with("/async"),
            409 => answer.code() == "in_flight",
            _ => false,
        };
        assert!(ok, "{route}: {status} {:?}", answer.json);
    }
    // The async jobs take half a second each; then time for a second run of any to show.
    let deadline = Instant::now() + Duration::from_secs(20);
    for id in &ids {
        loop {
            let runs = a.processed(id).await + b.processed(id).await;
            if runs >= 1 {
                break;
            }
            assert!(Instant::now() < deadline, "{id} never processed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for id in &ids {
        let (in_a, in_b) = (a.processed(id).await, b.processed(id).await);
        assert_eq!(
            in_a + in_b,
            1,
            "{id}: processed {in_a} times by a, {in_b} by b"
        );
    }
}

/// The `poem_receiver` example's app, in-process on an ephemeral port, against the axum
/// `receiver`: the same answer per route for the script and the added senders, the same
/// `/events` and the same counters.
#[cfg(feature = "poem")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_and_poem_receivers_keep_the_same_contract() {
    let config = config();
    let axum_addr = common::spawn(receiver_app::app(&config).router).await;
    let poem = poem_receiver_app::app(&config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let poem_addr = listener.local_addr().unwrap();
    // Ends with the test's runtime.
    tokio::spawn(poem_receiver_app::serve(
        listener,
        poem.app,
        std::future::pending(),
    ));

    for (path, delivery) in script().into_iter().chain(added_senders()) {
        let a = send(axum_addr, path, delivery.clone()).await;
        let b = send(poem_addr, path, delivery).await;
        assert_eq!(summary(&a), summary(&b), "{path}: axum vs poem");
    }
    // The queued job lands in /events once its background work is done (bounded wait).
    let expected = 12 + added_senders().len();
    let mut tries = 0;
    let (axum_events, poem_events) = loop {
        let a = common::get_json(axum_addr, "/events").await;
        let b = common::get_json(poem_addr, "/events").await;
        if a.as_array().unwrap().len() == expected && b.as_array().unwrap().len() == expected {
            break (a, b);
        }
        tries += 1;
        assert!(tries < 100, "the async job never finished: {a} / {b}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(axum_events, poem_events);
    let mut m_axum = common::get_json(axum_addr, "/metrics/webhooks").await;
    let mut m_poem = common::get_json(poem_addr, "/metrics/webhooks").await;
    assert_eq!(m_axum["processing"]["count"], m_poem["processing"]["count"]);
    m_axum.as_object_mut().unwrap().remove("processing");
    m_poem.as_object_mut().unwrap().remove("processing");
    assert_eq!(m_axum, m_poem, "the same counters on both");
    assert_eq!(m_axum["duplicates"], 1);

    // Routes without their key and Dropbox's challenge answer alike too.
    let unsigned = SignedDelivery {
        headers: http::HeaderMap::new(),
        body: bytes::Bytes::from_static(br#"{"id":"1","type":1}"#),
    };
    let a = send(axum_addr, "/webhooks/discord", unsigned.clone()).await;
    let b = send(poem_addr, "/webhooks/discord", unsigned).await;
    assert_eq!(summary(&a), summary(&b), "/webhooks/discord: axum vs poem");
    assert_eq!(a.code(), KeyNotConfigured::CODE);
    let get = b"GET /webhooks/dropbox?challenge=abc123 HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n";
    let body =
        |(status, text): (u16, String)| (status, text.split("\r\n\r\n").nth(1).map(str::to_owned));
    let a = body(common::raw_exchange(axum_addr, get).await);
    let b = body(common::raw_exchange(poem_addr, get).await);
    assert_eq!(a, (200, Some("abc123".to_owned())));
    assert_eq!(a, b, "Dropbox's challenge: axum vs poem");
}

#[cfg(feature = "rocket")]
use crate::rocket_receiver_app;

/// The rocket receiver (`rocket_receiver`) launched on an ephemeral 127.0.0.1 port, quiet, in
/// this runtime, as the example's `main` launches it.
#[cfg(feature = "rocket")]
async fn spawn_rocket(config: &ReceiverConfig) -> SocketAddr {
    let (rocket, _log, _queue) = rocket_receiver_app::rocket(config);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let tx = std::sync::Mutex::new(Some(tx));
    let liftoff = rocket::fairing::AdHoc::on_liftoff("port", move |r| {
        let port = r.config().port;
        Box::pin(async move {
            if let Some(tx) = tx.lock().unwrap().take() {
                let _ = tx.send(port);
            }
        })
    });
    let rocket = rocket
        .configure(rocket::Config {
            address: [127, 0, 0, 1].into(),
            port: 0,
            log_level: rocket::config::LogLevel::Off,
            ..rocket::Config::debug_default()
        })
        .attach(liftoff);
    tokio::spawn(rocket.launch());
    SocketAddr::from(([127, 0, 0, 1], rx.await.expect("rocket lifts off")))
}

/// The rocket receiver keeps the axum receiver's contract: the scripted deliveries and one per
/// added sender get the same status and JSON on both, `/events` and the counters end the same,
/// each endpoint's retry is a duplicate, and a route without its key says which variable to set.
#[cfg(feature = "rocket")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_and_rocket_receivers_keep_the_same_contract() {
    let config = config();
    let axum_addr = common::spawn(receiver_app::app(&config).router).await;
    let rocket_addr = spawn_rocket(&config).await;

    for (path, delivery) in script() {
        let a = send(axum_addr, path, delivery.clone()).await;
        let b = send(rocket_addr, path, delivery).await;
        assert_eq!(summary(&a), summary(&b), "{path}: axum vs rocket");
        assert_eq!(
            a.headers.get("content-type"),
            b.headers.get("content-type"),
            "{path}"
        );
    }
    // The queued job lands in /events once its background work is done (bounded wait).
    let mut tries = 0;
    let (axum_events, rocket_events) = loop {
        let a = common::get_json(axum_addr, "/events").await;
        let b = common::get_json(rocket_addr, "/events").await;
        if a.as_array().unwrap().len() == 12 && b.as_array().unwrap().len() == 12 {
            break (a, b);
        }
        tries += 1;
        assert!(tries < 100, "the async job never finished: {a} / {b}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(axum_events, rocket_events);

    for (path, delivery) in added_senders() {
        let a = send(axum_addr, path, delivery.clone()).await;
        let b = send(rocket_addr, path, delivery.clone()).await;
        assert_eq!(summary(&a), summary(&b), "{path}: axum vs rocket");
        assert_eq!(a.status, 200, "{path}: {}", a.json);
        // The sender's retry: a duplicate on both.
        let a = send(axum_addr, path, delivery.clone()).await;
        let b = send(rocket_addr, path, delivery).await;
        assert_eq!(summary(&a), summary(&b), "{path} again: axum vs rocket");
        assert_eq!(summary(&b), (200, json!({"duplicate": true})), "{path}");
    }
    // Routes without their key, and a path that is no route.
    let unsigned = SignedDelivery {
        headers: http::HeaderMap::new(),
        body: bytes::Bytes::from_static(br#"{"id":"1","type":1}"#),
    };
    for path in [
        "/webhooks/discord",
        "/webhooks/sendgrid",
        "/webhooks/paypal",
    ] {
        let a = send(axum_addr, path, unsigned.clone()).await;
        let b = send(rocket_addr, path, unsigned.clone()).await;
        assert_eq!(summary(&a), summary(&b), "{path}: axum vs rocket");
        assert_eq!(b.code(), "key_not_configured", "{path}");
    }
    let a = send(axum_addr, "/webhooks/nobody", unsigned.clone()).await;
    let b = send(rocket_addr, "/webhooks/nobody", unsigned).await;
    assert_eq!(
        (a.status, b.status),
        (404.try_into().unwrap(), 404.try_into().unwrap())
    );

    let axum_events = common::get_json(axum_addr, "/events").await;
    assert_eq!(axum_events, common::get_json(rocket_addr, "/events").await);
    assert_eq!(
        axum_events.as_array().unwrap().len(),
        12 + added_senders().len()
    );
    let mut m_axum = common::get_json(axum_addr, "/metrics/webhooks").await;
    let mut m_rocket = common::get_json(rocket_addr, "/metrics/webhooks").await;
    m_axum.as_object_mut().unwrap().remove("processing");
    m_rocket.as_object_mut().unwrap().remove("processing");
    assert_eq!(m_axum, m_rocket, "the same counters on both");

    // Dropbox's unsigned challenge, outside the guard.
    let challenge = |addr: SocketAddr| async move {
        let req = http::Request::get(format!("http://{addr}/webhooks/dropbox?challenge=abc123"))
            .body(http_body_util::Full::new(bytes::Bytes::new()))
            .unwrap();
        let res = common::client().request(req).await.unwrap();
        let status = res.status();
        let body = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes();
        (status, body)
    };
    assert_eq!(challenge(axum_addr).await, challenge(rocket_addr).await);
}
