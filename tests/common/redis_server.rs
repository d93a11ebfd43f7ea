//! A real redis-server for tests, on a free port of 127.0.0.1, killed on drop.
//! When `redis-server` is not installed the caller skips its test with a printed reason.
#![allow(dead_code)] // each test binary uses a part

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    pub port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Start a server, or `None` (with the reason printed) when redis-server is unavailable.
    pub fn start(test: &str) -> Option<RedisServer> {
        let port = free_port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match child {
            Ok(c) => c,
            Err(e) => {
                if std::env::var_os("CI").is_some() {
                    panic!("{test}: redis-server is required in CI but could not start: {e}");
                }
                eprintln!(
                    "SKIPPED {test}: redis-server could not be started ({e}); install redis-server to run it"
                );
                return None;
            }
        };
        let server = RedisServer {
            port,
            child: Some(child),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start listening in 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(server)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Freeze the server (`SIGSTOP`): connections stay open and commands queue up unanswered,
    /// as when Redis stalls; [`resume`](RedisServer::resume) lets it run them.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Let a frozen server run again (`SIGCONT`).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("server running").id();
        let status = Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// Kill the server (to test an unreachable store).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // Resumed first, so that nothing is left stopped should the kill fail.
        if self.child.is_some() {
            self.resume();
        }
        self.kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
