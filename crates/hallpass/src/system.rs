//! The production clock and randomness.

use std::sync::Arc;

use hallpass_adapter_jwt::{JoseKeys, Sealer};
use hallpass_app::Deps;
use hallpass_domain::UnixMillis;
use hallpass_ports::{Clock, IdGenerator};
use rand::{Rng as _, RngCore as _};
use secrecy::{ExposeSecret as _, SecretBox};

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place that reads the clock
    fn now(&self) -> UnixMillis {
        UnixMillis::new(chrono::Utc::now().timestamp_millis())
    }
}

/// Random values from the thread-local CSPRNG (ChaCha, seeded and
/// periodically reseeded from the operating system).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl IdGenerator for OsRandom {
    fn random_u128(&self) -> u128 {
        rand::rng().random()
    }

    fn fill(&self, buf: &mut [u8]) {
        rand::rng().fill_bytes(buf);
    }
}

/// The production ports around a store: RS256 keys (sealed at rest under
/// `encryption_key` when one is configured), the system clock, OS randomness.
pub fn deps<S>(
    store: S,
    encryption_key: Option<&SecretBox<[u8; 32]>>,
    passwords: hallpass_adapter_password::Hasher,
) -> Deps<S, JoseKeys> {
    let keys = match encryption_key {
        Some(key) => JoseKeys::sealed(Sealer::new(*key.expose_secret())),
        None => JoseKeys::plain(),
    };
    Deps {
        store,
        keys,
        clock: Arc::new(SystemClock),
        ids: Arc::new(OsRandom),
        passwords: Arc::new(passwords),
    }
}
