//! The storage conformance suite: one set of tests, generic over the store,
//! that every storage adapter runs with [`storage_conformance_tests!`]:
//!
//! ```ignore
//! hallpass_ports::storage_conformance_tests!(|| async { (fresh_store().await, guard) });
//! ```
//!
//! Each case gets a fresh, empty, migrated store, and a guard value that the
//! test holds until it ends (a temporary directory, a database to drop).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use hallpass_domain::client::OnExistingSession;
use hallpass_domain::session::{Actor, NewSession, SessionTask};
use hallpass_domain::{
    Client, ClientId, Environment, Instance, InstanceId, InstanceSettings, OrganizationId,
    RotatingToken, Session, SessionId, SessionStatus, UnixMillis, UserId,
};

use crate::store::*;

const T0: UnixMillis = UnixMillis::new(1_700_000_000_000);

fn at(secs: i64) -> UnixMillis {
    UnixMillis::new(T0.as_millis() + secs * 1000)
}

fn signing_key(kid: &str, created: UnixMillis) -> SigningKeyRecord {
    SigningKeyRecord {
        kid: kid.to_owned(),
        algorithm: "RS256".to_owned(),
        private_key: "-----BEGIN PRIVATE KEY-----\nnot a real key\n-----END PRIVATE KEY-----\n"
            .to_owned(),
        sealing: "none".to_owned(),
        public_jwk: format!(r#"{{"kid":"{kid}","kty":"RSA"}}"#),
        created_at: created,
        activates_at: created,
        retires_at: None,
    }
}

fn secret_key(id: &str, hash: &str) -> SecretKeyRecord {
    SecretKeyRecord {
        id: id.to_owned(),
        hash: hash.to_owned(),
        hint: "abcd".to_owned(),
        created_at: T0,
        revoked_at: None,
    }
}

fn instance_init() -> InstanceInit {
    InstanceInit {
        instance: Instance {
            id: InstanceId::from_random(1),
            environment: Environment::Development,
            created_at: T0,
        },
        signing_key: signing_key("ins_key1", T0),
        secret_key: secret_key("sk_id1", &"a".repeat(64)),
    }
}

fn new_client(n: u128) -> Client {
    Client::new(ClientId::from_random(n), RotatingToken::from_random(n), T0)
}

fn multi_session() -> InstanceSettings {
    InstanceSettings::new(
        *InstanceSettings::default().lifetime(),
        std::time::Duration::from_secs(60),
        std::time::Duration::from_secs(60),
        true,
    )
    .unwrap_or_default()
}

async fn signed_in<S: Store>(
    store: &S,
    client: &mut Client,
    n: u128,
    user: &str,
    now: UnixMillis,
) -> Session {
    let previous = client.clone();
    let sessions = store
        .list_client_sessions(client.id())
        .await
        .expect("list client sessions");
    let new = NewSession {
        id: SessionId::from_random(n),
        client_id: client.id().clone(),
        user_id: UserId::parse(user).expect("user id"),
        actor: None,
        active_organization_id: None,
        tasks: vec![],
    };
    let out = client
        .sign_in(
            &sessions,
            new,
            RotatingToken::from_random(n + 1_000_000),
            OnExistingSession::Refuse,
            &multi_session(),
            now,
        )
        .expect("sign in");
    store
        .save_sign_in(client, &previous, &out.session, &out.replaced, None)
        .await
        .expect("save sign in");
    out.session
}

pub async fn instance_is_created_once<S: Store>(store: S) {
    assert!(store.load_instance().await.expect("load").is_none());
    let init = instance_init();
    store.create_instance(&init).await.expect("create");
    assert_eq!(
        store.load_instance().await.expect("load"),
        Some(init.instance.clone())
    );
    assert!(matches!(
        store.create_instance(&init).await,
        Err(CreateInstanceError::AlreadyExists)
    ));
    store.ping().await.expect("ping");
}

pub async fn signing_keys_are_listed_oldest_first_and_unique<S: Store>(store: S) {
    store
        .create_instance(&instance_init())
        .await
        .expect("create");
    let mut second = signing_key("ins_key2", at(10));
    second.retires_at = Some(at(1000));
    store.insert_signing_key(&second).await.expect("insert");
    let keys = store.list_signing_keys().await.expect("list");
    assert_eq!(keys, vec![signing_key("ins_key1", T0), second.clone()]);
    assert!(matches!(
        store.insert_signing_key(&second).await,
        Err(InsertError::Conflict)
    ));
}

pub async fn a_rotation_publishes_the_next_key_and_schedules_the_old_ones_retirement<S: Store>(
    store: S,
) {
    store
        .create_instance(&instance_init())
        .await
        .expect("create");
    let mut next = signing_key("ins_key2", at(10));
    next.activates_at = at(600);
    store
        .rotate_signing_key(&next, at(700), at(10))
        .await
        .expect("rotate");
    let keys = store.list_signing_keys().await.expect("list");
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].kid, "ins_key1");
    assert_eq!(keys[0].retires_at, Some(at(700)));
    assert_eq!(keys[1], next);

    // A second rotation while one is pending is refused and writes nothing.
    let third = signing_key("ins_key3", at(20));
    let result = store.rotate_signing_key(&third, at(900), at(20)).await;
    assert!(
        matches!(result, Err(RotateKeyError::Pending { ref kid }) if kid == "ins_key2"),
        "{result:?}"
    );
    assert_eq!(store.list_signing_keys().await.expect("list"), keys);

    // Once the next key is active, the following rotation goes through and
    // never postpones a retirement already scheduled earlier.
    let mut third = signing_key("ins_key3", at(800));
    third.activates_at = at(1400);
    store
        .rotate_signing_key(&third, at(1500), at(800))
        .await
        .expect("rotate again");
    let keys = store.list_signing_keys().await.expect("list");
    assert_eq!(keys[0].retires_at, Some(at(700)));
    assert_eq!(keys[1].retires_at, Some(at(1500)));
    assert_eq!(keys[2].retires_at, None);
}

pub async fn secret_keys_are_found_by_hash_only<S: Store>(store: S) {
    store
        .create_instance(&instance_init())
        .await
        .expect("create");
    let found = store.find_secret_key(&"a".repeat(64)).await.expect("find");
    assert_eq!(found, Some(secret_key("sk_id1", &"a".repeat(64))));
    assert_eq!(
        store.find_secret_key(&"b".repeat(64)).await.expect("find"),
        None
    );
    let mut revoked = secret_key("sk_id2", &"c".repeat(64));
    revoked.revoked_at = Some(at(5));
    store.insert_secret_key(&revoked).await.expect("insert");
    assert_eq!(store.list_secret_keys().await.expect("list").len(), 2);
    assert!(matches!(
        store.insert_secret_key(&revoked).await,
        Err(InsertError::Conflict)
    ));
}

pub async fn clients_round_trip_and_report_missing_and_duplicates<S: Store>(store: S) {
    let client = new_client(1);
    store.insert_client(&client).await.expect("insert");
    assert_eq!(store.find_client(client.id()).await.expect("find"), client);
    assert!(matches!(
        store.insert_client(&client).await,
        Err(InsertError::Conflict)
    ));
    assert!(matches!(
        store.find_client(&ClientId::from_random(2)).await,
        Err(FindClientError::NotFound)
    ));
    let ghost = new_client(3);
    assert!(matches!(
        store.update_client(&ghost, &ghost).await,
        Err(UpdateClientError::NotFound)
    ));
    let mut changed = client.clone();
    changed.sign_out_all(&[], true, T0);
    store
        .update_client(&changed, &client)
        .await
        .expect("update");
    assert_eq!(store.find_client(client.id()).await.expect("find"), changed);
    // A second writer that read the client before the first change.
    let mut stale = client.clone();
    stale.sign_out_all(&[], false, at(1));
    assert!(matches!(
        store.update_client(&stale, &client).await,
        Err(UpdateClientError::Changed)
    ));
    assert_eq!(store.find_client(client.id()).await.expect("find"), changed);
}

pub async fn sign_in_stores_session_and_client_together<S: Store>(store: S) {
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

pub async fn a_client_is_read_with_its_sessions_in_one_call<S: Store>(store: S) {
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

pub async fn sign_in_with_a_stale_client_writes_nothing<S: Store>(store: S) {
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
        .save_sign_in(&racer, &stale, &out.session, &out.replaced, None)
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

pub async fn every_session_field_round_trips<S: Store>(store: S) {
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
        .save_sign_in(&client, &previous, &out.session, &[], None)
        .await
        .expect("save");
    let stored = store.find_session(out.session.id()).await.expect("find");
    assert_eq!(stored, out.session);
    assert_eq!(stored.status(), SessionStatus::Pending);
}

pub async fn activity_is_stored_once_by_writers_that_read_the_same_row<S: Store>(store: S) {
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

pub async fn update_session_is_compare_and_set_on_status<S: Store>(store: S) {
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

pub async fn a_revoke_racing_touches_always_wins<S: Store>(store: S) {
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

pub async fn sign_out_leaves_concurrently_terminated_sessions_alone<S: Store>(store: S) {
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

pub async fn sessions_are_listed_newest_first_with_filters_and_counts<S: Store>(store: S) {
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

pub async fn hostile_strings_are_stored_as_data<S: Store>(store: S) {
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
        .save_sign_in(&client, &previous, &out.session, &[], None)
        .await
        .expect("save");
    assert_eq!(
        store.find_session(out.session.id()).await.expect("find"),
        out.session
    );
}

fn template(n: u128, name: &str, created: UnixMillis) -> TemplateRow {
    let claims: hallpass_domain::JsonObject = [
        ("aud", hallpass_domain::Json::str("https://api.example.com")),
        (
            "name",
            hallpass_domain::Json::str("{{user.first_name}} ünïcode 🦀 \"q\" '--"),
        ),
        (
            "nested",
            hallpass_domain::Json::Array(vec![
                hallpass_domain::Json::int(-7),
                hallpass_domain::Json::float(1.5).expect("finite"),
                hallpass_domain::Json::Null,
                hallpass_domain::Json::Bool(true),
            ]),
        ),
    ]
    .into_iter()
    .collect();
    TemplateRow {
        id: hallpass_domain::JwtTemplateId::from_random(n),
        name: hallpass_domain::TemplateName::parse(name).expect("name"),
        claims,
        lifetime: 60,
        allowed_clock_skew: 5,
        custom_key: None,
        created_at: created,
        updated_at: created,
    }
}

pub async fn templates_round_trip_with_unique_names<S: Store>(store: S) {
    let a = template(1, "supabase", at(1));
    let mut b = template(2, "hasura", at(2));
    b.custom_key = Some(SealedCustomKey {
        algorithm: hallpass_domain::SigningAlgorithm::HS256,
        sealed: "sealed-bytes".to_owned(),
        sealing: "jwe-dir-a256gcm:0011".to_owned(),
    });
    store.insert_template(&a).await.expect("insert a");
    store.insert_template(&b).await.expect("insert b");
    assert_eq!(store.find_template(&a.id).await.expect("find"), a);
    assert_eq!(
        store
            .find_template_by_name("hasura")
            .await
            .expect("by name"),
        b
    );
    assert!(matches!(
        store.find_template_by_name("HASURA").await,
        Err(FindTemplateError::NotFound)
    ));
    assert!(matches!(
        store.insert_template(&template(3, "supabase", at(3))).await,
        Err(SaveTemplateError::NameTaken)
    ));

    // Rename onto a taken name is refused; a real update is stored.
    let mut renamed = a.clone();
    renamed.name = hallpass_domain::TemplateName::parse("hasura").expect("name");
    assert!(matches!(
        store.update_template(&renamed).await,
        Err(SaveTemplateError::NameTaken)
    ));
    let mut updated = a.clone();
    updated.lifetime = 3600;
    updated.updated_at = at(9);
    store.update_template(&updated).await.expect("update");
    assert_eq!(store.find_template(&a.id).await.expect("find"), updated);
    assert!(matches!(
        store.update_template(&template(4, "ghost", at(4))).await,
        Err(SaveTemplateError::NotFound)
    ));

    let (page, total) = store.list_templates(10, 0).await.expect("list");
    assert_eq!(total, 2);
    assert_eq!(page, vec![b.clone(), updated.clone()], "newest first");
    let (page, total) = store.list_templates(1, 1).await.expect("list");
    assert_eq!((page, total), (vec![updated], 2));
    let (page, _) = store.list_templates(10, 10).await.expect("list");
    assert!(page.is_empty());

    store.delete_template(&b.id).await.expect("delete");
    assert!(matches!(
        store.delete_template(&b.id).await,
        Err(FindTemplateError::NotFound)
    ));
    assert!(matches!(
        store.find_template(&b.id).await,
        Err(FindTemplateError::NotFound)
    ));
}

pub async fn dev_browsers_bind_to_clients<S: Store>(store: S) {
    let browser = DevBrowserRecord {
        id: hallpass_domain::DevBrowserId::from_random(1),
        client_id: None,
        created_at: T0,
        updated_at: T0,
    };
    store.insert_dev_browser(&browser).await.expect("insert");
    assert_eq!(
        store.find_dev_browser(&browser.id).await.expect("find"),
        Some(browser.clone())
    );
    assert!(matches!(
        store.insert_dev_browser(&browser).await,
        Err(InsertError::Conflict)
    ));
    let client = new_client(1);
    store.insert_client(&client).await.expect("client");
    assert!(
        store
            .bind_dev_browser(&browser.id, client.id(), at(5))
            .await
            .expect("bind")
    );
    let bound = store
        .find_dev_browser(&browser.id)
        .await
        .expect("find")
        .expect("some");
    assert_eq!(bound.client_id.as_ref(), Some(client.id()));
    assert_eq!(bound.updated_at, at(5));
    let ghost = hallpass_domain::DevBrowserId::from_random(2);
    assert!(
        !store
            .bind_dev_browser(&ghost, client.id(), at(5))
            .await
            .expect("bind")
    );
    assert_eq!(store.find_dev_browser(&ghost).await.expect("find"), None);
}

fn sign_in_token(n: u128, hash_char: char) -> hallpass_domain::sign_in_token::SignInToken {
    hallpass_domain::sign_in_token::SignInToken::create(
        hallpass_domain::SignInTokenId::from_random(n),
        UserId::parse("user_t").expect("user"),
        hash_char.to_string().repeat(64),
        Some(600),
        T0,
    )
    .expect("token")
}

pub async fn sign_in_tokens_are_found_by_hash_and_change_only_from_the_expected_status<S: Store>(
    store: S,
) {
    use hallpass_domain::sign_in_token::SignInTokenStatus as St;
    let token = sign_in_token(1, 'a');
    store.insert_sign_in_token(&token).await.expect("insert");
    assert_eq!(
        store
            .find_sign_in_token_by_hash(&"a".repeat(64))
            .await
            .expect("find"),
        Some(token.clone())
    );
    assert_eq!(
        store
            .find_sign_in_token_by_hash(&"b".repeat(64))
            .await
            .expect("find"),
        None
    );
    assert_eq!(
        store.find_sign_in_token(token.id()).await.expect("find"),
        Some(token.clone())
    );
    assert!(matches!(
        store.insert_sign_in_token(&sign_in_token(2, 'a')).await,
        Err(InsertError::Conflict)
    ));
    let mut revoked = token.clone();
    revoked.revoke(at(1)).expect("revoke");
    store
        .update_sign_in_token(&revoked, St::Pending)
        .await
        .expect("update");
    assert!(matches!(
        store.update_sign_in_token(&revoked, St::Pending).await,
        Err(UpdateSignInTokenError::Changed)
    ));
    assert!(matches!(
        store
            .update_sign_in_token(&sign_in_token(3, 'c'), St::Pending)
            .await,
        Err(UpdateSignInTokenError::NotFound)
    ));
}

pub async fn a_ticket_signs_in_at_most_once_even_when_raced<S: Store>(store: S) {
    let store = Arc::new(store);
    let token = sign_in_token(1, 'd');
    store.insert_sign_in_token(&token).await.expect("insert");
    let mut tasks = Vec::new();
    for n in 0..6u128 {
        let st = Arc::clone(&store);
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = new_client(100 + n);
            st.insert_client(&client).await.expect("client");
            let previous = client.clone();
            let mut accepted = token;
            accepted.accept(at(2)).expect("accept");
            let out = client
                .sign_in(
                    &[],
                    NewSession {
                        id: SessionId::from_random(500 + n),
                        client_id: client.id().clone(),
                        user_id: accepted.user_id().clone(),
                        actor: None,
                        active_organization_id: None,
                        tasks: vec![],
                    },
                    RotatingToken::from_random(900 + n),
                    OnExistingSession::Refuse,
                    &InstanceSettings::default(),
                    at(2),
                )
                .expect("domain sign in");
            let result = st
                .save_sign_in(&client, &previous, &out.session, &[], Some(&accepted))
                .await;
            (result, out.session.id().clone())
        }));
    }
    let mut won = 0;
    for t in tasks {
        let (result, session_id) = t.await.expect("task");
        match result {
            Ok(()) => won += 1,
            Err(SaveSignInError::TicketUsed) => assert!(matches!(
                store.find_session(&session_id).await,
                Err(FindSessionError::NotFound)
            )),
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(won, 1, "exactly one sign-in consumed the ticket");
    let stored = store
        .find_sign_in_token(token.id())
        .await
        .expect("find")
        .expect("some");
    assert_eq!(
        stored.status(),
        hallpass_domain::sign_in_token::SignInTokenStatus::Accepted
    );
}

pub async fn a_handshake_nonce_is_read_once_and_not_after_it_expires<S: Store>(store: S) {
    let directives = vec![
        "__session=abc; Path=/; SameSite=Lax".to_owned(),
        "__client_uat=1; Path=/; Domain=example.com; \"quoted\" ünïcode".to_owned(),
    ];
    store
        .insert_handshake_nonce(&"e".repeat(64), &directives, at(60), at(0))
        .await
        .expect("insert");
    assert_eq!(
        store
            .take_handshake_nonce(&"e".repeat(64), at(1))
            .await
            .expect("take"),
        Some(directives.clone())
    );
    assert_eq!(
        store
            .take_handshake_nonce(&"e".repeat(64), at(2))
            .await
            .expect("take"),
        None
    );
    store
        .insert_handshake_nonce(&"f".repeat(64), &directives, at(60), at(0))
        .await
        .expect("insert");
    assert_eq!(
        store
            .take_handshake_nonce(&"f".repeat(64), at(60))
            .await
            .expect("take"),
        None
    );
    assert!(matches!(
        store
            .insert_handshake_nonce(&"e".repeat(64), &[], at(60), at(0))
            .await,
        Ok(())
    ));
    assert!(matches!(
        store
            .insert_handshake_nonce(&"e".repeat(64), &[], at(60), at(0))
            .await,
        Err(InsertError::Conflict)
    ));
}

pub async fn refresh_tokens_rotate_once_and_revoke_with_their_session<S: Store>(store: S) {
    use hallpass_domain::refresh::RefreshStatus;
    let mut client = new_client(1);
    store.insert_client(&client).await.expect("client");
    let session = signed_in(&store, &mut client, 10, "user_r", at(1)).await;
    let record = |hash: &str| RefreshTokenRecord {
        token_hash: hash.to_owned(),
        session_id: session.id().clone(),
        status: RefreshStatus::Active,
        successor_hash: None,
        rotated_at: None,
        expires_at: at(1000),
        created_at: at(1),
    };
    let root = record(&"1".repeat(64));
    store.insert_refresh_token(&root).await.expect("insert");
    assert_eq!(
        store
            .find_refresh_token(&root.token_hash)
            .await
            .expect("find"),
        Some(root.clone())
    );
    let next = record(&"2".repeat(64));
    store
        .rotate_refresh_token(&root.token_hash, &next, at(5))
        .await
        .expect("rotate");
    let rotated = store
        .find_refresh_token(&root.token_hash)
        .await
        .expect("find")
        .expect("some");
    assert_eq!(rotated.status, RefreshStatus::Rotated);
    assert_eq!(
        rotated.successor_hash.as_deref(),
        Some(next.token_hash.as_str())
    );
    assert_eq!(rotated.rotated_at, Some(at(5)));
    let racer = record(&"3".repeat(64));
    assert!(matches!(
        store
            .rotate_refresh_token(&root.token_hash, &racer, at(6))
            .await,
        Err(RotateRefreshError::Changed)
    ));
    assert_eq!(
        store
            .find_refresh_token(&racer.token_hash)
            .await
            .expect("find"),
        None
    );
    store
        .revoke_refresh_tokens(session.id())
        .await
        .expect("revoke");
    for hash in [&root.token_hash, &next.token_hash] {
        let t = store
            .find_refresh_token(hash)
            .await
            .expect("find")
            .expect("some");
        assert_eq!(t.status, RefreshStatus::Revoked);
    }

    let secret = SealedCustomKey {
        algorithm: hallpass_domain::SigningAlgorithm::HS256,
        sealed: "s".repeat(64),
        sealing: "none".to_owned(),
    };
    assert_eq!(
        store.find_instance_secret("refresh").await.expect("find"),
        None
    );
    store
        .insert_instance_secret("refresh", &secret, at(1))
        .await
        .expect("insert");
    assert!(matches!(
        store
            .insert_instance_secret("refresh", &secret, at(2))
            .await,
        Err(InsertError::Conflict)
    ));
    assert_eq!(
        store.find_instance_secret("refresh").await.expect("find"),
        Some(secret)
    );
}

pub async fn the_latest_session_activity_is_replaced_and_read_in_bulk<S: Store>(store: S) {
    use hallpass_domain::activity::SessionActivity;
    let mut client = new_client(1);
    store.insert_client(&client).await.expect("client");
    let a = signed_in(&store, &mut client, 10, "user_a", at(1)).await;
    let b = signed_in(&store, &mut client, 11, "user_b", at(2)).await;
    let first = SessionActivity::new(
        false,
        Some("desktop".into()),
        Some("Firefox".into()),
        Some("120.0".into()),
        Some("203.0.113.7".into()),
    );
    let second = SessionActivity::new(
        true,
        Some("smartphone".into()),
        Some("Safari".into()),
        None,
        Some("2001:db8::1".into()),
    );
    store
        .record_session_activity(a.id(), &first, at(3))
        .await
        .expect("record");
    store
        .record_session_activity(a.id(), &second, at(4))
        .await
        .expect("replace");
    let found = store
        .find_session_activities(&[a.id().clone(), b.id().clone()])
        .await
        .expect("find");
    assert_eq!(found, vec![(a.id().clone(), second.clone())]);
    assert!(
        store
            .find_session_activities(&[])
            .await
            .expect("empty")
            .is_empty()
    );
    // One session with its activity, in one read.
    assert_eq!(
        store
            .find_session_with_activity(a.id())
            .await
            .expect("with activity"),
        (a.clone(), Some(second))
    );
    assert_eq!(
        store
            .find_session_with_activity(b.id())
            .await
            .expect("without activity"),
        (b.clone(), None)
    );
    assert!(matches!(
        store
            .find_session_with_activity(&SessionId::from_random(99))
            .await,
        Err(FindSessionError::NotFound)
    ));
}

pub async fn a_sweep_applies_passed_deadlines_and_deletes_dead_rows_once_per_gap<S: Store>(
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

/// Generates one `#[tokio::test]` per conformance case. `$make` is an
/// expression evaluating to a closure that returns a future of
/// `(fresh_store, guard)`; the guard is dropped when the case ends.
#[macro_export]
macro_rules! storage_conformance_tests {
    ($make:expr) => {
        $crate::storage_conformance_tests!(@cases $make;
            instance_is_created_once,
            signing_keys_are_listed_oldest_first_and_unique,
            secret_keys_are_found_by_hash_only,
            a_rotation_publishes_the_next_key_and_schedules_the_old_ones_retirement,
            clients_round_trip_and_report_missing_and_duplicates,
            sign_in_stores_session_and_client_together,
            a_client_is_read_with_its_sessions_in_one_call,
            sign_in_with_a_stale_client_writes_nothing,
            every_session_field_round_trips,
            update_session_is_compare_and_set_on_status,
            activity_is_stored_once_by_writers_that_read_the_same_row,
            a_revoke_racing_touches_always_wins,
            sign_out_leaves_concurrently_terminated_sessions_alone,
            sessions_are_listed_newest_first_with_filters_and_counts,
            hostile_strings_are_stored_as_data,
            templates_round_trip_with_unique_names,
            dev_browsers_bind_to_clients,
            sign_in_tokens_are_found_by_hash_and_change_only_from_the_expected_status,
            a_ticket_signs_in_at_most_once_even_when_raced,
            a_handshake_nonce_is_read_once_and_not_after_it_expires,
            refresh_tokens_rotate_once_and_revoke_with_their_session,
            the_latest_session_activity_is_replaced_and_read_in_bulk,
            a_sweep_applies_passed_deadlines_and_deletes_dead_rows_once_per_gap,
        );
    };
    (@cases $make:expr; $($case:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let make = $make;
                let (store, guard) = make().await;
                $crate::conformance::$case(store).await;
                drop(guard);
            }
        )+
    };
}
