//! The housekeeping sweep, run in the background of `hallpass serve`.
//!
//! Every node tries once per interval; the store lets one of them through
//! (see `hallpass_ports::SweepStore`), so with several nodes on one
//! database the sweep still runs about once per interval.

use actix_web::web;
use hallpass_app::{Hallpass, SweepPolicy};
use hallpass_ports::{KeyRingFactory, Store};

pub async fn run<S: Store, K: KeyRingFactory>(app: web::Data<Hallpass<S, K>>, policy: SweepPolicy) {
    let mut ticker = tokio::time::interval(policy.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match app.sweep(policy).await {
            Ok(Some(report)) => tracing::info!(
                sessions_expired = report.sessions_expired,
                handshake_nonces_deleted = report.handshake_nonces_deleted,
                sign_in_tokens_deleted = report.sign_in_tokens_deleted,
                refresh_tokens_deleted = report.refresh_tokens_deleted,
                "housekeeping sweep done"
            ),
            Ok(None) => tracing::debug!("housekeeping sweep: another node's turn"),
            Err(e) => {
                tracing::warn!(error = %e, "housekeeping sweep failed; retrying next interval")
            }
        }
    }
}
