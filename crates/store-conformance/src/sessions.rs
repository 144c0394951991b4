//! Sessions written with their client, and compare-and-set updates (`SessionStore`).

use std::sync::Arc;

use hallpass_domain::client::OnExistingSession;
use hallpass_domain::session::{Actor, NewSession, SessionTask};
use hallpass_domain::{
    ClientId, InstanceSettings, OrganizationId, RotatingToken, Session, SessionId, SessionStatus,
    UserId,
};
use hallpass_ports::store::*;

use crate::support::*;

pub(crate) async fn sign_in_stores_session_and_client_together<S: Store>(store: S) {
    let mut client = new_client(1);
    store.insert_client(&client).await.expect("insert");
    let session = signed_in(&store, &mut client, 10, "user_a", at(1)).await;
    assert_eq!(
        store.find_session(session.id()).await.expect("find"),
        session
    );
    let stored = store.find_client(client.id()).await.expect("find client");
    assert_eq!(stored, client);
    assert_eq!(stored.last_active_session_id(), Some(session.id()));
    assert!(matches!(
        store.find_session(&SessionId::from_random(99)).await,
        Err(FindSessionError::NotFound)
    ));
}

pub(crate) async fn a_client_is_read_with_its_sessions_in_one_call<S: Store>(store: S) {
    let mut lonely = new_client(1);
    store.insert_client(&lonely).await.expect("insert");
    assert_eq!(
        store
            .find_client_with_sessions(lonely.id())
            .await
            .expect("find with sessions"),
        (lonely.clone(), vec![])
    );
    let mut client = new_client(2);
    store.insert_client(&client).await.expect("insert");
    let first = signed_in(&store, &mut client, 10, "user_a", at(1)).await;
    let second = signed_in(&store, &mut client, 20, "user_b", at(2)).await;
    let other = signed_in(&store, &mut lonely, 30, "user_c", at(3)).await;
    let (found, sessions) = store
        .find_client_with_sessions(client.id())
        .await
        .expect("find with sessions");
    assert_eq!(found, client);
    // Newest first, as `list_client_sessions` lists them.
    assert_eq!(sessions, vec![second.clone(), first.clone()]);
    assert_eq!(
        sessions,
        store.list_client_sessions(client.id()).await.expect("list")
    );
    assert!(matches!(
        store
            .find_client_with_sessions(&ClientId::from_random(99))
            .await,
        Err(FindClientError::NotFound)
    ));

    // One session, ownership checked in the read.
    assert_eq!(
        store
            .find_client_session(client.id(), first.id())
            .await
            .expect("find client session"),
        (client.clone(), Some(first.clone()))
    );
    assert_eq!(
        store
            .find_client_session(client.id(), other.id())
            .await
            .expect("another client's session"),
        (client.clone(), None)
    );
    assert_eq!(
        store
            .find_client_session(client.id(), &SessionId::from_random(98))
            .await
            .expect("no such session"),
        (client.clone(), None)
    );
    assert!(matches!(
        store
            .find_client_session(&ClientId::from_random(99), first.id())
            .await,
        Err(FindClientError::NotFound)
    ));
}

pub(crate) async fn sign_in_with_a_stale_client_writes_nothing<S: Store>(store: S) {
    let mut client = new_client(1);
    store.insert_client(&client).await.expect("insert");
    let stale = client.clone();
    signed_in(&store, &mut client, 10, "user_a", at(1)).await;

    // A second sign-in prepared from the client as it was before the first.
    let mut racer = stale.clone();
    let out = racer
        .sign_in(
            &[],
            NewSession {
                id: SessionId::from_random(11),
                client_id: racer.id().clone(),
                user_id: UserId::parse("user_b").expect("user"),
                actor: None,
                active_organization_id: None,
                tasks: vec![],
            },
            RotatingToken::from_random(77),
            OnExistingSession::Refuse,
            &InstanceSettings::default(),
            at(2),
        )
        .expect("domain sign in");
    let result = store
        .save_sign_in(&racer, &stale, &out.session, &out.replaced, None, None)
        .await;
    assert!(
        matches!(result, Err(SaveSignInError::ClientChanged)),
        "{result:?}"
    );
    assert!(matches!(
        store.find_session(out.session.id()).await,
        Err(FindSessionError::NotFound)
    ));
    assert_eq!(store.find_client(client.id()).await.expect("find"), client);
}

pub(crate) async fn every_session_field_round_trips<S: Store>(store: S) {
    let mut client = new_client(1);
    store.insert_client(&client).await.expect("insert");
    let previous = client.clone();
    let out = client
        .sign_in(
            &[],
            NewSession {
                id: SessionId::from_random(5),
                client_id: client.id().clone(),
                user_id: UserId::parse("user_x").expect("user"),
                actor: Some(
                    Actor::new(
                        "user_admin".to_owned(),
                        Some("https://dashboard.example.com".to_owned()),
                        None,
                    )
                    .expect("actor"),
                ),
                active_organization_id: Some(OrganizationId::parse("org_9").expect("org")),
                tasks: vec![SessionTask::ChooseOrganization, SessionTask::SetupMfa],
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
    let stored = store.find_session(out.session.id()).await.expect("find");
    assert_eq!(stored, out.session);
    assert_eq!(stored.status(), SessionStatus::Pending);
}

pub(crate) async fn activity_is_stored_once_by_writers_that_read_the_same_row<S: Store>(store: S) {
    let mut client = new_client(1);
    store.insert_client(&client).await.expect("insert");
    let session = signed_in(&store, &mut client, 10, "user_a", at(1)).await;
    let settings = InstanceSettings::default();
    let read = session.last_active_at();

    // Two mints read the same row, both decide to record activity.
    let (mut first, mut second) = (session.clone(), session.clone());
    for (s, when) in [(&mut first, at(200)), (&mut second, at(201))] {
        assert_eq!(
            s.record_activity(when, &settings),
            Ok(hallpass_domain::Activity::Recorded)
        );
    }
    assert!(matches!(
        store.update_last_active(&first, read).await,
        Ok(true)
    ));
    assert!(matches!(
        store.update_last_active(&second, read).await,
        Ok(false)
    ));
    let stored = store.find_session(session.id()).await.expect("find");
    assert_eq!(stored, first, "the first writer's activity is kept");

    // Not live any more: refused, nothing written.
    let mut revoked = first.clone();
    revoked.revoke(at(300)).expect("revoke");
    store
        .update_session(&revoked, &[SessionStatus::Active, SessionStatus::Pending])
        .await
        .expect("revoke");
    let mut late = first.clone();
    late.record_activity(at(600), &settings).expect("activity");
    let result = store
        .update_last_active(&late, first.last_active_at())
        .await;
    assert!(
        matches!(
            result,
            Err(UpdateSessionError::StatusChanged {
                current: SessionStatus::Revoked
            })
        ),
        "{result:?}"
    );
    assert_eq!(
        store.find_session(session.id()).await.expect("find"),
        revoked
    );

    let ghost = Session::start(
        NewSession {
            id: SessionId::from_random(999),
            client_id: session.client_id().clone(),
            user_id: session.user_id().clone(),
            actor: None,
            active_organization_id: None,
            tasks: vec![],
        },
        &settings,
        at(1),
    );
    assert!(matches!(
        store.update_last_active(&ghost, at(1)).await,
        Err(UpdateSessionError::NotFound)
    ));
}

pub(crate) async fn update_session_is_compare_and_set_on_status<S: Store>(store: S) {
    let mut client = new_client(1);
    store.insert_client(&client).await.expect("insert");
    let session = signed_in(&store, &mut client, 10, "user_a", at(1)).await;

    let mut revoked = session.clone();
    revoked.revoke(at(2)).expect("revoke");
    store
        .update_session(&revoked, &[SessionStatus::Active, SessionStatus::Pending])
        .await
        .expect("revoke");

    // A touch prepared from the session as read before the revoke.
    let mut touched = session.clone();
    touched
        .record_activity(at(200), &InstanceSettings::default())
        .expect("touch");
    let result = store
        .update_session(&touched, &[SessionStatus::Active, SessionStatus::Pending])
        .await;
    assert!(
        matches!(
            result,
            Err(UpdateSessionError::StatusChanged {
                current: SessionStatus::Revoked
            })
        ),
        "{result:?}"
    );
    assert_eq!(
        store.find_session(session.id()).await.expect("find"),
        revoked
    );

    let mut ghost = session.clone();
    ghost.end(at(3)).expect("end");
    let ghost = Session::from_record(hallpass_domain::session::SessionRecord {
        id: SessionId::from_random(404),
        ..ghost.to_record()
    });
    assert!(matches!(
        store.update_session(&ghost, &[SessionStatus::Active]).await,
        Err(UpdateSessionError::NotFound)
    ));
}

pub(crate) async fn a_revoke_racing_touches_always_wins<S: Store>(store: S) {
    let store = Arc::new(store);
    let mut client = new_client(1);
    store.insert_client(&client).await.expect("insert");
    let live = [SessionStatus::Active, SessionStatus::Pending];
    for round in 0..8u128 {
        let session = signed_in(&*store, &mut client, 100 + round, "user_a", at(1)).await;
        let mut tasks = Vec::new();
        for i in 0..8i64 {
            let st = Arc::clone(&store);
            let mut s = session.clone();
            tasks.push(tokio::spawn(async move {
                s.record_activity(at(100 + i * 61), &InstanceSettings::default())
                    .expect("touch");
                let _ = st.update_session(&s, &live).await;
            }));
            if i == 3 {
                let st = Arc::clone(&store);
                let mut s = session.clone();
                tasks.push(tokio::spawn(async move {
                    s.revoke(at(150)).expect("revoke");
                    st.update_session(&s, &live).await.expect("revoke");
                }));
            }
        }
        for t in tasks {
            t.await.expect("task");
        }
        let stored = store.find_session(session.id()).await.expect("find");
        assert_eq!(stored.status(), SessionStatus::Revoked, "round {round}");
    }
}

pub(crate) async fn sign_out_leaves_concurrently_terminated_sessions_alone<S: Store>(store: S) {
    let mut client = new_client(1);
    store.insert_client(&client).await.expect("insert");
    let a = signed_in(&store, &mut client, 10, "user_a", at(1)).await;
    let b = signed_in(&store, &mut client, 11, "user_b", at(2)).await;

    // b is revoked by the Backend API after the sign-out read it.
    let mut revoked = b.clone();
    revoked.revoke(at(3)).expect("revoke");
    store
        .update_session(&revoked, &[SessionStatus::Active])
        .await
        .expect("revoke");

    let previous = client.clone();
    let changed = client.sign_out_all(&[a.clone(), b.clone()], true, at(4));
    let written = store
        .save_sign_out(&client, &previous, &changed)
        .await
        .expect("sign out");
    assert_eq!(written, 1);
    assert_eq!(
        store.find_session(a.id()).await.expect("a").status(),
        SessionStatus::Removed
    );
    assert_eq!(
        store.find_session(b.id()).await.expect("b").status(),
        SessionStatus::Revoked
    );
    assert_eq!(
        store.find_client(client.id()).await.expect("client"),
        client
    );
}
