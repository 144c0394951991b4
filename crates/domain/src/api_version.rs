//! Which Clerk API version a request is served as.
//!
//! Clerk's SDKs send the version they were built for (`Clerk-API-Version`
//! or `__clerk_api_version`), and each release of clerk-js sends a newer
//! one. One policy decides, for both APIs:
//!
//! - a known version is served as itself;
//! - a well-formed date (`YYYY-MM-DD`, a real calendar day) that is not a
//!   known version is served as the newest known version not after it:
//!   an SDK newer than this server gets the newest it knows
//!   ([`Resolved::newer`] says so, for the operator's log), one between two
//!   releases the one in effect on that day;
//! - anything else, and a date before the oldest known version, is
//!   refused ([`ApiVersionError`]).

use crate::token::ApiVersion;

/// How a requested version is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    pub version: ApiVersion,
    /// The request named a date after the newest known version.
    pub newer: bool,
}

/// Why a requested version cannot be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApiVersionError {
    #[error("not a date of the form YYYY-MM-DD")]
    Malformed,
    #[error("older than the oldest known version")]
    TooOld,
}

impl ApiVersion {
    /// The version a request naming `value` is served as.
    pub fn resolve(value: &str) -> Result<Resolved, ApiVersionError> {
        if !is_calendar_date(value) {
            return Err(ApiVersionError::Malformed);
        }
        // ISO dates order as text.
        let in_effect = Self::KNOWN.iter().rev().find(|known| **known <= value);
        match in_effect {
            None => Err(ApiVersionError::TooOld),
            Some(known) => Ok(Resolved {
                version: ApiVersion::parse(known).unwrap_or(Self::LATEST),
                newer: value > Self::LATEST.as_str(),
            }),
        }
    }
}

/// `YYYY-MM-DD`, ASCII digits, a month 01–12 and a day that month has.
fn is_calendar_date(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served(value: &str) -> Result<(&'static str, bool), ApiVersionError> {
        ApiVersion::resolve(value).map(|r| (r.version.as_str(), r.newer))
    }

    #[test]
    fn a_known_version_is_served_as_itself() {
        for known in ApiVersion::KNOWN {
            assert_eq!(served(known), Ok((known, false)), "{known}");
        }
    }

    #[test]
    fn a_newer_date_is_served_as_the_newest_known_and_says_so() {
        assert_eq!(served("2026-05-13"), Ok(("2026-05-12", true)));
        assert_eq!(served("2026-08-20"), Ok(("2026-05-12", true)));
        assert_eq!(served("9999-12-31"), Ok(("2026-05-12", true)));
    }

    #[test]
    fn a_date_between_releases_is_served_as_the_one_in_effect() {
        assert_eq!(served("2025-04-09"), Ok(("2025-03-12", false)));
        assert_eq!(served("2025-04-11"), Ok(("2025-04-10", false)));
        assert_eq!(served("2021-02-06"), Ok(("2021-02-05", false)));
        assert_eq!(served("2026-05-11"), Ok(("2025-11-10", false)));
    }

    #[test]
    fn a_date_before_the_oldest_known_is_refused() {
        assert_eq!(served("2021-02-04"), Err(ApiVersionError::TooOld));
        assert_eq!(served("0001-01-01"), Err(ApiVersionError::TooOld));
    }

    #[test]
    fn anything_but_a_calendar_date_is_malformed() {
        for bad in [
            "",
            "latest",
            "2026-05-12 ",
            " 2026-05-12",
            "2026-5-12",
            "2026/05/12",
            "2026/05-12",
            "2026-05/12",
            "20260512xx",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-02-29",
            "2026-01-00",
            "2026-01-32",
            "+026-01-01",
            "２０２６-01-01",
        ] {
            assert_eq!(served(bad), Err(ApiVersionError::Malformed), "{bad:?}");
        }
        assert_eq!(served("2028-02-29"), Ok(("2026-05-12", true)), "a leap day");
        assert_eq!(
            served("2100-02-29"),
            Err(ApiVersionError::Malformed),
            "not a leap year"
        );
        assert_eq!(
            served("2000-02-29"),
            Err(ApiVersionError::TooOld),
            "a leap day, too old"
        );
        assert_eq!(served("2025-06-30"), Ok(("2025-04-10", false)));
        assert_eq!(served("2025-12-31"), Ok(("2025-11-10", false)));
    }
}
