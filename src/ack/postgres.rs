//! The durable queue: an inbox table in PostgreSQL (feature `postgres`).
//!
//! Enqueue is one statement: the delivery is inserted under its dedup key (`ON CONFLICT DO
//! NOTHING`, so an insert whose answer was lost and the sender's retry make one job), after a
//! bounded count of the waiting rows (`queue_full`). Workers of every replica take the oldest
//! due row with `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1)`, which also
//! stamps it with a fresh owner token and pushes its `run_at` one lease ahead: `run_at` is both
//! when a waiting job is due and when a running job's lease ends. While the job runs its worker
//! keeps pushing `run_at` ahead, so only the job of a worker that stopped (crash, killed
//! process, lost network) comes due again and is taken over. A failed attempt sets `run_at` to
//! the backoff; a job finished (`done`, its body cleared, remembered for
//! [`PostgresQueueConfig::remember`]) or dead-lettered (`dead`, kept with its body and last
//! error) is settled only by the token that took it.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::future::select;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Executor, Row};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::stored::StoredMeta;
use super::{
    AckQueue, AckQueueBuilder, Backend, InProgress, Job, JobError, PushError, QueueError, Runner,
    ShutdownReport,
};
use crate::sync::lock;
use crate::verify::WebhookMeta;

/// Name of the inbox table unless told otherwise ([`PostgresQueueConfig::table`]).
pub const POSTGRES_INBOX_DEFAULT_TABLE: &str = "webhook_guard_inbox";

/// The schema of the durable queue on PostgreSQL, for the default table
/// ([`POSTGRES_INBOX_DEFAULT_TABLE`]): plain SQL, idempotent (`IF NOT EXISTS`), to run with your
/// own migration tool or through [`PostgresQueueConfig::migrate`]. For another table name,
/// [`PostgresQueueConfig::migration_for`] gives the same text with that name.
///
/// One row per delivery, unique on `delivery` (the delivery's dedup key). `state` is `queued`
/// (waiting, or running when `owner` is set), `done` (processed; the body is cleared and the
/// row kept for [`PostgresQueueConfig::remember`] so that the delivery is not queued again),
/// or `dead` (dead-lettered; kept with its body and `last_error` until you delete it).
/// `run_at` is when a waiting job is due, or when a running job's lease ends. `meta` holds the
/// verified metadata (scheme, id, event type, timestamp), `body` the verified payload.
///
/// ```
/// assert!(webhook_guard::ack::POSTGRES_INBOX_MIGRATION
///     .contains("CREATE TABLE IF NOT EXISTS webhook_guard_inbox"));
/// ```
pub const POSTGRES_INBOX_MIGRATION: &str = "\
CREATE TABLE IF NOT EXISTS webhook_guard_inbox (
    id          bigserial   PRIMARY KEY,
    delivery    text        NOT NULL UNIQUE,
    meta        jsonb       NOT NULL,
    body        bytea,
    state       text        NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'dead')),
    attempts    integer     NOT NULL DEFAULT 0,
    run_at      timestamptz NOT NULL DEFAULT now(),
    owner       text,
    last_error  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS webhook_guard_inbox_due ON webhook_guard_inbox (run_at, id) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS webhook_guard_inbox_finished ON webhook_guard_inbox (finished_at) WHERE state = 'done';
";

/// Default bound of every statement, like `PostgresStore`'s.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// How often one worker deletes a batch of `done` rows past `remember`.
const PURGE_EVERY: Duration = Duration::from_secs(60);
/// Rows deleted by one purge statement.
const PURGE_BATCH: i64 = 1000;

fn schema(table: &str) -> String {
    let bare = table.rsplit('.').next().unwrap_or(table);
    format!(
        "\
CREATE TABLE IF NOT EXISTS {table} (
    id          bigserial   PRIMARY KEY,
    delivery    text        NOT NULL UNIQUE,
    meta        jsonb       NOT NULL,
    body        bytea,
    state       text        NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'dead')),
    attempts    integer     NOT NULL DEFAULT 0,
    run_at      timestamptz NOT NULL DEFAULT now(),
    owner       text,
    last_error  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS {bare}_due ON {table} (run_at, id) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS {bare}_finished ON {table} (finished_at) WHERE state = 'done';
"
    )
}

fn check_table(name: &str) -> Result<(), QueueError> {
    if crate::dedup::valid_table(name) {
        return Ok(());
    }
    Err(QueueError::new(format!(
        "`{name}` is not a plain SQL identifier (letters, digits, `_`; optionally `schema.table`)"
    )))
}

fn queue_error(e: sqlx::Error) -> QueueError {
    QueueError::with_source("postgres", e)
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX).max(1)
}

/// Where the database is: a URL this queue connects to, or a pool of the application's.
#[derive(Clone)]
enum Source {
    Url(String),
    Pool(PgPool),
}

/// Where and how the durable queue lives on PostgreSQL.
///
/// ```
/// use std::time::Duration;
/// use webhook_guard::ack::PostgresQueueConfig;
///
/// let config = PostgresQueueConfig::new("postgres://app@127.0.0.1:5432/app")
///     .table("billing.webhook_inbox")?
///     .lease(Duration::from_secs(120));
/// assert_eq!(config.table_name(), "billing.webhook_inbox");
/// # Ok::<(), webhook_guard::ack::QueueError>(())
/// ```
#[derive(Clone)]
pub struct PostgresQueueConfig {
    source: Source,
    table: String,
    worker: Option<String>,
    lease: Duration,
    poll_interval: Duration,
    remember: Duration,
    timeout: Duration,
}

impl fmt::Debug for PostgresQueueConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password: not shown.
        f.debug_struct("PostgresQueueConfig")
            .field("table", &self.table)
            .field("worker", &self.worker)
            .field("lease", &self.lease)
            .field("poll_interval", &self.poll_interval)
            .field("remember", &self.remember)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl PostgresQueueConfig {
    /// The queue in the database at `url` (e.g. `postgres://user:password@127.0.0.1:5432/app`;
    /// TLS with `?sslmode=require`), table [`POSTGRES_INBOX_DEFAULT_TABLE`], a worker name
    /// unique to this process, takeover of a stopped worker's job after a 60 s lease, polling
    /// every 100 ms when idle. The queue connects with a pool of up to 10 connections, 2 s
    /// timeouts, and the server's `statement_timeout` set to the same 2 s.
    pub fn new(url: impl Into<String>) -> Self {
        PostgresQueueConfig::with_source(Source::Url(url.into()))
    }

    /// The queue on an existing pool (e.g. `PostgresStore::pool`): its own limits and
    /// `statement_timeout` apply; each statement is still bounded by
    /// [`timeout`](PostgresQueueConfig::timeout).
    pub fn from_pool(pool: PgPool) -> Self {
        PostgresQueueConfig::with_source(Source::Pool(pool))
    }

    fn with_source(source: Source) -> Self {
        PostgresQueueConfig {
            source,
            table: POSTGRES_INBOX_DEFAULT_TABLE.to_owned(),
            worker: None,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(100),
            remember: crate::dedup::DEFAULT_TTL,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Keep the jobs in table `name` (default [`POSTGRES_INBOX_DEFAULT_TABLE`]), optionally
    /// schema-qualified (`schema.table`). Only plain unquoted identifiers of at most 50
    /// characters each are accepted, since the name is written into the statements. Use one
    /// table per event type `T`.
    pub fn table(mut self, name: &str) -> Result<Self, QueueError> {
        check_table(name)?;
        self.table = name.to_owned();
        Ok(self)
    }

    /// This queue's name in the `owner` column (default: generated, unique per process start).
    #[must_use]
    pub fn worker_name(mut self, name: impl Into<String>) -> Self {
        self.worker = Some(name.into());
        self
    }

    /// How long a running job is leased to its worker (default 60 s). The worker renews the
    /// lease every third of it while the job runs, so it need not exceed the longest job,
    /// only the longest pause of a live process; the job of a worker that stopped is taken
    /// over once its lease ran out.
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(30));
        self
    }

    /// How often an idle worker looks for jobs enqueued by other replicas or due again after
    /// a backoff (default 100 ms; jobs enqueued by this process wake its workers at once).
    #[must_use]
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll_interval = every.max(Duration::from_millis(1));
        self
    }

    /// How long a processed delivery's row is kept (default 24 h, the dedup TTL), so that the
    /// delivery is queued once: an enqueue whose answer was lost (the database stalled past the
    /// timeout) is answered `503 queue_unavailable` and may still commit; the sender's retry
    /// then finds the delivery and is acknowledged without a second job. Make it longer than
    /// the sender's retry schedule, like the dedup TTL.
    #[must_use]
    pub fn remember(mut self, ttl: Duration) -> Self {
        self.remember = ttl.max(Duration::from_millis(1));
        self
    }

    /// Bound every statement by `timeout` (default 2 s): past it, an enqueue is answered
    /// `503 queue_unavailable` with `Retry-After`.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The table's name.
    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// The schema of this queue's table: [`POSTGRES_INBOX_MIGRATION`] with its name.
    pub fn migration(&self) -> String {
        schema(&self.table)
    }

    /// The schema for table `name` (see [`table`](PostgresQueueConfig::table)), for running
    /// it with your own migration tool.
    ///
    /// ```
    /// use webhook_guard::ack::PostgresQueueConfig;
    ///
    /// let sql = PostgresQueueConfig::migration_for("billing.inbox")?;
    /// assert!(sql.contains("CREATE TABLE IF NOT EXISTS billing.inbox ("));
    /// assert!(PostgresQueueConfig::migration_for("inbox; DROP TABLE users").is_err());
    /// # Ok::<(), webhook_guard::ack::QueueError>(())
    /// ```
    pub fn migration_for(name: &str) -> Result<String, QueueError> {
        check_table(name)?;
        Ok(schema(name))
    }

    /// Create the table and its indexes if they do not exist
    /// ([`migration`](PostgresQueueConfig::migration)), in one transaction under an advisory
    /// lock, so that replicas starting together do not race.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), webhook_guard::ack::QueueError> {
    /// use webhook_guard::ack::PostgresQueueConfig;
    ///
    /// PostgresQueueConfig::new("postgres://app@127.0.0.1/app").migrate().await?;
    /// # Ok(()) }
    /// ```
    pub async fn migrate(&self) -> Result<(), QueueError> {
        let pool = self.pool(1).await?;
        let mut tx = pool.begin().await.map_err(queue_error)?;
        // The same lock as `PostgresStore::migrate`: it only serialises concurrent migrations.
        tx.execute("SELECT pg_advisory_xact_lock(7238472318447)")
            .await
            .map_err(queue_error)?;
        tx.execute(sqlx::raw_sql(&self.migration()))
            .await
            .map_err(queue_error)?;
        tx.commit().await.map_err(queue_error)
    }

    async fn pool(&self, max: u32) -> Result<PgPool, QueueError> {
        match &self.source {
            Source::Pool(pool) => Ok(pool.clone()),
            Source::Url(url) => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(queue_error)?
                    .application_name("webhook-guard-queue")
                    .options([("statement_timeout", millis(self.timeout).to_string())]);
                // No ping before each use: a broken connection fails its next statement, which
                // is retried or answered 503, and the pool discards it.
                PgPoolOptions::new()
                    .max_connections(max)
                    .acquire_timeout(self.timeout)
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await
                    .map_err(queue_error)
            }
        }
    }
}

/// The statements of one table.
struct Statements {
    enqueue: String,
    take: String,
    renew: String,
    done: String,
    retry: String,
    dead: String,
    put_back: String,
    purge: String,
}

impl Statements {
    fn new(t: &str) -> Statements {
        // $1 delivery key, $2 meta (JSON text), $3 body, $4 capacity. A delivery already known
        // (queued, done or dead) is not inserted again; a concurrent insert of the same one
        // loses on the unique key. Outcome: `known`, `room`, and the new row's id.
        let enqueue = format!(
            "WITH known AS (SELECT 1 FROM {t} WHERE delivery = $1),
room AS (
    SELECT count(*) < $4 AS ok FROM (SELECT 1 FROM {t} WHERE state = 'queued' LIMIT $4) AS q
),
ins AS (
    INSERT INTO {t} (delivery, meta, body)
    SELECT $1, $2::jsonb, $3 FROM room WHERE room.ok AND NOT EXISTS (SELECT 1 FROM known)
    ON CONFLICT (delivery) DO NOTHING
    RETURNING id
)
SELECT EXISTS (SELECT 1 FROM known), (SELECT ok FROM room), (SELECT id FROM ins)"
        );
        // $1 owner token, $2 lease ms: the oldest due row, its lease started.
        let take = format!(
            "UPDATE {t} AS j SET owner = $1, attempts = j.attempts + 1,
    run_at = now() + $2 * interval '1 millisecond'
WHERE j.id = (
    SELECT id FROM {t} WHERE state = 'queued' AND run_at <= now()
    ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
) AND j.state = 'queued'
RETURNING j.id, j.meta::text, j.body, j.attempts"
        );
        // $1 id, $2 owner token: fenced by the token that took the row.
        let renew = format!(
            "UPDATE {t} SET run_at = now() + $3 * interval '1 millisecond'
WHERE id = $1 AND owner = $2 AND state = 'queued'"
        );
        let done = format!(
            "UPDATE {t} SET state = 'done', body = NULL, owner = NULL, finished_at = now()
WHERE id = $1 AND owner = $2 AND state = 'queued'"
        );
        let retry = format!(
            "UPDATE {t} SET owner = NULL, last_error = $3,
    run_at = now() + $4 * interval '1 millisecond'
WHERE id = $1 AND owner = $2 AND state = 'queued'"
        );
        let dead = format!(
            "UPDATE {t} SET state = 'dead', owner = NULL, last_error = $3, finished_at = now()
WHERE id = $1 AND owner = $2 AND state = 'queued'"
        );
        // A job cut off by shutdown: due again at once, the attempt not counted.
        let put_back = format!(
            "UPDATE {t} SET owner = NULL, run_at = now(), attempts = greatest(attempts - 1, 0)
WHERE id = $1 AND owner = $2 AND state = 'queued'"
        );
        let purge = format!(
            "DELETE FROM {t} WHERE id = ANY(ARRAY(
    SELECT id FROM {t} WHERE state = 'done' AND finished_at < now() - $1 * interval '1 millisecond'
    LIMIT $2 FOR UPDATE SKIP LOCKED
))"
        );
        Statements {
            enqueue,
            take,
            renew,
            done,
            retry,
            dead,
            put_back,
            purge,
        }
    }
}

impl<T> AckQueueBuilder<T>
where
    T: Clone + Send + Sync + serde::de::DeserializeOwned + 'static,
{
    /// Start the durable queue on PostgreSQL: connects (or takes the configured pool) and
    /// spawns the workers on the current Tokio runtime. The table must exist: run
    /// [`PostgresQueueConfig::migrate`] first, or [`POSTGRES_INBOX_MIGRATION`] with your own
    /// tool. Jobs are stored as the verified raw payload plus the delivery's metadata and
    /// parsed as `T` again by whichever replica runs them; a failed attempt is retried with the
    /// builder's backoff by any replica, and after the last one the row is kept as `dead` and
    /// handed to the dead-letter callback. [`AckQueueBuilder::capacity`] bounds the jobs
    /// waiting or running over all replicas.
    ///
    /// ```no_run
    /// use axum::{Router, routing::post};
    /// use webhook_guard::ack::{AckQueue, Job, PostgresQueueConfig};
    /// use webhook_guard::events::stripe::Event;
    /// use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer};
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let config = PostgresQueueConfig::new("postgres://app@127.0.0.1:5432/app");
    /// config.migrate().await?;
    /// let queue = AckQueue::builder(|job: Job<Event>| async move {
    ///     println!("processing {:?}", job.meta().id());
    ///     Ok::<(), std::io::Error>(())
    /// })
    /// .start_postgres(config)
    /// .await?;
    /// let secret = Secret::new("whsec_your_stripe_signing_secret")?;
    /// let app: Router = Router::new()
    ///     .route("/webhooks/stripe", post(queue.axum_handler()))
    ///     .route_layer(WebhookLayer::new(Verifier::new(Scheme::stripe(), secret)));
    /// # Ok(()) }
    /// ```
    pub async fn start_postgres(
        self,
        config: PostgresQueueConfig,
    ) -> Result<AckQueue<T>, QueueError> {
        // Each worker holds at most one connection at a time, plus its lease renewal; the rest
        // is for enqueues.
        let connections = u32::try_from(self.workers * 2 + 4).unwrap_or(u32::MAX);
        let pool = config.pool(connections.min(32)).await?;
        let name = config.worker.clone().unwrap_or_else(|| {
            let token = crate::dedup::Token::new().to_hex();
            format!("worker-{}-{}", std::process::id(), &token[..12])
        });
        let sql = Statements::new(&config.table);
        let (runner, settings) = self.settings();
        let queue = Arc::new(PostgresQueue {
            pool,
            sql,
            config,
            name,
            capacity: i64::try_from(settings.capacity).unwrap_or(i64::MAX),
            runner,
            decode: |raw| serde_json::from_slice(raw).map_err(|e| e.to_string()),
            accepting: AtomicBool::new(true),
            stopping: AtomicBool::new(false),
            wake: Notify::new(),
            running: Mutex::new(HashSet::new()),
            workers: Mutex::new(Vec::new()),
        });
        let handles = (0..settings.workers)
            .map(|i| tokio::spawn(worker(queue.clone(), i == 0)))
            .collect();
        *lock(&queue.workers) = handles;
        tracing::info!(
            table = queue.config.table,
            worker = queue.name,
            "durable webhook queue started on PostgreSQL"
        );
        Ok(AckQueue {
            backend: Backend::Postgres(queue),
            settings: Arc::new(settings),
        })
    }
}

pub(crate) struct PostgresQueue<T> {
    pool: PgPool,
    sql: Statements,
    config: PostgresQueueConfig,
    name: String,
    capacity: i64,
    runner: Arc<Runner<T>>,
    decode: fn(&[u8]) -> Result<T, String>,
    accepting: AtomicBool,
    stopping: AtomicBool,
    wake: Notify,
    /// The rows this process's workers hold: (id, owner token).
    running: Mutex<HashSet<(i64, String)>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

/// A row taken by a worker.
struct Taken {
    id: i64,
    token: String,
    meta: String,
    body: Vec<u8>,
    attempts: i32,
}

impl<T: Clone + Send + Sync + 'static> PostgresQueue<T> {
    /// `op`, failing past the timeout.
    async fn bounded<R>(
        &self,
        op: impl Future<Output = Result<R, sqlx::Error>>,
    ) -> Result<R, String> {
        match tokio::time::timeout(self.config.timeout, op).await {
            Ok(done) => done.map_err(|e| format!("postgres: {e}")),
            Err(_) => Err(format!(
                "postgres: no answer within {:?}",
                self.config.timeout
            )),
        }
    }

    pub(crate) async fn push(&self, job: Job<T>) -> Result<(), PushError> {
        if !self.accepting.load(Ordering::Acquire) {
            return Err(PushError::Closed);
        }
        let meta = serde_json::to_string(&StoredMeta::from(job.meta()))
            .map_err(|e| PushError::Unavailable(e.to_string()))?;
        let key = crate::dedup::delivery_key(job.meta());
        let query = sqlx::query(&self.sql.enqueue)
            .bind(&key)
            .bind(meta)
            .bind(job.raw().as_ref())
            .bind(self.capacity)
            .fetch_one(&self.pool);
        let row = self.bounded(query).await.map_err(PushError::Unavailable)?;
        let outcome = (|| -> Result<_, sqlx::Error> {
            let known: bool = row.try_get(0)?;
            let room: Option<bool> = row.try_get(1)?;
            let id: Option<i64> = row.try_get(2)?;
            Ok((known, room.unwrap_or(false), id))
        })()
        .map_err(|e| PushError::Unavailable(format!("postgres: {e}")))?;
        match outcome {
            (_, _, Some(_)) => {
                self.wake.notify_one();
                Ok(())
            }
            (true, _, None) | (false, true, None) => {
                tracing::info!(
                    scheme = job.meta().scheme(),
                    id = job.meta().id(),
                    "delivery already in the inbox (an earlier attempt whose answer was lost, or a concurrent copy); not queued again"
                );
                Ok(())
            }
            (false, false, None) => Err(PushError::Full),
        }
    }

    async fn take(&self) -> Result<Option<Taken>, String> {
        let token = format!(
            "{}/{}",
            self.name,
            &crate::dedup::Token::new().to_hex()[..12]
        );
        let query = sqlx::query(&self.sql.take)
            .bind(&token)
            .bind(millis(self.config.lease))
            .fetch_optional(&self.pool);
        let Some(row) = self.bounded(query).await? else {
            return Ok(None);
        };
        let taken = (|| -> Result<_, sqlx::Error> {
            Ok(Taken {
                id: row.try_get(0)?,
                token,
                meta: row.try_get(1)?,
                body: row.try_get::<Option<Vec<u8>>, _>(2)?.unwrap_or_default(),
                attempts: row.try_get(3)?,
            })
        })()
        .map_err(|e| format!("postgres: {e}"))?;
        Ok(Some(taken))
    }

    /// Run a settling statement on the row held by `taken`; whether the row was still held.
    /// Retried while the lease lasts (nobody else takes the row before it ends), so that a
    /// database back within the lease does not see the job run twice.
    async fn settle(&self, what: &str, taken: &Taken, sql: &str, extra: Extra<'_>) -> bool {
        let give_up = tokio::time::Instant::now() + self.config.lease;
        let mut pause = Duration::from_millis(100);
        for attempt in 0u32.. {
            let mut query = sqlx::query(sql).bind(taken.id).bind(&taken.token);
            match extra {
                Extra::None => {}
                Extra::Error(e) => query = query.bind(e),
                Extra::ErrorAndMillis(e, ms) => query = query.bind(e).bind(ms),
            }
            match self.bounded(query.execute(&self.pool)).await {
                Ok(done) => return done.rows_affected() == 1,
                Err(e) if tokio::time::Instant::now() + pause < give_up => {
                    tracing::warn!(row = taken.id, attempt, error = %e, "could not mark a job {what}; retrying");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(1));
                }
                Err(e) => {
                    tracing::error!(
                        row = taken.id,
                        error = %e,
                        "could not mark a job {what}; it will be taken over when its lease ends"
                    );
                    break;
                }
            }
        }
        false
    }

    fn decode(&self, taken: &Taken) -> Result<Job<T>, String> {
        let meta: StoredMeta =
            serde_json::from_str(&taken.meta).map_err(|e| format!("metadata: {e}"))?;
        let raw = Bytes::copy_from_slice(&taken.body);
        let event = (self.decode)(&raw).map_err(|e| format!("payload: {e}"))?;
        Ok(Job::new(WebhookMeta::from(meta), event, raw))
    }

    async fn process(&self, taken: Taken) {
        let mut job = match self.decode(&taken) {
            Ok(job) => job,
            Err(reason) => {
                tracing::error!(
                    row = taken.id,
                    reason,
                    "stored webhook job cannot be decoded; kept as dead"
                );
                let error = JobError::Undecodable(reason).to_string();
                self.settle("dead", &taken, &self.sql.dead, Extra::Error(&error))
                    .await;
                self.runner.stats.dead_lettered();
                return;
            }
        };
        let attempt = u32::try_from(taken.attempts).unwrap_or(1).max(1);
        if attempt > self.runner.retries.saturating_add(1) {
            // Taken over from a worker that stopped during the last attempt it had.
            let error = JobError::WorkerLost;
            let text = error.to_string();
            if self
                .settle("dead", &taken, &self.sql.dead, Extra::Error(&text))
                .await
            {
                self.runner.bury(job, error, attempt - 1).await;
            }
            return;
        }
        job.attempt = attempt;
        let held = (taken.id, taken.token.clone());
        lock(&self.running).insert(held.clone());
        let started = Instant::now();
        let result = {
            let _running = InProgress::new(&self.runner.stats);
            let span = tracing::info_span!(parent: &job.span, "webhook_job", attempt);
            let run = std::pin::pin!(tracing::Instrument::instrument(
                self.runner.attempt(job.clone()),
                span
            ));
            let renew = std::pin::pin!(async {
                loop {
                    tokio::time::sleep(self.config.lease / 3).await;
                    let query = sqlx::query(&self.sql.renew)
                        .bind(taken.id)
                        .bind(&taken.token)
                        .bind(millis(self.config.lease))
                        .execute(&self.pool);
                    match self.bounded(query).await {
                        Ok(done) if done.rows_affected() == 0 => tracing::warn!(
                            row = taken.id,
                            "a running job's lease was lost; another worker may run it too"
                        ),
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(row = taken.id, error = %e, "could not renew a running job's lease")
                        }
                    }
                }
            });
            // The renewal never ends: this returns when the attempt did.
            match select(run, renew).await {
                futures_util::future::Either::Left((result, _)) => result,
                futures_util::future::Either::Right(_) => unreachable!("the renewal loops"),
            }
        };
        let took = started.elapsed();
        let stats = &self.runner.stats;
        stats.attempt(result.is_ok(), took);
        let meta = job.meta();
        match result {
            Ok(()) => {
                tracing::info!(
                    scheme = meta.scheme(),
                    id = meta.id(),
                    attempt,
                    took_ms = took.as_millis() as u64,
                    "webhook job processed"
                );
                if !self
                    .settle("done", &taken, &self.sql.done, Extra::None)
                    .await
                {
                    tracing::warn!(
                        scheme = meta.scheme(),
                        id = meta.id(),
                        "processed job was no longer held (its lease ran out): it may run again"
                    );
                }
            }
            Err(error) => {
                let text = error.to_string();
                if attempt > self.runner.retries {
                    // The row first: it is the durable dead letter, and settling it fences a
                    // second callback for the same job.
                    if self
                        .settle("dead", &taken, &self.sql.dead, Extra::Error(&text))
                        .await
                    {
                        self.runner.bury(job, error, attempt).await;
                    }
                } else {
                    let wait = self.runner.backoff_for(attempt);
                    tracing::warn!(
                        scheme = meta.scheme(),
                        id = meta.id(),
                        attempt,
                        retry_in_ms = wait.as_millis() as u64,
                        error = %error,
                        "webhook job failed; retrying"
                    );
                    if self
                        .settle(
                            "for retry",
                            &taken,
                            &self.sql.retry,
                            Extra::ErrorAndMillis(&text, millis(wait)),
                        )
                        .await
                    {
                        stats.retried();
                    }
                }
            }
        }
        lock(&self.running).remove(&held);
    }

    async fn purge(&self) {
        let query = sqlx::query(&self.sql.purge)
            .bind(millis(self.config.remember))
            .bind(PURGE_BATCH)
            .execute(&self.pool);
        if let Err(e) = self.bounded(query).await {
            tracing::debug!(error = %e, "could not purge old rows of the inbox");
        }
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
        let mut left_pending = 0;
        if !in_time {
            for a in &aborts {
                a.abort();
            }
            // Let the aborted tasks drop their futures before the rows are handed back.
            tokio::task::yield_now().await;
            let held: Vec<_> = lock(&self.running).drain().collect();
            left_pending = held.len() as u64;
            for (id, token) in held {
                let query = sqlx::query(&self.sql.put_back)
                    .bind(id)
                    .bind(token)
                    .execute(&self.pool);
                if let Err(e) = self.bounded(query).await {
                    tracing::warn!(row = id, error = %e, "could not hand an unfinished job back; it is taken over when its lease ends");
                }
            }
        }
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
            "durable webhook queue stopped; pending jobs stay in PostgreSQL"
        );
        report
    }
}

/// The parameters after `id` and `owner` of a settling statement.
#[derive(Clone, Copy)]
enum Extra<'a> {
    None,
    Error(&'a str),
    ErrorAndMillis(&'a str, i64),
}

async fn worker<T: Clone + Send + Sync + 'static>(queue: Arc<PostgresQueue<T>>, purges: bool) {
    let mut last_purge = tokio::time::Instant::now();
    while !queue.stopping.load(Ordering::Acquire) {
        if purges && last_purge.elapsed() >= PURGE_EVERY {
            last_purge = tokio::time::Instant::now();
            queue.purge().await;
        }
        match queue.take().await {
            Ok(Some(taken)) => queue.process(taken).await,
            Ok(None) => {
                let wake = std::pin::pin!(queue.wake.notified());
                let tick = std::pin::pin!(tokio::time::sleep(queue.config.poll_interval));
                select(wake, tick).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "durable webhook queue: PostgreSQL unavailable; retrying");
                tokio::time::sleep(queue.config.poll_interval.max(Duration::from_millis(500)))
                    .await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_migration_is_the_default_tables_schema() {
        assert_eq!(
            schema(POSTGRES_INBOX_DEFAULT_TABLE),
            POSTGRES_INBOX_MIGRATION
        );
    }

    #[test]
    fn table_names_are_checked() {
        assert!(
            PostgresQueueConfig::new("postgres://x")
                .table("a.b")
                .is_ok()
        );
        assert!(
            PostgresQueueConfig::new("postgres://x")
                .table("a b")
                .is_err()
        );
    }
}
