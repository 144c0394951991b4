//! Backend API secret keys: `sk_test_…` / `sk_live_…`, 256 random bits,
//! stored only as a SHA-256 hash and compared in constant time.

use hallpass_domain::id::base62_u128;
use hallpass_domain::{Environment, UnixMillis};
use hallpass_ports::{IdGenerator, InsertError, KeyRingFactory, SecretKeyRecord, Store};
use secrecy::SecretString;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::{AuthError, Hallpass};

/// A secret key just created: the only moment its value is known.
#[derive(Debug)]
pub struct NewSecretKey {
    pub id: String,
    pub key: SecretString,
}

/// A Backend API request's caller: the secret key it authenticated with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendCaller {
    /// The key's id (`sk_id_…`), never the key: the subject of the key's
    /// rate budget and of logs.
    pub secret_key_id: String,
}

/// SHA-256 of a presented key, lowercase hex. Secret keys carry 256 random
/// bits, so a fast hash is enough: there is nothing to brute-force.
pub(crate) fn hash(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn generate(
    environment: Environment,
    ids: &dyn IdGenerator,
    now: UnixMillis,
) -> (NewSecretKey, SecretKeyRecord) {
    let body = format!(
        "{}{}",
        base62_u128(ids.random_u128()),
        base62_u128(ids.random_u128())
    );
    let key = format!("sk_{}_{body}", environment.key_kind());
    let id = format!("sk_id_{}", base62_u128(ids.random_u128()));
    let record = SecretKeyRecord {
        id: id.clone(),
        hash: hash(&key),
        hint: key[key.len() - 4..].to_owned(),
        created_at: now,
        revoked_at: None,
    };
    (
        NewSecretKey {
            id,
            key: SecretString::from(key),
        },
        record,
    )
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// Checks a Backend API secret key. Fails closed: anything but a known,
    /// unrevoked key of this instance's environment is `Invalid`.
    pub async fn authenticate_secret_key(
        &self,
        presented: &str,
    ) -> Result<BackendCaller, AuthError> {
        let prefix = format!("sk_{}_", self.environment().key_kind());
        if !presented.starts_with(&prefix) || presented.len() > 200 {
            return Err(AuthError::Invalid);
        }
        let presented_hash = hash(presented);
        let record = self
            .store
            .find_secret_key(&presented_hash)
            .await?
            .ok_or(AuthError::Invalid)?;
        let same: bool = record
            .hash
            .as_bytes()
            .ct_eq(presented_hash.as_bytes())
            .into();
        if !same || record.revoked_at.is_some_and(|r| r <= self.now()) {
            return Err(AuthError::Invalid);
        }
        Ok(BackendCaller {
            secret_key_id: record.id,
        })
    }

    /// Creates another secret key (for rotation) and returns it once.
    pub async fn create_secret_key(&self) -> Result<NewSecretKey, AuthError> {
        let (key, record) = generate(self.environment(), self.ids.as_ref(), self.now());
        self.store
            .insert_secret_key(&record)
            .await
            .map_err(|e| match e {
                InsertError::Conflict => anyhow::anyhow!("secret key id collision"),
                InsertError::Unexpected(e) => e,
            })?;
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use hallpass_domain::{Environment, UnixMillis};
    use hallpass_ports::IdGenerator;
    use secrecy::ExposeSecret as _;

    use super::{generate, hash};

    #[derive(Debug, Default)]
    struct Counting(AtomicU64);

    impl IdGenerator for Counting {
        fn random_u128(&self) -> u128 {
            u128::from(self.0.fetch_add(1, Ordering::SeqCst)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        }
        fn fill(&self, buf: &mut [u8]) {
            buf.fill(7);
        }
    }

    #[test]
    fn a_new_key_is_stored_as_its_hash_and_a_four_character_hint() {
        let (new, record) = generate(
            Environment::Production,
            &Counting::default(),
            UnixMillis::new(5),
        );
        let key = new.key.expose_secret();
        assert!(key.starts_with("sk_live_"), "{key}");
        assert_eq!(record.hash, hash(key));
        assert_eq!(record.hint.len(), 4);
        assert!(key.ends_with(&record.hint));
        assert_eq!(
            (record.id, record.created_at, record.revoked_at),
            (new.id, UnixMillis::new(5), None)
        );
    }
}
