//! A real PostgreSQL server for tests, on a free port of 127.0.0.1, in a data directory of its
//! own, killed and removed on drop. When PostgreSQL is not installed the caller skips its test
//! with a printed reason (under `CI` it fails instead).
//!
//! The binaries are found through `pg_config --bindir`, then `/usr/lib/postgresql/<version>/bin`,
//! then `PATH`. PostgreSQL refuses to run as root, so as root `initdb` and `postgres` run as the
//! `postgres` user (`runuser -u postgres --`), in a directory that user owns. One `initdb` per
//! machine makes a template (kept in the temporary directory) that each server copies. [`kill`](PostgresServer::kill),
//! [`freeze`](PostgresServer::freeze) and [`resume`](PostgresServer::resume) signal the
//! postmaster and each of its backends.
#![allow(dead_code)] // each test binary uses a part

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub struct PostgresServer {
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
    /// `-c name=value` settings of this server.
    settings: Vec<String>,
    child: Option<Child>,
}

/// Where the binaries are, whether to run them as `postgres`, and the template data directory.
struct Install {
    bin: PathBuf,
    as_postgres: bool,
    template: PathBuf,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn bindir() -> Option<PathBuf> {
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if let Some(dir) = from_pg_config.filter(|d| d.join("initdb").exists()) {
        return Some(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|d| d.join("initdb").exists())
        .collect();
    versions.sort();
    if let Some(newest) = versions.pop() {
        return Some(newest);
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .find(|d| d.join("initdb").exists() && d.join("postgres").exists())
    })
}

/// A command running `program` of the installation, as `postgres` when we are root.
fn command(bin: &Path, as_postgres: bool, program: &str) -> Command {
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    }
}

fn run(mut c: Command, what: &str) -> Result<(), String> {
    let out = c
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// A fresh directory under the temporary directory, owned by `postgres` when we are root.
fn fresh_dir(kind: &str, as_postgres: bool) -> Result<PathBuf, String> {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "webhook-guard-pg-{kind}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if as_postgres {
        let mut c = Command::new("chown");
        c.args(["postgres:postgres"]).arg(&dir);
        run(c, "chown postgres")?;
    }
    Ok(dir)
}

fn install() -> Result<&'static Install, String> {
    static INSTALL: OnceLock<Result<Install, String>> = OnceLock::new();
    INSTALL
        .get_or_init(|| {
            let bin = bindir().ok_or("no PostgreSQL installation (initdb) found")?;
            let as_postgres = is_root();
            // One template for every test binary and run, made once: `initdb` into a
            // directory of this process, then renamed into place (a concurrent maker's copy
            // that got there first is used instead).
            let shared = std::env::temp_dir().join(format!(
                "webhook-guard-pg-template-{}",
                bin.to_string_lossy().replace('/', "_")
            ));
            let template = shared.join("data");
            if !template.join("PG_VERSION").exists() {
                let mine = fresh_dir("template", as_postgres)?;
                let mut initdb = command(&bin, as_postgres, "initdb");
                initdb.arg("-D").arg(mine.join("data")).args([
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                ]);
                run(initdb, "initdb")?;
                if std::fs::rename(&mine, &shared).is_err() {
                    let _ = std::fs::remove_dir_all(&mine);
                }
                if !template.join("PG_VERSION").exists() {
                    return Err(format!("no template at {}", template.display()));
                }
            }
            Ok(Install {
                bin,
                as_postgres,
                template,
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}

impl PostgresServer {
    /// Start a server, or `None` (with the reason printed) when PostgreSQL is unavailable.
    pub fn start(test: &str) -> Option<PostgresServer> {
        PostgresServer::start_with(test, &[])
    }

    /// [`start`](PostgresServer::start) with settings of its own (`name=value`, as `-c` takes).
    pub fn start_with(test: &str, settings: &[&str]) -> Option<PostgresServer> {
        match PostgresServer::try_start(settings) {
            Ok(server) => Some(server),
            Err(e) => {
                if std::env::var_os("CI").is_some() {
                    panic!("{test}: PostgreSQL is required in CI but could not start: {e}");
                }
                eprintln!(
                    "SKIPPED {test}: PostgreSQL could not be started ({e}); install postgresql to run it"
                );
                None
            }
        }
    }

    fn try_start(settings: &[&str]) -> Result<PostgresServer, String> {
        let install = install()?;
        let dir = fresh_dir("server", install.as_postgres)?;
        let mut copy = if install.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", "cp", "-a"]);
            c
        } else {
            let mut c = Command::new("cp");
            c.arg("-a");
            c
        };
        copy.arg(&install.template).arg(dir.join("data"));
        run(copy, "copy of the template data directory")?;
        let mut server = PostgresServer {
            port: free_port(),
            dir,
            bin: install.bin.clone(),
            settings: settings.iter().map(|s| (*s).to_owned()).collect(),
            child: None,
        };
        server.launch()?;
        Ok(server)
    }

    /// Start `postgres` on the data directory and wait until it accepts connections.
    fn launch(&mut self) -> Result<(), String> {
        let install = install()?;
        let data = self.dir.join("data");
        let mut postgres = command(&install.bin, install.as_postgres, "postgres");
        postgres
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(&self.dir)
            .args(["-p", &self.port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1"])
            // Tests, not durability against a power cut: a killed server still keeps every
            // committed row (the operating system has it).
            .args(["-c", "fsync=off", "-c", "full_page_writes=off"])
            .args(["-c", "shared_buffers=16MB", "-c", "max_connections=60"])
            .args(self.settings.iter().flat_map(|s| ["-c", s]))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.dir.join("server.log"))
                    .map_err(|e| format!("server.log: {e}"))?,
            ))
            .process_group(0);
        let child = postgres.spawn().map_err(|e| format!("postgres: {e}"))?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = Command::new(self.bin.join("pg_isready"))
                .args([
                    "-q",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &self.port.to_string(),
                    "-t",
                    "2",
                ])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
                self.child = None;
                return Err(format!("postgres exited ({status}): {log}"));
            }
            if Instant::now() > deadline {
                return Err("postgres did not accept connections in 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the server has written to its log (statements too, with `log_statement=all`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Freeze the server and its backends (`SIGSTOP` to each): connections stay open and
    /// statements queue up unanswered, as when a database stalls;
    /// [`resume`](PostgresServer::resume) lets it run them.
    pub fn freeze(&self) {
        // The postmaster first, so that it starts no new backend meanwhile; then again, for a
        // backend it was forking at that moment (a pool opening a connection).
        let mut stopped = std::collections::HashSet::new();
        for pass in 0..3 {
            let pids = self.pids();
            assert!(pass > 0 || !pids.is_empty(), "server running");
            for pid in pids {
                if stopped.insert(pid) {
                    signal("-STOP", pid);
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Let a frozen server run again (`SIGCONT`, the backends first).
    pub fn resume(&self) {
        for pid in self.pids().into_iter().rev() {
            signal("-CONT", pid);
        }
    }

    /// The postmaster's process id, then its children's (each backend is in a session of its
    /// own, so signals to the postmaster's group do not reach them).
    fn pids(&self) -> Vec<u32> {
        let Some(postmaster) = std::fs::read_to_string(self.dir.join("data/postmaster.pid"))
            .ok()
            .and_then(|text| text.lines().next()?.trim().parse::<u32>().ok())
        else {
            return Vec::new();
        };
        let mut pids = vec![postmaster];
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            // `/proc/<pid>/stat`: `pid (comm) state ppid ...`; comm may hold spaces.
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
            if ppid == Some(postmaster) {
                pids.push(pid);
            }
        }
        pids
    }

    /// Kill the server and every backend at once (`SIGKILL`), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let pids = self.pids();
            for &pid in &pids {
                signal("-KILL", pid);
            }
            // `runuser` too, when it runs the postmaster.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", c.id())])
                .status();
            let _ = c.wait();
            // Wait until the port is free again, and every process is gone.
            let deadline = Instant::now() + Duration::from_secs(10);
            while (std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                || pids.iter().any(|&pid| running(pid)))
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            // A killed postmaster leaves its lock file. PostgreSQL removes it at the next start
            // when its process is gone, but takes a process that is dead and not yet reaped (a
            // zombie, which a container's first process may never reap) for a live one and
            // refuses to start: every process of this server was just killed, so it is stale.
            let _ = std::fs::remove_file(self.dir.join("data/postmaster.pid"));
        }
    }

    /// Start the killed server again on the same data directory and port (crash recovery
    /// replays what was committed).
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "kill the server first");
        self.launch().expect("postgres restarts");
    }
}

/// Whether `pid` is a live process: present in `/proc` and not a zombie (dead, not yet reaped).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X")
    })
}

/// Send `signal` to `pid` (gone already is fine).
fn signal(signal: &str, pid: u32) {
    let _ = Command::new("kill")
        .args([signal, &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        // Resumed first, so that nothing is left stopped should the kill fail.
        self.resume();
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
