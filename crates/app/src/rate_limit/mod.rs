//! Rate limits: which budget a request spends, and what happens when the
//! limiter cannot count.
//!
//! Three budgets, each optional: per client IP and per client on the
//! Frontend API, per secret key on the Backend API. Credentials never
//! become keys as they are: a client token or secret key is hashed
//! (SHA-256, domain-separated) first, so the limiter's backend (Redis)
//! holds no credential. A limiter failure lets the request through
//! (fail open) and is logged, at most once a second: rate limiting is a
//! defence against abuse, and an outage of its backend must not become an
//! outage of sign-in.

mod memory;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use hallpass_ports::{Clock, Quota, RateDecision, RateLimiter};
use sha2::{Digest as _, Sha256};

pub use memory::MemoryRateLimiter;

/// The budgets; `None` means unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RatePolicy {
    pub fapi_per_ip: Option<Quota>,
    pub fapi_per_client: Option<Quota>,
    pub bapi_per_secret_key: Option<Quota>,
}

impl RatePolicy {
    /// The defaults, sized so that people are never limited: a browser tab
    /// asks for a session token about once a minute and a page load costs
    /// a handful of calls, so 300 calls a minute per client leaves room for
    /// dozens of tabs, and 1200 a minute per IP for an office behind one
    /// address. 1000 per 10 seconds per secret key is Clerk's production
    /// Backend API budget.
    pub const DEFAULT: Self = Self {
        fapi_per_ip: Some(Quota {
            limit: 1200,
            window: Duration::from_secs(60),
        }),
        fapi_per_client: Some(Quota {
            limit: 300,
            window: Duration::from_secs(60),
        }),
        bapi_per_secret_key: Some(Quota {
            limit: 1000,
            window: Duration::from_secs(10),
        }),
    };
}

/// Which budget a hit spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateScope {
    /// A Frontend API request from this client IP.
    FrontendIp,
    /// A Frontend API request with this client credential (client token or
    /// development browser).
    FrontendClient,
    /// A Backend API request with this secret key.
    BackendSecretKey,
}

/// A request over its budget: retry after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: Duration,
}

/// The rate limits of one node: a policy, a limiter (in memory or shared)
/// and the clock.
pub struct RateLimits {
    limiter: Arc<dyn RateLimiter>,
    clock: Arc<dyn Clock>,
    policy: RatePolicy,
    last_failure_log: AtomicI64,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits")
            .field("limiter", &self.limiter)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Whether a limiter failure at `now` is logged, the last one having been
/// logged at `last` (milliseconds): at most once a second.
fn failure_log_due(last: i64, now: i64) -> bool {
    now.saturating_sub(last) >= 1000
}

/// A credential as a limiter key: a truncated, domain-separated SHA-256.
fn fingerprint(secret: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"hallpass rate limit\0")
        .chain_update(secret.as_bytes())
        .finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

impl RateLimits {
    pub fn new(limiter: Arc<dyn RateLimiter>, clock: Arc<dyn Clock>, policy: RatePolicy) -> Self {
        Self {
            limiter,
            clock,
            policy,
            last_failure_log: AtomicI64::new(i64::MIN),
        }
    }

    pub fn policy(&self) -> &RatePolicy {
        &self.policy
    }

    /// Spends one hit of `subject`'s budget in `scope` (an IP address, a
    /// client credential, a secret key). `Err` when it is spent.
    pub async fn check(&self, scope: RateScope, subject: &str) -> Result<(), Limited> {
        let (quota, key) = match scope {
            RateScope::FrontendIp => (self.policy.fapi_per_ip, format!("fapi:ip:{subject}")),
            RateScope::FrontendClient => (
                self.policy.fapi_per_client,
                format!("fapi:client:{}", fingerprint(subject)),
            ),
            RateScope::BackendSecretKey => (
                self.policy.bapi_per_secret_key,
                format!("bapi:sk:{}", fingerprint(subject)),
            ),
        };
        let Some(quota) = quota else {
            return Ok(());
        };
        let now = self.clock.now();
        match self.limiter.hit(&key, quota, now).await {
            Ok(RateDecision::Allowed { .. }) => Ok(()),
            Ok(RateDecision::Limited { retry_after }) => Err(Limited { retry_after }),
            Err(e) => {
                let last = self.last_failure_log.load(Ordering::Relaxed);
                if failure_log_due(last, now.as_millis()) {
                    self.last_failure_log
                        .store(now.as_millis(), Ordering::Relaxed);
                    tracing::warn!(error = %e, "rate limiter unavailable: letting requests through");
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests;
