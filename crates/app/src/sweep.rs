//! Housekeeping: deadlines nobody read, rows nobody can use any more.

use std::time::Duration;

use hallpass_ports::{KeyRingFactory, Store, StoreError, SweepPlan, SweepReport};

use crate::Hallpass;

/// When a sweep runs and what it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepPolicy {
    /// How often each process tries to sweep. Across processes sharing the
    /// store a sweep starts at most once per `interval` (less a tenth, so a
    /// timer firing a little early still finds its turn).
    pub interval: Duration,
    /// Expired sign-in tokens and refresh tokens are deleted this long
    /// after they expired (until then a replayed token is still recognised
    /// as a replay, and support can look a ticket up).
    pub retain: Duration,
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// One sweep, unless another process (or this one) swept less than an
    /// interval ago: stores `expired`/`abandoned` for live sessions past
    /// their deadlines (what a read would conclude anyway), deletes expired
    /// handshake nonces, and sign-in and refresh tokens expired more than
    /// `retain` ago. `None` when it was not this process's turn.
    #[tracing::instrument(skip_all)]
    pub async fn sweep(&self, policy: SweepPolicy) -> Result<Option<SweepReport>, StoreError> {
        let now = self.now();
        let gap = policy.interval - policy.interval / 10;
        let plan = SweepPlan {
            now,
            min_gap_ms: i64::try_from(gap.as_millis()).unwrap_or(i64::MAX),
            delete_expired_before: now.saturating_sub(policy.retain),
        };
        self.store.sweep(&plan).await
    }
}
