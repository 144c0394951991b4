//! Storage ports.
//!
//! Every write is a coarse-grained method that owns its transaction; no
//! transaction object crosses a port. Writes that race are settled in the
//! store with compare-and-set conditions, so several `hallpass` processes can
//! share one database:
//! - a session update names the statuses it expects to find; a revoke that
//!   committed first makes a concurrent touch fail (revoke wins);
//! - a client write names the client as it was read (its `updated_at`,
//!   which every change moves strictly forward); two concurrent changes of
//!   one client (two sign-ins, a sign-in and a sign-out) cannot both succeed.

use std::future::Future;

use hallpass_domain::activity::SessionActivity;
use hallpass_domain::refresh::RefreshStatus;
use hallpass_domain::sign_in_token::{SignInToken, SignInTokenStatus};
use hallpass_domain::{
    Client, ClientId, DevBrowserId, Instance, OrganizationId, Session, SessionId, SessionStatus,
    SignInTokenId, UnixMillis, User, UserId,
};

pub use crate::errors::{InsertError, StoreError, Unavailable};
pub use sweep::{SweepPlan, SweepReport, SweepStore};
pub use templates::{
    FindTemplateError, SaveTemplateError, SealedCustomKey, TemplateRow, TemplateStore,
};

mod sweep;
mod templates;
use crate::identity::{
    ActiveOrganization, MembershipStore, OrganizationStore, TemplateUser, UserStore,
};

/// Creating the instance failed.
#[derive(Debug, thiserror::Error)]
pub enum CreateInstanceError {
    /// Another process created it first: load it instead.
    #[error("the instance already exists")]
    AlreadyExists,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

pub use crate::errors::FindClientError;

#[derive(Debug, thiserror::Error)]
pub enum UpdateClientError {
    #[error("client not found")]
    NotFound,
    /// The client changed since it was read. Nothing was written.
    #[error("the client changed concurrently")]
    Changed,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum FindSessionError {
    #[error("session not found")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateSessionError {
    #[error("session not found")]
    NotFound,
    /// The stored status was not one of the expected ones: another writer
    /// got there first. `current` is what is stored now.
    #[error("session status changed concurrently (now {current})")]
    StatusChanged { current: SessionStatus },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// A user written with a compare-and-set: `user` is stored only if the
/// stored user is still `previous` (same `updated_at`).
#[derive(Debug, Clone, Copy)]
pub struct UserChange<'a> {
    pub user: &'a User,
    pub previous: &'a User,
}

#[derive(Debug, thiserror::Error)]
pub enum SaveSignInError {
    #[error("client not found")]
    ClientNotFound,
    /// The client changed since it was read (a concurrent sign-in or
    /// sign-out won). Nothing was written.
    #[error("the client changed concurrently")]
    ClientChanged,
    /// The ticket was used or revoked meanwhile. Nothing was written.
    #[error("the sign-in token is no longer pending")]
    TicketUsed,
    /// The user changed since it was read (banned, locked, edited), or was
    /// deleted. Nothing was written: the caller re-reads and re-decides.
    #[error("the user changed concurrently")]
    UserChanged,
    #[error("a session with this id already exists")]
    Conflict,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Scheduling a key rotation failed.
#[derive(Debug, thiserror::Error)]
pub enum RotateKeyError {
    /// A key that has not started signing yet is already scheduled.
    #[error("a rotation is already pending (key {kid} activates later)")]
    Pending { kid: String },
    #[error("a key with this kid already exists")]
    Conflict,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// A stored signing key. `Debug` leaves out the private key.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKeyRecord {
    pub kid: String,
    pub algorithm: String,
    /// The private key, PKCS#8 PEM, possibly sealed (see `sealing`).
    pub private_key: String,
    /// How `private_key` is protected at rest: `none` for plain PEM.
    pub sealing: String,
    /// The public JWK, JSON text.
    pub public_jwk: String,
    pub created_at: UnixMillis,
    /// When it starts signing (published in JWKS from `created_at`).
    pub activates_at: UnixMillis,
    /// When it leaves the JWKS, if scheduled.
    pub retires_at: Option<UnixMillis>,
}

impl std::fmt::Debug for SigningKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyRecord")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .field("sealing", &self.sealing)
            .field("public_jwk", &self.public_jwk)
            .field("created_at", &self.created_at)
            .field("activates_at", &self.activates_at)
            .field("retires_at", &self.retires_at)
            .finish_non_exhaustive()
    }
}

/// A stored secret key (Backend API credential): only its hash is kept.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKeyRecord {
    pub id: String,
    /// SHA-256 of the whole key, lowercase hex.
    pub hash: String,
    /// The last four characters, to tell keys apart in listings.
    pub hint: String,
    pub created_at: UnixMillis,
    pub revoked_at: Option<UnixMillis>,
}

impl std::fmt::Debug for SecretKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretKeyRecord")
            .field("id", &self.id)
            .field("hint", &self.hint)
            .field("created_at", &self.created_at)
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}

/// Everything created at first start, written in one transaction.
#[derive(Debug, Clone)]
pub struct InstanceInit {
    pub instance: Instance,
    pub signing_key: SigningKeyRecord,
    pub secret_key: SecretKeyRecord,
}

/// Filters for listing sessions. Results are newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionQuery {
    pub client_id: Option<ClientId>,
    pub user_id: Option<UserId>,
    pub status: Option<SessionStatus>,
    pub limit: u32,
    pub offset: u32,
}

/// One page of sessions, the latest activity of those that have one, and
/// the number of sessions matching the filters.
#[derive(Debug, Clone)]
pub struct SessionPage {
    pub sessions: Vec<Session>,
    pub activities: std::collections::HashMap<SessionId, SessionActivity>,
    pub total_count: u64,
}

/// The instance, its signing keys and secret keys.
pub trait InstanceStore: Send + Sync + 'static {
    /// Whether the store answers (readiness): a read of the instance's
    /// table, so a reachable database without Hallpass's schema fails it.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn load_instance(&self) -> impl Future<Output = Result<Option<Instance>, StoreError>> + Send;

    /// Creates the instance with its first keys, atomically; only one
    /// process can succeed.
    fn create_instance(
        &self,
        init: &InstanceInit,
    ) -> impl Future<Output = Result<(), CreateInstanceError>> + Send;

    /// All signing keys, oldest first.
    fn list_signing_keys(
        &self,
    ) -> impl Future<Output = Result<Vec<SigningKeyRecord>, StoreError>> + Send;

    fn insert_signing_key(
        &self,
        key: &SigningKeyRecord,
    ) -> impl Future<Output = Result<(), InsertError>> + Send;

    /// Schedules a rotation in one transaction, serialised with any other
    /// rotation: refuses if a key whose `activates_at` is after `now`
    /// exists; inserts `next`; sets `retires_at` of every other key that
    /// would otherwise stay published past `retire_others_at` to it.
    fn rotate_signing_key(
        &self,
        next: &SigningKeyRecord,
        retire_others_at: UnixMillis,
        now: UnixMillis,
    ) -> impl Future<Output = Result<(), RotateKeyError>> + Send;

    /// The secret key with this hash, revoked or not.
    fn find_secret_key(
        &self,
        hash: &str,
    ) -> impl Future<Output = Result<Option<SecretKeyRecord>, StoreError>> + Send;

    fn insert_secret_key(
        &self,
        key: &SecretKeyRecord,
    ) -> impl Future<Output = Result<(), InsertError>> + Send;

    /// All secret keys, oldest first.
    fn list_secret_keys(
        &self,
    ) -> impl Future<Output = Result<Vec<SecretKeyRecord>, StoreError>> + Send;
}

/// Clients.
pub trait ClientStore: Send + Sync + 'static {
    fn insert_client(
        &self,
        client: &Client,
    ) -> impl Future<Output = Result<(), InsertError>> + Send;

    fn find_client(
        &self,
        id: &ClientId,
    ) -> impl Future<Output = Result<Client, FindClientError>> + Send;

    /// Stores `client` if the stored client is still `previous` (same
    /// `updated_at`).
    fn update_client(
        &self,
        client: &Client,
        previous: &Client,
    ) -> impl Future<Output = Result<(), UpdateClientError>> + Send;
}

/// Sessions.
pub trait SessionStore: Send + Sync + 'static {
    fn find_session(
        &self,
        id: &SessionId,
    ) -> impl Future<Output = Result<Session, FindSessionError>> + Send;

    /// The client's sessions, newest first.
    fn list_client_sessions(
        &self,
        client_id: &ClientId,
    ) -> impl Future<Output = Result<Vec<Session>, StoreError>> + Send;

    /// A client and all its sessions, newest first, in one read: the
    /// Frontend API's `GET /v1/client` and the handshake. `NotFound` when
    /// there is no such client.
    fn find_client_with_sessions(
        &self,
        client_id: &ClientId,
    ) -> impl Future<Output = Result<(Client, Vec<Session>), FindClientError>> + Send;

    /// A client and one of its sessions in one read: the minting hot path.
    /// The session is `None` when it does not exist or belongs to another
    /// client; `NotFound` when there is no such client.
    fn find_client_session(
        &self,
        client_id: &ClientId,
        session_id: &SessionId,
    ) -> impl Future<Output = Result<(Client, Option<Session>), FindClientError>> + Send;

    /// The minting hot path with organizations: a client, one of its
    /// sessions (as [`SessionStore::find_client_session`]) and, when that
    /// session has an active organization, the organization and the
    /// session user's membership in it, in one read (one statement on
    /// PostgreSQL). The third value is `None` when there is no session, no
    /// active organization, or when the organization or the membership is
    /// gone: a removed member mints without it.
    fn find_client_session_with_organization(
        &self,
        client_id: &ClientId,
        session_id: &SessionId,
    ) -> impl Future<
        Output = Result<(Client, Option<Session>, Option<ActiveOrganization>), FindClientError>,
    > + Send;

    /// The minting read by session id (the Backend API, refresh, the
    /// handshake): the session and, when it has an active organization,
    /// the organization and the session user's membership in it, in one
    /// read (one statement on PostgreSQL). The second value is `None` as in
    /// [`SessionStore::find_client_session_with_organization`].
    fn find_session_with_organization(
        &self,
        id: &SessionId,
    ) -> impl Future<Output = Result<(Session, Option<ActiveOrganization>), FindSessionError>> + Send;

    /// The template minting read: what
    /// [`SessionStore::find_session_with_organization`] reads, and the
    /// session's user as a template reaches it ([`TemplateUser`]; `None`
    /// when the user was deleted since the session began), in one read
    /// (one statement on PostgreSQL).
    fn find_session_for_template(
        &self,
        id: &SessionId,
    ) -> impl Future<
        Output = Result<
            (Session, Option<ActiveOrganization>, Option<TemplateUser>),
            FindSessionError,
        >,
    > + Send;

    /// Forgets the session's active organization, provided it is still
    /// `organization` (the organization or the membership in it is gone);
    /// `updated_at` moves to `now` (never back). `Ok(false)` when nothing
    /// was written: the session has another organization active (chosen
    /// meanwhile), none, or does not exist.
    fn forget_active_organization(
        &self,
        session: &SessionId,
        organization: &OrganizationId,
        now: UnixMillis,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    fn list_sessions(
        &self,
        query: &SessionQuery,
    ) -> impl Future<Output = Result<SessionPage, StoreError>> + Send;

    /// Stores the session's new state if its stored status is one of
    /// `expected` (compare-and-set).
    fn update_session(
        &self,
        session: &Session,
        expected: &[SessionStatus],
    ) -> impl Future<Output = Result<(), UpdateSessionError>> + Send;

    /// Stores `session` after `Session::record_activity` provided the
    /// stored session is still live (active or pending) and its
    /// `last_active_at` is still `read_last_active_at`, the value it was
    /// read with. Of concurrent writers that read the same row, one writes
    /// (`Ok(true)`) and the others write nothing (`Ok(false)`: the activity
    /// is recorded already), so activity is stored at most once per
    /// interval however many mints race. A session that is no longer live
    /// is `StatusChanged`.
    fn update_last_active(
        &self,
        session: &Session,
        read_last_active_at: UnixMillis,
    ) -> impl Future<Output = Result<bool, UpdateSessionError>> + Send;

    /// In one transaction: inserts `session`, stores the `replaced`
    /// sessions (if they are still live) and the client, provided the
    /// stored client is still `previous`; with a `ticket` (already marked
    /// accepted), also stores it provided it is still pending, so a ticket
    /// signs in at most once; with a `user` change, also stores the user
    /// (its last sign-in) provided the stored user is still
    /// `user.previous`, so a ban or a lock written after the user was read
    /// refuses the sign-in instead of racing it (`UserChanged`).
    fn save_sign_in(
        &self,
        client: &Client,
        previous: &Client,
        session: &Session,
        replaced: &[Session],
        ticket: Option<&SignInToken>,
        user: Option<UserChange<'_>>,
    ) -> impl Future<Output = Result<(), SaveSignInError>> + Send;

    /// In one transaction: stores each of `sessions` whose stored status is
    /// still live (others were signed out concurrently and stay as they
    /// are), and the client, provided the stored client is still
    /// `previous`. Returns how many sessions were written.
    fn save_sign_out(
        &self,
        client: &Client,
        previous: &Client,
        sessions: &[Session],
    ) -> impl Future<Output = Result<usize, UpdateClientError>> + Send;
}

/// A development browser: the development-instance stand-in for the
/// `__client` cookie, optionally bound to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevBrowserRecord {
    pub id: DevBrowserId,
    pub client_id: Option<ClientId>,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

/// Development browsers.
pub trait DevBrowserStore: Send + Sync + 'static {
    fn insert_dev_browser(
        &self,
        browser: &DevBrowserRecord,
    ) -> impl Future<Output = Result<(), InsertError>> + Send;

    fn find_dev_browser(
        &self,
        id: &DevBrowserId,
    ) -> impl Future<Output = Result<Option<DevBrowserRecord>, StoreError>> + Send;

    /// Binds the browser to a client; `false` if the browser does not exist.
    fn bind_dev_browser(
        &self,
        id: &DevBrowserId,
        client_id: &ClientId,
        now: UnixMillis,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateSignInTokenError {
    #[error("sign-in token not found")]
    NotFound,
    /// The stored status was not the expected one (used or revoked meanwhile).
    #[error("the sign-in token changed concurrently")]
    Changed,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Sign-in tokens (tickets). Only hashes of the tickets are stored.
pub trait SignInTokenStore: Send + Sync + 'static {
    fn insert_sign_in_token(
        &self,
        token: &SignInToken,
    ) -> impl Future<Output = Result<(), InsertError>> + Send;

    fn find_sign_in_token(
        &self,
        id: &SignInTokenId,
    ) -> impl Future<Output = Result<Option<SignInToken>, StoreError>> + Send;

    fn find_sign_in_token_by_hash(
        &self,
        hash: &str,
    ) -> impl Future<Output = Result<Option<SignInToken>, StoreError>> + Send;

    /// Stores the token's new state if its stored status is still `expected`.
    fn update_sign_in_token(
        &self,
        token: &SignInToken,
        expected: SignInTokenStatus,
    ) -> impl Future<Output = Result<(), UpdateSignInTokenError>> + Send;
}

/// Handshake payloads stored under single-use nonces.
pub trait HandshakeNonceStore: Send + Sync + 'static {
    /// Stores `directives` under the nonce's hash until `expires_at`.
    fn insert_handshake_nonce(
        &self,
        nonce_hash: &str,
        directives: &[String],
        expires_at: UnixMillis,
        now: UnixMillis,
    ) -> impl Future<Output = Result<(), InsertError>> + Send;

    /// Removes and returns the directives stored under the hash, if they
    /// have not expired at `now`: a nonce is good for one read.
    fn take_handshake_nonce(
        &self,
        nonce_hash: &str,
        now: UnixMillis,
    ) -> impl Future<Output = Result<Option<Vec<String>>, StoreError>> + Send;
}

/// A stored refresh token (its hash only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    pub token_hash: String,
    pub session_id: SessionId,
    pub status: RefreshStatus,
    pub successor_hash: Option<String>,
    pub rotated_at: Option<UnixMillis>,
    pub expires_at: UnixMillis,
    pub created_at: UnixMillis,
}

#[derive(Debug, thiserror::Error)]
pub enum RotateRefreshError {
    /// The token was no longer active (a concurrent rotation won).
    #[error("the refresh token changed concurrently")]
    Changed,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Refresh tokens and the instance secrets that derive their successors.
pub trait RefreshTokenStore: Send + Sync + 'static {
    fn find_instance_secret(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<SealedCustomKey>, StoreError>> + Send;

    /// Stores a secret under `name` unless one exists (`Conflict`).
    fn insert_instance_secret(
        &self,
        name: &str,
        secret: &SealedCustomKey,
        now: UnixMillis,
    ) -> impl Future<Output = Result<(), InsertError>> + Send;

    fn insert_refresh_token(
        &self,
        token: &RefreshTokenRecord,
    ) -> impl Future<Output = Result<(), InsertError>> + Send;

    fn find_refresh_token(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<RefreshTokenRecord>, StoreError>> + Send;

    /// In one transaction: marks `token_hash` rotated (if still active) with
    /// `successor` as its successor, and inserts `successor`.
    fn rotate_refresh_token(
        &self,
        token_hash: &str,
        successor: &RefreshTokenRecord,
        now: UnixMillis,
    ) -> impl Future<Output = Result<(), RotateRefreshError>> + Send;

    /// Revokes every refresh token of the session.
    fn revoke_refresh_tokens(
        &self,
        session_id: &SessionId,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The latest device details of sessions.
pub trait SessionActivityStore: Send + Sync + 'static {
    /// Replaces the session's latest activity.
    fn record_session_activity(
        &self,
        session_id: &SessionId,
        activity: &SessionActivity,
        now: UnixMillis,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The latest activity of each of `ids` that has one.
    fn find_session_activities(
        &self,
        ids: &[SessionId],
    ) -> impl Future<Output = Result<Vec<(SessionId, SessionActivity)>, StoreError>> + Send;

    /// A session and its latest activity, if it has one, in one read (the
    /// Backend API's `GET /v1/sessions/{id}`).
    fn find_session_with_activity(
        &self,
        id: &SessionId,
    ) -> impl Future<Output = Result<(Session, Option<SessionActivity>), FindSessionError>> + Send;
}

/// Everything a storage adapter provides.
pub trait Store:
    InstanceStore
    + ClientStore
    + SessionStore
    + TemplateStore
    + DevBrowserStore
    + SignInTokenStore
    + HandshakeNonceStore
    + RefreshTokenStore
    + SessionActivityStore
    + SweepStore
    + UserStore
    + OrganizationStore
    + MembershipStore
    + Clone
{
}

impl<T> Store for T where
    T: InstanceStore
        + ClientStore
        + SessionStore
        + TemplateStore
        + DevBrowserStore
        + SignInTokenStore
        + HandshakeNonceStore
        + RefreshTokenStore
        + SessionActivityStore
        + SweepStore
        + UserStore
        + OrganizationStore
        + MembershipStore
        + Clone
{
}
