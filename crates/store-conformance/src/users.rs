//! Users with their identifiers: round trips, uniqueness, compare-and-set,
//! deletion and the ban (`UserStore`).

use hallpass_domain::sign_in_token::{SignInToken, SignInTokenStatus};
use hallpass_domain::{
    EmailAddressId, ExternalId, JsonObject, Lock, Metadata, NewUser, PersonName, PhoneNumberId,
    Session, SessionStatus, SignInTokenId, User, UserId, UserPatch, Username,
};
use hallpass_ports::store::*;
use hallpass_ports::{
    DeleteUserError, FindUserError, InsertUserError, UpdateUserError, UserIdentifier,
};

use crate::support::*;

fn metadata(key: &str, value: &str) -> Metadata {
    let mut o = JsonObject::new();
    o.insert(key, hallpass_domain::Json::str(value));
    Metadata::new(o).expect("metadata")
}

/// A user with every field set: two email addresses, a phone number, a
/// username, an external id, names, an image, three metadata objects.
fn full_user(n: u128) -> User {
    make_user(
        n,
        NewUser {
            external_id: Some(ExternalId::parse(&format!("ext-{n}")).expect("external id")),
            first_name: Some(PersonName::parse("Ada", "first_name").expect("name")),
            last_name: Some(PersonName::parse("Lovelace", "last_name").expect("name")),
            username: Some(Username::parse(&format!("ada{n}")).expect("username")),
            image_url: Some(
                hallpass_domain::ImageUrl::parse("https://img.example/ada.png", "image_url")
                    .expect("image"),
            ),
            email_addresses: vec![
                email(&format!("ada{n}@example.com")),
                email(&format!("ada{n}@work.example")),
            ],
            phone_numbers: vec![phone(&format!("+1415555{n:04}"))],
            public_metadata: metadata("plan", "pro"),
            private_metadata: metadata("crm", "42"),
            unsafe_metadata: metadata("theme", "dark"),
            ..Default::default()
        },
        at(1),
    )
}

pub(crate) async fn users_round_trip_with_their_identifiers<S: Store>(store: S) {
    let ada = full_user(1);
    store.insert_user(&ada).await.expect("insert");
    assert_eq!(store.find_user(ada.id()).await.expect("find"), ada);
    assert_eq!(ada.email_addresses().len(), 2, "the fixture has two");

    // A user with nothing but an id (as the migration adopts them), and
    // the two kinds of lock.
    let bare = User::adopt(UserId::parse("legacy-user-1").expect("id"), at(2));
    store.insert_user(&bare).await.expect("insert bare");
    assert_eq!(store.find_user(bare.id()).await.expect("find"), bare);
    let mut locked = make_user(3, NewUser::default(), at(3));
    locked.lock_for(Some(std::time::Duration::from_secs(60)), at(3));
    store.insert_user(&locked).await.expect("insert locked");
    let found = store.find_user(locked.id()).await.expect("find");
    assert_eq!(found.lock(), Some(Lock::Until(at(63))));
    let mut forever = make_user(4, NewUser::default(), at(4));
    forever.lock_for(None, at(4));
    forever.ban(at(4));
    store
        .insert_user(&forever)
        .await
        .expect("insert locked forever");
    assert_eq!(store.find_user(forever.id()).await.expect("find"), forever);
    assert_eq!(forever.lock(), Some(Lock::Indefinitely));

    assert!(matches!(
        store.find_user(&UserId::parse("nobody").expect("id")).await,
        Err(FindUserError::NotFound)
    ));
    // The same id again.
    let mut again = make_user(1, NewUser::default(), at(5));
    again.unban(at(5));
    assert!(matches!(
        store.insert_user(&again).await,
        Err(InsertUserError::Conflict)
    ));
    assert_eq!(store.find_user(ada.id()).await.expect("find"), ada);

    // A batch read returns those that exist, identifiers included.
    let mut batch = store
        .find_users(&[
            ada.id().clone(),
            UserId::parse("nobody").expect("id"),
            bare.id().clone(),
        ])
        .await
        .expect("find users");
    batch.sort_by(|a, b| a.id().cmp(b.id()));
    let mut expected = vec![ada.clone(), bare.clone()];
    expected.sort_by(|a, b| a.id().cmp(b.id()));
    assert_eq!(batch, expected);
    assert!(store.find_users(&[]).await.expect("none").is_empty());
}

/// `taken` (a user with the identifier `value` of `kind`) is refused for a
/// second user, and nothing of the second user is written.
async fn refused_as_taken<S: Store>(store: &S, user: &User, kind: UserIdentifier) {
    match store.insert_user(user).await {
        Err(InsertUserError::Taken(k)) => assert_eq!(k, kind),
        other => panic!("expected {kind:?} taken, got {other:?}"),
    }
    assert!(matches!(
        store.find_user(user.id()).await,
        Err(FindUserError::NotFound)
    ));
}

pub(crate) async fn every_unique_identifier_belongs_to_one_user<S: Store>(store: S) {
    let ada = full_user(1);
    store.insert_user(&ada).await.expect("insert");
    let fresh = |n: u128| NewUser {
        email_addresses: vec![email(&format!("fresh{n}@example.com"))],
        ..Default::default()
    };

    // Each identifier of ada's, on an otherwise new user. Email addresses
    // are compared without case (the domain stores them lowercase), and so
    // are usernames.
    let mut second_email = fresh(2);
    second_email
        .email_addresses
        .push(email("ADA1@WORK.example"));
    refused_as_taken(
        &store,
        &make_user(2, second_email, at(2)),
        UserIdentifier::EmailAddress,
    )
    .await;
    let mut same_phone = fresh(3);
    same_phone.phone_numbers = vec![phone("+1 (415) 555-0001")];
    refused_as_taken(
        &store,
        &make_user(3, same_phone, at(2)),
        UserIdentifier::PhoneNumber,
    )
    .await;
    let mut same_username = fresh(4);
    same_username.username = Some(Username::parse("ADA1").expect("username"));
    refused_as_taken(
        &store,
        &make_user(4, same_username, at(2)),
        UserIdentifier::Username,
    )
    .await;
    let mut same_external = fresh(5);
    same_external.external_id = Some(ExternalId::parse("ext-1").expect("external id"));
    refused_as_taken(
        &store,
        &make_user(5, same_external, at(2)),
        UserIdentifier::ExternalId,
    )
    .await;

    // Nothing of the refused users was written: their own fresh addresses
    // are free.
    for n in 2..=5 {
        store
            .insert_user(&make_user(10 + n, fresh(n), at(3)))
            .await
            .expect("the refused user's address is free");
    }
    // Values that only look alike are different values.
    let mut external_case = fresh(20);
    external_case.external_id = Some(ExternalId::parse("EXT-1").expect("external id"));
    store
        .insert_user(&make_user(20, external_case, at(3)))
        .await
        .expect("external ids keep their case");

    // The same rules on update: adding a taken address writes nothing.
    let bob = user_with_email(30, "bob@example.com", at(4));
    store.insert_user(&bob).await.expect("bob");
    let mut changed = bob.clone();
    changed
        .add_email_address(
            EmailAddressId::from_random(30_999),
            email("ada1@example.com"),
            true,
            false,
            at(5),
        )
        .expect("add");
    changed
        .update(
            UserPatch {
                first_name: Some(Some(PersonName::parse("Bob", "first_name").expect("name"))),
                ..Default::default()
            },
            at(5),
        )
        .expect("patch");
    match store.update_user(&changed, &bob).await {
        Err(UpdateUserError::Taken(UserIdentifier::EmailAddress)) => {}
        other => panic!("expected the email address taken, got {other:?}"),
    }
    assert_eq!(store.find_user(bob.id()).await.expect("find"), bob);
    let mut renamed = bob.clone();
    renamed
        .update(
            UserPatch {
                username: Some(Some(Username::parse("Ada1").expect("username"))),
                ..Default::default()
            },
            at(5),
        )
        .expect("patch");
    assert!(matches!(
        store.update_user(&renamed, &bob).await,
        Err(UpdateUserError::Taken(UserIdentifier::Username))
    ));
    let mut external = bob.clone();
    external
        .update(
            UserPatch {
                external_id: Some(Some(ExternalId::parse("ext-1").expect("id"))),
                ..Default::default()
            },
            at(5),
        )
        .expect("patch");
    assert!(matches!(
        store.update_user(&external, &bob).await,
        Err(UpdateUserError::Taken(UserIdentifier::ExternalId))
    ));
    let mut phoned = bob.clone();
    phoned
        .add_phone_number(
            PhoneNumberId::from_random(30_998),
            phone("+14155550001"),
            true,
            false,
            at(5),
        )
        .expect("add");
    assert!(matches!(
        store.update_user(&phoned, &bob).await,
        Err(UpdateUserError::Taken(UserIdentifier::PhoneNumber))
    ));
    assert_eq!(store.find_user(bob.id()).await.expect("find"), bob);
}

pub(crate) async fn a_user_update_is_compare_and_set_and_rewrites_its_identifiers<S: Store>(
    store: S,
) {
    let ada = full_user(1);
    store.insert_user(&ada).await.expect("insert");
    let mut changed = ada.clone();
    let first = ada.email_addresses()[0].id.clone();
    let second = ada.email_addresses()[1].id.clone();
    let old_phone = ada.phone_numbers()[0].id.clone();
    changed
        .set_primary_email_address(&second, at(2))
        .expect("primary");
    changed.remove_email_address(&first, at(2)).expect("remove");
    changed
        .remove_phone_number(&old_phone, at(2))
        .expect("remove phone");
    changed
        .add_email_address(
            EmailAddressId::from_random(1_500),
            email("third@example.com"),
            false,
            false,
            at(2),
        )
        .expect("add");
    changed
        .add_phone_number(
            PhoneNumberId::from_random(1_501),
            phone("+442071234567"),
            true,
            false,
            at(2),
        )
        .expect("add phone");
    changed
        .update(
            UserPatch {
                last_name: Some(None),
                ..Default::default()
            },
            at(2),
        )
        .expect("patch");
    store.update_user(&changed, &ada).await.expect("update");
    let stored = store.find_user(ada.id()).await.expect("find");
    assert_eq!(stored, changed);
    assert_eq!(
        stored
            .email_addresses()
            .iter()
            .map(|e| e.email_address.as_str())
            .collect::<Vec<_>>(),
        vec!["ada1@work.example", "third@example.com"],
        "in the user's order"
    );

    // Written from a stale read: refused, nothing written.
    let mut stale = ada.clone();
    stale
        .update(
            UserPatch {
                first_name: Some(None),
                ..Default::default()
            },
            at(3),
        )
        .expect("patch");
    assert!(matches!(
        store.update_user(&stale, &ada).await,
        Err(UpdateUserError::Changed)
    ));
    assert_eq!(store.find_user(ada.id()).await.expect("find"), changed);
    let ghost = user_with_email(9, "ghost@example.com", at(1));
    assert!(matches!(
        store.update_user(&ghost, &ghost).await,
        Err(UpdateUserError::NotFound)
    ));

    // What was removed is free for another user; what was kept is not.
    store
        .insert_user(&make_user(
            2,
            NewUser {
                email_addresses: vec![email("ada1@example.com")],
                phone_numbers: vec![phone("+14155550001")],
                ..Default::default()
            },
            at(4),
        ))
        .await
        .expect("the removed identifiers are free");
    assert!(matches!(
        store
            .insert_user(&user_with_email(3, "third@example.com", at(4)))
            .await,
        Err(InsertUserError::Taken(UserIdentifier::EmailAddress))
    ));

    // A metadata-only change keeps the identifiers as they are.
    let before = store.find_user(ada.id()).await.expect("find");
    let mut meta = before.clone();
    meta.merge_metadata(
        hallpass_domain::UserMetadataPatch {
            public_metadata: Some(metadata("plan", "team").into_object()),
            ..Default::default()
        },
        at(5),
    )
    .expect("merge");
    store.update_user(&meta, &before).await.expect("update");
    assert_eq!(store.find_user(ada.id()).await.expect("find"), meta);
}

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
