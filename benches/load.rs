//! Load on 127.0.0.1: a bare route reading the body against the same route behind the webhook
//! guard (Heppu scheme, in-memory dedup on), 1 KiB bodies, for axum and for actix-web; and peak
//! memory with 1,000 concurrent 1 MiB deliveries in flight, served by `axum::serve` and by hyper
//! with its read buffer capped (to show what of the peak is the transport's, not the bodies').
//!
//! ```text
//! cargo bench --bench load --features actix            # every run below
//! cargo bench --bench load --features actix -- axum    # only the axum pair (or `actix`, `memory`)
//! LOAD_BODY=10240 cargo bench --bench load -- axum      # other body sizes (bytes; default 1024)
//! ```
//!
//! Each server runs in its own process pinned to core 1 (`taskset -c 1`, when available); the
//! load generator runs here, pinned to core 0. The generator keeps `CONNECTIONS` keep-alive
//! HTTP/1.1 connections busy for `SECONDS`, every request a distinct pre-signed delivery (so
//! the guard really verifies and claims each one). Requests are written as pre-built bytes on
//! raw keep-alive connections, so the generator costs far less than the server. It reports
//! requests/s, p50/p99 latency, the server's peak RSS (VmHWM), its CPU time per request and the
//! guarded/bare ratio measured in the same run. The three routes run in interleaved rounds
//! (five; `LOAD_ROUNDS=3` for a quicker run). Each route is reported by its median round, and
//! each ratio by the median over the rounds of the route against the same round's bare route.
//! The server's user time added per request is paired by round the same way: on loopback the
//! kernel's TCP work is two thirds of a bare request and moves with the machine, while the
//! guard's own cost is user time.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use webhook_guard::testing::Delivery;
use webhook_guard::{Scheme, Secret};

const KEY: &str = "load-test-secret-0123456789";
const CONNECTIONS: usize = 32;
const SECONDS: u64 = 8;
const DELIVERIES: usize = 400_000;
/// The pre-signed deliveries kept in memory at most (bytes): fewer deliveries for larger bodies.
const DELIVERY_BYTES: usize = 2 << 30;

/// The body size of the load runs: 1 KiB, or `LOAD_BODY` bytes (256 B to 256 KiB, actix-web's
/// default payload limit for the bare route) to see how the ratios move with it.
fn body_size() -> usize {
    std::env::var("LOAD_BODY")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(1024, |n| n.clamp(256, 256 * 1024))
}

fn secret() -> Secret {
    Secret::new(KEY).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Servers (run as `load server <kind>` in a child process)

fn serve(kind: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    match kind {
        "axum-bare" | "axum-verify" | "axum-guarded" | "memory" | "memory-smallbuf" => {
            rt.block_on(serve_axum(kind))
        }
        #[cfg(feature = "actix")]
        "actix-bare" | "actix-verify" | "actix-guarded" => {
            drop(rt);
            serve_actix(kind)
        }
        other => panic!("unknown server kind {other}"),
    }
}

async fn serve_axum(kind: &str) {
    use axum::Router;
    use axum::routing::post;
    use webhook_guard::dedup::MemoryStore;
    use webhook_guard::{RawBody, Verifier, WebhookLayer};

    let guard = || {
        WebhookLayer::new(Verifier::new(Scheme::heppu(), secret())).dedup(MemoryStore::default())
    };
    let app = match kind {
        "axum-bare" => Router::new().route(
            "/hook",
            post(|body: Bytes| async move { body.len().to_string() }),
        ),
        "axum-guarded" => Router::new()
            .route(
                "/hook",
                post(|RawBody(body): RawBody| async move { body.len().to_string() }),
            )
            .route_layer(guard()),
        // Verification only, no deduplication: separates the two costs.
        "axum-verify" => Router::new()
            .route(
                "/hook",
                post(|RawBody(body): RawBody| async move { body.len().to_string() }),
            )
            .route_layer(WebhookLayer::new(Verifier::new(Scheme::heppu(), secret()))),
        // Memory: hold every delivery (1 MiB each) for a while, as a slow handler would.
        _ => Router::new()
            .route(
                "/hook",
                post(|RawBody(body): RawBody| async move {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                    body.len().to_string()
                }),
            )
            .route_layer(guard().body_limit(1024 * 1024 + 1024)),
    };
    // The memory run opens 1,000 connections at once: a backlog above tokio's default of
    // 1,024 keeps the kernel from dropping handshakes while the single server thread accepts.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(4096).unwrap();
    announce(listener.local_addr().unwrap());
    if kind == "memory-smallbuf" {
        return serve_small_buffers(listener, app).await;
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(stdin_closed())
        .await
        .unwrap();
}

/// The same app on hyper's HTTP/1 connections with the read buffer capped at 16 KiB instead
/// of hyper's default (about 400 KiB, which the buffer grows towards under a fast sender): how
/// much of the memory run's peak is the transport's buffers rather than the bodies.
async fn serve_small_buffers(listener: tokio::net::TcpListener, app: axum::Router) {
    use hyper_util::rt::TokioIo;
    use hyper_util::service::TowerToHyperService;

    let stop = stdin_closed();
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of descriptors, say: wait a moment instead of spinning.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = &mut stop => return,
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .max_buf_size(16 * 1024)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

#[cfg(feature = "actix")]
fn serve_actix(kind: &str) {
    use actix_web::{App, HttpServer, web};
    use webhook_guard::actix::WebhookGuard;
    use webhook_guard::dedup::MemoryStore;
    use webhook_guard::{RawBody, Verifier};

    let guarded = kind != "actix-bare";
    let guard = WebhookGuard::new(Verifier::new(Scheme::heppu(), secret()));
    let guard = if kind == "actix-guarded" {
        guard.dedup(MemoryStore::default())
    } else {
        guard
    };
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || {
            let bare = web::resource("/hook");
            if guarded {
                App::new().service(bare.wrap(guard.clone()).route(
                    web::post().to(|RawBody(b): RawBody| async move { b.len().to_string() }),
                ))
            } else {
                App::new().service(
                    web::resource("/hook")
                        .route(web::post().to(|b: web::Bytes| async move { b.len().to_string() })),
                )
            }
        })
        .workers(1)
        .disable_signals()
        .bind("127.0.0.1:0")
        .unwrap();
        announce(server.addrs()[0]);
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(async move {
            stdin_closed().await;
            handle.stop(true).await;
        });
        server.await.unwrap();
    });
}

fn announce(addr: SocketAddr) {
    println!("{addr}");
    std::io::stdout().flush().unwrap();
}

/// Resolves when the parent closes our stdin (its way to stop us).
async fn stdin_closed() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        while std::io::stdin()
            .read_line(&mut line)
            .map(|n| n > 0)
            .unwrap_or(false)
        {}
        let _ = tx.send(());
    });
    let _ = rx.await;
}

// ---------------------------------------------------------------------------------------------
// Load generator

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(kind: &str) -> Server {
        let exe = std::env::current_exe().unwrap();
        let pinned = Command::new("taskset").arg("--version").output().is_ok();
        let mut cmd = if pinned {
            let mut c = Command::new("taskset");
            c.args(["-c", "1"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let mut child = cmd
            .args(["server", kind])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        Server {
            addr: line.trim().parse().unwrap(),
            child,
        }
    }

    /// Peak resident set of the server process so far (VmHWM), in bytes.
    fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    }

    /// CPU time the server's threads have run so far, in nanoseconds (the first field of each
    /// thread's `/proc/<pid>/task/<tid>/schedstat`), or `None` where that is not available.
    fn cpu_ns(&self) -> Option<u64> {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.child.id())).ok()?;
        let mut total = 0;
        for task in tasks.flatten() {
            let stat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
            total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
        }
        Some(total)
    }

    /// Fields of the server's `/proc/<pid>/stat` after the command name (which is in
    /// parentheses and may hold spaces): index 0 is the state (field 3 in `proc(5)`).
    fn stat_fields(&self) -> Option<Vec<u64>> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        let after_name = stat.rsplit_once(')')?.1;
        // Field 3 (the state) is a letter; the fields this bench reads are numbers.
        Some(
            after_name
                .split_whitespace()
                .map(|f| f.parse().unwrap_or(0))
                .collect(),
        )
    }

    /// User and kernel CPU time of the server so far, in clock ticks (`utime`, `stime`: fields
    /// 14 and 15), or `None` where that is not available.
    fn user_kernel_ticks(&self) -> Option<(u64, u64)> {
        let fields = self.stat_fields()?;
        Some((*fields.get(11)?, *fields.get(12)?))
    }

    /// Minor page faults of the server so far (`minflt`, field 10): each is a page of new
    /// memory the kernel maps (and zeroes) for the process.
    fn minor_faults(&self) -> Option<u64> {
        self.stat_fields()?.get(7).copied()
    }

    fn stop(mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Pre-signed deliveries, each a whole HTTP/1.1 request.
type Deliveries = Arc<Vec<Bytes>>;

struct Run {
    requests: usize,
    seconds: f64,
    p50_us: u32,
    p99_us: u32,
    peak_rss: u64,
    /// Server CPU time during the run, in nanoseconds (`None` without `/proc`).
    cpu_ns: Option<u64>,
    /// The kernel's share of the server's CPU time during the run (`None` without `/proc`).
    kernel_share: Option<f64>,
    /// TCP segments sent on this machine during the run (`OutSegs` of `/proc/net/snmp`): on
    /// loopback, the requests' and the responses' segments, ACKs included.
    tcp_segments: Option<u64>,
    /// Minor page faults of the server during the run: the kernel mapping new memory, such as
    /// the dedup store's tables as they grow.
    minor_faults: Option<u64>,
}

/// `OutSegs` of `/proc/net/snmp` (segments sent, every socket of the machine), or `None`.
fn tcp_out_segments() -> Option<u64> {
    let snmp = std::fs::read_to_string("/proc/net/snmp").ok()?;
    let mut tcp = snmp.lines().filter(|l| l.starts_with("Tcp:"));
    let (names, values) = (tcp.next()?, tcp.next()?);
    let at = names.split_whitespace().position(|n| n == "OutSegs")?;
    values.split_whitespace().nth(at)?.parse().ok()
}

/// Distinct signed Heppu deliveries of `size` bytes, each a complete HTTP/1.1 request, ready
/// to write.
fn deliveries(n: usize, size: usize) -> Deliveries {
    let key = secret();
    let pad = "x".repeat(size);
    Arc::new(
        (0..n)
            .map(|i| {
                let head = format!(r#"{{"event":"call.completed","n":{i:>10},"p":""#);
                let body = format!("{head}{}\"}}", &pad[..size - head.len() - 2]);
                debug_assert_eq!(body.len(), size);
                let d = Delivery::new(Scheme::heppu(), body)
                    .id(format!("dlv_{i}"))
                    .sign(&key);
                let mut req = format!(
                    "POST /hook HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
                    d.body.len()
                );
                for (k, v) in &d.headers {
                    req.push_str(&format!("{}: {}\r\n", k, v.to_str().unwrap()));
                }
                req.push_str("\r\n");
                let mut bytes = req.into_bytes();
                bytes.extend_from_slice(&d.body);
                Bytes::from(bytes)
            })
            .collect(),
    )
}

/// Read one HTTP/1.1 response (status line, headers, a `Content-Length` or chunked body) from
/// `buf` + `stream`; returns the status. Leftover bytes stay in `buf`.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> u16 {
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = stream.read(&mut tmp).await.expect("read");
        assert!(n > 0, "server closed the connection");
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end])
        .expect("ascii head")
        .to_ascii_lowercase();
    let status: u16 = head[9..12].parse().expect("status");
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse::<usize>().expect("length"));
    let total = match length {
        Some(len) => head_end + len,
        None => {
            // Chunked: read until the terminating zero-length chunk.
            loop {
                if let Some(p) = buf[head_end..].windows(5).position(|w| w == b"0\r\n\r\n") {
                    break head_end + p + 5;
                }
                let n = stream.read(&mut tmp).await.expect("read");
                assert!(n > 0, "server closed the connection");
                buf.extend_from_slice(&tmp[..n]);
            }
        }
    };
    while buf.len() < total {
        let n = stream.read(&mut tmp).await.expect("read");
        assert!(n > 0, "server closed the connection");
        buf.extend_from_slice(&tmp[..n]);
    }
    buf.drain(..total);
    status
}

fn load(kind: &str, set: &Deliveries) -> Run {
    let server = Server::start(kind);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = server.cpu_ns();
    let ticks_before = server.user_kernel_ticks();
    let segments_before = tcp_out_segments();
    let faults_before = server.minor_faults();
    let (requests, seconds, mut lat) = rt.block_on(async {
        let started = Instant::now();
        let deadline = started + Duration::from_secs(SECONDS);
        let mut tasks = Vec::new();
        for _ in 0..CONNECTIONS {
            let (next, set, addr) = (next.clone(), set.clone(), server.addr);
            tasks.push(tokio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await.expect("connect");
                stream.set_nodelay(true).unwrap();
                let mut buf = Vec::with_capacity(8192);
                let mut lat = Vec::with_capacity(200_000);
                while Instant::now() < deadline {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(req) = set.get(i) else { break };
                    let t = Instant::now();
                    stream.write_all(req).await.expect("write");
                    let status = read_response(&mut stream, &mut buf).await;
                    lat.push(t.elapsed().as_micros() as u32);
                    assert_eq!(status, 200, "delivery {i}");
                }
                lat
            }));
        }
        let mut lat = Vec::new();
        for t in tasks {
            lat.extend(t.await.unwrap());
        }
        (lat.len(), started.elapsed().as_secs_f64(), lat)
    });
    let cpu_ns = cpu_before
        .zip(server.cpu_ns())
        .map(|(before, after)| after.saturating_sub(before));
    let kernel_share =
        ticks_before
            .zip(server.user_kernel_ticks())
            .and_then(|((u0, k0), (u1, k1))| {
                let (user, kernel) = (u1.saturating_sub(u0), k1.saturating_sub(k0));
                (user + kernel > 0).then(|| kernel as f64 / (user + kernel) as f64)
            });
    let tcp_segments = segments_before
        .zip(tcp_out_segments())
        .map(|(before, after)| after.saturating_sub(before));
    let minor_faults = faults_before
        .zip(server.minor_faults())
        .map(|(before, after)| after.saturating_sub(before));
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    let run = Run {
        requests,
        seconds,
        p50_us: pct(0.50),
        p99_us: pct(0.99),
        peak_rss: server.peak_rss(),
        cpu_ns,
        kernel_share,
        tcp_segments,
        minor_faults,
    };
    server.stop();
    run
}

impl Run {
    /// The server's user and kernel CPU time per request in µs, when `/proc` tells.
    fn user_kernel_us(&self) -> Option<(f64, f64)> {
        let (ns, share) = (self.cpu_ns?, self.kernel_share?);
        if self.requests == 0 {
            return None;
        }
        let per_request_us = ns as f64 / 1e3 / self.requests as f64;
        Some((per_request_us * (1.0 - share), per_request_us * share))
    }
}

/// Median, minimum and maximum of `values` (which must not be empty).
fn median_range(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    (
        values[values.len() / 2],
        values[0],
        values[values.len() - 1],
    )
}

/// Server CPU time per request and how busy the server was, when `/proc` tells.
/// Also the kernel's share of that time and the TCP segments sent per request: on loopback
/// the kernel's work for the connections is part of the server's time, and it moves with how
/// the segments are cut, which a slower route changes (more ACKs sent on their own).
fn cpu_text(r: &Run) -> String {
    let mut text = match r.cpu_ns {
        Some(ns) if r.requests > 0 => format!(
            "server CPU {:>5.2} µs/request ({:.0} % busy",
            ns as f64 / 1e3 / r.requests as f64,
            ns as f64 / 1e7 / r.seconds
        ),
        _ => return String::new(),
    };
    if let Some(share) = r.kernel_share {
        text.push_str(&format!(", {:.0} % in the kernel", share * 100.0));
    }
    text.push(')');
    if let Some(segments) = r.tcp_segments {
        text.push_str(&format!(
            "   {:.2} TCP segments/request",
            segments as f64 / r.requests as f64
        ));
    }
    if let Some(faults) = r.minor_faults {
        text.push_str(&format!(
            "   {:.3} page faults/request",
            faults as f64 / r.requests as f64
        ));
    }
    text
}

fn report(label: &str, r: &Run) {
    println!(
        "{label:<16} {:>9.0} req/s   p50 {:>6} µs   p99 {:>6} µs   peak RSS {:>6.1} MiB   ({} requests in {:.1} s)",
        r.requests as f64 / r.seconds,
        r.p50_us,
        r.p99_us,
        r.peak_rss as f64 / (1024.0 * 1024.0),
        r.requests,
        r.seconds
    );
}

/// Rounds of bare → verify → guarded, interleaved so that a slow spell of the machine hits
/// every route alike; each route is reported by its median round. Five by default
/// (`LOAD_ROUNDS` sets 1–15): rounds on this machine differ by up to a fifth (one run's paired
/// ratios for a route went from 0.63 to 0.88), and a median of five stands two such rounds
/// where a median of three stands one.
fn rounds() -> usize {
    std::env::var("LOAD_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| (1..=15).contains(&n))
        .unwrap_or(5)
}

fn pair(framework: &str, set: &Deliveries) {
    let rate = |r: &Run| r.requests as f64 / r.seconds;
    let routes = ["bare", "verify", "guarded"];
    let mut runs: Vec<Vec<Run>> = routes.iter().map(|_| Vec::new()).collect();
    let rounds = rounds();
    for round in 1..=rounds {
        for (route, runs) in routes.iter().zip(&mut runs) {
            let run = load(&format!("{framework}-{route}"), set);
            println!(
                "  round {round}: {framework} {route:<8} {:>9.0} req/s   {}",
                rate(&run),
                cpu_text(&run)
            );
            runs.push(run);
        }
    }
    // Each round's routes ran within the same minute: their ratio to that round's bare route
    // is steadier than a ratio of medians taken from different rounds.
    let paired = |route: usize| {
        median_range(
            (0..rounds)
                .map(|i| rate(&runs[route][i]) / rate(&runs[0][i]))
                .collect(),
        )
    };
    let (verify_paired, guarded_paired) = (paired(1), paired(2));
    // The guard's cost as user time added per request, paired by round: the kernel's share
    // (loopback TCP, two thirds of a bare request) moves between rounds with the machine, and
    // the guard does not change it (the same TCP segments per request on every route).
    let user_added = |route: usize| -> Option<(f64, f64, f64)> {
        let added: Option<Vec<f64>> = (0..rounds)
            .map(|i| {
                let (user, _) = runs[route][i].user_kernel_us()?;
                let (bare_user, _) = runs[0][i].user_kernel_us()?;
                Some(user - bare_user)
            })
            .collect();
        added.map(median_range)
    };
    let bare_split = (0..rounds)
        .map(|i| runs[0][i].user_kernel_us())
        .collect::<Option<Vec<_>>>()
        .map(|split| {
            (
                median_range(split.iter().map(|s| s.0).collect()).0,
                median_range(split.iter().map(|s| s.1).collect()).0,
            )
        });
    let user_text = match (user_added(1), user_added(2), bare_split) {
        (Some(v), Some(g), Some((bare_user, bare_kernel))) => format!(
            "{framework} (user time added per request, paired by round, median [min–max] of \
             {rounds}): verify +{:.2} µs [{:.2}–{:.2}], guarded +{:.2} µs [{:.2}–{:.2}]; the \
             bare route: user {bare_user:.2} µs, kernel {bare_kernel:.2} µs per request \
             (medians)\n",
            v.0, v.1, v.2, g.0, g.1, g.2
        ),
        _ => String::new(),
    };
    let median: Vec<Run> = runs
        .into_iter()
        .map(|mut r| {
            r.sort_by(|a, b| rate(a).total_cmp(&rate(b)));
            r.swap_remove(rounds / 2)
        })
        .collect();
    let [bare, verify, guarded] = &median[..] else {
        unreachable!("three routes")
    };
    report(&format!("{framework} bare"), bare);
    report(&format!("{framework} verify"), verify);
    report(&format!("{framework} guarded"), guarded);
    let per_req_us = |r: &Run| 1e6 / rate(r);
    println!(
        "{framework} (median of {rounds} rounds): throughput ratio verify/bare = {:.3}, \
         guarded(verify+dedup)/bare = {:.3}; added server time per request: verify {:.1} µs, \
         verify+dedup {:.1} µs\n",
        rate(verify) / rate(bare),
        rate(guarded) / rate(bare),
        per_req_us(verify) - per_req_us(bare),
        per_req_us(guarded) - per_req_us(bare),
    );
    println!(
        "{framework} (ratio to the same round's bare route, median [min–max] of {rounds}): \
         verify/bare = {:.3} [{:.3}–{:.3}], guarded/bare = {:.3} [{:.3}–{:.3}]\n",
        verify_paired.0,
        verify_paired.1,
        verify_paired.2,
        guarded_paired.0,
        guarded_paired.1,
        guarded_paired.2,
    );
    if !user_text.is_empty() {
        println!("{user_text}");
    }
}

/// 1,000 concurrent 1 MiB deliveries held by a slow handler: the server's peak RSS against
/// limit × concurrency, with hyper's default read buffers (`axum::serve`) and with them capped.
fn memory() {
    memory_run("memory", "axum::serve (hyper's default read buffers)");
    memory_run("memory-smallbuf", "hyper read buffer capped at 16 KiB");
}

fn memory_run(kind: &str, label: &str) {
    const N: usize = 1000;
    const SIZE: usize = 1024 * 1024;
    let server = Server::start(kind);
    let base = server.peak_rss();
    let key = secret();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(N)
            .build_http::<Full<Bytes>>();
        let uri = format!("http://{}/hook", server.addr);
        let retried = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for i in 0..N {
            let pad = "m".repeat(SIZE - 40);
            let body = format!(r#"{{"event":"call.completed","n":{i:>6},"p":"{pad}"}}"#);
            let body = body[..SIZE].to_owned();
            let d = Delivery::new(Scheme::heppu(), body)
                .id(format!("big_{i}"))
                .sign(&key);
            let client = client.clone();
            let uri = uri.clone();
            let retried = retried.clone();
            tasks.push(tokio::spawn(async move {
                // A connection the kernel reset under the burst of 1,000 uploads is sent again
                // once, as a sender retries; the count is printed, never hidden.
                match client.request(d.clone().into_request(&uri)).await {
                    Ok(res) => res.status(),
                    Err(_) => {
                        retried.fetch_add(1, Ordering::Relaxed);
                        let res = client.request(d.into_request(&uri)).await.expect("request");
                        res.status()
                    }
                }
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 200);
        }
        let retried = retried.load(Ordering::Relaxed);
        if retried > 0 {
            println!("memory: {retried} of {N} requests sent again after a connection error");
        }
    });
    let peak = server.peak_rss();
    server.stop();
    let held = (N * SIZE) as f64;
    println!(
        "memory, {label}: {N} concurrent {} KiB deliveries: server peak RSS {:.0} MiB \
         (idle {:.0} MiB); bodies alone are {:.0} MiB; peak/bodies = {:.2}",
        SIZE / 1024,
        peak as f64 / 1048576.0,
        base as f64 / 1048576.0,
        held / 1048576.0,
        peak as f64 / held
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("server") {
        return serve(&args[2]);
    }
    if args.iter().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list; there is nothing to list
    }
    let only: Option<&str> = args
        .iter()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(String::as_str);
    let want = |what: &str| only.is_none_or(|o| o == what);
    if Command::new("taskset").arg("--version").output().is_ok() {
        // Pin the generator to core 0; the servers go to core 1.
        let _ = Command::new("taskset")
            .args(["-p", "-c", "0", &std::process::id().to_string()])
            .stdout(Stdio::null())
            .status();
    }
    let needs_load = want("axum") || want("actix");
    let set = if needs_load {
        let t = Instant::now();
        let size = body_size();
        let set = deliveries(DELIVERIES.min(DELIVERY_BYTES / size), size);
        println!(
            "{} signed deliveries of {size} bytes prepared in {:.1} s; {CONNECTIONS} connections, \
             {SECONDS} s per run (or until they are used up)\n",
            set.len(),
            t.elapsed().as_secs_f64()
        );
        set
    } else {
        Arc::new(Vec::new())
    };
    if want("axum") {
        pair("axum", &set);
    }
    #[cfg(feature = "actix")]
    if want("actix") {
        pair("actix", &set);
    }
    #[cfg(not(feature = "actix"))]
    if want("actix") {
        println!("actix: skipped (run with --features actix)\n");
    }
    if want("memory") {
        memory();
    }
}
