//! # hallpass-adapter-password
//!
//! The [`PasswordHashing`] port: new passwords are hashed with Argon2id
//! (RustCrypto's `argon2`; OWASP's parameters by default: 19 MiB, two
//! passes, one lane), and candidates verified against Argon2id, Argon2i or
//! bcrypt digests (the last two imported from other systems, and rehashed
//! by the caller on the first successful sign-in). Comparisons are the
//! libraries' constant-time ones.
//!
//! Hashing is slow on purpose. Every hash and verification runs on tokio's
//! blocking pool, at most [`HashingSettings::concurrency`] at a time; a
//! caller waits for a slot asynchronously, for at most
//! [`HashingSettings::wait`], then gets an `Unavailable` error (503) rather
//! than queueing without end. So a burst of sign-ins takes a bounded share
//! of the CPU, and never a thread from the async workers that mint tokens.
//!
//! An imported digest is verified only within bounds (bcrypt cost at most
//! [`MAX_BCRYPT_COST`]; Argon2 memory, passes and lanes at most
//! [`MAX_ARGON2_MEMORY_KIB`], [`MAX_ARGON2_ITERATIONS`] and
//! [`MAX_ARGON2_PARALLELISM`]): one stored digest must not let a request
//! hold a core for seconds or take a gigabyte.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use hallpass_domain::{Password, PasswordDigest, PasswordHasher};
use hallpass_ports::errors::Unavailable;
use hallpass_ports::{HashError, HashFuture, PasswordCheck, PasswordHashing};
use tokio::sync::Semaphore;

/// The highest bcrypt cost verified (2^14 rounds: about a second on a slow
/// core; digests in the wild use 10 to 12).
pub const MAX_BCRYPT_COST: u32 = 14;
/// The most memory an Argon2 digest may ask for, in KiB (256 MiB).
pub const MAX_ARGON2_MEMORY_KIB: u32 = 256 * 1024;
/// The most passes an Argon2 digest may ask for.
pub const MAX_ARGON2_ITERATIONS: u32 = 16;
/// The most lanes an Argon2 digest may ask for.
pub const MAX_ARGON2_PARALLELISM: u32 = 16;

/// Why hashing settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("argon2 parameters: {0}")]
    Argon2(String),
    #[error("`{name}` must be from {min} to {max} (got {got})")]
    OutOfRange {
        name: &'static str,
        min: u32,
        max: u32,
        got: u32,
    },
}

/// How new passwords are hashed, and how many hashes run at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingSettings {
    /// Argon2id memory in KiB (OWASP: 19,456).
    pub memory_kib: u32,
    /// Argon2id passes (OWASP: 2).
    pub iterations: u32,
    /// Argon2id lanes (OWASP: 1).
    pub parallelism: u32,
    /// Hashes and verifications running at once (default: the cores).
    pub concurrency: u32,
    /// How long a caller waits for a free slot before `Unavailable`.
    pub wait: Duration,
}

impl Default for HashingSettings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
            concurrency: u32::try_from(cores).unwrap_or(1),
            wait: Duration::from_secs(5),
        }
    }
}

/// The Argon2id / bcrypt implementation of [`PasswordHashing`].
#[derive(Debug, Clone)]
pub struct Hasher {
    params: Params,
    slots: Arc<Semaphore>,
    wait: Duration,
}

fn in_range(name: &'static str, got: u32, min: u32, max: u32) -> Result<(), SettingsError> {
    if (min..=max).contains(&got) {
        Ok(())
    } else {
        Err(SettingsError::OutOfRange {
            name,
            min,
            max,
            got,
        })
    }
}

impl Hasher {
    /// A hasher with these settings: the Argon2id parameters within the
    /// bounds an imported digest is held to (memory at least 8 KiB per
    /// lane, as Argon2 requires), 1 to 256 slots.
    pub fn new(settings: HashingSettings) -> Result<Self, SettingsError> {
        in_range("iterations", settings.iterations, 1, MAX_ARGON2_ITERATIONS)?;
        in_range(
            "parallelism",
            settings.parallelism,
            1,
            MAX_ARGON2_PARALLELISM,
        )?;
        in_range(
            "memory_kib",
            settings.memory_kib,
            8 * settings.parallelism,
            MAX_ARGON2_MEMORY_KIB,
        )?;
        in_range("concurrency", settings.concurrency, 1, 256)?;
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(|e| SettingsError::Argon2(e.to_string()))?;
        Ok(Self {
            params,
            slots: Arc::new(Semaphore::new(settings.concurrency as usize)),
            wait: settings.wait,
        })
    }

    fn argon2id(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Runs `f` on the blocking pool once a slot is free.
    async fn run<T, F>(&self, f: F) -> Result<T, HashError>
    where
        F: FnOnce() -> Result<T, HashError> + Send + 'static,
        T: Send + 'static,
    {
        let slot = match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(slot)) => slot,
            Ok(Err(closed)) => return Err(HashError::Unexpected(anyhow::Error::new(closed))),
            Err(_) => {
                return Err(HashError::Unexpected(
                    anyhow::anyhow!("no password hashing slot free within {:?}", self.wait)
                        .context(Unavailable),
                ));
            }
        };
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            f()
        })
        .await
        .context("password hashing task failed")?
    }
}

/// An Argon2 digest parsed, with its costs checked against the bounds.
fn parsed_argon2(encoded: &str) -> Result<PasswordHash<'_>, HashError> {
    let parsed = PasswordHash::new(encoded).map_err(|e| HashError::Digest(e.to_string()))?;
    let params = Params::try_from(&parsed).map_err(|e| HashError::Digest(e.to_string()))?;
    let bounded = params.m_cost() <= MAX_ARGON2_MEMORY_KIB
        && params.t_cost() <= MAX_ARGON2_ITERATIONS
        && params.p_cost() <= MAX_ARGON2_PARALLELISM;
    if !bounded {
        return Err(HashError::Digest(format!(
            "argon2 costs beyond this instance's bounds (m={}, t={}, p={})",
            params.m_cost(),
            params.t_cost(),
            params.p_cost()
        )));
    }
    Ok(parsed)
}

/// A bcrypt digest's cost, checked against [`MAX_BCRYPT_COST`].
fn bcrypt_cost(encoded: &str) -> Result<u32, HashError> {
    let cost: u32 = encoded
        .get(4..6)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| HashError::Digest("a bcrypt digest without a cost".to_owned()))?;
    if cost > MAX_BCRYPT_COST {
        return Err(HashError::Digest(format!(
            "bcrypt cost {cost} is beyond this instance's bound ({MAX_BCRYPT_COST})"
        )));
    }
    Ok(cost)
}

impl Hasher {
    fn check(&self, digest: &PasswordDigest) -> Result<(), HashError> {
        match digest.hasher() {
            PasswordHasher::Argon2id | PasswordHasher::Argon2i => {
                parsed_argon2(digest.as_str()).map(|_| ())
            }
            PasswordHasher::Bcrypt => bcrypt_cost(digest.as_str()).map(|_| ()),
        }
    }

    /// Verifies on the calling thread (the blocking pool).
    fn verify_now(
        &self,
        digest: &PasswordDigest,
        candidate: &Password,
    ) -> Result<PasswordCheck, HashError> {
        let password = candidate.expose().as_bytes();
        match digest.hasher() {
            PasswordHasher::Argon2id | PasswordHasher::Argon2i => {
                let parsed = parsed_argon2(digest.as_str())?;
                // The digest's own algorithm and parameters are used.
                match Argon2::default().verify_password(password, &parsed) {
                    Ok(()) => {
                        let current = digest.hasher() == PasswordHasher::Argon2id
                            && parsed.version == Some(Version::V0x13.into())
                            && Params::try_from(&parsed).is_ok_and(|p| {
                                (p.m_cost(), p.t_cost(), p.p_cost())
                                    == (
                                        self.params.m_cost(),
                                        self.params.t_cost(),
                                        self.params.p_cost(),
                                    )
                            });
                        Ok(PasswordCheck::Match { rehash: !current })
                    }
                    Err(argon2::password_hash::Error::Password) => Ok(PasswordCheck::Mismatch),
                    Err(e) => Err(HashError::Digest(e.to_string())),
                }
            }
            PasswordHasher::Bcrypt => {
                bcrypt_cost(digest.as_str())?;
                match bcrypt::verify(password, digest.as_str()) {
                    // Always moved to Argon2id once the password is known.
                    Ok(true) => Ok(PasswordCheck::Match { rehash: true }),
                    Ok(false) => Ok(PasswordCheck::Mismatch),
                    Err(e) => Err(HashError::Digest(e.to_string())),
                }
            }
        }
    }
}

impl PasswordHashing for Hasher {
    fn hash(&self, password: Password) -> HashFuture<'_, PasswordDigest> {
        Box::pin(self.hash_now(password))
    }

    fn verify(&self, digest: PasswordDigest, candidate: Password) -> HashFuture<'_, PasswordCheck> {
        let this = self.clone();
        Box::pin(async move { self.run(move || this.verify_now(&digest, &candidate)).await })
    }

    fn check_digest(&self, digest: &PasswordDigest) -> Result<(), HashError> {
        self.check(digest)
    }
}

impl Hasher {
    async fn hash_now(&self, password: Password) -> Result<PasswordDigest, HashError> {
        let argon2 = self.argon2id();
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            let encoded = argon2
                .hash_password(password.expose().as_bytes(), &salt)
                .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))?
                .to_string();
            PasswordDigest::from_stored(encoded)
                .ok_or_else(|| HashError::Unexpected(anyhow::anyhow!("argon2 wrote no PHC string")))
        })
        .await
    }
}

#[cfg(test)]
mod tests;
