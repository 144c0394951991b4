//! Time as the wire sees it: Unix milliseconds.

use std::fmt;
use std::time::Duration;

/// A point in time, in milliseconds since the Unix epoch (UTC).
///
/// Clerk's objects carry their timestamps as integer milliseconds; JWT time
/// claims and `__client_uat` use seconds, see [`UnixMillis::as_secs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixMillis(i64);

impl UnixMillis {
    /// The epoch itself.
    pub const EPOCH: Self = Self(0);

    /// Wraps a millisecond count.
    pub const fn new(millis: i64) -> Self {
        Self(millis)
    }

    /// The millisecond count.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Whole seconds since the epoch, rounded down (what JWT claims carry).
    pub const fn as_secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// `self + d`, saturating at the representable bounds.
    pub fn saturating_add(self, d: Duration) -> Self {
        Self(self.0.saturating_add(duration_millis(d)))
    }

    /// `self - d`, saturating at the representable bounds.
    pub fn saturating_sub(self, d: Duration) -> Self {
        Self(self.0.saturating_sub(duration_millis(d)))
    }

    /// The `updated_at` of a change made at `self` to a value last changed
    /// at `previous`: `self`, or 1 ms after `previous` when `self` is not
    /// later. Strictly forward, so a store's compare-and-set on `updated_at`
    /// tells two changes made from the same read apart even within one
    /// millisecond (or when the clock steps back).
    pub fn next_update_after(self, previous: Self) -> Self {
        self.max(Self(previous.0.saturating_add(1)))
    }

    /// The time elapsed from `earlier` to `self`; zero when `earlier` is later.
    pub fn since(self, earlier: Self) -> Duration {
        let diff = self.0.saturating_sub(earlier.0);
        Duration::from_millis(u64::try_from(diff).unwrap_or(0))
    }
}

impl fmt::Display for UnixMillis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A duration in whole milliseconds, saturating at `i64::MAX`.
pub(crate) fn duration_millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_round_down_even_before_the_epoch() {
        assert_eq!(UnixMillis::new(1_999).as_secs(), 1);
        assert_eq!(UnixMillis::new(-1).as_secs(), -1);
    }

    #[test]
    fn a_time_displays_as_its_milliseconds_since_the_epoch() {
        assert_eq!(
            UnixMillis::new(1_700_000_000_123).to_string(),
            "1700000000123"
        );
        assert_eq!(UnixMillis::new(-5).to_string(), "-5");
    }

    #[test]
    fn arithmetic_saturates_instead_of_overflowing() {
        let max = UnixMillis::new(i64::MAX);
        assert_eq!(max.saturating_add(Duration::from_secs(1)), max);
        assert_eq!(
            UnixMillis::new(5).since(UnixMillis::new(10)),
            Duration::ZERO
        );
    }

    #[test]
    fn an_update_moves_strictly_forward() {
        let t = UnixMillis::new(1_000);
        // later: the change's own time
        assert_eq!(
            UnixMillis::new(1_005).next_update_after(t),
            UnixMillis::new(1_005)
        );
        assert_eq!(
            UnixMillis::new(1_001).next_update_after(t),
            UnixMillis::new(1_001)
        );
        // the same millisecond, or a clock that stepped back: 1 ms after
        assert_eq!(t.next_update_after(t), UnixMillis::new(1_001));
        assert_eq!(
            UnixMillis::new(900).next_update_after(t),
            UnixMillis::new(1_001)
        );
        let max = UnixMillis::new(i64::MAX);
        assert_eq!(max.next_update_after(max), max);
    }
}
