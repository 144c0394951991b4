//! Signing-key rotation without downtime.
//!
//! A rotation stores the next key with `activates_at = now + rotation_delay`:
//! from that moment it is in the JWKS of every node that reloads its ring,
//! but nothing signs with it until it activates, so every verifier can know
//! it before it meets a token it signed. The replaced keys stay published for
//! `retain` after the new key activates (longer than any token they signed
//! lives), then leave the JWKS. Nodes reload their ring from the store
//! periodically and at each scheduled activation or retirement, so several
//! processes on one database agree on the active key without restarts.

use std::time::Duration;

use hallpass_domain::{InstanceId, UnixMillis};
use hallpass_ports::{KeyError, KeyRingFactory, RotateKeyError, SigningKeyRecord, Store};
use secrecy::ExposeSecret as _;

use crate::{Hallpass, StartError};

/// A rotation could not be scheduled.
#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    /// A rotation is already scheduled and its key has not activated yet.
    #[error("a key rotation is already pending: key {kid} activates later")]
    Pending { kid: String },
    #[error("the new key cannot be made")]
    Key(#[from] KeyError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// Schedules a rotation: the next key is published now and signs after
    /// the configured delay. Returns the new key's record.
    #[tracing::instrument(skip_all)]
    pub async fn rotate_signing_key(&self) -> Result<SigningKeyRecord, RotationError> {
        let now = self.now();
        let policy = self.config.keys;
        let kid = InstanceId::from_random(self.ids.random_u128()).to_string();
        let generated = self.keys.generate(&kid)?;
        let activates_at = now.saturating_add(policy.rotation_delay);
        // Never retire before every token the old key signed has expired.
        let min_retain = self.settings().token_lifetime() + Duration::from_secs(300);
        let retire_at = activates_at.saturating_add(policy.retain.max(min_retain));
        let next = SigningKeyRecord {
            kid,
            algorithm: generated.algorithm,
            private_key: generated.private_key.expose_secret().to_owned(),
            sealing: generated.sealing,
            public_jwk: generated.public_jwk,
            created_at: now,
            activates_at,
            retires_at: None,
        };
        match self.store.rotate_signing_key(&next, retire_at, now).await {
            Ok(()) => {}
            Err(RotateKeyError::Pending { kid }) => return Err(RotationError::Pending { kid }),
            Err(RotateKeyError::Conflict) => {
                return Err(RotationError::Unexpected(anyhow::anyhow!(
                    "key id collision"
                )));
            }
            Err(RotateKeyError::Unexpected(e)) => return Err(e.into()),
        }
        tracing::info!(kid = %next.kid, activates_at = %next.activates_at, "scheduled a signing key rotation");
        self.reload_keys().await.map_err(|e| match e {
            StartError::Keys(e) => RotationError::Key(e),
            other => RotationError::Unexpected(anyhow::anyhow!(other)),
        })?;
        Ok(next)
    }

    /// Rotates when the newest stored key is older than `max_age` and no
    /// rotation is pending (automatic rotation; safe to call from every
    /// node: the store lets only one rotation be pending). Returns the new
    /// key when this call rotated.
    pub async fn rotate_if_older_than(
        &self,
        max_age: Duration,
    ) -> Result<Option<SigningKeyRecord>, RotationError> {
        let keys = self.store.list_signing_keys().await.map_err(|e| e.0)?;
        let newest = keys.iter().map(|k| k.created_at).max();
        let now = self.now();
        if newest.is_some_and(|t| now.since(t) < max_age) {
            return Ok(None);
        }
        match self.rotate_signing_key().await {
            Ok(key) => Ok(Some(key)),
            Err(RotationError::Pending { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// When the ring next needs rebuilding because a stored key activates
    /// or retires, if any such moment is in the future.
    pub async fn next_key_event(&self) -> Result<Option<UnixMillis>, StartError> {
        let now = self.now();
        let keys = self.store.list_signing_keys().await?;
        Ok(keys
            .iter()
            .flat_map(|k| [Some(k.activates_at), k.retires_at])
            .flatten()
            .filter(|t| *t > now)
            .min())
    }
}
