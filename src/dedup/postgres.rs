use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Executor, Row};

use super::{
    Claim, ClaimAll, DIGEST_LEN, DedupStore, DeliveryClaim, StoreError, StoreFuture, Token,
};
use crate::error::Chain;

/// Name of the table [`PostgresStore`] uses unless told otherwise
/// ([`PostgresStore::table`]).
pub const POSTGRES_DEFAULT_TABLE: &str = "webhook_guard_dedup";

/// The schema of [`PostgresStore`], for the default table ([`POSTGRES_DEFAULT_TABLE`]): plain SQL,
/// idempotent (`IF NOT EXISTS`), to run with your own migration tool or through
/// [`PostgresStore::migrate`]. For another table name, [`PostgresStore::migration_for`] gives
/// the same text with that name.
///
/// One row per key: `done` is false while the key is claimed (in flight) and true once
/// completed; `owner` is the 16-byte owner token of the claim; `digest` the delivery's body
/// digest; `expires_at` the end of the lease (in flight) or of the TTL (completed). A row
/// whose `expires_at` has passed counts as absent: the next claim takes it over, and
/// [`PostgresStore::purge_expired`] deletes it. The index on `expires_at` keeps that purge
/// from scanning the table.
///
/// ```
/// assert!(webhook_guard::dedup::POSTGRES_MIGRATION.contains("CREATE TABLE IF NOT EXISTS webhook_guard_dedup"));
/// ```
pub const POSTGRES_MIGRATION: &str = "\
CREATE TABLE IF NOT EXISTS webhook_guard_dedup (
    key        text        PRIMARY KEY,
    done       boolean     NOT NULL,
    owner      bytea       NOT NULL,
    digest     bytea       NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_guard_dedup_expires_at ON webhook_guard_dedup (expires_at);
";

/// Default bound of every operation, like `RedisStore`'s.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// Default pause between two opportunistic purges of expired rows.
const DEFAULT_PURGE_EVERY: Duration = Duration::from_secs(60);
/// Rows deleted by one purge statement.
const PURGE_BATCH: i64 = 1000;
/// Purge statements one opportunistic purge runs at most.
const PURGE_BATCHES: usize = 10;

/// A store shared by every replica, on PostgreSQL (feature `postgres`).
///
/// The same semantics as `RedisStore`: claims held under a lease with owner tokens, completed
/// keys kept for the TTL, released keys free again, a different body under a known key a
/// conflict. (One difference: a claim whose lease ran out can still be completed by its owner
/// as long as no other attempt took it over, as with `MemoryStore`; Redis has forgotten it by
/// then.) Each operation is one SQL statement, atomic on its own (no transaction is held
/// open across round trips), and the guard claims, completes or releases every key of a
/// delivery in one statement: a processed delivery costs two round trips (claim, then complete
/// or release), a duplicate or a replay one.
///
/// Time is the database's (`now()`), so replicas with skewed clocks agree on leases. Rows past
/// their `expires_at` count as absent; they are deleted in bounded batches, by
/// [`purge_expired`](PostgresStore::purge_expired) or on their own about once a minute
/// ([`purge_every`](PostgresStore::purge_every)) from a background task.
///
/// Every operation is bounded by a timeout (2 s by default, [`timeout`](PostgresStore::timeout)),
/// and a store connected by [`connect`](PostgresStore::connect) also sets the server's
/// `statement_timeout` to 2 s: an unreachable, stalled or locked database becomes
/// `503 store_unavailable` with `Retry-After` (or a pass-through with
/// `Dedup::danger_fail_open`). A claim whose answer was lost (timed out, connection broken)
/// may still be committed: it is undone from a background task as soon as the database answers
/// again, and once more after the statement timeout. Whatever happens to it, it can never let a
/// delivery run twice (its owner token was never handed to a handler), nor block one for
/// longer than its lease.
///
/// Create the table first, with [`migrate`](PostgresStore::migrate) or by running
/// [`POSTGRES_MIGRATION`] yourself:
///
/// ```no_run
/// use webhook_guard::dedup::{Dedup, PostgresStore};
/// use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let store = PostgresStore::connect("postgres://app:secret@127.0.0.1:5432/app").await?;
/// store.migrate().await?;
/// let verifier = Verifier::new(Scheme::stripe(), Secret::new("whsec_your_stripe_signing_secret")?);
/// let layer = WebhookLayer::new(verifier).dedup(store);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// `postgres://<host>:<port>/<database>` when this store made the pool itself.
    server: Option<String>,
    table: String,
    sql: Arc<Statements>,
    timeout: Duration,
    /// The server's `statement_timeout`, when this store set it.
    statement_timeout: Option<Duration>,
    purge_every: Option<Duration>,
    /// When the last opportunistic purge started, in ms since this store was made (+1, so 0 is
    /// "never").
    last_purge: Arc<AtomicU64>,
    started: tokio::time::Instant,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("table", &self.table)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The statements of one table.
struct Statements {
    claim_all: String,
    complete_all: String,
    release_all: String,
    purge: String,
}

impl Statements {
    fn new(t: &str) -> Statements {
        // The claim: keys already live (claimed or completed, unexpired) in the statement's
        // snapshot refuse the whole claim and nothing is written. Otherwise every key is
        // inserted, or taken over where its row has expired; a row that became live since the
        // snapshot (a concurrent claim) is left as it is and returned, not ours (`mine`
        // false): the caller then releases the keys it did get. `ORDER BY key` takes the rows'
        // locks in one order in every statement.
        let claim_all = format!(
            "WITH input AS (
    SELECT k AS key, i::int4 AS idx FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i)
),
live AS (
    SELECT d.key, d.done, d.digest, d.expires_at FROM {t} AS d
    WHERE d.key = ANY($1::text[]) AND d.expires_at > now()
),
claimed AS (
    INSERT INTO {t} AS d (key, done, owner, digest, expires_at)
    SELECT key, false, $2, $3, now() + $4 * interval '1 millisecond' FROM input
    WHERE NOT EXISTS (SELECT 1 FROM live)
    ORDER BY key
    ON CONFLICT (key) DO UPDATE SET
        done = CASE WHEN d.expires_at <= now() THEN false ELSE d.done END,
        owner = CASE WHEN d.expires_at <= now() THEN excluded.owner ELSE d.owner END,
        digest = CASE WHEN d.expires_at <= now() THEN excluded.digest ELSE d.digest END,
        expires_at = CASE WHEN d.expires_at <= now() THEN excluded.expires_at ELSE d.expires_at END
    RETURNING d.key, d.owner = $2 AS mine, d.done, d.digest, d.expires_at
),
answer AS (
    SELECT key, mine, done, digest, expires_at FROM claimed
    UNION ALL
    SELECT key, false, done, digest, expires_at FROM live
)
SELECT input.idx, answer.mine, answer.done, answer.digest,
    LEAST($4, GREATEST(1, CEIL(EXTRACT(EPOCH FROM (answer.expires_at - now())) * 1000)))::int8
        AS ms_left
FROM answer JOIN input USING (key)
ORDER BY input.idx"
        );
        // Complete: only keys still in flight under their token, kept for the TTL from now.
        let complete_all = format!(
            "UPDATE {t} AS d SET done = true, expires_at = now() + $3 * interval '1 millisecond'
FROM unnest($1::text[], $2::bytea[]) AS u(key, owner)
WHERE d.key = u.key AND d.owner = u.owner AND NOT d.done
RETURNING d.key"
        );
        // Release: delete only keys still in flight under their token.
        let release_all = format!(
            "DELETE FROM {t} AS d USING unnest($1::text[], $2::bytea[]) AS u(key, owner)
WHERE d.key = u.key AND d.owner = u.owner AND NOT d.done
RETURNING d.key"
        );
        // Purge: a bounded batch of expired rows, skipping rows a claim holds locked; the
        // expiry is checked again on the row deleted, should a claim have taken it over.
        let purge = format!(
            "DELETE FROM {t} WHERE ctid = ANY(ARRAY(
    SELECT ctid FROM {t} WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED
)) AND expires_at <= now()"
        );
        Statements {
            claim_all,
            complete_all,
            release_all,
            purge,
        }
    }
}

fn store_error(e: sqlx::Error) -> StoreError {
    StoreError::with_source("postgres", e)
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX).max(1)
}

fn owner(token: &Token) -> Vec<u8> {
    token.0.to_be_bytes().to_vec()
}

/// Whether `name` is a table name this store accepts: an unquoted SQL identifier (a letter or
/// `_`, then letters, digits or `_`; at most 50 characters, so the index named after it fits
/// PostgreSQL's 63), optionally qualified by a schema (`schema.table`, each part so).
pub(crate) fn valid_table(name: &str) -> bool {
    fn ident(part: &str) -> bool {
        let mut chars = part.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && part.len() <= 50
    }
    let mut parts = name.split('.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(table), None, None) => ident(table),
        (Some(schema), Some(table), None) => ident(schema) && ident(table),
        _ => false,
    }
}

fn check_table(name: &str) -> Result<(), StoreError> {
    if valid_table(name) {
        return Ok(());
    }
    Err(StoreError::new(format!(
        "`{name}` is not a plain SQL identifier (letters, digits, `_`; optionally `schema.table`)"
    )))
}

/// [`POSTGRES_MIGRATION`] for table `table` (already checked), its index named after the
/// table's own name.
fn schema(table: &str) -> String {
    let bare = table.rsplit('.').next().unwrap_or(table);
    format!(
        "\
CREATE TABLE IF NOT EXISTS {table} (
    key        text        PRIMARY KEY,
    done       boolean     NOT NULL,
    owner      bytea       NOT NULL,
    digest     bytea       NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS {bare}_expires_at ON {table} (expires_at);
"
    )
}

impl PostgresStore {
    /// Connect to `url` (e.g. `postgres://user:password@127.0.0.1:5432/app`; TLS with
    /// `?sslmode=require`) with a pool of up to 10 connections, 2 s timeouts, and the server's
    /// `statement_timeout` set to the same 2 s. Connections are not pinged before each use
    /// (that would be a second round trip per operation). Fails when the database cannot be
    /// reached now.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), webhook_guard::dedup::StoreError> {
    /// let store = webhook_guard::dedup::PostgresStore::connect("postgres://127.0.0.1/app").await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let options = PgConnectOptions::from_str(url)
            .map_err(store_error)?
            .application_name("webhook-guard")
            .options([("statement_timeout", millis(DEFAULT_TIMEOUT).to_string())]);
        let server = format!(
            "postgres://{}:{}/{}",
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or_default()
        );
        // No ping before each use: it would double the round trips on the request's path. A
        // connection that broke fails its next statement (one `503`, the sender retries), and
        // the pool's check when a connection is given back discards it.
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(DEFAULT_TIMEOUT)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(store_error)?;
        Ok(PostgresStore {
            server: Some(server),
            statement_timeout: Some(DEFAULT_TIMEOUT),
            ..PostgresStore::new(pool)
        })
    }

    /// Use an existing pool (its own timeouts and `statement_timeout` apply; each operation is
    /// still bounded by [`timeout`](PostgresStore::timeout)).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let pool = sqlx::postgres::PgPoolOptions::new().connect("postgres://127.0.0.1/app").await?;
    /// let store = webhook_guard::dedup::PostgresStore::new(pool).table("dedup.webhooks")?;
    /// # Ok(()) }
    /// ```
    pub fn new(pool: PgPool) -> PostgresStore {
        PostgresStore {
            pool,
            server: None,
            table: POSTGRES_DEFAULT_TABLE.to_owned(),
            sql: Arc::new(Statements::new(POSTGRES_DEFAULT_TABLE)),
            timeout: DEFAULT_TIMEOUT,
            statement_timeout: None,
            purge_every: Some(DEFAULT_PURGE_EVERY),
            last_purge: Arc::new(AtomicU64::new(0)),
            started: tokio::time::Instant::now(),
        }
    }

    /// Keep the keys in table `name` (default [`POSTGRES_DEFAULT_TABLE`]), optionally schema-qualified
    /// (`schema.table`). Only plain unquoted identifiers are accepted (letters, digits and
    /// `_`, not starting with a digit, at most 50 characters each), since the name is written
    /// into the statements.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), webhook_guard::dedup::StoreError> {
    /// use webhook_guard::dedup::PostgresStore;
    ///
    /// let store = PostgresStore::connect("postgres://127.0.0.1/app").await?.table("billing_hooks")?;
    /// assert!(PostgresStore::connect("postgres://127.0.0.1/app").await?.table("x; DROP TABLE y").is_err());
    /// # Ok(()) }
    /// ```
    pub fn table(mut self, name: &str) -> Result<Self, StoreError> {
        check_table(name)?;
        self.table = name.to_owned();
        self.sql = Arc::new(Statements::new(name));
        Ok(self)
    }

    /// Bound every operation by `timeout` (default 2 s): past it, the operation fails and the
    /// guard answers `503 store_unavailable`. The server's `statement_timeout` set by
    /// [`connect`](PostgresStore::connect) stays 2 s.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Purge expired rows from a background task at most once per `every` (default once a
    /// minute, at most 10 batches of 1000 rows each time), started by a claim; `None` turns
    /// that off, for a deployment that calls [`purge_expired`](PostgresStore::purge_expired)
    /// itself.
    #[must_use]
    pub fn purge_every(mut self, every: Option<Duration>) -> Self {
        self.purge_every = every;
        self
    }

    /// The pool this store uses.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The schema of this store's table: [`POSTGRES_MIGRATION`] with its name.
    pub fn migration(&self) -> String {
        schema(&self.table)
    }

    /// The schema for table `name` (see [`table`](PostgresStore::table)), for running it
    /// with your own migration tool.
    ///
    /// ```
    /// use webhook_guard::dedup::PostgresStore;
    ///
    /// let sql = PostgresStore::migration_for("billing.hooks")?;
    /// assert!(sql.contains("CREATE TABLE IF NOT EXISTS billing.hooks ("));
    /// assert!(sql.contains("CREATE INDEX IF NOT EXISTS hooks_expires_at ON billing.hooks"));
    /// assert!(PostgresStore::migration_for("hooks; DROP TABLE users").is_err());
    /// # Ok::<(), webhook_guard::dedup::StoreError>(())
    /// ```
    pub fn migration_for(name: &str) -> Result<String, StoreError> {
        check_table(name)?;
        Ok(schema(name))
    }

    /// Create the table and its index if they do not exist ([`migration`](Self::migration)),
    /// in one transaction under an advisory lock, so replicas starting together do not race.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        // Any constant will do: it only serialises concurrent migrations.
        tx.execute("SELECT pg_advisory_xact_lock(7238472318447)")
            .await
            .map_err(store_error)?;
        tx.execute(sqlx::raw_sql(&self.migration()))
            .await
            .map_err(store_error)?;
        tx.commit().await.map_err(store_error)
    }

    /// Complete the delivery's claim inside the handler's own transaction `tx` (any
    /// `PgConnection`: `&mut *transaction`), so that the handler's writes and the "done" mark
    /// commit or roll back together: exactly-once *effects*, not only one handler call. Returns
    /// whether every key was still held by this claim; when it is `false` (the lease ran out
    /// and another attempt took the delivery over), roll the transaction back.
    ///
    /// The claim is [taken](DeliveryClaim::take) first: the guard then only releases what is
    /// still in flight when the handler answers, so a transaction that rolls back (or never
    /// commits) leaves the delivery to the sender's retry. The table must be in the database
    /// `tx` writes to.
    ///
    /// ```no_run
    /// use axum::extract::State;
    /// use axum::http::StatusCode;
    /// use webhook_guard::dedup::{DeliveryClaim, PostgresStore};
    /// use webhook_guard::WebhookMeta;
    ///
    /// async fn on_delivery(
    ///     State(store): State<PostgresStore>,
    ///     meta: WebhookMeta,
    ///     claim: DeliveryClaim,
    /// ) -> StatusCode {
    ///     let Ok(mut tx) = store.pool().begin().await else { return StatusCode::SERVICE_UNAVAILABLE };
    ///     let wrote = sqlx::query("INSERT INTO payments (delivery) VALUES ($1)")
    ///         .bind(meta.id())
    ///         .execute(&mut *tx)
    ///         .await;
    ///     match (wrote, store.complete_in(&mut tx, &claim).await) {
    ///         (Ok(_), Ok(true)) if tx.commit().await.is_ok() => StatusCode::OK,
    ///         // Rolled back when `tx` is dropped: the sender's retry is processed again.
    ///         _ => StatusCode::SERVICE_UNAVAILABLE,
    ///     }
    /// }
    /// ```
    pub async fn complete_in(
        &self,
        tx: &mut sqlx::PgConnection,
        claim: &DeliveryClaim,
    ) -> Result<bool, StoreError> {
        claim.take();
        let keys = claim.keys();
        if keys.is_empty() {
            return Ok(true);
        }
        let owners: Vec<Vec<u8>> = claim.tokens().iter().map(owner).collect();
        let query = sqlx::query(&self.sql.complete_all)
            .bind(keys)
            .bind(owners)
            .bind(millis(claim.ttl()))
            .fetch_all(&mut *tx);
        let rows = self.bounded(query).await?;
        Ok(rows.len() == keys.len())
    }

    /// Delete up to `limit` expired rows (one statement); returns how many were deleted. Call
    /// it in a loop while it returns `limit` to empty a large backlog.
    pub async fn purge_expired(&self, limit: u32) -> Result<u64, StoreError> {
        let purge = sqlx::query(&self.sql.purge)
            .bind(i64::from(limit))
            .execute(&self.pool);
        let done = self.bounded(purge).await?;
        Ok(done.rows_affected())
    }

    /// `op`, failing past the timeout.
    async fn bounded<T>(
        &self,
        op: impl Future<Output = Result<T, sqlx::Error>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.timeout, op).await {
            Ok(done) => done.map_err(store_error),
            Err(_) => Err(StoreError::new(format!(
                "postgres: no answer within {:?}",
                self.timeout
            ))),
        }
    }

    /// Start an opportunistic purge if the last one is old enough.
    fn maybe_purge(&self) {
        let Some(every) = self.purge_every else {
            return;
        };
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX) + 1;
        let last = self.last_purge.load(Ordering::Relaxed);
        if last != 0 && now.saturating_sub(last) < u64::try_from(every.as_millis()).unwrap_or(0) {
            return;
        }
        if self
            .last_purge
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return; // another claim started it
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let store = self.clone();
        runtime.spawn(async move {
            for _ in 0..PURGE_BATCHES {
                match store.purge_expired(PURGE_BATCH as u32).await {
                    Ok(n) if n == PURGE_BATCH as u64 => continue,
                    Ok(_) => return,
                    Err(e) => {
                        tracing::debug!(error = %Chain(&e), "could not purge expired dedup rows");
                        return;
                    }
                }
            }
        });
    }

    /// A claim failed on the client (timed out or the connection broke), so whether the
    /// database committed it, or will once it answers again, is unknown: delete the keys still
    /// held under its token in the background, retrying until the database answers or the
    /// claim's lease has run out anyway; then once more, past the statement timeout, for a
    /// claim that was still running then (waiting on a lock, or on a database that was
    /// stalled: its `statement_timeout`, which [`connect`](PostgresStore::connect) sets to
    /// the store's timeout, ends it by then). Without this, such a claim would hold the
    /// delivery's keys for the whole lease, and the sender's retries would be refused as in
    /// flight.
    fn abandon_in_background(&self, keys: Vec<String>, token: Token, lease: Duration) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let store = self.clone();
        runtime.spawn(async move {
            let give_up = tokio::time::Instant::now() + lease;
            let tokens = vec![token; keys.len()];
            let mut pause = Duration::from_millis(100);
            let mut undone = 0;
            loop {
                tokio::time::sleep(pause).await;
                match store
                    .settle(&store.sql.release_all, &keys, &tokens, None)
                    .await
                {
                    Ok(released) => {
                        undone += 1;
                        if released.contains(&true) {
                            tracing::info!(
                                keys = ?keys,
                                "claim whose answer was lost is undone; retries are processed"
                            );
                        }
                        if undone == 2 {
                            return;
                        }
                        let running = store
                            .timeout
                            .max(store.statement_timeout.unwrap_or_default());
                        pause = running + Duration::from_millis(500);
                    }
                    Err(e) if tokio::time::Instant::now() + pause >= give_up => {
                        tracing::error!(
                            keys = ?keys,
                            error = %Chain(&e),
                            "could not undo a claim whose answer was lost; it ends with its lease"
                        );
                        return;
                    }
                    Err(_) => pause = (pause * 2).min(Duration::from_secs(2)),
                }
            }
        });
    }

    /// Run a settling statement (complete with `ttl`, or release) over the keys, `tokens[i]`
    /// for `keys[i]`: whether each key was settled.
    async fn settle(
        &self,
        sql: &str,
        keys: &[String],
        tokens: &[Token],
        ttl: Option<Duration>,
    ) -> Result<Vec<bool>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let owners: Vec<Vec<u8>> = tokens.iter().map(owner).collect();
        let mut query = sqlx::query(sql).bind(keys).bind(owners);
        if let Some(ttl) = ttl {
            query = query.bind(millis(ttl));
        }
        let rows = self.bounded(query.fetch_all(&self.pool)).await?;
        let settled: Vec<String> = rows
            .iter()
            .map(|row| row.try_get::<String, _>(0))
            .collect::<Result<_, _>>()
            .map_err(store_error)?;
        Ok(keys.iter().map(|key| settled.contains(key)).collect())
    }

    /// The claim statement over `keys` under `token`: its rows, ordered by key index.
    async fn claim_rows(
        &self,
        keys: &[String],
        token: &Token,
        digest: &[u8; DIGEST_LEN],
        lease: Duration,
    ) -> Result<Vec<PgRow>, StoreError> {
        let query = sqlx::query(&self.sql.claim_all)
            .bind(keys)
            .bind(owner(token))
            .bind(&digest[..])
            .bind(millis(lease));
        self.bounded(query.fetch_all(&self.pool)).await
    }
}

/// One row of the claim statement.
struct Answer {
    /// 0-based index of the key.
    index: usize,
    mine: bool,
    done: bool,
    digest: Vec<u8>,
    ms_left: i64,
}

fn answers(rows: &[PgRow], keys: usize) -> Result<Vec<Answer>, StoreError> {
    rows.iter()
        .map(|row| {
            let idx: i32 = row.try_get(0)?;
            Ok(Answer {
                index: usize::try_from(idx).unwrap_or(0).wrapping_sub(1),
                mine: row.try_get(1)?,
                done: row.try_get(2)?,
                digest: row.try_get(3)?,
                ms_left: row.try_get(4)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(store_error)
        .and_then(|answers| {
            if answers.iter().any(|a| a.index >= keys) {
                Err(StoreError::new(format!(
                    "postgres: the claim answered a key outside the {keys} claimed"
                )))
            } else {
                Ok(answers)
            }
        })
}

/// What a live row refusing a claim means.
fn refused(answer: &Answer, digest: &[u8; DIGEST_LEN]) -> Claim {
    if answer.digest != digest[..] {
        Claim::Conflict
    } else if answer.done {
        Claim::Done
    } else {
        Claim::InFlight {
            retry_after: Duration::from_millis(u64::try_from(answer.ms_left).unwrap_or(1).max(1)),
        }
    }
}

impl DedupStore for PostgresStore {
    fn keyspace(&self) -> Option<String> {
        self.server
            .as_ref()
            .map(|server| format!("{server} table {}", self.table))
    }

    fn claim<'a>(
        &'a self,
        key: &'a str,
        digest: &'a [u8; DIGEST_LEN],
        lease: Duration,
    ) -> StoreFuture<'a, Claim> {
        Box::pin(async move {
            let keys = [key.to_owned()];
            match self.claim_all(&keys, digest, lease).await? {
                ClaimAll::Fresh(mut tokens) => Ok(Claim::Fresh(tokens.remove(0))),
                ClaimAll::Refused { claim, .. } => Ok(claim),
            }
        })
    }

    fn claim_all<'a>(
        &'a self,
        keys: &'a [String],
        digest: &'a [u8; DIGEST_LEN],
        lease: Duration,
    ) -> StoreFuture<'a, ClaimAll> {
        Box::pin(async move {
            if keys.is_empty() {
                return Ok(ClaimAll::Fresh(Vec::new()));
            }
            // One owner token for the delivery's keys: they are claimed and settled together.
            let token = Token::new();
            let rows = match self.claim_rows(keys, &token, digest, lease).await {
                Ok(rows) => rows,
                Err(e) => {
                    self.abandon_in_background(keys.to_vec(), token, lease);
                    return Err(e);
                }
            };
            self.maybe_purge();
            let answers = answers(&rows, keys.len())?;
            let refusal = answers.iter().filter(|a| !a.mine).min_by_key(|a| a.index);
            let Some(refusal) = refusal else {
                if answers.len() == keys.len() {
                    return Ok(ClaimAll::Fresh(vec![token; keys.len()]));
                }
                return Err(StoreError::new(format!(
                    "postgres: the claim answered {} of {} keys",
                    answers.len(),
                    keys.len()
                )));
            };
            // A concurrent claim got some key after this statement's snapshot, so the others
            // were claimed: free them again (a second round trip, only in that race).
            if answers.iter().any(|a| a.mine) {
                let tokens = vec![token; keys.len()];
                if let Err(e) = self
                    .settle(&self.sql.release_all, keys, &tokens, None)
                    .await
                {
                    tracing::warn!(error = %Chain(&e), "could not release a partial claim; undoing it in the background");
                    self.abandon_in_background(keys.to_vec(), token, lease);
                }
            }
            Ok(ClaimAll::Refused {
                index: refusal.index,
                claim: refused(refusal, digest),
            })
        })
    }

    fn complete_all<'a>(
        &'a self,
        keys: &'a [String],
        tokens: &'a [Token],
        ttl: Duration,
    ) -> StoreFuture<'a, Vec<bool>> {
        Box::pin(self.settle(&self.sql.complete_all, keys, tokens, Some(ttl)))
    }

    fn release_all<'a>(
        &'a self,
        keys: &'a [String],
        tokens: &'a [Token],
    ) -> StoreFuture<'a, Vec<bool>> {
        Box::pin(self.settle(&self.sql.release_all, keys, tokens, None))
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        token: &'a Token,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let done = self
                .settle(
                    &self.sql.complete_all,
                    &[key.to_owned()],
                    &[*token],
                    Some(ttl),
                )
                .await?;
            Ok(done.first().copied().unwrap_or(false))
        })
    }

    fn release<'a>(&'a self, key: &'a str, token: &'a Token) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let done = self
                .settle(&self.sql.release_all, &[key.to_owned()], &[*token], None)
                .await?;
            Ok(done.first().copied().unwrap_or(false))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Chain;
    use std::error::Error as _;

    #[tokio::test]
    async fn a_malformed_url_keeps_the_drivers_error_as_its_source() {
        let e = PostgresStore::connect("postgres://app:hunter2hunter2@127.0.0.1:notaport/db")
            .await
            .unwrap_err();
        let source = e.source().expect("the driver's error is kept");
        assert!(source.downcast_ref::<sqlx::Error>().is_some());
        let shown = format!("{} | {} | {e:?}", e, Chain(&e));
        assert!(
            shown.contains("deduplication store unavailable: postgres"),
            "{shown}"
        );
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn the_shipped_migration_is_the_default_tables_schema() {
        assert_eq!(schema(POSTGRES_DEFAULT_TABLE), POSTGRES_MIGRATION);
    }

    #[test]
    fn table_names_are_plain_identifiers() {
        for ok in [
            "webhook_guard_dedup",
            "_t",
            "T1",
            "app.hooks",
            &"a".repeat(50),
        ] {
            assert!(valid_table(ok), "{ok}");
        }
        for bad in [
            "",
            "1t",
            "a-b",
            "a b",
            "t;drop table x",
            "\"t\"",
            "a.b.c",
            ".t",
            "t.",
            &"a".repeat(51),
            "tëst",
        ] {
            assert!(!valid_table(bad), "{bad}");
        }
    }
}
