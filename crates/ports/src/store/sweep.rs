//! Housekeeping: the sweep that applies deadlines nobody read and deletes
//! rows that can never be used again.

use std::future::Future;

use hallpass_domain::UnixMillis;

use crate::errors::StoreError;

/// The instructions for one housekeeping sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepPlan {
    /// The sweep's instant: deadlines at or before it have passed.
    pub now: UnixMillis,
    /// A sweep that any process sharing the store started less than this
    /// long before `now` (in milliseconds) makes this one a no-op.
    pub min_gap_ms: i64,
    /// Sign-in tokens and refresh tokens that expired at or before this
    /// instant are deleted (later ones are kept for a while after expiry,
    /// e.g. so a replayed refresh token is still recognised).
    pub delete_expired_before: UnixMillis,
}

/// What one sweep changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Live sessions past `expire_at`, now stored `expired` (or
    /// `abandoned`, past `abandon_at`).
    pub sessions_expired: u64,
    /// Handshake nonces past their expiry, deleted.
    pub handshake_nonces_deleted: u64,
    /// Sign-in tokens expired before `delete_expired_before`, deleted.
    pub sign_in_tokens_deleted: u64,
    /// Refresh tokens expired before `delete_expired_before`, deleted.
    pub refresh_tokens_deleted: u64,
}

/// Housekeeping: applying deadlines nobody read and deleting rows that can
/// never be used again. Safe to run at any time: it only does what reads
/// would conclude anyway.
pub trait SweepStore: Send + Sync + 'static {
    /// Claims this sweep for all processes sharing the store, then runs it.
    /// The claim is a compare-and-set on the time of the last sweep: when a
    /// sweep started less than `plan.min_gap_ms` before `plan.now`, nothing
    /// is changed and the result is `None`; of concurrent callers, at most
    /// one gets `Some`.
    fn sweep(
        &self,
        plan: &SweepPlan,
    ) -> impl Future<Output = Result<Option<SweepReport>, StoreError>> + Send;
}
