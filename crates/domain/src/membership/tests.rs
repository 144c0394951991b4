use super::*;
use crate::json::Json;
use crate::metadata::{MetadataError, MetadataField};
use crate::organization::{MembershipLimit, NewOrganization, OrganizationName};
use crate::role::{RoleDescription, RoleSetDescription};

const T0: UnixMillis = UnixMillis::new(1_700_000_000_000);

fn at(ms: i64) -> UnixMillis {
    UnixMillis::new(T0.as_millis() + ms)
}

fn org(limit: u32, creator: Option<&str>) -> Organization {
    let new = NewOrganization {
        max_allowed_memberships: MembershipLimit::new(limit),
        created_by: creator.map(|c| UserId::parse(c).unwrap()),
        ..NewOrganization::named(OrganizationName::parse("Acme").unwrap())
    };
    Organization::create(new, OrganizationId::from_random(1), T0)
}

fn user(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

fn mid(n: u128) -> OrganizationMembershipId {
    OrganizationMembershipId::from_random(n)
}

fn roles_with_billing() -> RoleSet {
    RoleSet::new(&RoleSetDescription {
        roles: vec![RoleDescription {
            key: "org:billing".to_owned(),
            name: None,
            permissions: vec!["org:invoices:read".to_owned()],
        }],
        ..RoleSetDescription::default()
    })
    .unwrap()
}

fn obj<const N: usize>(entries: [(&str, Json); N]) -> JsonObject {
    entries.into_iter().collect()
}

#[test]
fn a_member_added_without_a_role_gets_the_default_role() {
    let o = org(0, None);
    let m = Membership::create(
        &o,
        user("user_1"),
        NewMembership::default(),
        0,
        &RoleSet::default(),
        mid(1),
        T0,
    )
    .unwrap();
    assert_eq!(m.id(), &mid(1));
    assert_eq!(m.organization_id(), o.id());
    assert_eq!(m.user_id(), &user("user_1"));
    assert_eq!(m.role(), &Role::member());
    assert_eq!((m.created_at(), m.updated_at()), (T0, T0));
    assert!(m.is_of(&user("user_1"), o.id()));
    assert!(!m.is_of(&user("user_2"), o.id()));
    assert!(!m.is_of(&user("user_1"), &OrganizationId::from_random(2)));
    let defaults = RoleSet::default();
    let permissions: Vec<&str> = m
        .permissions(&defaults)
        .unwrap()
        .iter()
        .map(Permission::as_str)
        .collect();
    assert_eq!(permissions, ["org:sys_memberships:read"]);
    assert_eq!(Membership::from_record(m.to_record()), m);
}

#[test]
fn a_role_outside_the_role_set_is_refused() {
    let o = org(0, None);
    let billing = Role::parse("org:billing").unwrap();
    assert_eq!(
        Membership::create(
            &o,
            user("user_1"),
            NewMembership::with_role(Some(billing.clone())),
            0,
            &RoleSet::default(),
            mid(1),
            T0,
        ),
        Err(MembershipError::UnknownRole(billing.clone()))
    );
    let m = Membership::create(
        &o,
        user("user_1"),
        NewMembership {
            role: Some(billing.clone()),
            public_metadata: Metadata::new(obj([("desk", Json::int(4))])).unwrap(),
            private_metadata: Metadata::new(obj([("badge", Json::int(9))])).unwrap(),
        },
        0,
        &roles_with_billing(),
        mid(1),
        T0,
    )
    .unwrap();
    assert_eq!(m.role(), &billing);
    assert_eq!(
        m.public_metadata().as_object(),
        &obj([("desk", Json::int(4))])
    );
    assert_eq!(
        m.private_metadata().as_object(),
        &obj([("badge", Json::int(9))])
    );
    // The role set changed since: the membership has no permissions.
    assert_eq!(m.permissions(&RoleSet::default()), None);
}

#[test]
fn an_organization_at_its_limit_takes_no_one_more() {
    let o = org(3, None);
    let add = |members: u64| {
        Membership::create(
            &o,
            user("user_1"),
            NewMembership::default(),
            members,
            &RoleSet::default(),
            mid(1),
            T0,
        )
    };
    assert!(add(2).is_ok());
    assert_eq!(add(3), Err(MembershipError::LimitReached { max: 3 }));
    assert_eq!(add(4), Err(MembershipError::LimitReached { max: 3 }));
    let unlimited = org(0, None);
    assert!(
        Membership::create(
            &unlimited,
            user("user_1"),
            NewMembership::default(),
            1_000_000,
            &RoleSet::default(),
            mid(1),
            T0,
        )
        .is_ok()
    );
}

#[test]
fn an_unknown_role_is_reported_before_the_limit() {
    let o = org(1, None);
    let ghost = Role::parse("org:ghost").unwrap();
    assert_eq!(
        Membership::create(
            &o,
            user("user_1"),
            NewMembership::with_role(Some(ghost.clone())),
            1,
            &RoleSet::default(),
            mid(1),
            T0,
        ),
        Err(MembershipError::UnknownRole(ghost))
    );
}

#[test]
fn the_creator_becomes_the_first_member_with_the_creator_role() {
    let o = org(1, Some("user_founder"));
    let m = Membership::for_creator(&o, &RoleSet::default(), mid(5), T0)
        .unwrap()
        .unwrap();
    assert_eq!(m.user_id(), &user("user_founder"));
    assert_eq!(m.role(), &Role::admin());
    assert_eq!(m.id(), &mid(5));
    assert_eq!(
        Membership::for_creator(&org(0, None), &RoleSet::default(), mid(6), T0),
        Ok(None)
    );
}

#[test]
fn a_role_change_is_checked_and_reported() {
    let roles = roles_with_billing();
    let mut m = Membership::create(
        &org(0, None),
        user("user_1"),
        NewMembership::default(),
        0,
        &roles,
        mid(1),
        T0,
    )
    .unwrap();
    assert_eq!(m.set_role(Role::admin(), &roles, at(1)), Ok(true));
    assert_eq!(m.role(), &Role::admin());
    assert_eq!(m.updated_at(), at(1));
    assert_eq!(m.set_role(Role::admin(), &roles, at(2)), Ok(false));
    assert_eq!(m.updated_at(), at(1));
    let ghost = Role::parse("org:ghost").unwrap();
    assert_eq!(
        m.set_role(ghost.clone(), &roles, at(3)),
        Err(MembershipError::UnknownRole(ghost))
    );
    assert_eq!(m.role(), &Role::admin());
    assert_eq!(m.updated_at(), at(1));
    // updated_at moves strictly forward, even with a clock behind it.
    assert_eq!(m.set_role(Role::member(), &roles, at(-1)), Ok(true));
    assert_eq!(m.updated_at(), at(2));
    // and within the same millisecond
    assert_eq!(m.set_role(Role::admin(), &roles, at(2)), Ok(true));
    assert_eq!(m.updated_at(), at(3));
}

#[test]
fn membership_metadata_merges_and_is_refused_whole() {
    let mut m = Membership::create(
        &org(0, None),
        user("user_1"),
        NewMembership::default(),
        0,
        &RoleSet::default(),
        mid(1),
        T0,
    )
    .unwrap();
    m.merge_metadata(
        Some(&obj([("desk", Json::int(4))])),
        Some(&obj([("badge", Json::int(9))])),
        at(1),
    )
    .unwrap();
    assert_eq!(
        m.public_metadata().as_object(),
        &obj([("desk", Json::int(4))])
    );
    assert_eq!(
        m.private_metadata().as_object(),
        &obj([("badge", Json::int(9))])
    );
    assert_eq!(m.updated_at(), at(1));
    let big = obj([("k", Json::str("x".repeat(8185)))]);
    assert_eq!(
        m.merge_metadata(Some(&big), Some(&obj([("badge", Json::Null)])), at(2)),
        Err(MembershipError::Metadata(MetadataFieldError {
            field: MetadataField::Public,
            error: MetadataError::TooLarge {
                size: 8193 + r#""desk":4,"#.len(),
                max: 8192
            }
        }))
    );
    assert!(m.private_metadata().as_object().contains_key("badge"));
    assert_eq!(m.updated_at(), at(1));
    m.merge_metadata(None, Some(&obj([("badge", Json::Null)])), at(3))
        .unwrap();
    assert_eq!(m.private_metadata(), &Metadata::empty());
    assert_eq!(
        m.public_metadata().as_object(),
        &obj([("desk", Json::int(4))])
    );
}
