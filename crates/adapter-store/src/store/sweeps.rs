//! The housekeeping sweep: the `SweepStore` port.

use diesel::prelude::*;
use hallpass_adapter_store::blocking::run;
use hallpass_adapter_store::errors::unexpected;
use hallpass_adapter_store::schema::{
    handshake_nonces, refresh_tokens, sessions, sign_in_tokens, sweeps,
};
use hallpass_ports::{StoreError, SweepPlan, SweepReport, SweepStore};

use super::LIVE;
use crate::backend::{Conn, Store, write_tx};

/// How far before the last sweep's `swept_through` a sweep
/// looks again for live sessions past their deadline: a row
/// committed while that sweep ran (its snapshot did not see it)
/// or written by a node whose clock runs behind.
const SWEEP_OVERLAP_MS: i64 = 60 * 60 * 1000;

impl SweepStore for Store {
    async fn sweep(&self, plan: &SweepPlan) -> Result<Option<SweepReport>, StoreError> {
        use diesel::dsl::sql;
        use diesel::sql_types::{BigInt, Text};
        let now = plan.now.as_millis();
        let claim_if_last_before = now.saturating_sub(plan.min_gap_ms);
        let delete_before = plan.delete_expired_before.as_millis();
        run(&self.pool, move |conn: &mut Conn| {
            let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
            // The claim and the expiry commit together: a sweep
            // that fails leaves neither its claim nor its
            // `swept_through`, and the next one covers its range.
            let claimed = write_tx(conn, |conn| {
                // The claim: one row, compare-and-set on the last
                // start. Of processes racing here, one updates it
                // and the others (re-reading the committed row)
                // find the condition false.
                let claimed = diesel::update(
                    sweeps::table
                        .filter(sweeps::name.eq("housekeeping"))
                        .filter(sweeps::last_run_at.le(claim_if_last_before)),
                )
                .set((
                    sweeps::last_run_at.eq(now),
                    sweeps::runs.eq(sweeps::runs + 1),
                ))
                .execute(conn)?;
                if claimed == 0 {
                    return Ok::<_, diesel::result::Error>(None);
                }
                let swept_through: i64 = sweeps::table
                    .filter(sweeps::name.eq("housekeeping"))
                    .select(sweeps::swept_through)
                    .first(conn)?;
                // The domain's `Session::observe`, in bulk: a live
                // session past `abandon_at` is abandoned, past
                // `expire_at` expired, dated when the deadline
                // passed. A concurrent revoke or sign-out wins (the
                // status filter is re-checked on the locked row).
                // Only deadlines since shortly before the last
                // sweep's are looked at: earlier ones were applied.
                let from = if swept_through > 0 {
                    swept_through.saturating_sub(SWEEP_OVERLAP_MS)
                } else {
                    i64::MIN
                };
                let expired = diesel::update(
                    sessions::table
                        .filter(sessions::expire_at.le(now))
                        .filter(sessions::expire_at.gt(from))
                        .filter(sessions::status.eq_any(LIVE)),
                )
                .set((
                    sessions::status.eq(sql::<Text>(&format!(
                        "CASE WHEN abandon_at <= {now} THEN 'abandoned' ELSE 'expired' END"
                    ))),
                    sessions::updated_at.eq(sql::<BigInt>(&format!(
                        "CASE WHEN abandon_at <= {now} \
                         THEN (CASE WHEN updated_at > abandon_at THEN updated_at ELSE abandon_at END) \
                         ELSE (CASE WHEN updated_at > expire_at THEN updated_at ELSE expire_at END) END"
                    ))),
                ))
                .execute(conn)?;
                diesel::update(sweeps::table.filter(sweeps::name.eq("housekeeping")))
                    .set(sweeps::swept_through.eq(now))
                    .execute(conn)?;
                Ok(Some(expired))
            })
            .map_err(|e| unexpected(e, "claiming the sweep and expiring sessions"))?;
            let Some(sessions_expired) = claimed else {
                return Ok(None);
            };
            let handshake_nonces_deleted = diesel::delete(
                handshake_nonces::table.filter(handshake_nonces::expires_at.le(now)),
            )
            .execute(conn)
            .map_err(|e| unexpected(e, "deleting expired handshake nonces"))?;
            let sign_in_tokens_deleted = diesel::delete(
                sign_in_tokens::table
                    .filter(sign_in_tokens::expires_at.le(delete_before)),
            )
            .execute(conn)
            .map_err(|e| unexpected(e, "deleting expired sign-in tokens"))?;
            let refresh_tokens_deleted = diesel::delete(
                refresh_tokens::table
                    .filter(refresh_tokens::expires_at.le(delete_before)),
            )
            .execute(conn)
            .map_err(|e| unexpected(e, "deleting expired refresh tokens"))?;
            Ok(Some(SweepReport {
                sessions_expired: count(sessions_expired),
                handshake_nonces_deleted: count(handshake_nonces_deleted),
                sign_in_tokens_deleted: count(sign_in_tokens_deleted),
                refresh_tokens_deleted: count(refresh_tokens_deleted),
            }))
        })
        .await
    }
}
