use super::*;

fn keys(permissions: &[Permission]) -> Vec<&str> {
    permissions.iter().map(Permission::as_str).collect()
}

fn role(key: &str) -> Role {
    Role::parse(key).unwrap()
}

fn describe(key: &str, permissions: &[&str]) -> RoleDescription {
    RoleDescription {
        key: key.to_owned(),
        name: None,
        permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
    }
}

fn set_of(roles: Vec<RoleDescription>) -> Result<RoleSet, RoleError> {
    RoleSet::new(&RoleSetDescription {
        roles,
        ..RoleSetDescription::default()
    })
}

#[test]
fn role_keys_are_org_and_lowercase_letters_digits_underscores() {
    for ok in ["org:admin", "org:billing_manager", "org:tier2"] {
        assert_eq!(Role::parse(ok).map(|r| r.to_string()), Ok(ok.to_owned()));
    }
    for bad in [
        "admin",
        "org:",
        "org:Admin",
        "org:billing-manager",
        "org:a:b",
        "org:é",
        "basic_member",
        "ORG:admin",
    ] {
        assert_eq!(
            Role::parse(bad),
            Err(RoleError::InvalidRole(bad.to_owned())),
            "{bad}"
        );
    }
    assert_eq!(Role::admin().as_str(), "org:admin");
    assert_eq!(Role::member().as_str(), "org:member");
    assert_eq!(role("org:billing_manager").name(), "billing_manager");
}

#[test]
fn permission_keys_are_org_feature_action() {
    let p = Permission::parse("org:reports:read").unwrap();
    assert_eq!(
        (p.as_str(), p.feature(), p.action()),
        ("org:reports:read", "reports", "read")
    );
    assert!(!p.is_system());
    assert_eq!(p.to_string(), "org:reports:read");
    for bad in [
        "reports:read",
        "org:reports",
        "org::read",
        "org:reports:",
        "org:reports:read:all",
        "org:Reports:read",
        "org:reports:re-ad",
        "team:reports:read",
    ] {
        assert_eq!(
            Permission::parse(bad),
            Err(RoleError::InvalidPermission(bad.to_owned())),
            "{bad}"
        );
    }
}

#[test]
fn org_sys_is_reserved_for_clerks_six_system_permissions() {
    for key in SYSTEM_PERMISSIONS {
        let p = Permission::parse(key).unwrap();
        assert!(p.is_system(), "{key}");
        assert!(p.feature().starts_with("sys_"));
    }
    for bad in [
        "org:sys_profile:read",
        "org:sys_billing:manage",
        "org:sys_x:y",
    ] {
        assert_eq!(
            Permission::parse(bad),
            Err(RoleError::UnknownSystemPermission(bad.to_owned())),
            "{bad}"
        );
    }
    // `sys` without the underscore is an ordinary feature.
    assert!(!Permission::parse("org:sys:read").unwrap().is_system());
    assert!(!Permission::parse("org:system:read").unwrap().is_system());
}

#[test]
fn clerks_default_roles() {
    let set = RoleSet::default();
    assert_eq!(set.creator_role(), &Role::admin());
    assert_eq!(set.default_role(), &Role::member());
    let mut admin = keys(set.permissions_of(&Role::admin()).unwrap());
    admin.sort_unstable();
    let mut system = SYSTEM_PERMISSIONS.to_vec();
    system.sort_unstable();
    assert_eq!(admin, system);
    assert_eq!(
        keys(set.permissions_of(&Role::member()).unwrap()),
        ["org:sys_memberships:read"]
    );
    assert!(set.contains(&Role::admin()) && set.contains(&Role::member()));
    assert!(!set.contains(&role("org:billing")));
    assert_eq!(set.permissions_of(&role("org:billing")), None);
    let names: Vec<&str> = set.roles().iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Admin", "Member"]);
    // The default parses its system permissions as `Permission::parse` does.
    for p in set.permissions_of(&Role::admin()).unwrap() {
        assert_eq!(Permission::parse(p.as_str()).as_ref(), Ok(p));
    }
    assert_eq!(RoleSet::new(&RoleSetDescription::default()), Ok(set));
}

#[test]
fn custom_roles_join_the_defaults_sorted_with_their_permissions_sorted() {
    let set = set_of(vec![describe(
        "org:billing_manager",
        &[
            "org:invoices:read",
            "org:billing:manage",
            "org:sys_memberships:read",
        ],
    )])
    .unwrap();
    let roles: Vec<&str> = set.roles().iter().map(|e| e.role.as_str()).collect();
    assert_eq!(roles, ["org:admin", "org:billing_manager", "org:member"]);
    let entry = set.entry(&role("org:billing_manager")).unwrap();
    assert_eq!(entry.name, "Billing Manager");
    assert_eq!(
        keys(&entry.permissions),
        [
            "org:billing:manage",
            "org:invoices:read",
            "org:sys_memberships:read"
        ]
    );
}

#[test]
fn admin_keeps_every_system_permission_when_described() {
    let set = set_of(vec![describe("org:admin", &["org:reports:read"])]).unwrap();
    let admin = keys(set.permissions_of(&Role::admin()).unwrap());
    assert!(admin.contains(&"org:reports:read"));
    for key in SYSTEM_PERMISSIONS {
        assert!(admin.contains(&key), "{key}");
    }
    assert_eq!(admin.len(), 7);
    // A described member gets exactly what it lists.
    let set = set_of(vec![describe("org:member", &["org:reports:read"])]).unwrap();
    assert_eq!(
        keys(set.permissions_of(&Role::member()).unwrap()),
        ["org:reports:read"]
    );
    assert_eq!(set.roles().len(), 2);
}

#[test]
fn a_described_name_is_kept() {
    let set = set_of(vec![RoleDescription {
        name: Some("Owner".to_owned()),
        ..describe("org:admin", &[])
    }])
    .unwrap();
    assert_eq!(set.entry(&Role::admin()).unwrap().name, "Owner");
}

#[test]
fn a_role_set_with_a_mistake_is_refused() {
    assert_eq!(
        set_of(vec![describe("billing", &[])]),
        Err(RoleError::InvalidRole("billing".to_owned()))
    );
    assert_eq!(
        set_of(vec![describe("org:a", &[]), describe("org:a", &[])]),
        Err(RoleError::DuplicateRole("org:a".to_owned()))
    );
    assert_eq!(
        set_of(vec![describe("org:a", &["org:x:read", "org:x:read"])]),
        Err(RoleError::DuplicatePermission {
            role: "org:a".to_owned(),
            permission: "org:x:read".to_owned()
        })
    );
    assert_eq!(
        set_of(vec![describe("org:a", &["org:x"])]),
        Err(RoleError::InvalidPermission("org:x".to_owned()))
    );
    assert_eq!(
        set_of(vec![describe("org:a", &["org:sys_x:read"])]),
        Err(RoleError::UnknownSystemPermission(
            "org:sys_x:read".to_owned()
        ))
    );
}

#[test]
fn the_creator_and_default_roles_must_exist() {
    let d = RoleSetDescription {
        creator_role: Some("org:owner".to_owned()),
        ..RoleSetDescription::default()
    };
    assert_eq!(
        RoleSet::new(&d),
        Err(RoleError::MissingRole {
            which: "creator",
            role: "org:owner".to_owned()
        })
    );
    let d = RoleSetDescription {
        default_role: Some("org:viewer".to_owned()),
        ..RoleSetDescription::default()
    };
    assert_eq!(
        RoleSet::new(&d),
        Err(RoleError::MissingRole {
            which: "default",
            role: "org:viewer".to_owned()
        })
    );
    let d = RoleSetDescription {
        default_role: Some("viewer".to_owned()),
        ..RoleSetDescription::default()
    };
    assert_eq!(
        RoleSet::new(&d),
        Err(RoleError::InvalidRole("viewer".to_owned()))
    );
    let d = RoleSetDescription {
        creator_role: Some("Owner".to_owned()),
        ..RoleSetDescription::default()
    };
    assert_eq!(
        RoleSet::new(&d),
        Err(RoleError::InvalidRole("Owner".to_owned()))
    );
}

#[test]
fn the_creator_role_needs_clerks_three_system_permissions() {
    let all = [
        "org:sys_memberships:manage",
        "org:sys_memberships:read",
        "org:sys_profile:delete",
    ];
    for missing in all {
        let listed: Vec<&str> = all.iter().copied().filter(|p| *p != missing).collect();
        let d = RoleSetDescription {
            roles: vec![describe("org:owner", &listed)],
            creator_role: Some("org:owner".to_owned()),
            default_role: Some("org:owner".to_owned()),
        };
        assert_eq!(
            RoleSet::new(&d),
            Err(RoleError::CreatorLacks {
                role: "org:owner".to_owned(),
                permission: missing.to_owned()
            }),
            "{missing}"
        );
    }
    let d = RoleSetDescription {
        roles: vec![describe("org:owner", &all)],
        creator_role: Some("org:owner".to_owned()),
        default_role: Some("org:owner".to_owned()),
    };
    let set = RoleSet::new(&d).unwrap();
    assert_eq!(set.creator_role(), &role("org:owner"));
    assert_eq!(set.default_role(), &role("org:owner"));
}

#[test]
fn a_role_may_use_at_most_53_actions() {
    let actions = |n: usize| -> Vec<String> { (0..n).map(|i| format!("org:f:a{i}")).collect() };
    let d = |n: usize| RoleDescription {
        key: "org:big".to_owned(),
        name: None,
        permissions: actions(n),
    };
    assert!(set_of(vec![d(53)]).is_ok());
    assert_eq!(
        set_of(vec![d(54)]),
        Err(RoleError::TooManyActions {
            role: "org:big".to_owned(),
            count: 54,
            max: 53
        })
    );
    // Actions are counted once across features; system permissions do not
    // count.
    let mut many: Vec<String> = (0..53).map(|i| format!("org:g:a{i}")).collect();
    many.extend(actions(53));
    many.extend(SYSTEM_PERMISSIONS.iter().map(|s| (*s).to_owned()));
    let wide = RoleDescription {
        key: "org:wide".to_owned(),
        name: None,
        permissions: many,
    };
    assert!(set_of(vec![wide]).is_ok());
}

#[test]
fn display_names_are_title_cased_from_the_key() {
    assert_eq!(title_case("billing_manager"), "Billing Manager");
    assert_eq!(title_case("a__b_"), "A B");
    assert_eq!(title_case("tier2"), "Tier2");
}
