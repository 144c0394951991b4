//! The minting read by session id and the forgetting of a gone
//! organization (`SessionStore::find_session_with_organization`,
//! `SessionStore::forget_active_organization`): what the Backend API, the
//! refresh and the handshake mint from.

use hallpass_domain::{OrganizationId, Role, RoleSet, SessionId};
use hallpass_ports::TemplateUser;
use hallpass_ports::store::*;

use crate::support::*;

pub(crate) async fn the_session_minting_read_follows_the_active_membership<S: Store>(store: S) {
    let ada = user_with_email(1, "ada@example.com", at(1));
    let bob = user_with_email(2, "bob@example.com", at(1));
    for u in [&ada, &bob] {
        store.insert_user(u).await.expect("user");
    }
    let acme = make_organization(1, "Acme", "acme", 0, at(1));
    store
        .insert_organization(
            &acme,
            Some(&make_membership(
                1,
                &acme,
                ada.id(),
                Some(Role::admin()),
                at(1),
            )),
        )
        .await
        .expect("acme");
    let (_, session) = session_of(&store, 1, ada.id(), Some(acme.id()), at(2)).await;
    let read = || store.find_session_with_organization(session.id());

    let (s, active) = read().await.expect("read");
    assert_eq!(s, session);
    let active = active.expect("the active organization");
    assert_eq!(active.organization, acme);
    assert_eq!(active.membership.user_id(), ada.id());
    assert_eq!(active.membership.role(), &Role::admin());

    // A role change shows in the very next read.
    let mut demoted = active.membership.clone();
    demoted
        .set_role(Role::member(), &RoleSet::default(), at(3))
        .expect("role");
    store
        .update_membership(&demoted, &active.membership)
        .await
        .expect("demote");
    let (_, active) = read().await.expect("read");
    assert_eq!(active.expect("member").membership.role(), &Role::member());

    // Another user's membership does not count: ada removed, bob a member.
    store
        .insert_membership(&make_membership(2, &acme, bob.id(), None, at(3)))
        .await
        .expect("bob");
    store
        .delete_membership(acme.id(), ada.id())
        .await
        .expect("remove ada");
    let (s, active) = read().await.expect("read");
    assert_eq!(
        s, session,
        "the session keeps its organization until forgotten"
    );
    assert!(active.is_none(), "a removed member mints without it");

    // Back as a member, then the organization deleted.
    store
        .insert_membership(&make_membership(3, &acme, ada.id(), None, at(4)))
        .await
        .expect("rejoin");
    assert!(read().await.expect("read").1.is_some());
    store
        .delete_organization(acme.id(), at(5))
        .await
        .expect("delete");
    let (s, active) = read().await.expect("read");
    assert!(active.is_none());
    assert_eq!(s.last_active_organization_id(), None);

    // The personal account, and a session that does not exist.
    let (_, personal) = session_of(&store, 2, bob.id(), None, at(6)).await;
    assert_eq!(
        store
            .find_session_with_organization(personal.id())
            .await
            .expect("read"),
        (personal.clone(), None)
    );
    assert!(matches!(
        store
            .find_session_with_organization(&SessionId::from_random(77))
            .await,
        Err(FindSessionError::NotFound)
    ));
}

pub(crate) async fn a_gone_organization_is_forgotten_only_while_still_active<S: Store>(store: S) {
    let ada = user_with_email(1, "ada@example.com", at(1));
    store.insert_user(&ada).await.expect("user");
    let (gone, chosen) = (
        OrganizationId::parse("org_gone").expect("id"),
        OrganizationId::parse("org_chosen").expect("id"),
    );
    let (_, session) = session_of(&store, 1, ada.id(), Some(&gone), at(2)).await;

    // Another organization named: nothing written.
    assert!(
        !store
            .forget_active_organization(session.id(), &chosen, at(3))
            .await
            .expect("forget")
    );
    assert_eq!(
        store.find_session(session.id()).await.expect("read"),
        session
    );

    // The active one: forgotten, `updated_at` moved to now.
    assert!(
        store
            .forget_active_organization(session.id(), &gone, at(4))
            .await
            .expect("forget")
    );
    let mut expected = session.clone();
    assert!(expected.forget_organization(&gone, at(4)));
    let stored = store.find_session(session.id()).await.expect("read");
    assert_eq!(stored, expected);
    assert_eq!(stored.updated_at(), at(4));

    // Twice: nothing more to write.
    assert!(
        !store
            .forget_active_organization(session.id(), &gone, at(5))
            .await
            .expect("forget")
    );
    assert_eq!(
        store.find_session(session.id()).await.expect("read"),
        expected
    );

    // Chosen meanwhile (another organization active): kept; `updated_at`
    // never moves back.
    let (_, other) = session_of(&store, 2, ada.id(), Some(&chosen), at(9)).await;
    assert!(
        !store
            .forget_active_organization(other.id(), &gone, at(10))
            .await
            .expect("forget")
    );
    assert!(
        store
            .forget_active_organization(other.id(), &chosen, at(1))
            .await
            .expect("forget")
    );
    let stored = store.find_session(other.id()).await.expect("read");
    assert_eq!(stored.last_active_organization_id(), None);
    assert_eq!(stored.updated_at(), other.updated_at());

    // No such session.
    assert!(
        !store
            .forget_active_organization(&SessionId::from_random(77), &gone, at(5))
            .await
            .expect("forget")
    );
}

pub(crate) async fn the_template_minting_read_has_the_user_with_its_primary_identifiers<
    S: Store,
>(
    store: S,
) {
    let ada = make_user(
        1,
        hallpass_domain::NewUser {
            external_id: Some(hallpass_domain::ExternalId::parse("crm-1").expect("id")),
            first_name: Some(
                hallpass_domain::PersonName::parse("Ada", "first_name").expect("name"),
            ),
            email_addresses: vec![email("ada@example.com"), email("ada@work.example")],
            phone_numbers: vec![phone("+14155550100"), phone("+14155550101")],
            ..Default::default()
        },
        at(1),
    );
    let bob = user_with_email(2, "bob@example.com", at(1));
    for u in [&ada, &bob] {
        store.insert_user(u).await.expect("user");
    }
    let acme = make_organization(1, "Acme", "acme", 0, at(1));
    store
        .insert_organization(
            &acme,
            Some(&make_membership(1, &acme, ada.id(), None, at(1))),
        )
        .await
        .expect("acme");
    let (_, session) = session_of(&store, 1, ada.id(), Some(acme.id()), at(2)).await;

    let (read, active, user) = store
        .find_session_for_template(session.id())
        .await
        .expect("read");
    assert_eq!(read, session);
    let active = active.expect("the active organization");
    assert_eq!(active.organization.id(), acme.id());
    assert_eq!(active.membership.user_id(), ada.id());
    // The user as stored now (the sign-in wrote its last sign-in time),
    // with its primary identifiers only.
    let stored = store.find_user(ada.id()).await.expect("ada");
    let TemplateUser(user) = user.expect("the user");
    assert_eq!(user.id(), stored.id());
    assert_eq!(user.external_id(), stored.external_id());
    assert_eq!(user.first_name(), stored.first_name());
    assert_eq!(user.public_metadata(), stored.public_metadata());
    assert_eq!(user.last_sign_in_at(), stored.last_sign_in_at());
    assert_eq!(user.updated_at(), stored.updated_at());
    assert_eq!(user.primary_email_address(), stored.primary_email_address());
    assert_eq!(user.primary_phone_number(), stored.primary_phone_number());
    assert_eq!(
        user.primary_email_address()
            .map(|e| e.email_address.as_str()),
        Some("ada@example.com")
    );
    assert_eq!(
        user.primary_phone_number().map(|p| p.phone_number.as_str()),
        Some("+14155550100")
    );
    assert_eq!(
        (user.email_addresses().len(), user.phone_numbers().len()),
        (1, 1)
    );

    // A user without identifiers, without an organization.
    let (_, personal) = session_of(&store, 2, bob.id(), None, at(3)).await;
    let (_, active, user) = store
        .find_session_for_template(personal.id())
        .await
        .expect("read");
    assert!(active.is_none());
    assert_eq!(user.expect("bob").0.id(), bob.id());

    // The user deleted since: the session is still read, without a user.
    store.delete_user(ada.id(), at(4)).await.expect("delete");
    let (read, active, user) = store
        .find_session_for_template(session.id())
        .await
        .expect("read");
    assert_eq!(read.id(), session.id());
    assert!(active.is_none(), "the membership went with the user");
    assert!(user.is_none());
    assert!(matches!(
        store
            .find_session_for_template(&SessionId::from_random(77))
            .await,
        Err(FindSessionError::NotFound)
    ));
}
