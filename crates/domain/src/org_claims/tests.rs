//! The encodings against worked examples derived from `@clerk/shared`'s
//! `jwtPayloadParser.ts` (clerk/javascript, read at e21ae9a, 2026-08) and
//! Clerk's session-token documentation.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;
use crate::id::OrganizationMembershipId;
use crate::membership::NewMembership;
use crate::organization::{NewOrganization, OrganizationName};
use crate::role::{RoleDescription, RoleSetDescription};
use crate::time::UnixMillis;

const T0: UnixMillis = UnixMillis::new(1_700_000_000_000);

/// What `@clerk/shared` derives from v2 claims, re-stated in Rust from its
/// source: `fea` split on `,`, each entry trimmed, its scope before the first
/// `:` (`o`, `ou` or `uo` are organization features); `per` and `fpm` both
/// required; each `fpm` entry a decimal whose bits, least significant first,
/// select entries of `per`; feature `i` takes bitmap `i`; every set bit
/// gives `org:<feature>:<action>`. The role is `org:` + `rol`.
fn decode(v2: &OrgClaimsV2) -> (String, BTreeSet<String>) {
    decode_parts(
        v2.fea.as_deref(),
        v2.per.as_deref(),
        v2.fpm.as_deref(),
        &v2.rol,
    )
}

fn decode_parts(
    fea: Option<&str>,
    per: Option<&str>,
    fpm: Option<&str>,
    rol: &str,
) -> (String, BTreeSet<String>) {
    let features: Vec<&str> = fea
        .filter(|f| !f.is_empty())
        .map(|f| {
            f.split(',')
                .map(str::trim)
                .filter_map(|part| {
                    let (scope, value) = part.split_once(':').expect("missing colon");
                    matches!(scope, "o" | "ou" | "uo").then_some(value)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut permissions = BTreeSet::new();
    if let (Some(per), Some(fpm)) = (per.filter(|p| !p.is_empty()), fpm.filter(|f| !f.is_empty())) {
        let actions: Vec<&str> = per.split(',').map(str::trim).collect();
        let maps: Vec<u128> = fpm
            .split(',')
            .map(|m| m.trim().parse().unwrap_or(0))
            .collect();
        for (feature, map) in features.iter().zip(maps) {
            for (i, action) in actions.iter().enumerate() {
                if i < 128 && map >> i & 1 == 1 {
                    permissions.insert(format!("org:{feature}:{action}"));
                }
            }
        }
    }
    (format!("org:{rol}"), permissions)
}

fn set(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

#[test]
fn the_decoder_reads_clerks_own_test_vectors() {
    // jwtPayloadParser.spec.ts, "org permissions are constructed correctly case 3".
    let (_, p) = decode_parts(
        Some("o:repositories,o:projects"),
        Some("read,create,update,delete,revoke"),
        Some("7,21"),
        "admin",
    );
    assert_eq!(
        p,
        set(&[
            "org:repositories:read",
            "org:repositories:create",
            "org:repositories:update",
            "org:projects:read",
            "org:projects:update",
            "org:projects:revoke",
        ])
    );
    // "... case 4": a feature with a zero mask keeps the alignment.
    let (_, p) = decode_parts(
        Some("o:repositories,o:projects,o:webhooks,o:impersonation"),
        Some("read,manage"),
        Some("1,2,3,0"),
        "admin",
    );
    assert_eq!(
        p,
        set(&[
            "org:repositories:read",
            "org:projects:manage",
            "org:webhooks:read",
            "org:webhooks:manage",
        ])
    );
    // "... case 5": user-only features are skipped, `uo` counts.
    let (role, p) = decode_parts(
        Some("o:repositories,uo:projects,u:goldprofileborder"),
        Some("read,create,update,delete,revoke"),
        Some("7,21,0"),
        "admin",
    );
    assert_eq!(role, "org:admin");
    assert_eq!(p.len(), 6);
    // No `per` or no `fpm`: no permissions.
    assert!(
        decode_parts(Some("o:a"), None, Some("1"), "admin")
            .1
            .is_empty()
    );
    assert!(
        decode_parts(Some("o:a"), Some("read"), None, "admin")
            .1
            .is_empty()
    );
}

fn roles() -> RoleSet {
    let describe = |key: &str, permissions: &[&str]| RoleDescription {
        key: key.to_owned(),
        name: None,
        permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
    };
    RoleSet::new(&RoleSetDescription {
        roles: vec![
            describe(
                "org:analyst",
                &[
                    "org:dashboard:read",
                    "org:dashboard:manage",
                    "org:teams:read",
                    "org:sys_memberships:read",
                ],
            ),
            describe(
                "org:dev",
                &[
                    "org:repositories:read",
                    "org:repositories:create",
                    "org:repositories:update",
                    "org:projects:read",
                    "org:projects:update",
                    "org:projects:revoke",
                ],
            ),
        ],
        ..RoleSetDescription::default()
    })
    .unwrap()
}

fn acme() -> Organization {
    Organization::create(
        NewOrganization::named(OrganizationName::parse("Acme Inc").unwrap()),
        OrganizationId::parse("org_acme").unwrap(),
        T0,
    )
}

fn user(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

fn member(organization: &Organization, who: &str, role: &str) -> Membership {
    Membership::create(
        organization,
        user(who),
        NewMembership::with_role(Some(Role::parse(role).unwrap())),
        0,
        &roles(),
        OrganizationMembershipId::from_random(1),
        T0,
    )
    .unwrap()
}

fn claims(role: &str) -> OrgClaims {
    let o = acme();
    OrgClaims::build(&user("user_1"), &o, &member(&o, "user_1", role), &roles()).unwrap()
}

#[test]
fn clerks_documented_example_encodes_exactly() {
    // https://clerk.com/docs/guides/sessions/session-tokens, "Decode o.fpm
    // manually": dashboard:read, dashboard:manage, teams:read.
    let v2 = claims("org:analyst").v2();
    assert_eq!(
        v2,
        OrgClaimsV2 {
            id: "org_acme".to_owned(),
            slg: "acme-inc".to_owned(),
            rol: "analyst".to_owned(),
            per: Some("manage,read".to_owned()),
            fpm: Some("3,2".to_owned()),
            fea: Some("o:dashboard,o:teams".to_owned()),
        }
    );
    let (role, permissions) = decode(&v2);
    assert_eq!(role, "org:analyst");
    assert_eq!(
        permissions,
        set(&[
            "org:dashboard:manage",
            "org:dashboard:read",
            "org:teams:read"
        ])
    );
}

#[test]
fn the_parsers_case_3_permissions_encode_to_what_it_decodes_back() {
    let v2 = claims("org:dev").v2();
    // Sorted: actions create, read, revoke, update; features projects,
    // repositories. projects = read|revoke|update = 2+4+8, repositories =
    // create|read|update = 1+2+8.
    assert_eq!(v2.per.as_deref(), Some("create,read,revoke,update"));
    assert_eq!(v2.fea.as_deref(), Some("o:projects,o:repositories"));
    assert_eq!(v2.fpm.as_deref(), Some("14,11"));
    assert_eq!(
        decode(&v2).1,
        set(&[
            "org:repositories:read",
            "org:repositories:create",
            "org:repositories:update",
            "org:projects:read",
            "org:projects:update",
            "org:projects:revoke",
        ])
    );
}

#[test]
fn system_permissions_stay_out_of_tokens() {
    let c = claims("org:analyst");
    assert!(c.permissions.iter().all(|p| !p.is_system()));
    assert!(
        !c.v1()
            .org_permissions
            .iter()
            .any(|p| p.starts_with("org:sys_"))
    );
    // An admin of the default set has only system permissions: no per, fpm
    // or fea at all, and the parser yields no permissions.
    let admin = claims("org:admin");
    assert!(admin.permissions.is_empty());
    let v2 = admin.v2();
    assert_eq!((&v2.per, &v2.fpm, &v2.fea), (&None, &None, &None));
    assert_eq!(v2.rol, "admin");
    assert_eq!(decode(&v2), ("org:admin".to_owned(), BTreeSet::new()));
    let v1 = admin.v1();
    assert_eq!(
        v1,
        OrgClaimsV1 {
            org_id: "org_acme".to_owned(),
            org_slug: "acme-inc".to_owned(),
            org_role: "org:admin".to_owned(),
            org_permissions: vec![],
        }
    );
}

#[test]
fn v1_carries_the_role_with_its_prefix_and_the_permission_keys() {
    let v1 = claims("org:analyst").v1();
    assert_eq!(v1.org_role, "org:analyst");
    assert_eq!(
        v1.org_permissions,
        [
            "org:dashboard:manage",
            "org:dashboard:read",
            "org:teams:read"
        ]
    );
    assert_eq!(
        (v1.org_id.as_str(), v1.org_slug.as_str()),
        ("org_acme", "acme-inc")
    );
}

#[test]
fn claims_are_only_built_from_the_users_own_membership_in_that_organization() {
    let o = acme();
    let theirs = member(&o, "user_2", "org:admin");
    assert_eq!(
        OrgClaims::build(&user("user_1"), &o, &theirs, &roles()),
        Err(OrgClaimsError::NotAMember)
    );
    let other = Organization::create(
        NewOrganization::named(OrganizationName::parse("Other").unwrap()),
        OrganizationId::parse("org_other").unwrap(),
        T0,
    );
    let elsewhere = member(&other, "user_1", "org:admin");
    assert_eq!(
        OrgClaims::build(&user("user_1"), &o, &elsewhere, &roles()),
        Err(OrgClaimsError::NotAMember)
    );
    // A role that left the role set gives no claims (fail closed).
    let dev = member(&o, "user_1", "org:dev");
    assert_eq!(
        OrgClaims::build(&user("user_1"), &o, &dev, &RoleSet::default()),
        Err(OrgClaimsError::UnknownRole(Role::parse("org:dev").unwrap()))
    );
}

#[test]
fn fifty_three_actions_fit_the_largest_exact_bitmap() {
    let permissions: Vec<String> = (0..53).map(|i| format!("org:f:a{i:02}")).collect();
    let set = RoleSet::new(&RoleSetDescription {
        roles: vec![RoleDescription {
            key: "org:all".to_owned(),
            name: None,
            permissions: permissions.clone(),
        }],
        ..RoleSetDescription::default()
    })
    .unwrap();
    let o = acme();
    let m = Membership::create(
        &o,
        user("user_1"),
        NewMembership::with_role(Some(Role::parse("org:all").unwrap())),
        0,
        &set,
        OrganizationMembershipId::from_random(1),
        T0,
    )
    .unwrap();
    let v2 = OrgClaims::build(&user("user_1"), &o, &m, &set)
        .unwrap()
        .v2();
    // 2^53 - 1, Number.MAX_SAFE_INTEGER.
    assert_eq!(v2.fpm.as_deref(), Some("9007199254740991"));
    assert_eq!(decode(&v2).1, permissions.into_iter().collect());
}

#[test]
fn a_permission_beyond_the_64th_action_is_dropped_not_misplaced() {
    // Not reachable through a RoleSet (53 at most); the encoder still never
    // sets a wrong bit.
    let permissions: Vec<Permission> = (0..65)
        .map(|i| Permission::parse(&format!("org:f:a{i:02}")).unwrap())
        .collect();
    let c = OrgClaims {
        id: OrganizationId::parse("org_x").unwrap(),
        slug: Slug::parse("x").unwrap(),
        role: Role::admin(),
        permissions,
    };
    assert_eq!(c.v2().fpm.as_deref(), Some(u64::MAX.to_string().as_str()));
}

fn permission_sets() -> impl Strategy<Value = BTreeSet<(u8, u8)>> {
    proptest::collection::btree_set((0u8..6, 0u8..8), 0..20)
}

proptest! {
    #[test]
    fn v2_decodes_to_exactly_the_v1_permissions(pairs in permission_sets()) {
        let permissions: Vec<Permission> = pairs
            .iter()
            .map(|(f, a)| Permission::parse(&format!("org:feat{f}:act{a}")).unwrap())
            .collect();
        let c = OrgClaims {
            id: OrganizationId::parse("org_x").unwrap(),
            slug: Slug::parse("x").unwrap(),
            role: Role::parse("org:custom_role").unwrap(),
            permissions,
        };
        let (role, decoded) = decode(&c.v2());
        prop_assert_eq!(role, c.v1().org_role);
        prop_assert_eq!(decoded, c.v1().org_permissions.into_iter().collect::<BTreeSet<_>>());
    }
}

// ----- reading claims back -----

proptest! {
    #[test]
    fn both_encodings_read_back_to_the_claims_they_were_made_from(pairs in permission_sets()) {
        let mut permissions: Vec<Permission> = pairs
            .iter()
            .map(|(f, a)| Permission::parse(&format!("org:feat{f}:act{a}")).unwrap())
            .collect();
        permissions.sort();
        let c = OrgClaims {
            id: OrganizationId::parse("org_x").unwrap(),
            slug: Slug::parse("x").unwrap(),
            role: Role::parse("org:custom_role").unwrap(),
            permissions,
        };
        prop_assert_eq!(OrgClaims::from_v2(&c.v2()), Some(c.clone()));
        prop_assert_eq!(OrgClaims::from_v1(&c.v1()), Some(c));
    }
}

#[test]
fn claims_read_back_as_clerks_parser_reads_them() {
    let v2 = claims("org:analyst").v2();
    assert_eq!(OrgClaims::from_v2(&v2), Some(claims("org:analyst")));
    // The parser's case 5: user-only features are skipped, `uo` counts, and
    // spaces around entries are trimmed.
    let mixed = OrgClaimsV2 {
        fea: Some("o:repositories, uo:projects,u:goldprofileborder".to_owned()),
        per: Some("read, create".to_owned()),
        fpm: Some("1,3".to_owned()),
        ..v2.clone()
    };
    let read = OrgClaims::from_v2(&mixed).unwrap();
    let keys: Vec<&str> = read.permissions.iter().map(Permission::as_str).collect();
    assert_eq!(
        keys,
        [
            "org:projects:create",
            "org:projects:read",
            "org:repositories:read"
        ]
    );
    assert_eq!(read.role.as_str(), "org:analyst");
    // Without `per` or `fpm`, no permissions (as the parser).
    for (per, fpm) in [(None, Some("3")), (Some("read"), None)] {
        let partial = OrgClaimsV2 {
            per: per.map(str::to_owned),
            fpm: fpm.map(str::to_owned),
            ..v2.clone()
        };
        assert!(OrgClaims::from_v2(&partial).unwrap().permissions.is_empty());
    }
}

#[test]
fn claims_hallpass_could_not_have_written_do_not_read_back() {
    let v2 = claims("org:analyst").v2();
    let bad = |f: &dyn Fn(&mut OrgClaimsV2)| {
        let mut c = v2.clone();
        f(&mut c);
        OrgClaims::from_v2(&c)
    };
    // A bitmap that is not a number, a bit beyond the actions, more bitmaps
    // than features.
    assert_eq!(bad(&|c| c.fpm = Some("3,x".to_owned())), None);
    assert_eq!(bad(&|c| c.fpm = Some("4,2".to_owned())), None);
    assert_eq!(bad(&|c| c.fpm = Some("3,2,1".to_owned())), None);
    // The highest bit the actions allow is fine, one more is not.
    assert!(bad(&|c| c.fpm = Some("3,3".to_owned())).is_some());
    // Bad id, slug, role.
    assert_eq!(bad(&|c| c.id = "org bad".to_owned()), None);
    assert_eq!(bad(&|c| c.slg = "Not A Slug".to_owned()), None);
    assert_eq!(bad(&|c| c.rol = "Analyst!".to_owned()), None);

    let v1 = claims("org:analyst").v1();
    let bad1 = |f: &dyn Fn(&mut OrgClaimsV1)| {
        let mut c = v1.clone();
        f(&mut c);
        OrgClaims::from_v1(&c)
    };
    assert_eq!(OrgClaims::from_v1(&v1), Some(claims("org:analyst")));
    assert_eq!(bad1(&|c| c.org_role = "analyst".to_owned()), None);
    assert_eq!(
        bad1(&|c| c.org_permissions.push("dashboard".to_owned())),
        None
    );
    assert_eq!(bad1(&|c| c.org_id = String::new()), None);
    assert_eq!(bad1(&|c| c.org_slug = "a_b".to_owned()), None);
    // Listed twice or out of order, the keys read back sorted, once.
    let shuffled = bad1(&|c| {
        c.org_permissions.reverse();
        c.org_permissions.push("org:teams:read".to_owned());
    });
    assert_eq!(shuffled, Some(claims("org:analyst")));
}

// ----- what a token carries at mint time -----

fn session_in(org: Option<&Organization>, who: &str) -> crate::session::Session {
    crate::session::Session::start(
        crate::session::NewSession {
            id: crate::id::SessionId::from_random(7),
            client_id: crate::id::ClientId::from_random(8),
            user_id: user(who),
            actor: None,
            active_organization_id: org.map(|o| o.id().clone()),
            tasks: vec![],
        },
        &crate::settings::InstanceSettings::default(),
        T0,
    )
}

#[test]
fn a_token_carries_the_organization_as_the_membership_is_at_mint_time() {
    let o = acme();
    let s = session_in(Some(&o), "user_1");
    let analyst = member(&o, "user_1", "org:analyst");
    let resolved = TokenOrganization::resolve(&s, Some((&o, &analyst)), &roles());
    assert_eq!(resolved, TokenOrganization::Active(claims("org:analyst")));
    assert_eq!(resolved.claims(), Some(&claims("org:analyst")));
    assert_eq!(resolved.into_claims(), Some(claims("org:analyst")));

    // A downgraded role shows at once, with its own permissions.
    let mut downgraded = analyst.clone();
    downgraded.set_role(Role::member(), &roles(), T0).unwrap();
    let resolved = TokenOrganization::resolve(&s, Some((&o, &downgraded)), &roles());
    let c = resolved.claims().unwrap();
    assert_eq!(c.role, Role::member());
    assert!(c.permissions.is_empty());
}

#[test]
fn a_gone_organization_or_membership_gives_no_claims_and_is_forgotten() {
    let o = acme();
    let s = session_in(Some(&o), "user_1");
    let resolved = TokenOrganization::resolve(&s, None, &roles());
    assert_eq!(resolved, TokenOrganization::Gone(o.id().clone()));
    assert_eq!(resolved.claims(), None);
    assert_eq!(resolved.into_claims(), None);
}

#[test]
fn a_membership_that_gives_no_claims_is_withheld_and_kept() {
    let o = acme();
    let s = session_in(Some(&o), "user_1");
    // Another user's membership, a membership elsewhere, another
    // organization than the active one: never claims.
    let theirs = member(&o, "user_2", "org:admin");
    let other = Organization::create(
        NewOrganization::named(OrganizationName::parse("Other").unwrap()),
        OrganizationId::parse("org_other").unwrap(),
        T0,
    );
    let elsewhere = member(&other, "user_1", "org:admin");
    for (org, m) in [(&o, &theirs), (&o, &elsewhere), (&other, &elsewhere)] {
        let resolved = TokenOrganization::resolve(&s, Some((org, m)), &roles());
        assert_eq!(
            resolved,
            TokenOrganization::Withheld(o.id().clone(), OrgClaimsError::NotAMember)
        );
        assert_eq!(resolved.claims(), None);
        assert_eq!(resolved.into_claims(), None);
    }
    // A role that left the role set.
    let dev = member(&o, "user_1", "org:dev");
    assert_eq!(
        TokenOrganization::resolve(&s, Some((&o, &dev)), &RoleSet::default()),
        TokenOrganization::Withheld(
            o.id().clone(),
            OrgClaimsError::UnknownRole(Role::parse("org:dev").unwrap())
        )
    );
}

#[test]
fn the_personal_account_carries_no_organization_whatever_is_found() {
    let o = acme();
    let s = session_in(None, "user_1");
    let m = member(&o, "user_1", "org:admin");
    assert_eq!(
        TokenOrganization::resolve(&s, Some((&o, &m)), &roles()),
        TokenOrganization::Personal
    );
    assert_eq!(
        TokenOrganization::resolve(&s, None, &roles()),
        TokenOrganization::Personal
    );
    assert_eq!(TokenOrganization::Personal.claims(), None);
    assert_eq!(TokenOrganization::Personal.into_claims(), None);
}

#[test]
fn a_bitmap_reads_back_at_most_sixty_four_actions() {
    // One `fpm` entry is a 64-bit number: with 64 actions every bit is one
    // of them, and an action past the 64th is granted by no bitmap (never a
    // shifted-out or wrapped bit).
    for count in [64usize, 65] {
        let actions: Vec<String> = (0..count).map(|i| format!("a{i:02}")).collect();
        let v2 = OrgClaimsV2 {
            id: "org_x".to_owned(),
            slg: "x".to_owned(),
            rol: "admin".to_owned(),
            per: Some(actions.join(",")),
            fpm: Some(u64::MAX.to_string()),
            fea: Some("o:f".to_owned()),
        };
        let read = OrgClaims::from_v2(&v2).unwrap();
        let keys: BTreeSet<String> = read
            .permissions
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect();
        let expected: BTreeSet<String> =
            actions[..64].iter().map(|a| format!("org:f:{a}")).collect();
        assert_eq!(keys, expected, "{count} actions");
    }
}
