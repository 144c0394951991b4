//! Memberships: uniqueness, the membership limit (also when raced),
//! compare-and-set, lists with their organization and member, and the
//! minting read that follows them (`MembershipStore`,
//! `SessionStore::find_client_session_with_organization`).

use std::sync::Arc;

use hallpass_domain::{
    ClientId, NewUser, Organization, OrganizationRef, PersonName, Role, SessionId, User, Username,
};
use hallpass_ports::store::*;
use hallpass_ports::{
    DeleteMembershipError, IdFilter, InsertMembershipError, MembershipOrderField, MembershipQuery,
    Ordering, UpdateMembershipError, UserFilter,
};

use crate::support::*;

async fn members_count<S: Store>(store: &S, org: &Organization) -> u64 {
    store
        .find_organization(&OrganizationRef::Id(org.id().clone()))
        .await
        .expect("organization")
        .members_count
}

async fn users<S: Store>(store: &S, n: u128) -> Vec<User> {
    let mut out = Vec::new();
    for i in 1..=n {
        let u = user_with_email(i, &format!("member{i}@example.com"), at(1));
        store.insert_user(&u).await.expect("user");
        out.push(u);
    }
    out
}

pub(crate) async fn memberships_are_unique_and_written_compare_and_set<S: Store>(store: S) {
    let members = users(&store, 2).await;
    let acme = make_organization(1, "Acme", "acme", 0, at(1));
    store.insert_organization(&acme, None).await.expect("org");
    let m = make_membership(1, &acme, members[0].id(), None, at(2));
    store.insert_membership(&m).await.expect("insert");
    assert_eq!(
        store
            .find_membership(acme.id(), members[0].id())
            .await
            .expect("find"),
        Some(m.clone())
    );
    assert_eq!(members_count(&store, &acme).await, 1);

    // Refusals write nothing and count nothing.
    let again = make_membership(2, &acme, members[0].id(), Some(Role::admin()), at(3));
    assert!(matches!(
        store.insert_membership(&again).await,
        Err(InsertMembershipError::AlreadyMember)
    ));
    let ghost_org = make_organization(9, "Ghost", "ghost", 0, at(1));
    assert!(matches!(
        store
            .insert_membership(&make_membership(
                3,
                &ghost_org,
                members[1].id(),
                None,
                at(3)
            ))
            .await,
        Err(InsertMembershipError::OrganizationNotFound)
    ));
    let nobody = hallpass_domain::UserId::parse("user_nobody").expect("id");
    assert!(matches!(
        store
            .insert_membership(&make_membership(4, &acme, &nobody, None, at(3)))
            .await,
        Err(InsertMembershipError::UserNotFound)
    ));
    assert_eq!(members_count(&store, &acme).await, 1);
    assert_eq!(
        store
            .find_membership(acme.id(), members[0].id())
            .await
            .expect("find"),
        Some(m.clone())
    );

    // A role change, compare-and-set on the membership as read.
    let roles = hallpass_domain::RoleSet::default();
    let mut promoted = m.clone();
    assert!(
        promoted
            .set_role(Role::admin(), &roles, at(4))
            .expect("role")
    );
    store
        .update_membership(&promoted, &m)
        .await
        .expect("update");
    let mut stale = m.clone();
    let mut public = hallpass_domain::JsonObject::new();
    public.insert("seat", hallpass_domain::Json::int(7));
    stale
        .merge_metadata(Some(&public), None, at(5))
        .expect("metadata");
    assert!(matches!(
        store.update_membership(&stale, &m).await,
        Err(UpdateMembershipError::Changed)
    ));
    assert_eq!(
        store
            .find_membership(acme.id(), members[0].id())
            .await
            .expect("find"),
        Some(promoted.clone())
    );
    let never = make_membership(5, &acme, members[1].id(), None, at(5));
    assert!(matches!(
        store.update_membership(&never, &never).await,
        Err(UpdateMembershipError::NotFound)
    ));

    // Deleting returns the membership as it was, with the count after.
    let view = store
        .delete_membership(acme.id(), members[0].id())
        .await
        .expect("delete");
    assert_eq!(view.membership, promoted);
    assert_eq!(view.organization.organization, acme);
    assert_eq!(view.organization.members_count, 0);
    assert_eq!(view.user.user_id, *members[0].id());
    assert_eq!(members_count(&store, &acme).await, 0);
    assert_eq!(
        store
            .find_membership(acme.id(), members[0].id())
            .await
            .expect("find"),
        None
    );
    assert!(matches!(
        store.delete_membership(acme.id(), members[0].id()).await,
        Err(DeleteMembershipError::NotFound)
    ));
    assert_eq!(members_count(&store, &acme).await, 0);
    // The user may join again.
    store
        .insert_membership(&make_membership(6, &acme, members[0].id(), None, at(6)))
        .await
        .expect("join again");
    assert_eq!(members_count(&store, &acme).await, 1);
}

pub(crate) async fn the_membership_limit_admits_members_up_to_the_limit<S: Store>(store: S) {
    let members = users(&store, 4).await;
    let limited = make_organization(1, "Limited", "limited", 3, at(1));
    store
        .insert_organization(
            &limited,
            Some(&make_membership(1, &limited, members[0].id(), None, at(1))),
        )
        .await
        .expect("org");
    // One below the limit: admitted, reaching it.
    store
        .insert_membership(&make_membership(2, &limited, members[1].id(), None, at(2)))
        .await
        .expect("second");
    store
        .insert_membership(&make_membership(3, &limited, members[2].id(), None, at(2)))
        .await
        .expect("third: at the limit");
    // At the limit: refused, nothing written.
    match store
        .insert_membership(&make_membership(4, &limited, members[3].id(), None, at(3)))
        .await
    {
        Err(InsertMembershipError::LimitReached { max }) => assert_eq!(max, 3),
        other => panic!("expected the limit, got {other:?}"),
    }
    assert_eq!(members_count(&store, &limited).await, 3);
    assert_eq!(
        store
            .find_membership(limited.id(), members[3].id())
            .await
            .expect("find"),
        None
    );
    // A place freed is a place taken.
    store
        .delete_membership(limited.id(), members[2].id())
        .await
        .expect("leave");
    store
        .insert_membership(&make_membership(5, &limited, members[3].id(), None, at(4)))
        .await
        .expect("the freed place");
    // A limit lowered under the count admits no one.
    let mut lowered = limited.clone();
    lowered.update(
        hallpass_domain::OrganizationPatch {
            max_allowed_memberships: Some(hallpass_domain::MembershipLimit::new(1)),
            ..Default::default()
        },
        at(5),
    );
    store
        .update_organization(&lowered, &limited)
        .await
        .expect("lower");
    assert!(matches!(
        store
            .insert_membership(&make_membership(6, &lowered, members[2].id(), None, at(6)))
            .await,
        Err(InsertMembershipError::LimitReached { max: 1 })
    ));
    // 0 is no limit.
    let open = make_organization(2, "Open", "open", 0, at(1));
    store.insert_organization(&open, None).await.expect("open");
    for (i, m) in members.iter().enumerate() {
        store
            .insert_membership(&make_membership(10 + i as u128, &open, m.id(), None, at(7)))
            .await
            .expect("no limit");
    }
    assert_eq!(members_count(&store, &open).await, 4);
}

pub(crate) async fn racing_inserts_never_pass_the_membership_limit<S: Store>(store: S) {
    const RACERS: u128 = 8;
    const LIMIT: u32 = 3;
    let members = users(&store, RACERS).await;
    let org = make_organization(1, "Popular", "popular", LIMIT, at(1));
    store.insert_organization(&org, None).await.expect("org");
    let start = Arc::new(tokio::sync::Barrier::new(members.len()));
    let mut tasks = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let (store, start) = (store.clone(), start.clone());
        let membership = make_membership(100 + i as u128, &org, m.id(), None, at(2));
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            store.insert_membership(&membership).await
        }));
    }
    let mut admitted = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(()) => admitted += 1,
            Err(InsertMembershipError::LimitReached { max }) => assert_eq!(max, LIMIT),
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(admitted, LIMIT);
    assert_eq!(members_count(&store, &org).await, u64::from(LIMIT));
    let (_, total) = store
        .list_organization_memberships(Some(org.id()), &list_query())
        .await
        .expect("list");
    assert_eq!(total, u64::from(LIMIT), "the count is the rows");
}

fn list_query() -> MembershipQuery {
    MembershipQuery {
        users: UserFilter::default(),
        roles: vec![],
        order: Ordering::ascending(MembershipOrderField::CreatedAt),
        limit: 100,
        offset: 0,
    }
}

pub(crate) async fn members_are_listed_with_their_organization_and_public_data<S: Store>(store: S) {
    let named = |n: u128, first: &str, username: Option<&str>| {
        make_user(
            n,
            NewUser {
                email_addresses: vec![email(&format!("{}@example.com", first.to_lowercase()))],
                first_name: Some(PersonName::parse(first, "first_name").expect("name")),
                username: username.map(|u| Username::parse(u).expect("username")),
                ..Default::default()
            },
            at(1),
        )
    };
    let zoe = named(1, "Zoe", Some("zoe_z"));
    let adam = named(2, "Adam", None);
    let mia = named(3, "Mia", Some("mia_m"));
    let outsider = named(4, "Otto", None);
    for u in [&zoe, &adam, &mia, &outsider] {
        store.insert_user(u).await.expect("user");
    }
    let acme = make_organization(1, "Acme", "acme", 0, at(1));
    let other = make_organization(2, "Other", "other", 0, at(1));
    store
        .insert_organization(
            &acme,
            Some(&make_membership(
                1,
                &acme,
                zoe.id(),
                Some(Role::admin()),
                at(1),
            )),
        )
        .await
        .expect("acme");
    store
        .insert_organization(&other, None)
        .await
        .expect("other");
    let admin = Some(Role::admin());
    store
        .insert_membership(&make_membership(2, &acme, adam.id(), admin.clone(), at(2)))
        .await
        .expect("adam");
    store
        .insert_membership(&make_membership(3, &acme, mia.id(), None, at(3)))
        .await
        .expect("mia");
    store
        .insert_membership(&make_membership(4, &other, outsider.id(), None, at(4)))
        .await
        .expect("otto elsewhere");
    store
        .insert_membership(&make_membership(5, &other, zoe.id(), None, at(5)))
        .await
        .expect("zoe elsewhere");

    let firsts = |views: &[hallpass_ports::MembershipView]| {
        views
            .iter()
            .map(|v| {
                v.user
                    .first_name
                    .as_ref()
                    .map(|n| n.as_str().to_owned())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
    };
    let (views, total) = store
        .list_organization_memberships(Some(acme.id()), &list_query())
        .await
        .expect("list");
    assert_eq!(firsts(&views), ["Zoe", "Adam", "Mia"]);
    assert_eq!(total, 3);
    // Every organization's, in the same order.
    let (all, total_all) = store
        .list_organization_memberships(None, &list_query())
        .await
        .expect("list all");
    assert_eq!(total_all, 5);
    let slugs: Vec<&str> = all
        .iter()
        .map(|v| v.organization.organization.slug().as_str())
        .collect();
    assert_eq!(slugs, ["acme", "acme", "acme", "other", "other"]);
    assert_eq!(firsts(&all)[..3], ["Zoe", "Adam", "Mia"]);
    // Each row carries the organization with its count and the member's
    // public data, the primary address included.
    let v = &views[0];
    assert_eq!(v.organization.organization, acme);
    assert_eq!(v.organization.members_count, 3);
    assert_eq!(v.user.user_id, *zoe.id());
    assert_eq!(
        v.user.primary_email_address.as_ref().map(|e| e.as_str()),
        Some("zoe@example.com")
    );
    assert_eq!(v.user.username.as_ref().map(|u| u.as_str()), Some("zoe_z"));
    assert_eq!(v.user.last_name, None);
    assert_eq!(
        v.membership,
        store
            .find_membership(acme.id(), zoe.id())
            .await
            .expect("find")
            .expect("zoe")
    );

    let with = |f: &dyn Fn(&mut MembershipQuery)| {
        let mut q = list_query();
        f(&mut q);
        q
    };
    let cases: Vec<(MembershipQuery, Vec<&str>, u64)> = vec![
        (
            with(&|q| q.roles = vec![Role::admin()]),
            vec!["Zoe", "Adam"],
            2,
        ),
        (with(&|q| q.roles = vec![Role::member()]), vec!["Mia"], 1),
        (
            with(&|q| q.users.query = Some("MIA".to_owned())),
            vec!["Mia"],
            1,
        ),
        (
            with(&|q| q.users.email_addresses = vec!["ADAM@example.com".to_owned()]),
            vec!["Adam"],
            1,
        ),
        (
            with(&|q| {
                q.users.user_ids = IdFilter {
                    include: vec![],
                    exclude: vec![zoe.id().to_string()],
                }
            }),
            vec!["Adam", "Mia"],
            2,
        ),
        // A member of another organization only is not listed here.
        (
            with(&|q| q.users.user_ids.include = vec![outsider.id().to_string()]),
            vec![],
            0,
        ),
        (
            with(&|q| q.order = Ordering::ascending(MembershipOrderField::FirstName)),
            vec!["Adam", "Mia", "Zoe"],
            3,
        ),
        (
            with(&|q| q.order = Ordering::descending(MembershipOrderField::CreatedAt)),
            vec!["Mia", "Adam", "Zoe"],
            3,
        ),
        // No username sorts last ascending.
        (
            with(&|q| q.order = Ordering::ascending(MembershipOrderField::Username)),
            vec!["Mia", "Zoe", "Adam"],
            3,
        ),
        (
            with(&|q| q.order = Ordering::descending(MembershipOrderField::EmailAddress)),
            vec!["Zoe", "Mia", "Adam"],
            3,
        ),
        (
            with(&|q| {
                q.order = Ordering::ascending(MembershipOrderField::FirstName);
                q.limit = 1;
                q.offset = 1;
            }),
            vec!["Mia"],
            3,
        ),
    ];
    for (q, expected, expected_total) in cases {
        let (views, total) = store
            .list_organization_memberships(Some(acme.id()), &q)
            .await
            .expect("list");
        assert_eq!(firsts(&views), expected, "{q:?}");
        assert_eq!(total, expected_total, "{q:?}");
    }
    assert_eq!(
        store
            .list_organization_memberships(
                Some(&hallpass_domain::OrganizationId::from_random(99)),
                &list_query()
            )
            .await
            .expect("none")
            .1,
        0
    );

    // A user's memberships, newest first, each with its organization.
    let (views, total) = store
        .list_user_memberships(zoe.id(), 10, 0)
        .await
        .expect("zoe's");
    assert_eq!(total, 2);
    let orgs: Vec<_> = views
        .iter()
        .map(|v| v.organization.organization.id().clone())
        .collect();
    assert_eq!(orgs, [other.id().clone(), acme.id().clone()]);
    assert_eq!(views[0].organization.members_count, 2);
    let (views, total) = store
        .list_user_memberships(zoe.id(), 1, 1)
        .await
        .expect("page");
    assert_eq!(total, 2);
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].organization.organization, acme);
    // The users a client shows, each with its newest memberships; a user
    // without any, and one who does not exist.
    let loner = named(5, "Lou", None);
    store.insert_user(&loner).await.expect("loner");
    let (all, _) = store
        .list_user_memberships(zoe.id(), 10, 0)
        .await
        .expect("all");
    let mut found = store
        .find_users_with_memberships(
            &[
                zoe.id().clone(),
                loner.id().clone(),
                hallpass_domain::UserId::parse("user_nobody").expect("id"),
            ],
            10,
        )
        .await
        .expect("users");
    found.sort_by_key(|(u, _)| u.first_name().map(|n| n.as_str().to_owned()));
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].0, loner);
    assert!(found[0].1.is_empty());
    assert_eq!(found[1].0, store.find_user(zoe.id()).await.expect("zoe"));
    assert_eq!(found[1].1, all, "newest first, as the list");
    let one = store
        .find_users_with_memberships(&[zoe.id().clone()], 1)
        .await
        .expect("one");
    assert_eq!(one[0].1.len(), 1);
    assert_eq!(one[0].1[0].organization.organization.id(), other.id());
    assert!(
        store
            .find_users_with_memberships(&[], 10)
            .await
            .expect("none")
            .is_empty()
    );
}

pub(crate) async fn the_minting_read_follows_the_active_membership<S: Store>(store: S) {
    let members = users(&store, 2).await;
    let (ada, bob) = (&members[0], &members[1]);
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
    let (client, session) = session_of(&store, 1, ada.id(), Some(acme.id()), at(2)).await;
    let read = || store.find_client_session_with_organization(client.id(), session.id());

    let (c, s, active) = read().await.expect("read");
    assert_eq!(c, client);
    assert_eq!(s.as_ref(), Some(&session));
    let active = active.expect("the active organization");
    assert_eq!(active.organization, acme);
    assert_eq!(active.membership.role(), &Role::admin());
    assert_eq!(active.membership.user_id(), ada.id());

    // A role change shows in the very next read.
    let previous = active.membership.clone();
    let mut demoted = previous.clone();
    demoted
        .set_role(Role::member(), &hallpass_domain::RoleSet::default(), at(3))
        .expect("role");
    store
        .update_membership(&demoted, &previous)
        .await
        .expect("demote");
    let (_, _, active) = read().await.expect("read");
    assert_eq!(
        active.expect("still a member").membership.role(),
        &Role::member()
    );

    // Another user's membership in the organization does not count.
    store
        .insert_membership(&make_membership(2, &acme, bob.id(), None, at(3)))
        .await
        .expect("bob");
    store
        .delete_membership(acme.id(), ada.id())
        .await
        .expect("remove ada");
    let (c, s, active) = read().await.expect("read");
    assert_eq!((c, s), (client.clone(), Some(session.clone())));
    assert!(active.is_none(), "a removed member mints without it");

    // Back as a member, then the organization deleted.
    store
        .insert_membership(&make_membership(3, &acme, ada.id(), None, at(4)))
        .await
        .expect("rejoin");
    assert!(read().await.expect("read").2.is_some());
    store
        .delete_organization(acme.id(), at(5))
        .await
        .expect("delete org");
    let (_, s, active) = read().await.expect("read");
    assert!(active.is_none());
    assert_eq!(s.expect("the session").last_active_organization_id(), None);

    // No active organization, another client's session, no session, no
    // client.
    let (other_client, personal) = session_of(&store, 2, bob.id(), None, at(6)).await;
    assert_eq!(
        store
            .find_client_session_with_organization(other_client.id(), personal.id())
            .await
            .expect("read"),
        (other_client.clone(), Some(personal.clone()), None)
    );
    assert_eq!(
        store
            .find_client_session_with_organization(client.id(), personal.id())
            .await
            .expect("another client's session"),
        (client.clone(), None, None)
    );
    assert_eq!(
        store
            .find_client_session_with_organization(client.id(), &SessionId::from_random(77))
            .await
            .expect("no session"),
        (client.clone(), None, None)
    );
    assert!(matches!(
        store
            .find_client_session_with_organization(&ClientId::from_random(77), session.id())
            .await,
        Err(FindClientError::NotFound)
    ));
}
