//! First start: create the instance, its signing key and a secret key, once,
//! even when several processes start together on one database.

use std::sync::{Arc, RwLock};

use hallpass_domain::{
    Environment, FrontendApi, Instance, InstanceId, InstanceSettings, PasswordPolicy, RoleSet,
};
use hallpass_ports::{
    CreateInstanceError, InstanceInit, KeyError, KeyRingFactory, SigningKeyRecord, Store,
    StoreError,
};
use secrecy::ExposeSecret as _;
use std::time::Duration;

use crate::secret_key::{self, NewSecretKey};
use crate::{Deps, Hallpass};

/// What the operator configured for the instance.
#[derive(Debug, Clone)]
pub struct InstanceConfig {
    pub environment: Environment,
    pub frontend_api: FrontendApi,
    pub settings: InstanceSettings,
    pub keys: KeyPolicy,
    pub identity: IdentityPolicy,
}

/// The rules of the instance's users and organizations that come from
/// configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityPolicy {
    /// The roles an organization membership may have, with their
    /// permissions: Clerk's defaults (`org:admin`, `org:member`) unless the
    /// operator described others (`organizations.roles`).
    pub roles: RoleSet,
    /// How long `POST /v1/users/{id}/lock` locks a user; `None`: until
    /// unlocked.
    pub lockout: Option<Duration>,
    /// The rules a new password must meet (`passwords.*`).
    pub password: PasswordPolicy,
}

impl Default for IdentityPolicy {
    /// Clerk's defaults: its two roles, and a one-hour lockout.
    fn default() -> Self {
        Self {
            roles: RoleSet::default(),
            lockout: Some(Duration::from_secs(3600)),
            password: PasswordPolicy::default(),
        }
    }
}

/// How signing keys rotate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPolicy {
    /// How long a new key is published in the JWKS before it signs, so every
    /// verifier (and every `hallpass` node) knows it first.
    pub rotation_delay: Duration,
    /// How long a replaced key stays published after the new key starts
    /// signing: at least the longest lifetime of a token it signed, plus
    /// clock skew.
    pub retain: Duration,
}

impl Default for KeyPolicy {
    fn default() -> Self {
        Self {
            rotation_delay: Duration::from_secs(600),
            retain: Duration::from_secs(24 * 3600),
        }
    }
}

/// Start-up failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "the store holds a {stored} instance but the configuration says {configured}; \
         an instance cannot change environment (its keys differ): use another store"
    )]
    EnvironmentMismatch {
        stored: Environment,
        configured: Environment,
    },
    #[error("the instance's signing keys cannot be used")]
    Keys(#[from] KeyError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for StartError {
    fn from(e: StoreError) -> Self {
        Self::Unexpected(e.0)
    }
}

/// A started instance, and the secret key created if this start created
/// the instance (shown once, never stored in clear).
#[derive(Debug)]
pub struct Started<S: Store, K: KeyRingFactory> {
    pub app: Hallpass<S, K>,
    pub created_secret_key: Option<NewSecretKey>,
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// Loads the instance, creating it on first start, and its key ring.
    #[tracing::instrument(skip_all)]
    pub async fn start(
        deps: Deps<S, K>,
        config: InstanceConfig,
    ) -> Result<Started<S, K>, StartError> {
        let Deps {
            store,
            keys,
            clock,
            ids,
            passwords,
        } = deps;
        let mut created_secret_key = None;
        let instance = match store.load_instance().await? {
            Some(instance) => instance,
            None => {
                let now = clock.now();
                let instance = Instance {
                    id: InstanceId::from_random(ids.random_u128()),
                    environment: config.environment,
                    created_at: now,
                };
                // The first key's kid is the instance id, as on Clerk.
                let kid = instance.id.to_string();
                let generated = keys.generate(&kid)?;
                let (secret, secret_record) =
                    secret_key::generate(config.environment, ids.as_ref(), now);
                let init = InstanceInit {
                    instance: instance.clone(),
                    signing_key: SigningKeyRecord {
                        kid,
                        algorithm: generated.algorithm,
                        private_key: generated.private_key.expose_secret().to_owned(),
                        sealing: generated.sealing,
                        public_jwk: generated.public_jwk,
                        created_at: now,
                        activates_at: now,
                        retires_at: None,
                    },
                    secret_key: secret_record,
                };
                match store.create_instance(&init).await {
                    Ok(()) => {
                        tracing::info!(instance_id = %instance.id, "created the instance");
                        created_secret_key = Some(secret);
                        instance
                    }
                    // Another process won the race: use its instance.
                    Err(CreateInstanceError::AlreadyExists) => store
                        .load_instance()
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("instance vanished after a create race"))?,
                    Err(CreateInstanceError::Unexpected(e)) => return Err(e.into()),
                }
            }
        };
        if instance.environment != config.environment {
            return Err(StartError::EnvironmentMismatch {
                stored: instance.environment,
                configured: config.environment,
            });
        }
        let records = store.list_signing_keys().await?;
        let ring = Arc::new(keys.ring(&records, clock.now())?);
        Ok(Started {
            app: Hallpass {
                store,
                keys,
                clock,
                ids,
                passwords,
                config,
                instance,
                ring: RwLock::new(ring),
                recent_tokens: Default::default(),
            },
            created_secret_key,
        })
    }
}
