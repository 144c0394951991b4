//! Against the Redis the tests use (`HALLPASS_TEST_REDIS_URL`, default
//! `redis://127.0.0.1:6379`), each run under its own key prefix.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use hallpass_adapter_redis::{RedisOptions, RedisRateLimiter};
use hallpass_domain::UnixMillis;
use hallpass_ports::{Quota, RateDecision, RateLimiter, rate_limit_conformance};

fn url() -> String {
    std::env::var("HALLPASS_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn unique_prefix(name: &str) -> String {
    let nanos = std::time::SystemTime::UNIX_EPOCH
        .elapsed()
        .unwrap()
        .as_nanos();
    format!("hallpass-test:{name}:{}:{nanos}:", std::process::id())
}

fn limiter(name: &str) -> RedisRateLimiter {
    RedisRateLimiter::new(
        &url(),
        RedisOptions {
            key_prefix: unique_prefix(name),
            ..RedisOptions::default()
        },
    )
    .unwrap()
}

#[tokio::test]
async fn the_redis_limiter_passes_the_conformance_suite() {
    rate_limit_conformance::rate_limiter_counts_per_key_and_window(&limiter("conf"), "k").await;
}

#[tokio::test]
async fn two_limiters_on_one_redis_share_the_budget() {
    let prefix = unique_prefix("shared");
    let options = RedisOptions {
        key_prefix: prefix,
        ..RedisOptions::default()
    };
    let a = RedisRateLimiter::new(&url(), options.clone()).unwrap();
    let b = RedisRateLimiter::new(&url(), options).unwrap();
    let quota = Quota {
        limit: 4,
        window: Duration::from_secs(60),
    };
    let now = UnixMillis::new(3_000_000_000);
    let mut allowed = 0;
    for i in 0..10 {
        let limiter = if i % 2 == 0 { &a } else { &b };
        if let RateDecision::Allowed { .. } = limiter.hit("ip", quota, now).await.unwrap() {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 4);
}

#[tokio::test]
async fn counters_expire_with_their_window() {
    let prefix = unique_prefix("ttl");
    let limiter = RedisRateLimiter::new(
        &url(),
        RedisOptions {
            key_prefix: prefix.clone(),
            ..RedisOptions::default()
        },
    )
    .unwrap();
    let quota = Quota {
        limit: 5,
        window: Duration::from_secs(10),
    };
    // 3 s into a 10 s window: the counter lives 7 s plus 1 s of slack.
    let now = UnixMillis::new(4_000_003_000);
    limiter.hit("k", quota, now).await.unwrap();
    let client = redis::Client::open(url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let key = format!("{prefix}k:{}", quota.window_index(now));
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((7_000..=8_000).contains(&ttl), "PTTL {ttl}");
}

#[tokio::test]
async fn an_unreachable_redis_is_an_error_not_a_hang() {
    // Port 1 on loopback: nothing listens there.
    let limiter = RedisRateLimiter::new("redis://127.0.0.1:1", RedisOptions::default()).unwrap();
    let quota = Quota {
        limit: 1,
        window: Duration::from_secs(60),
    };
    for _ in 0..3 {
        let r = tokio::time::timeout(
            Duration::from_secs(5),
            limiter.hit("k", quota, UnixMillis::new(0)),
        )
        .await
        .expect("the hit did not return within 5 s");
        assert!(r.is_err());
    }
}

#[test]
fn a_bad_url_is_refused_and_debug_shows_no_url() {
    assert!(RedisRateLimiter::new("http://nope", RedisOptions::default()).is_err());
    let l =
        RedisRateLimiter::new("redis://:hunter2@127.0.0.1:6379", RedisOptions::default()).unwrap();
    assert!(!format!("{l:?}").contains("hunter2"));
}
