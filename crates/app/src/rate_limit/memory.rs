//! The per-node rate limiter: counters in a map, for a single node or when
//! no Redis is configured (each node then has its own budget).

use std::collections::HashMap;
use std::sync::Mutex;

use hallpass_domain::UnixMillis;
use hallpass_ports::{Quota, RateFuture, RateLimitError, RateLimiter};

/// Counters beyond this many live keys are not kept (hits on new keys are
/// let through and logged) so a flood of distinct keys cannot exhaust
/// memory; expired counters are dropped first.
const MAX_KEYS: usize = 200_000;

#[derive(Debug, Default)]
struct Counters {
    /// key -> (end of its window, hits in it)
    map: HashMap<String, (i64, u64)>,
}

/// Fixed-window counters in this process.
#[derive(Debug)]
pub struct MemoryRateLimiter {
    counters: Mutex<Counters>,
    /// At most this many live counters ([`MAX_KEYS`]).
    max_keys: usize,
}

impl Default for MemoryRateLimiter {
    fn default() -> Self {
        Self::with_max_keys(MAX_KEYS)
    }
}

impl MemoryRateLimiter {
    pub fn new() -> Self {
        Self::default()
    }

    /// A limiter keeping at most `max_keys` live counters.
    pub(crate) fn with_max_keys(max_keys: usize) -> Self {
        Self {
            counters: Mutex::default(),
            max_keys,
        }
    }

    fn count(&self, key: &str, quota: Quota, now: UnixMillis) -> Result<u64, RateLimitError> {
        let end = quota.window_end(now).as_millis();
        let mut counters = match self.counters.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        let map = &mut counters.map;
        if let Some((window_end, hits)) = map.get_mut(key) {
            if *window_end != end {
                *window_end = end;
                *hits = 0;
            }
            *hits += 1;
            return Ok(*hits);
        }
        if map.len() >= self.max_keys {
            let now_ms = now.as_millis();
            map.retain(|_, (window_end, _)| *window_end > now_ms);
            if map.len() >= self.max_keys {
                return Err(RateLimitError(anyhow::anyhow!(
                    "{} rate-limit counters are live; not counting new keys",
                    self.max_keys
                )));
            }
        }
        map.insert(key.to_owned(), (end, 1));
        Ok(1)
    }
}

impl RateLimiter for MemoryRateLimiter {
    fn hit<'a>(&'a self, key: &'a str, quota: Quota, now: UnixMillis) -> RateFuture<'a> {
        let result = self.count(key, quota, now).map(|n| quota.decide(n, now));
        Box::pin(async move { result })
    }
}
