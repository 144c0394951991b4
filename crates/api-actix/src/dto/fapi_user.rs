//! The Frontend API `User` inside a session, with its organization
//! memberships (`Client.User`, `Client.OrganizationMembership`,
//! `Client.Organization`), and the session's `public_user_data`.
//!
//! What a browser may see of a user: never the private metadata of the
//! user, an organization or a membership. A session whose user no longer
//! exists (deleted after the session ended) shows the id and empty values.

use hallpass_app::SessionUser;
use hallpass_domain::{Metadata, RoleSet, Session, UnixMillis, User};
use hallpass_ports::MembershipView;
use serde::Serialize;

use super::EmptyObject;
use super::organizations::role_of;
use super::users::{
    BapiEmailAddress, BapiPhoneNumber, ObjectView, email_address, metadata, phone_number,
};

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Meta<'a> {
    Object(ObjectView<'a>),
    Empty(EmptyObject),
}

/// `Client.Organization` (no private metadata).
#[derive(Debug, Serialize)]
struct FapiOrganization<'a> {
    object: &'static str,
    id: &'a str,
    name: &'a str,
    slug: &'a str,
    image_url: &'a str,
    has_image: bool,
    members_count: u64,
    pending_invitations_count: u64,
    max_allowed_memberships: u32,
    admin_delete_enabled: bool,
    public_metadata: ObjectView<'a>,
    created_at: i64,
    updated_at: i64,
}

/// `Client.OrganizationMembership` (no private metadata).
#[derive(Debug, Serialize)]
pub(crate) struct FapiMembership<'a> {
    object: &'static str,
    id: &'a str,
    role: &'a str,
    role_name: &'a str,
    permissions: Vec<&'a str>,
    public_metadata: ObjectView<'a>,
    organization: FapiOrganization<'a>,
    /// The member, in `GET /v1/me/organization_memberships` (the user's
    /// own memberships inside the user leave it out).
    #[serde(skip_serializing_if = "Option::is_none")]
    public_user_data: Option<MemberData<'a>>,
    created_at: i64,
    updated_at: i64,
}

/// `Client.PublicUserData` of a member (its `banned` is optional and left
/// out: a browser learns nothing of another user's ban).
#[derive(Debug, Serialize)]
pub(crate) struct MemberData<'a> {
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    image_url: &'a str,
    has_image: bool,
    identifier: &'a str,
    user_id: &'a str,
    username: Option<&'a str>,
}

fn member_data(m: &hallpass_ports::PublicUserData) -> MemberData<'_> {
    let username = m.username.as_ref().map(|v| v.as_str());
    MemberData {
        first_name: m.first_name.as_ref().map(|v| v.as_str()),
        last_name: m.last_name.as_ref().map(|v| v.as_str()),
        image_url: m.image_url.as_ref().map_or("", |i| i.as_str()),
        has_image: m.image_url.is_some(),
        identifier: hallpass_domain::shown_identifier(
            m.primary_email_address.as_ref().map(|v| v.as_str()),
            m.primary_phone_number.as_ref().map(|v| v.as_str()),
            username,
        )
        .unwrap_or(m.user_id.as_str()),
        user_id: m.user_id.as_str(),
        username,
    }
}

/// A membership in `GET /v1/me/organization_memberships`: with the member.
pub(crate) fn listed_membership<'a>(
    v: &'a MembershipView,
    roles: &'a RoleSet,
) -> FapiMembership<'a> {
    FapiMembership {
        public_user_data: Some(member_data(&v.user)),
        ..membership(v, roles)
    }
}

fn membership<'a>(v: &'a MembershipView, roles: &'a RoleSet) -> FapiMembership<'a> {
    let m = &v.membership;
    let o = &v.organization.organization;
    let (role_name, permissions) = role_of(m, roles);
    FapiMembership {
        object: "organization_membership",
        id: m.id().as_str(),
        role: m.role().as_str(),
        role_name,
        permissions,
        public_metadata: metadata(m.public_metadata()),
        organization: FapiOrganization {
            object: "organization",
            id: o.id().as_str(),
            name: o.name().as_str(),
            slug: o.slug().as_str(),
            image_url: o.image_url().map_or("", |i| i.as_str()),
            has_image: o.image_url().is_some(),
            members_count: v.organization.members_count,
            pending_invitations_count: 0,
            max_allowed_memberships: o.max_allowed_memberships().get(),
            admin_delete_enabled: o.admin_delete_enabled(),
            public_metadata: metadata(o.public_metadata()),
            created_at: o.created_at().as_millis(),
            updated_at: o.updated_at().as_millis(),
        },
        public_user_data: None,
        created_at: m.created_at().as_millis(),
        updated_at: m.updated_at().as_millis(),
    }
}

/// `Client.User`.
#[derive(Debug, Serialize)]
pub(crate) struct FapiUser<'a> {
    object: &'static str,
    id: &'a str,
    external_id: Option<&'a str>,
    username: Option<&'a str>,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    image_url: &'a str,
    has_image: bool,
    primary_email_address_id: Option<&'a str>,
    primary_phone_number_id: Option<&'a str>,
    primary_web3_wallet_id: (),
    email_addresses: Vec<BapiEmailAddress<'a>>,
    phone_numbers: Vec<BapiPhoneNumber<'a>>,
    web3_wallets: [(); 0],
    external_accounts: [(); 0],
    saml_accounts: [(); 0],
    passkeys: [(); 0],
    enterprise_accounts: [(); 0],
    organization_memberships: Vec<FapiMembership<'a>>,
    public_metadata: Meta<'a>,
    unsafe_metadata: Meta<'a>,
    password_enabled: bool,
    password_last_updated_at: Option<i64>,
    totp_enabled: bool,
    backup_code_enabled: bool,
    two_factor_enabled: bool,
    delete_self_enabled: bool,
    create_organization_enabled: bool,
    banned: bool,
    locked: bool,
    lockout_expires_in_seconds: Option<i64>,
    verification_attempts_remaining: (),
    last_active_at: Option<i64>,
    mfa_enabled_at: (),
    mfa_disabled_at: (),
    legal_accepted_at: (),
    last_sign_in_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

/// The session's user as the browser sees it at `now`. A user Hallpass no
/// longer has shows the session's user id and nothing else.
pub(crate) fn fapi_user<'a>(
    s: &'a Session,
    user: Option<&'a SessionUser>,
    roles: &'a RoleSet,
    now: UnixMillis,
) -> FapiUser<'a> {
    let u = user.map(|su| &su.user);
    let text = |f: fn(&'a User) -> Option<&'a str>| u.and_then(f);
    let meta = |f: fn(&'a User) -> &'a Metadata| {
        u.map_or(Meta::Empty(EmptyObject), |u| Meta::Object(metadata(f(u))))
    };
    FapiUser {
        object: "user",
        id: s.user_id().as_str(),
        external_id: text(|u| u.external_id().map(|v| v.as_str())),
        username: text(|u| u.username().map(|v| v.as_str())),
        first_name: text(|u| u.first_name().map(|v| v.as_str())),
        last_name: text(|u| u.last_name().map(|v| v.as_str())),
        image_url: text(|u| u.image_url().map(|v| v.as_str())).unwrap_or(""),
        has_image: u.is_some_and(|u| u.image_url().is_some()),
        primary_email_address_id: text(|u| u.primary_email_address_id().map(|v| v.as_str())),
        primary_phone_number_id: text(|u| u.primary_phone_number_id().map(|v| v.as_str())),
        primary_web3_wallet_id: (),
        email_addresses: u.map_or_else(Vec::new, |u| {
            u.email_addresses().iter().map(email_address).collect()
        }),
        phone_numbers: u.map_or_else(Vec::new, |u| {
            u.phone_numbers().iter().map(phone_number).collect()
        }),
        web3_wallets: [],
        external_accounts: [],
        saml_accounts: [],
        passkeys: [],
        enterprise_accounts: [],
        organization_memberships: user.map_or_else(Vec::new, |su| {
            su.memberships
                .iter()
                .map(|m| membership(m, roles))
                .collect()
        }),
        public_metadata: meta(User::public_metadata),
        unsafe_metadata: meta(User::unsafe_metadata),
        password_enabled: u.is_some_and(|u| u.password().is_some()),
        password_last_updated_at: u.and_then(User::password).map(|p| p.updated_at.as_millis()),
        totp_enabled: false,
        backup_code_enabled: false,
        two_factor_enabled: false,
        delete_self_enabled: false,
        create_organization_enabled: false,
        banned: u.is_some_and(User::banned),
        locked: u.is_some_and(|u| u.is_locked_at(now)),
        lockout_expires_in_seconds: u.and_then(|u| u.lockout_expires_in_seconds(now)),
        verification_attempts_remaining: (),
        last_active_at: u.and_then(User::last_active_at).map(UnixMillis::as_millis),
        mfa_enabled_at: (),
        mfa_disabled_at: (),
        legal_accepted_at: (),
        last_sign_in_at: u.and_then(User::last_sign_in_at).map(UnixMillis::as_millis),
        created_at: u.map_or(s.created_at(), User::created_at).as_millis(),
        updated_at: u.map_or(s.updated_at(), User::updated_at).as_millis(),
    }
}

/// `Client.PublicUserData` of the session's user. `identifier` is the
/// primary email address, else the primary phone number, else the
/// username, else the user id.
#[derive(Debug, Serialize)]
pub(crate) struct PublicUserData<'a> {
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    image_url: &'a str,
    has_image: bool,
    identifier: &'a str,
    user_id: &'a str,
    username: Option<&'a str>,
    banned: bool,
}

pub(crate) fn public_user_data<'a>(s: &'a Session, user: Option<&'a User>) -> PublicUserData<'a> {
    let Some(u) = user else {
        return PublicUserData {
            first_name: None,
            last_name: None,
            image_url: "",
            has_image: false,
            identifier: s.user_id().as_str(),
            user_id: s.user_id().as_str(),
            username: None,
            banned: false,
        };
    };
    let identifier = u.shown_identifier().unwrap_or(u.id().as_str());
    PublicUserData {
        first_name: u.first_name().map(|v| v.as_str()),
        last_name: u.last_name().map(|v| v.as_str()),
        image_url: u.image_url().map_or("", |i| i.as_str()),
        has_image: u.image_url().is_some(),
        identifier,
        user_id: u.id().as_str(),
        username: u.username().map(|v| v.as_str()),
        banned: u.banned(),
    }
}
