//! The housekeeping sweep (`SweepStore`).

use std::sync::Arc;

use hallpass_domain::{Client, ClientId, RotatingToken, SessionStatus, UnixMillis, UserId};
use hallpass_ports::store::*;

use crate::support::*;

pub(crate) async fn a_sweep_applies_passed_deadlines_and_deletes_dead_rows_once_per_gap<
    S: Store,
>(
    store: S,
) {
    use hallpass_domain::refresh::RefreshStatus;
    const DAY: i64 = 24 * 3600;
    let now = at(8 * DAY);
    // Sessions with the default lifetime (7 days, abandoned after 30):
    // one past expiry, one still live, one revoked, one past abandonment.
    let mut sessions = Vec::new();
    for (n, created) in [(1, at(0)), (2, at(7 * DAY)), (3, at(0)), (4, at(-26 * DAY))] {
        let mut client = Client::new(
            ClientId::from_random(n),
            RotatingToken::from_random(n),
            created,
        );
        store.insert_client(&client).await.expect("client");
        sessions.push(signed_in(&store, &mut client, n * 10, "user_s", created).await);
    }
    let mut revoked = sessions[2].clone();
    revoked.revoke(at(60)).expect("revoke");
    store
        .update_session(&revoked, &[SessionStatus::Active])
        .await
        .expect("revoke");
    sessions[2] = revoked;

    let nonce = |c: char| c.to_string().repeat(64);
    store
        .insert_handshake_nonce(&nonce('a'), &[], now, at(0))
        .await
        .expect("nonce");
    store
        .insert_handshake_nonce(&nonce('b'), &[], at(8 * DAY + 60), at(0))
        .await
        .expect("nonce");
    let ticket = |n: u128, c: char, created: UnixMillis| {
        hallpass_domain::sign_in_token::SignInToken::create(
            hallpass_domain::SignInTokenId::from_random(n),
            UserId::parse("user_t").expect("user"),
            c.to_string().repeat(64),
            Some(600),
            created,
        )
        .expect("token")
    };
    store
        .insert_sign_in_token(&ticket(1, 'c', at(0)))
        .await
        .expect("ticket");
    store
        .insert_sign_in_token(&ticket(2, 'd', at(8 * DAY)))
        .await
        .expect("ticket");
    let refresh = |c: char, expires_at: UnixMillis| RefreshTokenRecord {
        token_hash: c.to_string().repeat(64),
        session_id: sessions[1].id().clone(),
        status: RefreshStatus::Active,
        successor_hash: None,
        rotated_at: None,
        expires_at,
        created_at: at(7 * DAY),
    };
    store
        .insert_refresh_token(&refresh('e', at(DAY)))
        .await
        .expect("refresh");
    store
        .insert_refresh_token(&refresh('f', at(9 * DAY)))
        .await
        .expect("refresh");

    let plan = |now: UnixMillis| SweepPlan {
        now,
        min_gap_ms: 60_000,
        delete_expired_before: UnixMillis::new(now.as_millis() - DAY * 1000),
    };
    let report = store.sweep(&plan(now)).await.expect("sweep");
    assert_eq!(
        report,
        Some(SweepReport {
            sessions_expired: 2,
            handshake_nonces_deleted: 1,
            sign_in_tokens_deleted: 1,
            refresh_tokens_deleted: 1,
        })
    );
    // Stored exactly as the domain observes them at `now`.
    for original in &sessions {
        let mut expected = original.clone();
        expected.observe(now);
        assert_eq!(
            store.find_session(original.id()).await.expect("find"),
            expected
        );
    }
    assert_eq!(
        store
            .find_session(sessions[0].id())
            .await
            .expect("find")
            .status(),
        SessionStatus::Expired
    );
    assert_eq!(
        store
            .find_session(sessions[3].id())
            .await
            .expect("find")
            .status(),
        SessionStatus::Abandoned
    );
    assert_eq!(
        store
            .find_session(sessions[1].id())
            .await
            .expect("find")
            .status(),
        SessionStatus::Active
    );
    assert!(
        store
            .find_sign_in_token_by_hash(&nonce('c'))
            .await
            .expect("find")
            .is_none()
    );
    assert!(
        store
            .find_sign_in_token_by_hash(&nonce('d'))
            .await
            .expect("find")
            .is_some()
    );
    assert!(
        store
            .find_refresh_token(&nonce('e'))
            .await
            .expect("find")
            .is_none()
    );
    assert!(
        store
            .find_refresh_token(&nonce('f'))
            .await
            .expect("find")
            .is_some()
    );
    assert!(
        store
            .take_handshake_nonce(&nonce('b'), now)
            .await
            .expect("take")
            .is_some()
    );

    // Within the gap: nothing; after it: a sweep with nothing left to do.
    let soon = UnixMillis::new(now.as_millis() + 59_000);
    assert_eq!(store.sweep(&plan(soon)).await.expect("sweep"), None);
    let later = UnixMillis::new(now.as_millis() + 60_000);
    assert_eq!(
        store.sweep(&plan(later)).await.expect("sweep"),
        Some(SweepReport::default())
    );

    // Concurrent sweeps (several processes): exactly one runs.
    let store = Arc::new(store);
    let again = UnixMillis::new(now.as_millis() + 180_000);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.sweep(&plan(again)).await.expect("sweep") })
        })
        .collect();
    let mut ran = 0;
    for t in tasks {
        if t.await.expect("join").is_some() {
            ran += 1;
        }
    }
    assert_eq!(ran, 1);

    // A deadline that passes after a sweep is applied by the next one.
    let week_later = at(14 * DAY + 1);
    let report = store
        .sweep(&plan(week_later))
        .await
        .expect("sweep")
        .expect("claimed");
    assert_eq!(report.sessions_expired, 1);
    let mut expected = sessions[1].clone();
    expected.observe(week_later);
    assert_eq!(expected.status(), SessionStatus::Expired);
    assert_eq!(
        store.find_session(sessions[1].id()).await.expect("find"),
        expected
    );
}
