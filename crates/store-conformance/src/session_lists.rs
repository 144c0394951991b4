//! Listing sessions, and hostile strings stored as data (`SessionStore`).

use hallpass_domain::client::OnExistingSession;
use hallpass_domain::session::{Actor, NewSession};
use hallpass_domain::{
    ClientId, InstanceSettings, RotatingToken, SessionId, SessionStatus, UserId,
};
use hallpass_ports::store::*;

use crate::support::*;

pub(crate) async fn sessions_are_listed_newest_first_with_filters_and_counts<S: Store>(store: S) {
    let mut c1 = new_client(1);
    let mut c2 = new_client(2);
    store.insert_client(&c1).await.expect("insert");
    store.insert_client(&c2).await.expect("insert");
    let mut ids = Vec::new();
    for i in 0..5u128 {
        let client = if i % 2 == 0 { &mut c1 } else { &mut c2 };
        let s = signed_in(
            &store,
            client,
            10 + i,
            "user_a",
            at(i64::try_from(i).unwrap_or(0) * 10),
        )
        .await;
        ids.push(s);
    }
    let other = signed_in(&store, &mut c2, 50, "user_b", at(100)).await;
    let mut ended = ids[1].clone();
    ended.end(at(60)).expect("end");
    store
        .update_session(&ended, &[SessionStatus::Active])
        .await
        .expect("end");

    let query =
        |client_id: Option<ClientId>, user: Option<&str>, status, limit, offset| SessionQuery {
            client_id,
            user_id: user.map(|u| UserId::parse(u).expect("user")),
            status,
            limit,
            offset,
        };

    let activity = hallpass_domain::activity::SessionActivity::new(
        false,
        Some("desktop".into()),
        Some("Firefox".into()),
        None,
        Some("203.0.113.7".into()),
    );
    store
        .record_session_activity(ids[2].id(), &activity, at(70))
        .await
        .expect("record");

    let page = store
        .list_sessions(&query(None, Some("user_a"), None, 10, 0))
        .await
        .expect("list");
    assert_eq!(page.total_count, 5);
    let got: Vec<_> = page.sessions.iter().map(|s| s.id().clone()).collect();
    let want: Vec<_> = ids.iter().rev().map(|s| s.id().clone()).collect();
    assert_eq!(got, want, "newest first");
    // The listed sessions' latest activities come with the page.
    assert_eq!(
        page.activities,
        std::collections::HashMap::from([(ids[2].id().clone(), activity.clone())])
    );

    let page = store
        .list_sessions(&query(None, Some("user_a"), None, 2, 1))
        .await
        .expect("list");
    assert_eq!(page.total_count, 5);
    assert_eq!(page.sessions.len(), 2);
    assert_eq!(page.sessions[0].id(), ids[3].id());
    assert_eq!(page.sessions[1].id(), ids[2].id());
    assert_eq!(page.activities.len(), 1);
    let page = store
        .list_sessions(&query(None, Some("user_a"), None, 2, 3))
        .await
        .expect("list");
    assert_eq!(page.total_count, 5);
    assert!(
        page.activities.is_empty(),
        "only the listed sessions' activities"
    );

    let page = store
        .list_sessions(&query(None, Some("user_a"), None, 10, 50))
        .await
        .expect("list");
    assert!(page.sessions.is_empty());
    assert_eq!(page.total_count, 5);

    let page = store
        .list_sessions(&query(Some(c2.id().clone()), None, None, 10, 0))
        .await
        .expect("list");
    assert_eq!(page.total_count, 3);
    assert_eq!(page.sessions[0].id(), other.id());

    let page = store
        .list_sessions(&query(
            Some(c2.id().clone()),
            Some("user_a"),
            Some(SessionStatus::Ended),
            10,
            0,
        ))
        .await
        .expect("list");
    assert_eq!(page.total_count, 1);
    assert_eq!(page.sessions[0], ended);

    let page = store
        .list_sessions(&query(None, None, Some(SessionStatus::Revoked), 10, 0))
        .await
        .expect("list");
    assert_eq!(page.total_count, 0);
    // Unscoped (deprecated), by status and in all.
    let page = store
        .list_sessions(&query(None, None, Some(SessionStatus::Ended), 10, 0))
        .await
        .expect("list");
    assert_eq!(page.total_count, 1);
    assert_eq!(page.sessions, vec![ended.clone()]);
    let page = store
        .list_sessions(&query(None, None, None, 2, 0))
        .await
        .expect("list");
    assert_eq!(page.total_count, 6);
    assert_eq!(page.sessions[0].id(), other.id());
    assert_eq!(page.sessions.len(), 2);

    let listed = store.list_client_sessions(c1.id()).await.expect("list");
    let got: Vec<_> = listed.iter().map(|s| s.id().clone()).collect();
    assert_eq!(
        got,
        vec![
            ids[4].id().clone(),
            ids[2].id().clone(),
            ids[0].id().clone()
        ]
    );
}

pub(crate) async fn hostile_strings_are_stored_as_data<S: Store>(store: S) {
    let mut client = new_client(1);
    store.insert_client(&client).await.expect("insert");
    let previous = client.clone();
    let out = client
        .sign_in(
            &[],
            NewSession {
                id: SessionId::from_random(5),
                client_id: client.id().clone(),
                user_id: UserId::parse("user_plain").expect("user"),
                actor: Some(
                    Actor::new(
                        "x'); DROP TABLE sessions; --".to_owned(),
                        Some("\"quoted\" \\ back%00slash ünïcode 🦀".to_owned()),
                        Some("sess_' OR '1'='1".to_owned()),
                    )
                    .expect("actor"),
                ),
                active_organization_id: None,
                tasks: vec![],
            },
            RotatingToken::from_random(6),
            OnExistingSession::Refuse,
            &InstanceSettings::default(),
            at(3),
        )
        .expect("sign in");
    store
        .save_sign_in(&client, &previous, &out.session, &[], None, None)
        .await
        .expect("save");
    assert_eq!(
        store.find_session(out.session.id()).await.expect("find"),
        out.session
    );
}
