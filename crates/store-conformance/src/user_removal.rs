//! Users leaving and changing state: deletion (sessions revoked, the rest
//! removed), the ban with its revocations, and day-precision activity
//! (`UserStore`).

use hallpass_domain::client::OnExistingSession;
use hallpass_domain::session::NewSession;
use hallpass_domain::sign_in_token::{SignInToken, SignInTokenStatus};
use hallpass_domain::{
    Client, InstanceSettings, RotatingToken, Session, SessionId, SessionStatus, SignInTokenId,
    User, UserId, UserPatch,
};
use hallpass_ports::store::*;
use hallpass_ports::{DeleteUserError, FindUserError, UpdateUserError, UserChange};

use crate::support::*;
use crate::users::full_user;

fn ticket(n: u128, user: &UserId) -> SignInToken {
    SignInToken::create(
        SignInTokenId::from_random(n),
        user.clone(),
        format!("{n:064}"),
        Some(86_400),
        at(1),
    )
    .expect("ticket")
}

async fn status_of<S: Store>(store: &S, session: &Session) -> (SessionStatus, i64) {
    let s = store.find_session(session.id()).await.expect("session");
    (s.status(), s.updated_at().as_millis())
}

pub(crate) async fn deleting_a_user_revokes_its_sessions_and_removes_the_rest<S: Store>(store: S) {
    let ada = full_user(1);
    let bob = user_with_email(2, "bob@example.com", at(1));
    store.insert_user(&ada).await.expect("ada");
    store.insert_user(&bob).await.expect("bob");
    let org = make_organization(1, "Acme", "acme", 0, at(1));
    store
        .insert_organization(&org, Some(&make_membership(1, &org, ada.id(), None, at(1))))
        .await
        .expect("org");
    store
        .insert_membership(&make_membership(2, &org, bob.id(), None, at(1)))
        .await
        .expect("bob joins");

    let (_, live) = session_of(&store, 1, ada.id(), Some(org.id()), at(1)).await;
    let (_, pending_or_live) = session_of(&store, 2, ada.id(), None, at(2)).await;
    let (_, mut ended) = session_of(&store, 3, ada.id(), None, at(3)).await;
    let before = ended.clone();
    ended.end(at(4)).expect("end");
    store
        .update_session(&ended, &[before.status()])
        .await
        .expect("end");
    // Stored active but past its deadline at the deletion: expired, not
    // revoked (the sweep will store it expired).
    let (_, lapsed) = session_of(&store, 4, ada.id(), None, at(5)).await;
    let mut record = lapsed.to_record();
    record.expire_at = at(50);
    let lapsed = Session::from_record(record);
    store
        .update_session(&lapsed, &[SessionStatus::Active])
        .await
        .expect("shorten");
    let (_, bobs) = session_of(&store, 5, bob.id(), Some(org.id()), at(6)).await;
    let refresh = RefreshTokenRecord {
        token_hash: "r".repeat(64),
        session_id: live.id().clone(),
        status: hallpass_domain::refresh::RefreshStatus::Active,
        successor_hash: None,
        rotated_at: None,
        expires_at: at(100_000),
        created_at: at(1),
    };
    store.insert_refresh_token(&refresh).await.expect("refresh");
    let bobs_refresh = RefreshTokenRecord {
        token_hash: "b".repeat(64),
        session_id: bobs.id().clone(),
        ..refresh.clone()
    };
    store
        .insert_refresh_token(&bobs_refresh)
        .await
        .expect("bob's refresh");
    let pending = ticket(1, ada.id());
    store.insert_sign_in_token(&pending).await.expect("ticket");
    let bobs_ticket = ticket(2, bob.id());
    store
        .insert_sign_in_token(&bobs_ticket)
        .await
        .expect("bob's ticket");

    let now = at(100);
    assert_eq!(store.delete_user(ada.id(), now).await.expect("delete"), 2);

    assert!(matches!(
        store.find_user(ada.id()).await,
        Err(FindUserError::NotFound)
    ));
    assert_eq!(
        status_of(&store, &live).await,
        (SessionStatus::Revoked, now.as_millis())
    );
    assert_eq!(
        status_of(&store, &pending_or_live).await,
        (SessionStatus::Revoked, now.as_millis())
    );
    assert_eq!(
        store.find_session(ended.id()).await.expect("ended"),
        ended,
        "a terminated session stays as it was"
    );
    assert_eq!(
        store.find_session(lapsed.id()).await.expect("lapsed"),
        lapsed,
        "a session past its deadline is left for the sweep"
    );
    assert_eq!(
        store.find_session(bobs.id()).await.expect("bob's"),
        bobs,
        "another user's session is untouched"
    );
    let revoked = store
        .find_refresh_token(&refresh.token_hash)
        .await
        .expect("find")
        .expect("kept");
    assert_eq!(
        revoked.status,
        hallpass_domain::refresh::RefreshStatus::Revoked
    );
    assert_eq!(
        store
            .find_refresh_token(&bobs_refresh.token_hash)
            .await
            .expect("find"),
        Some(bobs_refresh)
    );
    let t = store
        .find_sign_in_token(pending.id())
        .await
        .expect("find")
        .expect("kept");
    assert_eq!(t.status(), SignInTokenStatus::Revoked);
    assert_eq!(
        store
            .find_sign_in_token(bobs_ticket.id())
            .await
            .expect("find"),
        Some(bobs_ticket)
    );

    // Memberships gone, the organization's count follows; bob's stays.
    assert_eq!(
        store
            .find_membership(org.id(), ada.id())
            .await
            .expect("find"),
        None
    );
    assert!(
        store
            .find_membership(org.id(), bob.id())
            .await
            .expect("find")
            .is_some()
    );
    let found = store
        .find_organization(&hallpass_domain::OrganizationRef::Id(org.id().clone()))
        .await
        .expect("org");
    assert_eq!(found.members_count, 1);
    assert_eq!(
        store
            .list_user_memberships(ada.id(), 10, 0)
            .await
            .expect("list")
            .1,
        0
    );

    // Identifiers gone: another user may take them.
    let reuse = full_user(7);
    let reuse = User::from_record(hallpass_domain::UserRecord {
        email_addresses: ada.email_addresses().to_vec(),
        phone_numbers: ada.phone_numbers().to_vec(),
        primary_email_address_id: ada.primary_email_address_id().cloned(),
        primary_phone_number_id: ada.primary_phone_number_id().cloned(),
        username: ada.username().cloned(),
        external_id: ada.external_id().cloned(),
        ..reuse.to_record()
    });
    store
        .insert_user(&reuse)
        .await
        .expect("a deleted user's identifiers are free");

    assert!(matches!(
        store.delete_user(ada.id(), now).await,
        Err(DeleteUserError::NotFound)
    ));
    assert_eq!(store.find_user(bob.id()).await.expect("bob"), bob);
}

pub(crate) async fn a_ban_is_saved_with_the_revocation_of_live_sessions<S: Store>(store: S) {
    let ada = full_user(1);
    let bob = user_with_email(2, "bob@example.com", at(1));
    store.insert_user(&ada).await.expect("ada");
    store.insert_user(&bob).await.expect("bob");
    let (_, first) = session_of(&store, 1, ada.id(), None, at(1)).await;
    let (_, second) = session_of(&store, 2, ada.id(), None, at(2)).await;
    let (_, bobs) = session_of(&store, 3, bob.id(), None, at(3)).await;
    let refresh = RefreshTokenRecord {
        token_hash: "r".repeat(64),
        session_id: first.id().clone(),
        status: hallpass_domain::refresh::RefreshStatus::Active,
        successor_hash: None,
        rotated_at: None,
        expires_at: at(100_000),
        created_at: at(1),
    };
    store.insert_refresh_token(&refresh).await.expect("refresh");

    let now = at(10);
    let mut banned = ada.clone();
    assert!(banned.ban(now));
    // From a stale read: nothing is written, nothing revoked.
    let mut stale_read = ada.clone();
    stale_read
        .update(
            UserPatch {
                first_name: Some(None),
                ..Default::default()
            },
            at(5),
        )
        .expect("patch");
    store
        .update_user(&stale_read, &ada)
        .await
        .expect("a concurrent change");
    assert!(matches!(
        store
            .save_user_and_revoke_sessions(&banned, &ada, now)
            .await,
        Err(UpdateUserError::Changed)
    ));
    assert_eq!(store.find_session(first.id()).await.expect("first"), first);

    let current = store.find_user(ada.id()).await.expect("find");
    let mut banned = current.clone();
    assert!(banned.ban(now));
    assert_eq!(
        store
            .save_user_and_revoke_sessions(&banned, &current, now)
            .await
            .expect("ban"),
        2
    );
    assert_eq!(store.find_user(ada.id()).await.expect("find"), banned);
    for s in [&first, &second] {
        assert_eq!(
            status_of(&store, s).await,
            (SessionStatus::Revoked, now.as_millis())
        );
    }
    assert_eq!(
        store
            .find_refresh_token(&refresh.token_hash)
            .await
            .expect("find")
            .expect("kept")
            .status,
        hallpass_domain::refresh::RefreshStatus::Revoked
    );
    assert_eq!(store.find_session(bobs.id()).await.expect("bob's"), bobs);

    // Saving again (the unban) finds nothing more to revoke.
    let mut unbanned = banned.clone();
    assert!(unbanned.unban(at(11)));
    assert_eq!(
        store
            .save_user_and_revoke_sessions(&unbanned, &banned, at(11))
            .await
            .expect("save"),
        0
    );
}

pub(crate) async fn user_activity_moves_forward_by_days_without_touching_the_user<S: Store>(
    store: S,
) {
    let ada = full_user(1);
    store.insert_user(&ada).await.expect("insert");
    let day = |n: i64| hallpass_domain::UnixMillis::new(T0.as_millis() + n * 86_400_000);
    let mut expected = ada.clone();
    assert!(expected.record_activity(day(1)));
    let today = expected.last_active_at().expect("a day");
    assert!(
        store
            .record_user_activity(ada.id(), today)
            .await
            .expect("record")
    );
    assert_eq!(store.find_user(ada.id()).await.expect("find"), expected);
    // The same day again, or an earlier one: nothing changes.
    assert!(
        !store
            .record_user_activity(ada.id(), today)
            .await
            .expect("again")
    );
    let earlier = hallpass_domain::UnixMillis::new(today.as_millis() - 86_400_000);
    assert!(
        !store
            .record_user_activity(ada.id(), earlier)
            .await
            .expect("earlier")
    );
    assert_eq!(store.find_user(ada.id()).await.expect("find"), expected);
    // `updated_at` did not move: an update from the read before succeeds.
    let mut renamed = ada.clone();
    renamed
        .update(
            UserPatch {
                first_name: Some(None),
                ..Default::default()
            },
            at(2),
        )
        .expect("patch");
    store
        .update_user(&renamed, &ada)
        .await
        .expect("no conflict with the activity");
    assert!(
        !store
            .record_user_activity(&UserId::parse("nobody").expect("id"), today)
            .await
            .expect("no such user")
    );
}

/// A sign-in prepared for `user` on a new client, not yet saved.
fn prepared_sign_in(n: u128, user: &UserId) -> (Client, Client, hallpass_domain::SignIn) {
    let previous = new_client(n);
    let mut client = previous.clone();
    let out = client
        .sign_in(
            &[],
            NewSession {
                id: SessionId::from_random(n * 10),
                client_id: client.id().clone(),
                user_id: user.clone(),
                actor: None,
                active_organization_id: None,
                tasks: vec![],
            },
            RotatingToken::from_random(n * 10 + 1),
            OnExistingSession::Refuse,
            &InstanceSettings::default(),
            at(3),
        )
        .expect("domain sign in");
    (previous, client, out)
}

pub(crate) async fn a_sign_in_is_saved_only_if_its_user_did_not_change<S: Store>(store: S) {
    let read = user_with_email(1, "ada@example.com", at(1));
    store.insert_user(&read).await.expect("ada");
    // Banned after the sign-in read the user.
    let mut banned = read.clone();
    assert!(banned.ban(at(2)));
    store
        .save_user_and_revoke_sessions(&banned, &read, at(2))
        .await
        .expect("ban");

    let (previous, client, out) = prepared_sign_in(1, read.id());
    store.insert_client(&previous).await.expect("client");
    let mut signed = read.clone();
    signed.record_sign_in(at(3));
    let result = store
        .save_sign_in(
            &client,
            &previous,
            &out.session,
            &out.replaced,
            None,
            Some(UserChange {
                user: &signed,
                previous: &read,
            }),
        )
        .await;
    assert!(
        matches!(result, Err(SaveSignInError::UserChanged)),
        "{result:?}"
    );
    assert!(matches!(
        store.find_session(out.session.id()).await,
        Err(FindSessionError::NotFound)
    ));
    assert_eq!(
        store.find_client(previous.id()).await.expect("client"),
        previous
    );
    assert_eq!(store.find_user(read.id()).await.expect("user"), banned);

    // Against the user as stored now, the user is written with the rest.
    let mut unbanned = banned.clone();
    assert!(unbanned.unban(at(3)));
    store.update_user(&unbanned, &banned).await.expect("unban");
    let mut signed = unbanned.clone();
    signed.record_sign_in(at(4));
    store
        .save_sign_in(
            &client,
            &previous,
            &out.session,
            &out.replaced,
            None,
            Some(UserChange {
                user: &signed,
                previous: &unbanned,
            }),
        )
        .await
        .expect("sign in");
    assert_eq!(store.find_user(read.id()).await.expect("user"), signed);
    assert_eq!(
        store.find_session(out.session.id()).await.expect("session"),
        out.session
    );

    // A user deleted meanwhile: nothing is written either.
    let (previous, client, out) = prepared_sign_in(2, read.id());
    store.insert_client(&previous).await.expect("client");
    store.delete_user(read.id(), at(5)).await.expect("delete");
    let mut again = signed.clone();
    again.record_sign_in(at(6));
    let result = store
        .save_sign_in(
            &client,
            &previous,
            &out.session,
            &out.replaced,
            None,
            Some(UserChange {
                user: &again,
                previous: &signed,
            }),
        )
        .await;
    assert!(
        matches!(result, Err(SaveSignInError::UserChanged)),
        "{result:?}"
    );
    assert!(matches!(
        store.find_session(out.session.id()).await,
        Err(FindSessionError::NotFound)
    ));
}
