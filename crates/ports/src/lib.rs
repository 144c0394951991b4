//! # hallpass-ports
//!
//! The traits the use cases need from the outside world, in Hallpass's own
//! vocabulary: storage ([`store`], and [`identity`] for users,
//! organizations and memberships), signing ([`signing`]), passwords
//! ([`password`]), time ([`Clock`]),
//! randomness ([`IdGenerator`]) and rate limiting ([`rate_limit`]). No diesel, josekit, actix or openssl
//! type appears in a signature.
//!
//! With the `conformance` feature, `rate_limit_conformance` holds the test
//! every [`RateLimiter`] runs. The storage conformance suite is its own crate,
//! `hallpass-store-conformance`.

pub mod clock;
pub mod errors;
pub mod identity;
pub mod password;
pub mod rate_limit;
#[cfg(feature = "conformance")]
pub mod rate_limit_conformance;
pub mod signing;
pub mod store;

pub use clock::{Clock, IdGenerator};
pub use identity::{
    ActiveOrganization, ClientWithUsers, CountedOrganization, DeleteMembershipError,
    DeleteUserError, FindOrganizationError, FindUserError, IdFilter, InsertMembershipError,
    InsertOrganizationError, InsertUserError, MembershipOrderField, MembershipQuery,
    MembershipStore, MembershipView, Ordering, OrganizationOrderField, OrganizationQuery,
    OrganizationStore, PublicUserData, TemplateUser, UpdateMembershipError,
    UpdateOrganizationError, UpdateUserError, UserFilter, UserIdentifier, UserOrderField,
    UserQuery, UserStore,
};
pub use password::{HashError, HashFuture, PasswordCheck, PasswordHashing};
pub use rate_limit::{Quota, RateDecision, RateFuture, RateLimitError, RateLimiter};
pub use signing::{
    GeneratedKey, KeyError, KeyRingFactory, SealedSecrets, SignError, TokenSigner, TokenVerifier,
    VerifyError,
};
pub use store::{
    ClientStore, CreateInstanceError, DevBrowserRecord, DevBrowserStore, FindClientError,
    FindSessionError, FindTemplateError, HandshakeNonceStore, InsertError, InstanceInit,
    InstanceStore, RefreshTokenRecord, RefreshTokenStore, RotateKeyError, RotateRefreshError,
    SaveSignInError, SaveTemplateError, SealedCustomKey, SecretKeyRecord, SessionActivityStore,
    SessionPage, SessionQuery, SessionStore, SignInTokenStore, SigningKeyRecord, Store, StoreError,
    TemplateRow, TemplateStore, Unavailable, UpdateClientError, UpdateSessionError,
    UpdateSignInTokenError, UserChange,
};
pub use store::{SweepPlan, SweepReport, SweepStore};
