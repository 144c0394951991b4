//! Users with their identifiers: round trips, uniqueness and compare-and-set
//! (`UserStore`). Deletion, the ban and activity: `user_removal`.

use hallpass_domain::{
    EmailAddressId, ExternalId, JsonObject, Lock, Metadata, NewUser, PersonName, PhoneNumberId,
    User, UserId, UserPatch, Username,
};
use hallpass_ports::store::*;
use hallpass_ports::{FindUserError, InsertUserError, UpdateUserError, UserIdentifier};

use crate::support::*;

fn metadata(key: &str, value: &str) -> Metadata {
    let mut o = JsonObject::new();
    o.insert(key, hallpass_domain::Json::str(value));
    Metadata::new(o).expect("metadata")
}

/// A user with every field set: two email addresses, a phone number, a
/// username, an external id, names, an image, three metadata objects.
pub(crate) fn full_user(n: u128) -> User {
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

pub(crate) async fn a_user_is_found_by_the_id_of_any_of_its_identifiers<S: Store>(store: S) {
    let ada = full_user(1);
    let other = full_user(2);
    store.insert_user(&ada).await.expect("insert");
    store.insert_user(&other).await.expect("insert");
    let ids = ada
        .email_addresses()
        .iter()
        .map(|e| e.id.as_str())
        .chain(ada.phone_numbers().iter().map(|p| p.id.as_str()));
    for id in ids {
        let found = store.find_user_by_identification(id).await.expect(id);
        assert_eq!(found, ada, "{id}");
    }
    // Neither another kind of id nor an unknown identification.
    for id in [ada.id().as_str(), "idn_nothere", ""] {
        assert!(
            matches!(
                store.find_user_by_identification(id).await,
                Err(FindUserError::NotFound)
            ),
            "{id:?}"
        );
    }
    // A removed identifier no longer names its former owner.
    let mut changed = ada.clone();
    let removed = ada.email_addresses()[1].id.clone();
    changed
        .remove_email_address(&removed, at(2))
        .expect("remove");
    store.update_user(&changed, &ada).await.expect("update");
    assert!(matches!(
        store.find_user_by_identification(removed.as_str()).await,
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
