//! Cross-implementation tests: deliveries signed by the senders' own libraries are verified by
//! this crate over HTTP (the receiver example on 127.0.0.1), and deliveries signed by our
//! `testing` signer are verified by the senders' libraries.
//!
//! The libraries (pinned in `tests/interop/requirements.txt` and `tests/interop/package.json`):
//! Python `standardwebhooks`, `svix`, `stripe`, `slack-sdk`, `PyNaCl`, `sendgrid`, `twilio`,
//! `cryptography`, `coinbase-commerce`, `paddle-python-sdk` and `boxsdk` in
//! `target/interop/venv`, and npm `@octokit/webhooks-methods`, `@linear/sdk` and `@mux/mux-node`
//! in `tests/interop/node_modules`. `.ci/run` installs them. Where they are missing each test is
//! skipped with the reason printed, except under `CI`, where a missing library fails the test.
//!
//! Senders with no installable SDK that verifies their signatures, so checked here only against
//! vectors (`request_signing_senders`): Dropbox (its `dropbox` SDK calls the API and checks no
//! webhook). Zoom's is npm `@zoom/rivet` (its `AwsLambdaReceiver`, through
//! `tests/interop/zoom.mjs`); Square's, HubSpot's, Twitch's (twitchAPI) and Mailgun's are Python
//! (`squareup`, `hubspot-api-client`, `twitchAPI`, `mailgun`).

use crate::common;
use crate::receiver_app;
use crate::receiver_config;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};
use webhook_guard::testing::{Delivery, SignedDelivery, samples};
use webhook_guard::{Scheme, Secret};

/// The receiver's key. Standard Webhooks and Svix take it as `whsec_<base64 of these bytes>`,
/// the other libraries as this text.
const KEY: &str = "interop-secret-0123456789abcdef";

fn whsec() -> String {
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(KEY)
    )
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `Some(())` when `check` passes; otherwise skip (print why) or, under CI, fail.
fn require(test: &str, what: &str, check: impl FnOnce() -> Result<(), String>) -> Option<()> {
    match check() {
        Ok(()) => Some(()),
        Err(reason) => {
            if std::env::var_os("CI").is_some() {
                panic!("{test}: CI requires {what}: {reason}");
            }
            eprintln!("SKIPPED {test}: {what} unavailable ({reason}); run .ci/run to install it");
            None
        }
    }
}

fn python() -> PathBuf {
    root().join("target/interop/venv/bin/python")
}

fn python_libraries(test: &str) -> Option<()> {
    require(test, "the senders' Python libraries", || {
        let out = Command::new(python())
            .args([
                "-c",
                "import standardwebhooks, svix.webhooks, stripe, slack_sdk.signature, nacl.signing, \
                 sendgrid.helpers.eventwebhook, cryptography, twilio.request_validator",
            ])
            .output()
            .map_err(|e| format!("{}: {e}", python().display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    })
}

fn octokit(test: &str) -> Option<()> {
    require(test, "node and @octokit/webhooks-methods", || {
        let module = root().join("tests/interop/node_modules/@octokit/webhooks-methods");
        if !module.is_dir() {
            return Err(format!("{} is missing", module.display()));
        }
        let out = Command::new("node")
            .arg("--version")
            .output()
            .map_err(|e| format!("node: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err("node --version failed".to_owned())
        }
    })
}

/// Run a helper with one JSON request on stdin; its JSON answer.
fn run(mut command: Command, request: &Value) -> Value {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("helper starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "helper failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("helper answers JSON")
}

fn py(request: Value) -> Value {
    let mut c = Command::new(python());
    c.arg(root().join("tests/interop/senders.py"));
    run(c, &request)
}

fn node(request: Value) -> Value {
    let mut c = Command::new("node");
    c.arg(root().join("tests/interop/octokit.mjs"))
        .current_dir(root().join("tests/interop"));
    run(c, &request)
}

/// A delivery whose headers came from a sender's library.
fn delivery(headers: &Value, body: &str) -> SignedDelivery {
    let mut map = HeaderMap::new();
    map.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (name, value) in headers.as_object().unwrap() {
        map.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value.as_str().unwrap()).unwrap(),
        );
    }
    SignedDelivery {
        headers: map,
        body: Bytes::copy_from_slice(body.as_bytes()),
    }
}

fn headers_json(d: &SignedDelivery) -> Value {
    Value::Object(
        d.headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), json!(v.to_str().unwrap())))
            .collect(),
    )
}

async fn receiver() -> std::net::SocketAddr {
    let receiver_app::Receiver {
        router: app,
        log: _log,
        ..
    } = receiver_app::app(&receiver_config::ReceiverConfig::with_secret(KEY).unwrap());
    common::spawn(app).await
}

/// (library name, route, secret as the library takes it, body)
fn python_senders() -> Vec<(&'static str, &'static str, String, &'static str)> {
    vec![
        (
            "standard",
            "/webhooks/standard",
            whsec(),
            samples::STANDARD_CONTACT_CREATED,
        ),
        (
            "svix",
            "/webhooks/standard",
            whsec(),
            samples::STANDARD_EXAMPLE_EVENT,
        ),
        (
            "stripe",
            "/webhooks/stripe",
            KEY.to_owned(),
            samples::STRIPE_SETUP_INTENT_CREATED,
        ),
        (
            "slack",
            "/webhooks/slack",
            KEY.to_owned(),
            samples::SLACK_EVENT_CALLBACK,
        ),
    ]
}

#[tokio::test]
async fn deliveries_signed_by_the_senders_python_libraries_verify_over_http() {
    let test = "deliveries_signed_by_the_senders_python_libraries_verify_over_http";
    if python_libraries(test).is_none() {
        return;
    }
    let addr = receiver().await;
    for (lib, route, secret, body) in python_senders() {
        let msg_id = format!("msg_interop_{lib}");
        let signed = py(json!({
            "op": "sign", "sender": lib, "secret": secret, "body": body,
            "id": msg_id, "timestamp": now_secs(),
        }));
        let d = delivery(&signed["headers"], body);
        let a = common::send(addr, route, d.clone()).await;
        assert_eq!(a.status, 200, "{lib}: {:?}", a.json);
        let expected_id = match lib {
            "stripe" => json!("evt_1NG8Du2eZvKYlo2CUI79vXWy"),
            "slack" => json!("Ev123ABC456"),
            _ => json!(msg_id),
        };
        let expected_type: Value = serde_json::from_str::<Value>(body).unwrap()["type"].clone();
        assert_eq!(
            a.json,
            json!({ "received": expected_type, "id": expected_id }),
            "{lib}"
        );
        // The same library's signature on another body is refused.
        let mut tampered = d;
        tampered.body = Bytes::from(body.replacen('}', " }", 1));
        assert_eq!(
            common::send(addr, route, tampered).await.code(),
            "signature_mismatch",
            "{lib}"
        );
    }
}

#[test]
fn stripe_library_reproduces_the_known_answer() {
    let test = "stripe_library_reproduces_the_known_answer";
    if python_libraries(test).is_none() {
        return;
    }
    // The same value as tests/senders/mainstream_known_answers.rs, computed there with openssl.
    let signed = py(json!({
        "op": "sign", "sender": "stripe", "secret": "whsec_test_secret",
        "body": r#"{"id":"evt_test_webhook","object":"event","type":"payment_intent.succeeded"}"#,
        "timestamp": 1_700_000_000u64,
    }));
    assert_eq!(
        signed["headers"]["stripe-signature"],
        "t=1700000000,v1=130dc37d5a27b1b232a61e4f2ff00ed245f498112c11e8b747aff3d0fb754056"
    );
}

#[test]
fn our_signer_is_accepted_by_the_senders_python_libraries() {
    let test = "our_signer_is_accepted_by_the_senders_python_libraries";
    if python_libraries(test).is_none() {
        return;
    }
    let key = Secret::new(KEY).unwrap();
    let schemes = [
        ("standard", Scheme::standard_webhooks()),
        ("svix", Scheme::standard_webhooks()),
        ("stripe", Scheme::stripe()),
        ("slack", Scheme::slack()),
    ];
    for ((lib, _, secret, body), (lib2, scheme)) in python_senders().into_iter().zip(schemes) {
        assert_eq!(lib, lib2);
        let d = Delivery::new(scheme, body).sign(&key);
        let mut headers = headers_json(&d);
        if lib == "svix" {
            // Svix's library reads its own header names first.
            let h = headers.as_object_mut().unwrap();
            for name in ["id", "timestamp", "signature"] {
                let v = h.remove(&format!("webhook-{name}")).unwrap();
                h.insert(format!("svix-{name}"), v);
            }
        }
        let ok = py(json!({
            "op": "verify", "sender": lib, "secret": secret, "body": body, "headers": headers,
        }));
        assert_eq!(ok["ok"], true, "{lib}: {}", ok["error"]);
        // And the library does refuse: a changed body fails.
        let refused = py(json!({
            "op": "verify", "sender": lib, "secret": secret,
            "body": body.replacen('}', " }", 1), "headers": headers,
        }));
        assert_eq!(refused["ok"], false, "{lib} accepted a tampered body");
    }
    // Stripe during a secret roll: one v1 per secret; Stripe's library accepts either secret.
    let other = "interop-old-secret-0123456789ab";
    let d = Delivery::new(Scheme::stripe(), samples::STRIPE_CUSTOMER_UPDATED)
        .sign_with_each(&[&key, &Secret::new(other).unwrap()]);
    for secret in [KEY, other] {
        let ok = py(json!({
            "op": "verify", "sender": "stripe", "secret": secret,
            "body": samples::STRIPE_CUSTOMER_UPDATED, "headers": headers_json(&d),
        }));
        assert_eq!(ok["ok"], true, "{}", ok["error"]);
    }
}

#[tokio::test]
async fn github_octokit_signatures_verify_over_http_and_ours_verify_with_octokit() {
    let test = "github_octokit_signatures_verify_over_http_and_ours_verify_with_octokit";
    if octokit(test).is_none() {
        return;
    }
    // GitHub's documented example, signed by octokit.
    let docs = node(json!({
        "op": "sign", "secret": "It's a Secret to Everybody", "body": "Hello, World!",
    }));
    assert_eq!(
        docs["signature"],
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    );

    let addr = receiver().await;
    let body = samples::GITHUB_PING;
    let signed = node(json!({ "op": "sign", "secret": KEY, "body": body }));
    let headers = json!({
        "x-hub-signature-256": signed["signature"],
        "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "x-github-event": "ping",
    });
    let a = common::send(addr, "/webhooks/github", delivery(&headers, body)).await;
    assert_eq!(
        a.json,
        json!({ "received": "ping", "id": "72d3162e-cc78-11e3-81ab-4c9367dc0958" })
    );
    let wrong = node(json!({ "op": "sign", "secret": "another-secret-0123456789", "body": body }));
    let mut headers = headers;
    headers["x-hub-signature-256"] = wrong["signature"].clone();
    headers["x-github-delivery"] = json!("another-delivery");
    let a = common::send(addr, "/webhooks/github", delivery(&headers, body)).await;
    assert_eq!(a.code(), "signature_mismatch");

    // Reverse: our signer, octokit's verify.
    let d = Delivery::new(Scheme::github(), body)
        .event("ping")
        .sign(&Secret::new(KEY).unwrap());
    let sig = d.header("x-hub-signature-256").unwrap();
    let ok = node(json!({ "op": "verify", "secret": KEY, "body": body, "signature": sig }));
    assert_eq!(ok["ok"], true);
    let tampered = node(json!({
        "op": "verify", "secret": KEY, "body": format!("{body} "), "signature": sig,
    }));
    assert_eq!(tampered["ok"], false);
}

/// Discord, as its documentation verifies interactions (PyNaCl): an interaction signed by
/// PyNaCl with a fresh key pair verifies through a real server with that public key, and ours,
/// signed with the test key, verifies with PyNaCl; each side refuses a changed body.
#[cfg(feature = "ed25519")]
#[tokio::test]
async fn discord_signatures_made_by_pynacl_verify_and_ours_verify_with_pynacl() {
    use webhook_guard::keys::PublicKey;
    use webhook_guard::testing::keys;

    let test = "discord_signatures_made_by_pynacl_verify_and_ours_verify_with_pynacl";
    if python_libraries(test).is_none() {
        return;
    }
    let body = r#"{"id":"1100000000000000001","type":2,"data":{"name":"ping"}}"#;
    let signed = py(json!({
        "op": "sign", "sender": "discord", "secret": null, "body": body, "timestamp": now_secs(),
    }));
    let headers = &signed["headers"];
    let public = PublicKey::ed25519_hex(headers["public_key"].as_str().unwrap()).unwrap();
    let app = axum::Router::new()
        .route(
            "/interactions",
            axum::routing::post(|meta: webhook_guard::WebhookMeta| async move {
                meta.event_type().unwrap_or_default().to_owned()
            }),
        )
        .route_layer(webhook_guard::WebhookLayer::new(
            webhook_guard::Verifier::with_public_key(Scheme::discord(), public),
        ));
    let addr = common::spawn(app).await;
    let mut d = delivery(headers, body);
    d.headers.remove("public_key");
    let a = common::send(addr, "/interactions", d.clone()).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    let mut tampered = d;
    tampered.body = body.replace("ping", "pong").into();
    assert_eq!(
        common::send(addr, "/interactions", tampered).await.code(),
        "signature_mismatch"
    );

    let ours = Delivery::new(Scheme::discord(), body).sign_ed25519(&keys::ED25519_SEED_TEST_ONLY);
    let ok = py(json!({
        "op": "verify", "sender": "discord", "secret": keys::ED25519_PUBLIC_HEX,
        "body": body, "headers": headers_json(&ours),
    }));
    assert_eq!(ok["ok"], true, "{}", ok["error"]);
    let refused = py(json!({
        "op": "verify", "sender": "discord", "secret": keys::ED25519_PUBLIC_HEX,
        "body": body.replace("ping", "pong"), "headers": headers_json(&ours),
    }));
    assert_eq!(refused["ok"], false, "PyNaCl accepted a tampered body");
}

/// SendGrid's Signed Event Webhook: a batch signed with `cryptography` (ECDSA P-256, SHA-256,
/// DER, under the header names SendGrid's own library defines) verifies through a real server
/// with the public key in the base64 form SendGrid's settings show; a batch signed by our
/// signer verifies with the `sendgrid` package's `EventWebhook` helper. Each side refuses a
/// changed body.
#[cfg(feature = "p256")]
#[tokio::test]
async fn sendgrid_batches_signed_with_cryptography_verify_and_ours_verify_with_sendgrids_helper() {
    use webhook_guard::keys::PublicKey;
    use webhook_guard::testing::keys;

    let test =
        "sendgrid_batches_signed_with_cryptography_verify_and_ours_verify_with_sendgrids_helper";
    if python_libraries(test).is_none() {
        return;
    }
    let body = r#"[{"email":"example@test.com","timestamp":1513299569,"event":"delivered","sg_event_id":"sg_event_id","sg_message_id":"sg_message_id"}]"#;
    let signed = py(json!({
        "op": "sign", "sender": "sendgrid", "secret": null, "body": body, "timestamp": now_secs(),
    }));
    let headers = &signed["headers"];
    let public = PublicKey::p256_base64(headers["public_key"].as_str().unwrap()).unwrap();
    let app = axum::Router::new()
        .route(
            "/sendgrid",
            axum::routing::post(|meta: webhook_guard::WebhookMeta| async move {
                meta.scheme().to_owned()
            }),
        )
        .route_layer(webhook_guard::WebhookLayer::new(
            webhook_guard::Verifier::with_public_key(Scheme::sendgrid(), public),
        ));
    let addr = common::spawn(app).await;
    let mut d = delivery(headers, body);
    d.headers.remove("public_key");
    let a = common::send(addr, "/sendgrid", d.clone()).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    let mut tampered = d;
    tampered.body = body.replace("delivered", "bounce").into();
    assert_eq!(
        common::send(addr, "/sendgrid", tampered).await.code(),
        "signature_mismatch"
    );

    let ours = Delivery::new(Scheme::sendgrid(), body).sign_p256(keys::P256_PRIVATE_PEM_TEST_ONLY);
    let settings_key: String = keys::P256_PUBLIC_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let ok = py(json!({
        "op": "verify", "sender": "sendgrid", "secret": settings_key,
        "body": body, "headers": headers_json(&ours),
    }));
    assert_eq!(ok["ok"], true, "{}", ok["error"]);
    let refused = py(json!({
        "op": "verify", "sender": "sendgrid", "secret": settings_key,
        "body": body.replace("delivered", "bounce"), "headers": headers_json(&ours),
    }));
    assert_eq!(
        refused["ok"], false,
        "SendGrid's helper accepted a tampered body"
    );
}

/// PayPal: there is no offline verifier in PayPal's SDKs to check our signer against (they
/// verify by posting the delivery to PayPal's `verify-webhook-signature` API, or fetch the
/// certificate from `PAYPAL-CERT-URL`; neither works without PayPal). So the delivery is
/// signed with Python's `cryptography` (RSA PKCS#1 v1.5, SHA-256) over the message as PayPal
/// documents it, `<transmission id>|<transmission time>|<webhook id>|<zlib CRC32 of the body>`,
/// under a certificate made there, independently of our signer and our CRC32, and verified
/// through a real server with that certificate. Changing the body, the transmission id or the
/// webhook id is refused.
#[cfg(feature = "rsa")]
#[tokio::test]
async fn paypal_deliveries_signed_with_cryptography_as_documented_verify_over_http() {
    use webhook_guard::keys::PublicKey;

    let test = "paypal_deliveries_signed_with_cryptography_as_documented_verify_over_http";
    if python_libraries(test).is_none() {
        return;
    }
    let webhook_id = "8PT597110X687430LKGECATA";
    let body = r#"{"id":"WH-58D329510W468432D-8HN650336L201105X","event_version":"1.0","create_time":"2019-02-14T21:50:07.940Z","resource_type":"capture","event_type":"PAYMENT.CAPTURE.COMPLETED","summary":"Payment completed for $ 2.51 USD","resource":{"id":"27M47624FP291604U","status":"COMPLETED"}}"#;
    let signed = py(json!({
        "op": "sign", "sender": "paypal", "secret": null, "body": body,
        "id": "b2384410-f8d2-11ec-b22c-9fb3e4ce5e8b", "webhook_id": webhook_id,
    }));
    let mut headers = signed["headers"].clone();
    // The certificate (PEM, several lines) is no header: taken out before the delivery is made.
    let pem = headers
        .as_object_mut()
        .unwrap()
        .remove("public_key")
        .unwrap();
    let cert = PublicKey::from_certificate_pem(pem.as_str().unwrap()).unwrap();
    let app = axum::Router::new()
        .route(
            "/paypal",
            axum::routing::post(|meta: webhook_guard::WebhookMeta| async move {
                format!(
                    "{} {}",
                    meta.id().unwrap_or("-"),
                    meta.event_type().unwrap_or("-")
                )
            }),
        )
        .route_layer(webhook_guard::WebhookLayer::new(
            webhook_guard::Verifier::with_public_key(
                Scheme::paypal(webhook_id).unwrap(),
                cert.clone(),
            ),
        ));
    let addr = common::spawn(app).await;
    let d = delivery(&headers, body);
    let a = common::send(addr, "/paypal", d.clone()).await;
    assert_eq!(a.status, 200, "{:?}", a.json);

    let mut tampered = d.clone();
    tampered.body = body.replace("2.51", "2.52").into();
    let mut other_transmission = d.clone();
    other_transmission.headers.insert(
        "paypal-transmission-id",
        "b2384410-f8d2-11ec-b22c-9fb3e4ce5e8c".parse().unwrap(),
    );
    for bad in [tampered, other_transmission] {
        assert_eq!(
            common::send(addr, "/paypal", bad).await.code(),
            "signature_mismatch"
        );
    }
    // Another subscription's webhook id: the same delivery does not verify.
    let other = webhook_guard::Verifier::with_public_key(
        Scheme::paypal("5GP028458E2496506").unwrap(),
        cert,
    );
    assert_eq!(
        other.verify(&d.headers, &d.body).unwrap_err().code(),
        "signature_mismatch"
    );
}

/// Twilio's own validator (twilio-python's `RequestValidator`): a form-encoded message with a
/// repeated parameter, an empty value and non-ASCII text, and a JSON body under Twilio's
/// `bodySHA256` URL, each signed by the library and verified by us over HTTP, and signed by us
/// and validated by the library.
#[tokio::test]
async fn twilio_signatures_of_its_request_validator_verify_and_ours_pass_its_validation() {
    let test = "twilio_signatures_of_its_request_validator_verify_and_ours_pass_its_validation";
    if python_libraries(test).is_none() {
        return;
    }
    const BASE: &str = "https://hooks.example.com";
    let scheme = Scheme::twilio(BASE).unwrap();
    let secret = Secret::new(KEY).unwrap();
    let (addr, seen) =
        common::recording_route(webhook_guard::Verifier::new(scheme.clone(), secret.clone())).await;
    let form = "To=%2B14155550100&Body=Gr%C3%BC%C3%9Fe+%26+more&From=%2B14158675310\
                &MediaUrl0=&Tag=b&Tag=a&MessageSid=SM0123456789abcdef0123456789abcdef";
    let url = format!("{BASE}/hook?region=eu");
    let signed = py(json!({
        "op": "sign", "sender": "twilio", "secret": KEY, "body": form, "url": url,
    }));
    let a = common::send(addr, "/hook?region=eu", delivery(&signed["headers"], form)).await;
    assert_eq!(a.status, 200, "twilio form: {:?}", a.json);

    let body = r#"{"event":"message.delivered","sid":"SM0123456789abcdef0123456789abcdef"}"#;
    let signed = py(json!({
        "op": "sign", "sender": "twilio", "secret": KEY, "body": body,
        "url": format!("{BASE}/hook"), "json": true,
    }));
    let path = signed["url"]
        .as_str()
        .unwrap()
        .strip_prefix(BASE)
        .unwrap()
        .to_owned();
    assert!(path.starts_with("/hook?bodySHA256="), "{path}");
    let a = common::send(addr, &path, delivery(&signed["headers"], body)).await;
    assert_eq!(a.status, 200, "twilio JSON: {:?}", a.json);
    assert_eq!(seen.lock().unwrap().len(), 2);

    // Ours, validated by the library; and a changed parameter refused by it.
    let ours = Delivery::new(scheme.clone(), form)
        .path("/hook?region=eu")
        .sign(&secret);
    let verdict = |body: &str, url: &str, json: bool, d: &SignedDelivery| {
        py(json!({
            "op": "verify", "sender": "twilio", "secret": KEY, "body": body,
            "headers": headers_json(d), "url": url, "json": json,
        }))
    };
    assert_eq!(verdict(form, &url, false, &ours)["ok"], json!(true));
    let other = form.replace("Tag=b", "Tag=c");
    assert_eq!(verdict(&other, &url, false, &ours)["ok"], json!(false));
    use sha2::Digest as _;
    let path = format!(
        "/hook?bodySHA256={}",
        hex::encode(sha2::Sha256::digest(body))
    );
    let ours = Delivery::new(scheme, body).path(path.clone()).sign(&secret);
    assert_eq!(
        verdict(body, &format!("{BASE}{path}"), true, &ours)["ok"],
        json!(true)
    );
    assert_eq!(
        verdict("{}", &format!("{BASE}{path}"), true, &ours)["ok"],
        json!(false)
    );
}

// -- The body-HMAC senders (Linear, Lemon Squeezy, Sentry, Coinbase Commerce, WooCommerce,
// Bitbucket Cloud, Intercom, Vercel) ---------------------------------------------------------
// Installable libraries that really verify these senders' signatures exist for two of them:
// Coinbase Commerce (PyPI `coinbase-commerce`, its official Python library) and Linear (npm
// `@linear/sdk`, whose `LinearWebhookClient` verifies). Lemon Squeezy, Sentry, WooCommerce,
// Bitbucket Cloud, Intercom and Vercel publish no library with a webhook verifier on PyPI or npm
// (their API clients send requests, they do not check deliveries), so they have no interop test
// here; their known answers are in tests/senders/body_hmac_known_answers.rs.

fn coinbase_commerce_library(test: &str) -> Option<()> {
    require(test, "the coinbase-commerce Python library", || {
        let out = Command::new(python())
            .args(["-c", "import coinbase_commerce.webhook"])
            .output()
            .map_err(|e| format!("{}: {e}", python().display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    })
}

/// Coinbase Commerce: a delivery signed by the `coinbase-commerce` library (the signer its own
/// `Webhook.construct_event` compares with) verifies over HTTP at `/webhooks/coinbase-commerce`
/// and is keyed on the event's id; one signed by our signer passes `construct_event`. Each side
/// refuses a changed body.
#[tokio::test]
async fn coinbase_commerce_library_signatures_verify_over_http_and_ours_pass_construct_event() {
    let test =
        "coinbase_commerce_library_signatures_verify_over_http_and_ours_pass_construct_event";
    if coinbase_commerce_library(test).is_none() {
        return;
    }
    let body = samples::COINBASE_COMMERCE_CHARGE_CREATED;
    let signed = py(json!({
        "op": "sign", "sender": "coinbase_commerce", "secret": KEY, "body": body,
    }));
    let addr = receiver().await;
    let d = delivery(&signed["headers"], body);
    let a = common::send(addr, "/webhooks/coinbase-commerce", d.clone()).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(
        a.json,
        json!({"received": "charge:created", "id": "24934862-d980-46cb-9402-43c81b0cdba6"})
    );
    // Its retry (the same event, signed again) is a duplicate.
    let again = common::send(addr, "/webhooks/coinbase-commerce", d.clone()).await;
    assert_eq!(again.json, json!({"duplicate": true}));
    let mut tampered = d;
    tampered.body = body.replace("66BEOV2A", "66BEOV2B").into();
    assert_eq!(
        common::send(addr, "/webhooks/coinbase-commerce", tampered)
            .await
            .code(),
        "signature_mismatch"
    );

    let key = Secret::new(KEY).unwrap();
    let ours = Delivery::new(Scheme::coinbase_commerce(), body).sign(&key);
    let ok = py(json!({
        "op": "verify", "sender": "coinbase_commerce", "secret": KEY,
        "body": std::str::from_utf8(&ours.body).unwrap(), "headers": headers_json(&ours),
    }));
    assert_eq!(ok["ok"], true, "{}", ok["error"]);
    let refused = py(json!({
        "op": "verify", "sender": "coinbase_commerce", "secret": KEY,
        "body": body.replace("66BEOV2A", "66BEOV2B"), "headers": headers_json(&ours),
    }));
    assert_eq!(
        refused["ok"], false,
        "construct_event accepted a changed body"
    );
}

fn linear_sdk(test: &str) -> Option<()> {
    require(test, "node and @linear/sdk", || {
        let module = root().join("tests/interop/node_modules/@linear/sdk");
        if !module.is_dir() {
            return Err(format!("{} is missing", module.display()));
        }
        let out = Command::new("node")
            .arg("--version")
            .output()
            .map_err(|e| format!("node: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err("node --version failed".to_owned())
        }
    })
}

fn linear_verify(body: &[u8], signature: &str) -> Value {
    let mut c = Command::new("node");
    c.arg(root().join("tests/interop/linear.mjs"))
        .current_dir(root().join("tests/interop"));
    run(
        c,
        &json!({
            "secret": KEY,
            "body": std::str::from_utf8(body).unwrap(),
            "signature": signature,
        }),
    )
}

/// Linear: our signer's deliveries pass Linear's own `LinearWebhookClient` (which checks the
/// signature and that `webhookTimestamp` is a number within one minute of now), and the same
/// delivery verifies over HTTP at `/webhooks/linear`. Linear's SDK has no signer, so the
/// other direction rests on the OpenSSL known answer of `body_hmac_known_answers`. Both
/// refuse a changed body, and a delivery two minutes old is refused by the SDK and by the
/// scheme's verifier (Linear's one-minute tolerance is the scheme's).
#[tokio::test]
async fn our_linear_deliveries_pass_linears_sdk_and_verify_over_http() {
    let test = "our_linear_deliveries_pass_linears_sdk_and_verify_over_http";
    if linear_sdk(test).is_none() {
        return;
    }
    let key = Secret::new(KEY).unwrap();
    let now_ms = now_secs() * 1000;
    let ours = Delivery::new(Scheme::linear(), samples::LINEAR_ISSUE_CREATE)
        .id("234d1a4e-b617-4388-90fe-adc3633d6b72")
        .timestamp(now_ms)
        .sign(&key);
    let signature = ours.header("linear-signature").unwrap().to_owned();
    let ok = linear_verify(&ours.body, &signature);
    assert_eq!(ok["ok"], true, "{}", ok["error"]);
    assert_eq!(ok["type"], "Issue");
    let mut changed = ours.body.to_vec();
    changed.push(b' ');
    let refused = linear_verify(&changed, &signature);
    assert_eq!(refused["ok"], false, "Linear's SDK accepted a changed body");

    let addr = receiver().await;
    let a = common::send(addr, "/webhooks/linear", ours).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(
        a.json,
        json!({"received": "Issue", "id": "234d1a4e-b617-4388-90fe-adc3633d6b72"})
    );

    let old = Delivery::new(Scheme::linear(), samples::LINEAR_ISSUE_CREATE)
        .timestamp(now_ms - 120_000)
        .sign(&key);
    let old_sig = old.header("linear-signature").unwrap().to_owned();
    let stale = linear_verify(&old.body, &old_sig);
    assert_eq!(
        stale["ok"], false,
        "Linear's SDK accepted a 2-minute-old delivery"
    );
    // The scheme carries Linear's one-minute window, so a plain verifier refuses it too.
    let default = webhook_guard::Verifier::new(Scheme::linear(), key);
    assert_eq!(
        default.verify(&old.headers, &old.body).unwrap_err().kind(),
        webhook_guard::RejectionKind::TimestampExpired
    );
}

/// The Python libraries of the timestamped senders, checked apart from the older ones so that
/// either set can be missing on its own.
fn timestamped_libraries(test: &str) -> Option<()> {
    require(test, "the timestamped senders' Python libraries", || {
        let out = Command::new(python())
            .args([
                "-c",
                "import paddle_billing.Notifications, box_sdk_gen.managers.webhooks",
            ])
            .output()
            .map_err(|e| format!("{}: {e}", python().display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    })
}

/// (library, route, scheme, body, delivery id the route reports) for the timestamped senders
/// with an installable Python library: Paddle Billing (`paddle-python-sdk`) and Box (`boxsdk`).
/// Mux's is an npm package (its own test below). Calendly, Typeform, PagerDuty and Zendesk
/// publish no installable library that verifies their signatures; they are checked against
/// OpenSSL in `tests/senders/timestamped_known_answers.rs`.
fn timestamped_senders() -> Vec<(
    &'static str,
    &'static str,
    Scheme,
    &'static str,
    &'static str,
)> {
    vec![
        (
            "paddle",
            "/webhooks/paddle",
            Scheme::paddle(),
            samples::PADDLE_TRANSACTION_COMPLETED,
            "evt_01h8bzakzx3hm2fmen703n5q45",
        ),
        (
            "box",
            "/webhooks/box",
            Scheme::box_com(),
            samples::BOX_FILE_UPLOADED,
            "eb0c4e06-751f-442c-86f8-fd5bb404dbec",
        ),
    ]
}

#[tokio::test]
async fn timestamped_senders_libraries_sign_for_us_and_verify_ours() {
    let test = "timestamped_senders_libraries_sign_for_us_and_verify_ours";
    if timestamped_libraries(test).is_none() {
        return;
    }
    let addr = receiver().await;
    let key = Secret::new(KEY).unwrap();
    for (lib, route, scheme, body, id) in timestamped_senders() {
        // Theirs, verified by the receiver over HTTP; and refused once the body changes.
        let signed = py(json!({
            "op": "sign", "sender": lib, "secret": KEY, "body": body, "timestamp": now_secs(),
        }));
        let d = delivery(&signed["headers"], body);
        let a = common::send(addr, route, d.clone()).await;
        assert_eq!(a.status, 200, "{lib}: {:?}", a.json);
        assert_eq!(a.json["id"], json!(id), "{lib}");
        let mut tampered = d;
        tampered.body = Bytes::from(body.replacen('}', " }", 1));
        assert_eq!(
            common::send(addr, route, tampered).await.code(),
            "signature_mismatch",
            "{lib}"
        );
        // Ours, verified by their library; and a changed body refused by it. Box's library
        // also wants the constant version and algorithm headers Box sends.
        let mut ours = Delivery::new(scheme, body);
        if lib == "box" {
            ours = ours
                .header("box-signature-version", "1")
                .header("box-signature-algorithm", "HmacSHA256");
        }
        let ours = ours.sign(&key);
        let verdict = |body: &str| {
            py(json!({
                "op": "verify", "sender": lib, "secret": KEY, "body": body,
                "headers": headers_json(&ours),
            }))
        };
        let ok = verdict(body);
        assert_eq!(ok["ok"], true, "{lib}: {}", ok["error"]);
        assert_eq!(verdict(&body.replacen('}', " }", 1))["ok"], false, "{lib}");
    }
}

fn mux_node(test: &str) -> Option<()> {
    require(test, "node and @mux/mux-node", || {
        let module = root().join("tests/interop/node_modules/@mux/mux-node");
        if !module.is_dir() {
            return Err(format!("{} is missing", module.display()));
        }
        let out = Command::new("node")
            .arg("--version")
            .output()
            .map_err(|e| format!("node: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err("node --version failed".to_owned())
        }
    })
}

fn mux(request: Value) -> Value {
    let mut c = Command::new("node");
    c.arg(root().join("tests/interop/mux.mjs"))
        .current_dir(root().join("tests/interop"));
    run(c, &request)
}

#[tokio::test]
async fn mux_node_signatures_verify_over_http_and_ours_verify_with_mux_node() {
    let test = "mux_node_signatures_verify_over_http_and_ours_verify_with_mux_node";
    if mux_node(test).is_none() {
        return;
    }
    let body = samples::MUX_VIDEO_ASSET_READY;
    let addr = receiver().await;
    // Theirs, over HTTP.
    let signed = mux(json!({
        "op": "sign", "secret": KEY, "body": body, "timestamp": now_secs(),
    }));
    let d = delivery(&signed["headers"], body);
    let a = common::send(addr, "/webhooks/mux", d.clone()).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(
        a.json,
        json!({ "received": "video.asset.ready", "id": "3a56ac3d-33da-4366-855b-f592d898409d" })
    );
    let mut tampered = d;
    tampered.body = Bytes::from(body.replacen('}', " }", 1));
    assert_eq!(
        common::send(addr, "/webhooks/mux", tampered).await.code(),
        "signature_mismatch"
    );
    // Ours, verified by Mux's library; a changed body and a stale timestamp refused by it.
    let key = Secret::new(KEY).unwrap();
    let ours = Delivery::new(Scheme::mux(), body).sign(&key);
    let verdict = |body: &str, d: &SignedDelivery| {
        mux(json!({ "op": "verify", "secret": KEY, "body": body, "headers": headers_json(d) }))
    };
    let ok = verdict(body, &ours);
    assert_eq!(ok["ok"], true, "{}", ok["error"]);
    assert_eq!(verdict(&body.replacen('}', " }", 1), &ours)["ok"], false);
    let stale = Delivery::new(Scheme::mux(), body)
        .timestamp(now_secs() - 600)
        .sign(&key);
    assert_eq!(verdict(body, &stale)["ok"], false);
}

/// Box signs every delivery with both of the application's keys. The receiver reads
/// `BOX-SIGNATURE-PRIMARY` and `BOX-SIGNATURE-SECONDARY` (see `Scheme::box_com`): a delivery
/// whose primary key the receiver does not know (it was regenerated) is accepted through the
/// secondary signature, as Box's own `validate_message`, given that secondary key, accepts it;
/// with neither key known, both refuse it.
#[tokio::test]
async fn box_secondary_signature_alone_verifies_as_box_sdk_accepts_it() {
    let test = "box_secondary_signature_alone_verifies_as_box_sdk_accepts_it";
    if timestamped_libraries(test).is_none() {
        return;
    }
    let body = samples::BOX_FILE_UPLOADED;
    let new_primary = "box-new-primary-key-0123456789";
    let signed = py(json!({
        "op": "sign", "sender": "box", "secret": new_primary, "secondary": KEY, "body": body,
        "timestamp": now_secs(),
    }));
    let verdict = py(json!({
        "op": "verify", "sender": "box", "secret": "box-old-primary-key-0123456789",
        "secondary": KEY, "body": body, "headers": signed["headers"],
    }));
    assert_eq!(verdict["ok"], true, "{}", verdict["error"]);
    let addr = receiver().await;
    let a = common::send(addr, "/webhooks/box", delivery(&signed["headers"], body)).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json["received"], "FILE.UPLOADED");
    // Neither key known: Box's SDK and the receiver both refuse it.
    let unknown = py(json!({
        "op": "sign", "sender": "box", "secret": new_primary,
        "secondary": "box-new-secondary-key-0123456789", "body": body, "timestamp": now_secs(),
    }));
    let verdict = py(json!({
        "op": "verify", "sender": "box", "secret": "box-old-primary-key-0123456789",
        "secondary": KEY, "body": body, "headers": unknown["headers"],
    }));
    assert_eq!(verdict["ok"], false);
    let a = common::send(addr, "/webhooks/box", delivery(&unknown["headers"], body)).await;
    assert_eq!(a.code(), "signature_mismatch");
}

/// `Some(())` when the venv's Python imports `module` (a sender's SDK added after the shared
/// list of [`python_libraries`]); otherwise skip, or fail under CI.
fn python_module(test: &str, module: &str) -> Option<()> {
    require(test, module, || {
        let out = Command::new(python())
            .args(["-c", &format!("import {module}")])
            .output()
            .map_err(|e| format!("{}: {e}", python().display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    })
}

/// Square: its Python SDK (`squareup`) verifies only, with
/// `square.utils.webhooks_helper.verify_signature`; the signature sent to us is made with
/// Python's `hmac` as that function computes it. Ours passes its check over the notification
/// URL, and a changed body or URL does not; its signature verifies here over HTTP.
#[tokio::test]
async fn square_signatures_pass_its_verify_signature_and_hmac_ones_verify_here() {
    let test = "square_signatures_pass_its_verify_signature_and_hmac_ones_verify_here";
    if python_module(test, "square.utils.webhooks_helper").is_none() {
        return;
    }
    const BASE: &str = "https://hooks.example.com";
    let scheme = Scheme::square(BASE).unwrap();
    let secret = Secret::new(KEY).unwrap();
    let (addr, seen) =
        common::recording_route(webhook_guard::Verifier::new(scheme.clone(), secret.clone())).await;
    let body = samples::SQUARE_PAYMENT_UPDATED;
    let url = format!("{BASE}/hook?env=sandbox");
    let signed = py(json!({
        "op": "sign", "sender": "square", "secret": KEY, "body": body, "url": url,
    }));
    let a = common::send(
        addr,
        "/hook?env=sandbox",
        delivery(&signed["headers"], body),
    )
    .await;
    assert_eq!(a.status, 200, "square: {:?}", a.json);
    assert_eq!(
        seen.lock().unwrap()[0][0].as_deref(),
        Some("13b867cf-db3d-4b1c-90b6-2f32a9d78124")
    );

    let ours = Delivery::new(scheme, body)
        .path("/hook?env=sandbox")
        .sign(&secret);
    let verdict = |body: &str, url: &str| {
        py(json!({
            "op": "verify", "sender": "square", "secret": KEY, "body": body,
            "headers": headers_json(&ours), "url": url,
        }))
    };
    assert_eq!(verdict(body, &url)["ok"], json!(true));
    assert_eq!(
        verdict(&body.replace("1500", "1501"), &url)["ok"],
        json!(false)
    );
    assert_eq!(verdict(body, &format!("{BASE}/hook"))["ok"], json!(false));
}

/// HubSpot: hubspot-api-client's `hubspot.utils.signature.Signature` (v3) signs a batch for a
/// URL with a query, verified here over HTTP; ours passes its `is_valid`, and another method,
/// URL or body does not.
#[tokio::test]
async fn hubspot_signatures_of_its_client_verify_and_ours_pass_its_is_valid() {
    let test = "hubspot_signatures_of_its_client_verify_and_ours_pass_its_is_valid";
    if python_module(test, "hubspot.utils.signature").is_none() {
        return;
    }
    const BASE: &str = "https://hooks.example.com";
    let scheme = Scheme::hubspot(BASE).unwrap();
    let secret = Secret::new(KEY).unwrap();
    let (addr, seen) =
        common::recording_route(webhook_guard::Verifier::new(scheme.clone(), secret.clone())).await;
    let body = samples::HUBSPOT_CONTACT_EVENTS;
    let url = format!("{BASE}/hook?portal=62515");
    let millis = now_secs() * 1000;
    let signed = py(json!({
        "op": "sign", "sender": "hubspot", "secret": KEY, "body": body, "url": url,
        "timestamp": millis,
    }));
    let a = common::send(
        addr,
        "/hook?portal=62515",
        delivery(&signed["headers"], body),
    )
    .await;
    assert_eq!(a.status, 200, "hubspot: {:?}", a.json);
    assert_eq!(seen.lock().unwrap().len(), 1);

    let ours = Delivery::new(scheme, body)
        .path("/hook?portal=62515")
        .sign(&secret);
    let verdict = |body: &str, url: &str, method: &str| {
        py(json!({
            "op": "verify", "sender": "hubspot", "secret": KEY, "body": body,
            "headers": headers_json(&ours), "url": url, "method": method,
        }))
    };
    assert_eq!(verdict(body, &url, "POST")["ok"], json!(true));
    assert_eq!(verdict(body, &url, "PUT")["ok"], json!(false));
    assert_eq!(
        verdict(body, &format!("{BASE}/hook"), "POST")["ok"],
        json!(false)
    );
    assert_eq!(
        verdict(&body.replace("ada@", "eve@"), &url, "POST")["ok"],
        json!(false)
    );
}

/// Twitch EventSub: twitchAPI (Python) checks signatures in its webhook server's
/// `EventSubWebhook._verify_signature`, called on a stand-in request; ours passes it, a changed
/// body or message id does not. twitchAPI has no signer: the delivery sent to us is signed with
/// Python's `hmac` as that check computes it, and verified here over HTTP.
#[tokio::test]
async fn twitch_signatures_pass_twitchapi_and_hmac_ones_verify_here() {
    let test = "twitch_signatures_pass_twitchapi_and_hmac_ones_verify_here";
    if python_module(test, "twitchAPI.eventsub.webhook").is_none() {
        return;
    }
    let scheme = Scheme::twitch();
    let secret = Secret::new(KEY).unwrap();
    let (addr, seen) =
        common::recording_route(webhook_guard::Verifier::new(scheme.clone(), secret.clone())).await;
    let body = samples::TWITCH_CHANNEL_FOLLOW;
    let now = time_rfc3339(now_secs());
    let signed = py(json!({
        "op": "sign", "sender": "twitch", "secret": KEY, "body": body,
        "id": "twitch-interop-1", "timestamp": now,
    }));
    let a = common::send(addr, "/hook", delivery(&signed["headers"], body)).await;
    assert_eq!(a.status, 200, "twitch: {:?}", a.json);
    assert_eq!(
        seen.lock().unwrap()[0][..2],
        [
            Some("twitch-interop-1".to_owned()),
            Some("channel.follow".to_owned())
        ]
    );

    let ours = Delivery::new(scheme, body)
        .id("twitch-interop-2")
        .sign(&secret);
    let verdict = |body: &str, d: &SignedDelivery| {
        py(json!({
            "op": "verify", "sender": "twitch", "secret": KEY, "body": body,
            "headers": headers_json(d),
        }))
    };
    assert_eq!(verdict(body, &ours)["ok"], json!(true));
    assert_eq!(
        verdict(&body.replace("cool_user", "evil_user"), &ours)["ok"],
        json!(false)
    );
    let mut other = ours.clone();
    other.headers.insert(
        "twitch-eventsub-message-id",
        HeaderValue::from_static("twitch-interop-3"),
    );
    assert_eq!(verdict(body, &other)["ok"], json!(false));
}

/// `secs` since the epoch as an RFC 3339 UTC date-time with nanoseconds, as Twitch writes it.
fn time_rfc3339(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.123456789Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Mailgun: the `mailgun` SDK's `SecurityGuard.verify_webhook` checks our signature object, and
/// refuses another token; a body signed with Python's `hmac` as that function computes it (the
/// SDK has no signer) verifies here over HTTP.
#[tokio::test]
async fn mailgun_signatures_pass_its_verify_webhook_and_hmac_ones_verify_here() {
    let test = "mailgun_signatures_pass_its_verify_webhook_and_hmac_ones_verify_here";
    if python_module(test, "mailgun.security").is_none() {
        return;
    }
    let scheme = Scheme::mailgun();
    let secret = Secret::new(KEY).unwrap();
    let (addr, seen) =
        common::recording_route(webhook_guard::Verifier::new(scheme.clone(), secret.clone())).await;
    let signed = py(json!({
        "op": "sign", "sender": "mailgun", "secret": KEY, "body": samples::MAILGUN_DELIVERED,
        "timestamp": now_secs(),
    }));
    let body = signed["body"].as_str().unwrap().to_owned();
    let a = common::send(addr, "/hook", delivery(&signed["headers"], &body)).await;
    assert_eq!(a.status, 200, "mailgun: {:?}", a.json);
    assert_eq!(
        seen.lock().unwrap()[0][..2],
        [
            Some("a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0".to_owned()),
            Some("delivered".to_owned())
        ]
    );

    let ours = Delivery::new(scheme, samples::MAILGUN_DELIVERED).sign(&secret);
    let ours_body = String::from_utf8(ours.body.to_vec()).unwrap();
    let verdict = |body: &str| {
        py(json!({
            "op": "verify", "sender": "mailgun", "secret": KEY, "body": body,
            "headers": headers_json(&ours),
        }))
    };
    assert_eq!(verdict(&ours_body)["ok"], json!(true));
    let other_token = ours_body.replace("a8ce0edb", "b8ce0edb");
    assert_eq!(verdict(&other_token)["ok"], json!(false));
}

/// `Some(())` when node and Zoom's `@zoom/rivet` are installed in `tests/interop/node_modules`.
fn rivet(test: &str) -> Option<()> {
    require(test, "node and @zoom/rivet", || {
        let module = root().join("tests/interop/node_modules/@zoom/rivet");
        if !module.is_dir() {
            return Err(format!("{} is missing", module.display()));
        }
        let out = Command::new("node")
            .arg("--version")
            .output()
            .map_err(|e| format!("node: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err("node --version failed".to_owned())
        }
    })
}

/// What Zoom's Rivet (`AwsLambdaReceiver`, which verifies `x-zm-signature` and answers URL
/// validations) answers to this delivery: (status, body).
fn rivet_answer(d: &SignedDelivery) -> (u64, Value) {
    let mut c = Command::new("node");
    c.arg(root().join("tests/interop/zoom.mjs"));
    let answer = run(
        c,
        &json!({
            "secret": KEY,
            "body": String::from_utf8(d.body.to_vec()).unwrap(),
            "headers": headers_json(d),
        }),
    );
    (answer["status"].as_u64().unwrap(), answer["body"].clone())
}

/// Zoom: its Node library Rivet (`@zoom/rivet`) accepts our signed events and refuses a changed
/// body or timestamp; for an `endpoint.url_validation` it answers the same
/// `{"plainToken","encryptedToken"}` as `handshake::zoom`, which the receiver example sends
/// over HTTP once the delivery verified. Rivet has no signer. (Rivet checks the signature over
/// `JSON.stringify` of the parsed body, so only compact bodies with no escapes it would rewrite
/// pass it; Zoom's own bodies are compact.)
#[tokio::test]
async fn zoom_signatures_and_url_validation_agree_with_rivet() {
    let test = "zoom_signatures_and_url_validation_agree_with_rivet";
    if rivet(test).is_none() {
        return;
    }
    let scheme = Scheme::zoom();
    let secret = Secret::new(KEY).unwrap();
    let compact =
        |body: &str| serde_json::to_string(&serde_json::from_str::<Value>(body).unwrap()).unwrap();
    let event = compact(samples::ZOOM_MEETING_STARTED);
    let ours = Delivery::new(scheme.clone(), event.clone()).sign(&secret);
    assert_eq!(rivet_answer(&ours).0, 200);
    let mut tampered = ours.clone();
    tampered.body = event.replace("Weekly", "Daily").into();
    assert_eq!(rivet_answer(&tampered).0, 400);
    let mut moved = ours.clone();
    let later = (now_secs() + 1).to_string();
    moved.headers.insert(
        "x-zm-request-timestamp",
        HeaderValue::from_str(&later).unwrap(),
    );
    assert_eq!(rivet_answer(&moved).0, 400);

    // The URL validation: Rivet's answer, and the receiver example's over HTTP.
    let validation = compact(samples::ZOOM_URL_VALIDATION);
    let d = Delivery::new(scheme, validation).sign(&secret);
    let (status, theirs) = rivet_answer(&d);
    assert_eq!(status, 200, "{theirs}");
    let addr = receiver().await;
    let a = common::send(addr, "/webhooks/zoom", d).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json, theirs);
    assert_eq!(theirs["plainToken"], "qgg8vlvZRS6UYooatFL8Aw");
}
