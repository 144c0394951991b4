//! Time and randomness, injected.

use hallpass_domain::UnixMillis;

/// The current time. The system clock adapter lives in the binary; tests use
/// a settable clock.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> UnixMillis;
}

/// Unguessable random values for ids, rotating tokens and secrets. The
/// production adapter draws from the operating system's CSPRNG.
pub trait IdGenerator: Send + Sync + 'static {
    /// 128 random bits (an id body, a rotating token).
    fn random_u128(&self) -> u128;
    /// Fills `buf` with random bytes (secret keys, refresh tokens).
    fn fill(&self, buf: &mut [u8]);
}
