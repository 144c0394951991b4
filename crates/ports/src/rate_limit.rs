//! Rate limiting: a counter per key in fixed windows.
//!
//! A [`RateLimiter`] counts hits on a key (`fapi:ip:…`, `bapi:key:…`) in
//! the window of [`Quota::window`] that contains `now`, and answers whether
//! the hit is within [`Quota::limit`]. The window arithmetic is the
//! domain's ([`hallpass_domain::rate`]: [`Quota::window_index`],
//! [`Quota::decide`]), so every implementation (in memory per node, Redis
//! shared by nodes) decides alike; an implementation only has to count
//! atomically.

use std::future::Future;
use std::pin::Pin;

use hallpass_domain::UnixMillis;

pub use hallpass_domain::rate::{Quota, RateDecision};

/// The limiter could not count (e.g. Redis unreachable). Callers choose
/// what that means; Hallpass lets the request through and logs it.
#[derive(Debug, thiserror::Error)]
#[error("the rate limiter failed: {0}")]
pub struct RateLimitError(#[from] pub anyhow::Error);

/// The future a [`RateLimiter`] returns (boxed: limiters are used as trait
/// objects, chosen at start-up).
pub type RateFuture<'a> =
    Pin<Box<dyn Future<Output = Result<RateDecision, RateLimitError>> + Send + 'a>>;

/// Counts hits per key.
pub trait RateLimiter: Send + Sync + std::fmt::Debug + 'static {
    /// Counts one hit on `key` at `now` and decides it under `quota`.
    fn hit<'a>(&'a self, key: &'a str, quota: Quota, now: UnixMillis) -> RateFuture<'a>;
}
