//! The `rate_limit` settings, and the limiter they choose: Redis shared by
//! every node when `rate_limit.redis_url` is set, else counters in this
//! process (each node then has its own budget).

use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use hallpass_adapter_redis::{RedisOptions, RedisRateLimiter};
use hallpass_app::{MemoryRateLimiter, RateLimits, RatePolicy};
use hallpass_ports::{Quota, RateLimiter};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

use crate::system::SystemClock;

/// One budget: `limit` requests per `window_secs`; `limit = 0`: unlimited.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuotaSettings {
    pub limit: u32,
    pub window_secs: u64,
}

impl Default for QuotaSettings {
    fn default() -> Self {
        Self {
            limit: 0,
            window_secs: 60,
        }
    }
}

impl QuotaSettings {
    fn of(q: Option<Quota>) -> Self {
        q.map_or_else(Self::default, |q| Self {
            limit: q.limit,
            window_secs: q.window.as_secs(),
        })
    }

    fn validate(self, name: &str) -> anyhow::Result<Option<Quota>> {
        if self.limit == 0 {
            return Ok(None);
        }
        if !(1..=86_400).contains(&self.window_secs) {
            return Err(anyhow!(
                "`rate_limit.{name}.window_secs` must be 1 to 86400"
            ));
        }
        Ok(Some(Quota {
            limit: self.limit,
            window: Duration::from_secs(self.window_secs),
        }))
    }
}

/// `[rate_limit]` as written.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Off: nothing is limited.
    pub enabled: bool,
    /// `redis://[:password@]host:port[/db]`: share the budgets between
    /// nodes. None: each node counts in memory.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key.
    pub key_prefix: String,
    /// Bound on connecting to Redis and on each command, in milliseconds.
    pub redis_timeout_ms: u64,
    pub fapi_per_ip: QuotaSettings,
    pub fapi_per_client: QuotaSettings,
    pub bapi_per_secret_key: QuotaSettings,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        let d = RatePolicy::DEFAULT;
        Self {
            enabled: true,
            redis_url: None,
            key_prefix: "hallpass:rl:".to_owned(),
            redis_timeout_ms: 250,
            fapi_per_ip: QuotaSettings::of(d.fapi_per_ip),
            fapi_per_client: QuotaSettings::of(d.fapi_per_client),
            bapi_per_secret_key: QuotaSettings::of(d.bapi_per_secret_key),
        }
    }
}

impl std::fmt::Debug for RateLimitSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimitSettings")
            .field("enabled", &self.enabled)
            .field("redis_url", &self.redis_url.as_ref().map(|_| "[redacted]"))
            .field("key_prefix", &self.key_prefix)
            .field("fapi_per_ip", &self.fapi_per_ip)
            .field("fapi_per_client", &self.fapi_per_client)
            .field("bapi_per_secret_key", &self.bapi_per_secret_key)
            .finish_non_exhaustive()
    }
}

/// Validated rate limits.
#[derive(Debug, Clone)]
pub struct RateLimitConfig {
    /// None: rate limiting is off.
    pub policy: Option<RatePolicy>,
    pub redis: Option<(SecretString, RedisOptions)>,
}

impl RateLimitSettings {
    pub fn validate(&self) -> anyhow::Result<RateLimitConfig> {
        let policy = RatePolicy {
            fapi_per_ip: self.fapi_per_ip.validate("fapi_per_ip")?,
            fapi_per_client: self.fapi_per_client.validate("fapi_per_client")?,
            bapi_per_secret_key: self.bapi_per_secret_key.validate("bapi_per_secret_key")?,
        };
        let redis = match self.redis_url.as_deref().filter(|u| !u.is_empty()) {
            None => None,
            Some(url) => {
                if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
                    return Err(anyhow!(
                        "`rate_limit.redis_url` must be a redis:// URL (omit it to count in memory)"
                    ));
                }
                if !(1..=10_000).contains(&self.redis_timeout_ms) {
                    return Err(anyhow!("`rate_limit.redis_timeout_ms` must be 1 to 10000"));
                }
                Some((
                    SecretString::from(url.to_owned()),
                    RedisOptions {
                        key_prefix: self.key_prefix.clone(),
                        timeout: Duration::from_millis(self.redis_timeout_ms),
                        ..RedisOptions::default()
                    },
                ))
            }
        };
        Ok(RateLimitConfig {
            policy: self.enabled.then_some(policy),
            redis,
        })
    }
}

impl RateLimitConfig {
    /// The node's rate limits (with no budget at all when they are off).
    pub fn build(&self) -> anyhow::Result<RateLimits> {
        let Some(policy) = self.policy else {
            return Ok(RateLimits::new(
                Arc::new(MemoryRateLimiter::new()),
                Arc::new(SystemClock),
                RatePolicy::default(),
            ));
        };
        let limiter: Arc<dyn RateLimiter> = match &self.redis {
            Some((url, options)) => Arc::new(
                RedisRateLimiter::new(url.expose_secret(), options.clone())
                    .map_err(|e| anyhow!("`rate_limit.redis_url`: {e}"))?,
            ),
            None => Arc::new(MemoryRateLimiter::new()),
        };
        Ok(RateLimits::new(limiter, Arc::new(SystemClock), policy))
    }

    /// For the log: where the budgets are counted.
    pub fn describe(&self) -> &'static str {
        match (&self.policy, &self.redis) {
            (None, _) => "off",
            (Some(_), Some(_)) => "shared through Redis",
            (Some(_), None) => "in memory, per node",
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_recommended_policy_in_memory() {
        let c = RateLimitSettings::default().validate().unwrap();
        assert_eq!(c.policy, Some(RatePolicy::DEFAULT));
        assert!(c.redis.is_none());
    }

    #[test]
    fn bad_values_name_the_setting() {
        let mut s = RateLimitSettings {
            redis_url: Some("http://x".into()),
            ..RateLimitSettings::default()
        };
        assert!(s.validate().unwrap_err().to_string().contains("redis_url"));
        s.redis_url = None;
        s.fapi_per_ip.window_secs = 0;
        assert!(
            s.validate()
                .unwrap_err()
                .to_string()
                .contains("fapi_per_ip.window_secs")
        );
    }

    #[test]
    fn a_zero_limit_is_unlimited_and_debug_hides_the_redis_url() {
        let s = RateLimitSettings {
            redis_url: Some("redis://:hunter2@127.0.0.1:6379".into()),
            fapi_per_client: QuotaSettings {
                limit: 0,
                window_secs: 60,
            },
            ..RateLimitSettings::default()
        };
        assert!(!format!("{s:?}").contains("hunter2"));
        let c = s.validate().unwrap();
        assert_eq!(c.policy.unwrap().fapi_per_client, None);
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
