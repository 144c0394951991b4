//! Refresh tokens: the opaque `__refresh_<suffix>` cookie value that lets an
//! app's backend renew an expired session token without a redirect.
//!
//! A refresh token rotates on every use into exactly one successor. Reusing
//! the immediate predecessor within a short grace window yields the same
//! successor (concurrent tabs, retries); reusing a rotated token after the
//! window, or a revoked one, is treated as theft: the session is revoked.

use std::time::Duration;

use crate::time::UnixMillis;

/// How long a rotated token may still be presented (and yields the same
/// successor).
pub const GRACE: Duration = Duration::from_secs(10);

/// How long a refresh token lives.
pub const LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// Where a refresh token is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshStatus {
    Active,
    Rotated,
    Revoked,
}

impl RefreshStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Rotated => "rotated",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "active" => Some(Self::Active),
            "rotated" => Some(Self::Rotated),
            "revoked" => Some(Self::Revoked),
            _ => None,
        }
    }
}

/// What to do with a presented refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshDecision {
    /// Active: rotate it into its successor.
    Rotate,
    /// Rotated moments ago: answer with the same successor.
    ReuseSuccessor,
    /// Rotated long ago, or revoked: someone replays a stolen token.
    Theft,
    /// Past its lifetime: refuse, nothing else.
    Expired,
}

/// Decides what a presented token means at `now`.
pub fn decide(
    status: RefreshStatus,
    rotated_at: Option<UnixMillis>,
    expires_at: UnixMillis,
    now: UnixMillis,
) -> RefreshDecision {
    match status {
        RefreshStatus::Revoked => RefreshDecision::Theft,
        RefreshStatus::Rotated => match rotated_at {
            Some(at) if now.since(at) <= GRACE && now >= at => RefreshDecision::ReuseSuccessor,
            _ => RefreshDecision::Theft,
        },
        RefreshStatus::Active if now >= expires_at => RefreshDecision::Expired,
        RefreshStatus::Active => RefreshDecision::Rotate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: UnixMillis = UnixMillis::new(1_700_000_000_000);

    fn at(ms: i64) -> UnixMillis {
        UnixMillis::new(T0.as_millis() + ms)
    }

    #[test]
    fn a_refresh_token_lives_thirty_days_and_its_rotation_has_ten_seconds_of_grace() {
        assert_eq!(LIFETIME, Duration::from_secs(30 * 86_400));
        assert_eq!(GRACE, Duration::from_secs(10));
    }

    #[test]
    fn decisions_follow_status_time_and_grace() {
        let exp = at(1_000_000);
        assert_eq!(
            decide(RefreshStatus::Active, None, exp, at(0)),
            RefreshDecision::Rotate
        );
        assert_eq!(
            decide(RefreshStatus::Active, None, exp, exp),
            RefreshDecision::Expired
        );
        assert_eq!(
            decide(RefreshStatus::Rotated, Some(at(0)), exp, at(10_000)),
            RefreshDecision::ReuseSuccessor
        );
        assert_eq!(
            decide(RefreshStatus::Rotated, Some(at(0)), exp, at(10_001)),
            RefreshDecision::Theft
        );
        assert_eq!(
            decide(RefreshStatus::Rotated, None, exp, at(1)),
            RefreshDecision::Theft
        );
        assert_eq!(
            decide(RefreshStatus::Revoked, None, exp, at(1)),
            RefreshDecision::Theft
        );
        for s in [
            RefreshStatus::Active,
            RefreshStatus::Rotated,
            RefreshStatus::Revoked,
        ] {
            assert_eq!(RefreshStatus::parse(s.as_str()), Some(s));
        }
    }
}
