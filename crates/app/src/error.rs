//! One error enum per family of use cases (sessions, clients, sign-ins,
//! ...), not per operation: the operations of a family fail in the same few
//! ways, and the HTTP layer maps each family once. `Unexpected` carries the
//! cause for the log; the HTTP layer never shows it to a client.

use hallpass_domain::{SelectOrganizationError, SessionId, TransitionError};
use hallpass_ports::{
    FindClientError, FindSessionError, InsertError, SaveSignInError, SignError, StoreError,
    UpdateClientError, UpdateSessionError,
};

/// A Backend API credential was refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the secret key is missing, unknown or revoked")]
    Invalid,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for AuthError {
    fn from(e: StoreError) -> Self {
        Self::Unexpected(e.0)
    }
}

/// A session use case failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("session not found")]
    NotFound,
    /// The session's status does not allow the action (terminal session).
    #[error(transparent)]
    NotAllowed(#[from] TransitionError),
    /// A request named an organization that cannot be made active for the
    /// session: no organization has that id or slug, or the session's user
    /// is not a member of it (`Session::may_select_organization`). One
    /// error for both, so a caller cannot tell which organizations exist.
    /// Carries the value as sent (for logs).
    #[error("organization {0:?} does not exist or the user is not a member")]
    OrganizationNotAllowed(String),
    /// Creating the session was a sign-in, and it was refused (no such
    /// user, or a banned or locked one).
    #[error(transparent)]
    SignIn(#[from] SignInError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<FindSessionError> for SessionError {
    fn from(e: FindSessionError) -> Self {
        match e {
            FindSessionError::NotFound => Self::NotFound,
            FindSessionError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

impl From<SelectOrganizationError> for SessionError {
    fn from(e: SelectOrganizationError) -> Self {
        match e {
            SelectOrganizationError::Transition(t) => Self::NotAllowed(t),
            SelectOrganizationError::NotAMember(org) => {
                Self::OrganizationNotAllowed(org.as_str().to_owned())
            }
        }
    }
}

impl From<StoreError> for SessionError {
    fn from(e: StoreError) -> Self {
        Self::Unexpected(e.0)
    }
}

impl From<SignError> for SessionError {
    fn from(e: SignError) -> Self {
        match e {
            SignError::Unexpected(e) => Self::Unexpected(e),
            SignError::CustomKey(reason) => Self::Unexpected(anyhow::anyhow!(reason)),
        }
    }
}

impl From<UpdateSessionError> for SessionError {
    fn from(e: UpdateSessionError) -> Self {
        match e {
            UpdateSessionError::NotFound => Self::NotFound,
            UpdateSessionError::StatusChanged { current } => Self::Unexpected(anyhow::anyhow!(
                "session status kept changing concurrently (now {current})"
            )),
            UpdateSessionError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

/// A client use case failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("client not found")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<FindClientError> for ClientError {
    fn from(e: FindClientError) -> Self {
        match e {
            FindClientError::NotFound => Self::NotFound,
            FindClientError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

impl From<UpdateClientError> for ClientError {
    fn from(e: UpdateClientError) -> Self {
        match e {
            UpdateClientError::NotFound => Self::NotFound,
            UpdateClientError::Changed => {
                Self::Unexpected(anyhow::anyhow!("client kept changing concurrently"))
            }
            UpdateClientError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

impl From<StoreError> for ClientError {
    fn from(e: StoreError) -> Self {
        Self::Unexpected(e.0)
    }
}

impl From<InsertError> for ClientError {
    fn from(e: InsertError) -> Self {
        match e {
            InsertError::Conflict => Self::Unexpected(anyhow::anyhow!("client id collision")),
            InsertError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

/// A sign-in failed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("client not found")]
    ClientNotFound,
    /// Single-session mode: the client already has a live session.
    #[error("the client already has a live session")]
    SessionExists(SessionId),
    /// The ticket is unknown, expired, used or revoked.
    #[error("the sign-in token is invalid: {0}")]
    TicketInvalid(&'static str),
    /// The user to sign in does not exist (or was deleted).
    #[error("user not found")]
    UserNotFound,
    /// The user is banned.
    #[error("the user is banned")]
    UserBanned,
    /// The user is locked: for this many more seconds (rounded up), or
    /// until unlocked (`None`).
    #[error("the user is locked")]
    UserLocked { expires_in_seconds: Option<i64> },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<FindClientError> for SignInError {
    fn from(e: FindClientError) -> Self {
        match e {
            FindClientError::NotFound => Self::ClientNotFound,
            FindClientError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

impl From<StoreError> for SignInError {
    fn from(e: StoreError) -> Self {
        Self::Unexpected(e.0)
    }
}

impl From<SaveSignInError> for SignInError {
    fn from(e: SaveSignInError) -> Self {
        match e {
            SaveSignInError::ClientNotFound => Self::ClientNotFound,
            SaveSignInError::ClientChanged => {
                Self::Unexpected(anyhow::anyhow!("client kept changing concurrently"))
            }
            SaveSignInError::Conflict => Self::Unexpected(anyhow::anyhow!("session id collision")),
            SaveSignInError::TicketUsed => Self::TicketInvalid("already used"),
            SaveSignInError::UserChanged => {
                Self::Unexpected(anyhow::anyhow!("user kept changing concurrently"))
            }
            SaveSignInError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}
