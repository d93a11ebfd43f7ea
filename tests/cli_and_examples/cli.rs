//! The `webhook-guard` binary, run as a process: `send` against the receiver example's app on
//! 127.0.0.1 for every scheme, over http and over https (a certificate made at test time),
//! `sign` output checked by the library's verifier, `verify` naming each failure, the secret
//! read from `WEBHOOK_SECRET` by default, exit codes and one-line errors.

use crate::receiver_app;
use crate::receiver_config;

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
            "`x-webhook-signature-256` is present but has no `sha256=` prefix",
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

// -- Senders that sign with a private key, and GitLab's token -----------------------------------

/// The PayPal webhook id the PayPal tests sign and verify with.
const WEBHOOK_ID: &str = "8PT597110X687430LKGECATA";
/// GitLab's token: not among the secrets [`run`] checks, as `sign` prints it by necessity.
const GITLAB_TOKEN: &str = "gitlab-token-for-the-cli-tests";

/// The test keys of `webhook_guard::testing::keys` as files, in the forms the senders' tools
/// make them.
struct KeyFiles {
    dir: PathBuf,
    /// Ed25519: the 32-byte seed as 64 hex digits.
    ed25519_seed: PathBuf,
    /// Ed25519: the same key as PEM PKCS#8 (`openssl genpkey -algorithm ed25519`).
    ed25519_pkcs8: PathBuf,
    /// P-256: SEC1 `EC PRIVATE KEY` (`openssl ecparam -genkey -noout`).
    p256: PathBuf,
    p256_public: PathBuf,
    /// RSA: PKCS#8 `PRIVATE KEY` (`openssl genrsa`).
    rsa: PathBuf,
    rsa_certificate: PathBuf,
    rsa_public: PathBuf,
}

fn key_files(name: &str) -> KeyFiles {
    use base64::Engine as _;
    use webhook_guard::testing::keys;
    let dir = temp_dir(name);
    let write = |file: &str, text: &str| {
        let p = dir.join(file);
        std::fs::write(&p, text).unwrap();
        p
    };
    // RFC 8410's PKCS#8 of an Ed25519 seed: a fixed 16-byte prefix, then the seed.
    let mut der = hex::decode("302e020100300506032b657004220420").unwrap();
    der.extend_from_slice(&keys::ED25519_SEED_TEST_ONLY);
    let pkcs8 = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(der)
    );
    KeyFiles {
        ed25519_seed: write(
            "ed25519.hex",
            &format!("{}\n", hex::encode(keys::ED25519_SEED_TEST_ONLY)),
        ),
        ed25519_pkcs8: write("ed25519.pem", &pkcs8),
        p256: write("p256.pem", keys::P256_PRIVATE_PEM_TEST_ONLY),
        p256_public: write("p256.pub.pem", keys::P256_PUBLIC_PEM),
        rsa: write("rsa.pem", keys::RSA_PRIVATE_PEM_TEST_ONLY),
        rsa_certificate: write("paypal-cert.pem", keys::RSA_CERTIFICATE_PEM),
        rsa_public: write("rsa.pub.pem", keys::RSA_PUBLIC_PEM),
        dir,
    }
}

/// Assert that a run printed none of the test private keys: neither the Ed25519 seed nor any
/// line of the private PEMs' bodies.
fn assert_no_key_material(r: &Run) {
    use webhook_guard::testing::keys;
    let seed = hex::encode(keys::ED25519_SEED_TEST_ONLY);
    let pem_lines = [
        keys::P256_PRIVATE_PEM_TEST_ONLY,
        keys::RSA_PRIVATE_PEM_TEST_ONLY,
    ]
    .into_iter()
    .flat_map(str::lines)
    .filter(|l| !l.starts_with("-----"));
    for secret in std::iter::once(seed.as_str()).chain(pem_lines) {
        assert!(
            !r.stdout.contains(secret) && !r.stderr.contains(secret),
            "private key material printed: {r:?}"
        );
    }
}

/// The SubjectPublicKeyInfo of the test P-256 key in base64, as SendGrid's settings show it.
fn p256_base64() -> String {
    webhook_guard::testing::keys::P256_PUBLIC_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect()
}

/// `whpk_` and the base64 of the test Ed25519 public key, as Standard Webhooks writes it.
fn whpk() -> String {
    use base64::Engine as _;
    let raw = hex::decode(webhook_guard::testing::keys::ED25519_PUBLIC_HEX).unwrap();
    format!(
        "whpk_{}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// A receiver on 127.0.0.1 whose routes are guarded by verifiers built with the test public
/// keys (`/discord`, `/standard` for `v1a` only, `/sendgrid`, `/paypal` with [`WEBHOOK_ID`] and
/// the test certificate) and with [`GITLAB_TOKEN`] (`/gitlab`): its address, and the deliveries
/// its handlers accepted.
fn key_receiver() -> (SocketAddr, receiver_app::EventLog) {
    use webhook_guard::keys::PublicKey;
    use webhook_guard::testing::keys;
    use webhook_guard::{WebhookLayer, WebhookMeta};
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let ed25519 = || PublicKey::ed25519_hex(keys::ED25519_PUBLIC_HEX).unwrap();
            let routes = [
                (
                    "/discord",
                    Verifier::with_public_key(Scheme::discord(), ed25519()),
                ),
                (
                    "/standard",
                    Verifier::with_public_key(Scheme::standard_webhooks(), ed25519()),
                ),
                (
                    "/sendgrid",
                    Verifier::with_public_key(
                        Scheme::sendgrid(),
                        PublicKey::p256_pem(keys::P256_PUBLIC_PEM).unwrap(),
                    ),
                ),
                (
                    "/paypal",
                    Verifier::with_public_key(
                        Scheme::paypal(WEBHOOK_ID).unwrap(),
                        PublicKey::from_certificate_pem(keys::RSA_CERTIFICATE_PEM).unwrap(),
                    ),
                ),
                (
                    "/gitlab",
                    Verifier::new(Scheme::gitlab(), Secret::new(GITLAB_TOKEN).unwrap()),
                ),
            ];
            let log = receiver_app::EventLog::default();
            let mut router = axum::Router::new();
            for (path, verifier) in routes {
                let l = log.clone();
                router = router.merge(
                    axum::Router::new()
                        .route(
                            path,
                            axum::routing::post(move |meta: WebhookMeta| async move {
                                let entry = serde_json::json!({
                                    "scheme": meta.scheme(),
                                    "id": meta.id(),
                                    "event": meta.event_type(),
                                });
                                l.lock().unwrap().push(entry.clone());
                                axum::Json(entry)
                            }),
                        )
                        .route_layer(WebhookLayer::new(verifier)),
                );
            }
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send((listener.local_addr().unwrap(), log)).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("receiver started")
}

/// A sender that signs with a private key, as the tests below sign and verify for it.
struct KeySender {
    name: &'static str,
    /// The flags that sign and verify besides the key's (PayPal's `--webhook-id`).
    flags: Vec<String>,
    private_key: PathBuf,
    /// The `--public-key` forms that check it.
    public_keys: Vec<String>,
    signature_header: &'static str,
}

/// Each sender that signs with a private key, with its key files in several forms.
fn key_senders(k: &KeyFiles) -> Vec<KeySender> {
    use webhook_guard::testing::keys::ED25519_PUBLIC_HEX;
    let sender =
        |name, flags: &[&str], private_key: &PathBuf, public_keys: Vec<String>, header| KeySender {
            name,
            flags: flags.iter().map(|f| f.to_string()).collect(),
            private_key: private_key.clone(),
            public_keys,
            signature_header: header,
        };
    vec![
        sender(
            "discord",
            &[],
            &k.ed25519_seed,
            vec![ED25519_PUBLIC_HEX.to_owned()],
            "x-signature-ed25519",
        ),
        sender(
            "discord",
            &[],
            &k.ed25519_pkcs8,
            vec![whpk()],
            "x-signature-ed25519",
        ),
        sender(
            "standard-webhooks",
            &[],
            &k.ed25519_pkcs8,
            vec![whpk(), ED25519_PUBLIC_HEX.to_owned()],
            "webhook-signature",
        ),
        sender(
            "sendgrid",
            &[],
            &k.p256,
            vec![p256_base64(), path(&k.p256_public).to_owned()],
            "x-twilio-email-event-webhook-signature",
        ),
        sender(
            "paypal",
            &["--webhook-id", WEBHOOK_ID],
            &k.rsa,
            vec![
                path(&k.rsa_certificate).to_owned(),
                path(&k.rsa_public).to_owned(),
            ],
            "paypal-transmission-sig",
        ),
    ]
}

/// The library's verifier for a key sender, with the test public key.
fn key_verifier(name: &str) -> Verifier {
    use webhook_guard::keys::PublicKey;
    use webhook_guard::testing::keys;
    let ed25519 = || PublicKey::ed25519_hex(keys::ED25519_PUBLIC_HEX).unwrap();
    match name {
        "discord" => Verifier::with_public_key(Scheme::discord(), ed25519()),
        "standard-webhooks" => Verifier::with_public_key(Scheme::standard_webhooks(), ed25519()),
        "sendgrid" => Verifier::with_public_key(
            Scheme::sendgrid(),
            PublicKey::p256_pem(keys::P256_PUBLIC_PEM).unwrap(),
        ),
        "paypal" => Verifier::with_public_key(
            Scheme::paypal(WEBHOOK_ID).unwrap(),
            PublicKey::from_certificate_pem(keys::RSA_CERTIFICATE_PEM).unwrap(),
        ),
        other => panic!("{other}"),
    }
}

#[test]
fn key_senders_sign_what_verify_public_key_accepts_and_tampering_fails() {
    let k = key_files("key-sign");
    let body = k.dir.join("body.json");
    for KeySender {
        name,
        flags,
        private_key,
        public_keys,
        signature_header: sig_header,
    } in key_senders(&k)
    {
        let sample = match name {
            "discord" => samples::DISCORD_PING,
            "sendgrid" => samples::SENDGRID_EVENTS,
            "paypal" => samples::PAYPAL_PAYMENT_CAPTURE_COMPLETED,
            _ => samples::STANDARD_EXAMPLE_EVENT,
        };
        std::fs::write(&body, sample).unwrap();
        let mut args = vec![
            "sign",
            "--scheme",
            name,
            "--private-key",
            path(&private_key),
        ];
        args.extend(flags.iter().map(String::as_str));
        args.push(path(&body));
        let r = run(&args);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert_no_key_material(&r);
        let headers = header_map(&r.stdout);
        // The library's verifier, with the public key, accepts the printed headers.
        key_verifier(name)
            .verify(&headers, sample.as_bytes())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        if name == "standard-webhooks" {
            let sig = headers["webhook-signature"].to_str().unwrap();
            assert!(sig.starts_with("v1a,") && !sig.contains("v1,"), "{sig}");
        }
        let headers_file = k.dir.join(format!("{name}.headers"));
        std::fs::write(&headers_file, &r.stdout).unwrap();
        for public_key in &public_keys {
            let verify = |body: &Path| {
                let mut args = vec![
                    "verify",
                    "--scheme",
                    name,
                    "--public-key",
                    public_key.as_str(),
                    "--headers",
                    path(&headers_file),
                ];
                args.extend(flags.iter().map(String::as_str));
                args.push(path(body));
                run(&args)
            };
            let r = verify(&body);
            assert_eq!(r.code, 0, "{name} {public_key}: {}", r.stderr);
            assert!(
                r.stdout.starts_with(&format!("verified: {name} delivery ")),
                "{}",
                r.stdout
            );
            // Still valid JSON with the same fields, one byte more.
            let tampered = k.dir.join("tampered.json");
            std::fs::write(&tampered, sample.replacen(':', ": ", 1)).unwrap();
            let r = verify(&tampered);
            assert_eq!(r.code, 1, "{name}: {}{}", r.stdout, r.stderr);
            assert!(
                r.error_line().starts_with(&format!(
                    "webhook-guard: signature_mismatch: no configured key matched the \
                     `{sig_header}` header"
                )),
                "{name}: {}",
                r.stderr
            );
        }
    }
    let _ = std::fs::remove_dir_all(&k.dir);
}

#[test]
fn paypal_needs_its_webhook_id_and_timestamps_are_date_times() {
    let k = key_files("key-paypal");
    let body = k.dir.join("body.json");
    std::fs::write(&body, samples::PAYPAL_PAYMENT_CAPTURE_COMPLETED).unwrap();
    let r = run(&[
        "sign",
        "--scheme",
        "paypal",
        "--webhook-id",
        WEBHOOK_ID,
        "--private-key",
        path(&k.rsa),
        "--timestamp",
        "1733220000",
        "--id",
        "b2384410-f8d2-11ec-b22c-9fb3e4ce5e8b",
        path(&body),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let headers = header_map(&r.stdout);
    assert_eq!(headers["paypal-transmission-time"], "2024-12-03T10:00:00Z");
    assert_eq!(
        headers["paypal-transmission-id"],
        "b2384410-f8d2-11ec-b22c-9fb3e4ce5e8b"
    );
    assert_eq!(headers["paypal-auth-algo"], "SHA256withRSA");
    let headers_file = k.dir.join("paypal.headers");
    std::fs::write(&headers_file, &r.stdout).unwrap();
    let verify = |webhook_id: &str| {
        run(&[
            "verify",
            "--scheme",
            "paypal",
            "--webhook-id",
            webhook_id,
            "--public-key",
            path(&k.rsa_certificate),
            "--headers",
            path(&headers_file),
            path(&body),
        ])
    };
    // An old capture: the date-time is named, and the signature said to match.
    let r = verify(WEBHOOK_ID);
    assert_eq!(r.code, 1);
    let line = r.error_line();
    assert!(
        line.starts_with(
            "webhook-guard: timestamp_expired: `paypal-transmission-time` (RFC 3339 date-time): "
        ) && line.contains("the signature itself matches"),
        "{line}"
    );
    // Another subscription's id: the signature does not match, and the id is the suspect.
    let r = run(&[
        "sign",
        "--scheme",
        "paypal",
        "--webhook-id",
        WEBHOOK_ID,
        "--private-key",
        path(&k.rsa),
        path(&body),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::write(&headers_file, &r.stdout).unwrap();
    assert_eq!(verify(WEBHOOK_ID).code, 0);
    let r = verify("ANOTHERWEBHOOK1");
    assert_eq!(r.code, 1);
    let line = r.error_line();
    assert!(
        line.starts_with("webhook-guard: signature_mismatch: ")
            && line.ends_with(
                "PayPal also signs the webhook id: is --webhook-id the id of the subscription \
                 this delivery was sent to?"
            ),
        "{line}"
    );
    let _ = std::fs::remove_dir_all(&k.dir);
}

#[test]
fn key_senders_send_to_a_receiver_that_verifies_with_the_public_key() {
    let k = key_files("key-send");
    let (addr, log) = key_receiver();
    for (name, route, flags, key, event) in [
        ("discord", "/discord", vec![], &k.ed25519_seed, Some("1")),
        (
            "standard-webhooks",
            "/standard",
            vec![],
            &k.ed25519_pkcs8,
            Some("contact.created"),
        ),
        ("sendgrid", "/sendgrid", vec![], &k.p256, None),
        (
            "paypal",
            "/paypal",
            vec!["--webhook-id", WEBHOOK_ID],
            &k.rsa,
            Some("PAYMENT.CAPTURE.COMPLETED"),
        ),
    ] {
        let before = log.lock().unwrap().len();
        let url = url(addr, route);
        let mut args = vec![
            "send",
            "--scheme",
            name,
            "--private-key",
            path(key),
            "--url",
            &url,
        ];
        args.extend(flags);
        let r = run(&args);
        assert_eq!(r.code, 0, "{name}: {}{}", r.stdout, r.stderr);
        assert_no_key_material(&r);
        assert!(
            !r.stderr.contains("will refuse"),
            "the delivery checks out before it is sent: {}",
            r.stderr
        );
        assert!(
            r.attempts()[0].starts_with("#1  200 OK  in "),
            "{name}: {}",
            r.stdout
        );
        let accepted = log.lock().unwrap().clone();
        assert_eq!(accepted.len(), before + 1, "{name}");
        assert_eq!(accepted[before]["scheme"], name);
        assert_eq!(accepted[before]["event"].as_str(), event, "{name}");
    }
    // The body's `id` is PayPal's delivery id, printed by send.
    assert_eq!(
        log.lock().unwrap()[3]["id"],
        "WH-0TN94522BR2357016-4KS01537HU586053X"
    );
    // Signed for another PayPal subscription: refused by the receiver, exit 1.
    let r = run(&[
        "send",
        "--scheme",
        "paypal",
        "--webhook-id",
        "ANOTHERWEBHOOK1",
        "--private-key",
        path(&k.rsa),
        "--url",
        &url(addr, "/paypal"),
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.attempts()[0].contains("401 Unauthorized")
            && r.attempts()[0].contains("signature_mismatch"),
        "{}",
        r.stdout
    );
    assert_eq!(log.lock().unwrap().len(), 4);
    let _ = std::fs::remove_dir_all(&k.dir);
}

#[test]
fn gitlab_sends_its_token_and_verify_compares_it() {
    let dir = temp_dir("gitlab");
    let body = dir.join("push.json");
    std::fs::write(&body, samples::GITLAB_PUSH).unwrap();
    let env = [("WG_TOKEN", GITLAB_TOKEN)];
    let r = run_with_env(
        &[
            "sign",
            "--scheme",
            "gitlab",
            "--secret-env",
            "WG_TOKEN",
            path(&body),
        ],
        &env,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let headers = header_map(&r.stdout);
    assert_eq!(headers["x-gitlab-token"], GITLAB_TOKEN, "the token itself");
    assert_eq!(headers["x-gitlab-event"], "Push Hook", "from `object_kind`");
    assert!(
        r.stderr
            .contains("X-Gitlab-Token is the secret token itself"),
        "{}",
        r.stderr
    );
    Verifier::new(Scheme::gitlab(), Secret::new(GITLAB_TOKEN).unwrap())
        .verify(&headers, samples::GITLAB_PUSH.as_bytes())
        .unwrap();
    let headers_file = dir.join("gitlab.headers");
    std::fs::write(&headers_file, &r.stdout).unwrap();
    let verify = |secret_env: &str| {
        run_with_env(
            &[
                "verify",
                "--scheme",
                "gitlab",
                "--secret-env",
                secret_env,
                "--headers",
                path(&headers_file),
                path(&body),
            ],
            &env,
        )
    };
    let r = verify("WG_TOKEN");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("verified: gitlab delivery dlv_") && r.stdout.contains("Push Hook"),
        "{}",
        r.stdout
    );
    // Another token: refused, and neither token is shown.
    let r = verify("WG_SECRET");
    assert_eq!(r.code, 1);
    assert!(
        r.error_line()
            .starts_with("webhook-guard: signature_mismatch: no configured key matched the `x-gitlab-token` header"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(GITLAB_TOKEN) && !r.stdout.contains(GITLAB_TOKEN));
    // send: the receiver compares the token; nothing printed shows it.
    let (addr, log) = key_receiver();
    let r = run_with_env(
        &[
            "send",
            "--scheme",
            "gitlab",
            "--secret-env",
            "WG_TOKEN",
            "--url",
            &url(addr, "/gitlab"),
            "--event",
            "Issue Hook",
        ],
        &env,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains(GITLAB_TOKEN) && !r.stdout.contains(GITLAB_TOKEN));
    assert_eq!(log.lock().unwrap()[0]["event"], "Issue Hook");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn each_sender_refuses_the_wrong_kind_of_key_naming_the_flag_it_needs() {
    let k = key_files("key-usage");
    let body = k.dir.join("body.json");
    std::fs::write(&body, samples::DISCORD_PING).unwrap();
    let headers = k.dir.join("h.txt");
    std::fs::write(&headers, "x-signature-ed25519: 00\n").unwrap();
    let (b, h) = (path(&body), path(&headers));
    let (seed, p256, rsa, cert) = (
        path(&k.ed25519_seed),
        path(&k.p256),
        path(&k.rsa),
        path(&k.rsa_certificate),
    );
    let u = "http://127.0.0.1:9/x";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        // A secret where a private key is needed (sign and send), or a public key (verify).
        (
            vec![
                "sign",
                "--scheme",
                "sendgrid",
                "--secret-env",
                "WG_SECRET",
                b,
            ],
            "sendgrid signs with ECDSA P-256: pass --private-key <PEM file>; --secret-env does not apply",
        ),
        (
            vec!["sign", "--scheme", "sendgrid", b],
            "sendgrid signs with ECDSA P-256: pass --private-key <PEM file>",
        ),
        (
            vec![
                "send", "--scheme", "discord", "--secret", SECRET, "--url", u,
            ],
            "discord signs with Ed25519: pass --private-key <file> (PEM PKCS#8, or the 32-byte seed as 64 hex digits); --secret does not apply",
        ),
        (
            vec!["sign", "--scheme", "paypal", "--webhook-id", WEBHOOK_ID, b],
            "paypal signs with RSA (PKCS#1 v1.5, SHA-256): pass --private-key <PEM file>",
        ),
        (
            vec![
                "verify",
                "--scheme",
                "discord",
                "--secret-env",
                "WG_SECRET",
                "--headers",
                h,
                b,
            ],
            "discord signs with Ed25519: pass --public-key <file or value>",
        ),
        (
            vec!["verify", "--scheme", "sendgrid", "--headers", h, b],
            "sendgrid signs with ECDSA P-256: pass --public-key <file or value>",
        ),
        // A key where a secret is needed.
        (
            vec!["sign", "--scheme", "heppu", "--private-key", seed, b],
            "heppu signs with HMAC-SHA256 and a shared secret: pass --secret-env VAR (or --secret, or set WEBHOOK_SECRET), not --private-key",
        ),
        (
            vec![
                "verify",
                "--scheme",
                "github",
                "--public-key",
                cert,
                "--headers",
                h,
                b,
            ],
            "github signs with HMAC-SHA256 and a shared secret: pass --secret-env VAR (or --secret, or set WEBHOOK_SECRET), not --public-key",
        ),
        (
            vec![
                "send",
                "--scheme",
                "gitlab",
                "--private-key",
                seed,
                "--url",
                u,
            ],
            "gitlab sends a shared token in X-Gitlab-Token, no signature: pass the token with --secret-env VAR",
        ),
        // The key of the other command.
        (
            vec![
                "verify",
                "--scheme",
                "discord",
                "--private-key",
                seed,
                "--headers",
                h,
                b,
            ],
            "verify checks with the sender's public key: pass --public-key <file or value>",
        ),
        (
            vec!["sign", "--scheme", "sendgrid", "--public-key", p256, b],
            "sign signs with the sender's private key: pass --private-key <PEM file>; --public-key is for verify",
        ),
        // A key of another algorithm.
        (
            vec!["sign", "--scheme", "discord", "--private-key", rsa, b],
            "holds an RSA (PKCS#1 v1.5, SHA-256) private key, but discord signs with Ed25519",
        ),
        (
            vec![
                "sign",
                "--scheme",
                "paypal",
                "--webhook-id",
                WEBHOOK_ID,
                "--private-key",
                p256,
                b,
            ],
            "holds an ECDSA P-256 private key, but paypal signs with RSA",
        ),
        (
            vec!["sign", "--scheme", "sendgrid", "--private-key", cert, b],
            "holds a `CERTIFICATE` PEM block: --private-key takes the private key",
        ),
        (
            vec![
                "verify",
                "--scheme",
                "sendgrid",
                "--public-key",
                cert,
                "--headers",
                h,
                b,
            ],
            "holds an RSA (PKCS#1 v1.5, SHA-256) public key, but sendgrid signs with ECDSA P-256",
        ),
        (
            vec![
                "verify",
                "--scheme",
                "discord",
                "--public-key",
                "not-a-key",
                "--headers",
                h,
                b,
            ],
            "--public-key (no file by that name, so read as a key value): Ed25519 public key",
        ),
        // Standard Webhooks: a secret (v1) or a key (v1a), not both.
        (
            vec![
                "sign",
                "--scheme",
                "standard",
                "--secret-env",
                "WG_WHSEC",
                "--private-key",
                seed,
                b,
            ],
            "give one of them, not both --secret-env and --private-key",
        ),
        // PayPal's webhook id: required there, refused elsewhere.
        (
            vec!["sign", "--scheme", "paypal", "--private-key", rsa, b],
            "paypal signs the id of the webhook subscription: pass --webhook-id ID",
        ),
        (
            vec![
                "sign",
                "--scheme",
                "paypal",
                "--webhook-id",
                "8PT59 7110X",
                "--private-key",
                rsa,
                b,
            ],
            "--webhook-id: PayPal webhook id has characters other than",
        ),
        (
            vec![
                "sign",
                "--scheme",
                "discord",
                "--webhook-id",
                WEBHOOK_ID,
                "--private-key",
                seed,
                b,
            ],
            "--webhook-id applies to paypal only",
        ),
        (
            vec![
                "sign",
                "--scheme",
                "discord",
                "--private-key",
                "/nonexistent/key.pem",
                b,
            ],
            "cannot read the --private-key file /nonexistent/key.pem",
        ),
    ];
    for (args, says) in cases {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        let line = r.error_line();
        assert!(line.contains(says), "{args:?}: {line}");
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
        assert_no_key_material(&r);
    }
    let _ = std::fs::remove_dir_all(&k.dir);
}

// ---------------------------------------------------------------------------------------------
// Twilio: signed over the URL it requests

/// The base URL a Twilio number's webhook is configured with in these tests, as a receiver
/// behind a proxy is addressed.
const TWILIO_BASE: &str = "https://hooks.example.com";

/// A receiver on 127.0.0.1 whose routes verify Twilio deliveries with [`SECRET`] as the Auth
/// Token: `/twilio/sms` and `/twilio/status` signed over the receiver's own address
/// (`http://127.0.0.1:<port>`), `/proxied/sms` over [`TWILIO_BASE`] (a receiver behind a
/// proxy). Its address, and what its handlers accepted: the route's path and query as received.
fn twilio_receiver() -> (SocketAddr, receiver_app::EventLog) {
    use webhook_guard::{WebhookLayer, WebhookMeta};
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let own = Scheme::twilio(&format!("http://{addr}")).unwrap();
            let proxied = Scheme::twilio(TWILIO_BASE).unwrap();
            let secret = || Secret::new(SECRET).unwrap();
            let log = receiver_app::EventLog::default();
            let mut router = axum::Router::new();
            for (path, scheme) in [
                ("/twilio/sms", own.clone()),
                ("/twilio/status", own),
                ("/proxied/sms", proxied),
            ] {
                let l = log.clone();
                router = router.merge(
                    axum::Router::new()
                        .route(
                            path,
                            axum::routing::post(
                                move |meta: WebhookMeta, uri: http::Uri| async move {
                                    let entry = serde_json::json!({
                                        "scheme": meta.scheme(),
                                        "id": meta.id(),
                                        "target": uri.to_string(),
                                    });
                                    l.lock().unwrap().push(entry.clone());
                                    axum::Json(entry)
                                },
                            ),
                        )
                        .route_layer(WebhookLayer::new(Verifier::new(scheme, secret()))),
                );
            }
            tx.send((addr, log.clone())).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("receiver started")
}

/// A POST to `target` carrying `headers` and `body`, as a Twilio receiver sees it.
fn twilio_request(target: &str, headers: &HeaderMap, body: &[u8]) -> http::Request<Vec<u8>> {
    let mut request = http::Request::new(body.to_vec());
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = target.parse().unwrap();
    *request.headers_mut() = headers.clone();
    request
}

fn sha256_hex(body: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(body))
}

#[test]
fn twilio_sign_url_output_verifies_with_verify_url_and_the_library() {
    let dir = temp_dir("twilio-sign");
    let form = dir.join("sms.form");
    std::fs::write(&form, samples::TWILIO_INCOMING_SMS).unwrap();
    let signed_url = format!("{TWILIO_BASE}/twilio/sms?region=eu");
    let r = run(&[
        "sign",
        "--scheme",
        "twilio",
        "--secret-env",
        "WG_SECRET",
        "--url",
        &signed_url,
        path(&form),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let headers = header_map(&r.stdout);
    assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
    assert!(headers.contains_key("x-twilio-signature"), "{}", r.stdout);
    let headers_file = dir.join("sms.headers");
    std::fs::write(&headers_file, &r.stdout).unwrap();

    // The library accepts it at the signed URL, and at no other.
    let verifier = Verifier::new(
        Scheme::twilio(TWILIO_BASE).unwrap(),
        Secret::new(SECRET).unwrap(),
    );
    let body = samples::TWILIO_INCOMING_SMS.as_bytes();
    let meta = verifier
        .verify_request(&twilio_request("/twilio/sms?region=eu", &headers, body))
        .unwrap();
    assert_eq!(meta.scheme(), "twilio");
    let moved = verifier
        .verify_request(&twilio_request("/twilio/sms?region=us", &headers, body))
        .unwrap_err();
    assert_eq!(moved.code(), "signature_mismatch");
    // Without the request line it cannot be checked at all.
    assert_eq!(
        verifier.verify(&headers, body).unwrap_err().code(),
        "request_target_missing"
    );

    // verify --url: the same URL verifies; another fails with signature_mismatch and points at
    // the URL.
    let check = |url: &str| {
        run(&[
            "verify",
            "--scheme",
            "twilio",
            "--secret-env",
            "WG_SECRET",
            "--url",
            url,
            "--headers",
            path(&headers_file),
            path(&form),
        ])
    };
    let ok = check(&signed_url);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(
        ok.stdout.starts_with("verified: twilio delivery "),
        "{}",
        ok.stdout
    );
    for other in [
        format!("{TWILIO_BASE}/twilio/sms?region=us"),
        format!("{TWILIO_BASE}/twilio/voice?region=eu"),
        "https://other.example.com/twilio/sms?region=eu".to_string(),
    ] {
        let r = check(&other);
        assert_eq!(r.code, 1, "{other}: {}{}", r.stdout, r.stderr);
        let line = r.error_line();
        assert!(
            line.starts_with("webhook-guard: signature_mismatch: "),
            "{other}: {line}"
        );
        assert!(
            line.contains("is --url exactly that URL"),
            "{other}: {line}"
        );
    }
    // Verified at http:// while Twilio requested https:// (a TLS proxy): named.
    let r = check("http://hooks.example.com/twilio/sms?region=eu");
    assert_eq!(r.code, 1);
    assert!(
        r.error_line()
            .contains(&format!("it verifies over {signed_url}")),
        "{}",
        r.stderr
    );
    // With the wrong Auth Token: a mismatch too.
    let wrong = run(&[
        "verify",
        "--scheme",
        "twilio",
        "--secret-env",
        "WG_WRONG",
        "--url",
        &signed_url,
        "--headers",
        path(&headers_file),
        path(&form),
    ]);
    assert_eq!(wrong.code, 1);
    assert!(wrong.error_line().contains("signature_mismatch"));

    // A JSON body: signed over the URL with the body's SHA-256 added to its query, as Twilio
    // does; sign says where to send it.
    let json_body =
        br#"{"MessageSid":"SM5f3c9a1e7b2d4c6e8a0b1c2d3e4f5a6b","MessageStatus":"delivered"}"#;
    let json = dir.join("status.json");
    std::fs::write(&json, json_body).unwrap();
    let status_url = format!("{TWILIO_BASE}/twilio/status");
    let r = run(&[
        "sign",
        "--scheme",
        "twilio",
        "--secret-env",
        "WG_SECRET",
        "--url",
        &status_url,
        path(&json),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let hashed = format!("{status_url}?bodySHA256={}", sha256_hex(json_body));
    assert!(r.stderr.contains(&hashed), "{}", r.stderr);
    let headers = header_map(&r.stdout);
    assert_eq!(headers["content-type"], "application/json");
    let target = hashed.strip_prefix(TWILIO_BASE).unwrap();
    assert!(
        verifier
            .verify_request(&twilio_request(target, &headers, json_body))
            .is_ok()
    );
    let json_headers = dir.join("status.headers");
    std::fs::write(&json_headers, &r.stdout).unwrap();
    let verify_json = |url: &str| {
        run(&[
            "verify",
            "--scheme",
            "twilio",
            "--secret-env",
            "WG_SECRET",
            "--url",
            url,
            "--headers",
            path(&json_headers),
            path(&json),
        ])
    };
    assert_eq!(verify_json(&hashed).code, 0);
    // Given the URL without the hash, verify says what is missing.
    let r = verify_json(&status_url);
    assert_eq!(r.code, 1);
    assert!(
        r.error_line()
            .contains(&format!("it verifies over {hashed}")),
        "{}",
        r.stderr
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn twilio_send_posts_the_form_sample_and_json_bodies_signed_over_the_url() {
    let (addr, log) = twilio_receiver();
    let dir = temp_dir("twilio-send");
    let send = |extra: &[&str]| {
        let mut args = vec!["send", "--scheme", "twilio", "--secret-env", "WG_SECRET"];
        args.extend(extra);
        run(&args)
    };

    // The documented sample: form parameters, signed over the URL it posts to (query included).
    let sms = url(addr, "/twilio/sms?region=eu");
    let r = send(&["--url", &sms]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("will refuse"), "{}", r.stderr);
    assert!(
        r.stdout.contains("twilio sample `incoming-sms`"),
        "{}",
        r.stdout
    );
    assert!(
        r.attempts()[0].starts_with("#1  200 OK  in "),
        "{}",
        r.stdout
    );
    assert_eq!(log.lock().unwrap().len(), 1);
    assert_eq!(log.lock().unwrap()[0]["target"], "/twilio/sms?region=eu");
    assert_eq!(log.lock().unwrap()[0]["scheme"], "twilio");

    // A JSON body: the body's SHA-256 goes into the signed and the posted URL's query.
    let body = br#"{"CallSid":"CA0a1b2c3d4e5f60718293a4b5c6d7e8f9","CallStatus":"completed"}"#;
    let json = dir.join("status.json");
    std::fs::write(&json, body).unwrap();
    let status = url(addr, "/twilio/status");
    let r = send(&["--url", &status, path(&json)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.attempts()[0].starts_with("#1  200 OK  in "),
        "{}",
        r.stdout
    );
    let hashed = format!("/twilio/status?bodySHA256={}", sha256_hex(body));
    assert_eq!(log.lock().unwrap()[1]["target"], hashed.as_str());
    // Also when only --content-type says JSON, and the query keeps its own parameters.
    let r = send(&[
        "--url",
        &format!("{status}?attempt=2"),
        "--content-type",
        "application/json",
        path(&json),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        log.lock().unwrap()[2]["target"],
        format!("/twilio/status?attempt=2&bodySHA256={}", sha256_hex(body)).as_str()
    );

    // Behind a proxy: posted here, signed for the public URL the receiver is configured with.
    let proxied = url(addr, "/proxied/sms");
    let public = format!("{TWILIO_BASE}/proxied/sms");
    let r = send(&["--url", &proxied, "--signed-url", &public]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!("signed for {public}")),
        "{}",
        r.stdout
    );
    assert_eq!(log.lock().unwrap().len(), 4);
    // A JSON body behind the proxy: the hash in both URLs.
    let r = send(&["--url", &proxied, "--signed-url", &public, path(&json)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        log.lock().unwrap()[4]["target"],
        format!("/proxied/sms?bodySHA256={}", sha256_hex(body)).as_str()
    );
    // Signed for the URL it posts to, the proxied receiver refuses it; so does the direct one
    // a delivery signed for another URL.
    for args in [
        vec!["--url", proxied.as_str()],
        vec!["--url", sms.as_str(), "--signed-url", public.as_str()],
    ] {
        let r = send(&args);
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.attempts()[0].contains("401 Unauthorized")
                && r.attempts()[0].contains("signature_mismatch"),
            "{args:?}: {}",
            r.stdout
        );
    }
    // The wrong Auth Token: refused.
    let r = run(&[
        "send",
        "--scheme",
        "twilio",
        "--secret-env",
        "WG_WRONG",
        "--url",
        &sms,
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.attempts()[0].contains("signature_mismatch"),
        "{}",
        r.stdout
    );
    assert_eq!(log.lock().unwrap().len(), 5);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn twilio_url_flags_are_required_or_refused_by_name() {
    let dir = temp_dir("twilio-usage");
    let form = dir.join("sms.form");
    std::fs::write(&form, samples::TWILIO_INCOMING_SMS).unwrap();
    let json = dir.join("body.json");
    std::fs::write(&json, samples::HEPPU_CALL_COMPLETED).unwrap();
    let headers = dir.join("h.txt");
    std::fs::write(&headers, "x-twilio-signature: AAAA\n").unwrap();
    let (f, j, h) = (path(&form), path(&json), path(&headers));
    let twilio_url = "https://hooks.example.com/twilio/sms";
    let s = ["--secret-env", "WG_SECRET"];
    let with = |args: &[&'static str], tail: &[&str]| -> Vec<String> {
        args.iter()
            .chain(s.iter())
            .chain(tail.iter())
            .map(|a| a.to_string())
            .collect()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            with(&["sign", "--scheme", "twilio"], &[f]),
            "twilio signs the URL it requests: pass --url URL",
        ),
        (
            with(&["verify", "--scheme", "twilio"], &["--headers", h, f]),
            "twilio signs the URL it requests: pass --url URL",
        ),
        (
            with(&["sign", "--scheme", "heppu"], &["--url", twilio_url, j]),
            "heppu signs no URL: drop --url",
        ),
        (
            with(
                &["verify", "--scheme", "github"],
                &["--url", twilio_url, "--headers", h, j],
            ),
            "github signs no URL: drop --url",
        ),
        (
            with(
                &["send", "--scheme", "heppu"],
                &["--url", "http://127.0.0.1:9/x", "--signed-url", twilio_url],
            ),
            "heppu signs no URL: drop --signed-url",
        ),
        (
            with(
                &["sign", "--scheme", "twilio"],
                &["--url", "hooks.example.com/sms", f],
            ),
            "--url `hooks.example.com/sms` is not an absolute http:// or https:// URL",
        ),
        (
            with(
                &["send", "--scheme", "twilio"],
                &[
                    "--url",
                    "http://127.0.0.1:9/x",
                    "--signed-url",
                    "/twilio/sms",
                ],
            ),
            "--signed-url `/twilio/sms` is not an absolute http:// or https:// URL",
        ),
        (
            with(
                &["sign", "--scheme", "twilio"],
                &["--url", "https://ACxx:tok@hooks.example.com/sms", f],
            ),
            "--url has user info",
        ),
        (
            with(
                &["sign", "--scheme", "twilio"],
                &["--url", "https://hooks.example.com/sms?bodySHA256=00", j],
            ),
            "--url carries `bodySHA256`, which is not the SHA-256 of this body",
        ),
        (
            with(
                &["send", "--scheme", "twilio"],
                &["--url", "http://127.0.0.1:9/x", "--private-key", f],
            ),
            "twilio signs with HMAC-SHA1 and the account's Auth Token",
        ),
    ];
    for (args, says) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        let line = r.error_line();
        assert!(line.contains(says), "{args:?}: {line}");
        assert!(!line.contains("tok@"), "{line}");
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Mailgun signs inside the body: `sign` prints the signed body, which `verify` checks with a
/// headers file that names only its content type; a changed token is refused.
#[test]
fn mailgun_sign_prints_the_signed_body_and_verify_checks_it() {
    let dir = temp_dir("mailgun-sign");
    let body = dir.join("delivered.json");
    std::fs::write(&body, samples::MAILGUN_DELIVERED).unwrap();
    let body = body.to_str().unwrap();
    let r = run(&[
        "sign",
        "--scheme",
        "mailgun",
        "--secret-env",
        "WG_SECRET",
        body,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("signs inside the body"), "{}", r.stderr);
    let signed: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(
        signed["signature"]["signature"].as_str().unwrap().len(),
        64,
        "{signed}"
    );
    let signed_path = dir.join("signed.json");
    std::fs::write(&signed_path, r.stdout.trim()).unwrap();
    let headers = dir.join("headers.txt");
    std::fs::write(&headers, "content-type: application/json\n").unwrap();
    let (signed_path, headers) = (signed_path.to_str().unwrap(), headers.to_str().unwrap());
    let verify = |path: &str| {
        run(&[
            "verify",
            "--scheme",
            "mailgun",
            "--secret-env",
            "WG_SECRET",
            "--headers",
            headers,
            path,
        ])
    };
    let ok = verify(signed_path);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(
        ok.stdout.starts_with(
            "verified: mailgun delivery a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
        ),
        "{}",
        ok.stdout
    );
    let other = dir.join("other.json");
    std::fs::write(&other, r.stdout.trim().replace("a8ce0edb", "b8ce0edb")).unwrap();
    let bad = verify(other.to_str().unwrap());
    assert_eq!(bad.code, 1, "{}{}", bad.stdout, bad.stderr);
    assert!(bad.stderr.contains("signature_mismatch"), "{}", bad.stderr);
    let _ = std::fs::remove_dir_all(dir);
}
