//! Users' passwords through the Backend API: set with a user (created or
//! updated), imported as a digest from another system, verified
//! (`POST /v1/users/{id}/verify_password`). A password is checked against
//! the instance's policy and hashed *before* the user is read for the
//! compare-and-set, so a retry never hashes twice; an imported digest is
//! checked for what this instance will verify. A digest that verifies but
//! is not at the instance's current parameters (bcrypt, argon2i, older
//! Argon2id parameters) is replaced by a fresh Argon2id digest of the same
//! password, only if the stored digest is still the one verified.

use hallpass_domain::{Password, PasswordDigest, PasswordRejected, UserId};
use hallpass_ports::{HashError, KeyRingFactory, PasswordCheck, Store};

use crate::Hallpass;
use crate::users::{Sessions, UserUseError};

/// A password given through the Backend API.
#[derive(Debug, Clone)]
pub enum NewPassword {
    /// In clear (`password`): checked against the instance's policy unless
    /// `skip_checks` (`skip_password_checks`), then hashed.
    Plain {
        password: Password,
        skip_checks: bool,
    },
    /// A digest from another system (`password_digest` with
    /// `password_hasher`), already in its algorithm's standard encoding.
    Digest(PasswordDigest),
}

/// A password use case failed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordUseError {
    /// The password breaks the instance's policy. Nothing was written.
    #[error(transparent)]
    Rejected(#[from] PasswordRejected),
    /// An imported digest this instance will not verify.
    #[error("the password digest cannot be used: {0}")]
    Digest(String),
    /// `verify_password` on a user without a password.
    #[error("user {0} has no password")]
    NoPassword(UserId),
    /// `verify_password`: not the user's password.
    #[error("the password is incorrect")]
    Incorrect,
    #[error(transparent)]
    User(#[from] UserUseError),
}

impl From<HashError> for PasswordUseError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Digest(why) => Self::Digest(why),
            HashError::Unexpected(e) => Self::User(UserUseError::Unexpected(e)),
        }
    }
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// The digest to keep for a new password: the policy checked (unless
    /// skipped) and the password hashed, or the imported digest checked.
    #[tracing::instrument(skip_all)]
    pub async fn password_digest(
        &self,
        password: NewPassword,
    ) -> Result<PasswordDigest, PasswordUseError> {
        match password {
            NewPassword::Plain {
                password,
                skip_checks,
            } => {
                if !skip_checks {
                    self.config.identity.password.check(&password)?;
                }
                Ok(self.passwords.hash(password).await?)
            }
            NewPassword::Digest(digest) => {
                self.passwords.check_digest(&digest)?;
                Ok(digest)
            }
        }
    }

    /// `POST /v1/users/{id}/verify_password`: whether `candidate` is the
    /// user's password. A match on a digest off the instance's parameters
    /// moves it to Argon2id (best effort: a failure is logged, the answer
    /// stands).
    #[tracing::instrument(skip_all, fields(user_id = %id))]
    pub async fn verify_user_password(
        &self,
        id: &UserId,
        candidate: Password,
    ) -> Result<(), PasswordUseError> {
        let user = self.user(id).await?;
        let Some(credential) = user.password() else {
            return Err(PasswordUseError::NoPassword(id.clone()));
        };
        let verified = credential.digest.clone();
        match self
            .passwords
            .verify(verified.clone(), candidate.clone())
            .await?
        {
            PasswordCheck::Mismatch => Err(PasswordUseError::Incorrect),
            PasswordCheck::Match { rehash: false } => Ok(()),
            PasswordCheck::Match { rehash: true } => {
                if let Err(e) = self.rehash_password(id, &verified, candidate).await {
                    tracing::warn!(error = %e, "could not rehash a verified password");
                }
                Ok(())
            }
        }
    }

    /// Replaces `verified` (just verified against `password`) with a fresh
    /// digest, unless the user's password changed meanwhile.
    async fn rehash_password(
        &self,
        id: &UserId,
        verified: &PasswordDigest,
        password: Password,
    ) -> Result<(), PasswordUseError> {
        let fresh = self.passwords.hash(password).await?;
        self.change_user(id, Sessions::Keep, |user, now| {
            user.rehash_password(verified, fresh.clone(), now);
            Ok(())
        })
        .await?;
        tracing::info!("password moved to the instance's parameters");
        Ok(())
    }
}
