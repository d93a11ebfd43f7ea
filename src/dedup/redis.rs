use std::fmt;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Script};

use super::{Claim, DIGEST_LEN, DedupStore, StoreError, StoreFuture, Token};

/// Claim: `SET key "i|<token>|<digest>" NX PX <lease>`; when the key exists, its value and
/// remaining time, in the same round trip.
const CLAIM: &str = r"
if redis.call('SET', KEYS[1], 'i|' .. ARGV[1] .. '|' .. ARGV[2], 'NX', 'PX', ARGV[3]) then
  return {'', 0}
end
local v = redis.call('GET', KEYS[1])
if not v then return {'gone', 0} end
return {v, redis.call('PTTL', KEYS[1])}
";

/// Complete: only if the key is still in flight under our token; keep it for the TTL.
const COMPLETE: &str = r"
local v = redis.call('GET', KEYS[1])
local mine = 'i|' .. ARGV[1] .. '|'
if v and string.sub(v, 1, #mine) == mine then
  redis.call('SET', KEYS[1], 'd|' .. string.sub(v, 3), 'PX', ARGV[2])
  return 1
end
return 0
";

/// Release: delete only if the key is still in flight under our token.
const RELEASE: &str = r"
local v = redis.call('GET', KEYS[1])
local mine = 'i|' .. ARGV[1] .. '|'
if v and string.sub(v, 1, #mine) == mine then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
";

/// A store shared by every replica, on Redis (feature `redis`).
///
/// Each operation is one round trip (an atomic Lua script): a processed delivery costs two per
/// key (claim, then complete or release). The connection is a `redis` crate
/// `ConnectionManager`, which reconnects on its own; operations time out after 2 s by default so
/// an unreachable Redis becomes `503 store_unavailable` quickly (or a pass-through when the layer
/// was configured with `Dedup::danger_fail_open`).
///
/// ```no_run
/// use webhook_guard::dedup::RedisStore;
///
/// # async fn run() -> Result<(), webhook_guard::dedup::StoreError> {
/// let store = RedisStore::connect("redis://127.0.0.1:6379/").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    claim: Script,
    complete: Script,
    release: Script,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn store_error(e: redis::RedisError) -> StoreError {
    StoreError(e.to_string())
}

impl RedisStore {
    /// Connect to `url` (e.g. `redis://127.0.0.1:6379/`) with 2 s timeouts.
    pub async fn connect(url: &str) -> Result<RedisStore, StoreError> {
        let client = Client::open(url).map_err(store_error)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1);
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(store_error)?;
        Ok(RedisStore::new(conn))
    }

    /// Use an existing connection manager.
    pub fn new(conn: ConnectionManager) -> RedisStore {
        RedisStore {
            conn,
            prefix: "webhook-guard:".to_owned(),
            claim: Script::new(CLAIM),
            complete: Script::new(COMPLETE),
            release: Script::new(RELEASE),
        }
    }

    /// Prefix of every key this store writes (default `webhook-guard:`).
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl DedupStore for RedisStore {
    fn claim<'a>(
        &'a self,
        key: &'a str,
        digest: &'a [u8; DIGEST_LEN],
        lease: Duration,
    ) -> StoreFuture<'a, Claim> {
        Box::pin(async move {
            let token = Token::new();
            let digest = hex::encode(digest);
            let mut conn = self.conn.clone();
            let (value, pttl): (String, i64) = self
                .claim
                .key(self.key(key))
                .arg(token.to_hex())
                .arg(&digest)
                .arg(millis(lease))
                .invoke_async(&mut conn)
                .await
                .map_err(store_error)?;
            if value.is_empty() {
                return Ok(Claim::Fresh(token));
            }
            let mut parts = value.splitn(3, '|');
            let (state, _owner, stored) = (parts.next(), parts.next(), parts.next());
            let retry_after = Duration::from_millis(u64::try_from(pttl).unwrap_or(0).max(1));
            Ok(match (state, stored) {
                (_, Some(stored)) if stored != digest => Claim::Conflict,
                (Some("d"), Some(_)) => Claim::Done,
                _ => Claim::InFlight { retry_after },
            })
        })
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        token: &'a Token,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let n: i64 = self
                .complete
                .key(self.key(key))
                .arg(token.to_hex())
                .arg(millis(ttl))
                .invoke_async(&mut conn)
                .await
                .map_err(store_error)?;
            Ok(n == 1)
        })
    }

    fn release<'a>(&'a self, key: &'a str, token: &'a Token) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let n: i64 = self
                .release
                .key(self.key(key))
                .arg(token.to_hex())
                .invoke_async(&mut conn)
                .await
                .map_err(store_error)?;
            Ok(n == 1)
        })
    }
}
