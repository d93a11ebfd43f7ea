//! The durable queue: Redis Streams with a consumer group (feature `redis`).
//!
//! Enqueue is one round trip (a Lua script: the delivery's marker, the length check, `XADD`):
//! each delivery is queued once, even when an answer from Redis was lost and the sender
//! retried. Each worker reads with
//! `XREADGROUP … >`; a job stays in the group's pending list until it succeeded or was
//! dead-lettered, then it is `XACK`ed and `XDEL`eted. While a job runs, its worker refreshes the
//! entry's idle time (`XCLAIM … JUSTID`), so only the jobs of a consumer that stopped (crash,
//! killed process, lost network) grow idle; any consumer takes those over with `XAUTOCLAIM`
//! after [`RedisQueueConfig::claim_idle`].

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::select;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Script, Value};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::stored::StoredMeta;
use super::{
    AckQueue, AckQueueBuilder, Backend, Job, PushError, QueueError, Runner, ShutdownReport,
};
use crate::sync::lock;
use crate::verify::WebhookMeta;

/// One step, so that it holds with many replicas enqueueing and with answers lost on the way:
/// a delivery already taken (its marker `KEYS[2]` exists) is not added again (`{1, id}`); the
/// length check (`{0, ''}` when full); the append, and the marker kept for `ARGV[4]` ms
/// (`{2, id}`).
const ENQUEUE: &str = r"
local taken = redis.call('GET', KEYS[2])
if taken then return {1, taken} end
local cap = tonumber(ARGV[1])
if cap > 0 and redis.call('XLEN', KEYS[1]) >= cap then return {0, ''} end
local id = redis.call('XADD', KEYS[1], '*', 'meta', ARGV[2], 'body', ARGV[3])
redis.call('SET', KEYS[2], id, 'PX', ARGV[4])
return {2, id}
";

/// Where and how the durable queue lives on Redis.
///
/// ```
/// use std::time::Duration;
/// use webhook_guard::ack::RedisQueueConfig;
///
/// let config = RedisQueueConfig::new("redis://127.0.0.1:6379/")
///     .stream("payments:webhooks")
///     .claim_idle(Duration::from_secs(120));
/// assert_eq!(config.stream_key(), "payments:webhooks");
/// ```
#[derive(Clone)]
pub struct RedisQueueConfig {
    url: String,
    stream: String,
    group: String,
    consumer: Option<String>,
    claim_idle: Duration,
    poll_interval: Duration,
    remember: Duration,
}

impl fmt::Debug for RedisQueueConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password: not shown.
        f.debug_struct("RedisQueueConfig")
            .field("stream", &self.stream)
            .field("group", &self.group)
            .field("consumer", &self.consumer)
            .field("claim_idle", &self.claim_idle)
            .field("poll_interval", &self.poll_interval)
            .field("remember", &self.remember)
            .finish_non_exhaustive()
    }
}

impl RedisQueueConfig {
    /// The queue on the Redis at `url` (e.g. `redis://127.0.0.1:6379/`), stream
    /// `webhook-guard:ack`, group `webhook-guard`, a consumer name unique to this process,
    /// takeover after 60 s idle, polling every 100 ms when idle.
    pub fn new(url: impl Into<String>) -> Self {
        RedisQueueConfig {
            url: url.into(),
            stream: "webhook-guard:ack".to_owned(),
            group: "webhook-guard".to_owned(),
            consumer: None,
            claim_idle: Duration::from_secs(60),
            poll_interval: Duration::from_millis(100),
            remember: crate::dedup::DEFAULT_TTL,
        }
    }

    /// How long the queue remembers each delivery it took (default 24 h, the dedup TTL), so
    /// that it takes it once. An enqueue whose answer is lost (Redis stalled past the
    /// timeout) is answered `503 queue_unavailable` and may still be run by Redis later; the
    /// sender's retry then finds the delivery taken and is acknowledged without a second job.
    /// Make it longer than the sender's retry schedule, like the dedup TTL.
    #[must_use]
    pub fn remember(mut self, ttl: Duration) -> Self {
        self.remember = ttl.max(Duration::from_millis(1));
        self
    }

    /// The stream's key. Use one stream per event type `T`.
    #[must_use]
    pub fn stream(mut self, key: impl Into<String>) -> Self {
        self.stream = key.into();
        self
    }

    /// The consumer group shared by the replicas.
    #[must_use]
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = group.into();
        self
    }

    /// This consumer's name (default: generated, unique per process start).
    #[must_use]
    pub fn consumer(mut self, name: impl Into<String>) -> Self {
        self.consumer = Some(name.into());
        self
    }

    /// How long a job's entry must sit idle (its consumer stopped refreshing it) before another
    /// consumer takes it over (default 60 s). Running jobs refresh their entry every third of
    /// this, so it need not exceed the longest job, only the longest pause of a live process.
    #[must_use]
    pub fn claim_idle(mut self, idle: Duration) -> Self {
        self.claim_idle = idle.max(Duration::from_millis(10));
        self
    }

    /// How often an idle worker looks for new entries written by other replicas (default
    /// 100 ms; jobs enqueued by this process wake its workers at once).
    #[must_use]
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll_interval = every.max(Duration::from_millis(1));
        self
    }

    /// The stream's key.
    pub fn stream_key(&self) -> &str {
        &self.stream
    }
}

impl<T> AckQueueBuilder<T>
where
    T: Clone + Send + Sync + serde::de::DeserializeOwned + 'static,
{
    /// Start the durable queue on Redis Streams: creates the consumer group if needed and
    /// spawns the workers on the current Tokio runtime. Jobs are stored as the verified raw
    /// payload plus the delivery's metadata and parsed as `T` again by whichever consumer runs
    /// them. [`AckQueueBuilder::capacity`] bounds the stream's length over all replicas.
    pub async fn start_redis(self, config: RedisQueueConfig) -> Result<AckQueue<T>, QueueError> {
        let err = |e: redis::RedisError| QueueError::with_source("redis", e);
        let client = Client::open(config.url.as_str()).map_err(err)?;
        let manager = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1);
        let mut conn = ConnectionManager::new_with_config(client, manager)
            .await
            .map_err(err)?;
        let created: redis::RedisResult<()> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(&config.stream)
            .arg(&config.group)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut conn)
            .await;
        match created {
            Ok(()) => {}
            Err(e) if e.code() == Some("BUSYGROUP") => {}
            Err(e) => return Err(err(e)),
        }
        let consumer = config.consumer.clone().unwrap_or_else(|| {
            let token = crate::dedup::Token::new().to_hex();
            format!("consumer-{}-{}", std::process::id(), &token[..12])
        });
        let (runner, settings) = self.settings();
        let queue = Arc::new(RedisQueue {
            conn,
            config,
            consumer,
            capacity: settings.capacity,
            enqueue: Script::new(ENQUEUE),
            runner,
            decode: |raw| serde_json::from_slice(raw).map_err(|e| e.to_string()),
            accepting: AtomicBool::new(true),
            stopping: AtomicBool::new(false),
            wake: Notify::new(),
            running: AtomicUsize::new(0),
            workers: Mutex::new(Vec::new()),
        });
        let handles = (0..settings.workers)
            .map(|_| tokio::spawn(worker(queue.clone())))
            .collect();
        *lock(&queue.workers) = handles;
        tracing::info!(
            stream = queue.config.stream,
            group = queue.config.group,
            consumer = queue.consumer,
            "durable webhook queue started"
        );
        Ok(AckQueue {
            backend: Backend::Redis(queue),
            settings: Arc::new(settings),
        })
    }
}

pub(crate) struct RedisQueue<T> {
    conn: ConnectionManager,
    config: RedisQueueConfig,
    consumer: String,
    capacity: usize,
    enqueue: Script,
    runner: Arc<Runner<T>>,
    decode: fn(&[u8]) -> Result<T, String>,
    accepting: AtomicBool,
    stopping: AtomicBool,
    wake: Notify,
    running: AtomicUsize,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

/// One stream entry: its id and its fields.
struct Entry {
    id: String,
    meta: Option<Vec<u8>>,
    body: Option<Vec<u8>>,
}

impl<T: Clone + Send + Sync + 'static> RedisQueue<T> {
    pub(crate) async fn push(&self, job: Job<T>) -> Result<(), PushError> {
        if !self.accepting.load(Ordering::Acquire) {
            return Err(PushError::Closed);
        }
        let meta = serde_json::to_vec(&StoredMeta::from(job.meta()))
            .map_err(|e| PushError::Unavailable(e.to_string()))?;
        let taken = format!(
            "{}:taken:{}",
            self.config.stream,
            crate::dedup::delivery_key(job.meta())
        );
        let mut conn = self.conn.clone();
        let (outcome, entry): (i64, String) = self
            .enqueue
            .key(&self.config.stream)
            .key(taken)
            .arg(self.capacity)
            .arg(meta)
            .arg(job.raw().as_ref())
            .arg(millis(self.config.remember).max(1))
            .invoke_async(&mut conn)
            .await
            .map_err(|e| PushError::Unavailable(e.to_string()))?;
        match outcome {
            0 => Err(PushError::Full),
            1 => {
                tracing::info!(
                    scheme = job.meta().scheme(),
                    id = job.meta().id(),
                    entry,
                    "delivery already queued by an earlier attempt whose answer was lost; not queued again"
                );
                Ok(())
            }
            _ => {
                self.wake.notify_one();
                Ok(())
            }
        }
    }

    async fn read_new(&self) -> redis::RedisResult<Option<Entry>> {
        let mut conn = self.conn.clone();
        let reply: Value = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(&self.config.group)
            .arg(&self.consumer)
            .arg("COUNT")
            .arg(1)
            .arg("STREAMS")
            .arg(&self.config.stream)
            .arg(">")
            .query_async(&mut conn)
            .await?;
        Ok(first_stream_entries(reply).into_iter().next())
    }

    /// Take over one entry another consumer left idle for longer than `claim_idle`.
    async fn reclaim(&self) -> redis::RedisResult<Option<Entry>> {
        let mut conn = self.conn.clone();
        let reply: Value = redis::cmd("XAUTOCLAIM")
            .arg(&self.config.stream)
            .arg(&self.config.group)
            .arg(&self.consumer)
            .arg(millis(self.config.claim_idle))
            .arg("0-0")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut conn)
            .await?;
        // [next-cursor, [entries…], [deleted ids…] (Redis 7)]
        let entries = match reply {
            Value::Array(mut parts) if parts.len() >= 2 => parse_entries(parts.swap_remove(1)),
            _ => Vec::new(),
        };
        Ok(entries.into_iter().next())
    }

    /// Reset the entry's idle time: it is being worked on.
    async fn refresh(&self, id: &str) {
        let mut conn = self.conn.clone();
        let r: redis::RedisResult<Value> = redis::cmd("XCLAIM")
            .arg(&self.config.stream)
            .arg(&self.config.group)
            .arg(&self.consumer)
            .arg(0)
            .arg(id)
            .arg("JUSTID")
            .query_async(&mut conn)
            .await;
        if let Err(e) = r {
            tracing::warn!(entry = id, error = %e, "could not refresh a running job's entry");
        }
    }

    /// Done with the entry (processed or dead-lettered): acknowledge and delete it. Retried a
    /// few times; if Redis stays away the entry will be taken over and run again (at least
    /// once).
    async fn finish(&self, id: &str) {
        for attempt in 0..3u32 {
            let mut conn = self.conn.clone();
            let r: redis::RedisResult<()> = redis::pipe()
                .atomic()
                .cmd("XACK")
                .arg(&self.config.stream)
                .arg(&self.config.group)
                .arg(id)
                .ignore()
                .cmd("XDEL")
                .arg(&self.config.stream)
                .arg(id)
                .ignore()
                .query_async(&mut conn)
                .await;
            match r {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!(entry = id, attempt, error = %e, "could not acknowledge a finished job");
                    tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                }
            }
        }
        tracing::error!(
            entry = id,
            "finished job left pending on Redis; another consumer will run it again"
        );
    }

    /// An entry that cannot become a job (its payload no longer parses): move it to
    /// `<stream>:dead` with the reason, so it is kept, then finish it.
    async fn bury_raw(&self, entry: &Entry, reason: &str) {
        tracing::error!(
            entry = entry.id,
            reason,
            "stored webhook job cannot be decoded; moved to the dead stream"
        );
        let mut conn = self.conn.clone();
        let r: redis::RedisResult<String> = redis::cmd("XADD")
            .arg(format!("{}:dead", self.config.stream))
            .arg("*")
            .arg("meta")
            .arg(entry.meta.as_deref().unwrap_or_default())
            .arg("body")
            .arg(entry.body.as_deref().unwrap_or_default())
            .arg("error")
            .arg(reason)
            .query_async(&mut conn)
            .await;
        if r.is_ok() {
            self.finish(&entry.id).await;
        }
        self.runner.stats.dead_lettered();
    }

    fn decode(&self, entry: &Entry) -> Result<Job<T>, String> {
        let meta: StoredMeta = serde_json::from_slice(entry.meta.as_deref().unwrap_or_default())
            .map_err(|e| format!("metadata: {e}"))?;
        let raw = Bytes::copy_from_slice(entry.body.as_deref().unwrap_or_default());
        let event = (self.decode)(&raw).map_err(|e| format!("payload: {e}"))?;
        Ok(Job::new(WebhookMeta::from(meta), event, raw))
    }

    async fn process(&self, entry: Entry) {
        if entry.meta.is_none() && entry.body.is_none() {
            // Deleted from the stream while pending: nothing to run.
            self.finish(&entry.id).await;
            return;
        }
        let job = match self.decode(&entry) {
            Ok(job) => job,
            Err(reason) => return self.bury_raw(&entry, &reason).await,
        };
        self.running.fetch_add(1, Ordering::AcqRel);
        let run = std::pin::pin!(self.runner.run(job));
        let heartbeat = std::pin::pin!(async {
            loop {
                tokio::time::sleep(self.config.claim_idle / 3).await;
                self.refresh(&entry.id).await;
            }
        });
        // The heartbeat never ends, so this returns when the job ended (processed or
        // dead-lettered); both are finished.
        let _ = select(run, heartbeat).await;
        self.finish(&entry.id).await;
        self.running.fetch_sub(1, Ordering::AcqRel);
    }

    pub(crate) async fn shutdown(&self, deadline: Duration) -> ShutdownReport {
        self.accepting.store(false, Ordering::Release);
        self.stopping.store(true, Ordering::Release);
        self.wake.notify_waiters();
        let handles = std::mem::take(&mut *lock(&self.workers));
        let aborts: Vec<_> = handles.iter().map(JoinHandle::abort_handle).collect();
        let before = self.runner.stats.snapshot();
        let in_time = tokio::time::timeout(deadline, async {
            for h in handles {
                let _ = h.await;
            }
        })
        .await
        .is_ok();
        let left_pending = if in_time {
            0
        } else {
            let n = self.running.swap(0, Ordering::AcqRel) as u64;
            for a in &aborts {
                a.abort();
            }
            n
        };
        let after = self.runner.stats.snapshot();
        let report = ShutdownReport {
            drained: (after.processed + after.dead_lettered)
                .saturating_sub(before.processed + before.dead_lettered),
            unfinished: 0,
            left_pending,
        };
        tracing::info!(
            drained = report.drained,
            left_pending = report.left_pending,
            "durable webhook queue stopped; pending jobs stay on Redis"
        );
        report
    }
}

async fn worker<T: Clone + Send + Sync + 'static>(queue: Arc<RedisQueue<T>>) {
    let mut since_reclaim = tokio::time::Instant::now();
    while !queue.stopping.load(Ordering::Acquire) {
        // New entries first; stale ones when idle, and at least once per claim_idle when busy.
        let stale_due = since_reclaim.elapsed() >= queue.config.claim_idle;
        let next = if stale_due {
            since_reclaim = tokio::time::Instant::now();
            match queue.reclaim().await {
                Ok(Some(e)) => Ok(Some(e)),
                _ => queue.read_new().await,
            }
        } else {
            match queue.read_new().await {
                Ok(None) => {
                    since_reclaim = tokio::time::Instant::now();
                    queue.reclaim().await
                }
                other => other,
            }
        };
        match next {
            Ok(Some(entry)) => queue.process(entry).await,
            Ok(None) => {
                let wake = std::pin::pin!(queue.wake.notified());
                let tick = std::pin::pin!(tokio::time::sleep(queue.config.poll_interval));
                select(wake, tick).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "durable webhook queue: Redis unavailable; retrying");
                tokio::time::sleep(queue.config.poll_interval.max(Duration::from_millis(500)))
                    .await;
            }
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn bytes_of(v: Value) -> Option<Vec<u8>> {
    match v {
        Value::BulkString(b) => Some(b),
        Value::SimpleString(s) => Some(s.into_bytes()),
        Value::VerbatimString { text, .. } => Some(text.into_bytes()),
        _ => None,
    }
}

/// The entries of the first stream in an `XREADGROUP` reply (RESP2 array or RESP3 map).
fn first_stream_entries(reply: Value) -> Vec<Entry> {
    match reply {
        Value::Array(streams) => streams
            .into_iter()
            .next()
            .and_then(|s| match s {
                Value::Array(mut pair) if pair.len() == 2 => Some(parse_entries(pair.remove(1))),
                _ => None,
            })
            .unwrap_or_default(),
        Value::Map(streams) => streams
            .into_iter()
            .next()
            .map(|(_, entries)| parse_entries(entries))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// `[[id, [field, value, …]], …]`; an entry deleted while pending has no fields.
fn parse_entries(v: Value) -> Vec<Entry> {
    let Value::Array(items) = v else {
        return Vec::new();
    };
    items
        .into_iter()
        .filter_map(|item| {
            let Value::Array(mut pair) = item else {
                return None;
            };
            if pair.is_empty() {
                return None;
            }
            let fields = if pair.len() > 1 {
                pair.remove(1)
            } else {
                Value::Nil
            };
            let id = String::from_utf8(bytes_of(pair.remove(0))?).ok()?;
            let mut entry = Entry {
                id,
                meta: None,
                body: None,
            };
            let flat: Vec<Value> = match fields {
                Value::Array(f) => f,
                Value::Map(m) => m.into_iter().flat_map(|(k, v)| [k, v]).collect(),
                _ => Vec::new(),
            };
            let mut it = flat.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                match bytes_of(k).as_deref() {
                    Some(b"meta") => entry.meta = bytes_of(v),
                    Some(b"body") => entry.body = bytes_of(v),
                    _ => {}
                }
            }
            Some(entry)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn parses_resp2_and_resp3_replies() {
        let entry = Value::Array(vec![
            bulk("1-0"),
            Value::Array(vec![bulk("meta"), bulk("{}"), bulk("body"), bulk("[1]")]),
        ]);
        let resp2 = Value::Array(vec![Value::Array(vec![
            bulk("s"),
            Value::Array(vec![entry.clone()]),
        ])]);
        let got = first_stream_entries(resp2);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].id, "1-0");
        assert_eq!(got[0].body.as_deref(), Some(&b"[1]"[..]));
        let resp3 = Value::Map(vec![(bulk("s"), Value::Array(vec![entry]))]);
        assert_eq!(
            first_stream_entries(resp3)[0].meta.as_deref(),
            Some(&b"{}"[..])
        );
        assert!(first_stream_entries(Value::Nil).is_empty());
        // A pending entry deleted from the stream: id without fields.
        let deleted = Value::Array(vec![Value::Array(vec![bulk("2-0"), Value::Nil])]);
        let got = parse_entries(deleted);
        assert_eq!((got[0].id.as_str(), got[0].meta.is_none()), ("2-0", true));
        // Junk never panics.
        assert!(parse_entries(Value::Array(vec![Value::Int(3), Value::Array(vec![])])).is_empty());
    }
}
