//! Instance settings that shape the session life cycle.

use std::time::Duration;

/// Why a set of settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("at least one of the maximum lifetime and the inactivity timeout must be enabled")]
    NoLifetimeLimit,
    #[error("`{name}` must be at least {min:?} (got {got:?})")]
    TooShort {
        name: &'static str,
        min: Duration,
        got: Duration,
    },
    #[error("`{name}` must be at most {max:?} (got {got:?})")]
    TooLong {
        name: &'static str,
        max: Duration,
        got: Duration,
    },
    #[error(
        "`abandon_after` ({abandon_after:?}) must not be shorter than `max_lifetime` ({max_lifetime:?})"
    )]
    AbandonBeforeExpiry {
        abandon_after: Duration,
        max_lifetime: Duration,
    },
}

/// How long a session may live.
///
/// - `max_lifetime`: absolute; a session expires this long after it was
///   created, whatever its activity (Clerk's "maximum lifetime", default 7 days).
/// - `inactivity_timeout`: sliding; a session expires this long after its
///   last recorded activity (off by default).
/// - `abandon_after`: a fixed cut-off after creation (default 30 days, never
///   shorter than `max_lifetime`) past which a session nobody came back for is
///   `abandoned`; `abandon_at` never precedes `expire_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetime {
    max_lifetime: Option<Duration>,
    inactivity_timeout: Option<Duration>,
    abandon_after: Duration,
}

const MIN_LIFETIME: Duration = Duration::from_secs(60);
const TEN_YEARS: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

impl SessionLifetime {
    /// Validates a lifetime policy.
    pub fn new(
        max_lifetime: Option<Duration>,
        inactivity_timeout: Option<Duration>,
        abandon_after: Duration,
    ) -> Result<Self, SettingsError> {
        if max_lifetime.is_none() && inactivity_timeout.is_none() {
            return Err(SettingsError::NoLifetimeLimit);
        }
        for (name, value) in [
            ("max_lifetime", max_lifetime),
            ("inactivity_timeout", inactivity_timeout),
            ("abandon_after", Some(abandon_after)),
        ] {
            if let Some(got) = value {
                check_range(name, got, MIN_LIFETIME, TEN_YEARS)?;
            }
        }
        if let Some(max) = max_lifetime
            && abandon_after < max
        {
            return Err(SettingsError::AbandonBeforeExpiry {
                abandon_after,
                max_lifetime: max,
            });
        }
        Ok(Self {
            max_lifetime,
            inactivity_timeout,
            abandon_after,
        })
    }

    pub fn max_lifetime(&self) -> Option<Duration> {
        self.max_lifetime
    }

    pub fn inactivity_timeout(&self) -> Option<Duration> {
        self.inactivity_timeout
    }

    pub fn abandon_after(&self) -> Duration {
        self.abandon_after
    }
}

impl Default for SessionLifetime {
    fn default() -> Self {
        Self {
            max_lifetime: Some(Duration::from_secs(7 * 24 * 3600)),
            inactivity_timeout: None,
            abandon_after: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

fn check_range(
    name: &'static str,
    got: Duration,
    min: Duration,
    max: Duration,
) -> Result<(), SettingsError> {
    if got < min {
        return Err(SettingsError::TooShort { name, min, got });
    }
    if got > max {
        return Err(SettingsError::TooLong { name, max, got });
    }
    Ok(())
}

/// The settings of one instance that the domain rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceSettings {
    lifetime: SessionLifetime,
    activity_write_interval: Duration,
    token_lifetime: Duration,
    multi_session: bool,
}

impl InstanceSettings {
    /// Validates the settings.
    ///
    /// - `activity_write_interval`: at most one stored `last_active_at` update
    ///   per session per interval (0 s to 1 h; default 60 s);
    /// - `token_lifetime`: the life of a session token (30 s to 1 h; default 60 s);
    /// - `multi_session`: whether a client may hold several live sessions.
    pub fn new(
        lifetime: SessionLifetime,
        activity_write_interval: Duration,
        token_lifetime: Duration,
        multi_session: bool,
    ) -> Result<Self, SettingsError> {
        check_range(
            "activity_write_interval",
            activity_write_interval,
            Duration::ZERO,
            Duration::from_secs(3600),
        )?;
        check_range(
            "token_lifetime",
            token_lifetime,
            Duration::from_secs(30),
            Duration::from_secs(3600),
        )?;
        Ok(Self {
            lifetime,
            activity_write_interval,
            token_lifetime,
            multi_session,
        })
    }

    pub fn lifetime(&self) -> &SessionLifetime {
        &self.lifetime
    }

    pub fn activity_write_interval(&self) -> Duration {
        self.activity_write_interval
    }

    pub fn token_lifetime(&self) -> Duration {
        self.token_lifetime
    }

    pub fn multi_session(&self) -> bool {
        self.multi_session
    }
}

impl Default for InstanceSettings {
    fn default() -> Self {
        Self {
            lifetime: SessionLifetime::default(),
            activity_write_interval: Duration::from_secs(60),
            token_lifetime: Duration::from_secs(60),
            multi_session: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    #[test]
    fn a_policy_needs_at_least_one_limit() {
        assert_eq!(
            SessionLifetime::new(None, None, DAY),
            Err(SettingsError::NoLifetimeLimit)
        );
        assert!(SessionLifetime::new(None, Some(DAY), DAY).is_ok());
    }

    #[test]
    fn abandonment_cannot_come_before_expiry() {
        assert!(matches!(
            SessionLifetime::new(Some(7 * DAY), None, DAY),
            Err(SettingsError::AbandonBeforeExpiry { .. })
        ));
    }

    #[test]
    fn out_of_range_values_name_the_setting() {
        let err = SessionLifetime::new(Some(Duration::from_secs(1)), None, DAY).unwrap_err();
        assert!(err.to_string().contains("max_lifetime"), "{err}");
        let err = InstanceSettings::new(
            SessionLifetime::default(),
            Duration::from_secs(60),
            Duration::from_secs(5),
            false,
        )
        .unwrap_err();
        assert!(err.to_string().contains("token_lifetime"), "{err}");
    }

    #[test]
    fn session_lifetimes_range_from_one_minute_to_ten_years_inclusive() {
        let ten_years = Duration::from_secs(315_360_000);
        let second = Duration::from_secs(1);
        let minute = Duration::from_secs(60);
        assert!(SessionLifetime::new(Some(ten_years), None, ten_years).is_ok());
        assert!(SessionLifetime::new(Some(minute), Some(minute), minute).is_ok());
        assert!(matches!(
            SessionLifetime::new(None, Some(ten_years + second), ten_years),
            Err(SettingsError::TooLong {
                name: "inactivity_timeout",
                ..
            })
        ));
        assert!(matches!(
            SessionLifetime::new(Some(ten_years), None, ten_years + second),
            Err(SettingsError::TooLong {
                name: "abandon_after",
                ..
            })
        ));
        assert!(matches!(
            SessionLifetime::new(Some(minute - second), None, DAY),
            Err(SettingsError::TooShort {
                name: "max_lifetime",
                ..
            })
        ));
    }

    #[test]
    fn defaults_match_clerk() {
        let s = InstanceSettings::default();
        assert_eq!(s.lifetime().max_lifetime(), Some(7 * DAY));
        assert_eq!(s.lifetime().inactivity_timeout(), None);
        assert_eq!(s.token_lifetime(), Duration::from_secs(60));
        assert!(!s.multi_session());
    }
}
