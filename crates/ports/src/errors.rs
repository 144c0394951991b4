//! The errors every storage port shares: an unreachable store, an
//! unexpected failure, an insert conflict. (Each operation's own outcomes
//! are enums beside its port, in [`crate::store`] and [`crate::identity`].)

/// Marks an error whose cause is that the store cannot be reached (no
/// connection within the configured timeout). Adapters attach it as
/// context; the HTTP layer answers such errors with 503 and `Retry-After`
/// instead of 500.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the store cannot be reached")]
pub struct Unavailable;

/// An unexpected storage failure (connection lost, corrupt row, ...).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct StoreError(#[from] pub anyhow::Error);

/// Inserting a row failed.
#[derive(Debug, thiserror::Error)]
pub enum InsertError {
    #[error("a row with this id already exists")]
    Conflict,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Reading a client (with its sessions, and what they show) failed: the
/// session and membership ports' client reads share it.
#[derive(Debug, thiserror::Error)]
pub enum FindClientError {
    #[error("client not found")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}
