//! Sign-in tokens ("tickets"): the Backend API creates one for a user, and
//! a browser or app exchanges it once, before it expires, for a session.
//!
//! ```text
//!           accept (now < expires_at)
//! pending ─────────────────────────► accepted
//!    │
//!    │ revoke
//!    ▼
//! revoked ◄── revoke (idempotent)
//! ```
//!
//! Only a hash of the ticket is kept (lowercase hex SHA-256, computed by the
//! caller, which also draws the ticket's random bits).

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;
use std::time::Duration;

use crate::id::{SignInTokenId, UserId};
use crate::time::UnixMillis;

/// Where a sign-in token is in its life. Expiry is not a status: a pending
/// token past `expires_at` stays `pending` and cannot be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignInTokenStatus {
    Pending,
    Accepted,
    Revoked,
}

impl SignInTokenStatus {
    pub const ALL: [SignInTokenStatus; 3] = [Self::Pending, Self::Accepted, Self::Revoked];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Revoked => "revoked",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

impl fmt::Display for SignInTokenStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown sign-in token status name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sign-in token status")]
pub struct UnknownSignInTokenStatus;

impl FromStr for SignInTokenStatus {
    type Err = UnknownSignInTokenStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or(UnknownSignInTokenStatus)
    }
}

/// Why a sign-in token was not created or could not change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInTokenError {
    /// The requested lifetime is outside [`SignInToken::EXPIRES_IN_SECS`].
    #[error("{param} must be between 1 and 315360000")]
    OutOfRange { param: &'static str },
    /// The hash is not 64 lowercase hexadecimal characters.
    #[error("token_hash must be a lowercase hex SHA-256 digest")]
    InvalidHash,
    /// `accept` at or after `expires_at`.
    #[error("the sign-in token has expired")]
    Expired,
    /// `accept` or `revoke` of a token that was already accepted.
    #[error("the sign-in token has already been used")]
    AlreadyUsed,
    /// `accept` of a revoked token.
    #[error("the sign-in token has been revoked")]
    Revoked,
}

impl SignInTokenError {
    /// The request parameter the error is about: `expires_in_seconds` for
    /// a lifetime out of range, `ticket` for a token that cannot be used.
    pub fn param(&self) -> &'static str {
        match self {
            Self::OutOfRange { param } => param,
            Self::InvalidHash => "token_hash",
            Self::Expired | Self::AlreadyUsed | Self::Revoked => "ticket",
        }
    }
}

/// A single-use, expiring sign-in token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInToken {
    id: SignInTokenId,
    user_id: UserId,
    token_hash: String,
    status: SignInTokenStatus,
    expires_at: UnixMillis,
    created_at: UnixMillis,
    updated_at: UnixMillis,
}

/// All the stored fields of a sign-in token, for storage adapters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInTokenRecord {
    pub id: SignInTokenId,
    pub user_id: UserId,
    pub token_hash: String,
    pub status: SignInTokenStatus,
    pub expires_at: UnixMillis,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

impl SignInToken {
    /// The lifetime when none is asked for: 30 days.
    pub const DEFAULT_EXPIRES_IN_SECS: i64 = 2_592_000;
    /// The lifetimes the Backend API accepts (`expires_in_seconds`).
    pub const EXPIRES_IN_SECS: RangeInclusive<i64> = 1..=315_360_000;

    /// A new pending token for `user_id`, expiring `expires_in_secs`
    /// (default [`Self::DEFAULT_EXPIRES_IN_SECS`]) after `now`.
    pub fn create(
        id: SignInTokenId,
        user_id: UserId,
        token_hash: String,
        expires_in_secs: Option<i64>,
        now: UnixMillis,
    ) -> Result<Self, SignInTokenError> {
        let secs = expires_in_secs.unwrap_or(Self::DEFAULT_EXPIRES_IN_SECS);
        if !Self::EXPIRES_IN_SECS.contains(&secs) {
            return Err(SignInTokenError::OutOfRange {
                param: "expires_in_seconds",
            });
        }
        if !is_sha256_hex(&token_hash) {
            return Err(SignInTokenError::InvalidHash);
        }
        Ok(Self {
            id,
            user_id,
            token_hash,
            status: SignInTokenStatus::Pending,
            expires_at: now.saturating_add(Duration::from_secs(secs.unsigned_abs())),
            created_at: now,
            updated_at: now,
        })
    }

    /// Rebuilds a token from storage.
    pub fn from_record(r: SignInTokenRecord) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            token_hash: r.token_hash,
            status: r.status,
            expires_at: r.expires_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }

    /// The stored fields.
    pub fn to_record(&self) -> SignInTokenRecord {
        SignInTokenRecord {
            id: self.id.clone(),
            user_id: self.user_id.clone(),
            token_hash: self.token_hash.clone(),
            status: self.status,
            expires_at: self.expires_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    pub fn id(&self) -> &SignInTokenId {
        &self.id
    }
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }
    /// Lowercase hex SHA-256 of the ticket.
    pub fn token_hash(&self) -> &str {
        &self.token_hash
    }
    pub fn status(&self) -> SignInTokenStatus {
        self.status
    }
    pub fn expires_at(&self) -> UnixMillis {
        self.expires_at
    }
    pub fn created_at(&self) -> UnixMillis {
        self.created_at
    }
    pub fn updated_at(&self) -> UnixMillis {
        self.updated_at
    }

    /// Whether the token can be accepted at `now`: pending and not expired.
    pub fn is_usable_at(&self, now: UnixMillis) -> bool {
        self.status == SignInTokenStatus::Pending && now < self.expires_at
    }

    /// Uses the token: pending and not expired becomes accepted. Anything
    /// else is refused and leaves the token unchanged.
    pub fn accept(&mut self, now: UnixMillis) -> Result<(), SignInTokenError> {
        match self.status {
            SignInTokenStatus::Accepted => Err(SignInTokenError::AlreadyUsed),
            SignInTokenStatus::Revoked => Err(SignInTokenError::Revoked),
            SignInTokenStatus::Pending if now >= self.expires_at => Err(SignInTokenError::Expired),
            SignInTokenStatus::Pending => {
                self.status = SignInTokenStatus::Accepted;
                self.touch(now);
                Ok(())
            }
        }
    }

    /// Revokes the token: pending (expired or not) becomes revoked; revoking
    /// a revoked token changes nothing; an accepted token cannot be revoked.
    pub fn revoke(&mut self, now: UnixMillis) -> Result<(), SignInTokenError> {
        match self.status {
            SignInTokenStatus::Pending => {
                self.status = SignInTokenStatus::Revoked;
                self.touch(now);
                Ok(())
            }
            SignInTokenStatus::Revoked => Ok(()),
            SignInTokenStatus::Accepted => Err(SignInTokenError::AlreadyUsed),
        }
    }

    /// Every change moves `updated_at` strictly forward (by at least 1 ms).
    fn touch(&mut self, now: UnixMillis) {
        self.updated_at = now.max(UnixMillis::new(
            self.updated_at.as_millis().saturating_add(1),
        ));
    }
}

fn is_sha256_hex(v: &str) -> bool {
    v.len() == 64 && v.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests;
