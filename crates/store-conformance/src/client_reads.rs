//! The client as the Frontend API shows it, in one read
//! (`MembershipStore::find_client_with_session_users`): the client, its
//! sessions and their users with their memberships.

use hallpass_domain::{ClientId, Role};
use hallpass_ports::store::*;

use crate::support::*;

pub(crate) async fn a_client_is_read_with_its_sessions_users_and_memberships<S: Store>(store: S) {
    let ada = user_with_email(1, "ada@example.com", at(1));
    let bob = user_with_email(2, "bob@example.com", at(1));
    for u in [&ada, &bob] {
        store.insert_user(u).await.expect("user");
    }
    let acme = make_organization(1, "Acme", "acme", 0, at(1));
    let admin = make_membership(1, &acme, ada.id(), Some(Role::admin()), at(1));
    store
        .insert_organization(&acme, Some(&admin))
        .await
        .expect("acme");
    let globex = make_organization(2, "Globex", "globex", 0, at(2));
    store
        .insert_organization(
            &globex,
            Some(&make_membership(2, &globex, ada.id(), None, at(2))),
        )
        .await
        .expect("globex");

    // Ada and Bob signed in on one client, Ada twice (the same user once).
    let mut client = new_client(1);
    store.insert_client(&client).await.expect("client");
    signed_in(&store, &mut client, 10, ada.id().as_str(), at(3)).await;
    signed_in(&store, &mut client, 20, bob.id().as_str(), at(4)).await;
    signed_in(&store, &mut client, 30, ada.id().as_str(), at(5)).await;
    let read = || store.find_client_with_session_users(client.id(), 10);

    let got = read().await.expect("read");
    let (stored, sessions) = store
        .find_client_with_sessions(client.id())
        .await
        .expect("client");
    assert_eq!(got.client, stored);
    assert_eq!(got.sessions, sessions, "every session, newest first");
    assert_eq!(got.sessions.len(), 3);
    let mut users = got.users.clone();
    users.sort_by_key(|(u, _)| u.id().clone());
    assert_eq!(users.len(), 2, "each user once");
    let (ada_memberships, _) = store
        .list_user_memberships(ada.id(), 10, 0)
        .await
        .expect("ada's");
    assert_eq!(ada_memberships.len(), 2);
    assert_eq!(users[0].0, store.find_user(ada.id()).await.expect("ada"));
    assert_eq!(users[0].1, ada_memberships, "newest first, as the list");
    assert_eq!(users[1].0, store.find_user(bob.id()).await.expect("bob"));
    assert!(users[1].1.is_empty(), "bob is a member of nothing");

    // At most `per_user` memberships per user, the newest.
    let got = store
        .find_client_with_session_users(client.id(), 1)
        .await
        .expect("read");
    let (_, memberships) = got
        .users
        .iter()
        .find(|(u, _)| u.id() == ada.id())
        .expect("ada");
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].organization.organization.id(), globex.id());

    // A deleted user's sessions stay listed (ended); the user is gone.
    store
        .delete_user(bob.id(), at(6))
        .await
        .expect("delete bob");
    let got = read().await.expect("read");
    assert_eq!(got.sessions.len(), 3);
    assert_eq!(got.users.len(), 1);
    assert_eq!(got.users[0].0.id(), ada.id());

    // A client without sessions; no client.
    let lonely = new_client(2);
    store.insert_client(&lonely).await.expect("lonely");
    let got = store
        .find_client_with_session_users(lonely.id(), 10)
        .await
        .expect("lonely");
    assert_eq!(got.client, lonely);
    assert!(got.sessions.is_empty() && got.users.is_empty());
    assert!(matches!(
        store
            .find_client_with_session_users(&ClientId::from_random(77), 10)
            .await,
        Err(FindClientError::NotFound)
    ));
}
