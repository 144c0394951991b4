//! Organizations: round trips by id and slug, the unique slug,
//! compare-and-set, deletion, lists (`OrganizationStore`).

use hallpass_domain::{
    MembershipLimit, OrganizationId, OrganizationName, OrganizationPatch, OrganizationRef, Slug,
};
use hallpass_ports::store::*;
use hallpass_ports::{
    FindOrganizationError, IdFilter, InsertOrganizationError, Ordering, OrganizationOrderField,
    OrganizationQuery, UpdateOrganizationError,
};

use crate::support::*;

fn by_id(id: &OrganizationId) -> OrganizationRef {
    OrganizationRef::Id(id.clone())
}

pub(crate) async fn organizations_are_found_by_id_or_slug_with_their_member_count<S: Store>(
    store: S,
) {
    let ada = user_with_email(1, "ada@example.com", at(1));
    store.insert_user(&ada).await.expect("ada");
    let acme = make_organization(1, "Acme Inc", "acme", 10, at(1));
    let creator = make_membership(1, &acme, ada.id(), None, at(1));
    store
        .insert_organization(&acme, Some(&creator))
        .await
        .expect("insert");
    let found = store
        .find_organization(&by_id(acme.id()))
        .await
        .expect("find");
    assert_eq!(found.organization, acme);
    assert_eq!(found.members_count, 1, "the creator is the first member");
    assert_eq!(
        store
            .find_membership(acme.id(), ada.id())
            .await
            .expect("find"),
        Some(creator)
    );
    assert_eq!(
        store
            .find_organization(&OrganizationRef::parse("acme").expect("slug"))
            .await
            .expect("by slug")
            .organization,
        acme
    );

    // Without a creator: no member.
    let empty = make_organization(2, "Empty", "empty", 0, at(2));
    store
        .insert_organization(&empty, None)
        .await
        .expect("insert");
    assert_eq!(
        store
            .find_organization(&by_id(empty.id()))
            .await
            .expect("find")
            .members_count,
        0
    );

    // An old organization id that is also another organization's slug:
    // the id wins; a slug alone finds the other.
    let legacy = hallpass_domain::Organization::create(
        hallpass_domain::NewOrganization {
            slug: Some(Slug::parse("legacy-slug").expect("slug")),
            ..hallpass_domain::NewOrganization::named(
                OrganizationName::parse("Legacy").expect("name"),
            )
        },
        OrganizationId::parse("shared").expect("id"),
        at(3),
    );
    let named_shared = make_organization(4, "Shared", "shared", 0, at(3));
    store
        .insert_organization(&legacy, None)
        .await
        .expect("legacy");
    store
        .insert_organization(&named_shared, None)
        .await
        .expect("shared");
    let both = OrganizationRef::parse("shared").expect("ref");
    assert!(matches!(both, OrganizationRef::IdOrSlug(..)));
    assert_eq!(
        store
            .find_organization(&both)
            .await
            .expect("find")
            .organization,
        legacy
    );
    assert_eq!(
        store
            .find_organization(&OrganizationRef::Slug(Slug::parse("shared").expect("slug")))
            .await
            .expect("find")
            .organization,
        named_shared
    );
    assert!(matches!(
        store
            .find_organization(&OrganizationRef::parse("nothing-here").expect("ref"))
            .await,
        Err(FindOrganizationError::NotFound)
    ));
    assert!(matches!(
        store
            .find_organization(&by_id(&OrganizationId::from_random(99)))
            .await,
        Err(FindOrganizationError::NotFound)
    ));

    // Refusals write nothing: a taken slug, a taken id, a creator who is
    // not a user.
    let copycat = make_organization(5, "Copycat", "acme", 0, at(4));
    assert!(matches!(
        store.insert_organization(&copycat, None).await,
        Err(InsertOrganizationError::SlugTaken)
    ));
    let twin = make_organization(1, "Twin", "twin", 0, at(4));
    assert!(matches!(
        store.insert_organization(&twin, None).await,
        Err(InsertOrganizationError::Conflict)
    ));
    let orphan = make_organization(6, "Orphan", "orphan", 0, at(4));
    let ghost = hallpass_domain::UserId::parse("user_ghost").expect("id");
    assert!(matches!(
        store
            .insert_organization(
                &orphan,
                Some(&make_membership(6, &orphan, &ghost, None, at(4)))
            )
            .await,
        Err(InsertOrganizationError::CreatorNotFound)
    ));
    for id in [copycat.id(), orphan.id()] {
        assert!(matches!(
            store.find_organization(&by_id(id)).await,
            Err(FindOrganizationError::NotFound)
        ));
    }
    assert_eq!(
        store
            .find_organization(&by_id(acme.id()))
            .await
            .expect("find")
            .organization,
        acme
    );
}

pub(crate) async fn an_organization_update_is_compare_and_set_and_keeps_slugs_unique<S: Store>(
    store: S,
) {
    let ada = user_with_email(1, "ada@example.com", at(1));
    store.insert_user(&ada).await.expect("ada");
    let acme = make_organization(1, "Acme", "acme", 0, at(1));
    let other = make_organization(2, "Other", "other", 0, at(1));
    store
        .insert_organization(
            &acme,
            Some(&make_membership(1, &acme, ada.id(), None, at(1))),
        )
        .await
        .expect("acme");
    store
        .insert_organization(&other, None)
        .await
        .expect("other");

    let mut renamed = acme.clone();
    assert!(renamed.update(
        OrganizationPatch {
            name: Some(OrganizationName::parse("Acme Corp").expect("name")),
            slug: Some(Slug::parse("acme-corp").expect("slug")),
            max_allowed_memberships: Some(MembershipLimit::new(5)),
            ..Default::default()
        },
        at(2),
    ));
    store
        .update_organization(&renamed, &acme)
        .await
        .expect("update");
    let found = store
        .find_organization(&by_id(acme.id()))
        .await
        .expect("find");
    assert_eq!(found.organization, renamed);
    assert_eq!(found.members_count, 1, "an update leaves the count alone");
    // The old slug is free, the new one taken.
    assert!(matches!(
        store
            .find_organization(&OrganizationRef::parse("acme").expect("ref"))
            .await,
        Err(FindOrganizationError::NotFound)
    ));

    let mut stale = acme.clone();
    stale.update(
        OrganizationPatch {
            name: Some(OrganizationName::parse("Stale").expect("name")),
            ..Default::default()
        },
        at(3),
    );
    assert!(matches!(
        store.update_organization(&stale, &acme).await,
        Err(UpdateOrganizationError::Changed)
    ));
    let mut onto = other.clone();
    onto.update(
        OrganizationPatch {
            slug: Some(Slug::parse("acme-corp").expect("slug")),
            ..Default::default()
        },
        at(3),
    );
    assert!(matches!(
        store.update_organization(&onto, &other).await,
        Err(UpdateOrganizationError::SlugTaken)
    ));
    assert_eq!(
        store
            .find_organization(&by_id(other.id()))
            .await
            .expect("find")
            .organization,
        other
    );
    let ghost = make_organization(9, "Ghost", "ghost", 0, at(1));
    assert!(matches!(
        store.update_organization(&ghost, &ghost).await,
        Err(UpdateOrganizationError::NotFound)
    ));
    assert_eq!(
        store
            .find_organization(&by_id(acme.id()))
            .await
            .expect("find")
            .organization,
        renamed
    );
}

pub(crate) async fn deleting_an_organization_removes_its_memberships_and_clears_it_from_sessions<
    S: Store,
>(
    store: S,
) {
    let ada = user_with_email(1, "ada@example.com", at(1));
    let bob = user_with_email(2, "bob@example.com", at(1));
    store.insert_user(&ada).await.expect("ada");
    store.insert_user(&bob).await.expect("bob");
    let acme = make_organization(1, "Acme", "acme", 0, at(1));
    let other = make_organization(2, "Other", "other", 0, at(1));
    store
        .insert_organization(
            &acme,
            Some(&make_membership(1, &acme, ada.id(), None, at(1))),
        )
        .await
        .expect("acme");
    store
        .insert_organization(
            &other,
            Some(&make_membership(2, &other, ada.id(), None, at(1))),
        )
        .await
        .expect("other");
    store
        .insert_membership(&make_membership(3, &acme, bob.id(), None, at(1)))
        .await
        .expect("bob joins");
    let (_, ada_in_acme) = session_of(&store, 1, ada.id(), Some(acme.id()), at(2)).await;
    let (_, bob_in_acme) = session_of(&store, 2, bob.id(), Some(acme.id()), at(2)).await;
    let (_, ada_in_other) = session_of(&store, 3, ada.id(), Some(other.id()), at(2)).await;
    let (_, ada_personal) = session_of(&store, 4, ada.id(), None, at(2)).await;

    let now = at(10);
    store
        .delete_organization(acme.id(), now)
        .await
        .expect("delete");
    assert!(matches!(
        store.find_organization(&by_id(acme.id())).await,
        Err(FindOrganizationError::NotFound)
    ));
    for s in [&ada_in_acme, &bob_in_acme] {
        let stored = store.find_session(s.id()).await.expect("session");
        assert_eq!(stored.last_active_organization_id(), None);
        assert_eq!(stored.status(), s.status(), "the session itself goes on");
        assert_eq!(stored.updated_at(), now);
    }
    assert_eq!(
        store.find_session(ada_in_other.id()).await.expect("other"),
        ada_in_other
    );
    assert_eq!(
        store
            .find_session(ada_personal.id())
            .await
            .expect("personal"),
        ada_personal
    );
    for u in [ada.id(), bob.id()] {
        assert_eq!(
            store.find_membership(acme.id(), u).await.expect("find"),
            None
        );
    }
    assert!(
        store
            .find_membership(other.id(), ada.id())
            .await
            .expect("find")
            .is_some()
    );
    let (views, total) = store
        .list_user_memberships(ada.id(), 10, 0)
        .await
        .expect("list");
    assert_eq!(total, 1);
    assert_eq!(views[0].organization.organization, other);
    // Its slug is free again; deleting twice finds nothing.
    store
        .insert_organization(&make_organization(7, "New Acme", "acme", 0, at(11)), None)
        .await
        .expect("the slug is free");
    assert!(matches!(
        store.delete_organization(acme.id(), now).await,
        Err(FindOrganizationError::NotFound)
    ));
}

fn query() -> OrganizationQuery {
    OrganizationQuery {
        query: None,
        user_ids: IdFilter::default(),
        organization_ids: IdFilter::default(),
        order: Ordering::ascending(OrganizationOrderField::CreatedAt),
        limit: 100,
        offset: 0,
    }
}

pub(crate) async fn organizations_are_listed_with_filters_orders_and_totals<S: Store>(store: S) {
    let users: Vec<_> = (1..=3)
        .map(|n| user_with_email(n, &format!("u{n}@example.com"), at(1)))
        .collect();
    for u in &users {
        store.insert_user(u).await.expect("user");
    }
    // Three organizations (created at 1, 2, 3 s) with 2, 0 and 1 members.
    let orgs = [
        make_organization(1, "beta Labs", "beta", 0, at(1)),
        make_organization(2, "Alpha", "alpha-team", 0, at(2)),
        make_organization(3, "Gamma 50%", "gamma", 0, at(3)),
    ];
    store
        .insert_organization(
            &orgs[0],
            Some(&make_membership(1, &orgs[0], users[0].id(), None, at(1))),
        )
        .await
        .expect("org");
    store
        .insert_organization(&orgs[1], None)
        .await
        .expect("org");
    store
        .insert_organization(
            &orgs[2],
            Some(&make_membership(2, &orgs[2], users[1].id(), None, at(3))),
        )
        .await
        .expect("org");
    store
        .insert_membership(&make_membership(3, &orgs[0], users[2].id(), None, at(4)))
        .await
        .expect("member");

    let listed = |q: OrganizationQuery| {
        let store = store.clone();
        async move {
            let (page, total) = store.list_organizations(&q).await.expect("list");
            let names: Vec<String> = page
                .iter()
                .map(|o| o.organization.slug().as_str().to_owned())
                .collect();
            let counts: Vec<u64> = page.iter().map(|o| o.members_count).collect();
            (names, counts, total)
        }
    };
    let (names, counts, total) = listed(query()).await;
    assert_eq!(names, ["beta", "alpha-team", "gamma"]);
    assert_eq!(counts, [2, 0, 1]);
    assert_eq!(total, 3);

    let with = |f: fn(&mut OrganizationQuery)| {
        let mut q = query();
        f(&mut q);
        q
    };
    // The query: the exact id, or a substring of the name (without case)
    // or of the slug; `%` is itself.
    let mut q = query();
    q.query = Some(orgs[1].id().as_str().to_owned());
    assert_eq!(listed(q).await.0, ["alpha-team"]);
    assert_eq!(
        listed(with(|q| q.query = Some("LABS".to_owned()))).await.0,
        ["beta"]
    );
    assert_eq!(
        listed(with(|q| q.query = Some("team".to_owned()))).await.0,
        ["alpha-team"]
    );
    assert_eq!(
        listed(with(|q| q.query = Some("%".to_owned()))).await.0,
        ["gamma"]
    );
    assert_eq!(
        listed(with(|q| q.query = Some("a".to_owned()))).await.0,
        ["beta", "alpha-team", "gamma"]
    );
    assert!(
        listed(with(|q| q.query = Some("org_".to_owned())))
            .await
            .0
            .is_empty(),
        "ids match exactly"
    );

    // Members, included or excluded; ids, included or excluded.
    let mut q = query();
    q.user_ids.include = vec![users[2].id().to_string(), users[1].id().to_string()];
    assert_eq!(listed(q.clone()).await.0, ["beta", "gamma"]);
    q.user_ids = IdFilter {
        include: vec![],
        exclude: vec![users[0].id().to_string()],
    };
    assert_eq!(listed(q.clone()).await.0, ["alpha-team", "gamma"]);
    q.user_ids = IdFilter::default();
    q.organization_ids.include = vec![orgs[2].id().to_string(), orgs[0].id().to_string()];
    assert_eq!(listed(q.clone()).await.0, ["beta", "gamma"]);
    q.organization_ids = IdFilter {
        include: vec![],
        exclude: vec![orgs[2].id().to_string()],
    };
    assert_eq!(listed(q.clone()).await.0, ["beta", "alpha-team"]);

    // Orders, either way; pages with the total of all matches.
    for (field, ascending) in [
        (
            OrganizationOrderField::CreatedAt,
            ["beta", "alpha-team", "gamma"],
        ),
        (
            OrganizationOrderField::Name,
            ["alpha-team", "beta", "gamma"],
        ),
        (
            OrganizationOrderField::MembersCount,
            ["alpha-team", "gamma", "beta"],
        ),
    ] {
        let mut q = query();
        q.order = Ordering::ascending(field);
        assert_eq!(listed(q.clone()).await.0, ascending, "{field:?}");
        q.order = Ordering::descending(field);
        let mut descending = ascending.to_vec();
        descending.reverse();
        assert_eq!(
            listed(q.clone()).await.0,
            descending,
            "{field:?} descending"
        );
        q.limit = 1;
        q.offset = 1;
        let (names, _, total) = listed(q).await;
        assert_eq!(names, [descending[1]]);
        assert_eq!(total, 3);
    }
}
