//! # hallpass-app
//!
//! The use cases of Hallpass, generic over the ports. This crate
//! orchestrates: it reads through the store, asks the domain what changes,
//! writes the change back with the store's compare-and-set guards, and signs
//! through the key ring. Rules live in `hallpass-domain`.
//!
//! [`Hallpass`] is the one value the HTTP layer holds.

mod activation;
mod bootstrap;
mod caller;
mod client_tokens;
mod error;
mod frontend;
mod handshake;
mod identifiers;
mod keys;
mod memberships;
mod organizations;
mod passwords;
mod rate_limit;
mod recent_tokens;
mod refresh;
mod secret_key;
mod session_users;
mod sessions;
mod sweep;
mod templates;
mod tickets;
mod users;

use std::sync::{Arc, RwLock};

use hallpass_domain::{
    Environment, FrontendApi, Instance, InstanceSettings, PublishableKey, RoleSet, UnixMillis,
};
use hallpass_ports::{Clock, IdGenerator, KeyRingFactory, PasswordHashing, Store, StoreError};

pub use activation::OrganizationRequest;
pub use bootstrap::{IdentityPolicy, InstanceConfig, KeyPolicy, StartError, Started};
pub use caller::{CallerError, ClientCredential, FrontendCaller, Transport};
pub use client_tokens::ShownTokens;
pub use error::{AuthError, ClientError, SessionError, SignInError};
pub use frontend::{ClientView, FrontendError, TicketSignedIn, Touched};
pub use handshake::{HandshakeDelivery, HandshakeRequest, HandshakeResponse};
pub use identifiers::{IdentifierPatch, IdentifierUseError};
pub use keys::RotationError;
pub use organizations::{OrganizationMetadata, OrganizationUseError};
pub use passwords::{NewPassword, PasswordUseError};
pub use rate_limit::{Limited, MemoryRateLimiter, RateLimits, RatePolicy, RateScope};
pub use refresh::{RefreshError, RefreshFormat, RefreshResponse, Refreshed};
pub use secret_key::{BackendCaller, NewSecretKey};
pub use session_users::{MEMBERSHIPS_SHOWN, SessionUser, SessionUsers, listed_in_client};
pub use sessions::{MintOptions, SignInRequest};
pub use sweep::SweepPolicy;
pub use templates::{TemplateInput, TemplateUseError};
pub use tickets::{NewSignInToken, TicketError};
pub use users::UserUseError;

/// The outside world the use cases talk to.
pub struct Deps<S, K> {
    pub store: S,
    pub keys: K,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
    /// Hashes and verifies passwords (slow on purpose; bounded by the
    /// adapter).
    pub passwords: Arc<dyn PasswordHashing>,
}

impl<S, K> std::fmt::Debug for Deps<S, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deps").finish_non_exhaustive()
    }
}

/// The running instance: its configuration, its store and its keys.
pub struct Hallpass<S: Store, K: KeyRingFactory> {
    store: S,
    keys: K,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    passwords: Arc<dyn PasswordHashing>,
    config: InstanceConfig,
    instance: Instance,
    ring: RwLock<Arc<K::Ring>>,
    /// Session tokens this node signed recently (see [`recent_tokens`]).
    recent_tokens: recent_tokens::RecentTokens,
}

impl<S: Store, K: KeyRingFactory> std::fmt::Debug for Hallpass<S, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hallpass")
            .field("instance", &self.instance.id)
            .field("environment", &self.instance.environment)
            .finish_non_exhaustive()
    }
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    pub fn environment(&self) -> Environment {
        self.instance.environment
    }

    pub fn settings(&self) -> &InstanceSettings {
        &self.config.settings
    }

    /// The roles organization memberships may have, and their permissions.
    pub fn roles(&self) -> &RoleSet {
        &self.config.identity.roles
    }

    pub fn frontend_api(&self) -> &FrontendApi {
        &self.config.frontend_api
    }

    pub fn publishable_key(&self) -> PublishableKey {
        PublishableKey::new(self.instance.environment, &self.config.frontend_api)
    }

    /// The instance's cookie suffix: the first 8 characters of the URL-safe
    /// base64 of the SHA-1 of the publishable key, as Clerk's SDKs compute
    /// it for `__session_<suffix>`, `__client_uat_<suffix>`,
    /// `__refresh_<suffix>`.
    pub fn cookie_suffix(&self) -> String {
        use sha1::Digest as _;
        let digest: [u8; 20] =
            sha1::Sha1::digest(self.publishable_key().as_str().as_bytes()).into();
        hallpass_domain::cookie_suffix_from_digest(&digest)
    }

    pub fn now(&self) -> UnixMillis {
        self.clock.now()
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// The current key ring (signer of new tokens, verifier of all
    /// published keys).
    pub fn ring(&self) -> Arc<K::Ring> {
        match self.ring.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Reloads the signing keys from the store (after a rotation by
    /// another process, or when a scheduled key activates).
    pub async fn reload_keys(&self) -> Result<(), StartError> {
        let records = self.store.list_signing_keys().await?;
        let ring = Arc::new(self.keys.ring(&records, self.clock.now())?);
        match self.ring.write() {
            Ok(mut guard) => *guard = ring,
            Err(poisoned) => *poisoned.into_inner() = ring,
        }
        Ok(())
    }

    /// Whether the store answers (`/readyz`).
    pub async fn ready(&self) -> Result<(), StoreError> {
        self.store.ping().await
    }
}
