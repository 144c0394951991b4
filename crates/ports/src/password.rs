//! Hashing and verifying passwords: slow on purpose, so run off the async
//! workers on a bounded pool by the adapter (`hallpass-adapter-password`).

use std::future::Future;
use std::pin::Pin;

use hallpass_domain::{Password, PasswordDigest};

/// A candidate password checked against a stored digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    /// Not the password.
    Mismatch,
    /// The password. `rehash`: the digest is not in the instance's current
    /// algorithm and parameters (an imported bcrypt digest, parameters
    /// raised since): hash the password again and keep the new digest.
    Match { rehash: bool },
}

/// Hashing or verifying failed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// A digest this instance will not verify: unparseable, or with a cost
    /// beyond its bounds (one request must not hold a core for seconds or
    /// take memory the node cannot spare).
    #[error("the password digest cannot be used: {0}")]
    Digest(String),
    /// Every hashing slot stayed busy for longer than the wait allowed
    /// (with [`crate::errors::Unavailable`] in its chain: 503), or a task
    /// failed.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// What [`PasswordHashing`]'s slow calls return (boxed, so that the port
/// is held as `Arc<dyn PasswordHashing>`).
pub type HashFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, HashError>> + Send + 'a>>;

/// Hashes new passwords with the instance's algorithm and parameters, and
/// verifies candidates (in constant time) against stored digests.
pub trait PasswordHashing: Send + Sync + std::fmt::Debug + 'static {
    fn hash(&self, password: Password) -> HashFuture<'_, PasswordDigest>;

    fn verify(&self, digest: PasswordDigest, candidate: Password) -> HashFuture<'_, PasswordCheck>;

    /// Whether an imported digest can be verified here (checked before it
    /// is stored, so that no user is given a password they cannot use).
    fn check_digest(&self, digest: &PasswordDigest) -> Result<(), HashError>;
}
