//! # hallpass-adapter-redis
//!
//! A [`RateLimiter`] on Redis, so every `hallpass` node that names the same
//! Redis shares one budget per key. Each hit runs one Lua script that
//! increments the key's counter for the current window and, on the first
//! hit, sets its expiry: the count and the expiry are atomic, and a counter
//! never outlives its window by more than a second.
//!
//! Redis is an optimisation of a defence, not a dependency of the service:
//! the adapter connects lazily, bounds every command by a timeout, and after
//! a failure waits [`RedisOptions::reconnect_after`] before trying again, so
//! an outage costs requests no latency. Failures are returned as
//! [`RateLimitError`]; the caller decides (Hallpass lets the request
//! through and logs it).

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use hallpass_domain::UnixMillis;
use hallpass_ports::{Quota, RateFuture, RateLimitError, RateLimiter};
use redis::AsyncConnectionConfig;
use redis::aio::MultiplexedConnection;
use tokio::sync::Mutex;

/// INCR the window's counter; PEXPIRE it on its first hit. Returns the count.
const HIT: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
";

/// How the adapter talks to Redis.
#[derive(Debug, Clone)]
pub struct RedisOptions {
    /// Prepended to every key (e.g. `hallpass:rl:`), so several instances
    /// (or tests) can share one Redis.
    pub key_prefix: String,
    /// Bound on connecting and on each command.
    pub timeout: Duration,
    /// After a failure, how long hits fail at once before reconnecting.
    pub reconnect_after: Duration,
}

impl Default for RedisOptions {
    fn default() -> Self {
        Self {
            key_prefix: "hallpass:rl:".to_owned(),
            timeout: Duration::from_millis(250),
            reconnect_after: Duration::from_secs(1),
        }
    }
}

/// A rate limiter shared through Redis.
pub struct RedisRateLimiter {
    client: redis::Client,
    options: RedisOptions,
    script: redis::Script,
    connection: Mutex<Option<MultiplexedConnection>>,
    /// No connection attempt before this instant (milliseconds).
    retry_at: AtomicI64,
}

impl std::fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: only the prefix is shown.
        f.debug_struct("RedisRateLimiter")
            .field("key_prefix", &self.options.key_prefix)
            .finish_non_exhaustive()
    }
}

impl RedisRateLimiter {
    /// A limiter for `url` (`redis://[:password@]host:port[/db]`). Checks
    /// the URL only; the first hit connects.
    pub fn new(url: &str, options: RedisOptions) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).context("the Redis URL is invalid")?;
        Ok(Self {
            client,
            options,
            script: redis::Script::new(HIT),
            connection: Mutex::new(None),
            retry_at: AtomicI64::new(i64::MIN),
        })
    }

    fn millis(d: Duration) -> i64 {
        i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
    }

    async fn connection(&self, now: UnixMillis) -> anyhow::Result<MultiplexedConnection> {
        let mut slot = self.connection.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        if now.as_millis() < self.retry_at.load(Ordering::Relaxed) {
            anyhow::bail!("Redis failed recently; waiting before reconnecting");
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.options.timeout))
            .set_response_timeout(Some(self.options.timeout));
        match self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
        {
            Ok(c) => {
                *slot = Some(c.clone());
                Ok(c)
            }
            Err(e) => {
                self.failed(now);
                Err(anyhow::Error::new(e).context("connecting to Redis"))
            }
        }
    }

    fn failed(&self, now: UnixMillis) {
        let at = now
            .as_millis()
            .saturating_add(Self::millis(self.options.reconnect_after));
        self.retry_at.store(at, Ordering::Relaxed);
    }

    async fn count(&self, key: &str, quota: Quota, now: UnixMillis) -> anyhow::Result<u64> {
        let mut conn = self.connection(now).await?;
        let full_key = format!(
            "{}{key}:{}",
            self.options.key_prefix,
            quota.window_index(now)
        );
        // The counter lives until its window ends, plus a second of slack
        // for clocks that differ slightly between nodes.
        let ttl = quota.window_end(now).since(now) + Duration::from_secs(1);
        let result: redis::RedisResult<u64> = self
            .script
            .key(full_key)
            .arg(Self::millis(ttl))
            .invoke_async(&mut conn)
            .await;
        result.map_err(|e| {
            if e.is_io_error() || e.is_timeout() || e.is_connection_dropped() {
                self.failed(now);
                // A broken connection is not reused; the next attempt reconnects.
                if let Ok(mut slot) = self.connection.try_lock() {
                    *slot = None;
                }
            }
            anyhow::Error::new(e).context("counting a hit in Redis")
        })
    }
}

impl RateLimiter for RedisRateLimiter {
    fn hit<'a>(&'a self, key: &'a str, quota: Quota, now: UnixMillis) -> RateFuture<'a> {
        Box::pin(async move {
            let count = self.count(key, quota, now).await.map_err(RateLimitError)?;
            Ok(quota.decide(count, now))
        })
    }
}
