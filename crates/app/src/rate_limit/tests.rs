#![allow(clippy::unwrap_used)]

use std::sync::Mutex;

use hallpass_domain::UnixMillis;
use hallpass_ports::{RateFuture, RateLimitError, rate_limit_conformance};

use super::*;

#[derive(Debug)]
struct ManualClock(Mutex<UnixMillis>);

impl ManualClock {
    fn at(ms: i64) -> Arc<Self> {
        Arc::new(Self(Mutex::new(UnixMillis::new(ms))))
    }
    fn advance(&self, d: Duration) {
        let mut t = self.0.lock().unwrap();
        *t = t.saturating_add(d);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> UnixMillis {
        *self.0.lock().unwrap()
    }
}

#[derive(Debug)]
struct Broken;

impl RateLimiter for Broken {
    fn hit<'a>(&'a self, _: &'a str, _: Quota, _: UnixMillis) -> RateFuture<'a> {
        Box::pin(async { Err(RateLimitError(anyhow::anyhow!("down"))) })
    }
}

#[tokio::test]
async fn the_memory_limiter_passes_the_conformance_suite() {
    rate_limit_conformance::rate_limiter_counts_per_key_and_window(&MemoryRateLimiter::new(), "t")
        .await;
}

#[tokio::test]
async fn each_scope_spends_its_own_budget_and_says_when_to_retry() {
    let clock = ManualClock::at(1_000_020_000); // the start of a minute
    let one = Quota {
        limit: 1,
        window: Duration::from_secs(60),
    };
    let limits = RateLimits::new(
        Arc::new(MemoryRateLimiter::new()),
        clock.clone(),
        RatePolicy {
            fapi_per_ip: Some(one),
            fapi_per_client: Some(one),
            bapi_per_secret_key: None,
        },
    );
    assert_eq!(
        limits.check(RateScope::FrontendIp, "10.0.0.1").await,
        Ok(())
    );
    // The same string in another scope is another budget.
    assert_eq!(
        limits.check(RateScope::FrontendClient, "10.0.0.1").await,
        Ok(())
    );
    clock.advance(Duration::from_secs(15));
    assert_eq!(
        limits.check(RateScope::FrontendIp, "10.0.0.1").await,
        Err(Limited {
            retry_after: Duration::from_secs(45)
        })
    );
    // No quota: unlimited.
    for _ in 0..100 {
        assert_eq!(
            limits.check(RateScope::BackendSecretKey, "sk").await,
            Ok(())
        );
    }
}

#[tokio::test]
async fn a_failing_limiter_lets_requests_through() {
    let limits = RateLimits::new(Arc::new(Broken), ManualClock::at(0), RatePolicy::DEFAULT);
    for _ in 0..5 {
        assert_eq!(
            limits.check(RateScope::FrontendIp, "10.0.0.1").await,
            Ok(())
        );
    }
}

#[test]
fn credentials_become_fingerprints_not_keys() {
    let f = fingerprint("sk_test_secret");
    assert_eq!(f.len(), 32);
    assert!(!f.contains("secret"));
    assert_ne!(f, fingerprint("sk_test_secreu"));
}

/// A browser with 20 tabs open for two hours, on one IP: every tab asks
/// for a token every 50 s (the SDK refreshes before the 60 s token
/// expires), and every 5 minutes some tab loads a page (client, touch,
/// token). The defaults never limit it.
#[tokio::test]
async fn polling_tabs_are_never_limited_by_the_defaults() {
    let clock = ManualClock::at(1_700_000_000_000);
    let limits = RateLimits::new(
        Arc::new(MemoryRateLimiter::new()),
        clock.clone(),
        RatePolicy::DEFAULT,
    );
    let step = Duration::from_secs(1);
    for second in 0..(2 * 3600u64) {
        let mut calls = 0;
        for tab in 0..20u64 {
            if (second + tab * 3) % 50 == 0 {
                calls += 1;
            }
        }
        if second % 300 == 0 {
            calls += 3;
        }
        for _ in 0..calls {
            assert_eq!(
                limits.check(RateScope::FrontendIp, "203.0.113.7").await,
                Ok(())
            );
            assert_eq!(
                limits
                    .check(RateScope::FrontendClient, "client-token")
                    .await,
                Ok(()),
                "limited at second {second}"
            );
        }
        clock.advance(step);
    }
}

#[test]
fn a_failing_limiter_is_logged_at_most_once_a_second() {
    assert!(failure_log_due(i64::MIN, 0), "the first failure");
    assert!(!failure_log_due(5_000, 5_999));
    assert!(failure_log_due(5_000, 6_000));
    assert!(failure_log_due(5_000, 60_000));
}

#[test]
fn the_limits_show_their_policy() {
    let policy = RatePolicy {
        fapi_per_ip: None,
        fapi_per_client: Some(Quota {
            limit: 3,
            window: Duration::from_secs(10),
        }),
        bapi_per_secret_key: None,
    };
    let limits = RateLimits::new(
        Arc::new(MemoryRateLimiter::new()),
        ManualClock::at(0),
        policy,
    );
    assert_eq!(limits.policy(), &policy);
    let debug = format!("{limits:?}");
    assert!(
        debug.starts_with("RateLimits") && debug.contains("limit: 3"),
        "{debug}"
    );
}

#[tokio::test]
async fn the_memory_limiter_keeps_at_most_its_counters_dropping_ended_windows_first() {
    let limiter = super::memory::MemoryRateLimiter::with_max_keys(2);
    let quota = Quota {
        limit: 10,
        window: Duration::from_secs(60),
    };
    let start = UnixMillis::new(1_000_020_000); // the start of a minute
    let end = quota.window_end(start);
    assert!(limiter.hit("a", quota, start).await.is_ok());
    assert!(limiter.hit("b", quota, start).await.is_ok());
    assert!(
        limiter.hit("c", quota, start).await.is_err(),
        "full: a third live key is not counted"
    );
    assert!(
        limiter.hit("a", quota, start).await.is_ok(),
        "known keys still count"
    );
    let before_end = UnixMillis::new(end.as_millis() - 1);
    assert!(
        limiter.hit("c", quota, before_end).await.is_err(),
        "the windows have not ended"
    );
    assert!(
        limiter.hit("c", quota, end).await.is_ok(),
        "at their end the old windows are dropped"
    );
}
