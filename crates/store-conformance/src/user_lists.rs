//! Listing and counting users: every filter on its own and combined, pages
//! and totals, every ordering, the cursor (`UserStore::list_users`).

use hallpass_domain::{
    ExternalId, NewUser, OrganizationId, PersonName, UnixMillis, User, UserId, Username,
};
use hallpass_ports::store::*;
use hallpass_ports::{IdFilter, Ordering, UserFilter, UserOrderField, UserQuery};

use crate::support::*;

struct Fixture {
    users: Vec<User>,
    org1: OrganizationId,
    org2: OrganizationId,
}

fn name(value: &str, field: &'static str) -> Option<PersonName> {
    Some(PersonName::parse(value, field).expect("name"))
}

/// Five users (created at 1..=5 s) and two organizations: org1 has users
/// 1 and 3, org2 user 2.
async fn fixture<S: Store>(store: &S) -> Fixture {
    let day = 86_400;
    let mut u1 = make_user(
        1,
        NewUser {
            email_addresses: vec![email("a1@example.com")],
            phone_numbers: vec![phone("+14155550001")],
            first_name: name("Ada", "first_name"),
            last_name: name("Lovelace", "last_name"),
            username: Some(Username::parse("ada_l").expect("username")),
            external_id: Some(ExternalId::parse("ext-1").expect("external id")),
            ..Default::default()
        },
        at(1),
    );
    u1.record_sign_in(at(50));
    let u2 = make_user(
        2,
        NewUser {
            email_addresses: vec![email("bob@example.com")],
            first_name: name("Bob", "first_name"),
            last_name: name("Builder", "last_name"),
            banned: true,
            ..Default::default()
        },
        at(2),
    );
    let mut u3 = make_user(
        3,
        NewUser {
            phone_numbers: vec![phone("+442071234567")],
            username: Some(Username::parse("Carol99").expect("username")),
            first_name: name("carol", "first_name"),
            external_id: Some(ExternalId::parse("ext-3").expect("external id")),
            ..Default::default()
        },
        at(3),
    );
    u3.record_activity(at(2 * day));
    let mut u4 = make_user(
        4,
        NewUser {
            email_addresses: vec![email("dan_100%@other.example")],
            first_name: name("bob", "first_name"),
            last_name: name("Zed", "last_name"),
            ..Default::default()
        },
        at(4),
    );
    u4.record_sign_in(at(10));
    let u5 = User::adopt(UserId::parse("legacy-user").expect("id"), at(5));
    let users = vec![u1, u2, u3, u4, u5];
    for u in &users {
        store.insert_user(u).await.expect("insert user");
    }
    let org1 = make_organization(1, "One", "one", 0, at(1));
    let org2 = make_organization(2, "Two", "two", 0, at(1));
    store.insert_organization(&org1, None).await.expect("org1");
    store.insert_organization(&org2, None).await.expect("org2");
    for (n, org, user) in [(1, &org1, 0), (2, &org1, 2), (3, &org2, 1)] {
        store
            .insert_membership(&make_membership(n, org, users[user].id(), None, at(6)))
            .await
            .expect("membership");
    }
    Fixture {
        users,
        org1: org1.id().clone(),
        org2: org2.id().clone(),
    }
}

fn query(filter: UserFilter) -> UserQuery {
    UserQuery {
        filter,
        order: Ordering::ascending(UserOrderField::CreatedAt),
        starting_after: None,
        limit: 100,
        offset: 0,
    }
}

fn include(values: &[&str]) -> IdFilter {
    IdFilter {
        include: values.iter().map(|v| (*v).to_owned()).collect(),
        exclude: vec![],
    }
}

fn exclude(values: &[&str]) -> IdFilter {
    IdFilter {
        include: vec![],
        exclude: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

/// Which fixture users (1-based) the query lists, after checking that the
/// total and `count_users` agree with the page (the page holds them all).
async fn listed<S: Store>(store: &S, f: &Fixture, filter: UserFilter) -> Vec<usize> {
    let (users, total) = store
        .list_users(&query(filter.clone()))
        .await
        .expect("list");
    assert_eq!(total, users.len() as u64, "{filter:?}");
    assert_eq!(
        store
            .list_users_page(&query(filter.clone()))
            .await
            .expect("page"),
        users,
        "the page without its total: {filter:?}"
    );
    assert_eq!(
        store.count_users(&filter).await.expect("count"),
        total,
        "{filter:?}"
    );
    users
        .iter()
        .map(|u| {
            let i = f
                .users
                .iter()
                .position(|x| x.id() == u.id())
                .expect("a fixture user");
            assert_eq!(u, &f.users[i], "listed users are whole");
            i + 1
        })
        .collect()
}

pub(crate) async fn users_are_listed_by_each_filter_with_totals<S: Store>(store: S) {
    let f = fixture(&store).await;
    let id = |i: usize| f.users[i - 1].id().as_str().to_owned();
    let all = vec![1, 2, 3, 4, 5];
    assert_eq!(listed(&store, &f, UserFilter::default()).await, all);

    let by = |apply: fn(&mut UserFilter)| {
        let mut filter = UserFilter::default();
        apply(&mut filter);
        filter
    };
    // Exact values, any of a list; case does not matter for addresses and
    // usernames; a phone number in any usual spelling; a value that can
    // never match is no error.
    let cases: Vec<(UserFilter, Vec<usize>)> = vec![
        (
            by(|q| {
                q.email_addresses = strings(&["A1@EXAMPLE.com", "nobody@x.example", "not an email"])
            }),
            vec![1],
        ),
        (
            by(|q| q.email_addresses = strings(&["bob@example.com", "a1@example.com"])),
            vec![1, 2],
        ),
        (
            by(|q| q.phone_numbers = strings(&["+1 (415) 555-0001"])),
            vec![1],
        ),
        (
            by(|q| q.phone_numbers = strings(&["+442071234567"])),
            vec![3],
        ),
        (
            by(|q| q.usernames = strings(&["ADA_L", "carol99"])),
            vec![1, 3],
        ),
        (
            by(|q| q.external_ids = include(&["ext-1", "ext-3", "EXT-1"])),
            vec![1, 3],
        ),
        // Excluding keeps the users without an external id.
        (
            by(|q| q.external_ids = exclude(&["ext-1"])),
            vec![2, 3, 4, 5],
        ),
        (by(|q| q.banned = Some(true)), vec![2]),
        (by(|q| q.banned = Some(false)), vec![1, 3, 4, 5]),
        // Substrings without case, over ids, names, usernames, addresses
        // and phone numbers.
        (by(|q| q.query = Some("LOVELACE".to_owned())), vec![1]),
        (by(|q| q.query = Some("ada lov".to_owned())), vec![1]),
        (by(|q| q.query = Some("example".to_owned())), vec![1, 2, 4]),
        (by(|q| q.query = Some("5550".to_owned())), vec![1]),
        (by(|q| q.query = Some("legacy".to_owned())), vec![5]),
        (by(|q| q.query = Some("arol9".to_owned())), vec![3]),
        // `%` and `_` are themselves, not wildcards.
        (by(|q| q.query = Some("%".to_owned())), vec![4]),
        (by(|q| q.query = Some("_".to_owned())), vec![1, 2, 3, 4]),
        (
            by(|q| q.query = Some("nothing-like-this".to_owned())),
            vec![],
        ),
        (
            by(|q| q.email_address_query = Some("EXAMPLE.COM".to_owned())),
            vec![1, 2],
        ),
        (
            by(|q| q.phone_number_query = Some("2071".to_owned())),
            vec![3],
        ),
        (by(|q| q.username_query = Some("CAROL".to_owned())), vec![3]),
        (by(|q| q.name_query = Some("zed".to_owned())), vec![4]),
        (by(|q| q.name_query = Some("bob".to_owned())), vec![2, 4]),
        // Strict bounds; users without the value match neither.
        (by(|q| q.created_at_before = Some(at(3))), vec![1, 2]),
        (by(|q| q.created_at_after = Some(at(3))), vec![4, 5]),
        (by(|q| q.last_sign_in_at_after = Some(at(10))), vec![1]),
        (by(|q| q.last_sign_in_at_before = Some(at(50))), vec![4]),
        (by(|q| q.last_active_at_after = Some(at(0))), vec![3]),
        (by(|q| q.last_active_at_before = Some(at(0))), vec![1, 4]),
    ];
    for (filter, expected) in cases {
        assert_eq!(
            listed(&store, &f, filter.clone()).await,
            expected,
            "{filter:?}"
        );
    }

    // Ids and memberships, included and excluded.
    let mut filter = UserFilter {
        user_ids: include(&[&id(2), &id(4), "nobody"]),
        ..UserFilter::default()
    };
    assert_eq!(listed(&store, &f, filter.clone()).await, vec![2, 4]);
    filter.user_ids = exclude(&[&id(2)]);
    assert_eq!(listed(&store, &f, filter.clone()).await, vec![1, 3, 4, 5]);
    filter.user_ids = IdFilter::default();
    filter.organization_ids = include(&[f.org1.as_str()]);
    assert_eq!(listed(&store, &f, filter.clone()).await, vec![1, 3]);
    filter.organization_ids = include(&[f.org1.as_str(), f.org2.as_str()]);
    assert_eq!(listed(&store, &f, filter.clone()).await, vec![1, 2, 3]);
    filter.organization_ids = exclude(&[f.org1.as_str()]);
    assert_eq!(listed(&store, &f, filter.clone()).await, vec![2, 4, 5]);

    // Filters combine (AND); a page is cut from the matches, the total
    // counts them all.
    let combined = UserFilter {
        external_ids: exclude(&["ext-1"]),
        banned: Some(false),
        ..UserFilter::default()
    };
    assert_eq!(listed(&store, &f, combined.clone()).await, vec![3, 4, 5]);
    let page = UserQuery {
        limit: 2,
        offset: 1,
        ..query(combined.clone())
    };
    let (users, total) = store.list_users(&page).await.expect("page");
    assert_eq!(total, 3);
    assert_eq!(
        users.iter().map(|u| u.id().clone()).collect::<Vec<_>>(),
        vec![f.users[3].id().clone(), f.users[4].id().clone()]
    );
    let (users, total) = store
        .list_users(&UserQuery {
            offset: 5,
            ..page.clone()
        })
        .await
        .expect("past the end");
    assert!(users.is_empty());
    assert_eq!(total, 3);
}

/// The value a user is ordered by, missing values as `None`.
fn key(u: &User, field: UserOrderField) -> Option<(i64, String)> {
    let text = |v: Option<&str>| v.map(|s| (0, s.to_lowercase()));
    let time = |v: Option<UnixMillis>| v.map(|t| (t.as_millis(), String::new()));
    match field {
        UserOrderField::CreatedAt => time(Some(u.created_at())),
        UserOrderField::UpdatedAt => time(Some(u.updated_at())),
        UserOrderField::LastSignInAt => time(u.last_sign_in_at()),
        UserOrderField::LastActiveAt => time(u.last_active_at()),
        UserOrderField::EmailAddress => {
            text(u.primary_email_address().map(|e| e.email_address.as_str()))
        }
        UserOrderField::PhoneNumber => {
            text(u.primary_phone_number().map(|p| p.phone_number.as_str()))
        }
        UserOrderField::Username => text(u.username().map(Username::as_str)),
        UserOrderField::FirstName => text(u.first_name().map(PersonName::as_str)),
        UserOrderField::LastName => text(u.last_name().map(PersonName::as_str)),
    }
}

pub(crate) async fn users_are_ordered_by_each_field<S: Store>(store: S) {
    let f = fixture(&store).await;
    let fields = [
        UserOrderField::CreatedAt,
        UserOrderField::UpdatedAt,
        UserOrderField::LastSignInAt,
        UserOrderField::LastActiveAt,
        UserOrderField::EmailAddress,
        UserOrderField::PhoneNumber,
        UserOrderField::Username,
        UserOrderField::FirstName,
        UserOrderField::LastName,
    ];
    for field in fields {
        for descending in [false, true] {
            // The rule: by value without case, a missing value after every
            // other (ascending), ties by id; descending is the reverse.
            let mut expected: Vec<&User> = f.users.iter().collect();
            expected.sort_by(|a, b| {
                let (ka, kb) = (key(a, field), key(b, field));
                let by_value = match (&ka, &kb) {
                    (None, None) => std::cmp::Ordering::Equal,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (Some(x), Some(y)) => x.cmp(y),
                };
                by_value.then_with(|| a.id().cmp(b.id()))
            });
            if descending {
                expected.reverse();
            }
            let order = Ordering { field, descending };
            let (users, _) = store
                .list_users(&UserQuery {
                    order,
                    ..query(UserFilter::default())
                })
                .await
                .expect("list");
            let got: Vec<&UserId> = users.iter().map(User::id).collect();
            let want: Vec<&UserId> = expected.iter().map(|u| u.id()).collect();
            assert_eq!(got, want, "{order:?}");
        }
    }
    // The fixture has the cases that matter: ties (`Bob` and `bob`),
    // missing values, and different case.
    assert_eq!(
        key(&f.users[1], UserOrderField::FirstName),
        key(&f.users[3], UserOrderField::FirstName)
    );

    // The cursor: after a user in created_at order, either way.
    let after = |id: &UserId, descending: bool| UserQuery {
        starting_after: Some(id.clone()),
        order: Ordering {
            field: UserOrderField::CreatedAt,
            descending,
        },
        ..query(UserFilter::default())
    };
    let ids = |users: Vec<User>| users.iter().map(|u| u.id().clone()).collect::<Vec<_>>();
    let (users, total) = store
        .list_users(&after(f.users[1].id(), false))
        .await
        .expect("after");
    assert_eq!(
        ids(users),
        vec![
            f.users[2].id().clone(),
            f.users[3].id().clone(),
            f.users[4].id().clone()
        ]
    );
    assert_eq!(total, 5, "the total ignores the cursor");
    let (users, _) = store
        .list_users(&after(f.users[3].id(), true))
        .await
        .expect("after, descending");
    assert_eq!(
        ids(users),
        vec![
            f.users[2].id().clone(),
            f.users[1].id().clone(),
            f.users[0].id().clone()
        ]
    );
    let (users, _) = store
        .list_users(&after(&UserId::parse("nobody").expect("id"), false))
        .await
        .expect("after nobody");
    assert!(users.is_empty());
}
