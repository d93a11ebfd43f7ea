//! The `webhook-guard` binary, run as a process: `send` against the receiver example's app on
//! 127.0.0.1 for every scheme, over http and over https (a certificate made at test time),
//! `sign` output checked by the library's verifier, `verify` naming each failure, the secret
//! read from `WEBHOOK_SECRET` by default, exit codes and one-line errors.
#![cfg(feature = "cli")]

#[path = "../examples/support/dead_letters.rs"]
#[allow(dead_code)]
mod dead_letters;
#[path = "../examples/support/receiver_app.rs"]
#[allow(dead_code)]
mod receiver_app;
#[path = "../examples/support/receiver_config.rs"]
#[allow(dead_code)]
mod receiver_config;

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use serde_json::Value;
use webhook_guard::testing::{Delivery, samples};
use webhook_guard::{Scheme, Secret, Verifier};

const BIN: &str = env!("CARGO_BIN_EXE_webhook-guard");
const SECRET: &str = "cli-test-secret-0123456789abcdef";
const WRONG: &str = "another-endpoints-secret-000000";
/// The Standard Webhooks specification's example secret.
const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Every scheme: its name on the command line, the receiver's route, the event type the receiver
/// reports for the default sample (`None` for Helicone, which has none).
const SCHEMES: &[(&str, &str, Option<&str>)] = &[
    ("heppu", "/webhooks/heppu", Some("call.completed")),
    ("helix", "/webhooks/helix", Some("fact_check")),
    ("helicone", "/webhooks/helicone", None),
    (
        "standard-webhooks",
        "/webhooks/standard",
        Some("contact.created"),
    ),
    ("github", "/webhooks/github", Some("ping")),
    ("stripe", "/webhooks/stripe", Some("customer.updated")),
    ("slack", "/webhooks/slack", Some("event_callback")),
    ("shopify", "/webhooks/shopify", Some("orders/create")),
];

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The printed answer lines, `#1  200 OK  in 1.2 ms  {…}`.
    fn attempts(&self) -> Vec<&str> {
        self.stdout.lines().filter(|l| l.starts_with('#')).collect()
    }

    /// The one error line (asserting there is exactly one).
    fn error_line(&self) -> &str {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one error line expected: {:?}", self.stderr);
        assert!(lines[0].starts_with("webhook-guard: "), "{}", lines[0]);
        lines[0]
    }
}

/// Run the binary (bounded: 60 s) with `WG_SECRET` set to [`SECRET`] and `WEBHOOK_SECRET`
/// unset, whatever the test's own environment holds. Asserts that no output shows a secret.
fn run(args: &[&str]) -> Run {
    run_full(args, None, &[])
}

fn run_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    run_full(args, stdin, &[])
}

/// [`run`], with these variables set in the child's environment as well.
fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    run_full(args, None, env)
}

fn run_full(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .env("WG_SECRET", SECRET)
        .env("WG_WRONG", WRONG)
        .env("WG_WHSEC", WHSEC)
        .env_remove("WEBHOOK_SECRET")
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(input).unwrap();
    }
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).map(|_| s)
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).map(|_| s)
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("webhook-guard {args:?} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let run = Run {
        code: status.code().expect("exited normally"),
        stdout: out.join().unwrap().unwrap(),
        stderr: err.join().unwrap().unwrap(),
    };
    for secret in [SECRET, WRONG, WHSEC, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "a secret was printed by {args:?}"
        );
    }
    run
}

/// The receiver example's app, verifying with [`SECRET`], on an ephemeral port of 127.0.0.1,
/// served by `serve` on a runtime thread of its own (it lives until the test process ends):
/// the address, and what the app's handlers processed.
fn serve_receiver<F, Fut>(serve: F) -> (SocketAddr, receiver_app::EventLog)
where
    F: FnOnce(tokio::net::TcpListener, axum::Router) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let config = receiver_config::ReceiverConfig::with_secret(SECRET).unwrap();
            let app = receiver_app::app(&config);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send((listener.local_addr().unwrap(), app.log.clone()))
                .unwrap();
            serve(listener, app.router).await;
        });
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("receiver started")
}

/// The receiver over plain http.
fn receiver() -> SocketAddr {
    serve_receiver(|listener, router| async move {
        axum::serve(listener, router).await.unwrap();
    })
    .0
}

/// A receiver over https: the receiver example's app, verifying with [`SECRET`], behind TLS on an
/// ephemeral port of 127.0.0.1 with a self-signed certificate made now for `names` (host names or
/// IP addresses), a CA certificate if `ca`. Returns its address, what its handlers processed and
/// its certificate in PEM.
fn https_receiver(names: &[&str], ca: bool) -> (SocketAddr, receiver_app::EventLog, String) {
    use tokio_rustls::rustls;

    let rcgen::CertifiedKey { cert, signing_key } = self_signed(names, ca);
    let pem = pem_certificate(cert.der());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], signing_key.into())
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (addr, log) = serve_receiver(move |listener, router| async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            let router = router.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing to serve.
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(
                        hyper_util::rt::TokioIo::new(tls),
                        hyper_util::service::TowerToHyperService::new(router),
                    )
                    .await;
            });
        }
    });
    (addr, log, pem)
}

/// A self-signed certificate for `names`, whose subject (and so issuer) is the first name: two
/// of them never pass for each other's issuer. With `ca`, marked as a CA (basicConstraints
/// CA:TRUE), as `openssl req -x509` makes them by default.
fn self_signed(names: &[&str], ca: bool) -> rcgen::CertifiedKey<rcgen::KeyPair> {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = rcgen::CertificateParams::new(names.clone()).expect("valid names");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, names[0].as_str());
    if ca {
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    }
    let signing_key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&signing_key).unwrap();
    rcgen::CertifiedKey { cert, signing_key }
}

/// A DER certificate as a PEM `CERTIFICATE` section, as `--cacert` reads it.
fn pem_certificate(der: &[u8]) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in encoded.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// `GET /events`: what the receiver's handlers processed, in order.
fn events(addr: SocketAddr) -> Vec<Value> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(b"GET /events HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
    serde_json::from_str::<Vec<Value>>(body).unwrap()
}

fn url(addr: SocketAddr, path: &str) -> String {
    format!("http://{addr}{path}")
}

/// A fresh temporary directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "webhook-guard-cli-{name}-{}-{}",
        std::process::id(),
        now_ms()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Parse `Name: value` lines as `sign` prints them.
fn header_map(text: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for line in text.lines() {
        let (name, value) = line.split_once(": ").expect("Name: value");
        headers.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    headers
}

fn scheme(name: &str) -> Scheme {
    match name {
        "heppu" => Scheme::heppu(),
        "helix" => Scheme::helix(),
        "helicone" => Scheme::helicone(),
        "standard-webhooks" => Scheme::standard_webhooks(),
        "github" => Scheme::github(),
        "stripe" => Scheme::stripe(),
        "slack" => Scheme::slack(),
        "shopify" => Scheme::shopify(),
        other => panic!("{other}"),
    }
}

#[test]
fn send_delivers_every_schemes_sample_to_the_receiver() {
    let addr = receiver();
    for (name, route, event) in SCHEMES {
        let r = run(&[
            "send",
            "--scheme",
            name,
            "--secret-env",
            "WG_SECRET",
            "--url",
            &url(addr, route),
        ]);
        assert_eq!(r.code, 0, "{name}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.starts_with("POST http://"), "{}", r.stdout);
        let attempts = r.attempts();
        assert_eq!(attempts.len(), 1, "{}", r.stdout);
        assert!(
            attempts[0].starts_with("#1  200 OK  in "),
            "{}",
            attempts[0]
        );
        assert!(
            attempts[0].contains(" ms  {"),
            "answer time and body: {}",
            attempts[0]
        );
        let expected = match event {
            Some(e) => format!("\"received\":\"{e}\""),
            None => "\"received\":null".to_owned(),
        };
        assert!(attempts[0].contains(&expected), "{name}: {}", attempts[0]);
    }
    let processed = events(addr);
    let schemes: Vec<&str> = processed
        .iter()
        .map(|e| e["scheme"].as_str().unwrap())
        .collect();
    assert_eq!(
        schemes,
        SCHEMES.iter().map(|(n, _, _)| *n).collect::<Vec<_>>()
    );
    for ((name, _, event), e) in SCHEMES.iter().zip(&processed) {
        assert_eq!(e["event"].as_str(), *event, "{name}");
    }
}

#[test]
fn send_picks_each_documented_heppu_event_and_custom_bodies() {
    let addr = receiver();
    for (event, _) in samples::HEPPU_EVENTS {
        let r = run(&[
            "send",
            "--scheme",
            "heppu",
            "--secret-env",
            "WG_SECRET",
            "--url",
            &url(addr, "/webhooks/heppu"),
            "--event",
            event,
        ]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains(&format!("\"received\":\"{event}\"")));
    }
    // A body from standard input, with a chosen id. The sample itself under a new id is
    // content that completed before (Heppu does not sign its id header): answered as a
    // duplicate, the handler not run; an edited body is new.
    let stdin_send = |body: &str| {
        run_with_stdin(
            &[
                "send",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--url",
                &url(addr, "/webhooks/heppu"),
                "--id",
                "whd_from_stdin",
                "-",
            ],
            Some(body.as_bytes()),
        )
    };
    let r = stdin_send(samples::HEPPU_CHAT_ABANDONED);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains(r#"{"duplicate":true}"#), "{}", r.stdout);
    let r = stdin_send(&samples::HEPPU_CHAT_ABANDONED.replacen('{', "{ ", 1));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let list = run(&[
        "send",
        "--scheme",
        "heppu",
        "--secret",
        SECRET,
        "--url",
        "http://127.0.0.1:9/x",
        "--event",
        "list",
    ]);
    assert_eq!(list.code, 0);
    assert_eq!(list.stdout.lines().count(), 7, "{}", list.stdout);
    let processed = events(addr);
    let got: Vec<&str> = processed
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    let mut want: Vec<&str> = samples::HEPPU_EVENTS.iter().map(|(e, _)| *e).collect();
    want.push("chat.abandoned");
    assert_eq!(got, want);
    assert_eq!(processed[7]["id"], "whd_from_stdin");
}

#[test]
fn send_repeat_3_is_processed_once_and_answered_as_duplicate_twice() {
    let addr = receiver();
    // Every scheme with a delivery id (Slack has none: its receiver keys on the signature, which
    // a re-signed retry changes).
    for (name, route, _) in SCHEMES.iter().filter(|(n, _, _)| *n != "slack") {
        let before = events(addr).len();
        let r = run(&[
            "send",
            "--scheme",
            name,
            "--secret-env",
            "WG_SECRET",
            "--url",
            &url(addr, route),
            "--repeat",
            "3",
        ]);
        assert_eq!(r.code, 0, "{name}: {}{}", r.stdout, r.stderr);
        let attempts = r.attempts();
        assert_eq!(attempts.len(), 3, "{}", r.stdout);
        assert!(attempts[0].contains("\"received\""), "{}", attempts[0]);
        for a in &attempts[1..] {
            assert!(a.starts_with('#') && a.contains("200 OK"), "{a}");
            assert!(a.ends_with("{\"duplicate\":true}"), "{name}: {a}");
        }
        let processed = events(addr);
        assert_eq!(processed.len(), before + 1, "{name}: processed once");
        assert_eq!(processed[before]["scheme"], *name);
        assert!(
            r.stdout.contains(processed[before]["id"].as_str().unwrap()),
            "the printed delivery id is the processed one"
        );
    }
}

#[test]
fn send_retry_schedules_wait_scaled_by_speed() {
    let addr = receiver();
    // Heppu's documented schedule (at once, 1 min, 5 min, 15 min, 1 h = 4860 s) 36000 times faster.
    let started = Instant::now();
    let r = run(&[
        "send",
        "--scheme",
        "heppu",
        "--secret-env",
        "WG_SECRET",
        "--url",
        &url(addr, "/webhooks/heppu"),
        "--retry-schedule",
        "documented",
        "--speed",
        "36000",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(started.elapsed() >= Duration::from_millis(135));
    assert_eq!(r.attempts().len(), 5, "{}", r.stdout);
    let waits: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("waiting"))
        .collect();
    assert_eq!(waits.len(), 4, "{}", r.stdout);
    for (line, original) in waits.iter().zip(["1 min", "5 min", "15 min", "1 h"]) {
        assert!(
            line.ends_with(&format!("({original} at speed 36000)")),
            "{line}"
        );
    }
    assert_eq!(
        r.attempts()
            .iter()
            .filter(|a| a.ends_with("{\"duplicate\":true}"))
            .count(),
        4
    );
    // Helix's: six attempts. A custom schedule at real speed.
    let r = run(&[
        "send",
        "--scheme",
        "helix",
        "--secret-env",
        "WG_SECRET",
        "--url",
        &url(addr, "/webhooks/helix"),
        "--retry-schedule",
        "documented",
        "--speed",
        "1000000",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.attempts().len(), 6, "{}", r.stdout);
    let started = Instant::now();
    let r = run(&[
        "send",
        "--scheme",
        "github",
        "--secret-env",
        "WG_SECRET",
        "--url",
        &url(addr, "/webhooks/github"),
        "--retry-schedule",
        "0,150ms,150ms",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.attempts().len(), 3);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(events(addr).len(), 3, "each schedule processed once");
}

#[test]
fn send_fails_with_exit_1_on_rejection_refusal_and_silence() {
    let addr = receiver();
    // Rejected: wrong secret.
    let r = run(&[
        "send",
        "--scheme",
        "stripe",
        "--secret-env",
        "WG_WRONG",
        "--url",
        &url(addr, "/webhooks/stripe"),
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.attempts()[0].contains("401 Unauthorized"), "{}", r.stdout);
    assert!(r.attempts()[0].contains("signature_mismatch"));
    assert!(r.error_line().contains("not answered 2xx"));
    // Nobody listening.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = run(&[
        "send",
        "--scheme",
        "heppu",
        "--secret-env",
        "WG_SECRET",
        "--url",
        &format!("http://127.0.0.1:{port}/webhooks/heppu"),
    ]);
    assert_eq!(r.code, 1);
    assert!(r.attempts()[0].contains("failed after"), "{}", r.stdout);
    assert!(
        r.attempts()[0].to_lowercase().contains("refused"),
        "{}",
        r.stdout
    );
    r.error_line();
    // Accepts the connection, never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let r = run(&[
        "send",
        "--scheme",
        "heppu",
        "--secret-env",
        "WG_SECRET",
        "--url",
        &format!("http://{}/webhooks/heppu", silent.local_addr().unwrap()),
        "--timeout",
        "300ms",
        "--repeat",
        "2",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.attempts()[0].contains("no answer within 300 ms"),
        "{}",
        r.stdout
    );
    assert!(r.error_line().contains("2 of 2 attempts"));
    drop(silent);
    assert!(events(addr).is_empty());
}

#[test]
fn send_over_https_verifies_the_receivers_certificate() {
    let (addr, log, pem) = https_receiver(&["127.0.0.1"], false);
    let dir = temp_dir("https");
    let url = format!("https://{addr}/webhooks/heppu");
    let send = |extra: &[&str]| {
        let mut args = vec![
            "send",
            "--scheme",
            "heppu",
            "--secret-env",
            "WG_SECRET",
            "--url",
            &url,
        ];
        args.extend(extra);
        run(&args)
    };

    // Without --cacert the self-signed certificate chains to no Mozilla root: refused, named,
    // and the later attempts of the schedule are not sent.
    let r = send(&["--repeat", "3"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert_eq!(r.attempts().len(), 1, "{}", r.stdout);
    assert!(
        r.attempts()[0].contains("failed after")
            && r.attempts()[0].contains("invalid peer certificate: UnknownIssuer"),
        "{}",
        r.stdout
    );
    let line = r.error_line();
    assert!(
        line.contains("invalid peer certificate: UnknownIssuer: the receiver's certificate is not signed by a trusted CA")
            && line.contains("give that certificate with --cacert FILE")
            && line.ends_with("(the 2 later attempt(s) were not sent)"),
        "{line}"
    );
    assert!(
        log.lock().unwrap().is_empty(),
        "nothing reached the handler"
    );

    // With the certificate in --cacert (after another one: a file may hold several), the
    // delivery goes through TLS and the receiver's guard verifies it.
    let other_pem = pem_certificate(self_signed(&["other.test"], false).cert.der());
    let cacert = dir.join("ca.pem");
    std::fs::write(&cacert, format!("{other_pem}{pem}")).unwrap();
    let r = send(&["--cacert", path(&cacert)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with(&format!("POST {url}: heppu")),
        "{}",
        r.stdout
    );
    assert!(
        r.attempts()[0].starts_with("#1  200 OK  in ")
            && r.attempts()[0].contains("\"received\":\"call.completed\""),
        "{}",
        r.stdout
    );
    // Over https too, a repeat is answered as a duplicate.
    let r = send(&[
        "--cacert",
        path(&cacert),
        "--event",
        "call.failed",
        "--repeat",
        "2",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.attempts()[1].ends_with("{\"duplicate\":true}"),
        "{}",
        r.stdout
    );
    let processed = log.lock().unwrap().clone();
    let events: Vec<&str> = processed
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["call.completed", "call.failed"]);
    assert!(processed.iter().all(|e| e["scheme"] == "heppu"));

    // Only the other certificate: refused as before.
    let only_other = dir.join("other.pem");
    std::fs::write(&only_other, &other_pem).unwrap();
    let r = send(&["--cacert", path(&only_other)]);
    assert_eq!(r.code, 1);
    assert!(r.error_line().contains("UnknownIssuer"), "{}", r.stderr);

    // Trusted certificates that are wrong all the same: each problem is said.
    for (names, ca, says) in [
        (
            &["receiver.test"][..],
            false,
            "certificate not valid for name \"127.0.0.1\"; certificate is only valid for \
             DnsName(\"receiver.test\"): the receiver's certificate is for another host name",
        ),
        (
            &["127.0.0.1"][..],
            true,
            "invalid peer certificate: Other(OtherError(CaUsedAsEndEntity)): the receiver's \
             certificate is a CA certificate",
        ),
    ] {
        let (addr, log, pem) = https_receiver(names, ca);
        let cacert = dir.join("trusted.pem");
        std::fs::write(&cacert, pem).unwrap();
        let r = run(&[
            "send",
            "--scheme",
            "github",
            "--secret-env",
            "WG_SECRET",
            "--url",
            &format!("https://{addr}/webhooks/github"),
            "--cacert",
            path(&cacert),
        ]);
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        assert!(r.error_line().contains(says), "{}", r.stderr);
        assert!(log.lock().unwrap().is_empty());
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_secret_is_read_from_webhook_secret_by_default() {
    let dir = temp_dir("default-secret");
    let body = dir.join("body.json");
    std::fs::write(&body, samples::HEPPU_CALL_COMPLETED).unwrap();
    let verifier = |secret: &str| Verifier::new(Scheme::heppu(), Secret::new(secret).unwrap());
    let sign_args = ["sign", "--scheme", "heppu", path(&body)];

    // No secret flag: WEBHOOK_SECRET signs.
    let r = run_with_env(&sign_args, &[("WEBHOOK_SECRET", SECRET)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let headers = header_map(&r.stdout);
    verifier(SECRET)
        .verify(&headers, samples::HEPPU_CALL_COMPLETED.as_bytes())
        .unwrap();
    // ... and verifies what it signed.
    let headers_file = dir.join("headers.txt");
    std::fs::write(&headers_file, &r.stdout).unwrap();
    let r = run_with_env(
        &[
            "verify",
            "--scheme",
            "heppu",
            "--headers",
            path(&headers_file),
            path(&body),
        ],
        &[("WEBHOOK_SECRET", SECRET)],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("verified: heppu delivery "),
        "{}",
        r.stdout
    );

    // A secret flag wins over WEBHOOK_SECRET.
    let r = run_with_env(
        &[
            "sign",
            "--scheme",
            "heppu",
            "--secret-env",
            "WG_WRONG",
            path(&body),
        ],
        &[("WEBHOOK_SECRET", SECRET)],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    verifier(WRONG)
        .verify(
            &header_map(&r.stdout),
            samples::HEPPU_CALL_COMPLETED.as_bytes(),
        )
        .unwrap();

    // send, to a receiver: delivered with WEBHOOK_SECRET.
    let addr = receiver();
    let r = run_with_env(
        &[
            "send",
            "--scheme",
            "stripe",
            "--url",
            &url(addr, "/webhooks/stripe"),
        ],
        &[("WEBHOOK_SECRET", SECRET)],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(events(addr)[0]["event"], "customer.updated");

    // Unset (run() removes it from the child's environment): a usage error that says so.
    for args in [
        &sign_args[..],
        &[
            "send",
            "--scheme",
            "heppu",
            "--url",
            &url(addr, "/webhooks/heppu"),
        ][..],
    ] {
        let r = run(args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert_eq!(
            r.error_line(),
            "webhook-guard: no secret: give --secret, --secret-env VAR, or set WEBHOOK_SECRET"
        );
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
    assert_eq!(events(addr).len(), 1);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn sign_prints_headers_the_verifier_accepts_for_every_scheme() {
    let dir = temp_dir("sign");
    for (name, _, _) in SCHEMES {
        let body = match *name {
            "helicone" => samples::HELICONE_STANDARD,
            "stripe" => samples::STRIPE_SETUP_INTENT_CREATED,
            _ => samples::STANDARD_EXAMPLE_EVENT,
        };
        let file = dir.join(format!("{name}.json"));
        std::fs::write(&file, body).unwrap();
        let r = run(&[
            "sign",
            "--scheme",
            name,
            "--secret-env",
            "WG_SECRET",
            path(&file),
        ]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        let headers = header_map(&r.stdout);
        let verifier = Verifier::new(scheme(name), Secret::new(SECRET).unwrap());
        verifier
            .verify(&headers, body.as_bytes())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(verifier.verify(&headers, b"{}").is_err());
    }
    // Fixed timestamp and id, body from standard input.
    let r = run_with_stdin(
        &[
            "sign",
            "--scheme",
            "heppu",
            "--secret-env",
            "WG_SECRET",
            "--timestamp",
            "1701432000",
            "--id",
            "whd_abc123",
            "--event",
            "call.failed",
            "-",
        ],
        Some(samples::HEPPU_CALL_COMPLETED.as_bytes()),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let headers = header_map(&r.stdout);
    assert_eq!(headers["x-webhook-timestamp"], "1701432000");
    assert_eq!(headers["x-webhook-id"], "whd_abc123");
    assert_eq!(headers["x-webhook-event"], "call.failed");
    let expected = Delivery::new(Scheme::heppu(), samples::HEPPU_CALL_COMPLETED)
        .timestamp(1_701_432_000)
        .id("whd_abc123")
        .sign(&Secret::new(SECRET).unwrap());
    assert_eq!(
        headers["x-webhook-signature-256"],
        expected.headers["x-webhook-signature-256"]
    );
    // Standard Webhooks: a whsec_ secret is decoded unless --raw-secret.
    let file = dir.join("standard-webhooks.json");
    let decoded = run(&[
        "sign",
        "--scheme",
        "standard",
        "--secret-env",
        "WG_WHSEC",
        path(&file),
    ]);
    let raw = run(&[
        "sign",
        "--scheme",
        "svix",
        "--secret-env",
        "WG_WHSEC",
        "--raw-secret",
        path(&file),
    ]);
    let body = samples::STANDARD_EXAMPLE_EVENT.as_bytes();
    let standard = |secret| Verifier::new(Scheme::standard_webhooks(), secret);
    assert!(
        standard(Secret::from_whsec(WHSEC).unwrap())
            .verify(&header_map(&decoded.stdout), body)
            .is_ok()
    );
    assert!(
        standard(Secret::new(WHSEC).unwrap())
            .verify(&header_map(&raw.stdout), body)
            .is_ok()
    );
    assert!(
        standard(Secret::new(WHSEC).unwrap())
            .verify(&header_map(&decoded.stdout), body)
            .is_err()
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A captured delivery on disk: `sign`'s headers (edited by `edit`) and a body.
struct Capture {
    headers: PathBuf,
    body: PathBuf,
}

fn capture(
    dir: &Path,
    label: &str,
    name: &str,
    body: &[u8],
    timestamp: Option<u64>,
    edit: impl Fn(String) -> String,
) -> Capture {
    let body_file = dir.join(format!("{label}.body"));
    std::fs::write(&body_file, body).unwrap();
    let ts = timestamp.map(|t| t.to_string());
    let mut args = vec!["sign", "--scheme", name, "--secret-env", "WG_SECRET"];
    if let Some(ts) = &ts {
        args.extend(["--timestamp", ts]);
    }
    args.push(path(&body_file));
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let headers = dir.join(format!("{label}.headers"));
    std::fs::write(&headers, edit(r.stdout)).unwrap();
    Capture {
        headers,
        body: body_file,
    }
}

fn verify(name: &str, secret_env: &str, c: &Capture, extra: &[&str]) -> Run {
    let mut args = vec![
        "verify",
        "--scheme",
        name,
        "--secret-env",
        secret_env,
        "--headers",
        path(&c.headers),
    ];
    args.extend(extra);
    args.push(path(&c.body));
    run(&args)
}

fn unchanged(s: String) -> String {
    s
}

fn drop_header(name: &'static str) -> impl Fn(String) -> String {
    move |s: String| {
        s.lines()
            .filter(|l| !l.starts_with(&format!("{name}:")))
            .map(|l| format!("{l}\n"))
            .collect()
    }
}

fn set_header(name: &'static str, value: &'static str) -> impl Fn(String) -> String {
    move |s: String| {
        s.lines()
            .map(|l| {
                if l.starts_with(&format!("{name}:")) {
                    format!("{name}: {value}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect()
    }
}

#[test]
fn verify_accepts_good_captures_and_catches_tampering_for_every_scheme() {
    let dir = temp_dir("verify-all");
    for (name, _, _) in SCHEMES {
        let body = match *name {
            "helicone" => samples::HELICONE_DELIVERY.as_bytes(),
            _ => samples::STRIPE_CUSTOMER_UPDATED.as_bytes(),
        };
        let good = capture(&dir, name, name, body, None, unchanged);
        let r = verify(name, "WG_SECRET", &good, &[]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert!(
            r.stdout.starts_with(&format!("verified: {name} delivery ")),
            "{}",
            r.stdout
        );

        // Still valid JSON with the same fields, one byte more.
        std::fs::write(
            &good.body,
            String::from_utf8_lossy(body).replacen('{', "{ ", 1),
        )
        .unwrap();
        let r = verify(name, "WG_SECRET", &good, &[]);
        assert_eq!(r.code, 1, "{name}");
        let sig_header = scheme(name).signature_headers()[0].to_string();
        assert!(
            r.error_line().starts_with(&format!(
                "webhook-guard: signature_mismatch: no secret matched the `{sig_header}` header"
            )),
            "{}",
            r.stderr
        );
        assert!(
            r.error_line().contains("<body>"),
            "names the signed message"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn verify_names_each_failure_reason() {
    let dir = temp_dir("verify-why");
    let body = samples::HEPPU_CALL_COMPLETED.as_bytes();
    let now = now_ms() / 1000;

    // Wrong secret: a mismatch that shows neither secret nor the expected signature.
    let c = capture(&dir, "wrong", "heppu", body, Some(now), unchanged);
    let r = verify("heppu", "WG_WRONG", &c, &[]);
    assert_eq!(r.code, 1);
    let line = r.error_line();
    assert!(line.contains("signature_mismatch: no secret matched the `x-webhook-signature-256` header: HMAC-SHA256 of <body>"), "{line}");
    let headers = header_map(&std::fs::read_to_string(&c.headers).unwrap());
    let expected = Delivery::new(Scheme::heppu(), body)
        .id(headers["x-webhook-id"].to_str().unwrap())
        .timestamp(now)
        .sign(&Secret::new(WRONG).unwrap());
    let expected = expected.header("x-webhook-signature-256").unwrap();
    let expected_hex = expected.strip_prefix("sha256=").unwrap();
    assert!(!r.stderr.contains(expected_hex) && !r.stdout.contains(expected_hex));

    // A trailing newline added to the body file.
    let c = capture(&dir, "newline", "heppu", body, None, unchanged);
    let mut with_newline = body.to_vec();
    with_newline.push(b'\n');
    std::fs::write(&c.body, with_newline).unwrap();
    let r = verify("heppu", "WG_SECRET", &c, &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.error_line()
            .contains("without the body's trailing newline it verifies")
    );

    // Stale: ten minutes old, and how far off.
    let c = capture(&dir, "stale", "heppu", body, Some(now - 600), unchanged);
    let r = verify("heppu", "WG_SECRET", &c, &[]);
    assert_eq!(r.code, 1);
    let line = r.error_line();
    assert!(
        line.starts_with(
            "webhook-guard: timestamp_expired: `x-webhook-timestamp` (unix seconds): timestamp is "
        ),
        "{line}"
    );
    let age: u64 = line
        .split("timestamp is ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("an age in seconds");
    assert!((600..=610).contains(&age), "{line}");
    assert!(
        line.contains("s old, tolerance 300 s; the signature itself matches"),
        "{line}"
    );
    let r = verify("heppu", "WG_SECRET", &c, &["--tolerance", "15m"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Stale and wrongly signed: both said.
    let r = verify("heppu", "WG_WRONG", &c, &[]);
    assert!(
        r.error_line().contains("; besides, signature_mismatch"),
        "{}",
        r.stderr
    );

    // In the future, Stripe: the timestamp is the `t=` entry.
    let c = capture(
        &dir,
        "future",
        "stripe",
        samples::STRIPE_CUSTOMER_UPDATED.as_bytes(),
        Some(now + 3600),
        unchanged,
    );
    let r = verify("stripe", "WG_SECRET", &c, &[]);
    assert_eq!(r.code, 1);
    let line = r.error_line();
    assert!(
        line.contains(
            "timestamp_in_future: `t=` entry of `stripe-signature` (unix seconds): timestamp is 3"
        ),
        "{line}"
    );
    assert!(line.contains("s in the future, tolerance 300 s"), "{line}");

    // Helix milliseconds sent as seconds.
    let c = capture(&dir, "unit", "helix", b"{}", Some(now), unchanged);
    let r = verify("helix", "WG_SECRET", &c, &[]);
    assert!(
        r.error_line()
            .contains("it looks like seconds but the scheme expects milliseconds"),
        "{}",
        r.stderr
    );

    // Missing headers: signature, timestamp, id.
    for (header, says) in [
        (
            "x-webhook-signature-256",
            "signature_missing: no `x-webhook-signature-256` header",
        ),
        (
            "x-webhook-timestamp",
            "timestamp_missing: no `x-webhook-timestamp` header",
        ),
        ("x-webhook-id", "id_missing: no `x-webhook-id` header"),
    ] {
        let c = capture(&dir, header, "heppu", body, None, drop_header(header));
        let r = verify("heppu", "WG_SECRET", &c, &[]);
        assert_eq!(r.code, 1, "{header}");
        assert!(r.error_line().contains(says), "{}", r.stderr);
    }

    // Malformed signatures: no prefix, not hex, wrong length.
    for (value, says) in [
        (
            "5f93abcd",
            "`x-webhook-signature-256` header is present but has no `sha256=` prefix",
        ),
        (
            "sha256=zz",
            "`x-webhook-signature-256` signature is not a 64-character hex (got 2 characters)",
        ),
        (
            "sha256=zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
            "signature_malformed",
        ),
    ] {
        let c = capture(
            &dir,
            "malformed",
            "heppu",
            body,
            None,
            set_header("x-webhook-signature-256", value),
        );
        let r = verify("heppu", "WG_SECRET", &c, &[]);
        assert_eq!(r.code, 1, "{value}");
        assert!(r.error_line().contains(says), "{}", r.stderr);
        assert!(
            r.error_line().contains("signature_malformed"),
            "{}",
            r.stderr
        );
    }

    // The wrong --scheme: the headers say which one.
    let c = capture(&dir, "other", "github", body, None, unchanged);
    let r = verify("heppu", "WG_SECRET", &c, &[]);
    assert!(
        r.error_line()
            .contains("the headers carry `x-hub-signature-256`: try --scheme github"),
        "{}",
        r.stderr
    );

    // Standard Webhooks signed with the decoded whsec_ key, verified with --raw-secret.
    let file = dir.join("std.body");
    std::fs::write(&file, samples::STANDARD_EXAMPLE_EVENT).unwrap();
    let signed = run(&[
        "sign",
        "--scheme",
        "standard",
        "--secret-env",
        "WG_WHSEC",
        path(&file),
    ]);
    let headers = dir.join("std.headers");
    std::fs::write(&headers, &signed.stdout).unwrap();
    let c = Capture {
        headers,
        body: file,
    };
    assert_eq!(verify("standard", "WG_WHSEC", &c, &[]).code, 0);
    let r = verify("standard", "WG_WHSEC", &c, &["--raw-secret"]);
    assert!(r.error_line().contains("drop --raw-secret"), "{}", r.stderr);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_short_secret_is_refused_unless_the_danger_flag_is_given() {
    const SHORT: &str = "mysecret";
    // GitHub's documented example payload signed with `mysecret` (computed with Python's hmac,
    // see `danger_allow_short_verifies_a_short_github_secret_and_warns_once` in src/secret.rs).
    const SIG: &str = "sha256=e74441163c9ea23f1b6f18b5656d99c910bb25855986273774d2f9e2b23cbbd3";
    let dir = temp_dir("short-secret");
    let body = dir.join("body.txt");
    std::fs::write(&body, "Hello, World!").unwrap();
    let sign = |extra: &[&str]| {
        let mut args = vec!["sign", "--scheme", "github", "--secret", SHORT];
        args.extend(extra);
        args.push(path(&body));
        run(&args)
    };
    let no_secret_shown = |r: &Run| {
        assert!(
            !r.stdout.contains(SHORT) && !r.stderr.contains(SHORT),
            "{r:?}"
        );
    };

    let r = sign(&[]);
    assert_eq!(r.code, 2);
    let line = r.error_line();
    assert!(
        line.contains("8 bytes long") && line.contains("--danger-allow-short-secret"),
        "{line}"
    );
    no_secret_shown(&r);

    let r = sign(&["--danger-allow-short-secret"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("note: the secret is 8 bytes long"),
        "{}",
        r.stderr
    );
    no_secret_shown(&r);
    let headers = header_map(&r.stdout);
    assert_eq!(headers["x-hub-signature-256"], SIG);
    let library = Verifier::new(Scheme::github(), Secret::danger_allow_short(SHORT).unwrap());
    library.verify(&headers, b"Hello, World!").unwrap();

    // `verify` reads the capture back: with the flag it verifies, without it it is refused.
    let headers_file = dir.join("headers.txt");
    std::fs::write(&headers_file, &r.stdout).unwrap();
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", "--scheme", "github", "--secret", SHORT];
        args.extend(extra);
        args.extend(["--headers", path(&headers_file), path(&body)]);
        run(&args)
    };
    let r = verify(&["--danger-allow-short-secret"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("verified: github delivery "),
        "{}",
        r.stdout
    );
    no_secret_shown(&r);
    let r = verify(&[]);
    assert_eq!(r.code, 2);
    assert!(
        r.error_line().contains("--danger-allow-short-secret"),
        "{}",
        r.stderr
    );
    // The flag does not make an empty secret acceptable.
    let r = run(&[
        "sign",
        "--scheme",
        "github",
        "--secret",
        "",
        "--danger-allow-short-secret",
        path(&body),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.error_line().contains("empty"), "{}", r.stderr);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let dir = temp_dir("usage");
    let body = dir.join("body.json");
    std::fs::write(&body, samples::HEPPU_CALL_COMPLETED).unwrap();
    let headers = dir.join("bad.headers");
    std::fs::write(&headers, "x-webhook-id: 1\nthis is not a header\n").unwrap();
    let b = path(&body);
    let h = path(&headers);
    let u = "http://127.0.0.1:9/webhooks/heppu";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![], "no command given"),
        (vec!["frobnicate"], "frobnicate"),
        (
            vec!["sign", "--scheme", "acme", "--secret", SECRET, b],
            "acme",
        ),
        (
            vec!["sign", "--scheme", "heppu", b],
            "no secret: give --secret, --secret-env VAR, or set WEBHOOK_SECRET",
        ),
        (
            vec![
                "sign",
                "--scheme",
                "heppu",
                "--secret",
                SECRET,
                "--secret-env",
                "WG_SECRET",
                b,
            ],
            "cannot be used with",
        ),
        (
            vec!["sign", "--scheme", "heppu", "--secret", "short", b],
            "at least 16 bytes",
        ),
        (
            vec![
                "sign",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_UNSET_VAR_1",
                b,
            ],
            "WG_UNSET_VAR_1 is not set",
        ),
        (
            vec![
                "sign",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "/nonexistent/body",
            ],
            "cannot read the body",
        ),
        (
            vec![
                "sign",
                "--scheme",
                "stripe",
                "--secret-env",
                "WG_SECRET",
                "--id",
                "x",
                b,
            ],
            "body's `id` field",
        ),
        (
            vec![
                "sign",
                "--scheme",
                "github",
                "--secret-env",
                "WG_SECRET",
                "--timestamp",
                "1",
                b,
            ],
            "sends no timestamp",
        ),
        (
            vec![
                "sign",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--timestamp",
                "-5",
                b,
            ],
            "-5",
        ),
        (
            vec![
                "sign",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--id",
                "a\u{7f}b",
                b,
            ],
            "visible ASCII",
        ),
        (
            vec![
                "sign",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--id",
                "dlv 1",
                b,
            ],
            "without spaces",
        ),
        (
            vec![
                "sign",
                "--scheme",
                "standard",
                "--secret",
                "whsec_not*base64*but-long",
                b,
            ],
            "--raw-secret",
        ),
        (
            vec!["send", "--scheme", "heppu", "--secret-env", "WG_SECRET"],
            "--url",
        ),
        (
            vec![
                "send",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--url",
                "ftp://127.0.0.1/x",
            ],
            "is not an absolute http:// or https:// URL",
        ),
        (
            vec![
                "send",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--url",
                u,
                "--cacert",
                b,
            ],
            "--cacert applies to https:// URLs only",
        ),
        (
            vec![
                "send",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--url",
                "https://127.0.0.1:9/webhooks/heppu",
                "--cacert",
                b,
            ],
            "holds no PEM certificate",
        ),
        (
            vec![
                "send",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--url",
                "https://127.0.0.1:9/webhooks/heppu",
                "--cacert",
                "/nonexistent/ca.pem",
            ],
            "cannot read the --cacert file /nonexistent/ca.pem",
        ),
        (
            vec![
                "send",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--url",
                "example.com/x",
            ],
            "not an absolute http:// or https:// URL",
        ),
        (
            vec![
                "send",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--url",
                u,
                "--event",
                "call.lost",
            ],
            "no documented heppu sample `call.lost`",
        ),
        (
            vec![
                "send",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--url",
                u,
                "--repeat",
                "0",
            ],
            "--repeat",
        ),
        (
            vec![
                "send",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--url",
                u,
                "--repeat",
                "2",
                "--retry-schedule",
                "0,1s",
            ],
            "cannot be used with",
        ),
        (
            vec![
                "send",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--url",
                u,
                "--retry-schedule",
                "0,soon",
            ],
            "`soon` is not a duration",
        ),
        (
            vec![
                "send",
                "--scheme",
                "github",
                "--secret-env",
                "WG_SECRET",
                "--url",
                u,
                "--retry-schedule",
                "documented",
            ],
            "no retry schedule for github",
        ),
        (
            vec![
                "send",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--url",
                u,
                "--speed",
                "0",
            ],
            "--speed",
        ),
        (
            vec![
                "send",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--url",
                u,
                "--timeout",
                "0s",
            ],
            "--timeout",
        ),
        (
            vec![
                "verify",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--headers",
                h,
                b,
            ],
            "line 2",
        ),
        (
            vec![
                "verify",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--headers",
                "/nonexistent/h",
                b,
            ],
            "cannot read the headers file",
        ),
        (
            vec![
                "verify",
                "--scheme",
                "heppu",
                "--secret-env",
                "WG_SECRET",
                "--headers",
                h,
            ],
            "<FILE|->",
        ),
    ];
    for (args, says) in cases {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        let line = r.error_line();
        assert!(line.contains(says), "{args:?}: {line}");
        assert!(
            r.stdout.is_empty(),
            "{args:?}: nothing sent or printed: {}",
            r.stdout
        );
    }
    let help = run(&["send", "--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("--secret-env <VAR>") && help.stdout.contains("Exit codes"));
    assert!(help.stdout.contains("--cacert <FILE>") && help.stdout.contains("WEBHOOK_SECRET"));
    let _ = std::fs::remove_dir_all(dir);
}
