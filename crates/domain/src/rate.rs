//! Rate limits as arithmetic: fixed windows aligned on their length, and
//! the decision for the n-th hit of a window. Every limiter (in memory per
//! node, Redis shared by nodes) decides with this, so they decide alike; a
//! limiter only has to count atomically (see `hallpass_ports::RateLimiter`).

use std::time::Duration;

use crate::UnixMillis;

/// At most `limit` hits per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub window: Duration,
}

/// What one hit was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    /// Within the budget; `remaining` more hits fit in this window.
    Allowed { remaining: u32 },
    /// Over the budget until the window ends, `retry_after` from now.
    Limited { retry_after: Duration },
}

impl Quota {
    /// The window length in milliseconds (at least 1).
    pub fn window_millis(self) -> i64 {
        i64::try_from(self.window.as_millis())
            .unwrap_or(i64::MAX)
            .max(1)
    }

    /// The number of the window that contains `now`.
    pub fn window_index(self, now: UnixMillis) -> i64 {
        now.as_millis().div_euclid(self.window_millis())
    }

    /// When the window that contains `now` ends.
    pub fn window_end(self, now: UnixMillis) -> UnixMillis {
        let w = self.window_millis();
        UnixMillis::new(self.window_index(now).saturating_add(1).saturating_mul(w))
    }

    /// The decision for the `count`-th hit (1-based) of the window that
    /// contains `now`.
    pub fn decide(self, count: u64, now: UnixMillis) -> RateDecision {
        if count <= u64::from(self.limit) {
            let left = u64::from(self.limit) - count;
            RateDecision::Allowed {
                remaining: u32::try_from(left).unwrap_or(u32::MAX),
            }
        } else {
            RateDecision::Limited {
                retry_after: self.window_end(now).since(now),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const MINUTE: Quota = Quota {
        limit: 3,
        window: Duration::from_secs(60),
    };

    #[test]
    fn hits_within_the_limit_are_allowed_and_count_down() {
        let now = UnixMillis::new(120_000);
        assert_eq!(
            MINUTE.decide(1, now),
            RateDecision::Allowed { remaining: 2 }
        );
        assert_eq!(
            MINUTE.decide(3, now),
            RateDecision::Allowed { remaining: 0 }
        );
    }

    #[test]
    fn a_hit_over_the_limit_waits_for_the_end_of_its_window() {
        let now = UnixMillis::new(125_500);
        assert_eq!(
            MINUTE.decide(4, now),
            RateDecision::Limited {
                retry_after: Duration::from_millis(54_500)
            }
        );
    }

    #[test]
    fn windows_are_aligned_on_their_length() {
        assert_eq!(MINUTE.window_index(UnixMillis::new(59_999)), 0);
        assert_eq!(MINUTE.window_index(UnixMillis::new(60_000)), 1);
        assert_eq!(
            MINUTE.window_end(UnixMillis::new(60_000)),
            UnixMillis::new(120_000)
        );
    }
}
