//! The sweep: at most once per interval (less a tenth) across processes;
//! stores the deadlines nobody read and deletes what expired long enough
//! ago.

use std::time::Duration;

use hallpass_app::SweepPolicy;
use hallpass_domain::SessionStatus;
use hallpass_ports::{SessionStore as _, SignInTokenStore as _};

use crate::lifecycle::signed_in;
use crate::support::*;

#[tokio::test]
async fn a_sweep_runs_once_an_interval_and_cleans_what_expired() {
    let env = env().await;
    let policy = SweepPolicy {
        interval: Duration::from_secs(100),
        retain: Duration::from_secs(3600),
    };
    let (_, out) = signed_in(&env, "user_1").await;
    user_exists(&env, "user_2").await;
    let ticket = env
        .app
        .create_sign_in_token(hallpass_domain::UserId::parse("user_2").unwrap(), Some(60))
        .await
        .unwrap();
    // Past the session's lifetime and the ticket's expiry plus `retain`.
    env.clock.advance(Duration::from_secs(7 * 24 * 3600));

    let report = env
        .app
        .sweep(policy)
        .await
        .unwrap()
        .expect("the first sweep runs");
    assert_eq!(report.sessions_expired, 1);
    assert_eq!(report.sign_in_tokens_deleted, 1);
    assert_eq!(
        env.store
            .find_session(out.session.id())
            .await
            .unwrap()
            .status(),
        SessionStatus::Expired
    );
    assert!(
        env.store
            .find_sign_in_token(ticket.token.id())
            .await
            .unwrap()
            .is_none()
    );

    assert!(
        env.app.sweep(policy).await.unwrap().is_none(),
        "right after"
    );
    env.clock.advance(Duration::from_secs(89));
    assert!(env.app.sweep(policy).await.unwrap().is_none(), "89 s later");
    env.clock.advance(Duration::from_secs(1));
    let again = env
        .app
        .sweep(policy)
        .await
        .unwrap()
        .expect("90 s: its turn");
    assert_eq!(again, Default::default(), "nothing left to do");
}
