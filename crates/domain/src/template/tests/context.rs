//! What a template's shortcodes see of the user, the session and the
//! active organization; nothing private.

use super::*;
use crate::id::{ClientId, OrganizationId, OrganizationMembershipId, SessionId, UserId};
use crate::membership::{Membership, NewMembership};
use crate::metadata::Metadata;
use crate::org_claims::OrgClaims;
use crate::organization::{NewOrganization, Organization, OrganizationName};
use crate::role::{Role, RoleDescription, RoleSet, RoleSetDescription};
use crate::session::{NewSession, Session};
use crate::settings::InstanceSettings;
use crate::template::{TemplateOrganization, template_context};
use crate::user::{NewUser, User};
use crate::{E164, Email, ExternalId, ImageUrl, PersonName, Username};

fn meta(key: &str, value: &str) -> Metadata {
    Metadata::new(object([(key, s(value))])).unwrap()
}

fn ada() -> User {
    let mut next = 0;
    User::create(
        NewUser {
            external_id: Some(ExternalId::parse("crm-1").unwrap()),
            first_name: Some(PersonName::parse("Ada", "first_name").unwrap()),
            last_name: Some(PersonName::parse("Lovelace", "last_name").unwrap()),
            username: Some(Username::parse("ada_l").unwrap()),
            image_url: Some(
                ImageUrl::parse("https://img.example.com/ada.png", "image_url").unwrap(),
            ),
            email_addresses: vec![Email::parse("ada@example.com").unwrap()],
            phone_numbers: vec![E164::parse("+15555550100").unwrap()],
            public_metadata: meta("plan", "pro"),
            private_metadata: meta("secret", "PRIVATE"),
            unsafe_metadata: meta("theme", "dark"),
            ..NewUser::default()
        },
        &mut || {
            next += 1;
            next
        },
        T0,
    )
    .unwrap()
}

fn session_of(user: &UserId, org: Option<&OrganizationId>) -> Session {
    Session::start(
        NewSession {
            id: SessionId::from_random(7),
            client_id: ClientId::from_random(8),
            user_id: user.clone(),
            actor: None,
            active_organization_id: org.cloned(),
            tasks: vec![],
        },
        &InstanceSettings::default(),
        T0,
    )
}

fn roles() -> RoleSet {
    RoleSet::new(&RoleSetDescription {
        roles: vec![RoleDescription {
            key: "org:analyst".to_owned(),
            name: None,
            permissions: vec!["org:reports:read".to_owned()],
        }],
        ..RoleSetDescription::default()
    })
    .unwrap()
}

fn field<'a>(context: &'a Json, path: &[&str]) -> &'a Json {
    let mut value = context;
    for key in path {
        match value {
            Json::Object(o) => value = o.get(key).unwrap_or(&Json::Null),
            _ => return &Json::Null,
        }
    }
    value
}

#[test]
fn the_user_is_seen_as_stored_without_private_metadata() {
    let u = ada();
    let c = template_context(&session_of(u.id(), None), Some(&u), None);
    let user = |key: &str| field(&c, &["user", key]).clone();
    assert_eq!(user("id"), s(u.id().as_str()));
    assert_eq!(user("external_id"), s("crm-1"));
    assert_eq!(user("first_name"), s("Ada"));
    assert_eq!(user("last_name"), s("Lovelace"));
    assert_eq!(user("full_name"), s("Ada Lovelace"));
    assert_eq!(user("username"), s("ada_l"));
    assert_eq!(user("image_url"), s("https://img.example.com/ada.png"));
    assert_eq!(user("has_image"), Json::Bool(true));
    assert_eq!(user("primary_email_address"), s("ada@example.com"));
    assert_eq!(user("email_verified"), Json::Bool(true));
    assert_eq!(user("primary_phone_number"), s("+15555550100"));
    assert_eq!(user("phone_number_verified"), Json::Bool(true));
    assert_eq!(user("two_factor_enabled"), Json::Bool(false));
    assert_eq!(user("public_metadata"), obj([("plan", s("pro"))]));
    assert_eq!(user("unsafe_metadata"), obj([("theme", s("dark"))]));
    assert_eq!(user("created_at"), Json::int(T0.as_secs()));
    assert_eq!(user("updated_at"), Json::int(u.updated_at().as_secs()));
    assert_eq!(user("private_metadata"), Json::Null);
    let Json::Object(user_object) = field(&c, &["user"]) else {
        panic!("user is an object")
    };
    assert_eq!(user_object.len(), 17, "{user_object:?}");
    assert!(!format!("{c:?}").contains("PRIVATE"));
}

#[test]
fn a_user_without_a_profile_or_identifiers_has_nulls_and_false() {
    let mut next = 0;
    let bare = User::create(
        NewUser::default(),
        &mut || {
            next += 1;
            next
        },
        T0,
    )
    .unwrap();
    let c = template_context(&session_of(bare.id(), None), Some(&bare), None);
    for key in [
        "external_id",
        "first_name",
        "last_name",
        "full_name",
        "username",
        "image_url",
        "primary_email_address",
        "primary_phone_number",
    ] {
        assert_eq!(field(&c, &["user", key]), &Json::Null, "{key}");
    }
    for key in ["has_image", "email_verified", "phone_number_verified"] {
        assert_eq!(field(&c, &["user", key]), &Json::Bool(false), "{key}");
    }
    assert_eq!(field(&c, &["user", "public_metadata"]), &obj([]));
}

#[test]
fn a_full_name_is_either_name_alone_when_the_other_is_missing() {
    let mut u = ada();
    let mut record = u.to_record();
    record.last_name = None;
    u = User::from_record(record);
    let c = template_context(&session_of(u.id(), None), Some(&u), None);
    assert_eq!(field(&c, &["user", "full_name"]), &s("Ada"));
    let mut record = u.to_record();
    record.first_name = None;
    record.last_name = Some(PersonName::parse("Lovelace", "last_name").unwrap());
    let u = User::from_record(record);
    let c = template_context(&session_of(u.id(), None), Some(&u), None);
    assert_eq!(field(&c, &["user", "full_name"]), &s("Lovelace"));
}

#[test]
fn an_unverified_primary_identifier_is_not_verified() {
    let mut u = ada();
    let email = u.primary_email_address_id().unwrap().clone();
    let phone = u.primary_phone_number_id().unwrap().clone();
    u.set_email_address_verified(&email, false, T0).unwrap();
    u.set_phone_number_verified(&phone, false, T0).unwrap();
    let c = template_context(&session_of(u.id(), None), Some(&u), None);
    assert_eq!(field(&c, &["user", "email_verified"]), &Json::Bool(false));
    assert_eq!(
        field(&c, &["user", "phone_number_verified"]),
        &Json::Bool(false)
    );
}

#[test]
fn an_unknown_user_is_only_its_id() {
    let id = UserId::parse("user_gone").unwrap();
    let c = template_context(&session_of(&id, None), None, None);
    assert_eq!(field(&c, &["user"]), &obj([("id", s("user_gone"))]));
}

#[test]
fn the_session_is_its_id_status_and_actor() {
    let u = ada();
    let session = session_of(u.id(), None);
    let c = template_context(&session, Some(&u), None);
    assert_eq!(
        field(&c, &["session"]),
        &obj([
            ("id", s(session.id().as_str())),
            ("status", s("active")),
            ("actor", Json::Null),
        ])
    );
    assert_eq!(field(&c, &["org"]), &Json::Null, "the personal account");
    assert_eq!(field(&c, &["org_membership"]), &Json::Null);
}

#[test]
fn the_active_organization_and_membership_without_private_metadata() {
    let u = ada();
    let mut new = NewOrganization::named(OrganizationName::parse("Acme Inc").unwrap());
    new.public_metadata = meta("tier", "gold");
    new.private_metadata = meta("secret", "PRIVATE-ORG");
    let o = Organization::create(new, OrganizationId::parse("org_acme").unwrap(), T0);
    let mut m = NewMembership::with_role(Some(Role::parse("org:analyst").unwrap()));
    m.public_metadata = meta("team", "blue");
    m.private_metadata = meta("secret", "PRIVATE-MEMBER");
    let membership = Membership::create(
        &o,
        u.id().clone(),
        m,
        0,
        &roles(),
        OrganizationMembershipId::from_random(3),
        T0,
    )
    .unwrap();
    let claims = OrgClaims::build(u.id(), &o, &membership, &roles()).unwrap();
    let session = session_of(u.id(), Some(o.id()));
    let c = template_context(
        &session,
        Some(&u),
        Some(TemplateOrganization {
            organization: &o,
            membership: &membership,
            claims: &claims,
        }),
    );
    assert_eq!(
        field(&c, &["org"]),
        &obj([
            ("id", s("org_acme")),
            ("name", s("Acme Inc")),
            ("slug", s(o.slug().as_str())),
            ("image_url", Json::Null),
            ("has_image", Json::Bool(false)),
            ("public_metadata", obj([("tier", s("gold"))])),
            ("role", s("org:analyst")),
            ("permissions", arr([s("org:reports:read")])),
        ])
    );
    assert_eq!(
        field(&c, &["org_membership"]),
        &obj([
            ("id", s(membership.id().as_str())),
            ("role", s("org:analyst")),
            ("permissions", arr([s("org:reports:read")])),
            ("public_metadata", obj([("team", s("blue"))])),
        ])
    );
    assert!(!format!("{c:?}").contains("PRIVATE"));
}
