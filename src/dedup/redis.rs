use std::fmt;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Script};

use super::{Claim, ClaimAll, DIGEST_LEN, DedupStore, StoreError, StoreFuture, Token};
use crate::error::Chain;

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

/// Claim every key of a delivery in one script: `SET NX PX` each in order; at the first that
/// exists, undo the ones set before it and answer its index (1-based), value and remaining
/// time. `{0, '', 0}` when all were set. The last key is the claim's void marker (see
/// [`ABANDON`]): when it exists, the caller gave up on this claim before it arrived, and
/// nothing is claimed (`{-1, '', 0}`).
const CLAIM_ALL: &str = r"
if redis.call('EXISTS', KEYS[#KEYS]) == 1 then return {-1, '', 0} end
local value = 'i|' .. ARGV[1] .. '|' .. ARGV[2]
for i = 1, #KEYS - 1 do
  local key = KEYS[i]
  if not redis.call('SET', key, value, 'NX', 'PX', ARGV[3]) then
    local v = redis.call('GET', key)
    local pttl = redis.call('PTTL', key)
    for j = 1, i - 1 do redis.call('DEL', KEYS[j]) end
    if not v then return {i, 'gone', 0} end
    return {i, v, pttl}
  end
end
return {0, '', 0}
";

/// Undo a claim whose answer never reached the caller (timed out, connection lost): delete the
/// keys still held under its token (`ARGV[1]`) and leave the void marker (the last key) for
/// `ARGV[2]` ms, so that the claim, should it reach Redis only now, claims nothing. Either
/// order of the two scripts leaves no key behind.
const ABANDON: &str = r"
local mine = 'i|' .. ARGV[1] .. '|'
for i = 1, #KEYS - 1 do
  local v = redis.call('GET', KEYS[i])
  if v and string.sub(v, 1, #mine) == mine then redis.call('DEL', KEYS[i]) end
end
redis.call('SET', KEYS[#KEYS], '1', 'PX', ARGV[2])
return 1
";

/// Complete every key still in flight under its token (`ARGV[i]` for `KEYS[i]`; the TTL last).
const COMPLETE_ALL: &str = r"
local ttl = ARGV[#KEYS + 1]
local out = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  local mine = 'i|' .. ARGV[i] .. '|'
  if v and string.sub(v, 1, #mine) == mine then
    redis.call('SET', key, 'd|' .. string.sub(v, 3), 'PX', ttl)
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
";

/// Release every key still in flight under its token (`ARGV[i]` for `KEYS[i]`).
const RELEASE_ALL: &str = r"
local out = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  local mine = 'i|' .. ARGV[i] .. '|'
  if v and string.sub(v, 1, #mine) == mine then
    redis.call('DEL', key)
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
";

/// A store shared by every replica, on Redis (feature `redis`).
///
/// Each operation is one round trip (an atomic Lua script), and the guard claims, completes or
/// releases all the keys of a delivery in one operation: a processed delivery costs two round
/// trips (claim, then complete or release) whether the scheme needs one key or two, a duplicate
/// or a replay one. The keys of one delivery go to one script, so they must live on one node (a
/// single Redis or a primary with replicas, as the `ConnectionManager` connects to). The connection is a `redis` crate
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
    /// `redis://<address>/<db>` when this store made the connection itself.
    server: Option<String>,
    prefix: String,
    claim: Script,
    complete: Script,
    release: Script,
    claim_all: Script,
    abandon: Script,
    complete_all: Script,
    release_all: Script,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn store_error(e: redis::RedisError) -> StoreError {
    StoreError::with_source("redis", e)
}

impl RedisStore {
    /// Connect to `url` (e.g. `redis://127.0.0.1:6379/`) with 2 s timeouts.
    pub async fn connect(url: &str) -> Result<RedisStore, StoreError> {
        let client = Client::open(url).map_err(store_error)?;
        let info = client.get_connection_info();
        let server = format!("redis://{}/{}", info.addr(), info.redis_settings().db());
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1);
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(store_error)?;
        Ok(RedisStore {
            server: Some(server),
            ..RedisStore::new(conn)
        })
    }

    /// Use an existing connection manager.
    pub fn new(conn: ConnectionManager) -> RedisStore {
        RedisStore {
            conn,
            server: None,
            prefix: "webhook-guard:".to_owned(),
            claim: Script::new(CLAIM),
            complete: Script::new(COMPLETE),
            release: Script::new(RELEASE),
            claim_all: Script::new(CLAIM_ALL),
            abandon: Script::new(ABANDON),
            complete_all: Script::new(COMPLETE_ALL),
            release_all: Script::new(RELEASE_ALL),
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

    /// The marker that voids the claim owned by `token` (see [`ABANDON`]).
    fn void_key(&self, token: &Token) -> String {
        format!("{}void:{}", self.prefix, token.to_hex())
    }

    /// A claim failed on the client (timed out or the connection broke), so whether Redis ran
    /// it, or will once it answers again, is unknown: undo it in the background, retrying until
    /// Redis answers or the claim's lease has run out anyway. Without this, a claim that Redis
    /// ran after the client gave up would hold the delivery's keys for the whole lease, and
    /// the sender's retries would be refused as in flight.
    fn abandon_in_background(&self, keys: Vec<String>, token: Token, lease: Duration) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let store = self.clone();
        runtime.spawn(async move {
            let give_up = tokio::time::Instant::now() + lease;
            let mut pause = Duration::from_millis(100);
            loop {
                let mut invocation = store.abandon.prepare_invoke();
                for key in &keys {
                    invocation.key(key);
                }
                invocation
                    .key(store.void_key(&token))
                    .arg(token.to_hex())
                    .arg(millis(lease));
                let mut conn = store.conn.clone();
                let done: redis::RedisResult<i64> = invocation.invoke_async(&mut conn).await;
                match done {
                    Ok(_) => {
                        tracing::info!(
                            keys = ?keys,
                            "claim whose answer was lost is undone; retries are processed"
                        );
                        return;
                    }
                    Err(e) if tokio::time::Instant::now() + pause >= give_up => {
                        tracing::error!(
                            keys = ?keys,
                            error = %Chain(&e),
                            "could not undo a claim whose answer was lost; it ends with its lease"
                        );
                        return;
                    }
                    Err(_) => {
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(Duration::from_secs(2));
                    }
                }
            }
        });
    }

    /// Run a settling script (complete or release) over the keys, `tokens[i]` for `keys[i]`,
    /// with `ttl` as the last argument when there is one: whether each key was settled.
    async fn settle_all(
        &self,
        script: &Script,
        keys: &[String],
        tokens: &[Token],
        ttl: Option<u64>,
    ) -> Result<Vec<bool>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut invocation = script.prepare_invoke();
        for (key, token) in keys.iter().zip(tokens) {
            invocation.key(self.key(key)).arg(token.to_hex());
        }
        if let Some(ttl) = ttl {
            invocation.arg(ttl);
        }
        let mut conn = self.conn.clone();
        let settled: Vec<i64> = invocation
            .invoke_async(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(settled.into_iter().map(|n| n == 1).collect())
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// What a held key's value (`<state>|<owner>|<digest>`) and remaining time mean for a claim.
fn refused(value: &str, pttl: i64, digest: &str) -> Claim {
    let mut parts = value.splitn(3, '|');
    let (state, _owner, stored) = (parts.next(), parts.next(), parts.next());
    let retry_after = Duration::from_millis(u64::try_from(pttl).unwrap_or(0).max(1));
    match (state, stored) {
        (_, Some(stored)) if stored != digest => Claim::Conflict,
        (Some("d"), Some(_)) => Claim::Done,
        _ => Claim::InFlight { retry_after },
    }
}

impl DedupStore for RedisStore {
    fn keyspace(&self) -> Option<String> {
        self.server
            .as_ref()
            .map(|server| format!("{server} prefix {}", self.prefix))
    }

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
            Ok(refused(&value, pttl, &digest))
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
            let digest = hex::encode(digest);
            let keys_here: Vec<String> = keys.iter().map(|key| self.key(key)).collect();
            let mut invocation = self.claim_all.prepare_invoke();
            for key in &keys_here {
                invocation.key(key);
            }
            invocation
                .key(self.void_key(&token))
                .arg(token.to_hex())
                .arg(&digest)
                .arg(millis(lease));
            let mut conn = self.conn.clone();
            let answer: redis::RedisResult<(i64, String, i64)> =
                invocation.invoke_async(&mut conn).await;
            let (index, value, pttl) = match answer {
                Ok(answer) => answer,
                Err(e) => {
                    self.abandon_in_background(keys_here, token, lease);
                    return Err(store_error(e));
                }
            };
            match usize::try_from(index).ok().and_then(|i| i.checked_sub(1)) {
                _ if index == 0 => Ok(ClaimAll::Fresh(vec![token; keys.len()])),
                Some(index) if index < keys.len() => Ok(ClaimAll::Refused {
                    index,
                    claim: refused(&value, pttl, &digest),
                }),
                _ => Err(StoreError::new(format!(
                    "redis: the claim script answered key {index} of {}",
                    keys.len()
                ))),
            }
        })
    }

    fn complete_all<'a>(
        &'a self,
        keys: &'a [String],
        tokens: &'a [Token],
        ttl: Duration,
    ) -> StoreFuture<'a, Vec<bool>> {
        Box::pin(self.settle_all(&self.complete_all, keys, tokens, Some(millis(ttl))))
    }

    fn release_all<'a>(
        &'a self,
        keys: &'a [String],
        tokens: &'a [Token],
    ) -> StoreFuture<'a, Vec<bool>> {
        Box::pin(self.settle_all(&self.release_all, keys, tokens, None))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Chain;
    use std::error::Error as _;

    #[tokio::test]
    async fn a_refused_connection_keeps_the_drivers_error_as_its_source() {
        // Port 1 on the loopback: nothing listens, the connection is refused at once.
        let e = RedisStore::connect("redis://:hunter2hunter2@127.0.0.1:1/")
            .await
            .unwrap_err();
        let source = e.source().expect("the driver's error is kept");
        assert!(source.downcast_ref::<redis::RedisError>().is_some());
        let shown = format!("{} | {} | {e:?}", e, Chain(&e));
        assert!(
            shown.contains("deduplication store unavailable: redis"),
            "{shown}"
        );
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
