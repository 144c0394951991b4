//! What every [`RateLimiter`] must do, as one test each implementation runs
//! (the in-memory one in `hallpass-app`, the Redis one in
//! `hallpass-adapter-redis`). `prefix` keeps the keys of one run apart from
//! any other run sharing the same backend.

#![allow(clippy::panic)]

use std::time::Duration;

use hallpass_domain::UnixMillis;

use crate::{Quota, RateDecision, RateLimiter};

/// Counts per key and per window; over the limit, waits for the window's
/// end; a new window starts a new budget.
pub async fn rate_limiter_counts_per_key_and_window(limiter: &dyn RateLimiter, prefix: &str) {
    let quota = Quota {
        limit: 3,
        window: Duration::from_secs(10),
    };
    // 2_000_000 s into the epoch, 4 s into a window.
    let t0 = UnixMillis::new(2_000_004_000);
    let a = format!("{prefix}:a");
    let b = format!("{prefix}:b");
    let hit = |key: &str, at: UnixMillis| {
        let key = key.to_owned();
        async move {
            match limiter.hit(&key, quota, at).await {
                Ok(d) => d,
                Err(e) => panic!("the limiter failed: {e:#}"),
            }
        }
    };
    for remaining in [2, 1, 0] {
        assert_eq!(hit(&a, t0).await, RateDecision::Allowed { remaining });
    }
    assert_eq!(
        hit(&a, t0).await,
        RateDecision::Limited {
            retry_after: Duration::from_secs(6)
        }
    );
    // Another key has its own budget.
    assert_eq!(hit(&b, t0).await, RateDecision::Allowed { remaining: 2 });
    // The next window starts afresh.
    let t1 = t0.saturating_add(Duration::from_secs(6));
    assert_eq!(hit(&a, t1).await, RateDecision::Allowed { remaining: 2 });
}
